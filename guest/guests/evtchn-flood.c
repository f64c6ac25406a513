/* evtchn-flood: a domain that exhausts, closes and reallocates its event
 * channels, floods loopback channels, masks and unmasks them, and checks
 * that the hypervisor stays consistent.  Command line: max_port=N (the
 * highest port the domain's limit allows, checked when given),
 * cycles=N (3), pairs=N (64), rounds=N (20), timeout=S (30).
 *
 *   evtchn-flood: cycle C ports=N highest=H then -ENOSPC
 *   evtchn-flood: flood pairs=K rounds=R events=E
 *   evtchn-flood: masked sends=S delivered after unmask=K
 *   evtchn-flood: OK ports=N highest=H cycles=C pairs=K rounds=R abi=A
 *
 * Cycle: EVTCHNOP_alloc_unbound (remote DOMID_SELF) until it fails, which
 * must be with -ENOSPC, below the 2-level limit of 4096 ports and at
 * max_port when given, every port distinct; then EVTCHNOP_close of each,
 * which must succeed once and fail a second time.  Every cycle must get as
 * many ports as the first (nothing leaks).  Flood: K loopback channels
 * (alloc_unbound + bind_interdomain to ourselves); each round sends on
 * both ends of each and waits until each of the 2K ports got exactly one
 * more event.  Mask: events sent three times to masked ports are pending
 * but not delivered, and each is delivered exactly once on unmask.  Then
 * error cases (send/close on closed ports, a second VIRQ_TIMER binding,
 * out-of-range ports) must fail and a last allocation must work.
 * "evtchn-flood: FAIL: ..." crashes; "evtchn-flood: SKIP: ..." when
 * EVTCHNOP_alloc_unbound returns -ENOSYS (poweroff). */
#include "kit.h"

static uint32_t *ports;          /* KIT_EVTCHN_MAX */
static uint64_t *seen_map;       /* KIT_EVTCHN_MAX bits */
static volatile uint64_t events; /* flood events handled */
static uint64_t deadline;

#define FAIL(...)                                                              \
    do {                                                                       \
        printf("evtchn-flood: FAIL: " __VA_ARGS__);                            \
        return -1;                                                             \
    } while (0)

static void on_event(unsigned int port, void *arg)
{
    (void)port;
    (void)arg;
    events++;
}

/* Ourselves as the remote end: our domain id when CPUID gives it. */
static domid_t self_id(void)
{
    return kit_domid() >= 0 ? (domid_t)kit_domid() : DOMID_SELF;
}

static long alloc_unbound(uint32_t *port)
{
    struct evtchn_alloc_unbound op = {.dom = DOMID_SELF,
                                      .remote_dom = self_id()};
    long rc = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &op);

    *port = op.port;
    return rc;
}

static long close_port(uint32_t port)
{
    struct evtchn_close op = {.port = port};

    return HYPERVISOR_event_channel_op(EVTCHNOP_close, &op);
}

/* One exhaust-and-close cycle; returns the number of ports, or -1. */
static long cycle(unsigned int c, uint32_t *highest)
{
    struct evtchn_status st;
    uint32_t n = 0, hi = 0, i;
    long rc;

    memset(seen_map, 0, KIT_EVTCHN_MAX / 8);
    for (;;) {
        uint32_t p;

        rc = alloc_unbound(&p);
        if (rc)
            break;
        if (p == 0 || p >= KIT_EVTCHN_MAX)
            FAIL("cycle %u: got port %u, outside 1..%u\n", c, p,
                 KIT_EVTCHN_MAX - 1);
        if (seen_map[p / 64] >> (p % 64) & 1)
            FAIL("cycle %u: port %u handed out twice\n", c, p);
        seen_map[p / 64] |= 1ull << (p % 64);
        ports[n++] = p;
        hi = p > hi ? p : hi;
    }
    if (rc == -XEN_ENOSYS && n == 0)
        return -XEN_ENOSYS;
    if (rc != -XEN_ENOSPC)
        FAIL("cycle %u: EVTCHNOP_alloc_unbound failed with %ld (%s) after %u "
             "ports, not -ENOSPC\n",
             c, rc, kit_errname(rc), n);
    printf("evtchn-flood: cycle %u ports=%u highest=%u then -ENOSPC\n", c, n,
           hi);
    if (n == 0)
        FAIL("cycle %u: no port at all\n", c);
    rc = kit_evtchn_status(ports[n - 1], &st);
    if (rc || st.status != EVTCHNSTAT_unbound ||
        (kit_domid() >= 0 && st.u.unbound.dom != self_id()))
        FAIL("cycle %u: status of port %u: rc %ld status %u dom %u, not "
             "unbound to d%d\n",
             c, ports[n - 1], rc, st.status, st.u.unbound.dom, kit_domid());
    for (i = 0; i < n; i++) {
        rc = close_port(ports[i]);
        if (rc)
            FAIL("cycle %u: EVTCHNOP_close(%u): %ld (%s)\n", c, ports[i], rc,
                 kit_errname(rc));
    }
    rc = close_port(ports[0]);
    if (rc >= 0)
        FAIL("cycle %u: closing port %u twice: %ld, not an error\n", c,
             ports[0], rc);
    rc = kit_evtchn_status(ports[0], &st);
    if (rc || st.status != EVTCHNSTAT_closed)
        FAIL("cycle %u: status of closed port %u: rc %ld status %u\n", c,
             ports[0], rc, st.status);
    *highest = hi;
    return n;
}

/* Waits until `events` reaches want (interrupts enabled meanwhile). */
static int wait_events(uint64_t want)
{
    int timer = kit_timer_port() > 0 && kit_wait_mode == KIT_WAIT_IRQ;

    if (timer)
        kit_timer_singleshot(deadline, 0);
    for (;;) {
        kit_cli();
        if (kit_wait_mode != KIT_WAIT_IRQ)
            kit_evtchn_poll();
        if (events >= want)
            return 0;
        if (kit_now_ns() >= deadline)
            return -1;
        if (timer) {
            kit_sti_hlt();
        } else if (kit_wait_mode == KIT_WAIT_IRQ) {
            kit_sti(); /* spin, interrupts on meanwhile */
            while (events < want && kit_now_ns() < deadline)
                kit_pause();
        } else {
            kit_pause();
        }
    }
}

static int flood(unsigned int pairs, unsigned int rounds, uint64_t *out)
{
    uint32_t *a = ports, *b = ports + pairs;
    unsigned int i, r;
    uint64_t want = 0;
    long rc;

    for (i = 0; i < pairs; i++) {
        int pa = kit_evtchn_alloc_unbound(self_id(), on_event, NULL), pb;

        if (pa <= 0)
            FAIL("flood: alloc_unbound: %d (%s)\n", pa, kit_errname(pa));
        pb = kit_evtchn_bind_interdomain(self_id(), (unsigned int)pa,
                                         on_event, NULL);
        if (pb <= 0)
            FAIL("flood: bind_interdomain to own port %d: %d (%s)\n", pa, pb,
                 kit_errname(pb));
        /* binding sets the new port pending: not one of ours */
        kit_evtchn_clear((unsigned int)pb);
        a[i] = (uint32_t)pa;
        b[i] = (uint32_t)pb;
    }
    events = 0;
    for (r = 0; r < rounds; r++) {
        for (i = 0; i < pairs; i++) {
            rc = kit_evtchn_send(a[i]);
            if (!rc)
                rc = kit_evtchn_send(b[i]);
            if (rc)
                FAIL("flood: EVTCHNOP_send: %ld (%s)\n", rc, kit_errname(rc));
        }
        want += 2 * pairs;
        if (wait_events(want))
            FAIL("flood: round %u: %lu of %lu events\n", r, events, want);
    }
    for (i = 0; i < pairs; i++)
        if (kit_evtchn_count(a[i]) != kit_evtchn_count(b[i]))
            FAIL("flood: pair %u/%u: %u and %u events\n", a[i], b[i],
                 kit_evtchn_count(a[i]), kit_evtchn_count(b[i]));
    kit_cli();
    if (events != want)
        FAIL("flood: %lu events, not %lu\n", events, want);
    printf("evtchn-flood: flood pairs=%u rounds=%u events=%lu\n", pairs,
           rounds, events);

    /* masked: three sends each, pending but not delivered; one event each
     * on unmask */
    for (i = 0; i < pairs; i++)
        kit_evtchn_mask(a[i]);
    for (r = 0; r < 3; r++)
        for (i = 0; i < pairs; i++)
            if ((rc = kit_evtchn_send(b[i])))
                FAIL("mask: EVTCHNOP_send: %ld (%s)\n", rc, kit_errname(rc));
    want = events;
    kit_sleep_ns(2000000); /* upcalls may run: nothing may come */
    kit_cli();
    if (kit_wait_mode != KIT_WAIT_IRQ)
        kit_evtchn_poll();
    for (i = 0; i < pairs; i++)
        if (!kit_evtchn_is_pending(a[i]))
            FAIL("mask: masked port %u not pending after a send\n", a[i]);
    if (events != want)
        FAIL("mask: %lu events delivered through masked ports\n",
             events - want);
    for (i = 0; i < pairs; i++)
        kit_evtchn_unmask(a[i]);
    want += pairs;
    if (wait_events(want))
        FAIL("mask: %lu of %u events after unmask\n", events - (want - pairs),
             pairs);
    kit_sleep_ns(2000000); /* nothing more may come */
    kit_cli();
    if (kit_wait_mode != KIT_WAIT_IRQ)
        kit_evtchn_poll();
    if (events != want)
        FAIL("mask: %lu events after unmask, not %u\n",
             events - (want - pairs), pairs);
    printf("evtchn-flood: masked sends=%u delivered after unmask=%u\n",
           3 * pairs, pairs);

    /* closing one end leaves the other unbound */
    for (i = 0; i < pairs; i++) {
        struct evtchn_status st;

        if ((rc = kit_evtchn_close(a[i])))
            FAIL("close %u: %ld (%s)\n", a[i], rc, kit_errname(rc));
        rc = kit_evtchn_status(b[i], &st);
        if (rc || st.status != EVTCHNSTAT_unbound)
            FAIL("port %u after closing its peer %u: rc %ld status %u, not "
                 "unbound\n",
                 b[i], a[i], rc, st.status);
        if ((rc = kit_evtchn_close(b[i])))
            FAIL("close %u: %ld (%s)\n", b[i], rc, kit_errname(rc));
    }
    *out = events;
    return 0;
}

static int errors(void)
{
    struct evtchn_status st;
    uint32_t p;
    long rc;
    int t1, t2;

    rc = alloc_unbound(&p);
    if (rc)
        FAIL("alloc_unbound after the flood: %ld (%s)\n", rc, kit_errname(rc));
    if ((rc = close_port(p)))
        FAIL("close %u: %ld (%s)\n", p, rc, kit_errname(rc));
    if ((rc = kit_evtchn_send(p)) >= 0)
        FAIL("EVTCHNOP_send on closed port %u: %ld, not an error\n", p, rc);
    if ((rc = close_port(0)) >= 0)
        FAIL("EVTCHNOP_close(0): %ld, not an error\n", rc);
    if ((rc = kit_evtchn_status(KIT_EVTCHN_MAX + 5, &st)) >= 0)
        FAIL("EVTCHNOP_status(%u): %ld, not an error\n", KIT_EVTCHN_MAX + 5,
             rc);
    if ((rc = kit_evtchn_send(0x7fffffff)) >= 0)
        FAIL("EVTCHNOP_send(0x7fffffff): %ld, not an error\n", rc);
    {
        struct evtchn_unmask op = {.port = 0x7fffffff};

        if ((rc = HYPERVISOR_event_channel_op(EVTCHNOP_unmask, &op)) >= 0)
            FAIL("EVTCHNOP_unmask(0x7fffffff): %ld, not an error\n", rc);
    }
    {
        struct evtchn_bind_interdomain op = {.remote_dom = self_id(),
                                             .remote_port = p};

        rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &op);
        if (rc >= 0)
            FAIL("bind_interdomain to closed port %u: %ld, not an error\n", p,
                 rc);
    }
    /* the kit's VIRQ_TIMER port of vCPU 0 (bound for the waits) */
    t1 = kit_timer_port();
    if (t1 <= 0)
        FAIL("EVTCHNOP_bind_virq(VIRQ_TIMER, 0): %d (%s)\n", t1,
             kit_errname(t1));
    t2 = kit_evtchn_bind_virq(VIRQ_TIMER, 0, NULL, NULL);
    if (t2 >= 0)
        FAIL("a second VIRQ_TIMER binding on vcpu 0 gave port %d\n", t2);
    rc = kit_evtchn_status((unsigned int)t1, &st);
    if (rc || st.status != EVTCHNSTAT_virq || st.u.virq != VIRQ_TIMER ||
        st.vcpu != 0)
        FAIL("status of VIRQ_TIMER port %d: rc %ld status %u virq %u vcpu "
             "%u\n",
             t1, rc, st.status, st.u.virq, st.vcpu);
    return 0;
}

int guest_main(void)
{
    uint64_t max_port = 0, cycles = 3, pairs = 64, rounds = 20, timeout = 30;
    uint64_t ev = 0;
    uint32_t hi0 = 0, hi;
    long n0 = 0, n, rc;
    unsigned int c;
    int have_max = !kit_cmdline_u64("max_port", &max_port);

    kit_cmdline_u64("cycles", &cycles);
    kit_cmdline_u64("pairs", &pairs);
    kit_cmdline_u64("rounds", &rounds);
    kit_cmdline_u64("timeout", &timeout);
    if (!cycles)
        cycles = 1;
    if (pairs > KIT_EVTCHN_MAX / 4)
        pairs = KIT_EVTCHN_MAX / 4;
    rc = kit_evtchn_init();
    if (rc) {
        printf("evtchn-flood: FAIL: mapping shared info: %ld (%s)\n", rc,
               kit_errname(rc));
        return 1;
    }
    deadline = kit_now_ns() + timeout * 1000000000ull;
    ports = kit_page_alloc(KIT_EVTCHN_MAX * sizeof(*ports) / KIT_PAGE_SIZE);
    seen_map = kit_page_alloc(1);

    for (c = 0; c < cycles; c++) {
        n = cycle(c, &hi);
        if (n == -XEN_ENOSYS) {
            puts("evtchn-flood: SKIP: EVTCHNOP_alloc_unbound returned -38 "
                 "(ENOSYS)");
            return 0;
        }
        if (n < 0)
            return 1;
        if (c == 0) {
            n0 = n;
            hi0 = hi;
            if (have_max && hi != max_port) {
                printf("evtchn-flood: FAIL: highest port %u, expected "
                       "max_port=%lu\n",
                       hi, max_port);
                return 1;
            }
        } else if (n != n0 || hi != hi0) {
            printf("evtchn-flood: FAIL: cycle %u got %ld ports up to %u, "
                   "cycle 0 got %ld up to %u\n",
                   c, n, hi, n0, hi0);
            return 1;
        }
    }
    if ((uint64_t)n0 < 2 * pairs + 2)
        pairs = (uint64_t)(n0 - 2) / 2;
    if (flood((unsigned int)pairs, (unsigned int)rounds, &ev) ||
        errors())
        return 1;
    if (HYPERVISOR_xen_version(0, NULL) < 0) {
        puts("evtchn-flood: FAIL: xen_version failed at the end");
        return 1;
    }
    printf("evtchn-flood: OK ports=%ld highest=%u cycles=%lu pairs=%lu "
           "rounds=%lu abi=%s\n",
           n0, hi0, cycles, pairs, rounds, kit_evtchn_abi_name());
    return 0;
}
