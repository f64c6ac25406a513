/* The generated types: init/copy/equal/dispose, the JSON round trip
 * (from_json(to_json(c)) == c), JSON errors with their paths, the built-in
 * types, the stored configuration of a domain, defaults and checks. */
#include "config.h"

#include <errno.h>
#include <glib.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libxl_json.h"
#include "xlcfg-test.h"

static void set_bits(libxl_bitmap *b, int n, const int *bits)
{
    libxl_bitmap_alloc(NULL, b, 64);
    for (int i = 0; i < n; i++)
        libxl_bitmap_set(b, bits[i]);
}

/* Every field away from its initial value. */
static void fill(libxl_domain_config *c, libxl_domain_type type)
{
    libxl_domain_build_info *b = &c->b_info;
    static const int avail[] = { 0, 1, 2 }, pin0[] = { 3 }, pin1[] = { 4, 5, 40 };

    c->c_info.type = type;
    c->c_info.name = g_strdup("r\xc3\xa9sum\xc3\xa9 \"quoted\"\t\\ / \x01");
    libxl_uuid_from_string(&c->c_info.uuid, "5a2e8f1c-0b7d-4c3e-9f60-1d2c3b4a5968");
    libxl_domain_build_info_init_type(b, type);
    b->max_vcpus = 4;
    set_bits(&b->avail_vcpus, 3, avail);
    b->vcpu_hard_affinity = g_new0(libxl_bitmap, 2);
    b->num_vcpu_hard_affinity = 2;
    set_bits(&b->vcpu_hard_affinity[0], 1, pin0);
    set_bits(&b->vcpu_hard_affinity[1], 3, pin1);
    b->vcpu_soft_affinity = g_new0(libxl_bitmap, 1);
    b->num_vcpu_soft_affinity = 1;
    set_bits(&b->vcpu_soft_affinity[0], 1, pin0);
    b->max_memkb = UINT64_C(1) << 40;
    b->target_memkb = 524288;
    b->max_grant_frames = 32;
    b->max_maptrack_frames = 0;
    b->sched_params.sched = LIBXL_SCHEDULER_CREDIT;
    b->sched_params.weight = 512;
    b->sched_params.cap = 50;
    b->event_channels = 4095;
    b->kernel = g_strdup("/boot/vmlinuz");
    b->cmdline = g_strdup("console=hvc0 root=/dev/xvda1");
    b->ramdisk = g_strdup("/boot/initrd");
    if (type == LIBXL_DOMAIN_TYPE_HVM) {
        b->u.hvm.firmware = g_strdup("/usr/lib/xenkvm/fw.elf");
        libxl_string_list_append(&b->u.hvm.serial_list, "pty");
        libxl_string_list_append(&b->u.hvm.serial_list, "file:/tmp/s");
    }

    c->disks = g_new0(libxl_device_disk, 2);
    c->num_disks = 2;
    for (int i = 0; i < 2; i++)
        libxl_device_disk_init(&c->disks[i]);
    c->disks[0].backend_domid = 7;
    c->disks[0].backend_domname = g_strdup("dd");
    c->disks[0].pdev_path = g_strdup("/dev/vg/a");
    c->disks[0].vdev = g_strdup("xvda");
    c->disks[0].backend = LIBXL_DISK_BACKEND_QDISK;
    c->disks[0].format = LIBXL_DISK_FORMAT_QCOW2;
    c->disks[0].script = g_strdup("block-iscsi");
    c->disks[0].readwrite = 1;
    c->disks[0].direct_io_safe = true;
    libxl_defbool_set(&c->disks[0].discard_enable, false);
    c->disks[0].specification = LIBXL_DISK_SPECIFICATION_VIRTIO;
    libxl_defbool_set(&c->disks[0].colo_enable, true);
    c->disks[0].colo_host = g_strdup("h");
    c->disks[0].colo_port = 9000;
    c->disks[0].colo_export = g_strdup("e");
    c->disks[0].active_disk = g_strdup("/a");
    c->disks[0].hidden_disk = g_strdup("/h");
    libxl_defbool_set(&c->disks[0].trusted, false);
    c->disks[1].vdev = g_strdup("hdc");
    c->disks[1].format = LIBXL_DISK_FORMAT_EMPTY;
    c->disks[1].is_cdrom = 1;
    c->disks[1].removable = 1;

    c->nics = g_new0(libxl_device_nic, 1);
    c->num_nics = 1;
    libxl_device_nic_init(&c->nics[0]);
    c->nics[0].backend_domid = 3;
    c->nics[0].backend_domname = g_strdup("net");
    c->nics[0].devid = 0;
    c->nics[0].mtu = 9000;
    c->nics[0].model = g_strdup("e1000");
    libxl_mac_from_string(&c->nics[0].mac, "00:16:3e:01:02:03");
    c->nics[0].ip = g_strdup("10.0.0.1");
    c->nics[0].bridge = g_strdup("br1");
    c->nics[0].ifname = g_strdup("vif-x");
    c->nics[0].script = g_strdup("vif-route");
    c->nics[0].nictype = LIBXL_NIC_TYPE_VIF_IOEMU;
    c->nics[0].rate_bytes_per_interval = UINT64_MAX - 1;   /* beyond a JSON double */
    c->nics[0].rate_interval_usecs = UINT32_MAX;
    c->nics[0].gatewaydev = g_strdup("eth0");
    c->nics[0].coloft_forwarddev = g_strdup("eth1");
    libxl_defbool_set(&c->nics[0].trusted, true);

    c->on_poweroff = LIBXL_ACTION_ON_SHUTDOWN_PRESERVE;
    c->on_reboot = LIBXL_ACTION_ON_SHUTDOWN_RESTART_RENAME;
    c->on_watchdog = LIBXL_ACTION_ON_SHUTDOWN_COREDUMP_DESTROY;
    c->on_crash = LIBXL_ACTION_ON_SHUTDOWN_COREDUMP_RESTART;
}

static void test_roundtrip(gconstpointer data)
{
    libxl_domain_type type = (libxl_domain_type)GPOINTER_TO_INT(data);
    libxl_domain_config c, back, copy;
    char *json, *json2, *err = NULL;

    libxl_domain_config_init(&c);
    libxl_domain_config_init(&back);
    fill(&c, type);
    json = libxl_domain_config_to_json(NULL, &c);
    g_assert_nonnull(json);
    g_assert_cmpint(libxl_domain_config_from_json_err(&back, json, &err), ==, 0);
    g_assert_null(err);
    g_assert_true(libxl_domain_config_equal(&c, &back));
    json2 = libxl_domain_config_to_json(NULL, &back);
    g_assert_cmpstr(json, ==, json2);
    g_assert_nonnull(strstr(json, "\"rate_bytes_per_interval\": 18446744073709551614"));
    g_assert_nonnull(strstr(json, type == LIBXL_DOMAIN_TYPE_HVM ? "\"type.hvm\": {"
                                                               : "\"type.pvh\": {}"));

    libxl_domain_config_copy(NULL, &copy, &c);
    g_assert_true(libxl_domain_config_equal(&c, &copy));
    copy.nics[0].mac[5] ^= 1;
    g_assert_false(libxl_domain_config_equal(&c, &copy));
    copy.nics[0].mac[5] ^= 1;
    libxl_bitmap_set(&copy.b_info.vcpu_hard_affinity[1], 41);
    g_assert_false(libxl_domain_config_equal(&c, &copy));
    libxl_domain_config_dispose(&copy);
    /* dispose leaves an initialised value: disposing again is harmless */
    libxl_domain_config_dispose(&copy);

    g_free(json);
    g_free(json2);
    libxl_domain_config_dispose(&back);
    libxl_domain_config_dispose(&c);
}

static void test_defaults_omitted(void)
{
    libxl_domain_config c, back;
    char *json;

    libxl_domain_config_init(&c);
    json = libxl_domain_config_to_json(NULL, &c);
    g_assert_cmpstr(json, ==, "{\n    \"c_info\": {},\n    \"b_info\": {\n"
                    "        \"sched_params\": {}\n    }\n}");
    libxl_domain_config_init(&back);
    g_assert_cmpint(libxl_domain_config_from_json(NULL, &back, json), ==, 0);
    g_assert_true(libxl_domain_config_equal(&c, &back));
    g_assert_cmpint(back.b_info.max_memkb, ==, LIBXL_MEMKB_DEFAULT);
    g_assert_cmpint(back.b_info.type, ==, LIBXL_DOMAIN_TYPE_INVALID);
    g_assert_cmpint(back.b_info.sched_params.weight, ==, -1);
    g_free(json);
    libxl_domain_config_dispose(&back);
    libxl_domain_config_dispose(&c);
}

static const struct {
    const char *json;
    const char *err;
} bad_json[] = {
    { "{\"c_info\": {\"name\": 5}}", "c_info.name: expected a string, got a number" },
    { "{\"b_info\": {\"max_memkb\": -1}}",
      "b_info.max_memkb: -1 is out of range [0, 18446744073709551615]" },
    { "{\"b_info\": {\"max_vcpus\": 2147483648}}",
      "b_info.max_vcpus: 2147483648 is out of range [-2147483648, 2147483647]" },
    { "{\"b_info\": {\"event_channels\": 1.5}}",
      "b_info.event_channels: expected an integer, got 1.5" },
    { "{\"disks\": [{\"vdev\": \"xvda\"}, {\"format\": \"floppy\"}]}",
      "disks[1].format: \"floppy\" is not a disk_format (one of: unknown, qcow, qcow2, vhd, raw, "
      "empty, qed)" },
    { "{\"disks\": {}}", "disks: expected an array, got an object" },
    { "{\"b_info\": {\"type\": \"hvm\", \"type.hvm\": {\"serial_list\": [1]}}}",
      "b_info.type.hvm.serial_list: element 0: expected a string" },
    { "{\"b_info\": {\"type\": \"hvm\", \"type.hvm\": []}}",
      "b_info.type.hvm: expected an object, got an array" },
    { "{\"b_info\": {\"avail_vcpus\": [0, 70000]}}",
      "b_info.avail_vcpus: bit 70000 is out of range [0, 65535]" },
    { "{\"b_info\": {\"vcpu_hard_affinity\": [[0], \"x\"]}}",
      "b_info.vcpu_hard_affinity[1]: expected an array, got a string" },
    { "{\"c_info\": {\"uuid\": \"nope\"}}",
      "c_info.uuid: \"nope\" is not a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)" },
    { "{\"nics\": [{\"mac\": \"00:16\"}]}",
      "nics[0].mac: \"00:16\" is not a MAC address (xx:xx:xx:xx:xx:xx)" },
    { "{\"nics\": [{\"trusted\": \"maybe\"}]}",
      "nics[0].trusted: \"maybe\" is not a defbool (\"True\", \"False\" or \"<default>\")" },
    { "{\"disks\": [{\"direct_io_safe\": 1}]}",
      "disks[0].direct_io_safe: expected true or false, got a number" },
    { "[]", "expected an object, got an array" },
    { "", "empty JSON text" },
    { "{\"c_info\": {\"name\": \"a\\u0000b\"}}", "a JSON string holds a NUL character (\\u0000)" },
};

static void test_bad_json(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(bad_json); i++) {
        libxl_domain_config c;
        char *err = NULL;

        libxl_domain_config_init(&c);
        g_assert_cmpint(libxl_domain_config_from_json_err(&c, bad_json[i].json, &err), ==,
                        ERROR_INVAL);
        g_assert_cmpstr(err, ==, bad_json[i].err);
        g_free(err);
        libxl_domain_config_dispose(&c);
    }
}

static void test_malformed_json(void)
{
    static const char *const texts[] = {
        "{", "{\"a\": }", "{} {}", "nul", "{\"a\": [1, 2}", "\"\xff\"", "{\"a\":1,}",
    };
    GString *deep = g_string_new(NULL);
    libxl_domain_config c;
    char *err = NULL;

    for (size_t i = 0; i < G_N_ELEMENTS(texts); i++) {
        libxl_domain_config_init(&c);
        g_assert_cmpint(libxl_domain_config_from_json_err(&c, texts[i], &err), ==, ERROR_INVAL);
        g_assert_nonnull(err);
        g_free(err);
        err = NULL;
        libxl_domain_config_dispose(&c);
    }
    for (int i = 0; i < 100000; i++)
        g_string_append_c(deep, '[');
    libxl_domain_config_init(&c);
    g_assert_cmpint(libxl_domain_config_from_json_err(&c, deep->str, &err), ==, ERROR_INVAL);
    g_assert_cmpstr(err, ==, "JSON nested deeper than 64 levels");
    g_free(err);
    libxl_domain_config_dispose(&c);
    g_string_free(deep, TRUE);
}

static void test_invalid_utf8_refused(void)
{
    libxl_domain_config c;

    libxl_domain_config_init(&c);
    c.c_info.name = g_strdup("bad\xff");
    g_assert_null(libxl_domain_config_to_json(NULL, &c));
    libxl_domain_config_dispose(&c);
}

static void test_builtins(void)
{
    libxl_uuid u, v;
    libxl_mac m;
    char buf[40];
    libxl_defbool d = { 0 };
    libxl_bitmap b;
    libxl_string_list sl = NULL, sl2 = NULL;
    char *r;

    g_assert_cmpint(libxl_uuid_from_string(&u, "5A2E8F1C-0B7D-4C3E-9F60-1D2C3B4A5968"), ==, 0);
    libxl_uuid_to_string(&u, buf);
    g_assert_cmpstr(buf, ==, "5a2e8f1c-0b7d-4c3e-9f60-1d2c3b4a5968");
    g_assert_cmpint(libxl_uuid_from_string(&v, "5a2e8f1c0b7d-4c3e-9f60-1d2c3b4a5968-"), ==,
                    ERROR_INVAL);
    g_assert_cmpint(libxl_uuid_from_string(&v, "5a2e8f1c-0b7d-4c3e-9f60-1d2c3b4a596g"), ==,
                    ERROR_INVAL);
    g_assert_cmpint(libxl_uuid_from_string(&v, ""), ==, ERROR_INVAL);
    libxl_uuid_generate(&v);
    g_assert_false(libxl_uuid_is_nil(&v));
    g_assert_cmpint((v.uuid[6] >> 4), ==, 4);
    g_assert_cmpint(libxl_uuid_compare(&u, &v), !=, 0);
    libxl_uuid_clear(&v);
    g_assert_true(libxl_uuid_is_nil(&v));

    g_assert_cmpint(libxl_mac_from_string(&m, "00:16:3E:aB:cd:EF"), ==, 0);
    libxl_mac_to_string(&m, buf);
    g_assert_cmpstr(buf, ==, "00:16:3e:ab:cd:ef");
    g_assert_cmpint(libxl_mac_from_string(&m, "00:16:3e:ab:cd"), ==, ERROR_INVAL);
    g_assert_cmpint(libxl_mac_from_string(&m, "00-16-3e-ab-cd-ef"), ==, ERROR_INVAL);

    g_assert_true(libxl_defbool_is_default(d));
    g_assert_cmpstr(libxl_defbool_to_string(d), ==, "<default>");
    libxl_defbool_setdefault(&d, true);
    g_assert_true(libxl_defbool_val(d));
    libxl_defbool_setdefault(&d, false);
    g_assert_true(libxl_defbool_val(d));
    libxl_defbool_set(&d, false);
    g_assert_cmpstr(libxl_defbool_to_string(d), ==, "False");
    libxl_defbool_unset(&d);
    g_assert_true(libxl_defbool_is_default(d));

    libxl_bitmap_init(&b);
    g_assert_true(libxl_bitmap_is_empty(&b));
    g_assert_cmpint(libxl_bitmap_highest_set(&b), ==, -1);
    libxl_bitmap_alloc(NULL, &b, 20);
    g_assert_cmpuint(b.size, ==, 3);
    libxl_bitmap_set(&b, 3);
    libxl_bitmap_set(&b, 19);
    libxl_bitmap_set(&b, 24);                   /* beyond: ignored */
    g_assert_false(libxl_bitmap_test(&b, 24));
    g_assert_cmpint(libxl_bitmap_count_set(&b), ==, 2);
    g_assert_cmpint(libxl_bitmap_highest_set(&b), ==, 19);
    libxl_bitmap_set_any(&b);
    libxl_bitmap_reset(&b, 0);
    r = libxl_bitmap_to_range_string(&b);
    g_assert_cmpstr(r, ==, "1-23");
    g_free(r);
    libxl_bitmap_set_none(&b);
    g_assert_true(libxl_bitmap_is_empty(&b));
    libxl_bitmap_dispose(&b);

    libxl_string_list_append(&sl, "a");
    libxl_string_list_append(&sl, "b");
    libxl_string_list_copy(NULL, &sl2, &sl);
    g_assert_cmpint(libxl_string_list_length(&sl2), ==, 2);
    g_assert_cmpstr(sl2[1], ==, "b");
    libxl_string_list_dispose(&sl);
    libxl_string_list_dispose(&sl2);
    g_assert_null(sl);

    g_assert_cmpstr(libxl_action_on_shutdown_to_string(LIBXL_ACTION_ON_SHUTDOWN_RESTART_RENAME),
                    ==, "restart_rename");
    {
        libxl_disk_format f;

        g_assert_cmpint(libxl_disk_format_from_string("QCOW2", &f), ==, 0);
        g_assert_cmpint(f, ==, LIBXL_DISK_FORMAT_QCOW2);
        g_assert_cmpint(libxl_disk_format_from_string("floppy", &f), ==, ERROR_FAIL);
    }
    g_assert_cmpstr(libxl_error_to_string(ERROR_INVAL), ==, "inval");
}

static void test_gen_json(void)
{
    yajl_gen g = libxl_yajl_gen_alloc(NULL);
    libxl_device_nic n;
    const unsigned char *buf;
    size_t len;

    libxl_device_nic_init(&n);
    n.devid = 2;
    g_assert_cmpint(yajl_gen_array_open(g), ==, yajl_gen_status_ok);
    g_assert_cmpint(libxl_device_nic_gen_json(g, &n), ==, yajl_gen_status_ok);
    g_assert_cmpint(yajl_gen_array_close(g), ==, yajl_gen_status_ok);
    g_assert_cmpint(yajl_gen_get_buf(g, &buf, &len), ==, yajl_gen_status_ok);
    g_assert_cmpstr((const char *)buf, ==, "[\n    {\n        \"devid\": 2\n    }\n]\n");
    yajl_gen_free(g);
    libxl_device_nic_dispose(&n);
}

static void test_domid_wrapper(void)
{
    libxl_domain_config c;
    char *j;

    libxl_domain_config_init(&c);
    c.c_info.name = g_strdup("a");
    j = libxl_domain_config_to_json_domid(&c, -1);
    g_assert_cmpstr(j, ==, "{\n    \"domid\": null,\n    \"config\": {\n        \"c_info\": {\n"
                    "            \"name\": \"a\"\n        },\n        \"b_info\": {\n"
                    "            \"sched_params\": {}\n        }\n    }\n}");
    g_free(j);
    j = libxl_domain_config_to_json_domid(&c, 7);
    g_assert_true(g_str_has_prefix(j, "{\n    \"domid\": 7,\n"));
    g_free(j);
    libxl_domain_config_dispose(&c);
}

static void test_store(void)
{
    char dir[] = "/tmp/xlcfg-store.XXXXXX";
    libxl_domain_config c, back;
    char *path, *err = NULL;
    struct stat st;
    FILE *f;

    g_assert_nonnull(mkdtemp(dir));
    libxl_domain_config_init(&c);
    fill(&c, LIBXL_DOMAIN_TYPE_PVH);
    path = libxl_domain_config_path(dir, 12, &c.c_info.uuid);
    g_assert_true(g_str_has_suffix(path, "/userdata-d12.5a2e8f1c-0b7d-4c3e-9f60-1d2c3b4a5968"
                                         ".libxl-json"));

    libxl_domain_config_init(&back);
    g_assert_cmpint(libxl_domain_config_load(path, &back, &err), ==, ERROR_NOTFOUND);
    g_assert_nonnull(err);
    g_free(err);
    err = NULL;

    g_assert_cmpint(libxl_domain_config_store(path, &c), ==, 0);
    g_assert_cmpint(stat(path, &st), ==, 0);
    g_assert_cmpint(st.st_mode & 0777, ==, 0600);
    g_assert_cmpint(libxl_domain_config_load(path, &back, &err), ==, 0);
    g_assert_null(err);
    g_assert_true(libxl_domain_config_equal(&c, &back));
    libxl_domain_config_dispose(&back);

    /* replaced whole */
    c.b_info.max_vcpus = 2;
    g_assert_cmpint(libxl_domain_config_store(path, &c), ==, 0);
    g_assert_cmpint(libxl_domain_config_load(path, &back, &err), ==, 0);
    g_assert_cmpint(back.b_info.max_vcpus, ==, 2);
    libxl_domain_config_dispose(&back);

    f = fopen(path, "w");
    fputs("{\"b_info\": {\"max_vcpus\": \"two\"}}", f);
    fclose(f);
    g_assert_cmpint(libxl_domain_config_load(path, &back, &err), ==, ERROR_INVAL);
    g_assert_true(g_str_has_suffix(err, ".libxl-json: b_info.max_vcpus: expected an integer, "
                                        "got a string"));
    g_free(err);
    libxl_domain_config_dispose(&back);

    g_assert_cmpint(libxl_domain_config_store("/nonexistent/dir/x", &c), ==, ERROR_FAIL);
    g_assert_cmpint(errno, ==, ENOENT);

    unlink(path);
    rmdir(dir);
    g_free(path);
    libxl_domain_config_dispose(&c);
}

/* ------------------------------------------------------- defaults, checks */

static void collect(void *opaque, bool is_error, const char *key, int index, const char *msg)
{
    g_string_append_printf(opaque, "%s %s[%d]: %s\n", is_error ? "E" : "W", key, index, msg);
}

static char *check_json(const char *json, int nr_cpus)
{
    libxl_domain_config c;
    libxl_host_limits host = { nr_cpus };
    GString *out = g_string_new(NULL);

    libxl_domain_config_init(&c);
    g_assert_cmpint(libxl_domain_config_from_json(NULL, &c, json), ==, 0);
    libxl_domain_config_setdefault(&c);
    libxl_domain_config_check(&c, &host, collect, out);
    libxl_domain_config_dispose(&c);
    return g_string_free(out, FALSE);
}

static void test_setdefault(void)
{
    libxl_domain_config c;

    libxl_domain_config_init(&c);
    c.c_info.type = LIBXL_DOMAIN_TYPE_PVH;
    c.nics = g_new0(libxl_device_nic, 3);
    c.num_nics = 3;
    for (int i = 0; i < 3; i++)
        libxl_device_nic_init(&c.nics[i]);
    c.nics[1].devid = 0;
    libxl_domain_config_setdefault(&c);
    g_assert_cmpint(c.b_info.type, ==, LIBXL_DOMAIN_TYPE_PVH);
    g_assert_cmpint(c.b_info.max_vcpus, ==, 1);
    g_assert_cmpint(libxl_bitmap_count_set(&c.b_info.avail_vcpus), ==, 1);
    g_assert_cmpuint(c.b_info.max_memkb, ==, 128 * 1024);
    g_assert_cmpuint(c.b_info.target_memkb, ==, 128 * 1024);
    g_assert_cmpuint(c.b_info.event_channels, ==, 1023);
    g_assert_cmpint(c.b_info.sched_params.weight, ==, 256);
    g_assert_cmpint(c.nics[0].devid, ==, 1);       /* the lowest free ones */
    g_assert_cmpint(c.nics[1].devid, ==, 0);
    g_assert_cmpint(c.nics[2].devid, ==, 2);
    g_assert_cmpstr(c.nics[2].bridge, ==, "xenbr0");
    g_assert_cmpint(c.on_reboot, ==, LIBXL_ACTION_ON_SHUTDOWN_RESTART);
    g_assert_cmpint(c.on_poweroff, ==, LIBXL_ACTION_ON_SHUTDOWN_DESTROY);
    libxl_domain_config_dispose(&c);
}

static void test_check(void)
{
    char *s;

    s = check_json("{\"c_info\": {\"type\": \"pvh\", \"name\": \"ok\"},"
                   " \"b_info\": {\"type\": \"pvh\", \"kernel\": \"/k\"}}", 4);
    g_assert_cmpstr(s, ==, "");
    g_free(s);

    s = check_json("{\"c_info\": {\"type\": \"pv\", \"name\": \"12\"},"
                   " \"b_info\": {\"type\": \"pv\", \"max_vcpus\": 2, \"avail_vcpus\": [0, 2],"
                   " \"vcpu_hard_affinity\": [[9], [], [1]],"
                   " \"max_memkb\": 1024, \"target_memkb\": 2048}}", 4);
    g_assert_cmpstr(s, ==,
        "E name[-1]: the name \"12\" is not usable: it is a number (xl would read it as a "
        "domain id); use letters, digits and - _ . : + @\n"
        "E type[-1]: type=\"pv\" is not supported: xenkvm runs pvh and hvm guests (KVM has no "
        "PV MMU); use type = \"pvh\" with a PVH-capable kernel\n"
        "E vcpus[-1]: vcpus=3 is more than maxvcpus=2: raise maxvcpus= or lower vcpus=\n"
        "E cpus[-1]: cpus= lists 3 vCPU entries but the domain has 2 vCPUs: give at most "
        "maxvcpus= entries\n"
        "E cpus[0]: cpus=: CPU 9 does not exist: this host has CPUs 0-3\n"
        "E cpus[1]: cpus= selects no CPU for vCPU 1\n"
        "E memory[-1]: memory=2 is more than maxmem=1: raise maxmem= or lower memory= (both in "
        "MiB)\n");
    g_free(s);

    s = check_json("{\"c_info\": {\"type\": \"hvm\"}, \"b_info\": {\"type\": \"hvm\","
                   " \"type.hvm\": {\"serial_list\": [\"a\", \"\", \"c\", \"d\", \"e\"]}},"
                   " \"disks\": [{\"vdev\": \"xvda\", \"pdev_path\": \"/a\"},"
                   "  {\"vdev\": \"d0p0\", \"pdev_path\": \"/b\"}, {\"vdev\": \"hdx\"},"
                   "  {\"vdev\": \"hdc\", \"is_cdrom\": 1, \"readwrite\": 1}],"
                   " \"nics\": [{\"mac\": \"00:16:3e:00:00:01\", \"devid\": 1},"
                   "  {\"mac\": \"00:16:3e:00:00:01\", \"devid\": 1, \"mtu\": 10,"
                   "   \"ifname\": \"a-very-long-interface\", \"nictype\": \"vif_ioemu\"}],"
                   " \"on_crash\": \"soft_reset\"}", 0);
    g_assert_cmpstr(s, ==,
        "E name[-1]: name= is missing: every domain needs a name, e.g. name = \"guest1\"\n"
        "E firmware_override[-1]: an hvm guest needs firmware_override= (an ELF image with a "
        "PVH entry point, started in the HVM container): xenkvm has no built-in firmware\n"
        "E serial[4]: serial= lists 5 ports: at most 4 (COM1-COM4)\n"
        "E serial[1]: serial= entry 1 is empty: give a device such as \"pty\"\n"
        "E disk[1]: vdev d0p0 is the same device as xvda of disk 0: give each disk its own vdev\n"
        "E disk[2]: 'hdx' is not a virtual device name: use xvda, xvdb, ... (or hda-hdd, sda, "
        "d0p1; see xen-vbd-interface(7))\n"
        "E disk[3]: cdrom hdc is writable: a cdrom is read-only\n"
        "E vif[1]: devid=1 is also the devid of vif 0: leave devid= out or make it unique\n"
        "E vif[1]: mac 00:16:3e:00:00:01 is also the mac of vif 0: give each vif its own "
        "address\n"
        "E vif[1]: mtu=10 is out of range: 68 to 65535\n"
        "E vif[1]: vifname 'a-very-long-interface' must be 1 to 15 characters (a Linux "
        "interface name)\n"
        "W vif[1]: type=ioemu: xenkvm has no device model, the guest gets a Xen PV vif only\n"
        "E on_crash[-1]: on_crash=\"soft-reset\" is not supported by xenkvm\n");
    g_free(s);

    g_assert_null(libxl_domain_name_problem("web-01.example:a+b@c_d"));
    g_assert_nonnull(libxl_domain_name_problem("Domain-0"));
    g_assert_nonnull(libxl_domain_name_problem("-x"));
    g_assert_nonnull(libxl_domain_name_problem("a b"));
    g_assert_nonnull(libxl_domain_name_problem("a/b"));
    g_assert_nonnull(libxl_domain_name_problem(""));
    g_assert_nonnull(libxl_domain_name_problem("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                                               "aaaaaaaaaaaaaaaaa"));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_data_func("/xlcfg/json/roundtrip/pvh", GINT_TO_POINTER(LIBXL_DOMAIN_TYPE_PVH),
                         test_roundtrip);
    g_test_add_data_func("/xlcfg/json/roundtrip/hvm", GINT_TO_POINTER(LIBXL_DOMAIN_TYPE_HVM),
                         test_roundtrip);
    g_test_add_func("/xlcfg/json/defaults-omitted", test_defaults_omitted);
    g_test_add_func("/xlcfg/json/bad", test_bad_json);
    g_test_add_func("/xlcfg/json/malformed", test_malformed_json);
    g_test_add_func("/xlcfg/json/invalid-utf8-refused", test_invalid_utf8_refused);
    g_test_add_func("/xlcfg/json/builtins", test_builtins);
    g_test_add_func("/xlcfg/json/gen-json", test_gen_json);
    g_test_add_func("/xlcfg/json/domid-wrapper", test_domid_wrapper);
    g_test_add_func("/xlcfg/json/store", test_store);
    g_test_add_func("/xlcfg/config/setdefault", test_setdefault);
    g_test_add_func("/xlcfg/config/check", test_check);
    return g_test_run();
}
