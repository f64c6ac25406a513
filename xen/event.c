/* Event channels in the hypervisor: the hypercall, delivery into vCPUs
 * (the callback vector, per-vCPU upcall vectors through the vlapic), and
 * the shared-info layout.  The port logic itself is in evtchn.c. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <errno.h>
#include <string.h>

#include <xen/foreign/x86_32.h>
#include <xen/foreign/x86_64.h>
#include <xen/hvm/params.h>

#include "xen.h"
#include "hcall.h"
#include "ctl.h"

static void ev_upcall(struct evtchn_dom *ed, unsigned int vcpu)
{
    struct domain *d = ed->ctx;
    struct vcpu *v = vcpu < d->max_vcpus ? d->vcpus[vcpu] : NULL;

    if (!v)
        return;
    if (v->upcall_vector)
        vlapic_accept(&v->lapic, v->upcall_vector);
    vcpu_kick(v, VCPU_WORK_IRQ);
}

static void ev_wake_pollers(struct evtchn_dom *ed, uint32_t port)
{
    struct domain *d = ed->ctx;

    (void)port;
    for (unsigned w = 0; w < XK_MAX_VCPUS / 64; w++) {
        uint64_t m = atomic_load(&d->poll_mask[w]);
        while (m) {
            unsigned b = (unsigned)__builtin_ctzll(m);
            m &= m - 1;
            unsigned id = w * 64 + b;
            if (id < d->max_vcpus && d->vcpus[id])
                vcpu_kick(d->vcpus[id], VCPU_WORK_IRQ);
        }
    }
}

static const struct evtchn_ops guest_ops = {
    .upcall = ev_upcall,
    .wake_pollers = ev_wake_pollers,
};

static const struct evtchn_ops dom0_ops = {
    .dom0_notify = ctl_evtchn_deliver,
};

int event_domain_init(struct domain *d)
{
    int rc;

    if (d->is_privileged) {
        rc = evtchn_dom_init(&d->ev, 0, 1, 65535, &dom0_ops, d);
        if (rc == 0)
            d->ev.is_dom0 = true;
    } else {
        rc = evtchn_dom_init(&d->ev, d->domid, d->max_vcpus, d->max_evtchn_port, &guest_ops, d);
        if (rc == 0)
            evtchn_set_shinfo(&d->ev, d->mem_base + d->shared_info_off, false);
    }
    d->ev_ready = rc == 0;
    return rc;
}

void event_domain_fini(struct domain *d)
{
    if (d->ev_ready)
        evtchn_dom_destroy(&d->ev);
    d->ev_ready = false;
}

uint8_t *event_vcpu_info(struct vcpu *v)
{
    struct domain *d = v->domain;
    size_t sz = d->ev.compat ? sizeof(struct vcpu_info_x86_32) : sizeof(struct vcpu_info_x86_64);

    if (v->vcpu_info_gfn != ~0ULL) {
        uint8_t *p = domain_gpa_ptr(d, (v->vcpu_info_gfn << XK_PAGE_SHIFT) + v->vcpu_info_off,
                                    sz, true);
        if (p)
            return p;
    }
    if (v->id < XEN_LEGACY_MAX_VCPUS)
        return d->mem_base + d->shared_info_off + v->id * sz;
    return v->dummy_vcpu_info;
}

void event_update_vcpu_info(struct vcpu *v)
{
    if (v->domain->ev_ready)
        evtchn_set_vcpu_info(&v->domain->ev, v->id, event_vcpu_info(v));
}

/* Xen latches the shared info layout from the mode of the vCPU that sets
 * up the hypercall page or the callback. */
void event_latch_shinfo(struct vcpu *v)
{
    struct domain *d = v->domain;
    const struct kvm_sregs *s = &v->run->s.regs.sregs;
    bool compat = !((s->efer & (1ULL << 10)) && s->cs.l);

    if (!d->ev_ready)
        return;
    if (d->shinfo_latched && d->ev.compat == compat)
        return;
    evtchn_set_shinfo(&d->ev, d->mem_base + d->shared_info_off, compat);
    d->shinfo_latched = true;
    for (unsigned i = 0; i < d->max_vcpus; i++)
        if (d->vcpus[i])
            event_update_vcpu_info(d->vcpus[i]);
}

void event_set_callback_irq(struct domain *d, uint64_t value)
{
    unsigned type = (unsigned)(value >> 56);

    /* Only the vector type can be delivered without an emulated IOAPIC. */
    d->callback_vector = (type == HVM_PARAM_CALLBACK_TYPE_VECTOR) ? (uint8_t)value : 0;
    for (unsigned i = 0; i < d->max_vcpus; i++)
        if (d->vcpus[i])
            vcpu_kick(d->vcpus[i], VCPU_WORK_IRQ);
}

/* HVMOP_set_evtchn_upcall_vector: as Xen does, an upcall already pending
 * (an event sent before the guest set its vector) is delivered now
 * through the new vector, rather than waiting for a 0 -> 1 edge that a
 * guest which has not acknowledged it yet will never make. */
void event_set_upcall_vector(struct vcpu *v, uint8_t vector)
{
    struct domain *d = v->domain;

    v->upcall_vector = vector;
    if (d->ev_ready && evtchn_upcall_pending(&d->ev, v->id)) {
        vlapic_accept(&v->lapic, vector);
        vcpu_kick(v, VCPU_WORK_IRQ);
    }
}

int event_pending_vector(struct vcpu *v)
{
    struct domain *d = v->domain;

    /* The global callback vector is level-like: offered while the
     * vCPU's upcall flag is set, with no LAPIC bookkeeping (as Xen). */
    if (d->callback_vector >= 16 && !v->upcall_vector && d->ev_ready &&
        evtchn_upcall_pending(&d->ev, v->id))
        return d->callback_vector;
    return -1;
}

void event_con_ring(void)
{
    struct domain *d0 = hv.domains[0];

    if (d0 && d0->ev_ready)
        evtchn_send_virq(&d0->ev, VIRQ_CON_RING, 0);
}

void event_dom_exc(void)
{
    struct domain *d0 = hv.domains[0];

    if (d0 && d0->ev_ready)
        evtchn_send_virq(&d0->ev, VIRQ_DOM_EXC, 0);
}

/* ---- EVTCHNOP_* ------------------------------------------------------------ */

/* The domain a guest names: itself only (DOMID_SELF or its own id). */
static int self_only(struct vcpu *v, domid_t dom)
{
    if (dom == DOMID_SELF || dom == v->domain->domid)
        return 0;
    pthread_mutex_lock(&hv.lock);
    struct domain *t = domain_lookup(dom);
    pthread_mutex_unlock(&hv.lock);
    return t ? -EPERM : -ESRCH;
}

static long evtchn_bind_interdomain_op(struct vcpu *v, struct evtchn_bind_interdomain *b)
{
    struct domain *d = v->domain, *rd;
    domid_t rdom = b->remote_dom == DOMID_SELF ? d->domid : b->remote_dom;
    uint32_t lport;
    int rc;

    /* The remote domain must stay alive while we bind: take evtchn_lock's
     * view of it through the domain table under hv.lock.  A domain that
     * dies closes its ports under evtchn_lock first, and the core checks
     * `dying` under that lock. */
    pthread_mutex_lock(&hv.lock);
    rd = rdom < DOMID_FIRST_RESERVED ? hv.domains[rdom] : NULL;
    if (!rd || !rd->ev_ready) {
        pthread_mutex_unlock(&hv.lock);
        return -ESRCH;
    }
    rc = evtchn_bind_interdomain(&d->ev, &rd->ev, b->remote_port, &lport);
    pthread_mutex_unlock(&hv.lock);
    if (rc == 0)
        b->local_port = lport;
    return rc;
}

/* Answers a call that opened a port.  A guest that cannot take the answer
 * never learns the port, so it is closed again. */
static long port_reply(struct vcpu *v, uint64_t arg, const void *ans, size_t len, uint32_t port)
{
    if (copy_to_guest(v, arg, ans, len) < 0) {
        evtchn_close(&v->domain->ev, port);
        return -EFAULT;
    }
    return 0;
}

long do_event_channel_op(struct vcpu *v, struct hcall *h)
{
    struct domain *d = v->domain;
    uint32_t cmd = (uint32_t)h->arg[0];
    uint64_t arg = h->arg[1];
    long rc;

#define COPY_IN(x) do { if (copy_from_guest(v, &(x), arg, sizeof(x)) < 0) return -EFAULT; } while (0)
#define COPY_OUT(x) (copy_to_guest(v, arg, &(x), sizeof(x)) < 0 ? -EFAULT : 0)
    switch (cmd) {
    case EVTCHNOP_alloc_unbound: {
        struct evtchn_alloc_unbound a;
        COPY_IN(a);
        rc = self_only(v, a.dom);
        if (rc)
            return rc;
        rc = evtchn_alloc_unbound(&d->ev, a.remote_dom == DOMID_SELF ? d->domid : a.remote_dom,
                                  &a.port);
        if (rc)
            return rc;
        return port_reply(v, arg, &a, sizeof(a), a.port);
    }
    case EVTCHNOP_bind_interdomain: {
        struct evtchn_bind_interdomain b;
        COPY_IN(b);
        rc = evtchn_bind_interdomain_op(v, &b);
        if (rc)
            return rc;
        return port_reply(v, arg, &b, sizeof(b), b.local_port);
    }
    case EVTCHNOP_bind_virq: {
        struct evtchn_bind_virq b;
        COPY_IN(b);
        rc = evtchn_bind_virq(&d->ev, b.virq, b.vcpu, &b.port);
        if (rc)
            return rc;
        return port_reply(v, arg, &b, sizeof(b), b.port);
    }
    case EVTCHNOP_bind_ipi: {
        struct evtchn_bind_ipi b;
        COPY_IN(b);
        rc = evtchn_bind_ipi(&d->ev, b.vcpu, &b.port);
        if (rc)
            return rc;
        return port_reply(v, arg, &b, sizeof(b), b.port);
    }
    case EVTCHNOP_bind_pirq:
        return -ENOSYS;           /* no physical IRQs: PVH has none */
    case EVTCHNOP_close: {
        struct evtchn_close c;
        COPY_IN(c);
        return evtchn_close(&d->ev, c.port);
    }
    case EVTCHNOP_send: {
        struct evtchn_send s;
        COPY_IN(s);
        return evtchn_send(&d->ev, s.port);
    }
    case EVTCHNOP_status: {
        struct evtchn_status s;
        COPY_IN(s);
        rc = self_only(v, s.dom);
        if (rc)
            return rc;
        rc = evtchn_status(&d->ev, &s);
        if (rc)
            return rc;
        return COPY_OUT(s);
    }
    case EVTCHNOP_bind_vcpu: {
        struct evtchn_bind_vcpu b;
        COPY_IN(b);
        return evtchn_bind_vcpu(&d->ev, b.port, b.vcpu);
    }
    case EVTCHNOP_unmask: {
        struct evtchn_unmask u;
        COPY_IN(u);
        return evtchn_unmask(&d->ev, u.port);
    }
    case EVTCHNOP_reset: {
        struct evtchn_reset r;
        COPY_IN(r);
        rc = self_only(v, r.dom);
        if (rc)
            return rc;
        return evtchn_reset(&d->ev);
    }
    case EVTCHNOP_init_control: {
        struct evtchn_init_control ic;
        COPY_IN(ic);
        void *page = domain_gpa_ptr(d, ic.control_gfn << XK_PAGE_SHIFT, XK_PAGE_SIZE, true);
        rc = evtchn_fifo_init_control(&d->ev, ic.vcpu, page, ic.offset);
        if (rc)
            return rc;
        ic.link_bits = EVTCHN_FIFO_LINK_BITS;
        return COPY_OUT(ic);
    }
    case EVTCHNOP_expand_array: {
        struct evtchn_expand_array ea;
        COPY_IN(ea);
        return evtchn_fifo_expand_array(&d->ev, domain_gpa_ptr(d, ea.array_gfn << XK_PAGE_SHIFT,
                                                               XK_PAGE_SIZE, true));
    }
    case EVTCHNOP_set_priority: {
        struct evtchn_set_priority sp;
        COPY_IN(sp);
        return evtchn_set_priority(&d->ev, sp.port, sp.priority);
    }
    default:
        return -ENOSYS;
    }
#undef COPY_IN
#undef COPY_OUT
}
