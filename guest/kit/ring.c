/* Byte rings with free-running indices, see ring.h. */
#include "ring.h"

void *memcpy(void *dst, const void *src, size_t n);

uint32_t kit_ring_used(const volatile uint32_t *cons,
                       const volatile uint32_t *prod)
{
    return __atomic_load_n(prod, __ATOMIC_ACQUIRE) -
           __atomic_load_n(cons, __ATOMIC_ACQUIRE);
}

long kit_ring_put(char *ring, uint32_t size, const volatile uint32_t *cons,
                  volatile uint32_t *prod, const void *data, size_t len)
{
    uint32_t c = __atomic_load_n(cons, __ATOMIC_ACQUIRE);
    uint32_t p = *prod; /* ours: nobody else moves it */
    uint32_t room, off, first;
    const char *d = data;

    if (p - c > size)
        return -1;
    room = size - (p - c);
    if (len > room)
        len = room;
    off = p & (size - 1);
    first = size - off;
    if (first > len)
        first = (uint32_t)len;
    memcpy(ring + off, d, first);
    memcpy(ring, d + first, len - first);
    /* the bytes before the index that publishes them */
    __atomic_store_n(prod, p + (uint32_t)len, __ATOMIC_RELEASE);
    return (long)len;
}

long kit_ring_get(const char *ring, uint32_t size, volatile uint32_t *cons,
                  const volatile uint32_t *prod, void *buf, size_t len)
{
    uint32_t p = __atomic_load_n(prod, __ATOMIC_ACQUIRE);
    uint32_t c = *cons;
    uint32_t avail, off, first;
    char *b = buf;

    if (p - c > size)
        return -1;
    avail = p - c;
    if (len > avail)
        len = avail;
    off = c & (size - 1);
    first = size - off;
    if (first > len)
        first = (uint32_t)len;
    if (b) {
        memcpy(b, ring + off, first);
        memcpy(b + first, ring, len - first);
    }
    /* the bytes are read before the index gives their room back */
    __atomic_store_n(cons, c + (uint32_t)len, __ATOMIC_RELEASE);
    return (long)len;
}
