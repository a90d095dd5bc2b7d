// SPDX-License-Identifier: GPL-2.0
/*
 * The storage backend (user/blk.c) against a file in /tmp, through real
 * rings and io_uring, with this test as the guest: configuration, data in
 * place in "guest RAM", flush and FUA, discard and write-zeroes, resize,
 * and every kind of request the backend must refuse.
 */
#include <fcntl.h>
#include <liburing.h>
#include <linux/loop.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "uapi/hvx_blk.h"
#include "vmbus.h"
#include "fake_guest.h"

#define RING_SIZE	(64 * 1024)
#define RAM_SIZE	(4 << 20)
#define DISK_SIZE	(8 << 20)

struct req_buf {
	struct hvx_blk_request r;
	struct hvx_blk_seg segs[HVX_BLK_MAX_SEGS + 1];
};

FIXTURE(blk)
{
	struct vmbus bus;
	struct vmbus_channel *ch;
	struct fake_guest guest;
	char path[64];
	const char *disk;	/* what the backend opens: path, or a loop device on it */
};

static int add_disk(FIXTURE_DATA(blk) *self, const char *options)
{
	char spec[128], err[128];

	snprintf(spec, sizeof(spec), "blk,%s%s", self->disk, options);
	self->bus.ndevices = 0;
	if (vmbus_add(&self->bus, spec, err, sizeof(err)))
		return -1;
	self->ch = &self->bus.devices[0];
	fake_guest_attach(&self->guest, self->ch, RING_SIZE, RING_SIZE);
	self->ch->open = true;
	return 0;
}

FIXTURE_SETUP(blk)
{
	int fd;

	memset(&self->bus, 0, sizeof(self->bus));
	self->bus.ram = aligned_alloc(4096, RAM_SIZE);
	self->bus.ram_size = RAM_SIZE;
	fake_guest_alloc(&self->guest, RING_SIZE, RING_SIZE);
	ASSERT_NE(NULL, self->bus.ram);
	strcpy(self->path, "/tmp/hvx-blk-test-XXXXXX");
	self->disk = self->path;
	fd = mkstemp(self->path);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, DISK_SIZE));
	close(fd);
	ASSERT_EQ(0, add_disk(self, ""));
}

FIXTURE_TEARDOWN(blk)
{
	vmbus_destroy(&self->bus);
	unlink(self->path);
	free(self->bus.ram);
	fake_guest_free(&self->guest);
}

/* The backend's turn: serves until the guest has an answer (5 s at most). */
static void host_run(FIXTURE_DATA(blk) *self)
{
	struct vmbus_channel *ch = self->ch;
	struct pollfd pfd = { .fd = ch->cls->poll_fd(ch), .events = POLLIN };
	struct hvx_packet_desc desc;
	int i;

	for (i = 0; i < 500; i++) {
		ch->cls->serve(ch);
		if (hvx_ring_peek(&self->guest.in, &desc) == 0)
			return;
		poll(&pfd, 1, 10);
	}
}

static int send_req(FIXTURE_DATA(blk) *self, uint64_t id, struct req_buf *b)
{
	return fake_guest_send(&self->guest, HVX_PACKET_REQUEST, id, b,
			       sizeof(b->r) + b->r.nsegs * sizeof(b->segs[0]));
}

/* The status of the completion of @id (the next packet), or 1000 if none. */
static int32_t status_of(FIXTURE_DATA(blk) *self, uint64_t id)
{
	struct hvx_blk_config c;
	struct hvx_packet_desc desc;
	int64_t len = fake_guest_read(&self->guest, &desc, &c, sizeof(c));

	if (len < (int64_t)sizeof(int32_t) || desc.type != HVX_PACKET_COMPLETION ||
	    desc.trans_id != id)
		return 1000;
	return c.status;
}

static int32_t one(FIXTURE_DATA(blk) *self, uint16_t op, uint64_t sector, uint64_t n,
		   uint64_t gpa, uint16_t flags)
{
	struct req_buf b = { .r = { .op = op, .flags = flags, .sector = sector,
				    .nr_sectors = n } };

	if (op == HVX_BLK_OP_READ || op == HVX_BLK_OP_WRITE) {
		b.r.nsegs = 1;
		b.segs[0].gpa = gpa;
		b.segs[0].len = n * 512;
	}
	if (send_req(self, 7, &b))
		return 2000;
	host_run(self);
	return status_of(self, 7);
}

TEST_F(blk, config)
{
	struct req_buf b = { .r = { .op = HVX_BLK_OP_GET_CONFIG } };
	struct hvx_packet_desc desc;
	struct hvx_blk_config c;

	ASSERT_EQ(0, send_req(self, 1, &b));
	host_run(self);
	ASSERT_EQ(sizeof(c), fake_guest_read(&self->guest, &desc, &c, sizeof(c)));
	EXPECT_EQ(HVX_PACKET_COMPLETION, desc.type);
	EXPECT_EQ(1, desc.trans_id);
	EXPECT_EQ(0, c.status);
	EXPECT_EQ(DISK_SIZE / 512, c.capacity);
	EXPECT_EQ(512, c.logical_block_size);
	EXPECT_EQ(0, c.flags & HVX_BLK_F_RO);
	EXPECT_EQ(0, strcmp(c.serial, "hvx-disk-0"));
	/* DISCARD and WRITE_ZEROES have a limit, whole 4 KiB blocks. */
	EXPECT_LT(0, c.max_discard_sectors);
	EXPECT_EQ(0, c.max_discard_sectors % 8);
	EXPECT_EQ(c.max_discard_sectors, c.max_write_zeroes_sectors);
}

TEST_F(blk, write_and_read_in_place)
{
	uint8_t *ram = self->bus.ram;
	struct req_buf b = { .r = { .op = HVX_BLK_OP_WRITE, .nsegs = 2, .sector = 100,
				    .nr_sectors = 24 } };
	uint8_t file[24 * 512];
	int fd, i;

	for (i = 0; i < 8192; i++)
		ram[0x10000 + i] = i * 7;
	for (i = 0; i < 4096; i++)
		ram[0x30000 + i] = i * 13;
	/* Two pieces of guest memory, in disk order. */
	b.segs[0] = (struct hvx_blk_seg){ .gpa = 0x10000, .len = 8192 };
	b.segs[1] = (struct hvx_blk_seg){ .gpa = 0x30000, .len = 4096 };
	ASSERT_EQ(0, send_req(self, 3, &b));
	host_run(self);
	ASSERT_EQ(0, status_of(self, 3));
	fd = open(self->path, O_RDONLY);
	ASSERT_EQ(sizeof(file), pread(fd, file, sizeof(file), 100 * 512));
	close(fd);
	EXPECT_EQ(0, memcmp(file, ram + 0x10000, 8192));
	EXPECT_EQ(0, memcmp(file + 8192, ram + 0x30000, 4096));

	/* Read it back elsewhere in guest memory, with FUA-less flush after. */
	EXPECT_EQ(0, one(self, HVX_BLK_OP_READ, 100, 24, 0x50000, 0));
	EXPECT_EQ(0, memcmp(ram + 0x50000, file, sizeof(file)));
	EXPECT_EQ(0, one(self, HVX_BLK_OP_FLUSH, 0, 0, 0, 0));
	EXPECT_EQ(0, one(self, HVX_BLK_OP_WRITE, 0, 8, 0x50000, HVX_BLK_REQ_FUA));
}

TEST_F(blk, refuses_what_it_must)
{
	struct req_buf b = { .r = { .op = HVX_BLK_OP_READ, .nsegs = 1, .nr_sectors = 8 } };

	/* Outside guest RAM, across its end, or wrapping round. */
	EXPECT_EQ(-EINVAL, one(self, HVX_BLK_OP_READ, 0, 8, RAM_SIZE, 0));
	EXPECT_EQ(-EINVAL, one(self, HVX_BLK_OP_READ, 0, 8, RAM_SIZE - 2048, 0));
	EXPECT_EQ(-EINVAL, one(self, HVX_BLK_OP_WRITE, 0, 8, -4096ULL, 0));
	/* Outside the disk, or wrapping round. */
	EXPECT_EQ(-EINVAL, one(self, HVX_BLK_OP_READ, DISK_SIZE / 512 - 4, 8, 0, 0));
	EXPECT_EQ(-EINVAL, one(self, HVX_BLK_OP_DISCARD, 8, -1ULL, 0, 0));
	EXPECT_EQ(-EINVAL, one(self, HVX_BLK_OP_WRITE_ZEROES, 0, 0, 0, 0));
	/* Unknown operation, flags on the wrong one, unaligned memory. */
	EXPECT_EQ(-EOPNOTSUPP, one(self, 99, 0, 0, 0, 0));
	EXPECT_EQ(-EINVAL, one(self, HVX_BLK_OP_READ, 0, 8, 0, HVX_BLK_REQ_FUA));
	EXPECT_EQ(-EINVAL, one(self, HVX_BLK_OP_READ, 0, 8, 100, 0));

	/* Segments that do not add up, too many, reserved bits. */
	b.segs[0] = (struct hvx_blk_seg){ .gpa = 0, .len = 2048 };
	ASSERT_EQ(0, send_req(self, 9, &b));
	host_run(self);
	EXPECT_EQ(-EINVAL, status_of(self, 9));
	b.r.nsegs = HVX_BLK_MAX_SEGS + 1;
	ASSERT_EQ(0, send_req(self, 10, &b));
	host_run(self);
	EXPECT_EQ(-EINVAL, status_of(self, 10));
	b.r.nsegs = 1;
	b.segs[0] = (struct hvx_blk_seg){ .gpa = 0, .len = 4096, .reserved = 1 };
	ASSERT_EQ(0, send_req(self, 11, &b));
	host_run(self);
	EXPECT_EQ(-EINVAL, status_of(self, 11));
	/* The disk still works. */
	EXPECT_EQ(0, one(self, HVX_BLK_OP_READ, 0, 8, 0, 0));
}

TEST_F(blk, read_only_disk)
{
	vmbus_destroy(&self->bus);
	ASSERT_EQ(0, add_disk(self, ",ro,serial=S1"));
	EXPECT_EQ(-EROFS, one(self, HVX_BLK_OP_WRITE, 0, 8, 0, 0));
	EXPECT_EQ(-EROFS, one(self, HVX_BLK_OP_DISCARD, 0, 8, 0, 0));
	EXPECT_EQ(-EROFS, one(self, HVX_BLK_OP_WRITE_ZEROES, 0, 8, 0, 0));
	EXPECT_EQ(0, one(self, HVX_BLK_OP_READ, 0, 8, 0, 0));
	EXPECT_EQ(0, one(self, HVX_BLK_OP_FLUSH, 0, 0, 0, 0));
}

TEST_F(blk, discard_punches_and_zeroes_read_zero)
{
	uint8_t *ram = self->bus.ram;
	struct stat before, after;
	int i;

	memset(ram, 0xab, 1 << 20);
	EXPECT_EQ(0, one(self, HVX_BLK_OP_WRITE, 0, 2048, 0, 0));
	EXPECT_EQ(0, one(self, HVX_BLK_OP_FLUSH, 0, 0, 0, 0));
	ASSERT_EQ(0, stat(self->path, &before));
	EXPECT_EQ(0, one(self, HVX_BLK_OP_DISCARD, 0, 1024, 0, 0));
	ASSERT_EQ(0, stat(self->path, &after));
	TH_LOG("allocated blocks %lld -> %lld", (long long)before.st_blocks,
	       (long long)after.st_blocks);
	EXPECT_LE(after.st_blocks + 512 * 1024 / 512 / 2, before.st_blocks);

	EXPECT_EQ(0, one(self, HVX_BLK_OP_WRITE_ZEROES, 1024, 8, 0, 0));
	EXPECT_EQ(0, one(self, HVX_BLK_OP_READ, 1024, 16, 0x100000, 0));
	for (i = 0; i < 4096; i++)
		if (ram[0x100000 + i])
			break;
	EXPECT_EQ(4096, i);
	EXPECT_EQ(0xab, ram[0x100000 + 4096]);
}

/* tmpfs punches holes but cannot zero a range: write-zeroes falls back. */
TEST_F(blk, write_zeroes_on_tmpfs)
{
	uint8_t *ram = self->bus.ram;
	int fd, i;

	vmbus_destroy(&self->bus);
	unlink(self->path);
	strcpy(self->path, "/dev/shm/hvx-blk-test-XXXXXX");
	fd = mkstemp(self->path);
	if (fd < 0)
		SKIP(return, "no /dev/shm");
	ASSERT_EQ(0, ftruncate(fd, DISK_SIZE));
	close(fd);
	ASSERT_EQ(0, add_disk(self, ""));
	memset(ram, 0xcd, 8192);
	EXPECT_EQ(0, one(self, HVX_BLK_OP_WRITE, 0, 16, 0, 0));
	EXPECT_EQ(0, one(self, HVX_BLK_OP_WRITE_ZEROES, 0, 8, 0, 0));
	EXPECT_EQ(0, one(self, HVX_BLK_OP_WRITE_ZEROES, 0, 8, 0, 0));
	EXPECT_EQ(0, one(self, HVX_BLK_OP_READ, 0, 16, 0x10000, 0));
	for (i = 0; i < 4096; i++)
		if (ram[0x10000 + i])
			break;
	EXPECT_EQ(4096, i);
	EXPECT_EQ(0xcd, ram[0x10000 + 4096]);
}

TEST_F(blk, resize_reaches_the_guest)
{
	struct hvx_packet_desc desc;
	struct hvx_blk_event ev;

	ASSERT_EQ(0, truncate(self->path, 2 * DISK_SIZE));
	self->ch->cls->tick(self->ch);
	host_run(self);
	ASSERT_EQ(sizeof(ev), fake_guest_read(&self->guest, &desc, &ev, sizeof(ev)));
	EXPECT_EQ(HVX_PACKET_DATA, desc.type);
	EXPECT_EQ(HVX_BLK_EVENT_CONFIG_CHANGED, ev.type);
	/* The new end of the disk is reachable. */
	EXPECT_EQ(0, one(self, HVX_BLK_OP_READ, 2 * DISK_SIZE / 512 - 8, 8, 0, 0));
}

/*
 * One DISCARD or WRITE_ZEROES costs the host a bounded amount of work: the
 * configuration says how many sectors it may name and larger ones are
 * refused (finding 16: any size was done, up to the whole disk).
 */
TEST_F(blk, discard_and_zeroes_refused_over_the_limit)
{
	struct req_buf b = { .r = { .op = HVX_BLK_OP_GET_CONFIG } };
	struct hvx_packet_desc desc;
	struct hvx_blk_config c;
	uint64_t max;

	ASSERT_EQ(0, send_req(self, 1, &b));
	host_run(self);
	ASSERT_EQ(sizeof(c), fake_guest_read(&self->guest, &desc, &c, sizeof(c)));
	max = c.max_discard_sectors ? c.max_discard_sectors : 1ULL << 20;
	/* A sparse disk of twice that. */
	vmbus_destroy(&self->bus);
	ASSERT_EQ(0, truncate(self->path, 2 * 512 * max));
	ASSERT_EQ(0, add_disk(self, ""));
	EXPECT_EQ(-EINVAL, one(self, HVX_BLK_OP_DISCARD, 0, max + 8, 0, 0));
	EXPECT_EQ(-EINVAL, one(self, HVX_BLK_OP_WRITE_ZEROES, 8, max + 1, 0, 0));
	EXPECT_EQ(-EINVAL, one(self, HVX_BLK_OP_WRITE_ZEROES, 0, 2 * max, 0, 0));
	EXPECT_EQ(0, one(self, HVX_BLK_OP_DISCARD, max, max, 0, 0));
	EXPECT_EQ(0, one(self, HVX_BLK_OP_WRITE_ZEROES, 0, 8, 0, 0));
}

/*
 * A loop device on @path, its own path in @dev: an fd of it, to close once the
 * backend has opened it (the device goes with the last close), or -errno.
 */
static int loop_attach(const char *path, char *dev, size_t len)
{
	struct loop_config cfg = { .info.lo_flags = LO_FLAGS_AUTOCLEAR };
	int ctl, nr, fd, file, err = 0;

	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0)
		return -errno;
	nr = ioctl(ctl, LOOP_CTL_GET_FREE);
	close(ctl);
	if (nr < 0)
		return -errno;
	snprintf(dev, len, "/dev/loop%d", nr);
	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	file = open(path, O_RDWR | O_CLOEXEC);
	cfg.fd = file;
	if (file < 0 || ioctl(fd, LOOP_CONFIGURE, &cfg))
		err = -errno;
	if (file >= 0)
		close(file);
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

/*
 * On a block device, WRITE_ZEROES and DISCARD run on io_uring's workers:
 * the turn that starts one answers nothing, the VM's other devices go on
 * meanwhile (finding 16: BLKZEROOUT and BLKDISCARD held the thread).
 */
TEST_F(blk, block_device_zeroing_runs_in_the_background)
{
	struct req_buf b = { .r = { .op = HVX_BLK_OP_WRITE_ZEROES, .nr_sectors = 64 } };
	uint8_t *ram = self->bus.ram;
	struct hvx_packet_desc desc;
	char dev[32];
	int lfd, i;

	lfd = loop_attach(self->path, dev, sizeof(dev));
	if (lfd < 0)
		SKIP(return, "no loop device: %s", strerror(-lfd));
	vmbus_destroy(&self->bus);
	self->disk = dev;
	ASSERT_EQ(0, add_disk(self, ""));
	close(lfd);
	memset(ram, 0xab, 65536);
	ASSERT_EQ(0, one(self, HVX_BLK_OP_WRITE, 0, 128, 0, 0));

	ASSERT_EQ(0, send_req(self, 5, &b));
	self->ch->cls->serve(self->ch);
	EXPECT_EQ(-EAGAIN, hvx_ring_peek(&self->guest.in, &desc)) TH_LOG("answered in the turn");
	host_run(self);
	EXPECT_EQ(0, status_of(self, 5));
	b.r.op = HVX_BLK_OP_DISCARD;
	b.r.sector = 64;
	ASSERT_EQ(0, send_req(self, 6, &b));
	self->ch->cls->serve(self->ch);
	EXPECT_EQ(-EAGAIN, hvx_ring_peek(&self->guest.in, &desc)) TH_LOG("answered in the turn");
	host_run(self);
	EXPECT_EQ(0, status_of(self, 6));

	ASSERT_EQ(0, one(self, HVX_BLK_OP_READ, 0, 128, 0x10000, 0));
	for (i = 0; i < 32768; i++)
		if (ram[0x10000 + i])
			break;
	EXPECT_EQ(32768, i);
}

/* Serves the backend for @ms, answers or not, as its thread would. */
static void host_spin(FIXTURE_DATA(blk) *self, int ms)
{
	struct vmbus_channel *ch = self->ch;
	struct pollfd pfd = { .fd = ch->cls->poll_fd(ch), .events = POLLIN };
	int i;

	for (i = 0; i < ms; i += 5) {
		ch->cls->serve(ch);
		poll(&pfd, 1, 5);
	}
}

/*
 * A guest that stops reading its ring: the backend queues the answers
 * it cannot write, then takes reads on top of them.  Every request is
 * answered once the guest reads again, none lost, and the queue never
 * overruns (finding 14: replies and I/O in flight were bounded apart).
 */
TEST_F(blk, replies_and_io_in_flight_bounded_together)
{
	struct req_buf cfg = { .r = { .op = HVX_BLK_OP_GET_CONFIG } };
	unsigned int fill = RING_SIZE / hvx_ring_packet_bytes(sizeof(struct hvx_blk_config));
	unsigned int nconfig = fill + 40, nread = 64, got_config = 0, got_read = 0, i;
	uint8_t seen[64] = { 0 };
	struct hvx_packet_desc desc;
	struct hvx_blk_config c;
	int64_t len;

	for (i = 0; i < nconfig; i++)
		ASSERT_EQ(0, send_req(self, 1000 + i, &cfg));
	/* The guest's ring fills, the rest of the answers wait in the backend. */
	host_spin(self, 500);
	ASSERT_EQ(-EAGAIN, hvx_ring_peek(&self->ch->from_guest, &desc)) TH_LOG("requests left unread: %u sent, %llu taken, %llu answered", nconfig, (unsigned long long)self->ch->from_guest.packets, (unsigned long long)self->ch->to_guest.packets);
	for (i = 0; i < nread; i++) {
		struct req_buf b = { .r = { .op = HVX_BLK_OP_READ, .nsegs = 1, .sector = 8 * i,
					    .nr_sectors = 8 } };

		b.segs[0] = (struct hvx_blk_seg){ .gpa = 4096 * i, .len = 4096 };
		ASSERT_EQ(0, send_req(self, i, &b));
	}
	host_spin(self, 200);

	/* The guest reads again: everything comes, each once. */
	for (i = 0; i < 400 && got_config + got_read < nconfig + nread; i++) {
		while ((len = fake_guest_read(&self->guest, &desc, &c, sizeof(c))) >= 0) {
			ASSERT_EQ(HVX_PACKET_COMPLETION, desc.type);
			ASSERT_EQ(0, c.status);
			if (desc.trans_id >= 1000) {
				ASSERT_EQ(sizeof(c), len);
				got_config++;
			} else {
				ASSERT_GT(nread, desc.trans_id);
				ASSERT_EQ(0, seen[desc.trans_id]++) TH_LOG("read %llu answered twice",
									  (unsigned long long)desc.trans_id);
				got_read++;
			}
		}
		host_spin(self, 10);
	}
	EXPECT_EQ(nconfig, got_config);
	EXPECT_EQ(nread, got_read);
	EXPECT_EQ(0, one(self, HVX_BLK_OP_READ, 0, 8, 0, 0));
}

/* Random requests: each is answered with a status, nothing breaks. */
TEST_F(blk, garbage_requests_get_answers)
{
	uint8_t junk[600];
	unsigned int i, j, answered = 0;
	struct hvx_packet_desc desc;
	uint8_t reply[64];

	srand(3);
	for (i = 0; i < 2000; i++) {
		for (j = 0; j < sizeof(junk); j++)
			junk[j] = rand();
		/* Mostly small operation numbers, to reach past the first check. */
		junk[0] %= 8;
		junk[1] = 0;
		junk[4] %= 4;
		junk[5] = 0;
		ASSERT_EQ(0, fake_guest_send(&self->guest, HVX_PACKET_REQUEST, i, junk,
					     rand() % sizeof(junk)));
		host_run(self);
		while (fake_guest_read(&self->guest, &desc, reply, sizeof(reply)) >= 0)
			answered++;
	}
	EXPECT_EQ(2000, answered);
}

/* One SQE through @ring, its completion's result. */
static int ring_result(struct io_uring *ring)
{
	struct io_uring_cqe *cqe;
	int ret;

	ret = io_uring_submit(ring);
	if (ret < 0)
		return ret;
	ret = io_uring_wait_cqe(ring, &cqe);
	if (ret < 0)
		return ret;
	ret = cqe->res;
	io_uring_cqe_seen(ring, cqe);
	return ret;
}

/*
 * io_uring bypasses seccomp: the disk's ring must refuse what a disk does
 * not do (an unrestricted ring opened any file the user may, even under
 * hvx run's filter), and still do what it does.
 */
TEST(disk_ring_takes_only_disk_operations)
{
	char path[] = "/tmp/hvx-blk-ring-XXXXXX", buf[8] = "";
	struct iovec iov = { .iov_base = buf, .iov_len = 4 };
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	int fd, efd;

	fd = mkstemp(path);
	ASSERT_LE(0, fd);
	ASSERT_EQ(4, write(fd, "disk", 4));
	efd = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, efd);
	ASSERT_EQ(0, blk_ring_init(&ring, efd));

	sqe = io_uring_get_sqe(&ring);
	ASSERT_NE(NULL, sqe);
	io_uring_prep_readv(sqe, fd, &iov, 1, 0);
	EXPECT_EQ(4, ring_result(&ring));
	EXPECT_EQ(0, memcmp(buf, "disk", 4));

	sqe = io_uring_get_sqe(&ring);
	ASSERT_NE(NULL, sqe);
	io_uring_prep_openat(sqe, AT_FDCWD, "/etc/passwd", O_RDONLY, 0);
	EXPECT_EQ(-EACCES, ring_result(&ring));

	sqe = io_uring_get_sqe(&ring);
	ASSERT_NE(NULL, sqe);
	io_uring_prep_unlinkat(sqe, AT_FDCWD, path, 0);
	EXPECT_EQ(-EACCES, ring_result(&ring));
	EXPECT_EQ(0, access(path, F_OK));

	/* No new registrations either (files, buffers, a personality). */
	EXPECT_GT(0, io_uring_register_files(&ring, &fd, 1));

	io_uring_queue_exit(&ring);
	close(efd);
	close(fd);
	unlink(path);
}

TEST_HARNESS_MAIN
