/* Watches: the matching rule as a table, then delivery: the initial
 * event, order, permissions, relative paths, depth, special events,
 * duplicates. */
#include "config.h"

#include <string.h>

#include "log.h"
#include "util.h"
#include "xs-harness.h"

static const struct {
    const char *wpath;
    int depth;
    uint32_t prefix;
    const char *path;
    bool exact;
    const char *want;          /* reported path, NULL: no match */
} match_table[] = {
    { "/a", -1, 0, "/a", false, "/a" },
    { "/a", -1, 0, "/a/b/c", false, "/a/b/c" },
    { "/a", -1, 0, "/ab", false, NULL },                 /* component boundary */
    { "/a", -1, 0, "/", false, NULL },                   /* parents do not match */
    { "/", -1, 0, "/x/y", false, "/x/y" },
    { "/", -1, 0, "/", false, "/" },
    { "/a/b", -1, 0, "/a", false, NULL },
    { "/a", 0, 0, "/a", false, "/a" },                   /* depth 0: the node only */
    { "/a", 0, 0, "/a/b", false, NULL },
    { "/a", 1, 0, "/a/b", false, "/a/b" },
    { "/a", 1, 0, "/a/b/c", false, NULL },
    { "/a", 2, 0, "/a/b/c", false, "/a/b/c" },
    { "/", 1, 0, "/x", false, "/x" },
    { "/", 1, 0, "/x/y", false, NULL },
    { "/a/b", -1, 0, "/a/b", true, "/a/b" },             /* exact: equal only */
    { "/a", -1, 0, "/a/b", true, NULL },
    { "/local/domain/5/data", -1, 16, "/local/domain/5/data/x", false, "data/x" },
    { "/local/domain/5/data", -1, 16, "/local/domain/5/data", false, "data" },
};

static void test_matching(void)
{
    for (unsigned i = 0; i < G_N_ELEMENTS(match_table); i++) {
        const char *ev = NULL;
        bool m = xsd_watch_matches(match_table[i].wpath, match_table[i].depth,
                                   match_table[i].prefix, match_table[i].path,
                                   match_table[i].exact, &ev);

        if (m != (match_table[i].want != NULL) || (m && strcmp(ev, match_table[i].want)))
            g_error("row %u: watch %s (depth %d) change %s%s: got %s, want %s", i,
                    match_table[i].wpath, match_table[i].depth, match_table[i].path,
                    match_table[i].exact ? " exact" : "", m ? ev : "no match",
                    match_table[i].want ? match_table[i].want : "no match");
    }
}

enum { C0, C1, C5, C6 };

static const struct t_conn_spec conns[] = {
    [C0] = { 0, XSD_CONN_PRIVILEGED },
    [C1] = { 0, XSD_CONN_PRIVILEGED },
    [C5] = { 5, 0 },
    [C6] = { 6, 0 },
};

static const struct t_step delivery[] = {
    { C1, XS_WATCH, 0, { "/w", "tok" }, "OK|" },
    { C1, T_EVENT, 0, { "/w", "tok" } },                 /* fired once at once */
    { C1, T_NO_EVENT },
    { C0, XS_WRITE, 0, { "/w/a", "1" }, "OK|" },
    { C1, T_EVENT, 0, { "/w/a", "tok" } },
    { C0, XS_WRITE, 0, { "/wx", "1" }, "OK|" },
    { C1, T_NO_EVENT },
    { C0, XS_MKDIR, 0, { "/w/a" }, "OK|" },              /* no change: no event */
    { C1, T_NO_EVENT },
    { C0, XS_SET_PERMS, 0, { "/w/a", "n0", "r5" }, "OK|" },
    { C1, T_EVENT, 0, { "/w/a", "tok" } },
    /* In order, and an identical pending event is not queued twice. */
    { C0, XS_WRITE, 0, { "/w/1", "1" }, "OK|" },
    { C0, XS_WRITE, 0, { "/w/2", "1" }, "OK|" },
    { C0, XS_WRITE, 0, { "/w/1", "2" }, "OK|" },
    { C0, XS_WRITE, 0, { "/w/3", "1" }, "OK|" },
    { C1, T_EVENT, 0, { "/w/1", "tok" } },
    { C1, T_EVENT, 0, { "/w/2", "tok" } },
    { C1, T_EVENT, 0, { "/w/3", "tok" } },
    { C1, T_NO_EVENT },
    /* Removal: the node to watches above it, children to exact watches. */
    { C1, XS_WATCH, 0, { "/w/a", "a" }, "OK|" },
    { C1, XS_WATCH, 0, { "/w/a/gone", "g" }, "OK|" },     /* never existed */
    { C1, T_DRAIN },
    { C0, XS_RM, 0, { "/w" }, "OK|" },
    { C1, T_EVENT, 0, { "/w/a", "a" } },
    { C1, T_EVENT, 0, { "/w", "tok" } },
    { C1, T_NO_EVENT },
    /* Errors. */
    { C1, XS_WATCH, 0, { "/w", "tok" }, "E:EEXIST" },
    { C1, XS_WATCH, 0, { "/w", "tok2" }, "OK|" },         /* same path, other token */
    { C1, XS_UNWATCH, 0, { "/w", "nope" }, "E:ENOENT" },
    { C1, XS_WATCH, 0, { "/bad//path", "t" }, "E:EINVAL" },
    { C1, XS_WATCH, 0, { "/w", "t", "x" }, "E:EINVAL" },  /* depth not a number */
    { C1, XS_WATCH, 0, { "/w" }, "E:EINVAL" },
    { C1, XS_UNWATCH, 0, { "/w", "tok2" }, "OK|" },
    { C1, XS_UNWATCH, 0, { "/w", "tok" }, "OK|" },
    { C1, T_DRAIN },
    { C0, XS_WRITE, 0, { "/w/b", "1" }, "OK|" },
    { C1, T_NO_EVENT },
    /* Depth. */
    { C1, XS_WATCH, 0, { "/d", "t0", "0" }, "OK|" },
    { C1, XS_WATCH, 0, { "/d", "t1", "1" }, "OK|" },
    { C1, T_DRAIN },
    { C0, XS_WRITE, 0, { "/d", "1" }, "OK|" },
    { C1, T_EVENT, 0, { "/d", "t0" } },
    { C1, T_EVENT, 0, { "/d", "t1" } },
    { C0, XS_WRITE, 0, { "/d/e", "1" }, "OK|" },
    { C1, T_EVENT, 0, { "/d/e", "t1" } },
    { C0, XS_WRITE, 0, { "/d/e/f", "1" }, "OK|" },
    { C1, T_NO_EVENT },
    /* RESET_WATCHES. */
    { C1, XS_RESET_WATCHES, 0, { "" }, "OK|" },
    { C0, XS_WRITE, 0, { "/d", "2" }, "OK|" },
    { C1, T_NO_EVENT },
    { 0, T_END },
};

static void test_delivery(void)
{
    t_run_table(conns, G_N_ELEMENTS(conns), delivery, "delivery");
}

static const struct t_step domains[] = {
    { C0, XS_MKDIR, 0, { "/local/domain/5" }, "OK|" },
    { C0, XS_SET_PERMS, 0, { "/local/domain/5", "n5" }, "OK|" },
    /* Relative watches report relative paths. */
    { C5, XS_WATCH, 0, { "data", "rel" }, "OK|" },
    { C5, T_EVENT, 0, { "data", "rel" } },
    { C0, XS_WRITE, 0, { "/local/domain/5/data/z", "1" }, "OK|" },
    { C5, T_EVENT, 0, { "data/z", "rel" } },
    { C5, XS_UNWATCH, 0, { "data", "rel" }, "OK|" },
    /* No event about a node the watcher may not read (nor its parent);
     * an event when its parent is readable; an event when a permission
     * change takes the right away. */
    { C5, XS_WATCH, 0, { "/secret", "s" }, "OK|" },
    { C5, T_EVENT, 0, { "/secret", "s" } },
    { C0, XS_WRITE, 0, { "/secret/x", "1" }, "OK|" },
    { C5, T_NO_EVENT },
    { C0, XS_SET_PERMS, 0, { "/secret", "n0", "r5" }, "OK|" },
    { C5, T_EVENT, 0, { "/secret", "s" } },
    { C0, XS_WRITE, 0, { "/secret/x", "2" }, "OK|" },    /* parent readable */
    { C5, T_EVENT, 0, { "/secret/x", "s" } },
    { C0, XS_WRITE, 0, { "/secret/x/y", "2" }, "OK|" },  /* neither */
    { C5, T_NO_EVENT },
    { C0, XS_SET_PERMS, 0, { "/secret/x", "n0", "r5" }, "OK|" },
    { C5, T_EVENT, 0, { "/secret/x", "s" } },
    { C0, XS_SET_PERMS, 0, { "/secret/x", "n0" }, "OK|" }, /* could read before */
    { C5, T_EVENT, 0, { "/secret/x", "s" } },
    { C5, XS_RESET_WATCHES, 0, { "" }, "OK|" },
    /* @introduceDomain / @releaseDomain. */
    { C0, XS_WATCH, 0, { "@introduceDomain", "i" }, "OK|" },
    { C0, T_EVENT, 0, { "@introduceDomain", "i" } },
    { C0, XS_WATCH, 0, { "@releaseDomain", "r" }, "OK|" },
    { C0, XS_WATCH, 0, { "@releaseDomain", "r1", "1" }, "OK|" },
    { C0, XS_WATCH, 0, { "@releaseDomain/8", "only8" }, "OK|" },
    { C0, T_DRAIN },
    { C6, XS_WATCH, 0, { "@introduceDomain", "i6" }, "OK|" },
    { C6, T_EVENT, 0, { "@introduceDomain", "i6" } },
    { C0, T_INTRODUCE, 0, { "7" }, "OK|" },
    { C0, T_EVENT, 0, { "@introduceDomain", "i" } },
    { C0, T_NO_EVENT },
    { C6, T_NO_EVENT },                                  /* not allowed */
    { C0, XS_SET_PERMS, 0, { "@introduceDomain", "n0", "r6" }, "OK|" },
    { C0, T_INTRODUCE, 0, { "8" }, "OK|" },
    { C0, T_EVENT, 0, { "@introduceDomain", "i" } },
    { C6, T_EVENT, 0, { "@introduceDomain", "i6" } },
    { C0, T_INTRODUCE, 0, { "8" }, "OK|" },               /* again: no event */
    { C0, T_NO_EVENT },
    { C0, XS_RELEASE, 0, { "7" }, "OK|" },
    { C0, T_EVENT, 0, { "@releaseDomain", "r" } },
    { C0, T_EVENT, 0, { "@releaseDomain/7", "r1" } },
    { C0, T_NO_EVENT },
    { C0, XS_RELEASE, 0, { "8" }, "OK|" },
    { C0, T_EVENT, 0, { "@releaseDomain", "r" } },
    { C0, T_EVENT, 0, { "@releaseDomain/8", "r1" } },
    { C0, T_EVENT, 0, { "@releaseDomain/8", "only8" } },
    { C0, T_NO_EVENT },
    { C0, T_CHECK },
    { 0, T_END },
};

static void test_domains(void)
{
    t_run_table(conns, G_N_ELEMENTS(conns), domains, "domains");
}

/* A domain shutting down fires @releaseDomain once until RESUME. */
static void test_shutdown(void)
{
    struct t_env e;
    static const struct t_step before[] = {
        { C0, T_INTRODUCE, 0, { "4" }, "OK|" },
        { C0, XS_WATCH, 0, { "@releaseDomain", "r" }, "OK|" },
        { C0, T_DRAIN },
        { 0, T_END },
    };
    static const struct t_step resume[] = {
        { C0, T_EVENT, 0, { "@releaseDomain", "r" } },
        { C0, T_NO_EVENT },
        { C0, XS_RESUME, 0, { "4" }, "OK|" },
        { 0, T_END },
    };
    char *ev;

    t_env_init(&e, conns, G_N_ELEMENTS(conns), true);
    t_run(&e, before, "shutdown");
    xsd_store_domain_shutdown(e.s, 4);
    xsd_store_domain_shutdown(e.s, 4);
    t_run(&e, resume, "shutdown");
    xsd_store_domain_shutdown(e.s, 4);
    ev = t_pop_event(e.c[C0]);
    g_assert_cmpstr(ev, ==, "@releaseDomain|r|");
    g_free(ev);
    t_env_free(&e);
}

/* Unread events of an unprivileged domain are dropped after the timeout;
 * privileged connections keep theirs. */
static void test_event_timeout(void)
{
    struct t_env e;
    static const struct t_step steps[] = {
        { C0, XS_SET_PERMS, 0, { "/", "r0" }, "OK|" },
        { C5, XS_WATCH, 0, { "/", "t" }, "OK|" },
        { C1, XS_WATCH, 0, { "/", "t" }, "OK|" },
        { C0, XS_WRITE, 0, { "/ev", "1" }, "OK|" },
        { 0, T_END },
    };

    t_env_init(&e, conns, G_N_ELEMENTS(conns), true);
    t_run(&e, steps, "timeout");
    g_assert_cmpuint(t_count_events(e.c[C5]), ==, 2);
    g_assert_cmpuint(xsd_conn_expire_events(e.c[C5], xk_now_ns() / 1000000, 20000), ==, 2);
    g_assert_cmpuint(xsd_conn_expire_events(e.c[C5], xk_now_ns() / 1000000 + 20001, 20000),
                     ==, 0);
    g_assert_cmpuint(t_count_events(e.c[C5]), ==, 0);
    g_assert_cmpuint(xsd_conn_expire_events(e.c[C1], UINT64_MAX / 2, 20000), ==, 0);
    g_assert_cmpuint(t_count_events(e.c[C1]), ==, 2);
    g_assert_null(xsd_store_check(e.s));
    t_env_free(&e);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    xk_log_set_level(XK_LOG_ERROR);
    g_test_add_func("/xenstore/watch/matching", test_matching);
    g_test_add_func("/xenstore/watch/delivery", test_delivery);
    g_test_add_func("/xenstore/watch/domains", test_domains);
    g_test_add_func("/xenstore/watch/shutdown", test_shutdown);
    g_test_add_func("/xenstore/watch/event-timeout", test_event_timeout);
    return g_test_run();
}
