/* The DISKSPEC parser: the examples of xl-disk-configuration(5) (the
 * equivalent strings must give the same disk), the deprecated forms, every
 * parameter and flag, and the errors. */
#include "config.h"

#include <errno.h>
#include <glib.h>
#include <string.h>

#include "xlcfg-test.h"

/* One line describing a disk, for comparisons. */
static char *summary(const libxl_device_disk *d)
{
    GString *s = g_string_new(NULL);

    g_string_append_printf(s, "pdev=%s format=%s vdev=%s %s",
                           d->pdev_path ? d->pdev_path : "(none)",
                           libxl_disk_format_to_string(d->format),
                           d->vdev ? d->vdev : "(none)", d->readwrite ? "rw" : "ro");
    if (d->is_cdrom)
        g_string_append(s, " cdrom");
    if (d->removable)
        g_string_append(s, " removable");
    if (d->script)
        g_string_append_printf(s, " script=%s", d->script);
    if (d->backend_domname)
        g_string_append_printf(s, " backend=%s", d->backend_domname);
    if (d->backend)
        g_string_append_printf(s, " backendtype=%s", libxl_disk_backend_to_string(d->backend));
    if (d->specification)
        g_string_append_printf(s, " specification=%s",
                               libxl_disk_specification_to_string(d->specification));
    if (d->direct_io_safe)
        g_string_append(s, " direct-io-safe");
    if (!libxl_defbool_is_default(d->discard_enable))
        g_string_append_printf(s, " discard=%s", libxl_defbool_to_string(d->discard_enable));
    if (!libxl_defbool_is_default(d->trusted))
        g_string_append_printf(s, " trusted=%s", libxl_defbool_to_string(d->trusted));
    if (!libxl_defbool_is_default(d->colo_enable))
        g_string_append_printf(s, " colo=%s host=%s port=%d export=%s active=%s hidden=%s",
                               libxl_defbool_to_string(d->colo_enable), d->colo_host,
                               d->colo_port, d->colo_export, d->active_disk, d->hidden_disk);
    return g_string_free(s, FALSE);
}

static const struct {
    const char *spec;
    const char *want;
} good[] = {
    /* xl-disk-configuration(5): "these strings are equivalent" */
    { "/dev/vg/guest-volume,,hda", "pdev=/dev/vg/guest-volume format=raw vdev=hda rw" },
    { "/dev/vg/guest-volume,raw,hda,rw", "pdev=/dev/vg/guest-volume format=raw vdev=hda rw" },
    { "format=raw, vdev=hda, access=rw, target=/dev/vg/guest-volume",
      "pdev=/dev/vg/guest-volume format=raw vdev=hda rw" },
    { "raw:/dev/vg/guest-volume,hda,w", "pdev=/dev/vg/guest-volume format=raw vdev=hda rw" },
    /* "as are these" */
    { "/root/image.iso,,hdc,cdrom",
      "pdev=/root/image.iso format=raw vdev=hdc ro cdrom removable" },
    { "/root/image.iso,,hdc,,cdrom",
      "pdev=/root/image.iso format=raw vdev=hdc ro cdrom removable" },
    { "/root/image.iso,raw,hdc,devtype=cdrom",
      "pdev=/root/image.iso format=raw vdev=hdc ro cdrom removable" },
    { "format=raw, vdev=hdc, access=ro, devtype=cdrom, target=/root/image.iso",
      "pdev=/root/image.iso format=raw vdev=hdc ro cdrom removable" },
    { "raw:/root/image.iso,hdc:cdrom,ro",
      "pdev=/root/image.iso format=raw vdev=hdc ro cdrom removable" },
    /* the empty cdrom of xend */
    { ",hdc:cdrom,r", "pdev=(none) format=empty vdev=hdc ro cdrom removable" },
    { ",,hdc,,cdrom", "pdev=(none) format=empty vdev=hdc ro cdrom removable" },
    /* deprecated prefixes */
    { "phy:/dev/sda,xvda,w", "pdev=/dev/sda format=raw vdev=xvda rw" },
    { "file:/img,xvda,r", "pdev=/img format=raw vdev=xvda ro" },
    { "tap:aio:qcow:/some/path,xvdb,w", "pdev=/some/path format=qcow vdev=xvdb rw" },
    { "tap2:tapdisk:vhd:/p,xvdb,w", "pdev=/p format=vhd vdev=xvdb rw" },
    { "qcow2:/p,xvdb,w", "pdev=/p format=qcow2 vdev=xvdb rw" },
    { "ioemu:/p,hda:disk,w", "pdev=/p format=raw vdev=hda rw" },
    { "iscsi:iqn.2001-05.com.example:disk1,xvda,w",
      "pdev=iqn.2001-05.com.example:disk1 format=raw vdev=xvda rw script=block-iscsi" },
    { "nbd:host:1234,xvda,w", "pdev=host:1234 format=raw vdev=xvda rw script=block-nbd" },
    { "drbd:res0,xvda,w", "pdev=res0 format=raw vdev=xvda rw script=block-drbd" },
    /* target= takes the rest, after an empty positional target too */
    { "vdev=xvda, target=/path/with,commas and spaces  ",
      "pdev=/path/with,commas and spaces   format=raw vdev=xvda rw" },
    { ",,xvda,,target=/x", "pdev=/x format=raw vdev=xvda rw" },
    { "vdev=xvda,/img", "pdev=/img format=raw vdev=xvda rw" },
    { "  /img , qed , xvda ", "pdev=/img format=qed vdev=xvda rw" },
    { "/img,,d1p2", "pdev=/img format=raw vdev=d1p2 rw" },
    { "/img,,51712", "pdev=/img format=raw vdev=51712 rw" },
    { "/img,,xvdtq37", "pdev=/img format=raw vdev=xvdtq37 rw" },
    /* every parameter and flag */
    { "/img,qcow2,xvda,ro,backendtype=qdisk,script=foo,direct-io-safe,no-discard,untrusted,"
      "specification=virtio,backend=dd",
      "pdev=/img format=qcow2 vdev=xvda ro script=foo backend=dd backendtype=qdisk "
      "specification=virtio direct-io-safe discard=False trusted=False" },
    { "/img,,xvda,discard,trusted,backendtype=phy,specification=xen",
      "pdev=/img format=raw vdev=xvda rw backendtype=phy specification=xen discard=True "
      "trusted=True" },
    { "/img,,xvda,backendtype=standalone,specification=virtio",
      "pdev=/img format=raw vdev=xvda rw backendtype=standalone specification=virtio" },
    { "/img,,xvda,,colo,colo-host=192.168.1.1,colo-port=9000,colo-export=exp,"
      "active-disk=/a,hidden-disk=/h",
      "pdev=/img format=raw vdev=xvda rw colo=True host=192.168.1.1 port=9000 export=exp "
      "active=/a hidden=/h" },
    { "/img,,xvda,devtype=disk", "pdev=/img format=raw vdev=xvda rw" },
    { "format=,vdev=xvda,access=,/img", "pdev=/img format=raw vdev=xvda rw" },
};

static void test_good(gconstpointer data)
{
    size_t i = GPOINTER_TO_SIZE(data);
    struct parsed p;
    libxl_device_disk d;
    const char *spec = good[i].spec;
    char *s;

    parsed_open(&p, "");
    libxl_device_disk_init(&d);
    g_assert_cmpint(xlu_disk_parse(p.cfg, 1, &spec, &d), ==, 0);
    g_assert_cmpstr(parsed_report(&p), ==, "");
    s = summary(&d);
    g_assert_cmpstr(s, ==, good[i].want);
    g_free(s);
    libxl_device_disk_dispose(&d);
    parsed_close(&p);
}

static const struct {
    const char *spec;
    const char *report;
} bad[] = {
    { "/img", "no vdev: say where the guest sees the disk, e.g. '/path/to/image,raw,xvda' or "
      "vdev=xvda" },
    { "", "no vdev: say where the guest sees the disk, e.g. '/path/to/image,raw,xvda' or "
      "vdev=xvda" },
    { "vdev=xvda", "no target: give the image or device, e.g. '/path/to/image,raw,xvda' "
      "(only an empty cdrom may have none)" },
    { "/img,raw,xvda,rw,extra", "too many positional parameters at 'extra' (target, format, "
      "vdev and access are all given)" },
    { "/img,floppy,xvda", "unknown format 'floppy' (raw, qcow, qcow2, vhd or qed)" },
    { "/img,raw,xvda,rx", "unknown access 'rx' (r or ro for read-only, w or rw for "
      "read-write)" },
    { "/img,,hde", "'hde' is not a virtual device name: use xvda, xvdb, ... (or hda-hdd, sda, "
      "d0p1; see xen-vbd-interface(7))" },
    { "/img,,xvda,foo=bar", "unknown parameter 'foo' (see xl-disk-configuration(5); a target "
      "holding '=' must be given last, as target=...)" },
    { "/img,,xvda,vdev=xvdb", "the vdev is given twice" },
    { "/img,,xvda,backend=a,backend=b", "backend is given twice" },
    { "/img,,xvda,devtype=floppy", "unknown device type 'floppy' (cdrom)" },
    { "/img,,xvda,cdrom,devtype=cdrom", "the device type is given twice" },
    { "/img,,xvda,w,cdrom", "a cdrom is read-only: drop the w/rw access" },
    { "/img,,xvda,backendtype=tap", "unknown backendtype 'tap' (phy, qdisk or standalone)" },
    { "/img,,xvda,specification=scsi", "unknown specification 'scsi' (xen or virtio)" },
    { "/img,,xvda,colo-port=x", "colo-port 'x' is not a port number (1-65535)" },
    { "/p=q,,xvda", "'/p=q' is neither KEY=VALUE nor a positional parameter: a target "
      "holding '=' must be given last, as target=..." },
    { "/a,,xvda,target=/b", "the target is given twice" },
    /* a prefix switches to the old order: target, vdev, access */
    { "raw:/a,qcow2,xvda", "'qcow2' is not a virtual device name: use xvda, xvdb, ... (or "
      "hda-hdd, sda, d0p1; see xen-vbd-interface(7))" },
    { "raw:/a,xvda,w,format=qcow2", "the format is given twice" },
};

static void test_bad(gconstpointer data)
{
    size_t i = GPOINTER_TO_SIZE(data);
    struct parsed p;
    libxl_device_disk d;
    const char *spec = bad[i].spec;
    char *q = g_strescape(spec, NULL);
    char *want = g_strdup_printf("t.cfg: error: disk \"%s\": %s\n", q, bad[i].report);

    parsed_open(&p, "");
    libxl_device_disk_init(&d);
    g_assert_cmpint(xlu_disk_parse(p.cfg, 1, &spec, &d), ==, EINVAL);
    g_assert_cmpstr(parsed_report(&p), ==, want);
    libxl_device_disk_dispose(&d);
    parsed_close(&p);
    g_free(want);
    g_free(q);
}

static void test_several_specs(void)
{
    struct parsed p;
    libxl_device_disk d;
    const char *specs[] = { "/img", "vdev=xvdb", "access=ro" };
    char *s;

    parsed_open(&p, "");
    libxl_device_disk_init(&d);
    g_assert_cmpint(xlu_disk_parse(p.cfg, 3, specs, &d), ==, 0);
    s = summary(&d);
    g_assert_cmpstr(s, ==, "pdev=/img format=raw vdev=xvdb ro");
    g_free(s);
    libxl_device_disk_dispose(&d);
    parsed_close(&p);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(good); i++) {
        char *n = g_strdup_printf("/xlcfg/disk/good/%zu", i);

        g_test_add_data_func(n, GSIZE_TO_POINTER(i), test_good);
        g_free(n);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        char *n = g_strdup_printf("/xlcfg/disk/bad/%zu", i);

        g_test_add_data_func(n, GSIZE_TO_POINTER(i), test_bad);
        g_free(n);
    }
    g_test_add_func("/xlcfg/disk/several-specs", test_several_specs);
    return g_test_run();
}
