// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "hvx" as any tool sees it, with libnl and no
 * help from the hvx tool: the VM list, names, counters that move with the
 * guest, backends' channel reports, lifecycle events, and who may read
 * what.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>

#include "vm_harness.h"
#include "uapi/hvx.h"
#include "uapi/hvx_genl.h"
#include "uapi/hvx_vmbus.h"
#include "vm.h"

#define MEM_SIZE	(4UL << 20)

static const uint8_t echo_class[16] = HVX_CLASS_ECHO;

/* What one message of the family said, the attributes this test reads. */
struct reply {
	int seen;
	uint32_t id, pid, uid, vcpus, state, event, vcpu, exit_reason, child_id;
	char name[HVX_NAME_MAX];
	uint64_t memory, guest_ns, exit_path_ns, irqs, resident, balloon;
	uint64_t exits[HVX_NR_VMX_EXIT_REASONS];
	/* The channel with @want_child (0: the gone channels' sum). */
	uint32_t want_child;
	bool channel_seen, broken;
	uint64_t from_guest_packets, from_guest_bytes, to_guest_packets, to_guest_bytes;
};

/* A dump's VMs, by id, for the few this test creates. */
struct dump {
	int n;
	struct reply vms[16];
};

static int family_id(struct nl_sock *sk)
{
	return genl_ctrl_resolve(sk, HVX_GENL_NAME);
}

static struct nl_sock *connect_family(void)
{
	struct nl_sock *sk = nl_socket_alloc();

	if (!sk || genl_connect(sk)) {
		nl_socket_free(sk);
		return NULL;
	}
	nl_socket_disable_auto_ack(sk);
	return sk;
}

static uint64_t get_u64(struct nlattr *a)
{
	return a && nla_len(a) == 8 ? nla_get_u64(a) : UINT64_MAX;
}

static uint32_t get_u32(struct nlattr *a)
{
	return a && nla_len(a) == 4 ? nla_get_u32(a) : UINT32_MAX;
}

static void parse_channel(struct reply *r, struct nlattr *nest)
{
	struct nlattr *tb[HVX_CHANNEL_ATTR_MAX + 1];
	uint32_t child;

	if (nla_parse_nested(tb, HVX_CHANNEL_ATTR_MAX, nest, NULL))
		return;
	child = tb[HVX_CHANNEL_ATTR_CHILD_ID] ? get_u32(tb[HVX_CHANNEL_ATTR_CHILD_ID]) : 0;
	if (child != r->want_child)
		return;
	r->channel_seen = true;
	r->broken = tb[HVX_CHANNEL_ATTR_BROKEN];
	r->from_guest_packets = get_u64(tb[HVX_CHANNEL_ATTR_PACKETS_FROM_GUEST]);
	r->from_guest_bytes = get_u64(tb[HVX_CHANNEL_ATTR_BYTES_FROM_GUEST]);
	r->to_guest_packets = get_u64(tb[HVX_CHANNEL_ATTR_PACKETS_TO_GUEST]);
	r->to_guest_bytes = get_u64(tb[HVX_CHANNEL_ATTR_BYTES_TO_GUEST]);
}

static void parse(struct reply *r, struct nlattr **tb)
{
	struct nlattr *a;
	int rem;

	r->seen++;
	r->id = get_u32(tb[HVX_ATTR_VM_ID]);
	r->pid = get_u32(tb[HVX_ATTR_PID]);
	r->uid = get_u32(tb[HVX_ATTR_UID]);
	r->vcpus = get_u32(tb[HVX_ATTR_VCPUS]);
	r->state = get_u32(tb[HVX_ATTR_STATE]);
	r->event = get_u32(tb[HVX_ATTR_EVENT]);
	r->vcpu = get_u32(tb[HVX_ATTR_VCPU]);
	r->exit_reason = get_u32(tb[HVX_ATTR_EXIT_REASON]);
	r->memory = get_u64(tb[HVX_ATTR_MEMORY]);
	r->guest_ns = get_u64(tb[HVX_ATTR_GUEST_NS]);
	r->exit_path_ns = get_u64(tb[HVX_ATTR_EXIT_PATH_NS]);
	r->irqs = get_u64(tb[HVX_ATTR_IRQS_INJECTED]);
	r->resident = get_u64(tb[HVX_ATTR_RESIDENT]);
	r->balloon = get_u64(tb[HVX_ATTR_BALLOON]);
	r->name[0] = 0;
	if (tb[HVX_ATTR_NAME])
		nla_strlcpy(r->name, tb[HVX_ATTR_NAME], sizeof(r->name));
	if (tb[HVX_ATTR_EXITS]) {
		nla_for_each_nested(a, tb[HVX_ATTR_EXITS], rem) {
			struct nlattr *e[HVX_EXIT_ATTR_MAX + 1];
			uint32_t reason;

			if (nla_parse_nested(e, HVX_EXIT_ATTR_MAX, a, NULL))
				continue;
			reason = get_u32(e[HVX_EXIT_ATTR_REASON]);
			if (reason < HVX_NR_VMX_EXIT_REASONS)
				r->exits[reason] = get_u64(e[HVX_EXIT_ATTR_COUNT]);
		}
	}
	if (tb[HVX_ATTR_CHANNELS])
		nla_for_each_nested(a, tb[HVX_ATTR_CHANNELS], rem)
			parse_channel(r, a);
	if (tb[HVX_ATTR_CHANNEL]) {
		struct nlattr *c[HVX_CHANNEL_ATTR_MAX + 1];

		if (!nla_parse_nested(c, HVX_CHANNEL_ATTR_MAX, tb[HVX_ATTR_CHANNEL], NULL))
			r->child_id = get_u32(c[HVX_CHANNEL_ATTR_CHILD_ID]);
	}
}

static int on_reply(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[HVX_ATTR_MAX + 1];

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, HVX_ATTR_MAX, NULL))
		return NL_SKIP;
	parse(arg, tb);
	return NL_OK;
}

static int on_dump(struct nl_msg *msg, void *arg)
{
	struct dump *d = arg;

	if (d->n == (int)(sizeof(d->vms) / sizeof(d->vms[0])))
		return NL_SKIP;
	return on_reply(msg, &d->vms[d->n++]);
}

/*
 * One request for the VM with @id (or @name if set): 0 with @r filled, or
 * libnl's negative error (-NLE_PERM for EPERM, -NLE_OBJ_NOTFOUND for ENOENT).
 */
static int request(uint8_t cmd, uint32_t id, const char *name, struct reply *r)
{
	struct nl_sock *sk = connect_family();
	struct nl_msg *msg = nlmsg_alloc();
	int family, err = -NLE_NOMEM;
	uint32_t want = r->want_child;

	memset(r, 0, sizeof(*r));
	r->want_child = want;
	if (!sk || !msg)
		goto out;
	family = family_id(sk);
	err = family;
	if (family < 0)
		goto out;
	err = -NLE_NOMEM;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, 0, cmd, HVX_GENL_VERSION) ||
	    (name ? nla_put_string(msg, HVX_ATTR_NAME, name) : nla_put_u32(msg, HVX_ATTR_VM_ID, id)))
		goto out;
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, on_reply, r);
	err = nl_send_auto(sk, msg);
	if (err >= 0)
		err = nl_recvmsgs_default(sk);
	if (err > 0)
		err = 0;
out:
	nlmsg_free(msg);
	nl_socket_free(sk);
	return err;
}

static int dump_vms(struct dump *d)
{
	struct nl_sock *sk = connect_family();
	int family, err = -NLE_NOMEM;

	memset(d, 0, sizeof(*d));
	if (!sk)
		return err;
	family = family_id(sk);
	err = family;
	if (family >= 0)
		err = genl_send_simple(sk, family, HVX_CMD_GET_VM, HVX_GENL_VERSION, NLM_F_DUMP);
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, on_dump, d);
	if (err >= 0)
		err = nl_recvmsgs_default(sk);
	nl_socket_free(sk);
	return err < 0 ? err : 0;
}

static const struct reply *dump_find(const struct dump *d, uint32_t id)
{
	int i;

	for (i = 0; i < d->n; i++)
		if (d->vms[i].id == id)
			return &d->vms[i];
	return NULL;
}

/* The id hvx.ko gave @vm: the one VM of this process named @name. */
static uint32_t vm_id(struct vm *vm, const char *name)
{
	struct hvx_vm_name n = { 0 };
	struct reply r = { 0 };

	strncpy(n.name, name, sizeof(n.name) - 1);
	if (ioctl(vm->vm_fd, HVX_SET_VM_NAME, &n) || request(HVX_CMD_GET_VM, 0, name, &r))
		return 0;
	return r.id;
}

/* A socket in the events group, for events_next(). */
static struct nl_sock *events_open(void)
{
	struct nl_sock *sk = connect_family();
	int grp;

	if (!sk)
		return NULL;
	grp = genl_ctrl_resolve_grp(sk, HVX_GENL_NAME, HVX_GENL_MCGRP_EVENTS);
	nl_socket_disable_seq_check(sk);
	if (grp < 0 || nl_socket_add_membership(sk, grp) || nl_socket_set_nonblocking(sk)) {
		nl_socket_free(sk);
		return NULL;
	}
	return sk;
}

/* The next event of VM @id within a second (other VMs' are skipped); 0 or -1. */
static int events_next(struct nl_sock *sk, uint32_t id, struct reply *r)
{
	struct pollfd p = { .fd = nl_socket_get_fd(sk), .events = POLLIN };

	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, on_reply, r);
	for (;;) {
		memset(r, 0, sizeof(*r));
		while (!r->seen && nl_recvmsgs_default(sk) >= 0)
			;
		if (r->seen && r->id == id)
			return 0;
		if (!r->seen && poll(&p, 1, 1000) != 1)
			return -1;
	}
}

TEST(dump_lists_every_vm_with_its_owner_memory_and_state)
{
	struct vm *a = vm_create(VM_HVX, MEM_SIZE), *b = vm_create(VM_HVX, 2 * MEM_SIZE);
	const struct reply *ra, *rb;
	uint32_t ida, idb;
	struct vm_exit e;
	struct dump d;

	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	ida = vm_id(a, "genl-a");
	idb = vm_id(b, "genl-b");
	ASSERT_NE(0, ida);
	ASSERT_NE(0, idb);
	EXPECT_NE(ida, idb);

	ASSERT_EQ(0, dump_vms(&d));
	ra = dump_find(&d, ida);
	rb = dump_find(&d, idb);
	ASSERT_NE(NULL, ra);
	ASSERT_NE(NULL, rb);
	EXPECT_STREQ("genl-a", ra->name);
	EXPECT_STREQ("genl-b", rb->name);
	EXPECT_EQ(getpid(), ra->pid);
	EXPECT_EQ(getuid(), ra->uid);
	EXPECT_EQ(MEM_SIZE, ra->memory);
	EXPECT_EQ(2 * MEM_SIZE, rb->memory);
	EXPECT_EQ(1, ra->vcpus);
	EXPECT_EQ(HVX_VM_STATE_CREATED, ra->state);
	/* Counters are for GET_STATS only. */
	EXPECT_EQ(UINT64_MAX, ra->guest_ns);

	/* Ran and came back to userspace: stopped. */
	vm_load(a, GUEST_CODE_GPA, guest_out_loop, guest_out_loop_end);
	ASSERT_EQ(0, vm_setup_real(a, GUEST_CODE_GPA));
	ASSERT_EQ(0, vm_run(a, &e));
	ASSERT_EQ(0, dump_vms(&d));
	ra = dump_find(&d, ida);
	ASSERT_NE(NULL, ra);
	EXPECT_EQ(HVX_VM_STATE_STOPPED, ra->state);

	vm_destroy(b);
	ASSERT_EQ(0, dump_vms(&d));
	EXPECT_EQ(NULL, dump_find(&d, idb));
	EXPECT_NE(NULL, dump_find(&d, ida));
	vm_destroy(a);
}

TEST(names_are_checked_unique_and_set_once)
{
	static const char *const bad[] = {
		"", "has space", "slash/", "0123456789012345678901234567890123", "tab\t",
		"12345", "caf\xe9",
	};
	struct vm *a = vm_create(VM_HVX, MEM_SIZE), *b = vm_create(VM_HVX, MEM_SIZE);
	struct hvx_vm_name n;
	struct reply r = { 0 };
	size_t i;

	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&n, 0, sizeof(n));
		memcpy(n.name, bad[i], strnlen(bad[i], sizeof(n.name)));
		EXPECT_EQ(-1, ioctl(a->vm_fd, HVX_SET_VM_NAME, &n));
		EXPECT_EQ(EINVAL, errno) TH_LOG("name '%s'", bad[i]);
	}
	/* Bytes after the terminator must be zero. */
	memset(&n, 0, sizeof(n));
	strcpy(n.name, "ok");
	n.name[5] = 'x';
	EXPECT_EQ(-1, ioctl(a->vm_fd, HVX_SET_VM_NAME, &n));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(a->vm_fd, HVX_SET_VM_NAME, NULL));
	EXPECT_EQ(EFAULT, errno);

	memset(&n, 0, sizeof(n));
	strcpy(n.name, "Web-1.test_x");
	ASSERT_EQ(0, ioctl(a->vm_fd, HVX_SET_VM_NAME, &n));
	EXPECT_EQ(-1, ioctl(b->vm_fd, HVX_SET_VM_NAME, &n));
	EXPECT_EQ(EEXIST, errno);
	memset(&n, 0, sizeof(n));
	strcpy(n.name, "other");
	EXPECT_EQ(-1, ioctl(a->vm_fd, HVX_SET_VM_NAME, &n));
	EXPECT_EQ(EBUSY, errno);

	ASSERT_EQ(0, request(HVX_CMD_GET_VM, 0, "Web-1.test_x", &r));
	EXPECT_EQ(getpid(), r.pid);
	EXPECT_EQ(-NLE_OBJ_NOTFOUND, request(HVX_CMD_GET_VM, 0, "nobody", &r));
	EXPECT_EQ(-NLE_OBJ_NOTFOUND, request(HVX_CMD_GET_VM, 0x7fffffff, NULL, &r));

	/* The name is free again once its VM is gone. */
	vm_destroy(a);
	strcpy(n.name, "Web-1.test_x");
	EXPECT_EQ(0, ioctl(b->vm_fd, HVX_SET_VM_NAME, &n));
	vm_destroy(b);
}

TEST(counters_move_as_the_guest_runs)
{
	struct vm *vm = vm_create(VM_HVX, MEM_SIZE);
	struct reply r1 = { 0 }, r2 = { 0 };
	uint32_t id;

	ASSERT_NE(NULL, vm);
	id = vm_id(vm, "genl-counters");
	ASSERT_NE(0, id);
	ASSERT_EQ(0, request(HVX_CMD_GET_STATS, id, NULL, &r1));
	EXPECT_EQ(0, r1.guest_ns);
	EXPECT_EQ(0, r1.exits[30]);
	EXPECT_EQ(0, r1.balloon);

	/* 16-bit OUTs counting up, then HLT with interrupts off. */
	EXPECT_EQ(10000, vm_run_out_loop(vm));
	ASSERT_EQ(0, request(HVX_CMD_GET_STATS, id, NULL, &r2));
	EXPECT_EQ(10000, r2.exits[30]);	/* I/O instruction */
	EXPECT_EQ(1, r2.exits[12]);		/* HLT */
	EXPECT_LT(0, r2.guest_ns);
	EXPECT_LT(0, r2.exit_path_ns);
	EXPECT_LE(4096, r2.resident);
	EXPECT_GE(MEM_SIZE, r2.resident);
	EXPECT_EQ(HVX_VM_STATE_STOPPED, r2.state);
	vm_destroy(vm);
}

TEST(channel_reports_show_as_traffic_and_only_grow)
{
	struct vm *vm = vm_create(VM_HVX, MEM_SIZE);
	struct hvx_channel_report rep = {
		.packets_from_guest = 10, .bytes_from_guest = 1000,
		.packets_to_guest = 20, .bytes_to_guest = 2000, .balloon_bytes = 2 << 20,
	};
	struct hvx_create_channel cc = { .instance_id = { 1 } };
	struct reply r = { 0 };
	uint32_t id;
	int ch;

	ASSERT_NE(NULL, vm);
	id = vm_id(vm, "genl-channel");
	ASSERT_NE(0, id);
	memcpy(cc.class_id, echo_class, sizeof(cc.class_id));
	ch = ioctl(vm->vm_fd, HVX_CREATE_CHANNEL, &cc);
	ASSERT_LE(0, ch);

	ASSERT_EQ(0, ioctl(ch, HVX_CHANNEL_REPORT, &rep));
	r.want_child = 1;
	ASSERT_EQ(0, request(HVX_CMD_GET_STATS, id, NULL, &r));
	ASSERT_TRUE(r.channel_seen);
	EXPECT_EQ(10, r.from_guest_packets);
	EXPECT_EQ(1000, r.from_guest_bytes);
	EXPECT_EQ(20, r.to_guest_packets);
	EXPECT_EQ(2000, r.to_guest_bytes);
	EXPECT_EQ(2 << 20, r.balloon);
	EXPECT_FALSE(r.broken);

	/* Totals that go down, unknown flags, reserved bits: refused, unchanged. */
	rep.packets_from_guest = 9;
	EXPECT_EQ(-1, ioctl(ch, HVX_CHANNEL_REPORT, &rep));
	EXPECT_EQ(EINVAL, errno);
	rep.packets_from_guest = 11;
	rep.flags = 1U << 7;
	EXPECT_EQ(-1, ioctl(ch, HVX_CHANNEL_REPORT, &rep));
	EXPECT_EQ(EINVAL, errno);
	rep.flags = 0;
	rep.reserved = 1;
	EXPECT_EQ(-1, ioctl(ch, HVX_CHANNEL_REPORT, &rep));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(ch, HVX_CHANNEL_REPORT, NULL));
	EXPECT_EQ(EFAULT, errno);
	/* A balloon bigger than the guest's RAM. */
	rep.reserved = 0;
	rep.balloon_bytes = MEM_SIZE + 4096;
	EXPECT_EQ(-1, ioctl(ch, HVX_CHANNEL_REPORT, &rep));
	EXPECT_EQ(EINVAL, errno);
	rep.balloon_bytes = ~0ULL;
	EXPECT_EQ(-1, ioctl(ch, HVX_CHANNEL_REPORT, &rep));
	EXPECT_EQ(EINVAL, errno);
	rep.balloon_bytes = 2 << 20;
	ASSERT_EQ(0, request(HVX_CMD_GET_STATS, id, NULL, &r));
	EXPECT_EQ(10, r.from_guest_packets);

	/* A closed channel's traffic stays in the VM's sum; its balloon does not. */
	rep.reserved = 0;
	ASSERT_EQ(0, ioctl(ch, HVX_CHANNEL_REPORT, &rep));
	close(ch);
	r.want_child = 0;
	ASSERT_EQ(0, request(HVX_CMD_GET_STATS, id, NULL, &r));
	ASSERT_TRUE(r.channel_seen);
	EXPECT_EQ(11, r.from_guest_packets);
	EXPECT_EQ(2000, r.to_guest_bytes);
	EXPECT_EQ(0, r.balloon);
	vm_destroy(vm);
}

TEST(events_for_create_name_shutdown_broken_channel_and_destroy)
{
	struct nl_sock *ev = events_open();
	struct hvx_create_channel cc = { .instance_id = { 2 } };
	struct hvx_channel_report rep = { .flags = HVX_CHANNEL_REPORT_BROKEN };
	struct vm *vm;
	struct vm_exit e;
	struct reply r;
	uint32_t id;
	int ch;

	ASSERT_NE(NULL, ev);
	vm = vm_create(VM_HVX, MEM_SIZE);
	ASSERT_NE(NULL, vm);
	id = vm_id(vm, "genl-events");
	ASSERT_NE(0, id);

	ASSERT_EQ(0, events_next(ev, id, &r));
	EXPECT_EQ(HVX_EVENT_VM_CREATED, r.event);
	EXPECT_EQ(getpid(), r.pid);
	ASSERT_EQ(0, events_next(ev, id, &r));
	EXPECT_EQ(HVX_EVENT_VM_NAMED, r.event);
	EXPECT_STREQ("genl-events", r.name);

	memcpy(cc.class_id, echo_class, sizeof(cc.class_id));
	ch = ioctl(vm->vm_fd, HVX_CREATE_CHANNEL, &cc);
	ASSERT_LE(0, ch);
	ASSERT_EQ(0, ioctl(ch, HVX_CHANNEL_REPORT, &rep));
	ASSERT_EQ(0, events_next(ev, id, &r));
	EXPECT_EQ(HVX_EVENT_CHANNEL_BROKEN, r.event);
	EXPECT_EQ(1, r.child_id);
	EXPECT_STREQ("genl-events", r.name);
	/* Only the first report of a broken ring is news. */
	ASSERT_EQ(0, ioctl(ch, HVX_CHANNEL_REPORT, &rep));
	close(ch);

	vm_load(vm, GUEST_CODE_GPA, guest_triple_fault, guest_triple_fault_end);
	ASSERT_EQ(0, vm_setup_real(vm, GUEST_CODE_GPA));
	ASSERT_EQ(0, vm_run(vm, &e));
	ASSERT_EQ(VM_EXIT_SHUTDOWN, e.kind);
	ASSERT_EQ(0, events_next(ev, id, &r));
	EXPECT_EQ(HVX_EVENT_VCPU_SHUTDOWN, r.event);
	EXPECT_EQ(0, r.vcpu);
	EXPECT_EQ(HVX_EXIT_SHUTDOWN, r.exit_reason);
	ASSERT_EQ(0, request(HVX_CMD_GET_VM, id, NULL, &r));
	EXPECT_EQ(HVX_VM_STATE_SHUTDOWN, r.state);

	vm_destroy(vm);
	ASSERT_EQ(0, events_next(ev, id, &r));
	EXPECT_EQ(HVX_EVENT_VM_DESTROYED, r.event);
	EXPECT_STREQ("genl-events", r.name);
	/* Nothing more about this VM. */
	EXPECT_EQ(-1, events_next(ev, id, &r));
	nl_socket_free(ev);
}

/* In a child: become @uid (which drops every capability) and run @fn. */
static int as_user(uid_t uid, int (*fn)(void *arg), void *arg)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (!pid) {
		if (setresgid(uid, uid, uid) || setresuid(uid, uid, uid))
			_exit(100);
		_exit(fn(arg));
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* Exit statuses of the children below: 0 read, 1 refused, 2+ anything else. */
static int read_stats(void *arg)
{
	struct reply r = { 0 };
	int err = request(HVX_CMD_GET_STATS, *(uint32_t *)arg, NULL, &r);

	if (!err)
		return r.id == *(uint32_t *)arg ? 0 : 3;
	return err == -NLE_PERM ? 1 : 2;
}

static int list_sees(void *arg)
{
	struct dump d;

	if (dump_vms(&d))
		return 2;
	return dump_find(&d, *(uint32_t *)arg) ? 0 : 3;
}

struct owned_vm {
	int dev_fd;
	int pipe_fd;
};

/* As uid 4242: a VM of its own, its own counters, and no one else's. */
static int own_vm(void *arg)
{
	struct owned_vm *o = arg;
	struct hvx_vm_name n = { .name = "genl-user" };
	struct reply r = { 0 };
	int vm_fd = ioctl(o->dev_fd, HVX_CREATE_VM, 0);
	char c;

	if (vm_fd < 0 || ioctl(vm_fd, HVX_SET_VM_NAME, &n) ||
	    request(HVX_CMD_GET_STATS, 0, "genl-user", &r) || r.uid != 4242)
		return 4;
	/* Alive until the parent has tried. */
	if (write(o->pipe_fd, "r", 1) != 1 || read(o->pipe_fd, &c, 1) != 1)
		return 5;
	return 0;
}

TEST(only_the_owner_or_cap_sys_admin_reads_counters)
{
	struct vm *vm = vm_create(VM_HVX, MEM_SIZE);
	int sv[2], status;
	struct reply r = { 0 };
	struct owned_vm o;
	uint32_t id;
	pid_t child;
	char c;

	ASSERT_NE(NULL, vm);
	id = vm_id(vm, "genl-root");
	ASSERT_NE(0, id);
	/* Another user lists the VM but cannot read its counters. */
	EXPECT_EQ(0, as_user(65534, list_sees, &id));
	EXPECT_EQ(1, as_user(65534, read_stats, &id));
	EXPECT_EQ(0, read_stats(&id));

	/* A user's VM: root (CAP_SYS_ADMIN) reads it, another user does not. */
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	o.dev_fd = vm->dev_fd;
	o.pipe_fd = sv[1];
	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		close(sv[0]);
		if (setresgid(4242, 4242, 4242) || setresuid(4242, 4242, 4242))
			_exit(100);
		_exit(own_vm(&o));
	}
	close(sv[1]);
	ASSERT_EQ(1, read(sv[0], &c, 1));
	ASSERT_EQ(0, request(HVX_CMD_GET_STATS, 0, "genl-user", &r));
	EXPECT_EQ(4242, r.uid);
	EXPECT_EQ(child, r.pid);
	id = r.id;
	EXPECT_EQ(1, as_user(65534, read_stats, &id));
	EXPECT_EQ(0, as_user(4242, read_stats, &id));
	ASSERT_EQ(1, write(sv[0], "q", 1));
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(sv[0]);
	vm_destroy(vm);
}

TEST_HARNESS_MAIN
