/* From entry.S to guest_main(): keep the start info, find the hypervisor,
 * run the guest, shut down with its verdict. */
#include "kit.h"

const struct hvm_start_info *kit_start_info;

KIT_NORETURN void kit_main(uint32_t start_info_paddr);

KIT_NORETURN void kit_main(uint32_t start_info_paddr)
{
    const struct hvm_start_info *si =
        (const struct hvm_start_info *)(uintptr_t)start_info_paddr;

    if (si && si->magic == XEN_HVM_START_MAGIC_VALUE)
        kit_start_info = si;
    kit_xen_init();
    if (guest_main() == 0)
        kit_poweroff();
    kit_crash();
}

uint64_t kit_ram_end(void)
{
    const struct hvm_start_info *si = kit_start_info;
    const struct hvm_memmap_table_entry *e;
    uint32_t i, n;
    uint64_t end = 0;
    int grew = 1;

    if (!si || si->version < 1 || !si->memmap_paddr ||
        si->memmap_paddr >= 0x100000000ull)
        return 0;
    e = (const struct hvm_memmap_table_entry *)(uintptr_t)si->memmap_paddr;
    n = si->memmap_entries < 128 ? si->memmap_entries : 128;
    /* the RAM contiguous from 0, whatever the order of the entries */
    while (grew) {
        grew = 0;
        for (i = 0; i < n; i++) {
            uint64_t top = e[i].addr + e[i].size;

            if (e[i].type == XEN_HVM_MEMMAP_TYPE_RAM && e[i].addr <= end &&
                top > end && top <= 0x100000000ull) {
                end = top;
                grew = 1;
            }
        }
    }
    return end;
}
