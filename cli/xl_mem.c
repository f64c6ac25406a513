/* xl: memory and vCPUs of running domains: mem-set, mem-max, vcpu-set,
 * vcpu-list, vcpu-pin. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xl.h"

/* The options and the DOMAIN MEMORY arguments of mem-set and mem-max: 0,
 * or -1 when the command must return *status. */
static int domain_and_memory(int argc, char **argv, const char *cmd, uint32_t *domid,
                             int64_t *kb, int *status)
{
    if (xl_simple_opts(argc, argv, cmd, 2, status))
        return -1;
    *domid = find_domain(argv[optind]);
    *kb = parse_mem_size_kb(argv[optind + 1]);
    if (*kb < 0) {
        fprintf(stderr, "invalid memory size: %s\n", argv[optind + 1]);
        *status = 1;
        return -1;
    }
    return 0;
}

int main_memset(int argc, char **argv)
{
    int status = 0;
    uint32_t domid;
    int64_t kb;

    if (domain_and_memory(argc, argv, "mem-set", &domid, &kb, &status))
        return status;
    if (libxl_set_memory_target(ctx, domid, kb, 0, 1)) {
        fprintf(stderr, "cannot set domain memory\n");
        return 1;
    }
    return 0;
}

int main_memmax(int argc, char **argv)
{
    int status = 0;
    uint32_t domid;
    int64_t kb;

    if (domain_and_memory(argc, argv, "mem-max", &domid, &kb, &status))
        return status;
    if (libxl_domain_setmaxmem(ctx, domid, (uint64_t)kb)) {
        fprintf(stderr, "Unable to set domain maximum memory\n");
        return 1;
    }
    return 0;
}

int main_vcpuset(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "ignore-host", no_argument, NULL, 'i' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int o, status = 0, rc;
    bool ignore_host = false;
    libxl_bitmap map;
    uint32_t domid;
    char *end;
    long n;

    while ((o = xl_getopt(argc, argv, "i", longopts, "vcpu-set", 2, &status)) != -1) {
        if (o == 'h' || o == '?')
            return status;
        if (o == 'i')
            ignore_host = true;
    }
    domid = find_domain(argv[optind]);
    errno = 0;
    n = strtol(argv[optind + 1], &end, 10);
    if (end == argv[optind + 1] || *end || errno) {
        fprintf(stderr, "Error: Invalid argument %s as VCPU.\n", argv[optind + 1]);
        return 1;
    }
    if (n < 1)
        return 0;                  /* as Xen: quietly ignored */
    if (n > 4096) {
        fprintf(stderr, "Error: %ld vCPUs is more than any domain can have.\n", n);
        return 1;
    }
    if (!ignore_host) {
        int host = libxl_get_max_cpus(ctx);
        if (host > 0 && n > host)
            fprintf(stderr, "You are overcommitting! You have %d physical CPUs and want %ld "
                    "vCPUs: they will share them.\n", host, n);
    }
    libxl_bitmap_init(&map);
    libxl_bitmap_alloc(ctx, &map, (int)n);
    for (long i = 0; i < n; i++)
        libxl_bitmap_set(&map, (int)i);
    rc = libxl_set_vcpuonline(ctx, domid, &map, NULL);
    libxl_bitmap_dispose(&map);
    if (rc) {
        fprintf(stderr, "libxl_set_vcpuonline failed domid=%u max_vcpus=%ld, rc: %d\n",
                domid, n, rc);
        return 1;
    }
    return 0;
}

static int print_vcpus(uint32_t domid)
{
    libxl_vcpuinfo *v;
    int n, ncpus;
    char *name;

    v = libxl_list_vcpu(ctx, domid, &n, &ncpus);
    if (!v) {
        fprintf(stderr, "libxl_list_vcpu failed.\n");
        return 1;
    }
    name = libxl_domid_to_name(ctx, domid);
    for (int i = 0; i < n; i++) {
        char *hard = xl_bitmap_string(&v[i].cpumap, ncpus);
        char *soft = xl_bitmap_string(&v[i].cpumap_soft, ncpus);

        printf("%-32s %5u %5u", name ? name : "-", domid, v[i].vcpuid);
        if (!v[i].online)
            printf("%5c", '-');
        else
            printf("%5u", v[i].cpu);
        printf("%5c%c%c  ", v[i].running ? 'r' : '-', v[i].blocked ? 'b' : '-',
               v[i].online ? '-' : 'p');
        printf("%9.1f  ", (double)v[i].vcpu_time / 1e9);
        printf("%s / %s\n", hard, soft);
        free(hard);
        free(soft);
    }
    free(name);
    libxl_vcpuinfo_list_free(v, n);
    return 0;
}

int main_vcpulist(int argc, char **argv)
{
    int status = 0, rc = 0;

    if (xl_simple_opts(argc, argv, "vcpu-list", 0, &status))
        return status;
    if (xl_connect())
        return 1;
    printf("%-32s %5s %5s %5s %5s %9s %s\n", "Name", "ID", "VCPU", "CPU", "State", "Time(s)",
           "Affinity (Hard / Soft)");
    if (optind < argc) {
        for (int i = optind; i < argc; i++)
            rc |= print_vcpus(find_domain(argv[i]));
        return rc;
    }
    int n;
    libxl_dominfo *info = libxl_list_domain(ctx, &n);
    if (!info)
        return 1;
    for (int i = 0; i < n; i++)
        if (info[i].domid != 0)    /* Domain-0's vCPUs are the host's threads */
            rc |= print_vcpus(info[i].domid);
    libxl_dominfo_list_free(info, n);
    return rc;
}

int main_vcpupin(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "force", no_argument, NULL, 'f' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    libxl_bitmap hard, soft, *ph = NULL, *ps = NULL;
    const char *vcpu_arg, *hard_arg, *soft_arg;
    int o, status = 0, rc = 1, ncpus;
    libxl_dominfo info;
    uint32_t domid;

    while ((o = xl_getopt(argc, argv, "f", longopts, "vcpu-pin", 3, &status)) != -1)
        if (o == 'h' || o == '?')
            return status;
    domid = find_domain(argv[optind]);
    vcpu_arg = argv[optind + 1];
    hard_arg = argv[optind + 2];
    soft_arg = optind + 3 < argc ? argv[optind + 3] : "-";
    ncpus = libxl_get_max_cpus(ctx);
    if (ncpus <= 0 || libxl_domain_info(ctx, &info, domid))
        return 1;
    unsigned int max_vcpus = info.vcpu_max_id + 1;
    libxl_dominfo_dispose(&info);
    libxl_bitmap_init(&hard);
    libxl_bitmap_init(&soft);
    if (strcmp(hard_arg, "-") != 0) {
        if (xl_cpu_list(hard_arg, ncpus, &hard))
            goto out;
        ph = &hard;
    }
    if (strcmp(soft_arg, "-") != 0) {
        if (xl_cpu_list(soft_arg, ncpus, &soft))
            goto out;
        ps = &soft;
    }
    if (!ph && !ps) {
        fprintf(stderr, "Nothing to do: hard and soft affinity are both '-'.\n");
        rc = 0;
        goto out;
    }
    if (strcmp(vcpu_arg, "all") == 0) {
        if (libxl_set_vcpuaffinity_all(ctx, domid, max_vcpus, ph, ps)) {
            fprintf(stderr, "Could not set affinity.\n");
            goto out;
        }
    } else {
        char *end;
        unsigned long v = strtoul(vcpu_arg, &end, 10);
        if (!*vcpu_arg || *end) {
            fprintf(stderr, "Invalid vcpu '%s': give a number or all.\n", vcpu_arg);
            goto out;
        }
        if (libxl_set_vcpuaffinity(ctx, domid, (uint32_t)v, ph, ps)) {
            fprintf(stderr, "Could not set affinity for vcpu `%lu'.\n", v);
            goto out;
        }
    }
    rc = 0;
out:
    libxl_bitmap_dispose(&hard);
    libxl_bitmap_dispose(&soft);
    return rc;
}

/* ---- sched-credit2 ---------------------------------------------------------------------- */

static int sched_line(uint32_t domid, const char *name)
{
    libxl_domain_sched_params p;

    if (domid == 0) {               /* the host: its own scheduler's defaults */
        printf("%-33s %4u %6d %4d\n", name, domid, 256, 0);
        return 0;
    }
    if (libxl_domain_sched_params_get(ctx, domid, &p))
        return 1;
    printf("%-33s %4u %6d %4d\n", name, domid, p.weight, p.cap);
    libxl_domain_sched_params_dispose(&p);
    return 0;
}

int main_sched_credit2(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "domain", required_argument, NULL, 'd' },
        { "weight", required_argument, NULL, 'w' },
        { "cap", required_argument, NULL, 'c' },
        { "cpupool", required_argument, NULL, 'p' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *dom = NULL;
    long weight = -1, cap = -1;
    int o, status = 0, rc = 0;
    char *end;

    while ((o = xl_getopt(argc, argv, "d:w:c:p:", longopts, "sched-credit2", 0, &status)) != -1) {
        switch (o) {
        case 'h': case '?':
            return status;
        case 'd': dom = optarg; break;
        case 'w':
            weight = strtol(optarg, &end, 10);
            if (*end || weight < 1 || weight > 65535) {
                fprintf(stderr, "Invalid weight '%s': 1 to 65535.\n", optarg);
                return 1;
            }
            break;
        case 'c':
            cap = strtol(optarg, &end, 10);
            if (*end || cap < 0 || cap > 65535) {
                fprintf(stderr, "Invalid cap '%s'.\n", optarg);
                return 1;
            }
            break;
        case 'p':
            if (strcmp(optarg, "Pool-0")) {
                fprintf(stderr, "unknown cpupool '%s' (there is only Pool-0)\n", optarg);
                return 1;
            }
            break;
        }
    }
    if ((weight >= 0 || cap >= 0) && !dom) {
        fprintf(stderr, "Must specify a domain.\n");
        return 1;
    }
    if (xl_connect())
        return 1;
    if (dom && (weight >= 0 || cap >= 0)) {
        uint32_t domid = find_domain(dom);
        libxl_domain_sched_params p;
        libxl_domain_sched_params_init(&p);
        p.sched = LIBXL_SCHEDULER_CREDIT2;
        if (weight >= 0)
            p.weight = (int)weight;
        if (cap >= 0)
            p.cap = (int)cap;
        rc = libxl_domain_sched_params_set(ctx, domid, &p) ? 1 : 0;
        libxl_domain_sched_params_dispose(&p);
        return rc;
    }
    printf("Cpupool Pool-0: ratelimit=0us\n");
    printf("%-33s %4s %6s %4s\n", "Name", "ID", "Weight", "Cap");
    if (dom) {
        uint32_t domid = find_domain(dom);
        char *name = libxl_domid_to_name(ctx, domid);
        rc = sched_line(domid, name ? name : dom);
        free(name);
        return rc;
    }
    int n;
    libxl_dominfo *info = libxl_list_domain(ctx, &n);
    if (!info)
        return 1;
    for (int i = 0; i < n; i++) {
        char *name = libxl_domid_to_name(ctx, info[i].domid);
        if (sched_line(info[i].domid, name ? name : "?"))
            rc = 1;
        free(name);
    }
    libxl_dominfo_list_free(info, n);
    return rc;
}
