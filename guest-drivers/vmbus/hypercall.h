/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's half of an hvx hypercall (ABI in kmod/uapi/hvx_vmbus.h).
 * Only valid at CPL 0 inside an hvx guest: elsewhere VMCALL raises #UD.
 */
#ifndef HVX_GUEST_HYPERCALL_H
#define HVX_GUEST_HYPERCALL_H

/*
 * Returns what the host left in RAX: 0, a result, or a negative errno.
 * The "memory" clobber because the host reads and writes guest memory
 * that the arguments point to (messages, open requests, the event page).
 */
static inline long hvx_hypercall(unsigned long nr, unsigned long arg)
{
	long ret;

	asm volatile("vmcall"
		     : "=a" (ret)
		     : "a" (nr), "b" (arg)
		     : "memory");
	return ret;
}

#endif /* HVX_GUEST_HYPERCALL_H */
