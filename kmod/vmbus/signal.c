// SPDX-License-Identifier: GPL-2.0
/*
 * Host-to-guest signals: a bit in the guest's event page, and the bus's MSI
 * only when the bit was clear.  While the guest has not taken the bit, more
 * signals for the same channel cost nothing: the one interrupt covers them.
 */
#define pr_fmt(fmt) "hvx: " fmt

#include <linux/bitops.h>
#include <linux/mm.h>

#include "../hvx.h"
#include "vmbus.h"

int hvx_vmbus_set_msi(struct hvx_vm *vm, const struct hvx_msi *msi)
{
	struct hvx_vmbus *bus = &vm->vmbus;

	if (msi->flags & ~HVX_MSI_FLAGS_MASK || msi->padding[0] || msi->padding[1])
		return -EINVAL;
	spin_lock(&bus->slock);
	bus->msi = *msi;
	spin_unlock(&bus->slock);
	return 0;
}

/* Sets @bit of the event page and interrupts the guest if it was clear. */
void hvx_vmbus_raise(struct hvx_vm *vm, u32 bit)
{
	struct hvx_vmbus *bus = &vm->vmbus;
	unsigned long *events;
	struct hvx_msi msi;
	bool was_set;

	spin_lock(&bus->slock);
	if (!bus->event_page) {
		spin_unlock(&bus->slock);
		return;
	}
	events = page_address(bus->event_page);
	/*
	 * Atomic against the guest's exchange of the same word: either it
	 * took the bit before we set it (we interrupt), or it will take it.
	 */
	was_set = test_and_set_bit(bit, events);
	msi = bus->msi;
	spin_unlock(&bus->slock);

	if (!was_set && (msi.flags & HVX_MSI_ENABLED))
		hvx_ioapic_deliver_msi(vm, msi.address, msi.data);
}
