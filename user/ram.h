/* SPDX-License-Identifier: GPL-2.0 */
/* Guest RAM in the VMM: anonymous memory laid out for hvx.ko's EPT. */
#ifndef HVX_RAM_H
#define HVX_RAM_H

#include <stddef.h>

/*
 * @size bytes of zeroed anonymous memory at a 2 MiB boundary, so that
 * transparent huge pages line up with guest 2 MiB blocks and hvx.ko can map
 * each with one EPT entry.  NULL with errno set on failure.
 */
void *ram_alloc(size_t size);
void ram_free(void *ram, size_t size);

#endif
