/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvx_timesync: the host's time in the guest, from the time sync channel
 * (kmod/uapi/hvx_timesync.h), one per channel.  timesync.c ties it to its
 * channel and shows the counters, rx.c takes the host's samples, ptp.c
 * turns the latest one into the host's time and a PTP clock that chrony
 * reads, step.c steps CLOCK_REALTIME when it is far off.
 */
#ifndef HVX_GUEST_TIMESYNC_H
#define HVX_GUEST_TIMESYNC_H

#include <linux/atomic.h>
#include <linux/ptp_clock_kernel.h>
#include <linux/seqlock.h>
#include <linux/sizes.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "../../kmod/uapi/hvx_timesync.h"
#include "../vmbus/hvx_vmbus.h"

/* The protocol's layout, which the host writes byte for byte. */
static_assert(sizeof(struct hvx_timesync_msg) == 4);
static_assert(sizeof(struct hvx_timesync_sample) == 32);

/* A sample a second, a request at probe: the smallest rings hold plenty. */
#define HVX_TIMESYNC_RING	SZ_4K

/*
 * The receive buffer takes the largest payload the in ring can carry, not
 * just a sample: a packet too long to be read could never be consumed,
 * and would block the ring instead of being dropped.
 */
#define HVX_TIMESYNC_RX_BUF	(HVX_TIMESYNC_RING - HVX_RING_DESC_SIZE)

/**
 * struct hvx_timesync - one time sync channel
 * @hdev: its channel's device
 * @ch: the channel
 * @sample_lock: the receive work writes @sample and @have_sample under it;
 *	the PTP clock and the step work read them
 * @sample: the latest sample that passed the checks, a private copy
 * @have_sample: @sample holds one
 * @rx_lock: orders on_signal's queueing of @rx_work with @rx_on
 * @rx_on: @rx_work may run: from the open's success to the teardown
 * @rx_work: drains the in ring; the ring's one consumer
 * @rx_dead: the in ring failed (broken, or rescinded); only @rx_work uses it
 * @rx_buf: where the receive work copies each packet, HVX_TIMESYNC_RX_BUF
 *	bytes: the host cannot change what we check once it is here
 * @step_work: steps CLOCK_REALTIME to the host's time
 * @ptp_info: the PTP clock's description; its callbacks find us around it
 * @ptp: the PTP clock, /dev/ptpN
 * @samples: samples taken
 * @resumed: of those, the ones with HVX_TIMESYNC_F_RESUMED
 * @steps: times CLOCK_REALTIME was stepped
 * @rejected: samples that failed the checks, and messages not of ours
 * @last_offset_ns: the host's time minus CLOCK_REALTIME at the last sample
 */
struct hvx_timesync {
	struct hvx_vmbus_device *hdev;
	struct hvx_channel *ch;
	seqlock_t sample_lock;
	struct hvx_timesync_sample sample;
	bool have_sample;
	spinlock_t rx_lock;
	bool rx_on;
	struct work_struct rx_work;
	bool rx_dead;
	void *rx_buf;
	struct work_struct step_work;
	struct ptp_clock_info ptp_info;
	struct ptp_clock *ptp;
	atomic64_t samples;
	atomic64_t resumed;
	atomic64_t steps;
	atomic64_t rejected;
	atomic64_t last_offset_ns;
};

/* rx.c */
void hvx_timesync_signal(void *ctx);
void hvx_timesync_rx_work(struct work_struct *work);
void hvx_timesync_start_rx(struct hvx_timesync *ts);
void hvx_timesync_stop_rx(struct hvx_timesync *ts);

/* ptp.c */
bool hvx_timesync_latest(struct hvx_timesync *ts, struct hvx_timesync_sample *s);
int hvx_timesync_host_ns(const struct hvx_timesync_sample *s, u64 tsc, s64 *ns);
int hvx_timesync_ptp_register(struct hvx_timesync *ts);

/* step.c */
void hvx_timesync_check_offset(struct hvx_timesync *ts, const struct hvx_timesync_sample *s);
void hvx_timesync_step_work(struct work_struct *work);

#endif /* HVX_GUEST_TIMESYNC_H */
