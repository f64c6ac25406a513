/* Grant tables, v1: our table (frames placed with XENMEM_add_to_physmap),
 * granting and revoking, and the mapping and copy ops on other domains'
 * grants. */
#include "kit.h"

#include <xen/memory.h>

#define ENTRIES_PER_FRAME (KIT_PAGE_SIZE / sizeof(grant_entry_v1_t))
#define MAX_FRAMES 32

static grant_entry_v1_t *table;
static unsigned int nr_entries;

long kit_gnttab_init(unsigned int nr_frames, int16_t *status,
                     const char **step)
{
    struct gnttab_query_size q = {.dom = DOMID_SELF};
    char *frames;
    unsigned int i;
    long rc;

    *status = GNTST_okay;
    if (table)
        return 0;
    if (step)
        *step = "the number of frames (1..32)";
    if (nr_frames == 0 || nr_frames > MAX_FRAMES)
        return -XEN_EINVAL;
    if (step)
        *step = "GNTTABOP_query_size";
    rc = HYPERVISOR_grant_table_op(GNTTABOP_query_size, &q, 1);
    if (rc)
        return rc;
    if (q.status) {
        *status = q.status;
        return -XEN_EINVAL;
    }
    if (step)
        *step = "max_nr_frames";
    if (q.max_nr_frames < nr_frames)
        return -XEN_ENOSPC;
    if (q.nr_frames < nr_frames) {
        xen_pfn_t list[MAX_FRAMES];
        struct gnttab_setup_table st = {
            .dom = DOMID_SELF,
            .nr_frames = nr_frames,
        };

        if (step)
            *step = "GNTTABOP_setup_table";
        set_xen_guest_handle(st.frame_list, list);
        rc = HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &st, 1);
        if (rc)
            return rc;
        if (st.status) {
            *status = st.status;
            return -XEN_EINVAL;
        }
    }
    if (step)
        *step = "XENMEM_add_to_physmap(XENMAPSPACE_grant_table)";
    frames = kit_page_alloc(nr_frames);
    for (i = 0; i < nr_frames; i++) {
        struct xen_add_to_physmap xatp = {
            .domid = DOMID_SELF,
            .space = XENMAPSPACE_grant_table,
            .idx = i,
            .gpfn = ((uintptr_t)frames >> KIT_PAGE_SHIFT) + i,
        };

        rc = HYPERVISOR_memory_op(XENMEM_add_to_physmap, &xatp);
        if (rc)
            return rc;
    }
    table = (grant_entry_v1_t *)(void *)frames;
    nr_entries = nr_frames * ENTRIES_PER_FRAME;
    if (step)
        *step = NULL;
    return 0;
}

unsigned int kit_gnttab_nr_entries(void)
{
    return nr_entries;
}

volatile grant_entry_v1_t *kit_gnttab_entry(grant_ref_t ref)
{
    return ref < nr_entries ? &table[ref] : NULL;
}

long kit_gnttab_grant_ref(grant_ref_t ref, domid_t dom, uint64_t gfn,
                          int readonly)
{
    volatile grant_entry_v1_t *e = kit_gnttab_entry(ref);

    if (!e || gfn > UINT32_MAX)
        return -XEN_EINVAL;
    e->domid = dom;
    e->frame = (uint32_t)gfn;
    kit_barrier(); /* x86 keeps stores in order: flags become visible last */
    e->flags = (uint16_t)(GTF_permit_access | (readonly ? GTF_readonly : 0));
    return 0;
}

long kit_gnttab_grant(domid_t dom, uint64_t gfn, int readonly)
{
    grant_ref_t ref;

    for (ref = KIT_GNTTAB_FIRST_REF; ref < nr_entries; ref++)
        if (table[ref].flags == 0) {
            long rc = kit_gnttab_grant_ref(ref, dom, gfn, readonly);

            return rc ? rc : (long)ref;
        }
    return -XEN_ENOSPC;
}

long kit_gnttab_revoke(grant_ref_t ref)
{
    volatile grant_entry_v1_t *e = kit_gnttab_entry(ref);
    uint16_t flags;

    if (!e)
        return -XEN_EINVAL;
    flags = e->flags;
    do {
        if (flags & (GTF_reading | GTF_writing))
            return -XEN_EBUSY;
    } while (!__atomic_compare_exchange_n(&e->flags, &flags, 0, 0,
                                          __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
    e->frame = 0;
    e->domid = 0;
    return 0;
}

long kit_gnttab_map(domid_t dom, grant_ref_t ref, uint64_t gpa, int readonly,
                    int16_t *status, grant_handle_t *handle)
{
    struct gnttab_map_grant_ref op = {
        .host_addr = gpa,
        .flags = GNTMAP_host_map | (readonly ? GNTMAP_readonly : 0),
        .ref = ref,
        .dom = dom,
    };
    long rc = HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, &op, 1);

    *status = rc ? GNTST_general_error : op.status;
    *handle = op.handle;
    return rc;
}

long kit_gnttab_unmap(uint64_t gpa, grant_handle_t handle, int16_t *status)
{
    struct gnttab_unmap_grant_ref op = {
        .host_addr = gpa,
        .dev_bus_addr = 0,
        .handle = handle,
    };
    long rc = HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, &op, 1);

    *status = rc ? GNTST_general_error : op.status;
    return rc;
}

static long copy_one(struct gnttab_copy *op, int16_t *status)
{
    long rc = HYPERVISOR_grant_table_op(GNTTABOP_copy, op, 1);

    *status = rc ? GNTST_general_error : op->status;
    return rc;
}

long kit_gnttab_copy_from(domid_t dom, grant_ref_t ref, unsigned int src_off,
                          uint64_t gfn, unsigned int dst_off,
                          unsigned int len, int16_t *status)
{
    struct gnttab_copy op;

    memset(&op, 0, sizeof(op));
    op.source.u.ref = ref;
    op.source.domid = dom;
    op.source.offset = (uint16_t)src_off;
    op.dest.u.gmfn = gfn;
    op.dest.domid = DOMID_SELF;
    op.dest.offset = (uint16_t)dst_off;
    op.len = (uint16_t)len;
    op.flags = GNTCOPY_source_gref;
    return copy_one(&op, status);
}

long kit_gnttab_copy_to(domid_t dom, grant_ref_t ref, unsigned int dst_off,
                        uint64_t gfn, unsigned int src_off, unsigned int len,
                        int16_t *status)
{
    struct gnttab_copy op;

    memset(&op, 0, sizeof(op));
    op.source.u.gmfn = gfn;
    op.source.domid = DOMID_SELF;
    op.source.offset = (uint16_t)src_off;
    op.dest.u.ref = ref;
    op.dest.domid = dom;
    op.dest.offset = (uint16_t)dst_off;
    op.len = (uint16_t)len;
    op.flags = GNTCOPY_dest_gref;
    return copy_one(&op, status);
}

const char *kit_gntst_name(int16_t status)
{
    switch (status) {
#define N(x)                                                                   \
    case x:                                                                    \
        return #x;
        N(GNTST_okay)
        N(GNTST_general_error)
        N(GNTST_bad_domain)
        N(GNTST_bad_gntref)
        N(GNTST_bad_handle)
        N(GNTST_bad_virt_addr)
        N(GNTST_bad_dev_addr)
        N(GNTST_no_device_space)
        N(GNTST_permission_denied)
        N(GNTST_bad_page)
        N(GNTST_bad_copy_arg)
        N(GNTST_address_too_big)
        N(GNTST_eagain)
        N(GNTST_no_space)
#undef N
    default:
        return "GNTST_?";
    }
}
