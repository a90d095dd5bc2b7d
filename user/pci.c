// SPDX-License-Identifier: GPL-2.0
/*
 * Configuration mechanism #1, a host bridge, the channel bus's controller
 * and the pvpanic device.
 */
#include <string.h>

#include "pci.h"
#include "uapi/hvx_vmbus.h"

#define ENABLE		0x80000000u
/*
 * The identity other minimal VMMs give their host bridge (an Intel ID that
 * Linux binds no driver to); hvx's own devices will carry their own IDs.
 */
#define HOST_BRIDGE_VENDOR	0x8086
#define HOST_BRIDGE_ID		0x0d57
#define PVPANIC_VENDOR		0x1b36
#define PVPANIC_ID		0x0011
#define PVPANIC_BAR_SIZE	16

#define REG_COMMAND		0x04
#define REG_STATUS		0x06
#define REG_BAR0		0x10
#define REG_CAPABILITIES	0x34
#define COMMAND_IO		0x0001
#define STATUS_CAP_LIST		0x0010
#define BAR_IO			0x1

/* The controller's MSI capability: one vector, 64-bit address, no masking. */
#define MSI_CAP			0x40
#define MSI_CAP_ID		0x05
#define MSI_CONTROL		(MSI_CAP + 2)
#define MSI_ADDRESS_LO		(MSI_CAP + 4)
#define MSI_ADDRESS_HI		(MSI_CAP + 8)
#define MSI_DATA		(MSI_CAP + 12)
#define MSI_CAP_END		(MSI_CAP + 14)
#define MSI_CONTROL_ENABLE	0x0001
#define MSI_CONTROL_64BIT	0x0080

static void put16(uint8_t *c, unsigned int off, uint16_t v)
{
	c[off] = v & 0xff;
	c[off + 1] = v >> 8;
}

static void put32(uint8_t *c, unsigned int off, uint32_t v)
{
	put16(c, off, v & 0xffff);
	put16(c, off + 2, v >> 16);
}

static void device_init(struct pci_device *d, uint16_t vendor, uint16_t id,
			uint8_t class, uint8_t subclass)
{
	memset(d, 0, sizeof(*d));
	put16(d->config, 0x00, vendor);
	put16(d->config, 0x02, id);
	d->config[0x0a] = subclass;
	d->config[0x0b] = class;
	d->config[0x0e] = 0x00;		/* header type 0, single function */
}

static uint16_t get16(const uint8_t *c, unsigned int off)
{
	return c[off] | c[off + 1] << 8;
}

static uint32_t get32(const uint8_t *c, unsigned int off)
{
	return get16(c, off) | (uint32_t)get16(c, off + 2) << 16;
}

/* A bridge to the channel bus; its only resource is the MSI. */
static void vmbus_init(struct pci_device *d)
{
	device_init(d, HVX_VMBUS_PCI_VENDOR, HVX_VMBUS_PCI_DEVICE, 0x08, 0x80);
	put16(d->config, REG_STATUS, STATUS_CAP_LIST);
	d->config[REG_CAPABILITIES] = MSI_CAP;
	d->config[MSI_CAP] = MSI_CAP_ID;
	put16(d->config, MSI_CONTROL, MSI_CONTROL_64BIT);
	/* What the guest may write in the capability, byte by byte. */
	d->wmask[MSI_CONTROL] = MSI_CONTROL_ENABLE;
	memset(d->wmask + MSI_ADDRESS_LO, 0xff, 8);
	d->wmask[MSI_ADDRESS_LO] = 0xfc;	/* dword aligned */
	memset(d->wmask + MSI_DATA, 0xff, 2);
}

void pci_init(struct pci_bus *bus)
{
	memset(bus, 0, sizeof(*bus));
	device_init(&bus->bridge, HOST_BRIDGE_VENDOR, HOST_BRIDGE_ID, 0x06, 0x00);
	bus->slots[0] = &bus->bridge;

	vmbus_init(&bus->vmbus);
	bus->slots[PCI_VMBUS_SLOT] = &bus->vmbus;

	/* A system peripheral, placed and enabled as firmware would leave it. */
	device_init(&bus->pvpanic, PVPANIC_VENDOR, PVPANIC_ID, 0x08, 0x80);
	bus->pvpanic.bar0_size = PVPANIC_BAR_SIZE;
	put32(bus->pvpanic.config, REG_BAR0, PCI_PVPANIC_PORT | BAR_IO);
	put16(bus->pvpanic.config, REG_COMMAND, COMMAND_IO);
	bus->slots[PCI_PVPANIC_SLOT] = &bus->pvpanic;
}

/* The function the current address selects, or NULL for an absent one. */
static struct pci_device *pci_target(struct pci_bus *bus, unsigned int *reg)
{
	uint32_t a = bus->address;
	unsigned int busnr = (a >> 16) & 0xff, dev = (a >> 11) & 0x1f, fn = (a >> 8) & 7;

	*reg = a & 0xfc;
	if (!(a & ENABLE) || busnr || fn || dev >= PCI_MAX_DEVICES)
		return NULL;
	return bus->slots[dev];
}

uint32_t pci_io_read(struct pci_bus *bus, uint16_t port, unsigned int size)
{
	struct pci_device *d;
	unsigned int reg, off;
	uint32_t v = 0;

	if (port == PCI_CONFIG_ADDRESS && size == 4)
		return bus->address;
	if (port == PCI_RESET_CONTROL && size == 1)
		return bus->reset_control;
	if (port < PCI_CONFIG_DATA || port > PCI_CONFIG_DATA + 3)
		return ~0u;
	d = pci_target(bus, &reg);
	if (!d)
		return size == 4 ? ~0u : (1u << (size * 8)) - 1;
	off = reg + (port - PCI_CONFIG_DATA);
	if (off + size > 256)
		return ~0u;
	memcpy(&v, d->config + off, size);
	return v;
}

/*
 * The command register's I/O enable, BAR 0 and the bytes a device's write
 * mask allows take writes.
 */
static void device_write(struct pci_bus *bus, struct pci_device *d, unsigned int off,
			 unsigned int size, uint32_t value)
{
	uint32_t bar;
	unsigned int i;

	if (off >= MSI_CAP && off < MSI_CAP_END) {
		for (i = 0; i < size && off + i < sizeof(d->config); i++) {
			uint8_t mask = d->wmask[off + i], byte = value >> (8 * i);

			d->config[off + i] = (d->config[off + i] & ~mask) | (byte & mask);
		}
		if (d == &bus->vmbus)
			bus->msi_changed = true;
	} else if (off == REG_COMMAND && size >= 2) {
		put16(d->config, REG_COMMAND, value & (d->bar0_size ? COMMAND_IO : 0));
	} else if (off == REG_BAR0 && size == 4 && d->bar0_size) {
		/* Writing all ones and reading back is how the guest sizes it. */
		bar = (value & ~(d->bar0_size - 1) & 0xffff) | BAR_IO;
		put32(d->config, REG_BAR0, bar);
	}
}

void pci_io_write(struct pci_bus *bus, uint16_t port, unsigned int size, uint32_t value)
{
	struct pci_device *d;
	unsigned int reg;

	if (port == PCI_CONFIG_ADDRESS && size == 4) {
		bus->address = value;
		return;
	}
	if (port == PCI_RESET_CONTROL && size == 1) {
		/* Linux writes the other bits first, then sets RST_CPU. */
		bus->reset_control = value & 0xff & ~PCI_RESET_CPU;
		bus->reset_requested |= value & PCI_RESET_CPU;
		return;
	}
	if (port < PCI_CONFIG_DATA || port > PCI_CONFIG_DATA + 3)
		return;
	d = pci_target(bus, &reg);
	if (d)
		device_write(bus, d, reg + (port - PCI_CONFIG_DATA), size, value);
}

uint16_t pci_pvpanic_port(const struct pci_bus *bus)
{
	const uint8_t *c = bus->pvpanic.config;

	if (!(c[REG_COMMAND] & COMMAND_IO))
		return 0;
	return (c[REG_BAR0] | c[REG_BAR0 + 1] << 8) & ~(PVPANIC_BAR_SIZE - 1);
}

bool pci_vmbus_msi(const struct pci_bus *bus, uint64_t *address, uint32_t *data)
{
	const uint8_t *c = bus->vmbus.config;

	*address = get32(c, MSI_ADDRESS_LO) | (uint64_t)get32(c, MSI_ADDRESS_HI) << 32;
	*data = get16(c, MSI_DATA);
	return get16(c, MSI_CONTROL) & MSI_CONTROL_ENABLE;
}
