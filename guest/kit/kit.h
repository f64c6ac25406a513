/* The xenkvm guest kit: everything a freestanding PVH test guest needs.
 *
 * A guest defines guest_main(); the kit enters it in 64-bit long mode with
 * the low 4 GiB identity-mapped (2 MiB pages), its GDT and IDT loaded,
 * interrupts disabled, and the hypercall page ready.  Returning 0 powers the
 * domain off, anything else crashes it.  See guest/README.md. */
#ifndef KIT_H
#define KIT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <xen/xen.h>
#include <xen/arch-x86/hvm/start_info.h>
#include <xen/errno.h>
#include <xen/event_channel.h>
#include <xen/grant_table.h>
#include <xen/io/console.h>

#include "xk-abi.h"
#include "arch.h"
#include "hypercall.h"
#include "printf.h"

#define KIT_NORETURN __attribute__((noreturn))
#define KIT_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define KIT_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Provided by the guest. */
int guest_main(void);

/* --- boot (start.c) --- */

/* The start info the builder passed in ebx, or NULL when its magic was
 * wrong.  It lives in guest RAM the kit does not own: read what you need
 * before overwriting memory outside the image. */
extern const struct hvm_start_info *kit_start_info;

/* First and last+1 byte of the loaded image (page-aligned end, .bss
 * included); everything else in RAM is free for the guest.  __kit_etext
 * ends the read-only part (code, constants, notes). */
extern char __kit_start[], __kit_etext[], __kit_end[];

/* End of the RAM that starts at 0 (highest RAM entry of the memory map
 * below 4 GiB), or 0 when the builder gave no memory map. */
uint64_t kit_ram_end(void);

/* --- command line (cmdline.c): "key=value key2=value2 ..." --- */

/* The command line, "" when there is none. */
const char *kit_cmdline(void);
/* The value of key (length in *len, not NUL-terminated; a bare "key" word
 * gives length 0), or NULL. */
const char *kit_cmdline_get(const char *key, size_t *len);
/* Parses key as a decimal or 0x-hex number into *val; returns 0, or -1 when
 * the key is missing or its value is not a number (*val unchanged). */
int kit_cmdline_u64(const char *key, uint64_t *val);

/* --- the hypervisor (xen.c) --- */

/* CPUID detection and hypercall page set-up; done by the kit before
 * guest_main(), crashes the domain when no Xen leaves are found. */
void kit_xen_init(void);
/* Base of the Xen CPUID leaves, 0 before kit_xen_init(). */
extern uint32_t kit_cpuid_base;
/* Nonzero once the hypercall page is usable. */
extern int kit_hcall_ready;
/* Xen version from CPUID (major << 16 | minor). */
uint32_t kit_xen_version(void);
/* Domain id and vCPU id from the HVM CPUID leaf, -1 when not offered. */
int kit_domid(void);
int kit_vcpu_id(void);
/* Guest TSC frequency in kHz from CPUID, 0 when unknown. */
uint32_t kit_tsc_khz(void);
/* The flags of the HVM CPUID leaf (base + 4, EAX: XEN_HVM_CPUID_*). */
uint32_t kit_hvm_cpuid_flags(void);
/* Maps the shared info page at a page of the image reserved for it
 * (XENMEM_add_to_physmap) once; returns it (also in kit_shared_info), or
 * NULL (error code in *err). */
struct shared_info *kit_map_shared_info(long *err);

/* SCHEDOP_shutdown with reason (SHUTDOWN_*).  Falls back to cli; hlt
 * (poweroff) or a triple fault (anything else) when the hypercall is not
 * available or returns. */
KIT_NORETURN void kit_shutdown(unsigned int reason);
KIT_NORETURN void kit_poweroff(void);
KIT_NORETURN void kit_crash(void);
/* Loads an empty IDT and faults: the vCPU triple-faults. */
KIT_NORETURN void kit_triple_fault(void);

/* --- console (console.c) --- */

/* console_io(CONSOLEIO_write) once the hypercall page exists, port 0xE9
 * before. */
void kit_console_write(const char *s, size_t len);
/* Port 0xE9 only (one string I/O instruction). */
void kit_e9_write(const char *s, size_t len);
int puts(const char *s); /* appends a newline */
int printf(const char *fmt, ...) KIT_PRINTF(1, 2);
int vprintf(const char *fmt, va_list ap) KIT_PRINTF(1, 0);
int snprintf(char *buf, size_t size, const char *fmt, ...) KIT_PRINTF(3, 4);
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
    KIT_PRINTF(3, 0);
/* Prints "panic: ..." and crashes the domain. */
KIT_NORETURN void kit_panic(const char *fmt, ...) KIT_PRINTF(1, 2);

/* A failed call, the test guests' way: prints "<prefix>SKIP: <what>
 * returned <rc> (<name>)" and returns 0 when rc is -ENOSYS (the feature
 * is not there), else the same line with FAIL and returns 1. */
int kit_skip_or_fail(const char *prefix, const char *what, long rc);

/* Writes the decimal digits of v at p; returns the end (no NUL). */
char *kit_utoa(char *p, uint64_t v);

/* --- traps (traps.c, entry.S) --- */

/* Registers saved by the exception stubs, lowest address first. */
struct kit_trap_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error;
    uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

/* Exceptions 0-31 print the frame and crash the domain.  Vectors 32-255
 * start out pointing at a stub that counts them and returns; a guest may
 * install its own interrupt gates. */
void kit_set_intr_gate(unsigned int vector, void (*handler)(void));
extern volatile uint64_t kit_spurious_intrs;

/* --- memory (mem.c) --- */

/* n zeroed pages of free RAM: above the image and what the builder put
 * after it (start info, memory map, command line, modules), below
 * kit_ram_end().  Never freed.  Panics when RAM runs out. */
void *kit_page_alloc(size_t n);
/* A guest-physical range of n pages with no RAM behind it (above the RAM
 * that starts at 0, outside every memory map entry, below the MMIO hole),
 * identity-mapped by the kit: where foreign grants get mapped.  0 when
 * there is no room.  Never freed. */
uint64_t kit_unpopulated_alloc(size_t n);

/* Xen error number (negative, as hypercalls return it) to its name:
 * "ENOSYS", "EINVAL", ...; "E?" for unknown numbers. */
const char *kit_errname(long err);

/* --- vCPUs (smp.c) --- */

/* vcpu_info slots in shared info: the kit supports vCPUs 0..31. */
#define KIT_MAX_CPUS 32

/* Per-vCPU state, reached through %gs (kit_this_cpu()). */
struct kit_cpu {
    struct kit_cpu *self;         /* %gs:0 */
    unsigned int id;              /* vCPU id */
    volatile int online;          /* set by the vCPU once it runs */
    volatile int done;            /* set when its function returned */
    struct vcpu_info *vi;         /* in shared info; NULL before evtchn */
    int timer_port;               /* its VIRQ_TIMER port; 0: none, <0: failed */
    volatile uint64_t timer_ticks; /* VIRQ_TIMER events received */
    uint64_t timer_armed;         /* singleshot deadline armed by kit waits */
    void (*timer_fn)(void *arg);  /* called on each VIRQ_TIMER */
    void *timer_arg;
    volatile uint64_t upcalls;    /* upcalls taken (interrupt or by hand) */
    void (*entry)(unsigned int);  /* AP: the function it runs */
    void *stack;                  /* AP: its stack */
    /* FIFO event channels: the control block, and the head of each queue
     * as far as this vCPU consumed it (0: read it from the block). */
    struct evtchn_fifo_control_block *fifo_cb;
    uint32_t fifo_head[EVTCHN_FIFO_MAX_QUEUES];
};
extern struct kit_cpu kit_cpus[KIT_MAX_CPUS];

/* Points %gs at the boot vCPU's kit_cpus entry.  Idempotent; every kit
 * subsystem's init calls it, guests need not. */
void kit_cpu_init(void);
static inline struct kit_cpu *kit_this_cpu(void)
{
    struct kit_cpu *c;

    __asm__ volatile("movq %%gs:0, %0" : "=r"(c));
    return c;
}
static inline unsigned int kit_cpu_id(void)
{
    return kit_this_cpu()->id;
}

/* How a secondary vCPU is started. */
enum kit_smp_method {
    KIT_SMP_VCPUOP64, /* VCPUOP_initialise in 64-bit mode, VCPUOP_up */
    KIT_SMP_VCPUOP32, /* VCPUOP_initialise in 32-bit mode, VCPUOP_up */
    KIT_SMP_SIPI,     /* LAPIC INIT + SIPI to APIC id 2*vcpu, real mode */
};
/* Number of vCPUs the domain has (VCPUOP_is_up on ids until one does not
 * exist), or a negative error when VCPUOP_is_up itself fails. */
int kit_smp_count(void);
/* Starts vCPU `vcpu` running fn(vcpu) on its own 16 KiB stack and waits
 * until it runs (deadline: timeout_ns, 0 = 5 s).  The vCPU sets up %gs,
 * its upcall (when kit_evtchn_init() ran) and calls fn with interrupts
 * disabled; when fn returns it marks itself done and goes down
 * (VCPUOP_down).  Returns 0, a negative Xen error from the hypercalls, or
 * -ETIMEDOUT. */
long kit_smp_start(unsigned int vcpu, void (*fn)(unsigned int),
                   enum kit_smp_method method, uint64_t timeout_ns);
/* Parses "vcpuop64", "vcpuop32" or "sipi"; -1 otherwise. */
int kit_smp_method_parse(const char *s, size_t len);

/* --- event channels (evtchn.c): the 2-level ABI --- */

#define KIT_EVTCHN_MAX 4096     /* ports the kit handles: the 64-bit 2-level
                                 * ABI's (with FIFO, higher ones are refused) */
#define KIT_UPCALL_VECTOR 0xf3

/* Called from the upcall, interrupts disabled, on the vCPU the port is
 * bound to, after the port's pending bit was cleared. */
typedef void (*kit_evtchn_handler_t)(unsigned int port, void *arg);

enum kit_upcall_mode {
    KIT_UPCALL_NONE,     /* no upcall: events are found by polling */
    KIT_UPCALL_CALLBACK, /* HVM_PARAM_CALLBACK_IRQ, type vector (no EOI) */
    KIT_UPCALL_PERCPU,   /* HVMOP_set_evtchn_upcall_vector per vCPU (EOI) */
};
enum kit_wait_mode {
    KIT_WAIT_IRQ,  /* sti; hlt until the upcall came */
    KIT_WAIT_POLL, /* SCHEDOP_poll on the port, interrupts off */
    KIT_WAIT_SPIN, /* interrupts off, spin on upcall_pending */
};
enum kit_evtchn_abi {
    KIT_EVTCHN_2L,   /* bitmaps in shared info */
    KIT_EVTCHN_FIFO, /* per-vCPU control blocks, event array pages */
};
extern struct shared_info *kit_shared_info; /* NULL until mapped */
extern int kit_upcall_mode;  /* enum kit_upcall_mode */
extern int kit_wait_mode;    /* enum kit_wait_mode */
extern int kit_evtchn_abi;   /* enum kit_evtchn_abi */
extern long kit_upcall_error; /* why the preferred upcall was not used */
extern long kit_fifo_error;   /* why evtchn_abi=fifo fell back to 2-level */

/* Maps shared info, masks every port, installs the upcall handler and
 * registers the upcall: command line upcall=percpu|callback|none (default:
 * percpu when CPUID offers XEN_HVM_CPUID_UPCALL_VECTOR, else callback;
 * percpu falls back to callback when the hypercall fails),
 * evtchn_wait=irq|poll|spin (default irq; spin when upcall=none), and
 * evtchn_abi=2l|fifo (default 2l; fifo falls back to 2l when
 * EVTCHNOP_init_control fails, as Linux does).  Returns 0 or the error of
 * the shared info mapping.  Idempotent. */
long kit_evtchn_init(void);
/* The same for the calling secondary vCPU (kit_smp_start does it): its
 * upcall vector, its FIFO control block. */
long kit_evtchn_init_cpu(void);
/* The names of the modes, for messages ("percpu", "irq", "fifo"...). */
const char *kit_upcall_name(void);
const char *kit_wait_name(void);
const char *kit_evtchn_abi_name(void);

/* Binding: each returns the local port (> 0) or a negative Xen error.
 * The port is set up (handler, vCPU) and unmasked; fn may be NULL (the
 * kit still counts the events, see kit_evtchn_wait). */
int kit_evtchn_alloc_unbound(domid_t remote, kit_evtchn_handler_t fn,
                             void *arg);
int kit_evtchn_bind_interdomain(domid_t remote, unsigned int remote_port,
                                kit_evtchn_handler_t fn, void *arg);
int kit_evtchn_bind_virq(unsigned int virq, unsigned int vcpu,
                         kit_evtchn_handler_t fn, void *arg);
int kit_evtchn_bind_ipi(unsigned int vcpu, kit_evtchn_handler_t fn,
                        void *arg);
/* A port bound by someone else (console, xenstore): handle it on vCPU
 * vcpu with fn and unmask it.  0 or -EINVAL. */
long kit_evtchn_attach(unsigned int port, unsigned int vcpu,
                       kit_evtchn_handler_t fn, void *arg);
/* A ring set up for us by the toolstack (XenStore, PV console): reads its
 * page frame and its port from the HVM params pfn_param and port_param,
 * attaches the port (handled on the calling vCPU) and returns 0 with the
 * page in *page and the port in *port; -ENODEV when a param is unset or
 * out of range, or the Xen error of a step. */
long kit_evtchn_attach_ring(uint32_t pfn_param, uint32_t port_param,
                            void **page, unsigned int *port);
/* EVTCHNOP_bind_vcpu, and the kit handles the port on that vCPU. */
long kit_evtchn_bind_vcpu(unsigned int port, unsigned int vcpu);
/* Masks, forgets and closes the port (EVTCHNOP_close). */
long kit_evtchn_close(unsigned int port);
long kit_evtchn_send(unsigned int port);
/* EVTCHNOP_status of our own port. */
long kit_evtchn_status(unsigned int port, struct evtchn_status *st);

void kit_evtchn_mask(unsigned int port);
/* Clears the mask; a port that became pending meanwhile is masked again
 * and unmasked with EVTCHNOP_unmask, so the hypervisor raises its upcall. */
void kit_evtchn_unmask(unsigned int port);
void kit_evtchn_clear(unsigned int port);
int kit_evtchn_is_pending(unsigned int port);
int kit_evtchn_is_masked(unsigned int port);

/* Events handled on the port so far (wraps). */
uint32_t kit_evtchn_count(unsigned int port);
/* Waits until the port's count differs from *seen, stores it there and
 * returns 0; or -ETIME once kit_now_ns() reaches deadline_ns (0: never).
 * Uses kit_wait_mode; with KIT_WAIT_IRQ and a deadline it arms this vCPU's
 * singleshot timer (binding VIRQ_TIMER on first use).  Restores the
 * caller's interrupt flag. */
long kit_evtchn_wait(unsigned int port, uint32_t *seen, uint64_t deadline_ns);
/* Handles pending events of this vCPU now (interrupts must be off). */
void kit_evtchn_poll(void);
/* The dispatcher (upcall_pending, selector, words); returns the number of
 * handled events. */
unsigned int kit_evtchn_do_upcall(void);

/* --- time and timers (time.c) --- */

/* Xen system time (ns since the domain's clock started) from this vCPU's
 * vcpu_time_info, or 0 when shared info is not mapped. */
uint64_t kit_system_time_ns(void);
/* Nonzero when the hypervisor fills this vCPU's vcpu_time_info. */
int kit_time_valid(void);
/* The clock of kit deadlines: system time when valid, else the TSC. */
uint64_t kit_now_ns(void);
/* Maps shared info (kit_evtchn_init does too); 0 or the mapping error. */
long kit_time_init(void);

struct kit_timeval {
    uint64_t tv_sec;
    uint32_t tv_usec;
};
/* Wall clock: the shared info base (wc_sec, wc_sec_hi, wc_nsec, read
 * under wc_version) plus system time.  0, or -1 when no wall clock was
 * ever set (wc_version and the base all zero). */
int kit_gettimeofday(struct kit_timeval *tv);
/* The wall clock base itself (wc_version returned in *version). */
void kit_wallclock_base(uint64_t *sec, uint32_t *nsec, uint32_t *version);

/* Binds VIRQ_TIMER on the calling vCPU and stops its periodic timer;
 * fn (may be NULL) runs on each tick.  Returns the port, or a negative
 * error.  Idempotent per vCPU (fn is replaced). */
int kit_timer_init(void (*fn)(void *arg), void *arg);
/* The calling vCPU's timers (absolute times are system time). */
long kit_timer_singleshot(uint64_t abs_ns, uint32_t flags);
long kit_timer_stop_singleshot(void);
long kit_timer_periodic(uint64_t period_ns);
long kit_timer_stop_periodic(void);
long kit_set_timer_op(uint64_t abs_ns);
/* This vCPU's VIRQ_TIMER port, bound on first use (without a handler);
 * negative when it cannot be bound. */
int kit_timer_port(void);
/* VIRQ_TIMER events of the calling vCPU. */
uint64_t kit_timer_ticks(void);
/* Sleeps until kit_now_ns() >= abs_ns, interrupts enabled meanwhile
 * (handlers run); through the singleshot timer when VIRQ_TIMER is bound
 * (else spins).  Restores the interrupt flag. */
void kit_sleep_until(uint64_t abs_ns);
void kit_sleep_ns(uint64_t ns);
/* For loops that wait on another vCPU or domain without an event: sleeps
 * 1 ms when this vCPU has its timer, else SCHEDOP_yield. */
void kit_relax(void);

/* --- grant tables, v1 (gnttab.c) --- */

/* Entries 0..GNTTAB_NR_RESERVED_ENTRIES-1 belong to the toolstack. */
#define KIT_GNTTAB_FIRST_REF GNTTAB_NR_RESERVED_ENTRIES

/* GNTTABOP_query_size, GNTTABOP_setup_table when the table is smaller
 * than nr_frames, and XENMEM_add_to_physmap(XENMAPSPACE_grant_table) of
 * frames 0..nr_frames-1 at pages of kit_page_alloc().  Returns 0 or a
 * negative Xen error; a failed op's GNTST_ status goes to *status (0 when
 * none failed), and then -EINVAL is returned.  The first failing step is
 * named in *step when step is not NULL. */
long kit_gnttab_init(unsigned int nr_frames, int16_t *status,
                     const char **step);
/* Entries the mapped frames hold (0 before kit_gnttab_init). */
unsigned int kit_gnttab_nr_entries(void);
/* The entry of ref, for inspection (NULL when out of range). */
volatile grant_entry_v1_t *kit_gnttab_entry(grant_ref_t ref);

/* Grants dom access to frame gfn through ref (domid and frame first,
 * then the flags: GTF_permit_access, | GTF_readonly).  0 or -EINVAL. */
long kit_gnttab_grant_ref(grant_ref_t ref, domid_t dom, uint64_t gfn,
                          int readonly);
/* The same at the first free ref from KIT_GNTTAB_FIRST_REF on; returns
 * the ref, or -ENOSPC. */
long kit_gnttab_grant(domid_t dom, uint64_t gfn, int readonly);
/* Ends the grant if nobody has it mapped: clears the flags with cmpxchg
 * unless GTF_reading or GTF_writing is set.  0, or -EBUSY while mapped
 * (the grant stays in place). */
long kit_gnttab_revoke(grant_ref_t ref);

/* GNTTABOP_map_grant_ref with GNTMAP_host_map (| GNTMAP_readonly) at
 * guest-physical gpa.  Returns the hypercall's result; the op's status
 * goes to *status and the handle to *handle. */
long kit_gnttab_map(domid_t dom, grant_ref_t ref, uint64_t gpa, int readonly,
                    int16_t *status, grant_handle_t *handle);
long kit_gnttab_unmap(uint64_t gpa, grant_handle_t handle, int16_t *status);
/* One GNTTABOP_copy of len bytes from dom's ref (at src_off) to our frame
 * gfn (at dst_off); the hypercall result, the status in *status. */
long kit_gnttab_copy_from(domid_t dom, grant_ref_t ref, unsigned int src_off,
                          uint64_t gfn, unsigned int dst_off,
                          unsigned int len, int16_t *status);
/* The same the other way: our gfn into dom's ref. */
long kit_gnttab_copy_to(domid_t dom, grant_ref_t ref, unsigned int dst_off,
                        uint64_t gfn, unsigned int src_off, unsigned int len,
                        int16_t *status);
/* GNTST_ status to its name ("GNTST_okay", ...). */
const char *kit_gntst_name(int16_t status);

/* --- the XenStore ring (xenstore.c) --- */

/* Finds the ring (HVM_PARAM_STORE_PFN) and its port
 * (HVM_PARAM_STORE_EVTCHN) and attaches the port.  0 or a Xen error. */
long kit_xs_init(void);
/* One request (type XS_*, len bytes of payload, at most
 * XENSTORE_PAYLOAD_MAX) and its reply (payload copied to reply,
 * NUL-terminated, truncated to cap-1; watch events are queued for
 * kit_xs_read_event(), replies to other ids skipped).  Returns the reply's payload length, or a negative
 * error: XS_ERROR replies map to their errno ("ENOENT" -> -ENOENT), -ETIME
 * when no reply came by the deadline (0: 10 s), -EIO on a broken ring or
 * reply.  Call it from one vCPU at a time. */
long kit_xs_request(uint32_t type, const void *payload, size_t len,
                    char *reply, size_t cap, uint64_t deadline_ns);
long kit_xs_read(const char *path, char *buf, size_t cap);
long kit_xs_write(const char *path, const char *value);
/* Children, NUL-separated. */
long kit_xs_directory(const char *path, char *buf, size_t cap);
long kit_xs_rm(const char *path);
/* XS_WATCH of path with token (it fires once at once, as Xen's do). */
long kit_xs_watch(const char *path, const char *token);
/* A watch event is waiting: one that came during a request (the kit keeps
 * up to 16 of those), or bytes unread in the ring. */
int kit_xs_event_pending(void);
/* The next watch event ("PATH\0TOKEN\0", truncated to cap); waits for
 * one until the deadline (0: 10 s).  Returns its length or an error. */
long kit_xs_read_event(char *buf, size_t cap, uint64_t deadline_ns);
/* Events dropped because the queue was full. */
unsigned long kit_xs_events_dropped(void);

/* --- the PV console ring (pvcons.c) --- */

/* Finds the ring (HVM_PARAM_CONSOLE_PFN) and its port
 * (HVM_PARAM_CONSOLE_EVTCHN) and attaches the port.  0 or a Xen error. */
long kit_pvcons_init(void);
extern struct xencons_interface *kit_pvcons_ring;
extern unsigned int kit_pvcons_port;
/* Copies s into the output ring, notifying the backend after each chunk,
 * waiting for room when full.  Returns len, or -ETIME at the deadline
 * (0: 10 s) with part of s written. */
long kit_pvcons_write(const char *s, size_t len, uint64_t deadline_ns);
/* Waits until the backend consumed everything (out_cons == out_prod).
 * 0 or -ETIME. */
long kit_pvcons_flush(uint64_t deadline_ns);
/* Takes what the input ring holds (up to cap bytes), without waiting. */
size_t kit_pvcons_read(char *buf, size_t cap);

/* --- string.c (the compiler may also call these) --- */

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);

#endif
