/* libxengnttab for xenkvm: dom0 processes map and copy pages that guests
 * grant them.  Shapes follow Xen's libxengnttab.  Mappings hold the
 * grant in use (GTF_reading/GTF_writing) until unmapped or until the
 * handle is closed. */
#ifndef XENGNTTAB_H
#define XENGNTTAB_H

#include <stdint.h>

#include <xen/grant_table.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct xengntdev_handle xengnttab_handle;
struct xentoollog_logger;

xengnttab_handle *xengnttab_open(struct xentoollog_logger *logger, unsigned int open_flags);
int xengnttab_close(xengnttab_handle *xgt);
/* prot: PROT_READ, or PROT_READ | PROT_WRITE. */
void *xengnttab_map_grant_ref(xengnttab_handle *xgt, uint32_t domid, uint32_t ref, int prot);
void *xengnttab_map_grant_refs(xengnttab_handle *xgt, uint32_t count, uint32_t *domids,
                               uint32_t *refs, int prot);
void *xengnttab_map_domain_grant_refs(xengnttab_handle *xgt, uint32_t count, uint32_t domid,
                                      uint32_t *refs, int prot);
int xengnttab_unmap(xengnttab_handle *xgt, void *start_address, uint32_t count);

typedef struct xengnttab_grant_copy_segment {
    union {
        void *virt;
        struct {
            uint32_t ref;
            uint16_t offset;
            uint16_t domid;
        } foreign;
    } source, dest;
    uint16_t len;
    uint16_t flags;             /* GNTCOPY_source_gref / GNTCOPY_dest_gref */
    int16_t status;             /* GNTST_* */
} xengnttab_grant_copy_segment_t;

/* Copies between guests' granted pages and this process's memory; one
 * side of each segment is a grant, the other a local pointer.  Returns 0
 * with a status per segment, or -1. */
int xengnttab_grant_copy(xengnttab_handle *xgt, uint32_t count,
                         xengnttab_grant_copy_segment_t *segs);

#ifdef __cplusplus
}
#endif

#endif
