// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile guest: hypercalls (kmod/exit_vmcall.c, kmod/vmbus/control.c,
 * uapi/hvx_vmbus.h).  Random call numbers and arguments, the bus's calls
 * with addresses outside RAM, unaligned or in MMIO and child ids out of
 * range, in a bad order, and every call at CPL 3.  Each returns 0, a
 * result or a negative errno, the documented one where there is one.
 */
#include <errno.h>
#include <stdint.h>

#include "vm_harness.h"
#include "uapi/hvx_vmbus.h"
#include "guest.h"
#include "host_health.h"
#include "vm.h"

/* A page of the guest's that the host may write (events, messages). */
#define SCRATCH_GPA	(GUEST_USER_GPA + 0x100000)

static int64_t vmcall(uint64_t nr, uint64_t arg)
{
	int64_t ret;

	asm volatile("vmcall" : "=a"(ret) : "a"(nr), "b"(arg) : "memory");
	return ret;
}

static int is_errno(int64_t ret)
{
	return ret < 0 && ret >= -4095;
}

static int is_bus_call(uint64_t nr)
{
	return nr >= HVX_HC_VMBUS_CONNECT && nr <= HVX_HC_VMBUS_SIGNAL;
}

/* Arguments: addresses that are not RAM, unaligned, MMIO, huge; ids. */
static uint64_t nasty_arg(uint64_t r)
{
	static const uint64_t args[] = {
		0, 1, 7, 8, 0xfff, 0x1000, SCRATCH_GPA, SCRATCH_GPA + 1, SCRATCH_GPA + 8,
		GUEST_MEM_SIZE, GUEST_MEM_SIZE - 8, GUEST_MEM_SIZE - 4096, GUEST_MMIO_GPA,
		GUEST_LAPIC_GPA, GUEST_IOAPIC_GPA, 1ULL << 40, 1ULL << 52, 1ULL << 63,
		~0ULL, ~0ULL - 4095, 255, 256, 0x7fffffff, 0x80000000, 0xffffffff,
	};
	const unsigned int n = sizeof(args) / sizeof(args[0]);
	unsigned int i = (r >> 8) % (n + 1);

	/* One in n + 1: fully random, almost never RAM. */
	return i < n ? args[i] : r;
}

#define RANDOM_HCALLS	20000

static void guest_random_hypercalls(uint64_t seed)
{
	uint64_t rng = seed;
	unsigned int i;

	for (i = 0; i < RANDOM_HCALLS; i++) {
		uint64_t r = guest_rand(&rng), nr, arg;
		int64_t ret;

		switch (r & 3) {
		case 0: nr = guest_rand(&rng); break;
		case 1: nr = (r >> 4) & 0x1ff; break;
		default: nr = HVX_HC_VMBUS_CONNECT + (r >> 4) % 8; break;
		}
		/* A RAM address the host may write: only the scratch page. */
		arg = nasty_arg(guest_rand(&rng));
		if (arg < GUEST_MEM_SIZE && (arg & ~0xfffULL) != SCRATCH_GPA)
			arg = (r & 0x10) ? arg | (1ULL << 36) : (arg & 0xff);
		ret = vmcall(nr, arg);
		if (!is_bus_call(nr))
			GUEST_ASSERT_EQ3(-EOPNOTSUPP, ret, nr);
		else
			GUEST_ASSERT_EQ3(1, ret >= 0 || is_errno(ret), nr);
	}
	/* Leave the bus as found. */
	vmcall(HVX_HC_VMBUS_DISCONNECT, 0);
}

TEST(random_hypercalls)
{
	GUEST_RUN_TO_DONE(guest_random_hypercalls, 0xabcdef0123456789ULL);
}

static int no_msg_or_fault(int64_t ret)
{
	return ret == -ENOMSG || ret == -EFAULT;
}

/* The bus's calls with their documented errors, in a bad order. */
static void guest_bus_abuse(uint64_t unused)
{
	static const uint64_t ids[] = { 0, 1, 2, 255, 256, 0x10000, ~0ULL };
	unsigned int i;

	/* Nothing is connected yet. */
	GUEST_ASSERT(is_errno(vmcall(HVX_HC_VMBUS_RECV_MSG, SCRATCH_GPA)));
	GUEST_ASSERT_EQ(-EINVAL, vmcall(HVX_HC_VMBUS_CONNECT, SCRATCH_GPA + 8));
	GUEST_ASSERT_EQ(-EFAULT, vmcall(HVX_HC_VMBUS_CONNECT, GUEST_MEM_SIZE));
	GUEST_ASSERT_EQ(-EFAULT, vmcall(HVX_HC_VMBUS_CONNECT, GUEST_MMIO_GPA));
	GUEST_ASSERT_EQ(-EFAULT, vmcall(HVX_HC_VMBUS_CONNECT, GUEST_LAPIC_GPA));
	GUEST_ASSERT_EQ(-EFAULT, vmcall(HVX_HC_VMBUS_CONNECT, 1ULL << 52));
	GUEST_ASSERT_EQ(0, vmcall(HVX_HC_VMBUS_DISCONNECT, 0));
	GUEST_ASSERT_EQ(HVX_VMBUS_VERSION, vmcall(HVX_HC_VMBUS_CONNECT, SCRATCH_GPA));
	/* Again: a reconnection, which lets go of the first pin. */
	GUEST_ASSERT_EQ(HVX_VMBUS_VERSION, vmcall(HVX_HC_VMBUS_CONNECT, SCRATCH_GPA));
	GUEST_ASSERT_EQ(-EINVAL, vmcall(HVX_HC_VMBUS_RECV_MSG, SCRATCH_GPA + 4));
	/* With no message to write, hvx need not look at the address. */
	GUEST_ASSERT(no_msg_or_fault(vmcall(HVX_HC_VMBUS_RECV_MSG, GUEST_MMIO_GPA)));
	GUEST_ASSERT(no_msg_or_fault(vmcall(HVX_HC_VMBUS_RECV_MSG, GUEST_MEM_SIZE - 8)));
	GUEST_ASSERT_EQ(-EFAULT, vmcall(HVX_HC_VMBUS_OPEN, GUEST_MMIO_GPA));
	GUEST_ASSERT_EQ(-EINVAL, vmcall(HVX_HC_VMBUS_OPEN, SCRATCH_GPA + 4));
	/* A request whose header crosses into the next page. */
	GUEST_ASSERT(is_errno(vmcall(HVX_HC_VMBUS_OPEN, SCRATCH_GPA + 4096 - 8)));
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		GUEST_ASSERT_EQ3(1, is_errno(vmcall(HVX_HC_VMBUS_CLOSE, ids[i])), ids[i]);
		GUEST_ASSERT_EQ3(1, is_errno(vmcall(HVX_HC_VMBUS_RELEASE, ids[i])), ids[i]);
		GUEST_ASSERT_EQ3(1, is_errno(vmcall(HVX_HC_VMBUS_SIGNAL, ids[i])), ids[i]);
	}
	GUEST_ASSERT_EQ(0, vmcall(HVX_HC_VMBUS_DISCONNECT, 0));
	GUEST_ASSERT(vmcall(HVX_HC_VMBUS_DISCONNECT, 0) <= 0);
	/* The number is all 64 bits of RAX. */
	GUEST_ASSERT_EQ(-EOPNOTSUPP, vmcall(HVX_HC_VMBUS_CONNECT | 1ULL << 32, SCRATCH_GPA));
}

TEST(bus_calls_bad_arguments_and_order)
{
	GUEST_RUN_TO_DONE(guest_bus_abuse, 0);
}

/* At CPL 3 every call fails with -EPERM, the known ones too. */
static void guest_user_hypercalls(uint64_t seed)
{
	static const uint8_t vmcall_insn[] = { 0x0f, 0x01, 0xc1 };
	struct guest_user_regs regs;
	uint64_t rng = seed;
	unsigned int i;

	for (i = 0; i < 200; i++) {
		__builtin_memset(&regs, 0, sizeof(regs));
		regs.rax = i < 16 ? HVX_HC_VMBUS_CONNECT + i % 8 : guest_rand(&rng);
		regs.rbx = i < 8 ? SCRATCH_GPA : nasty_arg(guest_rand(&rng));
		/* The HLT after it ends the run with #GP. */
		GUEST_ASSERT_EQ3(GP_VECTOR, guest_user_run_bytes(vmcall_insn, sizeof(vmcall_insn),
								 &regs), i);
		GUEST_ASSERT_EQ3(GUEST_USER_CODE + 3, guest_user_fault_rip, i);
		GUEST_ASSERT_EQ3((uint64_t)-EPERM, guest_user_rax, regs.rax);
	}
}

TEST(hypercalls_at_cpl3_eperm)
{
	GUEST_RUN_TO_DONE(guest_user_hypercalls, 77);
}

TEST_HARNESS_MAIN
