/* Guest linear address translation over a fake guest memory. */
#include "config.h"

#include <errno.h>
#include <glib.h>
#include <stdint.h>
#include <string.h>

#include "gpt.h"

#define MEM_PAGES 64
static uint8_t mem[MEM_PAGES * 4096] __attribute__((aligned(4096)));

static void *map(void *ctx, uint64_t gpa, unsigned len)
{
    (void)ctx;
    if (gpa + len > sizeof(mem) || gpa + len < gpa)
        return NULL;
    return mem + gpa;
}

static uint64_t *pte64(uint64_t table_page, unsigned idx)
{
    return (uint64_t *)(mem + table_page * 4096 + idx * 8);
}

static uint32_t *pte32(uint64_t table_page, unsigned idx)
{
    return (uint32_t *)(mem + table_page * 4096 + idx * 4);
}

#define P 1ULL
#define W 2ULL
#define U 4ULL
#define A 0x20ULL
#define D 0x40ULL
#define PS 0x80ULL
#define NX (1ULL << 63)

static const struct gpt_regs long4 = { .cr0 = 0x80000011, .cr3 = 1 * 4096, .cr4 = 0x20,
                                       .efer = 0x500 };

/* PML4 at page 1, PDPT at 2, PD at 3, PT at 4; data pages from 10. */
static void build_long4(uint64_t pte_flags)
{
    memset(mem, 0, sizeof(mem));
    *pte64(1, 0) = 2 * 4096 | P | W | U;
    *pte64(2, 0) = 3 * 4096 | P | W | U;
    *pte64(3, 0) = 4 * 4096 | P | W | U;
    *pte64(4, 5) = 10 * 4096 | pte_flags;              /* va 0x5000 -> page 10 */
    *pte64(3, 1) = (1ULL << 21) | P | W | PS;          /* va 2M -> 2M (large page) */
    *pte64(2, 1) = (1ULL << 30) | P | W | PS;          /* va 1G -> 1G (huge page) */
    *pte64(1, 511) = 2 * 4096 | P | W;                  /* top of the address space */
}

static void test_long4(void)
{
    uint64_t gpa;

    build_long4(P | W | U);
    g_assert_cmpint(gpt_translate(&long4, 0x5123, 0, map, NULL, &gpa), ==, 0);
    g_assert_cmphex(gpa, ==, 10 * 4096 + 0x123);
    /* A set on every level, D only on the leaf and only for writes. */
    g_assert_true(*pte64(4, 5) & A);
    g_assert_false(*pte64(4, 5) & D);
    g_assert_cmpint(gpt_translate(&long4, 0x5123, GPT_WRITE, map, NULL, &gpa), ==, 0);
    g_assert_true(*pte64(4, 5) & D);
    g_assert_false(*pte64(3, 0) & D);
    g_assert_true(*pte64(1, 0) & A);

    g_assert_cmpint(gpt_translate(&long4, (1ULL << 21) + 0x1234, 0, map, NULL, &gpa), ==, 0);
    g_assert_cmphex(gpa, ==, (1ULL << 21) + 0x1234);
    g_assert_cmpint(gpt_translate(&long4, (1ULL << 30) + 0x12345, 0, map, NULL, &gpa), ==, 0);
    g_assert_cmphex(gpa, ==, (1ULL << 30) + 0x12345);
    /* Not present. */
    g_assert_cmpint(gpt_translate(&long4, 0x6000, 0, map, NULL, &gpa), ==, -EFAULT);
    /* Non-canonical. */
    g_assert_cmpint(gpt_translate(&long4, 0x0000800000000000ULL, 0, map, NULL, &gpa), ==, -EFAULT);
    /* Canonical high half through PML4 511 (PDPT shared): translates. */
    g_assert_cmpint(gpt_translate(&long4, 0xffffff8000005000ULL, 0, map, NULL, &gpa), ==, 0);
    g_assert_cmphex(gpa, ==, 10 * 4096);
}

static void test_permissions(void)
{
    uint64_t gpa;
    struct gpt_regs nowp = long4;

    nowp.cr0 &= ~(1ULL << 16);
    build_long4(P | U);                                  /* read-only user page */
    g_assert_cmpint(gpt_translate(&long4, 0x5000, GPT_USER, map, NULL, &gpa), ==, 0);
    g_assert_cmpint(gpt_translate(&long4, 0x5000, GPT_USER | GPT_WRITE, map, NULL, &gpa), ==, -EFAULT);
    /* Supervisor writes to read-only pages: refused only with CR0.WP. */
    struct gpt_regs wp = long4;
    wp.cr0 |= 1ULL << 16;
    g_assert_cmpint(gpt_translate(&wp, 0x5000, GPT_WRITE, map, NULL, &gpa), ==, -EFAULT);
    g_assert_cmpint(gpt_translate(&nowp, 0x5000, GPT_WRITE, map, NULL, &gpa), ==, 0);

    build_long4(P | W);                                  /* supervisor page */
    g_assert_cmpint(gpt_translate(&long4, 0x5000, GPT_USER, map, NULL, &gpa), ==, -EFAULT);
    g_assert_cmpint(gpt_translate(&long4, 0x5000, 0, map, NULL, &gpa), ==, 0);

    /* NX set without EFER.NXE is a reserved bit. */
    build_long4(P | W | NX);
    struct gpt_regs nonxe = long4;
    nonxe.efer &= ~0x800ULL;
    g_assert_cmpint(gpt_translate(&nonxe, 0x5000, 0, map, NULL, &gpa), ==, -EFAULT);
    struct gpt_regs nxe = long4;
    nxe.efer |= 0x800ULL;
    g_assert_cmpint(gpt_translate(&nxe, 0x5000, 0, map, NULL, &gpa), ==, 0);

    /* Reserved bits in a 2 MiB entry; PS in a PML4 entry. */
    build_long4(P | W);
    *pte64(3, 1) |= 1ULL << 13;
    g_assert_cmpint(gpt_translate(&long4, 1ULL << 21, 0, map, NULL, &gpa), ==, -EFAULT);
    *pte64(1, 0) |= PS;
    g_assert_cmpint(gpt_translate(&long4, 0x5000, 0, map, NULL, &gpa), ==, -EFAULT);

    /* Page tables outside guest memory. */
    build_long4(P | W);
    *pte64(3, 0) = (1ULL << 40) | P | W;
    g_assert_cmpint(gpt_translate(&long4, 0x5000, 0, map, NULL, &gpa), ==, -EFAULT);
}

static void test_la57(void)
{
    struct gpt_regs r = long4;
    uint64_t gpa;

    r.cr4 |= 1ULL << 12;
    r.cr3 = 5 * 4096;
    build_long4(P | W);
    *pte64(5, 0) = 1 * 4096 | P | W;                     /* PML5[0] -> PML4 */
    g_assert_cmpint(gpt_translate(&r, 0x5010, 0, map, NULL, &gpa), ==, 0);
    g_assert_cmphex(gpa, ==, 10 * 4096 + 0x10);
    /* 57-bit canonical: bit 56 sign-extends. */
    g_assert_cmpint(gpt_translate(&r, 0x0100000000000000ULL, 0, map, NULL, &gpa), ==, -EFAULT);
    g_assert_true(gpt_canonical(&r, 0x00ff000000000000ULL));
    g_assert_false(gpt_canonical(&long4, 0x00ff000000000000ULL));
}

static void test_pae(void)
{
    struct gpt_regs r = { .cr0 = 0x80000011, .cr3 = 1 * 4096 + 0x20, .cr4 = 0x20, .efer = 0 };
    uint64_t gpa;

    memset(mem, 0, sizeof(mem));
    /* PDPT at page 1 offset 0x20; PD at 2; PT at 3. */
    *(uint64_t *)(mem + 4096 + 0x20 + 8 * 1) = 2 * 4096 | P;   /* 1-2 GiB */
    *pte64(2, 0) = 3 * 4096 | P | W;
    *pte64(3, 7) = 11 * 4096 | P | W;
    *pte64(2, 1) = (1ULL << 21) | P | W | PS;
    g_assert_cmpint(gpt_translate(&r, 0x40007abcULL, 0, map, NULL, &gpa), ==, 0);
    g_assert_cmphex(gpa, ==, 11 * 4096 + 0xabc);
    g_assert_cmpint(gpt_translate(&r, 0x40200000ULL + 5, 0, map, NULL, &gpa), ==, 0);
    g_assert_cmphex(gpa, ==, (1ULL << 21) + 5);
    /* PDPTE with W set is reserved in PAE mode. */
    *(uint64_t *)(mem + 4096 + 0x20 + 8 * 1) |= W;
    g_assert_cmpint(gpt_translate(&r, 0x40007abcULL, 0, map, NULL, &gpa), ==, -EFAULT);
    /* Addresses above 4 GiB do not exist outside long mode. */
    g_assert_cmpint(gpt_translate(&r, 1ULL << 32, 0, map, NULL, &gpa), ==, -EFAULT);
}

static void test_32bit(void)
{
    struct gpt_regs r = { .cr0 = 0x80000011, .cr3 = 1 * 4096, .cr4 = 0x10 /* PSE */, .efer = 0 };
    uint64_t gpa;

    memset(mem, 0, sizeof(mem));
    *pte32(1, 0) = 2 * 4096 | P | W;
    *pte32(2, 3) = 12 * 4096 | P | W;
    *pte32(1, 1) = (1u << 22) | P | W | PS;              /* 4 MiB page */
    g_assert_cmpint(gpt_translate(&r, 0x3456, 0, map, NULL, &gpa), ==, 0);
    g_assert_cmphex(gpa, ==, 12 * 4096 + 0x456);
    g_assert_true(*pte32(2, 3) & A);
    g_assert_cmpint(gpt_translate(&r, (1u << 22) + 0x12345, 0, map, NULL, &gpa), ==, 0);
    g_assert_cmphex(gpa, ==, (1u << 22) + 0x12345);
    /* Without CR4.PSE the PS bit is ignored: the entry is a page table. */
    r.cr4 = 0;
    g_assert_cmpint(gpt_translate(&r, (1u << 22) + 0x12345, 0, map, NULL, &gpa), ==, -EFAULT);
}

static void test_nopaging(void)
{
    struct gpt_regs r = { .cr0 = 0x11 };
    uint64_t gpa;

    g_assert_cmpint(gpt_translate(&r, 0x12345678, 0, map, NULL, &gpa), ==, 0);
    g_assert_cmphex(gpa, ==, 0x12345678);
    g_assert_cmpint(gpt_translate(&r, 1ULL << 32, 0, map, NULL, &gpa), ==, -EFAULT);
    g_assert_cmpstr(gpt_mode_name(&r), ==, "none");
    g_assert_cmpstr(gpt_mode_name(&long4), ==, "4-level");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/gpt/long4", test_long4);
    g_test_add_func("/gpt/permissions", test_permissions);
    g_test_add_func("/gpt/la57", test_la57);
    g_test_add_func("/gpt/pae", test_pae);
    g_test_add_func("/gpt/32bit", test_32bit);
    g_test_add_func("/gpt/no-paging", test_nopaging);
    return g_test_run();
}
