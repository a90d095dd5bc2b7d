// SPDX-License-Identifier: GPL-2.0
/*
 * The channel ring of vmbus/ring.h on one thread: packets in and out,
 * wrap-around, a full ring, signal suppression, and a peer that lies.
 */
#include <stdlib.h>

#include "vmbus/ring.h"
#include "kselftest_harness.h"

#define DATA_SIZE	4096

FIXTURE(ring)
{
	struct hvx_ring_header *hdr;
	u8 *data;
	struct hvx_ring tx, rx;
};

FIXTURE_SETUP(ring)
{
	self->hdr = calloc(1, sizeof(*self->hdr));
	self->data = calloc(1, DATA_SIZE);
	ASSERT_NE(NULL, self->hdr);
	ASSERT_NE(NULL, self->data);
	hvx_ring_header_init(self->hdr);
	ASSERT_EQ(0, hvx_ring_attach(&self->tx, self->hdr, self->data, DATA_SIZE, true));
	ASSERT_EQ(0, hvx_ring_attach(&self->rx, self->hdr, self->data, DATA_SIZE, false));
}

FIXTURE_TEARDOWN(ring)
{
	free(self->hdr);
	free(self->data);
}

static void fill(u8 *buf, u32 len, u32 seed)
{
	u32 i;

	for (i = 0; i < len; i++)
		buf[i] = (u8)(seed * 31 + i * 7);
}

TEST_F(ring, packets_round_trip_and_wrap)
{
	static u8 out[DATA_SIZE], in[DATA_SIZE];
	struct hvx_packet_desc desc;
	bool signal;
	u32 round, len;

	/* Sizes that are not multiples of 8 walk the packets round the end. */
	for (round = 0; round < 200; round++) {
		len = 1 + (round * 373) % 1500;
		fill(out, len, round);
		ASSERT_EQ(0, hvx_ring_write_one(&self->tx, HVX_PACKET_REQUEST, round, out, len,
						&signal));
		ASSERT_EQ(len, hvx_ring_read(&self->rx, &desc, in, sizeof(in), &signal));
		EXPECT_EQ(HVX_PACKET_REQUEST, desc.type);
		EXPECT_EQ(round, desc.trans_id);
		ASSERT_EQ(0, memcmp(out, in, len));
	}
	EXPECT_GT(self->tx.index, 20 * DATA_SIZE);
	EXPECT_EQ(-EAGAIN, hvx_ring_read(&self->rx, &desc, in, sizeof(in), &signal));
	EXPECT_EQ(200, self->rx.packets);
	EXPECT_EQ(self->tx.bytes, self->rx.bytes);
}

TEST_F(ring, payload_in_pieces)
{
	const char head[] = "head:", body[] = "the body";
	struct hvx_ring_buf bufs[] = {
		{ head, 5 }, { NULL, 0 }, { body, sizeof(body) },
	};
	struct hvx_packet_desc desc;
	char in[64];
	bool signal;

	ASSERT_EQ(0, hvx_ring_write(&self->tx, HVX_PACKET_DATA, 7, bufs, 3, &signal));
	ASSERT_EQ(0, hvx_ring_peek(&self->rx, &desc));
	ASSERT_EQ(5 + sizeof(body), desc.len);
	ASSERT_EQ(0, hvx_ring_copy_payload(&self->rx, &desc, 5, in, sizeof(body)));
	EXPECT_STREQ("the body", in);
	EXPECT_EQ(-EINVAL, hvx_ring_copy_payload(&self->rx, &desc, 6, in, sizeof(body)));
	EXPECT_EQ(-EINVAL, hvx_ring_copy_payload(&self->rx, &desc, 0xffffffffu, in, 2));
	hvx_ring_consume(&self->rx, &desc, &signal);
	EXPECT_EQ(-EAGAIN, hvx_ring_peek(&self->rx, &desc));
}

TEST_F(ring, largest_packet_fills_the_ring)
{
	static u8 out[DATA_SIZE], in[DATA_SIZE];
	u32 max = hvx_ring_max_payload(&self->tx);
	struct hvx_packet_desc desc;
	bool signal;

	EXPECT_EQ(DATA_SIZE - sizeof(desc), max);
	EXPECT_EQ(-EMSGSIZE, hvx_ring_write_one(&self->tx, HVX_PACKET_DATA, 0, out, max + 1,
						&signal));
	fill(out, max, 3);
	ASSERT_EQ(0, hvx_ring_write_one(&self->tx, HVX_PACKET_DATA, 0, out, max, &signal));
	EXPECT_TRUE(signal);
	EXPECT_EQ(-EAGAIN, hvx_ring_write_one(&self->tx, HVX_PACKET_DATA, 0, out, 1, &signal));
	EXPECT_FALSE(signal);
	EXPECT_EQ(max, hvx_ring_read(&self->rx, &desc, in, sizeof(in), &signal));
	EXPECT_TRUE(signal);	/* the producer was waiting for 24 bytes */
	EXPECT_EQ(0, memcmp(out, in, max));
}

TEST_F(ring, small_buffer_leaves_the_packet)
{
	struct hvx_packet_desc desc;
	char in[4];
	bool signal;

	ASSERT_EQ(0, hvx_ring_write_one(&self->tx, HVX_PACKET_DATA, 0, "12345", 5, &signal));
	EXPECT_EQ(-EMSGSIZE, hvx_ring_read(&self->rx, &desc, in, sizeof(in), &signal));
	EXPECT_EQ(0, hvx_ring_peek(&self->rx, &desc));
	EXPECT_EQ(5, desc.len);
}

/* A blocked producer is signalled once, by the read that makes its room. */
TEST_F(ring, pending_send_signals_once)
{
	static u8 buf[DATA_SIZE];
	struct hvx_packet_desc desc;
	int signals = 0, written = 0;
	bool signal;

	while (!hvx_ring_write_one(&self->tx, HVX_PACKET_DATA, 0, buf, 1000, &signal))
		written++;
	EXPECT_EQ(4, written);	/* 1016 bytes each */
	EXPECT_EQ(-EAGAIN, hvx_ring_write_one(&self->tx, HVX_PACKET_DATA, 0, buf, 2000, &signal));
	EXPECT_EQ(2016, self->hdr->pending_send_size);
	while (hvx_ring_read(&self->rx, &desc, buf, sizeof(buf), &signal) > 0)
		signals += signal;
	EXPECT_EQ(1, signals);
	ASSERT_EQ(0, hvx_ring_write_one(&self->tx, HVX_PACKET_DATA, 0, buf, 2000, &signal));
	EXPECT_EQ(0, self->hdr->pending_send_size);
}

TEST_F(ring, signals_are_suppressed)
{
	struct hvx_packet_desc desc;
	char in[8];
	bool signal;

	ASSERT_EQ(0, hvx_ring_write_one(&self->tx, HVX_PACKET_DATA, 0, "a", 1, &signal));
	EXPECT_TRUE(signal);	/* into an empty ring */
	ASSERT_EQ(0, hvx_ring_write_one(&self->tx, HVX_PACKET_DATA, 0, "b", 1, &signal));
	EXPECT_FALSE(signal);	/* the first signal is still being answered */

	hvx_ring_mask_signals(&self->rx);
	ASSERT_EQ(1, hvx_ring_read(&self->rx, &desc, in, sizeof(in), &signal));
	ASSERT_EQ(1, hvx_ring_read(&self->rx, &desc, in, sizeof(in), &signal));
	ASSERT_EQ(0, hvx_ring_write_one(&self->tx, HVX_PACKET_DATA, 0, "c", 1, &signal));
	EXPECT_FALSE(signal);	/* masked while draining */
	/* The consumer unmasks and finds the packet nobody signalled. */
	EXPECT_TRUE(hvx_ring_unmask_signals(&self->rx));
	ASSERT_EQ(1, hvx_ring_read(&self->rx, &desc, in, sizeof(in), &signal));
	EXPECT_FALSE(hvx_ring_unmask_signals(&self->rx));
	ASSERT_EQ(0, hvx_ring_write_one(&self->tx, HVX_PACKET_DATA, 0, "d", 1, &signal));
	EXPECT_TRUE(signal);
}

/* The read index moves once per batch, not once per packet. */
TEST_F(ring, read_index_published_per_batch)
{
	struct hvx_packet_desc desc;
	char in[64];
	bool signal;
	int i;

	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, hvx_ring_write_one(&self->tx, HVX_PACKET_DATA, i, "abc", 3, &signal));
	ASSERT_EQ(3, hvx_ring_read(&self->rx, &desc, in, sizeof(in), &signal));
	ASSERT_EQ(3, hvx_ring_read(&self->rx, &desc, in, sizeof(in), &signal));
	EXPECT_EQ(0, self->hdr->read_index);
	/* The last packet the consumer knew of ends the batch. */
	ASSERT_EQ(3, hvx_ring_read(&self->rx, &desc, in, sizeof(in), &signal));
	EXPECT_EQ(3 * 24, self->hdr->read_index);

	/* A consumer that stops early hands back what it read itself. */
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, hvx_ring_write_one(&self->tx, HVX_PACKET_DATA, i, "abc", 3, &signal));
	ASSERT_EQ(3, hvx_ring_read(&self->rx, &desc, in, sizeof(in), &signal));
	EXPECT_EQ(3 * 24, self->hdr->read_index);
	hvx_ring_release(&self->rx, &signal);
	EXPECT_EQ(4 * 24, self->hdr->read_index);

	/* A quarter of the ring consumed ends a batch too. */
	ASSERT_EQ(3, hvx_ring_read(&self->rx, &desc, in, sizeof(in), &signal));
	for (i = 0; i < 60; i++)
		ASSERT_EQ(0, hvx_ring_write_one(&self->tx, HVX_PACKET_DATA, i, "abc", 3, &signal));
	for (i = 0; i < 42; i++)
		ASSERT_EQ(3, hvx_ring_read(&self->rx, &desc, in, sizeof(in), &signal));
	EXPECT_EQ(5 * 24, self->hdr->read_index);	/* 1008 bytes held */
	ASSERT_EQ(3, hvx_ring_read(&self->rx, &desc, in, sizeof(in), &signal));
	EXPECT_EQ(5 * 24 + 43 * 24, self->hdr->read_index);	/* 1032 >= 1024 */
}

TEST(attach_rejects_bad_sizes)
{
	struct hvx_ring_header hdr;
	struct hvx_ring ring;
	u8 data[1];

	hvx_ring_header_init(&hdr);
	EXPECT_EQ(-EINVAL, hvx_ring_attach(&ring, &hdr, data, 0, true));
	EXPECT_EQ(-EINVAL, hvx_ring_attach(&ring, &hdr, data, 2048, true));
	EXPECT_EQ(-EINVAL, hvx_ring_attach(&ring, &hdr, data, 12288, true));
	EXPECT_EQ(-EINVAL, hvx_ring_attach(&ring, &hdr, data, 1ULL << 31, true));
	EXPECT_EQ(-EINVAL, hvx_ring_attach(&ring, &hdr, data, 1ULL << 32, true));
	hdr.read_index = 3;
	EXPECT_EQ(0, hvx_ring_attach(&ring, &hdr, data, 4096, false));
	EXPECT_TRUE(ring.broken);
}

/* What a hostile producer can do to a consumer. */
TEST_F(ring, consumer_refuses_lies)
{
	struct hvx_packet_desc desc = { .type = HVX_PACKET_DATA };
	char in[DATA_SIZE];
	bool signal;

	/* More in flight than the ring holds. */
	self->hdr->write_index = DATA_SIZE + 8;
	EXPECT_EQ(-EPIPE, hvx_ring_peek(&self->rx, &desc));
	/* Broken stays broken, whatever the producer does next. */
	self->hdr->write_index = 0;
	EXPECT_EQ(-EPIPE, hvx_ring_peek(&self->rx, &desc));
	EXPECT_EQ(-EPIPE, hvx_ring_read(&self->rx, &desc, in, sizeof(in), &signal));

	/* A write index that is not 8-byte aligned. */
	ASSERT_EQ(0, hvx_ring_attach(&self->rx, self->hdr, self->data, DATA_SIZE, false));
	self->hdr->write_index = 20;
	EXPECT_EQ(-EPIPE, hvx_ring_peek(&self->rx, &desc));

	/* Less in flight than a descriptor. */
	ASSERT_EQ(0, hvx_ring_attach(&self->rx, self->hdr, self->data, DATA_SIZE, false));
	self->hdr->write_index = 8;
	EXPECT_EQ(-EPIPE, hvx_ring_peek(&self->rx, &desc));

	/* A length past what was published, then one past the ring. */
	ASSERT_EQ(0, hvx_ring_attach(&self->rx, self->hdr, self->data, DATA_SIZE, false));
	desc.len = 100;
	memcpy(self->data, &desc, sizeof(desc));
	self->hdr->write_index = 64;
	EXPECT_EQ(-EPIPE, hvx_ring_peek(&self->rx, &desc));
	ASSERT_EQ(0, hvx_ring_attach(&self->rx, self->hdr, self->data, DATA_SIZE, false));
	desc.len = 0xfffffff0u;
	memcpy(self->data, &desc, sizeof(desc));
	self->hdr->write_index = DATA_SIZE;
	EXPECT_EQ(-EPIPE, hvx_ring_peek(&self->rx, &desc));
}

/* Writes 1000-byte packets until one fails; returns that error. */
static int write_until_error(struct hvx_ring *tx)
{
	static const u8 buf[1000];
	bool signal;
	int i, err = 0;

	for (i = 0; i < 16 && !err; i++)
		err = hvx_ring_write_one(tx, HVX_PACKET_DATA, 0, buf, sizeof(buf), &signal);
	return err;
}

/*
 * What a hostile consumer can do to a producer.  The producer reads the
 * read index only when it runs out of room, and finds the lie then.
 */
TEST_F(ring, producer_refuses_lies)
{
	bool signal;

	ASSERT_EQ(0, hvx_ring_write_one(&self->tx, HVX_PACKET_DATA, 0, "x", 1, &signal));
	/* Consumed beyond what was written. */
	self->hdr->read_index = 0x80000000u;
	EXPECT_EQ(-EPIPE, write_until_error(&self->tx));
	EXPECT_TRUE(self->tx.broken);
	EXPECT_EQ(-EPIPE, hvx_ring_write_one(&self->tx, HVX_PACKET_DATA, 0, "x", 1, &signal));

	/* A read index that is not 8-byte aligned. */
	self->hdr->write_index = self->hdr->read_index = 0;
	ASSERT_EQ(0, hvx_ring_attach(&self->tx, self->hdr, self->data, DATA_SIZE, true));
	self->hdr->read_index = 4;
	EXPECT_EQ(-EPIPE, write_until_error(&self->tx));

	/* An honest consumer that never reads: the producer waits, no more. */
	self->hdr->write_index = self->hdr->read_index = 0;
	ASSERT_EQ(0, hvx_ring_attach(&self->tx, self->hdr, self->data, DATA_SIZE, true));
	EXPECT_EQ(-EAGAIN, write_until_error(&self->tx));

	/* A producer index planted in the header before we attach. */
	self->hdr->write_index = 12;
	ASSERT_EQ(0, hvx_ring_attach(&self->tx, self->hdr, self->data, DATA_SIZE, true));
	EXPECT_EQ(-EPIPE, hvx_ring_write_one(&self->tx, HVX_PACKET_DATA, 0, "x", 1, &signal));
}

/*
 * Random headers and data: the consumer reads within the ring (ASan watches)
 * and every loop ends, however the bytes fall.
 */
TEST(random_garbage_never_escapes)
{
	struct hvx_ring_header *hdr = calloc(1, sizeof(*hdr));
	u8 *data = malloc(DATA_SIZE);
	static u8 in[DATA_SIZE];
	struct hvx_packet_desc desc;
	unsigned int trial, i, broken = 0;
	struct hvx_ring rx;
	bool signal;

	ASSERT_NE(NULL, hdr);
	ASSERT_NE(NULL, data);
	srandom(1);
	for (trial = 0; trial < 20000; trial++) {
		for (i = 0; i < DATA_SIZE; i++)
			data[i] = (u8)random();
		/* Small lengths now and then, so some packets pass the checks. */
		if (trial & 1)
			data[(trial * 8) % DATA_SIZE + 5] = 0, data[(trial * 8) % DATA_SIZE + 6] = 0,
			data[(trial * 8) % DATA_SIZE + 7] = 0;
		hdr->read_index = (u32)(trial * 8);
		hdr->write_index = trial % 3 ? (u32)random() : hdr->read_index + (random() % 512) * 8;
		ASSERT_EQ(0, hvx_ring_attach(&rx, hdr, data, DATA_SIZE, false));
		for (i = 0; i <= DATA_SIZE / 8; i++)
			if (hvx_ring_read(&rx, &desc, in, sizeof(in), &signal) < 0)
				break;
		ASSERT_LE(i, DATA_SIZE / 8);	/* ended: empty or broken */
		broken += rx.broken;
	}
	EXPECT_GT(broken, 1000);
	EXPECT_LT(broken, 20000);
	free(hdr);
	free(data);
}

TEST_HARNESS_MAIN
