// SPDX-License-Identifier: GPL-2.0
/*
 * The storage class (uapi/hvx_blk.h): a disk backed by a regular file or
 * a block device, driven through io_uring.  Data moves between the disk
 * and guest RAM in place: the guest names its memory by guest physical
 * address, which is an offset into the RAM this process gave the VM, once
 * checked against its size.
 *
 * A completion goes to the guest only after the host's I/O ended: a write
 * is then in the host's page cache, so it survives this process being
 * killed; FLUSH and FUA add fdatasync(), so it survives the host too.
 *
 * DISCARD and WRITE_ZEROES are fallocate() through io_uring, which runs
 * them on its own workers, for block devices too (Linux 6.1 has no
 * asynchronous BLKDISCARD): there the kernel punches a hole as a zero-out
 * that unmaps, which a device that cannot do fails (the discard is then a
 * no-op, as a hint may be), and zeroes a range as BLKZEROOUT does.  The
 * thread that serves every device of the VM never waits for them.  Each is
 * at most BLK_MAX_ZERO_SECTORS, as the configuration says.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <liburing.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "uapi/hvx_blk.h"
#include "vmbus.h"

#define BLK_DEPTH		64	/* reads and writes in flight in the host */
#define BLK_MAX_SECTORS		2048	/* 1 MiB per READ or WRITE */
#define BLK_MAX_SEG_LEN		(1U << 20)
/* 64 MiB per DISCARD or WRITE_ZEROES: what one costs the host is bounded. */
#define BLK_MAX_ZERO_SECTORS	(1U << 17)
#define BLK_MAX_REQUEST		(sizeof(struct hvx_blk_request) + \
				 HVX_BLK_MAX_SEGS * sizeof(struct hvx_blk_seg))

struct blk_io {
	bool busy;
	uint64_t trans_id;
	int32_t status;
	unsigned int pending;		/* io_uring operations still running */
	uint64_t expect;		/* bytes the read or write must move */
	bool discard;			/* a hint: the host may not do it */
	uint64_t zero_off, zero_len;	/* WRITE_ZEROES, for its fallback */
	struct iovec iov[HVX_BLK_MAX_SEGS];
};

/* A packet for the guest that waits for room in its ring. */
struct blk_reply {
	uint16_t type;
	uint64_t trans_id;
	uint32_t len;
	union {
		struct hvx_blk_response resp;
		struct hvx_blk_config config;
		struct hvx_blk_event event;
	} u;
};

/*
 * Every request ends in one reply: answered at once (GET_CONFIG, a refusal)
 * or, once its I/O ends, by blk_reap().  A request is taken only while the
 * queue has room for its reply on top of those every I/O in flight will
 * add (blk_reply_room()), so a guest that stops reading cannot overrun it.
 */
#define BLK_REPLIES	(BLK_DEPTH + 8)

struct blk_disk {
	char *path;
	int fd;
	bool ro;
	char serial[HVX_BLK_SERIAL_LEN];
	uint64_t capacity;		/* sectors */
	bool resized;			/* tell the guest */
	bool no_zero_range;		/* the file system cannot zero a range */
	struct io_uring ring;
	int efd;			/* io_uring completions, and ticks */
	struct blk_io ios[BLK_DEPTH];
	unsigned int inflight;
	struct blk_reply replies[BLK_REPLIES];
	unsigned int nreplies;
	_Alignas(struct hvx_blk_request) uint8_t req[BLK_MAX_REQUEST];
};

static int blk_size(struct blk_disk *d, uint64_t *sectors)
{
	struct stat st;
	uint64_t bytes;

	if (fstat(d->fd, &st))
		return -errno;
	if (S_ISBLK(st.st_mode)) {
		if (ioctl(d->fd, BLKGETSIZE64, &bytes))
			return -errno;
	} else if (S_ISREG(st.st_mode)) {
		bytes = st.st_size;
	} else {
		return -ENOTBLK;
	}
	*sectors = bytes >> HVX_BLK_SECTOR_SHIFT;
	return 0;
}
/*
 * The disk's ring, allowed only what the disk does.  io_uring operations
 * do not pass through seccomp (confine.c): an unrestricted ring would let
 * a compromised backend open, unlink or connect anything the user may,
 * with IORING_OP_OPENAT and its kin.  Restrictions are set while the ring
 * is disabled; once enabled, it takes these operations and the link flag
 * (a flush after a write) and no more registrations.
 */
int blk_ring_init(struct io_uring *ring, int efd)
{
	static const __u8 ops[] = {
		IORING_OP_READV, IORING_OP_WRITEV, IORING_OP_FSYNC, IORING_OP_FALLOCATE,
	};
	enum { NR_OPS = sizeof(ops) / sizeof(ops[0]) };
	struct io_uring_params params = { .flags = IORING_SETUP_R_DISABLED };
	struct io_uring_restriction res[NR_OPS + 1];
	unsigned int i;
	int ret;

	memset(res, 0, sizeof(res));
	for (i = 0; i < NR_OPS; i++) {
		res[i].opcode = IORING_RESTRICTION_SQE_OP;
		res[i].sqe_op = ops[i];
	}
	res[i].opcode = IORING_RESTRICTION_SQE_FLAGS_ALLOWED;
	res[i].sqe_flags = IOSQE_IO_LINK;
	ret = io_uring_queue_init_params(2 * BLK_DEPTH, ring, &params);
	if (ret)
		return ret;
	ret = io_uring_register_eventfd(ring, efd);
	/*
	 * Debian's liburing 2.3 declares io_uring_register_restrictions()
	 * and io_uring_enable_rings() but its shared library does not export
	 * them: the system call it is.
	 */
	if (!ret && syscall(__NR_io_uring_register, ring->ring_fd,
			    IORING_REGISTER_RESTRICTIONS, res, NR_OPS + 1) < 0)
		ret = -errno;
	if (!ret && syscall(__NR_io_uring_register, ring->ring_fd,
			    IORING_REGISTER_ENABLE_RINGS, NULL, 0) < 0)
		ret = -errno;
	if (ret)
		io_uring_queue_exit(ring);
	return ret;
}


static int blk_init(struct vmbus_channel *ch, const char *options, char *err, size_t errlen)
{
	struct blk_disk *d;
	char *opt, *save = NULL;
	int ret;

	if (!options || !*options) {
		snprintf(err, errlen, "want PATH[,ro][,serial=S]");
		return -EINVAL;
	}
	d = calloc(1, sizeof(*d));
	if (!d || !(d->path = strdup(options))) {
		free(d);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	d->fd = -1;
	d->efd = -1;
	snprintf(d->serial, sizeof(d->serial), "hvx-disk-%u", ch->index);
	strtok_r(d->path, ",", &save);
	while ((opt = strtok_r(NULL, ",", &save))) {
		if (!strcmp(opt, "ro")) {
			d->ro = true;
		} else if (!strncmp(opt, "serial=", 7) && strlen(opt + 7) <= HVX_BLK_SERIAL_LEN) {
			memset(d->serial, 0, sizeof(d->serial));
			memcpy(d->serial, opt + 7, strlen(opt + 7));
		} else {
			snprintf(err, errlen, "unknown option '%s' (ro, serial= of up to 20 characters)",
				 opt);
			ret = -EINVAL;
			goto err_free;
		}
	}
	ch->priv = d;
	d->fd = open(d->path, (d->ro ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (d->fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s", strerror(errno));
		goto err_free;
	}
	ret = blk_size(d, &d->capacity);
	if (ret) {
		snprintf(err, errlen, "%s", ret == -ENOTBLK ? "not a regular file or block device" :
			 strerror(-ret));
		goto err_close;
	}
	d->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (d->efd < 0) {
		ret = -errno;
		goto err_close;
	}
	ret = blk_ring_init(&d->ring, d->efd);
	if (ret) {
		snprintf(err, errlen, "io_uring: %s", strerror(-ret));
		goto err_efd;
	}
	return 0;

err_efd:
	close(d->efd);
err_close:
	close(d->fd);
err_free:
	ch->priv = NULL;
	free(d->path);
	free(d);
	return ret;
}

static void blk_destroy(struct vmbus_channel *ch)
{
	struct blk_disk *d = ch->priv;

	if (!d)
		return;
	io_uring_queue_exit(&d->ring);
	close(d->efd);
	close(d->fd);
	free(d->path);
	free(d);
	ch->priv = NULL;
}

/* Replies that may still be queued: the ones in flight have theirs set aside. */
static unsigned int blk_reply_room(const struct blk_disk *d)
{
	return BLK_REPLIES - d->nreplies - d->inflight;
}

static void blk_reply(struct blk_disk *d, uint16_t type, uint64_t trans_id, const void *payload,
		      uint32_t len)
{
	struct blk_reply *r;

	/* blk_reply_room() before each request makes this unreachable. */
	if (d->nreplies >= BLK_REPLIES) {
		fprintf(stderr, "hvx run: blk: reply queue full, reply to %llu lost\n",
			(unsigned long long)trans_id);
		return;
	}
	r = &d->replies[d->nreplies++];

	r->type = type;
	r->trans_id = trans_id;
	r->len = len;
	memcpy(&r->u, payload, len);
}

static void blk_status(struct blk_disk *d, uint64_t trans_id, int32_t status)
{
	struct hvx_blk_response resp = { .status = status };

	blk_reply(d, HVX_PACKET_COMPLETION, trans_id, &resp, sizeof(resp));
}

/* Sends what waits, oldest first, while the guest's ring has room. */
static int blk_flush_replies(struct vmbus_channel *ch, struct blk_disk *d)
{
	unsigned int i;
	bool signal;
	int err = 0;

	for (i = 0; i < d->nreplies; i++) {
		struct blk_reply *r = &d->replies[i];

		err = hvx_ring_write_one(&ch->to_guest, r->type, r->trans_id, &r->u, r->len,
					 &signal);
		if (err)
			break;
		ch->signal_guest |= signal;
	}
	memmove(d->replies, d->replies + i, (d->nreplies - i) * sizeof(d->replies[0]));
	d->nreplies -= i;
	/* No room: the guest signals when it has read (pending-send size). */
	return err == -EAGAIN ? 0 : err;
}

static void blk_config(struct blk_disk *d, struct hvx_blk_config *c)
{
	memset(c, 0, sizeof(*c));
	c->flags = HVX_BLK_F_DISCARD | HVX_BLK_F_WRITE_ZEROES | (d->ro ? HVX_BLK_F_RO : 0);
	c->capacity = d->capacity;
	c->logical_block_size = 512;
	c->physical_block_size = 4096;
	c->max_sectors = BLK_MAX_SECTORS;
	c->max_discard_sectors = BLK_MAX_ZERO_SECTORS;
	c->max_write_zeroes_sectors = BLK_MAX_ZERO_SECTORS;
	memcpy(c->serial, d->serial, sizeof(c->serial));
}

/*
 * Checks a request of @len bytes against the protocol, the disk and guest
 * RAM: 0 or the status to answer with.
 */
static int blk_check(struct vmbus_channel *ch, struct blk_disk *d,
		     const struct hvx_blk_request *r, uint32_t len)
{
	uint64_t bytes = 0;
	unsigned int i;
	bool rw = r->op == HVX_BLK_OP_READ || r->op == HVX_BLK_OP_WRITE;

	if (len < sizeof(*r) || r->reserved || (r->flags & ~HVX_BLK_REQ_FLAGS) ||
	    r->nsegs > HVX_BLK_MAX_SEGS || len != sizeof(*r) + r->nsegs * sizeof(r->segs[0]) ||
	    rw != (r->nsegs > 0) || (r->flags && r->op != HVX_BLK_OP_WRITE))
		return -EINVAL;
	for (i = 0; i < r->nsegs; i++) {
		const struct hvx_blk_seg *s = &r->segs[i];

		if (s->reserved || !s->len || s->len > BLK_MAX_SEG_LEN || (s->len | s->gpa) & 511 ||
		    s->gpa > ch->bus->ram_size || s->len > ch->bus->ram_size - s->gpa)
			return -EINVAL;
		bytes += s->len;
	}
	switch (r->op) {
	case HVX_BLK_OP_GET_CONFIG:
	case HVX_BLK_OP_FLUSH:
		return r->sector || r->nr_sectors ? -EINVAL : 0;
	case HVX_BLK_OP_READ:
	case HVX_BLK_OP_WRITE:
		if (bytes >> HVX_BLK_SECTOR_SHIFT != r->nr_sectors || r->nr_sectors > BLK_MAX_SECTORS)
			return -EINVAL;
		break;
	case HVX_BLK_OP_DISCARD:
	case HVX_BLK_OP_WRITE_ZEROES:
		if (!r->nr_sectors || r->nr_sectors > BLK_MAX_ZERO_SECTORS)
			return -EINVAL;
		break;
	default:
		return -EOPNOTSUPP;
	}
	if (r->sector > d->capacity || r->nr_sectors > d->capacity - r->sector)
		return -EINVAL;
	return d->ro && r->op != HVX_BLK_OP_READ ? -EROFS : 0;
}

static struct blk_io *blk_io_get(struct blk_disk *d, uint64_t trans_id)
{
	unsigned int i;

	for (i = 0; i < BLK_DEPTH; i++) {
		if (!d->ios[i].busy) {
			struct blk_io *io = &d->ios[i];

			io->busy = true;
			io->trans_id = trans_id;
			io->status = 0;
			io->pending = 0;
			io->expect = 0;
			io->discard = false;
			io->zero_len = 0;
			d->inflight++;
			return io;
		}
	}
	return NULL;	/* cannot happen: callers check inflight */
}

/*
 * Room for @n more submissions.  The queue holds two per I/O slot, which
 * is all the slots can ask for between two submits: this is a safety net.
 */
static bool blk_sq_room(struct blk_disk *d, unsigned int n)
{
	if (io_uring_sq_space_left(&d->ring) < n)
		io_uring_submit(&d->ring);
	return io_uring_sq_space_left(&d->ring) >= n;
}

/* Starts the request in d->req; answers at once what needs no I/O. */
static void blk_start(struct vmbus_channel *ch, struct blk_disk *d, uint64_t trans_id, uint32_t len)
{
	const struct hvx_blk_request *r = (const void *)d->req;
	uint64_t off = r->sector << HVX_BLK_SECTOR_SHIFT;
	uint64_t bytes = r->nr_sectors << HVX_BLK_SECTOR_SHIFT;
	struct hvx_blk_config config;
	struct io_uring_sqe *sqe;
	struct blk_io *io;
	unsigned int i;
	int status = blk_check(ch, d, r, len);

	if (status) {
		blk_status(d, trans_id, status);
		return;
	}
	if (r->op == HVX_BLK_OP_GET_CONFIG) {
		blk_config(d, &config);
		blk_reply(d, HVX_PACKET_COMPLETION, trans_id, &config, sizeof(config));
		return;
	}
	if (!blk_sq_room(d, r->flags & HVX_BLK_REQ_FUA ? 2 : 1)) {
		blk_status(d, trans_id, -EIO);
		return;
	}

	io = blk_io_get(d, trans_id);
	sqe = io_uring_get_sqe(&d->ring);
	switch (r->op) {
	case HVX_BLK_OP_READ:
	case HVX_BLK_OP_WRITE:
		for (i = 0; i < r->nsegs; i++) {
			io->iov[i].iov_base = ch->bus->ram + r->segs[i].gpa;
			io->iov[i].iov_len = r->segs[i].len;
		}
		io->expect = bytes;
		if (r->op == HVX_BLK_OP_READ)
			io_uring_prep_readv(sqe, d->fd, io->iov, r->nsegs, off);
		else
			io_uring_prep_writev(sqe, d->fd, io->iov, r->nsegs, off);
		break;
	case HVX_BLK_OP_FLUSH:
		io_uring_prep_fsync(sqe, d->fd, IORING_FSYNC_DATASYNC);
		break;
	case HVX_BLK_OP_DISCARD:
		io_uring_prep_fallocate(sqe, d->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
					off, bytes);
		io->discard = true;
		break;
	case HVX_BLK_OP_WRITE_ZEROES:
		/* A hole reads as zeroes too, where zeroing is not there (tmpfs). */
		io_uring_prep_fallocate(sqe, d->fd, FALLOC_FL_KEEP_SIZE |
					(d->no_zero_range ? FALLOC_FL_PUNCH_HOLE :
					 FALLOC_FL_ZERO_RANGE), off, bytes);
		io->zero_off = off;
		io->zero_len = d->no_zero_range ? 0 : bytes;
		break;
	}
	io_uring_sqe_set_data(sqe, io);
	io->pending = 1;
	if (r->flags & HVX_BLK_REQ_FUA) {
		/* The flush runs only once the write succeeded. */
		sqe->flags |= IOSQE_IO_LINK;
		sqe = io_uring_get_sqe(&d->ring);
		io_uring_prep_fsync(sqe, d->fd, IORING_FSYNC_DATASYNC);
		io_uring_sqe_set_data(sqe, io);
		io->pending = 2;
	}
}

/* What the guest may see of a host error. */
static int32_t blk_errno(int res)
{
	return res == -ENOSPC || res == -EOPNOTSUPP ? res : -EIO;
}

/* Collects finished I/O into replies. */
static void blk_reap(struct blk_disk *d)
{
	struct io_uring_cqe *cqe;
	uint64_t ticks;

	if (read(d->efd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
		perror("hvx run: blk: eventfd");
	while (io_uring_peek_cqe(&d->ring, &cqe) == 0) {
		struct blk_io *io = io_uring_cqe_get_data(cqe);
		struct io_uring_sqe *sqe;
		int res;

		if (cqe->res == -EOPNOTSUPP && io->zero_len && blk_sq_room(d, 1)) {
			/* No FALLOC_FL_ZERO_RANGE here: punch a hole instead. */
			d->no_zero_range = true;
			sqe = io_uring_get_sqe(&d->ring);
			io_uring_prep_fallocate(sqe, d->fd, FALLOC_FL_PUNCH_HOLE |
						FALLOC_FL_KEEP_SIZE, io->zero_off, io->zero_len);
			io_uring_sqe_set_data(sqe, io);
			io->zero_len = 0;
			io_uring_cqe_seen(&d->ring, cqe);
			continue;
		}

		/*
		 * The first error wins: a linked flush then says -ECANCELED.
		 * A discard the host cannot do (a block device that cannot
		 * unmap) leaves data that may read back as anything: done.
		 */
		res = io->discard && cqe->res == -EOPNOTSUPP ? 0 : cqe->res;
		if (!io->status && res < 0)
			io->status = blk_errno(res);
		else if (!io->status && io->expect && (uint64_t)res != io->expect)
			io->status = -EIO;	/* short: the file shrank under us */
		io->expect = 0;
		io_uring_cqe_seen(&d->ring, cqe);
		if (--io->pending)
			continue;
		blk_status(d, io->trans_id, io->status);
		io->busy = false;
		d->inflight--;
	}
}

static int blk_serve(struct vmbus_channel *ch)
{
	struct blk_disk *d = ch->priv;
	struct hvx_blk_event event = { .type = HVX_BLK_EVENT_CONFIG_CHANGED };
	struct hvx_packet_desc desc;
	bool signal;
	int err;

	blk_reap(d);
	if (d->resized && blk_reply_room(d)) {
		d->resized = false;
		blk_reply(d, HVX_PACKET_DATA, 0, &event, sizeof(event));
	}
	err = blk_flush_replies(ch, d);
	if (err)
		return err;

	hvx_ring_mask_signals(&ch->from_guest);
	/* A request needs an I/O slot and, for its answer, a reply slot. */
	while (d->inflight < BLK_DEPTH && blk_reply_room(d)) {
		err = hvx_ring_peek(&ch->from_guest, &desc);
		if (err == -EAGAIN) {
			if (hvx_ring_unmask_signals(&ch->from_guest))
				continue;
			err = 0;
			break;
		}
		if (err)
			return err;
		if (desc.type == HVX_PACKET_REQUEST) {
			if (desc.len > sizeof(d->req)) {
				blk_status(d, desc.trans_id, -EINVAL);
			} else {
				hvx_ring_copy_payload(&ch->from_guest, &desc, 0, d->req, desc.len);
				blk_start(ch, d, desc.trans_id, desc.len);
			}
		}
		hvx_ring_consume(&ch->from_guest, &desc, &signal);
		ch->signal_guest |= signal;
	}
	/* Stopped for want of slots: finished I/O brings us back here. */
	hvx_ring_release(&ch->from_guest, &signal);
	ch->signal_guest |= signal;
	if (io_uring_submit(&d->ring) < 0)
		return -EIO;
	return blk_flush_replies(ch, d);
}

/* The guest closed the disk: what it asked for must end before the rings go. */
static void blk_close(struct vmbus_channel *ch)
{
	struct blk_disk *d = ch->priv;
	struct io_uring_cqe *cqe;

	while (d->inflight) {
		/* A fallback blk_reap() queued must go out too. */
		io_uring_submit(&d->ring);
		if (io_uring_wait_cqe(&d->ring, &cqe))
			break;
		blk_reap(d);
	}
	d->nreplies = 0;
}

static int blk_poll_fd(struct vmbus_channel *ch)
{
	struct blk_disk *d = ch->priv;

	return d->efd;
}

/* A resized backing file or device reaches the guest within a second. */
static void blk_tick(struct vmbus_channel *ch)
{
	struct blk_disk *d = ch->priv;
	uint64_t sectors;

	if (blk_size(d, &sectors) || sectors == d->capacity)
		return;
	d->capacity = sectors;
	d->resized = true;
	if (eventfd_write(d->efd, 1))
		perror("hvx run: blk: eventfd");
}

const struct vmbus_class vmbus_blk_class = {
	.name		= "blk",
	.class_id	= HVX_CLASS_BLK,
	.takes_options	= true,
	.init		= blk_init,
	.destroy	= blk_destroy,
	.close		= blk_close,
	.serve		= blk_serve,
	.poll_fd	= blk_poll_fd,
	.tick		= blk_tick,
};
