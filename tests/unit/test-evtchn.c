/* Event channels without KVM: the port state machine, limits, and the
 * 2-level pending/mask logic in both shared-info layouts. */
#include "config.h"

#include <errno.h>
#include <glib.h>
#include <stdint.h>
#include <string.h>

#include <xen/foreign/x86_32.h>
#include <xen/foreign/x86_64.h>

#include "evtchn.h"

struct fake {
    struct evtchn_dom ed;
    uint8_t shinfo[4096] __attribute__((aligned(64)));
    unsigned upcalls[4];
    unsigned wakes;
};

static void upcall(struct evtchn_dom *ed, unsigned vcpu)
{
    ((struct fake *)ed->ctx)->upcalls[vcpu]++;
}

static void wake(struct evtchn_dom *ed, uint32_t port)
{
    (void)port;
    ((struct fake *)ed->ctx)->wakes++;
}

static const struct evtchn_ops ops = { .upcall = upcall, .wake_pollers = wake };

static void fake_init(struct fake *f, domid_t id, uint32_t max_port, bool compat)
{
    memset(f, 0, sizeof(*f));
    g_assert_cmpint(evtchn_dom_init(&f->ed, id, 4, max_port, &ops, f), ==, 0);
    evtchn_set_shinfo(&f->ed, f->shinfo, compat);
    size_t vsz = compat ? sizeof(struct vcpu_info_x86_32) : sizeof(struct vcpu_info_x86_64);
    for (unsigned v = 0; v < 4; v++)
        evtchn_set_vcpu_info(&f->ed, v, f->shinfo + v * vsz);
}

static void test_bits(void)
{
    for (int compat = 0; compat <= 1; compat++) {
        uint8_t s[4096] = { 0 };
        uint8_t *vi = s;               /* vcpu_info[0] */
        /* First pending port raises the upcall; the second does not. */
        g_assert_true(evtchn_2l_set_pending(s, compat, vi, 5));
        g_assert_true(evtchn_2l_is_pending(s, compat, 5));
        g_assert_cmpuint(vi[0], ==, 1);
        g_assert_false(evtchn_2l_set_pending(s, compat, vi, 6));
        /* Masked: pending is recorded, no upcall; unmask re-raises. */
        uint8_t *mask = s + (compat ? offsetof(struct shared_info_x86_32, evtchn_mask)
                                    : offsetof(struct shared_info_x86_64, evtchn_mask));
        vi[0] = 0;
        memset(vi + (compat ? 4 : 8), 0, compat ? 4 : 8);     /* selector */
        mask[100 / 8] |= 1u << (100 % 8);
        g_assert_false(evtchn_2l_set_pending(s, compat, vi, 100));
        g_assert_true(evtchn_2l_is_masked(s, compat, 100));
        g_assert_cmpuint(vi[0], ==, 0);
        g_assert_true(evtchn_2l_unmask(s, compat, vi, 100));
        g_assert_cmpuint(vi[0], ==, 1);
        /* The selector bit is the bitmap word holding the port. */
        uint8_t *sel = vi + (compat ? 4 : 8);
        unsigned word = 100 / (compat ? 32 : 64);
        g_assert_true(sel[word / 8] & (1u << (word % 8)));
        evtchn_2l_clear_pending(s, compat, 100);
        g_assert_false(evtchn_2l_is_pending(s, compat, 100));
    }
}

static void test_states(void)
{
    static struct fake a, b;
    struct evtchn_status st;
    uint32_t pa, pb, pv, pi, p;

    fake_init(&a, 1, 1023, false);
    fake_init(&b, 2, 1023, false);
    /* Unbound -> interdomain; only the named domain may bind. */
    g_assert_cmpint(evtchn_alloc_unbound(&a.ed, 2, &pa), ==, 0);
    g_assert_cmpuint(pa, ==, 1);                       /* port 0 is reserved */
    g_assert_cmpint(evtchn_bind_interdomain(&a.ed, &a.ed, pa, &p), ==, -EINVAL);
    g_assert_cmpint(evtchn_bind_interdomain(&b.ed, &a.ed, 77, &p), ==, -EINVAL);
    g_assert_cmpint(evtchn_bind_interdomain(&b.ed, &a.ed, pa, &pb), ==, 0);
    g_assert_cmpuint(b.upcalls[0], ==, 1);             /* raised at bind */
    st.port = pa;
    g_assert_cmpint(evtchn_status(&a.ed, &st), ==, 0);
    g_assert_cmpuint(st.status, ==, EVTCHNSTAT_interdomain);
    g_assert_cmpuint(st.u.interdomain.dom, ==, 2);
    g_assert_cmpuint(st.u.interdomain.port, ==, pb);
    /* send reaches the peer. */
    g_assert_cmpint(evtchn_send(&a.ed, pa), ==, 0);
    g_assert_true(evtchn_2l_is_pending(b.shinfo, false, pb));
    /* Closing one end leaves the other unbound, waiting for us. */
    g_assert_cmpint(evtchn_close(&b.ed, pb), ==, 0);
    st.port = pa;
    evtchn_status(&a.ed, &st);
    g_assert_cmpuint(st.status, ==, EVTCHNSTAT_unbound);
    g_assert_cmpuint(st.u.unbound.dom, ==, 2);
    g_assert_cmpint(evtchn_send(&a.ed, pa), ==, 0);   /* unbound: dropped */
    g_assert_cmpint(evtchn_close(&b.ed, pb), ==, -EINVAL);
    /* VIRQs: per-vCPU TIMER, global ones only on vCPU 0, no duplicates. */
    g_assert_cmpint(evtchn_bind_virq(&a.ed, VIRQ_TIMER, 2, &pv), ==, 0);
    g_assert_cmpint(evtchn_bind_virq(&a.ed, VIRQ_TIMER, 2, &p), ==, -EEXIST);
    g_assert_cmpint(evtchn_bind_virq(&a.ed, VIRQ_TIMER, 9, &p), ==, -ENOENT);
    g_assert_cmpint(evtchn_bind_virq(&a.ed, VIRQ_CONSOLE, 1, &p), ==, -EINVAL);
    g_assert_cmpint(evtchn_bind_virq(&a.ed, NR_VIRQS, 0, &p), ==, -EINVAL);
    g_assert_cmpuint(evtchn_send_virq(&a.ed, VIRQ_TIMER, 2), ==, pv);
    g_assert_cmpuint(a.upcalls[2], ==, 1);
    g_assert_cmpint(evtchn_send(&a.ed, pv), ==, -EINVAL);   /* cannot send a VIRQ */
    g_assert_cmpint(evtchn_bind_vcpu(&a.ed, pv, 1), ==, -EINVAL);
    /* IPIs go to their own vCPU. */
    g_assert_cmpint(evtchn_bind_ipi(&a.ed, 3, &pi), ==, 0);
    g_assert_cmpint(evtchn_send(&a.ed, pi), ==, 0);
    g_assert_cmpuint(a.upcalls[3], ==, 1);
    /* bind_vcpu moves an unbound port. */
    g_assert_cmpint(evtchn_bind_vcpu(&a.ed, pa, 3), ==, 0);
    st.port = pa;
    evtchn_status(&a.ed, &st);
    g_assert_cmpuint(st.vcpu, ==, 3);
    /* Invalid ports. */
    g_assert_cmpint(evtchn_close(&a.ed, 0), ==, -EINVAL);
    g_assert_cmpint(evtchn_close(&a.ed, 5000), ==, -EINVAL);
    g_assert_cmpint(evtchn_unmask(&a.ed, 900), ==, -EINVAL);
    /* Priorities are for FIFO only. */
    g_assert_cmpint(evtchn_set_priority(&a.ed, pi, 3), ==, -ENOSYS);
    evtchn_dom_destroy(&a.ed);
    evtchn_dom_destroy(&b.ed);
}

static void test_limits(void)
{
    static struct fake a;
    uint32_t p, n = 0;

    fake_init(&a, 1, 63, false);
    while (evtchn_bind_ipi(&a.ed, 0, &p) == 0)
        n++;
    g_assert_cmpuint(n, ==, 63);                       /* ports 1..63 */
    g_assert_cmpint(evtchn_alloc_unbound(&a.ed, 0, &p), ==, -ENOSPC);
    g_assert_cmpint(evtchn_close(&a.ed, 40), ==, 0);
    g_assert_cmpint(evtchn_alloc_unbound(&a.ed, 0, &p), ==, 0);
    g_assert_cmpuint(p, ==, 40);                       /* lowest free port */
    evtchn_dom_destroy(&a.ed);
    /* The 2-level ABI caps 32-bit guests at 1024 ports. */
    fake_init(&a, 1, 4095, true);
    n = 0;
    while (evtchn_bind_ipi(&a.ed, 0, &p) == 0)
        n++;
    g_assert_cmpuint(n, ==, 1023);
    evtchn_dom_destroy(&a.ed);
}

static void test_destroy_unbinds_peer(void)
{
    static struct fake a, b;
    struct evtchn_status st;
    uint32_t pa, pb;

    fake_init(&a, 1, 1023, false);
    fake_init(&b, 2, 1023, true);
    evtchn_alloc_unbound(&a.ed, 2, &pa);
    g_assert_cmpint(evtchn_bind_interdomain(&b.ed, &a.ed, pa, &pb), ==, 0);
    /* b is 32-bit: the bit lands in its 32-bit layout. */
    evtchn_send(&a.ed, pa);
    g_assert_true(evtchn_2l_is_pending(b.shinfo, true, pb));
    evtchn_dom_destroy(&b.ed);
    st.port = pa;
    evtchn_status(&a.ed, &st);
    g_assert_cmpuint(st.status, ==, EVTCHNSTAT_unbound);
    g_assert_cmpint(evtchn_send(&a.ed, pa), ==, 0);
    evtchn_dom_destroy(&a.ed);
}

/* FIFO: a guest's consumer, written from the ABI: take the queue's head
 * once, then follow links, clearing LINKED as each event is taken. */
static uint32_t fifo_consume(struct evtchn_fifo_control_block *cb, uint32_t *words,
                             unsigned prio, uint32_t *out, unsigned max)
{
    unsigned n = 0;
    uint32_t port = __atomic_exchange_n(&cb->head[prio], 0, __ATOMIC_SEQ_CST);

    while (port && n < max) {
        uint32_t old = __atomic_load_n(&words[port], __ATOMIC_SEQ_CST), nw;
        do {
            nw = old & ~((1u << EVTCHN_FIFO_LINKED) | EVTCHN_FIFO_LINK_MASK);
        } while (!__atomic_compare_exchange_n(&words[port], &old, nw, false, __ATOMIC_SEQ_CST,
                                              __ATOMIC_SEQ_CST));
        __atomic_fetch_and(&words[port], ~(1u << EVTCHN_FIFO_PENDING), __ATOMIC_SEQ_CST);
        out[n++] = port;
        port = old & EVTCHN_FIFO_LINK_MASK;
    }
    __atomic_fetch_and(&cb->ready, ~(1u << prio), __ATOMIC_SEQ_CST);
    return n;
}

static void test_fifo(void)
{
    static struct fake a;
    static uint32_t cbpage[1024] __attribute__((aligned(4096)));
    static uint32_t array[1024] __attribute__((aligned(4096)));
    struct evtchn_fifo_control_block *cb;
    uint32_t p1, p2, p3, got[8];

    fake_init(&a, 1, 4095, false);
    memset(cbpage, 0, sizeof(cbpage));
    memset(array, 0, sizeof(array));
    /* Argument validation. */
    g_assert_cmpint(evtchn_fifo_init_control(&a.ed, 9, cbpage, 0), ==, -ENOENT);
    g_assert_cmpint(evtchn_fifo_init_control(&a.ed, 0, cbpage, 3), ==, -EINVAL);
    g_assert_cmpint(evtchn_fifo_init_control(&a.ed, 0, cbpage, 4090), ==, -EINVAL);
    g_assert_cmpint(evtchn_fifo_init_control(&a.ed, 0, NULL, 0), ==, -EINVAL);
    g_assert_cmpint(evtchn_fifo_expand_array(&a.ed, array), ==, -EINVAL);   /* not FIFO yet */
    /* A port pending in the 2-level bitmap is carried over. */
    g_assert_cmpint(evtchn_bind_ipi(&a.ed, 0, &p1), ==, 0);
    evtchn_send(&a.ed, p1);
    g_assert_cmpint(evtchn_fifo_init_control(&a.ed, 0, cbpage, 64), ==, 0);
    g_assert_cmpint(evtchn_fifo_init_control(&a.ed, 0, cbpage, 64), ==, -EINVAL);
    cb = (struct evtchn_fifo_control_block *)((uint8_t *)cbpage + 64);
    a.upcalls[0] = 0;
    ((uint8_t *)a.ed.vcpu_info[0])[0] = 0;
    g_assert_cmpint(evtchn_fifo_expand_array(&a.ed, array), ==, 0);
    g_assert_cmpuint(cb->head[EVTCHN_FIFO_PRIORITY_DEFAULT], ==, p1);
    g_assert_true(cb->ready & (1u << EVTCHN_FIFO_PRIORITY_DEFAULT));
    g_assert_cmpuint(a.upcalls[0], ==, 1);
    g_assert_cmpuint(fifo_consume(cb, array, EVTCHN_FIFO_PRIORITY_DEFAULT, got, 8), ==, 1);
    /* Two events queue in order: the second is linked after the first. */
    g_assert_cmpint(evtchn_bind_ipi(&a.ed, 0, &p2), ==, 0);
    g_assert_cmpint(evtchn_bind_ipi(&a.ed, 0, &p3), ==, 0);
    evtchn_send(&a.ed, p2);
    evtchn_send(&a.ed, p3);
    evtchn_send(&a.ed, p2);                      /* already queued: once */
    g_assert_cmpuint(fifo_consume(cb, array, EVTCHN_FIFO_PRIORITY_DEFAULT, got, 8), ==, 2);
    g_assert_cmpuint(got[0], ==, p2);
    g_assert_cmpuint(got[1], ==, p3);
    /* After the queue drained, a new event starts it again at the head. */
    evtchn_send(&a.ed, p3);
    g_assert_cmpuint(cb->head[EVTCHN_FIFO_PRIORITY_DEFAULT], ==, p3);
    g_assert_cmpuint(fifo_consume(cb, array, EVTCHN_FIFO_PRIORITY_DEFAULT, got, 8), ==, 1);
    /* Masked: pending but not queued; unmask queues it. */
    array[p2] |= 1u << EVTCHN_FIFO_MASKED;
    evtchn_send(&a.ed, p2);
    g_assert_true(evtchn_is_pending(&a.ed, p2));
    g_assert_cmpuint(cb->head[EVTCHN_FIFO_PRIORITY_DEFAULT], ==, 0);
    array[p2] &= ~(1u << EVTCHN_FIFO_MASKED);
    g_assert_cmpint(evtchn_unmask(&a.ed, p2), ==, 0);
    g_assert_cmpuint(cb->head[EVTCHN_FIFO_PRIORITY_DEFAULT], ==, p2);
    fifo_consume(cb, array, EVTCHN_FIFO_PRIORITY_DEFAULT, got, 8);
    /* Linux's way: the word stays masked and the hypercall unmasks it. */
    array[p2] |= 1u << EVTCHN_FIFO_MASKED;
    evtchn_send(&a.ed, p2);
    g_assert_cmpuint(cb->head[EVTCHN_FIFO_PRIORITY_DEFAULT], ==, 0);
    g_assert_cmpint(evtchn_unmask(&a.ed, p2), ==, 0);
    g_assert_false(array[p2] & (1u << EVTCHN_FIFO_MASKED));
    g_assert_cmpuint(cb->head[EVTCHN_FIFO_PRIORITY_DEFAULT], ==, p2);
    fifo_consume(cb, array, EVTCHN_FIFO_PRIORITY_DEFAULT, got, 8);
    /* Priorities pick the queue. */
    g_assert_cmpint(evtchn_set_priority(&a.ed, p3, 16), ==, -EINVAL);
    g_assert_cmpint(evtchn_set_priority(&a.ed, p3, 2), ==, 0);
    evtchn_send(&a.ed, p3);
    g_assert_cmpuint(cb->head[2], ==, p3);
    g_assert_true(cb->ready & (1u << 2));
    /* Ports beyond the array are carried until it grows. */
    uint32_t far;
    for (uint32_t i = 0; i < 1100; i++)
        g_assert_cmpint(evtchn_bind_ipi(&a.ed, 0, &far), ==, 0);
    g_assert_cmpuint(far, >=, 1024);
    evtchn_send(&a.ed, far);
    g_assert_false(evtchn_is_pending(&a.ed, far));
    evtchn_dom_destroy(&a.ed);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/evtchn/2l-bits", test_bits);
    g_test_add_func("/evtchn/states", test_states);
    g_test_add_func("/evtchn/limits", test_limits);
    g_test_add_func("/evtchn/destroy-unbinds-peer", test_destroy_unbinds_peer);
    g_test_add_func("/evtchn/fifo", test_fifo);
    return g_test_run();
}
