// SPDX-License-Identifier: GPL-2.0
/* The guest's CPUID policy, built from made-up hosts. */
#include <string.h>

#include "cpuid.h"
#include "kselftest_harness.h"

#define TSC_KHZ		2893437

/* A host CPU that sets every bit the caller does not pin down. */
struct fake_host {
	uint32_t max_basic, max_extended;
	bool asked_beyond_max;
};

/* XSAVE layout of a Skylake-X: sizes and offsets of components 2..9. */
static const struct cpuid_regs skx_xsave[] = {
	[2] = { 256, 576, 0, 0 },
	[3] = { 64, 960, 0, 0 },
	[4] = { 64, 1024, 0, 0 },
	[5] = { 64, 1088, 0, 0 },
	[6] = { 512, 1152, 0, 0 },
	[7] = { 1024, 1664, 0, 0 },
	[9] = { 8, 2688, 0, 0 },
};

static void fake_leaf(void *ctx, uint32_t leaf, uint32_t subleaf, struct cpuid_regs *out)
{
	struct fake_host *h = ctx;

	memset(out, 0xff, sizeof(*out));
	if (leaf < 0x80000000 && leaf > h->max_basic)
		h->asked_beyond_max = true;
	if (leaf >= 0x80000000 && leaf > h->max_extended)
		h->asked_beyond_max = true;
	if (leaf == 0)
		out->eax = h->max_basic;
	if (leaf == 0x80000000)
		out->eax = h->max_extended;
	if (leaf == 0xd && subleaf >= 2)
		*out = subleaf < 10 ? skx_xsave[subleaf] : (struct cpuid_regs){ 0 };
}

static unsigned int build(struct fake_host *h, uint64_t xcr0, struct hvx_cpuid_entry *e)
{
	struct cpuid_host host = { .leaf = fake_leaf, .ctx = h, .xcr0 = xcr0 };

	return cpuid_build(&host, TSC_KHZ, e);
}

static const struct hvx_cpuid_entry *find(const struct hvx_cpuid_entry *e, unsigned int n,
					  uint32_t function, uint32_t index)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (e[i].function == function &&
		    (!(e[i].flags & HVX_CPUID_FLAG_SIGNIFICANT_INDEX) || e[i].index == index))
			return &e[i];
	return NULL;
}

/* What hvx.ko would accept: known flags, zero reserved fields, no duplicates. */
static void check_well_formed(struct __test_metadata *_metadata,
			      const struct hvx_cpuid_entry *e, unsigned int n)
{
	unsigned int i, j;

	ASSERT_LE(n, CPUID_MAX_ENTRIES);
	for (i = 0; i < n; i++) {
		EXPECT_EQ(0, e[i].flags & ~HVX_CPUID_FLAGS_MASK);
		EXPECT_EQ(0, e[i].reserved[0] | e[i].reserved[1] | e[i].reserved[2]);
		for (j = i + 1; j < n; j++)
			EXPECT_FALSE(e[i].function == e[j].function && e[i].index == e[j].index)
				TH_LOG("leaf %#x.%u twice", e[i].function, e[i].index);
	}
}

TEST(everything_host_is_filtered)
{
	struct hvx_cpuid_entry e[CPUID_MAX_ENTRIES];
	struct fake_host h = { .max_basic = 0x20, .max_extended = 0x80000020 };
	const struct hvx_cpuid_entry *l;
	/* x87, SSE, AVX, MPX, AVX-512 and PKRU enabled on the host. */
	unsigned int n = build(&h, 0x2ff, e);
	uint32_t leaf;

	check_well_formed(_metadata, e, n);
	EXPECT_FALSE(h.asked_beyond_max);

	l = find(e, n, 0, 0);
	ASSERT_NE(NULL, l);
	EXPECT_EQ(0x16, l->eax);			/* clamped */
	l = find(e, n, 0x80000000, 0);
	ASSERT_NE(NULL, l);
	EXPECT_EQ(0x80000008, l->eax);

	l = find(e, n, 1, 0);
	ASSERT_NE(NULL, l);
	EXPECT_EQ(0xffffffff, l->eax);
	EXPECT_EQ(0x0001ffff, l->ebx);			/* one logical CPU, APIC id 0 */
	EXPECT_EQ(0, l->ecx & (1 << 3)) TH_LOG("MONITOR");
	EXPECT_EQ(0, l->ecx & (1 << 5)) TH_LOG("VMX");
	EXPECT_EQ(0, l->ecx & (1 << 6)) TH_LOG("SMX");
	EXPECT_EQ(0, l->ecx & (1 << 15)) TH_LOG("PDCM");
	EXPECT_EQ(0, l->ecx & (1 << 17)) TH_LOG("PCID");
	EXPECT_EQ(0, l->ecx & (1 << 21)) TH_LOG("x2APIC");
	EXPECT_EQ(0, l->ecx & (1 << 27)) TH_LOG("OSXSAVE");
	EXPECT_NE(0, l->ecx & (1 << 24)) TH_LOG("TSC deadline");
	EXPECT_NE(0, l->ecx & (1 << 26)) TH_LOG("XSAVE");
	EXPECT_NE(0, l->ecx & (1 << 28)) TH_LOG("AVX");
	EXPECT_NE(0, l->ecx & (1u << 31)) TH_LOG("hypervisor");
	EXPECT_EQ(0, l->edx & (1 << 7)) TH_LOG("MCE");
	EXPECT_EQ(0, l->edx & (1 << 12)) TH_LOG("MTRR");
	EXPECT_EQ(0, l->edx & (1 << 14)) TH_LOG("MCA");
	EXPECT_EQ(0, l->edx & (1 << 22)) TH_LOG("ACPI");
	EXPECT_EQ(0, l->edx & (1 << 28)) TH_LOG("HTT");
	EXPECT_NE(0, l->edx & (1 << 9)) TH_LOG("APIC");
	EXPECT_NE(0, l->edx & (1 << 4)) TH_LOG("TSC");

	l = find(e, n, 6, 0);
	ASSERT_NE(NULL, l);
	EXPECT_EQ(1 << 2, l->eax);			/* ARAT only */
	EXPECT_EQ(0, l->ebx | l->ecx | l->edx);

	l = find(e, n, 7, 0);
	ASSERT_NE(NULL, l);
	EXPECT_EQ(HVX_CPUID_FLAG_SIGNIFICANT_INDEX, l->flags);
	EXPECT_EQ(0, l->eax);				/* no subleaf 1 */
	EXPECT_NE(0, l->ebx & (1 << 1)) TH_LOG("TSC_ADJUST, emulated");
	EXPECT_EQ(0, l->ebx & (1 << 2)) TH_LOG("SGX");
	EXPECT_EQ(0, l->ebx & (1 << 4)) TH_LOG("HLE");
	EXPECT_EQ(0, l->ebx & (1 << 10)) TH_LOG("INVPCID");
	EXPECT_EQ(0, l->ebx & (1 << 11)) TH_LOG("RTM");
	EXPECT_EQ(0, l->ebx & (1 << 14)) TH_LOG("MPX");
	EXPECT_EQ(0, l->ebx & (1 << 25)) TH_LOG("PT");
	EXPECT_NE(0, l->ebx & (1 << 5)) TH_LOG("AVX2");
	EXPECT_NE(0, l->ebx & (1 << 16)) TH_LOG("AVX512F, its state is in XCR0");
	EXPECT_EQ(0, l->ecx | l->edx);
	EXPECT_EQ(NULL, find(e, n, 7, 1));

	/* XSAVE: what the guest can enable of the host's XCR0, no XSAVES. */
	l = find(e, n, 0xd, 0);
	ASSERT_NE(NULL, l);
	EXPECT_EQ(0xe7, l->eax);
	EXPECT_EQ(0, l->edx);
	EXPECT_EQ(1664 + 1024, l->ebx);
	EXPECT_EQ(l->ebx, l->ecx);
	l = find(e, n, 0xd, 1);
	ASSERT_NE(NULL, l);
	EXPECT_EQ(0x3, l->eax);
	EXPECT_EQ(576 + 256 + 64 + 512 + 1024, l->ebx);	/* compacted, no gaps */
	EXPECT_NE(NULL, find(e, n, 0xd, 5));
	EXPECT_EQ(NULL, find(e, n, 0xd, 3));		/* MPX state */
	EXPECT_EQ(NULL, find(e, n, 0xd, 9));		/* PKRU */

	/* The TSC frequency: ECX Hz * EBX / EAX. */
	l = find(e, n, 0x15, 0);
	ASSERT_NE(NULL, l);
	ASSERT_NE(0, l->eax);
	EXPECT_EQ((uint64_t)TSC_KHZ * 1000, (uint64_t)l->ecx * l->ebx / l->eax);
	/* The crystal is the APIC timer's clock. */
	EXPECT_EQ(HVX_APIC_BUS_HZ, l->ecx);
	l = find(e, n, 0x16, 0);
	ASSERT_NE(NULL, l);
	EXPECT_EQ(TSC_KHZ / 1000, l->eax);

	/* Topology, PMU, cache and enclave leaves stay zero. */
	for (leaf = 2; leaf <= 0x14; leaf++)
		if (leaf != 6 && leaf != 7 && leaf != 0xd)
			EXPECT_EQ(NULL, find(e, n, leaf, 0)) TH_LOG("leaf %#x", leaf);
	EXPECT_EQ(NULL, find(e, n, 0x1f, 0));

	l = find(e, n, 0x80000001, 0);
	ASSERT_NE(NULL, l);
	EXPECT_EQ(0, l->edx & (1 << 27)) TH_LOG("RDTSCP");
	EXPECT_NE(0, l->edx & (1 << 29)) TH_LOG("LM");
	EXPECT_NE(0, l->edx & (1 << 20)) TH_LOG("NX");
	EXPECT_EQ((1 << 0) | (1 << 5) | (1 << 8), l->ecx);
	l = find(e, n, 0x80000007, 0);
	ASSERT_NE(NULL, l);
	EXPECT_EQ(1 << 8, l->edx);			/* invariant TSC only */
	EXPECT_EQ(0, l->eax | l->ebx | l->ecx);
	EXPECT_NE(NULL, find(e, n, 0x80000004, 0));	/* brand string */
	EXPECT_EQ(NULL, find(e, n, 0x80000009, 0));
}

TEST(host_without_leaf_7)
{
	struct hvx_cpuid_entry e[CPUID_MAX_ENTRIES];
	struct fake_host h = { .max_basic = 1, .max_extended = 0x80000008 };
	const struct hvx_cpuid_entry *l;
	unsigned int n = build(&h, 0x7, e);

	check_well_formed(_metadata, e, n);
	/* The host is never asked for a leaf it does not have... */
	EXPECT_FALSE(h.asked_beyond_max);
	EXPECT_EQ(NULL, find(e, n, 7, 0));
	EXPECT_EQ(NULL, find(e, n, 0xd, 0));
	/* ...and without leaf 0xD there is no XSAVE nor what needs it. */
	l = find(e, n, 1, 0);
	ASSERT_NE(NULL, l);
	EXPECT_EQ(0, l->ecx & ((1 << 26) | (1 << 28) | (1 << 12) | (1 << 29)));
	/* The policy's own leaves stay below its maximum. */
	l = find(e, n, 0, 0);
	ASSERT_NE(NULL, l);
	EXPECT_LE(0x15, l->eax);
	EXPECT_NE(NULL, find(e, n, 0x15, 0));
}

TEST(host_without_avx512_state)
{
	struct hvx_cpuid_entry e[CPUID_MAX_ENTRIES];
	struct fake_host h = { .max_basic = 0x16, .max_extended = 0x80000008 };
	const struct hvx_cpuid_entry *l;
	unsigned int n = build(&h, 0x7, e);

	check_well_formed(_metadata, e, n);
	l = find(e, n, 7, 0);
	ASSERT_NE(NULL, l);
	EXPECT_EQ(0, l->ebx & ((1 << 16) | (1 << 17) | (1 << 28) | (1u << 30) | (1u << 31)));
	EXPECT_NE(0, l->ebx & (1 << 5));		/* AVX2 */
	l = find(e, n, 0xd, 0);
	ASSERT_NE(NULL, l);
	EXPECT_EQ(0x7, l->eax);
	EXPECT_EQ(576 + 256, l->ebx);
	EXPECT_EQ(NULL, find(e, n, 0xd, 5));
}

TEST(host_without_xsave_enabled)
{
	struct hvx_cpuid_entry e[CPUID_MAX_ENTRIES];
	struct fake_host h = { .max_basic = 0x16, .max_extended = 0x80000008 };
	const struct hvx_cpuid_entry *l;
	unsigned int n = build(&h, 0, e);	/* host CR4.OSXSAVE clear */

	check_well_formed(_metadata, e, n);
	EXPECT_EQ(NULL, find(e, n, 0xd, 0));
	l = find(e, n, 1, 0);
	ASSERT_NE(NULL, l);
	EXPECT_EQ(0, l->ecx & ((1 << 26) | (1 << 28)));
	l = find(e, n, 7, 0);
	ASSERT_NE(NULL, l);
	EXPECT_EQ(0, l->ebx & ((1 << 5) | (1 << 16)));
}

TEST(native_host_policy_is_well_formed)
{
	struct hvx_cpuid_entry e[CPUID_MAX_ENTRIES];
	struct cpuid_host host;
	const struct hvx_cpuid_entry *l;
	unsigned int n;

	cpuid_host_native(&host);
	n = cpuid_build(&host, TSC_KHZ, e);
	check_well_formed(_metadata, e, n);
	l = find(e, n, 1, 0);
	ASSERT_NE(NULL, l);
	EXPECT_NE(0, l->edx & (1 << 9));
	EXPECT_EQ(0, l->ecx & (1 << 5));
}

TEST_HARNESS_MAIN
