/* Event channels for dom0 processes (libxenevtchn), and the toolstack's
 * operations on guests' ports. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "xc_private.h"
#include "xenevtchn.h"

struct xenevtchn_handle {
    xc_interface *xch;                 /* the control connection */
    struct xk_evtchn_shared *shared;
    int event_fd;
    uint64_t bound[XK_EVTCHN_DOM0_PORTS / 64];   /* ports this handle owns */
};

static bool owns(const xenevtchn_handle *h, uint32_t port)
{
    return port < XK_EVTCHN_DOM0_PORTS && (h->bound[port / 64] & (1ULL << (port % 64)));
}

static int note_bound(xenevtchn_handle *h, int port)
{
    if (port > 0 && port < XK_EVTCHN_DOM0_PORTS)
        h->bound[port / 64] |= 1ULL << (port % 64);
    return port;
}

xenevtchn_handle *xenevtchn_open(struct xentoollog_logger *logger, unsigned int open_flags)
{
    xenevtchn_handle *h = calloc(1, sizeof(*h));
    int fds[2] = { -1, -1 }, saved;

    (void)open_flags;
    if (!h)
        return NULL;
    h->event_fd = -1;
    h->xch = xc_interface_open((xentoollog_logger *)logger, NULL, 0);
    if (!h->xch)
        goto fail;
    if (xc_ctl2(h->xch, XK_CTL_EVTCHN_OPEN, NULL, 0, 0, NULL, 0, NULL, fds) < 0)
        goto fail;
    if (fds[0] < 0 || fds[1] < 0) {
        errno = EPROTO;
        goto fail;
    }
    h->shared = mmap(NULL, XK_EVTCHN_SHARED_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fds[0], 0);
    if (h->shared == MAP_FAILED) {
        h->shared = NULL;
        goto fail;
    }
    close(fds[0]);
    fds[0] = -1;
    h->event_fd = fds[1];
    /* Callers choose blocking or not on the descriptor: start blocking. */
    fcntl(h->event_fd, F_SETFL, fcntl(h->event_fd, F_GETFL) & ~O_NONBLOCK);
    return h;

fail:
    saved = errno;
    if (fds[0] >= 0)
        close(fds[0]);
    if (fds[1] >= 0)
        close(fds[1]);
    xenevtchn_close(h);
    errno = saved;
    return NULL;
}

int xenevtchn_close(xenevtchn_handle *h)
{
    if (!h)
        return 0;
    if (h->shared)
        munmap(h->shared, XK_EVTCHN_SHARED_SIZE);
    if (h->event_fd >= 0)
        close(h->event_fd);
    xc_interface_close(h->xch);
    free(h);
    return 0;
}

int xenevtchn_fd(xenevtchn_handle *h)
{
    return h->event_fd;
}

static int evtchn_op(xenevtchn_handle *h, uint32_t cmd, uint32_t domid, uint32_t port,
                     uint32_t arg, uint32_t flags)
{
    struct xk_ctl_evtchn e = { .cmd = cmd, .domid = domid, .port = port, .arg = arg };

    return xc_ctl2(h->xch, XK_CTL_EVTCHN_OP, &e, sizeof(e), flags, NULL, 0, NULL, NULL);
}

int xenevtchn_notify(xenevtchn_handle *h, evtchn_port_t port)
{
    /* Fire and forget: xen sends no reply, so check ownership here. */
    if (!owns(h, port)) {
        errno = EINVAL;
        return -1;
    }
    return evtchn_op(h, XK_EVTCHN_NOTIFY, 0, port, 0, XK_CTL_F_NOREPLY) < 0 ? -1 : 0;
}

xenevtchn_port_or_error_t xenevtchn_bind_unbound_port(xenevtchn_handle *h, uint32_t domid)
{
    return note_bound(h, evtchn_op(h, XK_EVTCHN_BIND_UNBOUND, domid, 0, 0, 0));
}

xenevtchn_port_or_error_t xenevtchn_bind_interdomain(xenevtchn_handle *h, uint32_t domid,
                                                     evtchn_port_t remote_port)
{
    return note_bound(h, evtchn_op(h, XK_EVTCHN_BIND_INTERDOMAIN, domid, remote_port, 0, 0));
}

xenevtchn_port_or_error_t xenevtchn_bind_virq(xenevtchn_handle *h, unsigned int virq)
{
    return note_bound(h, evtchn_op(h, XK_EVTCHN_BIND_VIRQ, 0, 0, virq, 0));
}

int xenevtchn_unbind(xenevtchn_handle *h, evtchn_port_t port)
{
    if (evtchn_op(h, XK_EVTCHN_UNBIND, 0, port, 0, 0) < 0)
        return -1;
    h->bound[port / 64] &= ~(1ULL << (port % 64));
    return 0;
}

/* Takes one pending port off the bitmap, or returns -1. */
static int take_pending(xenevtchn_handle *h)
{
    for (unsigned w = 0; w < XK_EVTCHN_DOM0_PORTS / 64; w++) {
        uint64_t m = __atomic_load_n(&h->shared->pending[w], __ATOMIC_ACQUIRE);
        while (m) {
            unsigned b = (unsigned)__builtin_ctzll(m);
            uint64_t bit = 1ULL << b;
            if (__atomic_fetch_and(&h->shared->pending[w], ~bit, __ATOMIC_SEQ_CST) & bit)
                return (int)(w * 64 + b);
            m &= ~bit;
        }
    }
    return -1;
}

static bool any_pending(xenevtchn_handle *h)
{
    for (unsigned w = 0; w < XK_EVTCHN_DOM0_PORTS / 64; w++)
        if (__atomic_load_n(&h->shared->pending[w], __ATOMIC_ACQUIRE))
            return true;
    return false;
}

/* The descriptor stays readable exactly while a port is pending: the
 * signal is consumed here, and given again when ports remain. */
xenevtchn_port_or_error_t xenevtchn_pending(xenevtchn_handle *h)
{
    int fl = fcntl(h->event_fd, F_GETFL);
    bool blocking = !(fl & O_NONBLOCK);
    uint64_t cnt, one = 1;

    for (;;) {
        /* Consume the signal without blocking, then look. */
        if (blocking)
            fcntl(h->event_fd, F_SETFL, fl | O_NONBLOCK);
        ssize_t r = read(h->event_fd, &cnt, sizeof(cnt));
        if (blocking)
            fcntl(h->event_fd, F_SETFL, fl);
        (void)r;
        int port = take_pending(h);
        if (port >= 0) {
            if (any_pending(h) && write(h->event_fd, &one, sizeof(one)) < 0)
                return -1;
            return port;
        }
        if (!blocking) {
            errno = EAGAIN;
            return -1;
        }
        /* Nothing pending: wait for xen's next signal. */
        if (read(h->event_fd, &cnt, sizeof(cnt)) < 0 && errno != EINTR)
            return -1;
    }
}

int xenevtchn_unmask(xenevtchn_handle *h, evtchn_port_t port)
{
    uint64_t bit = 1ULL << (port % 64);

    if (port >= XK_EVTCHN_DOM0_PORTS) {
        errno = EINVAL;
        return -1;
    }
    __atomic_fetch_and(&h->shared->mask[port / 64], ~bit, __ATOMIC_SEQ_CST);
    /* Pending while masked: it is ours to signal now. */
    if ((__atomic_load_n(&h->shared->pending[port / 64], __ATOMIC_SEQ_CST) & bit) &&
        !(__atomic_fetch_or(&h->shared->mask[port / 64], bit, __ATOMIC_SEQ_CST) & bit)) {
        uint64_t one = 1;
        if (write(h->event_fd, &one, sizeof(one)) < 0)
            return -1;
    }
    return 0;
}

/* ---- the toolstack's view of guests' ports ------------------------------------- */

int xc_evtchn_alloc_unbound(xc_interface *xch, uint32_t dom, uint32_t remote_dom)
{
    struct xk_ctl_evtchn e = { .cmd = XK_EVTCHN_ALLOC_UNBOUND, .domid = dom, .arg = remote_dom };

    return xc_ctl(xch, XK_CTL_EVTCHN_OP, &e, sizeof(e), NULL, 0, NULL, 0, NULL, NULL);
}

int xc_evtchn_close(xc_interface *xch, uint32_t dom, uint32_t port)
{
    struct xk_ctl_evtchn e = { .cmd = XK_EVTCHN_CLOSE, .domid = dom, .port = port };

    return xc_ctl(xch, XK_CTL_EVTCHN_OP, &e, sizeof(e), NULL, 0, NULL, 0, NULL, NULL) < 0 ? -1 : 0;
}
