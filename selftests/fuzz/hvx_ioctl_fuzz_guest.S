/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest programs for hvx_ioctl_fuzz.  Each runs in 32-bit protected mode
 * with flat segments and paging off, copied to FZ_CODE_GPA; the fuzzer
 * puts random arguments in the mailbox before a run, so one program covers
 * many MSRs, CPUID leaves, hypercalls or MMIO addresses.  An exit that the
 * fuzzer answers (port I/O, MMIO) resumes the program; most loop, so a
 * vCPU that keeps running is kicked out only by a signal.
 */
#define SNIPPET(name)	.globl name, name##_end; name:
#define END(name)	name##_end:

/* Keep in sync with hvx_ioctl_fuzz.c. */
#define FZ_CODE_GPA	0x1000
#define FZ_MAILBOX	0x800
#define FZ_DATA		0x3000
#define LAPIC		0xfee00000
#define IOAPIC		0xfec00000

	.section .rodata, "a"
	.code32

SNIPPET(fz_out_loop)
	xor	%eax, %eax
1:	out	%ax, $0x10
	inc	%eax
	jmp	1b
END(fz_out_loop)

SNIPPET(fz_in_loop)
1:	in	$0x20, %al
	out	%al, $0x21
	in	%dx, %eax
	jmp	1b
END(fz_in_loop)

/* HLT with interrupts off: the exit userspace sees. */
SNIPPET(fz_hlt)
1:	cli
	hlt
	jmp	1b
END(fz_hlt)

/* HLT with interrupts on sleeps in the kernel until a signal. */
SNIPPET(fz_sti_hlt)
1:	sti
	hlt
	jmp	1b
END(fz_sti_hlt)

/* No exits at all: only a signal or immediate_exit gets the thread back. */
SNIPPET(fz_spin_write)
1:	incl	FZ_DATA
	addl	$4096, FZ_DATA + 4
	jmp	1b
END(fz_spin_write)

/* Reads and writes the address in the mailbox (unbacked: MMIO exits). */
SNIPPET(fz_mmio)
	mov	FZ_MAILBOX, %ebx
1:	mov	(%ebx), %eax
	mov	%eax, 4(%ebx)
	movb	%al, 1(%ebx)
	movw	%ax, 2(%ebx)
	out	%al, $0x14
	jmp	1b
END(fz_mmio)

SNIPPET(fz_msr)
	mov	FZ_MAILBOX, %ecx
	mov	FZ_MAILBOX + 4, %eax
	mov	FZ_MAILBOX + 8, %edx
	wrmsr
	rdmsr
	out	%al, $0x11
	cli
	hlt
END(fz_msr)

/*
 * The local APIC timer in TSC-deadline mode, then IA32_TSC_DEADLINE from
 * the mailbox (0, 1, ~0, ...), then sleep with interrupts on.
 */
SNIPPET(fz_tsc_deadline)
	movl	$0x1ff, LAPIC + 0xf0
	movl	$0x400ef, LAPIC + 0x320
	mov	$0x6e0, %ecx
	mov	FZ_MAILBOX, %eax
	mov	FZ_MAILBOX + 4, %edx
	wrmsr
1:	sti
	hlt
	out	%al, $0x15
	jmp	1b
END(fz_tsc_deadline)

/* Local APIC register at mailbox offset, value from the mailbox. */
SNIPPET(fz_lapic)
	movl	$0x1ff, LAPIC + 0xf0
	mov	FZ_MAILBOX, %ebx
	and	$0xff0, %ebx
	mov	FZ_MAILBOX + 4, %eax
	mov	%eax, LAPIC(%ebx)
	mov	LAPIC(%ebx), %eax
	mov	FZ_MAILBOX + 8, %ecx
	mov	%ecx, LAPIC + 0x300
	sti
	nop
	out	%al, $0x16
	cli
	hlt
END(fz_lapic)

/* I/O APIC: index, then data, from the mailbox. */
SNIPPET(fz_ioapic)
	mov	FZ_MAILBOX, %eax
	mov	%eax, IOAPIC
	mov	FZ_MAILBOX + 4, %eax
	mov	%eax, IOAPIC + 0x10
	mov	IOAPIC + 0x10, %eax
	mov	%eax, IOAPIC + 0x40
	sti
	out	%al, $0x17
1:	hlt
	jmp	1b
END(fz_ioapic)

SNIPPET(fz_cpuid)
	mov	FZ_MAILBOX, %eax
	mov	FZ_MAILBOX + 4, %ecx
	cpuid
	out	%al, $0x12
	cli
	hlt
END(fz_cpuid)

/* Hypercalls (the channel bus's among them) with arguments from the mailbox. */
SNIPPET(fz_vmcall)
	mov	FZ_MAILBOX, %eax
	mov	FZ_MAILBOX + 4, %ebx
	vmcall
	out	%al, $0x13
	mov	FZ_MAILBOX + 8, %eax
	mov	FZ_MAILBOX + 12, %ebx
	vmcall
	cli
	hlt
END(fz_vmcall)

SNIPPET(fz_cr)
	mov	FZ_MAILBOX, %eax
	mov	%eax, %cr4
	mov	FZ_MAILBOX + 4, %eax
	mov	%eax, %cr3
	mov	FZ_MAILBOX + 8, %eax
	mov	%eax, %cr0
	out	%al, $0x18
	cli
	hlt
END(fz_cr)

/* An empty IDT turns the breakpoint into a triple fault. */
SNIPPET(fz_triple)
	lidt	FZ_CODE_GPA + (2f - fz_triple)
	int3
	hlt
2:	.word	0
	.long	0
END(fz_triple)

/* String I/O of the mailbox's count, to and from guest memory. */
SNIPPET(fz_string_io)
	mov	$0x19, %dx
	mov	FZ_MAILBOX, %ecx
	mov	$FZ_DATA, %esi
	rep outsb
	mov	FZ_MAILBOX + 4, %ecx
	mov	$FZ_DATA, %edi
	rep insw
	cli
	hlt
END(fz_string_io)

	.section .note.GNU-stack, "", @progbits
