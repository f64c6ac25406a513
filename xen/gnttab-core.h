/* Grant entry validation and pin counts (pure; unit tested).
 *
 * An entry is pinned while a mapping or a copy uses it: pinning checks
 * that the entry grants access to the asking domain (and write access
 * when asked), sets GTF_reading (and GTF_writing) with compare-and-swap
 * against a guest that may rewrite the entry concurrently, and counts
 * the pin; the last unpin of a kind clears its bit. */
#ifndef XK_GNTTAB_CORE_H
#define XK_GNTTAB_CORE_H

#include <stdbool.h>
#include <stdint.h>

#include <xen/xen.h>
#include <xen/grant_table.h>

struct gnttab_active {
    uint16_t pin_rw;
    uint16_t pin_ro;
};

/* Returns GNTST_okay (and the granted frame) or a GNTST_* error. */
int gnttab_pin_entry(grant_entry_v1_t *e, struct gnttab_active *a, domid_t mapper,
                     bool readonly, uint64_t *frame);
void gnttab_unpin_entry(grant_entry_v1_t *e, struct gnttab_active *a, bool readonly);

#endif
