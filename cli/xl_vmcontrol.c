/* xl: commands that act on domains: destroy, shutdown, reboot, pause,
 * unpause, rename, sysrq, dump-core, domid, domname. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"
#include "xl.h"

int main_destroy(int argc, char **argv)
{
    int o, status = 0, rc;
    bool force = false;
    uint32_t domid;

    while ((o = xl_getopt(argc, argv, "f", NULL, "destroy", 1, &status)) != -1) {
        if (o == 'h' || o == '?')
            return status;
        if (o == 'f')
            force = true;
    }
    domid = find_domain(argv[optind]);
    if (domid == 0 && !force) {
        fprintf(stderr, "Destroying domid 0 is not allowed unless -f is given.\n");
        return 1;
    }
    rc = libxl_domain_destroy(ctx, domid, NULL);
    if (rc) {
        fprintf(stderr, "destroy failed (rc=%d)\n", rc);
        return 1;
    }
    return 0;
}

/* Waits for the domains of evgens: shutdown or death (wait_for == 1), or
 * death only (>= 2). */
static int wait_for_domains(libxl_evgen_domain_death **gens, int n, int wait_for)
{
    int left = n;

    fprintf(stderr, "Waiting for %d domains\n", n);
    while (left > 0) {
        libxl_event *ev;
        int rc = libxl_event_wait(ctx, &ev, ~0ULL, NULL, NULL);

        if (rc) {
            fprintf(stderr, "failed to wait for the domains (rc=%d)\n", rc);
            return 1;
        }
        if (ev->type == LIBXL_EVENT_TYPE_DOMAIN_DEATH) {
            fprintf(stderr, "Domain %u has been destroyed.\n", ev->domid);
            left--;
        } else if (wait_for < 2) {
            fprintf(stderr, "Domain %u has been shut down, reason code %d\n", ev->domid,
                    (int)ev->shutdown_reason);
            left--;
        }
        if (ev->type == LIBXL_EVENT_TYPE_DOMAIN_DEATH || wait_for < 2) {
            for (int i = 0; i < n; i++)
                if (gens[i] && (uint64_t)i == ev->for_user) {
                    libxl_evdisable_domain_death(ctx, gens[i]);
                    gens[i] = NULL;
                }
        }
        libxl_event_free(ctx, ev);
    }
    fprintf(stderr, "All domains have been shut down\n");
    return 0;
}

static int shutdown_or_reboot(int argc, char **argv, bool reboot)
{
    static const struct option longopts[] = {
        { "all", no_argument, NULL, 'a' },
        { "wait", no_argument, NULL, 'w' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *cmd = reboot ? "reboot" : "shutdown";
    int o, status = 0, wait_for = 0, fails = 0, n = 0;
    bool all = false, fallback = false;
    uint32_t *domids = NULL;
    libxl_evgen_domain_death **gens = NULL;

    while ((o = xl_getopt(argc, argv, "awF", longopts, cmd, 0, &status)) != -1) {
        switch (o) {
        case 'h': case '?': return status;
        case 'a': all = true; break;
        case 'w': wait_for++; break;
        case 'F': fallback = true; break;
        }
    }
    if (!all && optind >= argc) {
        fprintf(stderr, "'xl %s' requires at least 1 argument.\n\n", cmd);
        help(cmd);
        return 2;
    }
    if (xl_connect())
        return 1;
    if (all) {
        int nb;
        libxl_dominfo *list = libxl_list_domain(ctx, &nb);
        if (!list) {
            fprintf(stderr, "libxl_list_domain failed.\n");
            return 1;
        }
        domids = calloc((size_t)nb + 1, sizeof(*domids));
        for (int i = 0; i < nb; i++)
            if (list[i].domid != 0 && !list[i].dying)
                domids[n++] = list[i].domid;
        libxl_dominfo_list_free(list, nb);
    } else {
        domids = calloc(1, sizeof(*domids));
        domids[n++] = find_domain(argv[optind]);
    }
    if (wait_for)
        gens = calloc((size_t)n + 1, sizeof(*gens));
    for (int i = 0; i < n; i++) {
        uint32_t d = domids[i];
        int rc;

        if (wait_for)
            libxl_evenable_domain_death(ctx, d, (uint64_t)i, &gens[i]);
        rc = reboot ? libxl_domain_reboot(ctx, d, NULL) : libxl_domain_shutdown(ctx, d, NULL);
        if (rc == ERROR_NOPARAVIRT) {
            if (fallback) {
                fprintf(stderr, "PV control interface not available: sending a forced %s.\n",
                        reboot ? "reboot" : "shutdown");
                rc = libxl_send_trigger(ctx, d, reboot ? LIBXL_TRIGGER_RESET
                                                       : LIBXL_TRIGGER_POWER, 0, NULL);
            } else {
                fprintf(stderr, "PV control interface not available: external graceful %s "
                        "not possible.\nUse \"-F\" to fall back to a forced %s (the "
                        "hypervisor shuts the guest down with that reason; its on_%s action "
                        "applies).\n", cmd, cmd, reboot ? "reboot" : "poweroff");
            }
        }
        if (rc) {
            fprintf(stderr, "%s failed (rc=%d)\n", cmd, rc);
            fails++;
            if (gens && gens[i]) {
                libxl_evdisable_domain_death(ctx, gens[i]);
                gens[i] = NULL;
            }
        }
    }
    if (wait_for && !fails)
        fails = wait_for_domains(gens, n, reboot ? 2 : wait_for);
    for (int i = 0; gens && i < n; i++)
        if (gens[i])
            libxl_evdisable_domain_death(ctx, gens[i]);
    free(gens);
    free(domids);
    return fails ? 1 : 0;
}

int main_shutdown(int argc, char **argv)
{
    return shutdown_or_reboot(argc, argv, false);
}

int main_reboot(int argc, char **argv)
{
    return shutdown_or_reboot(argc, argv, true);
}

int main_pause(int argc, char **argv)
{
    int status = 0;

    if (xl_simple_opts(argc, argv, "pause", 1, &status))
        return status;
    if (libxl_domain_pause(ctx, find_domain(argv[optind]), NULL))
        return 1;
    return 0;
}

int main_unpause(int argc, char **argv)
{
    int status = 0;

    if (xl_simple_opts(argc, argv, "unpause", 1, &status))
        return status;
    if (libxl_domain_unpause(ctx, find_domain(argv[optind]), NULL))
        return 1;
    return 0;
}

int main_rename(int argc, char **argv)
{
    int status = 0;
    uint32_t domid;

    if (xl_simple_opts(argc, argv, "rename", 2, &status))
        return status;
    domid = find_domain(argv[optind]);
    if (libxl_domain_rename(ctx, domid, NULL, argv[optind + 1])) {
        fprintf(stderr, "Can't rename domain '%s'.\n", argv[optind]);
        return 1;
    }
    return 0;
}

int main_sysrq(int argc, char **argv)
{
    int status = 0;
    uint32_t domid;
    const char *s;

    if (xl_simple_opts(argc, argv, "sysrq", 2, &status))
        return status;
    domid = find_domain(argv[optind]);
    s = argv[optind + 1];
    if (s[0] == '\0' || s[1] != '\0') {
        fprintf(stderr, "sysrq arg '%s' not single character\n", s);
        return 1;
    }
    return libxl_send_sysrq(ctx, domid, s[0]) ? 1 : 0;
}

int main_dump_core(int argc, char **argv)
{
    int status = 0, rc;
    uint32_t domid;
    char *file = NULL;

    if (xl_simple_opts(argc, argv, "dump-core", 1, &status))
        return status;
    domid = find_domain(argv[optind]);
    if (optind + 1 < argc) {
        file = strdup(argv[optind + 1]);
    } else {
        char *name = libxl_domid_to_name(ctx, domid);
        if (xk_mkdir_p(xl_dump_dir(), 0700) < 0) {
            fprintf(stderr, "cannot create %s: %s\n", xl_dump_dir(), strerror(errno));
            free(name);
            return 1;
        }
        if (asprintf(&file, "%s/%s", xl_dump_dir(), name ? name : "unknown") < 0)
            file = NULL;
        free(name);
    }
    rc = file ? libxl_domain_core_dump(ctx, domid, file, NULL) : ERROR_NOMEM;
    if (rc)
        fprintf(stderr, "core dump failed (rc=%d)\n", rc);
    free(file);
    return rc ? 1 : 0;
}

int main_domid(int argc, char **argv)
{
    int status = 0;
    uint32_t domid;

    if (xl_simple_opts(argc, argv, "domid", 1, &status))
        return status;
    if (xl_connect())
        return 1;
    if (libxl_name_to_domid(ctx, argv[optind], &domid)) {
        fprintf(stderr, "Can't get domid of domain name '%s', maybe this domain does not "
                "exist.\n", argv[optind]);
        return 1;
    }
    printf("%u\n", domid);
    return 0;
}

int main_domname(int argc, char **argv)
{
    int status = 0;
    char *end, *name;
    unsigned long d;

    if (xl_simple_opts(argc, argv, "domname", 1, &status))
        return status;
    if (xl_connect())
        return 1;
    errno = 0;
    d = strtoul(argv[optind], &end, 10);
    if (!*argv[optind] || *end || errno || d >= 0x7ff0) {
        fprintf(stderr, "Invalid domain id.\n\n");
        return 1;
    }
    name = libxl_domain_info(ctx, NULL, (uint32_t)d) ? NULL
                                                       : libxl_domid_to_name(ctx, (uint32_t)d);
    if (!name) {
        fprintf(stderr, "Can't get domain name of domain id '%lu', maybe this domain does "
                "not exist.\n", d);
        return 1;
    }
    printf("%s\n", name);
    free(name);
    return 0;
}
