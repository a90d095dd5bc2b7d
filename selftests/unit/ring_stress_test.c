// SPDX-License-Identifier: GPL-2.0
/*
 * The channel ring between two threads, with signals as they will be used
 * (mask while draining, unmask and look again, pending-send size) and
 * random delays on both sides: ten million packets arrive, in order, each
 * once and intact, and no side ever waits for a signal that never comes.
 */
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "vmbus/ring.h"
#include "kselftest_harness.h"

#define PACKETS		10000000u
#define DATA_SIZE	(64u << 10)
#define STALL_MS	20000	/* a wait this long is a lost wake-up */

struct stress {
	struct hvx_ring_header *hdr;
	u8 *data;
	int to_consumer, to_producer;	/* eventfds: the two doorbells */
	u64 consumer_signals, producer_signals, producer_waits;
	const char *failure;
	u32 failed_at;
};

/* A packet's length and contents follow from its sequence number. */
static u32 packet_len(u32 seq)
{
	u32 x = seq * 2654435761u;

	if (!(x % 4099))
		return DATA_SIZE - HVX_RING_DESC_SIZE - (x >> 20) % 64;	/* near the ring's size */
	return 1 + (x >> 8) % 300;
}

/* The first failure is the one to report; the other side then stalls. */
static void fail(struct stress *s, const char *what, u32 seq)
{
	const char *none = NULL;

	if (__atomic_compare_exchange_n(&s->failure, &none, what, false, __ATOMIC_SEQ_CST,
					__ATOMIC_SEQ_CST))
		s->failed_at = seq;
}

static u8 packet_byte(u32 seq, u32 i)
{
	return (u8)(seq ^ (i * 13));
}

/* Now and then, a pause: a spin, a yield or a short sleep. */
static void random_delay(unsigned int *seed)
{
	unsigned int r = rand_r(seed);

	if (r % 1024 == 0)
		usleep(r % 200);
	else if (r % 64 == 0)
		sched_yield();
	else if (r % 8 == 0)
		for (volatile int i = r % 500; i; i--)
			;
}

static void ring_bell(int fd)
{
	u64 one = 1;

	if (write(fd, &one, sizeof(one)) != sizeof(one))
		abort();
}

/* Waits for the doorbell; false after STALL_MS without a ring. */
static bool wait_bell(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	u64 count;

	if (poll(&pfd, 1, STALL_MS) != 1)
		return false;
	return read(fd, &count, sizeof(count)) == sizeof(count);
}

static void *producer(void *arg)
{
	struct stress *s = arg;
	static u8 buf[DATA_SIZE];
	unsigned int seed = 1;
	struct hvx_ring tx;
	bool signal;
	u32 seq, i, len;
	int err;

	if (hvx_ring_attach(&tx, s->hdr, s->data, DATA_SIZE, true))
		abort();
	for (seq = 0; seq < PACKETS; seq++) {
		len = packet_len(seq);
		for (i = 0; i < len; i++)
			buf[i] = packet_byte(seq, i);
		while ((err = hvx_ring_write_one(&tx, HVX_PACKET_DATA, seq, buf, len,
						 &signal)) == -EAGAIN) {
			s->producer_waits++;
			if (!wait_bell(s->to_producer)) {
				fail(s, "producer stalled", seq);
				return NULL;
			}
		}
		if (err) {
			fail(s, "producer write failed", seq);
			return NULL;
		}
		if (signal) {
			s->consumer_signals++;
			ring_bell(s->to_consumer);
		}
		random_delay(&seed);
	}
	return NULL;
}

static void *consumer(void *arg)
{
	struct stress *s = arg;
	static u8 buf[DATA_SIZE];
	struct hvx_packet_desc desc;
	unsigned int seed = 2;
	struct hvx_ring rx;
	s64 len;
	bool signal;
	u32 seq = 0, i;

	if (hvx_ring_attach(&rx, s->hdr, s->data, DATA_SIZE, false))
		abort();
	hvx_ring_mask_signals(&rx);
	while (seq < PACKETS) {
		len = hvx_ring_read(&rx, &desc, buf, sizeof(buf), &signal);
		if (len == -EAGAIN) {
			if (hvx_ring_unmask_signals(&rx)) {
				hvx_ring_mask_signals(&rx);
				continue;
			}
			if (!wait_bell(s->to_consumer)) {
				fail(s, "consumer stalled", seq);
				return NULL;
			}
			hvx_ring_mask_signals(&rx);
			continue;
		}
		if (len < 0 || desc.trans_id != seq || (u32)len != packet_len(seq)) {
			fail(s, "lost, duplicated or reordered packet", seq);
			return NULL;
		}
		for (i = 0; i < len; i++)
			if (buf[i] != packet_byte(seq, i)) {
				fail(s, "corrupted packet", seq);
				return NULL;
			}
		if (signal) {
			s->producer_signals++;
			ring_bell(s->to_producer);
		}
		seq++;
		random_delay(&seed);
	}
	return NULL;
}

FIXTURE(stress) {};
FIXTURE_SETUP(stress) {}
FIXTURE_TEARDOWN(stress) {}

/* About 20 s on two idle cores with ASan; the harness's 30 s is too tight. */
TEST_F_TIMEOUT(stress, ten_million_packets_two_threads, 600)
{
	struct stress s = { 0 };
	pthread_t p, c;

	s.hdr = calloc(1, sizeof(*s.hdr));
	s.data = malloc(DATA_SIZE);
	ASSERT_NE(NULL, s.hdr);
	ASSERT_NE(NULL, s.data);
	s.to_consumer = eventfd(0, 0);
	s.to_producer = eventfd(0, 0);
	ASSERT_LE(0, s.to_consumer);
	ASSERT_LE(0, s.to_producer);
	hvx_ring_header_init(s.hdr);

	ASSERT_EQ(0, pthread_create(&c, NULL, consumer, &s));
	ASSERT_EQ(0, pthread_create(&p, NULL, producer, &s));
	/* A failing side stops; wake the other so that it stops too. */
	pthread_join(p, NULL);
	if (s.failure)
		ring_bell(s.to_consumer);
	pthread_join(c, NULL);

	if (s.failure)
		TH_LOG("%s at packet %u", s.failure, s.failed_at);
	ASSERT_EQ(NULL, s.failure);
	TH_LOG("%u packets: %llu signals to the consumer, %llu to the producer, "
	       "%llu waits for room", PACKETS, (unsigned long long)s.consumer_signals,
	       (unsigned long long)s.producer_signals, (unsigned long long)s.producer_waits);
	close(s.to_consumer);
	close(s.to_producer);
	free(s.hdr);
	free(s.data);
}

TEST_HARNESS_MAIN
