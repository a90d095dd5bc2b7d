// SPDX-License-Identifier: GPL-2.0
/*
 * The CPUID policy (cpuid.h).  Bit names follow the SDM's CPUID chapter;
 * every allowlist names what it leaves out and why, so that widening one is
 * a decision and not an accident.
 */
#include <stdbool.h>
#include <stddef.h>

#include "cpuid.h"

#define BIT(n)			(1U << (n))

/* Basic leaves the policy knows; 0x15 and 0x16 are its own. */
#define GUEST_MAX_BASIC		0x16
#define GUEST_MAX_EXTENDED	0x80000008

/* Leaf 1 ECX */
#define F1C_SSE3		BIT(0)
#define F1C_PCLMULQDQ		BIT(1)
#define F1C_SSSE3		BIT(9)
#define F1C_FMA			BIT(12)
#define F1C_CX16		BIT(13)
#define F1C_SSE4_1		BIT(19)
#define F1C_SSE4_2		BIT(20)
#define F1C_MOVBE		BIT(22)
#define F1C_POPCNT		BIT(23)
#define F1C_TSC_DEADLINE	BIT(24)
#define F1C_AES			BIT(25)
#define F1C_XSAVE		BIT(26)
#define F1C_OSXSAVE		BIT(27)
#define F1C_AVX			BIT(28)
#define F1C_F16C		BIT(29)
#define F1C_RDRAND		BIT(30)
#define F1C_HYPERVISOR		BIT(31)

/*
 * Left out: MONITOR (MWAIT raises #UD), VMX and SMX (no nesting), EIST,
 * TM2, PDCM, DCA, DTES64 and DS-CPL (MSRs hvx does not emulate), PCID
 * (guest CR4.PCIDE is not offered yet), x2APIC (the local APIC is xAPIC
 * only), OSXSAVE (hvx.ko derives it from the guest's CR4).
 */
#define F1C_ALLOWED	(F1C_SSE3 | F1C_PCLMULQDQ | F1C_SSSE3 | F1C_FMA | F1C_CX16 | \
			 F1C_SSE4_1 | F1C_SSE4_2 | F1C_MOVBE | F1C_POPCNT | F1C_AES | \
			 F1C_XSAVE | F1C_AVX | F1C_F16C | F1C_RDRAND)
/* Whatever the host: hvx.ko provides the TSC-deadline timer itself. */
#define F1C_FORCED	(F1C_TSC_DEADLINE | F1C_HYPERVISOR)
/* Need the AVX (YMM) state in XCR0. */
#define F1C_NEED_YMM	(F1C_AVX | F1C_FMA | F1C_F16C)

/* Leaf 1 EDX */
#define F1D_FPU		BIT(0)
#define F1D_VME		BIT(1)
#define F1D_DE		BIT(2)
#define F1D_PSE		BIT(3)
#define F1D_TSC		BIT(4)
#define F1D_MSR		BIT(5)
#define F1D_PAE		BIT(6)
#define F1D_CX8		BIT(8)
#define F1D_APIC	BIT(9)
#define F1D_SEP		BIT(11)
#define F1D_PGE		BIT(13)
#define F1D_CMOV	BIT(15)
#define F1D_PAT		BIT(16)
#define F1D_PSE36	BIT(17)
#define F1D_CLFSH	BIT(19)
#define F1D_MMX		BIT(23)
#define F1D_FXSR	BIT(24)
#define F1D_SSE		BIT(25)
#define F1D_SSE2	BIT(26)

/*
 * Left out: MCE and MCA (no machine-check MSRs), MTRR (no MTRR MSRs; EPT
 * sets the memory type), PSN, DS, ACPI, TM and PBE (MSRs hvx does not
 * emulate), SS, HTT (one logical processor per package).
 */
#define F1D_ALLOWED	(F1D_FPU | F1D_VME | F1D_DE | F1D_PSE | F1D_TSC | F1D_MSR | \
			 F1D_PAE | F1D_CX8 | F1D_SEP | F1D_PGE | F1D_CMOV | F1D_PAT | \
			 F1D_PSE36 | F1D_CLFSH | F1D_MMX | F1D_FXSR | F1D_SSE | F1D_SSE2)
/* The in-kernel local APIC is there on every host. */
#define F1D_FORCED	F1D_APIC

/* Leaf 1 EBX fields */
#define F1B_KEEP	0x0000ffffU	/* brand index, CLFLUSH line size */
#define F1B_ONE_LOGICAL	(1U << 16)	/* APIC id 0 in bits 24-31 */

/* Leaf 6 EAX: the APIC timer runs in deep C-states (no PIT fallback). */
#define F6A_ARAT	BIT(2)

/* Leaf 7 subleaf 0 EBX */
#define F7B_FSGSBASE	BIT(0)
#define F7B_TSC_ADJUST	BIT(1)	/* emulated by hvx.ko: always offered */
#define F7B_BMI1	BIT(3)
#define F7B_AVX2	BIT(5)
#define F7B_SMEP	BIT(7)
#define F7B_BMI2	BIT(8)
#define F7B_ERMS	BIT(9)
#define F7B_AVX512F	BIT(16)
#define F7B_AVX512DQ	BIT(17)
#define F7B_ADX		BIT(19)
#define F7B_SMAP	BIT(20)
#define F7B_CLFLUSHOPT	BIT(23)
#define F7B_CLWB	BIT(24)
#define F7B_AVX512CD	BIT(28)
#define F7B_SHA		BIT(29)
#define F7B_AVX512BW	BIT(30)
#define F7B_AVX512VL	BIT(31)

/*
 * TSC_ADJUST is offered whatever the host has: with it and the invariant TSC
 * of leaf 0x80000007, Linux trusts the TSC and runs no clocksource watchdog,
 * which otherwise compares it against jiffies (the only other clock here)
 * and, once a console burst has delayed a few ticks, drops the TSC.
 * Left out: SGX, HLE and RTM (TSX), INVPCID (needs a VMX
 * control hvx leaves off), PQM and PQE (resource-director MSRs), MPX (gone
 * from Linux, and its state is not in XCR0), PT (tracing MSRs), RDSEED
 * (not asked for yet), the AVX-512 extensions beyond the five below.
 */
#define F7B_ALLOWED	(F7B_FSGSBASE | F7B_BMI1 | F7B_AVX2 | F7B_SMEP | F7B_BMI2 | \
			 F7B_ERMS | F7B_ADX | F7B_SMAP | F7B_CLFLUSHOPT | F7B_CLWB | \
			 F7B_SHA)
#define F7B_AVX512	(F7B_AVX512F | F7B_AVX512DQ | F7B_AVX512CD | F7B_AVX512BW | \
			 F7B_AVX512VL)

/* XSAVE state components (XCR0 bits) and leaf 0xD subleaf 1 EAX. */
#define XFEATURE_FP		BIT(0)
#define XFEATURE_SSE		BIT(1)
#define XFEATURE_YMM		BIT(2)
/* AVX-512: opmask, upper halves of ZMM0-15, ZMM16-31. */
#define XFEATURE_AVX512		(BIT(5) | BIT(6) | BIT(7))
#define XSAVE_LEGACY_SIZE	576	/* legacy region + header */
#define FDA_XSAVEOPT		BIT(0)
#define FDA_XSAVEC		BIT(1)	/* XSAVES (bit 3) needs a VMX control */
#define FDC_ALIGN64		BIT(1)

/*
 * Leaf 0x15: the crystal is the local APIC timer's clock, so Linux takes
 * both the TSC rate (ECX * EBX / EAX Hz) and the APIC timer rate from here
 * and calibrates neither against a PIT.
 */
#define CRYSTAL_HZ		HVX_APIC_BUS_HZ
#define TSC_RATIO_DENOMINATOR	(CRYSTAL_HZ / 1000)	/* EBX = TSC in kHz */
#define BUS_MHZ			(HVX_APIC_BUS_HZ / 1000000)

/* Leaf 0x80000001 */
#define F81C_LAHF_LM		BIT(0)
#define F81C_ABM		BIT(5)
#define F81C_3DNOWPREFETCH	BIT(8)
#define F81D_SYSCALL		BIT(11)
#define F81D_NX			BIT(20)
#define F81D_PDPE1GB		BIT(26)
#define F81D_LM			BIT(29)
/* Left out: RDTSCP (needs a VMX control and the TSC_AUX MSR). */
#define F81C_ALLOWED		(F81C_LAHF_LM | F81C_ABM | F81C_3DNOWPREFETCH)
#define F81D_ALLOWED		(F81D_SYSCALL | F81D_NX | F81D_PDPE1GB | F81D_LM)

/* Leaf 0x80000007 EDX: the TSC runs at a constant rate in every state. */
#define F87D_INVARIANT_TSC	BIT(8)

struct table {
	struct hvx_cpuid_entry *e;
	unsigned int n;
};

static void add(struct table *t, uint32_t function, int index, struct cpuid_regs r)
{
	/* The leaves below add up to well under CPUID_MAX_ENTRIES. */
	if (t->n == CPUID_MAX_ENTRIES)
		return;
	t->e[t->n++] = (struct hvx_cpuid_entry) {
		.function = function,
		.index = index < 0 ? 0 : index,
		.flags = index < 0 ? 0 : HVX_CPUID_FLAG_SIGNIFICANT_INDEX,
		.eax = r.eax, .ebx = r.ebx, .ecx = r.ecx, .edx = r.edx,
	};
}

static struct cpuid_regs host_leaf(const struct cpuid_host *host, uint32_t leaf,
				   uint32_t subleaf)
{
	struct cpuid_regs r = { 0 };

	host->leaf(host->ctx, leaf, subleaf, &r);
	return r;
}

/*
 * Leaf 0xD for the state components in @xcr0: their sizes and offsets are
 * the host's (the guest's XSAVE runs on the host CPU), the totals are those
 * a CPU reports with exactly @xcr0 enabled, the only value the guest may
 * load.  XSAVES stays hidden, so no supervisor state either.
 */
static void add_xsave_leaf(struct table *t, const struct cpuid_host *host, uint64_t xcr0)
{
	uint32_t size = XSAVE_LEGACY_SIZE, compacted = XSAVE_LEGACY_SIZE;
	struct cpuid_regs r, sub1;
	int i;

	for (i = 2; i < 64; i++) {
		if (!(xcr0 & (1ULL << i)))
			continue;
		r = host_leaf(host, 0xd, i);
		if (r.ebx + r.eax > size)
			size = r.ebx + r.eax;
		if (r.ecx & FDC_ALIGN64)
			compacted = (compacted + 63) & ~63U;
		compacted += r.eax;
	}
	add(t, 0xd, 0, (struct cpuid_regs){ (uint32_t)xcr0, size, size, xcr0 >> 32 });
	sub1 = host_leaf(host, 0xd, 1);
	sub1.eax &= FDA_XSAVEOPT | FDA_XSAVEC;
	add(t, 0xd, 1, (struct cpuid_regs){ sub1.eax, sub1.eax & FDA_XSAVEC ? compacted : 0,
					    0, 0 });
	for (i = 2; i < 64; i++) {
		if (!(xcr0 & (1ULL << i)))
			continue;
		r = host_leaf(host, 0xd, i);
		add(t, 0xd, i, (struct cpuid_regs){ r.eax, r.ebx, r.ecx & FDC_ALIGN64, 0 });
	}
}

unsigned int cpuid_build(const struct cpuid_host *host, uint32_t tsc_khz,
			 struct hvx_cpuid_entry *out)
{
	struct table t = { out, 0 };
	struct cpuid_regs r, l0, l1, l7 = { 0 };
	uint32_t host_max, host_ext_max, leaf, f7b_allowed = F7B_ALLOWED;
	uint64_t xcr0 = 0;
	bool xsave;

	l0 = host_leaf(host, 0, 0);
	host_max = l0.eax;
	l1 = host_leaf(host, 1, 0);
	if (host_max >= 7)
		l7 = host_leaf(host, 7, 0);

	/*
	 * XSAVE state: the guest can only load the host's XCR0 (hvx.ko checks
	 * XSETBV), so it must see every component of it that it will enable,
	 * and a feature whose state is not enabled on the host must go.  x87
	 * and SSE are the minimum XSAVE is good for.
	 */
	xsave = host_max >= 0xd && (l1.ecx & F1C_XSAVE) &&
		(host->xcr0 & (XFEATURE_FP | XFEATURE_SSE)) == (XFEATURE_FP | XFEATURE_SSE);
	if (xsave) {
		xcr0 = XFEATURE_FP | XFEATURE_SSE;
		if ((host->xcr0 & XFEATURE_YMM) && (l1.ecx & F1C_AVX))
			xcr0 |= XFEATURE_YMM;
		/* Linux drops the AVX-512 state unless AVX512F is there too. */
		if ((xcr0 & XFEATURE_YMM) && (l7.ebx & F7B_AVX512F) &&
		    (host->xcr0 & XFEATURE_AVX512) == XFEATURE_AVX512) {
			xcr0 |= XFEATURE_AVX512;
			f7b_allowed |= F7B_AVX512;
		}
	}

	/*
	 * Leaf 0: the maximum is the policy's, not the host's: 0x15 and 0x16
	 * give the TSC frequency, without which Linux would calibrate against
	 * a PIT that is not there.  Between the host's maximum and those, the
	 * guest reads zeros, which means "nothing" for every leaf there.
	 */
	add(&t, 0, -1, (struct cpuid_regs){ GUEST_MAX_BASIC, l0.ebx, l0.ecx, l0.edx });

	r.eax = l1.eax;
	r.ebx = (l1.ebx & F1B_KEEP) | F1B_ONE_LOGICAL;
	r.ecx = (l1.ecx & F1C_ALLOWED) | F1C_FORCED;
	r.edx = (l1.edx & F1D_ALLOWED) | F1D_FORCED;
	if (!xsave)
		r.ecx &= ~F1C_XSAVE;
	if (!(xcr0 & XFEATURE_YMM))
		r.ecx &= ~F1C_NEED_YMM;
	add(&t, 1, -1, r);

	add(&t, 6, -1, (struct cpuid_regs){ .eax = F6A_ARAT });

	if (host_max >= 7) {
		r = (struct cpuid_regs){ .ebx = (l7.ebx & f7b_allowed) | F7B_TSC_ADJUST };
		if (!(xcr0 & XFEATURE_YMM))
			r.ebx &= ~F7B_AVX2;
		add(&t, 7, 0, r);
	}

	if (xsave)
		add_xsave_leaf(&t, host, xcr0);

	add(&t, 0x15, -1, (struct cpuid_regs){ TSC_RATIO_DENOMINATOR, tsc_khz, CRYSTAL_HZ, 0 });
	add(&t, 0x16, -1, (struct cpuid_regs){ tsc_khz / 1000, tsc_khz / 1000, BUS_MHZ, 0 });

	/* Extended leaves: every x86-64 CPU has them up to 0x80000008. */
	host_ext_max = host_leaf(host, 0x80000000, 0).eax;
	add(&t, 0x80000000, -1, (struct cpuid_regs){ .eax = GUEST_MAX_EXTENDED });
	for (leaf = 0x80000001; leaf <= GUEST_MAX_EXTENDED; leaf++) {
		r = leaf <= host_ext_max ? host_leaf(host, leaf, 0) : (struct cpuid_regs){ 0 };
		switch (leaf) {
		case 0x80000001:
			r = (struct cpuid_regs){ .ecx = r.ecx & F81C_ALLOWED,
						 .edx = r.edx & F81D_ALLOWED };
			break;
		case 0x80000002 ... 0x80000004:	/* brand string */
		case 0x80000006:		/* L2 cache */
			break;
		case 0x80000007:
			r = (struct cpuid_regs){ .edx = F87D_INVARIANT_TSC };
			break;
		case 0x80000008:		/* physical and linear address bits */
			r = (struct cpuid_regs){ .eax = r.eax & 0xffff };
			break;
		default:
			continue;
		}
		if (r.eax | r.ebx | r.ecx | r.edx)
			add(&t, leaf, -1, r);
	}
	return t.n;
}

static void native_leaf(void *ctx, uint32_t leaf, uint32_t subleaf, struct cpuid_regs *out)
{
	(void)ctx;
	__asm__ volatile("cpuid"
			 : "=a"(out->eax), "=b"(out->ebx), "=c"(out->ecx), "=d"(out->edx)
			 : "a"(leaf), "c"(subleaf));
}

void cpuid_host_native(struct cpuid_host *host)
{
	struct cpuid_regs l1;
	uint32_t lo, hi;

	host->leaf = native_leaf;
	host->ctx = NULL;
	host->xcr0 = 0;
	native_leaf(NULL, 1, 0, &l1);
	/* XGETBV raises #UD unless the host kernel turned XSAVE on. */
	if (l1.ecx & F1C_OSXSAVE) {
		__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
		host->xcr0 = lo | (uint64_t)hi << 32;
	}
}
