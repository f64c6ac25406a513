/* Test harness for xenstored's core: connections without a transport,
 * requests fed as bytes (exactly as a socket would deliver them), replies
 * and watch events read back from the connection's queue, and a small
 * table language so that tests are lists of operations and expected
 * results. */
#ifndef XS_HARNESS_H
#define XS_HARNESS_H

#include <glib.h>

#include "xsd.h"

#define T_MAX_CONNS 6
#define T_MAX_TX    8

/* Pseudo operations of a step (beyond the xs_wire.h types). */
enum {
    T_EVENT = 1000,     /* next event of conn is args[0] (path), args[1] (token) */
    T_NO_EVENT,         /* conn has no event queued */
    T_DRAIN,            /* drop conn's queued events */
    T_CHECK,            /* xsd_store_check() finds nothing */
    T_USE,              /* domain args[0]'s use of quota args[1] is expect */
    T_REFUSED,          /* domain args[0] refusals of quota args[1] is expect */
    T_QUOTA,            /* set quota args[0] to args[1] */
    T_INTRODUCE,        /* INTRODUCE args[0] with a fake ring */
    T_END = 0,
};

struct t_conn_spec {
    uint32_t domid;
    unsigned flags;            /* XSD_CONN_* */
};

struct t_step {
    int conn;
    uint32_t type;             /* XS_* or T_* */
    int tx;                    /* 0: none; k: transaction slot k */
    const char *args[8];
    /* Expected reply: "E:EACCES" for an error, else the payload with '|'
     * for each NUL; "*" accepts anything; for TRANSACTION_START, "=" stores
     * the id in slot `tx` (the request itself goes without transaction). */
    const char *expect;
};

struct t_env {
    struct xsd_store *s;
    struct xsd_conn *c[T_MAX_CONNS];
    uint32_t tx[T_MAX_TX];
};

void t_env_init(struct t_env *e, const struct t_conn_spec *conns, unsigned n, bool standard);
void t_env_free(struct t_env *e);

/* Sends one request and returns its reply: *type, payload (g_free). */
char *t_request(struct xsd_conn *c, uint32_t type, uint32_t tx_id, const char *payload,
                size_t len, uint32_t *reply_type, size_t *reply_len);
/* Builds the payload of a request: each arg NUL-terminated, except the
 * value of WRITE (args[1]) which is raw. */
char *t_payload(uint32_t type, const char *const *args, size_t *len);
/* Renders a payload with '|' for NUL, for comparisons. */
char *t_render(const char *p, size_t len);
/* Pops the next queued watch event (path|token|), or NULL. */
char *t_pop_event(struct xsd_conn *c);
unsigned t_count_events(struct xsd_conn *c);

/* Runs a table; failures are reported with the step index. */
void t_run(struct t_env *e, const struct t_step *steps, const char *name);
void t_run_table(const struct t_conn_spec *conns, unsigned nconns, const struct t_step *steps,
                 const char *name);

#endif
