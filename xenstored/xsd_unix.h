/* The Unix-socket transport of xenstored (socket and socket_ro). */
#ifndef XSD_UNIX_H
#define XSD_UNIX_H

#include <sys/types.h>

#include "xsd.h"

/* Creates, binds (replacing a stale socket file) and listens on `path`
 * with `mode`.  Returns the fd or -1 with errno. */
int xsd_unix_listen(const char *path, mode_t mode);
/* Accepts connections on `fd` into the GLib default main context:
 * privileged domain-0 connections, read-only for socket_ro. */
void xsd_unix_serve(struct xsd_store *s, int fd, bool read_only);
/* Takes over an open connection fd (live update).  xsd_state_adopt_fn. */
struct xsd_conn *xsd_unix_adopt(struct xsd_store *s, int fd, uint32_t domid, unsigned flags,
                                void *opaque);
/* Writes whatever output can be written now, on every connection. */
void xsd_unix_flush_all(struct xsd_store *s, int timeout_ms);
/* Called after every request batch; the daemon's hook for work that must
 * happen between requests (live update). */
extern void (*xsd_unix_after_input)(struct xsd_store *s);
/* Stops serving: removes the listeners' sources. */
void xsd_unix_stop(void);

#endif
