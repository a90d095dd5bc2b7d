// SPDX-License-Identifier: GPL-2.0
/*
 * EPT violations: either guest RAM not mapped yet (map it and resume) or an
 * access that userspace emulates (MMIO, or a write to a read-only slot).
 * For the latter hvx decodes the instruction at the guest's RIP, read
 * through the guest's own page tables from guest memory.
 */
#define pr_fmt(fmt) "hvx: " fmt

#include <linux/kernel.h>
#include <linux/string.h>

#include "emulate/emulate.h"
#include "hvx.h"
#include "vmx_ops.h"

#define CS_AR_L	BIT(13)
#define CS_AR_DB	BIT(14)

static enum hvx_cpu_mode hvx_cpu_mode(struct hvx_vcpu *vcpu)
{
	u32 cs_ar;

	if (!(vcpu->cr0_shadow & X86_CR0_PE))
		return HVX_MODE_REAL;
	if (vmcs_readl(GUEST_RFLAGS) & X86_EFLAGS_VM)
		return HVX_MODE_REAL;
	cs_ar = vmcs_read32(GUEST_CS_AR_BYTES);
	if ((vcpu->efer & EFER_LMA) && (cs_ar & CS_AR_L))
		return HVX_MODE_LONG64;
	return (cs_ar & CS_AR_DB) ? HVX_MODE_PROT32 : HVX_MODE_PROT16;
}

static int hvx_read_pte(void *ctx, u64 gpa, unsigned int size, u64 *pte)
{
	struct hvx_vcpu *vcpu = ctx;

	*pte = 0;
	return hvx_mem_read(&vcpu->vm->mem, gpa, pte, size) ? -1 : 0;
}

/* Copies up to @len bytes at guest linear @gla; returns how many it got. */
static unsigned int hvx_fetch(struct hvx_vcpu *vcpu, u64 gla, u8 *buf, unsigned int len)
{
	struct hvx_walk_regs regs = {
		.cr0 = vcpu->cr0_shadow,
		.cr3 = vmcs_readl(GUEST_CR3),
		.cr4 = vcpu->cr4_shadow,
		.efer = vcpu->efer,
	};
	unsigned int done = 0;

	while (done < len) {
		unsigned int chunk = min_t(unsigned int, len - done,
					   PAGE_SIZE - ((gla + done) & ~PAGE_MASK));
		u64 gpa;

		if (hvx_guest_walk(&regs, gla + done, HVX_WALK_FETCH, hvx_read_pte,
				   vcpu, &gpa))
			break;
		if (hvx_mem_read(&vcpu->vm->mem, gpa, buf + done, chunk))
			break;
		done += chunk;
	}
	return done;
}

/* The data a decoded MMIO store writes (its low insn->size bytes count). */
static u64 hvx_mmio_store_data(struct hvx_vcpu *vcpu, const struct hvx_mmio_insn *insn)
{
	if (insn->op == HVX_MMIO_STORE_IMM)
		return insn->imm;
	return hvx_mmio_store_value(insn, hvx_vcpu_get_gpr(vcpu, insn->reg));
}

/* Ends a decoded MMIO load that read @data: the register gets it, RIP moves on. */
void hvx_mmio_finish_load(struct hvx_vcpu *vcpu, const struct hvx_mmio_insn *insn, u64 data)
{
	u64 gpr = hvx_vcpu_get_gpr(vcpu, insn->reg);

	hvx_mmio_apply_load(insn, data, &gpr);
	hvx_vcpu_set_gpr(vcpu, insn->reg, gpr);
	hvx_vcpu_skip_bytes(vcpu, insn->len);
}

/* The local APIC and the I/O APIC answer in the kernel: no trip to the VMM. */
static int hvx_mmio_in_kernel(struct hvx_vcpu *vcpu, u64 gpa, const struct hvx_mmio_insn *insn)
{
	bool lapic = hvx_lapic_is_mmio(gpa);
	u64 val;

	if (insn->op == HVX_MMIO_LOAD) {
		val = lapic ? hvx_lapic_mmio_read(&vcpu->lapic, gpa, insn->size) :
			      hvx_ioapic_mmio_read(vcpu->vm, gpa, insn->size);
		hvx_mmio_finish_load(vcpu, insn, val);
		return 1;
	}
	val = hvx_mmio_store_data(vcpu, insn);
	if (lapic)
		hvx_lapic_mmio_write(&vcpu->lapic, gpa, insn->size, val);
	else
		hvx_ioapic_mmio_write(vcpu->vm, gpa, insn->size, val);
	hvx_vcpu_skip_bytes(vcpu, insn->len);
	return 1;
}

/* Emulates the instruction at RIP, which accessed MMIO at @gpa. */
int hvx_emulate_mmio(struct hvx_vcpu *vcpu, u64 gpa)
{
	u8 bytes[HVX_INSN_MAX_LEN];
	struct hvx_mmio_insn insn;
	struct hvx_run *run = vcpu->run;
	unsigned int got;
	u64 gla, val;

	gla = vmcs_readl(GUEST_CS_BASE) + vmcs_readl(GUEST_RIP);
	if (hvx_cpu_mode(vcpu) != HVX_MODE_LONG64)
		gla = (u32)gla;
	got = hvx_fetch(vcpu, gla, bytes, sizeof(bytes));
	if (!got)
		return hvx_exit_to_user(vcpu, HVX_EXIT_INTERNAL_ERROR,
					HVX_INTERNAL_ERROR_GUEST_MEMORY, gpa);
	if (hvx_mmio_decode(bytes, got, hvx_cpu_mode(vcpu), &insn))
		return hvx_exit_to_user(vcpu, HVX_EXIT_INTERNAL_ERROR,
					HVX_INTERNAL_ERROR_EMULATION, gpa);
	if (hvx_lapic_is_mmio(gpa) || hvx_ioapic_is_mmio(gpa))
		return hvx_mmio_in_kernel(vcpu, gpa, &insn);

	run->exit_reason = HVX_EXIT_MMIO;
	run->mmio.phys_addr = gpa;
	run->mmio.len = insn.size;
	memset(run->mmio.data, 0, sizeof(run->mmio.data));
	memset(run->mmio.padding, 0, sizeof(run->mmio.padding));
	if (insn.op == HVX_MMIO_LOAD) {
		run->mmio.is_write = 0;
		BUILD_BUG_ON(sizeof(insn) > sizeof(vcpu->pending_mmio));
		memcpy(vcpu->pending_mmio, &insn, sizeof(insn));
		vcpu->pending = HVX_PENDING_MMIO_READ;
		return 0;
	}
	val = hvx_mmio_store_data(vcpu, &insn);
	run->mmio.is_write = 1;
	memcpy(run->mmio.data, &val, insn.size);
	vcpu->pending = HVX_PENDING_MMIO_WRITE;
	vcpu->pending_len = insn.len;
	return 0;
}

int hvx_exit_ept_violation(struct hvx_vcpu *vcpu)
{
	u64 gpa = vmcs_read64(GUEST_PHYSICAL_ADDRESS);
	int ret;

	/* Page tables, pinning, instruction fetch: host data in the L1D. */
	hvx_spec_note_host_work(vcpu);
	ret = hvx_mem_handle_ept_violation(&vcpu->vm->mem, gpa, vcpu->exit_qualification);
	if (ret < 0)
		return ret;
	if (ret == HVX_EPT_FAULT_MAPPED)
		return 1;
	/*
	 * The access was the CPU's own, delivering an event (IDT, stack,
	 * TSS), not the instruction at RIP's: decoding that instruction
	 * would emulate an access it never made.
	 */
	if (vmcs_read32(IDT_VECTORING_INFO_FIELD) & VECTORING_INFO_VALID_MASK)
		return hvx_exit_to_user(vcpu, HVX_EXIT_INTERNAL_ERROR,
					HVX_INTERNAL_ERROR_DELIVERY, gpa);
	return hvx_emulate_mmio(vcpu, gpa);
}
