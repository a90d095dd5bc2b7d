// SPDX-License-Identifier: GPL-2.0
/*
 * Everything the host sends: frames, link changes, announcements and the
 * answer to GET_CONFIG.  The signal handler only masks the ring's signals
 * and schedules NAPI; the poll is the ring's one consumer.
 *
 * Each packet is copied whole into a private buffer before anything of it
 * is looked at, so that the host cannot change a length or a header
 * between our check and its use.  A frame then goes into an skb: a small
 * one into a single buffer, a large one (jumbo, or a segmentation offload
 * frame of up to 64 KiB) as its first bytes plus whole pages, so that no
 * high-order allocation is needed.  Whatever is malformed is counted and
 * dropped.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/virtio_net.h>

#include "net.h"

static void hvx_net_rx_inc(struct hvx_net *n, u64_stats_t *counter)
{
	u64_stats_update_begin(&n->rx_stats.syncp);
	u64_stats_inc(counter);
	u64_stats_update_end(&n->rx_stats.syncp);
}

/* A small frame in one buffer; a large one as its headers plus pages. */
static struct sk_buff *hvx_net_rx_skb(struct hvx_net *n, const u8 *data, u32 len)
{
	u32 head = len <= HVX_NET_RX_LINEAR ? len : HVX_NET_RX_HEAD;
	struct sk_buff *skb;
	struct page *page;
	u32 off, chunk;
	int i = 0;

	skb = napi_alloc_skb(&n->napi, head);
	if (!skb)
		return NULL;
	skb_put_data(skb, data, head);
	for (off = head; off < len; off += chunk) {
		chunk = min_t(u32, len - off, PAGE_SIZE);
		page = dev_alloc_page();
		if (!page) {
			kfree_skb(skb);
			return NULL;
		}
		memcpy(page_address(page), data + off, chunk);
		/* At most MAX_SKB_FRAGS of them: see HVX_NET_RX_HEAD. */
		skb_add_rx_frag(skb, i++, page, 0, chunk, PAGE_SIZE);
	}
	return skb;
}

/* The frame's virtio-net header, applied to @skb before eth_type_trans(). */
static int hvx_net_vnet_to_skb(struct sk_buff *skb, const struct virtio_net_hdr *vnet)
{
	/*
	 * As a TAP reports a checksum that its stack verified: ours need not
	 * do it again.  A host could lie here, but it could as well send any
	 * frame it likes.
	 */
	if (vnet->flags & VIRTIO_NET_HDR_F_DATA_VALID)
		skb->ip_summed = CHECKSUM_UNNECESSARY;
	return virtio_net_hdr_to_skb(skb, vnet, true);
}

static void hvx_net_rx_frame(struct hvx_net *n, u32 len)
{
	const struct hvx_net_frame *frame = n->rx_buf;
	struct hvx_net_rx_stats *stats = &n->rx_stats;
	struct net_device *dev = n->dev;
	struct sk_buff *skb;

	if (len < HVX_NET_FRAME_HDR + HVX_NET_MIN_FRAME ||
	    len > HVX_NET_FRAME_HDR + HVX_NET_MAX_FRAME) {
		hvx_net_rx_inc(n, &stats->malformed);
		return;
	}
	len -= HVX_NET_FRAME_HDR;
	if (!netif_running(dev)) {
		hvx_net_rx_inc(n, &stats->dropped);
		return;
	}
	skb = hvx_net_rx_skb(n, (const u8 *)(frame + 1), len);
	if (!skb) {
		hvx_net_rx_inc(n, &stats->dropped);
		return;
	}
	if (hvx_net_vnet_to_skb(skb, &frame->vnet)) {
		kfree_skb(skb);
		hvx_net_rx_inc(n, &stats->malformed);
		return;
	}
	skb->protocol = eth_type_trans(skb, dev);

	u64_stats_update_begin(&stats->syncp);
	u64_stats_inc(&stats->packets);
	u64_stats_add(&stats->bytes, len);
	u64_stats_update_end(&stats->syncp);
	napi_gro_receive(&n->napi, skb);
}

static void hvx_net_rx_link(struct hvx_net *n, u32 len)
{
	const struct hvx_net_link *link = n->rx_buf;
	bool up = link->up;

	if (up == n->link_up)
		return;
	hvx_net_rx_inc(n, &n->rx_stats.link_changes);
	WRITE_ONCE(n->link_up, up);
	/* The carrier changes under the RTNL: see hvx_net_event_work(). */
	schedule_work(&n->event_work);
}

static void hvx_net_rx_announce(struct hvx_net *n, u32 len)
{
	hvx_net_rx_inc(n, &n->rx_stats.announces);
	set_bit(HVX_NET_ANNOUNCE, &n->flags);
	/* netdev_notify_peers() takes the RTNL, which a softirq cannot. */
	schedule_work(&n->event_work);
}

static void hvx_net_rx_completion(struct hvx_net *n, const struct hvx_packet_desc *desc,
				  u32 len)
{
	const struct hvx_net_config *cfg = n->rx_buf;

	if (!hvx_channel_complete(n->ch, desc, n->rx_buf)) {
		hvx_net_rx_inc(n, &n->rx_stats.unknown);
		dev_warn_ratelimited(&n->hdev->dev, "completion %llu that nothing waits for\n",
				     desc->trans_id);
		return;
	}
	/*
	 * GET_CONFIG's answer: the only request we make.  Its link state
	 * takes its place among the LINK messages here, in ring order; the
	 * probe, which checks the rest, runs at some later time.  An answer
	 * the probe refuses takes the interface with it.
	 */
	if (len >= sizeof(*cfg) && !cfg->status) {
		WRITE_ONCE(n->link_up, cfg->flags & HVX_NET_CONFIG_LINK_UP);
		schedule_work(&n->event_work);
	}
}

/*
 * The host's messages by type, each with the length below which it is
 * not one.  The handlers run in the poll, and leave what needs the RTNL
 * to the event work.  A frame's handler checks the frame's own lengths:
 * a bad one is a malformed frame, not an unknown message.
 */
static const struct {
	u32 min_len;
	void (*handle)(struct hvx_net *n, u32 len);
} hvx_net_rx_msgs[] = {
	[HVX_NET_MSG_FRAME]	= { sizeof(struct hvx_net_msg), hvx_net_rx_frame },
	[HVX_NET_MSG_LINK]	= { sizeof(struct hvx_net_link), hvx_net_rx_link },
	[HVX_NET_MSG_ANNOUNCE]	= { sizeof(struct hvx_net_msg), hvx_net_rx_announce },
};

/* One packet, @len bytes of it in n->rx_buf. */
static void hvx_net_rx(struct hvx_net *n, const struct hvx_packet_desc *desc, u32 len)
{
	const struct hvx_net_msg *msg = n->rx_buf;
	u16 type = len >= sizeof(*msg) ? msg->type : 0;

	if (desc->type == HVX_PACKET_COMPLETION) {
		hvx_net_rx_completion(n, desc, len);
		return;
	}
	/* Type 0 is no message: the table has no handler for it. */
	if (desc->type == HVX_PACKET_DATA && type < ARRAY_SIZE(hvx_net_rx_msgs) &&
	    hvx_net_rx_msgs[type].handle && len >= hvx_net_rx_msgs[type].min_len) {
		hvx_net_rx_msgs[type].handle(n, len);
		return;
	}
	hvx_net_rx_inc(n, &n->rx_stats.unknown);
	dev_warn_ratelimited(&n->hdev->dev,
			     "ignoring a packet of type %u, message type %u, %u bytes\n",
			     desc->type, type, len);
}

/*
 * The in ring is of no more use: -ENODEV, the host rescinded the device
 * (remove follows); -EPIPE, the ring is broken.  The link goes down and
 * stays down.
 */
static void hvx_net_rx_fail(struct hvx_net *n, int err)
{
	if (test_and_set_bit(HVX_NET_DEAD, &n->flags))
		return;
	if (err != -ENODEV)
		netdev_err(n->dev, "receiving failed: %d\n", err);
	schedule_work(&n->event_work);
}

/*
 * The host signals after it made room that a send waited for: wake the
 * queue that tx.c stopped.  Only tx.c stops it while the interface is up.
 */
static void hvx_net_tx_wake(struct hvx_net *n)
{
	struct net_device *dev = n->dev;

	if (unlikely(netif_queue_stopped(dev)) && netif_running(dev))
		netif_wake_queue(dev);
}

int hvx_net_poll(struct napi_struct *napi, int budget)
{
	struct hvx_net *n = container_of(napi, struct hvx_net, napi);
	struct hvx_packet_desc desc;
	int done = 0;
	s64 len;

	hvx_net_tx_wake(n);
	/*
	 * Each packet counts against the budget, whatever it holds, so that
	 * a flood of messages cannot keep us in the softirq.  Netpoll's
	 * budget of 0 reads nothing.
	 */
	for (;;) {
		len = -EAGAIN;
		while (done < budget) {
			len = hvx_channel_recv(n->ch, &desc, n->rx_buf, HVX_NET_RX_BUF);
			if (len < 0)
				break;
			hvx_net_rx(n, &desc, len);
			done++;
		}
		if (done == budget)
			return budget;
		if (len != -EAGAIN) {
			/* Signals stay masked: there is nothing more to read. */
			hvx_net_rx_fail(n, len);
			break;
		}
		/*
		 * Unmask before completing: a signal from now on finds NAPI
		 * still scheduled, and napi_complete_done() polls again.  So
		 * nothing here touches the ring after it, and napi_disable()
		 * is enough to keep the poll away from a closing channel.
		 */
		if (!hvx_channel_recv_done(n->ch))
			break;
		/* Packets came meanwhile, and no signal will say so. */
		hvx_ring_mask_signals(&n->ch->in);
	}
	napi_complete_done(napi, done);
	return done;
}

/*
 * The channel's on_signal, with interrupts off: packets arrived, or room
 * in the out ring, or the host rescinded the device.  The bus calls it
 * only while the channel is open.
 */
void hvx_net_signal(void *ctx)
{
	struct hvx_net *n = ctx;

	/*
	 * At the rescind it runs in process context, where a NAPI schedule
	 * would wait for some later interrupt to run; there is nothing left
	 * to read anyway, and the remove follows.
	 */
	if (READ_ONCE(n->hdev->rescinded))
		return;
	hvx_ring_mask_signals(&n->ch->in);
	napi_schedule(&n->napi);
}
