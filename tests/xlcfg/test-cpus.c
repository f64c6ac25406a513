/* CPU lists (cpus=, cpus_soft=) on the host of xl.cfg(5)'s examples (CPUs
 * 0-3 on node 0, 4-7 on node 1, 8-11 on node 2, 12-15 on node 3), and the
 * virtual disk names of xen-vbd-interface(7). */
#include "config.h"

#include <errno.h>
#include <glib.h>
#include <string.h>

#include "xlcfg-test.h"

static const struct {
    const char *list;
    const char *cpus;
} good[] = {
    /* xl.cfg(5) */
    { "all", "0-15" },
    { "0-3,5,^1", "0,2-3,5" },
    { "all,^7", "0-6,8-15" },
    { "nodes:0-3,^node:2", "0-7,12-15" },
    { "1,node:1,^6", "1,4-5,7" },
    { "all,^node:1", "0-3,8-15" },
    { "2", "2" },
    { "3-8,^5", "3-4,6-8" },
    { "all,^5-8", "0-4,9-15" },
    /* more */
    { " 0 , 2 ", "0,2" },
    { "15", "15" },
    { "node:3", "12-15" },
    { "nodes:1-2", "4-11" },
    { "^0,0", "0" },
    { "0-15,^0-14", "15" },
};

static void test_good(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(good); i++) {
        struct parsed p;
        libxl_bitmap map;
        char *s;

        parsed_open(&p, "");
        libxl_bitmap_init(&map);
        g_assert_cmpint(xlu_cpu_list_parse(p.cfg, good[i].list, &xlcfg_test_host16, &map), ==, 0);
        g_assert_cmpstr(parsed_report(&p), ==, "");
        s = libxl_bitmap_to_range_string(&map);
        g_assert_cmpstr(s, ==, good[i].cpus);
        g_free(s);
        libxl_bitmap_dispose(&map);
        parsed_close(&p);
    }
}

static const struct {
    const char *list;
    const char *report;
} bad[] = {
    { "16", "CPU 16 does not exist: this host has CPUs 0-15" },
    { "0-16", "CPU 16 does not exist: this host has CPUs 0-15" },
    { "node:4", "node 4 does not exist: this host has nodes 0-3" },
    { "5-3", "the range 5-3 runs backwards: write 3-5" },
    { "", "empty item in the CPU list ''" },
    { "1,,2", "empty item in the CPU list '1,,2'" },
    { "^", "empty item in the CPU list '^'" },
    { "one", "malformed item 'one' in a CPU list (all, N, N-M, node:N, nodes:N-M, each may "
      "start with ^ to remove)" },
    { "1-", "malformed item '1-' in a CPU list (all, N, N-M, node:N, nodes:N-M, each may "
      "start with ^ to remove)" },
    { "-1", "malformed item '-1' in a CPU list (all, N, N-M, node:N, nodes:N-M, each may "
      "start with ^ to remove)" },
    { "node:x", "malformed item 'x' in a CPU list (all, N, N-M, node:N, nodes:N-M, each may "
      "start with ^ to remove)" },
    { "99999999999999999999", "malformed item '99999999999999999999' in a CPU list (all, N, "
      "N-M, node:N, nodes:N-M, each may start with ^ to remove)" },
    { "all,^all", "the CPU list 'all,^all' selects no CPU" },
};

static void test_bad(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        struct parsed p;
        libxl_bitmap map;
        char *want = g_strdup_printf("t.cfg: error: %s\n", bad[i].report);

        parsed_open(&p, "");
        libxl_bitmap_init(&map);
        g_assert_cmpint(xlu_cpu_list_parse(p.cfg, bad[i].list, &xlcfg_test_host16, &map), ==,
                        EINVAL);
        g_assert_cmpstr(parsed_report(&p), ==, want);
        g_assert_cmpuint(map.size, ==, 0);
        libxl_bitmap_dispose(&map);
        parsed_close(&p);
        g_free(want);
    }
}

static void test_probe(void)
{
    xlu_host_topology host;
    int *map = NULL;

    g_assert_cmpint(xlu_host_topology_probe(&host, &map), ==, 0);
    g_assert_cmpint(host.nr_cpus, >=, 1);
    g_assert_cmpint(host.nr_nodes, >=, 1);
    for (int c = 0; c < host.nr_cpus; c++) {
        g_assert_cmpint(host.cpu_to_node[c], >=, 0);
        g_assert_cmpint(host.cpu_to_node[c], <, host.nr_nodes);
    }
    free(map);
}

static const struct {
    const char *vdev;
    int devnum, disk, part;
} vdevs[] = {
    /* xen-vbd-interface(7) */
    { "xvda", 202 << 8, 0, 0 },
    { "d0", 202 << 8, 0, 0 },
    { "d0p0", 202 << 8, 0, 0 },
    { "xvdb2", 202 << 8 | 1 << 4 | 2, 1, 2 },
    { "d1p2", 202 << 8 | 1 << 4 | 2, 1, 2 },
    { "d536p37", 1 << 28 | 536 << 8 | 37, 536, 37 },
    { "xvdtq37", 1 << 28 | 536 << 8 | 37, 536, 37 },
    { "sdb3", 8 << 8 | 1 << 4 | 3, 1, 3 },
    { "hdc2", 22 << 8 | 0 << 6 | 2, 2, 2 },
    { "hda", 3 << 8, 0, 0 },
    { "hdb63", 3 << 8 | 1 << 6 | 63, 1, 63 },
    { "hdd", 22 << 8 | 1 << 6, 3, 0 },
    { "xvdp15", 202 << 8 | 15 << 4 | 15, 15, 15 },
    { "xvdq", 1 << 28 | 16 << 8, 16, 0 },
    { "xvda16", 1 << 28 | 0 << 8 | 16, 0, 16 },
    { "xvdz", 1 << 28 | 25 << 8, 25, 0 },  /* disks from 16 on: the 1<<28 form */
    { "xvdaa", 1 << 28 | 26 << 8, 26, 0 },
    { "51712", 51712, -1, -1 },
    { "0xca00", 51712, -1, -1 },
    /* not devices */
    { "", -1, -1, -1 }, { "xvd", -1, -1, -1 }, { "hde", -1, -1, -1 }, { "sdq", -1, -1, -1 },
    { "xvda256", -1, -1, -1 }, { "d0p", -1, -1, -1 }, { "d0p256", -1, -1, -1 },
    { "foo", -1, -1, -1 }, { "xvdA", -1, -1, -1 }, { "0", -1, -1, -1 }, { "xvda01", -1, -1, -1 },
    { "xvdaaaaaa", -1, -1, -1 }, { "d1048576", -1, -1, -1 }, { "sda16", -1, -1, -1 },
    { "hda64", -1, -1, -1 }, { "xvda-1", -1, -1, -1 }, { "d01", -1, -1, -1 },
};

static void test_vdev(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(vdevs); i++) {
        int disk, part, want = vdevs[i].devnum;

        g_test_message("%s", vdevs[i].vdev);
        g_assert_cmpint(libxl_device_disk_dev_number(vdevs[i].vdev, &disk, &part), ==, want);
        g_assert_cmpint(disk, ==, vdevs[i].disk);
        g_assert_cmpint(part, ==, vdevs[i].part);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/xlcfg/cpus/good", test_good);
    g_test_add_func("/xlcfg/cpus/bad", test_bad);
    g_test_add_func("/xlcfg/cpus/probe", test_probe);
    g_test_add_func("/xlcfg/vdev", test_vdev);
    return g_test_run();
}
