/* Hypercall argument decoding for both ABIs (pure; unit tested). */
#include "config.h"

#include <stdint.h>
#include <stdio.h>

#include "hcall.h"

#define CR0_PE   (1ULL << 0)
#define EFER_LMA (1ULL << 10)
#define RFLAGS_VM (1ULL << 17)

void hcall_decode(const struct kvm_regs *r, const struct kvm_sregs *s, struct hcall *h)
{
    if (!(s->cr0 & CR0_PE))
        h->mode = 0;
    else if (r->rflags & RFLAGS_VM)
        h->mode = 0;
    else if ((s->efer & EFER_LMA) && s->cs.l)
        h->mode = 8;
    else
        h->mode = s->cs.db ? 4 : 2;
    /* CPL is SS.DPL; real and virtual-8086 mode count as CPL 0 and 3. */
    if (!(s->cr0 & CR0_PE))
        h->cpl = 0;
    else if (r->rflags & RFLAGS_VM)
        h->cpl = 3;
    else
        h->cpl = s->ss.dpl;

    if (h->mode == 8) {
        h->nr = (uint32_t)r->rax;
        h->arg[0] = r->rdi;
        h->arg[1] = r->rsi;
        h->arg[2] = r->rdx;
        h->arg[3] = r->r10;
        h->arg[4] = r->r8;
        h->arg[5] = r->r9;
    } else {
        h->nr = (uint32_t)r->rax;
        h->arg[0] = (uint32_t)r->rbx;
        h->arg[1] = (uint32_t)r->rcx;
        h->arg[2] = (uint32_t)r->rdx;
        h->arg[3] = (uint32_t)r->rsi;
        h->arg[4] = (uint32_t)r->rdi;
        h->arg[5] = (uint32_t)r->rbp;
    }
}

void hcall_set_result(struct kvm_regs *r, const struct hcall *h, long ret)
{
    if (h->mode == 8)
        r->rax = (uint64_t)ret;
    else
        r->rax = (r->rax & ~0xffffffffULL) | (uint32_t)ret;
}

void hcall_set_args(struct kvm_regs *r, const struct hcall *h)
{
    if (h->mode == 8) {
        r->rdi = h->arg[0];
        r->rsi = h->arg[1];
        r->rdx = h->arg[2];
        r->r10 = h->arg[3];
        r->r8 = h->arg[4];
        r->r9 = h->arg[5];
    } else {
        r->rbx = (r->rbx & ~0xffffffffULL) | (uint32_t)h->arg[0];
        r->rcx = (r->rcx & ~0xffffffffULL) | (uint32_t)h->arg[1];
        r->rdx = (r->rdx & ~0xffffffffULL) | (uint32_t)h->arg[2];
        r->rsi = (r->rsi & ~0xffffffffULL) | (uint32_t)h->arg[3];
        r->rdi = (r->rdi & ~0xffffffffULL) | (uint32_t)h->arg[4];
        r->rbp = (r->rbp & ~0xffffffffULL) | (uint32_t)h->arg[5];
    }
}
