// SPDX-License-Identifier: GPL-2.0
/*
 * The echo class (user/echo.c) through real rings, with this test as the
 * guest: what it sends comes back, and a guest that sends without pause
 * gets a bounded number of packets echoed per turn.
 */
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "uapi/hvx_vmbus.h"
#include "vmbus.h"
#include "fake_guest.h"

#define RING_SIZE	(64 * 1024)

FIXTURE(echo)
{
	struct vmbus bus;
	struct vmbus_channel *ch;
	struct fake_guest guest;
	uint8_t *chbuf;
};

FIXTURE_SETUP(echo)
{
	char err[128];

	memset(&self->bus, 0, sizeof(self->bus));
	fake_guest_alloc(&self->guest, RING_SIZE, RING_SIZE);
	self->chbuf = malloc(RING_SIZE);
	ASSERT_NE(NULL, self->chbuf);
	ASSERT_EQ(0, vmbus_add(&self->bus, "echo", err, sizeof(err))) TH_LOG("%s", err);
	self->ch = &self->bus.devices[0];
	self->ch->buf = self->chbuf;
	fake_guest_attach(&self->guest, self->ch, RING_SIZE, RING_SIZE);
	self->ch->open = true;
}

FIXTURE_TEARDOWN(echo)
{
	vmbus_destroy(&self->bus);
	fake_guest_free(&self->guest);
	free(self->chbuf);
}

/*
 * Finding 18: one serve call echoed everything the guest sent, so a busy
 * channel held the bus thread from the VM's other devices and its ticks.
 */
TEST_F(echo, packets_per_turn_are_bounded)
{
	const unsigned int npackets = 300;
	struct hvx_packet_desc desc;
	unsigned int i, turns = 1, got = 0;
	uint64_t first, value;
	int64_t len;

	for (i = 0; i < npackets; i++) {
		value = i;
		ASSERT_EQ(0, fake_guest_send(&self->guest, HVX_PACKET_REQUEST, i, &value,
					     sizeof(value)));
	}
	ASSERT_EQ(0, host_serve(self->ch));
	first = self->ch->from_guest.packets;
	EXPECT_LT(0, first);
	EXPECT_GT(npackets, first) TH_LOG("one turn echoed all %llu", (unsigned long long)first);
	EXPECT_TRUE(self->ch->more);
	while (self->ch->more && turns++ < npackets)
		ASSERT_EQ(0, host_serve(self->ch));
	EXPECT_FALSE(self->ch->more);
	TH_LOG("%u packets in %u turns", npackets, turns);

	/* Each came back once, in order, as its completion. */
	while ((len = fake_guest_read(&self->guest, &desc, &value, sizeof(value))) >= 0) {
		ASSERT_EQ(sizeof(value), len);
		ASSERT_EQ(HVX_PACKET_COMPLETION, desc.type);
		ASSERT_EQ(got, desc.trans_id);
		ASSERT_EQ(got, value);
		got++;
	}
	EXPECT_EQ(npackets, got);
}

TEST_HARNESS_MAIN
