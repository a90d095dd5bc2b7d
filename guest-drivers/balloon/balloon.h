/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvx_balloon: gives guest memory back to the host on the balloon channel
 * (kmod/uapi/hvx_balloon.h), one per channel.  balloon.c ties it to its
 * channel and shows the counters, rx.c takes the host's messages and
 * answers, inflate.c moves the balloon towards the host's target, oom.c
 * lets the guest take pages back when it runs out, stats.c tells the host
 * how the guest's memory is used, report.c names free memory the host may
 * discard.
 *
 * Which pages may go back to the guest when: a page that the host
 * acknowledged in an INFLATE was discarded then, and touching it later
 * only brings in a zeroed page; it may go back to the guest at any time,
 * with or without a DEFLATE.  A page whose INFLATE (or REPORT) went out
 * but was not answered may still be discarded by the host, so it stays
 * out of the guest until an answer to a later request shows that the
 * host is done with the earlier one: the host handles requests in the
 * order they are in the ring.
 */
#ifndef HVX_GUEST_BALLOON_H
#define HVX_GUEST_BALLOON_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/notifier.h>
#include <linux/page_reporting.h>
#include <linux/sizes.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "../../kmod/uapi/hvx_balloon.h"
#include "../vmbus/hvx_vmbus.h"

/* The protocol's layout, which the host reads byte for byte. */
static_assert(sizeof(struct hvx_balloon_msg) == 4);
static_assert(sizeof(struct hvx_balloon_target) == 16);
static_assert(sizeof(struct hvx_balloon_pages) == 8);
static_assert(sizeof(struct hvx_balloon_result) == 16);
static_assert(sizeof(struct hvx_balloon_range) == 16);
static_assert(sizeof(struct hvx_balloon_ranges) == 8);
static_assert(sizeof(struct hvx_balloon_stats) == 80);
static_assert(sizeof(struct hvx_balloon_status) == 24);

/* Frame numbers are of 4 KiB pages: ours, on x86-64. */
static_assert(PAGE_SHIFT == HVX_BALLOON_PAGE_SHIFT);

/* The core hands the report callback at most this many ranges. */
static_assert(PAGE_REPORTING_CAPACITY <= HVX_BALLOON_MAX_RANGES);
/* Free page reporting hands over buddy blocks: the largest is 2^(MAX_ORDER - 1) pages. */
static_assert((PAGE_SIZE << (MAX_ORDER - 1)) <= HVX_BALLOON_MAX_RANGE_SIZE);

/*
 * A full INFLATE is about 4 KiB; the rings hold a few requests, the
 * statistics and a status at once.  The host only sends small messages,
 * but the same size both ways keeps it simple.
 */
#define HVX_BALLOON_RING	SZ_16K
#define HVX_BALLOON_PAGES_MAX_LEN \
	(sizeof(struct hvx_balloon_pages) + HVX_BALLOON_MAX_PFNS * sizeof(__u64))
#define HVX_BALLOON_RANGES_MAX_LEN \
	(sizeof(struct hvx_balloon_ranges) + \
	 HVX_BALLOON_MAX_RANGES * sizeof(struct hvx_balloon_range))
static_assert(HVX_RING_DESC_SIZE + HVX_BALLOON_PAGES_MAX_LEN <= HVX_BALLOON_RING);

/*
 * The receive buffer takes the largest payload the in ring can carry, not
 * just our largest message: a packet too long to be read could never be
 * consumed, and would block the ring instead of being dropped.
 */
#define HVX_BALLOON_RX_BUF	(HVX_BALLOON_RING - HVX_RING_DESC_SIZE)

/*
 * Frame numbers of pages that the OOM notifier gave back before the host
 * heard of it: eight calls' worth.  If the host does not take them for
 * that long, the notifier stops giving pages back and the OOM killer
 * takes over, instead of the guest's view and the host's drifting apart.
 */
#define HVX_BALLOON_OOM_PAGES	256
#define HVX_BALLOON_OWED_MAX	(8 * HVX_BALLOON_OOM_PAGES)

/* For the log: pages in whole MiB. */
#define HVX_BALLOON_MIB(pages)	((pages) >> (20 - PAGE_SHIFT))

/* What became of a request: see hvx_balloon_request(). */
enum hvx_balloon_outcome {
	HVX_BALLOON_DONE,	/* the host did it */
	HVX_BALLOON_REFUSED,	/* the host answered no: nothing changed */
	HVX_BALLOON_UNKNOWN,	/* sent, but no usable answer: it may still happen */
	HVX_BALLOON_LOST,	/* never reached a host that will act on it */
};

/**
 * struct hvx_balloon - one balloon channel
 * @hdev: its channel's device
 * @ch: the channel
 * @rx_lock: orders on_signal's queueing of @rx_work with @rx_on
 * @rx_on: @rx_work may run: from the open's success to the teardown
 * @rx_work: drains the in ring; the ring's one consumer
 * @rx_dead: the in ring failed (broken, or rescinded); only @rx_work uses it
 * @rx_buf: where the receive work copies each packet, HVX_BALLOON_RX_BUF
 *	bytes: the host cannot change what we check once it is here
 * @lock: guards what the worker shares with the receive work, the OOM
 *	notifier, the report callback and the teardown, the fields down to
 *	@nr_owed; never held across a request or an allocation, so that the
 *	OOM notifier never waits on the host
 * @stopping: the teardown began: nothing may queue @work or @stats_work
 * @pages: the balloon: pages the host acknowledged, on their lru
 * @nr_pages: pages out of the guest and in the balloon: @pages plus the
 *	batch that a DEFLATE has in flight
 * @target: where the worker goes: the host's target (clamped), or less
 *	after the OOM notifier took pages back
 * @target_gen: TARGET messages received, so that the worker can tell a
 *	new target from the one it already answered
 * @oom_events: times the OOM notifier took pages back
 * @oom_gen: @target_gen at the last of them
 * @owed: frame numbers of pages the OOM notifier gave back, to DEFLATE
 * @nr_owed: entries of @owed; the oldest first
 * @work: the worker: inflates, deflates, tells the host; on
 *	system_freezable_wq, so that it rests while the system sleeps
 * @req: the worker's INFLATE and DEFLATE buffer
 * @limbo: pages of an INFLATE with no answer: the host may still discard
 *	them; only the worker (and, once it stopped, the teardown) uses it
 * @seen_gen: the worker's: the target it works on
 * @reached_gen: the worker's: the target it said REACHED (or OOM) for
 * @short_gen: the worker's: the target it said NO_MEMORY for
 * @told_oom: the worker's: @oom_events the host was told of
 * @retry_delay: the worker's: how long to wait after a failure
 * @stats_work: sends the statistics, when asked and every interval
 * @events: all_vm_events()' buffer, for @stats_work
 * @oom_nb: the OOM notifier
 * @prdev: free page reporting, when @reporting
 * @reporting: @prdev is registered
 * @report_req: the report callback's REPORT buffer
 * @inflated: pages the host took, ever
 * @deflated: pages given back with a DEFLATE, ever
 * @oom_deflated: pages the OOM notifier gave back, ever
 * @reported_bytes: free memory the host took in REPORTs
 * @refused: requests the host refused
 * @dropped: messages we did not understand, answers nothing waited for
 */
struct hvx_balloon {
	struct hvx_vmbus_device *hdev;
	struct hvx_channel *ch;

	spinlock_t rx_lock;
	bool rx_on;
	struct work_struct rx_work;
	bool rx_dead;
	void *rx_buf;

	spinlock_t lock;
	bool stopping;
	struct list_head pages;
	unsigned long nr_pages;
	unsigned long target;
	unsigned long target_gen;
	unsigned long oom_events;
	unsigned long oom_gen;
	u64 *owed;
	unsigned int nr_owed;

	struct delayed_work work;
	struct hvx_balloon_pages *req;
	struct list_head limbo;
	unsigned long seen_gen;
	unsigned long reached_gen;
	unsigned long short_gen;
	unsigned long told_oom;
	unsigned long retry_delay;

	struct delayed_work stats_work;
	unsigned long *events;

	struct notifier_block oom_nb;

	struct page_reporting_dev_info prdev;
	bool reporting;
	struct hvx_balloon_ranges *report_req;

	atomic64_t inflated;
	atomic64_t deflated;
	atomic64_t oom_deflated;
	atomic64_t reported_bytes;
	atomic64_t refused;
	atomic64_t dropped;
};

/* rx.c */
void hvx_balloon_signal(void *ctx);
void hvx_balloon_rx_work(struct work_struct *work);
void hvx_balloon_start_rx(struct hvx_balloon *bal);
void hvx_balloon_stop_rx(struct hvx_balloon *bal);
enum hvx_balloon_outcome hvx_balloon_request(struct hvx_balloon *bal, const void *req, u32 len,
					     const char *what);

/* inflate.c */
void hvx_balloon_work_init(struct hvx_balloon *bal);
unsigned long hvx_balloon_size(struct hvx_balloon *bal);
void hvx_balloon_kick(struct hvx_balloon *bal);
void hvx_balloon_stop_work(struct hvx_balloon *bal);
void hvx_balloon_give_back(struct hvx_balloon *bal);
void hvx_balloon_release_all(struct hvx_balloon *bal);
void hvx_balloon_page_free(struct page *page);

/* oom.c */
int hvx_balloon_oom_notify(struct notifier_block *nb, unsigned long unused, void *parm);

/* stats.c */
void hvx_balloon_stats_work(struct work_struct *work);
void hvx_balloon_stats_start(struct hvx_balloon *bal);
void hvx_balloon_stats_kick(struct hvx_balloon *bal);

/* report.c */
void hvx_balloon_report_register(struct hvx_balloon *bal);
void hvx_balloon_report_unregister(struct hvx_balloon *bal);

#endif /* HVX_GUEST_BALLOON_H */
