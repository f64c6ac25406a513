/* Permissions: the access rule as a table, permission strings, and the
 * errors unprivileged domains get (Xen's: EACCES rather than ENOENT when
 * a domain may not learn whether a node exists, EPERM for a new owner). */
#include "config.h"

#include <string.h>

#include "log.h"
#include "xs-harness.h"

/* Access rule: owner and privileged get all; else the first ACL entry for
 * the domain (or its target) applies; else the owner's entry, which is
 * the default for everybody else; read-only sockets never write. */
static const struct {
    const char *perms;         /* space-separated */
    uint32_t domid, target;
    bool priv, can_write;
    uint32_t want;
} access_table[] = {
    { "n0", 0, XSD_DOMID_NONE, true, true, 0xb },
    { "n0", 0, XSD_DOMID_NONE, true, false, 0x9 },      /* read-only socket */
    { "n0", 5, XSD_DOMID_NONE, false, true, 0x0 },
    { "r0", 5, XSD_DOMID_NONE, false, true, 0x1 },      /* default for others */
    { "b0", 5, XSD_DOMID_NONE, false, false, 0x1 },
    { "n5", 5, XSD_DOMID_NONE, false, true, 0xb },      /* owner */
    { "n0 r5", 5, XSD_DOMID_NONE, false, true, 0x1 },
    { "n0 w5", 5, XSD_DOMID_NONE, false, true, 0x2 },
    { "n0 b5", 5, XSD_DOMID_NONE, false, true, 0x3 },
    { "b0 n5", 5, XSD_DOMID_NONE, false, true, 0x0 },   /* entry beats default */
    { "n0 r5 w5", 5, XSD_DOMID_NONE, false, true, 0x1 },/* first entry wins */
    { "n0 r6", 5, XSD_DOMID_NONE, false, true, 0x0 },
    { "n6", 5, 6, false, true, 0xb },                    /* target's owner rights */
    { "n0 w6", 5, 6, false, true, 0x2 },                 /* target's entries */
    { "n0 r5 w6", 5, 6, false, true, 0x1 },
    { "n7", 5, 6, false, true, 0x0 },
};

static struct xsd_perms *perms_from(const char *spec)
{
    char **v = g_strsplit(spec, " ", -1);
    GString *g = g_string_new(NULL);
    guint n = g_strv_length(v);
    struct xsd_perms *p;

    for (guint i = 0; i < n; i++) {
        g_string_append(g, v[i]);
        g_string_append_c(g, '\0');
    }
    p = xsd_perms_parse(g->str, g->len, n);
    g_string_free(g, TRUE);
    g_strfreev(v);
    return p;
}

static void test_access_rule(void)
{
    for (unsigned i = 0; i < G_N_ELEMENTS(access_table); i++) {
        struct xsd_perms *p = perms_from(access_table[i].perms);
        uint32_t got;

        g_assert_nonnull(p);
        got = xsd_perms_for(p, access_table[i].domid, access_table[i].target,
                            access_table[i].priv, access_table[i].can_write);
        if (got != access_table[i].want)
            g_error("row %u (%s for %u): got %#x, want %#x", i, access_table[i].perms,
                    access_table[i].domid, got, access_table[i].want);
        xsd_perms_unref(p);
    }
}

static const struct {
    const char *s;
    bool ok;
} parse_table[] = {
    { "r0", true }, { "w1", true }, { "b65535", true }, { "n32752", true },
    { "x1", false }, { "r", false }, { "r65536", false }, { "r-1", false },
    { "r1a", false }, { "R1", false }, { "", false }, { "r 1", false },
    { "r0000001", false },
};

static void test_parse(void)
{
    for (unsigned i = 0; i < G_N_ELEMENTS(parse_table); i++) {
        size_t len = strlen(parse_table[i].s) + 1;
        struct xsd_perms *p = xsd_perms_parse(parse_table[i].s, len, 1);

        if ((p != NULL) != parse_table[i].ok)
            g_error("\"%s\": parsed %s", parse_table[i].s, p ? "fine" : "as invalid");
        if (p) {
            char buf[16];
            size_t n = xsd_perms_format(p, buf, sizeof(buf));

            g_assert_cmpmem(buf, n, parse_table[i].s, len);
        }
        xsd_perms_unref(p);
    }
    /* Unterminated and short inputs. */
    g_assert_null(xsd_perms_parse("r1", 2, 1));
    g_assert_null(xsd_perms_parse("r1\0", 3, 2));
}

enum { C0, C5, C6, CRO };

static const struct t_conn_spec conns[] = {
    [C0] = { 0, XSD_CONN_PRIVILEGED },
    [C5] = { 5, 0 },
    [C6] = { 6, 0 },
    [CRO] = { 0, XSD_CONN_PRIVILEGED | XSD_CONN_READ_ONLY },
};

static const struct t_step ops[] = {
    { C0, XS_WRITE, 0, { "/p/q", "1" }, "OK|" },
    /* n0 everywhere: nothing for domain 5, not even existence. */
    { C5, XS_READ, 0, { "/p/q" }, "E:EACCES" },
    { C5, XS_READ, 0, { "/p/none" }, "E:EACCES" },
    { C5, XS_DIRECTORY, 0, { "/p" }, "E:EACCES" },
    { C5, XS_GET_PERMS, 0, { "/p" }, "E:EACCES" },
    { C5, XS_RM, 0, { "/p/none" }, "E:EACCES" },
    /* Read access to one node. */
    { C0, XS_SET_PERMS, 0, { "/p/q", "n0", "r5" }, "OK|" },
    { C5, XS_READ, 0, { "/p/q" }, "1" },
    { C5, XS_GET_PERMS, 0, { "/p/q" }, "n0|r5|" },
    { C5, XS_WRITE, 0, { "/p/q", "2" }, "E:EACCES" },
    { C5, XS_RM, 0, { "/p/q" }, "E:EACCES" },
    { C5, XS_SET_PERMS, 0, { "/p/q", "n0", "b5" }, "E:EACCES" },
    { C5, XS_READ, 0, { "/p/none" }, "E:EACCES" },      /* parent still n0 */
    { C0, XS_SET_PERMS, 0, { "/p", "n0", "r5" }, "OK|" },
    { C5, XS_READ, 0, { "/p/none" }, "E:ENOENT" },      /* may know now */
    { C5, XS_WRITE, 0, { "/p/new", "1" }, "E:EACCES" },  /* parent not writable */
    { C5, XS_MKDIR, 0, { "/p/q" }, "E:EACCES" },         /* exists, not writable */
    /* Write access. */
    { C0, XS_SET_PERMS, 0, { "/p/q", "n0", "b5" }, "OK|" },
    { C5, XS_WRITE, 0, { "/p/q", "2" }, "OK|" },
    { C0, XS_SET_PERMS, 0, { "/p", "n0", "w5" }, "OK|" },
    { C5, XS_WRITE, 0, { "/p/new/deep", "1" }, "OK|" },
    /* An unprivileged creator owns what it creates; the rest is inherited. */
    { C0, XS_GET_PERMS, 0, { "/p/new" }, "n5|w5|" },
    { C0, XS_GET_PERMS, 0, { "/p/new/deep" }, "n5|w5|" },
    { C0, T_USE, 0, { "5", "nodes" }, "2" },
    { C5, XS_SET_PERMS, 0, { "/p/new", "n5", "r6" }, "OK|" },
    { C5, XS_SET_PERMS, 0, { "/p/new", "n6" }, "E:EPERM" }, /* no new owner */
    { C6, XS_READ, 0, { "/p/new" }, "" },
    { C6, XS_WRITE, 0, { "/p/new", "x" }, "E:EACCES" },
    { C6, XS_READ, 0, { "/p/new/deep" }, "E:EACCES" },
    /* Privileged operations. */
    { C5, XS_INTRODUCE, 0, { "8", "1", "2" }, "E:EACCES" },
    { C5, XS_RELEASE, 0, { "8" }, "E:EACCES" },
    { C5, XS_SET_TARGET, 0, { "5", "6" }, "E:EACCES" },
    { C5, XS_RESUME, 0, { "5" }, "E:EACCES" },
    { C5, XS_IS_DOMAIN_INTRODUCED, 0, { "5" }, "E:EACCES" },
    { C5, XS_CONTROL, 0, { "check" }, "E:EACCES" },
    { C5, XS_GET_DOMAIN_PATH, 0, { "5" }, "/local/domain/5|" },
    /* Special paths: privileged unless their permissions say otherwise. */
    { C5, XS_SET_PERMS, 0, { "@releaseDomain", "n5" }, "E:EACCES" },
    { C5, XS_GET_PERMS, 0, { "@releaseDomain" }, "E:EACCES" },
    { C0, XS_SET_PERMS, 0, { "@releaseDomain", "n0", "r5" }, "OK|" },
    { C5, XS_GET_PERMS, 0, { "@releaseDomain" }, "n0|r5|" },
    /* SET_TARGET: domain 5 acts for domain 6. */
    { C0, XS_WRITE, 0, { "/tgt/x", "1" }, "OK|" },
    { C0, XS_SET_PERMS, 0, { "/tgt/x", "n6" }, "OK|" },
    { C5, XS_READ, 0, { "/tgt/x" }, "E:EACCES" },
    { C0, XS_SET_TARGET, 0, { "5", "6" }, "E:ENOENT" },     /* not introduced */
    { C0, T_INTRODUCE, 0, { "5" }, "OK|" },
    { C0, T_INTRODUCE, 0, { "6" }, "OK|" },
    { C0, XS_SET_TARGET, 0, { "5", "6" }, "OK|" },
    { C5, XS_READ, 0, { "/tgt/x" }, "1" },
    { C5, XS_WRITE, 0, { "/tgt/x", "2" }, "OK|" },
    { C5, XS_SET_PERMS, 0, { "/tgt/x", "n6", "r5" }, "OK|" },
    /* Releasing a domain drops its nodes and its rights elsewhere. */
    { C0, XS_RELEASE, 0, { "6" }, "OK|" },
    { C0, XS_READ, 0, { "/tgt/x" }, "E:ENOENT" },            /* owned by 6 */
    { C0, XS_GET_PERMS, 0, { "/p/new" }, "n5|" },           /* r6 revoked */
    { C5, XS_READ, 0, { "/tgt" }, "E:EACCES" },             /* target gone */
    { C0, XS_RELEASE, 0, { "5" }, "OK|" },
    { C0, XS_READ, 0, { "/p/new" }, "E:ENOENT" },
    { C0, XS_GET_PERMS, 0, { "/p" }, "n0|" },
    { C0, T_USE, 0, { "5", "nodes" }, "0" },
    /* Read-only socket. */
    { CRO, XS_READ, 0, { "/p/q" }, "2" },
    { CRO, XS_SET_PERMS, 0, { "/p/q", "n0" }, "E:EACCES" },
    { CRO, XS_CONTROL, 0, { "log", "on" }, "E:EACCES" },
    { CRO, XS_CONTROL, 0, { "check" }, "OK|" },
    { C0, T_CHECK },
    { 0, T_END },
};

static void test_ops(void)
{
    t_run_table(conns, G_N_ELEMENTS(conns), ops, "ops");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    xk_log_set_level(XK_LOG_WARN);
    g_test_add_func("/xenstore/perms/access-rule", test_access_rule);
    g_test_add_func("/xenstore/perms/parse", test_parse);
    g_test_add_func("/xenstore/perms/ops", test_ops);
    return g_test_run();
}
