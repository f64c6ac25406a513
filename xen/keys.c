/* Debug keys (XEN_SYSCTL_debug_keys, `xl debug-keys`): each key runs a
 * handler that writes to the hypervisor console (`xl dmesg`).  Runs on
 * the main thread, which owns the domain table. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>

#include <xen/xen.h>

#include "xen.h"

static void key_help(void);

static const char *mode_name(int m)
{
    switch (m) {
    case VCPU_OUTSIDE: return "running (in xen)";
    case VCPU_IN_GUEST: return "running";
    case VCPU_BLOCKED: return "blocked";
    case VCPU_POLLING: return "blocked (halt-polling)";
    case VCPU_PARKED: return "parked";
    default: return "?";
    }
}

/* 'q': every domain, its vCPUs, and VIRQ_DEBUG to each vCPU that bound it
 * (the guest's cue to dump its own state). */
static void key_domains(void)
{
    hv_printk("'q' pressed: dumping domain info (now %llu ns after boot)",
              (unsigned long long)(xk_now_ns() - hv.boot_ns));
    for (unsigned id = 0; id < DOMID_FIRST_RESERVED; id++) {
        struct domain *d = hv.domains[id];
        if (!d)
            continue;
        pthread_mutex_lock(&hv.mem_lock);
        uint64_t tot = d->tot_pages, max = d->max_pages;
        pthread_mutex_unlock(&hv.mem_lock);
        pthread_mutex_lock(&d->lock);
        hv_printk("d%u: %s vcpus=%u online=%u pages=%llu max_pages=%llu paused=%u%s%s",
                  d->domid, d->is_privileged ? "control" : "guest", d->max_vcpus, d->nr_online,
                  (unsigned long long)tot, (unsigned long long)max, d->pause_count,
                  d->is_shutdown ? " shutdown" : "", d->is_dying ? " dying" : "");
        pthread_mutex_unlock(&d->lock);
        if (d->is_privileged)
            continue;
        for (unsigned i = 0; i < d->max_vcpus; i++) {
            struct vcpu *v = d->vcpus[i];
            if (!v)
                continue;
            hv_printk("  d%uv%u: %s exits=%llu hypercalls=%llu cpu_time=%llu ns", d->domid, i,
                      mode_name(atomic_load(&v->mode)), (unsigned long long)v->exits,
                      (unsigned long long)v->hypercalls,
                      (unsigned long long)domain_vcpu_cpu_time(v));
            uint32_t port = d->ev_ready ? evtchn_send_virq(&d->ev, VIRQ_DEBUG, i) : 0;
            if (port)
                hv_printk("  d%uv%u: notified (VIRQ_DEBUG, port %u)", d->domid, i, port);
        }
    }
}

static const struct {
    char key;
    const char *what;
    void (*fn)(void);
} keys[] = {
    { 'h', "list the debug keys", key_help },
    { 'q', "dump domain and vCPU info; send VIRQ_DEBUG to every guest vCPU", key_domains },
};

static void key_help(void)
{
    hv_printk("debug keys:");
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        hv_printk("  '%c' %s", keys[i].key, keys[i].what);
}

void debug_keys(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        size_t k;

        for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
            if (keys[k].key == c)
                break;
        if (k < sizeof(keys) / sizeof(keys[0]))
            keys[k].fn();
        else if (c >= 0x20 && c < 0x7f)
            hv_printk("debug key '%c': no such key ('h' lists them)", c);
        else
            hv_printk("debug key 0x%02x: no such key ('h' lists them)", (unsigned char)c);
    }
}
