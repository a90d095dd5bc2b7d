/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Entry into the guest and the way back.  The guest's general purpose
 * registers live in an array in ModRM order (RAX, RCX, RDX, RBX, -, RBP,
 * RSI, RDI, R8..R15); RSP and RIP are in the VMCS.
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/nospec-branch.h>
#include <asm/segment.h>
#include <asm/unwind_hints.h>

#define HOST_RSP_FIELD	0x6c14

#define G_RAX	0*8
#define G_RCX	1*8
#define G_RDX	2*8
#define G_RBX	3*8
#define G_RBP	5*8
#define G_RSI	6*8
#define G_RDI	7*8
#define G_R8	8*8
#define G_R9	9*8
#define G_R10	10*8
#define G_R11	11*8
#define G_R12	12*8
#define G_R13	13*8
#define G_R14	14*8
#define G_R15	15*8

	.text
/*
 * int hvx_vmx_enter(unsigned long *gprs, bool launched)
 * Returns 0 after a VM exit, 1 when VMLAUNCH/VMRESUME itself failed.
 * Called with interrupts disabled and the vCPU's VMCS current.
 */
SYM_FUNC_START(hvx_vmx_enter)
	push %rbp
	mov  %rsp, %rbp
	push %r15
	push %r14
	push %r13
	push %r12
	push %rbx
	/* The exit path finds the register array at the top of the stack. */
	push %rdi

	mov  $HOST_RSP_FIELD, %rax
	vmwrite %rsp, %rax
	jbe  .Lfail_early

	/*
	 * CF says VMRESUME; it survives the loads below (MOV keeps flags)
	 * and VERW, which changes only ZF.
	 */
	bt   $0, %esi

	mov  G_RAX(%rdi), %rax
	mov  G_RCX(%rdi), %rcx
	mov  G_RDX(%rdi), %rdx
	mov  G_RBX(%rdi), %rbx
	mov  G_RBP(%rdi), %rbp
	mov  G_RSI(%rdi), %rsi
	mov  G_R8(%rdi),  %r8
	mov  G_R9(%rdi),  %r9
	mov  G_R10(%rdi), %r10
	mov  G_R11(%rdi), %r11
	mov  G_R12(%rdi), %r12
	mov  G_R13(%rdi), %r13
	mov  G_R14(%rdi), %r14
	mov  G_R15(%rdi), %r15
	mov  G_RDI(%rdi), %rdi

	/* MDS, TAA, RFDS: no host data in the CPU's buffers for the guest. */
	VM_CLEAR_CPU_BUFFERS

	jnc  .Llaunch
	/*
	 * A successful VMLAUNCH/VMRESUME comes back at hvx_vmx_exit_point
	 * through HOST_RIP: tell objtool the stack state there is this one.
	 */
	UNWIND_HINT_SAVE
.Lresume:
	vmresume
	jmp  .Lfail
.Llaunch:
	vmlaunch
	jmp  .Lfail
	/* After the reboot notifier's VMXOFF they fault: a failed entry. */
	_ASM_EXTABLE(.Lresume, .Lfail)
	_ASM_EXTABLE(.Llaunch, .Lfail)

SYM_INNER_LABEL(hvx_vmx_exit_point, SYM_L_GLOBAL)
	UNWIND_HINT_RESTORE
	ENDBR
	/* RSP is what we wrote to HOST_RSP: the array pointer is on top. */
	push %rdi
	mov  8(%rsp), %rdi
	mov  %rax, G_RAX(%rdi)
	mov  %rcx, G_RCX(%rdi)
	mov  %rdx, G_RDX(%rdi)
	mov  %rbx, G_RBX(%rdi)
	mov  %rbp, G_RBP(%rdi)
	mov  %rsi, G_RSI(%rdi)
	mov  %r8,  G_R8(%rdi)
	mov  %r9,  G_R9(%rdi)
	mov  %r10, G_R10(%rdi)
	mov  %r11, G_R11(%rdi)
	mov  %r12, G_R12(%rdi)
	mov  %r13, G_R13(%rdi)
	mov  %r14, G_R14(%rdi)
	mov  %r15, G_R15(%rdi)
	pop  %rax
	mov  %rax, G_RDI(%rdi)

	/*
	 * Before the first RET: the return stack holds the guest's
	 * predictions, and SPEC_CTRL the guest's value.
	 */
	FILL_RETURN_BUFFER %rcx, RSB_CLEAR_LOOPS, X86_FEATURE_RSB_VMEXIT, \
			   X86_FEATURE_RSB_VMEXIT_LITE
	call hvx_spec_ctrl_restore_host
	CLEAR_BRANCH_HISTORY_VMEXIT
	xor  %eax, %eax

.Lout:
	/* Leave no guest values in registers for speculation to play with. */
	xor  %ecx, %ecx
	xor  %edx, %edx
	xor  %esi, %esi
	xor  %edi, %edi
	xor  %r8d, %r8d
	xor  %r9d, %r9d
	xor  %r10d, %r10d
	xor  %r11d, %r11d
	add  $8, %rsp
	pop  %rbx
	pop  %r12
	pop  %r13
	pop  %r14
	pop  %r15
	pop  %rbp
	RET

.Lfail:
.Lfail_early:
	mov  $1, %eax
	jmp  .Lout
SYM_FUNC_END(hvx_vmx_enter)

/*
 * void hvx_do_nmi_irqoff(unsigned long entry)
 * Calls the host's NMI entry @entry (asm_exc_nmi_noist) on this stack with
 * the interrupt frame the CPU would have pushed, as KVM does: an NMI that
 * made the guest exit is consumed by the exit and must reach the host's
 * handler now, with interrupts still off.
 */
SYM_FUNC_START(hvx_do_nmi_irqoff)
	push %rbp
	mov  %rsp, %rbp
	/* The CPU aligns RSP to 16 bytes before it pushes the frame. */
	and  $-16, %rsp
	push $__KERNEL_DS
	push %rbp
	pushf
	push $__KERNEL_CS
	CALL_NOSPEC rdi
	/* IRET restored RSP already; objtool follows RBP. */
	mov  %rbp, %rsp
	pop  %rbp
	RET
SYM_FUNC_END(hvx_do_nmi_irqoff)
