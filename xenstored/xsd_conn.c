/* Connections: the framing of the wire protocol (xs_wire.h) on a byte
 * stream, and the queue of replies and watch events, for any transport.
 *
 * Every length from the client is checked here, once: a header announcing
 * more than XENSTORE_PAYLOAD_MAX bytes is a protocol violation and the
 * connection is closed (as Xen does: the stream cannot be resynchronised);
 * everything else gets an error reply from the dispatcher and the
 * connection lives on. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "log.h"
#include "util.h"
#include "xsd.h"

#define HDR_SIZE sizeof(struct xsd_sockmsg)

struct xsd_conn *xsd_conn_new(struct xsd_store *s, const struct xsd_transport_ops *ops,
                              void *transport, uint32_t domid, unsigned flags)
{
    struct xsd_conn *c = g_new0(struct xsd_conn, 1);

    c->store = s;
    c->id = ++s->next_conn_id;
    c->domid = domid;
    c->privileged = (flags & XSD_CONN_PRIVILEGED) != 0;
    c->can_write = !(flags & XSD_CONN_READ_ONLY);
    c->ops = ops;
    c->transport = transport;
    c->in_buf = g_malloc(XENSTORE_PAYLOAD_MAX);
    c->watches = g_ptr_array_new();
    c->txns = g_ptr_array_new();
    c->next_txn_id = 1;
    c->link.data = c;
    g_queue_push_tail_link(&s->conns, &c->link);
    xsd_domain_get(s, domid);
    return c;
}

static void msg_free(struct xsd_conn *c, struct xsd_msg *m)
{
    xsd_domain_account(c->store, c->domid, XSD_Q_MEMORY, -(long)m->len);
    c->out_bytes -= m->len;
    if (m->is_reply)
        c->out_replies--;
    if (m->timed)
        c->store->timed_events--;
    if (m->event_key) {
        if (c->pending_events && g_hash_table_lookup(c->pending_events, m->event_key) == m)
            g_hash_table_remove(c->pending_events, m->event_key);
        g_free(m->event_key);
    }
    g_free(m);
}

static void drop_output(struct xsd_conn *c)
{
    while (c->out_head) {
        struct xsd_msg *m = c->out_head;

        c->out_head = m->next;
        msg_free(c, m);
    }
    c->out_tail = NULL;
    c->out_off = 0;
}

void xsd_conn_free(struct xsd_conn *c)
{
    struct xsd_store *s;

    if (!c)
        return;
    s = c->store;
    xsd_txn_abort_all(c);
    xsd_watch_remove_all(c);
    drop_output(c);
    g_queue_unlink(&s->conns, &c->link);
    if (c->pending_events)
        g_hash_table_destroy(c->pending_events);
    g_ptr_array_free(c->watches, TRUE);
    g_ptr_array_free(c->txns, TRUE);
    g_free(c->in_buf);
    {
        struct xsd_domain *d = xsd_domain_find(s, c->domid);

        if (d && d->ring == c)
            d->ring = NULL;
    }
    g_free(c);
}

const char *xsd_conn_describe(const struct xsd_conn *c, char *buf, size_t len)
{
    snprintf(buf, len, "connection %u (domain %u%s, %s)", c->id, c->domid,
             c->can_write ? "" : ", read-only", c->ops ? c->ops->name : "internal");
    return buf;
}

void xsd_conn_shutdown(struct xsd_conn *c, const char *why)
{
    char desc[96];

    if (c->dead)
        return;
    c->dead = true;
    if (why)
        xk_info("closing %s: %s", xsd_conn_describe(c, desc, sizeof(desc)), why);
    xsd_txn_abort_all(c);
    xsd_watch_remove_all(c);
    if (c->ops && c->ops->shutdown)
        c->ops->shutdown(c);
}

size_t xsd_conn_input_wanted(const struct xsd_conn *c)
{
    if (c->in_used < HDR_SIZE)
        return HDR_SIZE - c->in_used;
    return HDR_SIZE + c->in_hdr.len - c->in_used;
}

bool xsd_conn_can_read(const struct xsd_conn *c)
{
    if (c->dead)
        return false;
    if (c->privileged)
        return true;
    return !c->store->quota[XSD_Q_OUTSTANDING] ||
           c->out_replies < c->store->quota[XSD_Q_OUTSTANDING];
}

int xsd_conn_input(struct xsd_conn *c, const void *data, size_t len)
{
    const char *p = data;

    if (c->dead)
        return -1;
    c->in_input = true;
    while (len) {
        size_t n;

        if (c->in_used < HDR_SIZE) {
            n = XK_MIN(len, HDR_SIZE - c->in_used);
            memcpy((char *)&c->in_hdr + c->in_used, p, n);
            c->in_used += (uint32_t)n;
            p += n;
            len -= n;
            if (c->in_used < HDR_SIZE)
                break;
            if (c->in_hdr.len > XENSTORE_PAYLOAD_MAX) {
                char desc[96];

                c->store->stats.bad_clients++;
                xk_warn("%s sent a %s request with a %u-byte payload (limit %u): "
                        "protocol violation, closing it",
                        xsd_conn_describe(c, desc, sizeof(desc)),
                        xsd_type_name(c->in_hdr.type), c->in_hdr.len, XENSTORE_PAYLOAD_MAX);
                c->in_input = false;
                xsd_conn_shutdown(c, NULL);     /* logged just above */
                return -1;
            }
        } else {
            n = XK_MIN(len, HDR_SIZE + c->in_hdr.len - c->in_used);
            memcpy(c->in_buf + (c->in_used - HDR_SIZE), p, n);
            c->in_used += (uint32_t)n;
            p += n;
            len -= n;
        }
        if (c->in_used == HDR_SIZE + c->in_hdr.len) {
            struct xsd_sockmsg hdr = c->in_hdr;

            c->in_used = 0;
            xsd_store_handle(c, &hdr, c->in_buf);
            if (c->dead) {
                c->in_input = false;
                return -1;
            }
        }
    }
    c->in_input = false;
    if (!xsd_conn_can_read(c) && !c->throttled) {
        c->throttled = true;
        c->store->stats.throttled++;
        xsd_quota_refused(c->store, c->domid, XSD_Q_OUTSTANDING, c->out_replies);
    } else if (xsd_conn_can_read(c)) {
        c->throttled = false;
    }
    return 0;
}

static void queue_msg(struct xsd_conn *c, struct xsd_msg *m)
{
    m->next = NULL;
    if (c->out_tail)
        c->out_tail->next = m;
    else
        c->out_head = m;
    c->out_tail = m;
    c->out_bytes += m->len;
    xsd_domain_account(c->store, c->domid, XSD_Q_MEMORY, (long)m->len);
    if (!c->in_input && c->ops && c->ops->kick)
        c->ops->kick(c);
}

static struct xsd_msg *msg_new(uint32_t type, uint32_t req_id, uint32_t tx_id,
                               const void *data, size_t len)
{
    struct xsd_msg *m = g_malloc(sizeof(*m) + HDR_SIZE + len);
    struct xsd_sockmsg hdr = { .type = type, .req_id = req_id, .tx_id = tx_id,
                               .len = (uint32_t)len };

    m->next = NULL;
    m->queued_ms = 0;
    m->event_key = NULL;
    m->len = (uint32_t)(HDR_SIZE + len);
    m->is_event = false;
    m->is_reply = false;
    m->timed = false;
    memcpy(m->data, &hdr, HDR_SIZE);
    if (len)
        memcpy(m->data + HDR_SIZE, data, len);
    return m;
}

void xsd_conn_queue(struct xsd_conn *c, uint32_t type, uint32_t req_id, uint32_t tx_id,
                    const void *data, size_t len)
{
    struct xsd_msg *m;

    if (c->dead)
        return;
    g_assert(len <= XENSTORE_PAYLOAD_MAX);
    m = msg_new(type, req_id, tx_id, data, len);
    m->is_reply = true;
    c->out_replies++;
    queue_msg(c, m);
}

void xsd_conn_queue_raw(struct xsd_conn *c, const void *data, size_t len)
{
    struct xsd_msg *m;

    if (c->dead || !len)
        return;
    m = g_malloc(sizeof(*m) + len);
    m->next = NULL;
    m->queued_ms = 0;
    m->event_key = NULL;
    m->len = (uint32_t)len;
    m->is_event = false;
    m->is_reply = false;
    m->timed = false;
    memcpy(m->data, data, len);
    queue_msg(c, m);
}

void xsd_conn_queue_event(struct xsd_conn *c, const char *path, const char *token)
{
    struct xsd_store *s = c->store;
    size_t plen = strlen(path), tlen = strlen(token);
    size_t len = plen + 1 + tlen + 1;
    struct xsd_msg *m;
    char *key = NULL;

    if (c->dead)
        return;
    if (len > XENSTORE_PAYLOAD_MAX) {
        s->stats.events_dropped++;
        return;
    }
    if (path[0] != '@') {
        key = g_strconcat(path, "\001", token, NULL);
        if (c->pending_events && g_hash_table_contains(c->pending_events, key)) {
            g_free(key);
            return;
        }
    }
    if (!c->privileged &&
        xsd_quota_check(s, c, c->domid, XSD_Q_MEMORY,
                        xsd_domain_get(s, c->domid)->use[XSD_Q_MEMORY] + len)) {
        s->stats.events_dropped++;
        g_free(key);
        return;
    }
    m = g_malloc(sizeof(*m) + HDR_SIZE + len);
    {
        struct xsd_sockmsg hdr = { .type = XS_WATCH_EVENT, .len = (uint32_t)len };

        memcpy(m->data, &hdr, HDR_SIZE);
    }
    memcpy(m->data + HDR_SIZE, path, plen + 1);
    memcpy(m->data + HDR_SIZE + plen + 1, token, tlen + 1);
    m->len = (uint32_t)(HDR_SIZE + len);
    m->is_event = true;
    m->is_reply = false;
    m->timed = !c->privileged && s->watch_event_timeout_ms;
    m->queued_ms = m->timed ? xk_now_ns() / 1000000 : 0;
    if (m->timed)
        s->timed_events++;
    m->event_key = key;
    if (key) {
        if (!c->pending_events)
            c->pending_events = g_hash_table_new(g_str_hash, g_str_equal);
        g_hash_table_insert(c->pending_events, key, m);
    }
    s->stats.events++;
    queue_msg(c, m);
}

int xsd_conn_output_iov(const struct xsd_conn *c, struct iovec *iov, int max)
{
    int n = 0;
    struct xsd_msg *m = c->out_head;
    uint32_t off = c->out_off;

    while (m && n < max) {
        iov[n].iov_base = m->data + off;
        iov[n].iov_len = m->len - off;
        n++;
        off = 0;
        m = m->next;
    }
    return n;
}

bool xsd_conn_has_output(const struct xsd_conn *c)
{
    return c->out_head != NULL;
}

void xsd_conn_output_done(struct xsd_conn *c, size_t written)
{
    while (written && c->out_head) {
        struct xsd_msg *m = c->out_head;
        size_t left = m->len - c->out_off;

        if (written < left) {
            c->out_off += (uint32_t)written;
            return;
        }
        written -= left;
        c->out_off = 0;
        c->out_head = m->next;
        if (!c->out_head)
            c->out_tail = NULL;
        msg_free(c, m);
    }
}

unsigned xsd_conn_expire_events(struct xsd_conn *c, uint64_t now_ms, uint64_t timeout_ms)
{
    struct xsd_msg **pp = &c->out_head, *prev = NULL;
    unsigned left = 0;

    if (!timeout_ms)
        return 0;
    while (*pp) {
        struct xsd_msg *m = *pp;
        bool started = m == c->out_head && c->out_off > 0;

        if (m->timed && !started && m->queued_ms + timeout_ms <= now_ms) {
            char desc[96];

            *pp = m->next;
            if (c->out_tail == m)
                c->out_tail = prev;
            c->store->stats.events_dropped++;
            xk_debug("%s: dropping watch event %s unread for %llu ms",
                     xsd_conn_describe(c, desc, sizeof(desc)),
                     m->data + HDR_SIZE, (unsigned long long)timeout_ms);
            msg_free(c, m);
            continue;
        }
        if (m->timed)
            left++;
        prev = m;
        pp = &m->next;
    }
    return left;
}

void xsd_conn_set_domain(struct xsd_conn *c, uint32_t domid, bool privileged)
{
    struct xsd_store *s = c->store;

    xsd_domain_account(s, c->domid, XSD_Q_MEMORY, -(long)c->out_bytes);
    c->domid = domid;
    c->privileged = privileged;
    xsd_domain_account(s, c->domid, XSD_Q_MEMORY, (long)c->out_bytes);
}
