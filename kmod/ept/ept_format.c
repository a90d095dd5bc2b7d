// SPDX-License-Identifier: GPL-2.0
/* EPT entries for the generic table engine. */
#include "ept_format.h"

static u64 ept_make_table(u64 phys)
{
	return (phys & EPT_ADDR_MASK) | EPT_READ | EPT_WRITE | EPT_EXEC;
}

static u64 ept_make_leaf(u64 phys, unsigned int level, unsigned int prot)
{
	u64 e = (phys & EPT_ADDR_MASK) | EPT_MT_WB | EPT_IGNORE_PAT;

	if (prot & HVX_PT_READ)
		e |= EPT_READ;
	if (prot & HVX_PT_WRITE)
		e |= EPT_WRITE;
	if (prot & HVX_PT_EXEC)
		e |= EPT_EXEC;
	if (level > 1)
		e |= EPT_LARGE;
	return e;
}

static bool ept_present(u64 e)
{
	return e & (EPT_READ | EPT_WRITE | EPT_EXEC);
}

static bool ept_is_leaf(u64 e, unsigned int level)
{
	return level == 1 || (e & EPT_LARGE);
}

static u64 ept_address(u64 e)
{
	return e & EPT_ADDR_MASK;
}

static unsigned int ept_prot(u64 e)
{
	return ((e & EPT_READ) ? HVX_PT_READ : 0) |
	       ((e & EPT_WRITE) ? HVX_PT_WRITE : 0) |
	       ((e & EPT_EXEC) ? HVX_PT_EXEC : 0);
}

const struct hvx_pt_format hvx_ept_format = {
	.make_table	= ept_make_table,
	.make_leaf	= ept_make_leaf,
	.present	= ept_present,
	.is_leaf	= ept_is_leaf,
	.address	= ept_address,
	.prot		= ept_prot,
};
