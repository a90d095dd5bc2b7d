// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile guest: attacks that took the whole host down (issue 16), each
 * of which must now leave it healthy:
 *   - IA32_TSC_DEADLINE = ~0 in TSC-deadline mode (a divide error in
 *     hvx_lapic_set_tsc_deadline());
 *   - MOV to CR8 of 15 from a 64-bit guest (without CR8 exiting it set the
 *     host's own TPR: the host stopped taking its timer interrupts);
 *   - XSETBV with the host's XSAVE off (XGETBV in the host: #UD);
 *   - the CVE-2015-5307 pattern: #AC whose delivery raises #AC again,
 *     forever, in microcode (no VM exit unless hvx intercepts #AC).
 * A host that still has them dies here, and every test after would fail
 * with it: the emulated host's init.sh runs this file after all other VM
 * tests but the fuzzers (its "last" list).
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/time.h>

#include "vm_harness.h"
#include "uapi/hvx.h"
#include "guest.h"
#include "host_health.h"
#include "vm.h"

#define MSR_TSC_DEADLINE 0x6e0
#define TSC_SECOND	50000000ULL

static void guest_deadline_all_ones(uint64_t unused)
{
	uint64_t val, start;

	guest_mmio_write32(GUEST_LAPIC_GPA + 0xf0, 0x1ff);
	guest_mmio_write32(GUEST_LAPIC_GPA + 0x320, 0x40 | 2U << 17);
	GUEST_ASSERT_EQ(GUEST_NO_FAULT, guest_wrmsr_safe(MSR_TSC_DEADLINE, ~0ULL));
	GUEST_ASSERT_EQ(GUEST_NO_FAULT, guest_rdmsr_safe(MSR_TSC_DEADLINE, &val));
	GUEST_ASSERT_EQ(~0ULL, val);
	/* Too far away to fire. */
	start = guest_rdtsc();
	while (guest_rdtsc() - start < TSC_SECOND / 10) {
		guest_sti();
		asm volatile("nop");
		guest_cli();
	}
	GUEST_ASSERT_EQ(0, guest_irq_count[0x40]);
	GUEST_ASSERT_EQ(GUEST_NO_FAULT, guest_wrmsr_safe(MSR_TSC_DEADLINE, 1ULL << 63));
	GUEST_ASSERT_EQ(GUEST_NO_FAULT, guest_wrmsr_safe(MSR_TSC_DEADLINE, guest_rdtsc() + (1ULL << 62)));
	GUEST_ASSERT_EQ(GUEST_NO_FAULT, guest_wrmsr_safe(MSR_TSC_DEADLINE, 0));
}

TEST(tsc_deadline_all_ones)
{
	GUEST_RUN_TO_DONE(guest_deadline_all_ones, 0);
}

static uint64_t read_cr8(void)
{
	uint64_t v;

	asm volatile("mov %%cr8, %0" : "=r"(v));
	return v;
}

static void guest_cr8(uint64_t unused)
{
	asm volatile("mov %0, %%cr8" : : "r"(15ULL));
	GUEST_SYNC(read_cr8());
	/* CR8 is TPR[7:4] of the guest's own APIC. */
	GUEST_SYNC(guest_mmio_read32(GUEST_LAPIC_GPA + 0x80));
	asm volatile("mov %0, %%cr8" : : "r"(0ULL));
}

TEST(cr8_write_leaves_host_ticking)
{
	struct host_health h;
	struct guest_ucall uc;
	struct vm *vm;

	ASSERT_EQ(0, host_health_begin(&h));
	vm = guest_vm_create();
	ASSERT_NE(NULL, vm);
	ASSERT_EQ(0, guest_vm_start(vm, guest_cr8, 0));
	ASSERT_UCALL(vm, UCALL_SYNC, &uc);
	EXPECT_EQ(15, uc.args[0]);
	/* Out of the guest now: the host must hear its timer. */
	ASSERT_HOST_HEALTHY(&h);
	ASSERT_UCALL(vm, UCALL_SYNC, &uc);
	EXPECT_EQ(0xf0, uc.args[0] & 0xf0);
	ASSERT_UCALL(vm, UCALL_DONE, &uc);
	vm_destroy(vm);
	ASSERT_HOST_HEALTHY(&h);
	host_health_end(&h);
}

/*
 * 32-bit protected mode, CR0.AM set: CPL 0 IRETs to CPL 3 with EFLAGS.AC
 * and a misaligned ESP; the PUSH there raises #AC, whose gate leads to
 * DPL 3 code: the delivery pushes on the same misaligned stack and raises
 * #AC again.  Loaded at AC_CODE_GPA.
 */
#define AC_CODE_GPA	0x10000
#define AC_GDT_GPA	0x2000
#define AC_TSS_GPA	0x3000
#define AC_IDT_GPA	0x4000
extern const char ac_guest[], ac_guest_user[], ac_guest_handler[], ac_guest_end[];

asm(".pushsection .rodata\n"
    ".code32\n"
    "ac_guest:\n\t"
    "pushl $0x23\n\t"			/* SS: user data */
    "pushl $0x9001\n\t"			/* ESP, misaligned */
    "pushl $0x40002\n\t"		/* EFLAGS: AC */
    "pushl $0x1b\n\t"			/* CS: user code */
    "pushl $0x10000 + (ac_guest_user - ac_guest)\n\t"
    "iret\n"
    "ac_guest_user:\n\t"
    "push %eax\n\t"
    "1: jmp 1b\n"
    "ac_guest_handler:\n\t"
    "2: jmp 2b\n"
    "ac_guest_end:\n"
    ".code64\n"
    ".popsection");

static struct hvx_segment flat32(uint16_t sel, uint8_t type, uint8_t dpl)
{
	return (struct hvx_segment){
		.limit = 0xffffffff, .selector = sel, .type = type, .present = 1,
		.dpl = dpl, .db = 1, .s = 1, .g = 1,
	};
}

static void on_alarm(int sig)
{
}

TEST(alignment_check_storm_leaves_host_ticking)
{
	struct itimerval stop = { { 0, 200000 }, { 2, 0 } }, off = { 0 };
	struct sigaction sa = { .sa_handler = on_alarm };
	uint64_t handler = AC_CODE_GPA + (ac_guest_handler - ac_guest);
	struct host_health h;
	struct hvx_sregs s;
	struct hvx_regs r;
	struct vm_exit e;
	uint64_t *gdt, *idt;
	struct vm *vm;
	int ret;

	ASSERT_EQ(0, host_health_begin(&h));
	vm = vm_create(VM_HVX, 2 << 20);
	ASSERT_NE(NULL, vm);
	vm_load(vm, AC_CODE_GPA, ac_guest, ac_guest_end);
	gdt = (uint64_t *)(vm->mem + AC_GDT_GPA);
	gdt[1] = 0x00cf9b000000ffffULL;	/* 0x08 code, DPL 0 */
	gdt[2] = 0x00cf93000000ffffULL;	/* 0x10 data, DPL 0 */
	gdt[3] = 0x00cffb000000ffffULL;	/* 0x18 code, DPL 3 */
	gdt[4] = 0x00cff3000000ffffULL;	/* 0x20 data, DPL 3 */
	gdt[5] = 0x0000890000000067ULL | (uint64_t)AC_TSS_GPA << 16;
	idt = (uint64_t *)(vm->mem + AC_IDT_GPA);
	/* #AC: a 32-bit interrupt gate, DPL 3, to DPL 3 code. */
	idt[17] = (handler & 0xffff) | 0x1bULL << 16 | 0xeeULL << 40 |
		  ((handler >> 16) & 0xffff) << 48;

	ASSERT_EQ(0, vm_get_sregs(vm, &s));
	s.cs = flat32(0x08, 0xb, 0);
	s.ds = s.es = s.fs = s.gs = s.ss = flat32(0x10, 0x3, 0);
	s.tr = (struct hvx_segment){ .base = AC_TSS_GPA, .limit = 0x67, .selector = 0x28,
				     .type = 0xb, .present = 1 };
	s.ldt = (struct hvx_segment){ .unusable = 1 };
	s.gdt.base = AC_GDT_GPA;
	s.gdt.limit = 6 * 8 - 1;
	s.idt.base = AC_IDT_GPA;
	s.idt.limit = 0x7ff;
	s.cr0 = 0x1 | 0x10 | 0x20 | 1 << 18;	/* PE, ET, NE, AM */
	s.cr4 = 0;
	s.efer = 0;
	ASSERT_EQ(0, vm_set_sregs(vm, &s));
	ASSERT_EQ(0, vm_get_regs(vm, &r));
	r.rip = AC_CODE_GPA;
	r.rsp = 0x8000;
	r.rflags = 2;
	ASSERT_EQ(0, vm_set_regs(vm, &r));

	/*
	 * The guest never gets anywhere: HVX_RUN must come back for a signal
	 * (or end the vCPU with a shutdown), and the host must stay alive.
	 */
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	ASSERT_EQ(0, setitimer(ITIMER_REAL, &stop, NULL));
	ret = vm_run(vm, &e);
	setitimer(ITIMER_REAL, &off, NULL);
	if (ret) {
		ASSERT_EQ(EINTR, errno);
	} else {
		ASSERT_EQ(VM_EXIT_SHUTDOWN, e.kind);
	}
	TH_LOG("HVX_RUN ended with %s", ret ? "EINTR" : "a shutdown");
	vm_destroy(vm);
	ASSERT_HOST_HEALTHY(&h);
	host_health_end(&h);
}

/*
 * XSETBV: hvx compared the guest's value with the host's XCR0 read by
 * XGETBV, which raises #UD in a host kernel that did not enable XSAVE
 * (CR4.OSXSAVE clear, as in the emulated host): an oops that can leave
 * the host hung.
 */
#define X86_CR4_OSXSAVE	(1ULL << 18)

static uint64_t xgetbv0(void)
{
	uint32_t lo, hi;

	asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return lo | (uint64_t)hi << 32;
}

/* XCR0: x87 always, AVX only with SSE, no unknown bits; only XCR0 exists. */
static void guest_xsetbv(uint64_t unused)
{
	static const uint8_t xsetbv[] = { 0x0f, 0x01, 0xd1 };
	struct guest_user_regs regs;
	uint64_t xcr0;

	GUEST_ASSERT_EQ(UD_VECTOR, guest_xsetbv_safe(0, 3));
	/* A host that does not use XSAVE itself may refuse it to the guest. */
	if (guest_write_cr4_safe(guest_read_cr4() | X86_CR4_OSXSAVE) == GP_VECTOR) {
		GUEST_ASSERT_EQ(0, guest_read_cr4() & X86_CR4_OSXSAVE);
		GUEST_ASSERT_EQ(UD_VECTOR, guest_xsetbv_safe(0, 3));
		GUEST_ASSERT_EQ(UD_VECTOR, guest_xsetbv_safe(1, ~0ULL));
		GUEST_SYNC(0);
		return;
	}
	GUEST_SYNC(1);
	xcr0 = xgetbv0();
	GUEST_ASSERT(xcr0 & 1);
	GUEST_ASSERT_EQ(GUEST_NO_FAULT, guest_xsetbv_safe(0, xcr0));
	GUEST_ASSERT_EQ(GP_VECTOR, guest_xsetbv_safe(0, xcr0 & ~1ULL));
	GUEST_ASSERT_EQ(GP_VECTOR, guest_xsetbv_safe(0, 0));
	GUEST_ASSERT_EQ(GP_VECTOR, guest_xsetbv_safe(0, 1 | 4));	/* AVX, no SSE */
	GUEST_ASSERT_EQ(GP_VECTOR, guest_xsetbv_safe(0, xcr0 | 1ULL << 63));
	GUEST_ASSERT_EQ(GP_VECTOR, guest_xsetbv_safe(0, xcr0 | 1ULL << 62));
	GUEST_ASSERT_EQ(GP_VECTOR, guest_xsetbv_safe(0, ~0ULL));
	GUEST_ASSERT_EQ(GP_VECTOR, guest_xsetbv_safe(1, xcr0));
	GUEST_ASSERT_EQ(GP_VECTOR, guest_xsetbv_safe(1, 1));
	GUEST_ASSERT_EQ(GP_VECTOR, guest_xsetbv_safe(~0U, xcr0));
	GUEST_ASSERT_EQ(xcr0, xgetbv0());
	/* At CPL 3, even the current value. */
	__builtin_memset(&regs, 0, sizeof(regs));
	regs.rax = (uint32_t)xcr0;
	regs.rdx = xcr0 >> 32;
	GUEST_ASSERT_EQ(GP_VECTOR, guest_user_run_bytes(xsetbv, sizeof(xsetbv), &regs));
	GUEST_ASSERT_EQ(GUEST_USER_CODE, guest_user_fault_rip);
	GUEST_ASSERT_EQ(xcr0, xgetbv0());
}

static void host_cpuid(uint32_t leaf, uint32_t sub, unsigned int *a, unsigned int *b,
		       unsigned int *c, unsigned int *d)
{
	asm volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(sub));
}

/* The guest's CPUID offers XSAVE (leaf 1) and the host's XCR0 (leaf 0xd). */
static int offer_xsave(struct vm *vm)
{
	struct {
		struct hvx_cpuid head;
		struct hvx_cpuid_entry e[3];
	} c;
	unsigned int a, b, cx, d;

	memset(&c, 0, sizeof(c));
	c.head.nent = 3;
	host_cpuid(0, 0, &a, &b, &cx, &d);
	c.e[0] = (struct hvx_cpuid_entry){ .function = 0, .eax = 0xd, .ebx = b, .ecx = cx, .edx = d };
	host_cpuid(1, 0, &a, &b, &cx, &d);
	c.e[1] = (struct hvx_cpuid_entry){ .function = 1, .eax = a, .ebx = b, .ecx = cx, .edx = d };
	host_cpuid(0xd, 0, &a, &b, &cx, &d);
	c.e[2] = (struct hvx_cpuid_entry){ .function = 0xd, .index = 0,
		.flags = HVX_CPUID_FLAG_SIGNIFICANT_INDEX, .eax = a, .ebx = b, .ecx = cx, .edx = d };
	return ioctl(vm->vcpu_fd, HVX_SET_CPUID, &c);
}

TEST(xsetbv_bad_values_gp)
{
	struct host_health h;
	struct guest_ucall uc;
	struct vm *vm;

	ASSERT_EQ(0, host_health_begin(&h));
	vm = guest_vm_create();
	ASSERT_NE(NULL, vm);
	ASSERT_EQ(0, offer_xsave(vm));
	ASSERT_EQ(0, guest_vm_start(vm, guest_xsetbv, 0));
	ASSERT_UCALL(vm, UCALL_SYNC, &uc);
	TH_LOG("CR4.OSXSAVE %s", uc.args[0] ? "granted: bad XCR0 values tried" :
	       "refused (the host does not use XSAVE): XSETBV is #UD");
	ASSERT_UCALL(vm, UCALL_DONE, &uc);
	vm_destroy(vm);
	ASSERT_HOST_HEALTHY(&h);
	host_health_end(&h);
}

TEST_HARNESS_MAIN
