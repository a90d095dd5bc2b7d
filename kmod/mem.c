// SPDX-License-Identifier: GPL-2.0
/*
 * Guest physical memory: slots of the VMM's anonymous memory, mapped into
 * the EPT on EPT violation, 2 MiB at a time where the VMM's memory is a
 * transparent huge page, else 4 KiB.  A mapped page stays pinned until its
 * slot is deleted or the VM is destroyed, so the host never frees or
 * migrates memory that the guest can still reach through the EPT.
 */
#define pr_fmt(fmt) "hvx: " fmt

#include <linux/capability.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "ept/ept_format.h"
#include "mem.h"

#define EPT_QUAL_WRITE	BIT(1)
#define HUGE_SIZE	HVX_PT_LEVEL_SIZE(2)
#define HUGE_PAGES	(HUGE_SIZE >> PAGE_SHIFT)

static void *hvx_ept_alloc_table(void *ctx, u64 *phys)
{
	void *table = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);

	if (table)
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

/*
 * Pages whose EPT entries are gone but which CPUs may still reach through
 * cached translations until the next INVEPT: they are unpinned (and may
 * be freed) only after it.  Batched so that a large unmap costs one INVEPT
 * per HVX_UNPIN_BATCH leaves.
 */
#define HVX_UNPIN_BATCH	32

struct hvx_unpin_batch {
	struct hvx_mem *mem;
	unsigned int count;
	struct {
		u64 phys;
		unsigned int level;
		bool dirty;
	} leaves[HVX_UNPIN_BATCH];
};

static void hvx_unpin_batch_flush(struct hvx_unpin_batch *batch)
{
	struct hvx_mem *mem = batch->mem;
	unsigned int i;

	if (!batch->count)
		return;
	hvx_vmx_flush_ept(hvx_mem_eptp(mem));
	for (i = 0; i < batch->count; i++) {
		unsigned long npages = batch->leaves[i].level == 2 ? HUGE_PAGES : 1;

		unpin_user_page_range_dirty_lock(pfn_to_page(batch->leaves[i].phys >> PAGE_SHIFT),
						 npages, batch->leaves[i].dirty);
		mem->pinned_pages -= npages;
	}
	batch->count = 0;
}

/* Leaf callback of hvx_pt_unmap(): the entry is cleared, the page still pinned. */
static void hvx_unpin_batch_add(void *arg, u64 phys, unsigned int level, unsigned int prot)
{
	struct hvx_unpin_batch *batch = arg;

	if (batch->count == HVX_UNPIN_BATCH)
		hvx_unpin_batch_flush(batch);
	batch->leaves[batch->count].phys = phys;
	batch->leaves[batch->count].level = level;
	batch->leaves[batch->count].dirty = prot & HVX_PT_WRITE;
	batch->count++;
}

/* Unmaps [@gpa, @gpa + @size) and unpins its pages once no CPU can reach them. */
static void hvx_mem_unmap(struct hvx_mem *mem, u64 gpa, u64 size)
{
	struct hvx_unpin_batch batch = { .mem = mem };

	hvx_pt_unmap(&mem->ept, gpa, size, hvx_unpin_batch_add, &batch);
	hvx_unpin_batch_flush(&batch);
}

/* Leaf callback for teardown, when no vCPU and no cached translation is left. */
static void hvx_mem_unpin(void *arg, u64 phys, unsigned int level, unsigned int prot)
{
	struct hvx_mem *mem = arg;
	unsigned long npages = level == 2 ? HUGE_PAGES : 1;

	unpin_user_page_range_dirty_lock(pfn_to_page(phys >> PAGE_SHIFT), npages,
					 prot & HVX_PT_WRITE);
	mem->pinned_pages -= npages;
}

/*
 * Guest RAM must be the VMM's private anonymous memory: a long-term pin of
 * a file's page races with writeback (the file system's dirty tracking
 * never sees the guest's writes), and device or PFN mappings are not
 * memory the host may hand out.  Called with the mmap lock held.
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

/*
 * Pins @npages of the VMM's memory at @hva, all or none: the count pinned,
 * or -errno.  The mapping is checked under the same mmap lock as the pin,
 * so the VMM cannot swap a file in between.
 */
static long hvx_mem_pin_range(struct hvx_mem *mem, unsigned long hva, unsigned long npages,
			      unsigned int gup, struct page **pages)
{
	long pinned;

	mmap_read_lock(mem->mm);
	if (!hvx_mem_vmas_ok(mem->mm, hva, npages << PAGE_SHIFT, gup & FOLL_WRITE)) {
		mmap_read_unlock(mem->mm);
		return -EFAULT;
	}
	pinned = pin_user_pages(hva, npages, gup, pages, NULL);
	mmap_read_unlock(mem->mm);
	if (pinned >= 0 && pinned != npages) {
		unpin_user_pages(pages, pinned);
		return -EFAULT;
	}
	return pinned;
}

static bool hvx_ranges_overlap(u64 a, u64 a_size, u64 b, u64 b_size)
{
	return a < b + b_size && b < a + a_size;
}

/*
 * Guest RAM is charged in full to the VMM's pinned_vm against its
 * RLIMIT_MEMLOCK when the slot is made, as RDMA and VFIO charge what they
 * pin: hvx may pin any page of it for the VM's life, and an unprivileged
 * VMM must not make unlimited memory unreclaimable.
 */
static int hvx_mem_charge(struct hvx_mem *mem, unsigned long npages)
{
	unsigned long limit = rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	s64 pinned = atomic64_add_return(npages, &mem->mm->pinned_vm);

	if (pinned > limit && !capable(CAP_IPC_LOCK)) {
		atomic64_sub(npages, &mem->mm->pinned_vm);
		return -ENOMEM;
	}
	return 0;
}

static void hvx_mem_uncharge(struct hvx_mem *mem, unsigned long npages)
{
	atomic64_sub(npages, &mem->mm->pinned_vm);
}

int hvx_mem_init(struct hvx_mem *mem)
{
	int err;

	mutex_init(&mem->lock);
	err = hvx_pt_init(&mem->ept, &hvx_ept_mem_ops, &hvx_ept_format, mem);
	if (err)
		return err;
	mmgrab(current->mm);
	mem->mm = current->mm;
	return 0;
}

void hvx_mem_destroy(struct hvx_mem *mem)
{
	unsigned int i;

	/*
	 * No vCPU is left, but CPUs may still cache translations through
	 * this root; the next VM's root may be this very page (same EPTP).
	 */
	if (mem->ept.root)
		hvx_vmx_flush_ept(hvx_mem_eptp(mem));
	hvx_pt_destroy(&mem->ept, hvx_mem_unpin, mem);
	for (i = 0; i < HVX_MAX_MEM_SLOTS; i++)
		if (mem->slots[i].size)
			hvx_mem_uncharge(mem, mem->slots[i].size >> PAGE_SHIFT);
	if (mem->mm)
		mmdrop(mem->mm);
	mem->mm = NULL;
}

u64 hvx_mem_eptp(struct hvx_mem *mem)
{
	return hvx_ept_pointer(mem->ept.root_phys);
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
	hvx_mem_unmap(mem, slot->gpa, slot->size);
	hvx_mem_uncharge(mem, slot->size >> PAGE_SHIFT);
	slot->size = 0;
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
	err = hvx_mem_charge(mem, r->memory_size >> PAGE_SHIFT);
	if (err)
		goto out;
	slot->gpa = r->guest_phys_addr;
	slot->hva = r->userspace_addr;
	slot->flags = r->flags;
	slot->size = r->memory_size;
	err = 0;
out:
	mutex_unlock(&mem->lock);
	return err;
}

/*
 * Drops the VMM's anonymous pages in [@hva, @hva + @size) of @mm, as
 * MADV_DONTNEED does.  Called with mem->lock held: an EPT fault cannot pin
 * a page there meanwhile.
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
	 * Unmapped and unpinned first, so that the zap frees the pages.  A
	 * 2 MiB leaf that the range only partly covers goes whole: the rest
	 * faults back in.
	 */
	hvx_mem_unmap(mem, gpa, size);
	err = hvx_mem_zap(mem->mm, slot->hva + (gpa - slot->gpa), size);
out:
	mutex_unlock(&mem->lock);
	return err;
}

/*
 * Maps the 2 MiB block around @gpa with one EPT leaf if it can: the slot
 * holds the whole block at the same 2 MiB alignment in the VMM, nothing in
 * the block is mapped yet, and the VMM's memory there is one physically
 * contiguous huge page.  Returns 1 when mapped, 0 to map 4 KiB instead,
 * or -errno.  Called with mem->lock held.
 */
static int hvx_mem_map_huge(struct hvx_mem *mem, const struct hvx_mem_slot *slot, u64 gpa,
			    unsigned int gup, unsigned int prot)
{
	u64 base = gpa & ~(HUGE_SIZE - 1);
	u64 hva = slot->hva + (base - slot->gpa);
	struct page **pages;
	unsigned long pfn, i;
	long pinned, more;
	int ret = 0;

	if (base < slot->gpa || base + HUGE_SIZE > slot->gpa + slot->size ||
	    !IS_ALIGNED(hva, HUGE_SIZE) || !hvx_pt_block_empty(&mem->ept, base, 2))
		return 0;

	pages = kmalloc_array(HUGE_PAGES, sizeof(*pages), GFP_KERNEL_ACCOUNT);
	if (!pages)
		return -ENOMEM;
	/* The first page tells whether pinning all 512 can succeed. */
	pinned = hvx_mem_pin_range(mem, hva, 1, gup, pages);
	if (pinned != 1) {
		pinned = 0;
		goto out_free;
	}
	pfn = page_to_pfn(pages[0]);
	if (folio_nr_pages(page_folio(pages[0])) < HUGE_PAGES || !IS_ALIGNED(pfn, HUGE_PAGES))
		goto out_unpin;
	more = hvx_mem_pin_range(mem, hva + PAGE_SIZE, HUGE_PAGES - 1, gup, pages + 1);
	if (more < 0)
		goto out_unpin;
	pinned += more;
	/* The huge page may have been split between the two calls. */
	for (i = 1; i < HUGE_PAGES; i++)
		if (page_to_pfn(pages[i]) != pfn + i)
			goto out_unpin;
	ret = hvx_pt_map(&mem->ept, base, (u64)pfn << PAGE_SHIFT, 2, prot);
	if (ret) {
		ret = ret == -ENOMEM ? ret : 0;
		goto out_unpin;
	}
	mem->pinned_pages += HUGE_PAGES;
	ret = 1;
	goto out_free;

out_unpin:
	unpin_user_pages(pages, pinned);
out_free:
	kfree(pages);
	return ret;
}

/* Pins the VMM's page behind @gpa in @slot: 0 or -errno; mem->lock held. */
static int hvx_mem_pin_one(struct hvx_mem *mem, const struct hvx_mem_slot *slot, u64 gpa,
			   unsigned int gup, struct page **page)
{
	u64 hva = slot->hva + ((gpa & PAGE_MASK) - slot->gpa);
	long ret = hvx_mem_pin_range(mem, hva, 1, gup, page);

	return ret < 0 ? ret : 0;
}

int hvx_mem_handle_ept_violation(struct hvx_mem *mem, u64 gpa, u64 qualification)
{
	struct hvx_mem_slot *slot;
	unsigned int prot = HVX_PT_READ | HVX_PT_EXEC;
	unsigned int gup = FOLL_LONGTERM;
	struct page *page;
	int ret;

	if (current->mm != mem->mm)
		return -EFAULT;

	mutex_lock(&mem->lock);
	slot = hvx_mem_find(mem, gpa);
	ret = HVX_EPT_FAULT_MMIO;
	if (!slot)
		goto out;
	if (slot->flags & HVX_MEM_READONLY) {
		if (qualification & EPT_QUAL_WRITE)
			goto out;
	} else {
		prot |= HVX_PT_WRITE;
		gup |= FOLL_WRITE;
	}
	/* Another exit may have mapped it already. */
	ret = HVX_EPT_FAULT_MAPPED;
	if (hvx_pt_lookup(&mem->ept, gpa, NULL))
		goto out;

	ret = hvx_mem_map_huge(mem, slot, gpa, gup, prot);
	if (ret) {
		ret = ret > 0 ? HVX_EPT_FAULT_MAPPED : ret;
		goto out;
	}
	ret = hvx_mem_pin_one(mem, slot, gpa, gup, &page);
	if (ret)
		goto out;
	ret = hvx_pt_map(&mem->ept, gpa & PAGE_MASK, (u64)page_to_pfn(page) << PAGE_SHIFT, 1, prot);
	if (ret) {
		unpin_user_page(page);
		goto out;
	}
	mem->pinned_pages++;
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

/*
 * The page behind @gpa, pinned for the host's own use (the channel bus's
 * rings and event page), writable by the guest.  Only RAM: a read-only slot
 * or a hole gives -EFAULT.  Release with unpin_user_page().
 */
int hvx_mem_pin_page(struct hvx_mem *mem, u64 gpa, struct page **page)
{
	struct hvx_mem_slot *slot;
	int ret = -EFAULT;

	if (current->mm != mem->mm)
		return -EFAULT;

	mutex_lock(&mem->lock);
	slot = hvx_mem_find(mem, gpa);
	if (slot && !(slot->flags & HVX_MEM_READONLY))
		ret = hvx_mem_pin_one(mem, slot, gpa, FOLL_WRITE | FOLL_LONGTERM, page);
	mutex_unlock(&mem->lock);
	return ret;
}
