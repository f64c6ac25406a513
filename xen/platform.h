/* Platform devices: one dispatch table for I/O ports and one for MMIO.
 * An access nobody claims reads as all-ones and is ignored on write, with
 * a rate-limited log line. */
#ifndef XK_PLATFORM_H
#define XK_PLATFORM_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu;
struct domain;

/* The 16550 UART at 0x3F8 (COM1) of HVM-type domains: output only. */
struct uart16550 {
    uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
};

struct uart16550 *uart_create(void);

#endif
