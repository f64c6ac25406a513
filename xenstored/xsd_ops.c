/* The request dispatcher and the operations of xs_wire.h.
 *
 * One table says, per message type, its handler, whether it is reserved to
 * privileged callers, whether it changes state (refused on the read-only
 * socket), whether it ignores the transaction id, and how many strings its
 * payload holds.  xsd_store_handle() checks all of that once, looks up the
 * transaction, splits the payload, gives the request its memory context
 * and turns a handler's errno into an error reply: handlers only do their
 * operation.  Error choices follow C xenstored (docs/misc/xenstore.txt):
 * a caller that may not learn whether a node exists gets EACCES, not
 * ENOENT, and so on.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"
#include "xsd.h"

#define OP_PRIV     0x01u       /* privileged callers only: EACCES */
#define OP_NOTX     0x02u       /* the header's tx_id is ignored */
#define OP_MUTATES  0x04u       /* refused on read-only connections: EACCES */
#define OP_ONEARG   0x08u       /* payload is exactly one string: EINVAL */

struct xsd_op {
    const char *name;
    int (*fn)(struct xsd_req *r);
    unsigned flags;
    unsigned min_args, max_args;   /* NUL-terminated strings in the payload */
};

/* ------------------------------------------------------------------ */
/* Errors and replies */

const char *xsd_errno_name(int err)
{
    for (unsigned i = 0; i < G_N_ELEMENTS(xsd_errors); i++)
        if (xsd_errors[i].errnum == err)
            return xsd_errors[i].errstring;
    return "EINVAL";
}

int xsd_errno_from_name(const char *name)
{
    for (unsigned i = 0; i < G_N_ELEMENTS(xsd_errors); i++)
        if (strcmp(xsd_errors[i].errstring, name) == 0)
            return xsd_errors[i].errnum;
    return -1;
}

static void trace_msg(struct xsd_store *s, const char *dir, const struct xsd_conn *c,
                      const struct xsd_sockmsg *hdr, uint32_t type, const char *data,
                      size_t len)
{
    char text[257];
    size_t n = XK_MIN(len, sizeof(text) - 1);

    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)data[i];

        text[i] = ch == '\0' ? ' ' : (ch < 0x20 || ch >= 0x7f) ? '.' : (char)ch;
    }
    text[n] = '\0';
    xsd_trace(s, "%s conn %u dom %u %s req %u tx %u len %zu: %s%s", dir, c->id, c->domid,
              xsd_type_name(type), hdr->req_id, hdr->tx_id, len, text,
              len > n ? "..." : "");
}

static void reply_error(struct xsd_req *r, int err)
{
    const char *e = xsd_errno_name(err);

    xsd_conn_queue(r->conn, XS_ERROR, r->hdr->req_id, r->hdr->tx_id, e, strlen(e) + 1);
    if (r->store->trace_on)
        trace_msg(r->store, "OUT", r->conn, r->hdr, XS_ERROR, e, strlen(e) + 1);
    r->replied = true;
}

void xsd_reply(struct xsd_req *r, const void *data, size_t len)
{
    if (len > XENSTORE_PAYLOAD_MAX) {
        reply_error(r, E2BIG);
        return;
    }
    xsd_conn_queue(r->conn, r->hdr->type, r->hdr->req_id, r->hdr->tx_id, data, len);
    if (r->store->trace_on)
        trace_msg(r->store, "OUT", r->conn, r->hdr, r->hdr->type, data, len);
    r->replied = true;
}

void xsd_reply_ok(struct xsd_req *r)
{
    xsd_reply(r, "OK", 3);
}

void xsd_reply_str(struct xsd_req *r, const char *s)
{
    xsd_reply(r, s, strlen(s) + 1);
}

/* ------------------------------------------------------------------ */
/* The context of an operation: who asks, in which view of the tree.
 * c == NULL is xenstored itself (restore, domain release). */

struct ctx {
    struct xsd_store *s;
    struct xsd_conn *c;
    struct xsd_txn *t;
    struct xsd_arena *arena;
};

static struct ctx req_ctx(struct xsd_req *r)
{
    struct ctx x = { .s = r->store, .c = r->conn, .t = r->txn, .arena = &r->arena };

    return x;
}

static struct xsd_node **view_root(const struct ctx *x)
{
    return x->t ? &x->t->root : &x->s->root;
}

static bool is_privileged(const struct ctx *x)
{
    return !x->c || x->c->privileged;
}

static uint32_t caller_domid(const struct ctx *x)
{
    return x->c ? x->c->domid : 0;
}

static uint32_t caller_target(const struct ctx *x)
{
    struct xsd_domain *d;

    if (!x->c)
        return XSD_DOMID_NONE;
    d = xsd_domain_find(x->s, x->c->domid);
    return d ? d->target : XSD_DOMID_NONE;
}

static uint32_t perms_of(const struct ctx *x, const struct xsd_perms *p)
{
    if (!x->c)
        return XSD_PERM_READ | XSD_PERM_WRITE | XSD_PERM_OWNER;
    return xsd_perms_for(p, x->c->domid, caller_target(x), x->c->privileged, x->c->can_write);
}

static void account(const struct ctx *x, uint32_t domid, enum xsd_quota q, long delta)
{
    if (!delta)
        return;
    if (x->t)
        xsd_txn_account(x->t, domid, q, delta);
    else
        xsd_domain_account(x->s, domid, q, delta);
}

static unsigned long usage(const struct ctx *x, uint32_t domid, enum xsd_quota q)
{
    struct xsd_domain *d = xsd_domain_find(x->s, domid);
    long v = d ? (long)d->use[q] : 0;

    if (x->t)
        v += xsd_txn_delta(x->t, domid, q);
    return v < 0 ? 0 : (unsigned long)v;
}

/* Quota check of a change charged to `domid` by the caller. */
static int quota(const struct ctx *x, uint32_t domid, enum xsd_quota q, unsigned long wanted)
{
    if (is_privileged(x))
        return 0;
    return xsd_quota_check(x->s, x->c, domid, q, wanted);
}

static int note(const struct ctx *x, const char *path, const struct xsd_node *n, bool modify)
{
    return x->t ? xsd_txn_note(x->t, path, n, modify) : 0;
}

static void fire(const struct ctx *x, const char *path, bool exact, const struct xsd_perms *perms,
                 const struct xsd_perms *parent, const struct xsd_perms *old)
{
    if (x->t)
        xsd_txn_queue_event(x->t, path, exact);
    else
        xsd_watch_fire(x->s, path, exact, perms, parent, old);
}

/* A request's path argument made absolute ("relative" paths are below
 * /local/domain/<caller>) and checked; special paths ("@...") only where
 * allowed.  NULL with *err (EINVAL) when malformed or too long. */
static const char *canon(const struct ctx *x, const char *path, bool allow_special,
                         uint32_t *prefix_len, int *err)
{
    const char *abs = path;
    size_t len, home_len = 0;
    char home[32];

    if (prefix_len)
        *prefix_len = 0;
    if (path[0] == '@') {
        if (!allow_special || !xsd_path_is_special(path)) {
            *err = EINVAL;
            return NULL;
        }
        return path;
    }
    if (path[0] != '/' || !is_privileged(x))
        home_len = (size_t)snprintf(home, sizeof(home), "/local/domain/%u/", caller_domid(x));
    if (path[0] != '/') {
        abs = xsd_arena_printf(x->arena, "%s%s", home, path);
        if (prefix_len)
            *prefix_len = (uint32_t)home_len;
    }
    if (!xsd_path_is_valid(abs)) {
        *err = EINVAL;
        return NULL;
    }
    len = strlen(abs);
    if (!is_privileged(x)) {
        size_t local = strncmp(abs, home, home_len) == 0 ? len - home_len : len;

        if (quota(x, caller_domid(x), XSD_Q_PATH, local)) {
            *err = EINVAL;
            return NULL;
        }
    }
    return abs;
}

/* Records, in a transaction, that path and its missing ancestors down to
 * the existing `ancestor` at path[0..matched) were looked at. */
static int note_missing(const struct ctx *x, const char *path, size_t matched,
                        const struct xsd_node *ancestor)
{
    size_t len = strlen(path);
    int err;

    if (!x->t)
        return 0;
    err = note(x, path, NULL, false);
    while (!err) {
        len = xsd_path_parent_len(path, len);
        if (len <= matched)
            break;
        err = note(x, xsd_arena_strndup(x->arena, path, len), NULL, false);
    }
    if (!err)
        err = note(x, xsd_arena_strndup(x->arena, path, matched), ancestor, false);
    return err;
}

/* Finds `path` for an access needing `perm` (all bits).  NULL with *err:
 * EACCES if the caller lacks the access or may not learn whether the node
 * exists (its nearest existing ancestor does not grant any of `perm`),
 * ENOENT if it does not exist, ENOSPC for a transaction over quota. */
static const struct xsd_node *get_node(const struct ctx *x, const char *path, uint32_t perm,
                                       int *err)
{
    size_t matched;
    const struct xsd_node *n = xsd_tree_walk(*view_root(x), path, &matched);

    if (matched == strlen(path)) {
        *err = note(x, path, n, false);
        if (*err)
            return NULL;
        if ((perms_of(x, n->perms) & perm) != perm) {
            *err = EACCES;
            return NULL;
        }
        return n;
    }
    *err = note_missing(x, path, matched, n);
    if (!*err)
        *err = (perms_of(x, n->perms) & perm) ? ENOENT : EACCES;
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Tree changes, shared by the requests and by xenstored itself. */

/* A copy of p with `owner` as its owner. */
static struct xsd_perms *perms_with_owner(const struct xsd_perms *p, uint32_t owner)
{
    struct xsd_perms *q = xsd_perms_new(p->num);

    memcpy(q->p, p->p, p->num * sizeof(q->p[0]));
    q->p[0].id = owner;
    return q;
}

static int write_value(const struct ctx *x, const char *path, const char *value, size_t vlen,
                       bool mkdir_only)
{
    struct xsd_node **rootp = view_root(x);
    size_t len = strlen(path), matched;
    const struct xsd_node *n, *anc;
    struct xsd_perms *perms;
    uint32_t owner, levels = 0;
    size_t newsize;
    int err;

    n = get_node(x, path, XSD_PERM_WRITE, &err);
    if (n) {
        struct xsd_node *m;
        long before;

        if (mkdir_only)
            return 0;
        owner = n->perms->p[0].id;
        newsize = xsd_node_size(n) - n->vlen + vlen;
        err = quota(x, caller_domid(x), XSD_Q_NODE_SIZE, newsize);
        if (!err && newsize > xsd_node_size(n))
            err = quota(x, owner, XSD_Q_MEMORY,
                        usage(x, owner, XSD_Q_MEMORY) + newsize - xsd_node_size(n));
        if (!err)
            err = note(x, path, n, true);
        if (err)
            return err;
        m = xsd_tree_unshare(rootp, path, len);
        before = (long)xsd_node_size(m);
        xsd_node_set_value(m, value, vlen);
        m->gen = xsd_store_next_gen(x->s);
        account(x, owner, XSD_Q_MEMORY, (long)xsd_node_size(m) - before);
        fire(x, path, false, m->perms, NULL, NULL);
        return 0;
    }
    if (err != ENOENT)
        return err;

    /* Create path and its missing ancestors below the nearest existing
     * one, inheriting its permissions; an unprivileged creator owns what it
     * creates. */
    anc = xsd_tree_walk(*rootp, path, &matched);
    for (size_t l = len; l > matched; l = xsd_path_parent_len(path, l))
        levels++;
    if (is_privileged(x) || anc->perms->p[0].id == caller_domid(x))
        perms = xsd_perms_ref(anc->perms);
    else
        perms = perms_with_owner(anc->perms, caller_domid(x));
    owner = perms->p[0].id;
    {
        /* The first new node's name grows the ancestor. */
        const char *first = path + (matched == 1 ? 1 : matched + 1);
        const char *slash = strchr(first, '/');
        size_t flen = slash ? (size_t)(slash - first) : strlen(first);
        size_t leaf = 16 + (size_t)perms->num * 8 + vlen;
        size_t inner = 16 + (size_t)perms->num * 8;
        size_t total = leaf + (levels - 1) * inner + (len - matched);
        uint32_t anc_owner = anc->perms->p[0].id;

        err = quota(x, owner, XSD_Q_NODES, usage(x, owner, XSD_Q_NODES) + levels);
        if (!err)
            err = quota(x, caller_domid(x), XSD_Q_NODE_SIZE, leaf);
        if (!err)
            err = quota(x, caller_domid(x), XSD_Q_NODE_SIZE, xsd_node_size(anc) + flen + 1);
        if (!err)
            err = quota(x, owner, XSD_Q_MEMORY, usage(x, owner, XSD_Q_MEMORY) + total);
        if (!err)
            err = note(x, xsd_arena_strndup(x->arena, path, matched), anc, true);
        for (size_t l = len; !err && l > matched; l = xsd_path_parent_len(path, l))
            err = note(x, xsd_arena_strndup(x->arena, path, l), NULL, true);
        if (err) {
            xsd_perms_unref(perms);
            return err;
        }
        {
            struct xsd_node *parent = xsd_tree_unshare(rootp, path, matched);
            const char *p = first;

            parent->gen = xsd_store_next_gen(x->s);
            account(x, anc_owner, XSD_Q_MEMORY, (long)flen + 1);
            for (;;) {
                const char *end = strchr(p, '/');
                size_t clen = end ? (size_t)(end - p) : strlen(p);
                struct xsd_node *child = xsd_node_new(p, clen, perms, xsd_store_next_gen(x->s));

                xsd_node_add_child(parent, child);
                if (!end) {
                    xsd_node_set_value(child, value, vlen);
                    account(x, owner, XSD_Q_MEMORY, (long)xsd_node_size(child));
                    break;
                }
                /* Charged with the child name it is about to get. */
                account(x, owner, XSD_Q_MEMORY,
                        (long)xsd_node_size(child) + (long)(strcspn(end + 1, "/") + 1));
                parent = child;
                p = end + 1;
            }
        }
        account(x, owner, XSD_Q_NODES, (long)levels);
        fire(x, path, false, perms, NULL, NULL);
        xsd_perms_unref(perms);
    }
    return 0;
}

struct doomed {
    const char *path;
    struct xsd_perms *perms;
    struct xsd_perms *parent;
    uint32_t owner;
    size_t size;
};

struct collect {
    const struct ctx *x;
    GArray *list;              /* struct doomed, post-order */
};

static void collect(struct collect *col, const struct xsd_node *n, const struct xsd_node *parent,
                    GString *path)
{
    size_t base = path->len;
    struct doomed d;

    for (uint32_t i = 0; i < n->nchildren; i++) {
        const struct xsd_node *c = n->children[i];

        g_string_append_c(path, '/');
        g_string_append_len(path, c->name, c->namelen);
        collect(col, c, n, path);
        g_string_truncate(path, base);
    }
    d.path = xsd_arena_strndup(col->x->arena, path->str, path->len);
    d.perms = xsd_perms_ref(n->perms);
    d.parent = xsd_perms_ref(parent->perms);
    d.owner = n->perms->p[0].id;
    d.size = xsd_node_size(n);
    g_array_append_val(col->list, d);
}

/* Removes path (which exists) and everything below it; fires the events
 * children first, as Xen does. */
static int remove_subtree(const struct ctx *x, const char *path)
{
    struct xsd_node **rootp = view_root(x);
    size_t len = strlen(path), plen = xsd_path_parent_len(path, len);
    const struct xsd_node *parent = xsd_tree_lookup(*rootp, xsd_arena_strndup(x->arena, path, plen));
    const struct xsd_node *n = xsd_tree_lookup(*rootp, path);
    struct collect col = { .x = x };
    GString *buf;
    int err = 0;

    g_assert(n && parent);
    col.list = g_array_new(FALSE, FALSE, sizeof(struct doomed));
    buf = g_string_new(path);
    collect(&col, n, parent, buf);
    g_string_free(buf, TRUE);
    for (guint i = 0; !err && i < col.list->len; i++) {
        struct doomed *d = &g_array_index(col.list, struct doomed, i);

        err = note(x, d->path, xsd_tree_lookup(*rootp, d->path), true);
    }
    if (!err)
        err = note(x, xsd_arena_strndup(x->arena, path, plen), parent, true);
    if (!err) {
        struct xsd_node *pm = xsd_tree_unshare(rootp, path, plen);
        uint32_t slot;
        const char *leaf = path + plen + (plen == 1 ? 0 : 1);

        if (!xsd_node_child(pm, leaf, strlen(leaf), &slot))
            g_error("removing %s: not a child of its parent", path);
        xsd_node_remove_child(pm, slot);
        pm->gen = xsd_store_next_gen(x->s);
        account(x, pm->perms->p[0].id, XSD_Q_MEMORY, -(long)(strlen(leaf) + 1));
        for (guint i = 0; i < col.list->len; i++) {
            struct doomed *d = &g_array_index(col.list, struct doomed, i);

            account(x, d->owner, XSD_Q_NODES, -1);
            account(x, d->owner, XSD_Q_MEMORY, -(long)d->size);
            /* Only the removed node itself is reported to watches above
             * it; its children to watches on exactly them. */
            fire(x, d->path, i + 1 < col.list->len, d->perms, d->parent, NULL);
        }
    }
    for (guint i = 0; i < col.list->len; i++) {
        struct doomed *d = &g_array_index(col.list, struct doomed, i);

        xsd_perms_unref(d->perms);
        xsd_perms_unref(d->parent);
    }
    g_array_free(col.list, TRUE);
    return err;
}

static int set_perms(const struct ctx *x, const char *path, struct xsd_perms *perms)
{
    const struct xsd_node *n;
    struct xsd_node *m;
    struct xsd_perms *old;
    uint32_t old_owner, new_owner = perms->p[0].id;
    long before;
    int err;

    n = get_node(x, path, XSD_PERM_WRITE | XSD_PERM_OWNER, &err);
    if (!n)
        return err;
    old_owner = n->perms->p[0].id;
    if (!is_privileged(x) && new_owner != old_owner)
        return EPERM;
    err = quota(x, caller_domid(x), XSD_Q_NODE_SIZE,
                xsd_node_size(n) + ((size_t)perms->num - n->perms->num) * 8);
    if (!err)
        err = note(x, path, n, true);
    if (err)
        return err;
    m = xsd_tree_unshare(view_root(x), path, strlen(path));
    before = (long)xsd_node_size(m);
    old = xsd_perms_ref(m->perms);
    xsd_node_set_perms(m, perms);
    m->gen = xsd_store_next_gen(x->s);
    if (old_owner != new_owner) {
        account(x, old_owner, XSD_Q_NODES, -1);
        account(x, old_owner, XSD_Q_MEMORY, -before);
        account(x, new_owner, XSD_Q_NODES, 1);
        account(x, new_owner, XSD_Q_MEMORY, (long)xsd_node_size(m));
    } else {
        account(x, old_owner, XSD_Q_MEMORY, (long)xsd_node_size(m) - before);
    }
    fire(x, path, false, m->perms, NULL, old);
    xsd_perms_unref(old);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Operations */

static bool parse_uint(const char *s, unsigned long max, unsigned long *out)
{
    unsigned long v = 0;

    if (!*s || strlen(s) > 20)
        return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
        v = v * 10 + (unsigned long)(*s - '0');
        if (v > max)
            return false;
    }
    *out = v;
    return true;
}

static bool parse_domid(const char *s, uint32_t *domid)
{
    unsigned long v;

    if (!parse_uint(s, 0xffff, &v))
        return false;
    *domid = (uint32_t)v;
    return true;
}

/* The node named by the request's path argument, for reading; NULL with
 * *err as canon() and get_node() say. */
static const struct xsd_node *readable_arg(struct xsd_req *r, int *err)
{
    struct ctx x = req_ctx(r);
    const char *path = canon(&x, r->argv[0], false, NULL, err);

    return path ? get_node(&x, path, XSD_PERM_READ, err) : NULL;
}

static int do_read(struct xsd_req *r)
{
    int err;
    const struct xsd_node *n = readable_arg(r, &err);

    if (!n)
        return err;
    xsd_reply(r, n->value, n->vlen);
    return 0;
}

static int do_directory(struct xsd_req *r)
{
    int err;
    const struct xsd_node *n = readable_arg(r, &err);
    char *buf, *p;

    if (!n)
        return err;
    if (n->childlen > XENSTORE_PAYLOAD_MAX)
        return E2BIG;
    p = buf = xsd_arena_alloc(&r->arena, n->childlen + 1);
    for (uint32_t i = 0; i < n->nchildren; i++) {
        memcpy(p, n->children[i]->name, n->children[i]->namelen + 1);
        p += n->children[i]->namelen + 1;
    }
    xsd_reply(r, buf, n->childlen);
    return 0;
}

static int do_directory_part(struct xsd_req *r)
{
    int err;
    const struct xsd_node *n = readable_arg(r, &err);
    unsigned long off = 0;
    char gen[24], *buf;
    size_t genlen, len = 0, maxlen, done = 0;
    uint32_t i;

    if (!n)
        return err;
    /* The offset is read like atoi(), as C xenstored does. */
    for (const char *s = r->argv[1]; *s >= '0' && *s <= '9' && off < 0x7fffffff; s++)
        off = off * 10 + (unsigned long)(*s - '0');
    genlen = (size_t)snprintf(gen, sizeof(gen), "%" PRIu64, n->gen) + 1;
    buf = xsd_arena_alloc(&r->arena, XENSTORE_PAYLOAD_MAX + 1);
    memcpy(buf, gen, genlen);
    if (off >= n->childlen) {
        buf[genlen] = '\0';
        xsd_reply(r, buf, genlen + 1);
        return 0;
    }
    maxlen = XENSTORE_PAYLOAD_MAX - genlen - 1;
    /* Children from byte offset `off` of the NUL-separated list, whole
     * names only, as many as fit; an extra NUL marks the end of the list. */
    for (i = 0; i < n->nchildren && done + n->children[i]->namelen + 1 <= off; i++)
        done += n->children[i]->namelen + 1;
    {
        const struct xsd_node *c = n->children[i];
        size_t skip = off - done;      /* non-zero only for a misaligned offset */
        size_t first = c->namelen + 1 - skip;

        if (first <= maxlen) {
            memcpy(buf + genlen, c->name + skip, first);
            len = first;
            done += c->namelen + 1;
            i++;
        }
    }
    for (; i < n->nchildren; i++) {
        const struct xsd_node *c = n->children[i];

        if (len + c->namelen + 1 > maxlen)
            break;
        memcpy(buf + genlen + len, c->name, c->namelen + 1);
        len += c->namelen + 1;
        done += c->namelen + 1;
    }
    if (i == n->nchildren)
        buf[genlen + len++] = '\0';
    xsd_reply(r, buf, genlen + len);
    return 0;
}

/* Finds the special path `path` ("@...") for an access needing `perm`
 * (all bits), as get_node() finds a node.  NULL with *err: ENOENT if there
 * is no such path, EACCES if the caller lacks the access. */
static struct xsd_special *get_special(const struct ctx *x, const char *path, uint32_t perm,
                                       int *err)
{
    for (unsigned i = 0; i < G_N_ELEMENTS(x->s->special); i++) {
        struct xsd_special *sp = &x->s->special[i];

        if (strcmp(sp->path, path) != 0)
            continue;
        if ((perms_of(x, sp->perms) & perm) != perm) {
            *err = EACCES;
            return NULL;
        }
        return sp;
    }
    *err = ENOENT;
    return NULL;
}

static int do_get_perms(struct xsd_req *r)
{
    struct ctx x = req_ctx(r);
    const struct xsd_perms *perms;
    const char *path;
    char *buf;
    size_t len;
    int err;

    path = canon(&x, r->argv[0], true, NULL, &err);
    if (!path)
        return err;
    if (path[0] == '@') {
        const struct xsd_special *sp = get_special(&x, path, XSD_PERM_READ, &err);

        if (!sp)
            return err;
        perms = sp->perms;
    } else {
        const struct xsd_node *n = get_node(&x, path, XSD_PERM_READ, &err);

        if (!n)
            return err;
        perms = n->perms;
    }
    buf = xsd_arena_alloc(&r->arena, (size_t)perms->num * 8 + 1);
    len = xsd_perms_format(perms, buf, (size_t)perms->num * 8 + 1);
    xsd_reply(r, buf, len);
    return 0;
}

/* WRITE and MKDIR: write_value() at the request's path argument. */
static int write_arg(struct xsd_req *r, const char *value, size_t vlen, bool mkdir_only)
{
    struct ctx x = req_ctx(r);
    const char *path;
    int err;

    path = canon(&x, r->argv[0], false, NULL, &err);
    if (!path)
        return err;
    err = write_value(&x, path, value, vlen, mkdir_only);
    if (err)
        return err;
    xsd_reply_ok(r);
    return 0;
}

static int do_write(struct xsd_req *r)
{
    size_t off = strlen(r->argv[0]) + 1;

    return write_arg(r, r->payload + off, r->len - off, false);
}

static int do_mkdir(struct xsd_req *r)
{
    return write_arg(r, NULL, 0, true);
}

static int do_rm(struct xsd_req *r)
{
    struct ctx x = req_ctx(r);
    const char *path;
    const struct xsd_node *n;
    int err;

    path = canon(&x, r->argv[0], false, NULL, &err);
    if (!path)
        return err;
    n = get_node(&x, path, XSD_PERM_WRITE, &err);
    if (!n) {
        size_t plen;
        const struct xsd_node *parent;

        if (err != ENOENT)
            return err;
        /* Absent is fine if the parent exists. */
        plen = xsd_path_parent_len(path, strlen(path));
        parent = xsd_tree_lookup(*view_root(&x), xsd_arena_strndup(&r->arena, path, plen));
        if (!parent)
            return ENOENT;
        xsd_reply_ok(r);
        return 0;
    }
    if (strcmp(path, "/") == 0)
        return EINVAL;
    err = remove_subtree(&x, path);
    if (err)
        return err;
    xsd_reply_ok(r);
    return 0;
}

static int do_set_perms(struct xsd_req *r)
{
    struct ctx x = req_ctx(r);
    struct xsd_perms *perms;
    const char *path;
    size_t off = strlen(r->argv[0]) + 1;
    uint32_t num = r->nstrings - 1;
    int err;

    if (!is_privileged(&x)) {
        err = quota(&x, caller_domid(&x), XSD_Q_PERMS, num);
        if (err)
            return err;
    }
    perms = xsd_perms_parse(r->payload + off, r->len - off, num);
    if (!perms)
        return EINVAL;
    path = canon(&x, r->argv[0], true, NULL, &err);
    if (!path) {
        xsd_perms_unref(perms);
        return err;
    }
    if (path[0] == '@') {
        struct xsd_special *sp = get_special(&x, path, XSD_PERM_WRITE | XSD_PERM_OWNER, &err);

        if (sp) {
            xsd_perms_unref(sp->perms);
            sp->perms = xsd_perms_ref(perms);
            err = 0;
        }
    } else {
        err = set_perms(&x, path, perms);
    }
    xsd_perms_unref(perms);
    if (err)
        return err;
    xsd_reply_ok(r);
    return 0;
}

static int do_watch(struct xsd_req *r)
{
    struct ctx x = req_ctx(r);
    struct xsd_conn *c = r->conn;
    const char *path, *token = r->argv[1];
    uint32_t prefix_len;
    unsigned long depth = (unsigned long)-1;
    struct xsd_watch *w;
    int err;

    path = canon(&x, r->argv[0], true, &prefix_len, &err);
    if (!path)
        return err;
    if (r->nstrings == 3 && !parse_uint(r->argv[2], 0xffff, &depth))
        return EINVAL;
    if (xsd_watch_find(c, path, token))
        return EEXIST;
    err = quota(&x, c->domid, XSD_Q_WATCHES, usage(&x, c->domid, XSD_Q_WATCHES) + 1);
    if (!err)
        err = quota(&x, c->domid, XSD_Q_MEMORY,
                    usage(&x, c->domid, XSD_Q_MEMORY) + strlen(path) + strlen(token));
    if (err)
        return err;
    w = xsd_watch_add(c, path, token, prefix_len,
                      depth == (unsigned long)-1 ? -1 : (int)depth);
    xsd_reply_ok(r);
    /* Fires once at once: simplifies clients and restarts. */
    xsd_watch_fire_initial(w);
    return 0;
}

static int do_unwatch(struct xsd_req *r)
{
    struct ctx x = req_ctx(r);
    const char *path;
    struct xsd_watch *w;
    int err;

    path = canon(&x, r->argv[0], true, NULL, &err);
    if (!path)
        return err;
    w = xsd_watch_find(r->conn, path, r->argv[1]);
    if (!w)
        return ENOENT;
    xsd_watch_remove(w);
    xsd_reply_ok(r);
    return 0;
}

static int do_reset_watches(struct xsd_req *r)
{
    xsd_watch_remove_all(r->conn);
    xsd_txn_abort_all(r->conn);
    xsd_reply_ok(r);
    return 0;
}

static int do_transaction_start(struct xsd_req *r)
{
    struct ctx x = req_ctx(r);
    struct xsd_conn *c = r->conn;
    struct xsd_txn *t;
    char id[16];
    int err;

    if (r->txn)
        return EBUSY;           /* no nesting */
    err = quota(&x, c->domid, XSD_Q_TRANSACTIONS, usage(&x, c->domid, XSD_Q_TRANSACTIONS) + 1);
    if (err)
        return err;
    t = xsd_txn_start(c);
    snprintf(id, sizeof(id), "%u", t->id);
    xsd_reply_str(r, id);
    return 0;
}

static int do_transaction_end(struct xsd_req *r)
{
    const char *arg = r->argv[0];
    struct xsd_txn *t = r->txn;
    int err;

    if (strcmp(arg, "T") != 0 && strcmp(arg, "F") != 0)
        return EINVAL;
    if (!t)
        return ENOENT;
    r->txn = NULL;
    err = xsd_txn_end(t, arg[0] == 'T');
    if (err)
        return err;
    xsd_reply_ok(r);
    return 0;
}

static int do_introduce(struct xsd_req *r)
{
    struct xsd_store *s = r->store;
    struct xsd_domain *d;
    uint32_t domid;
    unsigned long port;
    long long gfn;
    char *end;

    if (!parse_domid(r->argv[0], &domid) || domid == 0 || domid > XSD_DOMID_MAX)
        return EINVAL;
    errno = 0;
    gfn = strtoll(r->argv[1], &end, 10);
    if (errno || end == r->argv[1] || *end)
        return EINVAL;
    if (!parse_uint(r->argv[2], 0xffffffffUL, &port) || port == 0)
        return EINVAL;
    d = xsd_domain_get(s, domid);
    d->gfn = (uint64_t)gfn;
    d->evtchn = (uint32_t)port;
    if (d->introduced) {
        /* Again: reconnect the ring (a resumed domain). */
        if (s->hooks && s->hooks->introduce) {
            int err = s->hooks->introduce(s, d);

            if (err)
                return err;
        }
        xsd_reply_ok(r);
        return 0;
    }
    d->introduced = true;
    d->shutdown = false;
    if (s->hooks && s->hooks->introduce) {
        int err = s->hooks->introduce(s, d);

        if (err) {
            d->introduced = false;
            return err;
        }
    }
    xk_info("domain %u introduced (ring gfn %lld, event channel %lu)", domid, gfn, port);
    xsd_reply_ok(r);
    xsd_watch_fire_special(s, "@introduceDomain", domid);
    return 0;
}

static struct xsd_domain *introduced_domain(struct xsd_req *r, const char *arg, int *err)
{
    uint32_t domid;
    struct xsd_domain *d;

    if (!parse_domid(arg, &domid) || domid == 0) {
        *err = EINVAL;
        return NULL;
    }
    d = xsd_domain_find(r->store, domid);
    if (!d || !d->introduced) {
        *err = ENOENT;
        return NULL;
    }
    return d;
}

static int do_release(struct xsd_req *r)
{
    int err;
    struct xsd_domain *d = introduced_domain(r, r->argv[0], &err);

    if (!d)
        return err;
    xsd_store_release_domain(r->store, d->domid);
    xsd_reply_ok(r);
    return 0;
}

static int do_resume(struct xsd_req *r)
{
    int err;
    struct xsd_domain *d = introduced_domain(r, r->argv[0], &err);

    if (!d)
        return err;
    d->shutdown = false;
    xsd_reply_ok(r);
    return 0;
}

static int do_set_target(struct xsd_req *r)
{
    int err;
    struct xsd_domain *d = introduced_domain(r, r->argv[0], &err);
    struct xsd_domain *t;

    if (!d)
        return err;
    t = introduced_domain(r, r->argv[1], &err);
    if (!t)
        return err;
    d->target = t->domid;
    xk_info("domain %u now acts for domain %u", d->domid, t->domid);
    xsd_reply_ok(r);
    return 0;
}

static int do_get_domain_path(struct xsd_req *r)
{
    uint32_t domid;
    char path[32];

    if (!parse_domid(r->argv[0], &domid))
        return EINVAL;
    snprintf(path, sizeof(path), "/local/domain/%u", domid);
    xsd_reply_str(r, path);
    return 0;
}

static int do_is_domain_introduced(struct xsd_req *r)
{
    uint32_t domid;
    struct xsd_domain *d;

    if (!parse_domid(r->argv[0], &domid))
        return EINVAL;
    d = xsd_domain_find(r->store, domid);
    xsd_reply_str(r, domid == XSD_DOMID_SELF || domid == 0 || (d && d->introduced) ? "T" : "F");
    return 0;
}

#define ANY UINT32_MAX

static const struct xsd_op xsd_ops[XS_TYPE_COUNT] = {
    [XS_CONTROL] = { "CONTROL", xsd_do_control, OP_PRIV, 1, ANY },
    [XS_DIRECTORY] = { "DIRECTORY", do_directory, OP_ONEARG, 1, 1 },
    [XS_READ] = { "READ", do_read, OP_ONEARG, 1, 1 },
    [XS_GET_PERMS] = { "GET_PERMS", do_get_perms, OP_ONEARG, 1, 1 },
    [XS_WATCH] = { "WATCH", do_watch, OP_NOTX, 2, 3 },
    [XS_UNWATCH] = { "UNWATCH", do_unwatch, OP_NOTX, 2, 2 },
    [XS_TRANSACTION_START] = { "TRANSACTION_START", do_transaction_start, 0, 0, ANY },
    [XS_TRANSACTION_END] = { "TRANSACTION_END", do_transaction_end, OP_ONEARG, 1, 1 },
    [XS_INTRODUCE] = { "INTRODUCE", do_introduce, OP_PRIV | OP_MUTATES, 3, ANY },
    [XS_RELEASE] = { "RELEASE", do_release, OP_PRIV | OP_MUTATES | OP_ONEARG, 1, 1 },
    [XS_GET_DOMAIN_PATH] = { "GET_DOMAIN_PATH", do_get_domain_path, OP_ONEARG, 1, 1 },
    [XS_WRITE] = { "WRITE", do_write, OP_MUTATES, 1, ANY },
    [XS_MKDIR] = { "MKDIR", do_mkdir, OP_MUTATES | OP_ONEARG, 1, 1 },
    [XS_RM] = { "RM", do_rm, OP_MUTATES | OP_ONEARG, 1, 1 },
    [XS_SET_PERMS] = { "SET_PERMS", do_set_perms, OP_MUTATES, 2, ANY },
    [XS_WATCH_EVENT] = { "WATCH_EVENT", NULL, 0, 0, ANY },
    [XS_ERROR] = { "ERROR", NULL, 0, 0, ANY },
    [XS_IS_DOMAIN_INTRODUCED] = { "IS_DOMAIN_INTRODUCED", do_is_domain_introduced,
                                  OP_PRIV | OP_ONEARG, 1, 1 },
    [XS_RESUME] = { "RESUME", do_resume, OP_PRIV | OP_MUTATES | OP_ONEARG, 1, 1 },
    [XS_SET_TARGET] = { "SET_TARGET", do_set_target, OP_PRIV | OP_MUTATES, 2, ANY },
    [XS_RESET_WATCHES] = { "RESET_WATCHES", do_reset_watches, OP_NOTX, 0, ANY },
    [XS_DIRECTORY_PART] = { "DIRECTORY_PART", do_directory_part, 0, 2, 2 },
};

const char *xsd_type_name(uint32_t type)
{
    if (type < XS_TYPE_COUNT && xsd_ops[type].name)
        return xsd_ops[type].name;
    return "UNKNOWN";
}

void xsd_store_handle(struct xsd_conn *c, const struct xsd_sockmsg *hdr, const char *payload)
{
    struct xsd_store *s = c->store;
    struct xsd_req r;
    const struct xsd_op *op = hdr->type < XS_TYPE_COUNT ? &xsd_ops[hdr->type] : NULL;
    uint32_t off = 0;
    int err;

    memset(&r, 0, sizeof(r));
    r.store = s;
    r.conn = c;
    r.hdr = hdr;
    r.payload = payload;
    r.len = hdr->len;
    s->stats.requests++;
    c->requests++;
    if (s->trace_on)
        trace_msg(s, "IN ", c, hdr, hdr->type, payload, hdr->len);

    while (off < r.len) {
        const char *nul = memchr(payload + off, '\0', r.len - off);

        if (!nul)
            break;
        if (r.argc < XSD_MAX_ARGS)
            r.argv[r.argc++] = payload + off;
        r.nstrings++;
        off = (uint32_t)(nul - payload) + 1;
    }

    if (!op || !op->fn) {
        char desc[96];

        xk_debug("%s: unknown operation %u", xsd_conn_describe(c, desc, sizeof(desc)),
                 hdr->type);
        err = ENOSYS;
    } else if ((op->flags & OP_PRIV) && !c->privileged) {
        err = EACCES;
    } else if ((op->flags & OP_MUTATES) && !c->can_write) {
        err = EACCES;
    } else if (!(op->flags & OP_NOTX) && hdr->tx_id &&
               !(r.txn = xsd_txn_find(c, hdr->tx_id))) {
        err = ENOENT;
    } else if ((op->flags & OP_ONEARG) &&
               (r.nstrings != 1 || strlen(payload) + 1 != r.len)) {
        err = EINVAL;
    } else if (r.nstrings < op->min_args || r.nstrings > op->max_args) {
        err = EINVAL;
    } else {
        xsd_arena_init(&r.arena);
        err = op->fn(&r);
        xsd_arena_free(&r.arena);
        if (!err && !r.replied)
            g_error("%s handler sent no reply", op->name);
    }
    if (err) {
        s->stats.errors++;
        reply_error(&r, err);
    }
}

/* ------------------------------------------------------------------ */
/* Changes by xenstored itself */

int xsd_store_write_node(struct xsd_store *s, const char *path, const void *value,
                         size_t len, struct xsd_perms *perms, uint64_t gen)
{
    struct xsd_arena arena;
    struct ctx x = { .s = s, .arena = &arena };
    int err;

    xsd_arena_init(&arena);
    err = write_value(&x, path, value, len, false);
    if (!err && perms) {
        const struct xsd_node *n = xsd_tree_lookup(s->root, path);

        if (!xsd_perms_equal(n->perms, perms))
            err = set_perms(&x, path, perms);
    }
    if (!err && gen != XSD_NO_GEN) {
        struct xsd_node *m = xsd_tree_unshare(&s->root, path, strlen(path));

        m->gen = gen;
    }
    xsd_arena_free(&arena);
    return err;
}

struct owned {
    uint32_t domid;
    GPtrArray *paths;
};

static bool find_owned(const struct xsd_node *n, const char *path, const struct xsd_node *parent,
                       void *opaque)
{
    struct owned *o = opaque;

    if (parent && n->perms->p[0].id == o->domid) {
        g_ptr_array_add(o->paths, g_strdup(path));
        return false;           /* its children go with it */
    }
    return true;
}

static bool find_acl(const struct xsd_node *n, const char *path, const struct xsd_node *parent,
                     void *opaque)
{
    struct owned *o = opaque;

    for (uint32_t i = 1; i < n->perms->num; i++)
        if (n->perms->p[i].id == o->domid) {
            g_ptr_array_add(o->paths, g_strdup(path));
            break;
        }
    return true;
}

void xsd_store_release_domain(struct xsd_store *s, uint32_t domid)
{
    struct xsd_domain *d = xsd_domain_find(s, domid);
    struct owned o = { .domid = domid };
    struct xsd_arena arena;
    struct ctx x = { .s = s, .arena = &arena };
    GHashTableIter it;
    gpointer value;

    if (!d || domid == 0)
        return;
    xk_info("releasing domain %u", domid);
    if (s->hooks && s->hooks->release)
        s->hooks->release(s, d);
    if (d->ring)
        xsd_conn_shutdown(d->ring, "domain released");
    xsd_arena_init(&arena);

    /* Its nodes go (or, with --keep-orphans, pass to domain 0). */
    o.paths = g_ptr_array_new_with_free_func(g_free);
    xsd_tree_visit(s->root, "/", find_owned, &o);
    for (guint i = 0; i < o.paths->len; i++) {
        const char *path = g_ptr_array_index(o.paths, i);

        if (s->keep_orphans) {
            const struct xsd_node *n = xsd_tree_lookup(s->root, path);
            struct xsd_perms *p = perms_with_owner(n->perms, 0);

            set_perms(&x, path, p);
            xsd_perms_unref(p);
        } else if (xsd_tree_lookup(s->root, path)) {
            remove_subtree(&x, path);
        }
    }
    g_ptr_array_set_size(o.paths, 0);

    /* Its rights on other nodes are revoked, so that a new domain with the
     * same id does not inherit them. */
    xsd_tree_visit(s->root, "/", find_acl, &o);
    for (guint i = 0; i < o.paths->len; i++) {
        const char *path = g_ptr_array_index(o.paths, i);
        struct xsd_node *m = xsd_tree_unshare(&s->root, path, strlen(path));
        struct xsd_perms *p = xsd_perms_new(m->perms->num);
        long before = (long)xsd_node_size(m);
        uint32_t k = 0;

        for (uint32_t j = 0; j < m->perms->num; j++)
            if (j == 0 || m->perms->p[j].id != domid)
                p->p[k++] = m->perms->p[j];
        p->num = k;
        xsd_node_set_perms(m, p);
        xsd_perms_unref(p);
        xsd_domain_account(s, m->perms->p[0].id, XSD_Q_MEMORY,
                           (long)xsd_node_size(m) - before);
    }
    g_ptr_array_free(o.paths, TRUE);
    xsd_arena_free(&arena);

    g_hash_table_iter_init(&it, s->domains);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        struct xsd_domain *other = value;

        if (other->target == domid)
            other->target = XSD_DOMID_NONE;
    }
    d->introduced = false;
    d->shutdown = false;
    d->target = XSD_DOMID_NONE;
    xsd_watch_fire_special(s, "@releaseDomain", domid);
    xsd_domain_gc(s, domid);
}
