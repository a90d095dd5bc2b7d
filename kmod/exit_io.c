// SPDX-License-Identifier: GPL-2.0
/* Port I/O exits: every port belongs to userspace for now. */
#define pr_fmt(fmt) "hvx: " fmt

#include <linux/kernel.h>
#include <linux/string.h>

#include "hvx.h"
#include "vmx_ops.h"

#define IO_QUAL_SIZE(q)		(((q) & 7) + 1)
#define IO_QUAL_IN		BIT(3)
#define IO_QUAL_STRING		BIT(4)
#define IO_QUAL_PORT(q)		(((q) >> 16) & 0xffff)

int hvx_exit_io(struct hvx_vcpu *vcpu)
{
	u64 qual = vcpu->exit_qualification;
	struct hvx_run *run = vcpu->run;
	unsigned int size = IO_QUAL_SIZE(qual);
	unsigned long rax = vcpu->gprs[HVX_RAX];

	/* String I/O (INS/OUTS) is not emulated yet. */
	if (qual & IO_QUAL_STRING)
		return hvx_exit_to_user(vcpu, HVX_EXIT_INTERNAL_ERROR,
					HVX_INTERNAL_ERROR_EMULATION, 0);

	run->exit_reason = HVX_EXIT_IO;
	run->io.direction = (qual & IO_QUAL_IN) ? HVX_EXIT_IO_IN : HVX_EXIT_IO_OUT;
	run->io.size = size;
	run->io.port = IO_QUAL_PORT(qual);
	run->io.count = 1;
	run->io.data_offset = HVX_IO_DATA_OFFSET;
	if (qual & IO_QUAL_IN) {
		memset((u8 *)run + HVX_IO_DATA_OFFSET, 0, 8);
		vcpu->pending = HVX_PENDING_IO_IN;
		vcpu->pending_len = size;
	} else {
		memcpy((u8 *)run + HVX_IO_DATA_OFFSET, &rax, size);
		hvx_vcpu_skip_insn(vcpu);
	}
	return 0;
}
