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

int version__run(int argc, char **argv);
void version__help(void);

#endif
