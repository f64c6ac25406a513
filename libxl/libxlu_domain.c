/* libxlu_domain.c -- the settings of an xl.cfg file into a
 * libxl_domain_config.
 *
 * One table lists the keys xenkvm honours, each with the function that
 * reads it, in the order they are read (type first: other keys depend on
 * it).  A second table lists the keys of xl.cfg(5) that xenkvm does not
 * support yet; any other key is unknown.  Both get a warning and are
 * ignored, as xl does with keys it does not know.
 *
 * Values are checked where they are read, so errors point at the value
 * (or into it, for disk=, vif= and cpus= specs).  Checks that need the
 * whole configuration are libxl_domain_config_check's.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "libxlu_internal.h"

#define MAX_MEMORY_MB (16L << 20)      /* 16 TiB */

struct build {
    XLU_Config *cfg;
    const xlu_load_options *opts;
    const xlu_host_topology *host;
    libxl_domain_config *c;
    char *scratch;                 /* the last quoted() text */
};

typedef void key_fn(struct build *bd, XLU_ConfigSetting *s);

/* ---------------------------------------------------------------- helpers */

static void bad_value(struct build *bd, XLU_ConfigSetting *s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void bad_value(struct build *bd, XLU_ConfigSetting *s, const char *fmt, ...)
{
    /* fmt may use %s for the value, quoted: pass quoted(s) */
    va_list ap;
    char *msg;

    va_start(ap, fmt);
    msg = xlu__vsprintf(fmt, ap);
    va_end(ap);
    xlu__report_loc(bd->cfg, &s->value->loc, true, "%s: %s", s->name, msg);
    free(msg);
}

/* The setting's value as messages show it ("text", 12); valid until the
 * next call. */
static const char *quoted(struct build *bd, XLU_ConfigSetting *s)
{
    free(bd->scratch);
    bd->scratch = xlu__describe(s->value);
    return bd->scratch;
}

/* The setting's string; NULL (reported) when it is a list. */
static const char *string_of(struct build *bd, XLU_ConfigSetting *s)
{
    const char *v;

    if (xlu_cfg_get_string(bd->cfg, s->name, &v, 0))
        return NULL;
    return v;
}

static char *string_copy(struct build *bd, XLU_ConfigSetting *s)
{
    const char *v = string_of(bd, s);

    return v ? xlu__strdup(v) : NULL;
}

static bool bounded(struct build *bd, XLU_ConfigSetting *s, long min, long max, long *out)
{
    return xlu_cfg_get_bounded_long(bd->cfg, s->name, min, max, out, 0) == 0;
}

static void replace(char **field, char *value)
{
    free(*field);
    *field = value;
}

/* ------------------------------------------------------------------ keys */

static void key_name(struct build *bd, XLU_ConfigSetting *s)
{
    char *v = string_copy(bd, s);
    const char *why;

    if (!v)
        return;
    if ((why = libxl_domain_name_problem(v)))
        bad_value(bd, s, "the name %s is not usable: %s; use letters, digits and - _ . : + @",
                  quoted(bd, s), why);
    replace(&bd->c->c_info.name, v);
}

static void key_uuid(struct build *bd, XLU_ConfigSetting *s)
{
    const char *v = string_of(bd, s);

    if (v && libxl_uuid_from_string(&bd->c->c_info.uuid, v))
        bad_value(bd, s, "%s is not a UUID: write xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx in hex "
                  "(uuidgen makes one), or leave uuid= out to have one made", quoted(bd, s));
}

static void set_type(struct build *bd, libxl_domain_type t)
{
    libxl_domain_build_info *b = &bd->c->b_info;

    libxl_domain_build_info_dispose(b);
    libxl_domain_build_info_init_type(b, t);
    bd->c->c_info.type = t;
}

static void key_type(struct build *bd, XLU_ConfigSetting *s)
{
    const char *v = string_of(bd, s);
    XLU_ConfigSetting *builder = xlu__cfg_find(bd->cfg, "builder");

    if (builder)
        xlu__report_loc(bd->cfg, &builder->loc, false, "builder= is ignored: type= is given");
    if (!v)
        return;
    if (strcmp(v, "pvh") == 0)
        set_type(bd, LIBXL_DOMAIN_TYPE_PVH);
    else if (strcmp(v, "hvm") == 0)
        set_type(bd, LIBXL_DOMAIN_TYPE_HVM);
    else if (strcmp(v, "pv") == 0)
        bad_value(bd, s, "\"pv\" guests are not supported: xenkvm runs pvh and hvm guests "
                  "(KVM has no PV MMU); use type = \"pvh\" with a PVH-capable kernel");
    else
        bad_value(bd, s, "%s is not a guest type: use \"pvh\" or \"hvm\"", quoted(bd, s));
}

static void key_builder(struct build *bd, XLU_ConfigSetting *s)
{
    const char *v;

    if (xlu__cfg_find(bd->cfg, "type"))
        return;                         /* key_type warned */
    v = string_of(bd, s);
    if (!v)
        return;
    if (strcmp(v, "hvm") == 0)
        set_type(bd, LIBXL_DOMAIN_TYPE_HVM);
    else if (strcmp(v, "generic") == 0)
        bad_value(bd, s, "\"generic\" means a pv guest, which xenkvm does not run: use "
                  "type = \"pvh\" with a PVH-capable kernel");
    else
        bad_value(bd, s, "%s is not a builder: use type = \"pvh\" or type = \"hvm\"",
                  quoted(bd, s));
}

static void key_memory(struct build *bd, XLU_ConfigSetting *s)
{
    long mb;

    if (bounded(bd, s, 1, MAX_MEMORY_MB, &mb)) {
        if (strcmp(s->name, "memory") == 0)
            bd->c->b_info.target_memkb = (uint64_t)mb * 1024;
        else
            bd->c->b_info.max_memkb = (uint64_t)mb * 1024;
    }
}

static void key_vcpus(struct build *bd, XLU_ConfigSetting *s)
{
    libxl_domain_build_info *b = &bd->c->b_info;
    long n;

    if (!bounded(bd, s, 1, LIBXL_MAX_VCPUS, &n))
        return;
    libxl_bitmap_dispose(&b->avail_vcpus);
    libxl_bitmap_alloc(NULL, &b->avail_vcpus, (int)n);
    for (int i = 0; i < n; i++)
        libxl_bitmap_set(&b->avail_vcpus, i);
    if (!xlu__cfg_find(bd->cfg, "maxvcpus"))
        b->max_vcpus = (int)n;
}

static void key_maxvcpus(struct build *bd, XLU_ConfigSetting *s)
{
    long n;

    if (bounded(bd, s, 1, LIBXL_MAX_VCPUS, &n))
        bd->c->b_info.max_vcpus = (int)n;
}

/* A CPU list element: a string, or a number written alone. */
static int cpu_map(struct build *bd, const XLU_ConfigValue *v, libxl_bitmap *map)
{
    if (v->type != XLU_STRING) {
        xlu__report_loc(bd->cfg, &v->loc, true, "a CPU list element must be a string such "
                        "as \"0-3\", not a list");
        return EINVAL;
    }
    if (v->is_number) {
        /* an unquoted number keeps xl.cfg's meaning: 010 is CPU 8 */
        char *end, *dec;
        long cpu = strtol(v->string, &end, 0);
        int rc;

        if (*end || cpu < 0 || cpu > INT_MAX) {
            xlu__report_loc(bd->cfg, &v->loc, true, "CPU %s does not exist: this host has "
                            "CPUs 0-%d", v->string, bd->host->nr_cpus - 1);
            return EINVAL;
        }
        dec = xlu__sprintf("%ld", cpu);
        rc = xlu__cpu_list_at(bd->cfg, v, dec, bd->host, map);
        free(dec);
        return rc;
    }
    return xlu__cpu_list_at(bd->cfg, v, v->string, bd->host, map);
}

static void key_cpus(struct build *bd, XLU_ConfigSetting *s)
{
    libxl_domain_build_info *b = &bd->c->b_info;
    bool soft = strcmp(s->name, "cpus_soft") == 0;
    libxl_bitmap **maps = soft ? &b->vcpu_soft_affinity : &b->vcpu_hard_affinity;
    int *num = soft ? &b->num_vcpu_soft_affinity : &b->num_vcpu_hard_affinity;
    int nvcpus = b->max_vcpus > 0 ? b->max_vcpus : 1;
    const XLU_ConfigValue *v = s->value;

    if (v->type == XLU_STRING) {
        libxl_bitmap one;

        libxl_bitmap_init(&one);
        if (cpu_map(bd, v, &one))
            return;
        *maps = xlu__zalloc(sizeof(**maps) * (size_t)nvcpus);
        for (int i = 0; i < nvcpus; i++)
            libxl_bitmap_copy(NULL, &(*maps)[i], &one);
        *num = nvcpus;
        libxl_bitmap_dispose(&one);
        return;
    }
    if (v->list.nvalues > nvcpus) {
        xlu__report_loc(bd->cfg, &v->list.values[nvcpus]->loc, true,
                        "%s: %d entries for %d vCPUs: give one entry per vCPU (or raise "
                        "maxvcpus=)", s->name, v->list.nvalues, nvcpus);
        return;
    }
    if (v->list.nvalues == 0) {
        bad_value(bd, s, "the list is empty: leave %s= out for no pinning", s->name);
        return;
    }
    *maps = xlu__zalloc(sizeof(**maps) * (size_t)v->list.nvalues);
    for (int i = 0; i < v->list.nvalues; i++) {
        libxl_bitmap_init(&(*maps)[i]);
        (*num)++;
        if (cpu_map(bd, v->list.values[i], &(*maps)[i]))
            return;
    }
}

static void key_path(struct build *bd, XLU_ConfigSetting *s)
{
    libxl_domain_build_info *b = &bd->c->b_info;
    char *v = string_copy(bd, s);

    if (!v)
        return;
    if (!*v) {
        bad_value(bd, s, "the path is empty: give a file or leave %s= out", s->name);
        free(v);
        return;
    }
    if (strcmp(s->name, "kernel") == 0) {
        replace(&b->kernel, v);
    } else if (strcmp(s->name, "ramdisk") == 0) {
        replace(&b->ramdisk, v);
    } else if (b->type == LIBXL_DOMAIN_TYPE_HVM) {
        replace(&b->u.hvm.firmware, v);
    } else if (b->type == LIBXL_DOMAIN_TYPE_INVALID) {
        free(v);                        /* the type was wrong: reported */
    } else {
        xlu__report_loc(bd->cfg, &s->loc, false, "firmware_override= applies to hvm guests; "
                        "ignored for this %s guest (use kernel=)",
                        libxl_domain_type_to_string(b->type));
        free(v);
    }
}

/* cmdline=, or root= and extra= as xl combines them. */
static void key_cmdline(struct build *bd, XLU_ConfigSetting *s)
{
    XLU_ConfigSetting *root = xlu__cfg_find(bd->cfg, "root");
    XLU_ConfigSetting *extra = xlu__cfg_find(bd->cfg, "extra");
    const char *r = NULL, *e = NULL;

    if (s) {
        char *v = string_copy(bd, s);

        if (root)
            xlu__report_loc(bd->cfg, &root->loc, false, "root= is ignored: cmdline= is given");
        if (extra)
            xlu__report_loc(bd->cfg, &extra->loc, false, "extra= is ignored: cmdline= is given");
        if (v)
            replace(&bd->c->b_info.cmdline, v);
        return;
    }
    if (root)
        r = string_of(bd, root);
    if (extra)
        e = string_of(bd, extra);
    if (r && e)
        replace(&bd->c->b_info.cmdline, xlu__sprintf("root=%s %s", r, e));
    else if (r)
        replace(&bd->c->b_info.cmdline, xlu__sprintf("root=%s", r));
    else if (e)
        replace(&bd->c->b_info.cmdline, xlu__strdup(e));
}

static void key_action(struct build *bd, XLU_ConfigSetting *s)
{
    static const struct { const char *name; libxl_action_on_shutdown a; } actions[] = {
        { "destroy", LIBXL_ACTION_ON_SHUTDOWN_DESTROY },
        { "restart", LIBXL_ACTION_ON_SHUTDOWN_RESTART },
        { "rename-restart", LIBXL_ACTION_ON_SHUTDOWN_RESTART_RENAME },
        { "preserve", LIBXL_ACTION_ON_SHUTDOWN_PRESERVE },
        { "coredump-destroy", LIBXL_ACTION_ON_SHUTDOWN_COREDUMP_DESTROY },
        { "coredump-restart", LIBXL_ACTION_ON_SHUTDOWN_COREDUMP_RESTART },
    };
    libxl_domain_config *c = bd->c;
    libxl_action_on_shutdown *field = strcmp(s->name, "on_poweroff") == 0 ? &c->on_poweroff
                                    : strcmp(s->name, "on_reboot") == 0 ? &c->on_reboot
                                    : strcmp(s->name, "on_watchdog") == 0 ? &c->on_watchdog
                                    : &c->on_crash;
    const char *v = string_of(bd, s);

    if (!v)
        return;
    for (size_t i = 0; i < XLU_ARRAY_SIZE(actions); i++) {
        if (strcmp(v, actions[i].name) == 0) {
            *field = actions[i].a;
            return;
        }
    }
    if (strcmp(v, "soft-reset") == 0)
        bad_value(bd, s, "\"soft-reset\" is not supported by xenkvm: use destroy, restart, "
                  "rename-restart, preserve, coredump-destroy or coredump-restart");
    else
        bad_value(bd, s, "%s is not an action: use destroy, restart, rename-restart, preserve, "
                  "coredump-destroy or coredump-restart", quoted(bd, s));
}

static void key_limit(struct build *bd, XLU_ConfigSetting *s)
{
    libxl_domain_build_info *b = &bd->c->b_info;
    long n;

    if (strcmp(s->name, "max_event_channels") == 0) {
        if (bounded(bd, s, 1, LIBXL_MAX_EVENT_CHANNELS, &n))
            b->event_channels = (uint32_t)n;
    } else if (strcmp(s->name, "max_grant_frames") == 0) {
        if (bounded(bd, s, 1, LIBXL_MAX_GRANT_FRAMES_LIMIT, &n))
            b->max_grant_frames = (uint32_t)n;
    } else if (bounded(bd, s, 0, LIBXL_MAX_GRANT_FRAMES_LIMIT, &n)) {
        b->max_maptrack_frames = (uint32_t)n;
    }
}

static void key_sched(struct build *bd, XLU_ConfigSetting *s)
{
    long n;

    if (strcmp(s->name, "cpu_weight") == 0) {
        if (bounded(bd, s, 1, 65535, &n))
            bd->c->b_info.sched_params.weight = (int)n;
    } else if (bounded(bd, s, 0, 65535, &n)) {
        bd->c->b_info.sched_params.cap = (int)n;
    }
}

static void key_clock(struct build *bd, XLU_ConfigSetting *s)
{
    libxl_domain_build_info *b = &bd->c->b_info;
    long n;

    if (strcmp(s->name, "localtime") == 0) {
        if (bounded(bd, s, 0, 1, &n))
            libxl_defbool_set(&b->localtime, n != 0);
    } else if (bounded(bd, s, INT32_MIN, INT32_MAX, &n)) {
        b->rtc_timeoffset = (uint32_t)(int32_t)n;
    }
}

static void key_serial(struct build *bd, XLU_ConfigSetting *s)
{
    libxl_domain_build_info *b = &bd->c->b_info;
    libxl_string_list sl = NULL;

    if (s->value->type == XLU_STRING) {         /* serial = "pty" is accepted too */
        libxl_string_list_append(&sl, s->value->string);
    } else if (xlu_cfg_get_list_as_string_list(bd->cfg, s->name, &sl, 0)) {
        return;
    }
    if (b->type != LIBXL_DOMAIN_TYPE_HVM) {
        if (b->type != LIBXL_DOMAIN_TYPE_INVALID)
            xlu__report_loc(bd->cfg, &s->loc, false, "serial= applies to hvm guests; ignored for "
                        "this %s guest (its console is the Xen PV console)",
                        libxl_domain_type_to_string(b->type));
        libxl_string_list_dispose(&sl);
        return;
    }
    libxl_string_list_dispose(&b->u.hvm.serial_list);
    b->u.hvm.serial_list = sl;
}

/* disk= and vif=: a list of spec strings. */
static XLU_ConfigList *spec_list(struct build *bd, XLU_ConfigSetting *s)
{
    XLU_ConfigList *list;

    if (xlu_cfg_get_list(bd->cfg, s->name, &list, NULL, 0))
        return NULL;
    for (int i = 0; i < list->nvalues; i++) {
        if (list->values[i]->type != XLU_STRING) {
            xlu__report_loc(bd->cfg, &list->values[i]->loc, true,
                            "%s: each element is a string such as '%s', not a list", s->name,
                            strcmp(s->name, "disk") == 0 ? "/path/to/image,raw,xvda"
                                                         : "bridge=xenbr0");
            return NULL;
        }
    }
    return list;
}

static void key_disk(struct build *bd, XLU_ConfigSetting *s)
{
    libxl_domain_config *c = bd->c;
    XLU_ConfigList *list = spec_list(bd, s);

    if (!list || !list->nvalues)
        return;
    c->disks = xlu__zalloc(sizeof(*c->disks) * (size_t)list->nvalues);
    for (int i = 0; i < list->nvalues; i++) {
        libxl_device_disk_init(&c->disks[i]);
        c->num_disks++;
        xlu__disk_parse_at(bd->cfg, list->values[i], list->values[i]->string, &c->disks[i]);
    }
}

static void key_vif(struct build *bd, XLU_ConfigSetting *s)
{
    libxl_domain_config *c = bd->c;
    XLU_ConfigList *list = spec_list(bd, s);

    if (!list || !list->nvalues)
        return;
    c->nics = xlu__zalloc(sizeof(*c->nics) * (size_t)list->nvalues);
    for (int i = 0; i < list->nvalues; i++) {
        libxl_device_nic_init(&c->nics[i]);
        c->num_nics++;
        xlu__vif_parse_at(bd->cfg, list->values[i], list->values[i]->string, &c->nics[i]);
    }
}

/* ----------------------------------------------------------------- tables */

static const struct {
    const char *key;
    key_fn *fn;
} honoured[] = {
    { "type", key_type },            /* first: others depend on the type */
    { "builder", key_builder },
    { "name", key_name },
    { "uuid", key_uuid },
    { "memory", key_memory },
    { "maxmem", key_memory },
    { "vcpus", key_vcpus },
    { "maxvcpus", key_maxvcpus },
    { "cpus", key_cpus },            /* after vcpus/maxvcpus */
    { "cpus_soft", key_cpus },
    { "kernel", key_path },
    { "ramdisk", key_path },
    { "firmware_override", key_path },
    { "cmdline", key_cmdline },      /* root= and extra= are read with it */
    { "root", NULL },
    { "extra", NULL },
    { "on_poweroff", key_action },
    { "on_reboot", key_action },
    { "on_watchdog", key_action },
    { "on_crash", key_action },
    { "max_event_channels", key_limit },
    { "max_grant_frames", key_limit },
    { "max_maptrack_frames", key_limit },
    { "cpu_weight", key_sched },
    { "cap", key_sched },
    { "serial", key_serial },
    { "rtc_timeoffset", key_clock },
    { "localtime", key_clock },
    { "disk", key_disk },
    { "vif", key_vif },
};

/* Keys of xl.cfg(5) that xenkvm does not support (yet). */
static const char *const unsupported[] = {
    "acpi", "acpi_firmware", "acpi_laptop_slate", "acpi_s3", "acpi_s4", "altp2m",
    "altp2mhvm", "apic", "bios", "bios_path_override", "boot", "bootloader",
    "bootloader_args", "channel", "cpuid", "device_model", "device_model_args",
    "device_model_args_hvm", "device_model_args_pv", "device_model_override",
    "device_model_stubdomain_override", "device_model_stubdomain_seclabel",
    "device_model_user", "device_model_version", "device_tree", "dm_restrict",
    "driver_domain", "dtdev", "e820_host", "firmware", "gfx_passthru", "gic_version", "hap",
    "hdtype", "hpet", "init_seclabel", "iomem", "ioports", "irqs", "keymap",
    "max_grant_version", "mca_caps", "mmio_hole", "ms_vm_genid", "msr_relaxed",
    "nestedhvm", "nographic", "nomigrate", "nx", "on_soft_reset", "oos", "opengl", "p9",
    "pae", "passthrough", "pci", "pci_msitranslate", "pci_permissive", "pci_power_mgmt",
    "pci_seize", "pool", "pvcalls", "pvh", "pvshim", "pvshim_cmdline", "pvshim_extra",
    "pvshim_path", "rdm", "rdm_mem_boundary", "sdl", "seclabel",
    "shadow_memory", "smbios_firmware", "soundhw", "spice", "spice_clipboard_sharing",
    "spice_image_compression", "spice_streaming_video", "spiceagent_mouse",
    "spicedisable_ticketing", "spicehost", "spicepasswd", "spiceport", "spicetls_port",
    "spiceusbredirection", "spicevdagent", "stdvga", "stubdomain_cmdline",
    "stubdomain_kernel", "stubdomain_memory", "stubdomain_ramdisk", "tee", "timer_mode",
    "tsc_mode", "usb", "usbctrl", "usbdev", "usbdevice", "usbversion", "vdispl",
    "vendor_device", "vfb", "vga", "videoram", "viridian", "vkb", "vkb_device",
    "vmtrace_buf_kb", "vnc", "vncdisplay", "vnclisten", "vncpasswd", "vncunused", "vnuma",
    "vpmu", "vpt_align", "vsnd", "vtpm", "vuart", "xen_platform_pci",
    "xend_suspend_evtchn_compat",
};

static bool in_honoured(const char *key)
{
    for (size_t i = 0; i < XLU_ARRAY_SIZE(honoured); i++)
        if (strcmp(key, honoured[i].key) == 0)
            return true;
    return false;
}

static bool in_unsupported(const char *key)
{
    for (size_t i = 0; i < XLU_ARRAY_SIZE(unsupported); i++)
        if (strcmp(key, unsupported[i]) == 0)
            return true;
    return false;
}

/* Edit distance, for "did you mean"; keys are short. */
static int distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    int row[64], prev;

    if (la >= 64 || lb >= 64)
        return 99;
    for (size_t j = 0; j <= lb; j++)
        row[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        prev = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int cur = row[j];
            int best = prev + (a[i - 1] != b[j - 1]);

            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            prev = cur;
        }
    }
    return row[lb];
}

static void warn_unused(struct build *bd)
{
    for (XLU_ConfigSetting *s = bd->cfg->settings; s; s = s->next) {
        const char *best = NULL;
        int len = (int)strlen(s->name);
        int best_d = (len >= 6 ? len / 3 : 1) + 1;   /* suggest only close keys */
        bool later = false;

        /* one warning per key, at its last setting */
        for (XLU_ConfigSetting *t = s->next; t && !later; t = t->next)
            later = strcmp(t->name, s->name) == 0;
        if (later || in_honoured(s->name))
            continue;
        if (in_unsupported(s->name)) {
            xlu__report_loc(bd->cfg, &s->loc, false, "%s= is not supported by xenkvm yet; "
                            "ignored", s->name);
            continue;
        }
        for (size_t i = 0; i < XLU_ARRAY_SIZE(honoured); i++) {
            int d = distance(s->name, honoured[i].key);

            if (d < best_d) {
                best_d = d;
                best = honoured[i].key;
            }
        }
        if (best)
            xlu__report_loc(bd->cfg, &s->loc, false, "unknown key %s (ignored): did you mean "
                            "%s?", s->name, best);
        else
            xlu__report_loc(bd->cfg, &s->loc, false, "unknown key %s (ignored)", s->name);
    }
}

int xlu_domain_config_parse(XLU_Config *cfg, const xlu_load_options *opts,
                            libxl_domain_config *d_config)
{
    struct build bd = { cfg, opts, opts ? opts->host : NULL, d_config, NULL };
    xlu_host_topology fallback = { 4096, 1, NULL };
    int errors_before = xlu_cfg_error_count(cfg);

    if (!bd.host)
        bd.host = &fallback;
    if (!xlu__cfg_find(cfg, "type") && !xlu__cfg_find(cfg, "builder")) {
        xlu__report_loc(cfg, NULL, false, "no type= given: xl's default, pv, does not run on "
                        "xenkvm; using type = \"pvh\"");
        set_type(&bd, LIBXL_DOMAIN_TYPE_PVH);
    }
    for (size_t i = 0; i < XLU_ARRAY_SIZE(honoured); i++) {
        XLU_ConfigSetting *s = xlu__cfg_find(cfg, honoured[i].key);

        if (honoured[i].fn == key_cmdline)
            key_cmdline(&bd, s);
        else if (s && honoured[i].fn)
            honoured[i].fn(&bd, s);
    }
    warn_unused(&bd);
    free(bd.scratch);
    return xlu_cfg_error_count(cfg) > errors_before ? EINVAL : 0;
}
