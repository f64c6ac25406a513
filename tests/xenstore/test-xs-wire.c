/* Message parsing: framing across arbitrary splits, several requests in
 * one read, the payload limit (a violation closes the connection, as in
 * Xen), malformed argument lists (EINVAL, the connection lives on),
 * unknown types, transaction ids, the outstanding-request throttle. */
#include "config.h"

#include <string.h>

#include "log.h"
#include "xs-harness.h"

struct wire_case {
    const char *name;
    uint32_t type;
    uint32_t tx_id;
    const char *payload;       /* '|' stands for NUL */
    const char *want;          /* rendered reply, "E:..." for errors */
};

static const struct wire_case cases[] = {
    { "read", XS_READ, 0, "/local/domain/0/name|", "Domain-0" },
    { "read without NUL", XS_READ, 0, "/local/domain/0/name", "E:EINVAL" },
    { "read two strings", XS_READ, 0, "/local|/vm|", "E:EINVAL" },
    { "read empty payload", XS_READ, 0, "", "E:EINVAL" },
    { "read trailing bytes", XS_READ, 0, "/local|x", "E:EINVAL" },
    { "write path only", XS_WRITE, 0, "/w|", "OK|" },
    { "write no NUL", XS_WRITE, 0, "/w", "E:EINVAL" },
    { "write value with NULs", XS_WRITE, 0, "/w|a|b|", "OK|" },
    { "read it back", XS_READ, 0, "/w|", "a|b|" },
    { "mkdir", XS_MKDIR, 0, "/mk|", "OK|" },
    { "rm two strings", XS_RM, 0, "/mk|/w|", "E:EINVAL" },
    { "watch one string", XS_WATCH, 0, "/w|", "E:EINVAL" },
    { "watch four strings", XS_WATCH, 0, "/w|t|1|x|", "E:EINVAL" },
    { "watch tx id ignored", XS_WATCH, 77, "/w|t|", "OK|" },
    { "unwatch tx id ignored", XS_UNWATCH, 77, "/w|t|", "OK|" },
    { "unknown transaction", XS_READ, 77, "/w|", "E:ENOENT" },
    { "set_perms no perms", XS_SET_PERMS, 0, "/w|", "E:EINVAL" },
    { "directory_part one arg", XS_DIRECTORY_PART, 0, "/|", "E:EINVAL" },
    { "transaction_end no arg", XS_TRANSACTION_END, 0, "", "E:EINVAL" },
    { "introduce short", XS_INTRODUCE, 0, "3|1|", "E:EINVAL" },
    { "introduce bad domid", XS_INTRODUCE, 0, "x|1|2|", "E:EINVAL" },
    { "introduce bad gfn", XS_INTRODUCE, 0, "3|1x|2|", "E:EINVAL" },
    { "get_domain_path big", XS_GET_DOMAIN_PATH, 0, "70000|", "E:EINVAL" },
    { "control empty", XS_CONTROL, 0, "", "E:EINVAL" },
    { "control help", XS_CONTROL, 0, "help|", "*" },
    { "type 16 (ERROR)", XS_ERROR, 0, "x|", "E:ENOSYS" },
    { "type 20 (RESTRICT, removed)", 20, 0, "1|", "E:ENOSYS" },
    { "type 23", 23, 0, "", "E:ENOSYS" },
    { "type 0xffff", 0xffff, 0, "", "E:ENOSYS" },
    { "type 0xffffffff", 0xffffffffu, 0, "", "E:ENOSYS" },
};

static char *unbar(const char *s, size_t *len)
{
    char *p = g_strdup(s);

    *len = strlen(s);
    for (size_t i = 0; i < *len; i++)
        if (p[i] == '|')
            p[i] = '\0';
    return p;
}

static void test_cases(void)
{
    struct t_conn_spec spec = { 0, XSD_CONN_PRIVILEGED };
    struct t_env e;

    t_env_init(&e, &spec, 1, true);
    for (unsigned i = 0; i < G_N_ELEMENTS(cases); i++) {
        size_t len, rlen;
        uint32_t rtype;
        g_autofree char *payload = unbar(cases[i].payload, &len);
        g_autofree char *reply = t_request(e.c[0], cases[i].type, cases[i].tx_id, payload, len,
                                           &rtype, &rlen);
        g_autofree char *shown = rtype == XS_ERROR ? g_strdup_printf("E:%s", reply)
                                                   : t_render(reply, rlen);

        if (strcmp(cases[i].want, "*") && strcmp(cases[i].want, shown))
            g_error("%s: want \"%s\", got \"%s\"", cases[i].name, cases[i].want, shown);
        g_assert_false(e.c[0]->dead);
    }
    t_env_free(&e);
}

/* Replies carry the request's req_id and tx_id, errors included. */
static struct xsd_sockmsg pop_reply_hdr(struct xsd_conn *c, char **payload)
{
    struct xsd_msg *m = c->out_head;
    struct xsd_sockmsg h;

    g_assert_nonnull(m);
    memcpy(&h, m->data, sizeof(h));
    if (payload)
        *payload = t_render(m->data + sizeof(h), h.len);
    xsd_conn_output_done(c, m->len);
    return h;
}

/* The same stream, fed in pieces of every size, gives the same replies. */
static void test_splits(void)
{
    GByteArray *stream = g_byte_array_new();
    static const struct {
        uint32_t type;
        const char *payload;
    } reqs[] = {
        { XS_WRITE, "/s/a|1" }, { XS_READ, "/s/a|" }, { XS_DIRECTORY, "/s|" },
        { XS_READ, "/nope|" }, { XS_GET_PERMS, "/s|" }, { XS_RM, "/s|" },
    };
    static const char *const want[] = { "OK|", "1", "a|", "ENOENT|", "n0|", "OK|" };

    for (unsigned i = 0; i < G_N_ELEMENTS(reqs); i++) {
        size_t len;
        g_autofree char *p = unbar(reqs[i].payload, &len);
        struct xsd_sockmsg h = { .type = reqs[i].type, .req_id = 100 + i, .tx_id = 0,
                                 .len = (uint32_t)len };

        g_byte_array_append(stream, (guint8 *)&h, sizeof(h));
        g_byte_array_append(stream, (guint8 *)p, (guint)len);
    }
    for (size_t chunk = 1; chunk <= stream->len; chunk = chunk < 8 ? chunk + 1 : chunk * 3) {
        struct t_conn_spec spec = { 0, XSD_CONN_PRIVILEGED };
        struct t_env e;

        t_env_init(&e, &spec, 1, true);
        for (size_t off = 0; off < stream->len; off += chunk)
            g_assert_cmpint(xsd_conn_input(e.c[0], stream->data + off,
                                           MIN(chunk, stream->len - off)), ==, 0);
        for (unsigned i = 0; i < G_N_ELEMENTS(want); i++) {
            char *payload;
            struct xsd_sockmsg h = pop_reply_hdr(e.c[0], &payload);

            g_assert_cmpuint(h.req_id, ==, 100 + i);
            g_assert_cmpuint(h.type, ==, i == 3 ? XS_ERROR : reqs[i].type);
            g_assert_cmpstr(payload, ==, i == 3 ? "ENOENT|" : want[i]);
            g_free(payload);
        }
        g_assert_false(xsd_conn_has_output(e.c[0]));
        t_env_free(&e);
    }
    g_byte_array_free(stream, TRUE);
}

/* Payload limit: exactly XENSTORE_PAYLOAD_MAX is fine, one more byte
 * closes the connection; the store is unharmed. */
static void test_payload_limit(void)
{
    struct t_conn_spec spec[2] = { { 0, XSD_CONN_PRIVILEGED }, { 0, XSD_CONN_PRIVILEGED } };
    struct t_env e;
    char *buf = g_malloc0(XENSTORE_PAYLOAD_MAX);
    struct xsd_sockmsg h = { .type = XS_WRITE, .req_id = 1, .len = XENSTORE_PAYLOAD_MAX };
    char *payload;

    t_env_init(&e, spec, 2, true);
    memcpy(buf, "/big", 5);
    g_assert_cmpint(xsd_conn_input(e.c[0], &h, sizeof(h)), ==, 0);
    g_assert_cmpint(xsd_conn_input(e.c[0], buf, XENSTORE_PAYLOAD_MAX), ==, 0);
    h = pop_reply_hdr(e.c[0], &payload);
    g_assert_cmpstr(payload, ==, "OK|");
    g_free(payload);
    h.type = XS_READ;
    h.len = XENSTORE_PAYLOAD_MAX + 1;
    g_assert_cmpint(xsd_conn_input(e.c[0], &h, sizeof(h)), ==, -1);
    g_assert_true(e.c[0]->dead);
    g_assert_cmpint(xsd_conn_input(e.c[0], "x", 1), ==, -1);
    g_assert_cmpuint(e.s->stats.bad_clients, ==, 1);
    /* Others carry on. */
    payload = t_request(e.c[1], XS_READ, 0, "/big", 5, &h.type, (size_t[]){ 0 });
    g_assert_cmpuint(h.type, ==, XS_READ);
    g_free(payload);
    g_free(buf);
    t_env_free(&e);
}

/* An unprivileged connection is not read while it has `outstanding`
 * unanswered requests (replies not yet written out); the stall is
 * counted once per stall. */
static void test_outstanding(void)
{
    struct t_conn_spec spec = { 5, 0 };
    struct t_env e;
    struct xsd_sockmsg h = { .type = XS_GET_DOMAIN_PATH, .len = 2 };

    t_env_init(&e, &spec, 1, true);
    e.s->quota[XSD_Q_OUTSTANDING] = 2;
    g_assert_true(xsd_conn_can_read(e.c[0]));
    for (int i = 0; i < 2; i++) {
        g_assert_cmpint(xsd_conn_input(e.c[0], &h, sizeof(h)), ==, 0);
        g_assert_cmpint(xsd_conn_input(e.c[0], "5", 2), ==, 0);
    }
    g_assert_false(xsd_conn_can_read(e.c[0]));
    g_assert_cmpuint(xsd_domain_find(e.s, 5)->refused[XSD_Q_OUTSTANDING], ==, 1);
    pop_reply_hdr(e.c[0], NULL);
    g_assert_true(xsd_conn_can_read(e.c[0]));
    pop_reply_hdr(e.c[0], NULL);
    g_assert_cmpuint(xsd_conn_input_wanted(e.c[0]), ==, sizeof(struct xsd_sockmsg));
    t_env_free(&e);
}

/* A reply too long for one message is refused with E2BIG. */
static void test_reply_too_long(void)
{
    struct t_conn_spec spec = { 0, XSD_CONN_PRIVILEGED };
    struct t_env e;
    char path[64];
    uint32_t rtype;
    size_t rlen;
    char *reply;

    t_env_init(&e, &spec, 1, true);
    for (int i = 0; i < 500; i++) {
        snprintf(path, sizeof(path), "/many/entry-%04d", i);
        g_assert_cmpint(xsd_store_write_node(e.s, path, "", 0, NULL, XSD_NO_GEN), ==, 0);
    }
    reply = t_request(e.c[0], XS_DIRECTORY, 0, "/many", 6, &rtype, &rlen);
    g_assert_cmpuint(rtype, ==, XS_ERROR);
    g_assert_cmpstr(reply, ==, "E2BIG");
    g_free(reply);
    t_env_free(&e);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    xk_log_set_level(XK_LOG_ERROR);
    g_test_add_func("/xenstore/wire/cases", test_cases);
    g_test_add_func("/xenstore/wire/splits", test_splits);
    g_test_add_func("/xenstore/wire/payload-limit", test_payload_limit);
    g_test_add_func("/xenstore/wire/outstanding", test_outstanding);
    g_test_add_func("/xenstore/wire/reply-too-long", test_reply_too_long);
    return g_test_run();
}
