/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The channel bus as the guest sees it: the one definition shared by
 * hvx.ko, the guest bus driver and the native tests.  The host side's
 * ioctls (channel fds for backends) are in hvx.h.
 *
 * The guest finds the bus as a PCI function (HVX_VMBUS_PCI_*) whose MSI
 * is the bus's one interrupt.  Everything else goes through hypercalls:
 *
 *   CONNECT(event page)   the host offers every channel it has
 *   interrupt, bit 0      RECV_MSG until -ENOMSG: OFFER or RESCIND
 *   OPEN(request)         ring pages as guest frame numbers, validated
 *   SIGNAL(child)         "look at the rings of channel child"
 *   interrupt, bit child  the host signalled channel child
 *   CLOSE(child)          the host lets go of the rings
 *   RELEASE(child)        after a RESCIND: the guest is done with the id
 *   DISCONNECT            every channel closed, no more messages
 *
 * A hypercall is VMCALL at CPL 0 with the call number in RAX and the
 * argument in RBX; RAX returns 0 or a result, or a negative errno
 * (Linux's numbers).  At CPL > 0 every call fails with -EPERM; an
 * unknown number fails with -EOPNOTSUPP.  Addresses are guest physical:
 * the event page's is page aligned, a message's or a request's 8-byte
 * aligned (else -EINVAL); one that is not the guest's RAM gives -EFAULT.
 * The host pins the event page and the rings' pages while they are in
 * use; CONNECT and OPEN fail with -ENOMEM when that is more than the
 * VMM may lock in memory (its RLIMIT_MEMLOCK).  CLOSE, RELEASE and
 * SIGNAL of a child the host does not know (or that is not open) fail
 * with -ENOENT, -EINVAL or -ENOTCONN: the host then holds nothing of the
 * guest's.
 */
#ifndef _UAPI_HVX_VMBUS_H
#define _UAPI_HVX_VMBUS_H

#include <linux/types.h>

/*
 * Not an ID that the PCI-SIG allocated to hvx (there is none): one outside
 * the ranges real hardware uses in the guests hvx runs.
 */
#define HVX_VMBUS_PCI_VENDOR	0x4856	/* "HV" */
#define HVX_VMBUS_PCI_DEVICE	0x0001

#define HVX_VMBUS_VERSION	1

#define HVX_HC_VMBUS_CONNECT	0x100	/* RBX: GPA of the event page */
#define HVX_HC_VMBUS_DISCONNECT	0x101
#define HVX_HC_VMBUS_RECV_MSG	0x102	/* RBX: GPA of a struct hvx_vmbus_msg */
#define HVX_HC_VMBUS_OPEN	0x103	/* RBX: GPA of a struct hvx_vmbus_open */
#define HVX_HC_VMBUS_CLOSE	0x104	/* RBX: child id */
#define HVX_HC_VMBUS_RELEASE	0x105	/* RBX: child id */
#define HVX_HC_VMBUS_SIGNAL	0x106	/* RBX: child id */

/*
 * Child ids run from 1 to HVX_VMBUS_MAX_CHANNELS - 1.  In the event page
 * (one guest page, bit n at byte n / 8, bit n % 8), bit 0 says that
 * messages wait and bit n that channel n was signalled.  The host sets a
 * bit and raises the MSI only if the bit was clear: the guest clears the
 * bits it takes (atomically, a word at a time) before it acts on them.
 */
#define HVX_VMBUS_MAX_CHANNELS	256
#define HVX_VMBUS_EVENT_CONTROL	0

enum hvx_vmbus_msg_type {
	/* A new device: child_id, class_id, instance_id. */
	HVX_VMBUS_MSG_OFFER	= 1,
	/*
	 * The device is gone: the guest stops using it, closes it if open and
	 * releases the id.  The host no longer reads or writes its rings.
	 */
	HVX_VMBUS_MSG_RESCIND	= 2,
};

/**
 * struct hvx_vmbus_msg - what RECV_MSG writes into guest memory
 * @type: enum hvx_vmbus_msg_type
 * @child_id: the channel
 * @class_id: the device class (a GUID in the byte order of Linux's guid_t)
 * @instance_id: which device of that class
 * @reserved: zero
 */
struct hvx_vmbus_msg {
	__u32 type;
	__u32 child_id;
	__u8 class_id[16];
	__u8 instance_id[16];
	__u32 reserved[6];
};

/*
 * A ring (hvx_ring.h) is described by a header page and 1 to
 * HVX_VMBUS_MAX_RING_DATA_PAGES data pages, a power of two of them.
 */
#define HVX_VMBUS_MAX_RING_DATA_PAGES	128
#define HVX_VMBUS_MAX_OPEN_GFNS		(2 * (1 + HVX_VMBUS_MAX_RING_DATA_PAGES))

/**
 * struct hvx_vmbus_open - the guest's request to open a channel
 * @child_id: the channel, as offered
 * @out_pages: pages of the guest-to-host ring, header page included
 * @in_pages: pages of the host-to-guest ring, header page included
 * @reserved: zero
 * @gfns: @out_pages + @in_pages guest frame numbers (GPA >> 12), the
 *	guest-to-host ring first, each ring's header page first.  Any RAM
 *	page of the guest; they need not be contiguous.
 *
 * The request must not cross a page boundary.  The guest initialises both
 * ring headers (hvx_ring_header_init()) before OPEN.  Errors: -EINVAL for
 * a malformed request, -EFAULT for a frame that is not the guest's RAM,
 * -ENOENT for an unknown or rescinded child, -EBUSY if already open,
 * -ENOMEM over the VMM's locked-memory limit.
 */
struct hvx_vmbus_open {
	__u32 child_id;
	__u32 out_pages;
	__u32 in_pages;
	__u32 reserved;
	__u64 gfns[];
};

/* The channel classes hvx's host offers (bytes of a guid_t). */
#define HVX_CLASS_ECHO \
	{ 0x5a, 0x4b, 0x5f, 0x1c, 0x9d, 0x2e, 0x4c, 0x48, \
	  0x8e, 0x55, 0x2b, 0x0a, 0x6f, 0x31, 0x7a, 0x01 }

#endif /* _UAPI_HVX_VMBUS_H */
