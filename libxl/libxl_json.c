/* libxl_json.c -- JSON text to a tree and back, for the generated code.
 *
 * Reading: yajl's event parser builds a tree of libxl__json_object (depth
 * at most LIBXL__JSON_MAX_DEPTH, text at most LIBXL__JSON_MAX_SIZE, so a
 * hostile file cannot exhaust the stack or memory); the generated
 * _parse_json functions then walk the tree and report the first problem
 * with its JSON path ("b_info.max_vcpus: expected an integer ...").
 * Writing: small wrappers over yajl_gen used by the generated _gen_json.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_parse.h>

#include "libxl_internal.h"

struct libxl__json_map_node {
    char *key;
    libxl__json_object *value;
};

struct libxl__json_object {
    libxl__json_node_type type;
    union {
        bool b;
        char *text;                    /* JSON_NUMBER, JSON_STRING */
        struct {
            size_t n, cap;
            struct libxl__json_map_node *items;
        } map;
        struct {
            size_t n, cap;
            libxl__json_object **items;
        } array;
    } u;
};

/* ---------------------------------------------------------------- tree */

void libxl__json_object_free(libxl__json_object *o)
{
    if (!o)
        return;
    switch (o->type) {
    case JSON_NUMBER:
    case JSON_STRING:
        free(o->u.text);
        break;
    case JSON_MAP:
        for (size_t i = 0; i < o->u.map.n; i++) {
            free(o->u.map.items[i].key);
            libxl__json_object_free(o->u.map.items[i].value);
        }
        free(o->u.map.items);
        break;
    case JSON_ARRAY:
        for (size_t i = 0; i < o->u.array.n; i++)
            libxl__json_object_free(o->u.array.items[i]);
        free(o->u.array.items);
        break;
    default:
        break;
    }
    free(o);
}

libxl__json_node_type libxl__json_type(const libxl__json_object *o)
{
    return o->type;
}

bool libxl__json_is_null(const libxl__json_object *o)
{
    return o->type == JSON_NULL;
}

const libxl__json_object *libxl__json_map_get(const libxl__json_object *o, const char *key)
{
    if (!o || o->type != JSON_MAP)
        return NULL;
    for (size_t i = o->u.map.n; i-- > 0;)
        if (strcmp(o->u.map.items[i].key, key) == 0)
            return o->u.map.items[i].value;
    return NULL;
}

size_t libxl__json_array_length(const libxl__json_object *o)
{
    return o->type == JSON_ARRAY ? o->u.array.n : 0;
}

const libxl__json_object *libxl__json_array_get(const libxl__json_object *o, size_t i)
{
    if (o->type != JSON_ARRAY || i >= o->u.array.n)
        return NULL;
    return o->u.array.items[i];
}

/* -------------------------------------------------------------- parser */

struct parse_state {
    libxl__json_object *root;
    libxl__json_object *stack[LIBXL__JSON_MAX_DEPTH];
    int depth;
    char *pending_key;        /* a map key waiting for its value */
    bool too_deep;
    bool nul;                 /* a string held "\u0000" */
};

static libxl__json_object *node_new(libxl__json_node_type type)
{
    libxl__json_object *o = libxl__calloc(1, sizeof(*o));

    o->type = type;
    return o;
}

/* Attaches a finished or opened value to its container (or as the root). */
static int attach(struct parse_state *ps, libxl__json_object *o)
{
    libxl__json_object *top = ps->depth ? ps->stack[ps->depth - 1] : NULL;

    if (!top) {
        if (ps->root) {            /* a second document: refuse */
            libxl__json_object_free(o);
            return 0;
        }
        ps->root = o;
        return 1;
    }
    if (top->type == JSON_ARRAY) {
        if (top->u.array.n == top->u.array.cap) {
            top->u.array.cap = top->u.array.cap ? top->u.array.cap * 2 : 4;
            top->u.array.items = libxl__realloc(top->u.array.items,
                                                top->u.array.cap * sizeof(*top->u.array.items));
        }
        top->u.array.items[top->u.array.n++] = o;
        return 1;
    }
    /* a map: the key came first */
    if (top->u.map.n == top->u.map.cap) {
        top->u.map.cap = top->u.map.cap ? top->u.map.cap * 2 : 4;
        top->u.map.items = libxl__realloc(top->u.map.items,
                                          top->u.map.cap * sizeof(*top->u.map.items));
    }
    top->u.map.items[top->u.map.n].key = ps->pending_key;
    top->u.map.items[top->u.map.n].value = o;
    top->u.map.n++;
    ps->pending_key = NULL;
    return 1;
}

static int push(struct parse_state *ps, libxl__json_node_type type)
{
    libxl__json_object *o;

    if (ps->depth >= LIBXL__JSON_MAX_DEPTH) {
        ps->too_deep = true;
        return 0;
    }
    o = node_new(type);
    if (!attach(ps, o))
        return 0;
    ps->stack[ps->depth++] = o;
    return 1;
}

static int cb_null(void *ctx)
{
    return attach(ctx, node_new(JSON_NULL));
}

static int cb_boolean(void *ctx, int b)
{
    libxl__json_object *o = node_new(JSON_BOOL);

    o->u.b = b != 0;
    return attach(ctx, o);
}

static int cb_number(void *ctx, const char *s, size_t len)
{
    libxl__json_object *o = node_new(JSON_NUMBER);

    o->u.text = libxl__strndup(s, len);
    return attach(ctx, o);
}

static int cb_string(void *ctx, const unsigned char *s, size_t len)
{
    struct parse_state *ps = ctx;
    libxl__json_object *o;

    if (memchr(s, 0, len)) {
        ps->nul = true;            /* "\u0000": not a C string */
        return 0;
    }
    o = node_new(JSON_STRING);
    o->u.text = libxl__strndup((const char *)s, len);
    return attach(ctx, o);
}

static int cb_start_map(void *ctx)
{
    return push(ctx, JSON_MAP);
}

static int cb_map_key(void *ctx, const unsigned char *s, size_t len)
{
    struct parse_state *ps = ctx;

    if (memchr(s, 0, len)) {
        ps->nul = true;
        return 0;
    }
    free(ps->pending_key);
    ps->pending_key = libxl__strndup((const char *)s, len);
    return 1;
}

static int cb_start_array(void *ctx)
{
    return push(ctx, JSON_ARRAY);
}

static int cb_end(void *ctx)
{
    struct parse_state *ps = ctx;

    ps->depth--;
    return 1;
}

static const yajl_callbacks parse_callbacks = {
    .yajl_null = cb_null,
    .yajl_boolean = cb_boolean,
    .yajl_number = cb_number,
    .yajl_string = cb_string,
    .yajl_start_map = cb_start_map,
    .yajl_map_key = cb_map_key,
    .yajl_end_map = cb_end,
    .yajl_start_array = cb_start_array,
    .yajl_end_array = cb_end,
};

static void set_err(char **err, char *msg)
{
    if (err)
        *err = msg;
    else
        free(msg);
}

libxl__json_object *libxl__json_parse(const char *s, size_t len, char **err)
{
    struct parse_state ps;
    yajl_handle h = NULL;
    yajl_status st;
    libxl__json_object *root = NULL;

    memset(&ps, 0, sizeof(ps));
    if (err)
        *err = NULL;
    if (len > LIBXL__JSON_MAX_SIZE) {
        set_err(err, libxl__sprintf("JSON text of %zu bytes is larger than the limit of %u",
                                    len, LIBXL__JSON_MAX_SIZE));
        goto out;
    }
    {
        size_t i = 0;

        while (i < len && strchr(" \t\r\n", s[i]) && s[i])
            i++;
        if (i == len) {
            set_err(err, libxl__strdup("empty JSON text"));
            goto out;
        }
    }
    h = yajl_alloc(&parse_callbacks, NULL, &ps);
    if (!h) {
        set_err(err, libxl__strdup("out of memory"));
        goto out;
    }
    st = yajl_parse(h, (const unsigned char *)s, len);
    if (st == yajl_status_ok)
        st = yajl_complete_parse(h);
    if (st != yajl_status_ok) {
        if (ps.too_deep) {
            set_err(err, libxl__sprintf("JSON nested deeper than %d levels",
                                        LIBXL__JSON_MAX_DEPTH));
        } else if (ps.nul) {
            set_err(err, libxl__strdup("a JSON string holds a NUL character (\\u0000)"));
        } else {
            unsigned char *m = yajl_get_error(h, 0, (const unsigned char *)s, len);
            char *msg = libxl__strdup(m ? (const char *)m : "malformed JSON");
            size_t n = strlen(msg);

            if (m)
                yajl_free_error(h, m);
            while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' ' || msg[n - 1] == '.'))
                msg[--n] = '\0';
            set_err(err, libxl__sprintf("malformed JSON at byte %zu: %s",
                                        yajl_get_bytes_consumed(h), msg));
            free(msg);
        }
        goto out;
    }
    if (!ps.root) {
        set_err(err, libxl__strdup("empty JSON text"));
        goto out;
    }
    root = ps.root;
    ps.root = NULL;
out:
    if (h)
        yajl_free(h);
    libxl__json_object_free(ps.root);
    free(ps.pending_key);
    return root;
}

/* -------------------------------------------------- reading typed values */

void libxl__json_error(libxl__json_ctx *jc, const char *fmt, ...)
{
    va_list ap;

    if (jc->message)
        return;
    va_start(ap, fmt);
    jc->message = libxl__vsprintf(fmt, ap);
    va_end(ap);
}

static void prepend_path(libxl__json_ctx *jc, char *component)
{
    char *p;

    if (!jc->path) {
        jc->path = component;
        return;
    }
    p = libxl__sprintf("%s%s%s", component, jc->path[0] == '[' ? "" : ".", jc->path);
    free(component);
    free(jc->path);
    jc->path = p;
}

void libxl__json_error_in(libxl__json_ctx *jc, const char *key)
{
    prepend_path(jc, libxl__strdup(key));
}

void libxl__json_error_in_index(libxl__json_ctx *jc, const char *key, size_t index)
{
    prepend_path(jc, libxl__sprintf("%s[%zu]", key, index));
}

static const char *type_name(const libxl__json_object *o)
{
    switch (o->type) {
    case JSON_NULL: return "null";
    case JSON_BOOL: return "a boolean";
    case JSON_NUMBER: return "a number";
    case JSON_STRING: return "a string";
    case JSON_MAP: return "an object";
    case JSON_ARRAY: return "an array";
    }
    return "?";
}

static int type_error(libxl__json_ctx *jc, const libxl__json_object *o, const char *want)
{
    libxl__json_error(jc, "expected %s, got %s", want, type_name(o));
    return ERROR_INVAL;
}

int libxl__json_check_map(libxl__json_ctx *jc, const libxl__json_object *o)
{
    return o->type == JSON_MAP ? 0 : type_error(jc, o, "an object");
}

int libxl__json_check_array(libxl__json_ctx *jc, const libxl__json_object *o)
{
    return o->type == JSON_ARRAY ? 0 : type_error(jc, o, "an array");
}

/* An integer in [min, max]; JSON numbers with a fraction or exponent are
 * refused rather than truncated. */
static int parse_integer(libxl__json_ctx *jc, const libxl__json_object *o,
                         long long min, unsigned long long max, bool *neg,
                         unsigned long long *mag)
{
    const char *t;
    char *end;

    if (o->type != JSON_NUMBER)
        return type_error(jc, o, "an integer");
    t = o->u.text;
    if (strpbrk(t, ".eE")) {
        libxl__json_error(jc, "expected an integer, got %s", t);
        return ERROR_INVAL;
    }
    *neg = t[0] == '-';
    errno = 0;
    *mag = strtoull(*neg ? t + 1 : t, &end, 10);
    if (errno || *end ||
        (*neg && (min >= 0 || *mag > (unsigned long long)-(min + 1) + 1)) ||
        (!*neg && *mag > max)) {
        libxl__json_error(jc, "%s is out of range [%lld, %llu]", t, min, max);
        return ERROR_INVAL;
    }
    return 0;
}

int libxl__int_parse_json(libxl__json_ctx *jc, const libxl__json_object *o, int *p)
{
    unsigned long long mag;
    bool neg;
    int rc = parse_integer(jc, o, INT_MIN, INT_MAX, &neg, &mag);

    if (!rc)
        *p = neg ? (int)(-(long long)mag) : (int)mag;
    return rc;
}

int libxl__uint32_parse_json(libxl__json_ctx *jc, const libxl__json_object *o, uint32_t *p)
{
    unsigned long long mag;
    bool neg;
    int rc = parse_integer(jc, o, 0, UINT32_MAX, &neg, &mag);

    if (!rc)
        *p = (uint32_t)mag;
    return rc;
}

int libxl__uint64_parse_json(libxl__json_ctx *jc, const libxl__json_object *o, uint64_t *p)
{
    unsigned long long mag;
    bool neg;
    int rc = parse_integer(jc, o, 0, UINT64_MAX, &neg, &mag);

    if (!rc)
        *p = (uint64_t)mag;
    return rc;
}

int libxl__bool_parse_json(libxl__json_ctx *jc, const libxl__json_object *o, bool *p)
{
    if (o->type != JSON_BOOL)
        return type_error(jc, o, "true or false");
    *p = o->u.b;
    return 0;
}

int libxl__string_parse_json(libxl__json_ctx *jc, const libxl__json_object *o, char **p)
{
    if (o->type != JSON_STRING)
        return type_error(jc, o, "a string");
    free(*p);
    *p = libxl__strdup(o->u.text);
    return 0;
}

int libxl__enum_parse_json(libxl__json_ctx *jc, const libxl__json_object *o,
                           const libxl_enum_string_table *t, const char *tname, int *v)
{
    const libxl_enum_string_table *e;
    char *list = NULL;

    if (o->type != JSON_STRING)
        return type_error(jc, o, "a string");
    if (libxl__enum_from_string(t, o->u.text, v) == 0)
        return 0;
    for (e = t; e->s; e++) {
        char *l = libxl__sprintf("%s%s%s", list ? list : "", list ? ", " : "", e->s);

        free(list);
        list = l;
    }
    libxl__json_error(jc, "\"%s\" is not a %s (one of: %s)", o->u.text, tname,
                      list ? list : "");
    free(list);
    return ERROR_INVAL;
}

/* ---------------------------------------------------------------- writing */

yajl_gen libxl_yajl_gen_alloc(const yajl_alloc_funcs *alloc_funcs)
{
    yajl_gen g = yajl_gen_alloc(alloc_funcs);

    if (!g)
        return NULL;
    yajl_gen_config(g, yajl_gen_beautify, 1);
    yajl_gen_config(g, yajl_gen_indent_string, "    ");
    yajl_gen_config(g, yajl_gen_validate_utf8, 1);
    return g;
}

yajl_gen_status libxl__yajl_gen_asciiz(yajl_gen hand, const char *s)
{
    return yajl_gen_string(hand, (const unsigned char *)s, strlen(s));
}

yajl_gen_status libxl__string_gen_json(yajl_gen hand, const char *s)
{
    return s ? libxl__yajl_gen_asciiz(hand, s) : yajl_gen_null(hand);
}

yajl_gen_status libxl__int_gen_json(yajl_gen hand, long long v)
{
    return yajl_gen_integer(hand, v);
}

yajl_gen_status libxl__uint32_gen_json(yajl_gen hand, uint32_t v)
{
    return yajl_gen_integer(hand, (long long)v);
}

yajl_gen_status libxl__uint64_gen_json(yajl_gen hand, uint64_t v)
{
    char buf[24];
    int n = snprintf(buf, sizeof(buf), "%" PRIu64, v);

    return yajl_gen_number(hand, buf, (size_t)n);
}

yajl_gen_status libxl__bool_gen_json(yajl_gen hand, bool v)
{
    return yajl_gen_bool(hand, v);
}

yajl_gen_status libxl__enum_gen_json(yajl_gen hand, const char *s)
{
    return s ? libxl__yajl_gen_asciiz(hand, s) : yajl_gen_null(hand);
}

void libxl__json_tidy(char *s)
{
    /* yajl's beautifier writes an empty object or array over three lines
     * ("{", "", "}"); make it "{}", and drop the final new line.  Raw new lines only occur between
     * tokens (JSON strings escape theirs), so this never touches data. */
    char *r = s, *w = s;

    while (*r) {
        if ((r[0] == '{' || r[0] == '[') && r[1] == '\n' && r[2] == '\n') {
            char *q = r + 3;

            while (*q == ' ')
                q++;
            if (*q == (r[0] == '{' ? '}' : ']')) {
                *w++ = r[0];
                *w++ = *q;
                r = q + 1;
                continue;
            }
        }
        *w++ = *r++;
    }
    while (w > s && w[-1] == '\n')     /* no final new line: callers add their own */
        w--;
    *w = '\0';
}

char *libxl__object_to_json(libxl__gen_json_fn *fn, void *p)
{
    yajl_gen g = libxl_yajl_gen_alloc(NULL);
    const unsigned char *buf;
    size_t len;
    char *out = NULL;

    if (!g)
        return NULL;
    if (fn(g, p) != yajl_gen_status_ok)
        goto done;
    if (yajl_gen_get_buf(g, &buf, &len) != yajl_gen_status_ok)
        goto done;
    out = libxl__strndup((const char *)buf, len);
    libxl__json_tidy(out);
done:
    yajl_gen_free(g);
    return out;
}

int libxl__object_from_json(libxl__parse_json_fn *fn, void *p, const char *s, char **err)
{
    libxl__json_ctx jc = { NULL, NULL };
    libxl__json_object *o;
    int rc;

    if (err)
        *err = NULL;
    o = libxl__json_parse(s, strlen(s), err);
    if (!o)
        return ERROR_INVAL;
    rc = fn(&jc, o, p);
    if (rc) {
        if (!jc.message)
            jc.message = libxl__strdup("malformed value");
        set_err(err, jc.path ? libxl__sprintf("%s: %s", jc.path, jc.message)
                             : libxl__strdup(jc.message));
        rc = ERROR_INVAL;
    }
    free(jc.message);
    free(jc.path);
    libxl__json_object_free(o);
    return rc;
}
