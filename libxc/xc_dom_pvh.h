/* PVH layout: the guest memory map and the hvm_start_info block (pure;
 * unit tested). */
#ifndef XC_DOM_PVH_H
#define XC_DOM_PVH_H

#include <stddef.h>
#include <stdint.h>

#include "xenctrl.h"

#define XC_PVH_MMIO_START 0xf0000000ULL
#define XC_PVH_SPECIAL_PFN_BASE 0xfeff8ULL
#define XC_PVH_NR_SPECIAL 8
#define XC_PVH_XENSTORE_PFN (XC_PVH_SPECIAL_PFN_BASE + 4)
#define XC_PVH_CONSOLE_PFN (XC_PVH_SPECIAL_PFN_BASE + 7)

struct xc_pvh_module {
    uint64_t paddr, size;
    const char *cmdline;
};

/* RAM below the hole at mmio_start, the special pages reserved, the rest
 * of RAM above 4 GiB.  Returns the number of entries written to map (at
 * most 4), and the RAM ends. */
unsigned int xc_pvh_memory_map(uint64_t ram_bytes, uint64_t mmio_start, struct e820entry *map,
                               uint64_t *lowmem_end, uint64_t *highmem_end);

/* Lays out the start info block (struct hvm_start_info, the module list,
 * the memory map, then the command lines) in buf, which the guest will see
 * at gpa.  Returns the bytes used, or 0 when buf is too small.  The start
 * info itself is at gpa. */
size_t xc_pvh_start_info(uint8_t *buf, size_t size, uint64_t gpa, const char *cmdline,
                         const struct xc_pvh_module *mods, unsigned int nr_mods,
                         const struct e820entry *map, unsigned int nr_map);

/* Bytes xc_pvh_start_info will need. */
size_t xc_pvh_start_info_size(const char *cmdline, const struct xc_pvh_module *mods,
                              unsigned int nr_mods, unsigned int nr_map);

#endif
