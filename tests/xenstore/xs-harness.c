/* See xs-harness.h. */
#include "config.h"

#include <string.h>

#include "xs-harness.h"

void t_env_init(struct t_env *e, const struct t_conn_spec *conns, unsigned n, bool standard)
{
    memset(e, 0, sizeof(*e));
    e->s = xsd_store_new(standard);
    g_assert_cmpuint(n, <=, T_MAX_CONNS);
    for (unsigned i = 0; i < n; i++)
        e->c[i] = xsd_conn_new(e->s, NULL, NULL, conns[i].domid, conns[i].flags);
}

void t_env_free(struct t_env *e)
{
    xsd_store_free(e->s);
    memset(e, 0, sizeof(*e));
}

char *t_payload(uint32_t type, const char *const *args, size_t *len)
{
    GString *g = g_string_new(NULL);

    for (unsigned i = 0; args[i]; i++) {
        g_string_append(g, args[i]);
        if (!(type == XS_WRITE && i == 1))
            g_string_append_c(g, '\0');
    }
    *len = g->len;
    return g_string_free(g, FALSE);
}

char *t_render(const char *p, size_t len)
{
    GString *g = g_string_new(NULL);

    for (size_t i = 0; i < len; i++)
        g_string_append_c(g, p[i] ? p[i] : '|');
    return g_string_free(g, FALSE);
}

static struct xsd_msg *pop_msg(struct xsd_conn *c, bool events)
{
    /* Takes the first reply (or event) off the queue. */
    struct xsd_msg **pp = &c->out_head, *prev = NULL;

    for (; *pp; prev = *pp, pp = &(*pp)->next) {
        struct xsd_msg *m = *pp;

        if (m->is_event != events)
            continue;
        *pp = m->next;
        if (c->out_tail == m)
            c->out_tail = prev;
        m->next = NULL;
        return m;
    }
    return NULL;
}

static void msg_release(struct xsd_conn *c, struct xsd_msg *m)
{
    /* Put it back at the head and let the core account for it being
     * written out. */
    m->next = c->out_head;
    c->out_head = m;
    if (!c->out_tail)
        c->out_tail = m;
    c->out_off = 0;
    xsd_conn_output_done(c, m->len);
}

char *t_request(struct xsd_conn *c, uint32_t type, uint32_t tx_id, const char *payload,
                size_t len, uint32_t *reply_type, size_t *reply_len)
{
    struct xsd_sockmsg hdr = { .type = type, .req_id = 0x1234, .tx_id = tx_id,
                               .len = (uint32_t)len };
    struct xsd_msg *m;
    struct xsd_sockmsg rh;
    char *ret;

    g_assert_cmpint(xsd_conn_input(c, &hdr, sizeof(hdr)), ==, 0);
    if (len)
        g_assert_cmpint(xsd_conn_input(c, payload, len), ==, 0);
    m = pop_msg(c, false);
    g_assert_nonnull(m);
    memcpy(&rh, m->data, sizeof(rh));
    g_assert_cmpuint(rh.req_id, ==, 0x1234);
    g_assert_cmpuint(rh.tx_id, ==, tx_id);
    *reply_type = rh.type;
    *reply_len = rh.len;
    ret = g_malloc(rh.len + 1);
    memcpy(ret, m->data + sizeof(rh), rh.len);
    ret[rh.len] = '\0';
    msg_release(c, m);
    return ret;
}

char *t_pop_event(struct xsd_conn *c)
{
    struct xsd_msg *m = pop_msg(c, true);
    struct xsd_sockmsg rh;
    char *r;

    if (!m)
        return NULL;
    memcpy(&rh, m->data, sizeof(rh));
    g_assert_cmpuint(rh.type, ==, XS_WATCH_EVENT);
    r = t_render(m->data + sizeof(rh), rh.len);
    msg_release(c, m);
    return r;
}

unsigned t_count_events(struct xsd_conn *c)
{
    unsigned n = 0;

    for (struct xsd_msg *m = c->out_head; m; m = m->next)
        n += m->is_event;
    return n;
}

static unsigned long domain_use(struct xsd_store *s, const char *domid, const char *quota,
                                bool refused)
{
    struct xsd_domain *d = xsd_domain_find(s, (uint32_t)atoi(domid));
    int q = xsd_quota_by_name(quota);

    g_assert_cmpint(q, >=, 0);
    if (!d)
        return 0;
    return refused ? (unsigned long)d->refused[q] : d->use[q];
}

void t_run(struct t_env *e, const struct t_step *st, const char *name)
{
    for (unsigned i = 0; st[i].type != T_END; i++) {
        const struct t_step *p = &st[i];
        struct xsd_conn *c = e->c[p->conn];
        g_autofree char *where = g_strdup_printf("%s step %u", name, i);

        switch (p->type) {
        case T_EVENT: {
            g_autofree char *ev = t_pop_event(c);
            g_autofree char *want = g_strdup_printf("%s|%s|", p->args[0], p->args[1]);

            if (g_strcmp0(ev, want) != 0)
                g_error("%s: expected event %s, got %s", where, want, ev ? ev : "none");
            break;
        }
        case T_NO_EVENT: {
            g_autofree char *ev = t_pop_event(c);

            if (ev)
                g_error("%s: expected no event, got %s", where, ev);
            break;
        }
        case T_DRAIN: {
            char *ev;

            while ((ev = t_pop_event(c)))
                g_free(ev);
            break;
        }
        case T_CHECK: {
            g_autofree char *problems = xsd_store_check(e->s);

            if (problems)
                g_error("%s: check: %s", where, problems);
            break;
        }
        case T_USE:
        case T_REFUSED: {
            unsigned long v = domain_use(e->s, p->args[0], p->args[1], p->type == T_REFUSED);

            if (v != strtoul(p->expect, NULL, 10))
                g_error("%s: domain %s %s %s is %lu, expected %s", where, p->args[0],
                        p->args[1], p->type == T_REFUSED ? "refused" : "use", v, p->expect);
            break;
        }
        case T_QUOTA: {
            int q = xsd_quota_by_name(p->args[0]);

            g_assert_cmpint(q, >=, 0);
            e->s->quota[q] = strtoul(p->args[1], NULL, 10);
            break;
        }
        default: {
            const char *args[9] = { NULL };
            uint32_t type = p->type == T_INTRODUCE ? XS_INTRODUCE : p->type;
            uint32_t tx_id = 0, rtype;
            size_t len, rlen;
            g_autofree char *payload = NULL;
            g_autofree char *reply = NULL;
            g_autofree char *shown = NULL;

            if (p->type == T_INTRODUCE) {
                args[0] = p->args[0];
                args[1] = "4096";
                args[2] = "7";
            } else {
                memcpy(args, p->args, sizeof(p->args));
            }
            payload = t_payload(type, args, &len);
            if (p->tx && !(type == XS_TRANSACTION_START && p->expect && !strcmp(p->expect, "=")))
                tx_id = e->tx[p->tx];
            reply = t_request(c, type, tx_id, payload, len, &rtype, &rlen);
            shown = rtype == XS_ERROR ? g_strdup_printf("E:%s", reply) : t_render(reply, rlen);
            if (p->expect && !strcmp(p->expect, "=")) {
                if (rtype != XS_TRANSACTION_START)
                    g_error("%s: TRANSACTION_START failed: %s", where, shown);
                e->tx[p->tx] = (uint32_t)strtoul(reply, NULL, 10);
                break;
            }
            if (rtype != XS_ERROR && rtype != type)
                g_error("%s: reply type %u to %u", where, rtype, type);
            if (p->expect && strcmp(p->expect, "*") != 0 && strcmp(p->expect, shown) != 0)
                g_error("%s: %s %s: expected \"%s\", got \"%s\"", where, xsd_type_name(type),
                        p->args[0] ? p->args[0] : "", p->expect, shown);
            break;
        }
        }
    }
}

void t_run_table(const struct t_conn_spec *conns, unsigned nconns, const struct t_step *steps,
                 const char *name)
{
    struct t_env e;

    t_env_init(&e, conns, nconns, true);
    t_run(&e, steps, name);
    {
        g_autofree char *problems = xsd_store_check(e.s);

        if (problems)
            g_error("%s: accounting after the table: %s", name, problems);
    }
    t_env_free(&e);
}
