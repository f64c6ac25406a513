/* The PV console ring (HVM_PARAM_CONSOLE_PFN, port HVM_PARAM_CONSOLE_EVTCHN,
 * <xen/io/console.h>): we produce into out[] and consume in[]; the
 * backend (xenconsoled) the other way round.  Each side notifies the
 * other through the port after moving an index. */
#include "kit.h"
#include "ring.h"

#include <xen/hvm/params.h>

#define DEFAULT_TIMEOUT_NS 10000000000ull

struct xencons_interface *kit_pvcons_ring;
unsigned int kit_pvcons_port;

long kit_pvcons_init(void)
{
    void *page;
    long rc;

    if (kit_pvcons_ring)
        return 0;
    rc = kit_evtchn_attach_ring(HVM_PARAM_CONSOLE_PFN, HVM_PARAM_CONSOLE_EVTCHN,
                                &page, &kit_pvcons_port);
    if (rc)
        return rc;
    kit_pvcons_ring = page;
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
