// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile guest: instructions a guest may not run or may run only with
 * good operands.  Every VMX instruction, MONITOR, MWAIT and RDPMC raise
 * #UD; MOV to CR0/CR4/DR7 with bad values raise #GP (XSETBV: in
 * hostile_zlast.c, it took the host down); INVD and WBINVD never reach the host; a sweep of CPUID leaves
 * gives stable answers; a single-step trap that MOV SS held back does not
 * outlive the VMM's new registers.  After each guest the host is checked
 * as in host_health.h.
 */
#include <linux/hw_breakpoint.h>
#include <linux/perf_event.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vm_harness.h"
#include "uapi/hvx.h"
#include "guest.h"
#include "host_health.h"
#include "vm.h"

#define X86_CR0_PE	(1ULL << 0)
#define X86_CR0_NW	(1ULL << 29)
#define X86_CR0_CD	(1ULL << 30)
#define X86_CR0_PG	(1ULL << 31)
#define X86_CR4_DE	(1ULL << 3)
#define X86_CR4_LA57	(1ULL << 12)
#define X86_CR4_VMXE	(1ULL << 13)
#define X86_CR4_PKE	(1ULL << 22)
#define EXIT_REASON_INVD	13
#define EXIT_REASON_WBINVD	54

/* The framework itself: a fault is seen, an unexpected one ends the guest. */
static void guest_faults_are_seen(uint64_t unused)
{
	GUEST_ASSERT_EQ(UD_VECTOR, GUEST_ASM_SAFE("ud2", ));
	GUEST_ASSERT_EQ(BP_VECTOR, GUEST_ASM_SAFE("int3", ));
	GUEST_ASSERT_EQ(GUEST_NO_FAULT, GUEST_ASM_SAFE("nop", ));
	GUEST_SYNC(1);
	asm volatile("ud2");
}

TEST(framework_sees_faults)
{
	struct guest_ucall uc;
	struct vm *vm = guest_vm_create();

	ASSERT_NE(NULL, vm);
	ASSERT_EQ(0, guest_vm_start(vm, guest_faults_are_seen, 0));
	ASSERT_UCALL(vm, UCALL_SYNC, &uc);
	ASSERT_UCALL(vm, UCALL_UNHANDLED, &uc);
	EXPECT_EQ(UD_VECTOR, uc.args[0]);
	vm_destroy(vm);
}

/* Each VMX instruction at CPL 0 and at CPL 3. */
static const struct {
	const char *name;
	uint8_t bytes[8];
	uint8_t len;
} vmx_insns[] = {
	/* Memory operands are (%rax), which points at GUEST_USER_GPA + 0x1000. */
	{ "vmxon",    { 0xf3, 0x0f, 0xc7, 0x30 }, 4 },
	{ "vmxoff",   { 0x0f, 0x01, 0xc4 }, 3 },
	{ "vmclear",  { 0x66, 0x0f, 0xc7, 0x30 }, 4 },
	{ "vmptrld",  { 0x0f, 0xc7, 0x30 }, 3 },
	{ "vmptrst",  { 0x0f, 0xc7, 0x38 }, 3 },
	{ "vmread",   { 0x0f, 0x78, 0xc3 }, 3 },	/* %rax -> %rbx */
	{ "vmwrite",  { 0x0f, 0x79, 0xd8 }, 3 },	/* %rax -> field %rbx */
	{ "vmlaunch", { 0x0f, 0x01, 0xc2 }, 3 },
	{ "vmresume", { 0x0f, 0x01, 0xc3 }, 3 },
	{ "invept",   { 0x66, 0x0f, 0x38, 0x80, 0x18 }, 5 },	/* (%rax), %rbx */
	{ "invvpid",  { 0x66, 0x0f, 0x38, 0x81, 0x18 }, 5 },
	{ "vmfunc",   { 0x0f, 0x01, 0xd4 }, 3 },
	{ "monitor",  { 0x0f, 0x01, 0xc8 }, 3 },
	{ "mwait",    { 0x0f, 0x01, 0xc9 }, 3 },
	{ "getsec",   { 0x0f, 0x37 }, 2 },
};
#define NR_VMX_INSNS (sizeof(vmx_insns) / sizeof(vmx_insns[0]))

/*
 * Runs @i's bytes at CPL 0 from the user page (supervisor may run it).
 * A fault leaves CALL's return address on the stack: R12 restores RSP.
 */
static uint8_t run_at_cpl0(unsigned int i)
{
	volatile uint8_t *dst = (volatile uint8_t *)GUEST_USER_CODE;
	unsigned int b;

	for (b = 0; b < vmx_insns[i].len; b++)
		dst[b] = vmx_insns[i].bytes[b];
	dst[b] = 0xc3;	/* ret */
	asm volatile("lea 1f(%%rip), %%r11\n\t"
		     "mov %%r11, guest_fixup_rip(%%rip)\n\t"
		     "movb $0xff, guest_fault_vector(%%rip)\n\t"
		     "mov %%rsp, %%r12\n\t"
		     "call *%[code]\n"
		     "1:\tmov %%r12, %%rsp\n\t"
		     "movq $0, guest_fixup_rip(%%rip)"
		     : : [code] "r"(GUEST_USER_CODE), "a"(GUEST_USER_GPA + 0x1000), "b"(0),
		       "c"(0), "d"(0)
		     : "r11", "r12", "memory", "cc");
	return guest_fault_vector;
}

static void guest_vmx_insns(uint64_t unused)
{
	struct guest_user_regs regs;
	unsigned int i;

	for (i = 0; i < NR_VMX_INSNS; i++) {
		GUEST_ASSERT_EQ3(UD_VECTOR, run_at_cpl0(i), i);
		__builtin_memset(&regs, 0, sizeof(regs));
		regs.rax = GUEST_USER_GPA + 0x1000;
		GUEST_ASSERT_EQ3(UD_VECTOR, guest_user_run_bytes(vmx_insns[i].bytes,
								 vmx_insns[i].len, &regs), i);
		GUEST_ASSERT_EQ3(GUEST_USER_CODE, guest_user_fault_rip, i);
	}
	/* Nor may the guest turn VMX on. */
	GUEST_ASSERT_EQ(GP_VECTOR, guest_write_cr4_safe(guest_read_cr4() | X86_CR4_VMXE));
}

TEST(vmx_monitor_mwait_getsec_ud)
{
	GUEST_RUN_TO_DONE(guest_vmx_insns, 0);
}

/* RDPMC: the host's counters are not the guest's (hvx makes it #UD). */
static void guest_rdpmc(uint64_t unused)
{
	uint32_t ctr, lo, hi;

	for (ctr = 0; ctr < 4; ctr++)
		GUEST_ASSERT_EQ3(UD_VECTOR, GUEST_ASM_SAFE("rdpmc", "=a"(lo) _GUEST_COMMA "=d"(hi),
							   "c"(ctr)), ctr);
	ctr = 1U << 30;
	GUEST_ASSERT_EQ(UD_VECTOR, GUEST_ASM_SAFE("rdpmc", "=a"(lo) _GUEST_COMMA "=d"(hi), "c"(ctr)));
}

TEST(rdpmc_ud)
{
	GUEST_RUN_TO_DONE(guest_rdpmc, 0);
}

/*
 * INVD would drop the host's dirty cache lines and WBINVD flush them all:
 * neither may run on the host's behalf.  INVD always exits; the VMM must
 * not see an internal error for it.  WBINVD runs natively unless hvx asks
 * for WBINVD exiting: the exit count says whether it did.
 */
static void guest_invd_wbinvd(uint64_t unused)
{
	uint8_t vec;

	vec = GUEST_ASM_SAFE("invd", );
	GUEST_ASSERT_EQ(vec == GUEST_NO_FAULT || vec == UD_VECTOR || vec == GP_VECTOR, 1);
	GUEST_SYNC(vec);
	vec = GUEST_ASM_SAFE("wbinvd", );
	GUEST_ASSERT_EQ(vec == GUEST_NO_FAULT || vec == UD_VECTOR || vec == GP_VECTOR, 1);
	GUEST_SYNC(vec);
}

TEST(invd_wbinvd_stay_in_guest)
{
	struct hvx_vcpu_stats stats;
	struct host_health h;
	struct guest_ucall uc;
	struct vm *vm;

	ASSERT_EQ(0, host_health_begin(&h));
	vm = guest_vm_create();
	ASSERT_NE(NULL, vm);
	ASSERT_EQ(0, guest_vm_start(vm, guest_invd_wbinvd, 0));
	ASSERT_UCALL(vm, UCALL_SYNC, &uc);
	TH_LOG("INVD: vector 0x%llx", (unsigned long long)uc.args[0]);
	ASSERT_UCALL(vm, UCALL_SYNC, &uc);
	TH_LOG("WBINVD: vector 0x%llx", (unsigned long long)uc.args[0]);
	ASSERT_UCALL(vm, UCALL_DONE, &uc);
	ASSERT_EQ(0, ioctl(vm->vcpu_fd, HVX_GET_STATS, &stats));
	TH_LOG("exits: INVD %llu, WBINVD %llu",
	       (unsigned long long)stats.exits[EXIT_REASON_INVD],
	       (unsigned long long)stats.exits[EXIT_REASON_WBINVD]);
	EXPECT_EQ(1, stats.exits[EXIT_REASON_WBINVD]);
	vm_destroy(vm);
	ASSERT_HOST_HEALTHY(&h);
	host_health_end(&h);
}

/*
 * CR0 and CR4 values hardware refuses; CR4 bits the CPUID does not offer.
 * A SYNC with the attempt's index before each: the test names the one
 * that went wrong.
 */
#define CR_ATTEMPTS	(5 + 3 + 39)

static void guest_control_registers(uint64_t unused)
{
	uint64_t cr0 = guest_read_cr0(), cr4 = guest_read_cr4();
	const uint64_t bad_cr0[] = {
		cr0 & ~X86_CR0_PE,			/* PG without PE */
		(cr0 | X86_CR0_NW) & ~X86_CR0_CD,	/* NW without CD */
		cr0 | 1ULL << 32, cr0 | 1ULL << 63,
		cr0 & ~X86_CR0_PG,			/* paging off in 64-bit code */
	};
	const uint64_t bad_cr4[] = {
		cr4 | X86_CR4_VMXE, cr4 | X86_CR4_LA57,
		cr4 | X86_CR4_PKE,			/* CPUID offers no PKU */
	};
	unsigned int i, n = 0;

	for (i = 0; i < sizeof(bad_cr0) / sizeof(bad_cr0[0]); i++, n++) {
		GUEST_SYNC2(n, bad_cr0[i]);
		GUEST_ASSERT_EQ3(GP_VECTOR, guest_write_cr0_safe(bad_cr0[i]), n);
		GUEST_ASSERT_EQ3(cr0, guest_read_cr0(), n);
	}
	for (i = 0; i < sizeof(bad_cr4) / sizeof(bad_cr4[0]); i++, n++) {
		GUEST_SYNC2(n, bad_cr4[i]);
		GUEST_ASSERT_EQ3(GP_VECTOR, guest_write_cr4_safe(bad_cr4[i]), n);
		GUEST_ASSERT_EQ3(cr4, guest_read_cr4(), n);
	}
	for (i = 25; i < 64; i++, n++) {
		GUEST_SYNC2(n, cr4 | 1ULL << i);
		GUEST_ASSERT_EQ3(GP_VECTOR, guest_write_cr4_safe(cr4 | 1ULL << i), n);
	}
	GUEST_ASSERT_EQ(cr4, guest_read_cr4());
}

TEST(cr0_cr4_bad_values_gp)
{
	struct host_health h;
	struct guest_ucall uc;
	uint64_t attempt = ~0ULL, value = 0;
	struct vm *vm;
	int got;

	ASSERT_EQ(0, host_health_begin(&h));
	vm = guest_vm_create();
	ASSERT_NE(NULL, vm);
	ASSERT_EQ(0, guest_vm_start(vm, guest_control_registers, 0));
	for (;;) {
		struct vm_exit e;
		char buf[512];

		got = guest_run(vm, &e, &uc);
		if (got != UCALL_SYNC) {
			if (got != UCALL_DONE)
				TH_LOG("after attempt %llu (0x%llx): %s", (unsigned long long)attempt,
				       (unsigned long long)value,
				       guest_exit_describe(got, &e, &uc, buf, sizeof(buf)));
			break;
		}
		attempt = uc.args[0];
		value = uc.args[1];
	}
	ASSERT_EQ(UCALL_DONE, got);
	EXPECT_EQ(CR_ATTEMPTS - 1, attempt);
	vm_destroy(vm);
	ASSERT_HOST_HEALTHY(&h);
	host_health_end(&h);
}

/* DR7 bits 63:32 #GP; DR4/DR5 #UD with CR4.DE; DR6/DR7 read back sane. */
static void guest_debug_registers(uint64_t unused)
{
	uint64_t dr6, dr7, tmp;

	GUEST_ASSERT_EQ(GP_VECTOR, GUEST_ASM_SAFE("mov %[v], %%dr7", , [v] "r"(1ULL << 32)));
	GUEST_ASSERT_EQ(GP_VECTOR, GUEST_ASM_SAFE("mov %[v], %%dr7", , [v] "r"(~0ULL)));
	GUEST_ASSERT_EQ(GUEST_NO_FAULT, GUEST_ASM_SAFE("mov %[v], %%dr6", , [v] "r"(~0ULL)));
	GUEST_ASSERT_EQ(GUEST_NO_FAULT, GUEST_ASM_SAFE("mov %[v], %%dr7", , [v] "r"(0xffffffffULL)));
	asm volatile("mov %%dr6, %0" : "=r"(dr6));
	asm volatile("mov %%dr7, %0" : "=r"(dr7));
	GUEST_ASSERT_EQ(0, dr6 >> 32);
	GUEST_ASSERT_EQ(0, dr7 >> 32);
	GUEST_ASSERT(dr7 & 0x400);
	GUEST_ASSERT_EQ(GUEST_NO_FAULT, GUEST_ASM_SAFE("mov %[v], %%dr7", , [v] "r"(0x400ULL)));
	GUEST_ASSERT_EQ(GUEST_NO_FAULT, guest_write_cr4_safe(guest_read_cr4() | X86_CR4_DE));
	GUEST_ASSERT_EQ(UD_VECTOR, GUEST_ASM_SAFE("mov %%dr4, %[x]", [x] "=r"(tmp)));
	GUEST_ASSERT_EQ(UD_VECTOR, GUEST_ASM_SAFE("mov %[x], %%dr5", , [x] "r"(0ULL)));
}

TEST(debug_registers_bad_values)
{
	GUEST_RUN_TO_DONE(guest_debug_registers, 0);
}

/*
 * CPUID leaves 0-0x100, 0x40000000-0x400000ff and 0x80000000-0x800000ff,
 * each with subleaves 0, 1, ~0 and a random one, twice: same answers.
 */
#define SWEEP_LEAVES	(3 * 256 + 1)
#define SWEEP_SUBLEAVES	4
static uint32_t sweep[SWEEP_LEAVES * SWEEP_SUBLEAVES][4];

static uint32_t sweep_leaf(unsigned int i)
{
	static const uint32_t bases[] = { 0, 0x40000000, 0x80000000 };

	return i == 3 * 256 ? 0x100 : bases[i / 256] + i % 256;
}

static void guest_cpuid_sweep(uint64_t seed)
{
	unsigned int pass, i, s, r;
	uint32_t out[4];

	for (pass = 0; pass < 2; pass++) {
		uint64_t rng = seed;

		for (i = 0; i < SWEEP_LEAVES; i++) {
			for (s = 0; s < SWEEP_SUBLEAVES; s++) {
				uint32_t sub = s == 0 ? 0 : s == 1 ? 1 : s == 2 ? ~0U :
					       (uint32_t)guest_rand(&rng);
				uint32_t *slot = sweep[i * SWEEP_SUBLEAVES + s];

				guest_do_cpuid(sweep_leaf(i), sub, out);
				for (r = 0; r < 4; r++) {
					if (pass == 0)
						slot[r] = out[r];
					else
						GUEST_ASSERT_EQ3(slot[r], out[r], sweep_leaf(i));
				}
			}
		}
	}
	/* hvx's own leaf answers whatever the VMM set. */
	guest_do_cpuid(0x40000000, 0, out);
	GUEST_ASSERT_EQ(0x40000001, out[0]);
	GUEST_ASSERT(out[1] | out[2] | out[3]);
}

TEST(cpuid_sweep_stable)
{
	GUEST_RUN_TO_DONE(guest_cpuid_sweep, 0x9e3779b97f4a7c15ULL);
}

/*
 * A VM exit loads DR7 with 0x400 and IA32_DEBUGCTL with 0 in the host: a
 * host hardware breakpoint set before the guest ran must still fire after.
 */
static volatile int watched;

static void guest_exit_a_few_times(uint64_t unused)
{
	int i;

	for (i = 0; i < 3; i++)
		GUEST_SYNC(i);
}

TEST(host_breakpoint_survives_guest)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_BREAKPOINT, .size = sizeof(attr),
		.bp_type = HW_BREAKPOINT_W, .bp_addr = (uintptr_t)&watched,
		.bp_len = HW_BREAKPOINT_LEN_4, .exclude_kernel = 1, .exclude_hv = 1,
	};
	struct guest_ucall uc;
	uint64_t count;
	struct vm *vm;
	int fd, i;

	fd = syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0);
	if (fd < 0)
		SKIP(return, "no hardware breakpoints for this process");
	vm = guest_vm_create();
	ASSERT_NE(NULL, vm);
	ASSERT_EQ(0, guest_vm_start(vm, guest_exit_a_few_times, 0));
	watched = 1;
	for (i = 0; i < 3; i++) {
		ASSERT_UCALL(vm, UCALL_SYNC, &uc);
		/* Right after the exit, no context switch in between. */
		watched = i + 2;
	}
	ASSERT_UCALL(vm, UCALL_DONE, &uc);
	ASSERT_EQ(sizeof(count), read(fd, &count, sizeof(count)));
	EXPECT_EQ(4, count);
	vm_destroy(vm);
	close(fd);
}

#define HELD_STEP_PORT	0xf0
#define X86_EFLAGS_TF	0x100ULL

/*
 * TF on, then MOV SS: the CPU holds the single-step trap of MOV SS until
 * the next instruction is done, an OUT that exits to the test first.
 */
static void guest_step_held_by_mov_ss(uint64_t unused)
{
	asm volatile("mov %%ss, %%eax\n\t"
		     "pushfq; orq $0x100, (%%rsp); popfq\n\t"
		     "mov %%eax, %%ss\n\t"
		     "out %%al, %[port]\n\t"
		     "pushfq; andq $~0x100, (%%rsp); popfq"
		     : : [port] "i" (HELD_STEP_PORT) : "rax", "memory", "cc");
	GUEST_SYNC(1);
}

static void guest_landing(uint64_t arg)
{
	GUEST_SYNC(arg);
}

/* A new guest stopped at the OUT, with the trap of its MOV SS still held. */
static struct vm *vm_at_held_step(struct __test_metadata *_metadata, struct hvx_regs *r)
{
	struct vm *vm = guest_vm_create();
	struct guest_ucall uc;
	struct vm_exit e;
	char buf[200];
	int got;

	ASSERT_NE(NULL, vm);
	ASSERT_EQ(0, guest_vm_start(vm, guest_step_held_by_mov_ss, 0));
	got = guest_run(vm, &e, &uc);
	if (got != UCALL_NONE || e.kind != VM_EXIT_IO || e.port != HELD_STEP_PORT)
		TH_LOG("%s", guest_exit_describe(got, &e, &uc, buf, sizeof(buf)));
	ASSERT_EQ(UCALL_NONE, got);
	ASSERT_EQ(VM_EXIT_IO, e.kind);
	ASSERT_EQ(HELD_STEP_PORT, e.port);
	ASSERT_EQ(0, vm_get_regs(vm, r));
	ASSERT_NE(0, r->rflags & X86_EFLAGS_TF);
	return vm;
}

/*
 * The VMM moves the vCPU elsewhere: the held trap belonged to the old
 * code.  It used to be delivered at the new RIP (or, with TF clear, to
 * fail the entry on the MOV SS blocking left behind).
 */
TEST(set_regs_elsewhere_drops_held_single_step)
{
	struct guest_ucall uc;
	struct hvx_regs r;
	struct vm *vm = vm_at_held_step(_metadata, &r);

	r.rip = (uintptr_t)guest_landing;
	r.rdi = 0x1a4d;
	r.rsp = (r.rsp & ~15ULL) - 8;
	r.rflags = 2;
	ASSERT_EQ(0, vm_set_regs(vm, &r));
	ASSERT_UCALL(vm, UCALL_SYNC, &uc);
	EXPECT_EQ(0x1a4d, uc.args[0]);
	vm_destroy(vm);
}

/*
 * Registers written back unchanged (as a VMM that only reads them does)
 * move nothing: the trap MOV SS held back is still owed, and comes right
 * after the OUT, as on hardware.
 */
TEST(set_regs_in_place_keeps_held_single_step)
{
	struct guest_ucall uc;
	struct hvx_regs r;
	struct vm *vm = vm_at_held_step(_metadata, &r);

	ASSERT_EQ(0, vm_set_regs(vm, &r));
	ASSERT_UCALL(vm, UCALL_UNHANDLED, &uc);
	EXPECT_EQ(DB_VECTOR, uc.args[0]);
	EXPECT_EQ(r.rip, uc.args[2]);
	vm_destroy(vm);
}

TEST_HARNESS_MAIN
