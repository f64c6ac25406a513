/* PVH memory map and hvm_start_info layout. */
#include "config.h"

#include <glib.h>
#include <stdint.h>
#include <string.h>

#include <xen/arch-x86/hvm/start_info.h>

#include "xc_dom_pvh.h"

struct map_case {
    uint64_t ram;
    unsigned int nr;
    uint64_t low, high;
};

static const struct map_case maps[] = {
    { 16ULL << 20, 2, 16ULL << 20, 0 },
    { 3ULL << 30, 2, 3ULL << 30, 0 },
    { 0xf0000000ULL, 2, 0xf0000000ULL, 0 },
    { 6ULL << 30, 3, 0xf0000000ULL, (1ULL << 32) + (6ULL << 30) - 0xf0000000ULL },
};

static void test_memory_map(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(maps); i++) {
        struct e820entry m[4];
        uint64_t low, high;
        unsigned int n = xc_pvh_memory_map(maps[i].ram, XC_PVH_MMIO_START, m, &low, &high);
        g_assert_cmpuint(n, ==, maps[i].nr);
        g_assert_cmphex(low, ==, maps[i].low);
        g_assert_cmphex(high, ==, maps[i].high);
        g_assert_cmphex(m[0].addr, ==, 0);
        g_assert_cmphex(m[0].size, ==, low);
        g_assert_cmpuint(m[0].type, ==, E820_RAM);
        /* The special pages (xenstore 0xfeffc, console 0xfefff) are reserved. */
        g_assert_cmpuint(m[1].type, ==, E820_RESERVED);
        g_assert_cmphex(m[1].addr, <=, 0xfeffcULL << 12);
        g_assert_cmphex(m[1].addr + m[1].size, >, 0xfefffULL << 12);
        uint64_t total = 0;
        for (unsigned int k = 0; k < n; k++)
            if (m[k].type == E820_RAM)
                total += m[k].size;
        g_assert_cmphex(total, ==, maps[i].ram);
    }
}

static void test_start_info(void)
{
    struct xc_pvh_module mods[2] = {
        { .paddr = 0x200000, .size = 1234, .cmdline = "initrd" },
        { .paddr = 0x300000, .size = 10, .cmdline = NULL },
    };
    struct e820entry map[2] = {
        { .addr = 0, .size = 16 << 20, .type = E820_RAM },
        { .addr = 0xfeff8000, .size = 0x8000, .type = E820_RESERVED },
    };
    uint8_t buf[4096];
    const uint64_t gpa = 0x400000;
    size_t need = xc_pvh_start_info_size("console=hvc0 x", mods, 2, 2);
    size_t used = xc_pvh_start_info(buf, sizeof(buf), gpa, "console=hvc0 x", mods, 2, map, 2);
    struct hvm_start_info si;
    struct hvm_modlist_entry me[2];
    struct hvm_memmap_table_entry mm[2];

    g_assert_cmpuint(used, ==, need);
    memcpy(&si, buf, sizeof(si));
    g_assert_cmphex(si.magic, ==, XEN_HVM_START_MAGIC_VALUE);
    g_assert_cmpuint(si.version, ==, 1);
    g_assert_cmpuint(si.nr_modules, ==, 2);
    g_assert_cmpuint(si.memmap_entries, ==, 2);
    g_assert_cmpuint(si.reserved, ==, 0);
    g_assert_cmphex(si.rsdp_paddr, ==, 0);
    g_assert_true(si.cmdline_paddr >= gpa && si.cmdline_paddr < gpa + used);
    g_assert_cmpstr((char *)buf + (si.cmdline_paddr - gpa), ==, "console=hvc0 x");
    memcpy(me, buf + (si.modlist_paddr - gpa), sizeof(me));
    g_assert_cmphex(me[0].paddr, ==, 0x200000);
    g_assert_cmpuint(me[0].size, ==, 1234);
    g_assert_cmpstr((char *)buf + (me[0].cmdline_paddr - gpa), ==, "initrd");
    g_assert_cmphex(me[1].cmdline_paddr, ==, 0);
    memcpy(mm, buf + (si.memmap_paddr - gpa), sizeof(mm));
    g_assert_cmphex(mm[1].addr, ==, 0xfeff8000);
    g_assert_cmpuint(mm[1].type, ==, XEN_HVM_MEMMAP_TYPE_RESERVED);
    g_assert_cmpuint(mm[0].reserved, ==, 0);
    /* 8-byte alignment of every table. */
    g_assert_cmpuint(si.modlist_paddr % 8, ==, 0);
    g_assert_cmpuint(si.memmap_paddr % 8, ==, 0);

    /* Too small a buffer: nothing is written, 0 returned. */
    g_assert_cmpuint(xc_pvh_start_info(buf, need - 1, gpa, "console=hvc0 x", mods, 2, map, 2), ==, 0);
    /* No command line, no modules. */
    used = xc_pvh_start_info(buf, sizeof(buf), gpa, NULL, NULL, 0, map, 2);
    memcpy(&si, buf, sizeof(si));
    g_assert_cmphex(si.cmdline_paddr, ==, 0);
    g_assert_cmphex(si.modlist_paddr, ==, 0);
    g_assert_cmpuint(used, ==, 56 + 2 * sizeof(struct hvm_memmap_table_entry));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/pvh/memory-map", test_memory_map);
    g_test_add_func("/pvh/start-info", test_start_info);
    return g_test_run();
}
