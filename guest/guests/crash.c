/* crash: says so, then triple-faults (empty IDT, then ud2). */
#include "kit.h"

int guest_main(void)
{
    static const char msg[] = "crash: triple fault\n";

    kit_console_write(msg, sizeof(msg) - 1);
    kit_triple_fault();
}
