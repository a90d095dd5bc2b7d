/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny PVH "kernel" for testing hvx run: checks the start_info magic,
 * prints "hvx guest: " and its command line on COM1, then acts on the
 * command line's first word: "reboot" pulses the keyboard controller's
 * reset line, "pcireset" resets through the chipset's reset control
 * register (0xcf9) as Linux's reboot=pci does, "crash" triple faults,
 * anything else halts with interrupts off (a power-off for hvx run).
 */
#define COM1	0x3f8

	.code32
	.text
	.globl _start
_start:
	cli
	mov	$stack_top, %esp	/* PVH hands over no stack */
	cmpl	$0x336ec578, (%ebx)
	jne	bad_magic
	mov	$banner, %esi
	call	puts
	mov	24(%ebx), %esi		/* cmdline_paddr (low half) */
	call	puts
	mov	$'\n', %al
	mov	$COM1, %dx
	outb	%al, %dx
	mov	24(%ebx), %esi
	cmpb	$'r', (%esi)
	je	reboot
	cmpb	$'c', (%esi)
	je	crash
	cmpb	$'p', (%esi)
	je	pcireset
halt:
	hlt
	jmp	halt
reboot:
	mov	$0xfe, %al
	outb	%al, $0x64
	jmp	halt
pcireset:
	mov	$0x02, %al		/* a hard reset, then RST_CPU */
	mov	$0xcf9, %dx
	outb	%al, %dx
	mov	$0x06, %al
	outb	%al, %dx
	jmp	halt
crash:
	lidt	empty_idt
	int3
	jmp	halt
bad_magic:
	mov	$magic_msg, %esi
	call	puts
	jmp	halt

/* Writes the NUL-terminated string at ESI to COM1. */
puts:
	mov	$COM1, %dx
1:	lodsb
	test	%al, %al
	jz	2f
	outb	%al, %dx
	jmp	1b
2:	ret

	.section .rodata
banner:		.asciz "hvx guest: "
magic_msg:	.asciz "hvx guest: bad start_info magic\n"
	.balign 8
empty_idt:	.word 0
		.long 0

	.section .data
	.balign 16
stack:		.fill 256, 1, 0
stack_top:

	.section .note.Xen, "a", @note
	.balign 4
	.long	4, 8, 18		/* namesz, descsz, XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz	"Xen"
	.balign 4
	.quad	_start

	.section .note.GNU-stack, "", @progbits
