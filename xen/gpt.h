/* Guest linear address translation: a walk of the guest's page tables, as
 * the processor would do it, for every x86 paging mode (none, 32-bit,
 * PAE, 4-level and 5-level).  Used to follow hypercall pointer arguments.
 *
 * Pure logic: guest-physical memory is reached through a callback, so unit
 * tests drive it with a fake memory.
 */
#ifndef XK_GPT_H
#define XK_GPT_H

#include <stdbool.h>
#include <stdint.h>

struct gpt_regs {
    uint64_t cr0, cr3, cr4, efer;
};

#define GPT_WRITE 1u     /* the access writes */
#define GPT_USER  2u     /* the access is made with CPL 3 */

/* Returns a host pointer to `len` bytes of guest-physical memory at gpa, or
 * NULL when gpa is not RAM. */
typedef void *(*gpt_map_fn)(void *ctx, uint64_t gpa, unsigned len);

/* Translates linear address la.  On success returns 0 and the physical
 * address in *gpa, and the accessed (and, for writes, dirty) bits are set
 * in the entries walked, as the processor does.  Returns -EFAULT for a
 * non-canonical address, a missing or reserved-bit entry, a permission
 * failure, or page tables outside RAM. */
int gpt_translate(const struct gpt_regs *r, uint64_t la, unsigned access,
                  gpt_map_fn map, void *ctx, uint64_t *gpa);

/* The paging mode in effect, for logs: "none", "32-bit", "pae", "4-level", "5-level". */
const char *gpt_mode_name(const struct gpt_regs *r);

/* True when la is canonical for the mode (always true outside long mode). */
bool gpt_canonical(const struct gpt_regs *r, uint64_t la);

#endif
