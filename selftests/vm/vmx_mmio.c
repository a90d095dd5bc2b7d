// SPDX-License-Identifier: GPL-2.0
/*
 * MMIO: a 64-bit guest (page tables built in its memory, set up through
 * SREGS) accesses an unbacked address with every size; read-only slots.
 */
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "vm_harness.h"
#include "uapi/hvx.h"
#include "vm.h"

#define MMIO_GPA	0xc0000000ULL

static void expect_io(struct __test_metadata *_metadata, struct vm *vm,
		      uint16_t port, uint32_t value)
{
	struct vm_exit e;

	ASSERT_EQ(0, vm_run(vm, &e));
	ASSERT_EQ(VM_EXIT_IO, e.kind);
	ASSERT_EQ(port, e.port);
	ASSERT_EQ(value, *(uint32_t *)e.data);
}

TEST(mmio_sizes_1_2_4_8)
{
	static const struct { uint64_t off; uint8_t len; uint64_t val; } writes[] = {
		{ 0x00, 1, 0x11 }, { 0x10, 2, 0x2233 }, { 0x20, 4, 0x44556677 },
		{ 0x30, 8, 0x8899aabbccddeeffULL },
	};
	static const uint64_t reads[] = {
		0x0102030405060708ULL, 0x1112131415161718ULL,
		0x2122232425262728ULL, 0x3132333435363738ULL,
	};
	struct vm *vm = vm_create(VM_HVX, 4 << 20);
	struct vm_exit e;
	uint64_t val;
	int i;

	ASSERT_NE(NULL, vm);
	vm_load(vm, GUEST_CODE_GPA, guest_mmio64, guest_mmio64_end);
	ASSERT_EQ(0, vm_setup_long(vm, GUEST_CODE_GPA));
	ASSERT_EQ(0, vm_set_gpr(vm, GPR_RBX, MMIO_GPA));

	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, vm_run(vm, &e));
		ASSERT_EQ(VM_EXIT_MMIO, e.kind);
		EXPECT_EQ(MMIO_GPA + writes[i].off, e.addr);
		EXPECT_EQ(writes[i].len, e.size);
		EXPECT_EQ(1, e.is_write);
		val = 0;
		memcpy(&val, e.data, e.size);
		EXPECT_EQ(writes[i].val, val);
	}
	/* Loads: the guest echoes RAX to port 0x20 as two halves. */
	for (i = 0; i < 4; i++) {
		uint8_t len = 1 << i;
		uint64_t rax;

		ASSERT_EQ(0, vm_run(vm, &e));
		ASSERT_EQ(VM_EXIT_MMIO, e.kind);
		EXPECT_EQ(MMIO_GPA + 0x40 + 0x10 * i, e.addr);
		EXPECT_EQ(len, e.size);
		EXPECT_EQ(0, e.is_write);
		memcpy(e.data, &reads[i], len);
		/* MOV merges 8/16-bit loads and zero-extends 32-bit ones. */
		if (len == 8)
			rax = reads[i];
		else if (len == 4)
			rax = (uint32_t)reads[i];
		else
			rax = (~0ULL << (len * 8)) | (reads[i] & ((1ULL << (len * 8)) - 1));
		expect_io(_metadata, vm, 0x20, (uint32_t)rax);
		expect_io(_metadata, vm, 0x20, rax >> 32);
	}
	ASSERT_EQ(0, vm_run(vm, &e));
	EXPECT_EQ(VM_EXIT_HLT, e.kind);
	vm_destroy(vm);
}

TEST(readonly_slot_write_exits)
{
	struct vm *vm = vm_create(VM_HVX, 4 << 20);
	uint64_t *ro = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct vm_exit e;
	uint64_t val = 0;

	ASSERT_NE(NULL, vm);
	ASSERT_NE(MAP_FAILED, ro);
	*ro = 0x0badc0de5eed1234ULL;
	ASSERT_EQ(0, vm_set_memory(vm, 1, HVX_MEM_READONLY, 0x800000, 4096, ro));
	vm_load(vm, GUEST_CODE_GPA, guest_rw64, guest_rw64_end);
	ASSERT_EQ(0, vm_setup_long(vm, GUEST_CODE_GPA));
	ASSERT_EQ(0, vm_set_gpr(vm, GPR_RBX, 0x800000));
	ASSERT_EQ(0, vm_set_gpr(vm, GPR_RCX, 0x1122334455667788ULL));

	/* The read sees the slot's contents without an exit. */
	expect_io(_metadata, vm, 0x21, 0x5eed1234);
	ASSERT_EQ(0, vm_run(vm, &e));
	ASSERT_EQ(VM_EXIT_MMIO, e.kind);
	EXPECT_EQ(0x800000, e.addr);
	EXPECT_EQ(1, e.is_write);
	EXPECT_EQ(8, e.size);
	memcpy(&val, e.data, 8);
	EXPECT_EQ(0x1122334455667788ULL, val);
	/* The write did not reach memory. */
	EXPECT_EQ(0x0badc0de5eed1234ULL, *ro);
	expect_io(_metadata, vm, 0x21, 0x5eed1234);
	vm_destroy(vm);
	munmap(ro, 4096);
}

TEST(unbacked_gpa_is_mmio)
{
	struct vm *vm = vm_create(VM_HVX, 4 << 20);
	struct vm_exit e;

	ASSERT_NE(NULL, vm);
	vm_load(vm, GUEST_CODE_GPA, guest_rw64, guest_rw64_end);
	ASSERT_EQ(0, vm_setup_long(vm, GUEST_CODE_GPA));
	/* Just past the end of RAM, and far beyond it. */
	ASSERT_EQ(0, vm_set_gpr(vm, GPR_RBX, 4 << 20));
	ASSERT_EQ(0, vm_run(vm, &e));
	ASSERT_EQ(VM_EXIT_MMIO, e.kind);
	EXPECT_EQ(4 << 20, e.addr);
	EXPECT_EQ(0, e.is_write);
	vm_destroy(vm);
}

TEST_HARNESS_MAIN
