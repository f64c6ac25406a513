/* evtchn-early: dom0 binds a port in a guest and notifies it before the
 * guest has run at all (as xenconsoled or xenstored may), then starts
 * the guest, which must still get the event, whichever way it takes its
 * upcalls.  Prints TAP.
 *
 *   evtchn-early KERNEL */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "xenctrl.h"
#include "xenevtchn.h"
#include "xktest.h"

static int n, failed;

static void ok(int cond, const char *what)
{
    printf("%sok %d - %s\n", cond ? "" : "not ", ++n, what);
    if (!cond)
        failed = 1;
}

struct seen {
    uint32_t domid;
    int ok, fail;
};

static void on_line(void *p, const char *line)
{
    struct seen *s = p;
    char tag[32];

    snprintf(tag, sizeof(tag), "(d%u)", s->domid);
    if (strncmp(line, tag, strlen(tag)))
        return;
    printf("# %s\n", line);
    if (strstr(line, "evtchn-early: OK"))
        s->ok = 1;
    if (strstr(line, "FAIL"))
        s->fail = 1;
}

static int run(xc_interface *xch, xenevtchn_handle *h, const char *kernel, const char *upcall)
{
    char err[512], cmd[128], partial[4096] = "";
    uint32_t d, index = xkt_console_index(xch), gen = 0, con = index;
    struct seen s = { 0 };

    if (xkt_create(xch, 16, 1, &d, err, sizeof(err)) < 0) {
        printf("# %s\n", err);
        return 0;
    }
    s.domid = d;
    int gport = xc_evtchn_alloc_unbound(xch, d, 0);
    int local = gport > 0 ? xenevtchn_bind_interdomain(h, d, (evtchn_port_t)gport) : -1;
    int sent = local > 0 && xenevtchn_notify(h, (evtchn_port_t)local) == 0;
    snprintf(cmd, sizeof(cmd), "port=%d upcall=%s", gport, upcall);
    if (!sent || xkt_build_into(xch, d, kernel, 16, cmd, err, sizeof(err)) < 0 ||
        xc_domain_unpause(xch, d) < 0) {
        printf("# set-up failed: port %d local %d: %s\n", gport, local, err);
        xc_domain_destroy(xch, d);
        return 0;
    }
    uint64_t deadline = xkt_now_ns() + 30000000000ULL;
    while (!s.ok && !s.fail && xkt_now_ns() < deadline) {
        xkt_console_lines(xch, &index, partial, sizeof(partial), on_line, &s);
        xc_xk_wait(xch, DOMID_INVALID, XC_WAIT_STATE | XC_WAIT_CONSOLE, &gen, &con, 500);
    }
    xkt_console_lines(xch, &index, partial, sizeof(partial), on_line, &s);
    if (local > 0)
        xenevtchn_unbind(h, (evtchn_port_t)local);
    xc_domain_destroy(xch, d);
    return s.ok;
}

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    printf("1..3\n");
    xc_interface *xch = xc_interface_open(NULL, NULL, 0);
    xenevtchn_handle *h = xenevtchn_open(NULL, 0);
    ok(xch && h, "open");
    if (!xch || !h)
        return 1;
    ok(run(xch, h, argv[1], "percpu"),
       "an event sent before the guest set its per-vCPU upcall vector is delivered");
    ok(run(xch, h, argv[1], "callback"),
       "... and before it set HVM_PARAM_CALLBACK_IRQ");
    xenevtchn_close(h);
    xc_interface_close(xch);
    return failed;
}
