/* halt: says so, then cli; hlt.  The hypervisor powers off a domain whose
 * last running vCPU halts with interrupts disabled. */
#include "kit.h"

int guest_main(void)
{
    static const char msg[] = "halt: cli; hlt\n";

    kit_console_write(msg, sizeof(msg) - 1);
    for (;;)
        kit_cli_hlt();
}
