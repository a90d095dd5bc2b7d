// SPDX-License-Identifier: GPL-2.0
/*
 * A channel's rings as the guest describes them in an OPEN request: a list
 * of guest frame numbers, each checked against the VM's RAM and pinned
 * (charged to the VMM's RLIMIT_MEMLOCK) before anyone uses it, and the
 * backend's mapping of those pages.
 */
#define pr_fmt(fmt) "hvx: " fmt

#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include "../hvx.h"
#include "vmbus.h"

/* A header page and a power of two of data pages, within the limit. */
static bool hvx_vmbus_ring_pages_valid(u32 pages)
{
	return pages >= 2 && pages - 1 <= HVX_VMBUS_MAX_RING_DATA_PAGES &&
	       is_power_of_2(pages - 1);
}

/* Unpins and uncharges the first @npages of @rings, then frees it. */
static void hvx_vmbus_rings_free(struct hvx_vmbus_rings *rings, u32 npages)
{
	u32 i;

	for (i = 0; i < npages; i++)
		hvx_mem_unpin_page(rings->mm, rings->pages[i]);
	mmdrop(rings->mm);
	kfree(rings);
}

static void hvx_vmbus_rings_release(struct kref *ref)
{
	struct hvx_vmbus_rings *rings = container_of(ref, struct hvx_vmbus_rings, ref);

	hvx_vmbus_rings_free(rings, rings->out_pages + rings->in_pages);
}

void hvx_vmbus_rings_put(struct hvx_vmbus_rings *rings)
{
	kref_put(&rings->ref, hvx_vmbus_rings_release);
}

/*
 * Reads the struct hvx_vmbus_open at @request_gpa and pins its pages.
 * Returns 0 with the child id and the rings, or the guest's error.
 */
int hvx_vmbus_rings_pin(struct hvx_vm *vm, u64 request_gpa, u32 *child_id,
			struct hvx_vmbus_rings **out)
{
	struct hvx_vmbus_open req;
	struct hvx_vmbus_rings *rings;
	u32 npages, i;
	u64 *gfns;
	int err;

	if (request_gpa & 7)
		return -EINVAL;
	if (hvx_mem_read(&vm->mem, request_gpa, &req, sizeof(req)))
		return -EFAULT;
	if (req.reserved || !hvx_vmbus_ring_pages_valid(req.out_pages) ||
	    !hvx_vmbus_ring_pages_valid(req.in_pages))
		return -EINVAL;
	npages = req.out_pages + req.in_pages;
	/* Within one page: the guest builds it in one, we read it at once. */
	if ((request_gpa & ~PAGE_MASK) + struct_size(&req, gfns, npages) > PAGE_SIZE)
		return -EINVAL;

	gfns = kmalloc_array(npages, sizeof(*gfns), GFP_KERNEL);
	if (!gfns)
		return -ENOMEM;
	err = -EFAULT;
	if (hvx_mem_read(&vm->mem, request_gpa + sizeof(req), gfns, npages * sizeof(*gfns)))
		goto out_gfns;
	rings = kzalloc(struct_size(rings, pages, npages), GFP_KERNEL_ACCOUNT);
	err = -ENOMEM;
	if (!rings)
		goto out_gfns;
	/* The charges go back to this mm, which the rings may outlive the VM with. */
	mmgrab(vm->mem.mm);
	rings->mm = vm->mem.mm;
	for (i = 0; i < npages; i++) {
		/* A frame number whose address does not fit is no RAM of ours. */
		err = -EFAULT;
		if (gfns[i] >> (64 - PAGE_SHIFT))
			break;
		err = hvx_mem_pin_page(&vm->mem, gfns[i] << PAGE_SHIFT, &rings->pages[i]);
		if (err)
			break;
	}
	if (i < npages) {
		hvx_vmbus_rings_free(rings, i);
		goto out_gfns;
	}
	kref_init(&rings->ref);
	rings->out_pages = req.out_pages;
	rings->in_pages = req.in_pages;
	*child_id = req.child_id;
	*out = rings;
	err = 0;
out_gfns:
	kfree(gfns);
	return err;
}

static void hvx_vmbus_rings_vma_open(struct vm_area_struct *vma)
{
	struct hvx_vmbus_rings *rings = vma->vm_private_data;

	kref_get(&rings->ref);
}

static void hvx_vmbus_rings_vma_close(struct vm_area_struct *vma)
{
	hvx_vmbus_rings_put(vma->vm_private_data);
}

static const struct vm_operations_struct hvx_vmbus_rings_vm_ops = {
	.open	= hvx_vmbus_rings_vma_open,
	.close	= hvx_vmbus_rings_vma_close,
};

/*
 * Maps the pages in order.  The pages stay pinned while a mapping of them
 * exists, even after the guest closed the channel: the backend may look at
 * stale rings, never at memory that went elsewhere.
 */
int hvx_vmbus_rings_mmap(struct hvx_vmbus_rings *rings, struct vm_area_struct *vma)
{
	u32 npages = rings->out_pages + rings->in_pages;
	unsigned long i;
	int err;

	if (vma->vm_pgoff || vma_pages(vma) != npages || !(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	vma->vm_flags |= VM_DONTCOPY | VM_DONTEXPAND | VM_DONTDUMP;
	for (i = 0; i < npages; i++) {
		err = remap_pfn_range(vma, vma->vm_start + i * PAGE_SIZE,
				      page_to_pfn(rings->pages[i]), PAGE_SIZE,
				      vma->vm_page_prot);
		if (err)
			return err;
	}
	kref_get(&rings->ref);
	vma->vm_private_data = rings;
	vma->vm_ops = &hvx_vmbus_rings_vm_ops;
	return 0;
}
