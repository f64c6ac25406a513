/* The hypervisor console ring: what `xl dmesg` prints.
 *
 * Hypervisor messages are "(XEN) ..." lines and guest output "(dN) ..."
 * lines, as on Xen.  Every line also goes to xen's log.  Guest output is
 * assembled into lines per domain and rate limited with a token bucket, so
 * a chatty guest cannot flood the ring or the log: what is dropped is
 * counted and reported once the guest is allowed to speak again.
 *
 * console_lock protects the ring and every domain's console_buf.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xen.h"

#define GUEST_BURST_BYTES  (64 * 1024)
#define GUEST_RATE_BPS     (32 * 1024)

static pthread_mutex_t console_lock = PTHREAD_MUTEX_INITIALIZER;
static char *ring;
static uint32_t ring_size;        /* power of two */
static uint32_t prod;             /* free-running producer index */
static uint32_t cons;             /* oldest index still valid (advanced by clear / wrap) */

void console_init(size_t size)
{
    uint32_t s = 4096;

    while (s < size && s < (1u << 24))
        s <<= 1;
    ring = calloc(1, s);
    if (!ring)
        xk_fatal("out of memory for the console ring");
    ring_size = s;
}

void console_fini(void)
{
    free(ring);
    ring = NULL;
}

static void ring_put_locked(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ring[(prod++) & (ring_size - 1)] = s[i];
    if (prod - cons > ring_size)
        cons = prod - ring_size;
}

uint32_t console_producer(void)
{
    uint32_t p;

    pthread_mutex_lock(&console_lock);
    p = prod;
    pthread_mutex_unlock(&console_lock);
    return p;
}

static void emit_line_locked(const char *prefix, const char *text, size_t n)
{
    ring_put_locked(prefix, strlen(prefix));
    ring_put_locked(text, n);
    ring_put_locked("\n", 1);
}

static void vprintk(const char *prefix, const char *fmt, va_list ap)
{
    char buf[512];
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);

    if (n < 0)
        return;
    if ((size_t)n >= sizeof(buf))
        n = sizeof(buf) - 1;
    while (n > 0 && buf[n - 1] == '\n')
        n--;
    pthread_mutex_lock(&console_lock);
    emit_line_locked(prefix, buf, (size_t)n);
    pthread_mutex_unlock(&console_lock);
    xk_log(XK_LOG_INFO, "%s%.*s", prefix, n, buf);
    hv_notify();
    event_con_ring();
}

void hv_printk(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vprintk("(XEN) ", fmt, ap);
    va_end(ap);
}

void hv_dprintk(struct domain *d, const char *fmt, ...)
{
    char prefix[32];
    va_list ap;

    snprintf(prefix, sizeof(prefix), "(XEN) d%u: ", d->domid);
    va_start(ap, fmt);
    vprintk(prefix, fmt, ap);
    va_end(ap);
}

/* Emits d's assembled line.  Called with console_lock held. */
static bool guest_flush_locked(struct domain *d, char *logbuf, size_t logmax, size_t *loglen)
{
    struct console_buf *c = &d->con;
    char prefix[16];
    int pn;

    if (!c->len)
        return false;
    pn = snprintf(prefix, sizeof(prefix), "(d%u) ", d->domid);
    if (c->suppressed) {
        char note[96];
        int nn = snprintf(note, sizeof(note), "[%llu bytes of output suppressed by rate limit]",
                          (unsigned long long)c->suppressed);
        emit_line_locked(prefix, note, (size_t)nn);
        c->suppressed = 0;
    }
    emit_line_locked(prefix, c->line, c->len);
    if (logbuf && *loglen + (size_t)pn + c->len + 1 < logmax) {
        memcpy(logbuf + *loglen, prefix, (size_t)pn);
        memcpy(logbuf + *loglen + pn, c->line, c->len);
        *loglen += (size_t)pn + c->len;
        logbuf[(*loglen)++] = '\n';
    }
    c->len = 0;
    return true;
}

/* After console_lock is dropped: logs the lines guest_flush_locked()
 * gathered and, when any were emitted, wakes the ring's readers. */
static void guest_flushed(const char *logbuf, size_t loglen, bool any)
{
    if (loglen)
        xk_log(XK_LOG_INFO, "%.*s", (int)(loglen - 1), logbuf);
    if (any) {
        hv_notify();
        event_con_ring();
    }
}

static bool take_tokens_locked(struct console_buf *c, size_t n)
{
    uint64_t now = xk_now_ns();

    if (!c->last_refill_ns) {
        c->tokens = GUEST_BURST_BYTES;
        c->last_refill_ns = now;
    } else if (now > c->last_refill_ns) {
        uint64_t add = (now - c->last_refill_ns) * GUEST_RATE_BPS / 1000000000ULL;
        if (add) {
            c->tokens = XK_MIN(GUEST_BURST_BYTES, c->tokens + add);
            c->last_refill_ns = now;
        }
    }
    if (c->tokens < n)
        return false;
    c->tokens -= n;
    return true;
}

void console_guest_write(struct domain *d, const char *buf, size_t len)
{
    struct console_buf *c = &d->con;
    char logbuf[2048];
    size_t loglen = 0;
    bool any = false;

    pthread_mutex_lock(&console_lock);
    for (size_t i = 0; i < len; i++) {
        char ch = buf[i];

        if (!take_tokens_locked(c, 1)) {
            c->suppressed += len - i;
            break;
        }
        if (ch == '\n') {
            any |= guest_flush_locked(d, logbuf, sizeof(logbuf), &loglen);
            continue;
        }
        if (ch == '\r' || ch == '\0')
            continue;
        /* Keep the log readable: control characters become '?'. */
        if ((unsigned char)ch < 0x20 && ch != '\t')
            ch = '?';
        c->line[c->len++] = ch;
        if (c->len == sizeof(c->line))
            any |= guest_flush_locked(d, logbuf, sizeof(logbuf), &loglen);
    }
    pthread_mutex_unlock(&console_lock);
    guest_flushed(logbuf, loglen, any);
}

void console_guest_flush(struct domain *d)
{
    char logbuf[512];
    size_t loglen = 0;
    bool any;

    pthread_mutex_lock(&console_lock);
    any = guest_flush_locked(d, logbuf, sizeof(logbuf), &loglen);
    pthread_mutex_unlock(&console_lock);
    guest_flushed(logbuf, loglen, any);
}

uint32_t console_read(char *buf, uint32_t max, int clear, int incremental, uint32_t *index)
{
    uint32_t c, n = 0;

    pthread_mutex_lock(&console_lock);
    c = cons;
    if (incremental && (int32_t)(*index - c) > 0)
        c = *index;
    if ((int32_t)(prod - c) < 0)
        c = prod;
    while (c != prod && n < max)
        buf[n++] = ring[(c++) & (ring_size - 1)];
    if (clear)
        cons = prod;
    *index = c;
    pthread_mutex_unlock(&console_lock);
    return n;
}
