// SPDX-License-Identifier: GPL-2.0
/* The CPUID policy: what userspace sets, plus the leaves hvx always owns. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vm_harness.h"
#include "uapi/hvx.h"
#include "vm.h"

static void guest_cpuid_regs(struct __test_metadata *_metadata, struct vm *vm,
			     uint32_t leaf, uint32_t subleaf, uint32_t out[4])
{
	struct vm_exit e;
	int i;

	vm_load(vm, GUEST_CODE_GPA, guest_cpuid, guest_cpuid_end);
	ASSERT_EQ(0, vm_setup_real(vm, GUEST_CODE_GPA));
	ASSERT_EQ(0, vm_set_gpr(vm, GPR_RAX, leaf));
	ASSERT_EQ(0, vm_set_gpr(vm, GPR_RCX, subleaf));
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, vm_run(vm, &e));
		ASSERT_EQ(VM_EXIT_IO, e.kind);
		ASSERT_EQ(0x14, e.port);
		out[i] = *(uint32_t *)e.data;
	}
	ASSERT_EQ(0, vm_run(vm, &e));
	ASSERT_EQ(VM_EXIT_HLT, e.kind);
}

TEST(signature_leaf)
{
	struct vm *vm = vm_create(VM_HVX, 2 << 20);
	uint32_t r[4];

	ASSERT_NE(NULL, vm);
	guest_cpuid_regs(_metadata, vm, 0x40000000, 0, r);
	EXPECT_EQ(0x40000001, r[0]);
	EXPECT_EQ(0, memcmp(&r[1], HVX_CPUID_SIGNATURE, 12));
	vm_destroy(vm);
}

TEST(policy_is_what_the_guest_sees)
{
	struct vm *vm = vm_create(VM_HVX, 2 << 20);
	struct hvx_cpuid *policy = calloc(1, sizeof(*policy) + 3 * sizeof(policy->entries[0]));
	uint32_t r[4];

	ASSERT_NE(NULL, vm);
	ASSERT_NE(NULL, policy);
	policy->nent = 3;
	policy->entries[0] = (struct hvx_cpuid_entry){ .function = 1, .eax = 0x50654,
						       .ecx = 0x1, .edx = 0x178bfbff };
	policy->entries[1] = (struct hvx_cpuid_entry){
		.function = 7, .index = 1, .flags = HVX_CPUID_FLAG_SIGNIFICANT_INDEX,
		.ebx = 0x1111 };
	policy->entries[2] = (struct hvx_cpuid_entry){
		.function = 7, .index = 0, .flags = HVX_CPUID_FLAG_SIGNIFICANT_INDEX,
		.ebx = 0x2222 };
	ASSERT_EQ(0, ioctl(vm->vcpu_fd, HVX_SET_CPUID, policy));

	guest_cpuid_regs(_metadata, vm, 1, 0, r);
	EXPECT_EQ(0x50654, r[0]);
	/* The hypervisor bit is always set. */
	EXPECT_EQ(0x80000001, r[2]);
	EXPECT_EQ(0x178bfbff, r[3]);
	guest_cpuid_regs(_metadata, vm, 7, 0, r);
	EXPECT_EQ(0x2222, r[1]);
	guest_cpuid_regs(_metadata, vm, 7, 1, r);
	EXPECT_EQ(0x1111, r[1]);
	/* Leaves the policy does not list read as zeros. */
	guest_cpuid_regs(_metadata, vm, 0x80000008, 0, r);
	EXPECT_EQ(0, r[0] | r[1] | r[2] | r[3]);
	free(policy);
	vm_destroy(vm);
}

TEST_HARNESS_MAIN
