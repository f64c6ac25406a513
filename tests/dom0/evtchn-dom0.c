/* evtchn-dom0: event channels between dom0 processes' handles, and
 * VIRQ_DOM_EXC, through libxenevtchn against a real xen.  Prints TAP. */
#include "config.h"

#include <errno.h>
#include <poll.h>
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

/* Waits up to 5 s for the handle's fd, then takes one pending port. */
static int wait_port(xenevtchn_handle *h)
{
    struct pollfd p = { .fd = xenevtchn_fd(h), .events = POLLIN };

    if (poll(&p, 1, 5000) != 1)
        return -1;
    return xenevtchn_pending(h);
}

int main(int argc, char **argv)
{
    xenevtchn_handle *a, *b;
    int pa, pb, port, virq;

    printf("1..13\n");
    a = xenevtchn_open(NULL, 0);
    b = xenevtchn_open(NULL, 0);
    ok(a && b, "two handles open");
    if (!a || !b)
        return 1;
    pa = xenevtchn_bind_unbound_port(a, 0);
    ok(pa > 0, "a binds an unbound port for dom0");
    pb = xenevtchn_bind_interdomain(b, 0, (evtchn_port_t)pa);
    ok(pb > 0 && pb != pa, "b binds to it");
    /* Binding an interdomain channel raises the local end once. */
    port = wait_port(b);
    ok(port == pb, "b's end is raised at bind");
    xenevtchn_unmask(b, (evtchn_port_t)pb);

    ok(xenevtchn_notify(a, (evtchn_port_t)pa) == 0, "a notifies");
    ok(wait_port(b) == pb, "b sees its port pending");
    ok(xenevtchn_notify(b, (evtchn_port_t)pb) == 0 && wait_port(a) == pa,
       "b notifies a back");

    /* Masked until unmasked: a second notify is not signalled twice. */
    xenevtchn_notify(a, (evtchn_port_t)pa);
    xenevtchn_notify(a, (evtchn_port_t)pa);
    struct pollfd p = { .fd = xenevtchn_fd(b), .events = POLLIN };
    ok(poll(&p, 1, 200) == 0, "while masked, b is not signalled");
    xenevtchn_unmask(b, (evtchn_port_t)pb);
    ok(wait_port(b) == pb, "unmasking delivers what was pending");
    xenevtchn_unmask(b, (evtchn_port_t)pb);

    ok(xenevtchn_notify(a, 9999) < 0, "notify on a port a does not own fails");

    /* VIRQ_DOM_EXC fires when a domain shuts down or dies. */
    virq = xenevtchn_bind_virq(a, VIRQ_DOM_EXC);
    ok(virq > 0, "a binds VIRQ_DOM_EXC");
    if (argc > 1 && virq > 0) {
        xc_interface *xch = xc_interface_open(NULL, NULL, 0);
        char err[256];
        uint32_t d;
        int got = 0;
        if (xch && xkt_build(xch, argv[1], 16, 1, NULL, &d, err, sizeof(err)) == 0) {
            xc_domain_destroy(xch, d);
            for (int i = 0; i < 4 && !got; i++) {
                port = wait_port(a);
                got = port == virq;
                xenevtchn_unmask(a, (evtchn_port_t)port);
            }
        }
        ok(got, "a domain's death raises VIRQ_DOM_EXC");
        xc_interface_close(xch);
    } else {
        printf("ok %d - a domain's death raises VIRQ_DOM_EXC # SKIP no kernel given\n", ++n);
    }
    ok(xenevtchn_unbind(b, (evtchn_port_t)pb) == 0 && xenevtchn_close(a) == 0 &&
       xenevtchn_close(b) == 0, "unbind and close");
    return failed;
}
