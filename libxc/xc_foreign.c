/* Foreign mappings: guest pages mapped into this process, from the
 * domain's memory file that xen passes over the control socket. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "xc_private.h"

void *xc_map_foreign_bulk(xc_interface *xch, uint32_t dom, int prot, const xen_pfn_t *arr,
                          int *err, unsigned int num)
{
    size_t len = (size_t)num << XC_PAGE_SHIFT;
    int64_t *offs = NULL;
    uint8_t *base;
    unsigned int done = 0;
    int fd = -1, saved;

    if (num == 0 || (prot & ~(PROT_READ | PROT_WRITE))) {
        errno = EINVAL;
        return NULL;
    }
    offs = malloc(sizeof(*offs) * XK_CTL_MAX_MAP);
    if (!offs)
        return NULL;
    /* Reserve the whole range first; pages that fail stay inaccessible. */
    base = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED) {
        free(offs);
        return NULL;
    }
    while (done < num) {
        unsigned int n = num - done < XK_CTL_MAX_MAP ? num - done : XK_CTL_MAX_MAP;
        struct xk_ctl_map req = { .domid = dom, .nr = n, .prot = (uint32_t)prot };
        uint64_t *gfns = malloc(n * sizeof(uint64_t));
        size_t got = 0;
        int rc;

        if (!gfns)
            goto fail;
        for (unsigned int i = 0; i < n; i++)
            gfns[i] = arr[done + i];
        rc = xc_ctl(xch, XK_CTL_MAP_FOREIGN, &req, sizeof(req), gfns, n * sizeof(uint64_t),
                    offs, n * sizeof(*offs), &got, &fd);
        free(gfns);
        if (rc < 0)
            goto fail;
        if (got != n * sizeof(*offs) || fd < 0) {
            errno = EPROTO;
            goto fail;
        }
        /* Map runs of pages that are contiguous in the file in one go. */
        for (unsigned int i = 0; i < n;) {
            unsigned int j = i + 1;
            if (offs[i] < 0) {
                err[done + i] = (int)offs[i];
                i++;
                continue;
            }
            while (j < n && offs[j] == offs[j - 1] + (int64_t)XC_PAGE_SIZE)
                j++;
            void *p = mmap(base + ((size_t)(done + i) << XC_PAGE_SHIFT),
                           (size_t)(j - i) << XC_PAGE_SHIFT, prot, MAP_SHARED | MAP_FIXED, fd,
                           (off_t)offs[i]);
            for (unsigned int k = i; k < j; k++)
                err[done + k] = p == MAP_FAILED ? -errno : 0;
            i = j;
        }
        close(fd);
        fd = -1;
        done += n;
    }
    free(offs);
    return base;

fail:
    saved = errno;
    if (fd >= 0)
        close(fd);
    munmap(base, len);
    free(offs);
    errno = saved;
    return NULL;
}

void *xc_map_foreign_pages(xc_interface *xch, uint32_t dom, int prot, const xen_pfn_t *arr,
                           int num)
{
    int *err;
    void *p;

    if (num <= 0) {
        errno = EINVAL;
        return NULL;
    }
    err = calloc((size_t)num, sizeof(*err));
    if (!err)
        return NULL;
    p = xc_map_foreign_bulk(xch, dom, prot, arr, err, (unsigned int)num);
    if (p) {
        for (int i = 0; i < num; i++) {
            if (err[i]) {
                munmap(p, (size_t)num << XC_PAGE_SHIFT);
                errno = -err[i];
                p = NULL;
                break;
            }
        }
    }
    free(err);
    return p;
}

void *xc_map_foreign_range(xc_interface *xch, uint32_t dom, int size, int prot,
                           unsigned long mfn)
{
    int num = (int)(((unsigned long)size + XC_PAGE_SIZE - 1) >> XC_PAGE_SHIFT);
    xen_pfn_t *arr;
    void *p;

    if (size <= 0) {
        errno = EINVAL;
        return NULL;
    }
    arr = malloc((size_t)num * sizeof(*arr));
    if (!arr)
        return NULL;
    for (int i = 0; i < num; i++)
        arr[i] = mfn + (unsigned long)i;
    p = xc_map_foreign_pages(xch, dom, prot, arr, num);
    free(arr);
    return p;
}
