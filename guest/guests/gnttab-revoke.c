/* gnttab-revoke: a grant the peer has mapped cannot be revoked; once
 * unmapped it can, and then it cannot be mapped again.  Command lines:
 *
 *   role=server peer=B [gref=G] [timeout=S]
 *   role=client peer=A gref=G [timeout=S] [map_at=hole|ram]
 *
 * The server grants three pages to B: a mailbox at ref G+1, a data page at
 * ref G (read-write) and one at ref G+2 read-only, and prints
 *
 *   gnttab-revoke: server ready domid=A peer=B gref=G
 *
 * The client maps the mailbox and the data page read-write and ref G+2
 * with GNTMAP_readonly (mapping G+2 writable must fail).  Then, step by
 * step through the mailbox:
 *
 *   1. the server sees GTF_writing on G and GTF_reading without
 *      GTF_writing on G+2; revoking either must be refused (-EBUSY) and
 *      leave the entry intact;
 *   2. the client writes through its mapping of G again: the mapping
 *      still works after the refused revoke;
 *   3. the client unmaps G and G+2; the server waits until their flags
 *      are clear and revokes both;
 *   4. the client tries to map G again, which must fail, and reports the
 *      status; the server checks the entry stayed clear;
 *   5. the client unmaps the mailbox and the server revokes it.
 *
 *   gnttab-revoke: server refused revoke while mapped flags=0xF ro_flags=0xF
 *   gnttab-revoke: server OK gref=G
 *   gnttab-revoke: client OK gref=G remap_status=GNTST_...
 *
 * Failures: "gnttab-revoke: FAIL: ..." (crash); "gnttab-revoke: SKIP:
 * ..." when a grant table hypercall returns -ENOSYS (poweroff). */
#include "gnt-common.h"

#define P "gnttab-revoke: "
#define MAGIC 0x5245564bu

struct mailbox {
    uint32_t magic;
    volatile uint32_t server_step; /* the step the server reached */
    volatile uint32_t client_step; /* the step the client reached */
    volatile int32_t remap_status; /* step 4: status of the remap */
    volatile uint32_t token;       /* step 2: written through G */
};

static int wait_step(volatile uint32_t *step, uint32_t want,
                     const struct gnt_args *a, const char *who)
{
    if (gnt_wait_u32(step, want, a->deadline)) {
        printf(P "FAIL: %s: the peer never reached step %u (at %u)\n", who,
               want, *step);
        return -1;
    }
    return 0;
}

static int server(const struct gnt_args *a)
{
    grant_ref_t g = a->gref, mb_ref = a->gref + 1, ro_ref = a->gref + 2;
    volatile grant_entry_v1_t *e, *ro;
    struct mailbox *mb;
    uint32_t *data;
    char *pages;
    const char *step = NULL;
    uint16_t f, rof;
    int16_t st;
    long rc;

    rc = kit_gnttab_init((a->gref + 2) / 512 + 1, &st, &step); /* reach the ref */
    if (rc == -XEN_ENOSYS)
        return kit_skip_or_fail(P, step, rc);
    if (rc) {
        printf(P "FAIL: grant table set-up: %s: %ld (%s) status %d (%s)\n",
               step ? step : "?", rc, kit_errname(rc), st, kit_gntst_name(st));
        return 1;
    }
    if (ro_ref >= kit_gnttab_nr_entries()) {
        printf(P "FAIL: gref=%u leaves no room for refs up to %u\n", g,
               ro_ref);
        return 1;
    }
    pages = kit_page_alloc(3);
    mb = (struct mailbox *)(void *)pages;
    data = (uint32_t *)(void *)(pages + 4096);
    mb->magic = MAGIC;
    data[0] = MAGIC;
    ((uint32_t *)(void *)(pages + 8192))[0] = MAGIC;
    rc = kit_gnttab_grant_ref(mb_ref, a->peer, (uintptr_t)pages >> 12, 0);
    if (!rc)
        rc = kit_gnttab_grant_ref(g, a->peer, ((uintptr_t)pages >> 12) + 1, 0);
    if (!rc)
        rc = kit_gnttab_grant_ref(ro_ref, a->peer,
                                  ((uintptr_t)pages >> 12) + 2, 1);
    if (rc) {
        printf(P "FAIL: granting: %ld (%s)\n", rc, kit_errname(rc));
        return 1;
    }
    e = kit_gnttab_entry(g);
    ro = kit_gnttab_entry(ro_ref);
    printf(P "server ready domid=%d peer=%u gref=%u\n", kit_domid(), a->peer,
           g);

    /* 1: mapped, so revoking is refused */
    if (wait_step(&mb->client_step, 1, a, "server"))
        return 1;
    f = e->flags;
    rof = ro->flags;
    if (!(f & GTF_writing) || !(rof & GTF_reading) || (rof & GTF_writing)) {
        printf(P "FAIL: while mapped: ref %u flags %#x (want GTF_writing), "
                 "read-only ref %u flags %#x (want GTF_reading only)\n",
               g, f, ro_ref, rof);
        return 1;
    }
    if ((rc = kit_gnttab_revoke(g)) != -XEN_EBUSY ||
        (rc = kit_gnttab_revoke(ro_ref)) != -XEN_EBUSY) {
        printf(P "FAIL: revoking a mapped grant gave %ld, not -EBUSY\n", rc);
        return 1;
    }
    if (!(e->flags & GTF_permit_access) || !(ro->flags & GTF_permit_access) ||
        e->domid != a->peer || e->frame != ((uintptr_t)pages >> 12) + 1) {
        printf(P "FAIL: the refused revoke changed the entry (flags %#x)\n",
               e->flags);
        return 1;
    }
    printf(P "server refused revoke while mapped flags=%#x ro_flags=%#x\n", f,
           rof);

    /* 2: the mapping still works */
    __atomic_store_n(&mb->server_step, 2, __ATOMIC_RELEASE);
    if (wait_step(&mb->client_step, 2, a, "server"))
        return 1;
    if (data[1] != mb->token || !mb->token) {
        printf(P "FAIL: the client's write through ref %u did not arrive "
                 "(%#x, token %#x)\n",
               g, data[1], mb->token);
        return 1;
    }

    /* 3: unmapped, so revoking works */
    __atomic_store_n(&mb->server_step, 3, __ATOMIC_RELEASE);
    if (gnt_wait_flags_clear(g, GTF_reading | GTF_writing, a->deadline) ||
        gnt_wait_flags_clear(ro_ref, GTF_reading | GTF_writing, a->deadline)) {
        printf(P "FAIL: still mapped at the timeout: flags %#x and %#x\n",
               e->flags, ro->flags);
        return 1;
    }
    if ((rc = kit_gnttab_revoke(g)) || (rc = kit_gnttab_revoke(ro_ref))) {
        printf(P "FAIL: revoking after the unmap: %ld (%s)\n", rc,
               kit_errname(rc));
        return 1;
    }

    /* 4: a revoked grant cannot be mapped */
    __atomic_store_n(&mb->server_step, 4, __ATOMIC_RELEASE);
    if (wait_step(&mb->client_step, 4, a, "server"))
        return 1;
    if (mb->remap_status == GNTST_okay || e->flags) {
        printf(P "FAIL: the revoked ref %u was mapped again (status %d, "
                 "flags %#x)\n",
               g, mb->remap_status, e->flags);
        return 1;
    }

    /* 5: the mailbox */
    __atomic_store_n(&mb->server_step, 5, __ATOMIC_RELEASE);
    if (gnt_wait_flags_clear(mb_ref, GTF_reading | GTF_writing, a->deadline) ||
        (rc = kit_gnttab_revoke(mb_ref))) {
        printf(P "FAIL: revoking the mailbox: flags %#x\n",
               kit_gnttab_entry(mb_ref)->flags);
        return 1;
    }
    printf(P "server OK gref=%u\n", g);
    return 0;
}

static int client(const struct gnt_args *a)
{
    grant_ref_t g = a->gref, mb_ref = a->gref + 1, ro_ref = a->gref + 2;
    uint64_t mb_gpa = gnt_map_addr(a), d_gpa = gnt_map_addr(a),
             ro_gpa = gnt_map_addr(a);
    volatile struct mailbox *mb = (volatile struct mailbox *)(uintptr_t)mb_gpa;
    volatile uint32_t *data = (volatile uint32_t *)(uintptr_t)d_gpa;
    grant_handle_t mb_h, d_h, ro_h, x_h;
    int16_t st, remap;
    long rc;

    for (;;) {
        rc = kit_gnttab_map(a->peer, mb_ref, mb_gpa, 0, &st, &mb_h);
        if (rc || st != GNTST_bad_gntref || kit_now_ns() >= a->deadline)
            break;
        kit_relax(); /* not granted yet */
    }
    if (rc)
        return kit_skip_or_fail(P, "GNTTABOP_map_grant_ref", rc);
    if (st || mb->magic != MAGIC) {
        printf(P "FAIL: mapping the mailbox (ref %u): status %d (%s)\n",
               mb_ref, st, kit_gntst_name(st));
        return 1;
    }
    rc = kit_gnttab_map(a->peer, ro_ref, ro_gpa, 0, &st, &x_h);
    if (!rc && st == GNTST_okay) {
        printf(P "FAIL: the read-only grant %u was mapped writable\n", ro_ref);
        return 1;
    }
    rc = kit_gnttab_map(a->peer, g, d_gpa, 0, &st, &d_h);
    if (rc || st || data[0] != MAGIC) {
        printf(P "FAIL: mapping ref %u: %ld status %d (%s)\n", g, rc, st,
               kit_gntst_name(st));
        return 1;
    }
    rc = kit_gnttab_map(a->peer, ro_ref, ro_gpa, 1, &st, &ro_h);
    if (rc || st || *(volatile uint32_t *)(uintptr_t)ro_gpa != MAGIC) {
        printf(P "FAIL: mapping ref %u read-only: %ld status %d (%s)\n",
               ro_ref, rc, st, kit_gntst_name(st));
        return 1;
    }
    __atomic_store_n(&mb->client_step, 1, __ATOMIC_RELEASE);

    if (wait_step(&mb->server_step, 2, a, "client"))
        return 1;
    mb->token = (uint32_t)kit_rdtsc() | 1;
    data[1] = mb->token;
    __atomic_store_n(&mb->client_step, 2, __ATOMIC_RELEASE);

    if (wait_step(&mb->server_step, 3, a, "client"))
        return 1;
    rc = kit_gnttab_unmap(d_gpa, d_h, &st);
    if (!rc && !st)
        rc = kit_gnttab_unmap(ro_gpa, ro_h, &st);
    if (rc || st) {
        printf(P "FAIL: unmapping: %ld status %d (%s)\n", rc, st,
               kit_gntst_name(st));
        return 1;
    }

    if (wait_step(&mb->server_step, 4, a, "client"))
        return 1;
    rc = kit_gnttab_map(a->peer, g, d_gpa, 0, &remap, &d_h);
    if (!rc && remap == GNTST_okay) {
        kit_gnttab_unmap(d_gpa, d_h, &st);
        printf(P "FAIL: mapped ref %u after it was revoked\n", g);
        mb->remap_status = GNTST_okay;
        __atomic_store_n(&mb->client_step, 4, __ATOMIC_RELEASE);
        return 1;
    }
    mb->remap_status = rc ? GNTST_general_error : remap;
    __atomic_store_n(&mb->client_step, 4, __ATOMIC_RELEASE);

    if (wait_step(&mb->server_step, 5, a, "client"))
        return 1;
    rc = kit_gnttab_unmap(mb_gpa, mb_h, &st);
    if (rc || st) {
        printf(P "FAIL: unmapping the mailbox: %ld status %d (%s)\n", rc, st,
               kit_gntst_name(st));
        return 1;
    }
    printf(P "client OK gref=%u remap_status=%s\n", g, kit_gntst_name(remap));
    return 0;
}

int guest_main(void)
{
    struct gnt_args a;

    if (gnt_args_parse(P, &a))
        return 1;
    return a.server ? server(&a) : client(&a);
}
