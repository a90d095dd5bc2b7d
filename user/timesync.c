// SPDX-License-Identifier: GPL-2.0
/*
 * The time sync class (uapi/hvx_timesync.h): samples of the host's
 * CLOCK_REALTIME against the guest's TSC, when the guest opens the
 * channel, every second, when it asks, and flagged as such after the tool
 * was stopped and continued (a pause).
 *
 * hvx runs guests without TSC offsetting or scaling, so the guest's TSC is
 * the host's: a sample reads the TSC on both sides of the clock and takes
 * the middle.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <x86intrin.h>

#include "uapi/hvx_timesync.h"
#include "vmbus.h"

struct timesync {
	bool due;		/* a periodic sample is due */
	bool resumed;		/* the next sample says so */
	uint64_t sent, unknown;
};

static void timesync_take(struct hvx_timesync_sample *s)
{
	struct timespec ts;
	uint64_t before, after;

	memset(s, 0, sizeof(*s));
	s->msg.type = HVX_TIMESYNC_MSG_SAMPLE;
	/* The serialising reads keep the clock read between the two. */
	before = __rdtscp(&(unsigned int){ 0 });
	clock_gettime(CLOCK_REALTIME, &ts);
	after = __rdtscp(&(unsigned int){ 0 });
	s->guest_tsc = before + (after - before) / 2;
	s->host_realtime_ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	s->uncertainty_ticks = after - before > UINT32_MAX ? UINT32_MAX : (uint32_t)(after - before);
}

static int timesync_init(struct vmbus_channel *ch, const char *options __attribute__((unused)),
			 char *err, size_t errlen)
{
	ch->priv = calloc(1, sizeof(struct timesync));
	if (!ch->priv) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

static void timesync_destroy(struct vmbus_channel *ch)
{
	struct timesync *t = ch->priv;

	if (t->sent || t->unknown)
		fprintf(stderr, "hvx run: timesync: %llu samples sent, %llu unknown messages dropped\n",
			(unsigned long long)t->sent, (unsigned long long)t->unknown);
	free(ch->priv);
	ch->priv = NULL;
}

static int timesync_open(struct vmbus_channel *ch)
{
	struct timesync *t = ch->priv;

	t->due = true;
	return 0;
}

static int timesync_send(struct vmbus_channel *ch, uint16_t type, uint64_t trans_id,
			 uint32_t flags)
{
	struct timesync *t = ch->priv;
	struct hvx_timesync_sample s;
	int err;

	timesync_take(&s);
	s.flags = flags;
	err = vmbus_send(ch, type, trans_id, &s, sizeof(s));
	if (!err)
		t->sent++;
	return err;
}

static int timesync_serve(struct vmbus_channel *ch)
{
	struct timesync *t = ch->priv;
	struct hvx_packet_desc desc;
	struct hvx_timesync_msg msg;
	bool signal;
	int err;

	do {
		hvx_ring_mask_signals(&ch->from_guest);
		while (!(err = hvx_ring_peek(&ch->from_guest, &desc))) {
			if (desc.type == HVX_PACKET_REQUEST && desc.len >= sizeof(msg) &&
			    !hvx_ring_copy_payload(&ch->from_guest, &desc, 0, &msg, sizeof(msg)) &&
			    msg.type == HVX_TIMESYNC_MSG_GET_SAMPLE) {
				err = timesync_send(ch, HVX_PACKET_COMPLETION, desc.trans_id, 0);
				/* No room for the answer: the request waits, masked. */
				if (err == -EAGAIN) {
					hvx_ring_release(&ch->from_guest, &signal);
					ch->signal_guest |= signal;
					return 0;
				}
				if (err)
					return err;
			} else {
				t->unknown++;
			}
			hvx_ring_consume(&ch->from_guest, &desc, &signal);
			ch->signal_guest |= signal;
		}
		if (err != -EAGAIN)
			return err;
	} while (hvx_ring_unmask_signals(&ch->from_guest));

	if (t->due || t->resumed) {
		err = timesync_send(ch, HVX_PACKET_DATA, 0, t->resumed ? HVX_TIMESYNC_F_RESUMED : 0);
		/* A guest that does not read gets the next one, not a backlog. */
		if (err && err != -EAGAIN)
			return err;
		if (!err)
			t->resumed = false;
		t->due = false;
	}
	return 0;
}

static void timesync_tick(struct vmbus_channel *ch)
{
	struct timesync *t = ch->priv;

	t->due = true;
}

static void timesync_resume(struct vmbus_channel *ch)
{
	struct timesync *t = ch->priv;

	t->resumed = true;
}

const struct vmbus_class vmbus_timesync_class = {
	.name		= "timesync",
	.class_id	= HVX_CLASS_TIMESYNC,
	.init		= timesync_init,
	.destroy	= timesync_destroy,
	.open		= timesync_open,
	.serve		= timesync_serve,
	.tick		= timesync_tick,
	.resume		= timesync_resume,
};
