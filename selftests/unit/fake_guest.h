/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The unit tests of the channel backends (blk, net, balloon, timesync) play
 * the guest on real rings: this is that guest's side.  A fake_guest owns
 * the memory of the two rings of one channel and the guest's ends of them:
 * it writes to @out (the channel's from_guest) and reads @in (the
 * channel's to_guest).
 */
#ifndef HVX_SELFTESTS_FAKE_GUEST_H
#define HVX_SELFTESTS_FAKE_GUEST_H

#include <stddef.h>
#include <stdint.h>

#include "vmbus.h"

struct fake_guest {
	struct hvx_ring out, in;	/* the guest writes out, reads in */
	void *mem_out, *mem_in;		/* a header page and the ring's data each */
};

/* The rings' memory, for rings of up to @out_size and @in_size bytes (NULL on failure). */
void fake_guest_alloc(struct fake_guest *g, uint32_t out_size, uint32_t in_size);
void fake_guest_free(struct fake_guest *g);

/*
 * Fresh rings between the guest and @ch: the guest's of @out_size bytes,
 * the one it reads of @in_size.
 */
void fake_guest_attach(struct fake_guest *g, struct vmbus_channel *ch, uint32_t out_size,
		       uint32_t in_size);

/*
 * The guest opens @ch: fake_guest_attach(), then the class's open; the
 * channel is open if that succeeded.  0, or its -errno.
 */
int fake_guest_open(struct fake_guest *g, struct vmbus_channel *ch, uint32_t out_size,
		    uint32_t in_size);

/* One packet from the guest: 0, or -errno. */
int fake_guest_send(struct fake_guest *g, uint16_t type, uint64_t id, const void *p,
		    uint32_t len);

/* The guest reads a packet: its length, or -errno (-EAGAIN: none). */
int64_t fake_guest_read(struct fake_guest *g, struct hvx_packet_desc *desc, void *buf,
			uint32_t len);

/* Packets waiting for the guest (read and dropped). */
int fake_guest_drain(struct fake_guest *g);

/* The host's turn: the channel's class serves it once. */
int host_serve(struct vmbus_channel *ch);

/*
 * Runs @fn(@arg) with stderr going to a file, and reads the first line it
 * printed, without its newline, into @buf (@len bytes at most, NUL
 * included; "" if it printed nothing): 0, or -1 (and @fn not run) if
 * stderr could not be redirected.
 */
int capture_stderr(void (*fn)(void *), void *arg, char *buf, size_t len);

/* vmbus_destroy(@bus) under capture_stderr(). */
int destroy_output(struct vmbus *bus, char *buf, size_t len);

#endif
