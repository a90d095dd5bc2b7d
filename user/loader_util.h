/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared by the loader's files. */
#ifndef HVX_LOADER_UTIL_H
#define HVX_LOADER_UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "loader.h"

static inline uint64_t page_align_up(uint64_t x)
{
	return (x + 0xfff) & ~0xfffULL;
}

/* [off, off + len) lies within [0, size), without overflow. */
static inline bool in_bounds(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

static inline uint16_t get16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static inline uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static inline uint64_t get64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

/* bzImage pieces that run after the kernel is in place (loader_bzimage.c). */
enum loader_error loader_bzimage_check_cmdline(const uint8_t *ram, size_t len);
uint64_t loader_bzimage_initrd_limit(const uint8_t *ram);
void loader_bzimage_boot_params(uint8_t *ram, uint64_t ram_size,
				const struct loader_result *res);

#endif
