/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hvx channel bus in a Linux guest: what class drivers (storage,
 * network, time sync, balloon, tests) use.  One device per channel the
 * host offers, bound to a driver by class id; a driver opens the device's
 * channel, sends and receives packets on its two rings (the shared ring
 * code of kmod/vmbus/ring.h) and is called back when the host signals.
 */
#ifndef HVX_GUEST_VMBUS_H
#define HVX_GUEST_VMBUS_H

#include <linux/atomic.h>
#include <linux/device.h>
#include <linux/mod_devicetable.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/uuid.h>
#include <linux/xarray.h>

#include "../../kmod/uapi/hvx_vmbus.h"
#include "../../kmod/vmbus/ring.h"

struct hvx_vmbus;
struct hvx_vmbus_device;

/**
 * struct hvx_channel - an open channel of a device
 * @dev: the device it belongs to
 * @out: the guest-to-host ring (we produce)
 * @in: the host-to-guest ring (we consume)
 * @out_lock: serialises senders
 * @open: the rings exist; changes under @out_lock, so that a sender racing
 *	with hvx_channel_close() gets -ENODEV, not freed memory
 * @on_signal: the driver's callback, in hard-irq context, when the host
 *	signals: packets arrived or room was made
 * @ctx: the callback's argument
 * @requests: hvx_channel_request() waiters by transaction id
 * @next_trans_id: the last transaction id handed out
 * @signals_in: host signals received
 * @signals_out: signals sent to the host
 * @out_mem: the guest-to-host ring: header page, then @out_size data bytes
 * @in_mem: the host-to-guest ring: header page, then @in_size data bytes
 * @out_size: data bytes of the guest-to-host ring
 * @in_size: data bytes of the host-to-guest ring
 */
struct hvx_channel {
	struct hvx_vmbus_device *dev;
	struct hvx_ring out, in;
	spinlock_t out_lock;
	bool open;
	void (*on_signal)(void *ctx);
	void *ctx;
	struct xarray requests;
	u64 next_trans_id;
	atomic64_t signals_in, signals_out;
	void *out_mem, *in_mem;
	u32 out_size, in_size;
};

/**
 * struct hvx_vmbus_device - a channel the host offered
 * @dev: the driver model's device, named "hvx-CHILD"
 * @bus: the controller that offered it
 * @child_id: the host's id of the channel
 * @class_id: what drivers bind by
 * @instance_id: which device of its class
 * @lock: serialises open, close and rescind
 * @channel: the open channel (&@chan), NULL while closed; changes under
 *	@lock and the controller's lock, which the interrupt handler takes
 * @chan: the channel's storage; it lives as long as the device, so that a
 *	call on a closed channel fails instead of touching freed memory
 * @rescinded: the host took the device away; every call fails with -ENODEV
 */
struct hvx_vmbus_device {
	struct device dev;
	struct hvx_vmbus *bus;
	u32 child_id;
	guid_t class_id;
	guid_t instance_id;
	struct mutex lock;
	struct hvx_channel *channel;
	struct hvx_channel chan;
	bool rescinded;
};

#define to_hvx_vmbus_device(d)	container_of(d, struct hvx_vmbus_device, dev)

/**
 * struct hvx_vmbus_driver - a class driver
 * @name: the driver's name
 * @class_ids: the classes it drives, ended by an all-zero id
 * @probe: a device of one of those classes appeared; 0 or -errno
 * @remove: the device goes away (rescind, unbind, unload); the driver
 *	closes its channel here, if it has not already
 * @driver: the driver model's driver
 */
struct hvx_vmbus_driver {
	const char *name;
	const guid_t *class_ids;
	int (*probe)(struct hvx_vmbus_device *dev);
	void (*remove)(struct hvx_vmbus_device *dev);
	struct device_driver driver;
};

#define to_hvx_vmbus_driver(d)	container_of(d, struct hvx_vmbus_driver, driver)

int __hvx_vmbus_driver_register(struct hvx_vmbus_driver *drv, struct module *owner);
#define hvx_vmbus_driver_register(drv) __hvx_vmbus_driver_register(drv, THIS_MODULE)
void hvx_vmbus_driver_unregister(struct hvx_vmbus_driver *drv);

#define module_hvx_vmbus_driver(drv) \
	module_driver(drv, hvx_vmbus_driver_register, hvx_vmbus_driver_unregister)

/*
 * Opens the channel with rings of @out_size and @in_size data bytes (powers
 * of two, 4 KiB to HVX_VMBUS_MAX_RING_DATA_PAGES pages).  @on_signal(@ctx)
 * runs with interrupts off (in hard-irq context, or in the rescind path)
 * whenever the host signals the channel, and once when the host rescinds
 * the device, so that waiters notice.  0, -EINVAL for a bad size or no
 * @on_signal, -EBUSY if open, -ENODEV after a rescind, -ENOMEM, or the
 * host's error.  Process context.
 */
int hvx_channel_open(struct hvx_vmbus_device *dev, u32 out_size, u32 in_size,
		     void (*on_signal)(void *ctx), void *ctx);
/*
 * Closes the channel, if open; pending hvx_channel_request()s fail with
 * -ENODEV.  Process context.  The bus closes a channel that the driver's
 * remove left open.
 */
void hvx_channel_close(struct hvx_vmbus_device *dev);

/*
 * Sends one packet whose payload is the @nbufs pieces of @bufs, and
 * signals the host if it asked for it.  Any context.  0; -EAGAIN when the
 * ring has no room (the host signals once it has made room); -EMSGSIZE;
 * -EPIPE once the ring is broken; -ENODEV when closed or rescinded.
 */
int hvx_channel_sendv(struct hvx_channel *ch, u16 type, u64 trans_id,
		      const struct hvx_ring_buf *bufs, unsigned int nbufs);
int hvx_channel_send(struct hvx_channel *ch, u16 type, u64 trans_id,
		     const void *buf, u32 len);

/*
 * The receive side belongs to one context at a time (the driver's).
 * hvx_channel_recv() reads the next packet as hvx_ring_read() does and
 * signals the host when the room it made is what the host waits for;
 * hvx_channel_recv_done() ends a drain: it re-enables signals and returns
 * true if packets arrived meanwhile (read on; no signal will come for
 * them).  Drivers mask signals while they drain with
 * hvx_ring_mask_signals(&ch->in).
 */
s64 hvx_channel_recv(struct hvx_channel *ch, struct hvx_packet_desc *desc,
		     void *buf, u32 buflen);
bool hvx_channel_recv_done(struct hvx_channel *ch);

/*
 * Request and completion by transaction id.  hvx_channel_request() sends
 * @req as a HVX_PACKET_REQUEST under a fresh transaction id and sleeps up
 * to @timeout jiffies until the driver's receive path hands the matching
 * completion (as hvx_channel_recv() returned it) to hvx_channel_complete(),
 * which copies up to @resp_len bytes of its payload into @resp.  Returns
 * the completion's payload length, -ETIMEDOUT, -ENODEV (closed or
 * rescinded meanwhile), or a send error.  hvx_channel_complete() returns
 * false for a completion that no request waits for.
 */
s64 hvx_channel_request(struct hvx_channel *ch, const void *req, u32 req_len,
			void *resp, u32 resp_len, unsigned long timeout);
bool hvx_channel_complete(struct hvx_channel *ch, const struct hvx_packet_desc *desc,
			  const void *payload);

#endif /* HVX_GUEST_VMBUS_H */
