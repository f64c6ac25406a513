/* vcpu-dom0: vCPU affinity and information through libxenctrl, against a
 * real xen and a running idle guest.  Prints TAP. */
#include "config.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xenctrl.h"
#include "xktest.h"

static int n, failed;

static void ok(int cond, const char *what)
{
    printf("%sok %d - %s\n", cond ? "" : "not ", ++n, what);
    if (!cond)
        failed = 1;
}

int main(int argc, char **argv)
{
    xc_interface *xch = xc_interface_open(NULL, NULL, 0);
    char err[256];
    uint32_t d;

    printf("1..9\n");
    if (argc < 2 || !xch || xkt_build(xch, argv[1], 16, 2, NULL, &d, err, sizeof(err)) < 0 ||
        xc_domain_unpause(xch, d) < 0) {
        fprintf(stderr, "vcpu-dom0: %s\n", err);
        return 1;
    }
    int sz = xc_get_cpumap_size(xch), ncpu = xc_get_max_cpus(xch);
    ok(sz >= 1 && ncpu >= 1, "the cpumap size follows the host's pCPUs");
    xc_cpumap_t hard = xc_cpumap_alloc(xch), soft = xc_cpumap_alloc(xch);
    ok(xc_vcpu_getaffinity(xch, d, 0, hard, soft, 0) == 0 && xc_cpumap_testcpu(0, hard) &&
       xc_cpumap_testcpu(ncpu - 1, hard), "a new vCPU may run on every pCPU");
    memset(hard, 0, (size_t)sz);
    xc_cpumap_setcpu(ncpu - 1, hard);
    ok(xc_vcpu_setaffinity(xch, d, 0, hard, NULL, XEN_VCPUAFFINITY_HARD) == 0,
       "pin vCPU 0 to the last pCPU");
    memset(hard, 0xff, (size_t)sz);
    ok(xc_vcpu_getaffinity(xch, d, 0, hard, soft, 0) == 0 && xc_cpumap_testcpu(ncpu - 1, hard) &&
       (ncpu == 1 || !xc_cpumap_testcpu(0, hard)), "the pin reads back");
    memset(hard, 0, (size_t)sz);
    errno = 0;
    ok(xc_vcpu_setaffinity(xch, d, 1, hard, NULL, XEN_VCPUAFFINITY_HARD) < 0 && errno == EINVAL,
       "an empty hard affinity is refused");
    ok(xc_vcpu_setaffinity(xch, d, 7, hard, NULL, XEN_VCPUAFFINITY_HARD) < 0 && errno == ENOENT,
       "a vCPU that does not exist is refused");
    xc_vcpuinfo_t vi;
    ok(xc_vcpu_getinfo(xch, d, 0, &vi) == 0 && vi.online && (int)vi.cpu < ncpu,
       "vCPU 0 is online, on a pCPU");
    ok(xc_vcpu_getinfo(xch, d, 1, &vi) == 0 && !vi.online, "vCPU 1 was never brought up");
    ok(xc_domain_set_time_offset(xch, d, 3600) == 0, "set the time offset");
    free(hard);
    free(soft);
    xc_domain_destroy(xch, d);
    xc_interface_close(xch);
    return failed;
}
