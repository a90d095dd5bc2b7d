// SPDX-License-Identifier: GPL-2.0
/*
 * MultiProcessor Specification 1.4 tables: how a guest without ACPI finds
 * its CPU, the I/O APIC and the routing of the ISA interrupts.  The floating
 * pointer goes at the start of the BIOS area (0xf0000), one of the three
 * places the spec says to search and Linux's smp_scan_config() does; the
 * configuration table follows it.  loader_e820() reports the area reserved,
 * so the guest never reuses it as RAM.
 */
#include <string.h>

#include "loader.h"
#include "loader_util.h"
#include "uapi/hvx.h"

#define MPF_SIZE		16
#define MPC_HEADER_SIZE		44
#define MP_SPEC_REV_1_4		4

/* Configuration table entry types and their sizes. */
#define MP_PROCESSOR		0
#define MP_PROCESSOR_SIZE	20
#define MP_BUS			1
#define MP_IOAPIC		2
#define MP_INTSRC		3
#define MP_LINTSRC		4
#define MP_ENTRY_SIZE		8	/* every type but the processor */

#define MP_CPU_ENABLED		0x01
#define MP_CPU_BSP		0x02
#define MP_IOAPIC_ENABLED	0x01
/* Local APIC version: integrated (0x1x), as the in-kernel LAPIC reports. */
#define MP_LAPIC_VERSION	0x14

/* Interrupt types of I/O and local interrupt entries. */
#define MP_IRQ_INT		0
#define MP_IRQ_NMI		1
#define MP_IRQ_EXTINT		3
/* Polarity and trigger "conform to the bus": active high, edge for ISA. */
#define MP_IRQ_FLAGS_BUS	0
#define MP_ALL_LAPICS		0xff

#define MP_BUS_PCI		0
#define MP_BUS_ISA		1
#define MP_ISA_IRQS		16

static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }

static uint8_t mp_checksum(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;

	while (len--)
		sum += *p++;
	return -sum;
}

static uint8_t *mp_bus(uint8_t *p, uint8_t id, const char type[6])
{
	p[0] = MP_BUS;
	p[1] = id;
	memcpy(p + 2, type, 6);
	return p + MP_ENTRY_SIZE;
}

static uint8_t *mp_irq(uint8_t *p, uint8_t entry_type, uint8_t irq_type, uint8_t bus,
		       uint8_t bus_irq, uint8_t dest_apic, uint8_t dest_pin)
{
	p[0] = entry_type;
	p[1] = irq_type;
	put16(p + 2, MP_IRQ_FLAGS_BUS);
	p[4] = bus;
	p[5] = bus_irq;
	p[6] = dest_apic;
	p[7] = dest_pin;
	return p + MP_ENTRY_SIZE;
}

enum loader_error loader_mptable(uint8_t *ram, uint64_t ram_size)
{
	uint8_t *mpf = ram + LOADER_MPTABLE_GPA;
	uint8_t *mpc = mpf + MPF_SIZE;
	uint8_t *p = mpc + MPC_HEADER_SIZE;
	unsigned int count = 0, irq;

	if (ram_size < LOADER_HIGH_RAM)
		return LOADER_E_RAM;
	memset(mpf, 0, LOADER_MPTABLE_MAX);

	/*
	 * The boot CPU.  Signature and feature flags stay 0: Linux ignores
	 * them, and the guest learns its CPU from CPUID.
	 */
	p[0] = MP_PROCESSOR;
	p[1] = 0;			/* APIC id = vCPU id */
	p[2] = MP_LAPIC_VERSION;
	p[3] = MP_CPU_ENABLED | MP_CPU_BSP;
	p += MP_PROCESSOR_SIZE;
	count++;

	/* Bus type strings are six characters, padded with blanks. */
	p = mp_bus(p, MP_BUS_PCI, "PCI   ");
	p = mp_bus(p, MP_BUS_ISA, "ISA   ");
	count += 2;

	p[0] = MP_IOAPIC;
	p[1] = HVX_IOAPIC_ID;
	p[2] = HVX_IOAPIC_VERSION;
	p[3] = MP_IOAPIC_ENABLED;
	put32(p + 4, HVX_IOAPIC_GPA);
	p += MP_ENTRY_SIZE;
	count++;

	/*
	 * ISA IRQ n on pin n.  No PIT sits on IRQ 0 and no PIC cascades on
	 * IRQ 2, so the usual 0->2 override would only describe hardware that
	 * is not there.
	 */
	for (irq = 0; irq < MP_ISA_IRQS; irq++, count++)
		p = mp_irq(p, MP_INTSRC, MP_IRQ_INT, MP_BUS_ISA, irq, HVX_IOAPIC_ID, irq);

	/* Virtual wire wiring of the local APIC's pins, as on PCs. */
	p = mp_irq(p, MP_LINTSRC, MP_IRQ_EXTINT, MP_BUS_ISA, 0, MP_ALL_LAPICS, 0);
	p = mp_irq(p, MP_LINTSRC, MP_IRQ_NMI, MP_BUS_ISA, 0, MP_ALL_LAPICS, 1);
	count += 2;

	memcpy(mpc, "PCMP", 4);
	put16(mpc + 4, p - mpc);		/* base table length */
	mpc[6] = MP_SPEC_REV_1_4;
	memcpy(mpc + 8, "HVX     ", 8);		/* OEM id */
	memcpy(mpc + 16, "HVX VM      ", 12);	/* product id */
	put16(mpc + 34, count);
	put32(mpc + 36, HVX_LAPIC_GPA);
	mpc[7] = mp_checksum(mpc, p - mpc);

	memcpy(mpf, "_MP_", 4);
	put32(mpf + 4, LOADER_MPTABLE_GPA + MPF_SIZE);
	mpf[8] = 1;				/* length in 16-byte units */
	mpf[9] = MP_SPEC_REV_1_4;
	/*
	 * Feature byte 1 = 0: a configuration table is present.  Byte 2 = 0:
	 * virtual wire mode, no IMCR to switch away from a PIC.
	 */
	mpf[10] = mp_checksum(mpf, MPF_SIZE);
	return LOADER_OK;
}
