#include "config.h"

#include <stdint.h>
#include <stdio.h>

#include <errno.h>
#include <string.h>

#include <xen/xen.h>
#include <xen/domctl.h>
#include <xen/sysctl.h>
#include <xen/hvm/hvm_op.h>
#include <xen/sched.h>

#include "ctl-msg.h"

static const struct {
    const char *name;
    size_t min;
} ops[XK_CTL_OP_MAX] = {
    [XK_CTL_DOMCTL] = { "domctl", sizeof(struct xen_domctl) },
    [XK_CTL_SYSCTL] = { "sysctl", sizeof(struct xen_sysctl) },
    [XK_CTL_MEMORY_OP] = { "memory_op", sizeof(struct xk_ctl_memop) },
    [XK_CTL_HVM_OP] = { "hvm_op", sizeof(struct xk_ctl_hvmop) + sizeof(struct xen_hvm_param) },
    [XK_CTL_SCHED_OP] = { "sched_op",
                          sizeof(struct xk_ctl_schedop) + sizeof(struct sched_remote_shutdown) },
    [XK_CTL_XEN_VERSION] = { "xen_version", sizeof(struct xk_ctl_xenver) },
    [XK_CTL_MAP_FOREIGN] = { "map_foreign", sizeof(struct xk_ctl_map) },
    [XK_CTL_WAIT] = { "wait", sizeof(struct xk_ctl_wait) },
    [XK_CTL_EVTCHN_OPEN] = { "evtchn_open", 0 },
    [XK_CTL_EVTCHN_OP] = { "evtchn_op", sizeof(struct xk_ctl_evtchn) },
    [XK_CTL_GNTTAB_OP] = { "gnttab_op", sizeof(struct xk_ctl_gnttab) },
    [XK_CTL_SERIAL_IN] = { "serial_in", sizeof(struct xk_ctl_serial) },
};

size_t ctl_min_payload(uint32_t op)
{
    return op < XK_CTL_OP_MAX ? ops[op].min : 0;
}

const char *ctl_op_name(uint32_t op)
{
    return op < XK_CTL_OP_MAX && ops[op].name ? ops[op].name : "unknown";
}

int ctl_validate(const void *buf, size_t len, struct xk_ctl_hdr *hdr, const char **why)
{
    struct xk_ctl_hdr h;

    if (len < sizeof(h)) {
        *why = "message shorter than the header";
        return -EPROTO;
    }
    if (len > XK_CTL_MAX_MSG) {
        *why = "message too long";
        return -EMSGSIZE;
    }
    memcpy(&h, buf, sizeof(h));
    if (h.magic != XK_CTL_MAGIC) {
        *why = "bad magic";
        return -EPROTO;
    }
    if (h.len != len - sizeof(h)) {
        *why = "length field does not match the message";
        return -EPROTO;
    }
    if (h.op == 0 || h.op >= XK_CTL_OP_MAX || !ops[h.op].name) {
        *why = "unknown operation";
        return -EINVAL;
    }
    if (h.ret != 0 || (h.flags & ~XK_CTL_F_NOREPLY) ||
        ((h.flags & XK_CTL_F_NOREPLY) && h.op != XK_CTL_EVTCHN_OP)) {
        *why = "reserved header fields are not zero";
        return -EINVAL;
    }
    if (h.len < ops[h.op].min) {
        *why = "payload too short for the operation";
        return -EINVAL;
    }
    if (h.op == XK_CTL_MAP_FOREIGN) {
        struct xk_ctl_map m;
        memcpy(&m, (const uint8_t *)buf + sizeof(h), sizeof(m));
        if (m.nr == 0 || m.nr > XK_CTL_MAX_MAP) {
            *why = "bad page count";
            return -EINVAL;
        }
        if (h.len != sizeof(m) + (size_t)m.nr * sizeof(uint64_t)) {
            *why = "payload does not hold the page list";
            return -EINVAL;
        }
    }
    *hdr = h;
    return 0;
}
