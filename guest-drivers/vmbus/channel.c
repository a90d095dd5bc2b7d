// SPDX-License-Identifier: GPL-2.0
/*
 * Channels: a device's two rings, handed to the host with OPEN and taken
 * back with CLOSE; packets in and out; requests that sleep until the
 * driver's receive path brings their completion.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/export.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/vmalloc.h>

#include "hypercall.h"
#include "internal.h"

/* OPEN's argument must not cross a page: with the largest rings it fits one. */
static_assert(sizeof(struct hvx_vmbus_open) +
	      HVX_VMBUS_MAX_OPEN_GFNS * sizeof(__u64) <= PAGE_SIZE);

/*
 * A waiter in hvx_channel_request().  Whoever erases it from the xarray
 * owns it: the completer fills it in, a waiter that timed out leaves.
 */
struct hvx_request {
	struct completion done;
	void *resp;
	u32 resp_len;
	s64 result;
};

void hvx_channel_init(struct hvx_vmbus_device *dev)
{
	struct hvx_channel *ch = &dev->chan;

	ch->dev = dev;
	spin_lock_init(&ch->out_lock);
	/* Completions may arrive in the driver's interrupt handler. */
	xa_init_flags(&ch->requests, XA_FLAGS_LOCK_IRQ);
}

static void hvx_channel_signal(struct hvx_channel *ch)
{
	atomic64_inc(&ch->signals_out);
	hvx_hypercall(HVX_HC_VMBUS_SIGNAL, ch->dev->child_id);
}

/* Changes what the interrupt handler and the sysfs files find. */
static void hvx_channel_publish(struct hvx_vmbus_device *dev, struct hvx_channel *ch)
{
	unsigned long flags;

	spin_lock_irqsave(&dev->bus->lock, flags);
	dev->channel = ch;
	spin_unlock_irqrestore(&dev->bus->lock, flags);
}

static void hvx_channel_set_open(struct hvx_channel *ch, bool open)
{
	unsigned long flags;

	spin_lock_irqsave(&ch->out_lock, flags);
	WRITE_ONCE(ch->open, open);
	spin_unlock_irqrestore(&ch->out_lock, flags);
}

static bool hvx_channel_size_ok(u32 size)
{
	return hvx_ring_size_valid(size) &&
	       size <= HVX_VMBUS_MAX_RING_DATA_PAGES * PAGE_SIZE;
}

/* A ring's memory: the header page, then the data area. */
static void *hvx_channel_ring_alloc(struct hvx_ring *ring, u32 size, bool producer)
{
	void *mem = vzalloc(PAGE_SIZE + size);

	if (!mem)
		return NULL;
	hvx_ring_header_init(mem);
	/* Cannot fail: the size was checked. */
	hvx_ring_attach(ring, mem, mem + PAGE_SIZE, size, producer);
	return mem;
}

/* Appends the frames of a ring to @req->gfns at @n; returns how many. */
static u32 hvx_channel_add_gfns(struct hvx_vmbus_open *req, u32 n, void *mem, u32 size)
{
	u32 i, pages = 1 + size / PAGE_SIZE;

	for (i = 0; i < pages; i++)
		req->gfns[n + i] = vmalloc_to_pfn(mem + i * PAGE_SIZE);
	return pages;
}

/* Hands every waiting request -ENODEV. */
static void hvx_channel_fail_requests(struct hvx_channel *ch)
{
	struct hvx_request *req;
	unsigned long id;

	xa_for_each(&ch->requests, id, req) {
		if (xa_erase_irq(&ch->requests, id) != req)
			continue;	/* its completion took it meanwhile */
		req->result = -ENODEV;
		complete(&req->done);
	}
}

int hvx_channel_open(struct hvx_vmbus_device *dev, u32 out_size, u32 in_size,
		     void (*on_signal)(void *ctx), void *ctx)
{
	struct hvx_channel *ch = &dev->chan;
	struct hvx_vmbus_open *req;
	long ret;

	if (!on_signal || !hvx_channel_size_ok(out_size) || !hvx_channel_size_ok(in_size))
		return -EINVAL;

	mutex_lock(&dev->lock);
	ret = -ENODEV;
	if (dev->rescinded)
		goto unlock;
	ret = -EBUSY;
	if (dev->channel)
		goto unlock;

	ret = -ENOMEM;
	ch->out_mem = hvx_channel_ring_alloc(&ch->out, out_size, true);
	if (!ch->out_mem)
		goto unlock;
	ch->in_mem = hvx_channel_ring_alloc(&ch->in, in_size, false);
	if (!ch->in_mem)
		goto free_out;
	req = (struct hvx_vmbus_open *)get_zeroed_page(GFP_KERNEL);
	if (!req)
		goto free_in;

	req->child_id = dev->child_id;
	req->out_pages = hvx_channel_add_gfns(req, 0, ch->out_mem, out_size);
	req->in_pages = hvx_channel_add_gfns(req, req->out_pages, ch->in_mem, in_size);
	ch->out_size = out_size;
	ch->in_size = in_size;
	ch->on_signal = on_signal;
	ch->ctx = ctx;
	atomic64_set(&ch->signals_in, 0);
	atomic64_set(&ch->signals_out, 0);
	hvx_channel_set_open(ch, true);
	/* Before OPEN: the host may signal as soon as it has the rings. */
	hvx_channel_publish(dev, ch);

	ret = hvx_hypercall(HVX_HC_VMBUS_OPEN, virt_to_phys(req));
	free_page((unsigned long)req);
	if (ret < 0)
		goto unpublish;
	mutex_unlock(&dev->lock);
	return 0;

unpublish:
	hvx_channel_publish(dev, NULL);
	hvx_channel_set_open(ch, false);
free_in:
	vfree(ch->in_mem);
	ch->in_mem = NULL;
free_out:
	vfree(ch->out_mem);
	ch->out_mem = NULL;
unlock:
	mutex_unlock(&dev->lock);
	return ret;
}
EXPORT_SYMBOL_GPL(hvx_channel_open);

void hvx_channel_close(struct hvx_vmbus_device *dev)
{
	struct hvx_channel *ch = &dev->chan;

	mutex_lock(&dev->lock);
	if (!dev->channel)
		goto unlock;

	/*
	 * First, so that nothing writes the pages once they are freed.  An
	 * error means that the host held nothing (say, a rescinded child):
	 * the pages are ours either way.
	 */
	hvx_hypercall(HVX_HC_VMBUS_CLOSE, dev->child_id);
	hvx_channel_publish(dev, NULL);
	hvx_channel_set_open(ch, false);
	hvx_channel_fail_requests(ch);
	vfree(ch->in_mem);
	vfree(ch->out_mem);
	ch->in_mem = NULL;
	ch->out_mem = NULL;
unlock:
	mutex_unlock(&dev->lock);
}
EXPORT_SYMBOL_GPL(hvx_channel_close);

/*
 * The host took the device away: calls fail from now on, and waiters are
 * woken so that they notice before the driver's remove closes the channel.
 */
void hvx_channel_rescind(struct hvx_vmbus_device *dev)
{
	struct hvx_channel *ch;
	unsigned long flags;

	mutex_lock(&dev->lock);
	spin_lock_irqsave(&dev->bus->lock, flags);
	WRITE_ONCE(dev->rescinded, true);
	ch = dev->channel;
	if (ch)
		ch->on_signal(ch->ctx);
	spin_unlock_irqrestore(&dev->bus->lock, flags);
	if (ch)
		hvx_channel_fail_requests(ch);
	mutex_unlock(&dev->lock);
}

int hvx_channel_sendv(struct hvx_channel *ch, u16 type, u64 trans_id,
		      const struct hvx_ring_buf *bufs, unsigned int nbufs)
{
	unsigned long flags;
	bool signal = false;
	int ret = -ENODEV;

	spin_lock_irqsave(&ch->out_lock, flags);
	if (ch->open && !READ_ONCE(ch->dev->rescinded))
		ret = hvx_ring_write(&ch->out, type, trans_id, bufs, nbufs, &signal);
	spin_unlock_irqrestore(&ch->out_lock, flags);
	if (signal)
		hvx_channel_signal(ch);
	return ret;
}
EXPORT_SYMBOL_GPL(hvx_channel_sendv);

int hvx_channel_send(struct hvx_channel *ch, u16 type, u64 trans_id,
		     const void *buf, u32 len)
{
	struct hvx_ring_buf one = { .base = buf, .len = len };

	return hvx_channel_sendv(ch, type, trans_id, &one, 1);
}
EXPORT_SYMBOL_GPL(hvx_channel_send);

s64 hvx_channel_recv(struct hvx_channel *ch, struct hvx_packet_desc *desc,
		     void *buf, u32 buflen)
{
	bool signal;
	s64 ret;

	if (!READ_ONCE(ch->open) || READ_ONCE(ch->dev->rescinded))
		return -ENODEV;
	ret = hvx_ring_read(&ch->in, desc, buf, buflen, &signal);
	if (signal)
		hvx_channel_signal(ch);
	return ret;
}
EXPORT_SYMBOL_GPL(hvx_channel_recv);

bool hvx_channel_recv_done(struct hvx_channel *ch)
{
	if (!READ_ONCE(ch->open))
		return false;
	return hvx_ring_unmask_signals(&ch->in);
}
EXPORT_SYMBOL_GPL(hvx_channel_recv_done);

s64 hvx_channel_request(struct hvx_channel *ch, const void *req, u32 req_len,
			void *resp, u32 resp_len, unsigned long timeout)
{
	struct hvx_request w = { .resp = resp, .resp_len = resp_len };
	unsigned long id;
	s64 ret;

	init_completion(&w.done);
	xa_lock_irq(&ch->requests);
	id = ++ch->next_trans_id;
	ret = __xa_insert(&ch->requests, id, &w, GFP_KERNEL);
	xa_unlock_irq(&ch->requests);
	if (ret)
		return ret;

	ret = hvx_channel_send(ch, HVX_PACKET_REQUEST, id, req, req_len);
	if (!ret) {
		if (wait_for_completion_timeout(&w.done, timeout))
			return w.result;
		ret = -ETIMEDOUT;
	}
	if (xa_erase_irq(&ch->requests, id) == &w)
		return ret;
	/* A completion (or close) took the waiter and is finishing with it. */
	wait_for_completion(&w.done);
	return w.result;
}
EXPORT_SYMBOL_GPL(hvx_channel_request);

bool hvx_channel_complete(struct hvx_channel *ch, const struct hvx_packet_desc *desc,
			  const void *payload)
{
	struct hvx_request *w;
	unsigned long flags;

	if (desc->type != HVX_PACKET_COMPLETION)
		return false;
	/* The trans_id is the host's word: only an id we handed out finds a waiter. */
	xa_lock_irqsave(&ch->requests, flags);
	w = __xa_erase(&ch->requests, desc->trans_id);
	xa_unlock_irqrestore(&ch->requests, flags);
	if (!w)
		return false;
	memcpy(w->resp, payload, min(w->resp_len, desc->len));
	w->result = desc->len;
	complete(&w->done);
	return true;
}
EXPORT_SYMBOL_GPL(hvx_channel_complete);
