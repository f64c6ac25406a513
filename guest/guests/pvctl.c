/* pvctl: the PV drivers a toolstack talks to, in a small guest: PV
 * shutdown, a balloon driver, vCPU hot-plug, sysrq, and a PV console that
 * ticks and echoes.  For the lifecycle tests of xl (tests/xl/).
 *
 * Command line: tick_ms=N (0: no ticks), reserve_kb=N (RAM the balloon
 * never takes; 1024).
 *
 * Through console_io (the hypervisor console, `xl dmesg`), one line each:
 *
 *   pvctl: ready domid=D vcpus=V ram_kb=K xenstore=yes|no console=yes|no
 *   pvctl: shutdown poweroff|reboot|halt       then SCHEDOP_shutdown
 *   pvctl: shutdown request "X" ignored        (suspend, unknown)
 *   pvctl: sysrq C
 *   pvctl: balloon target_kb=T current_kb=C     after each change
 *   pvctl: vcpu N online|offline
 *
 * Through the PV console ring (xenconsoled's pty, `xl console`): every
 * tick_ms "pvctl: tick N", and every line typed is echoed back as
 * "pvctl: echo LINE".
 *
 * How it follows XenStore: it watches control/shutdown, control/sysrq,
 * memory/target and cpu, and re-reads those nodes whenever watch events
 * are waiting (the kit keeps those that come while it waits for a reply,
 * so none is lost while the nodes are read).  It writes control/feature-poweroff and
 * control/feature-reboot = 1 and acknowledges a shutdown request by
 * writing "" back, as Linux does.
 *
 * Balloon: memory/target is the domain's RAM in kB.  Pages are taken from
 * the free RAM above the image (kit_page_alloc) and given back with
 * XENMEM_decrease_reservation; growing repopulates ballooned pages with
 * XENMEM_populate_physmap (never beyond the RAM the domain booted with).
 *
 * vCPUs: cpu/N/availability "online" starts vCPU N (VCPUOP_initialise +
 * up the first time, VCPUOP_up after that); "offline" asks it (through an
 * IPI event channel) to take itself down with VCPUOP_down.  vCPU 0 stays.
 */
#include "kit.h"

#include <xen/io/xs_wire.h>
#include <xen/memory.h>
#include <xen/sched.h>
#include <xen/vcpu.h>

#define P "pvctl: "
#define BATCH 256

static int domid;
static char home[40];
static uint64_t tick_ms, reserve_kb = 1024;
static int have_xs;

/* ---- XenStore ------------------------------------------------------------ */

static long xs_read_rel(const char *rel, char *buf, size_t cap)
{
    char path[96];

    snprintf(path, sizeof(path), "%s/%s", home, rel);
    return kit_xs_read(path, buf, cap);
}

static long xs_write_rel(const char *rel, const char *value)
{
    char path[96];

    snprintf(path, sizeof(path), "%s/%s", home, rel);
    return kit_xs_write(path, value);
}

static long xs_watch(const char *rel, const char *token)
{
    char path[128];

    snprintf(path, sizeof(path), "%s/%s", home, rel);
    return kit_xs_watch(path, token);
}

/* Takes every watch event waiting; returns how many. */
static int xs_take_events(void)
{
    char ev[256];
    int n = 0;

    while (kit_xs_event_pending() && kit_xs_read_event(ev, sizeof(ev), 0) >= 0)
        n++;
    return n;
}

/* ---- balloon ----------------------------------------------------------------- */

static uint64_t ram_pages;        /* what the domain booted with */
static uint64_t *gone;            /* gfns given back to the hypervisor */
static uint64_t nr_gone;
static uint64_t *spare;           /* ours, populated, unused */
static uint64_t nr_spare;
static uint64_t alloc_left;       /* pages kit_page_alloc may still give us */

static long reservation(unsigned int cmd, uint64_t *gfns, uint64_t n)
{
    struct xen_memory_reservation r;

    memset(&r, 0, sizeof(r));
    set_xen_guest_handle(r.extent_start, (xen_pfn_t *)gfns);
    r.nr_extents = n;
    r.extent_order = 0;
    r.domid = DOMID_SELF;
    return HYPERVISOR_memory_op(cmd, &r);
}

static void balloon_init(void)
{
    uint64_t *probe;

    ram_pages = kit_ram_end() / KIT_PAGE_SIZE;
    gone = kit_page_alloc((ram_pages * 8 + KIT_PAGE_SIZE - 1) / KIT_PAGE_SIZE);
    spare = kit_page_alloc((ram_pages * 8 + KIT_PAGE_SIZE - 1) / KIT_PAGE_SIZE);
    /* The kit hands out RAM upwards from here: what is left above. */
    probe = kit_page_alloc(1);
    alloc_left = (kit_ram_end() - (uint64_t)(uintptr_t)probe) / KIT_PAGE_SIZE - 1;
    spare[nr_spare++] = (uint64_t)(uintptr_t)probe / KIT_PAGE_SIZE;
    if (alloc_left > reserve_kb / 4)
        alloc_left -= reserve_kb / 4;
    else
        alloc_left = 0;
}

static void balloon_to(uint64_t target_kb)
{
    uint64_t want = target_kb / 4, cur = ram_pages - nr_gone;

    while (cur > want) {
        uint64_t n = cur - want, batch[BATCH];
        uint64_t k = 0;
        long done;

        if (n > BATCH)
            n = BATCH;
        while (k < n && nr_spare)
            batch[k++] = spare[--nr_spare];
        while (k < n && alloc_left) {
            batch[k++] = (uint64_t)(uintptr_t)kit_page_alloc(1) / KIT_PAGE_SIZE;
            alloc_left--;
        }
        if (!k)
            break;                 /* nothing left to give */
        done = reservation(XENMEM_decrease_reservation, batch, k);
        if (done < 0)
            done = 0;
        for (uint64_t i = 0; i < (uint64_t)done; i++)
            gone[nr_gone++] = batch[i];
        for (uint64_t i = (uint64_t)done; i < k; i++)
            spare[nr_spare++] = batch[i];
        cur -= (uint64_t)done;
        if ((uint64_t)done < k)
            break;
    }
    while (cur < want && nr_gone) {
        uint64_t n = want - cur, batch[BATCH];
        long done;

        if (n > BATCH)
            n = BATCH;
        if (n > nr_gone)
            n = nr_gone;
        memcpy(batch, gone + nr_gone - n, n * sizeof(batch[0]));
        done = reservation(XENMEM_populate_physmap, batch, n);
        if (done <= 0)
            break;
        nr_gone -= (uint64_t)done;
        for (uint64_t i = 0; i < (uint64_t)done; i++)
            spare[nr_spare++] = batch[i];
        cur += (uint64_t)done;
        if ((uint64_t)done < n)
            break;
    }
    printf(P "balloon target_kb=%lu current_kb=%lu\n", target_kb, cur * 4);
}

/* ---- vCPUs -------------------------------------------------------------------- */

static int nr_vcpus;
static volatile int vcpu_online[KIT_MAX_CPUS];
static volatile int vcpu_down_wanted[KIT_MAX_CPUS];
static int vcpu_started[KIT_MAX_CPUS];
static int vcpu_ipi[KIT_MAX_CPUS];

static void ap_main(unsigned int id)
{
    uint32_t seen = kit_evtchn_count((unsigned int)vcpu_ipi[id]);

    for (;;) {
        vcpu_online[id] = 1;
        printf(P "vcpu %u online\n", id);
        while (!vcpu_down_wanted[id])
            kit_evtchn_wait((unsigned int)vcpu_ipi[id], &seen, 0);
        vcpu_down_wanted[id] = 0;
        vcpu_online[id] = 0;
        printf(P "vcpu %u offline\n", id);
        HYPERVISOR_vcpu_op(VCPUOP_down, (int)id, NULL);
        /* VCPUOP_up resumes here. */
    }
}

static void vcpu_set(int id, int online)
{
    long rc;

    if (online && !vcpu_online[id]) {
        if (!vcpu_started[id]) {
            if (vcpu_ipi[id] <= 0)
                vcpu_ipi[id] = kit_evtchn_bind_ipi((unsigned int)id, NULL, NULL);
            rc = vcpu_ipi[id] > 0 ? kit_smp_start((unsigned int)id, ap_main,
                                                  KIT_SMP_VCPUOP64, 0)
                                  : vcpu_ipi[id];
            vcpu_started[id] = rc == 0;
        } else {
            rc = HYPERVISOR_vcpu_op(VCPUOP_up, id, NULL);
        }
        if (rc)
            printf(P "vcpu %d cannot come online: %ld (%s)\n", id, rc, kit_errname(rc));
        else
            while (!vcpu_online[id])
                kit_relax();
    } else if (!online && vcpu_online[id]) {
        vcpu_down_wanted[id] = 1;
        kit_evtchn_send((unsigned int)vcpu_ipi[id]);
        while (vcpu_online[id])
            kit_relax();
    }
}

/* ---- the control nodes ------------------------------------------------------ */

static char last_target[24];

static void check_nodes(void)
{
    char buf[64];
    long rc;

    rc = xs_read_rel("control/shutdown", buf, sizeof(buf));
    if (rc > 0) {
        unsigned int reason = SHUTDOWN_poweroff;
        int act = 1;

        if (!strcmp(buf, "reboot"))
            reason = SHUTDOWN_reboot;
        else if (strcmp(buf, "poweroff") && strcmp(buf, "halt"))
            act = 0;
        xs_write_rel("control/shutdown", "");
        if (act) {
            printf(P "shutdown %s\n", buf);
            kit_shutdown(reason);
        }
        printf(P "shutdown request \"%s\" ignored\n", buf);
    }
    rc = xs_read_rel("control/sysrq", buf, sizeof(buf));
    if (rc > 0) {
        xs_write_rel("control/sysrq", "");
        printf(P "sysrq %s\n", buf);
    }
    rc = xs_read_rel("memory/target", buf, sizeof(buf));
    if (rc > 0 && strcmp(buf, last_target)) {
        uint64_t kb = 0;

        memcpy(last_target, buf, sizeof(last_target) - 1);
        for (const char *p = buf; *p >= '0' && *p <= '9'; p++)
            kb = kb * 10 + (uint64_t)(*p - '0');
        balloon_to(kb);
    }
    for (int i = 1; i < nr_vcpus; i++) {
        char rel[40];

        snprintf(rel, sizeof(rel), "cpu/%d/availability", i);
        rc = xs_read_rel(rel, buf, sizeof(buf));
        if (rc > 0)
            vcpu_set(i, !strcmp(buf, "online"));
    }
}

/* ---- the PV console ----------------------------------------------------------- */

static char in_line[128];
static size_t in_len;

static void cons_say(const char *s, size_t len)
{
    kit_pvcons_write(s, len, 0);
}

static void cons_input(void)
{
    char buf[64];
    size_t n;

    while ((n = kit_pvcons_read(buf, sizeof(buf))) > 0) {
        for (size_t i = 0; i < n; i++) {
            if (buf[i] == '\r' || buf[i] == '\n') {
                char out[sizeof(in_line) + 32];
                int k = snprintf(out, sizeof(out), P "echo %.*s\r\n", (int)in_len, in_line);

                if (in_len)
                    cons_say(out, (size_t)k);
                in_len = 0;
            } else if (in_len < sizeof(in_line)) {
                in_line[in_len++] = buf[i];
            }
        }
    }
}

/* ---- main ------------------------------------------------------------------------ */

/* Sleeps until a watch event is unread, console input came, or the
 * deadline (0: none).  Any upcall ends a hlt; the conditions are looked at
 * with interrupts off, so nothing is missed in between. */
static void wait_any(unsigned int cons_port, uint32_t *cons_seen, uint64_t deadline)
{
    for (;;) {
        kit_cli();
        if (have_xs && kit_xs_event_pending())
            break;
        if (cons_port && kit_evtchn_count(cons_port) != *cons_seen)
            break;
        if (deadline && kit_now_ns() >= deadline)
            break;
        if (deadline)
            kit_timer_singleshot(deadline, 0);
        kit_sti_hlt();
    }
    if (cons_port)
        *cons_seen = kit_evtchn_count(cons_port);
}

int guest_main(void)
{
    uint64_t next_tick = 0, ticks = 0;
    unsigned int cons_port = 0;
    uint32_t cons_seen = 0;
    int have_cons;

    kit_cmdline_u64("tick_ms", &tick_ms);
    kit_cmdline_u64("reserve_kb", &reserve_kb);
    domid = kit_domid();
    snprintf(home, sizeof(home), "/local/domain/%d", domid);
    if (kit_evtchn_init())
        kit_panic(P "no event channels");
    kit_timer_port();
    nr_vcpus = kit_smp_count();
    if (nr_vcpus < 1)
        nr_vcpus = 1;
    if (nr_vcpus > KIT_MAX_CPUS)
        nr_vcpus = KIT_MAX_CPUS;
    balloon_init();

    have_cons = kit_pvcons_init() == 0;
    if (have_cons) {
        cons_port = kit_pvcons_port;
        cons_seen = kit_evtchn_count(cons_port);
    }
    have_xs = kit_xs_init() == 0 && xs_write_rel("control/feature-poweroff", "1") == 0;
    if (have_xs) {
        xs_write_rel("control/feature-reboot", "1");
        xs_watch("control/shutdown", "s");
        xs_watch("control/sysrq", "q");
        xs_watch("memory/target", "m");
        xs_watch("cpu", "c");
        /* The target as booted: no balloon change for it. */
        xs_read_rel("memory/target", last_target, sizeof(last_target));
    }
    printf(P "ready domid=%d vcpus=%d ram_kb=%lu xenstore=%s console=%s\n", domid, nr_vcpus,
           ram_pages * 4, have_xs ? "yes" : "no", have_cons ? "yes" : "no");
    if (have_xs)
        check_nodes();
    if (tick_ms)
        next_tick = kit_now_ns() + tick_ms * 1000000ull;
    for (;;) {
        uint64_t now, deadline = next_tick;

        wait_any(cons_port, &cons_seen, deadline);
        now = kit_now_ns();
        if (have_cons)
            cons_input();
        if (next_tick && now >= next_tick) {
            char line[48];
            int n = snprintf(line, sizeof(line), P "tick %lu\r\n", ++ticks);

            cons_say(line, (size_t)n);
            next_tick = now + tick_ms * 1000000ull;
        }
        /* Events that come while check_nodes() reads are kept by the
         * kit: the next turn sees them. */
        if (have_xs && xs_take_events())
            check_nodes();
    }
}
