/* ELF kernel images for the domain builder (pure; unit tested). */
#ifndef XC_DOM_ELF_H
#define XC_DOM_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XC_ELF_MAX_SEGS 16

struct xc_elf_seg {
    uint64_t paddr;
    uint64_t filesz;
    uint64_t memsz;
    uint64_t offset;
};

enum xc_elf_notes_from { XC_ELF_NOTES_NONE = 0, XC_ELF_NOTES_PHDR, XC_ELF_NOTES_SHDR };

struct xc_elf_info {
    int elf_class;                   /* 32 or 64 */
    uint16_t machine;
    uint64_t entry;                  /* e_entry */
    unsigned int nr_segs;
    struct xc_elf_seg segs[XC_ELF_MAX_SEGS];
    uint64_t pstart, pend;           /* physical range of the PT_LOAD segments */
    enum xc_elf_notes_from notes_from;
    bool has_phys32_entry;
    uint32_t phys32_entry;
    char guest_os[64];
    char guest_version[64];
    char xen_version[64];
    char loader[64];
    char features[256];
};

/* Parses and checks an ELF image.  Returns 0, or -1 with a message in err
 * (which names what is wrong, e.g. a missing PVH entry note).  Every
 * offset and size is checked against `size` before it is used. */
int xc_elf_parse(const uint8_t *img, size_t size, struct xc_elf_info *info, char *err,
                 size_t errlen);

#endif
