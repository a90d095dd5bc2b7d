// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "options.h"

int options_parse_size(const char *s, uint64_t *out)
{
	uint64_t value = 0, mult = 1;
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		if (value > (UINT64_MAX - 9) / 10)
			return -1;
		value = value * 10 + (*p - '0');
	}
	switch (tolower((unsigned char)*p)) {
	case 0: break;
	case 'k': mult = 1ULL << 10; p++; break;
	case 'm': mult = 1ULL << 20; p++; break;
	case 'g': mult = 1ULL << 30; p++; break;
	default: return -1;
	}
	if (*p || (value && mult > UINT64_MAX / value))
		return -1;
	*out = value * mult;
	return 0;
}

int options_read_file(const char *path, uint64_t max, uint8_t **data, size_t *size,
		      char *err, size_t errlen)
{
	struct stat st;
	FILE *f = fopen(path, "rb");
	uint8_t *buf;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		fclose(f);
		return -1;
	}
	if ((uint64_t)st.st_size > max) {
		snprintf(err, errlen, "%s: larger than %llu bytes", path,
			 (unsigned long long)max);
		fclose(f);
		return -1;
	}
	buf = malloc(st.st_size ? st.st_size : 1);
	if (!buf || fread(buf, 1, st.st_size, f) != (size_t)st.st_size) {
		snprintf(err, errlen, "%s: cannot read it", path);
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	*data = buf;
	*size = st.st_size;
	return 0;
}
