/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest code for the VM tests and benchmarks, copied into guest memory by
 * the tests.  Each snippet is position independent and lies between
 * NAME and NAME_end.  Real-mode snippets run with CS:IP = entry:0.
 */
#define SNIPPET(name)	.globl name, name##_end; name:
#define END(name)	name##_end:

/* Where snippets leave results for the host (guest physical). */
#define MAILBOX		0x500

	.section .rodata, "a"

	.code16
/* 10,000 16-bit OUTs to port 0x10 of the values 0..9999, then HLT. */
SNIPPET(guest_out_loop)
	xor	%ax, %ax
1:	out	%ax, $0x10
	inc	%ax
	cmp	$10000, %ax
	jne	1b
	hlt
END(guest_out_loop)

/* IN from port 0x11 and echo the value to port 0x12, three times. */
SNIPPET(guest_in_echo)
	mov	$3, %cx
1:	in	$0x11, %eax
	out	%eax, $0x12
	loop	1b
	hlt
END(guest_in_echo)

/*
 * Benchmarks: ECX iterations of one exiting instruction between two RDTSCs;
 * the TSC delta goes to the mailbox (64 bits) before HLT.
 */
#define BENCH_LOOP(...)			\
	mov	%ecx, %esi;			\
	rdtsc;					\
	mov	%eax, %edi;			\
	mov	%edx, %ebp;			\
1:	__VA_ARGS__;					\
	dec	%esi;				\
	jnz	1b;				\
	rdtsc;					\
	sub	%edi, %eax;			\
	sbb	%ebp, %edx;			\
	mov	%eax, MAILBOX;			\
	mov	%edx, MAILBOX + 4;		\
	hlt

SNIPPET(guest_bench_out)
	BENCH_LOOP(out %al, $0x13)
END(guest_bench_out)

SNIPPET(guest_bench_cpuid)
	BENCH_LOOP(xor %eax, %eax; cpuid)
END(guest_bench_cpuid)

/* An empty IDT turns the breakpoint into a triple fault. */
SNIPPET(guest_triple_fault)
	lidt	%cs:(idt_empty - guest_triple_fault)
	int3
	hlt
idt_empty:
	.word	0
	.long	0
END(guest_triple_fault)

/* CPUID of the leaf in EAX (subleaf ECX); the four outputs go to port 0x14. */
SNIPPET(guest_cpuid)
	cpuid
	out	%eax, $0x14
	mov	%ebx, %eax
	out	%eax, $0x14
	mov	%ecx, %eax
	out	%eax, $0x14
	mov	%edx, %eax
	out	%eax, $0x14
	hlt
END(guest_cpuid)

/* Spins forever: for tests that interrupt RUN with a signal. */
SNIPPET(guest_spin)
1:	jmp	1b
END(guest_spin)

/* The same with interrupts enabled in the guest (an empty IDT is fine:
 * nothing is ever injected). */
SNIPPET(guest_spin_sti)
	sti
1:	jmp	1b
END(guest_spin_sti)

	.code64
/*
 * MMIO at RBX (unbacked guest physical address, identity mapped): stores
 * of 1, 2, 4 and 8 bytes of known values, then loads of each size whose
 * results are echoed to port 0x20 (RAX after each load), then HLT.
 */
SNIPPET(guest_mmio64)
	movb	$0x11, (%rbx)
	movw	$0x2233, 0x10(%rbx)
	movl	$0x44556677, 0x20(%rbx)
	mov	$0x8899aabbccddeeff, %rax
	mov	%rax, 0x30(%rbx)
	mov	$-1, %rax
	movb	0x40(%rbx), %al
	out	%eax, $0x20
	shr	$32, %rax
	out	%eax, $0x20
	mov	$-1, %rax
	movw	0x50(%rbx), %ax
	out	%eax, $0x20
	shr	$32, %rax
	out	%eax, $0x20
	mov	$-1, %rax
	movl	0x60(%rbx), %eax
	out	%eax, $0x20
	shr	$32, %rax
	out	%eax, $0x20
	mov	$-1, %rax
	movq	0x70(%rbx), %rax
	out	%eax, $0x20
	shr	$32, %rax
	out	%eax, $0x20
	hlt
END(guest_mmio64)

/* Reads the qword at RBX, writes RCX there, reads it back; echoes both. */
SNIPPET(guest_rw64)
	mov	(%rbx), %rax
	out	%eax, $0x21
	mov	%rcx, (%rbx)
	mov	(%rbx), %rax
	out	%eax, $0x21
	hlt
END(guest_rw64)

	.section .note.GNU-stack, "", @progbits
