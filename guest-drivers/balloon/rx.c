// SPDX-License-Identifier: GPL-2.0
/*
 * What the host sends: targets, requests for statistics, and the answers
 * to our INFLATE, DEFLATE and REPORT requests.  The signal handler only
 * masks the ring's signals and queues the receive work, which is the
 * ring's one consumer; what a message asks for is done by the worker or
 * the statistics work, which the receive work only kicks.
 *
 * Each packet is copied whole into a private buffer before anything of it
 * is looked at, so that the host cannot change it between check and use.
 * A message is taken only if it is of a type we know and as long as that
 * type says; an answer only if a request waits for it.  Whatever else
 * comes is counted as dropped.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>

#include "balloon.h"

/* The host answers from its event loop: seconds mean it is stuck. */
#define HVX_BALLOON_REQUEST_TIMEOUT	(5 * HZ)

/*
 * Packets per run of the work: a host that floods the ring shares the
 * worker with others, and cannot keep cancel_work_sync() waiting forever.
 */
#define HVX_BALLOON_RX_BUDGET	64

/*
 * A new target.  No more than the guest has: the worker's allocations
 * would stop short of it anyway, but the host learns sooner this way, and
 * the number the worker works with stays sane.
 */
static void hvx_balloon_rx_target(struct hvx_balloon *bal)
{
	const struct hvx_balloon_target *t = bal->rx_buf;
	u64 pages = t->pages;
	unsigned long max;

	spin_lock(&bal->lock);
	max = totalram_pages() + bal->nr_pages;
	bal->target = min_t(u64, pages, max);
	bal->target_gen++;
	spin_unlock(&bal->lock);

	if (pages > max)
		dev_warn_ratelimited(&bal->hdev->dev,
				     "target of %llu pages is more than the guest's %lu: clamped\n",
				     pages, max);
	hvx_balloon_kick(bal);
}

static void hvx_balloon_rx_get_stats(struct hvx_balloon *bal)
{
	hvx_balloon_stats_kick(bal);
}

/*
 * The host's messages by type, each with the length below which it is
 * not one.  The handlers only record and kick: they may not wait for the
 * host, whose answers come through this very work.
 */
static const struct {
	u32 min_len;
	void (*handle)(struct hvx_balloon *bal);
} hvx_balloon_rx_msgs[] = {
	[HVX_BALLOON_MSG_TARGET]	= { sizeof(struct hvx_balloon_target),
					    hvx_balloon_rx_target },
	[HVX_BALLOON_MSG_GET_STATS]	= { sizeof(struct hvx_balloon_msg),
					    hvx_balloon_rx_get_stats },
};

/* One packet, @len bytes of it in bal->rx_buf. */
static void hvx_balloon_rx(struct hvx_balloon *bal, const struct hvx_packet_desc *desc, u32 len)
{
	const struct hvx_balloon_msg *msg = bal->rx_buf;
	u16 type = len >= sizeof(*msg) ? msg->type : 0;

	switch (desc->type) {
	case HVX_PACKET_COMPLETION:
		/* Its waiter checks what it holds: see hvx_balloon_request(). */
		if (hvx_channel_complete(bal->ch, desc, bal->rx_buf))
			return;
		/* Most likely the late answer to a request that timed out. */
		atomic64_inc(&bal->dropped);
		dev_warn_ratelimited(&bal->hdev->dev, "answer %llu that nothing waits for\n",
				     desc->trans_id);
		return;
	case HVX_PACKET_DATA:
		/* Type 0 is no message: the table has no handler for it. */
		if (type < ARRAY_SIZE(hvx_balloon_rx_msgs) && hvx_balloon_rx_msgs[type].handle &&
		    len >= hvx_balloon_rx_msgs[type].min_len) {
			hvx_balloon_rx_msgs[type].handle(bal);
			return;
		}
		break;
	}
	/* We answer no requests: the protocol has none for us. */
	atomic64_inc(&bal->dropped);
	dev_warn_ratelimited(&bal->hdev->dev,
			     "dropped a packet of type %u, message type %u, %u bytes\n",
			     desc->type, type, len);
}

void hvx_balloon_rx_work(struct work_struct *work)
{
	struct hvx_balloon *bal = container_of(work, struct hvx_balloon, rx_work);
	struct hvx_packet_desc desc;
	unsigned int done = 0;
	s64 len;

	/* A hostile host may signal a ring that failed: nothing more to say. */
	if (bal->rx_dead)
		return;
	for (;;) {
		while ((len = hvx_channel_recv(bal->ch, &desc, bal->rx_buf,
					       HVX_BALLOON_RX_BUF)) >= 0) {
			hvx_balloon_rx(bal, &desc, len);
			if (++done == HVX_BALLOON_RX_BUDGET) {
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
		if (!hvx_channel_recv_done(bal->ch))
			return;
		/* Packets came meanwhile, and no signal will say so. */
		hvx_ring_mask_signals(&bal->ch->in);
	}

	/*
	 * -ENODEV: rescinded or closed, and the remove follows.  -EPIPE: the
	 * ring is broken.  The buffer takes any packet, so not -EMSGSIZE.
	 * Requests in flight time out; the balloon stays as it is, and the
	 * remove gives it all back.
	 */
	bal->rx_dead = true;
	if (len != -ENODEV)
		dev_err(&bal->hdev->dev, "receiving failed: %lld; the balloon stays as it is\n",
			len);
}

/*
 * The channel's on_signal, with interrupts off: messages or answers
 * arrived, or room in the out ring, or the host rescinded the device.
 * The bus calls it only while the channel is published, from just before
 * the host has the rings to the close.
 */
void hvx_balloon_signal(void *ctx)
{
	struct hvx_balloon *bal = ctx;

	/*
	 * At the rescind it runs in process context: there is nothing left
	 * to read, the bus fails the waiting requests itself, and the remove
	 * follows.
	 */
	if (READ_ONCE(bal->hdev->rescinded))
		return;
	hvx_ring_mask_signals(&bal->ch->in);
	/* Interrupts are off already. */
	spin_lock(&bal->rx_lock);
	if (bal->rx_on)
		schedule_work(&bal->rx_work);
	spin_unlock(&bal->rx_lock);
}

/*
 * Once the open succeeded: before, an open that fails could free the
 * rings under a running work.  Packets that came meanwhile only masked
 * the ring, so the work reads them now.  Process context.
 */
void hvx_balloon_start_rx(struct hvx_balloon *bal)
{
	spin_lock_irq(&bal->rx_lock);
	bal->rx_on = true;
	spin_unlock_irq(&bal->rx_lock);
	schedule_work(&bal->rx_work);
}

/*
 * Stops the receive work for good: once this returns, nothing reads the
 * rings, and requests still waiting time out.  A signal that comes later
 * finds rx_on clear, and one that came before queued the work that this
 * cancels.  Process context.
 */
void hvx_balloon_stop_rx(struct hvx_balloon *bal)
{
	spin_lock_irq(&bal->rx_lock);
	bal->rx_on = false;
	spin_unlock_irq(&bal->rx_lock);
	cancel_work_sync(&bal->rx_work);
}

/*
 * Sends @req (@len bytes) and waits for the host's RESULT.  What became
 * of it, from the point of view of who must know whether the host may
 * still act on it:
 *  - DONE and REFUSED: the host answered, so it is done with this request
 *    and with every one before it in the ring.
 *  - UNKNOWN: it is in the ring, but the answer did not come in time or
 *    made no sense; the host may act on it later.
 *  - LOST: it never went out (ring full or broken), or the channel went
 *    away: no host will act on it.
 * Process context; the receive work must be running.
 */
enum hvx_balloon_outcome hvx_balloon_request(struct hvx_balloon *bal, const void *req, u32 len,
					     const char *what)
{
	struct device *dev = &bal->hdev->dev;
	struct hvx_balloon_result res = { };
	s64 ret;

	ret = hvx_channel_request(bal->ch, req, len, &res, sizeof(res),
				  HVX_BALLOON_REQUEST_TIMEOUT);
	if (ret == -ETIMEDOUT) {
		dev_warn_ratelimited(dev, "%s: no answer from the host in time\n", what);
		return HVX_BALLOON_UNKNOWN;
	}
	if (ret < 0) {
		/* A full ring is not worth a line: the caller tries again. */
		if (ret != -EAGAIN && ret != -ENODEV)
			dev_warn_ratelimited(dev, "%s could not be sent: %lld\n", what, ret);
		return HVX_BALLOON_LOST;
	}
	/* A short answer left the rest of @res zero: type 0 is no result. */
	if ((u64)ret < sizeof(res) || res.msg.type != HVX_BALLOON_MSG_RESULT) {
		atomic64_inc(&bal->dropped);
		dev_warn_ratelimited(dev, "%s answered with %lld bytes of type %u: no result\n",
				     what, ret, res.msg.type);
		return HVX_BALLOON_UNKNOWN;
	}
	if (res.status) {
		atomic64_inc(&bal->refused);
		dev_warn_ratelimited(dev, "the host refused %s: %d\n", what, res.status);
		return HVX_BALLOON_REFUSED;
	}
	return HVX_BALLOON_DONE;
}
