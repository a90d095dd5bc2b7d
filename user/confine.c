// SPDX-License-Identifier: GPL-2.0
/*
 * hvx run confines itself.  Privilege is needed for one step only, setting
 * up a TAP that does not belong to the user; everything else, and above all
 * the device models and backends that read what a guest writes, runs as the
 * user hvx run is for, without capabilities, with no-new-privileges (no
 * exec can give any back) and under a seccomp filter that allows the system
 * calls a running VM makes and nothing else: no socket, no exec, no fork,
 * ioctl only with the requests the devices use; open fails.  Landlock
 * keeps the one change to the file system the filter must allow (unlink,
 * for the control socket) to the control socket's directory.
 *
 * io_uring operations (the disk backend's reads, writes, flushes and
 * discards) do not pass through seccomp: blk.c restricts its ring to those
 * operations, or IORING_OP_OPENAT and its kin would walk around the filter.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <cap-ng.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/fs.h>
#include <linux/landlock.h>
#include <pwd.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "confine.h"
#include "uapi/hvx.h"

/* What a running VM does: the vCPU loop, the channel bus, the console, the control socket. */
static const char *const allowed_syscalls[] = {
	"read", "readv", "pread64", "write", "writev", "pwrite64", "close", "lseek",
	"poll", "ppoll", "fstat", "newfstatat", "fcntl",
	"munmap", "mremap", "madvise", "brk",
	"futex", "sched_yield", "nanosleep", "clock_nanosleep",
	"clock_gettime", "gettimeofday", "time", "getrandom",
	"rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigaltstack", "restart_syscall",
	"tgkill", "getpid", "gettid", "getuid", "geteuid",
	"exit", "exit_group",
	/* the disk backend's ring */
	"io_uring_enter",
	/* the control socket: answering hvx balloon, and removing the socket at the end */
	"accept4", "setsockopt", "unlink", "unlinkat",
};

/*
 * Opening a file fails with EACCES instead of ending hvx run: glibc opens
 * files behind the caller's back and copes with a refusal (when a
 * thread's heap shrinks it reads /proc/sys/vm/overcommit_memory, once),
 * and a refused open gives a compromised backend nothing either.
 */
static const char *const refused_opens[] = { "open", "openat", "openat2", "creat" };

/* ioctl requests, on whatever fd: seccomp cannot tell fds apart. */
static const unsigned long allowed_ioctls[] = {
	HVX_RUN, HVX_GET_STATS, HVX_IRQ_LINE, HVX_SET_VMBUS_MSI, HVX_DISCARD_MEMORY,
	/* hot-unplug and plug (SIGUSR2) */
	HVX_CREATE_CHANNEL, HVX_CHANNEL_SIGNAL, HVX_CHANNEL_REPORT,
	/* a block device disk: its size (discard and zeroing go through io_uring) */
	BLKGETSIZE64,
	/* the TAP's link state and its MTU, which frames to the TAP are held to */
	SIOCGIFFLAGS, SIOCGIFMTU,
	/* the console's terminal: stdio asks what it is, raw mode ends */
	TCGETS, TCSETS, TCSETSW, TCSETSF,
};

int confine_user_find(const char *name, struct confine_user *user, char *err, size_t errlen)
{
	const char *sudo_uid = getenv("SUDO_UID"), *sudo_gid = getenv("SUDO_GID");
	struct passwd *pw = NULL;
	unsigned long id;
	char *end;

	memset(user, 0, sizeof(*user));
	if (geteuid()) {
		if (name) {
			snprintf(err, errlen, "--user %s: only root chooses whom hvx run becomes",
				 name);
			return -1;
		}
		return 0;
	}
	if (name) {
		errno = 0;
		id = strtoul(name, &end, 10);
		pw = *name && !*end ? getpwuid(id) : getpwnam(name);
		if (!pw && !(*name && !*end && !errno && id < (uid_t)-1)) {
			snprintf(err, errlen, "--user %s: no such user", name);
			return -1;
		}
		user->set = true;
		user->uid = pw ? pw->pw_uid : id;
		/* A uid without a passwd entry gets the group of the same number. */
		user->gid = pw ? pw->pw_gid : id;
		return 0;
	}
	if (!sudo_uid || !*sudo_uid)
		return 0;
	errno = 0;
	id = strtoul(sudo_uid, &end, 10);
	if (*end || errno || id >= (uid_t)-1) {
		snprintf(err, errlen, "SUDO_UID=%s is not a uid", sudo_uid);
		return -1;
	}
	user->uid = id;
	pw = getpwuid(user->uid);
	if (sudo_gid && *sudo_gid) {
		errno = 0;
		id = strtoul(sudo_gid, &end, 10);
		if (*end || errno || id >= (gid_t)-1) {
			snprintf(err, errlen, "SUDO_GID=%s is not a gid", sudo_gid);
			return -1;
		}
	} else {
		id = pw ? pw->pw_gid : user->uid;
	}
	user->gid = id;
	user->set = true;
	return 0;
}

int confine_become(const struct confine_user *user, bool keep_net_admin, char *err,
		   size_t errlen)
{
	struct passwd *pw;
	int flags, ret;

	if (!user->set)
		return 0;
	capng_clear(CAPNG_SELECT_BOTH);
	if (keep_net_admin)
		capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED, CAP_NET_ADMIN);
	pw = getpwuid(user->uid);
	flags = CAPNG_CLEAR_BOUNDING | (pw ? CAPNG_INIT_SUPP_GRP : CAPNG_DROP_SUPP_GRP);
	ret = capng_change_id(user->uid, user->gid, flags);
	if (ret) {
		snprintf(err, errlen, "cannot become uid %u gid %u (libcap-ng capng_change_id: %d, %s)",
			 (unsigned int)user->uid, (unsigned int)user->gid, ret, strerror(errno));
		return -1;
	}
	return 0;
}

int confine_drop_privileges(char *err, size_t errlen)
{
	bool bounding;

	capng_get_caps_process();
	/* Only CAP_SETPCAP may empty the bounding set; confine_become did it already. */
	bounding = capng_have_capability(CAPNG_EFFECTIVE, CAP_SETPCAP);
	capng_clear(CAPNG_SELECT_ALL);
	if ((bounding && capng_apply(CAPNG_SELECT_BOUNDS)) || capng_apply(CAPNG_SELECT_CAPS) ||
	    capng_apply(CAPNG_SELECT_AMBIENT)) {
		snprintf(err, errlen, "cannot drop capabilities: %s", strerror(errno));
		return -1;
	}
	/* Read back what the kernel has: a drop that did not happen must not go unnoticed. */
	if (capng_get_caps_process() ||
	    capng_have_capabilities(CAPNG_SELECT_CAPS) != CAPNG_NONE) {
		snprintf(err, errlen, "capabilities are left after dropping them");
		return -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		snprintf(err, errlen, "PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * The file-system rights of Landlock ABI 1 and 2 (Linux 6.1's); those of
 * later ABIs (truncate, device ioctls) are system calls the filter refuses
 * or concern files opened later, which it refuses too.
 */
static uint64_t landlock_fs_rights(int abi)
{
	uint64_t rights = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1;	/* ABI 1 */

	if (abi >= 2)
		rights |= LANDLOCK_ACCESS_FS_REFER;
	return rights;
}

int confine_landlock(const char *socket_dir, char *err, size_t errlen)
{
	struct landlock_ruleset_attr ruleset = { 0 };
	struct landlock_path_beneath_attr beneath = {
		/* control_start() opens the directory to check who owns it. */
		.allowed_access = LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_REMOVE_FILE |
				  LANDLOCK_ACCESS_FS_READ_DIR,
		.parent_fd = -1,
	};
	int abi, fd, ret = -1;

	abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	if (abi < 0 && (errno == ENOSYS || errno == EOPNOTSUPP))
		return 0;
	if (abi < 0) {
		snprintf(err, errlen, "Landlock: %s", strerror(errno));
		return -1;
	}
	ruleset.handled_access_fs = landlock_fs_rights(abi);
	fd = syscall(SYS_landlock_create_ruleset, &ruleset, sizeof(ruleset), 0);
	if (fd < 0) {
		snprintf(err, errlen, "Landlock ruleset: %s", strerror(errno));
		return -1;
	}
	if (socket_dir) {
		beneath.parent_fd = open(socket_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (beneath.parent_fd < 0 ||
		    syscall(SYS_landlock_add_rule, fd, LANDLOCK_RULE_PATH_BENEATH, &beneath, 0)) {
			snprintf(err, errlen, "Landlock rule for %s: %s", socket_dir, strerror(errno));
			goto out;
		}
	}
	if (syscall(SYS_landlock_restrict_self, fd, 0)) {
		snprintf(err, errlen, "Landlock: %s", strerror(errno));
		goto out;
	}
	ret = 0;
out:
	if (beneath.parent_fd >= 0)
		close(beneath.parent_fd);
	close(fd);
	return ret;
}

/*
 * The names of the system calls, looked up before the filter goes in: the
 * SIGSYS handler may not allocate (the call it stops may come from malloc).
 */
#define NAMED_SYSCALLS	512
static char *syscall_names[NAMED_SYSCALLS];
static void (*violation_hook)(void);

static size_t put_str(char *buf, size_t pos, size_t len, const char *s)
{
	while (*s && pos < len)
		buf[pos++] = *s++;
	return pos;
}

static size_t put_num(char *buf, size_t pos, size_t len, unsigned long n)
{
	char digits[24];
	int i = 0;

	do {
		digits[i++] = '0' + n % 10;
		n /= 10;
	} while (n);
	while (i && pos < len)
		buf[pos++] = digits[--i];
	return pos;
}

static void forbidden_syscall(int sig, siginfo_t *info, void *ucontext)
{
	int nr = info->si_syscall;
	const char *name = nr >= 0 && nr < NAMED_SYSCALLS && syscall_names[nr] ?
			   syscall_names[nr] : "unknown";
	char msg[160];
	size_t len = 0;
	ssize_t ignored;

	(void)sig;
	(void)ucontext;
	if (violation_hook)
		violation_hook();
	len = put_str(msg, len, sizeof(msg), "hvx run: backend made a forbidden system call ");
	len = put_str(msg, len, sizeof(msg), name);
	len = put_str(msg, len, sizeof(msg), " (");
	len = put_num(msg, len, sizeof(msg), nr);
	len = put_str(msg, len, sizeof(msg), "); seccomp stopped it\n");
	ignored = write(STDERR_FILENO, msg, len);
	(void)ignored;
	_exit(1);
}

static int allow(scmp_filter_ctx ctx, const char *name)
{
	int nr = seccomp_syscall_resolve_name(name);

	/* A call this architecture does not have is one nobody makes. */
	return nr == __NR_SCMP_ERROR ? 0 : seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
}

static int build_filter(scmp_filter_ctx ctx)
{
	size_t i;
	int ret = 0;

	for (i = 0; i < sizeof(allowed_syscalls) / sizeof(allowed_syscalls[0]) && !ret; i++)
		ret = allow(ctx, allowed_syscalls[i]);
	for (i = 0; i < sizeof(refused_opens) / sizeof(refused_opens[0]) && !ret; i++) {
		int nr = seccomp_syscall_resolve_name(refused_opens[i]);

		if (nr != __NR_SCMP_ERROR)
			ret = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), nr, 0);
	}
	for (i = 0; i < sizeof(allowed_ioctls) / sizeof(allowed_ioctls[0]) && !ret; i++)
		ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
				       SCMP_A1(SCMP_CMP_EQ, allowed_ioctls[i]));
	/* Memory for malloc and the rings, never executable: no new code. */
	if (!ret)
		ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
				       SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	if (!ret)
		ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
				       SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	return ret;
}

int confine_seccomp(void (*before_exit)(void), char *err, size_t errlen)
{
	struct sigaction sa = { .sa_sigaction = forbidden_syscall, .sa_flags = SA_SIGINFO };
	scmp_filter_ctx ctx;
	int nr, ret;

	for (nr = 0; nr < NAMED_SYSCALLS; nr++)
		if (!syscall_names[nr])
			syscall_names[nr] = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
	violation_hook = before_exit;
	/*
	 * glibc opens the time zone file on the first gmtime_r() or timegm()
	 * (the CMOS clock's), which the filter would stop: read it now.
	 */
	tzset();
	sigfillset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL)) {
		snprintf(err, errlen, "SIGSYS handler: %s", strerror(errno));
		return -1;
	}
	ctx = seccomp_init(SCMP_ACT_TRAP);
	if (!ctx) {
		snprintf(err, errlen, "seccomp_init failed");
		return -1;
	}
	/* The channel bus, console and control threads run already. */
	ret = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	if (!ret)
		ret = build_filter(ctx);
	if (!ret)
		ret = seccomp_load(ctx);
	seccomp_release(ctx);
	if (ret) {
		snprintf(err, errlen, "cannot load the seccomp filter: %s", strerror(-ret));
		return -1;
	}
	return 0;
}

void confine_thread_sigmask(sigset_t *set)
{
	sigfillset(set);
	sigdelset(set, SIGSYS);
}
