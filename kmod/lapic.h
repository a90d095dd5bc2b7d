/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The local APIC of a vCPU, in the kernel because Linux touches it on every
 * timer tick and interrupt: xAPIC registers at HVX_LAPIC_GPA, the timer in
 * one-shot, periodic and TSC-deadline modes, and the IRR/ISR pair that
 * decides which vector the guest takes next.
 *
 * The registers live in one page at their xAPIC offsets.  With APIC
 * virtualization (lapic->virtualized) that page is the CPU's virtual-APIC
 * page: the guest reads most registers and ends interrupts without an
 * exit, and the CPU delivers from the IRR and updates the ISR itself.
 */
#ifndef HVX_LAPIC_H
#define HVX_LAPIC_H

#include <linux/bitmap.h>
#include <linux/hrtimer.h>
#include <linux/types.h>

struct hvx_vcpu;

#define HVX_LAPIC_NR_LVT	6	/* timer, thermal, perf, LINT0, LINT1, error */

struct hvx_lapic {
	struct hvx_vcpu *vcpu;
	void *regs;			/* the register page */
	bool virtualized;		/* regs is the CPU's virtual-APIC page */

	/*
	 * Interrupt sources (the timer in hard-irq context, the I/O APIC from
	 * any VMM thread) set bits here with atomic bitops.  Only the vCPU
	 * thread moves them into the IRR, before VM entry: while the guest
	 * runs, the CPU rewrites IRR words with plain stores, so a bit set
	 * there from another CPU could be lost.
	 */
	DECLARE_BITMAP(pending, 256);
	DECLARE_BITMAP(level, 256);	/* level-triggered vectors: the TMR */

	u32 timer_lvt;			/* LVT timer as last accepted */
	struct hrtimer timer;
	u64 timer_period_ns;		/* periodic mode; 0 otherwise */
	u64 tsc_deadline;		/* armed deadline, 0 if none */
};

int hvx_lapic_init(struct hvx_lapic *lapic, struct hvx_vcpu *vcpu, bool virtualized);
void hvx_lapic_destroy(struct hvx_lapic *lapic);

bool hvx_lapic_is_mmio(u64 gpa);
u32 hvx_lapic_mmio_read(struct hvx_lapic *lapic, u64 gpa, unsigned int size);
void hvx_lapic_mmio_write(struct hvx_lapic *lapic, u64 gpa, unsigned int size, u32 val);
/* The guest wrote register @offset of the virtual-APIC page (APIC-write exit). */
void hvx_lapic_apic_write(struct hvx_lapic *lapic, unsigned int offset);
/* The CPU ended @vector for the guest and exits for it: a level-triggered one. */
void hvx_lapic_eoi_exit(struct hvx_lapic *lapic, u8 vector);

u64 hvx_lapic_get_tsc_deadline(struct hvx_lapic *lapic);
void hvx_lapic_set_tsc_deadline(struct hvx_lapic *lapic, u64 deadline);
u64 hvx_lapic_tsc_delta_to_ns(u64 delta, u32 khz);

/* MOV to/from CR8 in 64-bit mode: the TPR's priority class. */
u64 hvx_lapic_get_cr8(struct hvx_lapic *lapic);
int hvx_lapic_set_cr8(struct hvx_lapic *lapic, u64 cr8);

/* Raise @vector, from any context; kicks the vCPU. */
void hvx_lapic_accept(struct hvx_lapic *lapic, u8 vector, bool level);
/* Whether @dest in @logical or physical mode names this APIC. */
bool hvx_lapic_match_dest(struct hvx_lapic *lapic, u8 dest, bool logical);

/*
 * vCPU thread only, the guest not running.  Moves pending vectors into the
 * IRR and returns how many it moved.
 */
unsigned int hvx_lapic_sync_irr(struct hvx_lapic *lapic);
/* The vector the guest would take next, or -1 (none, or masked by the PPR). */
int hvx_lapic_next_vector(struct hvx_lapic *lapic);
/* The highest vector in the IRR or ISR, 0 for none, and whether it is enabled. */
u8 hvx_lapic_highest_irr(struct hvx_lapic *lapic);
u8 hvx_lapic_highest_isr(struct hvx_lapic *lapic);
bool hvx_lapic_enabled(struct hvx_lapic *lapic);
/* The guest took @vector: it moves from IRR to ISR. */
void hvx_lapic_ack(struct hvx_lapic *lapic, int vector);

#endif
