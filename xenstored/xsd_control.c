/* CONTROL: administrative commands (privileged callers only).
 *
 *   check                      consistency check of tree and accounting
 *   log on|off                 request tracing on or off
 *   logfile <file>             trace to <file>
 *   memreport [<file>]         memory, usage and refusal report
 *   print <text>               writes <text> to the log
 *   quota [set <name> <value> | <domid>]
 *   quota-soft [set memory <value>]
 *   as-domain <domid>          this connection speaks for <domid> from now
 *                              on, unprivileged (tests, tools acting for a
 *                              guest); irreversible
 *   live-update -f <binary> | -c <cmdline> | -s [-t <sec>] [-F] | -a
 *   help
 *
 * Like every other operation, one table: name, handler, whether it changes
 * state (refused on the read-only socket), usage. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "xsd.h"

struct control_cmd {
    const char *name;
    int (*fn)(struct xsd_req *r, unsigned argc, const char *const *argv);
    bool mutates;
    const char *usage;
};

static const struct control_cmd control_cmds[];

static int reply_gstring(struct xsd_req *r, GString *g)
{
    if (g->len + 1 > XENSTORE_PAYLOAD_MAX) {
        /* Too long for one reply: the whole text goes to the log. */
        xk_info("%s", g->str);
        g_string_free(g, TRUE);
        xsd_reply_str(r, "report too long for a reply: written to the log\n");
        return 0;
    }
    xsd_reply_str(r, g->str);
    g_string_free(g, TRUE);
    return 0;
}

static int ctl_help(struct xsd_req *r, unsigned argc, const char *const *argv)
{
    GString *g = g_string_new(NULL);

    for (const struct control_cmd *c = control_cmds; c->name; c++)
        g_string_append_printf(g, "%-11s %s\n", c->name, c->usage);
    return reply_gstring(r, g);
}

static int ctl_check(struct xsd_req *r, unsigned argc, const char *const *argv)
{
    char *problems = xsd_store_check(r->store);
    GString *g;

    if (!problems) {
        xsd_reply_str(r, "OK");
        return 0;
    }
    xk_warn("CONTROL check found problems:\n%s", problems);
    g = g_string_new(problems);
    g_free(problems);
    return reply_gstring(r, g);
}

static int ctl_log(struct xsd_req *r, unsigned argc, const char *const *argv)
{
    if (argc != 1)
        return EINVAL;
    if (strcmp(argv[0], "on") == 0)
        r->store->trace_on = true;
    else if (strcmp(argv[0], "off") == 0)
        r->store->trace_on = false;
    else
        return EINVAL;
    xsd_reply_ok(r);
    return 0;
}

static int ctl_logfile(struct xsd_req *r, unsigned argc, const char *const *argv)
{
    int err;

    if (argc != 1 || !argv[0][0])
        return EINVAL;
    if (!r->store->set_trace_file)
        return ENOSYS;
    err = r->store->set_trace_file(r->store, argv[0]);
    if (err)
        return err;
    xsd_reply_ok(r);
    return 0;
}

static void report_domain(GString *g, const struct xsd_store *s, const struct xsd_domain *d)
{
    g_string_append_printf(g, "domain %u%s%s%s:\n", d->domid,
                           d->introduced ? " (introduced)" : "",
                           d->shutdown ? " (shut down)" : "",
                           d->domid == 0 ? " (privileged)" : "");
    for (int q = 0; q < XSD_Q_COUNT; q++)
        g_string_append_printf(g, "  %-17s: %8lu (max %8lu, quota %8lu, refused %llu)\n",
                               xsd_quota_info[q].name, d->use[q], d->max[q], s->quota[q],
                               (unsigned long long)d->refused[q]);
}

static gint cmp_domid(gconstpointer a, gconstpointer b)
{
    uint32_t x = GPOINTER_TO_UINT(a), y = GPOINTER_TO_UINT(b);

    return x < y ? -1 : x > y;
}

static GString *memreport(struct xsd_store *s)
{
    GString *g = g_string_new(NULL);
    uint64_t nodes, bytes;
    unsigned conns = 0, unpriv = 0, watches = 0, txns = 0;
    unsigned long queued = 0;
    GList *doms;

    xsd_store_tree_stats(s, &nodes, &bytes);
    for (GList *l = s->conns.head; l; l = l->next) {
        struct xsd_conn *c = l->data;

        conns++;
        unpriv += !c->privileged;
        watches += c->watches->len;
        txns += c->txns->len;
        queued += c->out_bytes;
    }
    g_string_append_printf(g, "tree: %llu nodes, %llu bytes (%.2f MiB)\n",
                           (unsigned long long)nodes, (unsigned long long)bytes,
                           (double)bytes / (1024.0 * 1024.0));
    g_string_append_printf(g, "connections: %u (%u unprivileged), watches: %u, open "
                           "transactions: %u, queued output: %lu bytes\n",
                           conns, unpriv, watches, txns, queued);
    g_string_append_printf(g, "requests: %llu (errors %llu), watch events: %llu (dropped %llu), "
                           "bad clients: %llu\n",
                           (unsigned long long)s->stats.requests,
                           (unsigned long long)s->stats.errors,
                           (unsigned long long)s->stats.events,
                           (unsigned long long)s->stats.events_dropped,
                           (unsigned long long)s->stats.bad_clients);
    g_string_append_printf(g, "transactions: %llu committed, %llu conflicts (EAGAIN), "
                           "%llu aborted\n",
                           (unsigned long long)s->stats.txn_commits,
                           (unsigned long long)s->stats.txn_conflicts,
                           (unsigned long long)s->stats.txn_aborts);
    g_string_append(g, "refusals:");
    for (int q = 0; q < XSD_Q_COUNT; q++)
        g_string_append_printf(g, " %s %llu", xsd_quota_info[q].name,
                               (unsigned long long)s->stats.refused[q]);
    g_string_append_c(g, '\n');
    doms = g_list_sort(g_hash_table_get_keys(s->domains), cmp_domid);
    for (GList *l = doms; l; l = l->next)
        report_domain(g, s, xsd_domain_find(s, GPOINTER_TO_UINT(l->data)));
    g_list_free(doms);
    return g;
}

static int ctl_memreport(struct xsd_req *r, unsigned argc, const char *const *argv)
{
    GString *g = memreport(r->store);

    if (argc >= 1 && argv[0][0]) {
        if (r->store->no_file_output) {
            g_string_free(g, TRUE);
            return EACCES;
        }
        FILE *f = fopen(argv[0], "w");

        if (!f) {
            int err = errno;

            g_string_free(g, TRUE);
            return err == EACCES ? EACCES : EINVAL;
        }
        fputs(g->str, f);
        fclose(f);
        g_string_free(g, TRUE);
        xsd_reply_ok(r);
        return 0;
    }
    return reply_gstring(r, g);
}

static int ctl_print(struct xsd_req *r, unsigned argc, const char *const *argv)
{
    if (argc < 1)
        return EINVAL;
    xk_info("CONTROL print: %s", argv[0]);
    xsd_reply_ok(r);
    return 0;
}

static bool parse_ulong(const char *s, unsigned long *v)
{
    char *end;

    if (!*s || *s == '-')
        return false;
    errno = 0;
    *v = strtoul(s, &end, 10);
    return !errno && !*end;
}

static int ctl_quota(struct xsd_req *r, unsigned argc, const char *const *argv)
{
    struct xsd_store *s = r->store;
    GString *g;
    unsigned long v;

    if (argc == 0) {
        g = g_string_new(NULL);
        for (int q = 0; q < XSD_Q_COUNT; q++)
            g_string_append_printf(g, "%-17s: %8lu %s\n", xsd_quota_info[q].name, s->quota[q],
                                   xsd_quota_info[q].descr);
        return reply_gstring(r, g);
    }
    if (strcmp(argv[0], "set") == 0) {
        int q;

        if (!r->conn->can_write)
            return EACCES;
        if (argc != 3 || (q = xsd_quota_by_name(argv[1])) < 0 || !parse_ulong(argv[2], &v))
            return EINVAL;
        s->quota[q] = v;
        xk_info("quota %s set to %lu", xsd_quota_info[q].name, v);
        xsd_reply_ok(r);
        return 0;
    }
    if (argc == 1 && parse_ulong(argv[0], &v) && v <= 0xffff) {
        struct xsd_domain *d = xsd_domain_find(s, (uint32_t)v);

        if (!d)
            return ENOENT;
        g = g_string_new(NULL);
        report_domain(g, s, d);
        return reply_gstring(r, g);
    }
    return EINVAL;
}

static int ctl_quota_soft(struct xsd_req *r, unsigned argc, const char *const *argv)
{
    struct xsd_store *s = r->store;
    unsigned long v;

    if (argc == 0) {
        GString *g = g_string_new(NULL);

        g_string_append_printf(g, "%-17s: %8lu %s (warning level)\n", "memory",
                               s->quota_soft_memory, xsd_quota_info[XSD_Q_MEMORY].descr);
        return reply_gstring(r, g);
    }
    if (argc == 3 && strcmp(argv[0], "set") == 0 && strcmp(argv[1], "memory") == 0 &&
        parse_ulong(argv[2], &v)) {
        if (!r->conn->can_write)
            return EACCES;
        s->quota_soft_memory = v;
        xsd_reply_ok(r);
        return 0;
    }
    return EINVAL;
}

static int ctl_as_domain(struct xsd_req *r, unsigned argc, const char *const *argv)
{
    struct xsd_conn *c = r->conn;
    unsigned long v;

    if (argc != 1 || !parse_ulong(argv[0], &v) || v == 0 || v > XSD_DOMID_MAX)
        return EINVAL;
    if (c->watches->len || c->txns->len)
        return EBUSY;
    xk_info("connection %u now speaks for domain %lu (unprivileged)", c->id, v);
    /* The reply goes out under the new identity, like everything after. */
    xsd_conn_set_domain(c, (uint32_t)v, false);
    xsd_reply_ok(r);
    return 0;
}

static int ctl_live_update(struct xsd_req *r, unsigned argc, const char *const *argv)
{
    struct xsd_store *s = r->store;
    bool force = false, start = false;

    for (unsigned i = 0; i < argc; i++) {
        if (strcmp(argv[i], "-f") == 0 && i + 1 < argc) {
            g_free(s->live_update_binary);
            s->live_update_binary = g_strdup(argv[++i]);
        } else if (strcmp(argv[i], "-c") == 0 && i + 1 < argc) {
            g_free(s->live_update_cmdline);
            s->live_update_cmdline = g_strdup(argv[++i]);
        } else if (strcmp(argv[i], "-t") == 0 && i + 1 < argc) {
            i++;                /* we do not wait: BUSY is immediate */
        } else if (strcmp(argv[i], "-F") == 0) {
            force = true;
        } else if (strcmp(argv[i], "-s") == 0) {
            start = true;
        } else if (strcmp(argv[i], "-a") == 0) {
            g_free(s->live_update_binary);
            g_free(s->live_update_cmdline);
            s->live_update_binary = s->live_update_cmdline = NULL;
            s->live_update_requested = false;
        } else {
            return EINVAL;
        }
    }
    if (start) {
        for (GList *l = s->conns.head; l && !force; l = l->next) {
            struct xsd_conn *c = l->data;

            if (c->txns->len) {
                xsd_reply_str(r, "BUSY");
                return 0;
            }
        }
        xk_info("live update requested%s", force ? " (forced)" : "");
        s->live_update_requested = true;
    }
    xsd_reply_str(r, "OK");
    return 0;
}

static const struct control_cmd control_cmds[] = {
    { "check", ctl_check, false, "check the tree and the accounting" },
    { "log", ctl_log, true, "on|off: trace every request" },
    { "logfile", ctl_logfile, true, "<file>: trace to <file>" },
    { "memreport", ctl_memreport, false, "[<file>]: memory, usage and refusals" },
    { "print", ctl_print, false, "<text>: write <text> to the log" },
    { "quota", ctl_quota, false, "[set <name> <value>|<domid>]: quotas, or a domain's usage" },
    { "quota-soft", ctl_quota_soft, false, "[set memory <value>]: the warning level" },
    { "as-domain", ctl_as_domain, false, "<domid>: this connection acts as <domid>" },
    { "live-update", ctl_live_update, true,
      "-f <binary>|-c <cmdline>|-s [-t <sec>] [-F]|-a: restart keeping all state" },
    { "help", ctl_help, false, "list the commands" },
    { NULL, NULL, false, NULL },
};

int xsd_do_control(struct xsd_req *r)
{
    const char *argv[XSD_MAX_ARGS];
    unsigned argc = r->argc > 0 ? r->argc - 1 : 0;

    for (unsigned i = 0; i < argc; i++)
        argv[i] = r->argv[i + 1];
    for (const struct control_cmd *c = control_cmds; c->name; c++) {
        if (strcmp(c->name, r->argv[0]) != 0)
            continue;
        if (c->mutates && !r->conn->can_write)
            return EACCES;
        return c->fn(r, argc, argv);
    }
    return EINVAL;
}
