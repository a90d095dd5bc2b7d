// SPDX-License-Identifier: GPL-2.0
/*
 * The runtime of C guest code (see ../guest.h): the guest's entry, GDT,
 * TSS, IDT and exception handlers, ucalls, and the host's side that loads
 * the test binary into the guest and runs it.  Compiled only into the
 * hostile tests, with their flags (selftests/Makefile).
 */
#include <errno.h>
#include <link.h>
#include <stdio.h>
#include <string.h>

#include "uapi/hvx.h"
#include "guest.h"
#include "vm.h"

/* ---- guest side ---------------------------------------------------------- */

struct guest_ucall guest_ucall_buf;
volatile uint64_t guest_fixup_rip;
volatile uint8_t guest_fault_vector;
volatile uint64_t guest_fault_error;
volatile uint64_t guest_irq_count[256];
volatile uint64_t guest_user_active;
volatile uint64_t guest_progress;
volatile uint64_t guest_user_fault_rip;
volatile uint64_t guest_user_rax;
volatile uint64_t guest_stale_debug_traps;
/* The stack guest_enter_user() left, for the way back. */
uint64_t guest_user_kernel_rsp;

struct guest_tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));

struct guest_trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rdi, rsi, rbp, rbx, rdx, rcx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};

#define GUEST_STACK_SIZE	(64 * 1024)
/* The guest's main stack; the host points RSP at its end. */
uint8_t guest_stack[GUEST_STACK_SIZE] __attribute__((aligned(4096)));
/* Exceptions from CPL 3 land here (TSS.RSP0), #DF on its own (IST1). */
static uint8_t guest_exc_stack[GUEST_STACK_SIZE] __attribute__((aligned(4096)));
static uint8_t guest_df_stack[8192] __attribute__((aligned(4096)));
static struct guest_tss guest_tss __attribute__((aligned(128)));
static uint64_t guest_gdt[7] __attribute__((aligned(16)));
static uint64_t guest_idt[512] __attribute__((aligned(4096)));

void guest_entry(void);
void guest_user_return(void);
extern const char guest_idt_stubs[];

/*
 * The host enters at guest_entry with RSP at the end of guest_stack, RDI
 * the function and RSI its argument.  Each IDT stub is 16 bytes: it pushes
 * a zero where the CPU pushes no error code, then the vector.
 */
asm(".text\n"
    ".globl guest_entry\n"
    "guest_entry:\n\t"
    "push %rdi\n\t"
    "push %rsi\n\t"
    "call guest_setup\n\t"
    "pop %rdi\n\t"
    "pop %rax\n\t"
    "call *%rax\n\t"
    "call guest_done\n"

    ".align 16\n"
    ".globl guest_idt_stubs\n"
    "guest_idt_stubs:\n"
    "vector = 0\n"
    ".rept 256\n\t"
    ".align 16\n\t"
    ".if vector == 8 || (vector >= 10 && vector <= 14) || vector == 17 || vector == 21 || vector == 29 || vector == 30\n\t"
    ".else\n\t"
    "pushq $0\n\t"
    ".endif\n\t"
    "pushq $vector\n\t"
    "jmp guest_isr_common\n\t"
    "vector = vector + 1\n"
    ".endr\n"

    "guest_isr_common:\n\t"
    "push %rax\n\tpush %rcx\n\tpush %rdx\n\tpush %rbx\n\tpush %rbp\n\t"
    "push %rsi\n\tpush %rdi\n\tpush %r8\n\tpush %r9\n\tpush %r10\n\t"
    "push %r11\n\tpush %r12\n\tpush %r13\n\tpush %r14\n\tpush %r15\n\t"
    "mov %rsp, %rdi\n\t"
    "cld\n\t"			/* code at CPL 3 may have left DF set */
    "call guest_handle_trap\n\t"
    "pop %r15\n\tpop %r14\n\tpop %r13\n\tpop %r12\n\tpop %r11\n\t"
    "pop %r10\n\tpop %r9\n\tpop %r8\n\tpop %rdi\n\tpop %rsi\n\t"
    "pop %rbp\n\tpop %rbx\n\tpop %rdx\n\tpop %rcx\n\tpop %rax\n\t"
    "add $16, %rsp\n\t"
    "iretq\n"

    /* uint8_t guest_enter_user(const struct guest_user_regs *regs) */
    ".globl guest_enter_user\n"
    "guest_enter_user:\n\t"
    "push %rbx\n\tpush %rbp\n\tpush %r12\n\tpush %r13\n\tpush %r14\n\tpush %r15\n\t"
    "mov %rsp, guest_user_kernel_rsp(%rip)\n\t"
    "movq $1, guest_user_active(%rip)\n\t"
    "pushq $0x1b\n\t"		/* GUEST_USER_DS */
    "pushq 128(%rdi)\n\t"	/* rsp */
    "pushq 136(%rdi)\n\t"	/* rflags */
    "pushq $0x23\n\t"		/* GUEST_USER_CS */
    "pushq 120(%rdi)\n\t"	/* rip */
    "mov $0x1b, %eax\n\t"
    "mov %eax, %ds\n\tmov %eax, %es\n\tmov %eax, %fs\n\tmov %eax, %gs\n\t"
    "mov 0(%rdi), %rax\n\tmov 8(%rdi), %rbx\n\tmov 16(%rdi), %rcx\n\t"
    "mov 24(%rdi), %rdx\n\tmov 32(%rdi), %rsi\n\tmov 48(%rdi), %rbp\n\t"
    "mov 56(%rdi), %r8\n\tmov 64(%rdi), %r9\n\tmov 72(%rdi), %r10\n\t"
    "mov 80(%rdi), %r11\n\tmov 88(%rdi), %r12\n\tmov 96(%rdi), %r13\n\t"
    "mov 104(%rdi), %r14\n\tmov 112(%rdi), %r15\n\tmov 40(%rdi), %rdi\n\t"
    "iretq\n"

    ".globl guest_user_return\n"
    "guest_user_return:\n\t"
    "mov $0x10, %eax\n\t"
    "mov %eax, %ds\n\tmov %eax, %es\n\tmov %eax, %fs\n\tmov %eax, %gs\n\t"
    "pop %r15\n\tpop %r14\n\tpop %r13\n\tpop %r12\n\tpop %rbp\n\tpop %rbx\n\t"
    "movzbl guest_fault_vector(%rip), %eax\n\t"
    "ret\n"

    /* The host's way back from CPL 3 (guest_vm_recover()); any RSP. */
    ".globl guest_user_abort\n"
    "guest_user_abort:\n\t"
    "mov guest_user_kernel_rsp(%rip), %rsp\n\t"
    "movq $0, guest_user_active(%rip)\n\t"
    "movb $0xfe, guest_fault_vector(%rip)\n\t"
    "jmp guest_user_return\n"
    ".previous");

uint8_t guest_user_run_bytes(const uint8_t *code, unsigned int len,
			     struct guest_user_regs *regs)
{
	volatile uint8_t *dst = (volatile uint8_t *)GUEST_USER_CODE;
	unsigned int i;

	for (i = 0; i < len; i++)
		dst[i] = code[i];
	/* HLT raises #GP at CPL 3: guest_user_fault_rip tells it apart. */
	for (i = 0; i < 16; i++)
		dst[len + i] = 0xf4;
	regs->rip = GUEST_USER_CODE;
	if (!regs->rsp)
		regs->rsp = GUEST_USER_STACK_TOP;
	if (!regs->rflags)
		regs->rflags = 2;
	return guest_enter_user(regs);
}

void guest_ucall(uint64_t cmd, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	guest_ucall_buf.cmd = cmd;
	guest_ucall_buf.args[0] = a0;
	guest_ucall_buf.args[1] = a1;
	guest_ucall_buf.args[2] = a2;
	guest_ucall_buf.args[3] = a3;
	asm volatile("out %%eax, %%dx" : : "a"((uint32_t)(uintptr_t)&guest_ucall_buf),
		     "d"(UCALL_PORT) : "memory");
}

/* Ends the guest: the host does not run it again after these. */
static void __attribute__((noreturn)) guest_stop(void)
{
	for (;;)
		asm volatile("cli; hlt");
}

void guest_abort(const char *file, uint64_t line, const char *expr, uint64_t a, uint64_t b)
{
	guest_ucall_buf.file = file;
	guest_ucall_buf.line = line;
	guest_ucall_buf.expr = expr;
	guest_ucall(UCALL_ABORT, a, b, guest_ucall_buf.args[2], 0);
	guest_stop();
}

void guest_done(void);
void guest_done(void)
{
	guest_ucall(UCALL_DONE, 0, 0, 0, 0);
	guest_stop();
}

static void gate(unsigned int vector, uint64_t handler, unsigned int ist)
{
	guest_idt[vector * 2] = (handler & 0xffff) | (uint64_t)GUEST_KERNEL_CS << 16 |
				(uint64_t)ist << 32 | 0x8eULL << 40 |
				((handler >> 16) & 0xffff) << 48;
	guest_idt[vector * 2 + 1] = handler >> 32;
}

void guest_setup(void);
void guest_setup(void)
{
	uint64_t tss = (uintptr_t)&guest_tss;
	struct __attribute__((packed)) { uint16_t limit; uint64_t base; } gdtr, idtr;
	unsigned int v;

	guest_gdt[0] = 0;
	guest_gdt[1] = 0x00af9b000000ffffULL;	/* kernel code, 64-bit */
	guest_gdt[2] = 0x00cf93000000ffffULL;	/* kernel data */
	guest_gdt[3] = 0x00cff3000000ffffULL;	/* user data */
	guest_gdt[4] = 0x00affb000000ffffULL;	/* user code, 64-bit */
	guest_gdt[5] = (sizeof(guest_tss) - 1) | (tss & 0xffffff) << 16 |
		       0x89ULL << 40 | ((tss >> 24) & 0xff) << 56;
	guest_gdt[6] = tss >> 32;
	guest_tss.rsp[0] = (uintptr_t)guest_exc_stack + sizeof(guest_exc_stack);
	guest_tss.ist[0] = (uintptr_t)guest_df_stack + sizeof(guest_df_stack);
	/* Past the limit: no I/O bitmap, so CPL 3 may not do port I/O. */
	guest_tss.iomap_base = sizeof(guest_tss);

	gdtr.limit = sizeof(guest_gdt) - 1;
	gdtr.base = (uintptr_t)guest_gdt;
	asm volatile("lgdt %0\n\t"
		     "pushq $0x08\n\t"
		     "lea 1f(%%rip), %%rax\n\t"
		     "pushq %%rax\n\t"
		     "lretq\n"
		     "1:\tmov $0x10, %%eax\n\t"
		     "mov %%eax, %%ds\n\tmov %%eax, %%es\n\tmov %%eax, %%ss\n\t"
		     "mov %%eax, %%fs\n\tmov %%eax, %%gs\n\t"
		     "mov $0x28, %%eax\n\t"
		     "ltr %%ax"
		     : : "m"(gdtr) : "rax", "memory");

	for (v = 0; v < 256; v++)
		gate(v, (uintptr_t)guest_idt_stubs + 16 * v, v == DF_VECTOR);
	idtr.limit = sizeof(guest_idt) - 1;
	idtr.base = (uintptr_t)guest_idt;
	asm volatile("lidt %0" : : "m"(idtr) : "memory");
}

static uint64_t read_cr2(void)
{
	uint64_t v;

	asm volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

/* Back to guest_enter_user()'s caller at CPL 0, with @vector. */
static void return_from_user(struct guest_trap_frame *f)
{
	guest_fault_vector = f->vector;
	guest_fault_error = f->error;
	guest_user_fault_rip = f->rip;
	guest_user_rax = f->rax;
	guest_user_active = 0;
	f->rip = (uintptr_t)guest_user_return;
	f->cs = GUEST_KERNEL_CS;
	f->ss = GUEST_KERNEL_DS;
	f->rsp = guest_user_kernel_rsp;
	f->rflags = 2;
}

void guest_handle_trap(struct guest_trap_frame *f);
void guest_handle_trap(struct guest_trap_frame *f)
{
	if (f->vector >= 32) {
		guest_irq_count[f->vector]++;
		/* The spurious vector takes no EOI. */
		if (f->vector != 0xff)
			guest_mmio_write32(GUEST_LAPIC_GPA + 0xb0, 0);
		return;
	}
	if (guest_user_active && (f->cs & 3)) {
		return_from_user(f);
		return;
	}
	/*
	 * A single-step trap of the code at CPL 3 that hvx still delivers
	 * after the host moved the vCPU to guest_user_abort with SET_REGS:
	 * counted, for the test to report.
	 */
	if (f->vector == DB_VECTOR && f->rip == (uintptr_t)guest_user_abort) {
		guest_stale_debug_traps++;
		return;
	}
	if (guest_fixup_rip) {
		f->rip = guest_fixup_rip;
		guest_fixup_rip = 0;
		guest_fault_vector = f->vector;
		guest_fault_error = f->error;
		return;
	}
	guest_ucall(UCALL_UNHANDLED, f->vector, f->error, f->rip, read_cr2());
	guest_stop();
}

/* ---- host side ----------------------------------------------------------- */

static int load_segment(struct dl_phdr_info *info, size_t size, void *data)
{
	struct vm *vm = data;
	int i;

	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uint64_t start = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type != PT_LOAD)
			continue;
		/* The guest's own pages begin at GUEST_USER_GPA. */
		if (start + ph->p_memsz > GUEST_USER_GPA)
			return -1;
		memcpy(vm->mem + start, (void *)(uintptr_t)start, ph->p_memsz);
	}
	return 1;	/* the executable comes first: stop there */
}

struct vm *guest_vm_create(void)
{
	struct vm *vm = vm_create(VM_HVX, GUEST_MEM_SIZE);

	if (!vm)
		return NULL;
	if (dl_iterate_phdr(load_segment, vm) != 1) {
		vm_destroy(vm);
		errno = EFBIG;
		return NULL;
	}
	return vm;
}

int guest_vm_start(struct vm *vm, void (*fn)(uint64_t), uint64_t arg)
{
	uint64_t *pml4 = (uint64_t *)(vm->mem + GUEST_PT_GPA);
	uint64_t *pdpt = pml4 + 512, *pd = pdpt + 512;
	struct hvx_regs regs;
	int i;

	if (vm_setup_long(vm, (uintptr_t)guest_entry))
		return -1;
	/* User access is decided by the 2 MiB entries: two pages get it. */
	pml4[0] |= 4;
	for (i = 0; i < 4; i++)
		pdpt[i] |= 4;
	pd[GUEST_USER_GPA >> 21] |= 4;
	pd[GUEST_MMIO_GPA >> 21] |= 4;
	if (vm_get_regs(vm, &regs))
		return -1;
	regs.rsp = (uintptr_t)guest_stack + sizeof(guest_stack);
	regs.rdi = (uintptr_t)fn;
	regs.rsi = arg;
	return vm_set_regs(vm, &regs);
}

int guest_run(struct vm *vm, struct vm_exit *e, struct guest_ucall *uc)
{
	if (vm_run(vm, e))
		return -1;
	if (e->kind != VM_EXIT_IO || e->port != UCALL_PORT || e->size != 4 ||
	    !e->is_write || *(uint32_t *)e->data != (uint32_t)(uintptr_t)&guest_ucall_buf)
		return UCALL_NONE;
	*uc = GUEST_VAR(vm, guest_ucall_buf);
	return uc->cmd;
}

static const char *const exit_kind_name[] = {
	[VM_EXIT_IO] = "I/O", [VM_EXIT_MMIO] = "MMIO", [VM_EXIT_HLT] = "HLT",
	[VM_EXIT_SHUTDOWN] = "shutdown", [VM_EXIT_FAIL_ENTRY] = "failed entry",
	[VM_EXIT_INTERNAL] = "internal error", [VM_EXIT_OTHER] = "other",
};

const char *guest_exit_describe(int ucall, const struct vm_exit *e,
				const struct guest_ucall *uc, char *buf, size_t len)
{
	switch (ucall) {
	case -1:
		snprintf(buf, len, "HVX_RUN failed: %s", strerror(errno));
		break;
	case UCALL_NONE:
		snprintf(buf, len, "exit %s (reason %u) port 0x%x addr 0x%llx hw 0x%llx qual 0x%llx",
			 exit_kind_name[e->kind], e->raw_reason, e->port,
			 (unsigned long long)e->addr, (unsigned long long)e->hw_reason,
			 (unsigned long long)e->qualification);
		break;
	case UCALL_ABORT:
		snprintf(buf, len, "guest assertion %s:%llu: %s (0x%llx, 0x%llx, 0x%llx)",
			 uc->file, (unsigned long long)uc->line, uc->expr,
			 (unsigned long long)uc->args[0], (unsigned long long)uc->args[1],
			 (unsigned long long)uc->args[2]);
		break;
	case UCALL_UNHANDLED:
		snprintf(buf, len, "guest exception %llu error 0x%llx at 0x%llx (cr2 0x%llx)",
			 (unsigned long long)uc->args[0], (unsigned long long)uc->args[1],
			 (unsigned long long)uc->args[2], (unsigned long long)uc->args[3]);
		break;
	default:
		snprintf(buf, len, "ucall %d (0x%llx, 0x%llx, 0x%llx, 0x%llx)", ucall,
			 (unsigned long long)uc->args[0], (unsigned long long)uc->args[1],
			 (unsigned long long)uc->args[2], (unsigned long long)uc->args[3]);
	}
	return buf;
}

int guest_vm_recover(struct vm *vm)
{
	struct hvx_sregs s;
	struct hvx_regs r;

	if (vm_get_sregs(vm, &s) || vm_get_regs(vm, &r))
		return -1;
	s.cs.selector = GUEST_KERNEL_CS;
	s.cs.dpl = 0;
	s.cs.type = 0xb;
	s.cs.l = 1;
	s.cs.db = 0;
	s.cs.unusable = 0;
	s.ss.unusable = 0;
	s.ss.selector = GUEST_KERNEL_DS;
	s.ss.dpl = 0;
	s.ss.type = 0x3;
	s.ss.db = 1;
	memset(&r, 0, sizeof(r));
	r.rip = (uintptr_t)guest_user_abort;
	r.rsp = (uintptr_t)guest_exc_stack + sizeof(guest_exc_stack);
	r.rflags = 2;
	return vm_set_sregs(vm, &s) || vm_set_regs(vm, &r);
}

int guest_vm_skip_to_fixup(struct vm *vm)
{
	struct hvx_regs r;
	uint64_t fixup = GUEST_VAR(vm, guest_fixup_rip);

	if (!fixup || vm_get_regs(vm, &r))
		return -1;
	r.rip = fixup;
	GUEST_VAR(vm, guest_fixup_rip) = 0;
	GUEST_VAR(vm, guest_fault_vector) = 0xfe;
	return vm_set_regs(vm, &r);
}
