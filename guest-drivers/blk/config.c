// SPDX-License-Identifier: GPL-2.0
/*
 * The disk as the host describes it: asked for with GET_CONFIG at probe,
 * and again whenever the host says that it changed.  Nothing the host
 * says is taken on trust: a configuration that makes no sense fails the
 * probe, or leaves a live disk as it was.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/blkdev.h>
#include <linux/ctype.h>
#include <linux/delay.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/sizes.h>

#include "blk.h"

#define HVX_BLK_CONFIG_TIMEOUT	(10 * HZ)
/* A full ring frees up as the host takes requests: wait up to a second. */
#define HVX_BLK_CONFIG_TRIES	50
/* Its size in bytes must fit a loff_t. */
#define HVX_BLK_MAX_CAPACITY	((u64)LLONG_MAX >> SECTOR_SHIFT)
/* The protocol's limit on a segment. */
#define HVX_BLK_MAX_SEG_SIZE	SZ_1M

static bool hvx_blk_block_size_ok(u32 size)
{
	return size >= SECTOR_SIZE && size <= SZ_4K && is_power_of_2(size);
}

static int hvx_blk_check_config(struct hvx_blk *d, const struct hvx_blk_config *c)
{
	u32 lbs = c->logical_block_size, pbs = c->physical_block_size;
	struct device *dev = &d->hdev->dev;

	if (!hvx_blk_block_size_ok(lbs) || !hvx_blk_block_size_ok(pbs) || pbs < lbs) {
		dev_err(dev, "bad block sizes %u/%u\n", lbs, pbs);
		return -EPROTO;
	}
	if (c->capacity > HVX_BLK_MAX_CAPACITY ||
	    c->capacity & ((lbs >> SECTOR_SHIFT) - 1)) {
		dev_err(dev, "bad capacity %llu\n", c->capacity);
		return -EPROTO;
	}
	/* A page must fit in one request; 8 sectors cover the largest block. */
	if (c->max_sectors < PAGE_SECTORS) {
		dev_err(dev, "bad max_sectors %u\n", c->max_sectors);
		return -EPROTO;
	}
	return 0;
}

static int hvx_blk_get_config(struct hvx_blk *d, struct hvx_blk_config *cfg)
{
	struct hvx_blk_request req = { .op = HVX_BLK_OP_GET_CONFIG };
	unsigned int tries = 0;
	s64 len;

	do {
		/* A short answer leaves the rest zero, not stale. */
		memset(cfg, 0, sizeof(*cfg));
		len = hvx_channel_request(d->ch, &req, sizeof(req), cfg, sizeof(*cfg),
					  HVX_BLK_CONFIG_TIMEOUT);
		if (len != -EAGAIN)
			break;
		msleep(20);
	} while (++tries < HVX_BLK_CONFIG_TRIES);

	if (len < 0) {
		dev_err(&d->hdev->dev, "GET_CONFIG failed: %lld\n", len);
		return len;
	}
	/* Its errno is the host's word: -EIO, not whatever number it sent. */
	if (len >= sizeof(cfg->status) && cfg->status) {
		dev_err(&d->hdev->dev, "GET_CONFIG failed on the host: %d\n", cfg->status);
		return -EIO;
	}
	if (len < sizeof(*cfg)) {
		dev_err(&d->hdev->dev, "GET_CONFIG answered with %lld bytes\n", len);
		return -EPROTO;
	}
	return hvx_blk_check_config(d, cfg);
}

/* NUL padded, maybe not terminated, maybe not printable: make it so. */
static void hvx_blk_set_serial(struct hvx_blk *d, const char *serial)
{
	size_t i, len = strnlen(serial, HVX_BLK_SERIAL_LEN);

	for (i = 0; i < len; i++)
		d->serial[i] = isprint(serial[i]) ? serial[i] : '_';
	d->serial[len] = '\0';
}

/*
 * The host writes to a file: what it acknowledged may sit in its page
 * cache until a FLUSH or a FUA write.  A read-only disk holds nothing of
 * ours to flush, and the host refuses FLUSH there as a write: without a
 * cache, the block layer sends none.
 */
static void hvx_blk_set_ro(struct hvx_blk *d, bool ro)
{
	blk_queue_write_cache(d->disk->queue, !ro, !ro);
	set_disk_ro(d->disk, ro);
	d->ro = ro;
}

/*
 * The most sectors of one DISCARD or WRITE_ZEROES, whole logical blocks:
 * @host_max, or the block layer's own limit if the host stated none.  A
 * limit below one block leaves none, and the block layer then sends none.
 */
static unsigned int hvx_blk_zero_limit(const struct hvx_blk_config *cfg, u32 host_max)
{
	u32 max = host_max ? host_max : UINT_MAX;

	return round_down(max, cfg->logical_block_size >> SECTOR_SHIFT);
}

/* Reads the configuration and sets the disk up by it; before add_disk. */
int hvx_blk_configure(struct hvx_blk *d)
{
	struct request_queue *q = d->disk->queue;
	struct hvx_blk_config cfg;
	unsigned int max;
	int err;

	mutex_lock(&d->config_lock);
	err = hvx_blk_get_config(d, &cfg);
	if (err)
		goto unlock;

	/* The logical block size first: the limits below are rounded to it. */
	blk_queue_logical_block_size(q, cfg.logical_block_size);
	blk_queue_physical_block_size(q, cfg.physical_block_size);
	/* Segments as the protocol wants them: 512-byte aligned, up to 1 MiB. */
	blk_queue_dma_alignment(q, SECTOR_SIZE - 1);
	blk_queue_max_segments(q, HVX_BLK_MAX_SEGS);
	blk_queue_max_segment_size(q, HVX_BLK_MAX_SEG_SIZE);
	max = HVX_BLK_MAX_SEGS * (HVX_BLK_MAX_SEG_SIZE >> SECTOR_SHIFT);
	blk_queue_max_hw_sectors(q, min(cfg.max_sectors, max));

	/* The host's limits; 0 from an older host that states none. */
	if (cfg.flags & HVX_BLK_F_DISCARD) {
		q->limits.discard_granularity = cfg.physical_block_size;
		blk_queue_max_discard_sectors(q, hvx_blk_zero_limit(&cfg, cfg.max_discard_sectors));
	}
	if (cfg.flags & HVX_BLK_F_WRITE_ZEROES)
		blk_queue_max_write_zeroes_sectors(q, hvx_blk_zero_limit(&cfg,
						   cfg.max_write_zeroes_sectors));

	set_capacity(d->disk, cfg.capacity);
	hvx_blk_set_ro(d, cfg.flags & HVX_BLK_F_RO);
	hvx_blk_set_serial(d, cfg.serial);
	d->configured = true;
unlock:
	mutex_unlock(&d->config_lock);
	return err;
}

/*
 * The host said the disk changed: a resize, or it became read-only or
 * writable.  The rest of the queue's limits cannot change under a live
 * file system, so a new block size is refused.
 */
void hvx_blk_config_work(struct work_struct *work)
{
	struct hvx_blk *d = container_of(work, struct hvx_blk, config_work);
	struct request_queue *q = d->disk->queue;
	struct hvx_blk_config cfg;

	mutex_lock(&d->config_lock);
	/* Before the probe's GET_CONFIG, which sees the change itself. */
	if (!d->configured || READ_ONCE(d->dead))
		goto unlock;
	if (hvx_blk_get_config(d, &cfg))
		goto unlock;
	if (cfg.logical_block_size != queue_logical_block_size(q) ||
	    cfg.physical_block_size != queue_physical_block_size(q)) {
		dev_warn(&d->hdev->dev, "%s: block size change to %u/%u ignored\n",
			 d->disk->disk_name, cfg.logical_block_size, cfg.physical_block_size);
		goto unlock;
	}
	set_capacity_and_notify(d->disk, cfg.capacity);
	/* Only a change: the write cache may have been set through sysfs. */
	if (!!(cfg.flags & HVX_BLK_F_RO) != d->ro)
		hvx_blk_set_ro(d, cfg.flags & HVX_BLK_F_RO);
unlock:
	mutex_unlock(&d->config_lock);
}
