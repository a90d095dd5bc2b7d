// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "host_health.h"

/* What a splat prints, and a wrmsr the host's kernel did not expect. */
static const char *const bad_patterns[] = {
	"BUG", "WARNING", "Oops", "general protection", "divide error", "RIP:",
	"Call Trace", "unchecked MSR access", "soft lockup", "rcu_sched self-detected",
	"rcu: INFO", "hung_task",
};

int host_health_begin(struct host_health *h)
{
	h->kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (h->kmsg_fd < 0)
		return -1;
	if (lseek(h->kmsg_fd, 0, SEEK_END) < 0) {
		close(h->kmsg_fd);
		h->kmsg_fd = -1;
		return -1;
	}
	return 0;
}

void host_health_end(struct host_health *h)
{
	if (h->kmsg_fd >= 0)
		close(h->kmsg_fd);
	h->kmsg_fd = -1;
}

int host_dmesg_bad_lines(struct host_health *h, char *first, size_t len)
{
	char rec[8192];
	int bad = 0;
	size_t i;

	for (;;) {
		ssize_t n = read(h->kmsg_fd, rec, sizeof(rec) - 1);
		const char *msg;

		if (n < 0 && errno == EPIPE)	/* overwritten records: go on */
			continue;
		if (n <= 0)
			break;
		rec[n] = 0;
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		for (i = 0; i < sizeof(bad_patterns) / sizeof(bad_patterns[0]); i++) {
			if (!strstr(msg, bad_patterns[i]))
				continue;
			if (!bad++ && first)
				snprintf(first, len, "%s", msg);
			break;
		}
	}
	return bad;
}

long long host_timer_interrupts(void)
{
	FILE *f = fopen("/proc/interrupts", "re");
	char line[4096];
	long long sum = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *end;

		while (*p == ' ')
			p++;
		if (strncmp(p, "LOC:", 4))
			continue;
		p += 4;
		sum = 0;
		for (;;) {
			long long v = strtoll(p, &end, 10);

			if (end == p)
				break;
			sum += v;
			p = end;
		}
		break;
	}
	fclose(f);
	return sum;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

long long host_timer_advance(unsigned int ms, long long want)
{
	long long start = host_timer_interrupts(), now = start;
	long long deadline = now_ms() + ms;

	if (start < 0)
		return -1;
	while (now_ms() < deadline) {
		now = host_timer_interrupts();
		if (now - start >= want)
			break;
	}
	return now - start;
}
