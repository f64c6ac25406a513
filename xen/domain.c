/* Domains: the table, creation and destruction, run state (pause,
 * shutdown, dying), memory accounting and placement.
 *
 * Only the main thread creates and destroys domains.  A domain's state
 * changes under d->lock and every change bumps hv.state_gen and wakes the
 * main loop (hv_notify), which answers the toolstack's waiters.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>


#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <xen/sched.h>

#include "xen.h"
#include "platform.h"

/* Extra address space per domain for xen-owned pages (shared info, later
 * grant frames) on top of the memory budget. */
#define XEN_PAGES_RESERVE (64ULL << 20)

static void state_changed(void)
{
    atomic_fetch_add(&hv.state_gen, 1);
    hv_notify();
}

struct domain *domain_lookup(domid_t domid)
{
    if (domid >= DOMID_FIRST_RESERVED)
        return NULL;
    return hv.domains[domid];
}

static struct domain *domain_alloc(domid_t domid)
{
    struct domain *d = calloc(1, sizeof(*d));

    if (!d)
        return NULL;
    d->domid = domid;
    d->vm_fd = -1;
    d->mem_fd = -1;
    d->shutdown_code = -1;
    d->shared_info_gfn = ~0ULL;
    d->create_ns = xk_now_ns();
    pthread_mutex_init(&d->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&d->cond, &ca);
    pthread_condattr_destroy(&ca);
    return d;
}

static void domain_free(struct domain *d)
{
    pthread_mutex_destroy(&d->lock);
    pthread_cond_destroy(&d->cond);
    free(d->cpuid);
    uart_destroy(d->uart);
    free(d);
}

int domain_init_dom0(void)
{
    struct domain *d = domain_alloc(0);

    if (!d)
        return -ENOMEM;
    d->is_privileged = true;
    d->max_vcpus = hv.pcpus;
    d->nr_online = hv.pcpus;
    d->started = true;
    d->tot_pages = hv.host_pages > hv.budget_pages ? hv.host_pages - hv.budget_pages : 0;
    d->max_pages = ~0ULL;
    memcpy(d->handle, (uint8_t[16]){ 0 }, 16);
    if (event_domain_init(d) < 0) {
        domain_free(d);
        return -ENOMEM;
    }
    hv.domains[0] = d;
    hv.nr_domains = 1;
    hv.next_domid = 1;
    return 0;
}

/* KVM memory slot callback for the p2m. */
static int slot_fn(void *ctx, int slot, uint64_t gfn, uint64_t nr, uint64_t hva)
{
    struct domain *d = ctx;
    struct kvm_userspace_memory_region r = {
        .slot = (uint32_t)slot,
        .guest_phys_addr = gfn << XK_PAGE_SHIFT,
        .memory_size = nr << XK_PAGE_SHIFT,
        .userspace_addr = hva,
    };

    if (ioctl(d->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0) {
        int e = errno;
        xk_log_errno(XK_LOG_ERROR, "d%u: KVM_SET_USER_MEMORY_REGION slot %d gfn %#llx nr %llu",
                     d->domid, slot, (unsigned long long)gfn, (unsigned long long)nr);
        return -e;
    }
    return 0;
}

/* Hands out `pages` pages of the memory file.  d->lock held. */
static int mem_alloc_locked(struct domain *d, uint64_t pages, uint64_t *off)
{
    uint64_t bytes = pages << XK_PAGE_SHIFT;
    uint64_t end = d->mem_next_off + bytes;

    if (end > d->mem_reserve || end < d->mem_next_off)
        return -ENOMEM;
    if (end > d->mem_file_size) {
        /* Grow in 2 MiB steps to keep ftruncate off the common path. */
        uint64_t sz = (end + (2ULL << 20) - 1) & ~((2ULL << 20) - 1);
        if (sz > d->mem_reserve)
            sz = d->mem_reserve;
        if (ftruncate(d->mem_fd, (off_t)sz) < 0)
            return -errno;
        d->mem_file_size = sz;
    }
    *off = d->mem_next_off;
    d->mem_next_off = end;
    return 0;
}

static void mem_release(struct domain *d, uint64_t off, uint64_t pages)
{
    /* Give the pages back to the host; the offsets are not reused. */
    if (fallocate(d->mem_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)off,
                  (off_t)(pages << XK_PAGE_SHIFT)) < 0)
        xk_log_errno(XK_LOG_WARN, "d%u: releasing memory", d->domid);
}

static domid_t pick_domid(void)
{
    const unsigned span = DOMID_FIRST_RESERVED - 1;     /* ids 1..0x7fef */

    for (unsigned i = 0; i < span; i++) {
        unsigned id = 1 + ((unsigned)hv.next_domid - 1 + i) % span;
        if (!hv.domains[id]) {
            hv.next_domid = (domid_t)(id % span + 1);
            return (domid_t)id;
        }
    }
    return DOMID_INVALID;
}

int domain_create(const struct xen_domctl_createdomain *cfg, domid_t want, domid_t *out)
{
    struct domain *d = NULL;
    domid_t domid;
    int rc;

    if (cfg->max_vcpus == 0 || cfg->max_vcpus > XK_MAX_VCPUS)
        return -EINVAL;
    if (cfg->flags & ~(XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap | XEN_DOMCTL_CDF_s3_integrity |
                       XEN_DOMCTL_CDF_oos_off | XEN_DOMCTL_CDF_xs_domain |
                       XEN_DOMCTL_CDF_iommu | XEN_DOMCTL_CDF_nested_virt | XEN_DOMCTL_CDF_vpmu))
        return -EINVAL;
    if (!(cfg->flags & XEN_DOMCTL_CDF_hvm))
        return -EOPNOTSUPP;        /* PV guests need a PV MMU: not on KVM */
    if (cfg->flags & (XEN_DOMCTL_CDF_iommu | XEN_DOMCTL_CDF_nested_virt | XEN_DOMCTL_CDF_vpmu))
        return -EOPNOTSUPP;
    if (!(cfg->arch.emulation_flags & XEN_X86_EMU_LAPIC) && cfg->arch.emulation_flags)
        return -EINVAL;
    if (cfg->max_evtchn_port > (1u << 17))
        return -EINVAL;

    if (want && want < DOMID_FIRST_RESERVED) {
        if (hv.domains[want])
            return -EEXIST;
        domid = want;
    } else if (want) {
        return -EINVAL;
    } else {
        domid = pick_domid();
        if (domid == DOMID_INVALID)
            return -ENOSPC;
    }

    d = domain_alloc(domid);
    if (!d)
        return -ENOMEM;
    memcpy(d->handle, cfg->handle, sizeof(d->handle));
    d->create_flags = cfg->flags | XEN_DOMCTL_CDF_hap;
    d->max_vcpus = cfg->max_vcpus;
    d->max_evtchn_port = cfg->max_evtchn_port ? cfg->max_evtchn_port : XK_DEFAULT_MAX_EVTCHN;
    d->max_grant_frames = cfg->max_grant_frames < 0 ? 64 : cfg->max_grant_frames;
    d->max_maptrack_frames = cfg->max_maptrack_frames < 0 ? 1024 : cfg->max_maptrack_frames;
    sched_domain_init(d);
    d->emulation_flags = cfg->arch.emulation_flags ? cfg->arch.emulation_flags : XEN_X86_EMU_LAPIC;
    d->pause_count = 1;          /* created paused: the toolstack unpauses */
    d->max_pages = 0;

    d->vm_fd = ioctl(hv.kvm_fd, KVM_CREATE_VM, 0);
    if (d->vm_fd < 0) {
        rc = -errno;
        xk_log_errno(XK_LOG_ERROR, "d%u: KVM_CREATE_VM", domid);
        goto out;
    }
    {
        /* Userspace handles the MSRs the filter denies: the hypercall page
         * MSR and the LAPIC's TSC deadline. */
        struct kvm_enable_cap cap = {
            .cap = KVM_CAP_X86_USER_SPACE_MSR,
            .args = { KVM_MSR_EXIT_REASON_FILTER },
        };
        if (ioctl(d->vm_fd, KVM_ENABLE_CAP, &cap) < 0) {
            rc = -errno;
            xk_log_errno(XK_LOG_ERROR, "d%u: enabling userspace MSR exits", domid);
            goto out;
        }
        static uint8_t deny = 0;  /* bit clear: deny, i.e. exit to userspace */
        struct kvm_msr_filter f = {
            .flags = KVM_MSR_FILTER_DEFAULT_ALLOW,
            .ranges = {
                { .flags = KVM_MSR_FILTER_READ | KVM_MSR_FILTER_WRITE, .nmsrs = 1,
                  .base = XK_HCALL_MSR, .bitmap = &deny },
                { .flags = KVM_MSR_FILTER_READ | KVM_MSR_FILTER_WRITE, .nmsrs = 1,
                  .base = 0x6e0 /* IA32_TSC_DEADLINE */, .bitmap = &deny },
            },
        };
        if (ioctl(d->vm_fd, KVM_X86_SET_MSR_FILTER, &f) < 0) {
            rc = -errno;
            xk_log_errno(XK_LOG_ERROR, "d%u: KVM_X86_SET_MSR_FILTER", domid);
            goto out;
        }
    }
    /* Identity map and TSS pages for VMX real-mode emulation: placed in the
     * reserved hole below the LAPIC so they never collide with RAM. */
    if (ioctl(d->vm_fd, KVM_SET_TSS_ADDR, 0xfeffd000UL - 0x3000) < 0)
        xk_log_errno(XK_LOG_DEBUG, "d%u: KVM_SET_TSS_ADDR", domid);
    {
        uint64_t ident = 0xfeffd000ULL - 0x4000;
        if (ioctl(d->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &ident) < 0)
            xk_log_errno(XK_LOG_DEBUG, "d%u: KVM_SET_IDENTITY_MAP_ADDR", domid);
    }

    {
        char name[32];
        snprintf(name, sizeof(name), "xk-d%u", domid);
        d->mem_fd = memfd_create(name, MFD_CLOEXEC);
    }
    if (d->mem_fd < 0) {
        rc = -errno;
        goto out;
    }
    d->mem_reserve = (hv.budget_pages << XK_PAGE_SHIFT) + XEN_PAGES_RESERVE;
    d->mem_base = mmap(NULL, d->mem_reserve, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE,
                       d->mem_fd, 0);
    if (d->mem_base == MAP_FAILED) {
        d->mem_base = NULL;
        rc = -errno;
        goto out;
    }
    rc = p2m_init(&d->p2m, slot_fn, d);
    if (rc < 0)
        goto out;
    rc = mem_alloc_locked(d, 1, &d->shared_info_off);
    if (rc < 0)
        goto out;

    d->cpuid = cpuid_for_domain(d);
    if (!d->cpuid) {
        rc = -ENOMEM;
        goto out;
    }
    if (d->emulation_flags != XEN_X86_EMU_LAPIC) {
        d->uart = uart_create();
        if (!d->uart) {
            rc = -ENOMEM;
            goto out;
        }
    }
    for (unsigned i = 0; i < d->max_vcpus; i++) {
        rc = vcpu_create(d, i);
        if (rc < 0)
            goto out;
    }
    rc = event_domain_init(d);
    if (rc < 0)
        goto out;
    rc = gnttab_domain_init(d);
    if (rc < 0)
        goto out;
    for (unsigned i = 0; i < d->max_vcpus; i++)
        event_update_vcpu_info(d->vcpus[i]);
    time_update_wallclock(d);
    for (unsigned i = 0; i < d->max_vcpus; i++) {
        rc = vcpu_start_thread(d->vcpus[i]);
        if (rc < 0)
            goto out;
    }

    pthread_mutex_lock(&hv.lock);
    hv.domains[domid] = d;
    hv.nr_domains++;
    pthread_mutex_unlock(&hv.lock);
    *out = domid;
    {
        char uuid[37];
        xk_uuid_format(d->handle, uuid);
        xk_log(XK_LOG_INFO, "d%u: created (%u vCPUs, uuid %s)", domid, d->max_vcpus, uuid);
    }
    state_changed();
    return 0;

out:
    domain_destroy(d);
    return rc;
}

/* Tears a domain down completely.  Safe on a half-built domain. */
int domain_destroy(struct domain *d)
{
    bool in_table;

    if (!d || d->is_privileged)
        return -EINVAL;
    pthread_mutex_lock(&d->lock);
    d->is_dying = true;
    pthread_cond_broadcast(&d->cond);
    pthread_mutex_unlock(&d->lock);
    state_changed();
    for (unsigned i = 0; i < d->max_vcpus; i++)
        if (d->vcpus[i])
            vcpu_kick(d->vcpus[i], VCPU_WORK_STOP);
    /* First stop every vCPU thread, then close the event channels (peers
     * stop delivering to us), then free the vCPUs. */
    for (unsigned i = 0; i < d->max_vcpus; i++)
        if (d->vcpus[i])
            vcpu_join(d->vcpus[i]);
    event_domain_fini(d);
    gnttab_domain_fini(d);
    for (unsigned i = 0; i < d->max_vcpus; i++) {
        if (d->vcpus[i]) {
            vcpu_destroy(d->vcpus[i]);
            d->vcpus[i] = NULL;
        }
    }
    console_guest_flush(d);

    pthread_mutex_lock(&hv.lock);
    in_table = hv.domains[d->domid] == d;
    if (in_table) {
        hv.domains[d->domid] = NULL;
        hv.nr_domains--;
    }
    pthread_mutex_unlock(&hv.lock);
    pthread_mutex_lock(&hv.mem_lock);
    hv.used_pages -= d->tot_pages;
    d->tot_pages = 0;
    pthread_mutex_unlock(&hv.mem_lock);

    if (d->vm_fd >= 0) {
        close(d->vm_fd);
        d->vm_fd = -1;
    }
    p2m_fini(&d->p2m);
    if (d->mem_base) {
        munmap(d->mem_base, d->mem_reserve);
        d->mem_base = NULL;
    }
    if (d->mem_fd >= 0) {
        close(d->mem_fd);
        d->mem_fd = -1;
    }
    if (in_table)
        xk_log(XK_LOG_INFO, "d%u: destroyed", d->domid);
    domain_free(d);
    state_changed();
    if (in_table)
        event_dom_exc();
    return 0;
}

void domain_destroy_all(void)
{
    for (unsigned i = 1; i < DOMID_FIRST_RESERVED; i++)
        if (hv.domains[i])
            domain_destroy(hv.domains[i]);
}

/* Sets STOP on every vCPU and waits until none runs guest code.  d->lock
 * held; the caller has already changed what makes vCPUs stop. */
static void stop_and_wait_locked(struct domain *d)
{
    for (unsigned i = 0; i < d->max_vcpus; i++)
        if (d->vcpus[i])
            vcpu_kick(d->vcpus[i], VCPU_WORK_STOP);
    for (;;) {
        bool all = true;
        for (unsigned i = 0; i < d->max_vcpus; i++)
            if (d->vcpus[i] && !d->vcpus[i]->quiescent)
                all = false;
        if (all)
            break;
        pthread_cond_wait(&d->cond, &d->lock);
    }
}

int domain_pause(struct domain *d)
{
    if (d->is_privileged)
        return -EINVAL;
    pthread_mutex_lock(&d->lock);
    if (d->pause_count >= 255) {
        pthread_mutex_unlock(&d->lock);
        return -EOVERFLOW;
    }
    d->pause_count++;
    stop_and_wait_locked(d);
    pthread_mutex_unlock(&d->lock);
    state_changed();
    return 0;
}

int domain_unpause(struct domain *d)
{
    if (d->is_privileged)
        return -EINVAL;
    pthread_mutex_lock(&d->lock);
    if (d->pause_count == 0) {
        pthread_mutex_unlock(&d->lock);
        return -EINVAL;
    }
    if (--d->pause_count == 0) {
        d->started = true;
        pthread_cond_broadcast(&d->cond);
    }
    pthread_mutex_unlock(&d->lock);
    for (unsigned i = 0; i < d->max_vcpus; i++)
        if (d->vcpus[i])
            vcpu_kick(d->vcpus[i], VCPU_WORK_STOP);
    state_changed();
    return 0;
}

static const char *const shutdown_names[] = {
    [SHUTDOWN_poweroff] = "poweroff", [SHUTDOWN_reboot] = "reboot",
    [SHUTDOWN_suspend] = "suspend", [SHUTDOWN_crash] = "crash",
    [SHUTDOWN_watchdog] = "watchdog", [SHUTDOWN_soft_reset] = "soft_reset",
};

void domain_shutdown(struct domain *d, unsigned int reason)
{
    pthread_mutex_lock(&d->lock);
    if (d->is_shutdown || d->is_dying) {
        pthread_mutex_unlock(&d->lock);
        return;
    }
    d->is_shutdown = true;
    /* A code given with SCHEDOP_shutdown_code overrides the reason. */
    d->shutdown_reason = d->shutdown_code >= 0 ? (unsigned)d->shutdown_code : reason;
    pthread_cond_broadcast(&d->cond);
    pthread_mutex_unlock(&d->lock);
    for (unsigned i = 0; i < d->max_vcpus; i++)
        if (d->vcpus[i])
            vcpu_kick(d->vcpus[i], VCPU_WORK_STOP);
    console_guest_flush(d);
    hv_printk("d%u: shut down (%s)", d->domid,
              d->shutdown_reason < XK_ARRAY_SIZE(shutdown_names) &&
              shutdown_names[d->shutdown_reason] ? shutdown_names[d->shutdown_reason] : "unknown");
    state_changed();
    event_dom_exc();
}

void domain_crash(struct domain *d, const char *why)
{
    console_guest_flush(d);
    hv_printk("Domain %u crashed: %s", d->domid, why);
    pthread_mutex_lock(&d->lock);
    d->shutdown_code = -1;           /* a crash is a crash */
    pthread_mutex_unlock(&d->lock);
    domain_shutdown(d, SHUTDOWN_crash);
}

void domain_vcpu_down(struct vcpu *v)
{
    struct domain *d = v->domain;
    bool last;

    pthread_mutex_lock(&d->lock);
    if (v->online) {
        v->online = false;
        d->nr_online--;
    }
    last = d->nr_online == 0;
    pthread_mutex_unlock(&d->lock);
    /* The calling vCPU parks before it enters the guest again (VCPUOP_down
     * on itself returns only once VCPUOP_up brought it back). */
    atomic_fetch_or(&v->work, VCPU_WORK_STOP);
    if (last) {
        hv_printk("d%u: all vCPUs offline -- powering off", d->domid);
        domain_shutdown(d, SHUTDOWN_poweroff);
    } else {
        state_changed();
    }
}

uint64_t domain_vcpu_cpu_time(struct vcpu *v)
{
    clockid_t cid;
    struct timespec ts;

    if (!v->thread_started || pthread_getcpuclockid(v->thread, &cid) != 0)
        return 0;
    if (clock_gettime(cid, &ts) != 0)
        return 0;
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void domain_getinfo(struct domain *d, struct xen_domctl_getdomaininfo *info)
{
    uint32_t flags = XEN_DOMINF_hvm_guest | XEN_DOMINF_hap | XEN_DOMINF_blocked;
    bool any_online = false;
    uint64_t cpu = 0;

    memset(info, 0, sizeof(*info));
    info->domain = d->domid;
    pthread_mutex_lock(&d->lock);
    if (d->is_privileged) {
        flags = XEN_DOMINF_running;
        info->nr_online_vcpus = d->nr_online;
        info->max_vcpu_id = d->max_vcpus - 1;
    } else {
        for (unsigned i = 0; i < d->max_vcpus; i++) {
            struct vcpu *v = d->vcpus[i];
            if (!v || !v->online)
                continue;
            any_online = true;
            int m = atomic_load(&v->mode);
            if (m != VCPU_BLOCKED && m != VCPU_POLLING)
                flags &= ~XEN_DOMINF_blocked;
            if (m == VCPU_IN_GUEST || m == VCPU_OUTSIDE)
                flags |= XEN_DOMINF_running;
        }
        if (!any_online)
            flags &= ~XEN_DOMINF_blocked;
        if (d->pause_count) {
            flags |= XEN_DOMINF_paused;
            flags &= ~(XEN_DOMINF_running | XEN_DOMINF_blocked);
        }
        if (d->is_shutdown) {
            flags |= XEN_DOMINF_shutdown |
                     ((d->shutdown_reason & XEN_DOMINF_shutdownmask) << XEN_DOMINF_shutdownshift);
            flags &= ~(XEN_DOMINF_running | XEN_DOMINF_blocked);
        }
        if (d->is_dying)
            flags |= XEN_DOMINF_dying;
        info->nr_online_vcpus = d->nr_online;
        info->max_vcpu_id = d->max_vcpus ? d->max_vcpus - 1 : XEN_INVALID_MAX_VCPU_ID;
        for (unsigned i = 0; i < d->max_vcpus; i++)
            if (d->vcpus[i])
                cpu += domain_vcpu_cpu_time(d->vcpus[i]);
    }
    pthread_mutex_unlock(&d->lock);
    info->flags = flags;
    pthread_mutex_lock(&hv.mem_lock);
    info->tot_pages = d->tot_pages;
    info->max_pages = d->is_privileged ? d->tot_pages : d->max_pages;
    pthread_mutex_unlock(&hv.mem_lock);
    info->shared_info_frame = d->shared_info_gfn == ~0ULL ? 0 : d->shared_info_gfn;
    info->cpu_time = cpu;
    info->ssidref = 0;
    memcpy(info->handle, d->handle, sizeof(info->handle));
    info->cpupool = 0;
    info->gpaddr_bits = 48;
    info->arch_config.emulation_flags = d->emulation_flags;
}

/* Populates [gfn, gfn+nr) with fresh zeroed RAM.  Accounted against the
 * domain's max_pages and the host budget. */
int domain_populate(struct domain *d, uint64_t gfn, uint64_t nr)
{
    uint64_t off;
    int rc;

    if (nr == 0 || gfn + nr < gfn || gfn + nr > (1ULL << 36))
        return -EINVAL;
    /* Refuse to populate over anything already there. */
    if (!p2m_range_free(&d->p2m, gfn, nr))
        return -EBUSY;
    pthread_mutex_lock(&hv.mem_lock);
    if (d->tot_pages + nr > d->max_pages) {
        pthread_mutex_unlock(&hv.mem_lock);
        xk_log(XK_LOG_WARN, "d%u: over-allocation: %llu + %llu pages > max %llu", d->domid,
               (unsigned long long)d->tot_pages, (unsigned long long)nr,
               (unsigned long long)d->max_pages);
        return -ENOMEM;
    }
    if (hv.used_pages + nr > hv.budget_pages) {
        pthread_mutex_unlock(&hv.mem_lock);
        xk_log(XK_LOG_WARN, "d%u: host memory budget exhausted (%llu of %llu pages used)",
               d->domid, (unsigned long long)hv.used_pages, (unsigned long long)hv.budget_pages);
        return -ENOMEM;
    }
    hv.used_pages += nr;
    d->tot_pages += nr;
    pthread_mutex_unlock(&hv.mem_lock);

    pthread_mutex_lock(&d->lock);
    rc = mem_alloc_locked(d, nr, &off);
    pthread_mutex_unlock(&d->lock);
    if (rc == 0)
        rc = p2m_set(&d->p2m, gfn, nr, off, (uint64_t)(uintptr_t)(d->mem_base + off), P2M_RAM,
                     NULL);
    if (rc < 0) {
        pthread_mutex_lock(&hv.mem_lock);
        hv.used_pages -= nr;
        d->tot_pages -= nr;
        pthread_mutex_unlock(&hv.mem_lock);
    }
    return rc;
}

/* Releases the RAM at [gfn, gfn+nr): every page must be RAM. */
int domain_decrease(struct domain *d, uint64_t gfn, uint64_t nr)
{
    for (uint64_t g = gfn; g < gfn + nr; g++) {
        uint32_t type;
        if (p2m_lookup(&d->p2m, g, NULL, NULL, &type) < 0 || type != P2M_RAM)
            return -EINVAL;
    }
    for (uint64_t g = gfn; g < gfn + nr; g++) {
        uint64_t off, removed = 0;
        if (p2m_lookup(&d->p2m, g, &off, NULL, NULL) < 0)
            continue;
        if (p2m_clear(&d->p2m, g, 1, &removed) == 0 && removed)
            domain_drop_ram(d, off, removed);
    }
    return 0;
}

int domain_set_maxmem(struct domain *d, uint64_t max_kb)
{
    uint64_t pages = max_kb >> 2;

    if (d->is_privileged)
        return -EINVAL;
    pthread_mutex_lock(&hv.mem_lock);
    d->max_pages = pages;
    pthread_mutex_unlock(&hv.mem_lock);
    return 0;
}

uint64_t domain_max_gpfn(struct domain *d)
{
    return p2m_max_gfn(&d->p2m);
}

int domain_alloc_xen_page(struct domain *d, uint64_t *off)
{
    int rc;

    pthread_mutex_lock(&d->lock);
    rc = mem_alloc_locked(d, 1, off);
    pthread_mutex_unlock(&d->lock);
    return rc;
}

void domain_drop_ram(struct domain *d, uint64_t off, uint64_t pages)
{
    mem_release(d, off, pages);
    pthread_mutex_lock(&hv.mem_lock);
    d->tot_pages -= pages;
    hv.used_pages -= pages;
    pthread_mutex_unlock(&hv.mem_lock);
}

int domain_map_xen_page(struct domain *d, uint64_t off, uint64_t gfn)
{
    uint64_t old_off, removed = 0;
    uint32_t type;
    int had_ram, rc;

    if (gfn >= (1ULL << 36))
        return -EINVAL;
    had_ram = p2m_lookup(&d->p2m, gfn, &old_off, NULL, &type) == 0 && type == P2M_RAM;
    if (p2m_lookup(&d->p2m, gfn, &old_off, NULL, &type) == 0 && type == P2M_XEN && old_off == off)
        return 0;
    /* A xen page is mapped at one place: drop its previous mapping. */
    if (off == d->shared_info_off && d->shared_info_gfn != ~0ULL)
        p2m_clear(&d->p2m, d->shared_info_gfn, 1, NULL);
    rc = p2m_set(&d->p2m, gfn, 1, off, (uint64_t)(uintptr_t)(d->mem_base + off), P2M_XEN,
                 &removed);
    if (rc < 0)
        return rc;
    if (off == d->shared_info_off) {
        d->shared_info_gfn = gfn;
        time_update_wallclock(d);
    }
    if (had_ram && removed)
        domain_drop_ram(d, old_off, removed);   /* freed, as Xen does */
    return 0;
}

void *domain_gpa_ptr(struct domain *d, uint64_t gpa, size_t len, bool write)
{
    uint64_t hva, run;

    (void)write;
    if (len == 0 || gpa + len < gpa)
        return NULL;
    if (p2m_lookup_hva(&d->p2m, gpa >> XK_PAGE_SHIFT, &hva, &run, NULL) < 0)
        return NULL;
    if ((gpa & (XK_PAGE_SIZE - 1)) + len > (run << XK_PAGE_SHIFT))
        return NULL;
    return (uint8_t *)(uintptr_t)hva + (gpa & (XK_PAGE_SIZE - 1));
}
