/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The storage class of the channel bus: the one definition shared by the
 * guest driver (guest-drivers/blk), the host backend (user/blk.c) and the
 * tests.
 *
 * The guest sends HVX_PACKET_REQUEST packets whose payload is a struct
 * hvx_blk_request; the host answers each with a HVX_PACKET_COMPLETION of
 * the same transaction id whose payload is a struct hvx_blk_response (for
 * GET_CONFIG, a struct hvx_blk_config).  Completions may come in any order.
 * Data does not travel through the ring: READ and WRITE name guest memory
 * as segments of guest physical addresses, which the host reads or writes
 * in place after checking that each lies in the guest's RAM.
 *
 * The host sends a HVX_PACKET_DATA packet holding a struct hvx_blk_event
 * when the disk changed (a resize): the guest asks for the configuration
 * again.
 *
 * The host has ended every request's access to guest memory before the
 * guest learns that the channel closed or was rescinded: a guest may fail
 * what is still in flight then and reuse its pages.  Read-only disks fail
 * WRITE, DISCARD and WRITE_ZEROES with -EROFS; FLUSH succeeds.
 */
#ifndef _UAPI_HVX_BLK_H
#define _UAPI_HVX_BLK_H

#include <linux/types.h>

#define HVX_CLASS_BLK \
	{ 0x2c, 0x0e, 0x58, 0x8b, 0x3a, 0x71, 0x4f, 0x1d, \
	  0x9b, 0x6a, 0x51, 0xd4, 0x0c, 0x27, 0x86, 0x02 }

#define HVX_BLK_SECTOR_SHIFT	9

enum hvx_blk_op {
	HVX_BLK_OP_GET_CONFIG	= 1,	/* no sector, no segments */
	HVX_BLK_OP_READ		= 2,	/* disk to the segments */
	HVX_BLK_OP_WRITE	= 3,	/* the segments to disk */
	HVX_BLK_OP_FLUSH	= 4,	/* what was written is on stable storage */
	HVX_BLK_OP_DISCARD	= 5,	/* @nr_sectors may read back as anything */
	HVX_BLK_OP_WRITE_ZEROES	= 6,	/* @nr_sectors read back as zeroes */
};

/* WRITE: on stable storage before the completion, like a flush after it. */
#define HVX_BLK_REQ_FUA		(1U << 0)
#define HVX_BLK_REQ_FLAGS	HVX_BLK_REQ_FUA

/*
 * The most segments a request may carry; it keeps a request with all of
 * them (2,072 bytes) within the smallest ring the guest may use.
 */
#define HVX_BLK_MAX_SEGS	128

/**
 * struct hvx_blk_seg - a piece of guest memory
 * @gpa: guest physical address, a multiple of 512
 * @len: bytes, a multiple of 512, at most 1 MiB
 * @reserved: zero
 */
struct hvx_blk_seg {
	__u64 gpa;
	__u32 len;
	__u32 reserved;
};

/**
 * struct hvx_blk_request - what the guest asks
 * @op: enum hvx_blk_op
 * @flags: HVX_BLK_REQ_*
 * @nsegs: READ and WRITE: segments that follow (1 to HVX_BLK_MAX_SEGS);
 *	else 0
 * @reserved: zero
 * @sector: the first 512-byte sector
 * @nr_sectors: sectors; for READ and WRITE the segments' bytes / 512
 * @segs: the guest memory of READ and WRITE, in disk order
 */
struct hvx_blk_request {
	__u16 op;
	__u16 flags;
	__u16 nsegs;
	__u16 reserved;
	__u64 sector;
	__u64 nr_sectors;
	struct hvx_blk_seg segs[];
};

/*
 * @status of a response: 0, or a negative errno: -EIO (the host's I/O
 * failed), -EROFS (a write to a read-only disk), -EINVAL (a malformed
 * request, a range outside the disk or outside guest memory), -ENOSPC
 * (the host's file system is full), -EOPNOTSUPP (an operation the disk
 * does not do).
 */
struct hvx_blk_response {
	__s32 status;
	__u32 reserved;
};

#define HVX_BLK_F_RO		(1U << 0)	/* writes fail with -EROFS */
#define HVX_BLK_F_DISCARD	(1U << 1)	/* DISCARD works */
#define HVX_BLK_F_WRITE_ZEROES	(1U << 2)	/* WRITE_ZEROES works */

#define HVX_BLK_SERIAL_LEN	20

/**
 * struct hvx_blk_config - the disk, as GET_CONFIG's completion carries it
 * @status: 0, or a negative errno as in a response
 * @flags: HVX_BLK_F_*
 * @capacity: size in 512-byte sectors
 * @logical_block_size: bytes the disk addresses (512 or 4096)
 * @physical_block_size: bytes it writes at once (a multiple of the former)
 * @max_sectors: the most sectors one READ or WRITE may move
 * @serial: an identifier, NUL padded (not terminated when all 20 are used)
 * @max_discard_sectors: the most sectors one DISCARD may name; larger ones
 *	fail with -EINVAL.  0 from a host that predates the field: no limit
 *	stated
 * @max_write_zeroes_sectors: the same for WRITE_ZEROES
 * @reserved: zero
 */
struct hvx_blk_config {
	__s32 status;
	__u32 flags;
	__u64 capacity;
	__u32 logical_block_size;
	__u32 physical_block_size;
	__u32 max_sectors;
	char serial[HVX_BLK_SERIAL_LEN];
	__u32 max_discard_sectors;
	__u32 max_write_zeroes_sectors;
	__u32 reserved[2];
};

enum hvx_blk_event_type {
	HVX_BLK_EVENT_CONFIG_CHANGED	= 1,
};

struct hvx_blk_event {
	__u32 type;
	__u32 reserved;
};

#endif /* _UAPI_HVX_BLK_H */
