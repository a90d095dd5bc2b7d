// SPDX-License-Identifier: GPL-2.0
/*
 * The network class (uapi/hvx_net.h): frames between the guest's hvx_net
 * interface and a TAP interface of the host.  The TAP carries the same
 * virtio-net header as the ring (IFF_VNET_HDR), so checksum and
 * segmentation offload pass through untouched.  The guest's header is
 * checked field by field against the frame before the TAP sees it, and
 * frames are held to the TAP's MTU (what mtu= set, or the host changed
 * since): the host kernel's own checks are a second line, not the only
 * one.  The TAP is set up through rtnetlink with libnl-route: MTU, bridge,
 * link up.
 *
 * The guest learns of the TAP's link (IFF_UP) within a second, and is told
 * to announce itself after the tool was stopped and continued (SIGCONT), as
 * after a pause.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <netlink/route/link.h>
#include <netlink/route/link/bridge.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "uapi/hvx_net.h"
#include "vmbus.h"

/*
 * Frames moved from the TAP, and messages taken from the guest, per serve
 * call: the other devices wait meanwhile.
 */
#define NET_BATCH	64
/* net_from_guest(): the batch is done, the guest's messages may not be. */
#define NET_BATCH_DONE	1
/* The virtio-net header and frame after our own 6 bytes of frame header. */
#define NET_VNET_OFFSET	offsetof(struct hvx_net_frame, vnet)
/* IP and TCP headers without options: a TCP segment's payload is the MTU less these. */
#define NET_TCP4_HEADERS	(20 + 20)
#define NET_TCP6_HEADERS	(40 + 20)

struct net_counters {
	uint64_t frames, bytes;
	uint64_t malformed;	/* bad lengths, headers or reserved bits */
	uint64_t oversized;	/* longer than the MTU allows */
	uint64_t refused;	/* the TAP did not take it (down, bad header) */
	uint64_t unknown;	/* messages of no known type */
};

struct net_dev {
	char ifname[IFNAMSIZ];
	char bridge[IFNAMSIZ];
	uint8_t mac[6];
	unsigned int mtu;
	unsigned int tap_mtu;	/* the TAP's, as last seen */
	bool offload;
	int tap;
	int sock;		/* for SIOCGIFFLAGS */
	bool link_up;		/* the TAP's, as last seen */
	bool link_told;		/* the guest knows it */
	bool announce;		/* the guest should announce itself */
	bool opened;		/* by a guest, once */
	uint32_t held;		/* bytes of a frame waiting for room, or 0 */
	uint8_t *frame;		/* that frame: struct hvx_net_frame + frame */
	struct net_counters from_guest, to_guest;
};

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	char end;
	int i;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
		   &end) != 6)
		return -EINVAL;
	for (i = 0; i < 6; i++) {
		if (b[i] > 0xff)
			return -EINVAL;
		mac[i] = b[i];
	}
	/* A unicast address that is not all zeroes. */
	if ((mac[0] & 1) || !(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]))
		return -EINVAL;
	return 0;
}

static int net_options(struct net_dev *n, const char *options, char *err, size_t errlen)
{
	char *copy, *opt, *save = NULL, *end;
	bool have_tap = false;
	unsigned long mtu;
	int ret = 0;

	copy = strdup(options ? options : "");
	if (!copy) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (opt = strtok_r(copy, ",", &save); opt && !ret; opt = strtok_r(NULL, ",", &save)) {
		if (!strncmp(opt, "tap=", 4) && strlen(opt + 4) < IFNAMSIZ) {
			/* The kernel replaces %d with the first free number. */
			strcpy(n->ifname, opt[4] ? opt + 4 : "hvx%d");
			have_tap = true;
		} else if (!strncmp(opt, "bridge=", 7) && opt[7] && strlen(opt + 7) < IFNAMSIZ) {
			strcpy(n->bridge, opt + 7);
		} else if (!strncmp(opt, "mac=", 4)) {
			if (parse_mac(opt + 4, n->mac)) {
				snprintf(err, errlen, "mac=%s: want a unicast address like 02:00:00:00:00:01",
					 opt + 4);
				ret = -EINVAL;
			}
		} else if (!strncmp(opt, "mtu=", 4)) {
			errno = 0;
			mtu = strtoul(opt + 4, &end, 10);
			if (errno || *end || mtu < HVX_NET_MIN_MTU || mtu > HVX_NET_MAX_MTU) {
				snprintf(err, errlen, "mtu=%s: want %d to %d", opt + 4,
					 HVX_NET_MIN_MTU, HVX_NET_MAX_MTU);
				ret = -EINVAL;
			}
			n->mtu = mtu;
		} else if (!strcmp(opt, "offload=off")) {
			n->offload = false;
		} else {
			snprintf(err, errlen,
				 "unknown option '%s' (tap=NAME, mac=MAC, bridge=BR, mtu=N, offload=off)",
				 opt);
			ret = -EINVAL;
		}
	}
	free(copy);
	if (!ret && !have_tap) {
		snprintf(err, errlen, "want tap=NAME[,mac=MAC][,bridge=BR][,mtu=N][,offload=off]");
		ret = -EINVAL;
	}
	return ret;
}

/* Creates the TAP, or attaches to a persistent one of that name. */
static int net_open_tap(struct net_dev *n, char *err, size_t errlen)
{
	int vnet_hdr = sizeof(struct virtio_net_hdr);
	struct ifreq ifr = { 0 };

	n->tap = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (n->tap < 0) {
		snprintf(err, errlen, "/dev/net/tun: %s", strerror(errno));
		return -errno;
	}
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	memcpy(ifr.ifr_name, n->ifname, sizeof(ifr.ifr_name));
	if (ioctl(n->tap, TUNSETIFF, &ifr)) {
		snprintf(err, errlen, "cannot create or attach TAP %s: %s", n->ifname,
			 strerror(errno));
		return -errno;
	}
	memcpy(n->ifname, ifr.ifr_name, sizeof(n->ifname));
	n->ifname[IFNAMSIZ - 1] = 0;
	if (ioctl(n->tap, TUNSETVNETHDRSZ, &vnet_hdr) ||
	    /* What the guest must take (uapi/hvx_net.h): all of it. */
	    ioctl(n->tap, TUNSETOFFLOAD, TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN)) {
		snprintf(err, errlen, "TAP %s: cannot set up offloads: %s", n->ifname,
			 strerror(errno));
		return -errno;
	}
	return 0;
}

/*
 * MTU, bridge and link up, through rtnetlink; only what is not so already,
 * so that a user's persistent TAP that is as asked needs no CAP_NET_ADMIN.
 */
static int net_configure_link(struct net_dev *n, char *err, size_t errlen)
{
	struct rtnl_link *link = NULL, *bridge = NULL, *change = NULL;
	bool set_mtu, set_master = false, set_up;
	struct nl_sock *sk;
	int ret;

	sk = nl_socket_alloc();
	if (!sk) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	ret = nl_connect(sk, NETLINK_ROUTE);
	if (ret < 0) {
		snprintf(err, errlen, "rtnetlink: %s", nl_geterror(ret));
		goto out;
	}
	ret = rtnl_link_get_kernel(sk, 0, n->ifname, &link);
	if (ret < 0) {
		snprintf(err, errlen, "TAP %s: %s", n->ifname, nl_geterror(ret));
		goto out;
	}
	change = rtnl_link_alloc();
	if (!change) {
		ret = -NLE_NOMEM;
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (n->bridge[0]) {
		ret = rtnl_link_get_kernel(sk, 0, n->bridge, &bridge);
		if (ret < 0 || !rtnl_link_is_bridge(bridge)) {
			snprintf(err, errlen, "bridge=%s: %s", n->bridge,
				 ret < 0 ? "no such interface" : "not a bridge");
			ret = -NLE_OBJ_NOTFOUND;
			goto out;
		}
		set_master = rtnl_link_get_master(link) != rtnl_link_get_ifindex(bridge);
		if (set_master)
			rtnl_link_set_master(change, rtnl_link_get_ifindex(bridge));
	}
	set_mtu = rtnl_link_get_mtu(link) != n->mtu;
	if (set_mtu)
		rtnl_link_set_mtu(change, n->mtu);
	set_up = !(rtnl_link_get_flags(link) & IFF_UP);
	if (set_up)
		rtnl_link_set_flags(change, IFF_UP);
	ret = set_master || set_mtu || set_up ? rtnl_link_change(sk, link, change, 0) : 0;
	if (ret == -NLE_PERM) {
		char mtu[16] = "";

		if (set_mtu)
			snprintf(mtu, sizeof(mtu), " mtu %u", n->mtu);
		snprintf(err, errlen, "TAP %s: 'ip link set %s%s%s%s%s' needs CAP_NET_ADMIN: run hvx run with sudo, or set the TAP so beforehand",
			 n->ifname, n->ifname, mtu, set_master ? " master " : "",
			 set_master ? n->bridge : "", set_up ? " up" : "");
	} else if (ret < 0) {
		snprintf(err, errlen, "TAP %s: cannot set MTU %u%s%s and bring it up: %s",
			 n->ifname, n->mtu, n->bridge[0] ? ", bridge " : "", n->bridge,
			 nl_geterror(ret));
	}
out:
	rtnl_link_put(change);
	rtnl_link_put(bridge);
	rtnl_link_put(link);
	nl_socket_free(sk);
	return ret < 0 ? -EINVAL : 0;
}

/* Closing the TAP takes it away, unless it is a persistent one. */
static void net_free(struct vmbus_channel *ch)
{
	struct net_dev *n = ch->priv;

	if (n->sock >= 0)
		close(n->sock);
	if (n->tap >= 0)
		close(n->tap);
	free(n->frame);
	free(n);
	ch->priv = NULL;
}

static void net_destroy(struct vmbus_channel *ch)
{
	struct net_dev *n = ch->priv;
	const struct net_counters *f = &n->from_guest, *t = &n->to_guest;

	if (n->opened)
		fprintf(stderr, "hvx run: net %s: from the guest %llu frames %llu bytes, dropped %llu malformed %llu oversized %llu refused by the TAP %llu unknown messages; to the guest %llu frames %llu bytes, dropped %llu larger than its ring\n",
		n->ifname, (unsigned long long)f->frames, (unsigned long long)f->bytes,
		(unsigned long long)f->malformed, (unsigned long long)f->oversized,
		(unsigned long long)f->refused, (unsigned long long)f->unknown,
		(unsigned long long)t->frames, (unsigned long long)t->bytes,
		(unsigned long long)t->oversized);
	net_free(ch);
}

static int net_init(struct vmbus_channel *ch, const char *options, char *err, size_t errlen)
{
	struct net_dev *n;
	int ret;

	n = calloc(1, sizeof(*n));
	if (!n) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	n->tap = -1;
	n->sock = -1;
	n->mtu = 1500;
	n->offload = true;
	/* Locally administered, "HV", then random. */
	n->mac[0] = 0x02;
	n->mac[1] = 0x48;
	n->mac[2] = 0x56;
	if (getrandom(n->mac + 3, 3, 0) != 3)
		n->mac[5] = ch->index;
	ch->priv = n;
	ret = net_options(n, options, err, errlen);
	if (ret)
		goto err;
	n->frame = malloc(HVX_NET_FRAME_HDR + HVX_NET_MAX_FRAME);
	n->sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (!n->frame || n->sock < 0) {
		snprintf(err, errlen, "%s", n->frame ? strerror(errno) : "out of memory");
		ret = -ENOMEM;
		goto err;
	}
	ret = net_open_tap(n, err, errlen);
	if (ret)
		goto err;
	ret = net_configure_link(n, err, errlen);
	if (ret)
		goto err;
	n->link_up = true;
	n->tap_mtu = n->mtu;
	return 0;

err:
	net_free(ch);
	return ret;
}

static int net_open(struct vmbus_channel *ch)
{
	struct net_dev *n = ch->priv;

	/* A new guest driver asks for the configuration, link state included. */
	n->opened = true;
	n->held = 0;
	n->link_told = true;
	n->announce = false;
	return 0;
}

static int net_config(struct vmbus_channel *ch, uint64_t trans_id)
{
	struct net_dev *n = ch->priv;
	struct hvx_net_config cfg = {
		.features = n->offload ? HVX_NET_F_CSUM | HVX_NET_F_GSO : 0,
		.flags = n->link_up ? HVX_NET_CONFIG_LINK_UP : 0,
		.mtu = n->mtu,
		.max_mtu = HVX_NET_MAX_MTU,
	};

	memcpy(cfg.mac, n->mac, sizeof(cfg.mac));
	n->link_told = true;
	return vmbus_send(ch, HVX_PACKET_COMPLETION, trans_id, &cfg, sizeof(cfg));
}

/* Reads the TAP's MTU again: the host may have changed it. */
static void net_read_tap_mtu(struct net_dev *n)
{
	struct ifreq ifr = { 0 };

	memcpy(ifr.ifr_name, n->ifname, sizeof(ifr.ifr_name));
	if (!ioctl(n->sock, SIOCGIFMTU, &ifr) && ifr.ifr_mtu > 0)
		n->tap_mtu = ifr.ifr_mtu;
}

/*
 * Whether an IP packet of @bytes fits the TAP's MTU.  One that does not
 * has the MTU read again first: a host that raised it for jumbo frames
 * does not tell us.
 */
static bool net_fits_mtu(struct net_dev *n, uint32_t bytes)
{
	if (bytes <= n->tap_mtu)
		return true;
	net_read_tap_mtu(n);
	return bytes <= n->tap_mtu;
}

/*
 * The offloads the guest may ask for (uapi/hvx_net.h), and a header that
 * describes the @frame_len bytes after it: a checksum to finish that lies
 * within the frame (no checksum fields without one), a header length
 * within the frame, a segment size only for segmentation, and that only
 * of TCP with its checksum offloaded.  The caller holds the segment size
 * to the MTU.
 */
static bool net_vnet_valid(const struct net_dev *n, const struct virtio_net_hdr *vnet,
			   uint32_t frame_len)
{
	uint8_t gso = vnet->gso_type & ~VIRTIO_NET_HDR_GSO_ECN;
	bool csum = vnet->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM;

	if (vnet->flags & ~(n->offload ? VIRTIO_NET_HDR_F_NEEDS_CSUM : 0))
		return false;
	if (csum ? (uint32_t)vnet->csum_start + vnet->csum_offset + sizeof(uint16_t) > frame_len :
	    vnet->csum_start || vnet->csum_offset)
		return false;
	if (vnet->hdr_len > frame_len)
		return false;
	if (vnet->gso_type == VIRTIO_NET_HDR_GSO_NONE)
		return !vnet->gso_size;
	return n->offload && csum && vnet->gso_size &&
	       (gso == VIRTIO_NET_HDR_GSO_TCPV4 || gso == VIRTIO_NET_HDR_GSO_TCPV6);
}

/* A frame from the guest, in ch->buf: checked, then handed to the TAP. */
static void net_frame_to_tap(struct net_dev *n, const uint8_t *buf, uint32_t len)
{
	const struct hvx_net_frame *f = (const void *)buf;
	struct net_counters *c = &n->from_guest;
	uint32_t frame_len = len - HVX_NET_FRAME_HDR;
	uint8_t gso = f->vnet.gso_type & ~VIRTIO_NET_HDR_GSO_ECN;
	bool fits;

	if (len < HVX_NET_FRAME_HDR + HVX_NET_MIN_FRAME || f->msg.reserved || f->reserved ||
	    !net_vnet_valid(n, &f->vnet, frame_len)) {
		c->malformed++;
		return;
	}
	/* The packet after the Ethernet (and VLAN) header, or each segment's. */
	if (f->vnet.gso_type == VIRTIO_NET_HDR_GSO_NONE)
		fits = frame_len <= HVX_NET_FRAME_OVERHEAD ||
		       (frame_len <= HVX_NET_MAX_MTU + HVX_NET_FRAME_OVERHEAD &&
			net_fits_mtu(n, frame_len - HVX_NET_FRAME_OVERHEAD));
	else
		fits = frame_len <= HVX_NET_MAX_FRAME &&
		       net_fits_mtu(n, f->vnet.gso_size + (gso == VIRTIO_NET_HDR_GSO_TCPV4 ?
							  NET_TCP4_HEADERS : NET_TCP6_HEADERS));
	if (!fits) {
		c->oversized++;
		return;
	}
	if (write(n->tap, buf + NET_VNET_OFFSET, len - NET_VNET_OFFSET) < 0) {
		c->refused++;
		return;
	}
	c->frames++;
	c->bytes += frame_len;
}

/*
 * What the guest sent, @budget messages at most: 0 when its ring is empty,
 * NET_BATCH_DONE when the budget is, -EAGAIN when a reply waits for room.
 */
static int net_from_guest(struct vmbus_channel *ch, unsigned int *budget)
{
	struct net_dev *n = ch->priv;
	struct hvx_packet_desc desc;
	struct hvx_net_msg msg;
	bool signal;
	int err;

	while (!(err = hvx_ring_peek(&ch->from_guest, &desc))) {
		if (!*budget)
			return NET_BATCH_DONE;
		--*budget;
		if (desc.len < sizeof(msg)) {
			n->from_guest.unknown++;
		} else {
			hvx_ring_copy_payload(&ch->from_guest, &desc, 0, &msg, sizeof(msg));
			if (desc.type == HVX_PACKET_DATA && msg.type == HVX_NET_MSG_FRAME) {
				hvx_ring_copy_payload(&ch->from_guest, &desc, 0, ch->buf, desc.len);
				net_frame_to_tap(n, ch->buf, desc.len);
			} else if (desc.type == HVX_PACKET_REQUEST &&
				   msg.type == HVX_NET_MSG_GET_CONFIG) {
				err = net_config(ch, desc.trans_id);
				if (err)
					return err;
			} else {
				n->from_guest.unknown++;
			}
		}
		hvx_ring_consume(&ch->from_guest, &desc, &signal);
		ch->signal_guest |= signal;
	}
	/* -EAGAIN here is an empty ring, not a reply that waits. */
	return err == -EAGAIN ? 0 : err;
}

/* Host-to-guest news: link changes and announcements. */
static int net_events(struct vmbus_channel *ch)
{
	struct net_dev *n = ch->priv;
	int err;

	if (!n->link_told) {
		struct hvx_net_link link = {
			.msg.type = HVX_NET_MSG_LINK,
			.up = n->link_up,
		};

		err = vmbus_send(ch, HVX_PACKET_DATA, 0, &link, sizeof(link));
		if (err)
			return err;
		n->link_told = true;
	}
	if (n->announce) {
		struct hvx_net_msg msg = { .type = HVX_NET_MSG_ANNOUNCE };

		err = vmbus_send(ch, HVX_PACKET_DATA, 0, &msg, sizeof(msg));
		if (err)
			return err;
		n->announce = false;
	}
	return 0;
}

/* Frames from the TAP, a batch at most; -EAGAIN when the guest's ring is full. */
static int net_to_guest(struct vmbus_channel *ch)
{
	struct net_dev *n = ch->priv;
	struct hvx_net_frame *f = (void *)n->frame;
	unsigned int i;
	ssize_t len;
	int err;

	for (i = 0; i < NET_BATCH; i++) {
		if (!n->held) {
			len = read(n->tap, n->frame + NET_VNET_OFFSET,
				   HVX_NET_FRAME_HDR + HVX_NET_MAX_FRAME - NET_VNET_OFFSET);
			if (len < (ssize_t)(HVX_NET_FRAME_HDR - NET_VNET_OFFSET))
				return len < 0 && errno != EAGAIN ? -errno : 0;
			memset(f, 0, NET_VNET_OFFSET);
			f->msg.type = HVX_NET_MSG_FRAME;
			n->held = NET_VNET_OFFSET + len;
		}
		err = vmbus_send(ch, HVX_PACKET_DATA, 0, n->frame, n->held);
		if (err == -EMSGSIZE) {
			/* A guest whose ring is smaller than the protocol wants. */
			n->to_guest.oversized++;
			n->held = 0;
			continue;
		}
		if (err)
			return err;
		n->to_guest.frames++;
		n->to_guest.bytes += n->held - HVX_NET_FRAME_HDR;
		n->held = 0;
	}
	return 0;
}

static int net_serve(struct vmbus_channel *ch)
{
	unsigned int budget = NET_BATCH;
	bool signal;
	int err;

	do {
		/* No signals for packets we are about to see anyway. */
		hvx_ring_mask_signals(&ch->from_guest);
		err = net_from_guest(ch, &budget);
		/*
		 * Our reply waits (the guest signals when it made room), or
		 * the batch is done (masked still: the bus serves us again).
		 */
		if (err == -EAGAIN || err == NET_BATCH_DONE)
			break;
		if (err)
			return err;
	} while (hvx_ring_unmask_signals(&ch->from_guest));
	if (err == -EAGAIN || err == NET_BATCH_DONE) {
		hvx_ring_release(&ch->from_guest, &signal);
		ch->signal_guest |= signal;
	}
	if (err == -EAGAIN)
		return 0;
	if (err == NET_BATCH_DONE)
		ch->more = true;
	err = net_events(ch);
	if (!err)
		err = net_to_guest(ch);
	return err == -EAGAIN ? 0 : err;
}

/* Polled only while no frame waits for room in the guest's ring. */
static int net_poll_fd(struct vmbus_channel *ch)
{
	struct net_dev *n = ch->priv;

	return n->held ? -1 : n->tap;
}

static void net_tick(struct vmbus_channel *ch)
{
	struct net_dev *n = ch->priv;
	struct ifreq ifr = { 0 };
	bool up;

	memcpy(ifr.ifr_name, n->ifname, sizeof(ifr.ifr_name));
	if (ioctl(n->sock, SIOCGIFFLAGS, &ifr))
		return;
	up = ifr.ifr_flags & IFF_UP;
	if (up != n->link_up) {
		n->link_up = up;
		n->link_told = false;
	}
	net_read_tap_mtu(n);
}

static void net_resume(struct vmbus_channel *ch)
{
	struct net_dev *n = ch->priv;

	n->announce = true;
}

const struct vmbus_class vmbus_net_class = {
	.name		= "net",
	.class_id	= HVX_CLASS_NET,
	.takes_options	= true,
	.init		= net_init,
	.destroy	= net_destroy,
	.open		= net_open,
	.serve		= net_serve,
	.poll_fd	= net_poll_fd,
	.tick		= net_tick,
	.resume		= net_resume,
};
