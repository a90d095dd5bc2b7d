// SPDX-License-Identifier: GPL-2.0
/*
 * RDMSR/WRMSR: every MSR access exits (one all-ones bitmap).  A guest write
 * never reaches a host MSR: hvx keeps the guest's copy, or writes the VMCS
 * field that VM entry loads.  Unknown MSRs raise #GP in the guest.
 */
#define pr_fmt(fmt) "hvx: " fmt

#include <linux/kernel.h>
#include <asm/msr-index.h>

#include "hvx.h"
#include "vmx_ops.h"

/* Each of the eight entries is UC, WC, WT, WP, WB or UC- (2 and 3 are reserved). */
static bool pat_valid(u64 pat)
{
	unsigned int i;

	for (i = 0; i < 8; i++) {
		u8 type = pat >> (i * 8);

		if (type > 7 || type == 2 || type == 3)
			return false;
	}
	return true;
}

static int hvx_msr_read(struct hvx_vcpu *vcpu, u32 msr, u64 *val)
{
	switch (msr) {
	case MSR_EFER:
		*val = vcpu->efer;
		return 0;
	case MSR_IA32_APICBASE:
		*val = vcpu->apic_base;
		return 0;
	case MSR_IA32_CR_PAT:
		*val = vmcs_read64(GUEST_IA32_PAT);
		return 0;
	case MSR_IA32_SYSENTER_CS:
		*val = vmcs_read32(GUEST_SYSENTER_CS);
		return 0;
	case MSR_IA32_SYSENTER_ESP:
		*val = vmcs_readl(GUEST_SYSENTER_ESP);
		return 0;
	case MSR_IA32_SYSENTER_EIP:
		*val = vmcs_readl(GUEST_SYSENTER_EIP);
		return 0;
	case MSR_FS_BASE:
		*val = vmcs_readl(GUEST_FS_BASE);
		return 0;
	case MSR_GS_BASE:
		*val = vmcs_readl(GUEST_GS_BASE);
		return 0;
	case MSR_KERNEL_GS_BASE:
		*val = hvx_vcpu_read_kernel_gs_base(vcpu);
		return 0;
	case MSR_STAR:
		*val = vcpu->star;
		return 0;
	case MSR_LSTAR:
		*val = vcpu->lstar;
		return 0;
	case MSR_CSTAR:
		*val = vcpu->cstar;
		return 0;
	case MSR_SYSCALL_MASK:
		*val = vcpu->sfmask;
		return 0;
	case MSR_IA32_TSC:
		*val = rdtsc();
		return 0;
	case MSR_IA32_TSC_DEADLINE:
		*val = hvx_lapic_get_tsc_deadline(&vcpu->lapic);
		return 0;
	case MSR_IA32_TSC_ADJUST:
		/* The guest's TSC is the host's: nothing adjusts it. */
		*val = 0;
		return 0;
	case MSR_IA32_MISC_ENABLE:
		/* Fast strings on; no BTS, no PEBS: Linux reads this at boot. */
		*val = MSR_IA32_MISC_ENABLE_FAST_STRING | MSR_IA32_MISC_ENABLE_BTS_UNAVAIL |
		       MSR_IA32_MISC_ENABLE_PEBS_UNAVAIL;
		return 0;
	case MSR_IA32_UCODE_REV:
		*val = 0;
		return 0;
	case MSR_IA32_FEAT_CTL:
		/* Locked with VMX off: no nested virtualization. */
		*val = FEAT_CTL_LOCKED;
		return 0;
	default:
		return -1;
	}
}

static int hvx_msr_write(struct hvx_vcpu *vcpu, u32 msr, u64 val)
{
	switch (msr) {
	case MSR_EFER:
		if (val & ~(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX))
			return -1;
		/* LME may not change while paging is on. */
		if ((vcpu->cr0_shadow & X86_CR0_PG) &&
		    ((val ^ vcpu->efer) & EFER_LME))
			return -1;
		vcpu->efer = (val & ~EFER_LMA) | (vcpu->efer & EFER_LMA);
		hvx_vcpu_update_efer(vcpu);
		return 0;
	case MSR_IA32_CR_PAT:
		/* VM entry loads it: a bad memory type would fail the entry. */
		if (!pat_valid(val))
			return -1;
		vmcs_write64(GUEST_IA32_PAT, val);
		return 0;
	case MSR_IA32_SYSENTER_CS:
		vmcs_write32(GUEST_SYSENTER_CS, val);
		return 0;
	case MSR_IA32_SYSENTER_ESP:
	case MSR_IA32_SYSENTER_EIP:
	case MSR_FS_BASE:
	case MSR_GS_BASE:
	case MSR_KERNEL_GS_BASE:
	case MSR_LSTAR:
	case MSR_CSTAR:
		/* VM entry and WRMSR itself refuse non-canonical addresses. */
		if (!hvx_is_canonical(val))
			return -1;
		if (msr == MSR_IA32_SYSENTER_ESP)
			vmcs_writel(GUEST_SYSENTER_ESP, val);
		else if (msr == MSR_IA32_SYSENTER_EIP)
			vmcs_writel(GUEST_SYSENTER_EIP, val);
		else if (msr == MSR_FS_BASE)
			vmcs_writel(GUEST_FS_BASE, val);
		else if (msr == MSR_GS_BASE)
			vmcs_writel(GUEST_GS_BASE, val);
		else
			hvx_vcpu_write_lazy_msr(vcpu, msr, val);
		return 0;
	case MSR_SYSCALL_MASK:
		/*
		 * Bits 63:32 are reserved: the host's own WRMSR of the value
		 * while the guest's is loaded would fault.
		 */
		if (val >> 32)
			return -1;
		hvx_vcpu_write_lazy_msr(vcpu, msr, val);
		return 0;
	case MSR_STAR:
		hvx_vcpu_write_lazy_msr(vcpu, msr, val);
		return 0;
	case MSR_IA32_TSC_DEADLINE:
		hvx_lapic_set_tsc_deadline(&vcpu->lapic, val);
		return 0;
	case MSR_IA32_TSC_ADJUST:
		/*
		 * Linux writes it only to reset a nonzero boot value.  Moving
		 * the TSC needs TSC offsetting, which hvx does not do yet.
		 */
		return val ? -1 : 0;
	case MSR_IA32_APICBASE:
		/* The APIC stays at its address, in xAPIC mode. */
		if ((val & ~(u64)MSR_IA32_APICBASE_BSP) !=
		    (HVX_LAPIC_GPA | MSR_IA32_APICBASE_ENABLE))
			return -1;
		return 0;
	case MSR_IA32_MISC_ENABLE:
	case MSR_IA32_UCODE_REV:
		/* Writes that change nothing the guest can see. */
		return 0;
	default:
		return -1;
	}
}

int hvx_exit_rdmsr(struct hvx_vcpu *vcpu)
{
	u64 val;

	if (hvx_msr_read(vcpu, vcpu->gprs[HVX_RCX], &val)) {
		hvx_vcpu_inject_gp(vcpu);
		return 1;
	}
	vcpu->gprs[HVX_RAX] = (u32)val;
	vcpu->gprs[HVX_RDX] = val >> 32;
	hvx_vcpu_skip_insn(vcpu);
	return 1;
}

int hvx_exit_wrmsr(struct hvx_vcpu *vcpu)
{
	u64 val = (u32)vcpu->gprs[HVX_RAX] | ((u64)(u32)vcpu->gprs[HVX_RDX] << 32);

	if (hvx_msr_write(vcpu, vcpu->gprs[HVX_RCX], val)) {
		hvx_vcpu_inject_gp(vcpu);
		return 1;
	}
	hvx_vcpu_skip_insn(vcpu);
	return 1;
}
