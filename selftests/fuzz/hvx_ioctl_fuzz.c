// SPDX-License-Identifier: GPL-2.0
/*
 * hvx_ioctl_fuzz: a syzkaller-style fuzzer of the /dev/hvx ioctls.
 *
 * A table of live objects (the /dev/hvx, VM, vCPU and channel fds, the run
 * pages, guest memory and ring mappings) is shared by worker threads; each
 * step of a worker picks an operation and its arguments from the worker's
 * own PRNG stream: object creation, every ioctl of uapi/hvx.h with random
 * and boundary arguments, runs of small guest programs, writes into the
 * run page, munmap() and close() of anything, fork() and ioctls from the
 * child, and unknown ioctl numbers.  The workers race: HVX_RUN on a vCPU
 * against SET_* on the same fd, slot changes, munmap() of the memory it
 * runs in and closes of its VM; a kicker thread sends SIGUSR1 every few
 * milliseconds so that runs end with EINTR.
 *
 * With --threads 1 the run is deterministic for a seed: the op sequence
 * replays exactly (--trace prints it).  With more threads each worker's
 * choices still come from its own stream, but what they find in the table
 * depends on the interleaving.  The last ops of every worker are kept in a
 * ring and printed on SIGUSR2, SIGTERM, a crash of the fuzzer, or a failed
 * check.
 *
 * Checks (printed as "check ok NAME" / "check not-ok NAME" and in the exit
 * status): enough ops ran, every ioctl succeeded at least once (the channel
 * signal at least reached ENOTCONN), the guest programs reached I/O, MMIO,
 * HLT and shutdown exits, and the documented errors held where the
 * arguments make them certain (ENOTTY for unknown numbers, EINVAL for
 * unknown flags and reserved fields, E2BIG for too many CPUID entries, EIO
 * from another process).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "uapi/hvx.h"
#include "uapi/hvx_vmbus.h"

#define PAGE		4096UL
#define FZ_CODE_GPA	0x1000
#define FZ_MAILBOX	0x800
#define FZ_DATA		0x3000
#define FZ_STACK	0x8000

#define MAX_FDS		48
#define MAX_MAPS	96
#define MAX_VMS		4
#define MAX_THREADS	8
#define RING_OPS	48
#define OP_TEXT		120

/* ---------------------------------------------------------------- PRNG */

struct rng {
	uint64_t s;
};

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rnd(struct rng *r)
{
	return splitmix64(&r->s);
}

static uint64_t below(struct rng *r, uint64_t n)
{
	return n ? rnd(r) % n : 0;
}

static bool one_in(struct rng *r, unsigned int n)
{
	return below(r, n) == 0;
}

#define PICK(r, arr) ((arr)[below((r), sizeof(arr) / sizeof((arr)[0]))])

/* Boundary values, else random bits: what the kernel's checks are about. */
static uint64_t rnd_u64(struct rng *r)
{
	static const uint64_t edge[] = {
		0, 1, 2, 0x7f, 0x80, 0xff, 0xfff, 0x1000, 0x1001, 0xffff,
		0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ULL,
		PAGE - 1, PAGE + 1, 2 * PAGE, 0x200000, 0x1fffff, 0x200001,
		(1ULL << 47) - 1, 1ULL << 47, (1ULL << 47) - PAGE,
		1ULL << 52, 1ULL << 63, ~0ULL, ~0ULL - PAGE + 1, ~0ULL >> 1,
		0xffff800000000000ULL, 0xffff888000000000ULL,
	};

	switch (below(r, 4)) {
	case 0:
		return PICK(r, edge);
	case 1:
		return PICK(r, edge) + below(r, 3) - 1;
	case 2:
		return below(r, 0x10000);
	default:
		return rnd(r) >> below(r, 64);
	}
}

/* A PROT_NONE hole of address space; see rnd_bad_ptr() and rnd_hva(). */
static uint8_t *hole;
#define HOLE_SIZE (16UL << 20)

/*
 * A pointer argument the kernel must refuse: never one into the fuzzer's
 * own image, heap or stacks, where an ioctl that writes (GET_REGS, ...)
 * would corrupt the fuzzer instead of testing hvx.
 */
static uint64_t rnd_bad_ptr(struct rng *r)
{
	static const uint64_t bad[] = {
		0, 1, 8, PAGE - 1, 1ULL << 47, (1ULL << 47) - 8, ~0ULL, ~0ULL - 7,
		0xffff888000000000ULL, 0xffffffff81000000ULL, 0x8000000000000000ULL,
	};

	if (one_in(r, 2))
		return PICK(r, bad);
	if (one_in(r, 2))	/* mapped, but PROT_NONE */
		return (uintptr_t)hole + below(r, HOLE_SIZE);
	return rnd(r) | 1ULL << (47 + below(r, 17));
}

/* ------------------------------------------------------------- stats */

enum ioc {
	IOC_GET_API_VERSION, IOC_CREATE_VM, IOC_GET_VCPU_MMAP_SIZE,
	IOC_GET_TSC_KHZ, IOC_SET_USER_MEMORY_REGION, IOC_CREATE_VCPU,
	IOC_IRQ_LINE, IOC_CREATE_CHANNEL, IOC_SET_VMBUS_MSI,
	IOC_DISCARD_MEMORY, IOC_SET_VM_NAME, IOC_CHANNEL_SIGNAL,
	IOC_CHANNEL_REPORT, IOC_RUN, IOC_GET_REGS, IOC_SET_REGS,
	IOC_GET_SREGS, IOC_SET_SREGS, IOC_SET_CPUID, IOC_GET_STATS,
	NR_KNOWN_IOC,
	IOC_UNKNOWN = NR_KNOWN_IOC, IOC_OPEN, IOC_MMAP_RUN, IOC_MMAP_CHAN,
	IOC_READ_CHAN, IOC_POLL_CHAN, IOC_CLOSE, IOC_MUNMAP, IOC_FORK_EIO,
	NR_IOC,
};

static const struct {
	const char *name;
	unsigned long cmd;
} ioc_info[NR_IOC] = {
	[IOC_GET_API_VERSION] = { "GET_API_VERSION", HVX_GET_API_VERSION },
	[IOC_CREATE_VM] = { "CREATE_VM", HVX_CREATE_VM },
	[IOC_GET_VCPU_MMAP_SIZE] = { "GET_VCPU_MMAP_SIZE", HVX_GET_VCPU_MMAP_SIZE },
	[IOC_GET_TSC_KHZ] = { "GET_TSC_KHZ", HVX_GET_TSC_KHZ },
	[IOC_SET_USER_MEMORY_REGION] = { "SET_USER_MEMORY_REGION", HVX_SET_USER_MEMORY_REGION },
	[IOC_CREATE_VCPU] = { "CREATE_VCPU", HVX_CREATE_VCPU },
	[IOC_IRQ_LINE] = { "IRQ_LINE", HVX_IRQ_LINE },
	[IOC_CREATE_CHANNEL] = { "CREATE_CHANNEL", HVX_CREATE_CHANNEL },
	[IOC_SET_VMBUS_MSI] = { "SET_VMBUS_MSI", HVX_SET_VMBUS_MSI },
	[IOC_DISCARD_MEMORY] = { "DISCARD_MEMORY", HVX_DISCARD_MEMORY },
	[IOC_SET_VM_NAME] = { "SET_VM_NAME", HVX_SET_VM_NAME },
	[IOC_CHANNEL_SIGNAL] = { "CHANNEL_SIGNAL", HVX_CHANNEL_SIGNAL },
	[IOC_CHANNEL_REPORT] = { "CHANNEL_REPORT", HVX_CHANNEL_REPORT },
	[IOC_RUN] = { "RUN", HVX_RUN },
	[IOC_GET_REGS] = { "GET_REGS", HVX_GET_REGS },
	[IOC_SET_REGS] = { "SET_REGS", HVX_SET_REGS },
	[IOC_GET_SREGS] = { "GET_SREGS", HVX_GET_SREGS },
	[IOC_SET_SREGS] = { "SET_SREGS", HVX_SET_SREGS },
	[IOC_SET_CPUID] = { "SET_CPUID", HVX_SET_CPUID },
	[IOC_GET_STATS] = { "GET_STATS", HVX_GET_STATS },
	[IOC_UNKNOWN] = { "unknown-ioctl", 0 },
	[IOC_OPEN] = { "open", 0 },
	[IOC_MMAP_RUN] = { "mmap-run", 0 },
	[IOC_MMAP_CHAN] = { "mmap-channel", 0 },
	[IOC_READ_CHAN] = { "read-channel", 0 },
	[IOC_POLL_CHAN] = { "poll-channel", 0 },
	[IOC_CLOSE] = { "close", 0 },
	[IOC_MUNMAP] = { "munmap", 0 },
	[IOC_FORK_EIO] = { "fork-child-ioctl", 0 },
};

/* The errnos worth telling apart in the summary; the rest count as other. */
static const int errno_bucket[] = {
	0, EINVAL, EFAULT, ENOTTY, E2BIG, EEXIST, EBUSY, EINTR, EIO, EBADF,
	ENOENT, ENOSPC, ENOTCONN, ENOMEM, EAGAIN, EPERM, ENODEV,
};
#define NR_BUCKETS (sizeof(errno_bucket) / sizeof(errno_bucket[0]) + 1)

static unsigned long ioc_count[NR_IOC][NR_BUCKETS];

enum { EXIT_SEEN_EINTR = 7, NR_EXIT_KINDS = 8 };
static const char *const exit_name[NR_EXIT_KINDS] = {
	"NONE", "IO", "MMIO", "HLT", "SHUTDOWN", "FAIL_ENTRY",
	"INTERNAL_ERROR", "EINTR",
};
static unsigned long exit_count[NR_EXIT_KINDS];
static unsigned long total_ops;
static unsigned long oracle_failures;
/* Faults on our own touches of run pages and guest memory, see touch_fault(). */
static unsigned long touch_faults;

static void count_add(unsigned long *p)
{
	__atomic_fetch_add(p, 1, __ATOMIC_RELAXED);
}

static void record(enum ioc ioc, long ret, int err)
{
	size_t b;

	for (b = 0; b < NR_BUCKETS - 1; b++)
		if (errno_bucket[b] == (ret < 0 ? err : 0))
			break;
	count_add(&ioc_count[ioc][b]);
}

/* ---------------------------------------------------------- op rings */

struct worker {
	int id;
	pthread_t thread;
	struct rng rng;
	unsigned long ops;
	unsigned int ring_next;
	char ring[RING_OPS][OP_TEXT];
	uint8_t *scratch;		/* 16 pages, a PROT_NONE page after */
};

static struct worker workers[MAX_THREADS];
static int nr_workers = 3;
static bool trace;
static volatile sig_atomic_t stop;

/*
 * --avoid: steer around kernel bugs already known, so that a run gets past
 * them to the next one.  A default run avoids nothing.
 */
enum {
	/* One vCPU ioctl at a time per vCPU fd (RUN against SET_*, two RUNs). */
	AVOID_VCPU_RACES = 1 << 0,
	/* No IA32_TSC_DEADLINE writes from the guest. */
	AVOID_TSC_DEADLINE = 1 << 1,
};
static const char *const avoid_names[] = { "vcpu-races", "tsc-deadline" };
static unsigned int avoid;
#define NR_VCPU_LOCKS 1024
static pthread_mutex_t vcpu_locks[NR_VCPU_LOCKS];

static void note(struct worker *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Each op's description goes to the worker's ring (and stderr with --trace). */
static void note(struct worker *w, const char *fmt, ...)
{
	char *line = w->ring[w->ring_next++ % RING_OPS];
	va_list ap;
	int n;

	n = snprintf(line, OP_TEXT, "t%d #%lu ", w->id, w->ops);
	va_start(ap, fmt);
	vsnprintf(line + n, OP_TEXT - n, fmt, ap);
	va_end(ap);
	if (trace)
		fprintf(stderr, "%s\n", line);
}

/* Async-signal-safe enough: the rings are fixed arrays of strings. */
static void dump_rings(void)
{
	static const char head[] = "# last ops of each worker (oldest first):\n";
	int i;
	unsigned int k;

	if (write(2, head, sizeof(head) - 1) < 0)
		return;
	for (i = 0; i < nr_workers; i++) {
		struct worker *w = &workers[i];

		for (k = 0; k < RING_OPS; k++) {
			const char *line = w->ring[(w->ring_next + k) % RING_OPS];
			size_t len = strnlen(line, OP_TEXT);

			if (!len)
				continue;
			if (write(2, "# ", 2) < 0 || write(2, line, len) < 0 ||
			    write(2, "\n", 1) < 0)
				return;
		}
	}
}

/* Fails the ABI check when a documented error did not come back. */
static void expect_errno(struct worker *w, enum ioc ioc, long ret, int err,
			 int want, const char *what)
{
	/* A racing close() may have taken the fd (or given its number away). */
	if (ret < 0 && (err == want || err == EBADF || err == ENOTTY))
		return;
	/* The slot checks may see an occupied slot before the flags. */
	if (ioc == IOC_SET_USER_MEMORY_REGION && ret < 0 && err == EEXIST)
		return;
	count_add(&oracle_failures);
	fprintf(stderr, "# ABI: t%d %s %s: got %ld errno %d (%s), want %s\n",
		w->id, ioc_info[ioc].name, what, ret, ret < 0 ? err : 0,
		ret < 0 ? strerror(err) : "success", strerror(want));
}

/* ------------------------------------------------------- object table */

enum kind { K_FREE, K_DEV, K_VM, K_VCPU, K_CHAN, NR_KINDS };
static const char *const kind_name[NR_KINDS] = { "-", "dev", "vm", "vcpu", "chan" };

struct fd_ent {
	enum kind kind;
	int fd;
	int vm;			/* vCPU, channel: the VM's entry (may be gone) */
	int run_map;		/* vCPU: its run page mapping, or -1 */
	int mem_map;		/* VM, vCPU: the guest memory in slot 0, or -1 */
	uint32_t mem_gen;
	uint32_t run_gen;
	uint64_t mem_size;
};

enum map_kind { M_FREE, M_RUN, M_MEM, M_CHAN, M_HOLE };

struct map_ent {
	enum map_kind kind;
	uint8_t *addr;
	size_t len;
	bool writable;
	uint32_t gen;
};

static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static struct fd_ent fds[MAX_FDS];
static struct map_ent maps[MAX_MAPS];
static uint32_t map_gen;

static long vcpu_mmap_size = PAGE;

static void lock(void)
{
	pthread_mutex_lock(&table_lock);
}

static void unlock(void)
{
	pthread_mutex_unlock(&table_lock);
}

/* Called locked: a random live entry of the kind (K_FREE: any), or -1. */
static int pick_fd(struct rng *r, enum kind kind)
{
	int idx[MAX_FDS], n = 0, i;

	for (i = 0; i < MAX_FDS; i++)
		if (fds[i].kind != K_FREE && (kind == K_FREE || fds[i].kind == kind))
			idx[n++] = i;
	return n ? idx[below(r, n)] : -1;
}

static int count_fds(enum kind kind)
{
	int i, n = 0;

	for (i = 0; i < MAX_FDS; i++)
		n += fds[i].kind == kind;
	return n;
}

/*
 * Called locked.  A full table makes room by closing a random entry, as
 * syzkaller recycles resources: objects keep coming and going.
 */
static int add_fd(struct rng *r, enum kind kind, int fd, int vm)
{
	int i = MAX_FDS;

	while (i == MAX_FDS) {
		for (i = 0; i < MAX_FDS; i++)
			if (fds[i].kind == K_FREE)
				break;
		if (i == MAX_FDS) {
			int victim = below(r, MAX_FDS);

			close(fds[victim].fd);
			fds[victim].kind = K_FREE;
		}
	}
	fds[i] = (struct fd_ent){ .kind = kind, .fd = fd, .vm = vm,
				  .run_map = -1, .mem_map = -1 };
	return i;
}

/* Called locked; a full table unmaps a random mapping (never the hole). */
static int add_map(struct rng *r, enum map_kind kind, void *addr, size_t len, bool writable)
{
	int i = MAX_MAPS;

	while (i == MAX_MAPS) {
		for (i = 0; i < MAX_MAPS; i++)
			if (maps[i].kind == M_FREE)
				break;
		if (i == MAX_MAPS) {
			int victim = below(r, MAX_MAPS);

			/* Run pages mostly stay: without them no exit can be read. */
			if (maps[victim].kind == M_RUN && !one_in(r, 8))
				continue;
			if (maps[victim].kind != M_HOLE) {
				munmap(maps[victim].addr, maps[victim].len);
				maps[victim].kind = M_FREE;
			}
		}
	}
	maps[i] = (struct map_ent){ .kind = kind, .addr = addr, .len = len,
				    .writable = writable, .gen = ++map_gen };
	return i;
}

static int pick_map(struct rng *r, enum map_kind kind)
{
	int idx[MAX_MAPS], n = 0, i;

	for (i = 0; i < MAX_MAPS; i++)
		if (maps[i].kind != M_FREE && (kind == M_FREE || maps[i].kind == kind))
			idx[n++] = i;
	return n ? idx[below(r, n)] : -1;
}

/* Called locked: the mapping if it is still the one the entry recorded. */
static struct map_ent *live_map(int m, uint32_t gen, enum map_kind kind)
{
	if (m < 0 || maps[m].kind != kind || maps[m].gen != gen)
		return NULL;
	return &maps[m];
}

/*
 * The fuzzer's own reads and writes of run pages and guest memory run
 * under a guard: a SIGBUS or SIGSEGV there is the kernel's doing (hvx's
 * fault handler, a mapping hvx accepted that it should not have) and is
 * counted and described, not fatal.  Used locked, so the table still says
 * which mapping it was.
 */
static __thread sigjmp_buf *touch_env;
static __thread void *touch_addr;
static __thread int touch_sig;


/* Called locked after a guarded touch faulted. */
static void touch_fault(struct worker *w, const char *what)
{
	int i;

	touch_env = NULL;
	count_add(&touch_faults);
	for (i = 0; i < MAX_MAPS; i++)
		if (maps[i].kind != M_FREE && (uint8_t *)touch_addr >= maps[i].addr &&
		    (uint8_t *)touch_addr < maps[i].addr + maps[i].len)
			break;
	fprintf(stderr, "# touch: t%d %s: signal %d at %p, in map %d kind %d len %zu\n",
		w->id, what, touch_sig, touch_addr, i < MAX_MAPS ? i : -1,
		i < MAX_MAPS ? (int)maps[i].kind : -1, i < MAX_MAPS ? maps[i].len : 0);
	note(w, "touch fault in %s at %p", what, touch_addr);
}

/* -------------------------------------------------------- guest code */

#define SNIPPET(name) extern const uint8_t name[], name##_end[]
SNIPPET(fz_out_loop);
SNIPPET(fz_in_loop);
SNIPPET(fz_hlt);
SNIPPET(fz_sti_hlt);
SNIPPET(fz_spin_write);
SNIPPET(fz_mmio);
SNIPPET(fz_msr);
SNIPPET(fz_tsc_deadline);
SNIPPET(fz_lapic);
SNIPPET(fz_ioapic);
SNIPPET(fz_cpuid);
SNIPPET(fz_vmcall);
SNIPPET(fz_cr);
SNIPPET(fz_triple);
SNIPPET(fz_string_io);
#undef SNIPPET

#define PROG(name) { #name, name, name##_end }
static const struct prog {
	const char *name;
	const uint8_t *start, *end;
} progs[] = {
	PROG(fz_out_loop), PROG(fz_in_loop), PROG(fz_hlt), PROG(fz_sti_hlt),
	PROG(fz_spin_write), PROG(fz_mmio), PROG(fz_msr), PROG(fz_tsc_deadline),
	PROG(fz_lapic), PROG(fz_ioapic), PROG(fz_cpuid), PROG(fz_vmcall),
	PROG(fz_cr), PROG(fz_triple), PROG(fz_string_io),
	{ "random-bytes", NULL, NULL },
};
#define NR_PROGS (sizeof(progs) / sizeof(progs[0]))

static uint64_t mailbox_value(struct rng *r, const struct prog *p, int word)
{
	static const uint32_t msrs[] = {
		0x10, 0x1b, 0x3a, 0x48, 0x49, 0x174, 0x175, 0x176, 0x277,
		0x6e0, 0x802, 0x808, 0x80b, 0x830, 0x838, 0xc0000080,
		0xc0000081, 0xc0000100, 0xc0000101, 0xc0000102, 0x40000000,
	};
	static const uint32_t mmio[] = {
		0x100000, 0x0ffffc, 0x7ffffff8, 0xfebffffc, 0xfec00000,
		0xfec00010, 0xfee00000, 0xfee00300, 0xfee00ff8, 0xfffffffc,
		0xa0000, 0x1ff000,
	};
	static const uint32_t hypercalls[] = {
		HVX_HC_VMBUS_CONNECT, HVX_HC_VMBUS_DISCONNECT,
		HVX_HC_VMBUS_RECV_MSG, HVX_HC_VMBUS_OPEN, HVX_HC_VMBUS_CLOSE,
		HVX_HC_VMBUS_RELEASE, HVX_HC_VMBUS_SIGNAL, 0, 1,
	};
	static const uint64_t deadlines[] = { 0, 1, 2, ~0ULL, ~0ULL >> 1, 1000, 1ULL << 63 };

	if (p->start == fz_msr && word == 0) {
		uint32_t msr = one_in(r, 4) ? rnd(r) : PICK(r, msrs);

		return (avoid & AVOID_TSC_DEADLINE) && msr == 0x6e0 ? 0x10 : msr;
	}
	if (p->start == fz_mmio && word == 0)
		return one_in(r, 4) ? rnd(r) : PICK(r, mmio) + below(r, 8);
	if (p->start == fz_vmcall && (word == 0 || word == 2))
		return one_in(r, 4) ? rnd(r) : PICK(r, hypercalls);
	if (p->start == fz_vmcall && (word == 1 || word == 3))
		return one_in(r, 2) ? below(r, 0x40000) & ~7ULL : rnd_u64(r);
	if (p->start == fz_tsc_deadline && word == 0) {
		uint64_t d = PICK(r, deadlines);

		/* words 0 and 1 are the low and high halves */
		return d;
	}
	if (p->start == fz_string_io && word < 2)
		return below(r, 64);
	return rnd_u64(r);
}

/*
 * Called locked with a writable guest memory mapping: the program at
 * FZ_CODE_GPA, its mailbox filled.
 */
static void load_prog(struct rng *r, struct map_ent *mem, const struct prog *p)
{
	uint32_t *mailbox = (uint32_t *)(mem->addr + FZ_MAILBOX);
	int i;

	if ((avoid & AVOID_TSC_DEADLINE) && p->start == fz_tsc_deadline)
		p = &progs[0];

	if (p->start) {
		memcpy(mem->addr + FZ_CODE_GPA, p->start, p->end - p->start);
	} else {
		for (i = 0; i < 64; i++)
			mem->addr[FZ_CODE_GPA + i] = rnd(r);
	}
	for (i = 0; i < 4; i++)
		mailbox[i] = mailbox_value(r, p, i);
	if (p->start == fz_tsc_deadline) {
		uint64_t d = mailbox_value(r, p, 0);

		mailbox[0] = d;
		mailbox[1] = d >> 32;
	}
}

/* -------------------------------------------------------- vCPU state */

static struct hvx_segment flat_seg(uint16_t sel, uint8_t type)
{
	return (struct hvx_segment){
		.limit = 0xffffffff, .selector = sel, .type = type,
		.present = 1, .s = 1, .db = 1, .g = 1,
	};
}

/* 32-bit protected mode, flat segments, no paging: what the programs expect. */
static void flat32_sregs(struct hvx_sregs *s)
{
	s->cs = flat_seg(8, 0xb);
	s->ds = s->es = s->fs = s->gs = s->ss = flat_seg(16, 0x3);
	s->tr = (struct hvx_segment){ .limit = 0x67, .type = 0xb, .present = 1 };
	s->ldt = (struct hvx_segment){ .limit = 0xffff, .type = 0x2, .present = 1,
				       .unusable = 1 };
	s->gdt = (struct hvx_dtable){ .limit = 0xffff };
	s->idt = (struct hvx_dtable){ .limit = 0x3ff };
	s->cr0 = 0x31;		/* PE, ET, NE */
	s->cr3 = 0;
	s->cr4 = 0;
	s->efer = 0;
	memset(s->reserved, 0, sizeof(s->reserved));
}

static void mutate_segment(struct rng *r, struct hvx_segment *g)
{
	switch (below(r, 10)) {
	case 0: g->base = rnd_u64(r); break;
	case 1: g->limit = rnd_u64(r); break;
	case 2: g->selector = rnd(r); break;
	case 3: g->type = below(r, 2) ? below(r, 16) : rnd(r); break;
	case 4: g->present = rnd(r); g->dpl = rnd(r); break;
	case 5: g->db = rnd(r); g->l = rnd(r); break;
	case 6: g->s = rnd(r); g->g = rnd(r); g->avl = rnd(r); break;
	case 7: g->unusable = below(r, 2) ? below(r, 2) : rnd(r); break;
	case 8: g->padding = rnd(r) | 1; break;
	default: memset(g, 0, sizeof(*g)); break;
	}
}

/* Returns true when a reserved field was made non-zero (EINVAL is certain). */
static bool mutate_sregs(struct rng *r, struct hvx_sregs *s)
{
	static const uint64_t cr0s[] = {
		0, 0x80000000, 0x80000001, 0x80000031, 0x20000000, 0x60000031,
		0x31, 0x11, 0x10, 0xffffffff, ~0ULL, 1ULL << 32,
	};
	static const uint64_t efers[] = {
		0, 1, 4, 0x100, 0x400, 0x500, 0x800, 0xd01, 0x2000, ~0ULL,
	};
	struct hvx_segment *segs[] = {
		&s->cs, &s->ds, &s->es, &s->fs, &s->gs, &s->ss, &s->tr, &s->ldt,
	};
	bool reserved = false;
	int n = 1 + below(r, 3);

	while (n--) {
		switch (below(r, 12)) {
		case 0: s->cr0 = one_in(r, 2) ? PICK(r, cr0s) : s->cr0 ^ (1ULL << below(r, 64)); break;
		case 1: s->cr4 = one_in(r, 2) ? rnd_u64(r) : s->cr4 ^ (1ULL << below(r, 32)); break;
		case 2: s->efer = one_in(r, 2) ? PICK(r, efers) : s->efer ^ (1ULL << below(r, 64)); break;
		case 3: s->cr3 = rnd_u64(r); break;
		case 4: s->cr2 = rnd_u64(r); s->cr8 = one_in(r, 2) ? below(r, 16) : rnd_u64(r); break;
		case 5: s->apic_base = one_in(r, 2) ? 0xfee00900 ^ (1ULL << below(r, 64)) : rnd_u64(r); break;
		case 6: case 7: case 8: mutate_segment(r, PICK(r, segs)); break;
		case 9: s->gdt.base = rnd_u64(r); s->gdt.limit = rnd(r); break;
		case 10: s->idt.base = rnd_u64(r); s->idt.limit = rnd(r);
			 if (one_in(r, 8)) {
				 s->idt.padding[below(r, 3)] = rnd(r) | 1;
			 }
			 break;
		default:
			s->reserved[below(r, 4)] = rnd(r) | 1;
			reserved = true;
			break;
		}
	}
	return reserved;
}

static void mutate_regs(struct rng *r, struct hvx_regs *g)
{
	static const uint64_t rips[] = {
		FZ_CODE_GPA, 0, 0xfff0, 0xfffffff0, 0x7ffffffffffULL,
		0x800000000000ULL, 0xffff7fffffffffffULL, ~0ULL,
	};
	uint64_t *words = (uint64_t *)g;
	int n = below(r, 3);

	while (n--) {
		switch (below(r, 4)) {
		case 0: g->rip = PICK(r, rips); break;
		case 1: g->rflags = one_in(r, 2) ? 2 | (1ULL << below(r, 64)) : rnd_u64(r); break;
		case 2: g->rsp = rnd_u64(r); break;
		default: words[below(r, 16)] = rnd_u64(r); break;
		}
	}
}

static const uint32_t cpuid_functions[] = {
	0, 1, 2, 4, 6, 7, 0xa, 0xb, 0xd, 0xf, 0x10, 0x14, 0x15, 0x16, 0x1f,
	0x40000000, 0x40000001, 0x80000000, 0x80000001, 0x80000007,
	0x80000008, 0xffffffff,
};

/*
 * Fills a struct hvx_cpuid in the worker's scratch (16 pages, a guard
 * page after them) and returns the certain errno, or 0.
 */
static int make_cpuid(struct worker *w, struct hvx_cpuid **out, char *desc, size_t dlen)
{
	static const uint32_t nents[] = {
		0, 1, 2, 255, 256, 257, 0x7fffffff, 0x80000000, 0xffffffff,
	};
	struct rng *r = &w->rng;
	struct hvx_cpuid *c;
	uint32_t nent, room, i;
	size_t bytes;
	bool dup = one_in(r, 4);
	int certain = 0;

	nent = one_in(r, 2) ? PICK(r, nents) : below(r, 40);
	room = nent < 300 ? nent : 300;
	bytes = sizeof(*c) + room * sizeof(c->entries[0]);
	/* End the array at the guard page, so an overread faults. */
	c = (struct hvx_cpuid *)(w->scratch + 16 * PAGE - bytes);
	memset(c, 0, bytes);
	c->nent = nent;
	if (one_in(r, 16))
		c->padding = rnd(r) | 1;
	for (i = 0; i < room; i++) {
		struct hvx_cpuid_entry *e = &c->entries[i];

		e->function = dup ? 0x40000000 : one_in(r, 8) ? rnd(r) : PICK(r, cpuid_functions);
		e->index = dup ? 0 : below(r, 4);
		e->flags = one_in(r, 16) ? rnd(r) : below(r, 2);
		e->eax = rnd(r);
		e->ebx = rnd(r);
		e->ecx = rnd(r);
		e->edx = rnd(r);
		if (one_in(r, 64))
			e->reserved[below(r, 3)] = rnd(r) | 1;
	}
	if (nent > HVX_MAX_CPUID_ENTRIES && !c->padding)
		certain = E2BIG;
	snprintf(desc, dlen, "nent=%u%s", nent, dup ? " dup" : "");
	*out = c;
	return certain;
}

/* -------------------------------------------------------------- ops */

static bool is_vcpu_cmd(unsigned long cmd)
{
	return cmd == HVX_RUN || cmd == HVX_GET_REGS || cmd == HVX_SET_REGS ||
	       cmd == HVX_GET_SREGS || cmd == HVX_SET_SREGS ||
	       cmd == HVX_SET_CPUID || cmd == HVX_GET_STATS;
}

static long do_ioctl(enum ioc ioc, int fd, unsigned long cmd, unsigned long arg, int *err)
{
	pthread_mutex_t *serial = NULL;
	long ret;

	if ((avoid & AVOID_VCPU_RACES) && is_vcpu_cmd(cmd) && fd >= 0)
		serial = &vcpu_locks[fd % NR_VCPU_LOCKS];
	if (serial)
		pthread_mutex_lock(serial);
	ret = ioctl(fd, cmd, arg);
	*err = ret < 0 ? errno : 0;
	if (serial)
		pthread_mutex_unlock(serial);
	record(ioc, ret, *err);
	return ret;
}

/* Sets up a vCPU to run a program: code, mailbox, registers, segments. */
static void prepare_vcpu(struct worker *w, int fd, int e, const struct prog *p)
{
	struct rng *r = &w->rng;
	struct hvx_sregs s;
	struct hvx_regs g;
	struct map_ent *mem;
	int err;

	sigjmp_buf env;

	lock();
	mem = fds[e].kind == K_VCPU && fds[e].fd == fd ?
		live_map(fds[e].mem_map, fds[e].mem_gen, M_MEM) : NULL;
	if (mem && mem->writable) {
		if (sigsetjmp(env, 1) == 0) {
			touch_env = &env;
			load_prog(r, mem, p);
		} else {
			touch_fault(w, "load guest program");
		}
		touch_env = NULL;
	}
	unlock();
	if (do_ioctl(IOC_GET_SREGS, fd, HVX_GET_SREGS, (unsigned long)&s, &err))
		memset(&s, 0, sizeof(s));
	flat32_sregs(&s);
	do_ioctl(IOC_SET_SREGS, fd, HVX_SET_SREGS, (unsigned long)&s, &err);
	g = (struct hvx_regs){ .rip = FZ_CODE_GPA, .rsp = FZ_STACK, .rflags = 2,
			       .rdx = 0x1a };
	do_ioctl(IOC_SET_REGS, fd, HVX_SET_REGS, (unsigned long)&g, &err);
	note(w, "prepare vcpu fd %d prog %s", fd, p->name);
}

static size_t rnd_mem_size(struct rng *r)
{
	static const size_t sizes[] = { 64 << 10, 128 << 10, 1 << 20, 2 << 20 };

	return PICK(r, sizes);
}

/* A whole VM that can run: VM, memory in slot 0, vCPU 0, run page, program. */
static void op_build_vm(struct worker *w)
{
	struct rng *r = &w->rng;
	struct hvx_user_memory_region region = { 0 };
	int dev, vm, vcpu, err, ve, ce = -1, mm, rm = -1;
	size_t size = rnd_mem_size(r);
	uint8_t *mem, *run;

	lock();
	if (count_fds(K_VM) >= MAX_VMS) {
		unlock();
		note(w, "build-vm: enough VMs");
		return;
	}
	unlock();
	dev = open("/dev/hvx", O_RDWR | O_CLOEXEC);
	record(IOC_OPEN, dev, errno);
	if (dev < 0)
		return;
	vm = do_ioctl(IOC_CREATE_VM, dev, HVX_CREATE_VM, 0, &err);
	close(dev);
	if (vm < 0) {
		note(w, "build-vm: CREATE_VM errno %d", err);
		return;
	}
	mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		close(vm);
		return;
	}
	region.memory_size = size;
	region.userspace_addr = (uintptr_t)mem;
	do_ioctl(IOC_SET_USER_MEMORY_REGION, vm, HVX_SET_USER_MEMORY_REGION,
		 (unsigned long)&region, &err);
	vcpu = do_ioctl(IOC_CREATE_VCPU, vm, HVX_CREATE_VCPU, 0, &err);
	run = vcpu >= 0 ? mmap(NULL, vcpu_mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0)
			: MAP_FAILED;
	record(IOC_MMAP_RUN, run == MAP_FAILED ? -1 : 0, errno);

	lock();
	ve = add_fd(r, K_VM, vm, -1);
	mm = add_map(r, M_MEM, mem, size, true);
	fds[ve].mem_map = mm;
	fds[ve].mem_gen = maps[mm].gen;
	fds[ve].mem_size = size;
	if (vcpu >= 0) {
		ce = add_fd(r, K_VCPU, vcpu, ve);
		if (run != MAP_FAILED)
			rm = add_map(r, M_RUN, run, vcpu_mmap_size, true);
		fds[ce].run_map = rm;
		fds[ce].run_gen = rm >= 0 ? maps[rm].gen : 0;
		fds[ce].mem_map = mm;
		fds[ce].mem_gen = maps[mm].gen;
		fds[ce].mem_size = size;
	}
	unlock();
	note(w, "build-vm vm fd %d mem %zu kB vcpu fd %d", vm, size >> 10, vcpu);
	if (ce >= 0)
		prepare_vcpu(w, vcpu, ce, &progs[below(r, NR_PROGS)]);
}

static void op_dev(struct worker *w)
{
	struct rng *r = &w->rng;
	int dev, err, e;
	long ret;
	unsigned long arg;

	lock();
	e = pick_fd(r, K_DEV);
	dev = e >= 0 ? fds[e].fd : -1;
	unlock();
	if (dev < 0 || one_in(r, 8)) {
		dev = open("/dev/hvx", O_RDWR | O_CLOEXEC);
		record(IOC_OPEN, dev, errno);
		if (dev < 0)
			return;
		lock();
		if (count_fds(K_DEV) >= 4) {
			unlock();
			close(dev);
			note(w, "open /dev/hvx (dropped again)");
			return;
		}
		add_fd(r, K_DEV, dev, -1);
		unlock();
		note(w, "open /dev/hvx fd %d", dev);
		return;
	}
	arg = one_in(r, 3) ? rnd_u64(r) : 0;
	switch (below(r, 5)) {
	case 0:
		ret = do_ioctl(IOC_GET_API_VERSION, dev, HVX_GET_API_VERSION, arg, &err);
		if (!arg && ret != HVX_API_VERSION)
			expect_errno(w, IOC_GET_API_VERSION, ret, err, 0, "arg 0");
		note(w, "GET_API_VERSION dev %d arg %#lx -> %ld", dev, arg, ret);
		break;
	case 1:
		ret = do_ioctl(IOC_GET_VCPU_MMAP_SIZE, dev, HVX_GET_VCPU_MMAP_SIZE, arg, &err);
		note(w, "GET_VCPU_MMAP_SIZE dev %d arg %#lx -> %ld", dev, arg, ret);
		break;
	case 2:
		ret = do_ioctl(IOC_GET_TSC_KHZ, dev, HVX_GET_TSC_KHZ, arg, &err);
		note(w, "GET_TSC_KHZ dev %d arg %#lx -> %ld", dev, arg, ret);
		break;
	default:
		/* A VM without memory or vCPU: the table keeps it for the others. */
		ret = do_ioctl(IOC_CREATE_VM, dev, HVX_CREATE_VM, arg, &err);
		note(w, "CREATE_VM dev %d flags %#lx -> %ld errno %d", dev, arg, ret, err);
		if (ret < 0)
			break;
		lock();
		if (count_fds(K_VM) >= MAX_VMS + 2) {
			unlock();
			close(ret);
			break;
		}
		add_fd(r, K_VM, ret, -1);
		unlock();
		break;
	}
}

/*
 * A host address for a slot: ours, read-only, the run page, holes, wild.
 * Never one that may be the fuzzer's own image, heap or stacks: the guest
 * would write there, as the VMM asked, and crash the fuzzer.
 */
static uint64_t rnd_hva(struct rng *r, uint64_t *size_hint, bool any_size)
{
	static const uint64_t wild[] = {
		0, PAGE, 0x10000 - PAGE, 1ULL << 47, (1ULL << 47) + PAGE,
		~0ULL & ~(PAGE - 1), 0xffffffffff600000ULL,
		0xffff888000000000ULL, 0x8000000000000000ULL,
	};
	uint64_t addr, len, off;
	int m;

	/* A slot of any size starts only where it cannot reach our own memory. */
	switch (any_size ? 4 + below(r, 2) : below(r, 6)) {
	case 0: case 1: case 2:
		lock();
		m = pick_map(r, M_FREE);
		addr = m >= 0 ? (uintptr_t)maps[m].addr : (uintptr_t)hole;
		len = m >= 0 ? maps[m].len : PAGE;
		unlock();
		off = one_in(r, 4) ? PAGE * below(r, len / PAGE) : 0;
		*size_hint = len - off;
		return addr + off;
	case 3:
		len = PAGE << below(r, 8);
		*size_hint = len;
		return (uintptr_t)hole + PAGE * below(r, (HOLE_SIZE - len) / PAGE + 1);
	case 4:
		*size_hint = PAGE << below(r, 4);
		return PICK(r, wild);
	default:
		/* Non-canonical or kernel: bit 47 set, and maybe more above it. */
		*size_hint = rnd_u64(r);
		return (rnd_u64(r) | 1ULL << (47 + below(r, 17))) & ~(PAGE - 1);
	}
}

static void op_slot(struct worker *w)
{
	struct rng *r = &w->rng;
	struct hvx_user_memory_region region;
	uint64_t hint = PAGE;
	int e, vm, err;
	long ret;
	bool certain_einval = false;

	lock();
	e = pick_fd(r, K_VM);
	vm = e >= 0 ? fds[e].fd : -1;
	unlock();
	if (vm < 0)
		return;
	region = (struct hvx_user_memory_region){
		.slot = one_in(r, 4) ? rnd_u64(r) : below(r, 4),
		.flags = one_in(r, 4) ? HVX_MEM_READONLY : 0,
		.guest_phys_addr = one_in(r, 2) ? PAGE * below(r, 0x400) : rnd_u64(r),
	};
	switch (below(r, 5)) {
	case 0:
		region.userspace_addr = rnd_hva(r, &hint, false);
		region.memory_size = 0;		/* delete */
		break;
	case 1:
		region.userspace_addr = rnd_hva(r, &hint, true);
		region.memory_size = rnd_u64(r);
		break;
	default:
		region.userspace_addr = rnd_hva(r, &hint, false);
		region.memory_size = hint & ~(PAGE - 1);
		break;
	}
	if (one_in(r, 16)) {
		region.flags |= 1U << (1 + below(r, 31));
		certain_einval = true;
	}
	if (one_in(r, 32)) {
		region.slot = HVX_MAX_MEM_SLOTS + below(r, 100);
		certain_einval = true;
	}
	ret = do_ioctl(IOC_SET_USER_MEMORY_REGION, vm, HVX_SET_USER_MEMORY_REGION,
		       (unsigned long)&region, &err);
	note(w, "SET_USER_MEMORY_REGION vm %d slot %u flags %#x gpa %#llx size %#llx hva %#llx -> %ld errno %d",
	     vm, region.slot, region.flags, (unsigned long long)region.guest_phys_addr,
	     (unsigned long long)region.memory_size,
	     (unsigned long long)region.userspace_addr, ret, err);
	if (certain_einval && region.memory_size)
		expect_errno(w, IOC_SET_USER_MEMORY_REGION, ret, err, EINVAL,
			     "unknown flag or slot out of range");
}

static void op_create_vcpu(struct worker *w)
{
	struct rng *r = &w->rng;
	static const unsigned long ids[] = {
		0, 0, 0, 1, HVX_MAX_VCPUS, 255, 256, 0x7fffffff, 0xffffffff, ~0UL,
	};
	int e, vm, err, ce, m;
	unsigned long id = PICK(r, ids);
	void *run;
	long ret;

	lock();
	e = pick_fd(r, K_VM);
	vm = e >= 0 ? fds[e].fd : -1;
	unlock();
	if (vm < 0)
		return;
	ret = do_ioctl(IOC_CREATE_VCPU, vm, HVX_CREATE_VCPU, id, &err);
	note(w, "CREATE_VCPU vm %d id %#lx -> %ld errno %d", vm, id, ret, err);
	if (ret < 0)
		return;
	/* As a VMM would, mostly: the run page right away. */
	run = one_in(r, 4) ? MAP_FAILED :
		mmap(NULL, vcpu_mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, ret, 0);
	lock();
	ce = add_fd(r, K_VCPU, ret, e);
	if (fds[e].kind == K_VM) {
		fds[ce].mem_map = fds[e].mem_map;
		fds[ce].mem_gen = fds[e].mem_gen;
		fds[ce].mem_size = fds[e].mem_size;
	}
	if (run != MAP_FAILED) {
		m = add_map(r, M_RUN, run, vcpu_mmap_size, true);
		fds[ce].run_map = m;
		fds[ce].run_gen = maps[m].gen;
	}
	unlock();
}

static void op_mmap_run(struct worker *w)
{
	struct rng *r = &w->rng;
	static const size_t lens[] = { PAGE, PAGE, 2 * PAGE, 1 };
	static const off_t offs[] = { 0, 0, 0, PAGE, -PAGE };
	size_t len = PICK(r, lens);
	off_t off = PICK(r, offs);
	int e, fd, m = -1;
	void *p;

	lock();
	e = pick_fd(r, one_in(r, 8) ? K_FREE : K_VCPU);
	fd = e >= 0 ? fds[e].fd : -1;
	unlock();
	if (fd < 0)
		return;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);
	record(IOC_MMAP_RUN, p == MAP_FAILED ? -1 : 0, errno);
	note(w, "mmap fd %d len %zu off %lld -> %s", fd, len, (long long)off,
	     p == MAP_FAILED ? strerror(errno) : "ok");
	if (p == MAP_FAILED)
		return;
	lock();
	if (fds[e].kind == K_VCPU && fds[e].fd == fd)
		m = add_map(r, M_RUN, p, len, true);
	if (m >= 0 && (fds[e].run_map < 0 || one_in(r, 2))) {
		fds[e].run_map = m;
		fds[e].run_gen = maps[m].gen;
	}
	unlock();
	if (m < 0)
		munmap(p, len);
}

static void op_mmap_mem(struct worker *w)
{
	struct rng *r = &w->rng;
	size_t len = one_in(r, 3) ? PAGE << below(r, 6) : rnd_mem_size(r);
	bool ro = one_in(r, 4);
	int flags = MAP_ANONYMOUS | (one_in(r, 4) ? MAP_SHARED : MAP_PRIVATE);
	uint8_t *p;

	p = mmap(NULL, len, ro ? PROT_READ : PROT_READ | PROT_WRITE, flags, -1, 0);
	if (p == MAP_FAILED)
		return;
	if (!ro && one_in(r, 4))
		madvise(p, len, MADV_HUGEPAGE);
	lock();
	add_map(r, M_MEM, p, len, !ro);
	unlock();
	note(w, "mmap memory %zu kB%s%s", len >> 10, ro ? " read-only" : "",
	     flags & MAP_SHARED ? " shared" : "");
}

/* Unmaps (or protects, or drops) anything, run pages and guest memory included. */
static void op_munmap(struct worker *w)
{
	struct rng *r = &w->rng;
	int m, how = below(r, 4);
	const char *what = "munmap";

	lock();
	m = pick_map(r, M_FREE);
	if (m < 0 || maps[m].kind == M_HOLE) {
		unlock();
		return;
	}
	if (how == 0 && maps[m].kind == M_MEM) {
		mprotect(maps[m].addr, maps[m].len, PROT_READ);
		maps[m].writable = false;
		what = "mprotect read-only";
	} else if (how == 1 && maps[m].kind == M_MEM && maps[m].writable) {
		madvise(maps[m].addr, maps[m].len, MADV_DONTNEED);
		what = "madvise dontneed";
	} else {
		record(IOC_MUNMAP, munmap(maps[m].addr, maps[m].len), errno);
		maps[m].kind = M_FREE;
	}
	note(w, "%s %p len %zu", what, maps[m].addr, maps[m].len);
	unlock();
}

static void op_close(struct worker *w)
{
	struct rng *r = &w->rng;
	enum kind kind;
	int e, fd;

	lock();
	e = pick_fd(r, one_in(r, 2) ? K_FREE : one_in(r, 2) ? K_VM : K_CHAN);
	if (e < 0) {
		unlock();
		return;
	}
	fd = fds[e].fd;
	kind = fds[e].kind;
	fds[e].kind = K_FREE;
	unlock();
	/* Other workers may still be in an ioctl on fd: that is the point. */
	record(IOC_CLOSE, close(fd), errno);
	note(w, "close %s fd %d", kind_name[kind], fd);
}

/* Called locked: the vCPU's run page if it is still mapped. */
static struct hvx_run *run_page(int e, int fd)
{
	struct map_ent *m;

	if (fds[e].kind != K_VCPU || fds[e].fd != fd)
		return NULL;
	m = live_map(fds[e].run_map, fds[e].run_gen, M_RUN);
	return m && m->len >= sizeof(struct hvx_run) ? (struct hvx_run *)m->addr : NULL;
}

/* The VMM may write anything into the run page between runs. */
static void scribble_run(struct rng *r, struct hvx_run *run)
{
	uint8_t *b = (uint8_t *)run;
	int n;

	switch (below(r, 5)) {
	case 0:
		run->immediate_exit = 1;
		break;
	case 1:
		run->io.data_offset = rnd_u64(r);
		run->io.size = rnd(r);
		run->io.count = rnd_u64(r);
		break;
	case 2:
		run->mmio.len = rnd_u64(r);
		run->exit_reason = below(r, 8);
		break;
	case 3:
		for (n = 0; n < 4096; n++)
			b[n] = rnd(r);
		run->immediate_exit = 0;
		break;
	default:
		for (n = below(r, 16); n >= 0; n--)
			b[below(r, 512)] = rnd(r);
		break;
	}
}

/* Answers an exit as a VMM would (data for IN and MMIO reads). */
static int answer_exit(struct rng *r, struct hvx_run *run)
{
	uint32_t reason = run->exit_reason;

	/* The kernel's data_offset is trusted no further than the page. */
	if (reason == HVX_EXIT_IO && run->io.direction == HVX_EXIT_IO_IN &&
	    run->io.data_offset < PAGE) {
		uint64_t len = (uint64_t)run->io.size * run->io.count;
		uint64_t room = PAGE - run->io.data_offset;

		memset((uint8_t *)run + run->io.data_offset, rnd(r), len < room ? len : room);
	}
	if (reason == HVX_EXIT_MMIO && !run->mmio.is_write)
		memset(run->mmio.data, rnd(r), sizeof(run->mmio.data));
	if (one_in(r, 32))
		scribble_run(r, run);
	return reason < NR_EXIT_KINDS - 1 ? (int)reason : 0;
}

static void op_run(struct worker *w)
{
	struct rng *r = &w->rng;
	/*
	 * How many exits come before a kick is timing: answers to them draw
	 * from a stream of their own, so the op sequence does not depend on it.
	 */
	struct rng answers = { .s = rnd(r) };
	int e, fd, err, n, runs = 1 + below(r, 24);
	struct hvx_run *run;
	long ret = 0;
	int last = -1;

	sigjmp_buf env;
	bool clear = !one_in(r, 16);

	lock();
	e = pick_fd(r, K_VCPU);
	fd = e >= 0 ? fds[e].fd : -1;
	run = e >= 0 ? run_page(e, fd) : NULL;
	if (run && clear) {
		if (sigsetjmp(env, 1) == 0) {
			touch_env = &env;
			run->immediate_exit = 0;
		} else {
			touch_fault(w, "clear immediate_exit");
		}
		touch_env = NULL;
	}
	unlock();
	if (fd < 0)
		return;
	if (one_in(r, 3))
		prepare_vcpu(w, fd, e, &progs[below(r, NR_PROGS)]);
	for (n = 0; n < runs && !stop; n++) {
		ret = do_ioctl(IOC_RUN, fd, HVX_RUN, one_in(&answers, 64) ? 1 : 0, &err);
		if (ret < 0) {
			if (err == EINTR)
				count_add(&exit_count[EXIT_SEEN_EINTR]);
			break;
		}
		lock();
		run = run_page(e, fd);
		last = -1;
		if (run) {
			if (sigsetjmp(env, 1) == 0) {
				touch_env = &env;
				last = answer_exit(&answers, run);
			} else {
				touch_fault(w, "read the exit");
			}
			touch_env = NULL;
		}
		unlock();
		if (last >= 0)
			count_add(&exit_count[last]);
		if (last != HVX_EXIT_IO && last != HVX_EXIT_MMIO)
			break;
	}
	note(w, "RUN vcpu %d x%d -> %ld errno %d exit %s", fd, n, ret,
	     ret < 0 ? err : 0, last >= 0 ? exit_name[last] : "?");
}

static void op_vcpu_state(struct worker *w)
{
	struct rng *r = &w->rng;
	struct hvx_sregs s;
	struct hvx_regs g;
	struct hvx_vcpu_stats st;
	struct hvx_cpuid *c;
	char desc[48];
	int e, fd, err, certain;
	long ret;

	lock();
	e = pick_fd(r, one_in(r, 16) ? K_FREE : K_VCPU);
	fd = e >= 0 ? fds[e].fd : -1;
	unlock();
	if (fd < 0)
		return;
	switch (below(r, 8)) {
	case 0:
		ret = do_ioctl(IOC_GET_REGS, fd, HVX_GET_REGS, (unsigned long)&g, &err);
		note(w, "GET_REGS fd %d -> %ld", fd, ret);
		break;
	case 1: case 2:
		if (do_ioctl(IOC_GET_REGS, fd, HVX_GET_REGS, (unsigned long)&g, &err))
			memset(&g, 0, sizeof(g));
		mutate_regs(r, &g);
		ret = do_ioctl(IOC_SET_REGS, fd, HVX_SET_REGS, (unsigned long)&g, &err);
		note(w, "SET_REGS fd %d rip %#llx rflags %#llx -> %ld errno %d", fd,
		     (unsigned long long)g.rip, (unsigned long long)g.rflags, ret, err);
		break;
	case 3:
		ret = do_ioctl(IOC_GET_SREGS, fd, HVX_GET_SREGS, (unsigned long)&s, &err);
		note(w, "GET_SREGS fd %d -> %ld", fd, ret);
		break;
	case 4: case 5: {
		bool reserved;

		if (do_ioctl(IOC_GET_SREGS, fd, HVX_GET_SREGS, (unsigned long)&s, &err))
			memset(&s, 0, sizeof(s));
		if (one_in(r, 2))
			flat32_sregs(&s);
		reserved = mutate_sregs(r, &s);
		ret = do_ioctl(IOC_SET_SREGS, fd, HVX_SET_SREGS, (unsigned long)&s, &err);
		note(w, "SET_SREGS fd %d cr0 %#llx cr4 %#llx efer %#llx cs.type %u -> %ld errno %d",
		     fd, (unsigned long long)s.cr0, (unsigned long long)s.cr4,
		     (unsigned long long)s.efer, s.cs.type, ret, err);
		if (reserved)
			expect_errno(w, IOC_SET_SREGS, ret, err, EINVAL, "reserved field set");
		break;
	}
	case 6:
		certain = make_cpuid(w, &c, desc, sizeof(desc));
		ret = do_ioctl(IOC_SET_CPUID, fd, HVX_SET_CPUID, (unsigned long)c, &err);
		note(w, "SET_CPUID fd %d %s -> %ld errno %d", fd, desc, ret, err);
		if (certain)
			expect_errno(w, IOC_SET_CPUID, ret, err, certain, desc);
		break;
	default:
		ret = do_ioctl(IOC_GET_STATS, fd, HVX_GET_STATS,
			       one_in(r, 16) ? rnd_bad_ptr(r) : (unsigned long)&st, &err);
		note(w, "GET_STATS fd %d -> %ld errno %d", fd, ret, err);
		break;
	}
}

static void op_scribble(struct worker *w)
{
	struct rng *r = &w->rng;
	struct hvx_run *run;
	sigjmp_buf env;
	int e;

	lock();
	e = pick_fd(r, K_VCPU);
	run = e >= 0 ? run_page(e, fds[e].fd) : NULL;
	/* The stream must not depend on a fault: the bytes come from a sub-stream. */
	if (run) {
		struct rng bytes = { .s = rnd(r) };

		if (sigsetjmp(env, 1) == 0) {
			touch_env = &env;
			scribble_run(&bytes, run);
		} else {
			touch_fault(w, "scribble on the run page");
		}
		touch_env = NULL;
	}
	unlock();
	note(w, "scribble run page of entry %d%s", e, run ? "" : " (none)");
}

static void rnd_name(struct rng *r, struct hvx_vm_name *n)
{
	static const char alphabet[] = "abcXYZ019._-/ \x01\xff";
	int len, i;

	memset(n, 0, sizeof(*n));
	switch (below(r, 4)) {
	case 0:
		snprintf(n->name, sizeof(n->name), "fz%u", (unsigned int)below(r, 6));
		break;
	case 1:
		len = below(r, 33);
		for (i = 0; i < len && i < 32; i++)
			n->name[i] = alphabet[below(r, sizeof(alphabet) - 1)];
		break;
	case 2:
		memset(n->name, 'a' + below(r, 3), sizeof(n->name) - 1 + below(r, 2));
		break;
	default:
		snprintf(n->name, sizeof(n->name), "fz%u", (unsigned int)below(r, 6));
		n->name[31] = 'x';	/* junk after the NUL */
		break;
	}
}

static void op_vm_misc(struct worker *w)
{
	struct rng *r = &w->rng;
	struct hvx_irq_level irq;
	struct hvx_msi msi;
	struct hvx_memory_range range;
	struct hvx_vm_name name;
	uint64_t mem_size;
	int e, vm, err;
	long ret;

	lock();
	e = pick_fd(r, one_in(r, 16) ? K_FREE : K_VM);
	vm = e >= 0 ? fds[e].fd : -1;
	mem_size = e >= 0 ? fds[e].mem_size : 0;
	unlock();
	if (vm < 0)
		return;
	switch (below(r, 4)) {
	case 0:
		irq.irq = one_in(r, 4) ? rnd_u64(r) : below(r, HVX_IOAPIC_PINS + 1);
		irq.level = one_in(r, 8) ? rnd_u64(r) : below(r, 2);
		ret = do_ioctl(IOC_IRQ_LINE, vm, HVX_IRQ_LINE, (unsigned long)&irq, &err);
		note(w, "IRQ_LINE vm %d irq %u level %u -> %ld errno %d", vm, irq.irq,
		     irq.level, ret, err);
		if (irq.level > 1)
			expect_errno(w, IOC_IRQ_LINE, ret, err, EINVAL, "level > 1");
		break;
	case 1: {
		bool padded = one_in(r, 16);

		msi = (struct hvx_msi){
			.address = one_in(r, 2) ? 0xfee00000 | (below(r, 2) << 12) | (below(r, 2) << 2)
						: rnd_u64(r),
			.data = one_in(r, 2) ? below(r, 256) | (below(r, 8) << 8) : rnd(r),
			.flags = one_in(r, 8) ? rnd(r) : below(r, 2),
		};
		if (padded)
			msi.padding[below(r, 2)] = rnd(r) | 1;
		ret = do_ioctl(IOC_SET_VMBUS_MSI, vm, HVX_SET_VMBUS_MSI, (unsigned long)&msi, &err);
		note(w, "SET_VMBUS_MSI vm %d addr %#llx data %#x flags %#x -> %ld errno %d", vm,
		     (unsigned long long)msi.address, msi.data, msi.flags, ret, err);
		if (padded || (msi.flags & ~HVX_MSI_FLAGS_MASK))
			expect_errno(w, IOC_SET_VMBUS_MSI, ret, err, EINVAL,
				     "padding or unknown flag");
		break;
	}
	case 2:
		if (mem_size && one_in(r, 2)) {
			range.gpa = PAGE * below(r, mem_size / PAGE);
			range.size = PAGE * (1 + below(r, (mem_size - range.gpa) / PAGE));
		} else {
			range.gpa = rnd_u64(r);
			range.size = rnd_u64(r);
		}
		ret = do_ioctl(IOC_DISCARD_MEMORY, vm, HVX_DISCARD_MEMORY, (unsigned long)&range, &err);
		note(w, "DISCARD_MEMORY vm %d gpa %#llx size %#llx -> %ld errno %d", vm,
		     (unsigned long long)range.gpa, (unsigned long long)range.size, ret, err);
		if (!range.size)
			expect_errno(w, IOC_DISCARD_MEMORY, ret, err, EINVAL, "size 0");
		break;
	default:
		rnd_name(r, &name);
		ret = do_ioctl(IOC_SET_VM_NAME, vm, HVX_SET_VM_NAME, (unsigned long)&name, &err);
		note(w, "SET_VM_NAME vm %d \"%.32s\" -> %ld errno %d", vm, name.name, ret, err);
		break;
	}
}

static void op_channel(struct worker *w)
{
	static const uint8_t echo[16] = HVX_CLASS_ECHO;
	struct rng *r = &w->rng;
	struct hvx_create_channel cc;
	struct hvx_channel_report rep;
	struct hvx_channel_event ev[2];
	struct pollfd pfd;
	int e, vm, fd, err, ce;
	long ret;
	bool bad;
	void *p;

	if (one_in(r, 3)) {
		lock();
		e = pick_fd(r, K_VM);
		vm = e >= 0 ? fds[e].fd : -1;
		unlock();
		if (vm < 0)
			return;
		memset(&cc, 0, sizeof(cc));
		if (one_in(r, 2))
			memcpy(cc.class_id, echo, sizeof(echo));
		else
			cc.class_id[below(r, 16)] = below(r, 4);
		cc.instance_id[0] = below(r, 4);
		bad = one_in(r, 16);
		if (bad) {
			if (one_in(r, 2))
				cc.flags = rnd(r) | 1;
			else
				cc.reserved = rnd(r) | 1;
		}
		ret = do_ioctl(IOC_CREATE_CHANNEL, vm, HVX_CREATE_CHANNEL, (unsigned long)&cc, &err);
		note(w, "CREATE_CHANNEL vm %d class %02x.. inst %u -> %ld errno %d", vm,
		     cc.class_id[0], cc.instance_id[0], ret, err);
		if (bad)
			expect_errno(w, IOC_CREATE_CHANNEL, ret, err, EINVAL, "flags or reserved");
		if (ret < 0)
			return;
		lock();
		ce = count_fds(K_CHAN) < 12 ? add_fd(r, K_CHAN, ret, e) : -1;
		unlock();
		if (ce < 0)
			close(ret);
		return;
	}
	lock();
	e = pick_fd(r, one_in(r, 16) ? K_FREE : K_CHAN);
	fd = e >= 0 ? fds[e].fd : -1;
	unlock();
	if (fd < 0)
		return;
	switch (below(r, 5)) {
	case 0:
		ret = do_ioctl(IOC_CHANNEL_SIGNAL, fd, HVX_CHANNEL_SIGNAL,
			       one_in(r, 4) ? rnd_u64(r) : 0, &err);
		note(w, "CHANNEL_SIGNAL chan %d -> %ld errno %d", fd, ret, err);
		break;
	case 1:
		rep = (struct hvx_channel_report){
			.packets_from_guest = rnd_u64(r), .bytes_from_guest = rnd_u64(r),
			.packets_to_guest = below(r, 100), .bytes_to_guest = below(r, 100000),
			.balloon_bytes = one_in(r, 4) ? rnd_u64(r) : 0,
			.flags = one_in(r, 8) ? rnd(r) : below(r, 2),
		};
		if (one_in(r, 16))
			rep.reserved = rnd(r) | 1;
		ret = do_ioctl(IOC_CHANNEL_REPORT, fd, HVX_CHANNEL_REPORT, (unsigned long)&rep, &err);
		note(w, "CHANNEL_REPORT chan %d pkts %llu flags %#x -> %ld errno %d", fd,
		     (unsigned long long)rep.packets_from_guest, rep.flags, ret, err);
		if (rep.reserved || (rep.flags & ~HVX_CHANNEL_REPORT_FLAGS_MASK))
			expect_errno(w, IOC_CHANNEL_REPORT, ret, err, EINVAL, "reserved or flags");
		break;
	case 2:
		if (one_in(r, 2))
			fcntl(fd, F_SETFL, O_NONBLOCK);
		ret = read(fd, ev, one_in(r, 2) ? sizeof(ev[0]) : below(r, sizeof(ev) + 1));
		record(IOC_READ_CHAN, ret, errno);
		note(w, "read chan %d -> %ld", fd, ret);
		break;
	case 3:
		pfd = (struct pollfd){ .fd = fd, .events = POLLIN | POLLOUT };
		ret = poll(&pfd, 1, 0);
		record(IOC_POLL_CHAN, ret, errno);
		note(w, "poll chan %d -> %ld revents %#x", fd, ret, pfd.revents);
		break;
	default: {
		size_t len = PAGE * (1 + below(r, 4));

		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, PAGE * below(r, 2));
		record(IOC_MMAP_CHAN, p == MAP_FAILED ? -1 : 0, errno);
		note(w, "mmap chan %d len %zu -> %s", fd, len, p == MAP_FAILED ? "failed" : "ok");
		if (p == MAP_FAILED)
			break;
		lock();
		add_map(r, M_CHAN, p, len, false);
		unlock();
		break;
	}
	}
}

static bool is_known_cmd(unsigned long cmd)
{
	int i;

	for (i = 0; i < NR_KNOWN_IOC; i++)
		if (ioc_info[i].cmd == cmd)
			return true;
	return false;
}

/* Unknown numbers of hvx's type (ENOTTY is certain) and known ones on the wrong fd. */
static void op_unknown(struct worker *w)
{
	struct rng *r = &w->rng;
	unsigned long cmd, arg;
	int e, fd, err, i;
	long ret;

	lock();
	e = pick_fd(r, K_FREE);
	fd = e >= 0 ? fds[e].fd : -1;
	unlock();
	if (fd < 0)
		return;
	for (i = 0; i < 64; i++)
		w->scratch[i] = rnd(r);
	arg = one_in(r, 4) ? rnd_bad_ptr(r) : (uintptr_t)w->scratch;
	if (one_in(r, 2)) {
		cmd = ioc_info[below(r, NR_KNOWN_IOC)].cmd;
		/* Not RUN: a VM fd's switch does not know it, but a vCPU's would run. */
		if (cmd == HVX_RUN)
			cmd = HVX_GET_REGS;
		ret = do_ioctl(IOC_UNKNOWN, fd, cmd, arg, &err);
		note(w, "known cmd %#lx on any fd %d arg %#lx -> %ld errno %d", cmd, fd, arg, ret, err);
		/* A creator that worked made an fd nobody tracks. */
		if (ret > 2 && (cmd == HVX_CREATE_VM || cmd == HVX_CREATE_VCPU ||
				cmd == HVX_CREATE_CHANNEL))
			close(ret);
		return;
	}
	do {
		cmd = _IOC(below(r, 4), HVXIO, below(r, 256), below(r, 1 << 14));
	} while (is_known_cmd(cmd));
	ret = do_ioctl(IOC_UNKNOWN, fd, cmd, arg, &err);
	note(w, "unknown cmd %#lx fd %d arg %#lx -> %ld errno %d", cmd, fd, arg, ret, err);
	expect_errno(w, IOC_UNKNOWN, ret, err, ENOTTY, "unknown number");
}

/* Another process with the same fds: every VM and vCPU ioctl must say EIO. */
static void op_fork(struct worker *w)
{
	struct rng *r = &w->rng;
	struct hvx_regs g;
	int e, fd, status;
	enum kind kind;
	pid_t pid;

	lock();
	e = pick_fd(r, one_in(r, 2) ? K_VM : K_VCPU);
	fd = e >= 0 ? fds[e].fd : -1;
	kind = e >= 0 ? fds[e].kind : K_FREE;
	unlock();
	if (fd < 0)
		return;
	pid = fork();
	if (pid < 0)
		return;
	if (pid == 0) {
		struct hvx_user_memory_region region = { .memory_size = PAGE,
			.guest_phys_addr = 0x40000000, .slot = 31,
			.userspace_addr = (uintptr_t)hole };
		long ret = kind == K_VM ?
			ioctl(fd, HVX_SET_USER_MEMORY_REGION, &region) :
			ioctl(fd, HVX_GET_REGS, &g);

		/* EBADF, ENOTTY: a worker closed the fd (and reused the number) first. */
		_exit(ret < 0 && (errno == EIO || errno == EBADF || errno == ENOTTY) ? 0 : 1);
	}
	if (waitpid(pid, &status, 0) != pid)
		return;
	record(IOC_FORK_EIO, WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1, EPERM);
	note(w, "fork: child ioctl on %s fd %d -> status %#x", kind_name[kind], fd, status);
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		count_add(&oracle_failures);
		fprintf(stderr, "# ABI: t%d a child's ioctl on %s fd %d did not fail with EIO\n",
			w->id, kind_name[kind], fd);
	}
}

enum op {
	OP_BUILD_VM, OP_DEV, OP_SLOT, OP_CREATE_VCPU, OP_MMAP_RUN, OP_MMAP_MEM,
	OP_MUNMAP, OP_CLOSE, OP_RUN, OP_VCPU_STATE, OP_SCRIBBLE, OP_VM_MISC,
	OP_CHANNEL, OP_UNKNOWN, OP_FORK, NR_OPS,
};

static const struct {
	void (*fn)(struct worker *w);
	unsigned int weight;		/* out of the sum of all */
	unsigned int runner_weight;	/* for worker 0, the runner */
} ops[NR_OPS] = {
	[OP_BUILD_VM]	  = { op_build_vm, 6, 2 },
	[OP_DEV]	  = { op_dev, 4, 0 },
	[OP_SLOT]	  = { op_slot, 10, 0 },
	[OP_CREATE_VCPU]  = { op_create_vcpu, 3, 0 },
	[OP_MMAP_RUN]	  = { op_mmap_run, 3, 0 },
	[OP_MMAP_MEM]	  = { op_mmap_mem, 4, 0 },
	[OP_MUNMAP]	  = { op_munmap, 3, 0 },
	[OP_CLOSE]	  = { op_close, 4, 1 },
	[OP_RUN]	  = { op_run, 12, 60 },
	[OP_VCPU_STATE]	  = { op_vcpu_state, 20, 4 },
	[OP_SCRIBBLE]	  = { op_scribble, 3, 2 },
	[OP_VM_MISC]	  = { op_vm_misc, 10, 0 },
	[OP_CHANNEL]	  = { op_channel, 8, 0 },
	[OP_UNKNOWN]	  = { op_unknown, 5, 0 },
	[OP_FORK]	  = { op_fork, 1, 0 },
};

static unsigned long max_ops;
static struct timespec deadline;
/* Workers still running: the kicker keeps kicking until none is left. */
static int running_workers;

static bool past_deadline(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > deadline.tv_sec ||
	       (now.tv_sec == deadline.tv_sec && now.tv_nsec >= deadline.tv_nsec);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	unsigned int sum = 0, pick, i;
	bool runner = w->id == 0 && nr_workers > 1;

	for (i = 0; i < NR_OPS; i++)
		sum += runner ? ops[i].runner_weight : ops[i].weight;
	while (!stop) {
		unsigned long n = __atomic_add_fetch(&total_ops, 1, __ATOMIC_RELAXED);

		if ((max_ops && n > max_ops) || ((n & 15) == 0 && past_deadline())) {
			stop = 1;
			break;
		}
		pick = below(&w->rng, sum);
		for (i = 0; i < NR_OPS; i++) {
			unsigned int wt = runner ? ops[i].runner_weight : ops[i].weight;

			if (pick < wt)
				break;
			pick -= wt;
		}
		w->ops++;
		ops[i].fn(w);
	}
	__atomic_sub_fetch(&running_workers, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void on_kick(int sig)
{
	(void)sig;
}

static void on_dump(int sig, siginfo_t *info, void *uctx)
{
	char line[96];
	int n;

	(void)uctx;
	if ((sig == SIGBUS || sig == SIGSEGV) && touch_env) {
		sigjmp_buf *env = touch_env;

		touch_env = NULL;
		touch_addr = info->si_addr;
		touch_sig = sig;
		siglongjmp(*env, 1);
	}
	n = snprintf(line, sizeof(line), "# signal %d (%s) code %d addr %p\n", sig,
		     strsignal(sig), info->si_code, info->si_addr);
	if (write(2, line, n) < 0)
		return;
	dump_rings();
	if (sig == SIGTERM || sig == SIGSEGV || sig == SIGBUS || sig == SIGABRT) {
		signal(sig, SIG_DFL);
		raise(sig);
	}
}

/*
 * Kicks the workers out of HVX_RUN (and blocking reads) every 1 to 4 ms,
 * until the last one has stopped: one in a guest that never exits would
 * never see the deadline.
 */
static void *kicker_main(void *arg)
{
	struct rng r = { .s = (uint64_t)(uintptr_t)arg };
	int i;

	while (__atomic_load_n(&running_workers, __ATOMIC_ACQUIRE) > 0) {
		struct timespec ts = { 0, 1000000 * (1 + below(&r, 4)) };

		nanosleep(&ts, NULL);
		for (i = 0; i < nr_workers; i++)
			if (one_in(&r, 2))
				pthread_kill(workers[i].thread, SIGUSR1);
	}
	return NULL;
}

static void teardown(void)
{
	int i;

	for (i = 0; i < MAX_FDS; i++)
		if (fds[i].kind != K_FREE)
			close(fds[i].fd);
	for (i = 0; i < MAX_MAPS; i++)
		if (maps[i].kind != M_FREE && maps[i].kind != M_HOLE)
			munmap(maps[i].addr, maps[i].len);
	memset(fds, 0, sizeof(fds));
	memset(maps, 0, sizeof(maps));
}

static unsigned long ioc_total(int ioc)
{
	unsigned long n = 0;
	size_t b;

	for (b = 0; b < NR_BUCKETS; b++)
		n += ioc_count[ioc][b];
	return n;
}

static unsigned long ioc_errno_count(int ioc, int err)
{
	size_t b;

	for (b = 0; b < NR_BUCKETS - 1; b++)
		if (errno_bucket[b] == err)
			return ioc_count[ioc][b];
	return 0;
}

static void summary(void)
{
	size_t b;
	int i;

	printf("# %-24s %8s %8s  errors\n", "operation", "calls", "ok");
	for (i = 0; i < NR_IOC; i++) {
		char errs[256] = "";
		size_t len = 0;

		for (b = 1; b < NR_BUCKETS; b++) {
			if (!ioc_count[i][b])
				continue;
			len += snprintf(errs + len, sizeof(errs) - len, " %s=%lu",
					b < NR_BUCKETS - 1 ? strerrorname_np(errno_bucket[b]) : "other",
					ioc_count[i][b]);
			if (len >= sizeof(errs))
				break;
		}
		printf("# %-24s %8lu %8lu %s\n", ioc_info[i].name, ioc_total(i),
		       ioc_count[i][0], errs);
	}
	printf("# faults on our own touches of run pages and guest memory: %lu\n", touch_faults);
	printf("# exits:");
	for (i = 0; i < NR_EXIT_KINDS; i++)
		printf(" %s=%lu", exit_name[i], exit_count[i]);
	printf("\n");
}

static int check(bool ok, const char *name)
{
	printf("check %s %s\n", ok ? "ok" : "not-ok", name);
	return ok ? 0 : 1;
}

static void usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [--seed N] [--seconds N] [--threads N] [--ops N] [--min-ops N] [--trace]\n"
		"  --seed     PRNG seed (default: from the clock; printed either way)\n"
		"  --seconds  how long to run (default 10)\n"
		"  --threads  racing workers, 1-%d (default 3; 1 replays a seed exactly)\n"
		"  --ops      stop after N ops in all (replay a prefix of a run)\n"
		"  --min-ops  the fewest ops that count as a real run (default 1000)\n"
		"  --trace    print every op on stderr as it starts\n"
		"  --avoid    known kernel bugs to steer around, comma-separated:\n"
		"             vcpu-races (one vCPU ioctl at a time per fd), tsc-deadline\n",
		prog, MAX_THREADS);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "seconds", required_argument, NULL, 't' },
		{ "threads", required_argument, NULL, 'j' },
		{ "ops", required_argument, NULL, 'n' },
		{ "min-ops", required_argument, NULL, 'm' },
		{ "trace", no_argument, NULL, 'v' },
		{ "avoid", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	unsigned long long seed = (unsigned long long)time(NULL) ^ getpid();
	unsigned long min_ops = 1000, seconds = 10;
	struct sigaction sa = { .sa_handler = on_kick };
	pthread_t kicker;
	sigset_t block;
	int c, i, failed = 0, dev;
	long size;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 't': seconds = strtoul(optarg, NULL, 0); break;
		case 'j': nr_workers = atoi(optarg); break;
		case 'n': max_ops = strtoul(optarg, NULL, 0); break;
		case 'm': min_ops = strtoul(optarg, NULL, 0); break;
		case 'v': trace = true; break;
		case 'a': {
			char *tok, *save = NULL;
			size_t k;

			for (tok = strtok_r(optarg, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
				for (k = 0; k < sizeof(avoid_names) / sizeof(avoid_names[0]); k++)
					if (!strcmp(tok, avoid_names[k]))
						break;
				if (k == sizeof(avoid_names) / sizeof(avoid_names[0])) {
					usage(argv[0]);
					return 2;
				}
				avoid |= 1U << k;
			}
			break;
		}
		default: usage(argv[0]); return 2;
		}
	}
	if (nr_workers < 1 || nr_workers > MAX_THREADS) {
		usage(argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("# hvx_ioctl_fuzz --seed %llu --seconds %lu --threads %d --ops %lu%s%s%s\n",
	       seed, seconds, nr_workers, max_ops, avoid ? " --avoid" : "",
	       avoid & AVOID_VCPU_RACES ? " vcpu-races" : "",
	       avoid & AVOID_TSC_DEADLINE ? " tsc-deadline" : "");
	for (i = 0; i < NR_VCPU_LOCKS; i++)
		pthread_mutex_init(&vcpu_locks[i], NULL);

	dev = open("/dev/hvx", O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		printf("# cannot open /dev/hvx: %s\n", strerror(errno));
		return 2;
	}
	size = ioctl(dev, HVX_GET_VCPU_MMAP_SIZE, 0);
	if (size > 0)
		vcpu_mmap_size = size;
	close(dev);

	hole = mmap(NULL, HOLE_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (hole == MAP_FAILED)
		return 2;
	maps[0] = (struct map_ent){ .kind = M_HOLE, .addr = hole, .len = HOLE_SIZE };

	/* No SA_RESTART: the kick must make HVX_RUN return EINTR. */
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_sigaction = on_dump;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR2, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGABRT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += seconds;
	/* Workers leave SIGUSR2 and SIGTERM to the main thread, which never blocks in hvx. */
	sigemptyset(&block);
	sigaddset(&block, SIGUSR2);
	sigaddset(&block, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &block, NULL);
	for (i = 0; i < nr_workers; i++) {
		uint64_t s = seed + i;

		workers[i].id = i;
		workers[i].rng.s = splitmix64(&s);
		workers[i].scratch = mmap(NULL, 17 * PAGE, PROT_READ | PROT_WRITE,
					  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (workers[i].scratch == MAP_FAILED)
			return 2;
		mprotect(workers[i].scratch + 16 * PAGE, PAGE, PROT_NONE);
	}
	running_workers = nr_workers;
	/* One worker alone runs on this thread: its op sequence replays exactly. */
	if (nr_workers == 1) {
		workers[0].thread = pthread_self();
		pthread_create(&kicker, NULL, kicker_main, (void *)(uintptr_t)(seed ^ 0x6b69636bULL));
		pthread_sigmask(SIG_UNBLOCK, &block, NULL);
		worker_main(&workers[0]);
	} else {
		for (i = 0; i < nr_workers; i++)
			pthread_create(&workers[i].thread, NULL, worker_main, &workers[i]);
		pthread_create(&kicker, NULL, kicker_main, (void *)(uintptr_t)(seed ^ 0x6b69636bULL));
		pthread_sigmask(SIG_UNBLOCK, &block, NULL);
	}
	/* The kicker first: it must never signal a thread that was joined. */
	pthread_join(kicker, NULL);
	for (i = 0; i < nr_workers && nr_workers > 1; i++)
		pthread_join(workers[i].thread, NULL);
	teardown();

	if (total_ops > max_ops && max_ops)
		total_ops = max_ops;
	printf("# %lu ops in all\n", total_ops);
	summary();
	failed |= check(max_ops || total_ops >= min_ops, "enough_ops");
	if (!max_ops) {
		bool all = true;

		for (i = 0; i < NR_KNOWN_IOC; i++) {
			bool reached = ioc_count[i][0] ||
				(i == IOC_CHANNEL_SIGNAL && ioc_errno_count(i, ENOTCONN));

			if (!reached) {
				printf("# %s never succeeded\n", ioc_info[i].name);
				all = false;
			}
		}
		failed |= check(all, "every_ioctl_succeeded");
		failed |= check(exit_count[HVX_EXIT_IO] && exit_count[HVX_EXIT_MMIO] &&
				exit_count[HVX_EXIT_HLT] && exit_count[HVX_EXIT_SHUTDOWN],
				"guest_exits_io_mmio_hlt_shutdown");
	}
	failed |= check(!oracle_failures, "documented_errors");
	if (failed)
		dump_rings();
	printf("# seed %llu\n", seed);
	return failed;
}
