// SPDX-License-Identifier: GPL-2.0
/*
 * Speculative-execution mitigations on VM transitions, following the host
 * kernel's own view of the CPU (its X86_BUG_* and X86_FEATURE_* bits and
 * mitigation settings) the way kvm_intel does, so that hvx and KVM pay for
 * the same protections:
 *
 *  - L1TF: the L1 data cache is flushed before VM entry, per the host's
 *    l1tf= policy (never, when the host cached anything new: "cond", or
 *    always), through IA32_FLUSH_CMD or by reading a 64 KiB buffer;
 *  - MDS, TAA, RFDS: VERW before entry (vmenter.S, X86_FEATURE_CLEAR_CPU_BUF_VM);
 *  - Spectre v2 and RSB underflow: the return stack is filled after exit,
 *    branch history cleared where the host does it (vmenter.S), and
 *    IA32_SPEC_CTRL holds the guest's value (0: it has no access) in the
 *    guest and the host's after exit;
 *  - IBPB when another vCPU's VMCS is loaded on a CPU, and before the
 *    return to the VMM's user mode where the host asks for it (VMSCAPE).
 */
#define pr_fmt(fmt) "hvx: " fmt

#include <linux/gfp.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <asm/cpufeature.h>
#include <asm/hardirq.h>
#include <asm/msr.h>
#include <asm/nospec-branch.h>
#include <asm/processor.h>
#include <asm/vmx.h>

#include "hvx.h"

#define L1D_FLUSH_ORDER		4	/* 64 KiB, twice any L1D */

static enum vmx_l1d_flush_state hvx_l1d_policy = VMENTER_L1D_FLUSH_NOT_REQUIRED;
static void *hvx_l1d_flush_pages;

/* Read-only: what hvx decided, to compare with kvm_intel's vmentry_l1d_flush. */
static char *l1d_flush = "not required";
module_param(l1d_flush, charp, 0444);
MODULE_PARM_DESC(l1d_flush, "L1D flush before VM entry (from the host's l1tf= setting)");

static enum vmx_l1d_flush_state hvx_l1d_policy_from_host(void)
{
	u64 caps = 0;

	if (!boot_cpu_has_bug(X86_BUG_L1TF))
		return VMENTER_L1D_FLUSH_NOT_REQUIRED;
	if (boot_cpu_has(X86_FEATURE_ARCH_CAPABILITIES))
		rdmsrl(MSR_IA32_ARCH_CAPABILITIES, caps);
	if (caps & ARCH_CAP_SKIP_VMENTRY_L1DFLUSH)
		return VMENTER_L1D_FLUSH_NOT_REQUIRED;
	switch (l1tf_mitigation) {
	case L1TF_MITIGATION_OFF:
		return VMENTER_L1D_FLUSH_NEVER;
	case L1TF_MITIGATION_FULL:
	case L1TF_MITIGATION_FULL_FORCE:
		return VMENTER_L1D_FLUSH_ALWAYS;
	default:
		return VMENTER_L1D_FLUSH_COND;
	}
}

const char *hvx_spec_l1d_policy_name(void)
{
	return l1d_flush;
}

int hvx_spec_init(void)
{
	static const char * const names[] = {
		[VMENTER_L1D_FLUSH_NEVER] = "never",
		[VMENTER_L1D_FLUSH_COND] = "cond",
		[VMENTER_L1D_FLUSH_ALWAYS] = "always",
		[VMENTER_L1D_FLUSH_NOT_REQUIRED] = "not required",
	};
	struct page *page;
	unsigned int i;

	hvx_l1d_policy = hvx_l1d_policy_from_host();
	if (hvx_l1d_policy < ARRAY_SIZE(names) && names[hvx_l1d_policy])
		l1d_flush = (char *)names[hvx_l1d_policy];
	if ((hvx_l1d_policy != VMENTER_L1D_FLUSH_COND &&
	     hvx_l1d_policy != VMENTER_L1D_FLUSH_ALWAYS) ||
	    boot_cpu_has(X86_FEATURE_FLUSH_L1D))
		return 0;

	page = alloc_pages(GFP_KERNEL, L1D_FLUSH_ORDER);
	if (!page)
		return -ENOMEM;
	hvx_l1d_flush_pages = page_address(page);
	/* Distinct contents, so that no page of it is ever merged or shared. */
	for (i = 0; i < 1u << L1D_FLUSH_ORDER; i++)
		memset(hvx_l1d_flush_pages + i * PAGE_SIZE, i + 1, PAGE_SIZE);
	return 0;
}

void hvx_spec_exit(void)
{
	if (hvx_l1d_flush_pages)
		free_pages((unsigned long)hvx_l1d_flush_pages, L1D_FLUSH_ORDER);
	hvx_l1d_flush_pages = NULL;
}

/*
 * Runs with interrupts off right before VM entry.  In "cond" mode the
 * flush is skipped when neither this vCPU's exit handling (see
 * hvx_spec_note_host_work()) nor an interrupt on this CPU since the last
 * entry can have brought host data into the L1D, as kvm_intel decides.
 */
void hvx_spec_before_entry(struct hvx_vcpu *vcpu)
{
	int size = PAGE_SIZE << L1D_FLUSH_ORDER;

	if (hvx_l1d_policy == VMENTER_L1D_FLUSH_COND) {
		bool flush = vcpu->l1d_flush_needed || kvm_get_cpu_l1tf_flush_l1d();

		vcpu->l1d_flush_needed = false;
		kvm_clear_cpu_l1tf_flush_l1d();
		if (!flush)
			goto spec_ctrl;
	} else if (hvx_l1d_policy != VMENTER_L1D_FLUSH_ALWAYS) {
		goto spec_ctrl;
	}

	if (boot_cpu_has(X86_FEATURE_FLUSH_L1D)) {
		native_wrmsrl(MSR_IA32_FLUSH_CMD, L1D_FLUSH);
	} else {
		asm volatile(
			/* The buffer's TLB entries first, then the cache lines. */
			"xorl	%%eax, %%eax\n"
			"1:\n\t"
			"movzbl	(%[pages], %%rax), %%ecx\n\t"
			"addl	$4096, %%eax\n\t"
			"cmpl	%%eax, %[size]\n\t"
			"jne	1b\n\t"
			"xorl	%%eax, %%eax\n\t"
			"cpuid\n\t"
			"xorl	%%eax, %%eax\n"
			"2:\n\t"
			"movzbl	(%[pages], %%rax), %%ecx\n\t"
			"addl	$64, %%eax\n\t"
			"cmpl	%%eax, %[size]\n\t"
			"jne	2b\n\t"
			"lfence\n"
			: : [pages] "r" (hvx_l1d_flush_pages), [size] "r" (size)
			: "eax", "ebx", "ecx", "edx", "memory");
	}

spec_ctrl:
	/* The guest cannot touch SPEC_CTRL: its value is 0. */
	if (cpu_feature_enabled(X86_FEATURE_MSR_SPEC_CTRL) &&
	    this_cpu_read(x86_spec_ctrl_current))
		native_wrmsrl(MSR_IA32_SPEC_CTRL, 0);
}

/*
 * Called from vmenter.S after the return stack is filled, before the
 * first RET.  Legacy IBRS must be written again after every transition
 * from a less privileged predictor mode, even with the same value.
 */
void hvx_spec_ctrl_restore_host(void)
{
	u64 host = this_cpu_read(x86_spec_ctrl_current);

	if (!cpu_feature_enabled(X86_FEATURE_MSR_SPEC_CTRL))
		return;
	if (cpu_feature_enabled(X86_FEATURE_KERNEL_IBRS) || host)
		native_wrmsrl(MSR_IA32_SPEC_CTRL, host);
	barrier_nospec();
}

/* With interrupts off after the exit: the VMM's user mode must not trust the guest's predictions. */
void hvx_spec_after_exit(void)
{
	if (cpu_feature_enabled(X86_FEATURE_IBPB_EXIT_TO_USER))
		this_cpu_write(x86_ibpb_exit_to_user, true);
}

/* Another VMCS on this CPU: the last vCPU's branch predictions must not steer this one. */
void hvx_spec_vmcs_switch(void)
{
	indirect_branch_prediction_barrier();
}
