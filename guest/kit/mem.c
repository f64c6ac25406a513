/* Memory for the kit and its guests: free RAM pages, guest-physical room
 * without RAM for foreign mappings, and Xen error names. */
#include "kit.h"

#define MB2 (2ul << 20)

static uint64_t page_next; /* next free RAM page; 0: not yet found */
static volatile int mem_lock; /* both allocators, any vCPU */

static uint64_t round_up(uint64_t v, uint64_t a)
{
    return (v + a - 1) & ~(a - 1);
}

static uint64_t max_u64(uint64_t a, uint64_t b)
{
    return a > b ? a : b;
}

/* The end of what the builder may have put above the image: the start
 * info and everything it points to. */
static uint64_t builder_end(void)
{
    const struct hvm_start_info *si = kit_start_info;
    uint64_t end = (uintptr_t)__kit_end;
    const char *cmd;

    if (!si)
        return end;
    end = max_u64(end, (uintptr_t)si + sizeof(*si));
    cmd = kit_cmdline();
    if (*cmd)
        end = max_u64(end, (uintptr_t)cmd + strnlen(cmd, 4096) + 1);
    if (si->version >= 1 && si->memmap_paddr)
        end = max_u64(end, si->memmap_paddr + (uint64_t)si->memmap_entries *
                                                  sizeof(struct hvm_memmap_table_entry));
    if (si->nr_modules && si->modlist_paddr < 0x100000000ull) {
        const struct hvm_modlist_entry *m =
            (const struct hvm_modlist_entry *)(uintptr_t)si->modlist_paddr;
        uint32_t i, n = si->nr_modules < 64 ? si->nr_modules : 64;

        end = max_u64(end, si->modlist_paddr + n * sizeof(*m));
        for (i = 0; i < n; i++) {
            end = max_u64(end, m[i].paddr + m[i].size);
            if (m[i].cmdline_paddr && m[i].cmdline_paddr < 0x100000000ull)
                end = max_u64(end, m[i].cmdline_paddr + 4096);
        }
    }
    return end;
}

void *kit_page_alloc(size_t n)
{
    uint64_t p, ram = kit_ram_end();

    kit_spin_lock(&mem_lock);
    if (!page_next)
        page_next = round_up(builder_end(), KIT_PAGE_SIZE);
    p = page_next;
    if (ram && p + n * KIT_PAGE_SIZE > ram) {
        kit_spin_unlock(&mem_lock);
        kit_panic("kit_page_alloc: %zu pages: out of RAM (%#lx..%#lx)", n,
                  p, ram);
    }
    page_next = p + n * KIT_PAGE_SIZE;
    kit_spin_unlock(&mem_lock);
    memset((void *)(uintptr_t)p, 0, n * KIT_PAGE_SIZE);
    return (void *)(uintptr_t)p;
}

static uint64_t unpop_next;

uint64_t kit_unpopulated_alloc(size_t n)
{
    const struct hvm_start_info *si = kit_start_info;
    const struct hvm_memmap_table_entry *e = NULL;
    uint64_t p, len = n * KIT_PAGE_SIZE;
    uint32_t i, nr = 0;
    int moved = 1;

    if (si && si->version >= 1 && si->memmap_paddr &&
        si->memmap_paddr < 0x100000000ull) {
        e = (const struct hvm_memmap_table_entry *)(uintptr_t)si->memmap_paddr;
        nr = si->memmap_entries < 128 ? si->memmap_entries : 128;
    }
    kit_spin_lock(&mem_lock);
    if (!unpop_next) {
        uint64_t ram = kit_ram_end();

        if (!ram) {
            kit_spin_unlock(&mem_lock);
            return 0;
        }
        unpop_next = round_up(ram, MB2);
    }
    p = unpop_next;
    /* step over every memory map entry in the way */
    while (moved) {
        moved = 0;
        for (i = 0; i < nr; i++) {
            uint64_t s = e[i].addr, t = e[i].addr + e[i].size;

            if (p < t && s < p + len) {
                p = round_up(t, KIT_PAGE_SIZE);
                moved = 1;
            }
        }
    }
    if (p + len > XK_MMIO_HOLE_START) {
        kit_spin_unlock(&mem_lock);
        return 0;
    }
    unpop_next = p + len;
    kit_spin_unlock(&mem_lock);
    return p;
}

static const struct {
    int value;
    const char *name;
} errnames[] = {
#define XEN_ERRNO(name, value) {value, #name},
#include <xen/errno.h>
};

const char *kit_errname(long err)
{
    size_t i;

    if (err < 0)
        err = -err;
    for (i = 0; i < KIT_ARRAY_SIZE(errnames); i++)
        if (errnames[i].value == err)
            return errnames[i].name;
    return "E?";
}
