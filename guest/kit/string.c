/* The few C library string functions the kit and the compiler need.
 *
 * The copies use string instructions, eight bytes at a time for the bulk:
 * where guest kernel code is emulated (nested KVM), each iteration of a
 * rep instruction costs about as much as an instruction, so this is eight
 * times cheaper than bytes; and the compiler never turns them back into a
 * call to themselves. */
#include "kit.h"

void *memcpy(void *dst, const void *src, size_t n)
{
    void *d = dst;
    size_t q = n >> 3, r = n & 7;

    __asm__ volatile("rep movsq\n\t"
                     "movq %[r], %%rcx\n\t"
                     "rep movsb"
                     : "+D"(d), "+S"(src), "+c"(q)
                     : [r] "r"(r)
                     : "memory");
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    size_t q = n >> 3, r = n & 7;

    if (d <= s || d >= s + n)
        return memcpy(dst, src, n);
    /* overlapping with dst above src: backwards, the tail bytes first,
     * then the quadwords */
    d += n - 1;
    s += n - 1;
    __asm__ volatile("std\n\t"
                     "rep movsb\n\t"
                     "subq $7, %%rsi\n\t"
                     "subq $7, %%rdi\n\t"
                     "movq %[q], %%rcx\n\t"
                     "rep movsq\n\t"
                     "cld"
                     : "+D"(d), "+S"(s), "+c"(r)
                     : [q] "r"(q)
                     : "memory", "cc");
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    void *d = dst;
    size_t q = n >> 3, r = n & 7;
    uint64_t v = (uint8_t)c * 0x0101010101010101ull;

    __asm__ volatile("rep stosq\n\t"
                     "movq %[r], %%rcx\n\t"
                     "rep stosb"
                     : "+D"(d), "+c"(q)
                     : "a"(v), [r] "r"(r)
                     : "memory");
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;

    for (; n; n--, x++, y++)
        if (*x != *y)
            return *x - *y;
    return 0;
}

size_t strlen(const char *s)
{
    const char *p = s;

    while (*p)
        p++;
    return (size_t)(p - s);
}

size_t strnlen(const char *s, size_t max)
{
    size_t n = 0;

    while (n < max && s[n])
        n++;
    return n;
}

int strcmp(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
    for (; n; n--, a++, b++) {
        if (*a != *b)
            return (unsigned char)*a - (unsigned char)*b;
        if (!*a)
            return 0;
    }
    return 0;
}

char *strchr(const char *s, int c)
{
    for (;; s++) {
        if (*s == (char)c)
            return (char *)(uintptr_t)s;
        if (!*s)
            return NULL;
    }
}
