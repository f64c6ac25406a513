/* hcall-fuzz: a seeded storm of hypercalls with random numbers, sub-ops and
 * arguments, bad pointers included, that must leave the hypervisor standing
 * and the guest alive.  Command line: seed=N count=N (defaults 1, 100000).
 * Prints one summary line and powers off:
 *
 *   hcall-fuzz: seed=1 calls=100000 ok=... enosys=... efault=... einval=...
 *   eperm=... other=...
 *
 * Mix: hypercalls 0..63 through the page (23, whose stub is ud2, through the
 * port), 64..127 through the page, and numbers from 128 up to 0xffffffff
 * through the port.  Guest memory:
 *
 *   [__kit_start, __kit_end)   the image: never named as a frame by a call
 *   scratch (2 pages)          what we build and the hypervisor must read as
 *                              built: multicall entries, and for each call
 *                              a slot with its structure and frame lists
 *   buffers (BUF_PAGES pages)  where other pointer arguments point; the
 *                              bytes under a pointer are made random before
 *                              each call, and the hypervisor may write
 *                              there (upwards, into the sacrificial RAM)
 *   the rest of RAM, RAM below the image, frames beyond RAM
 *                              sacrificial: frame arguments only ever point
 *                              here
 *
 * What would kill the guest is never issued: SCHEDOP_shutdown/block, poll
 * without an expired timeout, shutdown codes other than poweroff, watchdogs,
 * vcpu_op other than queries, NMIs, set_param other than a zero callback on
 * ourselves, hvm_op/dm_op sub-ops other than params aimed at ourselves,
 * memory_op frame arguments inside the image. */
#include "kit.h"

#include <xen/errno.h>
#include <xen/event_channel.h>
#include <xen/grant_table.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>
#include <xen/memory.h>
#include <xen/physdev.h>
#include <xen/sched.h>
#include <xen/vcpu.h>
#include <xen/version.h>

#define SCRATCH_PAGES 2
#define BUF_PAGES 4
#define SLOT_SIZE 512 /* per call being built */
#define MC_MAX 8      /* multicall entries */
/* scratch: entries at 0, the top-level slot at 512, entry slots from 4096 */
#define TOP_SLOT 512
#define SUB_SLOTS 4096

struct call {
    uint32_t nr;
    int via_port;
    unsigned long a[5];
};

static uint64_t rng;
static char *scratch;           /* SCRATCH_PAGES pages */
static char *buf;               /* BUF_PAGES pages */
static uint64_t img_lo, img_hi; /* image, scratch, buffers [lo, hi) */
static uint64_t ram_pages;      /* 0: unknown */
static uint64_t ram_end;
static uint16_t own_domid;

/* A 64-bit LCG with its high half folded into the low one: a handful of
 * instructions per number, which matters where each one is emulated. */
static inline uint64_t rnd(void)
{
    rng = rng * 0x5851f42d4c957f2dull + 0x14057b7ef767814full;
    return rng ^ (rng >> 32);
}

/* Cheap random bytes: an LCG started from one draw. */
static void rnd_fill(void *p, uint64_t x, size_t nqwords)
{
    uint64_t *q = p;

    while (nqwords--) {
        x = x * 0x5851f42d4c957f2dull + 0x14057b7ef767814full;
        *q++ = x;
    }
}

/* The helpers below take their randomness as r, one draw for all. */

/* A pointer into the buffers, its first fill bytes made random. */
static unsigned long valid_ptr_r(uint64_t r, size_t fill)
{
    char *p = buf + ((((r & 0xffff) * (BUF_PAGES * 4096 - 256)) >> 16) & ~7ul);

    rnd_fill(p, r, fill / 8);
    return (unsigned long)p;
}

static unsigned long valid_ptr(size_t fill)
{
    return valid_ptr_r(rnd(), fill);
}

/* Pointers the hypervisor must refuse (or only partly accept). */
static unsigned long bad_ptr_r(uint64_t r)
{
    switch (r & 7) {
    case 0:
        return 0;
    case 1: /* above 4 GiB: not mapped by our page tables */
        return 0x100000000ull + ((r >> 8) & 0xfffffffff8ull);
    case 2: /* non-canonical */
        return 0x0000800000000000ull | ((r >> 8) & 0x7fffffffffffull);
    case 3: /* kernel half, canonical but unmapped */
        return 0xffff800000000000ull | ((r >> 8) & 0x7fffffffffffull);
    case 4: /* straddles 4 GiB: mapped, but no RAM there */
        return 0x100000000ull - 1 - ((r >> 8) & 63);
    case 5: /* the local APIC page */
        return XK_LAPIC_BASE + ((r >> 8) & 0xff0);
    case 6: /* just below 4 GiB, no RAM */
        return 0xfffff000ull + ((r >> 8) & 0xff8);
    default: /* non-canonical, high bits set */
        return (r >> 8) | 0x1000000000000000ull;
    }
}

static unsigned long bad_ptr(void)
{
    return bad_ptr_r(rnd());
}

/* Pointers no guest page table maps, so the hypervisor cannot read
 * anything through them.  Where the contents of a structure decide whether
 * a call is harmless, it is either ours or behind one of these: NULL is
 * not among them, page 0 is RAM whose contents we do not control. */
static unsigned long unmapped_ptr(void)
{
    uint64_t r = rnd();

    switch (r & 3) {
    case 0:
        return 0x100000000ull + ((r >> 8) & 0xfffffffff8ull);
    case 1:
        return 0x0000800000000000ull | ((r >> 8) & 0x7fffffffffffull);
    case 2:
        return 0xffff800000000000ull | ((r >> 8) & 0x7fffffffffffull);
    default:
        return (r >> 8) | 0x1000000000000000ull;
    }
}

/* Any pointer: valid (most), misaligned, straddling pages or the end of
 * RAM, or bad. */
static unsigned long any_ptr_r(uint64_t r)
{
    unsigned int m;

    switch (r & 15) {
    case 0:
    case 1:
    case 2:
    case 3:
        return bad_ptr_r(r >> 4);
    case 4: /* misaligned */
        m = (unsigned int)(r >> 4) & 7;
        return valid_ptr_r(r >> 8, 32) + (m ? m : 4);
    case 5: /* straddles two buffer pages */
        rnd_fill(buf + 4096 - 32, r, 8);
        return (unsigned long)buf + 4095 - ((r >> 4) & 31);
    case 6: /* straddles the end of RAM */
        if (ram_end)
            return ram_end - 1 - ((r >> 4) & 63);
        return bad_ptr_r(r >> 4);
    default:
        return valid_ptr_r(r >> 4, 32);
    }
}

static unsigned long any_ptr(void)
{
    return any_ptr_r(rnd());
}

static unsigned long any_len_r(uint64_t r)
{
    switch (r & 7) {
    case 0:
        return 0;
    case 1:
        return 1;
    case 2:
        return 0x7fffffff;
    case 3:
        return 0xffffffff;
    case 4:
        return 4096 + ((r >> 8) & 1);
    case 5:
        return (r >> 8) & 0xfff;
    case 6:
        return r >> 8;
    default:
        return (r >> 8) & 0xff;
    }
}

static unsigned long any_len(void)
{
    return any_len_r(rnd());
}

static unsigned long any_int_r(uint64_t r)
{
    switch (r & 15) {
    case 0:
        return 0;
    case 1:
        return 1;
    case 2:
        return 2;
    case 3:
        return -1ul;
    case 4:
        return 0x7fffffff;
    case 5:
        return 0x80000000;
    case 6:
        return 0xffffffff;
    case 7:
        return 1ul << 63;
    case 8:
        return DOMID_SELF;
    case 9:
    case 10:
        return (r >> 8) & 15;
    case 11:
        return (r >> 8) & 0xffff;
    default:
        return r * 0x9e3779b97f4a7c15ull;
    }
}

static unsigned long any_int(void)
{
    return any_int_r(rnd());
}

static unsigned long any_arg(void)
{
    uint64_t r = rnd();

    switch (r & 3) {
    case 0:
        return any_int_r(r >> 2);
    case 1:
        return any_len_r(r >> 2);
    default:
        return any_ptr_r(r >> 2);
    }
}

static uint16_t any_domid(void)
{
    uint64_t r = rnd();

    switch (r & 7) {
    case 0:
    case 1:
        return DOMID_SELF;
    case 2:
        return own_domid;
    case 3:
        return 0;
    case 4:
        return (uint16_t)(1 + ((r >> 8) & 15));
    case 5:
        return (uint16_t)(DOMID_FIRST_RESERVED + ((r >> 8) & 15));
    default:
        return (uint16_t)(r >> 8);
    }
}

/* A domain that is not us: nothing aimed at it can hurt us. */
static uint16_t other_domid(void)
{
    uint16_t d = any_domid();

    return d == DOMID_SELF || d == own_domid ? 0x7fe0 : d;
}

/* The first of n frames that stay clear of the image, scratch and
 * buffers. */
static uint64_t safe_gfn(uint64_t n)
{
    uint64_t r = rnd(), g;

    switch (r & 3) {
    case 0: /* below the image */
        g = (r >> 8) % img_lo;
        break;
    case 1: /* RAM above the buffers */
        g = ram_pages > img_hi ? img_hi + (r >> 8) % (ram_pages - img_hi)
                               : 0x100000;
        break;
    case 2: /* beyond RAM */
        g = 0x100000 + ((r >> 8) & 0xfffff);
        break;
    default:
        g = r >> 12;
        break;
    }
    if (g < img_hi && g + n > img_lo)
        g = 0x100000 + ((r >> 8) & 0xffff);
    return g;
}

/* --- per-hypercall generators --- */

/* Five arguments of any kind from one draw: numbers, lengths, bad
 * pointers, and pointers into the buffers (not refreshed here: the
 * buffers start random and other calls stir them). */
static void gen_generic(struct call *c)
{
    uint64_t r = rnd(), v = r;
    int i;

    for (i = 0; i < 5; i++, r >>= 3) {
        v = v * 0x5851f42d4c957f2dull + 0x14057b7ef767814full;
        switch (r & 7) {
        case 0:
            c->a[i] = any_int_r(v >> 24);
            break;
        case 1:
            c->a[i] = any_len_r(v >> 24);
            break;
        case 2:
            c->a[i] = bad_ptr_r(v >> 24);
            break;
        default: /* anywhere in the buffers, any alignment */
            c->a[i] = (unsigned long)buf + ((v >> 40) & (BUF_PAGES * 4096 - 1));
            break;
        }
    }
}

static void gen_sched(struct call *c, char *slot)
{
    uint64_t r = rnd();

    rnd_fill(slot, rnd(), 8);
    c->a[1] = any_ptr();
    switch (r & 7) {
    case 0:
        c->a[0] = SCHEDOP_yield;
        break;
    case 1: {
        struct sched_poll *p = (void *)slot;
        evtchn_port_t *ports = (void *)(slot + 32);

        set_xen_guest_handle(p->ports, ports);
        p->nr_ports = (unsigned int)(r >> 8) & 3;
        p->timeout = 1; /* long past */
        c->a[0] = SCHEDOP_poll;
        c->a[1] = (r & 0x800) ? (unsigned long)p : unmapped_ptr();
        break;
    }
    case 2: {
        struct sched_remote_shutdown *s = (void *)slot;

        s->domain_id = other_domid();
        c->a[0] = SCHEDOP_remote_shutdown;
        c->a[1] = (unsigned long)s;
        break;
    }
    case 3: {
        struct sched_shutdown *s = (void *)slot;

        s->reason = SHUTDOWN_poweroff; /* what we report anyway */
        c->a[0] = SCHEDOP_shutdown_code;
        c->a[1] = (r & 0x800) ? (unsigned long)s : unmapped_ptr();
        break;
    }
    case 4: {
        struct sched_watchdog *w = (void *)slot;

        w->id = (uint32_t)(r >> 8) | 1; /* never a new one */
        w->timeout = 0;
        c->a[0] = SCHEDOP_watchdog;
        c->a[1] = (unsigned long)w;
        break;
    }
    case 5:
        c->a[0] = SCHEDOP_pin_override;
        break;
    default:
        c->a[0] = SCHEDOP_pin_override + 1 + ((r >> 8) & 0xffff);
        break;
    }
}

static void gen_sched_compat(struct call *c)
{
    uint64_t r = rnd();

    c->a[0] = r & 1 ? SCHEDOP_yield : 8 + ((r >> 8) & 0xffff);
    c->a[1] = any_arg();
}

static void gen_vcpu(struct call *c)
{
    static const unsigned int ops[] = {
        VCPUOP_is_up,
        VCPUOP_get_runstate_info,
        VCPUOP_get_physid,
    };
    uint64_t r = rnd();

    c->a[0] = r & 8 ? ops[(r & 7) % 3] : 16 + ((r >> 8) & 0xff);
    c->a[1] = r & 0x10 ? 0 : any_int();
    c->a[2] = any_ptr();
}

static void gen_reservation(struct xen_memory_reservation *res, uint64_t *list,
                            uint64_t r)
{
    unsigned int i, n = (unsigned int)(r >> 8) % 5;

    res->nr_extents = n;
    res->extent_order = 0;
    if ((r & 0x300) == 0)
        res->extent_order = (unsigned int)(r >> 16) % 21;
    res->mem_flags = (unsigned int)(r >> 32) & 0xff00;
    res->domid = any_domid();
    for (i = 0; i < n; i++)
        list[i] = res->extent_order ? (0x100000 + (rnd() & 0xfffff)) &
                                          ~((1ull << res->extent_order) - 1)
                                    : safe_gfn(1);
    set_xen_guest_handle(res->extent_start, list);
}

static void gen_memory(struct call *c, char *slot)
{
    uint64_t r = rnd();
    uint64_t *list = (uint64_t *)(void *)(slot + 128);

    switch (r & 15) {
    case 0:
    case 1:
    case 2: {
        static const unsigned int ops[] = {
            XENMEM_increase_reservation,
            XENMEM_decrease_reservation,
            XENMEM_populate_physmap,
        };
        struct xen_memory_reservation *res = (void *)slot;

        gen_reservation(res, list, r);
        c->a[0] = ops[r % 3] | (r & 0x8000 ? (r >> 40) << 6 : 0);
        c->a[1] = (unsigned long)res;
        break;
    }
    case 3: {
        struct xen_add_to_physmap *x = (void *)slot;

        x->domid = any_domid();
        x->size = (uint16_t)((r >> 8) & 1 ? (r >> 16) & 3 : r >> 16);
        x->space = (unsigned int)(r >> 32) % 7;
        if (x->space == XENMAPSPACE_gmfn ||
            x->space == XENMAPSPACE_gmfn_range ||
            x->space == XENMAPSPACE_gmfn_foreign)
            x->idx = safe_gfn(x->size + 1u);
        else
            x->idx = (r >> 40) & 1 ? any_int() : (r >> 41) & 3;
        x->gpfn = safe_gfn(x->size + 1u);
        c->a[0] = XENMEM_add_to_physmap;
        c->a[1] = (unsigned long)x;
        break;
    }
    case 4: {
        struct xen_add_to_physmap_batch *x = (void *)slot;
        uint64_t *gpfns = list + 8;
        unsigned int i;

        x->domid = any_domid();
        x->space = (unsigned int)(r >> 32) % 7;
        x->size = (uint16_t)((r >> 8) % 5);
        x->u.foreign_domid = any_domid();
        for (i = 0; i < x->size; i++) {
            list[i] = safe_gfn(1);
            gpfns[i] = safe_gfn(1);
        }
        set_xen_guest_handle(x->idxs, list);
        set_xen_guest_handle(x->gpfns, gpfns);
        set_xen_guest_handle(x->errs, (int *)(void *)(list + 16));
        c->a[0] = XENMEM_add_to_physmap_batch;
        c->a[1] = (unsigned long)x;
        break;
    }
    case 5: {
        struct xen_remove_from_physmap *x = (void *)slot;

        x->domid = any_domid();
        x->gpfn = safe_gfn(1);
        c->a[0] = XENMEM_remove_from_physmap;
        c->a[1] = (unsigned long)x;
        break;
    }
    case 6: {
        struct xen_memory_exchange *x = (void *)slot;

        gen_reservation(&x->in, list, r);
        gen_reservation(&x->out, list + 8, rnd());
        x->nr_exchanged = r & 0x10000 ? 0 : (r >> 17) & 7;
        c->a[0] = XENMEM_exchange;
        c->a[1] = (unsigned long)x;
        break;
    }
    case 7: {
        struct xen_mem_acquire_resource *x = (void *)slot;
        unsigned int i;

        rnd_fill(x, r, 4);
        x->domid = any_domid();
        x->nr_frames = (uint32_t)(r >> 8) % 5;
        for (i = 0; i < x->nr_frames; i++)
            list[i] = safe_gfn(1);
        set_xen_guest_handle(x->frame_list, list);
        c->a[0] = XENMEM_acquire_resource;
        c->a[1] = (unsigned long)x;
        break;
    }
    case 8:
    case 9:
    case 10:
    case 11:
    case 12: {
        /* queries and privileged operations on random structures */
        static const unsigned int ops[] = {
            XENMEM_maximum_ram_page, XENMEM_current_reservation,
            XENMEM_maximum_reservation, XENMEM_machphys_mfn_list,
            XENMEM_memory_map, XENMEM_machine_memory_map,
            XENMEM_machphys_mapping, XENMEM_set_memory_map,
            XENMEM_maximum_gpfn, XENMEM_set_pod_target,
            XENMEM_get_pod_target, XENMEM_get_vnumainfo,
            XENMEM_machphys_compat_mfn_list,
            /* tools-only names: get_sharing_freed_pages,
             * get_sharing_shared_pages, reserved_device_memory_map */
            18, 19, 27,
        };
        c->a[0] = ops[(r >> 8) & 15];
        c->a[1] = any_ptr();
        break;
    }
    default:
        /* unknown sub-ops, and any op with unreadable pointers */
        c->a[0] = r & 0x100 ? 29 + ((r >> 9) & 0x1f) : r >> 8;
        c->a[1] = unmapped_ptr();
        break;
    }
}

static void gen_hvm(struct call *c, char *slot)
{
    uint64_t r = rnd();
    struct xen_hvm_param *p = (void *)slot;

    rnd_fill(slot, rnd(), 4);
    switch (r & 7) {
    case 0: /* the only write we make to our own params */
        p->domid = r & 8 ? DOMID_SELF : own_domid;
        p->index = HVM_PARAM_CALLBACK_IRQ;
        p->value = 0;
        c->a[0] = HVMOP_set_param;
        c->a[1] = (unsigned long)p;
        break;
    case 1:
        p->domid = any_domid();
        p->index = HVM_NR_PARAMS + (uint32_t)((r >> 8) & 0xffff);
        c->a[0] = HVMOP_set_param;
        c->a[1] = (unsigned long)p;
        break;
    case 2:
        p->domid = (uint16_t)(0x7000 + ((r >> 8) & 0xfff));
        p->index = (uint32_t)(r >> 24) & 63;
        c->a[0] = HVMOP_set_param;
        c->a[1] = (unsigned long)p;
        break;
    case 3:
    case 4:
        p->domid = any_domid();
        p->index =
            (r >> 8) & 1 ? (uint32_t)(r >> 24) & 63 : (uint32_t)(r >> 24);
        c->a[0] = HVMOP_get_param;
        c->a[1] = r & 0x10000 ? (unsigned long)p : any_ptr();
        break;
    default: {
        /* other sub-ops, never aimed at ourselves */
        uint16_t *dom = (uint16_t *)p;

        if (*dom == DOMID_SELF || *dom == own_domid)
            *dom = 0x7fe0;
        c->a[0] = 2 + ((r >> 8) & 31);
        if (c->a[0] == HVMOP_set_evtchn_upcall_vector || (r & 0x10000))
            c->a[0] = 34 + ((r >> 17) & 0xffff);
        c->a[1] = r & 0x20000 ? (unsigned long)p : unmapped_ptr();
        break;
    }
    }
}

static void gen_evtchn(struct call *c, char *slot)
{
    uint64_t r = rnd();
    unsigned long p = (unsigned long)slot;

    rnd_fill(slot, rnd(), 4);
    c->a[0] = r & 0x20 ? (r >> 8) & 15 : r >> 8;
    c->a[1] = r & 0x10 ? p : any_ptr();
    if (c->a[0] == EVTCHNOP_init_control) {
        ((struct evtchn_init_control *)p)->control_gfn = safe_gfn(1);
        c->a[1] = r & 0x10 ? p : unmapped_ptr();
    } else if (c->a[0] == EVTCHNOP_expand_array) {
        ((struct evtchn_expand_array *)p)->array_gfn = safe_gfn(1);
        c->a[1] = r & 0x10 ? p : unmapped_ptr();
    }
}

static void gen_physdev(struct call *c, char *slot)
{
    uint64_t r = rnd();
    unsigned long p = (unsigned long)slot;

    rnd_fill(slot, rnd(), 4);
    c->a[0] = r & 0x20 ? (r >> 8) & 31 : r >> 8;
    c->a[1] = r & 0x10 ? p : any_ptr();
    if (c->a[0] == PHYSDEVOP_pirq_eoi_gmfn_v1 ||
        c->a[0] == PHYSDEVOP_pirq_eoi_gmfn_v2) {
        ((struct physdev_pirq_eoi_gmfn *)p)->gmfn = safe_gfn(1);
        c->a[1] = r & 0x10 ? p : unmapped_ptr();
    }
}

static void gen_gnttab(struct call *c)
{
    uint64_t r = rnd();

    c->a[0] = r & 0x20 ? (r >> 8) & 15 : r >> 8;
    if (r & 0x10) { /* a few random entries */
        c->a[1] = valid_ptr(128);
        c->a[2] = (r >> 40) & 3;
    } else { /* unreadable pointers, any count */
        c->a[1] = unmapped_ptr();
        c->a[2] = any_len();
    }
}

static void gen_console(struct call *c)
{
    uint64_t r = rnd();

    switch (r & 3) {
    case 0:
        /* writes only where nothing readable is: not even NULL, page 0
         * is RAM */
        c->a[0] = CONSOLEIO_write;
        c->a[1] = any_len();
        c->a[2] = bad_ptr();
        if (!c->a[2])
            c->a[2] = 0xffff800000000000ull;
        break;
    case 1:
        c->a[0] = CONSOLEIO_write;
        c->a[1] = 0;
        c->a[2] = valid_ptr(0);
        break;
    case 2:
        c->a[0] = CONSOLEIO_read;
        c->a[1] = r & 4 ? (r >> 8) & 0xff : any_len();
        c->a[2] = r & 4 ? any_ptr() : bad_ptr();
        break;
    default:
        c->a[0] = 2 + ((r >> 8) & 0xffff);
        c->a[1] = any_arg();
        c->a[2] = any_arg();
        break;
    }
}

static void gen_dm(struct call *c)
{
    c->a[0] = other_domid();
    c->a[1] = any_len();
    c->a[2] = any_ptr();
}

static void gen_one(struct call *c, char *slot, int nested);

static void gen_multicall(struct call *c)
{
    uint64_t r = rnd();
    struct multicall_entry *e = (void *)scratch;
    unsigned int i, n = (unsigned int)(r >> 8) % (MC_MAX + 1);

    if (r & 1) { /* unreadable list, any length */
        c->a[0] = unmapped_ptr();
        c->a[1] = any_len();
        return;
    }
    for (i = 0; i < n; i++) {
        struct call sub;

        gen_one(&sub, scratch + SUB_SLOTS + i * SLOT_SIZE, 1);
        e[i].op = sub.nr;
        e[i].result = rnd();
        e[i].args[0] = sub.a[0];
        e[i].args[1] = sub.a[1];
        e[i].args[2] = sub.a[2];
        e[i].args[3] = sub.a[3];
        e[i].args[4] = sub.a[4];
        e[i].args[5] = any_arg();
    }
    c->a[0] = (unsigned long)e;
    c->a[1] = n;
}

/* One call, 0..63 through the generators above.  nested: an entry of a
 * multicall (no multicall inside, the number travels as 64 bits). */
static void gen_one(struct call *c, char *slot, int nested)
{
    uint64_t r = rnd();

    c->nr = (uint32_t)(r & 63);
    c->via_port = 0;
    c->a[0] = c->a[1] = c->a[2] = c->a[3] = c->a[4] = 0;
    switch (c->nr) {
    case __HYPERVISOR_sched_op_compat:
        gen_sched_compat(c);
        break;
    case __HYPERVISOR_sched_op:
        gen_sched(c, slot);
        break;
    case __HYPERVISOR_vcpu_op:
        gen_vcpu(c);
        break;
    case __HYPERVISOR_memory_op:
        gen_memory(c, slot);
        break;
    case __HYPERVISOR_hvm_op:
        gen_hvm(c, slot);
        break;
    case __HYPERVISOR_event_channel_op:
        gen_evtchn(c, slot);
        break;
    case __HYPERVISOR_physdev_op:
        gen_physdev(c, slot);
        break;
    case __HYPERVISOR_grant_table_op:
        gen_gnttab(c);
        break;
    case __HYPERVISOR_console_io:
        gen_console(c);
        break;
    case __HYPERVISOR_dm_op:
        gen_dm(c);
        break;
    case __HYPERVISOR_multicall:
        if (nested) {
            c->nr = __HYPERVISOR_xen_version;
            c->a[0] = XENVER_version;
            break;
        }
        gen_multicall(c);
        break;
    case __HYPERVISOR_xen_version:
        c->a[0] = r & 0x40 ? (r >> 8) & 15 : r >> 8;
        c->a[1] = any_ptr();
        break;
    case __HYPERVISOR_iret:
        c->via_port = 1; /* its stub is ud2 */
        gen_generic(c);
        break;
    default:
        gen_generic(c);
        break;
    }
}

static void gen_call(struct call *c)
{
    uint64_t r = rnd();

    switch (r & 15) {
    case 0: /* beyond the known numbers, through the page */
        c->nr = 64 + (uint32_t)((r >> 8) & 63);
        c->via_port = 0;
        gen_generic(c);
        break;
    case 1: { /* beyond the page, through the port */
        static const uint32_t edges[] = {
            128, 255, 256, 0x7fffffff, 0x80000000, 0xffffffff,
        };
        c->nr = (r >> 8) & 1 ? edges[((r >> 9) & 7) % 6]
                             : 128 + (uint32_t)(r >> 32) % 0xffffff7fu;
        c->via_port = 1;
        gen_generic(c);
        break;
    }
    default:
        gen_one(c, scratch + TOP_SLOT, 0);
        break;
    }
}

static uint64_t checksum(const void *p, size_t len)
{
    const uint64_t *q = p;
    uint64_t s = 0;

    for (len /= 8; len; len--)
        s = (s ^ *q++) * 0x100000001b3ull;
    return s;
}

int guest_main(void)
{
    uint64_t seed = 1, count = 100000, i, sum;
    uint64_t ok = 0, enosys = 0, efault = 0, einval = 0, eperm = 0, other = 0;
    long err;

    kit_cmdline_u64("seed", &seed);
    kit_cmdline_u64("count", &count);
    ram_end = kit_ram_end();
    /* from here on, the start info may be overwritten */

    rng = seed * 0x9e3779b97f4a7c15ull;
    own_domid = (uint16_t)kit_domid();
    scratch = __kit_end;
    buf = __kit_end + SCRATCH_PAGES * 4096;
    img_lo = (uintptr_t)__kit_start >> 12;
    img_hi = ((uintptr_t)buf >> 12) + BUF_PAGES;
    ram_pages = ram_end >> 12;
    if (ram_pages && ram_pages < img_hi + 16)
        kit_panic("hcall-fuzz: %#lx bytes of RAM are too few", ram_end);
    rnd_fill(buf, rnd(), BUF_PAGES * 4096 / 8);

    if (!kit_map_shared_info(&err))
        printf("hcall-fuzz: mapping shared info failed: %ld\n", err);
    sum = checksum(__kit_start, (size_t)(__kit_etext - __kit_start)) ^
          checksum(hypercall_page, 4096);

    for (i = 0; i < count; i++) {
        struct call c;
        long ret;

        gen_call(&c);
        if (c.via_port)
            ret = kit_hypercall_port(c.nr, c.a[0], c.a[1], c.a[2], c.a[3],
                                     c.a[4]);
        else
            ret = kit_hypercall(c.nr, c.a[0], c.a[1], c.a[2], c.a[3], c.a[4]);
        if (ret >= 0)
            ok++;
        else if (ret == -XEN_ENOSYS)
            enosys++;
        else if (ret == -XEN_EFAULT)
            efault++;
        else if (ret == -XEN_EINVAL)
            einval++;
        else if (ret == -XEN_EPERM)
            eperm++;
        else
            other++;
    }

    if (sum != (checksum(__kit_start, (size_t)(__kit_etext - __kit_start)) ^
                checksum(hypercall_page, 4096)))
        kit_panic("hcall-fuzz: the image or the hypercall page changed");
    printf("hcall-fuzz: seed=%lu calls=%lu ok=%lu enosys=%lu efault=%lu "
           "einval=%lu eperm=%lu other=%lu\n",
           seed, count, ok, enosys, efault, einval, eperm, other);
    return 0;
}
