// SPDX-License-Identifier: GPL-2.0
/* Direct Linux boot: what both formats share, and the dispatcher. */
#include <string.h>

#include "loader.h"
#include "loader_util.h"

const char *loader_error_name(enum loader_error err)
{
	static const char *const names[] = {
		[LOADER_OK]		= "success",
		[LOADER_E_FORMAT]	= "not a kernel image (neither ELF vmlinux nor bzImage)",
		[LOADER_E_TRUNCATED]	= "kernel image truncated: a header or segment lies past its end",
		[LOADER_E_ELF]		= "vmlinux is not an x86-64 executable ELF",
		[LOADER_E_NO_PVH]	= "vmlinux has no PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY)",
		[LOADER_E_PROTOCOL]	= "bzImage boot protocol older than 2.12 or without a 64-bit entry",
		[LOADER_E_RAM]		= "guest memory too small for this kernel",
		[LOADER_E_OVERLAP]	= "kernel would overlap the boot structures below 1 MiB",
		[LOADER_E_CMDLINE]	= "kernel command line too long",
		[LOADER_E_INITRD]	= "initrd does not fit in guest memory",
	};

	if ((unsigned int)err >= sizeof(names) / sizeof(names[0]))
		return "unknown loader error";
	return names[err];
}

unsigned int loader_e820(uint64_t ram_size, struct loader_e820 map[4])
{
	map[0] = (struct loader_e820){ 0, LOADER_LOW_RAM_END, LOADER_E820_RAM };
	map[1] = (struct loader_e820){ LOADER_LOW_RAM_END, 0xa0000 - LOADER_LOW_RAM_END,
				       LOADER_E820_RESERVED };
	map[2] = (struct loader_e820){ 0xf0000, 0x10000, LOADER_E820_RESERVED };
	map[3] = (struct loader_e820){ LOADER_HIGH_RAM, ram_size - LOADER_HIGH_RAM,
				       LOADER_E820_RAM };
	return 4;
}

enum loader_error loader_place_initrd(uint8_t *ram, uint64_t ram_size, uint64_t limit,
				      const struct loader_result *kernel,
				      const uint8_t *initrd, size_t size, uint64_t *gpa)
{
	uint64_t top = ram_size < limit ? ram_size : limit;
	uint64_t start;

	/* As high as it goes, page aligned, and clear of the kernel. */
	if (size > top)
		return LOADER_E_INITRD;
	start = (top - size) & ~0xfffULL;
	if (start < page_align_up(kernel->kernel_end))
		return LOADER_E_INITRD;
	memcpy(ram + start, initrd, size);
	*gpa = start;
	return LOADER_OK;
}

/* PVH boot information (Xen's hvm_start_info, version 1). */
#define PVH_START_MAGIC		0x336ec578

struct pvh_start_info {
	uint32_t magic, version, flags, nr_modules;
	uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr, memmap_paddr;
	uint32_t memmap_entries, reserved;
};

struct pvh_module {
	uint64_t paddr, size, cmdline_paddr, reserved;
};

struct pvh_memmap_entry {
	uint64_t addr, size;
	uint32_t type, reserved;
};

static void pvh_boot_info(uint8_t *ram, uint64_t ram_size, const struct loader_result *res)
{
	struct pvh_start_info info = {
		.magic = PVH_START_MAGIC, .version = 1,
		.cmdline_paddr = LOADER_CMDLINE_GPA, .memmap_paddr = LOADER_MEMMAP_GPA,
	};
	struct loader_e820 map[4];
	unsigned int i, n = loader_e820(ram_size, map);

	for (i = 0; i < n; i++) {
		struct pvh_memmap_entry e = { map[i].addr, map[i].size, map[i].type, 0 };

		memcpy(ram + LOADER_MEMMAP_GPA + i * sizeof(e), &e, sizeof(e));
	}
	info.memmap_entries = n;
	if (res->initrd_size) {
		struct pvh_module mod = { res->initrd_start, res->initrd_size, 0, 0 };

		memcpy(ram + LOADER_MODLIST_GPA, &mod, sizeof(mod));
		info.nr_modules = 1;
		info.modlist_paddr = LOADER_MODLIST_GPA;
	}
	memcpy(ram + LOADER_BOOT_INFO_GPA, &info, sizeof(info));
}

enum loader_error loader_load(uint8_t *ram, uint64_t ram_size,
			      const uint8_t *kernel, size_t kernel_size,
			      const uint8_t *initrd, size_t initrd_size,
			      const char *cmdline, struct loader_result *res)
{
	size_t cmdline_len = cmdline ? strlen(cmdline) : 0;
	enum loader_error err;
	uint64_t limit;

	memset(res, 0, sizeof(*res));
	if (ram_size < LOADER_MIN_RAM)
		return LOADER_E_RAM;
	if (cmdline_len >= LOADER_CMDLINE_MAX)
		return LOADER_E_CMDLINE;

	if (kernel_size >= 4 && !memcmp(kernel, "\177ELF", 4))
		err = loader_load_pvh(ram, ram_size, kernel, kernel_size, res);
	else
		err = loader_load_bzimage(ram, ram_size, kernel, kernel_size, res);
	if (err)
		return err;

	memset(ram + LOADER_CMDLINE_GPA, 0, LOADER_CMDLINE_MAX);
	if (cmdline_len)
		memcpy(ram + LOADER_CMDLINE_GPA, cmdline, cmdline_len);

	if (res->kind == LOADER_BZIMAGE) {
		err = loader_bzimage_check_cmdline(ram, cmdline_len);
		if (err)
			return err;
	}

	if (initrd && initrd_size) {
		/* PVH and the bzImage's initrd_addr_max both stop below 4 GiB. */
		limit = res->kind == LOADER_BZIMAGE ? loader_bzimage_initrd_limit(ram)
						    : 1ULL << 32;
		err = loader_place_initrd(ram, ram_size, limit, res, initrd, initrd_size,
					  &res->initrd_start);
		if (err)
			return err;
		res->initrd_size = initrd_size;
	}

	if (res->kind == LOADER_PVH)
		pvh_boot_info(ram, ram_size, res);
	else
		loader_bzimage_boot_params(ram, ram_size, res);
	return loader_mptable(ram, ram_size);
}
