/* libxl.h -- libxenlight, the xenkvm toolstack library.
 *
 * This part: the domain configuration.  The types come from
 * libxl_types.idl (see _libxl_types.h, generated): every struct T has
 *
 *     void libxl_T_init(libxl_T *p);          all fields at their defaults
 *     void libxl_T_dispose(libxl_T *p);       frees, then re-initialises
 *     void libxl_T_copy(libxl_ctx *ctx, libxl_T *dst, const libxl_T *src);
 *                                             dst is overwritten, not disposed
 *     bool libxl_T_equal(const libxl_T *a, const libxl_T *b);
 *     char *libxl_T_to_json(libxl_ctx *ctx, libxl_T *p);      malloc'd
 *     int libxl_T_from_json(libxl_ctx *ctx, libxl_T *p, const char *s);
 *     int libxl_T_from_json_err(libxl_T *p, const char *s, char **err);
 *
 * and every enumeration E has libxl_E_to_string, libxl_E_from_string and
 * libxl_E_string_table.  _from_json expects an initialised p and leaves
 * absent fields at their defaults; on failure the caller disposes p
 * (_from_json_err also sets *err to a malloc'd message naming the JSON
 * path).  `ctx` may be NULL in all of these.
 *
 * Names and shapes follow Xen's libxl.h so that Xen knowledge transfers;
 * the functions ending in _equal, _from_json_err and the configuration
 * checks below are xenkvm's.  Memory allocation failures abort, as in Xen.
 */
#ifndef XENKVM_LIBXL_H
#define XENKVM_LIBXL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The library context; the lifecycle part of libxl defines it. */
typedef struct libxl__ctx libxl_ctx;

typedef uint32_t libxl_domid;
typedef int libxl_devid;

#define LIBXL_MEMKB_DEFAULT (~0ULL)
#define LIBXL_MAX_GRANT_DEFAULT (~(uint32_t)0)
#define LIBXL_DOMAIN_SCHED_PARAM_WEIGHT_DEFAULT (-1)
#define LIBXL_DOMAIN_SCHED_PARAM_CAP_DEFAULT (-1)

typedef struct {
    const char *s;
    int v;
} libxl_enum_string_table;

/* A boolean with an explicit "default" state: 0 default, >0 true, <0 false. */
typedef struct {
    int val;
} libxl_defbool;

void libxl_defbool_set(libxl_defbool *db, bool b);
void libxl_defbool_unset(libxl_defbool *db);
void libxl_defbool_setdefault(libxl_defbool *db, bool b);   /* only if default */
bool libxl_defbool_is_default(libxl_defbool db);
bool libxl_defbool_val(libxl_defbool db);                    /* db must be set */
const char *libxl_defbool_to_string(libxl_defbool db);       /* "True", "False", "<default>" */
void libxl_defbool_dispose(libxl_defbool *db);
void libxl_defbool_copy(libxl_ctx *ctx, libxl_defbool *dst, const libxl_defbool *src);

typedef struct {
    uint8_t uuid[16];
} libxl_uuid;

#define LIBXL_UUID_FMTLEN 36
int libxl_uuid_is_nil(const libxl_uuid *uuid);
void libxl_uuid_clear(libxl_uuid *uuid);
void libxl_uuid_generate(libxl_uuid *uuid);
int libxl_uuid_from_string(libxl_uuid *uuid, const char *in);  /* 0, or ERROR_INVAL */
void libxl_uuid_to_string(const libxl_uuid *uuid, char out[LIBXL_UUID_FMTLEN + 1]);
int libxl_uuid_compare(const libxl_uuid *a, const libxl_uuid *b);
void libxl_uuid_dispose(libxl_uuid *uuid);
void libxl_uuid_copy(libxl_ctx *ctx, libxl_uuid *dst, const libxl_uuid *src);

/* A MAC address; all zero means "not set" (generated when the nic is added). */
typedef uint8_t libxl_mac[6];
int libxl_mac_from_string(libxl_mac *mac, const char *in);      /* 0, or ERROR_INVAL */
void libxl_mac_to_string(const libxl_mac *mac, char out[18]);
void libxl_mac_dispose(libxl_mac *mac);
void libxl_mac_copy(libxl_ctx *ctx, libxl_mac *dst, const libxl_mac *src);

/* A NULL-terminated array of malloc'd strings (NULL: empty). */
typedef char **libxl_string_list;
int libxl_string_list_length(const libxl_string_list *sl);
void libxl_string_list_dispose(libxl_string_list *sl);
void libxl_string_list_copy(libxl_ctx *ctx, libxl_string_list *dst, const libxl_string_list *src);
void libxl_string_list_append(libxl_string_list *sl, const char *s);   /* xenkvm */

/* A set of CPUs, vCPUs or nodes.  `size` counts bytes.  Two bitmaps are
 * equal (and survive JSON) by their set bits, whatever their sizes. */
typedef struct {
    uint32_t size;
    uint8_t *map;
} libxl_bitmap;
void libxl_bitmap_init(libxl_bitmap *map);
void libxl_bitmap_dispose(libxl_bitmap *map);
void libxl_bitmap_copy(libxl_ctx *ctx, libxl_bitmap *dst, const libxl_bitmap *src);
/* Allocates room for n_bits (rounded up to bytes), all clear; dispose first. */
int libxl_bitmap_alloc(libxl_ctx *ctx, libxl_bitmap *map, int n_bits);
int libxl_bitmap_test(const libxl_bitmap *map, int bit);
void libxl_bitmap_set(libxl_bitmap *map, int bit);     /* bits beyond size: ignored */
void libxl_bitmap_reset(libxl_bitmap *map, int bit);
void libxl_bitmap_set_any(libxl_bitmap *map);
void libxl_bitmap_set_none(libxl_bitmap *map);
int libxl_bitmap_is_empty(const libxl_bitmap *map);
int libxl_bitmap_count_set(const libxl_bitmap *map);
int libxl_bitmap_highest_set(const libxl_bitmap *map);   /* -1 when empty; xenkvm */
/* "0-3,5" (xenkvm); malloc'd. */
char *libxl_bitmap_to_range_string(const libxl_bitmap *map);

#define libxl_for_each_bit(v, m) for (v = 0; v < (int)(m).size * 8; v++)
#define libxl_for_each_set_bit(v, m) \
    for (v = 0; v < (int)(m).size * 8; v++) if (libxl_bitmap_test(&(m), v))

#include "_libxl_types.h"

/* ------------------------------------------------------------------------
 * Defaults and checks of a domain configuration (xenkvm).
 *
 * libxl_domain_config_setdefault fills every field left at its initial
 * value with the value a Xen administrator expects (memory 128 MiB,
 * maxmem = memory, one vCPU, weight 256, destroy/restart actions, disk and
 * nic defaults, ...).  It never generates a UUID or a MAC address: those
 * are made when the domain is created, so a dry run is repeatable.
 *
 * libxl_domain_config_check validates a configuration after the defaults:
 * every problem is passed to `fn` with the xl.cfg key it concerns (and the
 * list index for disk=, vif=, cpus=; else -1) and a message that says what
 * to do.  Returns the number of errors (warnings are not counted).
 */
typedef struct libxl_host_limits {
    int nr_cpus;             /* host CPUs for cpus=/cpus_soft= (0: don't check) */
} libxl_host_limits;

typedef void libxl_config_issue_fn(void *opaque, bool is_error, const char *key,
                                   int index, const char *message);

#define LIBXL_MAX_VCPUS 128            /* as the hypervisor's XK_MAX_VCPUS */
#define LIBXL_MAX_EVENT_CHANNELS 131071
#define LIBXL_MAX_GRANT_FRAMES_LIMIT 65536
#define LIBXL_DEFAULT_MEMORY_MB 128
#define LIBXL_DEFAULT_EVENT_CHANNELS 1023
#define LIBXL_DEFAULT_GRANT_FRAMES 64
#define LIBXL_DEFAULT_MAPTRACK_FRAMES 1024
#define LIBXL_DEFAULT_WEIGHT 256
#define LIBXL_DEFAULT_BRIDGE "xenbr0"
#define LIBXL_DEFAULT_VIF_SCRIPT "vif-bridge"

void libxl_domain_config_setdefault(libxl_domain_config *d_config);
int libxl_domain_config_check(const libxl_domain_config *d_config,
                              const libxl_host_limits *host,
                              libxl_config_issue_fn *fn, void *opaque);

/* A domain name is 1..64 printable ASCII characters without spaces, '/',
 * '\\' or quotes, does not start with '-', is not a number (which xl would
 * read as a domid) and is not "Domain-0".  Returns NULL when valid, else
 * why not (static). */
const char *libxl_domain_name_problem(const char *name);

/* The xenstore device number of a disk's vdev ("xvda", "hdc", "sdb3",
 * "d1p2", or a number), as xen-vbd-interface(7) encodes it; -1 when vdev
 * names no valid device.  *pdisk and *ppartition (may be NULL) get the
 * disk and partition numbers. */
int libxl_device_disk_dev_number(const char *vdev, int *pdisk, int *ppartition);

/* ------------------------------------------------------------------------
 * The stored configuration of a domain (xenkvm): what `xl list -l` shows
 * and a restarted toolstack reads back.  The file holds the JSON of the
 * libxl_domain_config, written atomically (mode 0600).
 *
 * libxl_domain_config_path: RUN_DIR/userdata-d<DOMID>.<UUID>.libxl-json,
 * malloc'd.  _store returns 0 or ERROR_FAIL (errno set); _load returns 0,
 * ERROR_NOTFOUND (no file), ERROR_FAIL or ERROR_INVAL, with *err (may be
 * NULL) a malloc'd message.
 */
char *libxl_domain_config_path(const char *run_dir, uint32_t domid, const libxl_uuid *uuid);
int libxl_domain_config_store(const char *path, libxl_domain_config *d_config);
int libxl_domain_config_load(const char *path, libxl_domain_config *d_config, char **err);

/* The JSON of `xl list -l` and `xl -N create`:
 * {"domid": DOMID or null when domid < 0, "config": {...}}; malloc'd. */
char *libxl_domain_config_to_json_domid(libxl_domain_config *d_config, int64_t domid);

#ifdef __cplusplus
}
#endif

#endif
