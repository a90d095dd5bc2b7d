// SPDX-License-Identifier: GPL-2.0
/* The guest's side of a channel, for the backends' unit tests. */
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

#include "fake_guest.h"

void fake_guest_alloc(struct fake_guest *g, uint32_t out_size, uint32_t in_size)
{
	g->mem_out = aligned_alloc(4096, 4096 + out_size);
	g->mem_in = aligned_alloc(4096, 4096 + in_size);
}

void fake_guest_free(struct fake_guest *g)
{
	free(g->mem_out);
	free(g->mem_in);
	g->mem_out = g->mem_in = NULL;
}

/* A ring in @mem (a header page, then @size bytes) with @prod and @cons its ends. */
static void attach(struct hvx_ring *prod, struct hvx_ring *cons, void *mem, uint32_t size)
{
	hvx_ring_header_init(mem);
	hvx_ring_attach(prod, mem, (char *)mem + 4096, size, true);
	hvx_ring_attach(cons, mem, (char *)mem + 4096, size, false);
}

void fake_guest_attach(struct fake_guest *g, struct vmbus_channel *ch, uint32_t out_size,
		       uint32_t in_size)
{
	attach(&g->out, &ch->from_guest, g->mem_out, out_size);
	attach(&ch->to_guest, &g->in, g->mem_in, in_size);
}

int fake_guest_open(struct fake_guest *g, struct vmbus_channel *ch, uint32_t out_size,
		    uint32_t in_size)
{
	int ret;

	fake_guest_attach(g, ch, out_size, in_size);
	ret = ch->cls->open(ch);
	ch->open = !ret;
	return ret;
}

int fake_guest_send(struct fake_guest *g, uint16_t type, uint64_t id, const void *p,
		    uint32_t len)
{
	bool signal;

	return hvx_ring_write_one(&g->out, type, id, p, len, &signal);
}

int64_t fake_guest_read(struct fake_guest *g, struct hvx_packet_desc *desc, void *buf,
			uint32_t len)
{
	bool signal;

	return hvx_ring_read(&g->in, desc, buf, len, &signal);
}

int fake_guest_drain(struct fake_guest *g)
{
	struct hvx_packet_desc desc;
	uint64_t buf[64];
	int n = 0;

	while (fake_guest_read(g, &desc, buf, sizeof(buf)) >= 0)
		n++;
	return n;
}

int host_serve(struct vmbus_channel *ch)
{
	/* As vmbus.c's channel_serve(). */
	ch->signal_guest = false;
	ch->more = false;
	return ch->cls->serve(ch);
}

int capture_stderr(void (*fn)(void *), void *arg, char *buf, size_t len)
{
	char path[] = "/tmp/hvx-unit-stderr-XXXXXX";
	int fd = mkstemp(path), saved = dup(2);
	ssize_t got;

	buf[0] = 0;
	if (fd < 0 || saved < 0) {
		if (fd >= 0) {
			close(fd);
			unlink(path);
		}
		if (saved >= 0)
			close(saved);
		return -1;
	}
	/* Kept until read: a sanitizer's report would be in there. */
	fflush(stderr);
	dup2(fd, 2);
	fn(arg);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	got = pread(fd, buf, len - 1, 0);
	close(fd);
	unlink(path);
	buf[got > 0 ? got : 0] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

static void destroy_bus(void *bus)
{
	vmbus_destroy(bus);
}

int destroy_output(struct vmbus *bus, char *buf, size_t len)
{
	return capture_stderr(destroy_bus, bus, buf, len);
}
