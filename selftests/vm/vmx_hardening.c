// SPDX-License-Identifier: GPL-2.0
/*
 * What a guest or a racing VMM could once do to the host (issue 16's
 * findings), each shown not to happen.  Before the fixes, several of these
 * hung or crashed the emulated host: run-order puts this file late.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vm_harness.h"
#include "uapi/hvx.h"
#include "vm.h"

#define PORT_REPORT	0x30

/* The snippets are 64-bit code for vm_setup_long(); each ends in HLT with IF=0. */
#define GUEST(name, body)					\
	extern const char name[], name##_end[];			\
	asm(".pushsection .rodata\n\t.code64\n"			\
	    ".globl " #name ", " #name "_end\n"			\
	    #name ":\n\t" body "\n"				\
	    #name "_end:\n\t.popsection")

/* CR8 as found, then 15 written and read back; each reported by OUT. */
GUEST(guest_cr8,
	"mov %cr8, %rax\n\t"
	"out %eax, $0x30\n\t"
	"mov $15, %eax\n\t"
	"mov %rax, %cr8\n\t"
	"mov %cr8, %rax\n\t"
	"out %eax, $0x30\n\t"
	"hlt");

/*
 * The local APIC on, its timer in TSC-deadline mode, a deadline of ~0
 * written and read back (low half reported).
 */
GUEST(guest_far_deadline,
	"mov $0xfee00000, %ebx\n\t"
	"movl $0x1ff, 0xf0(%rbx)\n\t"
	"movl $0x40 | (2 << 17), 0x320(%rbx)\n\t"
	"mov $0x6e0, %ecx\n\t"
	"mov $-1, %eax\n\t"
	"mov $-1, %edx\n\t"
	"wrmsr\n\t"
	"rdmsr\n\t"
	"out %eax, $0x30\n\t"
	"hlt");

/* The cache instructions, then a report. */
GUEST(guest_cache_flush,
	"wbinvd\n\t"
	"invd\n\t"
	"mov $1, %eax\n\t"
	"out %eax, $0x30\n\t"
	"hlt");

/* Reports 0, 1, 2, ... forever. */
GUEST(guest_count,
	"xor %eax, %eax\n"
	"1:\n\t"
	"out %eax, $0x30\n\t"
	"inc %eax\n\t"
	"jmp 1b");

/* Sleeps in HLT with interrupts on; only a signal to the VMM ends the run. */
GUEST(guest_sleep,
	"sti\n"
	"1:\n\t"
	"hlt\n\t"
	"jmp 1b");

/*
 * WRMSR of RCX with EDX:EAX: reports 1 if it was taken, 0xdead from the
 * #GP handler (guest_wrmsr_gp) if it faulted.
 */
GUEST(guest_wrmsr,
	"mov $0x8000, %rsp\n\t"
	"wrmsr\n\t"
	"mov $1, %eax\n\t"
	"out %eax, $0x30\n\t"
	"hlt\n"
	".globl guest_wrmsr_gp\n"
	"guest_wrmsr_gp:\n\t"
	"mov $0xdead, %eax\n\t"
	"out %eax, $0x30\n\t"
	"hlt");
extern const char guest_wrmsr_gp[];

/*
 * CVE-2015-5307, in 32-bit protected mode at CPL 3 with CR0.AM, EFLAGS.AC
 * and a misaligned stack: the misaligned load raises #AC, whose delivery
 * pushes onto the misaligned stack at CPL 3 (a DPL-3 code segment, no
 * stack switch) and raises #AC again, forever, with no instruction
 * boundary in between.  (64-bit mode aligns RSP before delivery.)
 */
extern const char guest_ac_loop[], guest_ac_loop_end[];
asm(".pushsection .rodata\n\t.code32\n"
    "guest_ac_loop:\n"
    "1:\n\t"
    "mov 0x8003, %eax\n\t"
    "jmp 1b\n"
    "guest_ac_loop_end:\n\t"
    ".code64\n\t.popsection");

#define GUEST_GDT_GPA	0x2000
#define GUEST_IDT_GPA	0x3000

/*
 * A GDT (kernel code 0x8, data 0x10, user code 0x1b, data 0x23) and an
 * IDT with one 64-bit interrupt gate, written by the host; paging opened
 * to CPL 3.
 */
static int install_gate(struct vm *vm, unsigned int vector, uint64_t handler_gpa,
			uint16_t cs, unsigned int dpl)
{
	static const uint64_t gdt[] = {
		0, 0x00af9b000000ffffULL, 0x00cf93000000ffffULL,
		0x00affb000000ffffULL, 0x00cff3000000ffffULL,
	};
	uint64_t *pml4 = (uint64_t *)(vm->mem + GUEST_PT_GPA);
	uint32_t *gate = (uint32_t *)(vm->mem + GUEST_IDT_GPA + vector * 16);
	struct hvx_sregs s;
	int i;

	memcpy(vm->mem + GUEST_GDT_GPA, gdt, sizeof(gdt));
	gate[0] = (handler_gpa & 0xffff) | (uint32_t)cs << 16;
	gate[1] = (handler_gpa & 0xffff0000) | 0x8e00 | dpl << 13;
	gate[2] = handler_gpa >> 32;
	gate[3] = 0;
	/* The PML4 entry, the PDPT's and the 2 MiB leaves: user accessible. */
	for (i = 0; i < 6 * 512; i++)
		if (pml4[i] & 1)
			pml4[i] |= 4;
	if (ioctl(vm->vcpu_fd, HVX_GET_SREGS, &s))
		return -1;
	s.gdt.base = GUEST_GDT_GPA;
	s.gdt.limit = sizeof(gdt) - 1;
	s.idt.base = GUEST_IDT_GPA;
	s.idt.limit = 256 * 16 - 1;
	return ioctl(vm->vcpu_fd, HVX_SET_SREGS, &s);
}

static struct vm *long_mode_vm(struct __test_metadata *_metadata,
			       const char *code, const char *code_end)
{
	struct vm *vm = vm_create(VM_HVX, 4 << 20);

	if (!vm)
		return NULL;
	vm_load(vm, GUEST_CODE_GPA, code, code_end);
	if (vm_setup_long(vm, GUEST_CODE_GPA)) {
		vm_destroy(vm);
		return NULL;
	}
	return vm;
}

static uint32_t reported(struct __test_metadata *_metadata, struct vm *vm)
{
	struct vm_exit e;

	if (vm_run(vm, &e) || e.kind != VM_EXIT_IO || e.port != PORT_REPORT) {
		TH_LOG("expected an OUT to %#x, got exit kind %d (raw %u, hw %#llx)",
		       PORT_REPORT, e.kind, e.raw_reason, (unsigned long long)e.hw_reason);
		return ~0U;
	}
	return *(uint32_t *)e.data;
}

/* The host's local timer interrupts so far, over every CPU. */
static unsigned long long host_timer_interrupts(void)
{
	unsigned long long sum = 0;
	char line[4096], *p, *end;
	FILE *f = fopen("/proc/interrupts", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		p = line + strspn(line, " ");
		if (strncmp(p, "LOC:", 4))
			continue;
		for (p += 4;; p = end) {
			unsigned long long n = strtoull(p, &end, 10);

			if (end == p)
				break;
			sum += n;
		}
	}
	fclose(f);
	return sum;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/*
 * Finding 2: MOV to CR8 wrote the host CPU's own TPR, and 15 masked every
 * host interrupt (the emulated host stopped).  Now CR8 is the guest's
 * local APIC TPR, seen through HVX_GET/SET_SREGS.
 */
TEST(cr8_is_the_guests_tpr)
{
	struct vm *vm = long_mode_vm(_metadata, guest_cr8, guest_cr8_end);
	unsigned long long before, after;
	struct hvx_sregs s;

	ASSERT_NE(NULL, vm);
	ASSERT_EQ(0, ioctl(vm->vcpu_fd, HVX_GET_SREGS, &s));
	EXPECT_EQ(0, s.cr8);
	s.cr8 = 7;
	ASSERT_EQ(0, ioctl(vm->vcpu_fd, HVX_SET_SREGS, &s));
	EXPECT_EQ(7, reported(_metadata, vm));
	EXPECT_EQ(15, reported(_metadata, vm));
	ASSERT_EQ(0, ioctl(vm->vcpu_fd, HVX_GET_SREGS, &s));
	EXPECT_EQ(15, s.cr8);
	s.cr8 = 16;
	EXPECT_EQ(-1, ioctl(vm->vcpu_fd, HVX_SET_SREGS, &s));

	/* The host CPU still takes its timer interrupts. */
	before = host_timer_interrupts();
	sleep_ms(300);
	after = host_timer_interrupts();
	TH_LOG("host LOC %llu -> %llu over 300 ms", before, after);
	EXPECT_LT(before, after);
	vm_destroy(vm);
}

/*
 * Finding 7: a deadline of ~0 overflowed the tick-to-nanosecond division
 * and raised #DE in the host (on a 50 MHz TSC).  Now it is a timer that
 * never fires, and the guest reads its deadline back.
 */
TEST(tsc_deadline_far_future)
{
	struct vm *vm = long_mode_vm(_metadata, guest_far_deadline, guest_far_deadline_end);

	ASSERT_NE(NULL, vm);
	EXPECT_EQ(0xffffffffU, reported(_metadata, vm));
	vm_destroy(vm);
}

/*
 * Finding 11: WBINVD ran on the host's caches untrapped, and INVD ended
 * the run with an internal error.  Both exit now and are skipped.
 */
TEST(cache_flushes_exit_and_are_skipped)
{
	struct vm *vm = long_mode_vm(_metadata, guest_cache_flush, guest_cache_flush_end);
	struct hvx_vcpu_stats stats;

	ASSERT_NE(NULL, vm);
	EXPECT_EQ(1, reported(_metadata, vm));
	ASSERT_EQ(0, ioctl(vm->vcpu_fd, HVX_GET_STATS, &stats));
	EXPECT_EQ(1, stats.exits[54]);	/* WBINVD */
	EXPECT_EQ(1, stats.exits[13]);	/* INVD */
	vm_destroy(vm);
}

/*
 * Finding 12: after a failed VMRESUME-time entry the vCPU was marked not
 * launched, so every later entry was a VMLAUNCH of a launched VMCS
 * (vm-instruction error 4) and the vCPU was lost for good.
 */
TEST(failed_entry_of_launched_vcpu_recovers)
{
	struct vm *vm = long_mode_vm(_metadata, guest_count, guest_count_end);
	struct hvx_sregs good, bad;
	struct vm_exit e;

	ASSERT_NE(NULL, vm);
	EXPECT_EQ(0, reported(_metadata, vm));	/* launched */
	ASSERT_EQ(0, ioctl(vm->vcpu_fd, HVX_GET_SREGS, &good));
	bad = good;
	bad.cs.present = 0;
	ASSERT_EQ(0, ioctl(vm->vcpu_fd, HVX_SET_SREGS, &bad));
	ASSERT_EQ(0, vm_run(vm, &e));
	ASSERT_EQ(VM_EXIT_FAIL_ENTRY, e.kind);
	EXPECT_EQ(33, e.hw_reason);
	ASSERT_EQ(0, ioctl(vm->vcpu_fd, HVX_SET_SREGS, &good));
	EXPECT_EQ(1, reported(_metadata, vm));
	EXPECT_EQ(2, reported(_metadata, vm));
	vm_destroy(vm);
}

/* Real mode #GP handler at 0800:0000: reports 0x1d, then halts. */
static const uint8_t real_gp_handler[] = {
	0xb0, 0x1d,		/* mov $0x1d, %al */
	0xe6, PORT_REPORT,	/* out %al, $PORT_REPORT */
	0xf4,			/* hlt */
};

/* No memory there at first: the guest's real-mode stack. */
#define HOLE_GPA	0xc0000000ULL

/*
 * A real-mode #GP whose delivery pushes onto a stack in a hole.  The exit
 * is the CPU's access, not the instruction's: the VMM hears of it as a
 * delivery error, the next run delivers the #GP again (before, hvx
 * emulated the instruction at RIP instead, and the run after that failed
 * with 'VMRESUME failed: vm-instruction error 7', an error code queued in
 * real mode), and once memory is there the guest's handler runs.
 */
TEST(exception_delivery_into_a_hole_is_retried)
{
	struct vm *vm = vm_create(VM_HVX, 2 << 20);
	struct hvx_sregs s;
	struct hvx_regs r;
	struct hvx_run *run;
	struct vm_exit e;
	void *stack;
	int i;

	ASSERT_NE(NULL, vm);
	run = vm->run;
	*(uint16_t *)(vm->mem + 13 * 4) = 0;
	*(uint16_t *)(vm->mem + 13 * 4 + 2) = 0x800;
	memcpy(vm->mem + 0x8000, real_gp_handler, sizeof(real_gp_handler));
	ASSERT_EQ(0, vm_setup_real(vm, 0x1000));
	ASSERT_EQ(0, vm_get_sregs(vm, &s));
	s.ss.base = HOLE_GPA;
	ASSERT_EQ(0, vm_set_sregs(vm, &s));
	ASSERT_EQ(0, vm_get_regs(vm, &r));
	r.rip = 0x10000;	/* past CS's 64 KiB limit: #GP on the fetch */
	r.rsp = 0x100;
	ASSERT_EQ(0, vm_set_regs(vm, &r));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, vm_run(vm, &e));
		TH_LOG("run %d: exit kind %d, hw %#llx, qualification %#llx, suberror %u, gpa %#llx",
		       i, e.kind, (unsigned long long)e.hw_reason,
		       (unsigned long long)e.qualification, run->internal.suberror,
		       (unsigned long long)run->internal.guest_phys_addr);
		ASSERT_EQ(VM_EXIT_INTERNAL, e.kind);
		EXPECT_EQ(HVX_INTERNAL_ERROR_DELIVERY, run->internal.suberror);
		EXPECT_EQ(HOLE_GPA >> 12, run->internal.guest_phys_addr >> 12);
	}
	stack = mmap(NULL, 2 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, stack);
	ASSERT_EQ(0, vm_set_memory(vm, 1, 0, HOLE_GPA, 2 << 20, stack));
	ASSERT_EQ(0, vm_run(vm, &e));
	ASSERT_EQ(VM_EXIT_IO, e.kind);
	EXPECT_EQ(PORT_REPORT, e.port);
	EXPECT_EQ(0x1d, *(uint8_t *)e.data);
	/* The frame: FLAGS, CS, IP of the faulting fetch. */
	EXPECT_EQ(0x1000 >> 4, *(uint16_t *)((char *)stack + 0xfc));
	vm_destroy(vm);
	munmap(stack, 2 << 20);
}

static void on_signal(int sig)
{
}

static uint32_t wrmsr_outcome(struct __test_metadata *_metadata, uint32_t msr, uint64_t value)
{
	struct vm *vm = long_mode_vm(_metadata, guest_wrmsr, guest_wrmsr_end);
	struct hvx_regs r;
	uint32_t result;

	if (!vm)
		return 0;
	if (install_gate(vm, 13, GUEST_CODE_GPA + (guest_wrmsr_gp - guest_wrmsr), 8, 0) ||
	    ioctl(vm->vcpu_fd, HVX_GET_REGS, &r)) {
		vm_destroy(vm);
		return 0;
	}
	r.rcx = msr;
	r.rax = (uint32_t)value;
	r.rdx = value >> 32;
	ioctl(vm->vcpu_fd, HVX_SET_REGS, &r);
	result = reported(_metadata, vm);
	vm_destroy(vm);
	return result;
}

/*
 * Finding 11: SYSCALL_MASK took reserved bits (the host's own WRMSR of the
 * value, on the way back, would fault) and PAT took reserved memory types
 * (VM entry then fails).  Both are #GP in the guest now, as on hardware.
 */
TEST(msr_reserved_values_raise_gp)
{
	EXPECT_EQ(1, wrmsr_outcome(_metadata, 0xc0000084, 0x47700));		/* SFMASK */
	EXPECT_EQ(0xdead, wrmsr_outcome(_metadata, 0xc0000084, 1ULL << 32));
	EXPECT_EQ(1, wrmsr_outcome(_metadata, 0x277, 0x0007040600070406ULL));	/* PAT */
	EXPECT_EQ(0xdead, wrmsr_outcome(_metadata, 0x277, 0x0007040600070402ULL));
	EXPECT_EQ(0xdead, wrmsr_outcome(_metadata, 0x277, 0x0007040600070408ULL));
}

/*
 * Finding 3: #AC was not intercepted, so the loop above held the host CPU
 * with no instruction boundary for an interrupt: the emulated host hung.
 * Now every delivery exits, and a signal ends the run as usual.
 */
TEST(alignment_check_loop_is_interruptible)
{
	static const uint64_t gdt[] = {
		0, 0, 0, 0x00cffb000000ffffULL, 0x00cff3000000ffffULL,
	};
	struct sigaction sa = { .sa_handler = on_signal };
	struct itimerval t = { .it_value = { .tv_usec = 300000 } };
	struct vm *vm = vm_create(VM_HVX, 4 << 20);
	struct hvx_segment code = {
		.limit = 0xffffffff, .selector = 0x1b, .type = 0xb, .present = 1,
		.s = 1, .dpl = 3, .db = 1, .g = 1,
	};
	struct hvx_segment data = code;
	uint32_t *gate;
	struct hvx_vcpu_stats stats;
	struct hvx_sregs s;
	struct hvx_regs r;

	ASSERT_NE(NULL, vm);
	vm_load(vm, GUEST_CODE_GPA, guest_ac_loop, guest_ac_loop_end);
	memcpy(vm->mem + GUEST_GDT_GPA, gdt, sizeof(gdt));
	/* 32-bit interrupt gate for #AC to user code, handler never reached. */
	gate = (uint32_t *)(vm->mem + GUEST_IDT_GPA + 17 * 8);
	gate[0] = 0x9000 | 0x1b << 16;
	gate[1] = 0xee00;
	ASSERT_EQ(0, ioctl(vm->vcpu_fd, HVX_GET_SREGS, &s));
	data.selector = 0x23;
	data.type = 3;
	s.cs = code;
	s.ss = s.ds = s.es = s.fs = s.gs = data;
	s.tr = (struct hvx_segment){ .limit = 0x67, .type = 0xb, .present = 1 };
	s.gdt.base = GUEST_GDT_GPA;
	s.gdt.limit = sizeof(gdt) - 1;
	s.idt.base = GUEST_IDT_GPA;
	s.idt.limit = 32 * 8 - 1;
	s.cr0 = 0x40031;			/* AM, NE, ET, PE */
	ASSERT_EQ(0, ioctl(vm->vcpu_fd, HVX_SET_SREGS, &s));
	ASSERT_EQ(0, ioctl(vm->vcpu_fd, HVX_GET_REGS, &r));
	r.rip = GUEST_CODE_GPA;
	r.rsp = 0x9001;				/* misaligned */
	r.rflags = 0x40002;			/* AC */
	ASSERT_EQ(0, ioctl(vm->vcpu_fd, HVX_SET_REGS, &r));
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	ASSERT_EQ(0, setitimer(ITIMER_REAL, &t, NULL));
	EXPECT_EQ(-1, ioctl(vm->vcpu_fd, HVX_RUN, 0));
	EXPECT_EQ(EINTR, errno);
	ASSERT_EQ(0, ioctl(vm->vcpu_fd, HVX_GET_STATS, &stats));
	TH_LOG("%llu exception exits in 300 ms", (unsigned long long)stats.exits[0]);
	EXPECT_LT(100, stats.exits[0]);
	vm_destroy(vm);
}

struct sleeper {
	struct vm *vm;
	pthread_t thread;
	int result, error;
};

static void *run_sleeper(void *arg)
{
	struct sleeper *s = arg;

	s->result = ioctl(s->vm->vcpu_fd, HVX_RUN, 0);
	s->error = errno;
	return NULL;
}

/*
 * Finding 6: a VM exit leaves the TSS limit at 0x67 (and the GDT limit at
 * 0xffff), and they were put right only at the end of the ioctl.  A task
 * that ran while the vCPU thread slept in the guest's HLT took #GP on its
 * ioperm() port.  On the emulated host's single CPU, the child here runs
 * exactly then.
 */
TEST(ioperm_task_runs_while_vcpu_halts)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct vm *vm = long_mode_vm(_metadata, guest_sleep, guest_sleep_end);
	struct sleeper sleeper = { .vm = vm };
	int go[2], status, i;
	pid_t child;

	ASSERT_NE(NULL, vm);
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	ASSERT_EQ(0, pipe(go));
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		char c;

		if (ioperm(0x80, 1, 1))
			_exit(2);
		if (read(go[0], &c, 1) != 1)
			_exit(3);
		for (i = 0; i < 1000; i++) {
			outb(0, 0x80);
			sched_yield();
		}
		_exit(0);
	}
	ASSERT_EQ(0, pthread_create(&sleeper.thread, NULL, run_sleeper, &sleeper));
	sleep_ms(200);	/* the vCPU is asleep in HLT by now */
	ASSERT_EQ(1, write(go[1], "g", 1));
	ASSERT_EQ(child, waitpid(child, &status, 0));
	pthread_kill(sleeper.thread, SIGUSR1);
	pthread_join(sleeper.thread, NULL);
	EXPECT_EQ(-1, sleeper.result);
	EXPECT_EQ(EINTR, sleeper.error);
	if (WIFSIGNALED(status))
		TH_LOG("the ioperm() task died of signal %d", WTERMSIG(status));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(go[0]);
	close(go[1]);
	vm_destroy(vm);
}

struct racer {
	struct vm *vm;
	volatile int *stop;
	pthread_t thread;
	unsigned long calls, bad;
	volatile int done;
};

static void *race_run(void *arg)
{
	struct racer *r = arg;

	while (!*r->stop) {
		if (ioctl(r->vm->vcpu_fd, HVX_RUN, 0) && errno != EINTR)
			r->bad++;
		r->calls++;
	}
	r->done = 1;
	return NULL;
}

static void *race_state(void *arg)
{
	struct hvx_cpuid *cpuid = calloc(1, sizeof(*cpuid) + 4 * sizeof(cpuid->entries[0]));
	struct racer *r = arg;
	struct hvx_regs regs;
	struct hvx_sregs sregs;
	unsigned int i;

	if (!cpuid)
		return NULL;
	for (i = 0; i < 4; i++)
		cpuid->entries[i].function = i;
	while (!*r->stop) {
		cpuid->nent = 1 + r->calls % 4;
		if (ioctl(r->vm->vcpu_fd, HVX_SET_CPUID, cpuid) ||
		    ioctl(r->vm->vcpu_fd, HVX_GET_REGS, &regs) ||
		    ioctl(r->vm->vcpu_fd, HVX_SET_REGS, &regs) ||
		    ioctl(r->vm->vcpu_fd, HVX_GET_SREGS, &sregs) ||
		    ioctl(r->vm->vcpu_fd, HVX_SET_SREGS, &sregs))
			r->bad++;
		r->calls++;
	}
	free(cpuid);
	return NULL;
}

/*
 * Finding 1: vCPU ioctls were not serialized.  Two threads in HVX_RUN on
 * one fd corrupted the preempt-notifier list and VMCLEARed a VMCS in use;
 * SET_CPUID freed the table a CPUID exit was reading.  The emulated host
 * hung or took a general protection fault.  Now they take turns.
 */
TEST(vcpu_ioctls_race_safely)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct vm *vm = long_mode_vm(_metadata, guest_sleep, guest_sleep_end);
	volatile int stop = 0;
	struct racer racers[3] = {
		{ .vm = vm, .stop = &stop }, { .vm = vm, .stop = &stop },
		{ .vm = vm, .stop = &stop },
	};
	int i, round;

	ASSERT_NE(NULL, vm);
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	ASSERT_EQ(0, pthread_create(&racers[0].thread, NULL, race_run, &racers[0]));
	ASSERT_EQ(0, pthread_create(&racers[1].thread, NULL, race_run, &racers[1]));
	ASSERT_EQ(0, pthread_create(&racers[2].thread, NULL, race_state, &racers[2]));
	/* 2 s of the runners being kicked out of HLT every 10 ms. */
	for (round = 0; round < 200; round++) {
		sleep_ms(10);
		pthread_kill(racers[0].thread, SIGUSR1);
		pthread_kill(racers[1].thread, SIGUSR1);
	}
	stop = 1;
	/*
	 * Keep kicking both runners until both have seen stop: one may sleep
	 * in the guest's HLT while the other waits for the vCPU.
	 */
	while (!racers[0].done || !racers[1].done) {
		for (i = 0; i < 2; i++)
			if (!racers[i].done)
				pthread_kill(racers[i].thread, SIGUSR1);
		sleep_ms(10);
	}
	for (i = 0; i < 3; i++)
		pthread_join(racers[i].thread, NULL);
	TH_LOG("runs %lu + %lu, state rounds %lu", racers[0].calls, racers[1].calls,
	       racers[2].calls);
	for (i = 0; i < 3; i++)
		EXPECT_EQ(0, racers[i].bad);
	EXPECT_LT(10, racers[0].calls + racers[1].calls);
	EXPECT_LT(10, racers[2].calls);
	vm_destroy(vm);
}

TEST_HARNESS_MAIN
