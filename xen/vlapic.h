/* The emulated local APIC (xAPIC MMIO at 0xFEE00000).
 *
 * As in Xen, the LAPIC is emulated by the hypervisor rather than by KVM's
 * in-kernel irqchip: a halted vCPU blocks in xen, and the Xen callback
 * vector can be injected without the LAPIC's EOI bookkeeping.
 *
 * Threading: a vlapic belongs to its vCPU thread.  Only vlapic_accept()
 * (an interrupt arriving, e.g. an IPI) may be called from other threads;
 * it updates IRR atomically and the caller then kicks the vCPU.
 *
 * Time is in nanoseconds on the host's CLOCK_MONOTONIC scale, passed in by
 * the caller, so the logic is deterministic under test.  The APIC bus runs
 * at 1 GHz (one tick per ns before the divider), as Xen's does.
 */
#ifndef XK_VLAPIC_H
#define XK_VLAPIC_H

#include <stdbool.h>
#include <stdint.h>

#define APIC_ID        0x020
#define APIC_LVR       0x030
#define APIC_TASKPRI   0x080
#define APIC_ARBPRI    0x090
#define APIC_PROCPRI   0x0a0
#define APIC_EOI       0x0b0
#define APIC_RRR       0x0c0
#define APIC_LDR       0x0d0
#define APIC_DFR       0x0e0
#define APIC_SPIV      0x0f0
#define APIC_ISR       0x100
#define APIC_TMR       0x180
#define APIC_IRR       0x200
#define APIC_ESR       0x280
#define APIC_CMCI      0x2f0
#define APIC_ICR       0x300
#define APIC_ICR2      0x310
#define APIC_LVTT      0x320
#define APIC_LVTTHMR   0x330
#define APIC_LVTPC     0x340
#define APIC_LVT0      0x350
#define APIC_LVT1      0x360
#define APIC_LVTERR    0x370
#define APIC_TMICT     0x380
#define APIC_TMCCT     0x390
#define APIC_TDCR      0x3e0

#define APIC_LVT_MASKED        (1u << 16)
#define APIC_TIMER_MODE_MASK   (3u << 17)
#define APIC_TIMER_ONESHOT     (0u << 17)
#define APIC_TIMER_PERIODIC    (1u << 17)
#define APIC_TIMER_TSCDEADLINE (2u << 17)
#define APIC_SPIV_ENABLED      (1u << 8)

#define APIC_DM_FIXED    0
#define APIC_DM_LOWEST   1
#define APIC_DM_SMI      2
#define APIC_DM_NMI      4
#define APIC_DM_INIT     5
#define APIC_DM_STARTUP  6
#define APIC_DM_EXTINT   7

#define APIC_SH_NONE     0
#define APIC_SH_SELF     1
#define APIC_SH_ALL      2
#define APIC_SH_OTHERS   3

#define APIC_ESR_SEND_ILLEGAL  (1u << 5)
#define APIC_ESR_RECV_ILLEGAL  (1u << 6)
#define APIC_ESR_ILLEGAL_REG   (1u << 7)

/* Xen's LAPIC version register: version 0x14, 6 LVT entries. */
#define VLAPIC_VERSION 0x00050014u

struct vlapic_ipi {
    uint8_t vector;
    uint8_t mode;        /* APIC_DM_* */
    uint8_t shorthand;   /* APIC_SH_* */
    bool logical;
    bool level_assert;   /* level bit (INIT de-assert has it clear) */
    uint8_t dest;        /* destination field (xAPIC, 8 bits) */
};

struct vlapic_ops {
    /* Sends an IPI; the caller resolves the destinations. */
    void (*send_ipi)(void *ctx, const struct vlapic_ipi *ipi);
    /* Guest TSC <-> host ns for the TSC-deadline mode. */
    uint64_t (*tsc_to_ns)(void *ctx, uint64_t tsc);
};

struct vlapic {
    uint32_t reg[64];            /* by offset >> 4; IRR words updated atomically */
    uint32_t esr_pending;
    const struct vlapic_ops *ops;
    void *ctx;
    /* Timer (one-shot/periodic). */
    uint64_t timer_start_ns;     /* when the count was loaded, 0 = stopped */
    uint64_t timer_deadline_ns;  /* next expiry, 0 = none */
    uint64_t timer_period_ns;    /* periodic: the period */
    uint64_t tsc_deadline;       /* IA32_TSC_DEADLINE (guest TSC) */
    uint64_t timer_fired;        /* statistics */
};

void vlapic_init(struct vlapic *l, uint32_t apic_id, const struct vlapic_ops *ops, void *ctx);
void vlapic_reset(struct vlapic *l);
uint32_t vlapic_id(const struct vlapic *l);

/* MMIO register access; `off` is the offset in the 4 KiB page. */
uint32_t vlapic_read(struct vlapic *l, uint32_t off, uint64_t now_ns);
void vlapic_write(struct vlapic *l, uint32_t off, uint32_t val, uint64_t now_ns);

/* IA32_TSC_DEADLINE MSR. */
uint64_t vlapic_get_tsc_deadline(struct vlapic *l);
void vlapic_set_tsc_deadline(struct vlapic *l, uint64_t tsc, uint64_t now_ns);

/* An interrupt arrives (any thread).  Returns false if the vector is
 * illegal (< 16) and was refused. */
bool vlapic_accept(struct vlapic *l, uint8_t vector);

/* Highest vector deliverable to the CPU now (IRR above PPR), or -1. */
int vlapic_pending(const struct vlapic *l);
/* The CPU took `vector`: move it from IRR to ISR. */
void vlapic_ack(struct vlapic *l, uint8_t vector);

/* Fires the timer if it is due; returns the next deadline (0 = none). */
uint64_t vlapic_timer_check(struct vlapic *l, uint64_t now_ns);
uint64_t vlapic_timer_deadline(const struct vlapic *l);

/* True when this APIC is a target of (dest, logical). */
bool vlapic_match_dest(const struct vlapic *l, uint8_t dest, bool logical);
bool vlapic_enabled(const struct vlapic *l);
uint8_t vlapic_tpr(const struct vlapic *l);

#endif
