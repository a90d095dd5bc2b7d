// SPDX-License-Identifier: GPL-2.0
/*
 * TCP throughput for the network benchmarks (iperf3 would do, but a fixed
 * byte count and the guest's own clock are all we need), run in the Linux
 * guest and in the emulated host:
 *   netbench recv PORT            accepts one connection, reads it to its
 *                                 end, writes what came to stdout
 *   netbench recv PORT check BYTES  the same, but checks that exactly
 *                                 BYTES of the pattern came (below)
 *   netbench send ADDR PORT BYTES sends BYTES read from stdin, then waits
 *                                 for the receiver to close
 *   netbench send ADDR PORT BYTES pattern  sends BYTES of the pattern
 * Each prints "bytes N seconds S mbps M" on stderr, timed on its own clock
 * from the connection to its end (megabytes of 10^6 bytes per second).
 *
 * The pattern is selftests/lib/pattern.h's stream 0.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "pattern.h"

#define CHUNK	(256 * 1024)

static char buf[CHUNK];
static char expected[CHUNK];

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int write_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

static void report(unsigned long long bytes, double start)
{
	double s = now() - start;

	fprintf(stderr, "bytes %llu seconds %.3f mbps %.1f\n", bytes, s,
		s > 0 ? bytes / s / 1e6 : 0.0);
}

/*
 * CHECK_BYTES: 0 writes what came to stdout; else what came must be the
 * pattern, CHECK_BYTES of it, which "pattern ok" or the first wrong byte
 * on stderr says.
 */
static int do_recv(int port, unsigned long long check_bytes)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	unsigned long long bytes = 0;
	int one = 1, ls, fd;
	double start;
	long wrong;
	ssize_t n;

	ls = socket(AF_INET, SOCK_STREAM, 0);
	if (ls < 0 || setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(ls, (struct sockaddr *)&sa, sizeof(sa)) || listen(ls, 1)) {
		perror("netbench: listen");
		return 1;
	}
	fprintf(stderr, "listening %d\n", port);
	fd = accept(ls, NULL, NULL);
	if (fd < 0) {
		perror("netbench: accept");
		return 1;
	}
	start = now();
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (check_bytes) {
			wrong = pattern_mismatch(buf, expected, 0, bytes, n);
			if (wrong >= 0) {
				fprintf(stderr, "pattern wrong at byte %llu\n", bytes + wrong);
				return 1;
			}
		} else if (write_all(STDOUT_FILENO, buf, n)) {
			perror("netbench: stdout");
			return 1;
		}
		bytes += n;
	}
	if (n < 0) {
		perror("netbench: read");
		return 1;
	}
	report(bytes, start);
	close(fd);
	close(ls);
	if (!check_bytes)
		return 0;
	if (bytes != check_bytes) {
		fprintf(stderr, "pattern ended after %llu of %llu bytes\n", bytes, check_bytes);
		return 1;
	}
	fprintf(stderr, "pattern ok\n");
	return 0;
}

/* PATTERN: send the pattern, not stdin. */
static int do_send(const char *addr, int port, unsigned long long want, int pattern)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	unsigned long long bytes = 0;
	double start;
	ssize_t n;
	int fd;

	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
		fprintf(stderr, "netbench: %s: not an IPv4 address\n", addr);
		return 2;
	}
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("netbench: connect");
		return 1;
	}
	start = now();
	while (bytes < want) {
		n = want - bytes < CHUNK ? want - bytes : CHUNK;
		if (pattern)
			pattern_fill(buf, 0, bytes, n);
		else
			n = read(STDIN_FILENO, buf, n);
		if (n <= 0)
			break;
		if (write_all(fd, buf, n)) {
			perror("netbench: send");
			return 1;
		}
		bytes += n;
	}
	/* The end is when the receiver has it all and closes. */
	shutdown(fd, SHUT_WR);
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	report(bytes, start);
	close(fd);
	return bytes == want ? 0 : 1;
}

int main(int argc, char **argv)
{
	unsigned long long check_bytes = 0;

	if (argc == 5 && !strcmp(argv[1], "recv") && !strcmp(argv[3], "check"))
		check_bytes = strtoull(argv[4], NULL, 0);
	if (!strcmp(argv[1] ? argv[1] : "", "recv") && (argc == 3 || check_bytes))
		return do_recv(atoi(argv[2]), check_bytes);
	if (argc == 5 && !strcmp(argv[1], "send"))
		return do_send(argv[2], atoi(argv[3]), strtoull(argv[4], NULL, 0), 0);
	if (argc == 6 && !strcmp(argv[1], "send") && !strcmp(argv[5], "pattern"))
		return do_send(argv[2], atoi(argv[3]), strtoull(argv[4], NULL, 0), 1);
	fprintf(stderr, "usage: netbench recv PORT [check BYTES] | netbench send ADDR PORT BYTES [pattern]\n");
	return 2;
}
