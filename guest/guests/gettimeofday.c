/* gettimeofday: the guest's wall clock and system time, from shared info
 * and its vcpu_time_info.  Command line: reads=N (default 1000).
 *
 *   gettimeofday: tv_sec=S tv_usec=U system_time_ns=T wc_version=V
 *   gettimeofday: OK reads=N tsc_khz=K rate_ppm=R
 *
 * The first line is printed right after the clock is read, so a test can
 * compare tv_sec.tv_usec with the host's clock.  Then system time must
 * never go backwards over N reads, and must advance at the rate the TSC
 * frequency of CPUID says (within 1%, rate_ppm the deviation; "-" when
 * CPUID gives no frequency).  Failures: "gettimeofday: FAIL: ..." (crash);
 * a hypervisor that does not fill the time fields: "gettimeofday: SKIP:
 * ..." (poweroff). */
#include "kit.h"

int guest_main(void)
{
    struct kit_timeval tv;
    uint64_t reads = 1000, i, prev, t0, t1, c0, c1, sec;
    uint32_t nsec, ver, khz;
    long rc;

    kit_cmdline_u64("reads", &reads);
    rc = kit_time_init();
    if (rc) {
        printf("gettimeofday: FAIL: mapping shared info: %ld (%s)\n", rc,
               kit_errname(rc));
        return 1;
    }
    if (!kit_time_valid()) {
        puts("gettimeofday: SKIP: vcpu_time_info not filled in "
             "(tsc_to_system_mul 0)");
        return 0;
    }
    if (kit_gettimeofday(&tv)) {
        puts("gettimeofday: SKIP: no wall clock in shared info (wc_version "
             "and wc_sec 0)");
        return 0;
    }
    t0 = kit_system_time_ns();
    kit_wallclock_base(&sec, &nsec, &ver);
    printf("gettimeofday: tv_sec=%lu tv_usec=%06u system_time_ns=%lu "
           "wc_version=%u\n",
           tv.tv_sec, tv.tv_usec, t0, ver);
    if (ver & 1) {
        printf("gettimeofday: FAIL: wc_version %u is odd after a read\n", ver);
        return 1;
    }

    prev = kit_system_time_ns();
    for (i = 0; i < reads; i++) {
        uint64_t t = kit_system_time_ns();

        if (t < prev) {
            printf("gettimeofday: FAIL: system time went back from %lu to "
                   "%lu ns at read %lu\n",
                   prev, t, i);
            return 1;
        }
        prev = t;
    }

    khz = kit_tsc_khz();
    if (!khz) {
        printf("gettimeofday: OK reads=%lu tsc_khz=0 rate_ppm=-\n", reads);
        return 0;
    }
    /* 20 ms of system time against the TSC */
    c0 = kit_rdtsc();
    t0 = kit_system_time_ns();
    do
        t1 = kit_system_time_ns();
    while (t1 - t0 < 20000000);
    c1 = kit_rdtsc();
    {
        uint64_t tsc_ns = (c1 - c0) * 1000 / khz * 1000;
        int64_t dev = (int64_t)(t1 - t0) - (int64_t)tsc_ns;
        int64_t ppm = dev * 1000000 / (int64_t)tsc_ns;

        if (ppm > 10000 || ppm < -10000) {
            printf("gettimeofday: FAIL: system time advanced %lu ns while "
                   "the TSC advanced %lu ns (%ld ppm)\n",
                   t1 - t0, tsc_ns, ppm);
            return 1;
        }
        printf("gettimeofday: OK reads=%lu tsc_khz=%u rate_ppm=%ld\n", reads,
               khz, ppm);
    }
    return 0;
}
