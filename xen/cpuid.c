/* CPUID as a Xen guest sees it: the host's features that really work under
 * our emulation, and Xen's leaves at 0x40000000 in place of KVM's.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include <xen/arch-x86/cpuid.h>

#include "xen.h"

#define MAX_ENTRIES 256

/* Leaf 1 ECX */
#define F1C_MONITOR   (1u << 3)
#define F1C_VMX       (1u << 5)
#define F1C_SMX       (1u << 6)
#define F1C_PDCM      (1u << 15)
#define F1C_X2APIC    (1u << 21)
#define F1C_TSCDL     (1u << 24)
#define F1C_HYPERVISOR (1u << 31)
/* Leaf 1 EDX */
#define F1D_APIC      (1u << 9)
#define F1D_ACPI      (1u << 22)
/* Leaf 0x80000001 ECX */
#define F81C_SVM      (1u << 2)

int cpuid_init(void)
{
    struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + MAX_ENTRIES * sizeof(c->entries[0]));

    if (!c)
        return -ENOMEM;
    c->nent = MAX_ENTRIES;
    if (ioctl(hv.kvm_fd, KVM_GET_SUPPORTED_CPUID, c) < 0) {
        int e = -errno;
        free(c);
        return e;
    }
    hv.supported_cpuid = c;
    return 0;
}

static struct kvm_cpuid_entry2 *add(struct kvm_cpuid2 *c, uint32_t fn, uint32_t idx)
{
    struct kvm_cpuid_entry2 *e = &c->entries[c->nent++];

    memset(e, 0, sizeof(*e));
    e->function = fn;
    e->index = idx;
    return e;
}

struct kvm_cpuid2 *cpuid_for_domain(struct domain *d)
{
    const struct kvm_cpuid2 *s = hv.supported_cpuid;
    struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + MAX_ENTRIES * sizeof(c->entries[0]));

    if (!c)
        return NULL;
    for (uint32_t i = 0; i < s->nent && c->nent < MAX_ENTRIES - 8; i++) {
        struct kvm_cpuid_entry2 e = s->entries[i];

        if (e.function >= 0x40000000u && e.function < 0x50000000u)
            continue;                    /* hide KVM's leaves */
        switch (e.function) {
        case 1:
            e.ecx &= ~(F1C_MONITOR | F1C_VMX | F1C_SMX | F1C_PDCM | F1C_X2APIC);
            e.ecx |= F1C_TSCDL | F1C_HYPERVISOR;
            e.edx |= F1D_APIC;
            e.edx &= ~F1D_ACPI;
            break;
        case 5:                          /* MONITOR/MWAIT */
        case 6:                          /* thermal and power */
        case 0xa:                        /* architectural PMU: no vPMU */
            e.eax = e.ebx = e.ecx = e.edx = 0;
            break;
        case 0x80000001u:
            e.ecx &= ~F81C_SVM;
            break;
        default:
            break;
        }
        c->entries[c->nent++] = e;
    }

    struct kvm_cpuid_entry2 *e;
    e = add(c, XEN_CPUID_LEAF(0), 0);
    e->eax = XEN_CPUID_LEAF(XEN_CPUID_MAX_NUM_LEAVES);
    e->ebx = XEN_CPUID_SIGNATURE_EBX;
    e->ecx = XEN_CPUID_SIGNATURE_ECX;
    e->edx = XEN_CPUID_SIGNATURE_EDX;
    e = add(c, XEN_CPUID_LEAF(1), 0);
    e->eax = (XK_XEN_MAJOR << 16) | XK_XEN_MINOR;
    e = add(c, XEN_CPUID_LEAF(2), 0);
    e->eax = 1;                          /* hypercall pages */
    e->ebx = XK_HCALL_MSR;
    /* Time leaf: sub-leaf 0 tsc mode and guest kHz, 2 host kHz. */
    for (uint32_t sub = 0; sub < 3; sub++) {
        e = add(c, XEN_CPUID_LEAF(3), sub);
        e->flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX;
        if (sub == 0)
            e->ecx = hv.tsc_khz;
        if (sub == 2)
            e->ecx = hv.tsc_khz;
    }
    e = add(c, XEN_CPUID_LEAF(4), 0);
    e->flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX;
    e->eax = XEN_HVM_CPUID_VCPU_ID_PRESENT | XEN_HVM_CPUID_DOMID_PRESENT |
             XEN_HVM_CPUID_UPCALL_VECTOR;
    e->ecx = d->domid;
    e = add(c, XEN_CPUID_LEAF(5), 0);
    (void)e;
    return c;
}

int cpuid_set_vcpu(struct vcpu *v)
{
    const struct kvm_cpuid2 *t = v->domain->cpuid;
    size_t sz = sizeof(*t) + t->nent * sizeof(t->entries[0]);
    struct kvm_cpuid2 *c = malloc(sz);
    uint32_t apic_id = v->id * 2;
    int rc = 0;

    if (!c)
        return -ENOMEM;
    memcpy(c, t, sz);
    for (uint32_t i = 0; i < c->nent; i++) {
        struct kvm_cpuid_entry2 *e = &c->entries[i];

        if (e->function == 1) {
            e->ebx = (e->ebx & 0x0000ffffu) | (apic_id << 24) |
                     ((v->domain->max_vcpus * 2 > 255 ? 255 : v->domain->max_vcpus * 2) << 16);
        } else if (e->function == 0xb || e->function == 0x1f) {
            e->edx = apic_id;
        } else if (e->function == XEN_CPUID_LEAF(4)) {
            e->ebx = v->id;
        }
    }
    if (ioctl(v->fd, KVM_SET_CPUID2, c) < 0)
        rc = -errno;
    free(c);
    return rc;
}
