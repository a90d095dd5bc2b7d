// SPDX-License-Identifier: GPL-2.0
/* Bad ioctl input gets a clear error and never hurts the host. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
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
	/* Two entries for one leaf: which one CPUID answers would be luck. */
	EXPECT_ERRNO(EINVAL, ioctl(vcpu, HVX_SET_CPUID, cpuid));
	cpuid->entries[0].flags = cpuid->entries[1].flags = HVX_CPUID_FLAG_SIGNIFICANT_INDEX;
	EXPECT_ERRNO(EINVAL, ioctl(vcpu, HVX_SET_CPUID, cpuid));
	cpuid->entries[1].index = 1;
	EXPECT_EQ(0, ioctl(vcpu, HVX_SET_CPUID, cpuid));
	cpuid->entries[0].flags = cpuid->entries[1].flags = 0;
	cpuid->entries[1].index = 0;
	cpuid->entries[1].function = 1;
	EXPECT_EQ(0, ioctl(vcpu, HVX_SET_CPUID, cpuid));
	EXPECT_ERRNO(EFAULT, ioctl(vcpu, HVX_SET_CPUID, BAD_PTR));
	free(cpuid);

	/* The run page maps at offset 0 only, one page. */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ, MAP_SHARED, vcpu, 4096));
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 8192, PROT_READ, MAP_SHARED, vcpu, 0));
	close(vcpu);
}

/*
 * Guest RAM must be the VMM's own private anonymous memory, mapped as the
 * slot says, and may not hide the APICs (issue 16, findings 10 and 13).
 */
TEST_F(dev, memory_region_backing)
{
	uint64_t hva = (uintptr_t)self->mem;
	void *ro, *shared, *run;
	int vcpu, memfd;

	/* Host address 0, past the user address space, and not mapped at all. */
	EXPECT_ERRNO(EFAULT, set_region(self->vm, 1, 0, 0x200000, 4096, 0));
	EXPECT_ERRNO(EFAULT, set_region(self->vm, 1, 0, 1ULL << 40, 1ULL << 47, 4096));
	ASSERT_EQ(0, munmap(self->mem + (512 << 10), 4096));
	EXPECT_ERRNO(EFAULT, set_region(self->vm, 1, 0, 0x200000, 1 << 20, hva));
	EXPECT_EQ(0, set_region(self->vm, 1, 0, 0x200000, 512 << 10, hva));
	EXPECT_EQ(0, set_region(self->vm, 1, 0, 0, 0, 0));

	/* Read-only memory: only for a read-only slot. */
	ro = mmap(NULL, 8192, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	EXPECT_ERRNO(EFAULT, set_region(self->vm, 1, 0, 0x200000, 8192, (uintptr_t)ro));
	EXPECT_EQ(0, set_region(self->vm, 1, HVX_MEM_READONLY, 0x200000, 8192, (uintptr_t)ro));
	EXPECT_EQ(0, set_region(self->vm, 1, 0, 0, 0, 0));

	/* Shared file pages would be pinned under the file system's feet. */
	memfd = memfd_create("hvx-test", 0);
	ASSERT_LE(0, memfd);
	ASSERT_EQ(0, ftruncate(memfd, 8192));
	shared = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	ASSERT_NE(MAP_FAILED, shared);
	EXPECT_ERRNO(EFAULT, set_region(self->vm, 1, 0, 0x200000, 8192, (uintptr_t)shared));

	/* Nor is the run page guest RAM. */
	vcpu = ioctl(self->vm, HVX_CREATE_VCPU, 0);
	ASSERT_LE(0, vcpu);
	run = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	ASSERT_NE(MAP_FAILED, run);
	EXPECT_ERRNO(EFAULT, set_region(self->vm, 1, 0, 0x200000, 4096, (uintptr_t)run));

	/* The local APIC and I/O APIC pages stay hvx's. */
	EXPECT_ERRNO(EINVAL, set_region(self->vm, 1, 0, 0xfee00000, 4096, hva));
	EXPECT_ERRNO(EINVAL, set_region(self->vm, 1, 0, 0xfec00000, 4096, hva));
	EXPECT_ERRNO(EINVAL, set_region(self->vm, 1, 0, 0xfe000000, 32 << 20, hva));

	/* Deleting a slot that holds nothing is a mistake worth telling. */
	EXPECT_ERRNO(EINVAL, set_region(self->vm, 5, 0, 0, 0, 0));

	munmap(run, 4096);
	close(vcpu);
	munmap(shared, 8192);
	close(memfd);
	munmap(ro, 8192);
}

/*
 * Guest RAM is not pinned (hvx.ko follows the VMM's memory through an MMU
 * notifier), so it counts nothing against the VMM's RLIMIT_MEMLOCK: a VMM
 * allowed 1 MiB of locked memory gives a guest 4 MiB, and the guest may
 * touch all of it.  (The channel bus's pins count: vmbus_control.c.)
 */
TEST(memory_not_charged_to_memlock)
{
	struct rlimit one_mib = { 1 << 20, 1 << 20 };
	int status;
	pid_t child;

	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		struct vm *vm = vm_create(VM_HVX, 2 << 20);
		char *mem = mmap(NULL, 4 << 20, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		struct vm_exit e;
		int fails = 0;

		/* Without CAP_IPC_LOCK, like any member of group hvx. */
		if (!vm || mem == MAP_FAILED || setrlimit(RLIMIT_MEMLOCK, &one_mib) ||
		    setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(100);
		fails += set_region(vm->vm_fd, 1, 0, 4 << 20, 4 << 20, (uintptr_t)mem) != 0;
		fails += set_region(vm->vm_fd, 1, 0, 0, 0, 0) != 0;
		/* The guest writes every page above its page tables. */
		vm_load(vm, GUEST_CODE_GPA, guest_touch64, guest_touch64_end);
		fails += vm_setup_long(vm, GUEST_CODE_GPA) != 0;
		fails += vm_set_gpr(vm, GPR_RBX, (1 << 20) + (64 << 10)) != 0;
		fails += vm_set_gpr(vm, GPR_RCX, 240) != 0;
		fails += vm_run(vm, &e) != 0 || e.kind != VM_EXIT_HLT;
		fails += vm->mem[(2 << 20) - 4096] != 1;
		vm_destroy(vm);
		_exit(fails);
	}
	ASSERT_EQ(child, waitpid(child, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/* SET_REGS and SET_SREGS refuse what VM entry would fail on; GET gives back SET. */
TEST_F(dev, register_state_checked)
{
	struct hvx_sregs s, good, back;
	struct hvx_regs r, rback;
	int vcpu = ioctl(self->vm, HVX_CREATE_VCPU, 0);

	ASSERT_LE(0, vcpu);
	ASSERT_EQ(0, ioctl(vcpu, HVX_GET_REGS, &r));
	r.rip = 0x0000800000000000ULL;		/* not canonical */
	EXPECT_ERRNO(EINVAL, ioctl(vcpu, HVX_SET_REGS, &r));
	r.rip = 0x1000;
	r.rflags = 2 | (1 << 3);		/* reserved bit 3 */
	EXPECT_ERRNO(EINVAL, ioctl(vcpu, HVX_SET_REGS, &r));
	r.rflags = 0;				/* bit 1 is always set */
	EXPECT_ERRNO(EINVAL, ioctl(vcpu, HVX_SET_REGS, &r));
	r.rflags = 0x202;
	r.rax = 0x1122334455667788ULL;
	ASSERT_EQ(0, ioctl(vcpu, HVX_SET_REGS, &r));
	ASSERT_EQ(0, ioctl(vcpu, HVX_GET_REGS, &rback));
	EXPECT_EQ(0, memcmp(&r, &rback, sizeof(r)));

	ASSERT_EQ(0, ioctl(vcpu, HVX_GET_SREGS, &good));
	s = good;
	s.apic_base = 0xfed00900;		/* the APIC does not move */
	EXPECT_ERRNO(EINVAL, ioctl(vcpu, HVX_SET_SREGS, &s));
	s = good;
	s.apic_base = 0xfee00000;		/* nor is it turned off */
	EXPECT_ERRNO(EINVAL, ioctl(vcpu, HVX_SET_SREGS, &s));
	s = good;
	s.cs.l = 1;				/* 64-bit code outside long mode */
	EXPECT_ERRNO(EINVAL, ioctl(vcpu, HVX_SET_SREGS, &s));
	s = good;
	s.cr3 = 1ULL << 62;			/* beyond the physical address width */
	EXPECT_ERRNO(EINVAL, ioctl(vcpu, HVX_SET_SREGS, &s));
	s = good;
	s.gdt.base = 0x0000800000000000ULL;	/* not canonical */
	EXPECT_ERRNO(EINVAL, ioctl(vcpu, HVX_SET_SREGS, &s));
	s = good;
	s.fs.base = 0x0000800000000000ULL;
	EXPECT_ERRNO(EINVAL, ioctl(vcpu, HVX_SET_SREGS, &s));
	s = good;
	s.ds.base = 1ULL << 32;			/* 32 bits at most */
	EXPECT_ERRNO(EINVAL, ioctl(vcpu, HVX_SET_SREGS, &s));
	s = good;
	s.efer = 0x400;				/* LMA without LME and paging */
	EXPECT_ERRNO(EINVAL, ioctl(vcpu, HVX_SET_SREGS, &s));
	s = good;
	s.cr4 = 1 << 22;			/* PKE: the host's PKRU is not switched */
	EXPECT_ERRNO(EINVAL, ioctl(vcpu, HVX_SET_SREGS, &s));
	s = good;
	s.cr8 = 16;
	EXPECT_ERRNO(EINVAL, ioctl(vcpu, HVX_SET_SREGS, &s));
	/* A refused SET changed nothing. */
	ASSERT_EQ(0, ioctl(vcpu, HVX_GET_SREGS, &back));
	EXPECT_EQ(0, memcmp(&good, &back, sizeof(good)));

	/* Long mode, CS.L, CR8: stored as given and read back the same. */
	s = good;
	s.cs.l = 1;
	s.cs.db = 0;
	s.cr0 = 0x80000031;
	s.cr4 = 1 << 5;
	s.cr3 = 0x100000;
	s.efer = 0x500;
	s.cr8 = 9;
	ASSERT_EQ(0, ioctl(vcpu, HVX_SET_SREGS, &s));
	ASSERT_EQ(0, ioctl(vcpu, HVX_GET_SREGS, &back));
	EXPECT_EQ(0, memcmp(&s, &back, sizeof(s)));
	s.cs.db = 1;				/* L with D/B */
	EXPECT_ERRNO(EINVAL, ioctl(vcpu, HVX_SET_SREGS, &s));
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
