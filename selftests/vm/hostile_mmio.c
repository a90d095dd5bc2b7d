// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile guest: MMIO made of random instruction bytes.  The guest writes
 * 16 random bytes (half of them shaped as prefix, opcode and a ModRM with
 * a memory operand) into its user page and runs them at CPL 3 with every
 * register pointing into the unbacked page at GUEST_MMIO_GPA: whatever
 * they do ends in an exception that returns to the guest's CPL 0 loop (the
 * guest's kernel is out of their reach).  The test answers MMIO reads with
 * random data, and sends the vCPU back to the loop when hvx cannot emulate
 * an access (an internal error) or the bytes loop forever (a watchdog on
 * the guest's progress counter).
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/time.h>

#include "vm_harness.h"
#include "uapi/hvx.h"
#include "guest.h"
#include "host_health.h"
#include "vm.h"

#define FUZZ_RUNS	100000
#define SYNC_EVERY	10000

static void random_code(uint64_t *rng, uint8_t code[16])
{
	static const uint8_t prefixes[] = {
		0x66, 0x67, 0xf2, 0xf3, 0xf0, 0x2e, 0x3e, 0x64, 0x65, 0x48, 0x41, 0x4c,
	};
	uint64_t a = guest_rand(rng), b = guest_rand(rng);
	unsigned int i = 0, j;

	for (j = 0; j < 8; j++) {
		code[j] = a >> (j * 8);
		code[j + 8] = b >> (j * 8);
	}
	if (a & 1)
		return;
	/* Shaped: [prefix] [0x0f] opcode ModRM(mod 0 or 1, no SIB/RIP) ... */
	if (a & 2)
		code[i++] = prefixes[(b >> 56) % sizeof(prefixes)];
	if (a & 4)
		code[i++] = 0x0f;
	i++;
	code[i] = (code[i] & 0x7f & ~0x40) | (a & 8 ? 0x40 : 0);
	if ((code[i] & 7) == 4 || (code[i] & 7) == 5)
		code[i] ^= 2;
}

static volatile uint64_t vector_counts[256];

static void guest_mmio_fuzz(uint64_t seed)
{
	uint64_t rng = seed;
	struct guest_user_regs regs;
	uint8_t code[16];
	unsigned int i;

	for (i = 0; i < FUZZ_RUNS; i++) {
		uint64_t off = guest_rand(&rng);

		random_code(&rng, code);
		regs.rax = GUEST_MMIO_GPA + (off & 0xff8);
		regs.rbx = regs.rax + 8;
		regs.rcx = GUEST_MMIO_GPA + ((off >> 12) & 0xfff);
		regs.rdx = regs.rcx ^ 4;
		regs.rsi = GUEST_MMIO_GPA + ((off >> 24) & 0xfff);
		regs.rdi = regs.rsi ^ 0x10;
		regs.rbp = GUEST_MMIO_GPA + 0x800;
		regs.r8 = regs.r9 = regs.r10 = regs.r11 = regs.rax;
		regs.r12 = regs.r13 = regs.r14 = regs.r15 = regs.rsi;
		regs.rsp = GUEST_USER_STACK_TOP;
		regs.rflags = 2;
		vector_counts[guest_user_run_bytes(code, sizeof(code), &regs)]++;
		guest_progress = i + 1;
		if ((i + 1) % SYNC_EVERY == 0)
			GUEST_SYNC(i + 1);
	}
	GUEST_SYNC4(vector_counts[UD_VECTOR], vector_counts[GP_VECTOR],
		    vector_counts[PF_VECTOR], vector_counts[GUEST_RECOVERED]);
}

static void on_alarm(int sig)
{
}

struct fuzz_counts {
	uint64_t mmio_reads, mmio_writes, internal, watchdog;
};

/*
 * Sends a vCPU that hvx or the guest's bytes left stuck at CPL 3 back to
 * the guest's loop; a vCPU stuck at CPL 0 is the guest's kernel: a bug.
 */
static int recover(struct __test_metadata *_metadata, struct vm *vm)
{
	struct hvx_sregs s;

	ASSERT_EQ(0, vm_get_sregs(vm, &s)) return -1;
	if ((s.cs.selector & 3) != 3) {
		struct hvx_regs r;

		vm_get_regs(vm, &r);
		TH_LOG("stuck at CPL 0, rip 0x%llx", (unsigned long long)r.rip);
		return -1;
	}
	return guest_vm_recover(vm);
}

TEST(random_instruction_bytes_on_mmio)
{
	struct itimerval tick = { { 0, 100000 }, { 0, 100000 } }, off = { 0 };
	struct sigaction sa = { .sa_handler = on_alarm };
	struct fuzz_counts n = { 0 };
	uint64_t rng = 99, last_progress = ~0ULL;
	struct host_health h;
	struct guest_ucall uc;
	int stuck = 0, syncs = 0;
	struct vm *vm;

	ASSERT_EQ(0, host_health_begin(&h));
	vm = guest_vm_create();
	ASSERT_NE(NULL, vm);
	ASSERT_EQ(0, guest_vm_start(vm, guest_mmio_fuzz, 0x243f6a8885a308d3ULL));
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	ASSERT_EQ(0, setitimer(ITIMER_REAL, &tick, NULL));
	for (;;) {
		struct vm_exit e;
		char buf[512];
		int got = guest_run(vm, &e, &uc);

		if (got < 0 && errno == EINTR) {
			uint64_t progress = GUEST_VAR(vm, guest_progress);

			stuck = progress == last_progress ? stuck + 1 : 0;
			last_progress = progress;
			if (stuck >= 2) {
				ASSERT_EQ(0, recover(_metadata, vm));
				n.watchdog++;
				stuck = 0;
			}
			continue;
		}
		if (got == UCALL_SYNC && ++syncs <= FUZZ_RUNS / SYNC_EVERY)
			continue;
		if (got == UCALL_SYNC)
			break;
		if (got == UCALL_NONE && e.kind == VM_EXIT_MMIO) {
			uint64_t data = guest_rand(&rng);

			/* Never for RAM. */
			ASSERT_LE(GUEST_MEM_SIZE, e.addr);
			ASSERT_TRUE(e.size >= 1 && e.size <= 8);
			if (e.is_write) {
				n.mmio_writes++;
			} else {
				memcpy(e.data, &data, e.size);
				n.mmio_reads++;
			}
			continue;
		}
		if (got == UCALL_NONE && e.kind == VM_EXIT_INTERNAL) {
			ASSERT_EQ(0, recover(_metadata, vm));
			n.internal++;
			continue;
		}
		TH_LOG("%s", guest_exit_describe(got, &e, &uc, buf, sizeof(buf)));
		ASSERT_EQ(UCALL_SYNC, got);
	}
	setitimer(ITIMER_REAL, &off, NULL);
	TH_LOG("%d runs: #UD %llu, #GP %llu, #PF %llu, sent back by the test %llu",
	       FUZZ_RUNS, (unsigned long long)uc.args[0], (unsigned long long)uc.args[1],
	       (unsigned long long)uc.args[2], (unsigned long long)uc.args[3]);
	TH_LOG("MMIO reads %llu, writes %llu; internal errors %llu; watchdog %llu",
	       (unsigned long long)n.mmio_reads, (unsigned long long)n.mmio_writes,
	       (unsigned long long)n.internal, (unsigned long long)n.watchdog);
	/*
	 * A single-step trap that MOV SS held back for the random code must
	 * not follow the vCPU to where SET_REGS put it (53 did, before).
	 */
	EXPECT_EQ(0, GUEST_VAR(vm, guest_stale_debug_traps));
	EXPECT_EQ(n.internal + n.watchdog, uc.args[3]);
	/* The bytes reached MMIO: the test is about that. */
	EXPECT_LT(FUZZ_RUNS / 20, n.mmio_reads + n.mmio_writes);
	ASSERT_UCALL(vm, UCALL_DONE, &uc);
	vm_destroy(vm);
	ASSERT_HOST_HEALTHY(&h);
	host_health_end(&h);
}

/*
 * MOV between the accumulator and a 64-bit absolute address (A0-A3): what
 * a compiler emits for a constant MMIO address above 2 GiB.
 */
static void guest_moffs(uint64_t unused)
{
	uint64_t rax;
	uint32_t eax;
	uint8_t al;

	asm volatile("movabs %0, 0xc0000010" : : "a"(0x11223344U));
	asm volatile("movabs %0, 0xc0000020" : : "a"((uint8_t)0x55));
	asm volatile("movabs 0xc0000030, %0" : "=a"(eax));
	GUEST_ASSERT_EQ(0xdeadbeef, eax);
	asm volatile("movabs 0xc0000040, %0" : "=a"(al));
	GUEST_ASSERT_EQ(0x77, al);
	asm volatile("movabs 0xc0000050, %0" : "=a"(rax));
	GUEST_ASSERT_EQ(0x0123456789abcdefULL, rax);
}

TEST(mmio_moffs_forms)
{
	static const struct { uint64_t addr; uint8_t size, write; uint64_t data; } want[] = {
		{ 0xc0000010, 4, 1, 0x11223344 }, { 0xc0000020, 1, 1, 0x55 },
		{ 0xc0000030, 4, 0, 0xdeadbeef }, { 0xc0000040, 1, 0, 0x77 },
		{ 0xc0000050, 8, 0, 0x0123456789abcdefULL },
	};
	struct guest_ucall uc;
	struct vm_exit e;
	struct vm *vm;
	char buf[512];
	unsigned int i;

	vm = guest_vm_create();
	ASSERT_NE(NULL, vm);
	ASSERT_EQ(0, guest_vm_start(vm, guest_moffs, 0));
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		uint64_t data = 0;
		int got = guest_run(vm, &e, &uc);

		if (got != UCALL_NONE || e.kind != VM_EXIT_MMIO)
			TH_LOG("access %u: %s", i, guest_exit_describe(got, &e, &uc, buf, sizeof(buf)));
		ASSERT_EQ(VM_EXIT_MMIO, e.kind);
		ASSERT_EQ(want[i].addr, e.addr);
		ASSERT_EQ(want[i].size, e.size);
		ASSERT_EQ(want[i].write, e.is_write);
		if (e.is_write) {
			memcpy(&data, e.data, e.size);
			ASSERT_EQ(want[i].data, data);
		} else {
			memcpy(e.data, &want[i].data, e.size);
		}
	}
	ASSERT_UCALL(vm, UCALL_DONE, &uc);
	vm_destroy(vm);
}

TEST_HARNESS_MAIN
