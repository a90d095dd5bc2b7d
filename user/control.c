// SPDX-License-Identifier: GPL-2.0
/*
 * A running VM's control socket, and the commands that talk to it.  hvx
 * run listens on DIR/PID.sock (DIR: $HVX_RUNTIME_DIR, else /run/hvx for
 * root, else $XDG_RUNTIME_DIR/hvx or /tmp/hvx-UID), mode 0600: only its
 * owner reaches it.  DIR must be a directory of ours that nobody else may
 * write to, not a symbolic link: in /tmp another user could have made it
 * first, to see or replace the sockets.  A client sends one line, "CLASS ARGS", and reads the
 * answer to the end; an answer that starts with "error:" is a failure.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "confine.h"
#include "control.h"
#include "genl.h"
#include "hvx.h"

#define CONTROL_LINE	256

static void control_dir(char *dir, size_t len)
{
	const char *env = getenv("HVX_RUNTIME_DIR"), *xdg = getenv("XDG_RUNTIME_DIR");

	if (env && *env)
		snprintf(dir, len, "%s", env);
	else if (!geteuid())
		snprintf(dir, len, "/run/hvx");
	else if (xdg && *xdg)
		snprintf(dir, len, "%s/hvx", xdg);
	else
		snprintf(dir, len, "/tmp/hvx-%u", (unsigned int)geteuid());
}

/* The socket of VM @vm (a pid) in @addr; -1 if the name does not fit. */
static int control_addr(const char *vm, struct sockaddr_un *addr)
{
	char dir[PATH_MAX];

	control_dir(dir, sizeof(dir));
	memset(addr, 0, sizeof(*addr));
	addr->sun_family = AF_UNIX;
	if ((size_t)snprintf(addr->sun_path, sizeof(addr->sun_path), "%s/%s.sock", dir, vm) >=
	    sizeof(addr->sun_path))
		return -1;
	return 0;
}

static void control_serve_one(struct control *c, int fd)
{
	struct timeval timeout = { .tv_sec = 2 };
	char line[CONTROL_LINE];
	ssize_t n;
	FILE *out;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
	n = read(fd, line, sizeof(line) - 1);
	out = fdopen(fd, "w");
	if (!out) {
		close(fd);
		return;
	}
	if (n <= 0 || !memchr(line, '\n', n)) {
		fprintf(out, "error: want one line, CLASS ARGS\n");
	} else {
		line[n] = 0;
		line[strcspn(line, "\n")] = 0;
		vmbus_control(c->bus, line, out);
	}
	fclose(out);
}

static void *control_thread(void *arg)
{
	struct control *c = arg;
	struct pollfd fds[2] = {
		{ .fd = c->listen_fd, .events = POLLIN },
		{ .fd = c->stop[0], .events = POLLIN },
	};
	int fd;

	for (;;) {
		if (poll(fds, 2, -1) < 0)
			continue;
		if (fds[1].revents)
			return NULL;
		fd = accept4(c->listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd >= 0)
			control_serve_one(c, fd);
	}
}

/*
 * Whether @dir, which may have been there before us, is ours alone; @who
 * ("hvx run", "hvx balloon") says why on stderr if not.  0 or -errno.
 */
static int control_dir_check(const char *who, const char *dir)
{
	struct stat st;
	int fd, err = 0;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		err = errno == ELOOP ? -ENOTDIR : -errno;
		fprintf(stderr, "%s: control socket directory %s: %s\n", who, dir,
			err == -ENOTDIR ? "not a directory (a symbolic link?)" : strerror(-err));
		return err;
	}
	if (fstat(fd, &st)) {
		err = -errno;
	} else if (st.st_uid != geteuid()) {
		fprintf(stderr, "%s: control socket directory %s: owned by uid %u, not by us (%u)\n",
			who, dir, (unsigned int)st.st_uid, (unsigned int)geteuid());
		err = -EPERM;
	} else if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		fprintf(stderr, "%s: control socket directory %s: mode %04o lets others write to it\n",
			who, dir, (unsigned int)(st.st_mode & 07777));
		err = -EPERM;
	}
	close(fd);
	return err;
}

int control_dir_ready(char *dir, size_t len)
{
	control_dir(dir, len);
	if (!geteuid())
		mkdir("/run", 0755);
	if (mkdir(dir, 0700) && errno != EEXIST)
		return -errno;
	return control_dir_check("hvx run", dir);
}

int control_start(struct control *c, struct vmbus *bus)
{
	char dir[PATH_MAX], pid[32];
	sigset_t all, old;
	mode_t mask;
	int err;

	c->bus = bus;
	err = control_dir_ready(dir, sizeof(dir));
	if (err)
		return err;
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	if (control_addr(pid, &c->addr))
		return -ENAMETOOLONG;
	c->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->listen_fd < 0)
		return -errno;
	unlink(c->addr.sun_path);
	mask = umask(0077);
	err = bind(c->listen_fd, (struct sockaddr *)&c->addr, sizeof(c->addr)) ||
	      listen(c->listen_fd, 4) ? -errno : 0;
	umask(mask);
	if (err)
		goto err_close;
	if (pipe2(c->stop, O_CLOEXEC)) {
		err = -errno;
		goto err_unlink;
	}
	/* Signals are for the vCPU thread. */
	confine_thread_sigmask(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	err = -pthread_create(&c->thread, NULL, control_thread, c);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err)
		goto err_pipe;
	c->running = true;
	return 0;

err_pipe:
	close(c->stop[0]);
	close(c->stop[1]);
err_unlink:
	unlink(c->addr.sun_path);
err_close:
	close(c->listen_fd);
	return err;
}

void control_stop(struct control *c)
{
	if (!c->running)
		return;
	if (write(c->stop[1], "q", 1) != 1)
		perror("hvx run: control");
	pthread_join(c->thread, NULL);
	unlink(c->addr.sun_path);
	close(c->listen_fd);
	close(c->stop[0]);
	close(c->stop[1]);
	c->running = false;
}

int control_connect(const char *cmd, pid_t pid)
{
	struct sockaddr_un addr;
	char dir[PATH_MAX], who[64], name[16];
	struct ucred peer;
	socklen_t len = sizeof(peer);
	int fd, err;

	snprintf(who, sizeof(who), "hvx %s", cmd);
	control_dir(dir, sizeof(dir));
	err = control_dir_check(who, dir);
	if (err)
		return err;
	snprintf(name, sizeof(name), "%d", (int)pid);
	if (control_addr(name, &addr)) {
		fprintf(stderr, "%s: the control socket's path is too long\n", who);
		return -ENAMETOOLONG;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		err = -errno;
		/* Another user's VM, or one whose VMM is not hvx run. */
		fprintf(stderr, "%s: pid %d does not answer here (%s: %s)\n", who, (int)pid,
			addr.sun_path, strerror(-err));
		if (fd >= 0)
			close(fd);
		return err;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &len)) {
		err = -errno;
		close(fd);
		return err;
	}
	if (peer.pid != pid) {
		fprintf(stderr, "%s: %s is served by pid %d, not by the VM's pid %d\n", who,
			addr.sun_path, (int)peer.pid, (int)pid);
		close(fd);
		return -EPERM;
	}
	return fd;
}

/*
 * Sends "@cls @args" to the hvx run that created the VM @arg names (see
 * genl_find_vm()) and copies the answer to stdout.
 */
static int control_request(const char *cmd, const char *arg, const char *cls, const char *args)
{
	struct vm_info vm;
	struct genl g;
	char buf[4096];
	bool failed;
	int fd, status;
	ssize_t n;
	FILE *in;

	status = genl_open(&g);
	if (status)
		return genl_open_failed(cmd, status);
	status = genl_find_vm(&g, cmd, arg, &vm);
	genl_close(&g);
	if (status)
		return status;
	if (!(vm.have & VM_HAVE_PID)) {
		fprintf(stderr, "hvx %s: hvx.ko did not say which process runs VM %s\n", cmd, arg);
		return HVX_EXIT_FAILURE;
	}
	fd = control_connect(cmd, vm.pid);
	if (fd < 0)
		return HVX_EXIT_FAILURE;
	n = snprintf(buf, sizeof(buf), "%s%s%s\n", cls, *args ? " " : "", args);
	if (n >= (ssize_t)sizeof(buf) || write(fd, buf, n) != n) {
		fprintf(stderr, "hvx %s: cannot send the command: %s\n", cmd, strerror(errno));
		close(fd);
		return HVX_EXIT_FAILURE;
	}
	in = fdopen(fd, "r");
	if (!in) {
		close(fd);
		return HVX_EXIT_FAILURE;
	}
	failed = false;
	while (fgets(buf, sizeof(buf), in)) {
		failed |= !strncmp(buf, "error:", 6);
		fputs(buf, failed ? stderr : stdout);
	}
	fclose(in);
	return failed ? HVX_EXIT_FAILURE : HVX_EXIT_OK;
}

void balloon__help(void)
{
	printf("usage: hvx balloon VM [SIZE]\n\n"
	       "Shows the balloon of the running VM, its name or its id if all digits\n"
	       "(see 'hvx ps'), whose hvx run has a --device balloon: the target, how\n"
	       "much the guest gave back, why it stopped short if it did, and the\n"
	       "guest's memory statistics.  With SIZE (K, M or G), sets how much memory\n"
	       "the guest keeps: the guest's hvx_balloon.ko gives the rest back and hvx\n"
	       "run frees it on the host.  SIZE may be as large as the guest's memory\n"
	       "(an empty balloon).  hvx run answers on a socket only its user reaches.\n\n"
	       "exit status: 0 done, 1 no such VM, the VM does not answer or refused,\n"
	       "or hvx.ko is not loaded, 2 usage error\n");
}

int balloon__run(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (argv[i][0] == '-') {
			fprintf(stderr, "hvx balloon: unknown option '%s' (try 'hvx balloon --help')\n",
				argv[i]);
			return HVX_EXIT_USAGE;
		}
	}
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "hvx balloon: want VM [SIZE] (try 'hvx balloon --help')\n");
		return HVX_EXIT_USAGE;
	}
	return control_request("balloon", argv[1], "balloon", argc == 3 ? argv[2] : "");
}
