// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile guest: the in-kernel local APIC and I/O APIC (kmod/lapic.c,
 * kmod/ioapic.c).  Timer extremes in every mode and divide value, ICR with
 * every delivery mode and shorthand, a self-IPI storm, and 100,000 random
 * accesses to each APIC's page.  The guest keeps running and the host
 * stays healthy (host_health.h).  TSC deadline ~0 is in hostile_zlast.c.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/time.h>

#include "vm_harness.h"
#include "uapi/hvx.h"
#include "guest.h"
#include "host_health.h"
#include "vm.h"
#include "apic_variants.h"

#define APIC_ID		0x20
#define APIC_LVR	0x30
#define APIC_TPR	0x80
#define APIC_EOI	0xb0
#define APIC_SVR	0xf0
#define APIC_ISR	0x100
#define APIC_IRR	0x200
#define APIC_ESR	0x280
#define APIC_ICR	0x300
#define APIC_ICR2	0x310
#define APIC_LVTT	0x320
#define APIC_LVT0	0x350
#define APIC_LVTERR	0x370
#define APIC_TMICT	0x380
#define APIC_TMCCT	0x390
#define APIC_TDCR	0x3e0
#define LVT_MASKED	(1U << 16)
#define LVT_PERIODIC	(1U << 17)
#define LVT_DEADLINE	(2U << 17)
#define TIMER_VECTOR	0x40
#define IPI_VECTOR	0x50
#define MSR_TSC_DEADLINE 0x6e0
/* Basic VM exit reasons (SDM appendix C). */
#define EXIT_APIC_ACCESS	44
#define EXIT_EOI_INDUCED	45
#define EXIT_EPT_VIOLATION	48
#define EXIT_APIC_WRITE		56
/* Bochs's TSC runs at 50 MHz: a second of emulated time. */
#define TSC_SECOND	50000000ULL

static uint32_t apic_read(uint32_t reg)
{
	return guest_mmio_read32(GUEST_LAPIC_GPA + reg);
}

static void apic_write(uint32_t reg, uint32_t val)
{
	guest_mmio_write32(GUEST_LAPIC_GPA + reg, val);
}

/* Waits with interrupts on until @vector came @n times or @ticks passed. */
static uint64_t wait_for_irqs(unsigned int vector, uint64_t n, uint64_t ticks)
{
	uint64_t start = guest_rdtsc();

	while (guest_irq_count[vector] < n && guest_rdtsc() - start < ticks) {
		guest_sti();
		asm volatile("nop; nop; nop; nop" ::: "memory");
		guest_cli();
	}
	return guest_irq_count[vector];
}

static void apic_enable(void)
{
	apic_write(APIC_SVR, 0x1ff);
	apic_write(APIC_TPR, 0);
}

static void guest_timer_extremes(uint64_t unused)
{
	uint64_t before, deadline, val;
	unsigned int dcr;

	apic_enable();
	/* Every divide value; only bits 0, 1 and 3 exist. */
	for (dcr = 0; dcr < 16; dcr++) {
		GUEST_SYNC(dcr);
		apic_write(APIC_TDCR, dcr | 0xfffffff0);
		GUEST_ASSERT_EQ3(dcr & 0xb, apic_read(APIC_TDCR), dcr);
		/* The longest one-shot count: counts down, never fires soon. */
		apic_write(APIC_LVTT, TIMER_VECTOR);
		apic_write(APIC_TMICT, ~0U);
		GUEST_ASSERT_EQ(~0U, apic_read(APIC_TMICT));
		GUEST_ASSERT(apic_read(APIC_TMCCT) <= ~0U);
		apic_write(APIC_TMICT, 0);
		GUEST_ASSERT_EQ3(0, apic_read(APIC_TMCCT), dcr);
		/* The shortest: fires. */
		before = guest_irq_count[TIMER_VECTOR];
		apic_write(APIC_TMICT, 1);
		GUEST_ASSERT_EQ3(before + 1, wait_for_irqs(TIMER_VECTOR, before + 1, TSC_SECOND), dcr);
	}
	GUEST_SYNC(101);
	/* Periodic at the longest period. */
	apic_write(APIC_LVTT, TIMER_VECTOR | LVT_PERIODIC);
	apic_write(APIC_TDCR, 0xa);
	apic_write(APIC_TMICT, ~0U);
	apic_write(APIC_TMICT, 0);
	/* The reserved timer mode 3 and a vector below 16. */
	apic_write(APIC_LVTT, TIMER_VECTOR | 3U << 17);
	apic_write(APIC_TMICT, 1);
	apic_write(APIC_TMICT, 0);
	apic_write(APIC_LVTT, 5);
	apic_write(APIC_TMICT, 1);
	wait_for_irqs(TIMER_VECTOR, ~0ULL, TSC_SECOND / 100);
	apic_write(APIC_TMICT, 0);

	GUEST_SYNC(102);
	/* TSC deadline: in the past fires, far ahead does not, 0 disarms. */
	apic_write(APIC_LVTT, TIMER_VECTOR | LVT_DEADLINE);
	before = guest_irq_count[TIMER_VECTOR];
	GUEST_ASSERT_EQ(GUEST_NO_FAULT, guest_wrmsr_safe(MSR_TSC_DEADLINE, 1));
	GUEST_ASSERT_EQ(before + 1, wait_for_irqs(TIMER_VECTOR, before + 1, TSC_SECOND));
	GUEST_SYNC(103);
	deadline = guest_rdtsc() + (1ULL << 40);
	GUEST_ASSERT_EQ(GUEST_NO_FAULT, guest_wrmsr_safe(MSR_TSC_DEADLINE, deadline));
	GUEST_ASSERT_EQ(GUEST_NO_FAULT, guest_rdmsr_safe(MSR_TSC_DEADLINE, &val));
	GUEST_ASSERT_EQ(deadline, val);
	GUEST_ASSERT_EQ(before + 1, wait_for_irqs(TIMER_VECTOR, before + 2, TSC_SECOND / 10));
	GUEST_ASSERT_EQ(GUEST_NO_FAULT, guest_wrmsr_safe(MSR_TSC_DEADLINE, 0));
	GUEST_ASSERT_EQ(GUEST_NO_FAULT, guest_rdmsr_safe(MSR_TSC_DEADLINE, &val));
	GUEST_ASSERT_EQ(0, val);
	GUEST_SYNC(104);
	/* A mode change disarms a deadline. */
	GUEST_ASSERT_EQ(GUEST_NO_FAULT, guest_wrmsr_safe(MSR_TSC_DEADLINE, guest_rdtsc() + 1000));
	apic_write(APIC_LVTT, TIMER_VECTOR);
	GUEST_ASSERT_EQ(GUEST_NO_FAULT, guest_rdmsr_safe(MSR_TSC_DEADLINE, &val));
	GUEST_ASSERT_EQ(0, val);
}

/* Periodic at count 1, divide 1: hvx clamps the period; 5 ticks, then stop. */
static void guest_periodic_minimum(uint64_t unused)
{
	uint64_t before;

	apic_enable();
	GUEST_SYNC(100);
	apic_write(APIC_TDCR, 0xb);
	before = guest_irq_count[TIMER_VECTOR];
	apic_write(APIC_LVTT, TIMER_VECTOR | LVT_PERIODIC);
	apic_write(APIC_TMICT, 1);
	GUEST_ASSERT(wait_for_irqs(TIMER_VECTOR, before + 5, TSC_SECOND) >= before + 5);
	apic_write(APIC_TMICT, 0);
	wait_for_irqs(TIMER_VECTOR, ~0ULL, TSC_SECOND / 100);
	before = guest_irq_count[TIMER_VECTOR];
	GUEST_ASSERT_EQ(before, wait_for_irqs(TIMER_VECTOR, ~0ULL, TSC_SECOND / 10));
}

static void on_alarm(int sig)
{
}

/*
 * Runs @guest_fn, which SYNCs before each step; a watchdog (HVX_RUN ends
 * for a signal) names the step and RIP if one never ends.
 */
static void run_timer_steps(struct __test_metadata *_metadata, void (*guest_fn)(uint64_t))
{
	struct itimerval tick = { { 1, 0 }, { 1, 0 } }, off = { 0 };
	struct sigaction sa = { .sa_handler = on_alarm };
	uint64_t step = ~0ULL;
	struct host_health h;
	struct guest_ucall uc;
	int got, quiet = 0;
	struct vm *vm;

	ASSERT_EQ(0, host_health_begin(&h));
	vm = guest_vm_create();
	ASSERT_NE(NULL, vm);
	ASSERT_EQ(0, guest_vm_start(vm, guest_fn, 0));
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	ASSERT_EQ(0, setitimer(ITIMER_REAL, &tick, NULL));
	for (;;) {
		struct vm_exit e;
		char buf[512];

		got = guest_run(vm, &e, &uc);
		if (got < 0 && errno == EINTR) {
			struct hvx_regs r;

			if (++quiet < 20)
				continue;
			vm_get_regs(vm, &r);
			TH_LOG("stuck after step %llu at rip 0x%llx", (unsigned long long)step,
			       (unsigned long long)r.rip);
			break;
		}
		if (got == UCALL_SYNC) {
			step = uc.args[0];
			quiet = 0;
			continue;
		}
		if (got != UCALL_DONE)
			TH_LOG("after step %llu: %s", (unsigned long long)step,
			       guest_exit_describe(got, &e, &uc, buf, sizeof(buf)));
		break;
	}
	setitimer(ITIMER_REAL, &off, NULL);
	ASSERT_EQ(UCALL_DONE, got);
	vm_destroy(vm);
	ASSERT_HOST_HEALTHY(&h);
	host_health_end(&h);
}

/* Every divide value, the longest counts, reserved modes, TSC-deadline edges. */
TEST_F(apic, timer_extremes)
{
	run_timer_steps(_metadata, guest_timer_extremes);
}

TEST_F(apic, periodic_timer_at_its_minimum)
{
	/* As vmx_irq's periodic_timer_repeats_and_is_clamped says. */
	if (!variant->virtualized)
		SKIP(return, "emulated APIC: a 200 us tick outruns its exits in the emulated host");
	run_timer_steps(_metadata, guest_periodic_minimum);
}

/*
 * ICR: every delivery mode, shorthand, destination mode and trigger.  A
 * fixed IPI that reaches this APIC arrives once; nothing else arrives.
 */
static void guest_icr(uint64_t unused)
{
	unsigned int mode, shorthand, logical, level, dest;
	uint32_t icr;
	uint64_t before;

	apic_enable();
	for (mode = 0; mode < 8; mode++)
	for (shorthand = 0; shorthand < 4; shorthand++)
	for (logical = 0; logical < 2; logical++)
	for (level = 0; level < 2; level++)
	for (dest = 0; dest < 3; dest++) {
		uint32_t dest_id = dest == 0 ? 0 : dest == 1 ? 0xff : 0x5a;
		int to_self = shorthand == 1 || shorthand == 2 ||
			      (shorthand == 0 && !logical && (dest_id == 0 || dest_id == 0xff));

		before = guest_irq_count[IPI_VECTOR];
		icr = IPI_VECTOR | mode << 8 | logical << 11 | 1U << 14 |
		      level << 15 | shorthand << 18;
		apic_write(APIC_ICR2, dest_id << 24);
		apic_write(APIC_ICR, icr);
		GUEST_ASSERT_EQ(dest_id << 24, apic_read(APIC_ICR2));
		/* The delivery-status bit (12) is never left set. */
		GUEST_ASSERT_EQ3(0, apic_read(APIC_ICR) & (1U << 12), icr);
		wait_for_irqs(IPI_VECTOR, ~0ULL, 2000);
		if (mode == 0 && to_self)
			GUEST_ASSERT_EQ3(before + 1, guest_irq_count[IPI_VECTOR], icr);
		else if (mode != 1)
			GUEST_ASSERT_EQ3(before, guest_irq_count[IPI_VECTOR], icr);
		/* Illegal vectors: no interrupt. */
		apic_write(APIC_ICR, 3 | mode << 8 | shorthand << 18);
		apic_write(APIC_ESR, 0);
		apic_read(APIC_ESR);
	}
	GUEST_ASSERT_EQ(0, apic_read(APIC_ISR + 0x50));
}

TEST_F(apic, icr_every_mode_and_shorthand)
{
	GUEST_RUN_TO_DONE(guest_icr, 0);
}

#define SELF_IPIS	10000
#define FEW_IPIS	1000

static void guest_self_ipis(uint64_t count)
{
	unsigned int i;

	apic_enable();
	guest_sti();
	for (i = 0; i < count; i++)
		apic_write(APIC_ICR, IPI_VECTOR | 1U << 18);
	guest_cli();
	GUEST_ASSERT_EQ(count, guest_irq_count[IPI_VECTOR]);
}

TEST_F(apic, self_ipi_storm)
{
	GUEST_RUN_TO_DONE(guest_self_ipis, SELF_IPIS);
}

/*
 * A self-IPI and its EOI: two exits each when emulated (EPT violations on
 * the APIC page), none when the CPU virtualizes the APIC, which is what
 * keeps a guest's timer tick cheap.
 */
TEST_F(apic, self_ipi_and_eoi_exit_only_when_emulated)
{
	struct hvx_vcpu_stats stats;
	struct guest_ucall uc;
	uint64_t apic_exits;
	struct vm *vm;

	vm = guest_vm_create();
	ASSERT_NE(NULL, vm);
	ASSERT_EQ(0, guest_vm_start(vm, guest_self_ipis, FEW_IPIS));
	ASSERT_UCALL(vm, UCALL_DONE, &uc);
	ASSERT_EQ(0, ioctl(vm->vcpu_fd, HVX_GET_STATS, &stats));
	apic_exits = stats.exits[EXIT_EPT_VIOLATION] + stats.exits[EXIT_APIC_ACCESS] +
		     stats.exits[EXIT_APIC_WRITE] + stats.exits[EXIT_EOI_INDUCED];
	TH_LOG("%llu exits for %d self-IPIs and EOIs", (unsigned long long)apic_exits, FEW_IPIS);
	if (variant->virtualized) {
		EXPECT_GT(FEW_IPIS / 10, apic_exits);
	} else {
		EXPECT_LE(2 * FEW_IPIS, apic_exits);
	}
	vm_destroy(vm);
}

/* One random access of 1, 2, 4 or 8 bytes (mostly aligned dwords) at @base. */
static void random_access(uint64_t base, uint64_t r)
{
	uint64_t off = (r >> 8) & 0xfff, val = r >> 20 | r << 44;
	volatile void *p;

	if ((r & 0xf) < 10) {
		off &= ~3ULL;
		p = (volatile void *)(base + off);
		if (r & 0x10)
			*(volatile uint32_t *)p = val;
		else
			(void)*(volatile uint32_t *)p;
		return;
	}
	switch ((r >> 4) & 7) {
	case 0:	off &= ~7ULL; *(volatile uint64_t *)(base + off) = val; break;
	case 1:	off &= ~7ULL; (void)*(volatile uint64_t *)(base + off); break;
	case 2:	off &= ~1ULL; *(volatile uint16_t *)(base + off) = val; break;
	case 3:	off &= ~1ULL; (void)*(volatile uint16_t *)(base + off); break;
	case 4:	*(volatile uint8_t *)(base + off) = val; break;
	case 5:	(void)*(volatile uint8_t *)(base + off); break;
	default:
		/* Misaligned dwords, inside the page. */
		off = off > 0xffc ? 0xffc - (off & 3) : off;
		if (r & 0x80)
			*(volatile uint32_t *)(base + off) = val;
		else
			(void)*(volatile uint32_t *)(base + off);
	}
}

#define RANDOM_ACCESSES	100000

/* Interrupts stay off: random LVTs may name vectors below 32. */
static void guest_lapic_random(uint64_t seed)
{
	uint64_t rng = seed;
	unsigned int i, lvt;

	for (i = 0; i < RANDOM_ACCESSES; i++)
		random_access(GUEST_LAPIC_GPA, guest_rand(&rng));
	/* The APIC still works: sane registers, and a clean reset. */
	GUEST_ASSERT_EQ(0x14, apic_read(APIC_LVR) & 0xff);
	apic_write(APIC_SVR, 0xff);
	for (lvt = APIC_LVTT; lvt <= APIC_LVTERR; lvt += 0x10)
		GUEST_ASSERT_EQ3(LVT_MASKED, apic_read(lvt) & LVT_MASKED, lvt);
	apic_write(APIC_TMICT, 0);
	GUEST_ASSERT_EQ(0, apic_read(APIC_TMCCT));
	GUEST_SYNC(i);
}

TEST_F(apic, lapic_random_accesses)
{
	struct host_health h;
	struct guest_ucall uc;
	struct vm *vm;

	ASSERT_EQ(0, host_health_begin(&h));
	vm = guest_vm_create();
	ASSERT_NE(NULL, vm);
	ASSERT_EQ(0, guest_vm_start(vm, guest_lapic_random, 0xfeedfacecafebeefULL));
	ASSERT_UCALL(vm, UCALL_SYNC, &uc);
	EXPECT_EQ(RANDOM_ACCESSES, uc.args[0]);
	ASSERT_UCALL(vm, UCALL_DONE, &uc);
	vm_destroy(vm);
	ASSERT_HOST_HEALTHY(&h);
	host_health_end(&h);
}

/*
 * The I/O APIC: IOREGSEL and IOWIN with random registers and values, and
 * random accesses anywhere in its page; every 1,000 the host drives random
 * pins (HVX_IRQ_LINE), some of which do not exist.
 */
static void guest_ioapic_random(uint64_t seed)
{
	uint64_t rng = seed;
	unsigned int i;
	uint32_t ver;

	apic_enable();
	for (i = 0; i < RANDOM_ACCESSES; i++) {
		uint64_t r = guest_rand(&rng);

		switch (r & 7) {
		case 0: case 1: case 2:
			guest_mmio_write32(GUEST_IOAPIC_GPA, (r >> 8) & 0xff);
			break;
		case 3: case 4:
			guest_mmio_write32(GUEST_IOAPIC_GPA + 0x10, r >> 32);
			break;
		case 5:
			(void)guest_mmio_read32(GUEST_IOAPIC_GPA + 0x10);
			break;
		case 6:
			random_access(GUEST_IOAPIC_GPA, r >> 3);
			break;
		case 7:
			apic_write(APIC_EOI, 0);
			break;
		}
		if (i % 1000 == 999)
			GUEST_SYNC(i);
	}
	/* Still an 82093AA with 24 pins. */
	guest_mmio_write32(GUEST_IOAPIC_GPA, 1);
	ver = guest_mmio_read32(GUEST_IOAPIC_GPA + 0x10);
	GUEST_ASSERT_EQ(0x11, ver & 0xff);
	GUEST_ASSERT_EQ(23, (ver >> 16) & 0xff);
}

TEST_F(apic, ioapic_random_accesses)
{
	struct host_health h;
	struct guest_ucall uc;
	uint64_t rng = 42;
	struct vm *vm;
	int got, n = 0;

	ASSERT_EQ(0, host_health_begin(&h));
	vm = guest_vm_create();
	ASSERT_NE(NULL, vm);
	ASSERT_EQ(0, guest_vm_start(vm, guest_ioapic_random, 0x0123456789abcdefULL));
	for (;;) {
		struct vm_exit e;
		char buf[512];
		int i;

		got = guest_run(vm, &e, &uc);
		if (got != UCALL_SYNC)
			break;
		n++;
		for (i = 0; i < 8; i++) {
			uint64_t r = guest_rand(&rng);
			struct hvx_irq_level line = { .irq = r % 26, .level = (r >> 8) & 1 };
			int ret = ioctl(vm->vm_fd, HVX_IRQ_LINE, &line);

			ASSERT_EQ(line.irq < 24 ? 0 : -1, ret);
		}
		(void)buf;
		(void)e;
	}
	EXPECT_EQ(RANDOM_ACCESSES / 1000, n);
	ASSERT_EQ(UCALL_DONE, got);
	vm_destroy(vm);
	ASSERT_HOST_HEALTHY(&h);
	host_health_end(&h);
}

TEST_HARNESS_MAIN
