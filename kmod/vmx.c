// SPDX-License-Identifier: GPL-2.0
/*
 * VMX operation: what the CPU can do (read once at load), and VMXON/VMXOFF
 * on every online CPU while at least one VM exists, as KVM does, so hvx.ko
 * and kvm_intel can share a machine as long as only one has VMs.
 */
#define pr_fmt(fmt) "hvx: " fmt

#include <linux/cpu.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/reboot.h>
#include <linux/smp.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/tlbflush.h>
#include <asm/tsc.h>

#include "hvx.h"
#include "vmx_ops.h"

#define HVX_SLICE_MS		10

struct hvx_vmx_caps hvx_caps;

/*
 * On, the local APIC of new VMs is virtualized by the CPU; off, every
 * access exits and is emulated, as on CPUs without APIC virtualization.
 * Off by default for now: under it, a Linux guest's disk I/O stalls now
 * and then for good (blk_linux, issue 16; a lost channel-bus MSI), and the
 * cause is not found yet.  The tests turn it on for the APIC tests that
 * run both ways.
 */
static bool apicv;
static bool apicv_probed;

/* Reads what new VMs get: "Y" is refused where the CPU cannot do it. */
static int apicv_param_set(const char *val, const struct kernel_param *kp)
{
	bool on;
	int err;

	err = kstrtobool(val, &on);
	if (err)
		return err;
	if (on && apicv_probed && !hvx_caps.apicv)
		return -ENODEV;
	WRITE_ONCE(apicv, on);
	return 0;
}

static const struct kernel_param_ops apicv_param_ops = {
	.set = apicv_param_set,
	.get = param_get_bool,
};
module_param_cb(apicv, &apicv_param_ops, &apicv, 0644);
MODULE_PARM_DESC(apicv, "APIC virtualization for new VMs, where the CPU has it (default off)");

bool hvx_vmx_apicv(void)
{
	return hvx_caps.apicv && READ_ONCE(apicv);
}

struct hvx_cpu {
	void *vmxon_region;
	bool on;			/* this CPU is in VMX operation */
	int error;			/* of the last enable attempt */
	struct list_head loaded_vcpus;	/* vCPUs whose VMCS is active here */
};

static DEFINE_PER_CPU(struct hvx_cpu, hvx_cpu);
static DEFINE_MUTEX(hvx_vmx_lock);
static unsigned int hvx_vmx_users;	/* VMs alive; under hvx_vmx_lock */
static enum cpuhp_state hvx_cpuhp_state;

void hvx_vmx_insn_failed(const char *insn, unsigned long field, u64 value)
{
	unsigned long error = 0;

	/* The VM-instruction error field is only readable with a current VMCS. */
	if (strcmp(insn, "vmptrld") && strcmp(insn, "vmclear"))
		asm volatile("vmread %1, %0" : "=r" (error)
			     : "r" ((unsigned long)VM_INSTRUCTION_ERROR) : "cc");
	pr_err_ratelimited("%s failed: field %#lx value %#llx vm-instruction error %lu\n",
			   insn, field, value, error);
}

/* Set by the reboot notifier before it leaves VMX operation on every CPU. */
bool hvx_rebooting;

void hvx_vmx_insn_fault(const char *insn)
{
	if (READ_ONCE(hvx_rebooting))
		return;
	WARN_ONCE(1, "hvx: %s faulted outside VMX operation\n", insn);
}

/* Bits every control must have and may have, from an IA32_VMX_*_CTLS MSR. */
static int adjust_controls(u32 msr, u32 required, u32 optional, u32 *result)
{
	u32 allowed0, allowed1, ctl;

	rdmsr(msr, allowed0, allowed1);
	ctl = (required | optional | allowed0) & allowed1;
	if ((ctl & required) != required) {
		pr_err("VMX controls MSR %#x lacks required bits %#x\n",
		       msr, required & ~ctl);
		return -EIO;
	}
	*result = ctl;
	return 0;
}

int hvx_vmx_setup(void)
{
	bool true_ctls;
	u64 basic;
	u32 lo, hi;
	int err;

	if (!boot_cpu_has(X86_FEATURE_VMX)) {
		pr_err("CPU has no VMX (or firmware disabled it)\n");
		return -ENODEV;
	}
	rdmsr(MSR_IA32_FEAT_CTL, lo, hi);
	if ((lo & FEAT_CTL_LOCKED) && !(lo & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX)) {
		pr_err("VMX is locked off by firmware (IA32_FEATURE_CONTROL)\n");
		return -ENODEV;
	}

	rdmsrl(MSR_IA32_VMX_BASIC, basic);
	hvx_caps.revision_id = basic & 0x7fffffff;
	hvx_caps.vmcs_size = (basic >> 32) & 0x1fff;
	true_ctls = basic & (1ULL << 55);
	if (hvx_caps.vmcs_size > PAGE_SIZE) {
		pr_err("VMCS size %u larger than a page\n", hvx_caps.vmcs_size);
		return -EIO;
	}

	err = adjust_controls(true_ctls ? MSR_IA32_VMX_TRUE_PINBASED_CTLS :
			      MSR_IA32_VMX_PINBASED_CTLS,
			      PIN_BASED_EXT_INTR_MASK | PIN_BASED_NMI_EXITING,
			      PIN_BASED_VMX_PREEMPTION_TIMER, &hvx_caps.pin_ctls);
	if (err)
		return err;
	err = adjust_controls(true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS :
			      MSR_IA32_VMX_PROCBASED_CTLS,
			      CPU_BASED_HLT_EXITING | CPU_BASED_UNCOND_IO_EXITING |
			      CPU_BASED_USE_MSR_BITMAPS | CPU_BASED_MOV_DR_EXITING |
			      CPU_BASED_ACTIVATE_SECONDARY_CONTROLS |
			      CPU_BASED_MWAIT_EXITING | CPU_BASED_MONITOR_EXITING |
			      CPU_BASED_RDPMC_EXITING | CPU_BASED_CR8_LOAD_EXITING |
			      CPU_BASED_CR8_STORE_EXITING, 0,
			      &hvx_caps.proc_ctls);
	if (err)
		return err;
	/*
	 * With EPT the guest owns CR3, INVLPG and the TSC.  adjust_controls()
	 * adds only the allowed-0 bits of the TRUE MSRs, which every CPU with
	 * EPT and unrestricted guest has, so none of those exits is asked for.
	 */
	rdmsr(MSR_IA32_VMX_PROCBASED_CTLS, lo, hi);

	if (!(hi & CPU_BASED_ACTIVATE_SECONDARY_CONTROLS))
		goto no_ept;
	/* WBINVD would flush the host's caches for as long as it takes. */
	err = adjust_controls(MSR_IA32_VMX_PROCBASED_CTLS2,
			      SECONDARY_EXEC_ENABLE_EPT | SECONDARY_EXEC_ENABLE_VPID |
			      SECONDARY_EXEC_UNRESTRICTED_GUEST,
			      SECONDARY_EXEC_WBINVD_EXITING,
			      &hvx_caps.proc_ctls2);
	if (err)
		goto no_ept;
	/* Optional, and chosen per VM (hvx_vmx_apicv()): not in the defaults. */
	hvx_caps.apicv = hi & CPU_BASED_TPR_SHADOW;
	rdmsr(MSR_IA32_VMX_PROCBASED_CTLS2, lo, hi);
	hvx_caps.apicv &= (hi & HVX_APICV_CTLS2) == HVX_APICV_CTLS2;
	if (!hvx_caps.apicv)
		WRITE_ONCE(apicv, false);
	apicv_probed = true;

	err = adjust_controls(true_ctls ? MSR_IA32_VMX_TRUE_EXIT_CTLS :
			      MSR_IA32_VMX_EXIT_CTLS,
			      VM_EXIT_HOST_ADDR_SPACE_SIZE | VM_EXIT_SAVE_IA32_EFER |
			      VM_EXIT_LOAD_IA32_EFER | VM_EXIT_SAVE_IA32_PAT |
			      VM_EXIT_LOAD_IA32_PAT, 0, &hvx_caps.exit_ctls);
	if (err)
		return err;
	err = adjust_controls(true_ctls ? MSR_IA32_VMX_TRUE_ENTRY_CTLS :
			      MSR_IA32_VMX_ENTRY_CTLS,
			      VM_ENTRY_LOAD_IA32_EFER | VM_ENTRY_LOAD_IA32_PAT, 0,
			      &hvx_caps.entry_ctls);
	if (err)
		return err;
	/* IA-32e mode follows the guest's EFER.LMA at each entry. */
	hvx_caps.entry_ctls &= ~VM_ENTRY_IA32E_MODE;

	rdmsrl(MSR_IA32_VMX_EPT_VPID_CAP, hvx_caps.ept_vpid_cap);
	if (!(hvx_caps.ept_vpid_cap & VMX_EPT_PAGE_WALK_4_BIT) ||
	    !(hvx_caps.ept_vpid_cap & VMX_EPTP_WB_BIT) ||
	    !(hvx_caps.ept_vpid_cap & VMX_EPT_INVEPT_BIT) ||
	    !(hvx_caps.ept_vpid_cap & VMX_EPT_EXTENT_GLOBAL_BIT) ||
	    !(hvx_caps.ept_vpid_cap & (VMX_VPID_INVVPID_BIT << 32)) ||
	    !(hvx_caps.ept_vpid_cap & (VMX_VPID_EXTENT_GLOBAL_CONTEXT_BIT << 32))) {
		pr_err("EPT lacks 4-level walks, write-back memory, all-context INVEPT or INVVPID\n");
		return -ENODEV;
	}
	hvx_caps.ept_ad = hvx_caps.ept_vpid_cap & VMX_EPT_AD_BIT;

	/*
	 * A guest time slice of HVX_SLICE_MS, in preemption-timer units.  It
	 * is a safety net: the host's tick and the IPIs that signals send
	 * end a busy guest's run anyway, so it can be long and rarely fire.
	 */
	if (hvx_caps.pin_ctls & PIN_BASED_VMX_PREEMPTION_TIMER) {
		u64 misc;

		rdmsrl(MSR_IA32_VMX_MISC, misc);
		hvx_caps.preemption_timer = min_t(u64, U32_MAX,
			((u64)tsc_khz * HVX_SLICE_MS) >>
			(misc & VMX_MISC_PREEMPTION_TIMER_RATE_MASK));
		if (!hvx_caps.preemption_timer)
			hvx_caps.preemption_timer = 1;
	}

	rdmsrl(MSR_IA32_VMX_CR0_FIXED0, hvx_caps.cr0_fixed0);
	rdmsrl(MSR_IA32_VMX_CR0_FIXED1, hvx_caps.cr0_fixed1);
	rdmsrl(MSR_IA32_VMX_CR4_FIXED0, hvx_caps.cr4_fixed0);
	rdmsrl(MSR_IA32_VMX_CR4_FIXED1, hvx_caps.cr4_fixed1);
	return 0;

no_ept:
	pr_err("CPU lacks EPT, VPID or unrestricted guest\n");
	return -ENODEV;
}

static void hvx_cpu_enable(void *unused)
{
	struct hvx_cpu *c = this_cpu_ptr(&hvx_cpu);

	c->error = 0;
	if (c->on)
		return;
	/* Someone else (kvm_intel with VMs) is in VMX operation here. */
	if (cr4_read_shadow() & X86_CR4_VMXE) {
		c->error = -EBUSY;
		return;
	}
	cr4_set_bits(X86_CR4_VMXE);
	if (hvx_vmxon(__pa(c->vmxon_region))) {
		cr4_clear_bits(X86_CR4_VMXE);
		c->error = -EIO;
		return;
	}
	c->on = true;
	/*
	 * Translations cached before VMXON (by an earlier VMX session, ours
	 * or another hypervisor's) may name EPT roots and VPIDs that are
	 * about to be reused for other VMs.
	 */
	hvx_invept(VMX_EPT_EXTENT_GLOBAL, 0);
	hvx_invvpid(VMX_VPID_EXTENT_ALL_CONTEXT, 0);
}

static void hvx_cpu_clear_loaded(struct hvx_cpu *c)
{
	struct hvx_vcpu *vcpu, *tmp;
	unsigned long flags;

	/* A VMCLEAR IPI from another CPU unlinks from the list too. */
	local_irq_save(flags);
	list_for_each_entry_safe(vcpu, tmp, &c->loaded_vcpus, loaded_link)
		hvx_vcpu_clear_on_cpu(vcpu);
	local_irq_restore(flags);
}

static void hvx_cpu_disable(void *unused)
{
	struct hvx_cpu *c = this_cpu_ptr(&hvx_cpu);

	if (!c->on)
		return;
	hvx_cpu_clear_loaded(c);
	hvx_vmxoff();
	cr4_clear_bits(X86_CR4_VMXE);
	c->on = false;
}

void hvx_vmx_track_loaded(struct hvx_vcpu *vcpu, int cpu)
{
	list_add(&vcpu->loaded_link, &per_cpu(hvx_cpu, cpu).loaded_vcpus);
}

/* Called for every new VM: VMXON everywhere on the first. */
int hvx_vmx_get(void)
{
	int cpu, err = 0;

	/* Same order as the hotplug callbacks: CPU lock, then ours. */
	cpus_read_lock();
	mutex_lock(&hvx_vmx_lock);
	if (hvx_rebooting) {
		err = -EBUSY;
		goto out;
	}
	if (hvx_vmx_users++ == 0) {
		on_each_cpu(hvx_cpu_enable, NULL, 1);
		for_each_online_cpu(cpu) {
			if (per_cpu(hvx_cpu, cpu).error) {
				err = per_cpu(hvx_cpu, cpu).error;
				break;
			}
		}
		if (err) {
			on_each_cpu(hvx_cpu_disable, NULL, 1);
			hvx_vmx_users = 0;
			if (err == -EBUSY)
				pr_info("VMX is in use by another hypervisor\n");
		}
	}
out:
	mutex_unlock(&hvx_vmx_lock);
	cpus_read_unlock();
	return err;
}

void hvx_vmx_put(void)
{
	cpus_read_lock();
	mutex_lock(&hvx_vmx_lock);
	if (--hvx_vmx_users == 0)
		on_each_cpu(hvx_cpu_disable, NULL, 1);
	mutex_unlock(&hvx_vmx_lock);
	cpus_read_unlock();
}

static void hvx_flush_ept_cpu(void *eptp)
{
	if (!this_cpu_ptr(&hvx_cpu)->on)
		return;
	if (hvx_caps.ept_vpid_cap & VMX_EPT_EXTENT_CONTEXT_BIT)
		hvx_invept(VMX_EPT_EXTENT_CONTEXT, *(u64 *)eptp);
	else
		hvx_invept(VMX_EPT_EXTENT_GLOBAL, 0);
}

void hvx_vmx_flush_ept(u64 eptp)
{
	on_each_cpu(hvx_flush_ept_cpu, &eptp, 1);
}

/* CPU hotplug: a CPU coming online while VMs exist enters VMX operation. */
static int hvx_cpu_online(unsigned int cpu)
{
	int err = 0;

	mutex_lock(&hvx_vmx_lock);
	if (hvx_vmx_users) {
		hvx_cpu_enable(NULL);
		err = this_cpu_ptr(&hvx_cpu)->error;
	}
	mutex_unlock(&hvx_vmx_lock);
	return err;
}

static int hvx_cpu_offline(unsigned int cpu)
{
	hvx_cpu_disable(NULL);
	return 0;
}

static int hvx_reboot(struct notifier_block *nb, unsigned long code, void *unused)
{
	/*
	 * INIT is blocked in VMX operation: leave it before the reboot.
	 * vCPU threads may be between an exit and the next entry on other
	 * CPUs; their VMX instructions fault from now on, and the faults are
	 * expected (hvx_vmx_insn_fault()).  No VM may start either.
	 */
	mutex_lock(&hvx_vmx_lock);
	WRITE_ONCE(hvx_rebooting, true);
	mutex_unlock(&hvx_vmx_lock);
	on_each_cpu(hvx_cpu_disable, NULL, 1);
	return NOTIFY_OK;
}

static struct notifier_block hvx_reboot_nb = {
	.notifier_call = hvx_reboot,
};

static void hvx_free_vmxon_regions(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		free_page((unsigned long)per_cpu(hvx_cpu, cpu).vmxon_region);
		per_cpu(hvx_cpu, cpu).vmxon_region = NULL;
	}
}

int hvx_vmx_init(void)
{
	int cpu, err;

	for_each_possible_cpu(cpu) {
		struct hvx_cpu *c = &per_cpu(hvx_cpu, cpu);

		INIT_LIST_HEAD(&c->loaded_vcpus);
		c->vmxon_region = (void *)get_zeroed_page(GFP_KERNEL);
		if (!c->vmxon_region) {
			err = -ENOMEM;
			goto err_free;
		}
		*(u32 *)c->vmxon_region = hvx_caps.revision_id;
	}

	err = cpuhp_setup_state_nocalls(CPUHP_AP_ONLINE_DYN, "hvx:online",
					hvx_cpu_online, hvx_cpu_offline);
	if (err < 0)
		goto err_free;
	hvx_cpuhp_state = err;

	err = register_reboot_notifier(&hvx_reboot_nb);
	if (err)
		goto err_cpuhp;
	return 0;

err_cpuhp:
	cpuhp_remove_state_nocalls(hvx_cpuhp_state);
err_free:
	hvx_free_vmxon_regions();
	return err;
}

void hvx_vmx_exit(void)
{
	unregister_reboot_notifier(&hvx_reboot_nb);
	cpuhp_remove_state_nocalls(hvx_cpuhp_state);
	hvx_free_vmxon_regions();
}
