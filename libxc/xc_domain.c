/* Domain control: create, destroy, pause, info, memory, HVM state. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xc_private.h"

int xc_domain_create(xc_interface *xch, uint32_t *pdomid,
                     struct xen_domctl_createdomain *config)
{
    struct xen_domctl dc;
    int rc;

    memset(&dc, 0, sizeof(dc));
    dc.cmd = XEN_DOMCTL_createdomain;
    dc.domain = (*pdomid == DOMID_INVALID) ? 0 : (domid_t)*pdomid;
    dc.u.createdomain = *config;
    rc = xc_domctl(xch, &dc, NULL, 0, NULL, 0, NULL);
    if (rc < 0)
        return -1;
    *pdomid = dc.domain;
    *config = dc.u.createdomain;
    return 0;
}

static int simple_domctl(xc_interface *xch, uint32_t cmd, uint32_t domid)
{
    struct xen_domctl dc;

    memset(&dc, 0, sizeof(dc));
    dc.cmd = cmd;
    dc.domain = (domid_t)domid;
    return xc_domctl(xch, &dc, NULL, 0, NULL, 0, NULL) < 0 ? -1 : 0;
}

int xc_domain_destroy(xc_interface *xch, uint32_t domid)
{
    return simple_domctl(xch, XEN_DOMCTL_destroydomain, domid);
}

int xc_domain_pause(xc_interface *xch, uint32_t domid)
{
    return simple_domctl(xch, XEN_DOMCTL_pausedomain, domid);
}

int xc_domain_unpause(xc_interface *xch, uint32_t domid)
{
    return simple_domctl(xch, XEN_DOMCTL_unpausedomain, domid);
}

int xc_domain_shutdown(xc_interface *xch, uint32_t domid, int reason)
{
    struct {
        struct xk_ctl_schedop so;
        struct sched_remote_shutdown rs;
    } req;

    memset(&req, 0, sizeof(req));
    req.so.cmd = SCHEDOP_remote_shutdown;
    req.rs.domain_id = (domid_t)domid;
    req.rs.reason = (unsigned int)reason;
    return xc_ctl(xch, XK_CTL_SCHED_OP, &req, sizeof(req), NULL, 0, NULL, 0, NULL, NULL) < 0
           ? -1 : 0;
}

static void info_from_raw(xc_dominfo_t *o, const xc_domaininfo_t *i)
{
    memset(o, 0, sizeof(*o));
    o->domid = i->domain;
    o->ssidref = i->ssidref;
    o->dying = !!(i->flags & XEN_DOMINF_dying);
    o->shutdown = !!(i->flags & XEN_DOMINF_shutdown);
    o->paused = !!(i->flags & XEN_DOMINF_paused);
    o->blocked = !!(i->flags & XEN_DOMINF_blocked);
    o->running = !!(i->flags & XEN_DOMINF_running);
    o->hvm = !!(i->flags & XEN_DOMINF_hvm_guest);
    o->debugged = !!(i->flags & XEN_DOMINF_debugged);
    o->xenstore = !!(i->flags & XEN_DOMINF_xs_domain);
    o->hap = !!(i->flags & XEN_DOMINF_hap);
    o->shutdown_reason = (i->flags >> XEN_DOMINF_shutdownshift) & XEN_DOMINF_shutdownmask;
    o->crashed = o->shutdown && o->shutdown_reason == SHUTDOWN_crash;
    o->nr_pages = (unsigned long)i->tot_pages;
    o->nr_outstanding_pages = (unsigned long)i->outstanding_pages;
    o->nr_shared_pages = (unsigned long)i->shr_pages;
    o->nr_paged_pages = (unsigned long)i->paged_pages;
    o->shared_info_frame = (unsigned long)i->shared_info_frame;
    o->cpu_time = i->cpu_time;
    o->max_memkb = i->max_pages == ~0ULL ? ~0UL : (unsigned long)(i->max_pages << 2);
    o->nr_online_vcpus = i->nr_online_vcpus;
    o->max_vcpu_id = i->max_vcpu_id;
    memcpy(o->handle, i->handle, sizeof(o->handle));
    o->cpupool = i->cpupool;
    o->gpaddr_bits = i->gpaddr_bits;
    o->arch_config = i->arch_config;
}

int xc_domain_getinfo(xc_interface *xch, uint32_t first_domid, unsigned int max_doms,
                      xc_dominfo_t *info)
{
    unsigned int n = 0;
    uint32_t next = first_domid;

    while (n < max_doms && next < DOMID_FIRST_RESERVED) {
        struct xen_domctl dc;
        memset(&dc, 0, sizeof(dc));
        dc.cmd = XEN_DOMCTL_getdomaininfo;
        dc.domain = (domid_t)next;
        if (xc_domctl(xch, &dc, NULL, 0, NULL, 0, NULL) < 0) {
            if (errno == ESRCH)
                break;
            return n ? (int)n : -1;
        }
        info_from_raw(&info[n++], &dc.u.getdomaininfo);
        next = dc.domain + 1u;
    }
    return (int)n;
}

int xc_domain_getinfolist(xc_interface *xch, uint32_t first_domain, unsigned int max_domains,
                          xc_domaininfo_t *info)
{
    unsigned int n = 0;
    uint32_t first = first_domain;

    while (n < max_domains) {
        struct xen_sysctl sc;
        size_t got = 0;
        memset(&sc, 0, sizeof(sc));
        sc.cmd = XEN_SYSCTL_getdomaininfolist;
        sc.u.getdomaininfolist.first_domain = (domid_t)first;
        sc.u.getdomaininfolist.max_domains = max_domains - n;
        if (xc_sysctl(xch, &sc, info + n, (max_domains - n) * sizeof(*info), &got) < 0)
            return n ? (int)n : -1;
        unsigned int got_n = sc.u.getdomaininfolist.num_domains;
        if (got_n == 0)
            break;
        n += got_n;
        first = info[n - 1].domain + 1u;
        if (first >= DOMID_FIRST_RESERVED)
            break;
    }
    return (int)n;
}

int xc_domain_getinfo_single(xc_interface *xch, uint32_t domid, xc_domaininfo_t *info)
{
    struct xen_domctl dc;

    memset(&dc, 0, sizeof(dc));
    dc.cmd = XEN_DOMCTL_getdomaininfo;
    dc.domain = (domid_t)domid;
    if (xc_domctl(xch, &dc, NULL, 0, NULL, 0, NULL) < 0)
        return -1;
    if (dc.domain != domid) {
        errno = ESRCH;
        return -1;
    }
    *info = dc.u.getdomaininfo;
    return 0;
}

int xc_domain_setmaxmem(xc_interface *xch, uint32_t domid, uint64_t max_memkb)
{
    struct xen_domctl dc;

    memset(&dc, 0, sizeof(dc));
    dc.cmd = XEN_DOMCTL_max_mem;
    dc.domain = (domid_t)domid;
    dc.u.max_mem.max_memkb = max_memkb;
    return xc_domctl(xch, &dc, NULL, 0, NULL, 0, NULL) < 0 ? -1 : 0;
}

int xc_domain_sethandle(xc_interface *xch, uint32_t domid, xen_domain_handle_t handle)
{
    struct xen_domctl dc;

    memset(&dc, 0, sizeof(dc));
    dc.cmd = XEN_DOMCTL_setdomainhandle;
    dc.domain = (domid_t)domid;
    memcpy(dc.u.setdomainhandle.handle, handle, sizeof(xen_domain_handle_t));
    return xc_domctl(xch, &dc, NULL, 0, NULL, 0, NULL) < 0 ? -1 : 0;
}

/* ---- scheduler ----------------------------------------------------------- */

int xc_sched_id(xc_interface *xch, int *sched_id)
{
    struct xen_sysctl sc;

    memset(&sc, 0, sizeof(sc));
    sc.cmd = XEN_SYSCTL_sched_id;
    if (xc_sysctl(xch, &sc, NULL, 0, NULL) < 0)
        return -1;
    *sched_id = (int)sc.u.sched_id.sched_id;
    return 0;
}

/* Puts weight and cap to the domain's scheduler, or gets them (on success
 * only).  Credit and credit2 parameters have the same layout. */
static int sched_op(xc_interface *xch, uint32_t domid, uint32_t sched, uint32_t cmd,
                    uint16_t *weight, uint16_t *cap)
{
    struct xen_domctl dc;

    memset(&dc, 0, sizeof(dc));
    dc.cmd = XEN_DOMCTL_scheduler_op;
    dc.domain = (domid_t)domid;
    dc.u.scheduler_op.sched_id = sched;
    dc.u.scheduler_op.cmd = cmd;
    if (cmd == XEN_DOMCTL_SCHEDOP_putinfo) {
        dc.u.scheduler_op.u.credit2.weight = *weight;
        dc.u.scheduler_op.u.credit2.cap = *cap;
    }
    if (xc_domctl(xch, &dc, NULL, 0, NULL, 0, NULL) < 0)
        return -1;
    if (cmd == XEN_DOMCTL_SCHEDOP_getinfo) {
        *weight = dc.u.scheduler_op.u.credit2.weight;
        *cap = dc.u.scheduler_op.u.credit2.cap;
    }
    return 0;
}

int xc_sched_credit2_domain_set(xc_interface *xch, uint32_t domid,
                                struct xen_domctl_sched_credit2 *sdom)
{
    return sched_op(xch, domid, XEN_SCHEDULER_CREDIT2, XEN_DOMCTL_SCHEDOP_putinfo,
                    &sdom->weight, &sdom->cap);
}

int xc_sched_credit2_domain_get(xc_interface *xch, uint32_t domid,
                                struct xen_domctl_sched_credit2 *sdom)
{
    return sched_op(xch, domid, XEN_SCHEDULER_CREDIT2, XEN_DOMCTL_SCHEDOP_getinfo,
                    &sdom->weight, &sdom->cap);
}

int xc_sched_credit_domain_set(xc_interface *xch, uint32_t domid,
                               struct xen_domctl_sched_credit *sdom)
{
    return sched_op(xch, domid, XEN_SCHEDULER_CREDIT, XEN_DOMCTL_SCHEDOP_putinfo,
                    &sdom->weight, &sdom->cap);
}

int xc_sched_credit_domain_get(xc_interface *xch, uint32_t domid,
                               struct xen_domctl_sched_credit *sdom)
{
    return sched_op(xch, domid, XEN_SCHEDULER_CREDIT, XEN_DOMCTL_SCHEDOP_getinfo,
                    &sdom->weight, &sdom->cap);
}

/* ---- memory -------------------------------------------------------------- */

int xc_domain_populate_physmap(xc_interface *xch, uint32_t domid, unsigned long nr_extents,
                               unsigned int extent_order, unsigned int mem_flags,
                               xen_pfn_t *extent_start)
{
    unsigned long done = 0;
    const unsigned long batch = (XK_CTL_MAX_PAYLOAD - 256) / sizeof(xen_pfn_t);

    while (done < nr_extents) {
        unsigned long n = nr_extents - done < batch ? nr_extents - done : batch;
        struct {
            struct xk_ctl_memop mo;
            struct xen_memory_reservation res;
        } req;
        int rc;

        memset(&req, 0, sizeof(req));
        req.mo.cmd = XENMEM_populate_physmap;
        req.res.nr_extents = n;
        req.res.extent_order = extent_order;
        req.res.mem_flags = mem_flags;
        req.res.domid = (domid_t)domid;
        rc = xc_ctl(xch, XK_CTL_MEMORY_OP, &req, sizeof(req), extent_start + done,
                    n * sizeof(xen_pfn_t), NULL, 0, NULL, NULL);
        if (rc < 0)
            return done ? (int)done : -1;
        done += (unsigned long)rc;
        if ((unsigned long)rc < n)
            break;
    }
    return (int)done;
}

int xc_domain_populate_physmap_exact(xc_interface *xch, uint32_t domid,
                                     unsigned long nr_extents, unsigned int extent_order,
                                     unsigned int mem_flags, xen_pfn_t *extent_start)
{
    int rc = xc_domain_populate_physmap(xch, domid, nr_extents, extent_order, mem_flags,
                                        extent_start);
    if (rc < 0)
        return -1;
    if ((unsigned long)rc != nr_extents) {
        xc_set_error(xch, XC_OUT_OF_MEMORY,
                     "could not allocate memory for domain %u: %d of %lu extents of order %u",
                     domid, rc, nr_extents, extent_order);
        errno = ENOMEM;
        return -1;
    }
    return 0;
}

static long memop_domid(xc_interface *xch, uint32_t cmd, uint32_t domid)
{
    struct {
        struct xk_ctl_memop mo;
        domid_t domid;
        uint16_t pad[3];
    } req;

    memset(&req, 0, sizeof(req));
    req.mo.cmd = cmd;
    req.domid = (domid_t)domid;
    return xc_ctl(xch, XK_CTL_MEMORY_OP, &req, sizeof(req), NULL, 0, NULL, 0, NULL, NULL);
}

long xc_domain_get_tot_pages(xc_interface *xch, uint32_t domid)
{
    return memop_domid(xch, XENMEM_current_reservation, domid);
}

int xc_domain_maximum_gpfn(xc_interface *xch, uint32_t domid, xen_pfn_t *gpfns)
{
    long rc = memop_domid(xch, XENMEM_maximum_gpfn, domid);

    if (rc < 0)
        return -1;
    *gpfns = (xen_pfn_t)rc;
    return 0;
}

int xc_domain_set_memory_map(xc_interface *xch, uint32_t domid, struct e820entry entries[],
                             uint32_t nr_entries)
{
    struct {
        struct xk_ctl_memop mo;
        struct xen_foreign_memory_map fm;
    } req;

    if (nr_entries > E820MAX) {
        errno = EINVAL;
        return -1;
    }
    memset(&req, 0, sizeof(req));
    req.mo.cmd = XENMEM_set_memory_map;
    req.fm.domid = (domid_t)domid;
    req.fm.map.nr_entries = nr_entries;
    return xc_ctl(xch, XK_CTL_MEMORY_OP, &req, sizeof(req), entries,
                  nr_entries * sizeof(struct e820entry), NULL, 0, NULL, NULL) < 0 ? -1 : 0;
}

int xc_domain_get_memory_map(xc_interface *xch, uint32_t domid, struct e820entry entries[],
                             uint32_t max_entries)
{
    struct {
        struct xk_ctl_memop mo;
        domid_t domid;
    } __attribute__((packed)) req;
    struct e820entry map[E820MAX];
    size_t got = 0;
    int n;

    memset(&req, 0, sizeof(req));
    req.mo.cmd = XENMEM_memory_map;
    req.domid = (domid_t)domid;
    n = xc_ctl(xch, XK_CTL_MEMORY_OP, &req, sizeof(req), NULL, 0, map, sizeof(map), &got, NULL);
    if (n < 0)
        return -1;
    if ((size_t)n * sizeof(map[0]) != got || (uint32_t)n > max_entries) {
        errno = (uint32_t)n > max_entries ? E2BIG : EPROTO;
        return -1;
    }
    memcpy(entries, map, got);
    return n;
}

/* ---- HVM ------------------------------------------------------------------- */

static int hvm_param(xc_interface *xch, uint32_t cmd, uint32_t dom, uint32_t param,
                     uint64_t *value)
{
    struct {
        struct xk_ctl_hvmop ho;
        struct xen_hvm_param p;
    } req;
    struct xen_hvm_param out;
    size_t got = 0;

    memset(&req, 0, sizeof(req));
    req.ho.cmd = cmd;
    req.p.domid = (domid_t)dom;
    req.p.index = param;
    req.p.value = *value;
    if (xc_ctl(xch, XK_CTL_HVM_OP, &req, sizeof(req), NULL, 0, &out, sizeof(out), &got,
               NULL) < 0)
        return -1;
    if (cmd == HVMOP_get_param) {
        if (got != sizeof(out)) {
            errno = EPROTO;
            return -1;
        }
        *value = out.value;
    }
    return 0;
}

int xc_hvm_param_set(xc_interface *handle, uint32_t dom, uint32_t param, uint64_t value)
{
    return hvm_param(handle, HVMOP_set_param, dom, param, &value);
}

int xc_hvm_param_get(xc_interface *handle, uint32_t dom, uint32_t param, uint64_t *value)
{
    *value = 0;
    return hvm_param(handle, HVMOP_get_param, dom, param, value);
}

int xc_domain_hvm_getcontext_partial(xc_interface *xch, uint32_t domid, uint16_t typecode,
                                     uint16_t instance, void *ctxt_buf, uint32_t size)
{
    struct xen_domctl dc;
    size_t got = 0;

    memset(&dc, 0, sizeof(dc));
    dc.cmd = XEN_DOMCTL_gethvmcontext_partial;
    dc.domain = (domid_t)domid;
    dc.u.hvmcontext_partial.type = typecode;
    dc.u.hvmcontext_partial.instance = instance;
    dc.u.hvmcontext_partial.bufsz = size;
    if (xc_domctl(xch, &dc, NULL, 0, ctxt_buf, size, &got) < 0)
        return -1;
    return 0;
}

int xc_domain_hvm_setcontext(xc_interface *xch, uint32_t domid, uint8_t *hvm_ctxt,
                             uint32_t size)
{
    struct xen_domctl dc;

    memset(&dc, 0, sizeof(dc));
    dc.cmd = XEN_DOMCTL_sethvmcontext;
    dc.domain = (domid_t)domid;
    dc.u.hvmcontext.size = size;
    return xc_domctl(xch, &dc, hvm_ctxt, size, NULL, 0, NULL) < 0 ? -1 : 0;
}

/* ---- vCPUs ------------------------------------------------------------------- */

int xc_get_max_cpus(xc_interface *xch)
{
    xc_physinfo_t pi;

    if (xc_physinfo(xch, &pi) < 0)
        return -1;
    return (int)pi.max_cpu_id + 1;
}

int xc_get_cpumap_size(xc_interface *xch)
{
    int n = xc_get_max_cpus(xch);

    return n < 0 ? -1 : (n + 7) / 8;
}

xc_cpumap_t xc_cpumap_alloc(xc_interface *xch)
{
    int sz = xc_get_cpumap_size(xch);

    return sz <= 0 ? NULL : calloc(1, (size_t)sz);
}

void xc_cpumap_setcpu(int cpu, xc_cpumap_t map)
{
    map[cpu / 8] |= (uint8_t)(1u << (cpu % 8));
}

void xc_cpumap_clearcpu(int cpu, xc_cpumap_t map)
{
    map[cpu / 8] &= (uint8_t)~(1u << (cpu % 8));
}

int xc_cpumap_testcpu(int cpu, xc_cpumap_t map)
{
    return !!(map[cpu / 8] & (1u << (cpu % 8)));
}

static int vcpu_affinity(xc_interface *xch, uint32_t cmd, uint32_t domid, int vcpu,
                         xc_cpumap_t hard, xc_cpumap_t soft, uint32_t flags)
{
    struct xen_domctl dc;
    int sz = xc_get_cpumap_size(xch);
    uint8_t *buf;
    size_t got = 0;
    int rc;

    if (sz <= 0)
        return -1;
    buf = calloc(2, (size_t)sz);
    if (!buf)
        return -1;
    memset(&dc, 0, sizeof(dc));
    dc.cmd = cmd;
    dc.domain = (domid_t)domid;
    dc.u.vcpuaffinity.vcpu = (uint32_t)vcpu;
    dc.u.vcpuaffinity.flags = flags;
    dc.u.vcpuaffinity.cpumap_hard.nr_bits = (uint32_t)sz * 8;
    dc.u.vcpuaffinity.cpumap_soft.nr_bits = (uint32_t)sz * 8;
    if (cmd == XEN_DOMCTL_setvcpuaffinity) {
        if (hard && (flags & XEN_VCPUAFFINITY_HARD))
            memcpy(buf, hard, (size_t)sz);
        if (soft && (flags & XEN_VCPUAFFINITY_SOFT))
            memcpy(buf + sz, soft, (size_t)sz);
    }
    rc = xc_domctl(xch, &dc, buf, cmd == XEN_DOMCTL_setvcpuaffinity ? 2 * (size_t)sz : 0, buf,
                   2 * (size_t)sz, &got);
    if (rc == 0 && got == 2 * (size_t)sz) {
        if (hard)
            memcpy(hard, buf, (size_t)sz);
        if (soft)
            memcpy(soft, buf + sz, (size_t)sz);
    }
    free(buf);
    return rc < 0 ? -1 : 0;
}

int xc_vcpu_setaffinity(xc_interface *xch, uint32_t domid, int vcpu,
                        xc_cpumap_t cpumap_hard_inout, xc_cpumap_t cpumap_soft_inout,
                        uint32_t flags)
{
    return vcpu_affinity(xch, XEN_DOMCTL_setvcpuaffinity, domid, vcpu, cpumap_hard_inout,
                         cpumap_soft_inout, flags);
}

int xc_vcpu_getaffinity(xc_interface *xch, uint32_t domid, int vcpu, xc_cpumap_t cpumap_hard,
                        xc_cpumap_t cpumap_soft, uint32_t flags)
{
    return vcpu_affinity(xch, XEN_DOMCTL_getvcpuaffinity, domid, vcpu, cpumap_hard,
                         cpumap_soft, flags ? flags : XEN_VCPUAFFINITY_HARD | XEN_VCPUAFFINITY_SOFT);
}

int xc_vcpu_getinfo(xc_interface *xch, uint32_t domid, uint32_t vcpu, xc_vcpuinfo_t *info)
{
    struct xen_domctl dc;

    memset(&dc, 0, sizeof(dc));
    dc.cmd = XEN_DOMCTL_getvcpuinfo;
    dc.domain = (domid_t)domid;
    dc.u.getvcpuinfo.vcpu = vcpu;
    if (xc_domctl(xch, &dc, NULL, 0, NULL, 0, NULL) < 0)
        return -1;
    *info = dc.u.getvcpuinfo;
    return 0;
}

int xc_domain_set_time_offset(xc_interface *xch, uint32_t domid, int32_t time_offset_seconds)
{
    struct xen_domctl dc;

    memset(&dc, 0, sizeof(dc));
    dc.cmd = XEN_DOMCTL_settimeoffset;
    dc.domain = (domid_t)domid;
    dc.u.settimeoffset.time_offset_seconds = time_offset_seconds;
    return xc_domctl(xch, &dc, NULL, 0, NULL, 0, NULL) < 0 ? -1 : 0;
}
