/* libxl_utils.c -- allocation that cannot fail, strings, enumeration tables.
 *
 * An allocation failure in the toolstack is not something a caller can
 * sensibly recover from; as in Xen's libxl, it ends the process loudly.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "libxl_internal.h"

static void libxl__alloc_failed(size_t size)
{
    fprintf(stderr, "libxl: out of memory allocating %zu bytes\n", size);
    abort();
}

void *libxl__malloc(size_t size)
{
    void *p = malloc(size ? size : 1);

    if (!p)
        libxl__alloc_failed(size);
    return p;
}

void *libxl__calloc(size_t nmemb, size_t size)
{
    void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

    if (!p)
        libxl__alloc_failed(nmemb * size);
    return p;
}

void *libxl__realloc(void *ptr, size_t size)
{
    void *p = realloc(ptr, size ? size : 1);

    if (!p)
        libxl__alloc_failed(size);
    return p;
}

char *libxl__strdup(const char *s)
{
    char *p = strdup(s);

    if (!p)
        libxl__alloc_failed(strlen(s) + 1);
    return p;
}

char *libxl__strndup(const char *s, size_t n)
{
    char *p = strndup(s, n);

    if (!p)
        libxl__alloc_failed(n + 1);
    return p;
}

char *libxl__strdup_or_null(const char *s)
{
    return s ? libxl__strdup(s) : NULL;
}

char *libxl__vsprintf(const char *fmt, va_list ap)
{
    char *s = NULL;

    if (vasprintf(&s, fmt, ap) < 0)
        libxl__alloc_failed(strlen(fmt));
    return s;
}

char *libxl__sprintf(const char *fmt, ...)
{
    va_list ap;
    char *s;

    va_start(ap, fmt);
    s = libxl__vsprintf(fmt, ap);
    va_end(ap);
    return s;
}

bool libxl__string_equal(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

const char *libxl__enum_to_string(const libxl_enum_string_table *t, int v)
{
    for (; t->s; t++)
        if (t->v == v)
            return t->s;
    return NULL;
}

int libxl__enum_from_string(const libxl_enum_string_table *t, const char *s, int *v)
{
    if (!s)
        return ERROR_INVAL;
    for (; t->s; t++) {
        if (strcasecmp(t->s, s) == 0) {
            *v = t->v;
            return 0;
        }
    }
    return ERROR_FAIL;
}
