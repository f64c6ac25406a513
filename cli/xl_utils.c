/* xl: helpers shared by the commands. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libxlutil.h"
#include "xl.h"

int xl_simple_opts(int argc, char **argv, const char *cmd, int nargs, int *status)
{
    int o;

    while ((o = xl_getopt(argc, argv, "", NULL, cmd, nargs, status)) != -1)
        if (o == 'h' || o == '?')
            return -1;
    return 0;
}

uint32_t find_domain(const char *p)
{
    uint32_t domid;
    char *end;
    int rc;

    if (xl_connect())
        exit(1);
    errno = 0;
    unsigned long v = strtoul(p, &end, 10);
    if (*p && isdigit((unsigned char)*p) && !*end && !errno && v < 0x7ff0) {
        domid = (uint32_t)v;
        rc = libxl_domain_info(ctx, NULL, domid);
    } else {
        rc = libxl_name_to_domid(ctx, p, &domid);
    }
    if (rc) {
        fprintf(stderr, "%s is an invalid domain identifier (rc=%d)\n", p,
                rc == ERROR_INVAL ? ERROR_INVAL : rc);
        libxl_ctx_free(ctx);
        exit(1);
    }
    return domid;
}

int64_t parse_mem_size_kb(const char *s)
{
    char *end;
    int64_t kb;

    errno = 0;
    kb = strtoll(s, &end, 10);
    if (end == s || errno || kb < 0 || strlen(end) > 1)
        return -1;
    switch (tolower((unsigned char)*end)) {
    case 't':
        if (kb > (INT64_MAX >> 30))
            return -1;
        return kb << 30;
    case 'g':
        if (kb > (INT64_MAX >> 20))
            return -1;
        return kb << 20;
    case 'm':
        if (kb > (INT64_MAX >> 10))
            return -1;
        return kb << 10;
    case '\0':
    case 'k':
        return kb;
    case 'b':
        return kb >> 10;
    default:
        return -1;
    }
}

char *xl_bitmap_string(const libxl_bitmap *map, int nr_bits)
{
    int count = 0;

    for (int i = 0; i < nr_bits; i++)
        count += libxl_bitmap_test(map, i);
    if (count == nr_bits)
        return strdup("all");
    if (count == 0)
        return strdup("none");
    return libxl_bitmap_to_range_string(map);
}

int xl_cpu_list(const char *s, int nr_cpus, libxl_bitmap *map)
{
    xlu_host_topology host = { .nr_cpus = nr_cpus, .nr_nodes = 1, .cpu_to_node = NULL };
    XLU_Config *cfg = xlu_cfg_init(stderr, "command line");
    int rc;

    if (!cfg)
        return ENOMEM;
    rc = xlu_cpu_list_parse(cfg, s, &host, map);
    xlu_cfg_destroy(cfg);
    return rc;
}

const char *xl_dump_dir(void)
{
    const char *d = getenv("XEN_DUMP_DIR");

    return d && *d ? d : "/var/lib/xen/dump";
}
