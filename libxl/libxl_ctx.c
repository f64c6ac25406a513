/* libxl_ctx.c -- the context: connections, messages, XenStore helpers.
 *
 * The hypervisor connection is opened on first use (libxl__xch) so that a
 * context used only for XenStore, or a monitor between events
 * (libxl_ctx_idle), holds none: xen serves a bounded number of control
 * connections.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libxl_life.h"
#include "util.h"

int libxl_ctx_alloc(libxl_ctx **pctx, int version, unsigned flags, void *logger)
{
    libxl_ctx *ctx;

    (void)flags;
    *pctx = NULL;
    if (version != LIBXL_VERSION || logger) {
        fprintf(stderr, "libxl: error: libxl_ctx_alloc: unsupported version %d or logger\n",
                version);
        return ERROR_VERSION;
    }
    ctx = libxl__calloc(1, sizeof(*ctx));
    ctx->log = stderr;
    ctx->log_level = LIBXL_LOG_WARN;
    ctx->xw.efd = -1;
    ctx->run_dir = libxl__strdup(xk_run_dir(NULL));
    ctx->xsh = xs_open(0);
    if (!ctx->xsh) {
        fprintf(stderr, "libxl: error: cannot reach xenstored (run directory %s): %s; "
                "is xenstored running?\n", ctx->run_dir, strerror(errno));
        libxl_ctx_free(ctx);
        return ERROR_FAIL;
    }
    if (!libxl__xch(ctx)) {
        libxl_ctx_free(ctx);
        return ERROR_FAIL;
    }
    *pctx = ctx;
    return 0;
}

int libxl_ctx_free(libxl_ctx *ctx)
{
    if (!ctx)
        return 0;
    while (ctx->deaths)
        libxl_evdisable_domain_death(ctx, ctx->deaths);
    libxl__xenwait_stop(ctx);
    if (ctx->xsw)
        xs_close(ctx->xsw);
    if (ctx->xsh)
        xs_close(ctx->xsh);
    if (ctx->xch_)
        xc_interface_close(ctx->xch_);
    if (ctx->version) {
        libxl_version_info_dispose(ctx->version);
        free(ctx->version);
    }
    free(ctx->run_dir);
    free(ctx);
    return 0;
}

void libxl_postfork_child_noexec(libxl_ctx *ctx)
{
    if (!ctx)
        return;
    /* The parent's threads do not exist here: close descriptors only. */
    if (ctx->xsh)
        xs_daemon_destroy_postfork(ctx->xsh);
    if (ctx->xsw)
        xs_daemon_destroy_postfork(ctx->xsw);
    ctx->xsh = ctx->xsw = NULL;
    if (ctx->xw.running) {
        xc_interface_close(ctx->xw.xch);   /* the thread is the parent's */
        ctx->xw.running = false;
        ctx->xw.xch = NULL;
    }
    while (ctx->deaths)
        libxl_evdisable_domain_death(ctx, ctx->deaths);
    if (ctx->xw.efd >= 0)
        close(ctx->xw.efd);
    ctx->xw.efd = -1;
    libxl_ctx_free(ctx);
}

void libxl_ctx_set_log(libxl_ctx *ctx, FILE *stream, enum libxl_log_level min_level)
{
    ctx->log = stream;
    ctx->log_level = min_level;
}

const char *libxl_run_dir(libxl_ctx *ctx)
{
    return ctx->run_dir;
}

void libxl_ctx_idle(libxl_ctx *ctx)
{
    ctx->idle_waits = true;
    if (ctx->xch_) {
        xc_interface_close(ctx->xch_);
        ctx->xch_ = NULL;
    }
}

xc_interface *libxl__xch(libxl_ctx *ctx)
{
    if (!ctx->xch_) {
        /* libxenctrl says why on standard error when xen is not there. */
        ctx->xch_ = xc_interface_open(NULL, NULL, 0);
        if (!ctx->xch_)
            LOGE(ERROR, "cannot reach the hypervisor (run directory %s)", ctx->run_dir);
    }
    return ctx->xch_;
}

void libxl__log(libxl_ctx *ctx, enum libxl_log_level level, int errnoval, uint32_t domid,
                const char *fmt, ...)
{
    static const char *const names[] = { "error", "warning", "info", "debug" };
    char msg[2048], dom[32] = "";
    va_list ap;

    if (!ctx->log || level > ctx->log_level)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (domid != INVALID_DOMID)
        snprintf(dom, sizeof(dom), "domain %u: ", domid);
    /* One write per message: lines of concurrent processes stay whole. */
    if (errnoval >= 0)
        fprintf(ctx->log, "libxl: %s: %s%s: %s\n", names[level], dom, msg, strerror(errnoval));
    else
        fprintf(ctx->log, "libxl: %s: %s%s\n", names[level], dom, msg);
    fflush(ctx->log);
}

/* ---- XenStore ------------------------------------------------------------------ */

char *libxl__xs_read(libxl_ctx *ctx, xs_transaction_t t, const char *fmt, ...)
{
    char path[512];
    unsigned int len;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(path, sizeof(path), fmt, ap);
    va_end(ap);
    return xs_read(ctx->xsh, t, path, &len);
}

int libxl__xs_write(libxl_ctx *ctx, xs_transaction_t t, const char *path, const char *fmt, ...)
{
    va_list ap;
    char *v;

    va_start(ap, fmt);
    v = libxl__vsprintf(fmt, ap);
    va_end(ap);
    bool ok = xs_write(ctx->xsh, t, path, v, (unsigned int)strlen(v));
    free(v);
    return ok ? 0 : ERROR_FAIL;
}

int libxl__xs_mknode(libxl_ctx *ctx, xs_transaction_t t, const char *path, const char *value,
                     uint32_t domid, enum libxl__xs_perm perm)
{
    struct xs_permissions p[2];
    unsigned int n = 1;

    if (value ? !xs_write(ctx->xsh, t, path, value, (unsigned int)strlen(value))
              : !xs_mkdir(ctx->xsh, t, path))
        return ERROR_FAIL;
    switch (perm) {
    case LIBXL__XS_NOPERM:
        p[0] = (struct xs_permissions){ .id = 0, .perms = XS_PERM_NONE };
        break;
    case LIBXL__XS_RO:
        p[0] = (struct xs_permissions){ .id = 0, .perms = XS_PERM_NONE };
        p[1] = (struct xs_permissions){ .id = domid, .perms = XS_PERM_READ };
        n = 2;
        break;
    case LIBXL__XS_RW:
        p[0] = (struct xs_permissions){ .id = domid, .perms = XS_PERM_NONE };
        break;
    }
    return xs_set_permissions(ctx->xsh, t, path, p, n) ? 0 : ERROR_FAIL;
}

int libxl__xs_transaction(libxl_ctx *ctx, libxl__xs_txn_fn *fn, void *arg)
{
    for (int attempt = 0; attempt < 64; attempt++) {
        xs_transaction_t t = xs_transaction_start(ctx->xsh);
        int rc;

        if (t == XBT_NULL) {
            LOGE(ERROR, "cannot start a XenStore transaction");
            return ERROR_FAIL;
        }
        rc = fn(ctx, t, arg);
        if (rc) {
            xs_transaction_end(ctx->xsh, t, true);
            return rc;
        }
        if (xs_transaction_end(ctx->xsh, t, false))
            return 0;
        if (errno != EAGAIN) {
            LOGE(ERROR, "cannot commit a XenStore transaction");
            return ERROR_FAIL;
        }
    }
    LOG(ERROR, "a XenStore transaction kept conflicting with other writers; try again");
    return ERROR_FAIL;
}
