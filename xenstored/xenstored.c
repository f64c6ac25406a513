/* xenstored: the XenStore daemon.
 *
 * Privilege: runs as root today because the run directory and its sockets
 * are root's (socket is 0600, the equivalent of dom0-only access;
 * socket_ro 0660).  It opens nothing else after start-up but its log,
 * trace and state files in the run directory, and the hypervisor's
 * control socket (RUNDIR/privcmd), through which the guest-ring transport
 * (xsd_ring.c) maps the ring pages of introduced domains and binds their
 * event channels; it maps no other guest memory.
 *
 * Life cycle: start (fresh, or from the state file a previous instance
 * left at SIGTERM), serve, and at SIGTERM write the state file and exit;
 * CONTROL live-update writes the state with the open connections and
 * re-executes the binary, which takes them over.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib-unix.h>

#include "log.h"
#include "util.h"
#include "xk-ctl.h"
#include "xsd.h"
#include "xsd_ring.h"
#include "xsd_unix.h"

#define XENSTORED_DEFAULT_RUN_DIR "/var/run/xenstored"

struct options {
    const char *run_dir;
    const char *pid_file;
    const char *log_file;
    const char *trace_file;
    const char *state_file;
    const char *live_update_state;
    bool foreground;
    bool trace;
    bool no_restore;
    bool output_pid;
    int log_level;
};

static struct {
    struct xsd_store *store;
    GMainLoop *loop;
    struct options opt;
    char *run_dir;
    char *socket_path;
    char *socket_ro_path;
    char *state_path;
    char *trace_path;
    char *privcmd_path;
    int listen_fd[2];
    bool save_state;
    bool live_update;
    char **argv;
    int argc;
} d = { .listen_fd = { -1, -1 } };

static void usage(FILE *f)
{
    fprintf(f,
"Usage: xenstored [OPTION]...\n"
"The XenStore daemon of xenkvm: serves the XenStore protocol on the Unix\n"
"sockets RUNDIR/socket and RUNDIR/socket_ro, and each introduced guest on\n"
"its ring page through the hypervisor's control socket (RUNDIR/privcmd, or\n"
"$XEN_PRIVCMD_PATH) when xen runs.\n"
"\n"
"  -R, --run-dir DIR         sockets, pid file and state file in DIR (default\n"
"                            $XEN_RUN_DIR, else " XENSTORED_DEFAULT_RUN_DIR ");\n"
"                            without it, $XENSTORED_PATH names the socket\n"
"  -N, --foreground, --no-fork   do not detach\n"
"  -F, --pid-file FILE       pid file (default RUNDIR/xenstored.pid)\n"
"  -L, --log-file FILE       log file (default: standard error in the\n"
"                            foreground, else RUNDIR/xenstored.log)\n"
"  -l, --log-level LEVEL     error, warn, info (default) or debug\n"
"  -V, --verbose             same as --log-level debug\n"
"  -T, --trace-file FILE     trace every request and reply to FILE\n"
"      --trace               trace every request and reply to the log\n"
"      --state-file FILE     state kept across restarts (default\n"
"                            RUNDIR/xenstored.state)\n"
"      --no-restore          ignore an existing state file\n"
"  -P, --output-pid          print the daemon's pid on standard output\n"
"Quotas (for unprivileged domains; 0 disables one):\n"
"  -E, --entry-nb N          nodes per domain (1000)\n"
"  -S, --entry-size N        bytes per node (2048)\n"
"  -W, --watch-nb N          watches per domain (128)\n"
"  -t, --transaction N       open transactions per domain (10)\n"
"  -A, --perm-nb N           permission entries per node (5)\n"
"  -Q, --quota NAME=N        any quota: nodes, watches, transactions,\n"
"                            outstanding (20), memory (2621440),\n"
"                            transaction-nodes (1024), node-permissions,\n"
"                            path-max (2048), node-size\n"
"  -q, --quota-soft memory=N memory use that is logged as a warning (2097152)\n"
"  -w, --timeout watch-event=SECONDS  drop unread watch events (20)\n"
"  -K, --keep-orphans        give a released domain's nodes to domain 0\n"
"  -H, -h, --help            this help\n");
}

static unsigned long parse_number(const char *what, const char *s)
{
    uint64_t v;

    if (xk_parse_u64(s, &v) < 0 || v > ULONG_MAX)
        xk_fatal("invalid value \"%s\" for %s: expected a number", s, what);
    return (unsigned long)v;
}

/* Which quotas the command line set: they win over restored ones. */
static bool quota_given[XSD_Q_COUNT];
static bool soft_quota_given;

static void set_quota(struct xsd_store *s, enum xsd_quota q, const char *value)
{
    s->quota[q] = parse_number(xsd_quota_info[q].name, value);
    quota_given[q] = true;
}

static void set_quota_assign(struct xsd_store *s, const char *arg, bool soft)
{
    const char *eq = strchr(arg, '=');
    char *name;
    int q;

    if (!eq)
        xk_fatal("quota \"%s\": expected NAME=VALUE", arg);
    name = g_strndup(arg, (size_t)(eq - arg));
    if (soft) {
        if (strcmp(name, "memory") != 0)
            xk_fatal("soft quota \"%s\": only memory has a soft quota", name);
        s->quota_soft_memory = parse_number("memory", eq + 1);
        soft_quota_given = true;
    } else {
        q = xsd_quota_by_name(name);
        if (q < 0)
            xk_fatal("unknown quota \"%s\" (see xenstored --help)", name);
        set_quota(s, (enum xsd_quota)q, eq + 1);
    }
    g_free(name);
}

static int set_trace_file(struct xsd_store *s, const char *path)
{
    FILE *f = fopen(path, "a");

    if (!f)
        return errno == EACCES ? EACCES : EINVAL;
    fcntl(fileno(f), F_SETFD, FD_CLOEXEC);
    if (s->trace)
        fclose(s->trace);
    s->trace = f;
    s->trace_on = true;
    g_free(d.trace_path);
    d.trace_path = g_strdup(path);
    return 0;
}

static gboolean on_terminate(gpointer data)
{
    xk_info("signal %s: saving state and exiting", strsignal(GPOINTER_TO_INT(data)));
    d.save_state = true;
    g_main_loop_quit(d.loop);
    return G_SOURCE_CONTINUE;
}

static gboolean on_hangup(gpointer data)
{
    if (d.opt.log_file && xk_log_open_file(d.opt.log_file) < 0)
        xk_log_errno(XK_LOG_WARN, "cannot reopen the log file %s", d.opt.log_file);
    if (d.trace_path && d.store->trace) {
        char *p = g_strdup(d.trace_path);

        set_trace_file(d.store, p);
        g_free(p);
    }
    return G_SOURCE_CONTINUE;
}

/* The expiry of unread watch events of unprivileged connections runs
 * once a second, but only while there are such events: an idle timer
 * source would cost every main-loop iteration a clock read. */
static guint tick_src;

static gboolean on_tick(gpointer data)
{
    struct xsd_store *s = d.store;
    uint64_t now = xk_now_ns() / 1000000;

    for (GList *l = s->conns.head; l; l = l->next)
        xsd_conn_expire_events(l->data, now, s->watch_event_timeout_ms);
    if (s->timed_events)
        return G_SOURCE_CONTINUE;
    tick_src = 0;
    return G_SOURCE_REMOVE;
}

static void after_input(struct xsd_store *s)
{
    if (s->timed_events && !tick_src)
        tick_src = g_timeout_add_seconds(1, on_tick, NULL);
    if (s->live_update_requested && !d.live_update) {
        d.live_update = true;
        g_main_loop_quit(d.loop);
    }
}

/* ------------------------------------------------------------------ */

/* Connections from a state file: sockets (live update only) and the
 * guests' rings (always; attached once the hypervisor is reached). */
static struct xsd_conn *adopt_conn(struct xsd_store *s, int fd, uint32_t domid, unsigned flags,
                                   void *opaque)
{
    bool live_update = opaque != NULL;

    if (fd < 0)
        return xsd_ring_adopt(s, domid);
    return live_update ? xsd_unix_adopt(s, fd, domid, flags, NULL) : NULL;
}

static int restore(struct xsd_store **sp)
{
    const char *why = "";
    int fds[2];

    if (d.opt.live_update_state) {
        struct xsd_store *s = xsd_store_new(false);

        if (xsd_state_load(s, d.opt.live_update_state, fds, adopt_conn, &d, &why) < 0)
            xk_fatal("live update: cannot load %s: %s", d.opt.live_update_state, why);
        unlink(d.opt.live_update_state);
        d.listen_fd[0] = fds[0];
        d.listen_fd[1] = fds[1];
        *sp = s;
        xk_info("live update complete: %u connections taken over", s->conns.length);
        return 1;
    }
    if (!d.opt.no_restore && access(d.state_path, F_OK) == 0) {
        struct xsd_store *s = xsd_store_new(false);

        if (xsd_state_load(s, d.state_path, fds, adopt_conn, NULL, &why) == 0) {
            uint64_t nodes, bytes;

            unlink(d.state_path);
            xsd_store_tree_stats(s, &nodes, &bytes);
            xk_info("state restored from %s: %llu nodes", d.state_path,
                    (unsigned long long)nodes);
            *sp = s;
            return 1;
        }
        {
            char *bad = g_strdup_printf("%s.bad", d.state_path);

            xk_error("cannot restore %s (%s): starting with a fresh store; the file is kept "
                     "as %s", d.state_path, why, bad);
            rename(d.state_path, bad);
            g_free(bad);
        }
        xsd_ring_stop(s);       /* rings adopted before the damage was found */
        xsd_store_free(s);
    }
    *sp = xsd_store_new(true);
    return 0;
}

static void parse_args(int argc, char **argv, struct xsd_store *quotas)
{
    enum { OPT_TRACE = 256, OPT_STATE, OPT_NO_RESTORE, OPT_LU_STATE };
    static const struct option longopts[] = {
        { "run-dir", required_argument, NULL, 'R' },
        { "foreground", no_argument, NULL, 'N' },
        { "no-fork", no_argument, NULL, 'N' },
        { "pid-file", required_argument, NULL, 'F' },
        { "log-file", required_argument, NULL, 'L' },
        { "log-level", required_argument, NULL, 'l' },
        { "verbose", no_argument, NULL, 'V' },
        { "trace-file", required_argument, NULL, 'T' },
        { "trace", no_argument, NULL, OPT_TRACE },
        { "state-file", required_argument, NULL, OPT_STATE },
        { "no-restore", no_argument, NULL, OPT_NO_RESTORE },
        { "live-update-state", required_argument, NULL, OPT_LU_STATE },
        { "output-pid", no_argument, NULL, 'P' },
        { "entry-nb", required_argument, NULL, 'E' },
        { "entry-size", required_argument, NULL, 'S' },
        { "watch-nb", required_argument, NULL, 'W' },
        { "transaction", required_argument, NULL, 't' },
        { "perm-nb", required_argument, NULL, 'A' },
        { "quota", required_argument, NULL, 'Q' },
        { "quota-soft", required_argument, NULL, 'q' },
        { "timeout", required_argument, NULL, 'w' },
        { "keep-orphans", no_argument, NULL, 'K' },
        { "help", no_argument, NULL, 'H' },
        { NULL, 0, NULL, 0 },
    };
    int c;

    d.opt.log_level = XK_LOG_INFO;
    while ((c = getopt_long(argc, argv, "R:NF:L:l:VT:PE:S:W:t:A:Q:q:w:KHh", longopts, NULL)) != -1) {
        switch (c) {
        case 'R': d.opt.run_dir = optarg; break;
        case 'N': d.opt.foreground = true; break;
        case 'F': d.opt.pid_file = optarg; break;
        case 'L': d.opt.log_file = optarg; break;
        case 'l':
            d.opt.log_level = xk_log_parse_level(optarg);
            if (d.opt.log_level < 0)
                xk_fatal("unknown log level \"%s\": use error, warn, info or debug", optarg);
            break;
        case 'V': d.opt.log_level = XK_LOG_DEBUG; break;
        case 'T': d.opt.trace_file = optarg; break;
        case OPT_TRACE: d.opt.trace = true; break;
        case OPT_STATE: d.opt.state_file = optarg; break;
        case OPT_NO_RESTORE: d.opt.no_restore = true; break;
        case OPT_LU_STATE: d.opt.live_update_state = optarg; break;
        case 'P': d.opt.output_pid = true; break;
        case 'E': set_quota(quotas, XSD_Q_NODES, optarg); break;
        case 'S': set_quota(quotas, XSD_Q_NODE_SIZE, optarg); break;
        case 'W': set_quota(quotas, XSD_Q_WATCHES, optarg); break;
        case 't': set_quota(quotas, XSD_Q_TRANSACTIONS, optarg); break;
        case 'A': set_quota(quotas, XSD_Q_PERMS, optarg); break;
        case 'Q': set_quota_assign(quotas, optarg, false); break;
        case 'q': set_quota_assign(quotas, optarg, true); break;
        case 'w':
            if (strncmp(optarg, "watch-event=", 12) != 0)
                xk_fatal("unknown timeout \"%s\": only watch-event=SECONDS", optarg);
            quotas->watch_event_timeout_ms = parse_number("watch-event", optarg + 12) * 1000;
            break;
        case 'K': quotas->keep_orphans = true; break;
        case 'H':
        case 'h':
            usage(stdout);
            exit(0);
        default:
            usage(stderr);
            exit(2);
        }
    }
    if (optind != argc)
        xk_fatal("unexpected argument \"%s\" (see xenstored --help)", argv[optind]);
}

/* Forks; the parent waits until the child says it serves (or failed) and
 * exits with that status.  Returns the write end of the pipe in the child. */
static int daemonize(void)
{
    int p[2];
    pid_t pid;
    char status = 1;

    if (pipe2(p, O_CLOEXEC) < 0)
        xk_fatal_errno("pipe");
    pid = fork();
    if (pid < 0)
        xk_fatal_errno("fork");
    if (pid > 0) {
        close(p[1]);
        if (read(p[0], &status, 1) != 1)
            status = 1;
        _exit(status);
    }
    close(p[0]);
    if (setsid() < 0)
        xk_fatal_errno("setsid");
    if (chdir("/") < 0)
        xk_fatal_errno("chdir /");
    return p[1];
}

static void detach_stdio(void)
{
    int fd = open("/dev/null", O_RDWR);

    if (fd < 0)
        return;
    dup2(fd, STDIN_FILENO);
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    if (fd > STDERR_FILENO)
        close(fd);
}

static void exec_live_update(void)
{
    char *lu_state = g_strdup_printf("%s/xenstored.lu-state", d.run_dir);
    const char *why = "";
    GPtrArray *args = g_ptr_array_new_with_free_func(g_free);
    const char *binary = d.store->live_update_binary ? d.store->live_update_binary
                                                     : "/proc/self/exe";

    xsd_unix_flush_all(d.store, 1000);
    if (xsd_state_save(d.store, lu_state, true, d.listen_fd, 2, &why) < 0) {
        xk_error("live update: %s (%s): carrying on without it", why, lu_state);
        goto fail;
    }
    g_ptr_array_add(args, g_strdup(d.argv[0]));
    for (int i = 1; i < d.argc; i++) {
        if (strncmp(d.argv[i], "--live-update-state", 19) == 0) {
            if (!strchr(d.argv[i], '='))
                i++;
            continue;
        }
        g_ptr_array_add(args, g_strdup(d.argv[i]));
    }
    if (d.store->live_update_cmdline) {
        char **extra = g_strsplit(d.store->live_update_cmdline, " ", -1);

        for (char **e = extra; *e; e++)
            if (**e)
                g_ptr_array_add(args, g_strdup(*e));
        g_strfreev(extra);
    }
    g_ptr_array_add(args, g_strdup("--live-update-state"));
    g_ptr_array_add(args, g_strdup(lu_state));
    if (!d.opt.foreground) {
        /* Already detached; keep logging where we log now. */
        g_ptr_array_add(args, g_strdup("--foreground"));
        g_ptr_array_add(args, g_strdup("--log-file"));
        g_ptr_array_add(args, g_strdup(d.opt.log_file));
    }
    g_ptr_array_add(args, NULL);
    xk_info("live update: executing %s", binary);
    /* Unbind the rings' ports now, so that the new binary can bind them
     * again at once. */
    xsd_ring_stop(d.store);
    execv(binary, (char **)args->pdata);
    xk_log_errno(XK_LOG_ERROR, "live update: cannot execute %s, carrying on", binary);
    xsd_ring_init(d.store, d.privcmd_path);
    unlink(lu_state);
fail:
    g_ptr_array_free(args, TRUE);
    g_free(lu_state);
    d.store->live_update_requested = false;
    d.live_update = false;
}

int main(int argc, char **argv)
{
    struct xsd_store *quotas;
    const char *env;
    int ready_fd = -1, pid_fd = -1;
    pid_t holder = 0;
    bool restored;

    xk_log_init("xenstored");
    d.argc = argc;
    d.argv = argv;
    /* Options set quotas before the store exists: parse into a scratch
     * store and copy. */
    quotas = xsd_store_new(false);
    parse_args(argc, argv, quotas);
    xk_log_set_level((enum xk_log_level)d.opt.log_level);
    signal(SIGPIPE, SIG_IGN);

    env = getenv(XK_RUN_DIR_ENV);
    d.run_dir = g_strdup(d.opt.run_dir ? d.opt.run_dir
                         : env && *env ? env : XENSTORED_DEFAULT_RUN_DIR);
    env = getenv("XENSTORED_PATH");
    if (!d.opt.run_dir && env && *env) {
        d.socket_path = g_strdup(env);
    } else {
        d.socket_path = g_strdup_printf("%s/socket", d.run_dir);
    }
    d.socket_ro_path = g_strdup_printf("%s_ro", d.socket_path);
    d.state_path = d.opt.state_file ? g_strdup(d.opt.state_file)
                                    : g_strdup_printf("%s/xenstored.state", d.run_dir);
    /* The hypervisor's control socket: $XEN_PRIVCMD_PATH, else privcmd in
     * the run directory given (option or $XEN_RUN_DIR), else xen's
     * default; libxenctrl is told the same through XEN_PRIVCMD_PATH. */
    env = getenv("XEN_PRIVCMD_PATH");
    if (env && *env)
        d.privcmd_path = g_strdup(env);
    else if (d.opt.run_dir || (getenv(XK_RUN_DIR_ENV) && *getenv(XK_RUN_DIR_ENV)))
        d.privcmd_path = g_strdup_printf("%s/%s", d.run_dir, XK_CTL_SOCKET_NAME);
    else
        d.privcmd_path = g_strdup_printf("%s/%s", xk_run_dir(NULL), XK_CTL_SOCKET_NAME);
    g_setenv("XEN_PRIVCMD_PATH", d.privcmd_path, TRUE);
    if (xk_mkdir_p(d.run_dir, 0755) < 0)
        xk_fatal_errno("cannot create the run directory %s", d.run_dir);

    if (d.opt.log_file) {
        if (xk_log_open_file(d.opt.log_file) < 0)
            xk_fatal_errno("cannot open the log file %s", d.opt.log_file);
    } else if (!d.opt.foreground) {
        char *lf = g_strdup_printf("%s/xenstored.log", d.run_dir);

        if (xk_log_open_file(lf) < 0)
            xk_fatal_errno("cannot open the log file %s", lf);
        d.opt.log_file = lf;    /* kept for SIGHUP */
    }
    if (!d.opt.foreground)
        ready_fd = daemonize();

    if (d.opt.pid_file) {
        char *dir = g_path_get_dirname(d.opt.pid_file);
        char *base = g_path_get_basename(d.opt.pid_file);
        size_t blen = strlen(base);

        if (blen < 5 || strcmp(base + blen - 4, ".pid") != 0)
            xk_fatal("pid file %s: the name must end in .pid", d.opt.pid_file);
        base[blen - 4] = '\0';
        pid_fd = xk_pidfile_acquire(dir, base, &holder);
        g_free(dir);
        g_free(base);
    } else {
        pid_fd = xk_pidfile_acquire(d.run_dir, "xenstored", &holder);
    }
    if (pid_fd < 0 && errno == EWOULDBLOCK)
        xk_fatal("another xenstored (pid %d) already serves the run directory %s; stop it "
                 "first or use --run-dir", (int)holder, d.run_dir);
    if (pid_fd < 0)
        xk_fatal_errno("cannot create the pid file in %s", d.run_dir);

    restored = restore(&d.store) != 0;
    /* Quotas given on the command line win over restored ones. */
    for (int q = 0; q < XSD_Q_COUNT; q++)
        if (!restored || quota_given[q])
            d.store->quota[q] = quotas->quota[q];
    if (!restored || soft_quota_given)
        d.store->quota_soft_memory = quotas->quota_soft_memory;
    d.store->watch_event_timeout_ms = quotas->watch_event_timeout_ms;
    d.store->keep_orphans = quotas->keep_orphans;
    xsd_store_free(quotas);
    d.store->set_trace_file = set_trace_file;
    if (d.opt.trace_file && set_trace_file(d.store, d.opt.trace_file))
        xk_fatal_errno("cannot open the trace file %s", d.opt.trace_file);
    if (d.opt.trace)
        d.store->trace_on = true;

    if (d.listen_fd[0] < 0) {
        d.listen_fd[0] = xsd_unix_listen(d.socket_path, 0600);
        if (d.listen_fd[0] < 0)
            xk_fatal_errno("cannot listen on %s", d.socket_path);
    }
    if (d.listen_fd[1] < 0) {
        d.listen_fd[1] = xsd_unix_listen(d.socket_ro_path, 0660);
        if (d.listen_fd[1] < 0)
            xk_fatal_errno("cannot listen on %s", d.socket_ro_path);
    }
    xsd_unix_serve(d.store, d.listen_fd[0], false);
    xsd_unix_serve(d.store, d.listen_fd[1], true);
    xsd_unix_after_input = after_input;
    xsd_ring_after_input = after_input;
    xsd_ring_init(d.store, d.privcmd_path);
    if (restored)
        xsd_store_refire_watches(d.store);

    d.loop = g_main_loop_new(NULL, FALSE);
    g_unix_signal_add(SIGTERM, on_terminate, GINT_TO_POINTER(SIGTERM));
    g_unix_signal_add(SIGINT, on_terminate, GINT_TO_POINTER(SIGINT));
    g_unix_signal_add(SIGHUP, on_hangup, NULL);

    xk_info("serving %s and %s (pid %d)", d.socket_path, d.socket_ro_path, (int)getpid());
    if (d.opt.output_pid) {
        printf("%d\n", (int)getpid());
        fflush(stdout);
    }
    if (ready_fd >= 0) {
        char ok = 0;

        if (write(ready_fd, &ok, 1) != 1) {
            /* the parent is gone; nothing to tell */
        }
        close(ready_fd);
        detach_stdio();
    }

    for (;;) {
        g_main_loop_run(d.loop);
        if (!d.live_update)
            break;
        exec_live_update();     /* returns only on failure */
    }

    if (d.save_state) {
        const char *why = "";

        if (xsd_state_save(d.store, d.state_path, false, NULL, 0, &why) < 0)
            xk_log_errno(XK_LOG_ERROR, "%s (%s): the next start begins afresh", why,
                         d.state_path);
        else
            xk_info("state saved to %s", d.state_path);
    }
    xsd_ring_stop(d.store);
    xsd_unix_stop();
    if (d.store->trace) {
        fclose(d.store->trace);
        d.store->trace = NULL;
    }
    xsd_store_free(d.store);
    for (int i = 0; i < 2; i++)
        if (d.listen_fd[i] >= 0)
            close(d.listen_fd[i]);
    unlink(d.socket_path);
    unlink(d.socket_ro_path);
    if (pid_fd >= 0) {
        char *pf = d.opt.pid_file ? g_strdup(d.opt.pid_file)
                                  : g_strdup_printf("%s/xenstored.pid", d.run_dir);

        unlink(pf);
        g_free(pf);
        close(pid_fd);
    }
    g_main_loop_unref(d.loop);
    g_free(d.run_dir);
    g_free(d.socket_path);
    g_free(d.socket_ro_path);
    g_free(d.state_path);
    g_free(d.trace_path);
    g_free(d.privcmd_path);
    xk_info("exiting");
    return 0;
}
