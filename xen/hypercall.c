/* Hypercall entry: the hypercall page, dispatch, guest memory access,
 * multicall and continuations.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include <xen/xen.h>

#include "xen.h"
#include "hcall.h"
#include "gpt.h"

#define NR_HYPERCALLS 64

struct hcall_entry {
    const char *name;
    hcall_fn fn;
};

/* One row per Xen hypercall number; empty rows answer -ENOSYS. */
static const struct hcall_entry hcall_table[NR_HYPERCALLS] = {
    [__HYPERVISOR_memory_op] = { "memory_op", do_memory_op },
    [__HYPERVISOR_multicall] = { "multicall", do_multicall },
    [__HYPERVISOR_xen_version] = { "xen_version", do_xen_version },
    [__HYPERVISOR_console_io] = { "console_io", do_console_io },
    [__HYPERVISOR_vm_assist] = { "vm_assist", do_vm_assist },
    [__HYPERVISOR_sched_op] = { "sched_op", do_sched_op },
    [__HYPERVISOR_hvm_op] = { "hvm_op", do_hvm_op },
    [__HYPERVISOR_event_channel_op] = { "event_channel_op", do_event_channel_op },
    [__HYPERVISOR_set_timer_op] = { "set_timer_op", do_set_timer_op },
    [__HYPERVISOR_vcpu_op] = { "vcpu_op", do_vcpu_op },
    [__HYPERVISOR_grant_table_op] = { "grant_table_op", do_grant_table_op },
};

void hypercall_init_page(struct domain *d, uint8_t *page)
{
    (void)d;
    memset(page, 0xcc, XK_PAGE_SIZE);      /* int3 padding */
    for (unsigned nr = 0; nr < XK_PAGE_SIZE / XK_HCALL_STUB_SIZE; nr++) {
        uint8_t *p = page + nr * XK_HCALL_STUB_SIZE;

        if (nr == __HYPERVISOR_iret) {
            p[0] = 0x0f;                   /* ud2: iret is PV-only */
            p[1] = 0x0b;
            continue;
        }
        p[0] = 0xb8;                       /* mov $nr, %eax */
        p[1] = (uint8_t)nr;
        p[2] = (uint8_t)(nr >> 8);
        p[3] = 0;
        p[4] = 0;
        p[5] = 0xe7;                       /* out %eax, $port */
        p[XK_HCALL_STUB_PORT_OFF] = XK_HCALL_PORT;
        p[7] = 0xc3;                       /* ret */
    }
}

int hypercall_msr_write(struct vcpu *v, uint64_t val)
{
    struct domain *d = v->domain;
    uint64_t gfn = val >> XK_PAGE_SHIFT;
    uint64_t off;
    uint32_t type;

    /* The low 12 bits select the page of a multi-page area: we have one. */
    if (val & (XK_PAGE_SIZE - 1)) {
        hv_dprintk(d, "hypercall page MSR write with bad page index %#llx",
                   (unsigned long long)val);
        return -EINVAL;
    }
    if (p2m_lookup(&d->p2m, gfn, &off, NULL, &type) < 0 || type != P2M_RAM) {
        hv_dprintk(d, "hypercall page at gfn %#llx which is not RAM", (unsigned long long)gfn);
        return -EINVAL;
    }
    hypercall_init_page(d, d->mem_base + off);
    event_latch_shinfo(v);
    return 0;
}

/* ---- guest memory -------------------------------------------------------- */

static void *gpt_map(void *ctx, uint64_t gpa, unsigned len)
{
    return domain_gpa_ptr(ctx, gpa, len, true);
}

static int guest_copy(struct vcpu *v, uint64_t la, void *buf, size_t len, bool to_guest)
{
    const struct kvm_sregs *s = &v->run->s.regs.sregs;
    struct gpt_regs gr = { .cr0 = s->cr0, .cr3 = s->cr3, .cr4 = s->cr4, .efer = s->efer };
    uint8_t *p = buf;

    while (len) {
        uint64_t gpa;
        size_t chunk = XK_PAGE_SIZE - (la & (XK_PAGE_SIZE - 1));
        void *host;

        if (chunk > len)
            chunk = len;
        if (gpt_translate(&gr, la, to_guest ? GPT_WRITE : 0, gpt_map, v->domain, &gpa) < 0)
            return -EFAULT;
        host = domain_gpa_ptr(v->domain, gpa, chunk, to_guest);
        if (!host)
            return -EFAULT;
        if (to_guest)
            memcpy(host, p, chunk);
        else
            memcpy(p, host, chunk);
        p += chunk;
        len -= chunk;
        if (la + chunk < la)
            return len ? -EFAULT : 0;
        la += chunk;
    }
    return 0;
}

int copy_from_guest(struct vcpu *v, void *dst, uint64_t la, size_t len)
{
    return guest_copy(v, la, dst, len, false);
}

int copy_to_guest(struct vcpu *v, uint64_t la, const void *src, size_t len)
{
    return guest_copy(v, la, (void *)(uintptr_t)src, len, true);
}

int copy_str_to_guest(struct vcpu *v, uint64_t la, const char *s, size_t field)
{
    char buf[1024];
    size_t n = strlen(s);

    if (field > sizeof(buf))
        return -EINVAL;
    memset(buf, 0, field);
    if (n >= field)
        n = field - 1;
    memcpy(buf, s, n);
    return copy_to_guest(v, la, buf, field);
}

/* ---- dispatch -------------------------------------------------------------- */

long hcall_invoke(struct vcpu *v, struct hcall *h, bool in_multicall)
{
    if (h->nr >= NR_HYPERCALLS || !hcall_table[h->nr].fn)
        return -ENOSYS;
    if (in_multicall && h->nr == __HYPERVISOR_multicall)
        return -EINVAL;
    return hcall_table[h->nr].fn(v, h);
}

/* Re-runs the current hypercall stub with the (updated) arguments: the
 * pending port write is completed first, then RIP is moved back to the
 * start of the stub, which reloads %eax. */
static void continue_hypercall(struct vcpu *v, const struct hcall *h)
{
    struct kvm_run *r = v->run;

    r->immediate_exit = 1;
    ioctl(v->fd, KVM_RUN, 0);             /* completes the out; -EINTR */
    r->immediate_exit = 0;
    hcall_set_args(&r->s.regs.regs, h);
    r->s.regs.regs.rip -= 7;              /* back over "out" (2) and "mov" (5) */
    r->kvm_dirty_regs |= KVM_SYNC_X86_REGS;
}

void hypercall_dispatch(struct vcpu *v)
{
    struct kvm_run *r = v->run;
    struct hcall h;
    long ret;

    hcall_decode(&r->s.regs.regs, &r->s.regs.sregs, &h);
    v->hypercalls++;
    if (h.mode < 4)
        ret = -ENOSYS;                    /* no hypercalls from 16-bit code */
    else if (h.cpl != 0)
        ret = -EPERM;
    else
        ret = hcall_invoke(v, &h, false);
    if (v->continuation) {
        v->continuation = false;
        continue_hypercall(v, &h);
        return;
    }
    hcall_set_result(&r->s.regs.regs, &h, ret);
    r->kvm_dirty_regs |= KVM_SYNC_X86_REGS;
}

/* ---- multicall ------------------------------------------------------------ */

struct mc64 {
    uint64_t op, result, args[6];
};
struct mc32 {
    uint32_t op, result, args[6];
};

long do_multicall(struct vcpu *v, struct hcall *h)
{
    uint64_t list = h->arg[0];
    uint64_t nr = h->arg[1] & 0xffffffffULL;
    size_t esz = h->mode == 8 ? sizeof(struct mc64) : sizeof(struct mc32);

    for (uint64_t i = 0; i < nr; i++) {
        struct hcall c = { .mode = h->mode, .cpl = h->cpl };
        uint64_t at = list + i * esz;
        long ret;

        /* A long batch gives way when the domain must stop; it continues
         * from here when the vCPU runs again. */
        if (i && (i % 64) == 0 && vcpu_should_yield(v)) {
            h->arg[0] = at;
            h->arg[1] = nr - i;
            v->continuation = true;
            return 0;
        }
        if (h->mode == 8) {
            struct mc64 e;
            if (copy_from_guest(v, &e, at, sizeof(e)) < 0)
                return -EFAULT;
            c.nr = (uint32_t)e.op;
            if (e.op >> 32)
                c.nr = ~0u;
            memcpy(c.arg, e.args, sizeof(c.arg));
        } else {
            struct mc32 e;
            if (copy_from_guest(v, &e, at, sizeof(e)) < 0)
                return -EFAULT;
            c.nr = e.op;
            for (unsigned k = 0; k < 6; k++)
                c.arg[k] = e.args[k];
        }
        ret = hcall_invoke(v, &c, true);
        if (v->continuation) {
            /* A nested call cannot be continued: report it as busy. */
            v->continuation = false;
            ret = -EBUSY;
        }
        if (h->mode == 8) {
            uint64_t res = (uint64_t)ret;
            if (copy_to_guest(v, at + offsetof(struct mc64, result), &res, sizeof(res)) < 0)
                return -EFAULT;
        } else {
            uint32_t res = (uint32_t)ret;
            if (copy_to_guest(v, at + offsetof(struct mc32, result), &res, sizeof(res)) < 0)
                return -EFAULT;
        }
    }
    return 0;
}
