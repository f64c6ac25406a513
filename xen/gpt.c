#include "config.h"

#include <stdint.h>
#include <stdio.h>

#include <errno.h>
#include <stddef.h>

#include "gpt.h"

#define CR0_PG   (1ULL << 31)
#define CR0_WP   (1ULL << 16)
#define CR4_PSE  (1ULL << 4)
#define CR4_PAE  (1ULL << 5)
#define CR4_LA57 (1ULL << 12)
#define CR4_SMEP (1ULL << 20)
#define EFER_LMA (1ULL << 10)
#define EFER_NXE (1ULL << 11)

#define PTE_P   (1ULL << 0)
#define PTE_W   (1ULL << 1)
#define PTE_U   (1ULL << 2)
#define PTE_A   (1ULL << 5)
#define PTE_D   (1ULL << 6)
#define PTE_PS  (1ULL << 7)
#define PTE_NX  (1ULL << 63)

/* Physical address bits we accept in entries (MAXPHYADDR 52). */
#define ADDR_MASK_52 0x000ffffffffff000ULL

static bool long_mode(const struct gpt_regs *r)
{
    return (r->efer & EFER_LMA) && (r->cr0 & CR0_PG);
}

bool gpt_canonical(const struct gpt_regs *r, uint64_t la)
{
    if (!long_mode(r))
        return true;
    unsigned bits = (r->cr4 & CR4_LA57) ? 57 : 48;
    int64_t s = (int64_t)(la << (64 - bits)) >> (64 - bits);
    return (uint64_t)s == la;
}

const char *gpt_mode_name(const struct gpt_regs *r)
{
    if (!(r->cr0 & CR0_PG))
        return "none";
    if (long_mode(r))
        return (r->cr4 & CR4_LA57) ? "5-level" : "4-level";
    return (r->cr4 & CR4_PAE) ? "pae" : "32-bit";
}

/* Checks permissions of the combined walk and sets A/D bits on success. */
struct walk {
    void *ent[5];
    bool wide[5];
    unsigned n;
    bool w, u;           /* all levels writable / user */
};

static void walk_add(struct walk *wk, void *ent, bool wide, uint64_t e)
{
    wk->ent[wk->n] = ent;
    wk->wide[wk->n] = wide;
    wk->n++;
    wk->w = wk->w && (e & PTE_W);
    wk->u = wk->u && (e & PTE_U);
}

static int walk_finish(const struct gpt_regs *r, struct walk *wk, unsigned access)
{
    bool user = access & GPT_USER;
    bool write = access & GPT_WRITE;

    if (user && !wk->u)
        return -EFAULT;
    if (write && !wk->w && (user || (r->cr0 & CR0_WP)))
        return -EFAULT;
    for (unsigned i = 0; i < wk->n; i++) {
        uint64_t bits = PTE_A;
        if (i == wk->n - 1 && write)
            bits |= PTE_D;
        if (wk->wide[i])
            __atomic_fetch_or((uint64_t *)wk->ent[i], bits, __ATOMIC_RELAXED);
        else
            __atomic_fetch_or((uint32_t *)wk->ent[i], (uint32_t)bits, __ATOMIC_RELAXED);
    }
    return 0;
}

static int walk_32(const struct gpt_regs *r, uint32_t la, unsigned access,
                   gpt_map_fn map, void *ctx, uint64_t *gpa)
{
    struct walk wk = { .w = true, .u = true };
    uint32_t *pde = map(ctx, (r->cr3 & 0xfffff000u) + ((la >> 22) << 2), 4);
    uint32_t e;

    if (!pde)
        return -EFAULT;
    e = __atomic_load_n(pde, __ATOMIC_RELAXED);
    if (!(e & PTE_P))
        return -EFAULT;
    walk_add(&wk, pde, false, e);
    if ((e & PTE_PS) && (r->cr4 & CR4_PSE)) {
        /* 4 MiB page: bits 13..20 give physical address bits 32..39. */
        if (e & (1u << 21))
            return -EFAULT;
        uint64_t base = (uint64_t)(e & 0xffc00000u) | ((uint64_t)((e >> 13) & 0xff) << 32);
        *gpa = base | (la & 0x3fffffu);
        return walk_finish(r, &wk, access);
    }
    uint32_t *pte = map(ctx, (e & 0xfffff000u) + (((la >> 12) & 0x3ff) << 2), 4);
    if (!pte)
        return -EFAULT;
    e = __atomic_load_n(pte, __ATOMIC_RELAXED);
    if (!(e & PTE_P))
        return -EFAULT;
    walk_add(&wk, pte, false, e);
    *gpa = (uint64_t)(e & 0xfffff000u) | (la & 0xfffu);
    return walk_finish(r, &wk, access);
}

/* Reserved bits in a 64-bit entry at `level` (1 = PTE .. 5 = PML5E). */
static bool rsvd(const struct gpt_regs *r, uint64_t e, unsigned level, bool leaf)
{
    if (!(r->efer & EFER_NXE) && (e & PTE_NX))
        return true;
    if (leaf && level == 2 && (e & 0x1fe000ULL))
        return true;            /* 2 MiB page: bits 13..20 reserved */
    if (leaf && level == 3 && (e & 0x3fffe000ULL))
        return true;            /* 1 GiB page: bits 13..29 reserved */
    if (level >= 4 && (e & PTE_PS))
        return true;
    return false;
}

static int walk_64(const struct gpt_regs *r, uint64_t la, unsigned access,
                   gpt_map_fn map, void *ctx, uint64_t *gpa, unsigned levels, uint64_t table)
{
    struct walk wk = { .w = true, .u = true };

    for (unsigned level = levels; level >= 1; level--) {
        unsigned shift = 12 + 9 * (level - 1);
        uint64_t idx = (la >> shift) & 0x1ff;
        uint64_t *ent = map(ctx, table + idx * 8, 8);
        uint64_t e;

        if (!ent)
            return -EFAULT;
        e = __atomic_load_n(ent, __ATOMIC_RELAXED);
        if (!(e & PTE_P))
            return -EFAULT;
        bool leaf = level == 1 || ((e & PTE_PS) && level <= 3);
        if (rsvd(r, e, level, leaf))
            return -EFAULT;
        walk_add(&wk, ent, true, e);
        if (leaf) {
            uint64_t mask = (1ULL << shift) - 1;
            *gpa = ((e & ADDR_MASK_52) & ~mask) | (la & mask);
            return walk_finish(r, &wk, access);
        }
        table = e & ADDR_MASK_52;
    }
    return -EFAULT;
}

static int walk_pae(const struct gpt_regs *r, uint32_t la, unsigned access,
                    gpt_map_fn map, void *ctx, uint64_t *gpa)
{
    /* The four PDPTEs: present, no W/U/A bits (they are held by the CPU). */
    uint64_t *pdpte = map(ctx, (r->cr3 & 0xffffffe0u) + ((la >> 30) << 3), 8);
    uint64_t e;

    if (!pdpte)
        return -EFAULT;
    e = __atomic_load_n(pdpte, __ATOMIC_RELAXED);
    if (!(e & PTE_P) || (e & 0x1e6ULL))
        return -EFAULT;
    return walk_64(r, la, access, map, ctx, gpa, 2, e & ADDR_MASK_52);
}

int gpt_translate(const struct gpt_regs *r, uint64_t la, unsigned access,
                  gpt_map_fn map, void *ctx, uint64_t *gpa)
{
    if (!(r->cr0 & CR0_PG)) {
        /* No paging: linear is physical (32 bits outside long mode). */
        *gpa = la & 0xffffffffULL;
        return la >> 32 ? -EFAULT : 0;
    }
    if (long_mode(r)) {
        if (!gpt_canonical(r, la))
            return -EFAULT;
        unsigned levels = (r->cr4 & CR4_LA57) ? 5 : 4;
        return walk_64(r, la, access, map, ctx, gpa, levels, r->cr3 & ADDR_MASK_52);
    }
    if (la >> 32)
        return -EFAULT;
    if (r->cr4 & CR4_PAE)
        return walk_pae(r, (uint32_t)la, access, map, ctx, gpa);
    return walk_32(r, (uint32_t)la, access, map, ctx, gpa);
}
