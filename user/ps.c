// SPDX-License-Identifier: GPL-2.0
/* hvx ps: the VMs hvx.ko runs, from its generic netlink family. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "genl.h"
#include "hvx.h"

void ps__help(void)
{
	printf("usage: hvx ps [--no-header]\n\n"
	       "Lists the VMs of hvx.ko, every user's (as ps lists every process), sorted\n"
	       "by id, one line each under a header:\n\n"
	       "  ID     NAME  PID      STATE     VCPUS   MEMORY\n"
	       "  3      web   1234     running       1     512M\n\n"
	       "ID is the VM's id (unique while hvx.ko is loaded), NAME the one hvx run\n"
	       "--name gave it or -, PID the process that created it, STATE one of\n"
	       "created (no vCPU ran yet), running (a vCPU is in the guest or waits\n"
	       "for it), stopped (no vCPU runs: a paused VMM), shutdown (a vCPU shut\n"
	       "down or failed), MEMORY the guest's RAM in MiB.  Columns are separated\n"
	       "by spaces; a field the module did not report is -.\n\n"
	       "  --no-header  leave the header out\n\n"
	       "exit status: 0 done (also with no VMs), 1 hvx.ko is not loaded or did not\n"
	       "answer, 2 usage error\n");
}

int ps__parse(int argc, char **argv, struct ps_args *a, char *err, size_t errlen)
{
	int i;

	memset(a, 0, sizeof(*a));
	a->header = true;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			a->help = true;
		} else if (!strcmp(argv[i], "--no-header")) {
			a->header = false;
		} else {
			snprintf(err, errlen, "%s '%s' (try 'hvx ps --help')",
				 argv[i][0] == '-' ? "unknown option" : "unexpected argument",
				 argv[i]);
			return HVX_EXIT_USAGE;
		}
	}
	return HVX_EXIT_OK;
}

int ps__run(int argc, char **argv)
{
	struct vm_info *vms;
	struct ps_args a;
	struct genl g;
	char why[128];
	size_t n;
	int err;

	if (ps__parse(argc, argv, &a, why, sizeof(why))) {
		fprintf(stderr, "hvx ps: %s\n", why);
		return HVX_EXIT_USAGE;
	}
	if (a.help) {
		ps__help();
		return HVX_EXIT_OK;
	}
	err = genl_open(&g);
	if (err)
		return genl_open_failed("ps", err);
	err = genl_list_vms(&g, &vms, &n);
	genl_close(&g);
	if (err) {
		fprintf(stderr, "hvx ps: cannot list the VMs: %s\n", strerror(-err));
		return HVX_EXIT_FAILURE;
	}
	vm_print_ps(stdout, vms, n, a.header);
	free(vms);
	return fflush(stdout) ? HVX_EXIT_FAILURE : HVX_EXIT_OK;
}
