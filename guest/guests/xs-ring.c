/* xs-ring: the kit's XenStore client over the domain's ring
 * (HVM_PARAM_STORE_PFN, HVM_PARAM_STORE_EVTCHN), against the real
 * xenstored.  No command line.
 *
 *   xs-ring: OK domid=N path=/local/domain/N
 *
 * It asks for its domain path (XS_GET_DOMAIN_PATH), reads "domid" (a path
 * relative to it, written by the toolstack) and checks it, writes
 * data/xs-ring, reads it back, finds it in the directory listing of data,
 * removes it, and checks that reading it again gives ENOENT.  Failures:
 * "xs-ring: FAIL: ..." (crash); "xs-ring: SKIP: ..." when the domain has
 * no XenStore ring or port (poweroff). */
#include "kit.h"

#include <xen/io/xs_wire.h>

#define P "xs-ring: "
#define VALUE "written through the ring"

static int fail(const char *what, long rc)
{
    printf(P "FAIL: %s: %ld (%s)\n", what, rc, kit_errname(rc));
    return 1;
}

int guest_main(void)
{
    char buf[256], want[64], id[16];
    long rc, n, i;
    int found = 0;

    rc = kit_xs_init();
    if (rc == -XEN_ENOSYS || rc == -XEN_ENODEV) {
        printf(P "SKIP: no XenStore ring: %ld (%s)\n", rc, kit_errname(rc));
        return 0;
    }
    if (rc)
        return fail("ring set-up", rc);

    snprintf(id, sizeof(id), "%d", kit_domid());
    rc = kit_xs_request(XS_GET_DOMAIN_PATH, id, strlen(id) + 1, buf,
                        sizeof(buf), 0);
    if (rc < 0)
        return fail("XS_GET_DOMAIN_PATH", rc);
    snprintf(want, sizeof(want), "/local/domain/%d", kit_domid());
    if (strcmp(buf, want)) {
        printf(P "FAIL: domain path \"%s\", not \"%s\"\n", buf, want);
        return 1;
    }
    rc = kit_xs_read("domid", buf, sizeof(buf));
    if (rc < 0)
        return fail("XS_READ domid", rc);
    if (strcmp(buf, id)) {
        printf(P "FAIL: domid reads \"%s\", CPUID says %s\n", buf, id);
        return 1;
    }
    rc = kit_xs_write("data/xs-ring", VALUE);
    if (rc < 0)
        return fail("XS_WRITE data/xs-ring", rc);
    rc = kit_xs_read("data/xs-ring", buf, sizeof(buf));
    if (rc < 0)
        return fail("XS_READ data/xs-ring", rc);
    if (rc != (long)strlen(VALUE) || strcmp(buf, VALUE)) {
        printf(P "FAIL: data/xs-ring reads \"%s\" (%ld bytes)\n", buf, rc);
        return 1;
    }
    n = kit_xs_directory("data", buf, sizeof(buf));
    if (n < 0)
        return fail("XS_DIRECTORY data", n);
    for (i = 0; i < n; i += (long)strlen(buf + i) + 1)
        if (!strcmp(buf + i, "xs-ring"))
            found = 1;
    if (!found) {
        puts(P "FAIL: xs-ring is not listed under data");
        return 1;
    }
    rc = kit_xs_rm("data/xs-ring");
    if (rc < 0)
        return fail("XS_RM data/xs-ring", rc);
    rc = kit_xs_read("data/xs-ring", buf, sizeof(buf));
    if (rc != -XEN_ENOENT) {
        printf(P "FAIL: reading a removed node gave %ld (%s), not ENOENT\n",
               rc, kit_errname(rc));
        return 1;
    }
    printf(P "OK domid=%s path=%s\n", id, want);
    return 0;
}
