/* x86-64 helpers for guests of the kit: port I/O, CPUID, MSRs, TSC, control
 * registers.  Everything here is a single instruction or close to it. */
#ifndef KIT_ARCH_H
#define KIT_ARCH_H

#include <stdint.h>

/* Segment selectors of the kit's GDT (see entry.S). */
#define KIT_CS 0x08
#define KIT_DS 0x10

#define KIT_PAGE_SIZE 4096ul
#define KIT_PAGE_SHIFT 12

struct kit_cpuid {
    uint32_t eax, ebx, ecx, edx;
};

static inline struct kit_cpuid kit_cpuid(uint32_t leaf, uint32_t subleaf)
{
    struct kit_cpuid r;

    __asm__ volatile("cpuid"
                     : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
                     : "a"(leaf), "c"(subleaf));
    return r;
}

static inline void kit_wrmsr(uint32_t msr, uint64_t val)
{
    __asm__ volatile("wrmsr"
                     :
                     : "c"(msr), "a"((uint32_t)val), "d"((uint32_t)(val >> 32))
                     : "memory");
}

static inline uint64_t kit_rdmsr(uint32_t msr)
{
    uint32_t lo, hi;

    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t kit_rdtsc(void)
{
    uint32_t lo, hi;

    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static inline void kit_outb(uint16_t port, uint8_t val)
{
    __asm__ volatile("outb %0, %1" : : "a"(val), "Nd"(port));
}

static inline void kit_outl(uint16_t port, uint32_t val)
{
    __asm__ volatile("outl %0, %1" : : "a"(val), "Nd"(port));
}

static inline uint8_t kit_inb(uint16_t port)
{
    uint8_t v;

    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

/* Writes n bytes to one port with a single string instruction (fewest
 * guest instructions; KVM still exits once per byte). */
static inline void kit_outsb(uint16_t port, const void *buf, unsigned long n)
{
    __asm__ volatile("rep outsb" : "+S"(buf), "+c"(n) : "d"(port) : "memory");
}

static inline uint64_t kit_read_cr2(void)
{
    uint64_t v;

    __asm__ volatile("mov %%cr2, %0" : "=r"(v));
    return v;
}

static inline uint64_t kit_read_cr3(void)
{
    uint64_t v;

    __asm__ volatile("mov %%cr3, %0" : "=r"(v));
    return v;
}

static inline void kit_cli(void)
{
    __asm__ volatile("cli" : : : "memory");
}
static inline void kit_sti(void)
{
    __asm__ volatile("sti" : : : "memory");
}
static inline void kit_pause(void)
{
    __asm__ volatile("pause");
}

/* sti takes effect after the next instruction, so no interrupt can slip in
 * between the two: the vCPU sleeps until an interrupt arrives. */
static inline void kit_sti_hlt(void)
{
    __asm__ volatile("sti; hlt" : : : "memory");
}
static inline void kit_cli_hlt(void)
{
    __asm__ volatile("cli; hlt" : : : "memory");
}

static inline unsigned long kit_save_flags(void)
{
    unsigned long f;

    __asm__ volatile("pushfq; popq %0" : "=r"(f) : : "memory");
    return f;
}

#define KIT_RFLAGS_IF (1ul << 9)

/* --- atomics and barriers (x86-64: stores are not reordered with other
 * stores, loads not with other loads; the lock prefix orders everything) --- */

#define kit_barrier() __asm__ volatile("" : : : "memory")
/* Full fence without SSE2's mfence: a locked no-op on the stack. */
static inline void kit_mb(void)
{
    __asm__ volatile("lock orq $0, (%%rsp)" : : : "memory", "cc");
}

/* Atomically sets/clears bit `bit` (< 64) of *w; returns its old value. */
static inline int kit_test_and_set_bit(volatile uint64_t *w, unsigned int bit)
{
    unsigned char old;

    __asm__ volatile("lock btsq %2, %0; setc %1"
                     : "+m"(*w), "=q"(old)
                     : "r"((uint64_t)bit)
                     : "memory", "cc");
    return old;
}
static inline int kit_test_and_clear_bit(volatile uint64_t *w, unsigned int bit)
{
    unsigned char old;

    __asm__ volatile("lock btrq %2, %0; setc %1"
                     : "+m"(*w), "=q"(old)
                     : "r"((uint64_t)bit)
                     : "memory", "cc");
    return old;
}

/* A spinlock for the few kit structures vCPUs share (0: free). */
static inline void kit_spin_lock(volatile int *l)
{
    while (__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE))
        while (*l)
            __asm__ volatile("pause");
}
static inline void kit_spin_unlock(volatile int *l)
{
    __atomic_store_n(l, 0, __ATOMIC_RELEASE);
}

/* --- local APIC (xAPIC MMIO, identity-mapped by the kit) --- */

#define KIT_LAPIC_BASE 0xfee00000ul
#define KIT_LAPIC_ID 0x20
#define KIT_LAPIC_EOI 0xb0
#define KIT_LAPIC_SVR 0xf0
#define KIT_LAPIC_ICR_LO 0x300
#define KIT_LAPIC_ICR_HI 0x310
#define KIT_LAPIC_SVR_ENABLE 0x100
#define KIT_LAPIC_ICR_BUSY (1u << 12)

static inline uint32_t kit_lapic_read(uint32_t reg)
{
    return *(volatile uint32_t *)(KIT_LAPIC_BASE + reg);
}
static inline void kit_lapic_write(uint32_t reg, uint32_t val)
{
    *(volatile uint32_t *)(KIT_LAPIC_BASE + reg) = val;
}

#endif
