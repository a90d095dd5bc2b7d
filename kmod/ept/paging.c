// SPDX-License-Identifier: GPL-2.0
/* The generic table walk behind EPT; see paging.h. */
#include "paging.h"

#define MAX_ADDR	(1ULL << 48)

static unsigned int pt_index(u64 addr, unsigned int level)
{
	return (addr >> HVX_PT_LEVEL_SHIFT(level)) & (HVX_PT_ENTRIES - 1);
}

static u64 *pt_table(struct hvx_pt *pt, u64 entry)
{
	return pt->mem->phys_to_virt(pt->ctx, pt->fmt->address(entry));
}

int hvx_pt_init(struct hvx_pt *pt, const struct hvx_pt_mem_ops *mem,
		const struct hvx_pt_format *fmt, void *ctx)
{
	pt->mem = mem;
	pt->fmt = fmt;
	pt->ctx = ctx;
	pt->root = mem->alloc_table(ctx, &pt->root_phys);
	return pt->root ? 0 : -ENOMEM;
}

static void pt_free(struct hvx_pt *pt, u64 *table, unsigned int level,
		    hvx_pt_leaf_fn fn, void *arg)
{
	unsigned int i;

	for (i = 0; i < HVX_PT_ENTRIES; i++) {
		u64 e = table[i];

		if (!pt->fmt->present(e))
			continue;
		if (pt->fmt->is_leaf(e, level)) {
			if (fn)
				fn(arg, pt->fmt->address(e), level, pt->fmt->prot(e));
		} else {
			pt_free(pt, pt_table(pt, e), level - 1, fn, arg);
		}
	}
	pt->mem->free_table(pt->ctx, table);
}

void hvx_pt_destroy(struct hvx_pt *pt, hvx_pt_leaf_fn fn, void *arg)
{
	if (pt->root)
		pt_free(pt, pt->root, HVX_PT_LEVELS, fn, arg);
	pt->root = NULL;
}

int hvx_pt_map(struct hvx_pt *pt, u64 addr, u64 phys, unsigned int level,
	       unsigned int prot)
{
	u64 size = HVX_PT_LEVEL_SIZE(level);
	unsigned int l;
	u64 *table = pt->root;

	if (level < 1 || level > 2 || (addr & (size - 1)) || (phys & (size - 1)) ||
	    addr >= MAX_ADDR || !prot)
		return -EINVAL;

	for (l = HVX_PT_LEVELS; l > level; l--) {
		u64 *e = &table[pt_index(addr, l)];

		if (!pt->fmt->present(*e)) {
			u64 table_phys;
			void *next = pt->mem->alloc_table(pt->ctx, &table_phys);

			if (!next)
				return -ENOMEM;
			*e = pt->fmt->make_table(table_phys);
		} else if (pt->fmt->is_leaf(*e, l)) {
			return -EEXIST;
		}
		table = pt_table(pt, *e);
	}

	/* A large leaf must not hide smaller mappings below it. */
	if (pt->fmt->present(table[pt_index(addr, level)]))
		return -EEXIST;
	table[pt_index(addr, level)] = pt->fmt->make_leaf(phys, level, prot);
	return 0;
}

static unsigned long pt_unmap(struct hvx_pt *pt, u64 *table, unsigned int level,
			      u64 base, u64 start, u64 end, hvx_pt_leaf_fn fn, void *arg)
{
	u64 span = HVX_PT_LEVEL_SIZE(level);
	unsigned long removed = 0;
	unsigned int i;

	for (i = 0; i < HVX_PT_ENTRIES; i++) {
		u64 lo = base + i * span, hi = lo + span;
		u64 e = table[i];

		if (hi <= start || lo >= end || !pt->fmt->present(e))
			continue;
		if (pt->fmt->is_leaf(e, level)) {
			table[i] = 0;
			if (fn)
				fn(arg, pt->fmt->address(e), level, pt->fmt->prot(e));
			removed++;
		} else {
			removed += pt_unmap(pt, pt_table(pt, e), level - 1, lo,
					    start, end, fn, arg);
		}
	}
	return removed;
}

unsigned long hvx_pt_unmap(struct hvx_pt *pt, u64 addr, u64 size,
			   hvx_pt_leaf_fn fn, void *arg)
{
	u64 end = addr + size;

	if (end < addr || end > MAX_ADDR)
		end = MAX_ADDR;
	return pt_unmap(pt, pt->root, HVX_PT_LEVELS, 0, addr, end, fn, arg);
}

u64 hvx_pt_lookup(struct hvx_pt *pt, u64 addr, unsigned int *level)
{
	u64 *table = pt->root;
	unsigned int l;

	if (addr >= MAX_ADDR)
		return 0;
	for (l = HVX_PT_LEVELS; l >= 1; l--) {
		u64 e = table[pt_index(addr, l)];

		if (!pt->fmt->present(e))
			return 0;
		if (pt->fmt->is_leaf(e, l)) {
			if (level)
				*level = l;
			return e;
		}
		table = pt_table(pt, e);
	}
	return 0;
}

bool hvx_pt_block_empty(struct hvx_pt *pt, u64 addr, unsigned int level)
{
	u64 *table = pt->root;
	unsigned int l;

	if (addr >= MAX_ADDR || level < 1 || level > HVX_PT_LEVELS)
		return false;
	for (l = HVX_PT_LEVELS; l >= level; l--) {
		u64 e = table[pt_index(addr, l)];

		if (!pt->fmt->present(e))
			return true;
		if (l == level || pt->fmt->is_leaf(e, l))
			return false;
		table = pt_table(pt, e);
	}
	return false;
}
