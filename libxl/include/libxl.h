/* libxl.h -- libxenlight, the xenkvm toolstack library.
 *
 * Two parts: the domain configuration (first) and the domain lifecycle
 * (below, "The domain lifecycle").  The types come from
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
#include <stdio.h>

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

/* ========================================================================
 * The domain lifecycle (xenkvm's libxl, issue 5): a context on the
 * hypervisor and XenStore, and the operations `xl` is built on.
 *
 * Every call is synchronous: the ao_how / aop_how arguments of Xen's
 * signatures must be NULL.  Calls return 0 (or a count / an id) on success
 * and a negative ERROR_* on failure, after logging what went wrong (with
 * what to do about it) to the context's log stream.  A context belongs to
 * one thread.  Domain death and shutdown are noticed through XenStore's
 * @releaseDomain watch, never by polling.
 */

#define LIBXL_VERSION 0
/* Slack added to a domain's maximum in the hypervisor over its configured
 * maxmem (special pages, grant frames), as Xen's libxl does. */
#define LIBXL_MAXMEM_CONSTANT 1024
/* memory/target is raised above this only by the guest's balloon driver. */
#define LIBXL_XENCONSOLE_LIMIT 1048576
#define INVALID_DOMID (~(uint32_t)0)

typedef struct libxl_asyncop_how libxl_asyncop_how;          /* always NULL */
typedef struct libxl_asyncprogress_how libxl_asyncprogress_how;

enum libxl_log_level {
    LIBXL_LOG_ERROR = 0,
    LIBXL_LOG_WARN,
    LIBXL_LOG_INFO,
    LIBXL_LOG_DEBUG,
};

/* Connects to the hypervisor and to xenstored (found as libxenctrl and
 * libxenstore find them: $XEN_RUN_DIR, else /run/xen).  `logger` is
 * accepted for source compatibility and must be NULL: messages go to
 * standard error unless libxl_ctx_set_log says otherwise.  Returns 0, or
 * ERROR_FAIL with the reason on standard error. */
int libxl_ctx_alloc(libxl_ctx **pctx, int version, unsigned flags, void *logger);
int libxl_ctx_free(libxl_ctx *ctx);                       /* NULL is fine */
/* xenkvm: where messages go (NULL: nowhere) and the least level shown
 * (default LIBXL_LOG_WARN); each message is one line. */
void libxl_ctx_set_log(libxl_ctx *ctx, FILE *stream, enum libxl_log_level min_level);
/* xenkvm: the run directory (stored configurations, locks, xl's log). */
const char *libxl_run_dir(libxl_ctx *ctx);
/* In the child of a fork() that does not exec: drops the parent's
 * context without touching what the parent still uses (Xen's name). */
void libxl_postfork_child_noexec(libxl_ctx *ctx);
/* xenkvm: closes the context's hypervisor connection until it is next
 * needed, and keeps it closed while the context waits for events: a
 * long-lived monitor then holds no hypervisor connection between events
 * (xen serves a bounded number of them). */
void libxl_ctx_idle(libxl_ctx *ctx);

/* ---- creation -------------------------------------------------------------
 *
 * libxl_domain_create_new validates everything before touching the
 * hypervisor (the configuration's checks, the name unused, the kernel an
 * ELF image with a PVH entry note, the memory within the host's free
 * memory), creates and builds the domain, writes its XenStore entries
 * (/local/domain/N, /vm/UUID, /libxl/N), introduces it to xenstored and
 * stores its configuration (UUID and MACs filled in).  The domain is left
 * paused; unpause it with libxl_domain_unpause.  On failure nothing is left
 * behind.  d_config is completed in place (defaults, UUID, MACs). */
int libxl_domain_create_new(libxl_ctx *ctx, libxl_domain_config *d_config, uint32_t *domid,
                            const libxl_asyncop_how *ao_how,
                            const libxl_asyncprogress_how *aop_console_how);

/* ---- control ---------------------------------------------------------------- */

int libxl_domain_pause(libxl_ctx *ctx, uint32_t domid, const libxl_asyncop_how *ao_how);
int libxl_domain_unpause(libxl_ctx *ctx, uint32_t domid, const libxl_asyncop_how *ao_how);
/* Destroys the domain at once: the hypervisor's domain, its XenStore
 * entries (after giving xenconsoled a deadline to let go of the console),
 * its stored configuration.  ERROR_DOMAIN_NOTFOUND when there is none. */
int libxl_domain_destroy(libxl_ctx *ctx, uint32_t domid, const libxl_asyncop_how *ao_how);
/* Asks the guest through control/shutdown ("poweroff", "reboot").
 * ERROR_NOPARAVIRT when the guest has no PV control (it did not announce
 * control/feature-poweroff or -reboot and registered no event callback). */
int libxl_domain_shutdown(libxl_ctx *ctx, uint32_t domid, const libxl_asyncop_how *ao_how);
int libxl_domain_reboot(libxl_ctx *ctx, uint32_t domid, const libxl_asyncop_how *ao_how);
/* xenkvm: shuts the domain down from outside, as if the guest had called
 * SCHEDOP_shutdown with `reason` (the fallback of xl shutdown -F / reboot
 * -F, where Xen sends an ACPI event).  Its on_* action then applies. */
int libxl_domain_remote_shutdown(libxl_ctx *ctx, uint32_t domid,
                                 libxl_shutdown_reason reason);
/* Keeps a shut-down domain for inspection (on_*=preserve and
 * rename-restart): renames it to info->name + name_suffix (a number is
 * appended while that name is taken) and moves its /vm entry to new_uuid,
 * so that a domain created from the same configuration can have the
 * original name and UUID.  The hypervisor keeps the old UUID as the
 * domain's handle: xenkvm has no XEN_DOMCTL_setdomainhandle yet. */
int libxl_domain_preserve(libxl_ctx *ctx, uint32_t domid, libxl_domain_create_info *info,
                          const char *name_suffix, libxl_uuid new_uuid);
/* Triggers as Xen's: POWER and RESET are xenkvm's forced shutdowns. */
int libxl_send_trigger(libxl_ctx *ctx, uint32_t domid, libxl_trigger trigger,
                       uint32_t vcpuid, const libxl_asyncop_how *ao_how);
/* Writes control/sysrq. */
int libxl_send_sysrq(libxl_ctx *ctx, uint32_t domid, char sysrq);
/* old_name may be NULL (any). */
int libxl_domain_rename(libxl_ctx *ctx, uint32_t domid, const char *old_name,
                        const char *new_name);

/* ---- information ------------------------------------------------------------- */

/* info may be NULL (existence check); ERROR_DOMAIN_NOTFOUND. */
int libxl_domain_info(libxl_ctx *ctx, libxl_dominfo *info_r, uint32_t domid);
/* Every domain, ordered by id; free with libxl_dominfo_list_free. */
libxl_dominfo *libxl_list_domain(libxl_ctx *ctx, int *nb_domain_out);
void libxl_dominfo_list_free(libxl_dominfo *list, int nb_domain);
/* The name (malloc'd; NULL when the domain has none), and back. */
char *libxl_domid_to_name(libxl_ctx *ctx, uint32_t domid);
int libxl_name_to_domid(libxl_ctx *ctx, const char *name, uint32_t *domid);
/* The configuration stored for a running domain (what `xl list -l`
 * shows): ERROR_JSON_CONFIG_EMPTY when there is none (Domain-0). */
int libxl_retrieve_domain_configuration(libxl_ctx *ctx, uint32_t domid,
                                        libxl_domain_config *d_config,
                                        const libxl_asyncop_how *ao_how);
/* When the domain started (seconds since the epoch, /vm/UUID/start_time);
 * 0 when unknown. */
uint32_t libxl_vm_get_start_time(libxl_ctx *ctx, uint32_t domid);

int libxl_get_physinfo(libxl_ctx *ctx, libxl_physinfo *physinfo);
/* Owned by the context. */
const libxl_version_info *libxl_get_version_info(libxl_ctx *ctx);
int libxl_get_max_cpus(libxl_ctx *ctx);

/* The hypervisor console (`xl dmesg`): the whole ring as lines. */
typedef struct libxl_xen_console_reader libxl_xen_console_reader;
/* The scheduler (credit2), and a domain's weight and cap under it. */
libxl_scheduler libxl_get_scheduler(libxl_ctx *ctx);
int libxl_domain_sched_params_get(libxl_ctx *ctx, uint32_t domid,
                                  libxl_domain_sched_params *params);
int libxl_domain_sched_params_set(libxl_ctx *ctx, uint32_t domid,
                                  const libxl_domain_sched_params *params);

/* Presses debug keys in the hypervisor; the output goes to its console. */
int libxl_send_debug_keys(libxl_ctx *ctx, char *keys);
libxl_xen_console_reader *libxl_xen_console_read_start(libxl_ctx *ctx, int clear);
/* 1 and *line_r (owned by the reader) while there are lines, 0 at the end,
 * or an error. */
int libxl_xen_console_read_line(libxl_ctx *ctx, libxl_xen_console_reader *cr, char **line_r);
void libxl_xen_console_read_finish(libxl_ctx *ctx, libxl_xen_console_reader *cr);

/* ---- memory --------------------------------------------------------------------
 *
 * libxl_set_memory_target writes memory/target (kB) for the guest's balloon
 * driver; relative adds to the current target; enforce also lowers or
 * raises the hypervisor's maximum to the target (plus the constant slack),
 * so a guest cannot go past it.  Above memory/static-max is an error.
 * libxl_domain_setmaxmem sets the hypervisor's maximum and static-max; below
 * the current target is an error.  Both update the stored configuration,
 * so a restart keeps them. */
int libxl_set_memory_target(libxl_ctx *ctx, uint32_t domid, int64_t target_memkb, int relative,
                            int enforce);
int libxl_get_memory_target(libxl_ctx *ctx, uint32_t domid, uint64_t *out_target);
int libxl_domain_setmaxmem(libxl_ctx *ctx, uint32_t domid, uint64_t target_memkb);

/* ---- vCPUs ------------------------------------------------------------------------ */

/* Sets cpu/N/availability to online for the vCPUs in cpumap, offline for
 * the others (the guest brings them up or down). */
int libxl_set_vcpuonline(libxl_ctx *ctx, uint32_t domid, libxl_bitmap *cpumap,
                         const libxl_asyncop_how *ao_how);
/* One entry per vCPU; *nr_cpus_out is the number of host CPUs (bits in
 * the maps).  Free with libxl_vcpuinfo_list_free. */
libxl_vcpuinfo *libxl_list_vcpu(libxl_ctx *ctx, uint32_t domid, int *nb_vcpu,
                                int *nr_cpus_out);
void libxl_vcpuinfo_list_free(libxl_vcpuinfo *list, int nr);
/* Hard and/or soft affinity (NULL leaves one alone) of one vCPU, kept in
 * the hypervisor and in the stored configuration. */
int libxl_set_vcpuaffinity(libxl_ctx *ctx, uint32_t domid, uint32_t vcpuid,
                           const libxl_bitmap *cpumap_hard, const libxl_bitmap *cpumap_soft);
int libxl_set_vcpuaffinity_all(libxl_ctx *ctx, uint32_t domid, unsigned int max_vcpus,
                               const libxl_bitmap *cpumap_hard,
                               const libxl_bitmap *cpumap_soft);
int libxl_cpu_bitmap_alloc(libxl_ctx *ctx, libxl_bitmap *cpumap, int max_cpus);

/* ---- core dumps ---------------------------------------------------------------------
 *
 * An ELF64 core file (ET_CORE) of the guest's memory: one PT_LOAD per run
 * of populated guest-physical pages (p_paddr = p_vaddr = the guest-physical
 * address), and a PT_NOTE with an NT_PRSTATUS note per vCPU (its general
 * registers, readable by gdb) and a "XENKVM" note per vCPU holding the
 * whole struct hvm_hw_cpu (control registers, segments).  The domain is
 * not paused (xl dump-core); crash actions dump a domain that is shut
 * down. */
int libxl_domain_core_dump(libxl_ctx *ctx, uint32_t domid, const char *filename,
                           const libxl_asyncop_how *ao_how);

/* ---- consoles -------------------------------------------------------------------------- */

/* The pty xenconsoled made for console cons_num (0 only) of type PV:
 * malloc'd in *path; ERROR_NOTFOUND while there is none yet. */
int libxl_console_get_tty(libxl_ctx *ctx, uint32_t domid, int cons_num,
                          libxl_console_type type, char **path);

/* xenkvm: attaches the terminal (in_fd/out_fd) to a domain's console until
 * the escape character is typed (returns 0), the domain dies (returns 0) or
 * something fails.  PV: the pty xenconsoled made (re-opened when
 * xenconsoled restarts) and the domain's own lines of the hypervisor
 * console (what it writes with console_io, which Xen sends there).
 * SERIAL (hvm domains): the emulated UART's output, which xen keeps in the
 * hypervisor console.  from_index: where in the hypervisor console to
 * start (libxl_xen_console_index before the domain ran; UINT32_MAX: now). */
typedef struct libxl_console_opts {
    int in_fd, out_fd;
    char escape_char;            /* 0x1d (Ctrl-]) */
    uint32_t from_index;
    bool raw_terminal;           /* put in_fd's terminal in raw mode meanwhile */
} libxl_console_opts;
int libxl_console_attach(libxl_ctx *ctx, uint32_t domid, int cons_num, libxl_console_type type,
                         const libxl_console_opts *opts);
uint32_t libxl_xen_console_index(libxl_ctx *ctx);

/* ---- events ----------------------------------------------------------------------------
 *
 * Xen's shape, synchronous: enable death events for a domain, then wait.
 * libxl_event_wait returns LIBXL_EVENT_TYPE_DOMAIN_SHUTDOWN once when the
 * domain shuts down (with the reason) and LIBXL_EVENT_TYPE_DOMAIN_DEATH when
 * it is gone.  xenkvm's libxl_event_wait_deadline gives up with
 * ERROR_TIMEDOUT after timeout_ms (-1: never). */
typedef enum libxl_event_type {
    LIBXL_EVENT_TYPE_DOMAIN_SHUTDOWN = 1,
    LIBXL_EVENT_TYPE_DOMAIN_DEATH = 2,
} libxl_event_type;

typedef struct libxl_event {
    libxl_event_type type;
    uint32_t domid;
    libxl_uuid domuuid;
    uint64_t for_user;
    libxl_shutdown_reason shutdown_reason;
} libxl_event;

typedef struct libxl_evgen_domain_death libxl_evgen_domain_death;
int libxl_evenable_domain_death(libxl_ctx *ctx, uint32_t domid, uint64_t user,
                                libxl_evgen_domain_death **evgen_out);
void libxl_evdisable_domain_death(libxl_ctx *ctx, libxl_evgen_domain_death *evg);
int libxl_event_wait(libxl_ctx *ctx, libxl_event **event_r, uint64_t typemask,
                     void *predicate, void *predicate_user);
int libxl_event_wait_deadline(libxl_ctx *ctx, libxl_event **event_r, int timeout_ms);
void libxl_event_free(libxl_ctx *ctx, libxl_event *event);

#ifdef __cplusplus
}
#endif

#endif
