/* The control socket protocol between xen and libxenctrl.
 *
 * RUNDIR/privcmd is a SOCK_SEQPACKET Unix socket (mode 0600): the xenkvm
 * equivalent of /dev/xen/privcmd.  One request message gets exactly one
 * reply message, in order.  Each message is a header followed by `len`
 * payload bytes.  Most requests carry a Xen ABI structure from the public
 * headers unchanged (struct xen_domctl, struct xen_sysctl, ...); what Xen
 * passes through guest handles travels inline after that structure, in the
 * request (IN buffers) or the reply (OUT buffers), as described per op.
 *
 * A reply's `ret` is the hypercall's return value: >= 0 on success, or a
 * negative Xen errno.  Replies to XK_CTL_MAP_FOREIGN carry a file
 * descriptor (SCM_RIGHTS): the domain's memory file.
 */
#ifndef XK_CTL_H
#define XK_CTL_H

#include <stdint.h>

#define XK_CTL_SOCKET_NAME "privcmd"
#define XK_CTL_MAGIC 0x31434b58u         /* "XKC1" */
#define XK_CTL_MAX_MSG (128 * 1024)      /* header + payload */
#define XK_CTL_MAX_PAYLOAD (XK_CTL_MAX_MSG - (uint32_t)sizeof(struct xk_ctl_hdr))

struct xk_ctl_hdr {
    uint32_t magic;
    uint32_t op;        /* request: enum xk_ctl_op; reply: same op */
    uint32_t seq;       /* echoed in the reply */
    int32_t ret;        /* reply: result; request: 0 */
    uint32_t len;       /* payload bytes following */
    uint32_t flags;     /* XK_CTL_F_* (requests), 0 in replies */
};
#define XK_CTL_F_NOREPLY 1u  /* XK_CTL_EVTCHN_OP NOTIFY only: send no reply */

enum xk_ctl_op {
    /* payload: struct xen_domctl, then IN data.  Reply: struct xen_domctl,
     * then OUT data.  With IN/OUT buffers for:
     *   gethvmcontext_partial: OUT bufsz bytes
     *   sethvmcontext: IN size bytes (a save record stream) */
    XK_CTL_DOMCTL = 1,
    /* payload: struct xen_sysctl.  Reply: struct xen_sysctl, then OUT data:
     *   readconsole: OUT count bytes; getdomaininfolist: OUT
     *   num_domains * struct xen_domctl_getdomaininfo */
    XK_CTL_SYSCTL = 2,
    /* payload: struct xk_ctl_memop + struct for cmd + IN data.
     *   populate_physmap: struct xen_memory_reservation, IN nr_extents xen_pfn_t
     *   current/maximum_reservation, maximum_gpfn: domid_t
     *   set_memory_map: struct xen_foreign_memory_map, IN nr_entries e820entry
     *   memory_map (of a domain): domid_t; ret: the number of entries,
     *     OUT that many struct xk_e820 */
    XK_CTL_MEMORY_OP = 3,
    /* payload: struct xk_ctl_hvmop + struct xen_hvm_param (set/get_param) */
    XK_CTL_HVM_OP = 4,
    /* payload: struct xk_ctl_schedop + struct sched_remote_shutdown */
    XK_CTL_SCHED_OP = 5,
    /* payload: struct xk_ctl_xenver; reply: OUT data of the sub-op */
    XK_CTL_XEN_VERSION = 6,
    /* payload: struct xk_ctl_map + IN nr gfns (uint64).  Reply: nr uint64
     * file offsets, and the domain's memory fd (SCM_RIGHTS). */
    XK_CTL_MAP_FOREIGN = 7,
    /* payload: struct xk_ctl_wait.  The reply comes when the condition holds
     * or the timeout passes (ret 0 / -ETIMEDOUT); reply payload:
     * struct xk_ctl_wait_reply.  Until event channels reach dom0, this is
     * how the toolstack waits for domain state changes and console output
     * without polling. */
    XK_CTL_WAIT = 8,
    /* No payload.  Turns this connection into an event-channel handle (a
     * dom0 process's /dev/xen/evtchn).  Reply: two descriptors, the
     * handle's shared page (struct xk_evtchn_shared, XK_EVTCHN_SHARED_SIZE
     * bytes) and an eventfd xen signals when a port becomes pending. */
    XK_CTL_EVTCHN_OPEN = 9,
    /* payload: struct xk_ctl_evtchn.  Ports bound through a handle belong
     * to its connection and are closed with it.  NOTIFY may carry
     * XK_CTL_F_NOREPLY. */
    XK_CTL_EVTCHN_OP = 10,
    /* payload: struct xk_ctl_gnttab (+ data for COPY_TO).  MAP replies
     * with the handle as ret, the page's offset (uint64) as payload and the
     * granting domain's memory file (SCM_RIGHTS).  COPY_FROM replies with
     * the bytes.  Mappings belong to the connection and end with it. */
    XK_CTL_GNTTAB_OP = 11,
    /* payload: struct xk_ctl_serial, then the bytes.  Typed input for an
     * HVM-type domain's emulated UART (what `xl console -t serial` sends);
     * ret: how many bytes its receive buffer took (it holds
     * XK_SERIAL_RX_SIZE), or -ENODEV when the domain has no UART. */
    XK_CTL_SERIAL_IN = 12,
    XK_CTL_OP_MAX
};

/* An E820 entry as XENMEM_memory_map returns it (packed, 20 bytes). */
struct xk_e820 {
    uint64_t addr;
    uint64_t size;
    uint32_t type;
} __attribute__((packed));

struct xk_ctl_domid {
    uint32_t domid;
    uint32_t pad;
};

struct xk_ctl_memop {
    uint32_t cmd;       /* XENMEM_* */
    uint32_t pad;
};

struct xk_ctl_hvmop {
    uint32_t cmd;       /* HVMOP_* */
    uint32_t pad;
};

struct xk_ctl_schedop {
    uint32_t cmd;       /* SCHEDOP_* */
    uint32_t pad;
};

struct xk_ctl_xenver {
    uint32_t cmd;       /* XENVER_* */
    uint32_t in;        /* get_features: submap index */
};

struct xk_ctl_map {
    uint32_t domid;
    uint32_t nr;        /* gfns that follow; at most XK_CTL_MAX_MAP */
    uint32_t prot;      /* PROT_READ | PROT_WRITE */
    uint32_t pad;
};
#define XK_CTL_MAX_MAP 8192

enum xk_evtchn_cmd {
    XK_EVTCHN_BIND_UNBOUND = 1,     /* domid -> dom0 port unbound for domid */
    XK_EVTCHN_BIND_INTERDOMAIN,     /* domid, port -> dom0 port */
    XK_EVTCHN_BIND_VIRQ,            /* virq -> dom0 port */
    XK_EVTCHN_UNBIND,               /* port */
    XK_EVTCHN_NOTIFY,               /* port */
    /* Toolstack operations on a guest's table (any connection): */
    XK_EVTCHN_ALLOC_UNBOUND,        /* domid, remote -> port in domid's table */
    XK_EVTCHN_CLOSE,                /* domid, port */
};

struct xk_ctl_evtchn {
    uint32_t cmd;
    uint32_t domid;
    uint32_t port;
    uint32_t arg;       /* virq, or the remote domid */
};

enum xk_gnttab_cmd {
    XK_GNTTAB_SEED = 1,     /* domid, a = console gfn, b = xenstore gfn,
                               c = console domid, d = xenstore domid */
    XK_GNTTAB_MAP,          /* domid, ref, flags (1: read-only) -> handle */
    XK_GNTTAB_UNMAP,        /* handle */
    XK_GNTTAB_COPY_FROM,    /* domid, ref, c = offset, d = length -> bytes */
    XK_GNTTAB_COPY_TO,      /* domid, ref, c = offset, d = length; bytes follow */
    XK_GNTTAB_COPY_BATCH,   /* d = count; count struct xk_ctl_gnt_seg follow, then
                             * the bytes of the to-guest segments in order ->
                             * count int16_t GNTST_* statuses, then the bytes of
                             * the from-guest segments in order (zeros where a
                             * segment failed) */
};

struct xk_ctl_serial {
    uint32_t domid;
    uint32_t len;           /* bytes that follow, at most 4096 */
};
#define XK_SERIAL_RX_SIZE 4096

/* One segment of XK_GNTTAB_COPY_BATCH: one page-bounded copy between the
 * caller and a granted page. */
struct xk_ctl_gnt_seg {
    uint32_t domid;
    uint32_t ref;
    uint16_t offset;
    uint16_t len;
    uint32_t to_guest;      /* 1: caller -> grant; 0: grant -> caller */
};
#define XK_GNTTAB_COPY_MAX_SEGS 64

struct xk_ctl_gnttab {
    uint32_t cmd;
    uint32_t domid;
    uint32_t ref;
    uint32_t flags;
    uint64_t a, b;
    uint32_t c, d;
    uint32_t handle;
    uint32_t pad;
};
#define XK_GNTTAB_READONLY 1u

/* The page shared between xen and an event-channel handle: pending and
 * mask bitmaps of dom0 ports.  xen sets a port's pending bit and, if its
 * mask bit was clear, sets it and signals the eventfd; the process
 * clears pending bits as it consumes them and unmasks ports. */
#define XK_EVTCHN_DOM0_PORTS 65536
struct xk_evtchn_shared {
    uint64_t pending[XK_EVTCHN_DOM0_PORTS / 64];
    uint64_t mask[XK_EVTCHN_DOM0_PORTS / 64];
};
#define XK_EVTCHN_SHARED_SIZE sizeof(struct xk_evtchn_shared)

/* XK_WAIT_STATE: for one domain, its getdomaininfo flags differ from
 * `state`; for DOMID_INVALID, the global state generation (bumped on every
 * domain state change, creation and destruction) differs from `state`. */
#define XK_WAIT_STATE    (1u << 0)
#define XK_WAIT_CONSOLE  (1u << 1)   /* console producer differs from `console` */
#define XK_WAIT_GONE     (1u << 2)   /* domain does not exist */
struct xk_ctl_wait {
    uint32_t domid;     /* DOMID_INVALID: any domain (XK_WAIT_STATE) */
    uint32_t what;      /* XK_WAIT_* (any of) */
    uint32_t state;     /* last seen getdomaininfo flags */
    uint32_t console;   /* last seen console producer index */
    uint32_t timeout_ms;
    uint32_t pad;
};

struct xk_ctl_wait_reply {
    uint32_t what;      /* XK_WAIT_* that held */
    uint32_t state;     /* current flags (0 when gone), or generation */
    uint32_t console;   /* current console producer */
    uint32_t pad;
};

#endif
