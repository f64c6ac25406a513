/* Transactions: the conflict matrix (what the transaction did to a node,
 * against what someone else did meanwhile), snapshot isolation, and the
 * merge of a commit with unrelated concurrent changes.
 *
 * Rule under test (C xenstored's): a commit fails with EAGAIN iff a node
 * the transaction read or wrote (or whose absence it saw) changed since
 * the transaction started; a node changes when its value, permissions or
 * list of children change. */
#include "config.h"

#include <string.h>

#include "log.h"
#include "xs-harness.h"

enum { C0, C1, C2 };

static const struct t_conn_spec conns[] = {
    [C0] = { 0, XSD_CONN_PRIVILEGED },   /* sets up and checks */
    [C1] = { 0, XSD_CONN_PRIVILEGED },   /* runs the transaction */
    [C2] = { 0, XSD_CONN_PRIVILEGED },   /* changes things meanwhile */
};

struct row {
    const char *name;
    struct t_step action;      /* conn C1, slot 1 */
    struct t_step effect;      /* checked after a successful commit */
};

struct column {
    const char *name;
    struct t_step steps[4];    /* by C2 */
    struct t_step effect;      /* holds after the first commit attempt */
};

static const struct row rows[] = {
    { "read", { C1, XS_READ, 1, { "/m/x" }, "0" }, { 0, T_END } },
    { "write", { C1, XS_WRITE, 1, { "/m/x", "1" }, "OK|" }, { C0, XS_READ, 0, { "/m/x" }, "1" } },
    { "directory", { C1, XS_DIRECTORY, 1, { "/m/x" }, "k|" }, { 0, T_END } },
    { "get-perms", { C1, XS_GET_PERMS, 1, { "/m/x" }, "n0|" }, { 0, T_END } },
    { "set-perms", { C1, XS_SET_PERMS, 1, { "/m/x", "n0", "r7" }, "OK|" }, { 0, T_END } },
    { "rm", { C1, XS_RM, 1, { "/m/x" }, "OK|" }, { C0, XS_READ, 0, { "/m/x" }, "E:ENOENT" } },
    { "make-child", { C1, XS_WRITE, 1, { "/m/x/new", "1" }, "OK|" },
      { C0, XS_READ, 0, { "/m/x/new" }, "1" } },
    { "read-absent", { C1, XS_READ, 1, { "/m/absent" }, "E:ENOENT" }, { 0, T_END } },
    { "read-other", { C1, XS_READ, 1, { "/m/y" }, "0" }, { 0, T_END } },
};

static const struct column columns[] = {
    { "nothing", { { 0, T_END } }, { 0, T_END } },
    { "write-x", { { C2, XS_WRITE, 0, { "/m/x", "2" }, "OK|" }, { 0, T_END } },
      { C0, XS_READ, 0, { "/m/x" }, "2" } },
    { "write-y", { { C2, XS_WRITE, 0, { "/m/y", "2" }, "OK|" }, { 0, T_END } },
      { C0, XS_READ, 0, { "/m/y" }, "2" } },
    { "rm-x", { { C2, XS_RM, 0, { "/m/x" }, "OK|" }, { 0, T_END } },
      { C0, XS_READ, 0, { "/m/x" }, "E:ENOENT" } },
    { "perms-x", { { C2, XS_SET_PERMS, 0, { "/m/x", "n0", "r1" }, "OK|" }, { 0, T_END } },
      { C0, XS_GET_PERMS, 0, { "/m/x" }, "n0|r1|" } },
    { "child-of-x", { { C2, XS_WRITE, 0, { "/m/x/c", "1" }, "OK|" }, { 0, T_END } },
      { C0, XS_READ, 0, { "/m/x/c" }, "1" } },
    { "write-x-child", { { C2, XS_WRITE, 0, { "/m/x/k", "2" }, "OK|" }, { 0, T_END } },
      { C0, XS_READ, 0, { "/m/x/k" }, "2" } },
    { "create-absent", { { C2, XS_WRITE, 0, { "/m/absent", "2" }, "OK|" }, { 0, T_END } },
      { C0, XS_READ, 0, { "/m/absent" }, "2" } },
    { "txn-write-x", {
        { C2, XS_TRANSACTION_START, 2, { "" }, "=" },
        { C2, XS_WRITE, 2, { "/m/x", "3" }, "OK|" },
        { C2, XS_TRANSACTION_END, 2, { "T" }, "OK|" },
        { 0, T_END } },
      { C0, XS_READ, 0, { "/m/x" }, "3" } },
};

/* 'A': the commit fails with EAGAIN; '-': it succeeds. */
static const char *const matrix[G_N_ELEMENTS(rows)] = {
    /*              nothing write-x write-y rm-x perms-x child-of-x write-x-child create-absent txn-write-x */
    [0] = "-A-AAA--A",     /* read */
    [1] = "-A-AAA--A",     /* write */
    [2] = "-A-AAA--A",     /* directory */
    [3] = "-A-AAA--A",     /* get-perms */
    [4] = "-A-AAA--A",     /* set-perms */
    [5] = "-A-AAAAAA",     /* rm: also x's children and the parent's list */
    [6] = "-A-AAA--A",     /* make-child */
    [7] = "---A---A-",     /* read-absent: the parent's list */
    [8] = "--A------",     /* read-other */
};

static const struct t_step setup[] = {
    { C0, XS_WRITE, 0, { "/m/x", "0" }, "OK|" },
    { C0, XS_WRITE, 0, { "/m/x/k", "0" }, "OK|" },
    { C0, XS_WRITE, 0, { "/m/y", "0" }, "OK|" },
    { C1, XS_TRANSACTION_START, 1, { "" }, "=" },
    { 0, T_END },
};

static void run_one(const struct t_step *step, struct t_env *e, const char *where)
{
    struct t_step list[2] = { *step, { 0, T_END } };

    if (step->type != T_END)
        t_run(e, list, where);
}

static void test_matrix(void)
{
    for (unsigned r = 0; r < G_N_ELEMENTS(rows); r++) {
        for (unsigned c = 0; c < G_N_ELEMENTS(columns); c++) {
            g_autofree char *where = g_strdup_printf("%s/%s", rows[r].name, columns[c].name);
            bool conflict = matrix[r][c] == 'A';
            struct t_step end = { C1, XS_TRANSACTION_END, 1, { "T" },
                                  conflict ? "E:EAGAIN" : "OK|" };
            struct t_env e;

            t_env_init(&e, conns, G_N_ELEMENTS(conns), true);
            t_run(&e, setup, where);
            run_one(&rows[r].action, &e, where);
            t_run(&e, columns[c].steps, where);
            run_one(&end, &e, where);
            if (!conflict)
                run_one(&rows[r].effect, &e, where);
            /* What the other one did is there either way. */
            run_one(&columns[c].effect, &e, where);
            if (conflict) {
                /* And the usual retry loop gets through. */
                struct t_step retry[] = {
                    { C1, XS_TRANSACTION_START, 1, { "" }, "=" },
                    rows[r].action,
                    { C1, XS_TRANSACTION_END, 1, { "T" }, "OK|" },
                    { 0, T_END },
                };

                retry[1].expect = "*";
                t_run(&e, retry, where);
                run_one(&rows[r].effect, &e, where);
            }
            {
                g_autofree char *problems = xsd_store_check(e.s);

                if (problems)
                    g_error("%s: %s", where, problems);
            }
            t_env_free(&e);
        }
    }
}

/* The transaction reads its snapshot, not the live tree. */
static const struct t_step isolation[] = {
    { C0, XS_WRITE, 0, { "/s/a", "old" }, "OK|" },
    { C1, XS_TRANSACTION_START, 1, { "" }, "=" },
    { C2, XS_WRITE, 0, { "/s/a", "new" }, "OK|" },
    { C2, XS_WRITE, 0, { "/s/b", "new" }, "OK|" },
    { C1, XS_READ, 1, { "/s/a" }, "old" },
    { C1, XS_DIRECTORY, 1, { "/s" }, "a|" },
    { C1, XS_READ, 1, { "/s/b" }, "E:ENOENT" },
    /* Its own writes: visible inside, invisible outside. */
    { C1, XS_WRITE, 1, { "/s/c", "mine" }, "OK|" },
    { C1, XS_READ, 1, { "/s/c" }, "mine" },
    { C0, XS_READ, 0, { "/s/c" }, "E:ENOENT" },
    { C1, XS_TRANSACTION_END, 1, { "T" }, "E:EAGAIN" },
    { C0, XS_READ, 0, { "/s/c" }, "E:ENOENT" },
    /* Abort discards. */
    { C1, XS_TRANSACTION_START, 1, { "" }, "=" },
    { C1, XS_WRITE, 1, { "/s/d", "1" }, "OK|" },
    { C1, XS_TRANSACTION_END, 1, { "F" }, "OK|" },
    { C0, XS_READ, 0, { "/s/d" }, "E:ENOENT" },
    /* Errors. */
    { C1, XS_TRANSACTION_END, 0, { "T" }, "E:ENOENT" },       /* no transaction */
    { C1, XS_TRANSACTION_START, 1, { "" }, "=" },
    { C1, XS_TRANSACTION_END, 1, { "X" }, "E:EINVAL" },
    { C1, XS_TRANSACTION_START, 1, { "" }, "E:EBUSY" },       /* no nesting */
    { C2, XS_READ, 1, { "/s/a" }, "E:ENOENT" },               /* ids are per connection */
    { C1, XS_TRANSACTION_END, 1, { "T" }, "OK|" },            /* read only: fine */
    { C1, XS_READ, 1, { "/s/a" }, "E:ENOENT" },               /* ended: id gone */
    { C0, T_CHECK },
    { 0, T_END },
};

static void test_isolation(void)
{
    t_run_table(conns, G_N_ELEMENTS(conns), isolation, "isolation");
}

/* A commit changes only what the transaction changed: a subtree it
 * created, removed or re-created, permissions; everything else others
 * did meanwhile stays, even below a node the transaction changed. */
static const struct t_step merge[] = {
    { C0, XS_WRITE, 0, { "/g/p/keep", "0" }, "OK|" },
    { C0, XS_WRITE, 0, { "/g/q/old/deep", "0" }, "OK|" },
    { C0, XS_MKDIR, 0, { "/g/r" }, "OK|" },
    { C1, XS_TRANSACTION_START, 1, { "" }, "=" },
    { C1, XS_WRITE, 1, { "/g/p", "tx" }, "OK|" },
    { C1, XS_WRITE, 1, { "/g/p/made/a/b", "tx" }, "OK|" },
    { C1, XS_RM, 1, { "/g/q/old" }, "OK|" },
    { C1, XS_WRITE, 1, { "/g/q/old/again", "tx" }, "OK|" },
    { C1, XS_SET_PERMS, 1, { "/g/p/made", "n0", "r3" }, "OK|" },
    { C2, XS_WRITE, 0, { "/g/p/keep", "other" }, "OK|" },     /* below a changed node */
    { C2, XS_WRITE, 0, { "/g/r/other", "other" }, "OK|" },
    { C1, XS_TRANSACTION_END, 1, { "T" }, "OK|" },
    { C0, XS_READ, 0, { "/g/p" }, "tx" },
    { C0, XS_READ, 0, { "/g/p/keep" }, "other" },
    { C0, XS_DIRECTORY, 0, { "/g/p" }, "keep|made|" },
    { C0, XS_READ, 0, { "/g/p/made/a/b" }, "tx" },
    { C0, XS_GET_PERMS, 0, { "/g/p/made" }, "n0|r3|" },
    { C0, XS_GET_PERMS, 0, { "/g/p/made/a" }, "n0|" },
    { C0, XS_DIRECTORY, 0, { "/g/q/old" }, "again|" },
    { C0, XS_READ, 0, { "/g/q/old/deep" }, "E:ENOENT" },
    { C0, XS_READ, 0, { "/g/r/other" }, "other" },
    { C0, T_CHECK },
    /* Many transactions on disjoint nodes all commit: nothing serialises
     * them. */
    { C0, XS_MKDIR, 0, { "/d/1" }, "OK|" },
    { C0, XS_MKDIR, 0, { "/d/2" }, "OK|" },
    { C0, XS_MKDIR, 0, { "/d/3" }, "OK|" },
    { C0, XS_TRANSACTION_START, 1, { "" }, "=" },
    { C1, XS_TRANSACTION_START, 2, { "" }, "=" },
    { C2, XS_TRANSACTION_START, 3, { "" }, "=" },
    { C0, XS_WRITE, 1, { "/d/1/x", "1" }, "OK|" },
    { C1, XS_WRITE, 2, { "/d/2/x", "2" }, "OK|" },
    { C2, XS_WRITE, 3, { "/d/3/x", "3" }, "OK|" },
    { C2, XS_TRANSACTION_END, 3, { "T" }, "OK|" },
    { C0, XS_TRANSACTION_END, 1, { "T" }, "OK|" },
    { C1, XS_TRANSACTION_END, 2, { "T" }, "OK|" },
    { C0, XS_READ, 0, { "/d/1/x" }, "1" },
    { C0, XS_READ, 0, { "/d/2/x" }, "2" },
    { C0, XS_READ, 0, { "/d/3/x" }, "3" },
    /* ... but two that add children to one directory conflict (Xen). */
    { C0, XS_TRANSACTION_START, 1, { "" }, "=" },
    { C1, XS_TRANSACTION_START, 2, { "" }, "=" },
    { C0, XS_WRITE, 1, { "/d/1/y", "1" }, "OK|" },
    { C1, XS_WRITE, 2, { "/d/1/z", "2" }, "OK|" },
    { C0, XS_TRANSACTION_END, 1, { "T" }, "OK|" },
    { C1, XS_TRANSACTION_END, 2, { "T" }, "E:EAGAIN" },
    { C0, T_CHECK },
    { 0, T_END },
};

static void test_merge(void)
{
    t_run_table(conns, G_N_ELEMENTS(conns), merge, "merge");
}

/* Watch events of a transaction come at its commit, once per node. */
static const struct t_step events[] = {
    { C0, XS_WATCH, 0, { "/e", "tok" }, "OK|" },
    { C0, T_EVENT, 0, { "/e", "tok" } },
    { C1, XS_TRANSACTION_START, 1, { "" }, "=" },
    { C1, XS_WRITE, 1, { "/e/a", "1" }, "OK|" },
    { C1, XS_WRITE, 1, { "/e/a", "2" }, "OK|" },
    { C1, XS_WRITE, 1, { "/e/b", "1" }, "OK|" },
    { C0, T_NO_EVENT },
    { C1, XS_TRANSACTION_END, 1, { "T" }, "OK|" },
    { C0, T_EVENT, 0, { "/e/a", "tok" } },
    { C0, T_EVENT, 0, { "/e/b", "tok" } },
    { C0, T_NO_EVENT },
    /* Nothing for an aborted or failed one. */
    { C1, XS_TRANSACTION_START, 1, { "" }, "=" },
    { C1, XS_WRITE, 1, { "/e/c", "1" }, "OK|" },
    { C1, XS_TRANSACTION_END, 1, { "F" }, "OK|" },
    { C1, XS_TRANSACTION_START, 1, { "" }, "=" },
    { C1, XS_READ, 1, { "/e/a" }, "2" },
    { C1, XS_WRITE, 1, { "/e/d", "1" }, "OK|" },
    { C2, XS_WRITE, 0, { "/e/a", "3" }, "OK|" },
    { C0, T_EVENT, 0, { "/e/a", "tok" } },
    { C1, XS_TRANSACTION_END, 1, { "T" }, "E:EAGAIN" },
    { C0, T_NO_EVENT },
    /* A removal in a transaction: children exact, the node itself. */
    { C0, XS_WATCH, 0, { "/e/b", "b" }, "OK|" },
    { C0, T_EVENT, 0, { "/e/b", "b" } },
    { C1, XS_TRANSACTION_START, 1, { "" }, "=" },
    { C1, XS_RM, 1, { "/e" }, "OK|" },
    { C1, XS_TRANSACTION_END, 1, { "T" }, "OK|" },
    { C0, T_EVENT, 0, { "/e/b", "b" } },
    { C0, T_EVENT, 0, { "/e", "tok" } },
    { C0, T_NO_EVENT },
    { 0, T_END },
};

static void test_events(void)
{
    t_run_table(conns, G_N_ELEMENTS(conns), events, "events");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    xk_log_set_level(XK_LOG_ERROR);
    g_test_add_func("/xenstore/txn/conflict-matrix", test_matrix);
    g_test_add_func("/xenstore/txn/isolation", test_isolation);
    g_test_add_func("/xenstore/txn/merge", test_merge);
    g_test_add_func("/xenstore/txn/events", test_events);
    return g_test_run();
}
