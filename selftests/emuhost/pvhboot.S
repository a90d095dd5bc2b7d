/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Starts the emulated host's kernel from Debian's uncompressed vmlinux
 * through its PVH entry, so that Bochs never runs the bzImage's XZ
 * decompressor (about a minute of wall time in every boot).
 * build-image.sh makes a bzImage of Debian's own real-mode setup code and,
 * as its protected-mode part, this page followed by the kernel's segments
 * laid out flat.  isolinux loads it as any bzImage (with the initramfs and
 * command line); the setup code enters here, at 0x100000, in flat 32-bit
 * protected mode with ESI pointing at the boot_params.  This moves the
 * kernel to where it was linked, converts boot_params to the hvm_start_info
 * of the PVH boot protocol (memory map, initramfs, command line) and jumps
 * to the kernel's XEN_ELFNOTE_PHYS32_ENTRY with EBX pointing at it.
 * Symbols from build-image.sh (--defsym): KBASE (the kernel's lowest
 * physical address), KLEN (its flat length, a multiple of 4), KENTRY.
 */
#define MEMMAP_MAX	64
/* boot_params offsets (Documentation/x86/zero-page.rst) */
#define BP_E820_ENTRIES	0x1e8
#define BP_RAMDISK	0x218
#define BP_RAMDISK_SIZE	0x21c
#define BP_CMDLINE	0x228
#define BP_E820_TABLE	0x2d0

	.code32
	.text
	.globl _start
_start:
	cli
	movl	%esi, %ebx		/* boot_params */
	/* The kernel, from after this page to KBASE: overlapping, upwards,
	 * so copied from its end down. */
	std
	leal	_start + 4096 + KLEN - 4, %esi
	movl	$KBASE + KLEN - 4, %edi
	movl	$KLEN / 4, %ecx
	rep movsl
	cld

	movl	BP_RAMDISK(%ebx), %eax
	movl	%eax, initrd_addr
	movl	BP_RAMDISK_SIZE(%ebx), %eax
	movl	%eax, initrd_size
	movl	BP_CMDLINE(%ebx), %eax
	movl	%eax, cmdline
	/* E820 entries (addr, size, type: 20 bytes) to PVH's (24 bytes). */
	movzbl	BP_E820_ENTRIES(%ebx), %ecx
	cmpl	$MEMMAP_MAX, %ecx
	jbe	1f
	movl	$MEMMAP_MAX, %ecx
1:	movl	%ecx, memmap_entries
	leal	BP_E820_TABLE(%ebx), %esi
	movl	$memmap, %edi
2:	jecxz	3f
	pushl	%ecx
	movl	$5, %ecx
	rep movsl
	popl	%ecx
	movl	$0, (%edi)
	addl	$4, %edi
	decl	%ecx
	jmp	2b
3:	movl	$start_info, %ebx
	movl	$KENTRY, %eax
	jmp	*%eax

	.p2align 3
start_info:				/* struct hvm_start_info */
	.long	0x336ec578		/* magic */
	.long	1			/* version: has the memmap */
	.long	0			/* flags */
	.long	1			/* nr_modules: the initramfs */
	.long	modlist, 0		/* (64-bit fields: 32-bit values) */
cmdline:
	.long	0, 0
	.long	0, 0			/* rsdp: Linux finds the BIOS's */
	.long	memmap, 0
memmap_entries:
	.long	0
	.long	0
modlist:				/* struct hvm_modlist_entry */
initrd_addr:
	.long	0, 0
initrd_size:
	.long	0, 0
	.long	0, 0
	.long	0, 0
	.p2align 3
memmap:
	.fill	MEMMAP_MAX * 24, 1, 0
