/* The XenStore tree: permission sets, copy-on-write nodes, path syntax.
 *
 * See xsd.h for the sharing rule: a node with refs > 1 is shared between
 * tree versions and must be copied (xsd_tree_unshare) before a change.
 * Nodes with many children keep a small open-addressing index from child
 * name to slot so that lookups stay O(1) under /local/domain with
 * thousands of domains. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xsd.h"

/* ------------------------------------------------------------------ */
/* Permission sets */

struct xsd_perms *xsd_perms_new(uint32_t num)
{
    struct xsd_perms *p = g_malloc0(sizeof(*p) + num * sizeof(p->p[0]));

    p->refs = 1;
    p->num = num;
    return p;
}

struct xsd_perms *xsd_perms_ref(struct xsd_perms *p)
{
    if (p)
        p->refs++;
    return p;
}

void xsd_perms_unref(struct xsd_perms *p)
{
    if (p && --p->refs == 0)
        g_free(p);
}

bool xsd_perms_equal(const struct xsd_perms *a, const struct xsd_perms *b)
{
    if (a == b)
        return true;
    if (!a || !b || a->num != b->num)
        return false;
    return memcmp(a->p, b->p, a->num * sizeof(a->p[0])) == 0;
}

static int perm_letter_bits(char c)
{
    switch (c) {
    case 'n': return XSD_PERM_NONE;
    case 'r': return XSD_PERM_READ;
    case 'w': return XSD_PERM_WRITE;
    case 'b': return XSD_PERM_READ | XSD_PERM_WRITE;
    default: return -1;
    }
}

struct xsd_perms *xsd_perms_parse(const char *strings, size_t len, uint32_t num)
{
    struct xsd_perms *p;
    size_t off = 0;

    if (num == 0) {
        errno = EINVAL;
        return NULL;
    }
    p = xsd_perms_new(num);
    for (uint32_t i = 0; i < num; i++) {
        const char *s = strings + off;
        size_t slen;
        unsigned long id = 0;
        int bits;

        if (off >= len || !memchr(s, '\0', len - off))
            goto bad;
        slen = strlen(s);
        off += slen + 1;
        bits = perm_letter_bits(s[0]);
        if (bits < 0 || slen < 2 || slen > 6)
            goto bad;
        for (size_t k = 1; k < slen; k++) {
            if (s[k] < '0' || s[k] > '9')
                goto bad;
            id = id * 10 + (unsigned long)(s[k] - '0');
        }
        if (id > 0xffff)
            goto bad;
        p->p[i].id = (uint32_t)id;
        p->p[i].perms = (uint32_t)bits;
    }
    return p;
bad:
    xsd_perms_unref(p);
    errno = EINVAL;
    return NULL;
}

size_t xsd_perms_format(const struct xsd_perms *p, char *buf, size_t len)
{
    static const char letters[] = { 'n', 'r', 'w', 'b' };
    size_t off = 0;

    for (uint32_t i = 0; i < p->num; i++) {
        int n = snprintf(buf + off, len > off ? len - off : 0, "%c%u",
                         letters[p->p[i].perms & 3], p->p[i].id);

        if (n < 0 || off + (size_t)n + 1 > len)
            return off;
        off += (size_t)n + 1;      /* keep the NUL */
    }
    return off;
}

uint32_t xsd_perms_for(const struct xsd_perms *p, uint32_t domid, uint32_t target,
                       bool privileged, bool can_write)
{
    uint32_t mask = XSD_PERM_READ | XSD_PERM_WRITE | XSD_PERM_OWNER;

    if (!can_write)
        mask &= ~XSD_PERM_WRITE;
    if (privileged || p->p[0].id == domid ||
        (target != XSD_DOMID_NONE && p->p[0].id == target))
        return mask;
    for (uint32_t i = 1; i < p->num; i++)
        if (p->p[i].id == domid || (target != XSD_DOMID_NONE && p->p[i].id == target))
            return p->p[i].perms & mask;
    return p->p[0].perms & mask;
}

/* ------------------------------------------------------------------ */
/* Nodes */

#define INDEX_MIN 8             /* children before an index is kept */

static uint32_t name_hash(const char *s, size_t len)
{
    uint32_t h = 2166136261u;

    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return h;
}

static void index_insert(struct xsd_node *n, uint32_t slot)
{
    struct xsd_node *c = n->children[slot];
    uint32_t mask = n->index_cap - 1;
    uint32_t h = name_hash(c->name, c->namelen) & mask;

    while (n->index[h])
        h = (h + 1) & mask;
    n->index[h] = slot + 1;
}

static void index_rebuild(struct xsd_node *n)
{
    uint32_t cap = 16;

    if (n->nchildren <= INDEX_MIN) {
        g_free(n->index);
        n->index = NULL;
        n->index_cap = 0;
        return;
    }
    while (cap < n->nchildren * 2)
        cap <<= 1;
    if (cap != n->index_cap) {
        g_free(n->index);
        n->index = g_malloc(cap * sizeof(uint32_t));
        n->index_cap = cap;
    }
    memset(n->index, 0, cap * sizeof(uint32_t));
    for (uint32_t i = 0; i < n->nchildren; i++)
        index_insert(n, i);
}

struct xsd_node *xsd_node_new(const char *name, size_t namelen,
                              struct xsd_perms *perms, uint64_t gen)
{
    struct xsd_node *n = g_malloc0(sizeof(*n) + namelen + 1);

    n->refs = 1;
    n->gen = gen;
    n->perms = xsd_perms_ref(perms);
    n->namelen = (uint32_t)namelen;
    memcpy(n->name, name, namelen);
    n->name[namelen] = '\0';
    return n;
}

struct xsd_node *xsd_node_ref(struct xsd_node *n)
{
    if (n)
        n->refs++;
    return n;
}

void xsd_node_unref(struct xsd_node *n)
{
    if (!n || --n->refs)
        return;
    for (uint32_t i = 0; i < n->nchildren; i++)
        xsd_node_unref(n->children[i]);
    g_free(n->children);
    g_free(n->index);
    g_free(n->value);
    xsd_perms_unref(n->perms);
    g_free(n);
}

static struct xsd_node *node_clone(const struct xsd_node *n)
{
    struct xsd_node *c = g_malloc(sizeof(*c) + n->namelen + 1);

    memcpy(c, n, sizeof(*c) + n->namelen + 1);
    c->refs = 1;
    xsd_perms_ref(c->perms);
    c->value = n->vlen ? xsd_memdup(n->value, n->vlen) : NULL;
    c->cap = n->nchildren;
    c->children = n->nchildren ? xsd_memdup(n->children, n->nchildren * sizeof(n->children[0]))
                               : NULL;
    for (uint32_t i = 0; i < c->nchildren; i++)
        c->children[i]->refs++;
    c->index = n->index_cap ? xsd_memdup(n->index, n->index_cap * sizeof(uint32_t)) : NULL;
    return c;
}

struct xsd_node *xsd_node_child(const struct xsd_node *n, const char *name,
                                size_t len, uint32_t *slot)
{
    if (n->index_cap) {
        uint32_t mask = n->index_cap - 1;
        uint32_t h = name_hash(name, len) & mask;

        while (n->index[h]) {
            uint32_t s = n->index[h] - 1;
            struct xsd_node *c = n->children[s];

            if (c->namelen == len && memcmp(c->name, name, len) == 0) {
                if (slot)
                    *slot = s;
                return c;
            }
            h = (h + 1) & mask;
        }
        return NULL;
    }
    for (uint32_t s = 0; s < n->nchildren; s++) {
        struct xsd_node *c = n->children[s];

        if (c->namelen == len && memcmp(c->name, name, len) == 0) {
            if (slot)
                *slot = s;
            return c;
        }
    }
    return NULL;
}

void xsd_node_add_child(struct xsd_node *parent, struct xsd_node *child)
{
    g_assert(parent->refs == 1);
    if (parent->nchildren == parent->cap) {
        parent->cap = parent->cap ? parent->cap * 2 : 4;
        parent->children = g_realloc_n(parent->children, parent->cap, sizeof(parent->children[0]));
    }
    parent->children[parent->nchildren++] = child;
    parent->childlen += child->namelen + 1;
    if (parent->index_cap && parent->nchildren * 2 <= parent->index_cap)
        index_insert(parent, parent->nchildren - 1);
    else if (parent->nchildren > INDEX_MIN)
        index_rebuild(parent);
}

void xsd_node_remove_child(struct xsd_node *parent, uint32_t slot)
{
    struct xsd_node *c = parent->children[slot];

    g_assert(parent->refs == 1 && slot < parent->nchildren);
    parent->childlen -= c->namelen + 1;
    memmove(parent->children + slot, parent->children + slot + 1,
            (parent->nchildren - slot - 1) * sizeof(parent->children[0]));
    parent->nchildren--;
    if (parent->index_cap)
        index_rebuild(parent);
    xsd_node_unref(c);
}

void xsd_node_set_children(struct xsd_node *n, struct xsd_node **children, uint32_t num)
{
    g_assert(n->refs == 1);
    g_free(n->children);
    n->children = children;
    n->nchildren = num;
    n->cap = num;
    n->childlen = 0;
    for (uint32_t i = 0; i < num; i++)
        n->childlen += children[i]->namelen + 1;
    if (n->index_cap || num > INDEX_MIN) {
        g_free(n->index);
        n->index = NULL;
        n->index_cap = 0;
        index_rebuild(n);
    }
}

void xsd_node_set_value(struct xsd_node *n, const void *data, size_t len)
{
    g_assert(n->refs == 1);
    g_free(n->value);
    n->value = len ? xsd_memdup(data, len) : NULL;
    n->vlen = (uint32_t)len;
}

void xsd_node_set_perms(struct xsd_node *n, struct xsd_perms *perms)
{
    g_assert(n->refs == 1);
    xsd_perms_ref(perms);
    xsd_perms_unref(n->perms);
    n->perms = perms;
}

size_t xsd_node_size(const struct xsd_node *n)
{
    /* Header, permissions, value and child names, as C xenstored sizes a
     * node record. */
    return 16 + (size_t)n->perms->num * 8 + n->vlen + n->childlen;
}

/* ------------------------------------------------------------------ */
/* Trees */

const struct xsd_node *xsd_tree_walk(const struct xsd_node *root, const char *path,
                                     size_t *matched)
{
    const struct xsd_node *n = root;
    const char *p = path + 1;

    *matched = 1;
    while (*p) {
        const char *end = strchr(p, '/');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const struct xsd_node *c = xsd_node_child(n, p, len, NULL);

        if (!c)
            break;
        n = c;
        *matched = (size_t)(p - path) + len;
        if (!end)
            break;
        p = end + 1;
    }
    return n;
}

const struct xsd_node *xsd_tree_lookup(const struct xsd_node *root, const char *path)
{
    size_t matched;
    const struct xsd_node *n = xsd_tree_walk(root, path, &matched);

    return matched == strlen(path) ? n : NULL;
}

struct xsd_node *xsd_tree_unshare(struct xsd_node **rootp, const char *path, size_t len)
{
    struct xsd_node *n = *rootp;
    size_t pos = 1;

    if (n->refs > 1) {
        struct xsd_node *c = node_clone(n);

        xsd_node_unref(n);
        *rootp = n = c;
    }
    while (pos < len) {
        const char *comp = path + pos;
        const char *slash = memchr(comp, '/', len - pos);
        size_t clen = slash ? (size_t)(slash - comp) : len - pos;
        uint32_t slot;
        struct xsd_node *c = xsd_node_child(n, comp, clen, &slot);

        g_assert(c);
        if (c->refs > 1) {
            struct xsd_node *copy = node_clone(c);

            n->children[slot] = copy;
            xsd_node_unref(c);
            c = copy;
        }
        n = c;
        pos += clen + 1;
    }
    return n;
}

static void visit(const struct xsd_node *n, GString *path, const struct xsd_node *parent,
                  xsd_tree_visit_fn *fn, void *opaque)
{
    size_t base = path->len;

    if (!fn(n, path->str, parent, opaque))
        return;
    for (uint32_t i = 0; i < n->nchildren; i++) {
        const struct xsd_node *c = n->children[i];

        if (base > 1)
            g_string_append_c(path, '/');
        g_string_append_len(path, c->name, c->namelen);
        visit(c, path, n, fn, opaque);
        g_string_truncate(path, base);
    }
}

void xsd_tree_visit(const struct xsd_node *root, const char *root_path,
                    xsd_tree_visit_fn *fn, void *opaque)
{
    GString *path = g_string_new(root_path);

    visit(root, path, NULL, fn, opaque);
    g_string_free(path, TRUE);
}

/* ------------------------------------------------------------------ */
/* Paths */

bool xsd_path_valid_chars(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char c = s[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '/' || c == '_' || c == '@'))
            return false;
    }
    return true;
}

static bool path_shape_ok(const char *path, size_t len)
{
    if (len > XENSTORE_ABS_PATH_MAX)
        return false;
    if (len > 1 && path[len - 1] == '/')
        return false;
    if (strstr(path, "//"))
        return false;
    return xsd_path_valid_chars(path, len);
}

bool xsd_path_is_valid(const char *path)
{
    return path[0] == '/' && path_shape_ok(path, strlen(path));
}

bool xsd_path_is_special(const char *path)
{
    size_t len = strlen(path);

    return path[0] == '@' && len > 1 && path[1] != '/' && path_shape_ok(path, len);
}

bool xsd_path_is_child(const char *child, const char *parent)
{
    size_t len = strlen(parent);

    if (len == 1 && parent[0] == '/')
        return child[0] == '/';
    return strncmp(child, parent, len) == 0 && (child[len] == '/' || child[len] == '\0');
}

unsigned xsd_path_depth_below(const char *child, const char *parent)
{
    const char *p;
    unsigned depth = 0;

    if (strcmp(parent, "/") == 0) {
        if (strcmp(child, "/") == 0)
            return 0;
        p = child;
    } else {
        p = child + strlen(parent);
    }
    for (; *p; p++)
        if (*p == '/')
            depth++;
    return depth;
}

size_t xsd_path_parent_len(const char *path, size_t len)
{
    size_t i = len;

    while (i > 0 && path[i - 1] != '/')
        i--;
    /* path[i - 1] is the last '/'. */
    return i <= 1 ? 1 : i - 1;
}
