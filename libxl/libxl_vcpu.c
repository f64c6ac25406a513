/* libxl_vcpu.c -- vCPUs: which are available to the guest (XenStore
 * cpu/N/availability, which the guest follows), what the hypervisor says
 * of each, and their hard and soft affinity (kept in the hypervisor and
 * in the stored configuration, so that a restart keeps them).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "libxl_life.h"
#include "util.h"

int libxl_cpu_bitmap_alloc(libxl_ctx *ctx, libxl_bitmap *cpumap, int max_cpus)
{
    if (max_cpus <= 0) {
        max_cpus = libxl_get_max_cpus(ctx);
        if (max_cpus <= 0)
            return ERROR_FAIL;
    }
    return libxl_bitmap_alloc(ctx, cpumap, max_cpus);
}

int libxl_get_max_cpus(libxl_ctx *ctx)
{
    xc_interface *xch = libxl__xch(ctx);
    int n = xch ? xc_get_max_cpus(xch) : -1;

    return n > 0 ? n : ERROR_FAIL;
}

/* A libxl bitmap as the hypervisor's map of `size` bytes (malloc'd). */
static uint8_t *to_cpumap(const libxl_bitmap *b, int size)
{
    uint8_t *m = libxl__calloc(1, (size_t)size);

    if (b && b->map)
        memcpy(m, b->map, XK_MIN((size_t)size, (size_t)b->size));
    return m;
}

static int set_affinity(libxl_ctx *ctx, uint32_t domid, uint32_t vcpu,
                        const libxl_bitmap *hard, const libxl_bitmap *soft)
{
    xc_interface *xch = libxl__xch(ctx);
    int size = xch ? xc_get_cpumap_size(xch) : -1;
    uint32_t flags = (hard ? XEN_VCPUAFFINITY_HARD : 0) | (soft ? XEN_VCPUAFFINITY_SOFT : 0);
    uint8_t *h, *s;
    int rc = 0;

    if (size <= 0)
        return ERROR_FAIL;
    if (!flags)
        return 0;
    h = to_cpumap(hard, size);
    s = to_cpumap(soft, size);
    if (xc_vcpu_setaffinity(xch, domid, (int)vcpu, h, s, flags) < 0) {
        if (errno == ESRCH)
            rc = ERROR_DOMAIN_NOTFOUND;
        else {
            LOGED(ERROR, domid, "cannot set the affinity of vCPU %u (the CPUs must exist on "
                  "this host; see xl info)", vcpu);
            rc = ERROR_FAIL;
        }
    }
    free(h);
    free(s);
    return rc;
}

int libxl__vcpu_apply_affinity(libxl_ctx *ctx, uint32_t domid,
                               const libxl_domain_build_info *b)
{
    for (int i = 0; i < b->max_vcpus; i++) {
        const libxl_bitmap *h = i < b->num_vcpu_hard_affinity ? &b->vcpu_hard_affinity[i] : NULL;
        const libxl_bitmap *s = i < b->num_vcpu_soft_affinity ? &b->vcpu_soft_affinity[i] : NULL;
        int rc = set_affinity(ctx, domid, (uint32_t)i, h, s);

        if (rc)
            return rc;
    }
    return 0;
}

/* ---- the stored configuration follows ------------------------------------------------ */

struct aff_update {
    uint32_t vcpu;          /* UINT32_MAX: all */
    unsigned int max_vcpus;
    int nr_cpus;            /* host CPUs */
    const libxl_bitmap *hard, *soft;
};

static void set_map(libxl_bitmap **arr, int *num, const struct aff_update *u,
                    const libxl_bitmap *map)
{
    unsigned int max_vcpus = u->max_vcpus;
    uint32_t vcpu = u->vcpu;

    if (!map)
        return;
    if ((unsigned int)*num < max_vcpus) {
        /* vCPUs without an entry so far could use every host CPU. */
        *arr = libxl__realloc(*arr, max_vcpus * sizeof(**arr));
        for (unsigned int i = (unsigned int)*num; i < max_vcpus; i++) {
            libxl_bitmap_init(&(*arr)[i]);
            libxl_bitmap_alloc(NULL, &(*arr)[i], u->nr_cpus);
            for (int c = 0; c < u->nr_cpus; c++)
                libxl_bitmap_set(&(*arr)[i], c);
        }
        *num = (int)max_vcpus;
    }
    for (unsigned int i = 0; i < max_vcpus; i++) {
        if (vcpu != UINT32_MAX && i != vcpu)
            continue;
        libxl_bitmap_dispose(&(*arr)[i]);
        libxl_bitmap_copy(NULL, &(*arr)[i], map);
    }
}

static void aff_config(libxl_domain_config *c, void *arg)
{
    struct aff_update *u = arg;
    libxl_domain_build_info *b = &c->b_info;

    set_map(&b->vcpu_hard_affinity, &b->num_vcpu_hard_affinity, u, u->hard);
    set_map(&b->vcpu_soft_affinity, &b->num_vcpu_soft_affinity, u, u->soft);
}

int libxl_set_vcpuaffinity(libxl_ctx *ctx, uint32_t domid, uint32_t vcpuid,
                           const libxl_bitmap *cpumap_hard, const libxl_bitmap *cpumap_soft)
{
    libxl_dominfo info;
    struct aff_update u = { vcpuid, 0, libxl_get_max_cpus(ctx), cpumap_hard, cpumap_soft };
    int rc = libxl_domain_info(ctx, &info, domid);

    if (rc)
        return rc;
    if (u.nr_cpus <= 0)
        return ERROR_FAIL;
    u.max_vcpus = info.vcpu_max_id + 1;
    libxl_dominfo_dispose(&info);
    if (vcpuid >= u.max_vcpus) {
        LOGD(ERROR, domid, "vCPU %u does not exist: the domain has vCPUs 0-%u", vcpuid,
             u.max_vcpus - 1);
        return ERROR_INVAL;
    }
    rc = set_affinity(ctx, domid, vcpuid, cpumap_hard, cpumap_soft);
    if (rc)
        return rc;
    return libxl__domain_config_update(ctx, domid, aff_config, &u);
}

int libxl_set_vcpuaffinity_all(libxl_ctx *ctx, uint32_t domid, unsigned int max_vcpus,
                               const libxl_bitmap *cpumap_hard,
                               const libxl_bitmap *cpumap_soft)
{
    struct aff_update u = { UINT32_MAX, max_vcpus, libxl_get_max_cpus(ctx), cpumap_hard,
                            cpumap_soft };

    if (u.nr_cpus <= 0)
        return ERROR_FAIL;
    for (unsigned int i = 0; i < max_vcpus; i++) {
        int rc = set_affinity(ctx, domid, i, cpumap_hard, cpumap_soft);
        if (rc)
            return rc;
    }
    return libxl__domain_config_update(ctx, domid, aff_config, &u);
}

/* ---- availability ------------------------------------------------------------------------ */

struct online {
    uint32_t domid;
    unsigned int max_vcpus;
    const libxl_bitmap *map;
};

static int online_txn(libxl_ctx *ctx, xs_transaction_t t, void *arg)
{
    struct online *o = arg;
    char path[128];

    for (unsigned int i = 0; i < o->max_vcpus; i++) {
        snprintf(path, sizeof(path), "/local/domain/%u/cpu/%u/availability", o->domid, i);
        if (libxl__xs_write(ctx, t, path, "%s",
                            libxl_bitmap_test(o->map, (int)i) ? "online" : "offline")) {
            LOGED(ERROR, o->domid, "cannot write %s", path);
            return ERROR_FAIL;
        }
    }
    return 0;
}

static void online_config(libxl_domain_config *c, void *arg)
{
    const struct online *o = arg;

    libxl_bitmap_dispose(&c->b_info.avail_vcpus);
    libxl_bitmap_alloc(NULL, &c->b_info.avail_vcpus, (int)o->max_vcpus);
    for (unsigned int i = 0; i < o->max_vcpus; i++)
        if (libxl_bitmap_test(o->map, (int)i))
            libxl_bitmap_set(&c->b_info.avail_vcpus, (int)i);
}

int libxl_set_vcpuonline(libxl_ctx *ctx, uint32_t domid, libxl_bitmap *cpumap,
                         const libxl_asyncop_how *ao_how)
{
    libxl_dominfo info;
    struct online o = { domid, 0, cpumap };
    int rc = libxl_domain_info(ctx, &info, domid), high;

    (void)ao_how;
    if (rc)
        return rc;
    o.max_vcpus = info.vcpu_max_id + 1;
    libxl_dominfo_dispose(&info);
    high = libxl_bitmap_highest_set(cpumap);
    if (high >= (int)o.max_vcpus) {
        LOGD(ERROR, domid, "the domain has %u vCPUs at most (maxvcpus=): cannot enable "
             "vCPU %d", o.max_vcpus, high);
        return ERROR_INVAL;
    }
    if (high < 0) {
        LOGD(ERROR, domid, "at least one vCPU must stay online");
        return ERROR_INVAL;
    }
    rc = libxl__xs_transaction(ctx, online_txn, &o);
    if (rc)
        return rc;
    return libxl__domain_config_update(ctx, domid, online_config, &o);
}

/* ---- listing -------------------------------------------------------------------------------- */

libxl_vcpuinfo *libxl_list_vcpu(libxl_ctx *ctx, uint32_t domid, int *nb_vcpu,
                                int *nr_cpus_out)
{
    xc_interface *xch = libxl__xch(ctx);
    libxl_dominfo info;
    libxl_vcpuinfo *out;
    int ncpus, size, n;
    uint8_t *h = NULL, *s = NULL;

    *nb_vcpu = 0;
    *nr_cpus_out = 0;
    if (!xch || libxl_domain_info(ctx, &info, domid))
        return NULL;
    n = (int)info.vcpu_max_id + 1;
    libxl_dominfo_dispose(&info);
    ncpus = xc_get_max_cpus(xch);
    size = xc_get_cpumap_size(xch);
    if (ncpus <= 0 || size <= 0)
        return NULL;
    out = libxl__calloc((size_t)n, sizeof(*out));
    h = libxl__calloc(1, (size_t)size);
    s = libxl__calloc(1, (size_t)size);
    for (int i = 0; i < n; i++) {
        libxl_vcpuinfo *v = &out[i];
        xc_vcpuinfo_t vi;

        libxl_vcpuinfo_init(v);
        if (xc_vcpu_getinfo(xch, domid, (uint32_t)i, &vi) < 0 ||
            xc_vcpu_getaffinity(xch, domid, i, h, s,
                                XEN_VCPUAFFINITY_HARD | XEN_VCPUAFFINITY_SOFT) < 0) {
            LOGED(ERROR, domid, "cannot get vCPU %d's information", i);
            libxl_vcpuinfo_list_free(out, i + 1);
            out = NULL;
            break;
        }
        v->vcpuid = (uint32_t)i;
        v->cpu = vi.cpu;
        v->online = vi.online;
        v->blocked = vi.blocked;
        v->running = vi.running;
        v->vcpu_time = vi.cpu_time;
        libxl_bitmap_alloc(ctx, &v->cpumap, ncpus);
        libxl_bitmap_alloc(ctx, &v->cpumap_soft, ncpus);
        memcpy(v->cpumap.map, h, XK_MIN((size_t)size, (size_t)v->cpumap.size));
        memcpy(v->cpumap_soft.map, s, XK_MIN((size_t)size, (size_t)v->cpumap_soft.size));
    }
    free(h);
    free(s);
    if (out) {
        *nb_vcpu = n;
        *nr_cpus_out = ncpus;
    }
    return out;
}

void libxl_vcpuinfo_list_free(libxl_vcpuinfo *list, int nr)
{
    for (int i = 0; list && i < nr; i++)
        libxl_vcpuinfo_dispose(&list[i]);
    free(list);
}

/* ---- scheduling parameters -------------------------------------------------------------- */

libxl_scheduler libxl_get_scheduler(libxl_ctx *ctx)
{
    xc_interface *xch = libxl__xch(ctx);
    int id;

    if (!xch || xc_sched_id(xch, &id) < 0)
        return LIBXL_SCHEDULER_UNKNOWN;
    return (libxl_scheduler)id;
}

int libxl_domain_sched_params_get(libxl_ctx *ctx, uint32_t domid,
                                  libxl_domain_sched_params *params)
{
    xc_interface *xch = libxl__xch(ctx);
    struct xen_domctl_sched_credit2 s;

    if (!xch)
        return ERROR_FAIL;
    if (xc_sched_credit2_domain_get(xch, domid, &s) < 0) {
        LOGED(ERROR, domid, "cannot get the scheduling parameters");
        return errno == ESRCH ? ERROR_DOMAIN_NOTFOUND : ERROR_FAIL;
    }
    libxl_domain_sched_params_init(params);
    params->sched = LIBXL_SCHEDULER_CREDIT2;
    params->weight = s.weight;
    params->cap = s.cap;
    return 0;
}

/* Fields left at their defaults (LIBXL_DOMAIN_SCHED_PARAM_*_DEFAULT) keep
 * the domain's current values. */
int libxl_domain_sched_params_set(libxl_ctx *ctx, uint32_t domid,
                                  const libxl_domain_sched_params *params)
{
    xc_interface *xch = libxl__xch(ctx);
    struct xen_domctl_sched_credit2 s;

    if (!xch)
        return ERROR_FAIL;
    if (params->sched != LIBXL_SCHEDULER_UNKNOWN && params->sched != LIBXL_SCHEDULER_CREDIT2) {
        LOGD(ERROR, domid, "the scheduler is credit2, not %s",
             libxl_scheduler_to_string(params->sched));
        return ERROR_INVAL;
    }
    if (xc_sched_credit2_domain_get(xch, domid, &s) < 0) {
        LOGED(ERROR, domid, "cannot get the scheduling parameters");
        return errno == ESRCH ? ERROR_DOMAIN_NOTFOUND : ERROR_FAIL;
    }
    if (params->weight != LIBXL_DOMAIN_SCHED_PARAM_WEIGHT_DEFAULT) {
        if (params->weight < 1 || params->weight > 65535) {
            LOGD(ERROR, domid, "weight %d is out of range (1 to 65535)", params->weight);
            return ERROR_INVAL;
        }
        s.weight = (uint16_t)params->weight;
    }
    if (params->cap != LIBXL_DOMAIN_SCHED_PARAM_CAP_DEFAULT) {
        if (params->cap < 0 || params->cap > 65535) {
            LOGD(ERROR, domid, "cap %d is out of range", params->cap);
            return ERROR_INVAL;
        }
        s.cap = (uint16_t)params->cap;
    }
    if (xc_sched_credit2_domain_set(xch, domid, &s) < 0) {
        LOGED(ERROR, domid, "cannot set weight %u cap %u", s.weight, s.cap);
        return errno == EINVAL ? ERROR_INVAL : ERROR_FAIL;
    }
    return 0;
}
