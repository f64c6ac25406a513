/* xenconsoled: the dom0 half of every guest's PV console.
 *
 * For each domain whose XenStore entry has console/ring-ref and
 * console/port, xenconsoled maps the console page (struct xencons_interface)
 * through libxenctrl, binds the event channel, and gives the console a
 * pseudo-terminal whose path it writes to console/tty.  Guest output goes
 * to the pty and, with --log guest|all, to DIR/guest-NAME.log; what is
 * typed on the pty goes into the guest's input ring.  With --log hv|all
 * the hypervisor console (what `xl dmesg` shows) goes to
 * DIR/hypervisor.log as it arrives (VIRQ_CON_RING).
 *
 * Domains are found through XenStore watches (@introduceDomain,
 * @releaseDomain, /local/domain) and the domain list, so xenconsoled can
 * be restarted at any time: it reconnects to every console, and the rings
 * keep their state in the guests' pages.  SIGHUP reopens the logs
 * (logrotate).  A chatty guest is rate limited by reading its ring more
 * slowly: the guest waits, nothing is lost.
 *
 * Privileges: it maps guests' console pages and binds their event
 * channels (root, through the control socket); it writes only its logs,
 * its pid file and console/tty in XenStore.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <termios.h>
#include <unistd.h>

#include <xen/io/console.h>

#include "log.h"
#include "util.h"
#include "xenctrl.h"
#include "xenevtchn.h"
#include "xenstore.h"

#define MAX_CONSOLES 4096
#define PTY_BUF_MAX (64 * 1024)       /* output kept for a pty nobody reads */
#define RATE_BYTES_S (256 * 1024)     /* per-domain output rate */
#define RATE_BURST (64 * 1024)

struct console {
    uint32_t domid;
    char name[128];
    struct xencons_interface *ring;
    evtchn_port_t local_port;
    int master_fd;                     /* pty master, -1 none */
    char tty[64];
    int log_fd;
    char *buf;                         /* output waiting for the pty */
    size_t buf_len;
    uint64_t tokens;
    uint64_t refill_ns;
    bool throttled;
    bool seen;                         /* found in the last scan */
    uint64_t bytes_out;
    int serial_fd;                     /* emulated UART's pty master, -1 none */
    char serial_tty[64];
};

static struct {
    xc_interface *xch;
    struct xs_handle *xs;
    xenevtchn_handle *xce;
    struct console *con[MAX_CONSOLES];
    unsigned int nr;
    const char *log_dir;
    bool log_guest, log_hv;
    int hv_log_fd;
    evtchn_port_t con_ring_port;
    uint32_t hv_index;
    uint32_t serial_index;             /* the hypervisor console, for serial ptys */
    char serial_line[1024];            /* its current line */
    size_t serial_len;
    unsigned int nr_serial;
    int sig_fd;
} g = { .hv_log_fd = -1, .sig_fd = -1 };

/* ---- logs ------------------------------------------------------------------ */

static int open_log(const char *file)
{
    char path[PATH_MAX];

    if (snprintf(path, sizeof(path), "%s/%s", g.log_dir, file) >= (int)sizeof(path))
        return -1;
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (fd < 0)
        xk_log_errno(XK_LOG_WARN, "cannot open %s", path);
    return fd;
}

/* With --log guest|all, opens a console's log (-1 otherwise). */
static int open_guest_log(const struct console *c)
{
    char file[160];

    if (!g.log_guest)
        return -1;
    snprintf(file, sizeof(file), "guest-%s.log", c->name);
    return open_log(file);
}

static void reopen_logs(void)
{
    for (unsigned i = 0; i < g.nr; i++) {
        struct console *c = g.con[i];
        if (c->log_fd >= 0)
            close(c->log_fd);
        c->log_fd = open_guest_log(c);
    }
    if (g.hv_log_fd >= 0)
        close(g.hv_log_fd);
    g.hv_log_fd = g.log_hv ? open_log("hypervisor.log") : -1;
}

/* ---- one console ----------------------------------------------------------- */

/* Removes a domain's tty node, NODE being "console" or "serial/0" (rm
 * does not create what libxl already removed). */
static void tty_remove(struct xs_handle *xs, uint32_t domid, const char *node)
{
    char path[96];

    snprintf(path, sizeof(path), "/local/domain/%u/%s/tty", domid, node);
    xs_rm(xs, XBT_NULL, path);
}

/* Writes NODE/tty only while the domain's console entries still exist:
 * a domain destroyed meanwhile must not get its directory back. */
static void tty_publish(uint32_t domid, const char *node, const char *tty)
{
    char path[128];

    for (int tries = 0; g.xs && tries < 16; tries++) {
        xs_transaction_t t = xs_transaction_start(g.xs);
        unsigned int len;
        char *ref;

        if (t == XBT_NULL)
            return;
        snprintf(path, sizeof(path), "/local/domain/%u/console/ring-ref", domid);
        ref = xs_read(g.xs, t, path, &len);
        if (ref) {
            snprintf(path, sizeof(path), "/local/domain/%u/%s/tty", domid, node);
            xs_write(g.xs, t, path, tty, (unsigned int)strlen(tty));
        }
        free(ref);
        if (xs_transaction_end(g.xs, t, false) || errno != EAGAIN)
            return;
    }
}

/* Frees a console; with rm_tty, also removes its console/tty. */
static void console_free(struct console *c, bool rm_tty)
{

    if (c->ring)
        munmap(c->ring, XC_PAGE_SIZE);
    if (c->local_port)
        xenevtchn_unbind(g.xce, c->local_port);
    if (c->master_fd >= 0)
        close(c->master_fd);
    if (c->log_fd >= 0)
        close(c->log_fd);
    if (rm_tty && g.xs && c->tty[0])
        tty_remove(g.xs, c->domid, "console");
    if (c->serial_fd >= 0) {
        close(c->serial_fd);
        g.nr_serial--;
        if (rm_tty && g.xs)
            tty_remove(g.xs, c->domid, "serial/0");
    }
    free(c->buf);
    free(c);
}

static char *xs_get(uint32_t domid, const char *node)
{
    char path[128];
    unsigned int len;

    snprintf(path, sizeof(path), "/local/domain/%u/%s", domid, node);
    return g.xs ? xs_read(g.xs, XBT_NULL, path, &len) : NULL;
}

/* A raw pty master; its slave's path into tty. */
static int new_pty(char *tty, size_t cap)
{
    struct termios t;
    int fd = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);

    if (fd < 0 || grantpt(fd) < 0 || unlockpt(fd) < 0 || !ptsname(fd)) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    snprintf(tty, cap, "%s", ptsname(fd));
    /* Raw: bytes pass unchanged in both directions. */
    if (tcgetattr(fd, &t) == 0) {
        cfmakeraw(&t);
        tcsetattr(fd, TCSANOW, &t);
    }
    return fd;
}

static int open_pty(struct console *c)
{
    c->master_fd = new_pty(c->tty, sizeof(c->tty));
    return c->master_fd < 0 ? -1 : 0;
}

/* The emulated UART of an HVM-type domain (xen takes zero bytes of input
 * from a domain that has one, and refuses with ENODEV otherwise): a pty
 * of its own, announced in serial/0/tty.  Its output is the domain's
 * lines of the hypervisor console; what is typed goes to the UART. */
static void serial_connect(struct console *c)
{
    if (xc_xk_serial_input(g.xch, c->domid, "", 0) < 0)
        return;
    c->serial_fd = new_pty(c->serial_tty, sizeof(c->serial_tty));
    if (c->serial_fd < 0) {
        xk_log_errno(XK_LOG_WARN, "d%u: cannot open a pty for the serial port", c->domid);
        return;
    }
    g.nr_serial++;
    tty_publish(c->domid, "serial/0", c->serial_tty);
    xk_log(XK_LOG_INFO, "d%u (%s): serial port on %s", c->domid, c->name, c->serial_tty);
}

/* Typed on a serial pty: to the UART (what does not fit is dropped, as
 * a UART overruns). */
static void serial_read_pty(struct console *c)
{
    char buf[1024];
    ssize_t n = read(c->serial_fd, buf, sizeof(buf));

    if (n > 0)
        xc_xk_serial_input(g.xch, c->domid, buf, (size_t)n);
}

/* One complete line of the hypervisor console: "(dN) text" goes to
 * domain N's serial pty, if it has one. */
static void serial_route_line(const char *line, size_t len)
{
    unsigned int d;
    int off = 0;

    if (len < 4 || line[0] != '(' || line[1] != 'd' ||
        sscanf(line, "(d%u) %n", &d, &off) != 1 || off <= 0 || (size_t)off > len)
        return;
    for (unsigned i = 0; i < g.nr; i++) {
        struct console *c = g.con[i];
        if (c->domid != d || c->serial_fd < 0)
            continue;
        char out[1100];
        size_t n = XK_MIN(len - (size_t)off, sizeof(out) - 2);
        memcpy(out, line + off, n);
        out[n++] = '\r';
        out[n++] = '\n';
        if (write(c->serial_fd, out, n) < 0) {
            /* nobody reads the pty and its buffer is full: dropped */
        }
        return;
    }
}

/* The hypervisor console's output after *index, as much as fits in buf
 * (moving *index on); 0 when there is no more. */
static unsigned int hv_ring_read(char *buf, unsigned int size, uint32_t *index)
{
    unsigned int n = size;

    if (xc_readconsolering(g.xch, buf, &n, 0, 1, index) < 0)
        return 0;
    return n;
}

/* New hypervisor console output, for the serial ptys. */
static void serial_drain(void)
{
    char buf[16384];
    unsigned int n;

    while ((n = hv_ring_read(buf, sizeof(buf), &g.serial_index)) > 0) {
        if (!g.nr_serial)
            continue;          /* keep up, nobody to route to */
        for (unsigned int i = 0; i < n; i++) {
            if (buf[i] == '\n') {
                serial_route_line(g.serial_line, g.serial_len);
                g.serial_len = 0;
            } else if (g.serial_len < sizeof(g.serial_line)) {
                g.serial_line[g.serial_len++] = buf[i];
            }
        }
    }
}

static struct console *console_connect(uint32_t domid)
{
    struct console *c = NULL;
    char *ref = NULL, *port = NULL, *name = NULL;
    int rport;

    ref = xs_get(domid, "console/ring-ref");
    port = xs_get(domid, "console/port");
    if (!ref || !port)
        goto out;
    c = calloc(1, sizeof(*c));
    if (!c)
        goto out;
    c->domid = domid;
    c->master_fd = -1;
    c->serial_fd = -1;
    c->log_fd = -1;
    c->tokens = RATE_BURST;
    c->refill_ns = xk_now_ns();
    name = xs_get(domid, "name");
    snprintf(c->name, sizeof(c->name), "%s", name && *name ? name : "");
    if (!c->name[0])
        snprintf(c->name, sizeof(c->name), "d%u", domid);
    for (char *p = c->name; *p; p++)
        if (*p == '/')
            *p = '_';
    c->ring = xc_map_foreign_range(g.xch, domid, XC_PAGE_SIZE, PROT_READ | PROT_WRITE,
                                   strtoul(ref, NULL, 0));
    if (!c->ring) {
        xk_log_errno(XK_LOG_WARN, "d%u: cannot map the console page %s", domid, ref);
        goto fail;
    }
    rport = xenevtchn_bind_interdomain(g.xce, domid, (evtchn_port_t)strtoul(port, NULL, 0));
    if (rport < 0) {
        xk_log_errno(XK_LOG_WARN, "d%u: cannot bind console port %s", domid, port);
        goto fail;
    }
    c->local_port = (evtchn_port_t)rport;
    if (open_pty(c) < 0) {
        xk_log_errno(XK_LOG_WARN, "d%u: cannot open a pty", domid);
        goto fail;
    }
    tty_publish(domid, "console", c->tty);
    c->log_fd = open_guest_log(c);
    xk_log(XK_LOG_INFO, "d%u (%s): console on %s", domid, c->name, c->tty);
    serial_connect(c);
    goto out;

fail:
    console_free(c, false);
    c = NULL;
out:
    free(ref);
    free(port);
    free(name);
    return c;
}

static void pty_flush(struct console *c)
{
    while (c->buf_len && c->master_fd >= 0) {
        ssize_t n = write(c->master_fd, c->buf, c->buf_len);
        if (n <= 0)
            break;
        memmove(c->buf, c->buf + n, c->buf_len - (size_t)n);
        c->buf_len -= (size_t)n;
    }
}

static void pty_queue(struct console *c, const char *data, size_t len)
{
    if (!c->buf && !(c->buf = malloc(PTY_BUF_MAX)))
        return;
    if (len > PTY_BUF_MAX) {
        data += len - PTY_BUF_MAX;
        len = PTY_BUF_MAX;
    }
    if (c->buf_len + len > PTY_BUF_MAX) {
        /* Nobody reads the pty: keep the newest output. */
        size_t drop = c->buf_len + len - PTY_BUF_MAX;
        memmove(c->buf, c->buf + drop, c->buf_len - drop);
        c->buf_len -= drop;
    }
    memcpy(c->buf + c->buf_len, data, len);
    c->buf_len += len;
    pty_flush(c);
}

/* Drains the guest's output ring, within the rate limit. */
static void console_read_ring(struct console *c)
{
    struct xencons_interface *r = c->ring;
    char tmp[sizeof(r->out)];
    uint64_t now = xk_now_ns();

    c->tokens = XK_MIN(RATE_BURST, c->tokens + (now - c->refill_ns) * RATE_BYTES_S / 1000000000ULL);
    c->refill_ns = now;
    XENCONS_RING_IDX cons = __atomic_load_n(&r->out_cons, __ATOMIC_ACQUIRE);
    XENCONS_RING_IDX prod = __atomic_load_n(&r->out_prod, __ATOMIC_ACQUIRE);
    uint32_t avail = prod - cons;

    if (avail > sizeof(r->out)) {
        xk_log(XK_LOG_WARN, "d%u: console ring indices are corrupt (prod %u cons %u); resetting",
               c->domid, prod, cons);
        __atomic_store_n(&r->out_cons, prod, __ATOMIC_RELEASE);
        return;
    }
    uint32_t n = (uint32_t)XK_MIN((uint64_t)avail, c->tokens);
    c->throttled = n < avail;
    for (uint32_t i = 0; i < n; i++)
        tmp[i] = r->out[MASK_XENCONS_IDX(cons + i, r->out)];
    __atomic_store_n(&r->out_cons, cons + n, __ATOMIC_RELEASE);
    if (!n)
        return;
    c->tokens -= n;
    c->bytes_out += n;
    if (c->log_fd >= 0 && xk_write_full(c->log_fd, tmp, n) < 0)
        xk_log_errno(XK_LOG_WARN, "d%u: writing the console log", c->domid);
    pty_queue(c, tmp, n);
    xenevtchn_notify(g.xce, c->local_port);
}

/* Moves what was typed on the pty into the guest's input ring. */
static void console_read_pty(struct console *c)
{
    struct xencons_interface *r = c->ring;
    XENCONS_RING_IDX cons = __atomic_load_n(&r->in_cons, __ATOMIC_ACQUIRE);
    XENCONS_RING_IDX prod = __atomic_load_n(&r->in_prod, __ATOMIC_ACQUIRE);
    uint32_t space = (uint32_t)sizeof(r->in) - (prod - cons);
    char tmp[sizeof(r->in)];

    if (prod - cons > sizeof(r->in) || space == 0)
        return;
    ssize_t n = read(c->master_fd, tmp, space);
    if (n <= 0)
        return;     /* nothing typed (EAGAIN), or no slave open yet (EIO) */
    for (ssize_t i = 0; i < n; i++)
        r->in[MASK_XENCONS_IDX(prod + (uint32_t)i, r->in)] = tmp[i];
    __atomic_store_n(&r->in_prod, prod + (uint32_t)n, __ATOMIC_RELEASE);
    xenevtchn_notify(g.xce, c->local_port);
}

/* ---- discovery ----------------------------------------------------------------- */

static void scan_domains(void)
{
    xc_domaininfo_t info[256];
    uint32_t next = 1;
    int n;

    for (unsigned i = 0; i < g.nr; i++)
        g.con[i]->seen = false;
    while ((n = xc_domain_getinfolist(g.xch, next, 256, info)) > 0) {
        for (int i = 0; i < n; i++) {
            uint32_t d = info[i].domain;
            struct console *c = NULL;
            if (info[i].flags & XEN_DOMINF_dying)
                continue;
            for (unsigned k = 0; k < g.nr; k++)
                if (g.con[k]->domid == d)
                    c = g.con[k];
            if (!c && g.nr < MAX_CONSOLES && (c = console_connect(d)))
                g.con[g.nr++] = c;
            if (c)
                c->seen = true;
        }
        next = info[n - 1].domain + 1u;
        if (n < 256)
            break;
    }
    for (unsigned i = 0; i < g.nr;) {
        if (!g.con[i]->seen) {
            struct console *c = g.con[i];
            xk_log(XK_LOG_INFO, "d%u (%s): domain gone; %llu bytes of output", c->domid,
                   c->name, (unsigned long long)c->bytes_out);
            console_read_ring(c);  /* last words */
            console_free(c, true);
            g.con[i] = g.con[--g.nr];
        } else {
            i++;
        }
    }
}

static void hv_log_drain(void)
{
    char buf[16384];
    unsigned int n;

    while ((n = hv_ring_read(buf, sizeof(buf), &g.hv_index)) > 0) {
        if (g.hv_log_fd >= 0 && xk_write_full(g.hv_log_fd, buf, n) < 0)
            return;
    }
}

/* ---- main ---------------------------------------------------------------------- */

static void usage(FILE *f)
{
    fprintf(f,
"Usage: xenconsoled [OPTION]...\n"
"Serves the guests' PV consoles: a pty per console, and console logs.\n"
"  -r, --run-dir DIR      run directory (default $XEN_RUN_DIR, else /run/xen)\n"
"  -F, --foreground       stay in the foreground\n"
"  -o, --log WHAT         none (default), guest, hv or all\n"
"  -d, --log-dir DIR      where logs go (default /var/log/xen/console)\n"
"  -p, --pid-file FILE    pid file (default RUNDIR/xenconsoled.pid)\n"
"  -l, --log-level LEVEL  error, warn, info (default) or debug\n"
"  -L, --log-file FILE    xenconsoled's own log (default: standard error)\n"
"  -h, --help             show this help\n");
}

/* Opens the XenStore handle and sets the watches.  The handle rides out a
 * short xenstored restart by itself; after a longer absence it breaks and
 * the main loop calls this again every second. */
static bool xs_connect(void)
{
    g.xs = xs_open(0);
    if (!g.xs)
        return false;
    if (!xs_watch(g.xs, "@introduceDomain", "intro") ||
        !xs_watch(g.xs, "@releaseDomain", "release") ||
        !xs_watch(g.xs, "/local/domain", "domains")) {
        xs_close(g.xs);
        g.xs = NULL;
        return false;
    }
    return true;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "run-dir", required_argument, NULL, 'r' },
        { "foreground", no_argument, NULL, 'F' },
        { "log", required_argument, NULL, 'o' },
        { "log-dir", required_argument, NULL, 'd' },
        { "pid-file", required_argument, NULL, 'p' },
        { "log-level", required_argument, NULL, 'l' },
        { "log-file", required_argument, NULL, 'L' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *run_opt = NULL, *log_file = NULL;
    bool foreground = false;
    int opt, pid_fd;
    pid_t holder;
    sigset_t sigs;

    xk_log_init(argv[0]);
    g.log_dir = "/var/log/xen/console";
    while ((opt = getopt_long(argc, argv, "r:Fo:d:p:l:L:h", opts, NULL)) != -1) {
        switch (opt) {
        case 'r': run_opt = optarg; break;
        case 'F': foreground = true; break;
        case 'o':
            if (!strcmp(optarg, "none")) { g.log_guest = g.log_hv = false; }
            else if (!strcmp(optarg, "guest")) { g.log_guest = true; g.log_hv = false; }
            else if (!strcmp(optarg, "hv")) { g.log_guest = false; g.log_hv = true; }
            else if (!strcmp(optarg, "all")) { g.log_guest = g.log_hv = true; }
            else xk_fatal("--log: '%s' is not one of none, guest, hv, all", optarg);
            break;
        case 'd': g.log_dir = optarg; break;
        case 'p': break;   /* the pid file is RUNDIR/xenconsoled.pid */
        case 'l': xk_log_set_level_arg(optarg); break;
        case 'L': log_file = optarg; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    const char *run_dir = xk_run_dir(run_opt);
    if (log_file && xk_log_open_file(log_file) < 0)
        xk_fatal_errno("cannot open %s", log_file);
    if ((g.log_guest || g.log_hv) && xk_mkdir_p(g.log_dir, 0755) < 0)
        xk_fatal_errno("cannot create log directory %s", g.log_dir);
    if (xk_mkdir_p(run_dir, 0755) < 0)
        xk_fatal_errno("cannot create %s", run_dir);
    pid_fd = xk_pidfile_acquire(run_dir, "xenconsoled", &holder);
    if (pid_fd < 0) {
        if (errno == EWOULDBLOCK)
            xk_fatal("another xenconsoled (pid %d) is already serving %s", (int)holder, run_dir);
        xk_fatal_errno("cannot lock %s/xenconsoled.pid", run_dir);
    }
    if (!foreground && daemon(0, 0) < 0)
        xk_fatal_errno("daemon");
    if (!foreground) {
        char b[32];
        int n = snprintf(b, sizeof(b), "%d\n", (int)getpid());
        if (ftruncate(pid_fd, 0) < 0 || pwrite(pid_fd, b, (size_t)n, 0) != n)
            xk_fatal_errno("writing the pid file");
    }

    g.xch = xc_interface_open(NULL, NULL, 0);
    if (!g.xch)
        xk_fatal("cannot reach xen (is it running with run directory %s?)", run_dir);
    g.xce = xenevtchn_open(NULL, 0);
    if (!g.xce)
        xk_fatal_errno("cannot open an event-channel handle");
    fcntl(xenevtchn_fd(g.xce), F_SETFL, fcntl(xenevtchn_fd(g.xce), F_GETFL) | O_NONBLOCK);
    if (!xs_connect())
        xk_fatal_errno("cannot reach xenstored");
    /* The hypervisor console: for its log, and for the serial ptys. */
    int vp = xenevtchn_bind_virq(g.xce, VIRQ_CON_RING);
    if (vp < 0)
        xk_log_errno(XK_LOG_WARN, "cannot bind VIRQ_CON_RING; the hypervisor log is read "
                     "only at start and serial ports show no output");
    g.con_ring_port = vp > 0 ? (evtchn_port_t)vp : 0;
    serial_drain();            /* from now on: what came before is history */
    reopen_logs();

    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGHUP);
    sigprocmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);
    g.sig_fd = signalfd(-1, &sigs, SFD_CLOEXEC | SFD_NONBLOCK);
    if (g.log_hv)
        hv_log_drain();
    scan_domains();
    xk_log(XK_LOG_INFO, "serving consoles (run directory %s)", run_dir);

    bool running = true;
    while (running) {
        static struct pollfd pfd[3 + 2 * MAX_CONSOLES];
        unsigned n = 0;
        int timeout = -1;

        pfd[n++] = (struct pollfd){ .fd = g.sig_fd, .events = POLLIN };
        pfd[n++] = (struct pollfd){ .fd = g.xs ? xs_fileno(g.xs) : -1, .events = POLLIN };
        if (!g.xs)
            timeout = 1000;        /* try xenstored again */
        pfd[n++] = (struct pollfd){ .fd = xenevtchn_fd(g.xce), .events = POLLIN };
        for (unsigned i = 0; i < g.nr; i++) {
            struct console *c = g.con[i];
            pfd[n++] = (struct pollfd){ .fd = c->master_fd,
                                        .events = (short)(POLLIN | (c->buf_len ? POLLOUT : 0)) };
            pfd[n++] = (struct pollfd){ .fd = c->serial_fd, .events = POLLIN };
            if (c->throttled)
                timeout = 50;      /* come back when tokens have refilled */
        }
        bool rescanned = false;
        if (poll(pfd, n, timeout) < 0 && errno != EINTR)
            xk_fatal_errno("poll");
        if (!g.xs && xs_connect()) {
            xk_log(XK_LOG_INFO, "xenstored is back");
            scan_domains();
            rescanned = true;
        }
        if (pfd[0].revents & POLLIN) {
            struct signalfd_siginfo si;
            if (read(g.sig_fd, &si, sizeof(si)) == sizeof(si)) {
                if (si.ssi_signo == SIGHUP)
                    reopen_logs();
                else
                    running = false;
            }
        }
        if (pfd[1].revents & POLLIN) {
            char **w;
            bool rescan = false;
            while ((w = xs_check_watch(g.xs))) {
                rescan = true;
                free(w);
            }
            if (errno != EAGAIN) {
                xk_log_errno(XK_LOG_WARN, "lost xenstored; trying again every second");
                xs_close(g.xs);
                g.xs = NULL;
            } else if (rescan) {
                scan_domains();
                rescanned = true;
            }
        }
        if (pfd[2].revents & POLLIN) {
            int port;
            while ((port = xenevtchn_pending(g.xce)) >= 0) {
                if ((evtchn_port_t)port == g.con_ring_port) {
                    if (g.log_hv)
                        hv_log_drain();
                    serial_drain();
                } else {
                    for (unsigned i = 0; i < g.nr; i++)
                        if (g.con[i]->local_port == (evtchn_port_t)port)
                            console_read_ring(g.con[i]);
                }
                xenevtchn_unmask(g.xce, (evtchn_port_t)port);
            }
        }
        /* The revents below belong to the consoles as they were when
         * polled; after a rescan (which may drop some) poll again first:
         * the descriptors are level-triggered, nothing is lost. */
        for (unsigned i = 0; i < g.nr && 4 + 2 * i < n && !rescanned; i++) {
            struct console *c = g.con[i];
            if (pfd[3 + 2 * i].revents & POLLIN)
                console_read_pty(c);
            if (pfd[3 + 2 * i].revents & POLLOUT)
                pty_flush(c);
            if (pfd[4 + 2 * i].revents & POLLIN)
                serial_read_pty(c);
            if (c->throttled)
                console_read_ring(c);
        }
    }

    xk_log(XK_LOG_INFO, "stopping");
    /* Our ptys go: their console/tty entries too, but through a handle
     * that does not wait for a xenstored that has gone first. */
    static uint32_t ttys[MAX_CONSOLES];
    static bool serial[MAX_CONSOLES];
    unsigned nr_ttys = 0;
    while (g.nr) {
        struct console *c = g.con[--g.nr];
        if (c->tty[0]) {
            serial[nr_ttys] = c->serial_fd >= 0;
            ttys[nr_ttys++] = c->domid;
        }
        console_free(c, false);
    }
    if (g.hv_log_fd >= 0)
        close(g.hv_log_fd);
    xs_close(g.xs);
    g.xs = NULL;
    if (nr_ttys) {
        setenv("XENSTORE_RECONNECT_TIMEOUT", "0", 1);   /* read by xs_open */
        struct xs_handle *xs = xs_open(0);
        for (unsigned i = 0; xs && i < nr_ttys; i++) {
            tty_remove(xs, ttys[i], "console");
            if (serial[i])
                tty_remove(xs, ttys[i], "serial/0");
        }
        xs_close(xs);
    }
    xenevtchn_close(g.xce);
    xc_interface_close(g.xch);
    close(g.sig_fd);
    {
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "%s/xenconsoled.pid", run_dir);
        unlink(path);
    }
    close(pid_fd);
    return 0;
}
