#include "config.h"

#include <stdint.h>
#include <stdio.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "p2m.h"

int p2m_init(struct p2m *p, p2m_slot_fn fn, void *ctx)
{
    memset(p, 0, sizeof(*p));
    p->slot_fn = fn;
    p->slot_ctx = ctx;
    if (pthread_rwlock_init(&p->lock, NULL) != 0)
        return -ENOMEM;
    p->ready = true;
    return 0;
}

void p2m_fini(struct p2m *p)
{
    if (!p->ready)
        return;
    p->ready = false;
    free(p->ext);
    p->ext = NULL;
    p->n = p->cap = 0;
    pthread_rwlock_destroy(&p->lock);
}

static int slot_alloc(struct p2m *p)
{
    for (unsigned w = 0; w < P2M_MAX_SLOTS / 64; w++) {
        if (p->slot_used[w] == ~0ULL)
            continue;
        int b = __builtin_ctzll(~p->slot_used[w]);
        p->slot_used[w] |= 1ULL << b;
        return (int)(w * 64 + (unsigned)b);
    }
    return -ENOSPC;
}

static void slot_free(struct p2m *p, int slot)
{
    p->slot_used[slot / 64] &= ~(1ULL << (slot % 64));
}

static int ext_install(struct p2m *p, struct p2m_ext *e)
{
    int slot = slot_alloc(p);
    int rc;

    if (slot < 0)
        return slot;
    rc = p->slot_fn ? p->slot_fn(p->slot_ctx, slot, e->gfn, e->nr, e->hva) : 0;
    if (rc < 0) {
        slot_free(p, slot);
        return rc;
    }
    e->slot = slot;
    return 0;
}

static void ext_uninstall(struct p2m *p, struct p2m_ext *e)
{
    if (e->slot < 0)
        return;
    if (p->slot_fn)
        p->slot_fn(p->slot_ctx, e->slot, e->gfn, 0, e->hva);
    slot_free(p, e->slot);
    e->slot = -1;
}

static int reserve(struct p2m *p, size_t extra)
{
    if (p->n + extra <= p->cap)
        return 0;
    size_t cap = p->cap ? p->cap * 2 : 8;
    while (cap < p->n + extra)
        cap *= 2;
    struct p2m_ext *n = realloc(p->ext, cap * sizeof(*n));
    if (!n)
        return -ENOMEM;
    p->ext = n;
    p->cap = cap;
    return 0;
}

/* First extent whose end is above gfn. */
static size_t find_first(const struct p2m *p, uint64_t gfn)
{
    size_t lo = 0, hi = p->n;

    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (p->ext[mid].gfn + p->ext[mid].nr <= gfn)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Removes [gfn, gfn+nr) from the list, splitting extents at the edges.
 * Uninstalls the slots of every touched extent; pieces left over are
 * returned in keep[0..1] (not yet installed) and must be re-inserted. */
static int cut_range(struct p2m *p, uint64_t gfn, uint64_t nr, struct p2m_ext keep[2],
                     int *nkeep, uint64_t *removed_ram)
{
    uint64_t end = gfn + nr;
    size_t i = find_first(p, gfn), j = i;

    *nkeep = 0;
    while (j < p->n && p->ext[j].gfn < end)
        j++;
    for (size_t k = i; k < j; k++) {
        struct p2m_ext *e = &p->ext[k];
        uint64_t e_end = e->gfn + e->nr;
        uint64_t lo = e->gfn > gfn ? e->gfn : gfn;
        uint64_t hi = e_end < end ? e_end : end;

        if (e->type == P2M_RAM && removed_ram)
            *removed_ram += hi - lo;
        ext_uninstall(p, e);
        if (e->gfn < gfn) {
            keep[*nkeep] = *e;
            keep[*nkeep].nr = gfn - e->gfn;
            (*nkeep)++;
        }
        if (e_end > end) {
            keep[*nkeep] = *e;
            keep[*nkeep].gfn = end;
            keep[*nkeep].off = e->off + ((end - e->gfn) << 12);
            keep[*nkeep].hva = e->hva + ((end - e->gfn) << 12);
            keep[*nkeep].nr = e_end - end;
            (*nkeep)++;
        }
    }
    memmove(&p->ext[i], &p->ext[j], (p->n - j) * sizeof(p->ext[0]));
    p->n -= j - i;
    return 0;
}

static bool joins(const struct p2m_ext *l, const struct p2m_ext *r)
{
    return l->type == r->type && l->type != P2M_GRANT && l->gfn + l->nr == r->gfn &&
           l->off + (l->nr << 12) == r->off && l->hva + (l->nr << 12) == r->hva;
}

static int insert_sorted(struct p2m *p, struct p2m_ext e)
{
    size_t i;
    int rc;

    rc = reserve(p, 1);
    if (rc < 0)
        return rc;
    i = find_first(p, e.gfn);
    /* Merge with neighbours that continue it in gfn and offset. */
    if (i > 0) {
        struct p2m_ext *l = &p->ext[i - 1];
        if (joins(l, &e)) {
            ext_uninstall(p, l);
            e.gfn = l->gfn;
            e.off = l->off;
            e.hva = l->hva;
            e.nr += l->nr;
            memmove(&p->ext[i - 1], &p->ext[i], (p->n - i) * sizeof(p->ext[0]));
            p->n--;
            i--;
        }
    }
    if (i < p->n) {
        struct p2m_ext *r = &p->ext[i];
        if (joins(&e, r)) {
            ext_uninstall(p, r);
            e.nr += r->nr;
            memmove(&p->ext[i], &p->ext[i + 1], (p->n - i - 1) * sizeof(p->ext[0]));
            p->n--;
        }
    }
    e.slot = -1;
    rc = ext_install(p, &e);
    if (rc < 0)
        return rc;
    memmove(&p->ext[i + 1], &p->ext[i], (p->n - i) * sizeof(p->ext[0]));
    p->ext[i] = e;
    p->n++;
    return 0;
}

int p2m_set(struct p2m *p, uint64_t gfn, uint64_t nr, uint64_t off, uint64_t hva,
            uint32_t type, uint64_t *replaced_ram)
{
    struct p2m_ext keep[2];
    int nkeep, rc;
    uint64_t removed = 0;

    if (nr == 0 || gfn + nr < gfn || (off & 0xfff) || (hva & 0xfff))
        return -EINVAL;
    pthread_rwlock_wrlock(&p->lock);
    rc = reserve(p, 3);
    if (rc == 0)
        rc = cut_range(p, gfn, nr, keep, &nkeep, &removed);
    for (int k = 0; rc == 0 && k < nkeep; k++)
        rc = insert_sorted(p, keep[k]);
    if (rc == 0)
        rc = insert_sorted(p, (struct p2m_ext){ .gfn = gfn, .nr = nr, .off = off, .hva = hva,
                                                .type = type, .slot = -1 });
    pthread_rwlock_unlock(&p->lock);
    if (replaced_ram)
        *replaced_ram = removed;
    return rc;
}

int p2m_clear(struct p2m *p, uint64_t gfn, uint64_t nr, uint64_t *removed_ram)
{
    struct p2m_ext keep[2];
    int nkeep, rc;
    uint64_t removed = 0;

    if (nr == 0 || gfn + nr < gfn)
        return -EINVAL;
    pthread_rwlock_wrlock(&p->lock);
    rc = reserve(p, 2);
    if (rc == 0)
        rc = cut_range(p, gfn, nr, keep, &nkeep, &removed);
    for (int k = 0; rc == 0 && k < nkeep; k++)
        rc = insert_sorted(p, keep[k]);
    pthread_rwlock_unlock(&p->lock);
    if (removed_ram)
        *removed_ram = removed;
    return rc;
}

/* Both lookups: *addr gets gfn's page as an offset in the memory file,
 * or as xen's address of it when want_hva. */
static int lookup(struct p2m *p, uint64_t gfn, bool want_hva, uint64_t *addr, uint64_t *run,
                  uint32_t *type)
{
    int rc = -ENOENT;

    pthread_rwlock_rdlock(&p->lock);
    size_t i = find_first(p, gfn);
    if (i < p->n && p->ext[i].gfn <= gfn) {
        const struct p2m_ext *e = &p->ext[i];
        if (addr)
            *addr = (want_hva ? e->hva : e->off) + ((gfn - e->gfn) << 12);
        if (run)
            *run = e->gfn + e->nr - gfn;
        if (type)
            *type = e->type;
        rc = 0;
    }
    pthread_rwlock_unlock(&p->lock);
    return rc;
}

int p2m_lookup(struct p2m *p, uint64_t gfn, uint64_t *off, uint64_t *run, uint32_t *type)
{
    return lookup(p, gfn, false, off, run, type);
}

int p2m_lookup_hva(struct p2m *p, uint64_t gfn, uint64_t *hva, uint64_t *run, uint32_t *type)
{
    return lookup(p, gfn, true, hva, run, type);
}

bool p2m_range_free(struct p2m *p, uint64_t gfn, uint64_t nr)
{
    bool free_;

    pthread_rwlock_rdlock(&p->lock);
    size_t i = find_first(p, gfn);
    free_ = !(i < p->n && p->ext[i].gfn < gfn + nr);
    pthread_rwlock_unlock(&p->lock);
    return free_;
}

uint64_t p2m_max_gfn(struct p2m *p)
{
    uint64_t max = 0;

    pthread_rwlock_rdlock(&p->lock);
    if (p->n)
        max = p->ext[p->n - 1].gfn + p->ext[p->n - 1].nr - 1;
    pthread_rwlock_unlock(&p->lock);
    return max;
}

size_t p2m_snapshot(struct p2m *p, struct p2m_ext *out, size_t max)
{
    size_t n;

    pthread_rwlock_rdlock(&p->lock);
    n = p->n < max ? p->n : max;
    memcpy(out, p->ext, n * sizeof(*out));
    pthread_rwlock_unlock(&p->lock);
    return n;
}
