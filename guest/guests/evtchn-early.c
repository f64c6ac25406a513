/* evtchn-early: an event that arrived before the guest set up its event
 * channels (as a backend may notify before the frontend runs) must still
 * reach it.  Command line: port=P timeout=S (10).  The toolstack has
 * bound P in this domain and already sent on it; the guest sets up its
 * upcall, attaches to P and waits.
 *
 *   evtchn-early: OK port=P upcall=U
 *
 * Failures: "evtchn-early: FAIL: ..." (crash). */
#include "kit.h"

#define P "evtchn-early: "

int guest_main(void)
{
    uint64_t port = 0, timeout = 10;
    uint32_t seen;
    long rc;

    kit_cmdline_u64("timeout", &timeout);
    if (kit_cmdline_u64("port", &port) || !port || port >= KIT_EVTCHN_MAX) {
        puts(P "FAIL: usage: port=PORT [timeout=S]");
        return 1;
    }
    rc = kit_evtchn_init();
    if (rc) {
        printf(P "FAIL: event channel set-up: %ld (%s)\n", rc, kit_errname(rc));
        return 1;
    }
    seen = kit_evtchn_count((unsigned int)port);
    rc = kit_evtchn_attach((unsigned int)port, 0, NULL, NULL);
    if (rc) {
        printf(P "FAIL: attaching port %lu: %ld (%s)\n", port, rc, kit_errname(rc));
        return 1;
    }
    if (kit_evtchn_wait((unsigned int)port, &seen,
                        kit_now_ns() + timeout * 1000000000ull)) {
        printf(P "FAIL: the early event on port %lu never came (upcall=%s)\n", port,
               kit_upcall_name());
        return 1;
    }
    printf(P "OK port=%lu upcall=%s\n", port, kit_upcall_name());
    return 0;
}
