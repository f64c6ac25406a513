#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "xenguest.h"
#include "xenstore.h"
#include "xktest.h"
#include "util.h"

uint64_t xkt_now_ns(void)
{
    return xk_now_ns();
}

static int use_xs;

void xkt_use_xenstore(int on)
{
    use_xs = on;
}

int xkt_create(xc_interface *xch, unsigned int mem_mb, unsigned int vcpus, uint32_t *domid,
               char *err, size_t errlen)
{
    struct xen_domctl_createdomain cfg;
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
        xc_domain_destroy(xch, d);
        return -1;
    }
    *domid = d;
    return 0;
}

static int xs_setup(uint32_t d, const struct xc_dom_image *dom, char *err, size_t errlen)
{
    struct xs_handle *xs = xs_open(0);
    char path[128], val[64];
    int rc = -1;

    if (!xs) {
        snprintf(err, errlen, "cannot reach xenstored: %s", strerror(errno));
        return -1;
    }
    /* As libxl does: the home is dom0's, readable by the guest ("n0 rN",
     * so what is written below inherits that); data/ and control/ are the
     * guest's own. */
    struct xs_permissions home[2] = { { .id = 0, .perms = XS_PERM_NONE },
                                      { .id = d, .perms = XS_PERM_READ } };
    struct xs_permissions own[1] = { { .id = d, .perms = XS_PERM_NONE } };
    snprintf(path, sizeof(path), "/local/domain/%u", d);
    if (!xs_mkdir(xs, XBT_NULL, path) || !xs_set_permissions(xs, XBT_NULL, path, home, 2)) {
        snprintf(err, errlen, "creating %s: %s", path, strerror(errno));
        goto out;
    }
    static const char *const owned[] = { "data", "control" };
    for (size_t i = 0; i < 2; i++) {
        snprintf(path, sizeof(path), "/local/domain/%u/%s", d, owned[i]);
        if (!xs_mkdir(xs, XBT_NULL, path) || !xs_set_permissions(xs, XBT_NULL, path, own, 1)) {
            snprintf(err, errlen, "creating %s: %s", path, strerror(errno));
            goto out;
        }
    }
    struct { const char *node; unsigned long long v; const char *s; } nodes[] = {
        { "domid", d, NULL },
        { "name", 0, NULL },
        { "console/ring-ref", dom->console_pfn, NULL },
        { "console/port", dom->console_evtchn, NULL },
        { "console/type", 0, "xenconsoled" },
        { "store/ring-ref", dom->xenstore_pfn, NULL },
        { "store/port", dom->xenstore_evtchn, NULL },
    };
    for (size_t i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++) {
        snprintf(path, sizeof(path), "/local/domain/%u/%s", d, nodes[i].node);
        if (nodes[i].s)
            snprintf(val, sizeof(val), "%s", nodes[i].s);
        else if (!strcmp(nodes[i].node, "name"))
            snprintf(val, sizeof(val), "xkt-d%u", d);
        else
            snprintf(val, sizeof(val), "%llu", nodes[i].v);
        if (!xs_write(xs, XBT_NULL, path, val, (unsigned int)strlen(val))) {
            snprintf(err, errlen, "writing %s: %s", path, strerror(errno));
            goto out;
        }
    }
    /* Tell xenstored about the domain and its ring. */
    if (!xs_introduce_domain(xs, d, dom->xenstore_pfn, dom->xenstore_evtchn)) {
        snprintf(err, errlen, "xs_introduce_domain: %s", strerror(errno));
        goto out;
    }
    rc = 0;
out:
    xs_close(xs);
    return rc;
}

int xkt_build_into(xc_interface *xch, uint32_t d, const char *kernel, unsigned int mem_mb,
                   const char *cmdline, char *err, size_t errlen)
{
    struct xc_dom_image *dom = xc_dom_allocate(xch, cmdline, NULL);
    int rc = -1;

    if (!dom) {
        snprintf(err, errlen, "xc_dom_allocate: %s", strerror(errno));
        return -1;
    }
    if (use_xs) {
        int cp = xc_evtchn_alloc_unbound(xch, d, 0), sp = xc_evtchn_alloc_unbound(xch, d, 0);
        if (cp < 0 || sp < 0) {
            snprintf(err, errlen, "xc_evtchn_alloc_unbound: %s", strerror(errno));
            goto out;
        }
        dom->console_evtchn = (uint32_t)cp;
        dom->xenstore_evtchn = (uint32_t)sp;
    }
    if (xc_dom_kernel_file(dom, kernel) < 0 || xc_dom_boot_xen_init(dom, xch, d) < 0 ||
        xc_dom_parse_image(dom) < 0 || xc_dom_mem_init(dom, mem_mb) < 0 ||
        xc_dom_boot_mem_init(dom) < 0 || xc_dom_build_image(dom) < 0 ||
        xc_dom_boot_image(dom) < 0) {
        const xc_error *e = xc_get_last_error(xch);
        snprintf(err, errlen, "%s", e->message[0] ? e->message : strerror(errno));
        goto out;
    }
    if (use_xs && xs_setup(d, dom, err, errlen) < 0)
        goto out;
    rc = 0;
out:
    xc_dom_release(dom);
    return rc;
}

int xkt_build(xc_interface *xch, const char *kernel, unsigned int mem_mb, unsigned int vcpus,
              const char *cmdline, uint32_t *domid, char *err, size_t errlen)
{
    uint32_t d;

    if (xkt_create(xch, mem_mb, vcpus, &d, err, errlen) < 0)
        return -1;
    if (xkt_build_into(xch, d, kernel, mem_mb, cmdline, err, errlen) < 0) {
        xc_domain_destroy(xch, d);
        return -1;
    }
    *domid = d;
    return 0;
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
