/* timer: the vCPU timers, each raising VIRQ_TIMER.  Command line:
 * delay_ms=N (20) period_ms=N (10) ticks=N (10) slack_ms=N (20).
 *
 *   timer: singleshot delay_us=D late_us=L
 *   timer: singleshot_past_future rc=R         (-ETIME, or 0 and it fired)
 *   timer: singleshot_past late_us=L
 *   timer: stop_singleshot ok
 *   timer: set_timer_op late_us=L
 *   timer: set_timer_op_cancel ok
 *   timer: periodic period_us=P ticks=N mean_us=M min_us=A max_us=B
 *   timer: stop_periodic ok
 *   timer: hlt_wake late_us=L
 *   timer: OK
 *
 * A timer must not fire before its deadline (by more than 100 us of clock
 * skew) nor later than slack_ms after it; periodic ticks must average
 * between the period and the period plus slack_ms (less slack_ms / ticks
 * when the first tick was late and the rest kept to their grid; min and
 * max are only reported); a stopped or cancelled timer must stay quiet for 3 delays.  Waits spin
 * with interrupts enabled (so a broken timer ends in a FAIL line, not a
 * hang), except hlt_wake, which sleeps in hlt until the singleshot timer
 * wakes the vCPU.  "timer: FAIL: ..." crashes; "timer: SKIP: ..." when
 * the hypervisor lacks time or the timer hypercalls (poweroff). */
#include "kit.h"

#include <xen/vcpu.h>

#define P "timer: "

#define EARLY_NS 100000

static uint64_t slack_ns;
static volatile uint64_t tick_time[64];
static volatile unsigned int ticks;

static void on_tick(void *arg)
{
    (void)arg;
    if (ticks < KIT_ARRAY_SIZE(tick_time))
        tick_time[ticks] = kit_system_time_ns();
    ticks++;
}

/* Spins with interrupts enabled until `want` ticks came or `until`
 * (without an upcall, handling events by hand). */
static int spin_for_ticks(unsigned int want, uint64_t until)
{
    int by_hand = kit_upcall_mode == KIT_UPCALL_NONE;

    kit_sti();
    while (ticks < want && kit_now_ns() < until) {
        if (by_hand) {
            kit_cli();
            kit_evtchn_poll();
            kit_sti();
        }
        kit_pause();
    }
    kit_cli();
    return ticks >= want;
}

/* One fire expected at deadline (ticks was zeroed before arming): checks
 * it came, not early, not late.  Returns the lateness in us, or -1. */
static int check_fire(const char *name, uint64_t deadline)
{
    int64_t late;

    if (!spin_for_ticks(1, deadline + slack_ns + 1000000000ull)) {
        printf("timer: FAIL: %s: no VIRQ_TIMER within 1 s after the "
               "deadline\n",
               name);
        return -1;
    }
    late = (int64_t)(tick_time[0] - deadline);
    if (late < -EARLY_NS || late > (int64_t)slack_ns) {
        printf("timer: FAIL: %s: fired %ld us %s its deadline\n", name,
               (late < 0 ? -late : late) / 1000, late < 0 ? "before" : "after");
        return -1;
    }
    return late < 0 ? 0 : (int)(late / 1000);
}

static int check_quiet(const char *name, uint64_t ns)
{
    ticks = 0;
    if (spin_for_ticks(1, kit_now_ns() + ns)) {
        printf("timer: FAIL: %s: VIRQ_TIMER came anyway\n", name);
        return 1;
    }
    printf("timer: %s ok\n", name);
    return 0;
}

int guest_main(void)
{
    uint64_t delay_ms = 20, period_ms = 10, nticks = 10, slack_ms = 20;
    uint64_t delay, period, dl, now, sum, mn, mx, mean;
    unsigned int i;
    long rc;
    int late;

    kit_cmdline_u64("delay_ms", &delay_ms);
    kit_cmdline_u64("period_ms", &period_ms);
    kit_cmdline_u64("ticks", &nticks);
    kit_cmdline_u64("slack_ms", &slack_ms);
    if (nticks < 2 || nticks > KIT_ARRAY_SIZE(tick_time))
        nticks = 10;
    delay = delay_ms * 1000000;
    period = period_ms * 1000000;
    slack_ns = slack_ms * 1000000;

    rc = kit_time_init();
    if (rc) {
        printf("timer: FAIL: mapping shared info: %ld (%s)\n", rc,
               kit_errname(rc));
        return 1;
    }
    if (!kit_time_valid()) {
        puts("timer: SKIP: vcpu_time_info not filled in");
        return 0;
    }
    rc = kit_timer_init(on_tick, NULL);
    if (rc < 0)
        return kit_skip_or_fail(P, "EVTCHNOP_bind_virq(VIRQ_TIMER)", rc);

    /* singleshot in the future */
    ticks = 0;
    dl = kit_now_ns() + delay;
    rc = kit_timer_singleshot(dl, VCPU_SSHOTTMR_future);
    if (rc)
        return kit_skip_or_fail(P, "VCPUOP_set_singleshot_timer", rc);
    if ((late = check_fire("singleshot", dl)) < 0)
        return 1;
    printf("timer: singleshot delay_us=%lu late_us=%d\n", delay / 1000, late);

    /* in the past, with VCPU_SSHOTTMR_future: -ETIME, or the hypervisor
     * ignores the flag (the ABI allows it) and it fires at once */
    ticks = 0;
    now = kit_now_ns();
    rc = kit_timer_singleshot(now - 1000000, VCPU_SSHOTTMR_future);
    if (rc == -XEN_ETIME) {
        if (check_quiet("singleshot_past_future_quiet", 3 * delay))
            return 1;
    } else if (rc == 0) {
        if (check_fire("singleshot_past_future", now) < 0)
            return 1;
    } else {
        return kit_skip_or_fail(P, "VCPUOP_set_singleshot_timer(past, future)",
                                rc);
    }
    printf("timer: singleshot_past_future rc=%ld\n", rc);

    /* in the past without the flag: fires at once */
    ticks = 0;
    now = kit_now_ns();
    rc = kit_timer_singleshot(now - 1000000, 0);
    if (rc)
        return kit_skip_or_fail(P, "VCPUOP_set_singleshot_timer(past)", rc);
    if ((late = check_fire("singleshot_past", now)) < 0)
        return 1;
    printf("timer: singleshot_past late_us=%d\n", late);

    /* stopped before it fires */
    rc = kit_timer_singleshot(kit_now_ns() + delay, 0);
    if (!rc)
        rc = kit_timer_stop_singleshot();
    if (rc)
        return kit_skip_or_fail(P, "VCPUOP_stop_singleshot_timer", rc);
    if (check_quiet("stop_singleshot", 3 * delay))
        return 1;

    /* set_timer_op: the same timer through the old hypercall */
    ticks = 0;
    dl = kit_now_ns() + delay;
    rc = kit_set_timer_op(dl);
    if (rc)
        return kit_skip_or_fail(P, "set_timer_op", rc);
    if ((late = check_fire("set_timer_op", dl)) < 0)
        return 1;
    printf("timer: set_timer_op late_us=%d\n", late);
    rc = kit_set_timer_op(kit_now_ns() + delay);
    if (!rc)
        rc = kit_set_timer_op(0);
    if (rc)
        return kit_skip_or_fail(P, "set_timer_op(0)", rc);
    if (check_quiet("set_timer_op_cancel", 3 * delay))
        return 1;

    /* periodic */
    ticks = 0;
    rc = kit_timer_periodic(period);
    if (rc)
        return kit_skip_or_fail(P, "VCPUOP_set_periodic_timer", rc);
    if (!spin_for_ticks((unsigned int)nticks,
                        kit_now_ns() + nticks * period + slack_ns +
                            1000000000ull)) {
        kit_timer_stop_periodic();
        printf("timer: FAIL: periodic: %u of %lu ticks in %lu ms\n", ticks,
               nticks, nticks * period_ms + slack_ms + 1000);
        return 1;
    }
    rc = kit_timer_stop_periodic();
    if (rc)
        return kit_skip_or_fail(P, "VCPUOP_stop_periodic_timer", rc);
    sum = 0;
    mn = UINT64_MAX;
    mx = 0;
    for (i = 1; i < nticks; i++) {
        uint64_t d = tick_time[i] - tick_time[i - 1];

        sum += d;
        mn = d < mn ? d : mn;
        mx = d > mx ? d : mx;
    }
    printf("timer: periodic period_us=%lu ticks=%lu mean_us=%lu min_us=%lu "
           "max_us=%lu\n",
           period / 1000, nticks, sum / (nticks - 1) / 1000, mn / 1000,
           mx / 1000);
    mean = sum / (nticks - 1);
    /* one late tick may be followed by a short interval (a hypervisor
     * may keep the ticks on their grid), so only the mean is checked */
    if (mean + EARLY_NS + slack_ns / (nticks - 1) < period ||
        mean > period + slack_ns) {
        puts("timer: FAIL: periodic ticks off their period");
        return 1;
    }
    if (check_quiet("stop_periodic", 3 * period + delay))
        return 1;

    /* a halted vCPU is woken by its timer (through the upcall) */
    if (kit_upcall_mode == KIT_UPCALL_NONE) {
        puts("timer: hlt_wake skipped (upcall=none)");
        puts("timer: OK");
        return 0;
    }
    puts("timer: hlt_wake ...");
    ticks = 0;
    dl = kit_now_ns() + delay;
    rc = kit_timer_singleshot(dl, 0);
    if (rc)
        return kit_skip_or_fail(P, "VCPUOP_set_singleshot_timer", rc);
    while (!ticks)
        kit_sti_hlt();
    kit_cli();
    late = (int)((int64_t)(tick_time[0] - dl) / 1000);
    if (late < -EARLY_NS / 1000 || late > (int)(slack_ns / 1000)) {
        printf("timer: FAIL: hlt_wake: woke %d us after the deadline\n",
               late);
        return 1;
    }
    printf("timer: hlt_wake late_us=%d\n", late);
    puts("timer: OK");
    return 0;
}
