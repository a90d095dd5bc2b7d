// SPDX-License-Identifier: GPL-2.0
/*
 * hvx_net: the Ethernet interfaces the host offers on the hvx channel bus,
 * one per channel, named eth%d.  Frames are copied through the channel's
 * two rings, each behind a virtio-net header (kmod/uapi/hvx_net.h), so the
 * host can hand them to a TAP device as they are: checksum and TCP
 * segmentation offload go out when the host takes them, and come in
 * whenever the host sends them.  The host also tells the interface its
 * address, MTU and link state, and when to announce itself after the VM
 * moved.  The channel stays open while the driver is bound: its config
 * answer and link events come in whether the interface is up or not;
 * only frames are dropped while it is down.  This file ties the interface
 * to its channel and takes it down again.
 *
 * The order is what matters.  At probe the NAPI context is enabled just
 * after the channel opens, because GET_CONFIG's answer comes through the
 * poll; the interface is registered last, once the host's configuration
 * has been checked.  At remove the poll and the work it queues stop
 * first: they change the carrier, which must not happen to an interface
 * that is unregistered (link watch would take a reference to it after
 * unregister_netdev() waited for the last one).  Only then does the
 * interface go, and after it the channel: nothing reads the rings any
 * more, and nothing sends.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/module.h>
#include <linux/mm.h>
#include <linux/rtnetlink.h>

#include "net.h"

/*
 * The host's link state and announcements, in process context: the
 * RTNL orders carrier changes with register_netdev(), so a change that
 * comes in while the interface registers is not lost on the way, and
 * netdev_notify_peers() needs it anyway.
 */
static void hvx_net_event_work(struct work_struct *work)
{
	struct hvx_net *n = container_of(work, struct hvx_net, event_work);
	struct net_device *dev = n->dev;

	rtnl_lock();
	if (READ_ONCE(n->link_up) && !test_bit(HVX_NET_DEAD, &n->flags))
		netif_carrier_on(dev);
	else
		netif_carrier_off(dev);
	/* A down interface has nothing to announce: opening it will. */
	if (test_and_clear_bit(HVX_NET_ANNOUNCE, &n->flags) && netif_running(dev))
		__netdev_notify_peers(dev);
	rtnl_unlock();
}

/*
 * The channel stays open while the driver is bound, for the host's
 * events: up and down only start and stop the sender, and the poll
 * drops frames while the interface is down.
 */
static int hvx_net_open(struct net_device *dev)
{
	netif_start_queue(dev);
	return 0;
}

static int hvx_net_stop(struct net_device *dev)
{
	netif_tx_stop_all_queues(dev);
	return 0;
}

/*
 * No ndo_change_mtu: the core checks the new MTU against min_mtu and
 * max_mtu and sets it, and there is nothing of ours to resize, since the
 * host may send frames up to HVX_NET_MAX_FRAME whatever the MTU.  No
 * ndo_set_mac_address either: the address is the host's, and the core
 * refuses a change with -EOPNOTSUPP.
 */
static const struct net_device_ops hvx_net_ops = {
	.ndo_open		= hvx_net_open,
	.ndo_stop		= hvx_net_stop,
	.ndo_start_xmit		= hvx_net_start_xmit,
	.ndo_get_stats64	= hvx_net_get_stats64,
	.ndo_validate_addr	= eth_validate_addr,
};

/* Packets that came before the poll could run only masked the ring. */
static void hvx_net_start_rx(struct hvx_net *n)
{
	napi_enable(&n->napi);
	/* With bottom halves off, so that the poll runs at the enable. */
	local_bh_disable();
	napi_schedule(&n->napi);
	local_bh_enable();
}

/*
 * The poll touches nothing after napi_complete_done(), so once
 * napi_disable() returns the rings are no longer ours to read, and the
 * poll is the only one that queues the work.
 */
static void hvx_net_stop_rx(struct hvx_net *n)
{
	napi_disable(&n->napi);
	cancel_work_sync(&n->event_work);
}

static int hvx_net_probe(struct hvx_vmbus_device *hdev)
{
	struct net_device *dev;
	struct hvx_net *n;
	int err;

	dev = alloc_etherdev(sizeof(*n));
	if (!dev)
		return -ENOMEM;
	SET_NETDEV_DEV(dev, &hdev->dev);
	dev->netdev_ops = &hvx_net_ops;
	dev->ethtool_ops = &hvx_net_ethtool_ops;
	/* No link until the host says so. */
	netif_carrier_off(dev);

	n = netdev_priv(dev);
	n->dev = dev;
	n->hdev = hdev;
	/* The channel's storage: the first signal may beat the open's return. */
	n->ch = &hdev->chan;
	INIT_WORK(&n->event_work, hvx_net_event_work);
	u64_stats_init(&n->rx_stats.syncp);
	u64_stats_init(&n->tx_stats.syncp);
	err = -ENOMEM;
	n->rx_buf = kvmalloc(HVX_NET_RX_BUF, GFP_KERNEL);
	if (!n->rx_buf)
		goto free_netdev;
	netif_napi_add(dev, &n->napi, hvx_net_poll);
	dev_set_drvdata(&hdev->dev, n);

	err = hvx_channel_open(hdev, HVX_NET_OUT_RING, HVX_NET_IN_RING, hvx_net_signal, n);
	if (err) {
		dev_err(&hdev->dev, "opening the channel failed: %d\n", err);
		goto del_napi;
	}
	hvx_net_start_rx(n);
	err = hvx_net_configure(n);
	if (err)
		goto stop_rx;
	err = register_netdev(dev);
	if (err) {
		dev_err(&hdev->dev, "register_netdev failed: %d\n", err);
		goto stop_rx;
	}

	netdev_info(dev, "%pM, MTU %u of up to %u%s%s\n", dev->dev_addr, dev->mtu,
		    dev->max_mtu, dev->features & NETIF_F_HW_CSUM ? ", checksum offload" : "",
		    dev->features & NETIF_F_TSO ? ", TSO" : "");
	return 0;

stop_rx:
	hvx_net_stop_rx(n);
	hvx_channel_close(hdev);
del_napi:
	netif_napi_del(&n->napi);
	kvfree(n->rx_buf);
free_netdev:
	free_netdev(dev);
	return err;
}

static void hvx_net_remove(struct hvx_vmbus_device *hdev)
{
	struct hvx_net *n = dev_get_drvdata(&hdev->dev);
	struct net_device *dev = n->dev;

	if (READ_ONCE(hdev->rescinded))
		netdev_info(dev, "removed by the host\n");
	/* Before the interface goes: the two change its carrier. */
	hvx_net_stop_rx(n);
	/* Stops the sender: nothing writes the out ring after this. */
	unregister_netdev(dev);
	hvx_channel_close(hdev);
	netif_napi_del(&n->napi);
	kvfree(n->rx_buf);
	free_netdev(dev);
}

static const guid_t hvx_net_class_ids[] = {
	{ .b = HVX_CLASS_NET },
	{ }
};

static struct hvx_vmbus_driver hvx_net_driver = {
	.name		= "hvx_net",
	.class_ids	= hvx_net_class_ids,
	.probe		= hvx_net_probe,
	.remove		= hvx_net_remove,
};
module_hvx_vmbus_driver(hvx_net_driver);

/* The bus's MODALIAS for HVX_CLASS_NET (%pUl of its bytes), for udev. */
MODULE_ALIAS("hvx_vmbus:6e0b417d-c293-584a-a10f-6c3e22d94503");
MODULE_DESCRIPTION("hvx channel bus network driver");
MODULE_LICENSE("GPL");
