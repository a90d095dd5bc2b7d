// SPDX-License-Identifier: GPL-2.0
/*
 * Register state of a vCPU: HVX_GET/SET_REGS and HVX_GET/SET_SREGS, and the
 * control registers hvx owns (CR0, CR4, EFER).  The guest sees the values it
 * wrote (read shadows); the VMCS holds what VMX requires on top.
 */
#define pr_fmt(fmt) "hvx: " fmt

#include <linux/kernel.h>
#include <asm/cpufeature.h>
#include <asm/debugreg.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>

#include "hvx.h"
#include "vmx_ops.h"

/* Control register bits a guest may never hold, or must always hold. */
#define HVX_CR0_ALWAYS_OFF	(X86_CR0_NW | X86_CR0_CD)
#define HVX_EFER_KNOWN		(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX)

static bool cr0_valid(u64 cr0)
{
	if (cr0 >> 32)
		return false;
	if ((cr0 & X86_CR0_PG) && !(cr0 & X86_CR0_PE))
		return false;
	if ((cr0 & X86_CR0_NW) && !(cr0 & X86_CR0_CD))
		return false;
	return true;
}

/*
 * CR4 bits a guest may set, where the CPU allows them in VMX operation.
 * Left out: VMXE and SMXE (no nested VMX or SMX), PKE (the guest's WRPKRU
 * would change the host's PKRU, which hvx does not switch), CET (its MSRs
 * are not switched either) and LA57 (5-level paging is not offered).
 */
#define HVX_CR4_GUEST_BITS	(X86_CR4_VME | X86_CR4_PVI | X86_CR4_TSD | X86_CR4_DE | \
				 X86_CR4_PSE | X86_CR4_PAE | X86_CR4_MCE | X86_CR4_PGE | \
				 X86_CR4_PCE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT | \
				 X86_CR4_UMIP | X86_CR4_FSGSBASE | X86_CR4_PCIDE | \
				 X86_CR4_OSXSAVE | X86_CR4_SMEP | X86_CR4_SMAP)

static bool cr4_valid(u64 cr4)
{
	/*
	 * XSETBV exits and is checked against the host's XCR0: a host that
	 * does not use XSAVE itself has none to read (XGETBV would #UD).
	 */
	if ((cr4 & X86_CR4_OSXSAVE) && !boot_cpu_has(X86_FEATURE_OSXSAVE))
		return false;
	return !(cr4 & ~(HVX_CR4_GUEST_BITS & hvx_caps.cr4_fixed1));
}

/* Entering or leaving long mode follows EFER.LME and CR0.PG, as hardware. */
void hvx_vcpu_update_efer(struct hvx_vcpu *vcpu)
{
	u32 entry = vmcs_read32(VM_ENTRY_CONTROLS);
	u64 efer = vcpu->efer & ~EFER_LMA;

	if ((efer & EFER_LME) && (vcpu->cr0_shadow & X86_CR0_PG))
		efer |= EFER_LMA;
	vcpu->efer = efer;
	vmcs_write64(GUEST_IA32_EFER, efer);
	if (efer & EFER_LMA)
		entry |= VM_ENTRY_IA32E_MODE;
	else
		entry &= ~VM_ENTRY_IA32E_MODE;
	vmcs_write32(VM_ENTRY_CONTROLS, entry);
}

int hvx_vcpu_set_cr0(struct hvx_vcpu *vcpu, u64 cr0)
{
	u64 fixed0 = hvx_caps.cr0_fixed0 & ~(X86_CR0_PE | X86_CR0_PG);
	u64 hw;

	if (!cr0_valid(cr0))
		return -EINVAL;
	/* 64-bit code cannot turn paging off: it would leave IA-32e mode under itself. */
	if ((vcpu->efer & EFER_LMA) && !(cr0 & X86_CR0_PG) &&
	    (vmcs_read32(GUEST_CS_AR_BYTES) & VMX_AR_L_MASK))
		return -EINVAL;
	/* Paging in long mode needs PAE first. */
	if ((cr0 & X86_CR0_PG) && (vcpu->efer & EFER_LME) &&
	    !(vcpu->cr4_shadow & X86_CR4_PAE))
		return -EINVAL;
	hw = ((cr0 & ~HVX_CR0_ALWAYS_OFF) | fixed0) & hvx_caps.cr0_fixed1;
	vcpu->cr0_shadow = cr0;
	vmcs_writel(CR0_READ_SHADOW, cr0);
	vmcs_writel(GUEST_CR0, hw);
	hvx_vcpu_update_efer(vcpu);
	return 0;
}

int hvx_vcpu_set_cr4(struct hvx_vcpu *vcpu, u64 cr4)
{
	if (!cr4_valid(cr4))
		return -EINVAL;
	if ((vcpu->efer & EFER_LMA) && !(cr4 & X86_CR4_PAE))
		return -EINVAL;
	/* PCIDs exist only in IA-32e mode (SDM "MOV to CR4"). */
	if ((cr4 & X86_CR4_PCIDE) && !(vcpu->efer & EFER_LMA))
		return -EINVAL;
	vcpu->cr4_shadow = cr4;
	vmcs_writel(CR4_READ_SHADOW, cr4);
	vmcs_writel(GUEST_CR4, (cr4 | hvx_caps.cr4_fixed0) & hvx_caps.cr4_fixed1);
	return 0;
}

int hvx_vcpu_get_regs(struct hvx_vcpu *vcpu, struct hvx_regs *r)
{
	const unsigned long *g = vcpu->gprs;

	*r = (struct hvx_regs) {
		.rax = g[HVX_RAX], .rbx = g[HVX_RBX], .rcx = g[HVX_RCX],
		.rdx = g[HVX_RDX], .rsi = g[HVX_RSI], .rdi = g[HVX_RDI],
		.rsp = vmcs_readl(GUEST_RSP), .rbp = g[HVX_RBP],
		.r8 = g[HVX_R8], .r9 = g[HVX_R9], .r10 = g[HVX_R10],
		.r11 = g[HVX_R11], .r12 = g[HVX_R12], .r13 = g[HVX_R13],
		.r14 = g[HVX_R14], .r15 = g[HVX_R15],
		.rip = vmcs_readl(GUEST_RIP), .rflags = vmcs_readl(GUEST_RFLAGS),
	};
	return 0;
}

/* RFLAGS bits that are reserved: 63:22, 15, 5 and 3 are 0, 1 is 1. */
#define RFLAGS_RESERVED_ZERO	(~0x3f7fd7ULL)

/*
 * New registers from the VMM may move the guest to another instruction.
 * What the CPU deferred for the old one must not land on the new one: a
 * single-step trap held back by MOV SS or STI (pending debug exceptions),
 * that blocking itself, and an exception or software interrupt raised by
 * the old instruction.  External interrupts and NMIs belong to no
 * instruction and stay queued.  With the blocking left in place, VM entry
 * requires the single-step bit to follow RFLAGS.TF (the guest's
 * DEBUGCTL.BTF is always 0 here).
 */
static void fit_deferred_events(struct hvx_vcpu *vcpu, const struct hvx_regs *r)
{
	u32 blocking = GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS;
	u32 intr = vmcs_read32(GUEST_INTERRUPTIBILITY_INFO);
	unsigned long dbg = vmcs_readl(GUEST_PENDING_DBG_EXCEPTIONS);
	u32 event = vmcs_read32(VM_ENTRY_INTR_INFO_FIELD);
	u32 type = event & INTR_INFO_INTR_TYPE_MASK;

	if (r->rip != vmcs_readl(GUEST_RIP)) {
		intr &= ~blocking;
		dbg = 0;
		if ((event & INTR_INFO_VALID_MASK) &&
		    type != INTR_TYPE_EXT_INTR && type != INTR_TYPE_NMI_INTR)
			vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, 0);
	}
	if (intr & blocking) {
		dbg &= ~DR_STEP;
		if (r->rflags & X86_EFLAGS_TF)
			dbg |= DR_STEP;
	}
	vmcs_write32(GUEST_INTERRUPTIBILITY_INFO, intr);
	vmcs_writel(GUEST_PENDING_DBG_EXCEPTIONS, dbg);
}

int hvx_vcpu_set_regs(struct hvx_vcpu *vcpu, const struct hvx_regs *r)
{
	unsigned long *g = vcpu->gprs;

	/* Refused here rather than failing the next entry; GET gives back SET. */
	if (!hvx_is_canonical(r->rip) || (r->rflags & RFLAGS_RESERVED_ZERO) ||
	    !(r->rflags & X86_EFLAGS_FIXED))
		return -EINVAL;

	g[HVX_RAX] = r->rax; g[HVX_RBX] = r->rbx; g[HVX_RCX] = r->rcx;
	g[HVX_RDX] = r->rdx; g[HVX_RSI] = r->rsi; g[HVX_RDI] = r->rdi;
	g[HVX_RBP] = r->rbp; g[HVX_R8] = r->r8; g[HVX_R9] = r->r9;
	g[HVX_R10] = r->r10; g[HVX_R11] = r->r11; g[HVX_R12] = r->r12;
	g[HVX_R13] = r->r13; g[HVX_R14] = r->r14; g[HVX_R15] = r->r15;
	fit_deferred_events(vcpu, r);
	vmcs_writel(GUEST_RSP, r->rsp);
	vmcs_writel(GUEST_RIP, r->rip);
	vmcs_writel(GUEST_RFLAGS, r->rflags);
	/* New registers cancel a half-done exit. */
	vcpu->pending = HVX_PENDING_NONE;
	return 0;
}

#define HVX_SEG(name) { GUEST_##name##_SELECTOR, GUEST_##name##_BASE, \
			GUEST_##name##_LIMIT, GUEST_##name##_AR_BYTES }

static const struct hvx_seg_fields {
	u32 selector, base, limit, ar;
} seg_fields[8] = {
	HVX_SEG(CS), HVX_SEG(DS), HVX_SEG(ES), HVX_SEG(FS),
	HVX_SEG(GS), HVX_SEG(SS), HVX_SEG(TR), HVX_SEG(LDTR),
};

static struct hvx_segment *sregs_seg(struct hvx_sregs *s, unsigned int i)
{
	struct hvx_segment *segs[8] = {
		&s->cs, &s->ds, &s->es, &s->fs, &s->gs, &s->ss, &s->tr, &s->ldt,
	};

	return segs[i];
}

static void get_segment(unsigned int i, struct hvx_segment *seg)
{
	u32 ar = __hvx_vmread(seg_fields[i].ar);

	*seg = (struct hvx_segment) {
		.base = __hvx_vmread(seg_fields[i].base),
		.limit = __hvx_vmread(seg_fields[i].limit),
		.selector = __hvx_vmread(seg_fields[i].selector),
		.type = ar & 15, .s = (ar >> 4) & 1, .dpl = (ar >> 5) & 3,
		.present = (ar >> 7) & 1, .avl = (ar >> 12) & 1,
		.l = (ar >> 13) & 1, .db = (ar >> 14) & 1, .g = (ar >> 15) & 1,
		.unusable = (ar >> 16) & 1,
	};
}

static bool segment_valid(unsigned int i, const struct hvx_segment *seg, u64 efer)
{
	u32 field = seg_fields[i].selector;

	if (seg->padding || seg->type > 15 || seg->dpl > 3 || seg->present > 1 ||
	    seg->s > 1 || seg->avl > 1 || seg->l > 1 || seg->db > 1 ||
	    seg->g > 1 || seg->unusable > 1)
		return false;
	/* VM entry's checks on bases (SDM "Checks on Guest Segment Registers"). */
	if (field == GUEST_FS_SELECTOR || field == GUEST_GS_SELECTOR ||
	    field == GUEST_TR_SELECTOR || field == GUEST_LDTR_SELECTOR) {
		if (!hvx_is_canonical(seg->base))
			return false;
	} else if (seg->base >> 32) {
		return false;
	}
	/* A 64-bit code segment has D/B clear, and exists only in IA-32e mode. */
	if (field == GUEST_CS_SELECTOR && seg->l &&
	    (seg->db || !(efer & EFER_LMA)))
		return false;
	return true;
}

static void set_segment(unsigned int i, const struct hvx_segment *seg)
{
	u32 ar;

	ar = seg->type | seg->s << 4 | seg->dpl << 5 | seg->present << 7 |
	     seg->avl << 12 | seg->l << 13 | seg->db << 14 | seg->g << 15 |
	     seg->unusable << 16;
	__hvx_vmwrite(seg_fields[i].selector, seg->selector);
	__hvx_vmwrite(seg_fields[i].base, seg->base);
	__hvx_vmwrite(seg_fields[i].limit, seg->limit);
	__hvx_vmwrite(seg_fields[i].ar, ar);
}

int hvx_vcpu_get_sregs(struct hvx_vcpu *vcpu, struct hvx_sregs *s)
{
	unsigned int i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < ARRAY_SIZE(seg_fields); i++)
		get_segment(i, sregs_seg(s, i));
	s->gdt.base = vmcs_readl(GUEST_GDTR_BASE);
	s->gdt.limit = vmcs_read32(GUEST_GDTR_LIMIT);
	s->idt.base = vmcs_readl(GUEST_IDTR_BASE);
	s->idt.limit = vmcs_read32(GUEST_IDTR_LIMIT);
	s->cr0 = vcpu->cr0_shadow;
	s->cr2 = vcpu->cr2;
	s->cr3 = vmcs_readl(GUEST_CR3);
	s->cr4 = vcpu->cr4_shadow;
	s->cr8 = hvx_lapic_get_cr8(&vcpu->lapic);
	s->efer = vcpu->efer;
	s->apic_base = vcpu->apic_base;
	return 0;
}

/* Everything HVX_SET_SREGS takes must pass here before anything is written. */
static bool sregs_valid(const struct hvx_sregs *s)
{
	bool lma = (s->efer & EFER_LME) && (s->cr0 & X86_CR0_PG);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(s->reserved); i++)
		if (s->reserved[i])
			return false;
	if (s->gdt.padding[0] || s->gdt.padding[1] || s->gdt.padding[2] ||
	    s->idt.padding[0] || s->idt.padding[1] || s->idt.padding[2])
		return false;
	if (!hvx_is_canonical(s->gdt.base) || !hvx_is_canonical(s->idt.base))
		return false;
	if (s->efer & ~HVX_EFER_KNOWN || s->cr8 > 15)
		return false;
	/* LMA is the CPU's to set: it must be what LME and PG make it. */
	if (!!(s->efer & EFER_LMA) != lma)
		return false;
	if (!cr0_valid(s->cr0) || !cr4_valid(s->cr4))
		return false;
	if (lma && !(s->cr4 & X86_CR4_PAE))
		return false;
	if ((s->cr4 & X86_CR4_PCIDE) && !lma)
		return false;
	/* CR3 may not set bits beyond the physical address width. */
	if (s->cr3 >> boot_cpu_data.x86_phys_bits)
		return false;
	/* The local APIC stays at its address, enabled, in xAPIC mode. */
	if ((s->apic_base & ~(u64)MSR_IA32_APICBASE_BSP) !=
	    (HVX_LAPIC_GPA | MSR_IA32_APICBASE_ENABLE))
		return false;
	for (i = 0; i < ARRAY_SIZE(seg_fields); i++)
		if (!segment_valid(i, sregs_seg((struct hvx_sregs *)s, i), s->efer))
			return false;
	return true;
}

int hvx_vcpu_set_sregs(struct hvx_vcpu *vcpu, const struct hvx_sregs *s)
{
	unsigned int i;
	int err;

	if (!sregs_valid(s))
		return -EINVAL;

	for (i = 0; i < ARRAY_SIZE(seg_fields); i++)
		set_segment(i, sregs_seg((struct hvx_sregs *)s, i));
	vmcs_writel(GUEST_GDTR_BASE, s->gdt.base);
	vmcs_write32(GUEST_GDTR_LIMIT, s->gdt.limit);
	vmcs_writel(GUEST_IDTR_BASE, s->idt.base);
	vmcs_write32(GUEST_IDTR_LIMIT, s->idt.limit);
	vmcs_writel(GUEST_CR3, s->cr3);
	vcpu->cr2 = s->cr2;
	vcpu->efer = s->efer & ~EFER_LMA;
	/* CR4 before CR0, each checked against the other by sregs_valid(). */
	vcpu->cr4_shadow = 0;
	vcpu->cr0_shadow = 0;
	vmcs_write32(VM_ENTRY_CONTROLS,
		     vmcs_read32(VM_ENTRY_CONTROLS) & ~VM_ENTRY_IA32E_MODE);
	err = hvx_vcpu_set_cr4(vcpu, s->cr4 & ~X86_CR4_PCIDE);
	if (!err)
		err = hvx_vcpu_set_cr0(vcpu, s->cr0);
	if (!err && (s->cr4 & X86_CR4_PCIDE))
		err = hvx_vcpu_set_cr4(vcpu, s->cr4);
	/* Not reached: sregs_valid() checks all that these do. */
	if (err)
		return err;
	hvx_lapic_set_cr8(&vcpu->lapic, s->cr8);
	vcpu->apic_base = s->apic_base;
	/* An event queued in the old mode must fit the new CR0.PE. */
	hvx_irq_fit_error_code(vcpu);
	return 0;
}
