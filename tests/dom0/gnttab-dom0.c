/* gnttab-dom0: libxengnttab against a real xen, on the grant entries the
 * builder seeds in every new guest (0: console page, 1: xenstore page,
 * both granted to dom0).  Prints TAP. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "xenctrl.h"
#include "xengnttab.h"
#include "xktest.h"

static int n, failed;

static void ok(int cond, const char *what)
{
    printf("%sok %d - %s\n", cond ? "" : "not ", ++n, what);
    if (!cond)
        failed = 1;
}

int main(int argc, char **argv)
{
    xc_interface *xch;
    xengnttab_handle *g;
    char err[256];
    uint32_t d;

    printf("1..10\n");
    if (argc < 2)
        return 1;
    xch = xc_interface_open(NULL, NULL, 0);
    g = xengnttab_open(NULL, 0);
    ok(xch && g, "open");
    if (!xch || !g || xkt_build(xch, argv[1], 16, 1, NULL, &d, err, sizeof(err)) < 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    uint8_t *con = xengnttab_map_grant_ref(g, d, 0, PROT_READ | PROT_WRITE);
    ok(con != NULL, "dom0 maps the guest's console page (grant 0)");
    /* The same page seen through a foreign mapping of the console gfn. */
    uint8_t *fm = xc_map_foreign_range(xch, d, 4096, PROT_READ | PROT_WRITE, 0xfefff);
    if (con && fm) {
        con[100] = 0x5a;
        ok(fm[100] == 0x5a, "it is the page at the console gfn");
    } else {
        ok(0, "it is the page at the console gfn");
    }
    ok(xengnttab_map_grant_ref(g, d, 2, PROT_READ) == NULL, "grant 2 is not granted: refused");
    ok(xengnttab_map_grant_ref(g, 4242, 0, PROT_READ) == NULL && errno == ESRCH,
       "a missing domain is refused");

    char hello[] = "grant copy";
    char back[16] = "";
    xengnttab_grant_copy_segment_t seg[2];
    memset(seg, 0, sizeof(seg));
    seg[0].source.virt = hello;
    seg[0].dest.foreign.domid = (uint16_t)d;
    seg[0].dest.foreign.ref = 1;
    seg[0].dest.foreign.offset = 2000;
    seg[0].len = sizeof(hello);
    seg[0].flags = GNTCOPY_dest_gref;
    seg[1].source.foreign.domid = (uint16_t)d;
    seg[1].source.foreign.ref = 1;
    seg[1].source.foreign.offset = 2000;
    seg[1].dest.virt = back;
    seg[1].len = sizeof(hello);
    seg[1].flags = GNTCOPY_source_gref;
    ok(xengnttab_grant_copy(g, 2, seg) == 0 && seg[0].status == GNTST_okay &&
       seg[1].status == GNTST_okay && !strcmp(back, hello), "grant copy to and from a guest");
    seg[0].dest.foreign.offset = 4090;
    xengnttab_grant_copy(g, 1, seg);
    ok(seg[0].status == GNTST_bad_copy_arg, "a copy across the page end is refused");

    /* A long batch (more segments and bytes than one message holds) with
     * bad segments among good ones: each gets its own status, in order. */
    enum { NSEG = 150 };
    static xengnttab_grant_copy_segment_t many[NSEG];
    static uint8_t src[NSEG][64], dst[NSEG][64];
    static uint8_t big[4096];
    memset(many, 0, sizeof(many));
    memset(big, 0x77, sizeof(big));
    for (int i = 0; i < NSEG; i++) {
        memset(src[i], i, sizeof(src[i]));
        if (i % 3 == 0) {           /* write 64 bytes at offset (i/3)%60*64 */
            many[i].source.virt = src[i];
            many[i].dest.foreign.domid = (uint16_t)d;
            many[i].dest.foreign.ref = i == 42 ? 4000 : 1;  /* 42: bad ref */
            many[i].dest.foreign.offset = (uint16_t)((i / 3) % 60 * 64);
            many[i].len = 64;
            many[i].flags = GNTCOPY_dest_gref;
        } else if (i % 3 == 1) {    /* read back what i-1 wrote */
            many[i].source.foreign.domid = (uint16_t)d;
            many[i].source.foreign.ref = 1;
            many[i].source.foreign.offset = (uint16_t)((i / 3) % 60 * 64);
            many[i].dest.virt = dst[i];
            many[i].len = 64;
            many[i].flags = GNTCOPY_source_gref;
        } else {                    /* a whole page: many bytes per batch */
            many[i].source.virt = big;
            many[i].dest.foreign.domid = (uint16_t)d;
            many[i].dest.foreign.ref = 1;
            many[i].len = i == 71 ? 4097 : 4096;                 /* 71: too long */
            many[i].flags = i == 101 ? 0 : GNTCOPY_dest_gref;    /* 101: no grant side */
        }
    }
    /* each whole-page write clobbers what the pair before it wrote, so a
     * read sees its own write only if the batch keeps order */
    int bad = 0;
    int rc = xengnttab_grant_copy(g, NSEG, many);
    for (int i = 0; i < NSEG; i++) {
        int16_t want = i == 42 ? GNTST_bad_gntref : i == 71 ? GNTST_bad_copy_arg
                     : i == 101 ? GNTST_general_error : GNTST_okay;
        if (many[i].status != want) {
            fprintf(stderr, "# segment %d: status %d, expected %d\n", i, many[i].status, want);
            bad++;
        }
        if (i % 3 == 1 && i != 43 && memcmp(dst[i], src[i - 1], 64)) {
            fprintf(stderr, "# segment %d read back the wrong bytes\n", i);
            bad++;
        }
    }
    ok(rc == 0 && bad == 0, "a 150-segment batch: per-segment statuses, in order");

    ok(con && xengnttab_unmap(g, con, 1) == 0, "unmap");
    ok(xengnttab_unmap(g, con, 1) < 0, "a second unmap fails");
    if (fm)
        munmap(fm, 4096);
    xc_domain_destroy(xch, d);
    xengnttab_close(g);
    xc_interface_close(xch);
    return failed;
}
