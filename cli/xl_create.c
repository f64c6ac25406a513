/* xl create: parse the configuration, create the domain, leave a monitor
 * behind (unless -F, where xl is the monitor), unpause it (unless -p) and
 * attach the console (-c). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libxlutil.h"
#include "xl.h"

static int console_child(uint32_t domid, uint32_t from_index)
{
    libxl_console_opts o = { .in_fd = 0, .out_fd = 1, .escape_char = 0x1d,
                             .from_index = from_index, .raw_terminal = isatty(0) };

    return libxl_console_attach(ctx, domid, 0, LIBXL_CONSOLE_TYPE_PV, &o) ? 1 : 0;
}

int main_create(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "dryrun", no_argument, NULL, 'n' },
        { "quiet", no_argument, NULL, 'q' },
        { "defconfig", required_argument, NULL, 'f' },
        { "vncviewer", no_argument, NULL, 'V' },
        { "vncviewer-autopass", no_argument, NULL, 'A' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *file = NULL;
    bool dry = dryrun_only, quiet = false, paused = false, console = false, foreground = false;
    bool vnc = false;
    const char **overrides;
    int o, status = 0, n_over = 0, rc;
    libxl_domain_config c;
    uint32_t domid, index = 0;

    while ((o = xl_getopt(argc, argv, "nNqf:pcFVAde", longopts, "create", 0, &status)) != -1) {
        switch (o) {
        case 'h': case '?': return status;
        case 'n': case 'N': dry = true; break;
        case 'q': quiet = true; break;
        case 'f': file = optarg; break;
        case 'p': paused = true; break;
        case 'c': console = true; break;
        case 'F': foreground = true; break;
        case 'V': case 'A': vnc = true; break;
        case 'd': case 'e': break;
        }
    }
    overrides = calloc((size_t)argc + 1, sizeof(*overrides));
    for (int i = optind; i < argc; i++) {
        if (!file && !strchr(argv[i], '='))
            file = argv[i];
        else
            overrides[n_over++] = argv[i];
    }
    if (!file && !n_over) {
        fprintf(stderr, "'xl create' requires a configuration file (or key=value "
                "settings).\n\n");
        help("create");
        free(overrides);
        return 2;
    }
    if (!quiet && file)
        fprintf(stderr, "Parsing config from %s\n", file);

    libxl_domain_config_init(&c);
    rc = xlu_domain_config_load(file ? file : "/dev/null", n_over, overrides, NULL, stderr, &c);
    free(overrides);
    if (rc) {
        fprintf(stderr, "Failed to parse config: %s\n",
                rc == EINVAL ? "the configuration has errors (see above)" : strerror(rc));
        libxl_domain_config_dispose(&c);
        return 1;
    }
    if (dry) {
        char *json = libxl_domain_config_to_json_domid(&c, -1);
        if (json)
            printf("%s\n", json);
        free(json);
        libxl_domain_config_dispose(&c);
        return json ? 0 : 1;
    }
    if (xl_connect()) {
        libxl_domain_config_dispose(&c);
        return 1;
    }
    rc = libxl_domain_create_new(ctx, &c, &domid, NULL, NULL);
    if (rc) {
        fprintf(stderr, "Failed to create domain %s (rc=%d)\n",
                c.c_info.name ? c.c_info.name : "", rc);
        libxl_domain_config_dispose(&c);
        return 1;
    }
    if (vnc)
        fprintf(stderr, "xl: domain %s has no VNC display: xenkvm has no framebuffer "
                "(vfb) yet\n", c.c_info.name);
    if (console)
        index = libxl_xen_console_index(ctx);

    if (foreground) {
        pid_t con = -1;

        if (!paused && libxl_domain_unpause(ctx, domid, NULL))
            goto fail;
        if (console) {
            fflush(NULL);
            con = fork();
            if (con == 0) {
                libxl_postfork_child_noexec(ctx);
                ctx = NULL;
                if (libxl_ctx_alloc(&ctx, LIBXL_VERSION, 0, NULL) == 0)
                    rc = console_child(domid, index);
                libxl_ctx_free(ctx);
                libxl_domain_config_dispose(&c);
                _exit(rc ? 1 : 0);
            }
        }
        rc = xl_monitor(domid, &c);
        if (con > 0)
            waitpid(con, NULL, 0);
        libxl_domain_config_dispose(&c);
        return rc;
    }
    if (xl_monitor_spawn(domid, &c) < 0)
        fprintf(stderr, "xl: warning: no monitor for domain %u: its on_poweroff, on_reboot "
                "and on_crash actions will not be carried out\n", domid);
    if (!paused && libxl_domain_unpause(ctx, domid, NULL))
        goto fail;
    rc = console ? console_child(domid, index) : 0;
    libxl_domain_config_dispose(&c);
    return rc;
fail:
    fprintf(stderr, "Failed to unpause domain %u\n", domid);
    libxl_domain_destroy(ctx, domid, NULL);
    libxl_domain_config_dispose(&c);
    return 1;
}
