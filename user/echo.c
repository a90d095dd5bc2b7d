// SPDX-License-Identifier: GPL-2.0
/*
 * The echo class: every packet the guest sends comes back unchanged (type,
 * transaction id, payload), but that a request comes back as its
 * completion.  The guest's test driver checks the channel bus end to end
 * with it, and the vmbus_ benchmarks time it.
 */
#include "uapi/hvx_vmbus.h"
#include "vmbus.h"

/* Packets echoed per serve call: the other devices wait meanwhile. */
#define ECHO_BUDGET	64

static int echo_serve(struct vmbus_channel *ch)
{
	struct hvx_packet_desc desc;
	unsigned int budget = ECHO_BUDGET;
	bool signal;
	int err;

	do {
		/* No signals for packets we are about to see anyway. */
		hvx_ring_mask_signals(&ch->from_guest);
		while (!(err = hvx_ring_peek(&ch->from_guest, &desc))) {
			if (!budget--) {
				/* Masked still: the bus serves us again, not a signal. */
				hvx_ring_release(&ch->from_guest, &signal);
				ch->signal_guest |= signal;
				ch->more = true;
				return 0;
			}
			hvx_ring_copy_payload(&ch->from_guest, &desc, 0, ch->buf, desc.len);
			if (desc.type == HVX_PACKET_REQUEST)
				desc.type = HVX_PACKET_COMPLETION;
			err = hvx_ring_write_one(&ch->to_guest, desc.type, desc.trans_id,
						 ch->buf, desc.len, &signal);
			if (err == -EAGAIN) {
				/*
				 * The guest has not read our echoes yet.  Its
				 * packets wait, masked: our pending-send size
				 * makes it signal when it has made room.
				 */
				hvx_ring_release(&ch->from_guest, &signal);
				ch->signal_guest |= signal;
				return 0;
			}
			if (err == -EMSGSIZE)	/* larger than its own in ring */
				err = hvx_ring_mark_broken(&ch->from_guest);
			if (err)
				return err;
			ch->signal_guest |= signal;
			hvx_ring_consume(&ch->from_guest, &desc, &signal);
			ch->signal_guest |= signal;
			ch->packets++;
		}
		if (err != -EAGAIN)
			return err;
	} while (hvx_ring_unmask_signals(&ch->from_guest));
	return 0;
}

const struct vmbus_class vmbus_echo_class = {
	.name		= "echo",
	.class_id	= HVX_CLASS_ECHO,
	.serve		= echo_serve,
};
