/* Shared by evtchn-pingpong and bench-evtchn: the command line of the two
 * roles and the client's binding to the server's port. */
#ifndef EVTCHN_COMMON_H
#define EVTCHN_COMMON_H

#include "kit.h"

struct ev_args {
    int server, client; /* role=server, role=client (neither: bad role) */
    domid_t peer;       /* the other domain */
    unsigned int port;  /* client: the server's port */
    uint64_t rounds;
    uint64_t deadline;
};

/* role=server peer=B | role=client peer=A port=P, [rounds=N] [timeout=S]
 * (defaults: rounds, timeout seconds); then maps shared info
 * (kit_evtchn_init).  Returns 0, or -1 after printing usage or the error. */
static inline int ev_args_parse(const char *prefix, struct ev_args *a,
                                uint64_t rounds, uint64_t timeout)
{
    uint64_t peer, rport = 0;
    const char *role;
    size_t len;
    long rc;

    role = kit_cmdline_get("role", &len);
    kit_cmdline_u64("rounds", &rounds);
    kit_cmdline_u64("timeout", &timeout);
    a->server = role && len == 6 && !strncmp(role, "server", 6);
    a->client = role && len == 6 && !strncmp(role, "client", 6);
    if (!role || kit_cmdline_u64("peer", &peer) || peer >= DOMID_FIRST_RESERVED ||
        (a->client && (kit_cmdline_u64("port", &rport) || !rport))) {
        printf("%sFAIL: usage: role=server peer=DOMID | role=client peer=DOMID "
               "port=PORT [rounds=N] [timeout=S]\n",
               prefix);
        return -1;
    }
    rc = kit_evtchn_init();
    if (rc) {
        printf("%sFAIL: mapping shared info: %ld (%s)\n", prefix, rc,
               kit_errname(rc));
        return -1;
    }
    a->peer = (domid_t)peer;
    a->port = (unsigned int)rport;
    a->rounds = rounds;
    a->deadline = kit_now_ns() + timeout * 1000000000ull;
    return 0;
}

/* Binds to the server's port, retrying until the deadline: the server may
 * not have allocated it yet.  The local port, or a negative error. */
static inline int ev_bind_server(domid_t peer, unsigned int rport,
                                 uint64_t deadline)
{
    int port;

    for (;;) {
        port = kit_evtchn_bind_interdomain(peer, rport, NULL, NULL);
        if (port > 0 || port == -XEN_ENOSYS || kit_now_ns() >= deadline)
            return port;
        kit_relax();
    }
}

#endif
