/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The balloon class of the channel bus: the one definition shared by the
 * guest driver (guest-drivers/balloon), the host backend (user/balloon.c)
 * and the tests.
 *
 * The host sets a target: how many 4 KiB pages of its RAM the guest should
 * hand back (HVX_PACKET_DATA, struct hvx_balloon_target).  The guest moves
 * towards it by allocating pages and giving their frame numbers to the
 * host (INFLATE), or by taking pages back (DEFLATE), a request at a time:
 * HVX_PACKET_REQUEST holding a struct hvx_balloon_pages, answered by a
 * HVX_PACKET_COMPLETION of the same transaction id holding a struct
 * hvx_balloon_result.  The host handles requests in ring order and
 * discards inflated pages (its memory for them is freed) before it
 * answers the INFLATE; a guest that touches one anyway gets a zeroed page.
 * A DEFLATE changes no memory: the pages read as zeroes if the host
 * discarded them, and the guest may use them as soon as it sent the
 * DEFLATE.  The balloon starts empty each time the guest opens the channel
 * (a new driver knows nothing of its predecessor's pages).  A target
 * larger than the guest's memory is as much as the guest can give.
 *
 * A request is taken whole or refused whole: a frame outside the guest's
 * RAM, a frame inflated twice (or already in the balloon), a frame
 * deflated that is not in the balloon, or a count of 0 or over
 * HVX_BALLOON_MAX_PFNS, and the result is -EINVAL and nothing changed.
 *
 * The guest tells the host its memory statistics (HVX_PACKET_DATA, struct
 * hvx_balloon_stats) when asked (GET_STATS from the host) and every
 * stats interval it chooses, and why it stops short of a target (struct
 * hvx_balloon_status: it cannot give more without running out itself).
 *
 * Free page reporting: the guest may name free ranges of its memory
 * (REPORT, HVX_PACKET_REQUEST holding a struct hvx_balloon_ranges); the
 * host discards them, as for INFLATE, but they stay the guest's and are
 * not in the balloon (a range with a page in the balloon is refused with
 * -EINVAL).  The guest may use them again at once: they read
 * back as zeroes or their old contents.
 *
 * Every message starts with a struct hvx_balloon_msg.  A request of a type
 * the host does not know is answered -EOPNOTSUPP, one shorter than its
 * count says -EINVAL; any other message of an unknown type, or shorter
 * than its type says, is dropped and counted by the side that receives
 * it.  Senders zero reserved fields; receivers ignore them.
 */
#ifndef _UAPI_HVX_BALLOON_H
#define _UAPI_HVX_BALLOON_H

#include <linux/types.h>

#define HVX_CLASS_BALLOON \
	{ 0x91, 0x3c, 0x5e, 0x0a, 0x6f, 0x24, 0x4b, 0x71, \
	  0xb8, 0x43, 0x0d, 0x2a, 0x7e, 0x19, 0xc6, 0x05 }

#define HVX_BALLOON_PAGE_SHIFT	12

enum hvx_balloon_msg_type {
	HVX_BALLOON_MSG_TARGET		= 1,	/* host to guest: hvx_balloon_target */
	HVX_BALLOON_MSG_GET_STATS	= 2,	/* host to guest: hvx_balloon_msg */
	HVX_BALLOON_MSG_INFLATE		= 3,	/* guest request: hvx_balloon_pages */
	HVX_BALLOON_MSG_DEFLATE		= 4,	/* guest request: hvx_balloon_pages */
	HVX_BALLOON_MSG_REPORT		= 5,	/* guest request: hvx_balloon_ranges */
	HVX_BALLOON_MSG_RESULT		= 6,	/* host completion: hvx_balloon_result */
	HVX_BALLOON_MSG_STATS		= 7,	/* guest to host: hvx_balloon_stats */
	HVX_BALLOON_MSG_STATUS		= 8,	/* guest to host: hvx_balloon_status */
};

/**
 * struct hvx_balloon_msg - what every message starts with
 * @type: enum hvx_balloon_msg_type
 * @reserved: zero
 */
struct hvx_balloon_msg {
	__u16 type;
	__u16 reserved;
};

/**
 * struct hvx_balloon_target - how many pages the balloon should hold
 * @msg: type TARGET
 * @reserved: zero
 * @pages: 4 KiB pages; 0 empties the balloon
 */
struct hvx_balloon_target {
	struct hvx_balloon_msg msg;
	__u32 reserved;
	__u64 pages;
};

/* Frame numbers per INFLATE or DEFLATE: a request fits a 4 KiB packet. */
#define HVX_BALLOON_MAX_PFNS	500

/**
 * struct hvx_balloon_pages - pages into or out of the balloon
 * @msg: type INFLATE or DEFLATE
 * @count: entries of @pfns, 1 to HVX_BALLOON_MAX_PFNS
 * @pfns: guest frame numbers of 4 KiB pages
 */
struct hvx_balloon_pages {
	struct hvx_balloon_msg msg;
	__u32 count;
	__u64 pfns[];
};

/**
 * struct hvx_balloon_result - the host's answer to a request
 * @msg: type RESULT
 * @status: 0, or -EINVAL (refused whole: see above), -EIO (INFLATE or
 *	REPORT: the host could not discard; the balloon did not change, but
 *	any of the pages may read as zeroes now), -EOPNOTSUPP (not a request
 *	the host knows)
 * @balloon_pages: pages in the balloon now
 */
struct hvx_balloon_result {
	struct hvx_balloon_msg msg;
	__s32 status;
	__u64 balloon_pages;
};

/* Ranges per REPORT, and the largest (the buddy allocator's largest block). */
#define HVX_BALLOON_MAX_RANGES		32
#define HVX_BALLOON_MAX_RANGE_SIZE	(4U << 20)

/**
 * struct hvx_balloon_range - free guest memory
 * @gpa: guest physical address, 4 KiB aligned
 * @size: bytes, a multiple of 4 KiB, at most HVX_BALLOON_MAX_RANGE_SIZE
 */
struct hvx_balloon_range {
	__u64 gpa;
	__u64 size;
};

/**
 * struct hvx_balloon_ranges - free memory the host may discard
 * @msg: type REPORT
 * @count: entries of @ranges, 1 to HVX_BALLOON_MAX_RANGES
 * @ranges: not overlapping, none in the balloon
 */
struct hvx_balloon_ranges {
	struct hvx_balloon_msg msg;
	__u32 count;
	struct hvx_balloon_range ranges[];
};

/**
 * struct hvx_balloon_stats - the guest's memory, in bytes or events
 * @msg: type STATS
 * @reserved: zero
 * @total: memory the guest's kernel manages (MemTotal)
 * @free: MemFree
 * @available: MemAvailable
 * @cached: page cache (Cached)
 * @swap_in: pages swapped in since boot
 * @swap_out: pages swapped out since boot
 * @major_faults: since boot
 * @minor_faults: since boot
 * @balloon_pages: pages in the balloon, as the guest counts them
 */
struct hvx_balloon_stats {
	struct hvx_balloon_msg msg;
	__u32 reserved;
	__u64 total;
	__u64 free;
	__u64 available;
	__u64 cached;
	__u64 swap_in;
	__u64 swap_out;
	__u64 major_faults;
	__u64 minor_faults;
	__u64 balloon_pages;
};

enum hvx_balloon_status_reason {
	HVX_BALLOON_REACHED	= 0,	/* the balloon holds the target */
	HVX_BALLOON_NO_MEMORY	= 1,	/* it cannot give more and stays short */
	HVX_BALLOON_OOM		= 2,	/* it deflated under memory pressure */
};

/**
 * struct hvx_balloon_status - where the balloon stopped, and why
 * @msg: type STATUS
 * @reason: enum hvx_balloon_status_reason
 * @balloon_pages: pages in the balloon
 * @target_pages: the target it had then
 */
struct hvx_balloon_status {
	struct hvx_balloon_msg msg;
	__u32 reason;
	__u64 balloon_pages;
	__u64 target_pages;
};

#endif /* _UAPI_HVX_BALLOON_H */
