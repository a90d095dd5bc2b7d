// SPDX-License-Identifier: GPL-2.0
/*
 * The host's time at any TSC value, from the latest sample: the host's
 * CLOCK_REALTIME then, plus the TSC ticks since, at our own TSC rate
 * (tsc_khz is the kernel's, never the host's word).  A PTP clock shows
 * it, for chrony's "refclock PHC /dev/ptpN" to discipline CLOCK_REALTIME
 * by; it is the host's clock, so it cannot be set or adjusted.
 *
 * The clock holds UTC, as the host's CLOCK_REALTIME does, not the TAI
 * that PTP clocks usually hold.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/overflow.h>
#include <linux/time64.h>
#include <asm/msr.h>
#include <asm/tsc.h>

#include "timesync.h"

/* A copy of the latest sample into @s; false if there is none yet. */
bool hvx_timesync_latest(struct hvx_timesync *ts, struct hvx_timesync_sample *s)
{
	unsigned int seq;
	bool have;

	do {
		seq = read_seqbegin(&ts->sample_lock);
		*s = ts->sample;
		have = ts->have_sample;
	} while (read_seqretry(&ts->sample_lock, seq));
	return have;
}

/*
 * The host's CLOCK_REALTIME in ns when our TSC read @tsc, by sample @s,
 * whose host time rx.c checked is not negative.  @tsc may be before the
 * sample's: a sample may be up to a second ahead, and a reader may read
 * the TSC after the receive work stored a newer sample than its own.
 * The host picks the sample, so no choice of it may fault or wrap: the
 * result saturates at 0 and S64_MAX.  0, or -EIO while the kernel knows
 * no TSC rate.
 */
int hvx_timesync_host_ns(const struct hvx_timesync_sample *s, u64 tsc, s64 *ns)
{
	u32 khz = READ_ONCE(tsc_khz);
	bool before = tsc < s->guest_tsc;
	u64 ticks = before ? s->guest_tsc - tsc : tsc - s->guest_tsc;
	s64 delta;

	if (!khz)
		return -EIO;
	/*
	 * On x86-64 mul_u64_u32_div() raises #DE when the quotient does not
	 * fit 64 bits.  Below this bound it is less than S64_MAX; above it,
	 * the ticks are three centuries.
	 */
	if (div_u64(ticks, khz) >= S64_MAX / NSEC_PER_MSEC)
		delta = S64_MAX;
	else
		delta = mul_u64_u32_div(ticks, NSEC_PER_MSEC, khz);

	/* Both are in [0, S64_MAX]: the difference cannot wrap. */
	if (before)
		*ns = max_t(s64, s->host_realtime_ns - delta, 0);
	else if (check_add_overflow(s->host_realtime_ns, delta, ns))
		*ns = S64_MAX;
	return 0;
}

static int hvx_timesync_gettimex64(struct ptp_clock_info *info, struct timespec64 *tp,
				   struct ptp_system_timestamp *sts)
{
	struct hvx_timesync *ts = container_of(info, struct hvx_timesync, ptp_info);
	struct hvx_timesync_sample s;
	s64 ns;
	u64 tsc;
	int err;

	/* The probe had a sample before it registered the clock. */
	if (!hvx_timesync_latest(ts, &s))
		return -EAGAIN;
	/* Only the TSC read between the two, so that they bracket it tightly. */
	ptp_read_system_prets(sts);
	tsc = rdtsc_ordered();
	ptp_read_system_postts(sts);

	err = hvx_timesync_host_ns(&s, tsc, &ns);
	if (err)
		return err;
	*tp = ns_to_timespec64(ns);
	return 0;
}

/* The host's clock is the host's: ours to read, not to set or slew. */
static int hvx_timesync_settime64(struct ptp_clock_info *info, const struct timespec64 *tp)
{
	return -EOPNOTSUPP;
}

static int hvx_timesync_adjtime(struct ptp_clock_info *info, s64 delta)
{
	return -EOPNOTSUPP;
}

/* The core calls it for a frequency of 0, which max_adj lets through. */
static int hvx_timesync_adjfine(struct ptp_clock_info *info, long scaled_ppm)
{
	return -EOPNOTSUPP;
}

static const struct ptp_clock_info hvx_timesync_ptp_info = {
	.owner		= THIS_MODULE,
	.name		= "hvx",
	.max_adj	= 0,
	.adjfine	= hvx_timesync_adjfine,
	.adjtime	= hvx_timesync_adjtime,
	.gettimex64	= hvx_timesync_gettimex64,
	.settime64	= hvx_timesync_settime64,
};

/* /dev/ptpN, under the channel's device.  Readers may come at once. */
int hvx_timesync_ptp_register(struct hvx_timesync *ts)
{
	struct ptp_clock *ptp;

	ts->ptp_info = hvx_timesync_ptp_info;
	ptp = ptp_clock_register(&ts->ptp_info, &ts->hdev->dev);
	/* NULL: a kernel without PTP clock support. */
	if (!ptp)
		return -EOPNOTSUPP;
	if (IS_ERR(ptp))
		return PTR_ERR(ptp);
	ts->ptp = ptp;
	return 0;
}
