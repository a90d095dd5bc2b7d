// SPDX-License-Identifier: GPL-2.0
/*
 * VM exit dispatch.  Handlers return 1 to resume the guest, 0 to return to
 * userspace with the run structure filled, or a negative errno.
 */
#define pr_fmt(fmt) "hvx: " fmt

#include <linux/kernel.h>
#include <asm/fpu/xcr.h>
#include <asm/idtentry.h>
#include <asm/mce.h>
#include <asm/trapnr.h>
#include <asm/vmx.h>

#include "emulate/emulate.h"
#include "hvx.h"
#include "vmx_ops.h"

typedef int (*hvx_exit_handler)(struct hvx_vcpu *vcpu);

/* Ends HVX_RUN with @reason, saying which exit led there and where. */
int hvx_exit_to_user(struct hvx_vcpu *vcpu, u32 reason, u32 suberror, u64 gpa)
{
	struct hvx_run *run = vcpu->run;

	run->exit_reason = reason;
	run->internal.suberror = suberror;
	run->internal.vmx_exit_reason = vcpu->exit_reason;
	run->internal.qualification = vcpu->exit_qualification;
	run->internal.guest_rip = vmcs_readl(GUEST_RIP);
	run->internal.guest_phys_addr = gpa;
	return 0;
}

static int hvx_exit_unhandled(struct hvx_vcpu *vcpu)
{
	/* The address helps with EPT misconfigurations; 0 for other exits. */
	return hvx_exit_to_user(vcpu, HVX_EXIT_INTERNAL_ERROR,
				HVX_INTERNAL_ERROR_UNHANDLED_EXIT,
				vmcs_read64(GUEST_PHYSICAL_ADDRESS));
}

static int hvx_exit_external_interrupt(struct hvx_vcpu *vcpu)
{
	/* Already taken by the host when interrupts were enabled again. */
	return 1;
}

static bool hvx_exit_is_nmi(u32 intr_info)
{
	return (intr_info & (INTR_INFO_INTR_TYPE_MASK | INTR_INFO_VALID_MASK)) ==
	       (INTR_TYPE_NMI_INTR | INTR_INFO_VALID_MASK);
}

static bool hvx_exit_is_exception(u32 intr_info, u8 vector)
{
	return (intr_info & (INTR_INFO_INTR_TYPE_MASK | INTR_INFO_VECTOR_MASK |
			     INTR_INFO_VALID_MASK)) ==
	       (INTR_TYPE_HARD_EXCEPTION | vector | INTR_INFO_VALID_MASK);
}

/* The host's #MC handler, with the frame KVM gives it for a guest's #MC. */
static void hvx_machine_check(void)
{
#ifdef CONFIG_X86_MCE
	struct pt_regs regs = {
		.cs = 3,	/* not the host kernel's context, whatever the guest ran */
		.flags = X86_EFLAGS_IF,
	};

	do_machine_check(&regs);
#endif
}

/*
 * Runs right after a VM exit, with interrupts still off.  An NMI or a
 * machine check that made the guest exit was consumed by the exit: the
 * host's handlers must see it now, before anything else runs on this CPU
 * (the watchdog, perf, kdump's shootdown and the MCE code rely on it).
 */
void hvx_handle_exit_irqoff(struct hvx_vcpu *vcpu)
{
	u32 basic = vcpu->exit_reason & 0xffff;

	vcpu->exit_intr_info = 0;
	if (basic == EXIT_REASON_MCE_DURING_VMENTRY) {
		hvx_machine_check();
		return;
	}
	if (basic != EXIT_REASON_EXCEPTION_NMI)
		return;
	vcpu->exit_intr_info = vmcs_read32(VM_EXIT_INTR_INFO);
	if (hvx_exit_is_nmi(vcpu->exit_intr_info))
		hvx_do_nmi_irqoff((unsigned long)asm_exc_nmi_noist);
	else if (hvx_exit_is_exception(vcpu->exit_intr_info, X86_TRAP_MC))
		hvx_machine_check();
}

/*
 * An alignment check the guest asked for (CR0.AM, RFLAGS.AC, CPL 3) goes
 * back to the guest.  It is intercepted at all because its delivery can
 * raise #AC again forever without an instruction boundary in between
 * (CVE-2015-5307): through an exit per delivery the host keeps its CPU.
 */
static bool hvx_guest_wants_alignment_check(struct hvx_vcpu *vcpu)
{
	return (vcpu->cr0_shadow & X86_CR0_AM) &&
	       (vmcs_readl(GUEST_RFLAGS) & X86_EFLAGS_AC) &&
	       ((vmcs_read32(GUEST_SS_AR_BYTES) >> 5) & 3) == 3;
}

static int hvx_exit_exception_nmi(struct hvx_vcpu *vcpu)
{
	u32 info = vcpu->exit_intr_info;

	/* Handled by hvx_handle_exit_irqoff(). */
	if (hvx_exit_is_nmi(info) || hvx_exit_is_exception(info, X86_TRAP_MC))
		return 1;
	if (hvx_exit_is_exception(info, X86_TRAP_AC) &&
	    hvx_guest_wants_alignment_check(vcpu)) {
		hvx_vcpu_inject_ac(vcpu);
		return 1;
	}
	/* A split-lock #AC from the host's own detection: the VMM decides. */
	return hvx_exit_unhandled(vcpu);
}

static int hvx_exit_mce_during_vmentry(struct hvx_vcpu *vcpu)
{
	/* Handled by hvx_handle_exit_irqoff(); the entry is retried. */
	return 1;
}

static int hvx_exit_preemption_timer(struct hvx_vcpu *vcpu)
{
	/* The slice is over: the run loop checks signals and reschedules. */
	return 1;
}

static int hvx_exit_triple_fault(struct hvx_vcpu *vcpu)
{
	vcpu->shutdown_reason = HVX_EXIT_SHUTDOWN;
	return hvx_exit_to_user(vcpu, HVX_EXIT_SHUTDOWN, 0, 0);
}

static int hvx_exit_cpuid(struct hvx_vcpu *vcpu)
{
	u32 out[4];

	hvx_cpuid_lookup(vcpu, vcpu->gprs[HVX_RAX], vcpu->gprs[HVX_RCX], out);
	vcpu->gprs[HVX_RAX] = out[0];
	vcpu->gprs[HVX_RBX] = out[1];
	vcpu->gprs[HVX_RCX] = out[2];
	vcpu->gprs[HVX_RDX] = out[3];
	hvx_vcpu_skip_insn(vcpu);
	return 1;
}

static int hvx_exit_xsetbv(struct hvx_vcpu *vcpu)
{
	u64 value = (u32)vcpu->gprs[HVX_RAX] | (vcpu->gprs[HVX_RDX] << 32);

	/* CR4.OSXSAVE off: the CPU raised #UD itself; this is for safety. */
	if (!(vcpu->cr4_shadow & X86_CR4_OSXSAVE) || !boot_cpu_has(X86_FEATURE_OSXSAVE)) {
		hvx_vcpu_inject_ud(vcpu);
		return 1;
	}
	/* The guest may only confirm the host's XCR0, which the FPU code uses. */
	if (vcpu->gprs[HVX_RCX] != XCR_XFEATURE_ENABLED_MASK ||
	    value != xgetbv(XCR_XFEATURE_ENABLED_MASK)) {
		hvx_vcpu_inject_gp(vcpu);
		return 1;
	}
	hvx_vcpu_skip_insn(vcpu);
	return 1;
}

/*
 * Instructions the guest may not run: VMX (no nested VMX), MONITOR/MWAIT
 * (not offered in CPUID, and MWAIT must never idle the host's CPU) and
 * RDPMC (the host's counters are not the guest's).
 */
static int hvx_exit_ud(struct hvx_vcpu *vcpu)
{
	hvx_vcpu_inject_ud(vcpu);
	return 1;
}

/*
 * INVD and WBINVD act on the host's caches, which a guest has no business
 * flushing (WBINVD can stall the CPU for milliseconds without an interrupt
 * window); guest memory is write-back and no device does DMA behind the
 * caches, so skipping them changes nothing the guest can observe.  KVM
 * does the same for VMs without assigned devices.
 */
static int hvx_exit_cache_flush(struct hvx_vcpu *vcpu)
{
	hvx_vcpu_skip_insn(vcpu);
	return 1;
}

static const hvx_exit_handler hvx_exit_handlers[HVX_NR_EXIT_REASONS] = {
	[EXIT_REASON_EXCEPTION_NMI]	= hvx_exit_exception_nmi,
	[EXIT_REASON_EXTERNAL_INTERRUPT] = hvx_exit_external_interrupt,
	[EXIT_REASON_TRIPLE_FAULT]	= hvx_exit_triple_fault,
	[EXIT_REASON_CPUID]		= hvx_exit_cpuid,
	[EXIT_REASON_HLT]		= hvx_exit_hlt,
	[EXIT_REASON_VMCALL]		= hvx_exit_vmcall,
	[EXIT_REASON_VMCLEAR]		= hvx_exit_ud,
	[EXIT_REASON_VMLAUNCH]		= hvx_exit_ud,
	[EXIT_REASON_VMPTRLD]		= hvx_exit_ud,
	[EXIT_REASON_VMPTRST]		= hvx_exit_ud,
	[EXIT_REASON_VMREAD]		= hvx_exit_ud,
	[EXIT_REASON_VMRESUME]		= hvx_exit_ud,
	[EXIT_REASON_VMWRITE]		= hvx_exit_ud,
	[EXIT_REASON_VMOFF]		= hvx_exit_ud,
	[EXIT_REASON_VMON]		= hvx_exit_ud,
	[EXIT_REASON_INVEPT]		= hvx_exit_ud,
	[EXIT_REASON_INVVPID]		= hvx_exit_ud,
	[EXIT_REASON_CR_ACCESS]		= hvx_exit_cr,
	[EXIT_REASON_DR_ACCESS]		= hvx_exit_dr,
	[EXIT_REASON_IO_INSTRUCTION]	= hvx_exit_io,
	[EXIT_REASON_MSR_READ]		= hvx_exit_rdmsr,
	[EXIT_REASON_MSR_WRITE]		= hvx_exit_wrmsr,
	[EXIT_REASON_EPT_VIOLATION]	= hvx_exit_ept_violation,
	[EXIT_REASON_APIC_ACCESS]	= hvx_exit_apic_access,
	[EXIT_REASON_APIC_WRITE]	= hvx_exit_apic_write,
	[EXIT_REASON_EOI_INDUCED]	= hvx_exit_eoi_induced,
	[EXIT_REASON_XSETBV]		= hvx_exit_xsetbv,
	[EXIT_REASON_MWAIT_INSTRUCTION]	= hvx_exit_ud,
	[EXIT_REASON_MONITOR_INSTRUCTION] = hvx_exit_ud,
	[EXIT_REASON_RDPMC]		= hvx_exit_ud,
	[EXIT_REASON_PREEMPTION_TIMER]	= hvx_exit_preemption_timer,
	[EXIT_REASON_INTERRUPT_WINDOW]	= hvx_exit_interrupt_window,
	[EXIT_REASON_MCE_DURING_VMENTRY] = hvx_exit_mce_during_vmentry,
	[EXIT_REASON_INVD]		= hvx_exit_cache_flush,
	[EXIT_REASON_WBINVD]		= hvx_exit_cache_flush,
};

int hvx_handle_exit(struct hvx_vcpu *vcpu)
{
	u32 basic = vcpu->exit_reason & 0xffff;

	if ((vcpu->exit_reason & VMX_EXIT_REASONS_FAILED_VMENTRY) &&
	    basic != EXIT_REASON_MCE_DURING_VMENTRY) {
		struct hvx_run *run = vcpu->run;

		/*
		 * The guest state failed the entry checks: it never ran.  The
		 * VMCS keeps its launch state (SDM "VM-Entry Failures During
		 * or After Loading Guest State"), so a corrected state can be
		 * entered with the same instruction as before.
		 */
		vcpu->shutdown_reason = HVX_EXIT_FAIL_ENTRY;
		run->exit_reason = HVX_EXIT_FAIL_ENTRY;
		run->fail_entry.hardware_entry_failure_reason = basic;
		run->fail_entry.padding = 0;
		run->fail_entry.qualification = vcpu->exit_qualification;
		return 0;
	}
	/*
	 * After a machine check during VM entry the entry never happened: the
	 * event it was to inject is still queued, and the IDT-vectoring field
	 * holds nothing of this entry.
	 */
	if (!(vcpu->exit_reason & VMX_EXIT_REASONS_FAILED_VMENTRY))
		hvx_irq_reinject(vcpu);
	if (basic >= HVX_NR_EXIT_REASONS || !hvx_exit_handlers[basic])
		return hvx_exit_unhandled(vcpu);
	vcpu->exit_counts[basic]++;
	return hvx_exit_handlers[basic](vcpu);
}

/* Finish an exit that userspace has answered; runs before the next entry. */
int hvx_complete_pending(struct hvx_vcpu *vcpu)
{
	struct hvx_run *run = vcpu->run;
	enum hvx_pending pending = vcpu->pending;
	struct hvx_mmio_insn insn;
	unsigned long val;
	u64 data = 0;

	vcpu->pending = HVX_PENDING_NONE;
	switch (pending) {
	case HVX_PENDING_NONE:
		return 1;
	case HVX_PENDING_IO_IN:
		memcpy(&data, (u8 *)run + HVX_IO_DATA_OFFSET, vcpu->pending_len);
		val = vcpu->gprs[HVX_RAX];
		if (vcpu->pending_len == 4)
			val = (u32)data;	/* 32-bit results clear bits 63:32 */
		else
			val = (val & ~((1UL << (vcpu->pending_len * 8)) - 1)) | data;
		vcpu->gprs[HVX_RAX] = val;
		hvx_vcpu_skip_insn(vcpu);
		return 1;
	case HVX_PENDING_MMIO_READ:
		memcpy(&insn, vcpu->pending_mmio, sizeof(insn));
		memcpy(&data, run->mmio.data, insn.size);
		hvx_mmio_finish_load(vcpu, &insn, data);
		return 1;
	case HVX_PENDING_MMIO_WRITE:
		hvx_vcpu_skip_bytes(vcpu, vcpu->pending_len);
		return 1;
	}
	return 1;
}
