/* xlcfg-check -- what `xl -N create` does: read an xl.cfg file with
 * KEY=VALUE overrides, apply the defaults, check, and print the domain
 * configuration as JSON ({"domid": null, "config": {...}}), or the errors.
 *
 *   xlcfg-check [--host-cpus N] [--host-nodes N] CFG|- [KEY=VALUE...]
 *
 * The host's CPUs and NUMA nodes (for cpus=) come from /sys unless given;
 * --host-nodes splits the CPUs into that many equal nodes.  Problems go to
 * standard error as FILE:LINE:COL: error|warning: message.  Every printed
 * configuration is also read back from its JSON and compared, so a
 * mismatch in the generated code cannot go unnoticed.
 *
 * Exit status: 0 valid, 1 errors in the configuration, 2 usage or
 * internal error.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libxl.h"
#include "libxlutil.h"

static void usage(FILE *f)
{
    fputs("usage: xlcfg-check [--host-cpus N] [--host-nodes N] CFG|- [KEY=VALUE...]\n"
          "Parses and checks an xl.cfg file as `xl -N create` does and prints the\n"
          "domain configuration as JSON.\n", f);
}

static int number_arg(const char *opt, const char *v)
{
    char *end;
    long n = v ? strtol(v, &end, 10) : 0;

    if (!v || *end || n < 1 || n > 65536) {
        fprintf(stderr, "xlcfg-check: %s needs a number from 1 to 65536\n", opt);
        exit(2);
    }
    return (int)n;
}

static int roundtrip(libxl_domain_config *c, const char *json_whole)
{
    libxl_domain_config back;
    char *json = libxl_domain_config_to_json(NULL, c), *err = NULL;
    int ok;

    libxl_domain_config_init(&back);
    ok = json && libxl_domain_config_from_json_err(&back, json, &err) == 0 &&
         libxl_domain_config_equal(c, &back);
    if (!ok)
        fprintf(stderr, "xlcfg-check: internal error: the JSON does not read back the same "
                "configuration%s%s\n%s\n", err ? ": " : "", err ? err : "", json_whole);
    free(err);
    free(json);
    libxl_domain_config_dispose(&back);
    return ok;
}

int main(int argc, char **argv)
{
    int host_cpus = 0, host_nodes = 1, i = 1, rc, status = 0;
    int *cpu_to_node = NULL;
    xlu_host_topology host;
    xlu_load_options opts = { NULL };
    libxl_domain_config c;
    char *json;

    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        if (strcmp(argv[i], "--host-cpus") == 0) {
            host_cpus = number_arg(argv[i], argv[i + 1]);
            i++;
        } else if (strcmp(argv[i], "--host-nodes") == 0) {
            host_nodes = number_arg(argv[i], argv[i + 1]);
            i++;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        } else {
            fprintf(stderr, "xlcfg-check: unknown option %s\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    if (i >= argc) {
        usage(stderr);
        return 2;
    }
    if (host_cpus) {
        if (host_nodes > host_cpus) {
            fputs("xlcfg-check: --host-nodes is more than --host-cpus\n", stderr);
            return 2;
        }
        cpu_to_node = calloc((size_t)host_cpus, sizeof(int));
        if (!cpu_to_node)
            return 2;
        for (int cpu = 0; cpu < host_cpus; cpu++)
            cpu_to_node[cpu] = cpu / (host_cpus / host_nodes);
        for (int cpu = 0; cpu < host_cpus; cpu++)
            if (cpu_to_node[cpu] >= host_nodes)
                cpu_to_node[cpu] = host_nodes - 1;
        host.nr_cpus = host_cpus;
        host.nr_nodes = host_nodes;
        host.cpu_to_node = cpu_to_node;
        opts.host = &host;
    }

    libxl_domain_config_init(&c);
    rc = xlu_domain_config_load(argv[i], argc - i - 1, (const char *const *)argv + i + 1,
                                &opts, stderr, &c);
    if (rc) {
        status = 1;
        goto out;
    }
    json = libxl_domain_config_to_json_domid(&c, -1);
    if (!json) {
        fputs("xlcfg-check: a string of the configuration is not valid UTF-8\n", stderr);
        status = 2;
        goto out;
    }
    printf("%s\n", json);
    if (!roundtrip(&c, json))
        status = 2;
    free(json);
out:
    libxl_domain_config_dispose(&c);
    free(cpu_to_node);
    return status;
}
