/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Direct Linux boot: places a kernel, its command line and initrd in guest
 * RAM and builds the boot information, for an uncompressed vmlinux with a
 * PVH entry note or a bzImage through the 64-bit boot protocol.  Pure
 * functions over a RAM buffer: no ioctls, so the unit tests and fuzzers run
 * the very same code.  Every input is untrusted; every failure says why.
 */
#ifndef HVX_LOADER_H
#define HVX_LOADER_H

#include <stddef.h>
#include <stdint.h>

/* Fixed guest physical addresses of the boot structures. */
#define LOADER_BOOT_INFO_GPA	0x7000ULL	/* start_info or zero page */
#define LOADER_MEMMAP_GPA	0x8000ULL	/* PVH memory map */
#define LOADER_MODLIST_GPA	0x9000ULL	/* PVH module list */
#define LOADER_CMDLINE_GPA	0x20000ULL
#define LOADER_CMDLINE_MAX	2048		/* bytes with the NUL */
#define LOADER_MPTABLE_GPA	0xf0000ULL	/* MP floating pointer, then table */
#define LOADER_MPTABLE_MAX	0x400		/* bytes the two may take */
#define LOADER_LOW_RAM_END	0x9fc00ULL	/* below: RAM; to 1 MiB: reserved */
#define LOADER_HIGH_RAM		0x100000ULL
#define LOADER_MIN_RAM		(16ULL << 20)

enum loader_kind { LOADER_PVH, LOADER_BZIMAGE };

struct loader_result {
	enum loader_kind kind;
	uint64_t entry;		/* PVH: 32-bit entry; bzImage: 64-bit entry */
	uint64_t boot_info;	/* PVH: start_info (EBX); bzImage: zero page (RSI) */
	uint64_t kernel_start, kernel_end;
	uint64_t initrd_start, initrd_size;
};

/* Errors a loader returns; loader_error_name() gives a one-line reason. */
enum loader_error {
	LOADER_OK = 0,
	LOADER_E_FORMAT,	/* neither ELF nor bzImage */
	LOADER_E_TRUNCATED,	/* a header or segment lies past the file end */
	LOADER_E_ELF,		/* an ELF that is not x86-64 executable */
	LOADER_E_NO_PVH,	/* vmlinux without a PVH entry note */
	LOADER_E_PROTOCOL,	/* bzImage boot protocol too old or not 64-bit */
	LOADER_E_RAM,		/* the guest's RAM is too small or the kernel outside it */
	LOADER_E_OVERLAP,	/* the kernel would cover the boot structures */
	LOADER_E_CMDLINE,	/* command line too long */
	LOADER_E_INITRD,	/* initrd does not fit */
};

const char *loader_error_name(enum loader_error err);

/*
 * Loads @kernel (either format, told apart by its magic) into @ram, a
 * buffer for guest physical [0, @ram_size), with @cmdline (may be NULL) and
 * @initrd (may be NULL).  On error nothing useful is in @ram.
 */
enum loader_error loader_load(uint8_t *ram, uint64_t ram_size,
			      const uint8_t *kernel, size_t kernel_size,
			      const uint8_t *initrd, size_t initrd_size,
			      const char *cmdline, struct loader_result *res);

/* The two formats alone, and the pieces they share (loader.c). */
enum loader_error loader_load_pvh(uint8_t *ram, uint64_t ram_size,
				  const uint8_t *elf, size_t size, struct loader_result *res);
enum loader_error loader_load_bzimage(uint8_t *ram, uint64_t ram_size,
				      const uint8_t *img, size_t size,
				      struct loader_result *res);
enum loader_error loader_place_initrd(uint8_t *ram, uint64_t ram_size, uint64_t limit,
				      const struct loader_result *kernel,
				      const uint8_t *initrd, size_t size,
				      uint64_t *gpa);

/*
 * MP tables (MultiProcessor Specification 1.4) at LOADER_MPTABLE_GPA: the
 * boot CPU, the I/O APIC and ISA IRQ n on its pin n.  loader_load() calls
 * it for both formats; LOADER_E_RAM if @ram does not reach 1 MiB.
 */
enum loader_error loader_mptable(uint8_t *ram, uint64_t ram_size);

/* E820 memory map of a guest with @ram_size bytes; returns the count. */
#define LOADER_E820_RAM		1
#define LOADER_E820_RESERVED	2
struct loader_e820 {
	uint64_t addr, size;
	uint32_t type;
};
unsigned int loader_e820(uint64_t ram_size, struct loader_e820 map[4]);

#endif
