/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The channel ring as it lies in memory: the one definition shared by the
 * host (hvx.ko and the hvx tool's backends), the guest drivers and the
 * native tests.  The code that reads and writes it is vmbus/ring.h.
 *
 * A channel has two rings, one per direction, each with one producer and one
 * consumer.  A ring is a header page and a data area of RING_SIZE bytes (a
 * power of two, a whole number of pages).  The indices are free-running byte
 * counters: write_index - read_index bytes are in flight, and the byte at
 * counter c lives at data[c & (RING_SIZE - 1)].  So a full ring and an empty
 * one differ (in flight = RING_SIZE or 0) and no byte is wasted; packets wrap
 * around the end of the data area.
 *
 * Each side writes only its own fields of the header, and neither trusts
 * what the other wrote.  The two indices, written for every batch, and the
 * two control fields, written rarely, have a cache line each: a side reads
 * the peer's control field after every packet, and that must not miss in
 * the cache just because the peer moved its index.
 */
#ifndef _UAPI_HVX_RING_H
#define _UAPI_HVX_RING_H

#include <linux/types.h>

#define HVX_RING_HEADER_SIZE	4096
#define HVX_RING_MIN_DATA	4096
#define HVX_RING_MAX_DATA	(1U << 30)

/* Feature bits the producer announces in hvx_ring_header.features. */
#define HVX_RING_F_PENDING_SEND	(1U << 0)	/* honours pending_send_size */
#define HVX_RING_FEATURES	HVX_RING_F_PENDING_SEND

/**
 * struct hvx_ring_header - the first page of a ring
 * @write_index: bytes the producer has ever written; packets end here
 * @read_index: bytes the consumer has ever consumed
 * @interrupt_mask: set by the consumer while it is draining the ring and
 *	needs no signal for new packets
 * @pending_send_size: set by the producer while it waits for this many free
 *	bytes; the consumer signals it once they are free
 * @features: HVX_RING_F_* the producer uses
 */
struct hvx_ring_header {
	__u32 write_index;
	__u32 reserved_write[15];
	__u32 read_index;
	__u32 reserved_read[15];
	__u32 interrupt_mask;
	__u32 reserved_mask[15];
	__u32 pending_send_size;
	__u32 features;
	__u32 reserved_pending[14];
	__u8 reserved[HVX_RING_HEADER_SIZE - 256];
};

/* Packet types; a class protocol defines what the payload of each means. */
enum hvx_packet_type {
	HVX_PACKET_DATA		= 1,	/* a message; no reply expected */
	HVX_PACKET_REQUEST	= 2,	/* a message that wants a completion */
	HVX_PACKET_COMPLETION	= 3,	/* the reply to the request with trans_id */
};

/**
 * struct hvx_packet_desc - the descriptor in front of every packet
 * @type: enum hvx_packet_type
 * @flags: zero; reserved
 * @len: payload bytes after the descriptor; the packet occupies
 *	sizeof(descriptor) + @len rounded up to 8 bytes of the ring
 * @trans_id: the sender's id for a request, echoed in its completion
 */
struct hvx_packet_desc {
	__u16 type;
	__u16 flags;
	__u32 len;
	__u64 trans_id;
};

#define HVX_PACKET_ALIGN	8

#endif /* _UAPI_HVX_RING_H */
