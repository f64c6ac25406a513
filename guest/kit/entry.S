/* PVH entry: the Xen ELF notes, the 32-bit entry point, and everything that
 * can be built at assembly time (GDT, page tables, IDT), so that the boot
 * path runs as few instructions as possible:
 *
 *   kit_start32 (32-bit flat protected mode, paging off, ebx = start info)
 *     CR3 = static page tables, CR4.PAE, EFER.LME, CR0.PG: long mode at once
 *     far jump to the 64-bit code segment
 *   kit_start64
 *     data segments, stack, IDT, kit_main(start info)
 *
 * .bss is not cleared: the builder hands over zeroed RAM. */
#include <xen/elfnote.h>
#include "xk-abi.h"

#define KIT_CS          0x08
#define KIT_DS          0x10

#define CR0_PE          0x00000001
#define CR0_ET          0x00000010
#define CR0_NE          0x00000020
#define CR0_WP          0x00010000
#define CR0_PG          0x80000000
#define CR4_PAE         0x00000020
#define MSR_EFER        0xc0000080
#define EFER_LME        0x00000100

/* 2 MiB page: present, writable, accessed, dirty, large.  A and D are set
 * so the CPU never has to write them back. */
#define PDE_2M          0xe3
/* Table pointer: present, writable, accessed. */
#define PTE_TABLE       0x23

#define STACK_SIZE      16384
#define KIT_TRAMP_BASE  0x7000    /* also in smp.c */

/* From 32-bit flat protected mode, paging off, straight into long mode
 * with our page tables and GDT, then a far jump to target (64-bit code).
 * Clobbers eax, ecx, edx. */
.macro long_mode target:req
	movl $kit_pml4, %eax
	movl %eax, %cr3
	movl $CR4_PAE, %eax
	movl %eax, %cr4
	movl $MSR_EFER, %ecx
	movl $EFER_LME, %eax
	xorl %edx, %edx
	wrmsr
	movl $(CR0_PG | CR0_WP | CR0_NE | CR0_ET | CR0_PE), %eax
	movl %eax, %cr0
	lgdt kit_gdt_desc
	ljmp $KIT_CS, $\target
.endm

/* One Xen ELF note: name "Xen", a type, and a descriptor: a 32-bit value
 * (xen_note_long) or a NUL-terminated string (xen_note_str). */
.macro xen_note_head type:req
	.balign 4
	.long 2f - 1f
	.long 4f - 3f
	.long \type
1:	.asciz "Xen"
2:	.balign 4
3:
.endm
.macro xen_note_long type:req, value:req
	xen_note_head \type
	.long \value
4:	.balign 4
.endm
.macro xen_note_str type:req, value:req
	xen_note_head \type
	.asciz "\value"
4:	.balign 4
.endm

	.section .note.Xen, "a", @note
	xen_note_long XEN_ELFNOTE_PHYS32_ENTRY, kit_start32
	xen_note_str XEN_ELFNOTE_GUEST_OS, "xenkvm-kit"
	xen_note_str XEN_ELFNOTE_XEN_VERSION, "xen-3.0"
	xen_note_str XEN_ELFNOTE_LOADER, "generic"

	.section .text.kit_entry, "ax", @progbits
	.code32
	.globl kit_start32
	.type kit_start32, @function
kit_start32:
	long_mode kit_start64
	.size kit_start32, . - kit_start32

	.code64
kit_start64:
	movl $KIT_DS, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl $kit_stack + STACK_SIZE, %esp
	lidt kit_idt_desc
	movl %ebx, %edi
	call kit_main
	ud2

/* Exception stubs, 16 bytes apart so the static IDT can point at
 * kit_trap_stubs + 16 * vector.  Vectors without an error code push a zero
 * in its place; then the vector; then the common path. */
	.balign 512
	.globl kit_trap_stubs
kit_trap_stubs:
	vec = 0
	.rept 32
	.balign 16
	.if !(vec == 8 || (vec >= 10 && vec <= 14) || vec == 17 || vec == 21 || vec == 29 || vec == 30)
	pushq $0
	.endif
	pushq $vec
	jmp kit_trap_common
	vec = vec + 1
	.endr

kit_trap_common:
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	cld
	movq %rsp, %rdi
	call kit_trap
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp
	iretq

/* Interrupts nobody asked for: count and return. */
	.globl kit_intr_default
kit_intr_default:
	incq kit_spurious_intrs(%rip)
	iretq

/* The event-channel upcall (evtchn.c installs it at KIT_UPCALL_VECTOR):
 * the caller-saved registers around kit_evtchn_upcall_irq().  Nine pushes
 * after the CPU's five keep the stack 16-byte aligned at the call. */
	.globl kit_upcall_entry
kit_upcall_entry:
	pushq %rax
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	cld
	call kit_evtchn_upcall_irq
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rax
	iretq

/* Secondary vCPUs (smp.c).  Three ways in, one way on:
 *
 *   kit_ap_start64  VCPUOP_initialise in 64-bit mode: long mode with our
 *                   page tables, rsp = stack top, rdi = kit_cpus index;
 *                   the GDT and IDT are not ours yet
 *   kit_ap_start32  VCPUOP_initialise in 32-bit mode (flat, paging off),
 *                   or the SIPI trampoline: esp, edi as above
 *   kit_tramp16     INIT/SIPI: real mode at KIT_TRAMP_BASE (copied there)
 */
	.code32
	.globl kit_ap_start32
kit_ap_start32:
	long_mode kit_ap_start64

	.code64
	.globl kit_ap_start64
kit_ap_start64:
	lgdt kit_gdt_desc(%rip)
	pushq $KIT_CS
	leaq 1f(%rip), %rax
	pushq %rax
	lretq
1:	movl $KIT_DS, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	lidt kit_idt_desc(%rip)
	movl %esp, %esp         /* from 32-bit code the upper halves are undefined */
	movl %edi, %edi
	call kit_ap_main
	ud2

/* The INIT/SIPI trampoline, assembled here and copied to KIT_TRAMP_BASE
 * (SIPI vector KIT_TRAMP_BASE >> 12): real mode, a GDT of its own with a
 * flat 32-bit code segment, protected mode, then kit_ap_start32 with the
 * stack and the cpu index the BSP left in kit_tramp_stack/kit_tramp_cpu. */
#define TRAMP(sym) (KIT_TRAMP_BASE + (sym) - kit_tramp16)
	.balign 16
	.globl kit_tramp16, kit_tramp16_end, kit_tramp_stack, kit_tramp_cpu
	.code16
kit_tramp16:
	cli
	xorw %ax, %ax
	movw %ax, %ds
	lgdtl TRAMP(kit_tramp_gdt_desc)
	movl %cr0, %eax
	orl $CR0_PE, %eax
	movl %eax, %cr0
	ljmpl $0x08, $TRAMP(kit_tramp32)
	.code32
kit_tramp32:
	movl $0x10, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl TRAMP(kit_tramp_stack), %esp
	movl TRAMP(kit_tramp_cpu), %edi
	movl $kit_ap_start32, %eax
	jmp *%eax
	.balign 8
kit_tramp_gdt:
	.quad 0
	.quad 0x00cf9b000000ffff        /* 0x08: flat 32-bit code */
	.quad 0x00cf93000000ffff        /* 0x10: flat data */
kit_tramp_gdt_desc:
	.word 3 * 8 - 1
	.long TRAMP(kit_tramp_gdt)
	.balign 4
kit_tramp_stack:
	.long 0
kit_tramp_cpu:
	.long 0
kit_tramp16_end:
	.code64

	.section .rodata.kit_gdt, "a", @progbits
	.balign 16
/* Descriptors have their accessed bit set so loading them never writes. */
kit_gdt:
	.quad 0
	.quad 0x00af9b000000ffff        /* 0x08: 64-bit code */
	.quad 0x00cf93000000ffff        /* 0x10: flat data */
kit_gdt_end:
	.balign 8
	.word 0
kit_gdt_desc:
	.word kit_gdt_end - kit_gdt - 1
	.quad kit_gdt
	.word 0
kit_idt_desc:
	.word 256 * 16 - 1
	.quad kit_idt

	.section .data.kit_page, "aw", @progbits
/* Identity map of the low 4 GiB with 2 MiB pages: PML4[0] -> PDPT,
 * PDPT[0..3] -> four page directories of 512 entries. */
	.balign 4096
	.globl kit_pml4
kit_pml4:
	.quad kit_pdpt + PTE_TABLE
	.fill 511, 8, 0
kit_pdpt:
	.quad kit_pd + PTE_TABLE
	.quad kit_pd + 0x1000 + PTE_TABLE
	.quad kit_pd + 0x2000 + PTE_TABLE
	.quad kit_pd + 0x3000 + PTE_TABLE
	.fill 508, 8, 0
kit_pd:
	pde = 0
	.rept 2048
	.quad (pde << 21) | PDE_2M
	pde = pde + 1
	.endr

/* The IDT: 32 exception gates, then 224 gates to kit_intr_default.  The
 * split offsets come from symbols the linker script computes
 * (kit_trap_stubs_lo/hi, kit_intr_default_lo/hi). */
	.balign 4096
	.globl kit_idt
kit_idt:
	vec = 0
	.rept 32
	.word kit_trap_stubs_lo + vec * 16
	.word KIT_CS
	.byte 0, 0x8e
	.word kit_trap_stubs_hi
	.long 0, 0
	vec = vec + 1
	.endr
	.rept 224
	.word kit_intr_default_lo
	.word KIT_CS
	.byte 0, 0x8e
	.word kit_intr_default_hi
	.long 0, 0
	.endr

	.section .bss.kit_page, "aw", @nobits
	.balign 4096
	.globl kit_stack
kit_stack:
	.skip STACK_SIZE

	.section .note.GNU-stack, "", @progbits
