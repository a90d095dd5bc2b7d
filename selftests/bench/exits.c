// SPDX-License-Identifier: GPL-2.0
/*
 * Exit round trips in guest TSC ticks, hvx against KVM in the same run:
 *   exit_io_user       OUT to userspace and back
 *   exit_cpuid_kernel  CPUID handled in the kernel
 * The guest times ITERATIONS exits between two RDTSCs; the best of REPEATS
 * runs counts.  Prints "bench NAME hvx=N kvm=N ratio=R" (lower is better).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "vm.h"

#define ITERATIONS	10000
#define REPEATS		5

/* Ticks per exit, or 0 when the backend could not run it. */
static uint64_t measure(enum vm_backend backend, const char *start, const char *end)
{
	uint64_t best = 0;
	int r;

	for (r = 0; r < REPEATS; r++) {
		struct vm *vm = vm_create(backend, 2 << 20);
		struct vm_exit e;
		uint64_t ticks;

		if (!vm) {
			printf("# %s: cannot create a VM: %s\n", vm_backend_name[backend],
			       strerror(errno));
			return 0;
		}
		vm_load(vm, GUEST_CODE_GPA, start, end);
		if (vm_setup_real(vm, GUEST_CODE_GPA) ||
		    vm_set_gpr(vm, GPR_RCX, ITERATIONS)) {
			vm_destroy(vm);
			return 0;
		}
		do {
			if (vm_run(vm, &e)) {
				printf("# %s: RUN failed: %s\n", vm_backend_name[backend],
				       strerror(errno));
				vm_destroy(vm);
				return 0;
			}
		} while (e.kind == VM_EXIT_IO);
		if (e.kind != VM_EXIT_HLT) {
			printf("# %s: unexpected exit %u\n", vm_backend_name[backend],
			       e.raw_reason);
			vm_destroy(vm);
			return 0;
		}
		memcpy(&ticks, vm->mem + GUEST_MAILBOX_GPA, 8);
		ticks /= ITERATIONS;
		if (!best || ticks < best)
			best = ticks;
		vm_destroy(vm);
	}
	return best;
}

static void report(const char *name, const char *start, const char *end)
{
	uint64_t hvx = measure(VM_HVX, start, end);
	uint64_t kvm = measure(VM_KVM, start, end);

	if (hvx && kvm)
		printf("bench %s hvx=%llu kvm=%llu ratio=%.2f\n", name,
		       (unsigned long long)hvx, (unsigned long long)kvm,
		       (double)hvx / (double)kvm);
	else if (hvx)
		printf("bench %s hvx=%llu\n", name, (unsigned long long)hvx);
	else
		printf("# bench %s: hvx could not run\n", name);
}

int main(void)
{
	report("exit_io_user", guest_bench_out, guest_bench_out_end);
	report("exit_cpuid_kernel", guest_bench_cpuid, guest_bench_cpuid_end);
	return 0;
}
