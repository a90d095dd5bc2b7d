// SPDX-License-Identifier: GPL-2.0
/*
 * The hvx_vmbus bus type: devices are the channels the host offered,
 * drivers bind to them by class id.  Each device shows its ids and the
 * state of its rings in sysfs.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/export.h>
#include <linux/sysfs.h>

#include "internal.h"

static ssize_t class_id_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%pUl\n", &to_hvx_vmbus_device(dev)->class_id);
}
static DEVICE_ATTR_RO(class_id);

static ssize_t instance_id_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%pUl\n", &to_hvx_vmbus_device(dev)->instance_id);
}
static DEVICE_ATTR_RO(instance_id);

static ssize_t child_id_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", to_hvx_vmbus_device(dev)->child_id);
}
static DEVICE_ATTR_RO(child_id);

/* One ring: its header as the host can see it, and our side's counters. */
static ssize_t hvx_bus_ring_show(struct device *dev, char *buf, bool out)
{
	struct hvx_vmbus_device *hdev = to_hvx_vmbus_device(dev);
	u32 write = 0, read = 0, mask = 0, pending = 0;
	u64 packets = 0, bytes = 0;
	struct hvx_ring *ring;
	bool broken = false;
	unsigned long flags;

	/* The controller's lock keeps close from freeing the ring meanwhile. */
	spin_lock_irqsave(&hdev->bus->lock, flags);
	ring = NULL;
	if (hdev->channel)
		ring = out ? &hdev->channel->out : &hdev->channel->in;
	if (ring) {
		write = READ_ONCE(ring->hdr->write_index);
		read = READ_ONCE(ring->hdr->read_index);
		mask = READ_ONCE(ring->hdr->interrupt_mask);
		pending = READ_ONCE(ring->hdr->pending_send_size);
		packets = READ_ONCE(ring->packets);
		bytes = READ_ONCE(ring->bytes);
		broken = READ_ONCE(ring->broken);
	}
	spin_unlock_irqrestore(&hdev->bus->lock, flags);

	if (!ring)
		return sysfs_emit(buf, "closed\n");
	return sysfs_emit(buf, "%u %u %u %u %llu %llu %d\n",
			  write, read, mask, pending, packets, bytes, broken);
}

static ssize_t out_ring_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return hvx_bus_ring_show(dev, buf, true);
}
static DEVICE_ATTR_RO(out_ring);

static ssize_t in_ring_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return hvx_bus_ring_show(dev, buf, false);
}
static DEVICE_ATTR_RO(in_ring);

static ssize_t signals_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct hvx_channel *ch = &to_hvx_vmbus_device(dev)->chan;

	return sysfs_emit(buf, "in %lld out %lld\n", atomic64_read(&ch->signals_in),
			  atomic64_read(&ch->signals_out));
}
static DEVICE_ATTR_RO(signals);

static struct attribute *hvx_bus_dev_attrs[] = {
	&dev_attr_class_id.attr,
	&dev_attr_instance_id.attr,
	&dev_attr_child_id.attr,
	&dev_attr_out_ring.attr,
	&dev_attr_in_ring.attr,
	&dev_attr_signals.attr,
	NULL
};
ATTRIBUTE_GROUPS(hvx_bus_dev);

static int hvx_bus_match(struct device *dev, struct device_driver *drv)
{
	const guid_t *class_id = &to_hvx_vmbus_device(dev)->class_id;
	const guid_t *id = to_hvx_vmbus_driver(drv)->class_ids;

	for (; id && !guid_is_null(id); id++)
		if (guid_equal(id, class_id))
			return 1;
	return 0;
}

static int hvx_bus_uevent(struct device *dev, struct kobj_uevent_env *env)
{
	return add_uevent_var(env, "MODALIAS=hvx_vmbus:%pUl",
			      &to_hvx_vmbus_device(dev)->class_id);
}

static int hvx_bus_probe(struct device *dev)
{
	struct hvx_vmbus_driver *drv = to_hvx_vmbus_driver(dev->driver);
	struct hvx_vmbus_device *hdev = to_hvx_vmbus_device(dev);
	int err;

	if (!drv->probe)
		return 0;
	err = drv->probe(hdev);
	if (err)
		hvx_channel_close(hdev);	/* in case it opened before failing */
	return err;
}

static void hvx_bus_remove(struct device *dev)
{
	struct hvx_vmbus_driver *drv = to_hvx_vmbus_driver(dev->driver);
	struct hvx_vmbus_device *hdev = to_hvx_vmbus_device(dev);

	if (drv->remove)
		drv->remove(hdev);
	/* A channel the driver forgot would stay the host's, and leak. */
	hvx_channel_close(hdev);
}

/* Not const: 6.1's bus_register() and struct device take it writable. */
struct bus_type hvx_vmbus_bus = {
	.name		= "hvx_vmbus",
	.dev_groups	= hvx_bus_dev_groups,
	.match		= hvx_bus_match,
	.uevent		= hvx_bus_uevent,
	.probe		= hvx_bus_probe,
	.remove		= hvx_bus_remove,
};

int __hvx_vmbus_driver_register(struct hvx_vmbus_driver *drv, struct module *owner)
{
	drv->driver.name = drv->name;
	drv->driver.bus = &hvx_vmbus_bus;
	drv->driver.owner = owner;
	return driver_register(&drv->driver);
}
EXPORT_SYMBOL_GPL(__hvx_vmbus_driver_register);

void hvx_vmbus_driver_unregister(struct hvx_vmbus_driver *drv)
{
	driver_unregister(&drv->driver);
}
EXPORT_SYMBOL_GPL(hvx_vmbus_driver_unregister);
