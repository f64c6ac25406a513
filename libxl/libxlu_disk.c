/* libxlu_disk.c -- DISKSPEC strings of xl-disk-configuration(5).
 *
 * A spec is comma-separated: KEY=VALUE parameters, flags (cdrom,
 * direct-io-safe, discard, no-discard, trusted, untrusted, colo) and
 * positional parameters filling target, format, vdev, access in that
 * order, skipping those already given.  "target=" takes the rest of the
 * spec, commas and trailing blanks included.  Empty values mean "default";
 * a parameter may be given once.
 *
 * The deprecated forms are understood too: prefixes on the target
 * (format "raw:", "qcow:", "qcow2:", "vhd:"; script "iscsi:", "nbd:",
 * "enbd:", "drbd:"; ignored "phy:", "file:", "tap:", "tap2:", "aio:",
 * "ioemu:", "tapdisk:", repeatable as in "tap:aio:qcow:"), which switch to
 * the old order target, vdev[:devtype], access; as does a vdev:devtype in
 * the second place (",hdc:cdrom,r").
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "libxlu_internal.h"

enum { P_TARGET, P_FORMAT, P_VDEV, P_ACCESS, P_N };
static const char *const positional_names[P_N] = { "target", "format", "vdev", "access" };

struct disk_parse {
    XLU_Config *cfg;
    const XLU_ConfigValue *where;
    const char *spec;          /* the string being parsed (for offsets) */
    libxl_device_disk *disk;
    bool given[P_N];           /* positional parameters specified */
    bool target_empty;         /* target given as "": target= may follow */
    bool access_given, devtype_given, old_syntax;
    bool named_seen[16];       /* other parameters given */
    int errors;
};

static void disk_error(struct disk_parse *dp, const char *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void disk_error(struct disk_parse *dp, const char *at, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    xlu__vreport_spec(dp->cfg, dp->where, "disk", dp->spec, at, true, fmt, ap);
    va_end(ap);
    dp->errors++;
}

static void set_string(char **field, const char *value)
{
    free(*field);
    *field = value && *value ? xlu__strdup(value) : NULL;
}

/* ------------------------------------------------------------ the values */

static void set_format(struct disk_parse *dp, const char *at, const char *v)
{
    static const struct { const char *name; libxl_disk_format f; } formats[] = {
        { "raw", LIBXL_DISK_FORMAT_RAW }, { "qcow", LIBXL_DISK_FORMAT_QCOW },
        { "qcow2", LIBXL_DISK_FORMAT_QCOW2 }, { "vhd", LIBXL_DISK_FORMAT_VHD },
        { "qed", LIBXL_DISK_FORMAT_QED },
    };

    if (!*v)
        return;
    for (size_t i = 0; i < XLU_ARRAY_SIZE(formats); i++) {
        if (strcmp(v, formats[i].name) == 0) {
            dp->disk->format = formats[i].f;
            return;
        }
    }
    disk_error(dp, at, "unknown format '%s' (raw, qcow, qcow2, vhd or qed)", v);
}

static void set_access(struct disk_parse *dp, const char *at, const char *v)
{
    if (!*v)
        return;
    if (strcmp(v, "r") == 0 || strcmp(v, "ro") == 0) {
        dp->disk->readwrite = 0;
    } else if (strcmp(v, "w") == 0 || strcmp(v, "rw") == 0) {
        dp->disk->readwrite = 1;
    } else {
        disk_error(dp, at, "unknown access '%s' (r or ro for read-only, w or rw for "
                   "read-write)", v);
        return;
    }
    dp->access_given = true;
}

static void set_devtype(struct disk_parse *dp, const char *at, const char *v)
{
    if (!*v)
        return;
    if (dp->devtype_given) {
        disk_error(dp, at, "the device type is given twice");
        return;
    }
    dp->devtype_given = true;
    if (strcmp(v, "cdrom") == 0)
        dp->disk->is_cdrom = 1;
    else if (strcmp(v, "disk") == 0)
        dp->disk->is_cdrom = 0;
    else
        disk_error(dp, at, "unknown device type '%s' (cdrom)", v);
}

/* vdev, possibly with the deprecated ":cdrom"/":disk" suffix. */
static void set_vdev(struct disk_parse *dp, const char *at, const char *v)
{
    const char *colon = strchr(v, ':');
    char *name = colon ? xlu__strndup(v, (size_t)(colon - v)) : xlu__strdup(v);

    if (colon)
        set_devtype(dp, at + (colon + 1 - v), colon + 1);
    if (*name && libxl_device_disk_dev_number(name, NULL, NULL) < 0)
        disk_error(dp, at, "'%s' is not a virtual device name: use xvda, xvdb, ... "
                   "(or hda-hdd, sda, d0p1; see xen-vbd-interface(7))", name);
    set_string(&dp->disk->vdev, name);
    free(name);
}

static bool has_prefix(const char *s, const char *p)
{
    return strncmp(s, p, strlen(p)) == 0;
}

/* A positional target: strips the deprecated prefixes. */
static void set_target_positional(struct disk_parse *dp, const char *at, const char *v)
{
    static const char *const ignored[] = {
        "tapdisk:", "tap2:", "tap:", "aio:", "ioemu:", "file:", "phy:",
    };
    static const char *const formats[] = { "raw:", "qcow2:", "qcow:", "vhd:" };
    static const char *const scripts[] = { "iscsi:", "nbd:", "enbd:", "drbd:" };
    bool again = true;

    while (again) {
        again = false;
        for (size_t i = 0; i < XLU_ARRAY_SIZE(ignored) && !again; i++) {
            if (has_prefix(v, ignored[i])) {
                v += strlen(ignored[i]);
                again = dp->old_syntax = true;
            }
        }
        for (size_t i = 0; i < XLU_ARRAY_SIZE(formats) && !again; i++) {
            if (has_prefix(v, formats[i])) {
                char *f = xlu__strndup(v, strlen(formats[i]) - 1);

                if (dp->given[P_FORMAT])
                    disk_error(dp, at, "the format is given twice");
                dp->given[P_FORMAT] = true;
                set_format(dp, at, f);
                free(f);
                v += strlen(formats[i]);
                again = dp->old_syntax = true;
            }
        }
        for (size_t i = 0; i < XLU_ARRAY_SIZE(scripts) && !again; i++) {
            if (has_prefix(v, scripts[i])) {
                char *s = xlu__strndup(v, strlen(scripts[i]) - 1);
                char *script = xlu__sprintf("block-%s", s);

                set_string(&dp->disk->script, script);
                free(script);
                free(s);
                v += strlen(scripts[i]);
                again = dp->old_syntax = true;
            }
        }
    }
    set_string(&dp->disk->pdev_path, v);
    dp->target_empty = !*v;
}

/* ------------------------------------------------------------- parameters */

static const char *const named_keys[] = {
    "format", "vdev", "access", "devtype", "backend", "backendtype", "script",
    "specification", "colo-host", "colo-port", "colo-export", "active-disk",
    "hidden-disk",
};

static void set_named(struct disk_parse *dp, const char *at, const char *key, const char *v)
{
    libxl_device_disk *d = dp->disk;
    size_t k;

    for (k = 0; k < XLU_ARRAY_SIZE(named_keys); k++)
        if (strcmp(key, named_keys[k]) == 0)
            break;
    if (k == XLU_ARRAY_SIZE(named_keys)) {
        disk_error(dp, at, "unknown parameter '%s' (see xl-disk-configuration(5); a target "
                   "holding '=' must be given last, as target=...)", key);
        return;
    }
    /* positional ones given by name */
    for (int p = 0; p < P_N; p++) {
        if (strcmp(key, positional_names[p]) == 0) {
            if (dp->given[p]) {
                disk_error(dp, at, "the %s is given twice", key);
                return;
            }
            dp->given[p] = true;
            if (p == P_FORMAT)
                set_format(dp, at + strlen(key) + 1, v);
            else if (p == P_VDEV)
                set_vdev(dp, at + strlen(key) + 1, v);
            else
                set_access(dp, at + strlen(key) + 1, v);
            return;
        }
    }
    if (dp->named_seen[k]) {
        disk_error(dp, at, "%s is given twice", key);
        return;
    }
    dp->named_seen[k] = true;
    at += strlen(key) + 1;
    if (strcmp(key, "devtype") == 0) {
        set_devtype(dp, at, v);
    } else if (strcmp(key, "backend") == 0) {
        set_string(&d->backend_domname, v);
    } else if (strcmp(key, "backendtype") == 0) {
        if (!*v)
            d->backend = LIBXL_DISK_BACKEND_UNKNOWN;
        else if (strcmp(v, "phy") == 0)
            d->backend = LIBXL_DISK_BACKEND_PHY;
        else if (strcmp(v, "qdisk") == 0)
            d->backend = LIBXL_DISK_BACKEND_QDISK;
        else if (strcmp(v, "standalone") == 0)
            d->backend = LIBXL_DISK_BACKEND_STANDALONE;
        else
            disk_error(dp, at, "unknown backendtype '%s' (phy, qdisk or standalone)", v);
    } else if (strcmp(key, "script") == 0) {
        set_string(&d->script, v);
    } else if (strcmp(key, "specification") == 0) {
        if (!*v)
            d->specification = LIBXL_DISK_SPECIFICATION_UNKNOWN;
        else if (strcmp(v, "xen") == 0)
            d->specification = LIBXL_DISK_SPECIFICATION_XEN;
        else if (strcmp(v, "virtio") == 0)
            d->specification = LIBXL_DISK_SPECIFICATION_VIRTIO;
        else
            disk_error(dp, at, "unknown specification '%s' (xen or virtio)", v);
    } else if (strcmp(key, "colo-host") == 0) {
        set_string(&d->colo_host, v);
    } else if (strcmp(key, "colo-port") == 0) {
        char *end;
        long port = strtol(v, &end, 10);

        if (*v && (*end || port < 1 || port > 65535))
            disk_error(dp, at, "colo-port '%s' is not a port number (1-65535)", v);
        else
            d->colo_port = *v ? (int)port : 0;
    } else if (strcmp(key, "colo-export") == 0) {
        set_string(&d->colo_export, v);
    } else if (strcmp(key, "active-disk") == 0) {
        set_string(&d->active_disk, v);
    } else if (strcmp(key, "hidden-disk") == 0) {
        set_string(&d->hidden_disk, v);
    }
}

static bool set_flag(struct disk_parse *dp, const char *at, const char *tok)
{
    libxl_device_disk *d = dp->disk;

    if (strcmp(tok, "cdrom") == 0)
        set_devtype(dp, at, "cdrom");
    else if (strcmp(tok, "direct-io-safe") == 0)
        d->direct_io_safe = true;
    else if (strcmp(tok, "discard") == 0)
        libxl_defbool_set(&d->discard_enable, true);
    else if (strcmp(tok, "no-discard") == 0)
        libxl_defbool_set(&d->discard_enable, false);
    else if (strcmp(tok, "trusted") == 0)
        libxl_defbool_set(&d->trusted, true);
    else if (strcmp(tok, "untrusted") == 0)
        libxl_defbool_set(&d->trusted, false);
    else if (strcmp(tok, "colo") == 0)
        libxl_defbool_set(&d->colo_enable, true);
    else
        return false;
    return true;
}

static bool is_key(const char *s, size_t n)
{
    if (!n || !isalpha((unsigned char)s[0]))
        return false;
    for (size_t i = 1; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
            return false;
    return true;
}

static void set_positional(struct disk_parse *dp, const char *at, const char *v)
{
    int p = 0;

    while (p < P_N && dp->given[p])
        p++;
    /* The old order: target, vdev[:devtype], access. */
    if (p == P_FORMAT && (dp->old_syntax || strchr(v, ':'))) {
        dp->old_syntax = true;
        dp->given[P_FORMAT] = true;
        p = P_VDEV;
        while (p < P_N && dp->given[p])
            p++;
    }
    if (p == P_N) {
        disk_error(dp, at, "too many positional parameters at '%s' (target, format, vdev and "
                   "access are all given)", v);
        return;
    }
    dp->given[p] = true;
    switch (p) {
    case P_TARGET: set_target_positional(dp, at, v); break;
    case P_FORMAT: set_format(dp, at, v); break;
    case P_VDEV: set_vdev(dp, at, v); break;
    default: set_access(dp, at, v); break;
    }
}

static void parse_one(struct disk_parse *dp, const char *spec)
{
    const char *p = spec;

    dp->spec = spec;
    while (*p && !dp->errors) {           /* the first error is the useful one */
        const char *start, *end, *eq;
        char *tok;

        while (*p == ' ' || *p == '\t')
            p++;
        start = p;
        if (has_prefix(start, "target=")) {
            /* the rest of the spec, as it is */
            if (dp->given[P_TARGET] && !dp->target_empty)
                disk_error(dp, start, "the target is given twice");
            dp->given[P_TARGET] = true;
            set_string(&dp->disk->pdev_path, start + strlen("target="));
            dp->target_empty = false;
            return;
        }
        tok = xlu__list_item(start, &end);
        eq = strchr(tok, '=');
        if (eq && is_key(tok, (size_t)(eq - tok))) {
            char *key = xlu__strndup(tok, (size_t)(eq - tok));

            set_named(dp, start, key, eq + 1);
            free(key);
        } else if (eq) {
            disk_error(dp, start, "'%s' is neither KEY=VALUE nor a positional parameter: a "
                       "target holding '=' must be given last, as target=...", tok);
        } else if (!set_flag(dp, start, tok)) {
            set_positional(dp, start, tok);
        }
        free(tok);
        p = *end ? end + 1 : end;
    }
}

/* What every disk needs, whichever way it was written. */
static int disk_finish(struct disk_parse *dp, const char *spec)
{
    libxl_device_disk *d = dp->disk;

    dp->spec = spec;
    if (d->format == LIBXL_DISK_FORMAT_UNKNOWN)
        d->format = LIBXL_DISK_FORMAT_RAW;
    if (d->is_cdrom) {
        d->removable = 1;
        if (dp->access_given && d->readwrite) {
            disk_error(dp, NULL, "a cdrom is read-only: drop the w/rw access");
            return EINVAL;
        }
        d->readwrite = 0;
        if (!d->pdev_path)
            d->format = LIBXL_DISK_FORMAT_EMPTY;
    } else if (!dp->access_given) {
        d->readwrite = 1;
    }
    if (!d->vdev) {
        disk_error(dp, NULL, "no vdev: say where the guest sees the disk, e.g. "
                   "'/path/to/image,raw,xvda' or vdev=xvda");
        return EINVAL;
    }
    if (!d->pdev_path && !d->is_cdrom) {
        disk_error(dp, NULL, "no target: give the image or device, e.g. "
                   "'/path/to/image,raw,%s' (only an empty cdrom may have none)", d->vdev);
        return EINVAL;
    }
    return 0;
}

static int disk_parse_specs(XLU_Config *cfg, const XLU_ConfigValue *where, int nspecs,
                            const char *const *specs, libxl_device_disk *disk)
{
    struct disk_parse dp;

    memset(&dp, 0, sizeof(dp));
    dp.cfg = cfg;
    dp.where = nspecs == 1 ? where : NULL;
    dp.disk = disk;
    for (int i = 0; i < nspecs; i++)
        parse_one(&dp, specs[i]);
    if (dp.errors)
        return EINVAL;
    return disk_finish(&dp, nspecs ? specs[nspecs - 1] : "");
}

int xlu_disk_parse(XLU_Config *cfg, int nspecs, const char *const *specs,
                   libxl_device_disk *disk)
{
    return disk_parse_specs(cfg, NULL, nspecs, specs, disk);
}

int xlu__disk_parse_at(XLU_Config *cfg, const XLU_ConfigValue *where, const char *spec,
                       libxl_device_disk *disk)
{
    return disk_parse_specs(cfg, where, 1, &spec, disk);
}
