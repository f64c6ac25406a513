/* libFuzzer target for the xl.cfg layer: every input is read as an
 * xl.cfg file (then, when valid, turned into a domain configuration whose
 * JSON must read back equal), as a libxl JSON document, and as disk=,
 * vif= and cpus= specs.  Any crash, leak, sanitizer report or broken
 * round trip is a bug.  Built with clang when it is there (tests/libxl.am)
 * and run briefly by fuzz.sh. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libxl.h"
#include "libxlutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int nodes[16] = { 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3 };
static const xlu_host_topology host = { 16, 4, nodes };

static FILE *sink(void)
{
    static FILE *devnull;

    if (!devnull)
        devnull = fopen("/dev/null", "w");
    return devnull;
}

static void roundtrip(libxl_domain_config *c)
{
    libxl_domain_config back;
    char *json = libxl_domain_config_to_json(NULL, c);

    if (!json)
        __builtin_trap();          /* a parsed configuration must have JSON */
    libxl_domain_config_init(&back);
    if (libxl_domain_config_from_json(NULL, &back, json) ||
        !libxl_domain_config_equal(c, &back))
        __builtin_trap();
    libxl_domain_config_dispose(&back);
    free(json);
}

static void as_xlcfg(const char *text, size_t size)
{
    XLU_Config *cfg = xlu_cfg_init(sink(), "fuzz.cfg");
    xlu_load_options opts = { &host };
    libxl_domain_config c;
    libxl_host_limits limits = { 16 };

    if (!cfg)
        return;
    libxl_domain_config_init(&c);
    if (xlu_cfg_readdata(cfg, text, (int)size) == 0 &&
        xlu_domain_config_parse(cfg, &opts, &c) == 0) {
        libxl_domain_config_setdefault(&c);
        libxl_domain_config_check(&c, &limits, NULL, NULL);
        roundtrip(&c);
    }
    libxl_domain_config_dispose(&c);
    xlu_cfg_destroy(cfg);
}

static void as_json(const char *text)
{
    libxl_domain_config c;
    char *err = NULL;

    libxl_domain_config_init(&c);
    if (libxl_domain_config_from_json_err(&c, text, &err) == 0) {
        libxl_domain_config_setdefault(&c);
        libxl_domain_config_check(&c, NULL, NULL, NULL);
    }
    free(err);
    libxl_domain_config_dispose(&c);
}

static void as_specs(const char *text)
{
    XLU_Config *cfg = xlu_cfg_init(sink(), "fuzz");
    libxl_device_disk d;
    libxl_device_nic n;
    libxl_bitmap map;

    if (!cfg)
        return;
    libxl_device_disk_init(&d);
    xlu_disk_parse(cfg, 1, &text, &d);
    libxl_device_disk_dispose(&d);
    libxl_device_nic_init(&n);
    xlu_vif_parse(cfg, text, &n);
    libxl_device_nic_dispose(&n);
    libxl_bitmap_init(&map);
    xlu_cpu_list_parse(cfg, text, &host, &map);
    libxl_bitmap_dispose(&map);
    libxl_device_disk_dev_number(text, NULL, NULL);
    xlu_cfg_destroy(cfg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text;

    if (size > 65536)
        return 0;
    text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    as_xlcfg(text, size);
    as_json(text);
    as_specs(text);
    free(text);
    return 0;
}
