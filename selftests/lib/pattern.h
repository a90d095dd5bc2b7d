/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The test data the VM tests move through hvx's devices (netbench over the
 * network, the pattern program into files on a disk): each 8-byte word is
 * a hash of its offset in the stream and of the stream's seed, so a lost,
 * repeated, reordered or changed byte anywhere is found, at the byte, and
 * a block of one stream never passes for another's.  Making and checking
 * it costs a few instructions a byte, against 13 for busybox's md5sum and
 * more for /dev/urandom, in an emulated host that runs 50 million a second.
 */
#ifndef HVX_SELFTESTS_PATTERN_H
#define HVX_SELFTESTS_PATTERN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* splitmix64's output function: consecutive inputs give unrelated words. */
static inline uint64_t pattern_word(uint64_t seed, uint64_t index)
{
	uint64_t z = (seed << 40) + index + 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* The LEN bytes of stream SEED that begin at byte OFFSET. */
static inline void pattern_fill(char *p, uint64_t seed, uint64_t offset, size_t len)
{
	while (len) {
		uint64_t word = pattern_word(seed, offset / 8);
		size_t at = offset % 8, n = 8 - at < len ? 8 - at : len;

		memcpy(p, (char *)&word + at, n);
		p += n;
		offset += n;
		len -= n;
	}
}

/*
 * The first byte of P[0..LEN) that differs from stream SEED at OFFSET, or
 * -1; SCRATCH holds LEN bytes.
 */
static inline long pattern_mismatch(const char *p, char *scratch, uint64_t seed,
				    uint64_t offset, size_t len)
{
	size_t i;

	pattern_fill(scratch, seed, offset, len);
	if (!memcmp(p, scratch, len))
		return -1;
	for (i = 0; p[i] == scratch[i]; i++)
		;
	return i;
}

#endif
