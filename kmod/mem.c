// SPDX-License-Identifier: GPL-2.0
/*
 * Guest physical memory: slots of the VMM's anonymous memory, mapped into
 * the EPT on EPT violation, 2 MiB at a time where the VMM's memory is a
 * transparent huge page, else 4 KiB.
 *
 * The EPT follows the VMM's page tables as a secondary MMU, the way KVM's
 * does (virt/kvm/kvm_main.c): nothing of guest RAM is pinned.  An MMU
 * notifier on the VMM's mm removes the EPT leaves of any range of the
 * VMM's memory that is about to change (munmap, MADV_DONTNEED, mremap,
 * reclaim, swap, migration, THP split or collapse, KSM) and flushes them
 * from every CPU (INVEPT) before the host frees or moves a page.  An EPT
 * violation takes a reference on the VMM's page with get_user_pages(),
 * maps it unless an invalidation of that page ran meanwhile (then the
 * guest faults again), and drops the reference: the VMM's own mapping
 * keeps the page while the EPT maps it, and the notifier fires before
 * that mapping goes.
 *
 * Locking:
 *  - mem->lock (mutex) serialises the slot table's writers, EPT violations,
 *    discards and the copies to and from guest memory.  It may be held
 *    across get_user_pages(), never inside an MMU notifier callback.
 *  - mem->mmu_lock (spinlock) guards the EPT tables, the invalidation
 *    state (mmu_invalidating and its range, the fault's watch) and the
 *    slots as the notifier reads them (writers hold both locks).  Never
 *    held across anything that sleeps: the notifier takes it where it may
 *    not sleep, and EPT table pages are allocated before it
 *    (mem->table_cache).
 *
 * Only the channel bus pins guest pages, the ones hvx.ko itself reads and
 * writes (rings and event page, hvx_mem_pin_page()); those are charged to
 * the VMM's RLIMIT_MEMLOCK.
 */
#define pr_fmt(fmt) "hvx: " fmt

#include <linux/capability.h>
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/io.h>

#include "ept/ept_format.h"
#include "mem.h"

#define EPT_QUAL_WRITE	BIT(1)
#define HUGE_SIZE	HVX_PT_LEVEL_SIZE(2)
#define HUGE_PAGES	(HUGE_SIZE >> PAGE_SHIFT)

/*
 * EPT table pages come from mem->table_cache, filled under mem->lock before
 * mmu_lock is taken: enough for the deepest new path of one mapping.
 */
static int hvx_mem_cache_topup(struct hvx_mem *mem)
{
	while (mem->table_cache_n < ARRAY_SIZE(mem->table_cache)) {
		void *table = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);

		if (!table)
			return -ENOMEM;
		mem->table_cache[mem->table_cache_n++] = table;
	}
	return 0;
}

static void hvx_mem_cache_free(struct hvx_mem *mem)
{
	while (mem->table_cache_n)
		free_page((unsigned long)mem->table_cache[--mem->table_cache_n]);
}

static void *hvx_ept_alloc_table(void *ctx, u64 *phys)
{
	struct hvx_mem *mem = ctx;
	void *table;

	if (!mem->table_cache_n)
		return NULL;
	table = mem->table_cache[--mem->table_cache_n];
	*phys = __pa(table);
	return table;
}

static void hvx_ept_free_table(void *ctx, void *table)
{
	free_page((unsigned long)table);
}

static void *hvx_ept_phys_to_virt(void *ctx, u64 phys)
{
	return __va(phys);
}

static const struct hvx_pt_mem_ops hvx_ept_mem_ops = {
	.alloc_table	= hvx_ept_alloc_table,
	.free_table	= hvx_ept_free_table,
	.phys_to_virt	= hvx_ept_phys_to_virt,
};

/* Leaf callback of hvx_pt_unmap(): one leaf less mapped. */
static void hvx_mem_leaf_gone(void *arg, u64 phys, unsigned int level, unsigned int prot)
{
	struct hvx_mem *mem = arg;

	if (mem->apic_access_page && phys == page_to_phys(mem->apic_access_page))
		return;
	mem->mapped_pages -= level == 2 ? HUGE_PAGES : 1;
}

/*
 * Unmaps [@gpa, @gpa + @size) and flushes it from every CPU before it
 * returns, so that the host may free the pages then.  mmu_lock held.
 */
static void hvx_mem_unmap(struct hvx_mem *mem, u64 gpa, u64 size)
{
	lockdep_assert_held(&mem->mmu_lock);
	if (hvx_pt_unmap(&mem->ept, gpa, size, hvx_mem_leaf_gone, mem))
		hvx_vmx_flush_ept(hvx_mem_eptp(mem));
}

/*
 * Unmaps whatever the VMM's [@start, @end) backs in the guest, in every
 * slot that overlaps it, and flushes once.  mmu_lock held.
 */
static void hvx_mem_unmap_hva(struct hvx_mem *mem, unsigned long start, unsigned long end)
{
	unsigned long removed = 0;
	unsigned int i;

	lockdep_assert_held(&mem->mmu_lock);
	for (i = 0; i < HVX_MAX_MEM_SLOTS; i++) {
		const struct hvx_mem_slot *s = &mem->slots[i];
		u64 lo = max_t(u64, start, s->hva), hi = min_t(u64, end, s->hva + s->size);

		if (!s->size || lo >= hi)
			continue;
		removed += hvx_pt_unmap(&mem->ept, s->gpa + (lo - s->hva), hi - lo,
					hvx_mem_leaf_gone, mem);
	}
	if (removed)
		hvx_vmx_flush_ept(hvx_mem_eptp(mem));
}

static struct hvx_mem *hvx_mem_of(struct mmu_notifier *mn)
{
	return container_of(mn, struct hvx_mem, mn);
}

/*
 * An invalidation of [@start, @end) begins or ends: the fault in flight
 * must not map what it looked up if that overlaps.  Changes elsewhere in
 * the VMM (its heap, stacks, rings) leave it alone, so that a VMM busy
 * with its own memory cannot starve its guest's faults.  mmu_lock held.
 */
static void hvx_mem_note_invalidation(struct hvx_mem *mem, unsigned long start,
				      unsigned long end)
{
	lockdep_assert_held(&mem->mmu_lock);
	if (start < mem->fault_end && mem->fault_start < end)
		mem->fault_stale = true;
}

/*
 * The VMM's [range->start, range->end) is about to change: no EPT leaf
 * may reach it once this returns, and no EPT violation may map it again
 * until the matching _end (hvx_mem_must_retry()).  Never sleeps (a
 * spinlock and IPIs), so a non-blockable range needs no -EAGAIN.
 */
static int hvx_mmu_invalidate_range_start(struct mmu_notifier *mn,
					  const struct mmu_notifier_range *range)
{
	struct hvx_mem *mem = hvx_mem_of(mn);

	spin_lock(&mem->mmu_lock);
	if (!mem->mmu_invalidating++) {
		mem->mmu_inval_start = range->start;
		mem->mmu_inval_end = range->end;
	} else {
		mem->mmu_inval_start = min(mem->mmu_inval_start, range->start);
		mem->mmu_inval_end = max(mem->mmu_inval_end, range->end);
	}
	hvx_mem_note_invalidation(mem, range->start, range->end);
	hvx_mem_unmap_hva(mem, range->start, range->end);
	spin_unlock(&mem->mmu_lock);
	return 0;
}

/*
 * The change is done: a fault that looked its page up while the change
 * was under way may hold the old page, and must look again.
 */
static void hvx_mmu_invalidate_range_end(struct mmu_notifier *mn,
					 const struct mmu_notifier_range *range)
{
	struct hvx_mem *mem = hvx_mem_of(mn);

	spin_lock(&mem->mmu_lock);
	hvx_mem_note_invalidation(mem, range->start, range->end);
	mem->mmu_invalidating--;
	spin_unlock(&mem->mmu_lock);
}

/* The VMM's mm is going away (exit, or our unregister): nothing stays mapped. */
static void hvx_mmu_release(struct mmu_notifier *mn, struct mm_struct *mm)
{
	struct hvx_mem *mem = hvx_mem_of(mn);

	spin_lock(&mem->mmu_lock);
	hvx_mem_unmap(mem, 0, U64_MAX);
	hvx_mem_note_invalidation(mem, 0, ULONG_MAX);
	spin_unlock(&mem->mmu_lock);
}

/*
 * No clear_young/test_young: the EPT runs without accessed/dirty flags, so
 * the host's reclaim ages guest pages by the VMM's own accesses only (a
 * page only the guest touches looks cold, and comes back by EPT
 * violation after the host reclaims it).
 */
static const struct mmu_notifier_ops hvx_mmu_notifier_ops = {
	.invalidate_range_start	= hvx_mmu_invalidate_range_start,
	.invalidate_range_end	= hvx_mmu_invalidate_range_end,
	.release		= hvx_mmu_release,
};

/*
 * True when the fault in flight must not map [@hva, @hva + @size), part of
 * what it watches: an invalidation of it runs, or one began or ended since
 * hvx_mem_watch_fault().  mmu_lock held.
 */
static bool hvx_mem_must_retry(struct hvx_mem *mem, u64 hva, u64 size)
{
	lockdep_assert_held(&mem->mmu_lock);
	if (mem->mmu_invalidating && hva < mem->mmu_inval_end &&
	    mem->mmu_inval_start < hva + size)
		return true;
	return mem->fault_stale;
}

/*
 * Before the fault at @gpa looks up the VMM's pages: watch all it may map,
 * the 2 MiB block around @gpa within @slot.  mem->lock held.
 */
static void hvx_mem_watch_fault(struct hvx_mem *mem, const struct hvx_mem_slot *slot, u64 gpa)
{
	u64 first = max(gpa & ~(HUGE_SIZE - 1), slot->gpa);
	u64 last = min((gpa & ~(HUGE_SIZE - 1)) + HUGE_SIZE, slot->gpa + slot->size);

	spin_lock(&mem->mmu_lock);
	mem->fault_start = slot->hva + (first - slot->gpa);
	mem->fault_end = slot->hva + (last - slot->gpa);
	mem->fault_stale = false;
	spin_unlock(&mem->mmu_lock);
}

/*
 * Guest RAM must be the VMM's private anonymous memory: device or PFN
 * mappings are not memory the host may hand out, and the channel bus pins
 * pages of it long term (a long-term pin of a file's page races with
 * writeback).  Called with the mmap lock held.
 */
static bool hvx_mem_vmas_ok(struct mm_struct *mm, unsigned long hva, unsigned long size,
			    bool write)
{
	unsigned long end = hva + size;
	struct vm_area_struct *vma;

	while (hva < end) {
		vma = vma_lookup(mm, hva);
		if (!vma || !vma_is_anonymous(vma) ||
		    (vma->vm_flags & (VM_SHARED | VM_IO | VM_PFNMAP)) ||
		    !(vma->vm_flags & VM_READ) || (write && !(vma->vm_flags & VM_WRITE)))
			return false;
		hva = vma->vm_end;
	}
	return true;
}

static void hvx_mem_put_pages(struct page **pages, unsigned long npages)
{
	unsigned long i;

	for (i = 0; i < npages; i++)
		put_page(pages[i]);
}

/*
 * References (get_user_pages(), or pin_user_pages() when @pin) @npages of
 * the VMM's memory at @hva, all or none: the count, or -errno.  The
 * mapping is checked under the same mmap lock, so the VMM cannot swap a
 * file in between.
 */
static long hvx_mem_get_pages(struct hvx_mem *mem, unsigned long hva, unsigned long npages,
			      unsigned int gup, bool pin, struct page **pages)
{
	long got;

	mmap_read_lock(mem->mm);
	if (!hvx_mem_vmas_ok(mem->mm, hva, npages << PAGE_SHIFT, gup & FOLL_WRITE)) {
		mmap_read_unlock(mem->mm);
		return -EFAULT;
	}
	if (pin)
		got = pin_user_pages(hva, npages, gup, pages, NULL);
	else
		got = get_user_pages(hva, npages, gup, pages, NULL);
	mmap_read_unlock(mem->mm);
	if (got >= 0 && got != npages) {
		if (pin)
			unpin_user_pages(pages, got);
		else
			hvx_mem_put_pages(pages, got);
		return -EFAULT;
	}
	return got;
}

static bool hvx_ranges_overlap(u64 a, u64 a_size, u64 b, u64 b_size)
{
	return a < b + b_size && b < a + a_size;
}

/*
 * What hvx.ko pins long term is charged to the VMM's pinned_vm against its
 * RLIMIT_MEMLOCK, as RDMA and VFIO charge their pins (unless
 * CAP_IPC_LOCK).  Guest RAM is not pinned and not charged.
 */
static int hvx_mem_charge(struct mm_struct *mm, unsigned long npages)
{
	unsigned long limit = rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	s64 pinned = atomic64_add_return(npages, &mm->pinned_vm);

	if (pinned > limit && !capable(CAP_IPC_LOCK)) {
		atomic64_sub(npages, &mm->pinned_vm);
		pr_info_ratelimited("%s[%d]: the channel bus needs more locked memory than RLIMIT_MEMLOCK (%lu KiB) allows\n",
				    current->comm, task_tgid_nr(current), limit << (PAGE_SHIFT - 10));
		return -ENOMEM;
	}
	return 0;
}

static void hvx_mem_uncharge(struct mm_struct *mm, unsigned long npages)
{
	atomic64_sub(npages, &mm->pinned_vm);
}

int hvx_mem_init(struct hvx_mem *mem)
{
	int err;

	mutex_init(&mem->lock);
	spin_lock_init(&mem->mmu_lock);
	/* The root table comes from the cache like any other. */
	err = hvx_mem_cache_topup(mem);
	if (err)
		goto err_cache;
	err = hvx_pt_init(&mem->ept, &hvx_ept_mem_ops, &hvx_ept_format, mem);
	if (err)
		goto err_cache;
	mem->mn.ops = &hvx_mmu_notifier_ops;
	err = mmu_notifier_register(&mem->mn, current->mm);
	if (err)
		goto err_pt;
	mmgrab(current->mm);
	mem->mm = current->mm;
	return 0;

err_pt:
	hvx_pt_destroy(&mem->ept, NULL, NULL);
err_cache:
	hvx_mem_cache_free(mem);
	return err;
}

void hvx_mem_destroy(struct hvx_mem *mem)
{
	/*
	 * Synchronous: ->release has unmapped everything (now, or when the
	 * mm exited) and no callback runs or will run, so nothing of ours is
	 * left for SRCU to call once the module is gone.
	 */
	mmu_notifier_unregister(&mem->mn, mem->mm);
	/*
	 * No vCPU is left, but CPUs may still cache paging-structure entries
	 * of this root; the next VM's root may be this very page (same EPTP).
	 */
	hvx_vmx_flush_ept(hvx_mem_eptp(mem));
	hvx_pt_destroy(&mem->ept, NULL, NULL);
	if (mem->apic_access_page)
		__free_page(mem->apic_access_page);
	hvx_mem_cache_free(mem);
	mmdrop(mem->mm);
	mem->mm = NULL;
}

u64 hvx_mem_eptp(struct hvx_mem *mem)
{
	return hvx_ept_pointer(mem->ept.root_phys);
}

int hvx_mem_map_apic_access(struct hvx_mem *mem)
{
	struct page *page;
	int err;

	/*
	 * The VM's own page, not one shared by all VMs: the accesses the CPU
	 * neither virtualizes nor turns into exits reach the page itself.
	 */
	page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!page)
		return -ENOMEM;
	mutex_lock(&mem->lock);
	err = hvx_mem_cache_topup(mem);
	if (!err) {
		spin_lock(&mem->mmu_lock);
		err = hvx_pt_map(&mem->ept, HVX_LAPIC_GPA, page_to_phys(page), 1,
				 HVX_PT_READ | HVX_PT_WRITE);
		spin_unlock(&mem->mmu_lock);
	}
	if (!err)
		mem->apic_access_page = page;
	mutex_unlock(&mem->lock);
	if (err)
		__free_page(page);
	return err;
}

static struct hvx_mem_slot *hvx_mem_find(struct hvx_mem *mem, u64 gpa)
{
	unsigned int i;

	for (i = 0; i < HVX_MAX_MEM_SLOTS; i++) {
		struct hvx_mem_slot *s = &mem->slots[i];

		if (s->size && gpa >= s->gpa && gpa - s->gpa < s->size)
			return s;
	}
	return NULL;
}

static int hvx_mem_delete_slot(struct hvx_mem *mem, struct hvx_mem_slot *slot)
{
	if (!slot->size)
		return -EINVAL;
	spin_lock(&mem->mmu_lock);
	hvx_mem_unmap(mem, slot->gpa, slot->size);
	WRITE_ONCE(slot->size, 0);
	spin_unlock(&mem->mmu_lock);
	return 0;
}

int hvx_mem_set_region(struct hvx_mem *mem, const struct hvx_user_memory_region *r)
{
	struct hvx_mem_slot *slot;
	unsigned int i;
	int err = 0;
	bool ok;

	if (r->slot >= HVX_MAX_MEM_SLOTS || r->flags & ~HVX_MEM_FLAGS_MASK)
		return -EINVAL;
	slot = &mem->slots[r->slot];

	mutex_lock(&mem->lock);
	if (!r->memory_size) {
		err = hvx_mem_delete_slot(mem, slot);
		goto out;
	}
	err = -EINVAL;
	if (!PAGE_ALIGNED(r->guest_phys_addr) || !PAGE_ALIGNED(r->memory_size) ||
	    !PAGE_ALIGNED(r->userspace_addr))
		goto out;
	/* Guest physical addresses stop at 48 bits (a 4-level EPT). */
	if (r->guest_phys_addr + r->memory_size < r->guest_phys_addr ||
	    r->guest_phys_addr + r->memory_size > (1ULL << 48))
		goto out;
	if (r->userspace_addr + r->memory_size < r->userspace_addr)
		goto out;
	/* The local APIC and I/O APIC pages are hvx's; RAM may not hide them. */
	if (hvx_ranges_overlap(r->guest_phys_addr, r->memory_size, HVX_LAPIC_GPA, PAGE_SIZE) ||
	    hvx_ranges_overlap(r->guest_phys_addr, r->memory_size, HVX_IOAPIC_GPA, PAGE_SIZE))
		goto out;
	err = -EFAULT;
	if (!r->userspace_addr ||
	    !access_ok((void __user *)(unsigned long)r->userspace_addr, r->memory_size))
		goto out;
	mmap_read_lock(mem->mm);
	ok = hvx_mem_vmas_ok(mem->mm, r->userspace_addr, r->memory_size,
			     !(r->flags & HVX_MEM_READONLY));
	mmap_read_unlock(mem->mm);
	if (!ok)
		goto out;
	err = -EEXIST;
	if (slot->size)
		goto out;
	err = -EINVAL;
	for (i = 0; i < HVX_MAX_MEM_SLOTS; i++) {
		struct hvx_mem_slot *s = &mem->slots[i];

		if (s->size && hvx_ranges_overlap(r->guest_phys_addr, r->memory_size,
						  s->gpa, s->size))
			goto out;
	}
	/* The notifier reads the slots under mmu_lock. */
	spin_lock(&mem->mmu_lock);
	slot->gpa = r->guest_phys_addr;
	slot->hva = r->userspace_addr;
	slot->flags = r->flags;
	WRITE_ONCE(slot->size, r->memory_size);
	spin_unlock(&mem->mmu_lock);
	err = 0;
out:
	mutex_unlock(&mem->lock);
	return err;
}

/*
 * Drops the VMM's anonymous pages in [@hva, @hva + @size) of @mm, as
 * MADV_DONTNEED does; the MMU notifier takes them out of the EPT first.
 */
static int hvx_mem_zap(struct mm_struct *mm, unsigned long hva, unsigned long size)
{
	unsigned long end = hva + size, len;
	struct vm_area_struct *vma;
	int err = 0;

	mmap_read_lock(mm);
	while (hva < end) {
		vma = vma_lookup(mm, hva);
		if (!vma || !vma_is_anonymous(vma) || (vma->vm_flags & (VM_SHARED | VM_LOCKED))) {
			err = -EFAULT;
			break;
		}
		len = min(end, vma->vm_end) - hva;
		zap_page_range(vma, hva, len);
		hva += len;
	}
	mmap_read_unlock(mm);
	return err;
}

u64 hvx_mem_size(struct hvx_mem *mem)
{
	u64 size = 0;
	int i;

	for (i = 0; i < HVX_MAX_MEM_SLOTS; i++)
		size += READ_ONCE(mem->slots[i].size);
	return size;
}

int hvx_mem_discard(struct hvx_mem *mem, u64 gpa, u64 size)
{
	struct hvx_mem_slot *slot;
	int err = -EINVAL;

	if (!size || !PAGE_ALIGNED(gpa) || !PAGE_ALIGNED(size) || gpa + size < gpa)
		return -EINVAL;
	if (current->mm != mem->mm)
		return -EFAULT;

	mutex_lock(&mem->lock);
	slot = hvx_mem_find(mem, gpa);
	if (!slot || (slot->flags & HVX_MEM_READONLY) || gpa + size - slot->gpa > slot->size)
		goto out;
	/*
	 * What madvise(MADV_DONTNEED) would do, kept for VMMs that ask hvx.ko.
	 * A 2 MiB leaf that the range only partly covers goes whole (the
	 * notifier removes every leaf it overlaps): the rest faults back in.
	 */
	err = hvx_mem_zap(mem->mm, slot->hva + (gpa - slot->gpa), size);
out:
	mutex_unlock(&mem->lock);
	return err;
}

/*
 * Maps [@gpa, @gpa + level size) to @phys, the VMM's page at @hva, unless
 * an invalidation of it ran since hvx_mem_watch_fault(): 0, -EAGAIN (the
 * guest faults again and the lookup starts over), -EEXIST (something there
 * is mapped already) or -ENOMEM.
 */
static int hvx_mem_install(struct hvx_mem *mem, u64 hva, u64 gpa, u64 phys,
			   unsigned int level, unsigned int prot)
{
	u64 size = HVX_PT_LEVEL_SIZE(level);
	int ret = -EAGAIN;

	spin_lock(&mem->mmu_lock);
	if (!hvx_mem_must_retry(mem, hva, size)) {
		ret = hvx_pt_map(&mem->ept, gpa, phys, level, prot);
		if (!ret)
			mem->mapped_pages += size >> PAGE_SHIFT;
	}
	spin_unlock(&mem->mmu_lock);
	return ret;
}

/*
 * Maps the 2 MiB block around @gpa with one EPT leaf if it can: the slot
 * holds the whole block at the same 2 MiB alignment in the VMM, nothing in
 * the block is mapped yet, and all 512 of the VMM's pages there are one
 * physically contiguous huge page.  Returns 1 when done (mapped, or to
 * fault again), 0 to map 4 KiB instead, or -ENOMEM.  mem->lock held.
 */
static int hvx_mem_map_huge(struct hvx_mem *mem, const struct hvx_mem_slot *slot, u64 gpa,
			    unsigned int gup, unsigned int prot)
{
	u64 base = gpa & ~(HUGE_SIZE - 1);
	u64 hva = slot->hva + (base - slot->gpa);
	struct page **pages;
	unsigned long pfn, i;
	long got, more;
	bool empty;
	int ret = 0;

	if (base < slot->gpa || base + HUGE_SIZE > slot->gpa + slot->size ||
	    !IS_ALIGNED(hva, HUGE_SIZE))
		return 0;
	spin_lock(&mem->mmu_lock);
	empty = hvx_pt_block_empty(&mem->ept, base, 2);
	spin_unlock(&mem->mmu_lock);
	if (!empty)
		return 0;

	pages = kmalloc_array(HUGE_PAGES, sizeof(*pages), GFP_KERNEL_ACCOUNT);
	if (!pages)
		return -ENOMEM;
	/* The first page tells whether the other 511 can be part of it. */
	got = hvx_mem_get_pages(mem, hva, 1, gup, false, pages);
	if (got != 1) {
		got = 0;
		goto out_free;
	}
	pfn = page_to_pfn(pages[0]);
	if (folio_nr_pages(page_folio(pages[0])) < HUGE_PAGES || !IS_ALIGNED(pfn, HUGE_PAGES))
		goto out_put;
	more = hvx_mem_get_pages(mem, hva + PAGE_SIZE, HUGE_PAGES - 1, gup, false, pages + 1);
	if (more < 0)
		goto out_put;
	got += more;
	/*
	 * Each of the VMM's 512 entries maps its part of the huge page; if a
	 * split or a zap changes that from now on, the notifier runs and
	 * hvx_mem_install() refuses.
	 */
	for (i = 1; i < HUGE_PAGES; i++)
		if (page_to_pfn(pages[i]) != pfn + i)
			goto out_put;
	ret = hvx_mem_install(mem, hva, base, (u64)pfn << PAGE_SHIFT, 2, prot);
	if (ret == -EEXIST)
		ret = 0;
	else if (ret != -ENOMEM)
		ret = 1;

out_put:
	hvx_mem_put_pages(pages, got);
out_free:
	kfree(pages);
	return ret;
}

/* Maps the 4 KiB page at @gpa: 0 (mapped, or to fault again) or -errno.  mem->lock held. */
static int hvx_mem_map_small(struct hvx_mem *mem, const struct hvx_mem_slot *slot, u64 gpa,
			     unsigned int gup, unsigned int prot)
{
	u64 hva = slot->hva + ((gpa & PAGE_MASK) - slot->gpa);
	struct page *page;
	long got;
	int ret;

	got = hvx_mem_get_pages(mem, hva, 1, gup, false, &page);
	if (got < 0)
		return got;
	ret = hvx_mem_install(mem, hva, gpa & PAGE_MASK,
			      (u64)page_to_pfn(page) << PAGE_SHIFT, 1, prot);
	put_page(page);
	return ret == -ENOMEM ? ret : 0;
}

int hvx_mem_handle_ept_violation(struct hvx_mem *mem, u64 gpa, u64 qualification)
{
	struct hvx_mem_slot *slot;
	unsigned int prot = HVX_PT_READ | HVX_PT_EXEC;
	unsigned int gup = 0;
	bool mapped;
	int ret;

	if (current->mm != mem->mm)
		return -EFAULT;

	mutex_lock(&mem->lock);
	slot = hvx_mem_find(mem, gpa);
	ret = HVX_EPT_FAULT_MMIO;
	if (!slot)
		goto out;
	/*
	 * A writable slot is mapped writable from the first access: the
	 * write reference leaves the VMM's page dirty (FOLL_TOUCH), and
	 * nothing cleans it without invalidating the EPT first.
	 */
	if (slot->flags & HVX_MEM_READONLY) {
		if (qualification & EPT_QUAL_WRITE)
			goto out;
	} else {
		prot |= HVX_PT_WRITE;
		gup |= FOLL_WRITE;
	}
	/* Before the VMM's page is looked up: hvx_mem_install() checks the watch. */
	hvx_mem_watch_fault(mem, slot, gpa);
	/* Another exit may have mapped it already. */
	spin_lock(&mem->mmu_lock);
	mapped = hvx_pt_lookup(&mem->ept, gpa, NULL);
	spin_unlock(&mem->mmu_lock);
	ret = HVX_EPT_FAULT_MAPPED;
	if (mapped)
		goto out;

	ret = hvx_mem_cache_topup(mem);
	if (ret)
		goto out;
	ret = hvx_mem_map_huge(mem, slot, gpa, gup, prot);
	if (!ret)
		ret = hvx_mem_map_small(mem, slot, gpa, gup, prot);
	if (ret >= 0)
		ret = HVX_EPT_FAULT_MAPPED;
out:
	mutex_unlock(&mem->lock);
	return ret;
}

static int hvx_mem_copy(struct hvx_mem *mem, u64 gpa, void *buf, size_t len, bool write)
{
	int err = 0;

	mutex_lock(&mem->lock);
	while (len) {
		struct hvx_mem_slot *slot = hvx_mem_find(mem, gpa);
		size_t chunk = min_t(size_t, len, PAGE_SIZE - (gpa & ~PAGE_MASK));
		void __user *uaddr;

		if (!slot || (write && (slot->flags & HVX_MEM_READONLY))) {
			err = -EFAULT;
			break;
		}
		uaddr = (void __user *)(unsigned long)(slot->hva + (gpa - slot->gpa));
		if (write ? copy_to_user(uaddr, buf, chunk) : copy_from_user(buf, uaddr, chunk)) {
			err = -EFAULT;
			break;
		}
		gpa += chunk;
		buf += chunk;
		len -= chunk;
	}
	mutex_unlock(&mem->lock);
	return err;
}

int hvx_mem_read(struct hvx_mem *mem, u64 gpa, void *buf, size_t len)
{
	if (current->mm != mem->mm)
		return -EFAULT;
	return hvx_mem_copy(mem, gpa, buf, len, false);
}

int hvx_mem_write(struct hvx_mem *mem, u64 gpa, const void *buf, size_t len)
{
	if (current->mm != mem->mm)
		return -EFAULT;
	return hvx_mem_copy(mem, gpa, (void *)buf, len, true);
}

int hvx_mem_pin_page(struct hvx_mem *mem, u64 gpa, struct page **page)
{
	struct hvx_mem_slot *slot;
	u64 hva;
	long ret;

	if (current->mm != mem->mm)
		return -EFAULT;
	ret = hvx_mem_charge(mem->mm, 1);
	if (ret)
		return ret;

	mutex_lock(&mem->lock);
	slot = hvx_mem_find(mem, gpa);
	ret = -EFAULT;
	if (slot && !(slot->flags & HVX_MEM_READONLY)) {
		hva = slot->hva + ((gpa & PAGE_MASK) - slot->gpa);
		ret = hvx_mem_get_pages(mem, hva, 1, FOLL_WRITE | FOLL_LONGTERM, true, page);
	}
	mutex_unlock(&mem->lock);
	if (ret < 0) {
		hvx_mem_uncharge(mem->mm, 1);
		return ret;
	}
	return 0;
}

void hvx_mem_unpin_page(struct mm_struct *mm, struct page *page)
{
	/* The guest and hvx.ko both wrote to it. */
	unpin_user_pages_dirty_lock(&page, 1, true);
	hvx_mem_uncharge(mm, 1);
}
