// SPDX-License-Identifier: GPL-2.0
/* hvx stats: one VM's counters from hvx.ko, once or every few seconds. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "args.h"
#include "genl.h"
#include "hvx.h"

void stats__help(void)
{
	printf("usage: hvx stats VM [--watch [SECONDS]]\n\n"
	       "Prints the counters hvx.ko keeps for the VM (its name, or its id if all\n"
	       "digits; see 'hvx ps'), one 'key value' line each:\n\n"
	       "  vm ID, name NAME (- if none), pid PID, uid UID, state STATE, vcpus N,\n"
	       "  memory_mib MIB            the VM and its guest RAM\n"
	       "  guest_ms MS               time in the guest (milliseconds, 3 decimals)\n"
	       "  exit_path_ms MS           time in hvx.ko from VM exits to the next entry\n"
	       "                            or the return to hvx run (HLT sleep not counted)\n"
	       "  halted_ms MS              time the vCPUs slept in HLT\n"
	       "  irqs_injected N           interrupts delivered to the guest (with APIC\n"
	       "                            virtualization, those hvx.ko raised: not the\n"
	       "                            guest's self-IPIs, which the CPU handles)\n"
	       "  resident_mib MIB          guest RAM mapped (pinned) by hvx.ko\n"
	       "  balloon_mib MIB           guest memory in the balloon\n"
	       "  exits N                   VM exits in all, then for each reason seen:\n"
	       "  exit REASON N             REASON the SDM's name of the basic exit\n"
	       "                            reason (HLT, IO_INSTRUCTION, EPT_VIOLATION...),\n"
	       "                            or its number if it has none\n"
	       "  channel CHILD CLASS from_guest_packets N from_guest_bytes N\n"
	       "          to_guest_packets N to_guest_bytes N signals N [broken]\n"
	       "                            a channel-bus device as hvx run reports it\n"
	       "                            (about once a second): CLASS echo, blk, net,\n"
	       "                            timesync, balloon or the class's GUID;\n"
	       "                            broken once hvx run found a ring broken.\n"
	       "                            CHILD 'gone' and CLASS '-' is the sum of the\n"
	       "                            channels that are gone\n\n"
	       "A counter the module did not report is left out (a channel's shows -).\n"
	       "Only the VM's owner or CAP_SYS_ADMIN may read them.\n\n"
	       "  --watch [SECONDS]  print the counters, then every SECONDS (default 1,\n"
	       "                     decimals allowed) what changed: a block that starts\n"
	       "                     with 'interval_s S' and has the keys above, each\n"
	       "                     counter as its growth over the interval (exit lines\n"
	       "                     only for reasons that grew), with irqs_per_s and\n"
	       "                     exits_per_s, and state, resident_mib and balloon_mib\n"
	       "                     as they are now.  Ends on SIGINT or SIGTERM, or\n"
	       "                     when the VM is gone (after a line 'vm ID gone')\n\n"
	       "exit status: 0 done, 1 no such VM, permission denied, or hvx.ko is not\n"
	       "loaded, 2 usage error\n");
}

int stats__parse(int argc, char **argv, struct stats_args *a, char *err, size_t errlen)
{
	const char *value;
	int i, r;

	memset(a, 0, sizeof(*a));
	a->interval = 1;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			a->help = true;
			continue;
		}
		r = args_option("stats", argc, argv, &i, "--watch", ARG_OPTIONAL_NUMBER, &value,
				err, errlen);
		if (r < 0)
			return HVX_EXIT_USAGE;
		if (r) {
			a->watch = true;
			if (value && args_seconds(value, &a->interval)) {
				snprintf(err, errlen,
					 "--watch %s: want seconds above 0 and up to a day (1, 0.5)",
					 value);
				return HVX_EXIT_USAGE;
			}
			continue;
		}
		if (argv[i][0] == '-') {
			snprintf(err, errlen, "unknown option '%s' (try 'hvx stats --help')",
				 argv[i]);
			return HVX_EXIT_USAGE;
		}
		if (a->vm) {
			snprintf(err, errlen, "unexpected argument '%s' (try 'hvx stats --help')",
				 argv[i]);
			return HVX_EXIT_USAGE;
		}
		a->vm = argv[i];
	}
	if (!a->vm && !a->help) {
		snprintf(err, errlen, "want a VM, its name or id (try 'hvx stats --help')");
		return HVX_EXIT_USAGE;
	}
	return HVX_EXIT_OK;
}

/* Prints why a GET_STATS failed: an exit status. */
static int stats_failed(const struct vm_info *vm, int err)
{
	if (err == -EPERM)
		fprintf(stderr, "hvx stats: permission denied: VM %u belongs to uid %u (only its owner or CAP_SYS_ADMIN may read its counters)\n",
			vm->id, vm->uid);
	else if (err == -ENOENT)
		fprintf(stderr, "hvx: no VM with id %u\n", vm->id);
	else
		fprintf(stderr, "hvx stats: cannot read VM %u's counters: %s\n", vm->id,
			strerror(-err));
	return HVX_EXIT_FAILURE;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void on_stop(int sig)
{
	(void)sig;
}

/*
 * Sleeps @seconds unless SIGINT or SIGTERM comes: false if one did.  The
 * two stay blocked but while ppoll() waits, so none slips in unseen.
 */
static bool nap(double seconds, const sigset_t *waiting)
{
	struct timespec ts = { .tv_sec = (time_t)seconds };
	double until = now() + seconds;

	for (;;) {
		ts.tv_sec = (time_t)seconds;
		ts.tv_nsec = (long)((seconds - ts.tv_sec) * 1e9);
		if (ppoll(NULL, 0, &ts, waiting) < 0 && errno == EINTR)
			return false;
		seconds = until - now();
		if (seconds <= 0)
			return true;
	}
}

static int stats_watch(struct genl *g, const struct vm_info *vm, double interval,
		       struct vm_stats *prev, struct vm_stats *cur)
{
	struct sigaction sa = { .sa_handler = on_stop };
	sigset_t block, waiting;
	double t0 = now(), t1;
	int err;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &waiting);
	sigdelset(&waiting, SIGINT);
	sigdelset(&waiting, SIGTERM);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	for (;;) {
		if (!nap(interval, &waiting))
			return HVX_EXIT_OK;
		err = genl_get_stats(g, vm->id, cur);
		t1 = now();
		if (err == -ENOENT) {
			printf("vm %u gone\n", vm->id);
			return fflush(stdout) ? HVX_EXIT_FAILURE : HVX_EXIT_OK;
		}
		if (err)
			return stats_failed(vm, err);
		vm_print_stats_delta(stdout, prev, cur, t1 - t0);
		if (fflush(stdout))
			return HVX_EXIT_FAILURE;
		*prev = *cur;
		t0 = t1;
	}
}

int stats__run(int argc, char **argv)
{
	struct vm_stats *st = NULL;
	struct stats_args a;
	struct vm_info vm;
	struct genl g;
	char why[128];
	int err, status;

	if (stats__parse(argc, argv, &a, why, sizeof(why))) {
		fprintf(stderr, "hvx stats: %s\n", why);
		return HVX_EXIT_USAGE;
	}
	if (a.help) {
		stats__help();
		return HVX_EXIT_OK;
	}
	err = genl_open(&g);
	if (err)
		return genl_open_failed("stats", err);
	status = genl_find_vm(&g, "stats", a.vm, &vm);
	if (status)
		goto out;
	/* Two samples: too large for the stack. */
	st = calloc(2, sizeof(*st));
	if (!st) {
		fprintf(stderr, "hvx stats: out of memory\n");
		status = HVX_EXIT_FAILURE;
		goto out;
	}
	err = genl_get_stats(&g, vm.id, &st[0]);
	if (err) {
		status = stats_failed(&vm, err);
		goto out;
	}
	vm_print_stats(stdout, &st[0]);
	if (fflush(stdout)) {
		status = HVX_EXIT_FAILURE;
		goto out;
	}
	status = a.watch ? stats_watch(&g, &vm, a.interval, &st[0], &st[1]) : HVX_EXIT_OK;
out:
	free(st);
	genl_close(&g);
	return status;
}
