/* A test client of libxenstore for the integration tests.
 *
 *   xs-test-client race-pair PATH      two transactions, interleaved: the
 *                                      second commit conflicts, its retry
 *                                      succeeds
 *   xs-test-client race PROCS ITERS PATH
 *                                      PROCS processes increment PATH
 *                                      ITERS times each in transactions
 *   xs-test-client fill DOMID DIR COUNT
 *                                      as domain DOMID, writes DIR/0..COUNT-1
 *                                      until refused; prints "wrote N ERRNO"
 *   xs-test-client introduce|release DOMID
 *   xs-test-client control CMD [ARG...]
 *   xs-test-client session             one connection, commands on stdin:
 *                                      read P | write P V | watch P T |
 *                                      event | control CMD... | quit
 *   xs-test-client threads NTHREADS ITERS
 *                                      threads share one handle with a
 *                                      watcher thread: no reply is mixed up
 *   xs-test-client fileno-watch PATH   waits for PATH's events with
 *                                      xs_fileno() and poll()
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "xenstore.h"

static const char *errname(int e)
{
    for (unsigned i = 0; i < sizeof(xsd_errors) / sizeof(xsd_errors[0]); i++)
        if (xsd_errors[i].errnum == e)
            return xsd_errors[i].errstring;
    return strerror(e);
}

static struct xs_handle *open_or_die(void)
{
    struct xs_handle *h = xs_open(0);

    if (!h) {
        fprintf(stderr, "xs-test-client: xs_open: %s\n", strerror(errno));
        exit(2);
    }
    return h;
}

static long read_long(struct xs_handle *h, xs_transaction_t t, const char *path)
{
    char *v = xs_read(h, t, path, NULL);
    long n = v ? strtol(v, NULL, 10) : 0;

    free(v);
    return n;
}

static bool write_long(struct xs_handle *h, xs_transaction_t t, const char *path, long n)
{
    char buf[32];

    snprintf(buf, sizeof(buf), "%ld", n);
    return xs_write(h, t, path, buf, (unsigned)strlen(buf));
}

static int race_pair(const char *path)
{
    struct xs_handle *a = open_or_die(), *b = open_or_die();
    xs_transaction_t ta, tb;
    long va, vb;
    bool ok_a, ok_b;
    int err_b;

    write_long(a, XBT_NULL, path, 0);
    ta = xs_transaction_start(a);
    tb = xs_transaction_start(b);
    va = read_long(a, ta, path);
    vb = read_long(b, tb, path);
    write_long(a, ta, path, va + 1);
    write_long(b, tb, path, vb + 1);
    ok_a = xs_transaction_end(a, ta, false);
    ok_b = xs_transaction_end(b, tb, false);
    err_b = errno;
    printf("first=%s second=%s", ok_a ? "OK" : errname(errno), ok_b ? "OK" : errname(err_b));
    /* The usual loop. */
    for (int tries = 0; !ok_b && err_b == EAGAIN && tries < 10; tries++) {
        tb = xs_transaction_start(b);
        vb = read_long(b, tb, path);
        write_long(b, tb, path, vb + 1);
        ok_b = xs_transaction_end(b, tb, false);
        err_b = errno;
    }
    printf(" retry=%s value=%ld\n", ok_b ? "OK" : errname(err_b), read_long(a, XBT_NULL, path));
    xs_close(a);
    xs_close(b);
    return 0;
}

static int race(int procs, int iters, const char *path)
{
    struct xs_handle *h = open_or_die();
    long total_retries = 0;
    int pipefd[2];

    write_long(h, XBT_NULL, path, 0);
    xs_close(h);
    if (pipe(pipefd) < 0)
        return 2;
    for (int p = 0; p < procs; p++) {
        pid_t pid = fork();

        if (pid < 0)
            return 2;
        if (pid == 0) {
            long retries = 0;

            close(pipefd[0]);
            h = open_or_die();
            for (int i = 0; i < iters; i++) {
                for (;;) {
                    xs_transaction_t t = xs_transaction_start(h);
                    long v = read_long(h, t, path);

                    write_long(h, t, path, v + 1);
                    if (xs_transaction_end(h, t, false))
                        break;
                    if (errno != EAGAIN)
                        _exit(3);
                    retries++;
                }
            }
            xs_close(h);
            if (write(pipefd[1], &retries, sizeof(retries)) != sizeof(retries))
                _exit(4);
            _exit(0);
        }
    }
    close(pipefd[1]);
    for (int p = 0; p < procs; p++) {
        long r = 0;
        int status;

        if (read(pipefd[0], &r, sizeof(r)) == sizeof(r))
            total_retries += r;
        wait(&status);
        if (!WIFEXITED(status) || WEXITSTATUS(status))
            return 3;
    }
    close(pipefd[0]);
    h = open_or_die();
    printf("value=%ld retries=%ld\n", read_long(h, XBT_NULL, path), total_retries);
    xs_close(h);
    return 0;
}

static int fill(unsigned domid, const char *dir, int count)
{
    struct xs_handle *h = open_or_die();
    char arg[16], path[256];
    char *r;
    int n = 0, err = 0;

    snprintf(arg, sizeof(arg), "%u", domid);
    r = xs_control_command(h, "as-domain", arg, (unsigned)strlen(arg) + 1);
    if (!r) {
        fprintf(stderr, "as-domain: %s\n", strerror(errno));
        return 2;
    }
    free(r);
    for (int i = 0; i < count; i++) {
        snprintf(path, sizeof(path), "%s/%d", dir, i);
        if (!xs_write(h, XBT_NULL, path, "x", 1)) {
            if (!err)
                err = errno;
            continue;
        }
        if (!err)
            n++;
    }
    printf("wrote %d %s\n", n, err ? errname(err) : "OK");
    xs_close(h);
    return 0;
}

static int control(int argc, char **argv)
{
    struct xs_handle *h = open_or_die();
    size_t len = 0;
    char *args = NULL, *r;

    for (int i = 1; i < argc; i++) {
        size_t l = strlen(argv[i]) + 1;

        args = realloc(args, len + l);
        memcpy(args + len, argv[i], l);
        len += l;
    }
    r = xs_control_command(h, argv[0], args, (unsigned)len);
    free(args);
    if (!r) {
        printf("error %s\n", errname(errno));
        xs_close(h);
        return 1;
    }
    printf("%s\n", r);
    free(r);
    xs_close(h);
    return 0;
}

static int session(void)
{
    struct xs_handle *h = open_or_die();
    char line[4096];

    setvbuf(stdout, NULL, _IOLBF, 0);
    while (fgets(line, sizeof(line), stdin)) {
        char *argv[16];
        int argc = 0;

        line[strcspn(line, "\n")] = '\0';
        for (char *tok = strtok(line, " "); tok && argc < 16; tok = strtok(NULL, " "))
            argv[argc++] = tok;
        if (argc == 0)
            continue;
        if (!strcmp(argv[0], "quit")) {
            break;
        } else if (!strcmp(argv[0], "read") && argc == 2) {
            char *v = xs_read(h, XBT_NULL, argv[1], NULL);

            printf("%s\n", v ? v : errname(errno));
            free(v);
        } else if (!strcmp(argv[0], "write") && argc == 3) {
            bool ok = xs_write(h, XBT_NULL, argv[1], argv[2], (unsigned)strlen(argv[2]));

            printf("%s\n", ok ? "OK" : errname(errno));
        } else if (!strcmp(argv[0], "watch") && argc == 3) {
            printf("%s\n", xs_watch(h, argv[1], argv[2]) ? "OK" : errname(errno));
        } else if (!strcmp(argv[0], "event")) {
            unsigned n;
            char **ev = xs_read_watch(h, &n);

            if (ev)
                printf("event %s %s\n", ev[XS_WATCH_PATH], ev[XS_WATCH_TOKEN]);
            else
                printf("error %s\n", errname(errno));
            free(ev);
        } else if (!strcmp(argv[0], "control") && argc >= 2) {
            size_t len = 0;
            char args[1024];
            char *r;

            for (int i = 2; i < argc; i++) {
                size_t l = strlen(argv[i]) + 1;

                if (len + l > sizeof(args))
                    break;
                memcpy(args + len, argv[i], l);
                len += l;
            }
            r = xs_control_command(h, argv[1], args, (unsigned)len);
            printf("%s\n", r ? r : errname(errno));
            free(r);
        } else {
            printf("bad command\n");
        }
    }
    xs_close(h);
    return 0;
}

struct thread_arg {
    struct xs_handle *h;
    int id;
    int iters;
    int errors;
};

static void *worker(void *p)
{
    struct thread_arg *a = p;
    char path[64], val[64];

    for (int i = 0; i < a->iters; i++) {
        char *v;

        snprintf(path, sizeof(path), "/threads/%d", a->id);
        snprintf(val, sizeof(val), "%d-%d", a->id, i);
        if (!xs_write(a->h, XBT_NULL, path, val, (unsigned)strlen(val)))
            a->errors++;
        v = xs_read(a->h, XBT_NULL, path, NULL);
        if (!v || strcmp(v, val) != 0)
            a->errors++;
        free(v);
    }
    return NULL;
}

static volatile int events_seen;

static void *watcher(void *p)
{
    struct xs_handle *h = p;

    for (;;) {
        unsigned n;
        char **ev = xs_read_watch(h, &n);

        if (!ev)
            break;
        if (!strcmp(ev[XS_WATCH_TOKEN], "stop")) {
            free(ev);
            break;
        }
        if (strncmp(ev[XS_WATCH_PATH], "/threads", 8) == 0)
            __atomic_add_fetch(&events_seen, 1, __ATOMIC_RELAXED);
        free(ev);
    }
    return NULL;
}

static int threads(int n, int iters)
{
    struct xs_handle *h = open_or_die();
    pthread_t tid[32], wtid;
    struct thread_arg args[32];
    int errors = 0;

    if (n > 32)
        n = 32;
    xs_watch(h, "/threads", "t");
    pthread_create(&wtid, NULL, watcher, h);
    for (int i = 0; i < n; i++) {
        args[i] = (struct thread_arg){ .h = h, .id = i, .iters = iters };
        pthread_create(&tid[i], NULL, worker, &args[i]);
    }
    for (int i = 0; i < n; i++) {
        pthread_join(tid[i], NULL);
        errors += args[i].errors;
    }
    xs_watch(h, "/threads-stop", "stop");
    pthread_join(wtid, NULL);
    printf("errors=%d events=%s\n", errors, events_seen > 0 ? "yes" : "none");
    xs_close(h);
    return errors ? 1 : 0;
}

static int fileno_watch(const char *path)
{
    struct xs_handle *h = open_or_die();
    int fd, got = 0;

    if (!xs_watch(h, path, "fw"))
        return 2;
    fd = xs_fileno(h);
    printf("ready\n");
    fflush(stdout);
    while (got < 2) {
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        char **ev;

        if (poll(&pfd, 1, 20000) != 1)
            break;
        while ((ev = xs_check_watch(h))) {
            printf("event %s\n", ev[XS_WATCH_PATH]);
            fflush(stdout);
            free(ev);
            got++;
        }
    }
    xs_close(h);
    return got == 2 ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && !strcmp(argv[1], "race-pair"))
        return race_pair(argv[2]);
    if (argc >= 5 && !strcmp(argv[1], "race"))
        return race(atoi(argv[2]), atoi(argv[3]), argv[4]);
    if (argc >= 5 && !strcmp(argv[1], "fill"))
        return fill((unsigned)atoi(argv[2]), argv[3], atoi(argv[4]));
    if (argc >= 3 && (!strcmp(argv[1], "introduce") || !strcmp(argv[1], "release"))) {
        struct xs_handle *h = open_or_die();
        bool ok = argv[1][0] == 'i' ? xs_introduce_domain(h, (unsigned)atoi(argv[2]), 4096, 7)
                                    : xs_release_domain(h, (unsigned)atoi(argv[2]));

        printf("%s\n", ok ? "OK" : errname(errno));
        xs_close(h);
        return ok ? 0 : 1;
    }
    if (argc >= 3 && !strcmp(argv[1], "control"))
        return control(argc - 2, argv + 2);
    if (argc >= 2 && !strcmp(argv[1], "session"))
        return session();
    if (argc >= 4 && !strcmp(argv[1], "threads"))
        return threads(atoi(argv[2]), atoi(argv[3]));
    if (argc >= 3 && !strcmp(argv[1], "fileno-watch"))
        return fileno_watch(argv[2]);
    fprintf(stderr, "usage: see the comment at the top of xs-test-client.c\n");
    return 2;
}
