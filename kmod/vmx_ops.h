/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VMX instructions.  A failed VMREAD/VMWRITE is never silent: it logs the
 * field and the VM-instruction error.  Field widths are checked at compile
 * time from the encoding (bits 14:13 width, bit 0 high half), as KVM does.
 */
#ifndef HVX_VMX_OPS_H
#define HVX_VMX_OPS_H

#include <linux/bug.h>
#include <linux/types.h>
#include <asm/asm.h>
#include <asm/vmx.h>

void hvx_vmx_insn_failed(const char *insn, unsigned long field, u64 value);
/*
 * A VMX instruction that faulted (#UD: the CPU left VMX operation).  Only
 * the reboot notifier does that under running vCPUs; as KVM's
 * kvm_spurious_fault(), anything else is a bug worth a warning.
 */
void hvx_vmx_insn_fault(const char *insn);

#define HVX_FIELD_WIDTH(f)	(((f) >> 13) & 3)
#define HVX_WIDTH_16		0
#define HVX_WIDTH_64		1
#define HVX_WIDTH_32		2
#define HVX_WIDTH_NATURAL	3

#define hvx_check_field(f, width)					\
	BUILD_BUG_ON_MSG(__builtin_constant_p(f) &&			\
			 (HVX_FIELD_WIDTH(f) != (width) || ((f) & 1)),	\
			 "VMCS field of the wrong width")

static __always_inline unsigned long __hvx_vmread(unsigned long field)
{
	unsigned long value;

	asm goto("1: vmread %[field], %[value]\n\t"
		 "jbe %l[failed]\n\t"
		 _ASM_EXTABLE(1b, (%l[fault]))
		 : [value] "=rm" (value)
		 : [field] "r" (field)
		 : "cc"
		 : failed, fault);
	return value;
failed:
	hvx_vmx_insn_failed("vmread", field, 0);
	return 0;
fault:
	hvx_vmx_insn_fault("vmread");
	return 0;
}

static __always_inline void __hvx_vmwrite(unsigned long field, unsigned long value)
{
	asm goto("1: vmwrite %[value], %[field]\n\t"
		 "jbe %l[failed]\n\t"
		 _ASM_EXTABLE(1b, (%l[fault]))
		 :
		 : [field] "r" (field), [value] "rm" (value)
		 : "cc"
		 : failed, fault);
	return;
failed:
	hvx_vmx_insn_failed("vmwrite", field, value);
	return;
fault:
	hvx_vmx_insn_fault("vmwrite");
}

#define vmcs_read16(f)	({ hvx_check_field(f, HVX_WIDTH_16); (u16)__hvx_vmread(f); })
#define vmcs_read32(f)	({ hvx_check_field(f, HVX_WIDTH_32); (u32)__hvx_vmread(f); })
#define vmcs_read64(f)	({ hvx_check_field(f, HVX_WIDTH_64); (u64)__hvx_vmread(f); })
#define vmcs_readl(f)	({ hvx_check_field(f, HVX_WIDTH_NATURAL); __hvx_vmread(f); })

#define vmcs_write16(f, v) \
	do { hvx_check_field(f, HVX_WIDTH_16); __hvx_vmwrite(f, (u16)(v)); } while (0)
#define vmcs_write32(f, v) \
	do { hvx_check_field(f, HVX_WIDTH_32); __hvx_vmwrite(f, (u32)(v)); } while (0)
#define vmcs_write64(f, v) \
	do { hvx_check_field(f, HVX_WIDTH_64); __hvx_vmwrite(f, (u64)(v)); } while (0)
#define vmcs_writel(f, v) \
	do { hvx_check_field(f, HVX_WIDTH_NATURAL); __hvx_vmwrite(f, (unsigned long)(v)); } while (0)

/* VMX instructions that take a memory operand; return 0 or -EIO. */
static inline int hvx_vmxon(u64 phys)
{
	asm goto("vmxon %[phys]\n\t"
		 "jbe %l[failed]"
		 : : [phys] "m" (phys) : "cc", "memory" : failed);
	return 0;
failed:
	return -EIO;
}

static inline void hvx_vmxoff(void)
{
	asm volatile("vmxoff" : : : "cc", "memory");
}

static inline int hvx_vmclear(u64 phys)
{
	asm goto("1: vmclear %[phys]\n\t"
		 "jbe %l[failed]\n\t"
		 _ASM_EXTABLE(1b, (%l[fault]))
		 : : [phys] "m" (phys) : "cc", "memory" : failed, fault);
	return 0;
failed:
	hvx_vmx_insn_failed("vmclear", 0, phys);
	return -EIO;
fault:
	hvx_vmx_insn_fault("vmclear");
	return -EIO;
}

static inline int hvx_vmptrld(u64 phys)
{
	asm goto("1: vmptrld %[phys]\n\t"
		 "jbe %l[failed]\n\t"
		 _ASM_EXTABLE(1b, (%l[fault]))
		 : : [phys] "m" (phys) : "cc", "memory" : failed, fault);
	return 0;
failed:
	hvx_vmx_insn_failed("vmptrld", 0, phys);
	return -EIO;
fault:
	hvx_vmx_insn_fault("vmptrld");
	return -EIO;
}

static inline void hvx_invept(unsigned long type, u64 eptp)
{
	struct { u64 eptp, reserved; } desc = { eptp, 0 };

	asm goto("1: invept %[desc], %[type]\n\t"
		 "jbe %l[failed]\n\t"
		 _ASM_EXTABLE(1b, (%l[fault]))
		 : : [desc] "m" (desc), [type] "r" (type) : "cc", "memory" : failed, fault);
	return;
failed:
	hvx_vmx_insn_failed("invept", type, eptp);
	return;
fault:
	hvx_vmx_insn_fault("invept");
}

static inline void hvx_invvpid(unsigned long type, u16 vpid)
{
	struct { u64 vpid, gva; } desc = { vpid, 0 };

	asm goto("1: invvpid %[desc], %[type]\n\t"
		 "jbe %l[failed]\n\t"
		 _ASM_EXTABLE(1b, (%l[fault]))
		 : : [desc] "m" (desc), [type] "r" (type) : "cc", "memory" : failed, fault);
	return;
failed:
	hvx_vmx_insn_failed("invvpid", type, vpid);
	return;
fault:
	hvx_vmx_insn_fault("invvpid");
}

#endif /* HVX_VMX_OPS_H */
