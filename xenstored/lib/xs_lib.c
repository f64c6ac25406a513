/* libxenstore helpers that need no connection: where the daemon is,
 * permission strings. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xenstore.h"

#define DEFAULT_RUN_DIR "/var/run/xenstored"

static const char *env(const char *name)
{
    const char *v = getenv(name);

    return v && *v ? v : NULL;
}

const char *xs_daemon_rundir(void)
{
    const char *v = env("XEN_RUN_DIR");

    if (!v)
        v = env("XENSTORED_RUNDIR");
    return v ? v : DEFAULT_RUN_DIR;
}

const char *xs_daemon_socket(void)
{
    static __thread char buf[PATH_MAX];
    const char *v = env("XENSTORED_PATH");

    if (v)
        return v;
    snprintf(buf, sizeof(buf), "%s/socket", xs_daemon_rundir());
    return buf;
}

const char *xs_daemon_socket_ro(void)
{
    static __thread char buf[PATH_MAX];

    snprintf(buf, sizeof(buf), "%s_ro", xs_daemon_socket());
    return buf;
}

bool xs_write_all(int fd, const void *data, unsigned int len)
{
    const char *p = data;

    while (len) {
        ssize_t n = write(fd, p, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n;
        len -= (unsigned int)n;
    }
    return true;
}

unsigned int xs_count_strings(const char *strings, unsigned int len)
{
    unsigned int n = 0;

    for (unsigned int i = 0; i < len; i++)
        if (strings[i] == '\0')
            n++;
    return n;
}

bool xs_strings_to_perms(struct xs_permissions *perms, unsigned int num, const char *strings)
{
    const char *s = strings;

    for (unsigned int i = 0; i < num; i++) {
        char *end;
        unsigned long id;

        switch (*s) {
        case 'n': perms[i].perms = XS_PERM_NONE; break;
        case 'r': perms[i].perms = XS_PERM_READ; break;
        case 'w': perms[i].perms = XS_PERM_WRITE; break;
        case 'b': perms[i].perms = XS_PERM_READ | XS_PERM_WRITE; break;
        default:
            errno = EINVAL;
            return false;
        }
        if (s[1] < '0' || s[1] > '9') {
            errno = EINVAL;
            return false;
        }
        errno = 0;
        id = strtoul(s + 1, &end, 10);
        if (errno || *end || id > 0xffff) {
            errno = EINVAL;
            return false;
        }
        perms[i].id = (unsigned int)id;
        s = end + 1;
    }
    return true;
}

bool xs_perm_to_string(const struct xs_permissions *perm, char *buffer, size_t buf_len)
{
    char letter;
    int n;

    switch (perm->perms & (XS_PERM_READ | XS_PERM_WRITE)) {
    case XS_PERM_READ: letter = 'r'; break;
    case XS_PERM_WRITE: letter = 'w'; break;
    case XS_PERM_READ | XS_PERM_WRITE: letter = 'b'; break;
    default: letter = 'n'; break;
    }
    n = snprintf(buffer, buf_len, "%c%u", letter, perm->id);
    if (n < 0 || (size_t)n >= buf_len) {
        errno = ENOBUFS;
        return false;
    }
    return true;
}

bool xs_path_is_subpath(const char *parent, const char *child)
{
    size_t len = strlen(parent);

    if (len == 0 || strncmp(child, parent, len) != 0)
        return false;
    return parent[len - 1] == '/' || child[len] == '/' || child[len] == '\0';
}
