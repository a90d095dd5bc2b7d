// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile guest: port I/O.  Random ports, sizes, directions and values
 * (the test predicts each exit from the same random sequence as the guest
 * and answers INs the guest then checks), string I/O with odd counts in
 * both directions, and port I/O at CPL 3, which must never reach the VMM.
 */
#include <stdint.h>
#include <string.h>

#include "vm_harness.h"
#include "uapi/hvx.h"
#include "guest.h"
#include "host_health.h"
#include "vm.h"

#define RANDOM_IOS	20000

struct io_op {
	uint16_t port;
	uint8_t size;
	uint8_t in;
	uint32_t value;
};

/* The same on both sides: the guest does it, the test expects it. */
static struct io_op next_op(uint64_t *rng)
{
	uint64_t r = guest_rand(rng);
	struct io_op op = {
		.port = r & 0xffff,
		.size = 1 << ((r >> 16) % 3),
		.in = (r >> 20) & 1,
		.value = r >> 32,
	};

	if (op.port == UCALL_PORT)
		op.port ^= 1;
	if (op.size < 4)
		op.value &= (1U << (op.size * 8)) - 1;
	return op;
}

static void guest_random_io(uint64_t seed)
{
	uint64_t rng = seed;
	unsigned int i;

	for (i = 0; i < RANDOM_IOS; i++) {
		struct io_op op = next_op(&rng);
		uint32_t got = 0;
		uint8_t b;
		uint16_t w;

		switch (op.size | op.in << 4) {
		case 1: asm volatile("outb %b0, %w1" : : "a"(op.value), "d"(op.port)); break;
		case 2: asm volatile("outw %w0, %w1" : : "a"(op.value), "d"(op.port)); break;
		case 4: asm volatile("outl %0, %w1" : : "a"(op.value), "d"(op.port)); break;
		case 0x11:
			asm volatile("inb %w1, %b0" : "=a"(b) : "d"(op.port));
			got = b;
			break;
		case 0x12:
			asm volatile("inw %w1, %w0" : "=a"(w) : "d"(op.port));
			got = w;
			break;
		case 0x14:
			asm volatile("inl %w1, %0" : "=a"(got) : "d"(op.port));
			break;
		}
		if (op.in)
			GUEST_ASSERT_EQ3(op.value, got, i);
	}
}

TEST(random_port_io)
{
	const uint64_t seed = 0x5deece66dULL;
	uint64_t rng = seed;
	struct host_health h;
	struct guest_ucall uc;
	struct vm_exit e;
	struct vm *vm;
	char buf[512];
	unsigned int i;
	int got;

	ASSERT_EQ(0, host_health_begin(&h));
	vm = guest_vm_create();
	ASSERT_NE(NULL, vm);
	ASSERT_EQ(0, guest_vm_start(vm, guest_random_io, seed));
	for (i = 0; i < RANDOM_IOS; i++) {
		struct io_op op = next_op(&rng);
		uint32_t data = 0;

		got = guest_run(vm, &e, &uc);
		if (got != UCALL_NONE || e.kind != VM_EXIT_IO)
			TH_LOG("op %u: %s", i, guest_exit_describe(got, &e, &uc, buf, sizeof(buf)));
		ASSERT_EQ(UCALL_NONE, got);
		ASSERT_EQ(VM_EXIT_IO, e.kind);
		ASSERT_EQ(op.port, e.port);
		ASSERT_EQ(op.size, e.size);
		ASSERT_EQ(!op.in, e.is_write);
		if (op.in) {
			memcpy(e.data, &op.value, op.size);
		} else {
			memcpy(&data, e.data, op.size);
			ASSERT_EQ(op.value, data);
		}
	}
	ASSERT_UCALL(vm, UCALL_DONE, &uc);
	vm_destroy(vm);
	ASSERT_HOST_HEALTHY(&h);
	host_health_end(&h);
}

/*
 * String I/O: OUTS and INS of each size, counts 1, 3 and 7, forwards and
 * backwards.  hvx may emulate them (the data must then be right) or refuse
 * them with an internal error that leaves RIP on the instruction, for the
 * VMM to deal with; anything else fails.
 */
#define STRING_PORT	0x3f0
static uint8_t string_buf[64 + 64];

static void guest_string_io(uint64_t unused)
{
	static const unsigned int counts[] = { 1, 3, 7 };
	unsigned int size, c, back, out, i;

	for (i = 0; i < sizeof(string_buf); i++)
		string_buf[i] = i;
	for (size = 1; size <= 4; size *= 2)
	for (c = 0; c < 3; c++)
	for (back = 0; back < 2; back++)
	for (out = 0; out < 2; out++) {
		uint64_t count = counts[c];
		/* Backwards starts at the last element. */
		uint8_t *p = string_buf + 64 + (back ? (count - 1) * size : 0);
		uint8_t vec;

		if (back)
			asm volatile("std");
		if (out && size == 1)
			vec = GUEST_ASM_SAFE("rep outsb", "+c"(count) _GUEST_COMMA "+S"(p), "d"(STRING_PORT));
		else if (out && size == 2)
			vec = GUEST_ASM_SAFE("rep outsw", "+c"(count) _GUEST_COMMA "+S"(p), "d"(STRING_PORT));
		else if (out)
			vec = GUEST_ASM_SAFE("rep outsl", "+c"(count) _GUEST_COMMA "+S"(p), "d"(STRING_PORT));
		else if (size == 1)
			vec = GUEST_ASM_SAFE("rep insb", "+c"(count) _GUEST_COMMA "+D"(p), "d"(STRING_PORT));
		else if (size == 2)
			vec = GUEST_ASM_SAFE("rep insw", "+c"(count) _GUEST_COMMA "+D"(p), "d"(STRING_PORT));
		else
			vec = GUEST_ASM_SAFE("rep insl", "+c"(count) _GUEST_COMMA "+D"(p), "d"(STRING_PORT));
		asm volatile("cld");
		/* Refused: the host moved RIP on, nothing ran. */
		if (vec == GUEST_RECOVERED)
			continue;
		GUEST_ASSERT_EQ(GUEST_NO_FAULT, vec);
		GUEST_ASSERT_EQ(0, count);
		GUEST_SYNC4(size, counts[c], back, out);
	}
}

TEST(string_io_odd_counts_both_directions)
{
	struct host_health h;
	struct guest_ucall uc;
	struct vm_exit e;
	struct vm *vm;
	char buf[512];
	int got, refused = 0, emulated = 0;

	ASSERT_EQ(0, host_health_begin(&h));
	vm = guest_vm_create();
	ASSERT_NE(NULL, vm);
	ASSERT_EQ(0, guest_vm_start(vm, guest_string_io, 0));
	for (;;) {
		got = guest_run(vm, &e, &uc);
		if (got == UCALL_DONE)
			break;
		if (got == UCALL_SYNC) {
			emulated++;
			continue;
		}
		if (got == UCALL_NONE && e.kind == VM_EXIT_INTERNAL) {
			struct hvx_regs regs;
			uint8_t *insn;

			ASSERT_EQ(0, vm_get_regs(vm, &regs));
			insn = vm->mem + regs.rip;
			/* REP and maybe an operand-size prefix, then INS or OUTS. */
			ASSERT_TRUE(insn[0] == 0xf3 || insn[1] == 0xf3);
			while (*insn == 0xf3 || *insn == 0x66)
				insn++;
			ASSERT_TRUE(*insn >= 0x6c && *insn <= 0x6f);
			ASSERT_EQ(0, guest_vm_skip_to_fixup(vm));
			refused++;
			continue;
		}
		if (got == UCALL_NONE && e.kind == VM_EXIT_IO) {
			struct hvx_run *run = vm->run;

			ASSERT_EQ(STRING_PORT, e.port);
			if (!e.is_write)
				memset(e.data, 0xa5, run->io.size * run->io.count);
			continue;
		}
		TH_LOG("%s", guest_exit_describe(got, &e, &uc, buf, sizeof(buf)));
		ASSERT_EQ(UCALL_DONE, got);
	}
	TH_LOG("string I/O: %d emulated, %d refused with an internal error", emulated, refused);
	EXPECT_EQ(3 * 3 * 2 * 2, emulated + refused);
	vm_destroy(vm);
	ASSERT_HOST_HEALTHY(&h);
	host_health_end(&h);
}

/* IOPL 0 and no I/O bitmap: CPL 3 port I/O raises #GP, no exit. */
static void guest_user_io(uint64_t unused)
{
	static const uint8_t insns[][2] = {
		{ 0xec }, { 0xed }, { 0xee }, { 0xef }, { 0x6c }, { 0x6d }, { 0x6e }, { 0x6f },
		{ 0xe4, 0x80 }, { 0xe6, 0x80 },
	};
	struct guest_user_regs regs;
	unsigned int i;

	for (i = 0; i < sizeof(insns) / sizeof(insns[0]); i++) {
		__builtin_memset(&regs, 0, sizeof(regs));
		regs.rdx = 0x80;
		regs.rsi = regs.rdi = GUEST_USER_GPA + 0x1000;
		GUEST_ASSERT_EQ3(GP_VECTOR, guest_user_run_bytes(insns[i], insns[i][0] >= 0xe4 ? 2 : 1,
								 &regs), i);
		GUEST_ASSERT_EQ3(GUEST_USER_CODE, guest_user_fault_rip, i);
	}
}

TEST(port_io_at_cpl3_gp)
{
	GUEST_RUN_TO_DONE(guest_user_io, 0);
}

TEST_HARNESS_MAIN
