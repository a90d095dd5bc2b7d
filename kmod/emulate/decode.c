// SPDX-License-Identifier: GPL-2.0
/*
 * Decoding of the instructions a guest uses for MMIO: MOV between a
 * register and memory, MOV of an immediate to memory, MOVZX, MOVSX and
 * MOVSXD.  Everything else is refused; the caller reports an emulation
 * failure to userspace.  Reads never go past @avail.
 */
#include "emulate.h"

#define REX_W	0x8
#define REX_R	0x4

struct cursor {
	const u8 *bytes;
	unsigned int avail, pos;
};

static int next(struct cursor *c, u8 *byte)
{
	if (c->pos >= c->avail || c->pos >= HVX_INSN_MAX_LEN)
		return -1;
	*byte = c->bytes[c->pos++];
	return 0;
}

static int skip(struct cursor *c, unsigned int n)
{
	if (c->pos + n > c->avail || c->pos + n > HVX_INSN_MAX_LEN)
		return -1;
	c->pos += n;
	return 0;
}

static u64 read_le(const u8 *p, unsigned int n)
{
	u64 v = 0;

	while (n--)
		v = (v << 8) | p[n];
	return v;
}

/* Skips ModRM's memory operand (SIB, displacement); -1 for a register. */
static int skip_modrm_memory(struct cursor *c, u8 modrm, unsigned int addr_size)
{
	unsigned int mod = modrm >> 6, rm = modrm & 7;
	u8 sib;

	if (mod == 3)
		return -1;
	if (addr_size == 2) {
		if (mod == 0)
			return rm == 6 ? skip(c, 2) : 0;
		return skip(c, mod == 1 ? 1 : 2);
	}
	if (rm == 4) {
		if (next(c, &sib))
			return -1;
		if (mod == 0 && (sib & 7) == 5)
			return skip(c, 4);
	}
	if (mod == 0)
		return rm == 5 ? skip(c, 4) : 0;	/* disp32 or RIP + disp32 */
	return skip(c, mod == 1 ? 1 : 4);
}

static bool is_legacy_prefix(u8 b)
{
	switch (b) {
	case 0x66: case 0x67: case 0x26: case 0x2e: case 0x36: case 0x3e:
	case 0x64: case 0x65: case 0xf0: case 0xf2: case 0xf3:
		return true;
	default:
		return false;
	}
}

int hvx_mmio_decode(const u8 *bytes, unsigned int avail, enum hvx_cpu_mode mode,
		    struct hvx_mmio_insn *out)
{
	struct cursor c = { bytes, avail, 0 };
	bool mode16 = mode == HVX_MODE_REAL || mode == HVX_MODE_PROT16;
	bool opsize_prefix = false, adsize_prefix = false;
	unsigned int op_size, addr_size, imm_size = 0;
	bool moffs = false;
	u8 b, rex = 0, modrm;

	memset(out, 0, sizeof(*out));
	for (;;) {
		if (next(&c, &b))
			return -1;
		if (is_legacy_prefix(b)) {
			/* LOCK, REP and REPNE have no meaning for a plain MOV. */
			if (b == 0xf0 || b == 0xf2 || b == 0xf3)
				return -1;
			opsize_prefix |= b == 0x66;
			adsize_prefix |= b == 0x67;
			rex = 0;	/* REX counts only right before the opcode */
			continue;
		}
		if (mode == HVX_MODE_LONG64 && (b & 0xf0) == 0x40) {
			rex = b;
			continue;
		}
		break;
	}

	if (mode == HVX_MODE_LONG64) {
		op_size = (rex & REX_W) ? 8 : opsize_prefix ? 2 : 4;
		addr_size = adsize_prefix ? 4 : 8;
	} else {
		op_size = (mode16 ^ opsize_prefix) ? 2 : 4;
		addr_size = (mode16 ^ adsize_prefix) ? 2 : 4;
	}

	switch (b) {
	case 0x88: case 0x89:		/* MOV r/m, reg */
		out->op = HVX_MMIO_STORE_REG;
		out->size = b == 0x88 ? 1 : op_size;
		break;
	case 0x8a: case 0x8b:		/* MOV reg, r/m */
		out->op = HVX_MMIO_LOAD;
		out->size = b == 0x8a ? 1 : op_size;
		out->dest_size = out->size;
		out->ext = HVX_MMIO_EXT_NONE;
		break;
	case 0xc6: case 0xc7:		/* MOV r/m, imm */
		out->op = HVX_MMIO_STORE_IMM;
		out->size = b == 0xc6 ? 1 : op_size;
		imm_size = out->size == 8 ? 4 : out->size;
		break;
	case 0x63:			/* MOVSXD reg, r/m32 */
		if (mode != HVX_MODE_LONG64)
			return -1;
		out->op = HVX_MMIO_LOAD;
		out->size = op_size == 8 ? 4 : op_size;
		out->dest_size = op_size;
		out->ext = op_size == 8 ? HVX_MMIO_EXT_SIGN : HVX_MMIO_EXT_NONE;
		break;
	case 0xa0: case 0xa1:		/* MOV AL/rAX, moffs */
		out->op = HVX_MMIO_LOAD;
		out->size = b == 0xa0 ? 1 : op_size;
		out->dest_size = out->size;
		out->ext = HVX_MMIO_EXT_NONE;
		moffs = true;
		break;
	case 0xa2: case 0xa3:		/* MOV moffs, AL/rAX */
		out->op = HVX_MMIO_STORE_REG;
		out->size = b == 0xa2 ? 1 : op_size;
		moffs = true;
		break;
	case 0x0f:
		if (next(&c, &b))
			return -1;
		if (b != 0xb6 && b != 0xb7 && b != 0xbe && b != 0xbf)
			return -1;
		out->op = HVX_MMIO_LOAD;
		out->size = (b & 1) ? 2 : 1;
		out->dest_size = op_size;
		out->ext = (b & 8) ? HVX_MMIO_EXT_SIGN : HVX_MMIO_EXT_ZERO;
		break;
	default:
		return -1;
	}

	/*
	 * The moffs forms (what compilers emit for a constant address above
	 * 2 GiB) name no ModRM: the address follows, address-size wide, and
	 * the register is AL/rAX (never AH, REX or not).
	 */
	if (moffs) {
		if (skip(&c, addr_size))
			return -1;
		out->len = c.pos;
		return 0;
	}
	if (next(&c, &modrm))
		return -1;
	out->reg = ((modrm >> 3) & 7) | ((rex & REX_R) ? 8 : 0);
	/* MOV r/m, imm is /0 only. */
	if (out->op == HVX_MMIO_STORE_IMM && (modrm & 0x38))
		return -1;
	if (skip_modrm_memory(&c, modrm, addr_size))
		return -1;
	if (imm_size) {
		unsigned int at = c.pos;
		u64 imm;

		if (skip(&c, imm_size))
			return -1;
		imm = read_le(bytes + at, imm_size);
		/* A 32-bit immediate of a 64-bit store is sign-extended. */
		if (out->size == 8)
			imm = (u64)(s64)(int32_t)imm;
		out->imm = imm;
		out->reg = 0;
	}
	/* Byte registers 4..7 are AH..BH unless a REX prefix is present. */
	if (out->op != HVX_MMIO_STORE_IMM && !rex && out->reg >= 4 && out->reg < 8 &&
	    (out->op == HVX_MMIO_LOAD ? out->dest_size : out->size) == 1) {
		out->high_byte = true;
		out->reg -= 4;
	}
	out->len = c.pos;
	return 0;
}

static u64 mask(unsigned int size)
{
	return size >= 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

void hvx_mmio_apply_load(const struct hvx_mmio_insn *insn, u64 value, u64 *gpr)
{
	unsigned int bits = insn->size * 8;
	u64 v = value & mask(insn->size);

	if (insn->ext == HVX_MMIO_EXT_SIGN && bits < 64 && (v >> (bits - 1)) & 1)
		v |= ~mask(insn->size);
	if (insn->high_byte) {
		*gpr = (*gpr & ~0xff00ULL) | ((v & 0xff) << 8);
		return;
	}
	switch (insn->dest_size) {
	case 1:
	case 2:
		*gpr = (*gpr & ~mask(insn->dest_size)) | (v & mask(insn->dest_size));
		break;
	case 4:
		*gpr = (u32)v;	/* 32-bit destinations clear bits 63:32 */
		break;
	default:
		*gpr = v;
		break;
	}
}

u64 hvx_mmio_store_value(const struct hvx_mmio_insn *insn, u64 gpr)
{
	if (insn->high_byte)
		return (gpr >> 8) & 0xff;
	return gpr & mask(insn->size);
}
