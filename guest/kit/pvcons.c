/* The PV console ring (HVM_PARAM_CONSOLE_PFN, port HVM_PARAM_CONSOLE_EVTCHN,
 * <xen/io/console.h>): we produce into out[] and consume in[]; the
 * backend (xenconsoled) the other way round.  Each side notifies the
 * other through the port after moving an index. */
#include "kit.h"
#include "ring.h"

#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>

#define DEFAULT_TIMEOUT_NS 10000000000ull

struct xencons_interface *kit_pvcons_ring;
unsigned int kit_pvcons_port;

static long get_param(uint32_t index, uint64_t *value)
{
    struct xen_hvm_param p = {.domid = DOMID_SELF, .index = index};
    long rc = HYPERVISOR_hvm_op(HVMOP_get_param, &p);

    *value = p.value;
    return rc;
}

long kit_pvcons_init(void)
{
    uint64_t pfn, port;
    long rc;

    if (kit_pvcons_ring)
        return 0;
    rc = kit_evtchn_init();
    if (!rc)
        rc = get_param(HVM_PARAM_CONSOLE_PFN, &pfn);
    if (!rc)
        rc = get_param(HVM_PARAM_CONSOLE_EVTCHN, &port);
    if (rc)
        return rc;
    if (!pfn || pfn >= (1ull << 20) || !port || port >= KIT_EVTCHN_MAX)
        return -XEN_ENODEV;
    rc = kit_evtchn_attach((unsigned int)port, 0, NULL, NULL);
    if (!rc && kit_cpu_id() != 0)
        rc = kit_evtchn_bind_vcpu((unsigned int)port, kit_cpu_id());
    if (rc)
        return rc;
    kit_pvcons_port = (unsigned int)port;
    kit_pvcons_ring =
        (struct xencons_interface *)(uintptr_t)(pfn << KIT_PAGE_SHIFT);
    return 0;
}

/* Waits for a notification, but looks again every 10 ms: a backend need
 * not notify after consuming.  -ETIME once the deadline passed. */
static long wait_backend(uint32_t *seen, uint64_t deadline)
{
    uint64_t now = kit_now_ns(), tick = now + 10000000ull;

    if (now >= deadline)
        return -XEN_ETIME;
    kit_evtchn_wait(kit_pvcons_port, seen, tick < deadline ? tick : deadline);
    return 0;
}

long kit_pvcons_write(const char *s, size_t len, uint64_t deadline_ns)
{
    struct xencons_interface *r = kit_pvcons_ring;
    uint32_t seen;
    size_t done = 0;

    if (!r)
        return -XEN_ENODEV;
    if (!deadline_ns)
        deadline_ns = kit_now_ns() + DEFAULT_TIMEOUT_NS;
    seen = kit_evtchn_count(kit_pvcons_port);
    while (done < len) {
        long n = kit_ring_put(r->out, sizeof(r->out), &r->out_cons,
                              &r->out_prod, s + done, len - done);

        if (n < 0)
            return -XEN_EIO;
        if (n) {
            kit_evtchn_send(kit_pvcons_port);
            done += (size_t)n;
            continue;
        }
        if (wait_backend(&seen, deadline_ns))
            return -XEN_ETIME;
    }
    return (long)len;
}

long kit_pvcons_flush(uint64_t deadline_ns)
{
    struct xencons_interface *r = kit_pvcons_ring;
    uint32_t seen;

    if (!r)
        return -XEN_ENODEV;
    if (!deadline_ns)
        deadline_ns = kit_now_ns() + DEFAULT_TIMEOUT_NS;
    seen = kit_evtchn_count(kit_pvcons_port);
    while (kit_ring_used(&r->out_cons, &r->out_prod))
        if (wait_backend(&seen, deadline_ns))
            return -XEN_ETIME;
    return 0;
}

size_t kit_pvcons_read(char *buf, size_t cap)
{
    struct xencons_interface *r = kit_pvcons_ring;
    long n;

    if (!r)
        return 0;
    n = kit_ring_get(r->in, sizeof(r->in), &r->in_cons, &r->in_prod, buf, cap);
    if (n <= 0)
        return 0;
    kit_evtchn_send(kit_pvcons_port);
    return (size_t)n;
}
