// SPDX-License-Identifier: GPL-2.0
/*
 * Files of known content for the disk tests, in the Linux guest and in the
 * emulated host (selftests/lib/pattern.h's streams):
 *   pattern fill SEED BYTES    writes BYTES of stream SEED to stdout
 *   pattern check SEED BYTES   exits 0 if stdin is exactly BYTES of stream
 *                              SEED; else says where it went wrong
 * A file written with one seed and read back with another, or a block of
 * it found at another offset, fails.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pattern.h"

#define CHUNK	(256 * 1024)

static char buf[CHUNK];
static char expected[CHUNK];

static int fill(uint64_t seed, unsigned long long bytes)
{
	unsigned long long done = 0;
	size_t n, off;
	ssize_t w;

	while (done < bytes) {
		n = bytes - done < CHUNK ? bytes - done : CHUNK;
		pattern_fill(buf, seed, done, n);
		for (off = 0; off < n; off += w) {
			w = write(STDOUT_FILENO, buf + off, n - off);
			if (w < 0 && errno == EINTR) {
				w = 0;
				continue;
			}
			if (w <= 0) {
				perror("pattern: write");
				return 1;
			}
		}
		done += n;
	}
	return 0;
}

static int check(uint64_t seed, unsigned long long bytes)
{
	unsigned long long done = 0;
	long wrong;
	ssize_t n;

	while ((n = read(STDIN_FILENO, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			perror("pattern: read");
			return 1;
		}
		wrong = pattern_mismatch(buf, expected, seed, done, n);
		if (wrong >= 0) {
			printf("pattern %llu wrong at byte %llu\n", (unsigned long long)seed,
			       done + wrong);
			return 1;
		}
		done += n;
	}
	if (done != bytes) {
		printf("pattern %llu ended after %llu of %llu bytes\n", (unsigned long long)seed,
		       done, bytes);
		return 1;
	}
	printf("pattern %llu ok\n", (unsigned long long)seed);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "fill"))
		return fill(strtoull(argv[2], NULL, 0), strtoull(argv[3], NULL, 0));
	if (argc == 4 && !strcmp(argv[1], "check"))
		return check(strtoull(argv[2], NULL, 0), strtoull(argv[3], NULL, 0));
	fprintf(stderr, "usage: pattern fill SEED BYTES | pattern check SEED BYTES\n");
	return 2;
}
