/* The state file: what survives a restart of xenstored.
 *
 * Format (host byte order; it is read back by the same build on the same
 * host): the 8-byte magic "XKXSTATE", a u32 version and a u32 zero, then
 * records { u32 type, u32 length, payload[length] } up to an END record.
 * Nodes come parents first, so loading appends each one to its parent and
 * children keep their order.  Accounting is recomputed after loading, not
 * stored.  The loader checks every length: a truncated or damaged file is
 * refused as a whole, and xenstored starts from the standard nodes.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "util.h"
#include "xsd.h"

#define STATE_MAGIC   "XKXSTATE"
#define STATE_VERSION 1u

enum {
    REC_GLOBAL = 1,     /* u64 gen, u32 next_conn_id */
    REC_NODE = 2,       /* u64 gen, u32 nperms, u32 pathlen, u32 vlen, perms, path, value */
    REC_SPECIAL = 3,    /* u32 nperms, perms, path */
    REC_DOMAIN = 4,     /* u32 domid, u32 flags, u64 gfn, u32 evtchn, u32 target */
    REC_QUOTA = 5,      /* u32 quota (0xff: soft memory), u64 value */
    REC_LISTEN = 6,     /* u32 which, i32 fd */
    REC_CONN = 7,       /* u32 id, i32 fd, u32 domid, u32 flags, u32 next_txn,
                           u32 inlen, u32 outlen, in bytes, out bytes;
                           fd -1: a guest's ring connection */
    REC_WATCH = 8,      /* u32 conn id, u32 prefix_len, i32 depth, u32 pathlen, path, token */
    REC_END = 9,
};

#define DOM_INTRODUCED 0x1u
#define DOM_SHUTDOWN   0x2u
#define QUOTA_SOFT_MEMORY 0xffu

/* ------------------------------------------------------------------ */
/* Writing */

struct writer {
    GByteArray *rec;
    FILE *f;
    bool failed;
};

static void put(struct writer *w, const void *p, size_t len)
{
    g_byte_array_append(w->rec, p, (guint)len);
}

static void put_u32(struct writer *w, uint32_t v)
{
    put(w, &v, sizeof(v));
}

static void put_u64(struct writer *w, uint64_t v)
{
    put(w, &v, sizeof(v));
}

static void put_perms(struct writer *w, const struct xsd_perms *p)
{
    for (uint32_t i = 0; i < p->num; i++) {
        put_u32(w, p->p[i].id);
        put_u32(w, p->p[i].perms);
    }
}

static void rec_begin(struct writer *w)
{
    g_byte_array_set_size(w->rec, 0);
}

static void rec_end(struct writer *w, uint32_t type)
{
    uint32_t hdr[2] = { type, w->rec->len };

    if (fwrite(hdr, sizeof(hdr), 1, w->f) != 1 ||
        (w->rec->len && fwrite(w->rec->data, w->rec->len, 1, w->f) != 1))
        w->failed = true;
}

static bool save_node(const struct xsd_node *n, const char *path, const struct xsd_node *parent,
                      void *opaque)
{
    struct writer *w = opaque;
    uint32_t plen = (uint32_t)strlen(path);

    rec_begin(w);
    put_u64(w, n->gen);
    put_u32(w, n->perms->num);
    put_u32(w, plen);
    put_u32(w, n->vlen);
    put_perms(w, n->perms);
    put(w, path, plen);
    if (n->vlen)
        put(w, n->value, n->vlen);
    rec_end(w, REC_NODE);
    return !w->failed;
}

static int conn_fd(const struct xsd_conn *c)
{
    return c->ops && c->ops->get_fd ? c->ops->get_fd(c) : -1;
}

static void save_conn(struct writer *w, struct xsd_conn *c)
{
    int fd = conn_fd(c);
    uint32_t inlen = c->in_used;
    uint32_t outlen = (uint32_t)(c->out_bytes - c->out_off);
    unsigned flags = (c->privileged ? XSD_CONN_PRIVILEGED : 0) |
                     (c->can_write ? 0 : XSD_CONN_READ_ONLY);

    rec_begin(w);
    put_u32(w, c->id);
    put_u32(w, (uint32_t)fd);
    put_u32(w, c->domid);
    put_u32(w, flags);
    put_u32(w, c->next_txn_id);
    put_u32(w, inlen);
    put_u32(w, outlen);
    if (inlen) {
        uint32_t hdr_part = XK_MIN(inlen, (uint32_t)sizeof(c->in_hdr));

        put(w, &c->in_hdr, hdr_part);
        if (inlen > hdr_part)
            put(w, c->in_buf, inlen - hdr_part);
    }
    for (struct xsd_msg *m = c->out_head; m; m = m->next) {
        uint32_t skip = m == c->out_head ? c->out_off : 0;

        put(w, m->data + skip, m->len - skip);
    }
    rec_end(w, REC_CONN);
    for (guint i = 0; i < c->watches->len; i++) {
        struct xsd_watch *wt = g_ptr_array_index(c->watches, i);

        rec_begin(w);
        put_u32(w, c->id);
        put_u32(w, wt->prefix_len);
        put_u32(w, (uint32_t)wt->depth);
        put_u32(w, (uint32_t)strlen(wt->path));
        put(w, wt->path, strlen(wt->path));
        put(w, wt->token, strlen(wt->token));
        rec_end(w, REC_WATCH);
    }
}

int xsd_state_save(struct xsd_store *s, const char *path, bool keep_conns,
                   const int *listen_fds, unsigned nlisten, const char **why)
{
    struct writer w = { .rec = g_byte_array_new() };
    char *tmp = g_strdup_printf("%s.tmp", path);
    uint32_t head[2] = { STATE_VERSION, 0 };
    GHashTableIter it;
    gpointer value;
    int fd, ret = -1;

    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || !(w.f = fdopen(fd, "w"))) {
        *why = "cannot create the state file";
        if (fd >= 0)
            close(fd);
        goto out;
    }
    if (fwrite(STATE_MAGIC, 8, 1, w.f) != 1 || fwrite(head, sizeof(head), 1, w.f) != 1)
        w.failed = true;

    rec_begin(&w);
    put_u64(&w, s->gen);
    put_u32(&w, s->next_conn_id);
    rec_end(&w, REC_GLOBAL);

    for (int q = 0; q < XSD_Q_COUNT; q++) {
        rec_begin(&w);
        put_u32(&w, (uint32_t)q);
        put_u64(&w, s->quota[q]);
        rec_end(&w, REC_QUOTA);
    }
    rec_begin(&w);
    put_u32(&w, QUOTA_SOFT_MEMORY);
    put_u64(&w, s->quota_soft_memory);
    rec_end(&w, REC_QUOTA);

    xsd_tree_visit(s->root, "/", save_node, &w);

    for (unsigned i = 0; i < G_N_ELEMENTS(s->special); i++) {
        rec_begin(&w);
        put_u32(&w, s->special[i].perms->num);
        put_perms(&w, s->special[i].perms);
        put(&w, s->special[i].path, strlen(s->special[i].path));
        rec_end(&w, REC_SPECIAL);
    }

    g_hash_table_iter_init(&it, s->domains);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        struct xsd_domain *d = value;

        if (!d->introduced && d->target == XSD_DOMID_NONE)
            continue;
        rec_begin(&w);
        put_u32(&w, d->domid);
        put_u32(&w, (d->introduced ? DOM_INTRODUCED : 0) | (d->shutdown ? DOM_SHUTDOWN : 0));
        put_u64(&w, d->gfn);
        put_u32(&w, d->evtchn);
        put_u32(&w, d->target);
        rec_end(&w, REC_DOMAIN);
    }

    if (keep_conns) {
        for (unsigned i = 0; i < nlisten; i++) {
            if (listen_fds[i] < 0)
                continue;
            if (fcntl(listen_fds[i], F_SETFD, 0) < 0)
                w.failed = true;
            rec_begin(&w);
            put_u32(&w, i);
            put_u32(&w, (uint32_t)listen_fds[i]);
            rec_end(&w, REC_LISTEN);
        }
    }
    for (GList *l = s->conns.head; l; l = l->next) {
        struct xsd_conn *c = l->data;
        int cfd = conn_fd(c);

        if (c->dead)
            continue;
        if (cfd >= 0) {
            if (!keep_conns)
                continue;
            if (fcntl(cfd, F_SETFD, 0) < 0)
                w.failed = true;
        } else if (!c->ops || c->domid == 0 || c->privileged) {
            continue;
        }
        /* A guest's ring connection has no fd and is always kept: its
         * other end is the ring page, which outlives us. */
        save_conn(&w, c);
    }
    rec_begin(&w);
    rec_end(&w, REC_END);

    if (fflush(w.f) != 0 || fsync(fileno(w.f)) != 0)
        w.failed = true;
    if (fclose(w.f) != 0)
        w.failed = true;
    if (w.failed) {
        *why = "cannot write the state file";
        unlink(tmp);
        goto out;
    }
    if (rename(tmp, path) < 0) {
        *why = "cannot rename the state file into place";
        unlink(tmp);
        goto out;
    }
    ret = 0;
out:
    g_byte_array_free(w.rec, TRUE);
    g_free(tmp);
    return ret;
}

/* ------------------------------------------------------------------ */
/* Reading */

struct reader {
    const uint8_t *p;
    size_t left;
    bool bad;
};

static bool get(struct reader *r, void *out, size_t len)
{
    if (r->bad || r->left < len) {
        r->bad = true;
        if (out)
            memset(out, 0, len);
        return false;
    }
    if (out)
        memcpy(out, r->p, len);
    r->p += len;
    r->left -= len;
    return true;
}

static uint32_t get_u32(struct reader *r)
{
    uint32_t v;

    get(r, &v, sizeof(v));
    return v;
}

static uint64_t get_u64(struct reader *r)
{
    uint64_t v;

    get(r, &v, sizeof(v));
    return v;
}

static struct xsd_perms *get_perms(struct reader *r, uint32_t num)
{
    struct xsd_perms *p;

    if (num == 0 || num > r->left / 8) {
        r->bad = true;
        return NULL;
    }
    p = xsd_perms_new(num);
    for (uint32_t i = 0; i < num; i++) {
        p->p[i].id = get_u32(r);
        p->p[i].perms = get_u32(r) & (XSD_PERM_READ | XSD_PERM_WRITE);
    }
    return p;
}

static char *get_str(struct reader *r, size_t len)
{
    char *s;

    if (len > r->left) {
        r->bad = true;
        return NULL;
    }
    s = g_strndup((const char *)r->p, len);
    if (strlen(s) != len)
        r->bad = true;      /* embedded NUL */
    get(r, NULL, len);
    return s;
}

static bool load_node(struct xsd_store *s, struct reader *r)
{
    uint64_t gen = get_u64(r);
    uint32_t nperms = get_u32(r), plen = get_u32(r), vlen = get_u32(r);
    struct xsd_perms *perms = get_perms(r, nperms);
    char *path = r->bad ? NULL : get_str(r, plen);
    bool ok = false;

    if (r->bad || !path || vlen > r->left || !xsd_path_is_valid(path))
        goto out;
    if (strcmp(path, "/") == 0) {
        xsd_node_set_value(s->root, r->p, vlen);
        xsd_node_set_perms(s->root, perms);
        s->root->gen = gen;
    } else {
        size_t plen2 = xsd_path_parent_len(path, plen);
        char *ppath = g_strndup(path, plen2);
        const struct xsd_node *pc = xsd_tree_lookup(s->root, ppath);
        const char *leaf = path + plen2 + (plen2 == 1 ? 0 : 1);

        if (pc && !xsd_node_child(pc, leaf, strlen(leaf), NULL)) {
            struct xsd_node *parent = xsd_tree_unshare(&s->root, ppath, plen2);
            struct xsd_node *n = xsd_node_new(leaf, strlen(leaf), perms, gen);

            xsd_node_set_value(n, r->p, vlen);
            xsd_node_add_child(parent, n);
        }
        g_free(ppath);
        if (!pc)
            goto out;       /* parents come first: damaged file */
    }
    get(r, NULL, vlen);
    ok = !r->bad;
out:
    xsd_perms_unref(perms);
    g_free(path);
    return ok;
}

/* Accounting is derived from the tree, not stored. */
static bool count_node(const struct xsd_node *n, const char *path, const struct xsd_node *parent,
                       void *opaque)
{
    struct xsd_store *s = opaque;
    uint32_t owner = n->perms->p[0].id;

    xsd_domain_account(s, owner, XSD_Q_NODES, 1);
    xsd_domain_account(s, owner, XSD_Q_MEMORY, (long)xsd_node_size(n));
    return true;
}

static void recount(struct xsd_store *s)
{
    GHashTableIter it;
    gpointer value;

    g_hash_table_iter_init(&it, s->domains);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        struct xsd_domain *d = value;

        d->use[XSD_Q_NODES] = 0;
        d->use[XSD_Q_MEMORY] = 0;
    }
    xsd_tree_visit(s->root, "/", count_node, s);
    for (GList *l = s->conns.head; l; l = l->next) {
        struct xsd_conn *c = l->data;

        for (guint i = 0; i < c->watches->len; i++) {
            struct xsd_watch *w = g_ptr_array_index(c->watches, i);

            xsd_domain_account(s, c->domid, XSD_Q_MEMORY,
                               (long)(strlen(w->path) + strlen(w->token)));
        }
        xsd_domain_account(s, c->domid, XSD_Q_MEMORY, (long)c->out_bytes);
    }
}

static struct xsd_conn *find_conn(struct xsd_store *s, uint32_t id)
{
    for (GList *l = s->conns.head; l; l = l->next) {
        struct xsd_conn *c = l->data;

        if (c->id == id)
            return c;
    }
    return NULL;
}

int xsd_state_load(struct xsd_store *s, const char *path, int listen_fds[2],
                   xsd_state_adopt_fn *adopt, void *opaque, const char **why)
{
    gchar *data = NULL;
    gsize size = 0;
    struct reader file;
    bool end = false;
    uint32_t version;

    listen_fds[0] = listen_fds[1] = -1;
    if (!g_file_get_contents(path, &data, &size, NULL)) {
        *why = "cannot read the state file";
        return -1;
    }
    file.p = (const uint8_t *)data;
    file.left = size;
    file.bad = false;
    {
        char magic[8];

        get(&file, magic, 8);
        version = get_u32(&file);
        get_u32(&file);
        if (file.bad || memcmp(magic, STATE_MAGIC, 8) != 0 || version != STATE_VERSION) {
            *why = "not a state file of this xenstored version";
            g_free(data);
            return -1;
        }
    }
    while (!end && !file.bad) {
        uint32_t type = get_u32(&file), len = get_u32(&file);
        struct reader r;

        if (file.bad || len > file.left)
            break;
        r.p = file.p;
        r.left = len;
        r.bad = false;
        get(&file, NULL, len);
        switch (type) {
        case REC_GLOBAL:
            s->gen = get_u64(&r);
            s->next_conn_id = get_u32(&r);
            break;
        case REC_QUOTA: {
            uint32_t q = get_u32(&r);
            uint64_t v = get_u64(&r);

            if (q < XSD_Q_COUNT)
                s->quota[q] = (unsigned long)v;
            else if (q == QUOTA_SOFT_MEMORY)
                s->quota_soft_memory = (unsigned long)v;
            break;
        }
        case REC_NODE:
            if (!load_node(s, &r))
                r.bad = true;
            break;
        case REC_SPECIAL: {
            uint32_t num = get_u32(&r);
            struct xsd_perms *p = get_perms(&r, num);
            char *sp = r.bad ? NULL : get_str(&r, r.left);

            for (unsigned i = 0; sp && p && i < G_N_ELEMENTS(s->special); i++)
                if (strcmp(s->special[i].path, sp) == 0) {
                    xsd_perms_unref(s->special[i].perms);
                    s->special[i].perms = xsd_perms_ref(p);
                }
            xsd_perms_unref(p);
            g_free(sp);
            break;
        }
        case REC_DOMAIN: {
            uint32_t domid = get_u32(&r), flags = get_u32(&r);
            uint64_t gfn = get_u64(&r);
            uint32_t evtchn = get_u32(&r), target = get_u32(&r);
            struct xsd_domain *d;

            if (r.bad || domid > 0xffff)
                break;
            d = xsd_domain_get(s, domid);
            d->introduced = domid == 0 || (flags & DOM_INTRODUCED);
            d->shutdown = (flags & DOM_SHUTDOWN) != 0;
            d->gfn = gfn;
            d->evtchn = evtchn;
            d->target = target;
            break;
        }
        case REC_LISTEN: {
            uint32_t which = get_u32(&r);
            int32_t fd = (int32_t)get_u32(&r);

            if (!r.bad && which < 2 && fd >= 0)
                listen_fds[which] = fd;
            break;
        }
        case REC_CONN: {
            uint32_t id = get_u32(&r);
            int32_t fd = (int32_t)get_u32(&r);
            uint32_t domid = get_u32(&r), flags = get_u32(&r), next_txn = get_u32(&r);
            uint32_t inlen = get_u32(&r), outlen = get_u32(&r);
            struct xsd_conn *c;

            if (r.bad || (size_t)inlen + outlen > r.left || (fd < 0 && fd != -1) || !adopt ||
                inlen > sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX ||
                (fd == -1 && (domid == 0 || (flags & XSD_CONN_PRIVILEGED))))
                break;
            c = adopt(s, fd, domid, flags, opaque);
            if (!c)
                break;
            c->id = id;
            if (id > s->next_conn_id)
                s->next_conn_id = id;
            c->next_txn_id = next_txn;
            if (inlen && xsd_conn_input(c, r.p, inlen) < 0)
                break;
            get(&r, NULL, inlen);
            xsd_conn_queue_raw(c, r.p, outlen);
            get(&r, NULL, outlen);
            break;
        }
        case REC_WATCH: {
            uint32_t id = get_u32(&r), prefix_len = get_u32(&r);
            int32_t depth = (int32_t)get_u32(&r);
            uint32_t plen = get_u32(&r);
            char *wpath = r.bad ? NULL : get_str(&r, plen);
            char *token = r.bad ? NULL : get_str(&r, r.left);
            struct xsd_conn *c = find_conn(s, id);

            if (!r.bad && c && wpath && token && prefix_len <= plen &&
                (xsd_path_is_valid(wpath) || xsd_path_is_special(wpath)) &&
                !xsd_watch_find(c, wpath, token))
                xsd_watch_add(c, wpath, token, prefix_len, depth < 0 ? -1 : depth);
            g_free(wpath);
            g_free(token);
            break;
        }
        case REC_END:
            end = true;
            break;
        default:
            break;          /* unknown records of later versions: skipped */
        }
        if (r.bad)
            file.bad = true;
    }
    g_free(data);
    if (!end || file.bad) {
        *why = "the state file is truncated or damaged";
        return -1;
    }
    recount(s);
    return 0;
}
