/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The selftest library: VMs with one vCPU on hvx or, for comparison, on KVM
 * (the hvx ABI mirrors KVM's, so the same guest code runs on both).
 */
#ifndef HVX_SELFTEST_VM_H
#define HVX_SELFTEST_VM_H

#include <stddef.h>
#include <stdint.h>

enum vm_backend { VM_HVX, VM_KVM };

enum vm_exit_kind {
	VM_EXIT_IO, VM_EXIT_MMIO, VM_EXIT_HLT, VM_EXIT_SHUTDOWN,
	VM_EXIT_FAIL_ENTRY, VM_EXIT_INTERNAL, VM_EXIT_OTHER,
};

struct vm_exit {
	enum vm_exit_kind kind;
	uint32_t raw_reason;		/* the backend's own exit reason */
	uint16_t port;
	uint8_t size, is_write;		/* I/O: is_write = OUT */
	uint64_t addr;			/* MMIO address */
	void *data;			/* I/O or MMIO data in the run page */
	uint64_t hw_reason, qualification;	/* FAIL_ENTRY / INTERNAL */
};

struct vm {
	enum vm_backend backend;
	int dev_fd, vm_fd, vcpu_fd;
	void *run;
	size_t run_size;
	uint8_t *mem;
	size_t mem_size;
};

/* Where guest code and page tables go in the guest's memory. */
#define GUEST_CODE_GPA		0x10000
#define GUEST_PT_GPA		0x100000	/* 4 pages */
#define GUEST_MAILBOX_GPA	0x500

extern const char *vm_backend_name[];

/*
 * Returns NULL with errno set when the backend cannot be opened.  Guest
 * memory is 2 MiB aligned, so that a test may madvise() huge pages on it.
 */
struct vm *vm_create(enum vm_backend backend, size_t mem_size);
void vm_destroy(struct vm *vm);
int vm_set_memory(struct vm *vm, uint32_t slot, uint32_t flags, uint64_t gpa,
		  uint64_t size, void *hva);
void vm_load(struct vm *vm, uint64_t gpa, const void *start, const void *end);
/* Real mode, CS:IP = gpa >> 4 : 0. */
int vm_setup_real(struct vm *vm, uint64_t gpa);
/* 64-bit mode, identity-mapped first 4 GiB with 2 MiB pages built at GUEST_PT_GPA. */
int vm_setup_long(struct vm *vm, uint64_t rip);
int vm_set_gpr(struct vm *vm, int which, uint64_t value);
/*
 * hvx.ko's apicv parameter, which VMs created afterwards follow: APIC
 * virtualization (1) or every local APIC access emulated (0).  Returns the
 * value before, or -1 with errno (ENODEV: the CPU cannot virtualize).
 */
int vm_hvx_set_apicv(int on);
/* The whole register file, in hvx's layout (KVM's is the same). */
struct hvx_regs;
struct hvx_sregs;
int vm_get_regs(struct vm *vm, struct hvx_regs *regs);
int vm_set_regs(struct vm *vm, const struct hvx_regs *regs);
int vm_get_sregs(struct vm *vm, struct hvx_sregs *sregs);
int vm_set_sregs(struct vm *vm, const struct hvx_sregs *sregs);
int vm_run(struct vm *vm, struct vm_exit *exit);

enum { GPR_RAX, GPR_RBX, GPR_RCX, GPR_RDX, GPR_RSI };

/*
 * Loads and runs guest_out_loop in real mode: returns how many 16-bit OUTs
 * to port 0x10 arrived with the values 0, 1, 2... before the guest's HLT,
 * or -1 at the first exit that is anything else.
 */
long vm_run_out_loop(struct vm *vm);

/* Guest code snippets (guest_code.S). */
#define SNIPPET(name) extern const char name[], name##_end[]
SNIPPET(guest_out_loop);
SNIPPET(guest_in_echo);
SNIPPET(guest_bench_out);
SNIPPET(guest_bench_cpuid);
SNIPPET(guest_triple_fault);
SNIPPET(guest_spin);
SNIPPET(guest_spin_sti);
SNIPPET(guest_cpuid);
SNIPPET(guest_mmio64);
SNIPPET(guest_rw64);
SNIPPET(guest_touch64);
SNIPPET(guest_irq);
SNIPPET(guest_vmcall64);
#undef SNIPPET

#endif
