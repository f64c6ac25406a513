/* xl: information: list, info, dmesg, uptime. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "xl.h"

/* ---- list ------------------------------------------------------------------------ */

static void state_letters(const libxl_dominfo *d, char out[7])
{
    out[0] = d->running ? 'r' : '-';
    out[1] = d->blocked ? 'b' : '-';
    out[2] = d->paused ? 'p' : '-';
    out[3] = d->shutdown ? 's' : '-';
    out[4] = d->shutdown && d->shutdown_reason == LIBXL_SHUTDOWN_REASON_CRASH ? 'c' : '-';
    out[5] = d->dying ? 'd' : '-';
    out[6] = '\0';
}

static void list_table(const libxl_dominfo *info, int n, bool verbose_, bool context,
                       bool cpupool, bool numa)
{
    printf("%-40s %5s %5s %5s %10s %9s", "Name", "ID", "Mem", "VCPUs", "State", "Time(s)");
    if (verbose_)
        printf("   UUID                            Reason-Code\tSecurity Label");
    if (context && !verbose_)
        printf("   Security Label");
    if (cpupool)
        printf("         Cpupool");
    if (numa)
        printf(" NODE Affinity");
    printf("\n");
    for (int i = 0; i < n; i++) {
        const libxl_dominfo *d = &info[i];
        char *name = libxl_domid_to_name(ctx, d->domid);
        char st[7];

        state_letters(d, st);
        printf("%-40s %5u %5lu %5u     %s  %8.1f", name ? name : "-", d->domid,
               (unsigned long)((d->current_memkb + d->outstanding_memkb) / 1024),
               d->vcpu_online, st, (double)d->cpu_time / 1e9);
        free(name);
        if (verbose_) {
            char uuid[LIBXL_UUID_FMTLEN + 1];
            libxl_uuid_to_string(&d->uuid, uuid);
            printf(" %s", uuid);
            if (d->shutdown)
                printf(" %8x", (unsigned int)d->shutdown_reason);
            else
                printf(" %8s", "-");
        }
        if (verbose_ || context)
            printf(" %16s", "-");      /* no XSM: no security label */
        if (cpupool)
            printf(" %16s", "Pool-0");
        if (numa)
            printf(" %s", "all");
        printf("\n");
    }
}

/* A minimal configuration for a domain with none stored (Domain-0, or one
 * made by another tool), from what the hypervisor knows. */
static void config_from_info(libxl_domain_config *c, const libxl_dominfo *d)
{
    c->c_info.type = d->domain_type;
    c->c_info.name = libxl_domid_to_name(ctx, d->domid);
    c->c_info.uuid = d->uuid;
    c->b_info.max_vcpus = (int)d->vcpu_max_id + 1;
    c->b_info.max_memkb = d->max_memkb;
    c->b_info.target_memkb = d->current_memkb;
}

/* Xen's `xl list -l`: a JSON array of {"domid": N, "config": {...}}. */
static int list_long(const libxl_dominfo *info, int n)
{
    int rc = 0;

    printf("[\n");
    for (int i = 0; i < n; i++) {
        libxl_domain_config c;
        char *json;

        libxl_domain_config_init(&c);
        if (libxl_retrieve_domain_configuration(ctx, info[i].domid, &c, NULL))
            config_from_info(&c, &info[i]);
        json = libxl_domain_config_to_json_domid(&c, info[i].domid);
        if (!json) {
            fprintf(stderr, "cannot write the configuration of domain %u as JSON\n",
                    info[i].domid);
            rc = 1;
        } else {
            /* One level deeper: indent every line. */
            printf("%s    ", i ? ",\n" : "");
            for (const char *p = json; *p; p++) {
                putchar(*p);
                if (*p == '\n')
                    fputs("    ", stdout);
            }
        }
        free(json);
        libxl_domain_config_dispose(&c);
    }
    printf("\n]\n");
    return rc;
}

int main_list(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "long", no_argument, NULL, 'l' },
        { "verbose", no_argument, NULL, 'v' },
        { "context", no_argument, NULL, 'Z' },
        { "cpupool", no_argument, NULL, 'c' },
        { "numa", no_argument, NULL, 'n' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    bool long_ = false, verbose_ = false, context = false, cpupool = false, numa = false;
    libxl_dominfo *info;
    int o, status = 0, n, rc;

    while ((o = xl_getopt(argc, argv, "lvZcn", longopts, "list", 0, &status)) != -1) {
        switch (o) {
        case 'h': case '?': return status;
        case 'l': long_ = true; break;
        case 'v': verbose_ = true; break;
        case 'Z': context = true; break;
        case 'c': cpupool = true; break;
        case 'n': numa = true; break;
        }
    }
    if (xl_connect())
        return 1;
    if (optind < argc) {
        /* Named domains, in the order given. */
        n = argc - optind;
        info = calloc((size_t)n, sizeof(*info));
        for (int i = 0; i < n; i++) {
            uint32_t d = find_domain(argv[optind + i]);
            if (libxl_domain_info(ctx, &info[i], d)) {
                fprintf(stderr, "libxl_domain_info failed (domain %u).\n", d);
                libxl_dominfo_list_free(info, i);
                return 1;
            }
        }
    } else {
        info = libxl_list_domain(ctx, &n);
        if (!info) {
            fprintf(stderr, "libxl_list_domain failed.\n");
            return 1;
        }
    }
    rc = 0;
    if (long_)
        rc = list_long(info, n);
    else
        list_table(info, n, verbose_, context, cpupool, numa);
    libxl_dominfo_list_free(info, n);
    return rc;
}

/* ---- info ------------------------------------------------------------------------ */

static void field(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void field(const char *name, const char *fmt, ...)
{
    va_list ap;

    printf("%-23s: ", name);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
}

int main_info(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "numa", no_argument, NULL, 'n' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const libxl_version_info *v;
    libxl_physinfo pi;
    struct utsname u;
    bool numa = false;
    int o, status = 0;
    char caps[128];

    while ((o = xl_getopt(argc, argv, "n", longopts, "info", 0, &status)) != -1) {
        if (o == 'h' || o == '?')
            return status;
        if (o == 'n')
            numa = true;
    }
    if (xl_connect())
        return 1;
    libxl_physinfo_init(&pi);
    if (libxl_get_physinfo(ctx, &pi)) {
        fprintf(stderr, "libxl_physinfo failed.\n");
        return 1;
    }
    v = libxl_get_version_info(ctx);
    if (!v) {
        libxl_physinfo_dispose(&pi);
        return 1;
    }
    if (uname(&u) == 0) {
        field("host", "%s", u.nodename);
        field("release", "%s", u.release);
        field("version", "%s", u.version);
        field("machine", "%s", u.machine);
    }
    field("nr_cpus", "%u", pi.nr_cpus);
    field("max_cpu_id", "%u", pi.max_cpu_id);
    field("nr_nodes", "%u", pi.nr_nodes);
    field("cores_per_socket", "%u", pi.cores_per_socket);
    field("threads_per_core", "%u", pi.threads_per_core);
    field("cpu_mhz", "%u.%03u", pi.cpu_khz / 1000, pi.cpu_khz % 1000);
    {
        char hw[9 * 8 + 1] = "", *p = hw;
        for (int i = 0; i < pi.num_hw_cap; i++)
            p += sprintf(p, "%s%08x", i ? ":" : "", pi.hw_cap[i]);
        field("hw_caps", "%s", hw);
    }
    snprintf(caps, sizeof(caps), "%s%s%s", pi.cap_hvm ? "hvm" : "",
             pi.cap_hvm && pi.cap_hap ? " " : "", pi.cap_hap ? "hap" : "");
    field("virt_caps", "%s", caps);
    field("total_memory", "%" PRIu64, pi.total_pages * 4096 / (1024 * 1024));
    field("free_memory", "%" PRIu64, pi.free_pages * 4096 / (1024 * 1024));
    field("sharing_freed_memory", "%" PRIu64, pi.sharing_freed_pages * 4096 / (1024 * 1024));
    field("sharing_used_memory", "%" PRIu64, pi.sharing_used_frames * 4096 / (1024 * 1024));
    field("outstanding_claims", "%" PRIu64, pi.outstanding_pages * 4096 / (1024 * 1024));
    field("free_cpus", "%d", 0);
    field("xen_major", "%d", v->xen_version_major);
    field("xen_minor", "%d", v->xen_version_minor);
    field("xen_extra", "%s", v->xen_version_extra ? v->xen_version_extra : "");
    field("xen_version", "%d.%d%s", v->xen_version_major, v->xen_version_minor,
          v->xen_version_extra ? v->xen_version_extra : "");
    field("xen_caps", "%s", v->capabilities ? v->capabilities : "");
    const char *sched = libxl_scheduler_to_string(libxl_get_scheduler(ctx));
    field("xen_scheduler", "%s", sched ? sched : "unknown");
    field("xen_pagesize", "%d", v->pagesize);
    field("platform_params", "virt_start=0x%" PRIx64, v->virt_start);
    field("xen_changeset", "%s", v->changeset ? v->changeset : "");
    field("xen_commandline", "%s", v->commandline ? v->commandline : "");
    field("cc_compiler", "%s", v->compiler ? v->compiler : "");
    field("cc_compile_by", "%s", v->compile_by ? v->compile_by : "");
    field("cc_compile_domain", "%s", v->compile_domain ? v->compile_domain : "");
    field("cc_compile_date", "%s", v->compile_date ? v->compile_date : "");
    field("build_id", "%s", v->build_id ? v->build_id : "");
    if (numa) {
        printf("cpu_topology           :\ncpu:    core    socket     node\n");
        for (uint32_t c = 0; c <= pi.max_cpu_id; c++)
            printf("%3u:    %4u     %4u     %4u\n", c, c, 0u, 0u);
        printf("numa_info              :\nnode:    memsize    memfree    distances\n");
        printf("   0:    %7" PRIu64 "    %7" PRIu64 "      10\n",
               pi.total_pages * 4096 / (1024 * 1024), pi.free_pages * 4096 / (1024 * 1024));
    }
    field("xend_config_format", "%d", 4);
    libxl_physinfo_dispose(&pi);
    return 0;
}

/* ---- dmesg ----------------------------------------------------------------------- */

int main_dmesg(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "clear", no_argument, NULL, 'c' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    libxl_xen_console_reader *cr;
    bool clear = false;
    int o, status = 0, ret;
    char *line;

    while ((o = xl_getopt(argc, argv, "c", longopts, "dmesg", 0, &status)) != -1) {
        if (o == 'h' || o == '?')
            return status;
        if (o == 'c')
            clear = true;
    }
    if (xl_connect())
        return 1;
    cr = libxl_xen_console_read_start(ctx, clear);
    if (!cr)
        return 1;
    while ((ret = libxl_xen_console_read_line(ctx, cr, &line)) > 0)
        printf("%s\n", line);
    libxl_xen_console_read_finish(ctx, cr);
    return ret < 0 ? 1 : 0;
}

/* ---- debug-keys ------------------------------------------------------------------ */

int main_debug_keys(int argc, char **argv)
{
    int o, status = 0;

    while ((o = xl_getopt(argc, argv, "", NULL, "debug-keys", 1, &status)) != -1)
        return status;
    if (xl_connect())
        return 1;
    if (libxl_send_debug_keys(ctx, argv[optind])) {
        fprintf(stderr, "cannot send debug keys: %s\n", argv[optind]);
        return 1;
    }
    return 0;
}

/* ---- uptime ---------------------------------------------------------------------- */

static void uptime_string(uint32_t s, char *buf, size_t len)
{
    unsigned days = s / 86400, h = (s / 3600) % 24, m = (s / 60) % 60, sec = s % 60;

    if (days)
        snprintf(buf, len, "%u day%s, %2u:%02u:%02u", days, days == 1 ? "" : "s", h, m, sec);
    else
        snprintf(buf, len, "%2u:%02u:%02u", h, m, sec);
}

static uint32_t host_uptime(void)
{
    FILE *f = fopen("/proc/uptime", "r");
    double up = 0;

    if (f) {
        if (fscanf(f, "%lf", &up) != 1)
            up = 0;
        fclose(f);
    }
    return (uint32_t)up;
}

int main_uptime(int argc, char **argv)
{
    bool short_ = false;
    int o, status = 0, n;
    libxl_dominfo *info;
    uint32_t *want = NULL;
    int nwant = 0;

    while ((o = xl_getopt(argc, argv, "s", NULL, "uptime", 0, &status)) != -1) {
        if (o == 'h' || o == '?')
            return status;
        if (o == 's')
            short_ = true;
    }
    if (xl_connect())
        return 1;
    if (optind < argc) {
        nwant = argc - optind;
        want = calloc((size_t)nwant, sizeof(*want));
        for (int i = 0; i < nwant; i++)
            want[i] = find_domain(argv[optind + i]);
    }
    info = libxl_list_domain(ctx, &n);
    if (!info) {
        free(want);
        return 1;
    }
    if (!short_)
        printf("%-30s %5s %s\n", "Name", "ID", "Uptime");
    for (int i = 0; i < n; i++) {
        char *name, up[64];
        bool listed = !nwant;
        uint32_t s;

        for (int k = 0; k < nwant; k++)
            listed |= want[k] == info[i].domid;
        if (!listed)
            continue;
        name = libxl_domid_to_name(ctx, info[i].domid);
        if (info[i].domid == 0) {
            s = host_uptime();
        } else {
            uint32_t start = libxl_vm_get_start_time(ctx, info[i].domid);
            time_t now = time(NULL);
            s = start && (uint32_t)now > start ? (uint32_t)now - start : 0;
        }
        uptime_string(s, up, sizeof(up));
        if (short_) {
            time_t now = time(NULL);
            struct tm tm;
            char clock[16];
            localtime_r(&now, &tm);
            strftime(clock, sizeof(clock), "%H:%M:%S", &tm);
            printf(" %s up %s, %s (%u)\n", clock, up, name ? name : "-", info[i].domid);
        } else {
            printf("%-30s %5u %s\n", name ? name : "-", info[i].domid, up);
        }
        free(name);
    }
    libxl_dominfo_list_free(info, n);
    free(want);
    return 0;
}
