/* libxenctrl for xenkvm: the privileged control interface to the xen
 * hypervisor daemon.
 *
 * Names and shapes follow Xen's libxenctrl where it has them, so Xen
 * knowledge and Xen tools carry over.  Calls return 0 (or a count) on
 * success and -1 with errno set on failure, unless stated otherwise.
 * The connection is the control socket $XEN_RUN_DIR/privcmd (or the path
 * in $XEN_PRIVCMD_PATH); a handle is safe to share between threads.
 */
#ifndef XENCTRL_H
#define XENCTRL_H

#include <stddef.h>
#include <stdint.h>

#ifndef __XEN_TOOLS__
#define __XEN_TOOLS__ 1
#endif
#include <xen/xen.h>
#include <xen/domctl.h>
#include <xen/sysctl.h>
#include <xen/version.h>
#include <xen/memory.h>
#include <xen/sched.h>
#include <xen/hvm/params.h>
#include <xen/hvm/save.h>

#ifdef __cplusplus
extern "C" {
#endif

#define XC_PAGE_SHIFT 12
#define XC_PAGE_SIZE  (1UL << XC_PAGE_SHIFT)
#define XC_PAGE_MASK  (~(XC_PAGE_SIZE - 1))

typedef struct xc_interface_core xc_interface;
typedef struct xentoollog_logger xentoollog_logger;

/* Opens the control interface.  The loggers are accepted for source
 * compatibility and may be NULL (errors then go to stderr).  Returns NULL
 * with errno set when xen cannot be reached. */
xc_interface *xc_interface_open(xentoollog_logger *logger, xentoollog_logger *dombuild_logger,
                                unsigned int open_flags);
int xc_interface_close(xc_interface *xch);

/* The file descriptor of the control connection (for diagnostics). */
int xc_interface_fd(xc_interface *xch);

typedef enum {
    XC_ERROR_NONE = 0,
    XC_INTERNAL_ERROR = 1,
    XC_INVALID_KERNEL = 2,
    XC_INVALID_PARAM = 3,
    XC_OUT_OF_MEMORY = 4,
} xc_error_code;

#define XC_MAX_ERROR_MSG_LEN 1024
typedef struct xc_error {
    xc_error_code code;
    char message[XC_MAX_ERROR_MSG_LEN];
} xc_error;

/* The last error a call on this handle recorded (per thread). */
const xc_error *xc_get_last_error(xc_interface *xch);
void xc_clear_last_error(xc_interface *xch);
const char *xc_error_code_to_desc(int code);

/* ---- domains ------------------------------------------------------------ */

typedef struct xc_dominfo {
    uint32_t domid;
    uint32_t ssidref;
    unsigned int dying:1, crashed:1, shutdown:1, paused:1, blocked:1, running:1, hvm:1,
                 debugged:1, xenstore:1, hap:1;
    unsigned int shutdown_reason;      /* only meaningful if shutdown==1 */
    unsigned long nr_pages;            /* current number of pages */
    unsigned long nr_outstanding_pages;
    unsigned long nr_shared_pages;
    unsigned long nr_paged_pages;
    unsigned long shared_info_frame;
    uint64_t cpu_time;                 /* ns */
    unsigned long max_memkb;
    unsigned int nr_online_vcpus;
    unsigned int max_vcpu_id;
    xen_domain_handle_t handle;
    unsigned int cpupool;
    uint8_t gpaddr_bits;
    struct xen_arch_domainconfig arch_config;
} xc_dominfo_t;

typedef xen_domctl_getdomaininfo_t xc_domaininfo_t;

/* *pdomid: in, the domid wanted (0 or DOMID_INVALID: any); out, the new
 * domain's id.  The domain starts paused. */
int xc_domain_create(xc_interface *xch, uint32_t *pdomid,
                     struct xen_domctl_createdomain *config);
int xc_domain_destroy(xc_interface *xch, uint32_t domid);
int xc_domain_pause(xc_interface *xch, uint32_t domid);
int xc_domain_unpause(xc_interface *xch, uint32_t domid);
/* Asks the domain to shut down (SCHEDOP_remote_shutdown), e.g. reason
 * SHUTDOWN_poweroff. */
int xc_domain_shutdown(xc_interface *xch, uint32_t domid, int reason);
/* Up to max_doms domains with ids >= first_domid; returns the count. */
int xc_domain_getinfo(xc_interface *xch, uint32_t first_domid, unsigned int max_doms,
                      xc_dominfo_t *info);
/* The raw hypervisor records; returns the count. */
int xc_domain_getinfolist(xc_interface *xch, uint32_t first_domain, unsigned int max_domains,
                          xc_domaininfo_t *info);
/* Exactly one domain (ESRCH if it does not exist). */
int xc_domain_getinfo_single(xc_interface *xch, uint32_t domid, xc_domaininfo_t *info);
int xc_domain_setmaxmem(xc_interface *xch, uint32_t domid, uint64_t max_memkb);
/* The scheduler (XEN_SCHEDULER_CREDIT2 here) and a domain's parameters
 * under it; the other scheduler's calls fail with EINVAL, as on a Xen
 * running credit2. */
int xc_sched_id(xc_interface *xch, int *sched_id);
int xc_sched_credit2_domain_set(xc_interface *xch, uint32_t domid,
                                struct xen_domctl_sched_credit2 *sdom);
int xc_sched_credit2_domain_get(xc_interface *xch, uint32_t domid,
                                struct xen_domctl_sched_credit2 *sdom);
int xc_sched_credit_domain_set(xc_interface *xch, uint32_t domid,
                               struct xen_domctl_sched_credit *sdom);
int xc_sched_credit_domain_get(xc_interface *xch, uint32_t domid,
                               struct xen_domctl_sched_credit *sdom);
/* Gives the domain a new handle (UUID). */
int xc_domain_sethandle(xc_interface *xch, uint32_t domid, xen_domain_handle_t handle);

/* ---- vCPUs ---------------------------------------------------------------- */

typedef uint8_t *xc_cpumap_t;
/* Bytes in a map of all the host's pCPUs. */
int xc_get_cpumap_size(xc_interface *xch);
int xc_get_max_cpus(xc_interface *xch);
xc_cpumap_t xc_cpumap_alloc(xc_interface *xch);      /* free() it */
void xc_cpumap_setcpu(int cpu, xc_cpumap_t map);
void xc_cpumap_clearcpu(int cpu, xc_cpumap_t map);
int xc_cpumap_testcpu(int cpu, xc_cpumap_t map);

/* flags: XEN_VCPUAFFINITY_HARD and/or _SOFT.  On return the maps hold the
 * effective affinities (soft within hard within the online pCPUs). */
int xc_vcpu_setaffinity(xc_interface *xch, uint32_t domid, int vcpu,
                        xc_cpumap_t cpumap_hard_inout, xc_cpumap_t cpumap_soft_inout,
                        uint32_t flags);
int xc_vcpu_getaffinity(xc_interface *xch, uint32_t domid, int vcpu, xc_cpumap_t cpumap_hard,
                        xc_cpumap_t cpumap_soft, uint32_t flags);

typedef struct xen_domctl_getvcpuinfo xc_vcpuinfo_t;
int xc_vcpu_getinfo(xc_interface *xch, uint32_t domid, uint32_t vcpu, xc_vcpuinfo_t *info);

/* The domain's wallclock runs this many seconds ahead of the host's. */
int xc_domain_set_time_offset(xc_interface *xch, uint32_t domid, int32_t time_offset_seconds);

/* ---- memory --------------------------------------------------------------- */

int xc_domain_populate_physmap(xc_interface *xch, uint32_t domid, unsigned long nr_extents,
                               unsigned int extent_order, unsigned int mem_flags,
                               xen_pfn_t *extent_start);
int xc_domain_populate_physmap_exact(xc_interface *xch, uint32_t domid,
                                     unsigned long nr_extents, unsigned int extent_order,
                                     unsigned int mem_flags, xen_pfn_t *extent_start);
long xc_domain_get_tot_pages(xc_interface *xch, uint32_t domid);
int xc_domain_maximum_gpfn(xc_interface *xch, uint32_t domid, xen_pfn_t *gpfns);

#define E820_RAM          1
#define E820_RESERVED     2
#define E820_ACPI         3
#define E820_NVS          4
#define E820_UNUSABLE     5
#define E820MAX           (128)

struct e820entry {
    uint64_t addr;
    uint64_t size;
    uint32_t type;
} __attribute__((packed));

/* A domain's memory map; returns the number of entries (at most
 * max_entries, else E2BIG), or -1 with errno. */
int xc_domain_get_memory_map(xc_interface *xch, uint32_t domid, struct e820entry entries[],
                             uint32_t max_entries);
int xc_domain_set_memory_map(xc_interface *xch, uint32_t domid, struct e820entry entries[],
                             uint32_t nr_entries);

/* Maps guest frames into this process.  The memory is the guest's own:
 * writes are seen by the guest at once.  Unmap with munmap(). */
void *xc_map_foreign_range(xc_interface *xch, uint32_t dom, int size, int prot,
                           unsigned long mfn);
void *xc_map_foreign_pages(xc_interface *xch, uint32_t dom, int prot, const xen_pfn_t *arr,
                           int num);
/* As xc_map_foreign_pages, with a status per page in err[] (0 or -errno);
 * pages that fail are left inaccessible. */
void *xc_map_foreign_bulk(xc_interface *xch, uint32_t dom, int prot, const xen_pfn_t *arr,
                          int *err, unsigned int num);

/* ---- HVM parameters and vCPU context -------------------------------------- */

int xc_hvm_param_set(xc_interface *handle, uint32_t dom, uint32_t param, uint64_t value);
int xc_hvm_param_get(xc_interface *handle, uint32_t dom, uint32_t param, uint64_t *value);

/* One save record (typecode, instance) into ctxt_buf; for
 * HVM_SAVE_CODE(CPU) the instance is the vCPU id. */
int xc_domain_hvm_getcontext_partial(xc_interface *xch, uint32_t domid, uint16_t typecode,
                                     uint16_t instance, void *ctxt_buf, uint32_t size);
/* Loads a stream of save records (descriptor + data ... END). */
int xc_domain_hvm_setcontext(xc_interface *xch, uint32_t domid, uint8_t *hvm_ctxt,
                             uint32_t size);

/* ---- host --------------------------------------------------------------- */

typedef struct xen_sysctl_physinfo xc_physinfo_t;
int xc_physinfo(xc_interface *xch, xc_physinfo_t *info);

/* Presses debug keys in xen (XEN_SYSCTL_debug_keys); their output goes to
 * the hypervisor console. */
int xc_send_debug_keys(xc_interface *xch, const char *keys);

/* Reads the hypervisor console ring (what `xl dmesg` shows).  *pnr_chars:
 * in, the buffer size; out, bytes read.  With incremental, *pindex is the
 * index to read from and is advanced. */
int xc_readconsolering(xc_interface *xch, char *buffer, unsigned int *pnr_chars, int clear,
                       int incremental, uint32_t *pindex);

/* xen_version sub-ops; returns the sub-op's result. */
int xc_version(xc_interface *xch, int cmd, void *arg);

/* ---- event channels of guests (the toolstack's side) ----------------------- */

/* Allocates a port in dom's table, unbound, for remote_dom to bind (e.g.
 * the console and xenstore ports of a new guest, remote_dom 0).  Returns
 * the port or -1. */
int xc_evtchn_alloc_unbound(xc_interface *xch, uint32_t dom, uint32_t remote_dom);
int xc_evtchn_close(xc_interface *xch, uint32_t dom, uint32_t port);

/* ---- xenkvm extensions ------------------------------------------------------ */

#define XC_WAIT_STATE   1u    /* domain flags (other than running/blocked) */
#define XC_WAIT_CONSOLE 2u    /* the hypervisor console ring got output */
#define XC_WAIT_GONE    4u    /* the domain no longer exists */

/* Waits until something of `what` (XC_WAIT_*) changes for domid (DOMID_INVALID: any domain, with
 * *state the global state generation), or timeout_ms passes (UINT32_MAX:
 * forever).  On entry *state / *console are the last values seen; on
 * return they are the current ones.  Returns the bits that held, 0 on
 * timeout, or -1 with errno.  The handle is busy while waiting. */
int xc_xk_wait(xc_interface *xch, uint32_t domid, unsigned int what, uint32_t *state,
               uint32_t *console, uint32_t timeout_ms);

/* xenkvm: typed input for an HVM-type domain's emulated UART.  Returns how
 * many bytes it took (fewer when its receive buffer is full), or -1 with
 * errno (ENODEV: the domain has no UART). */
int xc_xk_serial_input(xc_interface *xch, uint32_t domid, const void *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif
