// SPDX-License-Identifier: GPL-2.0
/*
 * Hypercalls: VMCALL with the call number in RAX and the argument in RBX,
 * the result in RAX (uapi/hvx_vmbus.h).  They are handled here, in the
 * vCPU's thread, without a trip to userspace: a channel signal costs one
 * exit and a wake-up.
 */
#define pr_fmt(fmt) "hvx: " fmt

#include <linux/errno.h>
#include <asm/vmx.h>

#include "hvx.h"
#include "vmx_ops.h"
#include "vmbus/vmbus.h"

#define VMX_AR_DPL_SHIFT	5

/* The CPL is the stack segment's DPL, in every mode VMX runs a guest in. */
static unsigned int hvx_guest_cpl(void)
{
	return (vmcs_read32(GUEST_SS_AR_BYTES) >> VMX_AR_DPL_SHIFT) & 3;
}

int hvx_exit_vmcall(struct hvx_vcpu *vcpu)
{
	unsigned long nr = hvx_vcpu_get_gpr(vcpu, HVX_RAX);
	unsigned long arg = hvx_vcpu_get_gpr(vcpu, HVX_RBX);
	long ret;

	/* The channel bus's hypercalls read and write host memory. */
	hvx_spec_note_host_work(vcpu);
	/* The guest kernel's bus, not its processes, talks to the host. */
	if (hvx_guest_cpl())
		ret = -EPERM;
	else
		ret = hvx_vmbus_hypercall(vcpu->vm, nr, arg);
	hvx_vcpu_set_gpr(vcpu, HVX_RAX, ret);
	hvx_vcpu_skip_insn(vcpu);
	return 1;
}
