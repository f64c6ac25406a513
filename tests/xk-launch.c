/* xk-launch: a small test launcher built on libxc.
 *
 * Builds one or more PVH domains from a kernel, runs them, echoes their
 * console lines, waits until they stop, prints each one's end state and
 * destroys them.  Exit status: 0 when every domain ended in the expected
 * state (-e), 1 otherwise, 2 on usage errors.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xktest.h"

#define MAX_DOMS 256

struct run {
    uint32_t domids[MAX_DOMS];
    unsigned int n;
    int quiet;
};

static int ours(const struct run *r, const char *line)
{
    unsigned int d;

    if (sscanf(line, "(d%u)", &d) == 1 || sscanf(line, "(XEN) d%u", &d) == 1 ||
        sscanf(line, "(XEN) Domain %u", &d) == 1)
        for (unsigned int i = 0; i < r->n; i++)
            if (r->domids[i] == d)
                return 1;
    return 0;
}

static void on_line(void *ctx, const char *line)
{
    struct run *r = ctx;

    if (!r->quiet && ours(r, line)) {
        printf("%s\n", line);
        fflush(stdout);
    }
}

static int list_domains(xc_interface *xch)
{
    xc_domaininfo_t info[64];
    uint32_t next = 0;
    int n;

    printf("%-20s %5s %7s %5s %-10s %9s\n", "Name", "ID", "Mem", "VCPUs", "State", "Time(s)");
    while ((n = xc_domain_getinfolist(xch, next, 64, info)) > 0) {
        for (int i = 0; i < n; i++) {
            char name[32];
            if (info[i].domain == 0)
                snprintf(name, sizeof(name), "Domain-0");
            else
                snprintf(name, sizeof(name), "d%u", info[i].domain);
            printf("%-20s %5u %7llu %5u %-10s %9.1f\n", name, info[i].domain,
                   (unsigned long long)(info[i].tot_pages >> 8), info[i].nr_online_vcpus,
                   info[i].domain == 0 ? "running" : xkt_state_name(&info[i]),
                   (double)info[i].cpu_time / 1e9);
        }
        next = info[n - 1].domain + 1u;
        if (n < 64)
            break;
    }
    return n < 0 ? 1 : 0;
}

static int print_dmesg(xc_interface *xch)
{
    char buf[16384];
    uint32_t index = 0;

    for (;;) {
        unsigned int n = sizeof(buf);
        if (xc_readconsolering(xch, buf, &n, 0, 1, &index) < 0)
            return 1;
        if (n == 0)
            return 0;
        fwrite(buf, 1, n, stdout);
    }
}

static void usage(FILE *f)
{
    fprintf(f,
"Usage: xk-launch [OPTION]... KERNEL\n"
"Boots KERNEL (a PVH ELF) in one or more domains and follows them.\n"
"  -m MB        memory per domain (default 16)\n"
"  -v N         vCPUs per domain (default 1)\n"
"  -c CMDLINE   kernel command line\n"
"  -n COUNT     domains at once (default 1)\n"
"  -t SECONDS   how long to wait for the domains to stop (default 60)\n"
"  -e STATE     expected end state (poweroff, crash, reboot...); default poweroff\n"
"  -l LOOPS     create and destroy LOOPS times without running the guest\n"
"  -r           run the domain but do not wait (leave it running)\n"
"  -q           do not echo console lines\n"
"  -x           with XenStore: console and store rings announced there\n"
"Or, without KERNEL:\n"
"  -L           list the domains (as `xl list` does)\n"
"  -D           print the hypervisor console (as `xl dmesg` does)\n"
"  -k KEYS      press debug keys in xen (as `xl debug-keys` does)\n");
}

int main(int argc, char **argv)
{
    unsigned int mem = 16, vcpus = 1, count = 1, timeout = 60, loops = 0;
    const char *cmdline = NULL, *expect = "poweroff";
    int opt, leave = 0, status = 0;
    struct run run = { .n = 0 };
    char err[1024], partial[4096] = "";
    xc_interface *xch;

    int list = 0, dmesg = 0;
    const char *keys = NULL;

    while ((opt = getopt(argc, argv, "m:v:c:n:t:e:l:rqhLDxk:")) != -1) {
        switch (opt) {
        case 'm': mem = (unsigned)strtoul(optarg, NULL, 0); break;
        case 'v': vcpus = (unsigned)strtoul(optarg, NULL, 0); break;
        case 'c': cmdline = optarg; break;
        case 'n': count = (unsigned)strtoul(optarg, NULL, 0); break;
        case 't': timeout = (unsigned)strtoul(optarg, NULL, 0); break;
        case 'e': expect = optarg; break;
        case 'l': loops = (unsigned)strtoul(optarg, NULL, 0); break;
        case 'r': leave = 1; break;
        case 'q': run.quiet = 1; break;
        case 'L': list = 1; break;
        case 'D': dmesg = 1; break;
        case 'k': keys = optarg; break;
        case 'x': xkt_use_xenstore(1); break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (list || dmesg || keys) {
        if (optind != argc) {
            usage(stderr);
            return 2;
        }
        xch = xc_interface_open(NULL, NULL, 0);
        if (!xch)
            return 1;
        int rc = 0;
        if (keys && xc_send_debug_keys(xch, keys) < 0) {
            fprintf(stderr, "xk-launch: debug keys: %s\n", strerror(errno));
            rc = 1;
        }
        if (list || dmesg)
            rc |= list ? list_domains(xch) : print_dmesg(xch);
        xc_interface_close(xch);
        return rc;
    }
    if (optind + 1 != argc || count == 0 || count > MAX_DOMS || mem == 0 || vcpus == 0) {
        usage(stderr);
        return 2;
    }
    const char *kernel = argv[optind];
    xch = xc_interface_open(NULL, NULL, 0);
    if (!xch)
        return 1;

    if (loops) {
        for (unsigned int i = 0; i < loops; i++) {
            uint32_t d;
            if (xkt_build(xch, kernel, mem, vcpus, cmdline, &d, err, sizeof(err)) < 0) {
                fprintf(stderr, "xk-launch: loop %u: %s\n", i, err);
                xc_interface_close(xch);
                return 1;
            }
            if (xc_domain_destroy(xch, d) < 0) {
                fprintf(stderr, "xk-launch: destroy d%u: %s\n", d, strerror(errno));
                xc_interface_close(xch);
                return 1;
            }
        }
        printf("created and destroyed %u domains\n", loops);
        xc_interface_close(xch);
        return 0;
    }

    uint32_t index = xkt_console_index(xch);
    for (unsigned int i = 0; i < count; i++) {
        uint32_t d;
        if (xkt_build(xch, kernel, mem, vcpus, cmdline, &d, err, sizeof(err)) < 0) {
            fprintf(stderr, "xk-launch: %s\n", err);
            status = 1;
            break;
        }
        run.domids[run.n++] = d;
    }
    for (unsigned int i = 0; i < run.n; i++) {
        if (xc_domain_unpause(xch, run.domids[i]) < 0) {
            fprintf(stderr, "xk-launch: unpause d%u: %s\n", run.domids[i], strerror(errno));
            status = 1;
        }
    }
    if (leave) {
        for (unsigned int i = 0; i < run.n; i++)
            printf("d%u: started\n", run.domids[i]);
        xc_interface_close(xch);
        return status;
    }

    uint64_t deadline = xkt_now_ns() + (uint64_t)timeout * 1000000000ULL;
    uint32_t gen = 0, con = index;
    for (;;) {
        xkt_console_lines(xch, &index, partial, sizeof(partial), on_line, &run);
        unsigned int stopped = 0;
        for (unsigned int i = 0; i < run.n; i++) {
            xc_domaininfo_t info;
            if (xc_domain_getinfo_single(xch, run.domids[i], &info) < 0 ||
                (info.flags & (XEN_DOMINF_shutdown | XEN_DOMINF_dying)))
                stopped++;
        }
        if (stopped == run.n)
            break;
        uint64_t now = xkt_now_ns();
        if (now >= deadline)
            break;
        uint64_t left_ms = (deadline - now) / 1000000 + 1;
        if (xc_xk_wait(xch, DOMID_INVALID, XC_WAIT_STATE | XC_WAIT_CONSOLE, &gen, &con,
                       (uint32_t)(left_ms > 1000 ? 1000 : left_ms)) < 0) {
            fprintf(stderr, "xk-launch: waiting: %s\n", strerror(errno));
            status = 1;
            break;
        }
    }
    xkt_console_lines(xch, &index, partial, sizeof(partial), on_line, &run);

    for (unsigned int i = 0; i < run.n; i++) {
        xc_domaininfo_t info;
        const char *st = "gone";
        if (xc_domain_getinfo_single(xch, run.domids[i], &info) == 0)
            st = xkt_state_name(&info);
        printf("d%u: %s\n", run.domids[i], st);
        if (strcmp(st, expect) != 0)
            status = 1;
        if (xc_domain_destroy(xch, run.domids[i]) < 0 && errno != ESRCH) {
            fprintf(stderr, "xk-launch: destroy d%u: %s\n", run.domids[i], strerror(errno));
            status = 1;
        }
    }
    xc_interface_close(xch);
    return status;
}
