// SPDX-License-Identifier: GPL-2.0
/*
 * hvx_timesync: the host's clock in the guest, one per time sync channel.
 * The host sends samples (its CLOCK_REALTIME at one of our TSC values);
 * the latest one makes a PTP clock, /dev/ptpN, that chrony follows, and
 * CLOCK_REALTIME is stepped when it is far from it.  This file ties all
 * that to its channel and takes it down again, and shows the counters on
 * the channel's device.
 *
 * The order is what matters.  At probe the receive work starts once the
 * channel is open (the samples the host sends at the open wait in the
 * ring till then); GET_SAMPLE then makes sure of one before the PTP clock
 * registers, so that no reader finds the clock without a time.  At remove
 * the PTP clock goes first: once ptp_clock_unregister() returns, no
 * reader is in it or can enter it.  Then the receive work stops: nothing
 * reads the rings after it, nor queues the step, whose work goes next.
 * Then the channel closes, after which on_signal is not called, and the
 * rest can go.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/math64.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <asm/cpufeature.h>
#include <asm/tsc.h>

#include "timesync.h"

/* The host answers from its event loop: seconds mean it is stuck. */
#define HVX_TIMESYNC_REQUEST_TIMEOUT	(5 * HZ)

static struct hvx_timesync *dev_to_timesync(struct device *dev)
{
	return dev_get_drvdata(dev);
}

/*
 * The N of /dev/ptpN, for whoever sets up chrony.  Not named "ptp": the
 * PTP core puts its class device in a "ptp" directory under ours.
 */
static ssize_t ptp_index_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", ptp_clock_index(dev_to_timesync(dev)->ptp));
}
static DEVICE_ATTR_RO(ptp_index);

static ssize_t samples_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lld\n", atomic64_read(&dev_to_timesync(dev)->samples));
}
static DEVICE_ATTR_RO(samples);

static ssize_t resumed_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lld\n", atomic64_read(&dev_to_timesync(dev)->resumed));
}
static DEVICE_ATTR_RO(resumed);

static ssize_t steps_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lld\n", atomic64_read(&dev_to_timesync(dev)->steps));
}
static DEVICE_ATTR_RO(steps);

static ssize_t rejected_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lld\n", atomic64_read(&dev_to_timesync(dev)->rejected));
}
static DEVICE_ATTR_RO(rejected);

static ssize_t last_offset_ns_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lld\n", atomic64_read(&dev_to_timesync(dev)->last_offset_ns));
}
static DEVICE_ATTR_RO(last_offset_ns);

/* On the channel's device, while the driver is bound: after probe, before remove. */
static struct attribute *hvx_timesync_dev_attrs[] = {
	&dev_attr_ptp_index.attr,
	&dev_attr_samples.attr,
	&dev_attr_resumed.attr,
	&dev_attr_steps.attr,
	&dev_attr_rejected.attr,
	&dev_attr_last_offset_ns.attr,
	NULL
};
ATTRIBUTE_GROUPS(hvx_timesync_dev);

/* Asks the host for a sample, so that one is known when this returns 0. */
static int hvx_timesync_get_sample(struct hvx_timesync *ts)
{
	struct hvx_timesync_msg req = { .type = HVX_TIMESYNC_MSG_GET_SAMPLE };
	struct device *dev = &ts->hdev->dev;
	struct hvx_timesync_sample s;
	s64 len;

	len = hvx_channel_request(ts->ch, &req, sizeof(req), &s, sizeof(s),
				  HVX_TIMESYNC_REQUEST_TIMEOUT);
	if (len < 0) {
		dev_err(dev, "GET_SAMPLE failed: %lld\n", len);
		return len;
	}
	/*
	 * The receive work handed us the answer before it checked and took
	 * it as a sample: once the work is done, so is that.  A sample that
	 * came as a message before the answer will do as well.
	 */
	flush_work(&ts->rx_work);
	if (!hvx_timesync_latest(ts, &s)) {
		dev_err(dev, "GET_SAMPLE answered with no usable sample (%lld bytes)\n", len);
		return -EPROTO;
	}
	return 0;
}

/* Everything that the open starts, stopped in order: see the top of the file. */
static void hvx_timesync_stop(struct hvx_timesync *ts)
{
	hvx_timesync_stop_rx(ts);
	cancel_work_sync(&ts->step_work);
	hvx_channel_close(ts->hdev);
}

static int hvx_timesync_probe(struct hvx_vmbus_device *hdev)
{
	struct hvx_timesync *ts;
	int err;

	/* Samples are in TSC ticks, which only our own rate makes time of. */
	if (!boot_cpu_has(X86_FEATURE_TSC) || !READ_ONCE(tsc_khz)) {
		dev_err(&hdev->dev, "no TSC of a known rate\n");
		return -ENODEV;
	}
	if (!boot_cpu_has(X86_FEATURE_CONSTANT_TSC))
		dev_warn(&hdev->dev, "the TSC rate is not constant: the clock drifts between samples\n");

	ts = kzalloc(sizeof(*ts), GFP_KERNEL);
	if (!ts)
		return -ENOMEM;
	ts->hdev = hdev;
	/* The channel's storage: the first signal may beat the open's return. */
	ts->ch = &hdev->chan;
	seqlock_init(&ts->sample_lock);
	spin_lock_init(&ts->rx_lock);
	INIT_WORK(&ts->rx_work, hvx_timesync_rx_work);
	INIT_WORK(&ts->step_work, hvx_timesync_step_work);
	err = -ENOMEM;
	ts->rx_buf = kmalloc(HVX_TIMESYNC_RX_BUF, GFP_KERNEL);
	if (!ts->rx_buf)
		goto free_ts;
	dev_set_drvdata(&hdev->dev, ts);

	err = hvx_channel_open(hdev, HVX_TIMESYNC_RING, HVX_TIMESYNC_RING, hvx_timesync_signal,
			       ts);
	if (err) {
		dev_err(&hdev->dev, "opening the channel failed: %d\n", err);
		goto free_buf;
	}
	hvx_timesync_start_rx(ts);
	err = hvx_timesync_get_sample(ts);
	if (err)
		goto stop;
	err = hvx_timesync_ptp_register(ts);
	if (err) {
		dev_err(&hdev->dev, "registering the PTP clock failed: %d\n", err);
		goto stop;
	}

	dev_info(&hdev->dev, "ptp%d, TSC at %u kHz, %+lld ms from the host's time\n",
		 ptp_clock_index(ts->ptp), tsc_khz,
		 div_s64(atomic64_read(&ts->last_offset_ns), NSEC_PER_MSEC));
	return 0;

stop:
	hvx_timesync_stop(ts);
free_buf:
	kfree(ts->rx_buf);
free_ts:
	kfree(ts);
	return err;
}

static void hvx_timesync_remove(struct hvx_vmbus_device *hdev)
{
	struct hvx_timesync *ts = dev_get_drvdata(&hdev->dev);

	if (READ_ONCE(hdev->rescinded))
		dev_info(&hdev->dev, "ptp%d removed by the host\n", ptp_clock_index(ts->ptp));
	/* First: no reader may use a sample or channel that goes away. */
	ptp_clock_unregister(ts->ptp);
	hvx_timesync_stop(ts);
	kfree(ts->rx_buf);
	kfree(ts);
}

static const guid_t hvx_timesync_class_ids[] = {
	{ .b = HVX_CLASS_TIMESYNC },
	{ }
};

static struct hvx_vmbus_driver hvx_timesync_driver = {
	.name		= "hvx_timesync",
	.class_ids	= hvx_timesync_class_ids,
	.probe		= hvx_timesync_probe,
	.remove		= hvx_timesync_remove,
	.driver		= {
		.dev_groups = hvx_timesync_dev_groups,
	},
};
module_hvx_vmbus_driver(hvx_timesync_driver);

/* The bus's MODALIAS for HVX_CLASS_TIMESYNC (%pUl of its bytes), for udev. */
MODULE_ALIAS("hvx_vmbus:c1279a4e-835b-6d4f-8e12-a73960fb1c04");
MODULE_DESCRIPTION("hvx channel bus time sync driver");
MODULE_LICENSE("GPL");
