/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest code in C, for the hostile-guest tests (selftests/vm/hostile_*.c).
 *
 * The test binary is static and not position independent (linked at
 * 0x400000), and the guest's identity map covers its first 4 GiB: so the
 * host copies the binary's loaded segments into guest memory at the same
 * addresses, and a guest function is just a function of the test, called
 * on the guest's stack.  Globals are copies: the guest's writes stay in
 * guest memory (GUEST_VAR() reads them from the host), and pointers to
 * constant strings mean the same on both sides.  This is what KVM's
 * selftests do (tools/testing/selftests/kvm/lib/ucall_common.c).
 *
 * Guest code runs at CPL 0 (CPL 3 with guest_enter_user()) in 64-bit mode
 * with interrupts off, its own GDT, TSS and IDT, and no SSE: the hostile
 * tests are compiled with -mgeneral-regs-only -mno-red-zone
 * -fno-stack-protector (selftests/Makefile), and guest code must not call
 * the C library.
 *
 * Talking to the host ("ucalls"): the guest fills guest_ucall_buf and does
 * a 32-bit OUT of its address to UCALL_PORT; guest_run() on the host turns
 * that exit into a UCALL_* value.
 *
 * Exceptions: every vector has a handler.  GUEST_ASM_SAFE() runs an
 * instruction and returns the vector it raised (GUEST_NO_FAULT if none):
 * the handler resumes after it.  Any other exception ends the guest with
 * UCALL_UNHANDLED.  Interrupts (vectors 32-255) are counted in
 * guest_irq_count[] and acknowledged with an EOI to the local APIC.
 */
#ifndef HVX_SELFTEST_GUEST_H
#define HVX_SELFTEST_GUEST_H

#include <stddef.h>
#include <stdint.h>

/* Guest physical memory layout (identity mapped, 2 MiB pages). */
#define GUEST_MEM_SIZE		(32ULL << 20)
/* The one 2 MiB page CPL 3 may touch, besides GUEST_MMIO_GPA's. */
#define GUEST_USER_GPA		0x1000000ULL
#define GUEST_USER_CODE		GUEST_USER_GPA
#define GUEST_USER_STACK_TOP	(GUEST_USER_GPA + 0x200000 - 64)
/* Unbacked: every access is an MMIO exit to the test.  User accessible. */
#define GUEST_MMIO_GPA		0xc0000000ULL
#define GUEST_LAPIC_GPA		0xfee00000ULL
#define GUEST_IOAPIC_GPA	0xfec00000ULL

#define GUEST_KERNEL_CS		0x08
#define GUEST_KERNEL_DS		0x10
#define GUEST_USER_DS		(0x18 | 3)
#define GUEST_USER_CS		(0x20 | 3)
#define GUEST_TSS_SEL		0x28

#define UCALL_PORT		0xfe0

enum {
	UCALL_NONE,		/* guest_run(): the exit was not a ucall */
	UCALL_SYNC,		/* args[0..3]: the guest's values */
	UCALL_DONE,		/* the guest function returned */
	UCALL_ABORT,		/* GUEST_ASSERT failed: file, line, expr, args */
	UCALL_UNHANDLED,	/* args: vector, error code, RIP, CR2 */
};

struct guest_ucall {
	uint64_t cmd;
	uint64_t args[4];
	const char *file;	/* the test binary's strings: same on both sides */
	const char *expr;
	uint64_t line;
};

/* Vectors; GUEST_NO_FAULT when the instruction raised nothing. */
#define GUEST_NO_FAULT	0xff
/* guest_enter_user() after guest_vm_recover(), GUEST_ASM_SAFE() after guest_vm_skip_to_fixup(). */
#define GUEST_RECOVERED	0xfe
#define DE_VECTOR	0
#define DB_VECTOR	1
#define BP_VECTOR	3
#define UD_VECTOR	6
#define DF_VECTOR	8
#define GP_VECTOR	13
#define PF_VECTOR	14
#define AC_VECTOR	17

/* Registers a random instruction at CPL 3 starts with (guest_enter_user()). */
struct guest_user_regs {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rip, rsp, rflags;
};

/* ---- guest side ---------------------------------------------------------- */

extern struct guest_ucall guest_ucall_buf;
extern volatile uint64_t guest_fixup_rip;
extern volatile uint8_t guest_fault_vector;
extern volatile uint64_t guest_fault_error;
extern volatile uint64_t guest_irq_count[256];
/* Set while guest_enter_user() runs: any exception returns from it. */
extern volatile uint64_t guest_user_active;
/* Where the exception that ended guest_enter_user() was raised. */
extern volatile uint64_t guest_user_fault_rip;
/* And the RAX of the code at CPL 3 then. */
extern volatile uint64_t guest_user_rax;
/* #DB that arrived on guest_user_abort's first instruction (see guest.c). */
extern volatile uint64_t guest_stale_debug_traps;
/* Bumped by the tests that run random code, for the host's watchdog. */
extern volatile uint64_t guest_progress;

void guest_ucall(uint64_t cmd, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3);
void guest_abort(const char *file, uint64_t line, const char *expr,
		 uint64_t a, uint64_t b) __attribute__((noreturn));

#define GUEST_SYNC(a)		guest_ucall(UCALL_SYNC, (a), 0, 0, 0)
#define GUEST_SYNC2(a, b)	guest_ucall(UCALL_SYNC, (a), (b), 0, 0)
#define GUEST_SYNC4(a, b, c, d)	guest_ucall(UCALL_SYNC, (a), (b), (c), (d))
#define GUEST_ASSERT(cond) do {						\
	if (!(cond))							\
		guest_abort(__FILE__, __LINE__, #cond, 0, 0);		\
} while (0)
/* Reports both values: args[0] is @a, args[1] is @b. */
#define GUEST_ASSERT_EQ(a, b) do {					\
	uint64_t __a = (a), __b = (b);					\
	if (__a != __b)							\
		guest_abort(__FILE__, __LINE__, #a " == " #b, __a, __b);\
} while (0)
/* As GUEST_ASSERT_EQ, with a third value (what was tried) in args[2]. */
#define GUEST_ASSERT_EQ3(a, b, what) do {				\
	uint64_t __a = (a), __b = (b);					\
	if (__a != __b) {						\
		guest_ucall_buf.args[2] = (what);			\
		guest_abort(__FILE__, __LINE__, #a " == " #b, __a, __b);\
	}								\
} while (0)

/*
 * Runs @insn (an asm string; operands by name, never R11) and returns the
 * vector it raised, GUEST_NO_FAULT if none.  The exception handler sends
 * a faulting instruction to the label after it.
 */
#define GUEST_ASM_SAFE(insn, outputs, inputs...) ({			\
	asm volatile("lea 1f(%%rip), %%r11\n\t"				\
		     "mov %%r11, guest_fixup_rip(%%rip)\n\t"		\
		     "movb $0xff, guest_fault_vector(%%rip)\n\t"	\
		     insn "\n"						\
		     "1:\tmovq $0, guest_fixup_rip(%%rip)"		\
		     : outputs : inputs : "r11", "memory", "cc");	\
	guest_fault_vector;						\
})

/* A comma inside GUEST_ASM_SAFE()'s outputs. */
#define _GUEST_COMMA ,

static inline uint8_t guest_rdmsr_safe(uint32_t msr, uint64_t *val)
{
	uint32_t lo = 0, hi = 0;
	uint8_t vec = GUEST_ASM_SAFE("rdmsr", "=a"(lo) _GUEST_COMMA "=d"(hi), "c"(msr));

	*val = lo | (uint64_t)hi << 32;
	return vec;
}
static inline uint8_t guest_wrmsr_safe(uint32_t msr, uint64_t val)
{
	return GUEST_ASM_SAFE("wrmsr", , "c"(msr), "a"((uint32_t)val),
			      "d"((uint32_t)(val >> 32)));
}

static inline uint8_t guest_xsetbv_safe(uint32_t index, uint64_t val)
{
	return GUEST_ASM_SAFE("xsetbv", , "c"(index), "a"((uint32_t)val),
			      "d"((uint32_t)(val >> 32)));
}

static inline uint64_t guest_rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return lo | (uint64_t)hi << 32;
}

static inline void guest_do_cpuid(uint32_t leaf, uint32_t sub, uint32_t out[4])
{
	asm volatile("cpuid" : "=a"(out[0]), "=b"(out[1]), "=c"(out[2]), "=d"(out[3])
		     : "a"(leaf), "c"(sub));
}

static inline uint64_t guest_read_cr0(void)
{
	uint64_t v;

	asm volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static inline uint64_t guest_read_cr4(void)
{
	uint64_t v;

	asm volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static inline uint8_t guest_write_cr4_safe(uint64_t v)
{
	return GUEST_ASM_SAFE("mov %[v], %%cr4", , [v] "r"(v));
}

static inline uint8_t guest_write_cr0_safe(uint64_t v)
{
	return GUEST_ASM_SAFE("mov %[v], %%cr0", , [v] "r"(v));
}

/*
 * MMIO through a register: a constant address above 2 GiB would compile to
 * MOV with a 64-bit absolute address (moffs), which hostile_mmio.c tests
 * on its own.
 */
static inline uint32_t guest_mmio_read32(uint64_t gpa)
{
	uint32_t val;

	asm volatile("movl (%1), %0" : "=r"(val) : "r"(gpa) : "memory");
	return val;
}

static inline void guest_mmio_write32(uint64_t gpa, uint32_t val)
{
	asm volatile("movl %0, (%1)" : : "r"(val), "r"(gpa) : "memory");
}

static inline void guest_sti(void) { asm volatile("sti" ::: "memory"); }
static inline void guest_cli(void) { asm volatile("cli" ::: "memory"); }
/* STI's shadow covers the HLT: an interrupt pending now wakes it. */
static inline void guest_sti_hlt(void) { asm volatile("sti; hlt" ::: "memory"); }

/* xorshift64*: the same sequence on both sides from the same seed. */
static inline uint64_t guest_rand(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

/*
 * Runs @regs at CPL 3 (IOPL 0, so no port I/O) until the first exception
 * or interrupt, which comes back here: returns its vector.
 */
uint8_t guest_enter_user(const struct guest_user_regs *regs);
/*
 * Copies @code to GUEST_USER_CODE, HLTs after it, and runs it at CPL 3 with
 * @regs (RSP and RFLAGS defaulted when 0): returns the vector that ended
 * it; it was @code's own if guest_user_fault_rip is GUEST_USER_CODE.
 */
uint8_t guest_user_run_bytes(const uint8_t *code, unsigned int len,
			     struct guest_user_regs *regs);
/* Where the host sends a vCPU stuck at CPL 3 (guest_vm_recover()). */
void guest_user_abort(void);

/* ---- host side ----------------------------------------------------------- */

struct vm;
struct vm_exit;

/* A VM with the test binary in its memory; NULL with errno set on failure. */
struct vm *guest_vm_create(void);
/* Sets up the vCPU to run @fn(@arg) from guest_entry; UCALL_DONE when it returns. */
int guest_vm_start(struct vm *vm, void (*fn)(uint64_t), uint64_t arg);
/*
 * Runs the vCPU: returns the UCALL_* of a ucall exit (its data in *@uc),
 * UCALL_NONE for any other exit (in *@e), -1 with errno if HVX_RUN failed.
 */
int guest_run(struct vm *vm, struct vm_exit *e, struct guest_ucall *uc);
/* Says what guest_run() returned, for a failure message. */
const char *guest_exit_describe(int ucall, const struct vm_exit *e,
				const struct guest_ucall *uc, char *buf, size_t len);
/*
 * In a kselftest TEST(): runs @vm until a ucall, asserts it is @want and
 * leaves it in *@uc; logs what came instead.
 */
#define ASSERT_UCALL(vm, want, uc) do {					\
	struct vm_exit __e;						\
	char __buf[512];						\
	int __got = guest_run((vm), &__e, (uc));			\
									\
	if (__got != (want))						\
		TH_LOG("%s", guest_exit_describe(__got, &__e, (uc),	\
						 __buf, sizeof(__buf)));\
	ASSERT_EQ((want), __got);					\
} while (0)
/* Sends a vCPU that runs random code at CPL 3 back to guest_enter_user()'s caller. */
int guest_vm_recover(struct vm *vm);
/* Moves RIP to the GUEST_ASM_SAFE() fixup the guest armed (after an exit the test refuses). */
int guest_vm_skip_to_fixup(struct vm *vm);

/*
 * In a kselftest TEST(): runs @fn(@arg) in a new VM until it returns
 * (UCALL_DONE), then asserts the host is still healthy (host_health.h).
 */
#define GUEST_RUN_TO_DONE(fn, arg) do {					\
	struct host_health __h;						\
	struct guest_ucall __uc;					\
	struct vm *__vm;						\
									\
	ASSERT_EQ(0, host_health_begin(&__h));				\
	__vm = guest_vm_create();					\
	ASSERT_NE(NULL, __vm);						\
	ASSERT_EQ(0, guest_vm_start(__vm, (fn), (arg)));		\
	ASSERT_UCALL(__vm, UCALL_DONE, &__uc);				\
	vm_destroy(__vm);						\
	ASSERT_HOST_HEALTHY(&__h);					\
	host_health_end(&__h);						\
} while (0)

/* The guest's copy of a global of the test binary. */
#define GUEST_VAR(vm, var) (*(__typeof__(var) *)((vm)->mem + (uintptr_t)&(var)))

#endif
