/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a boot costs: guest TSC ticks from the first VM entry until the
 * console shows a marker, and the VM exits by reason up to that point.
 * The guest's TSC is the host's (hvx sets no TSC offset), so a host RDTSC
 * taken while the vCPU thread handles the marker's last byte is the
 * guest's clock at that OUT, give or take one exit.
 */
#ifndef HVX_RUN_STATS_H
#define HVX_RUN_STATS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "uapi/hvx.h"

#define RUN_STATS_MAX_MARKER	128

struct run_stats {
	char marker[RUN_STATS_MAX_MARKER];
	size_t marker_len;		/* 0: no statistics wanted */
	char window[RUN_STATS_MAX_MARKER];	/* the last marker_len bytes seen */
	size_t seen;
	bool marker_hit;
	uint64_t hit_tsc;
	bool taken;			/* vcpu below holds the figures */
	struct hvx_vcpu_stats vcpu;
	uint32_t io_exits[65536];	/* port I/O that reached us, by port */
};

/* 0, or -EINVAL for an empty or over-long @marker. */
int run_stats_init(struct run_stats *s, const char *marker);
static inline bool run_stats_wanted(const struct run_stats *s)
{
	return s->marker_len;
}
/* Feeds one byte of console output; notes the TSC when the marker ends. */
void run_stats_console_byte(struct run_stats *s, uint8_t byte);
/* Counts a port I/O exit, until the figures are taken. */
static inline void run_stats_io(struct run_stats *s, uint16_t port)
{
	if (s->marker_len && !s->taken)
		s->io_exits[port]++;
}
/* Reads the vCPU's counters once, right after the marker; 0 or -errno. */
int run_stats_take(struct run_stats *s, int vcpu_fd);
/*
 * The figures as "hvx run: stats: ..." lines, none if never taken: ticks,
 * exits in all, exits by VMX reason, then the RUN_STATS_TOP_PORTS ports
 * with the most I/O exits.
 */
#define RUN_STATS_TOP_PORTS	5
void run_stats_print(const struct run_stats *s, FILE *out);
/* Name of a basic VMX exit reason, or NULL for a number with none. */
const char *run_stats_exit_name(unsigned int reason);

#endif
