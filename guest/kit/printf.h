/* The kit's formatter.  It depends on nothing but <stdarg.h>, <stddef.h> and
 * <stdint.h>, so the unit tests build it for the host and compare it with the
 * C library's snprintf.
 *
 * Conversions: d i u o x X c s p %, flags - + space # 0, width and
 * precision (also as *), length modifiers hh h l ll z j t.  No floating
 * point, no %n. */
#ifndef KIT_PRINTF_H
#define KIT_PRINTF_H

#include <stdarg.h>
#include <stddef.h>

/* Where formatted text goes: buf[0..cap) fills up; when it is full, flush
 * is called to empty it (len back to 0), or, when flush is NULL, the rest
 * is dropped.  total counts every character produced. */
struct kit_sink {
    char *buf;
    size_t cap;
    size_t len;
    size_t total;
    void (*flush)(struct kit_sink *sink);
    void *opaque;
};

/* Formats into sink; returns the number of characters produced. */
size_t kit_vformat(struct kit_sink *sink, const char *fmt, va_list ap);

/* C99 vsnprintf/snprintf semantics: at most size-1 characters and a NUL
 * (when size > 0); returns the length the full output would have. */
int kit_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
int kit_snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
