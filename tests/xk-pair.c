/* xk-pair: runs a two-domain test guest (a server and a client that learn
 * each other's domid, port or grant ref from their command lines).
 *
 *   xk-pair [-m MB] [-t SECONDS] [-x] SERVER_KERNEL CLIENT_KERNEL
 *           [-S "server args"] [-C "client args"] [-d]
 *
 * The client domain is created first (empty) so that the server can be
 * told its peer; the server is started with "role=server peer=C"; when it
 * prints a line containing " ready ", the client is built with
 * "role=client peer=S" plus every port=, gref= and frame= token of that
 * line.  Both are followed until they stop; exit 0 when both powered off.
 * With -d the client is destroyed as soon as it stops, while the server
 * runs on (what the server sees when its peer dies).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xktest.h"

struct ctx {
    uint32_t server, client;
    char ready[512];
    int quiet;
};

static void on_line(void *p, const char *line)
{
    struct ctx *c = p;
    unsigned d;

    if (sscanf(line, "(d%u)", &d) != 1 && sscanf(line, "(XEN) d%u", &d) != 1 &&
        sscanf(line, "(XEN) Domain %u", &d) != 1)
        return;
    if (d != c->server && d != c->client)
        return;
    if (!c->quiet)
        printf("%s\n", line);
    if (d == c->server && !c->ready[0] && strstr(line, " ready "))
        snprintf(c->ready, sizeof(c->ready), "%s", line);
    fflush(stdout);
}

static bool stopped(xc_interface *xch, uint32_t d)
{
    xc_domaininfo_t info;
    return xc_domain_getinfo_single(xch, d, &info) < 0 ||
           (info.flags & (XEN_DOMINF_shutdown | XEN_DOMINF_dying));
}

int main(int argc, char **argv)
{
    unsigned mem = 16, timeout = 60;
    const char *sargs = "", *cargs = "";
    struct ctx c = { 0 };
    char err[1024], partial[4096] = "", cmd[2048];
    int opt, status = 0;
    bool destroy_early = false;
    const char *client_end = NULL;   /* its state when -d destroyed it */

    while ((opt = getopt(argc, argv, "m:t:xS:C:qd")) != -1) {
        switch (opt) {
        case 'm': mem = (unsigned)strtoul(optarg, NULL, 0); break;
        case 't': timeout = (unsigned)strtoul(optarg, NULL, 0); break;
        case 'x': xkt_use_xenstore(1); break;
        case 'S': sargs = optarg; break;
        case 'C': cargs = optarg; break;
        case 'q': c.quiet = 1; break;
        case 'd': destroy_early = true; break;
        default:
            fprintf(stderr, "usage: xk-pair [-m MB] [-t S] [-x] [-S args] [-C args] [-d] SERVER CLIENT\n");
            return 2;
        }
    }
    if (optind + 2 != argc)
        return 2;
    xc_interface *xch = xc_interface_open(NULL, NULL, 0);
    if (!xch)
        return 1;
    uint32_t index = xkt_console_index(xch), gen = 0, con = index;
    uint64_t deadline = xkt_now_ns() + (uint64_t)timeout * 1000000000ULL;

    if (xkt_create(xch, mem, 1, &c.client, err, sizeof(err)) < 0) {
        fprintf(stderr, "xk-pair: %s\n", err);
        return 1;
    }
    snprintf(cmd, sizeof(cmd), "role=server peer=%u %s", c.client, sargs);
    if (xkt_build(xch, argv[optind], mem, 1, cmd, &c.server, err, sizeof(err)) < 0 ||
        xc_domain_unpause(xch, c.server) < 0) {
        fprintf(stderr, "xk-pair: server: %s\n", err);
        xc_domain_destroy(xch, c.client);
        return 1;
    }
    bool client_started = false;
    for (;;) {
        xkt_console_lines(xch, &index, partial, sizeof(partial), on_line, &c);
        if (!client_started && c.ready[0]) {
            char extra[512] = "";
            size_t n = 0;
            for (const char *t = c.ready; (t = strchr(t, ' ')); t++) {
                if (strncmp(t + 1, "port=", 5) && strncmp(t + 1, "gref=", 5) &&
                    strncmp(t + 1, "frame=", 6))
                    continue;
                size_t l = strcspn(t + 1, " ");
                if (n + l + 2 < sizeof(extra))
                    n += (size_t)snprintf(extra + n, sizeof(extra) - n, " %.*s", (int)l, t + 1);
            }
            snprintf(cmd, sizeof(cmd), "role=client peer=%u%s %s", c.server, extra, cargs);
            if (xkt_build_into(xch, c.client, argv[optind + 1], mem, cmd, err, sizeof(err)) < 0 ||
                xc_domain_unpause(xch, c.client) < 0) {
                fprintf(stderr, "xk-pair: client: %s\n", err);
                status = 1;
                break;
            }
            client_started = true;
        }
        bool s_done = stopped(xch, c.server);
        if (destroy_early && client_started && !client_end && stopped(xch, c.client)) {
            xc_domaininfo_t info;
            client_end = xc_domain_getinfo_single(xch, c.client, &info) == 0
                             ? xkt_state_name(&info) : "gone";
            xkt_console_lines(xch, &index, partial, sizeof(partial), on_line, &c);
            printf("xk-pair: client d%u %s: destroyed\n", c.client, client_end);
            fflush(stdout);
            xc_domain_destroy(xch, c.client);
        }
        if (s_done && (!client_started || client_end || stopped(xch, c.client)))
            break;
        uint64_t now = xkt_now_ns();
        if (now >= deadline) {
            fprintf(stderr, "xk-pair: timed out\n");
            status = 1;
            break;
        }
        uint64_t left = (deadline - now) / 1000000 + 1;
        xc_xk_wait(xch, DOMID_INVALID, XC_WAIT_STATE | XC_WAIT_CONSOLE, &gen, &con,
                   (uint32_t)(left > 1000 ? 1000 : left));
    }
    xkt_console_lines(xch, &index, partial, sizeof(partial), on_line, &c);
    uint32_t ids[2] = { c.server, c.client };
    for (int i = 0; i < 2; i++) {
        xc_domaininfo_t info;
        const char *st = "gone";
        if (xc_domain_getinfo_single(xch, ids[i], &info) == 0)
            st = xkt_state_name(&info);
        if (i == 1 && !client_started)
            st = "not started";
        else if (i == 1 && client_end)
            st = client_end;
        printf("%s d%u: %s\n", i ? "client" : "server", ids[i], st);
        if (strcmp(st, "poweroff"))
            status = 1;
        xc_domain_destroy(xch, ids[i]);
    }
    xc_interface_close(xch);
    return status;
}
