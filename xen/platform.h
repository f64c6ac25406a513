/* Platform devices: one dispatch table for I/O ports and one for MMIO.
 * An access nobody claims reads as all-ones and is ignored on write, with
 * a rate-limited log line. */
#ifndef XK_PLATFORM_H
#define XK_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vcpu;
struct domain;

#include <pthread.h>

/* The 16550 UART at 0x3F8 (COM1) of HVM-type domains.  Output goes to
 * the hypervisor console; input comes from dom0 (XK_CTL_SERIAL_IN) into a
 * receive buffer the guest reads by polling the line status register (no
 * interrupt: there is no emulated interrupt controller to carry IRQ 4). */
#define UART_RX_SIZE 4096
struct uart16550 {
    uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
    pthread_mutex_t rx_lock;          /* the receive buffer: vCPU and ctl threads */
    uint8_t rx[UART_RX_SIZE];
    unsigned rx_head, rx_len;
};

struct uart16550 *uart_create(void);
void uart_destroy(struct uart16550 *u);
/* Queues typed input; returns how many bytes fit. */
size_t uart_receive(struct uart16550 *u, const uint8_t *buf, size_t len);

#endif
