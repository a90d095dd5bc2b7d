// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel local APIC (xAPIC mode), from the SDM's chapter on the APIC.
 *
 * The timer is an hrtimer on the host: it only sets an IRR bit and kicks the
 * vCPU, and the next VM entry injects.  Periodic mode is clamped to a
 * minimum period so that a guest cannot make the host take interrupts
 * faster than it can serve them.
 */
#define pr_fmt(fmt) "hvx: " fmt

#include <linux/kernel.h>
#include <linux/math64.h>
#include <asm/apicdef.h>
#include <asm/msr.h>
#include <asm/tsc.h>

#include "hvx.h"
#include "lapic.h"

#define LAPIC_VERSION		(0x14 | ((HVX_LAPIC_NR_LVT - 1) << 16))
#define LVT_MASKED		BIT(16)
#define LVT_TIMER_MODE_SHIFT	17
#define LVT_TIMER_ONESHOT	0
#define LVT_TIMER_PERIODIC	1
#define LVT_TIMER_TSC_DEADLINE	2
#define SVR_ENABLED		BIT(8)
#define ICR_DELIVERY_MASK	0x700
#define ICR_DELIVERY_FIXED	0x000
#define ICR_SHORTHAND_SHIFT	18
#define ICR_SHORTHAND_NONE	0
#define ICR_SHORTHAND_SELF	1
#define ICR_SHORTHAND_ALL	2
#define ESR_ILLEGAL_VECTOR	BIT(6)
#define MIN_PERIOD_NS		(200 * NSEC_PER_USEC)
#define NS_PER_BUS_TICK		(NSEC_PER_SEC / HVX_APIC_BUS_HZ)

/* Writable bits of each LVT entry (SDM figure "Local Vector Table"). */
static const u32 lvt_writable[HVX_LAPIC_NR_LVT] = {
	0x000700ff | LVT_MASKED,	/* timer: vector, mode (2 bits) */
	0x000007ff | LVT_MASKED,	/* thermal */
	0x000007ff | LVT_MASKED,	/* perf */
	0x0000e7ff | LVT_MASKED,	/* LINT0: + polarity, trigger */
	0x0000e7ff | LVT_MASKED,	/* LINT1 */
	0x000000ff | LVT_MASKED,	/* error */
};

bool hvx_lapic_is_mmio(u64 gpa)
{
	return (gpa & PAGE_MASK) == HVX_LAPIC_GPA;
}

static unsigned int timer_mode(struct hvx_lapic *lapic)
{
	return (READ_ONCE(lapic->lvt[0]) >> LVT_TIMER_MODE_SHIFT) & 3;
}

static u32 timer_divisor(struct hvx_lapic *lapic)
{
	u32 code = (lapic->timer_dcr & 3) | ((lapic->timer_dcr & 8) >> 1);

	return code == 7 ? 1 : 2 << code;
}

/* Nanoseconds for @count ticks of the divided bus clock. */
static u64 timer_ticks_to_ns(struct hvx_lapic *lapic, u64 count)
{
	BUILD_BUG_ON(NSEC_PER_SEC % HVX_APIC_BUS_HZ);
	/* At most 2^32 * 128 * NS_PER_BUS_TICK: no overflow. */
	return count * timer_divisor(lapic) * NS_PER_BUS_TICK;
}

static int highest_bit(const unsigned long *map)
{
	unsigned long bit = find_last_bit(map, 256);

	return bit < 256 ? bit : -1;
}

void hvx_lapic_accept(struct hvx_lapic *lapic, u8 vector, bool level)
{
	/* Vectors 0-15 are illegal for fixed interrupts. */
	if (vector < 16)
		return;
	if (level)
		set_bit(vector, lapic->tmr);
	else
		clear_bit(vector, lapic->tmr);
	set_bit(vector, lapic->irr);
	hvx_vcpu_kick(lapic->vcpu);
}

static void timer_fire(struct hvx_lapic *lapic)
{
	u32 lvt = READ_ONCE(lapic->lvt[0]);

	if (!(lvt & LVT_MASKED))
		hvx_lapic_accept(lapic, lvt & 0xff, false);
}

static enum hrtimer_restart timer_expired(struct hrtimer *timer)
{
	struct hvx_lapic *lapic = container_of(timer, struct hvx_lapic, timer);

	timer_fire(lapic);
	if (timer_mode(lapic) == LVT_TIMER_TSC_DEADLINE)
		WRITE_ONCE(lapic->tsc_deadline, 0);
	if (lapic->timer_period_ns) {
		hrtimer_forward_now(timer, ns_to_ktime(lapic->timer_period_ns));
		return HRTIMER_RESTART;
	}
	return HRTIMER_NORESTART;
}

static void timer_stop(struct hvx_lapic *lapic)
{
	hrtimer_cancel(&lapic->timer);
	lapic->timer_period_ns = 0;
}

static void timer_start_count(struct hvx_lapic *lapic)
{
	u64 ns;

	timer_stop(lapic);
	if (!lapic->timer_initial || timer_mode(lapic) == LVT_TIMER_TSC_DEADLINE)
		return;
	ns = timer_ticks_to_ns(lapic, lapic->timer_initial);
	if (timer_mode(lapic) == LVT_TIMER_PERIODIC)
		lapic->timer_period_ns = ns = max_t(u64, ns, MIN_PERIOD_NS);
	hrtimer_start(&lapic->timer, ns_to_ktime(ns), HRTIMER_MODE_REL_HARD);
}

static u32 timer_current_count(struct hvx_lapic *lapic)
{
	s64 ns;

	if (!hrtimer_active(&lapic->timer) || timer_mode(lapic) == LVT_TIMER_TSC_DEADLINE)
		return 0;
	ns = ktime_to_ns(hrtimer_get_remaining(&lapic->timer));
	if (ns <= 0)
		return 0;
	return min_t(u64, div_u64(ns, NS_PER_BUS_TICK * timer_divisor(lapic)),
		     lapic->timer_initial);
}

u64 hvx_lapic_get_tsc_deadline(struct hvx_lapic *lapic)
{
	if (timer_mode(lapic) != LVT_TIMER_TSC_DEADLINE)
		return 0;
	return READ_ONCE(lapic->tsc_deadline);
}

void hvx_lapic_set_tsc_deadline(struct hvx_lapic *lapic, u64 deadline)
{
	u64 now, ns;

	/* Outside TSC-deadline mode the MSR write is ignored (SDM). */
	if (timer_mode(lapic) != LVT_TIMER_TSC_DEADLINE)
		return;
	timer_stop(lapic);
	WRITE_ONCE(lapic->tsc_deadline, deadline);
	if (!deadline)
		return;
	now = rdtsc();
	if (deadline <= now) {
		WRITE_ONCE(lapic->tsc_deadline, 0);
		timer_fire(lapic);
		return;
	}
	ns = hvx_lapic_tsc_delta_to_ns(deadline - now, tsc_khz);
	hrtimer_start(&lapic->timer, ns_to_ktime(ns), HRTIMER_MODE_REL_HARD);
}

/*
 * TSC ticks to nanoseconds without overflow: the guest picks the deadline,
 * so the quotient of ticks * 10^6 / kHz may not fit in 64 bits (it raised
 * #DE in mul_u64_u32_div() for a deadline of ~0 on a 50 MHz TSC), and
 * tsc_khz may be 0 on a host that never calibrated it.  Deadlines beyond
 * KTIME_MAX are as good as never.
 */
u64 hvx_lapic_tsc_delta_to_ns(u64 delta, u32 khz)
{
	if (!khz || div_u64(delta, khz) >= KTIME_MAX / USEC_PER_SEC)
		return KTIME_MAX;
	return mul_u64_u32_div(delta, USEC_PER_SEC, khz);
}

/* CR8 is TPR[7:4] (SDM "Task Priority in IA-32e Mode"). */
u64 hvx_lapic_get_cr8(struct hvx_lapic *lapic)
{
	return (lapic->tpr >> 4) & 0xf;
}

int hvx_lapic_set_cr8(struct hvx_lapic *lapic, u64 cr8)
{
	if (cr8 > 15)
		return -EINVAL;
	lapic->tpr = cr8 << 4;
	return 0;
}

static u32 lapic_ppr(struct hvx_lapic *lapic)
{
	int isrv = highest_bit(lapic->isr);
	u32 isr_class = isrv < 0 ? 0 : isrv & 0xf0;

	return (lapic->tpr & 0xf0) >= isr_class ? lapic->tpr & 0xff : isr_class;
}

int hvx_lapic_next_vector(struct hvx_lapic *lapic)
{
	int vector;

	if (!(lapic->svr & SVR_ENABLED))
		return -1;
	vector = highest_bit(lapic->irr);
	if (vector < 0 || (vector & 0xf0) <= (lapic_ppr(lapic) & 0xf0))
		return -1;
	return vector;
}

void hvx_lapic_ack(struct hvx_lapic *lapic, int vector)
{
	clear_bit(vector, lapic->irr);
	__set_bit(vector, lapic->isr);
}

static void lapic_eoi(struct hvx_lapic *lapic)
{
	int vector = highest_bit(lapic->isr);

	if (vector < 0)
		return;
	__clear_bit(vector, lapic->isr);
	if (test_and_clear_bit(vector, lapic->tmr))
		hvx_ioapic_eoi(lapic->vcpu->vm, vector);
}

bool hvx_lapic_match_dest(struct hvx_lapic *lapic, u8 dest, bool logical)
{
	if (!logical)
		return dest == 0xff || dest == lapic->id >> 24;
	/* Flat model only: Linux uses it with up to eight CPUs. */
	return dest & (lapic->ldr >> 24);
}

static void lapic_send_ipi(struct hvx_lapic *lapic)
{
	u32 icr = lapic->icr_low;
	unsigned int shorthand = (icr >> ICR_SHORTHAND_SHIFT) & 3;
	bool to_self;

	/* One vCPU: an IPI either reaches this APIC or nobody. */
	if ((icr & ICR_DELIVERY_MASK) != ICR_DELIVERY_FIXED)
		return;
	if (shorthand == ICR_SHORTHAND_NONE)
		to_self = hvx_lapic_match_dest(lapic, lapic->icr_high >> 24,
					       icr & APIC_DEST_LOGICAL);
	else
		to_self = shorthand == ICR_SHORTHAND_SELF || shorthand == ICR_SHORTHAND_ALL;
	if (!to_self)
		return;
	if ((icr & 0xff) < 16)
		lapic->esr |= ESR_ILLEGAL_VECTOR;
	else
		hvx_lapic_accept(lapic, icr & 0xff, false);
}

static u32 bitmap_word(const unsigned long *map, unsigned int index)
{
	return bitmap_get_value8(map, index * 32) |
	       bitmap_get_value8(map, index * 32 + 8) << 8 |
	       bitmap_get_value8(map, index * 32 + 16) << 16 |
	       bitmap_get_value8(map, index * 32 + 24) << 24;
}

static u32 lapic_read_reg(struct hvx_lapic *lapic, unsigned int reg)
{
	switch (reg) {
	case APIC_ID:
		return lapic->id;
	case APIC_LVR:
		return LAPIC_VERSION;
	case APIC_TASKPRI:
		return lapic->tpr;
	case APIC_PROCPRI:
		return lapic_ppr(lapic);
	case APIC_LDR:
		return lapic->ldr;
	case APIC_DFR:
		return lapic->dfr;
	case APIC_SPIV:
		return lapic->svr;
	case APIC_ISR ... APIC_ISR + 0x70:
		return bitmap_word(lapic->isr, (reg - APIC_ISR) >> 4);
	case APIC_TMR ... APIC_TMR + 0x70:
		return bitmap_word(lapic->tmr, (reg - APIC_TMR) >> 4);
	case APIC_IRR ... APIC_IRR + 0x70:
		return bitmap_word(lapic->irr, (reg - APIC_IRR) >> 4);
	case APIC_ESR:
		return lapic->esr;
	case APIC_ICR:
		return lapic->icr_low;
	case APIC_ICR2:
		return lapic->icr_high;
	case APIC_LVTT ... APIC_LVTERR:
		return lapic->lvt[(reg - APIC_LVTT) >> 4];
	case APIC_TMICT:
		return lapic->timer_initial;
	case APIC_TMCCT:
		return timer_current_count(lapic);
	case APIC_TDCR:
		return lapic->timer_dcr;
	default:
		return 0;
	}
}

static void lapic_write_lvt(struct hvx_lapic *lapic, unsigned int index, u32 val)
{
	u32 old = lapic->lvt[index];

	if (!(lapic->svr & SVR_ENABLED))
		val |= LVT_MASKED;
	WRITE_ONCE(lapic->lvt[index], val & lvt_writable[index]);
	/* A mode change stops the timer (SDM "APIC timer"). */
	if (index == 0 && ((old ^ val) >> LVT_TIMER_MODE_SHIFT) & 3) {
		timer_stop(lapic);
		lapic->timer_initial = 0;
		WRITE_ONCE(lapic->tsc_deadline, 0);
	}
}

static void lapic_write_reg(struct hvx_lapic *lapic, unsigned int reg, u32 val)
{
	unsigned int i;

	switch (reg) {
	case APIC_ID:
		lapic->id = val & 0xff000000;
		break;
	case APIC_TASKPRI:
		lapic->tpr = val & 0xff;
		break;
	case APIC_EOI:
		lapic_eoi(lapic);
		break;
	case APIC_LDR:
		lapic->ldr = val & 0xff000000;
		break;
	case APIC_DFR:
		lapic->dfr = val | 0x0fffffff;
		break;
	case APIC_SPIV:
		lapic->svr = val & 0x3ff;
		if (!(val & SVR_ENABLED))
			for (i = 0; i < HVX_LAPIC_NR_LVT; i++)
				WRITE_ONCE(lapic->lvt[i], lapic->lvt[i] | LVT_MASKED);
		break;
	case APIC_ESR:
		lapic->esr = 0;
		break;
	case APIC_ICR:
		lapic->icr_low = val & ~APIC_ICR_BUSY;
		lapic_send_ipi(lapic);
		break;
	case APIC_ICR2:
		lapic->icr_high = val & 0xff000000;
		break;
	case APIC_LVTT ... APIC_LVTERR:
		if (!(reg & 0xf))
			lapic_write_lvt(lapic, (reg - APIC_LVTT) >> 4, val);
		break;
	case APIC_TMICT:
		lapic->timer_initial = val;
		timer_start_count(lapic);
		break;
	case APIC_TDCR:
		lapic->timer_dcr = val & 0xb;
		break;
	default:
		/* Read-only and reserved registers ignore writes. */
		break;
	}
}

u32 hvx_lapic_mmio_read(struct hvx_lapic *lapic, u64 gpa, unsigned int size)
{
	unsigned int offset = gpa & 0xfff;
	u32 val = lapic_read_reg(lapic, offset & ~0xf);
	unsigned int shift = (offset & 3) * 8;

	/* Registers are 32 bits wide at 16-byte strides; bytes 4-15 read 0. */
	if ((offset & 0xf) >= 4)
		return 0;
	val >>= shift;
	return size >= 4 ? val : val & ((1U << (size * 8)) - 1);
}

void hvx_lapic_mmio_write(struct hvx_lapic *lapic, u64 gpa, unsigned int size, u32 val)
{
	unsigned int offset = gpa & 0xfff;

	/* Only aligned 32-bit writes are defined; hardware drops the rest. */
	if (size != 4 || (offset & 0xf))
		return;
	lapic_write_reg(lapic, offset, val);
}

void hvx_lapic_init(struct hvx_lapic *lapic, struct hvx_vcpu *vcpu)
{
	unsigned int i;

	memset(lapic, 0, sizeof(*lapic));
	lapic->vcpu = vcpu;
	lapic->id = vcpu->id << 24;
	lapic->dfr = 0xffffffff;
	lapic->svr = 0xff;
	for (i = 0; i < HVX_LAPIC_NR_LVT; i++)
		lapic->lvt[i] = LVT_MASKED;
	hrtimer_init(&lapic->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	lapic->timer.function = timer_expired;
}

void hvx_lapic_destroy(struct hvx_lapic *lapic)
{
	hrtimer_cancel(&lapic->timer);
}
