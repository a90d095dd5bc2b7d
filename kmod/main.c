// SPDX-License-Identifier: GPL-2.0
/*
 * hvx.ko: module entry and /dev/hvx.  VMX operation itself starts only when
 * the first VM is created (vmx.c).
 */
#define pr_fmt(fmt) "hvx: " fmt

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/preempt.h>
#include <asm/tsc.h>

#include "hvx.h"

static long hvx_dev_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	switch (cmd) {
	case HVX_GET_API_VERSION:
		return arg ? -EINVAL : HVX_API_VERSION;
	case HVX_CREATE_VM:
		return hvx_vm_create(arg);
	case HVX_GET_VCPU_MMAP_SIZE:
		return arg ? -EINVAL : PAGE_SIZE;
	case HVX_GET_TSC_KHZ:
		/* 0 would mean an unknown rate: the caller cannot use it. */
		if (arg)
			return -EINVAL;
		return tsc_khz ? tsc_khz : -EIO;
	default:
		return -ENOTTY;
	}
}

static const struct file_operations hvx_dev_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= hvx_dev_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

static struct miscdevice hvx_dev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "hvx",
	.fops	= &hvx_dev_fops,
	.mode	= 0600,
};

static int __init hvx_init(void)
{
	int err;

	err = hvx_vmx_setup();
	if (err)
		return err;
	err = hvx_msr_bitmap_init();
	if (err)
		return err;
	err = hvx_spec_init();
	if (err)
		goto err_bitmap;
	err = hvx_vmx_init();
	if (err)
		goto err_spec;
	err = hvx_genl_init();
	if (err)
		goto err_vmx;
	/*
	 * vCPUs follow their thread across CPUs through preempt notifiers,
	 * which must be live before anyone can open /dev/hvx.
	 */
	preempt_notifier_inc();
	err = misc_register(&hvx_dev);
	if (err)
		goto err_notifier;
	pr_info("loaded: VMX with EPT%s, VPID, unrestricted guest%s; L1D flush %s\n",
		hvx_caps.ept_ad ? " (A/D)" : "",
		hvx_caps.apicv ? ", APIC virtualization" : "", hvx_spec_l1d_policy_name());
	return 0;

err_notifier:
	preempt_notifier_dec();
	hvx_genl_exit();
err_vmx:
	hvx_vmx_exit();
err_spec:
	hvx_spec_exit();
err_bitmap:
	hvx_msr_bitmap_free();
	return err;
}

static void __exit hvx_exit(void)
{
	misc_deregister(&hvx_dev);
	hvx_genl_exit();
	preempt_notifier_dec();
	hvx_vmx_exit();
	hvx_spec_exit();
	hvx_msr_bitmap_free();
	pr_info("unloaded\n");
}

module_init(hvx_init);
module_exit(hvx_exit);
MODULE_DESCRIPTION("hvx: a small VT-x hypervisor");
MODULE_LICENSE("GPL");
