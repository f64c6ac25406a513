/* xs-ring-test: dom0 side of the guest-ring tests of xenstored.
 *
 *   xs-ring-test boot [-m MB] GUEST
 *       Creates a domain as libxl does with XenStore: its home
 *       /local/domain/D readable by D (n0 rD), D's own data/ and control/
 *       (nD), then
 *       builds GUEST into it with its console and store event channels,
 *       writes its entries, introduces it to xenstored and unpauses it.
 *       Prints D.
 *   xs-ring-test destroy D
 *   xs-ring-test hostile GUEST
 *       Builds GUEST into a domain that stays paused, and plays that guest
 *       on its ring page itself (the page is mapped here too): requests
 *       across the index wrap-around, then one scribble after another --
 *       request and reply indices out of range, an oversized payload,
 *       garbage, truncated messages, indices broken while connected, a
 *       reconnection request, a flood of requests whose replies are never
 *       read.  Each case introduces the domain, checks what xenstored did
 *       (the error field of the page, its reply, dom0 still served) and
 *       releases it.  Prints "ok NAME" or "not ok NAME: why" per case, and
 *       "domid D", "violations N" (the cases xenstored must have logged
 *       one line for) and "done" at the end.
 *   xs-ring-test play GUEST
 *       The same paused domain, played as a guest by commands on standard
 *       input, one answer line each: introduce, release, kick (dom0
 *       writes data/kick), watch PATH TOKEN, read PATH, write PATH VALUE
 *       (queued on the ring: "queued"), next (the next message: "event
 *       PATH TOKEN", "READ value", "ERROR ENOENT", "timeout"), reply (the
 *       next one that is not an event), quit.  Prints "domid D" first.
 *
 * xenstored gets no event from the guest's port here (a paused guest, and
 * dom0 cannot send on it): it services the ring when it attaches it, and
 * when a watch event it queued for the guest kicks it -- the guest's
 * watch on data/kick, which dom0 writes to.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <xen/io/xs_wire.h>

#include "xenstore.h"
#include "xktest.h"

#define TIMEOUT_MS 10000

static xc_interface *xch;
static struct xs_handle *xs;

static void die(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    fputs("xs-ring-test: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(2);
}

/* Home, data/ and control/ with libxl's permissions. */
static void make_home(uint32_t d)
{
    struct xs_permissions home[2] = { { 0, XS_PERM_NONE }, { d, XS_PERM_READ } };
    struct xs_permissions own[1] = { { d, XS_PERM_NONE } };
    static const char *const subdirs[] = { "data", "control" };
    char path[64];

    snprintf(path, sizeof(path), "/local/domain/%u", d);
    if (!xs_mkdir(xs, XBT_NULL, path) || !xs_set_permissions(xs, XBT_NULL, path, home, 2))
        die("%s: %s", path, strerror(errno));
    for (size_t i = 0; i < sizeof(subdirs) / sizeof(subdirs[0]); i++) {
        snprintf(path, sizeof(path), "/local/domain/%u/%s", d, subdirs[i]);
        if (!xs_mkdir(xs, XBT_NULL, path) || !xs_set_permissions(xs, XBT_NULL, path, own, 1))
            die("%s: %s", path, strerror(errno));
    }
}

static int cmd_boot(int argc, char **argv)
{
    unsigned mem = 16;
    char err[1024];
    uint32_t d;
    int opt;

    while ((opt = getopt(argc, argv, "m:")) != -1) {
        if (opt != 'm')
            return 2;
        mem = (unsigned)strtoul(optarg, NULL, 0);
    }
    if (optind + 1 != argc)
        return 2;
    if (xkt_create(xch, mem, 1, &d, err, sizeof(err)) < 0)
        die("%s", err);
    make_home(d);
    xkt_use_xenstore(1);
    if (xkt_build_into(xch, d, argv[optind], mem, NULL, err, sizeof(err)) < 0) {
        xc_domain_destroy(xch, d);
        die("%s", err);
    }
    if (xc_domain_unpause(xch, d) < 0) {
        xc_domain_destroy(xch, d);
        die("unpause d%u: %s", d, strerror(errno));
    }
    printf("%u\n", d);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Playing the guest */

static struct {
    uint32_t domid;
    uint64_t gfn;
    uint32_t port;
    struct xenstore_domain_interface *intf;
    uint32_t req_id;
    unsigned kicks;
    int failed;
    unsigned violations;
} g;

static uint64_t now_ms(void)
{
    return xkt_now_ns() / 1000000;
}

/* Polls `cond` until it holds or the deadline passes. */
#define WAIT_FOR(cond)                                                 \
    ({                                                                 \
        uint64_t _end = now_ms() + TIMEOUT_MS;                         \
        bool _ok;                                                      \
        while (!(_ok = (cond)) && now_ms() < _end)                     \
            usleep(1000);                                              \
        _ok;                                                           \
    })

static uint32_t ld(volatile uint32_t *p)
{
    return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void st(volatile uint32_t *p, uint32_t v)
{
    __atomic_store_n(p, v, __ATOMIC_RELEASE);
}

/* Appends bytes to the request ring (the caller keeps within its size). */
static void put_bytes(const void *data, size_t len)
{
    const char *p = data;
    uint32_t prod = g.intf->req_prod;

    for (size_t i = 0; i < len; i++)
        g.intf->req[MASK_XENSTORE_IDX(prod + (uint32_t)i)] = p[i];
    st(&g.intf->req_prod, prod + (uint32_t)len);
}

/* One request: type, payload (strings with their NULs). */
static uint32_t put_msg(uint32_t type, uint32_t tx, const void *payload, size_t len)
{
    struct xsd_sockmsg h = { .type = type, .req_id = ++g.req_id, .tx_id = tx,
                             .len = (uint32_t)len };

    put_bytes(&h, sizeof(h));
    put_bytes(payload, len);
    return h.req_id;
}

static uint32_t rsp_avail(void)
{
    return ld(&g.intf->rsp_prod) - ld(&g.intf->rsp_cons);
}

static void get_bytes(void *out, size_t len)
{
    char *p = out;
    uint32_t cons = g.intf->rsp_cons;

    for (size_t i = 0; i < len; i++)
        p[i] = g.intf->rsp[MASK_XENSTORE_IDX(cons + (uint32_t)i)];
    st(&g.intf->rsp_cons, cons + (uint32_t)len);
}

static bool msg_ready(void)
{
    struct xsd_sockmsg h;
    uint32_t cons = g.intf->rsp_cons;

    if (rsp_avail() < sizeof(h))
        return false;
    for (size_t i = 0; i < sizeof(h); i++)
        ((char *)&h)[i] = g.intf->rsp[MASK_XENSTORE_IDX(cons + (uint32_t)i)];
    return rsp_avail() >= sizeof(h) + h.len;
}

/* The next reply or event; false on timeout. */
static bool get_msg(struct xsd_sockmsg *h, char *payload, size_t cap)
{
    if (!WAIT_FOR(msg_ready()))
        return false;
    get_bytes(h, sizeof(*h));
    if (h->len >= cap)
        return false;
    get_bytes(payload, h->len);
    payload[h->len] = '\0';
    return true;
}

/* The reply to req_id (events before it are skipped). */
static bool get_reply(uint32_t req_id, struct xsd_sockmsg *h, char *payload, size_t cap)
{
    for (;;) {
        if (!get_msg(h, payload, cap))
            return false;
        if (h->type != XS_WATCH_EVENT && h->req_id == req_id)
            return true;
    }
}

static void result(const char *name, bool ok, const char *fmt, ...)
{
    va_list ap;

    if (ok) {
        printf("ok %s\n", name);
    } else {
        printf("not ok %s: ", name);
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        putchar('\n');
        g.failed = 1;
    }
    fflush(stdout);
}

/* A clean ring with indices at `base`, as a fresh guest would leave it. */
static void ring_clean(uint32_t base)
{
    memset(g.intf, 0, sizeof(*g.intf));
    g.intf->req_cons = g.intf->req_prod = base;
    g.intf->rsp_cons = g.intf->rsp_prod = base;
    /* A value a server must not keep: it says whether it reset it. */
    g.intf->error = 0x5a5a;
}

/* As libxl before each introduction: a RELEASE removes data/ (the domain
 * owns it) and the domain's rights on its home. */
static void ensure_home(void)
{
    struct xs_permissions perms[2] = { { 0, XS_PERM_NONE }, { g.domid, XS_PERM_READ } };
    char path[64], val[16];

    make_home(g.domid);
    snprintf(path, sizeof(path), "/local/domain/%u/domid", g.domid);
    snprintf(val, sizeof(val), "%u", g.domid);
    if (!xs_write(xs, XBT_NULL, path, val, (unsigned)strlen(val)) ||
        !xs_set_permissions(xs, XBT_NULL, path, perms, 2))
        die("%s: %s", path, strerror(errno));
}

static bool introduce(void)
{
    ensure_home();
    return xs_introduce_domain(xs, g.domid, (unsigned long)g.gfn, g.port);
}

static bool introduced(void)
{
    return xs_is_domain_introduced(xs, g.domid);
}

static bool release(void)
{
    return xs_release_domain(xs, g.domid) && !introduced();
}

/* dom0 is served, and the domain is still introduced. */
static bool others_fine(void)
{
    char *v = xs_read(xs, XBT_NULL, "/local/domain/0/name", NULL);
    bool ok = v && strcmp(v, "Domain-0") == 0;

    free(v);
    return ok && introduced();
}

/* Makes xenstored service the ring: an event for the guest's watch. */
static void kick(void)
{
    char path[64], val[16];

    snprintf(path, sizeof(path), "/local/domain/%u/data/kick", g.domid);
    snprintf(val, sizeof(val), "%u", ++g.kicks);
    if (!xs_write(xs, XBT_NULL, path, val, (unsigned)strlen(val)))
        die("write %s: %s", path, strerror(errno));
}

/* Connects with a watch on data/kick; consumes the replies. */
static bool connect_with_watch(uint32_t base)
{
    struct xsd_sockmsg h;
    char buf[256];
    static const char w[] = "data/kick\0k";
    uint32_t id;

    ring_clean(base);
    id = put_msg(XS_WATCH, 0, w, sizeof(w));
    if (!introduce())
        return false;
    /* The reply and the watch's first event. */
    return get_reply(id, &h, buf, sizeof(buf)) && h.type == XS_WATCH &&
           get_msg(&h, buf, sizeof(buf)) && h.type == XS_WATCH_EVENT;
}

static unsigned quota_use(const char *what)
{
    char cmd[32], *rep, *p;
    unsigned v = 0;

    snprintf(cmd, sizeof(cmd), "%u", g.domid);
    rep = xs_control_command(xs, "quota", cmd, (unsigned)strlen(cmd) + 1);
    if (!rep)
        return 0;           /* ENOENT: the domain is forgotten */
    p = strstr(rep, what);
    if (p)
        sscanf(p + strlen(what), " : %u", &v);
    free(rep);
    return v;
}

static void case_requests(void)
{
    struct xsd_sockmsg h;
    char buf[512], want[16];
    uint32_t id1, id2, id3;
    bool ok;

    /* Indices just below 2^32 and not aligned: the messages straddle the
     * index wrap-around and the end of the buffers. */
    ring_clean(0xfffffff0u - 3);
    id1 = put_msg(XS_READ, 0, "domid", 6);
    put_msg(XS_WRITE, 0, "data/v\0ring", 11);
    id2 = put_msg(XS_READ, 0, "data/v", 7);
    id3 = put_msg(XS_WATCH, 0, "data/kick\0k", 12);
    ok = introduce();
    snprintf(want, sizeof(want), "%u", g.domid);
    ok = ok && get_reply(id1, &h, buf, sizeof(buf)) && h.type == XS_READ && !strcmp(buf, want);
    result("read-own-domid", ok, "reply type %u \"%s\", wanted \"%s\"", h.type, buf, want);
    ok = get_reply(id2, &h, buf, sizeof(buf)) && h.type == XS_READ && !strcmp(buf, "ring");
    result("write-then-read", ok, "reply type %u \"%s\"", h.type, buf);
    ok = get_reply(id3, &h, buf, sizeof(buf)) && h.type == XS_WATCH;
    ok = ok && get_msg(&h, buf, sizeof(buf)) && h.type == XS_WATCH_EVENT;
    result("watch", ok, "type %u", h.type);

    /* A request while connected, noticed through the watch's event. */
    id1 = put_msg(XS_READ, 0, "data/v", 7);
    kick();
    ok = get_reply(id1, &h, buf, sizeof(buf)) && h.type == XS_READ && !strcmp(buf, "ring");
    result("request-while-connected", ok, "type %u \"%s\"", h.type, buf);
    result("error-field-reset", ld(&g.intf->error) == 0 &&
           (ld(&g.intf->server_features) & XENSTORE_SERVER_FEATURE_RECONNECTION) &&
           (ld(&g.intf->server_features) & XENSTORE_SERVER_FEATURE_ERROR),
           "error %u, features %#x", g.intf->error, g.intf->server_features);

    /* A transaction left open; RELEASE drops it and the watch. */
    id1 = put_msg(XS_TRANSACTION_START, 0, "", 1);
    kick();
    ok = get_reply(id1, &h, buf, sizeof(buf)) && h.type == XS_TRANSACTION_START;
    result("transaction-open", ok && quota_use("transactions") == 1 &&
           quota_use("watches") == 1, "type %u, %u transactions, %u watches", h.type,
           quota_use("transactions"), quota_use("watches"));
    result("release", release() && quota_use("transactions") == 0 &&
           quota_use("watches") == 0, "introduced %d, %u transactions, %u watches",
           introduced(), quota_use("transactions"), quota_use("watches"));
}

/* Introduces with a scribbled ring; expects a disconnection with
 * `error` set. */
static void expect_violation(const char *name, uint32_t error)
{
    bool ok = introduce();

    ok = ok && WAIT_FOR(ld(&g.intf->error) == error);
    result(name, ok && others_fine(), "error %u (wanted %u), introduced %d", g.intf->error,
           error, introduced());
    g.violations++;
    result(name, release(), "release failed");
}

static void case_scribbles(void)
{
    struct xsd_sockmsg h = { .type = XS_READ, .req_id = 1 };
    unsigned seed = 12345;
    char junk[XENSTORE_RING_SIZE];
    bool ok;

    ring_clean(100);
    g.intf->req_prod = g.intf->req_cons + XENSTORE_RING_SIZE + 1;
    expect_violation("request-indices", XENSTORE_ERROR_RINGIDX);

    ring_clean(7);
    g.intf->rsp_cons = g.intf->rsp_prod + 1;
    expect_violation("reply-indices", XENSTORE_ERROR_RINGIDX);

    ring_clean(0);
    h.len = XENSTORE_PAYLOAD_MAX + 1;
    put_bytes(&h, sizeof(h));
    put_bytes("x", 1);
    expect_violation("oversized", XENSTORE_ERROR_PROTO);

    /* Garbage: whatever it parses as, its first header announces more
     * than XENSTORE_PAYLOAD_MAX (checked here, so the case stays what
     * it says). */
    for (size_t i = 0; i < sizeof(junk); i++) {
        seed = seed * 1103515245u + 12345u;
        junk[i] = (char)(seed >> 16);
    }
    memcpy(&h, junk, sizeof(h));
    if (h.len <= XENSTORE_PAYLOAD_MAX)
        die("the garbage frames a real message: change the seed");
    ring_clean(500);
    put_bytes(junk, sizeof(junk));
    expect_violation("garbage", XENSTORE_ERROR_PROTO);

    /* Truncated: half a header, then a header whose payload never comes.
     * Nothing to tell from a slow guest: the connection waits, harmless
     * to everyone else, and goes with RELEASE. */
    ring_clean(0);
    h = (struct xsd_sockmsg){ .type = XS_READ, .req_id = 1, .len = 8 };
    put_bytes(&h, 8);
    ok = introduce() && WAIT_FOR(ld(&g.intf->req_cons) == ld(&g.intf->req_prod));
    result("truncated-header", ok && g.intf->error == 0 && others_fine(), "error %u",
           g.intf->error);
    result("truncated-header", release(), "release failed");
    ring_clean(0);
    h.len = 100;
    put_bytes(&h, sizeof(h));
    put_bytes("domid", 5);
    ok = introduce() && WAIT_FOR(ld(&g.intf->req_cons) == ld(&g.intf->req_prod));
    result("truncated-payload", ok && g.intf->error == 0 && others_fine(), "error %u",
           g.intf->error);
    result("truncated-payload", release(), "release failed");

    /* Broken while connected: found at the next service (a kick). */
    ok = connect_with_watch(0x1000);
    g.intf->rsp_prod = g.intf->rsp_cons + 2 * XENSTORE_RING_SIZE;
    kick();
    ok = ok && WAIT_FOR(ld(&g.intf->error) == XENSTORE_ERROR_RINGIDX);
    result("indices-while-connected", ok && others_fine(), "error %u", g.intf->error);
    g.violations++;
    result("indices-while-connected", release(), "release failed");
}

static void case_reconnect(void)
{
    struct xsd_sockmsg h;
    char buf[256];
    uint32_t id;
    bool ok = connect_with_watch(3);

    /* The guest asks for a reconnection with junk in its indices. */
    g.intf->req_prod = 0x12345;
    g.intf->rsp_cons = 0x777;
    st(&g.intf->connection, XENSTORE_RECONNECT);
    kick();
    ok = ok && WAIT_FOR(ld(&g.intf->connection) == XENSTORE_CONNECTED);
    ok = ok && g.intf->req_cons == 0 && g.intf->req_prod == 0 && g.intf->rsp_cons == 0 &&
         g.intf->rsp_prod == 0 && g.intf->error == 0;
    result("reconnect-resets-ring", ok, "connection %u, indices %u %u %u %u",
           g.intf->connection, g.intf->req_cons, g.intf->req_prod, g.intf->rsp_cons,
           g.intf->rsp_prod);
    result("reconnect-drops-watches", quota_use("watches") == 0, "%u watches",
           quota_use("watches"));
    /* The new connection serves; INTRODUCE again makes xenstored look. */
    g.req_id = 0;
    id = put_msg(XS_READ, 0, "domid", 6);
    ok = introduce() && get_reply(id, &h, buf, sizeof(buf)) && h.type == XS_READ;
    result("reintroduce-serves", ok, "type %u \"%s\"", h.type, buf);
    result("reconnect", release(), "release failed");
}

/* Requests whose replies are never read: xenstored stops reading the ring
 * (outstanding quota, full reply ring); the guest only stalls itself. */
static void case_flood(void)
{
    char path[64], big[1000];
    bool ok;
    unsigned n = 0;

    ensure_home();
    snprintf(path, sizeof(path), "/local/domain/%u/data/big", g.domid);
    memset(big, 'b', sizeof(big));
    if (!xs_write(xs, XBT_NULL, path, big, sizeof(big)))
        die("write %s: %s", path, strerror(errno));
    ring_clean(0);
    while (XENSTORE_RING_SIZE - (g.intf->req_prod - g.intf->req_cons) >= 16 + 9) {
        put_msg(XS_READ, 0, "data/big", 9);
        n++;
    }
    /* The reply ring fills up and stays full; the requests beyond the
     * outstanding quota stay unread. */
    ok = introduce() && WAIT_FOR(rsp_avail() == XENSTORE_RING_SIZE);
    ok = ok && g.intf->req_cons != g.intf->req_prod && others_fine() && g.intf->error == 0;
    result("flood-unread-replies", ok, "%u requests, %u reply bytes, error %u", n,
           rsp_avail(), g.intf->error);
    result("flood-unread-replies", release(), "release failed");
}

/* A paused domain with an unbound store port for dom0, its ring page
 * mapped here. */
static void hostile_domain(const char *guest)
{
    char err[1024];
    uint64_t pfn = 0;
    int port;

    if (xkt_build(xch, guest, 16, 1, NULL, &g.domid, err, sizeof(err)) < 0)
        die("%s", err);
    port = xc_evtchn_alloc_unbound(xch, g.domid, 0);
    if (port < 0 || xc_hvm_param_get(xch, g.domid, HVM_PARAM_STORE_PFN, &pfn) < 0 || !pfn)
        die("d%u: no store port or page: %s", g.domid, strerror(errno));
    g.port = (uint32_t)port;
    g.gfn = pfn;
    g.intf = xc_map_foreign_range(xch, g.domid, XC_PAGE_SIZE, PROT_READ | PROT_WRITE,
                                  (unsigned long)pfn);
    if (!g.intf)
        die("d%u: cannot map the store page: %s", g.domid, strerror(errno));
    printf("domid %u\n", g.domid);
    fflush(stdout);
}

static int cmd_hostile(const char *guest)
{
    hostile_domain(guest);
    case_requests();
    case_scribbles();
    case_reconnect();
    case_flood();

    munmap(g.intf, XC_PAGE_SIZE);
    xc_domain_destroy(xch, g.domid);
    printf("violations %u\ndone\n", g.violations);
    return g.failed;
}

static const char *type_name(uint32_t type)
{
    static const char *const names[] = {
        [XS_READ] = "READ", [XS_WRITE] = "WRITE", [XS_WATCH] = "WATCH",
        [XS_WATCH_EVENT] = "event", [XS_ERROR] = "ERROR",
    };

    return type < sizeof(names) / sizeof(names[0]) && names[type] ? names[type] : "OTHER";
}

static void print_msg(const struct xsd_sockmsg *h, char *payload)
{
    /* NULs between strings become spaces; a trailing one goes. */
    uint32_t len = h->len;

    if (len && payload[len - 1] == '\0')
        len--;
    for (uint32_t i = 0; i < len; i++)
        if (payload[i] == '\0')
            payload[i] = ' ';
    payload[len] = '\0';
    printf("%s %s\n", type_name(h->type), payload);
}

static int cmd_play(const char *guest)
{
    char line[512], buf[XENSTORE_PAYLOAD_MAX + 1];
    struct xsd_sockmsg h;

    hostile_domain(guest);
    ring_clean(0);
    while (fgets(line, sizeof(line), stdin)) {
        char *arg, *arg2;

        line[strcspn(line, "\n")] = '\0';
        arg = strchr(line, ' ');
        if (arg)
            *arg++ = '\0';
        arg2 = arg ? strchr(arg, ' ') : NULL;
        if (arg2)
            *arg2++ = '\0';
        if (!strcmp(line, "introduce")) {
            puts(introduce() ? "OK" : strerror(errno));
        } else if (!strcmp(line, "release")) {
            puts(release() ? "OK" : strerror(errno));
        } else if (!strcmp(line, "kick")) {
            kick();
            puts("OK");
        } else if ((!strcmp(line, "watch") || !strcmp(line, "write")) && arg && arg2) {
            bool watch = line[1] == 'a';
            size_t a = strlen(arg) + 1, b = strlen(arg2) + (watch ? 1 : 0);

            if (a + b > sizeof(buf))
                die("too long");
            memcpy(buf, arg, a);
            memcpy(buf + a, arg2, b);
            put_msg(watch ? XS_WATCH : XS_WRITE, 0, buf, a + b);
            puts("queued");
        } else if (!strcmp(line, "read") && arg) {
            put_msg(XS_READ, 0, arg, strlen(arg) + 1);
            puts("queued");
        } else if (!strcmp(line, "next") || !strcmp(line, "reply")) {
            bool ok;

            do
                ok = get_msg(&h, buf, sizeof(buf));
            while (ok && line[0] == 'r' && h.type == XS_WATCH_EVENT);
            if (ok)
                print_msg(&h, buf);
            else
                puts("timeout");
        } else if (!strcmp(line, "quit")) {
            break;
        } else {
            puts("bad command");
        }
        fflush(stdout);
    }
    munmap(g.intf, XC_PAGE_SIZE);
    xc_domain_destroy(xch, g.domid);
    return 0;
}

int main(int argc, char **argv)
{
    int rc = 2;

    if (argc < 2) {
        fprintf(stderr, "usage: xs-ring-test boot [-m MB] GUEST | destroy D | hostile GUEST | "
                "play GUEST\n");
        return 2;
    }
    xch = xc_interface_open(NULL, NULL, 0);
    if (!xch)
        die("cannot reach xen: %s", strerror(errno));
    if (strcmp(argv[1], "destroy") != 0) {
        xs = xs_open(0);
        if (!xs)
            die("cannot reach xenstored: %s", strerror(errno));
    }
    if (strcmp(argv[1], "boot") == 0) {
        rc = cmd_boot(argc - 1, argv + 1);
    } else if (strcmp(argv[1], "destroy") == 0 && argc == 3) {
        rc = xc_domain_destroy(xch, (uint32_t)strtoul(argv[2], NULL, 0)) < 0;
        if (rc)
            fprintf(stderr, "xs-ring-test: destroy: %s\n", strerror(errno));
    } else if (strcmp(argv[1], "hostile") == 0 && argc == 3) {
        rc = cmd_hostile(argv[2]);
    } else if (strcmp(argv[1], "play") == 0 && argc == 3) {
        rc = cmd_play(argv[2]);
    }
    xs_close(xs);
    xc_interface_close(xch);
    return rc;
}
