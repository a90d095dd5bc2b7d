// SPDX-License-Identifier: GPL-2.0
/*
 * The exits of APIC virtualization.  The CPU answers most of the guest's
 * local APIC accesses from the virtual-APIC page; it exits after a write
 * whose side effects are hvx's (the timer, an IPI, the LVT masks), after
 * the EOI of a level-triggered vector, and before an access it does not
 * virtualize (PPR, the timer's current count, unaligned or wide ones).
 */
#define pr_fmt(fmt) "hvx: " fmt

#include <linux/kernel.h>

#include "hvx.h"
#include "vmx_ops.h"

int hvx_exit_apic_access(struct hvx_vcpu *vcpu)
{
	u64 qual = vcpu->exit_qualification;
	u64 gpa = HVX_LAPIC_GPA + (qual & APIC_ACCESS_OFFSET);

	/* Decoding walks the guest's page tables: host data in the L1D. */
	hvx_spec_note_host_work(vcpu);
	switch (qual & APIC_ACCESS_TYPE) {
	case TYPE_LINEAR_APIC_INST_READ:
	case TYPE_LINEAR_APIC_INST_WRITE:
		return hvx_emulate_mmio(vcpu, gpa);
	case TYPE_LINEAR_APIC_EVENT:
	case TYPE_PHYSICAL_APIC_EVENT:
		/* The IDT, a stack or a TSS in the APIC page, as with MMIO. */
		return hvx_exit_to_user(vcpu, HVX_EXIT_INTERNAL_ERROR,
					HVX_INTERNAL_ERROR_DELIVERY, gpa);
	default:
		/* Page-table walks and instruction fetches from the APIC page. */
		return hvx_exit_to_user(vcpu, HVX_EXIT_INTERNAL_ERROR,
					HVX_INTERNAL_ERROR_EMULATION, gpa);
	}
}

/* Trap-like: the write is done, in the virtual-APIC page; RIP is past it. */
int hvx_exit_apic_write(struct hvx_vcpu *vcpu)
{
	hvx_lapic_apic_write(&vcpu->lapic, vcpu->exit_qualification & APIC_ACCESS_OFFSET);
	return 1;
}

/* Trap-like, for a vector set in the EOI-exit bitmap: the qualification is the vector. */
int hvx_exit_eoi_induced(struct hvx_vcpu *vcpu)
{
	hvx_lapic_eoi_exit(&vcpu->lapic, vcpu->exit_qualification & 0xff);
	return 1;
}
