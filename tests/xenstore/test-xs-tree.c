/* Tree operations of xenstored's core, as tables of requests and the
 * replies Xen's xenstored gives (docs/misc/xenstore.txt). */
#include "config.h"

#include <string.h>

#include "xs-harness.h"

enum { C0, CRO, C5 };

static const struct t_conn_spec conns[] = {
    [C0] = { 0, XSD_CONN_PRIVILEGED },
    [CRO] = { 0, XSD_CONN_PRIVILEGED | XSD_CONN_READ_ONLY },
    [C5] = { 5, 0 },
};

static const struct t_step basic[] = {
    /* The standard nodes. */
    { C0, XS_DIRECTORY, 0, { "/" }, "tool|local|vm|" },
    { C0, XS_READ, 0, { "/local/domain/0/name" }, "Domain-0" },
    { C0, XS_READ, 0, { "/local/domain/0/domid" }, "0" },
    { C0, XS_READ, 0, { "name" }, "Domain-0" },          /* relative: ~ of the caller */
    { C0, XS_GET_PERMS, 0, { "/local" }, "n0|" },
    /* Write creates the missing parents, empty. */
    { C0, XS_WRITE, 0, { "/a/b/c", "v" }, "OK|" },
    { C0, XS_READ, 0, { "/a/b/c" }, "v" },
    { C0, XS_READ, 0, { "/a/b" }, "" },
    { C0, XS_DIRECTORY, 0, { "/a" }, "b|" },
    { C0, XS_DIRECTORY, 0, { "/a/b/c" }, "" },
    { C0, XS_WRITE, 0, { "/a/b/d", "w" }, "OK|" },
    { C0, XS_DIRECTORY, 0, { "/a/b" }, "c|d|" },           /* creation order */
    { C0, XS_WRITE, 0, { "/a/b/c", "" }, "OK|" },
    { C0, XS_READ, 0, { "/a/b/c" }, "" },
    { C0, XS_WRITE, 0, { "/a/b/c", "again" }, "OK|" },
    /* Mkdir leaves an existing value alone. */
    { C0, XS_MKDIR, 0, { "/a/b/c" }, "OK|" },
    { C0, XS_READ, 0, { "/a/b/c" }, "again" },
    { C0, XS_MKDIR, 0, { "/m/n/o" }, "OK|" },
    { C0, XS_READ, 0, { "/m/n" }, "" },
    /* Rm: recursive; absent is fine if the parent exists. */
    { C0, XS_RM, 0, { "/a/b/c" }, "OK|" },
    { C0, XS_DIRECTORY, 0, { "/a/b" }, "d|" },
    { C0, XS_RM, 0, { "/a/b/c" }, "OK|" },
    { C0, XS_RM, 0, { "/x/y" }, "E:ENOENT" },
    { C0, XS_RM, 0, { "/" }, "E:EINVAL" },
    { C0, XS_RM, 0, { "/a" }, "OK|" },
    { C0, XS_READ, 0, { "/a/b/d" }, "E:ENOENT" },
    { C0, XS_READ, 0, { "/a" }, "E:ENOENT" },
    { C0, XS_DIRECTORY, 0, { "/nope" }, "E:ENOENT" },
    { C0, XS_GET_PERMS, 0, { "/nope" }, "E:ENOENT" },
    /* Path syntax. */
    { C0, XS_READ, 0, { "" }, "E:EINVAL" },
    { C0, XS_READ, 0, { "/m//n" }, "E:EINVAL" },
    { C0, XS_READ, 0, { "/m/" }, "E:EINVAL" },
    { C0, XS_READ, 0, { "/m n" }, "E:EINVAL" },
    { C0, XS_WRITE, 0, { "/bad$", "1" }, "E:EINVAL" },
    { C0, XS_READ, 0, { "@releaseDomain" }, "E:EINVAL" },
    { C0, XS_WRITE, 0, { "/ok-_@/X9", "1" }, "OK|" },
    { C0, XS_RM, 0, { "/ok-_@" }, "OK|" },
    /* Permissions: set, read, inherited by new children. */
    { C0, XS_SET_PERMS, 0, { "/m", "r1", "b2" }, "OK|" },
    { C0, XS_GET_PERMS, 0, { "/m" }, "r1|b2|" },
    { C0, XS_WRITE, 0, { "/m/k", "1" }, "OK|" },
    { C0, XS_GET_PERMS, 0, { "/m/k" }, "r1|b2|" },
    { C0, XS_GET_PERMS, 0, { "/m/n" }, "n0|" },             /* older children keep theirs */
    { C0, XS_SET_PERMS, 0, { "/m", "x1" }, "E:EINVAL" },
    { C0, XS_SET_PERMS, 0, { "/m", "r" }, "E:EINVAL" },
    { C0, XS_SET_PERMS, 0, { "/m", "r70000" }, "E:EINVAL" },
    { C0, XS_SET_PERMS, 0, { "/m" }, "E:EINVAL" },
    { C0, XS_SET_PERMS, 0, { "/nope", "n0" }, "E:ENOENT" },
    { C0, XS_GET_PERMS, 0, { "@releaseDomain" }, "n0|" },
    { C0, XS_SET_PERMS, 0, { "@releaseDomain", "n0", "r5" }, "OK|" },
    { C0, XS_GET_PERMS, 0, { "@releaseDomain" }, "n0|r5|" },
    { C0, XS_SET_PERMS, 0, { "@nosuch", "n0" }, "E:ENOENT" },
    /* Domains. */
    { C0, XS_GET_DOMAIN_PATH, 0, { "7" }, "/local/domain/7|" },
    { C0, XS_GET_DOMAIN_PATH, 0, { "abc" }, "E:EINVAL" },
    { C0, XS_IS_DOMAIN_INTRODUCED, 0, { "0" }, "T|" },
    { C0, XS_IS_DOMAIN_INTRODUCED, 0, { "9" }, "F|" },
    { C0, T_INTRODUCE, 0, { "9" }, "OK|" },
    { C0, XS_IS_DOMAIN_INTRODUCED, 0, { "9" }, "T|" },
    { C0, T_INTRODUCE, 0, { "9" }, "OK|" },                 /* again: fine */
    { C0, XS_INTRODUCE, 0, { "0", "1", "2" }, "E:EINVAL" },
    { C0, XS_INTRODUCE, 0, { "10", "1", "0" }, "E:EINVAL" },
    { C0, XS_INTRODUCE, 0, { "10", "1" }, "E:EINVAL" },
    { C0, XS_RESUME, 0, { "9" }, "OK|" },
    { C0, XS_RESUME, 0, { "11" }, "E:ENOENT" },
    { C0, XS_RELEASE, 0, { "9" }, "OK|" },
    { C0, XS_RELEASE, 0, { "9" }, "E:ENOENT" },
    { C0, XS_RELEASE, 0, { "0" }, "E:EINVAL" },
    { C0, XS_IS_DOMAIN_INTRODUCED, 0, { "9" }, "F|" },
    /* The read-only socket. */
    { CRO, XS_READ, 0, { "/local/domain/0/name" }, "Domain-0" },
    { CRO, XS_WRITE, 0, { "/ro", "1" }, "E:EACCES" },
    { CRO, XS_MKDIR, 0, { "/ro" }, "E:EACCES" },
    { CRO, XS_RM, 0, { "/m" }, "E:EACCES" },
    { CRO, XS_SET_PERMS, 0, { "/m", "n0" }, "E:EACCES" },
    { CRO, XS_INTRODUCE, 0, { "12", "1", "2" }, "E:EACCES" },
    { CRO, XS_WATCH, 0, { "/m", "t" }, "OK|" },
    { CRO, T_EVENT, 0, { "/m", "t" } },
    /* Relative paths of a domain. */
    { C0, XS_MKDIR, 0, { "/local/domain/5" }, "OK|" },
    { C0, XS_SET_PERMS, 0, { "/local/domain/5", "n5" }, "OK|" },
    { C5, XS_WRITE, 0, { "data/x", "1" }, "OK|" },
    { C5, XS_READ, 0, { "data/x" }, "1" },
    { C0, XS_READ, 0, { "/local/domain/5/data/x" }, "1" },
    { C0, XS_GET_PERMS, 0, { "/local/domain/5/data/x" }, "n5|" },
    { C5, XS_GET_DOMAIN_PATH, 0, { "5" }, "/local/domain/5|" },
    { C5, XS_RM, 0, { "data" }, "OK|" },
    { C5, XS_DIRECTORY, 0, { "" }, "E:EINVAL" },
    /* Unknown and reply-only types. */
    { C0, 99, 0, { "x" }, "E:ENOSYS" },
    { C0, XS_ERROR, 0, { "x" }, "E:ENOSYS" },
    { C0, XS_WATCH_EVENT, 0, { "x", "y" }, "E:ENOSYS" },
    { C0, T_CHECK },
    { 0, T_END },
};

static void test_basic(void)
{
    t_run_table(conns, G_N_ELEMENTS(conns), basic, "basic");
}

/* Values are bytes: NULs and all 256 values survive. */
static void test_binary(void)
{
    struct t_env e;
    char payload[8 + 256];
    char *reply;
    uint32_t rtype;
    size_t rlen;

    t_env_init(&e, conns, 1, true);
    memcpy(payload, "/bin", 5);
    for (int i = 0; i < 256; i++)
        payload[5 + i] = (char)i;
    reply = t_request(e.c[0], XS_WRITE, 0, payload, 5 + 256, &rtype, &rlen);
    g_assert_cmpuint(rtype, ==, XS_WRITE);
    g_free(reply);
    reply = t_request(e.c[0], XS_READ, 0, "/bin", 5, &rtype, &rlen);
    g_assert_cmpuint(rtype, ==, XS_READ);
    g_assert_cmpuint(rlen, ==, 256);
    g_assert_cmpmem(reply, rlen, payload + 5, 256);
    g_free(reply);
    t_env_free(&e);
}

/* Path lengths: XENSTORE_ABS_PATH_MAX for everybody. */
static void test_path_length(void)
{
    struct t_env e;
    GString *p = g_string_new("/long");
    uint32_t rtype;
    size_t rlen;
    char *reply;

    t_env_init(&e, conns, 1, true);
    while (p->len + 2 <= XENSTORE_ABS_PATH_MAX)
        g_string_append(p, "/x");
    reply = t_request(e.c[0], XS_MKDIR, 0, p->str, p->len + 1, &rtype, &rlen);
    g_assert_cmpuint(rtype, ==, XS_MKDIR);
    g_free(reply);
    g_string_append(p, "/y");
    reply = t_request(e.c[0], XS_MKDIR, 0, p->str, p->len + 1, &rtype, &rlen);
    g_assert_cmpuint(rtype, ==, XS_ERROR);
    g_assert_cmpstr(reply, ==, "EINVAL");
    g_free(reply);
    /* The deep tree comes down in one request. */
    reply = t_request(e.c[0], XS_RM, 0, "/long", 6, &rtype, &rlen);
    g_assert_cmpuint(rtype, ==, XS_RM);
    g_free(reply);
    g_assert_null(xsd_store_check(e.s));
    g_string_free(p, TRUE);
    t_env_free(&e);
}

/* DIRECTORY is refused with E2BIG when the list exceeds a payload;
 * DIRECTORY_PART gives it in pieces, each with the node's generation. */
static void test_directory_part(void)
{
    struct t_env e;
    GString *all = g_string_new(NULL), *got = g_string_new(NULL);
    uint32_t rtype;
    size_t rlen, off = 0;
    char *reply, *gen = NULL;

    t_env_init(&e, conns, 1, true);
    for (int i = 0; i < 400; i++) {
        char path[64];

        snprintf(path, sizeof(path), "/big/child-with-a-longish-name-%03d", i);
        reply = t_request(e.c[0], XS_MKDIR, 0, path, strlen(path) + 1, &rtype, &rlen);
        g_assert_cmpuint(rtype, ==, XS_MKDIR);
        g_free(reply);
        g_string_append_printf(all, "child-with-a-longish-name-%03d", i);
        g_string_append_c(all, '\0');
    }
    reply = t_request(e.c[0], XS_DIRECTORY, 0, "/big", 5, &rtype, &rlen);
    g_assert_cmpuint(rtype, ==, XS_ERROR);
    g_assert_cmpstr(reply, ==, "E2BIG");
    g_free(reply);
    for (int chunks = 0;; chunks++) {
        char req[32];
        size_t len = (size_t)snprintf(req, sizeof(req), "/big%c%zu", '\0', off) + 1;
        size_t glen;

        g_assert_cmpint(chunks, <, 10);
        reply = t_request(e.c[0], XS_DIRECTORY_PART, 0, req, len, &rtype, &rlen);
        g_assert_cmpuint(rtype, ==, XS_DIRECTORY_PART);
        g_assert_cmpuint(rlen, <=, XENSTORE_PAYLOAD_MAX);
        glen = strlen(reply) + 1;
        if (!gen)
            gen = g_strdup(reply);
        g_assert_cmpstr(gen, ==, reply);
        if (rlen >= glen + 2 && reply[rlen - 1] == '\0' && reply[rlen - 2] == '\0') {
            g_string_append_len(got, reply + glen, (gssize)(rlen - glen - 1));
            g_free(reply);
            break;
        }
        g_string_append_len(got, reply + glen, (gssize)(rlen - glen));
        off += rlen - glen;
        g_free(reply);
    }
    g_assert_cmpmem(got->str, got->len, all->str, all->len);
    /* Past the end: the generation and an empty list. */
    {
        char req[32];
        size_t len = (size_t)snprintf(req, sizeof(req), "/big%c%u", '\0', 99999) + 1;

        reply = t_request(e.c[0], XS_DIRECTORY_PART, 0, req, len, &rtype, &rlen);
        g_assert_cmpuint(rlen, ==, strlen(gen) + 2);
        g_free(reply);
    }
    g_free(gen);
    g_string_free(all, TRUE);
    g_string_free(got, TRUE);
    t_env_free(&e);
}

/* Copy-on-write: a snapshot (a transaction's root) keeps seeing the old
 * tree while the live one changes, and sharing is undone cleanly. */
static void test_snapshot_sharing(void)
{
    struct xsd_store *s = xsd_store_new(true);
    struct xsd_node *snap;
    const struct xsd_node *n;

    g_assert_cmpint(xsd_store_write_node(s, "/s/a", "1", 1, NULL, XSD_NO_GEN), ==, 0);
    snap = xsd_node_ref(s->root);
    g_assert_cmpint(xsd_store_write_node(s, "/s/a", "2", 1, NULL, XSD_NO_GEN), ==, 0);
    g_assert_cmpint(xsd_store_write_node(s, "/s/b", "3", 1, NULL, XSD_NO_GEN), ==, 0);
    n = xsd_tree_lookup(snap, "/s/a");
    g_assert_cmpmem(n->value, n->vlen, "1", 1);
    g_assert_null(xsd_tree_lookup(snap, "/s/b"));
    n = xsd_tree_lookup(s->root, "/s/a");
    g_assert_cmpmem(n->value, n->vlen, "2", 1);
    /* Untouched subtrees are shared, not copied. */
    g_assert_true(xsd_tree_lookup(snap, "/local/domain") == xsd_tree_lookup(s->root, "/local/domain"));
    xsd_node_unref(snap);
    g_assert_null(xsd_store_check(s));
    xsd_store_free(s);
}

/* Many children: the name index stays right through adds and removes. */
static void test_wide_node(void)
{
    struct xsd_store *s = xsd_store_new(false);
    char path[32];

    for (int i = 0; i < 3000; i++) {
        snprintf(path, sizeof(path), "/w/%d", i);
        g_assert_cmpint(xsd_store_write_node(s, path, "", 0, NULL, XSD_NO_GEN), ==, 0);
    }
    for (int i = 0; i < 3000; i += 3) {
        struct xsd_node *w = xsd_tree_unshare(&s->root, "/w", 2);
        uint32_t slot;

        snprintf(path, sizeof(path), "%d", i);
        g_assert_nonnull(xsd_node_child(w, path, strlen(path), &slot));
        xsd_node_remove_child(w, slot);
    }
    for (int i = 0; i < 3000; i++) {
        snprintf(path, sizeof(path), "/w/%d", i);
        g_assert_true((xsd_tree_lookup(s->root, path) != NULL) == (i % 3 != 0));
    }
    xsd_store_free(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL);
    g_test_add_func("/xenstore/tree/basic", test_basic);
    g_test_add_func("/xenstore/tree/binary", test_binary);
    g_test_add_func("/xenstore/tree/path-length", test_path_length);
    g_test_add_func("/xenstore/tree/directory-part", test_directory_part);
    g_test_add_func("/xenstore/tree/snapshot-sharing", test_snapshot_sharing);
    g_test_add_func("/xenstore/tree/wide-node", test_wide_node);
    return g_test_run();
}
