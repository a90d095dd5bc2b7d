// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's memory as the host sees it in STATS: what /proc/meminfo
 * and /proc/vmstat say, in bytes or events, and the balloon's size.  The
 * host uses them to choose targets; they are sent when it asks and every
 * stats_interval_s seconds.  The work gathers them in process context,
 * since all_vm_events() takes the CPU hotplug lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/vmstat.h>

#include "balloon.h"

static unsigned int stats_interval_s = 10;
module_param(stats_interval_s, uint, 0444);
MODULE_PARM_DESC(stats_interval_s,
		 "Send memory statistics to the host this often, in seconds (0: only when asked)");

/* As /proc/meminfo's Cached: the page cache without swap cache and buffers. */
static u64 hvx_balloon_cached(const struct sysinfo *i)
{
	long cached = (long)global_node_page_state(NR_FILE_PAGES) -
		      (long)global_node_page_state(NR_SWAPCACHE) - (long)i->bufferram;

	/* The counters are read one by one, not as a whole. */
	return (u64)max(cached, 0L) << PAGE_SHIFT;
}

static void hvx_balloon_send_stats(struct hvx_balloon *bal)
{
	struct hvx_balloon_stats s = { .msg.type = HVX_BALLOON_MSG_STATS };
	unsigned long *ev = bal->events;
	struct sysinfo i;
	int err;

	si_meminfo(&i);
	all_vm_events(ev);
	s.total = (u64)i.totalram * i.mem_unit;
	s.free = (u64)i.freeram * i.mem_unit;
	s.available = (u64)si_mem_available() << PAGE_SHIFT;
	s.cached = hvx_balloon_cached(&i);
	s.swap_in = ev[PSWPIN];
	s.swap_out = ev[PSWPOUT];
	s.major_faults = ev[PGMAJFAULT];
	/* PGFAULT counts every fault, the major ones too. */
	s.minor_faults = ev[PGFAULT] - min(ev[PGFAULT], ev[PGMAJFAULT]);
	s.balloon_pages = hvx_balloon_size(bal);

	err = hvx_channel_send(bal->ch, HVX_PACKET_DATA, 0, &s, sizeof(s));
	/* A full ring or a closing channel: the next interval sends newer ones. */
	if (err && err != -EAGAIN && err != -ENODEV)
		dev_warn_ratelimited(&bal->hdev->dev, "STATS could not be sent: %d\n", err);
}

static unsigned long hvx_balloon_stats_delay(void)
{
	return (unsigned long)stats_interval_s * HZ;
}

void hvx_balloon_stats_work(struct work_struct *work)
{
	struct hvx_balloon *bal = container_of(to_delayed_work(work), struct hvx_balloon,
					       stats_work);

	hvx_balloon_send_stats(bal);
	/* cancel_delayed_work_sync() stops a work that queues itself. */
	if (stats_interval_s)
		queue_delayed_work(system_wq, &bal->stats_work, hvx_balloon_stats_delay());
}

/* At probe, once the channel is open: the first statistics go out at once. */
void hvx_balloon_stats_start(struct hvx_balloon *bal)
{
	if (stats_interval_s)
		queue_delayed_work(system_wq, &bal->stats_work, 0);
}

/*
 * GET_STATS: now, instead of at the end of the interval, which starts
 * again from here.  Process context.
 */
void hvx_balloon_stats_kick(struct hvx_balloon *bal)
{
	spin_lock(&bal->lock);
	if (!bal->stopping)
		mod_delayed_work(system_wq, &bal->stats_work, 0);
	spin_unlock(&bal->lock);
}
