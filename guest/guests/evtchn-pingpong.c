/* evtchn-pingpong: two domains bounce an event over an interdomain event
 * channel.  Command lines:
 *
 *   role=server peer=B [rounds=N] [timeout=S]
 *   role=client peer=A port=P [rounds=N] [timeout=S]
 *
 * (rounds 1000, timeout 30 s; both sides need the same rounds).  The
 * server allocates an unbound port for domain B and prints
 *
 *   evtchn-pingpong: server ready domid=A peer=B port=P upcall=U abi=A
 *
 * the client binds to (A, P), checks EVTCHNOP_status on its end
 * (interdomain, peer A, remote port P), sends a hello, and after the
 * server's answer sends N pings, each answered by the server before the
 * next.  The server checks its end turned interdomain to B.  Then each
 * closes its port.
 *
 *   evtchn-pingpong: server OK rounds=N peer_port=Q
 *   evtchn-pingpong: client OK rounds=N local_port=Q
 *
 * A client started before the server's port exists retries the binding
 * until the timeout.  Failures: "evtchn-pingpong: FAIL: ..." (crash);
 * "evtchn-pingpong: SKIP: ..." when the event channel hypercalls return
 * -ENOSYS (poweroff). */
#include "evtchn-common.h"

#define P "evtchn-pingpong: "

static int server(domid_t peer, uint64_t rounds, uint64_t deadline)
{
    struct evtchn_status st;
    uint32_t seen;
    uint64_t i;
    long rc;
    int port;

    port = kit_evtchn_alloc_unbound(peer, NULL, NULL);
    if (port < 0)
        return kit_skip_or_fail(P, "EVTCHNOP_alloc_unbound", port);
    rc = kit_evtchn_status((unsigned int)port, &st);
    if (rc || st.status != EVTCHNSTAT_unbound || st.u.unbound.dom != peer) {
        printf(P "FAIL: status of port %d: rc %ld status %u dom %u, not "
                 "unbound to d%u\n",
               port, rc, st.status, st.u.unbound.dom, peer);
        return 1;
    }
    seen = kit_evtchn_count((unsigned int)port);
    printf(P "server ready domid=%d peer=%u port=%d upcall=%s abi=%s\n",
           kit_domid(), peer, port, kit_upcall_name(), kit_evtchn_abi_name());
    if (kit_evtchn_wait((unsigned int)port, &seen, deadline)) {
        printf(P "FAIL: no hello from d%u on port %d\n", peer, port);
        return 1;
    }
    rc = kit_evtchn_status((unsigned int)port, &st);
    if (rc || st.status != EVTCHNSTAT_interdomain ||
        st.u.interdomain.dom != peer) {
        printf(P "FAIL: status of port %d after the hello: rc %ld status %u "
                 "dom %u, not interdomain to d%u\n",
               port, rc, st.status, st.u.interdomain.dom, peer);
        return 1;
    }
    for (i = 0; i <= rounds; i++) { /* the hello's answer, then rounds */
        if (i && kit_evtchn_wait((unsigned int)port, &seen, deadline)) {
            printf(P "FAIL: server: no ping %lu of %lu\n", i, rounds);
            return 1;
        }
        rc = kit_evtchn_send((unsigned int)port);
        if (rc) {
            printf(P "FAIL: server: EVTCHNOP_send: %ld (%s)\n", rc,
                   kit_errname(rc));
            return 1;
        }
    }
    printf(P "server OK rounds=%lu peer_port=%u\n", rounds,
           st.u.interdomain.port);
    rc = kit_evtchn_close((unsigned int)port);
    if (rc) {
        printf(P "FAIL: close: %ld (%s)\n", rc, kit_errname(rc));
        return 1;
    }
    return 0;
}

static int client(domid_t peer, unsigned int rport, uint64_t rounds,
                  uint64_t deadline)
{
    struct evtchn_status st;
    uint32_t seen;
    uint64_t i;
    long rc;
    int port;

    port = ev_bind_server(peer, rport, deadline);
    if (port < 0)
        return kit_skip_or_fail(P, "EVTCHNOP_bind_interdomain", port);
    /* binding marks the new port pending: that is not the server's */
    kit_evtchn_clear((unsigned int)port);
    seen = kit_evtchn_count((unsigned int)port);
    rc = kit_evtchn_status((unsigned int)port, &st);
    if (rc || st.status != EVTCHNSTAT_interdomain ||
        st.u.interdomain.dom != peer || st.u.interdomain.port != rport) {
        printf(P "FAIL: status of port %d: rc %ld status %u dom %u port %u, "
                 "not interdomain to d%u port %u\n",
               port, rc, st.status, st.u.interdomain.dom,
               st.u.interdomain.port, peer, rport);
        return 1;
    }
    printf(P "client bound domid=%d peer=%u port=%u local_port=%d "
             "upcall=%s abi=%s\n",
           kit_domid(), peer, rport, port, kit_upcall_name(),
           kit_evtchn_abi_name());
    for (i = 0; i <= rounds; i++) { /* the hello, then rounds */
        rc = kit_evtchn_send((unsigned int)port);
        if (rc) {
            printf(P "FAIL: client: EVTCHNOP_send: %ld (%s)\n", rc,
                   kit_errname(rc));
            return 1;
        }
        if (kit_evtchn_wait((unsigned int)port, &seen, deadline)) {
            printf(P "FAIL: client: no answer %lu of %lu\n", i, rounds);
            return 1;
        }
    }
    printf(P "client OK rounds=%lu local_port=%d\n", rounds, port);
    rc = kit_evtchn_close((unsigned int)port);
    if (rc) {
        printf(P "FAIL: close: %ld (%s)\n", rc, kit_errname(rc));
        return 1;
    }
    return 0;
}

int guest_main(void)
{
    struct ev_args a;

    if (ev_args_parse(P, &a, 1000, 30))
        return 1;
    if (a.server)
        return server(a.peer, a.rounds, a.deadline);
    if (a.client)
        return client(a.peer, a.port, a.rounds, a.deadline);
    puts(P "FAIL: role= takes server or client");
    return 1;
}
