/* Domains as xenstored sees them, their accounting and the quotas.
 *
 * Every refusal for a quota is counted per domain and in the store's
 * statistics, and logged once per domain and cause (the first time), with
 * the domain, the limit and what was asked for: xenstored of Xen refuses
 * silently, which leaves administrators guessing.  The counters are read
 * with CONTROL quota <domid> and CONTROL memreport. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "log.h"
#include "xsd.h"

const struct xsd_quota_info xsd_quota_info[XSD_Q_COUNT] = {
    [XSD_Q_NODES] = { "nodes", "nodes owned by a domain", 1000, ENOSPC },
    [XSD_Q_WATCHES] = { "watches", "watches set by a domain", 128, E2BIG },
    [XSD_Q_TRANSACTIONS] = { "transactions", "open transactions of a domain", 10, ENOSPC },
    [XSD_Q_OUTSTANDING] = { "outstanding", "unanswered requests of a connection", 20, 0 },
    [XSD_Q_MEMORY] = { "memory", "bytes of nodes, watches and queued output of a domain",
                       2 * 1024 * 1024 + 512 * 1024, ENOMEM },
    [XSD_Q_TRANS_NODES] = { "transaction-nodes", "nodes accessed by one transaction", 1024,
                            ENOSPC },
    [XSD_Q_PERMS] = { "node-permissions", "permission entries of a node", 5, ENOSPC },
    [XSD_Q_PATH] = { "path-max", "path length below the domain's home", XENSTORE_REL_PATH_MAX,
                     EINVAL },
    [XSD_Q_NODE_SIZE] = { "node-size", "bytes of one node (value, children, permissions)",
                          2048, ENOSPC },
};

int xsd_quota_by_name(const char *name)
{
    for (int i = 0; i < XSD_Q_COUNT; i++)
        if (strcmp(name, xsd_quota_info[i].name) == 0)
            return i;
    /* C xenstored's older spellings. */
    if (strcmp(name, "permissions") == 0)
        return XSD_Q_PERMS;
    if (strcmp(name, "entry-size") == 0)
        return XSD_Q_NODE_SIZE;
    return -1;
}

struct xsd_domain *xsd_domain_find(struct xsd_store *s, uint32_t domid)
{
    return g_hash_table_lookup(s->domains, GUINT_TO_POINTER(domid));
}

struct xsd_domain *xsd_domain_get(struct xsd_store *s, uint32_t domid)
{
    struct xsd_domain *d = xsd_domain_find(s, domid);

    if (d)
        return d;
    d = g_new0(struct xsd_domain, 1);
    d->domid = domid;
    d->target = XSD_DOMID_NONE;
    d->introduced = domid == 0;
    g_hash_table_insert(s->domains, GUINT_TO_POINTER(domid), d);
    return d;
}

void xsd_domain_gc(struct xsd_store *s, uint32_t domid)
{
    struct xsd_domain *d = xsd_domain_find(s, domid);

    if (!d || d->introduced || d->ring)
        return;
    for (int q = 0; q < XSD_Q_COUNT; q++)
        if (d->use[q] || d->refused[q])
            return;
    g_hash_table_remove(s->domains, GUINT_TO_POINTER(domid));
}

void xsd_domain_account(struct xsd_store *s, uint32_t domid, enum xsd_quota q, long delta)
{
    struct xsd_domain *d = xsd_domain_get(s, domid);

    if (delta < 0 && (unsigned long)-delta > d->use[q]) {
        xk_error("accounting of %s for domain %u went below zero (%lu %+ld)",
                 xsd_quota_info[q].name, domid, d->use[q], delta);
        d->use[q] = 0;
    } else {
        d->use[q] = (unsigned long)((long)d->use[q] + delta);
    }
    if (d->use[q] > d->max[q])
        d->max[q] = d->use[q];
    if (q == XSD_Q_MEMORY && s->quota_soft_memory && domid != 0 &&
        d->use[q] > s->quota_soft_memory && !d->soft_memory_logged) {
        d->soft_memory_logged = true;
        xk_warn("domain %u uses %lu bytes of xenstore memory, above the soft quota of %lu "
                "(hard quota %lu)", domid, d->use[q], s->quota_soft_memory,
                s->quota[XSD_Q_MEMORY]);
    }
}

void xsd_quota_refused(struct xsd_store *s, uint32_t domid, enum xsd_quota q,
                       unsigned long wanted)
{
    struct xsd_domain *d = xsd_domain_get(s, domid);
    int err = xsd_quota_info[q].err;

    d->refused[q]++;
    s->stats.refused[q]++;
    if (d->refusal_logged[q])
        return;
    d->refusal_logged[q] = true;
    xk_warn("domain %u: %s quota of %lu reached (%s; wanted %lu): request refused with %s; "
            "later refusals of this kind are only counted (CONTROL quota %u)",
            domid, xsd_quota_info[q].name, s->quota[q], xsd_quota_info[q].descr, wanted,
            err ? xsd_errno_name(err) : "a stall", domid);
}

int xsd_quota_check(struct xsd_store *s, const struct xsd_conn *c, uint32_t domid,
                    enum xsd_quota q, unsigned long wanted)
{
    unsigned long limit = s->quota[q];

    if (!c || c->privileged || limit == 0 || wanted <= limit)
        return 0;
    xsd_quota_refused(s, domid, q, wanted);
    return xsd_quota_info[q].err;
}
