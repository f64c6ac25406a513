/* Hypercalls through the hypercall page (64-bit ABI: number in the stub,
 * arguments in rdi, rsi, rdx, r10, r8, result in rax, negative Xen errno on
 * failure).  A hypercall may clobber its own argument registers, so every
 * argument is an in/out operand.
 *
 * HYPERVISOR_<name>() wrappers keep Xen's names and argument order.  They
 * must only be used after kit_xen_init() (the kit calls it before
 * guest_main()). */
#ifndef KIT_HYPERCALL_H
#define KIT_HYPERCALL_H

#include <stdint.h>
#include <xen/xen.h>
#include "xk-abi.h"

/* Filled by the hypervisor when kit_xen_init() writes its address to the
 * hypercall MSR. */
extern char hypercall_page[4096];

#define KIT_HCALL_OFF(nr) ((nr)*XK_HCALL_STUB_SIZE)

#define KIT_HCALL1(nr, a1)                                                     \
    ({                                                                         \
        register unsigned long _a1 __asm__("rdi") = (unsigned long)(a1);       \
        long _ret;                                                             \
        __asm__ volatile("call hypercall_page + %c[off]"                       \
                         : "=a"(_ret), "+r"(_a1)                               \
                         : [off] "i"(KIT_HCALL_OFF(nr))                        \
                         : "memory");                                          \
        _ret;                                                                  \
    })

#define KIT_HCALL2(nr, a1, a2)                                                 \
    ({                                                                         \
        register unsigned long _a1 __asm__("rdi") = (unsigned long)(a1);       \
        register unsigned long _a2 __asm__("rsi") = (unsigned long)(a2);       \
        long _ret;                                                             \
        __asm__ volatile("call hypercall_page + %c[off]"                       \
                         : "=a"(_ret), "+r"(_a1), "+r"(_a2)                    \
                         : [off] "i"(KIT_HCALL_OFF(nr))                        \
                         : "memory");                                          \
        _ret;                                                                  \
    })

#define KIT_HCALL3(nr, a1, a2, a3)                                             \
    ({                                                                         \
        register unsigned long _a1 __asm__("rdi") = (unsigned long)(a1);       \
        register unsigned long _a2 __asm__("rsi") = (unsigned long)(a2);       \
        register unsigned long _a3 __asm__("rdx") = (unsigned long)(a3);       \
        long _ret;                                                             \
        __asm__ volatile("call hypercall_page + %c[off]"                       \
                         : "=a"(_ret), "+r"(_a1), "+r"(_a2), "+r"(_a3)         \
                         : [off] "i"(KIT_HCALL_OFF(nr))                        \
                         : "memory");                                          \
        _ret;                                                                  \
    })

#define KIT_HCALL4(nr, a1, a2, a3, a4)                                         \
    ({                                                                         \
        register unsigned long _a1 __asm__("rdi") = (unsigned long)(a1);       \
        register unsigned long _a2 __asm__("rsi") = (unsigned long)(a2);       \
        register unsigned long _a3 __asm__("rdx") = (unsigned long)(a3);       \
        register unsigned long _a4 __asm__("r10") = (unsigned long)(a4);       \
        long _ret;                                                             \
        __asm__ volatile("call hypercall_page + %c[off]"                       \
                         : "=a"(_ret), "+r"(_a1), "+r"(_a2), "+r"(_a3),        \
                           "+r"(_a4)                                           \
                         : [off] "i"(KIT_HCALL_OFF(nr))                        \
                         : "memory");                                          \
        _ret;                                                                  \
    })

#define KIT_HCALL5(nr, a1, a2, a3, a4, a5)                                     \
    ({                                                                         \
        register unsigned long _a1 __asm__("rdi") = (unsigned long)(a1);       \
        register unsigned long _a2 __asm__("rsi") = (unsigned long)(a2);       \
        register unsigned long _a3 __asm__("rdx") = (unsigned long)(a3);       \
        register unsigned long _a4 __asm__("r10") = (unsigned long)(a4);       \
        register unsigned long _a5 __asm__("r8") = (unsigned long)(a5);        \
        long _ret;                                                             \
        __asm__ volatile("call hypercall_page + %c[off]"                       \
                         : "=a"(_ret), "+r"(_a1), "+r"(_a2), "+r"(_a3),        \
                           "+r"(_a4), "+r"(_a5)                                \
                         : [off] "i"(KIT_HCALL_OFF(nr))                        \
                         : "memory");                                          \
        _ret;                                                                  \
    })

/* Any stub of the page, chosen at run time (nr < 128).  Stub 23 (iret) is a
 * ud2: calling it raises #UD. */
static inline long kit_hypercall(unsigned int nr, unsigned long a1,
                                 unsigned long a2, unsigned long a3,
                                 unsigned long a4, unsigned long a5)
{
    register unsigned long r1 __asm__("rdi") = a1;
    register unsigned long r2 __asm__("rsi") = a2;
    register unsigned long r3 __asm__("rdx") = a3;
    register unsigned long r4 __asm__("r10") = a4;
    register unsigned long r5 __asm__("r8") = a5;
    long ret;

    __asm__ volatile(
        "call *%[stub]"
        : "=a"(ret), "+r"(r1), "+r"(r2), "+r"(r3), "+r"(r4), "+r"(r5)
        : [stub] "r"(hypercall_page + (unsigned long)nr * XK_HCALL_STUB_SIZE)
        : "memory");
    return ret;
}

/* xenkvm's transport without the page: eax = any 32-bit number, then the
 * port write the stubs use.  For numbers the page has no stub for. */
static inline long kit_hypercall_port(uint32_t nr, unsigned long a1,
                                      unsigned long a2, unsigned long a3,
                                      unsigned long a4, unsigned long a5)
{
    register unsigned long r1 __asm__("rdi") = a1;
    register unsigned long r2 __asm__("rsi") = a2;
    register unsigned long r3 __asm__("rdx") = a3;
    register unsigned long r4 __asm__("r10") = a4;
    register unsigned long r5 __asm__("r8") = a5;
    long ret = nr;

    __asm__ volatile("outl %%eax, %[port]"
                     : "+a"(ret), "+r"(r1), "+r"(r2), "+r"(r3), "+r"(r4),
                       "+r"(r5)
                     : [port] "i"(XK_HCALL_PORT)
                     : "memory");
    return ret;
}

#define HYPERVISOR_memory_op(cmd, arg)                                         \
    KIT_HCALL2(__HYPERVISOR_memory_op, (cmd), (arg))
#define HYPERVISOR_multicall(calls, nr)                                        \
    KIT_HCALL2(__HYPERVISOR_multicall, (calls), (nr))
#define HYPERVISOR_set_timer_op(timeout)                                       \
    KIT_HCALL1(__HYPERVISOR_set_timer_op, (timeout))
#define HYPERVISOR_xen_version(cmd, arg)                                       \
    KIT_HCALL2(__HYPERVISOR_xen_version, (cmd), (arg))
#define HYPERVISOR_console_io(cmd, count, buf)                                 \
    KIT_HCALL3(__HYPERVISOR_console_io, (cmd), (count), (buf))
#define HYPERVISOR_grant_table_op(cmd, uop, count)                             \
    KIT_HCALL3(__HYPERVISOR_grant_table_op, (cmd), (uop), (count))
#define HYPERVISOR_vcpu_op(cmd, vcpuid, arg)                                   \
    KIT_HCALL3(__HYPERVISOR_vcpu_op, (cmd), (vcpuid), (arg))
#define HYPERVISOR_sched_op(cmd, arg)                                          \
    KIT_HCALL2(__HYPERVISOR_sched_op, (cmd), (arg))
#define HYPERVISOR_event_channel_op(cmd, arg)                                  \
    KIT_HCALL2(__HYPERVISOR_event_channel_op, (cmd), (arg))
#define HYPERVISOR_physdev_op(cmd, arg)                                        \
    KIT_HCALL2(__HYPERVISOR_physdev_op, (cmd), (arg))
#define HYPERVISOR_hvm_op(cmd, arg)                                            \
    KIT_HCALL2(__HYPERVISOR_hvm_op, (cmd), (arg))

#endif
