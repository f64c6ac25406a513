/* Grant tables (v1): a domain's shared frames of grant entries, mapping a
 * granted page into another domain, grant copy, and the dom0 side.
 *
 * The frames are pages xen owns in the granting domain's memory file; the
 * guest places them with XENMEM_add_to_physmap(XENMAPSPACE_grant_table).
 * A mapping puts the granter's page into the mapper's physical map at
 * host_addr (a KVM memory slot on the granter's memory) and keeps
 * GTF_reading/GTF_writing set in the entry while it lives, so the granter
 * can see the page is in use and cannot revoke it.
 *
 * Locking: gnttab_lock protects every domain's grant state (active
 * entries, maptrack) and the entries' in-use bits.  Lock order: hv.lock,
 * then gnttab_lock.  Guests update their entries concurrently: flags are
 * changed with compare-and-swap, as on Xen.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <xen/grant_table.h>

#include "xen.h"
#include "hcall.h"
#include "gnttab-core.h"

#define ENTRIES_PER_FRAME (XK_PAGE_SIZE / sizeof(grant_entry_v1_t))
#define MAPTRACK_PER_FRAME 256

static pthread_mutex_t gnttab_lock = PTHREAD_MUTEX_INITIALIZER;


struct maptrack {
    bool in_use;
    bool readonly;
    domid_t granter;
    grant_ref_t ref;
    uint64_t gfn;              /* where it is mapped in the mapper */
};

struct gnttab {
    unsigned int nr_frames;
    unsigned int max_frames;
    uint64_t *frame_off;       /* [max_frames] memfd offsets, 0 = not allocated */
    uint64_t *frame_gfn;       /* [max_frames] where mapped, ~0 = nowhere */
    struct gnttab_active *active;   /* [max_frames * ENTRIES_PER_FRAME] pin counts */
    struct maptrack *maptrack; /* grants this domain has mapped */
    unsigned int maptrack_max;
    unsigned int maptrack_used;
};

static grant_entry_v1_t *entry(struct domain *d, grant_ref_t ref)
{
    struct gnttab *gt = d->gnttab;
    unsigned f = ref / ENTRIES_PER_FRAME;

    if (!gt || f >= gt->nr_frames)
        return NULL;
    return (grant_entry_v1_t *)(d->mem_base + gt->frame_off[f]) + ref % ENTRIES_PER_FRAME;
}

/* Grows the table to `frames` frames.  gnttab_lock held. */
static int grow(struct domain *d, unsigned int frames)
{
    struct gnttab *gt = d->gnttab;

    if (frames > gt->max_frames)
        return -EINVAL;
    while (gt->nr_frames < frames) {
        uint64_t off;
        int rc = domain_alloc_xen_page(d, &off);
        if (rc < 0)
            return rc;
        gt->frame_off[gt->nr_frames++] = off;
    }
    return 0;
}

int gnttab_domain_init(struct domain *d)
{
    struct gnttab *gt = calloc(1, sizeof(*gt));
    unsigned int maxf = d->max_grant_frames > 0 ? (unsigned)d->max_grant_frames : 1;

    if (!gt)
        return -ENOMEM;
    gt->max_frames = maxf;
    gt->frame_off = calloc(maxf, sizeof(uint64_t));
    gt->frame_gfn = malloc(maxf * sizeof(uint64_t));
    gt->active = calloc((size_t)maxf * ENTRIES_PER_FRAME, sizeof(struct gnttab_active));
    gt->maptrack_max = (d->max_maptrack_frames > 0 ? (unsigned)d->max_maptrack_frames : 1) *
                       MAPTRACK_PER_FRAME;
    if (!gt->frame_off || !gt->frame_gfn || !gt->active) {
        free(gt->frame_off);
        free(gt->frame_gfn);
        free(gt->active);
        free(gt);
        return -ENOMEM;
    }
    for (unsigned i = 0; i < maxf; i++)
        gt->frame_gfn[i] = ~0ULL;
    d->gnttab = gt;
    pthread_mutex_lock(&gnttab_lock);
    int rc = grow(d, 1);           /* frame 0 holds the reserved entries */
    pthread_mutex_unlock(&gnttab_lock);
    return rc;
}

/* Drops a pin of granter g's ref.  gnttab_lock held. */
static void unpin(struct domain *g, grant_ref_t ref, bool readonly)
{
    struct gnttab *gt = g->gnttab;
    grant_entry_v1_t *e;

    if (!gt || ref >= gt->nr_frames * ENTRIES_PER_FRAME || !(e = entry(g, ref)))
        return;
    gnttab_unpin_entry(e, &gt->active[ref], readonly);
}

/* Validates entry `ref` of granter g for domain `mapper` and pins it.
 * Returns a GNTST code.  gnttab_lock held. */
static int pin(struct domain *g, grant_ref_t ref, domid_t mapper, bool readonly,
               uint64_t *frame)
{
    struct gnttab *gt = g->gnttab;

    if (!gt || ref >= gt->nr_frames * ENTRIES_PER_FRAME)
        return GNTST_bad_gntref;
    return gnttab_pin_entry(entry(g, ref), &gt->active[ref], mapper, readonly, frame);
}

/* The host address and memory-file offset of granter g's frame gfn. */
static int granted_page(struct domain *g, uint64_t gfn, uint64_t *hva, uint64_t *off)
{
    uint32_t type;

    if (p2m_lookup(&g->p2m, gfn, off, NULL, &type) < 0 || type == P2M_GRANT)
        return GNTST_bad_page;
    p2m_lookup_hva(&g->p2m, gfn, hva, NULL, NULL);
    return GNTST_okay;
}

static struct domain *get_granter(domid_t dom)
{
    return dom < DOMID_FIRST_RESERVED ? hv.domains[dom] : NULL;
}

/* ---- map / unmap (guest-to-guest) ---------------------------------------------- */

static int16_t map_one(struct domain *m, struct gnttab_map_grant_ref *op)
{
    struct gnttab *mt = m->gnttab;
    struct domain *g;
    uint64_t frame, hva, off, gfn;
    bool ro = op->flags & GNTMAP_readonly;
    unsigned h;
    int16_t st;

    if (!(op->flags & GNTMAP_host_map) || (op->flags & GNTMAP_contains_pte))
        return GNTST_general_error;
    if (op->host_addr & (XK_PAGE_SIZE - 1) || (op->host_addr >> XK_PAGE_SHIFT) >= (1ULL << 36))
        return GNTST_bad_virt_addr;
    gfn = op->host_addr >> XK_PAGE_SHIFT;
    g = get_granter(op->dom == DOMID_SELF ? m->domid : op->dom);
    if (!g || g->is_dying || !g->gnttab)
        return GNTST_bad_domain;
    for (h = 0; h < mt->maptrack_max && h < mt->maptrack_used + 1; h++)
        if (!mt->maptrack || !mt->maptrack[h].in_use)
            break;
    if (h >= mt->maptrack_max)
        return GNTST_no_space;
    if (!mt->maptrack) {
        mt->maptrack = calloc(mt->maptrack_max, sizeof(struct maptrack));
        if (!mt->maptrack)
            return GNTST_no_space;
    }
    st = (int16_t)pin(g, op->ref, m->domid, ro, &frame);
    if (st)
        return st;
    st = (int16_t)granted_page(g, frame, &hva, &off);
    if (st == GNTST_okay) {
        uint64_t removed = 0, old_off;
        uint32_t type;
        bool ram = p2m_lookup(&m->p2m, gfn, &old_off, NULL, &type) == 0 && type == P2M_RAM;
        if (p2m_set(&m->p2m, gfn, 1, off, hva, P2M_GRANT, &removed) < 0)
            st = GNTST_general_error;
        else if (ram && removed)
            domain_drop_ram(m, old_off, removed);
    }
    if (st) {
        unpin(g, op->ref, ro);
        return st;
    }
    mt->maptrack[h] = (struct maptrack){ .in_use = true, .readonly = ro, .granter = g->domid,
                                         .ref = op->ref, .gfn = gfn };
    if (h >= mt->maptrack_used)
        mt->maptrack_used = h + 1;
    op->handle = h;
    op->dev_bus_addr = frame << XK_PAGE_SHIFT;
    return GNTST_okay;
}

static void unmap_track(struct domain *m, unsigned h)
{
    struct maptrack *t = &m->gnttab->maptrack[h];
    struct domain *g = get_granter(t->granter);

    /* The hole stays: the RAM that was there is gone, as on Xen. */
    p2m_clear(&m->p2m, t->gfn, 1, NULL);
    if (g && g->gnttab)
        unpin(g, t->ref, t->readonly);
    t->in_use = false;
}

static int16_t unmap_one(struct domain *m, struct gnttab_unmap_grant_ref *op)
{
    struct gnttab *mt = m->gnttab;
    struct maptrack *t;

    if (!mt->maptrack || op->handle >= mt->maptrack_used || !mt->maptrack[op->handle].in_use)
        return GNTST_bad_handle;
    t = &mt->maptrack[op->handle];
    if (op->host_addr && (op->host_addr >> XK_PAGE_SHIFT) != t->gfn)
        return GNTST_bad_virt_addr;
    unmap_track(m, op->handle);
    return GNTST_okay;
}

/* ---- copy ---------------------------------------------------------------------- */

/* Resolves one side of a copy to a host pointer; pins a gref for the
 * duration (caller unpins *pinned). */
static int16_t copy_ptr(struct domain *self, const struct gnttab_copy_ptr *p, bool gref,
                        bool write, uint8_t **out, struct domain **pinned)
{
    struct domain *g;
    uint64_t frame, hva, off;
    int16_t st;

    *pinned = NULL;
    if (!gref) {
        if (p->domid != DOMID_SELF && p->domid != self->domid)
            return GNTST_permission_denied;
        if (granted_page(self, p->u.gmfn, &hva, &off))
            return GNTST_bad_page;
        *out = (uint8_t *)(uintptr_t)hva;
        return GNTST_okay;
    }
    g = get_granter(p->domid == DOMID_SELF ? self->domid : p->domid);
    if (!g || g->is_dying || !g->gnttab)
        return GNTST_bad_domain;
    st = (int16_t)pin(g, p->u.ref, self->domid, !write, &frame);
    if (st)
        return st;
    if (granted_page(g, frame, &hva, &off)) {
        unpin(g, p->u.ref, !write);
        return GNTST_bad_page;
    }
    *pinned = g;
    *out = (uint8_t *)(uintptr_t)hva;
    return GNTST_okay;
}

static int16_t copy_one(struct domain *d, struct gnttab_copy *op)
{
    uint8_t *src, *dst;
    struct domain *ps = NULL, *pd = NULL;
    int16_t st;

    if (op->len > XK_PAGE_SIZE || op->source.offset > XK_PAGE_SIZE - op->len ||
        op->dest.offset > XK_PAGE_SIZE - op->len)
        return GNTST_bad_copy_arg;
    if (op->flags & ~(GNTCOPY_source_gref | GNTCOPY_dest_gref))
        return GNTST_bad_copy_arg;
    st = copy_ptr(d, &op->source, op->flags & GNTCOPY_source_gref, false, &src, &ps);
    if (st)
        return st;
    st = copy_ptr(d, &op->dest, op->flags & GNTCOPY_dest_gref, true, &dst, &pd);
    if (st == GNTST_okay)
        memmove(dst + op->dest.offset, src + op->source.offset, op->len);
    if (ps)
        unpin(ps, op->source.u.ref, true);
    if (pd)
        unpin(pd, op->dest.u.ref, false);
    return st;
}

/* ---- the hypercall ---------------------------------------------------------------- */

static long self_or_priv(struct domain *d, domid_t dom)
{
    if (dom == DOMID_SELF || dom == d->domid)
        return 0;
    return get_granter(dom) ? -EPERM : -ESRCH;
}

long do_grant_table_op(struct vcpu *v, struct hcall *h)
{
    struct domain *d = v->domain;
    uint32_t cmd = (uint32_t)h->arg[0];
    uint64_t uop = h->arg[1];
    uint32_t count = (uint32_t)h->arg[2];
    long rc = 0;

    if (h->mode != 8)
        return -ENOSYS;           /* 32-bit grant ops are not offered yet */
    if (!d->gnttab)
        return -ENOSYS;

#define EACH(type, body) do {                                                      \
        for (uint32_t i = 0; i < count; i++) {                                     \
            type op;                                                               \
            uint64_t at = uop + (uint64_t)i * sizeof(op);                          \
            if (copy_from_guest(v, &op, at, sizeof(op)) < 0)                       \
                return -EFAULT;                                                    \
            pthread_mutex_lock(&hv.lock);                                          \
            pthread_mutex_lock(&gnttab_lock);                                      \
            body;                                                                  \
            pthread_mutex_unlock(&gnttab_lock);                                    \
            pthread_mutex_unlock(&hv.lock);                                        \
            if (copy_to_guest(v, at, &op, sizeof(op)) < 0)                         \
                return -EFAULT;                                                    \
        }                                                                          \
    } while (0)

    switch (cmd) {
    case GNTTABOP_setup_table: {
        struct gnttab_setup_table st;
        if (count != 1)
            return -EINVAL;
        if (copy_from_guest(v, &st, uop, sizeof(st)) < 0)
            return -EFAULT;
        st.status = (int16_t)(self_or_priv(d, st.dom) ? GNTST_permission_denied : GNTST_okay);
        if (st.status == GNTST_okay) {
            pthread_mutex_lock(&gnttab_lock);
            if (grow(d, st.nr_frames) < 0)
                st.status = GNTST_general_error;
            pthread_mutex_unlock(&gnttab_lock);
        }
        for (uint32_t i = 0; st.status == GNTST_okay && i < st.nr_frames; i++) {
            xen_pfn_t f = d->gnttab->frame_gfn[i];
            if (copy_to_guest(v, st.frame_list.p ? (uint64_t)(uintptr_t)st.frame_list.p + i * 8 : 0,
                              &f, sizeof(f)) < 0) {
                st.status = GNTST_bad_virt_addr;
                break;
            }
        }
        return copy_to_guest(v, uop, &st, sizeof(st)) < 0 ? -EFAULT : 0;
    }
    case GNTTABOP_query_size: {
        struct gnttab_query_size q;
        if (count != 1)
            return -EINVAL;
        if (copy_from_guest(v, &q, uop, sizeof(q)) < 0)
            return -EFAULT;
        if (self_or_priv(d, q.dom)) {
            q.status = GNTST_permission_denied;
        } else {
            pthread_mutex_lock(&gnttab_lock);
            q.nr_frames = d->gnttab->nr_frames;
            q.max_nr_frames = d->gnttab->max_frames;
            pthread_mutex_unlock(&gnttab_lock);
            q.status = GNTST_okay;
        }
        return copy_to_guest(v, uop, &q, sizeof(q)) < 0 ? -EFAULT : 0;
    }
    case GNTTABOP_set_version: {
        struct gnttab_set_version sv;
        if (copy_from_guest(v, &sv, uop, sizeof(sv)) < 0)
            return -EFAULT;
        if (sv.version == 2)
            return -ENOSYS;       /* v2 is not offered */
        if (sv.version != 1 && sv.version != 0)
            return -EINVAL;
        sv.version = 1;
        return copy_to_guest(v, uop, &sv, sizeof(sv)) < 0 ? -EFAULT : 0;
    }
    case GNTTABOP_get_version: {
        struct gnttab_get_version gv;
        if (copy_from_guest(v, &gv, uop, sizeof(gv)) < 0)
            return -EFAULT;
        rc = self_or_priv(d, gv.dom);
        if (rc)
            return rc;
        gv.version = 1;
        return copy_to_guest(v, uop, &gv, sizeof(gv)) < 0 ? -EFAULT : 0;
    }
    case GNTTABOP_map_grant_ref:
        EACH(struct gnttab_map_grant_ref, op.status = map_one(d, &op));
        return 0;
    case GNTTABOP_unmap_grant_ref:
        EACH(struct gnttab_unmap_grant_ref, op.status = unmap_one(d, &op));
        return 0;
    case GNTTABOP_copy:
        EACH(struct gnttab_copy, op.status = copy_one(d, &op));
        return 0;
    case GNTTABOP_cache_flush:
        for (uint32_t i = 0; i < count; i++) {
            struct gnttab_cache_flush cf;
            if (copy_from_guest(v, &cf, uop + (uint64_t)i * sizeof(cf), sizeof(cf)) < 0)
                return -EFAULT;
            if ((uint32_t)cf.offset + cf.length > XK_PAGE_SIZE)
                return -EINVAL;
            if (cf.op & ~(GNTTAB_CACHE_CLEAN | GNTTAB_CACHE_INVAL | GNTTAB_CACHE_SOURCE_GREF))
                return -EINVAL;
        }
        return 0;                 /* caches are coherent on x86 */
    default:
        return -ENOSYS;
    }
#undef EACH
}

/* ---- placing frames, seeding, teardown ---------------------------------------------- */

int gnttab_map_frame(struct domain *d, uint64_t idx, uint64_t gpfn)
{
    struct gnttab *gt = d->gnttab;
    int rc;

    if (!gt)
        return -EINVAL;
    if (idx & XENMAPIDX_grant_table_status)
        return -EINVAL;           /* status frames are v2 */
    pthread_mutex_lock(&gnttab_lock);
    rc = idx < gt->max_frames ? grow(d, (unsigned)idx + 1) : -EINVAL;
    uint64_t off = rc == 0 ? gt->frame_off[idx] : 0;
    uint64_t old = rc == 0 ? gt->frame_gfn[idx] : ~0ULL;
    pthread_mutex_unlock(&gnttab_lock);
    if (rc < 0)
        return rc;
    if (old != ~0ULL && old != gpfn)
        p2m_clear(&d->p2m, old, 1, NULL);
    rc = domain_map_xen_page(d, off, gpfn);
    if (rc == 0)
        gt->frame_gfn[idx] = gpfn;
    return rc;
}

int gnttab_seed(struct domain *d, uint64_t console_gfn, uint64_t xenstore_gfn,
                domid_t console_domid, domid_t xenstore_domid)
{
    grant_entry_v1_t *e;

    if (!d->gnttab)
        return -EINVAL;
    pthread_mutex_lock(&gnttab_lock);
    e = entry(d, GNTTAB_RESERVED_CONSOLE);
    e->domid = console_domid;
    e->frame = (uint32_t)console_gfn;
    e->flags = GTF_permit_access;
    e = entry(d, GNTTAB_RESERVED_XENSTORE);
    e->domid = xenstore_domid;
    e->frame = (uint32_t)xenstore_gfn;
    e->flags = GTF_permit_access;
    pthread_mutex_unlock(&gnttab_lock);
    return 0;
}

/* The domain dies: everything it mapped is unmapped first (the granters'
 * entries are released), then every mapping of its own pages held by
 * others is torn down, since its memory is about to go. */
void gnttab_domain_fini(struct domain *d)
{
    struct gnttab *gt = d->gnttab;

    if (!gt)
        return;
    pthread_mutex_lock(&hv.lock);
    pthread_mutex_lock(&gnttab_lock);
    for (unsigned h = 0; gt->maptrack && h < gt->maptrack_used; h++)
        if (gt->maptrack[h].in_use)
            unmap_track(d, h);
    for (unsigned id = 1; id < DOMID_FIRST_RESERVED; id++) {
        struct domain *m = hv.domains[id];
        if (!m || m == d || !m->gnttab || !m->gnttab->maptrack)
            continue;
        for (unsigned h = 0; h < m->gnttab->maptrack_used; h++) {
            struct maptrack *t = &m->gnttab->maptrack[h];
            if (t->in_use && t->granter == d->domid) {
                p2m_clear(&m->p2m, t->gfn, 1, NULL);
                t->in_use = false;
            }
        }
    }
    d->gnttab = NULL;
    pthread_mutex_unlock(&gnttab_lock);
    pthread_mutex_unlock(&hv.lock);
    free(gt->maptrack);
    free(gt->active);
    free(gt->frame_off);
    free(gt->frame_gfn);
    free(gt);
}

/* ---- dom0 processes (libxengnttab) ---------------------------------------------------- */

int gnttab_dom0_map(domid_t dom, grant_ref_t ref, bool readonly, uint64_t *off, int *fd)
{
    struct domain *g = get_granter(dom);
    uint64_t frame, hva;
    int st;

    if (!g || g->is_privileged || g->is_dying || !g->gnttab)
        return GNTST_bad_domain;
    pthread_mutex_lock(&gnttab_lock);
    st = pin(g, ref, 0, readonly, &frame);
    if (st == GNTST_okay) {
        st = granted_page(g, frame, &hva, off);
        if (st)
            unpin(g, ref, readonly);
    }
    pthread_mutex_unlock(&gnttab_lock);
    *fd = g->mem_fd;
    return st;
}

void gnttab_dom0_unmap(domid_t dom, grant_ref_t ref, bool readonly)
{
    struct domain *g = get_granter(dom);

    if (!g)
        return;
    pthread_mutex_lock(&gnttab_lock);
    unpin(g, ref, readonly);
    pthread_mutex_unlock(&gnttab_lock);
}

/* Copies between a guest's granted page and dom0 bytes. */
int gnttab_dom0_copy(domid_t dom, grant_ref_t ref, uint16_t offset, uint16_t len, bool to_guest,
                     void *buf)
{
    struct domain *g = get_granter(dom);
    uint64_t frame, hva, off;
    int st;

    if (len > XK_PAGE_SIZE || offset > XK_PAGE_SIZE - len)
        return GNTST_bad_copy_arg;
    if (!g || g->is_privileged || g->is_dying || !g->gnttab)
        return GNTST_bad_domain;
    pthread_mutex_lock(&gnttab_lock);
    st = pin(g, ref, 0, !to_guest, &frame);
    if (st == GNTST_okay) {
        st = granted_page(g, frame, &hva, &off);
        if (st == GNTST_okay) {
            uint8_t *p = (uint8_t *)(uintptr_t)hva + offset;
            if (to_guest)
                memcpy(p, buf, len);
            else
                memcpy(buf, p, len);
        }
        unpin(g, ref, !to_guest);
    }
    pthread_mutex_unlock(&gnttab_lock);
    return st;
}
