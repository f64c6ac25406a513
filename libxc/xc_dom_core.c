/* The PVH domain builder. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xc_private.h"
#include "util.h"
#include "xenguest.h"
#include "xc_dom_elf.h"
#include "xc_dom_pvh.h"

#define MAX_IMAGE_SIZE (1ULL << 30)
#define PAGE_ROUND_UP(x) (((x) + XC_PAGE_SIZE - 1) & ~(uint64_t)(XC_PAGE_SIZE - 1))

struct xc_dom_image *xc_dom_allocate(xc_interface *xch, const char *cmdline,
                                     const char *features)
{
    struct xc_dom_image *dom = calloc(1, sizeof(*dom));

    (void)features;
    if (!dom)
        return NULL;
    dom->xch = xch;
    dom->guest_domid = DOMID_INVALID;
    dom->console_domid = 0;
    dom->xenstore_domid = 0;
    dom->mmio_start = XC_PVH_MMIO_START;
    if (cmdline && !(dom->cmdline = strdup(cmdline))) {
        free(dom);
        return NULL;
    }
    return dom;
}

void xc_dom_release(struct xc_dom_image *dom)
{
    if (!dom)
        return;
    free(dom->kernel_blob);
    for (unsigned int i = 0; i < dom->num_modules; i++) {
        free(dom->modules[i].blob);
        free(dom->modules[i].cmdline);
    }
    free(dom->cmdline);
    free(dom->elf);
    free(dom);
}

static int read_file(struct xc_dom_image *dom, const char *filename, void **blob, size_t *size)
{
    struct stat st;
    int fd = open(filename, O_RDONLY | O_CLOEXEC);
    uint8_t *buf = NULL;
    int saved;

    if (fd < 0) {
        saved = errno;
        xc_set_error(dom->xch, XC_INVALID_KERNEL, "cannot open %s: %s", filename, strerror(saved));
        errno = saved;
        return -1;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        xc_set_error(dom->xch, XC_INVALID_KERNEL, "%s is not a regular file", filename);
        close(fd);
        errno = EINVAL;
        return -1;
    }
    if ((uint64_t)st.st_size > MAX_IMAGE_SIZE || st.st_size == 0) {
        xc_set_error(dom->xch, XC_INVALID_KERNEL, "%s: size %lld is out of range", filename,
                     (long long)st.st_size);
        close(fd);
        errno = EFBIG;
        return -1;
    }
    buf = malloc((size_t)st.st_size);
    if (!buf || xk_read_full(fd, buf, (size_t)st.st_size) != st.st_size) {
        saved = buf ? EIO : ENOMEM;
        xc_set_error(dom->xch, XC_INTERNAL_ERROR, "cannot read %s", filename);
        free(buf);
        close(fd);
        errno = saved;
        return -1;
    }
    close(fd);
    *blob = buf;
    *size = (size_t)st.st_size;
    return 0;
}

int xc_dom_kernel_file(struct xc_dom_image *dom, const char *filename)
{
    free(dom->kernel_blob);
    dom->kernel_blob = NULL;
    return read_file(dom, filename, &dom->kernel_blob, &dom->kernel_size);
}

int xc_dom_kernel_mem(struct xc_dom_image *dom, const void *mem, size_t memsize)
{
    void *copy = malloc(memsize ? memsize : 1);

    if (!copy)
        return -1;
    memcpy(copy, mem, memsize);
    free(dom->kernel_blob);
    dom->kernel_blob = copy;
    dom->kernel_size = memsize;
    return 0;
}

static int add_module(struct xc_dom_image *dom, void *blob, size_t size, const char *cmdline)
{
    struct xc_dom_module *m;

    if (dom->num_modules == XC_DOM_MAX_MODULES) {
        xc_set_error(dom->xch, XC_INVALID_PARAM, "too many modules (at most %d)",
                     XC_DOM_MAX_MODULES);
        free(blob);
        errno = E2BIG;
        return -1;
    }
    m = &dom->modules[dom->num_modules];
    memset(m, 0, sizeof(*m));
    if (cmdline && !(m->cmdline = strdup(cmdline))) {
        free(blob);
        return -1;
    }
    m->blob = blob;
    m->size = size;
    dom->num_modules++;
    return 0;
}

int xc_dom_module_file(struct xc_dom_image *dom, const char *filename, const char *cmdline)
{
    void *blob;
    size_t size;

    if (read_file(dom, filename, &blob, &size) < 0)
        return -1;
    return add_module(dom, blob, size, cmdline);
}

int xc_dom_module_mem(struct xc_dom_image *dom, const void *mem, size_t memsize,
                      const char *cmdline)
{
    void *copy = malloc(memsize ? memsize : 1);

    if (!copy)
        return -1;
    memcpy(copy, mem, memsize);
    return add_module(dom, copy, memsize, cmdline);
}

int xc_dom_ramdisk_file(struct xc_dom_image *dom, const char *filename)
{
    return xc_dom_module_file(dom, filename, NULL);
}

int xc_dom_boot_xen_init(struct xc_dom_image *dom, xc_interface *xch, uint32_t domid)
{
    dom->xch = xch;
    dom->guest_domid = domid;
    return 0;
}

int xc_dom_parse_image(struct xc_dom_image *dom)
{
    char err[256];

    if (!dom->kernel_blob) {
        xc_set_error(dom->xch, XC_INVALID_KERNEL, "no kernel given");
        errno = EINVAL;
        return -1;
    }
    free(dom->elf);
    dom->elf = calloc(1, sizeof(*dom->elf));
    if (!dom->elf)
        return -1;
    if (xc_elf_parse(dom->kernel_blob, dom->kernel_size, dom->elf, err, sizeof(err)) < 0) {
        xc_set_error(dom->xch, XC_INVALID_KERNEL, "%s", err);
        errno = ENOEXEC;
        return -1;
    }
    dom->kernel_pstart = dom->elf->pstart;
    dom->kernel_pend = dom->elf->pend;
    dom->entry = dom->elf->phys32_entry;
    return 0;
}

int xc_dom_mem_init(struct xc_dom_image *dom, unsigned int mem_mb)
{
    if (mem_mb < 2) {
        xc_set_error(dom->xch, XC_INVALID_PARAM, "%u MiB is too little memory for a guest",
                     mem_mb);
        errno = EINVAL;
        return -1;
    }
    dom->ram_bytes = (uint64_t)mem_mb << 20;
    dom->nr_e820 = xc_pvh_memory_map(dom->ram_bytes, dom->mmio_start, dom->e820,
                                     &dom->lowmem_end, &dom->highmem_end);
    return 0;
}

/* Populates [start, end) with 2 MiB extents where aligned, 4 KiB ones
 * elsewhere. */
static int populate_range(struct xc_dom_image *dom, uint64_t start, uint64_t end)
{
    uint64_t s = start >> XC_PAGE_SHIFT, e = end >> XC_PAGE_SHIFT;
    uint64_t big_s = (s + 511) & ~511ULL, big_e = e & ~511ULL;
    xen_pfn_t *list;
    unsigned long n;
    int rc = 0;

    if (big_s >= big_e)
        big_s = big_e = e;
    list = malloc(sizeof(*list) * (size_t)((e - s) > 512 ? (e - s) / 512 + 1024 : e - s + 1));
    if (!list)
        return -1;
    /* 4 KiB head and tail, then the 2 MiB body. */
    n = 0;
    for (uint64_t p = s; p < big_s; p++)
        list[n++] = p;
    for (uint64_t p = big_e; p < e; p++)
        list[n++] = p;
    if (n)
        rc = xc_domain_populate_physmap_exact(dom->xch, dom->guest_domid, n, 0, 0, list);
    if (rc == 0 && big_e > big_s) {
        n = 0;
        for (uint64_t p = big_s; p < big_e; p += 512)
            list[n++] = p;
        rc = xc_domain_populate_physmap_exact(dom->xch, dom->guest_domid, n, 9, 0, list);
    }
    free(list);
    return rc;
}

int xc_dom_boot_mem_init(struct xc_dom_image *dom)
{
    xen_pfn_t special[XC_PVH_NR_SPECIAL];

    if (!dom->ram_bytes) {
        xc_set_error(dom->xch, XC_INVALID_PARAM, "xc_dom_mem_init was not called");
        errno = EINVAL;
        return -1;
    }
    if (populate_range(dom, 0, dom->lowmem_end) < 0)
        goto fail;
    if (dom->highmem_end && populate_range(dom, 1ULL << 32, dom->highmem_end) < 0)
        goto fail;
    for (unsigned int i = 0; i < XC_PVH_NR_SPECIAL; i++)
        special[i] = XC_PVH_SPECIAL_PFN_BASE + i;
    if (xc_domain_populate_physmap_exact(dom->xch, dom->guest_domid, XC_PVH_NR_SPECIAL, 0, 0,
                                         special) < 0)
        goto fail;
    dom->xenstore_pfn = XC_PVH_XENSTORE_PFN;
    dom->console_pfn = XC_PVH_CONSOLE_PFN;
    return 0;

fail:
    if (xc_get_last_error(dom->xch)->code == XC_ERROR_NONE)
        xc_set_error(dom->xch, XC_OUT_OF_MEMORY, "cannot allocate %llu MiB for domain %u: %s",
                     (unsigned long long)(dom->ram_bytes >> 20), dom->guest_domid,
                     strerror(errno));
    return -1;
}

int xc_dom_build_image(struct xc_dom_image *dom)
{
    struct xc_pvh_module mods[XC_DOM_MAX_MODULES];
    const struct xc_elf_info *elf = dom->elf;
    uint64_t base, top, si_gpa;
    size_t si_size;
    uint8_t *map;

    if (!elf) {
        xc_set_error(dom->xch, XC_INVALID_PARAM, "xc_dom_parse_image was not called");
        errno = EINVAL;
        return -1;
    }
    base = elf->pstart & ~(uint64_t)(XC_PAGE_SIZE - 1);
    top = PAGE_ROUND_UP(elf->pend);
    for (unsigned int i = 0; i < dom->num_modules; i++) {
        mods[i] = (struct xc_pvh_module){ .paddr = top, .size = dom->modules[i].size,
                                          .cmdline = dom->modules[i].cmdline };
        dom->modules[i].paddr = top;
        top = PAGE_ROUND_UP(top + dom->modules[i].size);
    }
    si_gpa = top;
    si_size = xc_pvh_start_info_size(dom->cmdline, mods, dom->num_modules, dom->nr_e820);
    top = PAGE_ROUND_UP(top + si_size);
    if (top > dom->lowmem_end) {
        xc_set_error(dom->xch, XC_INVALID_KERNEL,
                     "kernel and modules need memory up to %#llx but the guest has RAM only "
                     "up to %#llx", (unsigned long long)top,
                     (unsigned long long)dom->lowmem_end);
        errno = ENOMEM;
        return -1;
    }

    map = xc_map_foreign_range(dom->xch, dom->guest_domid, (int)(top - base),
                               PROT_READ | PROT_WRITE, (unsigned long)(base >> XC_PAGE_SHIFT));
    if (!map) {
        xc_set_error(dom->xch, XC_INTERNAL_ERROR, "cannot map domain %u's memory: %s",
                     dom->guest_domid, strerror(errno));
        return -1;
    }
    for (unsigned int i = 0; i < elf->nr_segs; i++) {
        const struct xc_elf_seg *s = &elf->segs[i];
        uint8_t *dst = map + (s->paddr - base);
        memcpy(dst, (uint8_t *)dom->kernel_blob + s->offset, s->filesz);
        memset(dst + s->filesz, 0, s->memsz - s->filesz);
    }
    for (unsigned int i = 0; i < dom->num_modules; i++)
        memcpy(map + (dom->modules[i].paddr - base), dom->modules[i].blob, dom->modules[i].size);
    if (!xc_pvh_start_info(map + (si_gpa - base), si_size, si_gpa, dom->cmdline, mods,
                           dom->num_modules, dom->e820, dom->nr_e820)) {
        munmap(map, top - base);
        errno = EINVAL;
        return -1;
    }
    munmap(map, top - base);
    dom->start_info_paddr = si_gpa;
    return 0;
}

/* The PVH entry state (Xen's misc/pvh.txt): 32-bit flat protected mode,
 * paging off, ebx = start info. */
static void pvh_cpu(const struct xc_dom_image *dom, struct hvm_hw_cpu *c)
{
    memset(c, 0, sizeof(*c));
    c->rip = dom->entry;
    c->rbx = dom->start_info_paddr;
    c->rflags = 0x2;
    c->cr0 = 0x11;                        /* PE | ET */
    c->dr6 = 0xffff0ff0;
    c->dr7 = 0x400;
    c->cs_sel = 0x08;
    c->cs_limit = 0xffffffff;
    c->cs_arbytes = 0xc9b;                /* 32-bit code, execute/read, accessed */
    c->ds_sel = c->es_sel = c->fs_sel = c->gs_sel = c->ss_sel = 0x10;
    c->ds_limit = c->es_limit = c->fs_limit = c->gs_limit = c->ss_limit = 0xffffffff;
    c->ds_arbytes = c->es_arbytes = c->fs_arbytes = c->gs_arbytes = c->ss_arbytes = 0xc93;
    c->tr_sel = 0x18;
    c->tr_limit = 0x67;
    c->tr_arbytes = 0x8b;                 /* 32-bit TSS, busy */
}

int xc_dom_boot_image(struct xc_dom_image *dom)
{
    xc_interface *xch = dom->xch;
    uint32_t d = dom->guest_domid;
    struct hvm_save_descriptor cpu_desc = {
        .typecode = 2, .instance = 0, .length = sizeof(struct hvm_hw_cpu),   /* CPU */
    };
    struct hvm_save_descriptor end_desc = { .typecode = 0 };                  /* END */
    struct hvm_hw_cpu cpu;
    uint8_t ctx[sizeof(cpu_desc) + sizeof(cpu) + sizeof(end_desc)];

    if (xc_hvm_param_set(xch, d, HVM_PARAM_STORE_PFN, dom->xenstore_pfn) < 0 ||
        xc_hvm_param_set(xch, d, HVM_PARAM_CONSOLE_PFN, dom->console_pfn) < 0 ||
        xc_hvm_param_set(xch, d, HVM_PARAM_STORE_EVTCHN, dom->xenstore_evtchn) < 0 ||
        xc_hvm_param_set(xch, d, HVM_PARAM_CONSOLE_EVTCHN, dom->console_evtchn) < 0) {
        xc_set_error(xch, XC_INTERNAL_ERROR, "cannot set HVM parameters of domain %u: %s", d,
                     strerror(errno));
        return -1;
    }
    if (xc_dom_gnttab_seed(xch, d, true, dom->console_pfn, dom->xenstore_pfn, dom->console_domid,
                           dom->xenstore_domid) < 0) {
        xc_set_error(xch, XC_INTERNAL_ERROR, "cannot seed the grant table of domain %u: %s", d,
                     strerror(errno));
        return -1;
    }
    if (xc_domain_set_memory_map(xch, d, dom->e820, dom->nr_e820) < 0) {
        xc_set_error(xch, XC_INTERNAL_ERROR, "cannot set the memory map of domain %u: %s", d,
                     strerror(errno));
        return -1;
    }
    pvh_cpu(dom, &cpu);
    memcpy(ctx, &cpu_desc, sizeof(cpu_desc));
    memcpy(ctx + sizeof(cpu_desc), &cpu, sizeof(cpu));
    memcpy(ctx + sizeof(cpu_desc) + sizeof(cpu), &end_desc, sizeof(end_desc));
    if (xc_domain_hvm_setcontext(xch, d, ctx, sizeof(ctx)) < 0) {
        xc_set_error(xch, XC_INTERNAL_ERROR, "cannot set vCPU 0 of domain %u: %s", d,
                     strerror(errno));
        return -1;
    }
    return 0;
}
