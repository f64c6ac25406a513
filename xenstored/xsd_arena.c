/* Per-request memory context: a bump allocator freed in one go when the
 * request is answered.  Allocation failure aborts (g_malloc), as for every
 * allocation in xenstored: memory per unprivileged domain is bounded by
 * quotas, and dom0's tools are trusted. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "xsd.h"

struct xsd_arena_chunk {
    struct xsd_arena_chunk *next;
    size_t used;
    size_t size;
    max_align_t data[];
};

#define ARENA_CHUNK 4096

void xsd_arena_init(struct xsd_arena *a)
{
    a->chunks = NULL;
    a->total = 0;
}

void xsd_arena_free(struct xsd_arena *a)
{
    struct xsd_arena_chunk *c = a->chunks;

    while (c) {
        struct xsd_arena_chunk *next = c->next;

        g_free(c);
        c = next;
    }
    a->chunks = NULL;
    a->total = 0;
}

void *xsd_arena_alloc(struct xsd_arena *a, size_t len)
{
    struct xsd_arena_chunk *c = a->chunks;
    size_t align = sizeof(max_align_t);
    size_t need = (len + align - 1) & ~(align - 1);
    void *p;

    if (need == 0)
        need = align;
    if (!c || c->size - c->used < need) {
        size_t size = need > ARENA_CHUNK ? need : ARENA_CHUNK;

        c = g_malloc(sizeof(*c) + size);
        c->used = 0;
        c->size = size;
        c->next = a->chunks;
        a->chunks = c;
    }
    p = (char *)c->data + c->used;
    c->used += need;
    a->total += need;
    return p;
}

char *xsd_arena_strndup(struct xsd_arena *a, const char *s, size_t len)
{
    char *p = xsd_arena_alloc(a, len + 1);

    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *xsd_arena_strdup(struct xsd_arena *a, const char *s)
{
    return xsd_arena_strndup(a, s, strlen(s));
}

char *xsd_arena_printf(struct xsd_arena *a, const char *fmt, ...)
{
    va_list ap;
    int n;
    char *p;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    p = xsd_arena_alloc(a, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}
