// SPDX-License-Identifier: GPL-2.0
/*
 * hvx.ko next to kvm_intel: VMX belongs to whichever has VMs.  A KVM guest,
 * then an hvx guest, then a KVM guest again; and while one holds VMX the
 * other's VM creation fails cleanly.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "vm_harness.h"
#include "vm.h"

static void run_out_loop(struct __test_metadata *_metadata, enum vm_backend backend)
{
	struct vm *vm = vm_create(backend, 2 << 20);

	ASSERT_NE(NULL, vm) TH_LOG("%s: %s", vm_backend_name[backend], strerror(errno));
	EXPECT_EQ(10000, vm_run_out_loop(vm)) TH_LOG("%s", vm_backend_name[backend]);
	vm_destroy(vm);
}

TEST(kvm_hvx_kvm)
{
	run_out_loop(_metadata, VM_KVM);
	run_out_loop(_metadata, VM_HVX);
	run_out_loop(_metadata, VM_KVM);
}

TEST(hvx_busy_while_kvm_runs)
{
	struct vm *kvm = vm_create(VM_KVM, 2 << 20);
	struct vm *hvx;

	ASSERT_NE(NULL, kvm);
	hvx = vm_create(VM_HVX, 2 << 20);
	EXPECT_EQ(NULL, hvx);
	EXPECT_EQ(EBUSY, errno);
	vm_destroy(kvm);
	/* With KVM's VM gone, hvx can have VMX. */
	hvx = vm_create(VM_HVX, 2 << 20);
	ASSERT_NE(NULL, hvx);
	vm_destroy(hvx);
}

TEST(kvm_fails_while_hvx_runs)
{
	struct vm *hvx = vm_create(VM_HVX, 2 << 20);
	struct vm *kvm;

	ASSERT_NE(NULL, hvx);
	kvm = vm_create(VM_KVM, 2 << 20);
	EXPECT_EQ(NULL, kvm);
	if (kvm)
		vm_destroy(kvm);
	vm_destroy(hvx);
	/* hvx left VMX operation: KVM works again. */
	kvm = vm_create(VM_KVM, 2 << 20);
	ASSERT_NE(NULL, kvm);
	vm_destroy(kvm);
}

TEST_HARNESS_MAIN
