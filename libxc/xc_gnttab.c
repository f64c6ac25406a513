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

int xengnttab_grant_copy(xengnttab_handle *h, uint32_t count,
                         xengnttab_grant_copy_segment_t *segs)
{
    for (uint32_t i = 0; i < count; i++) {
        xengnttab_grant_copy_segment_t *s = &segs[i];
        bool to_guest = s->flags & GNTCOPY_dest_gref;
        struct xk_ctl_gnttab g = { .d = s->len };
        int rc;

        if (!!(s->flags & GNTCOPY_source_gref) == to_guest ||
            (s->flags & ~(GNTCOPY_source_gref | GNTCOPY_dest_gref))) {
            s->status = GNTST_general_error;   /* one local side, one grant */
            continue;
        }
        if (to_guest) {
            g.cmd = XK_GNTTAB_COPY_TO;
            g.domid = s->dest.foreign.domid;
            g.ref = s->dest.foreign.ref;
            g.c = s->dest.foreign.offset;
            rc = xc_ctl(h->xch, XK_CTL_GNTTAB_OP, &g, sizeof(g), s->source.virt, s->len, NULL, 0,
                        NULL, NULL);
        } else {
            g.cmd = XK_GNTTAB_COPY_FROM;
            g.domid = s->source.foreign.domid;
            g.ref = s->source.foreign.ref;
            g.c = s->source.foreign.offset;
            rc = xc_ctl(h->xch, XK_CTL_GNTTAB_OP, &g, sizeof(g), NULL, 0, s->dest.virt, s->len,
                        NULL, NULL);
        }
        if (rc == 0)
            s->status = GNTST_okay;
        else if (errno == ESRCH)
            s->status = GNTST_bad_domain;
        else if (errno == EINVAL)
            s->status = GNTST_bad_copy_arg;
        else
            s->status = GNTST_permission_denied;
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
