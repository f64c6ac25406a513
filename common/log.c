#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static const char *log_prog = "xenkvm";
static int log_fd = STDERR_FILENO;
static int log_to_file;
static enum xk_log_level log_level = XK_LOG_INFO;

static const char *const level_names[] = { "error", "warn", "info", "debug" };

void xk_log_init(const char *prog)
{
    const char *slash = strrchr(prog, '/');

    log_prog = slash ? slash + 1 : prog;
}

int xk_log_open_file(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);

    if (fd < 0)
        return -1;
    if (log_to_file)
        close(log_fd);
    log_fd = fd;
    log_to_file = 1;
    return 0;
}

void xk_log_set_level(enum xk_log_level level)
{
    log_level = level;
}

enum xk_log_level xk_log_get_level(void)
{
    return log_level;
}

int xk_log_parse_level(const char *s)
{
    for (unsigned i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++)
        if (!strcasecmp(s, level_names[i]))
            return (int)i;
    if (s[0] >= '0' && s[0] <= '3' && s[1] == '\0')
        return s[0] - '0';
    return -1;
}

void xk_log_set_level_arg(const char *arg)
{
    int l = xk_log_parse_level(arg);

    if (l < 0)
        xk_fatal("--log-level: '%s' is not one of error, warn, info, debug", arg);
    xk_log_set_level((enum xk_log_level)l);
}

void xk_logv(enum xk_log_level level, int with_errno, const char *fmt, va_list ap)
{
    char line[2048];
    size_t n = 0;
    int saved = errno;

    if (level > log_level)
        return;
    if (log_to_file) {
        struct timespec ts;
        struct tm tm;

        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        n = strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%S", &tm);
        n += (size_t)snprintf(line + n, sizeof(line) - n, ".%06ldZ %s[%d] %s: ",
                              ts.tv_nsec / 1000, log_prog, (int)getpid(), level_names[level]);
    } else {
        n = (size_t)snprintf(line, sizeof(line), "%s: ", log_prog);
    }
    if (n < sizeof(line)) {
        int m = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
        n = m < 0 ? n : n + (size_t)m;
    }
    if (with_errno && n < sizeof(line))
        n += (size_t)snprintf(line + n, sizeof(line) - n, ": %s", strerror(saved));
    if (n > sizeof(line) - 2)
        n = sizeof(line) - 2;
    line[n++] = '\n';
    /* One write per line keeps lines whole between threads and processes. */
    if (write(log_fd, line, n) < 0) {
        /* nowhere left to report it */
    }
    errno = saved;
}

void xk_log(enum xk_log_level level, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    xk_logv(level, 0, fmt, ap);
    va_end(ap);
}

void xk_log_errno(enum xk_log_level level, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    xk_logv(level, 1, fmt, ap);
    va_end(ap);
}

void xk_fatal(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    xk_logv(XK_LOG_ERROR, 0, fmt, ap);
    va_end(ap);
    exit(1);
}

void xk_fatal_errno(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    xk_logv(XK_LOG_ERROR, 1, fmt, ap);
    va_end(ap);
    exit(1);
}
