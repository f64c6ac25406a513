#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "xenguest.h"
#include "xktest.h"
#include "util.h"

uint64_t xkt_now_ns(void)
{
    return xk_now_ns();
}

int xkt_build(xc_interface *xch, const char *kernel, unsigned int mem_mb, unsigned int vcpus,
              const char *cmdline, uint32_t *domid, char *err, size_t errlen)
{
    struct xen_domctl_createdomain cfg;
    struct xc_dom_image *dom = NULL;
    uint32_t d = DOMID_INVALID;

    memset(&cfg, 0, sizeof(cfg));
    cfg.flags = XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap;
    cfg.max_vcpus = vcpus;
    cfg.max_evtchn_port = 1023;
    cfg.max_grant_frames = 64;
    cfg.max_maptrack_frames = 1024;
    cfg.arch.emulation_flags = XEN_X86_EMU_LAPIC;
    xk_uuid_generate(cfg.handle);
    if (xc_domain_create(xch, &d, &cfg) < 0) {
        snprintf(err, errlen, "xc_domain_create: %s", strerror(errno));
        return -1;
    }
    if (xc_domain_setmaxmem(xch, d, (uint64_t)mem_mb * 1024 + 1024) < 0) {
        snprintf(err, errlen, "xc_domain_setmaxmem: %s", strerror(errno));
        goto fail;
    }
    dom = xc_dom_allocate(xch, cmdline, NULL);
    if (!dom) {
        snprintf(err, errlen, "xc_dom_allocate: %s", strerror(errno));
        goto fail;
    }
    if (xc_dom_kernel_file(dom, kernel) < 0 || xc_dom_boot_xen_init(dom, xch, d) < 0 ||
        xc_dom_parse_image(dom) < 0 || xc_dom_mem_init(dom, mem_mb) < 0 ||
        xc_dom_boot_mem_init(dom) < 0 || xc_dom_build_image(dom) < 0 ||
        xc_dom_boot_image(dom) < 0) {
        const xc_error *e = xc_get_last_error(xch);
        snprintf(err, errlen, "%s", e->message[0] ? e->message : strerror(errno));
        goto fail;
    }
    xc_dom_release(dom);
    *domid = d;
    return 0;

fail:
    xc_dom_release(dom);
    xc_domain_destroy(xch, d);
    return -1;
}

uint32_t xkt_console_index(xc_interface *xch)
{
    uint32_t state = 0, console = 0;

    xc_xk_wait(xch, DOMID_INVALID, XC_WAIT_CONSOLE, &state, &console, 0);
    return console;
}

int xkt_console_lines(xc_interface *xch, uint32_t *index, char *partial, size_t cap,
                      xkt_line_fn fn, void *ctx)
{
    char buf[16384];

    for (;;) {
        unsigned int n = sizeof(buf);
        if (xc_readconsolering(xch, buf, &n, 0, 1, index) < 0)
            return -1;
        if (n == 0)
            return 0;
        for (unsigned int i = 0; i < n; i++) {
            size_t l = strlen(partial);
            if (buf[i] == '\n') {
                fn(ctx, partial);
                partial[0] = '\0';
            } else if (l + 1 < cap) {
                partial[l] = buf[i];
                partial[l + 1] = '\0';
            }
        }
    }
}

const char *xkt_state_name(const xc_domaininfo_t *info)
{
    static const char *const reasons[] = { "poweroff", "reboot", "suspend", "crash", "watchdog",
                                           "soft_reset" };
    uint32_t f = info->flags;

    if (f & XEN_DOMINF_dying)
        return "dying";
    if (f & XEN_DOMINF_shutdown) {
        unsigned r = (f >> XEN_DOMINF_shutdownshift) & XEN_DOMINF_shutdownmask;
        return r < 6 ? reasons[r] : "shutdown";
    }
    if (f & XEN_DOMINF_paused)
        return "paused";
    if (f & XEN_DOMINF_blocked)
        return "blocked";
    return "running";
}
