// SPDX-License-Identifier: GPL-2.0
/*
 * The channel ring between two threads on this machine (not in the
 * emulated host), next to plain memcpy on the same machine:
 *   ring_64b_pps   64-byte packets per second
 *   ring_4k_bw     MB/s in 4 KiB packets
 *   ring_64k_bw    MB/s in 64 KiB packets
 * Data flows as it would through a backend: the producer copies payloads
 * into the ring from a source larger than the caches, the consumer copies
 * them out into a destination as large; both poll, so the figure is the
 * ring's own cost.  memcpy= is one thread copying the same source into the
 * same destination in the same pieces, with no ring between.  Prints
 * "bench NAME hvx=N memcpy=N ratio=R" (higher is better); best of REPEATS.
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "vmbus/ring.h"

#define RING_SIZE	(1u << 20)
#define REPEATS		7
#define RUN_BYTES	(2ull << 30)	/* payload per run; fewer for small packets */
#define BUF_SIZE	(64u << 20)	/* source and destination: past the L3 */

static u8 *src, *dst;

/* Where the @i-th piece of @len bytes lies in the source or destination. */
static u8 *piece(u8 *buf, u64 i, u32 len)
{
	return buf + (i * len) % (BUF_SIZE - BUF_SIZE % len);
}

struct run {
	struct hvx_ring_header *hdr;
	u8 *data;
	u32 len;
	u64 packets;
	bool ok;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	/* Best effort: on one CPU the two threads just take turns. */
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static void *producer(void *arg)
{
	struct run *r = arg;
	struct hvx_ring tx;
	bool signal;
	u64 i;
	int err;

	pin(0);
	if (hvx_ring_attach(&tx, r->hdr, r->data, RING_SIZE, true))
		abort();
	for (i = 0; i < r->packets; i++) {
		while ((err = hvx_ring_write_one(&tx, HVX_PACKET_DATA, i, piece(src, i, r->len),
						 r->len, &signal)) == -EAGAIN)
			__builtin_ia32_pause();
		if (err)
			abort();
	}
	return NULL;
}

static void *consumer(void *arg)
{
	struct run *r = arg;
	struct hvx_packet_desc desc;
	struct hvx_ring rx;
	bool signal;
	u64 i;
	s64 len;

	pin(1);
	if (hvx_ring_attach(&rx, r->hdr, r->data, RING_SIZE, false))
		abort();
	hvx_ring_mask_signals(&rx);
	r->ok = true;
	for (i = 0; i < r->packets; i++) {
		while ((len = hvx_ring_read(&rx, &desc, piece(dst, i, r->len), r->len,
					    &signal)) == -EAGAIN)
			__builtin_ia32_pause();
		if (len != r->len || desc.trans_id != i)
			r->ok = false;
	}
	return NULL;
}

/* Seconds for one run of @packets packets of @len bytes through the ring. */
static double ring_run(u32 len, u64 packets)
{
	struct run r = { .len = len, .packets = packets };
	pthread_t p, c;
	double t0, t;

	r.hdr = aligned_alloc(4096, sizeof(*r.hdr));
	r.data = aligned_alloc(4096, RING_SIZE);
	if (!r.hdr || !r.data)
		abort();
	hvx_ring_header_init(r.hdr);
	memset(r.data, 0, RING_SIZE);
	t0 = now();
	pthread_create(&c, NULL, consumer, &r);
	pthread_create(&p, NULL, producer, &r);
	pthread_join(p, NULL);
	pthread_join(c, NULL);
	t = now() - t0;
	if (!r.ok) {
		fprintf(stderr, "ring bench: packets lost or out of order\n");
		exit(1);
	}
	free(r.hdr);
	free(r.data);
	return t;
}

/* Seconds for copying the same pieces with memcpy, no ring between. */
static double memcpy_run(u32 len, u64 packets)
{
	double t0 = now();
	u64 i;

	for (i = 0; i < packets; i++) {
		memcpy(piece(dst, i, len), piece(src, i, len), len);
		/* Keep the compiler from dropping copies nobody reads. */
		__asm__ volatile("" : : "r"(dst) : "memory");
	}
	return now() - t0;
}

static void bench(const char *name, u32 len, bool bandwidth)
{
	u64 packets = RUN_BYTES / len;
	double ring_best = 0, copy_best = 0, ring, copy;
	int i;

	if (packets > 20000000)
		packets = 20000000;
	for (i = 0; i < REPEATS; i++) {
		ring = ring_run(len, packets);
		copy = memcpy_run(len, packets);
		if (!ring_best || ring < ring_best)
			ring_best = ring;
		if (!copy_best || copy < copy_best)
			copy_best = copy;
	}
	if (bandwidth)
		printf("bench %s hvx=%.0f memcpy=%.0f ratio=%.2f\n", name,
		       packets * (double)len / ring_best / 1e6,
		       packets * (double)len / copy_best / 1e6, copy_best / ring_best);
	else
		printf("bench %s hvx=%.0f memcpy=%.0f ratio=%.2f\n", name,
		       packets / ring_best, packets / copy_best, copy_best / ring_best);
	fflush(stdout);
}

int main(void)
{
	src = aligned_alloc(4096, BUF_SIZE);
	dst = aligned_alloc(4096, BUF_SIZE);
	if (!src || !dst)
		abort();
	/* Fault both in before anything is timed. */
	memset(src, 0x5a, BUF_SIZE);
	memset(dst, 0, BUF_SIZE);
	printf("# ring benchmarks: two threads, a %u KiB ring, best of %d runs\n",
	       RING_SIZE >> 10, REPEATS);
	bench("ring_64b_pps", 64, false);
	bench("ring_4k_bw", 4096, true);
	bench("ring_64k_bw", 65536, true);
	return 0;
}
