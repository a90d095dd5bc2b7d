// SPDX-License-Identifier: GPL-2.0
/*
 * What the host sends: samples, about one a second and at once after a
 * pause, and the answer to GET_SAMPLE.  The signal handler only masks the
 * ring's signals and queues the receive work, which is the ring's one
 * consumer: samples are few, and in process context their checks may read
 * the clocks at leisure.
 *
 * Each packet is copied whole into a private buffer before anything of it
 * is looked at, so that the host cannot change it between check and use.
 * A sample is taken only if it makes sense: long enough, of the right
 * type, with a host time after 1970 and a TSC value not more than a second
 * ahead of ours.  Whatever else comes is counted as rejected and dropped.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/time64.h>
#include <asm/msr.h>
#include <asm/tsc.h>

#include "timesync.h"

/*
 * Packets per run of the work: a host that floods the ring shares the
 * worker with others, and cannot keep cancel_work_sync() waiting forever.
 */
#define HVX_TIMESYNC_RX_BUDGET	64

/* NULL if the @len bytes at @s are a sample we take, else why not. */
static const char *hvx_timesync_check(const struct hvx_timesync_sample *s, u32 len)
{
	u64 now, second;

	if (len < sizeof(s->msg))
		return "too short";
	if (s->msg.type != HVX_TIMESYNC_MSG_SAMPLE)
		return "not a sample";
	if (len < sizeof(*s))
		return "a short sample";
	if (s->host_realtime_ns < 0)
		return "a host time before 1970";
	/*
	 * The host read our TSC when it took the sample, before we read it
	 * now: a value ahead of ours is a lie, give or take the skew between
	 * our CPUs.  One in the past is whatever the host took a while ago,
	 * which ptp.c copes with however far back it is.
	 */
	now = rdtsc_ordered();
	second = (u64)READ_ONCE(tsc_khz) * MSEC_PER_SEC;
	if (s->guest_tsc > now && s->guest_tsc - now > second)
		return "a TSC value in the future";
	return NULL;
}

/* A sample that passed the checks: the newest one the clock goes by. */
static void hvx_timesync_take(struct hvx_timesync *ts, const struct hvx_timesync_sample *s)
{
	write_seqlock(&ts->sample_lock);
	ts->sample = *s;
	ts->have_sample = true;
	write_sequnlock(&ts->sample_lock);

	atomic64_inc(&ts->samples);
	if (s->flags & HVX_TIMESYNC_F_RESUMED)
		atomic64_inc(&ts->resumed);
	hvx_timesync_check_offset(ts, s);
}

/* One packet, @len bytes of it in ts->rx_buf. */
static void hvx_timesync_rx(struct hvx_timesync *ts, const struct hvx_packet_desc *desc, u32 len)
{
	const struct hvx_timesync_sample *s = ts->rx_buf;
	const char *bad = hvx_timesync_check(s, len);

	switch (desc->type) {
	case HVX_PACKET_COMPLETION:
		/*
		 * GET_SAMPLE's answer, the only request we make.  Its waiter
		 * gets the bytes whatever they hold; it learns whether they
		 * were a sample from what is stored here, once this work is
		 * done (see hvx_timesync_get_sample()).
		 */
		if (!hvx_channel_complete(ts->ch, desc, s)) {
			bad = "a completion that nothing waits for";
			break;
		}
		fallthrough;
	case HVX_PACKET_DATA:
		if (!bad) {
			hvx_timesync_take(ts, s);
			return;
		}
		break;
	default:
		/* We answer no requests: the protocol has none for us. */
		bad = "not a packet type of ours";
	}
	atomic64_inc(&ts->rejected);
	dev_warn_ratelimited(&ts->hdev->dev, "dropped a packet of type %u, %u bytes: %s\n",
			     desc->type, len, bad);
}

void hvx_timesync_rx_work(struct work_struct *work)
{
	struct hvx_timesync *ts = container_of(work, struct hvx_timesync, rx_work);
	struct hvx_packet_desc desc;
	unsigned int done = 0;
	s64 len;

	/* A hostile host may signal a ring that failed: nothing more to say. */
	if (ts->rx_dead)
		return;
	for (;;) {
		while ((len = hvx_channel_recv(ts->ch, &desc, ts->rx_buf,
					       HVX_TIMESYNC_RX_BUF)) >= 0) {
			hvx_timesync_rx(ts, &desc, len);
			if (++done == HVX_TIMESYNC_RX_BUDGET) {
				/*
				 * Signals stay masked: the next run reads on.
				 * cancel_work_sync() stops a work that queues
				 * itself, so this needs no look at rx_on.
				 */
				schedule_work(work);
				return;
			}
		}
		if (len != -EAGAIN)
			break;
		if (!hvx_channel_recv_done(ts->ch))
			return;
		/* Packets came meanwhile, and no signal will say so. */
		hvx_ring_mask_signals(&ts->ch->in);
	}

	/*
	 * -ENODEV: rescinded or closed, and the remove follows.  -EPIPE: the
	 * ring is broken.  The buffer takes any packet, so not -EMSGSIZE.
	 * Signals stay masked; the clock runs on from the last sample.
	 */
	ts->rx_dead = true;
	if (len != -ENODEV)
		dev_err(&ts->hdev->dev, "receiving failed: %lld; no more samples\n", len);
}

/*
 * The channel's on_signal, with interrupts off: samples arrived, or room
 * in the out ring, or the host rescinded the device.  The bus calls it
 * only while the channel is published, from just before the host has the
 * rings to the close.
 */
void hvx_timesync_signal(void *ctx)
{
	struct hvx_timesync *ts = ctx;

	/*
	 * At the rescind it runs in process context: there is nothing left
	 * to read, the bus fails GET_SAMPLE's waiter itself, and the remove
	 * follows.
	 */
	if (READ_ONCE(ts->hdev->rescinded))
		return;
	hvx_ring_mask_signals(&ts->ch->in);
	/* Interrupts are off already. */
	spin_lock(&ts->rx_lock);
	if (ts->rx_on)
		schedule_work(&ts->rx_work);
	spin_unlock(&ts->rx_lock);
}

/*
 * Once the open succeeded: before, an open that fails could free the
 * rings under a running work.  Packets that came meanwhile only masked
 * the ring, so the work reads them now.  Process context.
 */
void hvx_timesync_start_rx(struct hvx_timesync *ts)
{
	spin_lock_irq(&ts->rx_lock);
	ts->rx_on = true;
	spin_unlock_irq(&ts->rx_lock);
	schedule_work(&ts->rx_work);
}

/*
 * Stops the receive work for good: once this returns, nothing reads the
 * rings and nothing queues the step work.  A signal that comes later
 * finds rx_on clear, and one that came before queued the work that this
 * cancels.  Process context.
 */
void hvx_timesync_stop_rx(struct hvx_timesync *ts)
{
	spin_lock_irq(&ts->rx_lock);
	ts->rx_on = false;
	spin_unlock_irq(&ts->rx_lock);
	cancel_work_sync(&ts->rx_work);
}
