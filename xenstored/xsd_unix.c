/* The Unix-socket transport: one struct xsd_conn per accepted connection,
 * served from the GLib main loop.
 *
 * Fast path: a readable socket is read in one read() of up to 64 KiB, the
 * complete requests in it are handled, and the replies are written with
 * one writev() before returning to the loop.  Watch events queued on other
 * connections while handling it are written at the end of the same
 * callback (batched per request), so an event costs no extra loop
 * iteration.  Output that does not fit in the socket buffer waits for
 * G_IO_OUT.  Unprivileged connections (CONTROL as-domain) are read one
 * message at a time and not at all while they have too many unanswered
 * requests (the outstanding quota), as Xen stops reading a domain's ring.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib-unix.h>

#include "log.h"
#include "util.h"
#include "xsd_unix.h"

struct uconn {
    struct xsd_conn *conn;
    int fd;
    guint in_src;
    guint out_src;
    bool pending;              /* on the pending-flush list */
    bool closing;
};

struct listener {
    struct xsd_store *store;
    int fd;
    bool read_only;
    guint src;
};

static GPtrArray *pending;      /* struct uconn *, kicked: flush soon */
static guint pending_idle;
static GPtrArray *listeners;
static char inbuf[65536];

void (*xsd_unix_after_input)(struct xsd_store *s);

static gboolean on_input(gint fd, GIOCondition cond, gpointer data);

/* g_unix_fd_add(), but the source may be dispatched recursively: GLib then
 * does not block it during its callback, which would cost a wake-up of
 * the main context (an eventfd write and read) per request. */
static guint fd_watch(int fd, GIOCondition cond, GUnixFDSourceFunc fn, gpointer data)
{
    GSource *src = g_unix_fd_source_new(fd, cond);
    guint id;

    g_source_set_can_recurse(src, TRUE);
    g_source_set_callback(src, G_SOURCE_FUNC(fn), data, NULL);
    id = g_source_attach(src, NULL);
    g_source_unref(src);
    return id;
}
static gboolean on_output(gint fd, GIOCondition cond, gpointer data);
static void flush_pending(void);

static void uconn_destroy(struct uconn *u)
{
    if (u->in_src)
        g_source_remove(u->in_src);
    if (u->out_src)
        g_source_remove(u->out_src);
    if (u->pending)
        g_ptr_array_remove(pending, u);
    xsd_conn_free(u->conn);
    if (u->fd >= 0)
        close(u->fd);
    u->fd = -1;
    g_free(u);
}

static gboolean close_later(gpointer data)
{
    uconn_destroy(data);
    return G_SOURCE_REMOVE;
}

static void uconn_close_soon(struct uconn *u)
{
    if (u->closing)
        return;
    u->closing = true;
    if (u->in_src) {
        g_source_remove(u->in_src);
        u->in_src = 0;
    }
    if (u->out_src) {
        g_source_remove(u->out_src);
        u->out_src = 0;
    }
    g_idle_add_full(G_PRIORITY_HIGH, close_later, u, NULL);
}

/* Writes what can be written; arms G_IO_OUT for the rest; re-arms input
 * when a throttled connection got its replies out. */
static void uconn_flush(struct uconn *u)
{
    struct xsd_conn *c = u->conn;

    if (u->closing)
        return;
    while (xsd_conn_has_output(c)) {
        struct iovec iov[64];
        int n = xsd_conn_output_iov(c, iov, (int)G_N_ELEMENTS(iov));
        ssize_t w = writev(u->fd, iov, n);

        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (w < 0) {
            if (errno != EPIPE && errno != ECONNRESET)
                xk_log_errno(XK_LOG_DEBUG, "write to connection %u", c->id);
            uconn_close_soon(u);
            return;
        }
        xsd_conn_output_done(c, (size_t)w);
    }
    if (xsd_conn_has_output(c) && !u->out_src)
        u->out_src = fd_watch(u->fd, G_IO_OUT, on_output, u);
    else if (!xsd_conn_has_output(c) && u->out_src) {
        g_source_remove(u->out_src);
        u->out_src = 0;
    }
    if (!u->in_src && !c->dead && xsd_conn_can_read(c))
        u->in_src = fd_watch(u->fd, G_IO_IN | G_IO_HUP | G_IO_ERR, on_input, u);
}

static gboolean pending_idle_cb(gpointer data)
{
    pending_idle = 0;
    flush_pending();
    return G_SOURCE_REMOVE;
}

static void flush_pending(void)
{
    while (pending && pending->len) {
        struct uconn *u = g_ptr_array_steal_index_fast(pending, pending->len - 1);

        u->pending = false;
        uconn_flush(u);
    }
    if (pending_idle) {
        g_source_remove(pending_idle);
        pending_idle = 0;
    }
}

static void unix_kick(struct xsd_conn *c)
{
    struct uconn *u = c->transport;

    if (u->pending || u->closing)
        return;
    u->pending = true;
    g_ptr_array_add(pending, u);
    if (!pending_idle)
        pending_idle = g_idle_add_full(G_PRIORITY_HIGH, pending_idle_cb, NULL, NULL);
}

static void unix_shutdown(struct xsd_conn *c)
{
    uconn_close_soon(c->transport);
}

static int unix_get_fd(const struct xsd_conn *c)
{
    const struct uconn *u = c->transport;

    return u->fd;
}

static const struct xsd_transport_ops unix_ops = {
    .name = "unix",
    .kick = unix_kick,
    .shutdown = unix_shutdown,
    .get_fd = unix_get_fd,
};

static gboolean on_input(gint fd, GIOCondition cond, gpointer data)
{
    struct uconn *u = data;
    struct xsd_conn *c = u->conn;
    struct xsd_store *s = c->store;

    for (;;) {
        size_t want;
        ssize_t n;

        if (!xsd_conn_can_read(c)) {
            /* Throttled: uconn_flush re-arms when replies are out. */
            u->in_src = 0;
            uconn_flush(u);
            flush_pending();
            if (xsd_unix_after_input)
                xsd_unix_after_input(s);
            return G_SOURCE_REMOVE;
        }
        want = c->privileged ? sizeof(inbuf) : xsd_conn_input_wanted(c);
        n = read(fd, inbuf, want);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (n <= 0) {
            if (n < 0 && errno != ECONNRESET)
                xk_log_errno(XK_LOG_DEBUG, "read from connection %u", c->id);
            u->in_src = 0;
            flush_pending();
            uconn_destroy(u);
            return G_SOURCE_REMOVE;
        }
        if (xsd_conn_input(c, inbuf, (size_t)n) < 0) {
            /* Dead: the transport's shutdown scheduled the close. */
            u->in_src = 0;
            flush_pending();
            return G_SOURCE_REMOVE;
        }
        /* A short read drained the socket: save the read() that would
         * say EAGAIN. */
        if (c->privileged && (size_t)n < want)
            break;
    }
    uconn_flush(u);
    flush_pending();
    if (xsd_unix_after_input)
        xsd_unix_after_input(s);
    return G_SOURCE_CONTINUE;
}

static gboolean on_output(gint fd, GIOCondition cond, gpointer data)
{
    struct uconn *u = data;

    u->out_src = 0;
    uconn_flush(u);
    return G_SOURCE_REMOVE;
}

static struct uconn *uconn_new(struct xsd_store *s, int fd, uint32_t domid, unsigned flags)
{
    struct uconn *u = g_new0(struct uconn, 1);

    if (!pending)
        pending = g_ptr_array_new();
    u->fd = fd;
    u->conn = xsd_conn_new(s, &unix_ops, u, domid, flags);
    u->in_src = fd_watch(fd, G_IO_IN | G_IO_HUP | G_IO_ERR, on_input, u);
    return u;
}

static gboolean on_accept(gint fd, GIOCondition cond, gpointer data)
{
    struct listener *l = data;

    for (;;) {
        int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

        if (cfd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                xk_log_errno(XK_LOG_WARN, "accept on the %s socket",
                             l->read_only ? "read-only" : "read-write");
            break;
        }
        uconn_new(l->store, cfd, 0,
                  XSD_CONN_PRIVILEGED | (l->read_only ? XSD_CONN_READ_ONLY : 0));
    }
    return G_SOURCE_CONTINUE;
}

int xsd_unix_listen(const char *path, mode_t mode)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd = -1, saved;

    if (strlen(path) >= sizeof(addr.sun_path)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    strcpy(addr.sun_path, path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    if (unlink(path) < 0 && errno != ENOENT)
        goto fail;
    /* Created with its mode (0777 less the mask): never seen with another. */
    mode_t old = umask(~mode & 0777);
    int rc = bind(fd, (struct sockaddr *)&addr, sizeof(addr));
    umask(old);
    if (rc < 0)
        goto fail;
    if (listen(fd, SOMAXCONN) < 0)
        goto fail;
    return fd;
fail:
    saved = errno;
    close(fd);
    errno = saved;
    return -1;
}

void xsd_unix_serve(struct xsd_store *s, int fd, bool read_only)
{
    struct listener *l = g_new0(struct listener, 1);

    if (!listeners)
        listeners = g_ptr_array_new_with_free_func(g_free);
    l->store = s;
    l->fd = fd;
    l->read_only = read_only;
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    l->src = fd_watch(fd, G_IO_IN, on_accept, l);
    g_ptr_array_add(listeners, l);
}

void xsd_unix_stop(void)
{
    if (listeners) {
        for (guint i = 0; i < listeners->len; i++) {
            struct listener *l = g_ptr_array_index(listeners, i);

            if (l->src)
                g_source_remove(l->src);
        }
        g_ptr_array_free(listeners, TRUE);
        listeners = NULL;
    }
    if (pending_idle) {
        g_source_remove(pending_idle);
        pending_idle = 0;
    }
    if (pending) {
        g_ptr_array_free(pending, TRUE);
        pending = NULL;
    }
}

struct xsd_conn *xsd_unix_adopt(struct xsd_store *s, int fd, uint32_t domid, unsigned flags,
                                void *opaque)
{
    struct uconn *u;

    if (fcntl(fd, F_GETFD) < 0)
        return NULL;
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    u = uconn_new(s, fd, domid, flags);
    return u->conn;
}

void xsd_unix_flush_all(struct xsd_store *s, int timeout_ms)
{
    uint64_t deadline = xk_now_ns() + (uint64_t)timeout_ms * 1000000ULL;

    flush_pending();
    for (;;) {
        bool left = false;

        for (GList *l = s->conns.head; l; l = l->next) {
            struct xsd_conn *c = l->data;

            if (c->ops == &unix_ops && xsd_conn_has_output(c)) {
                struct uconn *u = c->transport;
                struct pollfd pfd = { .fd = u->fd, .events = POLLOUT };

                if (u->closing)
                    continue;
                if (poll(&pfd, 1, 10) == 1)
                    uconn_flush(u);
                left |= xsd_conn_has_output(c) && !u->closing;
            }
        }
        if (!left || xk_now_ns() >= deadline)
            break;
    }
}
