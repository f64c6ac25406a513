/* Event channels: the port table, its state machine and 2-level delivery.
 * See evtchn.h for the model and the locking. */
#include "config.h"

#include <stdint.h>

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <xen/foreign/x86_32.h>
#include <xen/foreign/x86_64.h>

#include "evtchn.h"

pthread_mutex_t evtchn_lock = PTHREAD_MUTEX_INITIALIZER;

/* ---- 2-level bit logic --------------------------------------------------- */

/* The bitmaps are arrays of xen_ulong_t words: 64-bit words for 64-bit
 * guests, 32-bit words for 32-bit ones.  Bit n of word w is port
 * w * BITS + n, in little-endian byte order either way, so a byte-wise
 * view works for both; the selector word indexes bitmap words. */

static unsigned word_bits(bool compat)
{
    return compat ? 32 : 64;
}

static uint8_t *pending_map(uint8_t *s, bool compat)
{
    return s + (compat ? offsetof(struct shared_info_x86_32, evtchn_pending)
                       : offsetof(struct shared_info_x86_64, evtchn_pending));
}

static uint8_t *mask_map(uint8_t *s, bool compat)
{
    return s + (compat ? offsetof(struct shared_info_x86_32, evtchn_mask)
                       : offsetof(struct shared_info_x86_64, evtchn_mask));
}

static bool bit_test_and_set(uint8_t *map, uint32_t bit)
{
    uint8_t m = (uint8_t)(1u << (bit & 7));
    return __atomic_fetch_or(&map[bit >> 3], m, __ATOMIC_SEQ_CST) & m;
}

static bool bit_test_and_clear(uint8_t *map, uint32_t bit)
{
    uint8_t m = (uint8_t)(1u << (bit & 7));
    return __atomic_fetch_and(&map[bit >> 3], (uint8_t)~m, __ATOMIC_SEQ_CST) & m;
}

static bool bit_test(const uint8_t *map, uint32_t bit)
{
    return __atomic_load_n(&map[bit >> 3], __ATOMIC_SEQ_CST) & (1u << (bit & 7));
}

static bool vcpu_mark_pending(uint8_t *vi, bool compat, uint32_t word)
{
    uint8_t *sel = vi + (compat ? offsetof(struct vcpu_info_x86_32, evtchn_pending_sel)
                                : offsetof(struct vcpu_info_x86_64, evtchn_pending_sel));
    if (bit_test_and_set(sel, word))
        return false;
    /* evtchn_upcall_pending is the first byte of vcpu_info. */
    return !__atomic_exchange_n(&vi[0], 1, __ATOMIC_SEQ_CST);
}

bool evtchn_2l_set_pending(uint8_t *shinfo, bool compat, uint8_t *vcpu_info, uint32_t port)
{
    if (bit_test_and_set(pending_map(shinfo, compat), port))
        return false;
    if (bit_test(mask_map(shinfo, compat), port) || !vcpu_info)
        return false;
    return vcpu_mark_pending(vcpu_info, compat, port / word_bits(compat));
}

bool evtchn_2l_is_pending(const uint8_t *shinfo, bool compat, uint32_t port)
{
    return bit_test(pending_map((uint8_t *)(uintptr_t)shinfo, compat), port);
}

bool evtchn_2l_is_masked(const uint8_t *shinfo, bool compat, uint32_t port)
{
    return bit_test(mask_map((uint8_t *)(uintptr_t)shinfo, compat), port);
}

bool evtchn_2l_unmask(uint8_t *shinfo, bool compat, uint8_t *vcpu_info, uint32_t port)
{
    /* Clearing the mask of a pending port re-raises it, as Xen does. */
    if (bit_test_and_clear(mask_map(shinfo, compat), port) &&
        bit_test(pending_map(shinfo, compat), port) && vcpu_info)
        return vcpu_mark_pending(vcpu_info, compat, port / word_bits(compat));
    return false;
}

void evtchn_2l_clear_pending(uint8_t *shinfo, bool compat, uint32_t port)
{
    bit_test_and_clear(pending_map(shinfo, compat), port);
}

/* ---- the port table ------------------------------------------------------- */

static struct evtchn_port *port_get(struct evtchn_dom *ed, uint32_t port)
{
    if (port > ed->max_port)
        return NULL;
    struct evtchn_port *b = ed->bucket[port / EVTCHN_BUCKET];
    return b ? &b[port % EVTCHN_BUCKET] : NULL;
}

static bool port_valid(struct evtchn_dom *ed, uint32_t port)
{
    struct evtchn_port *p = port_get(ed, port);
    return p && p->state != ECS_FREE && p->state != ECS_RESERVED;
}

static uint32_t max_port_for_abi(const struct evtchn_dom *ed)
{
    uint32_t abi = ed->fifo ? EVTCHN_MAX_PORTS_FIFO - 1
                 : ed->compat ? EVTCHN_MAX_PORTS_2L_32 - 1 : EVTCHN_MAX_PORTS_2L_64 - 1;
    return ed->max_port < abi ? ed->max_port : abi;
}

static int port_alloc(struct evtchn_dom *ed, uint32_t *out)
{
    uint32_t max = max_port_for_abi(ed);

    for (uint32_t port = 1; port <= max; port++) {
        unsigned b = port / EVTCHN_BUCKET;
        if (!ed->bucket[b]) {
            ed->bucket[b] = calloc(EVTCHN_BUCKET, sizeof(struct evtchn_port));
            if (!ed->bucket[b])
                return -ENOMEM;
        }
        struct evtchn_port *p = &ed->bucket[b][port % EVTCHN_BUCKET];
        if (p->state == ECS_FREE) {
            memset(p, 0, sizeof(*p));
            p->priority = EVTCHN_FIFO_PRIORITY_DEFAULT;
            *out = port;
            return 0;
        }
    }
    return -ENOSPC;
}

static uint8_t *vinfo(struct evtchn_dom *ed, unsigned vcpu)
{
    return vcpu < ed->nr_vcpus && ed->vcpu_info ? ed->vcpu_info[vcpu] : NULL;
}

/* ---- FIFO ABI ---------------------------------------------------------------- */

#define FIFO_PENDING (1u << EVTCHN_FIFO_PENDING)
#define FIFO_MASKED  (1u << EVTCHN_FIFO_MASKED)
#define FIFO_LINKED  (1u << EVTCHN_FIFO_LINKED)
#define FIFO_WORDS_PER_PAGE 1024u

static uint32_t *fifo_word(struct evtchn_dom *ed, uint32_t port)
{
    unsigned pg = port / FIFO_WORDS_PER_PAGE;

    if (port >= EVTCHN_MAX_PORTS_FIFO || pg >= ed->fifo_pages)
        return NULL;
    return ed->fifo_array[pg] + port % FIFO_WORDS_PER_PAGE;
}

/* Sets the link of the tail's word to `port`, only while the tail is
 * still linked (the guest unlinks words as it consumes them).  Returns
 * false when the tail is no longer linked: the queue went empty. */
static bool fifo_set_link(uint32_t *w, uint32_t port)
{
    uint32_t old = __atomic_load_n(w, __ATOMIC_SEQ_CST);

    for (int tries = 0; tries < 1000; tries++) {
        if (!(old & FIFO_LINKED))
            return false;
        uint32_t nw = (old & ~(uint32_t)EVTCHN_FIFO_LINK_MASK) | port;
        if (__atomic_compare_exchange_n(w, &old, nw, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
            return true;
    }
    return false;     /* the guest keeps changing it: it only hurts itself */
}

static void fifo_raise(struct evtchn_dom *ed, unsigned vcpu)
{
    uint8_t *vi = vinfo(ed, vcpu);

    if (vi && !__atomic_exchange_n(&vi[0], 1, __ATOMIC_SEQ_CST) && ed->ops && ed->ops->upcall)
        ed->ops->upcall(ed, vcpu);
}

static void fifo_set_pending(struct evtchn_dom *ed, struct evtchn_port *p, uint32_t port)
{
    uint32_t *w = fifo_word(ed, port);
    unsigned vcpu = p->vcpu < ed->nr_vcpus ? p->vcpu : 0;
    struct evtchn_fifo_vcpu *fv = &ed->fifo_vcpu[vcpu];
    unsigned prio = p->priority <= EVTCHN_FIFO_PRIORITY_MIN ? p->priority
                                                             : EVTCHN_FIFO_PRIORITY_DEFAULT;

    if (!w) {
        p->carry = 1;             /* raised once its page arrives */
        return;
    }
    __atomic_fetch_or(w, FIFO_PENDING, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(w, __ATOMIC_SEQ_CST) & FIFO_MASKED)
        return;
    if (__atomic_fetch_or(w, FIFO_LINKED, __ATOMIC_SEQ_CST) & FIFO_LINKED)
        return;                   /* already queued */
    if (!fv->cb)
        return;                   /* that vCPU has no control block */
    /* If it last sat at the tail of another queue, that queue is empty
     * now as far as this event goes. */
    struct evtchn_fifo_vcpu *old = &ed->fifo_vcpu[p->fifo_last_vcpu < ed->nr_vcpus
                                                  ? p->fifo_last_vcpu : 0];
    if (old->tail[p->fifo_last_priority % EVTCHN_FIFO_MAX_QUEUES] == port)
        old->tail[p->fifo_last_priority % EVTCHN_FIFO_MAX_QUEUES] = 0;
    p->fifo_last_vcpu = (uint16_t)vcpu;
    p->fifo_last_priority = (uint8_t)prio;

    bool linked = false;
    uint32_t tail = fv->tail[prio];
    if (tail) {
        uint32_t *tw = fifo_word(ed, tail);
        linked = tw && fifo_set_link(tw, port);
    }
    if (!linked)
        __atomic_store_n(&fv->cb->head[prio], port, __ATOMIC_SEQ_CST);
    fv->tail[prio] = port;
    if (!linked && !(__atomic_fetch_or(&fv->cb->ready, 1u << prio, __ATOMIC_SEQ_CST) &
                     (1u << prio)))
        fifo_raise(ed, vcpu);
}

/* Sets `port` pending and raises its vCPU's upcall.  evtchn_lock held. */
static void set_pending(struct evtchn_dom *ed, uint32_t port)
{
    struct evtchn_port *p = port_get(ed, port);

    if (!p || ed->dying)
        return;
    if (ed->is_dom0) {
        if (ed->ops && ed->ops->dom0_notify)
            ed->ops->dom0_notify(ed, p, port);
        return;
    }
    if (ed->fifo) {
        fifo_set_pending(ed, p, port);
    } else {
        if (!ed->shinfo)
            return;
        if (evtchn_2l_set_pending(ed->shinfo, ed->compat, vinfo(ed, p->vcpu), port) &&
            ed->ops && ed->ops->upcall)
            ed->ops->upcall(ed, p->vcpu);
    }
    if (ed->ops && ed->ops->wake_pollers)
        ed->ops->wake_pollers(ed, port);
}

int evtchn_dom_init(struct evtchn_dom *ed, domid_t domid, unsigned int nr_vcpus,
                    uint32_t max_port, const struct evtchn_ops *ops, void *ctx)
{
    memset(ed, 0, sizeof(*ed));
    ed->domid = domid;
    ed->ops = ops;
    ed->ctx = ctx;
    ed->nr_vcpus = nr_vcpus;
    ed->max_port = max_port < EVTCHN_MAX_PORTS_FIFO ? max_port : EVTCHN_MAX_PORTS_FIFO - 1;
    ed->bucket[0] = calloc(EVTCHN_BUCKET, sizeof(struct evtchn_port));
    ed->virq = calloc(nr_vcpus ? nr_vcpus : 1, sizeof(*ed->virq));
    ed->vcpu_info = calloc(nr_vcpus ? nr_vcpus : 1, sizeof(*ed->vcpu_info));
    if (!ed->bucket[0] || !ed->virq || !ed->vcpu_info) {
        free(ed->bucket[0]);
        free(ed->virq);
        free(ed->vcpu_info);
        memset(ed, 0, sizeof(*ed));
        return -ENOMEM;
    }
    ed->bucket[0][0].state = ECS_RESERVED;
    return 0;
}

void evtchn_set_shinfo(struct evtchn_dom *ed, uint8_t *shinfo, bool compat)
{
    pthread_mutex_lock(&evtchn_lock);
    ed->shinfo = shinfo;
    ed->compat = compat;
    pthread_mutex_unlock(&evtchn_lock);
}

void evtchn_set_vcpu_info(struct evtchn_dom *ed, unsigned int vcpu, uint8_t *vi)
{
    pthread_mutex_lock(&evtchn_lock);
    if (vcpu < ed->nr_vcpus)
        ed->vcpu_info[vcpu] = vi;
    pthread_mutex_unlock(&evtchn_lock);
}

/* Frees a port; an interdomain peer becomes unbound again, waiting for
 * us.  evtchn_lock held. */
static void close_locked(struct evtchn_dom *ed, uint32_t port)
{
    struct evtchn_port *p = port_get(ed, port);

    switch (p->state) {
    case ECS_INTERDOMAIN: {
        struct evtchn_dom *rd = p->remote;
        struct evtchn_port *rp = rd ? port_get(rd, p->remote_port) : NULL;
        if (rp && rp->state == ECS_INTERDOMAIN && rp->remote == ed && rp->remote_port == port) {
            rp->state = ECS_UNBOUND;
            rp->remote = NULL;
            rp->remote_domid = ed->domid;
            rp->remote_port = 0;
        }
        break;
    }
    case ECS_VIRQ:
        if (p->vcpu < ed->nr_vcpus && ed->virq[p->vcpu][p->virq] == port)
            ed->virq[p->vcpu][p->virq] = 0;
        break;
    default:
        break;
    }
    if (ed->fifo) {
        uint32_t *w = fifo_word(ed, port);
        if (w)
            __atomic_fetch_and(w, ~FIFO_PENDING, __ATOMIC_SEQ_CST);
    } else if (!ed->is_dom0 && ed->shinfo &&
               port < (ed->compat ? EVTCHN_MAX_PORTS_2L_32 : EVTCHN_MAX_PORTS_2L_64)) {
        evtchn_2l_clear_pending(ed->shinfo, ed->compat, port);
    }
    memset(p, 0, sizeof(*p));
}

static void close_all_locked(struct evtchn_dom *ed)
{
    for (unsigned b = 0; b < EVTCHN_MAX_BUCKETS; b++) {
        if (!ed->bucket[b])
            continue;
        for (unsigned i = 0; i < EVTCHN_BUCKET; i++) {
            uint32_t port = b * EVTCHN_BUCKET + i;
            if (port_valid(ed, port))
                close_locked(ed, port);
        }
    }
}

void evtchn_dom_destroy(struct evtchn_dom *ed)
{
    pthread_mutex_lock(&evtchn_lock);
    ed->dying = true;
    close_all_locked(ed);
    for (unsigned b = 0; b < EVTCHN_MAX_BUCKETS; b++) {
        free(ed->bucket[b]);
        ed->bucket[b] = NULL;
    }
    free(ed->virq);
    free(ed->vcpu_info);
    free(ed->fifo_vcpu);
    ed->virq = NULL;
    ed->vcpu_info = NULL;
    ed->fifo_vcpu = NULL;
    ed->shinfo = NULL;
    pthread_mutex_unlock(&evtchn_lock);
}

int evtchn_alloc_unbound(struct evtchn_dom *ed, domid_t remote_dom, uint32_t *port)
{
    int rc;

    pthread_mutex_lock(&evtchn_lock);
    rc = port_alloc(ed, port);
    if (rc == 0) {
        struct evtchn_port *p = port_get(ed, *port);
        p->state = ECS_UNBOUND;
        p->remote_domid = remote_dom;
    }
    pthread_mutex_unlock(&evtchn_lock);
    return rc;
}

static int bind_interdomain_locked(struct evtchn_dom *ed, struct evtchn_dom *rd, uint32_t rport,
                                   uint32_t lport)
{
    struct evtchn_port *lp = port_get(ed, lport);
    struct evtchn_port *rp = port_get(rd, rport);

    lp->state = ECS_INTERDOMAIN;
    lp->remote = rd;
    lp->remote_domid = rd->domid;
    lp->remote_port = rport;
    rp->state = ECS_INTERDOMAIN;
    rp->remote = ed;
    rp->remote_domid = ed->domid;
    rp->remote_port = lport;
    /* A notification may have been sent before we bound: raise ours. */
    set_pending(ed, lport);
    return 0;
}

static int check_bindable(struct evtchn_dom *ed, struct evtchn_dom *rd, uint32_t rport)
{
    struct evtchn_port *rp;

    if (rd->dying)
        return -ESRCH;
    rp = port_get(rd, rport);
    if (!rp || rp->state != ECS_UNBOUND)
        return -EINVAL;
    if (rp->remote_domid != ed->domid)
        return -EINVAL;
    return 0;
}

int evtchn_bind_interdomain(struct evtchn_dom *ed, struct evtchn_dom *rd, uint32_t rport,
                            uint32_t *lport)
{
    int rc;

    pthread_mutex_lock(&evtchn_lock);
    rc = check_bindable(ed, rd, rport);
    if (rc == 0)
        rc = port_alloc(ed, lport);
    if (rc == 0 && rd == ed && *lport == rport)
        rc = -EINVAL;             /* cannot happen: rport is in use */
    if (rc == 0)
        rc = bind_interdomain_locked(ed, rd, rport, *lport);
    pthread_mutex_unlock(&evtchn_lock);
    return rc;
}

bool evtchn_virq_is_global(uint32_t virq)
{
    switch (virq) {
    case VIRQ_TIMER:
    case VIRQ_DEBUG:
    case VIRQ_XENOPROF:
    case VIRQ_XENPMU:
        return false;
    default:
        return true;
    }
}

int evtchn_bind_virq(struct evtchn_dom *ed, uint32_t virq, uint32_t vcpu, uint32_t *port)
{
    int rc;

    if (virq >= NR_VIRQS)
        return -EINVAL;
    if (evtchn_virq_is_global(virq) && vcpu != 0)
        return -EINVAL;
    pthread_mutex_lock(&evtchn_lock);
    if (vcpu >= ed->nr_vcpus) {
        rc = -ENOENT;
    } else if (ed->virq[vcpu][virq]) {
        rc = -EEXIST;
    } else if ((rc = port_alloc(ed, port)) == 0) {
        struct evtchn_port *p = port_get(ed, *port);
        p->state = ECS_VIRQ;
        p->virq = (uint8_t)virq;
        p->vcpu = (uint16_t)vcpu;
        ed->virq[vcpu][virq] = *port;
    }
    pthread_mutex_unlock(&evtchn_lock);
    return rc;
}

int evtchn_bind_ipi(struct evtchn_dom *ed, uint32_t vcpu, uint32_t *port)
{
    int rc;

    pthread_mutex_lock(&evtchn_lock);
    if (vcpu >= ed->nr_vcpus) {
        rc = -ENOENT;
    } else if ((rc = port_alloc(ed, port)) == 0) {
        struct evtchn_port *p = port_get(ed, *port);
        p->state = ECS_IPI;
        p->vcpu = (uint16_t)vcpu;
    }
    pthread_mutex_unlock(&evtchn_lock);
    return rc;
}

int evtchn_close(struct evtchn_dom *ed, uint32_t port)
{
    int rc = 0;

    pthread_mutex_lock(&evtchn_lock);
    if (!port_valid(ed, port))
        rc = -EINVAL;
    else
        close_locked(ed, port);
    pthread_mutex_unlock(&evtchn_lock);
    return rc;
}

int evtchn_send(struct evtchn_dom *ed, uint32_t port)
{
    struct evtchn_port *p;
    int rc = 0;

    pthread_mutex_lock(&evtchn_lock);
    ed->sends++;
    if (!port_valid(ed, port)) {
        rc = -EINVAL;
    } else {
        p = port_get(ed, port);
        switch (p->state) {
        case ECS_INTERDOMAIN:
            if (p->remote)
                set_pending(p->remote, p->remote_port);
            break;
        case ECS_IPI:
            set_pending(ed, port);
            break;
        case ECS_UNBOUND:
            break;                /* nobody to tell: silently dropped */
        default:
            rc = -EINVAL;
            break;
        }
    }
    pthread_mutex_unlock(&evtchn_lock);
    return rc;
}

int evtchn_status(struct evtchn_dom *ed, struct evtchn_status *st)
{
    struct evtchn_port *p;
    int rc = 0;

    pthread_mutex_lock(&evtchn_lock);
    p = port_get(ed, st->port);
    if (!p) {
        rc = -EINVAL;
        goto out;
    }
    st->vcpu = p->vcpu;
    switch (p->state) {
    case ECS_FREE:
    case ECS_RESERVED:
        st->status = EVTCHNSTAT_closed;
        break;
    case ECS_UNBOUND:
        st->status = EVTCHNSTAT_unbound;
        st->u.unbound.dom = p->remote_domid;
        break;
    case ECS_INTERDOMAIN:
        st->status = EVTCHNSTAT_interdomain;
        st->u.interdomain.dom = p->remote_domid;
        st->u.interdomain.port = p->remote_port;
        break;
    case ECS_VIRQ:
        st->status = EVTCHNSTAT_virq;
        st->u.virq = p->virq;
        break;
    case ECS_IPI:
        st->status = EVTCHNSTAT_ipi;
        break;
    default:
        st->status = EVTCHNSTAT_pirq;
        break;
    }
out:
    pthread_mutex_unlock(&evtchn_lock);
    return rc;
}

int evtchn_bind_vcpu(struct evtchn_dom *ed, uint32_t port, uint32_t vcpu)
{
    struct evtchn_port *p;
    int rc = 0;

    pthread_mutex_lock(&evtchn_lock);
    if (vcpu >= ed->nr_vcpus) {
        rc = -ENOENT;
    } else if (!port_valid(ed, port)) {
        rc = -EINVAL;
    } else {
        p = port_get(ed, port);
        switch (p->state) {
        case ECS_VIRQ:
            if (!evtchn_virq_is_global(p->virq)) {
                rc = -EINVAL;
                break;
            }
            /* A global VIRQ keeps its binding slot on vCPU 0. */
            p->vcpu = (uint16_t)vcpu;
            break;
        case ECS_UNBOUND:
        case ECS_INTERDOMAIN:
        case ECS_PIRQ:
            p->vcpu = (uint16_t)vcpu;
            break;
        default:
            rc = -EINVAL;
            break;
        }
    }
    pthread_mutex_unlock(&evtchn_lock);
    return rc;
}

int evtchn_unmask(struct evtchn_dom *ed, uint32_t port)
{
    int rc = 0;

    pthread_mutex_lock(&evtchn_lock);
    if (!port_valid(ed, port)) {
        rc = -EINVAL;
    } else if (ed->fifo) {
        /* As in Xen, the hypercall clears MASKED itself (Linux leaves a
         * pending event masked and asks us), then queues a pending event. */
        uint32_t *w = fifo_word(ed, port);
        if (w && (__atomic_and_fetch(w, ~FIFO_MASKED, __ATOMIC_SEQ_CST) & FIFO_PENDING))
            fifo_set_pending(ed, port_get(ed, port), port);
    } else if (ed->shinfo && !ed->is_dom0) {
        struct evtchn_port *p = port_get(ed, port);
        if (evtchn_2l_unmask(ed->shinfo, ed->compat, vinfo(ed, p->vcpu), port) &&
            ed->ops && ed->ops->upcall)
            ed->ops->upcall(ed, p->vcpu);
    }
    pthread_mutex_unlock(&evtchn_lock);
    return rc;
}

int evtchn_reset(struct evtchn_dom *ed)
{
    pthread_mutex_lock(&evtchn_lock);
    close_all_locked(ed);
    ed->fifo = false;
    free(ed->fifo_vcpu);
    ed->fifo_vcpu = NULL;
    memset(ed->fifo_array, 0, sizeof(ed->fifo_array));
    ed->fifo_pages = 0;
    pthread_mutex_unlock(&evtchn_lock);
    return 0;
}

int evtchn_set_priority(struct evtchn_dom *ed, uint32_t port, uint32_t priority)
{
    int rc = 0;

    pthread_mutex_lock(&evtchn_lock);
    if (!ed->fifo)
        rc = -ENOSYS;             /* priorities exist only in the FIFO ABI */
    else if (priority > EVTCHN_FIFO_PRIORITY_MIN)
        rc = -EINVAL;
    else if (!port_valid(ed, port))
        rc = -EINVAL;
    else
        port_get(ed, port)->priority = (uint8_t)priority;
    pthread_mutex_unlock(&evtchn_lock);
    return rc;
}

uint32_t evtchn_send_virq(struct evtchn_dom *ed, uint32_t virq, uint32_t vcpu)
{
    uint32_t port = 0;

    if (virq >= NR_VIRQS)
        return 0;
    if (evtchn_virq_is_global(virq))
        vcpu = 0;
    pthread_mutex_lock(&evtchn_lock);
    if (!ed->dying && ed->virq && vcpu < ed->nr_vcpus) {
        port = ed->virq[vcpu][virq];
        if (port)
            set_pending(ed, port);
    }
    pthread_mutex_unlock(&evtchn_lock);
    return port;
}

bool evtchn_is_pending(struct evtchn_dom *ed, uint32_t port)
{
    bool r = false;

    pthread_mutex_lock(&evtchn_lock);
    if (ed->fifo) {
        uint32_t *w = fifo_word(ed, port);
        r = w && (__atomic_load_n(w, __ATOMIC_SEQ_CST) & FIFO_PENDING);
    } else if (ed->shinfo &&
               port < (ed->compat ? EVTCHN_MAX_PORTS_2L_32 : EVTCHN_MAX_PORTS_2L_64)) {
        r = evtchn_2l_is_pending(ed->shinfo, ed->compat, port);
    }
    pthread_mutex_unlock(&evtchn_lock);
    return r;
}

bool evtchn_upcall_pending(struct evtchn_dom *ed, unsigned int vcpu)
{
    const uint8_t *vi;

    /* Lock-free: vcpu_info pointers change only while the vCPU that reads
     * them is stopped (registration is done by the vCPU itself). */
    if (!ed->vcpu_info || vcpu >= ed->nr_vcpus)
        return false;
    vi = ed->vcpu_info[vcpu];
    return vi && __atomic_load_n(&vi[0], __ATOMIC_ACQUIRE);
}

/* ---- dom0 ports ------------------------------------------------------------ */

static int dom0_alloc(struct evtchn_dom *d0, void *owner, uint32_t *port)
{
    int rc = port_alloc(d0, port);

    if (rc == 0)
        port_get(d0, *port)->owner = owner;
    return rc;
}

int evtchn_dom0_bind_unbound(struct evtchn_dom *d0, void *owner, domid_t remote,
                             uint32_t *port)
{
    int rc;

    pthread_mutex_lock(&evtchn_lock);
    rc = dom0_alloc(d0, owner, port);
    if (rc == 0) {
        struct evtchn_port *p = port_get(d0, *port);
        p->state = ECS_UNBOUND;
        p->remote_domid = remote;
    }
    pthread_mutex_unlock(&evtchn_lock);
    return rc;
}

int evtchn_dom0_bind_interdomain(struct evtchn_dom *d0, void *owner, struct evtchn_dom *rd,
                                 uint32_t rport, uint32_t *port)
{
    int rc;

    pthread_mutex_lock(&evtchn_lock);
    rc = check_bindable(d0, rd, rport);
    if (rc == 0)
        rc = dom0_alloc(d0, owner, port);
    if (rc == 0)
        rc = bind_interdomain_locked(d0, rd, rport, *port);
    pthread_mutex_unlock(&evtchn_lock);
    return rc;
}

int evtchn_dom0_bind_virq(struct evtchn_dom *d0, void *owner, uint32_t virq, uint32_t *port)
{
    int rc;

    if (virq >= NR_VIRQS || !evtchn_virq_is_global(virq))
        return -EINVAL;
    pthread_mutex_lock(&evtchn_lock);
    if (d0->virq[0][virq]) {
        rc = -EEXIST;
    } else if ((rc = dom0_alloc(d0, owner, port)) == 0) {
        struct evtchn_port *p = port_get(d0, *port);
        p->state = ECS_VIRQ;
        p->virq = (uint8_t)virq;
        d0->virq[0][virq] = *port;
    }
    pthread_mutex_unlock(&evtchn_lock);
    return rc;
}

static bool owned(struct evtchn_dom *d0, void *owner, uint32_t port)
{
    return port_valid(d0, port) && port_get(d0, port)->owner == owner;
}

int evtchn_dom0_unbind(struct evtchn_dom *d0, void *owner, uint32_t port)
{
    int rc = 0;

    pthread_mutex_lock(&evtchn_lock);
    if (!owned(d0, owner, port))
        rc = -EINVAL;
    else
        close_locked(d0, port);
    pthread_mutex_unlock(&evtchn_lock);
    return rc;
}

int evtchn_dom0_notify(struct evtchn_dom *d0, void *owner, uint32_t port)
{
    int rc;

    pthread_mutex_lock(&evtchn_lock);
    rc = owned(d0, owner, port) ? 0 : -EINVAL;
    pthread_mutex_unlock(&evtchn_lock);
    return rc ? rc : evtchn_send(d0, port);
}

void evtchn_dom0_release(struct evtchn_dom *d0, void *owner)
{
    pthread_mutex_lock(&evtchn_lock);
    for (unsigned b = 0; b < EVTCHN_MAX_BUCKETS; b++) {
        if (!d0->bucket[b])
            continue;
        for (unsigned i = 0; i < EVTCHN_BUCKET; i++) {
            uint32_t port = b * EVTCHN_BUCKET + i;
            if (owned(d0, owner, port))
                close_locked(d0, port);
        }
    }
    pthread_mutex_unlock(&evtchn_lock);
}

/* ---- FIFO ABI set-up ------------------------------------------------------------ */

int evtchn_fifo_init_control(struct evtchn_dom *ed, uint32_t vcpu, void *cb_page,
                             uint32_t offset)
{
    int rc = 0;

    if (vcpu >= ed->nr_vcpus)
        return -ENOENT;
    if ((offset & 7) || offset > 4096 - sizeof(struct evtchn_fifo_control_block))
        return -EINVAL;
    if (!cb_page)
        return -EINVAL;
    pthread_mutex_lock(&evtchn_lock);
    if (!ed->fifo_vcpu) {
        ed->fifo_vcpu = calloc(ed->nr_vcpus, sizeof(*ed->fifo_vcpu));
        if (!ed->fifo_vcpu) {
            rc = -ENOMEM;
            goto out;
        }
    }
    if (ed->fifo_vcpu[vcpu].cb) {
        rc = -EINVAL;             /* once per vCPU */
        goto out;
    }
    ed->fifo_vcpu[vcpu].cb = (struct evtchn_fifo_control_block *)((uint8_t *)cb_page + offset);
    memset(ed->fifo_vcpu[vcpu].tail, 0, sizeof(ed->fifo_vcpu[vcpu].tail));
    if (!ed->fifo) {
        /* Switching ABI: what was pending in the 2-level bitmaps is
         * carried over and raised once the ports have event words. */
        for (unsigned b = 0; b < EVTCHN_MAX_BUCKETS; b++) {
            if (!ed->bucket[b])
                continue;
            for (unsigned i = 0; i < EVTCHN_BUCKET; i++) {
                uint32_t port = b * EVTCHN_BUCKET + i;
                struct evtchn_port *p = &ed->bucket[b][i];
                if (p->state == ECS_FREE || p->state == ECS_RESERVED)
                    continue;
                p->priority = EVTCHN_FIFO_PRIORITY_DEFAULT;
                if (ed->shinfo && port < EVTCHN_MAX_PORTS_2L_32 &&
                    evtchn_2l_is_pending(ed->shinfo, ed->compat, port))
                    p->carry = 1;
            }
        }
        ed->fifo = true;
    }
out:
    pthread_mutex_unlock(&evtchn_lock);
    return rc;
}

int evtchn_fifo_expand_array(struct evtchn_dom *ed, void *page)
{
    int rc = 0;

    pthread_mutex_lock(&evtchn_lock);
    if (!ed->fifo) {
        rc = -EINVAL;
    } else if (!page) {
        rc = -EINVAL;
    } else if (ed->fifo_pages >= EVTCHN_FIFO_PAGES_MAX ||
               ed->fifo_pages * FIFO_WORDS_PER_PAGE > ed->max_port) {
        rc = -ENOSPC;
    } else {
        unsigned pg = ed->fifo_pages++;
        ed->fifo_array[pg] = page;
        /* Raise what was waiting for these words. */
        for (uint32_t port = pg * FIFO_WORDS_PER_PAGE;
             port < (pg + 1) * FIFO_WORDS_PER_PAGE && port <= ed->max_port; port++) {
            struct evtchn_port *p = port_get(ed, port);
            if (p && p->carry && p->state != ECS_FREE) {
                p->carry = 0;
                fifo_set_pending(ed, p, port);
            }
        }
    }
    pthread_mutex_unlock(&evtchn_lock);
    return rc;
}
