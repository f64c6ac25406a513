/* Event channels, 2-level ABI: the upcall, the dispatcher, masks and the
 * bind helpers.
 *
 * Shared info holds a pending and a mask bit per port (64 words of 64
 * bits); the hypervisor sets a port's pending bit and, if the port is not
 * masked, the word's bit in the selector of the vCPU the port notifies and
 * that vCPU's upcall_pending, then raises the upcall.  The dispatcher
 * clears upcall_pending, swaps the selector with zero, and handles the
 * unmasked pending ports of each word it names; it loops while
 * upcall_pending is set again.  Each vCPU handles only the ports the kit
 * bound to it (others of the same word belong to another vCPU's upcall).
 *
 * FIFO ABI (evtchn_abi=fifo): each port has a 32-bit event word in the
 * event array pages (PENDING, MASKED, LINKED, BUSY, a 17-bit LINK); the
 * hypervisor links pending unmasked events into per-vCPU queues, one per
 * priority, sets the queue's bit in the vCPU's control block READY word
 * and upcall_pending.  The dispatcher swaps READY with zero and takes
 * events off the highest-priority queue first: the next port is the head
 * it kept (or, when it has none, the head in the control block), and
 * unlinking it (clearing LINKED and LINK together with cmpxchg) gives the
 * following one; a queue whose link ends is done.
 *
 * Upcall: the per-vCPU vector (HVMOP_set_evtchn_upcall_vector, through the
 * local APIC, so the handler EOIs it) or the domain's callback vector
 * (HVM_PARAM_CALLBACK_IRQ type vector: injected while upcall_pending is
 * set, no EOI). */
#include "kit.h"

#include <xen/arch-x86/cpuid.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>
#include <xen/sched.h>

struct port_slot {
    kit_evtchn_handler_t fn;
    void *arg;
    volatile uint32_t count;
    uint16_t vcpu;
    uint16_t used;
};

static struct port_slot slots[KIT_EVTCHN_MAX];

int kit_upcall_mode = KIT_UPCALL_NONE;
int kit_wait_mode = KIT_WAIT_IRQ;
int kit_evtchn_abi = KIT_EVTCHN_2L;
long kit_upcall_error;
long kit_fifo_error;
static int evtchn_ready;

/* FIFO: the event array, 1024 words a page */
#define FIFO_PER_PAGE (KIT_PAGE_SIZE / sizeof(event_word_t))
#define FIFO_P (1u << EVTCHN_FIFO_PENDING)
#define FIFO_M (1u << EVTCHN_FIFO_MASKED)
#define FIFO_L (1u << EVTCHN_FIFO_LINKED)
static volatile event_word_t *fifo_pages[KIT_EVTCHN_MAX / FIFO_PER_PAGE];
static volatile unsigned int fifo_words;
static volatile int fifo_lock; /* expanding the array, from any vCPU */

extern char kit_upcall_entry[];
void kit_evtchn_upcall_irq(void);

#define WORD(p) ((p) >> 6)
#define BIT(p) ((p)&63u)

static volatile uint64_t *pending_words(void)
{
    return (volatile uint64_t *)kit_shared_info->evtchn_pending;
}

static volatile uint64_t *mask_words(void)
{
    return (volatile uint64_t *)kit_shared_info->evtchn_mask;
}

const char *kit_upcall_name(void)
{
    static const char *const n[] = {"none", "callback", "percpu"};

    return n[kit_upcall_mode];
}

const char *kit_wait_name(void)
{
    static const char *const n[] = {"irq", "poll", "spin"};

    return n[kit_wait_mode];
}

const char *kit_evtchn_abi_name(void)
{
    return kit_evtchn_abi == KIT_EVTCHN_FIFO ? "fifo" : "2l";
}

static volatile event_word_t *fifo_word(unsigned int port)
{
    if (port >= fifo_words)
        return NULL;
    return &fifo_pages[port / FIFO_PER_PAGE][port % FIFO_PER_PAGE];
}

/* The calling vCPU's control block (EVTCHNOP_init_control). */
static long fifo_init_cpu(struct kit_cpu *c)
{
    struct evtchn_fifo_control_block *cb = kit_page_alloc(1);
    struct evtchn_init_control op = {
        .control_gfn = (uintptr_t)cb >> KIT_PAGE_SHIFT,
        .offset = 0,
        .vcpu = c->id,
    };
    long rc = HYPERVISOR_event_channel_op(EVTCHNOP_init_control, &op);

    if (!rc) {
        memset(c->fifo_head, 0, sizeof(c->fifo_head));
        c->fifo_cb = cb;
    }
    return rc;
}

/* Event array pages until `port` has a word, each page's ports masked
 * before it is given. */
static long fifo_cover(unsigned int port)
{
    long rc = 0;

    kit_spin_lock(&fifo_lock);
    while (!rc && port >= fifo_words) {
        unsigned int n = fifo_words / FIFO_PER_PAGE, i;
        struct evtchn_expand_array op;
        event_word_t *page;

        if (n >= KIT_ARRAY_SIZE(fifo_pages)) {
            rc = -XEN_ENOSPC;
            break;
        }
        page = kit_page_alloc(1);
        for (i = 0; i < FIFO_PER_PAGE; i++)
            page[i] = FIFO_M;
        op.array_gfn = (uintptr_t)page >> KIT_PAGE_SHIFT;
        rc = HYPERVISOR_event_channel_op(EVTCHNOP_expand_array, &op);
        if (!rc) {
            fifo_pages[n] = page;
            __atomic_store_n(&fifo_words, fifo_words + FIFO_PER_PAGE,
                             __ATOMIC_RELEASE);
        }
    }
    kit_spin_unlock(&fifo_lock);
    return rc;
}

static int word_is(const char *v, size_t len, const char *word)
{
    return v && len == strlen(word) && !strncmp(v, word, len);
}

/* The per-vCPU vector of the calling vCPU: its local APIC enabled (SVR,
 * spurious vector 0xff), then the hypercall. */
static long register_vector(unsigned int vcpu)
{
    struct xen_hvm_evtchn_upcall_vector op = {
        .vcpu = vcpu,
        .vector = KIT_UPCALL_VECTOR,
    };

    kit_lapic_write(KIT_LAPIC_SVR, KIT_LAPIC_SVR_ENABLE | 0xff);
    return HYPERVISOR_hvm_op(HVMOP_set_evtchn_upcall_vector, &op);
}

long kit_evtchn_init(void)
{
    struct kit_cpu *c;
    const char *v;
    size_t len;
    unsigned int w;
    int mode;
    long rc;

    if (evtchn_ready)
        return 0;
    kit_cpu_init();
    if (!kit_map_shared_info(&rc))
        return rc;
    c = kit_this_cpu();
    c->vi = &kit_shared_info->vcpu_info[c->id];
    /* Nothing is delivered until the kit binds it. */
    for (w = 0; w < KIT_EVTCHN_MAX / 64; w++)
        mask_words()[w] = ~0ull;
    kit_set_intr_gate(KIT_UPCALL_VECTOR, (void (*)(void))kit_upcall_entry);

    mode = kit_hvm_cpuid_flags() & XEN_HVM_CPUID_UPCALL_VECTOR
               ? KIT_UPCALL_PERCPU
               : KIT_UPCALL_CALLBACK;
    v = kit_cmdline_get("upcall", &len);
    if (word_is(v, len, "percpu"))
        mode = KIT_UPCALL_PERCPU;
    else if (word_is(v, len, "callback"))
        mode = KIT_UPCALL_CALLBACK;
    else if (word_is(v, len, "none"))
        mode = KIT_UPCALL_NONE;
    if (mode == KIT_UPCALL_PERCPU) {
        rc = register_vector(c->id);
        if (rc) {
            kit_upcall_error = rc;
            mode = KIT_UPCALL_CALLBACK;
        }
    }
    if (mode == KIT_UPCALL_CALLBACK) {
        struct xen_hvm_param p = {
            .domid = DOMID_SELF,
            .index = HVM_PARAM_CALLBACK_IRQ,
            .value = (uint64_t)HVM_PARAM_CALLBACK_TYPE_VECTOR << 56 |
                     KIT_UPCALL_VECTOR,
        };

        rc = HYPERVISOR_hvm_op(HVMOP_set_param, &p);
        if (rc) {
            kit_upcall_error = rc;
            mode = KIT_UPCALL_NONE;
        }
    }
    kit_upcall_mode = mode;

    kit_wait_mode = mode == KIT_UPCALL_NONE ? KIT_WAIT_SPIN : KIT_WAIT_IRQ;
    v = kit_cmdline_get("evtchn_wait", &len);
    if (word_is(v, len, "irq") && mode != KIT_UPCALL_NONE)
        kit_wait_mode = KIT_WAIT_IRQ;
    else if (word_is(v, len, "poll"))
        kit_wait_mode = KIT_WAIT_POLL;
    else if (word_is(v, len, "spin"))
        kit_wait_mode = KIT_WAIT_SPIN;

    /* FIFO before any port is bound: events pending at the switch are
     * not carried over (event_channel.h) */
    v = kit_cmdline_get("evtchn_abi", &len);
    if (word_is(v, len, "fifo")) {
        rc = fifo_init_cpu(c);
        if (rc) {
            kit_fifo_error = rc; /* the 2-level ABI stays */
        } else {
            kit_evtchn_abi = KIT_EVTCHN_FIFO;
            rc = fifo_cover(0);
            if (rc)
                return rc; /* FIFO without an event array: no events */
        }
    }
    evtchn_ready = 1;
    return 0;
}

long kit_evtchn_init_cpu(void)
{
    struct kit_cpu *c = kit_this_cpu();
    long rc = 0;

    if (!kit_shared_info)
        return -XEN_EINVAL;

    c->vi = &kit_shared_info->vcpu_info[c->id];
    if (kit_evtchn_abi == KIT_EVTCHN_FIFO)
        rc = fifo_init_cpu(c);
    if (!rc && kit_upcall_mode == KIT_UPCALL_PERCPU)
        rc = register_vector(c->id);
    return rc;
}

/* The event a FIFO queue's head names: handled when pending and not
 * masked.  Its successor becomes the head we keep; when there is none,
 * the queue is done (its bit leaves *ready). */
static unsigned int fifo_consume(struct kit_cpu *c, unsigned int q,
                                 uint32_t *ready)
{
    uint32_t port = c->fifo_head[q];
    volatile event_word_t *w;
    event_word_t old, next;

    if (!port)
        port = __atomic_load_n(&c->fifo_cb->head[q], __ATOMIC_ACQUIRE);
    w = fifo_word(port);
    if (!port || !w) {
        *ready &= ~(1u << q);
        c->fifo_head[q] = 0;
        return 0;
    }
    /* unlink: LINKED and LINK go together, whatever else changes */
    old = *w;
    do
        next = old & ~(FIFO_L | EVTCHN_FIFO_LINK_MASK);
    while (!__atomic_compare_exchange_n(w, &old, next, 0, __ATOMIC_SEQ_CST,
                                        __ATOMIC_SEQ_CST));
    next = old & EVTCHN_FIFO_LINK_MASK;
    c->fifo_head[q] = next;
    if (!next)
        *ready &= ~(1u << q);
    if ((old & (FIFO_P | FIFO_M)) != FIFO_P || port >= KIT_EVTCHN_MAX ||
        !(__atomic_fetch_and(w, ~FIFO_P, __ATOMIC_SEQ_CST) & FIFO_P))
        return 0;
    slots[port].count++;
    if (slots[port].fn)
        slots[port].fn(port, slots[port].arg);
    return 1;
}

static unsigned int fifo_upcall(struct kit_cpu *c)
{
    volatile struct vcpu_info *vi = c->vi;
    unsigned int n = 0;

    while (vi->evtchn_upcall_pending) {
        uint32_t ready;

        vi->evtchn_upcall_pending = 0;
        ready = __atomic_exchange_n(&c->fifo_cb->ready, 0, __ATOMIC_SEQ_CST);
        while (ready) {
            n += fifo_consume(c, (unsigned int)__builtin_ctz(ready), &ready);
            ready |= __atomic_exchange_n(&c->fifo_cb->ready, 0,
                                         __ATOMIC_SEQ_CST);
        }
    }
    return n;
}

unsigned int kit_evtchn_do_upcall(void)
{
    struct kit_cpu *c = kit_this_cpu();
    volatile struct vcpu_info *vi = c->vi;
    volatile uint64_t *pend, *mask;
    unsigned int n = 0;

    if (!vi)
        return 0;
    c->upcalls++;
    if (c->fifo_cb)
        return fifo_upcall(c);
    pend = pending_words();
    mask = mask_words();
    while (vi->evtchn_upcall_pending) {
        uint64_t sel;

        vi->evtchn_upcall_pending = 0;
        sel = __atomic_exchange_n(&vi->evtchn_pending_sel, 0,
                                  __ATOMIC_SEQ_CST);
        while (sel) {
            unsigned int w = (unsigned int)__builtin_ctzll(sel);
            uint64_t bits = pend[w] & ~mask[w];

            sel &= sel - 1;
            while (bits) {
                unsigned int b = (unsigned int)__builtin_ctzll(bits);
                unsigned int port = w * 64 + b;
                struct port_slot *s = &slots[port];

                bits &= bits - 1;
                if (s->vcpu != c->id)
                    continue; /* another vCPU's upcall handles it */
                if (!kit_test_and_clear_bit(&pend[w], b))
                    continue;
                s->count++;
                n++;
                if (s->fn)
                    s->fn(port, s->arg);
            }
        }
    }
    return n;
}

/* From kit_upcall_entry (entry.S). */
void kit_evtchn_upcall_irq(void)
{
    kit_evtchn_do_upcall();
    if (kit_upcall_mode == KIT_UPCALL_PERCPU)
        kit_lapic_write(KIT_LAPIC_EOI, 0);
}

void kit_evtchn_poll(void)
{
    struct kit_cpu *c = kit_this_cpu();

    if (c->vi && c->vi->evtchn_upcall_pending)
        kit_evtchn_do_upcall();
}

void kit_evtchn_mask(unsigned int port)
{
    if (kit_evtchn_abi == KIT_EVTCHN_FIFO) {
        volatile event_word_t *w = fifo_word(port);

        if (w)
            __atomic_fetch_or(w, FIFO_M, __ATOMIC_SEQ_CST);
        return;
    }
    if (port < KIT_EVTCHN_MAX && kit_shared_info)
        kit_test_and_set_bit(&mask_words()[WORD(port)], BIT(port));
}

/* FIFO: the mask is cleared here only while the event is not pending;
 * a pending one stays masked and EVTCHNOP_unmask clears it and links the
 * event. */
static void fifo_unmask(unsigned int port)
{
    volatile event_word_t *w = fifo_word(port);
    event_word_t old;

    if (!w)
        return;
    old = *w;
    while (old & FIFO_M) {
        if (old & FIFO_P) {
            struct evtchn_unmask op = {.port = port};

            HYPERVISOR_event_channel_op(EVTCHNOP_unmask, &op);
            return;
        }
        if (__atomic_compare_exchange_n(w, &old, old & ~FIFO_M, 0,
                                        __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
            return;
    }
}

void kit_evtchn_unmask(unsigned int port)
{
    volatile uint64_t *m;

    if (kit_evtchn_abi == KIT_EVTCHN_FIFO) {
        fifo_unmask(port);
        return;
    }
    if (port >= KIT_EVTCHN_MAX || !kit_shared_info)
        return;
    m = &mask_words()[WORD(port)];
    kit_test_and_clear_bit(m, BIT(port));
    if (pending_words()[WORD(port)] & (1ull << BIT(port))) {
        /* It became pending while masked: its selector bit and upcall
         * were not raised.  The hypervisor does that on EVTCHNOP_unmask
         * of a masked port. */
        struct evtchn_unmask op = {.port = port};

        kit_test_and_set_bit(m, BIT(port));
        HYPERVISOR_event_channel_op(EVTCHNOP_unmask, &op);
    }
}

void kit_evtchn_clear(unsigned int port)
{
    if (kit_evtchn_abi == KIT_EVTCHN_FIFO) {
        volatile event_word_t *w = fifo_word(port);

        if (w)
            __atomic_fetch_and(w, ~FIFO_P, __ATOMIC_SEQ_CST);
        return;
    }
    if (port < KIT_EVTCHN_MAX && kit_shared_info)
        kit_test_and_clear_bit(&pending_words()[WORD(port)], BIT(port));
}

int kit_evtchn_is_pending(unsigned int port)
{
    if (kit_evtchn_abi == KIT_EVTCHN_FIFO) {
        volatile event_word_t *w = fifo_word(port);

        return w && (*w & FIFO_P);
    }
    return port < KIT_EVTCHN_MAX && kit_shared_info &&
           (pending_words()[WORD(port)] >> BIT(port)) & 1;
}

int kit_evtchn_is_masked(unsigned int port)
{
    if (kit_evtchn_abi == KIT_EVTCHN_FIFO) {
        volatile event_word_t *w = fifo_word(port);

        return !w || (*w & FIFO_M);
    }
    return port < KIT_EVTCHN_MAX && kit_shared_info &&
           (mask_words()[WORD(port)] >> BIT(port)) & 1;
}

uint32_t kit_evtchn_count(unsigned int port)
{
    return port < KIT_EVTCHN_MAX ? slots[port].count : 0;
}

static void slot_set(unsigned int port, unsigned int vcpu,
                     kit_evtchn_handler_t fn, void *arg)
{
    struct port_slot *s = &slots[port];

    s->fn = fn;
    s->arg = arg;
    s->vcpu = (uint16_t)vcpu;
    s->used = 1;
    kit_barrier();
}

/* After a bind hypercall: the port is ours on vCPU vcpu. */
static int bound(long rc, evtchn_port_t port, unsigned int vcpu,
                 kit_evtchn_handler_t fn, void *arg)
{
    if (rc)
        return (int)rc;
    if (port == 0 || port >= KIT_EVTCHN_MAX)
        return -XEN_ERANGE;
    /* FIFO: the event array must reach the port (its word masked) */
    if (kit_evtchn_abi == KIT_EVTCHN_FIFO && (rc = fifo_cover(port)))
        return (int)rc;
    slot_set(port, vcpu, fn, arg);
    kit_evtchn_unmask(port);
    return (int)port;
}

int kit_evtchn_alloc_unbound(domid_t remote, kit_evtchn_handler_t fn,
                             void *arg)
{
    struct evtchn_alloc_unbound op = {.dom = DOMID_SELF, .remote_dom = remote};
    long rc = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &op);

    return bound(rc, op.port, 0, fn, arg);
}

int kit_evtchn_bind_interdomain(domid_t remote, unsigned int remote_port,
                                kit_evtchn_handler_t fn, void *arg)
{
    struct evtchn_bind_interdomain op = {
        .remote_dom = remote,
        .remote_port = remote_port,
    };
    long rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &op);

    return bound(rc, op.local_port, 0, fn, arg);
}

int kit_evtchn_bind_virq(unsigned int virq, unsigned int vcpu,
                         kit_evtchn_handler_t fn, void *arg)
{
    struct evtchn_bind_virq op = {.virq = virq, .vcpu = vcpu};
    long rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &op);

    return bound(rc, op.port, vcpu, fn, arg);
}

int kit_evtchn_bind_ipi(unsigned int vcpu, kit_evtchn_handler_t fn, void *arg)
{
    struct evtchn_bind_ipi op = {.vcpu = vcpu};
    long rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_ipi, &op);

    return bound(rc, op.port, vcpu, fn, arg);
}

long kit_evtchn_attach(unsigned int port, unsigned int vcpu,
                       kit_evtchn_handler_t fn, void *arg)
{
    long rc;

    if (port == 0 || port >= KIT_EVTCHN_MAX || !kit_shared_info)
        return -XEN_EINVAL;
    if (kit_evtchn_abi == KIT_EVTCHN_FIFO && (rc = fifo_cover(port)))
        return rc;
    slot_set(port, vcpu, fn, arg);
    kit_evtchn_unmask(port);
    return 0;
}

static long get_param(uint32_t index, uint64_t *value)
{
    struct xen_hvm_param p = {.domid = DOMID_SELF, .index = index};
    long rc = HYPERVISOR_hvm_op(HVMOP_get_param, &p);

    *value = p.value;
    return rc;
}

long kit_evtchn_attach_ring(uint32_t pfn_param, uint32_t port_param,
                            void **page, unsigned int *port)
{
    uint64_t pfn, p;
    long rc;

    rc = kit_evtchn_init();
    if (!rc)
        rc = get_param(pfn_param, &pfn);
    if (!rc)
        rc = get_param(port_param, &p);
    if (rc)
        return rc;
    if (!pfn || pfn >= (1ull << 20) || !p || p >= KIT_EVTCHN_MAX)
        return -XEN_ENODEV;
    rc = kit_evtchn_attach((unsigned int)p, 0, NULL, NULL);
    if (!rc && kit_cpu_id() != 0)
        rc = kit_evtchn_bind_vcpu((unsigned int)p, kit_cpu_id());
    if (rc)
        return rc;
    *port = (unsigned int)p;
    *page = (void *)(uintptr_t)(pfn << KIT_PAGE_SHIFT);
    return 0;
}

long kit_evtchn_bind_vcpu(unsigned int port, unsigned int vcpu)
{
    struct evtchn_bind_vcpu op = {.port = port, .vcpu = vcpu};
    int masked = kit_evtchn_is_masked(port);
    long rc;

    if (port >= KIT_EVTCHN_MAX)
        return -XEN_EINVAL;
    /* masked across the move, so no event falls between the two vCPUs */
    kit_evtchn_mask(port);
    rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_vcpu, &op);
    if (!rc)
        slots[port].vcpu = (uint16_t)vcpu;
    kit_barrier();
    if (!masked)
        kit_evtchn_unmask(port);
    return rc;
}

long kit_evtchn_close(unsigned int port)
{
    struct evtchn_close op = {.port = port};
    long rc;

    kit_evtchn_mask(port);
    rc = HYPERVISOR_event_channel_op(EVTCHNOP_close, &op);
    if (port < KIT_EVTCHN_MAX) {
        slots[port] = (struct port_slot){0};
        kit_evtchn_clear(port);
    }
    return rc;
}

long kit_evtchn_send(unsigned int port)
{
    struct evtchn_send op = {.port = port};

    return HYPERVISOR_event_channel_op(EVTCHNOP_send, &op);
}

long kit_evtchn_status(unsigned int port, struct evtchn_status *st)
{
    memset(st, 0, sizeof(*st));
    st->dom = DOMID_SELF;
    st->port = port;
    return HYPERVISOR_event_channel_op(EVTCHNOP_status, st);
}

/* True every 64th call: where reading the clock costs as much as a
 * hypercall (emulated guest code), spinning loops look at it rarely. */
static inline int every_64(unsigned int *n)
{
    return (++*n & 63) == 0;
}

long kit_evtchn_wait(unsigned int port, uint32_t *seen, uint64_t deadline_ns)
{
    struct kit_cpu *c = kit_this_cpu();
    int irqs_on = (kit_save_flags() & KIT_RFLAGS_IF) != 0;
    int mode = kit_wait_mode, timer = 0, slept = 0;
    unsigned int spins = 0;
    long rc;

    if (port >= KIT_EVTCHN_MAX)
        return -XEN_EINVAL;
    if (mode == KIT_WAIT_IRQ && kit_upcall_mode == KIT_UPCALL_NONE)
        mode = KIT_WAIT_SPIN;
    if (mode == KIT_WAIT_IRQ && deadline_ns)
        timer = kit_timer_port() > 0;
    for (;;) {
        uint32_t n;

        kit_cli();
        if (mode != KIT_WAIT_IRQ)
            kit_evtchn_poll();
        n = slots[port].count;
        if (n != *seen) {
            *seen = n;
            rc = 0;
            break;
        }
        /* the clock only after a sleep (or now and then when spinning):
         * a deadline passed on entry still ends the wait, one wake-up
         * later */
        if (deadline_ns && (mode == KIT_WAIT_SPIN ? every_64(&spins) : slept) &&
            kit_now_ns() >= deadline_ns) {
            rc = -XEN_ETIME;
            break;
        }
        slept = 1;
        if (mode == KIT_WAIT_IRQ) {
            if (timer && c->timer_armed != deadline_ns &&
                kit_timer_singleshot(deadline_ns, 0))
                timer = 0;
            if (timer || !deadline_ns) {
                kit_sti_hlt();
            } else {
                /* no timer to end hlt: spin, interrupts on meanwhile */
                kit_sti();
                while (slots[port].count == *seen &&
                       (!every_64(&spins) || kit_now_ns() < deadline_ns))
                    kit_pause();
            }
        } else if (mode == KIT_WAIT_POLL) {
            evtchn_port_t p = port;
            struct sched_poll sp = {.nr_ports = 1, .timeout = deadline_ns};

            set_xen_guest_handle(sp.ports, &p);
            HYPERVISOR_sched_op(SCHEDOP_poll, &sp);
        } else {
            kit_pause();
        }
    }
    if (irqs_on)
        kit_sti();
    return rc;
}
