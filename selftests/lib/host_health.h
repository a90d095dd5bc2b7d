/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Is the host still well after a guest?  Its kernel log has no splat, and
 * its CPUs still take their timer interrupts (the LOC line of
 * /proc/interrupts moves).  For the hostile-guest tests.
 */
#ifndef HVX_SELFTEST_HOST_HEALTH_H
#define HVX_SELFTEST_HOST_HEALTH_H

#include <stddef.h>

struct host_health {
	int kmsg_fd;	/* /dev/kmsg, read from where host_health_begin() was */
};

/* Starts watching the kernel log from now on; -1 with errno on failure. */
int host_health_begin(struct host_health *h);
void host_health_end(struct host_health *h);
/*
 * Counts the kernel log lines since host_health_begin() (or the previous
 * call) that show a splat; the first goes to @first.
 */
int host_dmesg_bad_lines(struct host_health *h, char *first, size_t len);
/* The sum of every CPU's local timer interrupts (LOC), -1 on failure. */
long long host_timer_interrupts(void);
/*
 * Busy-waits (never sleeps: a deaf host would never wake us) up to @ms
 * milliseconds of CLOCK_MONOTONIC for LOC to grow by @want; returns by
 * how much it grew.
 */
long long host_timer_advance(unsigned int ms, long long want);

/*
 * In a kselftest TEST(): the log is clean since host_health_begin() and
 * the timer still ticks (5 interrupts in 1 s; the host's HZ is 250).
 */
#define ASSERT_HOST_HEALTHY(h) do {					\
	char __line[512] = "";						\
	int __bad = host_dmesg_bad_lines((h), __line, sizeof(__line));	\
	long long __ticks = host_timer_advance(1000, 5);		\
									\
	if (__bad)							\
		TH_LOG("host log: %s", __line);				\
	ASSERT_EQ(0, __bad);						\
	if (__ticks < 5)						\
		TH_LOG("host LOC grew by %lld in 1 s", __ticks);	\
	ASSERT_LE(5, __ticks);						\
} while (0)

#endif
