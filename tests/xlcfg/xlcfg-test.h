/* xlcfg-test.h -- helpers of the xl.cfg unit tests: parse text into an
 * XLU_Config with its report captured in memory. */
#ifndef XLCFG_TEST_H
#define XLCFG_TEST_H

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libxl.h"
#include "libxlutil.h"

struct parsed {
    XLU_Config *cfg;
    FILE *f;
    char *report;
    size_t len;
    int rc;
};

static inline void parsed_open_len(struct parsed *p, const char *text, size_t len)
{
    memset(p, 0, sizeof(*p));
    p->f = open_memstream(&p->report, &p->len);
    g_assert_nonnull(p->f);
    p->cfg = xlu_cfg_init(p->f, "t.cfg");
    g_assert_nonnull(p->cfg);
    p->rc = xlu_cfg_readdata(p->cfg, text, (int)len);
    fflush(p->f);
}

static inline void parsed_open(struct parsed *p, const char *text)
{
    parsed_open_len(p, text, strlen(text));
}

/* The report so far, as a string owned by p. */
static inline const char *parsed_report(struct parsed *p)
{
    fflush(p->f);
    return p->report ? p->report : "";
}

static inline void parsed_close(struct parsed *p)
{
    xlu_cfg_destroy(p->cfg);
    fclose(p->f);
    free(p->report);
    memset(p, 0, sizeof(*p));
}

/* A host of 16 CPUs on 4 nodes of 4, the example of xl.cfg(5). */
G_GNUC_UNUSED static const int xlcfg_test_nodes16[16] = { 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3 };
G_GNUC_UNUSED static const xlu_host_topology xlcfg_test_host16 = { 16, 4, xlcfg_test_nodes16 };

#endif
