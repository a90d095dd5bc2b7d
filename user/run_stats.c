// SPDX-License-Identifier: GPL-2.0
/* hvx run --stats-at: boot cost in guest TSC ticks and VM exits by reason. */
#include <asm/vmx.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <x86intrin.h>

#include "run_stats.h"

static const struct {
	unsigned int reason;
	const char *name;
} exit_names[] = { VMX_EXIT_REASONS };

const char *run_stats_exit_name(unsigned int reason)
{
	size_t i;

	for (i = 0; i < sizeof(exit_names) / sizeof(exit_names[0]); i++)
		if (exit_names[i].reason == reason)
			return exit_names[i].name;
	return NULL;
}

int run_stats_init(struct run_stats *s, const char *marker)
{
	size_t len = strlen(marker);

	memset(s, 0, sizeof(*s));
	if (!len || len > RUN_STATS_MAX_MARKER)
		return -EINVAL;
	memcpy(s->marker, marker, len);
	s->marker_len = len;
	return 0;
}

void run_stats_console_byte(struct run_stats *s, uint8_t byte)
{
	size_t len = s->marker_len;

	if (!len || s->marker_hit)
		return;
	/* A sliding window: the marker may start inside a partial match. */
	if (s->seen < len) {
		s->window[s->seen++] = byte;
	} else {
		memmove(s->window, s->window + 1, len - 1);
		s->window[len - 1] = byte;
	}
	if (s->seen == len && !memcmp(s->window, s->marker, len)) {
		s->hit_tsc = __rdtsc();
		s->marker_hit = true;
	}
}

int run_stats_take(struct run_stats *s, int vcpu_fd)
{
	if (s->taken)
		return 0;
	if (ioctl(vcpu_fd, HVX_GET_STATS, &s->vcpu))
		return -errno;
	s->taken = true;
	return 0;
}

struct port_count {
	uint16_t port;
	uint32_t count;
};

/* Most exits first; ports in order among equals. */
static int by_count(const void *a, const void *b)
{
	const struct port_count *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return (int)x->port - (int)y->port;
}

static void print_top_ports(const struct run_stats *s, FILE *out)
{
	static struct port_count ports[65536];
	unsigned int i, n = 0;

	for (i = 0; i < 65536; i++)
		if (s->io_exits[i])
			ports[n++] = (struct port_count){ .port = i, .count = s->io_exits[i] };
	qsort(ports, n, sizeof(ports[0]), by_count);
	for (i = 0; i < n && i < RUN_STATS_TOP_PORTS; i++)
		fprintf(out, "hvx run: stats: io port %#x %u\n", ports[i].port, ports[i].count);
}

void run_stats_print(const struct run_stats *s, FILE *out)
{
	uint64_t total = 0;
	unsigned int i;

	if (!s->taken)
		return;
	if (s->marker_hit && s->vcpu.first_entry_tsc)
		fprintf(out, "hvx run: stats: ticks %llu to \"%.*s\"\n",
			(unsigned long long)(s->hit_tsc - s->vcpu.first_entry_tsc), (int)s->marker_len, s->marker);
	else
		fprintf(out, "hvx run: stats: \"%.*s\" never appeared; exits to the end\n",
			(int)s->marker_len, s->marker);
	for (i = 0; i < HVX_NR_VMX_EXIT_REASONS; i++)
		total += s->vcpu.exits[i];
	fprintf(out, "hvx run: stats: exits %llu\n", (unsigned long long)total);
	for (i = 0; i < HVX_NR_VMX_EXIT_REASONS; i++) {
		const char *name = run_stats_exit_name(i);

		if (!s->vcpu.exits[i])
			continue;
		if (name)
			fprintf(out, "hvx run: stats: exit %s %llu\n", name,
				(unsigned long long)s->vcpu.exits[i]);
		else
			fprintf(out, "hvx run: stats: exit %u %llu\n", i,
				(unsigned long long)s->vcpu.exits[i]);
	}	print_top_ports(s, out);
}
