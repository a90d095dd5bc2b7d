/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the files of hvx_vmbus.ko share and class drivers do not see: the
 * controller (the PCI function) and the hooks between bus, channel and
 * controller code.
 */
#ifndef HVX_GUEST_VMBUS_INTERNAL_H
#define HVX_GUEST_VMBUS_INTERNAL_H

#include <linux/pci.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "hvx_vmbus.h"

/**
 * struct hvx_vmbus - the bus controller, one per PCI function
 * @pdev: the PCI function
 * @irq: its one MSI
 * @events: the event page the host sets bits in
 * @msg: where RECV_MSG writes a message
 * @msg_work: receives and handles messages in process context
 * @lock: guards @children, each child's channel pointer and @removing; the
 *	interrupt handler calls on_signal() under it, so a channel that is
 *	no longer published is no longer called back
 * @removing: no more message work may be queued
 * @children: the offered devices by child id
 */
struct hvx_vmbus {
	struct pci_dev *pdev;
	int irq;
	unsigned long *events;
	struct hvx_vmbus_msg *msg;
	struct work_struct msg_work;
	spinlock_t lock;
	bool removing;
	struct hvx_vmbus_device *children[HVX_VMBUS_MAX_CHANNELS];
};

extern struct bus_type hvx_vmbus_bus;

void hvx_channel_init(struct hvx_vmbus_device *dev);
void hvx_channel_rescind(struct hvx_vmbus_device *dev);

#endif /* HVX_GUEST_VMBUS_INTERNAL_H */
