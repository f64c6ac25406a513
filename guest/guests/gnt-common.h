/* Shared by gnttab-share and gnttab-revoke: the command line of the two
 * roles and waiting on memory another domain writes (no event channel:
 * these guests work with grant tables alone). */
#ifndef GNT_COMMON_H
#define GNT_COMMON_H

#include "kit.h"

struct gnt_args {
    int server;       /* role=server, else role=client */
    domid_t peer;     /* the other domain */
    grant_ref_t gref; /* first ref (server: where to grant) */
    uint64_t deadline;
    int map_ram;      /* map_at=ram: map at a RAM page, not a hole */
    int die_mapped;   /* die_mapped=1: the client exits with its map live */
};

/* role=server peer=B [gref=G] | role=client peer=A gref=G, timeout=S
 * (30), map_at=hole|ram (hole), die_mapped=0|1 (0).  Returns 0, or -1 after printing usage. */
static inline int gnt_args_parse(const char *prefix, struct gnt_args *a)
{
    uint64_t peer, gref = KIT_GNTTAB_FIRST_REF, timeout = 30;
    const char *role, *at;
    size_t len, alen;
    int have_gref;

    role = kit_cmdline_get("role", &len);
    have_gref = !kit_cmdline_u64("gref", &gref);
    kit_cmdline_u64("timeout", &timeout);
    at = kit_cmdline_get("map_at", &alen);
    a->map_ram = at && alen == 3 && !strncmp(at, "ram", 3);
    {
        uint64_t die = 0;
        kit_cmdline_u64("die_mapped", &die);
        a->die_mapped = die != 0;
    }
    a->server = role && len == 6 && !strncmp(role, "server", 6);
    if (!role || (!a->server && (len != 6 || strncmp(role, "client", 6))) ||
        kit_cmdline_u64("peer", &peer) || peer >= DOMID_FIRST_RESERVED ||
        (!a->server && !have_gref) || gref > 0xffffff) {
        printf("%sFAIL: usage: role=server peer=DOMID [gref=REF] | "
               "role=client peer=DOMID gref=REF [timeout=S] "
               "[map_at=hole|ram] [die_mapped=1]\n",
               prefix);
        return -1;
    }
    a->peer = (domid_t)peer;
    a->gref = (grant_ref_t)gref;
    /* a timer makes waits sleep instead of yield, when there is one */
    kit_timer_port();
    a->deadline = kit_now_ns() + timeout * 1000000000ull;
    return 0;
}

/* Waits until *p == want (0) or the deadline (-1). */
static inline int gnt_wait_u32(volatile uint32_t *p, uint32_t want,
                               uint64_t deadline)
{
    while (__atomic_load_n(p, __ATOMIC_ACQUIRE) != want) {
        if (kit_now_ns() >= deadline)
            return -1;
        kit_relax();
    }
    return 0;
}

/* Waits until the entry's flags have none of mask (0) or the deadline. */
static inline int gnt_wait_flags_clear(grant_ref_t ref, uint16_t mask,
                                       uint64_t deadline)
{
    volatile grant_entry_v1_t *e = kit_gnttab_entry(ref);

    while (e->flags & mask) {
        if (kit_now_ns() >= deadline)
            return -1;
        kit_relax();
    }
    return 0;
}

/* Where the client maps a grant: a hole above RAM (as Linux maps into
 * unpopulated space), or with map_at=ram a RAM page given up for it. */
static inline uint64_t gnt_map_addr(const struct gnt_args *a)
{
    uint64_t gpa = a->map_ram ? 0 : kit_unpopulated_alloc(1);

    return gpa ? gpa : (uintptr_t)kit_page_alloc(1);
}

#endif
