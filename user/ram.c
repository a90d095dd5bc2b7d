// SPDX-License-Identifier: GPL-2.0
/* Guest RAM: 2 MiB aligned anonymous memory. */
#include <stdint.h>
#include <sys/mman.h>

#include "ram.h"

#define HUGE_SIZE	(2UL << 20)

void *ram_alloc(size_t size)
{
	uint8_t *p = mmap(NULL, size + HUGE_SIZE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	uintptr_t start, head;

	if (p == MAP_FAILED)
		return NULL;
	/* Reserve 2 MiB more than needed, then trim both ends. */
	start = ((uintptr_t)p + HUGE_SIZE - 1) & ~(HUGE_SIZE - 1);
	head = start - (uintptr_t)p;
	if (head)
		munmap(p, head);
	munmap((uint8_t *)start + size, HUGE_SIZE - head);
	return (void *)start;
}

void ram_free(void *ram, size_t size)
{
	munmap(ram, size);
}
