/* A XenStore client on the domain's ring (HVM_PARAM_STORE_PFN, port
 * HVM_PARAM_STORE_EVTCHN): one request at a time, no transactions.  Wire
 * format <xen/io/xs_wire.h>: a struct xsd_sockmsg header, then len bytes
 * of payload; error replies are XS_ERROR with an errno name. */
#include "kit.h"
#include "ring.h"

#include <xen/hvm/params.h>
#include <xen/io/xs_wire.h>

#define DEFAULT_TIMEOUT_NS 10000000000ull

static struct xenstore_domain_interface *xs;
static unsigned int xs_port;
static uint32_t xs_req_id;
static char xs_buf[XENSTORE_PAYLOAD_MAX];

long kit_xs_init(void)
{
    void *page;
    long rc;

    if (xs)
        return 0;
    rc = kit_evtchn_attach_ring(HVM_PARAM_STORE_PFN, HVM_PARAM_STORE_EVTCHN,
                                &page, &xs_port);
    if (rc)
        return rc;
    xs = page;
    return 0;
}

/* A ring reconnection in progress (set by us or found at start): wait
 * until the server says connected. */
static long xs_wait_connected(uint64_t deadline)
{
    uint32_t seen = kit_evtchn_count(xs_port);

    if (!(xs->server_features & XENSTORE_SERVER_FEATURE_RECONNECTION))
        return 0;
    while (__atomic_load_n(&xs->connection, __ATOMIC_ACQUIRE) !=
           XENSTORE_CONNECTED)
        if (kit_evtchn_wait(xs_port, &seen, deadline))
            return -XEN_ETIME;
    return 0;
}

static long xs_write_all(const void *data, size_t len, uint64_t deadline)
{
    const char *d = data;
    uint32_t seen = kit_evtchn_count(xs_port);

    while (len) {
        long n = kit_ring_put(xs->req, XENSTORE_RING_SIZE, &xs->req_cons,
                              &xs->req_prod, d, len);

        if (n < 0)
            return -XEN_EIO;
        if (n) {
            kit_evtchn_send(xs_port);
            d += n;
            len -= (size_t)n;
            continue;
        }
        if (kit_evtchn_wait(xs_port, &seen, deadline))
            return -XEN_ETIME;
    }
    return 0;
}

/* Reads len bytes of the reply stream (buf NULL: drops them). */
static long xs_read_all(void *buf, size_t len, uint64_t deadline)
{
    char *b = buf;
    uint32_t seen = kit_evtchn_count(xs_port);

    while (len) {
        long n = kit_ring_get(xs->rsp, XENSTORE_RING_SIZE, &xs->rsp_cons,
                              &xs->rsp_prod, b, len);

        if (n < 0)
            return -XEN_EIO;
        if (n) {
            kit_evtchn_send(xs_port); /* room for the server */
            if (b)
                b += n;
            len -= (size_t)n;
            continue;
        }
        if (kit_evtchn_wait(xs_port, &seen, deadline))
            return -XEN_ETIME;
    }
    return 0;
}

/* The errno an XS_ERROR reply names. */
static long xs_error(const char *name)
{
    long e;

    for (e = 1; e < 256; e++)
        if (!strcmp(kit_errname(e), name))
            return -e;
    return -XEN_EIO;
}

/* Watch events that arrive while a request waits for its reply are kept
 * here, oldest first, for kit_xs_read_event(); when it is full the newest
 * are dropped (and counted). */
#define EV_SLOTS 16
#define EV_MAX 256
static struct {
    char data[EV_MAX];
    size_t len;
} ev_queue[EV_SLOTS];
static unsigned int ev_head, ev_count;
static unsigned long ev_dropped;

static long ev_keep(size_t len, uint64_t deadline)
{
    long rc;

    if (ev_count == EV_SLOTS || len > EV_MAX) {
        ev_dropped++;
        return xs_read_all(NULL, len, deadline);
    }
    unsigned int slot = (ev_head + ev_count) % EV_SLOTS;
    rc = xs_read_all(ev_queue[slot].data, len, deadline);
    if (!rc) {
        ev_queue[slot].len = len;
        ev_count++;
    }
    return rc;
}

long kit_xs_request(uint32_t type, const void *payload, size_t len,
                    char *reply, size_t cap, uint64_t deadline)
{
    struct xsd_sockmsg h = {.type = type, .tx_id = 0};
    char err[16];
    long rc;

    if (!xs)
        return -XEN_ENODEV;
    if (len > XENSTORE_PAYLOAD_MAX)
        return -XEN_E2BIG;
    if (!deadline)
        deadline = kit_now_ns() + DEFAULT_TIMEOUT_NS;
    rc = xs_wait_connected(deadline);
    if (rc)
        return rc;
    h.req_id = ++xs_req_id;
    h.len = (uint32_t)len;
    rc = xs_write_all(&h, sizeof(h), deadline);
    if (!rc)
        rc = xs_write_all(payload, len, deadline);
    if (rc)
        return rc;
    for (;;) {
        struct xsd_sockmsg r;
        size_t keep;

        rc = xs_read_all(&r, sizeof(r), deadline);
        if (rc)
            return rc;
        if (r.len > XENSTORE_PAYLOAD_MAX)
            return -XEN_EIO;
        if (r.type == XS_WATCH_EVENT) {
            rc = ev_keep(r.len, deadline);
            if (rc)
                return rc;
            continue;
        }
        if (r.req_id != h.req_id) {
            rc = xs_read_all(NULL, r.len, deadline); /* not ours */
            if (rc)
                return rc;
            continue;
        }
        if (r.type == XS_ERROR) {
            keep = r.len < sizeof(err) - 1 ? r.len : sizeof(err) - 1;
            rc = xs_read_all(err, keep, deadline);
            if (!rc)
                rc = xs_read_all(NULL, r.len - keep, deadline);
            if (rc)
                return rc;
            err[keep] = 0;
            return xs_error(err);
        }
        keep = cap ? (r.len < cap - 1 ? r.len : cap - 1) : 0;
        rc = xs_read_all(reply, keep, deadline);
        if (!rc)
            rc = xs_read_all(NULL, r.len - keep, deadline);
        if (rc)
            return rc;
        if (cap)
            reply[keep] = 0;
        if (r.type != type)
            return -XEN_EIO;
        return (long)r.len;
    }
}

/* path and its NUL, then value (no NUL) when not NULL */
static long xs_path_op(uint32_t type, const char *path, const char *value,
                       char *reply, size_t cap)
{
    size_t pl = strlen(path) + 1, vl = value ? strlen(value) : 0;

    if (pl + vl > sizeof(xs_buf))
        return -XEN_E2BIG;
    memcpy(xs_buf, path, pl);
    memcpy(xs_buf + pl, value ? value : "", vl);
    return kit_xs_request(type, xs_buf, pl + vl, reply, cap, 0);
}

long kit_xs_read(const char *path, char *buf, size_t cap)
{
    return xs_path_op(XS_READ, path, NULL, buf, cap);
}

long kit_xs_write(const char *path, const char *value)
{
    char ok[4];
    long rc = xs_path_op(XS_WRITE, path, value, ok, sizeof(ok));

    return rc < 0 ? rc : 0;
}

long kit_xs_directory(const char *path, char *buf, size_t cap)
{
    return xs_path_op(XS_DIRECTORY, path, NULL, buf, cap);
}

long kit_xs_rm(const char *path)
{
    char ok[4];
    long rc = xs_path_op(XS_RM, path, NULL, ok, sizeof(ok));

    return rc < 0 ? rc : 0;
}

long kit_xs_watch(const char *path, const char *token)
{
    size_t pl = strlen(path) + 1, tl = strlen(token) + 1;
    char reply[8];

    if (pl + tl > sizeof(xs_buf))
        return -XEN_E2BIG;
    memcpy(xs_buf, path, pl);
    memcpy(xs_buf + pl, token, tl);
    return kit_xs_request(XS_WATCH, xs_buf, pl + tl, reply, sizeof(reply), 0);
}

int kit_xs_event_pending(void)
{
    return ev_count || (xs && __atomic_load_n(&xs->rsp_prod, __ATOMIC_ACQUIRE) !=
                                  __atomic_load_n(&xs->rsp_cons, __ATOMIC_ACQUIRE));
}

long kit_xs_read_event(char *buf, size_t cap, uint64_t deadline)
{
    long rc;

    if (!xs)
        return -XEN_ENODEV;
    if (!deadline)
        deadline = kit_now_ns() + DEFAULT_TIMEOUT_NS;
    for (;;) {
        if (ev_count) {
            size_t len = ev_queue[ev_head].len, keep = len < cap ? len : cap;
            memcpy(buf, ev_queue[ev_head].data, keep);
            ev_head = (ev_head + 1) % EV_SLOTS;
            ev_count--;
            return (long)len;
        }
        /* nothing queued: the next message in the ring (no request is in
         * flight, so only events come) */
        struct xsd_sockmsg r;
        rc = xs_read_all(&r, sizeof(r), deadline);
        if (rc)
            return rc;
        if (r.len > XENSTORE_PAYLOAD_MAX)
            return -XEN_EIO;
        if (r.type == XS_WATCH_EVENT)
            rc = ev_keep(r.len, deadline);
        else
            rc = xs_read_all(NULL, r.len, deadline);   /* a stray reply */
        if (rc)
            return rc;
    }
}

unsigned long kit_xs_events_dropped(void)
{
    return ev_dropped;
}
