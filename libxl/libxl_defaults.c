/* libxl_defaults.c -- the defaults of a domain configuration.
 *
 * Every field still at its initial value gets what a Xen administrator
 * expects.  Nothing random is made here (UUID, MAC addresses): domain
 * creation does that, so a dry run prints the same JSON every time.
 *
 * Nics default to Xen PV vifs for HVM guests too: xenkvm has no device
 * model to emulate a network card.
 */
#include "config.h"

#include <stdlib.h>

#include "libxl_internal.h"

static void build_info_setdefault(libxl_domain_build_info *b)
{
    int highest = libxl_bitmap_highest_set(&b->avail_vcpus);

    if (b->max_vcpus <= 0)
        b->max_vcpus = highest >= 0 ? highest + 1 : 1;
    /* As in Xen: without vcpus=, only vCPU 0 starts online. */
    if (libxl_bitmap_is_empty(&b->avail_vcpus)) {
        libxl_bitmap_dispose(&b->avail_vcpus);
        libxl_bitmap_alloc(NULL, &b->avail_vcpus, 1);
        libxl_bitmap_set(&b->avail_vcpus, 0);
    }

    if (b->max_memkb == LIBXL_MEMKB_DEFAULT && b->target_memkb == LIBXL_MEMKB_DEFAULT)
        b->max_memkb = b->target_memkb = (uint64_t)LIBXL_DEFAULT_MEMORY_MB * 1024;
    else if (b->max_memkb == LIBXL_MEMKB_DEFAULT)
        b->max_memkb = b->target_memkb;
    else if (b->target_memkb == LIBXL_MEMKB_DEFAULT)
        b->target_memkb = b->max_memkb;

    if (b->max_grant_frames == LIBXL_MAX_GRANT_DEFAULT)
        b->max_grant_frames = LIBXL_DEFAULT_GRANT_FRAMES;
    if (b->max_maptrack_frames == LIBXL_MAX_GRANT_DEFAULT)
        b->max_maptrack_frames = LIBXL_DEFAULT_MAPTRACK_FRAMES;
    if (b->event_channels == 0)
        b->event_channels = LIBXL_DEFAULT_EVENT_CHANNELS;
    if (b->sched_params.weight == LIBXL_DOMAIN_SCHED_PARAM_WEIGHT_DEFAULT)
        b->sched_params.weight = LIBXL_DEFAULT_WEIGHT;
    if (b->sched_params.cap == LIBXL_DOMAIN_SCHED_PARAM_CAP_DEFAULT)
        b->sched_params.cap = 0;
    libxl_defbool_setdefault(&b->localtime, false);
}

static void disk_setdefault(libxl_device_disk *d)
{
    if (d->format == LIBXL_DISK_FORMAT_UNKNOWN)
        d->format = d->pdev_path ? LIBXL_DISK_FORMAT_RAW : LIBXL_DISK_FORMAT_EMPTY;
    if (d->specification == LIBXL_DISK_SPECIFICATION_UNKNOWN)
        d->specification = LIBXL_DISK_SPECIFICATION_XEN;
    if (d->is_cdrom)
        d->removable = 1;
    /* Discarding needs a writable disk. */
    libxl_defbool_setdefault(&d->discard_enable, d->readwrite != 0);
    libxl_defbool_setdefault(&d->trusted, true);
}

static bool devid_taken(const libxl_domain_config *c, int devid)
{
    for (int i = 0; i < c->num_nics; i++)
        if (c->nics[i].devid == devid)
            return true;
    return false;
}

static void nic_setdefault(libxl_domain_config *c, libxl_device_nic *n)
{
    if (n->devid < 0) {
        int devid = 0;

        while (devid_taken(c, devid))
            devid++;
        n->devid = devid;
    }
    if (n->nictype == LIBXL_NIC_TYPE_UNKNOWN)
        n->nictype = LIBXL_NIC_TYPE_VIF;
    if (!n->bridge)
        n->bridge = libxl__strdup(LIBXL_DEFAULT_BRIDGE);
    if (!n->script)
        n->script = libxl__strdup(LIBXL_DEFAULT_VIF_SCRIPT);
    libxl_defbool_setdefault(&n->trusted, true);
}

void libxl_domain_config_setdefault(libxl_domain_config *c)
{
    if (c->c_info.type == LIBXL_DOMAIN_TYPE_INVALID)
        c->c_info.type = c->b_info.type;
    if (c->b_info.type == LIBXL_DOMAIN_TYPE_INVALID &&
        c->c_info.type != LIBXL_DOMAIN_TYPE_INVALID)
        libxl_domain_build_info_init_type(&c->b_info, c->c_info.type);
    build_info_setdefault(&c->b_info);

    for (int i = 0; i < c->num_disks; i++)
        disk_setdefault(&c->disks[i]);
    for (int i = 0; i < c->num_nics; i++)
        nic_setdefault(c, &c->nics[i]);

    if (!c->on_poweroff)
        c->on_poweroff = LIBXL_ACTION_ON_SHUTDOWN_DESTROY;
    if (!c->on_reboot)
        c->on_reboot = LIBXL_ACTION_ON_SHUTDOWN_RESTART;
    if (!c->on_watchdog)
        c->on_watchdog = LIBXL_ACTION_ON_SHUTDOWN_DESTROY;
    if (!c->on_crash)
        c->on_crash = LIBXL_ACTION_ON_SHUTDOWN_DESTROY;
}
