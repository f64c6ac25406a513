#include "config.h"

#include <stdint.h>
#include <stdio.h>

#include <string.h>

#include "vlapic.h"

#define R(l, off) ((l)->reg[(off) >> 4])

static const uint32_t lvt_regs[] = {
    APIC_LVTT, APIC_LVTTHMR, APIC_LVTPC, APIC_LVT0, APIC_LVT1, APIC_LVTERR, APIC_CMCI,
};

/* Writable bits of each LVT entry (Xen/SDM layout). */
static uint32_t lvt_mask(uint32_t off)
{
    switch (off) {
    case APIC_LVTT:   return 0x000710ffu;  /* vector, status, mask, mode */
    case APIC_LVTTHMR:
    case APIC_LVTPC:
    case APIC_CMCI:   return 0x000117ffu;  /* vector, delivery mode, mask */
    case APIC_LVT0:
    case APIC_LVT1:   return 0x0001f7ffu;  /* + polarity, remote IRR, trigger */
    case APIC_LVTERR: return 0x000110ffu;
    }
    return 0;
}

void vlapic_reset(struct vlapic *l)
{
    uint32_t id = R(l, APIC_ID);

    memset(l->reg, 0, sizeof(l->reg));
    R(l, APIC_ID) = id;
    R(l, APIC_LVR) = VLAPIC_VERSION;
    R(l, APIC_DFR) = 0xffffffffu;
    R(l, APIC_SPIV) = 0xff;
    for (unsigned i = 0; i < sizeof(lvt_regs) / sizeof(lvt_regs[0]); i++)
        R(l, lvt_regs[i]) = APIC_LVT_MASKED;
    l->esr_pending = 0;
    l->timer_start_ns = 0;
    l->timer_deadline_ns = 0;
    l->timer_period_ns = 0;
    l->tsc_deadline = 0;
}

void vlapic_init(struct vlapic *l, uint32_t apic_id, const struct vlapic_ops *ops, void *ctx)
{
    memset(l, 0, sizeof(*l));
    l->ops = ops;
    l->ctx = ctx;
    R(l, APIC_ID) = apic_id << 24;
    vlapic_reset(l);
}

uint32_t vlapic_id(const struct vlapic *l)
{
    return R(l, APIC_ID) >> 24;
}

bool vlapic_enabled(const struct vlapic *l)
{
    return R(l, APIC_SPIV) & APIC_SPIV_ENABLED;
}

uint8_t vlapic_tpr(const struct vlapic *l)
{
    return (uint8_t)R(l, APIC_TASKPRI);
}

/* Highest set bit in an 8-word vector register (IRR/ISR/TMR), or -1. */
static int highest(const struct vlapic *l, uint32_t base)
{
    for (int w = 7; w >= 0; w--) {
        uint32_t v = __atomic_load_n(&l->reg[(base >> 4) + (unsigned)w], __ATOMIC_ACQUIRE);
        if (v)
            return w * 32 + 31 - __builtin_clz(v);
    }
    return -1;
}

static void set_bit(struct vlapic *l, uint32_t base, uint8_t vec)
{
    __atomic_fetch_or(&l->reg[(base >> 4) + vec / 32], 1u << (vec % 32), __ATOMIC_RELEASE);
}

static void clear_bit(struct vlapic *l, uint32_t base, uint8_t vec)
{
    __atomic_fetch_and(&l->reg[(base >> 4) + vec / 32], ~(1u << (vec % 32)), __ATOMIC_RELEASE);
}

static uint32_t ppr(const struct vlapic *l)
{
    uint32_t tpr = R(l, APIC_TASKPRI) & 0xff;
    int isr = highest(l, APIC_ISR);
    uint32_t isrv = isr < 0 ? 0 : (uint32_t)isr;

    return (tpr & 0xf0) >= (isrv & 0xf0) ? tpr : (isrv & 0xf0);
}

int vlapic_pending(const struct vlapic *l)
{
    int irr = highest(l, APIC_IRR);

    if (irr < 0 || !vlapic_enabled(l))
        return -1;
    if (((uint32_t)irr & 0xf0) <= (ppr(l) & 0xf0))
        return -1;
    return irr;
}

void vlapic_ack(struct vlapic *l, uint8_t vector)
{
    clear_bit(l, APIC_IRR, vector);
    set_bit(l, APIC_ISR, vector);
}

static void error(struct vlapic *l, uint32_t bits)
{
    uint32_t lvt = R(l, APIC_LVTERR);

    l->esr_pending |= bits;
    if (!(lvt & APIC_LVT_MASKED) && (lvt & 0xff) >= 16)
        set_bit(l, APIC_IRR, (uint8_t)(lvt & 0xff));
}

bool vlapic_accept(struct vlapic *l, uint8_t vector)
{
    if (vector < 16) {
        __atomic_fetch_or(&l->esr_pending, APIC_ESR_RECV_ILLEGAL, __ATOMIC_RELAXED);
        return false;
    }
    set_bit(l, APIC_IRR, vector);
    return true;
}

bool vlapic_match_dest(const struct vlapic *l, uint8_t dest, bool logical)
{
    if (!logical)
        return dest == 0xff || dest == vlapic_id(l);
    uint8_t ldr = (uint8_t)(R(l, APIC_LDR) >> 24);
    if (dest == 0xff)
        return true;
    if ((R(l, APIC_DFR) >> 28) == 0xf)          /* flat model */
        return (ldr & dest) != 0;
    /* cluster model: high nibble cluster, low nibble member bits */
    return (ldr >> 4) == (dest >> 4) && (ldr & dest & 0x0f) != 0;
}

static unsigned divisor(const struct vlapic *l)
{
    uint32_t dcr = R(l, APIC_TDCR);
    uint32_t v = ((dcr & 8) >> 1) | (dcr & 3);

    return 1u << ((v + 1) & 7);
}

static uint32_t timer_mode(const struct vlapic *l)
{
    return R(l, APIC_LVTT) & APIC_TIMER_MODE_MASK;
}

static void timer_stop(struct vlapic *l)
{
    l->timer_start_ns = 0;
    l->timer_deadline_ns = 0;
    l->timer_period_ns = 0;
}

static void timer_load(struct vlapic *l, uint64_t now)
{
    uint64_t count = R(l, APIC_TMICT);

    timer_stop(l);
    if (!count)
        return;
    uint64_t period = count * divisor(l);
    l->timer_start_ns = now;
    l->timer_deadline_ns = now + period;
    if (timer_mode(l) == APIC_TIMER_PERIODIC)
        l->timer_period_ns = period;
}

static uint32_t current_count(const struct vlapic *l, uint64_t now)
{
    if (!l->timer_deadline_ns || timer_mode(l) == APIC_TIMER_TSCDEADLINE)
        return 0;
    if (now >= l->timer_deadline_ns)
        return 0;
    return (uint32_t)((l->timer_deadline_ns - now) / divisor(l));
}

uint32_t vlapic_read(struct vlapic *l, uint32_t off, uint64_t now)
{
    off &= 0xff0;
    switch (off) {
    case APIC_ID: case APIC_LVR: case APIC_TASKPRI: case APIC_LDR: case APIC_DFR:
    case APIC_SPIV: case APIC_ESR: case APIC_ICR: case APIC_ICR2: case APIC_LVTT:
    case APIC_LVTTHMR: case APIC_LVTPC: case APIC_LVT0: case APIC_LVT1: case APIC_LVTERR:
    case APIC_CMCI: case APIC_TMICT: case APIC_TDCR:
        return R(l, off);
    case APIC_ARBPRI:
        return 0;
    case APIC_PROCPRI:
        return ppr(l);
    case APIC_TMCCT:
        return current_count(l, now);
    case APIC_EOI:
    case APIC_RRR:
        return 0;
    default:
        if (off >= APIC_ISR && off < APIC_ESR)
            return __atomic_load_n(&l->reg[off >> 4], __ATOMIC_ACQUIRE);
        error(l, APIC_ESR_ILLEGAL_REG);
        return 0;
    }
}

static void send_icr(struct vlapic *l, uint32_t lo)
{
    struct vlapic_ipi ipi = {
        .vector = (uint8_t)(lo & 0xff),
        .mode = (uint8_t)((lo >> 8) & 7),
        .logical = (lo >> 11) & 1,
        .level_assert = (lo >> 14) & 1,
        .shorthand = (uint8_t)((lo >> 18) & 3),
        .dest = (uint8_t)(R(l, APIC_ICR2) >> 24),
    };

    if ((ipi.mode == APIC_DM_FIXED || ipi.mode == APIC_DM_LOWEST) && ipi.vector < 16) {
        error(l, APIC_ESR_SEND_ILLEGAL);
        return;
    }
    if (l->ops && l->ops->send_ipi)
        l->ops->send_ipi(l->ctx, &ipi);
}

void vlapic_write(struct vlapic *l, uint32_t off, uint32_t val, uint64_t now)
{
    off &= 0xff0;
    switch (off) {
    case APIC_ID:
        R(l, APIC_ID) = val & 0xff000000u;
        break;
    case APIC_TASKPRI:
        R(l, APIC_TASKPRI) = val & 0xff;
        break;
    case APIC_EOI: {
        int isr = highest(l, APIC_ISR);
        if (isr >= 0)
            clear_bit(l, APIC_ISR, (uint8_t)isr);
        break;
    }
    case APIC_LDR:
        R(l, APIC_LDR) = val & 0xff000000u;
        break;
    case APIC_DFR:
        R(l, APIC_DFR) = val | 0x0fffffffu;
        break;
    case APIC_SPIV:
        R(l, APIC_SPIV) = val & 0x3ff;
        if (!(val & APIC_SPIV_ENABLED)) {
            for (unsigned i = 0; i < sizeof(lvt_regs) / sizeof(lvt_regs[0]); i++)
                R(l, lvt_regs[i]) |= APIC_LVT_MASKED;
        }
        break;
    case APIC_ESR:
        R(l, APIC_ESR) = __atomic_exchange_n(&l->esr_pending, 0, __ATOMIC_RELAXED);
        break;
    case APIC_ICR:
        R(l, APIC_ICR) = val & ~(1u << 12);   /* delivery status: always idle */
        send_icr(l, val);
        break;
    case APIC_ICR2:
        R(l, APIC_ICR2) = val & 0xff000000u;
        break;
    case APIC_LVTT: {
        uint32_t old_mode = timer_mode(l);
        uint32_t v = val & lvt_mask(off);
        if (!vlapic_enabled(l))
            v |= APIC_LVT_MASKED;
        if ((v & APIC_TIMER_MODE_MASK) == (3u << 17))
            v &= ~APIC_TIMER_MODE_MASK;      /* reserved mode: treat as one-shot */
        R(l, APIC_LVTT) = v;
        if ((v & APIC_TIMER_MODE_MASK) != old_mode) {
            /* A mode change disarms the timer. */
            timer_stop(l);
            R(l, APIC_TMICT) = 0;
            l->tsc_deadline = 0;
        }
        break;
    }
    case APIC_LVTTHMR: case APIC_LVTPC: case APIC_LVT0: case APIC_LVT1:
    case APIC_LVTERR: case APIC_CMCI: {
        uint32_t v = val & lvt_mask(off);
        if (!vlapic_enabled(l))
            v |= APIC_LVT_MASKED;
        R(l, off) = v;
        break;
    }
    case APIC_TMICT:
        if (timer_mode(l) == APIC_TIMER_TSCDEADLINE)
            break;
        R(l, APIC_TMICT) = val;
        timer_load(l, now);
        break;
    case APIC_TDCR: {
        uint32_t remaining = current_count(l, now);
        R(l, APIC_TDCR) = val & 0xb;
        /* Keep the remaining count, re-timed at the new rate. */
        if (l->timer_deadline_ns && timer_mode(l) != APIC_TIMER_TSCDEADLINE) {
            l->timer_deadline_ns = now + (uint64_t)remaining * divisor(l);
            if (l->timer_period_ns)
                l->timer_period_ns = (uint64_t)R(l, APIC_TMICT) * divisor(l);
        }
        break;
    }
    default:
        /* Read-only or reserved registers. */
        error(l, APIC_ESR_ILLEGAL_REG);
        break;
    }
}

uint64_t vlapic_get_tsc_deadline(struct vlapic *l)
{
    if (timer_mode(l) != APIC_TIMER_TSCDEADLINE)
        return 0;
    return l->tsc_deadline;
}

void vlapic_set_tsc_deadline(struct vlapic *l, uint64_t tsc, uint64_t now)
{
    if (timer_mode(l) != APIC_TIMER_TSCDEADLINE)
        return;
    l->tsc_deadline = tsc;
    if (!tsc) {
        timer_stop(l);
        return;
    }
    uint64_t ns = l->ops && l->ops->tsc_to_ns ? l->ops->tsc_to_ns(l->ctx, tsc) : tsc;
    l->timer_period_ns = 0;
    l->timer_start_ns = now;
    l->timer_deadline_ns = ns > now ? ns : now;
}

uint64_t vlapic_timer_deadline(const struct vlapic *l)
{
    return l->timer_deadline_ns;
}

uint64_t vlapic_timer_check(struct vlapic *l, uint64_t now)
{
    if (!l->timer_deadline_ns || now < l->timer_deadline_ns)
        return l->timer_deadline_ns;

    uint32_t lvt = R(l, APIC_LVTT);
    if (!(lvt & APIC_LVT_MASKED))
        vlapic_accept(l, (uint8_t)(lvt & 0xff));
    l->timer_fired++;
    if (l->timer_period_ns) {
        /* Next period after now; missed periods are not replayed. */
        uint64_t late = now - l->timer_deadline_ns;
        l->timer_deadline_ns += l->timer_period_ns * (late / l->timer_period_ns + 1);
    } else {
        l->timer_deadline_ns = 0;
        l->timer_start_ns = 0;
        if (timer_mode(l) == APIC_TIMER_TSCDEADLINE)
            l->tsc_deadline = 0;
    }
    return l->timer_deadline_ns;
}
