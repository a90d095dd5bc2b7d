// SPDX-License-Identifier: GPL-2.0
/*
 * VMCS set-up: controls from the capability MSRs, host state, and the x86
 * reset state for a new vCPU.
 */
#define pr_fmt(fmt) "hvx: " fmt

#include <linux/gfp.h>
#include <linux/mm.h>
#include <asm/cpu_entry_area.h>
#include <asm/desc.h>
#include <asm/io.h>
#include <asm/msr.h>
#include <asm/segment.h>
#include <asm/special_insns.h>
#include <asm/trapnr.h>

#include "hvx.h"
#include "vmx_ops.h"

/* Every MSR access exits: one all-ones bitmap page serves every vCPU. */
static void *hvx_msr_bitmap;


int hvx_msr_bitmap_init(void)
{
	hvx_msr_bitmap = (void *)__get_free_page(GFP_KERNEL);
	if (!hvx_msr_bitmap)
		return -ENOMEM;
	memset(hvx_msr_bitmap, 0xff, PAGE_SIZE);
	return 0;
}

void hvx_msr_bitmap_free(void)
{
	free_page((unsigned long)hvx_msr_bitmap);
}

/* Host state that differs between CPUs; written after VMPTRLD on a new CPU. */
void hvx_vmcs_set_host_cpu_state(int cpu)
{
	struct desc_ptr gdt;
	unsigned long val;

	native_store_gdt(&gdt);
	vmcs_writel(HOST_GDTR_BASE, gdt.address);
	vmcs_writel(HOST_TR_BASE, (unsigned long)&get_cpu_entry_area(cpu)->tss.x86_tss);
	rdmsrl(MSR_IA32_SYSENTER_ESP, val);
	vmcs_writel(HOST_IA32_SYSENTER_ESP, val);
	rdmsrl(MSR_GS_BASE, val);
	vmcs_writel(HOST_GS_BASE, val);
}

static void hvx_vmcs_set_host_constant_state(void)
{
	struct desc_ptr idt;
	u64 val;

	vmcs_writel(HOST_CR0, read_cr0());
	vmcs_write16(HOST_CS_SELECTOR, __KERNEL_CS);
	vmcs_write16(HOST_SS_SELECTOR, __KERNEL_DS);
	vmcs_write16(HOST_DS_SELECTOR, 0);
	vmcs_write16(HOST_ES_SELECTOR, 0);
	vmcs_write16(HOST_FS_SELECTOR, 0);
	vmcs_write16(HOST_GS_SELECTOR, 0);
	vmcs_write16(HOST_TR_SELECTOR, GDT_ENTRY_TSS * 8);
	store_idt(&idt);
	vmcs_writel(HOST_IDTR_BASE, idt.address);
	vmcs_writel(HOST_RIP, (unsigned long)hvx_vmx_exit_point);

	rdmsrl(MSR_IA32_SYSENTER_CS, val);
	vmcs_write32(HOST_IA32_SYSENTER_CS, val);
	rdmsrl(MSR_IA32_SYSENTER_EIP, val);
	vmcs_writel(HOST_IA32_SYSENTER_EIP, val);
	rdmsrl(MSR_EFER, val);
	vmcs_write64(HOST_IA32_EFER, val);
	rdmsrl(MSR_IA32_CR_PAT, val);
	vmcs_write64(HOST_IA32_PAT, val);
}

static void set_segment(u32 sel, u32 base, u32 limit, u32 ar, u16 selector, u64 b,
			u32 l, u32 a)
{
	__hvx_vmwrite(sel, selector);
	__hvx_vmwrite(base, b);
	__hvx_vmwrite(limit, l);
	__hvx_vmwrite(ar, a);
}

/* The state of an x86 CPU after RESET, in real mode at 0xffff0. */
void hvx_vmcs_set_guest_reset_state(struct hvx_vcpu *vcpu)
{
	static const struct {
		u32 sel, base, limit, ar;
	} data_segs[] = {
		{ GUEST_DS_SELECTOR, GUEST_DS_BASE, GUEST_DS_LIMIT, GUEST_DS_AR_BYTES },
		{ GUEST_ES_SELECTOR, GUEST_ES_BASE, GUEST_ES_LIMIT, GUEST_ES_AR_BYTES },
		{ GUEST_FS_SELECTOR, GUEST_FS_BASE, GUEST_FS_LIMIT, GUEST_FS_AR_BYTES },
		{ GUEST_GS_SELECTOR, GUEST_GS_BASE, GUEST_GS_LIMIT, GUEST_GS_AR_BYTES },
		{ GUEST_SS_SELECTOR, GUEST_SS_BASE, GUEST_SS_LIMIT, GUEST_SS_AR_BYTES },
	};
	unsigned int i;

	set_segment(GUEST_CS_SELECTOR, GUEST_CS_BASE, GUEST_CS_LIMIT, GUEST_CS_AR_BYTES,
		    0xf000, 0xffff0000, 0xffff, 0x9b);
	for (i = 0; i < ARRAY_SIZE(data_segs); i++)
		set_segment(data_segs[i].sel, data_segs[i].base, data_segs[i].limit,
			    data_segs[i].ar, 0, 0, 0xffff, 0x93);
	set_segment(GUEST_LDTR_SELECTOR, GUEST_LDTR_BASE, GUEST_LDTR_LIMIT,
		    GUEST_LDTR_AR_BYTES, 0, 0, 0xffff, 0x82);
	set_segment(GUEST_TR_SELECTOR, GUEST_TR_BASE, GUEST_TR_LIMIT, GUEST_TR_AR_BYTES,
		    0, 0, 0xffff, 0x8b);
	vmcs_writel(GUEST_GDTR_BASE, 0);
	vmcs_write32(GUEST_GDTR_LIMIT, 0xffff);
	vmcs_writel(GUEST_IDTR_BASE, 0);
	vmcs_write32(GUEST_IDTR_LIMIT, 0xffff);

	vmcs_writel(GUEST_RFLAGS, X86_EFLAGS_FIXED);
	vmcs_writel(GUEST_RIP, 0xfff0);
	vmcs_writel(GUEST_RSP, 0);
	memset(vcpu->gprs, 0, sizeof(vcpu->gprs));
	vcpu->gprs[HVX_RDX] = 0x600;	/* family 6, as a reset leaves it */
	vcpu->cr2 = 0;

	vcpu->efer = 0;
	hvx_vcpu_set_cr0(vcpu, X86_CR0_CD | X86_CR0_NW | X86_CR0_ET);
	hvx_vcpu_set_cr4(vcpu, 0);
	vmcs_writel(GUEST_CR3, 0);
	vcpu->apic_base = APIC_DEFAULT_PHYS_BASE | MSR_IA32_APICBASE_ENABLE |
			  MSR_IA32_APICBASE_BSP;

	vmcs_writel(GUEST_DR7, 0x400);	/* DR7 after reset */
	vmcs_write64(GUEST_IA32_DEBUGCTL, 0);
	vmcs_write64(GUEST_IA32_PAT, 0x0007040600070406ULL);
	vmcs_write32(GUEST_SYSENTER_CS, 0);
	vmcs_writel(GUEST_SYSENTER_ESP, 0);
	vmcs_writel(GUEST_SYSENTER_EIP, 0);
	vmcs_write32(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE);
	vmcs_write32(GUEST_INTERRUPTIBILITY_INFO, 0);
	vmcs_writel(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, 0);
}

/* Called with the new VMCS current on this CPU. */
int hvx_vmcs_setup(struct hvx_vcpu *vcpu)
{
	u32 proc_ctls = hvx_caps.proc_ctls, proc_ctls2 = hvx_caps.proc_ctls2;

	if (vcpu->lapic.virtualized) {
		/* CR8 is the virtual TPR in the virtual-APIC page: no exits. */
		proc_ctls &= ~(CPU_BASED_CR8_LOAD_EXITING | CPU_BASED_CR8_STORE_EXITING);
		proc_ctls |= CPU_BASED_TPR_SHADOW;
		proc_ctls2 |= HVX_APICV_CTLS2;
		vmcs_write64(VIRTUAL_APIC_PAGE_ADDR, __pa(vcpu->lapic.regs));
		vmcs_write64(APIC_ACCESS_ADDR, page_to_phys(vcpu->vm->mem.apic_access_page));
		vmcs_write32(TPR_THRESHOLD, 0);
		vmcs_write64(EOI_EXIT_BITMAP0, 0);
		vmcs_write64(EOI_EXIT_BITMAP1, 0);
		vmcs_write64(EOI_EXIT_BITMAP2, 0);
		vmcs_write64(EOI_EXIT_BITMAP3, 0);
		vmcs_write16(GUEST_INTR_STATUS, 0);
	}
	vmcs_write32(PIN_BASED_VM_EXEC_CONTROL, hvx_caps.pin_ctls);
	vmcs_write32(CPU_BASED_VM_EXEC_CONTROL, proc_ctls);
	vcpu->proc_ctls = proc_ctls;
	vmcs_write32(SECONDARY_VM_EXEC_CONTROL, proc_ctls2);
	vmcs_write32(VM_EXIT_CONTROLS, hvx_caps.exit_ctls);
	vmcs_write32(VM_ENTRY_CONTROLS, hvx_caps.entry_ctls);
	/*
	 * #AC: its delivery can fault again forever with no instruction
	 * boundary for the host to take its CPU back (CVE-2015-5307).
	 * #MC: a machine check in guest context belongs to the host.
	 */
	vmcs_write32(EXCEPTION_BITMAP, BIT(X86_TRAP_AC) | BIT(X86_TRAP_MC));
	vmcs_write32(PAGE_FAULT_ERROR_CODE_MASK, 0);
	vmcs_write32(PAGE_FAULT_ERROR_CODE_MATCH, 0);
	vmcs_write32(CR3_TARGET_COUNT, 0);
	vmcs_write32(VM_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write32(VM_EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write32(VM_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write64(MSR_BITMAP, __pa(hvx_msr_bitmap));
	vmcs_write64(EPT_POINTER, hvx_mem_eptp(&vcpu->vm->mem));
	vmcs_write16(VIRTUAL_PROCESSOR_ID, vcpu->vpid);
	vmcs_write64(VMCS_LINK_POINTER, ~0ULL);
	vmcs_write64(TSC_OFFSET, 0);
	/*
	 * The host gets the CPU back at least once per slice even if no
	 * interrupt arrives, so signals and rescheduling are never starved.
	 */
	if (hvx_caps.pin_ctls & PIN_BASED_VMX_PREEMPTION_TIMER)
		vmcs_write32(VMX_PREEMPTION_TIMER_VALUE, hvx_caps.preemption_timer);
	/* hvx owns every CR0 and CR4 bit: guest reads see the shadows. */
	vmcs_writel(CR0_GUEST_HOST_MASK, ~0UL);
	vmcs_writel(CR4_GUEST_HOST_MASK, ~0UL);

	hvx_vmcs_set_host_constant_state();
	hvx_vmcs_set_guest_reset_state(vcpu);
	return 0;
}
