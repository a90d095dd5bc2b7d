// SPDX-License-Identifier: GPL-2.0
/*
 * hvx run's confinement (user/confine.c), applied in child processes as
 * hvx run applies it: become a user (nobody, when the test runs as root),
 * drop every capability, no-new-privileges, Landlock, the seccomp filter.
 * Allowed calls work; a forbidden one ends the child with the message that
 * names it, from the main thread or from a backend's thread; unlink works
 * only in the control socket's directory.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "confine.h"
#include "uapi/hvx.h"
#include "kselftest_harness.h"

#define NOBODY_UID	65534

struct outcome {
	int status;		/* exit status, or 128 + the signal that ended it */
	char err[1024];		/* what it wrote on stderr */
};

/* The control socket's directory, when a test asks for Landlock too. */
static const char *landlock_dir;

/* Confines the calling process as a root hvx run under sudo for nobody would. */
static void confine_self(void)
{
	struct confine_user user = { .set = !geteuid(), .uid = NOBODY_UID, .gid = NOBODY_UID };
	struct passwd *pw = getpwuid(NOBODY_UID);
	char err[256];

	if (pw)
		user.gid = pw->pw_gid;
	if (confine_become(&user, false, err, sizeof(err)) ||
	    confine_drop_privileges(err, sizeof(err)) ||
	    (landlock_dir && confine_landlock(landlock_dir, err, sizeof(err))) ||
	    confine_seccomp(NULL, err, sizeof(err))) {
		fprintf(stderr, "confine: %s\n", err);
		_exit(99);
	}
}

/* /proc/self/status of the child, opened before it is confined. */
static int status_fd = -1;

/*
 * Runs @before (may be NULL), then confines the child, then runs @fn; the
 * child's stdout and stderr go to @o.  It ends with _exit(), so that
 * LeakSanitizer, which the filter rightly stops, does not run in it.
 */
static void run_confined(void (*before)(void), int (*fn)(void *arg), void *arg,
			 struct outcome *o)
{
	int pipefd[2], wstatus;
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	memset(o, 0, sizeof(*o));
	if (pipe(pipefd))
		abort();
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		abort();
	if (!pid) {
		close(pipefd[0]);
		dup2(pipefd[1], STDOUT_FILENO);
		dup2(pipefd[1], STDERR_FILENO);
		status_fd = open("/proc/self/status", O_RDONLY);
		if (before)
			before();
		confine_self();
		_exit(fn(arg));
	}
	close(pipefd[1]);
	while ((n = read(pipefd[0], o->err + len, sizeof(o->err) - 1 - len)) > 0)
		len += n;
	close(pipefd[0]);
	waitpid(pid, &wstatus, 0);
	o->status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
}

/* /proc/self/status as the confined child sees it. */
static int print_status(void *arg)
{
	char buf[4096];
	ssize_t n = pread(status_fd, buf, sizeof(buf), 0);

	(void)arg;
	if (n <= 0)
		return 2;
	return write(STDOUT_FILENO, buf, n) == n ? 0 : 3;
}

static const char *status_field(const char *status, const char *name, char *value, size_t len)
{
	const char *p = strstr(status, name);
	size_t n;

	if (!p || (p != status && p[-1] != '\n'))
		return "";
	p += strlen(name);
	while (*p == '\t' || *p == ' ')
		p++;
	n = strcspn(p, "\n");
	snprintf(value, len, "%.*s", (int)(n < len ? n : len - 1), p);
	return value;
}

static bool has_word(const char *list, const char *word)
{
	char copy[128], *w, *save = NULL;

	snprintf(copy, sizeof(copy), "%s", list);
	for (w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save))
		if (!strcmp(w, word))
			return true;
	return false;
}

TEST(confined_process_has_no_privileges)
{
	struct outcome o;
	char v[128];

	if (geteuid())
		SKIP(return, "not root: no user to become");
	run_confined(NULL, print_status, NULL, &o);
	ASSERT_EQ(0, o.status) TH_LOG("child: %s", o.err);
	EXPECT_STREQ("65534\t65534\t65534\t65534", status_field(o.err, "Uid:", v, sizeof(v)));
	EXPECT_STREQ("0000000000000000", status_field(o.err, "CapPrm:", v, sizeof(v)));
	EXPECT_STREQ("0000000000000000", status_field(o.err, "CapEff:", v, sizeof(v)));
	EXPECT_STREQ("0000000000000000", status_field(o.err, "CapInh:", v, sizeof(v)));
	EXPECT_STREQ("0000000000000000", status_field(o.err, "CapBnd:", v, sizeof(v)));
	EXPECT_STREQ("0000000000000000", status_field(o.err, "CapAmb:", v, sizeof(v)));
	EXPECT_STREQ("1", status_field(o.err, "NoNewPrivs:", v, sizeof(v)));
	EXPECT_STREQ("2", status_field(o.err, "Seccomp:", v, sizeof(v)));
	EXPECT_STREQ("65534\t65534\t65534\t65534", status_field(o.err, "Gid:", v, sizeof(v)));
	/* Root's groups are gone. */
	EXPECT_FALSE(has_word(status_field(o.err, "Groups:", v, sizeof(v)), "0")) TH_LOG("%s", v);
}

/* What a running VM does: memory, time, pipes, an ioctl it uses. */
static int allowed_calls(void *arg)
{
	struct timespec ts;
	struct tm tm;
	int flags;
	void *p;

	(void)arg;
	p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED || madvise(p, 1 << 20, MADV_DONTNEED) || munmap(p, 1 << 20))
		return 10;
	if (clock_gettime(CLOCK_REALTIME, &ts) || syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts))
		return 11;
	/* The CMOS clock's conversions: glibc reads the time zone on first use. */
	ts.tv_sec = time(NULL);
	if (timegm(gmtime_r(&ts.tv_sec, &tm)) != ts.tv_sec)
		return 15;
	flags = fcntl(STDOUT_FILENO, F_GETFL);
	if (flags < 0)
		return 12;
	/* HVX_RUN on a pipe: not a vCPU, but seccomp lets it through. */
	if (ioctl(STDOUT_FILENO, HVX_RUN, 0) != -1 || errno != ENOTTY)
		return 13;
	free(malloc(1 << 22));
	return getpid() > 0 && write(STDOUT_FILENO, "done\n", 5) == 5 ? 0 : 14;
}

TEST(allowed_calls_work)
{
	struct outcome o;

	run_confined(NULL, allowed_calls, NULL, &o);
	EXPECT_EQ(0, o.status);
	EXPECT_STREQ("done\n", o.err);
}

static int call_socket(void *arg)
{
	(void)arg;
	return socket(AF_INET, SOCK_STREAM, 0) >= 0 ? 0 : 20;
}

/* Refused without ending the process: glibc opens files on its own and copes. */
static int call_open(void *arg)
{
	(void)arg;
	if (open("/tmp/hvx-confine-test-file", O_WRONLY | O_CREAT, 0600) >= 0 ||
	    errno != EACCES || open("/etc/passwd", O_RDONLY) >= 0 || errno != EACCES)
		return 21;
	return write(STDOUT_FILENO, "refused\n", 8) == 8 ? 0 : 22;
}

TEST(open_fails_with_eacces)
{
	struct outcome o;

	run_confined(NULL, call_open, NULL, &o);
	EXPECT_EQ(0, o.status);
	EXPECT_STREQ("refused\n", o.err);
	EXPECT_NE(0, access("/tmp/hvx-confine-test-file", F_OK));
}

static int call_execve(void *arg)
{
	char *argv[] = { "true", NULL }, *envp[] = { NULL };

	(void)arg;
	execve("/bin/true", argv, envp);
	return 22;
}

static int call_fork(void *arg)
{
	(void)arg;
	return syscall(SYS_fork) >= 0 ? 0 : 23;
}

/* TIOCSTI would type commands into the terminal hvx run was started from. */
static int call_tiocsti(void *arg)
{
	char c = 'x';

	(void)arg;
	return ioctl(STDIN_FILENO, TIOCSTI, &c) ? 24 : 0;
}

static int call_mmap_exec(void *arg)
{
	(void)arg;
	return mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) ==
	       MAP_FAILED ? 25 : 0;
}

/*
 * A thread that leaves signals to the main thread, as the channel bus's
 * does, started before the filter as hvx run starts its threads; it makes
 * its forbidden call once the process is confined.
 */
static int backend_go[2];
static pthread_t backend;

static void *backend_thread(void *arg)
{
	char go;

	(void)arg;
	if (read(backend_go[0], &go, 1) == 1)
		call_socket(NULL);
	return NULL;
}

static void start_backend_thread(void)
{
	sigset_t set, old;

	if (pipe(backend_go))
		_exit(26);
	confine_thread_sigmask(&set);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	if (pthread_create(&backend, NULL, backend_thread, NULL))
		_exit(27);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static int join_backend_thread(void *arg)
{
	(void)arg;
	if (write(backend_go[1], "", 1) != 1)
		return 28;
	pthread_join(backend, NULL);
	return 29;
}

TEST(forbidden_calls_end_the_process_with_a_message)
{
	static const struct {
		int (*fn)(void *arg);
		const char *message;
	} cases[] = {
		{ call_socket, "forbidden system call socket (41)" },
		{ call_execve, "forbidden system call execve (59)" },
		{ call_fork, "forbidden system call fork (57)" },
		{ call_tiocsti, "forbidden system call ioctl (16)" },
		{ call_mmap_exec, "forbidden system call mmap (9)" },
	};
	struct outcome o;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		run_confined(NULL, cases[i].fn, NULL, &o);
		EXPECT_EQ(1, o.status) TH_LOG("case %zu: %s", i, o.err);
		EXPECT_NE(NULL, strstr(o.err, cases[i].message)) TH_LOG("case %zu: %s", i, o.err);
		EXPECT_NE(NULL, strstr(o.err, "hvx run: backend made a ")) TH_LOG("%s", o.err);
		EXPECT_NE(NULL, strstr(o.err, "; seccomp stopped it\n")) TH_LOG("%s", o.err);
	}
}

TEST(forbidden_call_on_a_backend_thread_has_the_message)
{
	struct outcome o;

	run_confined(start_backend_thread, join_backend_thread, NULL, &o);
	EXPECT_EQ(1, o.status);
	EXPECT_STREQ("hvx run: backend made a forbidden system call socket (41); seccomp stopped it\n",
		     o.err);
}

/*
 * The filter must allow unlink (the control socket goes at the end);
 * Landlock keeps it to the socket's directory.  Both directories belong to
 * the user the child becomes, so only Landlock can refuse.
 */
static char ll_top[] = "/tmp/hvx-landlock.XXXXXX";
static char ll_sock_dir[64], ll_other_dir[64];

static int make_owned(const char *path, bool dir)
{
	int fd;

	if (dir) {
		if (mkdir(path, 0700))
			return -1;
	} else {
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
		if (fd < 0)
			return -1;
		close(fd);
	}
	return geteuid() ? 0 : chown(path, NOBODY_UID, NOBODY_UID);
}

static int call_unlinks(void *arg)
{
	char path[96];

	(void)arg;
	snprintf(path, sizeof(path), "%s/victim", ll_other_dir);
	if (!unlink(path) || errno != EACCES)
		return 31;
	snprintf(path, sizeof(path), "%s/old.sock", ll_sock_dir);
	if (unlink(path))
		return 32;
	return write(STDOUT_FILENO, "kept to the socket dir\n", 23) == 23 ? 0 : 33;
}

TEST(landlock_keeps_unlink_to_the_socket_dir)
{
	char victim[96], old_sock[96];
	struct outcome o;

	if (syscall(SYS_landlock_create_ruleset, NULL, 0, 1U << 0) < 0)
		SKIP(return, "no Landlock in this kernel (hvx run goes on without it)");
	ASSERT_NE(NULL, mkdtemp(ll_top));
	ASSERT_EQ(0, chmod(ll_top, 0755));
	snprintf(ll_sock_dir, sizeof(ll_sock_dir), "%s/sock", ll_top);
	snprintf(ll_other_dir, sizeof(ll_other_dir), "%s/other", ll_top);
	snprintf(victim, sizeof(victim), "%s/victim", ll_other_dir);
	snprintf(old_sock, sizeof(old_sock), "%s/old.sock", ll_sock_dir);
	ASSERT_EQ(0, make_owned(ll_sock_dir, true));
	ASSERT_EQ(0, make_owned(ll_other_dir, true));
	ASSERT_EQ(0, make_owned(victim, false));
	ASSERT_EQ(0, make_owned(old_sock, false));

	landlock_dir = ll_sock_dir;
	run_confined(NULL, call_unlinks, NULL, &o);
	landlock_dir = NULL;
	EXPECT_EQ(0, o.status) TH_LOG("%s", o.err);
	EXPECT_STREQ("kept to the socket dir\n", o.err);
	EXPECT_EQ(0, access(victim, F_OK));
	EXPECT_NE(0, access(old_sock, F_OK));

	/* Without Landlock the same child removes the victim: the test can fail. */
	run_confined(NULL, call_unlinks, NULL, &o);
	EXPECT_EQ(31, o.status);
	EXPECT_NE(0, access(victim, F_OK));

	unlink(victim);
	unlink(old_sock);
	rmdir(ll_sock_dir);
	rmdir(ll_other_dir);
	rmdir(ll_top);
}

TEST(whom_root_becomes)
{
	struct confine_user u;
	char err[256];

	if (geteuid())
		SKIP(return, "not root");
	unsetenv("SUDO_UID");
	unsetenv("SUDO_GID");
	ASSERT_EQ(0, confine_user_find(NULL, &u, err, sizeof(err)));
	EXPECT_FALSE(u.set);

	setenv("SUDO_UID", "1234", 1);
	setenv("SUDO_GID", "2345", 1);
	ASSERT_EQ(0, confine_user_find(NULL, &u, err, sizeof(err)));
	EXPECT_TRUE(u.set);
	EXPECT_EQ(1234, u.uid);
	EXPECT_EQ(2345, u.gid);

	/* --user wins over sudo's variables. */
	ASSERT_EQ(0, confine_user_find("4321", &u, err, sizeof(err)));
	EXPECT_TRUE(u.set);
	EXPECT_EQ(4321, u.uid);
	EXPECT_EQ(4321, u.gid);
	ASSERT_EQ(0, confine_user_find("root", &u, err, sizeof(err)));
	EXPECT_TRUE(u.set);
	EXPECT_EQ(0, u.uid);
	EXPECT_EQ(-1, confine_user_find("no-such-user-hvx", &u, err, sizeof(err)));
	EXPECT_STREQ("--user no-such-user-hvx: no such user", err);

	setenv("SUDO_UID", "12x", 1);
	EXPECT_EQ(-1, confine_user_find(NULL, &u, err, sizeof(err)));
	EXPECT_STREQ("SUDO_UID=12x is not a uid", err);
	unsetenv("SUDO_UID");
	unsetenv("SUDO_GID");
}

TEST_HARNESS_MAIN
