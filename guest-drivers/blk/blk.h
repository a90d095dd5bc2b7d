/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvx_blk: a disk on the hvx channel bus, one per channel.  blk.c makes
 * the disk and ties it to its channel, io.c moves requests to the host
 * and completions back, config.c asks the host what the disk looks like.
 */
#ifndef HVX_GUEST_BLK_H
#define HVX_GUEST_BLK_H

#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/blk-mq.h>
#include <linux/mutex.h>
#include <linux/scatterlist.h>
#include <linux/workqueue.h>

#include "../../kmod/uapi/hvx_blk.h"
#include "../vmbus/hvx_vmbus.h"

/*
 * An I/O request's transaction id.  Bit 63 keeps it apart from the small
 * ids of hvx_channel_request(); the tag finds the request; the tag's
 * generation, new with each use of the tag, makes a late or repeated
 * completion of an earlier request with the same tag miss.
 */
#define HVX_BLK_IO_ID		BIT_ULL(63)
#define HVX_BLK_ID_GEN		GENMASK_ULL(62, 32)
#define HVX_BLK_ID_TAG		GENMASK_ULL(31, 0)

/**
 * struct hvx_blk_slot - a tag as the receive path sees it
 * @id: the transaction id while the host holds the request, else 0;
 *	whoever swaps it to 0 completes the request, so that happens once
 * @rq: the request; valid while @id is set
 * @gen: the tag's generation; only queue_rq touches it
 */
struct hvx_blk_slot {
	atomic64_t id;
	struct request *rq;
	u32 gen;
};

/**
 * struct hvx_blk_pdu - what each request carries for us
 * @status: how it ended, for the completion
 * @sg: its memory, as blk_rq_map_sg() maps it
 * @segs: the same as the host sees it
 * @req: the request packet's fixed part; last, since it ends in a
 *	flexible array (@segs follow it as a second piece of the packet)
 */
struct hvx_blk_pdu {
	blk_status_t status;
	struct scatterlist sg[HVX_BLK_MAX_SEGS];
	struct hvx_blk_seg segs[HVX_BLK_MAX_SEGS];
	struct hvx_blk_request req;
};

/**
 * struct hvx_blk - one disk
 * @hdev: its channel's device
 * @ch: the channel
 * @disk: the disk
 * @tag_set: its one hardware queue's tags
 * @slots: per tag, @depth of them
 * @depth: the tag set's queue depth
 * @index: for the name: 0 is hvxda
 * @dead: the host is gone or broke the protocol; no request reaches it
 * @config_lock: serialises reading and applying the configuration
 * @configured: the probe has applied the first configuration
 * @ro: the host said the disk is read-only, as last applied
 * @config_work: asks for the configuration again when the host says so
 * @serial: the host's serial number, printable and terminated
 */
struct hvx_blk {
	struct hvx_vmbus_device *hdev;
	struct hvx_channel *ch;
	struct gendisk *disk;
	struct blk_mq_tag_set tag_set;
	struct hvx_blk_slot *slots;
	unsigned int depth;
	int index;
	bool dead;
	struct mutex config_lock;
	bool configured;
	bool ro;
	struct work_struct config_work;
	char serial[HVX_BLK_SERIAL_LEN + 1];
};

/* io.c */
extern const struct blk_mq_ops hvx_blk_mq_ops;
void hvx_blk_signal(void *ctx);
void hvx_blk_kill(struct hvx_blk *d);

/* config.c */
int hvx_blk_configure(struct hvx_blk *d);
void hvx_blk_config_work(struct work_struct *work);

#endif /* HVX_GUEST_BLK_H */
