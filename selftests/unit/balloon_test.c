// SPDX-License-Identifier: GPL-2.0
/*
 * The balloon backend (user/balloon.c) through real rings, with this test
 * as the guest: every request the backend must refuse, and that a refusal
 * changes nothing; messages it must drop; a reply that waits for room in a
 * full guest ring; the target and the statistics through the control hook,
 * with its wait for fresh statistics on a second thread.
 *
 * There is no /dev/hvx here: the VM fd is /dev/null, on which
 * HVX_DISCARD_MEMORY fails, so every INFLATE or REPORT that passes the
 * checks gets -EIO.  For the success path the tests marked "fake" trap that
 * one ioctl on that one fd with a seccomp filter (SECCOMP_RET_USER_NOTIF)
 * and answer it from a thread of their own, recording the ranges: the
 * backend's code runs unchanged.  They skip, saying so, where seccomp user
 * notification is not available.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "uapi/hvx.h"
#include "uapi/hvx_balloon.h"
#include "vmbus.h"
#include "fake_guest.h"

#define RAM_SIZE	(64ULL << 20)
#define RAM_PAGES	(RAM_SIZE >> HVX_BALLOON_PAGE_SHIFT)
#define RING_SIZE	(64 * 1024)
#define TINY_RING	4096
#define NO_ANSWER	1000		/* request(): nothing came back */
#define BAD_ANSWER	1001		/* request(): something else came back */
#define MAX_DISCARDS	1024

/* HVX_DISCARD_MEMORY on the VM fd, answered by a thread of the test. */
struct discard_fake {
	int listener, stop;
	pthread_t thread;
	bool running;
	struct seccomp_notif_sizes sizes;
	pthread_mutex_t lock;		/* the fields below */
	unsigned int calls;
	unsigned int fail_at;		/* this call (1-based) fails with EIO; 0: none */
	struct hvx_memory_range ranges[MAX_DISCARDS];
};

/* A control command on a thread of its own, as control.c runs it. */
struct control_call {
	struct vmbus_channel *ch;
	const char *args;
	char *text;
	size_t size;
	int ret;
	double seconds;
	bool done;			/* atomic */
};

FIXTURE(balloon)
{
	struct vmbus bus;
	struct vmbus_channel *ch;
	struct fake_guest guest;
	uint64_t req[1024];		/* a request or message being built */
	struct hvx_balloon_result res;	/* the last request()'s */
	struct discard_fake *fake;
	pthread_t ctl_thread;
	bool ctl_running;
	struct control_call ctl;
	/* What the guest saw while a status command ran. */
	unsigned int get_stats, targets, others;
	uint64_t last_target;
	struct hvx_balloon_stats stats;	/* the guest's answer to GET_STATS */
};

/* The guest opens the channel: fresh rings, the one it reads of @in_size bytes. */
static int open_channel(FIXTURE_DATA(balloon) *self, uint32_t in_size)
{
	return fake_guest_open(&self->guest, self->ch, RING_SIZE, in_size);
}

static void close_channel(FIXTURE_DATA(balloon) *self)
{
	self->ch->cls->close(self->ch);
	self->ch->open = false;
}

/* The next packet must be a TARGET: its pages, or -1 (logged). */
static int64_t read_target(struct __test_metadata *_metadata, FIXTURE_DATA(balloon) *self)
{
	struct hvx_balloon_target t;
	struct hvx_packet_desc desc;
	int64_t len = fake_guest_read(&self->guest, &desc, &t, sizeof(t));

	if (len != sizeof(t) || desc.type != HVX_PACKET_DATA || desc.trans_id ||
	    t.msg.type != HVX_BALLOON_MSG_TARGET || t.msg.reserved || t.reserved) {
		TH_LOG("not a TARGET: len %lld type %u id %llu msg %u", (long long)len, desc.type,
		       (unsigned long long)desc.trans_id, len >= 2 ? t.msg.type : 0);
		return -1;
	}
	return t.pages;
}

/* --- HVX_DISCARD_MEMORY, faked -------------------------------------------- */

static void *fake_thread(void *arg)
{
	struct discard_fake *f = arg;
	struct seccomp_notif *req = calloc(1, f->sizes.seccomp_notif);
	struct seccomp_notif_resp *resp = calloc(1, f->sizes.seccomp_notif_resp);
	struct pollfd pfd[2] = { { .fd = f->listener, .events = POLLIN },
				 { .fd = f->stop, .events = POLLIN } };
	unsigned int n;

	while (req && resp) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[1].revents || (pfd[0].revents & (POLLHUP | POLLERR)))
			break;
		memset(req, 0, f->sizes.seccomp_notif);
		if (ioctl(f->listener, SECCOMP_IOCTL_NOTIF_RECV, req))
			continue;	/* EINTR, or the caller went away (ENOENT) */
		memset(resp, 0, f->sizes.seccomp_notif_resp);
		resp->id = req->id;
		pthread_mutex_lock(&f->lock);
		n = ++f->calls;
		/* The caller is stopped in the ioctl: its argument stays put. */
		if (n <= MAX_DISCARDS)
			memcpy(&f->ranges[n - 1], (const void *)(uintptr_t)req->data.args[2],
			       sizeof(f->ranges[0]));
		resp->error = f->fail_at == n ? -EIO : 0;
		pthread_mutex_unlock(&f->lock);
		ioctl(f->listener, SECCOMP_IOCTL_NOTIF_SEND, resp);
	}
	free(req);
	free(resp);
	return NULL;
}

/*
 * From now on HVX_DISCARD_MEMORY on the VM fd, from this thread, succeeds
 * (and is recorded).  0, or -errno with the reason in @err.
 */
static int fake_start(FIXTURE_DATA(balloon) *self, char *err, size_t errlen)
{
	int fd = self->bus.vm_fd;
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 9),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_ioctl, 0, 7),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, fd, 0, 5),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[1])),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)HVX_DISCARD_MEMORY, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[1]) + 4),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(code) / sizeof(code[0]), .filter = code };
	struct discard_fake *f = calloc(1, sizeof(*f));
	int ret;

	if (!f)
		return -ENOMEM;
	pthread_mutex_init(&f->lock, NULL);
	f->listener = -1;
	f->stop = eventfd(0, EFD_CLOEXEC);
	self->fake = f;
	if (f->stop < 0 || syscall(__NR_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &f->sizes)) {
		snprintf(err, errlen, "seccomp notification sizes: %s", strerror(errno));
		return -errno;
	}
	if (f->sizes.seccomp_notif < sizeof(struct seccomp_notif))
		f->sizes.seccomp_notif = sizeof(struct seccomp_notif);
	if (f->sizes.seccomp_notif_resp < sizeof(struct seccomp_notif_resp))
		f->sizes.seccomp_notif_resp = sizeof(struct seccomp_notif_resp);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		snprintf(err, errlen, "no_new_privs: %s", strerror(errno));
		return -errno;
	}
	f->listener = syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER,
			      SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
	if (f->listener < 0) {
		snprintf(err, errlen, "seccomp user notification: %s", strerror(errno));
		return -errno;
	}
	ret = pthread_create(&f->thread, NULL, fake_thread, f);
	if (ret) {
		snprintf(err, errlen, "pthread_create: %s", strerror(ret));
		return -ret;
	}
	f->running = true;
	return 0;
}

static void fake_stop(FIXTURE_DATA(balloon) *self)
{
	struct discard_fake *f = self->fake;

	if (!f)
		return;
	if (f->running) {
		eventfd_write(f->stop, 1);
		pthread_join(f->thread, NULL);
	}
	if (f->listener >= 0)
		close(f->listener);
	if (f->stop >= 0)
		close(f->stop);
	pthread_mutex_destroy(&f->lock);
	free(f);
	self->fake = NULL;
}

static unsigned int fake_calls(FIXTURE_DATA(balloon) *self)
{
	unsigned int n;

	pthread_mutex_lock(&self->fake->lock);
	n = self->fake->calls;
	pthread_mutex_unlock(&self->fake->lock);
	return n;
}

static void fake_fail_at(FIXTURE_DATA(balloon) *self, unsigned int call)
{
	pthread_mutex_lock(&self->fake->lock);
	self->fake->fail_at = call;
	pthread_mutex_unlock(&self->fake->lock);
}

/* Discard @i (0-based) was of [@gpa, @gpa + @size). */
static bool fake_range(FIXTURE_DATA(balloon) *self, unsigned int i, uint64_t gpa, uint64_t size)
{
	bool same;

	pthread_mutex_lock(&self->fake->lock);
	same = i < self->fake->calls && i < MAX_DISCARDS && self->fake->ranges[i].gpa == gpa &&
	       self->fake->ranges[i].size == size;
	pthread_mutex_unlock(&self->fake->lock);
	return same;
}

#define FAKE_START(self) do { \
	char _err[256]; \
	if (fake_start(self, _err, sizeof(_err))) \
		SKIP(return, "cannot fake HVX_DISCARD_MEMORY: %s", _err); \
} while (0)

/* --- the fixture ----------------------------------------------------------- */

static void join_control(FIXTURE_DATA(balloon) *self)
{
	if (self->ctl_running)
		pthread_join(self->ctl_thread, NULL);
	self->ctl_running = false;
}

FIXTURE_SETUP(balloon)
{
	char err[256] = "";

	memset(self, 0, sizeof(*self));
	self->bus.vm_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	self->bus.ram_size = RAM_SIZE;
	fake_guest_alloc(&self->guest, RING_SIZE, RING_SIZE);
	ASSERT_LE(0, self->bus.vm_fd);
	ASSERT_NE(NULL, self->guest.mem_out);
	ASSERT_NE(NULL, self->guest.mem_in);
	ASSERT_EQ(0, vmbus_add(&self->bus, "balloon", err, sizeof(err))) TH_LOG("%s", err);
	self->ch = &self->bus.devices[0];
	ASSERT_EQ(0, open_channel(self, RING_SIZE));
	/* The first serve tells the target, an empty balloon; then nothing. */
	ASSERT_EQ(0, host_serve(self->ch));
	ASSERT_TRUE(self->ch->signal_guest);
	ASSERT_EQ(0, read_target(_metadata, self));
	ASSERT_EQ(0, fake_guest_drain(&self->guest));
}

FIXTURE_TEARDOWN(balloon)
{
	join_control(self);
	vmbus_destroy(&self->bus);
	fake_stop(self);
	free(self->ctl.text);
	if (self->bus.vm_fd >= 0)
		close(self->bus.vm_fd);
	fake_guest_free(&self->guest);
}

/*
 * Removes the device and reads what it printed to stderr: the counts of its
 * line, 0; or -1 if it printed no such line (and the counts are 0).
 */
static int destroy_counts(struct __test_metadata *_metadata, FIXTURE_DATA(balloon) *self,
			  unsigned long long *refused, unsigned long long *unknown)
{
	char line[512];
	int n;

	*refused = *unknown = 0;
	if (destroy_output(&self->bus, line, sizeof(line)) < 0)
		return -1;
	TH_LOG("destroy printed: '%s'", line);
	n = sscanf(line, "hvx run: balloon: refused %llu requests, dropped %llu unknown messages",
		   refused, unknown);
	return n == 2 ? 0 : -1;
}

/*
 * Sends the @len bytes in self->req as request @id, serves, and reads the
 * one answer into self->res: its status; NO_ANSWER or BAD_ANSWER (logged).
 */
static int32_t request(struct __test_metadata *_metadata, FIXTURE_DATA(balloon) *self,
		       uint64_t id, uint32_t len)
{
	struct hvx_packet_desc desc;
	uint64_t extra[8];
	int64_t got;
	int ret;

	memset(&self->res, 0xee, sizeof(self->res));
	if (fake_guest_send(&self->guest, HVX_PACKET_REQUEST, id, self->req, len))
		return NO_ANSWER;
	ret = host_serve(self->ch);
	if (ret) {
		TH_LOG("serve: %d", ret);
		return BAD_ANSWER;
	}
	got = fake_guest_read(&self->guest, &desc, &self->res, sizeof(self->res));
	if (got == -EAGAIN)
		return NO_ANSWER;
	if (got != sizeof(self->res) || desc.type != HVX_PACKET_COMPLETION ||
	    desc.trans_id != id || self->res.msg.type != HVX_BALLOON_MSG_RESULT ||
	    self->res.msg.reserved) {
		TH_LOG("request %llu: len %lld type %u id %llu msg %u", (unsigned long long)id,
		       (long long)got, desc.type, (unsigned long long)desc.trans_id,
		       self->res.msg.type);
		return BAD_ANSWER;
	}
	got = fake_guest_read(&self->guest, &desc, extra, sizeof(extra));
	if (got != -EAGAIN) {
		TH_LOG("request %llu: and then a packet of type %u, %lld bytes",
		       (unsigned long long)id, desc.type, (long long)got);
		return BAD_ANSWER;
	}
	return self->res.status;
}

/* INFLATE or DEFLATE: @count says, @n frame numbers of @pfns are there. */
static int32_t pages_req(struct __test_metadata *_metadata, FIXTURE_DATA(balloon) *self,
			 uint16_t type, uint64_t id, uint32_t count, const uint64_t *pfns,
			 uint32_t n)
{
	struct hvx_balloon_pages *p = (void *)self->req;

	memset(p, 0, sizeof(*p));
	p->msg.type = type;
	p->count = count;
	memcpy(p->pfns, pfns, n * sizeof(uint64_t));
	return request(_metadata, self, id, sizeof(*p) + n * sizeof(uint64_t));
}

#define PFNS(...)	(const uint64_t[]){ __VA_ARGS__ }
#define NPFNS(...)	(uint32_t)(sizeof(PFNS(__VA_ARGS__)) / sizeof(uint64_t))
#define INFLATE(id, ...) pages_req(_metadata, self, HVX_BALLOON_MSG_INFLATE, id, \
				   NPFNS(__VA_ARGS__), PFNS(__VA_ARGS__), NPFNS(__VA_ARGS__))
#define DEFLATE(id, ...) pages_req(_metadata, self, HVX_BALLOON_MSG_DEFLATE, id, \
				   NPFNS(__VA_ARGS__), PFNS(__VA_ARGS__), NPFNS(__VA_ARGS__))

/* INFLATE or DEFLATE of @n consecutive frames from @first. */
static int32_t pages_run(struct __test_metadata *_metadata, FIXTURE_DATA(balloon) *self,
			 uint16_t type, uint64_t id, uint64_t first, uint32_t n)
{
	uint64_t pfns[HVX_BALLOON_MAX_PFNS + 1];
	uint32_t i;

	for (i = 0; i < n; i++)
		pfns[i] = first + i;
	return pages_req(_metadata, self, type, id, n, pfns, n);
}

/* REPORT: @count says, @n of @ranges are there. */
static int32_t report_req(struct __test_metadata *_metadata, FIXTURE_DATA(balloon) *self,
			  uint64_t id, uint32_t count, const struct hvx_balloon_range *ranges,
			  uint32_t n)
{
	struct hvx_balloon_ranges *r = (void *)self->req;

	memset(r, 0, sizeof(*r));
	r->msg.type = HVX_BALLOON_MSG_REPORT;
	r->count = count;
	memcpy(r->ranges, ranges, n * sizeof(ranges[0]));
	return request(_metadata, self, id, sizeof(*r) + n * sizeof(ranges[0]));
}

#define RANGES(...)	(const struct hvx_balloon_range[]){ __VA_ARGS__ }
#define NRANGES(...)	(uint32_t)(sizeof(RANGES(__VA_ARGS__)) / sizeof(struct hvx_balloon_range))
#define REPORT(id, ...)	report_req(_metadata, self, id, NRANGES(__VA_ARGS__), \
				   RANGES(__VA_ARGS__), NRANGES(__VA_ARGS__))

/* --- the control hook ------------------------------------------------------ */

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *control_thread(void *arg)
{
	struct control_call *c = arg;
	FILE *out = open_memstream(&c->text, &c->size);
	double start = now_seconds();

	c->ret = out ? c->ch->cls->control(c->ch, c->args, out) : -ENOMEM;
	if (out)
		fclose(out);
	c->seconds = now_seconds() - start;
	__atomic_store_n(&c->done, true, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * Runs the control command @args.  The status ("") runs on a thread of its
 * own while this thread is the channel's and the guest's: it serves (while
 * the channel is open), reads what the host sends and, if @answer, answers
 * GET_STATS with self->stats.  The command's output is in self->ctl.text; its return
 * value is returned (or -ETIMEDOUT after 5 s).
 */
static int control(FIXTURE_DATA(balloon) *self, const char *args, bool answer)
{
	struct hvx_packet_desc desc;
	union {
		struct hvx_balloon_msg msg;
		struct hvx_balloon_target target;
	} in;
	double start = now_seconds();
	int64_t len;

	free(self->ctl.text);
	memset(&self->ctl, 0, sizeof(self->ctl));
	self->ctl.ch = self->ch;
	self->ctl.args = args;
	self->get_stats = self->targets = self->others = 0;
	/* Setting a target must not wait for anything: on this thread. */
	if (*args) {
		control_thread(&self->ctl);
		return self->ctl.ret;
	}
	if (pthread_create(&self->ctl_thread, NULL, control_thread, &self->ctl))
		return -EAGAIN;
	self->ctl_running = true;
	while (!__atomic_load_n(&self->ctl.done, __ATOMIC_ACQUIRE)) {
		if (now_seconds() - start > 5)
			return -ETIMEDOUT;	/* the teardown joins it */
		if (self->ch->open && host_serve(self->ch))
			self->others++;
		while ((len = fake_guest_read(&self->guest, &desc, &in, sizeof(in))) >= 0) {
			if (desc.type == HVX_PACKET_DATA && len == sizeof(in.msg) &&
			    in.msg.type == HVX_BALLOON_MSG_GET_STATS) {
				self->get_stats++;
				self->stats.msg.type = HVX_BALLOON_MSG_STATS;
				if (answer && fake_guest_send(&self->guest, HVX_PACKET_DATA, 0, &self->stats,
							 sizeof(self->stats)))
					self->others++;
			} else if (desc.type == HVX_PACKET_DATA && len == sizeof(in.target) &&
				   in.msg.type == HVX_BALLOON_MSG_TARGET) {
				self->targets++;
				self->last_target = in.target.pages;
			} else {
				self->others++;
			}
		}
		usleep(1000);
	}
	join_control(self);
	return self->ctl.ret;
}

static bool has(const char *text, const char *want)
{
	return text && strstr(text, want);
}

#define EXPECT_SAYS(text, want) \
	EXPECT_TRUE(has(text, want)) TH_LOG("wanted '%s' in:\n%s", want, text)
#define EXPECT_SAYS_NOT(text, what) \
	EXPECT_FALSE(has(text, what)) TH_LOG("did not want '%s' in:\n%s", what, text)

/* --- tests: requests, natively (the discard fails) ------------------------ */

TEST_F(balloon, refusals)
{
	const struct hvx_balloon_range good = { .gpa = 8 << 20, .size = 1 << 20 };
	struct hvx_balloon_range many[HVX_BALLOON_MAX_RANGES + 1];
	struct hvx_balloon_msg msg = { .type = 99 };
	unsigned long long refused, unknown;
	unsigned int i, n = 0;
	char want[64];

	for (i = 0; i <= HVX_BALLOON_MAX_RANGES; i++)
		many[i] = (struct hvx_balloon_range){ .gpa = (uint64_t)i << 20, .size = 4096 };

	/* Counts: 0, over the maximum, more than the packet holds. */
	EXPECT_EQ(-EINVAL, pages_req(_metadata, self, HVX_BALLOON_MSG_INFLATE, 1, 0, PFNS(5), 1));
	EXPECT_EQ(-EINVAL, pages_run(_metadata, self, HVX_BALLOON_MSG_INFLATE, 2, 100,
				     HVX_BALLOON_MAX_PFNS + 1));
	EXPECT_EQ(-EINVAL, pages_req(_metadata, self, HVX_BALLOON_MSG_INFLATE, 3, 3,
				     PFNS(5, 6), 2));
	EXPECT_EQ(-EINVAL, pages_req(_metadata, self, HVX_BALLOON_MSG_DEFLATE, 4, 0, PFNS(5), 1));
	/* The header alone, and shorter than the header. */
	EXPECT_EQ(-EINVAL, pages_req(_metadata, self, HVX_BALLOON_MSG_INFLATE, 5, 1, PFNS(5), 0));
	self->req[0] = HVX_BALLOON_MSG_INFLATE;
	EXPECT_EQ(-EINVAL, request(_metadata, self, 6, 6));
	/* Frames outside RAM, named twice, deflated while not in the balloon. */
	EXPECT_EQ(-EINVAL, INFLATE(7, RAM_PAGES));
	EXPECT_EQ(-EINVAL, INFLATE(8, 7, 8, RAM_PAGES));
	EXPECT_EQ(-EINVAL, INFLATE(9, 1ULL << 60));
	EXPECT_EQ(-EINVAL, INFLATE(10, 5, 6, 5));
	EXPECT_EQ(-EINVAL, DEFLATE(11, 5));
	EXPECT_EQ(-EINVAL, DEFLATE(12, RAM_PAGES));
	n = 12;
	/* REPORT: unaligned, empty, outside RAM, across its end, wrapping round, too large. */
	EXPECT_EQ(-EINVAL, REPORT(20, { .gpa = 4096 + 1, .size = 4096 }));
	EXPECT_EQ(-EINVAL, REPORT(21, { .gpa = 4096, .size = 4096 + 512 }));
	EXPECT_EQ(-EINVAL, REPORT(22, { .gpa = 4096, .size = 0 }));
	EXPECT_EQ(-EINVAL, REPORT(23, { .gpa = RAM_SIZE, .size = 4096 }));
	EXPECT_EQ(-EINVAL, REPORT(24, { .gpa = RAM_SIZE - 4096, .size = 8192 }));
	EXPECT_EQ(-EINVAL, REPORT(25, { .gpa = 8192, .size = -4096ULL }));
	EXPECT_EQ(-EINVAL, REPORT(31, { .gpa = 0, .size = HVX_BALLOON_MAX_RANGE_SIZE + 4096 }));
	/* One bad range refuses the lot. */
	EXPECT_EQ(-EINVAL, REPORT(26, good, { .gpa = RAM_SIZE, .size = 4096 }));
	/* Counts: 0, over the maximum, more than the packet holds. */
	EXPECT_EQ(-EINVAL, report_req(_metadata, self, 27, 0, &good, 1));
	EXPECT_EQ(-EINVAL, report_req(_metadata, self, 28, HVX_BALLOON_MAX_RANGES + 1, many,
				      HVX_BALLOON_MAX_RANGES + 1));
	EXPECT_EQ(-EINVAL, report_req(_metadata, self, 29, 2, &good, 1));
	self->req[0] = HVX_BALLOON_MSG_REPORT;
	EXPECT_EQ(-EINVAL, request(_metadata, self, 30, 6));
	n += 12;
	/* Requests the host does not know, of types it does know otherwise. */
	memcpy(self->req, &msg, sizeof(msg));
	EXPECT_EQ(-EOPNOTSUPP, request(_metadata, self, 40, sizeof(msg)));
	msg.type = HVX_BALLOON_MSG_STATS;
	memcpy(self->req, &msg, sizeof(msg));
	EXPECT_EQ(-EOPNOTSUPP, request(_metadata, self, 41, sizeof(struct hvx_balloon_stats)));
	msg.type = HVX_BALLOON_MSG_RESULT;
	memcpy(self->req, &msg, sizeof(msg));
	EXPECT_EQ(-EOPNOTSUPP, request(_metadata, self, 42, sizeof(msg)));
	n += 3;
	EXPECT_EQ(0, self->res.balloon_pages);

	/*
	 * Nothing changed: the frames of the refused ones, at the limits,
	 * pass the checks now (and fail to be discarded, here).
	 */
	EXPECT_EQ(-EIO, INFLATE(50, 5, 6, 7, 8, RAM_PAGES - 1));
	EXPECT_EQ(0, self->res.balloon_pages);
	EXPECT_EQ(-EIO, pages_run(_metadata, self, HVX_BALLOON_MSG_INFLATE, 51, 100,
				  HVX_BALLOON_MAX_PFNS));
	EXPECT_EQ(-EIO, report_req(_metadata, self, 52, HVX_BALLOON_MAX_RANGES, many,
				   HVX_BALLOON_MAX_RANGES));
	EXPECT_EQ(-EIO, REPORT(53, { .gpa = RAM_SIZE - 4096, .size = 4096 }));
	EXPECT_EQ(-EIO, REPORT(54, { .gpa = 0, .size = HVX_BALLOON_MAX_RANGE_SIZE }));
	n += 5;
	EXPECT_EQ(0, self->res.balloon_pages);

	ASSERT_EQ(0, control(self, "", true));
	snprintf(want, sizeof(want), "refused %u requests\n", n);
	EXPECT_SAYS(self->ctl.text, "reported 0 MiB of free memory; ");
	EXPECT_SAYS(self->ctl.text, want);
	ASSERT_EQ(0, destroy_counts(_metadata, self, &refused, &unknown));
	EXPECT_EQ(n, refused);
	EXPECT_EQ(0, unknown);
}

TEST_F(balloon, inflate_without_discard_rolls_back)
{
	struct hvx_memory_range r = { .gpa = 0, .size = 4096 };
	unsigned long long refused, unknown;

	/* Here the discard cannot work. */
	ASSERT_EQ(-1, ioctl(self->bus.vm_fd, HVX_DISCARD_MEMORY, &r));
	/* Two runs: 10 to 19 and 30. */
	EXPECT_EQ(-EIO, INFLATE(1, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 30));
	EXPECT_EQ(0, self->res.balloon_pages);
	/* Not in the balloon: the same again fails the same way, not as a repeat. */
	EXPECT_EQ(-EIO, INFLATE(2, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 30));
	EXPECT_EQ(0, self->res.balloon_pages);
	EXPECT_EQ(-EINVAL, DEFLATE(3, 30));
	EXPECT_EQ(-EINVAL, DEFLATE(4, 10));
	/* And a REPORT of them fails to discard too, not because they are ballooned. */
	EXPECT_EQ(-EIO, REPORT(5, { .gpa = 10 << 12, .size = 21 << 12 }));
	EXPECT_EQ(0, self->res.balloon_pages);

	ASSERT_EQ(0, control(self, "", true));
	EXPECT_SAYS(self->ctl.text, "balloon: guest memory 64 MiB, target 0 MiB, balloon 0 MiB, "
		    "driver connected\n");
	EXPECT_SAYS(self->ctl.text, "reported 0 MiB of free memory; refused 5 requests\n");
	ASSERT_EQ(0, destroy_counts(_metadata, self, &refused, &unknown));
	EXPECT_EQ(5, refused);
	EXPECT_EQ(0, unknown);
}

TEST_F(balloon, unknown_messages_are_dropped_and_counted)
{
	struct hvx_balloon_stats stats = { .msg.type = HVX_BALLOON_MSG_STATS, .total = 1 << 30 };
	struct hvx_balloon_status status = { .msg.type = HVX_BALLOON_MSG_STATUS };
	struct hvx_balloon_msg msg = { .type = 99 };
	unsigned long long refused, unknown;
	unsigned int n = 0;

	/* Of no known type, too short for any, too short for their type. */
	ASSERT_EQ(0, fake_guest_send(&self->guest, HVX_PACKET_DATA, 0, &msg, sizeof(msg)));
	n++;
	msg.type = HVX_BALLOON_MSG_INFLATE;	/* a request, not data */
	ASSERT_EQ(0, fake_guest_send(&self->guest, HVX_PACKET_DATA, 0, &msg, sizeof(msg)));
	n++;
	ASSERT_EQ(0, fake_guest_send(&self->guest, HVX_PACKET_DATA, 0, &stats, 2));
	n++;
	ASSERT_EQ(0, fake_guest_send(&self->guest, HVX_PACKET_DATA, 0, NULL, 0));
	n++;
	ASSERT_EQ(0, fake_guest_send(&self->guest, HVX_PACKET_DATA, 0, &stats, sizeof(stats) - 8));
	n++;
	ASSERT_EQ(0, fake_guest_send(&self->guest, HVX_PACKET_DATA, 0, &status, sizeof(status) - 1));
	n++;
	/* Requests too short to say what they are; a completion nobody asked for. */
	ASSERT_EQ(0, fake_guest_send(&self->guest, HVX_PACKET_REQUEST, 7, &msg, 2));
	n++;
	ASSERT_EQ(0, fake_guest_send(&self->guest, HVX_PACKET_REQUEST, 8, NULL, 0));
	n++;
	ASSERT_EQ(0, fake_guest_send(&self->guest, HVX_PACKET_COMPLETION, 9, &msg, sizeof(msg)));
	n++;
	ASSERT_EQ(0, fake_guest_send(&self->guest, 77, 10, &msg, sizeof(msg)));
	n++;
	ASSERT_EQ(0, host_serve(self->ch));
	EXPECT_FALSE(self->ch->from_guest.broken);
	EXPECT_EQ(0, fake_guest_drain(&self->guest));

	/* No statistics or status came of them; then one of each that is whole. */
	close_channel(self);
	ASSERT_EQ(0, control(self, "", true));
	EXPECT_EQ(0, self->get_stats);
	EXPECT_SAYS(self->ctl.text, "driver not connected\n");
	EXPECT_SAYS_NOT(self->ctl.text, "stats:");
	EXPECT_SAYS_NOT(self->ctl.text, "status:");
	ASSERT_EQ(0, open_channel(self, RING_SIZE));
	ASSERT_EQ(0, host_serve(self->ch));
	EXPECT_EQ(0, read_target(_metadata, self));
	ASSERT_EQ(0, fake_guest_send(&self->guest, HVX_PACKET_DATA, 0, &stats, sizeof(stats)));
	ASSERT_EQ(0, fake_guest_send(&self->guest, HVX_PACKET_DATA, 0, &status, sizeof(status)));
	ASSERT_EQ(0, host_serve(self->ch));
	EXPECT_EQ(0, fake_guest_drain(&self->guest));
	close_channel(self);
	ASSERT_EQ(0, control(self, "", true));
	EXPECT_SAYS(self->ctl.text, "stats: total 1024 MiB free 0 MiB");
	EXPECT_SAYS(self->ctl.text, "status: reached the target (balloon 0 MiB of a 0 MiB target)\n");

	ASSERT_EQ(0, destroy_counts(_metadata, self, &refused, &unknown));
	EXPECT_EQ(0, refused);
	EXPECT_EQ(n, unknown);
}

/* A result waits for room in the guest's ring: not lost, not sent twice. */
TEST_F(balloon, reply_waits_for_room)
{
	const uint32_t per_ring = TINY_RING / hvx_ring_packet_bytes(sizeof(struct hvx_balloon_result));
	const unsigned int nreq = per_ring + per_ring / 2;
	struct hvx_balloon_result res;
	struct hvx_packet_desc desc;
	unsigned long long refused, unknown;
	unsigned int i, next = 0, rounds;
	bool signal, signalled = false;
	uint64_t before;
	int64_t len;

	close_channel(self);
	ASSERT_EQ(0, open_channel(self, TINY_RING));
	ASSERT_EQ(0, host_serve(self->ch));
	ASSERT_EQ(0, read_target(_metadata, self));
	before = self->ch->to_guest.packets;

	for (i = 0; i < nreq; i++) {
		struct hvx_balloon_pages *p = (void *)self->req;

		p->msg = (struct hvx_balloon_msg){ .type = HVX_BALLOON_MSG_INFLATE };
		p->count = 1;
		p->pfns[0] = 1000 + i;
		ASSERT_EQ(0, fake_guest_send(&self->guest, HVX_PACKET_REQUEST, 5000 + i, p,
					sizeof(*p) + sizeof(uint64_t)));
	}
	/* The ring fills; serving is done for now. */
	ASSERT_EQ(0, host_serve(self->ch));
	EXPECT_FALSE(self->ch->to_guest.broken);
	EXPECT_EQ(before + per_ring, self->ch->to_guest.packets);
	/* Serving again, before the guest reads, adds nothing and loses nothing. */
	ASSERT_EQ(0, host_serve(self->ch));
	EXPECT_EQ(before + per_ring, self->ch->to_guest.packets);

	for (rounds = 0; rounds < 10 && next < nreq; rounds++) {
		while ((len = hvx_ring_read(&self->guest.in, &desc, &res, sizeof(res),
					    &signal)) >= 0) {
			signalled |= signal;
			ASSERT_EQ(sizeof(res), len);
			ASSERT_EQ(HVX_PACKET_COMPLETION, desc.type);
			ASSERT_EQ(5000 + next, desc.trans_id);
			EXPECT_EQ(HVX_BALLOON_MSG_RESULT, res.msg.type);
			EXPECT_EQ(-EIO, res.status);
			next++;
		}
		ASSERT_EQ(-EAGAIN, len);
		ASSERT_EQ(0, host_serve(self->ch));
	}
	EXPECT_EQ(nreq, next);
	/* The guest's reads told the host there was room: it had asked. */
	EXPECT_TRUE(signalled);
	EXPECT_EQ(0, fake_guest_drain(&self->guest));
	ASSERT_EQ(0, host_serve(self->ch));
	EXPECT_EQ(0, fake_guest_drain(&self->guest));

	/* Once more, with the last request's result the one that waits. */
	for (i = 0; i <= per_ring; i++) {
		struct hvx_balloon_pages *p = (void *)self->req;

		p->msg = (struct hvx_balloon_msg){ .type = 99 };
		ASSERT_EQ(0, fake_guest_send(&self->guest, HVX_PACKET_REQUEST, 7000 + i, p, sizeof(*p)));
	}
	ASSERT_EQ(0, host_serve(self->ch));
	for (next = 0; fake_guest_read(&self->guest, &desc, &res, sizeof(res)) == sizeof(res); next++) {
		ASSERT_EQ(7000 + next, desc.trans_id);
		EXPECT_EQ(-EOPNOTSUPP, res.status);
	}
	EXPECT_EQ(per_ring, next);
	ASSERT_EQ(0, host_serve(self->ch));
	ASSERT_EQ(sizeof(res), fake_guest_read(&self->guest, &desc, &res, sizeof(res)));
	EXPECT_EQ(HVX_PACKET_COMPLETION, desc.type);
	EXPECT_EQ(7000 + per_ring, desc.trans_id);
	EXPECT_EQ(-EOPNOTSUPP, res.status);
	EXPECT_EQ(0, fake_guest_drain(&self->guest));
	ASSERT_EQ(0, host_serve(self->ch));
	EXPECT_EQ(0, fake_guest_drain(&self->guest));

	/* Each request was handled once. */
	ASSERT_EQ(0, destroy_counts(_metadata, self, &refused, &unknown));
	EXPECT_EQ(nreq + per_ring + 1, refused);
	EXPECT_EQ(0, unknown);
}

/* --- tests: the control hook ------------------------------------------------ */

TEST_F(balloon, target)
{
	unsigned long long refused, unknown;

	/* More than the guest has, less than 16M, not a size. */
	EXPECT_EQ(-EINVAL, control(self, "128M", true));
	EXPECT_SAYS(self->ctl.text, "error: 128M: want a size from 16M to the guest's 64 MiB\n");
	EXPECT_EQ(-EINVAL, control(self, "8M", true));
	EXPECT_SAYS(self->ctl.text, "error: 8M: ");
	EXPECT_EQ(-EINVAL, control(self, "abc", true));
	EXPECT_SAYS(self->ctl.text, "error: abc: ");
	EXPECT_EQ(-EINVAL, control(self, "32M junk", true));
	EXPECT_SAYS(self->ctl.text, "error: ");
	EXPECT_EQ(0, self->targets);
	ASSERT_EQ(0, host_serve(self->ch));
	EXPECT_EQ(0, fake_guest_drain(&self->guest));

	EXPECT_EQ(0, control(self, "32M", true));
	EXPECT_EQ(0, strcmp(self->ctl.text, "ok: the guest keeps 32 MiB, the balloon takes 32 MiB\n"))
		TH_LOG("%s", self->ctl.text);
	/* Setting a target does not wait for the guest. */
	EXPECT_GT(0.5, self->ctl.seconds);
	ASSERT_EQ(0, host_serve(self->ch));
	EXPECT_TRUE(self->ch->signal_guest);
	EXPECT_EQ((RAM_SIZE - (32 << 20)) / 4096, read_target(_metadata, self));
	EXPECT_EQ(0, fake_guest_drain(&self->guest));
	/* Told once. */
	ASSERT_EQ(0, host_serve(self->ch));
	EXPECT_EQ(0, fake_guest_drain(&self->guest));
	ASSERT_EQ(0, control(self, "", true));
	EXPECT_SAYS(self->ctl.text, "balloon: guest memory 64 MiB, target 32 MiB, balloon 0 MiB, "
		    "driver connected\n");
	EXPECT_EQ(0, self->targets);

	/* All of it: an empty balloon again. */
	EXPECT_EQ(0, control(self, "64M", true));
	EXPECT_SAYS(self->ctl.text, "ok: the guest keeps 64 MiB, the balloon takes 0 MiB\n");
	ASSERT_EQ(0, host_serve(self->ch));
	EXPECT_EQ(0, read_target(_metadata, self));

	/* Set while the driver is away: told when it comes, and again after. */
	close_channel(self);
	EXPECT_EQ(0, control(self, "40M", true));
	EXPECT_SAYS(self->ctl.text, "ok: the guest keeps 40 MiB, the balloon takes 24 MiB\n");
	ASSERT_EQ(0, control(self, "", true));
	EXPECT_SAYS(self->ctl.text, "target 24 MiB, balloon 0 MiB, driver not connected\n");
	ASSERT_EQ(0, open_channel(self, RING_SIZE));
	ASSERT_EQ(0, host_serve(self->ch));
	EXPECT_EQ(24 << 8, read_target(_metadata, self));
	EXPECT_EQ(0, fake_guest_drain(&self->guest));
	close_channel(self);
	ASSERT_EQ(0, open_channel(self, RING_SIZE));
	ASSERT_EQ(0, host_serve(self->ch));
	EXPECT_EQ(24 << 8, read_target(_metadata, self));
	EXPECT_EQ(0, fake_guest_drain(&self->guest));

	/* Nothing of this was a refused request or an unknown message. */
	EXPECT_EQ(-1, destroy_counts(_metadata, self, &refused, &unknown));
}

TEST_F(balloon, status_asks_for_statistics)
{
	const struct hvx_balloon_status status = {
		.msg.type = HVX_BALLOON_MSG_STATUS,
		.reason = HVX_BALLOON_NO_MEMORY,
		.balloon_pages = 3 << 8,
		.target_pages = 8 << 8,
	};

	self->stats = (struct hvx_balloon_stats){
		.total = (60ULL << 20) + 4095,
		.free = 30ULL << 20,
		.available = (40ULL << 20) - 1,
		.cached = 10ULL << 20,
		.swap_in = 1,
		.swap_out = 2,
		.major_faults = 3,
		.minor_faults = 40000000000ULL,
	};
	ASSERT_EQ(0, control(self, "", true));
	/* Asked once, and the answer ended the wait. */
	EXPECT_EQ(1, self->get_stats);
	EXPECT_EQ(0, self->targets);
	EXPECT_EQ(0, self->others);
	EXPECT_GT(0.8, self->ctl.seconds);
	EXPECT_SAYS(self->ctl.text, "balloon: guest memory 64 MiB, target 0 MiB, balloon 0 MiB, "
		    "driver connected\n");
	EXPECT_SAYS(self->ctl.text, "stats: total 60 MiB free 30 MiB available 39 MiB cached "
		    "10 MiB swap_in 1 swap_out 2 major_faults 3 minor_faults 40000000000 (");
	EXPECT_SAYS(self->ctl.text, "reported 0 MiB of free memory; refused 0 requests\n");
	EXPECT_SAYS_NOT(self->ctl.text, "status:");
	/* The question was asked once: nothing more comes. */
	ASSERT_EQ(0, host_serve(self->ch));
	EXPECT_EQ(0, fake_guest_drain(&self->guest));

	/* What the guest says of its own accord, kept after it went. */
	self->stats.total = 62ULL << 20;
	ASSERT_EQ(0, fake_guest_send(&self->guest, HVX_PACKET_DATA, 0, &self->stats, sizeof(self->stats)));
	ASSERT_EQ(0, fake_guest_send(&self->guest, HVX_PACKET_DATA, 0, &status, sizeof(status)));
	ASSERT_EQ(0, host_serve(self->ch));
	EXPECT_EQ(0, fake_guest_drain(&self->guest));
	close_channel(self);
	ASSERT_EQ(0, control(self, "", true));
	/* No driver, no question, no wait. */
	EXPECT_EQ(0, self->get_stats);
	EXPECT_GT(0.5, self->ctl.seconds);
	EXPECT_SAYS(self->ctl.text, "balloon 0 MiB, driver not connected\n");
	EXPECT_SAYS(self->ctl.text, "stats: total 62 MiB free 30 MiB");
	EXPECT_SAYS(self->ctl.text, "status: stopped short: the guest cannot give more "
		    "(balloon 3 MiB of a 8 MiB target)\n");
}

/* A guest that does not answer: the status waits a second, no more. */
TEST_F(balloon, status_without_an_answer)
{
	ASSERT_EQ(0, control(self, "", false));
	EXPECT_EQ(1, self->get_stats);
	EXPECT_LT(0.9, self->ctl.seconds);
	EXPECT_GT(3.0, self->ctl.seconds);
	EXPECT_SAYS(self->ctl.text, "driver connected\n");
	EXPECT_SAYS_NOT(self->ctl.text, "stats:");
	EXPECT_SAYS(self->ctl.text, "refused 0 requests\n");
}

/* --- tests: the discard succeeds (faked) ------------------------------------ */

TEST_F(balloon, fake_inflate_deflate_report)
{
	unsigned long long refused, unknown;

	FAKE_START(self);
	/* Three runs: 100-103, 200, 300-301; one discard each. */
	EXPECT_EQ(0, INFLATE(1, 100, 101, 102, 103, 200, 300, 301));
	EXPECT_EQ(7, self->res.balloon_pages);
	/* What vmbus.c reports to hvx.ko for `hvx stats`. */
	EXPECT_EQ(7 << 12, self->ch->balloon_bytes);
	ASSERT_EQ(3, fake_calls(self));
	EXPECT_TRUE(fake_range(self, 0, 100 << 12, 4 << 12));
	EXPECT_TRUE(fake_range(self, 1, 200 << 12, 1 << 12));
	EXPECT_TRUE(fake_range(self, 2, 300 << 12, 2 << 12));
	/* Already in the balloon, alone or among others: refused, nothing discarded. */
	EXPECT_EQ(-EINVAL, INFLATE(2, 200));
	EXPECT_EQ(-EINVAL, INFLATE(3, 400, 401, 103));
	EXPECT_EQ(7, self->res.balloon_pages);
	EXPECT_EQ(3, fake_calls(self));
	/* The most a request holds, one run: 2 MiB from 4 MiB on. */
	EXPECT_EQ(0, pages_run(_metadata, self, HVX_BALLOON_MSG_INFLATE, 4, 1024,
			       HVX_BALLOON_MAX_PFNS));
	EXPECT_EQ(7 + HVX_BALLOON_MAX_PFNS, self->res.balloon_pages);
	ASSERT_EQ(4, fake_calls(self));
	EXPECT_TRUE(fake_range(self, 3, 1024 << 12, HVX_BALLOON_MAX_PFNS << 12));
	EXPECT_EQ(0, pages_run(_metadata, self, HVX_BALLOON_MSG_INFLATE, 5,
			       1024 + HVX_BALLOON_MAX_PFNS, 512 - HVX_BALLOON_MAX_PFNS));
	EXPECT_EQ(7 + 512, self->res.balloon_pages);
	ASSERT_EQ(5, fake_calls(self));

	/* A REPORT that touches a ballooned page is refused whole. */
	EXPECT_EQ(-EINVAL, REPORT(10, { .gpa = 32 << 20, .size = 1 << 20 },
				  { .gpa = 199 << 12, .size = 3 << 12 }));
	EXPECT_EQ(-EINVAL, REPORT(11, { .gpa = 5 << 20, .size = 4096 }));
	EXPECT_EQ(5, fake_calls(self));
	/* Around them it is fine: one discard a range. */
	EXPECT_EQ(0, REPORT(12, { .gpa = 32 << 20, .size = 3 << 20 },
			    { .gpa = 201 << 12, .size = 99 << 12 },
			    { .gpa = 6 << 20, .size = 4 << 20 }));
	EXPECT_EQ(7 + 512, self->res.balloon_pages);
	ASSERT_EQ(8, fake_calls(self));
	EXPECT_TRUE(fake_range(self, 5, 32 << 20, 3 << 20));
	EXPECT_TRUE(fake_range(self, 6, 201 << 12, 99 << 12));
	EXPECT_TRUE(fake_range(self, 7, 6 << 20, 4 << 20));

	/* DEFLATE discards nothing; the pages can go in again after. */
	EXPECT_EQ(0, DEFLATE(20, 101, 300));
	EXPECT_EQ(5 + 512, self->res.balloon_pages);
	EXPECT_EQ((5 + 512) << 12, self->ch->balloon_bytes);
	EXPECT_EQ(-EINVAL, DEFLATE(21, 101));
	EXPECT_EQ(-EINVAL, DEFLATE(22, 100, 100));
	EXPECT_EQ(5 + 512, self->res.balloon_pages);
	EXPECT_EQ((5 + 512) << 12, self->ch->balloon_bytes);
	EXPECT_EQ(8, fake_calls(self));
	EXPECT_EQ(0, INFLATE(23, 300));
	EXPECT_EQ(6 + 512, self->res.balloon_pages);
	ASSERT_EQ(9, fake_calls(self));
	EXPECT_TRUE(fake_range(self, 8, 300 << 12, 4096));

	ASSERT_EQ(0, control(self, "", true));
	EXPECT_SAYS(self->ctl.text, "target 0 MiB, balloon 2 MiB, driver connected\n");
	EXPECT_SAYS(self->ctl.text, "reported 7 MiB of free memory; refused 6 requests\n");
	ASSERT_EQ(0, destroy_counts(_metadata, self, &refused, &unknown));
	EXPECT_EQ(6, refused);
	EXPECT_EQ(0, unknown);
}

/* Refusals leave the balloon as it was, pages at the front of a request included. */
TEST_F(balloon, fake_refusals_change_nothing)
{
	FAKE_START(self);
	EXPECT_EQ(0, INFLATE(1, 1, 2, 3));
	EXPECT_EQ(3, self->res.balloon_pages);
	ASSERT_EQ(1, fake_calls(self));

	EXPECT_EQ(-EINVAL, INFLATE(2, 4, 5, 3));
	EXPECT_EQ(3, self->res.balloon_pages);
	EXPECT_EQ(-EINVAL, INFLATE(3, 6, 7, 6));
	EXPECT_EQ(-EINVAL, INFLATE(4, 8, 9, RAM_PAGES));
	EXPECT_EQ(-EINVAL, DEFLATE(5, 1, 2, 4));
	EXPECT_EQ(-EINVAL, DEFLATE(6, 3, 3));
	EXPECT_EQ(-EINVAL, pages_req(_metadata, self, HVX_BALLOON_MSG_DEFLATE, 7, 3,
				     PFNS(1, 2), 2));
	EXPECT_EQ(3, self->res.balloon_pages);
	EXPECT_EQ(1, fake_calls(self));

	/* 1 to 3 are in, 4 to 9 are not. */
	EXPECT_EQ(0, INFLATE(10, 4, 5, 6, 7, 8, 9));
	EXPECT_EQ(9, self->res.balloon_pages);
	ASSERT_EQ(2, fake_calls(self));
	EXPECT_TRUE(fake_range(self, 1, 4 << 12, 6 << 12));
	EXPECT_EQ(0, DEFLATE(11, 9, 8, 7, 6, 5, 4, 3, 2, 1));
	EXPECT_EQ(0, self->res.balloon_pages);
	EXPECT_EQ(2, fake_calls(self));
}

/* A discard that fails midway: the balloon did not change. */
TEST_F(balloon, fake_failed_discard_rolls_back)
{
	FAKE_START(self);
	EXPECT_EQ(0, INFLATE(1, 50));
	ASSERT_EQ(1, fake_calls(self));
	/* Runs 10-11, 20, 30: the second discard fails, the third is not tried. */
	fake_fail_at(self, 3);
	EXPECT_EQ(-EIO, INFLATE(2, 10, 11, 20, 30));
	EXPECT_EQ(1, self->res.balloon_pages);
	ASSERT_EQ(3, fake_calls(self));
	EXPECT_TRUE(fake_range(self, 1, 10 << 12, 2 << 12));
	EXPECT_TRUE(fake_range(self, 2, 20 << 12, 1 << 12));
	EXPECT_EQ(-EINVAL, DEFLATE(3, 10));
	EXPECT_EQ(-EINVAL, DEFLATE(4, 30));
	EXPECT_EQ(0, INFLATE(5, 10, 11, 20, 30));
	EXPECT_EQ(5, self->res.balloon_pages);
	ASSERT_EQ(6, fake_calls(self));
	EXPECT_TRUE(fake_range(self, 5, 30 << 12, 1 << 12));

	/* A REPORT likewise: nothing counted as reported. */
	fake_fail_at(self, 8);
	EXPECT_EQ(-EIO, REPORT(6, { .gpa = 1 << 20, .size = 1 << 20 },
			       { .gpa = 8 << 20, .size = 4 << 20 },
			       { .gpa = 16 << 20, .size = 1 << 20 }));
	EXPECT_EQ(8, fake_calls(self));
	EXPECT_EQ(5, self->res.balloon_pages);
	ASSERT_EQ(0, control(self, "", true));
	EXPECT_SAYS(self->ctl.text, "reported 0 MiB of free memory; refused 4 requests\n");
	EXPECT_EQ(0, REPORT(7, { .gpa = 1 << 20, .size = 1 << 20 }));
	ASSERT_EQ(0, control(self, "", true));
	EXPECT_SAYS(self->ctl.text, "reported 1 MiB of free memory; refused 4 requests\n");
}

/* A new driver starts with an empty balloon. */
TEST_F(balloon, fake_reopen_empties_the_balloon)
{
	FAKE_START(self);
	EXPECT_EQ(0, pages_run(_metadata, self, HVX_BALLOON_MSG_INFLATE, 1, 4096, 256));
	EXPECT_EQ(256, self->res.balloon_pages);
	ASSERT_EQ(0, control(self, "", true));
	EXPECT_SAYS(self->ctl.text, "balloon 1 MiB, driver connected\n");
	close_channel(self);
	ASSERT_EQ(0, control(self, "", true));
	EXPECT_SAYS(self->ctl.text, "balloon 1 MiB, driver not connected\n");

	ASSERT_EQ(0, open_channel(self, RING_SIZE));
	ASSERT_EQ(0, host_serve(self->ch));
	EXPECT_EQ(0, read_target(_metadata, self));
	ASSERT_EQ(0, control(self, "", true));
	EXPECT_SAYS(self->ctl.text, "balloon 0 MiB, driver connected\n");
	EXPECT_EQ(-EINVAL, DEFLATE(2, 4096));
	EXPECT_EQ(0, INFLATE(3, 4096, 4352));
	EXPECT_EQ(2, self->res.balloon_pages);
}

TEST(balloon_takes_no_options)
{
	struct vmbus bus;
	char err[256] = "";

	memset(&bus, 0, sizeof(bus));
	EXPECT_EQ(-EINVAL, vmbus_add(&bus, "balloon,size=1G", err, sizeof(err)));
	EXPECT_EQ(0, strcmp(err, "balloon devices take no options")) TH_LOG("%s", err);
	EXPECT_EQ(0, bus.ndevices);
	vmbus_destroy(&bus);
}

TEST_HARNESS_MAIN
