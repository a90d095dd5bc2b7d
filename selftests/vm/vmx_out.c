// SPDX-License-Identifier: GPL-2.0
/* Port I/O exits: a real-mode guest's OUTs and INs reach userspace exactly. */
#include <stdint.h>
#include <string.h>

#include "vm_harness.h"
#include "uapi/hvx.h"
#include "vm.h"

TEST(out_10000_in_order)
{
	struct vm *vm = vm_create(VM_HVX, 2 << 20);

	ASSERT_NE(NULL, vm);
	/* Every OUT seen, with its port, size, direction and value, in order. */
	EXPECT_EQ(10000, vm_run_out_loop(vm));
	vm_destroy(vm);
}

TEST(in_value_reaches_guest)
{
	static const uint32_t values[] = { 0x12345678, 0xdeadbeef, 7 };
	struct vm *vm = vm_create(VM_HVX, 2 << 20);
	struct vm_exit e;
	int i;

	ASSERT_NE(NULL, vm);
	vm_load(vm, GUEST_CODE_GPA, guest_in_echo, guest_in_echo_end);
	ASSERT_EQ(0, vm_setup_real(vm, GUEST_CODE_GPA));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, vm_run(vm, &e));
		ASSERT_EQ(VM_EXIT_IO, e.kind);
		ASSERT_EQ(0x11, e.port);
		ASSERT_EQ(0, e.is_write);
		ASSERT_EQ(4, e.size);
		memcpy(e.data, &values[i], 4);
		ASSERT_EQ(0, vm_run(vm, &e));
		ASSERT_EQ(VM_EXIT_IO, e.kind);
		ASSERT_EQ(0x12, e.port);
		ASSERT_EQ(values[i], *(uint32_t *)e.data);
	}
	ASSERT_EQ(0, vm_run(vm, &e));
	EXPECT_EQ(VM_EXIT_HLT, e.kind);
	vm_destroy(vm);
}

/* The run page is the VMM's to scribble on: hvx must not trust it. */
TEST(in_ignores_scribbled_data_offset)
{
	struct vm *vm = vm_create(VM_HVX, 2 << 20);
	struct hvx_run *run;
	struct vm_exit e;
	uint32_t value = 0x5a5a1234;

	ASSERT_NE(NULL, vm);
	run = vm->run;
	vm_load(vm, GUEST_CODE_GPA, guest_in_echo, guest_in_echo_end);
	ASSERT_EQ(0, vm_setup_real(vm, GUEST_CODE_GPA));
	ASSERT_EQ(0, vm_run(vm, &e));
	ASSERT_EQ(VM_EXIT_IO, e.kind);
	memcpy(e.data, &value, 4);
	run->io.data_offset = 0x7ffffffffffULL;
	ASSERT_EQ(0, vm_run(vm, &e));
	ASSERT_EQ(VM_EXIT_IO, e.kind);
	EXPECT_EQ(value, *(uint32_t *)e.data);
	vm_destroy(vm);
}

TEST_HARNESS_MAIN
