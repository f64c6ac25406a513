/* Grant entry validation and pin counts, as a table of operations. */
#include "config.h"

#include <glib.h>
#include <stdint.h>
#include <string.h>

#include "gnttab-core.h"

enum act { END = 0, PIN_RO, PIN_RW, UNPIN_RO, UNPIN_RW, SET_FLAGS, REVOKE };

struct step {
    enum act act;
    uint16_t arg;           /* SET_FLAGS: flags; PIN: the mapper's domid */
    int expect;             /* PIN: GNTST_*; REVOKE: 1 = revoked */
    uint16_t flags_after;   /* GTF_reading|GTF_writing bits expected after */
};

#define INUSE (GTF_reading | GTF_writing)

static const struct {
    const char *name;
    struct step steps[10];
} cases[] = {
    { "ro-map-then-unmap", {
        { PIN_RO, 2, GNTST_okay, GTF_reading },
        { UNPIN_RO, 0, 0, 0 },
        { REVOKE, 0, 1, 0 } } },
    { "rw-map-sets-writing", {
        { PIN_RW, 2, GNTST_okay, GTF_reading | GTF_writing },
        { REVOKE, 0, 0, GTF_reading | GTF_writing },     /* refused while mapped */
        { UNPIN_RW, 0, 0, 0 },
        { REVOKE, 0, 1, 0 } } },
    { "wrong-domain", {
        { PIN_RO, 3, GNTST_permission_denied, 0 } } },
    { "readonly-grant-refuses-write", {
        { SET_FLAGS, GTF_permit_access | GTF_readonly, 0, 0 },
        { PIN_RW, 2, GNTST_permission_denied, 0 },
        { PIN_RO, 2, GNTST_okay, GTF_reading } } },
    { "invalid-entry", {
        { SET_FLAGS, GTF_invalid, 0, 0 },
        { PIN_RO, 2, GNTST_permission_denied, 0 } } },
    { "transfer-entry", {
        { SET_FLAGS, GTF_accept_transfer, 0, 0 },
        { PIN_RO, 2, GNTST_permission_denied, 0 } } },
    { "counts-nest", {
        { PIN_RO, 2, GNTST_okay, GTF_reading },
        { PIN_RW, 2, GNTST_okay, GTF_reading | GTF_writing },
        { PIN_RO, 2, GNTST_okay, GTF_reading | GTF_writing },
        { UNPIN_RW, 0, 0, GTF_reading },                 /* writers gone */
        { UNPIN_RO, 0, 0, GTF_reading },
        { UNPIN_RO, 0, 0, 0 },
        { UNPIN_RO, 0, 0, 0 } } },                       /* extra unpin: harmless */
};

/* The guest's revoke: clear the flags only if no in-use bit is set. */
static int guest_revoke(grant_entry_v1_t *e)
{
    uint16_t f = __atomic_load_n(&e->flags, __ATOMIC_SEQ_CST);
    if (f & INUSE)
        return 0;
    return __atomic_compare_exchange_n(&e->flags, &f, 0, false, __ATOMIC_SEQ_CST,
                                       __ATOMIC_SEQ_CST);
}

static void test_table(void)
{
    for (size_t c = 0; c < G_N_ELEMENTS(cases); c++) {
        grant_entry_v1_t e = { .flags = GTF_permit_access, .domid = 2, .frame = 0x1234 };
        struct gnttab_active a = { 0 };
        for (size_t i = 0; i < G_N_ELEMENTS(cases[c].steps); i++) {
            const struct step *s = &cases[c].steps[i];
            uint64_t frame = 0;
            int r = 0;
            if (s->act == END)
                break;
            switch (s->act) {
            case END:
                break;
            case PIN_RO:
            case PIN_RW:
                r = gnttab_pin_entry(&e, &a, s->arg, s->act == PIN_RO, &frame);
                if (r != s->expect)
                    g_error("%s step %zu: pin gave %d, expected %d", cases[c].name, i, r, s->expect);
                if (r == GNTST_okay)
                    g_assert_cmphex(frame, ==, 0x1234);
                break;
            case UNPIN_RO:
            case UNPIN_RW:
                gnttab_unpin_entry(&e, &a, s->act == UNPIN_RO);
                break;
            case SET_FLAGS:
                e.flags = s->arg;
                continue;
            case REVOKE:
                r = guest_revoke(&e);
                if (r != s->expect)
                    g_error("%s step %zu: revoke gave %d", cases[c].name, i, r);
                break;
            }
            if ((e.flags & INUSE) != s->flags_after)
                g_error("%s step %zu: in-use bits %#x, expected %#x", cases[c].name, i,
                        e.flags & INUSE, s->flags_after);
        }
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/gnttab/table", test_table);
    return g_test_run();
}
