/* The emulated LAPIC: registers, priorities, timers, IPIs, errors. */
#include "config.h"

#include <glib.h>
#include <stdint.h>
#include <string.h>

#include "vlapic.h"

static struct vlapic_ipi last_ipi;
static int ipis;

static void send_ipi(void *ctx, const struct vlapic_ipi *ipi)
{
    (void)ctx;
    last_ipi = *ipi;
    ipis++;
}

/* Guest TSC runs at 1 GHz from 0 at ns 1000 in this test. */
static uint64_t tsc_to_ns(void *ctx, uint64_t tsc)
{
    (void)ctx;
    return tsc + 1000;
}

static const struct vlapic_ops ops = { .send_ipi = send_ipi, .tsc_to_ns = tsc_to_ns };

static void setup(struct vlapic *l)
{
    vlapic_init(l, 4, &ops, NULL);
    vlapic_write(l, APIC_SPIV, APIC_SPIV_ENABLED | 0xff, 0);
}

static void test_reset(void)
{
    struct vlapic l;

    vlapic_init(&l, 6, &ops, NULL);
    g_assert_cmphex(vlapic_read(&l, APIC_ID, 0), ==, 6u << 24);
    g_assert_cmphex(vlapic_read(&l, APIC_LVR, 0), ==, VLAPIC_VERSION);
    g_assert_cmphex(vlapic_read(&l, APIC_SPIV, 0), ==, 0xff);
    g_assert_cmphex(vlapic_read(&l, APIC_DFR, 0), ==, 0xffffffff);
    g_assert_cmphex(vlapic_read(&l, APIC_LVTT, 0), ==, APIC_LVT_MASKED);
    g_assert_cmphex(vlapic_read(&l, APIC_LVTERR, 0), ==, APIC_LVT_MASKED);
    g_assert_false(vlapic_enabled(&l));
    /* Software-disabled: nothing is delivered, LVTs stay masked. */
    vlapic_accept(&l, 0x40);
    g_assert_cmpint(vlapic_pending(&l), ==, -1);
    vlapic_write(&l, APIC_LVTT, 0x30, 0);
    g_assert_true(vlapic_read(&l, APIC_LVTT, 0) & APIC_LVT_MASKED);
}

static void test_priority(void)
{
    struct vlapic l;

    setup(&l);
    vlapic_accept(&l, 0x31);
    vlapic_accept(&l, 0x52);
    g_assert_cmpint(vlapic_pending(&l), ==, 0x52);
    vlapic_ack(&l, 0x52);
    /* In service 0x52: 0x31 is below its class, so it waits. */
    g_assert_cmpint(vlapic_pending(&l), ==, -1);
    g_assert_cmphex(vlapic_read(&l, APIC_PROCPRI, 0), ==, 0x50);
    g_assert_cmphex(vlapic_read(&l, APIC_ISR + 0x20, 0), ==, 1u << (0x52 - 64));
    vlapic_accept(&l, 0x61);
    g_assert_cmpint(vlapic_pending(&l), ==, 0x61);
    vlapic_ack(&l, 0x61);
    vlapic_write(&l, APIC_EOI, 0, 0);      /* EOI ends 0x61, the highest */
    g_assert_cmpint(vlapic_pending(&l), ==, -1);
    vlapic_write(&l, APIC_EOI, 0, 0);      /* ends 0x52 */
    g_assert_cmpint(vlapic_pending(&l), ==, 0x31);
    /* TPR masks a class and below. */
    vlapic_write(&l, APIC_TASKPRI, 0x30, 0);
    g_assert_cmpint(vlapic_pending(&l), ==, -1);
    vlapic_write(&l, APIC_TASKPRI, 0x20, 0);
    g_assert_cmpint(vlapic_pending(&l), ==, 0x31);
    g_assert_cmpuint(vlapic_tpr(&l), ==, 0x20);
}

static void test_errors(void)
{
    struct vlapic l;

    setup(&l);
    /* An illegal vector received, then sent. */
    g_assert_false(vlapic_accept(&l, 5));
    vlapic_write(&l, APIC_ICR, 0x000004003, 0);   /* fixed, vector 3 */
    g_assert_cmpint(ipis, ==, 0);
    /* ESR reads the value latched by the last write. */
    g_assert_cmphex(vlapic_read(&l, APIC_ESR, 0), ==, 0);
    vlapic_write(&l, APIC_ESR, 0, 0);
    g_assert_cmphex(vlapic_read(&l, APIC_ESR, 0), ==, APIC_ESR_RECV_ILLEGAL | APIC_ESR_SEND_ILLEGAL);
    vlapic_write(&l, APIC_ESR, 0, 0);
    g_assert_cmphex(vlapic_read(&l, APIC_ESR, 0), ==, 0);
    /* A write to a read-only register is an illegal register access,
     * which raises the LVT error vector when unmasked. */
    vlapic_write(&l, APIC_LVTERR, 0xe3, 0);
    vlapic_write(&l, APIC_LVR, 1, 0);
    vlapic_write(&l, APIC_ESR, 0, 0);
    g_assert_cmphex(vlapic_read(&l, APIC_ESR, 0), ==, APIC_ESR_ILLEGAL_REG);
    g_assert_cmpint(vlapic_pending(&l), ==, 0xe3);
}

static void test_icr(void)
{
    struct vlapic l;

    setup(&l);
    ipis = 0;
    vlapic_write(&l, APIC_ICR2, 0x07000000, 0);
    vlapic_write(&l, APIC_ICR, 0x000040f1, 0);    /* fixed, level, vector 0xf1 */
    g_assert_cmpint(ipis, ==, 1);
    g_assert_cmpuint(last_ipi.vector, ==, 0xf1);
    g_assert_cmpuint(last_ipi.mode, ==, APIC_DM_FIXED);
    g_assert_cmpuint(last_ipi.dest, ==, 7);
    g_assert_false(last_ipi.logical);
    /* Delivery status reads idle. */
    g_assert_cmphex(vlapic_read(&l, APIC_ICR, 0) & (1u << 12), ==, 0);
    vlapic_write(&l, APIC_ICR, 0x000c4500, 0);    /* INIT, all-but-self */
    g_assert_cmpuint(last_ipi.mode, ==, APIC_DM_INIT);
    g_assert_cmpuint(last_ipi.shorthand, ==, APIC_SH_OTHERS);
    vlapic_write(&l, APIC_ICR, 0x00000698, 0);    /* SIPI vector 0x98 */
    g_assert_cmpuint(last_ipi.mode, ==, APIC_DM_STARTUP);
    g_assert_cmpuint(last_ipi.vector, ==, 0x98);
    vlapic_write(&l, APIC_ICR, 0x00000c00 | 0x400, 0);    /* NMI, logical */
    g_assert_cmpuint(last_ipi.mode, ==, APIC_DM_NMI);
    g_assert_true(last_ipi.logical);
}

static void test_dest(void)
{
    struct vlapic l;

    setup(&l);
    g_assert_true(vlapic_match_dest(&l, 4, false));
    g_assert_true(vlapic_match_dest(&l, 0xff, false));
    g_assert_false(vlapic_match_dest(&l, 5, false));
    vlapic_write(&l, APIC_LDR, 0x02000000, 0);    /* flat model, bit 1 */
    g_assert_true(vlapic_match_dest(&l, 0x03, true));
    g_assert_false(vlapic_match_dest(&l, 0x04, true));
    vlapic_write(&l, APIC_DFR, 0x0fffffff, 0);    /* cluster model */
    vlapic_write(&l, APIC_LDR, 0x21000000, 0);    /* cluster 2, member 1 */
    g_assert_true(vlapic_match_dest(&l, 0x23, true));
    g_assert_false(vlapic_match_dest(&l, 0x13, true));
}

static void test_timer_oneshot(void)
{
    struct vlapic l;

    setup(&l);
    vlapic_write(&l, APIC_TDCR, 0x3, 0);          /* divide by 16 */
    vlapic_write(&l, APIC_LVTT, 0x40, 0);         /* one-shot, vector 0x40 */
    vlapic_write(&l, APIC_TMICT, 1000, 5000);     /* 16000 ns */
    g_assert_cmpuint(vlapic_timer_deadline(&l), ==, 21000);
    g_assert_cmpuint(vlapic_read(&l, APIC_TMCCT, 13000), ==, 500);
    g_assert_cmpuint(vlapic_timer_check(&l, 20999), ==, 21000);
    g_assert_cmpint(vlapic_pending(&l), ==, -1);
    g_assert_cmpuint(vlapic_timer_check(&l, 21000), ==, 0);
    g_assert_cmpint(vlapic_pending(&l), ==, 0x40);
    g_assert_cmpuint(vlapic_read(&l, APIC_TMCCT, 30000), ==, 0);
    /* Masked: expiry does not raise the vector. */
    vlapic_ack(&l, 0x40);
    vlapic_write(&l, APIC_EOI, 0, 0);
    vlapic_write(&l, APIC_LVTT, 0x40 | APIC_LVT_MASKED, 0);
    vlapic_write(&l, APIC_TMICT, 10, 40000);
    vlapic_timer_check(&l, 60000);
    g_assert_cmpint(vlapic_pending(&l), ==, -1);
    /* Writing 0 stops it. */
    vlapic_write(&l, APIC_TMICT, 10, 70000);
    vlapic_write(&l, APIC_TMICT, 0, 70001);
    g_assert_cmpuint(vlapic_timer_deadline(&l), ==, 0);
}

static void test_timer_periodic(void)
{
    struct vlapic l;

    setup(&l);
    vlapic_write(&l, APIC_TDCR, 0xb, 0);          /* divide by 1 */
    vlapic_write(&l, APIC_LVTT, APIC_TIMER_PERIODIC | 0x41, 0);
    vlapic_write(&l, APIC_TMICT, 100, 0);
    g_assert_cmpuint(vlapic_timer_check(&l, 100), ==, 200);
    g_assert_cmpint(vlapic_pending(&l), ==, 0x41);
    /* Late by several periods: one interrupt, next deadline after now. */
    g_assert_cmpuint(vlapic_timer_check(&l, 555), ==, 600);
    g_assert_cmpuint(l.timer_fired, ==, 2);
    /* A mode change disarms it. */
    vlapic_write(&l, APIC_LVTT, APIC_TIMER_ONESHOT | 0x41, 700);
    g_assert_cmpuint(vlapic_timer_deadline(&l), ==, 0);
    g_assert_cmpuint(vlapic_read(&l, APIC_TMICT, 700), ==, 0);
}

static void test_timer_tscdeadline(void)
{
    struct vlapic l;

    setup(&l);
    /* Not in TSC-deadline mode: the MSR reads 0 and ignores writes. */
    vlapic_set_tsc_deadline(&l, 5000, 0);
    g_assert_cmpuint(vlapic_get_tsc_deadline(&l), ==, 0);
    vlapic_write(&l, APIC_LVTT, APIC_TIMER_TSCDEADLINE | 0x42, 0);
    /* TMICT writes are ignored in this mode. */
    vlapic_write(&l, APIC_TMICT, 100, 0);
    g_assert_cmpuint(vlapic_read(&l, APIC_TMICT, 0), ==, 0);
    vlapic_set_tsc_deadline(&l, 5000, 0);
    g_assert_cmpuint(vlapic_get_tsc_deadline(&l), ==, 5000);
    g_assert_cmpuint(vlapic_timer_deadline(&l), ==, 6000);
    vlapic_timer_check(&l, 6000);
    g_assert_cmpint(vlapic_pending(&l), ==, 0x42);
    g_assert_cmpuint(vlapic_get_tsc_deadline(&l), ==, 0);
    /* A deadline in the past fires at once; 0 disarms. */
    vlapic_set_tsc_deadline(&l, 10, 9000);
    g_assert_cmpuint(vlapic_timer_deadline(&l), ==, 9000);
    vlapic_set_tsc_deadline(&l, 0, 9000);
    g_assert_cmpuint(vlapic_timer_deadline(&l), ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vlapic/reset", test_reset);
    g_test_add_func("/vlapic/priority", test_priority);
    g_test_add_func("/vlapic/errors", test_errors);
    g_test_add_func("/vlapic/icr", test_icr);
    g_test_add_func("/vlapic/dest", test_dest);
    g_test_add_func("/vlapic/timer-oneshot", test_timer_oneshot);
    g_test_add_func("/vlapic/timer-periodic", test_timer_periodic);
    g_test_add_func("/vlapic/timer-tsc-deadline", test_timer_tscdeadline);
    return g_test_run();
}
