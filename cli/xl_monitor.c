/* xl's per-domain monitor: what `xl create` leaves behind (or what it is,
 * with -F).  It waits for the domain's shutdown or death (libxl's death
 * events: @releaseDomain, no polling) and carries out the configuration's
 * on_poweroff / on_reboot / on_watchdog / on_crash action, then follows the
 * new domain after a restart.  It ends when its domain is gone for good.
 *
 * A detached monitor logs to RUN_DIR/xl.log, one line per event, tagged
 * with its pid and domain; between events it holds a XenStore connection
 * and the hypervisor wait, nothing else.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util.h"
#include "xl.h"

static void mlog(uint32_t domid, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void mlog(uint32_t domid, const char *fmt, ...)
{
    char msg[1024], stamp[32];
    struct tm tm;
    time_t now = time(NULL);
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
    fprintf(stderr, "%s xl[%d] domain %u: %s\n", stamp, (int)getpid(), domid, msg);
    fflush(stderr);
}

static libxl_action_on_shutdown action_for(const libxl_domain_config *c,
                                           libxl_shutdown_reason reason)
{
    switch (reason) {
    case LIBXL_SHUTDOWN_REASON_POWEROFF: return c->on_poweroff;
    case LIBXL_SHUTDOWN_REASON_REBOOT: return c->on_reboot;
    case LIBXL_SHUTDOWN_REASON_WATCHDOG: return c->on_watchdog;
    case LIBXL_SHUTDOWN_REASON_CRASH: return c->on_crash;
    default: return LIBXL_ACTION_ON_SHUTDOWN_DESTROY;
    }
}

static void core_dump(uint32_t domid, const char *name)
{
    char *file = NULL;

    if (xk_mkdir_p(xl_dump_dir(), 0700) < 0) {
        mlog(domid, "cannot create %s: %s; no core dump", xl_dump_dir(), strerror(errno));
        return;
    }
    if (asprintf(&file, "%s/%s", xl_dump_dir(), name) < 0)
        return;
    mlog(domid, "dumping core to %s", file);
    if (libxl_domain_core_dump(ctx, domid, file, NULL))
        mlog(domid, "the core dump failed");
    free(file);
}

static int preserve(uint32_t domid, libxl_domain_config *c)
{
    char suffix[32];
    struct tm tm;
    time_t now = time(NULL);
    libxl_uuid u;

    gmtime_r(&now, &tm);
    strftime(suffix, sizeof(suffix), "-%Y%m%dT%H%MZ", &tm);
    libxl_uuid_generate(&u);
    mlog(domid, "preserving domain %s with suffix %s", c->c_info.name, suffix);
    return libxl_domain_preserve(ctx, domid, &c->c_info, suffix, u);
}

/* A new domain from c (same name and UUID); its id, or INVALID_DOMID. */
static uint32_t restart(uint32_t old, libxl_domain_config *c)
{
    uint32_t domid;

    if (libxl_domain_create_new(ctx, c, &domid, NULL, NULL)) {
        mlog(old, "cannot create the domain again; giving up");
        return INVALID_DOMID;
    }
    if (libxl_domain_unpause(ctx, domid, NULL)) {
        mlog(domid, "cannot unpause the new domain; destroying it");
        libxl_domain_destroy(ctx, domid, NULL);
        return INVALID_DOMID;
    }
    mlog(old, "restarted as domain %u", domid);
    return domid;
}

int xl_monitor(uint32_t domid, libxl_domain_config *d_config)
{
    libxl_evgen_domain_death *dw = NULL;
    libxl_domain_config c;
    int rc = 0;

    libxl_domain_config_init(&c);
    libxl_domain_config_copy(ctx, &c, d_config);
    mlog(domid, "waiting for domain %s to die [pid %d]", c.c_info.name, (int)getpid());
    for (;;) {
        libxl_event *ev = NULL;
        libxl_action_on_shutdown action;
        libxl_domain_config fresh;
        bool again;

        if (!dw && libxl_evenable_domain_death(ctx, domid, 0, &dw)) {
            rc = 1;
            break;
        }
        libxl_ctx_idle(ctx);
        if (libxl_event_wait(ctx, &ev, ~0ULL, NULL, NULL)) {
            mlog(domid, "lost track of the domain (is xenstored or xen gone?); exiting");
            rc = 1;
            break;
        }
        if (ev->type == LIBXL_EVENT_TYPE_DOMAIN_DEATH) {
            mlog(domid, "domain has been destroyed");
            libxl_event_free(ctx, ev);
            break;
        }
        libxl_shutdown_reason reason = ev->shutdown_reason;
        libxl_event_free(ctx, ev);
        if (reason == LIBXL_SHUTDOWN_REASON_SUSPEND)
            continue;              /* a save in progress: its tool decides */

        /* The stored configuration has the latest name, memory, vCPUs. */
        libxl_domain_config_init(&fresh);
        if (libxl_retrieve_domain_configuration(ctx, domid, &fresh, NULL) == 0) {
            libxl_domain_config_dispose(&c);
            c = fresh;
        } else {
            libxl_domain_config_dispose(&fresh);
        }
        action = action_for(&c, reason);
        mlog(domid, "shut down, reason %s; action %s",
             libxl_shutdown_reason_to_string(reason) ? libxl_shutdown_reason_to_string(reason)
                                                      : "unknown",
             libxl_action_on_shutdown_to_string(action) ? libxl_action_on_shutdown_to_string(action)
                                                         : "destroy");
        again = false;
        switch (action) {
        case LIBXL_ACTION_ON_SHUTDOWN_PRESERVE:
            preserve(domid, &c);
            break;
        case LIBXL_ACTION_ON_SHUTDOWN_COREDUMP_DESTROY:
            core_dump(domid, c.c_info.name);
            libxl_domain_destroy(ctx, domid, NULL);
            break;
        case LIBXL_ACTION_ON_SHUTDOWN_COREDUMP_RESTART:
            core_dump(domid, c.c_info.name);
            libxl_domain_destroy(ctx, domid, NULL);
            again = true;
            break;
        case LIBXL_ACTION_ON_SHUTDOWN_RESTART:
            libxl_domain_destroy(ctx, domid, NULL);
            again = true;
            break;
        case LIBXL_ACTION_ON_SHUTDOWN_RESTART_RENAME:
            if (preserve(domid, &c))
                libxl_domain_destroy(ctx, domid, NULL);
            again = true;
            break;
        default:
            libxl_domain_destroy(ctx, domid, NULL);
            break;
        }
        libxl_evdisable_domain_death(ctx, dw);
        dw = NULL;
        if (!again)
            break;
        domid = restart(domid, &c);
        if (domid == INVALID_DOMID) {
            rc = 1;
            break;
        }
    }
    if (dw)
        libxl_evdisable_domain_death(ctx, dw);
    libxl_domain_config_dispose(&c);
    return rc;
}

int xl_monitor_spawn(uint32_t domid, libxl_domain_config *d_config)
{
    char *log = NULL;
    pid_t pid;
    int fd, status, rc;

    fflush(NULL);
    pid = fork();
    if (pid < 0) {
        perror("xl: fork");
        return -1;
    }
    if (pid > 0) {
        /* The intermediate child exits as soon as the monitor is on its own. */
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
        return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
    }
    /* Detach: a new session, then a grandchild that init adopts. */
    if (setsid() < 0)
        _exit(1);
    pid = fork();
    if (pid != 0)
        _exit(pid < 0 ? 1 : 0);

    if (asprintf(&log, "%s/xl.log", libxl_run_dir(ctx)) < 0)
        _exit(1);
    libxl_postfork_child_noexec(ctx);
    ctx = NULL;
    /* Keep nothing of the caller's: its pipes must see their end. */
    fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (fd >= 0) {
        dup2(fd, 0);
        close(fd);
    }
    fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
        close(fd);
    }
    free(log);
    for (int i = 3; i < 1024; i++)
        close(i);
    if (chdir("/") < 0)
        _exit(1);
    if (libxl_ctx_alloc(&ctx, LIBXL_VERSION, 0, NULL))
        _exit(1);
    libxl_ctx_set_log(ctx, stderr, verbose ? LIBXL_LOG_INFO : LIBXL_LOG_WARN);
    rc = xl_monitor(domid, d_config);
    libxl_ctx_free(ctx);
    ctx = NULL;
    libxl_domain_config_dispose(d_config);
    exit(rc);
}
