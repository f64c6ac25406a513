/* libxl_mem.c -- a running domain's memory: the balloon target in
 * XenStore (memory/target, which the guest's balloon driver follows with
 * XENMEM_decrease_reservation / populate_physmap), and the hypervisor's
 * maximum (memory/static-max beside it).  Both are kept in the stored
 * configuration, so a restarted domain comes back with them.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "libxl_life.h"

static int read_kb(libxl_ctx *ctx, uint32_t domid, const char *node, uint64_t *out)
{
    char *v = libxl__xs_read(ctx, XBT_NULL, "/local/domain/%u/memory/%s", domid, node);
    char *end;

    if (!v) {
        LOGD(ERROR, domid, "memory/%s is missing from XenStore (is it a domain of this "
             "toolstack?)", node);
        return ERROR_FAIL;
    }
    *out = strtoull(v, &end, 10);
    if (end == v || *end) {
        LOGD(ERROR, domid, "memory/%s holds \"%s\", not a number of kB", node, v);
        free(v);
        return ERROR_FAIL;
    }
    free(v);
    return 0;
}

int libxl_get_memory_target(libxl_ctx *ctx, uint32_t domid, uint64_t *out_target)
{
    int rc = libxl_domain_info(ctx, NULL, domid);

    return rc ? rc : read_kb(ctx, domid, "target", out_target);
}

static void target_config(libxl_domain_config *c, void *arg)
{
    c->b_info.target_memkb = *(const uint64_t *)arg;
}

static void max_config(libxl_domain_config *c, void *arg)
{
    c->b_info.max_memkb = *(const uint64_t *)arg;
}

int libxl_set_memory_target(libxl_ctx *ctx, uint32_t domid, int64_t target_memkb, int relative,
                            int enforce)
{
    xc_interface *xch = libxl__xch(ctx);
    uint64_t cur, smax, target;
    char path[96];
    int rc;

    if (!xch)
        return ERROR_FAIL;
    if (domid == 0) {
        LOG(ERROR, "Domain-0's memory is the host's: xenkvm does not balloon it");
        return ERROR_INVAL;
    }
    rc = libxl_domain_info(ctx, NULL, domid);
    if (rc)
        return rc;
    if ((rc = read_kb(ctx, domid, "target", &cur)) || (rc = read_kb(ctx, domid, "static-max",
                                                                      &smax)))
        return rc;
    if (relative) {
        if (target_memkb < 0 && (uint64_t)-target_memkb > cur) {
            LOGD(ERROR, domid, "cannot lower the target by %" PRId64 " kB: it is %" PRIu64
                 " kB", -target_memkb, cur);
            return ERROR_INVAL;
        }
        target = cur + (uint64_t)target_memkb;
    } else {
        if (target_memkb < 0) {
            LOGD(ERROR, domid, "a memory target cannot be negative");
            return ERROR_INVAL;
        }
        target = (uint64_t)target_memkb;
    }
    if (target > smax) {
        LOGD(ERROR, domid, "memory target %" PRIu64 " kB is above the domain's maximum of %"
             PRIu64 " kB: raise it first with xl mem-max", target, smax);
        return ERROR_INVAL;
    }
    if (target < 1024) {
        LOGD(ERROR, domid, "memory target %" PRIu64 " kB is below 1 MiB: the guest would not "
             "survive it", target);
        return ERROR_INVAL;
    }
    if (enforce && xc_domain_setmaxmem(xch, domid, target + LIBXL_MAXMEM_CONSTANT) < 0) {
        LOGED(ERROR, domid, "cannot set the hypervisor's maximum to %" PRIu64 " kB", target);
        return ERROR_FAIL;
    }
    snprintf(path, sizeof(path), "/local/domain/%u/memory/target", domid);
    if (libxl__xs_write(ctx, XBT_NULL, path, "%" PRIu64, target)) {
        LOGED(ERROR, domid, "cannot write %s", path);
        return ERROR_FAIL;
    }
    return libxl__domain_config_update(ctx, domid, target_config, &target);
}

int libxl_domain_setmaxmem(libxl_ctx *ctx, uint32_t domid, uint64_t max_memkb)
{
    xc_interface *xch = libxl__xch(ctx);
    uint64_t target;
    char path[96];
    int rc;

    if (!xch)
        return ERROR_FAIL;
    if (domid == 0) {
        LOG(ERROR, "Domain-0's memory is the host's: it has no maximum to set");
        return ERROR_INVAL;
    }
    rc = libxl_domain_info(ctx, NULL, domid);
    if (rc)
        return rc;
    rc = read_kb(ctx, domid, "target", &target);
    if (rc)
        return rc;
    if (max_memkb < target) {
        LOGD(ERROR, domid, "memory_max: %" PRIu64 " kB is below the current target of %" PRIu64
             " kB: lower the target first with xl mem-set", max_memkb, target);
        return ERROR_INVAL;
    }
    if (xc_domain_setmaxmem(xch, domid, max_memkb + LIBXL_MAXMEM_CONSTANT) < 0) {
        LOGED(ERROR, domid, "cannot set the hypervisor's maximum to %" PRIu64 " kB", max_memkb);
        return ERROR_FAIL;
    }
    snprintf(path, sizeof(path), "/local/domain/%u/memory/static-max", domid);
    if (libxl__xs_write(ctx, XBT_NULL, path, "%" PRIu64, max_memkb)) {
        LOGED(ERROR, domid, "cannot write %s", path);
        return ERROR_FAIL;
    }
    return libxl__domain_config_update(ctx, domid, max_config, &max_memkb);
}
