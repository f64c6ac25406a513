/* virq-debug: binds VIRQ_DEBUG and waits for it, as a guest kernel that
 * dumps its state on `xl debug-keys q` does.  Command line: timeout=S
 * (60).
 *
 *   virq-debug: ready port=P
 *   virq-debug: OK port=P
 *
 * Failures: "virq-debug: FAIL: ..." (crash); "virq-debug: SKIP: ..." when
 * EVTCHNOP_bind_virq returns -ENOSYS (poweroff). */
#include "kit.h"

#define P "virq-debug: "

int guest_main(void)
{
    uint64_t timeout = 60;
    uint32_t seen;
    int port;
    long rc;

    kit_cmdline_u64("timeout", &timeout);
    rc = kit_evtchn_init();
    if (rc) {
        printf(P "FAIL: event channel set-up: %ld (%s)\n", rc, kit_errname(rc));
        return 1;
    }
    port = kit_evtchn_bind_virq(VIRQ_DEBUG, 0, NULL, NULL);
    if (port < 0) {
        printf(P "%s: EVTCHNOP_bind_virq(VIRQ_DEBUG) returned %d (%s)\n",
               port == -XEN_ENOSYS ? "SKIP" : "FAIL", port, kit_errname(port));
        return port == -XEN_ENOSYS ? 0 : 1;
    }
    seen = kit_evtchn_count((unsigned int)port);
    printf(P "ready port=%d\n", port);
    if (kit_evtchn_wait((unsigned int)port, &seen,
                        kit_now_ns() + timeout * 1000000000ull)) {
        printf(P "FAIL: no VIRQ_DEBUG on port %d by the timeout\n", port);
        return 1;
    }
    printf(P "OK port=%d\n", port);
    return 0;
}
