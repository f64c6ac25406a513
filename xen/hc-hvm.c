/* hvm_op (parameters) and vm_assist. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>

#include <errno.h>

#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>

#include "xen.h"
#include "hcall.h"

/* Xen's access rules: what a guest may do to its own parameters.  The
 * toolstack (dom0) may get and set all of them. */
int hvm_param_check_set(struct domain *d, bool self, uint32_t index, uint64_t new_value)
{
    uint64_t value;

    if (index >= HVM_NR_PARAMS)
        return -EINVAL;
    pthread_mutex_lock(&d->lock);
    value = d->params[index];
    pthread_mutex_unlock(&d->lock);
    switch (index) {
    case HVM_PARAM_CALLBACK_IRQ:
    case HVM_PARAM_VM86_TSS:
    case HVM_PARAM_VM86_TSS_SIZED:
    case HVM_PARAM_ACPI_IOPORTS_LOCATION:
    case HVM_PARAM_VM_GENERATION_ID_ADDR:
    case HVM_PARAM_STORE_EVTCHN:
    case HVM_PARAM_CONSOLE_EVTCHN:
    case HVM_PARAM_X87_FIP_WIDTH:
        return 0;
    case HVM_PARAM_VIRIDIAN:
    case HVM_PARAM_IOREQ_SERVER_PFN:
    case HVM_PARAM_NR_IOREQ_SERVER_PAGES:
    case HVM_PARAM_ALTP2M:
    case HVM_PARAM_MCA_CAP:
        /* Set once. */
        if (value != 0 && new_value != value)
            return -EEXIST;
        return 0;
    default:
        return self ? -EPERM : 0;
    }
}

int hvm_param_check_get(bool self, uint32_t index)
{
    if (index >= HVM_NR_PARAMS)
        return -EINVAL;
    switch (index) {
    case HVM_PARAM_CALLBACK_IRQ:
    case HVM_PARAM_VM86_TSS:
    case HVM_PARAM_VM86_TSS_SIZED:
    case HVM_PARAM_ACPI_IOPORTS_LOCATION:
    case HVM_PARAM_VM_GENERATION_ID_ADDR:
    case HVM_PARAM_STORE_PFN:
    case HVM_PARAM_STORE_EVTCHN:
    case HVM_PARAM_CONSOLE_PFN:
    case HVM_PARAM_CONSOLE_EVTCHN:
    case HVM_PARAM_ALTP2M:
    case HVM_PARAM_X87_FIP_WIDTH:
        return 0;
    default:
        return self ? -EPERM : 0;
    }
}

static long hvm_param(struct vcpu *v, struct hcall *h, bool set)
{
    struct domain *d = v->domain;
    struct xen_hvm_param a;
    int rc;

    if (copy_from_guest(v, &a, h->arg[1], sizeof(a)) < 0)
        return -EFAULT;
    if (a.index >= HVM_NR_PARAMS)
        return -EINVAL;
    if (a.domid != DOMID_SELF && a.domid != d->domid) {
        pthread_mutex_lock(&hv.lock);
        struct domain *t = domain_lookup(a.domid);
        pthread_mutex_unlock(&hv.lock);
        return t ? -EPERM : -ESRCH;
    }
    if (set) {
        rc = hvm_param_check_set(d, true, a.index, a.value);
        if (rc < 0)
            return rc;
        pthread_mutex_lock(&d->lock);
        d->params[a.index] = a.value;
        pthread_mutex_unlock(&d->lock);
        if (a.index == HVM_PARAM_CALLBACK_IRQ) {
            event_latch_shinfo(v);
            event_set_callback_irq(d, a.value);
        }
        return 0;
    }
    rc = hvm_param_check_get(true, a.index);
    if (rc < 0)
        return rc;
    pthread_mutex_lock(&d->lock);
    a.value = d->params[a.index];
    pthread_mutex_unlock(&d->lock);
    return copy_to_guest(v, h->arg[1], &a, sizeof(a)) < 0 ? -EFAULT : 0;
}

long do_hvm_op(struct vcpu *v, struct hcall *h)
{
    switch ((uint32_t)h->arg[0]) {
    case HVMOP_set_param:
        return hvm_param(v, h, true);
    case HVMOP_get_param:
        return hvm_param(v, h, false);
    case HVMOP_set_evtchn_upcall_vector: {
        struct xen_hvm_evtchn_upcall_vector u;
        struct domain *d = v->domain;
        if (copy_from_guest(v, &u, h->arg[1], sizeof(u)) < 0)
            return -EFAULT;
        if (u.vector < 0x10)
            return -EINVAL;
        if (u.vcpu >= d->max_vcpus || !d->vcpus[u.vcpu])
            return -ENOENT;
        event_set_upcall_vector(d->vcpus[u.vcpu], u.vector);
        return 0;
    }
    case HVMOP_get_time: {
        struct xen_hvm_get_time t = { .now = time_system_ns() };
        return copy_to_guest(v, h->arg[1], &t, sizeof(t)) < 0 ? -EFAULT : 0;
    }
    default:
        return -ENOSYS;
    }
}

long do_vm_assist(struct vcpu *v, struct hcall *h)
{
    struct domain *d = v->domain;
    uint32_t cmd = (uint32_t)h->arg[0];
    uint32_t type = (uint32_t)h->arg[1];
    /* HVM guests may only ask for the runstate update flag. */
    const uint64_t valid = 1ULL << VMASST_TYPE_runstate_update_flag;

    if (type >= 64 || !(valid & (1ULL << type)))
        return -EINVAL;
    pthread_mutex_lock(&d->lock);
    switch (cmd) {
    case VMASST_CMD_enable:
        d->vm_assist |= 1ULL << type;
        break;
    case VMASST_CMD_disable:
        d->vm_assist &= ~(1ULL << type);
        break;
    default:
        pthread_mutex_unlock(&d->lock);
        return -ENOSYS;
    }
    pthread_mutex_unlock(&d->lock);
    return 0;
}
