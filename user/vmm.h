/* SPDX-License-Identifier: GPL-2.0 */
/* A VM on /dev/hvx as the tool uses it: one vCPU, one RAM slot at 0. */
#ifndef HVX_VMM_H
#define HVX_VMM_H

#include <stddef.h>
#include <stdint.h>

#include "loader.h"
#include "uapi/hvx.h"

struct vmm {
	int dev_fd, vm_fd, vcpu_fd;
	struct hvx_run *run;
	uint8_t *ram;
	uint64_t ram_size;
};

/* Opens /dev/hvx: the fd, or -errno. */
int vmm_open_device(void);
/*
 * Creates the VM on @dev_fd (what vmm_open_device() returned: a failure
 * to open is reported here; the VM owns the fd from now on) with @ram
 * (the caller's anonymous mapping, which must outlive the VM) as its
 * memory, and its vCPU with the CPUID policy of cpuid.h for this host: 0,
 * or -errno with a one-line reason in @err.
 */
int vmm_create(struct vmm *vmm, int dev_fd, uint8_t *ram, uint64_t ram_size, char *err,
	       size_t errlen);
void vmm_destroy(struct vmm *vmm);
/* Sets the vCPU up for the kernel the loader placed. */
int vmm_set_boot_state(struct vmm *vmm, const struct loader_result *boot);

#endif
