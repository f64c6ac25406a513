/* The domain builder (libxenguest): loads a PVH kernel into a domain.
 *
 * The sequence is Xen's:
 *     dom = xc_dom_allocate(xch, cmdline, NULL);
 *     xc_dom_kernel_file(dom, path);          (and modules, ramdisk)
 *     xc_dom_boot_xen_init(dom, xch, domid);
 *     xc_dom_parse_image(dom);                 refuses kernels without a PVH entry
 *     xc_dom_mem_init(dom, mem_mb);
 *     xc_dom_boot_mem_init(dom);               populates guest RAM
 *     xc_dom_build_image(dom);                 loads kernel, modules, start info
 *     xc_dom_boot_image(dom);                  HVM params, memory map, vCPU 0
 *     xc_dom_release(dom);
 * and the domain is left paused for the caller to unpause.  Errors: -1 with
 * errno, and a message in xc_get_last_error().
 */
#ifndef XENGUEST_H
#define XENGUEST_H

#include <stdbool.h>

#include "xenctrl.h"

#ifdef __cplusplus
extern "C" {
#endif

#define XC_DOM_MAX_MODULES 16
#define XC_DOM_MAX_E820 16

struct xc_dom_module {
    void *blob;
    size_t size;
    char *cmdline;
    uint64_t paddr;            /* where it was loaded */
};

struct xc_elf_info;

struct xc_dom_image {
    xc_interface *xch;
    uint32_t guest_domid;
    char *cmdline;

    void *kernel_blob;
    size_t kernel_size;
    unsigned int num_modules;
    struct xc_dom_module modules[XC_DOM_MAX_MODULES];

    /* Memory layout (xc_dom_mem_init). */
    uint64_t ram_bytes;
    uint64_t mmio_start;       /* start of the hole below 4 GiB (default 0xf0000000) */
    uint64_t lowmem_end;
    uint64_t highmem_end;      /* 0 when all RAM is below the hole */
    struct e820entry e820[XC_DOM_MAX_E820];
    unsigned int nr_e820;

    /* PV devices set up by the toolstack. */
    uint32_t console_evtchn;
    uint32_t xenstore_evtchn;
    uint32_t console_domid;
    uint32_t xenstore_domid;
    xen_pfn_t console_pfn;     /* set by the builder */
    xen_pfn_t xenstore_pfn;

    /* Results. */
    struct xc_elf_info *elf;
    uint64_t kernel_pstart, kernel_pend;
    uint32_t entry;            /* the PVH entry point */
    uint64_t start_info_paddr;
};

/* Fills the reserved grant entries (0: console, 1: xenstore) of a new
 * guest so that its backends in console_domid / xenstore_domid may map
 * those pages.  xc_dom_boot_image does this for the domains it builds. */
int xc_dom_gnttab_seed(xc_interface *xch, uint32_t guest_domid, bool is_hvm,
                       xen_pfn_t console_gfn, xen_pfn_t xenstore_gfn, uint32_t console_domid,
                       uint32_t xenstore_domid);

struct xc_dom_image *xc_dom_allocate(xc_interface *xch, const char *cmdline,
                                     const char *features);
void xc_dom_release(struct xc_dom_image *dom);

int xc_dom_kernel_file(struct xc_dom_image *dom, const char *filename);
int xc_dom_kernel_mem(struct xc_dom_image *dom, const void *mem, size_t memsize);
int xc_dom_module_file(struct xc_dom_image *dom, const char *filename, const char *cmdline);
int xc_dom_module_mem(struct xc_dom_image *dom, const void *mem, size_t memsize,
                      const char *cmdline);
int xc_dom_ramdisk_file(struct xc_dom_image *dom, const char *filename);

int xc_dom_boot_xen_init(struct xc_dom_image *dom, xc_interface *xch, uint32_t domid);
int xc_dom_parse_image(struct xc_dom_image *dom);
int xc_dom_mem_init(struct xc_dom_image *dom, unsigned int mem_mb);
int xc_dom_boot_mem_init(struct xc_dom_image *dom);
int xc_dom_build_image(struct xc_dom_image *dom);
int xc_dom_boot_image(struct xc_dom_image *dom);

#ifdef __cplusplus
}
#endif

#endif
