/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Instruction decoding for MMIO and guest page-table walks: pure logic with
 * no kernel dependencies, so the module and the native unit tests (and the
 * fuzzers) compile the very same code.  It builds in the kernel and in
 * plain C11 (types come from pure.h).
 */
#ifndef HVX_EMULATE_H
#define HVX_EMULATE_H

#include "../pure.h"

/* Longest x86 instruction. */
#define HVX_INSN_MAX_LEN	15

enum hvx_cpu_mode {
	HVX_MODE_REAL,		/* also virtual-8086 */
	HVX_MODE_PROT16,	/* CS.D = 0 */
	HVX_MODE_PROT32,	/* CS.D = 1 */
	HVX_MODE_LONG64,	/* CS.L = 1 */
};

enum hvx_mmio_op {
	HVX_MMIO_LOAD,		/* register <- memory */
	HVX_MMIO_STORE_REG,	/* memory <- register */
	HVX_MMIO_STORE_IMM,	/* memory <- immediate */
};

/* How a load writes its destination register. */
enum hvx_mmio_ext {
	HVX_MMIO_EXT_NONE,	/* MOV: 8/16-bit merge, 32-bit zero-extends */
	HVX_MMIO_EXT_ZERO,	/* MOVZX to dest_size */
	HVX_MMIO_EXT_SIGN,	/* MOVSX/MOVSXD to dest_size */
};

/**
 * struct hvx_mmio_insn - what one memory-accessing instruction does
 * @len: instruction length in bytes (to advance RIP)
 * @op: load, store of a register or store of an immediate
 * @size: memory access size: 1, 2, 4 or 8
 * @reg: GPR index 0..15 (RAX..R15 in ModRM order) for loads and
 *	register stores
 * @high_byte: bits 15:8 of register @reg (0..3), i.e. AH, CH, DH or BH
 *	(encoded as 4..7 without REX)
 * @dest_size: for loads, the destination register width in bytes
 * @ext: for loads, how the value reaches the register
 * @imm: for HVX_MMIO_STORE_IMM, the value (already sign-extended to @size)
 */
struct hvx_mmio_insn {
	u8 len;
	u8 op;
	u8 size;
	u8 reg;
	bool high_byte;
	u8 dest_size;
	u8 ext;
	u64 imm;
};

/*
 * Decodes the instruction in @bytes[0..@avail) executed in @mode.  Returns 0
 * and fills @out, or -1 for an instruction hvx does not emulate for MMIO
 * (anything but MOV r/m<->reg, MOV r/m,imm, MOVZX, MOVSX and MOVSXD) or one
 * that runs past @avail.  Never reads beyond @avail.
 */
int hvx_mmio_decode(const u8 *bytes, unsigned int avail, enum hvx_cpu_mode mode,
		    struct hvx_mmio_insn *out);

/*
 * Applies a completed load of @value to the 64-bit register @*gpr following
 * @insn's size, extension and high-byte rules.
 */
void hvx_mmio_apply_load(const struct hvx_mmio_insn *insn, u64 value, u64 *gpr);

/* Value a register store writes to memory (low @size bytes are used). */
u64 hvx_mmio_store_value(const struct hvx_mmio_insn *insn, u64 gpr);

/* Paging state needed to walk the guest's page tables. */
struct hvx_walk_regs {
	u64 cr0, cr3, cr4, efer;
};

#define HVX_WALK_WRITE		(1U << 0)
#define HVX_WALK_USER		(1U << 1)
#define HVX_WALK_FETCH		(1U << 2)

/*
 * Reads one 8-byte (or, for non-PAE 32-bit paging, 4-byte zero-extended)
 * page-table entry at guest physical @gpa; returns 0 or -1.
 */
typedef int (*hvx_read_pte_fn)(void *ctx, u64 gpa, unsigned int size, u64 *pte);

/*
 * Translates guest linear @gla to a guest physical address following the
 * paging mode in @regs (none, 32-bit, PAE, 4-level; 4 KiB, 2/4 MiB and 1 GiB
 * pages) and the @access HVX_WALK_* bits.  Returns 0 and sets @gpa, or -1
 * (not present, reserved bit, permission, unreadable table).  Never loops:
 * the walk is bounded by the paging depth.
 */
int hvx_guest_walk(const struct hvx_walk_regs *regs, u64 gla, unsigned int access,
		   hvx_read_pte_fn read_pte, void *ctx, u64 *gpa);

#endif /* HVX_EMULATE_H */
