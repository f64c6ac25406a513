/* xl console: attach the terminal to a domain's console; Ctrl-] detaches. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xl.h"

int main_console(int argc, char **argv)
{
    libxl_console_type type = LIBXL_CONSOLE_TYPE_UNKNOWN;
    libxl_console_opts o = { .in_fd = 0, .out_fd = 1, .escape_char = 0x1d,
                             .from_index = UINT32_MAX, .raw_terminal = isatty(0) };
    int opt, status = 0, num = 0, rc;
    uint32_t domid;

    while ((opt = xl_getopt(argc, argv, "n:t:", NULL, "console", 1, &status)) != -1) {
        switch (opt) {
        case 'h': case '?': return status;
        case 't':
            if (strcmp(optarg, "pv") == 0) {
                type = LIBXL_CONSOLE_TYPE_PV;
            } else if (strcmp(optarg, "serial") == 0) {
                type = LIBXL_CONSOLE_TYPE_SERIAL;
            } else {
                fprintf(stderr, "console type supported are: pv, serial\n");
                return 2;
            }
            break;
        case 'n':
            num = atoi(optarg);
            break;
        }
    }
    domid = find_domain(argv[optind]);
    if (type == LIBXL_CONSOLE_TYPE_UNKNOWN) {
        /* As Xen: emulated serial for hvm domains, PV otherwise. */
        libxl_dominfo info;
        type = LIBXL_CONSOLE_TYPE_PV;
        if (libxl_domain_info(ctx, &info, domid) == 0) {
            if (info.domain_type == LIBXL_DOMAIN_TYPE_HVM)
                type = LIBXL_CONSOLE_TYPE_SERIAL;
            libxl_dominfo_dispose(&info);
        }
    }
    rc = libxl_console_attach(ctx, domid, num, type, &o);
    if (rc) {
        fprintf(stderr, "Unable to attach console\n");
        return 1;
    }
    return 0;
}
