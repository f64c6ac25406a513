/* Finding the hypervisor: the Xen CPUID leaves, the hypercall page, the
 * shared info page, shutdown. */
#include "kit.h"

#include <xen/arch-x86/cpuid.h>
#include <xen/memory.h>
#include <xen/sched.h>

/* Pages the hypervisor writes into; .bss.kit_page keeps them page-aligned at
 * the start of .bss. */
char hypercall_page[4096]
    __attribute__((aligned(4096), section(".bss.kit_page")));
static char shared_info_page[4096]
    __attribute__((aligned(4096), section(".bss.kit_page")));

uint32_t kit_cpuid_base;
int kit_hcall_ready;
static uint32_t hvm_flags, vcpu_id, domid;

void kit_xen_init(void)
{
    uint32_t base;
    struct kit_cpuid r;

    /* Xen's leaves may sit above another hypervisor's: scan like Linux. */
    for (base = XK_CPUID_BASE; base < XK_CPUID_BASE + 0x10000; base += 0x100) {
        r = kit_cpuid(base, 0);
        if (r.ebx == XEN_CPUID_SIGNATURE_EBX &&
            r.ecx == XEN_CPUID_SIGNATURE_ECX &&
            r.edx == XEN_CPUID_SIGNATURE_EDX && r.eax - base >= 2)
            break;
    }
    if (base >= XK_CPUID_BASE + 0x10000)
        kit_panic("no Xen CPUID leaves at 0x40000000-0x4000ff00");
    kit_cpuid_base = base;
    if (r.eax - base >= 4) {
        struct kit_cpuid h = kit_cpuid(base + 4, 0);

        hvm_flags = h.eax;
        vcpu_id = h.ebx;
        domid = h.ecx;
    }

    r = kit_cpuid(base + 2, 0);
    if (r.eax < 1)
        kit_panic("the hypervisor offers no hypercall page");
    kit_wrmsr(r.ebx, (uintptr_t)hypercall_page);
    kit_hcall_ready = 1;
}

uint32_t kit_xen_version(void)
{
    return kit_cpuid_base ? kit_cpuid(kit_cpuid_base + 1, 0).eax : 0;
}

int kit_domid(void)
{
    return hvm_flags & XEN_HVM_CPUID_DOMID_PRESENT ? (int)domid : -1;
}

int kit_vcpu_id(void)
{
    return hvm_flags & XEN_HVM_CPUID_VCPU_ID_PRESENT ? (int)vcpu_id : -1;
}

uint32_t kit_tsc_khz(void)
{
    if (!kit_cpuid_base ||
        kit_cpuid(kit_cpuid_base, 0).eax < kit_cpuid_base + 3)
        return 0;
    return kit_cpuid(kit_cpuid_base + 3, 0).ecx;
}

uint32_t kit_hvm_cpuid_flags(void)
{
    return hvm_flags;
}

struct shared_info *kit_shared_info;

struct shared_info *kit_map_shared_info(long *err)
{
    struct xen_add_to_physmap xatp = {
        .domid = DOMID_SELF,
        .space = XENMAPSPACE_shared_info,
        .idx = 0,
        .gpfn = (uintptr_t)shared_info_page >> KIT_PAGE_SHIFT,
    };
    long rc = 0;

    if (!kit_shared_info) {
        rc = HYPERVISOR_memory_op(XENMEM_add_to_physmap, &xatp);
        if (!rc)
            kit_shared_info = (struct shared_info *)(void *)shared_info_page;
    }
    if (err)
        *err = rc;
    return kit_shared_info;
}

KIT_NORETURN void kit_triple_fault(void)
{
    static const struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) empty_idt = {0, 0};

    __asm__ volatile("cli; lidt %0; ud2" : : "m"(empty_idt));
    for (;;)
        ;
}

KIT_NORETURN void kit_shutdown(unsigned int reason)
{
    struct sched_shutdown s = {.reason = reason};

    if (kit_hcall_ready)
        HYPERVISOR_sched_op(SCHEDOP_shutdown, &s);
    if (reason != SHUTDOWN_poweroff)
        kit_triple_fault();
    for (;;)
        kit_cli_hlt();
}

KIT_NORETURN void kit_poweroff(void)
{
    kit_shutdown(SHUTDOWN_poweroff);
}

KIT_NORETURN void kit_crash(void)
{
    kit_shutdown(SHUTDOWN_crash);
}
