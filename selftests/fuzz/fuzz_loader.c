// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the direct-boot loader: any bytes as a kernel image,
 * in a small guest.  ASan and UBSan turn any out-of-bounds access into a
 * crash the fuzzer reports.
 */
#include <stdint.h>
#include <stdlib.h>

#include "loader.h"

#define RAM_SIZE (32ULL << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t *ram;
	static const uint8_t initrd[4096];
	struct loader_result res;

	if (!ram)
		ram = calloc(1, RAM_SIZE);
	if (!ram)
		abort();
	loader_load(ram, RAM_SIZE, data, size, initrd, sizeof(initrd),
		    "console=ttyS0", &res);
	return 0;
}
