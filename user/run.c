// SPDX-License-Identifier: GPL-2.0
/* hvx run: boot a Linux kernel directly in a new VM. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "confine.h"
#include "console.h"
#include "genl.h"
#include "hvx.h"
#include "loader.h"
#include "machine.h"
#include "options.h"
#include "pci.h"
#include "ram.h"
#include "rtc.h"
#include "run_stats.h"
#include "uart.h"
#include "control.h"
#include "vmbus.h"
#include "vmm.h"

#define DEFAULT_MEM		(256ULL << 20)
/* RAM is one block from 0 and must stay below the APICs at 0xfec00000. */
#define MAX_MEM			(3ULL << 30)
#define MAX_IMAGE		(1ULL << 30)

/* The keyboard controller's reset; the chipset's at 0xcf9 is pci.c's. */
#define KBD_COMMAND_PORT	0x64
#define KBD_PULSE_RESET		0xfe

/* The 8259 PICs a PC would have; reads say there is none (handle_io). */
#define PIC_MASTER_CMD		0x20
#define PIC_MASTER_DATA		0x21
#define PIC_SLAVE_CMD		0xa0
#define PIC_SLAVE_DATA		0xa1

void run__help(void)
{
	printf("usage: hvx run --kernel FILE [--initrd FILE] [--append STR] [--mem SIZE]\n"
	       "               [--name NAME] [--console stdio|file:PATH] [--console-max SIZE]\n"
	       "               [--stats-at TEXT]\n"
	       "               [--device CLASS]... [--disk PATH[,ro][,serial=S]]...\n"
	       "               [--net tap=NAME[,mac=MAC][,bridge=BR][,mtu=N][,offload=off]]...\n"
	       "               [--user NAME|UID]\n\n"
	       "Boots a Linux kernel directly: an uncompressed vmlinux with a PVH entry\n"
	       "note, or a bzImage through the 64-bit boot protocol.  The guest has one\n"
	       "CPU with a local APIC, an I/O APIC (MP table, no ACPI), no PIC or PIT,\n"
	       "a 16550A serial port (ttyS0, IRQ 4) and a CMOS clock showing the\n"
	       "host's UTC time, and the hvx channel bus (a PCI function) with the\n"
	       "devices --device adds.\n\n"
	       "  --kernel FILE   the kernel image\n"
	       "  --initrd FILE   an initramfs, placed as high as the protocol allows\n"
	       "  --append STR    the kernel command line (at most 2047 bytes)\n"
	       "  --mem SIZE      guest memory, with K, M or G (default 256M, 16M..3G)\n"
	       "  --name NAME     what hvx ps, hvx stats, hvx events and hvx balloon\n"
	       "                  call the VM: 1 to 31 characters of A-Z a-z 0-9 . _ -,\n"
	       "                  not all digits (that is a VM id), unique among the\n"
	       "                  VMs of hvx.ko (a name in use is exit status 1)\n"
	       "  --console DEST  where the serial port goes: stdio (default) or\n"
	       "                  file:PATH (output only).  With stdio what stdin\n"
	       "                  gives is the guest's input, until its end of file;\n"
	       "                  a terminal is put in raw mode, so Ctrl-C goes to the\n"
	       "                  guest.  Ctrl-A x ends the VM, Ctrl-A Ctrl-A types Ctrl-A.\n"
	       "                  On a terminal, control characters other than tab,\n"
	       "                  newline, carriage return and backspace show as ^X\n"
	       "                  (ESC as ^[): the guest cannot send the terminal\n"
	       "                  escape sequences\n"
	       "  --console-max SIZE  file: at most SIZE bytes of output (K, M or G;\n"
	       "                  default 64M, 0 for no limit); a line in the file and\n"
	       "                  one on stderr say how much more was dropped\n"
	       "  --stats-at TEXT when the guest's console first shows TEXT, note the\n"
	       "                  guest TSC ticks since the first VM entry and the VM\n"
	       "                  exits so far by reason; they are printed on stderr\n"
	       "                  as 'hvx run: stats: ...' lines when the VM ends\n"
	       "                  (exits to the end if TEXT never showed)\n"
	       "  --device CLASS  offer a device of CLASS on the channel bus (repeat for\n"
	       "                  more, up to 8): echo (every packet comes back as\n"
	       "                  sent; for tests and benchmarks), timesync (the host's\n"
	       "                  time for the guest's hvx_timesync.ko: a PTP clock, and\n"
	       "                  the guest's clock stepped when it is far off, as after\n"
	       "                  SIGSTOP and SIGCONT), balloon (hvx_balloon.ko gives\n"
	       "                  memory back when 'hvx balloon VM SIZE' asks, and free\n"
	       "                  memory as it frees it).  SIGUSR2 hot-unplugs every\n"
	       "                  device (the guest sees them rescinded), the next\n"
	       "                  SIGUSR2 plugs them in again\n"
	       "  --disk PATH[,ro][,serial=S]\n"
	       "                  a disk on the channel bus (hvx_blk.ko in the guest:\n"
	       "                  /dev/hvxda, hvxdb...) backed by the regular file or\n"
	       "                  block device PATH, read-only with ro; the guest sees a\n"
	       "                  resize of PATH within a second\n"
	       "  --net tap=NAME[,mac=MAC][,bridge=BR][,mtu=N][,offload=off]\n"
	       "                  a network interface on the channel bus (hvx_net.ko in\n"
	       "                  the guest: eth0, eth1...) whose frames go to the host's\n"
	       "                  TAP interface NAME (tap= alone: hvx0, hvx1...), created\n"
	       "                  unless a persistent one exists (needs CAP_NET_ADMIN),\n"
	       "                  MTU N (default 1500, up to 9000; also the guest's,\n"
	       "                  which may raise its own to 9000, but frames larger\n"
	       "                  than the TAP's MTU are dropped: raise that on the\n"
	       "                  host too), in bridge BR (which must exist) and\n"
	       "                  brought up.  MAC defaults to a random\n"
	       "                  02:48:56:xx:xx:xx.  The guest sees the TAP's link go\n"
	       "                  down and up; offload=off keeps the\n"
	       "                  guest from sending checksum or segmentation offload\n"
	       "                  frames.  SIGCONT (after SIGSTOP, as after a pause)\n"
	       "                  makes the guest announce its addresses.  Without\n"
	       "                  CAP_NET_ADMIN, a persistent TAP of the user's\n"
	       "                  (ip tuntap add NAME mode tap user USER) works when it is\n"
	       "                  up, in BR and of MTU N already\n"
	       "  --user NAME|UID the user a root hvx run becomes (default: the one sudo\n"
	       "                  ran it for, from SUDO_UID and SUDO_GID; root keeps uid 0)\n\n"
	       "hvx run confines itself.  Run by root, it opens /dev/hvx, then becomes\n"
	       "the user, keeping only CAP_NET_ADMIN for its TAPs, and opens the kernel,\n"
	       "initrd, disks and console file as the user.  Once the VM is set up it\n"
	       "keeps no capabilities, sets no-new-privileges and loads a seccomp\n"
	       "filter that allows the system calls a running VM makes and no others\n"
	       "(no socket, exec or fork; ioctl with its devices' requests only; open\n"
	       "fails with EACCES): any other call ends it with status 1 and 'hvx run:\n"
	       "backend made a forbidden system call NAME (NR); seccomp stopped it'.\n"
	       "Root with neither sudo nor --user keeps uid 0, without capabilities,\n"
	       "under the same filter.\n\n"
	       "exit status:\n"
	       "  0  the guest powered off (halted with interrupts disabled, which is how\n"
	       "     Linux ends 'poweroff' without ACPI)\n"
	       "  1  a host-side failure (no /dev/hvx, an I/O error, a forbidden system\n"
	       "     call)\n"
	       "  2  a usage error or bad input (unreadable or malformed kernel,\n"
	       "     an initrd that does not fit, an impossible memory size, a bad\n"
	       "     --name)\n"
	       "  3  the guest asked for a reboot\n"
	       "  4  the guest crashed (triple fault, or a kernel panic reported through\n"
	       "     the pvpanic PCI device)\n"
	       "  5  hvx could not run the guest (failed VM entry, unhandled exit)\n"
	       "  6  the user ended the VM with Ctrl-A x\n");
}

#define NAME_RULE	"1-31 characters of A-Z a-z 0-9 . _ -"

/*
 * Names the VM (HVX_SET_VM_NAME) before it runs, so that it is never seen
 * running without it: -1 when done, else the exit status.
 */
/* Root only: at least @bytes of locked memory (RLIMIT_MEMLOCK), soft and hard. */
static void raise_memlock(unsigned long long bytes)
{
	struct rlimit lim;

	if (getrlimit(RLIMIT_MEMLOCK, &lim))
		return;
	if (lim.rlim_max != RLIM_INFINITY && lim.rlim_max < bytes)
		lim.rlim_max = bytes;
	if (lim.rlim_cur != RLIM_INFINITY && lim.rlim_cur < bytes)
		lim.rlim_cur = bytes;
	setrlimit(RLIMIT_MEMLOCK, &lim);
}

static int set_vm_name(int vm_fd, const char *name)
{
	struct hvx_vm_name req = { 0 };

	/* vm_name_valid() said it fits, NUL and all; the rest stays zero. */
	memcpy(req.name, name, strlen(name));
	if (!ioctl(vm_fd, HVX_SET_VM_NAME, &req))
		return -1;
	switch (errno) {
	case EEXIST:
		fprintf(stderr, "hvx run: a VM named '%s' exists already\n", name);
		return HVX_RUN_HOST_ERROR;
	case EINVAL:
		fprintf(stderr, "hvx run: bad VM name '%s' (" NAME_RULE ")\n", name);
		return HVX_RUN_USAGE;
	case ENOTTY:
		fprintf(stderr, "hvx run: --name: this hvx.ko cannot name VMs (HVX_SET_VM_NAME: %s)\n",
			strerror(errno));
		return HVX_RUN_HOST_ERROR;
	default:
		fprintf(stderr, "hvx run: HVX_SET_VM_NAME: %s\n", strerror(errno));
		return HVX_RUN_HOST_ERROR;
	}
}

/* The UART's transmitter; called on the vCPU thread. */
static void console_output(void *ctx, uint8_t byte)
{
	struct machine *m = ctx;
	struct console *c = &m->console;

	run_stats_console_byte(&m->stats, byte);
	console_sink_put(&c->sink, byte);
	if (byte == '\n' || c->flush_each)
		fflush(c->sink.out);
}

/*
 * The vCPU thread's run page, for the kick signal's handler: signal
 * handlers only see globals.  One VM per process, so one run page.
 */
static struct hvx_run *volatile kicked_run;
/* The channel bus, for SIGUSR2's handler. */
static struct vmbus *volatile hotplug_bus;

static void hotplug_handler(int sig)
{
	struct vmbus *bus = hotplug_bus;

	if (!bus)
		return;
	if (sig == SIGCONT)
		vmbus_resume(bus);
	else
		vmbus_hotplug(bus);
}

/*
 * SIGUSR1 ends a HVX_RUN in progress with EINTR.  Setting immediate_exit as
 * well covers a signal that arrives just before HVX_RUN: that call returns
 * EINTR at once instead of entering the guest with the request lost.
 */
static void kick_handler(int sig)
{
	struct hvx_run *run = kicked_run;

	(void)sig;
	if (run)
		__atomic_store_n(&run->immediate_exit, 1, __ATOMIC_SEQ_CST);
}

/* Asks the vCPU thread to end the run with @status; the first request wins. */
void machine_stop(struct machine *m, int status)
{
	int running = -1;

	atomic_compare_exchange_strong(&m->stop_status, &running, status);
	pthread_kill(m->vcpu_thread, SIGUSR1);
}

/* Drives IRQ 4 from the UART's interrupt output; m->lock held. 0 or -errno. */
int machine_update_irq(struct machine *m)
{
	bool level = uart_irq_pending(&m->uart);
	struct hvx_irq_level irq = { .irq = UART_COM1_IRQ, .level = level };

	if (level == m->irq_level)
		return 0;
	if (ioctl(m->vmm.vm_fd, HVX_IRQ_LINE, &irq))
		return -errno;
	m->irq_level = level;
	return 0;
}

/* Guest access to the UART; returns an exit status on a host failure, else -1. */
static int uart_io(struct machine *m, unsigned int offset, bool out, uint8_t *data,
		   unsigned int size)
{
	uint32_t value = 0;
	int err;

	pthread_mutex_lock(&m->lock);
	if (out)
		uart_write(&m->uart, offset, data[0]);
	else
		value = uart_read(&m->uart, offset);
	/* Reading RBR or clearing the FIFO may have made room for typed bytes. */
	console_feed(m);
	err = machine_update_irq(m);
	pthread_mutex_unlock(&m->lock);
	if (!out)
		memcpy(data, &value, size);
	if (err) {
		fprintf(stderr, "hvx run: HVX_IRQ_LINE: %s\n", strerror(-err));
		return HVX_RUN_HOST_ERROR;
	}
	return -1;
}

/*
 * No 8259 answers here, and reads say 0 so that Linux knows: it writes a
 * mask (every IRQ but the cascade) to the master's mask register and reads
 * it back; a mismatch makes it take its null PIC, so that nothing waits for
 * interrupts through a PIC, nor for a timer through a PIT.
 */
static bool is_pic_port(uint16_t port)
{
	return port == PIC_MASTER_CMD || port == PIC_MASTER_DATA ||
	       port == PIC_SLAVE_CMD || port == PIC_SLAVE_DATA;
}

/* A PCI configuration write; the channel bus's MSI goes on to hvx.ko. */
static int pci_write(struct machine *m, uint16_t port, unsigned int size, uint32_t value)
{
	struct hvx_msi msi = { 0 };
	uint64_t address;
	uint32_t data;

	pci_io_write(&m->pci, port, size, value);
	if (m->pci.reset_requested)
		return HVX_RUN_REBOOT;
	if (!m->pci.msi_changed)
		return -1;
	m->pci.msi_changed = false;
	if (pci_vmbus_msi(&m->pci, &address, &data))
		msi.flags = HVX_MSI_ENABLED;
	msi.address = address;
	msi.data = data;
	if (ioctl(m->vmm.vm_fd, HVX_SET_VMBUS_MSI, &msi)) {
		fprintf(stderr, "hvx run: HVX_SET_VMBUS_MSI: %s\n", strerror(errno));
		return HVX_RUN_HOST_ERROR;
	}
	return -1;
}

/* Port I/O; returns an exit status when the guest asked to stop, else -1. */
static int handle_io(struct machine *m)
{
	struct hvx_run *run = m->vmm.run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	uint16_t port = run->io.port;
	unsigned int size = run->io.size;
	uint16_t pvpanic = pci_pvpanic_port(&m->pci);
	uint32_t value = 0;

	run_stats_io(&m->stats, port);
	if (pvpanic && port == pvpanic) {
		if (run->io.direction == HVX_EXIT_IO_IN) {
			value = PVPANIC_PANICKED;	/* the events it can report */
			memcpy(data, &value, size);
		} else if (*data & PVPANIC_PANICKED) {
			fprintf(stderr, "hvx run: the guest kernel panicked\n");
			return HVX_RUN_CRASH;
		}
		return -1;
	}
	if (port == RTC_INDEX_PORT || port == RTC_DATA_PORT) {
		if (run->io.direction == HVX_EXIT_IO_OUT) {
			rtc_write(&m->rtc, port, data[0]);
		} else {
			value = rtc_read(&m->rtc, port);
			memcpy(data, &value, size);
		}
		return -1;
	}
	if (port >= UART_COM1_BASE && port < UART_COM1_BASE + UART_NR_PORTS)
		return uart_io(m, port - UART_COM1_BASE, run->io.direction == HVX_EXIT_IO_OUT,
			       data, size);
	if (run->io.direction == HVX_EXIT_IO_OUT) {
		memcpy(&value, data, size);
		if (port >= PCI_CONFIG_ADDRESS && port < PCI_CONFIG_DATA + 4)
			return pci_write(m, port, size, value);
		else if (port == KBD_COMMAND_PORT && (value & 0xff) == KBD_PULSE_RESET)
			return HVX_RUN_REBOOT;
		return -1;
	}
	if (port >= PCI_CONFIG_ADDRESS && port < PCI_CONFIG_DATA + 4)
		value = pci_io_read(&m->pci, port, size);
	else if (is_pic_port(port))
		value = 0;
	else
		value = ~0u;	/* nothing there: the bus floats high */
	memcpy(data, &value, size);
	return -1;
}

static int run_loop(struct machine *m)
{
	struct hvx_run *run = m->vmm.run;
	int status;

	for (;;) {
		if (ioctl(m->vmm.vcpu_fd, HVX_RUN, 0)) {
			if (errno != EINTR) {
				fprintf(stderr, "hvx run: HVX_RUN: %s\n", strerror(errno));
				return HVX_RUN_HOST_ERROR;
			}
			/*
			 * Re-arm before looking: a kick after this store makes
			 * the next HVX_RUN return at once, so none is lost.
			 */
			__atomic_store_n(&run->immediate_exit, 0, __ATOMIC_SEQ_CST);
			status = atomic_load(&m->stop_status);
			if (status >= 0)
				return status;
			continue;
		}
		switch (run->exit_reason) {
		case HVX_EXIT_IO:
			status = handle_io(m);
			if (status >= 0)
				return status;
			if (m->stats.marker_hit && !m->stats.taken &&
			    run_stats_take(&m->stats, m->vmm.vcpu_fd))
				perror("hvx run: HVX_GET_STATS");
			break;
		case HVX_EXIT_MMIO:
			/* No MMIO device yet: reads float high, writes vanish. */
			if (!run->mmio.is_write)
				memset(run->mmio.data, 0xff, sizeof(run->mmio.data));
			break;
		case HVX_EXIT_HLT:
			/* Halted with interrupts off: nothing can wake it. */
			return HVX_RUN_POWEROFF;
		case HVX_EXIT_SHUTDOWN:
			fprintf(stderr, "hvx run: the guest crashed (triple fault at rip %#llx)\n",
				(unsigned long long)run->internal.guest_rip);
			return HVX_RUN_CRASH;
		case HVX_EXIT_FAIL_ENTRY:
			fprintf(stderr, "hvx run: VM entry failed (VMX reason %u, qualification %#llx)\n",
				run->fail_entry.hardware_entry_failure_reason,
				(unsigned long long)run->fail_entry.qualification);
			return HVX_RUN_HV_ERROR;
		case HVX_EXIT_INTERNAL_ERROR:
			fprintf(stderr, "hvx run: unhandled guest exit (suberror %u, VMX reason %u, "
				"qualification %#llx, rip %#llx, gpa %#llx)\n",
				run->internal.suberror, run->internal.vmx_exit_reason,
				(unsigned long long)run->internal.qualification,
				(unsigned long long)run->internal.guest_rip,
				(unsigned long long)run->internal.guest_phys_addr);
			return HVX_RUN_HV_ERROR;
		default:
			fprintf(stderr, "hvx run: unknown exit reason %u\n", run->exit_reason);
			return HVX_RUN_HV_ERROR;
		}
	}
}

static time_t host_time(void)
{
	return time(NULL);
}

/* Runs the guest to its end; @interactive: stdin is its console input. */
static int machine_run(struct machine *m, bool interactive)
{
	struct sigaction kick = { .sa_handler = kick_handler }, old_kick;
	struct sigaction plug = { .sa_handler = hotplug_handler }, old_plug, old_cont;
	char why[256];
	int status, err;

	pthread_mutex_init(&m->lock, NULL);
	pthread_cond_init(&m->input_room, NULL);
	atomic_init(&m->stop_status, -1);
	m->console.flush_each = interactive;
	uart_init(&m->uart, console_output, m);
	pci_init(&m->pci);
	rtc_init(&m->rtc, host_time);
	m->vcpu_thread = pthread_self();
	kicked_run = m->vmm.run;
	/* No SA_RESTART: the kick is there to end HVX_RUN with EINTR. */
	sigemptyset(&kick.sa_mask);
	sigaction(SIGUSR1, &kick, &old_kick);
	sigemptyset(&plug.sa_mask);
	plug.sa_flags = SA_RESTART;
	sigaction(SIGUSR2, &plug, &old_plug);
	sigaction(SIGCONT, &plug, &old_cont);

	err = vmbus_start(&m->vmbus, m->vmm.vm_fd, m->vmm.ram, m->vmm.ram_size);
	if (err) {
		fprintf(stderr, "hvx run: cannot offer the channel bus devices: %s\n",
			strerror(-err));
		status = HVX_RUN_HOST_ERROR;
		goto out;
	}
	hotplug_bus = &m->vmbus;
	err = control_start(&m->control, &m->vmbus);
	if (err)
		fprintf(stderr, "hvx run: no control socket (hvx balloon cannot reach this VM): %s\n",
			strerror(-err));
	err = interactive ? console_start_input(m) : 0;
	if (err) {
		fprintf(stderr, "hvx run: cannot read the console input: %s\n", strerror(-err));
		status = HVX_RUN_HOST_ERROR;
	} else {
		/* Every thread runs: the filter goes on all of them. */
		if (confine_seccomp(console_raw_end, why, sizeof(why))) {
			fprintf(stderr, "hvx run: %s\n", why);
			status = HVX_RUN_HOST_ERROR;
		} else {
			status = run_loop(m);
		}
		console_stop_input(m);
	}
	hotplug_bus = NULL;
	control_stop(&m->control);
	vmbus_stop(&m->vmbus);
out:
	if (run_stats_wanted(&m->stats)) {
		if (run_stats_take(&m->stats, m->vmm.vcpu_fd))
			perror("hvx run: HVX_GET_STATS");
		run_stats_print(&m->stats, stderr);
	}

	/* The reader is gone: no kick can come any more. */
	sigaction(SIGCONT, &old_cont, NULL);
	sigaction(SIGUSR2, &old_plug, NULL);
	sigaction(SIGUSR1, &old_kick, NULL);
	kicked_run = NULL;
	fflush(m->console.sink.out);
	pthread_cond_destroy(&m->input_room);
	pthread_mutex_destroy(&m->lock);
	return status;
}

/* A --device, --disk or --net option, set up once hvx run is its user. */
struct device_arg {
	int opt;
	const char *value;
};

/*
 * Under sudo the user's XDG_RUNTIME_DIR is gone; their hvx balloon looks
 * for the control socket there, in the directory their login session has
 * (pam_systemd's /run/user/UID).
 */
static void runtime_dir_of(uid_t uid)
{
	char dir[64];
	struct stat st;

	if (!uid || getenv("XDG_RUNTIME_DIR"))
		return;
	snprintf(dir, sizeof(dir), "/run/user/%u", (unsigned int)uid);
	if (!stat(dir, &st) && S_ISDIR(st.st_mode) && st.st_uid == uid)
		setenv("XDG_RUNTIME_DIR", dir, 1);
}

int run__run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "initrd", required_argument, NULL, 'i' },
		{ "append", required_argument, NULL, 'a' },
		{ "mem", required_argument, NULL, 'm' },
		{ "console", required_argument, NULL, 'c' },
		{ "console-max", required_argument, NULL, 'C' },
		{ "stats-at", required_argument, NULL, 's' },
		{ "device", required_argument, NULL, 'd' },
		{ "disk", required_argument, NULL, 'D' },
		{ "net", required_argument, NULL, 'n' },
		{ "name", required_argument, NULL, 'N' },
		{ "user", required_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 },
	};
	const char *kernel_path = NULL, *initrd_path = NULL, *cmdline = "";
	const char *console = "stdio", *stats_marker = NULL, *name = NULL, *user_name = NULL;
	struct device_arg *devices;
	unsigned int ndevices = 0, i;
	bool has_net = false;
	struct confine_user user;
	int dev_fd = -ENODEV, created;
	uint8_t *kernel = NULL, *initrd = NULL, *ram = NULL;
	size_t kernel_size = 0, initrd_size = 0;
	struct loader_result boot;
	enum loader_error lerr;
	uint64_t mem = DEFAULT_MEM, console_max = CONSOLE_DEFAULT_LIMIT;
	struct machine m;
	char err[256], spec[PATH_MAX + 64], sock_dir[PATH_MAX];
	bool sock_dir_ok;
	int opt, status = HVX_RUN_USAGE;

	memset(&m, 0, sizeof(m));
	devices = calloc(argc, sizeof(*devices));
	if (!devices) {
		fprintf(stderr, "hvx run: out of memory\n");
		return HVX_RUN_HOST_ERROR;
	}
	optind = 1;
	/* Our own one-line errors, not getopt's. */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (opt) {
		case 'k': kernel_path = optarg; break;
		case 'N':
			name = optarg;
			break;
		case 'i': initrd_path = optarg; break;
		case 'a': cmdline = optarg; break;
		case 'c': console = optarg; break;
		case 'C':
			if (options_parse_size(optarg, &console_max)) {
				fprintf(stderr, "hvx run: --console-max %s: want a size (K, M or G)\n",
					optarg);
				goto out_files;
			}
			break;
		case 's': stats_marker = optarg; break;
		case 'd':
		case 'D':
		case 'n':
			/* Set up once hvx run is its user: disks are opened as the user. */
			devices[ndevices++] = (struct device_arg){ .opt = opt, .value = optarg };
			has_net |= opt == 'n';
			break;
		case 'u':
			user_name = optarg;
			break;
		case 'm':
			if (options_parse_size(optarg, &mem) || mem < LOADER_MIN_RAM ||
			    mem > MAX_MEM) {
				fprintf(stderr, "hvx run: --mem %s: want a size from 16M to 3G\n",
					optarg);
				goto out_files;
			}
			break;
		case ':':
			fprintf(stderr, "hvx run: option '%s' wants a value (try 'hvx run --help')\n",
				argv[optind - 1]);
			goto out_files;
		default:
			fprintf(stderr, "hvx run: unknown option '%s' (try 'hvx run --help')\n",
				argv[optind - 1]);
			goto out_files;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "hvx run: unexpected argument '%s'\n", argv[optind]);
		goto out_files;
	}
	if (!kernel_path) {
		fprintf(stderr, "hvx run: --kernel is required\n");
		goto out_files;
	}
	if (name && !vm_name_valid(name)) {
		fprintf(stderr, "hvx run: bad VM name '%s' (" NAME_RULE ")\n", name);
		goto out_files;
	}
	if (name && vm_arg_is_id(name)) {
		fprintf(stderr, "hvx run: bad VM name '%s' (not all digits: that is how VM ids look)\n",
			name);
		goto out_files;
	}

	if (confine_user_find(user_name, &user, err, sizeof(err))) {
		fprintf(stderr, "hvx run: %s\n", err);
		goto out_files;
	}
	/* Root gave the user /dev/hvx, which need not be in group hvx. */
	dev_fd = vmm_open_device();
	/*
	 * hvx.ko charges what it pins for the channel bus (the event page,
	 * the rings) to RLIMIT_MEMLOCK, never guest RAM; the user loses
	 * CAP_IPC_LOCK below, so root, who chose to run this guest for the
	 * user, makes room for the bus's most (libvirt raises the limit for
	 * QEMU likewise).  An unprivileged caller keeps its own limit.
	 */
	if (user.set)
		raise_memlock(VMBUS_MAX_PINNED_BYTES);
	if (confine_become(&user, has_net, err, sizeof(err))) {
		fprintf(stderr, "hvx run: %s\n", err);
		status = HVX_RUN_HOST_ERROR;
		goto out_files;
	}
	if (user.set)
		runtime_dir_of(user.uid);

	if (stats_marker && run_stats_init(&m.stats, stats_marker)) {
		fprintf(stderr, "hvx run: --stats-at: want 1 to %d bytes of console text\n",
			RUN_STATS_MAX_MARKER);
		goto out_files;
	}
	if (!strcmp(console, "stdio")) {
		m.console.sink.out = stdout;
	} else if (!strncmp(console, "file:", 5) && console[5]) {
		m.console.sink.out = fopen(console + 5, "w");
		if (!m.console.sink.out) {
			fprintf(stderr, "hvx run: --console %s: %s\n", console, strerror(errno));
			goto out_files;
		}
		m.console.sink.limit = console_max;
	} else {
		fprintf(stderr, "hvx run: --console %s: want stdio or file:PATH\n", console);
		goto out_files;
	}
	m.console.sink.terminal = isatty(fileno(m.console.sink.out));

	for (i = 0; i < ndevices; i++) {
		const struct device_arg *d = &devices[i];

		snprintf(spec, sizeof(spec), "%s%s", d->opt == 'D' ? "blk," : d->opt == 'n' ? "net," : "",
			 d->value);
		if (vmbus_add(&m.vmbus, spec, err, sizeof(err))) {
			fprintf(stderr, "hvx run: --%s %s: %s\n",
				d->opt == 'D' ? "disk" : d->opt == 'n' ? "net" : "device", d->value, err);
			goto out_files;
		}
	}

	if (options_read_file(kernel_path, MAX_IMAGE, &kernel, &kernel_size, err, sizeof(err)) ||
	    (initrd_path && options_read_file(initrd_path, MAX_IMAGE, &initrd, &initrd_size,
					      err, sizeof(err)))) {
		fprintf(stderr, "hvx run: %s\n", err);
		goto out_files;
	}

	/* Load first: a bad image is the user's error even without hvx.ko. */
	ram = ram_alloc(mem);
	if (!ram) {
		fprintf(stderr, "hvx run: cannot map %llu bytes of guest memory: %s\n",
			(unsigned long long)mem, strerror(errno));
		status = HVX_RUN_HOST_ERROR;
		goto out_files;
	}
	/* Fewer EPT violations and TLB misses; without THP it is a no-op. */
	madvise(ram, mem, MADV_HUGEPAGE);
	lerr = loader_load(ram, mem, kernel, kernel_size, initrd, initrd_size, cmdline, &boot);
	if (lerr) {
		fprintf(stderr, "hvx run: %s: %s\n",
			lerr == LOADER_E_INITRD ? initrd_path :
			lerr == LOADER_E_CMDLINE ? "--append" : kernel_path,
			loader_error_name(lerr));
		goto out_files;
	}
	created = vmm_create(&m.vmm, dev_fd, ram, mem, err, sizeof(err));
	dev_fd = -ENODEV;	/* the VM's now */
	if (created) {
		fprintf(stderr, "hvx run: %s\n", err);
		status = HVX_RUN_HOST_ERROR;
		goto out_files;
	}
	status = name ? set_vm_name(m.vmm.vm_fd, name) : -1;
	if (status >= 0)
		goto out_vm;
	if (vmm_set_boot_state(&m.vmm, &boot)) {
		fprintf(stderr, "hvx run: cannot set the boot CPU state: %s\n", strerror(errno));
		status = HVX_RUN_HOST_ERROR;
		goto out_vm;
	}
	/*
	 * Before any thread starts: capabilities, no-new-privileges and
	 * Landlock are per thread.  The control socket's directory is made
	 * first, as Landlock then allows only sockets in it.
	 */
	sock_dir_ok = !control_dir_ready(sock_dir, sizeof(sock_dir));
	if (confine_drop_privileges(err, sizeof(err)) ||
	    confine_landlock(sock_dir_ok ? sock_dir : NULL, err, sizeof(err))) {
		fprintf(stderr, "hvx run: %s\n", err);
		status = HVX_RUN_HOST_ERROR;
		goto out_vm;
	}
	status = machine_run(&m, m.console.sink.out == stdout);

out_vm:
	vmm_destroy(&m.vmm);
out_files:
	vmbus_destroy(&m.vmbus);
	if (ram)
		ram_free(ram, mem);
	free(kernel);
	free(initrd);
	if (m.console.sink.dropped)
		fprintf(stderr, "hvx run: --console %s: %llu bytes of output past --console-max %llu dropped\n",
			console, (unsigned long long)m.console.sink.dropped,
			(unsigned long long)m.console.sink.limit);
	if (m.console.sink.out && m.console.sink.out != stdout)
		fclose(m.console.sink.out);
	if (dev_fd >= 0)
		close(dev_fd);
	free(devices);
	return status;
}
