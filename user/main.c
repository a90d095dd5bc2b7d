// SPDX-License-Identifier: GPL-2.0
/* hvx: create and run VMs on hvx.ko through /dev/hvx. */
#include <stdio.h>
#include <string.h>

#include "hvx.h"

static const struct hvx_cmd commands[] = {
	{ "run", "boot a Linux kernel directly in a new VM", run__run, run__help },
	{ "ps", "list the VMs hvx.ko runs", ps__run, ps__help },
	{ "stats", "print a VM's counters (exits, time, channel traffic)", stats__run,
	  stats__help },
	{ "events", "print VM events as they happen", events__run, events__help },
	{ "balloon", "show or set a running VM's balloon", balloon__run, balloon__help },
	{ "version", "print the tool's version and the module's ABI version",
	  version__run, version__help },
};

#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage: hvx COMMAND [ARGS]\n       hvx COMMAND --help\n\ncommands:\n");
	for (i = 0; i < NR_COMMANDS; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\nA running VM is named by its name (hvx run --name) or its id (hvx ps).\n"
		"exit status: 0 success, 1 failure, 2 usage error ('hvx run --help' has\n"
		"more: how the guest ended)\n");
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return HVX_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return HVX_EXIT_OK;
	}
	for (i = 0; i < NR_COMMANDS; i++) {
		if (strcmp(argv[1], commands[i].name))
			continue;
		if (argc > 2 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"))) {
			commands[i].help();
			return HVX_EXIT_OK;
		}
		return commands[i].run(argc - 1, argv + 1);
	}
	fprintf(stderr, "hvx: unknown command '%s' (try 'hvx --help')\n", argv[1]);
	return HVX_EXIT_USAGE;
}
