/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The generic netlink family "hvx": what hvx.ko tells about its VMs, for
 * `hvx ps`, `hvx stats` and `hvx events` and for anyone else's tools.
 *
 *  - HVX_CMD_GET_VM, dump: one message per VM, in id order, with the
 *    attributes marked [vm] below.  Anyone may list VMs, as anyone may
 *    read /proc.  A request (not a dump) with HVX_ATTR_VM_ID or
 *    HVX_ATTR_NAME answers for that VM only (ENOENT if there is none).
 *  - HVX_CMD_GET_STATS, request with HVX_ATTR_VM_ID or HVX_ATTR_NAME: the
 *    [vm] attributes plus the counters marked [stats].  Only the VM's owner
 *    (the effective uid that created it) or CAP_SYS_ADMIN may read them:
 *    EPERM for anyone else.
 *  - HVX_CMD_EVENT, sent to the multicast group HVX_GENL_MCGRP_EVENTS:
 *    HVX_ATTR_EVENT, HVX_ATTR_VM_ID, HVX_ATTR_PID, HVX_ATTR_UID,
 *    HVX_ATTR_NAME when the VM has one, and what the event adds (marked
 *    [event]).  An event's pid and uid are as the initial namespaces see
 *    them: a multicast message is one for every listener.
 *
 * Times are nanoseconds.  Counters only grow while the VM exists.
 */
#ifndef _UAPI_HVX_GENL_H
#define _UAPI_HVX_GENL_H

#define HVX_GENL_NAME		"hvx"
#define HVX_GENL_VERSION	1
#define HVX_GENL_MCGRP_EVENTS	"events"

/*
 * VM names: 1 to HVX_NAME_MAX - 1 characters of [A-Za-z0-9._-], not all
 * digits (tools take those for ids), unique among the VMs that exist.
 */
#define HVX_NAME_MAX		32

enum hvx_genl_cmd {
	HVX_CMD_UNSPEC,
	HVX_CMD_GET_VM,
	HVX_CMD_GET_STATS,
	HVX_CMD_EVENT,
	__HVX_CMD_MAX,
};
#define HVX_CMD_MAX (__HVX_CMD_MAX - 1)

enum hvx_vm_state {
	HVX_VM_STATE_CREATED = 1,	/* no vCPU has run yet */
	HVX_VM_STATE_RUNNING,		/* a vCPU is in HVX_RUN */
	HVX_VM_STATE_STOPPED,		/* no vCPU is in HVX_RUN (a paused VMM) */
	HVX_VM_STATE_SHUTDOWN,		/* a vCPU shut down or failed: it cannot run */
};

enum hvx_event {
	HVX_EVENT_VM_CREATED = 1,
	/* A vCPU stopped for good: [event] HVX_ATTR_VCPU, HVX_ATTR_EXIT_REASON. */
	HVX_EVENT_VCPU_SHUTDOWN,
	/* A backend found a ring of a channel broken: [event] HVX_ATTR_CHANNEL. */
	HVX_EVENT_CHANNEL_BROKEN,
	HVX_EVENT_VM_DESTROYED,
	/* The VM got its name (HVX_SET_VM_NAME). */
	HVX_EVENT_VM_NAMED,
};

enum hvx_genl_attr {
	HVX_ATTR_UNSPEC,
	HVX_ATTR_PAD,
	HVX_ATTR_VM_ID,			/* u32 [vm], unique while hvx.ko is loaded */
	HVX_ATTR_PID,			/* u32 [vm] the creator's process id */
	HVX_ATTR_UID,			/* u32 [vm] the owner */
	HVX_ATTR_NAME,			/* string [vm] if named */
	HVX_ATTR_MEMORY,		/* u64 [vm] bytes of guest RAM in slots */
	HVX_ATTR_VCPUS,			/* u32 [vm] */
	HVX_ATTR_STATE,			/* u32 [vm] enum hvx_vm_state */
	HVX_ATTR_EVENT,			/* u32 enum hvx_event */
	HVX_ATTR_VCPU,			/* u32 [event] a vCPU id */
	/* u32 [event] enum hvx_exit_reason (uapi/hvx.h) of HVX_EVENT_VCPU_SHUTDOWN */
	HVX_ATTR_EXIT_REASON,
	HVX_ATTR_EXITS,			/* nest [stats] of HVX_ATTR_EXIT, reasons with a count */
	HVX_ATTR_EXIT,			/* nest of HVX_EXIT_ATTR_* */
	HVX_ATTR_GUEST_NS,		/* u64 [stats] time in the guest */
	/* u64 [stats] time from VM exits to the next entry or to userspace, HLT excluded */
	HVX_ATTR_EXIT_PATH_NS,
	HVX_ATTR_HALTED_NS,		/* u64 [stats] time asleep in HLT */
	HVX_ATTR_IRQS_INJECTED,		/* u64 [stats] interrupts delivered to the guest */
	HVX_ATTR_RESIDENT,		/* u64 [stats] bytes of guest RAM the EPT maps */
	HVX_ATTR_BALLOON,		/* u64 [stats] bytes in the guest's balloon */
	HVX_ATTR_CHANNELS,		/* nest [stats] of HVX_ATTR_CHANNEL */
	/*
	 * nest of HVX_CHANNEL_ATTR_*: in HVX_ATTR_CHANNELS, or [event] of
	 * HVX_EVENT_CHANNEL_BROKEN with HVX_CHANNEL_ATTR_CHILD_ID only
	 */
	HVX_ATTR_CHANNEL,
	__HVX_ATTR_MAX,
};
#define HVX_ATTR_MAX (__HVX_ATTR_MAX - 1)

enum hvx_exit_attr {
	HVX_EXIT_ATTR_UNSPEC,
	HVX_EXIT_ATTR_PAD,
	HVX_EXIT_ATTR_REASON,		/* u32 basic VMX exit reason */
	HVX_EXIT_ATTR_COUNT,		/* u64 */
	__HVX_EXIT_ATTR_MAX,
};
#define HVX_EXIT_ATTR_MAX (__HVX_EXIT_ATTR_MAX - 1)

/*
 * A channel's traffic as its backend last reported it (HVX_CHANNEL_REPORT,
 * uapi/hvx.h); channels that are gone are summed in one with no CHILD_ID.
 */
enum hvx_channel_attr {
	HVX_CHANNEL_ATTR_UNSPEC,
	HVX_CHANNEL_ATTR_PAD,
	HVX_CHANNEL_ATTR_CHILD_ID,	/* u32 */
	HVX_CHANNEL_ATTR_CLASS_ID,	/* 16 bytes, the guid_t of the class */
	HVX_CHANNEL_ATTR_PACKETS_FROM_GUEST,	/* u64 */
	HVX_CHANNEL_ATTR_BYTES_FROM_GUEST,	/* u64 */
	HVX_CHANNEL_ATTR_PACKETS_TO_GUEST,	/* u64 */
	HVX_CHANNEL_ATTR_BYTES_TO_GUEST,	/* u64 */
	HVX_CHANNEL_ATTR_SIGNALS,	/* u64 signals from the guest (hypercalls) */
	HVX_CHANNEL_ATTR_BROKEN,	/* flag: the backend found a ring broken */
	__HVX_CHANNEL_ATTR_MAX,
};
#define HVX_CHANNEL_ATTR_MAX (__HVX_CHANNEL_ATTR_MAX - 1)

#endif /* _UAPI_HVX_GENL_H */
