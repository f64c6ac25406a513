/* libFuzzer target: xenstored's framing, request parser and dispatcher,
 * with everything behind them (tree, permissions, transactions, watches,
 * quotas, CONTROL).
 *
 * The input is a sequence of chunks { selector, len_lo, len_hi, bytes }:
 * the selector picks one of four connections (domain 0, the read-only
 * socket, domains 5 and 6, unprivileged) and, with its high bit, lets that
 * connection's queued output be "written out" first.  After the input the
 * store must pass its own consistency check, and freeing it must leave
 * nothing behind (LeakSanitizer). */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "xsd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct {
        uint32_t domid;
        unsigned flags;
    } spec[4] = {
        { 0, XSD_CONN_PRIVILEGED },
        { 0, XSD_CONN_PRIVILEGED | XSD_CONN_READ_ONLY },
        { 5, 0 },
        { 6, 0 },
    };
    struct xsd_store *s;
    struct xsd_conn *c[4];
    size_t off = 0;
    char *problems;

    xk_log_set_level(XK_LOG_ERROR);
    s = xsd_store_new(true);
    s->no_file_output = true;
    /* Small quotas, so that refusals are reached. */
    s->quota[XSD_Q_NODES] = 40;
    s->quota[XSD_Q_WATCHES] = 8;
    s->quota[XSD_Q_TRANSACTIONS] = 3;
    s->quota[XSD_Q_TRANS_NODES] = 30;
    s->quota[XSD_Q_OUTSTANDING] = 4;
    s->quota[XSD_Q_MEMORY] = 8192;
    for (int i = 0; i < 4; i++)
        c[i] = xsd_conn_new(s, NULL, NULL, spec[i].domid, spec[i].flags);
    /* Domain 5 owns its home so that it can do something. */
    xsd_store_write_node(s, "/local/domain/5/x", "", 0, NULL, XSD_NO_GEN);

    while (off + 3 <= size) {
        unsigned sel = data[off];
        size_t len = (size_t)data[off + 1] | ((size_t)data[off + 2] << 8);
        struct xsd_conn *conn = c[sel & 3];

        off += 3;
        if (len > size - off)
            len = size - off;
        if (sel & 0x80) {
            while (conn->out_head)
                xsd_conn_output_done(conn, conn->out_head->len);
        }
        if (!conn->dead && xsd_conn_can_read(conn))
            xsd_conn_input(conn, data + off, len);
        off += len;
    }
    problems = xsd_store_check(s);
    if (problems) {
        xk_error("inconsistent store after the input:\n%s", problems);
        abort();
    }
    xsd_store_free(s);
    return 0;
}
