/* smp: every vCPU up, each says so, then event-channel IPIs go round the
 * vCPUs.  Command line: smp=vcpuop64|vcpuop32|sipi (vcpuop64; sipi starts
 * the vCPUs with INIT/SIPI through the local APIC and a real-mode
 * trampoline), rounds=N (10), timeout=S (10).
 *
 *   smp: vcpus=N method=M upcall=U abi=A
 *   smp: vcpu I up                        (one per vCPU, from that vCPU)
 *   smp: ipi round robin ok vcpus=N rounds=R
 *   smp: OK vcpus=N
 *
 * Each vCPU binds an IPI port to itself (EVTCHNOP_bind_ipi); a token goes
 * 0 -> 1 -> ... -> N-1 -> 0, R times, each hop an EVTCHNOP_send to the
 * next vCPU's port, handled in that vCPU's upcall (the dispatcher only
 * handles a port on the vCPU it is bound to).  Failures: "smp: FAIL: ..."
 * (crash); "smp: SKIP: ..." for hypercalls that return -ENOSYS (VCPUOP
 * ones skip everything, the IPI ones only the round robin). */
#include "kit.h"

static int ports[KIT_MAX_CPUS];      /* each vCPU's IPI port */
static volatile int port_ready[KIT_MAX_CPUS];
static uint32_t seen[KIT_MAX_CPUS];          /* event counts */
static volatile uint32_t hops[KIT_MAX_CPUS]; /* tokens each vCPU passed */
static volatile int failed;
static unsigned int nr_cpus;
static uint64_t rounds = 10, deadline;
static volatile int go;

static void on_ipi(unsigned int port, void *arg)
{
    unsigned int me = (unsigned int)(uintptr_t)arg;

    if (kit_cpu_id() != me) {
        printf("smp: FAIL: IPI port %u of vcpu %u handled on vcpu %u\n", port,
               me, kit_cpu_id());
        failed = 1;
    }
}

/* Sends the token to vCPU next; -1 (failed set, the reason printed) when
 * the send fails. */
static int pass_token(unsigned int next)
{
    long rc = kit_evtchn_send((unsigned int)ports[next]);

    if (rc) {
        printf("smp: FAIL: EVTCHNOP_send to vcpu %u: %ld (%s)\n", next, rc,
               kit_errname(rc));
        failed = 1;
        return -1;
    }
    return 0;
}

/* Waits for `rounds` tokens on this vCPU and passes each on.  vCPU 0
 * starts the first one. */
static void ring(unsigned int me)
{
    unsigned int next = (me + 1) % nr_cpus;
    uint64_t r;

    for (r = 0; r < rounds && !failed; r++) {
        if (me == 0 && pass_token(next))
            return;
        if (kit_evtchn_wait((unsigned int)ports[me], &seen[me], deadline)) {
            printf("smp: FAIL: vcpu %u: no IPI in round %lu\n", me, r);
            failed = 1;
            return;
        }
        if (me != 0 && pass_token(next))
            return;
        hops[me]++;
    }
}

static void ap_main(unsigned int me)
{
    int port;

    printf("smp: vcpu %u up\n", me);
    port = kit_evtchn_bind_ipi(me, on_ipi, (void *)(uintptr_t)me);
    if (port > 0)
        seen[me] = kit_evtchn_count((unsigned int)port);
    ports[me] = port;
    __atomic_store_n(&port_ready[me], 1, __ATOMIC_RELEASE);
    if (port <= 0)
        return;
    while (!__atomic_load_n(&go, __ATOMIC_ACQUIRE))
        kit_relax();
    if (go > 0)
        ring(me);
}

int guest_main(void)
{
    const char *v;
    size_t len;
    uint64_t timeout = 10;
    int method = KIT_SMP_VCPUOP64, n, port;
    unsigned int i;
    long rc;
    static const char *const methods[] = {"vcpuop64", "vcpuop32", "sipi"};

    kit_cmdline_u64("rounds", &rounds);
    kit_cmdline_u64("timeout", &timeout);
    v = kit_cmdline_get("smp", &len);
    if (v && (method = kit_smp_method_parse(v, len)) < 0) {
        puts("smp: FAIL: smp= takes vcpuop64, vcpuop32 or sipi");
        return 1;
    }
    rc = kit_evtchn_init();
    if (rc) {
        printf("smp: FAIL: mapping shared info: %ld (%s)\n", rc,
               kit_errname(rc));
        return 1;
    }
    n = kit_smp_count();
    if (n == -XEN_ENOSYS) {
        printf("smp: SKIP: VCPUOP_is_up returned %d (%s)\n", n,
               kit_errname(n));
        return 0;
    }
    if (n <= 0) {
        printf("smp: FAIL: VCPUOP_is_up(0) returned %d (%s)\n", n,
               kit_errname(n));
        return 1;
    }
    nr_cpus = (unsigned int)n;
    printf("smp: vcpus=%u method=%s upcall=%s abi=%s\n", nr_cpus,
           methods[method], kit_upcall_name(), kit_evtchn_abi_name());
    deadline = kit_now_ns() + timeout * 1000000000ull;

    printf("smp: vcpu %u up\n", kit_cpu_id());
    port = kit_evtchn_bind_ipi(0, on_ipi, (void *)0);
    if (port > 0)
        seen[0] = kit_evtchn_count((unsigned int)port);
    ports[0] = port;
    port_ready[0] = 1;
    for (i = 1; i < nr_cpus; i++) {
        rc = kit_smp_start(i, ap_main, (enum kit_smp_method)method, 0);
        if (rc == -XEN_ENOSYS) {
            printf("smp: SKIP: starting vcpu %u: %ld (%s)\n", i, rc,
                   kit_errname(rc));
            return 0;
        }
        if (rc) {
            printf("smp: FAIL: starting vcpu %u (%s): %ld (%s)\n", i,
                   methods[method], rc, kit_errname(rc));
            return 1;
        }
        while (!__atomic_load_n(&port_ready[i], __ATOMIC_ACQUIRE))
            kit_relax();
    }

    if (port <= 0) {
        go = -1;
        for (i = 1; i < nr_cpus; i++)
            while (!__atomic_load_n(&kit_cpus[i].done, __ATOMIC_ACQUIRE))
                kit_relax();
        if (port == -XEN_ENOSYS) {
            printf("smp: SKIP: ipi: EVTCHNOP_bind_ipi returned %d (%s)\n",
                   port, kit_errname(port));
            printf("smp: OK vcpus=%u\n", nr_cpus);
            return 0;
        }
        printf("smp: FAIL: EVTCHNOP_bind_ipi returned %d (%s)\n", port,
               kit_errname(port));
        return 1;
    }
    for (i = 1; i < nr_cpus; i++)
        if (ports[i] <= 0) {
            printf("smp: FAIL: vcpu %u: EVTCHNOP_bind_ipi returned %d (%s)\n",
                   i, ports[i], kit_errname(ports[i]));
            go = -1;
            return 1;
        }

    __atomic_store_n(&go, 1, __ATOMIC_RELEASE);
    if (nr_cpus > 1)
        ring(0);
    for (i = 1; i < nr_cpus; i++)
        while (!__atomic_load_n(&kit_cpus[i].done, __ATOMIC_ACQUIRE)) {
            if (kit_now_ns() >= deadline + 1000000000ull) {
                printf("smp: FAIL: vcpu %u did not finish\n", i);
                return 1;
            }
            kit_relax();
        }
    if (failed)
        return 1;
    for (i = 0; i < nr_cpus; i++)
        if (nr_cpus > 1 && hops[i] != rounds) {
            printf("smp: FAIL: vcpu %u passed %u tokens, not %lu\n", i,
                   hops[i], rounds);
            return 1;
        }
    printf("smp: ipi round robin ok vcpus=%u rounds=%lu\n", nr_cpus, rounds);
    printf("smp: OK vcpus=%u\n", nr_cpus);
    return 0;
}
