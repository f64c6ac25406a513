/* Exceptions: print what happened and crash the domain.  The IDT itself is
 * built at assembly time (entry.S). */
#include "kit.h"

#include <xen/sched.h>

struct kit_idt_gate {
    uint16_t off_lo;
    uint16_t sel;
    uint8_t ist;
    uint8_t type;
    uint16_t off_mid;
    uint32_t off_hi;
    uint32_t reserved;
};

extern struct kit_idt_gate kit_idt[256];
volatile uint64_t kit_spurious_intrs;

void kit_trap(struct kit_trap_frame *f);

static const char *const trap_names[32] = {
    "#DE divide error",
    "#DB debug",
    "NMI",
    "#BP breakpoint",
    "#OF overflow",
    "#BR bound range",
    "#UD invalid opcode",
    "#NM device not available",
    "#DF double fault",
    "coprocessor segment overrun",
    "#TS invalid TSS",
    "#NP segment not present",
    "#SS stack fault",
    "#GP general protection",
    "#PF page fault",
    "reserved 15",
    "#MF x87 error",
    "#AC alignment check",
    "#MC machine check",
    "#XM SIMD error",
    "#VE virtualization exception",
    "#CP control protection",
};

void kit_set_intr_gate(unsigned int vector, void (*handler)(void))
{
    uintptr_t a = (uintptr_t)handler;
    struct kit_idt_gate *g = &kit_idt[vector & 255];

    g->off_lo = (uint16_t)a;
    g->sel = KIT_CS;
    g->ist = 0;
    g->type = 0x8e; /* present, DPL 0, 64-bit interrupt gate */
    g->off_mid = (uint16_t)(a >> 16);
    g->off_hi = (uint32_t)(a >> 32);
    g->reserved = 0;
}

void kit_trap(struct kit_trap_frame *f)
{
    static int depth;
    const char *name = f->vector < 32 && trap_names[f->vector]
                           ? trap_names[f->vector]
                           : "reserved";

    /* a fault while reporting one: give up at once */
    if (depth++)
        kit_triple_fault();

    printf("kit: exception %lu (%s) error %#lx at rip %#lx\n"
           "kit: rax %016lx rbx %016lx rcx %016lx rdx %016lx\n"
           "kit: rsi %016lx rdi %016lx rbp %016lx rsp %016lx\n"
           "kit: r8  %016lx r9  %016lx r10 %016lx r11 %016lx\n"
           "kit: r12 %016lx r13 %016lx r14 %016lx r15 %016lx\n"
           "kit: cs %04lx ss %04lx rflags %08lx cr2 %016lx cr3 %08lx\n",
           f->vector, name, f->error, f->rip, f->rax, f->rbx, f->rcx, f->rdx,
           f->rsi, f->rdi, f->rbp, f->rsp, f->r8, f->r9, f->r10, f->r11, f->r12,
           f->r13, f->r14, f->r15, f->cs, f->ss, f->rflags, kit_read_cr2(),
           kit_read_cr3());
    kit_crash();
}
