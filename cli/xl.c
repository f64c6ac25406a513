/* xl: main.  Global options, the command's lookup in the table, the
 * library context, help.
 *
 *   xl [-v] [-N] [-f] [-t] [-T] SUBCOMMAND [ARGS]
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xl.h"

libxl_ctx *ctx;
int verbose;
bool dryrun_only;
bool force_execution;

static void usage_all(FILE *f)
{
    fprintf(f, "Usage xl [-vfNtT] <subcommand> [args]\n\nxl full list of subcommands:\n\n");
    for (int i = 0; i < cmdtable_len; i++) {
        fprintf(f, " %-19s ", cmd_table[i].name);
        if (strlen(cmd_table[i].name) > 19)
            fprintf(f, "\n %-19s ", "");
        fprintf(f, "%s\n", cmd_table[i].summary);
    }
}

void help(const char *command)
{
    const struct cmd_spec *c = command ? cmdtable_lookup(command) : NULL;

    if (!c) {
        if (command)
            fprintf(stderr, "command \"%s\" not implemented\n", command);
        usage_all(stdout);
        return;
    }
    printf("Usage: xl [-v%s] %s %s\n\n%s.\n\n", c->can_dryrun ? "N" : "", c->name, c->usage,
           c->summary);
    if (c->options)
        printf("Options:\n\n%s\n", c->options);
}

int main_help(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--long") != 0)
        help(argv[1]);
    else
        usage_all(stdout);
    return 0;
}

int xl_getopt(int argc, char **argv, const char *optstring, const struct option *longopts,
              const char *cmd, int required_args, int *exit_status)
{
    static const struct option help_only[] = { { "help", no_argument, NULL, 'h' },
                                               { NULL, 0, NULL, 0 } };
    char opts[64];
    int o;

    snprintf(opts, sizeof(opts), "+h%s", optstring);
    opterr = 0;
    o = getopt_long(argc, argv, opts, longopts ? longopts : help_only, NULL);
    if (o == 'h') {
        help(cmd);
        *exit_status = 0;
        return 'h';
    }
    if (o == '?' || o == ':') {
        if (optopt)
            fprintf(stderr, "option `%c' not supported.\n", optopt);
        else
            fprintf(stderr, "option `%s' not supported.\n", argv[optind - 1]);
        help(cmd);
        *exit_status = 2;
        return '?';
    }
    if (o == -1 && argc - optind < required_args) {
        fprintf(stderr, "'xl %s' requires at least %d argument%s.\n\n", cmd, required_args,
                required_args == 1 ? "" : "s");
        help(cmd);
        *exit_status = 2;
        return '?';
    }
    return o;
}

int xl_connect(void)
{
    if (ctx)
        return 0;
    if (libxl_ctx_alloc(&ctx, LIBXL_VERSION, 0, NULL)) {
        fprintf(stderr, "cannot init xl context\n");
        return 1;
    }
    libxl_ctx_set_log(ctx, stderr, verbose >= 2 ? LIBXL_LOG_DEBUG
                                   : verbose ? LIBXL_LOG_INFO : LIBXL_LOG_WARN);
    return 0;
}

const struct cmd_spec *cmdtable_lookup(const char *name)
{
    for (int i = 0; i < cmdtable_len; i++)
        if (strcmp(cmd_table[i].name, name) == 0)
            return &cmd_table[i];
    return NULL;
}

int main(int argc, char **argv)
{
    const struct cmd_spec *c;
    int o, rc;

    opterr = 0;
    while ((o = getopt(argc, argv, "+vfNtTh")) != -1) {
        switch (o) {
        case 'v': verbose++; break;
        case 'N': dryrun_only = true; break;
        case 'f': force_execution = true; break;
        case 't': case 'T': break;     /* progress and timestamps: accepted */
        case 'h': usage_all(stdout); return 0;
        default:
            fprintf(stderr, "unknown global option\n");
            usage_all(stderr);
            return 2;
        }
    }
    if (optind >= argc) {
        usage_all(stderr);
        return 2;
    }
    argc -= optind;
    argv += optind;
    optind = 1;
    signal(SIGPIPE, SIG_IGN);

    c = cmdtable_lookup(argv[0]);
    if (!c) {
        fprintf(stderr, "command not implemented\n");
        return 1;
    }
    if (dryrun_only && !c->can_dryrun) {
        fprintf(stderr, "command does not implement -N (dryrun) option\n");
        return 1;
    }
    rc = c->fn(argc, argv);
    libxl_ctx_free(ctx);
    ctx = NULL;
    return rc;
}
