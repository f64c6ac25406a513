/* xen: the xenkvm hypervisor daemon -- private interfaces.
 *
 * Threads and locks
 * -----------------
 * - The main thread runs the control socket (ctl.c) and owns the domain
 *   table: only it creates and destroys domains, so it may read the table
 *   without a lock.  hv.lock protects the table against readers on other
 *   threads (vCPU threads look up domains for cross-domain operations);
 *   hv.mem_lock, a leaf lock, the page accounting.
 * - One thread per vCPU (vcpu.c) runs KVM_RUN and handles that vCPU's exits,
 *   including its hypercalls.  A vCPU thread touches its own vcpu freely;
 *   everything shared within a domain goes through d->lock.
 * - d->lock protects the domain's run state (pause count, shutdown,
 *   dying), the vCPU quiescence counters, the parameters and the p2m.
 *   d->cond is signalled on every vCPU state change.
 * - The console ring has its own lock (console.c).
 * Lock order: hv.lock, then evtchn_lock or gnttab_lock, then d->lock, then
 * the p2m, console and mem locks (leaves).
 */
#ifndef XK_XEN_H
#define XK_XEN_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <linux/kvm.h>

#include <xen/xen.h>
#include <xen/domctl.h>
#include <xen/hvm/params.h>
#include <xen/hvm/hvm_op.h>
#include <xen/memory.h>

#include "log.h"
#include "util.h"
#include "xk-abi.h"
#include "xk-ctl.h"
#include "vlapic.h"
#include "p2m.h"
#include "evtchn.h"

#define XK_XEN_MAJOR 4
#define XK_XEN_MINOR 17
#define XK_XEN_EXTRA ".0-xenkvm"

#define XK_PAGE_SHIFT 12
#define XK_PAGE_SIZE  4096UL

#define XK_MAX_VCPUS 128
#define XK_MAX_PCPUS 4096
#define XK_DEFAULT_MAX_EVTCHN 1023
#define XK_MAX_E820 128

struct domain;
struct hcall;

/* Where a vCPU thread is, for kicks (see vcpu_kick). */
enum vcpu_mode {
    VCPU_OUTSIDE = 0,   /* in xen code, will check for work before entering */
    VCPU_IN_GUEST,      /* in (or about to enter) KVM_RUN */
    VCPU_BLOCKED,       /* waiting in vcpu_block() for an event */
    VCPU_POLLING,       /* blocked, but spinning on its work flags first */
    VCPU_PARKED,        /* stopped: paused, shut down, down, or not started */
};

/* Work flags another thread may set for a vCPU (vcpu->work). */
#define VCPU_WORK_STOP     (1u << 0)   /* re-check run state */
#define VCPU_WORK_IRQ      (1u << 1)   /* an interrupt may be deliverable */
#define VCPU_WORK_TIMER    (1u << 2)   /* a host timer fired */
#define VCPU_WORK_INIT     (1u << 3)   /* INIT IPI: reset, wait for SIPI */
#define VCPU_WORK_SIPI     (1u << 4)   /* start-up IPI (vector in sipi_vector) */
#define VCPU_WORK_NMI      (1u << 5)   /* NMI pending */

struct vcpu {
    struct domain *domain;
    unsigned int id;
    int fd;                          /* KVM vCPU fd; -1 when closed */
    struct kvm_run *run;
    size_t run_size;
    pthread_t thread;
    bool thread_started;
    pid_t tid;
    int wake_fd;                     /* eventfd: wakes a blocked vCPU */

    _Atomic int mode;                /* enum vcpu_mode */
    _Atomic unsigned int work;       /* VCPU_WORK_* */

    /* Protected by d->lock. */
    bool online;                     /* initialised and not down */
    bool quiescent;                  /* parked or blocked: not in guest */

    /* Touched only by the vCPU thread. */
    struct vlapic lapic;
    timer_t host_timer;
    bool host_timer_ok;
    timer_t window_timer;            /* kicks while an interrupt waits for a window */
    bool window_timer_ok;
    uint64_t window_kick_ns;         /* when window_timer fires */
    uint64_t timer_armed_ns;         /* deadline the host timer is set for */
    uint64_t halt_poll_ns;           /* current halt-polling window */
    timer_t cap_timer;               /* thread CPU-time timer: ends a slice */
    bool cap_timer_ok;
    uint64_t cap_last_cpu_ns;        /* thread CPU time last accounted */
    uint64_t dbg_t_out, dbg_blk;
    bool cap_accounting;             /* capped: its CPU time is counted */
    uint64_t exits;
    uint64_t hypercalls;
    uint64_t run_ns;                 /* time spent in KVM_RUN */
    int64_t tsc_offset;              /* guest TSC - host TSC */
    bool nmi_pending;
    bool continuation;               /* the current hypercall asked to be re-run */

    /* Event delivery (vCPU thread, except where noted). */
    uint8_t upcall_vector;           /* HVMOP_set_evtchn_upcall_vector; 0 none */
    uint64_t vcpu_info_gfn;          /* registered vcpu_info, or ~0: in shared info */
    uint32_t vcpu_info_off;
    uint8_t dummy_vcpu_info[64];     /* for vCPUs >= 32 without a registered one */
    const uint32_t *poll_ports;      /* SCHEDOP_poll in progress */
    unsigned int nr_poll_ports;

    /* Timers (vCPU thread); deadlines in system time (ns), 0 = off. */
    uint64_t singleshot_ns;
    uint64_t periodic_period_ns;
    uint64_t periodic_next_ns;
    uint64_t time_info_ns;           /* when vcpu_time_info was last written */

    /* Affinity (main thread): one bit per pCPU. */
    uint8_t aff_hard[XK_MAX_PCPUS / 8];
    uint8_t aff_soft[XK_MAX_PCPUS / 8];

    /* Runstate (vCPU thread). */
    uint64_t runstate_la;            /* guest linear address of the area, 0 none */
    int runstate_state;              /* RUNSTATE_* */
    uint64_t runstate_entry_ns;
    uint64_t runstate_time[4];
    bool initialised;                /* has a context: VCPUOP_up may start it (d->lock) */

    /* INIT/SIPI (d->lock) */
    bool wait_for_sipi;              /* reset by INIT, waiting for a SIPI */
    uint8_t sipi_vector;
};

enum domain_state_bits {
    DS_DYING = 1,
};

struct console_buf {
    char line[256];
    size_t len;
    /* Token bucket (bytes) for rate limiting guest output. */
    uint64_t tokens;
    uint64_t last_refill_ns;
    uint64_t suppressed;
};

struct domain {
    domid_t domid;
    uint8_t handle[16];
    uint32_t create_flags;           /* XEN_DOMCTL_CDF_* */
    bool is_privileged;              /* dom0 */
    unsigned int max_vcpus;
    uint32_t max_evtchn_port;
    int32_t max_grant_frames;
    int32_t max_maptrack_frames;
    uint64_t create_ns;

    pthread_mutex_t lock;
    pthread_cond_t cond;

    /* Protected by d->lock. */
    unsigned int pause_count;        /* controller pauses */
    bool is_shutdown;
    unsigned int shutdown_reason;    /* SHUTDOWN_* */
    int shutdown_code;               /* from SCHEDOP_shutdown_code, -1 none */
    bool is_dying;
    bool started;                    /* unpaused at least once */
    unsigned int nr_online;          /* vCPUs online (not down) */
    uint64_t params[HVM_NR_PARAMS];
    uint64_t vm_assist;
    struct xk_e820 e820[XK_MAX_E820];
    unsigned int nr_e820;

    /* KVM and memory.  Guest memory is one memfd mapped at mem_base;
     * pages are handed out from it by a bump allocator (mem_next_off,
     * d->lock) and placed in the guest by the p2m. */
    int vm_fd;                       /* -1 when closed */
    int mem_fd;                      /* -1 when closed */
    uint8_t *mem_base;
    uint64_t mem_reserve;            /* bytes of address space at mem_base */
    uint64_t mem_next_off;
    uint64_t mem_file_size;
    struct p2m p2m;                  /* own lock */
    uint32_t emulation_flags;        /* XEN_X86_EMU_* */
    struct uart16550 *uart;          /* HVM-type domains only */
    uint64_t unclaimed_logged;       /* rate limit for unclaimed accesses */
    uint64_t unclaimed_count;
    uint64_t tot_pages;              /* RAM pages (hv.mem_lock) */
    uint64_t max_pages;              /* hv.mem_lock */
    uint64_t shared_info_off;        /* memfd offset of the shared info page */
    uint64_t shared_info_gfn;        /* where the guest mapped it, or ~0 */

    /* Scheduling (sched.c): credit2's parameters, carried out by the
     * host's scheduler: the weight as the vCPU threads' nice value, the
     * cap as a CPU-time budget per period shared by the vCPUs. */
    _Atomic uint32_t sched_weight;   /* 1..65535, 256 default */
    _Atomic uint32_t sched_cap;      /* % of one CPU; 0: none */
    _Atomic uint64_t cap_used_ns;    /* CPU time used in this period */
    _Atomic uint64_t cap_period_end; /* xk_now_ns() at which it ends */

    struct vcpu *vcpus[XK_MAX_VCPUS];
    struct kvm_cpuid2 *cpuid;        /* template, patched per vCPU */

    struct console_buf con;          /* console lock */
    uint64_t cpu_time_ns;            /* sum of vCPU run time (approx) */

    struct gnttab *gnttab;           /* gnttab.c (gnttab_lock) */

    /* Event channels (evtchn_lock), callback and time. */
    struct evtchn_dom ev;
    bool ev_ready;
    uint8_t callback_vector;         /* HVM_PARAM_CALLBACK_IRQ, vector type; 0 none */
    bool shinfo_latched;
    _Atomic uint64_t poll_mask[XK_MAX_VCPUS / 64];   /* vCPUs in SCHEDOP_poll */
    int64_t time_offset_s;           /* XEN_DOMCTL_settimeoffset */
};

struct hv {
    const char *run_dir;
    int kvm_fd;
    int kvm_run_size;
    uint64_t budget_pages;           /* memory for guests */
    uint64_t host_pages;             /* host RAM */
    unsigned int pcpus;
    uint32_t tsc_khz;
    struct kvm_cpuid2 *supported_cpuid;

    pthread_mutex_t lock;            /* the domain table */
    pthread_mutex_t mem_lock;        /* page accounting: used_pages, tot/max_pages */
    uint64_t used_pages;             /* hv.mem_lock */
    struct domain *domains[DOMID_FIRST_RESERVED];   /* hv.lock for readers off the main thread */
    unsigned int nr_domains;
    domid_t next_domid;
    _Atomic uint32_t state_gen;      /* bumped on every domain state change */

    int notify_fd;                   /* eventfd: vCPU threads -> main loop */
    uint64_t boot_ns;
    const char *cmdline;             /* our own command line, for XENVER_commandline */
    uint64_t halt_poll_max_ns;       /* --halt-poll: 0 disables halt-polling */
};

extern struct hv hv;

/* sched.c */
#define XK_SCHEDULER XEN_SCHEDULER_CREDIT2   /* what we answer for */
void sched_domain_init(struct domain *d);
int sched_set(struct domain *d, int weight, int cap);   /* <= 0: unchanged weight; cap < 0 */
void sched_vcpu_start(struct vcpu *v);                  /* on the vCPU thread */
void sched_vcpu_stop(struct vcpu *v);
bool sched_before_run(struct vcpu *v);                  /* false: throttled, loop again */
void sched_after_run(struct vcpu *v);

/* keys.c: debug keys (XEN_SYSCTL_debug_keys); main thread */
void debug_keys(const char *keys, size_t n);

/* main.c */
void hv_notify(void);                /* wake the main loop: state changed */

/* event.c: event channels in the hypervisor */
int event_domain_init(struct domain *d);
void event_domain_fini(struct domain *d);
/* Latches the shared-info layout from the calling vCPU's mode. */
void event_latch_shinfo(struct vcpu *v);
/* (Re)computes where vCPU v's vcpu_info lives. */
void event_update_vcpu_info(struct vcpu *v);
uint8_t *event_vcpu_info(struct vcpu *v);
void event_set_callback_irq(struct domain *d, uint64_t value);
void event_set_upcall_vector(struct vcpu *v, uint8_t vector);
/* Raises VIRQ_DOM_EXC in dom0: a domain shut down or died. */
void event_dom_exc(void);
/* Raises VIRQ_CON_RING in dom0: the console ring got output. */
void event_con_ring(void);
/* The vector to inject for an event upcall now, or -1. */
int event_pending_vector(struct vcpu *v);
long do_event_channel_op(struct vcpu *v, struct hcall *h);

/* time.c: system time, vcpu_time_info, wallclock, guest timers */
uint64_t time_system_ns(void);
void time_update_vcpu(struct vcpu *v);
void time_update_wallclock(struct domain *d);
void time_init(void);
/* Fires due timers (VIRQ_TIMER); returns the next deadline (0 none). */
uint64_t time_check_timers(struct vcpu *v, uint64_t now);
long do_set_timer_op(struct vcpu *v, struct hcall *h);

/* gnttab.c */
struct gnttab;
int gnttab_domain_init(struct domain *d);
void gnttab_domain_fini(struct domain *d);
int gnttab_map_frame(struct domain *d, uint64_t idx, uint64_t gpfn);
int gnttab_seed(struct domain *d, uint64_t console_gfn, uint64_t xenstore_gfn,
                domid_t console_domid, domid_t xenstore_domid);
long do_grant_table_op(struct vcpu *v, struct hcall *h);
/* dom0 processes; return GNTST_* codes.  Main thread. */
int gnttab_dom0_map(domid_t dom, uint32_t ref, bool readonly, uint64_t *off, int *fd);
void gnttab_dom0_unmap(domid_t dom, uint32_t ref, bool readonly);
int gnttab_dom0_copy(domid_t dom, uint32_t ref, uint16_t offset, uint16_t len, bool to_guest,
                     void *buf);

/* hc-vcpu.c */
long do_vcpu_op(struct vcpu *v, struct hcall *h);
void runstate_set(struct vcpu *v, int state);

/* console.c: the hypervisor console ring (xl dmesg) */
void console_init(size_t size);
void console_fini(void);
void hv_printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void hv_dprintk(struct domain *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Guest output (console_io, port 0xE9): buffered per line, rate limited. */
void console_guest_write(struct domain *d, const char *buf, size_t len);
void console_guest_flush(struct domain *d);
/* sysctl readconsole semantics; returns bytes copied. */
uint32_t console_read(char *buf, uint32_t max, int clear, int incremental, uint32_t *index);
uint32_t console_producer(void);

/* domain.c */
int domain_init_dom0(void);
int domain_create(const struct xen_domctl_createdomain *cfg, domid_t want, domid_t *out);
int domain_destroy(struct domain *d);
void domain_destroy_all(void);
struct domain *domain_lookup(domid_t domid);   /* main thread, or under hv.lock */
int domain_pause(struct domain *d);
int domain_unpause(struct domain *d);
void domain_shutdown(struct domain *d, unsigned int reason);
void domain_crash(struct domain *d, const char *why);
void domain_getinfo(struct domain *d, struct xen_domctl_getdomaininfo *info);
int domain_populate(struct domain *d, uint64_t gfn, uint64_t nr);
int domain_set_maxmem(struct domain *d, uint64_t max_kb);
int domain_decrease(struct domain *d, uint64_t gfn, uint64_t nr);
uint64_t domain_vcpu_cpu_time(struct vcpu *v);   /* ns of host CPU the vCPU used */
uint64_t domain_max_gpfn(struct domain *d);
/* Maps a xen-owned page (shared info) at gfn in the guest. */
int domain_map_xen_page(struct domain *d, uint64_t off, uint64_t gfn);
void *domain_gpa_ptr(struct domain *d, uint64_t gpa, size_t len, bool write);
/* A zeroed page of the domain's memory file for xen's own use. */
int domain_alloc_xen_page(struct domain *d, uint64_t *off);
/* RAM pages at off were replaced in the p2m: release and unaccount them. */
void domain_drop_ram(struct domain *d, uint64_t off, uint64_t pages);
void domain_vcpu_down(struct vcpu *v);  /* vCPU thread: this vCPU goes down */

/* vcpu.c */
int vcpu_create(struct domain *d, unsigned int id);
void vcpu_join(struct vcpu *v);       /* stops and joins the thread */
void vcpu_destroy(struct vcpu *v);
int vcpu_start_thread(struct vcpu *v);
void vcpu_kick(struct vcpu *v, unsigned int work);
void vcpu_stop_all(struct domain *d);        /* kick and wait for quiescence */
/* Blocks the calling vCPU thread until an interrupt is deliverable,
 * deadline (xk_now_ns scale, 0 = none) passes, or the vCPU must stop.
 * Returns 1 on event, 0 on timeout, -1 when stopping. */
int vcpu_block(struct vcpu *v, uint64_t deadline_ns);
/* SCHEDOP_poll: blocks until one of ports is pending (or an interrupt can
 * be delivered, or the deadline passes). */
int vcpu_poll(struct vcpu *v, const uint32_t *ports, unsigned int nr, uint64_t deadline_ns);
int vcpu_set_hvm_context(struct vcpu *v, const void *hw_cpu /* struct hvm_hw_cpu */);
/* A segment from the access rights of Xen's HVM contexts (type, S, DPL, P,
 * AVL, L, D/B, G in bits 0..11); not present means unusable. */
void vcpu_seg_from_ar(struct kvm_segment *s, uint32_t sel, uint64_t base, uint32_t limit,
                      uint32_t ar);
int vcpu_get_hvm_context(struct vcpu *v, void *hw_cpu /* struct hvm_hw_cpu */);
void vcpu_dump_regs(struct vcpu *v, const char *why);
void vcpu_signals_init(void);
/* Pins the vCPU thread to the host CPUs of its hard affinity. */
void vcpu_apply_affinity(struct vcpu *v);
/* The host CPU the vCPU thread last ran on, or -1. */
int vcpu_last_cpu(struct vcpu *v);
void vcpu_sync_tsc(struct vcpu *v);
/* True when the vCPU thread should drop what it is doing (a long
 * hypercall) because the domain is stopping. */
bool vcpu_should_yield(struct vcpu *v);

/* cpuid.c */
int cpuid_init(void);
struct kvm_cpuid2 *cpuid_for_domain(struct domain *d);
int cpuid_set_vcpu(struct vcpu *v);

/* platform.c: port and MMIO dispatch */
void platform_pio(struct vcpu *v, uint16_t port, bool out, unsigned size, void *data);
void platform_mmio(struct vcpu *v, uint64_t gpa, bool write, unsigned len, void *data);

/* hypercall.c */
void hypercall_init_page(struct domain *d, uint8_t *page);
void hypercall_dispatch(struct vcpu *v);
int hypercall_msr_write(struct vcpu *v, uint64_t val);

#endif
