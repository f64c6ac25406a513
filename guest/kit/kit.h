/* The xenkvm guest kit: everything a freestanding PVH test guest needs.
 *
 * A guest defines guest_main(); the kit enters it in 64-bit long mode with
 * the low 4 GiB identity-mapped (2 MiB pages), its GDT and IDT loaded,
 * interrupts disabled, and the hypercall page ready.  Returning 0 powers the
 * domain off, anything else crashes it.  See guest/README.md. */
#ifndef KIT_H
#define KIT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <xen/xen.h>
#include <xen/arch-x86/hvm/start_info.h>

#include "xk-abi.h"
#include "arch.h"
#include "hypercall.h"
#include "printf.h"

#define KIT_NORETURN __attribute__((noreturn))
#define KIT_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define KIT_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Provided by the guest. */
int guest_main(void);

/* --- boot (start.c) --- */

/* The start info the builder passed in ebx, or NULL when its magic was
 * wrong.  It lives in guest RAM the kit does not own: read what you need
 * before overwriting memory outside the image. */
extern const struct hvm_start_info *kit_start_info;

/* First and last+1 byte of the loaded image (page-aligned end, .bss
 * included); everything else in RAM is free for the guest.  __kit_etext
 * ends the read-only part (code, constants, notes). */
extern char __kit_start[], __kit_etext[], __kit_end[];

/* End of the RAM that starts at 0 (highest RAM entry of the memory map
 * below 4 GiB), or 0 when the builder gave no memory map. */
uint64_t kit_ram_end(void);

/* --- command line (cmdline.c): "key=value key2=value2 ..." --- */

/* The command line, "" when there is none. */
const char *kit_cmdline(void);
/* The value of key (length in *len, not NUL-terminated; a bare "key" word
 * gives length 0), or NULL. */
const char *kit_cmdline_get(const char *key, size_t *len);
/* Parses key as a decimal or 0x-hex number into *val; returns 0, or -1 when
 * the key is missing or its value is not a number (*val unchanged). */
int kit_cmdline_u64(const char *key, uint64_t *val);

/* --- the hypervisor (xen.c) --- */

/* CPUID detection and hypercall page set-up; done by the kit before
 * guest_main(), crashes the domain when no Xen leaves are found. */
void kit_xen_init(void);
/* Base of the Xen CPUID leaves, 0 before kit_xen_init(). */
extern uint32_t kit_cpuid_base;
/* Nonzero once the hypercall page is usable. */
extern int kit_hcall_ready;
/* Xen version from CPUID (major << 16 | minor). */
uint32_t kit_xen_version(void);
/* Domain id and vCPU id from the HVM CPUID leaf, -1 when not offered. */
int kit_domid(void);
int kit_vcpu_id(void);
/* Guest TSC frequency in kHz from CPUID, 0 when unknown. */
uint32_t kit_tsc_khz(void);
/* Maps the shared info page at a page of the image reserved for it
 * (XENMEM_add_to_physmap); returns it, or NULL (error code in *err). */
struct shared_info *kit_map_shared_info(long *err);

/* SCHEDOP_shutdown with reason (SHUTDOWN_*).  Falls back to cli; hlt
 * (poweroff) or a triple fault (anything else) when the hypercall is not
 * available or returns. */
KIT_NORETURN void kit_shutdown(unsigned int reason);
KIT_NORETURN void kit_poweroff(void);
KIT_NORETURN void kit_crash(void);
/* Loads an empty IDT and faults: the vCPU triple-faults. */
KIT_NORETURN void kit_triple_fault(void);

/* --- console (console.c) --- */

/* console_io(CONSOLEIO_write) once the hypercall page exists, port 0xE9
 * before. */
void kit_console_write(const char *s, size_t len);
/* Port 0xE9 only (one string I/O instruction). */
void kit_e9_write(const char *s, size_t len);
int puts(const char *s); /* appends a newline */
int printf(const char *fmt, ...) KIT_PRINTF(1, 2);
int vprintf(const char *fmt, va_list ap) KIT_PRINTF(1, 0);
int snprintf(char *buf, size_t size, const char *fmt, ...) KIT_PRINTF(3, 4);
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
    KIT_PRINTF(3, 0);
/* Prints "panic: ..." and crashes the domain. */
KIT_NORETURN void kit_panic(const char *fmt, ...) KIT_PRINTF(1, 2);

/* Writes the decimal digits of v at p; returns the end (no NUL). */
char *kit_utoa(char *p, uint64_t v);

/* --- traps (traps.c, entry.S) --- */

/* Registers saved by the exception stubs, lowest address first. */
struct kit_trap_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error;
    uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

/* Exceptions 0-31 print the frame and crash the domain.  Vectors 32-255
 * start out pointing at a stub that counts them and returns; a guest may
 * install its own interrupt gates. */
void kit_set_intr_gate(unsigned int vector, void (*handler)(void));
extern volatile uint64_t kit_spurious_intrs;

/* --- string.c (the compiler may also call these) --- */

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);

#endif
