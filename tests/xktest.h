/* Helpers for the test launcher and the benchmarks: build a PVH domain
 * with libxc, follow the hypervisor console. */
#ifndef XKTEST_H
#define XKTEST_H

#include <stddef.h>
#include <stdint.h>

#include "xenctrl.h"

/* Creates a domain and builds `kernel` into it; it is left paused.
 * Returns 0, or -1 with a message in err (nothing is left behind). */
int xkt_build(xc_interface *xch, const char *kernel, unsigned int mem_mb, unsigned int vcpus,
              const char *cmdline, uint32_t *domid, char *err, size_t errlen);

/* The two halves: create an empty paused domain, then build into it. */
int xkt_create(xc_interface *xch, unsigned int mem_mb, unsigned int vcpus, uint32_t *domid,
               char *err, size_t errlen);
int xkt_build_into(xc_interface *xch, uint32_t domid, const char *kernel, unsigned int mem_mb,
                   const char *cmdline, char *err, size_t errlen);

/* With XenStore (as libxl does): event channels for the console and
 * xenstore rings are allocated before the build, and after it the
 * domain's entries are written (name, domid, console/{ring-ref,port,
 * type}, store/{ring-ref,port}).  Set before xkt_build*. */
void xkt_use_xenstore(int on);

/* The console ring's current producer index. */
uint32_t xkt_console_index(xc_interface *xch);

/* Reads console output from *index on, calling fn for every complete line
 * (without the newline); a partial last line is kept for the next call in
 * the caller's buffer `partial` (of `cap` bytes). */
typedef void (*xkt_line_fn)(void *ctx, const char *line);
int xkt_console_lines(xc_interface *xch, uint32_t *index, char *partial, size_t cap,
                      xkt_line_fn fn, void *ctx);

/* A short name for a domain's state: running, blocked, paused, poweroff,
 * reboot, suspend, crash, watchdog, soft_reset, dying, gone. */
const char *xkt_state_name(const xc_domaininfo_t *info);
uint64_t xkt_now_ns(void);

#endif
