/* The kit's printf engine: one formatter writing into a sink (see
 * printf.h).  Built for the guests and, unchanged, for the host unit test
 * that compares it with the C library. */
#include <stdint.h>

#include "printf.h"

enum {
    FL_MINUS = 1,
    FL_PLUS = 2,
    FL_SPACE = 4,
    FL_HASH = 8,
    FL_ZERO = 16,
};

enum len_mod { LEN_NONE, LEN_HH, LEN_H, LEN_L, LEN_LL, LEN_Z, LEN_J, LEN_T };

/* Room in the sink after flushing it when full; 0 means drop. */
static size_t sink_room(struct kit_sink *s)
{
    if (s->len == s->cap && s->flush)
        s->flush(s);
    return s->cap - s->len;
}

/* Appends n characters: p[0..n) when step is 1, n copies of *p when
 * step is 0.  Inlined into the two below, so that each keeps a plain copy
 * loop. */
static inline __attribute__((always_inline)) void
sink_put(struct kit_sink *s, const char *p, size_t step, size_t n)
{
    while (n) {
        size_t room = sink_room(s), i;

        if (!room) {
            s->total += n;
            return;
        }
        if (room > n)
            room = n;
        for (i = 0; i < room; i++)
            s->buf[s->len + i] = p[i * step];
        s->len += room;
        s->total += room;
        p += room * step;
        n -= room;
    }
}

static void sink_putn(struct kit_sink *s, const char *p, size_t n)
{
    sink_put(s, p, 1, n);
}

static void sink_fill(struct kit_sink *s, char c, size_t n)
{
    sink_put(s, &c, 0, n);
}

/* Prints one field: [spaces] prefix [zeros] body [spaces], width counted
 * over all of it.  zero_pad moves the width padding between prefix and
 * body. */
static void put_field(struct kit_sink *s, const char *prefix, size_t nprefix,
                      size_t zeros, const char *body, size_t nbody, int flags,
                      size_t width, int zero_pad)
{
    size_t len = nprefix + zeros + nbody;
    size_t pad = width > len ? width - len : 0;

    if (!(flags & FL_MINUS)) {
        if (zero_pad)
            zeros += pad;
        else
            sink_fill(s, ' ', pad);
        pad = 0;
    }
    sink_putn(s, prefix, nprefix);
    sink_fill(s, '0', zeros);
    sink_putn(s, body, nbody);
    sink_fill(s, ' ', pad);
}

/* prec < 0: no precision given. */
static void put_int(struct kit_sink *s, uint64_t v, int neg, char conv,
                    int flags, size_t width, long prec)
{
    static const char lower[] = "0123456789abcdef";
    static const char upper[] = "0123456789ABCDEF";
    const char *digit = conv == 'X' ? upper : lower;
    char buf[24], prefix[2];
    size_t n = 0, np = 0, zeros = 0;
    int nonzero = v != 0;

    /* digits, least significant first, at the end of buf */
    if (!(prec == 0 && v == 0)) {
        if (conv == 'x' || conv == 'X') {
            do {
                buf[sizeof(buf) - ++n] = digit[v & 15];
                v >>= 4;
            } while (v);
        } else if (conv == 'o') {
            do {
                buf[sizeof(buf) - ++n] = (char)('0' + (v & 7));
                v >>= 3;
            } while (v);
        } else {
            do {
                buf[sizeof(buf) - ++n] = (char)('0' + v % 10);
                v /= 10;
            } while (v);
        }
    }
    if (prec > 0 && (size_t)prec > n)
        zeros = (size_t)prec - n;

    if (conv == 'd' || conv == 'i') {
        if (neg)
            prefix[np++] = '-';
        else if (flags & FL_PLUS)
            prefix[np++] = '+';
        else if (flags & FL_SPACE)
            prefix[np++] = ' ';
    } else if (flags & FL_HASH) {
        if ((conv == 'x' || conv == 'X') && nonzero) {
            prefix[np++] = '0';
            prefix[np++] = conv;
        } else if (conv == 'o' && zeros == 0 &&
                   (n == 0 || buf[sizeof(buf) - n] != '0')) {
            zeros = 1;
        }
    }
    put_field(s, prefix, np, zeros, buf + sizeof(buf) - n, n, flags, width,
              (flags & FL_ZERO) && prec < 0);
}

size_t kit_vformat(struct kit_sink *s, const char *fmt, va_list ap)
{
    size_t start = s->total;

    while (*fmt) {
        const char *p = fmt;
        int flags = 0;
        size_t width = 0;
        long prec = -1;
        enum len_mod len = LEN_NONE;
        char conv;

        while (*p && *p != '%')
            p++;
        if (p != fmt)
            sink_putn(s, fmt, (size_t)(p - fmt));
        if (!*p)
            break;
        fmt = p + 1;

        for (;; fmt++) {
            if (*fmt == '-')
                flags |= FL_MINUS;
            else if (*fmt == '+')
                flags |= FL_PLUS;
            else if (*fmt == ' ')
                flags |= FL_SPACE;
            else if (*fmt == '#')
                flags |= FL_HASH;
            else if (*fmt == '0')
                flags |= FL_ZERO;
            else
                break;
        }

        if (*fmt == '*') {
            int w = va_arg(ap, int);

            if (w < 0) {
                flags |= FL_MINUS;
                width = -(size_t)w;
            } else {
                width = (size_t)w;
            }
            fmt++;
        } else {
            while (*fmt >= '0' && *fmt <= '9')
                width = width * 10 + (size_t)(*fmt++ - '0');
        }

        if (*fmt == '.') {
            fmt++;
            if (*fmt == '*') {
                int pr = va_arg(ap, int);

                prec = pr < 0 ? -1 : pr;
                fmt++;
            } else {
                prec = 0;
                while (*fmt >= '0' && *fmt <= '9')
                    prec = prec * 10 + (*fmt++ - '0');
            }
        }

        switch (*fmt) {
        case 'h':
            len = LEN_H;
            if (*++fmt == 'h') {
                len = LEN_HH;
                fmt++;
            }
            break;
        case 'l':
            len = LEN_L;
            if (*++fmt == 'l') {
                len = LEN_LL;
                fmt++;
            }
            break;
        case 'z':
            len = LEN_Z;
            fmt++;
            break;
        case 'j':
            len = LEN_J;
            fmt++;
            break;
        case 't':
            len = LEN_T;
            fmt++;
            break;
        default:
            break;
        }

        conv = *fmt;
        if (!conv)
            break;
        fmt++;

        switch (conv) {
        case 'd':
        case 'i': {
            int64_t v;

            switch (len) {
            case LEN_HH:
                v = (signed char)va_arg(ap, int);
                break;
            case LEN_H:
                v = (short)va_arg(ap, int);
                break;
            case LEN_L:
            case LEN_Z:
            case LEN_T:
                v = va_arg(ap, long);
                break;
            case LEN_LL:
            case LEN_J:
                v = va_arg(ap, long long);
                break;
            default:
                v = va_arg(ap, int);
                break;
            }
            put_int(s, v < 0 ? -(uint64_t)v : (uint64_t)v, v < 0, conv, flags,
                    width, prec);
            break;
        }
        case 'u':
        case 'o':
        case 'x':
        case 'X': {
            uint64_t v;

            switch (len) {
            case LEN_HH:
                v = (unsigned char)va_arg(ap, unsigned int);
                break;
            case LEN_H:
                v = (unsigned short)va_arg(ap, unsigned int);
                break;
            case LEN_L:
            case LEN_Z:
            case LEN_T:
                v = va_arg(ap, unsigned long);
                break;
            case LEN_LL:
            case LEN_J:
                v = va_arg(ap, unsigned long long);
                break;
            default:
                v = va_arg(ap, unsigned int);
                break;
            }
            put_int(s, v, 0, conv, flags, width, prec);
            break;
        }
        case 'p': {
            const void *ptr = va_arg(ap, const void *);

            if (!ptr)
                put_field(s, "", 0, 0, "(nil)", 5, flags, width, 0);
            else
                put_int(s, (uintptr_t)ptr, 0, 'x', (flags | FL_HASH) & ~FL_ZERO,
                        width, prec);
            break;
        }
        case 'c': {
            char c = (char)va_arg(ap, int);

            put_field(s, "", 0, 0, &c, 1, flags, width, 0);
            break;
        }
        case 's': {
            const char *str = va_arg(ap, const char *);
            size_t n = 0;

            if (!str)
                str = prec < 0 || prec >= 6 ? "(null)" : "";
            while (str[n] && (prec < 0 || n < (size_t)prec))
                n++;
            put_field(s, "", 0, 0, str, n, flags, width, 0);
            break;
        }
        case '%':
            sink_putn(s, "%", 1);
            break;
        default:
            /* unknown conversion: print it as written */
            sink_putn(s, p, (size_t)(fmt - p));
            break;
        }
    }
    return s->total - start;
}

int kit_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct kit_sink s = {.buf = buf, .cap = size ? size - 1 : 0};

    kit_vformat(&s, fmt, ap);
    if (size)
        buf[s.len] = '\0';
    return (int)s.total;
}

int kit_snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = kit_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
