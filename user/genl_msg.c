// SPDX-License-Identifier: GPL-2.0
/*
 * hvx.ko's generic netlink messages, parsed and printed.  The kernel is
 * trusted no more than it must be: every attribute has its exact size in
 * the policies, a message with one of another size is refused whole (it
 * means a module this tool does not understand), names are checked
 * before they reach a terminal, and arrays are never overrun.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "genl.h"
#include "run_stats.h"
#include "vm_name.h"
#include "vmbus.h"

#define U32	{ .type = NLA_U32, .minlen = sizeof(uint32_t), .maxlen = sizeof(uint32_t) }
#define U64	{ .type = NLA_U64, .minlen = sizeof(uint64_t), .maxlen = sizeof(uint64_t) }
#define NEST	{ .type = NLA_NESTED }

static const struct nla_policy attr_policy[HVX_ATTR_MAX + 1] = {
	[HVX_ATTR_VM_ID]	= U32,
	[HVX_ATTR_PID]		= U32,
	[HVX_ATTR_UID]		= U32,
	[HVX_ATTR_NAME]		= { .type = NLA_STRING, .maxlen = HVX_NAME_MAX },
	[HVX_ATTR_MEMORY]	= U64,
	[HVX_ATTR_VCPUS]	= U32,
	[HVX_ATTR_STATE]	= U32,
	[HVX_ATTR_EVENT]	= U32,
	[HVX_ATTR_VCPU]		= U32,
	[HVX_ATTR_EXIT_REASON]	= U32,
	[HVX_ATTR_EXITS]	= NEST,
	[HVX_ATTR_EXIT]		= NEST,
	[HVX_ATTR_GUEST_NS]	= U64,
	[HVX_ATTR_EXIT_PATH_NS]	= U64,
	[HVX_ATTR_HALTED_NS]	= U64,
	[HVX_ATTR_IRQS_INJECTED] = U64,
	[HVX_ATTR_RESIDENT]	= U64,
	[HVX_ATTR_BALLOON]	= U64,
	[HVX_ATTR_CHANNELS]	= NEST,
	[HVX_ATTR_CHANNEL]	= NEST,
};

static const struct nla_policy exit_policy[HVX_EXIT_ATTR_MAX + 1] = {
	[HVX_EXIT_ATTR_REASON]	= U32,
	[HVX_EXIT_ATTR_COUNT]	= U64,
};

static const struct nla_policy channel_policy[HVX_CHANNEL_ATTR_MAX + 1] = {
	[HVX_CHANNEL_ATTR_CHILD_ID]	= U32,
	[HVX_CHANNEL_ATTR_CLASS_ID]	= { .type = NLA_UNSPEC, .minlen = 16, .maxlen = 16 },
	[HVX_CHANNEL_ATTR_PACKETS_FROM_GUEST] = U64,
	[HVX_CHANNEL_ATTR_BYTES_FROM_GUEST] = U64,
	[HVX_CHANNEL_ATTR_PACKETS_TO_GUEST] = U64,
	[HVX_CHANNEL_ATTR_BYTES_TO_GUEST] = U64,
	[HVX_CHANNEL_ATTR_SIGNALS]	= U64,
	[HVX_CHANNEL_ATTR_BROKEN]	= { .type = NLA_FLAG, .maxlen = 0 },
};

/* Copies a u32 attribute if present and sets @bit in @have. */
static void get_u32(struct nlattr *a, uint32_t *v, unsigned int *have, unsigned int bit)
{
	if (!a)
		return;
	*v = nla_get_u32(a);
	*have |= bit;
}

static void get_u64(struct nlattr *a, uint64_t *v, unsigned int *have, unsigned int bit)
{
	if (!a)
		return;
	*v = nla_get_u64(a);
	*have |= bit;
}

static int parse_top(const struct nlmsghdr *nlh, struct nlattr **tb)
{
	/* libnl wants no const here, and only reads. */
	struct nlmsghdr *h = (struct nlmsghdr *)nlh;

	if (!genlmsg_valid_hdr(h, 0))
		return -EPROTO;
	return genlmsg_parse(h, 0, tb, HVX_ATTR_MAX, attr_policy) ? -EPROTO : 0;
}

/* ASCII only: isalnum() would take the locale's letters too. */
static int vm_from_attrs(struct nlattr **tb, struct vm_info *vm)
{
	memset(vm, 0, sizeof(*vm));
	get_u32(tb[HVX_ATTR_VM_ID], &vm->id, &vm->have, VM_HAVE_ID);
	get_u32(tb[HVX_ATTR_PID], &vm->pid, &vm->have, VM_HAVE_PID);
	get_u32(tb[HVX_ATTR_UID], &vm->uid, &vm->have, VM_HAVE_UID);
	get_u64(tb[HVX_ATTR_MEMORY], &vm->memory, &vm->have, VM_HAVE_MEMORY);
	get_u32(tb[HVX_ATTR_VCPUS], &vm->vcpus, &vm->have, VM_HAVE_VCPUS);
	get_u32(tb[HVX_ATTR_STATE], &vm->state, &vm->have, VM_HAVE_STATE);
	if (tb[HVX_ATTR_NAME]) {
		/* The policy saw a NUL in the attribute's last byte. */
		const char *name = nla_data(tb[HVX_ATTR_NAME]);
		size_t i;

		/*
		 * A name hvx.ko should not have let through is shown with '?'
		 * for what would reach the terminal (and matches nothing a
		 * user can ask for), but does not hide the VM: one user's odd
		 * name must not break hvx ps for everyone.
		 */
		snprintf(vm->name, sizeof(vm->name), "%s", name);
		for (i = 0; vm->name[i]; i++)
			if (!hvx_vm_name_char(vm->name[i]))
				vm->name[i] = '?';
		if (vm->name[0])
			vm->have |= VM_HAVE_NAME;
	}
	return 0;
}

int genl_parse_vm(const struct nlmsghdr *nlh, struct vm_info *vm)
{
	struct nlattr *tb[HVX_ATTR_MAX + 1];
	int err = parse_top(nlh, tb);

	return err ? err : vm_from_attrs(tb, vm);
}

static int parse_exits(struct nlattr *nest, struct vm_stats *st)
{
	struct nlattr *tb[HVX_EXIT_ATTR_MAX + 1], *a;
	int rem;

	nla_for_each_nested(a, nest, rem) {
		if (nla_type(a) != HVX_ATTR_EXIT)
			continue;
		if (nla_parse_nested(tb, HVX_EXIT_ATTR_MAX, a, exit_policy))
			return -EPROTO;
		/* A count of no known reason, or a reason without one, says nothing. */
		if (!tb[HVX_EXIT_ATTR_REASON] || !tb[HVX_EXIT_ATTR_COUNT])
			continue;
		if (st->nr_exits == VM_STATS_MAX_EXITS) {
			st->truncated = true;
			continue;
		}
		st->exits[st->nr_exits].reason = nla_get_u32(tb[HVX_EXIT_ATTR_REASON]);
		st->exits[st->nr_exits].count = nla_get_u64(tb[HVX_EXIT_ATTR_COUNT]);
		st->nr_exits++;
	}
	return 0;
}

static int parse_channel(struct nlattr *a, struct vm_channel_stats *c)
{
	struct nlattr *tb[HVX_CHANNEL_ATTR_MAX + 1];

	if (nla_parse_nested(tb, HVX_CHANNEL_ATTR_MAX, a, channel_policy))
		return -EPROTO;
	memset(c, 0, sizeof(*c));
	get_u32(tb[HVX_CHANNEL_ATTR_CHILD_ID], &c->child_id, &c->have, CHANNEL_HAVE_CHILD_ID);
	if (tb[HVX_CHANNEL_ATTR_CLASS_ID]) {
		memcpy(c->class_id, nla_data(tb[HVX_CHANNEL_ATTR_CLASS_ID]), sizeof(c->class_id));
		c->have |= CHANNEL_HAVE_CLASS_ID;
	}
	get_u64(tb[HVX_CHANNEL_ATTR_PACKETS_FROM_GUEST], &c->packets_from_guest, &c->have,
		CHANNEL_HAVE_PACKETS_FROM);
	get_u64(tb[HVX_CHANNEL_ATTR_BYTES_FROM_GUEST], &c->bytes_from_guest, &c->have,
		CHANNEL_HAVE_BYTES_FROM);
	get_u64(tb[HVX_CHANNEL_ATTR_PACKETS_TO_GUEST], &c->packets_to_guest, &c->have,
		CHANNEL_HAVE_PACKETS_TO);
	get_u64(tb[HVX_CHANNEL_ATTR_BYTES_TO_GUEST], &c->bytes_to_guest, &c->have,
		CHANNEL_HAVE_BYTES_TO);
	get_u64(tb[HVX_CHANNEL_ATTR_SIGNALS], &c->signals, &c->have, CHANNEL_HAVE_SIGNALS);
	c->broken = tb[HVX_CHANNEL_ATTR_BROKEN];
	return 0;
}

static int parse_channels(struct nlattr *nest, struct vm_stats *st)
{
	struct vm_channel_stats c;
	struct nlattr *a;
	int rem;

	nla_for_each_nested(a, nest, rem) {
		if (nla_type(a) != HVX_ATTR_CHANNEL)
			continue;
		if (parse_channel(a, &c))
			return -EPROTO;
		if (st->nr_channels == VM_STATS_MAX_CHANNELS) {
			st->truncated = true;
			continue;
		}
		st->channels[st->nr_channels++] = c;
	}
	return 0;
}

int genl_parse_stats(const struct nlmsghdr *nlh, struct vm_stats *st)
{
	struct nlattr *tb[HVX_ATTR_MAX + 1];
	int err = parse_top(nlh, tb);

	memset(st, 0, sizeof(*st));
	if (!err)
		err = vm_from_attrs(tb, &st->vm);
	if (err)
		return err;
	get_u64(tb[HVX_ATTR_GUEST_NS], &st->guest_ns, &st->have, STATS_HAVE_GUEST_NS);
	get_u64(tb[HVX_ATTR_EXIT_PATH_NS], &st->exit_path_ns, &st->have, STATS_HAVE_EXIT_PATH_NS);
	get_u64(tb[HVX_ATTR_HALTED_NS], &st->halted_ns, &st->have, STATS_HAVE_HALTED_NS);
	get_u64(tb[HVX_ATTR_IRQS_INJECTED], &st->irqs_injected, &st->have, STATS_HAVE_IRQS);
	get_u64(tb[HVX_ATTR_RESIDENT], &st->resident, &st->have, STATS_HAVE_RESIDENT);
	get_u64(tb[HVX_ATTR_BALLOON], &st->balloon, &st->have, STATS_HAVE_BALLOON);
	if (tb[HVX_ATTR_EXITS]) {
		st->have |= STATS_HAVE_EXITS;
		err = parse_exits(tb[HVX_ATTR_EXITS], st);
	}
	if (!err && tb[HVX_ATTR_CHANNELS]) {
		st->have |= STATS_HAVE_CHANNELS;
		err = parse_channels(tb[HVX_ATTR_CHANNELS], st);
	}
	return err;
}

int genl_parse_event(const struct nlmsghdr *nlh, struct vm_event *ev)
{
	struct nlattr *tb[HVX_ATTR_MAX + 1];
	struct vm_channel_stats c;
	int err = parse_top(nlh, tb);

	memset(ev, 0, sizeof(*ev));
	if (!err)
		err = vm_from_attrs(tb, &ev->vm);
	if (err)
		return err;
	get_u32(tb[HVX_ATTR_EVENT], &ev->event, &ev->have, EVENT_HAVE_EVENT);
	get_u32(tb[HVX_ATTR_VCPU], &ev->vcpu, &ev->have, EVENT_HAVE_VCPU);
	get_u32(tb[HVX_ATTR_EXIT_REASON], &ev->exit_reason, &ev->have, EVENT_HAVE_EXIT_REASON);
	if (tb[HVX_ATTR_CHANNEL]) {
		if (parse_channel(tb[HVX_ATTR_CHANNEL], &c))
			return -EPROTO;
		if (c.have & CHANNEL_HAVE_CHILD_ID) {
			ev->child_id = c.child_id;
			ev->have |= EVENT_HAVE_CHANNEL;
		}
	}
	return 0;
}

bool vm_name_valid(const char *name)
{
	return hvx_vm_name_chars_valid(name, strlen(name));
}

bool vm_arg_is_id(const char *arg)
{
	return hvx_vm_name_is_id(arg, strlen(arg));
}

int vm_lookup(const struct vm_info *vms, size_t n, const char *arg, char *err, size_t errlen)
{
	bool by_id = vm_arg_is_id(arg);
	unsigned long long id = 0;
	const char *p;
	size_t i;

	/* Saturates rather than wraps: a huge id matches nothing. */
	for (p = arg; by_id && *p && id <= UINT32_MAX; p++)
		id = id * 10 + (*p - '0');
	for (i = 0; i < n; i++) {
		if (by_id && (vms[i].have & VM_HAVE_ID) && vms[i].id == id)
			return i;
		if (!by_id && (vms[i].have & VM_HAVE_NAME) && vm_name_valid(arg) &&
		    !strcmp(vms[i].name, arg))
			return i;
	}
	if (by_id)
		snprintf(err, errlen, "no VM with id %s", arg);
	else
		snprintf(err, errlen, "no VM named '%s'", arg);
	return -1;
}

static int vm_cmp(const void *a, const void *b)
{
	const struct vm_info *x = a, *y = b;
	bool hx = x->have & VM_HAVE_ID, hy = y->have & VM_HAVE_ID;

	if (hx != hy)
		return hx ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

void vm_sort(struct vm_info *vms, size_t n)
{
	if (n)
		qsort(vms, n, sizeof(*vms), vm_cmp);
}

const char *vm_state_name(uint32_t state)
{
	switch (state) {
	case HVX_VM_STATE_CREATED:	return "created";
	case HVX_VM_STATE_RUNNING:	return "running";
	case HVX_VM_STATE_STOPPED:	return "stopped";
	case HVX_VM_STATE_SHUTDOWN:	return "shutdown";
	default:			return NULL;
	}
}

const char *vm_exit_name(uint32_t reason)
{
	return run_stats_exit_name(reason);
}

const char *vm_class_name(const uint8_t id[16], char *buf, size_t len)
{
	const struct vmbus_class *cls = vmbus_class_find(id);

	if (cls)
		return cls->name;
	/* The guid_t as Linux prints it (%pUl): its first three fields little-endian. */
	snprintf(buf, len, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 id[3], id[2], id[1], id[0], id[5], id[4], id[7], id[6], id[8], id[9],
		 id[10], id[11], id[12], id[13], id[14], id[15]);
	return buf;
}

/* Text of a field that may be missing. */
struct field {
	char s[32];
};

static const char *field_u32(struct field *f, bool have, uint32_t v)
{
	if (!have)
		return "-";
	snprintf(f->s, sizeof(f->s), "%u", v);
	return f->s;
}

static const char *state_text(struct field *f, const struct vm_info *vm)
{
	const char *name = vm_state_name(vm->state);

	if (!(vm->have & VM_HAVE_STATE))
		return "-";
	if (name)
		return name;
	snprintf(f->s, sizeof(f->s), "state-%u", vm->state);
	return f->s;
}

void vm_print_ps(FILE *out, const struct vm_info *vms, size_t n, bool header)
{
	struct field id, pid, state, vcpus, mem;
	int width = 4;
	size_t i;

	for (i = 0; i < n; i++)
		if ((vms[i].have & VM_HAVE_NAME) && (int)strlen(vms[i].name) > width)
			width = strlen(vms[i].name);
	if (header)
		fprintf(out, "%-5s  %-*s  %-7s  %-8s  %5s  %7s\n", "ID", width, "NAME", "PID",
			"STATE", "VCPUS", "MEMORY");
	for (i = 0; i < n; i++) {
		const struct vm_info *vm = &vms[i];

		snprintf(mem.s, sizeof(mem.s), "%lluM", (unsigned long long)(vm->memory >> 20));
		fprintf(out, "%-5s  %-*s  %-7s  %-8s  %5s  %7s\n",
			field_u32(&id, vm->have & VM_HAVE_ID, vm->id), width,
			vm->have & VM_HAVE_NAME ? vm->name : "-",
			field_u32(&pid, vm->have & VM_HAVE_PID, vm->pid), state_text(&state, vm),
			field_u32(&vcpus, vm->have & VM_HAVE_VCPUS, vm->vcpus),
			vm->have & VM_HAVE_MEMORY ? mem.s : "-");
	}
}

static void print_ms(FILE *out, const char *key, uint64_t ns)
{
	fprintf(out, "%s %llu.%03llu\n", key, (unsigned long long)(ns / 1000000),
		(unsigned long long)(ns / 1000 % 1000));
}

static void print_u64(FILE *out, const char *key, uint64_t v)
{
	fprintf(out, "%s %llu\n", key, (unsigned long long)v);
}

static void print_exit(FILE *out, uint32_t reason, uint64_t count)
{
	const char *name = vm_exit_name(reason);

	if (name)
		fprintf(out, "exit %s %llu\n", name, (unsigned long long)count);
	else
		fprintf(out, "exit %u %llu\n", reason, (unsigned long long)count);
}

/* One channel's line; @c holds what to print (totals or changes). */
static void print_channel(FILE *out, const struct vm_channel_stats *c)
{
	static const struct {
		const char *key;
		unsigned int bit;
		size_t offset;
	} counters[] = {
		{ "from_guest_packets", CHANNEL_HAVE_PACKETS_FROM,
		  offsetof(struct vm_channel_stats, packets_from_guest) },
		{ "from_guest_bytes", CHANNEL_HAVE_BYTES_FROM,
		  offsetof(struct vm_channel_stats, bytes_from_guest) },
		{ "to_guest_packets", CHANNEL_HAVE_PACKETS_TO,
		  offsetof(struct vm_channel_stats, packets_to_guest) },
		{ "to_guest_bytes", CHANNEL_HAVE_BYTES_TO,
		  offsetof(struct vm_channel_stats, bytes_to_guest) },
		{ "signals", CHANNEL_HAVE_SIGNALS, offsetof(struct vm_channel_stats, signals) },
	};
	char guid[40];
	size_t i;

	if (c->have & CHANNEL_HAVE_CHILD_ID)
		fprintf(out, "channel %u", c->child_id);
	else
		fprintf(out, "channel gone");
	fprintf(out, " %s", c->have & CHANNEL_HAVE_CLASS_ID ?
		vm_class_name(c->class_id, guid, sizeof(guid)) : "-");
	for (i = 0; i < sizeof(counters) / sizeof(counters[0]); i++) {
		if (c->have & counters[i].bit)
			fprintf(out, " %s %llu", counters[i].key, (unsigned long long)
				*(const uint64_t *)((const char *)c + counters[i].offset));
		else
			fprintf(out, " %s -", counters[i].key);
	}
	fprintf(out, "%s\n", c->broken ? " broken" : "");
}

static void print_gauges(FILE *out, const struct vm_stats *st)
{
	if (st->have & STATS_HAVE_RESIDENT)
		print_u64(out, "resident_mib", st->resident >> 20);
	if (st->have & STATS_HAVE_BALLOON)
		print_u64(out, "balloon_mib", st->balloon >> 20);
}

static uint64_t total_exits(const struct vm_stats *st)
{
	uint64_t sum = 0;
	unsigned int i;

	for (i = 0; i < st->nr_exits; i++)
		sum += st->exits[i].count;
	return sum;
}

void vm_print_stats(FILE *out, const struct vm_stats *st)
{
	const struct vm_info *vm = &st->vm;
	struct field f;
	unsigned int i;

	fprintf(out, "vm %s\n", field_u32(&f, vm->have & VM_HAVE_ID, vm->id));
	fprintf(out, "name %s\n", vm->have & VM_HAVE_NAME ? vm->name : "-");
	fprintf(out, "pid %s\n", field_u32(&f, vm->have & VM_HAVE_PID, vm->pid));
	fprintf(out, "uid %s\n", field_u32(&f, vm->have & VM_HAVE_UID, vm->uid));
	fprintf(out, "state %s\n", state_text(&f, vm));
	fprintf(out, "vcpus %s\n", field_u32(&f, vm->have & VM_HAVE_VCPUS, vm->vcpus));
	if (vm->have & VM_HAVE_MEMORY)
		print_u64(out, "memory_mib", vm->memory >> 20);
	if (st->have & STATS_HAVE_GUEST_NS)
		print_ms(out, "guest_ms", st->guest_ns);
	if (st->have & STATS_HAVE_EXIT_PATH_NS)
		print_ms(out, "exit_path_ms", st->exit_path_ns);
	if (st->have & STATS_HAVE_HALTED_NS)
		print_ms(out, "halted_ms", st->halted_ns);
	if (st->have & STATS_HAVE_IRQS)
		print_u64(out, "irqs_injected", st->irqs_injected);
	print_gauges(out, st);
	if (st->have & STATS_HAVE_EXITS) {
		print_u64(out, "exits", total_exits(st));
		for (i = 0; i < st->nr_exits; i++)
			print_exit(out, st->exits[i].reason, st->exits[i].count);
	}
	for (i = 0; i < st->nr_channels; i++)
		print_channel(out, &st->channels[i]);
}

/* Growth of a counter; one that went down started again from 0. */
static uint64_t growth(uint64_t prev, uint64_t cur)
{
	return cur >= prev ? cur - prev : cur;
}

static uint64_t prev_exit_count(const struct vm_stats *prev, uint32_t reason)
{
	unsigned int i;

	for (i = 0; i < prev->nr_exits; i++)
		if (prev->exits[i].reason == reason)
			return prev->exits[i].count;
	return 0;
}

/* The same channel in @prev (by child id; the gone sum matches the gone sum), or NULL. */
static const struct vm_channel_stats *prev_channel(const struct vm_stats *prev,
						    const struct vm_channel_stats *c)
{
	unsigned int i;

	for (i = 0; i < prev->nr_channels; i++) {
		const struct vm_channel_stats *p = &prev->channels[i];

		if ((p->have & CHANNEL_HAVE_CHILD_ID) != (c->have & CHANNEL_HAVE_CHILD_ID))
			continue;
		if (!(c->have & CHANNEL_HAVE_CHILD_ID) || p->child_id == c->child_id)
			return p;
	}
	return NULL;
}

static void delta_ms(FILE *out, const char *key, const struct vm_stats *prev,
		     const struct vm_stats *cur, unsigned int bit, size_t offset)
{
	uint64_t p = *(const uint64_t *)((const char *)prev + offset);
	uint64_t c = *(const uint64_t *)((const char *)cur + offset);

	if (cur->have & bit)
		print_ms(out, key, growth(prev->have & bit ? p : 0, c));
}

void vm_print_stats_delta(FILE *out, const struct vm_stats *prev, const struct vm_stats *cur,
			  double seconds)
{
	uint64_t d;
	struct field f;
	unsigned int i;

	fprintf(out, "interval_s %.3f\n", seconds);
	fprintf(out, "state %s\n", state_text(&f, &cur->vm));
	delta_ms(out, "guest_ms", prev, cur, STATS_HAVE_GUEST_NS,
		 offsetof(struct vm_stats, guest_ns));
	delta_ms(out, "exit_path_ms", prev, cur, STATS_HAVE_EXIT_PATH_NS,
		 offsetof(struct vm_stats, exit_path_ns));
	delta_ms(out, "halted_ms", prev, cur, STATS_HAVE_HALTED_NS,
		 offsetof(struct vm_stats, halted_ns));
	if (cur->have & STATS_HAVE_IRQS) {
		d = growth(prev->have & STATS_HAVE_IRQS ? prev->irqs_injected : 0,
			   cur->irqs_injected);
		print_u64(out, "irqs_injected", d);
		fprintf(out, "irqs_per_s %.1f\n", d / seconds);
	}
	print_gauges(out, cur);
	if (cur->have & STATS_HAVE_EXITS) {
		d = growth(total_exits(prev), total_exits(cur));
		print_u64(out, "exits", d);
		fprintf(out, "exits_per_s %.1f\n", d / seconds);
		for (i = 0; i < cur->nr_exits; i++) {
			d = growth(prev_exit_count(prev, cur->exits[i].reason), cur->exits[i].count);
			if (d)
				print_exit(out, cur->exits[i].reason, d);
		}
	}
	for (i = 0; i < cur->nr_channels; i++) {
		const struct vm_channel_stats *p = prev_channel(prev, &cur->channels[i]);
		struct vm_channel_stats c = cur->channels[i];

		if (p) {
			c.packets_from_guest = growth(p->packets_from_guest, c.packets_from_guest);
			c.bytes_from_guest = growth(p->bytes_from_guest, c.bytes_from_guest);
			c.packets_to_guest = growth(p->packets_to_guest, c.packets_to_guest);
			c.bytes_to_guest = growth(p->bytes_to_guest, c.bytes_to_guest);
			c.signals = growth(p->signals, c.signals);
		}
		print_channel(out, &c);
	}
}

static const char *event_name(const struct vm_event *ev, struct field *f)
{
	switch (ev->have & EVENT_HAVE_EVENT ? ev->event : 0) {
	case HVX_EVENT_VM_CREATED:	return "created";
	case HVX_EVENT_VCPU_SHUTDOWN:	return "vcpu-shutdown";
	case HVX_EVENT_CHANNEL_BROKEN:	return "channel-broken";
	case HVX_EVENT_VM_DESTROYED:	return "destroyed";
	case HVX_EVENT_VM_NAMED:	return "named";
	}
	if (!(ev->have & EVENT_HAVE_EVENT))
		return "event";
	snprintf(f->s, sizeof(f->s), "event-%u", ev->event);
	return f->s;
}

void vm_print_event(FILE *out, const struct vm_event *ev)
{
	struct field name, id;

	fprintf(out, "%s vm %s", event_name(ev, &name),
		field_u32(&id, ev->vm.have & VM_HAVE_ID, ev->vm.id));
	if (ev->vm.have & VM_HAVE_NAME)
		fprintf(out, " name %s", ev->vm.name);
	if (ev->vm.have & VM_HAVE_PID)
		fprintf(out, " pid %u", ev->vm.pid);
	if (ev->have & EVENT_HAVE_VCPU)
		fprintf(out, " vcpu %u", ev->vcpu);
	if (ev->have & EVENT_HAVE_EXIT_REASON)
		fprintf(out, " reason %u", ev->exit_reason);
	if (ev->have & EVENT_HAVE_CHANNEL)
		fprintf(out, " channel %u", ev->child_id);
	fputc('\n', out);
}
