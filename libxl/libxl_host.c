/* libxl_host.c -- the host as the hypervisor sees it: physinfo, version
 * information, and the hypervisor console (`xl dmesg`).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "libxl_life.h"

int libxl_get_physinfo(libxl_ctx *ctx, libxl_physinfo *p)
{
    xc_interface *xch = libxl__xch(ctx);
    xc_physinfo_t pi;

    if (!xch)
        return ERROR_FAIL;
    if (xc_physinfo(xch, &pi) < 0) {
        LOGE(ERROR, "cannot get the host's information from the hypervisor");
        return ERROR_FAIL;
    }
    libxl_physinfo_dispose(p);
    p->threads_per_core = pi.threads_per_core;
    p->cores_per_socket = pi.cores_per_socket;
    p->max_cpu_id = pi.max_cpu_id;
    p->nr_cpus = pi.nr_cpus;
    p->cpu_khz = pi.cpu_khz;
    p->total_pages = pi.total_pages;
    p->free_pages = pi.free_pages;
    p->scrub_pages = pi.scrub_pages;
    p->outstanding_pages = pi.outstanding_pages;
    p->max_possible_mfn = pi.max_mfn;
    p->nr_nodes = pi.nr_nodes;
    p->num_hw_cap = 8;
    p->hw_cap = libxl__calloc(8, sizeof(*p->hw_cap));
    memcpy(p->hw_cap, pi.hw_cap, 8 * sizeof(*p->hw_cap));
    p->cap_hvm = !!(pi.capabilities & XEN_SYSCTL_PHYSCAP_hvm);
    p->cap_pv = !!(pi.capabilities & XEN_SYSCTL_PHYSCAP_pv);
    p->cap_hap = !!(pi.capabilities & XEN_SYSCTL_PHYSCAP_hap);
    return 0;
}

int libxl_send_debug_keys(libxl_ctx *ctx, char *keys)
{
    xc_interface *xch = libxl__xch(ctx);

    if (!xch)
        return ERROR_FAIL;
    if (xc_send_debug_keys(xch, keys) < 0) {
        LOGE(ERROR, "sending debug keys");
        return ERROR_FAIL;
    }
    return 0;
}

const libxl_version_info *libxl_get_version_info(libxl_ctx *ctx)
{
    xc_interface *xch = libxl__xch(ctx);
    libxl_version_info *v;
    union {
        xen_extraversion_t extra;
        xen_compile_info_t compile;
        xen_capabilities_info_t caps;
        xen_changeset_info_t changeset;
        xen_platform_parameters_t params;
        xen_commandline_t cmdline;
    } u;
    int ver;

    if (ctx->version)
        return ctx->version;
    if (!xch)
        return NULL;
    ver = xc_version(xch, XENVER_version, NULL);
    if (ver < 0) {
        LOGE(ERROR, "cannot get the hypervisor's version");
        return NULL;
    }
    v = libxl__calloc(1, sizeof(*v));
    libxl_version_info_init(v);
    v->xen_version_major = ver >> 16;
    v->xen_version_minor = ver & 0xffff;
#define STR(cmd, field, member) \
    do { memset(&u, 0, sizeof(u)); \
         if (xc_version(xch, (cmd), &u) >= 0) \
             v->field = libxl__strndup((const char *)(member), sizeof(member)); \
         else \
             v->field = libxl__strdup(""); } while (0)
    STR(XENVER_extraversion, xen_version_extra, u.extra);
    STR(XENVER_capabilities, capabilities, u.caps);
    STR(XENVER_changeset, changeset, u.changeset);
    STR(XENVER_commandline, commandline, u.cmdline);
#undef STR
    memset(&u, 0, sizeof(u));
    if (xc_version(xch, XENVER_compile_info, &u.compile) >= 0) {
        v->compiler = libxl__strndup(u.compile.compiler, sizeof(u.compile.compiler));
        v->compile_by = libxl__strndup(u.compile.compile_by, sizeof(u.compile.compile_by));
        v->compile_domain = libxl__strndup(u.compile.compile_domain,
                                           sizeof(u.compile.compile_domain));
        v->compile_date = libxl__strndup(u.compile.compile_date, sizeof(u.compile.compile_date));
    }
    memset(&u, 0, sizeof(u));
    if (xc_version(xch, XENVER_platform_parameters, &u.params) >= 0)
        v->virt_start = u.params.virt_start;
    ver = xc_version(xch, XENVER_pagesize, NULL);
    v->pagesize = ver > 0 ? ver : 4096;
    ctx->version = v;
    return v;
}

/* ---- the hypervisor console ----------------------------------------------------------- */

struct libxl_xen_console_reader {
    char *buf;
    size_t len, pos;
    char *line;
};

libxl_xen_console_reader *libxl_xen_console_read_start(libxl_ctx *ctx, int clear)
{
    xc_interface *xch = libxl__xch(ctx);
    libxl_xen_console_reader *cr;
    uint32_t index = 0;
    size_t cap = 65536;

    if (!xch)
        return NULL;
    cr = libxl__calloc(1, sizeof(*cr));
    cr->buf = libxl__malloc(cap);
    for (;;) {
        unsigned int n = 65536;

        if (cr->len + n > cap) {
            cap = (cr->len + n) * 2;
            cr->buf = libxl__realloc(cr->buf, cap);
        }
        if (xc_readconsolering(xch, cr->buf + cr->len, &n, 0, 1, &index) < 0) {
            LOGE(ERROR, "cannot read the hypervisor console");
            libxl_xen_console_read_finish(ctx, cr);
            return NULL;
        }
        if (n == 0)
            break;
        cr->len += n;
    }
    if (clear) {
        unsigned int zero = 0;
        char dummy;
        if (xc_readconsolering(xch, &dummy, &zero, 1, 1, &index) < 0)
            LOGE(WARN, "cannot clear the hypervisor console");
    }
    return cr;
}

int libxl_xen_console_read_line(libxl_ctx *ctx, libxl_xen_console_reader *cr, char **line_r)
{
    size_t start = cr->pos, end;

    (void)ctx;
    *line_r = NULL;
    if (cr->pos >= cr->len)
        return 0;
    for (end = start; end < cr->len && cr->buf[end] != '\n'; end++)
        ;
    free(cr->line);
    cr->line = libxl__strndup(cr->buf + start, end - start);
    cr->pos = end < cr->len ? end + 1 : end;
    *line_r = cr->line;
    return 1;
}

void libxl_xen_console_read_finish(libxl_ctx *ctx, libxl_xen_console_reader *cr)
{
    (void)ctx;
    if (!cr)
        return;
    free(cr->line);
    free(cr->buf);
    free(cr);
}

uint32_t libxl_xen_console_index(libxl_ctx *ctx)
{
    xc_interface *xch = libxl__xch(ctx);
    uint32_t state = 0, console = 0;

    if (xch)
        xc_xk_wait(xch, DOMID_INVALID, XC_WAIT_CONSOLE, &state, &console, 0);
    return console;
}
