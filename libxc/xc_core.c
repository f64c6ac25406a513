/* The transport: one SOCK_SEQPACKET connection to xen's control socket. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "xc_private.h"
#include "util.h"

static __thread xc_error last_error;

xc_interface *xc_interface_open(xentoollog_logger *logger, xentoollog_logger *dombuild_logger,
                                unsigned int open_flags)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    const char *path = getenv("XEN_PRIVCMD_PATH");
    xc_interface *xch;
    int fd, saved;

    (void)logger;
    (void)dombuild_logger;
    (void)open_flags;
    if (path && *path) {
        if (strlen(path) >= sizeof(sa.sun_path)) {
            errno = ENAMETOOLONG;
            return NULL;
        }
        strcpy(sa.sun_path, path);
    } else if (snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", xk_run_dir(NULL),
                        XK_CTL_SOCKET_NAME) >= (int)sizeof(sa.sun_path)) {
        errno = ENAMETOOLONG;
        return NULL;
    }
    fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return NULL;
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        saved = errno;
        fprintf(stderr, "xc: cannot reach the hypervisor at %s: %s (is xen running?)\n",
                sa.sun_path, strerror(saved));
        close(fd);
        errno = saved;
        return NULL;
    }
    xch = calloc(1, sizeof(*xch));
    if (!xch) {
        close(fd);
        errno = ENOMEM;
        return NULL;
    }
    xch->fd = fd;
    xch->rx = malloc(XK_CTL_MAX_MSG + 1);
    if (!xch->rx) {
        close(fd);
        free(xch);
        errno = ENOMEM;
        return NULL;
    }
    pthread_mutex_init(&xch->lock, NULL);
    return xch;
}

int xc_interface_close(xc_interface *xch)
{
    if (!xch)
        return 0;
    if (xch->fd >= 0)
        close(xch->fd);
    xch->fd = -1;
    pthread_mutex_destroy(&xch->lock);
    free(xch->rx);
    free(xch);
    return 0;
}

int xc_interface_fd(xc_interface *xch)
{
    return xch->fd;
}

const xc_error *xc_get_last_error(xc_interface *xch)
{
    (void)xch;
    return &last_error;
}

void xc_clear_last_error(xc_interface *xch)
{
    (void)xch;
    last_error.code = XC_ERROR_NONE;
    last_error.message[0] = '\0';
}

const char *xc_error_code_to_desc(int code)
{
    switch (code) {
    case XC_ERROR_NONE: return "No error details";
    case XC_INTERNAL_ERROR: return "Internal error";
    case XC_INVALID_KERNEL: return "Invalid kernel";
    case XC_INVALID_PARAM: return "Invalid configuration";
    case XC_OUT_OF_MEMORY: return "Out of memory";
    }
    return "Unknown error code";
}

void xc_set_error(xc_interface *xch, xc_error_code code, const char *fmt, ...)
{
    va_list ap;
    int saved = errno;

    (void)xch;
    last_error.code = code;
    va_start(ap, fmt);
    vsnprintf(last_error.message, sizeof(last_error.message), fmt, ap);
    va_end(ap);
    errno = saved;
}

int xc_ctl(xc_interface *xch, uint32_t op, const void *in, size_t in_len, const void *in2,
           size_t in2_len, void *out, size_t out_max, size_t *out_len, int *rx_fd)
{
    int fds[2] = { -1, -1 };
    int rc = xc_ctl_full(xch, op, 0, in, in_len, in2, in2_len, out, out_max, out_len,
                         rx_fd ? fds : NULL);

    if (rx_fd)
        *rx_fd = fds[0];
    if (fds[1] >= 0)
        close(fds[1]);
    return rc;
}

int xc_ctl2(xc_interface *xch, uint32_t op, const void *in, size_t in_len, uint32_t flags,
            void *out, size_t out_max, size_t *out_len, int fds[2])
{
    return xc_ctl_full(xch, op, flags, in, in_len, NULL, 0, out, out_max, out_len, fds);
}

int xc_ctl_full(xc_interface *xch, uint32_t op, uint32_t flags, const void *in, size_t in_len,
                const void *in2, size_t in2_len, void *out, size_t out_max, size_t *out_len,
                int fds[2])
{
    struct xk_ctl_hdr h = { .magic = XK_CTL_MAGIC, .op = op, .flags = flags };
    int *rx_fd = fds;
    struct iovec iov[3];
    struct msghdr msg;
    union {
        char buf[CMSG_SPACE(2 * sizeof(int))];
        struct cmsghdr align;
    } cbuf;
    uint8_t *rx = xch->rx;
    ssize_t n;
    int ret, fd = -1, fd2 = -1;

    if (fds)
        fds[0] = fds[1] = -1;
    if (out_len)
        *out_len = 0;
    if (sizeof(h) + in_len + in2_len > XK_CTL_MAX_MSG) {
        errno = E2BIG;
        return -1;
    }
    h.len = (uint32_t)(in_len + in2_len);

    pthread_mutex_lock(&xch->lock);
    h.seq = ++xch->seq;
    iov[0] = (struct iovec){ .iov_base = &h, .iov_len = sizeof(h) };
    iov[1] = (struct iovec){ .iov_base = (void *)(uintptr_t)in, .iov_len = in_len };
    iov[2] = (struct iovec){ .iov_base = (void *)(uintptr_t)in2, .iov_len = in2_len };
    memset(&msg, 0, sizeof(msg));
    msg.msg_iov = iov;
    msg.msg_iovlen = 3;
    do {
        n = sendmsg(xch->fd, &msg, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        pthread_mutex_unlock(&xch->lock);
        return -1;
    }
    if (flags & XK_CTL_F_NOREPLY) {
        pthread_mutex_unlock(&xch->lock);
        return 0;
    }
    /* The reply is read and parsed under the lock: rx is the handle's. */
    for (;;) {
        struct iovec riov = { .iov_base = rx, .iov_len = XK_CTL_MAX_MSG + 1 };
        memset(&msg, 0, sizeof(msg));
        msg.msg_iov = &riov;
        msg.msg_iovlen = 1;
        msg.msg_control = cbuf.buf;
        msg.msg_controllen = sizeof(cbuf.buf);
        n = recvmsg(xch->fd, &msg, MSG_CMSG_CLOEXEC);
        if (n < 0 && errno == EINTR)
            continue;
        break;
    }
    if (n < 0)
        goto fail;
    for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
        if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
            continue;
        if (cm->cmsg_len >= CMSG_LEN(sizeof(int)))
            memcpy(&fd, CMSG_DATA(cm), sizeof(int));
        if (cm->cmsg_len >= CMSG_LEN(2 * sizeof(int)))
            memcpy(&fd2, CMSG_DATA(cm) + sizeof(int), sizeof(int));
    }
    if (n == 0) {
        errno = ECONNRESET;        /* xen went away */
        goto fail;
    }
    struct xk_ctl_hdr rh;
    if ((size_t)n < sizeof(rh)) {
        errno = EPROTO;
        goto fail;
    }
    memcpy(&rh, rx, sizeof(rh));
    if (rh.magic != XK_CTL_MAGIC || rh.seq != h.seq || rh.len != (size_t)n - sizeof(rh)) {
        errno = EPROTO;
        goto fail;
    }
    if (out && rh.len) {
        size_t c = rh.len < out_max ? rh.len : out_max;
        memcpy(out, rx + sizeof(rh), c);
        if (out_len)
            *out_len = c;
    }
    ret = rh.ret;
    pthread_mutex_unlock(&xch->lock);
    if (ret < 0) {
        if (fd >= 0)
            close(fd);
        if (fd2 >= 0)
            close(fd2);
        errno = -ret;
        return -1;
    }
    if (rx_fd) {
        rx_fd[0] = fd;
        rx_fd[1] = fd2;
    } else {
        if (fd >= 0)
            close(fd);
        if (fd2 >= 0)
            close(fd2);
    }
    return ret;

fail:
    pthread_mutex_unlock(&xch->lock);
    if (fd >= 0)
        close(fd);
    if (fd2 >= 0)
        close(fd2);
    return -1;
}

int xc_domctl(xc_interface *xch, struct xen_domctl *dc, const void *in, size_t in_len,
              void *out, size_t out_max, size_t *out_len)
{
    uint8_t buf[sizeof(*dc) + 4096];
    size_t got = 0;
    uint8_t *big = NULL, *rb = buf;
    size_t rb_max = sizeof(buf);
    int rc;

    dc->interface_version = XEN_DOMCTL_INTERFACE_VERSION;
    if (sizeof(*dc) + out_max > sizeof(buf)) {
        big = malloc(sizeof(*dc) + out_max);
        if (!big) {
            errno = ENOMEM;
            return -1;
        }
        rb = big;
        rb_max = sizeof(*dc) + out_max;
    }
    rc = xc_ctl(xch, XK_CTL_DOMCTL, dc, sizeof(*dc), in, in_len, rb, rb_max, &got, NULL);
    if (got >= sizeof(*dc)) {
        memcpy(dc, rb, sizeof(*dc));
        if (out) {
            size_t c = got - sizeof(*dc) < out_max ? got - sizeof(*dc) : out_max;
            memcpy(out, rb + sizeof(*dc), c);
            if (out_len)
                *out_len = c;
        }
    }
    free(big);
    return rc;
}

int xc_sysctl(xc_interface *xch, struct xen_sysctl *sc, void *out, size_t out_max,
              size_t *out_len)
{
    uint8_t *rb = malloc(sizeof(*sc) + out_max);
    size_t got = 0;
    int rc;

    if (!rb) {
        errno = ENOMEM;
        return -1;
    }
    sc->interface_version = XEN_SYSCTL_INTERFACE_VERSION;
    rc = xc_ctl(xch, XK_CTL_SYSCTL, sc, sizeof(*sc), NULL, 0, rb, sizeof(*sc) + out_max, &got,
                NULL);
    if (got >= sizeof(*sc)) {
        memcpy(sc, rb, sizeof(*sc));
        if (out) {
            size_t c = got - sizeof(*sc);
            memcpy(out, rb + sizeof(*sc), c < out_max ? c : out_max);
            if (out_len)
                *out_len = c < out_max ? c : out_max;
        }
    }
    free(rb);
    return rc;
}
