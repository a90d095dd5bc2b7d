/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's CPUID policy, built from the host CPU through allowlists: a
 * feature reaches the guest only if hvx runs it correctly, that is when it
 * needs no VMX control hvx leaves off and no MSR hvx does not emulate.  A
 * bit the host gains later stays hidden until someone adds it here.  Leaves
 * the policy does not list read as zeros (struct hvx_cpuid).
 */
#ifndef HVX_CPUID_H
#define HVX_CPUID_H

#include <stdint.h>

#include "uapi/hvx.h"

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

/* The host CPU as the policy sees it; the unit tests pass a made-up one. */
struct cpuid_host {
	/* CPUID @leaf/@subleaf; only called for leaves the host reports. */
	void (*leaf)(void *ctx, uint32_t leaf, uint32_t subleaf, struct cpuid_regs *out);
	void *ctx;
	/* The host's XCR0: hvx.ko lets the guest load this value and no other. */
	uint64_t xcr0;
};

/* The policy has fewer entries than this, whatever the host. */
#define CPUID_MAX_ENTRIES	32

/*
 * Fills @out (room for CPUID_MAX_ENTRIES) with the policy for a guest
 * whose TSC runs at @tsc_khz and returns the number of entries.
 */
unsigned int cpuid_build(const struct cpuid_host *host, uint32_t tsc_khz,
			 struct hvx_cpuid_entry *out);

/* This machine's CPU, through the CPUID and XGETBV instructions. */
void cpuid_host_native(struct cpuid_host *host);

#endif
