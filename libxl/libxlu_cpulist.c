/* libxlu_cpulist.c -- CPU lists as cpus= and cpus_soft= take them.
 *
 * A list is comma-separated items applied left to right, each adding CPUs
 * or, prefixed by '^', removing them:
 *
 *   all          every host CPU
 *   N, N-M       host CPUs
 *   node:N, nodes:N-M    the CPUs of host NUMA nodes
 *
 * so "all,^7" is every CPU but 7 and "nodes:0-1,^node:1" is node 0.
 * Every CPU and node must exist on the host; a list that selects no CPU
 * is an error.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "libxlu_internal.h"

struct cpu_parse {
    XLU_Config *cfg;
    const XLU_ConfigValue *where;
    const char *s;
    const xlu_host_topology *host;
};

static void cpu_error(struct cpu_parse *cp, const char *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void cpu_error(struct cpu_parse *cp, const char *at, const char *fmt, ...)
{
    va_list ap;
    char *msg;

    va_start(ap, fmt);
    msg = xlu__vsprintf(fmt, ap);
    va_end(ap);
    xlu__report_at(cp->cfg, cp->where, cp->where && at ? (int)(at - cp->s) : -1, true,
                   "%s", msg);
    free(msg);
}

/* "N" or "N-M" in [0, limit); false (reported) when malformed. */
static bool range(struct cpu_parse *cp, const char *at, const char *text, const char *what,
                  int limit, int *lo, int *hi)
{
    const char *p = text;
    long a, b;
    char *end;

    if (!isdigit((unsigned char)*p))
        goto bad;
    errno = 0;
    a = strtol(p, &end, 10);
    b = a;
    if (*end == '-') {
        p = end + 1;
        if (!isdigit((unsigned char)*p))
            goto bad;
        b = strtol(p, &end, 10);
    }
    if (*end || errno)
        goto bad;
    if (a > b) {
        cpu_error(cp, at, "the range %s runs backwards: write %ld-%ld", text, b, a);
        return false;
    }
    if (b >= limit) {
        cpu_error(cp, at, "%s %ld does not exist: this host has %ss 0-%d", what, b, what,
                  limit - 1);
        return false;
    }
    *lo = (int)a;
    *hi = (int)b;
    return true;
bad:
    cpu_error(cp, at, "malformed item '%s' in a CPU list (all, N, N-M, node:N, nodes:N-M, "
              "each may start with ^ to remove)", text);
    return false;
}

static int node_of(const xlu_host_topology *host, int cpu)
{
    return host->cpu_to_node ? host->cpu_to_node[cpu] : 0;
}

int xlu__cpu_list_at(XLU_Config *cfg, const XLU_ConfigValue *where, const char *s,
                     const xlu_host_topology *host, libxl_bitmap *map)
{
    struct cpu_parse cp = { cfg, where, s, host };
    const char *p = s;
    int rc = EINVAL;

    libxl_bitmap_dispose(map);
    libxl_bitmap_alloc(NULL, map, host->nr_cpus);
    for (;;) {
        const char *start, *end, *item;
        char *tok;
        bool remove = false, ok = true;
        int lo = 0, hi = -1;

        while (*p == ' ' || *p == '\t')
            p++;
        start = p;
        tok = xlu__list_item(start, &end);
        item = tok;
        if (*item == '^') {
            remove = true;
            item++;
        }
        if (!*item) {
            cpu_error(&cp, start, "empty item in the CPU list '%s'", s);
            ok = false;
        } else if (strcmp(item, "all") == 0) {
            for (int c = 0; c < host->nr_cpus; c++)
                remove ? libxl_bitmap_reset(map, c) : libxl_bitmap_set(map, c);
        } else if (strncmp(item, "node:", 5) == 0 || strncmp(item, "nodes:", 6) == 0) {
            const char *nodes = strchr(item, ':') + 1;

            ok = range(&cp, start + (nodes - tok), nodes, "node", host->nr_nodes, &lo, &hi);
            for (int c = 0; ok && c < host->nr_cpus; c++) {
                int n = node_of(host, c);

                if (n >= lo && n <= hi)
                    remove ? libxl_bitmap_reset(map, c) : libxl_bitmap_set(map, c);
            }
        } else {
            ok = range(&cp, start + (item - tok), item, "CPU", host->nr_cpus, &lo, &hi);
            for (int c = lo; ok && c <= hi; c++)
                remove ? libxl_bitmap_reset(map, c) : libxl_bitmap_set(map, c);
        }
        free(tok);
        if (!ok)
            goto out;
        if (!*end)
            break;
        p = end + 1;
    }
    if (libxl_bitmap_is_empty(map)) {
        cpu_error(&cp, NULL, "the CPU list '%s' selects no CPU", s);
        goto out;
    }
    rc = 0;
out:
    if (rc)
        libxl_bitmap_dispose(map);
    return rc;
}

int xlu_cpu_list_parse(XLU_Config *cfg, const char *s, const xlu_host_topology *host,
                       libxl_bitmap *map)
{
    return xlu__cpu_list_at(cfg, NULL, s, host, map);
}
