// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel local APIC (xAPIC mode), from the SDM's chapter on the APIC.
 *
 * Every register is kept in the register page at its xAPIC offset, so that
 * the same page serves as the CPU's virtual-APIC page when the CPU
 * virtualizes the APIC.  Only the vCPU thread touches the page, and only
 * while the guest does not run; other threads raise interrupts through
 * lapic->pending.
 *
 * The timer is an hrtimer on the host: it only sets an IRR bit and kicks the
 * vCPU, and the next VM entry injects.  Periodic mode is clamped to a
 * minimum period so that a guest cannot make the host take interrupts
 * faster than it can serve them.
 */
#define pr_fmt(fmt) "hvx: " fmt

#include <linux/gfp.h>
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

static u32 *reg_ptr(struct hvx_lapic *lapic, unsigned int reg)
{
	return lapic->regs + reg;
}

/* READ_ONCE: the I/O APIC reads ID and LDR from other threads. */
static u32 reg_get(struct hvx_lapic *lapic, unsigned int reg)
{
	return READ_ONCE(*reg_ptr(lapic, reg));
}

static void reg_set(struct hvx_lapic *lapic, unsigned int reg, u32 val)
{
	WRITE_ONCE(*reg_ptr(lapic, reg), val);
}

/* IRR, ISR and TMR: 256 bits in eight registers 16 bytes apart. */
#define VECTOR_REG(base, vector)	((base) + ((vector) >> 5) * 0x10)

static void vector_set(struct hvx_lapic *lapic, unsigned int base, u8 vector)
{
	unsigned int reg = VECTOR_REG(base, vector);

	reg_set(lapic, reg, reg_get(lapic, reg) | BIT(vector & 31));
}

static void vector_clear(struct hvx_lapic *lapic, unsigned int base, u8 vector)
{
	unsigned int reg = VECTOR_REG(base, vector);

	reg_set(lapic, reg, reg_get(lapic, reg) & ~BIT(vector & 31));
}

static int highest_vector(struct hvx_lapic *lapic, unsigned int base)
{
	int i;

	for (i = 7; i >= 0; i--) {
		u32 word = reg_get(lapic, base + i * 0x10);

		if (word)
			return i * 32 + __fls(word);
	}
	return -1;
}

/* The 32 bits of @map for vectors 32 * @index to 32 * @index + 31. */
static u32 bitmap_word(const unsigned long *map, unsigned int index)
{
	BUILD_BUG_ON(BITS_PER_LONG != 64);
	return (u32)(READ_ONCE(map[index / 2]) >> (index % 2 * 32));
}

static unsigned int timer_mode(struct hvx_lapic *lapic)
{
	return (READ_ONCE(lapic->timer_lvt) >> LVT_TIMER_MODE_SHIFT) & 3;
}

static u32 timer_divisor(struct hvx_lapic *lapic)
{
	u32 dcr = reg_get(lapic, APIC_TDCR);
	u32 code = (dcr & 3) | ((dcr & 8) >> 1);

	return code == 7 ? 1 : 2 << code;
}

/* Nanoseconds for @count ticks of the divided bus clock. */
static u64 timer_ticks_to_ns(struct hvx_lapic *lapic, u64 count)
{
	BUILD_BUG_ON(NSEC_PER_SEC % HVX_APIC_BUS_HZ);
	/* At most 2^32 * 128 * NS_PER_BUS_TICK: no overflow. */
	return count * timer_divisor(lapic) * NS_PER_BUS_TICK;
}

void hvx_lapic_accept(struct hvx_lapic *lapic, u8 vector, bool level)
{
	/* Vectors 0-15 are illegal for fixed interrupts. */
	if (vector < 16)
		return;
	if (level)
		set_bit(vector, lapic->level);
	else
		clear_bit(vector, lapic->level);
	set_bit(vector, lapic->pending);
	hvx_vcpu_kick(lapic->vcpu);
}

static void timer_fire(struct hvx_lapic *lapic)
{
	u32 lvt = READ_ONCE(lapic->timer_lvt);

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
	u32 initial = reg_get(lapic, APIC_TMICT);
	u64 ns;

	timer_stop(lapic);
	if (!initial || timer_mode(lapic) == LVT_TIMER_TSC_DEADLINE)
		return;
	ns = timer_ticks_to_ns(lapic, initial);
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
		     reg_get(lapic, APIC_TMICT));
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

static u32 lapic_ppr(struct hvx_lapic *lapic)
{
	u32 tpr = reg_get(lapic, APIC_TASKPRI) & 0xff;
	int isrv = highest_vector(lapic, APIC_ISR);
	u32 isr_class = isrv < 0 ? 0 : isrv & 0xf0;

	return (tpr & 0xf0) >= isr_class ? tpr : isr_class;
}

/* The CPU keeps PPR itself when it virtualizes; hvx does after its own changes. */
static void update_ppr(struct hvx_lapic *lapic)
{
	reg_set(lapic, APIC_PROCPRI, lapic_ppr(lapic));
}

/* CR8 is TPR[7:4] (SDM "Task Priority in IA-32e Mode"). */
u64 hvx_lapic_get_cr8(struct hvx_lapic *lapic)
{
	return (reg_get(lapic, APIC_TASKPRI) >> 4) & 0xf;
}

int hvx_lapic_set_cr8(struct hvx_lapic *lapic, u64 cr8)
{
	if (cr8 > 15)
		return -EINVAL;
	reg_set(lapic, APIC_TASKPRI, cr8 << 4);
	update_ppr(lapic);
	return 0;
}

bool hvx_lapic_enabled(struct hvx_lapic *lapic)
{
	return reg_get(lapic, APIC_SPIV) & SVR_ENABLED;
}

static void sync_tmr(struct hvx_lapic *lapic)
{
	unsigned int i;

	for (i = 0; i < 8; i++)
		reg_set(lapic, APIC_TMR + i * 0x10, bitmap_word(lapic->level, i));
}

unsigned int hvx_lapic_sync_irr(struct hvx_lapic *lapic)
{
	unsigned int i, moved = 0;

	for (i = 0; i < BITS_TO_LONGS(256); i++) {
		unsigned long bits;

		if (!READ_ONCE(lapic->pending[i]))
			continue;
		bits = xchg(&lapic->pending[i], 0);
		reg_set(lapic, APIC_IRR + 2 * i * 0x10,
			reg_get(lapic, APIC_IRR + 2 * i * 0x10) | (u32)bits);
		reg_set(lapic, APIC_IRR + (2 * i + 1) * 0x10,
			reg_get(lapic, APIC_IRR + (2 * i + 1) * 0x10) | (u32)(bits >> 32));
		moved += hweight64(bits);
	}
	if (moved)
		sync_tmr(lapic);
	return moved;
}

u8 hvx_lapic_highest_irr(struct hvx_lapic *lapic)
{
	return max(highest_vector(lapic, APIC_IRR), 0);
}

u8 hvx_lapic_highest_isr(struct hvx_lapic *lapic)
{
	return max(highest_vector(lapic, APIC_ISR), 0);
}

int hvx_lapic_next_vector(struct hvx_lapic *lapic)
{
	unsigned long pending = find_last_bit(lapic->pending, 256);
	int vector = highest_vector(lapic, APIC_IRR);

	if (!hvx_lapic_enabled(lapic))
		return -1;
	if (pending < 256 && (int)pending > vector)
		vector = pending;
	if (vector < 0 || (vector & 0xf0) <= (lapic_ppr(lapic) & 0xf0))
		return -1;
	return vector;
}

void hvx_lapic_ack(struct hvx_lapic *lapic, int vector)
{
	vector_clear(lapic, APIC_IRR, vector);
	vector_set(lapic, APIC_ISR, vector);
	update_ppr(lapic);
}

/* @vector left the ISR: a level-triggered one tells the I/O APIC. */
static void lapic_end_vector(struct hvx_lapic *lapic, u8 vector)
{
	if (!test_and_clear_bit(vector, lapic->level))
		return;
	vector_clear(lapic, APIC_TMR, vector);
	hvx_ioapic_eoi(lapic->vcpu->vm, vector);
}

static void lapic_eoi(struct hvx_lapic *lapic)
{
	int vector = highest_vector(lapic, APIC_ISR);

	if (vector < 0)
		return;
	vector_clear(lapic, APIC_ISR, vector);
	update_ppr(lapic);
	lapic_end_vector(lapic, vector);
}

void hvx_lapic_eoi_exit(struct hvx_lapic *lapic, u8 vector)
{
	/* The CPU has taken @vector out of the ISR and updated the PPR. */
	lapic_end_vector(lapic, vector);
}

bool hvx_lapic_match_dest(struct hvx_lapic *lapic, u8 dest, bool logical)
{
	if (!logical)
		return dest == 0xff || dest == reg_get(lapic, APIC_ID) >> 24;
	/* Flat model only: Linux uses it with up to eight CPUs. */
	return dest & (reg_get(lapic, APIC_LDR) >> 24);
}

static void lapic_send_ipi(struct hvx_lapic *lapic)
{
	u32 icr = reg_get(lapic, APIC_ICR);
	unsigned int shorthand = (icr >> ICR_SHORTHAND_SHIFT) & 3;
	bool to_self;

	/* One vCPU: an IPI either reaches this APIC or nobody. */
	if ((icr & ICR_DELIVERY_MASK) != ICR_DELIVERY_FIXED)
		return;
	if (shorthand == ICR_SHORTHAND_NONE)
		to_self = hvx_lapic_match_dest(lapic, reg_get(lapic, APIC_ICR2) >> 24,
					       icr & APIC_DEST_LOGICAL);
	else
		to_self = shorthand == ICR_SHORTHAND_SELF || shorthand == ICR_SHORTHAND_ALL;
	if (!to_self)
		return;
	if ((icr & 0xff) < 16)
		reg_set(lapic, APIC_ESR, reg_get(lapic, APIC_ESR) | ESR_ILLEGAL_VECTOR);
	else
		hvx_lapic_accept(lapic, icr & 0xff, false);
}

static u32 lapic_read_reg(struct hvx_lapic *lapic, unsigned int reg)
{
	switch (reg) {
	case APIC_PROCPRI:
		return lapic_ppr(lapic);
	case APIC_TMCCT:
		return timer_current_count(lapic);
	case APIC_ID:
	case APIC_LVR:
	case APIC_TASKPRI:
	case APIC_LDR:
	case APIC_DFR:
	case APIC_SPIV:
	case APIC_ISR ... APIC_ISR + 0x70:
	case APIC_TMR ... APIC_TMR + 0x70:
	case APIC_IRR ... APIC_IRR + 0x70:
	case APIC_ESR:
	case APIC_ICR:
	case APIC_ICR2:
	case APIC_LVTT ... APIC_LVTERR:
	case APIC_TMICT:
	case APIC_TDCR:
		return reg_get(lapic, reg);
	default:
		return 0;
	}
}

static void lapic_write_lvt(struct hvx_lapic *lapic, unsigned int index, u32 val)
{
	u32 old = READ_ONCE(lapic->timer_lvt);

	if (!hvx_lapic_enabled(lapic))
		val |= LVT_MASKED;
	reg_set(lapic, APIC_LVTT + index * 0x10, val & lvt_writable[index]);
	if (index)
		return;
	WRITE_ONCE(lapic->timer_lvt, val & lvt_writable[index]);
	/* A mode change stops the timer (SDM "APIC timer"). */
	if (((old ^ val) >> LVT_TIMER_MODE_SHIFT) & 3) {
		timer_stop(lapic);
		reg_set(lapic, APIC_TMICT, 0);
		WRITE_ONCE(lapic->tsc_deadline, 0);
	}
}

/*
 * A guest write of @val to @reg.  With APIC virtualization the CPU has
 * already stored @val in the page: every case stores what the register
 * really holds, so nothing the guest wrote stays unchecked.
 */
static void lapic_write_reg(struct hvx_lapic *lapic, unsigned int reg, u32 val)
{
	unsigned int i;

	switch (reg) {
	case APIC_ID:
		reg_set(lapic, APIC_ID, val & 0xff000000);
		break;
	case APIC_TASKPRI:
		reg_set(lapic, APIC_TASKPRI, val & 0xff);
		update_ppr(lapic);
		break;
	case APIC_EOI:
		reg_set(lapic, APIC_EOI, 0);
		lapic_eoi(lapic);
		break;
	case APIC_LDR:
		reg_set(lapic, APIC_LDR, val & 0xff000000);
		break;
	case APIC_DFR:
		reg_set(lapic, APIC_DFR, val | 0x0fffffff);
		break;
	case APIC_SPIV:
		reg_set(lapic, APIC_SPIV, val & 0x3ff);
		if (!(val & SVR_ENABLED))
			for (i = 0; i < HVX_LAPIC_NR_LVT; i++)
				lapic_write_lvt(lapic, i, reg_get(lapic, APIC_LVTT + i * 0x10));
		break;
	case APIC_ESR:
		reg_set(lapic, APIC_ESR, 0);
		break;
	case APIC_ICR:
		reg_set(lapic, APIC_ICR, val & ~APIC_ICR_BUSY);
		lapic_send_ipi(lapic);
		break;
	case APIC_ICR2:
		reg_set(lapic, APIC_ICR2, val & 0xff000000);
		break;
	case APIC_LVTT ... APIC_LVTERR:
		if (!(reg & 0xf))
			lapic_write_lvt(lapic, (reg - APIC_LVTT) >> 4, val);
		break;
	case APIC_TMICT:
		reg_set(lapic, APIC_TMICT, val);
		timer_start_count(lapic);
		break;
	case APIC_TDCR:
		reg_set(lapic, APIC_TDCR, val & 0xb);
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

void hvx_lapic_apic_write(struct hvx_lapic *lapic, unsigned int offset)
{
	unsigned int reg = offset & 0xff0;

	lapic_write_reg(lapic, reg, reg_get(lapic, reg));
}

int hvx_lapic_init(struct hvx_lapic *lapic, struct hvx_vcpu *vcpu, bool virtualized)
{
	unsigned int i;

	memset(lapic, 0, sizeof(*lapic));
	lapic->regs = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!lapic->regs)
		return -ENOMEM;
	lapic->vcpu = vcpu;
	lapic->virtualized = virtualized;
	reg_set(lapic, APIC_ID, vcpu->id << 24);
	reg_set(lapic, APIC_LVR, LAPIC_VERSION);
	reg_set(lapic, APIC_DFR, 0xffffffff);
	reg_set(lapic, APIC_SPIV, 0xff);
	for (i = 0; i < HVX_LAPIC_NR_LVT; i++)
		reg_set(lapic, APIC_LVTT + i * 0x10, LVT_MASKED);
	lapic->timer_lvt = LVT_MASKED;
	hrtimer_init(&lapic->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	lapic->timer.function = timer_expired;
	return 0;
}

void hvx_lapic_destroy(struct hvx_lapic *lapic)
{
	hrtimer_cancel(&lapic->timer);
	free_page((unsigned long)lapic->regs);
}
