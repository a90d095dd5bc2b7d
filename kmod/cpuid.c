// SPDX-License-Identifier: GPL-2.0
/* The CPUID policy that userspace sets, and the leaves hvx always owns. */
#define pr_fmt(fmt) "hvx: " fmt

#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "hvx.h"

#define HVX_CPUID_SIG_LEAF	0x40000000
#define HVX_CPUID_MAX_LEAF	0x40000001
#define CPUID_1_ECX_OSXSAVE	BIT(27)
#define CPUID_1_ECX_HYPERVISOR	BIT(31)

/* Two entries that a lookup could both match leave the answer to their order. */
static bool cpuid_entries_clash(const struct hvx_cpuid_entry *a,
				const struct hvx_cpuid_entry *b)
{
	if (a->function != b->function)
		return false;
	if (!(a->flags & HVX_CPUID_FLAG_SIGNIFICANT_INDEX) ||
	    !(b->flags & HVX_CPUID_FLAG_SIGNIFICANT_INDEX))
		return true;
	return a->index == b->index;
}

int hvx_cpuid_set(struct hvx_vcpu *vcpu, struct hvx_cpuid __user *arg)
{
	struct hvx_cpuid_entry *entries;
	struct hvx_cpuid head;
	u32 i;

	if (copy_from_user(&head, arg, sizeof(head)))
		return -EFAULT;
	if (head.padding)
		return -EINVAL;
	if (head.nent > HVX_MAX_CPUID_ENTRIES)
		return -E2BIG;

	entries = memdup_user(arg->entries, array_size(head.nent, sizeof(*entries)));
	if (IS_ERR(entries))
		return PTR_ERR(entries);
	for (i = 0; i < head.nent; i++) {
		u32 j;

		if (entries[i].flags & ~HVX_CPUID_FLAGS_MASK ||
		    entries[i].reserved[0] || entries[i].reserved[1] ||
		    entries[i].reserved[2])
			goto invalid;
		for (j = 0; j < i; j++)
			if (cpuid_entries_clash(&entries[i], &entries[j]))
				goto invalid;
	}
	kfree(vcpu->cpuid);
	vcpu->cpuid = entries;
	vcpu->cpuid_nent = head.nent;
	return 0;

invalid:
	kfree(entries);
	return -EINVAL;
}

void hvx_cpuid_lookup(struct hvx_vcpu *vcpu, u32 function, u32 index, u32 out[4])
{
	static const char sig[12] = HVX_CPUID_SIGNATURE;
	u32 i;

	memset(out, 0, 4 * sizeof(u32));
	if (function == HVX_CPUID_SIG_LEAF) {
		out[0] = HVX_CPUID_MAX_LEAF;
		memcpy(&out[1], sig, sizeof(sig));
		return;
	}
	for (i = 0; i < vcpu->cpuid_nent; i++) {
		const struct hvx_cpuid_entry *e = &vcpu->cpuid[i];

		if (e->function != function)
			continue;
		if ((e->flags & HVX_CPUID_FLAG_SIGNIFICANT_INDEX) && e->index != index)
			continue;
		out[0] = e->eax;
		out[1] = e->ebx;
		out[2] = e->ecx;
		out[3] = e->edx;
		break;
	}
	if (function == 1) {
		out[2] |= CPUID_1_ECX_HYPERVISOR;
		/* OSXSAVE mirrors CR4 as hardware does, if XSAVE is offered. */
		out[2] &= ~CPUID_1_ECX_OSXSAVE;
		if (vcpu->cr4_shadow & X86_CR4_OSXSAVE)
			out[2] |= CPUID_1_ECX_OSXSAVE;
	}
}
