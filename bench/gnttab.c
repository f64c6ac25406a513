/* gnttab: grant copy throughput and map+unmap rate, from dom0, on the
 * grant entries a new guest grants dom0 (0: console page, 1: xenstore).
 *   gnttab KERNEL SECONDS  prints copy_mb_s (16 ops per call), copy_single_mb_s
 *                          (one op per call), floor_memcpy_mb_s, map_unmap_s */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "xenctrl.h"
#include "xengnttab.h"
#include "xktest.h"

int main(int argc, char **argv)
{
    static char buf[4096], dst[4096];
    xc_interface *xch;
    xengnttab_handle *g;
    char err[256];
    uint32_t d;

    if (argc != 3)
        return 2;
    double secs = atof(argv[2]);
    uint64_t span = (uint64_t)(secs * 1e9);
    xch = xc_interface_open(NULL, NULL, 0);
    g = xengnttab_open(NULL, 0);
    if (!xch || !g || xkt_build(xch, argv[1], 16, 1, NULL, &d, err, sizeof(err)) < 0) {
        fprintf(stderr, "gnttab: %s\n", err);
        return 1;
    }
    memset(buf, 0xa5, sizeof(buf));

    /* Grant copy, 4 KiB per op, into the guest's granted page: one op per
     * call, and BATCH ops per call as a backend issues them. */
    enum { BATCH = 16 };
    xengnttab_grant_copy_segment_t segs[BATCH];
    memset(segs, 0, sizeof(segs));
    for (int i = 0; i < BATCH; i++) {
        segs[i].source.virt = buf;
        segs[i].dest.foreign.domid = (uint16_t)d;
        segs[i].dest.foreign.ref = 1;
        segs[i].len = 4096;
        segs[i].flags = GNTCOPY_dest_gref;
    }
    double copy_mb_s[2];
    for (int mode = 0; mode < 2; mode++) {
        uint32_t per = mode ? BATCH : 1;
        uint64_t n = 0, t0 = xkt_now_ns(), t;
        do {
            if (xengnttab_grant_copy(g, per, segs) < 0) {
                fprintf(stderr, "gnttab: copy failed: %s\n", strerror(errno));
                return 1;
            }
            for (uint32_t i = 0; i < per; i++)
                if (segs[i].status != GNTST_okay) {
                    fprintf(stderr, "gnttab: copy failed (%d)\n", segs[i].status);
                    return 1;
                }
            n += per;
        } while ((t = xkt_now_ns()) - t0 < span);
        copy_mb_s[mode] = n * 4096.0 / ((t - t0) / 1e9) / 1e6;
    }
    uint64_t n, t0, t;

    /* Floor: the same bytes with a plain memcpy. */
    n = 0;
    t0 = xkt_now_ns();
    do {
        for (int i = 0; i < 1000; i++) {
            memcpy(dst, buf, sizeof(buf));
            __asm__ volatile("" ::"r"(dst) : "memory");
        }
        n += 1000;
    } while ((t = xkt_now_ns()) - t0 < span);
    double floor_mb_s = n * 4096.0 / ((t - t0) / 1e9) / 1e6;

    /* Map + unmap pairs. */
    n = 0;
    t0 = xkt_now_ns();
    do {
        void *p = xengnttab_map_grant_ref(g, d, 0, PROT_READ | PROT_WRITE);
        if (!p || xengnttab_unmap(g, p, 1) < 0) {
            fprintf(stderr, "gnttab: map/unmap failed\n");
            return 1;
        }
        n++;
    } while ((t = xkt_now_ns()) - t0 < span);
    double pairs = n / ((t - t0) / 1e9);

    printf("copy_mb_s %.1f\ncopy_single_mb_s %.1f\nfloor_memcpy_mb_s %.1f\nmap_unmap_s %.0f\n",
           copy_mb_s[1], copy_mb_s[0], floor_mb_s, pairs);
    xc_domain_destroy(xch, d);
    xengnttab_close(g);
    xc_interface_close(xch);
    return 0;
}
