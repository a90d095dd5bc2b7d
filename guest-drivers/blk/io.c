// SPDX-License-Identifier: GPL-2.0
/*
 * Requests to the host and completions back.  queue_rq writes each
 * request into the channel's ring under an id made of its tag and the
 * tag's generation; the signal handler, the ring's one consumer, matches
 * completions to requests by that id.
 *
 * A request is the host's from the moment its slot holds the id until
 * someone swaps the id out: a completion that brings the same id, or a
 * kill when the host is gone.  The swap is atomic, so a request ends
 * once however the host behaves; a completion whose id is not there (a
 * repeat, a guess, a stale one) is ignored.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitfield.h>
#include <linux/blkdev.h>

#include "blk.h"

/* The most a host may send us in one packet; anything longer is an error. */
union hvx_blk_rx {
	struct hvx_blk_response resp;
	struct hvx_blk_config config;
	struct hvx_blk_event event;
};

/*
 * The host's status, as the block layer knows it.  Only what the protocol
 * names is passed on: errno_to_blk_status() would turn a -EAGAIN or -EBUSY
 * into a status that asks for a retry, which a finished request cannot.
 */
static blk_status_t hvx_blk_status(s32 status)
{
	switch (status) {
	case 0:
		return BLK_STS_OK;
	case -ENOSPC:
	case -EOPNOTSUPP:
		return errno_to_blk_status(status);
	default:
		/* -EIO, -EROFS, -EINVAL, and whatever else the host says. */
		return BLK_STS_IOERR;
	}
}

static blk_status_t hvx_blk_map(struct request *rq, struct hvx_blk_pdu *pdu,
				unsigned int *nsegs)
{
	struct hvx_blk_request *req = &pdu->req;
	struct scatterlist *sg;
	int i, n;

	n = blk_rq_nr_phys_segments(rq);
	if (WARN_ON_ONCE(!n || n > HVX_BLK_MAX_SEGS))
		return BLK_STS_IOERR;
	sg_init_table(pdu->sg, n);
	n = blk_rq_map_sg(rq->q, rq, pdu->sg);
	for_each_sg(pdu->sg, sg, n, i) {
		/* The queue limits promise the protocol's 512-byte units. */
		if (WARN_ON_ONCE((sg_phys(sg) | sg->length) & (SECTOR_SIZE - 1)))
			return BLK_STS_IOERR;
		pdu->segs[i].gpa = sg_phys(sg);
		pdu->segs[i].len = sg->length;
		pdu->segs[i].reserved = 0;
	}
	req->nsegs = n;
	*nsegs = n;
	return BLK_STS_OK;
}

/* Fills in @pdu's request; *@nsegs is how many segments follow it. */
static blk_status_t hvx_blk_build(struct request *rq, struct hvx_blk_pdu *pdu,
				  unsigned int *nsegs)
{
	struct hvx_blk_request *req = &pdu->req;

	memset(req, 0, sizeof(*req));
	*nsegs = 0;
	switch (req_op(rq)) {
	case REQ_OP_READ:
		req->op = HVX_BLK_OP_READ;
		break;
	case REQ_OP_WRITE:
		req->op = HVX_BLK_OP_WRITE;
		if (rq->cmd_flags & REQ_FUA)
			req->flags = HVX_BLK_REQ_FUA;
		break;
	case REQ_OP_FLUSH:
		req->op = HVX_BLK_OP_FLUSH;
		return BLK_STS_OK;
	case REQ_OP_DISCARD:
		req->op = HVX_BLK_OP_DISCARD;
		break;
	case REQ_OP_WRITE_ZEROES:
		req->op = HVX_BLK_OP_WRITE_ZEROES;
		break;
	default:
		return BLK_STS_NOTSUPP;
	}
	req->sector = blk_rq_pos(rq);
	req->nr_sectors = blk_rq_sectors(rq);
	if (req->op == HVX_BLK_OP_READ || req->op == HVX_BLK_OP_WRITE)
		return hvx_blk_map(rq, pdu, nsegs);
	return BLK_STS_OK;
}

static int hvx_blk_send(struct hvx_blk *d, struct hvx_blk_pdu *pdu, unsigned int nsegs,
			u64 id)
{
	struct hvx_ring_buf bufs[] = {
		{ .base = &pdu->req, .len = sizeof(pdu->req) },
		{ .base = pdu->segs, .len = nsegs * sizeof(pdu->segs[0]) },
	};

	/* A dead disk's host is gone, or broke the protocol: it gets nothing. */
	if (READ_ONCE(d->dead))
		return -ENODEV;
	return hvx_channel_sendv(d->ch, HVX_PACKET_REQUEST, id, bufs, nsegs ? 2 : 1);
}

static blk_status_t hvx_blk_queue_rq(struct blk_mq_hw_ctx *hctx,
				     const struct blk_mq_queue_data *bd)
{
	struct hvx_blk *d = hctx->queue->queuedata;
	struct request *rq = bd->rq;
	struct hvx_blk_pdu *pdu = blk_mq_rq_to_pdu(rq);
	struct hvx_blk_slot *slot;
	unsigned int nsegs;
	blk_status_t sts;
	int err;
	u64 id;

	if (READ_ONCE(d->dead) || WARN_ON_ONCE((unsigned int)rq->tag >= d->depth))
		return BLK_STS_IOERR;
	sts = hvx_blk_build(rq, pdu, &nsegs);
	if (sts)
		return sts;

	blk_mq_start_request(rq);
	slot = &d->slots[rq->tag];
	slot->gen++;
	id = HVX_BLK_IO_ID | FIELD_PREP(HVX_BLK_ID_GEN, slot->gen) |
	     FIELD_PREP(HVX_BLK_ID_TAG, rq->tag);
	slot->rq = rq;
	/* Release: whoever takes the id finds @rq. */
	atomic64_set_release(&slot->id, id);
	/* Pairs with hvx_blk_kill(): it takes this id, or we see the disk dead. */
	smp_mb();
	err = hvx_blk_send(d, pdu, nsegs, id);
	if (err == -EAGAIN) {
		/*
		 * The ring is full: wait for the host's signal that it made
		 * room.  It may have made room (and signalled) before the
		 * queue was stopped, so look once more after stopping.
		 */
		blk_mq_stop_hw_queue(hctx);
		/* Pairs with the signal: it finds the queue stopped, or we the room. */
		smp_mb();
		err = hvx_blk_send(d, pdu, nsegs, id);
		if (err != -EAGAIN)
			blk_mq_start_stopped_hw_queue(hctx, true);
	}
	if (!err)
		return BLK_STS_OK;
	/* Not sent; but a kill may have taken it already, and completes it. */
	if (atomic64_cmpxchg(&slot->id, id, 0) != id)
		return BLK_STS_OK;
	return err == -EAGAIN ? BLK_STS_DEV_RESOURCE : BLK_STS_IOERR;
}

static void hvx_blk_complete_rq(struct request *rq)
{
	struct hvx_blk_pdu *pdu = blk_mq_rq_to_pdu(rq);

	blk_mq_end_request(rq, pdu->status);
}

const struct blk_mq_ops hvx_blk_mq_ops = {
	.queue_rq	= hvx_blk_queue_rq,
	.complete	= hvx_blk_complete_rq,
};

/* Ends @slot's request; the caller took its id, so nobody else does. */
static void hvx_blk_end(struct hvx_blk_slot *slot, blk_status_t status)
{
	struct hvx_blk_pdu *pdu = blk_mq_rq_to_pdu(slot->rq);

	pdu->status = status;
	blk_mq_complete_request(slot->rq);
}

static void hvx_blk_complete_io(struct hvx_blk *d, u64 id, const union hvx_blk_rx *rx,
				u32 len)
{
	u64 tag = FIELD_GET(HVX_BLK_ID_TAG, id);
	blk_status_t status = BLK_STS_IOERR;

	/* Only the id the request went out with, and only once. */
	if (tag >= d->depth || atomic64_cmpxchg(&d->slots[tag].id, id, 0) != id) {
		dev_warn_ratelimited(&d->hdev->dev, "completion %#llx is not in flight\n", id);
		return;
	}
	if (len >= sizeof(rx->resp))
		status = hvx_blk_status(rx->resp.status);
	hvx_blk_end(&d->slots[tag], status);
}

static void hvx_blk_rx(struct hvx_blk *d, const struct hvx_packet_desc *desc,
		       const union hvx_blk_rx *rx, u32 len)
{
	switch (desc->type) {
	case HVX_PACKET_COMPLETION:
		if (desc->trans_id & HVX_BLK_IO_ID)
			hvx_blk_complete_io(d, desc->trans_id, rx, len);
		else if (!hvx_channel_complete(d->ch, desc, rx))
			dev_warn_ratelimited(&d->hdev->dev,
					     "completion %llu that nothing waits for\n",
					     desc->trans_id);
		return;
	case HVX_PACKET_DATA:
		if (len >= sizeof(rx->event) && rx->event.type == HVX_BLK_EVENT_CONFIG_CHANGED) {
			schedule_work(&d->config_work);
			return;
		}
		break;
	}
	dev_warn_ratelimited(&d->hdev->dev, "ignoring a packet of type %u, %u bytes\n",
			     desc->type, len);
}

/*
 * The host will complete nothing more: fail what it holds, and make
 * queue_rq fail the rest, so that nobody waits for it.  Any context.
 */
void hvx_blk_kill(struct hvx_blk *d)
{
	struct hvx_blk_slot *slot;
	unsigned int tag;

	WRITE_ONCE(d->dead, true);
	/* Pairs with queue_rq: it sees the disk dead, or we see its id. */
	smp_mb();
	for (tag = 0; tag < d->depth; tag++) {
		slot = &d->slots[tag];
		if (atomic64_xchg(&slot->id, 0))
			hvx_blk_end(slot, BLK_STS_IOERR);
	}
	/* Requests held back for room go to queue_rq, which fails them now. */
	blk_mq_start_stopped_hw_queues(d->disk->queue, true);
}

/*
 * The channel's on_signal, with interrupts off: completions arrived, or
 * room in the ring, or the host rescinded the device.  The bus never runs
 * it twice at once, so it is the ring's one consumer.
 */
void hvx_blk_signal(void *ctx)
{
	struct hvx_blk *d = ctx;
	struct hvx_packet_desc desc;
	union hvx_blk_rx rx;
	s64 len;

	do {
		hvx_ring_mask_signals(&d->ch->in);
		while ((len = hvx_channel_recv(d->ch, &desc, &rx, sizeof(rx))) >= 0)
			hvx_blk_rx(d, &desc, &rx, len);
	} while (len == -EAGAIN && hvx_channel_recv_done(d->ch));

	if (len != -EAGAIN) {
		/*
		 * -ENODEV: rescinded.  -EPIPE: the ring is broken.  -EMSGSIZE:
		 * a packet too large for any message of ours, which stays in
		 * the ring and blocks every completion behind it.
		 */
		if (!READ_ONCE(d->dead)) {
			if (len == -ENODEV)
				dev_info(&d->hdev->dev, "%s: removed by the host\n",
					 d->disk->disk_name);
			else
				dev_err(&d->hdev->dev, "%s: channel failed: %lld\n",
					d->disk->disk_name, len);
		}
		hvx_blk_kill(d);
		return;
	}
	/* Room, perhaps, for a request that found the ring full. */
	blk_mq_start_stopped_hw_queues(d->disk->queue, true);
}
