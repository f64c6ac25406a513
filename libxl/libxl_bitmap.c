/* libxl_bitmap.c -- sets of CPUs, vCPUs and nodes (libxl_bitmap).
 *
 * In JSON a bitmap is the ascending array of its set bits, as in Xen's
 * `xl list -l`; equality therefore looks at set bits only, so a bitmap
 * survives a round trip through JSON whatever its allocated size.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "libxl_internal.h"

void libxl_bitmap_init(libxl_bitmap *map)
{
    memset(map, 0, sizeof(*map));
}

void libxl_bitmap_dispose(libxl_bitmap *map)
{
    free(map->map);
    libxl_bitmap_init(map);
}

int libxl_bitmap_alloc(libxl_ctx *ctx, libxl_bitmap *map, int n_bits)
{
    size_t bytes;

    if (n_bits < 0)
        return ERROR_INVAL;
    bytes = ((size_t)n_bits + 7) / 8;
    map->map = libxl__calloc(bytes ? bytes : 1, 1);
    map->size = (uint32_t)bytes;
    return 0;
}

void libxl_bitmap_copy(libxl_ctx *ctx, libxl_bitmap *dst, const libxl_bitmap *src)
{
    libxl_bitmap_init(dst);
    if (!src->size)
        return;
    dst->map = libxl__malloc(src->size);
    memcpy(dst->map, src->map, src->size);
    dst->size = src->size;
}

int libxl_bitmap_test(const libxl_bitmap *map, int bit)
{
    if (bit < 0 || (size_t)bit >= (size_t)map->size * 8)
        return 0;
    return (map->map[bit / 8] >> (bit % 8)) & 1;
}

void libxl_bitmap_set(libxl_bitmap *map, int bit)
{
    if (bit < 0 || (size_t)bit >= (size_t)map->size * 8)
        return;
    map->map[bit / 8] = (uint8_t)(map->map[bit / 8] | 1u << (bit % 8));
}

void libxl_bitmap_reset(libxl_bitmap *map, int bit)
{
    if (bit < 0 || (size_t)bit >= (size_t)map->size * 8)
        return;
    map->map[bit / 8] = (uint8_t)(map->map[bit / 8] & ~(1u << (bit % 8)));
}

void libxl_bitmap_set_any(libxl_bitmap *map)
{
    if (map->size)
        memset(map->map, 0xff, map->size);
}

void libxl_bitmap_set_none(libxl_bitmap *map)
{
    if (map->size)
        memset(map->map, 0, map->size);
}

int libxl_bitmap_is_empty(const libxl_bitmap *map)
{
    for (uint32_t i = 0; i < map->size; i++)
        if (map->map[i])
            return 0;
    return 1;
}

int libxl_bitmap_count_set(const libxl_bitmap *map)
{
    int n = 0;

    for (uint32_t i = 0; i < map->size; i++)
        n += __builtin_popcount(map->map[i]);
    return n;
}

int libxl_bitmap_highest_set(const libxl_bitmap *map)
{
    for (int bit = (int)map->size * 8 - 1; bit >= 0; bit--)
        if (libxl_bitmap_test(map, bit))
            return bit;
    return -1;
}

char *libxl_bitmap_to_range_string(const libxl_bitmap *map)
{
    char *out = libxl__strdup("");
    int nbits = (int)map->size * 8;

    for (int i = 0; i < nbits; i++) {
        int j = i;
        char *s;

        if (!libxl_bitmap_test(map, i))
            continue;
        while (j + 1 < nbits && libxl_bitmap_test(map, j + 1))
            j++;
        if (j == i)
            s = libxl__sprintf("%s%s%d", out, *out ? "," : "", i);
        else
            s = libxl__sprintf("%s%s%d-%d", out, *out ? "," : "", i, j);
        free(out);
        out = s;
        i = j;
    }
    return out;
}

bool libxl__bitmap_equal(const libxl_bitmap *a, const libxl_bitmap *b)
{
    uint32_t n = a->size > b->size ? a->size : b->size;

    for (uint32_t i = 0; i < n; i++) {
        uint8_t x = i < a->size ? a->map[i] : 0;
        uint8_t y = i < b->size ? b->map[i] : 0;

        if (x != y)
            return false;
    }
    return true;
}

bool libxl__bitmap_is_default(const libxl_bitmap *p)
{
    return libxl_bitmap_is_empty(p);
}

yajl_gen_status libxl_bitmap_gen_json(yajl_gen hand, libxl_bitmap *p)
{
    yajl_gen_status s = yajl_gen_array_open(hand);
    int bit;

    if (s != yajl_gen_status_ok)
        return s;
    libxl_for_each_set_bit(bit, *p) {
        s = yajl_gen_integer(hand, bit);
        if (s != yajl_gen_status_ok)
            return s;
    }
    return yajl_gen_array_close(hand);
}

int libxl__bitmap_parse_json(libxl__json_ctx *jc, const libxl__json_object *o, libxl_bitmap *p)
{
    size_t n;
    int max = -1;

    if (libxl__json_check_array(jc, o))
        return ERROR_INVAL;
    n = libxl__json_array_length(o);
    /* First pass: check every element and find the size. */
    for (size_t i = 0; i < n; i++) {
        int bit;

        if (libxl__int_parse_json(jc, libxl__json_array_get(o, i), &bit))
            return ERROR_INVAL;
        if (bit < 0 || bit >= LIBXL__BITMAP_MAX_BITS) {
            libxl__json_error(jc, "bit %d is out of range [0, %d]", bit,
                              LIBXL__BITMAP_MAX_BITS - 1);
            return ERROR_INVAL;
        }
        if (bit > max)
            max = bit;
    }
    libxl_bitmap_dispose(p);
    if (max < 0)
        return 0;
    libxl_bitmap_alloc(NULL, p, max + 1);
    for (size_t i = 0; i < n; i++) {
        int bit = 0;

        libxl__int_parse_json(jc, libxl__json_array_get(o, i), &bit);
        libxl_bitmap_set(p, bit);
    }
    return 0;
}
