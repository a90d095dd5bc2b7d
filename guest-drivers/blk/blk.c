// SPDX-License-Identifier: GPL-2.0
/*
 * hvx_blk: the disks the host offers on the hvx channel bus, one per
 * channel, named hvxda, hvxdb, ...  This file ties a disk to its channel
 * and takes it down again.
 *
 * The order of the teardown is what matters.  A disk whose host is gone
 * fails what the host held and whatever comes after (hvx_blk_kill()), so
 * that del_gendisk() does not wait for completions that never come.  A
 * live host finishes what it holds: failing that early would hand pages
 * back to the kernel that the host may still write.  Only when no request
 * is left does the channel close, and only after the close can nothing
 * queue the config work.  struct hvx_blk lives until the disk's last
 * reference is gone, so that its name is not reused while an old disk of
 * that name is still open.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/blkdev.h>
#include <linux/idr.h>
#include <linux/module.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/sysfs.h>

#include "blk.h"

/* Requests with all their segments are 2 KiB: 62 of them fit. */
#define HVX_BLK_OUT_RING	SZ_128K
/* Completions are 24 bytes in the ring. */
#define HVX_BLK_IN_RING		SZ_32K
#define HVX_BLK_QUEUE_DEPTH	64
/* hvxda to hvxdzz. */
#define HVX_BLK_MAX_DISKS	(26 + 26 * 26)

static DEFINE_IDA(hvx_blk_ida);

static void hvx_blk_name(char *name, unsigned int index)
{
	if (index < 26)
		snprintf(name, DISK_NAME_LEN, "hvxd%c", 'a' + index);
	else
		snprintf(name, DISK_NAME_LEN, "hvxd%c%c", 'a' + index / 26 - 1, 'a' + index % 26);
}

/* The serial on the channel's device... */
static ssize_t serial_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct hvx_blk *d = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%s\n", d->serial);
}
static DEVICE_ATTR_RO(serial);

static struct attribute *hvx_blk_dev_attrs[] = {
	&dev_attr_serial.attr,
	NULL
};
ATTRIBUTE_GROUPS(hvx_blk_dev);

/* ... and on the disk, where udev looks for it. */
static ssize_t hvx_blk_disk_serial_show(struct device *dev, struct device_attribute *attr,
					char *buf)
{
	struct hvx_blk *d = dev_to_disk(dev)->private_data;

	return sysfs_emit(buf, "%s\n", d->serial);
}

static struct device_attribute hvx_blk_disk_serial =
	__ATTR(serial, 0444, hvx_blk_disk_serial_show, NULL);

static struct attribute *hvx_blk_disk_attrs[] = {
	&hvx_blk_disk_serial.attr,
	NULL
};
ATTRIBUTE_GROUPS(hvx_blk_disk);

/* The disk's last reference is gone: so is the last use of @d. */
static void hvx_blk_free_disk(struct gendisk *disk)
{
	struct hvx_blk *d = disk->private_data;

	ida_free(&hvx_blk_ida, d->index);
	kfree(d->slots);
	mutex_destroy(&d->config_lock);
	kfree(d);
}

static const struct block_device_operations hvx_blk_fops = {
	.owner		= THIS_MODULE,
	.free_disk	= hvx_blk_free_disk,
};

static int hvx_blk_probe(struct hvx_vmbus_device *hdev)
{
	struct blk_mq_tag_set *set;
	struct hvx_blk *d;
	int err;

	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	d->hdev = hdev;
	/* The channel's storage: the first signal may beat the open's return. */
	d->ch = &hdev->chan;
	mutex_init(&d->config_lock);
	INIT_WORK(&d->config_work, hvx_blk_config_work);

	err = ida_alloc_max(&hvx_blk_ida, HVX_BLK_MAX_DISKS - 1, GFP_KERNEL);
	if (err < 0)
		goto free_d;
	d->index = err;

	set = &d->tag_set;
	set->ops = &hvx_blk_mq_ops;
	set->nr_hw_queues = 1;
	set->queue_depth = HVX_BLK_QUEUE_DEPTH;
	set->numa_node = NUMA_NO_NODE;
	set->flags = BLK_MQ_F_SHOULD_MERGE;
	set->cmd_size = sizeof(struct hvx_blk_pdu);
	set->driver_data = d;
	err = blk_mq_alloc_tag_set(set);
	if (err)
		goto free_index;
	/* It may have settled for fewer tags. */
	d->depth = set->queue_depth;
	err = -ENOMEM;
	d->slots = kcalloc(d->depth, sizeof(*d->slots), GFP_KERNEL);
	if (!d->slots)
		goto free_tag_set;

	/* Before the open: the signal handler uses the disk's queue. */
	d->disk = blk_mq_alloc_disk(set, d);
	if (IS_ERR(d->disk)) {
		err = PTR_ERR(d->disk);
		goto free_slots;
	}
	d->disk->fops = &hvx_blk_fops;
	d->disk->private_data = d;
	hvx_blk_name(d->disk->disk_name, d->index);
	dev_set_drvdata(&hdev->dev, d);

	err = hvx_channel_open(hdev, HVX_BLK_OUT_RING, HVX_BLK_IN_RING, hvx_blk_signal, d);
	if (err)
		goto put_disk;
	err = hvx_blk_configure(d);
	if (err)
		goto close;
	err = device_add_disk(&hdev->dev, d->disk, hvx_blk_disk_groups);
	if (err)
		goto close;

	dev_info(&hdev->dev, "%s: %llu sectors of 512 bytes, %u-byte blocks%s%s%s\n",
		 d->disk->disk_name, get_capacity(d->disk),
		 queue_logical_block_size(d->disk->queue), get_disk_ro(d->disk) ? ", ro" : "",
		 bdev_max_discard_sectors(d->disk->part0) ? ", discard" : "",
		 bdev_write_zeroes_sectors(d->disk->part0) ? ", write zeroes" : "");
	return 0;

close:
	/* Here, not in the bus: the signal handler must be done before @d goes. */
	hvx_channel_close(hdev);
	/* Only the signal handler queues it, and the close ended that. */
	cancel_work_sync(&d->config_work);
put_disk:
	/* Never added: this does not call hvx_blk_free_disk(). */
	put_disk(d->disk);
free_slots:
	kfree(d->slots);
free_tag_set:
	blk_mq_free_tag_set(set);
free_index:
	ida_free(&hvx_blk_ida, d->index);
free_d:
	mutex_destroy(&d->config_lock);
	kfree(d);
	return err;
}

static void hvx_blk_remove(struct hvx_vmbus_device *hdev)
{
	struct hvx_blk *d = dev_get_drvdata(&hdev->dev);

	/*
	 * The signal handler killed a rescinded disk already; this makes
	 * sure of it.  A dead disk fails new I/O before it reaches us.
	 */
	if (READ_ONCE(hdev->rescinded))
		hvx_blk_kill(d);
	if (READ_ONCE(d->dead))
		blk_mark_disk_dead(d->disk);
	/* Waits for what is in flight: the host's completions, or the kill's. */
	del_gendisk(d->disk);
	/* No request is left, and none can come. */
	hvx_channel_close(hdev);
	/* Only the signal handler queues it, and the close ended that. */
	cancel_work_sync(&d->config_work);
	/* The queue let go of its tags in del_gendisk(). */
	blk_mq_free_tag_set(&d->tag_set);
	put_disk(d->disk);
}

static const guid_t hvx_blk_class_ids[] = {
	{ .b = HVX_CLASS_BLK },
	{ }
};

static struct hvx_vmbus_driver hvx_blk_driver = {
	.name		= "hvx_blk",
	.class_ids	= hvx_blk_class_ids,
	.probe		= hvx_blk_probe,
	.remove		= hvx_blk_remove,
	.driver		= {
		.dev_groups = hvx_blk_dev_groups,
	},
};
module_hvx_vmbus_driver(hvx_blk_driver);

/* The bus's MODALIAS for HVX_CLASS_BLK (%pUl of its bytes), for udev. */
MODULE_ALIAS("hvx_vmbus:8b580e2c-713a-1d4f-9b6a-51d40c278602");
MODULE_DESCRIPTION("hvx channel bus block driver");
MODULE_LICENSE("GPL");
