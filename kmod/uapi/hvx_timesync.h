/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The time sync class of the channel bus: the one definition shared by the
 * guest driver (guest-drivers/timesync), the host backend (user/timesync.c)
 * and the tests.
 *
 * The host tells the guest what time it is as a sample: the host's
 * CLOCK_REALTIME and the guest's TSC at the same instant.  With its own TSC
 * frequency the guest then knows the host's time at any later TSC value,
 * without asking.  Samples come as HVX_PACKET_DATA when the guest opens
 * the channel, about once a second after that, and at once when the VM
 * ran again after a pause (HVX_TIMESYNC_F_RESUMED: the guest's own clock
 * may have fallen behind).  The guest may also ask: a HVX_PACKET_REQUEST
 * holding a struct hvx_timesync_msg of type GET_SAMPLE is answered by a
 * HVX_PACKET_COMPLETION of the same transaction id holding a sample (type
 * SAMPLE).
 *
 * The time is UTC, as the host's CLOCK_REALTIME keeps it, not TAI: a PTP
 * clock made from it is used without a TAI offset (chrony's refclock PHC
 * without its tai option).  The guest's TSC is one clock for all its CPUs.
 *
 * A message of an unknown type, or shorter than its type says, is dropped
 * and counted by the side that receives it.  Senders zero reserved fields
 * and flags they do not know; receivers ignore them.
 */
#ifndef _UAPI_HVX_TIMESYNC_H
#define _UAPI_HVX_TIMESYNC_H

#include <linux/types.h>

#define HVX_CLASS_TIMESYNC \
	{ 0x4e, 0x9a, 0x27, 0xc1, 0x5b, 0x83, 0x4f, 0x6d, \
	  0x8e, 0x12, 0xa7, 0x39, 0x60, 0xfb, 0x1c, 0x04 }

enum hvx_timesync_msg_type {
	HVX_TIMESYNC_MSG_SAMPLE		= 1,	/* host to guest */
	HVX_TIMESYNC_MSG_GET_SAMPLE	= 2,	/* guest request */
};

/**
 * struct hvx_timesync_msg - what every message starts with
 * @type: enum hvx_timesync_msg_type
 * @reserved: zero
 */
struct hvx_timesync_msg {
	__u16 type;
	__u16 reserved;
};

/* The VM was paused (the tool stopped, a restore): time jumped. */
#define HVX_TIMESYNC_F_RESUMED	(1U << 0)

/**
 * struct hvx_timesync_sample - the host's time at a guest TSC value
 * @msg: type HVX_TIMESYNC_MSG_SAMPLE
 * @flags: HVX_TIMESYNC_F_*
 * @guest_tsc: what RDTSC in the guest read at that instant
 * @host_realtime_ns: the host's CLOCK_REALTIME, ns since the epoch
 * @uncertainty_ticks: how far apart the two readings may be, in TSC ticks
 * @reserved: zero
 */
struct hvx_timesync_sample {
	struct hvx_timesync_msg msg;
	__u32 flags;
	__u64 guest_tsc;
	__s64 host_realtime_ns;
	__u32 uncertainty_ticks;
	__u32 reserved;
};

#endif /* _UAPI_HVX_TIMESYNC_H */
