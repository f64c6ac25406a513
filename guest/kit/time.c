/* Time: Xen system time from each vCPU's vcpu_time_info, the wall clock
 * base in shared info, and the vCPU timers (singleshot, periodic,
 * set_timer_op), which all raise VIRQ_TIMER on the vCPU. */
#include "kit.h"

#include <xen/sched.h>
#include <xen/vcpu.h>

#define NSEC_PER_SEC 1000000000ull

long kit_time_init(void)
{
    struct kit_cpu *c;
    long rc;

    kit_cpu_init();
    if (!kit_map_shared_info(&rc))
        return rc;
    c = kit_this_cpu();
    if (!c->vi)
        c->vi = &kit_shared_info->vcpu_info[c->id];
    return 0;
}

int kit_time_valid(void)
{
    struct kit_cpu *c = kit_this_cpu();

    return c->vi && c->vi->time.tsc_to_system_mul != 0;
}

/* system_time + ((tsc - tsc_timestamp) << tsc_shift) * mul / 2^32, the
 * fields read under the version seqlock (odd: being updated). */
uint64_t kit_system_time_ns(void)
{
    struct kit_cpu *c = kit_this_cpu();
    volatile struct vcpu_time_info *t;
    uint64_t tsc, stamp, sys, delta;
    uint32_t ver, mul;
    int8_t shift;

    if (!c->vi)
        return 0;
    t = &c->vi->time;
    do {
        ver = t->version;
        kit_barrier();
        stamp = t->tsc_timestamp;
        sys = t->system_time;
        mul = t->tsc_to_system_mul;
        shift = t->tsc_shift;
        kit_barrier();
        tsc = kit_rdtsc();
        kit_barrier();
    } while ((ver & 1) || ver != t->version);
    delta = tsc - stamp;
    if ((int64_t)delta < 0)
        delta = 0; /* a TSC read ahead of the update */
    if (shift < 0)
        delta >>= -shift;
    else
        delta <<= shift;
    return sys + (uint64_t)(((unsigned __int128)delta * mul) >> 32);
}

uint64_t kit_now_ns(void)
{
    static uint64_t khz;
    uint64_t tsc;

    if (kit_time_valid())
        return kit_system_time_ns();
    if (!khz) {
        khz = kit_tsc_khz();
        if (!khz)
            khz = 1000000; /* unknown: call it 1 GHz */
    }
    tsc = kit_rdtsc();
    return tsc / khz * 1000000 + tsc % khz * 1000000 / khz;
}

void kit_wallclock_base(uint64_t *sec, uint32_t *nsec, uint32_t *version)
{
    volatile struct shared_info *s = kit_shared_info;
    uint32_t v;

    if (!s) {
        *sec = 0;
        *nsec = 0;
        *version = 0;
        return;
    }
    do {
        v = s->wc_version;
        kit_barrier();
        *sec = s->wc_sec | (uint64_t)s->xen_wc_sec_hi << 32;
        *nsec = s->wc_nsec;
        kit_barrier();
    } while ((v & 1) || v != s->wc_version);
    *version = v;
}

int kit_gettimeofday(struct kit_timeval *tv)
{
    uint64_t sec, ns;
    uint32_t nsec, ver;

    kit_wallclock_base(&sec, &nsec, &ver);
    if (!ver && !sec && !nsec)
        return -1;
    ns = nsec + kit_system_time_ns();
    tv->tv_sec = sec + ns / NSEC_PER_SEC;
    tv->tv_usec = (uint32_t)(ns % NSEC_PER_SEC / 1000);
    return 0;
}

static void timer_virq(unsigned int port, void *arg)
{
    struct kit_cpu *c = kit_this_cpu();

    (void)port;
    (void)arg;
    c->timer_ticks++;
    c->timer_armed = 0;
    if (c->timer_fn)
        c->timer_fn(c->timer_arg);
}

int kit_timer_port(void)
{
    struct kit_cpu *c;
    int port;

    kit_cpu_init();
    c = kit_this_cpu();
    if (c->timer_port)
        return c->timer_port;
    if (kit_evtchn_init()) {
        c->timer_port = -XEN_ENODEV;
        return c->timer_port;
    }
    port = kit_evtchn_bind_virq(VIRQ_TIMER, c->id, timer_virq, NULL);
    if (port > 0) /* only the timers we set, no default tick */
        HYPERVISOR_vcpu_op(VCPUOP_stop_periodic_timer, c->id, NULL);
    c->timer_port = port;
    return port;
}

int kit_timer_init(void (*fn)(void *arg), void *arg)
{
    struct kit_cpu *c;

    kit_cpu_init();
    c = kit_this_cpu();
    c->timer_arg = arg;
    c->timer_fn = fn;
    return kit_timer_port();
}

uint64_t kit_timer_ticks(void)
{
    return kit_this_cpu()->timer_ticks;
}

long kit_timer_singleshot(uint64_t abs_ns, uint32_t flags)
{
    struct kit_cpu *c = kit_this_cpu();
    struct vcpu_set_singleshot_timer t = {
        .timeout_abs_ns = abs_ns,
        .flags = flags,
    };
    long rc = HYPERVISOR_vcpu_op(VCPUOP_set_singleshot_timer, c->id, &t);

    if (!rc)
        c->timer_armed = abs_ns;
    return rc;
}

long kit_timer_stop_singleshot(void)
{
    struct kit_cpu *c = kit_this_cpu();

    c->timer_armed = 0;
    return HYPERVISOR_vcpu_op(VCPUOP_stop_singleshot_timer, c->id, NULL);
}

long kit_set_timer_op(uint64_t abs_ns)
{
    long rc = HYPERVISOR_set_timer_op(abs_ns);

    if (!rc)
        kit_this_cpu()->timer_armed = abs_ns;
    return rc;
}

long kit_timer_periodic(uint64_t period_ns)
{
    struct vcpu_set_periodic_timer t = {.period_ns = period_ns};

    return HYPERVISOR_vcpu_op(VCPUOP_set_periodic_timer, kit_cpu_id(), &t);
}

long kit_timer_stop_periodic(void)
{
    return HYPERVISOR_vcpu_op(VCPUOP_stop_periodic_timer, kit_cpu_id(), NULL);
}

void kit_sleep_until(uint64_t abs_ns)
{
    struct kit_cpu *c = kit_this_cpu();
    int irqs_on = (kit_save_flags() & KIT_RFLAGS_IF) != 0;
    /* hlt needs an upcall to end it */
    int timer = kit_timer_port() > 0 && kit_upcall_mode != KIT_UPCALL_NONE;

    for (;;) {
        kit_cli();
        if (kit_now_ns() >= abs_ns)
            break;
        if (timer && c->timer_armed != abs_ns &&
            kit_timer_singleshot(abs_ns, 0))
            timer = 0;
        if (timer) {
            kit_sti_hlt();
        } else {
            kit_sti(); /* spin, interrupts on meanwhile */
            while (kit_now_ns() < abs_ns)
                kit_pause();
        }
    }
    if (irqs_on)
        kit_sti();
}

void kit_sleep_ns(uint64_t ns)
{
    kit_sleep_until(kit_now_ns() + ns);
}

void kit_relax(void)
{
    struct kit_cpu *c = kit_this_cpu();

    if (c->timer_port > 0 && kit_upcall_mode != KIT_UPCALL_NONE)
        kit_sleep_ns(1000000);
    else
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
}
