/* xen_version: who we are, for guests and (through the control socket)
 * for dom0.  Fixed-size strings are NUL-terminated and zero-filled. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <xen/version.h>
#include <xen/features.h>

#include "xen.h"
#include "hcall.h"

static void strfield(void *out, size_t field, const char *s)
{
    memset(out, 0, field);
    strncpy(out, s, field - 1);
}

static uint32_t hvm_features(void)
{
    return (1u << XENFEAT_writable_page_tables) |
           (1u << XENFEAT_auto_translated_physmap) |
           (1u << XENFEAT_hvm_safe_pvclock) |
           (1u << XENFEAT_hvm_callback_vector) |
           (1u << XENFEAT_not_direct_mapped);
}

/* Fills `out` (at least 1024 bytes) with the sub-op's data and sets *len
 * to its size.  Returns the hypercall result. */
long xen_version_fill(struct domain *d, uint32_t cmd, uint32_t in, void *out, size_t *len)
{
    bool priv = d->is_privileged;

    *len = 0;
    switch (cmd) {
    case XENVER_version:
        return (XK_XEN_MAJOR << 16) | XK_XEN_MINOR;
    case XENVER_extraversion:
        *len = sizeof(xen_extraversion_t);
        strfield(out, *len, XK_XEN_EXTRA);
        return 0;
    case XENVER_compile_info: {
        xen_compile_info_t *ci = out;
        memset(ci, 0, sizeof(*ci));
        strfield(ci->compiler, sizeof(ci->compiler), "gcc " __VERSION__);
        strfield(ci->compile_by, sizeof(ci->compile_by), "xenkvm");
        strfield(ci->compile_domain, sizeof(ci->compile_domain), "localdomain");
        strfield(ci->compile_date, sizeof(ci->compile_date), __DATE__ " " __TIME__);
        *len = sizeof(*ci);
        return 0;
    }
    case XENVER_capabilities:
        *len = sizeof(xen_capabilities_info_t);
        strfield(out, *len, "hvm-3.0-x86_32 hvm-3.0-x86_32p hvm-3.0-x86_64");
        return 0;
    case XENVER_changeset:
        *len = sizeof(xen_changeset_info_t);
        strfield(out, *len, PACKAGE_STRING);
        return 0;
    case XENVER_platform_parameters: {
        xen_platform_parameters_t p = { .virt_start = 0 };
        memcpy(out, &p, sizeof(p));
        *len = sizeof(p);
        return 0;
    }
    case XENVER_get_features: {
        xen_feature_info_t fi = { .submap_idx = in };
        if (in != 0)
            return -EINVAL;
        fi.submap = priv ? 0 : hvm_features();
        memcpy(out, &fi, sizeof(fi));
        *len = sizeof(fi);
        return 0;
    }
    case XENVER_pagesize:
        return (long)XK_PAGE_SIZE;
    case XENVER_guest_handle:
        memcpy(out, d->handle, sizeof(xen_domain_handle_t));
        *len = sizeof(xen_domain_handle_t);
        return 0;
    case XENVER_commandline:
        if (!priv)
            return -EPERM;
        *len = sizeof(xen_commandline_t);
        strfield(out, *len, hv.cmdline ? hv.cmdline : "");
        return 0;
    case XENVER_build_id:
        if (!priv)
            return -EPERM;
        return -ENODATA;
    default:
        return -ENOSYS;
    }
}

long do_xen_version(struct vcpu *v, struct hcall *h)
{
    uint32_t cmd = (uint32_t)h->arg[0];
    uint64_t arg = h->arg[1];
    char buf[1024];
    size_t len;
    uint32_t in = 0;
    long ret;

    if (cmd == XENVER_get_features) {
        if (copy_from_guest(v, &in, arg, sizeof(in)) < 0)
            return -EFAULT;
    }
    if (cmd == XENVER_build_id && !v->domain->is_privileged)
        return -EPERM;
    ret = xen_version_fill(v->domain, cmd, in, buf, &len);
    if (ret < 0 || !len)
        return ret;
    if (cmd == XENVER_platform_parameters && h->mode == 4) {
        uint32_t vs = 0;        /* compat layout: a 32-bit virt_start */
        return copy_to_guest(v, arg, &vs, sizeof(vs)) < 0 ? -EFAULT : 0;
    }
    return copy_to_guest(v, arg, buf, len) < 0 ? -EFAULT : ret;
}
