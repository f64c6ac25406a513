/* memory_op: the sub-ops a PVH guest uses to find and place its memory. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>

#include <errno.h>
#include <string.h>

#include <xen/memory.h>

#include "xen.h"
#include "hcall.h"

/* The memory_op command word: low 6 bits the command, the rest a start
 * extent for continuations (Xen's MEMOP_CMD_MASK / MEMOP_EXTENT_SHIFT). */
#define MEMOP_EXTENT_SHIFT 6
#define MEMOP_CMD_MASK ((1u << MEMOP_EXTENT_SHIFT) - 1)

/* A domain may name itself (DOMID_SELF or its id); naming another needs
 * privilege over it, which no guest has here. */
static long target_domain(struct vcpu *v, domid_t domid, struct domain **out)
{
    struct domain *d = v->domain;

    if (domid == DOMID_SELF || domid == d->domid) {
        *out = d;
        return 0;
    }
    pthread_mutex_lock(&hv.lock);
    struct domain *t = domain_lookup(domid);
    pthread_mutex_unlock(&hv.lock);
    if (!t)
        return -ESRCH;
    return -EPERM;
}

static long add_to_physmap(struct vcpu *v, struct hcall *h)
{
    struct domain *d;
    uint16_t domid;
    uint32_t space;
    uint64_t idx, gpfn;
    long rc;

    if (h->mode == 8) {
        struct xen_add_to_physmap x;
        if (copy_from_guest(v, &x, h->arg[1], sizeof(x)) < 0)
            return -EFAULT;
        domid = x.domid; space = x.space; idx = x.idx; gpfn = x.gpfn;
    } else {
        struct { uint16_t domid, size; uint32_t space, idx, gpfn; } x;
        if (copy_from_guest(v, &x, h->arg[1], sizeof(x)) < 0)
            return -EFAULT;
        domid = x.domid; space = x.space; idx = x.idx; gpfn = x.gpfn;
    }
    rc = target_domain(v, domid, &d);
    if (rc < 0)
        return rc;
    switch (space) {
    case XENMAPSPACE_shared_info:
        if (idx != 0)
            return -EINVAL;
        if (gpfn >= (1ULL << 36))
            return -EINVAL;
        return domain_map_xen_page(d, d->shared_info_off, gpfn);
    case XENMAPSPACE_grant_table:
        if (gpfn >= (1ULL << 36))
            return -EINVAL;
        return gnttab_map_frame(d, idx, gpfn);
    default:
        /* gmfn moves and foreign mappings are not offered to guests. */
        return -EINVAL;
    }
}

static long domid_arg(struct vcpu *v, struct hcall *h, struct domain **out)
{
    domid_t domid;

    if (copy_from_guest(v, &domid, h->arg[1], sizeof(domid)) < 0)
        return -EFAULT;
    return target_domain(v, domid, out);
}

static long memory_map(struct vcpu *v, struct hcall *h)
{
    struct domain *d = v->domain;
    uint32_t nr;
    uint64_t buffer;
    struct xk_e820 map[XK_MAX_E820];
    unsigned n;

    if (h->mode == 8) {
        struct { uint32_t nr_entries; uint32_t pad; uint64_t buffer; } m;
        if (copy_from_guest(v, &m, h->arg[1], sizeof(m)) < 0)
            return -EFAULT;
        nr = m.nr_entries; buffer = m.buffer;
    } else {
        struct { uint32_t nr_entries; uint32_t buffer; } m;
        if (copy_from_guest(v, &m, h->arg[1], sizeof(m)) < 0)
            return -EFAULT;
        nr = m.nr_entries; buffer = m.buffer;
    }
    pthread_mutex_lock(&d->lock);
    n = d->nr_e820;
    memcpy(map, d->e820, n * sizeof(map[0]));
    pthread_mutex_unlock(&d->lock);
    if (n == 0)
        return -ENOSYS;            /* the toolstack set no map */
    if (nr > n)
        nr = n;
    if (copy_to_guest(v, buffer, map, nr * sizeof(map[0])) < 0)
        return -EFAULT;
    /* nr_entries is the first field in both layouts. */
    if (copy_to_guest(v, h->arg[1], &nr, sizeof(nr)) < 0)
        return -EFAULT;
    return 0;
}

/* Balloon operations on the caller's own memory.  Extents are named by
 * gfn (the guest is auto-translated); the result is the number of extents
 * done, which may be fewer than asked when memory runs out or an extent is
 * refused.  Long lists continue across preemption, as on Xen. */
static long reservation_op(struct vcpu *v, struct hcall *h, uint32_t cmd)
{
    struct domain *d = v->domain;
    uint64_t list, nr, start = h->arg[0] >> MEMOP_EXTENT_SHIFT;
    uint32_t order, flags;
    uint16_t domid;

    if (h->mode == 8) {
        struct xen_memory_reservation r;
        if (copy_from_guest(v, &r, h->arg[1], sizeof(r)) < 0)
            return -EFAULT;
        list = (uint64_t)(uintptr_t)r.extent_start.p;
        nr = r.nr_extents; order = r.extent_order; flags = r.mem_flags; domid = r.domid;
    } else {
        struct { uint32_t extent_start, nr_extents, extent_order, mem_flags; uint16_t domid; }
            __attribute__((packed)) r;
        if (copy_from_guest(v, &r, h->arg[1], sizeof(r)) < 0)
            return -EFAULT;
        list = r.extent_start; nr = r.nr_extents; order = r.extent_order;
        flags = r.mem_flags; domid = r.domid;
    }
    if (domid != DOMID_SELF && domid != d->domid)
        return target_domain(v, domid, &d);
    if (order > 9 || start > nr)
        return -EINVAL;
    if (flags & XENMEMF_populate_on_demand)
        return -EOPNOTSUPP;       /* no populate-on-demand */
    size_t esz = h->mode == 8 ? 8 : 4;
    uint64_t per = 1ULL << order;
    for (uint64_t i = start; i < nr; i++) {
        uint64_t gfn = 0;
        long rc;

        if (i > start && ((i - start) % 64) == 0 && vcpu_should_yield(v)) {
            h->arg[0] = cmd | (i << MEMOP_EXTENT_SHIFT);
            v->continuation = true;
            return 0;
        }
        if (copy_from_guest(v, &gfn, list + i * esz, esz) < 0)
            return i ? (long)i : -EFAULT;
        if (gfn & (per - 1))
            return (long)i;
        if (cmd == XENMEM_decrease_reservation)
            rc = domain_decrease(d, gfn, per);
        else
            rc = domain_populate(d, gfn, per);
        if (rc < 0)
            return (long)i;
    }
    return (long)nr;
}

long do_memory_op(struct vcpu *v, struct hcall *h)
{
    uint32_t cmd = (uint32_t)(h->arg[0] & MEMOP_CMD_MASK);
    struct domain *d;
    long rc;

    switch (cmd) {
    case XENMEM_add_to_physmap:
        return add_to_physmap(v, h);
    case XENMEM_current_reservation:
    case XENMEM_maximum_reservation:
    case XENMEM_maximum_gpfn:
        if (h->arg[0] >> MEMOP_EXTENT_SHIFT)
            return -EINVAL;
        rc = domid_arg(v, h, &d);
        if (rc < 0)
            return rc;
        pthread_mutex_lock(&hv.mem_lock);
        if (cmd == XENMEM_current_reservation)
            rc = (long)d->tot_pages;
        else if (cmd == XENMEM_maximum_reservation)
            rc = (long)d->max_pages;
        pthread_mutex_unlock(&hv.mem_lock);
        if (cmd == XENMEM_maximum_gpfn)
            rc = (long)domain_max_gpfn(d);
        return rc;
    case XENMEM_maximum_ram_page:
        if (h->arg[0] >> MEMOP_EXTENT_SHIFT)
            return -EINVAL;
        return (long)hv.host_pages;
    case XENMEM_memory_map:
        return memory_map(v, h);
    case XENMEM_decrease_reservation:
    case XENMEM_increase_reservation:
    case XENMEM_populate_physmap:
        return reservation_op(v, h, cmd);
    default:
        return -ENOSYS;
    }
}
