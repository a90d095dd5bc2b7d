// SPDX-License-Identifier: GPL-2.0
/*
 * A walk of the guest's page tables, for reading the instruction at RIP
 * when an MMIO access needs emulation.  Bounded by the paging depth.
 */
#include "emulate.h"

#define CR0_WP		(1ULL << 16)
#define CR0_PG		(1ULL << 31)
#define CR4_PSE		(1ULL << 4)
#define CR4_PAE		(1ULL << 5)
#define CR4_LA57	(1ULL << 12)
#define EFER_LMA	(1ULL << 10)
#define EFER_NXE	(1ULL << 11)

#define PTE_P		(1ULL << 0)
#define PTE_RW		(1ULL << 1)
#define PTE_US		(1ULL << 2)
#define PTE_PS		(1ULL << 7)
#define PTE_NX		(1ULL << 63)
#define PTE_ADDR	0x000ffffffffff000ULL

struct walk {
	const struct hvx_walk_regs *regs;
	unsigned int access;
	bool writable, user;
	bool nx;
};

static void walk_accumulate(struct walk *w, u64 pte)
{
	w->writable &= !!(pte & PTE_RW);
	w->user &= !!(pte & PTE_US);
	if ((w->regs->efer & EFER_NXE) && (pte & PTE_NX))
		w->nx = true;
}

static int walk_check(const struct walk *w)
{
	if ((w->access & HVX_WALK_USER) && !w->user)
		return -1;
	if ((w->access & HVX_WALK_WRITE) && !w->writable &&
	    ((w->access & HVX_WALK_USER) || (w->regs->cr0 & CR0_WP)))
		return -1;
	if ((w->access & HVX_WALK_FETCH) && w->nx)
		return -1;
	return 0;
}

/* 8-byte entries from @top down to 4 KiB pages (4-level and PAE). */
static int walk64(struct walk *w, u64 table, unsigned int top, u64 gla,
		  hvx_read_pte_fn read_pte, void *ctx, u64 *gpa)
{
	unsigned int level;

	for (level = top; level >= 1; level--) {
		unsigned int shift = 12 + 9 * (level - 1);
		u64 pte;

		if (read_pte(ctx, table + ((gla >> shift) & 511) * 8, 8, &pte))
			return -1;
		if (!(pte & PTE_P))
			return -1;
		walk_accumulate(w, pte);
		if ((pte & PTE_PS) && (level == 2 || (level == 3 && top == 4))) {
			u64 size = 1ULL << shift;

			*gpa = (pte & PTE_ADDR & ~(size - 1)) | (gla & (size - 1));
			return walk_check(w);
		}
		if ((pte & PTE_PS) && level > 1)
			return -1;	/* PS is reserved at this level */
		table = pte & PTE_ADDR;
	}
	*gpa = table | (gla & 0xfff);
	return walk_check(w);
}

int hvx_guest_walk(const struct hvx_walk_regs *regs, u64 gla, unsigned int access,
		   hvx_read_pte_fn read_pte, void *ctx, u64 *gpa)
{
	struct walk w = { regs, access, true, true, false };
	u64 pde, pte;

	if (!(regs->cr0 & CR0_PG)) {
		*gpa = (u32)gla;
		return 0;
	}
	if (regs->efer & EFER_LMA) {
		if (regs->cr4 & CR4_LA57)
			return -1;	/* 5-level paging is not offered */
		return walk64(&w, regs->cr3 & PTE_ADDR, 4, gla, read_pte, ctx, gpa);
	}
	gla = (u32)gla;
	if (regs->cr4 & CR4_PAE) {
		u64 pdpte;

		if (read_pte(ctx, (regs->cr3 & 0xffffffe0) + ((gla >> 30) & 3) * 8, 8, &pdpte))
			return -1;
		if (!(pdpte & PTE_P))
			return -1;
		/* PDPTEs carry no access rights. */
		return walk64(&w, pdpte & PTE_ADDR, 2, gla, read_pte, ctx, gpa);
	}

	if (read_pte(ctx, (regs->cr3 & 0xfffff000) + ((gla >> 22) & 0x3ff) * 4, 4, &pde))
		return -1;
	if (!(pde & PTE_P))
		return -1;
	walk_accumulate(&w, pde & 0xffffffff);
	if ((pde & PTE_PS) && (regs->cr4 & CR4_PSE)) {
		*gpa = (pde & 0xffc00000) | (((pde >> 13) & 0xff) << 32) | (gla & 0x3fffff);
		return walk_check(&w);
	}
	if (read_pte(ctx, (pde & 0xfffff000) + ((gla >> 12) & 0x3ff) * 4, 4, &pte))
		return -1;
	if (!(pte & PTE_P))
		return -1;
	walk_accumulate(&w, pte & 0xffffffff);
	*gpa = (pte & 0xfffff000) | (gla & 0xfff);
	return walk_check(&w);
}
