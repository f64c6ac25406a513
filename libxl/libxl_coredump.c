/* libxl_coredump.c -- an ELF core file of a domain (`xl dump-core`, the
 * coredump-* actions).
 *
 *   ELF header (ET_CORE, x86-64)
 *   program headers: PT_NOTE, then one PT_LOAD per run of populated
 *                    guest-physical pages (vaddr = paddr = the gfn's
 *                    address, filesz = memsz)
 *   notes: per vCPU an NT_PRSTATUS ("CORE"; pr_pid = vCPU + 1, the general
 *          registers in struct user_regs_struct order) and an
 *          XENKVM_NOTE_HVM_CPU ("XENKVM"; the whole struct hvm_hw_cpu of
 *          HVM_SAVE_CODE(CPU): control registers, segments, MSRs)
 *   page-aligned memory
 *
 * The populated pages are found by mapping the gfns of the domain's memory
 * map (every gfn up to its highest when it has none) in batches
 * (xc_map_foreign_bulk reports each page); the memory is read the same
 * way.  The domain is not paused: a running guest's pages
 * may change while they are copied, as with Xen's dump-core.
 */
#include "config.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/procfs.h>
#include <sys/user.h>
#include <unistd.h>

#include "libxl_life.h"
#include "util.h"

#define BATCH 4096                   /* gfns per mapping */
#define XENKVM_NOTE_HVM_CPU 0x584b0001u

struct run {
    uint64_t gfn, nr;
};

struct dump {
    libxl_ctx *ctx;
    xc_interface *xch;
    uint32_t domid;
    int fd;
    struct run *runs;
    size_t nr_runs, cap_runs;
};

static void add_page(struct dump *d, uint64_t gfn)
{
    if (d->nr_runs && d->runs[d->nr_runs - 1].gfn + d->runs[d->nr_runs - 1].nr == gfn) {
        d->runs[d->nr_runs - 1].nr++;
        return;
    }
    if (d->nr_runs == d->cap_runs) {
        d->cap_runs = d->cap_runs ? d->cap_runs * 2 : 16;
        d->runs = libxl__realloc(d->runs, d->cap_runs * sizeof(*d->runs));
    }
    d->runs[d->nr_runs++] = (struct run){ gfn, 1 };
}

/* Probes gfns [first, last] for populated pages. */
static int find_pages_in(struct dump *d, uint64_t first, uint64_t last)
{
    xen_pfn_t *gfns = libxl__malloc(BATCH * sizeof(*gfns));
    int *err = libxl__malloc(BATCH * sizeof(*err));
    int rc = 0;

    for (uint64_t base = first; base <= last; base += BATCH) {
        unsigned int n = (unsigned int)XK_MIN((uint64_t)BATCH, last - base + 1);
        void *m;

        for (unsigned int i = 0; i < n; i++)
            gfns[i] = base + i;
        m = xc_map_foreign_bulk(d->xch, d->domid, PROT_READ, gfns, err, n);
        if (!m) {
            libxl__log(d->ctx, LIBXL_LOG_ERROR, errno, d->domid, "cannot map guest memory");
            rc = ERROR_FAIL;
            break;
        }
        munmap(m, (size_t)n * XC_PAGE_SIZE);
        for (unsigned int i = 0; i < n; i++)
            if (err[i] == 0)
                add_page(d, base + i);
    }
    free(gfns);
    free(err);
    return rc;
}

/* The populated pages: those of the ranges of the domain's memory map (a
 * balloon leaves holes in them), or of every gfn up to the highest when it
 * has no map. */
static int find_pages(struct dump *d, uint64_t max_gfn)
{
    struct e820entry map[E820MAX];
    int n = xc_domain_get_memory_map(d->xch, d->domid, map, E820MAX);
    uint64_t next = 0;          /* ranges are probed once, in order */
    int rc = 0;

    if (n <= 0)
        return find_pages_in(d, 0, max_gfn);
    for (int pass = 0; pass < n && !rc; pass++) {
        /* the lowest range not yet probed */
        int best = -1;
        for (int i = 0; i < n; i++) {
            uint64_t end = (map[i].addr + map[i].size + XC_PAGE_SIZE - 1) >> XC_PAGE_SHIFT;
            if (end > next && (best < 0 || map[i].addr < map[best].addr))
                best = i;
        }
        if (best < 0)
            break;
        uint64_t first = map[best].addr >> XC_PAGE_SHIFT;
        uint64_t end = (map[best].addr + map[best].size + XC_PAGE_SIZE - 1) >> XC_PAGE_SHIFT;
        if (first < next)
            first = next;
        if (end > max_gfn + 1)
            end = max_gfn + 1;
        if (first < end)
            rc = find_pages_in(d, first, end - 1);
        next = end > next ? end : next;
        if (next > max_gfn)
            break;
    }
    return rc;
}

static size_t note_size(size_t namesz, size_t descsz)
{
    return sizeof(Elf64_Nhdr) + ((namesz + 3) & ~3UL) + ((descsz + 3) & ~3UL);
}

static uint8_t *put_note(uint8_t *p, const char *name, uint32_t type, const void *desc,
                         size_t descsz)
{
    Elf64_Nhdr h = { .n_namesz = (Elf64_Word)(strlen(name) + 1),
                     .n_descsz = (Elf64_Word)descsz, .n_type = type };

    memcpy(p, &h, sizeof(h));
    p += sizeof(h);
    memset(p, 0, (h.n_namesz + 3) & ~3U);
    memcpy(p, name, h.n_namesz);
    p += (h.n_namesz + 3) & ~3U;
    memset(p, 0, (descsz + 3) & ~3UL);
    memcpy(p, desc, descsz);
    return p + ((descsz + 3) & ~3UL);
}

static void regs_from_cpu(struct user_regs_struct *r, const struct hvm_hw_cpu *c)
{
    memset(r, 0, sizeof(*r));
    r->r15 = c->r15; r->r14 = c->r14; r->r13 = c->r13; r->r12 = c->r12;
    r->rbp = c->rbp; r->rbx = c->rbx; r->r11 = c->r11; r->r10 = c->r10;
    r->r9 = c->r9; r->r8 = c->r8; r->rax = c->rax; r->rcx = c->rcx;
    r->rdx = c->rdx; r->rsi = c->rsi; r->rdi = c->rdi; r->orig_rax = ~0ULL;
    r->rip = c->rip; r->cs = c->cs_sel; r->eflags = c->rflags; r->rsp = c->rsp;
    r->ss = c->ss_sel; r->fs_base = c->fs_base; r->gs_base = c->gs_base;
    r->ds = c->ds_sel; r->es = c->es_sel; r->fs = c->fs_sel; r->gs = c->gs_sel;
}

/* The notes of every vCPU (malloc'd, *len bytes). */
static uint8_t *make_notes(struct dump *d, unsigned int nr_vcpus, size_t *len)
{
    size_t one = note_size(5, sizeof(struct elf_prstatus)) +
                 note_size(7, sizeof(struct hvm_hw_cpu));
    uint8_t *buf = libxl__calloc(nr_vcpus ? nr_vcpus : 1, one), *p = buf;

    for (unsigned int i = 0; i < nr_vcpus; i++) {
        struct hvm_hw_cpu cpu;
        struct elf_prstatus ps;
        struct user_regs_struct regs;

        if (xc_domain_hvm_getcontext_partial(d->xch, d->domid, HVM_SAVE_CODE(CPU), (uint16_t)i,
                                             &cpu, sizeof(cpu)) < 0) {
            libxl__log(d->ctx, LIBXL_LOG_WARN, errno, d->domid,
                       "cannot read vCPU %u's registers; the core has no notes for it", i);
            continue;
        }
        memset(&ps, 0, sizeof(ps));
        ps.pr_pid = (pid_t)i + 1;
        regs_from_cpu(&regs, &cpu);
        memcpy(&ps.pr_reg, &regs, XK_MIN(sizeof(ps.pr_reg), sizeof(regs)));
        p = put_note(p, "CORE", NT_PRSTATUS, &ps, sizeof(ps));
        p = put_note(p, "XENKVM", XENKVM_NOTE_HVM_CPU, &cpu, sizeof(cpu));
    }
    *len = (size_t)(p - buf);
    return buf;
}

static int write_at(struct dump *d, const void *buf, size_t len, off_t off)
{
    const uint8_t *b = buf;

    while (len) {
        ssize_t n = pwrite(d->fd, b, len, off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            libxl__log(d->ctx, LIBXL_LOG_ERROR, errno, d->domid, "cannot write the core file");
            return ERROR_FAIL;
        }
        b += n;
        len -= (size_t)n;
        off += n;
    }
    return 0;
}

static int write_memory(struct dump *d, off_t off)
{
    xen_pfn_t *gfns = libxl__malloc(BATCH * sizeof(*gfns));
    int *err = libxl__malloc(BATCH * sizeof(*err));
    int rc = 0;

    for (size_t r = 0; r < d->nr_runs && !rc; r++) {
        for (uint64_t done = 0; done < d->runs[r].nr && !rc;) {
            unsigned int n = (unsigned int)XK_MIN((uint64_t)BATCH, d->runs[r].nr - done);
            uint8_t *m;

            for (unsigned int i = 0; i < n; i++)
                gfns[i] = d->runs[r].gfn + done + i;
            m = xc_map_foreign_bulk(d->xch, d->domid, PROT_READ, gfns, err, n);
            if (!m) {
                libxl__log(d->ctx, LIBXL_LOG_ERROR, errno, d->domid, "cannot map guest memory");
                rc = ERROR_FAIL;
                break;
            }
            for (unsigned int i = 0; i < n && !rc; i++) {
                /* A page the guest gave back meanwhile reads as zeros. */
                static const uint8_t zero[XC_PAGE_SIZE];
                rc = write_at(d, err[i] ? zero : m + (size_t)i * XC_PAGE_SIZE, XC_PAGE_SIZE,
                              off);
                off += XC_PAGE_SIZE;
            }
            munmap(m, (size_t)n * XC_PAGE_SIZE);
            done += n;
        }
    }
    free(gfns);
    free(err);
    return rc;
}

int libxl_domain_core_dump(libxl_ctx *ctx, uint32_t domid, const char *filename,
                           const libxl_asyncop_how *ao_how)
{
    struct dump d = { .ctx = ctx, .xch = libxl__xch(ctx), .domid = domid, .fd = -1 };
    libxl_dominfo info;
    xen_pfn_t max_gfn;
    uint8_t *notes = NULL;
    size_t notes_len, hdrs_len;
    Elf64_Ehdr eh;
    Elf64_Phdr *ph = NULL;
    off_t data_off;
    int rc;

    (void)ao_how;
    if (!d.xch)
        return ERROR_FAIL;
    if (domid == 0) {
        LOG(ERROR, "Domain-0 is the host: use the host's tools to dump it");
        return ERROR_INVAL;
    }
    rc = libxl_domain_info(ctx, &info, domid);
    if (rc)
        return rc;
    unsigned int nr_vcpus = info.vcpu_max_id + 1;
    libxl_dominfo_dispose(&info);
    if (xc_domain_maximum_gpfn(d.xch, domid, &max_gfn) < 0) {
        LOGED(ERROR, domid, "cannot get the domain's highest guest frame");
        return ERROR_FAIL;
    }
    rc = find_pages(&d, max_gfn);
    if (rc)
        goto out;
    notes = make_notes(&d, nr_vcpus, &notes_len);

    d.fd = open(filename, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (d.fd < 0) {
        LOGED(ERROR, domid, "cannot create %s", filename);
        rc = ERROR_FAIL;
        goto out;
    }
    hdrs_len = sizeof(eh) + (1 + d.nr_runs) * sizeof(Elf64_Phdr);
    data_off = (off_t)((hdrs_len + notes_len + XC_PAGE_SIZE - 1) & ~(XC_PAGE_SIZE - 1));

    memset(&eh, 0, sizeof(eh));
    memcpy(eh.e_ident, ELFMAG, SELFMAG);
    eh.e_ident[EI_CLASS] = ELFCLASS64;
    eh.e_ident[EI_DATA] = ELFDATA2LSB;
    eh.e_ident[EI_VERSION] = EV_CURRENT;
    eh.e_ident[EI_OSABI] = ELFOSABI_SYSV;
    eh.e_type = ET_CORE;
    eh.e_machine = EM_X86_64;
    eh.e_version = EV_CURRENT;
    eh.e_phoff = sizeof(eh);
    eh.e_ehsize = sizeof(eh);
    eh.e_phentsize = sizeof(Elf64_Phdr);
    eh.e_phnum = (Elf64_Half)XK_MIN(1 + d.nr_runs, (size_t)PN_XNUM - 1);
    if (1 + d.nr_runs >= PN_XNUM) {
        LOGD(ERROR, domid, "guest memory is in too many pieces (%zu) for an ELF core",
             d.nr_runs);
        rc = ERROR_FAIL;
        goto out;
    }

    ph = libxl__calloc(1 + d.nr_runs, sizeof(*ph));
    ph[0] = (Elf64_Phdr){ .p_type = PT_NOTE, .p_offset = hdrs_len, .p_filesz = notes_len,
                          .p_align = 4 };
    {
        off_t off = data_off;
        for (size_t i = 0; i < d.nr_runs; i++) {
            uint64_t addr = d.runs[i].gfn << XC_PAGE_SHIFT, len = d.runs[i].nr << XC_PAGE_SHIFT;
            ph[1 + i] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_W | PF_X,
                                      .p_offset = (Elf64_Off)off, .p_vaddr = addr,
                                      .p_paddr = addr, .p_filesz = len, .p_memsz = len,
                                      .p_align = XC_PAGE_SIZE };
            off += (off_t)len;
        }
    }
    rc = write_at(&d, &eh, sizeof(eh), 0);
    if (!rc)
        rc = write_at(&d, ph, (1 + d.nr_runs) * sizeof(*ph), sizeof(eh));
    if (!rc)
        rc = write_at(&d, notes, notes_len, (off_t)hdrs_len);
    if (!rc)
        rc = write_memory(&d, data_off);
    if (!rc && fsync(d.fd) < 0 && errno != EINVAL) {
        LOGED(ERROR, domid, "cannot write %s", filename);
        rc = ERROR_FAIL;
    }
out:
    if (d.fd >= 0) {
        close(d.fd);
        if (rc)
            unlink(filename);
    }
    free(ph);
    free(notes);
    free(d.runs);
    return rc;
}
