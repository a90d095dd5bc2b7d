/* SPDX-License-Identifier: GPL-2.0 */
/* A running VM's control socket (control.c). */
#ifndef HVX_USER_CONTROL_H
#define HVX_USER_CONTROL_H

#include <pthread.h>
#include <stdbool.h>
#include <sys/types.h>
#include <sys/un.h>

#include "vmbus.h"

struct control {
	struct vmbus *bus;
	struct sockaddr_un addr;
	int listen_fd;
	int stop[2];
	pthread_t thread;
	bool running;
};

/*
 * Makes the directory the control sockets live in (if it is not there)
 * and checks it is this user's alone; its path in @dir.  0 or -errno.
 */
int control_dir_ready(char *dir, size_t len);
/* Listens on this process's socket and answers on a thread.  0 or -errno. */
int control_start(struct control *c, struct vmbus *bus);
/* Ends the thread and removes the socket. */
void control_stop(struct control *c);
/*
 * The client side: a connected fd to the control socket of the hvx run
 * with pid @pid, or -errno after saying why on stderr as "hvx @cmd".  The
 * directory must be ours alone and the socket served by @pid itself.
 */
int control_connect(const char *cmd, pid_t pid);

#endif
