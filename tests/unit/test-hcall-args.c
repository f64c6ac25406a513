/* Hypercall argument decoding for both ABIs. */
#include "config.h"

#include <glib.h>
#include <stdint.h>
#include <string.h>

#include "hcall.h"

#define CR0_PE 1ULL
#define EFER_LMA (1ULL << 10)

static void regs_fill(struct kvm_regs *r)
{
    memset(r, 0, sizeof(*r));
    r->rax = 0xdeadbeef00000011ULL;      /* nr 17 in the low half */
    r->rbx = 0x1111111100000001ULL;
    r->rcx = 0x2222222200000002ULL;
    r->rdx = 0x3333333300000003ULL;
    r->rsi = 0x4444444400000004ULL;
    r->rdi = 0x5555555500000005ULL;
    r->rbp = 0x6666666600000006ULL;
    r->r8 = 0x8888888800000008ULL;
    r->r9 = 0x9999999900000009ULL;
    r->r10 = 0xaaaaaaaa0000000aULL;
    r->rflags = 2;
}

struct mode_case {
    const char *name;
    uint64_t cr0, efer, rflags;
    uint8_t l, db, ss_dpl;
    int mode;
    unsigned cpl;
};

static const struct mode_case modes[] = {
    { "long-64", CR0_PE | (1ULL << 31), EFER_LMA, 2, 1, 0, 0, 8, 0 },
    { "long-64-user", CR0_PE | (1ULL << 31), EFER_LMA, 2, 1, 0, 3, 8, 3 },
    { "compat", CR0_PE | (1ULL << 31), EFER_LMA, 2, 0, 1, 0, 4, 0 },
    { "prot-32", CR0_PE, 0, 2, 0, 1, 0, 4, 0 },
    { "prot-32-ring1", CR0_PE, 0, 2, 0, 1, 1, 4, 1 },
    { "prot-16", CR0_PE, 0, 2, 0, 0, 0, 2, 0 },
    { "real", 0, 0, 2, 0, 0, 0, 0, 0 },
    { "vm86", CR0_PE, 0, 2 | (1ULL << 17), 0, 0, 3, 0, 3 },
    /* LMA without CS.L is compatibility mode even with DB clear. */
    { "compat-16", CR0_PE | (1ULL << 31), EFER_LMA, 2, 0, 0, 0, 2, 0 },
};

static void test_modes(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(modes); i++) {
        const struct mode_case *c = &modes[i];
        struct kvm_regs r;
        struct kvm_sregs s;
        struct hcall h;

        regs_fill(&r);
        r.rflags = c->rflags;
        memset(&s, 0, sizeof(s));
        s.cr0 = c->cr0;
        s.efer = c->efer;
        s.cs.l = c->l;
        s.cs.db = c->db;
        s.ss.dpl = c->ss_dpl;
        hcall_decode(&r, &s, &h);
        if (h.mode != c->mode || h.cpl != c->cpl)
            g_error("%s: mode %d cpl %u, expected %d %u", c->name, h.mode, h.cpl, c->mode, c->cpl);
        g_assert_cmpuint(h.nr, ==, 17);
    }
}

static void test_abi64(void)
{
    struct kvm_regs r;
    struct kvm_sregs s;
    struct hcall h;

    regs_fill(&r);
    memset(&s, 0, sizeof(s));
    s.cr0 = CR0_PE | (1ULL << 31);
    s.efer = EFER_LMA;
    s.cs.l = 1;
    hcall_decode(&r, &s, &h);
    g_assert_cmphex(h.arg[0], ==, r.rdi);
    g_assert_cmphex(h.arg[1], ==, r.rsi);
    g_assert_cmphex(h.arg[2], ==, r.rdx);
    g_assert_cmphex(h.arg[3], ==, r.r10);
    g_assert_cmphex(h.arg[4], ==, r.r8);
    g_assert_cmphex(h.arg[5], ==, r.r9);
    hcall_set_result(&r, &h, -38);
    g_assert_cmphex(r.rax, ==, (uint64_t)-38);
    h.arg[0] = 0x123;
    h.arg[3] = 0x456;
    hcall_set_args(&r, &h);
    g_assert_cmphex(r.rdi, ==, 0x123);
    g_assert_cmphex(r.r10, ==, 0x456);
}

static void test_abi32(void)
{
    struct kvm_regs r;
    struct kvm_sregs s;
    struct hcall h;

    regs_fill(&r);
    memset(&s, 0, sizeof(s));
    s.cr0 = CR0_PE;
    s.cs.db = 1;
    hcall_decode(&r, &s, &h);
    /* ebx ecx edx esi edi, zero-extended: upper halves are ignored. */
    g_assert_cmphex(h.arg[0], ==, 1);
    g_assert_cmphex(h.arg[1], ==, 2);
    g_assert_cmphex(h.arg[2], ==, 3);
    g_assert_cmphex(h.arg[3], ==, 4);
    g_assert_cmphex(h.arg[4], ==, 5);
    g_assert_cmphex(h.arg[5], ==, 6);
    /* The result lands in eax; the upper half of rax is preserved. */
    hcall_set_result(&r, &h, -14);
    g_assert_cmphex(r.rax & 0xffffffffULL, ==, (uint32_t)-14);
    g_assert_cmphex(r.rax >> 32, ==, 0xdeadbeefULL);
    h.arg[1] = 0x77;
    hcall_set_args(&r, &h);
    g_assert_cmphex(r.rcx, ==, 0x2222222200000077ULL);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/hcall/modes", test_modes);
    g_test_add_func("/hcall/abi64", test_abi64);
    g_test_add_func("/hcall/abi32", test_abi32);
    return g_test_run();
}
