/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PCI configuration mechanism #1 (ports 0xcf8 address, 0xcfc-0xcff data)
 * and, inside that window as on PC chipsets, the reset control register
 * (a byte at 0xcf9, which Linux's reboot=pci writes), on bus 0: a host bridge at 00:00.0, the channel bus's controller at
 * 00:01.0 (its MSI is the bus's interrupt) and a pvpanic device at
 * 00:03.0.  Absent functions read all ones.  BARs are I/O BARs placed as firmware would; the guest may
 * size and move them.
 */
#ifndef HVX_PCI_H
#define HVX_PCI_H

#include <stdbool.h>
#include <stdint.h>

#define PCI_CONFIG_ADDRESS	0xcf8
#define PCI_CONFIG_DATA		0xcfc
#define PCI_RESET_CONTROL	0xcf9
#define PCI_RESET_CPU		0x04	/* writing it set resets the machine */
#define PCI_MAX_DEVICES		4
#define PCI_VMBUS_SLOT		1

/* pvpanic (QEMU's device 1b36:0011): one I/O register, bit 0 "panicked". */
#define PCI_PVPANIC_SLOT	3
#define PCI_PVPANIC_PORT	0x600
#define PVPANIC_PANICKED	0x01

struct pci_device {
	uint8_t config[256];
	uint32_t bar0_size;		/* an I/O BAR of this size, 0 for none */
	uint8_t wmask[256];		/* writable bits of the capabilities */
};

struct pci_bus {
	uint32_t address;		/* last value written to 0xcf8 */
	struct pci_device *slots[PCI_MAX_DEVICES];
	struct pci_device bridge, vmbus, pvpanic;
	/* The guest wrote the controller's MSI: tell hvx.ko, clear this. */
	bool msi_changed;
	uint8_t reset_control;		/* its bits other than PCI_RESET_CPU */
	/* The guest asked for a reset through the reset control register. */
	bool reset_requested;
};

void pci_init(struct pci_bus *bus);
/*
 * Port I/O in 0xcf8..0xcff, the whole window: the address is a 32-bit
 * register, the reset control register a byte; @size is 1, 2 or 4.
 */
uint32_t pci_io_read(struct pci_bus *bus, uint16_t port, unsigned int size);
void pci_io_write(struct pci_bus *bus, uint16_t port, unsigned int size, uint32_t value);
/* Where the pvpanic register is now, or 0 while its I/O decoding is off. */
uint16_t pci_pvpanic_port(const struct pci_bus *bus);
/* The controller's MSI address and data; true while MSI is enabled. */
bool pci_vmbus_msi(const struct pci_bus *bus, uint64_t *address, uint32_t *data);

#endif
