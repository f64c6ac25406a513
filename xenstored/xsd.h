/* xenstored's core: the XenStore tree, permissions, transactions, watches,
 * domains, quotas and the request dispatcher.
 *
 * Nothing declared here knows about sockets, rings or the main loop.  A
 * transport (xsd_unix.c for the Unix sockets; the guest ring later) owns a
 * struct xsd_conn created with xsd_conn_new(), feeds it the bytes it reads
 * with xsd_conn_input(), and writes out what xsd_conn_output_iov() gives it,
 * acknowledging with xsd_conn_output_done().  The core tells the transport
 * about new output and about a connection it wants closed through the
 * struct xsd_transport_ops table.  The unit tests drive the core the same
 * way with a transport that just collects the replies.
 *
 * The guest-ring transport (xsd_ring.c) plugs in the same way: the
 * INTRODUCE hook (struct xsd_domain_hooks) maps the ring page and binds
 * the event channel through the hypervisor's control socket, creates a
 * connection with xsd_conn_new(s, &ring_ops, ring, domid, 0) and keeps it
 * in domain->ring; on an event it copies at most xsd_conn_input_wanted()
 * bytes at a time from req[] into xsd_conn_input() while
 * xsd_conn_can_read(), and copies xsd_conn_output_iov() into rsp[],
 * notifying the event channel; ring_ops.kick schedules that, and
 * ring_ops.shutdown unbinds and unmaps.
 *
 * Locking: xenstored is single-threaded (one GLib main loop), so the core
 * has no locks; nothing here may be called from another thread.
 *
 * Memory: every request runs with its own arena (struct xsd_arena), freed
 * when the reply is queued; nodes, watches, transactions and queued
 * messages are heap objects owned as described at each structure.
 */
#ifndef XSD_H
#define XSD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>

#include <glib.h>
#include <xen/io/xs_wire.h>

struct xsd_store;
struct xsd_conn;

#define XSD_NO_GEN          UINT64_MAX
#define XSD_DOMID_NONE      0xffffffffu
#define XSD_DOMID_SELF      0x7ff0u       /* DOMID_SELF of xen.h */
#define XSD_DOMID_MAX       0x7fefu       /* last real domain id */

/* Permission bits, the values of libxenstore's XS_PERM_*. */
#define XSD_PERM_NONE       0x00u
#define XSD_PERM_READ       0x01u
#define XSD_PERM_WRITE      0x02u
#define XSD_PERM_OWNER      0x08u

/* g_memdup2 needs GLib 2.68; configure accepts 2.66. */
static inline void *xsd_memdup(const void *p, size_t len)
{
    void *q = g_malloc(len ? len : 1);

    if (len)
        memcpy(q, p, len);
    return q;
}

/* ------------------------------------------------------------------ */
/* Per-request memory context (xsd_arena.c). */

struct xsd_arena_chunk;
struct xsd_arena {
    struct xsd_arena_chunk *chunks;
    size_t total;
};

void xsd_arena_init(struct xsd_arena *a);
void xsd_arena_free(struct xsd_arena *a);
void *xsd_arena_alloc(struct xsd_arena *a, size_t len);
char *xsd_arena_strdup(struct xsd_arena *a, const char *s);
char *xsd_arena_strndup(struct xsd_arena *a, const char *s, size_t len);
char *xsd_arena_printf(struct xsd_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ------------------------------------------------------------------ */
/* Permissions (xsd_tree.c).  A permission set is immutable once built and
 * shared (refcounted) by every node that carries it: nodes inherit their
 * parent's set on creation, so most of a tree shares a handful of sets. */

struct xsd_perm {
    uint32_t id;
    uint32_t perms;            /* XSD_PERM_READ | XSD_PERM_WRITE */
};

struct xsd_perms {
    uint32_t refs;
    uint32_t num;              /* >= 1; p[0] is the owner and the default */
    struct xsd_perm p[];
};

struct xsd_perms *xsd_perms_new(uint32_t num);
struct xsd_perms *xsd_perms_ref(struct xsd_perms *p);
void xsd_perms_unref(struct xsd_perms *p);
bool xsd_perms_equal(const struct xsd_perms *a, const struct xsd_perms *b);
/* Parses `num` NUL-terminated strings "r5", "w0", "b7", "n3" at `strings`;
 * NULL (errno EINVAL) when one is malformed. */
struct xsd_perms *xsd_perms_parse(const char *strings, size_t len, uint32_t num);
/* "n0\0r5\0": the wire form; returns the length written (with NULs). */
size_t xsd_perms_format(const struct xsd_perms *p, char *buf, size_t len);
/* What the caller may do with a node carrying `p` (XSD_PERM_* mask).  The
 * owner, the target's owner rights and privileged callers get everything;
 * a read-only connection never gets XSD_PERM_WRITE. */
uint32_t xsd_perms_for(const struct xsd_perms *p, uint32_t domid, uint32_t target,
                       bool privileged, bool can_write);

/* ------------------------------------------------------------------ */
/* Nodes and trees (xsd_tree.c).
 *
 * A tree is a root node pointer.  Nodes are copy-on-write: a node is
 * referenced by its parent and, while a transaction or state dump holds an
 * older root, possibly by the same parent of that older version too
 * (refs > 1).  Before changing a node the caller unshares the path to it
 * with xsd_tree_unshare(); a node with refs == 1 is changed in place.  So a
 * transaction snapshot costs one reference, and the first write after it
 * copies only the nodes on the written path. */

struct xsd_node {
    uint32_t refs;
    uint32_t nchildren;
    uint32_t cap;              /* capacity of children[] */
    uint32_t vlen;             /* value length */
    uint32_t childlen;         /* sum of child name lengths + NULs */
    uint32_t index_cap;        /* 0, or size of index[] (power of 2) */
    uint64_t gen;              /* generation of the last change */
    struct xsd_perms *perms;
    char *value;               /* vlen bytes, NULL when empty */
    struct xsd_node **children;/* in creation order */
    uint32_t *index;           /* name hash -> slot + 1, when many children */
    uint32_t namelen;
    char name[];               /* leaf name, "" for the root */
};

struct xsd_node *xsd_node_new(const char *name, size_t namelen,
                              struct xsd_perms *perms, uint64_t gen);
struct xsd_node *xsd_node_ref(struct xsd_node *n);
void xsd_node_unref(struct xsd_node *n);
/* The child called name[0..len), NULL if none; *slot gets its index. */
struct xsd_node *xsd_node_child(const struct xsd_node *n, const char *name,
                                size_t len, uint32_t *slot);
/* Appends `child` (the reference passes to the parent). */
void xsd_node_add_child(struct xsd_node *parent, struct xsd_node *child);
/* Removes and unrefs the child at `slot`. */
void xsd_node_remove_child(struct xsd_node *parent, uint32_t slot);
/* Replaces the children array by `children` (ownership passes). */
void xsd_node_set_children(struct xsd_node *n, struct xsd_node **children,
                           uint32_t num);
void xsd_node_set_value(struct xsd_node *n, const void *data, size_t len);
void xsd_node_set_perms(struct xsd_node *n, struct xsd_perms *perms);
/* The size charged to the owner's node-size and memory quotas. */
size_t xsd_node_size(const struct xsd_node *n);

/* Walks `path` (absolute, valid) from `root`: returns the deepest existing
 * node on it and in *matched the length of the path prefix it stands for
 * (1 for the root).  The node is the full path's iff *matched == strlen. */
const struct xsd_node *xsd_tree_walk(const struct xsd_node *root, const char *path,
                                     size_t *matched);
const struct xsd_node *xsd_tree_lookup(const struct xsd_node *root, const char *path);
/* Makes every node on path[0..len) (which must exist) private to the tree at
 * *rootp, copying shared ones, and returns the node at path[0..len). */
struct xsd_node *xsd_tree_unshare(struct xsd_node **rootp, const char *path, size_t len);
/* Calls fn for every node under (and including) `root`, parents first; the
 * path buffer holds the node's full path.  fn returns false to skip the
 * node's children. */
typedef bool xsd_tree_visit_fn(const struct xsd_node *n, const char *path,
                               const struct xsd_node *parent, void *opaque);
void xsd_tree_visit(const struct xsd_node *root, const char *root_path,
                    xsd_tree_visit_fn *fn, void *opaque);

/* Path helpers (xsd_tree.c). */
bool xsd_path_valid_chars(const char *s, size_t len);
/* Absolute path syntax of xenstore.txt: "/", or "/a/b" without "//" or a
 * trailing "/", allowed characters only, at most XENSTORE_ABS_PATH_MAX. */
bool xsd_path_is_valid(const char *path);
/* "@name" or "@name/..." with allowed characters. */
bool xsd_path_is_special(const char *path);
/* Is `child` equal to `parent` or below it? */
bool xsd_path_is_child(const char *child, const char *parent);
/* Number of components in child beyond parent (child must be below). */
unsigned xsd_path_depth_below(const char *child, const char *parent);
/* Length of the parent's path ("/a/b" -> 2, "/a" -> 1 for "/"). */
size_t xsd_path_parent_len(const char *path, size_t len);

/* ------------------------------------------------------------------ */
/* Quotas, domains, accounting (xsd_domain.c). */

enum xsd_quota {
    XSD_Q_NODES = 0,           /* nodes owned by a domain */
    XSD_Q_WATCHES,             /* watches of a domain */
    XSD_Q_TRANSACTIONS,        /* open transactions of a domain */
    XSD_Q_OUTSTANDING,         /* unanswered requests of a connection */
    XSD_Q_MEMORY,              /* bytes of nodes, watches, queued output */
    XSD_Q_TRANS_NODES,         /* nodes accessed by one transaction */
    XSD_Q_PERMS,               /* permission entries of one node */
    XSD_Q_PATH,                /* path length below the domain's home */
    XSD_Q_NODE_SIZE,           /* size of one node */
    XSD_Q_COUNT
};

struct xsd_quota_info {
    const char *name;          /* as C xenstored's CONTROL quota */
    const char *descr;
    unsigned long dflt;        /* Xen 4.17's default */
    int err;                   /* errno of a refusal */
};
extern const struct xsd_quota_info xsd_quota_info[XSD_Q_COUNT];
int xsd_quota_by_name(const char *name);

struct xsd_domain {
    uint32_t domid;
    bool introduced;           /* INTRODUCE seen (domain 0: always) */
    bool shutdown;             /* @releaseDomain fired for a shutdown */
    uint64_t gfn;              /* ring frame given to INTRODUCE */
    uint32_t evtchn;           /* its event channel (guest side) */
    uint32_t target;           /* SET_TARGET, or XSD_DOMID_NONE */
    /* Accounting, applied as operations commit.  use[] is the current
     * value of each per-domain quota, max[] the highest seen. */
    unsigned long use[XSD_Q_COUNT];
    unsigned long max[XSD_Q_COUNT];
    uint64_t refused[XSD_Q_COUNT];
    bool refusal_logged[XSD_Q_COUNT];
    bool soft_memory_logged;
    struct xsd_conn *ring;     /* the guest ring connection, or NULL */
};

struct xsd_domain *xsd_domain_get(struct xsd_store *s, uint32_t domid);   /* creates */
struct xsd_domain *xsd_domain_find(struct xsd_store *s, uint32_t domid);
/* Adds `delta` to a per-domain usage figure (nodes, watches,
 * transactions, memory). */
void xsd_domain_account(struct xsd_store *s, uint32_t domid, enum xsd_quota q, long delta);
/* Quota check for an unprivileged caller: 0 if `wanted` is within quota q
 * (or the caller is privileged), else the refusal's errno, after logging
 * it (once per domain and cause) and counting it. */
int xsd_quota_check(struct xsd_store *s, const struct xsd_conn *c, uint32_t domid,
                    enum xsd_quota q, unsigned long wanted);
/* Counts and logs (once) a refusal decided elsewhere. */
void xsd_quota_refused(struct xsd_store *s, uint32_t domid, enum xsd_quota q,
                       unsigned long wanted);
/* Drops domains without state (not introduced, no usage). */
void xsd_domain_gc(struct xsd_store *s, uint32_t domid);

/* ------------------------------------------------------------------ */
/* Connections (xsd_conn.c). */

struct xsd_conn;

/* What a transport provides.  Every callback is optional. */
struct xsd_transport_ops {
    const char *name;                          /* "unix", "ring" */
    /* Output was queued on the connection outside the transport's own
     * input handling (watch events, replies after throttling): arrange to
     * write it.  Must not free the connection. */
    void (*kick)(struct xsd_conn *c);
    /* The core wants the connection closed (protocol violation, RELEASE of
     * its domain).  The transport stops reading and frees it soon, outside
     * the current call (xsd_conn_free from its own context). */
    void (*shutdown)(struct xsd_conn *c);
    /* The file descriptor, for a live update that keeps connections
     * across exec; -1 (or NULL callback) when there is none. */
    int (*get_fd)(const struct xsd_conn *c);
};

struct xsd_msg {
    struct xsd_msg *next;
    uint64_t queued_ms;        /* watch events: for the event timeout */
    char *event_key;           /* "path\1token" for duplicate suppression */
    uint32_t len;              /* header + payload */
    bool is_event;
    bool is_reply;
    bool timed;                /* counted in store->timed_events */
    char data[];               /* struct xsd_sockmsg, then the payload */
};

#define XSD_CONN_PRIVILEGED   0x1u   /* dom0 tools: all rights, no quotas */
#define XSD_CONN_READ_ONLY    0x2u   /* socket_ro */

struct xsd_conn {
    struct xsd_store *store;
    uint32_t id;               /* unique per store, for logs and the state file */
    uint32_t domid;            /* the domain it speaks for */
    bool privileged;
    bool can_write;
    bool dead;                 /* shut down; ignores input, drops output */
    const struct xsd_transport_ops *ops;
    void *transport;           /* the transport's own state */
    GList link;                /* in store->conns */

    /* Input framing: the header, then the payload. */
    struct xsd_sockmsg in_hdr;
    uint32_t in_used;          /* bytes of header+payload received */
    char *in_buf;              /* XENSTORE_PAYLOAD_MAX bytes */

    /* Output queue (FIFO); out_off bytes of the head are written. */
    struct xsd_msg *out_head, *out_tail;
    uint32_t out_off;
    unsigned long out_bytes;
    unsigned out_replies;      /* queued replies (outstanding requests) */
    GHashTable *pending_events;/* event_key -> msg, not yet fully written */
    bool in_input;             /* inside xsd_conn_input: no kicks needed */
    bool throttled;            /* stalled on the outstanding quota */

    GPtrArray *watches;        /* struct xsd_watch *, registration order */
    GPtrArray *txns;           /* struct xsd_txn * */
    uint32_t next_txn_id;
    uint64_t requests;
};

struct xsd_conn *xsd_conn_new(struct xsd_store *s, const struct xsd_transport_ops *ops,
                              void *transport, uint32_t domid, unsigned flags);
/* Frees the connection with its watches and transactions. */
void xsd_conn_free(struct xsd_conn *c);
/* Feeds received bytes; complete requests are handled at once.  Returns 0,
 * or -1 when the client broke the protocol (oversized payload): the
 * connection is dead and the transport must close it. */
int xsd_conn_input(struct xsd_conn *c, const void *data, size_t len);
/* How many bytes complete the header or payload being received: a
 * transport that must not read ahead (throttled connections) reads this
 * much at a time. */
size_t xsd_conn_input_wanted(const struct xsd_conn *c);
/* Whether the transport should read more now (false while an unprivileged
 * connection has too many unanswered requests, as Xen stops reading a
 * domain's ring). */
bool xsd_conn_can_read(const struct xsd_conn *c);
/* Fills up to `max` iovecs with queued output; returns how many. */
int xsd_conn_output_iov(const struct xsd_conn *c, struct iovec *iov, int max);
void xsd_conn_output_done(struct xsd_conn *c, size_t written);
bool xsd_conn_has_output(const struct xsd_conn *c);
/* Changes who the connection speaks for (CONTROL as-domain, restore). */
void xsd_conn_set_domain(struct xsd_conn *c, uint32_t domid, bool privileged);
/* Queues a message (type, req_id, tx_id, payload). */
void xsd_conn_queue(struct xsd_conn *c, uint32_t type, uint32_t req_id, uint32_t tx_id,
                    const void *data, size_t len);
/* Queues bytes already framed (restored output of a live update). */
void xsd_conn_queue_raw(struct xsd_conn *c, const void *data, size_t len);
/* Queues a watch event unless an identical one is pending. */
void xsd_conn_queue_event(struct xsd_conn *c, const char *path, const char *token);
/* Drops watch events older than the timeout for unprivileged connections;
 * returns how many are still waiting (so the caller knows whether to keep
 * a timer). */
unsigned xsd_conn_expire_events(struct xsd_conn *c, uint64_t now_ms, uint64_t timeout_ms);
/* Marks the connection dead, drops its watches and transactions, and asks
 * the transport to close it.  `why` is logged; NULL when the caller has
 * already logged the reason (one line per event). */
void xsd_conn_shutdown(struct xsd_conn *c, const char *why);
const char *xsd_conn_describe(const struct xsd_conn *c, char *buf, size_t len);

/* ------------------------------------------------------------------ */
/* A guest's ring page (xsd_ring_io.c): the byte queues of a struct
 * xenstore_domain_interface (xenstore-ring.txt) between a connection and
 * the page, without the hypervisor, so that the unit tests and a fuzz
 * target drive exactly what the ring transport runs.  The page is the
 * guest's: each index is read once per call and checked before use,
 * bytes are copied out before the core sees them. */

struct xsd_ring_fault {
    uint32_t error;            /* XENSTORE_ERROR_* for the page's error field */
    const char *what;          /* what the guest did, for the log */
    uint32_t cons, prod;       /* the indices found */
};

/* Features the server offers (advertised before any byte moves). */
#define XSD_RING_FEATURES \
    (XENSTORE_SERVER_FEATURE_RECONNECTION | XENSTORE_SERVER_FEATURE_ERROR)

/* Copies c's queued output into rsp[] as far as it fits.  Returns the
 * bytes written, or -1 with *f filled when the reply indices are out of
 * range. */
long xsd_ring_write_output(struct xenstore_domain_interface *intf, struct xsd_conn *c,
                           struct xsd_ring_fault *f);
/* Feeds requests from req[] to c while xsd_conn_can_read(c), at most
 * about `budget` bytes.  Returns the bytes consumed, or -1 with *f filled
 * when the request indices are out of range or the core closed the
 * connection (a payload longer than XENSTORE_PAYLOAD_MAX: logged by the
 * core, f->what NULL). */
long xsd_ring_read_input(struct xenstore_domain_interface *intf, struct xsd_conn *c,
                         long budget, struct xsd_ring_fault *f);
/* Advertises XSD_RING_FEATURES and, unless the guest asks for a
 * reconnection, marks the ring connected with no error. */
void xsd_ring_page_connect(struct xenstore_domain_interface *intf);
/* Whether the guest asks for a reconnection (connection field). */
bool xsd_ring_page_wants_reset(const struct xenstore_domain_interface *intf);
/* Empties both queues and marks the ring connected again (the end of a
 * reconnection). */
void xsd_ring_page_reset(struct xenstore_domain_interface *intf);

/* ------------------------------------------------------------------ */
/* Watches (xsd_watch.c). */

struct xsd_watch {
    struct xsd_conn *conn;
    char *path;                /* absolute or special */
    char *token;
    uint32_t prefix_len;       /* chars to strip for a relative watch */
    int depth;                 /* -1: unlimited */
};

/* Adds a watch (checks done by the caller); fires it once. */
struct xsd_watch *xsd_watch_add(struct xsd_conn *c, const char *path, const char *token,
                                uint32_t prefix_len, int depth);
struct xsd_watch *xsd_watch_find(struct xsd_conn *c, const char *path, const char *token);
void xsd_watch_remove(struct xsd_watch *w);
void xsd_watch_remove_all(struct xsd_conn *c);
void xsd_watch_fire_initial(struct xsd_watch *w);
/* A change at `path`.  exact: only watches on exactly `path` (children of
 * a removed subtree).  perms: the node's permissions (NULL: look the node
 * up in the current tree), parent: its parent's (NULL: look up), old: the
 * permissions before a change (may be NULL). */
void xsd_watch_fire(struct xsd_store *s, const char *path, bool exact,
                    const struct xsd_perms *perms, const struct xsd_perms *parent,
                    const struct xsd_perms *old);
/* @introduceDomain / @releaseDomain for domain `domid`. */
void xsd_watch_fire_special(struct xsd_store *s, const char *special, uint32_t domid);
/* Pure matching rule, for tests: would a watch on `wpath` with `depth`
 * see a change at `path`, and with which event path?  Returns false if not. */
bool xsd_watch_matches(const char *wpath, int depth, uint32_t prefix_len, const char *path,
                       bool exact, const char **event_path);

/* ------------------------------------------------------------------ */
/* Transactions (xsd_txn.c). */

struct xsd_access {
    uint64_t gen;              /* generation when first accessed, or NO_GEN */
    struct xsd_perms *perms;   /* permissions then (NULL if absent) */
    bool modified;
    bool fire;                 /* a watch event is due at commit */
    bool exact;
    uint32_t order;            /* first-access order */
};

struct xsd_txn_event {
    char *path;
    bool exact;
};

struct xsd_txn {
    uint32_t id;
    struct xsd_conn *conn;
    struct xsd_node *root;     /* private tree, shares unchanged nodes */
    uint64_t start_gen;
    GHashTable *accessed;      /* path -> struct xsd_access */
    uint32_t naccessed;
    GArray *events;            /* struct xsd_txn_event, in order */
    GHashTable *event_index;   /* path -> index in events */
    GHashTable *delta;         /* domid -> struct xsd_txn_delta */
    int error;                 /* set: commit fails with it */
};

struct xsd_txn *xsd_txn_start(struct xsd_conn *c);
struct xsd_txn *xsd_txn_find(struct xsd_conn *c, uint32_t id);
/* Ends a transaction (removes and frees it).  commit: check for conflicts
 * and apply; returns 0 or EAGAIN, ENOSPC, ... */
int xsd_txn_end(struct xsd_txn *t, bool commit);
void xsd_txn_abort_all(struct xsd_conn *c);
/* Records an access at `path` (node: as found in the transaction's tree
 * before the access, or NULL).  Returns 0 or ENOSPC (transaction-nodes). */
int xsd_txn_note(struct xsd_txn *t, const char *path, const struct xsd_node *node,
                 bool modify);
void xsd_txn_queue_event(struct xsd_txn *t, const char *path, bool exact);
void xsd_txn_account(struct xsd_txn *t, uint32_t domid, enum xsd_quota q, long delta);
long xsd_txn_delta(const struct xsd_txn *t, uint32_t domid, enum xsd_quota q);

/* ------------------------------------------------------------------ */
/* The store (xsd_core.c). */

struct xsd_special {
    const char *path;          /* "@introduceDomain", "@releaseDomain" */
    struct xsd_perms *perms;
};

/* Hooks to the rest of the system (the hypervisor, the ring transport);
 * all optional.  Set by the daemon, left NULL by the tests. */
struct xsd_domain_hooks {
    /* INTRODUCE accepted: map the ring and bind the event channel.
     * Returns 0 or an errno for the reply. */
    int (*introduce)(struct xsd_store *s, struct xsd_domain *d);
    /* RELEASE or domain death: drop the ring. */
    void (*release)(struct xsd_store *s, struct xsd_domain *d);
};

struct xsd_stats {
    uint64_t requests;
    uint64_t errors;
    uint64_t events;
    uint64_t events_dropped;
    uint64_t txn_commits;
    uint64_t txn_conflicts;
    uint64_t txn_aborts;
    uint64_t bad_clients;
    uint64_t refused[XSD_Q_COUNT];
    uint64_t throttled;
};

struct xsd_store {
    struct xsd_node *root;
    uint64_t gen;              /* last generation handed out */
    GHashTable *domains;       /* domid -> struct xsd_domain */
    GQueue conns;              /* struct xsd_conn, via conn->link */
    uint32_t next_conn_id;
    GHashTable *watch_index;   /* path -> GPtrArray of struct xsd_watch */
    struct xsd_special special[2];
    unsigned long quota[XSD_Q_COUNT];
    unsigned long quota_soft_memory;
    uint64_t watch_event_timeout_ms;
    /* CONTROL may write reports to files (memreport FILE); off in the
     * fuzz target, which must not write files. */
    bool no_file_output;
    /* Watch events queued for unprivileged connections, which expire:
     * the daemon runs its expiry timer only while there are some. */
    unsigned long timed_events;
    bool keep_orphans;
    struct xsd_stats stats;
    const struct xsd_domain_hooks *hooks;
    /* Tracing of every request and reply (--trace / CONTROL log). */
    FILE *trace;
    bool trace_on;
    /* Set by CONTROL live-update -s: the daemon saves and re-executes
     * itself once the reply is out. */
    bool live_update_requested;
    char *live_update_binary;
    char *live_update_cmdline;
    /* Hook for the daemon: CONTROL logfile. */
    int (*set_trace_file)(struct xsd_store *s, const char *path);
};

/* Creates an empty store with Xen 4.17's default quotas.  With
 * `standard_nodes`, creates /, /local, /local/domain, /tool,
 * /tool/xenstored, /vm and domain 0's home (name, domid). */
struct xsd_store *xsd_store_new(bool standard_nodes);
void xsd_store_free(struct xsd_store *s);
uint64_t xsd_store_next_gen(struct xsd_store *s);
/* Handles one complete request (header + payload) from `c`. */
void xsd_store_handle(struct xsd_conn *c, const struct xsd_sockmsg *hdr,
                      const char *payload);
/* A domain shut down (VIRQ_DOM_EXC): fires @releaseDomain once. */
void xsd_store_domain_shutdown(struct xsd_store *s, uint32_t domid);
/* Removes a domain: its ring, watches, owned nodes; fires @releaseDomain. */
void xsd_store_release_domain(struct xsd_store *s, uint32_t domid);
/* Fires the initial event of every watch (after a restore). */
void xsd_store_refire_watches(struct xsd_store *s);
/* Consistency check of tree and accounting (CONTROL check); returns a
 * description of problems found (and fixed), or NULL when all is well. */
char *xsd_store_check(struct xsd_store *s);
/* Memory used by the tree (CONTROL memreport). */
void xsd_store_tree_stats(const struct xsd_store *s, uint64_t *nodes, uint64_t *bytes);
void xsd_trace(struct xsd_store *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Internal tree changes (restore, domain release): privileged, no txn. */
int xsd_store_write_node(struct xsd_store *s, const char *path, const void *value,
                         size_t len, struct xsd_perms *perms, uint64_t gen);

/* ------------------------------------------------------------------ */
/* Requests (xsd_ops.c, xsd_control.c). */

#define XSD_MAX_ARGS 16

struct xsd_req {
    struct xsd_store *store;
    struct xsd_conn *conn;
    struct xsd_txn *txn;       /* NULL: the global tree */
    const struct xsd_sockmsg *hdr;
    const char *payload;
    uint32_t len;
    const char *argv[XSD_MAX_ARGS];
    unsigned argc;             /* NUL-terminated strings, capped */
    unsigned nstrings;         /* all NUL-terminated strings */
    struct xsd_arena arena;
    bool replied;
};

void xsd_reply(struct xsd_req *r, const void *data, size_t len);
void xsd_reply_ok(struct xsd_req *r);
void xsd_reply_str(struct xsd_req *r, const char *s);
const char *xsd_errno_name(int err);
int xsd_errno_from_name(const char *name);
int xsd_do_control(struct xsd_req *r);
/* Name of a message type ("READ"), "UNKNOWN" when out of range. */
const char *xsd_type_name(uint32_t type);

/* ------------------------------------------------------------------ */
/* State file (xsd_state.c): the tree, permissions, domains, quotas and,
 * for a live update, the connections (fds kept open across exec) with
 * their watches. */

/* Writes the state to `path` (atomically, via a temporary file), with
 * the guests' ring connections (their watches, partial input and queued
 * output).  keep_conns: also the socket connections and listening fds,
 * whose fds are made inheritable.  Returns 0 or -1 with errno, *why set. */
int xsd_state_save(struct xsd_store *s, const char *path, bool keep_conns,
                   const int *listen_fds, unsigned nlisten, const char **why);
/* Callback for restoring a connection: a socket's (fd >= 0), or a
 * guest's ring connection (fd -1, after the domain's record). */
typedef struct xsd_conn *xsd_state_adopt_fn(struct xsd_store *s, int fd, uint32_t domid,
                                            unsigned flags, void *opaque);
/* Reads a state file into an empty store (xsd_store_new(false)).
 * listen_fds receives inherited listening fds (-1 when absent, index 0:
 * socket, 1: socket_ro).  Returns 0 or -1 with *why set. */
int xsd_state_load(struct xsd_store *s, const char *path, int listen_fds[2],
                   xsd_state_adopt_fn *adopt, void *opaque, const char **why);

#endif
