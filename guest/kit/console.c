/* Console output: console_io(CONSOLEIO_write) once the hypercall page
 * exists, port 0xE9 before (early panics).  printf formats into a stack
 * buffer and writes it with one hypercall per 256 bytes. */
#include "kit.h"

void kit_e9_write(const char *s, size_t len)
{
    kit_outsb(XK_DEBUGCON_PORT, s, len);
}

void kit_console_write(const char *s, size_t len)
{
    if (!len)
        return;
    if (kit_hcall_ready)
        HYPERVISOR_console_io(CONSOLEIO_write, len, s);
    else
        kit_e9_write(s, len);
}

static void console_flush(struct kit_sink *sink)
{
    kit_console_write(sink->buf, sink->len);
    sink->len = 0;
}

int vprintf(const char *fmt, va_list ap)
{
    char buf[256];
    struct kit_sink sink = {
        .buf = buf,
        .cap = sizeof(buf),
        .flush = console_flush,
    };

    kit_vformat(&sink, fmt, ap);
    console_flush(&sink);
    return (int)sink.total;
}

int printf(const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vprintf(fmt, ap);
    va_end(ap);
    return n;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    return kit_vsnprintf(buf, size, fmt, ap);
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = kit_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

int puts(const char *s)
{
    return printf("%s\n", s);
}

KIT_NORETURN void kit_panic(const char *fmt, ...)
{
    char buf[256];
    struct kit_sink sink = {
        .buf = buf,
        .cap = sizeof(buf),
        .flush = console_flush,
    };
    va_list ap;

    memcpy(buf, "panic: ", 7);
    sink.len = 7;
    va_start(ap, fmt);
    kit_vformat(&sink, fmt, ap);
    va_end(ap);
    if (sink.len == sink.cap)
        console_flush(&sink);
    buf[sink.len++] = '\n';
    console_flush(&sink);
    kit_crash();
}

int kit_skip_or_fail(const char *prefix, const char *what, long rc)
{
    printf("%s%s: %s returned %ld (%s)\n", prefix,
           rc == -XEN_ENOSYS ? "SKIP" : "FAIL", what, rc, kit_errname(rc));
    return rc == -XEN_ENOSYS ? 0 : 1;
}

char *kit_utoa(char *p, uint64_t v)
{
    uint64_t t = v;
    char *end;

    /* count the digits, then write them from the last one back */
    do {
        p++;
        t /= 10;
    } while (t);
    end = p;
    do {
        *--p = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return end;
}
