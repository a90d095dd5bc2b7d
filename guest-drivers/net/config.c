// SPDX-License-Identifier: GPL-2.0
/*
 * The interface as the host describes it, asked for once with GET_CONFIG
 * at probe: its address, MTU and the offloads the host takes.  Nothing
 * the host says is taken on trust: a configuration that makes no sense
 * fails the probe.  The link state in the answer is not applied here but
 * by the poll, in ring order with the LINK messages around it (rx.c).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>

#include "net.h"

/* The host answers from its event loop: seconds mean it is stuck. */
#define HVX_NET_CONFIG_TIMEOUT	(5 * HZ)

static int hvx_net_check_config(struct hvx_net *n, const struct hvx_net_config *cfg)
{
	struct device *dev = &n->hdev->dev;

	if (cfg->max_mtu < HVX_NET_MIN_MTU || cfg->max_mtu > HVX_NET_MAX_MTU) {
		dev_err(dev, "bad max_mtu %u\n", cfg->max_mtu);
		return -EPROTO;
	}
	if (cfg->mtu < HVX_NET_MIN_MTU || cfg->mtu > cfg->max_mtu) {
		dev_err(dev, "bad mtu %u (max_mtu %u)\n", cfg->mtu, cfg->max_mtu);
		return -EPROTO;
	}
	/* Not zero, not multicast: an address a frame can be sent to. */
	if (!is_valid_ether_addr(cfg->mac)) {
		dev_err(dev, "bad MAC address %pM\n", cfg->mac);
		return -EPROTO;
	}
	return 0;
}

static int hvx_net_get_config(struct hvx_net *n, struct hvx_net_config *cfg)
{
	struct hvx_net_msg req = { .type = HVX_NET_MSG_GET_CONFIG };
	struct device *dev = &n->hdev->dev;
	s64 len;

	/* A short answer leaves the rest zero, not stale. */
	memset(cfg, 0, sizeof(*cfg));
	len = hvx_channel_request(n->ch, &req, sizeof(req), cfg, sizeof(*cfg),
				  HVX_NET_CONFIG_TIMEOUT);
	if (len < 0) {
		dev_err(dev, "GET_CONFIG failed: %lld\n", len);
		return len;
	}
	/* Its errno is the host's word: -EIO, not whatever number it sent. */
	if (len >= sizeof(cfg->status) && cfg->status) {
		dev_err(dev, "GET_CONFIG failed on the host: %d\n", cfg->status);
		return -EIO;
	}
	if (len < sizeof(*cfg)) {
		dev_err(dev, "GET_CONFIG answered with %lld bytes\n", len);
		return -EPROTO;
	}
	return hvx_net_check_config(n, cfg);
}

/*
 * Offloads out only as the host takes them, segmentation only on top of
 * checksum offload, as the protocol has it.  No NETIF_F_HIGHDMA: the
 * sender reaches pages through skb_frag_address(), which a highmem page
 * would not have.
 */
static void hvx_net_set_features(struct hvx_net *n, u32 features)
{
	struct net_device *dev = n->dev;

	if (features & HVX_NET_F_CSUM) {
		dev->hw_features |= NETIF_F_HW_CSUM | NETIF_F_SG;
		if (features & HVX_NET_F_GSO)
			dev->hw_features |= NETIF_F_TSO | NETIF_F_TSO6;
	} else if (features & HVX_NET_F_GSO) {
		/* A segment's checksum is the receiver's to finish. */
		dev_warn(&n->hdev->dev, "GSO without CSUM: not used\n");
	}
	dev->features |= dev->hw_features;
	dev->vlan_features |= dev->hw_features;
}

/* Asks the host for the configuration and sets the interface up by it. */
int hvx_net_configure(struct hvx_net *n)
{
	struct net_device *dev = n->dev;
	struct hvx_net_config cfg;
	int err;

	err = hvx_net_get_config(n, &cfg);
	if (err)
		return err;
	eth_hw_addr_set(dev, cfg.mac);
	dev->min_mtu = HVX_NET_MIN_MTU;
	dev->max_mtu = cfg.max_mtu;
	dev->mtu = cfg.mtu;
	hvx_net_set_features(n, cfg.features);
	return 0;
}
