/* xl: the administrator's command for xenkvm, with Xen's xl(1) commands,
 * options, output formats, messages and exit status (0 success, 1
 * failure, 2 usage).  One table (xl_cmdtable.c) names every command with
 * its handler and help; main (xl.c) parses the global options, finds the
 * command and runs it.  Commands live in xl_*.c by topic.
 */
#ifndef XENKVM_XL_H
#define XENKVM_XL_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>

#include "libxl.h"

struct cmd_spec {
    const char *name;
    int (*fn)(int argc, char **argv);
    bool can_dryrun;
    const char *summary;       /* one line: `xl help` */
    const char *usage;         /* after "xl [-v] NAME " */
    const char *options;       /* option help, or NULL */
};

extern const struct cmd_spec cmd_table[];
extern const int cmdtable_len;
const struct cmd_spec *cmdtable_lookup(const char *name);

/* Global state (xl.c). */
extern libxl_ctx *ctx;
extern int verbose;            /* -v, repeatable */
extern bool dryrun_only;       /* -N */
extern bool force_execution;   /* -f */

void help(const char *command);
/* Connects to the hypervisor and xenstored (once); commands call it after
 * their options, so that help and usage errors need neither.  Nonzero,
 * with a message, when that fails. */
int xl_connect(void);

/* Option parsing as Xen's xl does it: -h (and --help) print the
 * command's help and make the command exit 0; an unknown option prints
 * the help and exits 2; so does a missing argument ("'xl CMD' requires at
 * least N argument(s)").  Returns the option character, or -1 at the end
 * of the options; *exit_status (set when the command must stop) is the
 * status to return. */
int xl_getopt(int argc, char **argv, const char *optstring, const struct option *longopts,
              const char *cmd, int required_args, int *exit_status);

/* The options of a command that has none but -h, and nargs arguments:
 * 0, or -1 when the command must return *status. */
int xl_simple_opts(int argc, char **argv, const char *cmd, int nargs, int *status);

/* A domain named by id or name; prints Xen's message and exits 1 when there
 * is no such domain. */
uint32_t find_domain(const char *p);
/* "1024", "512m", "2g", "1t", "4096k", "1048576b" (default unit kB) into
 * kB; -1 when malformed. */
int64_t parse_mem_size_kb(const char *s);
/* CPUs as "0-3,5", "all" or "none" (malloc'd). */
char *xl_bitmap_string(const libxl_bitmap *map, int nr_bits);
/* A CPU list ("all", "0-3,^2", "nodes:0") for nr_cpus host CPUs. */
int xl_cpu_list(const char *s, int nr_cpus, libxl_bitmap *map);

/* The directory of core dumps: $XEN_DUMP_DIR, else /var/lib/xen/dump. */
const char *xl_dump_dir(void);

/* The monitor (xl_monitor.c): follows a domain until it is gone and
 * carries out its on_poweroff/on_reboot/on_crash/on_watchdog actions. */
int xl_monitor(uint32_t domid, libxl_domain_config *d_config);
/* Forks a detached monitor; returns in the parent (0, or -1 logged). */
int xl_monitor_spawn(uint32_t domid, libxl_domain_config *d_config);

/* Commands. */
int main_create(int argc, char **argv);
int main_destroy(int argc, char **argv);
int main_shutdown(int argc, char **argv);
int main_reboot(int argc, char **argv);
int main_pause(int argc, char **argv);
int main_unpause(int argc, char **argv);
int main_rename(int argc, char **argv);
int main_list(int argc, char **argv);
int main_info(int argc, char **argv);
int main_dmesg(int argc, char **argv);
int main_debug_keys(int argc, char **argv);
int main_uptime(int argc, char **argv);
int main_domid(int argc, char **argv);
int main_domname(int argc, char **argv);
int main_console(int argc, char **argv);
int main_memset(int argc, char **argv);
int main_memmax(int argc, char **argv);
int main_vcpuset(int argc, char **argv);
int main_vcpulist(int argc, char **argv);
int main_vcpupin(int argc, char **argv);
int main_sched_credit2(int argc, char **argv);
int main_sysrq(int argc, char **argv);
int main_dump_core(int argc, char **argv);
int main_top(int argc, char **argv);
int main_help(int argc, char **argv);

#endif
