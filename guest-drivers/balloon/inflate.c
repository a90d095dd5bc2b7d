// SPDX-License-Identifier: GPL-2.0
/*
 * The worker: moves the balloon towards the target a batch of up to
 * HVX_BALLOON_MAX_PFNS pages at a time, and tells the host where it
 * stopped and why.  One work item per balloon, on system_freezable_wq:
 * it never runs twice at once, and it rests while the system sleeps,
 * when the memory that hibernation needs must not vanish into the
 * balloon.  After each batch it queues itself again instead of looping,
 * so that the freezer and the teardown find it between two batches.
 *
 * Inflating allocates pages in a way that can fail but never makes the
 * guest run out: when an allocation fails before the target, the balloon
 * stays where it is, the host hears NO_MEMORY, and the worker tries
 * again later, less and less often, in case memory frees up.  A page the
 * host took leaves the guest's MemTotal; one that comes back rejoins it.
 *
 * Before it inflates or deflates anything, the worker settles what is
 * left over: the pages of an INFLATE that got no answer, and those that
 * the OOM notifier gave back without the host.  The host hears of both
 * before any INFLATE that could name the same pages again.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sort.h>
#include <linux/string.h>

#include "balloon.h"

/*
 * Pages the guest can spare: not from the reserves, not retried hard,
 * no warning, and never the OOM killer (__GFP_NORETRY skips it): a
 * balloon that cannot grow stops instead.
 */
#define HVX_BALLOON_GFP	(GFP_HIGHUSER | __GFP_NOMEMALLOC | __GFP_NORETRY | __GFP_NOWARN)

/* After a failure: memory may free up, the host may recover, but no spinning. */
#define HVX_BALLOON_RETRY_MIN	(5 * HZ)
#define HVX_BALLOON_RETRY_MAX	(60 * HZ)

/* A page the host took: out of the guest's count of its memory. */
static void hvx_balloon_page_take(struct page *page)
{
	/* Kdump, hibernation and /proc/kcore skip such pages. */
	__SetPageOffline(page);
	adjust_managed_page_count(page, -1);
}

/* A page the host took, back to the guest.  Process context. */
void hvx_balloon_page_free(struct page *page)
{
	__ClearPageOffline(page);
	adjust_managed_page_count(page, 1);
	__free_page(page);
}

/* Pages the host never took (or is done with), straight back. */
static void hvx_balloon_free_list(struct list_head *pages)
{
	struct page *page, *next;

	list_for_each_entry_safe(page, next, pages, lru) {
		list_del(&page->lru);
		__free_page(page);
	}
}

static int hvx_balloon_pfn_cmp(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/*
 * An INFLATE or DEFLATE of @pages (at most HVX_BALLOON_MAX_PFNS); its
 * length.  In ascending order: the host discards each run of consecutive
 * frames with one call into hvx.ko, and the allocator hands out neighbours
 * in no particular order.
 */
static u32 hvx_balloon_fill(struct hvx_balloon_pages *req, u16 type, struct list_head *pages)
{
	struct page *page;
	u32 n = 0;

	req->msg.type = type;
	req->msg.reserved = 0;
	list_for_each_entry(page, pages, lru)
		req->pfns[n++] = page_to_pfn(page);
	req->count = n;
	sort(req->pfns, n, sizeof(req->pfns[0]), hvx_balloon_pfn_cmp, NULL);
	return struct_size(req, pfns, n);
}

/* Where the balloon is, and why it stopped there.  0 or -errno. */
static int hvx_balloon_status(struct hvx_balloon *bal, u32 reason)
{
	struct hvx_balloon_status s = {
		.msg.type	= HVX_BALLOON_MSG_STATUS,
		.reason		= reason,
	};
	int err;

	spin_lock(&bal->lock);
	s.balloon_pages = bal->nr_pages;
	s.target_pages = bal->target;
	spin_unlock(&bal->lock);

	err = hvx_channel_send(bal->ch, HVX_PACKET_DATA, 0, &s, sizeof(s));
	/* A full ring is not worth a line: the worker tries again. */
	if (err && err != -EAGAIN && err != -ENODEV)
		dev_warn_ratelimited(&bal->hdev->dev, "STATUS could not be sent: %d\n", err);
	return err;
}

/*
 * An INFLATE went unanswered: ask for the same pages back.  The host
 * handles requests in order, so any answer to this one, yes or no, says
 * that it is done with the INFLATE, whatever it did with it: the pages
 * are not in the balloon after this, and nothing will discard them any
 * more.  Until then they stay out of the guest.
 */
static int hvx_balloon_resolve_limbo(struct hvx_balloon *bal)
{
	u32 len;

	if (list_empty(&bal->limbo))
		return 0;
	len = hvx_balloon_fill(bal->req, HVX_BALLOON_MSG_DEFLATE, &bal->limbo);
	switch (hvx_balloon_request(bal, bal->req, len, "DEFLATE of an unanswered INFLATE")) {
	case HVX_BALLOON_DONE:
	case HVX_BALLOON_REFUSED:
		break;
	default:
		return -EAGAIN;
	}
	hvx_balloon_free_list(&bal->limbo);
	return 0;
}

/*
 * DEFLATEs for the pages that the OOM notifier gave back: the guest uses
 * them already, the host only needs to know, before any INFLATE that
 * might name them again.  One that is in the ring will do, answered or
 * not, since the host handles requests in order; but a host that does
 * not answer is not sent more until the next run.  0, -EAGAIN (not
 * sent), -ETIMEDOUT (sent, no answer).
 */
static int hvx_balloon_flush_owed(struct hvx_balloon *bal)
{
	struct hvx_balloon_pages *req = bal->req;
	enum hvx_balloon_outcome outcome;
	unsigned int n;

	for (;;) {
		spin_lock(&bal->lock);
		n = min_t(unsigned int, bal->nr_owed, HVX_BALLOON_MAX_PFNS);
		memcpy(req->pfns, bal->owed, n * sizeof(*bal->owed));
		spin_unlock(&bal->lock);
		if (!n)
			return 0;

		req->msg.type = HVX_BALLOON_MSG_DEFLATE;
		req->msg.reserved = 0;
		req->count = n;
		/*
		 * A refusal leaves the host believing it still has them: it
		 * is logged and counted, and there is nothing else to do.
		 */
		outcome = hvx_balloon_request(bal, req, struct_size(req, pfns, n),
					      "DEFLATE after OOM");
		if (outcome == HVX_BALLOON_LOST)
			return -EAGAIN;

		/* The notifier only appends: the first @n are still these. */
		spin_lock(&bal->lock);
		bal->nr_owed -= n;
		memmove(bal->owed, bal->owed + n, bal->nr_owed * sizeof(*bal->owed));
		spin_unlock(&bal->lock);
		if (outcome == HVX_BALLOON_UNKNOWN)
			return -ETIMEDOUT;
	}
}

/* STATUS OOM once for each time the notifier took pages since the last. */
static int hvx_balloon_tell_oom(struct hvx_balloon *bal)
{
	unsigned long events, gen;

	spin_lock(&bal->lock);
	events = bal->oom_events;
	gen = bal->oom_gen;
	spin_unlock(&bal->lock);
	if (events == bal->told_oom)
		return 0;
	if (hvx_balloon_status(bal, HVX_BALLOON_OOM))
		return -EAGAIN;
	bal->told_oom = events;
	/* The notifier made the balloon's size its target: that says it all. */
	bal->reached_gen = gen;
	return 0;
}

/* What the last runs left over, before anything new.  0 or -errno. */
static int hvx_balloon_settle(struct hvx_balloon *bal)
{
	int err;

	err = hvx_balloon_resolve_limbo(bal);
	if (err)
		return err;
	err = hvx_balloon_flush_owed(bal);
	if (err)
		return err;
	return hvx_balloon_tell_oom(bal);
}

/*
 * Up to @want pages into the balloon.  0; -ENOMEM when the guest could
 * not spare them all (the host took those it could); -EAGAIN when the
 * host did not take them.
 */
static int hvx_balloon_inflate(struct hvx_balloon *bal, unsigned int want)
{
	struct page *page;
	unsigned int n = 0;
	LIST_HEAD(batch);
	u32 len;

	while (n < want) {
		page = alloc_page(HVX_BALLOON_GFP);
		if (!page)
			break;
		list_add(&page->lru, &batch);
		n++;
	}
	if (!n)
		return -ENOMEM;

	len = hvx_balloon_fill(bal->req, HVX_BALLOON_MSG_INFLATE, &batch);
	switch (hvx_balloon_request(bal, bal->req, len, "INFLATE")) {
	case HVX_BALLOON_DONE:
		list_for_each_entry(page, &batch, lru)
			hvx_balloon_page_take(page);
		spin_lock(&bal->lock);
		list_splice(&batch, &bal->pages);
		bal->nr_pages += n;
		spin_unlock(&bal->lock);
		atomic64_add(n, &bal->inflated);
		return n < want ? -ENOMEM : 0;
	case HVX_BALLOON_UNKNOWN:
		/* The host may discard them yet: see hvx_balloon_resolve_limbo(). */
		list_splice(&batch, &bal->limbo);
		return -EAGAIN;
	default:
		/* Refused whole, or never sent: the host did nothing with them. */
		hvx_balloon_free_list(&batch);
		return -EAGAIN;
	}
}

/*
 * Up to @want pages out of the balloon.  0; -EAGAIN when the host did
 * not let them go; -ETIMEDOUT when it did not answer (they went back to
 * the guest all the same), so that nobody sends it more at once.
 */
static int hvx_balloon_deflate(struct hvx_balloon *bal, unsigned int want)
{
	enum hvx_balloon_outcome outcome;
	struct page *page, *next;
	unsigned int n = 0;
	LIST_HEAD(batch);
	u32 len;

	/* They stay in nr_pages: out of the guest until the host lets go. */
	spin_lock(&bal->lock);
	while (n < want && !list_empty(&bal->pages)) {
		list_move(bal->pages.next, &batch);
		n++;
	}
	spin_unlock(&bal->lock);
	/* The OOM notifier took them meanwhile, and lowered the target. */
	if (!n)
		return 0;

	len = hvx_balloon_fill(bal->req, HVX_BALLOON_MSG_DEFLATE, &batch);
	outcome = hvx_balloon_request(bal, bal->req, len, "DEFLATE");
	if (outcome == HVX_BALLOON_REFUSED || outcome == HVX_BALLOON_LOST) {
		/* The host's, as far as it knows: back into the balloon. */
		spin_lock(&bal->lock);
		list_splice(&batch, &bal->pages);
		spin_unlock(&bal->lock);
		return -EAGAIN;
	}
	/*
	 * Done, or in the ring: the host discarded these at their INFLATE
	 * and a DEFLATE does not touch them, so they are the guest's again
	 * either way.
	 */
	list_for_each_entry_safe(page, next, &batch, lru) {
		list_del(&page->lru);
		hvx_balloon_page_free(page);
	}
	spin_lock(&bal->lock);
	bal->nr_pages -= n;
	spin_unlock(&bal->lock);
	atomic64_add(n, &bal->deflated);
	return outcome == HVX_BALLOON_DONE ? 0 : -ETIMEDOUT;
}

/* The guest cannot spare more for target @gen: said once per target. */
static void hvx_balloon_short(struct hvx_balloon *bal, unsigned long gen)
{
	if (bal->short_gen == gen)
		return;
	/* Not sent: the next retry says it. */
	if (hvx_balloon_status(bal, HVX_BALLOON_NO_MEMORY))
		return;
	bal->short_gen = gen;
	/* Rate-limited: a host that keeps setting targets must not flood the log. */
	dev_info_ratelimited(&bal->hdev->dev,
			     "could not give more than %lu MiB: the guest needs the rest\n",
			     HVX_BALLOON_MIB(hvx_balloon_size(bal)));
}

static void hvx_balloon_work(struct work_struct *work)
{
	struct hvx_balloon *bal = container_of(to_delayed_work(work), struct hvx_balloon, work);
	unsigned long nr, target, gen;
	int err;

	err = hvx_balloon_settle(bal);
	if (err)
		goto retry;

	spin_lock(&bal->lock);
	nr = bal->nr_pages;
	target = bal->target;
	gen = bal->target_gen;
	spin_unlock(&bal->lock);
	/* A new target deserves a prompt try, whatever failed before. */
	if (gen != bal->seen_gen) {
		bal->seen_gen = gen;
		bal->retry_delay = HVX_BALLOON_RETRY_MIN;
	}

	if (nr == target) {
		if (bal->reached_gen == gen)
			return;
		if (hvx_balloon_status(bal, HVX_BALLOON_REACHED))
			goto retry;
		bal->reached_gen = gen;
		return;
	}
	if (nr < target)
		err = hvx_balloon_inflate(bal, min_t(unsigned long, target - nr,
						     HVX_BALLOON_MAX_PFNS));
	else
		err = hvx_balloon_deflate(bal, min_t(unsigned long, nr - target,
						     HVX_BALLOON_MAX_PFNS));
	if (!err) {
		bal->retry_delay = HVX_BALLOON_RETRY_MIN;
		queue_delayed_work(system_freezable_wq, &bal->work, 0);
		return;
	}
	if (err == -ENOMEM)
		hvx_balloon_short(bal, gen);
retry:
	/*
	 * queue_, not mod_: a kick that came during this run asked for a
	 * run now, and keeps it.
	 */
	queue_delayed_work(system_freezable_wq, &bal->work, bal->retry_delay);
	bal->retry_delay = min_t(unsigned long, 2 * bal->retry_delay, HVX_BALLOON_RETRY_MAX);
}

/* At probe, before anything can kick the worker. */
void hvx_balloon_work_init(struct hvx_balloon *bal)
{
	INIT_DELAYED_WORK(&bal->work, hvx_balloon_work);
	bal->retry_delay = HVX_BALLOON_RETRY_MIN;
}

/* The balloon's size (pages out of the guest), for whoever shows it. */
unsigned long hvx_balloon_size(struct hvx_balloon *bal)
{
	unsigned long nr;

	spin_lock(&bal->lock);
	nr = bal->nr_pages;
	spin_unlock(&bal->lock);
	return nr;
}

/*
 * Something changed (a target, pages the OOM notifier took): the worker
 * runs now, even if it was waiting to retry.  Process context.
 */
void hvx_balloon_kick(struct hvx_balloon *bal)
{
	spin_lock(&bal->lock);
	if (!bal->stopping)
		mod_delayed_work(system_freezable_wq, &bal->work, 0);
	spin_unlock(&bal->lock);
}

/*
 * Stops the worker and the statistics for good: once this returns,
 * neither runs, and nothing queues them again.  The receive work may
 * still run, and answers the requests of hvx_balloon_give_back().
 */
void hvx_balloon_stop_work(struct hvx_balloon *bal)
{
	spin_lock(&bal->lock);
	bal->stopping = true;
	spin_unlock(&bal->lock);
	/* Both queue themselves: the _sync() cancels see to that. */
	cancel_delayed_work_sync(&bal->work);
	cancel_delayed_work_sync(&bal->stats_work);
}

/*
 * At an unbind, with the channel still up: the host hears of every page
 * that goes back, so that it does not count them as its own any more and
 * a driver bound again can inflate them.  The first request that fails
 * ends it; hvx_balloon_release_all() gives the rest back without the
 * host.  Once the worker and the OOM notifier have stopped.
 */
void hvx_balloon_give_back(struct hvx_balloon *bal)
{
	bool empty;

	if (hvx_balloon_resolve_limbo(bal) || hvx_balloon_flush_owed(bal))
		return;
	for (;;) {
		spin_lock(&bal->lock);
		empty = list_empty(&bal->pages);
		spin_unlock(&bal->lock);
		if (empty || hvx_balloon_deflate(bal, HVX_BALLOON_MAX_PFNS))
			return;
		cond_resched();
	}
}

/*
 * Every page back to the guest, without the host: at the remove, once
 * everything else stopped and the channel is closed.  Pages the host
 * discarded come back as zeroed pages when touched; those of an INFLATE
 * with no answer are safe once the host no longer has the channel.
 */
void hvx_balloon_release_all(struct hvx_balloon *bal)
{
	struct page *page, *next;
	LIST_HEAD(pages);
	unsigned long n;

	spin_lock(&bal->lock);
	list_splice_init(&bal->pages, &pages);
	n = bal->nr_pages;
	bal->nr_pages = 0;
	bal->nr_owed = 0;
	spin_unlock(&bal->lock);

	list_for_each_entry_safe(page, next, &pages, lru) {
		list_del(&page->lru);
		hvx_balloon_page_free(page);
		/* A balloon of gigabytes is a million pages. */
		cond_resched();
	}
	hvx_balloon_free_list(&bal->limbo);
	if (n)
		dev_info(&bal->hdev->dev, "gave %lu pages (%lu MiB) back without the host\n",
			 n, HVX_BALLOON_MIB(n));
}
