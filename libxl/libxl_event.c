/* libxl_event.c -- waiting for domains without polling.
 *
 * xenstored fires @releaseDomain when an introduced domain shuts down
 * (once) and when it dies (it follows the hypervisor's VIRQ_DOM_EXC);
 * libxl waits on that watch through a second XenStore connection (its
 * reader thread makes the descriptor pollable, and requests on the main
 * connection stay single-threaded and fast).  Every wake-up only
 * re-evaluates a condition, so a wake-up too many costs a check.
 *
 * What xenstored cannot announce -- console output of the hypervisor, and
 * the state of a domain it was never introduced to (one made by another
 * tool) -- comes from the hypervisor's own wait: a thread blocks in
 * xc_xk_wait (on its own connection) and signals an eventfd that the same
 * poll() watches.  The thread is stopped by shutting that connection down,
 * which ends the blocked wait.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "libxl_life.h"
#include "util.h"

#define RELEASE_TOKEN "libxl:release"

/* ---- the hypervisor-side waiter --------------------------------------------------- */

static void *xenwait_main(void *arg)
{
    libxl__xenwait *w = arg;
    uint32_t state = 0, console = 0;
    uint64_t one = 1;

    /* Learn the current state and console index first: changes are what
     * count. */
    if (xc_xk_wait(w->xch, w->domid, w->what, &state, &console, 0) < 0)
        return NULL;
    for (;;) {
        int r = xc_xk_wait(w->xch, w->domid, w->what, &state, &console, UINT32_MAX);

        if (r < 0)
            break;                 /* stopped (or xen went away) */
        if (r == 0)
            continue;
        if (write(w->efd, &one, sizeof(one)) < 0 && errno != EAGAIN)
            break;
        if (r & XC_WAIT_GONE)
            break;                 /* nothing more will change */
    }
    /* Wake the waiter one last time: an ended thread is news too. */
    (void)!write(w->efd, &one, sizeof(one));
    return NULL;
}

int libxl__xenwait_start(libxl_ctx *ctx, uint32_t domid, unsigned int what)
{
    libxl__xenwait *w = &ctx->xw;

    if (w->running && w->domid == domid && (w->what & what) == what)
        return 0;
    libxl__xenwait_stop(ctx);
    if (w->efd < 0) {
        w->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (w->efd < 0) {
            LOGE(ERROR, "eventfd");
            return ERROR_FAIL;
        }
    }
    w->xch = xc_interface_open(NULL, NULL, 0);
    if (!w->xch) {
        LOGE(ERROR, "cannot reach the hypervisor");
        return ERROR_FAIL;
    }
    w->domid = domid;
    w->what = what;
    /* A gone domain's state never changes again: the thread must see
     * GONE to stop rather than spin on "state differs". */
    if (domid != DOMID_INVALID && (what & XC_WAIT_STATE))
        w->what |= XC_WAIT_GONE;
    if (pthread_create(&w->thread, NULL, xenwait_main, w)) {
        LOG(ERROR, "cannot start a thread");
        xc_interface_close(w->xch);
        w->xch = NULL;
        return ERROR_FAIL;
    }
    w->running = true;
    return 0;
}

void libxl__xenwait_stop(libxl_ctx *ctx)
{
    libxl__xenwait *w = &ctx->xw;

    if (w->running) {
        shutdown(xc_interface_fd(w->xch), SHUT_RDWR);
        pthread_join(w->thread, NULL);
        xc_interface_close(w->xch);
        w->xch = NULL;
        w->running = false;
    }
    if (w->efd >= 0) {
        close(w->efd);
        w->efd = -1;
    }
}

int libxl__xenwait_fd(libxl_ctx *ctx)
{
    return ctx->xw.efd;
}

void libxl__xenwait_drain(libxl_ctx *ctx)
{
    uint64_t v;

    if (ctx->xw.efd >= 0)
        (void)!read(ctx->xw.efd, &v, sizeof(v));
}

/* ---- XenStore watches ------------------------------------------------------------------ */

static int watch_conn(libxl_ctx *ctx)
{
    if (ctx->xsw)
        return 0;
    ctx->xsw = xs_open(0);
    if (!ctx->xsw) {
        LOGE(ERROR, "cannot open a XenStore connection for watches");
        return ERROR_FAIL;
    }
    return 0;
}

int libxl__watch_fd(libxl_ctx *ctx)
{
    if (watch_conn(ctx))
        return -1;
    if (!ctx->release_watch) {
        if (!xs_watch(ctx->xsw, "@releaseDomain", RELEASE_TOKEN)) {
            LOGE(ERROR, "cannot watch @releaseDomain");
            return -1;
        }
        ctx->release_watch = true;
    }
    return xs_fileno(ctx->xsw);
}

void libxl__watch_drain(libxl_ctx *ctx)
{
    char **ev;

    if (!ctx->xsw)
        return;
    while ((ev = xs_check_watch(ctx->xsw)))
        free(ev);
}

char *libxl__watch_add(libxl_ctx *ctx, const char *path)
{
    char *token;

    if (watch_conn(ctx))
        return NULL;
    token = libxl__sprintf("libxl:%u", ++ctx->watch_seq);
    if (!xs_watch(ctx->xsw, path, token)) {
        LOGE(ERROR, "cannot watch %s", path);
        free(token);
        return NULL;
    }
    return token;
}

void libxl__watch_remove(libxl_ctx *ctx, const char *path, char *token)
{
    if (!token)
        return;
    if (ctx->xsw)
        xs_unwatch(ctx->xsw, path, token);
    free(token);
}

/* ---- the wait ------------------------------------------------------------------------------ */

int libxl__wait(libxl_ctx *ctx, uint32_t domid, unsigned int xen_what,
                libxl__wait_check_fn *check, void *arg, int timeout_ms)
{
    uint64_t deadline = timeout_ms < 0 ? 0 : xk_now_ns() + (uint64_t)timeout_ms * 1000000ULL;
    int xsfd = libxl__watch_fd(ctx);
    int rc;

    if (xsfd < 0)
        return ERROR_FAIL;
    if (xen_what && libxl__xenwait_start(ctx, domid, xen_what))
        return ERROR_FAIL;
    for (;;) {
        struct pollfd pfd[2] = {
            { .fd = xsfd, .events = POLLIN },
            { .fd = xen_what ? libxl__xenwait_fd(ctx) : -1, .events = POLLIN },
        };
        int left = -1;

        /* Consume the wake-ups first: whatever happens from here on wakes
         * the poll below. */
        libxl__watch_drain(ctx);
        libxl__xenwait_drain(ctx);
        rc = check(ctx, arg);
        if (rc)
            return rc;
        if (ctx->idle_waits && ctx->xch_) {
            xc_interface_close(ctx->xch_);
            ctx->xch_ = NULL;
        }
        if (deadline) {
            uint64_t now = xk_now_ns();
            if (now >= deadline)
                return ERROR_TIMEDOUT;
            left = (int)((deadline - now + 999999) / 1000000);
        }
        if (poll(pfd, 2, left) < 0 && errno != EINTR) {
            LOGE(ERROR, "poll");
            return ERROR_FAIL;
        }
    }
}

/* ---- death events (Xen's shape) ------------------------------------------------------ */

int libxl_evenable_domain_death(libxl_ctx *ctx, uint32_t domid, uint64_t user,
                                libxl_evgen_domain_death **evgen_out)
{
    libxl_evgen_domain_death *e = libxl__calloc(1, sizeof(*e));
    xc_domaininfo_t xi;
    xc_interface *xch = libxl__xch(ctx);

    e->domid = domid;
    e->user = user;
    if (xch && xc_domain_getinfo_single(xch, domid, &xi) == 0)
        memcpy(e->uuid.uuid, xi.handle, sizeof(e->uuid.uuid));
    /* else it is reported dead at the first wait */
    e->introduced = xs_is_domain_introduced(ctx->xsh, domid);
    e->next = ctx->deaths;
    ctx->deaths = e;
    *evgen_out = e;
    return 0;
}

void libxl_evdisable_domain_death(libxl_ctx *ctx, libxl_evgen_domain_death *evg)
{
    for (libxl_evgen_domain_death **pp = &ctx->deaths; *pp; pp = &(*pp)->next) {
        if (*pp == evg) {
            *pp = evg->next;
            free(evg);
            return;
        }
    }
}

struct pending {
    libxl_event *ev;
};

/* One pending event of an enabled domain, or 0. */
static int death_check(libxl_ctx *ctx, void *arg)
{
    struct pending *p = arg;
    xc_interface *xch = libxl__xch(ctx);

    if (!xch)
        return ERROR_FAIL;
    for (libxl_evgen_domain_death *e = ctx->deaths; e; e = e->next) {
        xc_domaininfo_t xi;
        bool gone;

        if (e->death_reported)
            continue;
        gone = xc_domain_getinfo_single(xch, e->domid, &xi) < 0 ||
               memcmp(xi.handle, e->uuid.uuid, sizeof(e->uuid.uuid)) != 0 ||
               (xi.flags & XEN_DOMINF_dying);
        if (!gone && !(xi.flags & XEN_DOMINF_shutdown))
            continue;
        if (!gone && e->shutdown_reported)
            continue;
        p->ev = libxl__calloc(1, sizeof(*p->ev));
        p->ev->domid = e->domid;
        p->ev->domuuid = e->uuid;
        p->ev->for_user = e->user;
        if (gone) {
            p->ev->type = LIBXL_EVENT_TYPE_DOMAIN_DEATH;
            e->death_reported = true;
        } else {
            p->ev->type = LIBXL_EVENT_TYPE_DOMAIN_SHUTDOWN;
            p->ev->shutdown_reason = (libxl_shutdown_reason)(
                (xi.flags >> XEN_DOMINF_shutdownshift) & XEN_DOMINF_shutdownmask);
            e->shutdown_reported = true;
        }
        return 1;
    }
    return 0;
}

int libxl_event_wait_deadline(libxl_ctx *ctx, libxl_event **event_r, int timeout_ms)
{
    struct pending p = { NULL };
    uint32_t domid = DOMID_INVALID;
    unsigned int xen_what = 0;
    int rc;

    *event_r = NULL;
    if (!ctx->deaths) {
        LOG(ERROR, "libxl_event_wait: no event is enabled");
        return ERROR_INVAL;
    }
    /* @releaseDomain covers the domains xenstored knows; the hypervisor's
     * wait the others. */
    for (libxl_evgen_domain_death *e = ctx->deaths; e; e = e->next)
        if (!e->introduced && !e->death_reported)
            xen_what = XC_WAIT_STATE | XC_WAIT_GONE;
    if (!ctx->deaths->next)
        domid = ctx->deaths->domid;
    rc = libxl__wait(ctx, domid, xen_what, death_check, &p, timeout_ms);
    if (rc < 0)
        return rc;
    *event_r = p.ev;
    return 0;
}

int libxl_event_wait(libxl_ctx *ctx, libxl_event **event_r, uint64_t typemask,
                     void *predicate, void *predicate_user)
{
    (void)typemask;
    (void)predicate_user;
    if (predicate) {
        LOG(ERROR, "libxl_event_wait: predicates are not supported");
        return ERROR_INVAL;
    }
    return libxl_event_wait_deadline(ctx, event_r, -1);
}

void libxl_event_free(libxl_ctx *ctx, libxl_event *event)
{
    (void)ctx;
    free(event);
}
