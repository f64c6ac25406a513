/* Scheduling parameters, as credit2 has them (XEN_DOMCTL_scheduler_op),
 * carried out by the host's scheduler on the vCPU threads:
 *
 * - weight (1..65535, 256 by default): a domain's share of contended CPU
 *   relative to others.  Each vCPU thread gets the nice value whose CFS
 *   load weight stands to nice 0's as the domain's weight stands to 256
 *   (the nearest one, -20..19).
 * - cap (% of one CPU, 0 for none): the domain's vCPUs together get at
 *   most cap% of a CPU's time in each 10 ms period.  Each vCPU thread
 *   accounts its own CPU time (guest and xen) after every KVM_RUN into the
 *   domain's budget; a thread-CPU-time timer ends a slice of at most 1 ms
 *   or what is left of the budget; once the budget is spent the vCPUs
 *   wait, runnable, for the next period.
 */
#include "config.h"

#include <stdint.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <xen/vcpu.h>

#include "xen.h"

#define CAP_PERIOD_NS 10000000ULL
#define CAP_SLICE_NS 1000000ULL
#define SIG_KICK (SIGRTMIN + 1)

/* CFS load weights of nice -20..19 (the kernel's table). */
static const unsigned cfs_weight[40] = {
    88761, 71755, 56483, 46273, 36291, 29154, 23254, 18705, 14949, 11916,
    9548,  7620,  6100,  4904,  3906,  3121,  2501,  1991,  1586,  1277,
    1024,  820,   655,   526,   423,   335,   272,   215,   172,   137,
    110,   87,    70,    56,    45,    36,    29,    23,    18,    15,
};

static int weight_to_nice(unsigned w)
{
    /* target CFS weight: 1024 * w / 256; nearest on a log scale, i.e. the
     * smallest |log(target / table)|: compare target^2 with the products
     * of neighbours */
    uint64_t t = (uint64_t)w * 4;
    int best = 0;

    for (int i = 1; i < 40; i++) {
        /* i is better than best when table[i] is nearer t than table[best] */
        uint64_t a = cfs_weight[best], b = cfs_weight[i];
        uint64_t ra = a > t ? a * 1000 / t : t * 1000 / a;
        uint64_t rb = b > t ? b * 1000 / t : t * 1000 / b;
        if (rb < ra)
            best = i;
    }
    return best - 20;
}

void sched_domain_init(struct domain *d)
{
    atomic_store(&d->sched_weight, 256);
    atomic_store(&d->sched_cap, 0);
    atomic_store(&d->cap_used_ns, 0);
    atomic_store(&d->cap_period_end, 0);
}

static void apply_weight(struct vcpu *v)
{
    if (v->tid > 0)
        setpriority(PRIO_PROCESS, (id_t)v->tid, weight_to_nice(atomic_load(&v->domain->sched_weight)));
}

int sched_set(struct domain *d, int weight, int cap)
{
    if (weight > 65535 || (cap >= 0 && (unsigned)cap > 100 * d->max_vcpus))
        return -EINVAL;
    if (cap >= 0)
        atomic_store(&d->sched_cap, (uint32_t)cap);
    if (weight > 0) {
        atomic_store(&d->sched_weight, (uint32_t)weight);
        for (unsigned i = 0; i < d->max_vcpus; i++)
            if (d->vcpus[i] && d->vcpus[i]->thread_started)
                apply_weight(d->vcpus[i]);
    }
    /* running vCPUs re-check at their next exit; a slice is at most 1 ms */
    return 0;
}

static uint64_t thread_cpu_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void sched_vcpu_start(struct vcpu *v)
{
    struct sigevent sev;
    clockid_t cid;

    apply_weight(v);
    v->cap_accounting = false;
    memset(&sev, 0, sizeof(sev));
    sev.sigev_notify = SIGEV_THREAD_ID;
    sev.sigev_signo = SIG_KICK;
    sev._sigev_un._tid = v->tid;
    v->cap_timer_ok = pthread_getcpuclockid(pthread_self(), &cid) == 0 &&
                      timer_create(cid, &sev, &v->cap_timer) == 0;
}

void sched_vcpu_stop(struct vcpu *v)
{
    if (v->cap_timer_ok)
        timer_delete(v->cap_timer);
    v->cap_timer_ok = false;
}

static void arm_slice(struct vcpu *v, uint64_t ns)
{
    struct itimerspec its;

    if (!v->cap_timer_ok)
        return;
    memset(&its, 0, sizeof(its));
    its.it_value.tv_sec = (time_t)(ns / 1000000000ULL);
    its.it_value.tv_nsec = (long)(ns % 1000000000ULL);
    timer_settime(v->cap_timer, 0, &its, NULL);
}

void sched_after_run(struct vcpu *v)
{
    if (!v->cap_accounting)
        return;
    uint64_t now = thread_cpu_ns();
    atomic_fetch_add(&v->domain->cap_used_ns, now - v->cap_last_cpu_ns);
    v->cap_last_cpu_ns = now;
}

/* Sleeps until `until`, or until someone has work for the vCPU. */
static void throttle_wait(struct vcpu *v, uint64_t until)
{
    struct pollfd pfd = { .fd = v->wake_fd, .events = POLLIN };
    uint64_t now = xk_now_ns();

    if (now >= until)
        return;
    runstate_set(v, RUNSTATE_runnable);
    atomic_store(&v->mode, VCPU_BLOCKED);
    if (!atomic_load(&v->work)) {
        uint64_t left = until - now;
        struct timespec ts = { .tv_sec = (time_t)(left / 1000000000ULL),
                               .tv_nsec = (long)(left % 1000000000ULL) };
        uint64_t cnt;
        if (ppoll(&pfd, 1, &ts, NULL) > 0 && read(v->wake_fd, &cnt, sizeof(cnt)) < 0) {
            /* nothing was pending after all */
        }
    }
    atomic_store(&v->mode, VCPU_OUTSIDE);
    runstate_set(v, RUNSTATE_running);
}

bool sched_before_run(struct vcpu *v)
{
    struct domain *d = v->domain;
    uint32_t cap = atomic_load(&d->sched_cap);

    if (!cap) {
        /* Uncapped: no accounting, so no system call on the way in. */
        if (v->cap_accounting) {
            arm_slice(v, 0);
            v->cap_accounting = false;
        }
        return true;
    }
    if (!v->cap_accounting) {
        v->cap_last_cpu_ns = thread_cpu_ns();
        v->cap_accounting = true;
    }
    uint64_t now = xk_now_ns();
    uint64_t end = atomic_load(&d->cap_period_end);
    if (now >= end) {
        /* one vCPU opens the next period; overuse carries over */
        uint64_t next = now + CAP_PERIOD_NS;
        if (atomic_compare_exchange_strong(&d->cap_period_end, &end, next)) {
            uint64_t budget = CAP_PERIOD_NS * cap / 100, used = atomic_load(&d->cap_used_ns);
            while (!atomic_compare_exchange_weak(&d->cap_used_ns, &used,
                                                 used > budget ? used - budget : 0))
                ;
        }
        end = atomic_load(&d->cap_period_end);
    }
    uint64_t budget = CAP_PERIOD_NS * cap / 100;
    uint64_t used = atomic_load(&d->cap_used_ns);
    if (used >= budget) {
        throttle_wait(v, end);
        return false;
    }
    uint64_t left = budget - used;
    arm_slice(v, left < CAP_SLICE_NS ? left : CAP_SLICE_NS);
    return true;
}
