/* libxl_internal.h -- what libxenlight's own files share.
 *
 * Allocation: the libxl__ allocators abort on failure (as Xen's libxl
 * does), so no caller checks.  JSON input: text is parsed into a tree of
 * libxl__json_object (depth and size bounded), and the generated
 * _parse_json functions read typed values out of it, reporting the first
 * problem through a libxl__json_ctx with the JSON path of the value.
 */
#ifndef XENKVM_LIBXL_INTERNAL_H
#define XENKVM_LIBXL_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "libxl.h"
#include "libxl_json.h"

/* ---- allocation and strings (libxl_utils.c) ---- */
void *libxl__malloc(size_t size);
void *libxl__calloc(size_t nmemb, size_t size);
void *libxl__realloc(void *ptr, size_t size);
char *libxl__strdup(const char *s);
char *libxl__strndup(const char *s, size_t n);
char *libxl__strdup_or_null(const char *s);
char *libxl__sprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *libxl__vsprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
bool libxl__string_equal(const char *a, const char *b);   /* NULL == NULL */

const char *libxl__enum_to_string(const libxl_enum_string_table *t, int v);
int libxl__enum_from_string(const libxl_enum_string_table *t, const char *s, int *v);

/* ---- the JSON tree (libxl_json.c) ---- */
typedef enum libxl__json_node_type {
    JSON_NULL = 1,
    JSON_BOOL,
    JSON_NUMBER,      /* kept as its text, converted on use */
    JSON_STRING,
    JSON_MAP,
    JSON_ARRAY,
} libxl__json_node_type;

typedef struct libxl__json_object libxl__json_object;

#define LIBXL__JSON_MAX_DEPTH 64
#define LIBXL__JSON_MAX_SIZE (16u << 20)

/* NULL on malformed input, with *err (may be NULL) a malloc'd message. */
libxl__json_object *libxl__json_parse(const char *s, size_t len, char **err);
void libxl__json_object_free(libxl__json_object *o);

libxl__json_node_type libxl__json_type(const libxl__json_object *o);
bool libxl__json_is_null(const libxl__json_object *o);
/* The value of `key` in a map (the last one if repeated), else NULL. */
const libxl__json_object *libxl__json_map_get(const libxl__json_object *o, const char *key);
size_t libxl__json_array_length(const libxl__json_object *o);
const libxl__json_object *libxl__json_array_get(const libxl__json_object *o, size_t i);

/* The first error met while reading a tree, and where. */
typedef struct libxl__json_ctx {
    char *message;
    char *path;
} libxl__json_ctx;

void libxl__json_error(libxl__json_ctx *jc, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void libxl__json_error_in(libxl__json_ctx *jc, const char *key);
void libxl__json_error_in_index(libxl__json_ctx *jc, const char *key, size_t index);

int libxl__json_check_map(libxl__json_ctx *jc, const libxl__json_object *o);
int libxl__json_check_array(libxl__json_ctx *jc, const libxl__json_object *o);
int libxl__int_parse_json(libxl__json_ctx *jc, const libxl__json_object *o, int *p);
int libxl__uint32_parse_json(libxl__json_ctx *jc, const libxl__json_object *o, uint32_t *p);
int libxl__uint64_parse_json(libxl__json_ctx *jc, const libxl__json_object *o, uint64_t *p);
int libxl__bool_parse_json(libxl__json_ctx *jc, const libxl__json_object *o, bool *p);
int libxl__string_parse_json(libxl__json_ctx *jc, const libxl__json_object *o, char **p);
int libxl__enum_parse_json(libxl__json_ctx *jc, const libxl__json_object *o,
                           const libxl_enum_string_table *t, const char *type_name, int *v);

yajl_gen_status libxl__yajl_gen_asciiz(yajl_gen hand, const char *s);
yajl_gen_status libxl__string_gen_json(yajl_gen hand, const char *s);
yajl_gen_status libxl__int_gen_json(yajl_gen hand, long long v);
yajl_gen_status libxl__uint32_gen_json(yajl_gen hand, uint32_t v);
yajl_gen_status libxl__uint64_gen_json(yajl_gen hand, uint64_t v);
yajl_gen_status libxl__bool_gen_json(yajl_gen hand, bool v);
yajl_gen_status libxl__enum_gen_json(yajl_gen hand, const char *s);

typedef yajl_gen_status libxl__gen_json_fn(yajl_gen hand, void *p);
typedef int libxl__parse_json_fn(libxl__json_ctx *jc, const libxl__json_object *o, void *p);
/* Whole documents: malloc'd JSON text (NULL if a string is not UTF-8), and
 * text into an initialised object (0 or ERROR_INVAL, *err as above). */
char *libxl__object_to_json(libxl__gen_json_fn *fn, void *p);
/* Writes yajl's three-line empty objects and arrays as {} and []. */
void libxl__json_tidy(char *s);
int libxl__object_from_json(libxl__parse_json_fn *fn, void *p, const char *s, char **err);

/* ---- the built-in types (libxl_builtin.c, libxl_bitmap.c) ---- */
bool libxl__defbool_equal(const libxl_defbool *a, const libxl_defbool *b);
bool libxl__defbool_is_default(const libxl_defbool *p);
int libxl__defbool_parse_json(libxl__json_ctx *jc, const libxl__json_object *o, libxl_defbool *p);
bool libxl__uuid_equal(const libxl_uuid *a, const libxl_uuid *b);
bool libxl__uuid_is_default(const libxl_uuid *p);
int libxl__uuid_parse_json(libxl__json_ctx *jc, const libxl__json_object *o, libxl_uuid *p);
bool libxl__mac_equal(const libxl_mac *a, const libxl_mac *b);
bool libxl__mac_is_default(const libxl_mac *p);
int libxl__mac_parse_json(libxl__json_ctx *jc, const libxl__json_object *o, libxl_mac *p);
bool libxl__string_list_equal(const libxl_string_list *a, const libxl_string_list *b);
bool libxl__string_list_is_default(const libxl_string_list *p);
int libxl__string_list_parse_json(libxl__json_ctx *jc, const libxl__json_object *o,
                                  libxl_string_list *p);
bool libxl__bitmap_equal(const libxl_bitmap *a, const libxl_bitmap *b);
bool libxl__bitmap_is_default(const libxl_bitmap *p);
int libxl__bitmap_parse_json(libxl__json_ctx *jc, const libxl__json_object *o, libxl_bitmap *p);

/* Bitmaps read from JSON hold at most this many bits. */
#define LIBXL__BITMAP_MAX_BITS 65536

#include "_libxl_types_private.h"

#endif
