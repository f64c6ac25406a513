/* Host information, the hypervisor console, version, and waiting. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "xc_private.h"

int xc_physinfo(xc_interface *xch, xc_physinfo_t *info)
{
    struct xen_sysctl sc;

    memset(&sc, 0, sizeof(sc));
    sc.cmd = XEN_SYSCTL_physinfo;
    if (xc_sysctl(xch, &sc, NULL, 0, NULL) < 0)
        return -1;
    *info = sc.u.physinfo;
    return 0;
}

int xc_readconsolering(xc_interface *xch, char *buffer, unsigned int *pnr_chars, int clear,
                       int incremental, uint32_t *pindex)
{
    struct xen_sysctl sc;
    size_t got = 0;

    memset(&sc, 0, sizeof(sc));
    sc.cmd = XEN_SYSCTL_readconsole;
    sc.u.readconsole.clear = (uint8_t)!!clear;
    sc.u.readconsole.incremental = (uint8_t)!!incremental;
    sc.u.readconsole.index = pindex ? *pindex : 0;
    sc.u.readconsole.count = *pnr_chars;
    if (xc_sysctl(xch, &sc, buffer, *pnr_chars, &got) < 0)
        return -1;
    *pnr_chars = sc.u.readconsole.count;
    if (pindex)
        *pindex = sc.u.readconsole.index;
    return 0;
}

int xc_send_debug_keys(xc_interface *xch, const char *keys)
{
    struct xen_sysctl sc;
    size_t n = keys ? strlen(keys) : 0;

    if (n > 1024) {
        errno = E2BIG;
        return -1;
    }
    memset(&sc, 0, sizeof(sc));
    sc.cmd = XEN_SYSCTL_debug_keys;
    sc.interface_version = XEN_SYSCTL_INTERFACE_VERSION;
    sc.u.debug_keys.nr_keys = (uint32_t)n;
    return xc_ctl(xch, XK_CTL_SYSCTL, &sc, sizeof(sc), keys, n, NULL, 0, NULL, NULL);
}

static size_t version_size(int cmd)
{
    switch (cmd) {
    case XENVER_extraversion: return sizeof(xen_extraversion_t);
    case XENVER_compile_info: return sizeof(xen_compile_info_t);
    case XENVER_capabilities: return sizeof(xen_capabilities_info_t);
    case XENVER_changeset: return sizeof(xen_changeset_info_t);
    case XENVER_platform_parameters: return sizeof(xen_platform_parameters_t);
    case XENVER_get_features: return sizeof(xen_feature_info_t);
    case XENVER_guest_handle: return sizeof(xen_domain_handle_t);
    case XENVER_commandline: return sizeof(xen_commandline_t);
    default: return 0;
    }
}

int xc_version(xc_interface *xch, int cmd, void *arg)
{
    struct xk_ctl_xenver req = { .cmd = (uint32_t)cmd };
    size_t sz = version_size(cmd);

    if (cmd == XENVER_get_features && arg)
        req.in = ((xen_feature_info_t *)arg)->submap_idx;
    return xc_ctl(xch, XK_CTL_XEN_VERSION, &req, sizeof(req), NULL, 0, sz ? arg : NULL, sz,
                  NULL, NULL);
}

int xc_xk_wait(xc_interface *xch, uint32_t domid, unsigned int what, uint32_t *state,
               uint32_t *console, uint32_t timeout_ms)
{
    struct xk_ctl_wait req = {
        .domid = domid, .what = what, .state = state ? *state : 0,
        .console = console ? *console : 0, .timeout_ms = timeout_ms,
    };
    struct xk_ctl_wait_reply rep;
    size_t got = 0;
    int rc;

    memset(&rep, 0, sizeof(rep));
    rc = xc_ctl(xch, XK_CTL_WAIT, &req, sizeof(req), NULL, 0, &rep, sizeof(rep), &got, NULL);
    if (rc < 0 && errno != ETIMEDOUT)
        return -1;
    if (got == sizeof(rep)) {
        if (state)
            *state = rep.state;
        if (console)
            *console = rep.console;
    }
    return rc < 0 ? 0 : (int)rep.what;
}

int xc_xk_serial_input(xc_interface *xch, uint32_t domid, const void *buf, size_t len)
{
    struct xk_ctl_serial si = { .domid = domid, .len = (uint32_t)(len > 4096 ? 4096 : len) };

    return xc_ctl(xch, XK_CTL_SERIAL_IN, &si, sizeof(si), buf, si.len, NULL, 0, NULL, NULL);
}
