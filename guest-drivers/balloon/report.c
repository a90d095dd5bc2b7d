// SPDX-License-Identifier: GPL-2.0
/*
 * Free page reporting: the page allocator hands us runs of free memory
 * (of pageblock order, 2 MiB, and up) that it has taken off its free
 * lists, and puts them back once we return; we name them to the host in
 * a REPORT, and the host discards them, so that a guest that freed memory
 * gives it back without a balloon target.  They stay the guest's, and
 * read as zeroes or their old contents when it uses them again.
 *
 * One device in the system may report: a second balloon channel, or
 * virtio_balloon, leaves this one without, which is no error.  Nor is it
 * done when pages are poisoned (page_poison=1): a page the host zeroed
 * would fail the poison check when allocated.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/scatterlist.h>

#include "balloon.h"

static bool free_page_reporting = true;
module_param(free_page_reporting, bool, 0444);
MODULE_PARM_DESC(free_page_reporting, "Tell the host which guest memory is free (default: on)");

/*
 * Times a REPORT is sent while it gets no answer.  The pages stay off the
 * free lists until one comes, since the host may discard them until then;
 * after this many, a host that is alive answers nothing any more, and the
 * teardown must not wait for it forever.
 */
#define HVX_BALLOON_REPORT_TRIES	3

/*
 * The report callback, in the page reporting work (process context; one
 * call at a time).  0 if the host took the ranges; otherwise they go back
 * unreported, and the core tries again when more memory is freed.
 */
static int hvx_balloon_report(struct page_reporting_dev_info *prdev, struct scatterlist *sgl,
			      unsigned int nents)
{
	struct hvx_balloon *bal = container_of(prdev, struct hvx_balloon, prdev);
	struct hvx_balloon_ranges *req = bal->report_req;
	struct scatterlist *sg;
	unsigned int i, try;
	bool owed;
	u64 bytes = 0;

	/* PAGE_REPORTING_CAPACITY at most: balloon.h checks that it fits. */
	if (!nents || nents > HVX_BALLOON_MAX_RANGES)
		return -EINVAL;
	/*
	 * Pages the OOM notifier gave back are still in the balloon for the
	 * host until the worker's DEFLATE: not ours to report yet.
	 */
	spin_lock(&bal->lock);
	owed = bal->nr_owed;
	spin_unlock(&bal->lock);
	if (owed)
		return -EAGAIN;

	req->msg.type = HVX_BALLOON_MSG_REPORT;
	req->msg.reserved = 0;
	req->count = nents;
	for_each_sg(sgl, sg, nents, i) {
		req->ranges[i].gpa = page_to_phys(sg_page(sg));
		req->ranges[i].size = sg->length;
		bytes += sg->length;
	}

	for (try = 0; try < HVX_BALLOON_REPORT_TRIES; try++) {
		/*
		 * The same REPORT again after no answer: the host handles
		 * requests in order, so an answer to it means that it is
		 * done with the earlier ones too.  Discarding twice is
		 * harmless.
		 */
		switch (hvx_balloon_request(bal, req, struct_size(req, ranges, nents), "REPORT")) {
		case HVX_BALLOON_DONE:
			atomic64_add(bytes, &bal->reported_bytes);
			return 0;
		case HVX_BALLOON_REFUSED:
			return -EIO;
		case HVX_BALLOON_LOST:
			return -EAGAIN;
		case HVX_BALLOON_UNKNOWN:
			break;
		}
	}
	dev_err_ratelimited(&bal->hdev->dev,
			    "REPORT of %llu bytes unanswered: the guest takes them back\n", bytes);
	return -ETIMEDOUT;
}

/* At probe, once the channel is open.  Failing is no error: see above. */
void hvx_balloon_report_register(struct hvx_balloon *bal)
{
	struct device *dev = &bal->hdev->dev;
	int err;

	if (!free_page_reporting)
		return;
	if (page_poisoning_enabled_static()) {
		dev_info(dev, "free page reporting off: pages are poisoned\n");
		return;
	}
	/* Order 0: the core's default, pageblock_order. */
	bal->prdev.report = hvx_balloon_report;
	err = page_reporting_register(&bal->prdev);
	if (err) {
		/* -EBUSY: another device reports already. */
		dev_info(dev, "free page reporting off: %d\n", err);
		return;
	}
	bal->reporting = true;
}

/*
 * Once this returns, the callback does not run, and will not: first at
 * the remove, while the receive work still answers its request.
 */
void hvx_balloon_report_unregister(struct hvx_balloon *bal)
{
	if (bal->reporting)
		page_reporting_unregister(&bal->prdev);
	bal->reporting = false;
}
