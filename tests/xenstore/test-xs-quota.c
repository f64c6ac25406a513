/* Quotas and accounting: each quota refuses with Xen's errno once the
 * limit is reached, the refusal is counted per domain, usage goes back
 * down when things are removed, privileged callers are never limited,
 * and the accounting always matches the tree (CONTROL check). */
#include "config.h"

#include <string.h>

#include "log.h"
#include "xs-harness.h"

enum { C0, C5, C5B };

static const struct t_conn_spec conns[] = {
    [C0] = { 0, XSD_CONN_PRIVILEGED },
    [C5] = { 5, 0 },
    [C5B] = { 5, 0 },          /* a second connection of the same domain */
};

#define V150 "0123456789012345678901234567890123456789012345678901234567890123456789" \
             "0123456789012345678901234567890123456789012345678901234567890123456789" \
             "0123456789"

static const struct t_step nodes[] = {
    { C0, XS_MKDIR, 0, { "/local/domain/5" }, "OK|" },
    { C0, XS_SET_PERMS, 0, { "/local/domain/5", "n5" }, "OK|" },
    { C0, T_USE, 0, { "5", "nodes" }, "1" },
    { C0, T_QUOTA, 0, { "nodes", "3" } },
    { C5, XS_WRITE, 0, { "a", "1" }, "OK|" },
    { C5, XS_WRITE, 0, { "b", "1" }, "OK|" },
    { C0, T_USE, 0, { "5", "nodes" }, "3" },
    { C5, XS_WRITE, 0, { "c", "1" }, "E:ENOSPC" },
    { C5B, XS_MKDIR, 0, { "c" }, "E:ENOSPC" },          /* per domain, not connection */
    { C0, T_REFUSED, 0, { "5", "nodes" }, "2" },
    { C5, XS_WRITE, 0, { "a", "changed" }, "OK|" },      /* no new node: fine */
    { C5, XS_RM, 0, { "b" }, "OK|" },
    { C0, T_USE, 0, { "5", "nodes" }, "2" },
    { C5, XS_WRITE, 0, { "c", "1" }, "OK|" },
    { C5, XS_RM, 0, { "c" }, "OK|" },
    { C5, XS_WRITE, 0, { "d/e/f", "1" }, "E:ENOSPC" },   /* three at once */
    { C0, XS_READ, 0, { "/local/domain/5/d" }, "E:ENOENT" }, /* nothing half-made */
    /* Domain 0 is not limited, even when it creates the domain's nodes. */
    { C0, XS_WRITE, 0, { "/local/domain/5/x/y/z", "1" }, "OK|" },
    { C0, T_USE, 0, { "5", "nodes" }, "5" },
    { C0, T_REFUSED, 0, { "5", "nodes" }, "3" },
    { C0, T_CHECK },
    { C0, T_QUOTA, 0, { "nodes", "0" } },                /* 0: no limit */
    { C5, XS_WRITE, 0, { "g", "1" }, "OK|" },
    { C0, T_CHECK },
    { 0, T_END },
};

static const struct t_step sizes[] = {
    { C0, XS_MKDIR, 0, { "/local/domain/5" }, "OK|" },
    { C0, XS_SET_PERMS, 0, { "/local/domain/5", "n5" }, "OK|" },
    { C0, T_QUOTA, 0, { "node-size", "100" } },
    { C5, XS_WRITE, 0, { "small", "1" }, "OK|" },
    { C5, XS_WRITE, 0, { "big", V150 }, "E:ENOSPC" },
    { C5, XS_WRITE, 0, { "small", V150 }, "E:ENOSPC" },
    { C0, XS_READ, 0, { "/local/domain/5/small" }, "1" },
    { C0, XS_WRITE, 0, { "/local/domain/5/small", V150 }, "OK|" },
    { C5, XS_SET_PERMS, 0, { "small", "n5", "r1" }, "E:ENOSPC" }, /* grows it */
    { C0, T_REFUSED, 0, { "5", "node-size" }, "3" },
    { C0, T_QUOTA, 0, { "node-size", "0" } },
    /* Permission entries per node. */
    { C0, T_QUOTA, 0, { "node-permissions", "2" } },
    { C5, XS_SET_PERMS, 0, { "small", "n5", "r1" }, "OK|" },
    { C5, XS_SET_PERMS, 0, { "small", "n5", "r1", "r2" }, "E:ENOSPC" },
    { C0, XS_SET_PERMS, 0, { "/local/domain/5/small", "n5", "r1", "r2" }, "OK|" },
    /* Path length below the domain's home. */
    { C0, T_QUOTA, 0, { "path-max", "20" } },
    { C5, XS_WRITE, 0, { "0123456789/0123456789", "1" }, "E:EINVAL" },
    { C5, XS_WRITE, 0, { "0123456789/012345678", "1" }, "OK|" },
    { C0, T_REFUSED, 0, { "5", "path-max" }, "1" },
    /* Memory. */
    { C0, T_QUOTA, 0, { "memory", "400" } },
    { C5, XS_WRITE, 0, { "m", V150 V150 }, "E:ENOMEM" },
    { C0, T_REFUSED, 0, { "5", "memory" }, "1" },
    { C0, T_CHECK },
    { 0, T_END },
};

static const struct t_step watches[] = {
    { C0, T_QUOTA, 0, { "watches", "2" } },
    { C5, XS_WATCH, 0, { "/a", "t1" }, "OK|" },
    { C5B, XS_WATCH, 0, { "/b", "t2" }, "OK|" },
    { C5, XS_WATCH, 0, { "/c", "t3" }, "E:E2BIG" },
    { C0, T_USE, 0, { "5", "watches" }, "2" },
    { C0, T_REFUSED, 0, { "5", "watches" }, "1" },
    { C5, XS_UNWATCH, 0, { "/a", "t1" }, "OK|" },
    { C5, XS_WATCH, 0, { "/c", "t3" }, "OK|" },
    { C5B, XS_RESET_WATCHES, 0, { "" }, "OK|" },
    { C0, T_USE, 0, { "5", "watches" }, "1" },
    { C0, XS_WATCH, 0, { "/a", "t1" }, "OK|" },            /* dom0: no limit */
    { C0, XS_WATCH, 0, { "/b", "t1" }, "OK|" },
    { C0, XS_WATCH, 0, { "/c", "t1" }, "OK|" },
    { C0, T_CHECK },
    { 0, T_END },
};

static const struct t_step transactions[] = {
    { C0, T_QUOTA, 0, { "transactions", "2" } },
    { C5, XS_TRANSACTION_START, 1, { "" }, "=" },
    { C5B, XS_TRANSACTION_START, 2, { "" }, "=" },
    { C5, XS_TRANSACTION_START, 0, { "" }, "E:ENOSPC" },
    { C0, T_USE, 0, { "5", "transactions" }, "2" },
    { C5, XS_TRANSACTION_END, 1, { "F" }, "OK|" },
    { C5, XS_TRANSACTION_START, 3, { "" }, "=" },
    { C5, XS_TRANSACTION_END, 3, { "F" }, "OK|" },
    { C5B, XS_TRANSACTION_END, 2, { "F" }, "OK|" },
    { C0, T_USE, 0, { "5", "transactions" }, "0" },
    /* Nodes accessed by one transaction. */
    { C0, XS_WRITE, 0, { "/t/a", "1" }, "OK|" },
    { C0, XS_WRITE, 0, { "/t/b", "1" }, "OK|" },
    { C0, XS_SET_PERMS, 0, { "/t", "r0" }, "OK|" },
    { C0, XS_SET_PERMS, 0, { "/t/a", "r0" }, "OK|" },
    { C0, XS_SET_PERMS, 0, { "/t/b", "r0" }, "OK|" },
    { C0, T_QUOTA, 0, { "transaction-nodes", "2" } },
    { C5, XS_TRANSACTION_START, 1, { "" }, "=" },
    { C5, XS_READ, 1, { "/t/a" }, "1" },
    { C5, XS_READ, 1, { "/t/a" }, "1" },                   /* same node: counted once */
    { C5, XS_READ, 1, { "/t/b" }, "1" },
    { C5, XS_READ, 1, { "/t" }, "E:ENOSPC" },
    { C5, XS_TRANSACTION_END, 1, { "T" }, "E:ENOSPC" },     /* and it cannot commit */
    { C0, T_REFUSED, 0, { "5", "transaction-nodes" }, "1" },
    { C0, T_USE, 0, { "5", "transactions" }, "0" },
    { C0, T_CHECK },
    { 0, T_END },
};

static void test_nodes(void)
{
    t_run_table(conns, G_N_ELEMENTS(conns), nodes, "nodes");
}

static void test_sizes(void)
{
    t_run_table(conns, G_N_ELEMENTS(conns), sizes, "sizes");
}

static void test_watches(void)
{
    t_run_table(conns, G_N_ELEMENTS(conns), watches, "watches");
}

static void test_transactions(void)
{
    t_run_table(conns, G_N_ELEMENTS(conns), transactions, "transactions");
}

/* Nodes created in a transaction count when it commits, and the quota is
 * checked against what the domain has then. */
static const struct t_step txn_nodes[] = {
    { C0, XS_MKDIR, 0, { "/local/domain/5" }, "OK|" },
    { C0, XS_SET_PERMS, 0, { "/local/domain/5", "n5" }, "OK|" },
    { C0, T_QUOTA, 0, { "nodes", "4" } },
    { C5, XS_TRANSACTION_START, 1, { "" }, "=" },
    { C5, XS_WRITE, 1, { "a", "1" }, "OK|" },
    { C5, XS_WRITE, 1, { "b", "1" }, "OK|" },
    { C0, T_USE, 0, { "5", "nodes" }, "1" },
    { C5B, XS_WRITE, 0, { "c", "1" }, "OK|" },
    { C5B, XS_WRITE, 0, { "d", "1" }, "OK|" },
    { C5, XS_TRANSACTION_END, 1, { "T" }, "E:ENOSPC" },
    { C0, T_USE, 0, { "5", "nodes" }, "3" },
    { C5, XS_TRANSACTION_START, 1, { "" }, "=" },
    { C5, XS_WRITE, 1, { "a", "1" }, "OK|" },
    { C5, XS_TRANSACTION_END, 1, { "T" }, "OK|" },
    { C0, T_USE, 0, { "5", "nodes" }, "4" },
    { C5, XS_TRANSACTION_START, 1, { "" }, "=" },
    { C5, XS_RM, 1, { "a" }, "OK|" },
    { C5, XS_RM, 1, { "c" }, "OK|" },
    { C5, XS_TRANSACTION_END, 1, { "T" }, "OK|" },
    { C0, T_USE, 0, { "5", "nodes" }, "2" },
    { C0, T_CHECK },
    { 0, T_END },
};

static void test_txn_nodes(void)
{
    t_run_table(conns, G_N_ELEMENTS(conns), txn_nodes, "txn-nodes");
}

/* CONTROL shows quotas, a domain's usage and its refusals. */
static void test_control_report(void)
{
    struct t_env e;
    uint32_t rtype;
    size_t rlen;
    char *reply;
    static const struct t_step setup[] = {
        { C0, T_QUOTA, 0, { "watches", "1" } },
        { C5, XS_WATCH, 0, { "/a", "t1" }, "OK|" },
        { C5, XS_WATCH, 0, { "/b", "t2" }, "E:E2BIG" },
        { C5, XS_WATCH, 0, { "/c", "t3" }, "E:E2BIG" },
        { 0, T_END },
    };

    t_env_init(&e, conns, G_N_ELEMENTS(conns), true);
    t_run(&e, setup, "report");
    reply = t_request(e.c[C0], XS_CONTROL, 0, "quota\0005", 8, &rtype, &rlen);
    g_assert_cmpuint(rtype, ==, XS_CONTROL);
    g_assert_nonnull(strstr(reply, "domain 5"));
    g_assert_nonnull(strstr(reply, "watches          :        1 (max        1, quota        1, "
                                   "refused 2)"));
    g_free(reply);
    reply = t_request(e.c[C0], XS_CONTROL, 0, "quota", 6, &rtype, &rlen);
    g_assert_nonnull(strstr(reply, "nodes            :     1000"));
    g_assert_nonnull(strstr(reply, "watches          :        1"));
    g_free(reply);
    reply = t_request(e.c[C0], XS_CONTROL, 0, "quota\0set\0nodes\0" "77", 19, &rtype, &rlen);
    g_assert_cmpstr(reply, ==, "OK");
    g_free(reply);
    g_assert_cmpuint(e.s->quota[XSD_Q_NODES], ==, 77);
    reply = t_request(e.c[C0], XS_CONTROL, 0, "quota\0set\0bogus\0" "1", 18, &rtype, &rlen);
    g_assert_cmpuint(rtype, ==, XS_ERROR);
    g_free(reply);
    reply = t_request(e.c[C0], XS_CONTROL, 0, "memreport", 10, &rtype, &rlen);
    g_assert_nonnull(strstr(reply, "refusals: nodes 0 watches 2"));
    g_assert_nonnull(strstr(reply, "tree: "));
    g_free(reply);
    reply = t_request(e.c[C0], XS_CONTROL, 0, "check", 6, &rtype, &rlen);
    g_assert_cmpstr(reply, ==, "OK");
    g_free(reply);
    reply = t_request(e.c[C0], XS_CONTROL, 0, "nonsense", 9, &rtype, &rlen);
    g_assert_cmpuint(rtype, ==, XS_ERROR);
    g_assert_cmpstr(reply, ==, "EINVAL");
    g_free(reply);
    t_env_free(&e);
}

/* CONTROL as-domain: a privileged connection turns into a domain's. */
static void test_as_domain(void)
{
    struct t_env e;
    uint32_t rtype;
    size_t rlen;
    char *reply;

    t_env_init(&e, conns, 1, true);
    reply = t_request(e.c[C0], XS_CONTROL, 0, "as-domain\0" "9", 12, &rtype, &rlen);
    g_assert_cmpstr(reply, ==, "OK");
    g_free(reply);
    g_assert_cmpuint(e.c[C0]->domid, ==, 9);
    g_assert_false(e.c[C0]->privileged);
    reply = t_request(e.c[C0], XS_READ, 0, "/local/domain/0/name", 21, &rtype, &rlen);
    g_assert_cmpstr(reply, ==, "EACCES");
    g_free(reply);
    reply = t_request(e.c[C0], XS_CONTROL, 0, "check", 6, &rtype, &rlen);
    g_assert_cmpstr(reply, ==, "EACCES");
    g_free(reply);
    g_assert_null(xsd_store_check(e.s));
    t_env_free(&e);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    xk_log_set_level(XK_LOG_ERROR);
    g_test_add_func("/xenstore/quota/nodes", test_nodes);
    g_test_add_func("/xenstore/quota/sizes", test_sizes);
    g_test_add_func("/xenstore/quota/watches", test_watches);
    g_test_add_func("/xenstore/quota/transactions", test_transactions);
    g_test_add_func("/xenstore/quota/txn-nodes", test_txn_nodes);
    g_test_add_func("/xenstore/quota/control-report", test_control_report);
    g_test_add_func("/xenstore/quota/as-domain", test_as_domain);
    return g_test_run();
}
