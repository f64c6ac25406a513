/* XenStore benchmarks (run by bench/xenstore.sh).
 *
 *   xs-bench floor ITERS CPU_A CPU_B       64-byte round trip between two
 *                                          processes on a socketpair
 *   xs-bench read ITERS CPU                READ round trip, one client
 *   xs-bench ops OP CLIENTS SECONDS CPU    read|write|directory ops/s
 *   xs-bench txn SECONDS CPU               transactions (start, 5 writes,
 *                                          end) committed per second
 *   xs-bench watch ITERS CPU               write -> watch event latency
 *   xs-bench tree NODES                    writes NODES nodes under /tree
 *
 * Times are medians of per-operation samples (CLOCK_MONOTONIC), printed as
 * "name value unit".  CPU -1 leaves a process where the scheduler puts it.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "xenstore.h"

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void pin(int cpu)
{
    cpu_set_t set;

    if (cpu < 0)
        return;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof(set), &set) < 0)
        perror("xs-bench: sched_setaffinity");
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

static double median_us(uint64_t *v, size_t n)
{
    qsort(v, n, sizeof(*v), cmp_u64);
    return (double)v[n / 2] / 1000.0;
}

static struct xs_handle *open_or_die(void)
{
    struct xs_handle *h = xs_open(0);

    if (!h) {
        fprintf(stderr, "xs-bench: xs_open: %s\n", strerror(errno));
        exit(1);
    }
    return h;
}

static void die(const char *what)
{
    fprintf(stderr, "xs-bench: %s: %s\n", what, strerror(errno));
    exit(1);
}

/* ------------------------------------------------------------------ */

static int bench_floor(int iters, int cpu_a, int cpu_b)
{
    int sv[2];
    char buf[64] = { 0 };
    uint64_t *t = calloc((size_t)iters, sizeof(*t));
    pid_t pid;

    if (!t || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
        die("socketpair");
    pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        pin(cpu_b);
        close(sv[0]);
        for (int i = 0; i < iters + 100; i++) {
            if (read(sv[1], buf, sizeof(buf)) != (ssize_t)sizeof(buf))
                _exit(0);
            if (write(sv[1], buf, sizeof(buf)) != (ssize_t)sizeof(buf))
                _exit(1);
        }
        _exit(0);
    }
    pin(cpu_a);
    close(sv[1]);
    for (int i = 0; i < iters + 100; i++) {
        uint64_t t0 = now_ns();

        if (write(sv[0], buf, sizeof(buf)) != (ssize_t)sizeof(buf) ||
            read(sv[0], buf, sizeof(buf)) != (ssize_t)sizeof(buf))
            die("floor round trip");
        if (i >= 100)
            t[i - 100] = now_ns() - t0;
    }
    close(sv[0]);
    waitpid(pid, NULL, 0);
    {
        double sum = 0;

        for (int i = 0; i < iters; i++)
            sum += (double)t[i];
        /* Throughput of back-to-back round trips: from the mean, as the
         * ops/s of the benchmarks are. */
        printf("floor_ops_s_1 %.0f ops/s\n", 1e9 * iters / sum);
    }
    printf("floor_rtt_us %.2f us\n", median_us(t, (size_t)iters));
    free(t);
    return 0;
}

static int bench_read(int iters, int cpu)
{
    struct xs_handle *h = open_or_die();
    uint64_t *t = calloc((size_t)iters, sizeof(*t));

    pin(cpu);
    if (!t || !xs_write(h, XBT_NULL, "/bench/key", "value-of-the-key", 16))
        die("write /bench/key");
    for (int i = 0; i < iters + 100; i++) {
        uint64_t t0 = now_ns();
        char *v = xs_read(h, XBT_NULL, "/bench/key", NULL);

        if (!v)
            die("read");
        if (i >= 100)
            t[i - 100] = now_ns() - t0;
        free(v);
    }
    printf("read_rtt_us %.2f us\n", median_us(t, (size_t)iters));
    free(t);
    xs_close(h);
    return 0;
}

static long run_ops(const char *op, int id, double seconds)
{
    struct xs_handle *h = open_or_die();
    char path[64], val[32];
    uint64_t end;
    long n = 0;

    snprintf(path, sizeof(path), "/bench/ops/%d", id);
    if (!xs_write(h, XBT_NULL, path, "0", 1))
        die("write");
    end = now_ns() + (uint64_t)(seconds * 1e9);
    while (now_ns() < end) {
        for (int k = 0; k < 16; k++, n++) {
            if (op[0] == 'r') {
                free(xs_read(h, XBT_NULL, path, NULL));
            } else if (op[0] == 'w') {
                int len = snprintf(val, sizeof(val), "%ld", n);

                xs_write(h, XBT_NULL, path, val, (unsigned)len);
            } else {
                unsigned num;

                free(xs_directory(h, XBT_NULL, "/bench/ops", &num));
            }
        }
    }
    xs_close(h);
    return n;
}

static int bench_ops(const char *op, int clients, double seconds, int cpu)
{
    int p[2];
    long total = 0;

    if (pipe(p) < 0)
        die("pipe");
    for (int c = 0; c < clients; c++) {
        pid_t pid = fork();

        if (pid < 0)
            die("fork");
        if (pid == 0) {
            long n;

            pin(cpu);
            n = run_ops(op, c, seconds);
            if (write(p[1], &n, sizeof(n)) != sizeof(n))
                _exit(1);
            _exit(0);
        }
    }
    close(p[1]);
    for (int c = 0; c < clients; c++) {
        long n = 0;

        if (read(p[0], &n, sizeof(n)) == sizeof(n))
            total += n;
        wait(NULL);
    }
    close(p[0]);
    printf("%s_ops_s_%d %.0f ops/s\n", op, clients, (double)total / seconds);
    return 0;
}

static int bench_txn(double seconds, int cpu)
{
    struct xs_handle *h = open_or_die();
    uint64_t t0, end;
    long commits = 0, retries = 0;

    pin(cpu);
    t0 = now_ns();
    end = t0 + (uint64_t)(seconds * 1e9);
    while (now_ns() < end) {
        xs_transaction_t t = xs_transaction_start(h);
        char path[64];

        if (t == XBT_NULL)
            die("transaction_start");
        for (int k = 0; k < 5; k++) {
            snprintf(path, sizeof(path), "/bench/txn/%d", k);
            xs_write(h, t, path, "v", 1);
        }
        if (xs_transaction_end(h, t, false))
            commits++;
        else if (errno == EAGAIN)
            retries++;
        else
            die("transaction_end");
    }
    printf("tx_commits_s %.0f commits/s\n", (double)commits * 1e9 / (double)(now_ns() - t0));
    xs_close(h);
    return retries ? 1 : 0;
}

struct watch_shared {
    struct xs_handle *h;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    uint64_t seen_at;
    int seen;
    int cpu;
};

static void *watch_thread(void *p)
{
    struct watch_shared *w = p;

    pin(w->cpu);
    for (;;) {
        unsigned n;
        char **ev = xs_read_watch(w->h, &n);
        uint64_t t = now_ns();

        if (!ev)
            break;
        if (!strcmp(ev[XS_WATCH_TOKEN], "stop")) {
            free(ev);
            break;
        }
        pthread_mutex_lock(&w->lock);
        w->seen_at = t;
        w->seen++;
        pthread_cond_signal(&w->cond);
        pthread_mutex_unlock(&w->lock);
        free(ev);
    }
    return NULL;
}

static int bench_watch(int iters, int cpu)
{
    struct watch_shared w = { .h = open_or_die(), .cpu = cpu };
    struct xs_handle *writer = open_or_die();
    uint64_t *t = calloc((size_t)iters, sizeof(*t));
    pthread_t tid;
    int expect;

    pin(cpu);
    pthread_mutex_init(&w.lock, NULL);
    pthread_cond_init(&w.cond, NULL);
    if (!t || !xs_watch(w.h, "/bench/watched", "w"))
        die("watch");
    pthread_create(&tid, NULL, watch_thread, &w);
    /* The initial event. */
    pthread_mutex_lock(&w.lock);
    while (w.seen < 1)
        pthread_cond_wait(&w.cond, &w.lock);
    expect = w.seen;
    pthread_mutex_unlock(&w.lock);
    for (int i = 0; i < iters + 50; i++) {
        uint64_t t0 = now_ns();

        if (!xs_write(writer, XBT_NULL, "/bench/watched", "x", 1))
            die("write");
        pthread_mutex_lock(&w.lock);
        while (w.seen == expect)
            pthread_cond_wait(&w.cond, &w.lock);
        expect = w.seen;
        if (i >= 50)
            t[i - 50] = w.seen_at - t0;
        pthread_mutex_unlock(&w.lock);
    }
    xs_watch(w.h, "/bench/stop", "stop");
    pthread_join(tid, NULL);
    printf("watch_latency_us %.2f us\n", median_us(t, (size_t)iters));
    free(t);
    xs_close(w.h);
    xs_close(writer);
    return 0;
}

/* The shape of a busy host: directories of a few dozen entries. */
static int bench_tree(int nodes)
{
    struct xs_handle *h = open_or_die();
    char path[96];
    int made = 0;

    for (int d = 0; made < nodes; d++) {
        xs_transaction_t t = xs_transaction_start(h);

        for (int k = 0; k < 50 && made < nodes; k++, made++) {
            snprintf(path, sizeof(path), "/tree/domain-%05d/device/entry-%02d", d, k);
            if (!xs_write(h, t, path, "some-value-of-20-byt", 20))
                die("write");
        }
        if (!xs_transaction_end(h, t, false))
            die("transaction_end");
    }
    xs_close(h);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 5 && !strcmp(argv[1], "floor"))
        return bench_floor(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]));
    if (argc >= 4 && !strcmp(argv[1], "read"))
        return bench_read(atoi(argv[2]), atoi(argv[3]));
    if (argc >= 6 && !strcmp(argv[1], "ops"))
        return bench_ops(argv[2], atoi(argv[3]), atof(argv[4]), atoi(argv[5]));
    if (argc >= 4 && !strcmp(argv[1], "txn"))
        return bench_txn(atof(argv[2]), atoi(argv[3]));
    if (argc >= 4 && !strcmp(argv[1], "watch"))
        return bench_watch(atoi(argv[2]), atoi(argv[3]));
    if (argc >= 3 && !strcmp(argv[1], "tree"))
        return bench_tree(atoi(argv[2]));
    fprintf(stderr, "usage: see the comment at the top of xs-bench.c\n");
    return 2;
}
