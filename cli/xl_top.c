/* xl top: a live view of the host and its domains, as xentop(1) shows
 * them.  Interactive on a terminal (q or Esc quits, v toggles the vCPUs,
 * d cycles the delay through 1, 3 and 10 s); with -b a plain report per
 * update on standard output.  CPU(%) is the share of one CPU each domain
 * used since the previous update.  The columns of network and block
 * devices are zero: xenkvm has no such backends yet.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "util.h"
#include "xl.h"

struct prev {
    uint32_t domid;
    uint64_t cpu_time;
};

struct top {
    bool batch, full_names, vcpus;
    int delay_s;
    struct prev *prev;
    int nprev;
    uint64_t prev_ns;
};

static uint64_t prev_cpu(const struct top *t, uint32_t domid, bool *found)
{
    for (int i = 0; i < t->nprev; i++)
        if (t->prev[i].domid == domid) {
            *found = true;
            return t->prev[i].cpu_time;
        }
    *found = false;
    return 0;
}

static void print_vcpus(uint32_t domid)
{
    int n, ncpus;
    libxl_vcpuinfo *v = libxl_list_vcpu(ctx, domid, &n, &ncpus);

    if (!v)
        return;
    printf("VCPUs(sec): ");
    for (int i = 0; i < n; i++)
        printf(" %2u: %10" PRIu64 "s", v[i].vcpuid, (uint64_t)(v[i].vcpu_time / 1000000000ULL));
    printf("\n");
    libxl_vcpuinfo_list_free(v, n);
}

static int update(struct top *t)
{
    const libxl_version_info *ver = libxl_get_version_info(ctx);
    libxl_physinfo pi;
    libxl_dominfo *info;
    int n, counts[6] = { 0 };
    uint64_t now = xk_now_ns(), total_kb, free_kb;
    char clock[16];
    time_t wall = time(NULL);
    struct tm tm;

    libxl_physinfo_init(&pi);
    if (libxl_get_physinfo(ctx, &pi))
        return -1;
    info = libxl_list_domain(ctx, &n);
    if (!info) {
        libxl_physinfo_dispose(&pi);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        const libxl_dominfo *d = &info[i];
        counts[0] += d->running;
        counts[1] += d->blocked;
        counts[2] += d->paused;
        counts[3] += d->shutdown && d->shutdown_reason == LIBXL_SHUTDOWN_REASON_CRASH;
        counts[4] += d->dying;
        counts[5] += d->shutdown && d->shutdown_reason != LIBXL_SHUTDOWN_REASON_CRASH;
    }
    total_kb = pi.total_pages * 4;
    free_kb = pi.free_pages * 4;
    localtime_r(&wall, &tm);
    strftime(clock, sizeof(clock), "%H:%M:%S", &tm);
    if (!t->batch)
        printf("\033[H\033[2J");
    printf("xentop - %s   Xen %d.%d%s\n", clock, ver ? ver->xen_version_major : 0,
           ver ? ver->xen_version_minor : 0, ver && ver->xen_version_extra ?
           ver->xen_version_extra : "");
    printf("%d domains: %d running, %d blocked, %d paused, %d crashed, %d dying, %d shutdown \n",
           n, counts[0], counts[1], counts[2], counts[3], counts[4], counts[5]);
    printf("Mem: %" PRIu64 "k total, %" PRIu64 "k used, %" PRIu64 "k free    CPUs: %u @ %uMHz\n",
           total_kb, total_kb - free_kb, free_kb, pi.nr_cpus, pi.cpu_khz / 1000);
    printf("%10s %6s %10s %6s %10s %6s %10s %9s %5s %4s %8s %8s %4s %8s %8s %8s %10s %10s %4s\n",
           "NAME", "STATE", "CPU(sec)", "CPU(%)", "MEM(k)", "MEM(%)", "MAXMEM(k)",
           "MAXMEM(%)", "VCPUS", "NETS", "NETTX(k)", "NETRX(k)", "VBDS", "VBD_OO", "VBD_RD",
           "VBD_WR", "VBD_RSECT", "VBD_WSECT", "SSID");
    struct prev *next = calloc((size_t)n + 1, sizeof(*next));
    for (int i = 0; i < n; i++) {
        const libxl_dominfo *d = &info[i];
        char *name = libxl_domid_to_name(ctx, d->domid), shown[16], state[7], maxbuf[64];
        bool found;
        uint64_t before = prev_cpu(t, d->domid, &found);
        double pct = 0;

        if (found && t->prev_ns && now > t->prev_ns && d->cpu_time >= before)
            pct = 100.0 * (double)(d->cpu_time - before) / (double)(now - t->prev_ns);
        next[i] = (struct prev){ d->domid, d->cpu_time };
        state[0] = d->dying ? 'd' : '-';
        state[1] = d->shutdown ? 's' : '-';
        state[2] = d->blocked ? 'b' : '-';
        state[3] = d->shutdown && d->shutdown_reason == LIBXL_SHUTDOWN_REASON_CRASH ? 'c' : '-';
        state[4] = d->running ? 'r' : '-';
        state[5] = d->paused ? 'p' : '-';
        state[6] = '\0';
        snprintf(shown, sizeof(shown), "%.10s", name ? name : "-");
        if (d->max_memkb == ~0ULL)
            snprintf(maxbuf, sizeof(maxbuf), "%10s %9s", "no limit", "n/a");
        else
            snprintf(maxbuf, sizeof(maxbuf), "%10" PRIu64 " %9.1f", d->max_memkb,
                     total_kb ? 100.0 * (double)d->max_memkb / (double)total_kb : 0.0);
        printf("%10s %6s %10" PRIu64 " %6.1f %10" PRIu64 " %6.1f %s %5u %4d %8d %8d %4d %8d "
               "%8d %8d %10d %10d %4u\n",
               t->full_names && name ? name : shown, state, (uint64_t)(d->cpu_time / 1000000000ULL), pct,
               d->current_memkb,
               total_kb ? 100.0 * (double)d->current_memkb / (double)total_kb : 0.0, maxbuf,
               d->vcpu_online, 0, 0, 0, 0, 0, 0, 0, 0, 0, d->ssidref);
        if (t->vcpus && d->domid != 0)
            print_vcpus(d->domid);
        free(name);
    }
    free(t->prev);
    t->prev = next;
    t->nprev = n;
    t->prev_ns = now;
    if (t->batch)
        printf("\n");
    fflush(stdout);
    libxl_dominfo_list_free(info, n);
    libxl_physinfo_dispose(&pi);
    return 0;
}

int main_top(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "delay", required_argument, NULL, 'd' },
        { "batch", no_argument, NULL, 'b' },
        { "iterations", required_argument, NULL, 'i' },
        { "full-name", no_argument, NULL, 'f' },
        { "vcpus", no_argument, NULL, 'v' },
        { "networks", no_argument, NULL, 'n' },
        { "vbds", no_argument, NULL, 'x' },
        { "repeat-header", no_argument, NULL, 'r' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct top t = { .delay_s = 3 };
    struct termios saved;
    bool restore = false;
    long iterations = -1;
    int o, status = 0, rc = 0;

    while ((o = xl_getopt(argc, argv, "d:bi:fvnxr", longopts, "top", 0, &status)) != -1) {
        switch (o) {
        case 'h': case '?': return status;
        case 'd': t.delay_s = atoi(optarg); break;
        case 'b': t.batch = true; break;
        case 'i': iterations = atol(optarg); break;
        case 'f': t.full_names = true; break;
        case 'v': t.vcpus = true; break;
        default: break;
        }
    }
    if (t.delay_s < 1)
        t.delay_s = 1;
    if (xl_connect())
        return 1;
    if (!t.batch && !isatty(1))
        t.batch = true;
    if (!t.batch && isatty(0) && tcgetattr(0, &saved) == 0) {
        struct termios raw = saved;
        raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
        raw.c_cc[VMIN] = 1;
        raw.c_cc[VTIME] = 0;
        restore = tcsetattr(0, TCSANOW, &raw) == 0;
    }
    for (long it = 0; iterations < 0 || it < iterations; it++) {
        if (update(&t)) {
            rc = 1;
            break;
        }
        if (iterations >= 0 && it + 1 >= iterations)
            break;
        /* Sleep until the next update, or a key. */
        uint64_t until = xk_now_ns() + (uint64_t)t.delay_s * 1000000000ULL;
        bool quit = false, redraw = false;
        while (!quit && !redraw) {
            uint64_t now = xk_now_ns();
            if (now >= until)
                break;
            struct pollfd p = { .fd = t.batch ? -1 : 0, .events = POLLIN };
            if (poll(&p, 1, (int)((until - now) / 1000000 + 1)) > 0 && (p.revents & POLLIN)) {
                char c;
                if (read(0, &c, 1) != 1)
                    p.fd = -1;
                else if (c == 'q' || c == 'Q' || c == 27)
                    quit = true;
                else if (c == 'v' || c == 'V')
                    t.vcpus = !t.vcpus, redraw = true;
                else if (c == 'd' || c == 'D')
                    t.delay_s = t.delay_s == 1 ? 3 : t.delay_s == 3 ? 10 : 1, redraw = true;
            }
        }
        if (quit)
            break;
    }
    if (restore)
        tcsetattr(0, TCSANOW, &saved);
    free(t.prev);
    return rc;
}
