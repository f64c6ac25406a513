/* libxenstore: a connection to xenstored over its Unix socket.
 *
 * Locking, per handle:
 *   request_lock  one request at a time (held from send to reply);
 *   write_lock    whole messages on the socket (requests, and the WATCH
 *                 messages sent again after a reconnection);
 *   lock          everything else: the receive buffer's owner, the reply
 *                 slot, the event queue, the registered watches, the
 *                 transactions, the fd.
 *   Order: request_lock, then lock; write_lock is never held while
 *   taking lock.
 *
 * There is no reader thread unless the application asks for xs_fileno():
 * whichever thread needs something from the socket (a reply, an event)
 * takes the "reader" role, reads without holding `lock`, and dispatches
 * what arrived: replies into the reply slot, watch events into the event
 * queue; then it wakes the others.  A single-threaded client thus reads
 * its reply directly, with no thread hand-off (this is what keeps a READ
 * round trip near the bare socket's).  xs_fileno() starts a thread that
 * keeps the role, so events arrive while the application sleeps in poll().
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "xenstore.h"

#define HDR_SIZE        sizeof(struct xsd_sockmsg)
#define RBUF_SIZE       (2 * (HDR_SIZE + XENSTORE_PAYLOAD_MAX))
#define INTERNAL_REQ    0x80000000u    /* req_id of the library's own requests */

struct event {
    struct event *next;
    char *path;
    char *token;               /* both point into the same block */
};

struct wreg {
    struct wreg *next;
    char *path;
    char *token;
};

struct txrec {
    uint32_t id;
    uint32_t epoch;
};

struct xs_handle {
    char *path;                /* the socket */
    int reconnect_ms;          /* $XENSTORE_RECONNECT_TIMEOUT, read at open */
    unsigned long flags;
    pthread_mutex_t request_lock;
    pthread_mutex_t write_lock;
    pthread_mutex_t lock;
    pthread_cond_t cond;

    /* Protected by lock. */
    int fd;
    uint32_t epoch;            /* +1 at every reconnection */
    int broken;                /* errno once the connection is gone for good */
    bool reading;              /* some thread holds the reader role */
    char *rbuf;                /* owned by the reader role */
    size_t rlen;
    uint32_t next_req;
    uint32_t want;             /* req_id of the request in flight */
    bool want_active;
    bool reply_ready;
    bool reply_lost;           /* the connection dropped before the reply */
    struct xsd_sockmsg reply_hdr;
    char *reply;
    struct event *ev_head, *ev_tail;
    int pipe[2];               /* xs_fileno(): readable while events wait */
    bool pipe_signalled;
    pthread_t reader;
    bool reader_running;
    bool closing;
    struct wreg *watches;
    struct txrec *txs;
    unsigned ntx, captx;
};

/* ------------------------------------------------------------------ */
/* Socket */

static int connect_socket(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd, saved;

    if (strlen(path) >= sizeof(addr.sun_path)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    strcpy(addr.sun_path, path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

static int reconnect_timeout_ms(void)
{
    const char *v = getenv("XENSTORE_RECONNECT_TIMEOUT");
    char *end;
    long s;

    if (!v || !*v)
        return 10000;
    s = strtol(v, &end, 10);
    if (*end || s < 0)
        return 10000;
    return s > 3600 ? 3600000 : (int)s * 1000;
}

static uint64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Sends one message; false when the connection is gone. */
static bool send_msg(struct xs_handle *h, int fd, uint32_t type, uint32_t req_id,
                     uint32_t tx_id, const struct iovec *iov, unsigned niov)
{
    struct xsd_sockmsg hdr = { .type = type, .req_id = req_id, .tx_id = tx_id };
    struct iovec v[8];
    struct msghdr msg = { .msg_iov = v };
    size_t total = 0;
    bool ok = true;

    v[0].iov_base = &hdr;
    v[0].iov_len = HDR_SIZE;
    for (unsigned i = 0; i < niov; i++) {
        v[i + 1] = iov[i];
        total += iov[i].iov_len;
    }
    hdr.len = (uint32_t)total;
    msg.msg_iovlen = niov + 1;
    pthread_mutex_lock(&h->write_lock);
    for (;;) {
        ssize_t n;

        while (msg.msg_iovlen && msg.msg_iov[0].iov_len == 0) {
            msg.msg_iov++;
            msg.msg_iovlen--;
        }
        if (!msg.msg_iovlen)
            break;
        n = sendmsg(fd, &msg, MSG_NOSIGNAL);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            ok = false;
            break;
        }
        while (n > 0 && msg.msg_iovlen) {
            if ((size_t)n >= msg.msg_iov[0].iov_len) {
                n -= (ssize_t)msg.msg_iov[0].iov_len;
                msg.msg_iov++;
                msg.msg_iovlen--;
            } else {
                msg.msg_iov[0].iov_base = (char *)msg.msg_iov[0].iov_base + n;
                msg.msg_iov[0].iov_len -= (size_t)n;
                n = 0;
            }
        }
    }
    pthread_mutex_unlock(&h->write_lock);
    return ok;
}

/* ------------------------------------------------------------------ */
/* Receiving (reader role) */

static void signal_pipe(struct xs_handle *h)
{
    char c = 0;

    if (h->pipe[1] >= 0 && !h->pipe_signalled && write(h->pipe[1], &c, 1) == 1)
        h->pipe_signalled = true;
}

static void drain_pipe(struct xs_handle *h)
{
    char c;

    if (h->pipe[0] >= 0 && h->pipe_signalled && read(h->pipe[0], &c, 1) == 1)
        h->pipe_signalled = false;
}

static void queue_event(struct xs_handle *h, const char *body, uint32_t len)
{
    const char *nul = memchr(body, '\0', len);
    size_t plen, tlen;
    struct event *e;

    if (!nul || !memchr(nul + 1, '\0', len - (size_t)(nul + 1 - body)))
        return;                 /* malformed: dropped */
    plen = (size_t)(nul - body);
    tlen = strlen(nul + 1);
    e = malloc(sizeof(*e) + plen + 1 + tlen + 1);
    if (!e)
        return;
    e->next = NULL;
    e->path = (char *)(e + 1);
    memcpy(e->path, body, plen + 1);
    e->token = e->path + plen + 1;
    memcpy(e->token, nul + 1, tlen + 1);
    if (h->ev_tail)
        h->ev_tail->next = e;
    else
        h->ev_head = e;
    h->ev_tail = e;
    signal_pipe(h);
}

/* Dispatches the complete messages in the buffer; false on a protocol
 * violation by the daemon. */
static bool dispatch(struct xs_handle *h)
{
    size_t off = 0;
    bool ok = true;

    while (h->rlen - off >= HDR_SIZE) {
        struct xsd_sockmsg hdr;
        const char *body;

        memcpy(&hdr, h->rbuf + off, HDR_SIZE);
        if (hdr.len > XENSTORE_PAYLOAD_MAX) {
            ok = false;
            break;
        }
        if (h->rlen - off < HDR_SIZE + hdr.len)
            break;
        body = h->rbuf + off + HDR_SIZE;
        if (hdr.type == XS_WATCH_EVENT) {
            queue_event(h, body, hdr.len);
        } else if (!(hdr.req_id & INTERNAL_REQ) && h->want_active && !h->reply_ready &&
                   hdr.req_id == h->want) {
            char *copy = malloc(hdr.len + 1);

            if (copy) {
                memcpy(copy, body, hdr.len);
                copy[hdr.len] = '\0';
            }
            h->reply = copy;
            h->reply_hdr = hdr;
            h->reply_ready = true;
        }
        off += HDR_SIZE + hdr.len;
    }
    memmove(h->rbuf, h->rbuf + off, h->rlen - off);
    h->rlen -= off;
    return ok;
}

/* With `lock` and the reader role held: the connection is gone. */
static void reconnect_locked(struct xs_handle *h)
{
    int timeout = h->reconnect_ms;
    uint64_t deadline;
    unsigned delay_ms = 5;
    int fd = -1;

    if (h->fd >= 0)
        close(h->fd);
    h->fd = -1;
    h->rlen = 0;
    if (h->closing || timeout == 0 || h->broken) {
        if (!h->broken)
            h->broken = ECONNRESET;
        goto out;
    }
    pthread_mutex_unlock(&h->lock);
    deadline = now_ms() + (uint64_t)timeout;
    for (;;) {
        struct timespec ts;

        fd = connect_socket(h->path);
        if (fd >= 0 || now_ms() >= deadline || __atomic_load_n(&h->closing, __ATOMIC_ACQUIRE))
            break;
        ts.tv_sec = 0;
        ts.tv_nsec = (long)delay_ms * 1000000L;
        nanosleep(&ts, NULL);
        if (delay_ms < 200)
            delay_ms *= 2;
    }
    pthread_mutex_lock(&h->lock);
    if (fd < 0 || h->closing) {
        if (fd >= 0)
            close(fd);
        h->broken = ECONNRESET;
        goto out;
    }
    h->fd = fd;
    h->epoch++;
    /* Watches again: each fires once, telling the application to look. */
    for (struct wreg *w = h->watches; w; w = w->next) {
        struct iovec iov[2] = {
            { w->path, strlen(w->path) + 1 },
            { w->token, strlen(w->token) + 1 },
        };

        send_msg(h, fd, XS_WATCH, INTERNAL_REQ | h->next_req++, 0, iov, 2);
    }
out:
    if (h->want_active && !h->reply_ready)
        h->reply_lost = true;
    if (h->broken)
        signal_pipe(h);      /* xs_fileno() pollers learn it from xs_check_watch() */
    pthread_cond_broadcast(&h->cond);
}

/* With `lock` held and the role free: reads once (blocking unless
 * nonblock) and dispatches. */
static void read_step(struct xs_handle *h, bool nonblock)
{
    int fd = h->fd;
    ssize_t n;
    int err;

    h->reading = true;
    pthread_mutex_unlock(&h->lock);
    if (fd < 0) {
        n = -1;
        err = EBADF;
    } else {
        n = recv(fd, h->rbuf + h->rlen, RBUF_SIZE - h->rlen, nonblock ? MSG_DONTWAIT : 0);
        err = errno;
    }
    pthread_mutex_lock(&h->lock);
    if (n > 0) {
        h->rlen += (size_t)n;
        if (!dispatch(h))
            reconnect_locked(h);
    } else if (n < 0 && (err == EINTR || (nonblock && (err == EAGAIN || err == EWOULDBLOCK)))) {
        /* nothing yet */
    } else {
        reconnect_locked(h);
    }
    h->reading = false;
    pthread_cond_broadcast(&h->cond);
}

static void *reader_main(void *arg)
{
    struct xs_handle *h = arg;

    pthread_mutex_lock(&h->lock);
    while (!h->closing && !h->broken) {
        if (h->reading) {
            pthread_cond_wait(&h->cond, &h->lock);
            continue;
        }
        read_step(h, false);
    }
    pthread_mutex_unlock(&h->lock);
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Requests */

static bool tx_stale(struct xs_handle *h, xs_transaction_t t)
{
    for (unsigned i = 0; i < h->ntx; i++)
        if (h->txs[i].id == t)
            return h->txs[i].epoch != h->epoch;
    return false;
}

static void tx_forget(struct xs_handle *h, xs_transaction_t t)
{
    for (unsigned i = 0; i < h->ntx; i++)
        if (h->txs[i].id == t) {
            h->txs[i] = h->txs[--h->ntx];
            return;
        }
}

static int error_from_reply(const char *name)
{
    for (unsigned i = 0; i < sizeof(xsd_errors) / sizeof(xsd_errors[0]); i++)
        if (strcmp(xsd_errors[i].errstring, name) == 0)
            return xsd_errors[i].errnum;
    return EINVAL;
}

/* Sends a request and waits for its reply.  Returns the reply payload,
 * NUL-terminated (malloc()ed), and its length in *len; NULL with errno. */
static char *talk(struct xs_handle *h, xs_transaction_t t, uint32_t type,
                  const struct iovec *iov, unsigned niov, unsigned int *len)
{
    char *reply = NULL;
    struct xsd_sockmsg rhdr;
    int err = 0;

    if (!h) {
        errno = EINVAL;
        return NULL;
    }
    pthread_mutex_lock(&h->request_lock);
    pthread_mutex_lock(&h->lock);
    for (;;) {
        uint32_t epoch = h->epoch, req;
        int fd = h->fd;
        bool sent;

        if (h->broken) {
            err = h->broken;
            break;
        }
        if (t != XBT_NULL && tx_stale(h, t)) {
            err = EAGAIN;
            break;
        }
        req = h->next_req++ & ~INTERNAL_REQ;
        h->want = req;
        h->want_active = true;
        h->reply_ready = false;
        h->reply_lost = false;
        pthread_mutex_unlock(&h->lock);
        sent = send_msg(h, fd, type, req, t, iov, niov);
        pthread_mutex_lock(&h->lock);
        if (!sent && h->epoch == epoch) {
            /* Gone: whoever holds the reader role reconnects; else we. */
            if (!h->reading && !h->reader_running) {
                h->reading = true;
                reconnect_locked(h);
                h->reading = false;
                pthread_cond_broadcast(&h->cond);
            } else {
                while (h->epoch == epoch && !h->broken)
                    pthread_cond_wait(&h->cond, &h->lock);
            }
            h->reply_lost = true;
        }
        while (!h->reply_ready && !h->reply_lost && !h->broken) {
            if (!h->reading && !h->reader_running)
                read_step(h, false);
            else
                pthread_cond_wait(&h->cond, &h->lock);
        }
        h->want_active = false;
        if (h->reply_ready) {
            reply = h->reply;
            rhdr = h->reply_hdr;
            h->reply = NULL;
            h->reply_ready = false;
            if (!reply)
                err = ENOMEM;
            break;
        }
        if (h->broken) {
            err = h->broken;
            break;
        }
        /* Lost with the old connection: repeat it unless it belonged to
         * a transaction, which is gone with the daemon. */
        if (t != XBT_NULL || type == XS_TRANSACTION_END) {
            err = EAGAIN;
            break;
        }
    }
    pthread_mutex_unlock(&h->lock);
    pthread_mutex_unlock(&h->request_lock);
    if (err) {
        errno = err;
        return NULL;
    }
    if (rhdr.type == XS_ERROR) {
        err = error_from_reply(reply);
        free(reply);
        errno = err;
        return NULL;
    }
    if (rhdr.type != type) {
        free(reply);
        errno = EBADMSG;
        return NULL;
    }
    if (len)
        *len = rhdr.len;
    return reply;
}

static char *talk1(struct xs_handle *h, xs_transaction_t t, uint32_t type, const char *arg,
                   unsigned int *len)
{
    struct iovec iov = { (void *)(uintptr_t)arg, strlen(arg) + 1 };

    return talk(h, t, type, &iov, 1, len);
}

static bool talk_ok(struct xs_handle *h, xs_transaction_t t, uint32_t type,
                    const struct iovec *iov, unsigned niov)
{
    char *r = talk(h, t, type, iov, niov, NULL);

    if (!r)
        return false;
    free(r);
    return true;
}

static bool talk1_ok(struct xs_handle *h, xs_transaction_t t, uint32_t type, const char *arg)
{
    struct iovec iov = { (void *)(uintptr_t)arg, strlen(arg) + 1 };

    return talk_ok(h, t, type, &iov, 1);
}

/* ------------------------------------------------------------------ */
/* Handles */

struct xs_handle *xs_open(unsigned long flags)
{
    struct xs_handle *h = calloc(1, sizeof(*h));
    const char *path = (flags & XS_OPEN_READONLY) ? xs_daemon_socket_ro() : xs_daemon_socket();
    int saved;

    if (!h)
        return NULL;
    h->fd = -1;
    h->pipe[0] = h->pipe[1] = -1;
    h->flags = flags;
    h->next_req = 1;
    h->reconnect_ms = reconnect_timeout_ms();
    h->path = strdup(path);
    h->rbuf = malloc(RBUF_SIZE);
    if (!h->path || !h->rbuf) {
        errno = ENOMEM;
        goto fail;
    }
    h->fd = connect_socket(h->path);
    if (h->fd < 0)
        goto fail;
    pthread_mutex_init(&h->request_lock, NULL);
    pthread_mutex_init(&h->write_lock, NULL);
    pthread_mutex_init(&h->lock, NULL);
    pthread_cond_init(&h->cond, NULL);
    return h;
fail:
    saved = errno;
    free(h->path);
    free(h->rbuf);
    free(h);
    errno = saved;
    return NULL;
}

struct xs_handle *xs_daemon_open(void)
{
    return xs_open(0);
}

struct xs_handle *xs_domain_open(void)
{
    return xs_open(0);
}

struct xs_handle *xs_daemon_open_readonly(void)
{
    return xs_open(XS_OPEN_READONLY);
}

static void free_handle(struct xs_handle *h)
{
    while (h->ev_head) {
        struct event *e = h->ev_head;

        h->ev_head = e->next;
        free(e);
    }
    while (h->watches) {
        struct wreg *w = h->watches;

        h->watches = w->next;
        free(w);
    }
    for (int i = 0; i < 2; i++)
        if (h->pipe[i] >= 0)
            close(h->pipe[i]);
    if (h->fd >= 0)
        close(h->fd);
    free(h->reply);
    free(h->txs);
    free(h->rbuf);
    free(h->path);
    free(h);
}

void xs_close(struct xs_handle *h)
{
    if (!h)
        return;
    pthread_mutex_lock(&h->lock);
    __atomic_store_n(&h->closing, true, __ATOMIC_RELEASE);   /* also read unlocked */
    if (h->reader_running) {
        if (h->fd >= 0)
            shutdown(h->fd, SHUT_RDWR);
        pthread_cond_broadcast(&h->cond);
        pthread_mutex_unlock(&h->lock);
        pthread_join(h->reader, NULL);
        pthread_mutex_lock(&h->lock);
    }
    pthread_mutex_unlock(&h->lock);
    pthread_cond_destroy(&h->cond);
    pthread_mutex_destroy(&h->lock);
    pthread_mutex_destroy(&h->write_lock);
    pthread_mutex_destroy(&h->request_lock);
    free_handle(h);
}

void xs_daemon_close(struct xs_handle *h)
{
    xs_close(h);
}

void xs_daemon_destroy_postfork(struct xs_handle *h)
{
    /* In the child the reader thread does not exist and the locks may be
     * held by threads that do not exist either: just drop it all. */
    if (h)
        free_handle(h);
}

/* ------------------------------------------------------------------ */
/* Nodes */

static char **split_strings(const char *buf, unsigned int len, unsigned int *num)
{
    unsigned int n = xs_count_strings(buf, len);
    char **ret = malloc(sizeof(char *) * (n + 1) + len + 1);
    char *p;

    if (!ret)
        return NULL;
    p = (char *)(ret + n + 1);
    memcpy(p, buf, len);
    p[len] = '\0';
    for (unsigned int i = 0; i < n; i++) {
        ret[i] = p;
        p += strlen(p) + 1;
    }
    ret[n] = NULL;
    *num = n;
    return ret;
}

static char **directory_part(struct xs_handle *h, xs_transaction_t t, const char *path,
                             unsigned int *num)
{
    char *acc = NULL, *gen = NULL, **ret = NULL;
    size_t acclen = 0;

    for (;;) {
        char off[16];
        struct iovec iov[2] = {
            { (void *)(uintptr_t)path, strlen(path) + 1 },
            { off, 0 },
        };
        unsigned int len;
        char *r;
        size_t glen, blen;
        bool last;

        snprintf(off, sizeof(off), "%zu", acclen);
        iov[1].iov_len = strlen(off) + 1;
        r = talk(h, t, XS_DIRECTORY_PART, iov, 2, &len);
        if (!r)
            goto out;
        glen = strnlen(r, len);
        if (glen == len) {
            free(r);
            errno = EBADMSG;
            goto out;
        }
        if (gen && strcmp(gen, r) != 0) {
            /* Changed meanwhile: start again. */
            free(gen);
            gen = NULL;
            free(acc);
            acc = NULL;
            acclen = 0;
            free(r);
            continue;
        }
        if (!gen && !(gen = strdup(r))) {
            free(r);
            goto out;
        }
        blen = len - glen - 1;
        last = blen == 0 || (blen == 1 && r[glen + 1] == '\0') ||
               (blen >= 2 && r[len - 1] == '\0' && r[len - 2] == '\0');
        if (last && blen)
            blen--;             /* the end marker */
        if (blen) {
            char *n = realloc(acc, acclen + blen);

            if (!n) {
                free(r);
                goto out;
            }
            acc = n;
            memcpy(acc + acclen, r + glen + 1, blen);
            acclen += blen;
        }
        free(r);
        if (last)
            break;
    }
    ret = split_strings(acc ? acc : "", (unsigned int)acclen, num);
out:
    free(acc);
    free(gen);
    return ret;
}

char **xs_directory(struct xs_handle *h, xs_transaction_t t, const char *path,
                    unsigned int *num)
{
    unsigned int len;
    char *r = talk1(h, t, XS_DIRECTORY, path, &len);
    char **ret;

    if (!r) {
        if (errno == E2BIG)
            return directory_part(h, t, path, num);
        return NULL;
    }
    ret = split_strings(r, len, num);
    free(r);
    return ret;
}

void *xs_read(struct xs_handle *h, xs_transaction_t t, const char *path, unsigned int *len)
{
    return talk1(h, t, XS_READ, path, len);
}

bool xs_write(struct xs_handle *h, xs_transaction_t t, const char *path, const void *data,
              unsigned int len)
{
    struct iovec iov[2] = {
        { (void *)(uintptr_t)path, strlen(path) + 1 },
        { (void *)(uintptr_t)data, len },
    };

    return talk_ok(h, t, XS_WRITE, iov, 2);
}

bool xs_mkdir(struct xs_handle *h, xs_transaction_t t, const char *path)
{
    return talk1_ok(h, t, XS_MKDIR, path);
}

bool xs_rm(struct xs_handle *h, xs_transaction_t t, const char *path)
{
    return talk1_ok(h, t, XS_RM, path);
}

bool xs_restrict(struct xs_handle *h, unsigned domid)
{
    errno = ENOSYS;
    return false;
}

struct xs_permissions *xs_get_permissions(struct xs_handle *h, xs_transaction_t t,
                                          const char *path, unsigned int *num)
{
    unsigned int len, n;
    char *r = talk1(h, t, XS_GET_PERMS, path, &len);
    struct xs_permissions *perms;

    if (!r)
        return NULL;
    n = xs_count_strings(r, len);
    perms = n ? malloc(n * sizeof(*perms)) : NULL;
    if (!perms) {
        free(r);
        errno = n ? ENOMEM : EBADMSG;
        return NULL;
    }
    if (!xs_strings_to_perms(perms, n, r)) {
        free(perms);
        free(r);
        errno = EBADMSG;
        return NULL;
    }
    free(r);
    *num = n;
    return perms;
}

bool xs_set_permissions(struct xs_handle *h, xs_transaction_t t, const char *path,
                        struct xs_permissions *perms, unsigned int num_perms)
{
    size_t cap = (size_t)num_perms * (MAX_STRLEN(unsigned int) + 2), off = 0;
    char *buf = malloc(cap ? cap : 1);
    struct iovec iov[2];
    bool ok;

    if (!buf)
        return false;
    for (unsigned int i = 0; i < num_perms; i++) {
        if (!xs_perm_to_string(&perms[i], buf + off, cap - off)) {
            free(buf);
            errno = EINVAL;
            return false;
        }
        off += strlen(buf + off) + 1;
    }
    iov[0].iov_base = (void *)(uintptr_t)path;
    iov[0].iov_len = strlen(path) + 1;
    iov[1].iov_base = buf;
    iov[1].iov_len = off;
    ok = talk_ok(h, t, XS_SET_PERMS, iov, 2);
    free(buf);
    return ok;
}

/* ------------------------------------------------------------------ */
/* Watches */

bool xs_watch(struct xs_handle *h, const char *path, const char *token)
{
    struct iovec iov[2] = {
        { (void *)(uintptr_t)path, strlen(path) + 1 },
        { (void *)(uintptr_t)token, strlen(token) + 1 },
    };
    size_t plen = strlen(path), tlen = strlen(token);
    struct wreg *w = malloc(sizeof(*w) + plen + 1 + tlen + 1);

    if (!w)
        return false;
    if (!talk_ok(h, XBT_NULL, XS_WATCH, iov, 2)) {
        free(w);
        return false;
    }
    w->path = (char *)(w + 1);
    memcpy(w->path, path, plen + 1);
    w->token = w->path + plen + 1;
    memcpy(w->token, token, tlen + 1);
    pthread_mutex_lock(&h->lock);
    w->next = h->watches;
    h->watches = w;
    pthread_mutex_unlock(&h->lock);
    return true;
}

bool xs_unwatch(struct xs_handle *h, const char *path, const char *token)
{
    struct iovec iov[2] = {
        { (void *)(uintptr_t)path, strlen(path) + 1 },
        { (void *)(uintptr_t)token, strlen(token) + 1 },
    };
    bool ok = talk_ok(h, XBT_NULL, XS_UNWATCH, iov, 2);

    pthread_mutex_lock(&h->lock);
    for (struct wreg **pp = &h->watches; *pp; pp = &(*pp)->next) {
        struct wreg *w = *pp;

        if (strcmp(w->path, path) == 0 && strcmp(w->token, token) == 0) {
            *pp = w->next;
            free(w);
            break;
        }
    }
    if (ok && (h->flags & XS_UNWATCH_FILTER)) {
        struct event **pp = &h->ev_head, *prev = NULL;

        while (*pp) {
            struct event *e = *pp;

            if (strcmp(e->token, token) == 0 && xs_path_is_subpath(path, e->path)) {
                *pp = e->next;
                free(e);
                continue;
            }
            prev = e;
            pp = &e->next;
        }
        h->ev_tail = prev;
        if (!h->ev_head)
            drain_pipe(h);
    }
    pthread_mutex_unlock(&h->lock);
    return ok;
}

int xs_fileno(struct xs_handle *h)
{
    int fd;

    pthread_mutex_lock(&h->lock);
    if (h->pipe[0] < 0) {
        if (pipe2(h->pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
            pthread_mutex_unlock(&h->lock);
            return -1;
        }
        if (h->ev_head)
            signal_pipe(h);
    }
    if (!h->reader_running) {
        if (pthread_create(&h->reader, NULL, reader_main, h) == 0)
            h->reader_running = true;
    }
    fd = h->pipe[0];
    pthread_mutex_unlock(&h->lock);
    return fd;
}

static char **take_event(struct xs_handle *h)
{
    struct event *e = h->ev_head;
    size_t plen = strlen(e->path), tlen = strlen(e->token);
    char **ret = malloc(2 * sizeof(char *) + plen + 1 + tlen + 1);

    if (!ret)
        return NULL;
    h->ev_head = e->next;
    if (!h->ev_head) {
        h->ev_tail = NULL;
        drain_pipe(h);
    }
    ret[XS_WATCH_PATH] = (char *)(ret + 2);
    memcpy(ret[XS_WATCH_PATH], e->path, plen + 1);
    ret[XS_WATCH_TOKEN] = ret[XS_WATCH_PATH] + plen + 1;
    memcpy(ret[XS_WATCH_TOKEN], e->token, tlen + 1);
    free(e);
    return ret;
}

char **xs_read_watch(struct xs_handle *h, unsigned int *num)
{
    char **ret = NULL;

    pthread_mutex_lock(&h->lock);
    while (!h->ev_head) {
        if (h->broken || h->closing) {
            errno = h->broken ? h->broken : EINTR;
            goto out;
        }
        if (!h->reading && !h->reader_running)
            read_step(h, false);
        else
            pthread_cond_wait(&h->cond, &h->lock);
    }
    ret = take_event(h);
    if (ret && num)
        *num = 2;
out:
    pthread_mutex_unlock(&h->lock);
    return ret;
}

char **xs_check_watch(struct xs_handle *h)
{
    char **ret = NULL;

    pthread_mutex_lock(&h->lock);
    if (!h->ev_head && !h->reading && !h->reader_running && !h->broken)
        read_step(h, true);
    if (h->ev_head)
        ret = take_event(h);
    else
        errno = h->broken ? h->broken : EAGAIN;
    pthread_mutex_unlock(&h->lock);
    return ret;
}

/* ------------------------------------------------------------------ */
/* Transactions */

xs_transaction_t xs_transaction_start(struct xs_handle *h)
{
    char *r = talk1(h, XBT_NULL, XS_TRANSACTION_START, "", NULL);
    char *end;
    unsigned long id;

    if (!r)
        return XBT_NULL;
    errno = 0;
    id = strtoul(r, &end, 10);
    if (errno || *end || id == 0 || id > UINT32_MAX) {
        free(r);
        errno = EBADMSG;
        return XBT_NULL;
    }
    free(r);
    pthread_mutex_lock(&h->lock);
    if (h->ntx == h->captx) {
        unsigned cap = h->captx ? h->captx * 2 : 8;
        struct txrec *n = realloc(h->txs, cap * sizeof(*n));

        if (n) {
            h->txs = n;
            h->captx = cap;
        }
    }
    if (h->ntx < h->captx) {
        h->txs[h->ntx].id = (uint32_t)id;
        h->txs[h->ntx].epoch = h->epoch;
        h->ntx++;
    }
    pthread_mutex_unlock(&h->lock);
    return (xs_transaction_t)id;
}

bool xs_transaction_end(struct xs_handle *h, xs_transaction_t t, bool abort)
{
    bool ok = talk1_ok(h, t, XS_TRANSACTION_END, abort ? "F" : "T");
    int saved = errno;

    pthread_mutex_lock(&h->lock);
    tx_forget(h, t);
    pthread_mutex_unlock(&h->lock);
    errno = saved;
    return ok;
}

/* ------------------------------------------------------------------ */
/* Domains and control */

static bool talk_numbers(struct xs_handle *h, uint32_t type, unsigned n, const unsigned long *v)
{
    char buf[4][MAX_STRLEN(unsigned long)];
    struct iovec iov[4];

    for (unsigned i = 0; i < n; i++) {
        snprintf(buf[i], sizeof(buf[i]), "%lu", v[i]);
        iov[i].iov_base = buf[i];
        iov[i].iov_len = strlen(buf[i]) + 1;
    }
    return talk_ok(h, XBT_NULL, type, iov, n);
}

bool xs_introduce_domain(struct xs_handle *h, unsigned int domid, unsigned long mfn,
                         unsigned int eventchn)
{
    unsigned long v[3] = { domid, mfn, eventchn };

    return talk_numbers(h, XS_INTRODUCE, 3, v);
}

bool xs_set_target(struct xs_handle *h, unsigned int domid, unsigned int target)
{
    unsigned long v[2] = { domid, target };

    return talk_numbers(h, XS_SET_TARGET, 2, v);
}

bool xs_resume_domain(struct xs_handle *h, unsigned int domid)
{
    unsigned long v[1] = { domid };

    return talk_numbers(h, XS_RESUME, 1, v);
}

bool xs_release_domain(struct xs_handle *h, unsigned int domid)
{
    unsigned long v[1] = { domid };

    return talk_numbers(h, XS_RELEASE, 1, v);
}

char *xs_get_domain_path(struct xs_handle *h, unsigned int domid)
{
    char buf[MAX_STRLEN(unsigned int)];

    snprintf(buf, sizeof(buf), "%u", domid);
    return talk1(h, XBT_NULL, XS_GET_DOMAIN_PATH, buf, NULL);
}

bool xs_is_domain_introduced(struct xs_handle *h, unsigned int domid)
{
    char buf[MAX_STRLEN(unsigned int)];
    char *r;
    bool ret;

    snprintf(buf, sizeof(buf), "%u", domid);
    r = talk1(h, XBT_NULL, XS_IS_DOMAIN_INTRODUCED, buf, NULL);
    if (!r)
        return false;
    ret = strcmp(r, "T") == 0;
    free(r);
    return ret;
}

char *xs_control_command(struct xs_handle *h, const char *cmd, void *data, unsigned int len)
{
    struct iovec iov[2] = {
        { (void *)(uintptr_t)cmd, strlen(cmd) + 1 },
        { data, len },
    };

    return talk(h, XBT_NULL, XS_CONTROL, iov, data && len ? 2 : 1, NULL);
}

char *xs_debug_command(struct xs_handle *h, const char *cmd, void *data, unsigned int len)
{
    return xs_control_command(h, cmd, data, len);
}

int xs_suspend_evtchn_port(int domid)
{
    struct xs_handle *h = xs_open(0);
    char path[64];
    char *v;
    int port = -1;

    if (!h)
        return -1;
    snprintf(path, sizeof(path), "/local/domain/%d/device/suspend/event-channel", domid);
    v = xs_read(h, XBT_NULL, path, NULL);
    if (v) {
        char *end;
        long p = strtol(v, &end, 10);

        if (*v && !*end && p >= 0 && p <= INT32_MAX)
            port = (int)p;
        free(v);
    }
    xs_close(h);
    return port;
}
