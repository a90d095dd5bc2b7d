/* SPDX-License-Identifier: GPL-2.0 */
/* Parsing and reading what users pass on the command line. */
#ifndef HVX_OPTIONS_H
#define HVX_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

/* "256M", "1g", "4096": 0, or -1 for anything else (overflow included). */
int options_parse_size(const char *s, uint64_t *out);
/* Reads a whole regular file of at most @max bytes; -1 with @err filled. */
int options_read_file(const char *path, uint64_t max, uint8_t **data, size_t *size,
		      char *err, size_t errlen);

#endif
