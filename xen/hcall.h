/* Hypercalls: argument decoding, guest memory access, and the handlers.
 *
 * Guest pointers are linear addresses in the caller's address space.  They
 * are translated through the guest's page tables (gpt.c) at the moment of
 * the copy, bounded, and copied once: a handler copies its argument
 * structure in, works on the copy, and copies results out.
 */
#ifndef XK_HCALL_H
#define XK_HCALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/kvm.h>

struct vcpu;
struct domain;

/* The decoded call: number, arguments, and the ABI they came in. */
struct hcall {
    uint32_t nr;
    uint64_t arg[6];
    int mode;        /* 8: 64-bit, 4: 32-bit, 2: 16-bit, 0: real mode */
    unsigned cpl;
};

/* Pure decoding from the registers and segment state at the exit. */
void hcall_decode(const struct kvm_regs *r, const struct kvm_sregs *s, struct hcall *h);
/* Puts the return value where the caller's ABI expects it. */
void hcall_set_result(struct kvm_regs *r, const struct hcall *h, long ret);
/* Replaces the arguments (for continuations), in the caller's ABI. */
void hcall_set_args(struct kvm_regs *r, const struct hcall *h);

/* Guest memory, through the calling vCPU's current page tables.  Both
 * return 0 or -EFAULT; nothing is copied partially on failure of the
 * translation of a later page (the earlier pages may have been written,
 * as on Xen). */
int copy_from_guest(struct vcpu *v, void *dst, uint64_t la, size_t len);
int copy_to_guest(struct vcpu *v, uint64_t la, const void *src, size_t len);
/* Copies a NUL-terminated... no: a fixed-size string field out, NUL-padded. */
int copy_str_to_guest(struct vcpu *v, uint64_t la, const char *s, size_t field);

/* The handlers.  They return the hypercall's result (>= 0 or -errno). */
typedef long (*hcall_fn)(struct vcpu *v, struct hcall *h);

long do_xen_version(struct vcpu *v, struct hcall *h);
long do_console_io(struct vcpu *v, struct hcall *h);
long do_sched_op(struct vcpu *v, struct hcall *h);
long do_memory_op(struct vcpu *v, struct hcall *h);
long do_hvm_op(struct vcpu *v, struct hcall *h);
long do_vm_assist(struct vcpu *v, struct hcall *h);
long do_multicall(struct vcpu *v, struct hcall *h);

/* Runs one hypercall (used by dispatch and multicall).  `in_multicall`
 * forbids nesting. */
long hcall_invoke(struct vcpu *v, struct hcall *h, bool in_multicall);

/* Xen's rules for HVM params: may `d` (or the toolstack) get/set them?
 * `self` is true when the caller is the domain itself. */
int hvm_param_check_set(struct domain *d, bool self, uint32_t index, uint64_t new_value);
int hvm_param_check_get(bool self, uint32_t index);

/* xen_version data shared with the control socket (dom0's xc_version). */
long xen_version_fill(struct domain *d, uint32_t cmd, uint32_t in, void *out, size_t *len);

#endif
