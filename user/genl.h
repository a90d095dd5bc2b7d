/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvx.ko's generic netlink family (uapi/hvx_genl.h) as the tool sees it:
 * genl_msg.c turns its messages into the structs below and prints them
 * (no socket there, so the unit tests feed it messages of their own),
 * genl.c talks to the kernel.  Every attribute is optional: a field whose
 * bit is clear in @have was not in the message, and is printed as "-" or
 * not at all, never as a made-up zero.
 */
#ifndef HVX_USER_GENL_H
#define HVX_USER_GENL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "uapi/hvx_genl.h"
#include "uapi/hvx_vmbus.h"

struct nlmsghdr;
struct nl_sock;

enum {
	VM_HAVE_ID	= 1 << 0,
	VM_HAVE_PID	= 1 << 1,
	VM_HAVE_UID	= 1 << 2,
	VM_HAVE_NAME	= 1 << 3,
	VM_HAVE_MEMORY	= 1 << 4,
	VM_HAVE_VCPUS	= 1 << 5,
	VM_HAVE_STATE	= 1 << 6,
};

/* The [vm] attributes. */
struct vm_info {
	unsigned int have;
	uint32_t id, pid, uid, vcpus, state;
	uint64_t memory;
	char name[HVX_NAME_MAX];
};

enum {
	STATS_HAVE_GUEST_NS	= 1 << 0,
	STATS_HAVE_EXIT_PATH_NS	= 1 << 1,
	STATS_HAVE_HALTED_NS	= 1 << 2,
	STATS_HAVE_IRQS		= 1 << 3,
	STATS_HAVE_RESIDENT	= 1 << 4,
	STATS_HAVE_BALLOON	= 1 << 5,
	STATS_HAVE_EXITS	= 1 << 6,
	STATS_HAVE_CHANNELS	= 1 << 7,
};

enum {
	CHANNEL_HAVE_CHILD_ID	= 1 << 0,	/* else the sum of the gone channels */
	CHANNEL_HAVE_CLASS_ID	= 1 << 1,
	CHANNEL_HAVE_PACKETS_FROM = 1 << 2,
	CHANNEL_HAVE_BYTES_FROM	= 1 << 3,
	CHANNEL_HAVE_PACKETS_TO	= 1 << 4,
	CHANNEL_HAVE_BYTES_TO	= 1 << 5,
	CHANNEL_HAVE_SIGNALS	= 1 << 6,
};

struct vm_channel_stats {
	unsigned int have;
	uint32_t child_id;
	uint8_t class_id[16];
	uint64_t packets_from_guest, bytes_from_guest;
	uint64_t packets_to_guest, bytes_to_guest;
	uint64_t signals;
	bool broken;
};

struct vm_exit_count {
	uint32_t reason;
	uint64_t count;
};

/* Room for every basic exit reason and every channel a VM can have, and the gone. */
#define VM_STATS_MAX_EXITS	128
#define VM_STATS_MAX_CHANNELS	(HVX_VMBUS_MAX_CHANNELS + 1)

/* The [vm] and [stats] attributes of HVX_CMD_GET_STATS. */
struct vm_stats {
	struct vm_info vm;
	unsigned int have;
	uint64_t guest_ns, exit_path_ns, halted_ns;
	uint64_t irqs_injected, resident, balloon;
	unsigned int nr_exits, nr_channels;
	/* Entries beyond the arrays were dropped; the rest is exact. */
	bool truncated;
	struct vm_exit_count exits[VM_STATS_MAX_EXITS];
	struct vm_channel_stats channels[VM_STATS_MAX_CHANNELS];
};

enum {
	EVENT_HAVE_EVENT	= 1 << 0,
	EVENT_HAVE_VCPU		= 1 << 1,
	EVENT_HAVE_EXIT_REASON	= 1 << 2,
	EVENT_HAVE_CHANNEL	= 1 << 3,
};

/* An HVX_CMD_EVENT of the events group. */
struct vm_event {
	unsigned int have;
	uint32_t event;
	struct vm_info vm;
	uint32_t vcpu, exit_reason, child_id;
};

/*
 * genl_msg.c: parsing.  Each takes a whole netlink message (header
 * included) of the family and returns 0, or -EPROTO for a message that
 * is no generic netlink message or has an attribute of the wrong size.
 */
int genl_parse_vm(const struct nlmsghdr *nlh, struct vm_info *vm);
int genl_parse_stats(const struct nlmsghdr *nlh, struct vm_stats *st);
int genl_parse_event(const struct nlmsghdr *nlh, struct vm_event *ev);

/* 1 to HVX_NAME_MAX - 1 characters of [A-Za-z0-9._-]. */
bool vm_name_valid(const char *name);
/* All digits: a VM id, not a name (and not something hvx run names a VM). */
bool vm_arg_is_id(const char *arg);
/*
 * The VM @arg names among @vms, by id if it is all digits, else by name:
 * its index, or -1 with "no VM named 'x'" or "no VM with id 7" in @err.
 */
int vm_lookup(const struct vm_info *vms, size_t n, const char *arg, char *err, size_t errlen);
/* Sorts by id, VMs without one last. */
void vm_sort(struct vm_info *vms, size_t n);

const char *vm_state_name(uint32_t state);
/* The VMX basic exit reason's name from the SDM, or NULL. */
const char *vm_exit_name(uint32_t reason);
/* The class's name (echo, blk...) or the guid_t in text, in @buf. */
const char *vm_class_name(const uint8_t class_id[16], char *buf, size_t len);

/* genl_msg.c: what the commands print (see their --help). */
void vm_print_ps(FILE *out, const struct vm_info *vms, size_t n, bool header);
void vm_print_stats(FILE *out, const struct vm_stats *st);
/* What changed from @prev to @cur, @seconds apart. */
void vm_print_stats_delta(FILE *out, const struct vm_stats *prev, const struct vm_stats *cur,
			  double seconds);
void vm_print_event(FILE *out, const struct vm_event *ev);

/* genl.c: a socket to the family. */
struct genl {
	struct nl_sock *sk;
	int family;
};

/*
 * Connects and resolves the family: 0, -ENOENT when hvx.ko is not loaded,
 * or another -errno.
 */
int genl_open(struct genl *g);
void genl_close(struct genl *g);
/* Every VM, sorted by id, in a malloc()ed array: 0 or -errno. */
int genl_list_vms(struct genl *g, struct vm_info **vms, size_t *n);
/* One VM's counters: 0, -ENOENT (no such VM), -EPERM (not its owner) or -errno. */
int genl_get_stats(struct genl *g, uint32_t id, struct vm_stats *st);
/* Joins the events group; the socket then only reads events.  0 or -errno. */
int genl_subscribe(struct genl *g);
/*
 * Reads what the socket has and calls @fn for each event until it returns
 * false: 1 if it did, 0 when the socket had no more, -ENOBUFS when events
 * were lost, or another -errno.
 */
int genl_read_events(struct genl *g, bool (*fn)(const struct vm_event *ev, void *arg),
		     void *arg);

/*
 * For the commands, on an open socket: finds the VM @arg names and prints
 * a one-line error when it cannot ("hvx: no VM named 'x'"): an exit status.
 */
int genl_find_vm(struct genl *g, const char *cmd, const char *arg, struct vm_info *vm);
/* Prints why genl_open() failed; returns the exit status. */
int genl_open_failed(const char *cmd, int err);

#endif
