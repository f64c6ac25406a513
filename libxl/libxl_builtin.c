/* libxl_builtin.c -- the small built-in types of libxl_types.idl:
 * defbool, uuid, mac and string_list, with their JSON forms
 * ("True"/"False", "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx",
 * "00:16:3e:xx:xx:xx", ["a", "b"]).  Bitmaps live in libxl_bitmap.c.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "libxl_internal.h"

/* ---------------------------------------------------------------- defbool */

void libxl_defbool_set(libxl_defbool *db, bool b)
{
    db->val = b ? 1 : -1;
}

void libxl_defbool_unset(libxl_defbool *db)
{
    db->val = 0;
}

void libxl_defbool_setdefault(libxl_defbool *db, bool b)
{
    if (db->val == 0)
        libxl_defbool_set(db, b);
}

bool libxl_defbool_is_default(libxl_defbool db)
{
    return db.val == 0;
}

bool libxl_defbool_val(libxl_defbool db)
{
    return db.val > 0;
}

const char *libxl_defbool_to_string(libxl_defbool db)
{
    return db.val == 0 ? "<default>" : db.val > 0 ? "True" : "False";
}

void libxl_defbool_dispose(libxl_defbool *db)
{
    db->val = 0;
}

void libxl_defbool_copy(libxl_ctx *ctx, libxl_defbool *dst, const libxl_defbool *src)
{
    *dst = *src;
}

bool libxl__defbool_equal(const libxl_defbool *a, const libxl_defbool *b)
{
    return (a->val > 0) == (b->val > 0) && (a->val == 0) == (b->val == 0);
}

bool libxl__defbool_is_default(const libxl_defbool *p)
{
    return p->val == 0;
}

yajl_gen_status libxl_defbool_gen_json(yajl_gen hand, libxl_defbool *p)
{
    return libxl__yajl_gen_asciiz(hand, libxl_defbool_to_string(*p));
}

int libxl__defbool_parse_json(libxl__json_ctx *jc, const libxl__json_object *o,
                              libxl_defbool *p)
{
    const char *s = NULL;
    char *text = NULL;

    if (libxl__json_type(o) == JSON_BOOL) {
        bool b = false;

        libxl__bool_parse_json(jc, o, &b);
        libxl_defbool_set(p, b);
        return 0;
    }
    if (libxl__string_parse_json(jc, o, &text))
        return ERROR_INVAL;
    s = text;
    if (strcmp(s, "True") == 0 || strcmp(s, "true") == 0)
        libxl_defbool_set(p, true);
    else if (strcmp(s, "False") == 0 || strcmp(s, "false") == 0)
        libxl_defbool_set(p, false);
    else if (strcmp(s, "<default>") == 0)
        libxl_defbool_unset(p);
    else {
        libxl__json_error(jc, "\"%s\" is not a defbool (\"True\", \"False\" or \"<default>\")", s);
        free(text);
        return ERROR_INVAL;
    }
    free(text);
    return 0;
}

/* ------------------------------------------------------------------- uuid */

int libxl_uuid_is_nil(const libxl_uuid *uuid)
{
    for (size_t i = 0; i < sizeof(uuid->uuid); i++)
        if (uuid->uuid[i])
            return 0;
    return 1;
}

void libxl_uuid_clear(libxl_uuid *uuid)
{
    memset(uuid, 0, sizeof(*uuid));
}

void libxl_uuid_generate(libxl_uuid *uuid)
{
    size_t got = 0;

    while (got < sizeof(uuid->uuid)) {
        ssize_t n = getrandom(uuid->uuid + got, sizeof(uuid->uuid) - got, 0);

        if (n < 0) {
            perror("libxl: getrandom");
            abort();
        }
        got += (size_t)n;
    }
    uuid->uuid[6] = (uint8_t)((uuid->uuid[6] & 0x0f) | 0x40);   /* version 4 */
    uuid->uuid[8] = (uint8_t)((uuid->uuid[8] & 0x3f) | 0x80);   /* RFC 4122 variant */
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int libxl_uuid_from_string(libxl_uuid *uuid, const char *in)
{
    libxl_uuid u;
    size_t i, b = 0;

    if (!in || strlen(in) != LIBXL_UUID_FMTLEN)
        return ERROR_INVAL;
    for (i = 0; i < LIBXL_UUID_FMTLEN; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (in[i] != '-')
                return ERROR_INVAL;
            continue;
        }
        if (hexval(in[i]) < 0 || hexval(in[i + 1]) < 0)
            return ERROR_INVAL;
        u.uuid[b++] = (uint8_t)(hexval(in[i]) << 4 | hexval(in[i + 1]));
        i++;
    }
    *uuid = u;
    return 0;
}

void libxl_uuid_to_string(const libxl_uuid *uuid, char out[LIBXL_UUID_FMTLEN + 1])
{
    const uint8_t *u = uuid->uuid;

    snprintf(out, LIBXL_UUID_FMTLEN + 1,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7],
             u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
}

int libxl_uuid_compare(const libxl_uuid *a, const libxl_uuid *b)
{
    return memcmp(a->uuid, b->uuid, sizeof(a->uuid));
}

void libxl_uuid_dispose(libxl_uuid *uuid)
{
    libxl_uuid_clear(uuid);
}

void libxl_uuid_copy(libxl_ctx *ctx, libxl_uuid *dst, const libxl_uuid *src)
{
    *dst = *src;
}

bool libxl__uuid_equal(const libxl_uuid *a, const libxl_uuid *b)
{
    return libxl_uuid_compare(a, b) == 0;
}

bool libxl__uuid_is_default(const libxl_uuid *p)
{
    return libxl_uuid_is_nil(p);
}

yajl_gen_status libxl_uuid_gen_json(yajl_gen hand, libxl_uuid *p)
{
    char buf[LIBXL_UUID_FMTLEN + 1];

    libxl_uuid_to_string(p, buf);
    return libxl__yajl_gen_asciiz(hand, buf);
}

int libxl__uuid_parse_json(libxl__json_ctx *jc, const libxl__json_object *o, libxl_uuid *p)
{
    char *s = NULL;
    int rc;

    if (libxl__string_parse_json(jc, o, &s))
        return ERROR_INVAL;
    rc = libxl_uuid_from_string(p, s);
    if (rc)
        libxl__json_error(jc, "\"%s\" is not a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)", s);
    free(s);
    return rc;
}

/* -------------------------------------------------------------------- mac */

int libxl_mac_from_string(libxl_mac *mac, const char *in)
{
    libxl_mac m;

    if (!in || strlen(in) != 17)
        return ERROR_INVAL;
    for (int i = 0; i < 6; i++) {
        const char *g = in + 3 * i;

        if (hexval(g[0]) < 0 || hexval(g[1]) < 0 || (i < 5 && g[2] != ':'))
            return ERROR_INVAL;
        m[i] = (uint8_t)(hexval(g[0]) << 4 | hexval(g[1]));
    }
    memcpy(*mac, m, sizeof(m));
    return 0;
}

void libxl_mac_to_string(const libxl_mac *mac, char out[18])
{
    const uint8_t *m = *mac;

    snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

void libxl_mac_dispose(libxl_mac *mac)
{
    memset(*mac, 0, sizeof(*mac));
}

void libxl_mac_copy(libxl_ctx *ctx, libxl_mac *dst, const libxl_mac *src)
{
    memcpy(*dst, *src, sizeof(*dst));
}

bool libxl__mac_equal(const libxl_mac *a, const libxl_mac *b)
{
    return memcmp(*a, *b, sizeof(*a)) == 0;
}

bool libxl__mac_is_default(const libxl_mac *p)
{
    static const libxl_mac zero;

    return libxl__mac_equal(p, &zero);
}

yajl_gen_status libxl_mac_gen_json(yajl_gen hand, libxl_mac *p)
{
    char buf[18];

    libxl_mac_to_string(p, buf);
    return libxl__yajl_gen_asciiz(hand, buf);
}

int libxl__mac_parse_json(libxl__json_ctx *jc, const libxl__json_object *o, libxl_mac *p)
{
    char *s = NULL;
    int rc;

    if (libxl__string_parse_json(jc, o, &s))
        return ERROR_INVAL;
    rc = libxl_mac_from_string(p, s);
    if (rc)
        libxl__json_error(jc, "\"%s\" is not a MAC address (xx:xx:xx:xx:xx:xx)", s);
    free(s);
    return rc;
}

/* ------------------------------------------------------------ string_list */

int libxl_string_list_length(const libxl_string_list *sl)
{
    int n = 0;

    if (*sl)
        while ((*sl)[n])
            n++;
    return n;
}

void libxl_string_list_dispose(libxl_string_list *sl)
{
    if (!*sl)
        return;
    for (char **p = *sl; *p; p++)
        free(*p);
    free(*sl);
    *sl = NULL;
}

void libxl_string_list_copy(libxl_ctx *ctx, libxl_string_list *dst, const libxl_string_list *src)
{
    int n = libxl_string_list_length(src);

    *dst = NULL;
    if (!*src)
        return;
    *dst = libxl__calloc((size_t)n + 1, sizeof(char *));
    for (int i = 0; i < n; i++)
        (*dst)[i] = libxl__strdup((*src)[i]);
}

void libxl_string_list_append(libxl_string_list *sl, const char *s)
{
    int n = libxl_string_list_length(sl);

    *sl = libxl__realloc(*sl, ((size_t)n + 2) * sizeof(char *));
    (*sl)[n] = libxl__strdup(s);
    (*sl)[n + 1] = NULL;
}

bool libxl__string_list_equal(const libxl_string_list *a, const libxl_string_list *b)
{
    int n = libxl_string_list_length(a);

    if (n != libxl_string_list_length(b))
        return false;
    for (int i = 0; i < n; i++)
        if (strcmp((*a)[i], (*b)[i]) != 0)
            return false;
    return true;
}

bool libxl__string_list_is_default(const libxl_string_list *p)
{
    return libxl_string_list_length(p) == 0;
}

yajl_gen_status libxl_string_list_gen_json(yajl_gen hand, libxl_string_list *p)
{
    yajl_gen_status s = yajl_gen_array_open(hand);

    for (int i = 0; s == yajl_gen_status_ok && *p && (*p)[i]; i++)
        s = libxl__yajl_gen_asciiz(hand, (*p)[i]);
    if (s == yajl_gen_status_ok)
        s = yajl_gen_array_close(hand);
    return s;
}

int libxl__string_list_parse_json(libxl__json_ctx *jc, const libxl__json_object *o,
                                  libxl_string_list *p)
{
    size_t n;

    if (libxl__json_check_array(jc, o))
        return ERROR_INVAL;
    libxl_string_list_dispose(p);
    n = libxl__json_array_length(o);
    for (size_t i = 0; i < n; i++) {
        const libxl__json_object *e = libxl__json_array_get(o, i);

        if (libxl__json_type(e) != JSON_STRING) {
            libxl__json_error(jc, "element %zu: expected a string", i);
            return ERROR_INVAL;
        }
        {
            char *s = NULL;

            libxl__string_parse_json(jc, e, &s);
            libxl_string_list_append(p, s);
            free(s);
        }
    }
    return 0;
}
