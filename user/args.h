/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Command lines of the commands that take a few options (ps, stats,
 * events), and what they parse into: the parsers are pure so that the
 * unit tests check every error a user can make.  Each parser returns an
 * exit status (HVX_EXIT_OK or HVX_EXIT_USAGE with the one-line reason,
 * without the "hvx CMD: " prefix, in @err).
 */
#ifndef HVX_USER_ARGS_H
#define HVX_USER_ARGS_H

#include <stdbool.h>
#include <stddef.h>

enum args_want {
	ARG_NONE,		/* --flag */
	ARG_REQUIRED,		/* --opt VALUE or --opt=VALUE */
	ARG_OPTIONAL_NUMBER,	/* --opt, --opt=VALUE, or --opt VALUE if VALUE is a number */
};

/*
 * Whether argv[*i] is the long option @name ("--watch"): 1 with its value
 * (or NULL) in @value and *i on the last word it used, 0 if it is another
 * word, -1 with the reason in @err.
 */
int args_option(const char *cmd, int argc, char **argv, int *i, const char *name,
		enum args_want want, const char **value, char *err, size_t errlen);
/* A number of seconds above 0 and up to a day, decimals allowed: 0 or -1. */
int args_seconds(const char *s, double *out);
/* A whole number from 1 to 1000000000: 0 or -1. */
int args_count(const char *s, unsigned long *out);

struct ps_args {
	bool help;
	bool header;
};
int ps__parse(int argc, char **argv, struct ps_args *a, char *err, size_t errlen);

struct stats_args {
	bool help;
	const char *vm;
	bool watch;
	double interval;	/* seconds between samples with --watch */
};
int stats__parse(int argc, char **argv, struct stats_args *a, char *err, size_t errlen);

struct events_args {
	bool help;
	unsigned long count;	/* 0: no --count */
	double timeout;		/* 0: no --timeout */
	const char *ready_file;
};
int events__parse(int argc, char **argv, struct events_args *a, char *err, size_t errlen);

#endif
