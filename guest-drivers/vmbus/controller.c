// SPDX-License-Identifier: GPL-2.0
/*
 * The bus controller: the PCI function whose MSI is the bus's interrupt.
 * It connects to the host, turns OFFER and RESCIND messages into devices
 * on the hvx_vmbus bus and passes channel signals on to open channels.
 *
 * The host is trusted less than one would think: a message is copied
 * once, checked, and garbage ignored with a (ratelimited) complaint.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include "hypercall.h"
#include "internal.h"

/*
 * RECV_MSG's buffer comes from kmalloc(), which aligns a power-of-two size
 * to itself: the message never straddles two pages.
 */
static_assert(sizeof(struct hvx_vmbus_msg) == 64);

/* Messages per run of the work, so that a chatty host cannot hog a worker. */
#define HVX_VMBUS_MSG_BATCH	64

static void hvx_vmbus_queue_msgs(struct hvx_vmbus *bus)
{
	unsigned long flags;

	/* Under the lock: remove's cancel_work_sync() must be the last word. */
	spin_lock_irqsave(&bus->lock, flags);
	if (!bus->removing)
		schedule_work(&bus->msg_work);
	spin_unlock_irqrestore(&bus->lock, flags);
}

static void hvx_vmbus_signal_child(struct hvx_vmbus *bus, u32 id)
{
	struct hvx_vmbus_device *child;
	struct hvx_channel *ch;
	unsigned long flags;

	spin_lock_irqsave(&bus->lock, flags);
	child = bus->children[id];
	ch = child ? child->channel : NULL;
	if (ch) {
		atomic64_inc(&ch->signals_in);
		ch->on_signal(ch->ctx);
	}
	spin_unlock_irqrestore(&bus->lock, flags);
}

/* Takes the bits the host set, a word at a time, and acts on them. */
static void hvx_vmbus_process_events(struct hvx_vmbus *bus)
{
	unsigned long bits;
	unsigned int w, bit;

	/* Only the words that hold ids: other bits the host sets mean nothing. */
	for (w = 0; w < BITS_TO_LONGS(HVX_VMBUS_MAX_CHANNELS); w++) {
		if (!READ_ONCE(bus->events[w]))
			continue;
		bits = xchg(&bus->events[w], 0);
		for_each_set_bit(bit, &bits, BITS_PER_LONG) {
			if (w == 0 && bit == HVX_VMBUS_EVENT_CONTROL)
				hvx_vmbus_queue_msgs(bus);
			else
				hvx_vmbus_signal_child(bus, w * BITS_PER_LONG + bit);
		}
	}
}

static irqreturn_t hvx_vmbus_irq(int irq, void *data)
{
	hvx_vmbus_process_events(data);
	return IRQ_HANDLED;
}

static void hvx_vmbus_child_release(struct device *dev)
{
	struct hvx_vmbus_device *child = to_hvx_vmbus_device(dev);

	mutex_destroy(&child->lock);
	kfree(child);
}

static void hvx_vmbus_offer(struct hvx_vmbus *bus, const struct hvx_vmbus_msg *msg)
{
	struct hvx_vmbus_device *child;
	u32 id = msg->child_id;
	unsigned long flags;
	int err;

	/* Only this work adds and removes children: no lock to look. */
	if (bus->children[id]) {
		dev_warn_ratelimited(&bus->pdev->dev, "duplicate offer of child %u\n", id);
		return;
	}
	child = kzalloc(sizeof(*child), GFP_KERNEL);
	if (!child)
		return;
	child->bus = bus;
	child->child_id = id;
	import_guid(&child->class_id, msg->class_id);
	import_guid(&child->instance_id, msg->instance_id);
	mutex_init(&child->lock);
	hvx_channel_init(child);
	device_initialize(&child->dev);
	child->dev.bus = &hvx_vmbus_bus;
	child->dev.parent = &bus->pdev->dev;
	child->dev.release = hvx_vmbus_child_release;
	err = dev_set_name(&child->dev, "hvx-%u", id);
	if (err)
		goto put;

	/* Findable before its driver's probe opens the channel and gets signals. */
	spin_lock_irqsave(&bus->lock, flags);
	bus->children[id] = child;
	spin_unlock_irqrestore(&bus->lock, flags);
	err = device_add(&child->dev);
	if (err)
		goto forget;
	return;

forget:
	spin_lock_irqsave(&bus->lock, flags);
	bus->children[id] = NULL;
	spin_unlock_irqrestore(&bus->lock, flags);
put:
	dev_err(&bus->pdev->dev, "adding child %u failed: %d\n", id, err);
	put_device(&child->dev);
}

static void hvx_vmbus_del_child(struct hvx_vmbus *bus, struct hvx_vmbus_device *child)
{
	unsigned long flags;

	/* Its driver's remove may still wait for signals: forget it only after. */
	device_del(&child->dev);
	spin_lock_irqsave(&bus->lock, flags);
	bus->children[child->child_id] = NULL;
	spin_unlock_irqrestore(&bus->lock, flags);
	put_device(&child->dev);
}

static void hvx_vmbus_rescind(struct hvx_vmbus *bus, u32 id)
{
	struct hvx_vmbus_device *child = bus->children[id];
	long ret;

	if (!child) {
		dev_warn_ratelimited(&bus->pdev->dev, "rescind of unknown child %u\n", id);
		return;
	}
	hvx_channel_rescind(child);
	hvx_vmbus_del_child(bus, child);
	ret = hvx_hypercall(HVX_HC_VMBUS_RELEASE, id);
	if (ret < 0)
		dev_warn(&bus->pdev->dev, "release of child %u failed: %ld\n", id, ret);
}

static void hvx_vmbus_handle_msg(struct hvx_vmbus *bus, const struct hvx_vmbus_msg *msg)
{
	u32 id = msg->child_id;

	if (id && id < HVX_VMBUS_MAX_CHANNELS) {
		switch (msg->type) {
		case HVX_VMBUS_MSG_OFFER:
			hvx_vmbus_offer(bus, msg);
			return;
		case HVX_VMBUS_MSG_RESCIND:
			hvx_vmbus_rescind(bus, id);
			return;
		}
	}
	dev_warn_ratelimited(&bus->pdev->dev, "ignoring message type %u for child %u\n",
			     msg->type, id);
}

static void hvx_vmbus_msg_work(struct work_struct *work)
{
	struct hvx_vmbus *bus = container_of(work, struct hvx_vmbus, msg_work);
	struct hvx_vmbus_msg msg;
	unsigned int n;
	long ret;

	for (n = 0; n < HVX_VMBUS_MSG_BATCH; n++) {
		ret = hvx_hypercall(HVX_HC_VMBUS_RECV_MSG, virt_to_phys(bus->msg));
		if (ret == -ENOMSG)
			return;
		if (ret < 0) {
			dev_warn_ratelimited(&bus->pdev->dev, "receiving a message failed: %ld\n",
					     ret);
			return;
		}
		/* A copy that the host cannot change between check and use. */
		memcpy(&msg, bus->msg, sizeof(msg));
		hvx_vmbus_handle_msg(bus, &msg);
	}
	/* More may wait: go round again, behind other work. */
	hvx_vmbus_queue_msgs(bus);
}

static int hvx_vmbus_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct hvx_vmbus *bus;
	long version;
	int err;

	err = pci_enable_device(pdev);
	if (err)
		return err;
	/* The MSI is a write the function makes: it needs bus mastering. */
	pci_set_master(pdev);

	err = -ENOMEM;
	bus = kzalloc(sizeof(*bus), GFP_KERNEL);
	if (!bus)
		goto disable;
	bus->pdev = pdev;
	spin_lock_init(&bus->lock);
	INIT_WORK(&bus->msg_work, hvx_vmbus_msg_work);
	bus->events = (unsigned long *)get_zeroed_page(GFP_KERNEL);
	if (!bus->events)
		goto free_bus;
	bus->msg = kzalloc(sizeof(*bus->msg), GFP_KERNEL);
	if (!bus->msg)
		goto free_events;

	err = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI);
	if (err < 0)
		goto free_msg;
	bus->irq = pci_irq_vector(pdev, 0);
	err = request_irq(bus->irq, hvx_vmbus_irq, 0, KBUILD_MODNAME, bus);
	if (err)
		goto free_vectors;
	pci_set_drvdata(pdev, bus);

	version = hvx_hypercall(HVX_HC_VMBUS_CONNECT, virt_to_phys(bus->events));
	if (version < HVX_VMBUS_VERSION) {
		dev_err(&pdev->dev, "connect failed: %ld\n", version);
		err = version < 0 ? version : -EPROTO;
		goto free_irq;
	}
	dev_info(&pdev->dev, "connected, version %ld\n", version);
	/* The host may have raised the MSI before the handler was there. */
	hvx_vmbus_process_events(bus);
	return 0;

free_irq:
	free_irq(bus->irq, bus);
free_vectors:
	pci_free_irq_vectors(pdev);
free_msg:
	kfree(bus->msg);
free_events:
	free_page((unsigned long)bus->events);
free_bus:
	kfree(bus);
disable:
	pci_disable_device(pdev);
	return err;
}

static void hvx_vmbus_remove(struct pci_dev *pdev)
{
	struct hvx_vmbus *bus = pci_get_drvdata(pdev);
	unsigned long flags;
	unsigned int id;
	long ret;

	spin_lock_irqsave(&bus->lock, flags);
	bus->removing = true;
	spin_unlock_irqrestore(&bus->lock, flags);
	cancel_work_sync(&bus->msg_work);

	/* Their drivers close the channels; signals still come meanwhile. */
	for (id = 1; id < HVX_VMBUS_MAX_CHANNELS; id++)
		if (bus->children[id])
			hvx_vmbus_del_child(bus, bus->children[id]);

	ret = hvx_hypercall(HVX_HC_VMBUS_DISCONNECT, 0);
	free_irq(bus->irq, bus);
	pci_free_irq_vectors(pdev);
	kfree(bus->msg);
	/* A host that did not let go may still set bits in it. */
	if (ret < 0)
		dev_err(&pdev->dev, "disconnect failed (%ld): leaking the event page\n", ret);
	else
		free_page((unsigned long)bus->events);
	kfree(bus);
	pci_disable_device(pdev);
}

static const struct pci_device_id hvx_vmbus_pci_ids[] = {
	{ PCI_DEVICE(HVX_VMBUS_PCI_VENDOR, HVX_VMBUS_PCI_DEVICE) },
	{ }
};
MODULE_DEVICE_TABLE(pci, hvx_vmbus_pci_ids);

static struct pci_driver hvx_vmbus_pci_driver = {
	.name		= KBUILD_MODNAME,
	.id_table	= hvx_vmbus_pci_ids,
	.probe		= hvx_vmbus_probe,
	.remove		= hvx_vmbus_remove,
};

static int __init hvx_vmbus_init(void)
{
	int err;

	err = bus_register(&hvx_vmbus_bus);
	if (err)
		return err;
	err = pci_register_driver(&hvx_vmbus_pci_driver);
	if (err)
		goto unregister_bus;
	return 0;

unregister_bus:
	bus_unregister(&hvx_vmbus_bus);
	return err;
}

static void __exit hvx_vmbus_exit(void)
{
	pci_unregister_driver(&hvx_vmbus_pci_driver);
	bus_unregister(&hvx_vmbus_bus);
}

module_init(hvx_vmbus_init);
module_exit(hvx_vmbus_exit);

MODULE_DESCRIPTION("hvx guest channel bus");
MODULE_LICENSE("GPL");
