/* idle: says it is ready, then sleeps with interrupts enabled for ever.
 * Used to measure what an idle domain costs.  With "busy" on its command
 * line it spins instead, for ever: a domain that wants all the CPU it can
 * get (for the scheduler's weight and cap). */
#include "kit.h"

int guest_main(void)
{
    static const char msg[] = "idle: ready\n", busy[] = "idle: ready busy\n";
    size_t len;

    if (kit_cmdline_get("busy", &len)) {
        kit_console_write(busy, sizeof(busy) - 1);
        for (;;)
            kit_pause();
    }
    kit_console_write(msg, sizeof(msg) - 1);
    for (;;)
        kit_sti_hlt();
}
