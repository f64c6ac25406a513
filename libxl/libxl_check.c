/* libxl_check.c -- validation of a domain configuration after its
 * defaults: what xenkvm can run, and what makes sense together.
 *
 * Each problem goes to the caller's function with the xl.cfg key it is
 * about (and the list index for disk=, vif=, cpus=, cpus_soft=, serial=),
 * so that xl can point at the line of the file; messages use xl.cfg's
 * names and units and end with what to do.
 */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libxl_internal.h"

#define MAX_MEMKB (UINT64_C(16) << 30)      /* 16 TiB */
#define MAX_SERIAL_PORTS 4
#define IFNAME_MAX 15

struct check {
    const libxl_domain_config *c;
    const libxl_host_limits *host;
    libxl_config_issue_fn *fn;
    void *opaque;
    int errors;
};

static void issue(struct check *ck, bool is_error, const char *key, int index,
                  const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void issue(struct check *ck, bool is_error, const char *key, int index,
                  const char *fmt, ...)
{
    va_list ap;
    char *msg;

    va_start(ap, fmt);
    msg = libxl__vsprintf(fmt, ap);
    va_end(ap);
    if (is_error)
        ck->errors++;
    if (ck->fn)
        ck->fn(ck->opaque, is_error, key, index, msg);
    free(msg);
}

const char *libxl_domain_name_problem(const char *name)
{
    size_t n = strlen(name), digits = strspn(name, "0123456789");

    if (n == 0)
        return "it is empty";
    if (n > 64)
        return "it is longer than 64 characters";
    for (const char *p = name; *p; p++) {
        unsigned char ch = (unsigned char)*p;

        if (ch <= 0x20 || ch >= 0x7f)
            return "it holds a space, a control or a non-ASCII character";
        if (strchr("/\\'\"", ch))
            return "it holds '/', '\\' or a quote";
    }
    if (name[0] == '-')
        return "it starts with '-' (xl would read it as an option)";
    if (digits == n)
        return "it is a number (xl would read it as a domain id)";
    if (strcmp(name, "Domain-0") == 0)
        return "Domain-0 is the name of the host domain";
    return NULL;
}

static void check_c_info(struct check *ck)
{
    const libxl_domain_create_info *ci = &ck->c->c_info;
    const char *why;

    if (!ci->name) {
        issue(ck, true, "name", -1, "name= is missing: every domain needs a name, "
              "e.g. name = \"guest1\"");
    } else if ((why = libxl_domain_name_problem(ci->name))) {
        issue(ck, true, "name", -1, "the name \"%s\" is not usable: %s; use letters, digits "
              "and - _ . : + @", ci->name, why);
    }
    switch (ci->type) {
    case LIBXL_DOMAIN_TYPE_PVH:
    case LIBXL_DOMAIN_TYPE_HVM:
        if (ck->c->b_info.type != ci->type)
            issue(ck, true, "type", -1, "c_info.type and b_info.type differ");
        break;
    case LIBXL_DOMAIN_TYPE_PV:
        issue(ck, true, "type", -1, "type=\"pv\" is not supported: xenkvm runs pvh and hvm "
              "guests (KVM has no PV MMU); use type = \"pvh\" with a PVH-capable kernel");
        break;
    default:
        issue(ck, true, "type", -1, "type= is missing: use type = \"pvh\" or \"hvm\"");
        break;
    }
}

static void check_cpu_maps(struct check *ck, const char *key, const libxl_bitmap *maps, int n)
{
    const libxl_domain_build_info *b = &ck->c->b_info;

    if (n > b->max_vcpus)
        issue(ck, true, key, -1, "%s= lists %d vCPU entries but the domain has %d vCPUs: "
              "give at most maxvcpus= entries", key, n, b->max_vcpus);
    for (int i = 0; i < n; i++) {
        int hi = libxl_bitmap_highest_set(&maps[i]);

        if (hi < 0)
            issue(ck, true, key, i, "%s= selects no CPU for vCPU %d", key, i);
        else if (ck->host && ck->host->nr_cpus > 0 && hi >= ck->host->nr_cpus)
            issue(ck, true, key, i, "%s=: CPU %d does not exist: this host has CPUs 0-%d",
                  key, hi, ck->host->nr_cpus - 1);
    }
}

static void check_b_info(struct check *ck)
{
    const libxl_domain_build_info *b = &ck->c->b_info;
    int nr_avail = libxl_bitmap_count_set(&b->avail_vcpus);
    int hi = libxl_bitmap_highest_set(&b->avail_vcpus);
    uint64_t target_mb = b->target_memkb / 1024, max_mb = b->max_memkb / 1024;

    /* vCPUs */
    if (b->max_vcpus < 1 || b->max_vcpus > LIBXL_MAX_VCPUS)
        issue(ck, true, "maxvcpus", -1, "maxvcpus=%d is out of range: a domain has 1 to %d "
              "vCPUs", b->max_vcpus, LIBXL_MAX_VCPUS);
    else if (nr_avail == 0)
        issue(ck, true, "vcpus", -1, "vcpus=0: a domain needs at least one vCPU online");
    else if (hi >= b->max_vcpus)
        issue(ck, true, "vcpus", -1, "vcpus=%d is more than maxvcpus=%d: raise maxvcpus= or "
              "lower vcpus=", hi + 1, b->max_vcpus);
    check_cpu_maps(ck, "cpus", b->vcpu_hard_affinity, b->num_vcpu_hard_affinity);
    check_cpu_maps(ck, "cpus_soft", b->vcpu_soft_affinity, b->num_vcpu_soft_affinity);

    /* memory */
    if (b->target_memkb == 0)
        issue(ck, true, "memory", -1, "memory=0: a domain needs memory, e.g. memory = 512 (MiB)");
    else if (b->target_memkb > b->max_memkb)
        issue(ck, true, "memory", -1, "memory=%" PRIu64 " is more than maxmem=%" PRIu64
              ": raise maxmem= or lower memory= (both in MiB)", target_mb, max_mb);
    else if (b->max_memkb > MAX_MEMKB)
        issue(ck, true, "maxmem", -1, "maxmem=%" PRIu64 " is more than 16 TiB", max_mb);
    else if (b->max_memkb % 4)
        issue(ck, true, "maxmem", -1, "the memory size is not a whole number of 4 KiB pages");
    else if (b->target_memkb < b->max_memkb)
        issue(ck, false, "maxmem", -1, "memory=%" PRIu64 " is less than maxmem=%" PRIu64
              ": the guest starts ballooned down and needs a balloon driver", target_mb, max_mb);

    /* hypervisor resources */
    if (b->event_channels < 1 || b->event_channels > LIBXL_MAX_EVENT_CHANNELS)
        issue(ck, true, "max_event_channels", -1, "max_event_channels=%" PRIu32 " is out of "
              "range: 1 to %d", b->event_channels, LIBXL_MAX_EVENT_CHANNELS);
    if (b->max_grant_frames < 1 || b->max_grant_frames > LIBXL_MAX_GRANT_FRAMES_LIMIT)
        issue(ck, true, "max_grant_frames", -1, "max_grant_frames=%" PRIu32 " is out of "
              "range: 1 to %d", b->max_grant_frames, LIBXL_MAX_GRANT_FRAMES_LIMIT);
    if (b->max_maptrack_frames > LIBXL_MAX_GRANT_FRAMES_LIMIT)
        issue(ck, true, "max_maptrack_frames", -1, "max_maptrack_frames=%" PRIu32 " is out "
              "of range: 0 to %d", b->max_maptrack_frames, LIBXL_MAX_GRANT_FRAMES_LIMIT);

    /* scheduling */
    if (b->sched_params.weight < 1 || b->sched_params.weight > 65535)
        issue(ck, true, "cpu_weight", -1, "cpu_weight=%d is out of range: 1 to 65535 "
              "(the default is 256)", b->sched_params.weight);
    if (b->sched_params.cap < 0 || b->sched_params.cap > 65535)
        issue(ck, true, "cap", -1, "cap=%d is out of range: 0 (no cap) to 65535 (percent of "
              "one CPU)", b->sched_params.cap);
    else if (b->max_vcpus > 0 && b->sched_params.cap > 100 * b->max_vcpus)
        issue(ck, false, "cap", -1, "cap=%d is more than %d vCPUs can use (%d): it has no "
              "effect", b->sched_params.cap, b->max_vcpus, 100 * b->max_vcpus);

    /* what to boot */
    if (b->kernel && !*b->kernel)
        issue(ck, true, "kernel", -1, "kernel= is empty: give the path of the kernel image");
    if (b->ramdisk && !*b->ramdisk)
        issue(ck, true, "ramdisk", -1, "ramdisk= is empty: give a path or leave it out");
    if (b->type == LIBXL_DOMAIN_TYPE_PVH && !b->kernel)
        issue(ck, true, "kernel", -1, "a pvh guest needs kernel= (an ELF image with a PVH "
              "entry point, e.g. kernel = \"/boot/vmlinuz\")");
    if (b->type == LIBXL_DOMAIN_TYPE_HVM) {
        int n = libxl_string_list_length(&b->u.hvm.serial_list);

        if (!b->u.hvm.firmware)
            issue(ck, true, "firmware_override", -1, "an hvm guest needs firmware_override= "
                  "(an ELF image with a PVH entry point, started in the HVM container): "
                  "xenkvm has no built-in firmware");
        else if (!*b->u.hvm.firmware)
            issue(ck, true, "firmware_override", -1, "firmware_override= is empty");
        if (b->ramdisk && !b->kernel)
            issue(ck, false, "ramdisk", -1, "ramdisk= without kernel= is not used");
        if (n > MAX_SERIAL_PORTS)
            issue(ck, true, "serial", MAX_SERIAL_PORTS, "serial= lists %d ports: at most %d "
                  "(COM1-COM4)", n, MAX_SERIAL_PORTS);
        for (int i = 0; i < n; i++)
            if (!*b->u.hvm.serial_list[i])
                issue(ck, true, "serial", i, "serial= entry %d is empty: give a device such "
                      "as \"pty\"", i);
    }
}

static void check_disks(struct check *ck)
{
    const libxl_domain_config *c = ck->c;

    for (int i = 0; i < c->num_disks; i++) {
        const libxl_device_disk *d = &c->disks[i];
        int devnum = d->vdev ? libxl_device_disk_dev_number(d->vdev, NULL, NULL) : -1;

        if (!d->vdev) {
            issue(ck, true, "disk", i, "disk %d has no vdev (e.g. xvda)", i);
            continue;
        }
        if (devnum < 0) {
            issue(ck, true, "disk", i, "'%s' is not a virtual device name: use xvda, xvdb, "
                  "... (or hda-hdd, sda, d0p1; see xen-vbd-interface(7))", d->vdev);
            continue;
        }
        for (int j = 0; j < i; j++) {
            const libxl_device_disk *e = &c->disks[j];

            if (e->vdev && libxl_device_disk_dev_number(e->vdev, NULL, NULL) == devnum) {
                issue(ck, true, "disk", i, "vdev %s is the same device as %s of disk %d: give "
                      "each disk its own vdev", d->vdev, e->vdev, j);
                break;
            }
        }
        if (!d->pdev_path && !d->is_cdrom)
            issue(ck, true, "disk", i, "disk %s has no target (only an empty cdrom may have "
                  "none)", d->vdev);
        if (d->is_cdrom && d->readwrite)
            issue(ck, true, "disk", i, "cdrom %s is writable: a cdrom is read-only", d->vdev);
        if (d->format == LIBXL_DISK_FORMAT_EMPTY && !d->is_cdrom)
            issue(ck, true, "disk", i, "disk %s is empty: only a cdrom may be empty", d->vdev);
    }
}

static void check_nics(struct check *ck)
{
    const libxl_domain_config *c = ck->c;
    static const libxl_mac zero;

    for (int i = 0; i < c->num_nics; i++) {
        const libxl_device_nic *n = &c->nics[i];
        char mac[18];

        libxl_mac_to_string(&n->mac, mac);
        if (n->devid < 0)
            issue(ck, true, "vif", i, "vif %d has a negative devid", i);
        for (int j = 0; j < i; j++) {
            if (c->nics[j].devid == n->devid)
                issue(ck, true, "vif", i, "devid=%d is also the devid of vif %d: leave devid= "
                      "out or make it unique", n->devid, j);
            if (!libxl__mac_equal(&n->mac, &zero) && libxl__mac_equal(&n->mac, &c->nics[j].mac))
                issue(ck, true, "vif", i, "mac %s is also the mac of vif %d: give each vif "
                      "its own address", mac, j);
        }
        if (n->mac[0] & 1)
            issue(ck, true, "vif", i, "mac %s is a multicast address", mac);
        if (n->mtu && (n->mtu < 68 || n->mtu > 65535))
            issue(ck, true, "vif", i, "mtu=%d is out of range: 68 to 65535", n->mtu);
        if (n->ifname && (!*n->ifname || strlen(n->ifname) > IFNAME_MAX))
            issue(ck, true, "vif", i, "vifname '%s' must be 1 to %d characters (a Linux "
                  "interface name)", n->ifname, IFNAME_MAX);
        if (n->nictype == LIBXL_NIC_TYPE_VIF_IOEMU)
            issue(ck, false, "vif", i, "type=ioemu: xenkvm has no device model, the guest gets "
                  "a Xen PV vif only");
        if (n->model && c->b_info.type != LIBXL_DOMAIN_TYPE_HVM)
            issue(ck, false, "vif", i, "model= applies to emulated nics of hvm guests; ignored");
    }
}

static void check_actions(struct check *ck)
{
    static const char *const keys[] = { "on_poweroff", "on_reboot", "on_watchdog", "on_crash" };
    const libxl_action_on_shutdown acts[] = {
        ck->c->on_poweroff, ck->c->on_reboot, ck->c->on_watchdog, ck->c->on_crash,
    };

    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        if (acts[i] == LIBXL_ACTION_ON_SHUTDOWN_SOFT_RESET)
            issue(ck, true, keys[i], -1, "%s=\"soft-reset\" is not supported by xenkvm", keys[i]);
        else if (acts[i] < LIBXL_ACTION_ON_SHUTDOWN_DESTROY ||
                 acts[i] > LIBXL_ACTION_ON_SHUTDOWN_COREDUMP_RESTART)
            issue(ck, true, keys[i], -1, "%s has no action", keys[i]);
    }
}

int libxl_domain_config_check(const libxl_domain_config *d_config,
                              const libxl_host_limits *host,
                              libxl_config_issue_fn *fn, void *opaque)
{
    struct check ck = { d_config, host, fn, opaque, 0 };

    check_c_info(&ck);
    check_b_info(&ck);
    check_disks(&ck);
    check_nics(&ck);
    check_actions(&ck);
    return ck.errors;
}
