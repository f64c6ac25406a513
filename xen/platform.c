#include "config.h"

#include <stdint.h>
#include <stdio.h>

#include <stdlib.h>
#include <string.h>

#include "xen.h"
#include "platform.h"

struct pio_handler {
    uint16_t first, last;
    /* Returns false if it does not claim the access after all. */
    bool (*fn)(struct vcpu *v, uint16_t port, bool out, unsigned size, uint32_t *val);
};

struct mmio_handler {
    uint64_t first, last;
    bool (*fn)(struct vcpu *v, uint64_t gpa, bool write, unsigned len, uint64_t *val);
};

static void unclaimed(struct vcpu *v, const char *what, uint64_t addr, bool write, unsigned size)
{
    struct domain *d = v->domain;

    /* Racy counters are fine: they only limit logging. */
    d->unclaimed_count++;
    if (d->unclaimed_logged < 16) {
        d->unclaimed_logged++;
        hv_dprintk(d, "unclaimed %s %s at %#llx (size %u)%s", what, write ? "write" : "read",
                   (unsigned long long)addr, size,
                   d->unclaimed_logged == 16 ? "; further ones are not logged" : "");
    }
}

/* ---- debug console ports ------------------------------------------------ */

static bool debugcon(struct vcpu *v, uint16_t port, bool out, unsigned size, uint32_t *val)
{
    if (!out) {
        /* Reading the port returns its number, so guests can probe for it. */
        *val = port == XK_DEBUGCON_PORT ? XK_DEBUGCON_PORT : 0xffffffffu;
        return true;
    }
    char c = (char)(*val & 0xff);
    console_guest_write(v->domain, &c, 1);
    (void)size;
    return true;
}

/* ---- 16550 UART (polled: no interrupts) --------------------------------- */

struct uart16550 *uart_create(void)
{
    struct uart16550 *u = calloc(1, sizeof(*u));

    if (u) {
        u->lcr = 0x03;      /* 8N1 */
        u->dll = 0x01;      /* 115200 */
        pthread_mutex_init(&u->rx_lock, NULL);
    }
    return u;
}

void uart_destroy(struct uart16550 *u)
{
    if (!u)
        return;
    pthread_mutex_destroy(&u->rx_lock);
    free(u);
}

size_t uart_receive(struct uart16550 *u, const uint8_t *buf, size_t len)
{
    size_t n = 0;

    pthread_mutex_lock(&u->rx_lock);
    for (; n < len && u->rx_len < UART_RX_SIZE; n++, u->rx_len++)
        u->rx[(u->rx_head + u->rx_len) % UART_RX_SIZE] = buf[n];
    pthread_mutex_unlock(&u->rx_lock);
    return n;
}

/* The next received byte, or -1. */
static int uart_rx_pop(struct uart16550 *u)
{
    int c = -1;

    pthread_mutex_lock(&u->rx_lock);
    if (u->rx_len) {
        c = u->rx[u->rx_head];
        u->rx_head = (u->rx_head + 1) % UART_RX_SIZE;
        u->rx_len--;
    }
    pthread_mutex_unlock(&u->rx_lock);
    return c;
}

static bool uart_rx_ready(struct uart16550 *u)
{
    pthread_mutex_lock(&u->rx_lock);
    bool r = u->rx_len > 0;
    pthread_mutex_unlock(&u->rx_lock);
    return r;
}

#define LCR_DLAB 0x80
#define LSR_DR 0x01
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define MCR_LOOP 0x10

static bool uart(struct vcpu *v, uint16_t port, bool out, unsigned size, uint32_t *val)
{
    struct uart16550 *u = v->domain->uart;
    unsigned reg = port - 0x3f8;
    uint8_t b = (uint8_t)*val;

    if (!u)
        return false;
    if (out) {
        switch (reg) {
        case 0:
            if (u->lcr & LCR_DLAB)
                u->dll = b;
            else if (!(u->mcr & MCR_LOOP))
                console_guest_write(v->domain, (const char *)&b, 1);
            break;
        case 1:
            if (u->lcr & LCR_DLAB)
                u->dlm = b;
            else
                u->ier = b & 0x0f;
            break;
        case 2: u->fcr = b; break;
        case 3: u->lcr = b; break;
        case 4: u->mcr = b & 0x1f; break;
        case 7: u->scr = b; break;
        default: break;
        }
        return true;
    }
    switch (reg) {
    case 0:
        if (u->lcr & LCR_DLAB) {
            *val = u->dll;
        } else {
            int c = (u->mcr & MCR_LOOP) ? -1 : uart_rx_pop(u);
            *val = c < 0 ? 0 : (uint32_t)c;
        }
        break;
    case 1: *val = (u->lcr & LCR_DLAB) ? u->dlm : u->ier; break;
    case 2: {
        /* received data available (when enabled), else none pending */
        uint32_t iir = (u->ier & 1) && uart_rx_ready(u) ? 0x04 : 0x01;
        *val = (u->fcr & 1) ? (0xc0 | iir) : iir;
        break;
    }
    case 3: *val = u->lcr; break;
    case 4: *val = u->mcr; break;
    case 5: *val = LSR_THRE | LSR_TEMT | (uart_rx_ready(u) && !(u->mcr & MCR_LOOP) ? LSR_DR : 0);
        break;
    case 6: *val = (u->mcr & MCR_LOOP) ? 0 : 0xb0; break; /* DCD, DSR, CTS */
    case 7: *val = u->scr; break;
    }
    (void)size;
    return true;
}

static const struct pio_handler pio_table[] = {
    { XK_DEBUGCON_PORT2, XK_DEBUGCON_PORT2, debugcon },
    { XK_DEBUGCON_PORT, XK_DEBUGCON_PORT, debugcon },
    { 0x3f8, 0x3ff, uart },
};

void platform_pio(struct vcpu *v, uint16_t port, bool out, unsigned size, void *data)
{
    uint32_t val = 0;

    if (out)
        memcpy(&val, data, size);
    for (size_t i = 0; i < XK_ARRAY_SIZE(pio_table); i++) {
        const struct pio_handler *h = &pio_table[i];
        if (port < h->first || port > h->last)
            continue;
        if (h->fn(v, port, out, size, &val)) {
            if (!out)
                memcpy(data, &val, size);
            return;
        }
        break;
    }
    unclaimed(v, "port", port, out, size);
    if (!out)
        memset(data, 0xff, size);
}

/* ---- LAPIC -------------------------------------------------------------- */

static bool lapic_mmio(struct vcpu *v, uint64_t gpa, bool write, unsigned len, uint64_t *val)
{
    uint32_t off = (uint32_t)(gpa & 0xfff);
    uint64_t now = xk_now_ns();

    if (write) {
        /* Only aligned 32-bit writes reach registers. */
        if (len == 4 && (off & 0xf) == 0)
            vlapic_write(&v->lapic, off, (uint32_t)*val, now);
        return true;
    }
    uint32_t r = vlapic_read(&v->lapic, off & ~0xfu, now);
    unsigned shift = (off & 3) * 8;
    *val = (off & 0xc) ? 0 : (uint64_t)(r >> shift);
    return true;
}

static const struct mmio_handler mmio_table[] = {
    { XK_LAPIC_BASE, XK_LAPIC_BASE + 0xfff, lapic_mmio },
};

void platform_mmio(struct vcpu *v, uint64_t gpa, bool write, unsigned len, void *data)
{
    uint64_t val = 0;

    if (len > 8)
        len = 8;
    if (write)
        memcpy(&val, data, len);
    for (size_t i = 0; i < XK_ARRAY_SIZE(mmio_table); i++) {
        const struct mmio_handler *h = &mmio_table[i];
        if (gpa < h->first || gpa > h->last)
            continue;
        if (h->fn(v, gpa, write, len, &val)) {
            if (!write)
                memcpy(data, &val, len);
            return;
        }
        break;
    }
    unclaimed(v, "MMIO", gpa, write, len);
    if (!write)
        memset(data, 0xff, len);
}
