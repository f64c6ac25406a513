/* Event channels: ports, their state machine, and delivery.
 *
 * The core knows nothing of KVM or sockets: a domain's event channels are a
 * struct evtchn_dom, and delivery goes through an ops table (raise a vCPU's
 * upcall, wake pollers, notify a dom0 process), so unit tests drive it with
 * tables of operations against a fake shared-info page.
 *
 * Locking: one global lock (evtchn_lock) protects every port table and the
 * links between domains.  A port's remote domain pointer is valid while
 * the lock is held: a dying domain closes its ports under the lock before
 * it is freed.  Pending/mask bits live in guest memory and are updated
 * with atomic operations, as the guest updates them concurrently.
 *
 * 2-level ABI: the pending and mask bitmaps in shared info, a selector
 * word and the upcall flag in each vCPU's vcpu_info; the layout (32- or
 * 64-bit) is latched per domain.  FIFO ABI: control blocks per vCPU and
 * event arrays of 32-bit words, set up by EVTCHNOP_init_control.
 */
#ifndef XK_EVTCHN_H
#define XK_EVTCHN_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <xen/xen.h>
#include <xen/event_channel.h>

#define EVTCHN_BUCKET 512
#define EVTCHN_MAX_PORTS_2L_64 4096
#define EVTCHN_MAX_PORTS_2L_32 1024
#define EVTCHN_MAX_PORTS_FIFO (1u << 17)
#define EVTCHN_MAX_BUCKETS (EVTCHN_MAX_PORTS_FIFO / EVTCHN_BUCKET)
#define EVTCHN_FIFO_PAGES_MAX (EVTCHN_MAX_PORTS_FIFO / 1024)

enum evtchn_state {
    ECS_FREE = 0,
    ECS_RESERVED,       /* port 0 */
    ECS_UNBOUND,
    ECS_INTERDOMAIN,
    ECS_PIRQ,
    ECS_VIRQ,
    ECS_IPI,
};

struct evtchn_dom;

struct evtchn_port {
    uint8_t state;
    uint8_t priority;             /* FIFO */
    uint8_t virq;
    uint8_t carry;                /* FIFO: pending before its event word existed */
    uint16_t vcpu;                /* notify vCPU */
    domid_t remote_domid;         /* unbound: who may bind; interdomain: peer */
    uint32_t remote_port;
    struct evtchn_dom *remote;    /* interdomain: peer (under evtchn_lock) */
    void *owner;                  /* dom0 ports: the binding handle */
    /* FIFO: the queue this event was last linked on, for moves. */
    uint16_t fifo_last_vcpu;
    uint8_t fifo_last_priority;
};

/* FIFO ABI state of one vCPU: its control block and queue tails. */
struct evtchn_fifo_vcpu {
    struct evtchn_fifo_control_block *cb;   /* in guest memory; NULL: not set up */
    uint32_t tail[EVTCHN_FIFO_MAX_QUEUES];
};

struct evtchn_ops {
    /* vCPU `vcpu`'s upcall became pending (2-level: upcall_pending went
     * 0 -> 1; FIFO: the ready word changed). */
    void (*upcall)(struct evtchn_dom *ed, unsigned int vcpu);
    /* Something may have become pending: wake vCPUs polling ports. */
    void (*wake_pollers)(struct evtchn_dom *ed, uint32_t port);
    /* A dom0 port became pending: tell the process that owns it. */
    void (*dom0_notify)(struct evtchn_dom *ed, struct evtchn_port *p, uint32_t port);
};

struct evtchn_dom {
    domid_t domid;
    bool is_dom0;                 /* ports delivered to processes */
    bool dying;
    const struct evtchn_ops *ops;
    void *ctx;                    /* the struct domain */
    unsigned int nr_vcpus;
    uint32_t max_port;            /* highest usable port */
    struct evtchn_port *bucket[EVTCHN_MAX_BUCKETS];
    uint32_t (*virq)[NR_VIRQS];   /* per vCPU; 0 = unbound */
    /* 2-level */
    uint8_t *shinfo;              /* shared info page (host pointer) */
    bool compat;                  /* 32-bit shared info layout */
    uint8_t **vcpu_info;          /* per vCPU: its vcpu_info (host pointer) */
    /* FIFO */
    bool fifo;
    struct evtchn_fifo_vcpu *fifo_vcpu;
    uint32_t *fifo_array[EVTCHN_FIFO_PAGES_MAX];
    unsigned int fifo_pages;
    /* Counters, for diagnostics. */
    uint64_t sends;
};

extern pthread_mutex_t evtchn_lock;

int evtchn_dom_init(struct evtchn_dom *ed, domid_t domid, unsigned int nr_vcpus,
                    uint32_t max_port, const struct evtchn_ops *ops, void *ctx);
/* Closes every port (the peers' ends become unbound) and frees the table. */
void evtchn_dom_destroy(struct evtchn_dom *ed);
/* Points the 2-level machinery at the shared info page and vcpu_infos. */
void evtchn_set_shinfo(struct evtchn_dom *ed, uint8_t *shinfo, bool compat);
void evtchn_set_vcpu_info(struct evtchn_dom *ed, unsigned int vcpu, uint8_t *vcpu_info);

/* Guest operations.  `rd` is the remote domain for bind_interdomain
 * (already looked up, may be ed itself).  Each takes evtchn_lock. */
int evtchn_alloc_unbound(struct evtchn_dom *ed, domid_t remote_dom, uint32_t *port);
int evtchn_bind_interdomain(struct evtchn_dom *ed, struct evtchn_dom *rd, uint32_t rport,
                            uint32_t *lport);
int evtchn_bind_virq(struct evtchn_dom *ed, uint32_t virq, uint32_t vcpu, uint32_t *port);
int evtchn_bind_ipi(struct evtchn_dom *ed, uint32_t vcpu, uint32_t *port);
int evtchn_close(struct evtchn_dom *ed, uint32_t port);
int evtchn_send(struct evtchn_dom *ed, uint32_t port);
int evtchn_status(struct evtchn_dom *ed, struct evtchn_status *st);
int evtchn_bind_vcpu(struct evtchn_dom *ed, uint32_t port, uint32_t vcpu);
int evtchn_unmask(struct evtchn_dom *ed, uint32_t port);
int evtchn_reset(struct evtchn_dom *ed);
int evtchn_set_priority(struct evtchn_dom *ed, uint32_t port, uint32_t priority);
/* FIFO ABI set-up; the pages are the guest's (host pointers, NULL when
 * the gfn is not RAM). */
int evtchn_fifo_init_control(struct evtchn_dom *ed, uint32_t vcpu, void *cb_page,
                             uint32_t offset);
int evtchn_fifo_expand_array(struct evtchn_dom *ed, void *page);

/* Raises VIRQ `virq` on `vcpu` (global VIRQs: vCPU 0).  Returns the port
 * or 0 when the VIRQ is not bound. */
uint32_t evtchn_send_virq(struct evtchn_dom *ed, uint32_t virq, uint32_t vcpu);
bool evtchn_virq_is_global(uint32_t virq);

/* True when `port` is pending (for SCHEDOP_poll). */
bool evtchn_is_pending(struct evtchn_dom *ed, uint32_t port);
/* The vCPU's upcall flag (2-level: vcpu_info.evtchn_upcall_pending). */
bool evtchn_upcall_pending(struct evtchn_dom *ed, unsigned int vcpu);

/* dom0 ports, bound by processes: `owner` identifies the binding. */
int evtchn_dom0_bind_unbound(struct evtchn_dom *d0, void *owner, domid_t remote,
                             uint32_t *port);
int evtchn_dom0_bind_interdomain(struct evtchn_dom *d0, void *owner, struct evtchn_dom *rd,
                                 uint32_t rport, uint32_t *port);
int evtchn_dom0_bind_virq(struct evtchn_dom *d0, void *owner, uint32_t virq, uint32_t *port);
int evtchn_dom0_unbind(struct evtchn_dom *d0, void *owner, uint32_t port);
int evtchn_dom0_notify(struct evtchn_dom *d0, void *owner, uint32_t port);
/* Closes every port the owner bound. */
void evtchn_dom0_release(struct evtchn_dom *d0, void *owner);

/* 2-level bit logic on a shared info page (pure; exported for tests).
 * set_pending returns true when the vCPU's upcall must be raised. */
bool evtchn_2l_set_pending(uint8_t *shinfo, bool compat, uint8_t *vcpu_info, uint32_t port);
bool evtchn_2l_is_pending(const uint8_t *shinfo, bool compat, uint32_t port);
bool evtchn_2l_is_masked(const uint8_t *shinfo, bool compat, uint32_t port);
bool evtchn_2l_unmask(uint8_t *shinfo, bool compat, uint8_t *vcpu_info, uint32_t port);
void evtchn_2l_clear_pending(uint8_t *shinfo, bool compat, uint32_t port);

#endif
