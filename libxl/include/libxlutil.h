/* libxlutil.h -- the xl.cfg parser and the device-spec parsers.
 *
 * An XLU_Config holds the settings read from an xl.cfg file (and from
 * `xl create` KEY=VALUE overrides) as a tree of values: strings (quoted,
 * or numbers as written) and nested lists, each with the file, line and
 * column it came from.  Problems are written to the `report` stream as
 *
 *     FILE:LINE:COL: error: what is wrong, and what to do
 *     FILE:LINE:COL: warning: ...
 *
 * Unless stated otherwise functions return 0 or an errno value: ESRCH
 * when a key is absent, EINVAL for a value of the wrong type or syntax,
 * ERANGE for a number out of range, ENOMEM, or the errno of a failed read.
 * Names and shapes follow Xen's libxlutil.h; xlu_cfg_* functions marked
 * "xenkvm" are additions.  The parser reads untrusted text: any input gives
 * a configuration or errors, never a crash; files are limited to
 * XLU_MAX_FILE_SIZE bytes and lists to XLU_MAX_LIST_DEPTH levels.
 */
#ifndef XENKVM_LIBXLUTIL_H
#define XENKVM_LIBXLUTIL_H

#include <stdbool.h>
#include <stdio.h>

#include "libxl.h"

#ifdef __cplusplus
extern "C" {
#endif

#define XLU_MAX_FILE_SIZE (4 << 20)
#define XLU_MAX_LIST_DEPTH 64

enum XLU_ConfigValueType {
    XLU_STRING,
    XLU_LIST,
};

enum XLU_Operation {
    XLU_OP_ASSIGNMENT = 0,     /* KEY = VALUE */
    XLU_OP_ADDITION,           /* KEY += VALUE: appends to a list or a string */
};

typedef struct XLU_Config XLU_Config;
typedef struct XLU_ConfigList XLU_ConfigList;
typedef struct XLU_ConfigValue XLU_ConfigValue;

/* `report` (may be NULL) must outlive the config; report_filename is
 * copied and names the file in messages.  NULL only when out of memory. */
XLU_Config *xlu_cfg_init(FILE *report, const char *report_filename);
/* Reads and parses a file (messages name report_filename). */
int xlu_cfg_readfile(XLU_Config *cfg, const char *real_filename);
/* Parses text; messages name report_filename. */
int xlu_cfg_readdata(XLU_Config *cfg, const char *data, int length);
/* xenkvm: parses text whose messages name `source`. */
int xlu_cfg_readdata_source(XLU_Config *cfg, const char *source, const char *data, int length);
/* xenkvm: one `xl create` override, "KEY=VALUE" (or KEY+=VALUE), read as
 * a line of its own after the file; `index` (1-based) names it in
 * messages as "<command line argument INDEX>". */
int xlu_cfg_read_override(XLU_Config *cfg, int index, const char *arg);
void xlu_cfg_destroy(XLU_Config *cfg);

/* Getters.  A key set several times has its last value.  With dont_warn
 * zero, a wrong type or malformed value is reported (and counted as an
 * error).  Strings are owned by the config. */
int xlu_cfg_get_string(const XLU_Config *cfg, const char *n, const char **value_r,
                       int dont_warn);
int xlu_cfg_replace_string(const XLU_Config *cfg, const char *n, char **value_r,
                           int dont_warn);    /* frees *value_r, stores a copy */
int xlu_cfg_get_long(const XLU_Config *cfg, const char *n, long *value_r, int dont_warn);
int xlu_cfg_get_bounded_long(const XLU_Config *cfg, const char *n, long min, long max,
                             long *value_r, int dont_warn);
int xlu_cfg_get_defbool(const XLU_Config *cfg, const char *n, libxl_defbool *b,
                        int dont_warn);
int xlu_cfg_get_list(const XLU_Config *cfg, const char *n, XLU_ConfigList **list_r,
                     int *entries_r, int dont_warn);
int xlu_cfg_get_list_as_string_list(const XLU_Config *cfg, const char *n,
                                    libxl_string_list *sl, int dont_warn);
/* The string at `entry`, or NULL when out of range or not a string. */
const char *xlu_cfg_get_listitem(const XLU_ConfigList *list, int entry);
XLU_ConfigValue *xlu_cfg_get_listitem2(const XLU_ConfigList *list, int entry);
enum XLU_ConfigValueType xlu_cfg_value_type(const XLU_ConfigValue *value);
int xlu_cfg_value_get_string(const XLU_Config *cfg, XLU_ConfigValue *value, char **value_r,
                             int dont_warn);
int xlu_cfg_value_get_list(const XLU_Config *cfg, XLU_ConfigValue *value,
                           XLU_ConfigList **value_r, int dont_warn);

/* xenkvm: the value of a key (NULL when absent), where values and keys
 * come from, and reporting in the same format as the parser. */
XLU_ConfigValue *xlu_cfg_get_value(const XLU_Config *cfg, const char *n);
bool xlu_cfg_value_is_number(const XLU_ConfigValue *value);  /* written unquoted */
int xlu_cfg_list_length(const XLU_ConfigList *list);
void xlu_cfg_value_location(const XLU_ConfigValue *value, const char **source,
                            int *line, int *col);
void xlu_cfg_report(const XLU_Config *cfg, const XLU_ConfigValue *where, bool is_error,
                    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
int xlu_cfg_error_count(const XLU_Config *cfg);
int xlu_cfg_warning_count(const XLU_Config *cfg);

/* ------------------------------------------------------------------------
 * Device specifications.
 *
 * xlu_disk_parse: one disk from `nspecs` strings of xl-disk-configuration(5)
 * syntax (normally one), into an initialised `disk`.  EINVAL with a report
 * for a bad spec.  A disk needs a vdev, and a target unless it is an empty
 * cdrom; those checks are made here.
 *
 * xlu_vif_parse (xenkvm): one xl-network-configuration(5) vifspec into an
 * initialised `nic`.  xlu_vif_parse_rate: the rate= value ("10Mb/s",
 * "1MB/s@20ms") into nic->rate_bytes_per_interval/rate_interval_usecs.
 */
int xlu_disk_parse(XLU_Config *cfg, int nspecs, const char *const *specs,
                   libxl_device_disk *disk);
int xlu_vif_parse(XLU_Config *cfg, const char *spec, libxl_device_nic *nic);
int xlu_vif_parse_rate(XLU_Config *cfg, const char *rate, libxl_device_nic *nic);

/* ------------------------------------------------------------------------
 * CPU lists (xenkvm): "all", "0-3,5,^1", "nodes:0-1,^node:2" as cpus= and
 * cpus_soft= take them.  `host` gives the CPUs and their nodes; a CPU or
 * node outside it is an error.  `map` is allocated for host->nr_cpus bits.
 */
typedef struct xlu_host_topology {
    int nr_cpus;               /* > 0 */
    int nr_nodes;              /* > 0 */
    const int *cpu_to_node;    /* nr_cpus entries; NULL: every CPU on node 0 */
} xlu_host_topology;

int xlu_cpu_list_parse(XLU_Config *cfg, const char *s, const xlu_host_topology *host,
                       libxl_bitmap *map);

/* ------------------------------------------------------------------------
 * The domain configuration (xenkvm): what `xl create` and `xl -N create`
 * do with a file before talking to the hypervisor.
 *
 * xlu_domain_config_parse turns the settings of `cfg` into `d_config`
 * (initialised by the caller): every key of xl.cfg(5) that xenkvm honours,
 * a warning for each key it does not know or does not support yet.
 *
 * xlu_domain_config_load does all of it: reads `filename` ("-" for
 * standard input), applies the overrides, parses, applies the defaults
 * (libxl_domain_config_setdefault) and checks (libxl_domain_config_check),
 * reporting every problem with its file, line and column.  Returns 0, or
 * EINVAL when there were errors, or the errno of a failed read.
 */
typedef struct xlu_load_options {
    /* The host for cpus=; NULL: xlu_domain_config_load probes this host,
     * xlu_domain_config_parse assumes 4096 CPUs on one node. */
    const xlu_host_topology *host;
} xlu_load_options;

int xlu_domain_config_parse(XLU_Config *cfg, const xlu_load_options *opts,
                            libxl_domain_config *d_config);
int xlu_domain_config_load(const char *filename, int n_overrides,
                           const char *const *overrides, const xlu_load_options *opts,
                           FILE *report, libxl_domain_config *d_config);

/* xenkvm: this host's CPUs and NUMA nodes from /sys (nr_cpus from
 * sysconf when /sys has no answer).  Free cpu_to_node with free(). */
int xlu_host_topology_probe(xlu_host_topology *host, int **cpu_to_node);

#ifdef __cplusplus
}
#endif

#endif
