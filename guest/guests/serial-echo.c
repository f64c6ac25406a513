/* serial-echo: the emulated UART (COM1) both ways, for an HVM-type domain
 * (firmware_override=).  It polls the line status register for received
 * bytes and answers each line on the UART:
 *
 *   serial-echo: ready
 *   serial-echo: got LINE
 *   serial-echo: bye                 (after a line "quit"; then poweroff)
 *
 * Failures: "serial-echo: FAIL: ..." (crash) when there is no UART or
 * nothing came within timeout=S (60). */
#include "kit.h"

#define COM1 0x3f8
#define LSR (COM1 + 5)
#define LSR_DR 0x01
#define LSR_THRE 0x20

static void uart_puts(const char *s)
{
    for (; *s; s++) {
        while (!(kit_inb(LSR) & LSR_THRE))
            kit_pause();
        kit_outb(COM1, (uint8_t)*s);
    }
}

int guest_main(void)
{
    uint64_t timeout = 60, deadline;
    char line[128];
    size_t len = 0;

    kit_cmdline_u64("timeout", &timeout);
    if (kit_inb(LSR) == 0xff) {
        puts("serial-echo: FAIL: no UART at 0x3f8 (a PVH domain has none)");
        return 1;
    }
    kit_evtchn_init();          /* a timer, so that waiting sleeps */
    uart_puts("serial-echo: ready\n");
    deadline = kit_now_ns() + timeout * 1000000000ull;
    for (;;) {
        if (!(kit_inb(LSR) & LSR_DR)) {
            if (kit_now_ns() >= deadline) {
                uart_puts("serial-echo: FAIL: no input by the timeout\n");
                return 1;
            }
            kit_relax();
            continue;
        }
        char c = (char)kit_inb(COM1);
        if (c == '\r' || c == '\n') {
            line[len] = 0;
            if (len == 4 && !memcmp(line, "quit", 4)) {
                uart_puts("serial-echo: bye\n");
                return 0;
            }
            if (len) {
                uart_puts("serial-echo: got ");
                uart_puts(line);
                uart_puts("\n");
            }
            len = 0;
        } else if (len < sizeof(line) - 1) {
            line[len++] = c;
        }
    }
}
