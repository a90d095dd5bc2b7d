// SPDX-License-Identifier: GPL-2.0
/*
 * Compares a PTP clock with the guest's CLOCK_REALTIME, as phc_ctl's "cmp"
 * does (linuxptp is not in the guest image):
 *   ptpcheck /dev/ptpN
 * Reads 9 (system, PHC, system) triples with PTP_SYS_OFFSET_EXTENDED and
 * prints "offset_ns N delay_ns D": PHC minus system time from the triple
 * whose system readings lie closest together, and that distance.
 */
#include <fcntl.h>
#include <linux/ptp_clock.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

static int64_t ns(const struct ptp_clock_time *t)
{
	return t->sec * 1000000000LL + t->nsec;
}

int main(int argc, char **argv)
{
	struct ptp_sys_offset_extended req = { .n_samples = 9 };
	int64_t best_delay = INT64_MAX, best_offset = 0;
	unsigned int i;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: ptpcheck /dev/ptpN\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY);
	if (fd < 0 || ioctl(fd, PTP_SYS_OFFSET_EXTENDED, &req)) {
		perror(argv[1]);
		return 1;
	}
	for (i = 0; i < req.n_samples; i++) {
		int64_t before = ns(&req.ts[i][0]), phc = ns(&req.ts[i][1]);
		int64_t after = ns(&req.ts[i][2]);

		if (after - before < best_delay) {
			best_delay = after - before;
			best_offset = phc - (before + (after - before) / 2);
		}
	}
	printf("offset_ns %lld delay_ns %lld\n", (long long)best_offset, (long long)best_delay);
	close(fd);
	return 0;
}
