/* Grants for dom0 processes (libxengnttab), and seeding a new guest's
 * reserved grant entries. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "xc_private.h"
#include "xengnttab.h"
#include "xenguest.h"

struct mapping {
    struct mapping *next;
    void *addr;
    uint32_t count;
    uint32_t *handles;
};

struct xengntdev_handle {
    xc_interface *xch;
    pthread_mutex_t lock;
    struct mapping *maps;
};

xengnttab_handle *xengnttab_open(struct xentoollog_logger *logger, unsigned int open_flags)
{
    xengnttab_handle *h = calloc(1, sizeof(*h));

    (void)open_flags;
    if (!h)
        return NULL;
    h->xch = xc_interface_open((xentoollog_logger *)logger, NULL, 0);
    if (!h->xch) {
        free(h);
        return NULL;
    }
    pthread_mutex_init(&h->lock, NULL);
    return h;
}

int xengnttab_close(xengnttab_handle *h)
{
    if (!h)
        return 0;
    while (h->maps) {
        struct mapping *m = h->maps;
        h->maps = m->next;
        munmap(m->addr, (size_t)m->count << XC_PAGE_SHIFT);
        free(m->handles);
        free(m);
    }
    /* Closing the connection releases every grant it still holds. */
    xc_interface_close(h->xch);
    pthread_mutex_destroy(&h->lock);
    free(h);
    return 0;
}

static int unmap_handle(xengnttab_handle *h, uint32_t handle)
{
    struct xk_ctl_gnttab g = { .cmd = XK_GNTTAB_UNMAP, .handle = handle };

    return xc_ctl(h->xch, XK_CTL_GNTTAB_OP, &g, sizeof(g), NULL, 0, NULL, 0, NULL, NULL);
}

void *xengnttab_map_grant_refs(xengnttab_handle *h, uint32_t count, uint32_t *domids,
                               uint32_t *refs, int prot)
{
    struct mapping *m = calloc(1, sizeof(*m));
    uint8_t *base = MAP_FAILED;
    uint32_t done = 0;
    int saved;

    if (!m || count == 0 || (prot & ~(PROT_READ | PROT_WRITE))) {
        free(m);
        errno = EINVAL;
        return NULL;
    }
    m->handles = calloc(count, sizeof(uint32_t));
    base = mmap(NULL, (size_t)count << XC_PAGE_SHIFT, PROT_NONE,
                MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (!m->handles || base == MAP_FAILED)
        goto fail;
    for (; done < count; done++) {
        struct xk_ctl_gnttab g = {
            .cmd = XK_GNTTAB_MAP, .domid = domids[done], .ref = refs[done],
            .flags = (prot & PROT_WRITE) ? 0 : XK_GNTTAB_READONLY,
        };
        uint64_t off;
        size_t got = 0;
        int fd = -1;
        int handle = xc_ctl(h->xch, XK_CTL_GNTTAB_OP, &g, sizeof(g), NULL, 0, &off, sizeof(off),
                            &got, &fd);
        if (handle < 0)
            goto fail;
        m->handles[done] = (uint32_t)handle;
        if (got != sizeof(off) || fd < 0 ||
            mmap(base + ((size_t)done << XC_PAGE_SHIFT), XC_PAGE_SIZE, prot,
                 MAP_SHARED | MAP_FIXED, fd, (off_t)off) == MAP_FAILED) {
            saved = errno ? errno : EPROTO;
            if (fd >= 0)
                close(fd);
            unmap_handle(h, (uint32_t)handle);
            errno = saved;
            goto fail;
        }
        close(fd);
    }
    m->addr = base;
    m->count = count;
    pthread_mutex_lock(&h->lock);
    m->next = h->maps;
    h->maps = m;
    pthread_mutex_unlock(&h->lock);
    return base;

fail:
    saved = errno;
    for (uint32_t i = 0; i < done; i++)
        unmap_handle(h, m->handles[i]);
    if (base != MAP_FAILED)
        munmap(base, (size_t)count << XC_PAGE_SHIFT);
    if (m) {
        free(m->handles);
        free(m);
    }
    errno = saved;
    return NULL;
}

void *xengnttab_map_grant_ref(xengnttab_handle *h, uint32_t domid, uint32_t ref, int prot)
{
    return xengnttab_map_grant_refs(h, 1, &domid, &ref, prot);
}

void *xengnttab_map_domain_grant_refs(xengnttab_handle *h, uint32_t count, uint32_t domid,
                                      uint32_t *refs, int prot)
{
    uint32_t *domids = malloc(count * sizeof(uint32_t));
    void *p;

    if (!domids)
        return NULL;
    for (uint32_t i = 0; i < count; i++)
        domids[i] = domid;
    p = xengnttab_map_grant_refs(h, count, domids, refs, prot);
    free(domids);
    return p;
}

int xengnttab_unmap(xengnttab_handle *h, void *start_address, uint32_t count)
{
    struct mapping **pp, *m = NULL;

    pthread_mutex_lock(&h->lock);
    for (pp = &h->maps; *pp; pp = &(*pp)->next) {
        if ((*pp)->addr == start_address && (*pp)->count == count) {
            m = *pp;
            *pp = m->next;
            break;
        }
    }
    pthread_mutex_unlock(&h->lock);
    if (!m) {
        errno = EINVAL;
        return -1;
    }
    munmap(m->addr, (size_t)count << XC_PAGE_SHIFT);
    for (uint32_t i = 0; i < count; i++)
        unmap_handle(h, m->handles[i]);
    free(m->handles);
    free(m);
    return 0;
}

/* Sends segs[idx[0..n)] as one XK_GNTTAB_COPY_BATCH and sets their
 * statuses; -1 with errno when xen refused the message as a whole. */
static int copy_batch(xengnttab_handle *h, xengnttab_grant_copy_segment_t *segs,
                      const uint32_t *idx, uint32_t n, size_t to_bytes, size_t from_bytes)
{
    struct xk_ctl_gnttab g = { .cmd = XK_GNTTAB_COPY_BATCH, .d = n };
    size_t in_len = n * sizeof(struct xk_ctl_gnt_seg) + to_bytes;
    size_t out_len = n * sizeof(int16_t) + from_bytes, got = 0;
    uint8_t *in = malloc(in_len), *out = malloc(out_len);
    int rc = -1;

    if (!in || !out) {
        errno = ENOMEM;
        goto done;
    }
    uint8_t *bytes = in + n * sizeof(struct xk_ctl_gnt_seg);
    for (uint32_t i = 0; i < n; i++) {
        xengnttab_grant_copy_segment_t *s = &segs[idx[i]];
        bool to = s->flags & GNTCOPY_dest_gref;
        struct xk_ctl_gnt_seg sg = {
            .domid = to ? s->dest.foreign.domid : s->source.foreign.domid,
            .ref = to ? s->dest.foreign.ref : s->source.foreign.ref,
            .offset = to ? s->dest.foreign.offset : s->source.foreign.offset,
            .len = s->len,
            .to_guest = to,
        };
        memcpy(in + i * sizeof(sg), &sg, sizeof(sg));
        if (to) {
            memcpy(bytes, s->source.virt, s->len);
            bytes += s->len;
        }
    }
    if (xc_ctl(h->xch, XK_CTL_GNTTAB_OP, &g, sizeof(g), in, in_len, out, out_len, &got, NULL) < 0)
        goto done;
    if (got != out_len) {
        errno = EPROTO;
        goto done;
    }
    bytes = out + n * sizeof(int16_t);
    for (uint32_t i = 0; i < n; i++) {
        xengnttab_grant_copy_segment_t *s = &segs[idx[i]];
        int16_t st;
        memcpy(&st, out + i * sizeof(st), sizeof(st));
        s->status = st;
        if (!(s->flags & GNTCOPY_dest_gref)) {
            if (st == GNTST_okay)
                memcpy(s->dest.virt, bytes, s->len);
            bytes += s->len;
        }
    }
    rc = 0;
done:
    free(in);
    free(out);
    return rc;
}

/* Segments go to xen in batches, as many as fit in one message each. */
int xengnttab_grant_copy(xengnttab_handle *h, uint32_t count,
                         xengnttab_grant_copy_segment_t *segs)
{
    uint32_t idx[XK_GNTTAB_COPY_MAX_SEGS], n = 0;
    size_t to_bytes = 0, from_bytes = 0;
    const size_t room = XK_CTL_MAX_PAYLOAD - sizeof(struct xk_ctl_gnttab);

    for (uint32_t i = 0; i <= count; i++) {
        xengnttab_grant_copy_segment_t *s = i < count ? &segs[i] : NULL;
        bool to = s && (s->flags & GNTCOPY_dest_gref);
        size_t len = s ? s->len : 0;

        if (s && (!!(s->flags & GNTCOPY_source_gref) == to ||
                  (s->flags & ~(GNTCOPY_source_gref | GNTCOPY_dest_gref)))) {
            s->status = GNTST_general_error;   /* one local side, one grant */
            continue;
        }
        if (s && len > XC_PAGE_SIZE) {
            s->status = GNTST_bad_copy_arg;
            continue;
        }
        /* flush before this segment would overflow either message */
        if (n && (!s || n == XK_GNTTAB_COPY_MAX_SEGS ||
                  (n + 1) * sizeof(struct xk_ctl_gnt_seg) + to_bytes + (to ? len : 0) > room ||
                  (n + 1) * sizeof(int16_t) + from_bytes + (to ? 0 : len) > room)) {
            if (copy_batch(h, segs, idx, n, to_bytes, from_bytes) < 0)
                return -1;
            n = 0;
            to_bytes = from_bytes = 0;
        }
        if (!s)
            break;
        idx[n++] = i;
        if (to)
            to_bytes += len;
        else
            from_bytes += len;
    }
    return 0;
}

int xc_dom_gnttab_seed(xc_interface *xch, uint32_t guest_domid, bool is_hvm,
                       xen_pfn_t console_gfn, xen_pfn_t xenstore_gfn, uint32_t console_domid,
                       uint32_t xenstore_domid)
{
    struct xk_ctl_gnttab g = {
        .cmd = XK_GNTTAB_SEED, .domid = guest_domid, .a = console_gfn, .b = xenstore_gfn,
        .c = console_domid, .d = xenstore_domid,
    };

    (void)is_hvm;
    return xc_ctl(xch, XK_CTL_GNTTAB_OP, &g, sizeof(g), NULL, 0, NULL, 0, NULL, NULL) < 0 ? -1 : 0;
}
