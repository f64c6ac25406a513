/* Byte rings shared with another domain, with free-running 32-bit
 * producer and consumer indices (XenStore, PV console): byte i of the
 * stream sits at ring[i mod size], size a power of two.  The producer
 * writes the bytes, then the producer index; the consumer reads the
 * bytes, then moves the consumer index.
 *
 * Depends only on <stddef.h>/<stdint.h> (and memcpy): the unit tests build
 * it for the host. */
#ifndef KIT_RING_H
#define KIT_RING_H

#include <stddef.h>
#include <stdint.h>

/* Copies up to len bytes of data into the ring; returns how many, or -1
 * when the indices are inconsistent (more than size bytes in flight). */
long kit_ring_put(char *ring, uint32_t size, const volatile uint32_t *cons,
                  volatile uint32_t *prod, const void *data, size_t len);
/* Takes up to len bytes out of the ring (buf NULL: discards them);
 * returns how many, or -1 on inconsistent indices. */
long kit_ring_get(const char *ring, uint32_t size, volatile uint32_t *cons,
                  const volatile uint32_t *prod, void *buf, size_t len);
/* Bytes waiting in the ring (may exceed size when the peer is broken). */
uint32_t kit_ring_used(const volatile uint32_t *cons,
                       const volatile uint32_t *prod);

#endif
