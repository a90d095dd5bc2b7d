// SPDX-License-Identifier: GPL-2.0
/*
 * The VM's I/O APIC (82093AA register model, version 0x11): the VMM drives
 * its input pins with HVX_IRQ_LINE, the guest programs the redirection
 * table through IOREGSEL/IOWIN, and deliveries land in the local APIC.
 *
 * One spinlock guards the pins and the table: callers are the VMM's
 * threads (HVX_IRQ_LINE), the vCPU thread (MMIO, EOI) and vCPU teardown,
 * which must not race with a delivery to the vCPU it frees.
 */
#define pr_fmt(fmt) "hvx: " fmt

#include <linux/kernel.h>
#include <linux/spinlock.h>

#include "hvx.h"
#include "lapic.h"

#define IOREGSEL		0x00
#define IOWIN			0x10
#define REG_ID			0x00
#define REG_VERSION		0x01
#define REG_ARBITRATION		0x02
#define REG_REDIR_BASE		0x10

#define REDIR_VECTOR		0xffULL
#define REDIR_DELIVERY_MASK	(7ULL << 8)
#define REDIR_DEST_LOGICAL	BIT_ULL(11)
#define REDIR_REMOTE_IRR	BIT_ULL(14)
#define REDIR_LEVEL		BIT_ULL(15)
#define REDIR_MASKED		BIT_ULL(16)
#define REDIR_DEST_SHIFT	56
/* Guest-writable: all but delivery status (12) and remote IRR (14). */
#define REDIR_WRITABLE		(~(BIT_ULL(12) | REDIR_REMOTE_IRR) & \
				 (0xff00000000000000ULL | 0x1ffffULL))

bool hvx_ioapic_is_mmio(u64 gpa)
{
	return (gpa & PAGE_MASK) == HVX_IOAPIC_GPA;
}

void hvx_ioapic_init(struct hvx_ioapic *ioapic)
{
	unsigned int pin;

	spin_lock_init(&ioapic->lock);
	ioapic->id = HVX_IOAPIC_ID;
	for (pin = 0; pin < HVX_IOAPIC_PINS; pin++)
		ioapic->redir[pin] = REDIR_MASKED;
}

/* Fixed and lowest-priority delivery; the other modes have no source here. */
static void ioapic_deliver(struct hvx_vm *vm, unsigned int pin)
{
	struct hvx_ioapic *ioapic = &vm->ioapic;
	u64 entry = ioapic->redir[pin];
	struct hvx_vcpu *vcpu = vm->vcpus[0];
	bool level = entry & REDIR_LEVEL;

	lockdep_assert_held(&ioapic->lock);
	if ((entry & REDIR_DELIVERY_MASK) > (1ULL << 8) || !vcpu)
		return;
	if (!hvx_lapic_match_dest(&vcpu->lapic, entry >> REDIR_DEST_SHIFT,
				  entry & REDIR_DEST_LOGICAL))
		return;
	if (level)
		ioapic->redir[pin] |= REDIR_REMOTE_IRR;
	hvx_lapic_accept(&vcpu->lapic, entry & REDIR_VECTOR, level);
}

/* Delivers @pin if its state calls for it now; lock held. */
static void ioapic_service(struct hvx_vm *vm, unsigned int pin)
{
	u64 entry = vm->ioapic.redir[pin];

	if (!(vm->ioapic.pins & BIT(pin)) || (entry & REDIR_MASKED))
		return;
	if ((entry & REDIR_LEVEL) && (entry & REDIR_REMOTE_IRR))
		return;
	ioapic_deliver(vm, pin);
}

/*
 * A message-signalled interrupt: the same delivery as an I/O APIC entry's,
 * with the destination in the address and the vector in the data.  Only
 * fixed and lowest-priority edge interrupts to the local APIC's address.
 */
#define MSI_ADDRESS_BASE	0xfee00000ULL
#define MSI_ADDRESS_MASK	0xfff00000ULL
#define MSI_DEST_SHIFT		12
#define MSI_DEST_LOGICAL	BIT_ULL(2)
#define MSI_DATA_DELIVERY	(7U << 8)
#define MSI_DATA_VECTOR		0xffU

void hvx_ioapic_deliver_msi(struct hvx_vm *vm, u64 address, u32 data)
{
	struct hvx_vcpu *vcpu;
	unsigned long flags;
	u8 vector = data & MSI_DATA_VECTOR;

	if ((address & MSI_ADDRESS_MASK) != MSI_ADDRESS_BASE ||
	    (data & MSI_DATA_DELIVERY) > (1U << 8) || vector < 16)
		return;
	/* The lock keeps the vCPU from going away under us. */
	spin_lock_irqsave(&vm->ioapic.lock, flags);
	vcpu = vm->vcpus[0];
	if (vcpu && hvx_lapic_match_dest(&vcpu->lapic, (address >> MSI_DEST_SHIFT) & 0xff,
					 address & MSI_DEST_LOGICAL))
		hvx_lapic_accept(&vcpu->lapic, vector, false);
	spin_unlock_irqrestore(&vm->ioapic.lock, flags);
}

int hvx_ioapic_set_irq(struct hvx_vm *vm, const struct hvx_irq_level *req)
{
	struct hvx_ioapic *ioapic = &vm->ioapic;
	unsigned long flags;
	bool was;

	if (req->irq >= HVX_IOAPIC_PINS || req->level > 1)
		return -EINVAL;
	spin_lock_irqsave(&ioapic->lock, flags);
	was = ioapic->pins & BIT(req->irq);
	if (req->level)
		ioapic->pins |= BIT(req->irq);
	else
		ioapic->pins &= ~BIT(req->irq);
	/* Edge pins fire on the rising edge, level pins while asserted. */
	if (req->level && (!was || (ioapic->redir[req->irq] & REDIR_LEVEL)))
		ioapic_service(vm, req->irq);
	spin_unlock_irqrestore(&ioapic->lock, flags);
	return 0;
}

void hvx_ioapic_eoi(struct hvx_vm *vm, u8 vector)
{
	struct hvx_ioapic *ioapic = &vm->ioapic;
	unsigned long flags;
	unsigned int pin;

	spin_lock_irqsave(&ioapic->lock, flags);
	for (pin = 0; pin < HVX_IOAPIC_PINS; pin++) {
		u64 entry = ioapic->redir[pin];

		if ((entry & REDIR_VECTOR) != vector || !(entry & REDIR_REMOTE_IRR))
			continue;
		ioapic->redir[pin] &= ~REDIR_REMOTE_IRR;
		ioapic_service(vm, pin);
	}
	spin_unlock_irqrestore(&ioapic->lock, flags);
}

static u32 ioapic_read_indirect(struct hvx_ioapic *ioapic)
{
	unsigned int reg = ioapic->regsel, pin;

	switch (reg) {
	case REG_ID:
		return ioapic->id << 24;
	case REG_VERSION:
		return HVX_IOAPIC_VERSION | (HVX_IOAPIC_PINS - 1) << 16;
	case REG_ARBITRATION:
		return ioapic->id << 24;
	}
	pin = (reg - REG_REDIR_BASE) / 2;
	if (reg < REG_REDIR_BASE || pin >= HVX_IOAPIC_PINS)
		return ~0U;
	return reg & 1 ? ioapic->redir[pin] >> 32 : (u32)ioapic->redir[pin];
}

static void ioapic_write_indirect(struct hvx_vm *vm, u32 val)
{
	struct hvx_ioapic *ioapic = &vm->ioapic;
	unsigned int reg = ioapic->regsel, pin;
	u64 entry;

	if (reg == REG_ID) {
		ioapic->id = (val >> 24) & 0xf;
		return;
	}
	pin = (reg - REG_REDIR_BASE) / 2;
	if (reg < REG_REDIR_BASE || pin >= HVX_IOAPIC_PINS)
		return;
	entry = ioapic->redir[pin];
	if (reg & 1)
		entry = (entry & 0xffffffffULL) | (u64)val << 32;
	else
		entry = (entry & ~0xffffffffULL) | val;
	ioapic->redir[pin] = (entry & REDIR_WRITABLE) |
			     (ioapic->redir[pin] & REDIR_REMOTE_IRR);
	/* An edge pin cannot hold remote IRR; unmasking a raised level pin delivers. */
	if (!(entry & REDIR_LEVEL))
		ioapic->redir[pin] &= ~REDIR_REMOTE_IRR;
	else
		ioapic_service(vm, pin);
}

u32 hvx_ioapic_mmio_read(struct hvx_vm *vm, u64 gpa, unsigned int size)
{
	struct hvx_ioapic *ioapic = &vm->ioapic;
	unsigned long flags;
	u32 val = 0;

	spin_lock_irqsave(&ioapic->lock, flags);
	switch (gpa & 0xff) {
	case IOREGSEL:
		val = ioapic->regsel;
		break;
	case IOWIN:
		val = ioapic_read_indirect(ioapic);
		break;
	}
	spin_unlock_irqrestore(&ioapic->lock, flags);
	return size >= 4 ? val : val & ((1U << (size * 8)) - 1);
}

void hvx_ioapic_mmio_write(struct hvx_vm *vm, u64 gpa, unsigned int size, u32 val)
{
	struct hvx_ioapic *ioapic = &vm->ioapic;
	unsigned long flags;

	spin_lock_irqsave(&ioapic->lock, flags);
	switch (gpa & 0xff) {
	case IOREGSEL:
		ioapic->regsel = val & 0xff;
		break;
	case IOWIN:
		if (size == 4)
			ioapic_write_indirect(vm, val);
		break;
	}
	spin_unlock_irqrestore(&ioapic->lock, flags);
}

/* Unhooks the vCPU that is going away, so no delivery can reach it. */
void hvx_ioapic_detach_vcpu(struct hvx_vm *vm, u32 id)
{
	unsigned long flags;

	spin_lock_irqsave(&vm->ioapic.lock, flags);
	vm->vcpus[id] = NULL;
	spin_unlock_irqrestore(&vm->ioapic.lock, flags);
}
