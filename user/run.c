// SPDX-License-Identifier: GPL-2.0
/* hvx run: boot a Linux kernel directly in a new VM. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hvx.h"
#include "loader.h"
#include "options.h"
#include "pci.h"
#include "uart.h"
#include "vmm.h"

#define DEFAULT_MEM		(256ULL << 20)
#define MAX_MEM			(64ULL << 30)
#define MAX_IMAGE		(1ULL << 30)

/* Ports a guest uses to ask for a reset. */
#define KBD_COMMAND_PORT	0x64
#define KBD_PULSE_RESET		0xfe
#define RESET_CONTROL_PORT	0xcf9
#define RESET_CONTROL_RESET	0x04

void run__help(void)
{
	printf("usage: hvx run --kernel FILE [--initrd FILE] [--append STR] [--mem SIZE]\n"
	       "               [--console stdio|file:PATH]\n\n"
	       "Boots a Linux kernel directly: an uncompressed vmlinux with a PVH entry\n"
	       "note, or a bzImage through the 64-bit boot protocol.\n\n"
	       "  --kernel FILE   the kernel image\n"
	       "  --initrd FILE   an initramfs, placed as high as the protocol allows\n"
	       "  --append STR    the kernel command line (at most 2047 bytes)\n"
	       "  --mem SIZE      guest memory, with K, M or G (default 256M, 16M..64G)\n"
	       "  --console DEST  where the serial port (ttyS0) goes: stdio (default)\n"
	       "                  or file:PATH\n\n"
	       "exit status:\n"
	       "  0  the guest powered off (halted with nothing left to wake it)\n"
	       "  1  a host-side failure (no /dev/hvx, an I/O error)\n"
	       "  2  a usage error or bad input (unreadable or malformed kernel,\n"
	       "     an initrd that does not fit, an impossible memory size)\n"
	       "  3  the guest asked for a reboot\n"
	       "  4  the guest crashed (triple fault)\n"
	       "  5  hvx could not run the guest (failed VM entry, unhandled exit)\n");
}

struct console {
	FILE *out;
};

static void console_output(void *ctx, uint8_t byte)
{
	struct console *c = ctx;

	fputc(byte, c->out);
	if (byte == '\n')
		fflush(c->out);
}

struct machine {
	struct vmm vmm;
	struct uart uart;
	struct pci_bus pci;
	struct console console;
};

/* Port I/O; returns an exit status when the guest asked to stop, else -1. */
static int handle_io(struct machine *m)
{
	struct hvx_run *run = m->vmm.run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	uint16_t port = run->io.port;
	unsigned int size = run->io.size;
	uint32_t value = 0;

	if (run->io.direction == HVX_EXIT_IO_OUT) {
		memcpy(&value, data, size);
		if (port >= UART_COM1_BASE && port < UART_COM1_BASE + UART_NR_PORTS)
			uart_write(&m->uart, port - UART_COM1_BASE, value);
		else if (port >= PCI_CONFIG_ADDRESS && port < PCI_CONFIG_DATA + 4)
			pci_io_write(&m->pci, port, size, value);
		else if (port == KBD_COMMAND_PORT && (value & 0xff) == KBD_PULSE_RESET)
			return HVX_RUN_REBOOT;
		else if (port == RESET_CONTROL_PORT && (value & RESET_CONTROL_RESET))
			return HVX_RUN_REBOOT;
		return -1;
	}
	if (port >= UART_COM1_BASE && port < UART_COM1_BASE + UART_NR_PORTS)
		value = uart_read(&m->uart, port - UART_COM1_BASE);
	else if (port >= PCI_CONFIG_ADDRESS && port < PCI_CONFIG_DATA + 4)
		value = pci_io_read(&m->pci, port, size);
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
			if (errno == EINTR)
				continue;
			fprintf(stderr, "hvx run: HVX_RUN: %s\n", strerror(errno));
			return HVX_RUN_HOST_ERROR;
		}
		switch (run->exit_reason) {
		case HVX_EXIT_IO:
			status = handle_io(m);
			if (status >= 0)
				return status;
			break;
		case HVX_EXIT_MMIO:
			/* No MMIO device yet: reads float high, writes vanish. */
			if (!run->mmio.is_write)
				memset(run->mmio.data, 0xff, sizeof(run->mmio.data));
			break;
		case HVX_EXIT_HLT:
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

int run__run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "initrd", required_argument, NULL, 'i' },
		{ "append", required_argument, NULL, 'a' },
		{ "mem", required_argument, NULL, 'm' },
		{ "console", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	const char *kernel_path = NULL, *initrd_path = NULL, *cmdline = "";
	const char *console = "stdio";
	uint8_t *kernel = NULL, *initrd = NULL, *ram = NULL;
	size_t kernel_size = 0, initrd_size = 0;
	struct loader_result boot;
	enum loader_error lerr;
	uint64_t mem = DEFAULT_MEM;
	struct machine m;
	char err[256];
	int opt, status = HVX_RUN_USAGE;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'k': kernel_path = optarg; break;
		case 'i': initrd_path = optarg; break;
		case 'a': cmdline = optarg; break;
		case 'c': console = optarg; break;
		case 'm':
			if (options_parse_size(optarg, &mem) || mem < LOADER_MIN_RAM ||
			    mem > MAX_MEM) {
				fprintf(stderr, "hvx run: --mem %s: want a size from 16M to 64G\n",
					optarg);
				return HVX_RUN_USAGE;
			}
			break;
		default:
			fprintf(stderr, "hvx run: see 'hvx run --help'\n");
			return HVX_RUN_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "hvx run: unexpected argument '%s'\n", argv[optind]);
		return HVX_RUN_USAGE;
	}
	if (!kernel_path) {
		fprintf(stderr, "hvx run: --kernel is required\n");
		return HVX_RUN_USAGE;
	}

	memset(&m, 0, sizeof(m));
	if (!strcmp(console, "stdio")) {
		m.console.out = stdout;
	} else if (!strncmp(console, "file:", 5) && console[5]) {
		m.console.out = fopen(console + 5, "w");
		if (!m.console.out) {
			fprintf(stderr, "hvx run: --console %s: %s\n", console, strerror(errno));
			return HVX_RUN_USAGE;
		}
	} else {
		fprintf(stderr, "hvx run: --console %s: want stdio or file:PATH\n", console);
		return HVX_RUN_USAGE;
	}

	if (options_read_file(kernel_path, MAX_IMAGE, &kernel, &kernel_size, err, sizeof(err)) ||
	    (initrd_path && options_read_file(initrd_path, MAX_IMAGE, &initrd, &initrd_size,
					      err, sizeof(err)))) {
		fprintf(stderr, "hvx run: %s\n", err);
		goto out_files;
	}

	/* Load first: a bad image is the user's error even without hvx.ko. */
	ram = mmap(NULL, mem, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (ram == MAP_FAILED) {
		fprintf(stderr, "hvx run: cannot map %llu bytes of guest memory: %s\n",
			(unsigned long long)mem, strerror(errno));
		ram = NULL;
		status = HVX_RUN_HOST_ERROR;
		goto out_files;
	}
	lerr = loader_load(ram, mem, kernel, kernel_size, initrd, initrd_size, cmdline, &boot);
	if (lerr) {
		fprintf(stderr, "hvx run: %s: %s\n",
			lerr == LOADER_E_INITRD ? initrd_path :
			lerr == LOADER_E_CMDLINE ? "--append" : kernel_path,
			loader_error_name(lerr));
		goto out_files;
	}
	if (vmm_create(&m.vmm, ram, mem, err, sizeof(err))) {
		fprintf(stderr, "hvx run: %s\n", err);
		status = HVX_RUN_HOST_ERROR;
		goto out_files;
	}
	if (vmm_set_boot_state(&m.vmm, &boot)) {
		fprintf(stderr, "hvx run: cannot set the boot CPU state: %s\n", strerror(errno));
		status = HVX_RUN_HOST_ERROR;
		goto out_vm;
	}
	uart_init(&m.uart, console_output, &m.console);
	pci_init(&m.pci);
	status = run_loop(&m);
	fflush(m.console.out);

out_vm:
	vmm_destroy(&m.vmm);
out_files:
	if (ram)
		munmap(ram, mem);
	free(kernel);
	free(initrd);
	if (m.console.out && m.console.out != stdout)
		fclose(m.console.out);
	return status;
}
