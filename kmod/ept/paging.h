/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A generic 4-level radix page table, in the manner of Jailhouse's paging
 * engine: the walking lives here, the entry encoding in a struct of
 * per-format operations (EPT is one format, see ept_format.h).  No kernel
 * dependencies: table pages come from caller-supplied operations, so the
 * native unit tests run this very code.
 */
#ifndef HVX_EPT_PAGING_H
#define HVX_EPT_PAGING_H

#include "../pure.h"

#define HVX_PT_LEVELS		4
#define HVX_PT_ENTRIES		512
#define HVX_PT_PAGE_SHIFT	12
#define HVX_PT_PAGE_SIZE	(1ULL << HVX_PT_PAGE_SHIFT)

/* Leaf sizes by level: 1 = 4 KiB, 2 = 2 MiB. */
#define HVX_PT_LEVEL_SHIFT(level)	(HVX_PT_PAGE_SHIFT + 9 * ((level) - 1))
#define HVX_PT_LEVEL_SIZE(level)	(1ULL << HVX_PT_LEVEL_SHIFT(level))

/* Access rights of a leaf, independent of the entry format. */
#define HVX_PT_READ	(1U << 0)
#define HVX_PT_WRITE	(1U << 1)
#define HVX_PT_EXEC	(1U << 2)

struct hvx_pt_mem_ops {
	/* A zeroed, 4 KiB aligned table page; NULL when out of memory. */
	void *(*alloc_table)(void *ctx, u64 *phys);
	void (*free_table)(void *ctx, void *table);
	void *(*phys_to_virt)(void *ctx, u64 phys);
};

struct hvx_pt_format {
	u64 (*make_table)(u64 phys);
	u64 (*make_leaf)(u64 phys, unsigned int level, unsigned int prot);
	bool (*present)(u64 entry);
	bool (*is_leaf)(u64 entry, unsigned int level);
	u64 (*address)(u64 entry);
	unsigned int (*prot)(u64 entry);
};

struct hvx_pt {
	const struct hvx_pt_mem_ops *mem;
	const struct hvx_pt_format *fmt;
	void *ctx;
	u64 *root;
	u64 root_phys;
};

/* Called for every leaf that unmap or destroy removes. */
typedef void (*hvx_pt_leaf_fn)(void *arg, u64 phys, unsigned int level,
			       unsigned int prot);

int hvx_pt_init(struct hvx_pt *pt, const struct hvx_pt_mem_ops *mem,
		const struct hvx_pt_format *fmt, void *ctx);
/* Frees every table, calling @fn for every leaf still mapped. */
void hvx_pt_destroy(struct hvx_pt *pt, hvx_pt_leaf_fn fn, void *arg);

/*
 * Maps [addr, addr + level size) to @phys.  -EINVAL for misalignment or an
 * address beyond 48 bits, -EEXIST when any part is mapped, -ENOMEM.
 */
int hvx_pt_map(struct hvx_pt *pt, u64 addr, u64 phys, unsigned int level,
	       unsigned int prot);

/*
 * Removes every leaf that overlaps [addr, addr + size), whole (a 2 MiB leaf
 * that only partly overlaps goes entirely: callers map large leaves only
 * where the whole region is theirs).  Empty tables stay for reuse.
 * Returns the number of leaves removed.
 */
unsigned long hvx_pt_unmap(struct hvx_pt *pt, u64 addr, u64 size,
			   hvx_pt_leaf_fn fn, void *arg);

/* The leaf entry translating @addr and its level, or 0 when unmapped. */
u64 hvx_pt_lookup(struct hvx_pt *pt, u64 addr, unsigned int *level);

/*
 * True when nothing at all is mapped in the naturally aligned block of
 * @level (2: 2 MiB) that holds @addr, so that one leaf of @level can map it.
 */
bool hvx_pt_block_empty(struct hvx_pt *pt, u64 addr, unsigned int level);

#endif /* HVX_EPT_PAGING_H */
