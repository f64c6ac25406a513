/* libxl_store.c -- the configuration kept beside a running domain.
 *
 * RUN_DIR/userdata-d<DOMID>.<UUID>.libxl-json holds the JSON of the
 * domain's libxl_domain_config (Xen keeps the same file under
 * /var/lib/xen).  It is replaced atomically (write a temporary file,
 * fsync, rename), so a reader sees the old or the new configuration,
 * never a mix, and a toolstack that restarts reads back what it wrote.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libxl_internal.h"

char *libxl_domain_config_path(const char *run_dir, uint32_t domid, const libxl_uuid *uuid)
{
    char u[LIBXL_UUID_FMTLEN + 1];

    libxl_uuid_to_string(uuid, u);
    return libxl__sprintf("%s/userdata-d%u.%s.libxl-json", run_dir, domid, u);
}

static int write_all(int fd, const char *buf, size_t len)
{
    while (len) {
        ssize_t n = write(fd, buf, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

int libxl_domain_config_store(const char *path, libxl_domain_config *d_config)
{
    char *json = libxl_domain_config_to_json(NULL, d_config);
    char *tmp = libxl__sprintf("%s.tmp.%ld", path, (long)getpid());
    int fd = -1, rc = ERROR_FAIL, saved;

    if (!json) {
        errno = EINVAL;            /* a string that is not UTF-8 */
        goto out;
    }
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        goto out;
    if (write_all(fd, json, strlen(json)) || write_all(fd, "\n", 1) || fsync(fd))
        goto out;
    if (close(fd)) {
        fd = -1;
        goto out;
    }
    fd = -1;
    if (rename(tmp, path))
        goto out;
    rc = 0;
out:
    saved = errno;
    if (fd >= 0)
        close(fd);
    if (rc)
        unlink(tmp);
    free(tmp);
    free(json);
    errno = saved;
    return rc;
}

int libxl_domain_config_load(const char *path, libxl_domain_config *d_config, char **err)
{
    int fd, rc = ERROR_FAIL;
    char *buf = NULL;
    size_t len = 0, cap = 4096;

    if (err)
        *err = NULL;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (err)
            *err = libxl__sprintf("cannot open %s: %s", path, strerror(errno));
        return errno == ENOENT ? ERROR_NOTFOUND : ERROR_FAIL;
    }
    buf = libxl__malloc(cap);
    for (;;) {
        ssize_t n;

        if (len + 1 >= cap) {
            if (cap > LIBXL__JSON_MAX_SIZE) {
                if (err)
                    *err = libxl__sprintf("%s is larger than %u bytes", path,
                                          LIBXL__JSON_MAX_SIZE);
                goto out;
            }
            cap *= 2;
            buf = libxl__realloc(buf, cap);
        }
        n = read(fd, buf + len, cap - len - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            if (err)
                *err = libxl__sprintf("cannot read %s: %s", path, strerror(errno));
            goto out;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    buf[len] = '\0';
    if (memchr(buf, 0, len)) {
        if (err)
            *err = libxl__sprintf("%s: not a JSON text (it holds a NUL byte)", path);
        rc = ERROR_INVAL;
        goto out;
    }
    {
        char *why = NULL;

        rc = libxl_domain_config_from_json_err(d_config, buf, &why);
        if (rc && err)
            *err = libxl__sprintf("%s: %s", path, why ? why : "malformed");
        free(why);
    }
out:
    close(fd);
    free(buf);
    return rc;
}

struct config_domid {
    libxl_domain_config *d_config;
    int64_t domid;
};

static yajl_gen_status config_domid_gen_json(yajl_gen g, void *p)
{
    const struct config_domid *cd = p;
    yajl_gen_status s;

    if ((s = yajl_gen_map_open(g)) != yajl_gen_status_ok ||
        (s = libxl__yajl_gen_asciiz(g, "domid")) != yajl_gen_status_ok ||
        (s = cd->domid < 0 ? yajl_gen_null(g) : yajl_gen_integer(g, cd->domid)) !=
            yajl_gen_status_ok ||
        (s = libxl__yajl_gen_asciiz(g, "config")) != yajl_gen_status_ok ||
        (s = libxl_domain_config_gen_json(g, cd->d_config)) != yajl_gen_status_ok)
        return s;
    return yajl_gen_map_close(g);
}

char *libxl_domain_config_to_json_domid(libxl_domain_config *d_config, int64_t domid)
{
    struct config_domid cd = { d_config, domid };

    return libxl__object_to_json(config_domid_gen_json, &cd);
}
