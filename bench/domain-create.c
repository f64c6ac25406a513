/* domain-create: from xc_domain_create to the first console byte of a
 * guest, and from its poweroff to the domain gone.
 *
 *   domain-create KERNEL RUNS   prints median_ms, p95_ms, teardown_median_ms
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xktest.h"

struct seen {
    uint32_t domid;
    int got;
};

static void on_line(void *ctx, const char *line)
{
    struct seen *s = ctx;
    unsigned d;

    if (sscanf(line, "(d%u)", &d) == 1 && d == s->domid)
        s->got = 1;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    char err[1024], partial[4096];
    xc_interface *xch;
    unsigned runs;

    if (argc != 3) {
        fprintf(stderr, "usage: domain-create KERNEL RUNS\n");
        return 2;
    }
    runs = (unsigned)strtoul(argv[2], NULL, 0);
    if (!runs)
        return 2;
    xch = xc_interface_open(NULL, NULL, 0);
    if (!xch)
        return 1;
    uint64_t *up = calloc(runs, sizeof(uint64_t)), *down = calloc(runs, sizeof(uint64_t));

    for (unsigned i = 0; i < runs; i++) {
        struct seen s = { 0 };
        uint32_t index = xkt_console_index(xch), con = index, st = 0;
        partial[0] = '\0';

        uint64_t t0 = xkt_now_ns();
        if (xkt_build(xch, argv[1], 16, 1, NULL, &s.domid, err, sizeof(err)) < 0 ||
            xc_domain_unpause(xch, s.domid) < 0) {
            fprintf(stderr, "domain-create: %s\n", err);
            return 1;
        }
        while (!s.got) {
            if (xc_xk_wait(xch, DOMID_INVALID, XC_WAIT_CONSOLE, &st, &con, 10000) <= 0) {
                fprintf(stderr, "domain-create: no console output from d%u\n", s.domid);
                return 1;
            }
            xkt_console_lines(xch, &index, partial, sizeof(partial), on_line, &s);
        }
        uint64_t t1 = xkt_now_ns();

        /* Wait for the poweroff, then time the teardown. */
        xc_domaininfo_t info;
        uint32_t flags = 0;
        for (;;) {
            if (xc_domain_getinfo_single(xch, s.domid, &info) < 0)
                return 1;
            if (info.flags & XEN_DOMINF_shutdown)
                break;
            flags = info.flags;
            xc_xk_wait(xch, s.domid, XC_WAIT_STATE, &flags, NULL, 10000);
        }
        uint64_t t2 = xkt_now_ns();
        if (xc_domain_destroy(xch, s.domid) < 0) {
            fprintf(stderr, "domain-create: destroy: %s\n", strerror(errno));
            return 1;
        }
        uint64_t t3 = xkt_now_ns();
        up[i] = t1 - t0;
        down[i] = t3 - t2;
    }
    qsort(up, runs, sizeof(uint64_t), cmp_u64);
    qsort(down, runs, sizeof(uint64_t), cmp_u64);
    unsigned p95 = (runs * 95) / 100 < runs ? (runs * 95) / 100 : runs - 1;
    printf("median_ms %.3f\np95_ms %.3f\nteardown_median_ms %.3f\n", up[runs / 2] / 1e6,
           up[p95] / 1e6, down[runs / 2] / 1e6);
    free(up);
    free(down);
    xc_interface_close(xch);
    return 0;
}
