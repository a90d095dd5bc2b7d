// SPDX-License-Identifier: GPL-2.0
/*
 * Takes memory and checks it, for the balloon tests:
 *   memhog MIB [SECONDS]
 * Allocates MIB MiB, writes a pattern that differs per page into all of
 * it, reads it all back, holds it SECONDS more (0 by default), and prints
 * "memhog MIB ok" or where it differed.
 * Under a balloon that leaves too little, the guest kernel must deflate
 * the balloon instead of killing us.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	size_t mib, words, i;
	uint64_t *mem;

	if (argc < 2 || argc > 3 || !(mib = strtoul(argv[1], NULL, 10))) {
		fprintf(stderr, "usage: memhog MIB [SECONDS]\n");
		return 2;
	}
	words = mib << 17;
	mem = malloc(words * sizeof(*mem));
	if (!mem) {
		printf("memhog %zu no memory\n", mib);
		return 1;
	}
	for (i = 0; i < words; i++)
		mem[i] = i * 0x9e3779b97f4a7c15ULL;
	for (i = 0; i < words; i++)
		if (mem[i] != i * 0x9e3779b97f4a7c15ULL) {
			printf("memhog %zu differs at byte %zu\n", mib, i * sizeof(*mem));
			return 1;
		}
	if (argc == 3)
		sleep(atoi(argv[2]));
	printf("memhog %zu ok\n", mib);
	return 0;
}
