/* sched_op: yield, block, shutdown, poll, shutdown codes. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>

#include <errno.h>
#include <sched.h>

#include <xen/sched.h>
#include <xen/event_channel.h>

#include "xen.h"
#include "hcall.h"

#define POLL_MAX_PORTS 128

static long sched_poll(struct vcpu *v, struct hcall *h)
{
    uint64_t ports, timeout;
    uint32_t nr;

    if (h->mode == 8) {
        struct { uint64_t ports; uint32_t nr_ports; uint32_t pad; uint64_t timeout; } p;
        if (copy_from_guest(v, &p, h->arg[1], sizeof(p)) < 0)
            return -EFAULT;
        ports = p.ports; nr = p.nr_ports; timeout = p.timeout;
    } else {
        struct { uint32_t ports; uint32_t nr_ports; uint64_t timeout; } __attribute__((packed)) p;
        if (copy_from_guest(v, &p, h->arg[1], sizeof(p)) < 0)
            return -EFAULT;
        ports = p.ports; nr = p.nr_ports; timeout = p.timeout;
    }
    uint32_t list[POLL_MAX_PORTS];

    if (nr > POLL_MAX_PORTS)
        return -EINVAL;
    if (nr && copy_from_guest(v, list, ports, (size_t)nr * sizeof(list[0])) < 0)
        return -EFAULT;
    for (uint32_t i = 0; i < nr; i++) {
        if (list[i] > v->domain->ev.max_port)
            return -EINVAL;
        /* Already pending: return at once. */
        if (evtchn_is_pending(&v->domain->ev, list[i]))
            return 0;
    }
    if (timeout && timeout <= time_system_ns())
        return 0;
    if (nr == 0)
        vcpu_block(v, timeout);
    else
        vcpu_poll(v, list, nr, timeout);
    return 0;
}

long do_sched_op(struct vcpu *v, struct hcall *h)
{
    struct domain *d = v->domain;
    uint32_t cmd = (uint32_t)h->arg[0];

    switch (cmd) {
    case SCHEDOP_yield:
        sched_yield();
        return 0;
    case SCHEDOP_block:
        vcpu_block(v, 0);
        return 0;
    case SCHEDOP_shutdown: {
        struct sched_shutdown s;
        if (copy_from_guest(v, &s, h->arg[1], sizeof(s)) < 0)
            return -EFAULT;
        if (s.reason > SHUTDOWN_MAX)
            return -EINVAL;
        if (s.reason == SHUTDOWN_crash) {
            vcpu_dump_regs(v, "requested a crash");
            domain_crash(d, "the guest requested it (SHUTDOWN_crash)");
        } else {
            domain_shutdown(d, s.reason);
        }
        return 0;
    }
    case SCHEDOP_shutdown_code: {
        struct sched_shutdown s;
        if (copy_from_guest(v, &s, h->arg[1], sizeof(s)) < 0)
            return -EFAULT;
        if (s.reason > SHUTDOWN_MAX)
            return -EINVAL;
        pthread_mutex_lock(&d->lock);
        d->shutdown_code = (int)s.reason;
        pthread_mutex_unlock(&d->lock);
        return 0;
    }
    case SCHEDOP_poll:
        return sched_poll(v, h);
    case SCHEDOP_remote_shutdown: {
        struct sched_remote_shutdown s;
        struct domain *t;
        if (copy_from_guest(v, &s, h->arg[1], sizeof(s)) < 0)
            return -EFAULT;
        if (s.reason > SHUTDOWN_MAX)
            return -EINVAL;
        pthread_mutex_lock(&hv.lock);
        t = domain_lookup(s.domain_id);
        pthread_mutex_unlock(&hv.lock);
        if (!t)
            return -ESRCH;
        if (!d->is_privileged)
            return -EPERM;
        domain_shutdown(t, s.reason);
        return 0;
    }
    default:
        return -ENOSYS;
    }
}
