/* ELF and Xen-note parsing: images built here, pass and fail cases. */
#include "config.h"

#include <elf.h>
#include <glib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <xen/elfnote.h>

#include "xc_dom_elf.h"

enum notes_at { NOTES_NONE, NOTES_PHDR, NOTES_SHDR };

struct img {
    uint8_t buf[4096];
    size_t size;
};

/* A note blob: "Xen" PHYS32_ENTRY (and a GUEST_OS string). */
static size_t make_notes(uint8_t *p, uint32_t entry, bool with_entry)
{
    size_t off = 0;
    uint32_t h[3];

    h[0] = 4; h[1] = 8; h[2] = XEN_ELFNOTE_GUEST_OS;
    memcpy(p + off, h, 12); off += 12;
    memcpy(p + off, "Xen", 4); off += 4;
    memcpy(p + off, "testos\0\0", 8); off += 8;
    if (with_entry) {
        h[0] = 4; h[1] = 4; h[2] = XEN_ELFNOTE_PHYS32_ENTRY;
        memcpy(p + off, h, 12); off += 12;
        memcpy(p + off, "Xen", 4); off += 4;
        memcpy(p + off, &entry, 4); off += 4;
    }
    return off;
}

/* ELF64: header, 2 program headers (LOAD, NOTE), load data at 0x200,
 * notes at 0x400, optional section headers at 0x600 (null + note). */
static void make64(struct img *im, enum notes_at at, bool with_entry)
{
    Elf64_Ehdr eh = { 0 };
    Elf64_Phdr ph[2] = { { 0 } };
    size_t nsz;

    memset(im, 0, sizeof(*im));
    memcpy(eh.e_ident, ELFMAG, SELFMAG);
    eh.e_ident[EI_CLASS] = ELFCLASS64;
    eh.e_ident[EI_DATA] = ELFDATA2LSB;
    eh.e_ident[EI_VERSION] = EV_CURRENT;
    eh.e_type = ET_EXEC;
    eh.e_machine = EM_X86_64;
    eh.e_version = EV_CURRENT;
    eh.e_entry = 0x100000;
    eh.e_phoff = sizeof(eh);
    eh.e_phentsize = sizeof(Elf64_Phdr);
    eh.e_phnum = at == NOTES_PHDR ? 2 : 1;
    eh.e_ehsize = sizeof(eh);
    ph[0].p_type = PT_LOAD;
    ph[0].p_offset = 0x200;
    ph[0].p_paddr = ph[0].p_vaddr = 0x100000;
    ph[0].p_filesz = 0x100;
    ph[0].p_memsz = 0x2000;
    nsz = make_notes(im->buf + 0x400, 0x100040, with_entry);
    ph[1].p_type = PT_NOTE;
    ph[1].p_offset = 0x400;
    ph[1].p_filesz = nsz;
    if (at == NOTES_SHDR) {
        Elf64_Shdr sh[2] = { { 0 } };
        sh[1].sh_type = SHT_NOTE;
        sh[1].sh_offset = 0x400;
        sh[1].sh_size = nsz;
        eh.e_shoff = 0x600;
        eh.e_shentsize = sizeof(Elf64_Shdr);
        eh.e_shnum = 2;
        memcpy(im->buf + 0x600, sh, sizeof(sh));
    }
    memcpy(im->buf, &eh, sizeof(eh));
    memcpy(im->buf + sizeof(eh), ph, sizeof(ph));
    memset(im->buf + 0x200, 0x90, 0x100);
    im->size = 0x800;
}

static void make32(struct img *im)
{
    Elf32_Ehdr eh = { 0 };
    Elf32_Phdr ph[2] = { { 0 } };
    size_t nsz;

    memset(im, 0, sizeof(*im));
    memcpy(eh.e_ident, ELFMAG, SELFMAG);
    eh.e_ident[EI_CLASS] = ELFCLASS32;
    eh.e_ident[EI_DATA] = ELFDATA2LSB;
    eh.e_ident[EI_VERSION] = EV_CURRENT;
    eh.e_type = ET_EXEC;
    eh.e_machine = EM_386;
    eh.e_version = EV_CURRENT;
    eh.e_entry = 0x200000;
    eh.e_phoff = sizeof(eh);
    eh.e_phentsize = sizeof(Elf32_Phdr);
    eh.e_phnum = 2;
    ph[0].p_type = PT_LOAD;
    ph[0].p_offset = 0x200;
    ph[0].p_paddr = 0x200000;
    ph[0].p_filesz = 0x80;
    ph[0].p_memsz = 0x80;
    nsz = make_notes(im->buf + 0x400, 0x200010, true);
    ph[1].p_type = PT_NOTE;
    ph[1].p_offset = 0x400;
    ph[1].p_filesz = (uint32_t)nsz;
    memcpy(im->buf, &eh, sizeof(eh));
    memcpy(im->buf + sizeof(eh), ph, sizeof(ph));
    im->size = 0x800;
}

static void test_pass(void)
{
    struct img im;
    struct xc_elf_info info;
    char err[256];

    make64(&im, NOTES_PHDR, true);
    g_assert_cmpint(xc_elf_parse(im.buf, im.size, &info, err, sizeof(err)), ==, 0);
    g_assert_cmpint(info.elf_class, ==, 64);
    g_assert_true(info.has_phys32_entry);
    g_assert_cmphex(info.phys32_entry, ==, 0x100040);
    g_assert_cmpint(info.notes_from, ==, XC_ELF_NOTES_PHDR);
    g_assert_cmpstr(info.guest_os, ==, "testos");
    g_assert_cmpuint(info.nr_segs, ==, 1);
    g_assert_cmphex(info.pstart, ==, 0x100000);
    g_assert_cmphex(info.pend, ==, 0x102000);

    make64(&im, NOTES_SHDR, true);
    g_assert_cmpint(xc_elf_parse(im.buf, im.size, &info, err, sizeof(err)), ==, 0);
    g_assert_cmpint(info.notes_from, ==, XC_ELF_NOTES_SHDR);
    g_assert_cmphex(info.phys32_entry, ==, 0x100040);

    make32(&im);
    g_assert_cmpint(xc_elf_parse(im.buf, im.size, &info, err, sizeof(err)), ==, 0);
    g_assert_cmpint(info.elf_class, ==, 32);
    g_assert_cmphex(info.phys32_entry, ==, 0x200010);
}

struct fail_case {
    const char *name;
    void (*mutate)(struct img *im);
    const char *expect;      /* substring of the message */
};

static void m_no_entry(struct img *im) { make64(im, NOTES_PHDR, false); }
static void m_no_notes(struct img *im) { make64(im, NOTES_NONE, true); }
static void m_magic(struct img *im) { im->buf[1] = 'X'; }
static void m_trunc_hdr(struct img *im) { im->size = 20; }
static void m_be(struct img *im) { im->buf[EI_DATA] = ELFDATA2MSB; }
static void m_class(struct img *im) { im->buf[EI_CLASS] = 7; }
static void m_machine(struct img *im) { uint16_t m = EM_ARM; memcpy(im->buf + 18, &m, 2); }
static void m_type(struct img *im) { uint16_t t = ET_REL; memcpy(im->buf + 16, &t, 2); }
static void m_phoff(struct img *im) { uint64_t o = 0x7f0; memcpy(im->buf + 32, &o, 8); }
static void m_phnum0(struct img *im) { uint16_t n = 0; memcpy(im->buf + 56, &n, 2); }
static void m_phentsize(struct img *im) { uint16_t n = 12; memcpy(im->buf + 54, &n, 2); }
static void m_seg_off(struct img *im)
{
    uint64_t o = 0x10000000;
    memcpy(im->buf + sizeof(Elf64_Ehdr) + offsetof(Elf64_Phdr, p_offset), &o, 8);
}
static void m_seg_wrap(struct img *im)
{
    uint64_t o = ~0ULL - 0x10;
    memcpy(im->buf + sizeof(Elf64_Ehdr) + offsetof(Elf64_Phdr, p_offset), &o, 8);
}
static void m_filesz(struct img *im)
{
    uint64_t f = 0x4000;
    memcpy(im->buf + sizeof(Elf64_Ehdr) + offsetof(Elf64_Phdr, p_filesz), &f, 8);
}
static void m_paddr(struct img *im)
{
    uint64_t p = ~0ULL - 0x100;
    memcpy(im->buf + sizeof(Elf64_Ehdr) + offsetof(Elf64_Phdr, p_paddr), &p, 8);
}
static void m_note_big(struct img *im)
{
    uint32_t descsz = 0xfffffff0u;
    memcpy(im->buf + 0x400 + 4, &descsz, 4);
}
static void m_note_seg(struct img *im)
{
    uint64_t o = 0x7ff;
    memcpy(im->buf + sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr) + offsetof(Elf64_Phdr, p_offset),
           &o, 8);
}
static void m_entry_size(struct img *im)
{
    /* PHYS32_ENTRY with a 2-byte value */
    uint32_t two = 2;
    memcpy(im->buf + 0x400 + 24 + 4, &two, 4);
}
static void m_no_load(struct img *im)
{
    uint32_t t = PT_NULL;
    memcpy(im->buf + sizeof(Elf64_Ehdr), &t, 4);
}

static const struct fail_case fails[] = {
    { "no-pvh-entry", m_no_entry, "XEN_ELFNOTE_PHYS32_ENTRY" },
    { "no-notes", m_no_notes, "no PVH entry point" },
    { "bad-magic", m_magic, "not an ELF image" },
    { "truncated-header", m_trunc_hdr, "truncated" },
    { "big-endian", m_be, "little-endian" },
    { "bad-class", m_class, "class" },
    { "wrong-machine", m_machine, "not for x86" },
    { "not-executable", m_type, "not an executable" },
    { "phdrs-past-end", m_phoff, "program headers" },
    { "no-phdrs", m_phnum0, "no program headers" },
    { "bad-phentsize", m_phentsize, "program header size" },
    { "segment-past-end", m_seg_off, "past the end" },
    { "segment-offset-wraps", m_seg_wrap, "past the end" },
    { "filesz-above-memsz", m_filesz, "file size" },
    { "paddr-wraps", m_paddr, "physical address" },
    { "note-descsz-huge", m_note_big, "note" },
    { "note-segment-past-end", m_note_seg, "past the end" },
    { "entry-note-size", m_entry_size, "PHYS32_ENTRY" },
    { "no-load-segment", m_no_load, "no loadable" },
};

static void test_fail(gconstpointer data)
{
    const struct fail_case *c = data;
    struct img im;
    struct xc_elf_info info;
    char err[256] = "";

    make64(&im, NOTES_PHDR, true);
    c->mutate(&im);
    g_assert_cmpint(xc_elf_parse(im.buf, im.size, &info, err, sizeof(err)), ==, -1);
    if (!strstr(err, c->expect))
        g_error("%s: message '%s' lacks '%s'", c->name, err, c->expect);
}

/* Every prefix of a valid image must fail cleanly (never crash). */
static void test_truncations(void)
{
    struct img im;
    struct xc_elf_info info;
    char err[256];

    make64(&im, NOTES_PHDR, true);
    for (size_t n = 0; n < 0x400 + 40; n++)
        g_assert_cmpint(xc_elf_parse(im.buf, n, &info, err, sizeof(err)), ==, -1);
}

/* The real test guests parse, with their entry inside the image. */
static void test_real_guests(void)
{
    const char *top = g_getenv("XK_TOP_BUILDDIR");
    const char *names[] = { "hello", "crash", "halt", "hcall-fuzz" };

    if (!top) {
        g_test_skip("XK_TOP_BUILDDIR not set");
        return;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        g_autofree char *path = g_build_filename(top, "guest", names[i], NULL);
        g_autofree gchar *data = NULL;
        gsize len;
        struct xc_elf_info info;
        char err[256];
        if (!g_file_get_contents(path, &data, &len, NULL)) {
            g_test_skip("guests not built");
            return;
        }
        g_assert_cmpint(xc_elf_parse((const uint8_t *)data, len, &info, err, sizeof(err)), ==, 0);
        g_assert_true(info.phys32_entry >= info.pstart && info.phys32_entry < info.pend);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/elf/pass", test_pass);
    for (size_t i = 0; i < G_N_ELEMENTS(fails); i++) {
        g_autofree char *name = g_strdup_printf("/elf/fail/%s", fails[i].name);
        g_test_add_data_func(name, &fails[i], test_fail);
    }
    g_test_add_func("/elf/truncations", test_truncations);
    g_test_add_func("/elf/real-guests", test_real_guests);
    return g_test_run();
}
