/* Control-socket message validation: a table of messages and verdicts. */
#include "config.h"

#include <errno.h>
#include <glib.h>
#include <stdint.h>
#include <string.h>

#include <xen/xen.h>
#include <xen/domctl.h>

#include "ctl-msg.h"

struct msg {
    uint8_t buf[XK_CTL_MAX_MSG + 64];
    size_t len;
};

static void make(struct msg *m, uint32_t op, size_t payload)
{
    struct xk_ctl_hdr h = { .magic = XK_CTL_MAGIC, .op = op, .seq = 7, .len = (uint32_t)payload };

    memset(m->buf, 0, sizeof(m->buf));
    memcpy(m->buf, &h, sizeof(h));
    m->len = sizeof(h) + payload;
}

static struct xk_ctl_hdr *hdr(struct msg *m)
{
    return (struct xk_ctl_hdr *)m->buf;
}

static void map_payload(struct msg *m, uint32_t nr, size_t extra)
{
    struct xk_ctl_map mp = { .domid = 1, .nr = nr, .prot = 3 };

    make(m, XK_CTL_MAP_FOREIGN, sizeof(mp) + nr * sizeof(uint64_t) + extra);
    memcpy(m->buf + sizeof(struct xk_ctl_hdr), &mp, sizeof(mp));
}

static void c_ok_domctl(struct msg *m) { make(m, XK_CTL_DOMCTL, sizeof(struct xen_domctl)); }
static void c_ok_domctl_in(struct msg *m) { make(m, XK_CTL_DOMCTL, sizeof(struct xen_domctl) + 900); }
static void c_ok_wait(struct msg *m) { make(m, XK_CTL_WAIT, sizeof(struct xk_ctl_wait)); }
static void c_ok_map(struct msg *m) { map_payload(m, 4, 0); }
static void c_empty(struct msg *m) { m->len = 0; }
static void c_short(struct msg *m) { make(m, XK_CTL_DOMCTL, 0); m->len = 10; }
static void c_magic(struct msg *m) { c_ok_domctl(m); hdr(m)->magic ^= 1; }
static void c_len_more(struct msg *m) { c_ok_domctl(m); hdr(m)->len += 1; }
static void c_len_less(struct msg *m) { c_ok_domctl(m); hdr(m)->len -= 1; }
static void c_len_huge(struct msg *m) { c_ok_domctl(m); hdr(m)->len = 0xffffffffu; }
static void c_flags(struct msg *m) { c_ok_domctl(m); hdr(m)->flags = 1; }
static void c_ret(struct msg *m) { c_ok_domctl(m); hdr(m)->ret = -1; }
static void c_op0(struct msg *m) { make(m, 0, 64); }
static void c_op_big(struct msg *m) { make(m, XK_CTL_OP_MAX, 64); }
static void c_op_huge(struct msg *m) { make(m, 0x80000001u, 64); }
static void c_domctl_short(struct msg *m) { make(m, XK_CTL_DOMCTL, sizeof(struct xen_domctl) - 1); }
static void c_wait_short(struct msg *m) { make(m, XK_CTL_WAIT, 4); }
static void c_map_zero(struct msg *m) { map_payload(m, 0, 0); }
static void c_map_many(struct msg *m) { map_payload(m, XK_CTL_MAX_MAP + 1, 0); hdr(m)->len = sizeof(struct xk_ctl_map); m->len = sizeof(struct xk_ctl_hdr) + sizeof(struct xk_ctl_map); }
static void c_map_extra(struct msg *m) { map_payload(m, 2, 8); }
static void c_map_missing(struct msg *m) { map_payload(m, 3, 0); hdr(m)->len -= 8; m->len -= 8; }
static void c_oversize(struct msg *m) { make(m, XK_CTL_DOMCTL, XK_CTL_MAX_MSG); }

static const struct {
    const char *name;
    void (*build)(struct msg *);
    int expect;
} cases[] = {
    { "ok-domctl", c_ok_domctl, 0 },
    { "ok-domctl-with-data", c_ok_domctl_in, 0 },
    { "ok-wait", c_ok_wait, 0 },
    { "ok-map", c_ok_map, 0 },
    { "empty", c_empty, -EPROTO },
    { "shorter-than-header", c_short, -EPROTO },
    { "bad-magic", c_magic, -EPROTO },
    { "len-too-big", c_len_more, -EPROTO },
    { "len-too-small", c_len_less, -EPROTO },
    { "len-huge", c_len_huge, -EPROTO },
    { "flags-set", c_flags, -EINVAL },
    { "ret-set", c_ret, -EINVAL },
    { "op-zero", c_op0, -EINVAL },
    { "op-max", c_op_big, -EINVAL },
    { "op-huge", c_op_huge, -EINVAL },
    { "domctl-short", c_domctl_short, -EINVAL },
    { "wait-short", c_wait_short, -EINVAL },
    { "map-zero-pages", c_map_zero, -EINVAL },
    { "map-too-many", c_map_many, -EINVAL },
    { "map-extra-bytes", c_map_extra, -EINVAL },
    { "map-missing-bytes", c_map_missing, -EINVAL },
    { "oversize", c_oversize, -EMSGSIZE },
};

static void test_table(void)
{
    static struct msg m;

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        struct xk_ctl_hdr h;
        const char *why = NULL;
        cases[i].build(&m);
        int rc = ctl_validate(m.buf, m.len, &h, &why);
        if (rc != cases[i].expect)
            g_error("%s: got %d, expected %d (%s)", cases[i].name, rc, cases[i].expect,
                    why ? why : "-");
        if (rc == 0)
            g_assert_cmpuint(h.seq, ==, 7);
        else
            g_assert_nonnull(why);
    }
}

/* Random bytes never pass as a request with a known op by chance in a
 * way that breaks the invariants, and never crash the validator. */
static void test_random(void)
{
    static struct msg m;
    GRand *r = g_rand_new_with_seed(42);

    for (int i = 0; i < 20000; i++) {
        struct xk_ctl_hdr h;
        const char *why;
        m.len = (size_t)g_rand_int_range(r, 0, 512);
        for (size_t k = 0; k < m.len; k++)
            m.buf[k] = (uint8_t)g_rand_int(r);
        if (i % 2 && m.len >= sizeof(struct xk_ctl_hdr)) {
            hdr(&m)->magic = XK_CTL_MAGIC;
            hdr(&m)->len = (uint32_t)(m.len - sizeof(struct xk_ctl_hdr));
            hdr(&m)->op %= XK_CTL_OP_MAX + 1;
        }
        if (ctl_validate(m.buf, m.len, &h, &why) == 0) {
            g_assert_cmpuint(h.len + sizeof(h), ==, m.len);
            g_assert_cmpuint(h.len, >=, ctl_min_payload(h.op));
        }
    }
    g_rand_free(r);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ctl/table", test_table);
    g_test_add_func("/ctl/random", test_random);
    return g_test_run();
}
