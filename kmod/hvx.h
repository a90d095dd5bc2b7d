/* SPDX-License-Identifier: GPL-2.0 */
/* Internal types of hvx.ko: VMs, vCPUs and the VMX capabilities. */
#ifndef HVX_HVX_H
#define HVX_HVX_H

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/preempt.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/wait.h>
#include <asm/fpu/api.h>

#include "ioapic.h"
#include "lapic.h"
#include "mem.h"
#include "uapi/hvx.h"
#include "uapi/hvx_genl.h"
#include "vmbus/vmbus.h"

/*
 * Where the data of an I/O exit sits in the run page.  hvx reads it back
 * from here, never from run->io.data_offset, which userspace can change.
 */
#define HVX_IO_DATA_OFFSET	1024

#define HVX_NR_EXIT_REASONS	HVX_NR_VMX_EXIT_REASONS

/* APIC virtualization: the guest's APIC accesses, EOIs and interrupts without exits. */
#define HVX_APICV_CTLS2	(SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES | \
			 SECONDARY_EXEC_APIC_REGISTER_VIRT | \
			 SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY)

/* What the capability MSRs allow, settled once at module load. */
struct hvx_vmx_caps {
	u32 revision_id;
	u32 vmcs_size;
	u32 pin_ctls, proc_ctls, proc_ctls2, exit_ctls, entry_ctls;
	u64 cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	u64 ept_vpid_cap;
	bool ept_ad;
	bool apicv;		/* TPR shadow and HVX_APICV_CTLS2 */
	u32 preemption_timer;	/* guest time slice, 0 if unsupported */
};

extern struct hvx_vmx_caps hvx_caps;

struct hvx_vm {
	struct kref ref;
	struct hvx_mem mem;
	struct mutex lock;		/* vCPUs come and go; genl.c reads them */
	/* Set under @lock, cleared under ioapic.lock as well (deliveries). */
	struct hvx_vcpu *vcpus[HVX_MAX_VCPUS];
	struct hvx_ioapic ioapic;
	struct hvx_vmbus vmbus;
	bool apicv;			/* its vCPUs' APICs are virtualized */

	/* For the generic netlink family (genl.c, vm_table.c). */
	u32 id;
	struct pid *owner_pid;		/* the creator's thread group */
	kuid_t owner_uid;		/* who may read the counters */
	char name[HVX_NAME_MAX];	/* "" until named; set once, under hvx_vms_lock */
};

/* A 48-bit canonical linear address, what VM entry and WRMSR demand. */
static inline bool hvx_is_canonical(u64 addr)
{
	return (u64)(((s64)addr << 16) >> 16) == addr;
}

/* Guest GPRs in ModRM order; RSP lives in the VMCS (slot 4 unused). */
enum {
	HVX_RAX, HVX_RCX, HVX_RDX, HVX_RBX, HVX_RSP, HVX_RBP, HVX_RSI, HVX_RDI,
	HVX_R8, HVX_R9, HVX_R10, HVX_R11, HVX_R12, HVX_R13, HVX_R14, HVX_R15,
	HVX_NR_GPRS
};

/* An exit that userspace must complete before the guest runs again. */
enum hvx_pending {
	HVX_PENDING_NONE,
	HVX_PENDING_IO_IN,	/* load run data into RAX, skip the insn */
	HVX_PENDING_MMIO_READ,	/* load run->mmio.data into a register */
	HVX_PENDING_MMIO_WRITE,	/* skip the insn */
};

struct hvx_vcpu {
	struct hvx_vm *vm;
	/*
	 * One vCPU ioctl at a time: the run loop, the register ioctls and
	 * SET_CPUID all use the VMCS, the preempt notifier and the CPUID
	 * table, none of which may be shared between two threads.
	 */
	struct mutex mutex;
	struct hvx_run *run;
	void *vmcs;
	int cpu;			/* where the VMCS is active, -1 none */
	bool launched;
	struct list_head loaded_link;	/* on the per-CPU list of active VMCSs */
	struct preempt_notifier pn;
	u16 vpid;
	u32 id;

	unsigned long gprs[HVX_NR_GPRS];
	unsigned long cr2;
	unsigned long host_rsp;		/* last HOST_RSP written, for the asm */

	/* The guest's view where hvx owns the real register. */
	u64 cr0_shadow, cr4_shadow;
	u64 efer;
	u64 apic_base;
	u64 kernel_gs_base, star, lstar, cstar, sfmask;
	/*
	 * KERNEL_GS_BASE and the SYSCALL MSRs hold the guest's values from
	 * the first entry until the thread leaves the CPU or returns to
	 * userspace: only the host's user mode needs them, so a switch per
	 * entry would be wasted.  While they are loaded, the hardware's
	 * KERNEL_GS_BASE is the guest's (SWAPGS changes it), not the copy.
	 */
	bool guest_msrs_loaded;
	/*
	 * A VM exit leaves the GDT limit at 0xffff and the TSS limit at
	 * 0x67; they must be right again before another task runs here.
	 */
	bool host_tables_stale;
	u64 host_debugctl;		/* VM exit clears DEBUGCTL */
	bool l1d_flush_needed;		/* host work since the last entry (spec.c) */
	u64 host_kernel_gs_base, host_star, host_lstar, host_cstar, host_sfmask;
	unsigned long dr[4], dr6;

	struct fpu_guest fpu;

	struct hvx_lapic lapic;
	wait_queue_head_t wq;		/* HLT sleeps here until an interrupt */
	bool in_guest;			/* between the entry checks and the exit */
	u32 proc_ctls;			/* CPU_BASED_VM_EXEC_CONTROL as written */
	u64 eoi_exit_bitmap[4];		/* EOI_EXIT_BITMAP0-3 as written */

	u32 exit_reason;
	u32 exit_intr_info;		/* of an exception or NMI exit, else 0 */
	u64 exit_qualification;
	u32 shutdown_reason;		/* HVX_EXIT_SHUTDOWN/FAIL_ENTRY of this run, else 0 */

	enum hvx_pending pending;
	u8 pending_reg, pending_len;
	u8 pending_mmio[32];		/* struct hvx_mmio_insn for a read */

	struct hvx_cpuid_entry *cpuid;
	u32 cpuid_nent;

	/* Counters, read without locks by genl.c. */
	u64 exit_counts[HVX_NR_EXIT_REASONS];
	u64 first_entry_tsc;
	u64 guest_tsc;			/* TSC ticks in VMX non-root operation */
	u64 exit_path_tsc;		/* exit to next entry or to userspace, HLT excluded */
	u64 halted_tsc;			/* asleep in HLT */
	u64 last_exit_tsc;		/* in the exit path since, 0 if not */
	u64 halted_at_exit;		/* halted_tsc then */
	u64 irqs_injected;
	bool in_run;			/* inside HVX_RUN */
	bool shut_down;			/* a shutdown or failed entry ended it */
};

/* vm_table.c */
extern struct mutex hvx_vms_lock;
int hvx_vm_table_add(struct hvx_vm *vm);
void hvx_vm_table_remove(struct hvx_vm *vm);
struct hvx_vm *hvx_vm_table_find(u32 id);
struct hvx_vm *hvx_vm_table_find_name(const char *name);
struct hvx_vm *hvx_vm_table_next(unsigned long *id);
int hvx_vm_set_name(struct hvx_vm *vm, const struct hvx_vm_name *req);

/* genl.c */
struct hvx_genl_event_info {
	int vcpu;			/* -1: none */
	u32 exit_reason;		/* enum hvx_exit_reason, with @vcpu */
	u32 child_id;			/* a channel, 0: none */
};
int hvx_genl_init(void);
void hvx_genl_exit(void);
void hvx_genl_notify(struct hvx_vm *vm, enum hvx_event event,
		     const struct hvx_genl_event_info *info);

/* vmx.c */
extern bool hvx_rebooting;
int hvx_vmx_setup(void);
bool hvx_vmx_apicv(void);
int hvx_vmx_init(void);
void hvx_vmx_exit(void);
int hvx_vmx_get(void);
void hvx_vmx_put(void);
void hvx_vmx_track_loaded(struct hvx_vcpu *vcpu, int cpu);

/* spec.c */
int hvx_spec_init(void);
const char *hvx_spec_l1d_policy_name(void);
void hvx_spec_exit(void);
void hvx_spec_before_entry(struct hvx_vcpu *vcpu);
void hvx_spec_after_exit(void);
void hvx_spec_vmcs_switch(void);
void hvx_spec_ctrl_restore_host(void);	/* from vmenter.S */
/* Exit handling that touched host memory: flush the L1D before the next entry. */
static inline void hvx_spec_note_host_work(struct hvx_vcpu *vcpu)
{
	vcpu->l1d_flush_needed = true;
}

/* vmcs.c */
int hvx_vmcs_setup(struct hvx_vcpu *vcpu);
void hvx_vmcs_set_host_cpu_state(int cpu);
void hvx_vmcs_set_guest_reset_state(struct hvx_vcpu *vcpu);
int hvx_msr_bitmap_init(void);
void hvx_msr_bitmap_free(void);

/* vm.c */
int hvx_vm_create(unsigned long flags);
void hvx_vm_put(struct hvx_vm *vm);

/* vcpu.c */
int hvx_vcpu_create(struct hvx_vm *vm, unsigned long id);
void hvx_vcpu_load(struct hvx_vcpu *vcpu);
void hvx_vcpu_put(struct hvx_vcpu *vcpu);
void hvx_vcpu_clear_on_cpu(struct hvx_vcpu *vcpu);
int hvx_vcpu_run(struct hvx_vcpu *vcpu);
void hvx_vcpu_skip_insn(struct hvx_vcpu *vcpu);
void hvx_vcpu_skip_bytes(struct hvx_vcpu *vcpu, unsigned int len);
void hvx_vcpu_inject_gp(struct hvx_vcpu *vcpu);
void hvx_vcpu_inject_ud(struct hvx_vcpu *vcpu);
void hvx_vcpu_inject_ac(struct hvx_vcpu *vcpu);
unsigned long hvx_vcpu_get_gpr(struct hvx_vcpu *vcpu, unsigned int reg);
void hvx_vcpu_set_gpr(struct hvx_vcpu *vcpu, unsigned int reg, unsigned long val);
void hvx_vcpu_write_lazy_msr(struct hvx_vcpu *vcpu, u32 msr, u64 val);
u64 hvx_vcpu_read_kernel_gs_base(struct hvx_vcpu *vcpu);

/* irq.c */
void hvx_vcpu_kick(struct hvx_vcpu *vcpu);
void hvx_irq_reinject(struct hvx_vcpu *vcpu);
bool hvx_exception_has_error_code(struct hvx_vcpu *vcpu, u8 vector);
void hvx_irq_fit_error_code(struct hvx_vcpu *vcpu);
void hvx_irq_prepare_entry(struct hvx_vcpu *vcpu);
int hvx_exit_hlt(struct hvx_vcpu *vcpu);
int hvx_exit_interrupt_window(struct hvx_vcpu *vcpu);

/* vcpu_state.c */
int hvx_vcpu_get_regs(struct hvx_vcpu *vcpu, struct hvx_regs *regs);
int hvx_vcpu_set_regs(struct hvx_vcpu *vcpu, const struct hvx_regs *regs);
int hvx_vcpu_get_sregs(struct hvx_vcpu *vcpu, struct hvx_sregs *sregs);
int hvx_vcpu_set_sregs(struct hvx_vcpu *vcpu, const struct hvx_sregs *sregs);
void hvx_vcpu_update_efer(struct hvx_vcpu *vcpu);
int hvx_vcpu_set_cr0(struct hvx_vcpu *vcpu, u64 cr0);
int hvx_vcpu_set_cr4(struct hvx_vcpu *vcpu, u64 cr4);

/* cpuid.c */
int hvx_cpuid_set(struct hvx_vcpu *vcpu, struct hvx_cpuid __user *arg);
void hvx_cpuid_lookup(struct hvx_vcpu *vcpu, u32 function, u32 index, u32 out[4]);

/* exit.c: 1 resume the guest, 0 return to userspace (run filled), <0 error */
int hvx_handle_exit(struct hvx_vcpu *vcpu);
void hvx_handle_exit_irqoff(struct hvx_vcpu *vcpu);
int hvx_exit_to_user(struct hvx_vcpu *vcpu, u32 reason, u32 suberror, u64 gpa);
int hvx_complete_pending(struct hvx_vcpu *vcpu);

/* exit_io.c, exit_ept.c, exit_apic.c, exit_msr.c, exit_cr.c */
int hvx_exit_io(struct hvx_vcpu *vcpu);
int hvx_exit_ept_violation(struct hvx_vcpu *vcpu);
int hvx_emulate_mmio(struct hvx_vcpu *vcpu, u64 gpa);
int hvx_exit_apic_access(struct hvx_vcpu *vcpu);
int hvx_exit_apic_write(struct hvx_vcpu *vcpu);
int hvx_exit_eoi_induced(struct hvx_vcpu *vcpu);
struct hvx_mmio_insn;
void hvx_mmio_finish_load(struct hvx_vcpu *vcpu, const struct hvx_mmio_insn *insn, u64 data);
int hvx_exit_rdmsr(struct hvx_vcpu *vcpu);
int hvx_exit_wrmsr(struct hvx_vcpu *vcpu);
int hvx_exit_cr(struct hvx_vcpu *vcpu);
int hvx_exit_dr(struct hvx_vcpu *vcpu);
int hvx_exit_vmcall(struct hvx_vcpu *vcpu);

/* vmenter.S: 0 after a VM exit, 1 when VMLAUNCH/VMRESUME failed */
int hvx_vmx_enter(unsigned long *gprs, bool launched);
/* Calls the host's NMI entry point with an interrupt frame. */
void hvx_do_nmi_irqoff(unsigned long entry);
/* Where VM exits land (HOST_RIP). */
extern const char hvx_vmx_exit_point[];

#endif /* HVX_HVX_H */
