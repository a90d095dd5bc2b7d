// SPDX-License-Identifier: GPL-2.0
/* Exits that end a guest: triple fault, invalid guest state, signals. */
#include <errno.h>
#include <stdint.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vm_harness.h"
#include "uapi/hvx.h"
#include "vm.h"

TEST(stats_count_exits_by_reason)
{
	struct vm *vm = vm_create(VM_HVX, 2 << 20);
	struct hvx_vcpu_stats stats;
	unsigned int eax, edx;

	ASSERT_NE(NULL, vm);
	ASSERT_EQ(0, ioctl(vm->vcpu_fd, HVX_GET_STATS, &stats));
	EXPECT_EQ(0, stats.first_entry_tsc);
	EXPECT_EQ(0, stats.exits[30]);
	ASSERT_EQ(10000, vm_run_out_loop(vm));
	ASSERT_EQ(0, ioctl(vm->vcpu_fd, HVX_GET_STATS, &stats));
	__asm__ volatile("rdtsc" : "=a"(eax), "=d"(edx));
	EXPECT_NE(0, stats.first_entry_tsc);
	EXPECT_LT(stats.first_entry_tsc, ((uint64_t)edx << 32) | eax);
	EXPECT_EQ(10000, stats.exits[30]);	/* I/O instruction */
	EXPECT_EQ(1, stats.exits[12]);		/* the final HLT */
	EXPECT_EQ(-1, ioctl(vm->vcpu_fd, HVX_GET_STATS, NULL));
	EXPECT_EQ(EFAULT, errno);
	vm_destroy(vm);
}

TEST(triple_fault_is_shutdown)
{
	struct vm *vm = vm_create(VM_HVX, 2 << 20);
	struct vm_exit e;

	ASSERT_NE(NULL, vm);
	vm_load(vm, GUEST_CODE_GPA, guest_triple_fault, guest_triple_fault_end);
	ASSERT_EQ(0, vm_setup_real(vm, GUEST_CODE_GPA));
	ASSERT_EQ(0, vm_run(vm, &e));
	EXPECT_EQ(VM_EXIT_SHUTDOWN, e.kind);
	vm_destroy(vm);
}

TEST(invalid_guest_state_fails_entry)
{
	struct vm *vm = vm_create(VM_HVX, 2 << 20);
	struct hvx_sregs s;
	struct vm_exit e;

	ASSERT_NE(NULL, vm);
	vm_load(vm, GUEST_CODE_GPA, guest_out_loop, guest_out_loop_end);
	ASSERT_EQ(0, vm_setup_real(vm, GUEST_CODE_GPA));
	ASSERT_EQ(0, ioctl(vm->vcpu_fd, HVX_GET_SREGS, &s));
	/* A TR that is not a busy TSS passes SET_SREGS but not VM entry. */
	s.tr.type = 1;
	ASSERT_EQ(0, ioctl(vm->vcpu_fd, HVX_SET_SREGS, &s));
	ASSERT_EQ(0, vm_run(vm, &e));
	ASSERT_EQ(VM_EXIT_FAIL_ENTRY, e.kind);
	EXPECT_EQ(33, e.hw_reason);	/* invalid guest state */

	/* Fixing the state lets the same vCPU run. */
	s.tr.type = 0xb;
	ASSERT_EQ(0, ioctl(vm->vcpu_fd, HVX_SET_SREGS, &s));
	ASSERT_EQ(0, vm_run(vm, &e));
	EXPECT_EQ(VM_EXIT_IO, e.kind);
	vm_destroy(vm);
}

static void on_alarm(int sig)
{
}

TEST(signal_interrupts_run)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct itimerval t = { .it_value = { .tv_usec = 200000 } };
	struct vm *vm = vm_create(VM_HVX, 2 << 20);
	struct hvx_run *run;

	ASSERT_NE(NULL, vm);
	run = vm->run;
	vm_load(vm, GUEST_CODE_GPA, guest_spin, guest_spin_end);
	ASSERT_EQ(0, vm_setup_real(vm, GUEST_CODE_GPA));
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	ASSERT_EQ(0, setitimer(ITIMER_REAL, &t, NULL));
	EXPECT_EQ(-1, ioctl(vm->vcpu_fd, HVX_RUN, 0));
	EXPECT_EQ(EINTR, errno);

	/* immediate_exit returns at once, without entering the guest. */
	run->immediate_exit = 1;
	EXPECT_EQ(-1, ioctl(vm->vcpu_fd, HVX_RUN, 0));
	EXPECT_EQ(EINTR, errno);
	vm_destroy(vm);
}

/*
 * A spinning guest must not starve the host: on the emulated host's single
 * CPU, a second process that wakes every 10 ms must keep running while the
 * vCPU thread is in HVX_RUN.
 */
static void check_host_tasks_run(struct __test_metadata *_metadata,
				 const char *code, const char *code_end)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct itimerval t = { .it_value = { .tv_sec = 1 } };
	volatile int *ticks = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct vm *vm;
	pid_t child;

	ASSERT_NE(MAP_FAILED, (void *)ticks);
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		for (;;) {
			usleep(10000);
			(*ticks)++;
		}
	}
	vm = vm_create(VM_HVX, 2 << 20);
	ASSERT_NE(NULL, vm);
	vm_load(vm, GUEST_CODE_GPA, code, code_end);
	ASSERT_EQ(0, vm_setup_real(vm, GUEST_CODE_GPA));
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	*ticks = 0;
	ASSERT_EQ(0, setitimer(ITIMER_REAL, &t, NULL));
	EXPECT_EQ(-1, ioctl(vm->vcpu_fd, HVX_RUN, 0));
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	TH_LOG("the other process woke %d times in 1 s", *ticks);
	/* 100 wake-ups at most; half of them is a generous floor. */
	EXPECT_LE(50, *ticks);
	vm_destroy(vm);
}

/*
 * A spinning guest must not starve the host: on the emulated host's single
 * CPU, a second process that wakes every 10 ms must keep running while the
 * vCPU thread is in HVX_RUN, whether the guest has interrupts off or on.
 */
TEST(host_tasks_run_while_guest_spins)
{
	check_host_tasks_run(_metadata, guest_spin, guest_spin_end);
}

TEST(host_tasks_run_while_guest_spins_with_if)
{
	check_host_tasks_run(_metadata, guest_spin_sti, guest_spin_sti_end);
}

TEST_HARNESS_MAIN
