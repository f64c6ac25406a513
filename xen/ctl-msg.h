/* Validation of control-socket messages (pure; unit tested).  Every
 * request is checked here once, before dispatch: header, sizes, and the
 * per-op payload shape. */
#ifndef XK_CTL_MSG_H
#define XK_CTL_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "xk-ctl.h"

/* Minimum payload of each op (the fixed part). */
size_t ctl_min_payload(uint32_t op);
/* Returns 0 when `buf` (len bytes, as received) is a well-formed request,
 * else -EINVAL/-EMSGSIZE/-EPROTO with a reason in *why.  On success the
 * header is copied to *hdr. */
int ctl_validate(const void *buf, size_t len, struct xk_ctl_hdr *hdr, const char **why);
const char *ctl_op_name(uint32_t op);

#endif
