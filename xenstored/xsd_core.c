/* The store: creation with the standard nodes, tracing, the consistency
 * check, statistics and domain life-cycle events. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "xsd.h"

static void domain_free(gpointer p)
{
    g_free(p);
}

static void watch_list_free(gpointer p)
{
    g_ptr_array_free(p, TRUE);
}

uint64_t xsd_store_next_gen(struct xsd_store *s)
{
    return ++s->gen;
}

static void standard_nodes(struct xsd_store *s)
{
    static const struct {
        const char *path;
        const char *value;
    } nodes[] = {
        { "/tool", NULL },
        { "/tool/xenstored", NULL },
        { "/local", NULL },
        { "/local/domain", NULL },
        { "/local/domain/0", NULL },
        { "/local/domain/0/name", "Domain-0" },
        { "/local/domain/0/domid", "0" },
        { "/vm", NULL },
    };

    for (unsigned i = 0; i < G_N_ELEMENTS(nodes); i++) {
        const char *v = nodes[i].value;

        if (xsd_store_write_node(s, nodes[i].path, v, v ? strlen(v) : 0, NULL, XSD_NO_GEN))
            g_error("cannot create %s", nodes[i].path);
    }
}

struct xsd_store *xsd_store_new(bool with_standard_nodes)
{
    struct xsd_store *s = g_new0(struct xsd_store, 1);
    struct xsd_perms *none = xsd_perms_new(1);   /* "n0" */

    s->domains = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, domain_free);
    g_queue_init(&s->conns);
    s->watch_index = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, watch_list_free);
    for (int q = 0; q < XSD_Q_COUNT; q++)
        s->quota[q] = xsd_quota_info[q].dflt;
    s->quota_soft_memory = 2 * 1024 * 1024;
    s->watch_event_timeout_ms = 20000;
    s->special[0].path = "@introduceDomain";
    s->special[0].perms = xsd_perms_ref(none);
    s->special[1].path = "@releaseDomain";
    s->special[1].perms = xsd_perms_ref(none);
    s->root = xsd_node_new("", 0, none, xsd_store_next_gen(s));
    xsd_domain_account(s, 0, XSD_Q_NODES, 1);
    xsd_domain_account(s, 0, XSD_Q_MEMORY, (long)xsd_node_size(s->root));
    xsd_perms_unref(none);
    if (with_standard_nodes)
        standard_nodes(s);
    return s;
}

void xsd_store_free(struct xsd_store *s)
{
    if (!s)
        return;
    while (s->conns.head)
        xsd_conn_free(s->conns.head->data);
    xsd_node_unref(s->root);
    for (unsigned i = 0; i < G_N_ELEMENTS(s->special); i++)
        xsd_perms_unref(s->special[i].perms);
    g_hash_table_destroy(s->watch_index);
    g_hash_table_destroy(s->domains);
    g_free(s->live_update_binary);
    g_free(s->live_update_cmdline);
    g_free(s);
}

void xsd_trace(struct xsd_store *s, const char *fmt, ...)
{
    va_list ap;
    struct timespec ts;
    struct tm tm;
    char stamp[32];

    if (!s->trace_on)
        return;
    va_start(ap, fmt);
    if (s->trace) {
        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
        fprintf(s->trace, "%s.%06ldZ ", stamp, ts.tv_nsec / 1000);
        vfprintf(s->trace, fmt, ap);
        fputc('\n', s->trace);
        fflush(s->trace);
    } else {
        xk_logv(XK_LOG_INFO, 0, fmt, ap);
    }
    va_end(ap);
}

void xsd_store_domain_shutdown(struct xsd_store *s, uint32_t domid)
{
    struct xsd_domain *d = xsd_domain_find(s, domid);

    if (!d || !d->introduced || d->shutdown)
        return;
    d->shutdown = true;
    xsd_watch_fire_special(s, "@releaseDomain", domid);
}

void xsd_store_refire_watches(struct xsd_store *s)
{
    for (GList *l = s->conns.head; l; l = l->next) {
        struct xsd_conn *c = l->data;

        for (guint i = 0; i < c->watches->len; i++)
            xsd_watch_fire_initial(g_ptr_array_index(c->watches, i));
    }
}

/* ------------------------------------------------------------------ */
/* Consistency check */

struct check {
    GString *problems;
    GHashTable *nodes;         /* domid -> count */
    GHashTable *memory;        /* domid -> bytes */
    uint64_t count;
    uint64_t bytes;
};

static void add_to(GHashTable *h, uint32_t domid, unsigned long v)
{
    gpointer old = g_hash_table_lookup(h, GUINT_TO_POINTER(domid));

    g_hash_table_insert(h, GUINT_TO_POINTER(domid),
                        GSIZE_TO_POINTER(GPOINTER_TO_SIZE(old) + v));
}

static bool check_node(const struct xsd_node *n, const char *path, const struct xsd_node *parent,
                       void *opaque)
{
    struct check *c = opaque;
    uint32_t childlen = 0;

    c->count++;
    for (uint32_t i = 0; i < n->nchildren; i++) {
        const struct xsd_node *ch = n->children[i];
        uint32_t slot;

        childlen += ch->namelen + 1;
        if (xsd_node_child(n, ch->name, ch->namelen, &slot) != ch || slot != i)
            g_string_append_printf(c->problems, "%s: child %s not found by name\n", path,
                                   ch->name);
        if (ch->refs == 0)
            g_string_append_printf(c->problems, "%s: child %s has no references\n", path,
                                   ch->name);
    }
    if (childlen != n->childlen)
        g_string_append_printf(c->problems, "%s: child list length %u, counted %u\n", path,
                               n->childlen, childlen);
    if (!n->perms || n->perms->num == 0)
        g_string_append_printf(c->problems, "%s: no permissions\n", path);
    add_to(c->nodes, n->perms->p[0].id, 1);
    add_to(c->memory, n->perms->p[0].id, xsd_node_size(n));
    return true;
}

char *xsd_store_check(struct xsd_store *s)
{
    struct check c = { .problems = g_string_new(NULL) };
    GHashTableIter it;
    gpointer key, value;

    c.nodes = g_hash_table_new(g_direct_hash, g_direct_equal);
    c.memory = g_hash_table_new(g_direct_hash, g_direct_equal);
    xsd_tree_visit(s->root, "/", check_node, &c);
    /* Watches and queued output also count as memory. */
    for (GList *l = s->conns.head; l; l = l->next) {
        struct xsd_conn *conn = l->data;

        for (guint i = 0; i < conn->watches->len; i++) {
            struct xsd_watch *w = g_ptr_array_index(conn->watches, i);

            add_to(c.memory, conn->domid, strlen(w->path) + strlen(w->token));
        }
        add_to(c.memory, conn->domid, conn->out_bytes);
    }
    g_hash_table_iter_init(&it, s->domains);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        struct xsd_domain *d = value;
        unsigned long nodes = GPOINTER_TO_SIZE(g_hash_table_lookup(c.nodes, key));
        unsigned long mem = GPOINTER_TO_SIZE(g_hash_table_lookup(c.memory, key));

        if (d->use[XSD_Q_NODES] != nodes) {
            g_string_append_printf(c.problems, "domain %u: %lu nodes accounted, %lu found "
                                   "(fixed)\n", d->domid, d->use[XSD_Q_NODES], nodes);
            d->use[XSD_Q_NODES] = nodes;
        }
        if (d->use[XSD_Q_MEMORY] != mem) {
            g_string_append_printf(c.problems, "domain %u: %lu bytes accounted, %lu found "
                                   "(fixed)\n", d->domid, d->use[XSD_Q_MEMORY], mem);
            d->use[XSD_Q_MEMORY] = mem;
        }
    }
    g_hash_table_iter_init(&it, c.nodes);
    while (g_hash_table_iter_next(&it, &key, &value))
        if (!xsd_domain_find(s, GPOINTER_TO_UINT(key))) {
            g_string_append_printf(c.problems, "domain %u owns %zu nodes but is unknown "
                                   "(fixed)\n", GPOINTER_TO_UINT(key), GPOINTER_TO_SIZE(value));
            xsd_domain_account(s, GPOINTER_TO_UINT(key), XSD_Q_NODES, (long)GPOINTER_TO_SIZE(value));
            xsd_domain_account(s, GPOINTER_TO_UINT(key), XSD_Q_MEMORY,
                               (long)GPOINTER_TO_SIZE(g_hash_table_lookup(c.memory, key)));
        }
    g_hash_table_destroy(c.nodes);
    g_hash_table_destroy(c.memory);
    if (c.problems->len == 0) {
        g_string_free(c.problems, TRUE);
        return NULL;
    }
    return g_string_free(c.problems, FALSE);
}

struct tree_stats {
    uint64_t nodes;
    uint64_t bytes;
    GHashTable *seen_perms;
};

static bool stat_node(const struct xsd_node *n, const char *path, const struct xsd_node *parent,
                      void *opaque)
{
    struct tree_stats *t = opaque;
    /* Each heap block also costs malloc's header (16 bytes on glibc). */
    t->nodes++;
    t->bytes += sizeof(*n) + n->namelen + 1 + 16;
    if (n->vlen)
        t->bytes += n->vlen + 16;
    if (n->cap)
        t->bytes += (uint64_t)n->cap * sizeof(n->children[0]) + 16;
    if (n->index_cap)
        t->bytes += (uint64_t)n->index_cap * sizeof(uint32_t) + 16;
    if (g_hash_table_add(t->seen_perms, n->perms))
        t->bytes += sizeof(*n->perms) + n->perms->num * sizeof(n->perms->p[0]) + 16;
    return true;
}

void xsd_store_tree_stats(const struct xsd_store *s, uint64_t *nodes, uint64_t *bytes)
{
    struct tree_stats t = { 0 };

    t.seen_perms = g_hash_table_new(g_direct_hash, g_direct_equal);
    xsd_tree_visit(s->root, "/", stat_node, &t);
    g_hash_table_destroy(t.seen_perms);
    *nodes = t.nodes;
    *bytes = t.bytes;
}
