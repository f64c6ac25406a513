/* xenkvm's own guest-visible ABI, beyond Xen's public headers.
 *
 * Included by the hypervisor and by the freestanding guest kit, so it holds
 * only #defines.
 *
 * Hypercall page: one 32-byte stub per hypercall number (128 stubs):
 *     b8 NN NN NN NN      mov  $nr, %eax
 *     e7 XK_HCALL_PORT    out  %eax, $XK_HCALL_PORT
 *     c3                  ret
 *     cc ...              int3 padding
 * The stub for __HYPERVISOR_iret (23) is ud2 (0f 0b).  The out leaves the
 * guest; xen performs the hypercall named by %eax with the arguments of the
 * current mode's ABI and returns the result in %rax/%eax.
 */
#ifndef XK_ABI_H
#define XK_ABI_H

#define XK_HCALL_PORT           0xe3
#define XK_HCALL_STUB_SIZE      32
#define XK_HCALL_STUB_PORT_OFF  6      /* offset of the port byte in a stub */
#define XK_HCALL_MSR            0x40000000u

/* A port nobody claims, for benchmark floors. */
#define XK_UNCLAIMED_PORT       0xe4

/* Debug console ports: a byte written appends to the domain's console log. */
#define XK_DEBUGCON_PORT        0xe9
#define XK_DEBUGCON_PORT2       0x12

/* Xen's CPUID leaves start here (no Viridian leaves are offered). */
#define XK_CPUID_BASE           0x40000000u

/* Guest-physical layout of a PVH domain built by libxc. */
#define XK_SPECIAL_PFN_BASE     0xfeff8u   /* 8 special pages up to 0xff000 */
#define XK_SPECIAL_PFN(x)       (XK_SPECIAL_PFN_BASE + (x))
#define XK_SPECIAL_XENSTORE     4          /* pfn 0xfeffc */
#define XK_SPECIAL_CONSOLE      7          /* pfn 0xfefff */
#define XK_NR_SPECIAL_PAGES     8
#define XK_LAPIC_BASE           0xfee00000u
#define XK_MMIO_HOLE_START      0xf0000000u

#endif
