// SPDX-License-Identifier: GPL-2.0
/*
 * Two VMs at once: each sees only its own memory; and a VM made after
 * another is gone sees none of the old one's, though its EPT root and VPID
 * are likely the very ones the old VM had.
 */
#include <stdint.h>
#include <string.h>

#include "vm_harness.h"
#include "vm.h"

#define PROBE_GPA 0x200000

TEST(two_vms_isolated)
{
	struct vm *a = vm_create(VM_HVX, 4 << 20);
	struct vm *b = vm_create(VM_HVX, 4 << 20);
	struct vm *vms[2] = { a, b };
	const uint64_t pattern[2] = { 0xaaaaaaaa11111111ULL, 0xbbbbbbbb22222222ULL };
	const uint64_t written[2] = { 0xa0a0a0a0a0a0a0a0ULL, 0xb0b0b0b0b0b0b0b0ULL };
	struct vm_exit e;
	int i, round;

	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	for (i = 0; i < 2; i++) {
		memcpy(vms[i]->mem + PROBE_GPA, &pattern[i], 8);
		vm_load(vms[i], GUEST_CODE_GPA, guest_rw64, guest_rw64_end);
		ASSERT_EQ(0, vm_setup_long(vms[i], GUEST_CODE_GPA));
		ASSERT_EQ(0, vm_set_gpr(vms[i], GPR_RBX, PROBE_GPA));
		ASSERT_EQ(0, vm_set_gpr(vms[i], GPR_RCX, written[i]));
	}
	/* Interleave the two guests: read, write, read back. */
	for (round = 0; round < 2; round++) {
		for (i = 0; i < 2; i++) {
			uint32_t expect = round ? (uint32_t)written[i] : (uint32_t)pattern[i];

			ASSERT_EQ(0, vm_run(vms[i], &e));
			ASSERT_EQ(VM_EXIT_IO, e.kind);
			EXPECT_EQ(expect, *(uint32_t *)e.data);
		}
	}
	for (i = 0; i < 2; i++) {
		uint64_t now;

		memcpy(&now, vms[i]->mem + PROBE_GPA, 8);
		EXPECT_EQ(written[i], now);
	}
	vm_destroy(a);
	vm_destroy(b);
}

/*
 * VM A reads and writes its memory (the CPU caches the translations under
 * A's EPTP and VPID) and goes; VM B, the same size with the same guest
 * code, likely gets A's EPT root page and VPID.  B must reach its own
 * memory, never A's freed pages, through anything the CPU kept.
 */
TEST(next_vm_reaches_none_of_a_gone_vms_memory)
{
	const uint64_t pattern[2] = { 0xaaaaaaaa33333333ULL, 0xbbbbbbbb44444444ULL };
	const uint64_t written[2] = { 0xa1a1a1a1a1a1a1a1ULL, 0xb1b1b1b1b1b1b1b1ULL };
	struct vm_exit e;
	uint64_t now;
	int i, round;

	for (i = 0; i < 2; i++) {
		struct vm *vm = vm_create(VM_HVX, 4 << 20);

		ASSERT_NE(NULL, vm);
		memcpy(vm->mem + PROBE_GPA, &pattern[i], 8);
		vm_load(vm, GUEST_CODE_GPA, guest_rw64, guest_rw64_end);
		ASSERT_EQ(0, vm_setup_long(vm, GUEST_CODE_GPA));
		ASSERT_EQ(0, vm_set_gpr(vm, GPR_RBX, PROBE_GPA));
		ASSERT_EQ(0, vm_set_gpr(vm, GPR_RCX, written[i]));
		for (round = 0; round < 2; round++) {
			uint32_t expect = round ? (uint32_t)written[i] : (uint32_t)pattern[i];

			ASSERT_EQ(0, vm_run(vm, &e));
			ASSERT_EQ(VM_EXIT_IO, e.kind);
			EXPECT_EQ(expect, *(uint32_t *)e.data) TH_LOG("VM %c, round %d", 'A' + i, round);
		}
		memcpy(&now, vm->mem + PROBE_GPA, 8);
		EXPECT_EQ(written[i], now) TH_LOG("VM %c's write", 'A' + i);
		vm_destroy(vm);
	}
}

TEST_HARNESS_MAIN
