// SPDX-License-Identifier: GPL-2.0
/*
 * Disk benchmarks for the Linux guest (fio's Debian package would bring
 * Ceph's and Gluster's libraries into the guest image): the same two
 * patterns, measured by the guest's clock.
 *   blkbench randread DEV COUNT   4 KiB O_DIRECT reads at random aligned
 *                                 offsets, 32 threads (queue depth 32)
 *   blkbench seqwrite DEV MIB     1 MiB O_DIRECT writes from offset 0,
 *                                 then fdatasync
 * Prints "iops N" or "mbps N".
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/fs.h>
#include <time.h>
#include <unistd.h>

#define DEPTH	32

static int fd;
static unsigned long long dev_blocks;
static long per_thread;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *reader(void *arg)
{
	unsigned int seed = (unsigned long)arg;
	void *buf;
	long i;

	if (posix_memalign(&buf, 4096, 4096))
		return (void *)1;
	for (i = 0; i < per_thread; i++) {
		unsigned long long block = ((unsigned long long)rand_r(&seed) << 16 ^
					    rand_r(&seed)) % dev_blocks;

		if (pread(fd, buf, 4096, block * 4096) != 4096)
			return (void *)1;
	}
	free(buf);
	return NULL;
}

int main(int argc, char **argv)
{
	unsigned long long bytes;
	pthread_t t[DEPTH];
	void *ret, *buf;
	long i, n;
	double t0;
	int err = 0;

	if (argc != 4)
		return 2;
	n = atol(argv[3]);
	fd = open(argv[2], O_RDWR | O_DIRECT);
	if (fd < 0 || ioctl(fd, BLKGETSIZE64, &bytes)) {
		perror(argv[2]);
		return 1;
	}
	dev_blocks = bytes / 4096;
	if (!strcmp(argv[1], "randread")) {
		per_thread = n / DEPTH;
		t0 = now();
		for (i = 0; i < DEPTH; i++)
			pthread_create(&t[i], NULL, reader, (void *)(i + 1));
		for (i = 0; i < DEPTH; i++) {
			pthread_join(t[i], &ret);
			err |= ret != NULL;
		}
		printf("iops %.0f\n", per_thread * DEPTH / (now() - t0));
	} else if (!strcmp(argv[1], "seqwrite")) {
		if (posix_memalign(&buf, 4096, 1 << 20))
			return 1;
		memset(buf, 0x5a, 1 << 20);
		t0 = now();
		for (i = 0; i < n && !err; i++)
			err = pwrite(fd, buf, 1 << 20, i << 20) != 1 << 20;
		err |= fdatasync(fd);
		printf("mbps %.1f\n", n / (now() - t0));
	} else {
		return 2;
	}
	if (err)
		fprintf(stderr, "blkbench: I/O failed\n");
	return err;
}
