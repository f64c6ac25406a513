/* vcpu_op: bringing vCPUs up and down, their timers, vcpu_info and
 * runstate areas, NMIs. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include <xen/sched.h>
#include <xen/vcpu.h>
#include <xen/hvm/hvm_vcpu.h>
#include <xen/foreign/x86_32.h>
#include <xen/foreign/x86_64.h>

#include "xen.h"
#include "hcall.h"

#define CR0_PE  (1ULL << 0)
#define CR0_PG  (1ULL << 31)
#define CR4_PAE (1ULL << 5)
#define EFER_LME (1ULL << 8)
#define EFER_LMA (1ULL << 10)

/* ---- runstate ------------------------------------------------------------- */

static void runstate_write(struct vcpu *v)
{
    struct vcpu_runstate_info ri;
    struct domain *d = v->domain;
    bool flag = d->vm_assist & (1ULL << VMASST_TYPE_runstate_update_flag);

    if (!v->runstate_la)
        return;
    ri.state = v->runstate_state;
    ri.state_entry_time = v->runstate_entry_ns;
    memcpy(ri.time, v->runstate_time, sizeof(ri.time));
    if (flag) {
        /* Tell the guest an update is in progress (VMASST runstate flag). */
        uint64_t busy = ri.state_entry_time | XEN_RUNSTATE_UPDATE;
        copy_to_guest(v, v->runstate_la + offsetof(struct vcpu_runstate_info, state_entry_time),
                      &busy, sizeof(busy));
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
    }
    if (copy_to_guest(v, v->runstate_la, &ri, sizeof(ri)) < 0)
        v->runstate_la = 0;        /* the area went away: stop updating it */
}

void runstate_set(struct vcpu *v, int state)
{
    uint64_t now = time_system_ns();

    if (v->runstate_state == state)
        return;
    if (v->runstate_entry_ns && v->runstate_state >= 0 && v->runstate_state < 4)
        v->runstate_time[v->runstate_state] += now - v->runstate_entry_ns;
    v->runstate_state = state;
    v->runstate_entry_ns = now;
    runstate_write(v);
}

/* ---- initialise / up / down ------------------------------------------------- */

static void flat_seg(struct kvm_segment *s, uint16_t sel, uint8_t type, bool code64, bool db)
{
    memset(s, 0, sizeof(*s));
    s->selector = sel;
    s->base = 0;
    s->limit = 0xffffffff;
    s->type = type;
    s->present = 1;
    s->s = 1;
    s->l = code64;
    s->db = db;
    s->g = 1;
}

/* Loads a vcpu_hvm_context into a stopped vCPU (Xen's rules). */
static int set_hvm_context(struct vcpu *t, const struct vcpu_hvm_context *c)
{
    struct kvm_regs r;
    struct kvm_sregs s;

    if (ioctl(t->fd, KVM_GET_SREGS, &s) < 0)
        return -errno;
    memset(&r, 0, sizeof(r));
    switch (c->mode) {
    case VCPU_HVM_MODE_32B: {
        const struct vcpu_hvm_x86_32 *x = &c->cpu_regs.x86_32;
        if (!(x->cs_ar & 0x80) || !(x->cs_ar & 0x8))     /* present, code */
            return -EINVAL;
        if ((x->cr0 & CR0_PG) && !(x->cr0 & CR0_PE))
            return -EINVAL;
        if (x->efer & EFER_LME && !(x->cr4 & CR4_PAE) && (x->cr0 & CR0_PG))
            return -EINVAL;
        r.rax = x->eax; r.rcx = x->ecx; r.rdx = x->edx; r.rbx = x->ebx;
        r.rsp = x->esp; r.rbp = x->ebp; r.rsi = x->esi; r.rdi = x->edi;
        r.rip = x->eip; r.rflags = x->eflags | 2;
        s.cr0 = x->cr0; s.cr3 = x->cr3; s.cr4 = x->cr4;
        s.efer = x->efer;
        if ((s.efer & EFER_LME) && (s.cr0 & CR0_PG))
            s.efer |= EFER_LMA;
        vcpu_seg_from_ar(&s.cs, 0x08, x->cs_base, x->cs_limit, x->cs_ar);
        vcpu_seg_from_ar(&s.ds, 0x10, x->ds_base, x->ds_limit, x->ds_ar);
        vcpu_seg_from_ar(&s.ss, 0x10, x->ss_base, x->ss_limit, x->ss_ar);
        vcpu_seg_from_ar(&s.es, 0x10, x->es_base, x->es_limit, x->es_ar);
        s.fs = s.ds;
        s.gs = s.ds;
        vcpu_seg_from_ar(&s.tr, 0x18, x->tr_base, x->tr_limit, x->tr_ar ? x->tr_ar : 0x8b);
        if (!s.tr.present) {
            s.tr.present = 1;
            s.tr.unusable = 0;
            s.tr.type = 0xb;
        }
        break;
    }
    case VCPU_HVM_MODE_64B: {
        const struct vcpu_hvm_x86_64 *x = &c->cpu_regs.x86_64;
        /* Long mode needs paging, PAE and LME. */
        if (!(x->cr0 & CR0_PG) || !(x->cr0 & CR0_PE) || !(x->cr4 & CR4_PAE) ||
            !(x->efer & EFER_LME))
            return -EINVAL;
        r.rax = x->rax; r.rcx = x->rcx; r.rdx = x->rdx; r.rbx = x->rbx;
        r.rsp = x->rsp; r.rbp = x->rbp; r.rsi = x->rsi; r.rdi = x->rdi;
        r.rip = x->rip; r.rflags = x->rflags | 2;
        s.cr0 = x->cr0; s.cr3 = x->cr3; s.cr4 = x->cr4;
        s.efer = x->efer | EFER_LMA;
        flat_seg(&s.cs, 0x08, 0xb, true, false);
        flat_seg(&s.ds, 0x10, 0x3, false, true);
        s.es = s.ss = s.fs = s.gs = s.ds;
        memset(&s.tr, 0, sizeof(s.tr));
        s.tr.selector = 0x18;
        s.tr.limit = 0x67;
        s.tr.type = 0xb;
        s.tr.present = 1;
        break;
    }
    default:
        return -EINVAL;
    }
    memset(&s.ldt, 0, sizeof(s.ldt));
    s.ldt.type = 2;
    s.ldt.unusable = 1;
    memset(s.interrupt_bitmap, 0, sizeof(s.interrupt_bitmap));
    if (ioctl(t->fd, KVM_SET_SREGS, &s) < 0)
        return -EINVAL;
    if (ioctl(t->fd, KVM_SET_REGS, &r) < 0)
        return -EINVAL;
    return 0;
}

static bool vcpu_is_up(struct vcpu *t)
{
    return t->online && !t->wait_for_sipi;
}

/* ---- the hypercall ------------------------------------------------------------- */

long do_vcpu_op(struct vcpu *v, struct hcall *h)
{
    struct domain *d = v->domain;
    uint32_t cmd = (uint32_t)h->arg[0];
    uint32_t id = (uint32_t)h->arg[1];
    uint64_t arg = h->arg[2];
    struct vcpu *t;
    long rc = 0;

    if (id >= d->max_vcpus || !(t = d->vcpus[id]))
        return -ENOENT;

    switch (cmd) {
    case VCPUOP_initialise: {
        struct vcpu_hvm_context c;
        if (copy_from_guest(v, &c, arg, sizeof(c)) < 0)
            return -EFAULT;
        pthread_mutex_lock(&d->lock);
        if (t->initialised || vcpu_is_up(t))
            rc = -EEXIST;
        else if ((rc = set_hvm_context(t, &c)) == 0)
            t->initialised = true;
        pthread_mutex_unlock(&d->lock);
        return rc;
    }
    case VCPUOP_up:
        pthread_mutex_lock(&d->lock);
        if (!t->initialised && !vcpu_is_up(t)) {
            rc = -EINVAL;
        } else if (!t->online) {
            t->online = true;
            t->wait_for_sipi = false;
            d->nr_online++;
            pthread_cond_broadcast(&d->cond);
        }
        pthread_mutex_unlock(&d->lock);
        return rc;
    case VCPUOP_down: {
        bool others = false;
        pthread_mutex_lock(&d->lock);
        for (unsigned i = 0; i < d->max_vcpus; i++)
            if (i != id && d->vcpus[i] && d->vcpus[i]->online)
                others = true;
        pthread_mutex_unlock(&d->lock);
        if (!others) {
            /* The last vCPU going down powers the domain off. */
            domain_shutdown(d, SHUTDOWN_poweroff);
            return 0;
        }
        if (t == v) {
            domain_vcpu_down(v);
        } else {
            pthread_mutex_lock(&d->lock);
            if (t->online) {
                t->online = false;
                d->nr_online--;
            }
            pthread_mutex_unlock(&d->lock);
            vcpu_kick(t, VCPU_WORK_STOP);
        }
        return 0;
    }
    case VCPUOP_is_up:
        pthread_mutex_lock(&d->lock);
        rc = vcpu_is_up(t);
        pthread_mutex_unlock(&d->lock);
        return rc;
    case VCPUOP_get_runstate_info: {
        struct vcpu_runstate_info ri;
        uint64_t now = time_system_ns();
        memset(&ri, 0, sizeof(ri));
        ri.state = t->runstate_state;
        ri.state_entry_time = t->runstate_entry_ns;
        memcpy(ri.time, t->runstate_time, sizeof(ri.time));
        if (t == v && t->runstate_state >= 0 && t->runstate_state < 4 && t->runstate_entry_ns)
            ri.time[t->runstate_state] += now - t->runstate_entry_ns;
        return copy_to_guest(v, arg, &ri, sizeof(ri)) < 0 ? -EFAULT : 0;
    }
    case VCPUOP_register_runstate_memory_area: {
        uint64_t la;
        if (copy_from_guest(v, &la, arg, h->mode == 8 ? 8 : 4) < 0)
            return -EFAULT;
        if (h->mode != 8)
            la &= 0xffffffffULL;
        if (t != v)
            return -EINVAL;       /* updates use this vCPU's own page tables */
        t->runstate_la = la;
        runstate_write(t);
        return 0;
    }
    case VCPUOP_set_periodic_timer: {
        struct vcpu_set_periodic_timer p;
        if (copy_from_guest(v, &p, arg, sizeof(p)) < 0)
            return -EFAULT;
        if (p.period_ns < 1000000ULL || p.period_ns > (1ULL << 62))
            return -EINVAL;
        t->periodic_period_ns = p.period_ns;
        t->periodic_next_ns = time_system_ns() + p.period_ns;
        if (t != v)
            vcpu_kick(t, VCPU_WORK_TIMER);
        return 0;
    }
    case VCPUOP_stop_periodic_timer:
        t->periodic_period_ns = 0;
        return 0;
    case VCPUOP_set_singleshot_timer: {
        struct vcpu_set_singleshot_timer s;
        if (t != v)
            return -EINVAL;
        if (copy_from_guest(v, &s, arg, sizeof(s)) < 0)
            return -EFAULT;
        if ((s.flags & VCPU_SSHOTTMR_future) && s.timeout_abs_ns < time_system_ns())
            return -ETIME;
        t->singleshot_ns = s.timeout_abs_ns ? s.timeout_abs_ns : 1;
        return 0;
    }
    case VCPUOP_stop_singleshot_timer:
        if (t != v)
            return -EINVAL;
        t->singleshot_ns = 0;
        return 0;
    case VCPUOP_register_vcpu_info: {
        struct vcpu_register_vcpu_info r;
        size_t sz = d->ev.compat ? sizeof(struct vcpu_info_x86_32) : sizeof(struct vcpu_info_x86_64);
        uint8_t *newp, *old;
        uint64_t off;
        uint32_t type;
        if (copy_from_guest(v, &r, arg, sizeof(r)) < 0)
            return -EFAULT;
        if (r.offset > XK_PAGE_SIZE - sz || (r.offset & 7))
            return -EINVAL;
        if (t->vcpu_info_gfn != ~0ULL)
            return -EINVAL;       /* once only */
        if (p2m_lookup(&d->p2m, r.mfn, &off, NULL, &type) < 0 || type != P2M_RAM)
            return -EINVAL;
        newp = d->mem_base + off + r.offset;
        old = event_vcpu_info(t);
        memcpy(newp, old, sz);
        t->vcpu_info_gfn = r.mfn;
        t->vcpu_info_off = r.offset;
        event_update_vcpu_info(t);
        /* Force a rescan of every selector bit, as Xen does. */
        memset(newp + (d->ev.compat ? offsetof(struct vcpu_info_x86_32, evtchn_pending_sel)
                                    : offsetof(struct vcpu_info_x86_64, evtchn_pending_sel)),
               0xff, d->ev.compat ? 4 : 8);
        __atomic_store_n(&newp[0], 1, __ATOMIC_SEQ_CST);
        time_update_vcpu(t);
        vcpu_kick(t, VCPU_WORK_IRQ);
        return 0;
    }
    case VCPUOP_send_nmi:
        vcpu_kick(t, VCPU_WORK_NMI);
        return 0;
    case VCPUOP_get_physid:
        return -EINVAL;
    default:
        return -ENOSYS;
    }
}
