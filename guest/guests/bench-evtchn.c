/* bench-evtchn: the round trip of an event between two domains over an
 * interdomain event channel.  Command lines:
 *
 *   role=server peer=B [rounds=N] [timeout=S]
 *   role=client peer=A port=P [rounds=N] [timeout=S]
 *
 * (rounds 2000 plus 20 unmeasured, timeout 60 s; both sides need the same
 * rounds), and the kit's evtchn_wait=irq|poll|spin, upcall=... and
 * evtchn_abi=2l|fifo to choose how events are delivered and waited for.
 * The server prints
 *
 *   bench-evtchn: server ready domid=A peer=B port=P
 *
 * and answers every event; the client times each send-to-answer round trip
 * with rdtsc and prints the median, minimum and maximum, next to a floor
 * measured in the same run: an event to itself over a loopback channel
 * (send, then wait for it on the other end), with the same wait method:
 *
 *   bench-evtchn: rounds=N tsc_khz=K rtt_median_cycles=M rtt_min_cycles=A
 *   rtt_max_cycles=B self_notify_cycles=S wait=W upcall=U abi=A
 *   bench-evtchn: server done rounds=N
 *
 * (the client's line is one line).  Failures: "bench-evtchn: FAIL: ..."
 * (crash); "bench-evtchn: SKIP: ..." on -ENOSYS (poweroff). */
#include "kit.h"

#define P "bench-evtchn: "
#define WARMUP 20


static int skip_or_fail(const char *what, long rc)
{
    printf(P "%s: %s returned %ld (%s)\n",
           rc == -XEN_ENOSYS ? "SKIP" : "FAIL", what, rc, kit_errname(rc));
    return rc == -XEN_ENOSYS ? 0 : 1;
}

static void swap64(uint64_t *a, uint64_t *b)
{
    uint64_t t = *a;

    *a = *b;
    *b = t;
}

/* The k-th smallest of v[0..n) (reorders v): quickselect with a
 * three-way partition, so runs of equal values cost nothing extra. */
static uint64_t select_kth(uint64_t *v, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;

    while (lo < hi) {
        uint64_t pivot = v[lo + (hi - lo) / 2];
        size_t lt = lo, i = lo, gt = hi;

        /* [lo, lt) < pivot, [lt, i) == pivot, (gt, hi] > pivot */
        while (i <= gt) {
            if (v[i] < pivot) {
                swap64(&v[lt++], &v[i++]);
            } else if (v[i] > pivot) {
                swap64(&v[i], &v[gt]);
                if (gt-- == lo)
                    break;
            } else {
                i++;
            }
        }
        if (k < lt)
            hi = lt - 1;
        else if (k > gt)
            lo = gt + 1;
        else
            return pivot;
    }
    return v[k];
}

static int server(domid_t peer, uint64_t rounds, uint64_t deadline)
{
    uint32_t seen;
    uint64_t i;
    long rc;
    int port = kit_evtchn_alloc_unbound(peer, NULL, NULL);

    if (port < 0)
        return skip_or_fail("EVTCHNOP_alloc_unbound", port);
    seen = kit_evtchn_count((unsigned int)port);
    printf(P "server ready domid=%d peer=%u port=%d\n", kit_domid(), peer,
           port);
    for (i = 0; i < rounds + WARMUP; i++) {
        if (kit_evtchn_wait((unsigned int)port, &seen, deadline)) {
            printf(P "FAIL: server: no event %lu of %lu\n", i,
                   rounds + WARMUP);
            return 1;
        }
        rc = kit_evtchn_send((unsigned int)port);
        if (rc) {
            printf(P "FAIL: server: EVTCHNOP_send: %ld (%s)\n", rc,
                   kit_errname(rc));
            return 1;
        }
    }
    printf(P "server done rounds=%lu\n", rounds);
    kit_evtchn_close((unsigned int)port);
    return 0;
}

/* Median cycles of send(on) + wait(for) over n tries (the first WARMUP
 * not counted); min and max through the pointers. */
static int measure(unsigned int on, unsigned int wait_port, uint64_t n,
                   uint64_t *v, uint64_t deadline, uint64_t *med,
                   uint64_t *mn, uint64_t *mx)
{
    uint32_t seen = kit_evtchn_count(wait_port);
    uint64_t i;

    *mn = UINT64_MAX;
    *mx = 0;
    for (i = 0; i < n + WARMUP; i++) {
        uint64_t t0 = kit_rdtsc(), d;
        long rc = kit_evtchn_send(on);

        if (rc) {
            printf(P "FAIL: EVTCHNOP_send(%u): %ld (%s)\n", on, rc,
                   kit_errname(rc));
            return 1;
        }
        if (kit_evtchn_wait(wait_port, &seen, deadline)) {
            printf(P "FAIL: no answer on port %u at round %lu\n", wait_port,
                   i);
            return 1;
        }
        d = kit_rdtsc() - t0;
        if (i < WARMUP)
            continue;
        v[i - WARMUP] = d;
        *mn = d < *mn ? d : *mn;
        *mx = d > *mx ? d : *mx;
    }
    *med = select_kth(v, n, n / 2);
    return 0;
}

static int client(domid_t peer, unsigned int rport, uint64_t rounds,
                  uint64_t deadline)
{
    uint64_t *v, med, mn, mx, self_med, smn, smx, nself;
    int port, la, lb;

    for (;;) {
        port = kit_evtchn_bind_interdomain(peer, rport, NULL, NULL);
        if (port > 0 || port == -XEN_ENOSYS || kit_now_ns() >= deadline)
            break;
        kit_relax();
    }
    if (port < 0)
        return skip_or_fail("EVTCHNOP_bind_interdomain", port);
    kit_evtchn_clear((unsigned int)port); /* set by the binding */
    v = kit_page_alloc((rounds * sizeof(*v) + KIT_PAGE_SIZE - 1) /
                       KIT_PAGE_SIZE);
    if (measure((unsigned int)port, (unsigned int)port, rounds, v, deadline,
                &med, &mn, &mx))
        return 1;

    /* the floor: an event to ourselves through a loopback channel */
    la = kit_evtchn_alloc_unbound(kit_domid() >= 0 ? (domid_t)kit_domid()
                                                   : DOMID_SELF,
                                  NULL, NULL);
    if (la < 0)
        return skip_or_fail("EVTCHNOP_alloc_unbound(self)", la);
    lb = kit_evtchn_bind_interdomain(
        kit_domid() >= 0 ? (domid_t)kit_domid() : DOMID_SELF,
        (unsigned int)la, NULL, NULL);
    if (lb < 0)
        return skip_or_fail("EVTCHNOP_bind_interdomain(self)", lb);
    kit_evtchn_clear((unsigned int)lb);
    nself = rounds < 1000 ? rounds : 1000;
    if (measure((unsigned int)la, (unsigned int)lb, nself, v, deadline,
                &self_med, &smn, &smx))
        return 1;
    printf(P "rounds=%lu tsc_khz=%u rtt_median_cycles=%lu rtt_min_cycles=%lu "
             "rtt_max_cycles=%lu self_notify_cycles=%lu wait=%s upcall=%s "
             "abi=%s\n",
           rounds, kit_tsc_khz(), med, mn, mx, self_med, kit_wait_name(),
           kit_upcall_name(), kit_evtchn_abi_name());
    kit_evtchn_close((unsigned int)lb);
    kit_evtchn_close((unsigned int)la);
    kit_evtchn_close((unsigned int)port);
    return 0;
}

int guest_main(void)
{
    uint64_t peer, rport = 0, rounds = 2000, timeout = 60, deadline;
    const char *role;
    size_t len;
    long rc;

    role = kit_cmdline_get("role", &len);
    kit_cmdline_u64("rounds", &rounds);
    kit_cmdline_u64("timeout", &timeout);
    if (!rounds)
        rounds = 1;
    if (!role || kit_cmdline_u64("peer", &peer) || peer >= DOMID_FIRST_RESERVED ||
        (len == 6 && !strncmp(role, "client", 6) &&
         (kit_cmdline_u64("port", &rport) || !rport))) {
        puts(P "FAIL: usage: role=server peer=DOMID | role=client peer=DOMID "
               "port=PORT [rounds=N] [timeout=S]");
        return 1;
    }
    rc = kit_evtchn_init();
    if (rc) {
        printf(P "FAIL: mapping shared info: %ld (%s)\n", rc, kit_errname(rc));
        return 1;
    }
    deadline = kit_now_ns() + timeout * 1000000000ull;
    if (len == 6 && !strncmp(role, "server", 6))
        return server((domid_t)peer, rounds, deadline);
    if (len == 6 && !strncmp(role, "client", 6))
        return client((domid_t)peer, (unsigned int)rport, rounds, deadline);
    puts(P "FAIL: role= takes server or client");
    return 1;
}
