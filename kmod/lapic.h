/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The local APIC of a vCPU, in the kernel because Linux touches it on every
 * timer tick and interrupt: xAPIC registers at HVX_LAPIC_GPA, the timer in
 * one-shot, periodic and TSC-deadline modes, and the IRR/ISR pair that
 * decides which vector VM entry injects next.
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

	/*
	 * Interrupt sources (the timer in hard-irq context, the I/O APIC from
	 * any VMM thread) set bits here with atomic bitops; only the vCPU
	 * thread clears them when it injects.
	 */
	DECLARE_BITMAP(irr, 256);
	DECLARE_BITMAP(tmr, 256);	/* level-triggered vectors */
	/* The rest belongs to the vCPU thread. */
	DECLARE_BITMAP(isr, 256);
	u32 id, tpr, ldr, dfr, svr, esr, icr_low, icr_high;
	u32 lvt[HVX_LAPIC_NR_LVT];
	u32 timer_initial, timer_dcr;

	struct hrtimer timer;
	u64 timer_period_ns;		/* periodic mode; 0 otherwise */
	u64 tsc_deadline;		/* armed deadline, 0 if none */
};

void hvx_lapic_init(struct hvx_lapic *lapic, struct hvx_vcpu *vcpu);
void hvx_lapic_destroy(struct hvx_lapic *lapic);

bool hvx_lapic_is_mmio(u64 gpa);
u32 hvx_lapic_mmio_read(struct hvx_lapic *lapic, u64 gpa, unsigned int size);
void hvx_lapic_mmio_write(struct hvx_lapic *lapic, u64 gpa, unsigned int size, u32 val);

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

/* The vector to inject next, or -1; vCPU thread only. */
int hvx_lapic_next_vector(struct hvx_lapic *lapic);
/* The guest took @vector: it moves from IRR to ISR. */
void hvx_lapic_ack(struct hvx_lapic *lapic, int vector);

#endif
