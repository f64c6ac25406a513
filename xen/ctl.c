/* The control socket: RUNDIR/privcmd, the equivalent of /dev/xen/privcmd.
 *
 * Runs on the main thread.  Every request is validated once (ctl-msg.c),
 * copied into a fixed structure and dispatched through a table; the reply
 * goes out before the next request of that connection is read, except for
 * XK_CTL_WAIT, whose reply is deferred until its condition holds.
 *
 * Who may connect: the socket is mode 0600, and the peer must be root or
 * xen's own user.  A client that sends something malformed gets an error
 * reply; one that breaks the framing is disconnected.  xen keeps nothing
 * from a connection once it closes.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <unistd.h>

#include <xen/xen.h>
#include <xen/domctl.h>
#include <xen/sysctl.h>
#include <xen/sched.h>
#include <xen/memory.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/save.h>
#include <xen/grant_table.h>

#include "xen.h"
#include "ctl.h"
#include "ctl-msg.h"
#include "platform.h"
#include "hcall.h"

#define MAX_CONNS 1024               /* each xl console holds two */
#define MAX_WAITERS_PER_CONN 16
#define MAX_READCONSOLE (64 * 1024)

struct waiter {
    struct waiter *next;
    uint32_t seq;
    struct xk_ctl_wait w;
    uint64_t deadline_ns;      /* 0: none */
};

/* An event-channel handle: a connection that did XK_CTL_EVTCHN_OPEN. */
struct evtchn_handle {
    struct xk_evtchn_shared *shared;   /* mapped from shm_fd */
    int shm_fd;
    int event_fd;
};

/* A grant a dom0 process mapped through this connection. */
struct dom0_map {
    bool in_use;
    bool readonly;
    domid_t domid;
    uint32_t ref;
    uint64_t created;          /* the domain's identity: domid + creation time */
};

struct conn {
    int fd;
    struct waiter *waiters;
    unsigned nr_waiters;
    struct evtchn_handle *evh;
    struct dom0_map *maps;
    unsigned nr_maps;
};

struct reply {
    int32_t ret;
    uint8_t *data;             /* XK_CTL_MAX_PAYLOAD bytes */
    size_t len;
    int pass_fd;               /* -1: none */
    int pass_fd2;              /* -1: none */
    bool deferred;
};

static int listen_fd = -1;
static int epoll_fd = -1;
static int timer_fd = -1;
static struct conn *conns[MAX_CONNS];
static uint8_t *rxbuf;
static uint8_t *txbuf;
static char sock_path[4096];

/* ---- replies ---------------------------------------------------------- */

static int send_reply(struct conn *c, uint32_t op, uint32_t seq, const struct reply *r)
{
    struct xk_ctl_hdr h = {
        .magic = XK_CTL_MAGIC, .op = op, .seq = seq, .ret = r->ret, .len = (uint32_t)r->len,
    };
    struct iovec iov[2] = {
        { .iov_base = &h, .iov_len = sizeof(h) },
        { .iov_base = r->data, .iov_len = r->len },
    };
    union {
        char buf[CMSG_SPACE(2 * sizeof(int))];
        struct cmsghdr align;
    } cbuf;
    struct msghdr msg = { .msg_iov = iov, .msg_iovlen = r->len ? 2 : 1 };

    if (r->pass_fd >= 0) {
        int fds[2] = { r->pass_fd, r->pass_fd2 };
        int n = r->pass_fd2 >= 0 ? 2 : 1;
        memset(&cbuf, 0, sizeof(cbuf));
        msg.msg_control = cbuf.buf;
        msg.msg_controllen = CMSG_SPACE((size_t)n * sizeof(int));
        struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN((size_t)n * sizeof(int));
        memcpy(CMSG_DATA(cm), fds, (size_t)n * sizeof(int));
    }
    if (sendmsg(c->fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
        xk_log_errno(XK_LOG_DEBUG, "control: reply to fd %d", c->fd);
        return -1;
    }
    return 0;
}

/* ---- domctl ------------------------------------------------------------ */

static struct domain *guest_domain(domid_t domid, int *err)
{
    struct domain *d = domain_lookup(domid);

    if (!d) {
        *err = -ESRCH;
        return NULL;
    }
    if (d->is_privileged) {
        *err = -EINVAL;
        return NULL;
    }
    return d;
}

static int hvmcontext_set(struct domain *d, const uint8_t *buf, size_t len)
{
    size_t off = 0;
    int rc = 0;

    while (off + sizeof(struct hvm_save_descriptor) <= len) {
        struct hvm_save_descriptor desc;
        memcpy(&desc, buf + off, sizeof(desc));
        off += sizeof(desc);
        if (desc.length > len - off)
            return -EINVAL;
        switch (desc.typecode) {
        case 0:           /* END */
            return rc;
        case 1:           /* HEADER */
            break;
        case 2: {         /* CPU */
            struct hvm_hw_cpu cpu;
            if (desc.length != sizeof(cpu) || desc.instance >= d->max_vcpus)
                return -EINVAL;
            memcpy(&cpu, buf + off, sizeof(cpu));
            rc = vcpu_set_hvm_context(d->vcpus[desc.instance], &cpu);
            if (rc < 0)
                return rc;
            break;
        }
        default:
            return -EINVAL;
        }
        off += desc.length;
    }
    return rc;
}

static void do_domctl(const uint8_t *p, size_t len, struct reply *r)
{
    struct xen_domctl dc;
    const uint8_t *in = p + sizeof(dc);
    size_t in_len = len - sizeof(dc);
    struct domain *d;
    int rc = 0;

    memcpy(&dc, p, sizeof(dc));
    if (dc.interface_version != XEN_DOMCTL_INTERFACE_VERSION) {
        r->ret = -EACCES;
        return;
    }
    switch (dc.cmd) {
    case XEN_DOMCTL_createdomain: {
        domid_t want = dc.domain > 0 && dc.domain < DOMID_FIRST_RESERVED ? dc.domain : 0;
        domid_t got;
        rc = domain_create(&dc.u.createdomain, want, &got);
        if (rc == 0)
            dc.domain = got;
        break;
    }
    case XEN_DOMCTL_destroydomain:
        d = guest_domain(dc.domain, &rc);
        if (d)
            rc = domain_destroy(d);
        break;
    case XEN_DOMCTL_pausedomain:
        d = guest_domain(dc.domain, &rc);
        if (d)
            rc = domain_pause(d);
        break;
    case XEN_DOMCTL_unpausedomain:
        d = guest_domain(dc.domain, &rc);
        if (d)
            rc = domain_unpause(d);
        break;
    case XEN_DOMCTL_getdomaininfo: {
        /* As Xen 4.17 does: the first domain whose id is >= the one asked. */
        d = NULL;
        for (unsigned id = dc.domain; id < DOMID_FIRST_RESERVED; id++)
            if ((d = hv.domains[id]))
                break;
        if (!d) {
            rc = -ESRCH;
            break;
        }
        domain_getinfo(d, &dc.u.getdomaininfo);
        dc.domain = d->domid;
        break;
    }
    case XEN_DOMCTL_max_mem:
        d = guest_domain(dc.domain, &rc);
        if (d)
            rc = domain_set_maxmem(d, dc.u.max_mem.max_memkb);
        break;
    case XEN_DOMCTL_scheduler_op: {
        struct xen_domctl_scheduler_op *so = &dc.u.scheduler_op;
        d = guest_domain(dc.domain, &rc);
        if (!d)
            break;
        if (so->sched_id != XK_SCHEDULER) {
            rc = -EINVAL;             /* not the scheduler the domain runs under */
            break;
        }
        if (so->cmd == XEN_DOMCTL_SCHEDOP_getinfo) {
            so->u.credit2.weight = (uint16_t)atomic_load(&d->sched_weight);
            so->u.credit2.cap = (uint16_t)atomic_load(&d->sched_cap);
        } else if (so->cmd == XEN_DOMCTL_SCHEDOP_putinfo) {
            /* as credit2: weight 0 leaves it, cap 0 removes the cap */
            rc = sched_set(d, so->u.credit2.weight, so->u.credit2.cap);
        } else {
            rc = -EINVAL;
        }
        break;
    }
    case XEN_DOMCTL_setdomainhandle:
        /* A new UUID for the domain (libxl gives a preserved domain one). */
        d = guest_domain(dc.domain, &rc);
        if (d) {
            pthread_mutex_lock(&d->lock);
            memcpy(d->handle, dc.u.setdomainhandle.handle, sizeof(d->handle));
            pthread_mutex_unlock(&d->lock);
        }
        break;
    case XEN_DOMCTL_gethvmcontext_partial: {
        struct xen_domctl_hvmcontext_partial *hp = &dc.u.hvmcontext_partial;
        d = guest_domain(dc.domain, &rc);
        if (!d)
            break;
        if (hp->type != 2 /* CPU */ || hp->instance >= d->max_vcpus) {
            rc = -EINVAL;
            break;
        }
        if (hp->bufsz < sizeof(struct hvm_hw_cpu)) {
            rc = -ENOBUFS;
            break;
        }
        rc = domain_pause(d);
        if (rc < 0)
            break;
        rc = vcpu_get_hvm_context(d->vcpus[hp->instance], r->data + sizeof(dc));
        domain_unpause(d);
        if (rc == 0)
            r->len = sizeof(dc) + sizeof(struct hvm_hw_cpu);
        break;
    }
    case XEN_DOMCTL_setvcpuaffinity:
    case XEN_DOMCTL_getvcpuaffinity: {
        struct xen_domctl_vcpuaffinity *va = &dc.u.vcpuaffinity;
        size_t hb = (va->cpumap_hard.nr_bits + 7) / 8, sb = (va->cpumap_soft.nr_bits + 7) / 8;
        struct vcpu *v;
        d = guest_domain(dc.domain, &rc);
        if (!d)
            break;
        if (va->vcpu >= d->max_vcpus || !(v = d->vcpus[va->vcpu])) {
            rc = -ENOENT;
            break;
        }
        if (!(va->flags & (XEN_VCPUAFFINITY_HARD | XEN_VCPUAFFINITY_SOFT)) ||
            hb > XK_MAX_PCPUS / 8 || sb > XK_MAX_PCPUS / 8) {
            rc = -EINVAL;
            break;
        }
        if (dc.cmd == XEN_DOMCTL_setvcpuaffinity) {
            uint8_t hard[XK_MAX_PCPUS / 8] = { 0 }, soft[XK_MAX_PCPUS / 8] = { 0 };
            bool any = false;
            if (in_len != hb + sb) {
                rc = -EINVAL;
                break;
            }
            memcpy(hard, in, hb);
            memcpy(soft, in + hb, sb);
            /* Only online pCPUs count. */
            for (unsigned i = 0; i < XK_MAX_PCPUS; i++) {
                if (i >= hv.pcpus) {
                    hard[i / 8] &= (uint8_t)~(1u << (i % 8));
                    soft[i / 8] &= (uint8_t)~(1u << (i % 8));
                } else if (hard[i / 8] & (1u << (i % 8))) {
                    any = true;
                }
            }
            if ((va->flags & XEN_VCPUAFFINITY_HARD) && !any) {
                rc = -EINVAL;     /* a vCPU must be able to run somewhere */
                break;
            }
            if (va->flags & XEN_VCPUAFFINITY_HARD)
                memcpy(v->aff_hard, hard, sizeof(hard));
            if (va->flags & XEN_VCPUAFFINITY_SOFT)
                memcpy(v->aff_soft, soft, sizeof(soft));
            vcpu_apply_affinity(v);
        }
        /* OUT: the effective maps (soft within hard). */
        uint8_t *out = r->data + sizeof(dc);
        for (size_t i = 0; i < hb; i++)
            out[i] = v->aff_hard[i];
        for (size_t i = 0; i < sb; i++)
            out[hb + i] = v->aff_soft[i] & v->aff_hard[i];
        r->len = sizeof(dc) + hb + sb;
        break;
    }
    case XEN_DOMCTL_getvcpuinfo: {
        struct xen_domctl_getvcpuinfo *vi = &dc.u.getvcpuinfo;
        struct vcpu *v;
        d = guest_domain(dc.domain, &rc);
        if (!d)
            break;
        if (vi->vcpu >= d->max_vcpus || !(v = d->vcpus[vi->vcpu])) {
            rc = -ENOENT;
            break;
        }
        pthread_mutex_lock(&d->lock);
        int m = atomic_load(&v->mode);
        vi->online = v->online && !v->wait_for_sipi;
        vi->blocked = vi->online && (m == VCPU_BLOCKED || m == VCPU_POLLING);
        vi->running = vi->online && !d->pause_count && !d->is_shutdown &&
                      (m == VCPU_IN_GUEST || m == VCPU_OUTSIDE);
        pthread_mutex_unlock(&d->lock);
        vi->cpu_time = domain_vcpu_cpu_time(v);
        int cpu = vcpu_last_cpu(v);
        vi->cpu = cpu < 0 ? 0 : (uint32_t)cpu % hv.pcpus;
        break;
    }
    case XEN_DOMCTL_settimeoffset:
        d = guest_domain(dc.domain, &rc);
        if (d) {
            d->time_offset_s = dc.u.settimeoffset.time_offset_seconds;
            time_update_wallclock(d);
        }
        break;
    case XEN_DOMCTL_sethvmcontext:
        d = guest_domain(dc.domain, &rc);
        if (!d)
            break;
        if (dc.u.hvmcontext.size != in_len) {
            rc = -EINVAL;
            break;
        }
        rc = domain_pause(d);
        if (rc < 0)
            break;
        rc = hvmcontext_set(d, in, in_len);
        domain_unpause(d);
        break;
    default:
        rc = -ENOSYS;
        break;
    }
    r->ret = rc;
    memcpy(r->data, &dc, sizeof(dc));
    if (r->len < sizeof(dc))
        r->len = sizeof(dc);
}

/* ---- sysctl ------------------------------------------------------------ */

static void physinfo(struct xen_sysctl_physinfo *pi)
{
    memset(pi, 0, sizeof(*pi));
    pi->threads_per_core = 1;
    pi->cores_per_socket = hv.pcpus;
    pi->nr_cpus = hv.pcpus;
    pi->max_cpu_id = hv.pcpus - 1;
    pi->nr_nodes = 1;
    pi->max_node_id = 0;
    pi->cpu_khz = hv.tsc_khz;
    pi->capabilities = XEN_SYSCTL_PHYSCAP_hvm | XEN_SYSCTL_PHYSCAP_hap;
    pthread_mutex_lock(&hv.mem_lock);
    pi->total_pages = hv.host_pages;
    pi->free_pages = hv.budget_pages - hv.used_pages;
    pthread_mutex_unlock(&hv.mem_lock);
    pi->max_mfn = hv.host_pages ? hv.host_pages - 1 : 0;
    for (uint32_t i = 0; i < hv.supported_cpuid->nent; i++) {
        const struct kvm_cpuid_entry2 *e = &hv.supported_cpuid->entries[i];
        if (e->function == 1) {
            pi->hw_cap[0] = e->edx;
            pi->hw_cap[4] = e->ecx;
        } else if (e->function == 0x80000001u) {
            pi->hw_cap[1] = e->edx;
            pi->hw_cap[6] = e->ecx;
        }
    }
}

static void do_sysctl(const uint8_t *p, size_t len, struct reply *r)
{
    struct xen_sysctl sc;
    int rc = 0;

    memcpy(&sc, p, sizeof(sc));
    r->len = sizeof(sc);
    if (sc.interface_version != XEN_SYSCTL_INTERFACE_VERSION) {
        r->ret = -EACCES;
        memcpy(r->data, &sc, sizeof(sc));
        return;
    }
    switch (sc.cmd) {
    case XEN_SYSCTL_readconsole: {
        struct xen_sysctl_readconsole *rc_ = &sc.u.readconsole;
        uint32_t max = rc_->count > MAX_READCONSOLE ? MAX_READCONSOLE : rc_->count;
        uint32_t idx = rc_->index;
        rc_->count = console_read((char *)r->data + sizeof(sc), max, rc_->clear,
                                  rc_->incremental, &idx);
        rc_->index = idx;
        r->len = sizeof(sc) + rc_->count;
        break;
    }
    case XEN_SYSCTL_physinfo:
        physinfo(&sc.u.physinfo);
        break;
    case XEN_SYSCTL_sched_id:
        sc.u.sched_id.sched_id = XK_SCHEDULER;
        break;
    case XEN_SYSCTL_debug_keys:
        /* the keys follow the sysctl in the message */
        if (sc.u.debug_keys.nr_keys > len - sizeof(sc)) {
            rc = -EINVAL;
            break;
        }
        debug_keys((const char *)p + sizeof(sc), sc.u.debug_keys.nr_keys);
        break;
    case XEN_SYSCTL_getdomaininfolist: {
        struct xen_sysctl_getdomaininfolist *gl = &sc.u.getdomaininfolist;
        size_t room = (XK_CTL_MAX_PAYLOAD - sizeof(sc)) / sizeof(struct xen_domctl_getdomaininfo);
        uint32_t n = 0;
        uint32_t max = gl->max_domains < room ? gl->max_domains : (uint32_t)room;
        for (unsigned id = gl->first_domain; id < DOMID_FIRST_RESERVED && n < max; id++) {
            struct domain *d = hv.domains[id];
            struct xen_domctl_getdomaininfo info;
            if (!d)
                continue;
            domain_getinfo(d, &info);
            memcpy(r->data + sizeof(sc) + n * sizeof(info), &info, sizeof(info));
            n++;
        }
        gl->num_domains = n;
        r->len = sizeof(sc) + n * sizeof(struct xen_domctl_getdomaininfo);
        break;
    }
    default:
        rc = -ENOSYS;
        break;
    }
    r->ret = rc;
    memcpy(r->data, &sc, sizeof(sc));
}

/* ---- memory_op, hvm_op, sched_op, xen_version ------------------------- */

static void do_memop(const uint8_t *p, size_t len, struct reply *r)
{
    struct xk_ctl_memop mo;
    const uint8_t *q = p + sizeof(mo);
    size_t left = len - sizeof(mo);
    struct domain *d;
    int rc = 0;

    memcpy(&mo, p, sizeof(mo));
    switch (mo.cmd) {
    case XENMEM_populate_physmap: {
        struct xen_memory_reservation res;
        if (left < sizeof(res)) {
            rc = -EINVAL;
            break;
        }
        memcpy(&res, q, sizeof(res));
        q += sizeof(res);
        left -= sizeof(res);
        if (res.nr_extents > left / sizeof(xen_pfn_t) ||
            left != res.nr_extents * sizeof(xen_pfn_t)) {
            rc = -EINVAL;
            break;
        }
        if (res.extent_order > 18) {
            rc = -EINVAL;
            break;
        }
        d = guest_domain(res.domid, &rc);
        if (!d)
            break;
        uint64_t per = 1ULL << res.extent_order;
        uint64_t done = 0;
        /* Contiguous extents are placed in one go (one memory slot). */
        while (done < res.nr_extents) {
            xen_pfn_t first;
            memcpy(&first, q + done * sizeof(xen_pfn_t), sizeof(first));
            if (first & (per - 1))
                break;
            uint64_t run = 1;
            while (done + run < res.nr_extents) {
                xen_pfn_t next;
                memcpy(&next, q + (done + run) * sizeof(xen_pfn_t), sizeof(next));
                if (next != first + run * per)
                    break;
                run++;
            }
            if (domain_populate(d, first, run * per) < 0)
                break;
            done += run;
        }
        rc = (int)done;
        break;
    }
    case XENMEM_current_reservation:
    case XENMEM_maximum_reservation:
    case XENMEM_maximum_gpfn: {
        domid_t domid;
        if (left < sizeof(domid)) {
            rc = -EINVAL;
            break;
        }
        memcpy(&domid, q, sizeof(domid));
        d = domain_lookup(domid == DOMID_SELF ? 0 : domid);
        if (!d) {
            rc = -ESRCH;
            break;
        }
        pthread_mutex_lock(&hv.mem_lock);
        if (mo.cmd == XENMEM_current_reservation)
            rc = (int)d->tot_pages;
        else if (mo.cmd == XENMEM_maximum_reservation)
            rc = (int)(d->is_privileged ? d->tot_pages : d->max_pages);
        pthread_mutex_unlock(&hv.mem_lock);
        if (mo.cmd == XENMEM_maximum_gpfn)
            rc = d->is_privileged ? (int)(hv.host_pages - 1) : (int)domain_max_gpfn(d);
        break;
    }
    case XENMEM_memory_map: {
        /* a domain's memory map, as its builder set it */
        domid_t domid;
        if (left < sizeof(domid)) {
            rc = -EINVAL;
            break;
        }
        memcpy(&domid, q, sizeof(domid));
        d = guest_domain(domid, &rc);
        if (!d)
            break;
        pthread_mutex_lock(&d->lock);
        unsigned n = d->nr_e820;
        memcpy(r->data, d->e820, n * sizeof(struct xk_e820));
        pthread_mutex_unlock(&d->lock);
        r->len = n * sizeof(struct xk_e820);
        rc = (int)n;
        break;
    }
    case XENMEM_set_memory_map: {
        struct xen_foreign_memory_map fm;
        if (left < sizeof(fm)) {
            rc = -EINVAL;
            break;
        }
        memcpy(&fm, q, sizeof(fm));
        q += sizeof(fm);
        left -= sizeof(fm);
        if (fm.map.nr_entries > XK_MAX_E820 || left != fm.map.nr_entries * sizeof(struct xk_e820)) {
            rc = -EINVAL;
            break;
        }
        d = guest_domain(fm.domid, &rc);
        if (!d)
            break;
        pthread_mutex_lock(&d->lock);
        memcpy(d->e820, q, left);
        d->nr_e820 = fm.map.nr_entries;
        pthread_mutex_unlock(&d->lock);
        break;
    }
    default:
        rc = -ENOSYS;
        break;
    }
    r->ret = rc;
}

static void do_hvmop(const uint8_t *p, size_t len, struct reply *r)
{
    struct xk_ctl_hvmop ho;
    struct xen_hvm_param a;
    struct domain *d;
    int rc = 0;

    (void)len;
    memcpy(&ho, p, sizeof(ho));
    memcpy(&a, p + sizeof(ho), sizeof(a));
    if (ho.cmd != HVMOP_set_param && ho.cmd != HVMOP_get_param) {
        r->ret = -ENOSYS;
        return;
    }
    d = guest_domain(a.domid, &rc);
    if (!d) {
        r->ret = rc;
        return;
    }
    if (ho.cmd == HVMOP_set_param) {
        rc = hvm_param_check_set(d, false, a.index, a.value);
        if (rc == 0) {
            pthread_mutex_lock(&d->lock);
            d->params[a.index] = a.value;
            pthread_mutex_unlock(&d->lock);
        }
    } else {
        rc = hvm_param_check_get(false, a.index);
        if (rc == 0) {
            pthread_mutex_lock(&d->lock);
            a.value = d->params[a.index];
            pthread_mutex_unlock(&d->lock);
            memcpy(r->data, &a, sizeof(a));
            r->len = sizeof(a);
        }
    }
    r->ret = rc;
}

static void do_schedop(const uint8_t *p, size_t len, struct reply *r)
{
    struct xk_ctl_schedop so;
    struct sched_remote_shutdown rs;
    struct domain *d;
    int rc = 0;

    (void)len;
    memcpy(&so, p, sizeof(so));
    memcpy(&rs, p + sizeof(so), sizeof(rs));
    if (so.cmd != SCHEDOP_remote_shutdown) {
        r->ret = -ENOSYS;
        return;
    }
    d = guest_domain(rs.domain_id, &rc);
    if (d) {
        if (rs.reason > SHUTDOWN_MAX)
            rc = -EINVAL;
        else
            domain_shutdown(d, rs.reason);
    }
    r->ret = rc;
}

static void do_xenver(const uint8_t *p, size_t len, struct reply *r)
{
    struct xk_ctl_xenver xv;
    size_t n = 0;

    (void)len;
    memcpy(&xv, p, sizeof(xv));
    r->ret = (int32_t)xen_version_fill(hv.domains[0], xv.cmd, xv.in, r->data, &n);
    r->len = n;
}

/* ---- foreign mapping --------------------------------------------------- */

static void do_map_foreign(const uint8_t *p, size_t len, struct reply *r)
{
    struct xk_ctl_map m;
    struct domain *d;
    int rc = 0;

    (void)len;
    memcpy(&m, p, sizeof(m));
    if (m.prot & ~(uint32_t)(PROT_READ | PROT_WRITE)) {
        r->ret = -EINVAL;
        return;
    }
    d = guest_domain((domid_t)m.domid, &rc);
    if (!d || m.domid >= DOMID_FIRST_RESERVED) {
        r->ret = d ? -EINVAL : rc;
        return;
    }
    for (uint32_t i = 0; i < m.nr; i++) {
        uint64_t gfn, off;
        int64_t res;
        memcpy(&gfn, p + sizeof(m) + i * sizeof(uint64_t), sizeof(gfn));
        uint32_t type = 0;
        res = p2m_lookup(&d->p2m, gfn, &off, NULL, &type) == 0 && type != P2M_GRANT
              ? (int64_t)off : -EINVAL;
        memcpy(r->data + i * sizeof(int64_t), &res, sizeof(res));
    }
    r->len = m.nr * sizeof(int64_t);
    r->pass_fd = d->mem_fd;
    r->ret = 0;
}

/* ---- waiting ------------------------------------------------------------- */

#define STATE_MASK (~(XEN_DOMINF_running | XEN_DOMINF_blocked))

/* Returns true (and fills the reply) when w's condition holds. */
static bool wait_check(const struct xk_ctl_wait *w, struct xk_ctl_wait_reply *wr)
{
    memset(wr, 0, sizeof(*wr));
    wr->console = console_producer();
    if ((w->what & XK_WAIT_CONSOLE) && wr->console != w->console)
        wr->what |= XK_WAIT_CONSOLE;
    if (w->domid == DOMID_INVALID) {
        wr->state = atomic_load(&hv.state_gen);
        if ((w->what & XK_WAIT_STATE) && wr->state != w->state)
            wr->what |= XK_WAIT_STATE;
    } else {
        struct domain *d = w->domid < DOMID_FIRST_RESERVED ? hv.domains[w->domid] : NULL;
        if (!d) {
            wr->state = 0;
            wr->what |= w->what & (XK_WAIT_GONE | XK_WAIT_STATE);
        } else {
            struct xen_domctl_getdomaininfo info;
            domain_getinfo(d, &info);
            wr->state = info.flags & STATE_MASK;
            if ((w->what & XK_WAIT_STATE) && wr->state != (w->state & STATE_MASK))
                wr->what |= XK_WAIT_STATE;
        }
    }
    return wr->what != 0;
}

static void rearm_timer(void)
{
    uint64_t next = 0;
    struct itimerspec its;

    for (unsigned i = 0; i < MAX_CONNS; i++)
        for (struct waiter *w = conns[i] ? conns[i]->waiters : NULL; w; w = w->next)
            if (w->deadline_ns && (!next || w->deadline_ns < next))
                next = w->deadline_ns;
    memset(&its, 0, sizeof(its));
    if (next) {
        its.it_value.tv_sec = (time_t)(next / 1000000000ULL);
        its.it_value.tv_nsec = (long)(next % 1000000000ULL);
    }
    timerfd_settime(timer_fd, TFD_TIMER_ABSTIME, &its, NULL);
}

static void waiters_run(void)
{
    uint64_t now = xk_now_ns();
    bool changed = false;

    for (unsigned i = 0; i < MAX_CONNS; i++) {
        struct conn *c = conns[i];
        if (!c)
            continue;
        struct waiter **pp = &c->waiters;
        while (*pp) {
            struct waiter *w = *pp;
            struct xk_ctl_wait_reply wr;
            bool held = wait_check(&w->w, &wr);
            bool timed_out = !held && w->deadline_ns && now >= w->deadline_ns;
            if (!held && !timed_out) {
                pp = &w->next;
                continue;
            }
            struct reply r = { .ret = held ? 0 : -ETIMEDOUT, .data = (uint8_t *)&wr,
                               .len = sizeof(wr), .pass_fd = -1, .pass_fd2 = -1 };
            send_reply(c, XK_CTL_WAIT, w->seq, &r);
            *pp = w->next;
            free(w);
            c->nr_waiters--;
            changed = true;
        }
    }
    if (changed)
        rearm_timer();
}

static void do_wait(struct conn *c, uint32_t seq, const uint8_t *p, struct reply *r)
{
    struct xk_ctl_wait w;
    struct xk_ctl_wait_reply wr;

    memcpy(&w, p, sizeof(w));
    if (!w.what || (w.what & ~(XK_WAIT_STATE | XK_WAIT_CONSOLE | XK_WAIT_GONE))) {
        r->ret = -EINVAL;
        return;
    }
    if (wait_check(&w, &wr) || w.timeout_ms == 0) {
        r->ret = wr.what ? 0 : -ETIMEDOUT;
        memcpy(r->data, &wr, sizeof(wr));
        r->len = sizeof(wr);
        return;
    }
    if (c->nr_waiters >= MAX_WAITERS_PER_CONN) {
        r->ret = -EBUSY;
        return;
    }
    struct waiter *wt = calloc(1, sizeof(*wt));
    if (!wt) {
        r->ret = -ENOMEM;
        return;
    }
    wt->seq = seq;
    wt->w = w;
    wt->deadline_ns = w.timeout_ms == UINT32_MAX ? 0 : xk_now_ns() + (uint64_t)w.timeout_ms * 1000000ULL;
    wt->next = c->waiters;
    c->waiters = wt;
    c->nr_waiters++;
    r->deferred = true;
    rearm_timer();
}

/* ---- event-channel handles (dom0 processes) ------------------------------- */

/* Called under evtchn_lock, from any thread, when a dom0 port is pending. */
void ctl_evtchn_deliver(struct evtchn_dom *ed, struct evtchn_port *p, uint32_t port)
{
    struct evtchn_handle *h = p->owner;
    uint64_t bit = 1ULL << (port % 64);

    (void)ed;
    if (!h || port >= XK_EVTCHN_DOM0_PORTS)
        return;
    __atomic_fetch_or(&h->shared->pending[port / 64], bit, __ATOMIC_SEQ_CST);
    if (!(__atomic_fetch_or(&h->shared->mask[port / 64], bit, __ATOMIC_SEQ_CST) & bit)) {
        uint64_t one = 1;
        if (write(h->event_fd, &one, sizeof(one)) < 0) {
            /* the counter is already signalled */
        }
    }
}

static void evtchn_handle_free(struct evtchn_handle *h)
{
    if (!h)
        return;
    evtchn_dom0_release(&hv.domains[0]->ev, h);
    if (h->shared)
        munmap(h->shared, XK_EVTCHN_SHARED_SIZE);
    if (h->shm_fd >= 0)
        close(h->shm_fd);
    if (h->event_fd >= 0)
        close(h->event_fd);
    free(h);
}

static void do_evtchn_open(struct conn *c, struct reply *r)
{
    struct evtchn_handle *h;

    if (c->evh) {
        r->ret = -EEXIST;
        return;
    }
    h = calloc(1, sizeof(*h));
    if (!h) {
        r->ret = -ENOMEM;
        return;
    }
    h->shm_fd = memfd_create("xk-evtchn", MFD_CLOEXEC);
    h->event_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (h->shm_fd < 0 || h->event_fd < 0 ||
        ftruncate(h->shm_fd, XK_EVTCHN_SHARED_SIZE) < 0 ||
        (h->shared = mmap(NULL, XK_EVTCHN_SHARED_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
                          h->shm_fd, 0)) == MAP_FAILED) {
        r->ret = -errno;
        h->shared = NULL;
        evtchn_handle_free(h);
        return;
    }
    c->evh = h;
    r->pass_fd = h->shm_fd;
    r->pass_fd2 = h->event_fd;
    r->ret = 0;
}

static void do_evtchn_op(struct conn *c, const uint8_t *p, struct reply *r)
{
    struct evtchn_dom *d0 = &hv.domains[0]->ev;
    struct xk_ctl_evtchn e;
    struct domain *d;
    uint32_t port = 0;
    int rc;

    memcpy(&e, p, sizeof(e));
    switch (e.cmd) {
    case XK_EVTCHN_ALLOC_UNBOUND:
        d = guest_domain((domid_t)e.domid, &rc);
        if (d)
            rc = evtchn_alloc_unbound(&d->ev, (domid_t)e.arg, &port);
        r->ret = rc ? rc : (int32_t)port;
        return;
    case XK_EVTCHN_CLOSE:
        d = guest_domain((domid_t)e.domid, &rc);
        r->ret = d ? evtchn_close(&d->ev, e.port) : rc;
        return;
    default:
        break;
    }
    if (!c->evh) {
        r->ret = -EBADF;          /* not an event-channel handle */
        return;
    }
    switch (e.cmd) {
    case XK_EVTCHN_BIND_UNBOUND:
        rc = evtchn_dom0_bind_unbound(d0, c->evh, (domid_t)e.domid, &port);
        break;
    case XK_EVTCHN_BIND_INTERDOMAIN:
        d = e.domid < DOMID_FIRST_RESERVED ? domain_lookup((domid_t)e.domid) : NULL;
        rc = d ? evtchn_dom0_bind_interdomain(d0, c->evh, &d->ev, e.port, &port) : -ESRCH;
        break;
    case XK_EVTCHN_BIND_VIRQ:
        rc = evtchn_dom0_bind_virq(d0, c->evh, e.arg, &port);
        break;
    case XK_EVTCHN_UNBIND:
        rc = evtchn_dom0_unbind(d0, c->evh, e.port);
        if (rc == 0 && e.port < XK_EVTCHN_DOM0_PORTS) {
            uint64_t bit = 1ULL << (e.port % 64);
            __atomic_fetch_and(&c->evh->shared->pending[e.port / 64], ~bit, __ATOMIC_SEQ_CST);
            __atomic_fetch_and(&c->evh->shared->mask[e.port / 64], ~bit, __ATOMIC_SEQ_CST);
        }
        break;
    case XK_EVTCHN_NOTIFY:
        rc = evtchn_dom0_notify(d0, c->evh, e.port);
        break;
    default:
        rc = -EINVAL;
        break;
    }
    if (rc == 0 && port >= XK_EVTCHN_DOM0_PORTS) {
        evtchn_dom0_unbind(d0, c->evh, port);
        rc = -ENOSPC;
    }
    r->ret = rc ? rc : (int32_t)port;
}

/* ---- grants, for dom0 processes ------------------------------------------------ */

#define MAX_DOM0_MAPS 65536

static bool map_alive(const struct dom0_map *m)
{
    struct domain *d = m->domid < DOMID_FIRST_RESERVED ? hv.domains[m->domid] : NULL;
    return d && d->create_ns == m->created;
}

static void dom0_maps_release(struct conn *c)
{
    for (unsigned i = 0; i < c->nr_maps; i++)
        if (c->maps[i].in_use && map_alive(&c->maps[i]))
            gnttab_dom0_unmap(c->maps[i].domid, c->maps[i].ref, c->maps[i].readonly);
    free(c->maps);
    c->maps = NULL;
    c->nr_maps = 0;
}

/* Typed input for a domain's emulated UART. */
static void do_serial_in(const uint8_t *p, size_t len, struct reply *r)
{
    struct xk_ctl_serial si;
    struct domain *d;

    memcpy(&si, p, sizeof(si));
    if (si.len > 4096 || len != sizeof(si) + si.len) {
        r->ret = -EINVAL;
        return;
    }
    if (si.domid >= DOMID_FIRST_RESERVED || !(d = hv.domains[si.domid]) || d->is_privileged) {
        r->ret = -ESRCH;
        return;
    }
    if (!d->uart) {
        r->ret = -ENODEV;
        return;
    }
    r->ret = (int32_t)uart_receive(d->uart, p + sizeof(si), si.len);
}

static void do_gnttab_op(struct conn *c, const uint8_t *p, size_t len, struct reply *r)
{
    struct xk_ctl_gnttab g;
    struct domain *d;
    int rc;

    memcpy(&g, p, sizeof(g));
    switch (g.cmd) {
    case XK_GNTTAB_SEED:
        d = guest_domain((domid_t)g.domid, &rc);
        r->ret = d ? gnttab_seed(d, g.a, g.b, (domid_t)g.c, (domid_t)g.d) : rc;
        return;
    case XK_GNTTAB_MAP: {
        uint64_t off;
        int fd = -1;
        unsigned h;
        for (h = 0; h < c->nr_maps && c->maps[h].in_use; h++)
            ;
        if (h == c->nr_maps) {
            unsigned n = c->nr_maps ? c->nr_maps * 2 : 16;
            struct dom0_map *m;
            if (n > MAX_DOM0_MAPS || !(m = realloc(c->maps, n * sizeof(*m)))) {
                r->ret = -ENOSPC;
                return;
            }
            memset(m + c->nr_maps, 0, (n - c->nr_maps) * sizeof(*m));
            c->maps = m;
            c->nr_maps = n;
        }
        bool ro = g.flags & XK_GNTTAB_READONLY;
        rc = gnttab_dom0_map((domid_t)g.domid, g.ref, ro, &off, &fd);
        if (rc != 0) {
            r->ret = rc == -2 /* GNTST_bad_domain */ ? -ESRCH : -EPERM;
            return;
        }
        c->maps[h] = (struct dom0_map){ .in_use = true, .readonly = ro, .domid = (domid_t)g.domid,
                                        .ref = g.ref,
                                        .created = hv.domains[g.domid]->create_ns };
        memcpy(r->data, &off, sizeof(off));
        r->len = sizeof(off);
        r->pass_fd = fd;
        r->ret = (int32_t)h;
        return;
    }
    case XK_GNTTAB_UNMAP:
        if (g.handle >= c->nr_maps || !c->maps[g.handle].in_use) {
            r->ret = -EINVAL;
            return;
        }
        if (map_alive(&c->maps[g.handle]))
            gnttab_dom0_unmap(c->maps[g.handle].domid, c->maps[g.handle].ref,
                              c->maps[g.handle].readonly);
        c->maps[g.handle].in_use = false;
        r->ret = 0;
        return;
    case XK_GNTTAB_COPY_BATCH: {
        /* Everything is checked before any copy: a bad batch copies
         * nothing. */
        struct xk_ctl_gnt_seg segs[XK_GNTTAB_COPY_MAX_SEGS];
        uint32_t n = g.d;
        size_t to_bytes = 0, from_bytes = 0;
        if (n == 0 || n > XK_GNTTAB_COPY_MAX_SEGS || len < sizeof(g) + n * sizeof(segs[0])) {
            r->ret = -EINVAL;
            return;
        }
        memcpy(segs, p + sizeof(g), n * sizeof(segs[0]));
        for (uint32_t i = 0; i < n; i++) {
            if (segs[i].to_guest > 1) {
                r->ret = -EINVAL;
                return;
            }
            if (segs[i].to_guest)
                to_bytes += segs[i].len;
            else
                from_bytes += segs[i].len;
        }
        size_t out_off = n * sizeof(int16_t);
        if (len != sizeof(g) + n * sizeof(segs[0]) + to_bytes ||
            out_off + from_bytes > XK_CTL_MAX_PAYLOAD) {
            r->ret = -EINVAL;
            return;
        }
        const uint8_t *in = p + sizeof(g) + n * sizeof(segs[0]);
        uint8_t *out = r->data + out_off;
        for (uint32_t i = 0; i < n; i++) {
            struct xk_ctl_gnt_seg *sg = &segs[i];
            int16_t st;
            if (sg->len > XK_PAGE_SIZE || sg->offset > XK_PAGE_SIZE ||
                sg->offset + sg->len > XK_PAGE_SIZE) {
                st = GNTST_bad_copy_arg;
            } else {
                uint8_t buf[XK_PAGE_SIZE];
                if (sg->to_guest)
                    memcpy(buf, in, sg->len);
                st = (int16_t)gnttab_dom0_copy((domid_t)sg->domid, sg->ref, sg->offset, sg->len,
                                               sg->to_guest, sg->to_guest ? buf : out);
                if (!sg->to_guest && st != GNTST_okay)
                    memset(out, 0, sg->len);
            }
            if (sg->to_guest)
                in += sg->len;
            else
                out += sg->len;
            memcpy(r->data + i * sizeof(int16_t), &st, sizeof(st));
        }
        r->len = out_off + from_bytes;
        r->ret = 0;
        return;
    }
    case XK_GNTTAB_COPY_FROM:
    case XK_GNTTAB_COPY_TO: {
        bool to = g.cmd == XK_GNTTAB_COPY_TO;
        if (g.d > XK_PAGE_SIZE || g.c > XK_PAGE_SIZE || (to && len != sizeof(g) + g.d)) {
            r->ret = -EINVAL;
            return;
        }
        uint8_t buf[4096];
        if (to)
            memcpy(buf, p + sizeof(g), g.d);
        rc = gnttab_dom0_copy((domid_t)g.domid, g.ref, (uint16_t)g.c, (uint16_t)g.d, to, buf);
        if (rc != 0) {
            r->ret = rc == -2 ? -ESRCH : rc == -10 ? -EINVAL : -EPERM;
            return;
        }
        if (!to) {
            memcpy(r->data, buf, g.d);
            r->len = g.d;
        }
        r->ret = 0;
        return;
    }
    default:
        r->ret = -EINVAL;
        return;
    }
}

/* ---- connections --------------------------------------------------------- */

static void conn_close(struct conn *c)
{
    for (unsigned i = 0; i < MAX_CONNS; i++)
        if (conns[i] == c)
            conns[i] = NULL;
    while (c->waiters) {
        struct waiter *w = c->waiters;
        c->waiters = w->next;
        free(w);
    }
    epoll_ctl(epoll_fd, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    c->fd = -1;
    evtchn_handle_free(c->evh);
    c->evh = NULL;
    dom0_maps_release(c);
    free(c);
    rearm_timer();
}

static void close_passed_fds(struct msghdr *msg)
{
    for (struct cmsghdr *cm = CMSG_FIRSTHDR(msg); cm; cm = CMSG_NXTHDR(msg, cm)) {
        if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
            continue;
        size_t n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < n; i++) {
            int fd;
            memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
            close(fd);
        }
    }
}

/* Reads and answers one request.  Returns -1 when the connection must go. */
static int conn_handle(struct conn *c)
{
    union {
        char buf[CMSG_SPACE(16 * sizeof(int))];
        struct cmsghdr align;
    } cbuf;
    struct iovec iov = { .iov_base = rxbuf, .iov_len = XK_CTL_MAX_MSG + 1 };
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf.buf,
                          .msg_controllen = sizeof(cbuf.buf) };
    struct xk_ctl_hdr h;
    const char *why = NULL;
    ssize_t n;
    int rc;

    n = recvmsg(c->fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    if (n < 0)
        return errno == EAGAIN || errno == EINTR ? 0 : -1;
    close_passed_fds(&msg);      /* we take no descriptors from clients */
    if (n == 0)
        return -1;
    if (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
        xk_log(XK_LOG_WARN, "control: oversized message; closing the connection");
        return -1;
    }
    rc = ctl_validate(rxbuf, (size_t)n, &h, &why);
    if (rc < 0) {
        struct xk_ctl_hdr bad;
        xk_log(XK_LOG_WARN, "control: rejected request: %s", why);
        if (rc == -EPROTO)
            return -1;           /* framing is broken: no reply is possible */
        memcpy(&bad, rxbuf, sizeof(bad));
        struct reply r = { .ret = rc, .data = txbuf, .pass_fd = -1, .pass_fd2 = -1 };
        return send_reply(c, bad.op, bad.seq, &r) < 0 ? -1 : 0;
    }

    struct reply r = { .ret = 0, .data = txbuf, .len = 0, .pass_fd = -1, .pass_fd2 = -1 };
    const uint8_t *p = rxbuf + sizeof(h);
    memset(txbuf, 0, 256);
    switch (h.op) {
    case XK_CTL_DOMCTL: do_domctl(p, h.len, &r); break;
    case XK_CTL_SYSCTL: do_sysctl(p, h.len, &r); break;
    case XK_CTL_MEMORY_OP: do_memop(p, h.len, &r); break;
    case XK_CTL_HVM_OP: do_hvmop(p, h.len, &r); break;
    case XK_CTL_SCHED_OP: do_schedop(p, h.len, &r); break;
    case XK_CTL_XEN_VERSION: do_xenver(p, h.len, &r); break;
    case XK_CTL_MAP_FOREIGN: do_map_foreign(p, h.len, &r); break;
    case XK_CTL_WAIT: do_wait(c, h.seq, p, &r); break;
    case XK_CTL_EVTCHN_OPEN: do_evtchn_open(c, &r); break;
    case XK_CTL_EVTCHN_OP: do_evtchn_op(c, p, &r); break;
    case XK_CTL_GNTTAB_OP: do_gnttab_op(c, p, h.len, &r); break;
    case XK_CTL_SERIAL_IN: do_serial_in(p, h.len, &r); break;
    }
    xk_debug("control: %s -> %d", ctl_op_name(h.op), r.ret);
    if (r.deferred || (h.flags & XK_CTL_F_NOREPLY))
        return 0;
    return send_reply(c, h.op, h.seq, &r) < 0 ? -1 : 0;
}

static void accept_conn(void)
{
    int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    struct ucred cred;
    socklen_t cl = sizeof(cred);

    if (fd < 0)
        return;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) < 0 ||
        (cred.uid != 0 && cred.uid != geteuid())) {
        xk_log(XK_LOG_WARN, "control: refusing a client with uid %u", (unsigned)cred.uid);
        close(fd);
        return;
    }
    for (unsigned i = 0; i < MAX_CONNS; i++) {
        if (conns[i])
            continue;
        struct conn *c = calloc(1, sizeof(*c));
        if (!c)
            break;
        c->fd = fd;
        struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };
        if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0) {
            free(c);
            break;
        }
        conns[i] = c;
        return;
    }
    xk_log(XK_LOG_WARN, "control: too many clients; refusing one");
    close(fd);
}

/* ---- setup and loop ------------------------------------------------------ */

static int tag_listen, tag_timer, tag_notify, tag_signal;

int ctl_init(const char *run_dir, int notify_fd, int signal_fd)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    struct epoll_event ev;

    rxbuf = malloc(XK_CTL_MAX_MSG + 1);
    txbuf = malloc(XK_CTL_MAX_PAYLOAD);
    if (!rxbuf || !txbuf)
        return -ENOMEM;
    if (snprintf(sock_path, sizeof(sock_path), "%s/%s", run_dir, XK_CTL_SOCKET_NAME) >=
            (int)sizeof(sa.sun_path))
        return -ENAMETOOLONG;
    strcpy(sa.sun_path, sock_path);
    listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (listen_fd < 0)
        return -errno;
    unlink(sock_path);           /* stale: we hold the pid file lock */
    /* Created 0600 (0777 less the mask), so it is never seen wider. */
    mode_t old = umask(0177);
    int rc = bind(listen_fd, (struct sockaddr *)&sa, sizeof(sa));
    umask(old);
    if (rc < 0)
        return -errno;
    if (listen(listen_fd, 64) < 0)
        return -errno;
    int sz = XK_CTL_MAX_MSG * 4;
    setsockopt(listen_fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
    setsockopt(listen_fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));

    timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
    epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    if (timer_fd < 0 || epoll_fd < 0)
        return -errno;
    ev.events = EPOLLIN;
    ev.data.ptr = &tag_listen;
    epoll_ctl(epoll_fd, EPOLL_CTL_ADD, listen_fd, &ev);
    ev.data.ptr = &tag_timer;
    epoll_ctl(epoll_fd, EPOLL_CTL_ADD, timer_fd, &ev);
    ev.data.ptr = &tag_notify;
    epoll_ctl(epoll_fd, EPOLL_CTL_ADD, notify_fd, &ev);
    ev.data.ptr = &tag_signal;
    epoll_ctl(epoll_fd, EPOLL_CTL_ADD, signal_fd, &ev);
    return 0;
}

int ctl_loop(int notify_fd, int (*on_signal)(void))
{
    struct epoll_event evs[32];

    for (;;) {
        int n = epoll_wait(epoll_fd, evs, 32, -1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        for (int i = 0; i < n; i++) {
            void *tag = evs[i].data.ptr;
            if (tag == &tag_listen) {
                accept_conn();
            } else if (tag == &tag_timer) {
                uint64_t x;
                if (read(timer_fd, &x, sizeof(x)) < 0) { /* spurious */ }
                waiters_run();
            } else if (tag == &tag_notify) {
                uint64_t x;
                if (read(notify_fd, &x, sizeof(x)) < 0) { /* spurious */ }
                waiters_run();
            } else if (tag == &tag_signal) {
                if (on_signal())
                    return 0;
            } else {
                struct conn *c = tag;
                bool alive = false;
                for (unsigned k = 0; k < MAX_CONNS; k++)
                    if (conns[k] == c)
                        alive = true;
                if (!alive)
                    continue;    /* closed earlier in this batch */
                if ((evs[i].events & (EPOLLHUP | EPOLLERR)) && !(evs[i].events & EPOLLIN)) {
                    conn_close(c);
                    continue;
                }
                if (conn_handle(c) < 0)
                    conn_close(c);
            }
        }
    }
}

void ctl_fini(void)
{
    for (unsigned i = 0; i < MAX_CONNS; i++)
        if (conns[i])
            conn_close(conns[i]);
    if (listen_fd >= 0) {
        close(listen_fd);
        listen_fd = -1;
        unlink(sock_path);
    }
    if (timer_fd >= 0)
        close(timer_fd);
    if (epoll_fd >= 0)
        close(epoll_fd);
    timer_fd = epoll_fd = -1;
    free(rxbuf);
    free(txbuf);
    rxbuf = txbuf = NULL;
}
