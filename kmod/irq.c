// SPDX-License-Identifier: GPL-2.0
/*
 * Getting interrupts into the guest: the injection decision before each VM
 * entry, interrupt windows, events whose delivery a VM exit cut short, HLT
 * that sleeps until an interrupt is due, and kicking a vCPU out of the
 * guest or out of that sleep when an interrupt arrives from elsewhere.
 */
#define pr_fmt(fmt) "hvx: " fmt

#include <linux/kernel.h>
#include <linux/sched/signal.h>
#include <linux/smp.h>
#include <linux/wait.h>
#include <asm/msr.h>
#include <asm/trapnr.h>
#include <asm/vmx.h>

#include "hvx.h"
#include "vmx_ops.h"

/* The bits of an interruption-information field that VM entry takes. */
#define ENTRY_INTR_INFO_BITS	(INTR_INFO_VECTOR_MASK | INTR_INFO_INTR_TYPE_MASK | \
				 INTR_INFO_DELIVER_CODE_MASK | INTR_INFO_VALID_MASK)

void hvx_vcpu_kick(struct hvx_vcpu *vcpu)
{
	int cpu;

	wake_up_interruptible(&vcpu->wq);
	/*
	 * Pairs with the barrier in hvx_irq_prepare_entry(): either that sees
	 * the new IRR bit, or this sees in_guest and the IPI forces an exit.
	 */
	smp_mb();
	cpu = READ_ONCE(vcpu->cpu);
	if (READ_ONCE(vcpu->in_guest) && cpu >= 0 && cpu != raw_smp_processor_id())
		smp_send_reschedule(cpu);
}

/*
 * Whether hardware exception @vector pushes an error code in the guest's
 * current mode: only in protected mode, and only these vectors.  VM entry
 * refuses to inject any other combination (SDM "Checks on VM-Entry
 * Control Fields") with an invalid-control-field VMfail.
 */
bool hvx_exception_has_error_code(struct hvx_vcpu *vcpu, u8 vector)
{
	return (vcpu->cr0_shadow & X86_CR0_PE) &&
	       (vector == X86_TRAP_DF || (vector >= X86_TRAP_TS && vector <= X86_TRAP_PF) ||
		vector == X86_TRAP_AC);
}

/*
 * Makes a queued hardware exception's error-code bit fit the guest's mode
 * now: HVX_SET_SREGS may have changed CR0.PE since it was queued, and
 * Bochs reports an error code for an exception cut short in real mode.
 */
void hvx_irq_fit_error_code(struct hvx_vcpu *vcpu)
{
	u32 info = vmcs_read32(VM_ENTRY_INTR_INFO_FIELD);
	bool code;

	if (!(info & INTR_INFO_VALID_MASK) ||
	    (info & INTR_INFO_INTR_TYPE_MASK) != INTR_TYPE_HARD_EXCEPTION)
		return;
	code = hvx_exception_has_error_code(vcpu, info & INTR_INFO_VECTOR_MASK);
	if (code == !!(info & INTR_INFO_DELIVER_CODE_MASK))
		return;
	if (code) {
		info |= INTR_INFO_DELIVER_CODE_MASK;
		vmcs_write32(VM_ENTRY_EXCEPTION_ERROR_CODE, 0);
	} else {
		info &= ~INTR_INFO_DELIVER_CODE_MASK;
	}
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, info);
}

/*
 * A VM exit during event delivery (an EPT violation on the IDT or the stack,
 * say) leaves the event in the IDT-vectoring field: deliver it again.
 */
void hvx_irq_reinject(struct hvx_vcpu *vcpu)
{
	u32 info = vmcs_read32(IDT_VECTORING_INFO_FIELD);
	u32 type = info & INTR_INFO_INTR_TYPE_MASK;

	if (!(info & VECTORING_INFO_VALID_MASK))
		return;
	if (info & VECTORING_INFO_DELIVER_CODE_MASK)
		vmcs_write32(VM_ENTRY_EXCEPTION_ERROR_CODE,
			     vmcs_read32(IDT_VECTORING_ERROR_CODE));
	if (type == INTR_TYPE_SOFT_INTR || type == INTR_TYPE_SOFT_EXCEPTION ||
	    type == INTR_TYPE_PRIV_SW_EXCEPTION)
		vmcs_write32(VM_ENTRY_INSTRUCTION_LEN,
			     vmcs_read32(VM_EXIT_INSTRUCTION_LEN));
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, info & ENTRY_INTR_INFO_BITS);
	hvx_irq_fit_error_code(vcpu);
}

static bool hvx_guest_interruptible(void)
{
	return (vmcs_readl(GUEST_RFLAGS) & X86_EFLAGS_IF) &&
	       !(vmcs_read32(GUEST_INTERRUPTIBILITY_INFO) &
		 (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS));
}

static void hvx_set_interrupt_window(struct hvx_vcpu *vcpu, bool on)
{
	u32 ctls = vcpu->proc_ctls;

	if (on)
		ctls |= CPU_BASED_INTR_WINDOW_EXITING;
	else
		ctls &= ~CPU_BASED_INTR_WINDOW_EXITING;
	if (ctls != vcpu->proc_ctls) {
		vmcs_write32(CPU_BASED_VM_EXEC_CONTROL, ctls);
		vcpu->proc_ctls = ctls;
	}
}

/*
 * APIC virtualization: the CPU delivers from the virtual-APIC page itself.
 * It needs the highest requested vector (RVI) and the one in service
 * (SVI), and the level-triggered vectors, whose EOI must still exit so
 * that the I/O APIC hears of it.  The EOI-exit bitmap is current before
 * any of those vectors can be delivered: it is written on the same entry
 * that first puts them into RVI.
 */
static void hvx_irq_prepare_virtual(struct hvx_vcpu *vcpu)
{
	struct hvx_lapic *lapic = &vcpu->lapic;
	u8 rvi = 0;
	int i;

	for (i = 0; i < 4; i++) {
		u64 bits = READ_ONCE(lapic->level[i]);

		if (bits != vcpu->eoi_exit_bitmap[i]) {
			vmcs_write64(EOI_EXIT_BITMAP0 + i * 2, bits);
			vcpu->eoi_exit_bitmap[i] = bits;
		}
	}
	/* A software-disabled APIC delivers nothing (hvx_lapic_next_vector()). */
	if (hvx_lapic_enabled(lapic))
		rvi = hvx_lapic_highest_irr(lapic);
	vmcs_write16(GUEST_INTR_STATUS, rvi | hvx_lapic_highest_isr(lapic) << 8);
}

/*
 * Runs with interrupts off right before VM entry.  Injects the local APIC's
 * best vector if the guest can take it now, else asks for an exit as soon
 * as it can; or leaves both to the CPU when it virtualizes the APIC.
 */
void hvx_irq_prepare_entry(struct hvx_vcpu *vcpu)
{
	bool window = false;
	unsigned int moved;
	int vector;

	WRITE_ONCE(vcpu->in_guest, true);
	/* Pairs with hvx_vcpu_kick(): see the pending bit, or be sent an IPI. */
	smp_mb();
	moved = hvx_lapic_sync_irr(&vcpu->lapic);
	if (vcpu->lapic.virtualized) {
		vcpu->irqs_injected += moved;
		hvx_irq_prepare_virtual(vcpu);
		return;
	}
	vector = hvx_lapic_next_vector(&vcpu->lapic);
	if (vector >= 0) {
		/* An event is already queued (re-injection, an exception). */
		if (vmcs_read32(VM_ENTRY_INTR_INFO_FIELD) & INTR_INFO_VALID_MASK ||
		    !hvx_guest_interruptible()) {
			window = true;
		} else {
			vmcs_write32(VM_ENTRY_INTR_INFO_FIELD,
				     vector | INTR_TYPE_EXT_INTR | INTR_INFO_VALID_MASK);
			hvx_lapic_ack(&vcpu->lapic, vector);
			vcpu->irqs_injected++;
		}
	}
	hvx_set_interrupt_window(vcpu, window);
}

int hvx_exit_interrupt_window(struct hvx_vcpu *vcpu)
{
	/* The next entry injects; it also turns the window exit off. */
	return 1;
}

int hvx_exit_hlt(struct hvx_vcpu *vcpu)
{
	u64 start;
	int err;

	hvx_vcpu_skip_insn(vcpu);
	/* With interrupts off nothing but NMI or INIT ends HLT: neither exists. */
	if (!(vmcs_readl(GUEST_RFLAGS) & X86_EFLAGS_IF)) {
		vcpu->run->exit_reason = HVX_EXIT_HLT;
		return 0;
	}
	start = rdtsc();
	err = wait_event_interruptible(vcpu->wq, hvx_lapic_next_vector(&vcpu->lapic) >= 0);
	WRITE_ONCE(vcpu->halted_tsc, vcpu->halted_tsc + rdtsc() - start);
	return err ? -EINTR : 1;
}
