// SPDX-License-Identifier: GPL-2.0
/* Long options of the small commands, "--opt VALUE" and "--opt=VALUE" alike. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"

#define MAX_SECONDS	86400.0
#define MAX_COUNT	1000000000UL

static bool looks_numeric(const char *s)
{
	return isdigit((unsigned char)s[0]) || (s[0] == '.' && isdigit((unsigned char)s[1]));
}

int args_option(const char *cmd, int argc, char **argv, int *i, const char *name,
		enum args_want want, const char **value, char *err, size_t errlen)
{
	const char *word = argv[*i];
	size_t len = strlen(name);

	if (strncmp(word, name, len) || (word[len] && word[len] != '='))
		return 0;
	*value = NULL;
	if (word[len] == '=') {
		if (want == ARG_NONE) {
			snprintf(err, errlen, "option '%s' takes no value (try 'hvx %s --help')",
				 name, cmd);
			return -1;
		}
		*value = word + len + 1;
		return 1;
	}
	if (want == ARG_REQUIRED) {
		if (*i + 1 >= argc) {
			snprintf(err, errlen, "option '%s' wants a value (try 'hvx %s --help')",
				 name, cmd);
			return -1;
		}
		*value = argv[++*i];
	} else if (want == ARG_OPTIONAL_NUMBER && *i + 1 < argc && looks_numeric(argv[*i + 1])) {
		*value = argv[++*i];
	}
	return 1;
}

int args_seconds(const char *s, double *out)
{
	char *end;
	double v;

	if (!looks_numeric(s))
		return -1;
	v = strtod(s, &end);
	if (*end || !isfinite(v) || v <= 0 || v > MAX_SECONDS)
		return -1;
	*out = v;
	return 0;
}

int args_count(const char *s, unsigned long *out)
{
	unsigned long v = 0;

	if (!*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 10)
		return -1;
	v = strtoul(s, NULL, 10);
	if (v < 1 || v > MAX_COUNT)
		return -1;
	*out = v;
	return 0;
}
