/* The guest kit's byte rings (guest/kit/ring.c, built here for the host):
 * free-running 32-bit indices, wrap-around of the indices and of the
 * buffer, partial puts and gets, and peers that break the indices. */
#include <glib.h>
#include <stdint.h>
#include <string.h>

#include "../guest/kit/ring.c"

#define SIZE 64u

struct ring {
    char buf[SIZE];
    volatile uint32_t cons, prod;
};

static void ring_at(struct ring *r, uint32_t start)
{
    memset(r->buf, 0xaa, sizeof(r->buf));
    r->cons = r->prod = start;
}

static void test_roundtrip(void)
{
    /* starting below 2^32 so the indices wrap during the test */
    static const uint32_t starts[] = {0, 5, SIZE - 3, UINT32_MAX - 10};
    char out[SIZE * 2];

    for (size_t s = 0; s < G_N_ELEMENTS(starts); s++) {
        struct ring r;

        ring_at(&r, starts[s]);
        for (int round = 0; round < 10; round++) {
            char in[40];

            for (size_t i = 0; i < sizeof(in); i++)
                in[i] = (char)(round * 40 + i);
            g_assert_cmpint(kit_ring_put(r.buf, SIZE, &r.cons, &r.prod, in, sizeof(in)),
                            ==, sizeof(in));
            g_assert_cmpuint(kit_ring_used(&r.cons, &r.prod), ==, sizeof(in));
            g_assert_cmpint(kit_ring_get(r.buf, SIZE, &r.cons, &r.prod, out, sizeof(out)),
                            ==, sizeof(in));
            g_assert_cmpmem(out, sizeof(in), in, sizeof(in));
            g_assert_cmpuint(r.cons, ==, r.prod);
        }
    }
}

static void test_full_and_empty(void)
{
    struct ring r;
    char in[SIZE + 10], out[SIZE + 10];

    for (size_t i = 0; i < sizeof(in); i++)
        in[i] = (char)i;
    ring_at(&r, UINT32_MAX - 1);
    g_assert_cmpint(kit_ring_get(r.buf, SIZE, &r.cons, &r.prod, out, 5), ==, 0);
    /* only SIZE bytes fit */
    g_assert_cmpint(kit_ring_put(r.buf, SIZE, &r.cons, &r.prod, in, sizeof(in)), ==, SIZE);
    g_assert_cmpint(kit_ring_put(r.buf, SIZE, &r.cons, &r.prod, in, 1), ==, 0);
    g_assert_cmpuint(kit_ring_used(&r.cons, &r.prod), ==, SIZE);
    /* a partial get frees exactly that much room */
    g_assert_cmpint(kit_ring_get(r.buf, SIZE, &r.cons, &r.prod, out, 7), ==, 7);
    g_assert_cmpmem(out, 7, in, 7);
    g_assert_cmpint(kit_ring_put(r.buf, SIZE, &r.cons, &r.prod, in + SIZE, 10), ==, 7);
    g_assert_cmpint(kit_ring_get(r.buf, SIZE, &r.cons, &r.prod, out, sizeof(out)), ==, SIZE);
    g_assert_cmpmem(out, SIZE - 7, in + 7, SIZE - 7);
    g_assert_cmpmem(out + SIZE - 7, 7, in + SIZE, 7);
}

static void test_discard(void)
{
    struct ring r;
    char out[8];

    ring_at(&r, 60);
    g_assert_cmpint(kit_ring_put(r.buf, SIZE, &r.cons, &r.prod, "abcdefgh", 8), ==, 8);
    g_assert_cmpint(kit_ring_get(r.buf, SIZE, &r.cons, &r.prod, NULL, 3), ==, 3);
    g_assert_cmpint(kit_ring_get(r.buf, SIZE, &r.cons, &r.prod, out, sizeof(out)), ==, 5);
    g_assert_cmpmem(out, 5, "defgh", 5);
}

static void test_broken_peer(void)
{
    struct ring r;
    char buf[8] = "xxxxxxx";

    /* more than SIZE bytes claimed in flight: refused, indices untouched */
    ring_at(&r, 100);
    r.prod = 100 + SIZE + 1;
    g_assert_cmpint(kit_ring_get(r.buf, SIZE, &r.cons, &r.prod, buf, sizeof(buf)), ==, -1);
    g_assert_cmpuint(r.cons, ==, 100);
    r.prod = 100;
    r.cons = 101; /* consumer ahead of the producer */
    g_assert_cmpint(kit_ring_put(r.buf, SIZE, &r.cons, &r.prod, buf, sizeof(buf)), ==, -1);
    g_assert_cmpuint(r.prod, ==, 100);
}

/* A producer and a consumer taking random bites of one long stream. */
static void test_random_stream(void)
{
    GRand *rng = g_rand_new_with_seed(1);

    for (int run = 0; run < 50; run++) {
        struct ring r;
        uint8_t in[4096], out[4096];
        size_t put = 0, got = 0;

        for (size_t i = 0; i < sizeof(in); i++)
            in[i] = (uint8_t)g_rand_int(rng);
        ring_at(&r, g_rand_int(rng));
        while (got < sizeof(in)) {
            size_t want = (size_t)g_rand_int_range(rng, 0, SIZE + 20);
            long n;

            if (want > sizeof(in) - put)
                want = sizeof(in) - put;
            n = kit_ring_put(r.buf, SIZE, &r.cons, &r.prod, in + put, want);
            g_assert_cmpint(n, >=, 0);
            put += (size_t)n;
            want = (size_t)g_rand_int_range(rng, 0, SIZE + 20);
            n = kit_ring_get(r.buf, SIZE, &r.cons, &r.prod, out + got,
                             MIN(want, sizeof(out) - got));
            g_assert_cmpint(n, >=, 0);
            got += (size_t)n;
            g_assert_cmpuint(kit_ring_used(&r.cons, &r.prod), ==, put - got);
        }
        g_assert_cmpmem(out, sizeof(out), in, sizeof(in));
    }
    g_rand_free(rng);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/guest/ring/roundtrip", test_roundtrip);
    g_test_add_func("/guest/ring/full-and-empty", test_full_and_empty);
    g_test_add_func("/guest/ring/discard", test_discard);
    g_test_add_func("/guest/ring/broken-peer", test_broken_peer);
    g_test_add_func("/guest/ring/random-stream", test_random_stream);
    return g_test_run();
}
