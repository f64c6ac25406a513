/* idle: says it is ready, then sleeps with interrupts enabled for ever.
 * Used to measure what an idle domain costs. */
#include "kit.h"

int guest_main(void)
{
    static const char msg[] = "idle: ready\n";

    kit_console_write(msg, sizeof(msg) - 1);
    for (;;)
        kit_sti_hlt();
}
