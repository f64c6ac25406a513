/* vCPUs: one host thread each, running KVM_RUN and handling the exits.
 *
 * A vCPU thread runs guest code only while its domain may run (not paused,
 * shut down or dying) and the vCPU is online.  Otherwise it parks on
 * d->cond with v->quiescent set, which is what domain_pause() waits for.
 *
 * Kicks: another thread sets bits in v->work and then, depending on
 * v->mode, interrupts KVM_RUN with SIG_KICK (whose handler sets
 * kvm_run.immediate_exit, so a kick just before KVM_RUN is not lost) or
 * wakes a blocked vCPU through its eventfd.  The vCPU thread publishes its
 * mode before it checks v->work, and the kicker sets v->work before it
 * reads the mode, so one of the two always sees the other (both are
 * sequentially consistent atomics).
 *
 * Interrupts come from the emulated LAPIC (vlapic.c) and are injected with
 * KVM_INTERRUPT when the guest can take them, else an interrupt window is
 * requested.  LAPIC timers are POSIX timers that signal the vCPU thread.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>

#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#include <xen/hvm/save.h>
#include <xen/vcpu.h>

#include "xen.h"

#define SIG_KICK (SIGRTMIN + 1)
#define VCPU_STACK_SIZE (512 * 1024)

#define MSR_IA32_TSC          0x10
#define MSR_IA32_SYSENTER_CS  0x174
#define MSR_IA32_SYSENTER_ESP 0x175
#define MSR_IA32_SYSENTER_EIP 0x176
#define MSR_MTRR_DEF_TYPE     0x2ff
#define MSR_STAR              0xc0000081
#define MSR_LSTAR             0xc0000082
#define MSR_CSTAR             0xc0000083
#define MSR_SYSCALL_MASK      0xc0000084
#define MSR_KERNEL_GS_BASE    0xc0000102
#define MSR_TSC_AUX           0xc0000103

static __thread struct kvm_run *tls_run;

static void kick_handler(int sig)
{
    (void)sig;
    if (tls_run)
        tls_run->immediate_exit = 1;
}

void vcpu_signals_init(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = kick_handler;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIG_KICK, &sa, NULL) < 0)
        xk_fatal_errno("sigaction");
}

/* ---- LAPIC glue ------------------------------------------------------- */

static uint64_t lapic_tsc_to_ns(void *ctx, uint64_t tsc)
{
    struct vcpu *v = ctx;
    uint64_t now = xk_now_ns();
    int64_t delta = (int64_t)(tsc - (uint64_t)((int64_t)__rdtsc() + v->tsc_offset));

    if (!hv.tsc_khz)
        return now;
    if (delta <= 0)
        return now;
    return now + (uint64_t)((__int128)delta * 1000000 / hv.tsc_khz);
}

static void lapic_send_ipi(void *ctx, const struct vlapic_ipi *ipi)
{
    struct vcpu *src = ctx;
    struct domain *d = src->domain;

    for (unsigned i = 0; i < d->max_vcpus; i++) {
        struct vcpu *t = d->vcpus[i];
        bool hit;

        if (!t)
            continue;
        switch (ipi->shorthand) {
        case APIC_SH_SELF: hit = t == src; break;
        case APIC_SH_ALL: hit = true; break;
        case APIC_SH_OTHERS: hit = t != src; break;
        default: hit = vlapic_match_dest(&t->lapic, ipi->dest, ipi->logical); break;
        }
        if (!hit)
            continue;
        switch (ipi->mode) {
        case APIC_DM_FIXED:
        case APIC_DM_LOWEST:
            if (vlapic_accept(&t->lapic, ipi->vector) && t != src)
                vcpu_kick(t, VCPU_WORK_IRQ);
            break;
        case APIC_DM_NMI:
            vcpu_kick(t, VCPU_WORK_NMI);
            break;
        case APIC_DM_INIT:
            if (ipi->level_assert && t != src) {
                vcpu_kick(t, VCPU_WORK_INIT);
                pthread_mutex_lock(&d->lock);
                pthread_cond_broadcast(&d->cond);
                pthread_mutex_unlock(&d->lock);
            }
            break;
        case APIC_DM_STARTUP:
            if (t != src) {
                pthread_mutex_lock(&d->lock);
                t->sipi_vector = ipi->vector;
                pthread_mutex_unlock(&d->lock);
                vcpu_kick(t, VCPU_WORK_SIPI);
                pthread_mutex_lock(&d->lock);
                pthread_cond_broadcast(&d->cond);
                pthread_mutex_unlock(&d->lock);
            }
            break;
        default:
            break;      /* SMI, ExtINT: not emulated */
        }
        if (ipi->mode == APIC_DM_LOWEST && hit)
            break;      /* one target is enough */
    }
}

static const struct vlapic_ops lapic_ops = {
    .send_ipi = lapic_send_ipi,
    .tsc_to_ns = lapic_tsc_to_ns,
};

/* ---- creation and destruction ----------------------------------------- */

static int set_msr(struct vcpu *v, uint32_t index, uint64_t value)
{
    struct {
        struct kvm_msrs hdr;
        struct kvm_msr_entry e;
    } m = { .hdr.nmsrs = 1, .e = { .index = index, .data = value } };

    return ioctl(v->fd, KVM_SET_MSRS, &m) == 1 ? 0 : -EINVAL;
}

static int get_msr(struct vcpu *v, uint32_t index, uint64_t *value)
{
    struct {
        struct kvm_msrs hdr;
        struct kvm_msr_entry e;
    } m = { .hdr.nmsrs = 1, .e = { .index = index } };

    if (ioctl(v->fd, KVM_GET_MSRS, &m) != 1)
        return -EINVAL;
    *value = m.e.data;
    return 0;
}

/* Measures the guest TSC's offset from the host's now: KVM may move it
 * (e.g. when the host TSC is not trusted across CPUs). */
void vcpu_sync_tsc(struct vcpu *v)
{
    uint64_t before = __rdtsc(), guest_tsc, after;

    if (get_msr(v, 0x10 /* IA32_TSC */, &guest_tsc) < 0)
        return;
    after = __rdtsc();
    v->tsc_offset = (int64_t)(guest_tsc - (before + (after - before) / 2));
}

int vcpu_create(struct domain *d, unsigned int id)
{
    struct vcpu *v = calloc(1, sizeof(*v));
    uint64_t guest_tsc;
    int rc;

    if (!v)
        return -ENOMEM;
    v->domain = d;
    v->id = id;
    v->fd = -1;
    v->wake_fd = -1;
    v->quiescent = true;
    v->vcpu_info_gfn = ~0ULL;
    v->runstate_state = RUNSTATE_offline;
    for (unsigned i = 0; i < hv.pcpus && i < XK_MAX_PCPUS; i++) {
        v->aff_hard[i / 8] |= (uint8_t)(1u << (i % 8));
        v->aff_soft[i / 8] |= (uint8_t)(1u << (i % 8));
    }
    atomic_store(&v->mode, VCPU_PARKED);
    atomic_store(&v->work, VCPU_WORK_STOP);
    d->vcpus[id] = v;

    v->fd = ioctl(d->vm_fd, KVM_CREATE_VCPU, (unsigned long)id);
    if (v->fd < 0) {
        rc = -errno;
        xk_log_errno(XK_LOG_ERROR, "d%u: KVM_CREATE_VCPU %u", d->domid, id);
        return rc;
    }
    v->run_size = (size_t)hv.kvm_run_size;
    v->run = mmap(NULL, v->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
    if (v->run == MAP_FAILED) {
        v->run = NULL;
        return -errno;
    }
    rc = cpuid_set_vcpu(v);
    if (rc < 0) {
        xk_log(XK_LOG_ERROR, "d%u: KVM_SET_CPUID2 for vCPU %u: %s", d->domid, id, strerror(-rc));
        return rc;
    }
    /* MTRRs enabled, default type write-back, as Xen sets up PVH guests. */
    set_msr(v, MSR_MTRR_DEF_TYPE, 0xc06);
    if (get_msr(v, MSR_IA32_TSC, &guest_tsc) == 0)
        v->tsc_offset = (int64_t)(guest_tsc - __rdtsc());
    vlapic_init(&v->lapic, id * 2, &lapic_ops, v);
    v->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (v->wake_fd < 0)
        return -errno;
    v->run->kvm_valid_regs = KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS;
    return 0;
}

void vcpu_join(struct vcpu *v)
{
    if (v->thread_started) {
        vcpu_kick(v, VCPU_WORK_STOP);
        pthread_join(v->thread, NULL);
        v->thread_started = false;
    }
}

void vcpu_destroy(struct vcpu *v)
{
    vcpu_join(v);
    if (v->run) {
        munmap(v->run, v->run_size);
        v->run = NULL;
    }
    if (v->fd >= 0) {
        close(v->fd);
        v->fd = -1;
    }
    if (v->wake_fd >= 0) {
        close(v->wake_fd);
        v->wake_fd = -1;
    }
    free(v);
}

/* ---- kicks and run state ---------------------------------------------- */

void vcpu_kick(struct vcpu *v, unsigned int work)
{
    atomic_fetch_or(&v->work, work);
    int m = atomic_load(&v->mode);
    if (m == VCPU_IN_GUEST) {
        pthread_kill(v->thread, SIG_KICK);
    } else if (m == VCPU_BLOCKED) {
        uint64_t one = 1;
        if (write(v->wake_fd, &one, sizeof(one)) < 0) {
            /* the counter is already non-zero: the vCPU will wake */
        }
    }
}

/* d->lock held. */
static bool may_run_locked(struct vcpu *v)
{
    struct domain *d = v->domain;

    return !d->is_dying && d->pause_count == 0 && !d->is_shutdown &&
           v->online && !v->wait_for_sipi;
}

bool vcpu_should_yield(struct vcpu *v)
{
    return atomic_load(&v->work) & VCPU_WORK_STOP;
}

static void host_timer_arm(struct vcpu *v, uint64_t deadline)
{
    struct itimerspec its;

    if (!v->host_timer_ok || deadline == v->timer_armed_ns)
        return;
    memset(&its, 0, sizeof(its));
    if (deadline) {
        its.it_value.tv_sec = (time_t)(deadline / 1000000000ULL);
        its.it_value.tv_nsec = (long)(deadline % 1000000000ULL);
    }
    timer_settime(v->host_timer, TIMER_ABSTIME, &its, NULL);
    v->timer_armed_ns = deadline;
}

static uint64_t min_deadline(uint64_t a, uint64_t b)
{
    if (!a)
        return b;
    if (!b)
        return a;
    return a < b ? a : b;
}

/* While an interrupt waits for the guest to open its interrupt window,
 * the vCPU is also kicked at this interval to look again: some nested
 * KVMs deliver the window exit late.  With prompt window exits the kick
 * is never needed (the window is usually open long before). */
#define WINDOW_POLL_NS 200000ULL

/* Fires due LAPIC and guest timers; returns the next deadline (0: none). */
static uint64_t fire_timers(struct vcpu *v, uint64_t now)
{
    uint64_t next = vlapic_timer_check(&v->lapic, now);

    return min_deadline(next, time_check_timers(v, now));
}

/* The window kick: while an interrupt waits for the guest's window, a
 * second host timer takes the vCPU out of the guest if it has not come
 * out for WINDOW_POLL_NS.  Setting a timer is a system call (one that
 * reprograms the CPU's timer), so it is not pushed back on every exit,
 * only once half of it has passed; and it is never stopped: when the
 * window is no longer needed it fires once, for nothing. */
static void window_kick(struct vcpu *v, uint64_t now)
{
    struct itimerspec its;
    uint64_t at = now + WINDOW_POLL_NS;

    if (!v->run->request_interrupt_window || !v->window_timer_ok ||
        v->window_kick_ns > now + WINDOW_POLL_NS / 2)
        return;
    memset(&its, 0, sizeof(its));
    its.it_value.tv_sec = (time_t)(at / 1000000000ULL);
    its.it_value.tv_nsec = (long)(at % 1000000000ULL);
    timer_settime(v->window_timer, TIMER_ABSTIME, &its, NULL);
    v->window_kick_ns = at;
}

static uint64_t next_deadline(struct vcpu *v)
{
    uint64_t next = vlapic_timer_deadline(&v->lapic);

    if (v->singleshot_ns)
        next = min_deadline(next, v->singleshot_ns);
    if (v->periodic_period_ns)
        next = min_deadline(next, v->periodic_next_ns);
    return next;
}

static void set_real_mode_start(struct vcpu *v, uint8_t vector)
{
    struct kvm_sregs s;
    struct kvm_regs r;

    if (ioctl(v->fd, KVM_GET_SREGS, &s) < 0)
        return;
    memset(&r, 0, sizeof(r));
    r.rflags = 2;
    r.rdx = 0x600;    /* family/model/stepping after reset, roughly */
    s.cs.selector = (uint16_t)(vector << 8);
    s.cs.base = (uint64_t)vector << 12;
    s.cs.limit = 0xffff;
    s.cs.type = 0xb; s.cs.present = 1; s.cs.s = 1; s.cs.db = 0; s.cs.l = 0; s.cs.g = 0; s.cs.dpl = 0;
    struct kvm_segment *segs[] = { &s.ds, &s.es, &s.fs, &s.gs, &s.ss };
    for (unsigned i = 0; i < 5; i++) {
        segs[i]->selector = 0; segs[i]->base = 0; segs[i]->limit = 0xffff;
        segs[i]->type = 3; segs[i]->present = 1; segs[i]->s = 1; segs[i]->db = 0;
        segs[i]->g = 0; segs[i]->l = 0; segs[i]->dpl = 0;
    }
    s.cr0 = 0x60000010; s.cr2 = 0; s.cr3 = 0; s.cr4 = 0; s.efer = 0;
    s.gdt.base = 0; s.gdt.limit = 0xffff; s.idt.base = 0; s.idt.limit = 0xffff;
    s.tr.base = 0; s.tr.limit = 0xffff; s.tr.type = 0xb; s.tr.present = 1; s.tr.s = 0;
    s.ldt.base = 0; s.ldt.limit = 0xffff; s.ldt.type = 2; s.ldt.present = 1; s.ldt.s = 0;
    memset(s.interrupt_bitmap, 0, sizeof(s.interrupt_bitmap));
    ioctl(v->fd, KVM_SET_SREGS, &s);
    ioctl(v->fd, KVM_SET_REGS, &r);
}

/* Handles INIT/SIPI/NMI work.  Called on the vCPU thread. */
static void handle_ipi_work(struct vcpu *v, unsigned int work)
{
    struct domain *d = v->domain;

    if (work & VCPU_WORK_NMI)
        v->nmi_pending = true;
    if (work & VCPU_WORK_INIT) {
        vlapic_reset(&v->lapic);
        pthread_mutex_lock(&d->lock);
        v->wait_for_sipi = true;
        pthread_mutex_unlock(&d->lock);
    }
    if (work & VCPU_WORK_SIPI) {
        pthread_mutex_lock(&d->lock);
        if (v->wait_for_sipi) {
            set_real_mode_start(v, v->sipi_vector);
            v->wait_for_sipi = false;
            if (!v->online) {
                v->online = true;
                d->nr_online++;
            }
        }
        pthread_mutex_unlock(&d->lock);
    }
}

/* Parks until the vCPU may run.  Returns false when the domain is dying. */
static bool park(struct vcpu *v)
{
    struct domain *d = v->domain;
    bool alive;

    pthread_mutex_lock(&d->lock);
    for (;;) {
        unsigned w = atomic_exchange(&v->work, 0);
        if (w & (VCPU_WORK_INIT | VCPU_WORK_SIPI | VCPU_WORK_NMI)) {
            pthread_mutex_unlock(&d->lock);
            handle_ipi_work(v, w);
            pthread_mutex_lock(&d->lock);
        }
        if (may_run_locked(v) || d->is_dying)
            break;
        if (!v->quiescent) {
            v->quiescent = true;
            atomic_store(&v->mode, VCPU_PARKED);
            pthread_cond_broadcast(&d->cond);
            runstate_set(v, v->online ? RUNSTATE_runnable : RUNSTATE_offline);
        }
        pthread_cond_wait(&d->cond, &d->lock);
    }
    alive = !d->is_dying;
    if (alive) {
        v->quiescent = false;
        atomic_store(&v->mode, VCPU_OUTSIDE);
    }
    pthread_mutex_unlock(&d->lock);
    if (alive) {
        if (!v->time_info_ns)
            time_update_vcpu(v);       /* first run */
        runstate_set(v, RUNSTATE_running);
    }
    return alive;
}

/* Checks work flags; returns false when the vCPU must stop running. */
static bool take_work(struct vcpu *v)
{
    unsigned w = atomic_exchange(&v->work, 0);
    bool ok = true;

    if (w & (VCPU_WORK_INIT | VCPU_WORK_SIPI | VCPU_WORK_NMI))
        handle_ipi_work(v, w);
    if (w & (VCPU_WORK_STOP | VCPU_WORK_INIT | VCPU_WORK_SIPI)) {
        pthread_mutex_lock(&v->domain->lock);
        ok = may_run_locked(v);
        pthread_mutex_unlock(&v->domain->lock);
    }
    return ok;
}

/* An interrupt the guest can take now: an NMI, the event callback
 * vector, or a LAPIC vector above its priority. */
static bool interrupt_pending(struct vcpu *v)
{
    return v->nmi_pending || event_pending_vector(v) >= 0 || vlapic_pending(&v->lapic) >= 0;
}

static bool polled_port_pending(struct vcpu *v)
{
    for (unsigned i = 0; i < v->nr_poll_ports; i++)
        if (evtchn_is_pending(&v->domain->ev, v->poll_ports[i]))
            return true;
    return false;
}

/* Halt-polling, as KVM does it: a blocking vCPU first spins on its work
 * flags for a short window, so that an event that comes soon costs no
 * sleep and no cross-CPU wake-up.  The window adapts per vCPU: it grows
 * (from 10 us, doubling, up to hv.halt_poll_max_ns) while blocks end
 * within the maximum but after the window, and halves when a block
 * outlasts the maximum (an idle vCPU stops spinning). */
#define HALT_POLL_START_NS 10000ULL

static void halt_poll_adapt(struct vcpu *v, uint64_t blocked_ns)
{
    uint64_t max = hv.halt_poll_max_ns;

    if (!max)
        return;
    if (blocked_ns > max) {
        v->halt_poll_ns /= 2;
        if (v->halt_poll_ns < HALT_POLL_START_NS)
            v->halt_poll_ns = 0;
    } else if (blocked_ns > v->halt_poll_ns && v->halt_poll_ns < max) {
        v->halt_poll_ns = v->halt_poll_ns ? v->halt_poll_ns * 2 : HALT_POLL_START_NS;
        if (v->halt_poll_ns > max)
            v->halt_poll_ns = max;
    }
}

/* Spins until work arrives or `stop`; true when work arrived.  The spin
 * yields now and then: the thread that will kick us (another vCPU, or
 * dom0's process) may be waiting for this very CPU. */
static bool halt_poll(struct vcpu *v, uint64_t stop)
{
    atomic_store(&v->mode, VCPU_POLLING);
    for (unsigned n = 1;; n++) {
        if (atomic_load(&v->work))
            return true;
        if (!(n & 15)) {
            if (xk_now_ns() >= stop)
                return false;
            sched_yield();
        }
        __builtin_ia32_pause();
    }
}

/* Blocks the vCPU thread.  Poll mode (nr_poll_ports > 0): until a polled
 * port is pending, or an interrupt can be taken with IF set.  Block mode:
 * until an interrupt is pending or an event arrives (a kick), as Xen's
 * SCHEDOP_block wakes on any event.  Returns 1 on wake, 0 at the
 * deadline, -1 when the vCPU must stop. */
static int block_until(struct vcpu *v, uint64_t deadline)
{
    struct pollfd pfd = { .fd = v->wake_fd, .events = POLLIN };
    bool poll = v->nr_poll_ports > 0;
    bool polled = false;
    uint64_t start = 0;
    int ret;

    runstate_set(v, RUNSTATE_blocked);
    for (;;) {
        fire_timers(v, xk_now_ns());
        if (poll ? (polled_port_pending(v) || (v->run->if_flag && interrupt_pending(v)))
                 : interrupt_pending(v)) {
            ret = 1;
            break;
        }
        uint64_t now = xk_now_ns();
        if (deadline && now >= deadline) {
            ret = 0;
            break;
        }
        if (!start)
            start = now;
        uint64_t until = min_deadline(deadline, next_deadline(v));
        if (!polled && v->halt_poll_ns) {
            uint64_t stop = now + v->halt_poll_ns;
            polled = true;
            halt_poll(v, until && until < stop ? until : stop);
        }
        /* The kicker sets work, then reads the mode: either it sees
         * BLOCKED and writes wake_fd, or we see its work here. */
        atomic_store(&v->mode, VCPU_BLOCKED);
        unsigned w = atomic_load(&v->work);
        if (w) {
            atomic_store(&v->mode, VCPU_OUTSIDE);
            if (!take_work(v)) {
                atomic_fetch_or(&v->work, VCPU_WORK_STOP);
                ret = -1;
                break;
            }
            if (!poll && (w & VCPU_WORK_IRQ)) {
                ret = 1;          /* an event arrived */
                break;
            }
            continue;
        }
        struct timespec ts, *tsp = NULL;
        if (until) {
            uint64_t left = until > now ? until - now : 0;
            ts.tv_sec = (time_t)(left / 1000000000ULL);
            ts.tv_nsec = (long)(left % 1000000000ULL);
            tsp = &ts;
        }
        ppoll(&pfd, 1, tsp, NULL);
        uint64_t cnt;
        if (read(v->wake_fd, &cnt, sizeof(cnt)) < 0) {
            /* nothing was pending */
        }
        atomic_store(&v->mode, VCPU_OUTSIDE);
    }
    atomic_store(&v->mode, VCPU_OUTSIDE);
    if (start)
        halt_poll_adapt(v, xk_now_ns() - start);
    runstate_set(v, RUNSTATE_running);
    return ret;
}

int vcpu_block(struct vcpu *v, uint64_t deadline)
{
    return block_until(v, deadline);
}

int vcpu_poll(struct vcpu *v, const uint32_t *ports, unsigned int nr, uint64_t deadline)
{
    struct domain *d = v->domain;
    int ret;

    v->poll_ports = ports;
    v->nr_poll_ports = nr;
    atomic_fetch_or(&d->poll_mask[v->id / 64], 1ULL << (v->id % 64));
    ret = block_until(v, deadline);
    atomic_fetch_and(&d->poll_mask[v->id / 64], ~(1ULL << (v->id % 64)));
    v->poll_ports = NULL;
    v->nr_poll_ports = 0;
    return ret;
}

/* ---- register dumps ---------------------------------------------------- */

void vcpu_dump_regs(struct vcpu *v, const char *why)
{
    const struct kvm_regs *r = &v->run->s.regs.regs;
    const struct kvm_sregs *s = &v->run->s.regs.sregs;
    struct domain *d = v->domain;

    hv_printk("d%uv%u %s", d->domid, v->id, why);
    hv_printk("  RIP: %04x:%016llx  RFLAGS: %016llx  CPL: %u",
              s->cs.selector, (unsigned long long)r->rip, (unsigned long long)r->rflags,
              s->ss.dpl);
    hv_printk("  rax: %016llx  rbx: %016llx  rcx: %016llx", (unsigned long long)r->rax,
              (unsigned long long)r->rbx, (unsigned long long)r->rcx);
    hv_printk("  rdx: %016llx  rsi: %016llx  rdi: %016llx", (unsigned long long)r->rdx,
              (unsigned long long)r->rsi, (unsigned long long)r->rdi);
    hv_printk("  rbp: %016llx  rsp: %016llx  r8:  %016llx", (unsigned long long)r->rbp,
              (unsigned long long)r->rsp, (unsigned long long)r->r8);
    hv_printk("  r9:  %016llx  r10: %016llx  r11: %016llx", (unsigned long long)r->r9,
              (unsigned long long)r->r10, (unsigned long long)r->r11);
    hv_printk("  r12: %016llx  r13: %016llx  r14: %016llx", (unsigned long long)r->r12,
              (unsigned long long)r->r13, (unsigned long long)r->r14);
    hv_printk("  r15: %016llx  cr0: %016llx  cr2: %016llx", (unsigned long long)r->r15,
              (unsigned long long)s->cr0, (unsigned long long)s->cr2);
    hv_printk("  cr3: %016llx  cr4: %016llx  efer: %016llx", (unsigned long long)s->cr3,
              (unsigned long long)s->cr4, (unsigned long long)s->efer);
    hv_printk("  ds: %04x  es: %04x  fs: %04x  gs: %04x  ss: %04x  cs: %04x", s->ds.selector,
              s->es.selector, s->fs.selector, s->gs.selector, s->ss.selector, s->cs.selector);
    hv_printk("  gdt: %016llx/%04x  idt: %016llx/%04x", (unsigned long long)s->gdt.base,
              s->gdt.limit, (unsigned long long)s->idt.base, s->idt.limit);
}

/* ---- exits ------------------------------------------------------------- */

static void handle_io(struct vcpu *v)
{
    struct kvm_run *r = v->run;
    bool out = r->io.direction == KVM_EXIT_IO_OUT;
    unsigned size = r->io.size;
    uint64_t bytes = (uint64_t)r->io.count * size;

    if (r->io.port == XK_HCALL_PORT && out && size == 4 && r->io.count == 1) {
        hypercall_dispatch(v);
        return;
    }
    if ((size != 1 && size != 2 && size != 4) || r->io.data_offset + bytes > v->run_size) {
        domain_crash(v->domain, "malformed I/O exit");
        return;
    }
    uint8_t *data = (uint8_t *)r + r->io.data_offset;
    for (uint32_t i = 0; i < r->io.count; i++)
        platform_pio(v, r->io.port, out, size, data + (uint64_t)i * size);
}

static void handle_msr(struct vcpu *v, bool write)
{
    struct kvm_run *r = v->run;

    r->msr.error = 0;
    switch (r->msr.index) {
    case XK_HCALL_MSR:
        if (write)
            r->msr.error = hypercall_msr_write(v, r->msr.data) < 0;
        else
            r->msr.error = 1;
        break;
    case 0x6e0:   /* IA32_TSC_DEADLINE */
        if (write)
            vlapic_set_tsc_deadline(&v->lapic, r->msr.data, xk_now_ns());
        else
            r->msr.data = vlapic_get_tsc_deadline(&v->lapic);
        break;      /* the loop fires it, and arms the host timer, before KVM_RUN */
    default:
        r->msr.error = 1;
        break;
    }
}

static void deliver_interrupts(struct vcpu *v)
{
    struct kvm_run *r = v->run;
    bool lapic = false;
    int vec;

    if (v->nmi_pending && ioctl(v->fd, KVM_NMI) == 0)
        v->nmi_pending = false;
    /* The event callback vector comes first, as on Xen. */
    vec = event_pending_vector(v);
    if (vec < 0) {
        vec = vlapic_pending(&v->lapic);
        lapic = true;
    }
    if (vec < 0) {
        r->request_interrupt_window = 0;
        return;
    }
    if (r->ready_for_interrupt_injection && r->if_flag) {
        struct kvm_interrupt irq = { .irq = (uint32_t)vec };
        if (ioctl(v->fd, KVM_INTERRUPT, &irq) == 0 && lapic)
            vlapic_ack(&v->lapic, (uint8_t)vec);
        /* The callback is level-like: the guest clears its upcall flag in
         * the handler; ask for a window only for LAPIC vectors left. */
        r->request_interrupt_window = vlapic_pending(&v->lapic) >= 0;
    } else {
        r->request_interrupt_window = 1;
    }
}

/* Handles one exit.  Returns false when the thread should re-check
 * whether it may run (the domain crashed, shut down...). */
static bool handle_exit(struct vcpu *v)
{
    struct kvm_run *r = v->run;
    struct domain *d = v->domain;
    char why[96];

    switch (r->exit_reason) {
    case KVM_EXIT_IO:
        handle_io(v);
        return true;
    case KVM_EXIT_MMIO:
        platform_mmio(v, r->mmio.phys_addr, r->mmio.is_write, r->mmio.len, r->mmio.data);
        return true;
    case KVM_EXIT_X86_RDMSR:
        handle_msr(v, false);
        return true;
    case KVM_EXIT_X86_WRMSR:
        handle_msr(v, true);
        return true;
    case KVM_EXIT_IRQ_WINDOW_OPEN:
    case KVM_EXIT_INTR:
        return true;
    case KVM_EXIT_HLT:
        if (!r->if_flag) {
            /* hlt with interrupts off: this vCPU goes down for good. */
            domain_vcpu_down(v);
            return false;
        }
        return vcpu_block(v, 0) >= 0;
    case KVM_EXIT_SHUTDOWN:
        vcpu_dump_regs(v, "triple fault");
        domain_crash(d, "triple fault");
        return false;
    case KVM_EXIT_FAIL_ENTRY:
        snprintf(why, sizeof(why), "VM entry failed (hardware reason %#llx)",
                 (unsigned long long)r->fail_entry.hardware_entry_failure_reason);
        vcpu_dump_regs(v, why);
        domain_crash(d, why);
        return false;
    case KVM_EXIT_INTERNAL_ERROR:
        snprintf(why, sizeof(why), "unhandleable instruction or state (KVM internal error %u)",
                 r->internal.suberror);
        vcpu_dump_regs(v, why);
        domain_crash(d, why);
        return false;
    case KVM_EXIT_DEBUG:
        return true;
    default:
        snprintf(why, sizeof(why), "unexpected KVM exit reason %u", r->exit_reason);
        vcpu_dump_regs(v, why);
        domain_crash(d, why);
        return false;
    }
}

static void *vcpu_thread(void *arg)
{
    struct vcpu *v = arg;
    struct domain *d = v->domain;
    struct sigevent sev;
    char name[16];

    v->tid = gettid();
    snprintf(name, sizeof(name), "d%uv%u", d->domid, v->id);
    pthread_setname_np(pthread_self(), name);
    tls_run = v->run;
    memset(&sev, 0, sizeof(sev));
    sev.sigev_notify = SIGEV_THREAD_ID;
    sev.sigev_signo = SIG_KICK;
    sev._sigev_un._tid = v->tid;
    v->host_timer_ok = timer_create(CLOCK_MONOTONIC, &sev, &v->host_timer) == 0;
    v->window_timer_ok = timer_create(CLOCK_MONOTONIC, &sev, &v->window_timer) == 0;
    v->window_kick_ns = 0;
    if (!v->host_timer_ok || !v->window_timer_ok)
        xk_log_errno(XK_LOG_WARN, "d%uv%u: timer_create", d->domid, v->id);
    sched_vcpu_start(v);

    for (;;) {
        if (!take_work(v)) {
            if (!park(v))
                break;
            continue;
        }
        uint64_t now = xk_now_ns(), next = fire_timers(v, now);
        if (!sched_before_run(v))
            continue;             /* over its cap: it waited for the next period */
        deliver_interrupts(v);
        host_timer_arm(v, next);
        window_kick(v, now);
        atomic_store(&v->mode, VCPU_IN_GUEST);
        if (atomic_load(&v->work)) {
            atomic_store(&v->mode, VCPU_OUTSIDE);
            continue;
        }
        int rc = ioctl(v->fd, KVM_RUN, 0);
        atomic_store(&v->mode, VCPU_OUTSIDE);
        v->run->immediate_exit = 0;
        sched_after_run(v);
        if (rc < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            char why[96];
            snprintf(why, sizeof(why), "KVM_RUN failed: %s", strerror(errno));
            domain_crash(d, why);
            atomic_fetch_or(&v->work, VCPU_WORK_STOP);
            continue;
        }
        v->exits++;
        if (!handle_exit(v))
            atomic_fetch_or(&v->work, VCPU_WORK_STOP);
    }

    if (v->host_timer_ok) {
        timer_delete(v->host_timer);
        v->host_timer_ok = false;
    }
    if (v->window_timer_ok) {
        timer_delete(v->window_timer);
        v->window_timer_ok = false;
    }
    sched_vcpu_stop(v);
    tls_run = NULL;
    return NULL;
}

void vcpu_apply_affinity(struct vcpu *v)
{
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    cpu_set_t set;
    bool any = false;

    if (!v->thread_started || ncpu <= 0)
        return;
    CPU_ZERO(&set);
    /* pCPU n runs on host CPU n (modulo the host's CPUs). */
    for (unsigned i = 0; i < hv.pcpus && i < XK_MAX_PCPUS; i++) {
        if (v->aff_hard[i / 8] & (1u << (i % 8))) {
            CPU_SET((int)(i % (unsigned)ncpu), &set);
            any = true;
        }
    }
    if (any)
        pthread_setaffinity_np(v->thread, sizeof(set), &set);
}

int vcpu_last_cpu(struct vcpu *v)
{
    char path[64], buf[1024];
    FILE *f;
    int cpu = -1;

    if (!v->tid)
        return -1;
    snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)v->tid);
    f = fopen(path, "r");
    if (!f)
        return -1;
    if (fgets(buf, sizeof(buf), f)) {
        /* Field 39 ("processor"), counted after the command in parentheses. */
        char *p = strrchr(buf, ')');
        int field = 2;
        for (; p && *p; p++) {
            if (*p == ' ' && ++field == 39) {
                cpu = atoi(p + 1);
                break;
            }
        }
    }
    fclose(f);
    return cpu;
}

int vcpu_start_thread(struct vcpu *v)
{
    pthread_attr_t attr;
    int rc;

    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, VCPU_STACK_SIZE);
    rc = pthread_create(&v->thread, &attr, vcpu_thread, v);
    pthread_attr_destroy(&attr);
    if (rc != 0)
        return -rc;
    v->thread_started = true;
    return 0;
}

/* ---- HVM context (struct hvm_hw_cpu) ----------------------------------- */

void vcpu_seg_from_ar(struct kvm_segment *s, uint32_t sel, uint64_t base, uint32_t limit,
                      uint32_t ar)
{
    memset(s, 0, sizeof(*s));
    s->selector = (uint16_t)sel;
    s->limit = limit;
    s->base = base;
    s->type = ar & 0xf;
    s->s = (ar >> 4) & 1;
    s->dpl = (ar >> 5) & 3;
    s->present = (ar >> 7) & 1;
    s->avl = (ar >> 8) & 1;
    s->l = (ar >> 9) & 1;
    s->db = (ar >> 10) & 1;
    s->g = (ar >> 11) & 1;
    s->unusable = !s->present;
}

static uint32_t seg_to_hw(const struct kvm_segment *s, uint32_t *sel, uint32_t *limit,
                          uint64_t *base)
{
    *sel = s->selector;
    *limit = s->limit;
    *base = s->base;
    if (s->unusable)
        return 0;
    return (uint32_t)(s->type | (s->s << 4) | (s->dpl << 5) | (s->present << 7) |
                      (s->avl << 8) | (s->l << 9) | (s->db << 10) | (s->g << 11));
}

int vcpu_set_hvm_context(struct vcpu *v, const void *buf)
{
    const struct hvm_hw_cpu *c = buf;
    struct domain *d = v->domain;
    struct kvm_regs r;
    struct kvm_sregs s;
    struct kvm_debugregs dr;

    /* Basic sanity, as Xen's loader checks: a paged mode needs PE, long
     * mode needs PAE, CR0.PG needs CR0.PE. */
    if ((c->cr0 & (1ULL << 31)) && !(c->cr0 & 1))
        return -EINVAL;
    if ((c->msr_efer & (1ULL << 8)) && (c->cr0 & (1ULL << 31)) && !(c->cr4 & (1ULL << 5)))
        return -EINVAL;

    memset(&r, 0, sizeof(r));
    r.rax = c->rax; r.rbx = c->rbx; r.rcx = c->rcx; r.rdx = c->rdx;
    r.rsi = c->rsi; r.rdi = c->rdi; r.rsp = c->rsp; r.rbp = c->rbp;
    r.r8 = c->r8; r.r9 = c->r9; r.r10 = c->r10; r.r11 = c->r11;
    r.r12 = c->r12; r.r13 = c->r13; r.r14 = c->r14; r.r15 = c->r15;
    r.rip = c->rip;
    r.rflags = c->rflags | 2;

    if (ioctl(v->fd, KVM_GET_SREGS, &s) < 0)
        return -errno;
    vcpu_seg_from_ar(&s.cs, c->cs_sel, c->cs_base, c->cs_limit, c->cs_arbytes);
    vcpu_seg_from_ar(&s.ds, c->ds_sel, c->ds_base, c->ds_limit, c->ds_arbytes);
    vcpu_seg_from_ar(&s.es, c->es_sel, c->es_base, c->es_limit, c->es_arbytes);
    vcpu_seg_from_ar(&s.fs, c->fs_sel, c->fs_base, c->fs_limit, c->fs_arbytes);
    vcpu_seg_from_ar(&s.gs, c->gs_sel, c->gs_base, c->gs_limit, c->gs_arbytes);
    vcpu_seg_from_ar(&s.ss, c->ss_sel, c->ss_base, c->ss_limit, c->ss_arbytes);
    vcpu_seg_from_ar(&s.tr, c->tr_sel, c->tr_base, c->tr_limit, c->tr_arbytes);
    vcpu_seg_from_ar(&s.ldt, c->ldtr_sel, c->ldtr_base, c->ldtr_limit, c->ldtr_arbytes);
    /* KVM wants TR and LDTR usable (an unusable LDT is type 2, present 0). */
    if (!s.tr.present) {
        s.tr.present = 1; s.tr.type = 0xb; s.tr.unusable = 0;
    }
    if (!s.ldt.present) {
        s.ldt.type = 2; s.ldt.unusable = 1;
    }
    s.gdt.base = c->gdtr_base; s.gdt.limit = (uint16_t)c->gdtr_limit;
    s.idt.base = c->idtr_base; s.idt.limit = (uint16_t)c->idtr_limit;
    s.cr0 = c->cr0; s.cr2 = c->cr2; s.cr3 = c->cr3; s.cr4 = c->cr4;
    s.efer = c->msr_efer;
    memset(s.interrupt_bitmap, 0, sizeof(s.interrupt_bitmap));

    if (ioctl(v->fd, KVM_SET_SREGS, &s) < 0)
        return -errno;
    if (ioctl(v->fd, KVM_SET_REGS, &r) < 0)
        return -errno;
    memset(&dr, 0, sizeof(dr));
    dr.db[0] = c->dr0; dr.db[1] = c->dr1; dr.db[2] = c->dr2; dr.db[3] = c->dr3;
    dr.dr6 = c->dr6 ? c->dr6 : 0xffff0ff0;
    dr.dr7 = c->dr7 ? c->dr7 : 0x400;
    ioctl(v->fd, KVM_SET_DEBUGREGS, &dr);
    set_msr(v, MSR_IA32_SYSENTER_CS, c->sysenter_cs);
    set_msr(v, MSR_IA32_SYSENTER_ESP, c->sysenter_esp);
    set_msr(v, MSR_IA32_SYSENTER_EIP, c->sysenter_eip);
    set_msr(v, MSR_KERNEL_GS_BASE, c->shadow_gs);
    set_msr(v, MSR_LSTAR, c->msr_lstar);
    set_msr(v, MSR_STAR, c->msr_star);
    set_msr(v, MSR_CSTAR, c->msr_cstar);
    set_msr(v, MSR_SYSCALL_MASK, c->msr_syscall_mask);

    /* The vCPU is initialised: it comes up when the domain runs. */
    pthread_mutex_lock(&d->lock);
    v->initialised = true;
    if (!v->online) {
        v->online = true;
        d->nr_online++;
    }
    v->wait_for_sipi = false;
    pthread_mutex_unlock(&d->lock);
    atomic_fetch_or(&v->work, VCPU_WORK_STOP);
    return 0;
}

int vcpu_get_hvm_context(struct vcpu *v, void *buf)
{
    struct hvm_hw_cpu *c = buf;
    struct kvm_regs r;
    struct kvm_sregs s;
    struct kvm_debugregs dr;
    uint64_t val;

    if (ioctl(v->fd, KVM_GET_REGS, &r) < 0 || ioctl(v->fd, KVM_GET_SREGS, &s) < 0)
        return -errno;
    memset(c, 0, sizeof(*c));
    c->rax = r.rax; c->rbx = r.rbx; c->rcx = r.rcx; c->rdx = r.rdx;
    c->rsi = r.rsi; c->rdi = r.rdi; c->rsp = r.rsp; c->rbp = r.rbp;
    c->r8 = r.r8; c->r9 = r.r9; c->r10 = r.r10; c->r11 = r.r11;
    c->r12 = r.r12; c->r13 = r.r13; c->r14 = r.r14; c->r15 = r.r15;
    c->rip = r.rip; c->rflags = r.rflags;
    c->cr0 = s.cr0; c->cr2 = s.cr2; c->cr3 = s.cr3; c->cr4 = s.cr4;
    c->msr_efer = s.efer;
    c->cs_arbytes = seg_to_hw(&s.cs, &c->cs_sel, &c->cs_limit, &c->cs_base);
    c->ds_arbytes = seg_to_hw(&s.ds, &c->ds_sel, &c->ds_limit, &c->ds_base);
    c->es_arbytes = seg_to_hw(&s.es, &c->es_sel, &c->es_limit, &c->es_base);
    c->fs_arbytes = seg_to_hw(&s.fs, &c->fs_sel, &c->fs_limit, &c->fs_base);
    c->gs_arbytes = seg_to_hw(&s.gs, &c->gs_sel, &c->gs_limit, &c->gs_base);
    c->ss_arbytes = seg_to_hw(&s.ss, &c->ss_sel, &c->ss_limit, &c->ss_base);
    c->tr_arbytes = seg_to_hw(&s.tr, &c->tr_sel, &c->tr_limit, &c->tr_base);
    c->ldtr_arbytes = seg_to_hw(&s.ldt, &c->ldtr_sel, &c->ldtr_limit, &c->ldtr_base);
    c->gdtr_base = s.gdt.base; c->gdtr_limit = s.gdt.limit;
    c->idtr_base = s.idt.base; c->idtr_limit = s.idt.limit;
    if (ioctl(v->fd, KVM_GET_DEBUGREGS, &dr) == 0) {
        c->dr0 = dr.db[0]; c->dr1 = dr.db[1]; c->dr2 = dr.db[2]; c->dr3 = dr.db[3];
        c->dr6 = dr.dr6; c->dr7 = dr.dr7;
    }
    if (get_msr(v, MSR_IA32_SYSENTER_CS, &val) == 0) c->sysenter_cs = val;
    if (get_msr(v, MSR_IA32_SYSENTER_ESP, &val) == 0) c->sysenter_esp = val;
    if (get_msr(v, MSR_IA32_SYSENTER_EIP, &val) == 0) c->sysenter_eip = val;
    if (get_msr(v, MSR_KERNEL_GS_BASE, &val) == 0) c->shadow_gs = val;
    if (get_msr(v, MSR_LSTAR, &val) == 0) c->msr_lstar = val;
    if (get_msr(v, MSR_STAR, &val) == 0) c->msr_star = val;
    if (get_msr(v, MSR_CSTAR, &val) == 0) c->msr_cstar = val;
    if (get_msr(v, MSR_SYSCALL_MASK, &val) == 0) c->msr_syscall_mask = val;
    if (get_msr(v, MSR_TSC_AUX, &val) == 0) c->msr_tsc_aux = val;
    if (get_msr(v, MSR_IA32_TSC, &val) == 0) c->tsc = val;
    return 0;
}
