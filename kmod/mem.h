/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest physical memory of one VM: the slot table (guest physical ranges
 * backed by the VMM's anonymous memory) and the EPT that maps them, built on
 * EPT violation.  The VMX core (vcpu/exit code) sees only this interface;
 * kmod/ept/ holds the table engine behind it.  The EPT follows the VMM's
 * memory through an MMU notifier (see mem.c); nothing of it is pinned but
 * the pages the channel bus uses (hvx_mem_pin_page()).
 */
#ifndef HVX_MEM_H
#define HVX_MEM_H

#include <linux/mmu_notifier.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include "ept/paging.h"
#include "uapi/hvx.h"

struct mm_struct;

struct hvx_mem_slot {
	u64 gpa;		/* page aligned */
	u64 size;		/* page aligned, 0 = slot unused */
	u64 hva;		/* page aligned address in @mm */
	u32 flags;		/* HVX_MEM_* */
};

/* Locking: see mem.c. */
struct hvx_mem {
	struct mutex lock;	/* slot changes, EPT violations, copies */
	spinlock_t mmu_lock;	/* EPT tables, invalidation state; slots for the notifier */
	struct mm_struct *mm;	/* the VMM's mm, grabbed with mmgrab() */
	struct mmu_notifier mn;	/* on @mm, from hvx_mem_init() to hvx_mem_destroy() */
	struct hvx_mem_slot slots[HVX_MAX_MEM_SLOTS];
	struct hvx_pt ept;
	unsigned long mapped_pages;	/* 4 KiB pages of RAM the EPT maps; under @mmu_lock */
	/* What the EPT maps at HVX_LAPIC_GPA under APIC virtualization, else NULL. */
	struct page *apic_access_page;

	/* Invalidations of the VMM's memory, under @mmu_lock. */
	unsigned int mmu_invalidating;	/* started and not ended yet */
	unsigned long mmu_inval_start;	/* the VMM addresses they cover, */
	unsigned long mmu_inval_end;	/* while @mmu_invalidating */
	/*
	 * The VMM addresses the EPT violation being handled may map (one at
	 * a time, under @lock), and whether an invalidation of any of them
	 * began or ended since it looked at them; under @mmu_lock.
	 */
	unsigned long fault_start;
	unsigned long fault_end;
	bool fault_stale;

	/* EPT table pages for the next mapping, allocated under @lock. */
	void *table_cache[HVX_PT_LEVELS - 1];
	unsigned int table_cache_n;
};

/* Result of hvx_mem_handle_ept_violation() when it did not fail. */
enum hvx_ept_fault {
	HVX_EPT_FAULT_MAPPED,	/* mapped, or raced an invalidation: re-enter the guest */
	HVX_EPT_FAULT_MMIO,	/* no slot or write to read-only: emulate */
};

int hvx_mem_init(struct hvx_mem *mem);
/* Unregisters the notifier, unmaps everything, frees the tables; drops the mm. */
void hvx_mem_destroy(struct hvx_mem *mem);

/* Validates and applies HVX_SET_USER_MEMORY_REGION; 0 or -errno. */
int hvx_mem_set_region(struct hvx_mem *mem,
		       const struct hvx_user_memory_region *region);

/* Bytes of guest RAM in the slots; without the lock, for statistics. */
u64 hvx_mem_size(struct hvx_mem *mem);

/* HVX_DISCARD_MEMORY (uapi/hvx.h); 0 or -errno. */
int hvx_mem_discard(struct hvx_mem *mem, u64 gpa, u64 size);

/* The EPT pointer to write into the VMCS (WB, 4-level walk). */
u64 hvx_mem_eptp(struct hvx_mem *mem);
/*
 * Maps a page of the VM's own at HVX_LAPIC_GPA, for the CPU to recognize
 * the guest's local APIC accesses by (its APIC-access page).  Once, before
 * any vCPU runs.
 */
int hvx_mem_map_apic_access(struct hvx_mem *mem);

/*
 * Resolves an EPT violation at @gpa with the exit @qualification: maps the
 * backing page and
 * returns HVX_EPT_FAULT_MAPPED, or returns HVX_EPT_FAULT_MMIO when the access
 * must be emulated.  Negative errno when the VMM's memory is gone (EFAULT)
 * or the host is out of memory (ENOMEM).  Must run in the VMM's context.
 */
int hvx_mem_handle_ept_violation(struct hvx_mem *mem, u64 gpa,
				 u64 qualification);

/*
 * Copy to/from guest physical memory through the VMM's mapping, for
 * instruction fetch during emulation and for page-table walks.  Must run in
 * the VMM's context.  -EFAULT when a byte is not backed by a slot.
 */
int hvx_mem_read(struct hvx_mem *mem, u64 gpa, void *buf, size_t len);
int hvx_mem_write(struct hvx_mem *mem, u64 gpa, const void *buf, size_t len);

/*
 * Pins the RAM page behind @gpa for hvx.ko's own use (the channel bus's
 * rings and event page; FOLL_LONGTERM) and charges it to the VMM's
 * RLIMIT_MEMLOCK: 0, -EFAULT (not writable RAM) or -ENOMEM (over the
 * limit).  Must run in the VMM's context.  The VMM may still unmap the
 * page: the guest then faults in another and the bus keeps the old one,
 * which breaks only that VMM's devices.
 */
struct page;
int hvx_mem_pin_page(struct hvx_mem *mem, u64 gpa, struct page **page);
/*
 * Unpins (dirty) and uncharges a page of hvx_mem_pin_page(); @mm is the
 * VM's (hvx_mem.mm), which a caller that may outlive the VM keeps with
 * mmgrab().
 */
void hvx_mem_unpin_page(struct mm_struct *mm, struct page *page);

/*
 * Provided by the VMX core: invalidate the EPT-derived translations for
 * @eptp on every CPU (INVEPT single-context, all-context as a fallback).
 */
void hvx_vmx_flush_ept(u64 eptp);

#endif /* HVX_MEM_H */
