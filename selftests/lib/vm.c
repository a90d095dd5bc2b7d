// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "uapi/hvx.h"
#include "ram.h"
#include "vm.h"

const char *vm_backend_name[] = { "hvx", "kvm" };

/* The ABIs match field for field where the library uses them. */
_Static_assert(sizeof(struct hvx_regs) == sizeof(struct kvm_regs), "regs");

static unsigned long req(struct vm *vm, unsigned long hvx, unsigned long kvm)
{
	return vm->backend == VM_HVX ? hvx : kvm;
}

struct vm *vm_create(enum vm_backend backend, size_t mem_size)
{
	struct vm *vm = calloc(1, sizeof(*vm));
	int saved;

	if (!vm)
		return NULL;
	vm->backend = backend;
	vm->vm_fd = vm->vcpu_fd = -1;
	vm->dev_fd = open(backend == VM_HVX ? "/dev/hvx" : "/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->dev_fd < 0)
		goto fail;
	vm->vm_fd = ioctl(vm->dev_fd, req(vm, HVX_CREATE_VM, KVM_CREATE_VM), 0);
	if (vm->vm_fd < 0)
		goto fail;
	vm->mem_size = mem_size;
	vm->mem = ram_alloc(mem_size);
	if (!vm->mem)
		goto fail;
	if (vm_set_memory(vm, 0, 0, 0, mem_size, vm->mem))
		goto fail;
	vm->vcpu_fd = ioctl(vm->vm_fd, req(vm, HVX_CREATE_VCPU, KVM_CREATE_VCPU), 0);
	if (vm->vcpu_fd < 0)
		goto fail;
	vm->run_size = ioctl(vm->dev_fd, req(vm, HVX_GET_VCPU_MMAP_SIZE,
					       KVM_GET_VCPU_MMAP_SIZE), 0);
	vm->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       vm->vcpu_fd, 0);
	if (vm->run == MAP_FAILED) {
		vm->run = NULL;
		goto fail;
	}
	return vm;
fail:
	saved = errno;
	vm_destroy(vm);
	errno = saved;
	return NULL;
}

void vm_destroy(struct vm *vm)
{
	if (vm->run)
		munmap(vm->run, vm->run_size);
	if (vm->vcpu_fd >= 0)
		close(vm->vcpu_fd);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->dev_fd >= 0)
		close(vm->dev_fd);
	if (vm->mem)
		ram_free(vm->mem, vm->mem_size);
	free(vm);
}

int vm_set_memory(struct vm *vm, uint32_t slot, uint32_t flags, uint64_t gpa,
		  uint64_t size, void *hva)
{
	if (vm->backend == VM_HVX) {
		struct hvx_user_memory_region r = {
			.slot = slot, .flags = flags, .guest_phys_addr = gpa,
			.memory_size = size, .userspace_addr = (uintptr_t)hva,
		};
		return ioctl(vm->vm_fd, HVX_SET_USER_MEMORY_REGION, &r);
	} else {
		struct kvm_userspace_memory_region r = {
			.slot = slot,
			.flags = (flags & HVX_MEM_READONLY) ? KVM_MEM_READONLY : 0,
			.guest_phys_addr = gpa, .memory_size = size,
			.userspace_addr = (uintptr_t)hva,
		};
		return ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &r);
	}
}

void vm_load(struct vm *vm, uint64_t gpa, const void *start, const void *end)
{
	memcpy(vm->mem + gpa, start, (const char *)end - (const char *)start);
}

/* hvx_sregs and kvm_sregs differ: move the common part field by field. */
static void seg_to_kvm(const struct hvx_segment *h, struct kvm_segment *k)
{
	*k = (struct kvm_segment) {
		.base = h->base, .limit = h->limit, .selector = h->selector,
		.type = h->type, .present = h->present, .dpl = h->dpl, .db = h->db,
		.s = h->s, .l = h->l, .g = h->g, .avl = h->avl, .unusable = h->unusable,
	};
}

static int set_sregs(struct vm *vm, const struct hvx_sregs *s)
{
	struct kvm_sregs k;

	if (vm->backend == VM_HVX)
		return ioctl(vm->vcpu_fd, HVX_SET_SREGS, s);
	if (ioctl(vm->vcpu_fd, KVM_GET_SREGS, &k))
		return -1;
	seg_to_kvm(&s->cs, &k.cs);
	seg_to_kvm(&s->ds, &k.ds);
	seg_to_kvm(&s->es, &k.es);
	seg_to_kvm(&s->fs, &k.fs);
	seg_to_kvm(&s->gs, &k.gs);
	seg_to_kvm(&s->ss, &k.ss);
	seg_to_kvm(&s->tr, &k.tr);
	seg_to_kvm(&s->ldt, &k.ldt);
	k.gdt.base = s->gdt.base;
	k.gdt.limit = s->gdt.limit;
	k.idt.base = s->idt.base;
	k.idt.limit = s->idt.limit;
	k.cr0 = s->cr0;
	k.cr3 = s->cr3;
	k.cr4 = s->cr4;
	k.efer = s->efer;
	return ioctl(vm->vcpu_fd, KVM_SET_SREGS, &k);
}

static int get_sregs(struct vm *vm, struct hvx_sregs *s)
{
	struct kvm_sregs k;

	memset(s, 0, sizeof(*s));
	if (vm->backend == VM_HVX)
		return ioctl(vm->vcpu_fd, HVX_GET_SREGS, s);
	if (ioctl(vm->vcpu_fd, KVM_GET_SREGS, &k))
		return -1;
#define SEG(x) s->x = (struct hvx_segment){ .base = k.x.base, .limit = k.x.limit, \
	.selector = k.x.selector, .type = k.x.type, .present = k.x.present, .dpl = k.x.dpl, \
	.db = k.x.db, .s = k.x.s, .l = k.x.l, .g = k.x.g, .avl = k.x.avl, \
	.unusable = k.x.unusable }
	SEG(cs); SEG(ds); SEG(es); SEG(fs); SEG(gs); SEG(ss); SEG(tr); SEG(ldt);
#undef SEG
	s->gdt.base = k.gdt.base;
	s->gdt.limit = k.gdt.limit;
	s->idt.base = k.idt.base;
	s->idt.limit = k.idt.limit;
	s->cr0 = k.cr0;
	s->cr3 = k.cr3;
	s->cr4 = k.cr4;
	s->efer = k.efer;
	return 0;
}

static int set_rip(struct vm *vm, uint64_t rip, uint64_t rflags)
{
	struct hvx_regs r;

	if (ioctl(vm->vcpu_fd, req(vm, HVX_GET_REGS, KVM_GET_REGS), &r))
		return -1;
	r.rip = rip;
	r.rflags = rflags;
	return ioctl(vm->vcpu_fd, req(vm, HVX_SET_REGS, KVM_SET_REGS), &r);
}

int vm_get_regs(struct vm *vm, struct hvx_regs *regs)
{
	return ioctl(vm->vcpu_fd, req(vm, HVX_GET_REGS, KVM_GET_REGS), regs);
}

int vm_set_regs(struct vm *vm, const struct hvx_regs *regs)
{
	return ioctl(vm->vcpu_fd, req(vm, HVX_SET_REGS, KVM_SET_REGS), regs);
}

int vm_get_sregs(struct vm *vm, struct hvx_sregs *sregs)
{
	return get_sregs(vm, sregs);
}

int vm_set_sregs(struct vm *vm, const struct hvx_sregs *sregs)
{
	return set_sregs(vm, sregs);
}

int vm_set_gpr(struct vm *vm, int which, uint64_t value)
{
	struct hvx_regs r;

	if (ioctl(vm->vcpu_fd, req(vm, HVX_GET_REGS, KVM_GET_REGS), &r))
		return -1;
	switch (which) {
	case GPR_RAX: r.rax = value; break;
	case GPR_RBX: r.rbx = value; break;
	case GPR_RCX: r.rcx = value; break;
	case GPR_RDX: r.rdx = value; break;
	case GPR_RSI: r.rsi = value; break;
	}
	return ioctl(vm->vcpu_fd, req(vm, HVX_SET_REGS, KVM_SET_REGS), &r);
}

static struct hvx_segment real_seg(uint16_t sel, uint8_t type)
{
	return (struct hvx_segment) {
		.base = (uint64_t)sel << 4, .limit = 0xffff, .selector = sel,
		.type = type, .present = 1, .s = 1,
	};
}

int vm_setup_real(struct vm *vm, uint64_t gpa)
{
	struct hvx_sregs s;

	if (get_sregs(vm, &s))
		return -1;
	s.cs = real_seg(gpa >> 4, 0xb);
	s.ds = s.es = s.fs = s.gs = s.ss = real_seg(0, 0x3);
	return set_sregs(vm, &s) || set_rip(vm, 0, 2);
}

int vm_setup_long(struct vm *vm, uint64_t rip)
{
	uint64_t *pml4 = (uint64_t *)(vm->mem + GUEST_PT_GPA);
	uint64_t *pdpt = pml4 + 512;
	uint64_t *pd = pdpt + 512;	/* 4 page directories follow */
	struct hvx_segment code = {
		.limit = 0xffffffff, .selector = 8, .type = 0xb, .present = 1,
		.s = 1, .l = 1, .g = 1,
	};
	struct hvx_segment data = {
		.limit = 0xffffffff, .selector = 16, .type = 0x3, .present = 1,
		.s = 1, .db = 1, .g = 1,
	};
	struct hvx_sregs s;
	int i;

	/* Identity map of the first 4 GiB with 2 MiB pages. */
	memset(pml4, 0, 6 * 4096);
	pml4[0] = (GUEST_PT_GPA + 4096) | 3;
	for (i = 0; i < 4; i++)
		pdpt[i] = (GUEST_PT_GPA + 2 * 4096 + i * 4096) | 3;
	for (i = 0; i < 4 * 512; i++)
		pd[i] = ((uint64_t)i << 21) | 0x83;

	if (get_sregs(vm, &s))
		return -1;
	s.cs = code;
	s.ds = s.es = s.fs = s.gs = s.ss = data;
	s.tr = (struct hvx_segment){ .limit = 0x67, .type = 0xb, .present = 1 };
	s.cr3 = GUEST_PT_GPA;
	s.cr4 = 1 << 5;				/* PAE */
	s.cr0 = 0x80000001 | 0x10 | 0x20;	/* PG, PE, ET, NE */
	s.efer = 0x500;				/* LME, LMA */
	return set_sregs(vm, &s) || set_rip(vm, rip, 2);
}

int vm_run(struct vm *vm, struct vm_exit *e)
{
	memset(e, 0, sizeof(*e));
	if (ioctl(vm->vcpu_fd, req(vm, HVX_RUN, KVM_RUN), 0))
		return -1;
	if (vm->backend == VM_HVX) {
		struct hvx_run *run = vm->run;

		e->raw_reason = run->exit_reason;
		switch (run->exit_reason) {
		case HVX_EXIT_IO:
			e->kind = VM_EXIT_IO;
			e->port = run->io.port;
			e->size = run->io.size;
			e->is_write = run->io.direction == HVX_EXIT_IO_OUT;
			e->data = (char *)run + run->io.data_offset;
			break;
		case HVX_EXIT_MMIO:
			e->kind = VM_EXIT_MMIO;
			e->addr = run->mmio.phys_addr;
			e->size = run->mmio.len;
			e->is_write = run->mmio.is_write;
			e->data = run->mmio.data;
			break;
		case HVX_EXIT_HLT:
			e->kind = VM_EXIT_HLT;
			break;
		case HVX_EXIT_SHUTDOWN:
			e->kind = VM_EXIT_SHUTDOWN;
			break;
		case HVX_EXIT_FAIL_ENTRY:
			e->kind = VM_EXIT_FAIL_ENTRY;
			e->hw_reason = run->fail_entry.hardware_entry_failure_reason;
			e->qualification = run->fail_entry.qualification;
			break;
		case HVX_EXIT_INTERNAL_ERROR:
			e->kind = VM_EXIT_INTERNAL;
			e->hw_reason = run->internal.vmx_exit_reason;
			e->qualification = run->internal.qualification;
			break;
		default:
			e->kind = VM_EXIT_OTHER;
		}
	} else {
		struct kvm_run *run = vm->run;

		e->raw_reason = run->exit_reason;
		switch (run->exit_reason) {
		case KVM_EXIT_IO:
			e->kind = VM_EXIT_IO;
			e->port = run->io.port;
			e->size = run->io.size;
			e->is_write = run->io.direction == KVM_EXIT_IO_OUT;
			e->data = (char *)run + run->io.data_offset;
			break;
		case KVM_EXIT_MMIO:
			e->kind = VM_EXIT_MMIO;
			e->addr = run->mmio.phys_addr;
			e->size = run->mmio.len;
			e->is_write = run->mmio.is_write;
			e->data = run->mmio.data;
			break;
		case KVM_EXIT_HLT:
			e->kind = VM_EXIT_HLT;
			break;
		case KVM_EXIT_SHUTDOWN:
			e->kind = VM_EXIT_SHUTDOWN;
			break;
		case KVM_EXIT_FAIL_ENTRY:
			e->kind = VM_EXIT_FAIL_ENTRY;
			e->hw_reason = run->fail_entry.hardware_entry_failure_reason;
			break;
		case KVM_EXIT_INTERNAL_ERROR:
			e->kind = VM_EXIT_INTERNAL;
			break;
		default:
			e->kind = VM_EXIT_OTHER;
		}
	}
	return 0;
}

long vm_run_out_loop(struct vm *vm)
{
	struct vm_exit e;
	long n = 0;

	vm_load(vm, GUEST_CODE_GPA, guest_out_loop, guest_out_loop_end);
	if (vm_setup_real(vm, GUEST_CODE_GPA))
		return -1;
	for (;;) {
		if (vm_run(vm, &e))
			return -1;
		if (e.kind == VM_EXIT_HLT)
			return n;
		if (e.kind != VM_EXIT_IO || e.port != 0x10 || e.size != 2 ||
		    !e.is_write || *(uint16_t *)e.data != (uint16_t)n)
			return -1;
		n++;
	}
}

#define APICV_PARAM "/sys/module/hvx/parameters/apicv"

int vm_hvx_set_apicv(int on)
{
	char old = 0;
	ssize_t done;
	int fd;

	fd = open(APICV_PARAM, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (read(fd, &old, 1) != 1 || (old != 'Y' && old != 'N')) {
		close(fd);
		errno = EIO;
		return -1;
	}
	done = pwrite(fd, on ? "1" : "0", 1, 0);
	close(fd);
	if (done != 1)
		return -1;
	return old == 'Y';
}
