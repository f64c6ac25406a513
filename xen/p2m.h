/* The physical-to-machine map of a domain: which guest frames are backed,
 * and where in the domain's memory file their pages live.
 *
 * A domain's memory is one memfd, mapped once into xen at p2m.base.  Guest
 * frames map to file offsets through a sorted list of extents; each extent
 * is one KVM memory slot.  Extents that touch in both frame number and file
 * offset, and have the same type, are merged.
 *
 * The p2m knows nothing of KVM: changes are reported through a callback so
 * tests can drive it directly.  p2m.lock (rwlock) protects the extent list.
 */
#ifndef XK_P2M_H
#define XK_P2M_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum p2m_type {
    P2M_RAM = 1,      /* guest RAM, counted in tot_pages */
    P2M_XEN = 2,      /* a page xen owns (shared info, grant frames) */
    P2M_GRANT = 3,    /* another domain's page, mapped through a grant */
};

struct p2m_ext {
    uint64_t gfn;
    uint64_t nr;      /* pages */
    uint64_t off;     /* byte offset in the owner's memory file */
    uint64_t hva;     /* where the first page is mapped in xen */
    uint32_t type;
    int32_t slot;     /* KVM memory slot, or -1 */
};

/* Called to install (nr > 0) or delete (nr == 0) a memory slot. */
typedef int (*p2m_slot_fn)(void *ctx, int slot, uint64_t gfn, uint64_t nr, uint64_t hva);

#define P2M_MAX_SLOTS 4096

struct p2m {
    pthread_rwlock_t lock;
    struct p2m_ext *ext;
    size_t n, cap;
    uint64_t slot_used[P2M_MAX_SLOTS / 64];
    p2m_slot_fn slot_fn;
    void *slot_ctx;
    bool ready;
};

int p2m_init(struct p2m *p, p2m_slot_fn fn, void *ctx);
void p2m_fini(struct p2m *p);

/* Maps [gfn, gfn+nr) to file offset off (seen by xen at hva) with type,
 * replacing whatever was mapped there.  *replaced_ram (optional) gets the
 * number of RAM pages that were unmapped by the replacement.  Grant
 * extents are never merged.  0 or -errno. */
int p2m_set(struct p2m *p, uint64_t gfn, uint64_t nr, uint64_t off, uint64_t hva,
            uint32_t type, uint64_t *replaced_ram);

/* Unmaps [gfn, gfn+nr); *removed_ram gets the RAM pages removed. */
int p2m_clear(struct p2m *p, uint64_t gfn, uint64_t nr, uint64_t *removed_ram);

/* Looks up gfn.  Returns 0 and the byte offset of gfn's page (and the
 * number of pages from gfn to the end of its extent) or -ENOENT. */
int p2m_lookup(struct p2m *p, uint64_t gfn, uint64_t *off, uint64_t *run, uint32_t *type);
/* As p2m_lookup, giving xen's address of gfn's page. */
int p2m_lookup_hva(struct p2m *p, uint64_t gfn, uint64_t *hva, uint64_t *run, uint32_t *type);

/* True when nothing is mapped in [gfn, gfn+nr). */
bool p2m_range_free(struct p2m *p, uint64_t gfn, uint64_t nr);

/* Highest mapped gfn, or 0 when empty. */
uint64_t p2m_max_gfn(struct p2m *p);
/* Copies out the extents (for dumps and tests); returns the count. */
size_t p2m_snapshot(struct p2m *p, struct p2m_ext *out, size_t max);

#endif
