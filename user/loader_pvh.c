// SPDX-License-Identifier: GPL-2.0
/*
 * vmlinux with a PVH entry: the ELF's PT_LOAD segments go to their physical
 * addresses; the entry comes from the Xen note XEN_ELFNOTE_PHYS32_ENTRY.
 */
#include <string.h>

#include "loader.h"
#include "loader_util.h"

#define EHDR_SIZE	64
#define PHDR_SIZE	56
#define PT_LOAD		1
#define PT_NOTE		4
#define XEN_ELFNOTE_PHYS32_ENTRY 18

struct phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

static void read_phdr(const uint8_t *p, struct phdr *ph)
{
	ph->type = get32(p);
	ph->flags = get32(p + 4);
	ph->offset = get64(p + 8);
	ph->vaddr = get64(p + 16);
	ph->paddr = get64(p + 24);
	ph->filesz = get64(p + 32);
	ph->memsz = get64(p + 40);
	ph->align = get64(p + 48);
}

/* Looks for the PVH entry in one PT_NOTE segment; 1 when found. */
static int find_pvh_note(const uint8_t *note, uint64_t size, uint64_t *entry)
{
	uint64_t pos = 0;

	while (in_bounds(pos, 12, size)) {
		uint32_t namesz = get32(note + pos);
		uint32_t descsz = get32(note + pos + 4);
		uint32_t type = get32(note + pos + 8);
		uint64_t name = pos + 12;
		uint64_t desc = name + (((uint64_t)namesz + 3) & ~3ULL);
		uint64_t next = desc + (((uint64_t)descsz + 3) & ~3ULL);

		if (!in_bounds(name, namesz, size) || !in_bounds(desc, descsz, size))
			return 0;
		if (namesz == 4 && !memcmp(note + name, "Xen", 4) &&
		    type == XEN_ELFNOTE_PHYS32_ENTRY) {
			if (descsz == 4)
				*entry = get32(note + desc);
			else if (descsz == 8)
				*entry = get64(note + desc);
			else
				return 0;
			return 1;
		}
		pos = next;
	}
	return 0;
}

enum loader_error loader_load_pvh(uint8_t *ram, uint64_t ram_size,
				  const uint8_t *elf, size_t size, struct loader_result *res)
{
	uint64_t phoff, lo = UINT64_MAX, hi = 0, entry = 0;
	uint16_t phnum, phentsize, i;
	int have_entry = 0;

	if (size < EHDR_SIZE)
		return LOADER_E_TRUNCATED;
	/* 64-bit, little-endian, executable, x86-64. */
	if (elf[4] != 2 || elf[5] != 1 || get16(elf + 16) != 2 || get16(elf + 18) != 62)
		return LOADER_E_ELF;
	phoff = get64(elf + 32);
	phentsize = get16(elf + 54);
	phnum = get16(elf + 56);
	if (phentsize != PHDR_SIZE || !phnum)
		return LOADER_E_ELF;
	if (!in_bounds(phoff, (uint64_t)phnum * PHDR_SIZE, size))
		return LOADER_E_TRUNCATED;

	/* Check every segment before writing any. */
	for (i = 0; i < phnum; i++) {
		struct phdr ph;

		read_phdr(elf + phoff + (uint64_t)i * PHDR_SIZE, &ph);
		if (ph.type == PT_NOTE && in_bounds(ph.offset, ph.filesz, size) &&
		    find_pvh_note(elf + ph.offset, ph.filesz, &entry))
			have_entry = 1;
		if (ph.type != PT_LOAD || !ph.memsz)
			continue;
		if (!in_bounds(ph.offset, ph.filesz, size))
			return LOADER_E_TRUNCATED;
		if (ph.filesz > ph.memsz)
			return LOADER_E_ELF;
		if (!in_bounds(ph.paddr, ph.memsz, ram_size))
			return LOADER_E_RAM;
		if (ph.paddr < LOADER_HIGH_RAM)
			return LOADER_E_OVERLAP;
		if (ph.paddr < lo)
			lo = ph.paddr;
		if (ph.paddr + ph.memsz > hi)
			hi = ph.paddr + ph.memsz;
	}
	if (!hi)
		return LOADER_E_ELF;
	if (!have_entry)
		return LOADER_E_NO_PVH;
	if (entry < lo || entry >= hi)
		return LOADER_E_ELF;

	for (i = 0; i < phnum; i++) {
		struct phdr ph;

		read_phdr(elf + phoff + (uint64_t)i * PHDR_SIZE, &ph);
		if (ph.type != PT_LOAD || !ph.memsz)
			continue;
		memcpy(ram + ph.paddr, elf + ph.offset, ph.filesz);
		memset(ram + ph.paddr + ph.filesz, 0, ph.memsz - ph.filesz);
	}
	res->kind = LOADER_PVH;
	res->entry = entry;
	res->boot_info = LOADER_BOOT_INFO_GPA;
	res->kernel_start = lo;
	res->kernel_end = hi;
	return LOADER_OK;
}
