/* gnttab-share: domain A grants a page to domain B; B maps it, both
 * write and check each other's half, B unmaps, A revokes.  Command lines:
 *
 *   role=server peer=B [gref=G] [timeout=S]
 *   role=client peer=A gref=G [timeout=S] [map_at=hole|ram] [die_mapped=1]
 *
 * (G defaults to 8, the first ref after the toolstack's; timeout 30 s).
 * The server fills the first half of a page with its pattern, grants it
 * to B read-write at ref G and prints
 *
 *   gnttab-share: server ready domid=A peer=B gref=G frame=F
 *
 * The client copies the first 256 bytes through GNTTABOP_copy and checks
 * them, maps the grant (GNTMAP_host_map at a hole above its RAM, or a RAM
 * page with map_at=ram), checks the server's half, writes its pattern to
 * the second half, and raises a flag in the page.  The server then sees
 * GTF_writing in its entry, checks the client's half and answers in the
 * page; the client unmaps; the server waits until GTF_reading and
 * GTF_writing are gone and revokes the grant.
 *
 *   gnttab-share: client OK gref=G mapped_at=0xADDR copy=ok|skipped
 *   gnttab-share: server OK gref=G flags_while_mapped=0xF
 *
 * With die_mapped=1 the client powers off with the grant still mapped,
 * printing "gnttab-share: client leaves gref=G mapped"; the server's
 * entry must lose GTF_reading|GTF_writing once the toolstack destroys
 * the client, and the revoke must then succeed.
 *
 * Failures: "gnttab-share: FAIL: ..." (crash); "gnttab-share: SKIP: ..."
 * when a grant table hypercall returns -ENOSYS (poweroff; copy alone
 * returning -ENOSYS only gives copy=skipped). */
#include "gnt-common.h"

#define P "gnttab-share: "
#define MAGIC_A 0x41414141u
#define MAGIC_B 0x42424242u
#define HALF 2048

struct share {
    uint32_t magic;                   /* MAGIC_A: the server filled it */
    uint32_t server_domid;
    volatile uint32_t client_wrote;   /* MAGIC_B: client half written */
    volatile uint32_t server_checked; /* MAGIC_A: server checked it */
};

static uint8_t pattern(unsigned int i, unsigned int seed)
{
    return (uint8_t)(i * 13u + seed * 7u + 1u);
}

/* First byte of [from, to) that differs from the pattern, or -1. */
static long check_pattern(const volatile uint8_t *p, unsigned int from,
                          unsigned int to, unsigned int seed)
{
    unsigned int i;

    for (i = from; i < to; i++)
        if (p[i] != pattern(i, seed))
            return i;
    return -1;
}

static int server(const struct gnt_args *a)
{
    struct share *s;
    uint8_t *page;
    const char *step = NULL;
    int16_t st;
    uint16_t flags;
    unsigned int i;
    long rc, bad;

    rc = kit_gnttab_init(a->gref / 512 + 1, &st, &step); /* reach the ref */
    if (rc == -XEN_ENOSYS)
        return kit_skip_or_fail(P, step, rc);
    if (rc) {
        printf(P "FAIL: grant table set-up: %s: %ld (%s) status %d (%s)\n",
               step ? step : "?", rc, kit_errname(rc), st, kit_gntst_name(st));
        return 1;
    }
    page = kit_page_alloc(1);
    s = (struct share *)page;
    for (i = sizeof(*s); i < HALF; i++)
        page[i] = pattern(i, a->peer);
    s->server_domid = (uint32_t)kit_domid();
    s->magic = MAGIC_A;
    rc = kit_gnttab_grant_ref(a->gref, a->peer, (uintptr_t)page >> 12, 0);
    if (rc) {
        printf(P "FAIL: granting ref %u: %ld (%s)\n", a->gref, rc,
               kit_errname(rc));
        return 1;
    }
    printf(P "server ready domid=%d peer=%u gref=%u frame=%#lx\n", kit_domid(),
           a->peer, a->gref, (uintptr_t)page >> 12);

    if (gnt_wait_u32(&s->client_wrote, MAGIC_B, a->deadline)) {
        printf(P "FAIL: d%u never wrote its half of ref %u (flags %#x)\n",
               a->peer, a->gref, kit_gnttab_entry(a->gref)->flags);
        return 1;
    }
    flags = kit_gnttab_entry(a->gref)->flags;
    if (!(flags & GTF_writing)) {
        printf(P "FAIL: ref %u mapped writable by d%u but flags %#x lack "
                 "GTF_writing\n",
               a->gref, a->peer, flags);
        return 1;
    }
    if ((bad = check_pattern(page, HALF, 4096, a->peer + 1000u)) >= 0) {
        printf(P "FAIL: client half differs at byte %ld: %#x\n", bad,
               page[bad]);
        return 1;
    }
    if ((bad = check_pattern(page, sizeof(*s), HALF, a->peer)) >= 0) {
        printf(P "FAIL: our half changed at byte %ld: %#x\n", bad, page[bad]);
        return 1;
    }
    __atomic_store_n(&s->server_checked, MAGIC_A, __ATOMIC_RELEASE);

    if (gnt_wait_flags_clear(a->gref, GTF_reading | GTF_writing,
                             a->deadline)) {
        printf(P "FAIL: ref %u still mapped (flags %#x) at the timeout\n",
               a->gref, kit_gnttab_entry(a->gref)->flags);
        return 1;
    }
    rc = kit_gnttab_revoke(a->gref);
    if (rc) {
        printf(P "FAIL: revoking ref %u after the unmap: %ld (%s), flags "
                 "%#x\n",
               a->gref, rc, kit_errname(rc), kit_gnttab_entry(a->gref)->flags);
        return 1;
    }
    printf(P "server OK gref=%u flags_while_mapped=%#x\n", a->gref, flags);
    return 0;
}

static int client(const struct gnt_args *a)
{
    uint8_t *local = kit_page_alloc(1);
    uint64_t gpa = gnt_map_addr(a);
    volatile uint8_t *page = (volatile uint8_t *)(uintptr_t)gpa;
    volatile struct share *s = (volatile struct share *)page;
    const char *copy = "ok";
    grant_handle_t h;
    int16_t st;
    unsigned int i;
    long rc, bad;

    /* the server may not have granted yet */
    for (;;) {
        rc = kit_gnttab_copy_from(a->peer, a->gref, 0,
                                  (uintptr_t)local >> 12, 0, 256, &st);
        if (rc || st != GNTST_bad_gntref || kit_now_ns() >= a->deadline)
            break;
        kit_relax();
    }
    if (rc == -XEN_ENOSYS) {
        copy = "skipped";
        printf(P "GNTTABOP_copy returned %ld (%s): copy skipped\n", rc,
               kit_errname(rc));
    } else if (rc || st) {
        printf(P "FAIL: GNTTABOP_copy from d%u ref %u: %ld (%s) status %d "
                 "(%s)\n",
               a->peer, a->gref, rc, kit_errname(rc), st, kit_gntst_name(st));
        return 1;
    } else {
        if (*(uint32_t *)local != MAGIC_A) {
            printf(P "FAIL: copied page starts with %#x, not the server's "
                     "magic\n",
                   *(uint32_t *)local);
            return 1;
        }
        if ((bad = check_pattern(local, sizeof(struct share), 256, kit_domid())) >= 0) {
            printf(P "FAIL: copied byte %ld is %#x\n", bad, local[bad]);
            return 1;
        }
    }

    for (;;) {
        rc = kit_gnttab_map(a->peer, a->gref, gpa, 0, &st, &h);
        if (rc || st != GNTST_bad_gntref || kit_now_ns() >= a->deadline)
            break;
        kit_relax();
    }
    if (rc)
        return kit_skip_or_fail(P, "GNTTABOP_map_grant_ref", rc);
    if (st) {
        printf(P "FAIL: mapping d%u ref %u at %#lx: status %d (%s)\n",
               a->peer, a->gref, gpa, st, kit_gntst_name(st));
        return 1;
    }
    if (s->magic != MAGIC_A ||
        (bad = check_pattern(page, sizeof(struct share), HALF, kit_domid())) >= 0) {
        printf(P "FAIL: the mapped page is not the server's (magic %#x)\n",
               s->magic);
        return 1;
    }
    for (i = HALF; i < 4096; i++)
        page[i] = pattern(i, kit_domid() + 1000u);
    __atomic_store_n(&s->client_wrote, MAGIC_B, __ATOMIC_RELEASE);
    if (gnt_wait_u32(&s->server_checked, MAGIC_A, a->deadline)) {
        printf(P "FAIL: d%u never checked our half\n", a->peer);
        return 1;
    }
    if ((bad = check_pattern(page, HALF, 4096, kit_domid() + 1000u)) >= 0) {
        printf(P "FAIL: our half changed at byte %ld\n", bad);
        return 1;
    }
    if (a->die_mapped) {
        printf(P "client leaves gref=%u mapped at=%#lx\n", a->gref, gpa);
        return 0;
    }
    rc = kit_gnttab_unmap(gpa, h, &st);
    if (rc || st) {
        printf(P "FAIL: unmapping: %ld (%s) status %d (%s)\n", rc,
               kit_errname(rc), st, kit_gntst_name(st));
        return 1;
    }
    printf(P "client OK gref=%u mapped_at=%#lx copy=%s\n", a->gref, gpa, copy);
    return 0;
}

int guest_main(void)
{
    struct gnt_args a;

    if (gnt_args_parse(P, &a))
        return 1;
    return a.server ? server(&a) : client(&a);
}
