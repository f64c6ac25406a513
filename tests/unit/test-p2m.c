/* The p2m: extents, merging, overlays, and the memory slots it asks for. */
#include "config.h"

#include <errno.h>
#include <glib.h>
#include <stdint.h>
#include <string.h>

#include "p2m.h"

struct slots {
    uint64_t gfn[P2M_MAX_SLOTS], nr[P2M_MAX_SLOTS], off[P2M_MAX_SLOTS];
    unsigned installs, deletes, live;
};

static int slot_fn(void *ctx, int slot, uint64_t gfn, uint64_t nr, uint64_t hva)
{
    struct slots *s = ctx;

    if (nr) {
        g_assert_cmpuint(s->nr[slot], ==, 0);   /* never installed twice */
        s->installs++;
        s->live++;
    } else {
        g_assert_cmpuint(s->nr[slot], !=, 0);
        s->deletes++;
        s->live--;
    }
    s->gfn[slot] = gfn;
    s->nr[slot] = nr;
    s->off[slot] = hva;
    return 0;
}

/* The slots must describe exactly the extents. */
static void check(struct p2m *p, struct slots *s)
{
    struct p2m_ext ext[64];
    size_t n = p2m_snapshot(p, ext, 64);

    g_assert_cmpuint(n, ==, s->live);
    for (size_t i = 0; i < n; i++) {
        g_assert_cmpint(ext[i].slot, >=, 0);
        g_assert_cmphex(s->gfn[ext[i].slot], ==, ext[i].gfn);
        g_assert_cmphex(s->nr[ext[i].slot], ==, ext[i].nr);
        g_assert_cmphex(s->off[ext[i].slot], ==, ext[i].hva);
        if (i)
            g_assert_cmphex(ext[i - 1].gfn + ext[i - 1].nr, <=, ext[i].gfn);
    }
}

static void test_merge(void)
{
    static struct slots s;
    struct p2m p;
    uint64_t off, run;
    uint32_t type;

    memset(&s, 0, sizeof(s));
    p2m_init(&p, slot_fn, &s);
    /* Populating RAM in 2 MiB steps with contiguous offsets: one extent. */
    for (uint64_t i = 0; i < 8; i++)
        g_assert_cmpint(p2m_set(&p, i * 512, 512, 0x1000 + i * 512 * 4096, 0x1000 + i * 512 * 4096, P2M_RAM, NULL), ==, 0);
    check(&p, &s);
    g_assert_cmpuint(s.live, ==, 1);
    g_assert_cmpint(p2m_lookup(&p, 1000, &off, &run, &type), ==, 0);
    g_assert_cmphex(off, ==, 0x1000 + 1000 * 4096);
    g_assert_cmpuint(run, ==, 4096 - 1000);
    g_assert_cmpuint(type, ==, P2M_RAM);
    /* Non-contiguous offset: no merge. */
    g_assert_cmpint(p2m_set(&p, 4096, 8, 0x10000000, 0x10000000, P2M_RAM, NULL), ==, 0);
    g_assert_cmpuint(s.live, ==, 2);
    /* Different type: no merge. */
    g_assert_cmpint(p2m_set(&p, 4104, 1, 0x10008000, 0x10008000, P2M_XEN, NULL), ==, 0);
    g_assert_cmpuint(s.live, ==, 3);
    check(&p, &s);
    g_assert_cmpuint(p2m_max_gfn(&p), ==, 4104);
    g_assert_false(p2m_range_free(&p, 4000, 200));
    g_assert_true(p2m_range_free(&p, 4105, 1000));
    g_assert_cmpint(p2m_lookup(&p, 4105, &off, &run, &type), ==, -ENOENT);
    p2m_fini(&p);
}

static void test_overlay(void)
{
    static struct slots s;
    struct p2m p;
    uint64_t removed = 0, off;
    uint32_t type;

    memset(&s, 0, sizeof(s));
    p2m_init(&p, slot_fn, &s);
    g_assert_cmpint(p2m_set(&p, 0, 4096, 0, 0, P2M_RAM, NULL), ==, 0);
    /* A xen page over RAM page 100: RAM splits in two around it. */
    g_assert_cmpint(p2m_set(&p, 100, 1, 0x5000000, 0x5000000, P2M_XEN, &removed), ==, 0);
    g_assert_cmpuint(removed, ==, 1);
    g_assert_cmpuint(s.live, ==, 3);
    check(&p, &s);
    g_assert_cmpint(p2m_lookup(&p, 100, &off, NULL, &type), ==, 0);
    g_assert_cmpuint(type, ==, P2M_XEN);
    g_assert_cmphex(off, ==, 0x5000000);
    g_assert_cmpint(p2m_lookup(&p, 101, &off, NULL, &type), ==, 0);
    g_assert_cmphex(off, ==, 101 * 4096);
    g_assert_cmpuint(type, ==, P2M_RAM);
    /* Clearing it leaves a hole; RAM stays split. */
    g_assert_cmpint(p2m_clear(&p, 100, 1, &removed), ==, 0);
    g_assert_cmpuint(removed, ==, 0);
    g_assert_cmpint(p2m_lookup(&p, 100, &off, NULL, &type), ==, -ENOENT);
    check(&p, &s);
    /* Putting the same RAM page back merges the three into one. */
    g_assert_cmpint(p2m_set(&p, 100, 1, 100 * 4096, 100 * 4096, P2M_RAM, NULL), ==, 0);
    g_assert_cmpuint(s.live, ==, 1);
    check(&p, &s);
    /* A range spanning several extents is cut at both ends. */
    g_assert_cmpint(p2m_set(&p, 5000, 10, 0x9000000, 0x9000000, P2M_RAM, NULL), ==, 0);
    g_assert_cmpint(p2m_clear(&p, 4000, 1005, &removed), ==, 0);
    g_assert_cmpuint(removed, ==, 96 + 5);
    check(&p, &s);
    g_assert_cmpuint(p2m_max_gfn(&p), ==, 5009);
    /* Invalid requests. */
    g_assert_cmpint(p2m_set(&p, 0, 0, 0, 0, P2M_RAM, NULL), ==, -EINVAL);
    g_assert_cmpint(p2m_set(&p, ~0ULL, 2, 0, 0, P2M_RAM, NULL), ==, -EINVAL);
    g_assert_cmpint(p2m_set(&p, 1, 1, 0x123, 0x123, P2M_RAM, NULL), ==, -EINVAL);
    p2m_fini(&p);
    g_assert_cmpuint(s.installs - s.deletes, ==, s.live);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/p2m/merge", test_merge);
    g_test_add_func("/p2m/overlay", test_overlay);
    return g_test_run();
}
