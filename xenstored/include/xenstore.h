/* libxenstore: the client library of xenkvm's XenStore.
 *
 * The functions have the names, arguments and results of Xen's
 * libxenstore (xenstore.h of Xen 4.17), so programs written for it build
 * against this one unchanged.  Conventions: on failure a function returns
 * NULL, false or 0 (for a transaction handle) and sets errno; strings and
 * arrays it returns are malloc()ed and freed by the caller with one
 * free() each (an array and its strings are a single block).
 *
 * Threads: a handle may be used by several threads at once.  Requests are
 * sent one at a time; watch events are queued apart from replies, so a
 * thread waiting in xs_read_watch() never sees another thread's reply.
 *
 * Where the daemon is: $XENSTORED_PATH, else $XEN_RUN_DIR/socket, else
 * $XENSTORED_RUNDIR/socket, else /var/run/xenstored/socket (socket_ro for
 * read-only handles).
 *
 * If xenstored restarts, the handle reconnects (for up to
 * $XENSTORE_RECONNECT_TIMEOUT seconds as it was at xs_open; default 10; 0
 * disables it), registers its watches again (each fires once, as after xs_watch()), and
 * repeats the interrupted request if it was not part of a transaction;
 * requests of a transaction that was open then fail with EAGAIN, so the
 * usual "retry on EAGAIN" loop around a transaction starts it anew.
 */
#ifndef XENSTORE_H
#define XENSTORE_H

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xen/io/xs_wire.h>

#ifdef __cplusplus
extern "C" {
#endif

#define XBT_NULL 0

/* Open flags.  XS_OPEN_READONLY connects to the read-only socket. */
#define XS_OPEN_READONLY        (1UL << 0)
#define XS_OPEN_SOCKETONLY      (1UL << 1)      /* accepted, no effect */
/* After xs_unwatch() returns, no event of that watch (same token, path
 * at or below the watched one) is returned any more. */
#define XS_UNWATCH_FILTER       (1UL << 2)

struct xs_handle;
typedef uint32_t xs_transaction_t;

struct xs_permissions {
    unsigned int id;
    unsigned int perms;         /* XS_PERM_* */
};

#define XS_PERM_NONE            0x00
#define XS_PERM_READ            0x01
#define XS_PERM_WRITE           0x02
#define XS_PERM_ENOENT_OK       0x04
#define XS_PERM_OWNER           0x08
#define XS_PERM_IGNORE          0x10

/* Room for an unsigned number of type x in decimal, with sign and NUL. */
#define MAX_STRLEN(x) ((sizeof(x) * CHAR_BIT + CHAR_BIT - 1) / 10 * 3 + 2)

/* Connections */
struct xs_handle *xs_open(unsigned long flags);
void xs_close(struct xs_handle *h);                      /* NULL is fine */
struct xs_handle *xs_daemon_open(void);                  /* xs_open(0) */
struct xs_handle *xs_domain_open(void);                  /* xs_open(0) */
struct xs_handle *xs_daemon_open_readonly(void);         /* read-only */
void xs_daemon_close(struct xs_handle *h);               /* xs_close */
/* In a child after fork(): drops the handle without touching the
 * parent's connection state. */
void xs_daemon_destroy_postfork(struct xs_handle *h);

/* Nodes */
char **xs_directory(struct xs_handle *h, xs_transaction_t t, const char *path,
                    unsigned int *num);
void *xs_read(struct xs_handle *h, xs_transaction_t t, const char *path, unsigned int *len);
bool xs_write(struct xs_handle *h, xs_transaction_t t, const char *path, const void *data,
              unsigned int len);
bool xs_mkdir(struct xs_handle *h, xs_transaction_t t, const char *path);
bool xs_rm(struct xs_handle *h, xs_transaction_t t, const char *path);
struct xs_permissions *xs_get_permissions(struct xs_handle *h, xs_transaction_t t,
                                          const char *path, unsigned int *num);
bool xs_set_permissions(struct xs_handle *h, xs_transaction_t t, const char *path,
                        struct xs_permissions *perms, unsigned int num_perms);
/* Always false: the operation was removed from the protocol. */
bool xs_restrict(struct xs_handle *h, unsigned domid);

/* Watches */
bool xs_watch(struct xs_handle *h, const char *path, const char *token);
bool xs_unwatch(struct xs_handle *h, const char *path, const char *token);
/* A file descriptor that is readable while watch events are queued. */
int xs_fileno(struct xs_handle *h);
/* Next event without blocking: { path, token } (index XS_WATCH_PATH,
 * XS_WATCH_TOKEN), or NULL with errno EAGAIN when none is queued. */
char **xs_check_watch(struct xs_handle *h);
/* Next event, waiting for one; *num is set to 2. */
char **xs_read_watch(struct xs_handle *h, unsigned int *num);

/* Transactions: XBT_NULL on failure; xs_transaction_end() fails with
 * EAGAIN when the transaction conflicted and must be run again. */
xs_transaction_t xs_transaction_start(struct xs_handle *h);
bool xs_transaction_end(struct xs_handle *h, xs_transaction_t t, bool abort);

/* Domains (privileged callers) */
bool xs_introduce_domain(struct xs_handle *h, unsigned int domid, unsigned long mfn,
                         unsigned int eventchn);
bool xs_set_target(struct xs_handle *h, unsigned int domid, unsigned int target);
bool xs_resume_domain(struct xs_handle *h, unsigned int domid);
bool xs_release_domain(struct xs_handle *h, unsigned int domid);
char *xs_get_domain_path(struct xs_handle *h, unsigned int domid);
bool xs_is_domain_introduced(struct xs_handle *h, unsigned int domid);

/* Is child equal to parent or below it (by string comparison)? */
bool xs_path_is_subpath(const char *parent, const char *child);

/* CONTROL: cmd, then `len` bytes of arguments (NUL-separated strings);
 * returns the reply text. */
char *xs_control_command(struct xs_handle *h, const char *cmd, void *data, unsigned int len);
char *xs_debug_command(struct xs_handle *h, const char *cmd, void *data, unsigned int len);

/* The port of ~/device/suspend/event-channel of domid, or -1. */
int xs_suspend_evtchn_port(int domid);

/* Helpers (xenstore_lib.h of Xen) */
const char *xs_daemon_rundir(void);
const char *xs_daemon_socket(void);
const char *xs_daemon_socket_ro(void);
bool xs_write_all(int fd, const void *data, unsigned int len);
/* Parses `num` NUL-terminated strings "r0", "w5", "b3", "n7". */
bool xs_strings_to_perms(struct xs_permissions *perms, unsigned int num, const char *strings);
bool xs_perm_to_string(const struct xs_permissions *perm, char *buffer, size_t buf_len);
/* Number of NUL-terminated strings in strings[0..len). */
unsigned int xs_count_strings(const char *strings, unsigned int len);

#ifdef __cplusplus
}
#endif

#endif
