// SPDX-License-Identifier: GPL-2.0
/* hvx version: the tool's version and, when hvx.ko is loaded, its ABI. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "hvx.h"
#include "uapi/hvx.h"

void version__help(void)
{
	printf("usage: hvx version\n\n"
	       "Prints the tool's version and the ABI version that /dev/hvx reports.\n"
	       "exit status: 0 when /dev/hvx answered with the ABI this tool speaks,\n"
	       "1 when it is missing or speaks another, 2 for a usage error.\n");
}

int version__run(int argc, char **argv)
{
	int fd, api;

	if (argc > 1) {
		fprintf(stderr, "hvx version: unexpected argument '%s'\n", argv[1]);
		return HVX_EXIT_USAGE;
	}
	printf("hvx tool %s, ABI %d\n", HVX_TOOL_VERSION, HVX_API_VERSION);
	fd = open("/dev/hvx", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "hvx version: /dev/hvx: %s (is hvx.ko loaded?)\n",
			strerror(errno));
		return HVX_EXIT_FAILURE;
	}
	api = ioctl(fd, HVX_GET_API_VERSION, 0);
	close(fd);
	if (api < 0) {
		fprintf(stderr, "hvx version: HVX_GET_API_VERSION: %s\n", strerror(errno));
		return HVX_EXIT_FAILURE;
	}
	printf("hvx.ko ABI %d\n", api);
	if (api != HVX_API_VERSION) {
		fprintf(stderr, "hvx version: module ABI %d, tool ABI %d\n", api,
			HVX_API_VERSION);
		return HVX_EXIT_FAILURE;
	}
	return HVX_EXIT_OK;
}
