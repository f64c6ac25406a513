/* hello: one line with the domain id from CPUID, then power off.  It is the
 * boot-latency guest, so the line is assembled in place rather than through
 * printf. */
#include "kit.h"

static char line[] = "Hello from xenkvm guest, domid -----------";
#define PREFIX_LEN (sizeof("Hello from xenkvm guest, domid ") - 1)

int guest_main(void)
{
    int domid = kit_domid();
    char *p = line + PREFIX_LEN;

    if (domid < 0) {
        *p++ = '-';
        *p++ = '1';
    } else {
        p = kit_utoa(p, (uint32_t)domid);
    }
    *p++ = '\n';
    kit_console_write(line, (size_t)(p - line));
    return 0;
}
