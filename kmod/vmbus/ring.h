/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One side of a channel ring (layout in uapi/hvx_ring.h): the producer's
 * write and the consumer's peek, copy and consume, with interrupt
 * suppression.  Header-only, like <linux/ptr_ring.h>, so that hvx.ko, the
 * guest drivers, the hvx tool and the native tests run this very code.
 *
 * The peer is not trusted.  Each side keeps its own index in struct
 * hvx_ring and only publishes it; what it reads of the peer's index and of
 * a descriptor is read once, checked, and used from a local copy.  An index
 * or a length that cannot be right marks the ring broken: every later call
 * fails with -EPIPE and the owner reports the channel.  The peer's index is
 * read only when the last value seen runs out (no room, no packet), so a
 * lie is found then, not sooner; until then nothing of it is used.
 *
 * Signals are suppressed in both directions without lost wake-ups:
 *  - The consumer masks signals while it drains the ring; when it runs dry
 *    it unmasks and looks again (hvx_ring_unmask_signals()), after a full
 *    barrier.  The producer publishes its packet, then, after a full
 *    barrier, signals only if the consumer was unmasked and had caught up
 *    with everything before this packet.  One of the two always sees the
 *    other's store.
 *  - A producer that finds no room sets pending_send_size and looks again;
 *    the consumer, after publishing a read, signals it back when its read
 *    made the free space cross that size.
 */
#ifndef HVX_VMBUS_RING_H
#define HVX_VMBUS_RING_H

#include "../pure.h"
#include "../uapi/hvx_ring.h"

#define HVX_RING_DESC_SIZE	((u32)sizeof(struct hvx_packet_desc))

_Static_assert(sizeof(struct hvx_ring_header) == HVX_RING_HEADER_SIZE,
	       "the ring header is one page");
_Static_assert(sizeof(struct hvx_packet_desc) % HVX_PACKET_ALIGN == 0,
	       "packets stay 8-byte aligned");

struct hvx_ring {
	struct hvx_ring_header *hdr;
	u8 *data;
	u32 size;		/* bytes in data: a power of two */
	u32 index;		/* ours: the producer's write or the consumer's read */
	/*
	 * The peer's index as last read and checked: the producer's view of
	 * the read index, the consumer's of the write index.  Reading the
	 * shared one only when this says there is no room (or no packet)
	 * keeps the peer's cache line from bouncing on every packet.
	 */
	u32 peer_index;
	u32 pending_send;	/* producer: what pending_send_size says, as we set it */
	u32 published;		/* consumer: the read index the producer can see */
	bool broken;
	u64 packets, bytes;	/* moved through this side, for statistics */
};

/* A piece of a packet's payload, for hvx_ring_write(). */
struct hvx_ring_buf {
	const void *base;
	u32 len;
};

/* Bytes of the ring a packet with @len bytes of payload occupies. */
static inline u32 hvx_ring_packet_bytes(u32 len)
{
	return HVX_RING_DESC_SIZE + ((len + HVX_PACKET_ALIGN - 1) & ~(HVX_PACKET_ALIGN - 1));
}

/* The largest payload a single packet can carry in @ring. */
static inline u32 hvx_ring_max_payload(const struct hvx_ring *ring)
{
	return ring->size - HVX_RING_DESC_SIZE;
}

static inline bool hvx_ring_size_valid(u64 size)
{
	return size >= HVX_RING_MIN_DATA && size <= HVX_RING_MAX_DATA &&
	       !(size & (size - 1));
}

/* For the side that allocates the ring: an empty ring, nothing masked. */
static inline void hvx_ring_header_init(struct hvx_ring_header *hdr)
{
	memset(hdr, 0, sizeof(*hdr));
	hdr->features = HVX_RING_FEATURES;
}

/*
 * Attaches to a ring whose header and data area are mapped at @hdr and
 * @data.  Our index starts where the header says, so that either side may
 * attach to a ring that is already in use.  0, or -EINVAL for a bad size.
 */
static inline int hvx_ring_attach(struct hvx_ring *ring, struct hvx_ring_header *hdr,
				  void *data, u64 size, bool producer)
{
	if (!hvx_ring_size_valid(size))
		return -EINVAL;
	memset(ring, 0, sizeof(*ring));
	ring->hdr = hdr;
	ring->data = data;
	ring->size = (u32)size;
	ring->index = producer ? READ_ONCE(hdr->write_index) : READ_ONCE(hdr->read_index);
	ring->peer_index = ring->index;	/* nothing known of the peer yet */
	ring->published = ring->index;
	/* Our packets are 8-byte aligned; an index that is not is a lie. */
	if (ring->index & (HVX_PACKET_ALIGN - 1))
		ring->broken = true;
	return 0;
}

static inline int hvx_ring_mark_broken(struct hvx_ring *ring)
{
	ring->broken = true;
	return -EPIPE;
}

/* Copies @len bytes into the data area at counter @at, wrapping at its end. */
static inline void hvx_ring_copy_in(struct hvx_ring *ring, u32 at, const void *src, u32 len)
{
	u32 off = at & (ring->size - 1);
	u32 first = len < ring->size - off ? len : ring->size - off;

	if (!len)
		return;	/* an empty piece may have no buffer at all */

	memcpy(ring->data + off, src, first);
	memcpy(ring->data, (const u8 *)src + first, len - first);
}

static inline void hvx_ring_copy_out(const struct hvx_ring *ring, u32 at, void *dst, u32 len)
{
	u32 off = at & (ring->size - 1);
	u32 first = len < ring->size - off ? len : ring->size - off;

	if (!len)
		return;	/* an empty piece may have no buffer at all */

	memcpy(dst, ring->data + off, first);
	memcpy((u8 *)dst + first, ring->data, len - first);
}

/*
 * Bytes the consumer has not consumed yet, as the producer sees them, or
 * -EPIPE if the consumer's read index is out of range.
 */
static inline s64 hvx_ring_in_flight(struct hvx_ring *ring)
{
	/* Acquire: the consumer is done with the bytes before its index. */
	u32 read = smp_load_acquire(&ring->hdr->read_index);
	u32 used = ring->index - read;

	if (used > ring->size || (read & (HVX_PACKET_ALIGN - 1)))
		return hvx_ring_mark_broken(ring);
	ring->peer_index = read;
	return used;
}

/*
 * Producer: writes one packet of @type whose payload is the @nbufs pieces
 * of @bufs.  *@signal says whether the consumer must be signalled.
 * Returns 0; -EAGAIN when the ring has no room yet (the consumer will
 * signal when it has); -EMSGSIZE for a packet larger than the ring can ever
 * hold; -EPIPE when the ring is broken.
 */
static inline int hvx_ring_write(struct hvx_ring *ring, u16 type, u64 trans_id,
				 const struct hvx_ring_buf *bufs, unsigned int nbufs,
				 bool *signal)
{
	struct hvx_packet_desc desc = { .type = type, .trans_id = trans_id };
	u32 len = 0, bytes, at, start = ring->index;
	s64 used;
	unsigned int i;

	*signal = false;
	if (ring->broken)
		return -EPIPE;
	for (i = 0; i < nbufs; i++) {
		if (bufs[i].len > hvx_ring_max_payload(ring) - len)
			return -EMSGSIZE;
		len += bufs[i].len;
	}
	desc.len = len;
	bytes = hvx_ring_packet_bytes(len);

	/* Room as last seen first: the consumer only ever frees more. */
	used = ring->index - ring->peer_index;
	if (ring->size - used < bytes)
		used = hvx_ring_in_flight(ring);
	if (used < 0)
		return -EPIPE;
	if (ring->size - used < bytes) {
		/* A retry asks again only if it asks for something else. */
		if (ring->pending_send != bytes) {
			ring->pending_send = bytes;
			WRITE_ONCE(ring->hdr->pending_send_size, bytes);
		}
		/* Pairs with the barrier in hvx_ring_consume(). */
		smp_mb();
		used = hvx_ring_in_flight(ring);
		if (used < 0)
			return -EPIPE;
		if (ring->size - used < bytes)
			return -EAGAIN;
	}
	if (ring->pending_send) {
		ring->pending_send = 0;
		WRITE_ONCE(ring->hdr->pending_send_size, 0);
	}

	hvx_ring_copy_in(ring, start, &desc, sizeof(desc));
	at = start + HVX_RING_DESC_SIZE;
	for (i = 0; i < nbufs; i++) {
		hvx_ring_copy_in(ring, at, bufs[i].base, bufs[i].len);
		at += bufs[i].len;
	}
	ring->index = start + bytes;
	ring->packets++;
	ring->bytes += len;
	/* Release: the packet is in place before the consumer can see it. */
	smp_store_release(&ring->hdr->write_index, ring->index);
	/* Pairs with the barrier in hvx_ring_unmask_signals(). */
	smp_mb();
	*signal = !READ_ONCE(ring->hdr->interrupt_mask) &&
		  READ_ONCE(ring->hdr->read_index) == start;
	return 0;
}

/* Producer: one contiguous payload. */
static inline int hvx_ring_write_one(struct hvx_ring *ring, u16 type, u64 trans_id,
				     const void *payload, u32 len, bool *signal)
{
	struct hvx_ring_buf buf = { .base = payload, .len = len };

	return hvx_ring_write(ring, type, trans_id, &buf, 1, signal);
}

/*
 * Consumer: copies the descriptor of the next packet into @desc, checked
 * against what the producer has published.  Returns 0; -EAGAIN when the
 * ring is empty; -EPIPE when it is (now) broken.
 */
static inline int hvx_ring_peek(struct hvx_ring *ring, struct hvx_packet_desc *desc)
{
	u32 write, avail;

	if (ring->broken)
		return -EPIPE;
	/* Packets as last seen first: the producer only ever adds more. */
	avail = ring->peer_index - ring->index;
	if (!avail) {
		/* Acquire: the packets' bytes are visible once the index is. */
		write = smp_load_acquire(&ring->hdr->write_index);
		avail = write - ring->index;
		if (!avail)
			return -EAGAIN;
		if (avail > ring->size || avail < HVX_RING_DESC_SIZE ||
		    (avail & (HVX_PACKET_ALIGN - 1)))
			return hvx_ring_mark_broken(ring);
		ring->peer_index = write;
	}
	hvx_ring_copy_out(ring, ring->index, desc, sizeof(*desc));
	if (desc->len > hvx_ring_max_payload(ring) ||
	    hvx_ring_packet_bytes(desc->len) > avail)
		return hvx_ring_mark_broken(ring);
	return 0;
}

/*
 * Consumer: copies @len bytes from @offset of the payload of the packet
 * that hvx_ring_peek() described in @desc.  0, or -EINVAL when that range
 * is not inside the payload.
 */
static inline int hvx_ring_copy_payload(const struct hvx_ring *ring,
					const struct hvx_packet_desc *desc,
					u32 offset, void *buf, u32 len)
{
	if (offset > desc->len || len > desc->len - offset)
		return -EINVAL;
	hvx_ring_copy_out(ring, ring->index + HVX_RING_DESC_SIZE + offset, buf, len);
	return 0;
}

/*
 * Consumer: hands the packets consumed so far back to the producer.
 * *@signal says whether the producer waits for the room this made.
 * hvx_ring_consume() calls it at the end of each batch; a consumer that
 * stops reading while it knows of more packets must call it itself.
 */
static inline void hvx_ring_release(struct hvx_ring *ring, bool *signal)
{
	u32 freed = ring->index - ring->published;
	u32 pending, avail, free_after;

	*signal = false;
	if (!freed)
		return;
	ring->published = ring->index;
	/* Release: we are done with the bytes before we hand them back. */
	smp_store_release(&ring->hdr->read_index, ring->index);
	/* Pairs with the barrier in hvx_ring_write()'s no-room path. */
	smp_mb();
	pending = READ_ONCE(ring->hdr->pending_send_size);
	if (!pending)
		return;
	avail = READ_ONCE(ring->hdr->write_index) - ring->index;
	if (avail > ring->size)
		return;		/* hvx_ring_peek() will find out */
	free_after = ring->size - avail;
	/* Signal only the release that crossed the mark: earlier ones did not. */
	*signal = free_after >= pending && free_after - freed < pending;
}

/*
 * Consumer: frees the packet @desc that hvx_ring_peek() returned.  The
 * producer sees the room at the end of a batch: when this was the last
 * packet known to be there, or a quarter of the ring is waiting to be
 * handed back.  Until then the two sides work on different cache lines.
 * *@signal as for hvx_ring_release().
 */
static inline void hvx_ring_consume(struct hvx_ring *ring, const struct hvx_packet_desc *desc,
				    bool *signal)
{
	ring->index += hvx_ring_packet_bytes(desc->len);
	ring->packets++;
	ring->bytes += desc->len;
	*signal = false;
	if (ring->index == ring->peer_index ||
	    ring->index - ring->published >= ring->size / 4)
		hvx_ring_release(ring, signal);
}

/*
 * Consumer: peek, copy the whole payload into @buf (@buflen bytes), consume.
 * Returns the payload length; -EAGAIN, -EPIPE as hvx_ring_peek(); -EMSGSIZE
 * (packet left in the ring) when @buf is too small.
 */
static inline s64 hvx_ring_read(struct hvx_ring *ring, struct hvx_packet_desc *desc,
				void *buf, u32 buflen, bool *signal)
{
	int err;

	*signal = false;
	err = hvx_ring_peek(ring, desc);
	if (err)
		return err;
	if (desc->len > buflen)
		return -EMSGSIZE;
	/* The whole payload: the range check in there cannot fail. */
	hvx_ring_copy_payload(ring, desc, 0, buf, desc->len);
	hvx_ring_consume(ring, desc, signal);
	return desc->len;
}

/* Consumer: no signals needed while we drain the ring. */
static inline void hvx_ring_mask_signals(struct hvx_ring *ring)
{
	WRITE_ONCE(ring->hdr->interrupt_mask, 1);
}

/*
 * Consumer, when the ring ran dry: asks for signals again.  Returns true if
 * packets arrived meanwhile; then the caller goes on reading (and may mask
 * again) instead of waiting for a signal that will not come.
 */
static inline bool hvx_ring_unmask_signals(struct hvx_ring *ring)
{
	/*
	 * Everything consumed is released by now: the ring ran dry, so the
	 * last hvx_ring_consume() ended its batch.  The producer's signal
	 * test in hvx_ring_write() relies on that.
	 */
	WRITE_ONCE(ring->hdr->interrupt_mask, 0);
	/* Pairs with the barrier after publishing in hvx_ring_write(). */
	smp_mb();
	return READ_ONCE(ring->hdr->write_index) != ring->index;
}

#endif /* HVX_VMBUS_RING_H */
