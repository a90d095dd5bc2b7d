/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The network class of the channel bus: the one definition shared by the
 * guest driver (guest-drivers/net), the host backend (user/net.c) and the
 * tests.
 *
 * Frames travel through the rings, copied: each is one HVX_PACKET_DATA
 * packet whose payload is a struct hvx_net_frame followed by the Ethernet
 * frame (no FCS).  The frame header's @vnet is the virtio-net header of
 * <linux/virtio_net.h> (legacy layout, little-endian fields): checksum
 * offload and segmentation offload are described the way a TAP device
 * with IFF_VNET_HDR and the virtio-net drivers describe them, so the host
 * hands @vnet and the frame to its TAP as they are, and the TAP checks
 * the header like any other.
 *
 * Host to guest, a frame may be up to HVX_NET_MAX_FRAME bytes, may need its
 * checksum finished (VIRTIO_NET_HDR_F_NEEDS_CSUM), may carry a checksum the
 * host verified (VIRTIO_NET_HDR_F_DATA_VALID: the guest need not check it
 * again) and may be a TCP segmentation offload frame (gso_type TCPV4 or
 * TCPV6, with or without the ECN bit): a guest must take every one of
 * those.  Guest to host, a frame may use checksum offload (NEEDS_CSUM
 * only) if the configuration has HVX_NET_F_CSUM, and TCPV4 or TCPV6
 * segmentation offload (ECN bit allowed) if it has HVX_NET_F_GSO as well;
 * a frame without segmentation is at most max_mtu + 18 bytes (Ethernet and
 * VLAN headers on top of the largest MTU).
 *
 * Every other message is a struct hvx_net_msg (or starts with one):
 * - host to guest, HVX_PACKET_DATA: LINK (struct hvx_net_link: the link
 *   went up or down) and ANNOUNCE (tell the network where this interface
 *   is now, as after the VM was paused, restored or moved: gratuitous ARP,
 *   unsolicited neighbour advertisements);
 * - guest to host, HVX_PACKET_REQUEST: GET_CONFIG, whose completion (same
 *   transaction id) carries a struct hvx_net_config.
 *
 * A message of an unknown type, a frame that is too short or too long, or
 * whose header the receiver rejects, is dropped and counted by the side
 * that receives it.  Senders zero reserved fields; the host drops a frame
 * whose reserved fields are not zero, the guest ignores them.
 */
#ifndef _UAPI_HVX_NET_H
#define _UAPI_HVX_NET_H

#include <linux/types.h>
#include <linux/virtio_net.h>

#define HVX_CLASS_NET \
	{ 0x7d, 0x41, 0x0b, 0x6e, 0x93, 0xc2, 0x4a, 0x58, \
	  0xa1, 0x0f, 0x6c, 0x3e, 0x22, 0xd9, 0x45, 0x03 }

enum hvx_net_msg_type {
	HVX_NET_MSG_FRAME	= 1,	/* both ways: struct hvx_net_frame + frame */
	HVX_NET_MSG_LINK	= 2,	/* host to guest: struct hvx_net_link */
	HVX_NET_MSG_ANNOUNCE	= 3,	/* host to guest: struct hvx_net_msg */
	HVX_NET_MSG_GET_CONFIG	= 4,	/* guest request: struct hvx_net_msg */
};

/**
 * struct hvx_net_msg - what every message starts with
 * @type: enum hvx_net_msg_type
 * @reserved: zero
 */
struct hvx_net_msg {
	__u16 type;
	__u16 reserved;
};

/**
 * struct hvx_net_frame - in front of each frame
 * @msg: type HVX_NET_MSG_FRAME
 * @reserved: zero
 * @vnet: offloads, as a TAP's IFF_VNET_HDR header (all zero: none)
 *
 * 16 bytes; the Ethernet frame follows.
 */
struct hvx_net_frame {
	struct hvx_net_msg msg;
	__u16 reserved;
	struct virtio_net_hdr vnet;
};

#define HVX_NET_FRAME_HDR	sizeof(struct hvx_net_frame)

/* Ethernet + VLAN header bytes on top of the MTU of a frame. */
#define HVX_NET_FRAME_OVERHEAD	18
#define HVX_NET_MIN_FRAME	14	/* an Ethernet header */
/* A segmentation offload frame: 64 KiB of IP packet and its headers. */
#define HVX_NET_MAX_FRAME	(65535 + HVX_NET_FRAME_OVERHEAD)

#define HVX_NET_MIN_MTU		68
#define HVX_NET_MAX_MTU		9000

/**
 * struct hvx_net_link - the link's state changed
 * @msg: type HVX_NET_MSG_LINK
 * @up: non-zero: the link is up (carrier); 0: down
 */
struct hvx_net_link {
	struct hvx_net_msg msg;
	__u32 up;
};

/* Guest-to-host frames may ask for checksum offload. */
#define HVX_NET_F_CSUM		(1U << 0)
/* ... and segmentation offload (TCPV4, TCPV6); offered only with CSUM. */
#define HVX_NET_F_GSO		(1U << 1)

#define HVX_NET_CONFIG_LINK_UP	(1U << 0)

/**
 * struct hvx_net_config - the interface, as GET_CONFIG's completion has it
 * @status: 0, or a negative errno
 * @features: HVX_NET_F_* the host takes
 * @flags: HVX_NET_CONFIG_*
 * @mac: the interface's Ethernet address
 * @mtu: the MTU to start with, HVX_NET_MIN_MTU to @max_mtu
 * @max_mtu: the largest MTU the guest may set, at most HVX_NET_MAX_MTU
 * @reserved: zero
 */
struct hvx_net_config {
	__s32 status;
	__u32 features;
	__u32 flags;
	__u8 mac[6];
	__u16 mtu;
	__u16 max_mtu;
	__u16 reserved[3];
};

#endif /* _UAPI_HVX_NET_H */
