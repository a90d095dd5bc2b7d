/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PCI configuration mechanism #1 (ports 0xcf8 address, 0xcfc-0xcff data)
 * with a host bridge at 00:00.0 and nothing else yet; the hvx VMBus
 * controller will be the next function.  Absent functions read all ones.
 */
#ifndef HVX_PCI_H
#define HVX_PCI_H

#include <stdint.h>

#define PCI_CONFIG_ADDRESS	0xcf8
#define PCI_CONFIG_DATA		0xcfc

struct pci_bus {
	uint32_t address;		/* last value written to 0xcf8 */
	uint8_t bridge_config[256];	/* 00:00.0 */
};

void pci_init(struct pci_bus *bus);
/* Port I/O in 0xcf8..0xcff; @size is 1, 2 or 4. */
uint32_t pci_io_read(struct pci_bus *bus, uint16_t port, unsigned int size);
void pci_io_write(struct pci_bus *bus, uint16_t port, unsigned int size, uint32_t value);

#endif
