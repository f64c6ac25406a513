/* xen: the xenkvm hypervisor daemon.
 *
 * Privileges: xen opens /dev/kvm and creates one KVM VM per domain, so it
 * runs as root (or a member of the kvm group).  It keeps /dev/kvm, the
 * domains' memory files and its control socket; it hands a domain's
 * memory file only to a privileged client that asks to map that domain's
 * pages (the equivalent of dom0's foreign mappings).
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xen.h"
#include "ctl.h"

struct hv hv = {
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .mem_lock = PTHREAD_MUTEX_INITIALIZER,
    .kvm_fd = -1,
    .notify_fd = -1,
};

static int signal_fd = -1;

void hv_notify(void)
{
    uint64_t one = 1;

    if (hv.notify_fd >= 0 && write(hv.notify_fd, &one, sizeof(one)) < 0) {
        /* the counter is already pending: the main loop will run */
    }
}

static void usage(FILE *f)
{
    fprintf(f,
"Usage: xen [OPTION]...\n"
"The xenkvm hypervisor: runs Xen guests (PVH) on KVM and serves the toolstack\n"
"on RUNDIR/privcmd.\n"
"\n"
"  -r, --run-dir DIR      run directory (default $XEN_RUN_DIR, else /run/xen)\n"
"  -m, --memory SIZE      host memory available to guests (e.g. 4G, 512M;\n"
"                         default: three quarters of the memory available now)\n"
"  -c, --pcpus N          physical CPUs offered to guests (default: all online)\n"
"  -F, --foreground       stay in the foreground (log to stderr by default)\n"
"  -l, --log-level LEVEL  error, warn, info (default) or debug\n"
"  -L, --log-file FILE    log here (default when daemonized: RUNDIR/xen.log)\n"
"  -C, --console-size SZ  hypervisor console ring size (default 256K)\n"
"  -P, --halt-poll US     spin up to US microseconds in a blocked vCPU before\n"
"                         sleeping, adapted per vCPU (default 200; 0: never)\n"
"  -h, --help             show this help\n"
"  -V, --version          show the version\n");
}

static uint64_t meminfo_kb(const char *key)
{
    FILE *f = fopen("/proc/meminfo", "r");
    char line[256];
    size_t kl = strlen(key);
    uint64_t v = 0;

    if (!f)
        return 0;
    while (fgets(line, sizeof(line), f))
        if (!strncmp(line, key, kl) && line[kl] == ':') {
            v = strtoull(line + kl + 1, NULL, 10);
            break;
        }
    fclose(f);
    return v;
}

static int on_signal(void)
{
    struct signalfd_siginfo si;

    if (read(signal_fd, &si, sizeof(si)) != sizeof(si))
        return 0;
    if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
        xk_log(XK_LOG_INFO, "signal %u: shutting down", si.ssi_signo);
        return 1;
    }
    return 0;
}

/* Reads what KVM tells about the host from a throw-away VM. */
static int probe_kvm(void)
{
    int vm, vcpu, khz;

    hv.kvm_run_size = ioctl(hv.kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (hv.kvm_run_size <= 0)
        return -EINVAL;
    static const struct { int cap; const char *name; } need[] = {
        { KVM_CAP_X86_USER_SPACE_MSR, "userspace MSR exits" },
        { KVM_CAP_X86_MSR_FILTER, "MSR filters" },
        { KVM_CAP_SYNC_REGS, "synchronized registers" },
        { KVM_CAP_IMMEDIATE_EXIT, "immediate exit" },
    };
    for (size_t i = 0; i < XK_ARRAY_SIZE(need); i++) {
        if (ioctl(hv.kvm_fd, KVM_CHECK_EXTENSION, need[i].cap) <= 0) {
            xk_error("this host's KVM lacks %s (Linux 5.10 or newer is needed)", need[i].name);
            return -ENOTSUP;
        }
    }
    vm = ioctl(hv.kvm_fd, KVM_CREATE_VM, 0);
    if (vm < 0)
        return -errno;
    vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
    khz = vcpu >= 0 ? ioctl(vcpu, KVM_GET_TSC_KHZ, 0) : -1;
    if (vcpu >= 0)
        close(vcpu);
    close(vm);
    hv.tsc_khz = khz > 0 ? (uint32_t)khz : 0;
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "run-dir", required_argument, NULL, 'r' },
        { "memory", required_argument, NULL, 'm' },
        { "pcpus", required_argument, NULL, 'c' },
        { "foreground", no_argument, NULL, 'F' },
        { "log-level", required_argument, NULL, 'l' },
        { "log-file", required_argument, NULL, 'L' },
        { "console-size", required_argument, NULL, 'C' },
        { "halt-poll", required_argument, NULL, 'P' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    const char *run_dir_opt = NULL, *log_file = NULL;
    uint64_t memory = 0, console_size = 256 * 1024;
    bool foreground = false;
    int pcpus = 0, opt, pid_fd, ready[2] = { -1, -1 };
    char cmdline[1024] = "";
    pid_t holder = 0;
    sigset_t sigs;
    int rc;

    hv.halt_poll_max_ns = 200000;
    xk_log_init(argv[0]);
    for (int i = 1, n = 0; i < argc && n < (int)sizeof(cmdline) - 2; i++)
        n += snprintf(cmdline + n, sizeof(cmdline) - (size_t)n, "%s%s", i > 1 ? " " : "", argv[i]);
    hv.cmdline = cmdline;

    while ((opt = getopt_long(argc, argv, "r:m:c:Fl:L:C:P:hV", opts, NULL)) != -1) {
        switch (opt) {
        case 'r': run_dir_opt = optarg; break;
        case 'm':
            if (xk_parse_size(optarg, 1ULL << 20, &memory) < 0 || memory < (16ULL << 20))
                xk_fatal("--memory: '%s' is not a size of at least 16M (e.g. 512M, 4G)", optarg);
            break;
        case 'c': {
            uint64_t v;
            if (xk_parse_u64(optarg, &v) < 0 || v == 0 || v > 4096)
                xk_fatal("--pcpus: '%s' is not a CPU count between 1 and 4096", optarg);
            pcpus = (int)v;
            break;
        }
        case 'F': foreground = true; break;
        case 'l': xk_log_set_level_arg(optarg); break;
        case 'L': log_file = optarg; break;
        case 'C':
            if (xk_parse_size(optarg, 1, &console_size) < 0 || console_size < 4096)
                xk_fatal("--console-size: '%s' is not a size of at least 4K", optarg);
            break;
        case 'P': {
            uint64_t us;
            if (xk_parse_u64(optarg, &us) < 0 || us > 100000)
                xk_fatal("--halt-poll: '%s' is not a number of microseconds from 0 to 100000",
                         optarg);
            hv.halt_poll_max_ns = us * 1000;
            break;
        }
        case 'h': usage(stdout); return 0;
        case 'V': printf("xen (%s) %d.%d%s\n", PACKAGE_STRING, XK_XEN_MAJOR, XK_XEN_MINOR,
                         XK_XEN_EXTRA); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc) {
        xk_error("unexpected argument '%s'", argv[optind]);
        usage(stderr);
        return 2;
    }

    /* Every domain holds descriptors (KVM, memory, vCPUs, timers) and every
     * toolstack connection one: take what the hard limit allows. */
    struct rlimit nofile;
    if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
        nofile.rlim_cur = nofile.rlim_max;
        setrlimit(RLIMIT_NOFILE, &nofile);
    }
    hv.run_dir = xk_run_dir(run_dir_opt);
    hv.kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (hv.kvm_fd < 0) {
        if (errno == ENOENT)
            xk_fatal("/dev/kvm is missing: this host has no KVM (enable virtualization in the "
                     "firmware and load kvm_intel or kvm_amd)");
        xk_fatal_errno("cannot open /dev/kvm (run xen as root or in the kvm group)");
    }
    if (ioctl(hv.kvm_fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION)
        xk_fatal("unsupported KVM API version");
    if (probe_kvm() < 0)
        xk_fatal("KVM on this host cannot run xenkvm guests");

    if (xk_mkdir_p(hv.run_dir, 0755) < 0)
        xk_fatal_errno("cannot create run directory %s", hv.run_dir);
    pid_fd = xk_pidfile_acquire(hv.run_dir, "xen", &holder);
    if (pid_fd < 0) {
        if (errno == EWOULDBLOCK)
            xk_fatal("another xen (pid %d) is already running with run directory %s",
                     (int)holder, hv.run_dir);
        xk_fatal_errno("cannot lock %s/xen.pid", hv.run_dir);
    }

    long nproc = sysconf(_SC_NPROCESSORS_ONLN);
    hv.pcpus = pcpus ? (unsigned)pcpus : (unsigned)(nproc > 0 ? nproc : 1);
    hv.host_pages = meminfo_kb("MemTotal") / 4;
    if (!memory)
        memory = meminfo_kb("MemAvailable") * 1024 / 4 * 3;
    if (memory > hv.host_pages * XK_PAGE_SIZE)
        xk_fatal("--memory: %llu MiB is more than this host's %llu MiB",
                 (unsigned long long)(memory >> 20),
                 (unsigned long long)(hv.host_pages * XK_PAGE_SIZE >> 20));
    hv.budget_pages = memory / XK_PAGE_SIZE;
    hv.boot_ns = xk_now_ns();

    if (!foreground) {
        char path[4096];
        if (!log_file) {
            snprintf(path, sizeof(path), "%s/xen.log", hv.run_dir);
            log_file = path;
        }
        if (xk_log_open_file(log_file) < 0)
            xk_fatal_errno("cannot open log file %s", log_file);
        if (pipe2(ready, O_CLOEXEC) < 0)
            xk_fatal_errno("pipe");
        pid_t pid = fork();
        if (pid < 0)
            xk_fatal_errno("fork");
        if (pid > 0) {
            /* Parent: exit once the daemon is serving (or has failed). */
            char status = 1;
            close(ready[1]);
            if (read(ready[0], &status, 1) != 1)
                status = 1;
            if (status)
                fprintf(stderr, "xen: failed to start; see %s\n", log_file);
            _exit(status ? 1 : 0);
        }
        close(ready[0]);
        setsid();
        int null = open("/dev/null", O_RDWR);
        if (null >= 0) {
            dup2(null, 0);
            dup2(null, 1);
            dup2(null, 2);
            if (null > 2)
                close(null);
        }
        char buf[32];
        int n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
        if (ftruncate(pid_fd, 0) < 0 || pwrite(pid_fd, buf, (size_t)n, 0) != n)
            xk_fatal_errno("writing the pid file");
    } else if (log_file && xk_log_open_file(log_file) < 0) {
        xk_fatal_errno("cannot open log file %s", log_file);
    }

    /* Signals: handled on the main loop through a signalfd; every thread
     * created from here on inherits them blocked. */
    signal(SIGPIPE, SIG_IGN);
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal_fd = signalfd(-1, &sigs, SFD_CLOEXEC | SFD_NONBLOCK);
    if (signal_fd < 0)
        xk_fatal_errno("signalfd");
    vcpu_signals_init();

    hv.notify_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (hv.notify_fd < 0)
        xk_fatal_errno("eventfd");
    console_init(console_size);
    time_init();
    rc = cpuid_init();
    if (rc < 0)
        xk_fatal("KVM_GET_SUPPORTED_CPUID: %s", strerror(-rc));
    if (domain_init_dom0() < 0)
        xk_fatal("out of memory");
    rc = ctl_init(hv.run_dir, hv.notify_fd, signal_fd);
    if (rc < 0)
        xk_fatal("cannot listen on %s/%s: %s", hv.run_dir, XK_CTL_SOCKET_NAME, strerror(-rc));

    hv_printk("xenkvm %d.%d%s: %u pCPUs, %llu MiB for guests, TSC %u kHz, run dir %s",
              XK_XEN_MAJOR, XK_XEN_MINOR, XK_XEN_EXTRA, hv.pcpus,
              (unsigned long long)(hv.budget_pages * XK_PAGE_SIZE >> 20), hv.tsc_khz, hv.run_dir);
    if (ready[1] >= 0) {
        char ok = 0;
        if (write(ready[1], &ok, 1) != 1) {
            /* the parent is gone; carry on */
        }
        close(ready[1]);
    }

    rc = ctl_loop(hv.notify_fd, on_signal);

    domain_destroy_all();
    ctl_fini();
    hv_printk("xenkvm stopped");
    event_domain_fini(hv.domains[0]);
    free(hv.domains[0]);
    hv.domains[0] = NULL;
    free(hv.supported_cpuid);
    console_fini();
    close(hv.notify_fd);
    close(signal_fd);
    close(hv.kvm_fd);
    {
        char path[4096];
        snprintf(path, sizeof(path), "%s/xen.pid", hv.run_dir);
        unlink(path);
    }
    close(pid_fd);
    return rc < 0 ? 1 : 0;
}
