/* libxlu_vif.c -- vifspec strings of xl-network-configuration(5).
 *
 * A vifspec is a comma-separated list of KEY=VALUE settings (mac, bridge,
 * gatewaydev or its alias netdev, type, model, vifname, script, ip,
 * backend, rate, devid, mtu, forwarddev) and the flags trusted/untrusted;
 * the empty string is a nic with every default.  Each key may be given
 * once.  rate= is "RATE/s[@INTERVAL]" with RATE in bytes (B, KB, MB, GB)
 * or bits (b, Kb, Mb, Gb), decimal multiples, and INTERVAL in us (the
 * default unit), ms or s, 50ms when left out.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "libxlu_internal.h"

struct vif_parse {
    XLU_Config *cfg;
    const XLU_ConfigValue *where;
    const char *spec;
    int errors;
};

static void vif_report(struct vif_parse *vp, const char *at, bool is_error,
                       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void vif_report(struct vif_parse *vp, const char *at, bool is_error,
                       const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    xlu__vreport_spec(vp->cfg, vp->where, "vif", vp->spec, at, is_error, fmt, ap);
    va_end(ap);
    if (is_error)
        vp->errors++;
}

/* ------------------------------------------------------------------ rate */

/* Whole decimal digits at *pp; false when none or too large. */
static bool number(const char **pp, uint64_t *v)
{
    const char *p = *pp;

    *v = 0;
    if (!isdigit((unsigned char)*p))
        return false;
    while (isdigit((unsigned char)*p)) {
        if (*v > (UINT64_MAX - 9) / 10)
            return false;
        *v = *v * 10 + (uint64_t)(*p - '0');
        p++;
    }
    *pp = p;
    return true;
}

static int parse_rate(struct vif_parse *vp, const char *at, const char *rate,
                      libxl_device_nic *nic)
{
    static const struct { const char *sfx; uint64_t mul; bool bits; } units[] = {
        { "GB", 1000000000ull, false }, { "MB", 1000000ull, false }, { "KB", 1000ull, false },
        { "B", 1, false }, { "Gb", 1000000000ull, true }, { "Mb", 1000000ull, true },
        { "Kb", 1000ull, true }, { "b", 1, true },
    };
    const char *p = rate;
    uint64_t amount, interval_us = 50000, per_interval;
    unsigned __int128 bits_or_bytes, wide;
    unsigned divisor = 1;           /* 8 when the rate counts bits */
    size_t u;

    if (!number(&p, &amount))
        goto bad;
    for (u = 0; u < XLU_ARRAY_SIZE(units); u++)
        if (strncmp(p, units[u].sfx, strlen(units[u].sfx)) == 0 && p[strlen(units[u].sfx)] == '/')
            break;
    bits_or_bytes = amount;
    if (u < XLU_ARRAY_SIZE(units)) {
        p += strlen(units[u].sfx);
        bits_or_bytes *= units[u].mul;
        divisor = units[u].bits ? 8 : 1;
    }
    if (strncmp(p, "/s", 2) != 0)
        goto bad;
    p += 2;
    if (bits_or_bytes / divisor > UINT64_MAX) {
        vif_report(vp, at, true, "rate '%s' is too large", rate);
        return EINVAL;
    }
    if (*p == '@') {
        uint64_t n, mul = 1;

        p++;
        if (!number(&p, &n))
            goto bad;
        if (strcmp(p, "s") == 0)
            mul = 1000000;
        else if (strcmp(p, "ms") == 0)
            mul = 1000;
        else if (strcmp(p, "us") == 0 || *p == '\0')
            mul = 1;
        else
            goto bad;
        p += strlen(p);
        wide = (unsigned __int128)n * mul;
        if (n == 0 || wide > UINT32_MAX) {
            vif_report(vp, at, true, "rate '%s': the interval must be between 1us and "
                       "%" PRIu32 "us", rate, UINT32_MAX);
            return EINVAL;
        }
        interval_us = (uint64_t)wide;
    }
    if (*p)
        goto bad;
    if (amount == 0) {
        vif_report(vp, at, true, "rate '%s' is zero: leave rate= out for no limit", rate);
        return EINVAL;
    }
    wide = bits_or_bytes * interval_us / (divisor * 1000000u);
    if (wide > UINT64_MAX) {
        vif_report(vp, at, true, "rate '%s' is too large", rate);
        return EINVAL;
    }
    per_interval = (uint64_t)wide;
    if (per_interval == 0) {
        vif_report(vp, at, true, "rate '%s' allows less than one byte per interval: raise the "
                   "rate or lengthen the interval (@INTERVAL)", rate);
        return EINVAL;
    }
    nic->rate_bytes_per_interval = per_interval;
    nic->rate_interval_usecs = (uint32_t)interval_us;
    return 0;
bad:
    vif_report(vp, at, true, "malformed rate '%s': write RATE/s or RATE/s@INTERVAL, e.g. "
               "10Mb/s, 250KB/s or 1MB/s@20ms", rate);
    return EINVAL;
}

/* ------------------------------------------------------------------ keys */

static const char *const vif_keys[] = {
    "mac", "bridge", "gatewaydev", "type", "model", "vifname", "script", "ip", "backend",
    "rate", "devid", "mtu", "accel", "forwarddev",
};

static void set_string(char **field, const char *value)
{
    free(*field);
    *field = *value ? xlu__strdup(value) : NULL;
}

static long int_value(struct vif_parse *vp, const char *at, const char *key, const char *v,
                      long min, long max)
{
    char *end;
    long n;

    errno = 0;
    n = strtol(v, &end, 10);
    if (!*v || *end || errno || n < min || n > max) {
        vif_report(vp, at, true, "%s=%s: expected a number between %ld and %ld", key, v,
                   min, max);
        return -1;
    }
    return n;
}

static void set_key(struct vif_parse *vp, const char *at, const char *key, const char *v,
                    libxl_device_nic *nic)
{
    const char *vat = at + strlen(key) + 1;

    if (strcmp(key, "mac") == 0) {
        if (libxl_mac_from_string(&nic->mac, v)) {
            vif_report(vp, vat, true, "mac '%s' is not a MAC address: write six pairs of hex "
                       "digits, e.g. 00:16:3e:12:34:56", v);
        } else if (nic->mac[0] & 1) {
            vif_report(vp, vat, true, "mac %s is a multicast address: the first byte must "
                       "be even (e.g. 00:16:3e:... or a locally administered x2:...)", v);
        } else if (!(nic->mac[0] | nic->mac[1] | nic->mac[2] | nic->mac[3] | nic->mac[4] |
                     nic->mac[5])) {
            vif_report(vp, vat, true, "mac 00:00:00:00:00:00 is not usable: leave mac= out "
                       "to have an address generated");
        }
    } else if (strcmp(key, "bridge") == 0) {
        set_string(&nic->bridge, v);
    } else if (strcmp(key, "gatewaydev") == 0) {
        set_string(&nic->gatewaydev, v);
    } else if (strcmp(key, "type") == 0) {
        if (strcmp(v, "ioemu") == 0)
            nic->nictype = LIBXL_NIC_TYPE_VIF_IOEMU;
        else if (strcmp(v, "vif") == 0)
            nic->nictype = LIBXL_NIC_TYPE_VIF;
        else
            vif_report(vp, vat, true, "unknown type '%s' (ioemu or vif)", v);
    } else if (strcmp(key, "model") == 0) {
        set_string(&nic->model, v);
    } else if (strcmp(key, "vifname") == 0) {
        set_string(&nic->ifname, v);
    } else if (strcmp(key, "script") == 0) {
        set_string(&nic->script, v);
    } else if (strcmp(key, "ip") == 0) {
        set_string(&nic->ip, v);
    } else if (strcmp(key, "backend") == 0) {
        set_string(&nic->backend_domname, v);
    } else if (strcmp(key, "rate") == 0) {
        (void)parse_rate(vp, vat, v, nic);
    } else if (strcmp(key, "devid") == 0) {
        long n = int_value(vp, vat, key, v, 0, 65535);

        if (n >= 0)
            nic->devid = (int)n;
    } else if (strcmp(key, "mtu") == 0) {
        long n = int_value(vp, vat, key, v, 68, 65535);

        if (n >= 0)
            nic->mtu = (int)n;
    } else if (strcmp(key, "accel") == 0) {
        vif_report(vp, at, false, "accel= is not supported; ignored");
    } else if (strcmp(key, "forwarddev") == 0) {
        set_string(&nic->coloft_forwarddev, v);
    }
}

static int vif_parse(XLU_Config *cfg, const XLU_ConfigValue *where, const char *spec,
                     libxl_device_nic *nic)
{
    struct vif_parse vp = { cfg, where, spec, 0 };
    bool seen[XLU_ARRAY_SIZE(vif_keys)] = { false };
    bool trust_seen = false;
    const char *p = spec;

    while (*p && !vp.errors) {            /* the first error is the useful one */
        const char *start, *end, *eq;
        char *tok;

        while (*p == ' ' || *p == '\t')
            p++;
        start = p;
        tok = xlu__list_item(start, &end);
        p = *end ? end + 1 : end;
        if (!*tok) {
            free(tok);
            continue;
        }
        eq = strchr(tok, '=');
        if (!eq) {
            if (strcmp(tok, "trusted") == 0 || strcmp(tok, "untrusted") == 0) {
                if (trust_seen)
                    vif_report(&vp, start, true, "trusted/untrusted is given twice");
                trust_seen = true;
                libxl_defbool_set(&nic->trusted, tok[0] == 't');
            } else {
                vif_report(&vp, start, true, "'%s' is not KEY=VALUE (keys: mac, bridge, ip, "
                           "model, type, vifname, script, backend, rate, devid, mtu, "
                           "gatewaydev)", tok);
            }
        } else {
            char *key = xlu__strndup(tok, (size_t)(eq - tok));
            size_t k;

            if (strcmp(key, "netdev") == 0) {          /* deprecated alias */
                free(key);
                key = xlu__strdup("gatewaydev");
            }
            for (k = 0; k < XLU_ARRAY_SIZE(vif_keys); k++)
                if (strcmp(key, vif_keys[k]) == 0)
                    break;
            if (k == XLU_ARRAY_SIZE(vif_keys))
                vif_report(&vp, start, true, "unknown parameter '%s' (keys: mac, bridge, ip, "
                           "model, type, vifname, script, backend, rate, devid, mtu, "
                           "gatewaydev; flags: trusted, untrusted)", key);
            else if (seen[k])
                vif_report(&vp, start, true, "%s is given twice", vif_keys[k]);
            else {
                seen[k] = true;
                set_key(&vp, start, key, eq + 1, nic);
            }
            free(key);
        }
        free(tok);
    }
    return vp.errors ? EINVAL : 0;
}

int xlu__vif_parse_at(XLU_Config *cfg, const XLU_ConfigValue *where, const char *spec,
                      libxl_device_nic *nic)
{
    return vif_parse(cfg, where, spec, nic);
}

int xlu_vif_parse(XLU_Config *cfg, const char *spec, libxl_device_nic *nic)
{
    return vif_parse(cfg, NULL, spec, nic);
}

int xlu_vif_parse_rate(XLU_Config *cfg, const char *rate, libxl_device_nic *nic)
{
    struct vif_parse vp = { cfg, NULL, rate, 0 };

    return parse_rate(&vp, NULL, rate, nic);
}
