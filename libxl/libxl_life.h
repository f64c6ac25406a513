/* libxl_life.h -- what the lifecycle files of libxenlight share.
 *
 * The context (libxl_ctx.c), waiting (libxl_event.c) and the operations
 * (libxl_create.c, libxl_domain.c, libxl_mem.c, libxl_vcpu.c,
 * libxl_host.c, libxl_console.c, libxl_coredump.c).  Separate from
 * libxl_internal.h, which the configuration layer (and its fuzz target)
 * uses without the hypervisor's headers.
 *
 * A context belongs to one thread.  It holds a connection to the
 * hypervisor (opened on first use, dropped by libxl_ctx_idle), one to
 * xenstored for requests and, once something waits, a second XenStore
 * connection for watches; a console also has a thread blocked in the
 * hypervisor's wait (libxl_event.c).
 */
#ifndef XENKVM_LIBXL_LIFE_H
#define XENKVM_LIBXL_LIFE_H

#include "libxl_internal.h"

#include <pthread.h>

#include "xenctrl.h"
#include "xenguest.h"
#include "xenstore.h"

/* A thread that turns the hypervisor's wait (xc_xk_wait) into a readable
 * eventfd, so that one poll() covers XenStore and the hypervisor: for
 * console output, and for domains xenstored does not know. */
typedef struct libxl__xenwait {
    bool running;
    pthread_t thread;
    xc_interface *xch;             /* the thread's own connection */
    int efd;                       /* eventfd, -1 when closed */
    uint32_t domid;                /* DOMID_INVALID: any domain */
    unsigned int what;             /* XC_WAIT_* */
} libxl__xenwait;

struct libxl_evgen_domain_death {
    struct libxl_evgen_domain_death *next;
    uint32_t domid;
    libxl_uuid uuid;
    uint64_t user;
    bool shutdown_reported, death_reported;
    bool introduced;               /* xenstored announces its shutdown and death */
};

struct libxl__ctx {
    xc_interface *xch_;            /* libxl__xch() */
    bool idle_waits;               /* libxl_ctx_idle: no xen connection while waiting */
    struct xs_handle *xsh;         /* requests */
    struct xs_handle *xsw;         /* watches (its reader thread), or NULL */
    bool release_watch;            /* @releaseDomain is set on xsw */
    unsigned int watch_seq;
    char *run_dir;
    FILE *log;
    enum libxl_log_level log_level;
    libxl_version_info *version;
    libxl__xenwait xw;
    struct libxl_evgen_domain_death *deaths;
};

xc_interface *libxl__xch(libxl_ctx *ctx);   /* NULL (logged) when xen is gone */

/* Messages: one line each, "libxl: LEVEL: [domain N: ]text[: strerror]". */
void libxl__log(libxl_ctx *ctx, enum libxl_log_level level, int errnoval, uint32_t domid,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));
#define LOG(l, ...) libxl__log(ctx, LIBXL_LOG_##l, -1, INVALID_DOMID, __VA_ARGS__)
#define LOGE(l, ...) libxl__log(ctx, LIBXL_LOG_##l, errno, INVALID_DOMID, __VA_ARGS__)
#define LOGD(l, d, ...) libxl__log(ctx, LIBXL_LOG_##l, -1, (d), __VA_ARGS__)
#define LOGED(l, d, ...) libxl__log(ctx, LIBXL_LOG_##l, errno, (d), __VA_ARGS__)

/* ---- XenStore helpers (libxl_ctx.c) ---- */
/* Reads path (printf format); malloc'd or NULL (errno). */
char *libxl__xs_read(libxl_ctx *ctx, xs_transaction_t t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int libxl__xs_write(libxl_ctx *ctx, xs_transaction_t t, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Who may touch a node: dom0 only; dom0, the domain reads; the domain
 * owns it (reads and writes). */
enum libxl__xs_perm { LIBXL__XS_NOPERM, LIBXL__XS_RO, LIBXL__XS_RW };
int libxl__xs_mknode(libxl_ctx *ctx, xs_transaction_t t, const char *path, const char *value,
                     uint32_t domid, enum libxl__xs_perm perm);
/* Runs fn in a transaction, again while it ends with EAGAIN.  fn returns
 * 0 or an ERROR_*. */
typedef int libxl__xs_txn_fn(libxl_ctx *ctx, xs_transaction_t t, void *arg);
int libxl__xs_transaction(libxl_ctx *ctx, libxl__xs_txn_fn *fn, void *arg);

/* ---- waiting (libxl_event.c) ----
 * libxl__wait returns as soon as check() returns non-zero (that value), or
 * ERROR_TIMEDOUT after timeout_ms (-1: never).  check is evaluated at once
 * and again after every XenStore watch event on the context's watch
 * connection (@releaseDomain is always watched; add others with
 * libxl__watch_add) and every change the hypervisor reports for domid
 * (xen_what: XC_WAIT_* bits; domid DOMID_INVALID: any domain). */
typedef int libxl__wait_check_fn(libxl_ctx *ctx, void *arg);
int libxl__wait(libxl_ctx *ctx, uint32_t domid, unsigned int xen_what,
                libxl__wait_check_fn *check, void *arg, int timeout_ms);
/* A watch on the watch connection; returns its token (malloc'd) or NULL. */
char *libxl__watch_add(libxl_ctx *ctx, const char *path);
void libxl__watch_remove(libxl_ctx *ctx, const char *path, char *token);
/* The hypervisor-side waiter: started (or re-aimed) here, stopped with the
 * context; its eventfd is readable after a change. */
int libxl__xenwait_start(libxl_ctx *ctx, uint32_t domid, unsigned int what);
void libxl__xenwait_stop(libxl_ctx *ctx);
int libxl__xenwait_fd(libxl_ctx *ctx);
void libxl__xenwait_drain(libxl_ctx *ctx);
/* The XenStore watch connection's descriptor (creating it), and taking
 * every queued event off it. */
int libxl__watch_fd(libxl_ctx *ctx);
void libxl__watch_drain(libxl_ctx *ctx);

/* ---- domains (libxl_domain.c) ---- */
/* The stored configuration's path for a domain (malloc'd), or NULL. */
char *libxl__domain_config_file(libxl_ctx *ctx, uint32_t domid);
/* Reads, changes with fn and stores back the configuration of a domain
 * (under the run directory's lock).  No stored configuration: 0, nothing
 * done. */
typedef void libxl__config_update_fn(libxl_domain_config *d_config, void *arg);
int libxl__domain_config_update(libxl_ctx *ctx, uint32_t domid, libxl__config_update_fn *fn,
                                void *arg);
/* The run directory's lock (xl.lock): held across a name check and the
 * write of that name.  Returns the fd, or -1 (logged). */
int libxl__lock_acquire(libxl_ctx *ctx);
void libxl__lock_release(int fd);
void libxl__dominfo_from_xc(libxl_dominfo *info, const xc_domaininfo_t *xi);
/* ---- vCPUs (libxl_vcpu.c) ---- */
/* The configuration's cpus=/cpus_soft= for each vCPU, in the hypervisor. */
int libxl__vcpu_apply_affinity(libxl_ctx *ctx, uint32_t domid,
                               const libxl_domain_build_info *b);

/* Removes everything a domain left in XenStore and the run directory. */
void libxl__domain_cleanup(libxl_ctx *ctx, uint32_t domid, const libxl_uuid *uuid);

#endif
