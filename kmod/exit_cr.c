// SPDX-License-Identifier: GPL-2.0
/*
 * Control and debug register exits.  hvx owns all of CR0 and CR4 (the
 * guest/host masks are all ones), so MOV to CR0/CR4, CLTS and LMSW exit
 * here.  CR8 is the local APIC's TPR: without CR8 exiting a 64-bit guest
 * would write the host CPU's own TPR and could mask every host interrupt.
 * Debug registers are kept in software so the guest can never set
 * breakpoints in the host.
 */
#define pr_fmt(fmt) "hvx: " fmt

#include <linux/kernel.h>
#include <asm/processor.h>

#include "hvx.h"
#include "vmx_ops.h"

#define CR_QUAL_NUM(q)		((q) & 15)
#define CR_QUAL_TYPE(q)		(((q) >> 4) & 3)
#define CR_QUAL_GPR(q)		(((q) >> 8) & 15)
#define CR_QUAL_LMSW_SRC(q)	(((q) >> 16) & 0xffff)
#define CR_TYPE_MOV_TO		0
#define CR_TYPE_MOV_FROM	1
#define CR_TYPE_CLTS		2
#define CR_TYPE_LMSW		3

static int hvx_set_cr(struct hvx_vcpu *vcpu, unsigned int cr, u64 val)
{
	switch (cr) {
	case 0:
		/* Outside long mode the upper half is ignored, as on hardware. */
		if (!(vcpu->efer & EFER_LMA))
			val = (u32)val;
		return hvx_vcpu_set_cr0(vcpu, val | X86_CR0_ET);
	case 4:
		return hvx_vcpu_set_cr4(vcpu, val);
	case 8:
		return hvx_lapic_set_cr8(&vcpu->lapic, val);
	case 3:
		/* Only when the CPU forces CR3-load exiting on: EPT needs none. */
		if (val >> boot_cpu_data.x86_phys_bits)
			return -EINVAL;
		vmcs_writel(GUEST_CR3, val);
		return 0;
	default:
		return -EINVAL;
	}
}

int hvx_exit_cr(struct hvx_vcpu *vcpu)
{
	u64 qual = vcpu->exit_qualification;
	unsigned int cr = CR_QUAL_NUM(qual);
	u64 val;
	int err;

	switch (CR_QUAL_TYPE(qual)) {
	case CR_TYPE_MOV_TO:
		err = hvx_set_cr(vcpu, cr, hvx_vcpu_get_gpr(vcpu, CR_QUAL_GPR(qual)));
		break;
	case CR_TYPE_CLTS:
		err = hvx_vcpu_set_cr0(vcpu, vcpu->cr0_shadow & ~X86_CR0_TS);
		break;
	case CR_TYPE_LMSW:
		/* LMSW writes CR0[3:0] and can set PE but never clear it. */
		val = CR_QUAL_LMSW_SRC(qual) & 0xf;
		val |= vcpu->cr0_shadow & X86_CR0_PE;
		err = hvx_vcpu_set_cr0(vcpu, (vcpu->cr0_shadow & ~0xfULL) | val);
		break;
	default:
		/* MOV from CR0/CR4 reads the shadow; only CR3 and CR8 get here. */
		err = -EINVAL;
		if (cr == 3) {
			hvx_vcpu_set_gpr(vcpu, CR_QUAL_GPR(qual), vmcs_readl(GUEST_CR3));
			err = 0;
		} else if (cr == 8) {
			hvx_vcpu_set_gpr(vcpu, CR_QUAL_GPR(qual),
					 hvx_lapic_get_cr8(&vcpu->lapic));
			err = 0;
		}
		break;
	}
	if (err) {
		hvx_vcpu_inject_gp(vcpu);
		return 1;
	}
	hvx_vcpu_skip_insn(vcpu);
	return 1;
}

#define DR_QUAL_NUM(q)		((q) & 7)
#define DR_QUAL_FROM		BIT(4)
#define DR_QUAL_GPR(q)		(((q) >> 8) & 15)

int hvx_exit_dr(struct hvx_vcpu *vcpu)
{
	u64 qual = vcpu->exit_qualification;
	unsigned int dr = DR_QUAL_NUM(qual);
	unsigned int gpr = DR_QUAL_GPR(qual);
	unsigned long val;

	/* DR4/DR5 alias DR6/DR7 unless CR4.DE, where they #UD. */
	if (dr == 4 || dr == 5) {
		if (vcpu->cr4_shadow & X86_CR4_DE) {
			hvx_vcpu_inject_ud(vcpu);
			return 1;
		}
		dr += 2;
	}
	if (qual & DR_QUAL_FROM) {
		if (dr < 4)
			val = vcpu->dr[dr];
		else if (dr == 6)
			val = vcpu->dr6 | 0xffff0ff0;
		else
			val = vmcs_readl(GUEST_DR7);
		hvx_vcpu_set_gpr(vcpu, gpr, val);
	} else {
		val = hvx_vcpu_get_gpr(vcpu, gpr);
		if (dr < 4) {
			vcpu->dr[dr] = val;
		} else if (dr == 6) {
			vcpu->dr6 = val & 0xe00f;
		} else {
			if (val >> 32) {
				hvx_vcpu_inject_gp(vcpu);
				return 1;
			}
			/* Breakpoints stay disarmed: only the guest's view changes. */
			vmcs_writel(GUEST_DR7, (val & ~0xffUL) | 0x400);
		}
	}
	hvx_vcpu_skip_insn(vcpu);
	return 1;
}
