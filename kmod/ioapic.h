/* SPDX-License-Identifier: GPL-2.0 */
/* The VM's I/O APIC: input pins from the VMM, redirection to the local APIC. */
#ifndef HVX_IOAPIC_H
#define HVX_IOAPIC_H

#include <linux/spinlock.h>
#include <linux/types.h>

#include "uapi/hvx.h"

struct hvx_vm;

struct hvx_ioapic {
	spinlock_t lock;
	u32 pins;			/* input levels, bit per pin */
	u32 regsel;
	u32 id;
	u64 redir[HVX_IOAPIC_PINS];
};

void hvx_ioapic_init(struct hvx_ioapic *ioapic);
int hvx_ioapic_set_irq(struct hvx_vm *vm, const struct hvx_irq_level *req);
void hvx_ioapic_eoi(struct hvx_vm *vm, u8 vector);
bool hvx_ioapic_is_mmio(u64 gpa);
u32 hvx_ioapic_mmio_read(struct hvx_vm *vm, u64 gpa, unsigned int size);
void hvx_ioapic_mmio_write(struct hvx_vm *vm, u64 gpa, unsigned int size, u32 val);
void hvx_ioapic_detach_vcpu(struct hvx_vm *vm, u32 id);
/* Delivers an MSI with this address and data; drops what it cannot. */
void hvx_ioapic_deliver_msi(struct hvx_vm *vm, u64 address, u32 data);

#endif
