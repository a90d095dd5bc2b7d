// SPDX-License-Identifier: GPL-2.0
/*
 * What the interface tells about itself: its counters, as ip -s and
 * ethtool -S show them, and the little ethtool has to ask.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ethtool.h>
#include <linux/netdevice.h>

#include "net.h"

static const struct {
	char name[ETH_GSTRING_LEN];
	size_t offset;
} hvx_net_stats[] = {
#define HVX_NET_STAT(field) { #field, offsetof(struct hvx_net_counters, field) }
	HVX_NET_STAT(rx_packets),
	HVX_NET_STAT(rx_bytes),
	HVX_NET_STAT(tx_packets),
	HVX_NET_STAT(tx_bytes),
	HVX_NET_STAT(rx_malformed),
	HVX_NET_STAT(rx_unknown),
	HVX_NET_STAT(rx_dropped),
	HVX_NET_STAT(tx_dropped),
	HVX_NET_STAT(tx_ring_full),
	HVX_NET_STAT(link_changes),
	HVX_NET_STAT(announces),
#undef HVX_NET_STAT
};

/* Each direction's counters as they were at one moment. */
static void hvx_net_read_counters(struct hvx_net *n, struct hvx_net_counters *c)
{
	const struct hvx_net_rx_stats *rx = &n->rx_stats;
	const struct hvx_net_tx_stats *tx = &n->tx_stats;
	unsigned int start;

	do {
		start = u64_stats_fetch_begin(&rx->syncp);
		c->rx_packets = u64_stats_read(&rx->packets);
		c->rx_bytes = u64_stats_read(&rx->bytes);
		c->rx_malformed = u64_stats_read(&rx->malformed);
		c->rx_unknown = u64_stats_read(&rx->unknown);
		c->rx_dropped = u64_stats_read(&rx->dropped);
		c->link_changes = u64_stats_read(&rx->link_changes);
		c->announces = u64_stats_read(&rx->announces);
	} while (u64_stats_fetch_retry(&rx->syncp, start));

	do {
		start = u64_stats_fetch_begin(&tx->syncp);
		c->tx_packets = u64_stats_read(&tx->packets);
		c->tx_bytes = u64_stats_read(&tx->bytes);
		c->tx_dropped = u64_stats_read(&tx->dropped);
		c->tx_ring_full = u64_stats_read(&tx->ring_full);
	} while (u64_stats_fetch_retry(&tx->syncp, start));
}

void hvx_net_get_stats64(struct net_device *dev, struct rtnl_link_stats64 *stats)
{
	struct hvx_net_counters c;

	hvx_net_read_counters(netdev_priv(dev), &c);
	stats->rx_packets = c.rx_packets;
	stats->rx_bytes = c.rx_bytes;
	/* What the host got wrong; what it sent that we did not know is not an error. */
	stats->rx_errors = c.rx_malformed;
	stats->rx_dropped = c.rx_dropped;
	stats->tx_packets = c.tx_packets;
	stats->tx_bytes = c.tx_bytes;
	stats->tx_dropped = c.tx_dropped;
}

static void hvx_net_get_drvinfo(struct net_device *dev, struct ethtool_drvinfo *info)
{
	struct hvx_net *n = netdev_priv(dev);

	strscpy(info->driver, KBUILD_MODNAME, sizeof(info->driver));
	strscpy(info->bus_info, dev_name(&n->hdev->dev), sizeof(info->bus_info));
}

/* No speed: the host's, whatever it is, is not the guest's to know. */
static int hvx_net_get_link_ksettings(struct net_device *dev,
				      struct ethtool_link_ksettings *cmd)
{
	cmd->base.speed = SPEED_UNKNOWN;
	cmd->base.duplex = DUPLEX_FULL;
	cmd->base.port = PORT_OTHER;
	cmd->base.autoneg = AUTONEG_DISABLE;
	return 0;
}

static int hvx_net_get_sset_count(struct net_device *dev, int sset)
{
	if (sset != ETH_SS_STATS)
		return -EOPNOTSUPP;
	return ARRAY_SIZE(hvx_net_stats);
}

static void hvx_net_get_strings(struct net_device *dev, u32 sset, u8 *data)
{
	unsigned int i;

	if (sset != ETH_SS_STATS)
		return;
	/* 6.1 has no ethtool_puts(); the names are padded to the length. */
	for (i = 0; i < ARRAY_SIZE(hvx_net_stats); i++)
		memcpy(data + i * ETH_GSTRING_LEN, hvx_net_stats[i].name, ETH_GSTRING_LEN);
}

static void hvx_net_get_ethtool_stats(struct net_device *dev, struct ethtool_stats *estats,
				      u64 *data)
{
	struct hvx_net_counters c;
	unsigned int i;

	hvx_net_read_counters(netdev_priv(dev), &c);
	for (i = 0; i < ARRAY_SIZE(hvx_net_stats); i++)
		data[i] = *(u64 *)((u8 *)&c + hvx_net_stats[i].offset);
}

const struct ethtool_ops hvx_net_ethtool_ops = {
	.get_drvinfo		= hvx_net_get_drvinfo,
	.get_link		= ethtool_op_get_link,
	.get_link_ksettings	= hvx_net_get_link_ksettings,
	.get_sset_count		= hvx_net_get_sset_count,
	.get_strings		= hvx_net_get_strings,
	.get_ethtool_stats	= hvx_net_get_ethtool_stats,
};
