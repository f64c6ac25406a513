#include "config.h"

#include <stdint.h>
#include <string.h>

#include <xen/arch-x86/hvm/start_info.h>

#include "xc_dom_pvh.h"

unsigned int xc_pvh_memory_map(uint64_t ram_bytes, uint64_t mmio_start, struct e820entry *map,
                               uint64_t *lowmem_end, uint64_t *highmem_end)
{
    unsigned int n = 0;
    uint64_t low = ram_bytes < mmio_start ? ram_bytes : mmio_start;

    low &= ~0xfffULL;
    map[n++] = (struct e820entry){ .addr = 0, .size = low, .type = E820_RAM };
    map[n++] = (struct e820entry){ .addr = XC_PVH_SPECIAL_PFN_BASE << 12,
                                   .size = XC_PVH_NR_SPECIAL << 12, .type = E820_RESERVED };
    *lowmem_end = low;
    *highmem_end = 0;
    if (ram_bytes > low) {
        uint64_t high = (ram_bytes - low) & ~0xfffULL;
        map[n++] = (struct e820entry){ .addr = 1ULL << 32, .size = high, .type = E820_RAM };
        *highmem_end = (1ULL << 32) + high;
    }
    return n;
}

static size_t align8(size_t v)
{
    return (v + 7) & ~(size_t)7;
}

size_t xc_pvh_start_info_size(const char *cmdline, const struct xc_pvh_module *mods,
                              unsigned int nr_mods, unsigned int nr_map)
{
    size_t sz = align8(sizeof(struct hvm_start_info));

    sz += nr_mods * sizeof(struct hvm_modlist_entry);
    sz += nr_map * sizeof(struct hvm_memmap_table_entry);
    if (cmdline)
        sz += align8(strlen(cmdline) + 1);
    for (unsigned int i = 0; i < nr_mods; i++)
        if (mods[i].cmdline)
            sz += align8(strlen(mods[i].cmdline) + 1);
    return sz;
}

size_t xc_pvh_start_info(uint8_t *buf, size_t size, uint64_t gpa, const char *cmdline,
                         const struct xc_pvh_module *mods, unsigned int nr_mods,
                         const struct e820entry *map, unsigned int nr_map)
{
    struct hvm_start_info si;
    size_t need = xc_pvh_start_info_size(cmdline, mods, nr_mods, nr_map);
    size_t off;

    if (need > size)
        return 0;
    memset(buf, 0, need);
    memset(&si, 0, sizeof(si));
    si.magic = XEN_HVM_START_MAGIC_VALUE;
    si.version = 1;
    si.nr_modules = nr_mods;
    off = align8(sizeof(si));

    size_t mod_off = off;
    off += nr_mods * sizeof(struct hvm_modlist_entry);
    size_t map_off = off;
    off += nr_map * sizeof(struct hvm_memmap_table_entry);
    if (nr_mods)
        si.modlist_paddr = gpa + mod_off;
    if (nr_map) {
        si.memmap_paddr = gpa + map_off;
        si.memmap_entries = nr_map;
    }
    for (unsigned int i = 0; i < nr_map; i++) {
        struct hvm_memmap_table_entry e = {
            .addr = map[i].addr, .size = map[i].size, .type = map[i].type,
        };
        memcpy(buf + map_off + i * sizeof(e), &e, sizeof(e));
    }
    if (cmdline) {
        size_t l = strlen(cmdline) + 1;
        memcpy(buf + off, cmdline, l);
        si.cmdline_paddr = gpa + off;
        off += align8(l);
    }
    for (unsigned int i = 0; i < nr_mods; i++) {
        struct hvm_modlist_entry e = { .paddr = mods[i].paddr, .size = mods[i].size };
        if (mods[i].cmdline) {
            size_t l = strlen(mods[i].cmdline) + 1;
            memcpy(buf + off, mods[i].cmdline, l);
            e.cmdline_paddr = gpa + off;
            off += align8(l);
        }
        memcpy(buf + mod_off + i * sizeof(e), &e, sizeof(e));
    }
    memcpy(buf, &si, sizeof(si));
    return off;
}
