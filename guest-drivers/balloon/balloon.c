// SPDX-License-Identifier: GPL-2.0
/*
 * hvx_balloon: hands guest memory back to the host, one balloon per
 * channel.  The host sets a target, the worker inflates or deflates the
 * balloon towards it; the OOM notifier takes pages back when the guest
 * runs out; the guest tells the host its memory statistics and, with free
 * page reporting, which of its memory is free.  This file ties all that
 * to its channel and takes it down again, and shows the counters on the
 * channel's device.
 *
 * The order is what matters.  At probe the receive work starts once the
 * channel is open (a target that the host sends at the open waits in the
 * ring till then), and the rest after it, since the worker's and the
 * report callback's requests are answered through it.  At remove, page
 * reporting and the OOM notifier go first: once unregistered, neither
 * runs nor can.  Then the worker and the statistics stop, and nothing
 * queues them again.  With the receive work still running, a device the
 * host did not take away deflates the balloon with the host's knowledge;
 * then the receive work stops, the channel closes, and whatever is left
 * in the balloon goes back to the guest without the host.  A rescinded
 * device fails every request at once, so nothing waits on a host that is
 * gone.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/module.h>
#include <linux/oom.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/vmstat.h>

#include "balloon.h"

static struct hvx_balloon *dev_to_balloon(struct device *dev)
{
	return dev_get_drvdata(dev);
}

/* Where the worker goes now: the host's target, or less after an OOM. */
static ssize_t target_pages_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct hvx_balloon *bal = dev_to_balloon(dev);
	unsigned long target;

	spin_lock(&bal->lock);
	target = bal->target;
	spin_unlock(&bal->lock);
	return sysfs_emit(buf, "%lu\n", target);
}
static DEVICE_ATTR_RO(target_pages);

static ssize_t balloon_pages_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lu\n", hvx_balloon_size(dev_to_balloon(dev)));
}
static DEVICE_ATTR_RO(balloon_pages);

static ssize_t inflated_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lld\n", atomic64_read(&dev_to_balloon(dev)->inflated));
}
static DEVICE_ATTR_RO(inflated);

static ssize_t deflated_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lld\n", atomic64_read(&dev_to_balloon(dev)->deflated));
}
static DEVICE_ATTR_RO(deflated);

static ssize_t oom_deflated_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lld\n", atomic64_read(&dev_to_balloon(dev)->oom_deflated));
}
static DEVICE_ATTR_RO(oom_deflated);

static ssize_t reported_bytes_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lld\n", atomic64_read(&dev_to_balloon(dev)->reported_bytes));
}
static DEVICE_ATTR_RO(reported_bytes);

static ssize_t refused_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lld\n", atomic64_read(&dev_to_balloon(dev)->refused));
}
static DEVICE_ATTR_RO(refused);

static ssize_t dropped_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lld\n", atomic64_read(&dev_to_balloon(dev)->dropped));
}
static DEVICE_ATTR_RO(dropped);

/* On the channel's device, while the driver is bound: after probe, before remove. */
static struct attribute *hvx_balloon_dev_attrs[] = {
	&dev_attr_target_pages.attr,
	&dev_attr_balloon_pages.attr,
	&dev_attr_inflated.attr,
	&dev_attr_deflated.attr,
	&dev_attr_oom_deflated.attr,
	&dev_attr_reported_bytes.attr,
	&dev_attr_refused.attr,
	&dev_attr_dropped.attr,
	NULL
};
ATTRIBUTE_GROUPS(hvx_balloon_dev);

static void hvx_balloon_free(struct hvx_balloon *bal)
{
	kfree(bal->report_req);
	kfree(bal->events);
	kvfree(bal->owed);
	kfree(bal->req);
	kvfree(bal->rx_buf);
	kfree(bal);
}

static struct hvx_balloon *hvx_balloon_alloc(struct hvx_vmbus_device *hdev)
{
	struct hvx_balloon *bal;

	bal = kzalloc(sizeof(*bal), GFP_KERNEL);
	if (!bal)
		return NULL;
	bal->hdev = hdev;
	/* The channel's storage: the first signal may beat the open's return. */
	bal->ch = &hdev->chan;
	spin_lock_init(&bal->rx_lock);
	INIT_WORK(&bal->rx_work, hvx_balloon_rx_work);
	spin_lock_init(&bal->lock);
	INIT_LIST_HEAD(&bal->pages);
	INIT_LIST_HEAD(&bal->limbo);
	hvx_balloon_work_init(bal);
	INIT_DELAYED_WORK(&bal->stats_work, hvx_balloon_stats_work);
	bal->oom_nb.notifier_call = hvx_balloon_oom_notify;

	/* Everything that runs under memory pressure has its memory already. */
	bal->rx_buf = kvmalloc(HVX_BALLOON_RX_BUF, GFP_KERNEL);
	bal->req = kmalloc(HVX_BALLOON_PAGES_MAX_LEN, GFP_KERNEL);
	bal->owed = kvmalloc_array(HVX_BALLOON_OWED_MAX, sizeof(*bal->owed), GFP_KERNEL);
	bal->events = kcalloc(NR_VM_EVENT_ITEMS, sizeof(*bal->events), GFP_KERNEL);
	bal->report_req = kmalloc(HVX_BALLOON_RANGES_MAX_LEN, GFP_KERNEL);
	if (!bal->rx_buf || !bal->req || !bal->owed || !bal->events || !bal->report_req) {
		hvx_balloon_free(bal);
		return NULL;
	}
	return bal;
}

static int hvx_balloon_probe(struct hvx_vmbus_device *hdev)
{
	struct hvx_balloon *bal;
	int err;

	bal = hvx_balloon_alloc(hdev);
	if (!bal)
		return -ENOMEM;
	dev_set_drvdata(&hdev->dev, bal);

	err = hvx_channel_open(hdev, HVX_BALLOON_RING, HVX_BALLOON_RING, hvx_balloon_signal, bal);
	if (err) {
		dev_err(&hdev->dev, "opening the channel failed: %d\n", err);
		goto free;
	}
	hvx_balloon_start_rx(bal);
	err = register_oom_notifier(&bal->oom_nb);
	if (err) {
		dev_err(&hdev->dev, "registering the OOM notifier failed: %d\n", err);
		goto stop;
	}
	hvx_balloon_report_register(bal);
	hvx_balloon_stats_start(bal);

	dev_info(&hdev->dev, "balloon ready, %lu MiB of memory%s\n",
		 HVX_BALLOON_MIB(totalram_pages()),
		 bal->reporting ? ", free page reporting" : "");
	return 0;

stop:
	/* A target that came meanwhile may have started the worker. */
	hvx_balloon_stop_work(bal);
	hvx_balloon_stop_rx(bal);
	hvx_channel_close(hdev);
	hvx_balloon_release_all(bal);
free:
	hvx_balloon_free(bal);
	return err;
}

static void hvx_balloon_remove(struct hvx_vmbus_device *hdev)
{
	struct hvx_balloon *bal = dev_get_drvdata(&hdev->dev);

	if (READ_ONCE(hdev->rescinded))
		dev_info(&hdev->dev, "removed by the host with %lu MiB in the balloon\n",
			 HVX_BALLOON_MIB(hvx_balloon_size(bal)));
	/* First: neither may run into a balloon that goes away. */
	hvx_balloon_report_unregister(bal);
	unregister_oom_notifier(&bal->oom_nb);
	hvx_balloon_stop_work(bal);
	/* Only a waste of time on a rescinded channel: every request fails. */
	if (!READ_ONCE(hdev->rescinded))
		hvx_balloon_give_back(bal);
	hvx_balloon_stop_rx(bal);
	/* Before the release: see hvx_balloon_release_all(). */
	hvx_channel_close(hdev);
	hvx_balloon_release_all(bal);
	hvx_balloon_free(bal);
}

static const guid_t hvx_balloon_class_ids[] = {
	{ .b = HVX_CLASS_BALLOON },
	{ }
};

static struct hvx_vmbus_driver hvx_balloon_driver = {
	.name		= "hvx_balloon",
	.class_ids	= hvx_balloon_class_ids,
	.probe		= hvx_balloon_probe,
	.remove		= hvx_balloon_remove,
	.driver		= {
		.dev_groups = hvx_balloon_dev_groups,
	},
};
module_hvx_vmbus_driver(hvx_balloon_driver);

/* The bus's MODALIAS for HVX_CLASS_BALLOON (%pUl of its bytes), for udev. */
MODULE_ALIAS("hvx_vmbus:0a5e3c91-246f-714b-b843-0d2a7e19c605");
MODULE_DESCRIPTION("hvx channel bus memory balloon driver");
MODULE_LICENSE("GPL");
