// SPDX-License-Identifier: GPL-2.0
/* Configuration mechanism #1 and a host bridge that only identifies itself. */
#include <string.h>

#include "pci.h"

#define ENABLE		0x80000000u
/*
 * The identity other minimal VMMs give their host bridge (an Intel ID that
 * Linux binds no driver to); hvx's own devices will carry their own IDs.
 */
#define HOST_BRIDGE_VENDOR	0x8086
#define HOST_BRIDGE_ID		0x0d57

void pci_init(struct pci_bus *bus)
{
	uint8_t *c = bus->bridge_config;

	memset(bus, 0, sizeof(*bus));
	c[0x00] = HOST_BRIDGE_VENDOR & 0xff;
	c[0x01] = HOST_BRIDGE_VENDOR >> 8;
	c[0x02] = HOST_BRIDGE_ID & 0xff;
	c[0x03] = HOST_BRIDGE_ID >> 8;
	c[0x0a] = 0x00;		/* subclass: host bridge */
	c[0x0b] = 0x06;		/* class: bridge */
	c[0x0e] = 0x00;		/* header type 0, single function */
}

/* The config byte the current address selects, or NULL for an absent one. */
static uint8_t *pci_target(struct pci_bus *bus, unsigned int *reg)
{
	uint32_t a = bus->address;
	unsigned int busnr = (a >> 16) & 0xff, dev = (a >> 11) & 0x1f, fn = (a >> 8) & 7;

	*reg = a & 0xfc;
	if (!(a & ENABLE) || busnr || dev || fn)
		return NULL;
	return bus->bridge_config;
}

uint32_t pci_io_read(struct pci_bus *bus, uint16_t port, unsigned int size)
{
	unsigned int reg, off;
	uint32_t v = 0;
	uint8_t *cfg;

	if (port == PCI_CONFIG_ADDRESS && size == 4)
		return bus->address;
	if (port < PCI_CONFIG_DATA || port > PCI_CONFIG_DATA + 3)
		return ~0u;
	cfg = pci_target(bus, &reg);
	if (!cfg)
		return size == 4 ? ~0u : (1u << (size * 8)) - 1;
	off = reg + (port - PCI_CONFIG_DATA);
	if (off + size > 256)
		return ~0u;
	memcpy(&v, cfg + off, size);
	return v;
}

void pci_io_write(struct pci_bus *bus, uint16_t port, unsigned int size, uint32_t value)
{
	if (port == PCI_CONFIG_ADDRESS && size == 4) {
		bus->address = value;
		return;
	}
	/* The host bridge has nothing writable: BARs and commands are ignored. */
}
