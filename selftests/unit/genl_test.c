// SPDX-License-Identifier: GPL-2.0
/*
 * The tool's side of hvx.ko's generic netlink family without the family:
 * messages built here with libnl as the kernel would send them (and as
 * a broken or hostile one might) go through user/genl_msg.c's parsers and
 * printers; the VM lookup and the command lines of ps, stats and events.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "args.h"
#include "genl.h"
#include "uapi/hvx.h"
#include "uapi/hvx_blk.h"
#include "uapi/hvx_net.h"
#include "kselftest_harness.h"

#define FAMILY		0x20
/* user/hvx.h's, which kmod/hvx.h hides from this directory. */
#define HVX_EXIT_OK	0
#define HVX_EXIT_USAGE	2
#define MIB		(1ULL << 20)

static const uint8_t echo_id[16] = HVX_CLASS_ECHO;
static const uint8_t net_id[16] = HVX_CLASS_NET;

static struct nl_msg *new_msg(uint8_t cmd)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (msg && !genlmsg_put(msg, 0, 0, FAMILY, 0, 0, cmd, HVX_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/* VM 3 "web" of pid 1234 and uid 1000, 512 MiB, 1 vCPU, running. */
static int put_vm(struct nl_msg *msg)
{
	return nla_put_u32(msg, HVX_ATTR_VM_ID, 3) ||
	       nla_put_u32(msg, HVX_ATTR_PID, 1234) ||
	       nla_put_u32(msg, HVX_ATTR_UID, 1000) ||
	       nla_put_string(msg, HVX_ATTR_NAME, "web") ||
	       nla_put_u64(msg, HVX_ATTR_MEMORY, 512 * MIB) ||
	       nla_put_u32(msg, HVX_ATTR_VCPUS, 1) ||
	       nla_put_u32(msg, HVX_ATTR_STATE, HVX_VM_STATE_RUNNING);
}

static int put_exit(struct nl_msg *msg, uint32_t reason, uint64_t count)
{
	struct nlattr *nest = nla_nest_start(msg, HVX_ATTR_EXIT);

	if (!nest || nla_put_u32(msg, HVX_EXIT_ATTR_REASON, reason) ||
	    nla_put_u64(msg, HVX_EXIT_ATTR_COUNT, count))
		return -1;
	return nla_nest_end(msg, nest);
}

/* A channel with counters @base, @base + 1...; @child 0: the gone channels' sum. */
static int put_channel(struct nl_msg *msg, uint32_t child, const uint8_t *class_id,
		       uint64_t base, bool broken)
{
	struct nlattr *nest = nla_nest_start(msg, HVX_ATTR_CHANNEL);

	if (!nest || (child && nla_put_u32(msg, HVX_CHANNEL_ATTR_CHILD_ID, child)) ||
	    (class_id && nla_put(msg, HVX_CHANNEL_ATTR_CLASS_ID, 16, class_id)) ||
	    nla_put_u64(msg, HVX_CHANNEL_ATTR_PACKETS_FROM_GUEST, base) ||
	    nla_put_u64(msg, HVX_CHANNEL_ATTR_BYTES_FROM_GUEST, base + 1) ||
	    nla_put_u64(msg, HVX_CHANNEL_ATTR_PACKETS_TO_GUEST, base + 2) ||
	    nla_put_u64(msg, HVX_CHANNEL_ATTR_BYTES_TO_GUEST, base + 3) ||
	    nla_put_u64(msg, HVX_CHANNEL_ATTR_SIGNALS, base + 4) ||
	    (broken && nla_put_flag(msg, HVX_CHANNEL_ATTR_BROKEN)))
		return -1;
	return nla_nest_end(msg, nest);
}

/* The stats of put_vm()'s VM scaled by @k: exits, three channels. */
static struct nl_msg *stats_msg(uint64_t k)
{
	struct nl_msg *msg = new_msg(HVX_CMD_GET_STATS);
	struct nlattr *nest;

	if (!msg || put_vm(msg) ||
	    nla_put_u64(msg, HVX_ATTR_GUEST_NS, 1234567890ULL * k) ||
	    nla_put_u64(msg, HVX_ATTR_EXIT_PATH_NS, 89000 * k) ||
	    nla_put_u64(msg, HVX_ATTR_HALTED_NS, 5000000000ULL * k) ||
	    nla_put_u64(msg, HVX_ATTR_IRQS_INJECTED, 55 * k) ||
	    nla_put_u64(msg, HVX_ATTR_RESIDENT, 200 * MIB) ||
	    nla_put_u64(msg, HVX_ATTR_BALLOON, 64 * MIB))
		goto fail;
	nest = nla_nest_start(msg, HVX_ATTR_EXITS);
	if (!nest || put_exit(msg, 12, 100 * k) || put_exit(msg, 30, 200 * k) ||
	    put_exit(msg, 77, 5) || nla_nest_end(msg, nest))
		goto fail;
	nest = nla_nest_start(msg, HVX_ATTR_CHANNELS);
	if (!nest || put_channel(msg, 1, echo_id, 10 * k, false) ||
	    put_channel(msg, 2, net_id, 20, true) || put_channel(msg, 0, NULL, 40, false) ||
	    nla_nest_end(msg, nest))
		goto fail;
	return msg;
fail:
	nlmsg_free(msg);
	return NULL;
}

/* What @call printed on out, malloc()ed in @text. */
#define CAPTURE(text, call) do {				\
	size_t _len;						\
	FILE *out = open_memstream(&(text), &_len);		\
								\
	ASSERT_NE(NULL, out);					\
	call;							\
	ASSERT_EQ(0, fclose(out));				\
} while (0)

TEST(vm_every_attribute)
{
	struct nl_msg *msg = new_msg(HVX_CMD_GET_VM);
	struct vm_info vm;

	ASSERT_NE(NULL, msg);
	ASSERT_EQ(0, put_vm(msg));
	ASSERT_EQ(0, genl_parse_vm(nlmsg_hdr(msg), &vm));
	EXPECT_EQ(VM_HAVE_ID | VM_HAVE_PID | VM_HAVE_UID | VM_HAVE_NAME | VM_HAVE_MEMORY |
		  VM_HAVE_VCPUS | VM_HAVE_STATE, vm.have);
	EXPECT_EQ(3, vm.id);
	EXPECT_EQ(1234, vm.pid);
	EXPECT_EQ(1000, vm.uid);
	EXPECT_STREQ("web", vm.name);
	EXPECT_EQ(512 * MIB, vm.memory);
	EXPECT_EQ(1, vm.vcpus);
	EXPECT_EQ(HVX_VM_STATE_RUNNING, vm.state);
	nlmsg_free(msg);
}

TEST(vm_missing_attributes_stay_missing)
{
	struct nl_msg *msg = new_msg(HVX_CMD_GET_VM);
	struct vm_info vm;
	char *text;

	ASSERT_NE(NULL, msg);
	ASSERT_EQ(0, nla_put_u32(msg, HVX_ATTR_VM_ID, 9));
	/* Attributes of a newer module are ignored. */
	ASSERT_EQ(0, nla_put_u64(msg, HVX_ATTR_MAX + 5, 1));
	ASSERT_EQ(0, genl_parse_vm(nlmsg_hdr(msg), &vm));
	EXPECT_EQ(VM_HAVE_ID, vm.have);
	EXPECT_EQ(9, vm.id);
	CAPTURE(text, vm_print_ps(out, &vm, 1, false));
	EXPECT_STREQ("9      -     -        -             -        -\n", text);
	free(text);
	nlmsg_free(msg);
}

/* Message with VM id 1 and one attribute of @type with @len bytes of 0x41. */
static int parse_with(uint16_t type, int len)
{
	struct nl_msg *msg = new_msg(HVX_CMD_GET_VM);
	char data[64];
	struct vm_info vm;
	int err;

	memset(data, 'A', sizeof(data));
	if (!msg || nla_put_u32(msg, HVX_ATTR_VM_ID, 1) || nla_put(msg, type, len, data))
		return -ENOMEM;
	err = genl_parse_vm(nlmsg_hdr(msg), &vm);
	nlmsg_free(msg);
	return err;
}

TEST(attributes_of_the_wrong_size_are_refused)
{
	EXPECT_EQ(0, parse_with(HVX_ATTR_PID, 4));
	EXPECT_EQ(-EPROTO, parse_with(HVX_ATTR_PID, 2));
	EXPECT_EQ(-EPROTO, parse_with(HVX_ATTR_PID, 8));
	EXPECT_EQ(-EPROTO, parse_with(HVX_ATTR_MEMORY, 4));
	EXPECT_EQ(-EPROTO, parse_with(HVX_ATTR_MEMORY, 12));
	EXPECT_EQ(-EPROTO, parse_with(HVX_ATTR_STATE, 0));
	/* A name without its NUL, too long, empty. */
	EXPECT_EQ(-EPROTO, parse_with(HVX_ATTR_NAME, 5));
	EXPECT_EQ(-EPROTO, parse_with(HVX_ATTR_NAME, 40));
	EXPECT_EQ(-EPROTO, parse_with(HVX_ATTR_NAME, 0));
}

static int parse_name(const char *name, size_t len, struct vm_info *vm)
{
	struct nl_msg *msg = new_msg(HVX_CMD_GET_VM);
	int err;

	if (!msg || nla_put(msg, HVX_ATTR_NAME, len, name))
		return -ENOMEM;
	err = genl_parse_vm(nlmsg_hdr(msg), vm);
	nlmsg_free(msg);
	return err;
}

TEST(names_are_checked_before_they_are_printed)
{
	char err[64];
	struct vm_info vm;

	EXPECT_EQ(0, parse_name("a.b_c-9", 8, &vm));
	EXPECT_STREQ("a.b_c-9", vm.name);
	EXPECT_EQ(0, parse_name("0123456789012345678901234567890", 32, &vm));
	EXPECT_EQ(31, strlen(vm.name));
	/* Shown defanged, found by no name. */
	EXPECT_EQ(0, parse_name("web\033[2J", 8, &vm));
	EXPECT_STREQ("web??2J", vm.name);
	EXPECT_EQ(0, parse_name("caf\xe9", 5, &vm));
	EXPECT_STREQ("caf?", vm.name);
	EXPECT_EQ(-1, vm_lookup(&vm, 1, "caf?", err, sizeof(err)));
	EXPECT_STREQ("no VM named 'caf?'", err);
	EXPECT_EQ(0, parse_name("\0\0\0", 4, &vm));
	EXPECT_EQ(0, vm.have & VM_HAVE_NAME);
}

TEST(a_truncated_message_loses_its_last_attribute)
{
	struct nl_msg *msg = new_msg(HVX_CMD_GET_VM);
	struct nlmsghdr *nlh;
	struct vm_info vm;

	ASSERT_NE(NULL, msg);
	ASSERT_EQ(0, nla_put_u32(msg, HVX_ATTR_VM_ID, 5));
	ASSERT_EQ(0, nla_put_u64(msg, HVX_ATTR_MEMORY, 64 * MIB));
	nlh = nlmsg_hdr(msg);
	nlh->nlmsg_len -= 4;	/* half of MEMORY's value */
	ASSERT_EQ(0, genl_parse_vm(nlh, &vm));
	EXPECT_EQ(VM_HAVE_ID, vm.have);
	EXPECT_EQ(5, vm.id);
	/* No room for even the generic netlink header. */
	nlh->nlmsg_len = NLMSG_HDRLEN + 2;
	EXPECT_EQ(-EPROTO, genl_parse_vm(nlh, &vm));
	nlmsg_free(msg);
}

TEST(stats_every_attribute)
{
	struct nl_msg *msg = stats_msg(1);
	struct vm_stats *st = calloc(1, sizeof(*st));
	const struct vm_channel_stats *c;

	ASSERT_NE(NULL, msg);
	ASSERT_NE(NULL, st);
	ASSERT_EQ(0, genl_parse_stats(nlmsg_hdr(msg), st));
	EXPECT_EQ(3, st->vm.id);
	EXPECT_STREQ("web", st->vm.name);
	EXPECT_EQ(0xff, st->have);
	EXPECT_EQ(1234567890ULL, st->guest_ns);
	EXPECT_EQ(89000, st->exit_path_ns);
	EXPECT_EQ(5000000000ULL, st->halted_ns);
	EXPECT_EQ(55, st->irqs_injected);
	EXPECT_EQ(200 * MIB, st->resident);
	EXPECT_EQ(64 * MIB, st->balloon);
	ASSERT_EQ(3, st->nr_exits);
	EXPECT_EQ(12, st->exits[0].reason);
	EXPECT_EQ(100, st->exits[0].count);
	EXPECT_EQ(77, st->exits[2].reason);
	EXPECT_EQ(5, st->exits[2].count);
	ASSERT_EQ(3, st->nr_channels);
	c = &st->channels[1];
	EXPECT_EQ(2, c->child_id);
	EXPECT_EQ(0, memcmp(net_id, c->class_id, 16));
	EXPECT_EQ(20, c->packets_from_guest);
	EXPECT_EQ(21, c->bytes_from_guest);
	EXPECT_EQ(22, c->packets_to_guest);
	EXPECT_EQ(23, c->bytes_to_guest);
	EXPECT_EQ(24, c->signals);
	EXPECT_TRUE(c->broken);
	EXPECT_FALSE(st->channels[0].broken);
	EXPECT_EQ(0, st->channels[2].have & (CHANNEL_HAVE_CHILD_ID | CHANNEL_HAVE_CLASS_ID));
	EXPECT_FALSE(st->truncated);
	free(st);
	nlmsg_free(msg);
}

TEST(stats_printed)
{
	struct nl_msg *msg = stats_msg(1);
	struct vm_stats *st = calloc(1, sizeof(*st));
	char *text;

	ASSERT_NE(NULL, msg);
	ASSERT_NE(NULL, st);
	ASSERT_EQ(0, genl_parse_stats(nlmsg_hdr(msg), st));
	CAPTURE(text, vm_print_stats(out, st));
	EXPECT_STREQ("vm 3\n"
		     "name web\n"
		     "pid 1234\n"
		     "uid 1000\n"
		     "state running\n"
		     "vcpus 1\n"
		     "memory_mib 512\n"
		     "guest_ms 1234.567\n"
		     "exit_path_ms 0.089\n"
		     "halted_ms 5000.000\n"
		     "irqs_injected 55\n"
		     "resident_mib 200\n"
		     "balloon_mib 64\n"
		     "exits 305\n"
		     "exit HLT 100\n"
		     "exit IO_INSTRUCTION 200\n"
		     "exit 77 5\n"
		     "channel 1 echo from_guest_packets 10 from_guest_bytes 11 to_guest_packets 12 to_guest_bytes 13 signals 14\n"
		     "channel 2 net from_guest_packets 20 from_guest_bytes 21 to_guest_packets 22 to_guest_bytes 23 signals 24 broken\n"
		     "channel gone - from_guest_packets 40 from_guest_bytes 41 to_guest_packets 42 to_guest_bytes 43 signals 44\n",
		     text);
	free(text);
	free(st);
	nlmsg_free(msg);
}

TEST(stats_changes_printed)
{
	struct nl_msg *m1 = stats_msg(1), *m2 = stats_msg(3);
	struct vm_stats *st = calloc(2, sizeof(*st));
	char *text;

	ASSERT_NE(NULL, m1);
	ASSERT_NE(NULL, m2);
	ASSERT_NE(NULL, st);
	ASSERT_EQ(0, genl_parse_stats(nlmsg_hdr(m1), &st[0]));
	ASSERT_EQ(0, genl_parse_stats(nlmsg_hdr(m2), &st[1]));
	CAPTURE(text, vm_print_stats_delta(out, &st[0], &st[1], 2.0));
	EXPECT_STREQ("interval_s 2.000\n"
		     "state running\n"
		     "guest_ms 2469.135\n"
		     "exit_path_ms 0.178\n"
		     "halted_ms 10000.000\n"
		     "irqs_injected 110\n"
		     "irqs_per_s 55.0\n"
		     "resident_mib 200\n"
		     "balloon_mib 64\n"
		     "exits 600\n"
		     "exits_per_s 300.0\n"
		     "exit HLT 200\n"
		     "exit IO_INSTRUCTION 400\n"
		     "channel 1 echo from_guest_packets 20 from_guest_bytes 20 to_guest_packets 20 to_guest_bytes 20 signals 20\n"
		     "channel 2 net from_guest_packets 0 from_guest_bytes 0 to_guest_packets 0 to_guest_bytes 0 signals 0 broken\n"
		     "channel gone - from_guest_packets 0 from_guest_bytes 0 to_guest_packets 0 to_guest_bytes 0 signals 0\n",
		     text);
	free(text);
	free(st);
	nlmsg_free(m1);
	nlmsg_free(m2);
}

TEST(stats_bad_nests)
{
	struct vm_stats *st = calloc(1, sizeof(*st));
	struct nl_msg *msg = new_msg(HVX_CMD_GET_STATS);
	struct nlattr *nest, *exit;
	uint8_t short_id[8] = { 0 };

	ASSERT_NE(NULL, st);
	ASSERT_NE(NULL, msg);
	/* An exit without its count, one with a u32 count. */
	nest = nla_nest_start(msg, HVX_ATTR_EXITS);
	exit = nla_nest_start(msg, HVX_ATTR_EXIT);
	ASSERT_EQ(0, nla_put_u32(msg, HVX_EXIT_ATTR_REASON, 12));
	nla_nest_end(msg, exit);
	nla_nest_end(msg, nest);
	ASSERT_EQ(0, genl_parse_stats(nlmsg_hdr(msg), st));
	EXPECT_EQ(STATS_HAVE_EXITS, st->have);
	EXPECT_EQ(0, st->nr_exits);
	nlmsg_free(msg);

	msg = new_msg(HVX_CMD_GET_STATS);
	ASSERT_NE(NULL, msg);
	nest = nla_nest_start(msg, HVX_ATTR_EXITS);
	exit = nla_nest_start(msg, HVX_ATTR_EXIT);
	ASSERT_EQ(0, nla_put_u32(msg, HVX_EXIT_ATTR_REASON, 12));
	ASSERT_EQ(0, nla_put_u32(msg, HVX_EXIT_ATTR_COUNT, 7));
	nla_nest_end(msg, exit);
	nla_nest_end(msg, nest);
	EXPECT_EQ(-EPROTO, genl_parse_stats(nlmsg_hdr(msg), st));
	nlmsg_free(msg);

	/* A class id of 8 bytes. */
	msg = new_msg(HVX_CMD_GET_STATS);
	ASSERT_NE(NULL, msg);
	nest = nla_nest_start(msg, HVX_ATTR_CHANNELS);
	exit = nla_nest_start(msg, HVX_ATTR_CHANNEL);
	ASSERT_EQ(0, nla_put(msg, HVX_CHANNEL_ATTR_CLASS_ID, sizeof(short_id), short_id));
	nla_nest_end(msg, exit);
	nla_nest_end(msg, nest);
	EXPECT_EQ(-EPROTO, genl_parse_stats(nlmsg_hdr(msg), st));
	nlmsg_free(msg);
	free(st);
}

TEST(stats_more_exits_than_room)
{
	struct vm_stats *st = calloc(1, sizeof(*st));
	struct nl_msg *msg = nlmsg_alloc_size(65536);
	struct nlattr *nest;
	uint32_t i;

	ASSERT_NE(NULL, st);
	ASSERT_NE(NULL, msg);
	ASSERT_NE(NULL, genlmsg_put(msg, 0, 0, FAMILY, 0, 0, HVX_CMD_GET_STATS, 1));
	nest = nla_nest_start(msg, HVX_ATTR_EXITS);
	for (i = 0; i < VM_STATS_MAX_EXITS + 3; i++)
		ASSERT_EQ(0, put_exit(msg, i, 1));
	nla_nest_end(msg, nest);
	ASSERT_EQ(0, genl_parse_stats(nlmsg_hdr(msg), st));
	EXPECT_EQ(VM_STATS_MAX_EXITS, st->nr_exits);
	EXPECT_TRUE(st->truncated);
	nlmsg_free(msg);
	free(st);
}

static struct nl_msg *event_msg(uint32_t event)
{
	struct nl_msg *msg = new_msg(HVX_CMD_EVENT);

	if (!msg || put_vm(msg) || nla_put_u32(msg, HVX_ATTR_EVENT, event)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/* @msg's event as printed. */
static char *event_text(struct nl_msg *msg)
{
	struct vm_event ev;
	char *text = NULL;
	size_t len;
	FILE *out;

	if (!msg || genl_parse_event(nlmsg_hdr(msg), &ev))
		return NULL;
	out = open_memstream(&text, &len);
	if (!out)
		return NULL;
	vm_print_event(out, &ev);
	fclose(out);
	nlmsg_free(msg);
	return text;
}

TEST(events_printed)
{
	struct nl_msg *msg;
	struct nlattr *nest;
	char *text;

	text = event_text(event_msg(HVX_EVENT_VM_NAMED));
	EXPECT_STREQ("named vm 3 name web pid 1234\n", text);
	free(text);

	msg = event_msg(HVX_EVENT_VCPU_SHUTDOWN);
	ASSERT_NE(NULL, msg);
	ASSERT_EQ(0, nla_put_u32(msg, HVX_ATTR_VCPU, 0));
	ASSERT_EQ(0, nla_put_u32(msg, HVX_ATTR_EXIT_REASON, HVX_EXIT_SHUTDOWN));
	text = event_text(msg);
	EXPECT_STREQ("vcpu-shutdown vm 3 name web pid 1234 vcpu 0 reason 4\n", text);
	free(text);

	msg = event_msg(HVX_EVENT_CHANNEL_BROKEN);
	ASSERT_NE(NULL, msg);
	nest = nla_nest_start(msg, HVX_ATTR_CHANNEL);
	ASSERT_EQ(0, nla_put_u32(msg, HVX_CHANNEL_ATTR_CHILD_ID, 5));
	nla_nest_end(msg, nest);
	text = event_text(msg);
	EXPECT_STREQ("channel-broken vm 3 name web pid 1234 channel 5\n", text);
	free(text);

	text = event_text(event_msg(HVX_EVENT_VM_DESTROYED));
	EXPECT_STREQ("destroyed vm 3 name web pid 1234\n", text);
	free(text);

	text = event_text(event_msg(99));
	EXPECT_STREQ("event-99 vm 3 name web pid 1234\n", text);
	free(text);

	msg = new_msg(HVX_CMD_EVENT);
	ASSERT_NE(NULL, msg);
	ASSERT_EQ(0, nla_put_u32(msg, HVX_ATTR_EVENT, HVX_EVENT_VM_CREATED));
	ASSERT_EQ(0, nla_put_u32(msg, HVX_ATTR_VM_ID, 4));
	ASSERT_EQ(0, nla_put_u32(msg, HVX_ATTR_PID, 77));
	text = event_text(msg);
	EXPECT_STREQ("created vm 4 pid 77\n", text);
	free(text);

	/* A channel that is a u32, not a nest of one: refused, not misread. */
	msg = event_msg(HVX_EVENT_CHANNEL_BROKEN);
	ASSERT_NE(NULL, msg);
	ASSERT_EQ(0, nla_put_u32(msg, HVX_ATTR_CHANNEL, 5));
	text = event_text(msg);
	EXPECT_EQ(NULL, strstr(text ? text : "", "channel 5"));
	free(text);
}

static const struct vm_info vms[] = {
	{ .have = VM_HAVE_ID | VM_HAVE_NAME, .id = 3, .name = "web" },
	{ .have = VM_HAVE_ID, .id = 7 },
	{ .have = VM_HAVE_ID | VM_HAVE_NAME, .id = 12, .name = "7" },
};

TEST(lookup_by_name_or_id)
{
	char err[64] = "";

	EXPECT_EQ(0, vm_lookup(vms, 3, "web", err, sizeof(err)));
	EXPECT_EQ(0, vm_lookup(vms, 3, "3", err, sizeof(err)));
	/* All digits is an id, even when a VM has it for a name. */
	EXPECT_EQ(1, vm_lookup(vms, 3, "7", err, sizeof(err)));
	EXPECT_EQ(2, vm_lookup(vms, 3, "12", err, sizeof(err)));
	EXPECT_EQ(1, vm_lookup(vms, 3, "007", err, sizeof(err)));
	EXPECT_EQ(-1, vm_lookup(vms, 3, "db", err, sizeof(err)));
	EXPECT_STREQ("no VM named 'db'", err);
	EXPECT_EQ(-1, vm_lookup(vms, 3, "8", err, sizeof(err)));
	EXPECT_STREQ("no VM with id 8", err);
	/* 2^32 + 3 is no VM 3. */
	EXPECT_EQ(-1, vm_lookup(vms, 3, "4294967299", err, sizeof(err)));
	EXPECT_STREQ("no VM with id 4294967299", err);
	EXPECT_EQ(-1, vm_lookup(vms, 0, "web", err, sizeof(err)));
}

TEST(names)
{
	EXPECT_TRUE(vm_name_valid("web-1.test_x"));
	EXPECT_TRUE(vm_name_valid("0123456789012345678901234567890"));
	EXPECT_FALSE(vm_name_valid("01234567890123456789012345678901"));
	EXPECT_FALSE(vm_name_valid(""));
	EXPECT_FALSE(vm_name_valid("a/b"));
	EXPECT_FALSE(vm_name_valid("a b"));
	EXPECT_FALSE(vm_name_valid("caf\xe9"));
	EXPECT_TRUE(vm_arg_is_id("42"));
	EXPECT_FALSE(vm_arg_is_id("4a"));
	EXPECT_FALSE(vm_arg_is_id(""));
}

TEST(exit_state_and_class_names)
{
	static const uint8_t other[16] = { 0x33, 0x22, 0x11, 0x00, 0x55, 0x44, 0x77, 0x66,
					   0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff };
	static const uint8_t blk_id[16] = HVX_CLASS_BLK;
	char buf[40];

	EXPECT_STREQ("EXCEPTION_NMI", vm_exit_name(0));
	EXPECT_STREQ("HLT", vm_exit_name(12));
	EXPECT_STREQ("IO_INSTRUCTION", vm_exit_name(30));
	EXPECT_STREQ("EPT_VIOLATION", vm_exit_name(48));
	EXPECT_STREQ("PREEMPTION_TIMER", vm_exit_name(52));
	EXPECT_EQ(NULL, vm_exit_name(77));
	EXPECT_STREQ("created", vm_state_name(HVX_VM_STATE_CREATED));
	EXPECT_STREQ("shutdown", vm_state_name(HVX_VM_STATE_SHUTDOWN));
	EXPECT_EQ(NULL, vm_state_name(0));
	EXPECT_STREQ("echo", vm_class_name(echo_id, buf, sizeof(buf)));
	EXPECT_STREQ("blk", vm_class_name(blk_id, buf, sizeof(buf)));
	EXPECT_STREQ("00112233-4455-6677-8899-aabbccddeeff", vm_class_name(other, buf, sizeof(buf)));
}

TEST(ps_sorted_with_a_header)
{
	struct vm_info list[3] = {
		{ .have = VM_HAVE_ID | VM_HAVE_PID | VM_HAVE_STATE | VM_HAVE_VCPUS | VM_HAVE_MEMORY,
		  .id = 10, .pid = 99, .state = HVX_VM_STATE_CREATED, .vcpus = 1,
		  .memory = 16 * MIB },
		{ .have = VM_HAVE_ID | VM_HAVE_NAME | VM_HAVE_PID | VM_HAVE_STATE |
			  VM_HAVE_VCPUS | VM_HAVE_MEMORY,
		  .id = 2, .name = "a-long-vm-name", .pid = 1234, .vcpus = 1,
		  .state = HVX_VM_STATE_STOPPED, .memory = 3072 * MIB },
		{ .have = VM_HAVE_ID | VM_HAVE_STATE, .id = 3, .state = 9 },
	};
	char *text;

	vm_sort(list, 3);
	CAPTURE(text, vm_print_ps(out, list, 3, true));
	EXPECT_STREQ("ID     NAME            PID      STATE     VCPUS   MEMORY\n"
		     "2      a-long-vm-name  1234     stopped       1    3072M\n"
		     "3      -               -        state-9       -        -\n"
		     "10     -               99       created       1      16M\n", text);
	free(text);
	CAPTURE(text, vm_print_ps(out, list, 0, true));
	EXPECT_STREQ("ID     NAME  PID      STATE     VCPUS   MEMORY\n", text);
	free(text);
}

/* Parses a command line of @cmd given as one string of words. */
static int parse(const char *cmd, const char *line, void *a, char *err, size_t errlen)
{
	char copy[256], *argv[16], *save = NULL, *w;
	int argc = 0;

	snprintf(copy, sizeof(copy), "%s", line);
	argv[argc++] = (char *)cmd;
	for (w = strtok_r(copy, " ", &save); w && argc < 15; w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	argv[argc] = NULL;
	err[0] = 0;
	if (!strcmp(cmd, "ps"))
		return ps__parse(argc, argv, a, err, errlen);
	if (!strcmp(cmd, "stats"))
		return stats__parse(argc, argv, a, err, errlen);
	return events__parse(argc, argv, a, err, errlen);
}

TEST(ps_options)
{
	struct ps_args a;
	char err[128];

	ASSERT_EQ(HVX_EXIT_OK, parse("ps", "", &a, err, sizeof(err)));
	EXPECT_TRUE(a.header);
	ASSERT_EQ(HVX_EXIT_OK, parse("ps", "--no-header", &a, err, sizeof(err)));
	EXPECT_FALSE(a.header);
	EXPECT_EQ(HVX_EXIT_USAGE, parse("ps", "--x", &a, err, sizeof(err)));
	EXPECT_STREQ("unknown option '--x' (try 'hvx ps --help')", err);
	EXPECT_EQ(HVX_EXIT_USAGE, parse("ps", "web", &a, err, sizeof(err)));
	EXPECT_STREQ("unexpected argument 'web' (try 'hvx ps --help')", err);
}

TEST(stats_options)
{
	struct stats_args a;
	char err[128];

	ASSERT_EQ(HVX_EXIT_OK, parse("stats", "web", &a, err, sizeof(err)));
	EXPECT_STREQ("web", a.vm);
	EXPECT_FALSE(a.watch);
	ASSERT_EQ(HVX_EXIT_OK, parse("stats", "web --watch", &a, err, sizeof(err)));
	EXPECT_TRUE(a.watch);
	EXPECT_EQ(1.0, a.interval);
	ASSERT_EQ(HVX_EXIT_OK, parse("stats", "--watch 2 7", &a, err, sizeof(err)));
	EXPECT_EQ(2.0, a.interval);
	EXPECT_STREQ("7", a.vm);
	/* A word after --watch that is no number is the VM. */
	ASSERT_EQ(HVX_EXIT_OK, parse("stats", "--watch web", &a, err, sizeof(err)));
	EXPECT_EQ(1.0, a.interval);
	EXPECT_STREQ("web", a.vm);
	ASSERT_EQ(HVX_EXIT_OK, parse("stats", "web --watch=0.25", &a, err, sizeof(err)));
	EXPECT_EQ(0.25, a.interval);
	EXPECT_EQ(HVX_EXIT_USAGE, parse("stats", "web --watch=x", &a, err, sizeof(err)));
	EXPECT_STREQ("--watch x: want seconds above 0 and up to a day (1, 0.5)", err);
	EXPECT_EQ(HVX_EXIT_USAGE, parse("stats", "web --watch 0", &a, err, sizeof(err)));
	EXPECT_EQ(HVX_EXIT_USAGE, parse("stats", "web --watch 1e9", &a, err, sizeof(err)));
	EXPECT_EQ(HVX_EXIT_USAGE, parse("stats", "", &a, err, sizeof(err)));
	EXPECT_STREQ("want a VM, its name or id (try 'hvx stats --help')", err);
	EXPECT_EQ(HVX_EXIT_USAGE, parse("stats", "web db", &a, err, sizeof(err)));
	EXPECT_STREQ("unexpected argument 'db' (try 'hvx stats --help')", err);
	EXPECT_EQ(HVX_EXIT_USAGE, parse("stats", "web --x", &a, err, sizeof(err)));
	EXPECT_STREQ("unknown option '--x' (try 'hvx stats --help')", err);
	ASSERT_EQ(HVX_EXIT_OK, parse("stats", "--help", &a, err, sizeof(err)));
	EXPECT_TRUE(a.help);
}

TEST(events_options)
{
	struct events_args a;
	char err[128];

	ASSERT_EQ(HVX_EXIT_OK, parse("events", "", &a, err, sizeof(err)));
	EXPECT_EQ(0, a.count);
	EXPECT_EQ(0, a.timeout);
	EXPECT_EQ(NULL, a.ready_file);
	ASSERT_EQ(HVX_EXIT_OK, parse("events", "--count 3 --timeout=1.5 --ready-file /tmp/r",
				     &a, err, sizeof(err)));
	EXPECT_EQ(3, a.count);
	EXPECT_EQ(1.5, a.timeout);
	EXPECT_STREQ("/tmp/r", a.ready_file);
	EXPECT_EQ(HVX_EXIT_USAGE, parse("events", "--count 0", &a, err, sizeof(err)));
	EXPECT_STREQ("--count 0: want a whole number from 1", err);
	EXPECT_EQ(HVX_EXIT_USAGE, parse("events", "--count=-1", &a, err, sizeof(err)));
	EXPECT_EQ(HVX_EXIT_USAGE, parse("events", "--count 99999999999", &a, err, sizeof(err)));
	EXPECT_EQ(HVX_EXIT_USAGE, parse("events", "--timeout", &a, err, sizeof(err)));
	EXPECT_STREQ("option '--timeout' wants a value (try 'hvx events --help')", err);
	EXPECT_EQ(HVX_EXIT_USAGE, parse("events", "--timeout -1", &a, err, sizeof(err)));
	EXPECT_EQ(HVX_EXIT_USAGE, parse("events", "--counts 3", &a, err, sizeof(err)));
	EXPECT_STREQ("unknown option '--counts' (try 'hvx events --help')", err);
	EXPECT_EQ(HVX_EXIT_USAGE, parse("events", "3", &a, err, sizeof(err)));
	EXPECT_STREQ("unexpected argument '3' (try 'hvx events --help')", err);
}

TEST_HARNESS_MAIN
