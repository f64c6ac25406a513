#include "config.h"

#include <elf.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <xen/elfnote.h>

#include "xc_dom_elf.h"

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* [off, off+len) lies within size, without overflow. */
static bool in_range(uint64_t off, uint64_t len, size_t size)
{
    return off <= size && len <= size - off;
}

static void note_str(char *dst, size_t dstlen, const uint8_t *desc, uint32_t len)
{
    size_t n = len < dstlen - 1 ? len : dstlen - 1;

    memcpy(dst, desc, n);
    dst[n] = '\0';
    dst[strnlen(dst, n)] = '\0';
}

/* Parses a block of notes; returns the number of Xen notes seen, or -1. */
static int parse_notes(const uint8_t *p, uint64_t len, struct xc_elf_info *info, char *err,
                       size_t errlen)
{
    uint64_t off = 0;
    int seen = 0;

    while (len - off >= 12) {
        uint32_t namesz, descsz, type;
        memcpy(&namesz, p + off, 4);
        memcpy(&descsz, p + off + 4, 4);
        memcpy(&type, p + off + 8, 4);
        off += 12;
        uint64_t name_al = ((uint64_t)namesz + 3) & ~3ULL;
        uint64_t desc_al = ((uint64_t)descsz + 3) & ~3ULL;
        if (name_al > len - off || desc_al > len - off - name_al)
            return fail(err, errlen, "ELF note runs past the end of its segment");
        const uint8_t *name = p + off;
        const uint8_t *desc = p + off + name_al;
        off += name_al + desc_al;
        if (namesz != 4 || memcmp(name, "Xen", 4) != 0)
            continue;
        seen++;
        switch (type) {
        case XEN_ELFNOTE_PHYS32_ENTRY:
            if (descsz != 4 && descsz != 8)
                return fail(err, errlen, "XEN_ELFNOTE_PHYS32_ENTRY has a %u-byte value", descsz);
            if (descsz == 8) {
                uint64_t v;
                memcpy(&v, desc, 8);
                if (v >> 32)
                    return fail(err, errlen, "XEN_ELFNOTE_PHYS32_ENTRY is above 4 GiB");
                info->phys32_entry = (uint32_t)v;
            } else {
                memcpy(&info->phys32_entry, desc, 4);
            }
            info->has_phys32_entry = true;
            break;
        case XEN_ELFNOTE_GUEST_OS:
            note_str(info->guest_os, sizeof(info->guest_os), desc, descsz);
            break;
        case XEN_ELFNOTE_GUEST_VERSION:
            note_str(info->guest_version, sizeof(info->guest_version), desc, descsz);
            break;
        case XEN_ELFNOTE_XEN_VERSION:
            note_str(info->xen_version, sizeof(info->xen_version), desc, descsz);
            break;
        case XEN_ELFNOTE_LOADER:
            note_str(info->loader, sizeof(info->loader), desc, descsz);
            break;
        case XEN_ELFNOTE_FEATURES:
            note_str(info->features, sizeof(info->features), desc, descsz);
            break;
        default:
            break;
        }
    }
    return seen;
}

struct hdr {
    int cls;
    uint16_t type, machine, phentsize, phnum, shentsize, shnum;
    uint64_t entry, phoff, shoff;
};

static int read_hdr(const uint8_t *img, size_t size, struct hdr *h, char *err, size_t errlen)
{
    if (size < EI_NIDENT || memcmp(img, ELFMAG, SELFMAG) != 0)
        return fail(err, errlen, "not an ELF image");
    if (img[EI_DATA] != ELFDATA2LSB)
        return fail(err, errlen, "ELF image is not little-endian");
    if (img[EI_VERSION] != EV_CURRENT)
        return fail(err, errlen, "unknown ELF version %u", img[EI_VERSION]);
    if (img[EI_CLASS] == ELFCLASS64) {
        Elf64_Ehdr e;
        if (size < sizeof(e))
            return fail(err, errlen, "ELF header is truncated");
        memcpy(&e, img, sizeof(e));
        *h = (struct hdr){ 64, e.e_type, e.e_machine, e.e_phentsize, e.e_phnum, e.e_shentsize,
                           e.e_shnum, e.e_entry, e.e_phoff, e.e_shoff };
        if (h->phnum && h->phentsize != sizeof(Elf64_Phdr))
            return fail(err, errlen, "bad program header size %u", h->phentsize);
        if (h->shnum && h->shentsize != sizeof(Elf64_Shdr))
            h->shnum = 0;           /* unusable section table: ignore it */
    } else if (img[EI_CLASS] == ELFCLASS32) {
        Elf32_Ehdr e;
        if (size < sizeof(e))
            return fail(err, errlen, "ELF header is truncated");
        memcpy(&e, img, sizeof(e));
        *h = (struct hdr){ 32, e.e_type, e.e_machine, e.e_phentsize, e.e_phnum, e.e_shentsize,
                           e.e_shnum, e.e_entry, e.e_phoff, e.e_shoff };
        if (h->phnum && h->phentsize != sizeof(Elf32_Phdr))
            return fail(err, errlen, "bad program header size %u", h->phentsize);
        if (h->shnum && h->shentsize != sizeof(Elf32_Shdr))
            h->shnum = 0;
    } else {
        return fail(err, errlen, "unknown ELF class %u", img[EI_CLASS]);
    }
    if (h->type != ET_EXEC && h->type != ET_DYN)
        return fail(err, errlen, "ELF image is not an executable (type %u)", h->type);
    if (h->machine != EM_X86_64 && h->machine != EM_386)
        return fail(err, errlen, "ELF image is not for x86 (machine %u)", h->machine);
    if (h->phnum == 0)
        return fail(err, errlen, "ELF image has no program headers");
    if (!in_range(h->phoff, (uint64_t)h->phnum * h->phentsize, size))
        return fail(err, errlen, "ELF program headers run past the end of the image");
    if (h->shnum && !in_range(h->shoff, (uint64_t)h->shnum * h->shentsize, size))
        h->shnum = 0;
    return 0;
}

static void phdr_at(const uint8_t *img, const struct hdr *h, unsigned i, uint32_t *type,
                    uint64_t *off, uint64_t *paddr, uint64_t *filesz, uint64_t *memsz)
{
    if (h->cls == 64) {
        Elf64_Phdr p;
        memcpy(&p, img + h->phoff + (uint64_t)i * sizeof(p), sizeof(p));
        *type = p.p_type; *off = p.p_offset; *paddr = p.p_paddr;
        *filesz = p.p_filesz; *memsz = p.p_memsz;
    } else {
        Elf32_Phdr p;
        memcpy(&p, img + h->phoff + (uint64_t)i * sizeof(p), sizeof(p));
        *type = p.p_type; *off = p.p_offset; *paddr = p.p_paddr;
        *filesz = p.p_filesz; *memsz = p.p_memsz;
    }
}

static void shdr_at(const uint8_t *img, const struct hdr *h, unsigned i, uint32_t *type,
                    uint64_t *off, uint64_t *size)
{
    if (h->cls == 64) {
        Elf64_Shdr s;
        memcpy(&s, img + h->shoff + (uint64_t)i * sizeof(s), sizeof(s));
        *type = s.sh_type; *off = s.sh_offset; *size = s.sh_size;
    } else {
        Elf32_Shdr s;
        memcpy(&s, img + h->shoff + (uint64_t)i * sizeof(s), sizeof(s));
        *type = s.sh_type; *off = s.sh_offset; *size = s.sh_size;
    }
}

int xc_elf_parse(const uint8_t *img, size_t size, struct xc_elf_info *info, char *err,
                 size_t errlen)
{
    struct hdr h = { 0 };
    int xen_notes = 0;

    memset(info, 0, sizeof(*info));
    if (read_hdr(img, size, &h, err, errlen) < 0)
        return -1;
    info->elf_class = h.cls;
    info->machine = h.machine;
    info->entry = h.entry;
    info->pstart = UINT64_MAX;

    for (unsigned i = 0; i < h.phnum; i++) {
        uint32_t type;
        uint64_t off, paddr, filesz, memsz;
        phdr_at(img, &h, i, &type, &off, &paddr, &filesz, &memsz);
        if (type == PT_LOAD) {
            if (memsz == 0)
                continue;
            if (info->nr_segs == XC_ELF_MAX_SEGS)
                return fail(err, errlen, "ELF image has more than %d loadable segments",
                            XC_ELF_MAX_SEGS);
            if (filesz > memsz)
                return fail(err, errlen, "ELF segment %u has a file size above its memory size", i);
            if (!in_range(off, filesz, size))
                return fail(err, errlen, "ELF segment %u runs past the end of the image", i);
            if (paddr + memsz < paddr || paddr + memsz > (1ULL << 40))
                return fail(err, errlen, "ELF segment %u has an impossible physical address", i);
            info->segs[info->nr_segs++] = (struct xc_elf_seg){ paddr, filesz, memsz, off };
            if (paddr < info->pstart)
                info->pstart = paddr;
            if (paddr + memsz > info->pend)
                info->pend = paddr + memsz;
        } else if (type == PT_NOTE) {
            if (!in_range(off, filesz, size))
                return fail(err, errlen, "ELF note segment %u runs past the end of the image", i);
            int n = parse_notes(img + off, filesz, info, err, errlen);
            if (n < 0)
                return -1;
            xen_notes += n;
        }
    }
    if (info->nr_segs == 0)
        return fail(err, errlen, "ELF image has no loadable segments");
    if (xen_notes) {
        info->notes_from = XC_ELF_NOTES_PHDR;
    } else {
        /* No Xen notes in program headers: look for SHT_NOTE sections. */
        for (unsigned i = 0; i < h.shnum; i++) {
            uint32_t type;
            uint64_t off, sz;
            shdr_at(img, &h, i, &type, &off, &sz);
            if (type != SHT_NOTE)
                continue;
            if (!in_range(off, sz, size))
                return fail(err, errlen, "ELF note section %u runs past the end of the image", i);
            int n = parse_notes(img + off, sz, info, err, errlen);
            if (n < 0)
                return -1;
            xen_notes += n;
        }
        if (xen_notes)
            info->notes_from = XC_ELF_NOTES_SHDR;
    }
    if (!info->has_phys32_entry)
        return fail(err, errlen,
                    "kernel has no PVH entry point: the XEN_ELFNOTE_PHYS32_ENTRY note is "
                    "missing, so it cannot boot as a PVH guest");
    return 0;
}
