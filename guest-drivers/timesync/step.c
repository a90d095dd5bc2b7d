// SPDX-License-Identifier: GPL-2.0
/*
 * Steps CLOCK_REALTIME to the host's time when the two are far apart: a
 * guest that booted with a wrong RTC, or one that was paused.  Only large
 * errors are ours to fix, and at once; chrony, with "refclock PHC
 * /dev/ptpN", does the fine discipline, which small steps would disturb.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/moduleparam.h>
#include <linux/time64.h>
#include <linux/timekeeping.h>
#include <asm/msr.h>

#include "timesync.h"

static unsigned int step_threshold_ms = 1000;
module_param(step_threshold_ms, uint, 0644);
MODULE_PARM_DESC(step_threshold_ms,
		 "Step the clock when it is more than this far from the host's, in ms (0: never)");

/* The host's time now, by @s, and how far ahead of CLOCK_REALTIME it is. */
static int hvx_timesync_offset(const struct hvx_timesync_sample *s, s64 *host, s64 *offset)
{
	int err;

	err = hvx_timesync_host_ns(s, rdtsc_ordered(), host);
	if (err)
		return err;
	/* Neither is negative (settimeofday refuses times before 1970): no wrap. */
	*offset = *host - ktime_get_real();
	return 0;
}

/* By the threshold as it is now: the parameter may change at any time. */
static bool hvx_timesync_too_far(s64 offset)
{
	unsigned int ms = READ_ONCE(step_threshold_ms);
	s64 threshold = (s64)ms * NSEC_PER_MSEC;

	return ms && (offset > threshold || offset < -threshold);
}

/*
 * After each sample taken, in the receive work.  The step itself is left
 * to its own work, so that a burst of samples (after a pause) steps once,
 * by the newest of them.
 */
void hvx_timesync_check_offset(struct hvx_timesync *ts, const struct hvx_timesync_sample *s)
{
	s64 host, offset;

	if (hvx_timesync_offset(s, &host, &offset))
		return;
	atomic64_set(&ts->last_offset_ns, offset);
	if (hvx_timesync_too_far(offset))
		schedule_work(&ts->step_work);
}

void hvx_timesync_step_work(struct work_struct *work)
{
	struct hvx_timesync *ts = container_of(work, struct hvx_timesync, step_work);
	struct hvx_timesync_sample s;
	struct timespec64 now;
	s64 host, offset;
	int err;

	/*
	 * Again, right before the step: the work may have waited, a newer
	 * sample may have come, or chrony or the admin fixed the clock.
	 */
	if (!hvx_timesync_latest(ts, &s) || hvx_timesync_offset(&s, &host, &offset) ||
	    !hvx_timesync_too_far(offset))
		return;
	now = ns_to_timespec64(host);
	err = do_settimeofday64(&now);
	if (err) {
		/* A host time past what the kernel keeps, say. */
		dev_warn_ratelimited(&ts->hdev->dev, "stepping the clock by %+lld ms failed: %d\n",
				     div_s64(offset, NSEC_PER_MSEC), err);
		return;
	}
	atomic64_inc(&ts->steps);
	/* Rate-limited: a host that keeps jumping must not flood the log. */
	dev_info_ratelimited(&ts->hdev->dev, "stepped the clock by %+lld ms\n",
			     div_s64(offset, NSEC_PER_MSEC));
}
