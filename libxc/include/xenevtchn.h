/* libxenevtchn for xenkvm: event channels for dom0 processes.
 *
 * A handle is the equivalent of an open /dev/xen/evtchn: ports bound
 * through it belong to it and are closed with it.  The handle's file
 * descriptor becomes readable when one of its ports is pending; then
 * xenevtchn_pending() names the port, which stays masked until
 * xenevtchn_unmask().  Shapes follow Xen's libxenevtchn.
 */
#ifndef XENEVTCHN_H
#define XENEVTCHN_H

#include <stdint.h>

#include <xen/event_channel.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct xenevtchn_handle xenevtchn_handle;
typedef int xenevtchn_port_or_error_t;
struct xentoollog_logger;

xenevtchn_handle *xenevtchn_open(struct xentoollog_logger *logger, unsigned int open_flags);
int xenevtchn_close(xenevtchn_handle *xce);
/* Pollable: readable when a port of this handle is pending. */
int xenevtchn_fd(xenevtchn_handle *xce);
int xenevtchn_notify(xenevtchn_handle *xce, evtchn_port_t port);
xenevtchn_port_or_error_t xenevtchn_bind_unbound_port(xenevtchn_handle *xce, uint32_t domid);
xenevtchn_port_or_error_t xenevtchn_bind_interdomain(xenevtchn_handle *xce, uint32_t domid,
                                                     evtchn_port_t remote_port);
xenevtchn_port_or_error_t xenevtchn_bind_virq(xenevtchn_handle *xce, unsigned int virq);
int xenevtchn_unbind(xenevtchn_handle *xce, evtchn_port_t port);
/* The next pending port, or -1 (errno EAGAIN when none is pending and
 * the descriptor is non-blocking).  Blocks otherwise. */
xenevtchn_port_or_error_t xenevtchn_pending(xenevtchn_handle *xce);
int xenevtchn_unmask(xenevtchn_handle *xce, evtchn_port_t port);

#ifdef __cplusplus
}
#endif

#endif
