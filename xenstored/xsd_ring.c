/* The guest-ring transport: every introduced domain is served on its
 * XenStore ring page with the same core as the Unix sockets.
 *
 * A domain's ring (struct xenstore_domain_interface, xs_wire.h; the
 * protocol of Xen's docs/misc/xenstore-ring.txt) is mapped from the
 * hypervisor with xc_map_foreign_range() when INTRODUCE names it, and its
 * event channel is bound with libxenevtchn.  One xenevtchn handle serves
 * every ring and VIRQ_DOM_EXC; its descriptor is in the GLib main loop
 * and is readable exactly while one of our ports is pending.
 *
 * The page is the guest's live memory and the guest may change any of it
 * at any time: every index is read once per pass and checked
 * (producer - consumer may never exceed the ring size), request bytes are
 * copied out of the page before the core sees them, and the core gets at
 * most what completes the header or payload it is reading.  A guest that
 * breaks the protocol -- inconsistent indices, a payload announced longer
 * than XENSTORE_PAYLOAD_MAX -- is disconnected: one warning in the log,
 * the error field of its page set (XENSTORE_SERVER_FEATURE_ERROR), its
 * watches and transactions dropped, the page unmapped and the port
 * unbound.  The domain stays introduced; RELEASE, its death or a new
 * INTRODUCE (which connects afresh) end that state.  Malformed requests
 * inside well-framed messages get error replies from the core, as on the
 * socket.  A truncated message (a header whose payload never comes) only
 * leaves that guest's own connection waiting.
 *
 * Fairness: one service of a ring handles a bounded number of bytes and
 * reschedules itself when more are waiting, so a busy guest cannot keep
 * the loop from the others; unprivileged rings are read one message at a
 * time and not at all while the guest has too many unanswered requests
 * (the outstanding quota), so a guest that never reads its replies only
 * stalls itself.
 *
 * The ring reconnection feature (XENSTORE_SERVER_FEATURE_RECONNECTION) is
 * offered: a guest that sets connection to XENSTORE_RECONNECT gets a new,
 * empty connection (no watches, no transactions, no partial messages) on
 * zeroed indices, and connection back at XENSTORE_CONNECTED.
 *
 * Domain death: on VIRQ_DOM_EXC the domain list is read once; an
 * introduced domain that is gone or dying is released (connection torn
 * down, watches and transactions gone, @releaseDomain fired), one that
 * shut down fires @releaseDomain once (xsd_store_domain_shutdown).  When
 * the control socket hangs up (xen exited), every domain is gone and is
 * released the same way.
 *
 * Life cycle of a struct ring: created by INTRODUCE (or by a state file,
 * parked until the hypervisor is reached), attached (page mapped, port
 * bound), then shut down by the core (release, protocol violation): it is
 * detached at once when that is safe and freed from an idle callback,
 * never from inside a call that still uses it.
 *
 * Privilege: mapping guest pages and binding their ports goes through the
 * control socket, which only root can open; xenstored maps nothing but the
 * ring pages of the domains dom0 introduced.
 *
 * Locking: none.  Everything here runs in xenstored's one thread, from
 * the GLib main loop (event-channel descriptor, control-socket hang-up,
 * idle callbacks) or from the core's hooks called by it.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib-unix.h>

#include "log.h"
#include "util.h"
#include "xenctrl.h"
#include "xenevtchn.h"
#include "xsd_ring.h"

/* Bytes one service may consume before it yields to the main loop. */
#define SERVICE_BUDGET (16 * XENSTORE_RING_SIZE)

struct ring {
    struct xsd_store *store;
    struct xsd_conn *conn;
    uint32_t domid;
    struct xenstore_domain_interface *intf;   /* NULL: not attached */
    evtchn_port_t port;                /* ours, 0 when unbound */
    bool closing;                      /* shut down by the core */
    bool in_service;                   /* ring_service on the stack */
    bool queued;                       /* in hv.kicked */
    unsigned resets;                   /* reconnections asked by the guest */
    guint free_src;
};

static struct {
    struct xsd_store *store;
    char *privcmd;
    xc_interface *xch;
    xenevtchn_handle *xce;
    guint evtchn_src;                  /* the xenevtchn descriptor */
    guint hup_src;                     /* the control socket hanging up */
    evtchn_port_t virq_port;
    GHashTable *by_port;               /* local port -> struct ring */
    GPtrArray *rings;                  /* every struct ring */
    GPtrArray *kicked;                 /* rings to service soon */
    guint kick_src;
    bool unreachable_logged;
} hv;

void (*xsd_ring_after_input)(struct xsd_store *s);

static void ring_service(struct ring *r);

/* ------------------------------------------------------------------ */
/* Rings */

static void rings_init(void)
{
    if (hv.by_port)
        return;
    hv.by_port = g_hash_table_new(g_direct_hash, g_direct_equal);
    hv.rings = g_ptr_array_new();
    hv.kicked = g_ptr_array_new();
}

/* Unbinds the port and unmaps the page (idempotent).  Not while
 * ring_service runs on this ring. */
static void ring_detach(struct ring *r)
{
    if (r->port) {
        g_hash_table_remove(hv.by_port, GUINT_TO_POINTER(r->port));
        if (hv.xce && xenevtchn_unbind(hv.xce, r->port) < 0)
            xk_log_errno(XK_LOG_DEBUG, "domain %u: unbinding local port %u", r->domid,
                         r->port);
        r->port = 0;
    }
    if (r->intf) {
        munmap(r->intf, XC_PAGE_SIZE);
        r->intf = NULL;
    }
}

static void ring_free(struct ring *r)
{
    struct xsd_store *s = r->store;
    uint32_t domid = r->domid;

    ring_detach(r);
    if (r->free_src)
        g_source_remove(r->free_src);
    if (r->queued)
        g_ptr_array_remove(hv.kicked, r);
    g_ptr_array_remove_fast(hv.rings, r);
    xsd_conn_free(r->conn);
    g_free(r);
    xsd_domain_gc(s, domid);
}

static gboolean ring_free_cb(gpointer data)
{
    struct ring *r = data;

    r->free_src = 0;
    ring_free(r);
    return G_SOURCE_REMOVE;
}

static gboolean kick_cb(gpointer data)
{
    struct xsd_store *s = hv.store;

    hv.kick_src = 0;
    while (hv.kicked->len) {
        struct ring *r = g_ptr_array_steal_index(hv.kicked, 0);

        r->queued = false;
        ring_service(r);
    }
    if (xsd_ring_after_input && s)
        xsd_ring_after_input(s);
    return G_SOURCE_REMOVE;
}

/* Services the ring soon, from the main loop. */
static void ring_schedule(struct ring *r)
{
    if (r->queued || r->closing)
        return;
    r->queued = true;
    g_ptr_array_add(hv.kicked, r);
    if (!hv.kick_src)
        hv.kick_src = g_idle_add_full(G_PRIORITY_DEFAULT, kick_cb, NULL, NULL);
}

static void ring_kick(struct xsd_conn *c)
{
    ring_schedule(c->transport);
}

static void ring_shutdown(struct xsd_conn *c)
{
    struct ring *r = c->transport;

    if (r->closing)
        return;
    r->closing = true;
    if (!r->in_service)
        ring_detach(r);
    if (!r->free_src)
        r->free_src = g_idle_add_full(G_PRIORITY_HIGH, ring_free_cb, r, NULL);
}

static const struct xsd_transport_ops ring_ops = {
    .name = "ring",
    .kick = ring_kick,
    .shutdown = ring_shutdown,
};

/* A new, unattached ring and its connection, which becomes the domain's. */
static struct ring *ring_new(struct xsd_store *s, struct xsd_domain *d)
{
    struct ring *r = g_new0(struct ring, 1);

    rings_init();
    r->store = s;
    r->domid = d->domid;
    r->conn = xsd_conn_new(s, &ring_ops, r, d->domid, 0);
    g_ptr_array_add(hv.rings, r);
    d->ring = r->conn;
    return r;
}

/* The live ring of a domain, attached or parked; NULL if none. */
static struct ring *ring_of(const struct xsd_domain *d)
{
    if (d->ring && d->ring->ops == &ring_ops && !d->ring->dead)
        return d->ring->transport;
    return NULL;
}

/* Frees a ring at once (not on the stack), with its connection. */
static void ring_abandon(struct ring *r)
{
    struct xsd_domain *d = xsd_domain_find(r->store, r->domid);

    if (d && d->ring == r->conn)
        d->ring = NULL;
    r->closing = true;
    ring_free(r);
}

static void ring_notify(struct ring *r)
{
    if (r->port && xenevtchn_notify(hv.xce, r->port) < 0)
        xk_log_errno(XK_LOG_DEBUG, "domain %u: notifying local port %u", r->domid, r->port);
}

/* The guest broke the ring protocol: one line in the log (the core's,
 * for an oversized payload), the error in its page, and the connection
 * goes. */
static void ring_violation(struct ring *r, const struct xsd_ring_fault *f)
{
    char desc[96];

    if (f->what) {
        r->store->stats.bad_clients++;
        xk_warn("domain %u: %s (consumer %u, producer %u) on %s: protocol violation, "
                "disconnecting it (INTRODUCE connects it again)", r->domid, f->what, f->cons,
                f->prod, xsd_conn_describe(r->conn, desc, sizeof(desc)));
    }
    if (r->intf)
        __atomic_store_n(&r->intf->error, f->error, __ATOMIC_RELEASE);
    ring_notify(r);
    xsd_conn_shutdown(r->conn, NULL);
}

/* Maps the domain's page and binds its port (d->gfn, d->evtchn) for `r`.
 * Returns 0 or an errno, after logging why. */
static int ring_attach(struct ring *r, const struct xsd_domain *d)
{
    struct xenstore_domain_interface *intf;
    int port, err;

    intf = xc_map_foreign_range(hv.xch, d->domid, XC_PAGE_SIZE, PROT_READ | PROT_WRITE,
                                (unsigned long)d->gfn);
    if (!intf) {
        err = errno ? errno : EINVAL;
        xk_log_errno(XK_LOG_WARN, "domain %u: cannot map its XenStore ring (gfn %#llx)",
                     d->domid, (unsigned long long)d->gfn);
        return err;
    }
    port = xenevtchn_bind_interdomain(hv.xce, d->domid, d->evtchn);
    if (port < 0) {
        err = errno ? errno : EINVAL;
        xk_log_errno(XK_LOG_WARN, "domain %u: cannot bind its XenStore event channel %u",
                     d->domid, d->evtchn);
        munmap(intf, XC_PAGE_SIZE);
        return err;
    }
    r->intf = intf;
    r->port = (evtchn_port_t)port;
    r->resets = 0;
    g_hash_table_insert(hv.by_port, GUINT_TO_POINTER(r->port), r);
    /* Features first: before any byte is produced or consumed. */
    xsd_ring_page_connect(intf);
    xk_debug("domain %u: serving its XenStore ring (gfn %#llx, port %u, local port %u)",
             d->domid, (unsigned long long)d->gfn, d->evtchn, r->port);
    /* Requests written before we came are served at once.  No event is
     * sent for the attachment itself: a guest that has not booted yet
     * would find it pending before it can take it (its first reply
     * brings one anyway). */
    ring_schedule(r);
    return 0;
}

/* The guest asked for a reconnection: a fresh connection on an empty
 * ring. */
static void ring_reset(struct ring *r)
{
    /* The guest decides how often: logged once per attachment. */
    xk_log(r->resets++ ? XK_LOG_DEBUG : XK_LOG_INFO,
           "domain %u: reconnecting its XenStore ring at its request (watches and "
           "transactions dropped)", r->domid);
    xsd_conn_free(r->conn);
    r->conn = xsd_conn_new(r->store, &ring_ops, r, r->domid, 0);
    xsd_domain_get(r->store, r->domid)->ring = r->conn;
    xsd_ring_page_reset(r->intf);
    ring_notify(r);
}

static void ring_service(struct ring *r)
{
    long budget = SERVICE_BUDGET;
    bool moved = false, more = false;

    if (r->closing || !r->intf)
        return;
    r->in_service = true;
    if (xsd_ring_page_wants_reset(r->intf)) {
        ring_reset(r);
        goto out;
    }
    for (;;) {
        struct xsd_ring_fault f;
        long w = xsd_ring_write_output(r->intf, r->conn, &f), n = 0;

        if (w >= 0)
            n = xsd_ring_read_input(r->intf, r->conn, budget, &f);
        if (w < 0 || n < 0) {
            ring_violation(r, &f);
            goto out;
        }
        budget -= n;
        if (w == 0 && n == 0)
            break;
        moved = true;
        if (budget <= 0) {
            more = true;
            break;
        }
    }
    if (moved)
        ring_notify(r);
out:
    r->in_service = false;
    if (r->closing)
        ring_detach(r);
    else if (more)
        ring_schedule(r);
}

/* Serves an introduced domain's ring (first INTRODUCE or again). */
static int ring_connect(struct xsd_store *s, struct xsd_domain *d)
{
    struct ring *r = ring_of(d);
    int err;

    if (r && r->intf) {
        /* INTRODUCE again (a resumed domain): the connection and its
         * watches stay; the port is bound again and the page mapped
         * again (it may have moved). */
        if (r->in_service)
            return EBUSY;
        xk_info("domain %u: introduced again: attaching its XenStore ring again", d->domid);
        ring_detach(r);
    }
    if (!r)
        r = ring_new(s, d);     /* a dead one is freed by its idle callback */
    err = ring_attach(r, d);
    if (err)
        ring_abandon(r);
    return err;
}

/* Frees every ring (and its connection). */
static void rings_free_all(void)
{
    while (hv.rings && hv.rings->len)
        ring_abandon(g_ptr_array_index(hv.rings, hv.rings->len - 1));
    if (hv.kick_src) {
        g_source_remove(hv.kick_src);
        hv.kick_src = 0;
    }
}

/* ------------------------------------------------------------------ */
/* Domains */

/* After VIRQ_DOM_EXC (and at start): releases introduced domains that are
 * gone or dying, and notes those that shut down; leaves `except` alone
 * (the domain an INTRODUCE is working on). */
static void domains_check(uint32_t except)
{
    struct xsd_store *s = hv.store;
    GHashTable *flags = g_hash_table_new(g_direct_hash, g_direct_equal);
    GArray *check = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    xc_domaininfo_t info[256];
    GHashTableIter it;
    gpointer value;
    uint32_t next = 0;
    int n;

    for (;;) {
        n = xc_domain_getinfolist(hv.xch, next, G_N_ELEMENTS(info), info);
        if (n < 0) {
            xk_log_errno(XK_LOG_WARN, "cannot read the domain list; domain deaths are "
                         "noticed at the next VIRQ_DOM_EXC");
            goto out;
        }
        for (int i = 0; i < n; i++)
            g_hash_table_insert(flags, GUINT_TO_POINTER(info[i].domain),
                                GUINT_TO_POINTER(info[i].flags));
        if (n < (int)G_N_ELEMENTS(info))
            break;
        next = info[n - 1].domain + 1;
    }
    g_hash_table_iter_init(&it, s->domains);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        struct xsd_domain *d = value;

        if (d->introduced && d->domid != 0 && d->domid != except)
            g_array_append_val(check, d->domid);
    }
    for (guint i = 0; i < check->len; i++) {
        uint32_t domid = g_array_index(check, uint32_t, i);
        gpointer f = NULL;
        bool exists = g_hash_table_lookup_extended(flags, GUINT_TO_POINTER(domid), NULL, &f);
        uint32_t fl = GPOINTER_TO_UINT(f);

        if (!exists || (fl & XEN_DOMINF_dying))
            xsd_store_release_domain(s, domid);
        else if (fl & XEN_DOMINF_shutdown)
            xsd_store_domain_shutdown(s, domid);
    }
out:
    g_array_free(check, TRUE);
    g_hash_table_destroy(flags);
}

/* Serves every introduced domain but `except` that has no attached ring
 * (start, restart, the hypervisor reached late). */
static void domains_attach_all(struct xsd_store *s, uint32_t except)
{
    GArray *todo = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    GHashTableIter it;
    gpointer value;

    g_hash_table_iter_init(&it, s->domains);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        struct xsd_domain *d = value;

        if (d->introduced && d->domid != 0 && d->domid != except && d->evtchn)
            g_array_append_val(todo, d->domid);
    }
    for (guint i = 0; i < todo->len; i++) {
        struct xsd_domain *d = xsd_domain_find(s, g_array_index(todo, uint32_t, i));
        struct ring *r = d ? ring_of(d) : NULL;

        if (!d || (r && r->intf))
            continue;
        if (r) {
            /* Parked (from a state file): keeps its watches. */
            if (ring_attach(r, d))
                ring_abandon(r);
        } else {
            ring_connect(s, d);
        }
    }
    g_array_free(todo, TRUE);
}

/* ------------------------------------------------------------------ */
/* The hypervisor */

static gboolean on_evtchn(gint fd, GIOCondition cond, gpointer data)
{
    struct xsd_store *s = hv.store;
    int port;

    while (hv.xce && (port = xenevtchn_pending(hv.xce)) >= 0) {
        struct ring *r;

        if ((evtchn_port_t)port == hv.virq_port)
            domains_check(XSD_DOMID_NONE);
        else if ((r = g_hash_table_lookup(hv.by_port, GUINT_TO_POINTER(port))))
            ring_service(r);
        if (hv.xce)
            xenevtchn_unmask(hv.xce, (evtchn_port_t)port);
    }
    if (xsd_ring_after_input)
        xsd_ring_after_input(s);
    return G_SOURCE_CONTINUE;
}

/* Closes the handles on the hypervisor. */
static void hv_close(void)
{
    if (hv.evtchn_src) {
        g_source_remove(hv.evtchn_src);
        hv.evtchn_src = 0;
    }
    if (hv.hup_src) {
        g_source_remove(hv.hup_src);
        hv.hup_src = 0;
    }
    if (hv.xce) {
        if (hv.virq_port)
            xenevtchn_unbind(hv.xce, hv.virq_port);
        xenevtchn_close(hv.xce);
        hv.xce = NULL;
    }
    hv.virq_port = 0;
    if (hv.xch) {
        xc_interface_close(hv.xch);
        hv.xch = NULL;
    }
}

static gboolean on_hangup(gint fd, GIOCondition cond, gpointer data)
{
    struct xsd_store *s = hv.store;
    GArray *gone = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    GHashTableIter it;
    gpointer value;

    hv.hup_src = 0;
    xk_warn("the hypervisor closed its control socket (xen exited?): every domain is gone; "
            "serving the Unix sockets only until xen is back and a domain is introduced");
    g_hash_table_iter_init(&it, s->domains);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        struct xsd_domain *d = value;

        if (d->introduced && d->domid != 0)
            g_array_append_val(gone, d->domid);
    }
    for (guint i = 0; i < gone->len; i++)
        xsd_store_release_domain(s, g_array_index(gone, uint32_t, i));
    g_array_free(gone, TRUE);
    rings_free_all();
    hv_close();
    hv.unreachable_logged = false;
    return G_SOURCE_REMOVE;
}

/* Connects to the hypervisor when its control socket is there.  Quiet
 * when it is not (socket-only mode), after one line. */
static bool hv_connect(void)
{
    struct stat st;
    int port, fd;

    if (hv.xch)
        return true;
    if (hv.privcmd && (stat(hv.privcmd, &st) < 0 || !S_ISSOCK(st.st_mode))) {
        if (!hv.unreachable_logged)
            xk_info("no hypervisor at %s: serving the Unix sockets only; INTRODUCE records "
                    "domains", hv.privcmd);
        hv.unreachable_logged = true;
        return false;
    }
    hv.xch = xc_interface_open(NULL, NULL, 0);
    if (!hv.xch)
        goto fail;
    hv.xce = xenevtchn_open(NULL, 0);
    if (!hv.xce)
        goto fail;
    fd = xenevtchn_fd(hv.xce);
    if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0)
        goto fail;
    port = xenevtchn_bind_virq(hv.xce, VIRQ_DOM_EXC);
    if (port < 0)
        goto fail;
    hv.virq_port = (evtchn_port_t)port;
    hv.evtchn_src = g_unix_fd_add(fd, G_IO_IN, on_evtchn, NULL);
    hv.hup_src = g_unix_fd_add(xc_interface_fd(hv.xch), G_IO_HUP | G_IO_ERR, on_hangup, NULL);
    hv.unreachable_logged = false;
    xk_info("serving guest rings through the hypervisor at %s",
            hv.privcmd ? hv.privcmd : "the default control socket");
    return true;

fail:
    if (!hv.unreachable_logged)
        xk_log_errno(XK_LOG_WARN, "cannot use the hypervisor at %s; serving the Unix sockets "
                     "only", hv.privcmd ? hv.privcmd : "the default control socket");
    hv.unreachable_logged = true;
    hv_close();
    return false;
}

/* ------------------------------------------------------------------ */
/* Hooks of the core */

static int hook_introduce(struct xsd_store *s, struct xsd_domain *d)
{
    if (!hv.xch) {
        if (!hv_connect())
            return 0;           /* socket-only: recorded */
        /* Those introduced before are checked and served too. */
        domains_check(d->domid);
        domains_attach_all(s, d->domid);
    }
    return ring_connect(s, d);
}

static void hook_release(struct xsd_store *s, struct xsd_domain *d)
{
    struct ring *r = ring_of(d);

    /* The core shuts the connection down next; unbind and unmap now. */
    if (r && !r->in_service)
        ring_detach(r);
}

static const struct xsd_domain_hooks ring_hooks = {
    .introduce = hook_introduce,
    .release = hook_release,
};

/* ------------------------------------------------------------------ */

void xsd_ring_init(struct xsd_store *s, const char *privcmd)
{
    hv.store = s;
    rings_init();
    if (privcmd && privcmd != hv.privcmd) {
        g_free(hv.privcmd);
        hv.privcmd = g_strdup(privcmd);
    }
    s->hooks = &ring_hooks;
    if (!hv_connect())
        return;
    domains_check(XSD_DOMID_NONE);
    domains_attach_all(s, XSD_DOMID_NONE);
}

void xsd_ring_stop(struct xsd_store *s)
{
    rings_free_all();
    hv_close();
    hv.unreachable_logged = false;
    if (s->hooks == &ring_hooks)
        s->hooks = NULL;
    if (hv.by_port) {
        g_hash_table_destroy(hv.by_port);
        g_ptr_array_free(hv.rings, TRUE);
        g_ptr_array_free(hv.kicked, TRUE);
        hv.by_port = NULL;
        hv.rings = NULL;
        hv.kicked = NULL;
    }
    g_free(hv.privcmd);
    hv.privcmd = NULL;
    hv.store = NULL;
}

bool xsd_ring_active(void)
{
    return hv.xch != NULL;
}

struct xsd_conn *xsd_ring_adopt(struct xsd_store *s, uint32_t domid)
{
    struct xsd_domain *d = xsd_domain_find(s, domid);

    if (!d || !d->introduced || domid == 0 || d->ring)
        return NULL;
    hv.store = s;
    return ring_new(s, d)->conn;
}
