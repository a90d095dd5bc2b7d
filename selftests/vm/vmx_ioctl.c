// SPDX-License-Identifier: GPL-2.0
/* Bad ioctl input gets a clear error and never hurts the host. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vm_harness.h"
#include "uapi/hvx.h"
#include "vm.h"

#define BAD_PTR ((void *)0x10)

static int set_region(int vm_fd, uint32_t slot, uint32_t flags, uint64_t gpa,
		      uint64_t size, uint64_t hva)
{
	struct hvx_user_memory_region r = {
		.slot = slot, .flags = flags, .guest_phys_addr = gpa,
		.memory_size = size, .userspace_addr = hva,
	};

	return ioctl(vm_fd, HVX_SET_USER_MEMORY_REGION, &r);
}

FIXTURE(dev) {
	int dev, vm;
	char *mem;
};

FIXTURE_SETUP(dev)
{
	self->dev = open("/dev/hvx", O_RDWR);
	ASSERT_LE(0, self->dev);
	self->vm = ioctl(self->dev, HVX_CREATE_VM, 0);
	ASSERT_LE(0, self->vm);
	self->mem = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->mem);
}

FIXTURE_TEARDOWN(dev)
{
	close(self->vm);
	close(self->dev);
	munmap(self->mem, 1 << 20);
}

#define EXPECT_ERRNO(err, call) do { EXPECT_EQ(-1, (call)); EXPECT_EQ(err, errno); } while (0)

TEST_F(dev, device_ioctls)
{
	EXPECT_EQ(HVX_API_VERSION, ioctl(self->dev, HVX_GET_API_VERSION, 0));
	EXPECT_ERRNO(EINVAL, ioctl(self->dev, HVX_GET_API_VERSION, 1));
	EXPECT_ERRNO(EINVAL, ioctl(self->dev, HVX_CREATE_VM, 1));
	EXPECT_ERRNO(ENOTTY, ioctl(self->dev, _IO(HVXIO, 0x7f), 0));
	/* The right number with another size is another ioctl. */
	EXPECT_ERRNO(ENOTTY, ioctl(self->dev, _IOW(HVXIO, 0x00, int), 0));
	/* VM ioctls on the device fd, device ioctls on the VM fd. */
	EXPECT_ERRNO(ENOTTY, ioctl(self->dev, HVX_CREATE_VCPU, 0));
	EXPECT_ERRNO(ENOTTY, ioctl(self->vm, HVX_CREATE_VM, 0));
}

TEST_F(dev, memory_regions)
{
	uint64_t hva = (uintptr_t)self->mem;

	EXPECT_EQ(0, set_region(self->vm, 0, 0, 0, 1 << 20, hva));
	EXPECT_ERRNO(EEXIST, set_region(self->vm, 0, 0, 0x200000, 4096, hva));
	/* Overlapping another slot. */
	EXPECT_ERRNO(EINVAL, set_region(self->vm, 1, 0, 0xff000, 8192, hva));
	/* Unaligned address, size, host address. */
	EXPECT_ERRNO(EINVAL, set_region(self->vm, 1, 0, 0x200800, 4096, hva));
	EXPECT_ERRNO(EINVAL, set_region(self->vm, 1, 0, 0x200000, 100, hva));
	EXPECT_ERRNO(EINVAL, set_region(self->vm, 1, 0, 0x200000, 4096, hva + 1));
	/* Unknown flags, slot out of range, wrapping and huge ranges. */
	EXPECT_ERRNO(EINVAL, set_region(self->vm, 1, 0x80, 0x200000, 4096, hva));
	EXPECT_ERRNO(EINVAL, set_region(self->vm, HVX_MAX_MEM_SLOTS, 0, 0x200000, 4096, hva));
	EXPECT_ERRNO(EINVAL, set_region(self->vm, 1, 0, ~0xfffULL, 8192, hva));
	EXPECT_ERRNO(EINVAL, set_region(self->vm, 1, 0, 1ULL << 48, 4096, hva));
	/* Kernel addresses are not the VMM's memory. */
	EXPECT_ERRNO(EFAULT, set_region(self->vm, 1, 0, 0x200000, 4096,
					0xffff888000000000ULL));
	/* Bad argument pointer. */
	EXPECT_ERRNO(EFAULT, ioctl(self->vm, HVX_SET_USER_MEMORY_REGION, BAD_PTR));
	/* Delete, then the slot is free again. */
	EXPECT_EQ(0, set_region(self->vm, 0, 0, 0, 0, 0));
	EXPECT_EQ(0, set_region(self->vm, 0, HVX_MEM_READONLY, 0x400000, 4096, hva));
}

TEST_F(dev, vcpu_ioctls)
{
	struct hvx_cpuid *cpuid;
	struct hvx_sregs sregs;
	int vcpu;

	EXPECT_ERRNO(EINVAL, ioctl(self->vm, HVX_CREATE_VCPU, HVX_MAX_VCPUS));
	EXPECT_ERRNO(EINVAL, ioctl(self->vm, HVX_CREATE_VCPU, -1UL));
	vcpu = ioctl(self->vm, HVX_CREATE_VCPU, 0);
	ASSERT_LE(0, vcpu);
	EXPECT_ERRNO(EEXIST, ioctl(self->vm, HVX_CREATE_VCPU, 0));

	EXPECT_ERRNO(EFAULT, ioctl(vcpu, HVX_GET_REGS, BAD_PTR));
	EXPECT_ERRNO(EFAULT, ioctl(vcpu, HVX_SET_SREGS, BAD_PTR));
	EXPECT_ERRNO(EINVAL, ioctl(vcpu, HVX_RUN, 1));
	EXPECT_ERRNO(ENOTTY, ioctl(vcpu, HVX_CREATE_VCPU, 0));

	ASSERT_EQ(0, ioctl(vcpu, HVX_GET_SREGS, &sregs));
	sregs.reserved[0] = 1;
	EXPECT_ERRNO(EINVAL, ioctl(vcpu, HVX_SET_SREGS, &sregs));
	sregs.reserved[0] = 0;
	sregs.cs.type = 16;
	EXPECT_ERRNO(EINVAL, ioctl(vcpu, HVX_SET_SREGS, &sregs));
	sregs.cs.type = 0xb;
	sregs.cr0 = 0x80000000;	/* paging without protection */
	EXPECT_ERRNO(EINVAL, ioctl(vcpu, HVX_SET_SREGS, &sregs));
	sregs.cr0 = 0x10;
	sregs.cr4 = 1 << 13;	/* VMXE is the host's */
	EXPECT_ERRNO(EINVAL, ioctl(vcpu, HVX_SET_SREGS, &sregs));

	cpuid = calloc(1, sizeof(*cpuid) + 2 * sizeof(cpuid->entries[0]));
	ASSERT_NE(NULL, cpuid);
	cpuid->nent = HVX_MAX_CPUID_ENTRIES + 1;
	EXPECT_ERRNO(E2BIG, ioctl(vcpu, HVX_SET_CPUID, cpuid));
	cpuid->nent = 0x7fffffff;
	EXPECT_ERRNO(E2BIG, ioctl(vcpu, HVX_SET_CPUID, cpuid));
	cpuid->nent = 2;
	cpuid->entries[1].reserved[2] = 1;
	EXPECT_ERRNO(EINVAL, ioctl(vcpu, HVX_SET_CPUID, cpuid));
	cpuid->entries[1].reserved[2] = 0;
	cpuid->entries[1].flags = 0x100;
	EXPECT_ERRNO(EINVAL, ioctl(vcpu, HVX_SET_CPUID, cpuid));
	cpuid->entries[1].flags = 0;
	EXPECT_EQ(0, ioctl(vcpu, HVX_SET_CPUID, cpuid));
	EXPECT_ERRNO(EFAULT, ioctl(vcpu, HVX_SET_CPUID, BAD_PTR));
	free(cpuid);

	/* The run page maps at offset 0 only, one page. */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ, MAP_SHARED, vcpu, 4096));
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 8192, PROT_READ, MAP_SHARED, vcpu, 0));
	close(vcpu);
}

TEST(bad_fds)
{
	int fd = open("/dev/null", O_RDWR);

	ASSERT_LE(0, fd);
	/* hvx ioctls on a foreign fd, and on a closed one. */
	EXPECT_EQ(-1, ioctl(fd, HVX_CREATE_VCPU, 0));
	close(fd);
	EXPECT_ERRNO(EBADF, ioctl(fd, HVX_RUN, 0));
}

TEST(many_vms)
{
	int dev = open("/dev/hvx", O_RDWR);
	int fds[64], i;

	ASSERT_LE(0, dev);
	for (i = 0; i < 64; i++) {
		fds[i] = ioctl(dev, HVX_CREATE_VM, 0);
		ASSERT_LE(0, fds[i]);
	}
	for (i = 0; i < 64; i++)
		close(fds[i]);
	close(dev);
}

TEST_HARNESS_MAIN
