/* evtchn-dom0: dom0 side of an event-channel ping-pong with a guest
 * running bench-evtchn as the server.
 *   evtchn-dom0 DOMID PORT ROUNDS    prints rtt_median_us */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>

#include "xenevtchn.h"
#include "xktest.h"

#define WARMUP 20

static int cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc != 4)
        return 2;
    uint32_t dom = (uint32_t)strtoul(argv[1], NULL, 0);
    uint32_t rport = (uint32_t)strtoul(argv[2], NULL, 0);
    unsigned rounds = (unsigned)strtoul(argv[3], NULL, 0);
    xenevtchn_handle *h = xenevtchn_open(NULL, 0);
    uint64_t *rt = calloc(rounds + WARMUP, sizeof(uint64_t));
    int port = -1;

    if (!h || !rt)
        return 1;
    for (int i = 0; i < 1000 && port < 0; i++)
        port = xenevtchn_bind_interdomain(h, dom, rport);
    if (port < 0) {
        perror("evtchn-dom0: bind");
        return 1;
    }
    /* The binding raised our end once: consume it. */
    struct pollfd p = { .fd = xenevtchn_fd(h), .events = POLLIN };
    if (poll(&p, 1, 100) == 1) {
        int q = xenevtchn_pending(h);
        if (q >= 0)
            xenevtchn_unmask(h, (evtchn_port_t)q);
    }
    for (unsigned i = 0; i < rounds + WARMUP; i++) {
        uint64_t t0 = xkt_now_ns();
        xenevtchn_notify(h, (evtchn_port_t)port);
        if (poll(&p, 1, 10000) != 1) {
            fprintf(stderr, "evtchn-dom0: no answer %u\n", i);
            return 1;
        }
        int q = xenevtchn_pending(h);
        rt[i] = xkt_now_ns() - t0;
        xenevtchn_unmask(h, (evtchn_port_t)q);
    }
    qsort(rt + WARMUP, rounds, sizeof(uint64_t), cmp);
    printf("rtt_median_us %.2f\n", rt[WARMUP + rounds / 2] / 1e3);
    xenevtchn_close(h);
    free(rt);
    return 0;
}
