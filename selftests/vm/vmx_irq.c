// SPDX-License-Identifier: GPL-2.0
/*
 * Interrupts from the in-kernel local APIC and I/O APIC reach a guest: the
 * APIC timer in its three modes, I/O APIC pins driven by HVX_IRQ_LINE from
 * the VMM (edge, level, masked, from another thread while the vCPU sleeps
 * in HLT), and an interrupt held back by IF=0 that arrives right after STI.
 * The guest is guest_irq in lib/guest_code.S.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#include "vm_harness.h"
#include "uapi/hvx.h"
#include "vm.h"
#include "apic_variants.h"

enum { MODE_ONESHOT = 1, MODE_PERIODIC, MODE_DEADLINE, MODE_PIN, MODE_WINDOW };
enum { PORT_DONE = 0x11, PORT_PIN = 0x12, PORT_READY = 0x13 };

#define REDIR_LEVEL	(1u << 15)
#define REDIR_MASKED	(1u << 16)

static struct vm *irq_vm(uint64_t mode, uint64_t rcx, uint64_t rdx, uint64_t rsi)
{
	struct vm *vm = vm_create(VM_HVX, 2 << 20);

	if (!vm)
		return NULL;
	vm_load(vm, GUEST_CODE_GPA, guest_irq, guest_irq_end);
	if (vm_setup_long(vm, GUEST_CODE_GPA) || vm_set_gpr(vm, GPR_RBX, mode) ||
	    vm_set_gpr(vm, GPR_RCX, rcx) || vm_set_gpr(vm, GPR_RDX, rdx) ||
	    vm_set_gpr(vm, GPR_RSI, rsi)) {
		vm_destroy(vm);
		return NULL;
	}
	return vm;
}

static uint32_t out_value(const struct vm_exit *e)
{
	uint32_t v = 0;

	memcpy(&v, e->data, e->size);
	return v;
}

static uint64_t guest_wait_ticks(struct vm *vm)
{
	uint64_t ticks;

	memcpy(&ticks, vm->mem + GUEST_MAILBOX_GPA, sizeof(ticks));
	return ticks;
}

static int set_line(struct vm *vm, uint32_t irq, uint32_t level)
{
	struct hvx_irq_level l = { .irq = irq, .level = level };

	return ioctl(vm->vm_fd, HVX_IRQ_LINE, &l);
}

/* Runs to the guest's report on PORT_DONE; returns its timer count. */
static long run_to_done(struct vm *vm)
{
	struct vm_exit e;

	if (vm_run(vm, &e) || e.kind != VM_EXIT_IO || e.port != PORT_DONE)
		return -1;
	return out_value(&e);
}

TEST_F(apic, oneshot_timer_wakes_hlt_after_its_count)
{
	struct vm *vm = irq_vm(MODE_ONESHOT, 5000, 0, 0);	/* 5 ms */
	struct vm_exit e;
	long khz;

	ASSERT_NE(NULL, vm);
	khz = ioctl(vm->dev_fd, HVX_GET_TSC_KHZ, 0);
	ASSERT_GT(khz, 0);
	/* The guest's STI;HLT sleeps in the kernel until the timer fires. */
	ASSERT_EQ(1, run_to_done(vm));
	EXPECT_GE(guest_wait_ticks(vm), (uint64_t)khz * 5);
	/* HLT with IF=0 is the one that comes back to the VMM. */
	ASSERT_EQ(0, vm_run(vm, &e));
	EXPECT_EQ(VM_EXIT_HLT, e.kind);
	vm_destroy(vm);
}

TEST_F(apic, periodic_timer_repeats_and_is_clamped)
{
	/* A 1-tick period (1 us) is held to the 200 us minimum. */
	struct vm *vm;
	long khz;

	/*
	 * Emulated, each 200 us tick (10,000 emulated instructions) costs
	 * two exits, the host's timer interrupt and the EOI, and an L1D
	 * flush before each entry: more than the period in the emulated
	 * host, where the guest then makes no progress (the host stays well).
	 */
	if (!variant->virtualized)
		SKIP(return, "emulated APIC: a 200 us tick outruns its exits in the emulated host");
	vm = irq_vm(MODE_PERIODIC, 1, 0, 0);
	ASSERT_NE(NULL, vm);
	khz = ioctl(vm->dev_fd, HVX_GET_TSC_KHZ, 0);
	ASSERT_GT(khz, 0);
	EXPECT_GE(run_to_done(vm), 5);
	EXPECT_GE(guest_wait_ticks(vm), (uint64_t)khz * 4 / 5);	/* 4 x 200 us */
	vm_destroy(vm);
}

TEST_F(apic, tsc_deadline_timer_fires_at_the_deadline)
{
	struct vm *vm = irq_vm(MODE_DEADLINE, 0, 0, 0);
	long khz;

	ASSERT_NE(NULL, vm);
	khz = ioctl(vm->dev_fd, HVX_GET_TSC_KHZ, 0);
	ASSERT_GT(khz, 0);
	ASSERT_EQ(0, vm_set_gpr(vm, GPR_RCX, (uint64_t)khz * 3));	/* 3 ms */
	ASSERT_EQ(1, run_to_done(vm));
	EXPECT_GE(guest_wait_ticks(vm), (uint64_t)khz * 3);
	vm_destroy(vm);
}

TEST_F(apic, edge_pin_delivers_once_per_rising_edge)
{
	struct vm *vm = irq_vm(MODE_PIN, 4, 0, 20000);
	struct vm_exit e;
	int edges = 0;

	ASSERT_NE(NULL, vm);
	ASSERT_EQ(0, vm_run(vm, &e));
	ASSERT_EQ(PORT_READY, e.port);
	ASSERT_EQ(0, set_line(vm, 4, 1));
	for (;;) {
		ASSERT_EQ(0, vm_run(vm, &e));
		ASSERT_EQ(VM_EXIT_IO, e.kind);
		if (e.port == PORT_DONE)
			break;
		ASSERT_EQ(PORT_PIN, e.port);
		EXPECT_EQ(++edges, out_value(&e));
		/* A second edge; after it the line just stays up. */
		if (edges == 1) {
			ASSERT_EQ(0, set_line(vm, 4, 0));
			ASSERT_EQ(0, set_line(vm, 4, 1));
		}
	}
	EXPECT_EQ(2, edges);
	vm_destroy(vm);
}

TEST_F(apic, level_pin_redelivers_until_lowered)
{
	struct vm *vm = irq_vm(MODE_PIN, 9, REDIR_LEVEL, 20000);
	struct vm_exit e;
	int count = 0;

	ASSERT_NE(NULL, vm);
	ASSERT_EQ(0, vm_run(vm, &e));
	ASSERT_EQ(PORT_READY, e.port);
	ASSERT_EQ(0, set_line(vm, 9, 1));
	for (;;) {
		ASSERT_EQ(0, vm_run(vm, &e));
		ASSERT_EQ(VM_EXIT_IO, e.kind);
		if (e.port == PORT_DONE)
			break;
		EXPECT_EQ(++count, out_value(&e));
		/* Still asserted at EOI: it comes again, until the VMM lowers it. */
		if (count == 3)
			ASSERT_EQ(0, set_line(vm, 9, 0));
	}
	EXPECT_EQ(3, count);
	vm_destroy(vm);
}

TEST_F(apic, masked_pin_delivers_nothing)
{
	struct vm *vm = irq_vm(MODE_PIN, 4, REDIR_MASKED, 20000);
	struct vm_exit e;

	ASSERT_NE(NULL, vm);
	ASSERT_EQ(0, vm_run(vm, &e));
	ASSERT_EQ(PORT_READY, e.port);
	ASSERT_EQ(0, set_line(vm, 4, 1));
	/* The first exit is the end-of-test timer, not the pin's handler. */
	EXPECT_EQ(1, run_to_done(vm));
	vm_destroy(vm);
}

struct raiser {
	struct vm *vm;
	int err;
};

static void *raise_later(void *arg)
{
	struct timespec delay = { .tv_nsec = 100 * 1000 * 1000 };
	struct raiser *r = arg;

	nanosleep(&delay, NULL);
	r->err = set_line(r->vm, 4, 1);
	return NULL;
}

TEST_F(apic, pin_from_another_thread_wakes_a_sleeping_vcpu)
{
	/* The end-of-test timer is 2 s away: the pin must come first. */
	struct vm *vm = irq_vm(MODE_PIN, 4, 0, 2000000);
	struct raiser r = { .vm = vm };
	struct vm_exit e;
	pthread_t t;

	ASSERT_NE(NULL, vm);
	ASSERT_EQ(0, vm_run(vm, &e));
	ASSERT_EQ(PORT_READY, e.port);
	ASSERT_EQ(0, pthread_create(&t, NULL, raise_later, &r));
	ASSERT_EQ(0, vm_run(vm, &e));
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(0, r.err);
	ASSERT_EQ(VM_EXIT_IO, e.kind);
	EXPECT_EQ(PORT_PIN, e.port);
	EXPECT_EQ(1, out_value(&e));
	vm_destroy(vm);
}

TEST_F(apic, interrupt_held_by_if_arrives_right_after_sti)
{
	struct vm *vm = irq_vm(MODE_WINDOW, 0, 0, 0);
	long khz;

	ASSERT_NE(NULL, vm);
	khz = ioctl(vm->dev_fd, HVX_GET_TSC_KHZ, 0);
	ASSERT_GT(khz, 0);
	/* 10 ms with IF=0: the 1-tick timer is long pending by then. */
	ASSERT_EQ(0, vm_set_gpr(vm, GPR_RCX, (uint64_t)khz * 10));
	EXPECT_EQ(1, run_to_done(vm));
	vm_destroy(vm);
}

TEST(irq_line_rejects_bad_arguments)
{
	struct vm *vm = vm_create(VM_HVX, 2 << 20);

	ASSERT_NE(NULL, vm);
	EXPECT_EQ(-1, set_line(vm, HVX_IOAPIC_PINS, 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, set_line(vm, 0, 2));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(vm->vm_fd, HVX_IRQ_LINE, NULL));
	EXPECT_EQ(EFAULT, errno);
	/* No vCPU yet: the line is recorded, nothing is delivered, no crash. */
	EXPECT_EQ(0, set_line(vm, 4, 1));
	EXPECT_EQ(-1, ioctl(vm->dev_fd, HVX_GET_TSC_KHZ, 1));
	EXPECT_EQ(EINVAL, errno);
	vm_destroy(vm);
}

TEST_HARNESS_MAIN
