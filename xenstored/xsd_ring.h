/* The guest-ring transport of xenstored: each introduced domain is served
 * on its XenStore ring page (struct xenstore_domain_interface) and event
 * channel, through the hypervisor's control socket. */
#ifndef XSD_RING_H
#define XSD_RING_H

#include <stdbool.h>
#include <stdint.h>

#include "xsd.h"

/* Installs the store's domain hooks (INTRODUCE, RELEASE) and, when the
 * hypervisor's control socket is there, connects to it: binds
 * VIRQ_DOM_EXC, releases introduced domains that are gone, and serves
 * the rings of the others (after a restart).  Without a hypervisor
 * xenstored serves the Unix sockets only and INTRODUCE just records the
 * domain; each later INTRODUCE tries to reach the hypervisor again.
 * `privcmd` is the control socket's path (NULL: libxenctrl's default). */
void xsd_ring_init(struct xsd_store *s, const char *privcmd);
/* Disconnects every ring (unbinds, unmaps) and the hypervisor; the
 * domains stay introduced, so a later xsd_ring_init (a restart, a failed
 * live update) serves them again. */
void xsd_ring_stop(struct xsd_store *s);
/* Whether the hypervisor is connected (rings are served). */
bool xsd_ring_active(void);
/* Creates the ring connection of an introduced domain from a state file
 * (live update, restart): it is attached to the ring when the hypervisor
 * is reached.  NULL if the domain is not introduced. */
struct xsd_conn *xsd_ring_adopt(struct xsd_store *s, uint32_t domid);
/* Called after every batch of ring requests (the daemon's hook, as
 * xsd_unix_after_input). */
extern void (*xsd_ring_after_input)(struct xsd_store *s);

#endif
