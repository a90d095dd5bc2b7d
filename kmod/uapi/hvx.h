/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * hvx ioctl ABI: the one definition shared by hvx.ko, the hvx tool and the
 * selftests.  It compiles on its own in the kernel and in plain userspace.
 *
 * The object model follows KVM's because tools and users know it:
 *
 *   open("/dev/hvx")  --HVX_CREATE_VM-->    VM fd (anon inode)
 *   VM fd             --HVX_CREATE_VCPU-->  vCPU fd (anon inode)
 *   vCPU fd           --mmap(0, HVX_GET_VCPU_MMAP_SIZE)--> struct hvx_run
 *   vCPU fd           --HVX_RUN-->          returns when run->exit_reason
 *                                           needs userspace
 *
 * Rules that hold for every structure here:
 *  - explicit padding, no implicit holes, same layout on every compiler;
 *  - fields named reserved or padding must be zero on input (EINVAL if not)
 *    and are zeroed on output, so they can gain a meaning later;
 *  - flag words come with a mask of the bits this version knows; unknown
 *    bits are rejected with EINVAL;
 *  - an unknown ioctl number returns ENOTTY.
 */
#ifndef _UAPI_HVX_H
#define _UAPI_HVX_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define HVX_API_VERSION		1

/* Not used by other in-tree drivers with the sequence numbers below. */
#define HVXIO			0xB9

/* Limits that ioctls enforce; larger requests fail with EINVAL or E2BIG. */
#define HVX_MAX_MEM_SLOTS	32
#define HVX_MAX_VCPUS		1
#define HVX_MAX_CPUID_ENTRIES	256

/* ---------------------------------------------------------------------- */
/* /dev/hvx ioctls                                                        */
/* ---------------------------------------------------------------------- */

/* Returns HVX_API_VERSION. The argument must be 0. */
#define HVX_GET_API_VERSION	_IO(HVXIO, 0x00)
/* Returns a new VM fd. The argument holds creation flags; none defined: 0. */
#define HVX_CREATE_VM		_IO(HVXIO, 0x01)
/* Returns the size to mmap() on a vCPU fd for struct hvx_run. */
#define HVX_GET_VCPU_MMAP_SIZE	_IO(HVXIO, 0x02)
/*
 * Returns the frequency of the guest's TSC in kHz.  The guest reads the
 * host's TSC unscaled, so this is the host's; a VMM puts it in CPUID leaf
 * 0x15 so that Linux needs no PIT calibration.
 */
#define HVX_GET_TSC_KHZ		_IO(HVXIO, 0x03)

/* ---------------------------------------------------------------------- */
/* VM fd ioctls                                                           */
/* ---------------------------------------------------------------------- */

/* Guest may read, write and execute the slot unless flags say otherwise. */
#define HVX_MEM_READONLY	(1U << 0)
#define HVX_MEM_FLAGS_MASK	HVX_MEM_READONLY

/**
 * struct hvx_user_memory_region - back guest physical memory with VMM memory
 * @slot: index in [0, HVX_MAX_MEM_SLOTS)
 * @flags: HVX_MEM_* bits; a guest write to a HVX_MEM_READONLY slot exits to
 *	userspace as HVX_EXIT_MMIO with is_write set
 * @guest_phys_addr: first guest physical address, page aligned
 * @memory_size: length in bytes, page aligned; 0 deletes the slot
 * @userspace_addr: page-aligned address of anonymous memory in the calling
 *	process (the VMM); it must stay mapped while the slot exists
 *
 * Slots may not overlap in guest physical address space.  Replacing a slot
 * requires deleting it first.  Errors: EINVAL for misalignment, overlap,
 * unknown flags, a slot index out of range or a range that wraps; EEXIST
 * when the slot is in use; EFAULT for an unreadable argument.
 */
struct hvx_user_memory_region {
	__u32 slot;
	__u32 flags;
	__u64 guest_phys_addr;
	__u64 memory_size;
	__u64 userspace_addr;
};

#define HVX_SET_USER_MEMORY_REGION \
	_IOW(HVXIO, 0x10, struct hvx_user_memory_region)
/* Returns a new vCPU fd. The argument is the vCPU id, < HVX_MAX_VCPUS. */
#define HVX_CREATE_VCPU		_IO(HVXIO, 0x11)

/*
 * The interrupt controllers every VM has, in the kernel because the guest
 * touches them on hot paths: a local APIC per vCPU (xAPIC, MMIO at its
 * architectural address; APIC id = vCPU id) and one I/O APIC.  A VMM
 * describes them to the guest (MP table) with these values.
 */
#define HVX_LAPIC_GPA		0xfee00000ULL
#define HVX_IOAPIC_GPA		0xfec00000ULL
#define HVX_IOAPIC_ID		1
#define HVX_IOAPIC_VERSION	0x11
#define HVX_IOAPIC_PINS		24
/*
 * The local APIC timer counts at this rate before its divider, the
 * "crystal" a VMM reports in CPUID leaf 0x15 ECX.
 */
#define HVX_APIC_BUS_HZ		1000000

/**
 * struct hvx_irq_level - drive an I/O APIC input
 * @irq: the pin (GSI), below HVX_IOAPIC_PINS
 * @level: 1 asserted, 0 deasserted.  An edge-triggered pin delivers on
 *	each 0->1 change; a level-triggered one while asserted and unmasked,
 *	once per EOI.
 *
 * Callable from any thread of the VMM, for example a console reader, while
 * a vCPU runs: the vCPU is kicked out of the guest or woken from HLT.
 * Errors: EINVAL for a pin out of range or a level other than 0 or 1.
 */
struct hvx_irq_level {
	__u32 irq;
	__u32 level;
};
#define HVX_IRQ_LINE		_IOW(HVXIO, 0x12, struct hvx_irq_level)

/**
 * struct hvx_create_channel - offer a channel of the channel bus to the guest
 * @class_id: the device class, which the guest binds a driver by (the bytes
 *	of a guid_t; uapi/hvx_vmbus.h lists hvx's classes)
 * @instance_id: which device of that class
 * @flags: none defined yet: 0
 * @reserved: zero
 *
 * Returns a channel fd, the backend's end of the channel.  The guest sees
 * the offer as soon as its bus driver is connected.  Closing the fd
 * rescinds the channel: the guest's device goes away.
 *
 * The fd gives the backend:
 *  - read(): one struct hvx_channel_event at a time, in order: CLOSE of a
 *    ring set it was told of, OPEN of the current one, SIGNAL with the
 *    number of guest signals since the last read.  Blocks unless O_NONBLOCK
 *    (then EAGAIN).  poll() reports EPOLLIN while an event waits.
 *  - mmap(): while open, the rings at offset 0, MAP_SHARED, exactly
 *    (out_pages + in_pages) pages: the guest-to-host ring (header page,
 *    data), then the host-to-guest ring.  A mapping outlives a close (the
 *    pages stay pinned until munmap()), but after CLOSE they are the
 *    guest's memory again: a backend stops writing to them.
 *  - HVX_CHANNEL_SIGNAL: signal the guest (an event bit plus the bus's
 *    interrupt, coalesced); ENOTCONN while closed.
 *
 * Errors: EINVAL for flags or reserved fields, EEXIST when a channel of
 * the same class and instance is offered, ENOSPC when the VM has
 * HVX_VMBUS_MAX_CHANNELS - 1 channels.
 */
struct hvx_create_channel {
	__u8 class_id[16];
	__u8 instance_id[16];
	__u32 flags;
	__u32 reserved;
};
#define HVX_CREATE_CHANNEL	_IOW(HVXIO, 0x13, struct hvx_create_channel)

#define HVX_MSI_ENABLED		(1U << 0)
#define HVX_MSI_FLAGS_MASK	HVX_MSI_ENABLED

/**
 * struct hvx_msi - the MSI the guest programmed for the channel bus
 * @address: the message address (0xfeeXXXXX: destination APIC id in bits
 *	19:12, logical destination mode in bit 2)
 * @data: the message data (vector in bits 7:0, fixed or lowest-priority
 *	delivery in bits 10:8)
 * @flags: HVX_MSI_ENABLED while the guest has MSI enabled
 * @padding: zero
 *
 * The VMM emulates the controller's PCI configuration space and tells the
 * kernel where the bus's interrupt goes each time the guest changes it.
 * A message hvx cannot deliver (another address, an NMI or SMI, a vector
 * below 16) is dropped at delivery.
 */
struct hvx_msi {
	__u64 address;
	__u32 data;
	__u32 flags;
	__u32 padding[2];
};
#define HVX_SET_VMBUS_MSI	_IOW(HVXIO, 0x14, struct hvx_msi)

/**
 * struct hvx_memory_range - guest physical memory
 * @gpa: page aligned
 * @size: bytes, page aligned, not 0
 *
 * HVX_DISCARD_MEMORY frees the VMM's memory behind the range (a balloon's
 * pages, free pages the guest reported): the VMM's anonymous pages there
 * are dropped, as MADV_DONTNEED would, and the EPT stops mapping them
 * before they are freed.  Guest RAM follows the VMM's memory, so the VMM's
 * own madvise(MADV_DONTNEED) on the range does the same.  The guest may
 * touch the range again: it reads zeroes.  Errors: EINVAL for alignment,
 * a size of 0, or a range that is not within one writable memory slot;
 * EFAULT when the VMM's memory there is not plain anonymous memory
 * (shared, locked, hugetlbfs or unmapped).
 */
struct hvx_memory_range {
	__u64 gpa;
	__u64 size;
};
#define HVX_DISCARD_MEMORY	_IOW(HVXIO, 0x15, struct hvx_memory_range)

/**
 * struct hvx_vm_name - what `hvx ps` and the generic netlink family call a VM
 * @name: 1 to 31 characters of [A-Za-z0-9._-], NUL terminated, the rest
 *	of the array zero
 *
 * HVX_SET_VM_NAME names the VM once.  Errors: EINVAL for a bad name,
 * EEXIST when another VM has it, EBUSY when this VM is named already.
 */
struct hvx_vm_name {
	char name[32];
};
#define HVX_SET_VM_NAME		_IOW(HVXIO, 0x16, struct hvx_vm_name)

enum hvx_channel_event_type {
	/* The guest opened the channel: mmap() the rings now. */
	HVX_CHANNEL_EVENT_OPEN		= 1,
	/* The guest closed it (or disconnected): stop using the rings. */
	HVX_CHANNEL_EVENT_CLOSE		= 2,
	/* The guest signalled @signals times since the last read. */
	HVX_CHANNEL_EVENT_SIGNAL	= 3,
};

/**
 * struct hvx_channel_event - what read() on a channel fd returns
 * @type: enum hvx_channel_event_type
 * @child_id: the guest's id of the channel (for messages and statistics)
 * @out_pages: OPEN: pages of the guest-to-host ring, header included
 * @in_pages: OPEN: pages of the host-to-guest ring, header included
 * @signals: SIGNAL: how many
 * @reserved: zero
 */
struct hvx_channel_event {
	__u32 type;
	__u32 child_id;
	__u32 out_pages;
	__u32 in_pages;
	__u64 signals;
	__u64 reserved;
};

/* Channel fd: signal the guest. */
#define HVX_CHANNEL_SIGNAL	_IO(HVXIO, 0x30)

#define HVX_CHANNEL_REPORT_BROKEN	(1U << 0)
#define HVX_CHANNEL_REPORT_FLAGS_MASK	HVX_CHANNEL_REPORT_BROKEN

/**
 * struct hvx_channel_report - a backend's account of its channel
 * @packets_from_guest: packets the backend took from the guest, since the
 *	channel was created
 * @bytes_from_guest: their payload bytes
 * @packets_to_guest: packets the backend gave the guest
 * @bytes_to_guest: their payload bytes
 * @balloon_bytes: a balloon's backend: guest memory in the balloon now;
 *	0 for other classes
 * @flags: HVX_CHANNEL_REPORT_BROKEN once the backend found a ring broken
 *	(the first such report sends HVX_EVENT_CHANNEL_BROKEN)
 * @reserved: zero
 *
 * The rings are the guest's and the backend's: hvx.ko never sees the
 * packets, so the backend reports what it moved (about once a second, and
 * before it closes the fd) for the generic netlink family's counters
 * (uapi/hvx_genl.h).  Totals never go down: EINVAL if one would, or for
 * unknown flags or reserved bits.
 */
struct hvx_channel_report {
	__u64 packets_from_guest;
	__u64 bytes_from_guest;
	__u64 packets_to_guest;
	__u64 bytes_to_guest;
	__u64 balloon_bytes;
	__u32 flags;
	__u32 reserved;
};
#define HVX_CHANNEL_REPORT	_IOW(HVXIO, 0x31, struct hvx_channel_report)

/* ---------------------------------------------------------------------- */
/* vCPU fd ioctls                                                         */
/* ---------------------------------------------------------------------- */

/**
 * struct hvx_regs - general purpose registers of a vCPU
 *
 * Same order as KVM's struct kvm_regs so that code moves between the two.
 */
struct hvx_regs {
	__u64 rax, rbx, rcx, rdx;
	__u64 rsi, rdi, rsp, rbp;
	__u64 r8, r9, r10, r11;
	__u64 r12, r13, r14, r15;
	__u64 rip, rflags;
};

/**
 * struct hvx_segment - a segment register as the VMCS holds it
 * @base: linear base address
 * @limit: limit in bytes (already scaled when @g is set)
 * @selector: visible selector
 * @type: 4-bit segment type
 * @present: P bit
 * @dpl: descriptor privilege level
 * @db: D/B bit
 * @s: 1 for code/data, 0 for system segments
 * @l: 64-bit code segment
 * @g: granularity
 * @avl: available bit
 * @unusable: the VMX "segment unusable" bit (a null selector in protected mode)
 * @padding: must be zero
 */
struct hvx_segment {
	__u64 base;
	__u32 limit;
	__u16 selector;
	__u8  type;
	__u8  present, dpl, db, s, l, g, avl;
	__u8  unusable;
	__u8  padding;
};

/**
 * struct hvx_dtable - GDTR or IDTR
 * @base: linear base address
 * @limit: limit in bytes
 * @padding: must be zero
 */
struct hvx_dtable {
	__u64 base;
	__u16 limit;
	__u16 padding[3];
};

/**
 * struct hvx_sregs - system registers of a vCPU
 *
 * SET_SREGS checks the control registers against what VMX allows (the
 * fixed bits of CR0 and CR4 with unrestricted guest) and rejects the rest
 * with EINVAL; whatever passes and is still an invalid guest state shows up
 * at the next RUN as HVX_EXIT_FAIL_ENTRY.  @efer's LMA is derived from LME
 * and CR0.PG on entry, as hardware would.
 */
struct hvx_sregs {
	struct hvx_segment cs, ds, es, fs, gs, ss;
	struct hvx_segment tr, ldt;
	struct hvx_dtable gdt, idt;
	__u64 cr0, cr2, cr3, cr4, cr8;
	__u64 efer;
	__u64 apic_base;
	__u64 reserved[4];
};

/**
 * struct hvx_cpuid_entry - one CPUID leaf/subleaf the guest will see
 * @function: EAX input
 * @index: ECX input, meaningful only with HVX_CPUID_FLAG_SIGNIFICANT_INDEX
 * @flags: HVX_CPUID_FLAG_*
 * @eax: output EAX
 * @ebx: output EBX
 * @ecx: output ECX
 * @edx: output EDX
 * @reserved: must be zero
 */
struct hvx_cpuid_entry {
	__u32 function;
	__u32 index;
	__u32 flags;
	__u32 eax, ebx, ecx, edx;
	__u32 reserved[3];
};

#define HVX_CPUID_FLAG_SIGNIFICANT_INDEX	(1U << 0)
#define HVX_CPUID_FLAGS_MASK			HVX_CPUID_FLAG_SIGNIFICANT_INDEX

/**
 * struct hvx_cpuid - the CPUID policy of a vCPU
 * @nent: number of entries, at most HVX_MAX_CPUID_ENTRIES (else E2BIG)
 * @padding: must be zero
 * @entries: the leaves
 *
 * A leaf the policy does not list returns zeros, as on hardware for a leaf
 * beyond the maximum.  Whatever the policy says, leaf 0x40000000 carries the
 * hvx signature "hvxhvxhvxhvx" and leaf 1 ECX bit 31 (hypervisor) is set.
 */
struct hvx_cpuid {
	__u32 nent;
	__u32 padding;
	struct hvx_cpuid_entry entries[];
};

#define HVX_CPUID_SIGNATURE	"hvxhvxhvxhvx"

/* Runs the vCPU until an exit that needs userspace; EINTR on a signal. */
#define HVX_RUN			_IO(HVXIO, 0x20)
#define HVX_GET_REGS		_IOR(HVXIO, 0x21, struct hvx_regs)
#define HVX_SET_REGS		_IOW(HVXIO, 0x22, struct hvx_regs)
#define HVX_GET_SREGS		_IOR(HVXIO, 0x23, struct hvx_sregs)
#define HVX_SET_SREGS		_IOW(HVXIO, 0x24, struct hvx_sregs)
#define HVX_SET_CPUID		_IOW(HVXIO, 0x25, struct hvx_cpuid)

/* Basic VMX exit reasons are below this bound (Intel SDM, appendix C). */
#define HVX_NR_VMX_EXIT_REASONS	80

/**
 * struct hvx_vcpu_stats - what a vCPU has cost so far
 * @first_entry_tsc: host TSC (which the guest reads unscaled) right before
 *	the first VM entry, 0 if the vCPU never ran
 * @exits: VM exits by basic VMX exit reason
 */
struct hvx_vcpu_stats {
	__u64 first_entry_tsc;
	__u64 exits[HVX_NR_VMX_EXIT_REASONS];
};
#define HVX_GET_STATS		_IOR(HVXIO, 0x26, struct hvx_vcpu_stats)

/* ---------------------------------------------------------------------- */
/* The run structure, mmap()ed from offset 0 of a vCPU fd                 */
/* ---------------------------------------------------------------------- */

enum hvx_exit_reason {
	HVX_EXIT_NONE		= 0,
	/* Port I/O: see run->io.  Data lives at (char *)run + io.data_offset. */
	HVX_EXIT_IO		= 1,
	/*
	 * A guest access to a guest physical address that no slot backs, or a
	 * write to a read-only slot.  For a read, userspace fills
	 * mmio.data before the next HVX_RUN, which completes the access.
	 */
	HVX_EXIT_MMIO		= 2,
	/*
	 * HLT with nothing that could ever wake the vCPU: interrupts disabled
	 * (RFLAGS.IF clear).  A HLT that an interrupt can end sleeps in the
	 * kernel instead.
	 */
	HVX_EXIT_HLT		= 3,
	/* Triple fault: the guest is dead, as a real CPU would reset. */
	HVX_EXIT_SHUTDOWN	= 4,
	/* VM entry failed: see run->fail_entry (invalid guest state...). */
	HVX_EXIT_FAIL_ENTRY	= 5,
	/* An exit hvx cannot handle: see run->internal. */
	HVX_EXIT_INTERNAL_ERROR	= 6,
};

#define HVX_EXIT_IO_IN		0
#define HVX_EXIT_IO_OUT		1

/* run->internal.suberror */
enum hvx_internal_error {
	/* An exit reason hvx has no handler for. */
	HVX_INTERNAL_ERROR_UNHANDLED_EXIT	= 1,
	/* MMIO by an instruction hvx does not emulate. */
	HVX_INTERNAL_ERROR_EMULATION		= 2,
	/* The guest state could not be read or written (e.g. RIP unmapped). */
	HVX_INTERNAL_ERROR_GUEST_MEMORY		= 3,
	/*
	 * Delivering an exception or interrupt touched memory that is not
	 * guest RAM (its IDT, stack or TSS in MMIO or in a hole); the event
	 * stays queued and is delivered again by the next HVX_RUN.
	 */
	HVX_INTERNAL_ERROR_DELIVERY		= 4,
};

/**
 * struct hvx_run - shared between hvx.ko and the VMM, one per vCPU
 * @immediate_exit: set by userspace to make the next HVX_RUN return EINTR
 *	before entering the guest
 * @padding1: zero
 * @exit_reason: enum hvx_exit_reason of the last return from HVX_RUN
 * @padding2: zero
 * @io: @exit_reason == HVX_EXIT_IO.  @direction is HVX_EXIT_IO_IN/OUT,
 *	@size is 1, 2 or 4, @count is the number of elements (1 unless a
 *	string instruction), and the data is at (char *)run + @data_offset.
 *	For IN, userspace writes the data there before the next HVX_RUN.
 * @mmio: @exit_reason == HVX_EXIT_MMIO.  @phys_addr and @len (1, 2, 4 or 8)
 *	describe the access; for a write @data holds the bytes in guest
 *	(little-endian) order, for a read userspace fills @data.
 * @fail_entry: @exit_reason == HVX_EXIT_FAIL_ENTRY.
 *	@hardware_entry_failure_reason is the VMX basic exit reason with the
 *	entry-failure bit stripped (33 invalid guest state, 34 MSR loading,
 *	41 machine check), @qualification the exit qualification.
 * @internal: @exit_reason == HVX_EXIT_INTERNAL_ERROR or HVX_EXIT_SHUTDOWN:
 *	@suberror is an enum hvx_internal_error (0 for shutdown), @vmx_exit_reason
 *	and @qualification are the VMX exit reason and qualification,
 *	@guest_rip and @guest_phys_addr say where (the latter when the exit
 *	provides one, else 0).
 * @padding: reserves room so that exits can grow without moving @data.
 */
struct hvx_run {
	__u8  immediate_exit;
	__u8  padding1[7];
	__u32 exit_reason;
	__u32 padding2;
	union {
		struct {
			__u8  direction;
			__u8  size;
			__u16 port;
			__u32 count;
			__u64 data_offset;
		} io;
		struct {
			__u64 phys_addr;
			__u8  data[8];
			__u32 len;
			__u8  is_write;
			__u8  padding[3];
		} mmio;
		struct {
			__u32 hardware_entry_failure_reason;
			__u32 padding;
			__u64 qualification;
		} fail_entry;
		struct {
			__u32 suberror;
			__u32 vmx_exit_reason;
			__u64 qualification;
			__u64 guest_rip;
			__u64 guest_phys_addr;
		} internal;
		char padding[256];
	};
};

#endif /* _UAPI_HVX_H */
