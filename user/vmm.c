// SPDX-License-Identifier: GPL-2.0
/* VM creation and the boot CPU state of the two Linux entry points. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cpuid.h"
#include "vmm.h"

/* Guest physical addresses of the bzImage path's GDT and page tables. */
#define BOOT_GDT_GPA	0x5000ULL
#define BOOT_PML4_GPA	0xa000ULL	/* PML4, PDPT, 4 page directories */

#define X86_CR0_PE	0x1ULL
#define X86_CR0_ET	0x10ULL
#define X86_CR0_NE	0x20ULL
#define X86_CR0_PG	0x80000000ULL
#define X86_CR4_PAE	0x20ULL
#define EFER_LME	0x100ULL
#define EFER_LMA	0x400ULL

/* The host CPU's features that hvx runs correctly, and the TSC frequency. */
static int vmm_set_cpuid(struct vmm *vmm, char *err, size_t errlen)
{
	struct hvx_cpuid *policy;
	struct cpuid_host host;
	int tsc_khz, e = 0;

	/* Without it Linux would need a PIT to calibrate its clocks against. */
	tsc_khz = ioctl(vmm->dev_fd, HVX_GET_TSC_KHZ, 0);
	if (tsc_khz <= 0) {
		e = tsc_khz < 0 ? -errno : -EINVAL;
		snprintf(err, errlen, "cannot get the TSC frequency from hvx.ko: %s",
			 tsc_khz < 0 ? strerror(errno) : "it reports 0 kHz");
		return e;
	}
	policy = calloc(1, sizeof(*policy) + CPUID_MAX_ENTRIES * sizeof(policy->entries[0]));
	if (!policy) {
		snprintf(err, errlen, "cannot set the CPUID policy: out of memory");
		return -ENOMEM;
	}
	cpuid_host_native(&host);
	policy->nent = cpuid_build(&host, tsc_khz, policy->entries);
	if (ioctl(vmm->vcpu_fd, HVX_SET_CPUID, policy)) {
		e = -errno;
		snprintf(err, errlen, "cannot set the CPUID policy: %s", strerror(errno));
	}
	free(policy);
	return e;
}

int vmm_open_device(void)
{
	int fd = open("/dev/hvx", O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int vmm_create(struct vmm *vmm, int dev_fd, uint8_t *ram, uint64_t ram_size, char *err,
	       size_t errlen)
{
	struct hvx_user_memory_region region = { 0 };
	long size;
	int e;

	memset(vmm, 0, sizeof(*vmm));
	vmm->dev_fd = vmm->vm_fd = vmm->vcpu_fd = -1;
	if (dev_fd < 0) {
		snprintf(err, errlen, "/dev/hvx: %s (is hvx.ko loaded?)", strerror(-dev_fd));
		return dev_fd;
	}
	vmm->dev_fd = dev_fd;
	vmm->vm_fd = ioctl(vmm->dev_fd, HVX_CREATE_VM, 0);
	if (vmm->vm_fd < 0)
		goto fail_errno;
	vmm->ram = ram;
	vmm->ram_size = ram_size;
	region.memory_size = ram_size;
	region.userspace_addr = (uintptr_t)vmm->ram;
	if (ioctl(vmm->vm_fd, HVX_SET_USER_MEMORY_REGION, &region))
		goto fail_errno;
	vmm->vcpu_fd = ioctl(vmm->vm_fd, HVX_CREATE_VCPU, 0);
	if (vmm->vcpu_fd < 0)
		goto fail_errno;
	e = vmm_set_cpuid(vmm, err, errlen);
	if (e) {
		vmm_destroy(vmm);
		return e;
	}
	size = ioctl(vmm->dev_fd, HVX_GET_VCPU_MMAP_SIZE, 0);
	if (size < (long)sizeof(struct hvx_run))
		goto fail_errno;
	vmm->run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, vmm->vcpu_fd, 0);
	if (vmm->run == MAP_FAILED) {
		vmm->run = NULL;
		goto fail_errno;
	}
	return 0;

fail_errno:
	e = -errno;
	snprintf(err, errlen, "cannot create the VM: %s", strerror(errno));
	vmm_destroy(vmm);
	return e;
}

void vmm_destroy(struct vmm *vmm)
{
	if (vmm->run)
		munmap(vmm->run, sizeof(*vmm->run));
	if (vmm->vcpu_fd >= 0)
		close(vmm->vcpu_fd);
	if (vmm->vm_fd >= 0)
		close(vmm->vm_fd);
	if (vmm->dev_fd >= 0)
		close(vmm->dev_fd);
	memset(vmm, 0, sizeof(*vmm));
	vmm->dev_fd = vmm->vm_fd = vmm->vcpu_fd = -1;
}

static struct hvx_segment flat_segment(uint16_t selector, uint8_t type, int code64)
{
	return (struct hvx_segment) {
		.limit = 0xffffffff, .selector = selector, .type = type, .present = 1,
		.s = 1, .g = 1, .l = code64, .db = !code64,
	};
}

/* Identity map of the first 4 GiB with 2 MiB pages, and a GDT. */
static void build_long_mode_tables(struct vmm *vmm)
{
	uint64_t *pml4 = (uint64_t *)(vmm->ram + BOOT_PML4_GPA);
	uint64_t *pdpt = pml4 + 512, *pd = pdpt + 512;
	uint64_t *gdt = (uint64_t *)(vmm->ram + BOOT_GDT_GPA);
	int i;

	memset(pml4, 0, 6 * 4096);
	pml4[0] = (BOOT_PML4_GPA + 0x1000) | 3;
	for (i = 0; i < 4; i++)
		pdpt[i] = (BOOT_PML4_GPA + 0x2000 + i * 0x1000) | 3;
	for (i = 0; i < 4 * 512; i++)
		pd[i] = ((uint64_t)i << 21) | 0x83;
	/* __BOOT_CS = 0x10 (64-bit code), __BOOT_DS = 0x18, as boot.rst asks. */
	gdt[0] = 0;
	gdt[1] = 0;
	gdt[2] = 0x00af9b000000ffffULL;
	gdt[3] = 0x00cf93000000ffffULL;
}

int vmm_set_boot_state(struct vmm *vmm, const struct loader_result *boot)
{
	struct hvx_sregs sregs;
	struct hvx_regs regs = { .rflags = 2, .rip = boot->entry };

	if (ioctl(vmm->vcpu_fd, HVX_GET_SREGS, &sregs))
		return -errno;
	sregs.tr = (struct hvx_segment){ .limit = 0x67, .type = 0xb, .present = 1 };
	if (boot->kind == LOADER_PVH) {
		/* PVH: 32-bit protected mode, flat segments, paging off. */
		sregs.cs = flat_segment(0x10, 0xb, 0);
		sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = flat_segment(0x18, 0x3, 0);
		sregs.cr0 = X86_CR0_PE | X86_CR0_ET;
		sregs.cr4 = 0;
		sregs.efer = 0;
		regs.rbx = boot->boot_info;
	} else {
		/* bzImage 64-bit entry: long mode, identity map, RSI = zero page. */
		build_long_mode_tables(vmm);
		sregs.cs = flat_segment(0x10, 0xb, 1);
		sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = flat_segment(0x18, 0x3, 0);
		sregs.gdt.base = BOOT_GDT_GPA;
		sregs.gdt.limit = 4 * 8 - 1;
		sregs.cr3 = BOOT_PML4_GPA;
		sregs.cr4 = X86_CR4_PAE;
		sregs.cr0 = X86_CR0_PE | X86_CR0_ET | X86_CR0_NE | X86_CR0_PG;
		sregs.efer = EFER_LME | EFER_LMA;
		regs.rsi = boot->boot_info;
	}
	if (ioctl(vmm->vcpu_fd, HVX_SET_SREGS, &sregs) ||
	    ioctl(vmm->vcpu_fd, HVX_SET_REGS, &regs))
		return -errno;
	return 0;
}
