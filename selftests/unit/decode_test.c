// SPDX-License-Identifier: GPL-2.0
/* The MMIO instruction decoder, on encodings checked against GNU as. */
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "emulate/emulate.h"

struct insn_case {
	const char *text;
	u8 bytes[15];
	u8 n;
	enum hvx_cpu_mode mode;
	u8 len, op, size, reg, high, dest, ext;
	u64 imm;
};

#define L HVX_MODE_LONG64
#define P32 HVX_MODE_PROT32
#define R HVX_MODE_REAL
#define LD HVX_MMIO_LOAD
#define SR HVX_MMIO_STORE_REG
#define SI HVX_MMIO_STORE_IMM

static const struct insn_case cases[] = {
	{ "mov %al,(%rbx)", { 0x88, 0x03 }, 2, L, 2, SR, 1, 0, 0, 0, 0, 0 },
	{ "mov %ah,(%rbx)", { 0x88, 0x23 }, 2, L, 2, SR, 1, 0, 1, 0, 0, 0 },
	{ "mov %spl,(%rbx)", { 0x40, 0x88, 0x23 }, 3, L, 3, SR, 1, 4, 0, 0, 0, 0 },
	{ "mov %r9w,0x10(%rbx)", { 0x66, 0x44, 0x89, 0x4b, 0x10 }, 5, L, 5, SR, 2, 9, 0, 0, 0, 0 },
	{ "mov %ecx,(%rsp)", { 0x89, 0x0c, 0x24 }, 3, L, 3, SR, 4, 1, 0, 0, 0, 0 },
	{ "mov %rax,0x12345678(%rip)", { 0x48, 0x89, 0x05, 0x78, 0x56, 0x34, 0x12 }, 7, L, 7, SR, 8, 0, 0, 0, 0, 0 },
	{ "mov 0x30(%rbx,%rcx,8),%r15", { 0x4c, 0x8b, 0x7c, 0xcb, 0x30 }, 5, L, 5, LD, 8, 15, 0, 8, HVX_MMIO_EXT_NONE, 0 },
	{ "mov 0x1000(,%rax,4),%edx", { 0x8b, 0x14, 0x85, 0x00, 0x10, 0x00, 0x00 }, 7, L, 7, LD, 4, 2, 0, 4, HVX_MMIO_EXT_NONE, 0 },
	{ "movb $0x11,(%rbx)", { 0xc6, 0x03, 0x11 }, 3, L, 3, SI, 1, 0, 0, 0, 0, 0x11 },
	{ "movw $0x2233,0x10(%rbx)", { 0x66, 0xc7, 0x43, 0x10, 0x33, 0x22 }, 6, L, 6, SI, 2, 0, 0, 0, 0, 0x2233 },
	{ "movq $-2,(%rdi)", { 0x48, 0xc7, 0x07, 0xfe, 0xff, 0xff, 0xff }, 7, L, 7, SI, 8, 0, 0, 0, 0, 0xfffffffffffffffeULL },
	{ "movzbl (%rsi),%eax", { 0x0f, 0xb6, 0x06 }, 3, L, 3, LD, 1, 0, 0, 4, HVX_MMIO_EXT_ZERO, 0 },
	{ "movswq 2(%rsi),%rdx", { 0x48, 0x0f, 0xbf, 0x56, 0x02 }, 5, L, 5, LD, 2, 2, 0, 8, HVX_MMIO_EXT_SIGN, 0 },
	{ "movslq (%rax),%rcx", { 0x48, 0x63, 0x08 }, 3, L, 3, LD, 4, 1, 0, 8, HVX_MMIO_EXT_SIGN, 0 },
	{ "mov %fs:(%rax),%bh", { 0x64, 0x8a, 0x38 }, 3, L, 3, LD, 1, 3, 1, 1, HVX_MMIO_EXT_NONE, 0 },
	{ "movabs 0xc0000050,%rax", { 0x48, 0xa1, 0x50, 0, 0, 0xc0, 0, 0, 0, 0 }, 10, L, 10, LD, 8, 0, 0, 8, HVX_MMIO_EXT_NONE, 0 },
	{ "movabs 0xc0000040,%al", { 0xa0, 0x40, 0, 0, 0xc0, 0, 0, 0, 0 }, 9, L, 9, LD, 1, 0, 0, 1, HVX_MMIO_EXT_NONE, 0 },
	{ "movabs %eax,0xc0000010", { 0xa3, 0x10, 0, 0, 0xc0, 0, 0, 0, 0 }, 9, L, 9, SR, 4, 0, 0, 0, 0, 0 },
	{ "addr32 mov %ax,0xc0000010", { 0x66, 0x67, 0xa3, 0x10, 0, 0, 0xc0 }, 7, L, 7, SR, 2, 0, 0, 0, 0, 0 },
	{ "mov 0x1234,%al (16-bit)", { 0xa0, 0x34, 0x12 }, 3, R, 3, LD, 1, 0, 0, 1, HVX_MMIO_EXT_NONE, 0 },
	{ "mov %eax,0x500 (32-bit)", { 0xa3, 0x00, 0x05, 0, 0 }, 5, P32, 5, SR, 4, 0, 0, 0, 0, 0 },
	{ "mov 0x8(%ebx),%eax (32-bit)", { 0x8b, 0x43, 0x08 }, 3, P32, 3, LD, 4, 0, 0, 4, HVX_MMIO_EXT_NONE, 0 },
	{ "mov %ax,0x1234 (32-bit)", { 0x66, 0xa3, 0x34, 0x12, 0, 0 }, 6, P32, 6, SR, 2, 0, 0, 0, 0, 0 },
	{ "mov %ax,0x1234 (32-bit, cut short)", { 0x66, 0xa3, 0x34, 0x12 }, 4, P32, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "add %eax,(%rbx)", { 0x01, 0x03 }, 0, L, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "mov %ax,(%bx,%si) (real)", { 0x89, 0x00 }, 2, R, 2, SR, 2, 0, 0, 0, 0, 0 },
	{ "mov 0x1234,%cx (real)", { 0x8b, 0x0e, 0x34, 0x12 }, 4, R, 4, LD, 2, 1, 0, 2, HVX_MMIO_EXT_NONE, 0 },
	{ "mov %eax,0x10(%bp) (real, 66)", { 0x66, 0x89, 0x46, 0x10 }, 4, R, 4, SR, 4, 0, 0, 0, 0, 0 },
	{ "mov %eax,0x1000(%eax) (real, 67)", { 0x66, 0x67, 0x89, 0x80, 0x00, 0x10, 0x00, 0x00 }, 8, R, 8, SR, 4, 0, 0, 0, 0, 0 },
};

TEST(known_encodings)
{
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct insn_case *c = &cases[i];
		struct hvx_mmio_insn insn;
		int ret = hvx_mmio_decode(c->bytes, c->n ? c->n : 15, c->mode, &insn);

		if (!c->len) {
			EXPECT_EQ(-1, ret) TH_LOG("%s should be refused", c->text);
			continue;
		}
		ASSERT_EQ(0, ret) TH_LOG("%s", c->text);
		EXPECT_EQ(c->len, insn.len) TH_LOG("%s", c->text);
		EXPECT_EQ(c->op, insn.op) TH_LOG("%s", c->text);
		EXPECT_EQ(c->size, insn.size) TH_LOG("%s", c->text);
		if (c->op != SI) {
			EXPECT_EQ(c->reg, insn.reg) TH_LOG("%s", c->text);
			EXPECT_EQ(c->high, insn.high_byte) TH_LOG("%s", c->text);
		} else {
			EXPECT_EQ(c->imm, insn.imm) TH_LOG("%s", c->text);
		}
		if (c->op == LD) {
			EXPECT_EQ(c->dest, insn.dest_size) TH_LOG("%s", c->text);
			EXPECT_EQ(c->ext, insn.ext) TH_LOG("%s", c->text);
		}
	}
}

TEST(truncated_and_refused)
{
	static const u8 rip_rel[] = { 0x48, 0x89, 0x05, 0x78, 0x56, 0x34, 0x12 };
	static const u8 refused[][3] = {
		{ 0x01, 0x03 },		/* add */
		{ 0x89, 0xc3 },		/* register to register */
		{ 0xf3, 0x89, 0x03 },	/* rep */
		{ 0xf0, 0x89, 0x03 },	/* lock */
		{ 0xc7, 0x4b, 0x10 },	/* c7 /1 */
	};
	struct hvx_mmio_insn insn;
	unsigned int n, i;

	for (n = 0; n < sizeof(rip_rel); n++)
		EXPECT_EQ(-1, hvx_mmio_decode(rip_rel, n, L, &insn)) TH_LOG("%u bytes", n);
	EXPECT_EQ(0, hvx_mmio_decode(rip_rel, sizeof(rip_rel), L, &insn));
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		EXPECT_EQ(-1, hvx_mmio_decode(refused[i], 3, L, &insn)) TH_LOG("case %u", i);
	/* MOVSXD does not exist outside 64-bit mode. */
	EXPECT_EQ(-1, hvx_mmio_decode((const u8 *)"\x63\x08", 2, P32, &insn));
}

TEST(prefixes_cannot_run_past_15_bytes)
{
	u8 bytes[32];
	struct hvx_mmio_insn insn;

	memset(bytes, 0x66, sizeof(bytes));
	EXPECT_EQ(-1, hvx_mmio_decode(bytes, sizeof(bytes), L, &insn));
}

TEST(load_semantics)
{
	struct hvx_mmio_insn insn = { .op = LD, .size = 1, .dest_size = 1 };
	u64 reg = 0x1122334455667788ULL;

	hvx_mmio_apply_load(&insn, 0xaa, &reg);
	EXPECT_EQ(0x11223344556677aaULL, reg);
	insn.high_byte = true;
	hvx_mmio_apply_load(&insn, 0xbb, &reg);
	EXPECT_EQ(0x112233445566bbaaULL, reg);
	insn = (struct hvx_mmio_insn){ .op = LD, .size = 2, .dest_size = 2 };
	hvx_mmio_apply_load(&insn, 0xcccc, &reg);
	EXPECT_EQ(0x112233445566ccccULL, reg);
	insn = (struct hvx_mmio_insn){ .op = LD, .size = 4, .dest_size = 4 };
	hvx_mmio_apply_load(&insn, 0xdeadbeef, &reg);
	EXPECT_EQ(0xdeadbeefULL, reg);
	insn = (struct hvx_mmio_insn){ .op = LD, .size = 1, .dest_size = 8,
				       .ext = HVX_MMIO_EXT_SIGN };
	hvx_mmio_apply_load(&insn, 0x80, &reg);
	EXPECT_EQ(0xffffffffffffff80ULL, reg);
	insn.ext = HVX_MMIO_EXT_ZERO;
	hvx_mmio_apply_load(&insn, 0x80, &reg);
	EXPECT_EQ(0x80ULL, reg);
	insn = (struct hvx_mmio_insn){ .op = SR, .size = 1, .high_byte = true };
	EXPECT_EQ(0x12, hvx_mmio_store_value(&insn, 0x1234));
	insn.high_byte = false;
	EXPECT_EQ(0x34, hvx_mmio_store_value(&insn, 0x1234));
}

/* Random bytes, all lengths: decoding stays in bounds (ASan watches). */
TEST(random_bytes_stay_in_bounds)
{
	struct hvx_mmio_insn insn;
	unsigned int i, n, mode;

	srand(1);
	for (i = 0; i < 200000; i++) {
		n = rand() % 16;
		u8 *buf = malloc(n ? n : 1);

		ASSERT_NE(NULL, buf);
		for (unsigned int j = 0; j < n; j++)
			buf[j] = rand();
		mode = rand() % 4;
		if (!hvx_mmio_decode(buf, n, mode, &insn)) {
			ASSERT_LE(insn.len, n);
			ASSERT_TRUE(insn.size == 1 || insn.size == 2 || insn.size == 4 ||
				    insn.size == 8);
		}
		free(buf);
	}
}

TEST_HARNESS_MAIN
