// SPDX-License-Identifier: GPL-2.0
/*
 * The time sync backend (user/timesync.c) through real rings, with this
 * test as the guest: the sample when the channel opens, on a tick, after a
 * pause and when the guest asks; what each sample holds against this
 * machine's clock and TSC; messages it must drop; and a full guest ring,
 * where a request waits and a periodic sample does not pile up.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#include "kselftest_harness.h"
#include "uapi/hvx_timesync.h"
#include "vmbus.h"
#include "fake_guest.h"

#define RING_SIZE	(64 * 1024)
#define TINY_RING	4096
#define NS_PER_MS	1000000LL

FIXTURE(timesync)
{
	struct vmbus bus;
	struct vmbus_channel *ch;
	struct fake_guest guest;
	/* Around the last timed_serve(): the TSC before and after, the time after. */
	uint64_t tsc_before, tsc_after;
	int64_t realtime_ns;
};

/* The guest opens the channel: fresh rings, the one it reads of @in_size bytes. */
static int open_channel(FIXTURE_DATA(timesync) *self, uint32_t in_size)
{
	return fake_guest_open(&self->guest, self->ch, RING_SIZE, in_size);
}

FIXTURE_SETUP(timesync)
{
	char err[256] = "";

	memset(self, 0, sizeof(*self));
	fake_guest_alloc(&self->guest, RING_SIZE, RING_SIZE);
	ASSERT_NE(NULL, self->guest.mem_out);
	ASSERT_NE(NULL, self->guest.mem_in);
	ASSERT_EQ(0, vmbus_add(&self->bus, "timesync", err, sizeof(err))) TH_LOG("%s", err);
	self->ch = &self->bus.devices[0];
	ASSERT_EQ(0, open_channel(self, RING_SIZE));
}

FIXTURE_TEARDOWN(timesync)
{
	vmbus_destroy(&self->bus);
	fake_guest_free(&self->guest);
}

/* Serves, noting the TSC on both sides and the time after. */
static int timed_serve(FIXTURE_DATA(timesync) *self)
{
	struct timespec ts;
	int ret;

	self->tsc_before = __rdtsc();
	ret = host_serve(self->ch);
	self->tsc_after = __rdtsc();
	clock_gettime(CLOCK_REALTIME, &ts);
	self->realtime_ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	return ret;
}

/*
 * The guest's next packet must be a sample taken during the last
 * timed_serve(), of packet @type, transaction @id and with @flags: 0, or -1
 * (logged).
 */
static int next_sample(struct __test_metadata *_metadata, FIXTURE_DATA(timesync) *self,
		       uint16_t type, uint64_t id, uint32_t flags)
{
	struct hvx_timesync_sample s;
	struct hvx_packet_desc desc;
	int64_t len, off;
	int bad = 0;

	memset(&s, 0xee, sizeof(s));
	len = fake_guest_read(&self->guest, &desc, &s, sizeof(s));
	if (len != sizeof(s) || desc.type != type || desc.trans_id != id) {
		TH_LOG("not a sample: len %lld type %u id %llu", (long long)len, desc.type,
		       (unsigned long long)desc.trans_id);
		return -1;
	}
	EXPECT_EQ(HVX_TIMESYNC_MSG_SAMPLE, s.msg.type) bad = -1;
	EXPECT_EQ(0, s.msg.reserved) bad = -1;
	EXPECT_EQ(flags, s.flags) bad = -1;
	EXPECT_EQ(0, s.reserved) bad = -1;
	/* The TSC in the middle of the host's reading, inside ours. */
	EXPECT_LE(self->tsc_before, s.guest_tsc) bad = -1;
	EXPECT_GE(self->tsc_after, s.guest_tsc) bad = -1;
	EXPECT_GE(self->tsc_after - self->tsc_before, s.uncertainty_ticks) bad = -1;
	/* The time this test reads just after. */
	off = self->realtime_ns - s.host_realtime_ns;
	EXPECT_GT(50 * NS_PER_MS, off > 0 ? off : -off)
		TH_LOG("host_realtime_ns %lld, %lld ns from ours",
		       (long long)s.host_realtime_ns, (long long)off);
	return bad;
}

/*
 * Removes the device and reads what it printed to stderr: the counts of its
 * line, 0; or -1 if it printed no such line.
 */
static int destroy_counts(struct __test_metadata *_metadata, FIXTURE_DATA(timesync) *self,
			  unsigned long long *sent, unsigned long long *unknown)
{
	char line[512];
	int n;

	*sent = *unknown = 0;
	if (destroy_output(&self->bus, line, sizeof(line)) < 0)
		return -1;
	TH_LOG("destroy printed: '%s'", line);
	n = sscanf(line, "hvx run: timesync: %llu samples sent, %llu unknown messages dropped",
		   sent, unknown);
	return n == 2 ? 0 : -1;
}

/* Ticks and serves until the guest's ring is full: the samples it took. */
static unsigned int fill_ring(FIXTURE_DATA(timesync) *self)
{
	uint64_t before = self->ch->to_guest.packets, last;
	unsigned int i;

	for (i = 0; i < 1000; i++) {
		last = self->ch->to_guest.packets;
		self->ch->cls->tick(self->ch);
		if (timed_serve(self) || self->ch->to_guest.packets == last)
			break;
	}
	return self->ch->to_guest.packets - before;
}

TEST_F(timesync, open_sends_a_sample)
{
	unsigned long long sent, unknown;

	ASSERT_EQ(0, timed_serve(self));
	EXPECT_TRUE(self->ch->signal_guest);
	EXPECT_EQ(0, next_sample(_metadata, self, HVX_PACKET_DATA, 0, 0));
	EXPECT_EQ(0, fake_guest_drain(&self->guest));
	/* Once. */
	ASSERT_EQ(0, timed_serve(self));
	EXPECT_FALSE(self->ch->signal_guest);
	EXPECT_EQ(0, fake_guest_drain(&self->guest));
	ASSERT_EQ(0, destroy_counts(_metadata, self, &sent, &unknown));
	EXPECT_EQ(1, sent);
	EXPECT_EQ(0, unknown);
}

TEST_F(timesync, get_sample_request)
{
	struct hvx_timesync_msg get = { .type = HVX_TIMESYNC_MSG_GET_SAMPLE };
	uint8_t longer[24] = { HVX_TIMESYNC_MSG_GET_SAMPLE };
	unsigned long long sent, unknown;

	ASSERT_EQ(0, timed_serve(self));
	ASSERT_EQ(1, fake_guest_drain(&self->guest));

	ASSERT_EQ(0, fake_guest_send(&self->guest, HVX_PACKET_REQUEST, 0x1122334455667788ULL, &get,
				sizeof(get)));
	ASSERT_EQ(0, timed_serve(self));
	EXPECT_TRUE(self->ch->signal_guest);
	EXPECT_EQ(0, next_sample(_metadata, self, HVX_PACKET_COMPLETION, 0x1122334455667788ULL,
				 0));
	EXPECT_EQ(0, fake_guest_drain(&self->guest));
	/* Two at once, one a little longer than it need be: two answers, in order. */
	ASSERT_EQ(0, fake_guest_send(&self->guest, HVX_PACKET_REQUEST, 5, &get, sizeof(get)));
	ASSERT_EQ(0, fake_guest_send(&self->guest, HVX_PACKET_REQUEST, 6, longer, sizeof(longer)));
	ASSERT_EQ(0, timed_serve(self));
	EXPECT_EQ(0, next_sample(_metadata, self, HVX_PACKET_COMPLETION, 5, 0));
	EXPECT_EQ(0, next_sample(_metadata, self, HVX_PACKET_COMPLETION, 6, 0));
	EXPECT_EQ(0, fake_guest_drain(&self->guest));
	ASSERT_EQ(0, destroy_counts(_metadata, self, &sent, &unknown));
	EXPECT_EQ(4, sent);
	EXPECT_EQ(0, unknown);
}

TEST_F(timesync, tick_sends_one_sample)
{
	ASSERT_EQ(0, timed_serve(self));
	ASSERT_EQ(1, fake_guest_drain(&self->guest));

	self->ch->cls->tick(self->ch);
	ASSERT_EQ(0, timed_serve(self));
	EXPECT_EQ(0, next_sample(_metadata, self, HVX_PACKET_DATA, 0, 0));
	EXPECT_EQ(0, fake_guest_drain(&self->guest));
	/* No tick, no sample. */
	ASSERT_EQ(0, timed_serve(self));
	EXPECT_EQ(0, fake_guest_drain(&self->guest));
	/* Two ticks before a serve: one sample. */
	self->ch->cls->tick(self->ch);
	self->ch->cls->tick(self->ch);
	ASSERT_EQ(0, timed_serve(self));
	EXPECT_EQ(0, next_sample(_metadata, self, HVX_PACKET_DATA, 0, 0));
	EXPECT_EQ(0, fake_guest_drain(&self->guest));
}

TEST_F(timesync, resume_is_flagged)
{
	ASSERT_EQ(0, timed_serve(self));
	ASSERT_EQ(1, fake_guest_drain(&self->guest));

	self->ch->cls->resume(self->ch);
	ASSERT_EQ(0, timed_serve(self));
	EXPECT_EQ(0, next_sample(_metadata, self, HVX_PACKET_DATA, 0, HVX_TIMESYNC_F_RESUMED));
	EXPECT_EQ(0, fake_guest_drain(&self->guest));
	ASSERT_EQ(0, timed_serve(self));
	EXPECT_EQ(0, fake_guest_drain(&self->guest));
	/* Said once: the next tick's sample is a plain one. */
	self->ch->cls->tick(self->ch);
	ASSERT_EQ(0, timed_serve(self));
	EXPECT_EQ(0, next_sample(_metadata, self, HVX_PACKET_DATA, 0, 0));
	/* A tick and a resume together: one sample, flagged. */
	self->ch->cls->tick(self->ch);
	self->ch->cls->resume(self->ch);
	ASSERT_EQ(0, timed_serve(self));
	EXPECT_EQ(0, next_sample(_metadata, self, HVX_PACKET_DATA, 0, HVX_TIMESYNC_F_RESUMED));
	EXPECT_EQ(0, fake_guest_drain(&self->guest));
	/* Answers to requests are not flagged, nor do they use the flag up. */
	self->ch->cls->resume(self->ch);
	ASSERT_EQ(0, fake_guest_send(&self->guest, HVX_PACKET_REQUEST, 9,
				&(struct hvx_timesync_msg){ .type = HVX_TIMESYNC_MSG_GET_SAMPLE },
				sizeof(struct hvx_timesync_msg)));
	ASSERT_EQ(0, timed_serve(self));
	EXPECT_EQ(0, next_sample(_metadata, self, HVX_PACKET_COMPLETION, 9, 0));
	EXPECT_EQ(0, next_sample(_metadata, self, HVX_PACKET_DATA, 0, HVX_TIMESYNC_F_RESUMED));
	EXPECT_EQ(0, fake_guest_drain(&self->guest));
}

TEST_F(timesync, unknown_messages_are_dropped_and_counted)
{
	struct hvx_timesync_msg msg = { .type = HVX_TIMESYNC_MSG_GET_SAMPLE };
	struct hvx_timesync_sample s = { .msg.type = HVX_TIMESYNC_MSG_SAMPLE };
	unsigned long long sent, unknown;
	unsigned int n = 0;

	ASSERT_EQ(0, timed_serve(self));
	ASSERT_EQ(1, fake_guest_drain(&self->guest));

	/* A question that is not a request; a completion; a sample from the guest. */
	ASSERT_EQ(0, fake_guest_send(&self->guest, HVX_PACKET_DATA, 1, &msg, sizeof(msg)));
	n++;
	ASSERT_EQ(0, fake_guest_send(&self->guest, HVX_PACKET_COMPLETION, 2, &msg, sizeof(msg)));
	n++;
	ASSERT_EQ(0, fake_guest_send(&self->guest, HVX_PACKET_DATA, 0, &s, sizeof(s)));
	n++;
	ASSERT_EQ(0, fake_guest_send(&self->guest, 77, 3, &msg, sizeof(msg)));
	n++;
	/* Requests of no known type, or too short to say. */
	msg.type = 99;
	ASSERT_EQ(0, fake_guest_send(&self->guest, HVX_PACKET_REQUEST, 4, &msg, sizeof(msg)));
	n++;
	ASSERT_EQ(0, fake_guest_send(&self->guest, HVX_PACKET_REQUEST, 5, &s, sizeof(s)));
	n++;
	msg.type = HVX_TIMESYNC_MSG_GET_SAMPLE;
	ASSERT_EQ(0, fake_guest_send(&self->guest, HVX_PACKET_REQUEST, 6, &msg, 2));
	n++;
	ASSERT_EQ(0, fake_guest_send(&self->guest, HVX_PACKET_REQUEST, 7, NULL, 0));
	n++;
	ASSERT_EQ(0, timed_serve(self));
	EXPECT_FALSE(self->ch->from_guest.broken);
	EXPECT_EQ(0, fake_guest_drain(&self->guest));
	/* And then a good one. */
	ASSERT_EQ(0, fake_guest_send(&self->guest, HVX_PACKET_REQUEST, 8, &msg, sizeof(msg)));
	ASSERT_EQ(0, timed_serve(self));
	EXPECT_EQ(0, next_sample(_metadata, self, HVX_PACKET_COMPLETION, 8, 0));
	EXPECT_EQ(0, fake_guest_drain(&self->guest));

	ASSERT_EQ(0, destroy_counts(_metadata, self, &sent, &unknown));
	EXPECT_EQ(2, sent);
	EXPECT_EQ(n, unknown);
}

TEST_F(timesync, full_guest_ring)
{
	const unsigned int per_ring =
		TINY_RING / hvx_ring_packet_bytes(sizeof(struct hvx_timesync_sample));
	struct hvx_timesync_msg get = { .type = HVX_TIMESYNC_MSG_GET_SAMPLE };
	struct hvx_timesync_sample s;
	struct hvx_packet_desc desc;
	unsigned long long sent, unknown, total = 0;
	uint64_t packets;
	bool signal, signalled = false;
	unsigned int n;
	int64_t len;

	ASSERT_EQ(0, open_channel(self, TINY_RING));
	n = fill_ring(self);
	total += n;
	ASSERT_EQ(per_ring, n);
	packets = self->ch->to_guest.packets;
	EXPECT_FALSE(self->ch->to_guest.broken);
	/* A tick meanwhile: no room, no sample, no error. */
	self->ch->cls->tick(self->ch);
	ASSERT_EQ(0, timed_serve(self));
	EXPECT_EQ(packets, self->ch->to_guest.packets);
	/* A request waits. */
	ASSERT_EQ(0, fake_guest_send(&self->guest, HVX_PACKET_REQUEST, 77, &get, sizeof(get)));
	ASSERT_EQ(0, timed_serve(self));
	EXPECT_EQ(packets, self->ch->to_guest.packets);
	ASSERT_EQ(0, timed_serve(self));
	EXPECT_EQ(packets, self->ch->to_guest.packets);

	/* The guest reads the samples; its reads tell the host there is room. */
	for (n = 0; (len = hvx_ring_read(&self->guest.in, &desc, &s, sizeof(s), &signal)) >= 0; n++) {
		signalled |= signal;
		EXPECT_EQ(HVX_PACKET_DATA, desc.type);
	}
	EXPECT_EQ(-EAGAIN, len);
	EXPECT_EQ(per_ring, n);
	EXPECT_TRUE(signalled);
	/* Now the answer, once; the missed tick is not made up for. */
	ASSERT_EQ(0, timed_serve(self));
	EXPECT_EQ(0, next_sample(_metadata, self, HVX_PACKET_COMPLETION, 77, 0));
	total++;
	EXPECT_EQ(0, fake_guest_drain(&self->guest));
	ASSERT_EQ(0, timed_serve(self));
	EXPECT_EQ(0, fake_guest_drain(&self->guest));

	/* A resume while the ring is full is not forgotten. */
	n = fill_ring(self);
	total += n;
	ASSERT_EQ(per_ring, n);
	self->ch->cls->resume(self->ch);
	ASSERT_EQ(0, timed_serve(self));
	EXPECT_EQ(per_ring, fake_guest_drain(&self->guest));
	ASSERT_EQ(0, timed_serve(self));
	EXPECT_EQ(0, next_sample(_metadata, self, HVX_PACKET_DATA, 0, HVX_TIMESYNC_F_RESUMED));
	total++;
	EXPECT_EQ(0, fake_guest_drain(&self->guest));

	ASSERT_EQ(0, destroy_counts(_metadata, self, &sent, &unknown));
	EXPECT_EQ(total, sent);
	EXPECT_EQ(0, unknown);
}

TEST(timesync_takes_no_options)
{
	struct vmbus bus;
	char err[256] = "";

	memset(&bus, 0, sizeof(bus));
	EXPECT_EQ(-EINVAL, vmbus_add(&bus, "timesync,x", err, sizeof(err)));
	EXPECT_EQ(0, strcmp(err, "timesync devices take no options")) TH_LOG("%s", err);
	EXPECT_EQ(0, bus.ndevices);
	vmbus_destroy(&bus);
}

TEST_HARNESS_MAIN
