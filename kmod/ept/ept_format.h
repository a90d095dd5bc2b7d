/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The EPT entry format (Intel SDM vol. 3, "EPT paging-structure entries")
 * as a struct hvx_pt_format, and the EPT pointer.
 */
#ifndef HVX_EPT_FORMAT_H
#define HVX_EPT_FORMAT_H

#include "paging.h"

#define EPT_READ		(1ULL << 0)
#define EPT_WRITE		(1ULL << 1)
#define EPT_EXEC		(1ULL << 2)
#define EPT_MT_WB		(6ULL << 3)
#define EPT_IGNORE_PAT		(1ULL << 6)
#define EPT_LARGE		(1ULL << 7)
#define EPT_ADDR_MASK		0x000ffffffffff000ULL

/* EPTP: write-back paging structures, 4-level walk (length - 1 in 5:3). */
#define EPTP_MT_WB		6ULL
#define EPTP_WALK_4		(3ULL << 3)

extern const struct hvx_pt_format hvx_ept_format;

static inline u64 hvx_ept_pointer(u64 root_phys)
{
	return root_phys | EPTP_WALK_4 | EPTP_MT_WB;
}

#endif /* HVX_EPT_FORMAT_H */
