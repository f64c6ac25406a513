/* libxenctrl internals. */
#ifndef XC_PRIVATE_H
#define XC_PRIVATE_H

#include <pthread.h>
#include <stdarg.h>

#include "xenctrl.h"
#include "xk-ctl.h"

struct xc_interface_core {
    int fd;
    pthread_mutex_t lock;       /* one request at a time on fd */
    uint32_t seq;
    uint8_t *rx;                /* reply buffer, under lock */
};

/* Sends one request (header built here) and waits for its reply.
 * `in`/`in_len` is the payload; the reply payload is copied into
 * `out` (up to out_max, actual length in *out_len).  When rx_fd is not
 * NULL, a descriptor passed with the reply lands there (else -1).
 * Returns the reply's ret (>= 0), or -1 with errno (the negated ret, or a
 * transport error). */
int xc_ctl(xc_interface *xch, uint32_t op, const void *in, size_t in_len, const void *in2,
           size_t in2_len, void *out, size_t out_max, size_t *out_len, int *rx_fd);

/* The same with request flags (XK_CTL_F_*) and up to two received
 * descriptors (fds[0], fds[1], -1 when absent; fds may be NULL). */
int xc_ctl2(xc_interface *xch, uint32_t op, const void *in, size_t in_len, uint32_t flags,
            void *out, size_t out_max, size_t *out_len, int fds[2]);
int xc_ctl_full(xc_interface *xch, uint32_t op, uint32_t flags, const void *in, size_t in_len,
                const void *in2, size_t in2_len, void *out, size_t out_max, size_t *out_len,
                int fds[2]);

int xc_domctl(xc_interface *xch, struct xen_domctl *dc, const void *in, size_t in_len,
              void *out, size_t out_max, size_t *out_len);
int xc_sysctl(xc_interface *xch, struct xen_sysctl *sc, void *out, size_t out_max,
              size_t *out_len);

void xc_set_error(xc_interface *xch, xc_error_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
