// SPDX-License-Identifier: GPL-2.0
/*
 * Guest memory follows the VMM's memory (kmod/mem.c's MMU notifier): what
 * the VMM drops with madvise(MADV_DONTNEED), unmaps and maps again, or
 * moves with mremap() is what the guest sees next, and the guest's writes
 * land in the VMM's current memory.  Nothing of guest RAM stays pinned
 * (VmPin is 0) and memory the VMM drops goes back to the host, even while
 * the guest uses it.  Guest code in C (lib/guest.h).
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "vm_harness.h"
#include "uapi/hvx.h"
#include "guest.h"
#include "host_health.h"
#include "vm.h"

/* Nothing of the test binary's is here: 18 MiB up to the end of RAM. */
#define DATA_GPA	(GUEST_USER_GPA + 0x200000ULL)
#define DATA_SIZE	(GUEST_MEM_SIZE - DATA_GPA)
#define HUGE_SIZE	(2UL << 20)
#define GUEST_WROTE	0x600dULL

/* Reports the word at @gpa three times (the host changes it between), then writes it. */
static void guest_watch(uint64_t gpa)
{
	volatile uint64_t *p = (volatile uint64_t *)gpa;

	GUEST_SYNC(*p);
	GUEST_SYNC(*p);
	GUEST_SYNC(*p);
	*p = GUEST_WROTE;
	GUEST_SYNC(*p);
}

/* The next ucall's first argument; the test fails on anything but a SYNC. */
#define NEXT_SYNC(vm, uc) ({						\
	ASSERT_UCALL((vm), UCALL_SYNC, &(uc));				\
	(uc).args[0];							\
})

static struct vm *watch_vm(struct __test_metadata *_metadata, int advice)
{
	struct vm *vm = guest_vm_create();

	if (!vm)
		return NULL;
	/* Before the data pages are first touched, so they come as THPs or not. */
	if (madvise(vm->mem + DATA_GPA, DATA_SIZE, advice)) {
		vm_destroy(vm);
		return NULL;
	}
	return vm;
}

/*
 * The VMM drops a page the guest has read: the guest reads zero next, and
 * what it writes then the VMM sees.  @advice: THPs or not, so that the
 * page is mapped by a 2 MiB EPT leaf or a 4 KiB one.
 */
static void dontneed_reaches_guest(struct __test_metadata *_metadata, int advice)
{
	struct guest_ucall uc;
	struct vm *vm = watch_vm(_metadata, advice);
	uint64_t *hva, *next;

	ASSERT_NE(NULL, vm);
	hva = (uint64_t *)(vm->mem + DATA_GPA + HUGE_SIZE);
	next = hva + 4096 / sizeof(*hva);
	*hva = 0x1234;
	*next = 0x5678;
	ASSERT_EQ(0, guest_vm_start(vm, guest_watch, DATA_GPA + HUGE_SIZE));
	EXPECT_EQ(0x1234, NEXT_SYNC(vm, uc));

	ASSERT_EQ(0, madvise(hva, 4096, MADV_DONTNEED));
	EXPECT_EQ(0, NEXT_SYNC(vm, uc));
	/* The VMM writes the fresh page: the guest sees that page. */
	*hva = 0x4321;
	EXPECT_EQ(0x4321, NEXT_SYNC(vm, uc));
	EXPECT_EQ(GUEST_WROTE, NEXT_SYNC(vm, uc));
	EXPECT_EQ(GUEST_WROTE, *hva);
	/* The neighbour was not dropped (a 2 MiB leaf went, not its memory). */
	EXPECT_EQ(0x5678, *next);
	ASSERT_UCALL(vm, UCALL_DONE, &uc);
	vm_destroy(vm);
}

TEST(dontneed_reaches_guest_4k)
{
	dontneed_reaches_guest(_metadata, MADV_NOHUGEPAGE);
}

TEST(dontneed_reaches_guest_2m)
{
	dontneed_reaches_guest(_metadata, MADV_HUGEPAGE);
}

/* munmap() and a new mmap(MAP_FIXED), then mremap() of other memory there. */
TEST(remapped_memory_reaches_guest)
{
	struct guest_ucall uc;
	struct vm *vm = watch_vm(_metadata, MADV_NOHUGEPAGE);
	uint64_t *hva, *other;
	void *p;

	ASSERT_NE(NULL, vm);
	hva = (uint64_t *)(vm->mem + DATA_GPA);
	*hva = 0x1234;
	ASSERT_EQ(0, guest_vm_start(vm, guest_watch, DATA_GPA));
	EXPECT_EQ(0x1234, NEXT_SYNC(vm, uc));

	ASSERT_EQ(0, munmap(hva, 4096));
	p = mmap(hva, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
		 -1, 0);
	ASSERT_EQ((void *)hva, p);
	*hva = 0xbeef;
	EXPECT_EQ(0xbeef, NEXT_SYNC(vm, uc));

	other = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, other);
	*other = 0xcafe;
	p = mremap(other, 4096, 4096, MREMAP_MAYMOVE | MREMAP_FIXED, hva);
	ASSERT_EQ((void *)hva, p);
	EXPECT_EQ(0xcafe, NEXT_SYNC(vm, uc));
	EXPECT_EQ(GUEST_WROTE, NEXT_SYNC(vm, uc));
	EXPECT_EQ(GUEST_WROTE, *hva);
	ASSERT_UCALL(vm, UCALL_DONE, &uc);
	vm_destroy(vm);
}

/* Writes a word to every page of [@gpa, @gpa + DATA_SIZE). */
static void guest_touch(uint64_t gpa)
{
	uint64_t off;

	for (off = 0; off < DATA_SIZE; off += 4096)
		*(volatile uint64_t *)(gpa + off) = off | 1;
}

/* The first number on the line of @path that starts with @key; -1 if none. */
static long proc_field(const char *path, const char *key)
{
	FILE *f = fopen(path, "r");
	char line[160], word[32];
	long v, found = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " %31s %ld", word, &v) == 2 && !strcmp(word, key))
			found = found < 0 ? v : found + v;
	fclose(f);
	return found;
}

/* Free memory in kB, the per-CPU lists' pages included (as vmx_ept.c counts it). */
static long mem_free_kb(void)
{
	return proc_field("/proc/meminfo", "MemFree:") + proc_field("/proc/zoneinfo", "count:") * 4;
}

/*
 * After the guest touched its RAM, none of it is pinned or charged to the
 * VMM's locked memory, and what the VMM drops goes back to the host.
 */
TEST(guest_ram_not_pinned)
{
	struct guest_ucall uc;
	struct vm *vm = watch_vm(_metadata, MADV_NOHUGEPAGE);
	long before, after, rss0, rss1;
	uint64_t off;

	ASSERT_NE(NULL, vm);
	EXPECT_EQ(0, proc_field("/proc/self/status", "VmPin:"));
	ASSERT_EQ(0, guest_vm_start(vm, guest_touch, DATA_GPA));
	ASSERT_UCALL(vm, UCALL_DONE, &uc);
	for (off = 0; off < DATA_SIZE; off += 4096)
		ASSERT_EQ(off | 1, *(uint64_t *)(vm->mem + DATA_GPA + off));
	EXPECT_EQ(0, proc_field("/proc/self/status", "VmPin:"));

	before = mem_free_kb();
	rss0 = proc_field("/proc/self/status", "VmRSS:");
	ASSERT_EQ(0, madvise(vm->mem + DATA_GPA, DATA_SIZE, MADV_DONTNEED));
	after = mem_free_kb();
	rss1 = proc_field("/proc/self/status", "VmRSS:");
	TH_LOG("VmPin %ld kB; free %ld -> %ld kB, RSS %ld -> %ld kB after dropping %llu kB",
	       proc_field("/proc/self/status", "VmPin:"), before, after, rss0, rss1,
	       DATA_SIZE >> 10);
	EXPECT_LT(DATA_SIZE * 3 / 4 >> 10, rss0 - rss1);
	/* Freed, not merely unmapped from the VMM. */
	EXPECT_LT(DATA_SIZE * 3 / 4 >> 10, after - before);
	vm_destroy(vm);
}

#define RACE_PAGES	64
#define RACE_FINAL	0xf1a1ULL

/*
 * Writes each of RACE_PAGES pages from DATA_GPA in rounds for @ticks TSC
 * ticks; each page must hold the last round's word or zero (the VMM
 * dropped it), never anything else.  Reports the rounds and the zeros
 * seen, then writes a final word to every page and returns.
 */
static void guest_race(uint64_t ticks)
{
	uint64_t end = guest_rdtsc() + ticks, round, zeros = 0, i;

	for (round = 1; guest_rdtsc() < end; round++) {
		guest_progress = round;
		for (i = 0; i < RACE_PAGES; i++) {
			volatile uint64_t *p = (volatile uint64_t *)(DATA_GPA + i * 4096);
			uint64_t last = (round - 1) << 16 | i, now = round << 16 | i, v = *p;

			if (v != last)
				GUEST_ASSERT_EQ3(0, v, last);
			zeros += !v && round > 1;
			*p = now;
			v = *p;
			if (v != now)
				GUEST_ASSERT_EQ3(0, v, now);
		}
	}
	GUEST_SYNC2(round, zeros);
	for (i = 0; i < RACE_PAGES; i++)
		*(volatile uint64_t *)(DATA_GPA + i * 4096) = RACE_FINAL << 16 | i;
}

struct dropper {
	uint8_t *mem;
	volatile uint64_t *progress;	/* the guest's round */
	volatile int stop;
	unsigned long drops;
};

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000ULL + ts.tv_nsec / 1000;
}

/*
 * Drops the race's pages, all of them or one at a time, until told to stop
 * or for 1.5 s, each drop once the guest has begun a new round.  Paced by
 * the guest, not by the clock: a VMM that drops its guest's memory faster
 * than the guest can fault it back starves that guest (a fault retries
 * after an invalidation), not the host, and in the emulated host one fault
 * takes longer than a short sleep.
 */
static void *drop_loop(void *arg)
{
	struct dropper *d = arg;
	uint64_t end = now_us() + 1500000, seen = *d->progress;
	unsigned long i;

	for (i = 0; !d->stop && now_us() < end; i++) {
		size_t off = (i & 1) ? (i / 2 % RACE_PAGES) * 4096 : 0;
		size_t len = (i & 1) ? 4096 : RACE_PAGES * 4096;

		while (*d->progress == seen && !d->stop && now_us() < end)
			usleep(50);
		seen = *d->progress;
		if (madvise(d->mem + off, len, MADV_DONTNEED))
			break;
		d->drops++;
	}
	return NULL;
}

/*
 * The VMM drops the pages the guest is writing and reading, over and over:
 * the guest sees its own words or zeros, the host stays well, and after
 * the race the guest's writes land in the VMM's memory.
 */
TEST(dontneed_races_guest_writes)
{
	struct dropper d = { 0 };
	struct host_health h;
	struct guest_ucall uc;
	struct vm *vm;
	pthread_t thread;
	long khz;
	int i;

	ASSERT_EQ(0, host_health_begin(&h));
	vm = watch_vm(_metadata, MADV_NOHUGEPAGE);
	ASSERT_NE(NULL, vm);
	khz = ioctl(vm->dev_fd, HVX_GET_TSC_KHZ, 0);
	ASSERT_LT(0, khz);
	d.mem = vm->mem + DATA_GPA;
	d.progress = &GUEST_VAR(vm, guest_progress);
	/* Two seconds of the guest's time. */
	ASSERT_EQ(0, guest_vm_start(vm, guest_race, 2000ULL * khz));
	ASSERT_EQ(0, pthread_create(&thread, NULL, drop_loop, &d));
	ASSERT_UCALL(vm, UCALL_SYNC, &uc);
	d.stop = 1;
	pthread_join(thread, NULL);
	TH_LOG("%ld CPUs: %llu rounds of %d pages, %llu zeros seen, %lu drops",
	       sysconf(_SC_NPROCESSORS_ONLN), (unsigned long long)uc.args[0], RACE_PAGES,
	       (unsigned long long)uc.args[1], d.drops);
	/* The race took place: the guest saw pages the VMM had dropped. */
	EXPECT_LT(0, uc.args[1]);
	ASSERT_UCALL(vm, UCALL_DONE, &uc);
	for (i = 0; i < RACE_PAGES; i++)
		if (*(uint64_t *)(d.mem + i * 4096) != (RACE_FINAL << 16 | i))
			break;
	if (i < RACE_PAGES)
		TH_LOG("page %d holds 0x%llx, not the guest's last write", i,
		       (unsigned long long)*(uint64_t *)(d.mem + i * 4096));
	EXPECT_EQ(RACE_PAGES, i);
	vm_destroy(vm);
	ASSERT_HOST_HEALTHY(&h);
	host_health_end(&h);
}

/* Writes to every page from DATA_GPA, one by one, counting them in guest_progress. */
static void guest_fault_in(uint64_t gpa)
{
	uint64_t off;

	for (off = 0; off < DATA_SIZE; off += 4096) {
		*(volatile uint64_t *)(gpa + off) = off | 1;
		guest_progress = off / 4096 + 1;
	}
}

#define FAULT_PAGES	(DATA_SIZE / 4096)

struct churner {
	uint8_t *page;			/* the VMM's own memory, not the guest's */
	volatile uint64_t *progress;	/* pages the guest has faulted in */
	uint64_t progress_seen;		/* ... when the churn stopped */
	unsigned long drops;
};

/*
 * Touches and drops a page of the VMM's that no slot holds, every 50 us,
 * for 2 s or until the guest has faulted in all its pages.
 */
static void *churn_loop(void *arg)
{
	struct churner *c = arg;
	uint64_t end = now_us() + 2000000;

	while (now_us() < end && *c->progress < FAULT_PAGES) {
		c->page[0] = 1;
		if (madvise(c->page, 4096, MADV_DONTNEED))
			break;
		c->drops++;
		usleep(50);
	}
	c->progress_seen = *c->progress;
	return NULL;
}

/*
 * The VMM changes memory of its own that is not guest RAM (as malloc,
 * thread stacks and io_uring do), many times while the guest faults its
 * RAM in: every such change runs the MMU notifier, but a fault in flight
 * retries only for a change that touches what it maps, so the guest keeps
 * going.  (A fault that retried after any change made no progress at all
 * in the one-CPU emulated host, where one fault outlasts the 50 us.)
 */
TEST(vmm_memory_churn_does_not_stall_guest)
{
	struct churner c = { 0 };
	struct guest_ucall uc;
	pthread_t thread;
	struct vm *vm;

	c.page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, c.page);
	vm = watch_vm(_metadata, MADV_NOHUGEPAGE);
	ASSERT_NE(NULL, vm);
	c.progress = &GUEST_VAR(vm, guest_progress);
	ASSERT_EQ(0, guest_vm_start(vm, guest_fault_in, DATA_GPA));
	ASSERT_EQ(0, pthread_create(&thread, NULL, churn_loop, &c));
	/* Runs the guest here while the other thread churns. */
	ASSERT_UCALL(vm, UCALL_DONE, &uc);
	pthread_join(thread, NULL);
	TH_LOG("%llu of %llu pages faulted in during %lu drops elsewhere",
	       (unsigned long long)c.progress_seen, FAULT_PAGES, c.drops);
	EXPECT_LT(100, c.drops);
	EXPECT_LE(64, c.progress_seen);
	vm_destroy(vm);
	munmap(c.page, 4096);
}

TEST_HARNESS_MAIN
