// SPDX-License-Identifier: GPL-2.0
/*
 * The balloon class (uapi/hvx_balloon.h): the host sets how much memory
 * the guest keeps, the guest hands pages back, and hvx.ko frees the VMM's
 * memory behind them (HVX_DISCARD_MEMORY), so the tool's RSS drops.  Free
 * ranges the guest reports are discarded the same way.  A bitmap of the
 * pages in the balloon lets every request be checked whole before any of
 * it is done.
 *
 * `hvx balloon VM [SIZE]` reaches balloon_control() through the control
 * socket (control.c), on its own thread: what it shares with the channel
 * thread is under the lock.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "options.h"
#include "uapi/hvx.h"
#include "uapi/hvx_balloon.h"
#include "vmbus.h"

#define PAGE_SHIFT	HVX_BALLOON_PAGE_SHIFT
#define MIB_PAGES	(1U << (20 - PAGE_SHIFT))
/* The largest request: INFLATE with every frame number it may carry. */
#define MAX_REQUEST	(sizeof(struct hvx_balloon_pages) + HVX_BALLOON_MAX_PFNS * sizeof(uint64_t))

struct balloon {
	pthread_mutex_t lock;		/* the fields up to efd */
	pthread_cond_t stats_came;
	uint64_t target;		/* pages the guest should give */
	bool target_told;
	bool stats_wanted;
	bool have_stats;
	struct hvx_balloon_stats stats;
	time_t stats_time;
	bool have_status;
	struct hvx_balloon_status status;
	uint64_t pages;			/* in the balloon */
	uint64_t ram_pages;
	uint64_t refused, reported_bytes, unknown;
	bool open;
	int efd;			/* the control thread wakes the channel's */

	uint64_t *bitmap;		/* channel thread only: pages in the balloon */
	bool reply_waits;		/* a result waits for room in the guest's ring */
	uint64_t reply_trans_id;
	struct hvx_balloon_result reply;
	_Alignas(uint64_t) uint8_t req[MAX_REQUEST];
};

static void count_unknown(struct balloon *b)
{
	pthread_mutex_lock(&b->lock);
	b->unknown++;
	pthread_mutex_unlock(&b->lock);
}

static bool page_in(const struct balloon *b, uint64_t pfn)
{
	return b->bitmap[pfn / 64] & (1ULL << (pfn % 64));
}

static void page_flip(struct balloon *b, uint64_t pfn)
{
	b->bitmap[pfn / 64] ^= 1ULL << (pfn % 64);
}

static int balloon_init(struct vmbus_channel *ch, const char *options __attribute__((unused)),
			char *err, size_t errlen)
{
	struct balloon *b;

	b = calloc(1, sizeof(*b));
	if (!b) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	b->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (b->efd < 0) {
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		free(b);
		return -errno;
	}
	pthread_mutex_init(&b->lock, NULL);
	pthread_cond_init(&b->stats_came, NULL);
	ch->priv = b;
	return 0;
}

static void balloon_destroy(struct vmbus_channel *ch)
{
	struct balloon *b = ch->priv;

	if (b->refused || b->unknown)
		fprintf(stderr, "hvx run: balloon: refused %llu requests, dropped %llu unknown messages\n",
			(unsigned long long)b->refused, (unsigned long long)b->unknown);
	close(b->efd);
	pthread_cond_destroy(&b->stats_came);
	pthread_mutex_destroy(&b->lock);
	free(b->bitmap);
	free(b);
	ch->priv = NULL;
}

/* A new driver starts with an empty balloon; so does the host. */
static int balloon_open(struct vmbus_channel *ch)
{
	struct balloon *b = ch->priv;
	uint64_t ram_pages = ch->bus->ram_size >> PAGE_SHIFT;

	if (!b->bitmap) {
		b->bitmap = calloc((ram_pages + 63) / 64, sizeof(uint64_t));
		if (!b->bitmap)
			return -ENOMEM;
	}
	memset(b->bitmap, 0, (ram_pages + 63) / 64 * sizeof(uint64_t));
	b->reply_waits = false;
	ch->balloon_bytes = 0;
	pthread_mutex_lock(&b->lock);
	b->ram_pages = ram_pages;
	b->pages = 0;
	b->target_told = false;
	b->have_status = false;
	b->open = true;
	pthread_mutex_unlock(&b->lock);
	return 0;
}

static void balloon_close(struct vmbus_channel *ch)
{
	struct balloon *b = ch->priv;

	pthread_mutex_lock(&b->lock);
	b->open = false;
	pthread_mutex_unlock(&b->lock);
}

/* Frees the VMM's memory behind [@gpa, @gpa + @size): 0 or -errno. */
static int balloon_discard(struct vmbus_channel *ch, uint64_t gpa, uint64_t size)
{
	struct hvx_memory_range range = { .gpa = gpa, .size = size };

	return ioctl(ch->bus->vm_fd, HVX_DISCARD_MEMORY, &range) ? -errno : 0;
}

/* INFLATE or DEFLATE of @p, @len bytes long: 0 or -errno, all or nothing. */
static int balloon_pages(struct vmbus_channel *ch, const struct hvx_balloon_pages *p,
			 uint32_t len, bool inflate)
{
	struct balloon *b = ch->priv;
	uint64_t start = 0, run = 0;
	uint32_t i;
	int err = 0;

	if (p->count < 1 || p->count > HVX_BALLOON_MAX_PFNS ||
	    len < sizeof(*p) + p->count * sizeof(uint64_t))
		return -EINVAL;
	/* Flipping as we check also catches a frame named twice. */
	for (i = 0; i < p->count; i++) {
		if (p->pfns[i] >= b->ram_pages || page_in(b, p->pfns[i]) != !inflate)
			break;
		page_flip(b, p->pfns[i]);
	}
	if (i < p->count) {
		while (i--)
			page_flip(b, p->pfns[i]);
		return -EINVAL;
	}
	if (!inflate)
		goto done;	/* the guest's next touch faults the pages back */
	/* Runs of consecutive frames, one discard each. */
	for (i = 0; i <= p->count && !err; i++) {
		if (i < p->count && run && p->pfns[i] == start + run) {
			run++;
			continue;
		}
		if (run)
			err = balloon_discard(ch, start << PAGE_SHIFT, run << PAGE_SHIFT);
		if (i < p->count) {
			start = p->pfns[i];
			run = 1;
		}
	}
	if (err) {
		for (i = 0; i < p->count; i++)
			page_flip(b, p->pfns[i]);
		return -EIO;
	}
done:
	pthread_mutex_lock(&b->lock);
	b->pages += inflate ? p->count : -(uint64_t)p->count;
	/* For vmbus.c's reports, on this same channel thread. */
	ch->balloon_bytes = b->pages << PAGE_SHIFT;
	pthread_mutex_unlock(&b->lock);
	return 0;
}

/* REPORT of @r: free ranges, discarded but the guest's. */
static int balloon_report(struct vmbus_channel *ch, const struct hvx_balloon_ranges *r,
			  uint32_t len)
{
	struct balloon *b = ch->priv;
	uint64_t bytes = 0, pfn;
	uint32_t i;
	int err;

	if (r->count < 1 || r->count > HVX_BALLOON_MAX_RANGES ||
	    len < sizeof(*r) + r->count * sizeof(r->ranges[0]))
		return -EINVAL;
	for (i = 0; i < r->count; i++) {
		const struct hvx_balloon_range *g = &r->ranges[i];

		if (!g->size || g->size > HVX_BALLOON_MAX_RANGE_SIZE ||
		    (g->gpa | g->size) & ((1U << PAGE_SHIFT) - 1) ||
		    g->gpa >= b->ram_pages << PAGE_SHIFT ||
		    g->size > (b->ram_pages << PAGE_SHIFT) - g->gpa)
			return -EINVAL;
		for (pfn = g->gpa >> PAGE_SHIFT; pfn < (g->gpa + g->size) >> PAGE_SHIFT; pfn++)
			if (page_in(b, pfn))
				return -EINVAL;
	}
	for (i = 0; i < r->count; i++) {
		err = balloon_discard(ch, r->ranges[i].gpa, r->ranges[i].size);
		if (err)
			return -EIO;
		bytes += r->ranges[i].size;
	}
	pthread_mutex_lock(&b->lock);
	b->reported_bytes += bytes;
	pthread_mutex_unlock(&b->lock);
	return 0;
}

/* A request of the guest, in b->req: what the result says. */
static int32_t balloon_request(struct vmbus_channel *ch, const struct hvx_balloon_msg *msg,
			       uint32_t len)
{
	switch (msg->type) {
	case HVX_BALLOON_MSG_INFLATE:
	case HVX_BALLOON_MSG_DEFLATE:
		if (len < sizeof(struct hvx_balloon_pages))
			return -EINVAL;
		return balloon_pages(ch, (const void *)msg, len, msg->type == HVX_BALLOON_MSG_INFLATE);
	case HVX_BALLOON_MSG_REPORT:
		if (len < sizeof(struct hvx_balloon_ranges))
			return -EINVAL;
		return balloon_report(ch, (const void *)msg, len);
	default:
		return -EOPNOTSUPP;
	}
}

/* What the guest tells without asking: statistics and status. */
static void balloon_data(struct balloon *b, const struct hvx_balloon_msg *msg, uint32_t len)
{
	pthread_mutex_lock(&b->lock);
	if (msg->type == HVX_BALLOON_MSG_STATS && len >= sizeof(b->stats)) {
		memcpy(&b->stats, msg, sizeof(b->stats));
		b->have_stats = true;
		b->stats_time = time(NULL);
		pthread_cond_broadcast(&b->stats_came);
	} else if (msg->type == HVX_BALLOON_MSG_STATUS && len >= sizeof(b->status)) {
		memcpy(&b->status, msg, sizeof(b->status));
		b->have_status = true;
	} else {
		b->unknown++;
	}
	pthread_mutex_unlock(&b->lock);
}

/* What the host has to say: a new target, a wish for statistics. */
static int balloon_tell(struct vmbus_channel *ch)
{
	struct balloon *b = ch->priv;
	struct hvx_balloon_target target = { .msg.type = HVX_BALLOON_MSG_TARGET };
	struct hvx_balloon_msg get_stats = { .type = HVX_BALLOON_MSG_GET_STATS };
	bool tell_target, ask_stats;
	int err = 0;

	pthread_mutex_lock(&b->lock);
	tell_target = !b->target_told;
	target.pages = b->target;
	ask_stats = b->stats_wanted;
	pthread_mutex_unlock(&b->lock);

	if (tell_target) {
		err = vmbus_send(ch, HVX_PACKET_DATA, 0, &target, sizeof(target));
		if (err)
			return err;
		pthread_mutex_lock(&b->lock);
		/* Unless the control thread changed it meanwhile. */
		if (b->target == target.pages)
			b->target_told = true;
		pthread_mutex_unlock(&b->lock);
	}
	if (ask_stats) {
		err = vmbus_send(ch, HVX_PACKET_DATA, 0, &get_stats, sizeof(get_stats));
		if (err)
			return err;
		pthread_mutex_lock(&b->lock);
		b->stats_wanted = false;
		pthread_mutex_unlock(&b->lock);
	}
	return 0;
}

static int balloon_serve(struct vmbus_channel *ch)
{
	struct balloon *b = ch->priv;
	struct hvx_packet_desc desc;
	uint64_t ticks;
	bool signal;
	int err;

	if (read(b->efd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
		return -errno;
	if (b->reply_waits) {
		err = vmbus_send(ch, HVX_PACKET_COMPLETION, b->reply_trans_id, &b->reply,
				    sizeof(b->reply));
		if (err)
			return err == -EAGAIN ? 0 : err;
		b->reply_waits = false;
	}
	do {
		hvx_ring_mask_signals(&ch->from_guest);
		while (!(err = hvx_ring_peek(&ch->from_guest, &desc))) {
			const struct hvx_balloon_msg *msg = (const void *)b->req;
			uint32_t len = desc.len < MAX_REQUEST ? desc.len : MAX_REQUEST;

			hvx_ring_copy_payload(&ch->from_guest, &desc, 0, b->req, len);
			if (len < sizeof(*msg)) {
				count_unknown(b);
			} else if (desc.type == HVX_PACKET_REQUEST) {
				b->reply = (struct hvx_balloon_result){
					.msg.type = HVX_BALLOON_MSG_RESULT,
					.status = balloon_request(ch, msg, len),
				};
				pthread_mutex_lock(&b->lock);
				b->reply.balloon_pages = b->pages;
				b->refused += b->reply.status != 0;
				pthread_mutex_unlock(&b->lock);
				b->reply_trans_id = desc.trans_id;
				b->reply_waits = true;
			} else if (desc.type == HVX_PACKET_DATA) {
				balloon_data(b, msg, len);
			} else {
				count_unknown(b);
			}
			hvx_ring_consume(&ch->from_guest, &desc, &signal);
			ch->signal_guest |= signal;
			if (b->reply_waits) {
				err = vmbus_send(ch, HVX_PACKET_COMPLETION, b->reply_trans_id,
						    &b->reply, sizeof(b->reply));
				/* Done, and answered once the guest made room. */
				if (err == -EAGAIN) {
					hvx_ring_release(&ch->from_guest, &signal);
					ch->signal_guest |= signal;
					return 0;
				}
				if (err)
					return err;
				b->reply_waits = false;
			}
		}
		if (err != -EAGAIN)
			return err;
	} while (hvx_ring_unmask_signals(&ch->from_guest));
	err = balloon_tell(ch);
	return err == -EAGAIN ? 0 : err;
}

static int balloon_poll_fd(struct vmbus_channel *ch)
{
	struct balloon *b = ch->priv;

	return b->efd;
}

static void balloon_wake(struct balloon *b)
{
	if (eventfd_write(b->efd, 1))
		perror("hvx run: balloon: eventfd");
}

static void print_mib(FILE *out, const char *what, uint64_t bytes)
{
	fprintf(out, " %s %llu MiB", what, (unsigned long long)(bytes >> 20));
}

/* "balloon" prints the state; "balloon BYTES" sets what the guest keeps. */
static int balloon_control(struct vmbus_channel *ch, const char *args, FILE *out)
{
	static const char *const reasons[] = {
		[HVX_BALLOON_REACHED]	= "reached the target",
		[HVX_BALLOON_NO_MEMORY]	= "stopped short: the guest cannot give more",
		[HVX_BALLOON_OOM]	= "gave memory back to the guest under memory pressure",
	};
	struct balloon *b = ch->priv;
	uint64_t keep, ram = ch->bus->ram_size;
	struct timespec until;
	int err = 0;

	pthread_mutex_lock(&b->lock);
	if (*args) {
		if (options_parse_size(args, &keep) || keep > ram || keep < (16ULL << 20)) {
			fprintf(out, "error: %s: want a size from 16M to the guest's %llu MiB\n",
				args, (unsigned long long)(ram >> 20));
			err = -EINVAL;
			goto out;
		}
		b->target = (ram - keep) >> PAGE_SHIFT;
		b->target_told = false;
		balloon_wake(b);
		fprintf(out, "ok: the guest keeps %llu MiB, the balloon takes %llu MiB\n",
			(unsigned long long)(keep >> 20),
			(unsigned long long)(b->target / MIB_PAGES));
		goto out;
	}
	/* Fresh statistics if the guest answers within a second. */
	if (b->open) {
		b->stats_wanted = true;
		balloon_wake(b);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec++;
		pthread_cond_timedwait(&b->stats_came, &b->lock, &until);
	}
	fprintf(out, "balloon: guest memory %llu MiB, target %llu MiB, balloon %llu MiB, driver %s\n",
		(unsigned long long)(ram >> 20), (unsigned long long)(b->target / MIB_PAGES),
		(unsigned long long)(b->pages / MIB_PAGES), b->open ? "connected" : "not connected");
	if (b->have_status && b->status.reason < sizeof(reasons) / sizeof(reasons[0]))
		fprintf(out, "status: %s (balloon %llu MiB of a %llu MiB target)\n",
			reasons[b->status.reason],
			(unsigned long long)(b->status.balloon_pages / MIB_PAGES),
			(unsigned long long)(b->status.target_pages / MIB_PAGES));
	if (b->have_stats) {
		fprintf(out, "stats:");
		print_mib(out, "total", b->stats.total);
		print_mib(out, "free", b->stats.free);
		print_mib(out, "available", b->stats.available);
		print_mib(out, "cached", b->stats.cached);
		fprintf(out, " swap_in %llu swap_out %llu major_faults %llu minor_faults %llu (%lld s ago)\n",
			(unsigned long long)b->stats.swap_in, (unsigned long long)b->stats.swap_out,
			(unsigned long long)b->stats.major_faults,
			(unsigned long long)b->stats.minor_faults,
			(long long)(time(NULL) - b->stats_time));
	}
	fprintf(out, "reported %llu MiB of free memory; refused %llu requests\n",
		(unsigned long long)(b->reported_bytes >> 20), (unsigned long long)b->refused);
out:
	pthread_mutex_unlock(&b->lock);
	return err;
}

const struct vmbus_class vmbus_balloon_class = {
	.name		= "balloon",
	.class_id	= HVX_CLASS_BALLOON,
	.init		= balloon_init,
	.destroy	= balloon_destroy,
	.open		= balloon_open,
	.close		= balloon_close,
	.serve		= balloon_serve,
	.poll_fd	= balloon_poll_fd,
	.control	= balloon_control,
};
