/* The state file: a store written and read back is the same store (nodes,
 * values, permissions, generations, special permissions, domains,
 * quotas); a damaged file is refused whole, at any length, without
 * crashing or leaking. */
#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "xs-harness.h"

static bool collect(const struct xsd_node *n, const char *path, const struct xsd_node *parent,
                    void *opaque)
{
    GString *g = opaque;
    char perms[256];
    size_t plen = xsd_perms_format(n->perms, perms, sizeof(perms));
    g_autofree char *v = t_render(n->value ? n->value : "", n->vlen);
    g_autofree char *p = t_render(perms, plen);

    g_string_append_printf(g, "%s gen=%llu perms=%s value=%s\n", path,
                           (unsigned long long)n->gen, p, v);
    return true;
}

static char *dump(struct xsd_store *s)
{
    GString *g = g_string_new(NULL);

    xsd_tree_visit(s->root, "/", collect, g);
    return g_string_free(g, FALSE);
}

static struct xsd_store *sample(void)
{
    static const struct t_conn_spec spec = { 0, XSD_CONN_PRIVILEGED };
    static const struct t_step steps[] = {
        { 0, XS_WRITE, 0, { "/local/domain/3/name", "guest" }, "OK|" },
        { 0, XS_SET_PERMS, 0, { "/local/domain/3", "n3", "r0" }, "OK|" },
        { 0, XS_WRITE, 0, { "/local/domain/3/device/vbd/51712/state", "4" }, "OK|" },
        { 0, XS_WRITE, 0, { "/vm/abc", "" }, "OK|" },
        { 0, XS_SET_PERMS, 0, { "@releaseDomain", "n0", "r3" }, "OK|" },
        { 0, T_INTRODUCE, 0, { "3" }, "OK|" },
        { 0, T_QUOTA, 0, { "nodes", "123" } },
        { 0, T_END },
    };
    struct t_env e;
    struct xsd_store *s;

    t_env_init(&e, &spec, 1, true);
    t_run(&e, steps, "sample");
    /* A value with every byte. */
    {
        char v[256];

        for (int i = 0; i < 256; i++)
            v[i] = (char)i;
        g_assert_cmpint(xsd_store_write_node(e.s, "/bytes", v, 256, NULL, XSD_NO_GEN), ==, 0);
    }
    xsd_conn_free(e.c[0]);
    s = e.s;
    return s;
}

static void test_roundtrip(void)
{
    g_autofree char *dir = g_dir_make_tmp("xs-state-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "state", NULL);
    struct xsd_store *a = sample(), *b = xsd_store_new(false);
    const char *why = NULL;
    int fds[2];
    g_autofree char *da = NULL, *db = NULL;

    g_assert_cmpint(xsd_state_save(a, path, false, NULL, 0, &why), ==, 0);
    g_assert_cmpint(xsd_state_load(b, path, fds, NULL, NULL, &why), ==, 0);
    g_assert_cmpint(fds[0], ==, -1);
    da = dump(a);
    db = dump(b);
    g_assert_cmpstr(da, ==, db);
    g_assert_cmpuint(a->gen, ==, b->gen);
    g_assert_cmpuint(b->quota[XSD_Q_NODES], ==, 123);
    g_assert_true(xsd_domain_find(b, 3) && xsd_domain_find(b, 3)->introduced);
    g_assert_true(xsd_perms_equal(a->special[1].perms, b->special[1].perms));
    g_assert_cmpuint(xsd_domain_find(b, 3)->use[XSD_Q_NODES], ==,
                     xsd_domain_find(a, 3)->use[XSD_Q_NODES]);
    g_assert_null(xsd_store_check(b));
    unlink(path);
    rmdir(dir);
    xsd_store_free(a);
    xsd_store_free(b);
}

static void test_damaged(void)
{
    g_autofree char *dir = g_dir_make_tmp("xs-state-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "state", NULL);
    g_autofree char *cut = g_build_filename(dir, "cut", NULL);
    struct xsd_store *a = sample();
    const char *why = NULL;
    gchar *data;
    gsize size;
    int fds[2];

    g_assert_cmpint(xsd_state_save(a, path, false, NULL, 0, &why), ==, 0);
    g_assert_true(g_file_get_contents(path, &data, &size, NULL));
    /* Every truncation is refused. */
    for (gsize len = 0; len < size; len += (len < 64 ? 1 : 7)) {
        struct xsd_store *b = xsd_store_new(false);

        g_assert_true(g_file_set_contents(cut, data, (gssize)len, NULL));
        why = NULL;
        g_assert_cmpint(xsd_state_load(b, cut, fds, NULL, NULL, &why), ==, -1);
        g_assert_nonnull(why);
        xsd_store_free(b);
    }
    /* Flipped bytes: refused or loaded, never a crash; what loads is
     * consistent. */
    for (gsize pos = 16; pos < size; pos += 5) {
        struct xsd_store *b = xsd_store_new(false);

        data[pos] ^= 0x5a;
        g_assert_true(g_file_set_contents(cut, data, (gssize)size, NULL));
        if (xsd_state_load(b, cut, fds, NULL, NULL, &why) == 0) {
            g_autofree char *problems = xsd_store_check(b);

            g_assert_null(problems);
        }
        data[pos] ^= 0x5a;
        xsd_store_free(b);
    }
    {
        struct xsd_store *b = xsd_store_new(false);

        g_assert_cmpint(xsd_state_load(b, "/nonexistent/state", fds, NULL, NULL, &why), ==, -1);
        xsd_store_free(b);
    }
    g_free(data);
    unlink(path);
    unlink(cut);
    rmdir(dir);
    xsd_store_free(a);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    xk_log_set_level(XK_LOG_ERROR);
    g_test_add_func("/xenstore/state/roundtrip", test_roundtrip);
    g_test_add_func("/xenstore/state/damaged", test_damaged);
    return g_test_run();
}
