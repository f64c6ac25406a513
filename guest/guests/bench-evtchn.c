/* bench-evtchn: the round trip of an event between two domains over an
 * interdomain event channel.  Command lines:
 *
 *   role=server peer=B [rounds=N] [timeout=S]
 *   role=client peer=A port=P [gref=G] [rounds=N] [timeout=S]
 *
 * (rounds 2000 plus 20 unmeasured, timeout 60 s; both sides need the same
 * rounds), and the kit's evtchn_wait=irq|poll|spin, upcall=... and
 * evtchn_abi=2l|fifo to choose how events are delivered and waited for.
 *
 * lean=poll|spin (2-level ABI) takes the kit out of the loop, to time
 * xen's own path: both sides mask the port (no upcall) and wait for its
 * pending bit in shared info with SCHEDOP_poll (the vCPU blocks in xen
 * and is woken by the event) or by spinning on it, clear it and send, in
 * a dozen guest instructions.  With lean=poll each side sends and polls
 * in one multicall (one exit per half round trip); mc=0 makes them two
 * hypercalls.  Under nested KVM (PVM) every guest
 * kernel-mode instruction is emulated, so the kit's upcall path costs
 * more than xen's; lean= shows the two apart.  With lean= the server also
 * grants the client a page (gref=G in its ready line) and, after the
 * events, both measure the floor of the guest's own part between the same
 * two domains: sequence numbers in that page instead of pending bits, and
 * the send stub's exit sent to an unclaimed port instead of xen
 * (shm_floor_cycles; 0 without lean= or when the page could not be
 * shared).
 * The server prints
 *
 *   bench-evtchn: server ready domid=A peer=B port=P [gref=G]
 *
 * and answers every event; the client times each send-to-answer round trip
 * with rdtsc and prints the median, minimum and maximum, next to a floor
 * measured in the same run: an event to itself over a loopback channel
 * (send, then wait for it on the other end), with the same wait method:
 *
 *   bench-evtchn: rounds=N tsc_khz=K rtt_median_cycles=M rtt_min_cycles=A
 *   rtt_max_cycles=B self_notify_cycles=S wait=W upcall=U abi=A
 *   lean=L shm_floor_cycles=F
 *   bench-evtchn: server done rounds=N
 *
 * (the client's line is one line).  Failures: "bench-evtchn: FAIL: ..."
 * (crash); "bench-evtchn: SKIP: ..." on -ENOSYS (poweroff). */
#include "evtchn-common.h"

#include <xen/sched.h>

#define P "bench-evtchn: "
#define WARMUP 20

enum { LEAN_OFF, LEAN_POLL, LEAN_SPIN };
static int lean;
static const char *const lean_names[] = { "off", "poll", "spin" };

static void lean_prepare(unsigned int port)
{
    if (lean)
        kit_evtchn_mask(port);
}

/* The slow part of a lean wait: SCHEDOP_poll on `port` (port 0: spin
 * instead) or a spin, until bit is set in *w; -1 at the deadline. */
static __attribute__((noinline)) int lean_block(volatile uint64_t *w,
                                                uint64_t bit, unsigned int port,
                                                uint64_t deadline)
{
    evtchn_port_t p = port;
    struct sched_poll sp = {.nr_ports = 1, .timeout = deadline};
    unsigned int n = 0;

    set_xen_guest_handle(sp.ports, &p);
    while (!(*w & bit)) {
        if (lean == LEAN_POLL && port) {
            HYPERVISOR_sched_op(SCHEDOP_poll, &sp);
            if (!(*w & bit) && kit_now_ns() >= deadline)
                return -1;
        } else {
            kit_pause();
            if (!(++n & 0xfffff) && kit_now_ns() >= deadline)
                return -1;
        }
    }
    return 0;
}

/* Waits for bit in *w (a pending word in shared info, or the floor's word
 * in the shared page) and clears it: the few instructions the guest
 * itself needs, the same for the real path and the floor. */
static inline int lean_wait_word(volatile uint64_t *w, uint64_t bit,
                                 unsigned int port, uint64_t deadline)
{
    if (!(*w & bit) && lean_block(w, bit, port, deadline))
        return -1;
    __atomic_fetch_and(w, ~bit, __ATOMIC_SEQ_CST);
    return 0;
}

static volatile uint64_t *pending_word(unsigned int port)
{
    return (volatile uint64_t *)kit_shared_info->evtchn_pending + port / 64;
}

static int lean_wait(unsigned int port, uint64_t deadline)
{
    return lean_wait_word(pending_word(port), 1ull << (port % 64), port,
                          deadline);
}

/* The floor of the guest's own part, measured between the same two
 * domains (lean modes): a page the server grants and the client maps
 * holds a word for each side; each side sets a bit in the other's and
 * makes the exit of EVTCHNOP_send's stub copied with its port byte
 * patched to the unclaimed port (the same instructions and exit, no
 * hypercall), then waits for its own bit with the same code as the real
 * path.  The real path's hypercall replaces that exit, xen's pending bit
 * the shared one.  The bit is set before the exit, where xen sets it
 * during the exit: the floor errs low by part of an exit. */
#define SHM_HELLO 0x5348u
struct shm {
    volatile uint64_t to_server;
    uint64_t pad1[7];
    volatile uint64_t to_client;
    uint64_t pad2[7];
    volatile uint32_t hello; /* SHM_HELLO: the client mapped the page */
};
static char floor_stub[XK_HCALL_STUB_SIZE] __attribute__((aligned(32)));

static void floor_prepare(void)
{
    const char *stub =
        hypercall_page + __HYPERVISOR_event_channel_op * XK_HCALL_STUB_SIZE;

    memcpy(floor_stub, stub, sizeof(floor_stub));
    floor_stub[XK_HCALL_STUB_PORT_OFF] = (char)XK_UNCLAIMED_PORT;
}

static void floor_exit(unsigned int port)
{
    struct evtchn_send op = {.port = port};
    register unsigned long a1 __asm__("rdi") = EVTCHNOP_send;
    register unsigned long a2 __asm__("rsi") = (unsigned long)&op;
    long ret;

    __asm__ volatile("call *%[stub]"
                     : "=a"(ret), "+r"(a1), "+r"(a2)
                     : [stub] "r"(floor_stub)
                     : "memory");
}

/* lean=poll's answer-and-wait: a multicall of EVTCHNOP_send and
 * SCHEDOP_poll, so that each side answers and blocks in one exit, as a
 * guest that has nothing else to do until the answer would (mc=0: the
 * plain lean path, send and poll as two hypercalls).  Prepared once; xen
 * writes the send's status into mc[0].result, read only when the poll
 * came back empty. */
static int use_mc = 1;
static struct {
    multicall_entry_t mc[2];
    struct evtchn_send send;
    struct sched_poll sp;
    evtchn_port_t port;
} mcs;

static void mc_prepare(unsigned int port, uint64_t deadline)
{
    memset(&mcs, 0, sizeof(mcs));
    mcs.send.port = port;
    mcs.port = port;
    mcs.sp.nr_ports = 1;
    mcs.sp.timeout = deadline;
    set_xen_guest_handle(mcs.sp.ports, &mcs.port);
    mcs.mc[0].op = __HYPERVISOR_event_channel_op;
    mcs.mc[0].args[0] = EVTCHNOP_send;
    mcs.mc[0].args[1] = (uintptr_t)&mcs.send;
    mcs.mc[1].op = __HYPERVISOR_sched_op;
    mcs.mc[1].args[0] = SCHEDOP_poll;
    mcs.mc[1].args[1] = (uintptr_t)&mcs.sp;
}

/* Sends on the prepared port and waits for its pending bit (then clears
 * it) in one multicall; the slow path only when the poll came back
 * without the event.  -1 at the deadline, or when the send failed (its
 * status in *rc). */
static inline __attribute__((always_inline)) int
mc_send_wait(volatile uint64_t *w, uint64_t bit, uint64_t deadline, long *rc)
{
    HYPERVISOR_multicall(mcs.mc, 2);
    if (!(*w & bit)) {
        *rc = (long)mcs.mc[0].result;
        if (*rc || lean_block(w, bit, mcs.port, deadline))
            return -1;
    }
    __atomic_fetch_and(w, ~bit, __ATOMIC_SEQ_CST);
    return 0;
}

static int wait_event(unsigned int port, uint32_t *seen, uint64_t deadline)
{
    return lean ? lean_wait(port, deadline) : kit_evtchn_wait(port, seen, deadline);
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
    struct shm *sh = NULL;
    char gref[32] = "";

    if (port < 0)
        return kit_skip_or_fail(P, "EVTCHNOP_alloc_unbound", port);
    seen = kit_evtchn_count((unsigned int)port);
    lean_prepare((unsigned int)port);
    if (lean && peer != 0) {
        int16_t st;
        const char *step = NULL;

        if (!kit_gnttab_init(1, &st, &step)) {
            sh = kit_page_alloc(1);
            if (kit_gnttab_grant_ref(KIT_GNTTAB_FIRST_REF, peer,
                                     (uintptr_t)sh >> 12, 0))
                sh = NULL;
            else
                snprintf(gref, sizeof(gref), " gref=%u", KIT_GNTTAB_FIRST_REF);
        }
    }
    printf(P "server ready domid=%d peer=%u port=%d%s\n", kit_domid(), peer,
           port, gref);
    if (lean == LEAN_POLL && use_mc) {
        /* the first event, then answer-and-wait for each further one */
        volatile uint64_t *w = pending_word((unsigned int)port);
        uint64_t bit = 1ull << (port % 64);

        mc_prepare((unsigned int)port, deadline);
        if (lean_wait(port, deadline)) {
            printf(P "FAIL: server: no first event\n");
            return 1;
        }
        for (i = 1; i < rounds + WARMUP; i++) {
            if (mc_send_wait(w, bit, deadline, &rc)) {
                printf(P "FAIL: server: no event %lu of %lu (send: %ld)\n",
                       i, rounds + WARMUP, rc);
                return 1;
            }
        }
        rc = kit_evtchn_send((unsigned int)port);   /* the last answer */
        if (rc) {
            printf(P "FAIL: server: EVTCHNOP_send: %ld (%s)\n", rc,
                   kit_errname(rc));
            return 1;
        }
    } else {
        for (i = 0; i < rounds + WARMUP; i++) {
            if (wait_event((unsigned int)port, &seen, deadline)) {
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
    }
    if (sh && sh->hello == SHM_HELLO) {
        floor_prepare();
        for (i = 1; i <= rounds + WARMUP; i++) {
            if (lean_wait_word(&sh->to_server, 1, 0, deadline)) {
                printf(P "FAIL: server: floor round %lu never came\n", i);
                return 1;
            }
            sh->to_client = 1;
            floor_exit((unsigned int)port);
        }
    }
    printf(P "server done rounds=%lu\n", rounds);
    kit_evtchn_close((unsigned int)port);
    return 0;
}

/* The client's side of the floor: median cycles of a round. */
static int shm_measure(struct shm *sh, unsigned int port, uint64_t n,
                       uint64_t *v, uint64_t deadline, uint64_t *med)
{
    uint64_t i;

    floor_prepare();
    for (i = 1; i <= n + WARMUP; i++) {
        uint64_t t0 = kit_rdtsc();

        sh->to_server = 1;
        floor_exit(port);
        if (lean_wait_word(&sh->to_client, 1, 0, deadline)) {
            printf(P "FAIL: floor round %lu: no answer\n", i);
            return 1;
        }
        if (i > WARMUP)
            v[i - 1 - WARMUP] = kit_rdtsc() - t0;
    }
    *med = select_kth(v, n, n / 2);
    return 0;
}

/* Median cycles of send(on) + wait(for) over n tries (the first WARMUP
 * not counted); min and max through the pointers. */
static int measure(long (*send)(unsigned int), unsigned int on,
                   unsigned int wait_port, uint64_t n,
                   uint64_t *v, uint64_t deadline, uint64_t *med,
                   uint64_t *mn, uint64_t *mx)
{
    uint32_t seen = kit_evtchn_count(wait_port);
    int mc = lean == LEAN_POLL && use_mc && on == wait_port;
    volatile uint64_t *w = pending_word(wait_port);
    uint64_t bit = 1ull << (wait_port % 64);
    uint64_t i;

    *mn = UINT64_MAX;
    *mx = 0;
    if (mc)
        mc_prepare(on, deadline);
    for (i = 0; i < n + WARMUP; i++) {
        uint64_t t0 = kit_rdtsc(), d;
        long rc;

        if (mc) {
            if (mc_send_wait(w, bit, deadline, &rc)) {
                printf(P "FAIL: no answer on port %u at round %lu (send: %ld)\n",
                       wait_port, i, rc);
                return 1;
            }
        } else {
            rc = send(on);
            if (rc) {
                printf(P "FAIL: EVTCHNOP_send(%u): %ld (%s)\n", on, rc,
                       kit_errname(rc));
                return 1;
            }
            if (wait_event(wait_port, &seen, deadline)) {
                printf(P "FAIL: no answer on port %u at round %lu\n",
                       wait_port, i);
                return 1;
            }
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

static int client(domid_t peer, unsigned int rport, uint64_t gref,
                  uint64_t rounds, uint64_t deadline)
{
    uint64_t *v, med, mn, mx, self_med, smn, smx, nself, shm_floor = 0;
    int port, la, lb;
    struct shm *sh = NULL;

    port = ev_bind_server(peer, rport, deadline);
    if (port < 0)
        return kit_skip_or_fail(P, "EVTCHNOP_bind_interdomain", port);
    kit_evtchn_clear((unsigned int)port); /* set by the binding */
    lean_prepare((unsigned int)port);
    if (lean && gref) {
        uint64_t gpa = kit_unpopulated_alloc(1);
        grant_handle_t h;
        int16_t st;

        if (!kit_gnttab_map(peer, (grant_ref_t)gref, gpa, 0, &st, &h) && !st) {
            sh = (struct shm *)(uintptr_t)gpa;
            sh->hello = SHM_HELLO;
        } else {
            printf(P "mapping the floor page (gref %lu) failed: status %d\n",
                   gref, st);
        }
    }
    v = kit_page_alloc((rounds * sizeof(*v) + KIT_PAGE_SIZE - 1) /
                       KIT_PAGE_SIZE);
    if (measure(kit_evtchn_send, (unsigned int)port, (unsigned int)port, rounds, v, deadline,
                &med, &mn, &mx))
        return 1;
    /* the floor between the two domains (the server waits for it) */
    if (sh && shm_measure(sh, (unsigned int)port, rounds, v, deadline, &shm_floor))
        return 1;

    /* the floor: an event to ourselves through a loopback channel */
    la = kit_evtchn_alloc_unbound(kit_domid() >= 0 ? (domid_t)kit_domid()
                                                   : DOMID_SELF,
                                  NULL, NULL);
    if (la < 0)
        return kit_skip_or_fail(P, "EVTCHNOP_alloc_unbound(self)", la);
    lb = kit_evtchn_bind_interdomain(
        kit_domid() >= 0 ? (domid_t)kit_domid() : DOMID_SELF,
        (unsigned int)la, NULL, NULL);
    if (lb < 0)
        return kit_skip_or_fail(P, "EVTCHNOP_bind_interdomain(self)", lb);
    kit_evtchn_clear((unsigned int)lb);
    lean_prepare((unsigned int)lb);
    nself = rounds < 1000 ? rounds : 1000;
    if (measure(kit_evtchn_send, (unsigned int)la, (unsigned int)lb, nself, v, deadline,
                &self_med, &smn, &smx))
        return 1;
    printf(P "rounds=%lu tsc_khz=%u rtt_median_cycles=%lu rtt_min_cycles=%lu "
             "rtt_max_cycles=%lu self_notify_cycles=%lu wait=%s upcall=%s "
             "abi=%s lean=%s shm_floor_cycles=%lu\n",
           rounds, kit_tsc_khz(), med, mn, mx, self_med, kit_wait_name(),
           kit_upcall_name(), kit_evtchn_abi_name(), lean_names[lean],
           shm_floor);
    kit_evtchn_close((unsigned int)lb);
    kit_evtchn_close((unsigned int)la);
    kit_evtchn_close((unsigned int)port);
    return 0;
}

int guest_main(void)
{
    struct ev_args a;
    uint64_t gref = 0;

    kit_cmdline_u64("gref", &gref);
    if (ev_args_parse(P, &a, 2000, 60))
        return 1;
    if (!a.rounds)
        a.rounds = 1;
    {
        size_t ll;
        const char *l = kit_cmdline_get("lean", &ll);
        if (l && ll == 4 && !strncmp(l, "poll", 4))
            lean = LEAN_POLL;
        else if (l && ll == 4 && !strncmp(l, "spin", 4))
            lean = LEAN_SPIN;
        else if (l && !(ll == 3 && !strncmp(l, "off", 3))) {
            puts(P "FAIL: lean= takes poll, spin or off");
            return 1;
        }
        uint64_t mc = 1;
        kit_cmdline_u64("mc", &mc);
        use_mc = mc != 0;
        if (lean && kit_evtchn_abi != KIT_EVTCHN_2L) {
            printf(P "lean=%s needs the 2-level ABI: using the kit's path\n",
                   lean_names[lean]);
            lean = LEAN_OFF;
        }
    }
    if (a.server)
        return server(a.peer, a.rounds, a.deadline);
    if (a.client)
        return client(a.peer, a.port, gref, a.rounds, a.deadline);
    puts(P "FAIL: role= takes server or client");
    return 1;
}
