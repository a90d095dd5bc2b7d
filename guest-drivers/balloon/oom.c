// SPDX-License-Identifier: GPL-2.0
/*
 * The guest ran out of memory: before the OOM killer picks a victim, the
 * balloon gives back up to HVX_BALLOON_OOM_PAGES pages, and the balloon
 * stays that size until the host sets a new target, so that the worker
 * does not inflate it again into the same shortage.
 *
 * The pages go back at once, and the host hears of it afterwards, from
 * the worker.  virtio_balloon asks its host from the notifier and waits;
 * here that would be a request from under oom_lock: hvx_channel_request()
 * allocates (GFP_KERNEL, for its waiter's slot), which can recurse into
 * the OOM path and spin on the lock we hold, and its answer comes through
 * the receive work, which waits for a worker thread, for seconds if the
 * host is slow.  It is not needed either: the host discarded these pages
 * when it took them, so the guest may use them at once (the first touch
 * brings in a zeroed page); the DEFLATE only keeps the host's count right,
 * and the worker sends it before any INFLATE that could name the same
 * pages again.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/oom.h>

#include "balloon.h"

/*
 * Called by out_of_memory() under oom_lock, in the context of a task
 * that failed to allocate: it may sleep, but must not allocate or wait
 * for anything that does.  Neither it nor anything it waits for does:
 * bal->lock is never held across an allocation or a request.
 */
int hvx_balloon_oom_notify(struct notifier_block *nb, unsigned long unused, void *parm)
{
	struct hvx_balloon *bal = container_of(nb, struct hvx_balloon, oom_nb);
	unsigned long *freed = parm;
	struct page *page, *next;
	unsigned int n = 0;
	LIST_HEAD(batch);

	spin_lock(&bal->lock);
	/* No room to remember more for the host: leave it to the OOM killer. */
	while (n < HVX_BALLOON_OOM_PAGES && !list_empty(&bal->pages) &&
	       bal->nr_owed < HVX_BALLOON_OWED_MAX) {
		page = list_first_entry(&bal->pages, struct page, lru);
		list_move(&page->lru, &batch);
		bal->owed[bal->nr_owed++] = page_to_pfn(page);
		n++;
	}
	if (n) {
		bal->nr_pages -= n;
		bal->target = min(bal->target, bal->nr_pages);
		bal->oom_events++;
		bal->oom_gen = bal->target_gen;
	}
	spin_unlock(&bal->lock);
	if (!n)
		return NOTIFY_OK;

	list_for_each_entry_safe(page, next, &batch, lru) {
		list_del(&page->lru);
		hvx_balloon_page_free(page);
	}
	*freed += n;
	atomic64_add(n, &bal->oom_deflated);
	/* The worker tells the host: DEFLATE, then STATUS OOM. */
	hvx_balloon_kick(bal);
	dev_info_ratelimited(&bal->hdev->dev, "gave back %u pages: the guest is out of memory\n",
			     n);
	return NOTIFY_OK;
}
