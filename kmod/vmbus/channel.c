// SPDX-License-Identifier: GPL-2.0
/*
 * The backend's end of a channel: HVX_CREATE_CHANNEL on the VM fd offers
 * it, the channel fd reports the guest's opens, closes and signals, maps
 * the rings and signals the guest; closing the fd rescinds the channel.
 */
#define pr_fmt(fmt) "hvx: " fmt

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "../hvx.h"
#include "vmbus.h"

static void hvx_vmbus_channel_release(struct kref *ref)
{
	struct hvx_vmbus_channel *ch = container_of(ref, struct hvx_vmbus_channel, ref);

	kfree(ch);
}

void hvx_vmbus_channel_put(struct hvx_vmbus_channel *ch)
{
	kref_put(&ch->ref, hvx_vmbus_channel_release);
}

/*
 * The guest opened (@rings) or closed (NULL) the channel.  The backend
 * learns of it at its next read(); the ring set it may still map is the
 * new one.
 */
void hvx_vmbus_channel_set_rings(struct hvx_vmbus_channel *ch, struct hvx_vmbus_rings *rings)
{
	struct hvx_vmbus_rings *old;

	spin_lock(&ch->lock);
	old = ch->rings;
	ch->rings = rings;
	ch->signals = 0;
	if (rings && !++ch->open_seq)
		ch->open_seq = 1;	/* 0 means "none" to backend_seq */
	spin_unlock(&ch->lock);
	if (old)
		hvx_vmbus_rings_put(old);
	wake_up_interruptible(&ch->wq);
}

/* The guest signalled: 0, or -ENOTCONN while it has the channel closed. */
int hvx_vmbus_channel_guest_signal(struct hvx_vmbus_channel *ch)
{
	bool open;

	spin_lock(&ch->lock);
	open = ch->rings;
	if (open) {
		ch->signals++;
		WRITE_ONCE(ch->signals_total, ch->signals_total + 1);
	}
	spin_unlock(&ch->lock);
	if (!open)
		return -ENOTCONN;
	wake_up_interruptible(&ch->wq);
	return 0;
}

/* The next event for the backend, consumed if @ev is given; lock held. */
static bool hvx_vmbus_channel_next_event(struct hvx_vmbus_channel *ch,
					 struct hvx_channel_event *ev)
{
	u32 open_seq = ch->rings ? ch->open_seq : 0;
	struct hvx_channel_event e = { .child_id = ch->child_id };

	if (ch->backend_seq && ch->backend_seq != open_seq) {
		e.type = HVX_CHANNEL_EVENT_CLOSE;
		if (ev)
			ch->backend_seq = 0;
	} else if (open_seq && !ch->backend_seq) {
		e.type = HVX_CHANNEL_EVENT_OPEN;
		e.out_pages = ch->rings->out_pages;
		e.in_pages = ch->rings->in_pages;
		if (ev)
			ch->backend_seq = open_seq;
	} else if (open_seq && ch->signals) {
		e.type = HVX_CHANNEL_EVENT_SIGNAL;
		e.signals = ch->signals;
		if (ev)
			ch->signals = 0;
	} else {
		return false;
	}
	if (ev)
		*ev = e;
	return true;
}

static bool hvx_vmbus_channel_has_event(struct hvx_vmbus_channel *ch)
{
	bool ret;

	spin_lock(&ch->lock);
	ret = hvx_vmbus_channel_next_event(ch, NULL);
	spin_unlock(&ch->lock);
	return ret;
}

static ssize_t hvx_vmbus_channel_read(struct file *file, char __user *buf, size_t len,
				      loff_t *off)
{
	struct hvx_vmbus_channel *ch = file->private_data;
	struct hvx_channel_event ev;
	bool got;
	int err;

	if (len < sizeof(ev))
		return -EINVAL;
	for (;;) {
		spin_lock(&ch->lock);
		got = hvx_vmbus_channel_next_event(ch, &ev);
		spin_unlock(&ch->lock);
		if (got)
			break;
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		err = wait_event_interruptible(ch->wq, hvx_vmbus_channel_has_event(ch));
		if (err)
			return err;
	}
	if (copy_to_user(buf, &ev, sizeof(ev)))
		return -EFAULT;
	return sizeof(ev);
}

static __poll_t hvx_vmbus_channel_poll(struct file *file, poll_table *wait)
{
	struct hvx_vmbus_channel *ch = file->private_data;

	poll_wait(file, &ch->wq, wait);
	return hvx_vmbus_channel_has_event(ch) ? EPOLLIN | EPOLLRDNORM : 0;
}

static int hvx_vmbus_channel_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct hvx_vmbus_channel *ch = file->private_data;
	struct hvx_vmbus_rings *rings;
	int err;

	spin_lock(&ch->lock);
	rings = ch->rings;
	if (rings)
		kref_get(&rings->ref);
	spin_unlock(&ch->lock);
	if (!rings)
		return -ENODEV;
	err = hvx_vmbus_rings_mmap(rings, vma);
	hvx_vmbus_rings_put(rings);
	return err;
}

/* HVX_CHANNEL_REPORT: the backend's totals, checked to only grow. */
static int hvx_vmbus_channel_report(struct hvx_vmbus_channel *ch,
				    const struct hvx_channel_report __user *arg)
{
	struct hvx_vmbus *bus = &ch->vm->vmbus;
	struct hvx_vmbus_traffic *t = &ch->traffic;
	struct hvx_channel_report r;
	bool newly_broken;

	if (copy_from_user(&r, arg, sizeof(r)))
		return -EFAULT;
	if (r.flags & ~HVX_CHANNEL_REPORT_FLAGS_MASK || r.reserved)
		return -EINVAL;
	/* A balloon shrinks as the guest deflates it, but never outgrows the RAM. */
	if (r.balloon_bytes > hvx_mem_size(&ch->vm->mem))
		return -EINVAL;

	spin_lock(&bus->slock);
	if (r.packets_from_guest < t->packets_from_guest ||
	    r.bytes_from_guest < t->bytes_from_guest ||
	    r.packets_to_guest < t->packets_to_guest ||
	    r.bytes_to_guest < t->bytes_to_guest) {
		spin_unlock(&bus->slock);
		return -EINVAL;
	}
	t->packets_from_guest = r.packets_from_guest;
	t->bytes_from_guest = r.bytes_from_guest;
	t->packets_to_guest = r.packets_to_guest;
	t->bytes_to_guest = r.bytes_to_guest;
	t->balloon_bytes = r.balloon_bytes;
	newly_broken = !ch->broken && (r.flags & HVX_CHANNEL_REPORT_BROKEN);
	ch->broken |= newly_broken;
	spin_unlock(&bus->slock);

	if (newly_broken) {
		struct hvx_genl_event_info info = { .vcpu = -1, .child_id = ch->child_id };

		hvx_genl_notify(ch->vm, HVX_EVENT_CHANNEL_BROKEN, &info);
	}
	return 0;
}

/*
 * The backend is gone: its totals move into the bus's sum of gone
 * channels, so that the VM's counters never go down, and a balloon it
 * served no longer counts.
 */
static void hvx_vmbus_channel_fold_traffic(struct hvx_vmbus_channel *ch)
{
	struct hvx_vmbus *bus = &ch->vm->vmbus;
	struct hvx_vmbus_traffic *sum = &bus->traffic_gone;

	spin_lock(&bus->slock);
	sum->packets_from_guest += ch->traffic.packets_from_guest;
	sum->bytes_from_guest += ch->traffic.bytes_from_guest;
	sum->packets_to_guest += ch->traffic.packets_to_guest;
	sum->bytes_to_guest += ch->traffic.bytes_to_guest;
	sum->signals += READ_ONCE(ch->signals_total);
	bus->channels_gone++;
	ch->traffic_gone = true;
	spin_unlock(&bus->slock);
}

static long hvx_vmbus_channel_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct hvx_vmbus_channel *ch = file->private_data;
	bool open;

	switch (cmd) {
	case HVX_CHANNEL_SIGNAL:
		if (arg)
			return -EINVAL;
		spin_lock(&ch->lock);
		open = ch->rings;
		spin_unlock(&ch->lock);
		if (!open)
			return -ENOTCONN;
		hvx_vmbus_raise(ch->vm, ch->child_id);
		return 0;
	case HVX_CHANNEL_REPORT:
		return hvx_vmbus_channel_report(ch, (void __user *)arg);
	default:
		return -ENOTTY;
	}
}

static int hvx_vmbus_channel_fd_release(struct inode *inode, struct file *file)
{
	struct hvx_vmbus_channel *ch = file->private_data;
	struct hvx_vm *vm;

	if (!ch)
		return 0;	/* creation failed */
	vm = ch->vm;
	hvx_vmbus_channel_fold_traffic(ch);
	hvx_vmbus_backend_gone(ch);
	hvx_vmbus_channel_put(ch);
	hvx_vm_put(vm);
	return 0;
}

static const struct file_operations hvx_vmbus_channel_fops = {
	.owner		= THIS_MODULE,
	.release	= hvx_vmbus_channel_fd_release,
	.read		= hvx_vmbus_channel_read,
	.poll		= hvx_vmbus_channel_poll,
	.mmap		= hvx_vmbus_channel_mmap,
	.unlocked_ioctl	= hvx_vmbus_channel_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

/* A free child id, or 0; vmbus->lock held. */
static u32 hvx_vmbus_free_id(struct hvx_vmbus *bus)
{
	u32 id;

	for (id = 1; id < HVX_VMBUS_MAX_CHANNELS; id++)
		if (!bus->channels[id])
			return id;
	return 0;
}

static bool hvx_vmbus_offered(struct hvx_vmbus *bus, const struct hvx_create_channel *req)
{
	u32 id;

	for (id = 1; id < HVX_VMBUS_MAX_CHANNELS; id++) {
		struct hvx_vmbus_channel *ch = bus->channels[id];

		if (ch && !ch->rescinded &&
		    !memcmp(ch->class_id, req->class_id, sizeof(ch->class_id)) &&
		    !memcmp(ch->instance_id, req->instance_id, sizeof(ch->instance_id)))
			return true;
	}
	return false;
}

int hvx_vmbus_create_channel(struct hvx_vm *vm, const struct hvx_create_channel __user *arg)
{
	struct hvx_vmbus *bus = &vm->vmbus;
	struct hvx_create_channel req;
	struct hvx_vmbus_channel *ch;
	struct file *file;
	int fd, err;
	u32 id;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	if (req.flags || req.reserved)
		return -EINVAL;

	ch = kzalloc(sizeof(*ch), GFP_KERNEL_ACCOUNT);
	if (!ch)
		return -ENOMEM;
	kref_init(&ch->ref);		/* the fd's */
	spin_lock_init(&ch->lock);
	init_waitqueue_head(&ch->wq);
	memcpy(ch->class_id, req.class_id, sizeof(ch->class_id));
	memcpy(ch->instance_id, req.instance_id, sizeof(ch->instance_id));
	ch->vm = vm;

	fd = get_unused_fd_flags(O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		err = fd;
		goto err_free;
	}
	file = anon_inode_getfile("hvx-channel", &hvx_vmbus_channel_fops, ch, O_RDWR);
	if (IS_ERR(file)) {
		err = PTR_ERR(file);
		goto err_fd;
	}

	mutex_lock(&bus->lock);
	err = -EEXIST;
	if (hvx_vmbus_offered(bus, &req))
		goto err_unlock;
	err = -ENOSPC;
	id = hvx_vmbus_free_id(bus);
	if (!id)
		goto err_unlock;
	ch->child_id = id;
	kref_get(&ch->ref);		/* the table's */
	kref_get(&vm->ref);		/* the fd's, on the VM */
	spin_lock(&bus->slock);
	bus->channels[id] = ch;
	ch->offer_pending = bus->event_page != NULL;
	spin_unlock(&bus->slock);
	mutex_unlock(&bus->lock);

	if (ch->offer_pending)
		hvx_vmbus_raise(vm, HVX_VMBUS_EVENT_CONTROL);
	fd_install(fd, file);
	return fd;

err_unlock:
	mutex_unlock(&bus->lock);
	/* Nothing to rescind: tell the file's release so. */
	file->private_data = NULL;
	fput(file);
err_fd:
	put_unused_fd(fd);
err_free:
	kfree(ch);
	return err;
}
