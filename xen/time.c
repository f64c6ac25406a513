/* Time: Xen system time (ns on the host's monotonic clock), each vCPU's
 * vcpu_time_info, the wallclock in shared info, and the guest timers that
 * deliver VIRQ_TIMER (set_timer_op, VCPUOP single-shot and periodic). */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <errno.h>
#include <string.h>
#include <x86intrin.h>

#include <xen/foreign/x86_32.h>
#include <xen/foreign/x86_64.h>

#include "xen.h"
#include "hcall.h"

/* vcpu_time_info is rewritten at least this often, so the guest's
 * TSC-based extrapolation never drifts from the host clock. */
#define TIME_INFO_REFRESH_NS 1000000000ULL

static uint32_t tsc_mul;
static int8_t tsc_shift;

uint64_t time_system_ns(void)
{
    return xk_now_ns();
}

/* Scale so that ns = ((tsc << shift) * mul) >> 32 (shift may be negative). */
void time_init(void)
{
    uint64_t hz = (uint64_t)hv.tsc_khz * 1000;
    int shift = 0;

    if (!hz)
        hz = 1000000000ULL;
    while (hz > 2000000000ULL) {
        hz >>= 1;
        shift--;
    }
    while (hz <= 1000000000ULL) {
        hz <<= 1;
        shift++;
    }
    tsc_mul = (uint32_t)((1000000000ULL << 32) / hz);
    tsc_shift = (int8_t)shift;
}

static size_t time_off(bool compat)
{
    return compat ? offsetof(struct vcpu_info_x86_32, time)
                  : offsetof(struct vcpu_info_x86_64, time);
}

void time_update_vcpu(struct vcpu *v)
{
    struct domain *d = v->domain;
    uint8_t *vi;
    struct vcpu_time_info *t;

    if (!d->ev_ready)
        return;
    vi = event_vcpu_info(v);
    t = (struct vcpu_time_info *)(vi + time_off(d->ev.compat));
    vcpu_sync_tsc(v);
    uint64_t now = time_system_ns();
    uint64_t tsc = (uint64_t)((int64_t)__rdtsc() + v->tsc_offset);

    /* Seqlock: odd while the fields are inconsistent. */
    uint32_t ver = __atomic_load_n(&t->version, __ATOMIC_RELAXED);
    ver += ver & 1;
    __atomic_store_n(&t->version, ver + 1, __ATOMIC_RELEASE);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    t->tsc_timestamp = tsc;
    t->system_time = now;
    t->tsc_to_system_mul = tsc_mul;
    t->tsc_shift = tsc_shift;
    t->flags = XEN_PVCLOCK_TSC_STABLE_BIT;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    __atomic_store_n(&t->version, ver + 2, __ATOMIC_RELEASE);
    v->time_info_ns = now;
}

void time_update_wallclock(struct domain *d)
{
    uint8_t *s;
    uint32_t *ver, *sec, *nsec, *sec_hi;
    bool compat;

    if (!d->ev_ready)
        return;
    s = d->mem_base + d->shared_info_off;
    compat = d->ev.compat;
#define F(field) ((uint32_t *)(s + (compat ? offsetof(struct shared_info_x86_32, field) \
                                           : offsetof(struct shared_info_x86_64, field))))
    ver = F(wc_version);
    sec = F(wc_sec);
    nsec = F(wc_nsec);
#undef F
    /* 32-bit guests keep the high half in the arch part. */
    sec_hi = (uint32_t *)(s + (compat ? offsetof(struct shared_info_x86_32, arch.wc_sec_hi)
                                      : offsetof(struct shared_info_x86_64, wc_sec_hi)));
    /* The wallclock at system time 0. */
    uint64_t boot = xk_realtime_ns() - time_system_ns();
    int64_t secs = (int64_t)(boot / 1000000000ULL) + d->time_offset_s;
    uint32_t v0 = __atomic_load_n(ver, __ATOMIC_RELAXED);

    v0 += v0 & 1;
    __atomic_store_n(ver, v0 + 1, __ATOMIC_RELEASE);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    *sec = (uint32_t)secs;
    *sec_hi = (uint32_t)((uint64_t)secs >> 32);
    *nsec = (uint32_t)(boot % 1000000000ULL);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    __atomic_store_n(ver, v0 + 2, __ATOMIC_RELEASE);
}

uint64_t time_check_timers(struct vcpu *v, uint64_t now)
{
    struct domain *d = v->domain;
    uint64_t next = 0;

    if (v->singleshot_ns && now >= v->singleshot_ns) {
        v->singleshot_ns = 0;
        evtchn_send_virq(&d->ev, VIRQ_TIMER, v->id);
    }
    if (v->periodic_period_ns && now >= v->periodic_next_ns) {
        uint64_t late = now - v->periodic_next_ns;
        v->periodic_next_ns += v->periodic_period_ns * (late / v->periodic_period_ns + 1);
        evtchn_send_virq(&d->ev, VIRQ_TIMER, v->id);
    }
    if (v->singleshot_ns)
        next = v->singleshot_ns;
    if (v->periodic_period_ns && (!next || v->periodic_next_ns < next))
        next = v->periodic_next_ns;
    if (d->ev_ready && now - v->time_info_ns >= TIME_INFO_REFRESH_NS)
        time_update_vcpu(v);
    return next;
}

long do_set_timer_op(struct vcpu *v, struct hcall *h)
{
    uint64_t timeout = h->arg[0];

    if (h->mode == 4)       /* 32-bit callers pass the 64-bit value in two halves */
        timeout = h->arg[0] | (h->arg[1] << 32);
    if (timeout == 0) {
        v->singleshot_ns = 0;
        return 0;
    }
    /* Xen's workaround for old Linux: a deadline wrapped negative or more
     * than 2^50 ns (13 days) ahead means "in 100 ms". */
    uint64_t now = time_system_ns();
    if ((int64_t)timeout < 0 || (timeout > now && timeout - now >= (1ULL << 50)))
        timeout = now + 100000000ULL;
    v->singleshot_ns = timeout;
    return 0;
}
