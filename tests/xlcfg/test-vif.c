/* The vifspec parser: the examples of xl-network-configuration(5), every
 * key, the rate arithmetic, and the errors. */
#include "config.h"

#include <errno.h>
#include <glib.h>
#include <inttypes.h>
#include <string.h>

#include "xlcfg-test.h"

static char *summary(const libxl_device_nic *n)
{
    GString *s = g_string_new(NULL);
    static const libxl_mac zero;

#define STR(f) if (n->f) g_string_append_printf(s, " " #f "=%s", n->f)
    if (memcmp(n->mac, zero, sizeof(zero))) {
        char m[18];

        libxl_mac_to_string(&n->mac, m);
        g_string_append_printf(s, " mac=%s", m);
    }
    STR(model);
    STR(bridge);
    STR(gatewaydev);
    STR(ifname);
    STR(script);
    STR(ip);
    STR(backend_domname);
    STR(coloft_forwarddev);
#undef STR
    if (n->nictype)
        g_string_append_printf(s, " type=%s", libxl_nic_type_to_string(n->nictype));
    if (n->devid >= 0)
        g_string_append_printf(s, " devid=%d", n->devid);
    if (n->mtu)
        g_string_append_printf(s, " mtu=%d", n->mtu);
    if (n->rate_interval_usecs)
        g_string_append_printf(s, " rate=%" PRIu64 "/%" PRIu32 "us", n->rate_bytes_per_interval,
                               n->rate_interval_usecs);
    if (!libxl_defbool_is_default(n->trusted))
        g_string_append_printf(s, " trusted=%s", libxl_defbool_to_string(n->trusted));
    return g_string_free(s, FALSE);
}

static const struct {
    const char *spec;
    const char *want;
    const char *report;
} good[] = {
    /* xl-network-configuration(5) */
    { "mac=00:16:3E:74:3d:76,model=rtl8139,bridge=xenbr0",
      " mac=00:16:3e:74:3d:76 model=rtl8139 bridge=xenbr0", "" },
    { "mac=00:16:3E:74:34:32", " mac=00:16:3e:74:34:32", "" },
    { "", "", "" },
    { "mac=00:16:3e:5f:48:e4,bridge=xenbr1", " mac=00:16:3e:5f:48:e4 bridge=xenbr1", "" },
    { "rate=10Mb/s", " rate=62500/50000us", "" },
    { "rate=250KB/s", " rate=12500/50000us", "" },
    { "rate=1MB/s@20ms", " rate=20000/20000us", "" },
    /* rate units */
    { "rate=1GB/s@1s", " rate=1000000000/1000000us", "" },
    { "rate=2Gb/s@1s", " rate=250000000/1000000us", "" },
    { "rate=100b/s@1s", " rate=12/1000000us", "" },
    { "rate=1000/s", " rate=50/50000us", "" },
    { "rate=1000B/s@100000", " rate=100/100000us", "" },
    { "rate=8Kb/s@250us", " rate=0/250us", NULL },          /* too low: see bad[] */
    /* every key */
    { "gatewaydev=eth0,type=ioemu,vifname=v1,script=vif-route,ip=10.0.0.1 10.0.0.2",
      " gatewaydev=eth0 ifname=v1 script=vif-route ip=10.0.0.1 10.0.0.2 type=vif_ioemu", "" },
    { "netdev=eth1,type=vif,backend=netdom,devid=3,mtu=9000,forwarddev=eth2",
      " gatewaydev=eth1 backend_domname=netdom coloft_forwarddev=eth2 type=vif devid=3 mtu=9000",
      "" },
    { " bridge=br0 , trusted ", " bridge=br0 trusted=True", "" },
    { "untrusted,", " trusted=False", "" },
    { "accel=x", "", "t.cfg: warning: vif \"accel=x\": accel= is not supported; ignored\n" },
};

static void test_good(gconstpointer data)
{
    size_t i = GPOINTER_TO_SIZE(data);
    struct parsed p;
    libxl_device_nic n;
    char *s;

    if (!good[i].report)
        return;
    parsed_open(&p, "");
    libxl_device_nic_init(&n);
    g_assert_cmpint(xlu_vif_parse(p.cfg, good[i].spec, &n), ==, 0);
    g_assert_cmpstr(parsed_report(&p), ==, good[i].report);
    s = summary(&n);
    g_assert_cmpstr(s, ==, good[i].want);
    g_free(s);
    libxl_device_nic_dispose(&n);
    parsed_close(&p);
}

static const struct {
    const char *spec;
    const char *report;
} bad[] = {
    { "mac=00:16:3e:5f:48", "mac '00:16:3e:5f:48' is not a MAC address: write six pairs of hex "
      "digits, e.g. 00:16:3e:12:34:56" },
    { "mac=0:16:3e:5f:48:e4", "mac '0:16:3e:5f:48:e4' is not a MAC address: write six pairs of "
      "hex digits, e.g. 00:16:3e:12:34:56" },
    { "mac=01:16:3e:5f:48:e4", "mac 01:16:3e:5f:48:e4 is a multicast address: the first byte "
      "must be even (e.g. 00:16:3e:... or a locally administered x2:...)" },
    { "mac=00:00:00:00:00:00", "mac 00:00:00:00:00:00 is not usable: leave mac= out to have an "
      "address generated" },
    { "foo=bar", "unknown parameter 'foo' (keys: mac, bridge, ip, model, type, vifname, script, "
      "backend, rate, devid, mtu, gatewaydev; flags: trusted, untrusted)" },
    { "bridge=a,bridge=b", "bridge is given twice" },
    { "netdev=a,gatewaydev=b", "gatewaydev is given twice" },
    { "type=e1000", "unknown type 'e1000' (ioemu or vif)" },
    { "rate=10Mb", "malformed rate '10Mb': write RATE/s or RATE/s@INTERVAL, e.g. 10Mb/s, "
      "250KB/s or 1MB/s@20ms" },
    { "rate=10Mb/s@5h", "malformed rate '10Mb/s@5h': write RATE/s or RATE/s@INTERVAL, e.g. "
      "10Mb/s, 250KB/s or 1MB/s@20ms" },
    { "rate=0/s", "rate '0/s' is zero: leave rate= out for no limit" },
    { "rate=1b/s", "rate '1b/s' allows less than one byte per interval: raise the rate or "
      "lengthen the interval (@INTERVAL)" },
    { "rate=8Kb/s@250us", "rate '8Kb/s@250us' allows less than one byte per interval: raise the "
      "rate or lengthen the interval (@INTERVAL)" },
    { "rate=1MB/s@0ms", "rate '1MB/s@0ms': the interval must be between 1us and 4294967295us" },
    { "rate=1MB/s@5000s", "rate '1MB/s@5000s': the interval must be between 1us and "
      "4294967295us" },
    { "rate=99999999999GB/s", "rate '99999999999GB/s' is too large" },
    { "rate=99999999999999999999/s", "malformed rate '99999999999999999999/s': write RATE/s or "
      "RATE/s@INTERVAL, e.g. 10Mb/s, 250KB/s or 1MB/s@20ms" },
    { "devid=-1", "devid=-1: expected a number between 0 and 65535" },
    { "mtu=20", "mtu=20: expected a number between 68 and 65535" },
    { "mtu=", "mtu=: expected a number between 68 and 65535" },
    { "novalue", "'novalue' is not KEY=VALUE (keys: mac, bridge, ip, model, type, vifname, "
      "script, backend, rate, devid, mtu, gatewaydev)" },
    { "trusted,untrusted", "trusted/untrusted is given twice" },
};

static void test_bad(gconstpointer data)
{
    size_t i = GPOINTER_TO_SIZE(data);
    struct parsed p;
    libxl_device_nic n;
    char *want = g_strdup_printf("t.cfg: error: vif \"%s\": %s\n", bad[i].spec, bad[i].report);

    parsed_open(&p, "");
    libxl_device_nic_init(&n);
    g_assert_cmpint(xlu_vif_parse(p.cfg, bad[i].spec, &n), ==, EINVAL);
    g_assert_cmpstr(parsed_report(&p), ==, want);
    libxl_device_nic_dispose(&n);
    parsed_close(&p);
    g_free(want);
}

static void test_parse_rate(void)
{
    struct parsed p;
    libxl_device_nic n;

    parsed_open(&p, "");
    libxl_device_nic_init(&n);
    g_assert_cmpint(xlu_vif_parse_rate(p.cfg, "1MB/s@20ms", &n), ==, 0);
    g_assert_cmpuint(n.rate_bytes_per_interval, ==, 20000);
    g_assert_cmpuint(n.rate_interval_usecs, ==, 20000);
    g_assert_cmpint(xlu_vif_parse_rate(p.cfg, "fast", &n), ==, EINVAL);
    g_assert_cmpstr(parsed_report(&p), ==, "t.cfg: error: vif \"fast\": malformed rate 'fast': "
                    "write RATE/s or RATE/s@INTERVAL, e.g. 10Mb/s, 250KB/s or 1MB/s@20ms\n");
    libxl_device_nic_dispose(&n);
    parsed_close(&p);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(good); i++) {
        char *n = g_strdup_printf("/xlcfg/vif/good/%zu", i);

        g_test_add_data_func(n, GSIZE_TO_POINTER(i), test_good);
        g_free(n);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        char *n = g_strdup_printf("/xlcfg/vif/bad/%zu", i);

        g_test_add_data_func(n, GSIZE_TO_POINTER(i), test_bad);
        g_free(n);
    }
    g_test_add_func("/xlcfg/vif/parse-rate", test_parse_rate);
    return g_test_run();
}
