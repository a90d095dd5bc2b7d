/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvx_net: an Ethernet interface on the hvx channel bus, one per channel.
 * net.c makes the interface and ties it to its channel, config.c asks the
 * host what the interface looks like, rx.c and tx.c move frames, ethtool.c
 * shows the counters.
 */
#ifndef HVX_GUEST_NET_H
#define HVX_GUEST_NET_H

#include <linux/ethtool.h>
#include <linux/netdevice.h>
#include <linux/sizes.h>
#include <linux/skbuff.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>

#include "../../kmod/uapi/hvx_net.h"
#include "../vmbus/hvx_vmbus.h"

/* The protocol's layout, which the host reads byte for byte. */
static_assert(sizeof(struct hvx_net_frame) == 16);
static_assert(sizeof(struct hvx_net_link) == 8);
static_assert(sizeof(struct hvx_net_config) == 28);

/* Three frames of 64 KiB, or a couple of hundred of an MTU. */
#define HVX_NET_OUT_RING	SZ_256K
/* The host's frames come in bursts: seven of 64 KiB fit. */
#define HVX_NET_IN_RING		SZ_512K
static_assert(HVX_NET_FRAME_HDR + HVX_NET_MAX_FRAME <= HVX_NET_OUT_RING - HVX_RING_DESC_SIZE);
static_assert(HVX_VMBUS_MAX_RING_DATA_PAGES * PAGE_SIZE >= HVX_NET_IN_RING);

/*
 * The receive bounce buffer takes the largest payload the in ring can
 * carry, not just the largest frame: a packet too long to be read could
 * never be consumed, and would block the ring instead of being dropped.
 */
#define HVX_NET_RX_BUF		(HVX_NET_IN_RING - HVX_RING_DESC_SIZE)
static_assert(HVX_NET_FRAME_HDR + HVX_NET_MAX_FRAME <= HVX_NET_RX_BUF);

/* A frame this small goes into one buffer from the NAPI page fragments... */
#define HVX_NET_RX_LINEAR	(SKB_WITH_OVERHEAD(PAGE_SIZE) - NET_SKB_PAD - NET_IP_ALIGN)
/* ... a larger one has its headers there and the rest in whole pages. */
#define HVX_NET_RX_HEAD		128
static_assert(DIV_ROUND_UP(HVX_NET_MAX_FRAME - HVX_NET_RX_HEAD, PAGE_SIZE) <= MAX_SKB_FRAGS);

/* A frame goes out as its header, the skb's linear part and its pages. */
#define HVX_NET_TX_BUFS		(2 + MAX_SKB_FRAGS)

/* Bits of hvx_net.flags. */
enum hvx_net_flag {
	HVX_NET_DEAD,		/* the in ring failed: no carrier, no reading */
	HVX_NET_TX_FAILED,	/* a send failed for good, and we said so */
	HVX_NET_ANNOUNCE,	/* the host asked for an announcement */
};

/**
 * struct hvx_net_rx_stats - what the poll counts; nothing else writes them
 * @syncp: for 64-bit reads on 32-bit machines
 * @packets: frames passed up
 * @bytes: their bytes, Ethernet header included
 * @malformed: frames of a bad length or with a virtio-net header we refuse
 * @unknown: messages of an unknown type, short ones, stray completions
 * @dropped: good frames we could not pass up: interface down, no memory
 * @link_changes: LINK messages that changed the link's state
 * @announces: ANNOUNCE messages
 */
struct hvx_net_rx_stats {
	struct u64_stats_sync syncp;
	u64_stats_t packets;
	u64_stats_t bytes;
	u64_stats_t malformed;
	u64_stats_t unknown;
	u64_stats_t dropped;
	u64_stats_t link_changes;
	u64_stats_t announces;
};

/**
 * struct hvx_net_tx_stats - what ndo_start_xmit counts, under the tx lock
 * @syncp: for 64-bit reads on 32-bit machines
 * @packets: frames the host got
 * @bytes: their bytes, Ethernet header included
 * @dropped: frames we could not send and threw away
 * @ring_full: times a frame found no room in the ring
 */
struct hvx_net_tx_stats {
	struct u64_stats_sync syncp;
	u64_stats_t packets;
	u64_stats_t bytes;
	u64_stats_t dropped;
	u64_stats_t ring_full;
};

/* A consistent copy of all the counters, in the order ethtool shows them. */
struct hvx_net_counters {
	u64 rx_packets;
	u64 rx_bytes;
	u64 tx_packets;
	u64 tx_bytes;
	u64 rx_malformed;
	u64 rx_unknown;
	u64 rx_dropped;
	u64 tx_dropped;
	u64 tx_ring_full;
	u64 link_changes;
	u64 announces;
};

/**
 * struct hvx_net - one interface, the net_device's private part
 * @dev: the interface
 * @hdev: its channel's device
 * @ch: the channel
 * @napi: reads the in ring; the ring's one consumer
 * @rx_buf: where the poll copies each packet, HVX_NET_RX_BUF bytes: the
 *	host cannot change what we check once it is here
 * @link_up: the host's link state, as the last LINK message (or the
 *	configuration) in ring order said; only the poll writes it
 * @flags: HVX_NET_* bits
 * @event_work: applies @link_up and announces, under the RTNL
 * @rx_stats: the poll's counters
 * @tx_stats: the sender's counters, on a cache line of their own
 */
struct hvx_net {
	struct net_device *dev;
	struct hvx_vmbus_device *hdev;
	struct hvx_channel *ch;
	struct napi_struct napi;
	void *rx_buf;
	bool link_up;
	unsigned long flags;
	struct work_struct event_work;
	struct hvx_net_rx_stats rx_stats;
	struct hvx_net_tx_stats tx_stats ____cacheline_aligned_in_smp;
};

/* config.c */
int hvx_net_configure(struct hvx_net *n);

/* rx.c */
void hvx_net_signal(void *ctx);
int hvx_net_poll(struct napi_struct *napi, int budget);

/* tx.c */
netdev_tx_t hvx_net_start_xmit(struct sk_buff *skb, struct net_device *dev);

/* ethtool.c */
extern const struct ethtool_ops hvx_net_ethtool_ops;
void hvx_net_get_stats64(struct net_device *dev, struct rtnl_link_stats64 *stats);

#endif /* HVX_GUEST_NET_H */
