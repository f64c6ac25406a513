/* Watches: registration, matching and event delivery.
 *
 * The store indexes watches by their path, so a change at /a/b/c looks up
 * "/", "/a", "/a/b" and "/a/b/c" and nothing else, whatever the number of
 * watches.  A watch matches a change at its path or below it (within its
 * depth, when one was given); the children of a removed subtree are
 * reported only to watches on exactly their path ("exact").  An event
 * reaches an unprivileged watcher only if it may read the node or its
 * parent, or could read the node before a permission change, as in Xen.
 * Events are appended to the watcher's output queue, so each connection
 * sees them in the order the changes happened. */
#include "config.h"

#include <string.h>

#include "log.h"
#include "xsd.h"

static uint32_t conn_target(struct xsd_store *s, const struct xsd_conn *c)
{
    struct xsd_domain *d = xsd_domain_find(s, c->domid);

    return d ? d->target : XSD_DOMID_NONE;
}

struct xsd_watch *xsd_watch_add(struct xsd_conn *c, const char *path, const char *token,
                                uint32_t prefix_len, int depth)
{
    struct xsd_store *s = c->store;
    struct xsd_watch *w = g_new0(struct xsd_watch, 1);
    GPtrArray *list;

    w->conn = c;
    w->path = g_strdup(path);
    w->token = g_strdup(token);
    w->prefix_len = prefix_len;
    w->depth = depth;
    g_ptr_array_add(c->watches, w);
    list = g_hash_table_lookup(s->watch_index, path);
    if (!list) {
        list = g_ptr_array_new();
        g_hash_table_insert(s->watch_index, g_strdup(path), list);
    }
    g_ptr_array_add(list, w);
    xsd_domain_account(s, c->domid, XSD_Q_WATCHES, 1);
    xsd_domain_account(s, c->domid, XSD_Q_MEMORY, (long)(strlen(path) + strlen(token)));
    return w;
}

struct xsd_watch *xsd_watch_find(struct xsd_conn *c, const char *path, const char *token)
{
    for (guint i = 0; i < c->watches->len; i++) {
        struct xsd_watch *w = g_ptr_array_index(c->watches, i);

        if (strcmp(w->path, path) == 0 && strcmp(w->token, token) == 0)
            return w;
    }
    return NULL;
}

void xsd_watch_remove(struct xsd_watch *w)
{
    struct xsd_conn *c = w->conn;
    struct xsd_store *s = c->store;
    GPtrArray *list = g_hash_table_lookup(s->watch_index, w->path);

    g_ptr_array_remove(c->watches, w);
    if (list) {
        g_ptr_array_remove(list, w);
        if (list->len == 0)
            g_hash_table_remove(s->watch_index, w->path);
    }
    xsd_domain_account(s, c->domid, XSD_Q_WATCHES, -1);
    xsd_domain_account(s, c->domid, XSD_Q_MEMORY, -(long)(strlen(w->path) + strlen(w->token)));
    g_free(w->path);
    g_free(w->token);
    g_free(w);
}

void xsd_watch_remove_all(struct xsd_conn *c)
{
    while (c->watches->len)
        xsd_watch_remove(g_ptr_array_index(c->watches, c->watches->len - 1));
}

void xsd_watch_fire_initial(struct xsd_watch *w)
{
    xsd_conn_queue_event(w->conn, w->path + w->prefix_len, w->token);
}

bool xsd_watch_matches(const char *wpath, int depth, uint32_t prefix_len, const char *path,
                       bool exact, const char **event_path)
{
    if (exact) {
        if (strcmp(wpath, path) != 0)
            return false;
    } else {
        if (!xsd_path_is_child(path, wpath))
            return false;
        if (depth >= 0 && xsd_path_depth_below(path, wpath) > (unsigned)depth)
            return false;
    }
    if (strlen(path) < prefix_len)
        return false;
    if (event_path)
        *event_path = path + prefix_len;
    return true;
}

/* What one change needs to decide who may see it; looked up lazily. */
struct fire_ctx {
    struct xsd_store *s;
    const char *path;
    bool exact;
    const struct xsd_perms *perms;
    bool perms_known;
    const struct xsd_perms *parent;
    bool parent_known;
    const struct xsd_perms *old;
};

static bool permitted(struct fire_ctx *f, const struct xsd_conn *c)
{
    uint32_t target;

    if (c->privileged)
        return true;
    target = conn_target(f->s, c);
    if (f->old && (xsd_perms_for(f->old, c->domid, target, false, true) & XSD_PERM_READ))
        return true;
    if (!f->perms_known) {
        const struct xsd_node *n = xsd_tree_lookup(f->s->root, f->path);

        f->perms = n ? n->perms : NULL;
        f->perms_known = true;
    }
    if (!f->perms)
        return false;
    if (xsd_perms_for(f->perms, c->domid, target, false, true) & XSD_PERM_READ)
        return true;
    if (!f->parent_known) {
        size_t plen = xsd_path_parent_len(f->path, strlen(f->path));
        char *ppath = g_strndup(f->path, plen);
        const struct xsd_node *n = xsd_tree_lookup(f->s->root, ppath);

        g_free(ppath);
        f->parent = n ? n->perms : NULL;
        f->parent_known = true;
    }
    return f->parent && (xsd_perms_for(f->parent, c->domid, target, false, true) & XSD_PERM_READ);
}

static void fire_list(struct fire_ctx *f, GPtrArray *list)
{
    /* Delivery cannot change the list (no callbacks into the core). */
    for (guint i = 0; i < list->len; i++) {
        struct xsd_watch *w = g_ptr_array_index(list, i);
        const char *epath;

        if (!xsd_watch_matches(w->path, w->depth, w->prefix_len, f->path, f->exact, &epath))
            continue;
        if (!permitted(f, w->conn))
            continue;
        xsd_conn_queue_event(w->conn, epath, w->token);
    }
}

void xsd_watch_fire(struct xsd_store *s, const char *path, bool exact,
                    const struct xsd_perms *perms, const struct xsd_perms *parent,
                    const struct xsd_perms *old)
{
    struct fire_ctx f = {
        .s = s, .path = path, .exact = exact,
        .perms = perms, .perms_known = perms != NULL,
        .parent = parent, .parent_known = parent != NULL,
        .old = old,
    };
    GPtrArray *list;

    if (g_hash_table_size(s->watch_index) == 0)
        return;
    if (exact) {
        list = g_hash_table_lookup(s->watch_index, path);
        if (list)
            fire_list(&f, list);
        return;
    }
    {
        size_t len = strlen(path);
        char *buf = g_malloc(len + 1);

        /* "/" first, then each longer prefix ending at a component. */
        list = g_hash_table_lookup(s->watch_index, "/");
        if (list)
            fire_list(&f, list);
        for (size_t i = 1; i <= len; i++) {
            if (i < len && path[i] != '/')
                continue;
            memcpy(buf, path, i);
            buf[i] = '\0';
            list = g_hash_table_lookup(s->watch_index, buf);
            if (list)
                fire_list(&f, list);
        }
        g_free(buf);
    }
}

void xsd_watch_fire_special(struct xsd_store *s, const char *special, uint32_t domid)
{
    const struct xsd_perms *perms = NULL;
    char *specific = g_strdup_printf("%s/%u", special, domid);
    GPtrArray *list;

    for (unsigned i = 0; i < G_N_ELEMENTS(s->special); i++)
        if (strcmp(s->special[i].path, special) == 0)
            perms = s->special[i].perms;
    for (int pass = 0; pass < 2; pass++) {
        list = g_hash_table_lookup(s->watch_index, pass ? specific : special);
        if (!list)
            continue;
        for (guint i = 0; i < list->len; i++) {
            struct xsd_watch *w = g_ptr_array_index(list, i);
            struct xsd_conn *c = w->conn;
            const char *epath = pass || w->depth == 1 ? specific : special;

            if (!c->privileged &&
                !(perms && (xsd_perms_for(perms, c->domid, conn_target(s, c), false, true) &
                            XSD_PERM_READ)))
                continue;
            xsd_conn_queue_event(c, epath, w->token);
        }
    }
    g_free(specific);
}
