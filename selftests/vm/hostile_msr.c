// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile guest: every MSR hvx handles (kmod/exit_msr.c, kmod/lapic.c)
 * with reserved bits and boundary values, the x2APIC range and random
 * MSRs.  A guest's WRMSR either works or raises #GP, never anything else,
 * and never reaches the host: after each guest the host's log is clean and
 * its timer still ticks.
 */
#include <stdint.h>

#include "vm_harness.h"
#include "guest.h"
#include "host_health.h"
#include "vm.h"

#define MSR_IA32_TSC		0x10
#define MSR_IA32_APICBASE	0x1b
#define MSR_IA32_FEAT_CTL	0x3a
#define MSR_IA32_TSC_ADJUST	0x3b
#define MSR_IA32_UCODE_REV	0x8b
#define MSR_IA32_SYSENTER_CS	0x174
#define MSR_IA32_SYSENTER_ESP	0x175
#define MSR_IA32_SYSENTER_EIP	0x176
#define MSR_IA32_MISC_ENABLE	0x1a0
#define MSR_IA32_CR_PAT		0x277
#define MSR_IA32_TSC_DEADLINE	0x6e0
#define MSR_EFER		0xc0000080
#define MSR_STAR		0xc0000081
#define MSR_LSTAR		0xc0000082
#define MSR_CSTAR		0xc0000083
#define MSR_SYSCALL_MASK	0xc0000084
#define MSR_FS_BASE		0xc0000100
#define MSR_GS_BASE		0xc0000101
#define MSR_KERNEL_GS_BASE	0xc0000102

#define EFER_SCE		(1ULL << 0)
#define EFER_LME		(1ULL << 8)
#define EFER_LMA		(1ULL << 10)
#define EFER_NX			(1ULL << 11)

static const uint32_t handled_msrs[] = {
	MSR_EFER, MSR_IA32_APICBASE, MSR_IA32_CR_PAT, MSR_IA32_SYSENTER_CS,
	MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP, MSR_FS_BASE, MSR_GS_BASE,
	MSR_KERNEL_GS_BASE, MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SYSCALL_MASK,
	MSR_IA32_TSC, MSR_IA32_TSC_DEADLINE, MSR_IA32_TSC_ADJUST,
	MSR_IA32_MISC_ENABLE, MSR_IA32_UCODE_REV, MSR_IA32_FEAT_CTL,
};

static int is_canonical(uint64_t v)
{
	return (uint64_t)(((int64_t)v << 16) >> 16) == v;
}

/* MSRs that hold an address: non-canonical values must #GP. */
static int holds_address(uint32_t msr)
{
	return msr == MSR_IA32_SYSENTER_ESP || msr == MSR_IA32_SYSENTER_EIP ||
	       msr == MSR_FS_BASE || msr == MSR_GS_BASE || msr == MSR_KERNEL_GS_BASE ||
	       msr == MSR_LSTAR || msr == MSR_CSTAR;
}

/* MSRs that read back what was written, all 64 bits. */
static int reads_back(uint32_t msr)
{
	return holds_address(msr) || msr == MSR_STAR || msr == MSR_SYSCALL_MASK;
}

/* Boundary values: 0, ~0, every single bit, the edges of canonical. */
static uint64_t boundary_value(unsigned int i)
{
	static const uint64_t fixed[] = {
		0, ~0ULL, 1, 0x7fffffffULL, 0x80000000ULL, 0xffffffffULL,
		0x100000000ULL, 0x00007fffffffffffULL, 0x0000800000000000ULL,
		0xffff7fffffffffffULL, 0xffff800000000000ULL, 0x7fffffffffffffffULL,
		0x5555555555555555ULL, 0xaaaaaaaaaaaaaaaaULL,
	};
	const unsigned int nfixed = sizeof(fixed) / sizeof(fixed[0]);

	return i < nfixed ? fixed[i] : 1ULL << (i - nfixed);
}
#define NR_BOUNDARY_VALUES	(14 + 64)

/*
 * Writes each boundary value to each handled MSR but the three that have
 * their own tests (PAT, SYSCALL_MASK: known to break the host today;
 * TSC_DEADLINE: hostile_zlast.c); each write restores the old value after.
 */
static void guest_boundary_sweep(uint64_t unused)
{
	unsigned int m, i;

	for (m = 0; m < sizeof(handled_msrs) / sizeof(handled_msrs[0]); m++) {
		uint32_t msr = handled_msrs[m];
		uint64_t old, val, back;

		if (msr == MSR_IA32_CR_PAT || msr == MSR_SYSCALL_MASK ||
		    msr == MSR_IA32_TSC_DEADLINE)
			continue;
		GUEST_ASSERT_EQ3(GUEST_NO_FAULT, guest_rdmsr_safe(msr, &old), msr);
		for (i = 0; i < NR_BOUNDARY_VALUES; i++) {
			uint8_t vec;

			val = boundary_value(i);
			vec = guest_wrmsr_safe(msr, val);
			GUEST_ASSERT_EQ3(vec == GUEST_NO_FAULT ? GP_VECTOR : vec, GP_VECTOR, msr);
			if (holds_address(msr) && !is_canonical(val))
				GUEST_ASSERT_EQ3(GP_VECTOR, vec, msr);
			GUEST_ASSERT_EQ3(GUEST_NO_FAULT, guest_rdmsr_safe(msr, &back), msr);
			if (vec == GUEST_NO_FAULT && reads_back(msr))
				GUEST_ASSERT_EQ3(val, back, msr);
			if (vec != GUEST_NO_FAULT && reads_back(msr))
				GUEST_ASSERT_EQ3(old, back, msr);
			if (msr == MSR_EFER && vec == GUEST_NO_FAULT)
				GUEST_ASSERT_EQ3(0, val & ~(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX), val);
			if (vec == GUEST_NO_FAULT)
				GUEST_ASSERT_EQ3(GUEST_NO_FAULT, guest_wrmsr_safe(msr, old), msr);
		}
	}
}

TEST(handled_msrs_boundary_values)
{
	GUEST_RUN_TO_DONE(guest_boundary_sweep, 0);
}

/* SFMASK bits 63:32 are reserved: hardware raises #GP, so must hvx. */
static void guest_syscall_mask(uint64_t unused)
{
	uint64_t old, back;
	int i;

	GUEST_ASSERT_EQ(GUEST_NO_FAULT, guest_rdmsr_safe(MSR_SYSCALL_MASK, &old));
	GUEST_ASSERT_EQ(GUEST_NO_FAULT, guest_wrmsr_safe(MSR_SYSCALL_MASK, 0x47700));
	GUEST_ASSERT_EQ(GUEST_NO_FAULT, guest_rdmsr_safe(MSR_SYSCALL_MASK, &back));
	GUEST_ASSERT_EQ(0x47700, back);
	GUEST_ASSERT_EQ(GP_VECTOR, guest_wrmsr_safe(MSR_SYSCALL_MASK, ~0ULL));
	GUEST_ASSERT_EQ(GP_VECTOR, guest_wrmsr_safe(MSR_SYSCALL_MASK, 1ULL << 32));
	GUEST_ASSERT_EQ(GP_VECTOR, guest_wrmsr_safe(MSR_SYSCALL_MASK, 1ULL << 63));
	/* Exits to the host load the guest's MSRs on the way back in. */
	for (i = 0; i < 100; i++)
		GUEST_SYNC(i);
	GUEST_ASSERT_EQ(GUEST_NO_FAULT, guest_rdmsr_safe(MSR_SYSCALL_MASK, &back));
	GUEST_ASSERT_EQ(0x47700, back);
}

TEST(syscall_mask_reserved_bits_gp)
{
	struct host_health h;
	struct guest_ucall uc;
	struct vm *vm;
	int i;

	ASSERT_EQ(0, host_health_begin(&h));
	vm = guest_vm_create();
	ASSERT_NE(NULL, vm);
	ASSERT_EQ(0, guest_vm_start(vm, guest_syscall_mask, 0));
	for (i = 0; i < 100; i++) {
		ASSERT_UCALL(vm, UCALL_SYNC, &uc);
		/* The host's own SYSCALL path runs between the exits. */
		getppid();
	}
	ASSERT_UCALL(vm, UCALL_DONE, &uc);
	vm_destroy(vm);
	ASSERT_HOST_HEALTHY(&h);
	host_health_end(&h);
}

/* STAR holds selectors, LSTAR and CSTAR addresses: non-canonical must #GP. */
static void guest_syscall_targets(uint64_t unused)
{
	static const uint64_t bad[] = {
		0x0000800000000000ULL, 0xffff7fffffffffffULL, 0x8000000000000000ULL,
		0x00ff000000000000ULL,
	};
	uint64_t old, back;
	unsigned int i;

	GUEST_ASSERT_EQ(GUEST_NO_FAULT, guest_rdmsr_safe(MSR_LSTAR, &old));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		GUEST_ASSERT_EQ3(GP_VECTOR, guest_wrmsr_safe(MSR_LSTAR, bad[i]), bad[i]);
		GUEST_ASSERT_EQ3(GP_VECTOR, guest_wrmsr_safe(MSR_CSTAR, bad[i]), bad[i]);
		GUEST_ASSERT_EQ(GUEST_NO_FAULT, guest_rdmsr_safe(MSR_LSTAR, &back));
		GUEST_ASSERT_EQ(old, back);
	}
	/* Canonical extremes are fine. */
	GUEST_ASSERT_EQ(GUEST_NO_FAULT, guest_wrmsr_safe(MSR_LSTAR, 0xffff800000000000ULL));
	GUEST_ASSERT_EQ(GUEST_NO_FAULT, guest_wrmsr_safe(MSR_LSTAR, 0x00007fffffffffffULL));
	GUEST_ASSERT_EQ(GUEST_NO_FAULT, guest_wrmsr_safe(MSR_STAR, ~0ULL));
	for (i = 0; i < 10; i++)
		GUEST_SYNC(i);
}

TEST(syscall_targets_noncanonical_gp)
{
	struct host_health h;
	struct guest_ucall uc;
	struct vm *vm;
	int i;

	ASSERT_EQ(0, host_health_begin(&h));
	vm = guest_vm_create();
	ASSERT_NE(NULL, vm);
	ASSERT_EQ(0, guest_vm_start(vm, guest_syscall_targets, 0));
	for (i = 0; i < 10; i++) {
		ASSERT_UCALL(vm, UCALL_SYNC, &uc);
		getppid();
	}
	ASSERT_UCALL(vm, UCALL_DONE, &uc);
	vm_destroy(vm);
	ASSERT_HOST_HEALTHY(&h);
	host_health_end(&h);
}

/* PAT: each byte a memory type; 2, 3 and 8-255 are reserved (#GP). */
static void guest_pat(uint64_t unused)
{
	static const uint8_t bad_types[] = { 2, 3, 8, 0x10, 0xff };
	static const uint8_t good_types[] = { 0, 1, 4, 5, 6, 7 };
	uint64_t old, back;
	unsigned int byte, t;

	GUEST_ASSERT_EQ(GUEST_NO_FAULT, guest_rdmsr_safe(MSR_IA32_CR_PAT, &old));
	for (byte = 0; byte < 8; byte++) {
		for (t = 0; t < sizeof(bad_types); t++) {
			uint64_t val = (old & ~(0xffULL << (byte * 8))) |
				       (uint64_t)bad_types[t] << (byte * 8);

			GUEST_ASSERT_EQ3(GP_VECTOR, guest_wrmsr_safe(MSR_IA32_CR_PAT, val), val);
			GUEST_SYNC(val);
		}
		for (t = 0; t < sizeof(good_types); t++) {
			uint64_t val = (old & ~(0xffULL << (byte * 8))) |
				       (uint64_t)good_types[t] << (byte * 8);

			GUEST_ASSERT_EQ3(GUEST_NO_FAULT, guest_wrmsr_safe(MSR_IA32_CR_PAT, val), val);
			GUEST_ASSERT_EQ(GUEST_NO_FAULT, guest_rdmsr_safe(MSR_IA32_CR_PAT, &back));
			GUEST_ASSERT_EQ(val, back);
		}
		GUEST_ASSERT_EQ(GUEST_NO_FAULT, guest_wrmsr_safe(MSR_IA32_CR_PAT, old));
	}
}

TEST(pat_invalid_types_gp)
{
	struct host_health h;
	struct guest_ucall uc;
	struct vm *vm;

	ASSERT_EQ(0, host_health_begin(&h));
	vm = guest_vm_create();
	ASSERT_NE(NULL, vm);
	ASSERT_EQ(0, guest_vm_start(vm, guest_pat, 0));
	/* A SYNC after each bad write: the entry after it must still work. */
	for (;;) {
		struct vm_exit e;
		char buf[512];
		int got = guest_run(vm, &e, &uc);

		if (got == UCALL_DONE)
			break;
		if (got != UCALL_SYNC)
			TH_LOG("%s", guest_exit_describe(got, &e, &uc, buf, sizeof(buf)));
		ASSERT_EQ(UCALL_SYNC, got);
	}
	vm_destroy(vm);
	ASSERT_HOST_HEALTHY(&h);
	host_health_end(&h);
}

/* EFER: only SCE, LME, LMA and NX exist for this guest. */
static void guest_efer(uint64_t unused)
{
	uint64_t old, back;
	unsigned int bit;

	GUEST_ASSERT_EQ(GUEST_NO_FAULT, guest_rdmsr_safe(MSR_EFER, &old));
	GUEST_ASSERT(old & EFER_LMA);
	for (bit = 0; bit < 64; bit++) {
		uint64_t val = old ^ (1ULL << bit);
		uint8_t vec = guest_wrmsr_safe(MSR_EFER, val);

		if (bit != 0 && bit != 11 && bit != 10)
			GUEST_ASSERT_EQ3(GP_VECTOR, vec, bit);
		GUEST_ASSERT_EQ(GUEST_NO_FAULT, guest_rdmsr_safe(MSR_EFER, &back));
		/* LMA follows the CPU's mode, whatever is written. */
		GUEST_ASSERT_EQ3(EFER_LMA | EFER_LME, back & (EFER_LMA | EFER_LME), bit);
		GUEST_ASSERT_EQ(GUEST_NO_FAULT, guest_wrmsr_safe(MSR_EFER, old));
	}
}

TEST(efer_reserved_bits_gp)
{
	GUEST_RUN_TO_DONE(guest_efer, 0);
}

/* APIC base: bits 0-7, 9 and 52-63 are reserved. */
static void guest_apic_base(uint64_t unused)
{
	uint64_t old, back;
	unsigned int bit;

	GUEST_ASSERT_EQ(GUEST_NO_FAULT, guest_rdmsr_safe(MSR_IA32_APICBASE, &old));
	GUEST_ASSERT_EQ(GUEST_LAPIC_GPA, old & ~0xfffULL);
	for (bit = 0; bit < 64; bit++) {
		uint64_t val = old ^ (1ULL << bit);
		uint8_t vec = guest_wrmsr_safe(MSR_IA32_APICBASE, val);

		GUEST_ASSERT_EQ3(vec == GUEST_NO_FAULT ? GP_VECTOR : vec, GP_VECTOR, bit);
		if (bit < 8 || bit == 9 || bit >= 52)
			GUEST_ASSERT_EQ3(GP_VECTOR, vec, bit);
		GUEST_ASSERT_EQ(GUEST_NO_FAULT, guest_rdmsr_safe(MSR_IA32_APICBASE, &back));
		if (vec != GUEST_NO_FAULT)
			GUEST_ASSERT_EQ3(old, back, bit);
		guest_wrmsr_safe(MSR_IA32_APICBASE, old);
	}
	/* The APIC still answers at its address. */
	GUEST_ASSERT_EQ(0x14, guest_mmio_read32(GUEST_LAPIC_GPA + 0x30) & 0xff);
}

TEST(apic_base_reserved_bits_gp)
{
	GUEST_RUN_TO_DONE(guest_apic_base, 0);
}

/* hvx's APIC is xAPIC only: the x2APIC MSRs do not exist. */
static void guest_x2apic(uint64_t unused)
{
	uint32_t msr;
	uint64_t val;

	for (msr = 0x800; msr <= 0x8ff; msr++) {
		GUEST_ASSERT_EQ3(GP_VECTOR, guest_rdmsr_safe(msr, &val), msr);
		GUEST_ASSERT_EQ3(GP_VECTOR, guest_wrmsr_safe(msr, 0), msr);
		GUEST_ASSERT_EQ3(GP_VECTOR, guest_wrmsr_safe(msr, ~0ULL), msr);
	}
}

TEST(x2apic_msrs_gp)
{
	GUEST_RUN_TO_DONE(guest_x2apic, 0);
}

/* Outside TSC-deadline mode the deadline MSR ignores writes and reads 0. */
static void guest_tsc_deadline_idle(uint64_t unused)
{
	uint64_t val;
	unsigned int i;

	for (i = 0; i < NR_BOUNDARY_VALUES; i++) {
		GUEST_ASSERT_EQ(GUEST_NO_FAULT,
				guest_wrmsr_safe(MSR_IA32_TSC_DEADLINE, boundary_value(i)));
		GUEST_ASSERT_EQ(GUEST_NO_FAULT, guest_rdmsr_safe(MSR_IA32_TSC_DEADLINE, &val));
		GUEST_ASSERT_EQ3(0, val, i);
	}
}

TEST(tsc_deadline_outside_deadline_mode)
{
	GUEST_RUN_TO_DONE(guest_tsc_deadline_idle, 0);
}

static int is_handled(uint32_t msr)
{
	unsigned int i;

	for (i = 0; i < sizeof(handled_msrs) / sizeof(handled_msrs[0]); i++)
		if (handled_msrs[i] == msr)
			return 1;
	return 0;
}

/* Random MSR numbers (all over, and dense where MSRs live), random values. */
#define RANDOM_MSRS	20000

static void guest_random_msrs(uint64_t seed)
{
	static const uint32_t bases[] = { 0, 0x40000000, 0xc0000000, 0xc0010000 };
	uint64_t rng = seed, val;
	unsigned int i;

	for (i = 0; i < RANDOM_MSRS; i++) {
		uint64_t r = guest_rand(&rng);
		uint32_t msr = (r & 1) ? (uint32_t)(r >> 32) :
					 bases[(r >> 1) & 3] + ((r >> 8) & 0x1fff);
		uint8_t vec = guest_rdmsr_safe(msr, &val);

		GUEST_ASSERT_EQ3(vec == GUEST_NO_FAULT ? GP_VECTOR : vec, GP_VECTOR, msr);
		if (is_handled(msr))
			continue;
		vec = guest_wrmsr_safe(msr, guest_rand(&rng));
		GUEST_ASSERT_EQ3(vec == GUEST_NO_FAULT ? GP_VECTOR : vec, GP_VECTOR, msr);
	}
}

TEST(random_msrs)
{
	GUEST_RUN_TO_DONE(guest_random_msrs, 0x1234567887654321ULL);
}

TEST_HARNESS_MAIN
