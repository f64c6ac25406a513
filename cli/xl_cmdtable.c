/* xl's commands: names, handlers, help.  The order is `xl help`'s. */
#include "config.h"

#include "xl.h"

const struct cmd_spec cmd_table[] = {
    { "create", main_create, true,
      "Create a domain from config file <filename>",
      "<ConfigFile> [options] [vars]",
      "-h                      Print this help.\n"
      "-p                      Leave the domain paused after it is created.\n"
      "-c                      Connect to the console after the domain is created.\n"
      "-f FILE, --defconfig=FILE\n"
      "                        Use the given configuration file.\n"
      "-q, --quiet             Quiet.\n"
      "-n, --dryrun            Dry run - prints the resulting configuration\n"
      "                         (deprecated in favour of global -N option).\n"
      "-F                      Run in foreground until death of the domain.\n"
      "-V, --vncviewer         Connect to the VNC display after the domain is created.\n"
      "-A, --vncviewer-autopass\n"
      "                        Pass VNC password to viewer via stdin.\n"
      "key=value               Set or override a configuration key (as in the file)." },
    { "list", main_list, false,
      "List information about all/some domains",
      "[options] [Domain]",
      "-l, --long              Output all VM details in JSON.\n"
      "-v, --verbose           Prints out UUIDs and security context.\n"
      "-Z, --context           Prints out security context.\n"
      "-c, --cpupool           Prints the cpupool the domain is in.\n"
      "-n, --numa              Prints out NUMA node affinity." },
    { "destroy", main_destroy, false,
      "Terminate a domain immediately",
      "[options] <Domain>",
      "-f                      Permit destroying domain 0." },
    { "shutdown", main_shutdown, false,
      "Issue a shutdown signal to a domain",
      "[options] <-a|Domain>",
      "-a, --all               Shutdown all guest domains.\n"
      "-h                      Print this help.\n"
      "-F                      Fallback to a forced shutdown if the guest has no PV\n"
      "                        control (xenkvm has no ACPI power button).\n"
      "-w, --wait              Wait for guest(s) to shutdown; given twice, wait for\n"
      "                        their death." },
    { "reboot", main_reboot, false,
      "Issue a reboot signal to a domain",
      "[options] <-a|Domain>",
      "-a, --all               Reboot all guest domains.\n"
      "-h                      Print this help.\n"
      "-F                      Fallback to a forced reboot if the guest has no PV\n"
      "                        control (xenkvm has no ACPI reset).\n"
      "-w, --wait              Wait for guest(s) to reboot." },
    { "pause", main_pause, false,
      "Pause execution of a domain",
      "<Domain>", NULL },
    { "unpause", main_unpause, false,
      "Unpause a paused domain",
      "<Domain>", NULL },
    { "console", main_console, false,
      "Attach to domain's console",
      "[options] <Domain>",
      "-t <type>       console type, pv or serial (serial: hvm domains)\n"
      "-n <number>     console number (0)\n"
      "Ctrl-] detaches." },
    { "info", main_info, false,
      "Get information about Xen host",
      "[-n|--numa]",
      "-n, --numa         List host NUMA topology information" },
    { "dmesg", main_dmesg, false,
      "Read and/or clear dmesg buffer",
      "[-c]",
      "  -c                        Clear dmesg buffer as well as printing it" },
    { "debug-keys", main_debug_keys, false,
      "Send debug keys to Xen",
      "<Keys>",
      "  Keys                      The keys; h lists them; the output is in xl dmesg" },
    { "top", main_top, false,
      "Monitor a host and the domains in real time",
      "[options]",
      "-d SECONDS, --delay=SECONDS  Seconds between updates (default 3).\n"
      "-b, --batch             Output in batch mode (to stdout, no terminal control).\n"
      "-i N, --iterations=N    Stop after N updates.\n"
      "-f, --full-name         Do not truncate domain names.\n"
      "-v, --vcpus             Show each domain's vCPUs.\n"
      "Interactive keys: q or Esc quits, d/D sets the delay, v toggles vCPUs." },
    { "rename", main_rename, false,
      "Rename a domain",
      "<Domain> <NewDomainName>", NULL },
    { "mem-max", main_memmax, false,
      "Set the maximum amount reservation for a domain",
      "<Domain> <MemMB['b'[bytes]|'k'[KB]|'m'[MB]|'g'[GB]|'t'[TB]]>", NULL },
    { "mem-set", main_memset, false,
      "Set the current memory usage for a domain",
      "<Domain> <MemMB['b'[bytes]|'k'[KB]|'m'[MB]|'g'[GB]|'t'[TB]]>", NULL },
    { "vcpu-list", main_vcpulist, false,
      "List the VCPUs for all/some domains",
      "[Domain, ...]", NULL },
    { "vcpu-pin", main_vcpupin, false,
      "Set which CPUs a VCPU can use",
      "[option] <Domain> <VCPU|all> <Hard affinity|-|all> <Soft affinity|-|all>",
      "-f, --force        undo an override pinning done by the guest" },
    { "sched-credit2", main_sched_credit2, false,
      "Get/set credit2 scheduler parameters",
      "[-d <Domain> [-w[=WEIGHT]] [-c[=CAP]]] [-p CPUPOOL]",
      "-d DOMAIN, --domain=DOMAIN     Domain to modify\n"
      "-w WEIGHT, --weight=WEIGHT     Weight (int, 1 to 65535; 256 by default)\n"
      "-c CAP,    --cap=CAP           Cap (int, % of one CPU; 0 for none)\n"
      "-p CPUPOOL, --cpupool=CPUPOOL  Restrict output to CPUPOOL (Pool-0)" },
    { "vcpu-set", main_vcpuset, false,
      "Set the number of active VCPUs allowed for the domain",
      "[option] <Domain> <vCPUs>",
      "-i, --ignore-host  Don't limit the vCPU based on the host CPU count" },
    { "sysrq", main_sysrq, false,
      "Send a sysrq to a domain",
      "<Domain> <letter>", NULL },
    { "dump-core", main_dump_core, false,
      "Core dump a domain",
      "<Domain> [filename]", NULL },
    { "uptime", main_uptime, false,
      "Print uptime for all/some domains",
      "[-s] [Domain]",
      "-s                      Print a short uptime line per domain." },
    { "domid", main_domid, false,
      "Convert a domain name to domain id",
      "<DomainName>", NULL },
    { "domname", main_domname, false,
      "Convert a domain id to domain name",
      "<DomainId>", NULL },
    { "help", main_help, false,
      "Print help",
      "[--long] [command]", NULL },
};

const int cmdtable_len = (int)(sizeof(cmd_table) / sizeof(cmd_table[0]));
