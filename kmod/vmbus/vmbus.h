/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host side of the channel bus: per VM, a table of channels that
 * backends created and the guest's bus driver opens, closes and signals
 * through hypercalls.  What the guest sees is uapi/hvx_vmbus.h, what the
 * backends see is the channel part of uapi/hvx.h.
 *
 * Locking:
 *  - vmbus->lock (mutex) serialises the control plane: channel creation
 *    and rescind, and every hypercall but SIGNAL.
 *  - vmbus->slock (spinlock) guards what the fast paths read: the channel
 *    table, the event page and the MSI.  Writers hold both locks.
 *  - channel->lock (spinlock) guards what the backend's fd reads: the
 *    open ring set, its sequence number and the signal count.
 */
#ifndef HVX_VMBUS_VMBUS_H
#define HVX_VMBUS_VMBUS_H

#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>

#include "../uapi/hvx.h"
#include "../uapi/hvx_vmbus.h"

struct hvx_vm;
struct hvx_vcpu;
struct mm_struct;
struct page;

/*
 * The pinned guest pages of one open: a backend's mapping holds a ref.
 * Each page is charged to @mm's locked memory until the last ref goes.
 */
struct hvx_vmbus_rings {
	struct kref ref;
	struct mm_struct *mm;		/* the VM's, kept with mmgrab() */
	u32 out_pages, in_pages;
	struct page *pages[];
};

/* What a backend reported of its channel (HVX_CHANNEL_REPORT). */
struct hvx_vmbus_traffic {
	u64 packets_from_guest, bytes_from_guest;
	u64 packets_to_guest, bytes_to_guest;
	u64 signals;
	u64 balloon_bytes;
};

struct hvx_vmbus_channel {
	struct kref ref;
	struct hvx_vm *vm;
	u32 child_id;
	u8 class_id[16];
	u8 instance_id[16];

	/* Control state, under vmbus->lock. */
	bool offer_pending;	/* the guest has yet to receive the offer */
	bool guest_knows;	/* the guest received the offer */
	bool rescinded;		/* the backend is gone */
	bool rescind_pending;	/* the guest has yet to receive the rescind */

	/* Under @lock. */
	spinlock_t lock;
	struct hvx_vmbus_rings *rings;	/* while the guest has it open */
	u32 open_seq;			/* counts opens */
	u32 backend_seq;		/* the open the backend was told of, 0 none */
	u64 signals;			/* guest signals not read yet */
	wait_queue_head_t wq;		/* the backend's read() and poll() */
	u64 signals_total;		/* guest signals ever, for statistics */

	/* Under vmbus->slock. */
	struct hvx_vmbus_traffic traffic;
	bool broken;			/* the backend reported a broken ring */
	bool traffic_gone;		/* the fd closed: @traffic is in the bus's sum */
};

struct hvx_vmbus {
	struct mutex lock;
	spinlock_t slock;
	struct hvx_vmbus_channel *channels[HVX_VMBUS_MAX_CHANNELS];
	struct page *event_page;	/* NULL while the guest is not connected */
	struct hvx_msi msi;
	/* Channels whose backend is gone, summed; under @slock. */
	struct hvx_vmbus_traffic traffic_gone;
	u32 channels_gone;
};

void hvx_vmbus_init(struct hvx_vmbus *bus);
void hvx_vmbus_destroy(struct hvx_vmbus *bus);

/* channel.c: the backend's side */
int hvx_vmbus_create_channel(struct hvx_vm *vm, const struct hvx_create_channel __user *arg);
void hvx_vmbus_channel_put(struct hvx_vmbus_channel *ch);
void hvx_vmbus_channel_set_rings(struct hvx_vmbus_channel *ch, struct hvx_vmbus_rings *rings);
int hvx_vmbus_channel_guest_signal(struct hvx_vmbus_channel *ch);

/* rings.c: GPA lists to pinned pages */
int hvx_vmbus_rings_pin(struct hvx_vm *vm, u64 request_gpa, u32 *child_id,
			struct hvx_vmbus_rings **rings);
void hvx_vmbus_rings_put(struct hvx_vmbus_rings *rings);
int hvx_vmbus_rings_mmap(struct hvx_vmbus_rings *rings, struct vm_area_struct *vma);

/* signal.c: host to guest */
int hvx_vmbus_set_msi(struct hvx_vm *vm, const struct hvx_msi *msi);
void hvx_vmbus_raise(struct hvx_vm *vm, u32 bit);

/* control.c: the guest's side */
long hvx_vmbus_hypercall(struct hvx_vm *vm, unsigned long nr, unsigned long arg);
void hvx_vmbus_backend_gone(struct hvx_vmbus_channel *ch);

#endif /* HVX_VMBUS_VMBUS_H */
