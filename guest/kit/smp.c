/* vCPUs: the per-vCPU area behind %gs, and starting secondary vCPUs with
 * VCPUOP_initialise (64- or 32-bit context) + VCPUOP_up, or with INIT and
 * SIPI through the local APIC (real-mode trampoline; optional: it needs
 * real mode and an APIC that delivers INIT/SIPI). */
#include "kit.h"

#include <xen/hvm/hvm_vcpu.h>
#include <xen/vcpu.h>

#define MSR_GS_BASE 0xc0000101u
#define AP_STACK_PAGES 4
#define KIT_TRAMP_BASE 0x7000u /* also in entry.S */

#define CR0_PE 0x00000001u
#define CR0_ET 0x00000010u
#define CR0_NE 0x00000020u
#define CR0_WP 0x00010000u
#define CR0_PG 0x80000000u
#define CR4_PAE 0x00000020u
#define EFER_LME 0x00000100u
#define EFER_LMA 0x00000400u

struct kit_cpu kit_cpus[KIT_MAX_CPUS];

extern char kit_pml4[];
extern char kit_ap_start32[], kit_ap_start64[];
extern char kit_tramp16[], kit_tramp16_end[], kit_tramp_stack[],
    kit_tramp_cpu[];

KIT_NORETURN void kit_ap_main(unsigned int id);

static void set_gs(struct kit_cpu *c)
{
    c->self = c;
    kit_wrmsr(MSR_GS_BASE, (uintptr_t)c);
}

void kit_cpu_init(void)
{
    static int done;
    int id;

    if (done)
        return;
    id = kit_vcpu_id();
    if (id < 0 || id >= KIT_MAX_CPUS)
        id = 0;
    kit_cpus[id].id = (unsigned int)id;
    kit_cpus[id].online = 1;
    set_gs(&kit_cpus[id]);
    done = 1;
}

int kit_smp_count(void)
{
    int n;

    for (n = 0; n < KIT_MAX_CPUS; n++) {
        long rc = HYPERVISOR_vcpu_op(VCPUOP_is_up, n, NULL);

        if (rc == -XEN_ENOSYS)
            return (int)rc;
        if (rc < 0)
            break;
    }
    return n;
}

int kit_smp_method_parse(const char *s, size_t len)
{
    static const char *const names[] = {"vcpuop64", "vcpuop32", "sipi"};
    unsigned int i;

    for (i = 0; i < KIT_ARRAY_SIZE(names); i++)
        if (len == strlen(names[i]) && !strncmp(s, names[i], len))
            return (int)i;
    return -1;
}

KIT_NORETURN void kit_ap_main(unsigned int id)
{
    struct kit_cpu *c = &kit_cpus[id];

    set_gs(c);
    if (kit_shared_info)
        kit_evtchn_init_cpu();
    __atomic_store_n(&c->online, 1, __ATOMIC_RELEASE);
    c->entry(id);
    __atomic_store_n(&c->done, 1, __ATOMIC_RELEASE);
    HYPERVISOR_vcpu_op(VCPUOP_down, id, NULL);
    for (;;)
        kit_cli_hlt();
}

static long start_vcpuop(struct kit_cpu *c, int mode64)
{
    static struct vcpu_hvm_context ctx; /* one start at a time */
    uint64_t sp = (uintptr_t)c->stack + AP_STACK_PAGES * KIT_PAGE_SIZE;
    long rc;

    memset(&ctx, 0, sizeof(ctx));
    if (mode64) {
        struct vcpu_hvm_x86_64 *r = &ctx.cpu_regs.x86_64;

        ctx.mode = VCPU_HVM_MODE_64B;
        r->rip = (uintptr_t)kit_ap_start64;
        r->rsp = sp;
        r->rdi = c->id;
        r->rflags = 2;
        r->cr0 = CR0_PG | CR0_WP | CR0_NE | CR0_ET | CR0_PE;
        r->cr3 = (uintptr_t)kit_pml4;
        r->cr4 = CR4_PAE;
        r->efer = EFER_LME | EFER_LMA;
    } else {
        struct vcpu_hvm_x86_32 *r = &ctx.cpu_regs.x86_32;

        ctx.mode = VCPU_HVM_MODE_32B;
        r->eip = (uint32_t)(uintptr_t)kit_ap_start32;
        r->esp = (uint32_t)sp;
        r->edi = c->id;
        r->eflags = 2;
        r->cr0 = CR0_ET | CR0_PE;
        r->cs_limit = r->ds_limit = r->ss_limit = r->es_limit = 0xffffffff;
        r->cs_ar = 0xc9b; /* flat 32-bit code, present, accessed */
        r->ds_ar = r->ss_ar = r->es_ar = 0xc93;
        r->tr_limit = 0x67;
        r->tr_ar = 0x8b; /* busy 32-bit TSS */
    }
    rc = HYPERVISOR_vcpu_op(VCPUOP_initialise, c->id, &ctx);
    if (rc)
        return rc;
    return HYPERVISOR_vcpu_op(VCPUOP_up, c->id, NULL);
}

static void lapic_ipi(uint32_t apic_id, uint32_t lo)
{
    kit_lapic_write(KIT_LAPIC_ICR_HI, apic_id << 24);
    kit_lapic_write(KIT_LAPIC_ICR_LO, lo);
}

/* INIT, then SIPI (twice at most) to the vCPU's APIC id, which is
 * 2 * vcpu id on Xen. */
static long start_sipi(struct kit_cpu *c, uint64_t deadline)
{
    uint8_t *t = (uint8_t *)(uintptr_t)KIT_TRAMP_BASE;
    uint32_t apic = c->id * 2;
    int i;

    memcpy(t, kit_tramp16, (size_t)(kit_tramp16_end - kit_tramp16));
    *(volatile uint32_t *)(t + (kit_tramp_stack - kit_tramp16)) =
        (uint32_t)((uintptr_t)c->stack + AP_STACK_PAGES * KIT_PAGE_SIZE);
    *(volatile uint32_t *)(t + (kit_tramp_cpu - kit_tramp16)) = c->id;
    kit_lapic_write(KIT_LAPIC_SVR,
                    kit_lapic_read(KIT_LAPIC_SVR) | KIT_LAPIC_SVR_ENABLE | 0xff);
    lapic_ipi(apic, 0x00004500); /* INIT, assert */
    for (i = 0; i < 2; i++) {
        uint64_t until = kit_now_ns() + 200000000ull;

        lapic_ipi(apic, 0x00004600 | (KIT_TRAMP_BASE >> 12)); /* SIPI */
        if (until > deadline)
            until = deadline;
        while (!__atomic_load_n(&c->online, __ATOMIC_ACQUIRE) &&
               kit_now_ns() < until)
            kit_relax();
        if (c->online)
            return 0;
    }
    return 0;
}

long kit_smp_start(unsigned int vcpu, void (*fn)(unsigned int),
                   enum kit_smp_method method, uint64_t timeout_ns)
{
    struct kit_cpu *c;
    uint64_t deadline;
    long rc;

    kit_cpu_init();
    if (vcpu >= KIT_MAX_CPUS)
        return -XEN_EINVAL;
    c = &kit_cpus[vcpu];
    if (c->online)
        return -XEN_EEXIST;
    c->id = vcpu;
    c->entry = fn;
    c->done = 0;
    if (!c->stack)
        c->stack = kit_page_alloc(AP_STACK_PAGES);
    deadline = kit_now_ns() + (timeout_ns ? timeout_ns : 5000000000ull);
    switch (method) {
    case KIT_SMP_VCPUOP64:
    case KIT_SMP_VCPUOP32:
        rc = start_vcpuop(c, method == KIT_SMP_VCPUOP64);
        break;
    case KIT_SMP_SIPI:
        rc = start_sipi(c, deadline);
        break;
    default:
        rc = -XEN_EINVAL;
    }
    if (rc)
        return rc;
    while (!__atomic_load_n(&c->online, __ATOMIC_ACQUIRE)) {
        if (kit_now_ns() >= deadline)
            return -XEN_ETIMEDOUT;
        kit_relax();
    }
    return 0;
}
