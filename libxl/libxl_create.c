/* libxl_create.c -- a domain from a configuration.
 *
 * Everything that can be refused is checked before the hypervisor is
 * touched: the configuration (defaults and checks of the configuration
 * layer), the name (unused; the run directory's lock is held from that
 * check until the name is in XenStore), the kernel (read and parsed: an ELF
 * image with a PVH entry note), the memory (within what the hypervisor has
 * free).  Then: the domain, its maximum memory, the console and XenStore
 * event channels, the image (libxc's PVH builder), vCPU affinities, the
 * XenStore entries in one transaction, the introduction to xenstored, and
 * the stored configuration.  Any failure after the domain exists destroys
 * it again, so nothing is left behind.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "libxl_life.h"
#include "util.h"

/* Pages a domain needs beyond its RAM: the builder's special pages, shared
 * info and grant frames (generous). */
#define EXTRA_PAGES 64

struct create {
    libxl_domain_config *c;
    uint32_t domid;
    int nr_errors;
    uint32_t console_port, store_port;
    uint64_t console_pfn, store_pfn;
};

static void config_issue(void *opaque, bool is_error, const char *key, int index,
                         const char *message)
{
    struct { libxl_ctx *ctx; struct create *cr; } *a = opaque;
    libxl_ctx *ctx = a->ctx;

    /* Warnings were shown by whoever parsed the configuration (xl.cfg's
     * reader reports them with their line); here they are details. */
    enum libxl_log_level l = is_error ? LIBXL_LOG_ERROR : LIBXL_LOG_INFO;

    if (index >= 0)
        libxl__log(ctx, l, -1, INVALID_DOMID, "%s[%d]: %s", key, index, message);
    else
        libxl__log(ctx, l, -1, INVALID_DOMID, "%s: %s", key, message);
    if (is_error)
        a->cr->nr_errors++;
}

static void fill_in(libxl_domain_config *c)
{
    if (libxl_uuid_is_nil(&c->c_info.uuid))
        libxl_uuid_generate(&c->c_info.uuid);
    for (int i = 0; i < c->num_nics; i++) {
        libxl_mac *m = &c->nics[i].mac;
        if ((*m)[0] | (*m)[1] | (*m)[2] | (*m)[3] | (*m)[4] | (*m)[5])
            continue;
        libxl_uuid r;
        libxl_uuid_generate(&r);   /* random bytes */
        (*m)[0] = 0x00;            /* Xen's OUI */
        (*m)[1] = 0x16;
        (*m)[2] = 0x3e;
        (*m)[3] = r.uuid[0] & 0x7f;
        (*m)[4] = r.uuid[1];
        (*m)[5] = r.uuid[2];
    }
}

static const char *image_path(const libxl_domain_build_info *b)
{
    return b->type == LIBXL_DOMAIN_TYPE_HVM ? b->u.hvm.firmware : b->kernel;
}

/* The checks that need the host; the kernel is read into dom. */
static int validate(libxl_ctx *ctx, struct create *cr, struct xc_dom_image **pdom)
{
    libxl_domain_config *c = cr->c;
    libxl_domain_build_info *b = &c->b_info;
    xc_interface *xch = libxl__xch(ctx);
    libxl_physinfo pi;
    struct { libxl_ctx *ctx; struct create *cr; } a = { ctx, cr };
    libxl_host_limits host = { 0 };
    struct xc_dom_image *dom;
    const char *image;
    uint64_t need_kb, free_kb;
    int rc;

    if (!xch)
        return ERROR_FAIL;
    libxl_physinfo_init(&pi);
    rc = libxl_get_physinfo(ctx, &pi);
    if (rc)
        return rc;
    host.nr_cpus = (int)pi.nr_cpus;
    libxl_domain_config_setdefault(c);
    if (libxl_domain_config_check(c, &host, config_issue, &a) || cr->nr_errors) {
        LOG(ERROR, "the domain configuration has errors (see above); nothing was created");
        libxl_physinfo_dispose(&pi);
        return ERROR_INVAL;
    }

    need_kb = b->target_memkb + EXTRA_PAGES * 4;
    free_kb = pi.free_pages * (XC_PAGE_SIZE / 1024);
    libxl_physinfo_dispose(&pi);
    if (need_kb > free_kb) {
        LOG(ERROR, "domain %s needs %" PRIu64 " MiB of memory but the hypervisor has only %"
            PRIu64 " MiB free (xl info: free_memory); lower memory= or destroy a domain",
            c->c_info.name, need_kb >> 10, free_kb >> 10);
        return ERROR_NOMEM;
    }
    if ((uint32_t)b->max_vcpus > (uint32_t)host.nr_cpus)
        LOG(WARN, "domain %s has %d vCPUs on a host with %d CPUs: they share them",
            c->c_info.name, b->max_vcpus, host.nr_cpus);
    if (c->num_disks || c->num_nics)
        LOG(WARN, "xenkvm has no block or network backends yet: the %d disk(s) and %d vif(s) "
            "of domain %s stay in its configuration but no device is created", c->num_disks,
            c->num_nics, c->c_info.name);

    image = image_path(b);
    dom = xc_dom_allocate(xch, b->cmdline, NULL);
    if (!dom) {
        LOGE(ERROR, "xc_dom_allocate");
        return ERROR_NOMEM;
    }
    xc_clear_last_error(xch);
    if (xc_dom_kernel_file(dom, image) < 0 ||
        (b->ramdisk && xc_dom_ramdisk_file(dom, b->ramdisk) < 0) || xc_dom_parse_image(dom) < 0) {
        const xc_error *e = xc_get_last_error(xch);
        LOG(ERROR, "%s %s: %s", b->type == LIBXL_DOMAIN_TYPE_HVM ? "firmware_override" :
            "kernel", image, e->message[0] ? e->message : strerror(errno));
        xc_dom_release(dom);
        return ERROR_INVAL;
    }
    *pdom = dom;
    return 0;
}

/* The guest's wall clock: UTC, plus rtc_timeoffset, plus (localtime=1)
 * the host's offset from UTC at creation. */
static int set_clock(libxl_ctx *ctx, uint32_t domid, const libxl_domain_build_info *b)
{
    int64_t off = (int32_t)b->rtc_timeoffset;

    if (libxl_defbool_val(b->localtime)) {
        time_t now = time(NULL);
        struct tm tm;

        if (localtime_r(&now, &tm))
            off += tm.tm_gmtoff;
    }
    if (!off)
        return 0;
    if (off < INT32_MIN || off > INT32_MAX) {
        LOGD(ERROR, domid, "the clock offset %" PRId64 " s is out of range", off);
        return ERROR_INVAL;
    }
    if (xc_domain_set_time_offset(libxl__xch(ctx), domid, (int32_t)off) < 0) {
        LOGED(ERROR, domid, "cannot set the clock offset to %" PRId64 " s", off);
        return ERROR_FAIL;
    }
    return 0;
}

static int make_domain(libxl_ctx *ctx, struct create *cr)
{
    libxl_domain_build_info *b = &cr->c->b_info;
    xc_interface *xch = libxl__xch(ctx);
    struct xen_domctl_createdomain cd;
    uint32_t domid = DOMID_INVALID;

    memset(&cd, 0, sizeof(cd));
    cd.flags = XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap;
    cd.max_vcpus = (uint32_t)b->max_vcpus;
    cd.max_evtchn_port = b->event_channels;
    cd.max_grant_frames = (int32_t)b->max_grant_frames;
    cd.max_maptrack_frames = (int32_t)b->max_maptrack_frames;
    cd.arch.emulation_flags = b->type == LIBXL_DOMAIN_TYPE_HVM ? XEN_X86_EMU_ALL
                                                                : XEN_X86_EMU_LAPIC;
    memcpy(cd.handle, cr->c->c_info.uuid.uuid, sizeof(cd.handle));
    if (xc_domain_create(xch, &domid, &cd) < 0) {
        LOGE(ERROR, "the hypervisor cannot create domain %s", cr->c->c_info.name);
        return ERROR_FAIL;
    }
    cr->domid = domid;
    if (xc_domain_setmaxmem(xch, domid, b->max_memkb + LIBXL_MAXMEM_CONSTANT) < 0) {
        LOGED(ERROR, domid, "cannot set the maximum memory to %" PRIu64 " kB", b->max_memkb);
        return ERROR_FAIL;
    }
    if (libxl_domain_sched_params_set(ctx, domid, &b->sched_params))
        return ERROR_FAIL;     /* cpu_weight=, cap= */
    if (set_clock(ctx, domid, b))
        return ERROR_FAIL;     /* rtc_timeoffset=, localtime= */
    int cp = xc_evtchn_alloc_unbound(xch, domid, 0);
    int sp = xc_evtchn_alloc_unbound(xch, domid, 0);
    if (cp < 0 || sp < 0) {
        LOGED(ERROR, domid, "cannot allocate the console and XenStore event channels");
        return ERROR_FAIL;
    }
    cr->console_port = (uint32_t)cp;
    cr->store_port = (uint32_t)sp;
    return 0;
}

static int build(libxl_ctx *ctx, struct create *cr, struct xc_dom_image *dom)
{
    xc_interface *xch = libxl__xch(ctx);
    uint64_t mem_mb = cr->c->b_info.target_memkb >> 10;

    dom->console_evtchn = cr->console_port;
    dom->xenstore_evtchn = cr->store_port;
    xc_clear_last_error(xch);
    if (xc_dom_boot_xen_init(dom, xch, cr->domid) < 0 ||
        xc_dom_mem_init(dom, (unsigned int)mem_mb) < 0 || xc_dom_boot_mem_init(dom) < 0 ||
        xc_dom_build_image(dom) < 0 || xc_dom_boot_image(dom) < 0) {
        const xc_error *e = xc_get_last_error(xch);
        LOGD(ERROR, cr->domid, "cannot build the domain: %s",
             e->message[0] ? e->message : strerror(errno));
        return ERROR_FAIL;
    }
    cr->console_pfn = dom->console_pfn;
    cr->store_pfn = dom->xenstore_pfn;
    return 0;
}

/* ---- XenStore ------------------------------------------------------------------------------ */

struct node {
    const char *path;          /* relative to the domain's home, or absolute */
    char *value;               /* NULL: a directory */
    enum libxl__xs_perm perm;  /* what the node gets explicitly */
    bool explicit_perm;        /* else it inherits its parent's */
};

static int xs_write_domain(libxl_ctx *ctx, xs_transaction_t t, void *arg)
{
    struct create *cr = arg;
    libxl_domain_config *c = cr->c;
    libxl_domain_build_info *b = &c->b_info;
    uint32_t d = cr->domid;
    char dom[64], vm[64], lib[64], uuid[LIBXL_UUID_FMTLEN + 1], path[256];
    struct timeval tv;
    int rc = ERROR_FAIL;

    libxl_uuid_to_string(&c->c_info.uuid, uuid);
    snprintf(dom, sizeof(dom), "/local/domain/%u", d);
    snprintf(vm, sizeof(vm), "/vm/%s", uuid);
    snprintf(lib, sizeof(lib), "/libxl/%u", d);
    gettimeofday(&tv, NULL);

    /* Whatever an earlier domain of this id or UUID left. */
    xs_rm(ctx->xsh, t, dom);
    xs_rm(ctx->xsh, t, vm);
    xs_rm(ctx->xsh, t, lib);

#define MK(p, v, perm) \
    do { if (libxl__xs_mknode(ctx, t, (p), (v), d, (perm))) goto fail; } while (0)
#define W(rel, ...) \
    do { snprintf(path, sizeof(path), "%s/%s", dom, (rel)); \
         if (libxl__xs_write(ctx, t, path, __VA_ARGS__)) goto fail; } while (0)

    MK(dom, NULL, LIBXL__XS_RO);
    MK(vm, NULL, LIBXL__XS_NOPERM);
    MK(lib, NULL, LIBXL__XS_NOPERM);
    /* Children inherit their parent's permissions. */
    W("vm", "%s", vm);
    W("name", "%s", c->c_info.name);
    W("domid", "%u", d);
    W("memory/static-max", "%" PRIu64, b->max_memkb);
    W("memory/target", "%" PRIu64, b->target_memkb);
    for (int i = 0; i < b->max_vcpus; i++) {
        char rel[48];
        snprintf(rel, sizeof(rel), "cpu/%d/availability", i);
        W(rel, "%s", libxl_bitmap_test(&b->avail_vcpus, i) ? "online" : "offline");
    }
    snprintf(path, sizeof(path), "%s/control", dom);
    MK(path, NULL, LIBXL__XS_RO);
    {
        static const char *const guest_nodes[] = {
            "control/shutdown", "control/sysrq", "control/feature-poweroff",
            "control/feature-reboot", "control/feature-suspend",
        };
        for (size_t i = 0; i < XK_ARRAY_SIZE(guest_nodes); i++) {
            snprintf(path, sizeof(path), "%s/%s", dom, guest_nodes[i]);
            MK(path, "", LIBXL__XS_RW);
        }
    }
    W("control/platform-feature-multiprocessor-suspend", "1");
    W("control/platform-feature-xs_reset_watches", "1");
    {
        static const char *const rw_dirs[] = { "data", "drivers", "feature", "attr", "error" };
        for (size_t i = 0; i < XK_ARRAY_SIZE(rw_dirs); i++) {
            snprintf(path, sizeof(path), "%s/%s", dom, rw_dirs[i]);
            MK(path, NULL, LIBXL__XS_RW);
        }
    }
    snprintf(path, sizeof(path), "%s/device", dom);
    MK(path, NULL, LIBXL__XS_RO);
    W("console/ring-ref", "%" PRIu64, cr->console_pfn);
    W("console/port", "%u", cr->console_port);
    W("console/limit", "%d", LIBXL_XENCONSOLE_LIMIT);
    W("console/type", "xenconsoled");
    W("console/output", "pty");
    W("store/ring-ref", "%" PRIu64, cr->store_pfn);
    W("store/port", "%u", cr->store_port);

    snprintf(path, sizeof(path), "%s/uuid", vm);
    if (libxl__xs_write(ctx, t, path, "%s", uuid))
        goto fail;
    snprintf(path, sizeof(path), "%s/name", vm);
    if (libxl__xs_write(ctx, t, path, "%s", c->c_info.name))
        goto fail;
    snprintf(path, sizeof(path), "%s/start_time", vm);
    if (libxl__xs_write(ctx, t, path, "%ld.%06ld", (long)tv.tv_sec, (long)tv.tv_usec))
        goto fail;
    snprintf(path, sizeof(path), "%s/type", lib);
    if (libxl__xs_write(ctx, t, path, "%s", libxl_domain_type_to_string(b->type)))
        goto fail;
#undef MK
#undef W
    return 0;
fail:
    LOGED(ERROR, d, "cannot write the domain's XenStore entries");
    return rc;
}

/* ---- the whole ------------------------------------------------------------------------------ */

int libxl_domain_create_new(libxl_ctx *ctx, libxl_domain_config *d_config, uint32_t *domid_out,
                            const libxl_asyncop_how *ao_how,
                            const libxl_asyncprogress_how *aop_console_how)
{
    struct create cr = { .c = d_config, .domid = INVALID_DOMID };
    struct xc_dom_image *dom = NULL;
    char *path = NULL;
    uint32_t other;
    int lock = -1, rc;

    (void)ao_how;
    (void)aop_console_how;
    *domid_out = INVALID_DOMID;
    rc = validate(ctx, &cr, &dom);
    if (rc)
        return rc;
    fill_in(d_config);

    lock = libxl__lock_acquire(ctx);
    if (lock < 0) {
        rc = ERROR_LOCK_FAIL;
        goto out;
    }
    if (libxl_name_to_domid(ctx, d_config->c_info.name, &other) == 0) {
        LOG(ERROR, "domain %u is already called \"%s\": choose another name= (or xl rename it)",
            other, d_config->c_info.name);
        rc = ERROR_INVAL;
        goto out;
    }
    {
        /* A UUID is one domain's: /vm/UUID exists while a domain has it. */
        char u[LIBXL_UUID_FMTLEN + 1], *name;
        libxl_uuid_to_string(&d_config->c_info.uuid, u);
        name = libxl__xs_read(ctx, XBT_NULL, "/vm/%s/name", u);
        if (name) {
            LOG(ERROR, "UUID %s is already the UUID of domain \"%s\": give another uuid= (or "
                "none, to have one made)", u, name);
            free(name);
            rc = ERROR_INVAL;
            goto out;
        }
    }
    rc = make_domain(ctx, &cr);
    if (!rc)
        rc = build(ctx, &cr, dom);
    if (!rc)
        rc = libxl__vcpu_apply_affinity(ctx, cr.domid, &d_config->b_info);
    if (!rc)
        rc = libxl__xs_transaction(ctx, xs_write_domain, &cr);
    libxl__lock_release(lock);
    lock = -1;
    if (rc)
        goto out;
    if (!xs_introduce_domain(ctx->xsh, cr.domid, cr.store_pfn, cr.store_port)) {
        LOGED(ERROR, cr.domid, "xenstored refused to introduce the domain");
        rc = ERROR_FAIL;
        goto out;
    }
    path = libxl_domain_config_path(ctx->run_dir, cr.domid, &d_config->c_info.uuid);
    if (libxl_domain_config_store(path, d_config)) {
        LOGED(ERROR, cr.domid, "cannot store the configuration in %s", path);
        rc = ERROR_FAIL;
        goto out;
    }
    *domid_out = cr.domid;
    rc = 0;
out:
    libxl__lock_release(lock);
    if (rc && cr.domid != INVALID_DOMID)
        libxl_domain_destroy(ctx, cr.domid, NULL);
    xc_dom_release(dom);
    free(path);
    return rc;
}
