// SPDX-License-Identifier: GPL-2.0
/*
 * Frames to the host.  Each is copied into the out ring as one packet:
 * its header, then the skb's linear part and pages as they lie, so the
 * skb is free again as soon as the send returns and there are no
 * completions to wait for.
 *
 * A full ring stops the queue.  The failed send left its size in the
 * ring for the host, which signals once it has made that much room; the
 * poll then wakes the queue (rx.c).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/netdevice.h>
#include <linux/virtio_net.h>

#include "net.h"

static void hvx_net_tx_add(struct hvx_net *n, u64_stats_t *counter)
{
	u64_stats_update_begin(&n->tx_stats.syncp);
	u64_stats_inc(counter);
	u64_stats_update_end(&n->tx_stats.syncp);
}

/*
 * What the protocol lets us send: an Ethernet header at least, and no
 * more than the MTU plus the Ethernet and VLAN headers unless the host
 * segments the frame.  The stack's own frames keep to that; a packet
 * socket's need not.
 */
static bool hvx_net_tx_len_ok(const struct net_device *dev, const struct sk_buff *skb)
{
	if (skb->len < HVX_NET_MIN_FRAME)
		return false;
	if (skb_is_gso(skb))
		return skb->len <= HVX_NET_MAX_FRAME;
	return skb->len <= READ_ONCE(dev->mtu) + HVX_NET_FRAME_OVERHEAD;
}

/* @bufs: the header, the linear part, the pages; returns how many. */
static unsigned int hvx_net_tx_bufs(struct sk_buff *skb, const struct hvx_net_frame *hdr,
				    struct hvx_ring_buf *bufs)
{
	struct skb_shared_info *shinfo = skb_shinfo(skb);
	unsigned int i, n = 0;

	bufs[n].base = hdr;
	bufs[n++].len = sizeof(*hdr);
	bufs[n].base = skb->data;
	bufs[n++].len = skb_headlen(skb);
	/*
	 * No frag list: without NETIF_F_FRAGLIST the stack linearises such
	 * an skb first.  No highmem page: see hvx_net_set_features().
	 */
	for (i = 0; i < shinfo->nr_frags; i++) {
		bufs[n].base = skb_frag_address(&shinfo->frags[i]);
		bufs[n++].len = skb_frag_size(&shinfo->frags[i]);
	}
	return n;
}

/* Reported once: the counters show how many more there were. */
static void hvx_net_tx_failed(struct hvx_net *n, int err)
{
	/* -ENODEV: rescinded, and the remove has its own word for it. */
	if (err == -ENODEV || test_and_set_bit(HVX_NET_TX_FAILED, &n->flags))
		return;
	netdev_err(n->dev, "sending failed: %d\n", err);
}

netdev_tx_t hvx_net_start_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct hvx_net *n = netdev_priv(dev);
	struct hvx_net_frame hdr = { .msg.type = HVX_NET_MSG_FRAME };
	struct hvx_ring_buf bufs[HVX_NET_TX_BUFS];
	unsigned int nbufs, len = skb->len;
	int err;

	/* Only the offloads we announced, and so the host takes, come here. */
	if (!hvx_net_tx_len_ok(dev, skb) ||
	    virtio_net_hdr_from_skb(skb, &hdr.vnet, true, false, 0))
		goto drop;
	nbufs = hvx_net_tx_bufs(skb, &hdr, bufs);
	skb_tx_timestamp(skb);

	err = hvx_channel_sendv(n->ch, HVX_PACKET_DATA, 0, bufs, nbufs);
	if (err == -EAGAIN) {
		hvx_net_tx_add(n, &n->tx_stats.ring_full);
		/*
		 * The host may have made room, and signalled, before the
		 * queue was stopped: look once more after stopping it.
		 */
		netif_stop_queue(dev);
		/* Pairs with the signal: the poll sees the queue stopped, or we the room. */
		smp_mb__after_atomic();
		err = hvx_channel_sendv(n->ch, HVX_PACKET_DATA, 0, bufs, nbufs);
		/* The stack keeps the skb and sends it again once the poll wakes us. */
		if (err == -EAGAIN)
			return NETDEV_TX_BUSY;
		netif_wake_queue(dev);
	}
	if (err) {
		/* -EMSGSIZE cannot be, at the lengths above: -EPIPE, -ENODEV. */
		hvx_net_tx_failed(n, err);
		goto drop;
	}

	u64_stats_update_begin(&n->tx_stats.syncp);
	u64_stats_inc(&n->tx_stats.packets);
	u64_stats_add(&n->tx_stats.bytes, len);
	u64_stats_update_end(&n->tx_stats.syncp);
	/* Netpoll may call with interrupts off: the _any variants cope. */
	dev_consume_skb_any(skb);
	return NETDEV_TX_OK;

drop:
	hvx_net_tx_add(n, &n->tx_stats.dropped);
	dev_kfree_skb_any(skb);
	return NETDEV_TX_OK;
}
