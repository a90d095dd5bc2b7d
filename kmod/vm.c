// SPDX-License-Identifier: GPL-2.0
/* The VM object and its file descriptor. */
#define pr_fmt(fmt) "hvx: " fmt

#include <linux/anon_inodes.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/pid.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "hvx.h"

static void hvx_vm_release_ref(struct kref *ref)
{
	struct hvx_vm *vm = container_of(ref, struct hvx_vm, ref);

	hvx_vm_table_remove(vm);
	hvx_genl_notify(vm, HVX_EVENT_VM_DESTROYED, NULL);
	hvx_vmbus_destroy(&vm->vmbus);
	hvx_mem_destroy(&vm->mem);
	put_pid(vm->owner_pid);
	kfree(vm);
	hvx_vmx_put();
}

void hvx_vm_put(struct hvx_vm *vm)
{
	kref_put(&vm->ref, hvx_vm_release_ref);
}

static int hvx_vm_release(struct inode *inode, struct file *file)
{
	hvx_vm_put(file->private_data);
	return 0;
}

static long hvx_vm_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct hvx_vm *vm = file->private_data;
	struct hvx_user_memory_region region;
	void __user *uarg = (void __user *)arg;
	struct hvx_memory_range range;
	struct hvx_irq_level irq;
	struct hvx_vm_name name;
	struct hvx_msi msi;

	/* Guest memory is the creator's: another process must not drive it. */
	if (vm->mem.mm != current->mm)
		return -EIO;

	switch (cmd) {
	case HVX_SET_USER_MEMORY_REGION:
		if (copy_from_user(&region, uarg, sizeof(region)))
			return -EFAULT;
		return hvx_mem_set_region(&vm->mem, &region);
	case HVX_CREATE_VCPU:
		return hvx_vcpu_create(vm, arg);
	case HVX_IRQ_LINE:
		if (copy_from_user(&irq, uarg, sizeof(irq)))
			return -EFAULT;
		return hvx_ioapic_set_irq(vm, &irq);
	case HVX_CREATE_CHANNEL:
		return hvx_vmbus_create_channel(vm, uarg);
	case HVX_SET_VMBUS_MSI:
		if (copy_from_user(&msi, uarg, sizeof(msi)))
			return -EFAULT;
		return hvx_vmbus_set_msi(vm, &msi);
	case HVX_DISCARD_MEMORY:
		if (copy_from_user(&range, uarg, sizeof(range)))
			return -EFAULT;
		return hvx_mem_discard(&vm->mem, range.gpa, range.size);
	case HVX_SET_VM_NAME:
		if (copy_from_user(&name, uarg, sizeof(name)))
			return -EFAULT;
		return hvx_vm_set_name(vm, &name);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations hvx_vm_fops = {
	.owner		= THIS_MODULE,
	.release	= hvx_vm_release,
	.unlocked_ioctl	= hvx_vm_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

int hvx_vm_create(unsigned long flags)
{
	struct hvx_vm *vm;
	int err, fd;

	if (flags)
		return -EINVAL;

	err = hvx_vmx_get();
	if (err)
		return err;

	vm = kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm) {
		err = -ENOMEM;
		goto err_vmx;
	}
	kref_init(&vm->ref);
	mutex_init(&vm->lock);
	hvx_ioapic_init(&vm->ioapic);
	hvx_vmbus_init(&vm->vmbus);
	vm->owner_pid = get_task_pid(current, PIDTYPE_TGID);
	vm->owner_uid = current_euid();
	err = hvx_mem_init(&vm->mem);
	if (err)
		goto err_free;
	vm->apicv = hvx_vmx_apicv();
	if (vm->apicv) {
		err = hvx_mem_map_apic_access(&vm->mem);
		if (err)
			goto err_mem;
	}
	err = hvx_vm_table_add(vm);
	if (err)
		goto err_mem;

	fd = anon_inode_getfd("hvx-vm", &hvx_vm_fops, vm, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		err = fd;
		goto err_table;
	}
	hvx_genl_notify(vm, HVX_EVENT_VM_CREATED, NULL);
	return fd;

err_table:
	hvx_vm_table_remove(vm);
err_mem:
	hvx_mem_destroy(&vm->mem);
err_free:
	put_pid(vm->owner_pid);
	kfree(vm);
err_vmx:
	hvx_vmx_put();
	return err;
}
