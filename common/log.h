/* Logging shared by the xenkvm daemons and tools.
 *
 * One call produces one line.  The _errno variants append ": strerror(errno)";
 * xk_fatal* log and exit(1).  Lines carry a timestamp and level when written
 * to a log file, and just "prog: " when written to a terminal.
 */
#ifndef XK_LOG_H
#define XK_LOG_H

#include <stdarg.h>

enum xk_log_level {
    XK_LOG_ERROR = 0,
    XK_LOG_WARN,
    XK_LOG_INFO,
    XK_LOG_DEBUG,
};

void xk_log_init(const char *prog);
/* Returns -1 (errno set) when the file cannot be opened. */
int xk_log_open_file(const char *path);
void xk_log_set_level(enum xk_log_level level);
enum xk_log_level xk_log_get_level(void);
/* Parses "error", "warn", "info", "debug" (or 0..3); -1 when unknown. */
int xk_log_parse_level(const char *s);
/* --log-level ARG of a daemon: sets the level, or exits with a message. */
void xk_log_set_level_arg(const char *arg);

void xk_logv(enum xk_log_level level, int with_errno, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
void xk_log(enum xk_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void xk_log_errno(enum xk_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void xk_fatal(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));
void xk_fatal_errno(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

#define xk_error(...) xk_log(XK_LOG_ERROR, __VA_ARGS__)
#define xk_warn(...)  xk_log(XK_LOG_WARN, __VA_ARGS__)
#define xk_info(...)  xk_log(XK_LOG_INFO, __VA_ARGS__)
#define xk_debug(...) \
    do { if (xk_log_get_level() >= XK_LOG_DEBUG) xk_log(XK_LOG_DEBUG, __VA_ARGS__); } while (0)

#endif
