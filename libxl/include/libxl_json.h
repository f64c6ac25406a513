/* libxl_json.h -- yajl generators of libxenlight's types.
 *
 * Every type T of libxl_types.idl has
 *     yajl_gen_status libxl_T_gen_json(yajl_gen hand, libxl_T *p);
 * which writes one JSON value (see libxl_types.idl for the shape), as do
 * the built-in types below.  Use these to embed a configuration in a larger
 * document; libxl_T_to_json (libxl.h) gives a whole string.
 */
#ifndef XENKVM_LIBXL_JSON_H
#define XENKVM_LIBXL_JSON_H

#include <yajl/yajl_gen.h>

#include "libxl.h"

#ifdef __cplusplus
extern "C" {
#endif

yajl_gen_status libxl_defbool_gen_json(yajl_gen hand, libxl_defbool *p);
yajl_gen_status libxl_uuid_gen_json(yajl_gen hand, libxl_uuid *p);
yajl_gen_status libxl_mac_gen_json(yajl_gen hand, libxl_mac *p);
yajl_gen_status libxl_bitmap_gen_json(yajl_gen hand, libxl_bitmap *p);
yajl_gen_status libxl_string_list_gen_json(yajl_gen hand, libxl_string_list *p);

/* A generator configured as libxl's output: indented by four spaces,
 * strings checked to be UTF-8.  NULL on allocation failure. */
yajl_gen libxl_yajl_gen_alloc(const yajl_alloc_funcs *alloc_funcs);

#include "_libxl_types_json.h"

#ifdef __cplusplus
}
#endif

#endif
