// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket's directory (user/control.c): hvx run makes it, or
 * takes one that is already there only if it is ours alone; otherwise
 * another user who made it first (in /tmp) could see or replace the
 * sockets.  The client (hvx balloon and the other commands that use it)
 * checks the same, and talks only to a socket the VM's own process serves.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "control.h"
#include "fake_guest.h"

FIXTURE(control)
{
	char top[64];		/* a private directory for the test's paths */
	char dir[128];		/* HVX_RUNTIME_DIR */
	char sock[256];		/* where this process's socket would be */
	struct vmbus bus;
	struct control c;
};

FIXTURE_SETUP(control)
{
	strcpy(self->top, "/tmp/hvx-control-test-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->top));
	snprintf(self->dir, sizeof(self->dir), "%s/run", self->top);
	snprintf(self->sock, sizeof(self->sock), "%s/%d.sock", self->dir, (int)getpid());
	ASSERT_EQ(0, setenv("HVX_RUNTIME_DIR", self->dir, 1));
	memset(&self->bus, 0, sizeof(self->bus));
	memset(&self->c, 0, sizeof(self->c));
}

FIXTURE_TEARDOWN(control)
{
	char cmd[128];

	control_stop(&self->c);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", self->top);
	if (system(cmd))
		TH_LOG("could not remove %s", self->top);
}

/* control_start() with stderr captured: its -errno, and the first line it printed. */
struct start_call {
	FIXTURE_DATA(control) *self;
	int ret;
};

static void start(void *arg)
{
	struct start_call *call = arg;

	call->ret = control_start(&call->self->c, &call->self->bus);
}

static int start_output(FIXTURE_DATA(control) *self, char *line, size_t len)
{
	struct start_call call = { .self = self, .ret = 1 };

	if (capture_stderr(start, &call, line, len) < 0)
		return 1;
	return call.ret;
}

TEST_F(control, makes_its_directory_private)
{
	struct stat st;
	char line[256];

	ASSERT_EQ(0, start_output(self, line, sizeof(line))) TH_LOG("%s", line);
	ASSERT_EQ(0, lstat(self->dir, &st));
	EXPECT_TRUE(S_ISDIR(st.st_mode));
	EXPECT_EQ(0700, st.st_mode & 07777);
	ASSERT_EQ(0, lstat(self->sock, &st));
	EXPECT_TRUE(S_ISSOCK(st.st_mode));
	control_stop(&self->c);
	/* Ours from before, 0700 or 0755: taken. */
	ASSERT_EQ(0, chmod(self->dir, 0755));
	EXPECT_EQ(0, start_output(self, line, sizeof(line))) TH_LOG("%s", line);
}

TEST_F(control, refuses_a_directory_others_may_write)
{
	char line[256];

	ASSERT_EQ(0, mkdir(self->dir, 0700));
	ASSERT_EQ(0, chmod(self->dir, 0777));
	EXPECT_EQ(-EPERM, start_output(self, line, sizeof(line)));
	EXPECT_NE(NULL, strstr(line, "mode 0777 lets others write to it")) TH_LOG("%s", line);
	EXPECT_NE(0, access(self->sock, F_OK));
	ASSERT_EQ(0, chmod(self->dir, 0720));
	EXPECT_EQ(-EPERM, start_output(self, line, sizeof(line)));
	EXPECT_NE(0, access(self->sock, F_OK));
}

TEST_F(control, refuses_a_symbolic_link)
{
	char target[128], path[256], line[256];

	/* Even to a directory of ours: whoever made the link chose where. */
	snprintf(target, sizeof(target), "%s/elsewhere", self->top);
	ASSERT_EQ(0, mkdir(target, 0700));
	ASSERT_EQ(0, symlink(target, self->dir));
	EXPECT_EQ(-ENOTDIR, start_output(self, line, sizeof(line)));
	EXPECT_NE(NULL, strstr(line, "not a directory")) TH_LOG("%s", line);
	snprintf(path, sizeof(path), "%s/%d.sock", target, (int)getpid());
	EXPECT_NE(0, access(path, F_OK));
}

TEST_F(control, refuses_another_users_directory)
{
	char line[256];

	if (geteuid())
		SKIP(return, "needs root to give a directory to another user");
	ASSERT_EQ(0, mkdir(self->dir, 0700));
	ASSERT_EQ(0, chown(self->dir, 65534, 65534));
	EXPECT_EQ(-EPERM, start_output(self, line, sizeof(line)));
	EXPECT_NE(NULL, strstr(line, "owned by uid 65534")) TH_LOG("%s", line);
	EXPECT_NE(0, access(self->sock, F_OK));
}

/* control_connect() with stderr captured. */
struct connect_call {
	pid_t pid;
	int ret;
};

static void do_connect(void *arg)
{
	struct connect_call *call = arg;

	call->ret = control_connect("test", call->pid);
}

static int connect_output(pid_t pid, char *line, size_t len)
{
	struct connect_call call = { .pid = pid, .ret = 1 };

	if (capture_stderr(do_connect, &call, line, len) < 0)
		return 1;
	return call.ret;
}

TEST_F(control, client_reaches_the_vmm)
{
	char line[256];
	int fd;

	ASSERT_EQ(0, start_output(self, line, sizeof(line))) TH_LOG("%s", line);
	fd = connect_output(getpid(), line, sizeof(line));
	ASSERT_LE(0, fd) TH_LOG("%s", line);
	close(fd);
}

/*
 * A socket named for the VM's pid but served by another process (someone
 * who got to a shared directory first, or a pid reused): not the VMM.
 */
TEST_F(control, client_refuses_a_socket_of_another_process)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	pid_t vm_pid = getpid() + 1;
	char line[256];
	int fd, impostor;

	ASSERT_EQ(0, mkdir(self->dir, 0700));
	ASSERT_GT(sizeof(addr.sun_path),
		  (size_t)snprintf(addr.sun_path, sizeof(addr.sun_path), "%.64s/%d.sock",
				   self->dir, (int)vm_pid));
	impostor = socket(AF_UNIX, SOCK_STREAM, 0);
	ASSERT_LE(0, impostor);
	ASSERT_EQ(0, bind(impostor, (struct sockaddr *)&addr, sizeof(addr)));
	ASSERT_EQ(0, listen(impostor, 1));
	fd = connect_output(vm_pid, line, sizeof(line));
	EXPECT_EQ(-EPERM, fd);
	EXPECT_NE(NULL, strstr(line, "not by the VM's pid")) TH_LOG("%s", line);
	if (fd >= 0)
		close(fd);
	close(impostor);
}

TEST_F(control, client_refuses_a_directory_others_may_write)
{
	char line[256];

	ASSERT_EQ(0, start_output(self, line, sizeof(line))) TH_LOG("%s", line);
	ASSERT_EQ(0, chmod(self->dir, 0777));
	EXPECT_EQ(-EPERM, connect_output(getpid(), line, sizeof(line)));
	EXPECT_NE(NULL, strstr(line, "hvx test: control socket directory")) TH_LOG("%s", line);
}

TEST_HARNESS_MAIN
