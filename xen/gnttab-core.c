#include "config.h"

#include <stdint.h>

#include "gnttab-core.h"

int gnttab_pin_entry(grant_entry_v1_t *e, struct gnttab_active *a, domid_t mapper,
                     bool readonly, uint64_t *frame)
{
    if ((readonly ? a->pin_ro : a->pin_rw) == UINT16_MAX)
        return GNTST_no_space;
    for (;;) {
        uint16_t flags = __atomic_load_n(&e->flags, __ATOMIC_SEQ_CST);
        domid_t domid = __atomic_load_n(&e->domid, __ATOMIC_SEQ_CST);
        if ((flags & GTF_type_mask) != GTF_permit_access || domid != mapper)
            return GNTST_permission_denied;
        if (!readonly && (flags & GTF_readonly))
            return GNTST_permission_denied;
        uint16_t want = (uint16_t)(flags | GTF_reading | (readonly ? 0 : GTF_writing));
        if (__atomic_compare_exchange_n(&e->flags, &flags, want, false, __ATOMIC_SEQ_CST,
                                        __ATOMIC_SEQ_CST))
            break;
    }
    /* The frame is read after the pin: the granter cannot change it now. */
    *frame = __atomic_load_n(&e->frame, __ATOMIC_SEQ_CST);
    if (readonly)
        a->pin_ro++;
    else
        a->pin_rw++;
    return GNTST_okay;
}

void gnttab_unpin_entry(grant_entry_v1_t *e, struct gnttab_active *a, bool readonly)
{
    if (readonly && a->pin_ro)
        a->pin_ro--;
    else if (!readonly && a->pin_rw)
        a->pin_rw--;
    if (!a->pin_rw)
        __atomic_fetch_and(&e->flags, (uint16_t)~GTF_writing, __ATOMIC_SEQ_CST);
    if (!a->pin_rw && !a->pin_ro)
        __atomic_fetch_and(&e->flags, (uint16_t)~GTF_reading, __ATOMIC_SEQ_CST);
}
