/* libFuzzer target: a guest's ring page (xsd_ring_io.c) with the core
 * behind it, the page written by the fuzzer as a hostile guest would.
 *
 * The input starts with the initial page (struct
 * xenstore_domain_interface, zero-padded when short); then operations,
 * each an opcode byte and its operands:
 *   0 B        xenstored services the ring, budget (B + 1) * 16 bytes,
 *              as the transport does (a fault disconnects: the end)
 *   1 LO HI    the guest consumes (LO | HI << 8) reply bytes (it may
 *              claim more than there are)
 *   2 N bytes  the guest appends N request bytes and moves req_prod
 *   3 F b0..b3 the guest sets field F (req_cons, req_prod, rsp_cons,
 *              rsp_prod, connection, error) to a value
 * A reconnection request is honoured as the transport does (a fresh
 * connection on an empty ring).  At the end the store must pass its own
 * consistency check, the indices xenstored published must be in range,
 * and freeing everything must leave nothing behind (LeakSanitizer). */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"
#include "xsd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct xsd_conn *guest_conn(struct xsd_store *s)
{
    return xsd_conn_new(s, NULL, NULL, 5, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct xenstore_domain_interface *intf = calloc(1, sizeof(*intf));
    struct xsd_store *s;
    struct xsd_conn *c;
    struct xsd_perms *p;
    size_t off = XK_MIN(size, sizeof(*intf));
    char *problems;

    if (!intf)
        return 0;
    xk_log_set_level(XK_LOG_ERROR);
    memcpy(intf, data, off);
    s = xsd_store_new(true);
    s->no_file_output = true;
    s->quota[XSD_Q_OUTSTANDING] = 4;
    s->quota[XSD_Q_NODES] = 40;
    s->quota[XSD_Q_MEMORY] = 16384;
    p = xsd_perms_parse("n5", 3, 1);
    xsd_store_write_node(s, "/local/domain/5", NULL, 0, p, XSD_NO_GEN);
    xsd_store_write_node(s, "/local/domain/5/big", "0123456789abcdef", 16, p, XSD_NO_GEN);
    xsd_perms_unref(p);
    c = guest_conn(s);
    xsd_ring_page_connect(intf);

    while (off < size) {
        uint8_t op = data[off++] & 3;

        if (op == 0 && off < size) {
            long budget = ((long)data[off++] + 1) * 16;
            struct xsd_ring_fault f;
            bool fault = false;

            if (xsd_ring_page_wants_reset(intf)) {
                xsd_conn_free(c);
                c = guest_conn(s);
                xsd_ring_page_reset(intf);
                continue;
            }
            for (int turns = 0; turns < 64; turns++) {
                long w = xsd_ring_write_output(intf, c, &f), n = 0;

                if (w >= 0)
                    n = xsd_ring_read_input(intf, c, budget, &f);
                if (w < 0 || n < 0) {
                    fault = true;
                    break;
                }
                /* What it published is in range. */
                if (intf->rsp_prod - intf->rsp_cons > XENSTORE_RING_SIZE ||
                    intf->req_prod - intf->req_cons > XENSTORE_RING_SIZE)
                    abort();
                budget -= n;
                if ((w == 0 && n == 0) || budget <= 0)
                    break;
            }
            if (fault)
                break;
        } else if (op == 1 && off + 2 <= size) {
            intf->rsp_cons += (uint32_t)data[off] | (uint32_t)data[off + 1] << 8;
            off += 2;
        } else if (op == 2 && off < size) {
            size_t n = data[off++];

            n = XK_MIN(n, size - off);
            for (size_t i = 0; i < n; i++)
                intf->req[MASK_XENSTORE_IDX(intf->req_prod + (uint32_t)i)] = (char)data[off + i];
            intf->req_prod += (uint32_t)n;
            off += n;
        } else if (op == 3 && off + 5 <= size) {
            uint32_t v;
            uint32_t *fields[] = { &intf->req_cons, &intf->req_prod, &intf->rsp_cons,
                                   &intf->rsp_prod, &intf->connection, &intf->error };

            memcpy(&v, data + off + 1, 4);
            *fields[data[off] % 6] = v;
            off += 5;
        } else {
            break;
        }
    }

    problems = xsd_store_check(s);
    if (problems)
        abort();
    xsd_store_free(s);
    free(intf);
    return 0;
}
