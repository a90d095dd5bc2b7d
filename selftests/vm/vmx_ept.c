// SPDX-License-Identifier: GPL-2.0
/*
 * EPT mappings: where the VMM's memory is transparent huge pages, one EPT
 * violation maps 2 MiB; elsewhere each 4 KiB page faults on its own.  The
 * guest's writes land in the VMM's memory either way.  HVX_DISCARD_MEMORY
 * gives memory back: the VMM's RSS drops, and what the guest writes there
 * later lands in the VMM's memory again.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "vm_harness.h"
#include "uapi/hvx.h"
#include "vm.h"

#define MEM_SIZE	(64UL << 20)
#define TOUCH_GPA	(32UL << 20)
#define TOUCH_PAGES	((MEM_SIZE - TOUCH_GPA) >> 12)
#define EXIT_EPT_VIOLATION	48

/* Runs guest_touch64 over the top 32 MiB; returns its EPT violations. */
static uint64_t touch_top_half(struct __test_metadata *_metadata, struct vm *vm)
{
	struct hvx_vcpu_stats stats;
	struct vm_exit e;
	uint64_t i;

	vm_load(vm, GUEST_CODE_GPA, guest_touch64, guest_touch64_end);
	EXPECT_EQ(0, vm_setup_long(vm, GUEST_CODE_GPA));
	EXPECT_EQ(0, vm_set_gpr(vm, GPR_RBX, TOUCH_GPA));
	EXPECT_EQ(0, vm_set_gpr(vm, GPR_RCX, TOUCH_PAGES));
	EXPECT_EQ(0, vm_run(vm, &e));
	EXPECT_EQ(VM_EXIT_HLT, e.kind);
	for (i = 0; i < TOUCH_PAGES; i++)
		if (vm->mem[TOUCH_GPA + (i << 12)] != (uint8_t)(TOUCH_PAGES - i)) {
			TH_LOG("page %llu holds %u", (unsigned long long)i,
			       vm->mem[TOUCH_GPA + (i << 12)]);
			EXPECT_TRUE(0);
			break;
		}
	EXPECT_EQ(0, ioctl(vm->vcpu_fd, HVX_GET_STATS, &stats));
	TH_LOG("%llu EPT violations for %lu pages",
	       (unsigned long long)stats.exits[EXIT_EPT_VIOLATION], TOUCH_PAGES);
	return stats.exits[EXIT_EPT_VIOLATION];
}

TEST(huge_pages_map_2m_per_violation)
{
	struct vm *vm = vm_create(VM_HVX, MEM_SIZE);

	ASSERT_NE(NULL, vm);
	ASSERT_EQ(0, madvise(vm->mem, MEM_SIZE, MADV_HUGEPAGE));
	/* 16 blocks touched, plus the code, stack and page-table blocks. */
	EXPECT_GE(20, touch_top_half(_metadata, vm));
	vm_destroy(vm);
}

TEST(small_pages_map_4k_per_violation)
{
	struct vm *vm = vm_create(VM_HVX, MEM_SIZE);

	ASSERT_NE(NULL, vm);
	ASSERT_EQ(0, madvise(vm->mem, MEM_SIZE, MADV_NOHUGEPAGE));
	EXPECT_LE(TOUCH_PAGES, touch_top_half(_metadata, vm));
	vm_destroy(vm);
}

/* The first number on each line that starts with @key, summed. */
static long sum_field(const char *path, const char *key)
{
	FILE *f = fopen(path, "r");
	char line[160], word[32];
	long sum = 0, v;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " %31s %ld", word, &v) == 2 && !strcmp(word, key))
			sum += v;
	fclose(f);
	return sum;
}

/*
 * Free memory in kB, with the pages on the allocator's per-CPU lists,
 * which MemFree leaves out: freed huge pages wait there too (as
 * selftests/lib/meminfo.sh counts it for the shell tests).
 */
static long mem_free_kb(void)
{
	return sum_field("/proc/meminfo", "MemFree:") + sum_field("/proc/zoneinfo", "count:") * 4;
}

/* Each 2 MiB mapping pins 512 pages; destroying the VM must unpin them all. */
TEST(huge_mappings_released_on_destroy)
{
	long before, after;
	int round;

	before = mem_free_kb();
	ASSERT_LT(0, before);
	for (round = 0; round < 3; round++) {
		struct vm *vm = vm_create(VM_HVX, MEM_SIZE);

		ASSERT_NE(NULL, vm);
		ASSERT_EQ(0, madvise(vm->mem, MEM_SIZE, MADV_HUGEPAGE));
		EXPECT_GE(20, touch_top_half(_metadata, vm));
		vm_destroy(vm);
	}
	after = mem_free_kb();
	TH_LOG("free %ld -> %ld kB", before, after);
	/* Three rounds of 32 MiB pinned: a leak would show as 96 MiB. */
	EXPECT_GT(16 << 10, before - after);
}

static int discard(struct vm *vm, uint64_t gpa, uint64_t size)
{
	struct hvx_memory_range range = { .gpa = gpa, .size = size };

	return ioctl(vm->vm_fd, HVX_DISCARD_MEMORY, &range) ? -errno : 0;
}

TEST(discard_frees_memory_that_faults_back)
{
	struct vm *vm = vm_create(VM_HVX, MEM_SIZE);
	long rss0, rss1;

	ASSERT_NE(NULL, vm);
	ASSERT_EQ(0, madvise(vm->mem, MEM_SIZE, MADV_HUGEPAGE));
	touch_top_half(_metadata, vm);

	/* One page out of a 2 MiB mapping: it reads zero, its neighbours not. */
	EXPECT_EQ(0, discard(vm, TOUCH_GPA + 4096, 4096));
	EXPECT_EQ(0, vm->mem[TOUCH_GPA + 4096]);
	EXPECT_EQ((uint8_t)TOUCH_PAGES, vm->mem[TOUCH_GPA]);
	EXPECT_EQ((uint8_t)(TOUCH_PAGES - 2), vm->mem[TOUCH_GPA + 2 * 4096]);

	rss0 = sum_field("/proc/self/status", "VmRSS:");
	EXPECT_EQ(0, discard(vm, TOUCH_GPA, MEM_SIZE - TOUCH_GPA));
	rss1 = sum_field("/proc/self/status", "VmRSS:");
	TH_LOG("RSS %ld -> %ld kB", rss0, rss1);
	EXPECT_LT(30 << 10, rss0 - rss1);
	EXPECT_EQ(0, vm->mem[MEM_SIZE - 4096]);

	/* The guest writes there again: its EPT maps the VMM's new pages. */
	touch_top_half(_metadata, vm);

	EXPECT_EQ(-EINVAL, discard(vm, TOUCH_GPA, 0));
	EXPECT_EQ(-EINVAL, discard(vm, TOUCH_GPA + 1, 4096));
	EXPECT_EQ(-EINVAL, discard(vm, TOUCH_GPA, 100));
	EXPECT_EQ(-EINVAL, discard(vm, MEM_SIZE, 4096));
	EXPECT_EQ(-EINVAL, discard(vm, MEM_SIZE - 4096, 8192));
	EXPECT_EQ(-EINVAL, discard(vm, -4096ULL, 8192));
	EXPECT_EQ(-EINVAL, discard(vm, HVX_LAPIC_GPA, 4096));
	vm_destroy(vm);
}

TEST_HARNESS_MAIN
