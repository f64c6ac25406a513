/* libxlu_load.c -- what `xl create` and `xl -N create` do with a file
 * before the hypervisor: read it and the command-line overrides, build
 * the libxl_domain_config, apply the defaults, check it, and report each
 * problem at the line and column of the setting it is about.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libxlu_internal.h"

/* libxl_domain_config_check's problems, placed at their setting. */
static void issue_at_setting(void *opaque, bool is_error, const char *key, int index,
                             const char *message)
{
    const XLU_Config *cfg = opaque;
    XLU_ConfigSetting *s = xlu__cfg_find(cfg, key);
    const xlu__loc *loc = NULL;

    if (s) {
        const XLU_ConfigValue *v = s->value;

        loc = &v->loc;
        if (index >= 0 && v->type == XLU_LIST && index < v->list.nvalues)
            loc = &v->list.values[index]->loc;
    }
    xlu__report_loc(cfg, loc, is_error, "%s", message);
}

static int read_stdin(XLU_Config *cfg)
{
    char *buf;
    size_t len;
    int rc = xlu__read_all(STDIN_FILENO, &buf, &len);

    if (rc == EFBIG)
        xlu__report_loc(cfg, NULL, true, "standard input is larger than %d bytes",
                        XLU_MAX_FILE_SIZE);
    else if (rc)
        xlu__report_loc(cfg, NULL, true, "cannot read standard input: %s", strerror(rc));
    else
        rc = xlu_cfg_readdata(cfg, buf, (int)len);
    free(buf);
    return rc;
}

int xlu_domain_config_load(const char *filename, int n_overrides,
                           const char *const *overrides, const xlu_load_options *opts,
                           FILE *report, libxl_domain_config *d_config)
{
    bool from_stdin = strcmp(filename, "-") == 0;
    XLU_Config *cfg = xlu_cfg_init(report, from_stdin ? "<stdin>" : filename);
    xlu_host_topology probed = { 0, 0, NULL };
    int *cpu_to_node = NULL;
    xlu_load_options o = { NULL };
    libxl_host_limits limits = { 0 };
    int rc;

    if (!cfg)
        return ENOMEM;
    rc = from_stdin ? read_stdin(cfg) : xlu_cfg_readfile(cfg, filename);
    for (int i = 0; !rc && i < n_overrides; i++)
        rc = xlu_cfg_read_override(cfg, i + 1, overrides[i]);
    if (rc)
        goto out;

    if (opts)
        o = *opts;
    if (!o.host && xlu_host_topology_probe(&probed, &cpu_to_node) == 0)
        o.host = &probed;
    rc = xlu_domain_config_parse(cfg, &o, d_config);
    if (rc)
        goto out;
    libxl_domain_config_setdefault(d_config);
    limits.nr_cpus = o.host ? o.host->nr_cpus : 0;
    if (libxl_domain_config_check(d_config, &limits, issue_at_setting, cfg))
        rc = EINVAL;
out:
    free(cpu_to_node);
    xlu_cfg_destroy(cfg);
    return rc;
}

/* "0-3,8,10-11" as a sysfs cpulist: sets node for those CPUs. */
static void apply_cpulist(const char *list, int node, int *map, int nr_cpus)
{
    const char *p = list;

    while (*p && *p != '\n') {
        char *end;
        long a = strtol(p, &end, 10), b = a;

        if (end == p)
            return;
        if (*end == '-') {
            p = end + 1;
            b = strtol(p, &end, 10);
            if (end == p)
                return;
        }
        for (long c = a; c <= b && c < nr_cpus; c++)
            if (c >= 0)
                map[c] = node;
        p = *end == ',' ? end + 1 : end;
    }
}

int xlu_host_topology_probe(xlu_host_topology *host, int **cpu_to_node)
{
    long n = sysconf(_SC_NPROCESSORS_CONF);
    DIR *d;
    struct dirent *e;
    int *map, nodes = 1;

    if (n < 1)
        n = 1;
    if (n > 65536)
        n = 65536;
    map = xlu__zalloc(sizeof(int) * (size_t)n);
    d = opendir("/sys/devices/system/node");
    while (d && (e = readdir(d))) {
        char path[512], buf[4096];
        FILE *f;
        int node;
        char extra;

        if (sscanf(e->d_name, "node%d%c", &node, &extra) != 1 || node < 0 || node > 4095)
            continue;
        snprintf(path, sizeof(path), "/sys/devices/system/node/%s/cpulist", e->d_name);
        f = fopen(path, "re");
        if (!f)
            continue;
        if (fgets(buf, sizeof(buf), f))
            apply_cpulist(buf, node, map, (int)n);
        fclose(f);
        if (node + 1 > nodes)
            nodes = node + 1;
    }
    if (d)
        closedir(d);
    host->nr_cpus = (int)n;
    host->nr_nodes = nodes;
    host->cpu_to_node = map;
    *cpu_to_node = map;
    return 0;
}
