// SPDX-License-Identifier: GPL-2.0
/*
 * The vCPU object, its file descriptor and the run loop.
 *
 * While a vCPU ioctl runs, its VMCS is current on the CPU the thread runs
 * on: hvx_vcpu_load() registers a preempt notifier that moves the VMCS
 * (VMCLEAR on the old CPU, VMPTRLD on the new one) when the thread migrates,
 * as KVM does, so exit handlers may sleep.
 */
#define pr_fmt(fmt) "hvx: " fmt

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/fpu/api.h>
#include <asm/mmu_context.h>
#include <asm/tlbflush.h>
#include <asm/trapnr.h>
#include <asm/special_insns.h>

#include "hvx.h"
#include "vmx_ops.h"

static DEFINE_IDA(hvx_vpid_ida);
static DEFINE_PER_CPU(struct hvx_vcpu *, hvx_current_vcpu);

static void hvx_vmclear_local(void *arg)
{
	struct hvx_vcpu *vcpu = arg;

	if (vcpu->cpu != smp_processor_id())
		return;
	hvx_vmclear(__pa(vcpu->vmcs));
	if (__this_cpu_read(hvx_current_vcpu) == vcpu)
		__this_cpu_write(hvx_current_vcpu, NULL);
	list_del(&vcpu->loaded_link);
	vcpu->cpu = -1;
	vcpu->launched = false;
}

/* Runs on the CPU where the VMCS is active (CPU offline, VMXOFF paths). */
void hvx_vcpu_clear_on_cpu(struct hvx_vcpu *vcpu)
{
	hvx_vmclear_local(vcpu);
}

static void hvx_vcpu_clear(struct hvx_vcpu *vcpu)
{
	int cpu = vcpu->cpu;

	if (cpu >= 0)
		smp_call_function_single(cpu, hvx_vmclear_local, vcpu, 1);
}

/* Make the VMCS current on this CPU; preemption is disabled. */
static void hvx_vcpu_load_cpu(struct hvx_vcpu *vcpu, int cpu)
{
	if (vcpu->cpu != cpu) {
		hvx_vcpu_clear(vcpu);
		local_irq_disable();
		hvx_vmx_track_loaded(vcpu, cpu);
		local_irq_enable();
	}
	if (__this_cpu_read(hvx_current_vcpu) != vcpu) {
		hvx_spec_vmcs_switch();
		hvx_vmptrld(__pa(vcpu->vmcs));
		__this_cpu_write(hvx_current_vcpu, vcpu);
	}
	if (vcpu->cpu != cpu) {
		vcpu->cpu = cpu;
		hvx_vmcs_set_host_cpu_state(cpu);
	}
}

/*
 * Without EFER.SCE the guest cannot SYSCALL, and outside long mode it cannot
 * SWAPGS: then the host's values may stay, which spares guests that never
 * use them (and the exit benchmarks) the switch.  KVM decides the same way.
 */
static bool hvx_guest_msrs_needed(struct hvx_vcpu *vcpu)
{
	return vcpu->efer & (EFER_SCE | EFER_LMA | EFER_LME);
}

/* Runs with interrupts disabled, right before VM entry. */
static void hvx_guest_msrs_load(struct hvx_vcpu *vcpu)
{
	if (vcpu->guest_msrs_loaded || !hvx_guest_msrs_needed(vcpu))
		return;
	rdmsrl(MSR_KERNEL_GS_BASE, vcpu->host_kernel_gs_base);
	rdmsrl(MSR_STAR, vcpu->host_star);
	rdmsrl(MSR_LSTAR, vcpu->host_lstar);
	rdmsrl(MSR_CSTAR, vcpu->host_cstar);
	rdmsrl(MSR_SYSCALL_MASK, vcpu->host_sfmask);
	wrmsrl(MSR_KERNEL_GS_BASE, vcpu->kernel_gs_base);
	wrmsrl(MSR_STAR, vcpu->star);
	wrmsrl(MSR_LSTAR, vcpu->lstar);
	wrmsrl(MSR_CSTAR, vcpu->cstar);
	wrmsrl(MSR_SYSCALL_MASK, vcpu->sfmask);
	vcpu->guest_msrs_loaded = true;
}

/* Runs with preemption disabled. */
static void hvx_guest_msrs_restore_host(struct hvx_vcpu *vcpu)
{
	if (!vcpu->guest_msrs_loaded)
		return;
	rdmsrl(MSR_KERNEL_GS_BASE, vcpu->kernel_gs_base);
	wrmsrl(MSR_KERNEL_GS_BASE, vcpu->host_kernel_gs_base);
	wrmsrl(MSR_STAR, vcpu->host_star);
	wrmsrl(MSR_LSTAR, vcpu->host_lstar);
	wrmsrl(MSR_CSTAR, vcpu->host_cstar);
	wrmsrl(MSR_SYSCALL_MASK, vcpu->host_sfmask);
	vcpu->guest_msrs_loaded = false;
}

/* A guest WRMSR: keep the copy, and the hardware if it holds the guest's. */
void hvx_vcpu_write_lazy_msr(struct hvx_vcpu *vcpu, u32 msr, u64 val)
{
	switch (msr) {
	case MSR_KERNEL_GS_BASE:
		vcpu->kernel_gs_base = val;
		break;
	case MSR_STAR:
		vcpu->star = val;
		break;
	case MSR_LSTAR:
		vcpu->lstar = val;
		break;
	case MSR_CSTAR:
		vcpu->cstar = val;
		break;
	case MSR_SYSCALL_MASK:
		vcpu->sfmask = val;
		break;
	default:
		return;
	}
	preempt_disable();
	if (vcpu->guest_msrs_loaded)
		wrmsrl(msr, val);
	preempt_enable();
}

u64 hvx_vcpu_read_kernel_gs_base(struct hvx_vcpu *vcpu)
{
	u64 val = vcpu->kernel_gs_base;

	preempt_disable();
	if (vcpu->guest_msrs_loaded)
		rdmsrl(MSR_KERNEL_GS_BASE, val);
	preempt_enable();
	return val;
}

/*
 * Runs with preemption disabled whenever the vCPU thread gives up the CPU
 * or leaves the ioctl, as KVM's vmx_prepare_switch_to_host(): the next
 * task (or this thread's user mode, maybe with ioperm()) needs the host's
 * own descriptor-table limits.
 */
static void hvx_restore_host_tables(struct hvx_vcpu *vcpu)
{
	if (!vcpu->host_tables_stale)
		return;
	load_fixmap_gdt(smp_processor_id());
	invalidate_tss_limit();
	vcpu->host_tables_stale = false;
}

static void hvx_sched_in(struct preempt_notifier *pn, int cpu)
{
	struct hvx_vcpu *vcpu = container_of(pn, struct hvx_vcpu, pn);

	vcpu->host_debugctl = get_debugctlmsr();
	/* Other tasks ran here: their data may be in the L1D. */
	hvx_spec_note_host_work(vcpu);
	hvx_vcpu_load_cpu(vcpu, cpu);
}

static void hvx_sched_out(struct preempt_notifier *pn, struct task_struct *next)
{
	struct hvx_vcpu *vcpu = container_of(pn, struct hvx_vcpu, pn);

	hvx_guest_msrs_restore_host(vcpu);
	hvx_restore_host_tables(vcpu);
}

static struct preempt_ops hvx_preempt_ops = {
	.sched_in = hvx_sched_in,
	.sched_out = hvx_sched_out,
};

void hvx_vcpu_load(struct hvx_vcpu *vcpu)
{
	int cpu = get_cpu();

	preempt_notifier_register(&vcpu->pn);
	vcpu->host_debugctl = get_debugctlmsr();
	hvx_vcpu_load_cpu(vcpu, cpu);
	put_cpu();
}

void hvx_vcpu_put(struct hvx_vcpu *vcpu)
{
	preempt_disable();
	hvx_guest_msrs_restore_host(vcpu);
	hvx_restore_host_tables(vcpu);
	preempt_notifier_unregister(&vcpu->pn);
	preempt_enable();
}

unsigned long hvx_vcpu_get_gpr(struct hvx_vcpu *vcpu, unsigned int reg)
{
	if (reg == HVX_RSP)
		return vmcs_readl(GUEST_RSP);
	return vcpu->gprs[reg & 15];
}

void hvx_vcpu_set_gpr(struct hvx_vcpu *vcpu, unsigned int reg, unsigned long val)
{
	if (reg == HVX_RSP)
		vmcs_writel(GUEST_RSP, val);
	else
		vcpu->gprs[reg & 15] = val;
}

/* Moves RIP past an instruction of @len bytes that hvx carried out. */
void hvx_vcpu_skip_bytes(struct hvx_vcpu *vcpu, unsigned int len)
{
	unsigned long rip = vmcs_readl(GUEST_RIP) + len;
	u32 intr;

	/* Outside 64-bit mode RIP wraps at 32 bits. */
	if (!(vmcs_read32(VM_ENTRY_CONTROLS) & VM_ENTRY_IA32E_MODE))
		rip = (u32)rip;
	vmcs_writel(GUEST_RIP, rip);
	/* The skipped instruction ends any STI/MOV SS blocking. */
	intr = vmcs_read32(GUEST_INTERRUPTIBILITY_INFO);
	if (intr & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS))
		vmcs_write32(GUEST_INTERRUPTIBILITY_INFO,
			     intr & ~(GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS));
}

/* Moves RIP past the instruction that caused the exit. */
void hvx_vcpu_skip_insn(struct hvx_vcpu *vcpu)
{
	hvx_vcpu_skip_bytes(vcpu, vmcs_read32(VM_EXIT_INSTRUCTION_LEN));
}

static void hvx_vcpu_inject_exception(struct hvx_vcpu *vcpu, u8 vector)
{
	u32 info = vector | INTR_TYPE_HARD_EXCEPTION | INTR_INFO_VALID_MASK;

	if (hvx_exception_has_error_code(vcpu, vector)) {
		info |= INTR_INFO_DELIVER_CODE_MASK;
		vmcs_write32(VM_ENTRY_EXCEPTION_ERROR_CODE, 0);
	}
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, info);
}

void hvx_vcpu_inject_gp(struct hvx_vcpu *vcpu)
{
	hvx_vcpu_inject_exception(vcpu, X86_TRAP_GP);
}

void hvx_vcpu_inject_ud(struct hvx_vcpu *vcpu)
{
	hvx_vcpu_inject_exception(vcpu, X86_TRAP_UD);
}

void hvx_vcpu_inject_ac(struct hvx_vcpu *vcpu)
{
	hvx_vcpu_inject_exception(vcpu, X86_TRAP_AC);
}

/* Host state that may change between entries of the same thread. */
static void hvx_vcpu_refresh_host_state(struct hvx_vcpu *vcpu)
{
	unsigned long fsbase;

	vmcs_writel(HOST_CR3, __get_current_cr3_fast());
	vmcs_writel(HOST_CR4, cr4_read_shadow());
	rdmsrl(MSR_FS_BASE, fsbase);
	vmcs_writel(HOST_FS_BASE, fsbase);
}

/*
 * The exit path runs from a VM exit to the next entry or to the return to
 * userspace, less the time asleep in HLT; one TSC read at each end, the
 * same reads that time the guest.
 */
static void hvx_vcpu_account_exit_path(struct hvx_vcpu *vcpu, u64 now)
{
	if (!vcpu->last_exit_tsc)
		return;
	WRITE_ONCE(vcpu->exit_path_tsc, vcpu->exit_path_tsc + now - vcpu->last_exit_tsc -
		   (vcpu->halted_tsc - vcpu->halted_at_exit));
	vcpu->last_exit_tsc = 0;
}

/* One VM entry and exit; returns what hvx_handle_exit() returns. */
static int hvx_vcpu_enter_guest(struct hvx_vcpu *vcpu)
{
	u64 entry_tsc, exit_tsc;
	u16 ds, es;
	int failed;

	preempt_disable();
	hvx_vcpu_refresh_host_state(vcpu);
	savesegment(ds, ds);
	savesegment(es, es);

	local_irq_disable();
	/*
	 * The guest's FPU registers are live from fpu_swap_kvm_fpstate() on,
	 * but a context switch (HLT sleeps, page faults) or kernel_fpu_begin()
	 * in between saves them and leaves another task's state in the
	 * registers, to be restored only on the way to userspace.  Restore it
	 * now, or the guest runs on someone else's vector registers.
	 */
	if (test_thread_flag(TIF_NEED_FPU_LOAD))
		switch_fpu_return();
	hvx_guest_msrs_load(vcpu);
	hvx_irq_prepare_entry(vcpu);
	if (native_read_cr2() != vcpu->cr2)
		native_write_cr2(vcpu->cr2);

	hvx_spec_before_entry(vcpu);
	entry_tsc = rdtsc();
	if (unlikely(!vcpu->first_entry_tsc))
		vcpu->first_entry_tsc = entry_tsc;
	hvx_vcpu_account_exit_path(vcpu, entry_tsc);
	failed = hvx_vmx_enter(vcpu->gprs, vcpu->launched);
	exit_tsc = rdtsc();
	WRITE_ONCE(vcpu->in_guest, false);
	WRITE_ONCE(vcpu->guest_tsc, vcpu->guest_tsc + exit_tsc - entry_tsc);
	vcpu->last_exit_tsc = exit_tsc;
	vcpu->halted_at_exit = vcpu->halted_tsc;

	vcpu->cr2 = native_read_cr2();
	loadsegment(ds, ds);
	loadsegment(es, es);
	vcpu->host_tables_stale = true;
	hvx_spec_after_exit();
	/* VM exit cleared DEBUGCTL and DR7: the host's LBRs and watchpoints. */
	if (vcpu->host_debugctl)
		update_debugctlmsr(vcpu->host_debugctl);
	if (hw_breakpoint_active())
		hw_breakpoint_restore();
	if (!failed) {
		vcpu->exit_reason = vmcs_read32(VM_EXIT_REASON);
		hvx_handle_exit_irqoff(vcpu);
	}
	/* An external interrupt that caused the exit is taken here. */
	local_irq_enable();
	preempt_enable();

	if (failed) {
		u32 error = vmcs_read32(VM_INSTRUCTION_ERROR);

		/* The event to inject is what the VMM's state changes can spoil. */
		pr_err_ratelimited("VM%s failed: vm-instruction error %u (event %#x code %#x length %u, guest CR0 %#lx)\n",
				   vcpu->launched ? "RESUME" : "LAUNCH", error,
				   vmcs_read32(VM_ENTRY_INTR_INFO_FIELD),
				   vmcs_read32(VM_ENTRY_EXCEPTION_ERROR_CODE),
				   vmcs_read32(VM_ENTRY_INSTRUCTION_LEN),
				   vmcs_readl(GUEST_CR0));
		vcpu->run->exit_reason = HVX_EXIT_INTERNAL_ERROR;
		vcpu->run->internal.suberror = HVX_INTERNAL_ERROR_UNHANDLED_EXIT;
		vcpu->run->internal.vmx_exit_reason = ~0U;
		vcpu->run->internal.qualification = error;
		vcpu->run->internal.guest_rip = vmcs_readl(GUEST_RIP);
		vcpu->run->internal.guest_phys_addr = 0;
		return 0;
	}
	/* Only a VM entry that got as far as the guest launches the VMCS. */
	if (!(vcpu->exit_reason & VMX_EXIT_REASONS_FAILED_VMENTRY))
		vcpu->launched = true;
	vcpu->exit_qualification = vmcs_readl(EXIT_QUALIFICATION);
	return hvx_handle_exit(vcpu);
}

/* A triple fault or a failed entry ends the vCPU: tell the events group once. */
static void hvx_vcpu_note_shutdown(struct hvx_vcpu *vcpu)
{
	/* Not run->exit_reason: the VMM can write the run page. */
	struct hvx_genl_event_info info = {
		.vcpu = vcpu->id,
		.exit_reason = vcpu->shutdown_reason,
	};

	if (vcpu->shut_down || !info.exit_reason)
		return;
	WRITE_ONCE(vcpu->shut_down, true);
	hvx_genl_notify(vcpu->vm, HVX_EVENT_VCPU_SHUTDOWN, &info);
}

int hvx_vcpu_run(struct hvx_vcpu *vcpu)
{
	struct hvx_run *run = vcpu->run;
	int ret;

	run->exit_reason = HVX_EXIT_NONE;
	vcpu->shutdown_reason = 0;
	if (READ_ONCE(run->immediate_exit))
		return -EINTR;

	WRITE_ONCE(vcpu->in_run, true);
	/* The VMM ran since the last entry, as kvm_intel assumes too. */
	hvx_spec_note_host_work(vcpu);
	hvx_vcpu_load(vcpu);
	fpu_swap_kvm_fpstate(&vcpu->fpu, true);

	ret = hvx_complete_pending(vcpu);
	while (ret > 0) {
		if (signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		/* The host left VMX operation to reboot. */
		if (READ_ONCE(hvx_rebooting)) {
			ret = -EIO;
			break;
		}
		cond_resched();
		ret = hvx_vcpu_enter_guest(vcpu);
	}

	hvx_vcpu_account_exit_path(vcpu, rdtsc());
	fpu_swap_kvm_fpstate(&vcpu->fpu, false);
	hvx_vcpu_put(vcpu);
	WRITE_ONCE(vcpu->in_run, false);
	if (!ret)
		hvx_vcpu_note_shutdown(vcpu);
	return ret < 0 ? ret : 0;
}

static long hvx_vcpu_ioctl_locked(struct hvx_vcpu *vcpu, unsigned int cmd,
				  unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	struct hvx_sregs sregs;
	struct hvx_regs regs;
	long ret;

	switch (cmd) {
	case HVX_RUN:
		if (arg)
			return -EINVAL;
		return hvx_vcpu_run(vcpu);
	case HVX_GET_REGS:
		hvx_vcpu_load(vcpu);
		ret = hvx_vcpu_get_regs(vcpu, &regs);
		hvx_vcpu_put(vcpu);
		if (!ret && copy_to_user(uarg, &regs, sizeof(regs)))
			ret = -EFAULT;
		return ret;
	case HVX_SET_REGS:
		if (copy_from_user(&regs, uarg, sizeof(regs)))
			return -EFAULT;
		hvx_vcpu_load(vcpu);
		ret = hvx_vcpu_set_regs(vcpu, &regs);
		hvx_vcpu_put(vcpu);
		return ret;
	case HVX_GET_SREGS:
		hvx_vcpu_load(vcpu);
		ret = hvx_vcpu_get_sregs(vcpu, &sregs);
		hvx_vcpu_put(vcpu);
		if (!ret && copy_to_user(uarg, &sregs, sizeof(sregs)))
			ret = -EFAULT;
		return ret;
	case HVX_SET_SREGS:
		if (copy_from_user(&sregs, uarg, sizeof(sregs)))
			return -EFAULT;
		hvx_vcpu_load(vcpu);
		ret = hvx_vcpu_set_sregs(vcpu, &sregs);
		hvx_vcpu_put(vcpu);
		return ret;
	case HVX_SET_CPUID:
		return hvx_cpuid_set(vcpu, uarg);
	default:
		return -ENOTTY;
	}
}

static long hvx_vcpu_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct hvx_vcpu *vcpu = file->private_data;
	long ret;

	if (vcpu->vm->mem.mm != current->mm)
		return -EIO;

	/* Counters are read without the mutex, so a running vCPU can be watched. */
	if (cmd == HVX_GET_STATS) {
		struct hvx_vcpu_stats stats = {
			.first_entry_tsc = READ_ONCE(vcpu->first_entry_tsc),
		};
		unsigned int i;

		BUILD_BUG_ON(ARRAY_SIZE(stats.exits) != ARRAY_SIZE(vcpu->exit_counts));
		for (i = 0; i < ARRAY_SIZE(stats.exits); i++)
			stats.exits[i] = READ_ONCE(vcpu->exit_counts[i]);
		return copy_to_user((void __user *)arg, &stats, sizeof(stats)) ? -EFAULT : 0;
	}

	if (mutex_lock_killable(&vcpu->mutex))
		return -EINTR;
	ret = hvx_vcpu_ioctl_locked(vcpu, cmd, arg);
	mutex_unlock(&vcpu->mutex);
	return ret;
}

static vm_fault_t hvx_vcpu_fault(struct vm_fault *vmf)
{
	struct hvx_vcpu *vcpu = vmf->vma->vm_file->private_data;

	if (vmf->pgoff != 0)
		return VM_FAULT_SIGBUS;
	vmf->page = virt_to_page(vcpu->run);
	get_page(vmf->page);
	return 0;
}

static const struct vm_operations_struct hvx_vcpu_vm_ops = {
	.fault = hvx_vcpu_fault,
};

static int hvx_vcpu_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (vma->vm_pgoff != 0 || vma_pages(vma) > 1)
		return -EINVAL;
	/*
	 * One page, for good: without VM_DONTEXPAND a later mmap() right
	 * after it merges into this VMA without ->mmap() ever seeing its
	 * offset, and its pages then fault with SIGBUS (found by the fuzzer).
	 */
	vma->vm_flags |= VM_DONTEXPAND;
	vma->vm_ops = &hvx_vcpu_vm_ops;
	return 0;
}

static void hvx_vcpu_destroy(struct hvx_vcpu *vcpu)
{
	hvx_vcpu_clear(vcpu);
	/* After the VMCLEAR: no CPU holds the VMCS naming its virtual-APIC page. */
	hvx_lapic_destroy(&vcpu->lapic);
	fpu_free_guest_fpstate(&vcpu->fpu);
	ida_free(&hvx_vpid_ida, vcpu->vpid);
	free_page((unsigned long)vcpu->vmcs);
	free_page((unsigned long)vcpu->run);
	kfree(vcpu->cpuid);
	kfree(vcpu);
}

static int hvx_vcpu_release(struct inode *inode, struct file *file)
{
	struct hvx_vcpu *vcpu = file->private_data;
	struct hvx_vm *vm = vcpu->vm;

	mutex_lock(&vm->lock);
	hvx_ioapic_detach_vcpu(vm, vcpu->id);
	mutex_unlock(&vm->lock);
	hvx_vcpu_destroy(vcpu);
	hvx_vm_put(vm);
	return 0;
}

static const struct file_operations hvx_vcpu_fops = {
	.owner		= THIS_MODULE,
	.release	= hvx_vcpu_release,
	.unlocked_ioctl	= hvx_vcpu_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.mmap		= hvx_vcpu_mmap,
	.llseek		= noop_llseek,
};

int hvx_vcpu_create(struct hvx_vm *vm, unsigned long id)
{
	struct hvx_vcpu *vcpu;
	int err, fd;

	if (id >= HVX_MAX_VCPUS)
		return -EINVAL;

	vcpu = kzalloc(sizeof(*vcpu), GFP_KERNEL_ACCOUNT);
	if (!vcpu)
		return -ENOMEM;
	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->cpu = -1;
	mutex_init(&vcpu->mutex);
	INIT_LIST_HEAD(&vcpu->loaded_link);
	preempt_notifier_init(&vcpu->pn, &hvx_preempt_ops);
	init_waitqueue_head(&vcpu->wq);
	err = hvx_lapic_init(&vcpu->lapic, vcpu, vm->apicv);
	if (err)
		goto err_free;

	err = -ENOMEM;
	vcpu->run = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!vcpu->run)
		goto err_lapic;
	vcpu->vmcs = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!vcpu->vmcs)
		goto err_run;
	*(u32 *)vcpu->vmcs = hvx_caps.revision_id;

	/* VPID 0 belongs to the host. */
	err = ida_alloc_range(&hvx_vpid_ida, 1, 0xffff, GFP_KERNEL);
	if (err < 0)
		goto err_vmcs;
	vcpu->vpid = err;

	if (!fpu_alloc_guest_fpstate(&vcpu->fpu)) {
		err = -ENOMEM;
		goto err_vpid;
	}

	hvx_vcpu_load(vcpu);
	err = hvx_vmcs_setup(vcpu);
	hvx_vcpu_put(vcpu);
	if (err)
		goto err_fpu;
	/* A new VPID may carry translations of an old vCPU that had it. */
	if (hvx_caps.ept_vpid_cap & (VMX_VPID_EXTENT_SINGLE_CONTEXT_BIT << 32))
		hvx_invvpid(VMX_VPID_EXTENT_SINGLE_CONTEXT, vcpu->vpid);
	else
		hvx_invvpid(VMX_VPID_EXTENT_ALL_CONTEXT, 0);

	mutex_lock(&vm->lock);
	if (vm->vcpus[id]) {
		err = -EEXIST;
		goto err_unlock;
	}
	kref_get(&vm->ref);
	fd = anon_inode_getfd("hvx-vcpu", &hvx_vcpu_fops, vcpu, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		err = fd;
		hvx_vm_put(vm);	/* never the last: the VM fd holds one */
		goto err_unlock;
	}
	/* Published whole: the I/O APIC may deliver to it from now on. */
	smp_store_release(&vm->vcpus[id], vcpu);
	mutex_unlock(&vm->lock);
	return fd;

err_unlock:
	mutex_unlock(&vm->lock);
	hvx_vcpu_clear(vcpu);
err_fpu:
	fpu_free_guest_fpstate(&vcpu->fpu);
err_vpid:
	ida_free(&hvx_vpid_ida, vcpu->vpid);
err_vmcs:
	free_page((unsigned long)vcpu->vmcs);
err_run:
	free_page((unsigned long)vcpu->run);
err_lapic:
	hvx_lapic_destroy(&vcpu->lapic);
err_free:
	kfree(vcpu);
	return err;
}
