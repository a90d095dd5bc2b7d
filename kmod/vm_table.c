// SPDX-License-Identifier: GPL-2.0
/*
 * Every VM of the module by id, for the generic netlink family: ids are
 * handed out cyclically so that an id names one VM while hvx.ko is loaded,
 * and names are unique among the VMs that exist.
 */
#define pr_fmt(fmt) "hvx: " fmt

#include <linux/mutex.h>
#include <linux/string.h>
#include <linux/xarray.h>

#include "hvx.h"
#include "vm_name.h"

static DEFINE_XARRAY_ALLOC1(hvx_vms);
static u32 hvx_vm_next_id;
/*
 * Held while a VM is looked at from outside its own fds, so that it
 * cannot be freed meanwhile: a VM leaves the table under it before it goes.
 */
DEFINE_MUTEX(hvx_vms_lock);

int hvx_vm_table_add(struct hvx_vm *vm)
{
	int err;

	mutex_lock(&hvx_vms_lock);
	err = xa_alloc_cyclic(&hvx_vms, &vm->id, vm, xa_limit_31b, &hvx_vm_next_id,
			      GFP_KERNEL_ACCOUNT);
	mutex_unlock(&hvx_vms_lock);
	return err < 0 ? err : 0;
}

void hvx_vm_table_remove(struct hvx_vm *vm)
{
	mutex_lock(&hvx_vms_lock);
	xa_erase(&hvx_vms, vm->id);
	mutex_unlock(&hvx_vms_lock);
}

/* The VM with @id, or NULL; hvx_vms_lock held. */
struct hvx_vm *hvx_vm_table_find(u32 id)
{
	lockdep_assert_held(&hvx_vms_lock);
	return xa_load(&hvx_vms, id);
}

/* The VM called @name, or NULL; hvx_vms_lock held. */
struct hvx_vm *hvx_vm_table_find_name(const char *name)
{
	struct hvx_vm *vm;
	unsigned long id;

	lockdep_assert_held(&hvx_vms_lock);
	xa_for_each(&hvx_vms, id, vm)
		if (!strcmp(vm->name, name))
			return vm;
	return NULL;
}

/* The first VM with an id of at least *@id, which it updates; lock held. */
struct hvx_vm *hvx_vm_table_next(unsigned long *id)
{
	lockdep_assert_held(&hvx_vms_lock);
	return xa_find(&hvx_vms, id, ULONG_MAX, XA_PRESENT);
}

static bool hvx_vm_name_valid(const char *name, size_t size)
{
	size_t len = strnlen(name, size);
	size_t i;

	if (!hvx_vm_name_chars_valid(name, len) || hvx_vm_name_is_id(name, len))
		return false;
	/* The rest is zero, so that the bytes can carry meaning later. */
	for (i = len; i < size; i++)
		if (name[i])
			return false;
	return true;
}

int hvx_vm_set_name(struct hvx_vm *vm, const struct hvx_vm_name *req)
{
	int err = 0;

	BUILD_BUG_ON(sizeof(req->name) != HVX_NAME_MAX);
	BUILD_BUG_ON(sizeof(vm->name) != HVX_NAME_MAX);
	if (!hvx_vm_name_valid(req->name, sizeof(req->name)))
		return -EINVAL;

	mutex_lock(&hvx_vms_lock);
	if (vm->name[0])
		err = -EBUSY;
	else if (hvx_vm_table_find_name(req->name))
		err = -EEXIST;
	else
		strscpy(vm->name, req->name, sizeof(vm->name));
	mutex_unlock(&hvx_vms_lock);
	if (!err)
		hvx_genl_notify(vm, HVX_EVENT_VM_NAMED, NULL);
	return err;
}
