// SPDX-License-Identifier: GPL-2.0
/*
 * bzImage through the 64-bit boot protocol (Linux's
 * Documentation/arch/x86/boot.rst): the protected-mode kernel goes to its
 * preferred address, the zero page carries the setup header, the E820 map,
 * the command line and the initrd; the entry is 0x200 past the load address.
 */
#include <string.h>

#include "loader.h"
#include "loader_util.h"

/* Offsets in the image and in the zero page (struct boot_params). */
#define BP_E820_ENTRIES		0x1e8
#define HDR_SETUP_SECTS		0x1f1
#define HDR_SYSSIZE		0x1f4
#define HDR_BOOT_FLAG		0x1fe
#define HDR_JUMP		0x200
#define HDR_MAGIC		0x202
#define HDR_VERSION		0x206
#define HDR_TYPE_OF_LOADER	0x210
#define HDR_LOADFLAGS		0x211
#define HDR_RAMDISK_IMAGE	0x218
#define HDR_RAMDISK_SIZE	0x21c
#define HDR_CMD_LINE_PTR	0x228
#define HDR_INITRD_ADDR_MAX	0x22c
#define HDR_KERNEL_ALIGNMENT	0x230
#define HDR_RELOCATABLE		0x234
#define HDR_XLOADFLAGS		0x236
#define HDR_CMDLINE_SIZE	0x238
#define HDR_PREF_ADDRESS	0x258
#define HDR_INIT_SIZE		0x260
#define HDR_END_MIN		0x264
#define BP_E820_TABLE		0x2d0
#define BP_SIZE			0x1000

#define LOADED_HIGH		0x01
#define XLF_KERNEL_64		0x01
#define DEFAULT_LOAD_ADDR	0x1000000ULL

enum loader_error loader_load_bzimage(uint8_t *ram, uint64_t ram_size,
				      const uint8_t *img, size_t size,
				      struct loader_result *res)
{
	uint8_t *bp = ram + LOADER_BOOT_INFO_GPA;
	uint64_t setup_size, payload, load, align, init_size, hdr_end;
	unsigned int setup_sects;

	if (size < HDR_END_MIN)
		return size >= HDR_MAGIC + 4 && !memcmp(img + HDR_MAGIC, "HdrS", 4) ?
		       LOADER_E_TRUNCATED : LOADER_E_FORMAT;
	if (memcmp(img + HDR_MAGIC, "HdrS", 4) || get16(img + HDR_BOOT_FLAG) != 0xaa55)
		return LOADER_E_FORMAT;
	if (get16(img + HDR_VERSION) < 0x020c || !(img[HDR_LOADFLAGS] & LOADED_HIGH) ||
	    !(get16(img + HDR_XLOADFLAGS) & XLF_KERNEL_64))
		return LOADER_E_PROTOCOL;

	setup_sects = img[HDR_SETUP_SECTS] ? img[HDR_SETUP_SECTS] : 4;
	setup_size = (setup_sects + 1ULL) * 512;
	if (setup_size >= size)
		return LOADER_E_TRUNCATED;
	payload = size - setup_size;
	/* syssize counts 16-byte units of the protected-mode kernel. */
	if ((uint64_t)get32(img + HDR_SYSSIZE) * 16 > payload)
		return LOADER_E_TRUNCATED;

	align = get32(img + HDR_KERNEL_ALIGNMENT);
	load = get64(img + HDR_PREF_ADDRESS);
	if (!img[HDR_RELOCATABLE] || load < LOADER_HIGH_RAM ||
	    (align && (align & (align - 1))) || (align && (load & (align - 1))))
		load = DEFAULT_LOAD_ADDR;
	init_size = get32(img + HDR_INIT_SIZE);
	if (init_size < payload)
		init_size = payload;
	if (!in_bounds(load, init_size, ram_size))
		return LOADER_E_RAM;

	/* The setup header runs to the end its jump instruction names. */
	hdr_end = HDR_JUMP + 2 + img[HDR_JUMP + 1];
	if (hdr_end < HDR_END_MIN)
		hdr_end = HDR_END_MIN;
	if (hdr_end > BP_E820_TABLE)
		hdr_end = BP_E820_TABLE;
	if (hdr_end > size)
		return LOADER_E_TRUNCATED;

	memcpy(ram + load, img + setup_size, payload);
	memset(bp, 0, BP_SIZE);
	memcpy(bp + HDR_SETUP_SECTS, img + HDR_SETUP_SECTS, hdr_end - HDR_SETUP_SECTS);

	res->kind = LOADER_BZIMAGE;
	res->entry = load + 0x200;
	res->boot_info = LOADER_BOOT_INFO_GPA;
	res->kernel_start = load;
	res->kernel_end = load + init_size;
	return LOADER_OK;
}

enum loader_error loader_bzimage_check_cmdline(const uint8_t *ram, size_t len)
{
	uint32_t max = get32(ram + LOADER_BOOT_INFO_GPA + HDR_CMDLINE_SIZE);

	/* cmdline_size excludes the NUL; protocols before 2.06 said 255. */
	return len > max ? LOADER_E_CMDLINE : LOADER_OK;
}

uint64_t loader_bzimage_initrd_limit(const uint8_t *ram)
{
	return (uint64_t)get32(ram + LOADER_BOOT_INFO_GPA + HDR_INITRD_ADDR_MAX) + 1;
}

void loader_bzimage_boot_params(uint8_t *ram, uint64_t ram_size,
				const struct loader_result *res)
{
	uint8_t *bp = ram + LOADER_BOOT_INFO_GPA;
	struct loader_e820 map[4];
	unsigned int i, n = loader_e820(ram_size, map);
	uint32_t v;

	bp[HDR_TYPE_OF_LOADER] = 0xff;	/* undefined boot loader */
	v = LOADER_CMDLINE_GPA;
	memcpy(bp + HDR_CMD_LINE_PTR, &v, 4);
	v = res->initrd_start;
	memcpy(bp + HDR_RAMDISK_IMAGE, &v, 4);
	v = res->initrd_size;
	memcpy(bp + HDR_RAMDISK_SIZE, &v, 4);
	for (i = 0; i < n; i++) {
		uint8_t *e = bp + BP_E820_TABLE + i * 20;

		memcpy(e, &map[i].addr, 8);
		memcpy(e + 8, &map[i].size, 8);
		memcpy(e + 16, &map[i].type, 4);
	}
	bp[BP_E820_ENTRIES] = n;
}
