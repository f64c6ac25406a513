/* Small helpers shared by the xenkvm daemons and clients. */
#ifndef XK_UTIL_H
#define XK_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define XK_DEFAULT_RUN_DIR "/run/xen"
#define XK_RUN_DIR_ENV "XEN_RUN_DIR"

#define XK_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define XK_MIN(a, b) ((a) < (b) ? (a) : (b))
#define XK_MAX(a, b) ((a) > (b) ? (a) : (b))

/* The run directory: the option when given, else $XEN_RUN_DIR, else /run/xen. */
const char *xk_run_dir(const char *option);

/* Parses a size such as "512", "512M", "2G", "1.5G", "64KiB".  A bare number
 * is in `default_unit` bytes.  Returns 0, or -1 on a malformed or
 * overflowing value. */
int xk_parse_size(const char *s, uint64_t default_unit, uint64_t *bytes);

/* Parses a whole unsigned decimal/hex/octal number; -1 when malformed. */
int xk_parse_u64(const char *s, uint64_t *out);

/* Creates `path` and its parents with `mode`; 0 or -1 with errno. */
int xk_mkdir_p(const char *path, mode_t mode);

/* Takes an exclusive lock on DIR/NAME.pid and writes our pid into it.
 * Returns the locked fd (keep it open), -1 with errno EWOULDBLOCK when
 * another live process holds it (its pid in *holder), or -1 on error. */
int xk_pidfile_acquire(const char *dir, const char *name, pid_t *holder);

ssize_t xk_read_full(int fd, void *buf, size_t len);
ssize_t xk_write_full(int fd, const void *buf, size_t len);

uint64_t xk_now_ns(void);          /* CLOCK_MONOTONIC */
uint64_t xk_realtime_ns(void);     /* CLOCK_REALTIME */

/* Formats a UUID (16 bytes) as the canonical 36-character string. */
void xk_uuid_format(const uint8_t uuid[16], char out[37]);
int xk_uuid_parse(const char *s, uint8_t uuid[16]);
void xk_uuid_generate(uint8_t uuid[16]);

#endif
