/* A guest's ring page driven directly (xsd_ring_io.c), as the ring
 * transport drives it but without a hypervisor: requests and replies
 * across the index wrap-around and the end of the buffers, replies larger
 * than the ring, truncated messages, indices out of range, an oversized
 * payload, the outstanding-request throttle, the service budget, and the
 * reconnection handshake. */
#include "config.h"

#include <string.h>

#include "log.h"
#include "xs-harness.h"

/* A ring page and the connection of domain 5 behind it; domain 0's
 * connection prepares the tree. */
struct ring_env {
    struct t_env e;
    struct xenstore_domain_interface *intf;
    struct xsd_conn *guest;
    uint32_t req_id;
};

static void ring_env_init(struct ring_env *r, uint32_t base)
{
    static const struct t_conn_spec spec[] = { { 0, XSD_CONN_PRIVILEGED }, { 5, 0 } };
    static const char *const perms[] = { "/local/domain/5", "n5", NULL };
    size_t len;
    uint32_t type;
    g_autofree char *p = NULL, *reply = NULL;

    t_env_init(&r->e, spec, 2, true);
    r->guest = r->e.c[1];
    r->intf = g_malloc0(sizeof(*r->intf));
    r->intf->req_cons = r->intf->req_prod = base;
    r->intf->rsp_cons = r->intf->rsp_prod = base;
    r->req_id = 0;
    p = t_payload(XS_SET_PERMS, perms, &len);
    xsd_store_write_node(r->e.s, "/local/domain/5", NULL, 0, NULL, XSD_NO_GEN);
    reply = t_request(r->e.c[0], XS_SET_PERMS, 0, p, len, &type, &len);
    g_assert_cmpuint(type, ==, XS_SET_PERMS);
}

static void ring_env_free(struct ring_env *r)
{
    t_env_free(&r->e);
    g_free(r->intf);
}

/* The guest's side: bytes into req[], messages out of rsp[]. */
static void guest_put(struct ring_env *r, const void *data, size_t len)
{
    const char *p = data;

    g_assert_cmpuint(len, <=, XENSTORE_RING_SIZE - (r->intf->req_prod - r->intf->req_cons));
    for (size_t i = 0; i < len; i++)
        r->intf->req[MASK_XENSTORE_IDX(r->intf->req_prod + (uint32_t)i)] = p[i];
    r->intf->req_prod += (uint32_t)len;
}

/* A request; args as t_payload() builds them. */
static void guest_request(struct ring_env *r, uint32_t type, const char *const *args)
{
    size_t len;
    g_autofree char *p = t_payload(type, args, &len);
    struct xsd_sockmsg h = { .type = type, .req_id = ++r->req_id, .len = (uint32_t)len };

    guest_put(r, &h, sizeof(h));
    guest_put(r, p, len);
}

static uint32_t rsp_used(const struct ring_env *r)
{
    return r->intf->rsp_prod - r->intf->rsp_cons;
}

static void guest_get(struct ring_env *r, void *out, size_t len)
{
    char *p = out;

    g_assert_cmpuint(rsp_used(r), >=, len);
    for (size_t i = 0; i < len; i++)
        p[i] = r->intf->rsp[MASK_XENSTORE_IDX(r->intf->rsp_cons + (uint32_t)i)];
    r->intf->rsp_cons += (uint32_t)len;
}

/* The next reply, rendered ("E:ENOENT" for errors). */
static char *guest_reply(struct ring_env *r)
{
    struct xsd_sockmsg h;
    char buf[XENSTORE_PAYLOAD_MAX];

    guest_get(r, &h, sizeof(h));
    g_assert_cmpuint(h.len, <=, sizeof(buf));
    guest_get(r, buf, h.len);
    if (h.type == XS_ERROR)
        return g_strdup_printf("E:%.*s", (int)h.len - 1, buf);
    return t_render(buf, h.len);
}

/* What the transport does on an event: output, input, until nothing
 * moves.  Returns the fault's error, or 0. */
static uint32_t service(struct ring_env *r, long budget)
{
    struct xsd_ring_fault f = { 0 };

    for (;;) {
        long w = xsd_ring_write_output(r->intf, r->guest, &f), n = 0;

        if (w >= 0)
            n = xsd_ring_read_input(r->intf, r->guest, budget, &f);
        if (w < 0 || n < 0) {
            g_assert_cmpuint(f.error, !=, 0);
            return f.error;
        }
        budget -= n;
        if ((w == 0 && n == 0) || budget <= 0)
            return 0;
    }
}

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static void test_wraparound(void)
{
    struct ring_env r;
    g_autofree char *a = NULL, *b = NULL, *c = NULL;

    /* Just below 2^32 and not aligned to the buffer. */
    ring_env_init(&r, 0xfffffff0u - 7);
    guest_request(&r, XS_WRITE, ARGS("data", "through the ring"));
    guest_request(&r, XS_READ, ARGS("data"));
    guest_request(&r, XS_GET_DOMAIN_PATH, ARGS("5"));
    g_assert_cmpuint(service(&r, 1 << 20), ==, 0);
    g_assert_cmpuint(r.intf->req_cons, ==, r.intf->req_prod);
    a = guest_reply(&r);
    b = guest_reply(&r);
    c = guest_reply(&r);
    g_assert_cmpstr(a, ==, "OK|");
    g_assert_cmpstr(b, ==, "through the ring");
    g_assert_cmpstr(c, ==, "/local/domain/5|");
    g_assert_cmpuint(rsp_used(&r), ==, 0);
    ring_env_free(&r);
}

/* A reply larger than the ring goes out as the guest makes room. */
static void test_large_reply(void)
{
    struct ring_env r;
    g_autofree char *big = g_malloc(3001);
    g_autofree char *got = NULL;
    struct xsd_sockmsg h;
    GString *g = g_string_new(NULL);

    ring_env_init(&r, 1000);
    memset(big, 'v', 3000);
    big[3000] = '\0';
    xsd_store_write_node(r.e.s, "/local/domain/5/big", big, 3000, NULL, XSD_NO_GEN);
    guest_request(&r, XS_READ, ARGS("big"));
    g_assert_cmpuint(service(&r, 1 << 20), ==, 0);
    g_assert_cmpuint(rsp_used(&r), ==, XENSTORE_RING_SIZE);
    guest_get(&r, &h, sizeof(h));
    g_assert_cmpuint(h.len, ==, 3000);
    while (g->len < 3000) {
        char chunk[XENSTORE_RING_SIZE];
        size_t n = MIN(rsp_used(&r), 3000 - g->len);

        g_assert_cmpuint(n, >, 0);
        guest_get(&r, chunk, n);
        g_string_append_len(g, chunk, (gssize)n);
        g_assert_cmpuint(service(&r, 1 << 20), ==, 0);
    }
    got = g_string_free(g, FALSE);
    g_assert_cmpint(memcmp(got, big, 3000), ==, 0);
    g_assert_cmpuint(rsp_used(&r), ==, 0);
    ring_env_free(&r);
}

/* Half a header, then the rest: a slow guest, served when it is done. */
static void test_truncated(void)
{
    struct ring_env r;
    struct xsd_sockmsg h = { .type = XS_READ, .req_id = 9, .len = 6 };
    g_autofree char *a = NULL;

    ring_env_init(&r, 0);
    xsd_store_write_node(r.e.s, "/local/domain/5/x", "1", 1, NULL, XSD_NO_GEN);
    guest_put(&r, &h, 10);
    g_assert_cmpuint(service(&r, 1 << 20), ==, 0);
    g_assert_cmpuint(r.intf->req_cons, ==, 10);
    g_assert_cmpuint(rsp_used(&r), ==, 0);
    g_assert_false(r.guest->dead);
    guest_put(&r, (char *)&h + 10, sizeof(h) - 10);
    guest_put(&r, "x\0", 2);
    g_assert_cmpuint(service(&r, 1 << 20), ==, 0);
    g_assert_cmpuint(rsp_used(&r), ==, 0);       /* 4 payload bytes to come */
    guest_put(&r, "yzw\0", 4);
    g_assert_cmpuint(service(&r, 1 << 20), ==, 0);
    a = guest_reply(&r);
    g_assert_cmpstr(a, ==, "E:EINVAL");          /* "x\0yzw\0": two strings */
    ring_env_free(&r);
}

struct bad_case {
    const char *name;
    uint32_t req_prod_delta;   /* req_prod = req_cons + this */
    uint32_t rsp_prod_delta;   /* rsp_prod = rsp_cons + this */
    uint32_t error;
};

static const struct bad_case bad_cases[] = {
    { "request indices one past the ring", XENSTORE_RING_SIZE + 1, 0, XENSTORE_ERROR_RINGIDX },
    { "request producer behind the consumer", (uint32_t)-1, 0, XENSTORE_ERROR_RINGIDX },
    { "reply indices one past the ring", 0, XENSTORE_RING_SIZE + 1, XENSTORE_ERROR_RINGIDX },
    { "reply producer behind the consumer", 0, (uint32_t)-5, XENSTORE_ERROR_RINGIDX },
    { "a full request ring of zeroes is fine", XENSTORE_RING_SIZE, 0, 0 },
    { "a full reply ring is fine", 0, XENSTORE_RING_SIZE, 0 },
};

static void test_bad_indices(void)
{
    for (unsigned i = 0; i < G_N_ELEMENTS(bad_cases); i++) {
        const struct bad_case *b = &bad_cases[i];
        struct ring_env r;
        uint32_t err;

        ring_env_init(&r, 77 * i);
        r.intf->req_prod = r.intf->req_cons + b->req_prod_delta;
        r.intf->rsp_prod = r.intf->rsp_cons + b->rsp_prod_delta;
        err = service(&r, 1 << 20);
        if (err != b->error)
            g_error("%s: error %u, wanted %u", b->name, err, b->error);
        ring_env_free(&r);
    }
}

static void test_oversized(void)
{
    struct ring_env r;
    struct xsd_sockmsg h = { .type = XS_WRITE, .req_id = 1, .len = XENSTORE_PAYLOAD_MAX + 1 };

    ring_env_init(&r, 5);
    guest_put(&r, &h, sizeof(h));
    guest_put(&r, "junk", 4);
    g_assert_cmpuint(service(&r, 1 << 20), ==, XENSTORE_ERROR_PROTO);
    g_assert_true(r.guest->dead);
    g_assert_cmpuint(r.e.s->stats.bad_clients, ==, 1);
    ring_env_free(&r);
}

/* A guest that never reads its replies: reading stops at the outstanding
 * quota once the reply ring is full, and goes on when it makes room. */
static void test_throttle(void)
{
    struct ring_env r;
    char big[1000];
    uint32_t left;

    ring_env_init(&r, 0);
    r.e.s->quota[XSD_Q_OUTSTANDING] = 3;
    memset(big, 'b', sizeof(big));
    xsd_store_write_node(r.e.s, "/local/domain/5/big", big, sizeof(big), NULL, XSD_NO_GEN);
    for (int i = 0; i < 20; i++)
        guest_request(&r, XS_READ, ARGS("big"));
    g_assert_cmpuint(service(&r, 1 << 20), ==, 0);
    g_assert_cmpuint(rsp_used(&r), ==, XENSTORE_RING_SIZE);
    left = r.intf->req_prod - r.intf->req_cons;
    g_assert_cmpuint(left, ==, (20 - 4) * (16 + 4));  /* 1 out, 3 waiting */
    g_assert_true(r.guest->throttled);
    /* The guest reads everything, a little at a time. */
    while (r.intf->req_cons != r.intf->req_prod || rsp_used(&r)) {
        char sink[512];
        uint32_t n = MIN(rsp_used(&r), sizeof(sink));

        g_assert_cmpuint(n, >, 0);
        guest_get(&r, sink, n);
        g_assert_cmpuint(service(&r, 1 << 20), ==, 0);
    }
    ring_env_free(&r);
}

/* One service stops near its budget; the next goes on. */
static void test_budget(void)
{
    struct ring_env r;
    long n, m;
    struct xsd_ring_fault f;

    ring_env_init(&r, 0);
    for (int i = 0; i < 10; i++)
        guest_request(&r, XS_GET_DOMAIN_PATH, ARGS("5"));     /* 18 bytes each */
    n = xsd_ring_read_input(r.intf, r.guest, 40, &f);
    g_assert_cmpint(n, >=, 40);
    g_assert_cmpint(n, <, 40 + 18);
    m = xsd_ring_read_input(r.intf, r.guest, 1 << 20, &f);
    g_assert_cmpint(n + m, ==, 10 * 18);
    ring_env_free(&r);
}

static void test_reconnect_page(void)
{
    struct xenstore_domain_interface *intf = g_malloc0(sizeof(*intf));

    intf->connection = 7;
    intf->error = 3;
    intf->server_features = 0x100;              /* bits are never cleared */
    xsd_ring_page_connect(intf);
    g_assert_cmpuint(intf->server_features, ==, 0x100 | XSD_RING_FEATURES);
    g_assert_cmpuint(intf->connection, ==, XENSTORE_CONNECTED);
    g_assert_cmpuint(intf->error, ==, XENSTORE_ERROR_NONE);
    g_assert_false(xsd_ring_page_wants_reset(intf));

    /* A reconnection asked before we came stays asked. */
    intf->connection = XENSTORE_RECONNECT;
    intf->req_prod = 99;
    intf->rsp_cons = 12;
    xsd_ring_page_connect(intf);
    g_assert_true(xsd_ring_page_wants_reset(intf));
    xsd_ring_page_reset(intf);
    g_assert_false(xsd_ring_page_wants_reset(intf));
    g_assert_cmpuint(intf->req_cons | intf->req_prod | intf->rsp_cons | intf->rsp_prod, ==, 0);
    g_free(intf);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    xk_log_set_level(XK_LOG_ERROR);
    g_test_add_func("/ring/wraparound", test_wraparound);
    g_test_add_func("/ring/large-reply", test_large_reply);
    g_test_add_func("/ring/truncated", test_truncated);
    g_test_add_func("/ring/bad-indices", test_bad_indices);
    g_test_add_func("/ring/oversized", test_oversized);
    g_test_add_func("/ring/throttle", test_throttle);
    g_test_add_func("/ring/budget", test_budget);
    g_test_add_func("/ring/reconnect-page", test_reconnect_page);
    return g_test_run();
}
