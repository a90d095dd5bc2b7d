// SPDX-License-Identifier: GPL-2.0
/*
 * The control plane of the channel bus, driven by the guest's hypercalls
 * (uapi/hvx_vmbus.h) and by backends going away.  The guest learns of
 * offers and rescinds from flags on the channels, not from a queue: it
 * cannot make the host allocate by not reading, and an offer rescinded
 * before the guest read it is simply never shown.
 */
#define pr_fmt(fmt) "hvx: " fmt

#include <linux/mm.h>
#include <linux/nospec.h>

#include "../hvx.h"
#include "vmbus.h"

void hvx_vmbus_init(struct hvx_vmbus *bus)
{
	mutex_init(&bus->lock);
	spin_lock_init(&bus->slock);
}

/* bus->lock or bus->slock held */
static struct hvx_vmbus_channel *hvx_vmbus_lookup(struct hvx_vmbus *bus, unsigned long id)
{
	if (!id || id >= HVX_VMBUS_MAX_CHANNELS)
		return NULL;
	return bus->channels[array_index_nospec(id, HVX_VMBUS_MAX_CHANNELS)];
}

/* Drops the table's reference: the id is free again.  bus->lock held. */
static void hvx_vmbus_remove(struct hvx_vmbus *bus, struct hvx_vmbus_channel *ch)
{
	spin_lock(&bus->slock);
	bus->channels[ch->child_id] = NULL;
	spin_unlock(&bus->slock);
	hvx_vmbus_channel_set_rings(ch, NULL);
	hvx_vmbus_channel_put(ch);
}

/*
 * The guest forgets every channel: open ones are closed, rescinded ones
 * are gone, the rest will be offered again at the next connect.
 */
static void hvx_vmbus_disconnect(struct hvx_vmbus *bus)
{
	struct page *event_page;
	u32 id;

	lockdep_assert_held(&bus->lock);
	for (id = 1; id < HVX_VMBUS_MAX_CHANNELS; id++) {
		struct hvx_vmbus_channel *ch = bus->channels[id];

		if (!ch)
			continue;
		if (ch->rescinded) {
			hvx_vmbus_remove(bus, ch);
			continue;
		}
		hvx_vmbus_channel_set_rings(ch, NULL);
		ch->offer_pending = false;
		ch->guest_knows = false;
	}
	spin_lock(&bus->slock);
	event_page = bus->event_page;
	bus->event_page = NULL;
	spin_unlock(&bus->slock);
	if (event_page)
		hvx_mem_unpin_page(container_of(bus, struct hvx_vm, vmbus)->mem.mm, event_page);
}

void hvx_vmbus_destroy(struct hvx_vmbus *bus)
{
	/* Every backend is gone: what is left waits for a release. */
	mutex_lock(&bus->lock);
	hvx_vmbus_disconnect(bus);
	mutex_unlock(&bus->lock);
}

/* A connect while connected starts over, as after a guest's kexec. */
static long hvx_vmbus_connect(struct hvx_vm *vm, u64 event_gpa)
{
	struct hvx_vmbus *bus = &vm->vmbus;
	struct page *page;
	bool offers = false;
	long err;
	u32 id;

	if (event_gpa & ~PAGE_MASK)
		return -EINVAL;
	/* -EFAULT for no RAM, -ENOMEM over the VMM's RLIMIT_MEMLOCK. */
	err = hvx_mem_pin_page(&vm->mem, event_gpa, &page);
	if (err)
		return err;

	mutex_lock(&bus->lock);
	hvx_vmbus_disconnect(bus);
	for (id = 1; id < HVX_VMBUS_MAX_CHANNELS; id++) {
		struct hvx_vmbus_channel *ch = bus->channels[id];

		if (ch && !ch->rescinded)
			ch->offer_pending = offers = true;
	}
	spin_lock(&bus->slock);
	bus->event_page = page;
	spin_unlock(&bus->slock);
	mutex_unlock(&bus->lock);

	if (offers)
		hvx_vmbus_raise(vm, HVX_VMBUS_EVENT_CONTROL);
	return HVX_VMBUS_VERSION;
}

static long hvx_vmbus_recv_msg(struct hvx_vm *vm, u64 gpa)
{
	struct hvx_vmbus *bus = &vm->vmbus;
	struct hvx_vmbus_channel *ch = NULL;
	struct hvx_vmbus_msg msg = {};
	long ret = -ENOMSG;
	u32 id;

	if (gpa & 7)
		return -EINVAL;
	mutex_lock(&bus->lock);
	for (id = 1; id < HVX_VMBUS_MAX_CHANNELS && !ch; id++) {
		ch = bus->channels[id];
		if (ch && !ch->offer_pending && !ch->rescind_pending)
			ch = NULL;
	}
	if (!ch)
		goto out;
	msg.type = ch->rescind_pending ? HVX_VMBUS_MSG_RESCIND : HVX_VMBUS_MSG_OFFER;
	msg.child_id = ch->child_id;
	memcpy(msg.class_id, ch->class_id, sizeof(msg.class_id));
	memcpy(msg.instance_id, ch->instance_id, sizeof(msg.instance_id));
	/* Delivered only once it is in the guest's memory. */
	ret = -EFAULT;
	if (hvx_mem_write(&vm->mem, gpa, &msg, sizeof(msg)))
		goto out;
	if (ch->rescind_pending) {
		ch->rescind_pending = false;
	} else {
		ch->offer_pending = false;
		ch->guest_knows = true;
	}
	ret = 0;
out:
	mutex_unlock(&bus->lock);
	return ret;
}

static long hvx_vmbus_open(struct hvx_vm *vm, u64 request_gpa)
{
	struct hvx_vmbus *bus = &vm->vmbus;
	struct hvx_vmbus_rings *rings;
	struct hvx_vmbus_channel *ch;
	u32 child_id;
	long err;

	/* Pinned first, checked against the channel after: no lock across it. */
	err = hvx_vmbus_rings_pin(vm, request_gpa, &child_id, &rings);
	if (err)
		return err;
	mutex_lock(&bus->lock);
	ch = hvx_vmbus_lookup(bus, child_id);
	err = -ENOENT;
	if (!ch || !ch->guest_knows || ch->rescinded)
		goto err_unlock;
	err = -EBUSY;
	if (ch->rings)
		goto err_unlock;
	hvx_vmbus_channel_set_rings(ch, rings);
	mutex_unlock(&bus->lock);
	return 0;

err_unlock:
	mutex_unlock(&bus->lock);
	hvx_vmbus_rings_put(rings);
	return err;
}

static long hvx_vmbus_close(struct hvx_vm *vm, unsigned long child_id)
{
	struct hvx_vmbus *bus = &vm->vmbus;
	struct hvx_vmbus_channel *ch;
	long ret = 0;

	mutex_lock(&bus->lock);
	ch = hvx_vmbus_lookup(bus, child_id);
	if (!ch || !ch->guest_knows)
		ret = -ENOENT;
	else if (!ch->rings)
		ret = -ENOTCONN;
	else
		hvx_vmbus_channel_set_rings(ch, NULL);
	mutex_unlock(&bus->lock);
	return ret;
}

static long hvx_vmbus_release(struct hvx_vm *vm, unsigned long child_id)
{
	struct hvx_vmbus *bus = &vm->vmbus;
	struct hvx_vmbus_channel *ch;
	long ret = -EINVAL;

	mutex_lock(&bus->lock);
	ch = hvx_vmbus_lookup(bus, child_id);
	if (ch && ch->guest_knows && ch->rescinded && !ch->rescind_pending) {
		hvx_vmbus_remove(bus, ch);
		ret = 0;
	}
	mutex_unlock(&bus->lock);
	return ret;
}

/* The fast path: no mutex, no allocation, nothing but a wake-up. */
static long hvx_vmbus_signal(struct hvx_vm *vm, unsigned long child_id)
{
	struct hvx_vmbus *bus = &vm->vmbus;
	struct hvx_vmbus_channel *ch;
	long ret = -ENOENT;

	spin_lock(&bus->slock);
	ch = hvx_vmbus_lookup(bus, child_id);
	if (ch)
		ret = hvx_vmbus_channel_guest_signal(ch);
	spin_unlock(&bus->slock);
	return ret;
}

/* The backend closed its fd: rescind the channel. */
void hvx_vmbus_backend_gone(struct hvx_vmbus_channel *ch)
{
	struct hvx_vmbus *bus = &ch->vm->vmbus;
	bool tell_guest;

	mutex_lock(&bus->lock);
	ch->rescinded = true;
	hvx_vmbus_channel_set_rings(ch, NULL);
	tell_guest = ch->guest_knows;
	if (tell_guest)
		ch->rescind_pending = true;	/* the guest's RELEASE removes it */
	else
		hvx_vmbus_remove(bus, ch);
	mutex_unlock(&bus->lock);
	if (tell_guest)
		hvx_vmbus_raise(ch->vm, HVX_VMBUS_EVENT_CONTROL);
}

long hvx_vmbus_hypercall(struct hvx_vm *vm, unsigned long nr, unsigned long arg)
{
	struct hvx_vmbus *bus = &vm->vmbus;

	switch (nr) {
	case HVX_HC_VMBUS_CONNECT:
		return hvx_vmbus_connect(vm, arg);
	case HVX_HC_VMBUS_DISCONNECT:
		mutex_lock(&bus->lock);
		hvx_vmbus_disconnect(bus);
		mutex_unlock(&bus->lock);
		return 0;
	case HVX_HC_VMBUS_RECV_MSG:
		return hvx_vmbus_recv_msg(vm, arg);
	case HVX_HC_VMBUS_OPEN:
		return hvx_vmbus_open(vm, arg);
	case HVX_HC_VMBUS_CLOSE:
		return hvx_vmbus_close(vm, arg);
	case HVX_HC_VMBUS_RELEASE:
		return hvx_vmbus_release(vm, arg);
	case HVX_HC_VMBUS_SIGNAL:
		return hvx_vmbus_signal(vm, arg);
	default:
		return -EOPNOTSUPP;
	}
}
