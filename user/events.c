// SPDX-License-Identifier: GPL-2.0
/* hvx events: hvx.ko's VM lifecycle events as they happen. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <netlink/socket.h>

#include "args.h"
#include "genl.h"
#include "hvx.h"

void events__help(void)
{
	printf("usage: hvx events [--count N] [--timeout SECONDS] [--ready-file PATH]\n\n"
	       "Prints hvx.ko's VM events as they happen, every user's VMs, one line\n"
	       "each, written out at once (for a pipe or a file too):\n\n"
	       "  created vm ID pid PID\n"
	       "  named vm ID name NAME pid PID\n"
	       "  vcpu-shutdown vm ID [name NAME] pid PID vcpu N reason R\n"
	       "  channel-broken vm ID [name NAME] pid PID channel CHILD\n"
	       "  destroyed vm ID [name NAME] pid PID\n\n"
	       "vcpu-shutdown: the vCPU cannot run any more; R is how its last run\n"
	       "ended (uapi/hvx.h enum hvx_exit_reason: 3 halted with interrupts off,\n"
	       "4 triple fault, 5 failed VM entry, 6 an exit hvx cannot handle).\n"
	       "channel-broken: hvx run found a ring of the channel-bus device CHILD\n"
	       "broken by the guest.  An event of a kind this tool does not know shows\n"
	       "as event-N with what it carries.  Nothing else goes to stdout.\n\n"
	       "hvx events joins the events group before it prints or creates anything,\n"
	       "so every event after that is seen; events of an earlier moment are not.\n\n"
	       "  --count N           exit once N events were printed\n"
	       "  --timeout SECONDS   stop after SECONDS (decimals allowed): with --count\n"
	       "                      that is a failure, 'hvx events: timed out after N\n"
	       "                      events'; without, the normal end\n"
	       "  --ready-file PATH   create PATH, empty, once subscribed (it must not\n"
	       "                      exist): a script starts hvx events in the\n"
	       "                      background, waits for PATH, then starts VMs\n\n"
	       "SIGINT or SIGTERM ends it.\n\n"
	       "exit status: 0 N events printed with --count, or ended by --timeout or a\n"
	       "signal without --count; 1 timed out or stopped before --count was\n"
	       "reached, events were lost (the socket's buffer overflowed), PATH could\n"
	       "not be created, or hvx.ko is not loaded; 2 usage error\n");
}

int events__parse(int argc, char **argv, struct events_args *a, char *err, size_t errlen)
{
	const char *value;
	int i, r;

	memset(a, 0, sizeof(*a));
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			a->help = true;
			continue;
		}
		r = args_option("events", argc, argv, &i, "--count", ARG_REQUIRED, &value, err,
				errlen);
		if (r > 0 && args_count(value, &a->count)) {
			snprintf(err, errlen, "--count %s: want a whole number from 1", value);
			return HVX_EXIT_USAGE;
		}
		if (!r) {
			r = args_option("events", argc, argv, &i, "--timeout", ARG_REQUIRED,
					&value, err, errlen);
			if (r > 0 && args_seconds(value, &a->timeout)) {
				snprintf(err, errlen,
					 "--timeout %s: want seconds above 0 and up to a day (1, 0.5)",
					 value);
				return HVX_EXIT_USAGE;
			}
		}
		if (!r) {
			r = args_option("events", argc, argv, &i, "--ready-file", ARG_REQUIRED,
					&a->ready_file, err, errlen);
			if (r > 0 && !*a->ready_file) {
				snprintf(err, errlen, "--ready-file wants a path");
				return HVX_EXIT_USAGE;
			}
		}
		if (r < 0)
			return HVX_EXIT_USAGE;
		if (r)
			continue;
		if (argv[i][0] == '-')
			snprintf(err, errlen, "unknown option '%s' (try 'hvx events --help')",
				 argv[i]);
		else
			snprintf(err, errlen, "unexpected argument '%s' (try 'hvx events --help')",
				 argv[i]);
		return HVX_EXIT_USAGE;
	}
	return HVX_EXIT_OK;
}

struct tally {
	unsigned long seen, want;
	bool write_failed;
};

static bool print_event(const struct vm_event *ev, void *arg)
{
	struct tally *t = arg;

	vm_print_event(stdout, ev);
	t->write_failed |= fflush(stdout) != 0;
	t->seen++;
	return !t->write_failed && !(t->want && t->seen >= t->want);
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

/* Reads events until --count, --timeout or a signal: the exit status. */
static int events_listen(struct genl *g, const struct events_args *a)
{
	struct pollfd pfd = { .fd = nl_socket_get_fd(g->sk), .events = POLLIN };
	struct sigaction sa = { .sa_handler = on_stop };
	struct tally t = { .want = a->count };
	double deadline = now() + a->timeout, left;
	sigset_t block, waiting;
	struct timespec ts;
	int r;

	/* Blocked but while ppoll() waits: a signal cannot slip in between. */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &waiting);
	sigdelset(&waiting, SIGINT);
	sigdelset(&waiting, SIGTERM);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	for (;;) {
		left = deadline - now();
		if (a->timeout && left <= 0) {
			if (!a->count)
				return HVX_EXIT_OK;
			fprintf(stderr, "hvx events: timed out after %lu events\n", t.seen);
			return HVX_EXIT_FAILURE;
		}
		ts.tv_sec = (time_t)left;
		ts.tv_nsec = (long)((left - ts.tv_sec) * 1e9);
		r = ppoll(&pfd, 1, a->timeout ? &ts : NULL, &waiting);
		if (r < 0 && errno == EINTR) {
			if (!a->count)
				return HVX_EXIT_OK;
			fprintf(stderr, "hvx events: stopped by a signal after %lu of %lu events\n",
				t.seen, a->count);
			return HVX_EXIT_FAILURE;
		}
		if (r <= 0)
			continue;
		r = genl_read_events(g, print_event, &t);
		if (t.write_failed) {
			fprintf(stderr, "hvx events: cannot write to stdout: %s\n", strerror(errno));
			return HVX_EXIT_FAILURE;
		}
		if (r > 0)
			return HVX_EXIT_OK;
		if (r == -ENOBUFS) {
			fprintf(stderr, "hvx events: events were lost (the socket's buffer overflowed) after %lu events\n",
				t.seen);
			return HVX_EXIT_FAILURE;
		}
		if (r < 0) {
			fprintf(stderr, "hvx events: cannot read events: %s\n", strerror(-r));
			return HVX_EXIT_FAILURE;
		}
	}
}

int events__run(int argc, char **argv)
{
	struct events_args a;
	struct genl g;
	char why[128];
	int err, fd, status;

	if (events__parse(argc, argv, &a, why, sizeof(why))) {
		fprintf(stderr, "hvx events: %s\n", why);
		return HVX_EXIT_USAGE;
	}
	if (a.help) {
		events__help();
		return HVX_EXIT_OK;
	}
	err = genl_open(&g);
	if (err)
		return genl_open_failed("events", err);
	err = genl_subscribe(&g);
	if (err) {
		fprintf(stderr, "hvx events: cannot join the events group: %s\n", strerror(-err));
		genl_close(&g);
		return HVX_EXIT_FAILURE;
	}
	if (a.ready_file) {
		/* O_EXCL: a file left from an earlier run would say ready too early. */
		fd = open(a.ready_file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd < 0) {
			fprintf(stderr, "hvx events: --ready-file %s: %s\n", a.ready_file,
				strerror(errno));
			genl_close(&g);
			return HVX_EXIT_FAILURE;
		}
		close(fd);
	}
	status = events_listen(&g, &a);
	genl_close(&g);
	return status;
}
