/* console: output through the PV console ring (HVM_PARAM_CONSOLE_PFN) with
 * event-channel notification (HVM_PARAM_CONSOLE_EVTCHN), drained by the
 * dom0 backend.  Command line: lines=N (20), timeout=S (30).
 *
 * Into the ring, notifying the backend after each write:
 *
 *   console: ring line I of N
 *   console: ring done lines=N
 *
 * then, once the backend consumed everything (out_cons == out_prod),
 * through console_io (the hypervisor console):
 *
 *   console: OK lines=N bytes=B port=P pfn=0xF
 *
 * Failures: "console: FAIL: ..." (crash), e.g. the ring not drained by
 * the timeout; "console: SKIP: ..." when the domain has no console ring
 * or port (parameter 0) or the hypercalls return -ENOSYS (poweroff). */
#include "kit.h"

#include <xen/hvm/params.h>

#define P "console: "

int guest_main(void)
{
    uint64_t lines = 20, timeout = 30, deadline, i, bytes = 0;
    char line[80];
    long rc;
    int n;

    kit_cmdline_u64("lines", &lines);
    kit_cmdline_u64("timeout", &timeout);
    rc = kit_pvcons_init();
    if (rc == -XEN_ENOSYS || rc == -XEN_ENODEV) {
        printf(P "SKIP: no PV console ring: %ld (%s)\n", rc, kit_errname(rc));
        return 0;
    }
    if (rc) {
        printf(P "FAIL: console ring set-up: %ld (%s)\n", rc, kit_errname(rc));
        return 1;
    }
    deadline = kit_now_ns() + timeout * 1000000000ull;
    for (i = 1; i <= lines + 1; i++) {
        if (i <= lines)
            n = snprintf(line, sizeof(line), P "ring line %lu of %lu\n", i,
                         lines);
        else
            n = snprintf(line, sizeof(line), P "ring done lines=%lu\n", lines);
        rc = kit_pvcons_write(line, (size_t)n, deadline);
        if (rc < 0) {
            printf(P "FAIL: ring full at line %lu: out_prod=%u out_cons=%u "
                     "(%s)\n",
                   i, kit_pvcons_ring->out_prod, kit_pvcons_ring->out_cons,
                   kit_errname(rc));
            return 1;
        }
        bytes += (uint64_t)n;
    }
    rc = kit_pvcons_flush(deadline);
    if (rc) {
        printf(P "FAIL: ring not drained: out_prod=%u out_cons=%u (%s)\n",
               kit_pvcons_ring->out_prod, kit_pvcons_ring->out_cons,
               kit_errname(rc));
        return 1;
    }
    printf(P "OK lines=%lu bytes=%lu port=%u pfn=%#lx\n", lines, bytes,
           kit_pvcons_port, (uintptr_t)kit_pvcons_ring >> 12);
    return 0;
}
