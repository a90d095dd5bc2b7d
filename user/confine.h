/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvx run confines itself (confine.c): it becomes the user it runs for,
 * keeps no capabilities, sets no-new-privileges and loads a seccomp filter
 * that allows only the system calls a running VM needs.
 */
#ifndef HVX_USER_CONFINE_H
#define HVX_USER_CONFINE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct confine_user {
	bool set;		/* false: there is no one to become */
	uid_t uid;
	gid_t gid;
};

/*
 * Who a root hvx run becomes: @name (--user NAME or UID; "root" or 0
 * keeps uid 0), else the user sudo ran it for (SUDO_UID, SUDO_GID), else
 * no one.  Any other caller becomes no one: it already is its user.
 * 0, or -1 with a one-line reason in @err.
 */
int confine_user_find(const char *name, struct confine_user *user, char *err, size_t errlen);

/*
 * Becomes @user for good (its groups from the group database, or only its
 * gid if it has no passwd entry), with an empty bounding set and no
 * capabilities but CAP_NET_ADMIN when @keep_net_admin: the TAP set-up that
 * follows needs it, the files opened meanwhile are opened as the user.
 * 0, or -1 with a one-line reason in @err.
 */
int confine_become(const struct confine_user *user, bool keep_net_admin, char *err,
		   size_t errlen);

/*
 * Drops every capability this thread has left (and the bounding set, when
 * it may) and sets no-new-privileges; before any thread is started, as
 * both are per thread and inherited.  0, or -1 with a reason in @err.
 */
int confine_drop_privileges(char *err, size_t errlen);

/*
 * Limits what this process may do to the file system, through Landlock,
 * to reading, making and removing sockets beneath @socket_dir (may be
 * NULL: then nothing): the seccomp filter must let the control socket be
 * unlinked at the end, and Landlock keeps that unlink to the socket's own
 * directory.
 * Per thread and inherited, so before any thread starts, after
 * confine_drop_privileges().  A kernel without Landlock is no error (the
 * filter still refuses every open).  0, or -1 with a reason in @err.
 */
int confine_landlock(const char *socket_dir, char *err, size_t errlen);

/*
 * Loads the seccomp filter on every thread of the process.  A forbidden
 * system call raises SIGSYS, whose handler calls @before_exit (may be
 * NULL; it must be async-signal-safe), says on stderr which call it was
 * and ends the process with status 1.  Needs confine_drop_privileges()
 * first.  0, or -1 with a reason in @err.
 */
int confine_seccomp(void (*before_exit)(void), char *err, size_t errlen);

/*
 * Every signal but SIGSYS, for threads that leave signals to the main
 * thread: the kernel kills a thread that blocks SIGSYS without running
 * the handler that says which system call was forbidden.
 */
void confine_thread_sigmask(sigset_t *set);

#endif
