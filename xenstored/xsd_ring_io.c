/* The byte queues of a guest's XenStore ring page, between the page and a
 * connection of the core.
 *
 * Offsets are free-running 32-bit counters; the byte at offset x lives at
 * x mod XENSTORE_RING_SIZE.  The guest may write anything to the page at
 * any time, so each call reads the two indices of a queue once, with
 * acquire ordering (the data behind a producer index is read after it),
 * checks that producer - consumer does not exceed the ring size, works
 * from its own copies, and publishes its own index with release ordering
 * after the data.  Request bytes are copied into a local buffer before the
 * core parses them: a guest changing them meanwhile only changes what it
 * asked for.  The core is fed at most what completes the header or
 * payload it is reading (xsd_conn_input_wanted), so an unprivileged
 * connection is read one message at a time and throttling takes effect
 * between messages. */
#include "config.h"

#include <string.h>

#include "util.h"
#include "xsd.h"

long xsd_ring_write_output(struct xenstore_domain_interface *intf, struct xsd_conn *c,
                           struct xsd_ring_fault *f)
{
    XENSTORE_RING_IDX cons = __atomic_load_n(&intf->rsp_cons, __ATOMIC_ACQUIRE);
    XENSTORE_RING_IDX prod = __atomic_load_n(&intf->rsp_prod, __ATOMIC_ACQUIRE);
    uint32_t used = prod - cons, space;
    long total = 0;

    if (used > XENSTORE_RING_SIZE) {
        *f = (struct xsd_ring_fault){ XENSTORE_ERROR_RINGIDX,
                                      "reply ring indices out of range", cons, prod };
        return -1;
    }
    space = XENSTORE_RING_SIZE - used;
    while (space && xsd_conn_has_output(c)) {
        struct iovec iov[16];
        int n = xsd_conn_output_iov(c, iov, (int)G_N_ELEMENTS(iov));
        size_t done = 0;

        for (int i = 0; i < n && space; i++) {
            const char *p = iov[i].iov_base;
            size_t left = iov[i].iov_len;

            while (left && space) {
                uint32_t off = MASK_XENSTORE_IDX(prod);
                size_t k = XK_MIN(XK_MIN(left, (size_t)space),
                                  (size_t)(XENSTORE_RING_SIZE - off));

                memcpy(intf->rsp + off, p, k);
                p += k;
                left -= k;
                prod += (uint32_t)k;
                space -= (uint32_t)k;
                done += k;
            }
        }
        __atomic_store_n(&intf->rsp_prod, prod, __ATOMIC_RELEASE);
        xsd_conn_output_done(c, done);
        total += (long)done;
    }
    return total;
}

long xsd_ring_read_input(struct xenstore_domain_interface *intf, struct xsd_conn *c,
                         long budget, struct xsd_ring_fault *f)
{
    XENSTORE_RING_IDX cons = __atomic_load_n(&intf->req_cons, __ATOMIC_ACQUIRE);
    XENSTORE_RING_IDX prod = __atomic_load_n(&intf->req_prod, __ATOMIC_ACQUIRE);
    uint32_t avail = prod - cons;
    char buf[XENSTORE_RING_SIZE];
    long total = 0;

    if (avail > XENSTORE_RING_SIZE) {
        *f = (struct xsd_ring_fault){ XENSTORE_ERROR_RINGIDX,
                                      "request ring indices out of range", cons, prod };
        return -1;
    }
    while (avail && total < budget && xsd_conn_can_read(c)) {
        uint32_t off = MASK_XENSTORE_IDX(cons);
        size_t n = XK_MIN(XK_MIN((size_t)avail, xsd_conn_input_wanted(c)),
                          (size_t)(XENSTORE_RING_SIZE - off));

        memcpy(buf, intf->req + off, n);
        cons += (uint32_t)n;
        avail -= (uint32_t)n;
        total += (long)n;
        __atomic_store_n(&intf->req_cons, cons, __ATOMIC_RELEASE);
        if (xsd_conn_input(c, buf, n) < 0) {
            *f = (struct xsd_ring_fault){ XENSTORE_ERROR_PROTO, NULL, cons, prod };
            return -1;
        }
    }
    return total;
}

void xsd_ring_page_connect(struct xenstore_domain_interface *intf)
{
    __atomic_fetch_or(&intf->server_features, XSD_RING_FEATURES, __ATOMIC_SEQ_CST);
    if (!xsd_ring_page_wants_reset(intf)) {
        __atomic_store_n(&intf->error, XENSTORE_ERROR_NONE, __ATOMIC_RELAXED);
        __atomic_store_n(&intf->connection, XENSTORE_CONNECTED, __ATOMIC_RELEASE);
    }
}

bool xsd_ring_page_wants_reset(const struct xenstore_domain_interface *intf)
{
    return __atomic_load_n(&intf->connection, __ATOMIC_ACQUIRE) == XENSTORE_RECONNECT;
}

void xsd_ring_page_reset(struct xenstore_domain_interface *intf)
{
    __atomic_store_n(&intf->req_cons, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&intf->req_prod, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&intf->rsp_cons, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&intf->rsp_prod, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&intf->error, XENSTORE_ERROR_NONE, __ATOMIC_RELAXED);
    __atomic_store_n(&intf->connection, XENSTORE_CONNECTED, __ATOMIC_RELEASE);
}
