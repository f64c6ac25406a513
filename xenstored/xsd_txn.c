/* Transactions: snapshot isolation with C xenstored's conflict rule.
 *
 * TRANSACTION_START takes a reference on the current root: the transaction
 * reads that snapshot and writes into a private copy-on-write version of
 * it, so starting one costs O(1) and nothing blocks other writers.  Every
 * node the transaction reads or writes (and every missing node whose
 * absence it observed) is recorded with the generation it had in the
 * snapshot.  At TRANSACTION_END the commit fails with EAGAIN if any of
 * them has a different generation in the live tree now (changed, created
 * or removed meanwhile); otherwise the changed nodes are merged into the
 * live tree, node by node, so that changes others made elsewhere (even
 * below a node the transaction changed) survive, and the watch events the
 * transaction queued are fired.
 *
 * A change to a node's child list changes its generation (as in Xen), so
 * two transactions that add different children to one directory conflict.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "log.h"
#include "xsd.h"

struct xsd_txn_delta {
    long v[XSD_Q_COUNT];
};

static void access_free(gpointer p)
{
    struct xsd_access *a = p;

    xsd_perms_unref(a->perms);
    g_free(a);
}

static void event_clear(gpointer p)
{
    struct xsd_txn_event *e = p;

    g_free(e->path);
}

struct xsd_txn *xsd_txn_find(struct xsd_conn *c, uint32_t id)
{
    for (guint i = 0; i < c->txns->len; i++) {
        struct xsd_txn *t = g_ptr_array_index(c->txns, i);

        if (t->id == id)
            return t;
    }
    return NULL;
}

struct xsd_txn *xsd_txn_start(struct xsd_conn *c)
{
    struct xsd_store *s = c->store;
    struct xsd_txn *t = g_new0(struct xsd_txn, 1);

    do {
        t->id = c->next_txn_id++;
    } while (t->id == 0 || xsd_txn_find(c, t->id));
    t->conn = c;
    t->root = xsd_node_ref(s->root);
    t->start_gen = s->gen;
    t->accessed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, access_free);
    t->events = g_array_new(FALSE, FALSE, sizeof(struct xsd_txn_event));
    g_array_set_clear_func(t->events, event_clear);
    t->event_index = g_hash_table_new(g_str_hash, g_str_equal);
    t->delta = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    g_ptr_array_add(c->txns, t);
    xsd_domain_account(s, c->domid, XSD_Q_TRANSACTIONS, 1);
    return t;
}

static void txn_free(struct xsd_txn *t)
{
    struct xsd_conn *c = t->conn;

    g_ptr_array_remove(c->txns, t);
    xsd_domain_account(c->store, c->domid, XSD_Q_TRANSACTIONS, -1);
    xsd_node_unref(t->root);
    g_hash_table_destroy(t->accessed);
    g_hash_table_destroy(t->event_index);
    g_array_free(t->events, TRUE);
    g_hash_table_destroy(t->delta);
    g_free(t);
}

void xsd_txn_abort_all(struct xsd_conn *c)
{
    while (c->txns->len)
        txn_free(g_ptr_array_index(c->txns, c->txns->len - 1));
}

int xsd_txn_note(struct xsd_txn *t, const char *path, const struct xsd_node *node,
                 bool modify)
{
    struct xsd_access *a = g_hash_table_lookup(t->accessed, path);

    if (!a) {
        struct xsd_store *s = t->conn->store;
        int err = xsd_quota_check(s, t->conn, t->conn->domid, XSD_Q_TRANS_NODES,
                                  t->naccessed + 1);

        if (err) {
            t->error = err;
            return err;
        }
        a = g_new0(struct xsd_access, 1);
        a->gen = node ? node->gen : XSD_NO_GEN;
        a->perms = node ? xsd_perms_ref(node->perms) : NULL;
        a->order = t->naccessed++;
        g_hash_table_insert(t->accessed, g_strdup(path), a);
    }
    if (modify)
        a->modified = true;
    return 0;
}

void xsd_txn_queue_event(struct xsd_txn *t, const char *path, bool exact)
{
    gpointer idx = g_hash_table_lookup(t->event_index, path);

    if (idx) {
        struct xsd_txn_event *e = &g_array_index(t->events, struct xsd_txn_event,
                                                 GPOINTER_TO_UINT(idx) - 1);

        /* A subtree event replaces an exact one, not the other way. */
        if (!exact)
            e->exact = false;
        return;
    }
    {
        struct xsd_txn_event e = { .path = g_strdup(path), .exact = exact };

        g_array_append_val(t->events, e);
        g_hash_table_insert(t->event_index, e.path, GUINT_TO_POINTER(t->events->len));
    }
}

void xsd_txn_account(struct xsd_txn *t, uint32_t domid, enum xsd_quota q, long delta)
{
    struct xsd_txn_delta *d = g_hash_table_lookup(t->delta, GUINT_TO_POINTER(domid));

    if (!d) {
        d = g_new0(struct xsd_txn_delta, 1);
        g_hash_table_insert(t->delta, GUINT_TO_POINTER(domid), d);
    }
    d->v[q] += delta;
}

long xsd_txn_delta(const struct xsd_txn *t, uint32_t domid, enum xsd_quota q)
{
    struct xsd_txn_delta *d = g_hash_table_lookup(t->delta, GUINT_TO_POINTER(domid));

    return d ? d->v[q] : 0;
}

/* ------------------------------------------------------------------ */
/* Commit */

struct merge {
    struct xsd_store *s;
    GHashTable *dirty;         /* changed paths and their ancestors */
    GHashTable *accessed;
    GString *path;
};

static void regen(struct xsd_store *s, struct xsd_node *n)
{
    n->gen = xsd_store_next_gen(s);
    for (uint32_t i = 0; i < n->nchildren; i++)
        regen(s, n->children[i]);
}

static void path_push(GString *path, const struct xsd_node *child, size_t *saved)
{
    *saved = path->len;
    if (path->len > 1)
        g_string_append_c(path, '/');
    g_string_append_len(path, child->name, child->namelen);
}

static struct xsd_node *unshare_slot(struct xsd_node **slot)
{
    struct xsd_node *n = *slot;

    if (n->refs > 1) {
        /* Copy through the tree helper: a one-node "tree" at the slot. */
        struct xsd_node *root = n;

        xsd_tree_unshare(&root, "/", 1);
        *slot = root;
        n = root;
    }
    return n;
}

static void merge(struct merge *m, struct xsd_node **gslot, struct xsd_node *t)
{
    struct xsd_access *a = g_hash_table_lookup(m->accessed, m->path->str);
    struct xsd_node *g = *gslot;

    if (!g) {
        /* Created by the transaction: graft its subtree, all new. */
        *gslot = xsd_node_ref(t);
        regen(m->s, t);
        return;
    }
    g = unshare_slot(gslot);
    if (a && a->modified) {
        struct xsd_node **children = t->nchildren ? g_new(struct xsd_node *, t->nchildren) : NULL;
        bool *moved = g->nchildren ? g_new0(bool, g->nchildren) : NULL;

        if (g->vlen != t->vlen || (t->vlen && memcmp(g->value, t->value, t->vlen)))
            xsd_node_set_value(g, t->value, t->vlen);
        if (g->perms != t->perms)
            xsd_node_set_perms(g, t->perms);
        g->gen = xsd_store_next_gen(m->s);
        for (uint32_t i = 0; i < t->nchildren; i++) {
            struct xsd_node *tc = t->children[i];
            uint32_t slot = 0;
            struct xsd_node *gc = xsd_node_child(g, tc->name, tc->namelen, &slot);
            size_t saved;

            path_push(m->path, tc, &saved);
            if (gc)
                moved[slot] = true;
            if (g_hash_table_contains(m->dirty, m->path->str)) {
                bool existed = gc != NULL;

                merge(m, &gc, tc);
                if (existed)
                    g->children[slot] = gc;     /* may be a fresh copy */
            } else if (!gc) {
                /* Invariant: unchanged children exist in the live tree
                 * (a removal would have changed this node). */
                g_error("transaction merge: %s vanished", m->path->str);
            }
            children[i] = gc;
            g_string_truncate(m->path, saved);
        }
        for (uint32_t i = 0; i < g->nchildren; i++)
            if (!moved[i])
                xsd_node_unref(g->children[i]);
        xsd_node_set_children(g, children, t->nchildren);
        g_free(moved);
    } else {
        for (uint32_t i = 0; i < g->nchildren; i++) {
            struct xsd_node *gc = g->children[i];
            size_t saved;

            path_push(m->path, gc, &saved);
            if (g_hash_table_contains(m->dirty, m->path->str)) {
                struct xsd_node *tc = xsd_node_child(t, gc->name, gc->namelen, NULL);

                if (!tc)
                    g_error("transaction merge: %s missing in the transaction",
                            m->path->str);
                merge(m, &g->children[i], tc);
            }
            g_string_truncate(m->path, saved);
        }
    }
}

static int check_quotas(struct xsd_txn *t)
{
    struct xsd_store *s = t->conn->store;
    GHashTableIter it;
    gpointer key, value;

    if (t->conn->privileged)
        return 0;
    g_hash_table_iter_init(&it, t->delta);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        uint32_t domid = GPOINTER_TO_UINT(key);
        struct xsd_txn_delta *d = value;
        struct xsd_domain *dom = xsd_domain_get(s, domid);
        static const enum xsd_quota qs[] = { XSD_Q_NODES, XSD_Q_MEMORY };

        if (domid != t->conn->domid)
            continue;
        for (unsigned i = 0; i < G_N_ELEMENTS(qs); i++) {
            long want = (long)dom->use[qs[i]] + d->v[qs[i]];
            int err;

            if (d->v[qs[i]] <= 0)
                continue;
            err = xsd_quota_check(s, t->conn, domid, qs[i], want < 0 ? 0 : (unsigned long)want);
            if (err)
                return err;
        }
    }
    return 0;
}

static int commit(struct xsd_txn *t)
{
    struct xsd_store *s = t->conn->store;
    GHashTableIter it;
    gpointer key, value;
    bool changed = false;
    int err;

    if (t->error)
        return t->error;
    /* Quotas first, as C xenstored does. */
    err = check_quotas(t);
    if (err)
        return err;
    g_hash_table_iter_init(&it, t->accessed);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        const struct xsd_node *n = xsd_tree_lookup(s->root, key);
        struct xsd_access *a = value;

        if ((n ? n->gen : XSD_NO_GEN) != a->gen) {
            s->stats.txn_conflicts++;
            xk_debug("transaction %u of domain %u: %s changed meanwhile, EAGAIN",
                     t->id, t->conn->domid, (const char *)key);
            return EAGAIN;
        }
        changed |= a->modified;
    }
    if (changed) {
        struct merge m = { .s = s, .accessed = t->accessed };

        m.dirty = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        g_hash_table_iter_init(&it, t->accessed);
        while (g_hash_table_iter_next(&it, &key, &value)) {
            const char *p = key;
            size_t len = strlen(p);

            if (!((struct xsd_access *)value)->modified)
                continue;
            for (;;) {
                char *prefix = g_strndup(p, len);

                if (!g_hash_table_add(m.dirty, prefix))
                    break;      /* ancestors are in already */
                if (len == 1)
                    break;
                len = xsd_path_parent_len(p, len);
            }
        }
        m.path = g_string_new("/");
        merge(&m, &s->root, t->root);
        g_string_free(m.path, TRUE);
        g_hash_table_destroy(m.dirty);
    }
    g_hash_table_iter_init(&it, t->delta);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        struct xsd_txn_delta *d = value;

        for (int q = 0; q < XSD_Q_COUNT; q++)
            if (d->v[q])
                xsd_domain_account(s, GPOINTER_TO_UINT(key), q, d->v[q]);
    }
    for (guint i = 0; i < t->events->len; i++) {
        struct xsd_txn_event *e = &g_array_index(t->events, struct xsd_txn_event, i);
        struct xsd_access *a = g_hash_table_lookup(t->accessed, e->path);

        xsd_watch_fire(s, e->path, e->exact, NULL, NULL, a ? a->perms : NULL);
    }
    s->stats.txn_commits++;
    return 0;
}

int xsd_txn_end(struct xsd_txn *t, bool do_commit)
{
    struct xsd_store *s = t->conn->store;
    int err = 0;

    if (do_commit)
        err = commit(t);
    else
        s->stats.txn_aborts++;
    txn_free(t);
    return err;
}
