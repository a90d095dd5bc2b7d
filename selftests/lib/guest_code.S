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

/* Writes RCX's low byte to each of RCX pages from RBX on, counting down; HLT. */
SNIPPET(guest_touch64)
1:	mov	%cl, (%rbx)
	add	$4096, %rbx
	dec	%rcx
	jnz	1b
	hlt
END(guest_touch64)

/*
 * Hypercalls on demand: VMCALL with the RAX and RBX the host set, then OUT
 * to 0x14 so that the host reads the result in RAX and sets the next call.
 */
SNIPPET(guest_vmcall64)
1:	vmcall
	out	%al, $0x14
	jmp	1b
END(guest_vmcall64)

/*
 * Interrupts through the in-kernel local APIC and I/O APIC.  Builds a GDT
 * and an IDT (vector 0x40: APIC timer, 0x41: I/O APIC pin), enables the
 * APIC, then by RBX:
 *   1 one-shot timer of RCX ticks     2 periodic timer of RCX ticks (5 ticks)
 *   3 TSC deadline RCX TSC ticks ahead
 *   4 I/O APIC pin RCX, redirection low word flags RDX, OUT 0x13 "ready",
 *     then a one-shot timer of RSI ticks ends the test
 *   5 one-shot timer of 1 tick while IF=0 for RCX TSC ticks, then STI: the
 *     interrupt must arrive within the instruction after STI's shadow
 * and waits in STI;HLT until the timer has fired (5 times in mode 2).
 * Reports: the timer count by OUT to 0x11 (mode 5: the count right after
 * STI), the TSC ticks the wait took at MAILBOX, then HLT with IF=0.  The
 * pin's handler OUTs its running count to 0x12 before its EOI.
 */
#define APIC		0xfee00000
#define IOAPIC		0xfec00000
#define GDT		0x2000
#define IDT		0x3000
#define TIMER_COUNT	MAILBOX + 0x10
#define PIN_COUNT	MAILBOX + 0x14

SNIPPET(guest_irq)
	mov	$0x8000, %rsp
	mov	%rdx, %r11
	mov	$APIC, %r12d			/* disp32 would sign-extend */
	mov	$IOAPIC, %r13d
	movq	$0, GDT
	movabs	$0x00af9b000000ffff, %rax
	mov	%rax, GDT + 8
	movabs	$0x00cf93000000ffff, %rax
	mov	%rax, GDT + 16
	lgdt	gdtr(%rip)
	lea	timer_handler(%rip), %rax
	mov	$IDT + 0x40 * 16, %rdi
	call	set_gate
	lea	pin_handler(%rip), %rax
	mov	$IDT + 0x41 * 16, %rdi
	call	set_gate
	lidt	idtr(%rip)
	movl	$0, TIMER_COUNT
	movl	$0, PIN_COUNT
	movl	$0x1ff, 0xf0(%r12)		/* SVR: enabled, spurious 0xff */
	movl	$0xb, 0x3e0(%r12)		/* divide by 1 */
	mov	%rcx, %r8
	rdtsc
	shl	$32, %rdx
	or	%rax, %rdx
	mov	%rdx, %r9			/* start TSC */
	cmp	$1, %rbx
	je	oneshot
	cmp	$2, %rbx
	je	periodic
	cmp	$3, %rbx
	je	deadline
	cmp	$4, %rbx
	je	pin
	jmp	window

oneshot:
	movl	$0x40, 0x320(%r12)
	mov	%r8d, 0x380(%r12)
	mov	$1, %r10d
	jmp	wait
periodic:
	movl	$0x40 | (1 << 17), 0x320(%r12)
	mov	%r8d, 0x380(%r12)
	mov	$5, %r10d
	jmp	wait
deadline:
	movl	$0x40 | (2 << 17), 0x320(%r12)
	mov	%r9, %rax
	add	%r8, %rax
	mov	%rax, %rdx
	shr	$32, %rdx
	mov	$0x6e0, %ecx
	wrmsr
	mov	$1, %r10d
	jmp	wait
pin:
	lea	0x10(%r8, %r8), %eax		/* redirection low word of pin RCX */
	movl	%eax, (%r13)
	movl	%r11d, %eax
	or	$0x41, %eax
	movl	%eax, 0x10(%r13)
	lea	0x11(%r8, %r8), %eax
	movl	%eax, (%r13)
	movl	$0, 0x10(%r13)		/* destination: APIC 0 */
	out	%al, $0x13
	movl	$0x40, 0x320(%r12)
	mov	%esi, 0x380(%r12)
	mov	$1, %r10d
	jmp	wait
window:
	movl	$0x40, 0x320(%r12)
	movl	$1, 0x380(%r12)
1:	rdtsc
	shl	$32, %rdx
	or	%rax, %rdx
	sub	%r9, %rdx
	cmp	%r8, %rdx
	jb	1b
	sti
	nop
	mov	TIMER_COUNT, %eax
	cli
	out	%eax, $0x11
	hlt

wait:
	sti
	hlt
	cli
	cmp	TIMER_COUNT, %r10d
	ja	wait
	movl	$0, 0x380(%r12)		/* stop a periodic timer */
	rdtsc
	shl	$32, %rdx
	or	%rax, %rdx
	sub	%r9, %rdx
	mov	%rdx, MAILBOX
	mov	TIMER_COUNT, %eax
	out	%eax, $0x11
	hlt

timer_handler:
	incl	TIMER_COUNT
	movl	$0, 0xb0(%r12)			/* EOI */
	iretq
pin_handler:
	push	%rax
	incl	PIN_COUNT
	mov	PIN_COUNT, %eax
	out	%eax, $0x12
	movl	$0, 0xb0(%r12)
	pop	%rax
	iretq

/* 64-bit interrupt gate at RDI for the handler at RAX, CS 8. */
set_gate:
	mov	%ax, (%rdi)
	movw	$8, 2(%rdi)
	movw	$0x8e00, 4(%rdi)
	shr	$16, %rax
	mov	%ax, 6(%rdi)
	shr	$16, %rax
	mov	%eax, 8(%rdi)
	movl	$0, 12(%rdi)
	ret

gdtr:	.word	23
	.quad	GDT
idtr:	.word	0xfff
	.quad	IDT
END(guest_irq)

	.section .note.GNU-stack, "", @progbits
