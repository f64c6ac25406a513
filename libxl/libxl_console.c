/* libxl_console.c -- a domain's console on a terminal.
 *
 * Two sources, both followed without polling:
 *  - the PV console: xenconsoled's pty, named by console/tty.  The path is
 *    watched, so when xenconsoled restarts (the pty goes away, a new one
 *    appears) the console is re-opened and the session goes on.
 *  - the hypervisor console: the domain's own lines there, "(dN) text".
 *    A guest's console_io output lands there (Xen sends it to its console,
 *    not to the PV ring), and so does the emulated UART of hvm domains,
 *    which is what `-t serial` shows.  What is typed there goes to the
 *    UART's receive buffer in xen.
 * The hypervisor's wait (libxl_event.c) wakes the loop on console output
 * and on the domain's end; the XenStore watch on console/tty and
 * @releaseDomain does the rest.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "libxl_life.h"
#include "util.h"

int libxl_console_get_tty(libxl_ctx *ctx, uint32_t domid, int cons_num,
                          libxl_console_type type, char **path)
{
    char *tty;

    *path = NULL;
    if (cons_num != 0 || type != LIBXL_CONSOLE_TYPE_PV) {
        LOGD(ERROR, domid, "only the PV console 0 has a tty");
        return ERROR_INVAL;
    }
    tty = libxl__xs_read(ctx, XBT_NULL, "/local/domain/%u/console/tty", domid);
    if (!tty || !*tty) {
        free(tty);
        return ERROR_NOTFOUND;
    }
    *path = tty;
    return 0;
}

struct session {
    libxl_ctx *ctx;
    uint32_t domid;
    const libxl_console_opts *o;
    bool pv;
    int pty;                   /* -1: none open */
    char *tty;                 /* the path pty was opened from */
    uint32_t index;            /* next hypervisor console byte */
    char prefix[24];           /* "(dN) " */
    size_t prefix_len;
    char line[1024];           /* a hypervisor console line being assembled */
    size_t line_len;
    bool line_skip;            /* the current line is another's */
    bool in_eof;
};

static void out_write(struct session *s, const char *buf, size_t len)
{
    if (len && xk_write_full(s->o->out_fd, buf, len) < 0 && errno != EPIPE)
        libxl__log(s->ctx, LIBXL_LOG_DEBUG, errno, s->domid, "console output");
}

static void pty_close(struct session *s)
{
    if (s->pty >= 0)
        close(s->pty);
    s->pty = -1;
    free(s->tty);
    s->tty = NULL;
}

/* (Re-)opens the pty console/tty names now, if it changed. */
static void pty_update(struct session *s)
{
    libxl_ctx *ctx = s->ctx;
    char *tty = NULL;

    if (!s->pv)
        return;
    if (libxl_console_get_tty(ctx, s->domid, 0, LIBXL_CONSOLE_TYPE_PV, &tty)) {
        if (s->pty >= 0)
            pty_close(s);          /* xenconsoled let go of it */
        return;
    }
    if (s->tty && strcmp(s->tty, tty) == 0 && s->pty >= 0) {
        free(tty);
        return;
    }
    pty_close(s);
    s->pty = open(tty, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (s->pty < 0) {
        LOGED(WARN, s->domid, "cannot open the console %s", tty);
        free(tty);
        return;
    }
    s->tty = tty;
}

static void pty_read(struct session *s)
{
    char buf[4096];

    for (;;) {
        ssize_t n = read(s->pty, buf, sizeof(buf));
        if (n > 0) {
            out_write(s, buf, (size_t)n);
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        /* EIO or end: xenconsoled closed its side (it is restarting); a
         * new tty will be announced in XenStore. */
        pty_close(s);
        return;
    }
}

static void hv_char(struct session *s, char c)
{
    if (c == '\n') {
        if (!s->line_skip && s->line_len >= s->prefix_len &&
            memcmp(s->line, s->prefix, s->prefix_len) == 0) {
            out_write(s, s->line + s->prefix_len, s->line_len - s->prefix_len);
            out_write(s, s->o->raw_terminal ? "\r\n" : "\n", s->o->raw_terminal ? 2 : 1);
        }
        s->line_len = 0;
        s->line_skip = false;
        return;
    }
    if (s->line_skip)
        return;
    if (s->line_len < sizeof(s->line))
        s->line[s->line_len++] = c;
    if (s->line_len <= s->prefix_len &&
        memcmp(s->line, s->prefix, s->line_len) != 0)
        s->line_skip = true;   /* not ours: skip to its end */
}

static void hv_read(struct session *s)
{
    xc_interface *xch = libxl__xch(s->ctx);
    char buf[16384];

    if (!xch)
        return;
    for (;;) {
        unsigned int n = sizeof(buf);
        if (xc_readconsolering(xch, buf, &n, 0, 1, &s->index) < 0 || n == 0)
            return;
        for (unsigned int i = 0; i < n; i++)
            hv_char(s, buf[i]);
    }
}

/* Typed input for the emulated UART.  Its receive buffer holds 4 KiB; a
 * guest that does not read it gets what fits within about a second, and
 * the rest is dropped (as a real UART overruns). */
static void serial_send(struct session *s, const char *buf, size_t len)
{
    libxl_ctx *ctx = s->ctx;
    xc_interface *xch = libxl__xch(ctx);

    for (int tries = 0; xch && len && tries < 100; tries++) {
        int n = xc_xk_serial_input(xch, s->domid, buf, len);
        if (n < 0) {
            LOGED(WARN, s->domid, "cannot send input to the serial port");
            return;
        }
        buf += n;
        len -= (size_t)n;
        if (len && n == 0)
            usleep(10000);     /* full: the guest has yet to read */
    }
}

/* Returns 1 when the escape character was typed. */
static int in_read(struct session *s)
{
    char buf[1024];
    ssize_t n = read(s->o->in_fd, buf, sizeof(buf));
    char *esc;

    if (n <= 0) {
        if (n == 0 || (errno != EAGAIN && errno != EINTR))
            s->in_eof = true;
        return 0;
    }
    esc = memchr(buf, s->o->escape_char, (size_t)n);
    if (esc)
        n = esc - buf;
    if (n > 0 && !s->pv)
        serial_send(s, buf, (size_t)n);
    else if (n > 0 && s->pty >= 0 && xk_write_full(s->pty, buf, (size_t)n) < 0)
        pty_close(s);
    return esc != NULL;
}

static bool domain_gone(struct session *s)
{
    libxl_dominfo info;
    int rc = libxl_domain_info(s->ctx, &info, s->domid);

    if (rc)
        return true;
    bool dying = info.dying;
    libxl_dominfo_dispose(&info);
    return dying;
}

int libxl_console_attach(libxl_ctx *ctx, uint32_t domid, int cons_num, libxl_console_type type,
                         const libxl_console_opts *opts)
{
    struct session s = { .ctx = ctx, .domid = domid, .o = opts, .pty = -1 };
    struct termios saved;
    bool restore = false;
    libxl_dominfo info;
    char tty_path[64], *token = NULL;
    int xsfd, rc;

    rc = libxl_domain_info(ctx, &info, domid);
    if (rc)
        return rc;
    if (cons_num != 0) {
        LOGD(ERROR, domid, "console %d does not exist: xenkvm gives a domain console 0 only",
             cons_num);
        libxl_dominfo_dispose(&info);
        return ERROR_INVAL;
    }
    if (type == LIBXL_CONSOLE_TYPE_SERIAL && info.domain_type != LIBXL_DOMAIN_TYPE_HVM) {
        LOGD(ERROR, domid, "a %s domain has no emulated serial port: use -t pv",
             libxl_domain_type_to_string(info.domain_type));
        libxl_dominfo_dispose(&info);
        return ERROR_INVAL;
    }
    libxl_dominfo_dispose(&info);
    s.pv = type != LIBXL_CONSOLE_TYPE_SERIAL;
    s.prefix_len = (size_t)snprintf(s.prefix, sizeof(s.prefix), "(d%u) ", domid);
    s.index = opts->from_index == UINT32_MAX ? libxl_xen_console_index(ctx) : opts->from_index;

    xsfd = libxl__watch_fd(ctx);
    if (xsfd < 0)
        return ERROR_FAIL;
    if (s.pv) {
        snprintf(tty_path, sizeof(tty_path), "/local/domain/%u/console/tty", domid);
        token = libxl__watch_add(ctx, tty_path);
        if (!token)
            return ERROR_FAIL;
    }
    rc = libxl__xenwait_start(ctx, domid, XC_WAIT_CONSOLE | XC_WAIT_GONE);
    if (rc)
        goto out;
    if (opts->raw_terminal && isatty(opts->in_fd) && tcgetattr(opts->in_fd, &saved) == 0) {
        struct termios raw = saved;
        cfmakeraw(&raw);
        if (tcsetattr(opts->in_fd, TCSANOW, &raw) == 0)
            restore = true;
    }
    for (;;) {
        struct pollfd pfd[4];

        libxl__watch_drain(ctx);
        libxl__xenwait_drain(ctx);
        pty_update(&s);
        if (s.pty >= 0)
            pty_read(&s);
        hv_read(&s);
        if (domain_gone(&s)) {
            if (s.pty >= 0)
                pty_read(&s);      /* last words */
            hv_read(&s);
            rc = 0;
            break;
        }
        /* Built after the updates: the pty may have just been opened. */
        pfd[0] = (struct pollfd){ .fd = xsfd, .events = POLLIN };
        pfd[1] = (struct pollfd){ .fd = libxl__xenwait_fd(ctx), .events = POLLIN };
        pfd[2] = (struct pollfd){ .fd = s.in_eof ? -1 : opts->in_fd, .events = POLLIN };
        pfd[3] = (struct pollfd){ .fd = s.pty, .events = POLLIN };
        if (poll(pfd, 4, -1) < 0 && errno != EINTR) {
            LOGE(ERROR, "poll");
            rc = ERROR_FAIL;
            break;
        }
        if ((pfd[2].revents & (POLLIN | POLLHUP)) && in_read(&s)) {
            rc = 0;                /* the escape character: detach */
            break;
        }
    }
out:
    if (restore)
        tcsetattr(opts->in_fd, TCSANOW, &saved);
    if (token)
        libxl__watch_remove(ctx, tty_path, token);
    pty_close(&s);
    return rc;
}
