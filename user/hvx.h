/* SPDX-License-Identifier: GPL-2.0 */
/* The hvx tool: one file per subcommand, dispatched from a table. */
#ifndef HVX_TOOL_H
#define HVX_TOOL_H

#define HVX_TOOL_VERSION	"0.1"

/* Exit statuses shared by every subcommand. */
enum {
	HVX_EXIT_OK = 0,
	HVX_EXIT_FAILURE = 1,
	HVX_EXIT_USAGE = 2,
};

struct hvx_cmd {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
	void (*help)(void);
};

/* Exit statuses of hvx run: how the guest ended. */
enum {
	HVX_RUN_POWEROFF = 0,
	HVX_RUN_HOST_ERROR = 1,
	HVX_RUN_USAGE = 2,
	HVX_RUN_REBOOT = 3,
	HVX_RUN_CRASH = 4,
	HVX_RUN_HV_ERROR = 5,
	HVX_RUN_ESCAPE = 6,	/* the user ended it with Ctrl-A x */
};

int run__run(int argc, char **argv);
void run__help(void);
int balloon__run(int argc, char **argv);
void balloon__help(void);
int ps__run(int argc, char **argv);
void ps__help(void);
int stats__run(int argc, char **argv);
void stats__help(void);
int events__run(int argc, char **argv);
void events__help(void);
int version__run(int argc, char **argv);
void version__help(void);

#endif
