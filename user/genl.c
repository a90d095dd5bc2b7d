// SPDX-License-Identifier: GPL-2.0
/*
 * The tool's side of hvx.ko's generic netlink family: requests, dumps and
 * the events group, over libnl-genl-3.  What the kernel answers goes
 * through genl_msg.c's parsers; the kernel's own errno is kept (from the
 * NLMSG_ERROR itself, not libnl's translation of it) so that the commands
 * can tell EPERM from ENOENT.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "genl.h"
#include "hvx.h"

/* Room for a burst of events while the reader is descheduled. */
#define EVENTS_RCVBUF	(1 << 20)

/* libnl's error codes for what they were. */
static int nl_errno(int nle)
{
	switch (nle < 0 ? -nle : nle) {
	case 0:			return 0;
	case NLE_INTR:		return -EINTR;
	case NLE_AGAIN:		return -EAGAIN;
	case NLE_NOMEM:		return -ENOMEM;
	case NLE_PERM:		return -EPERM;
	case NLE_NOACCESS:	return -EACCES;
	case NLE_OBJ_NOTFOUND:	return -ENOENT;
	case NLE_BAD_SOCK:	return -EBADF;
	case NLE_OPNOTSUPP:	return -EOPNOTSUPP;
	case NLE_AF_NOSUPPORT:	return -EAFNOSUPPORT;
	default:		return -EPROTO;
	}
}

int genl_open(struct genl *g)
{
	int err;

	g->family = -1;
	g->sk = nl_socket_alloc();
	if (!g->sk)
		return -ENOMEM;
	err = genl_connect(g->sk);
	if (!err) {
		g->family = genl_ctrl_resolve(g->sk, HVX_GENL_NAME);
		err = g->family < 0 ? g->family : 0;
	}
	if (err) {
		nl_socket_free(g->sk);
		g->sk = NULL;
		return nl_errno(err);
	}
	/* A request's answer is its reply or its error: no ACK to wait for. */
	nl_socket_disable_auto_ack(g->sk);
	/* A dump's datagrams may be larger than libnl's buffer: size them first. */
	nl_socket_enable_msg_peek(g->sk);
	return 0;
}

void genl_close(struct genl *g)
{
	if (g->sk)
		nl_socket_free(g->sk);
	g->sk = NULL;
}

struct reply {
	int family;
	int (*fn)(const struct nlmsghdr *nlh, void *arg);
	void *arg;
	int err;
	unsigned int got;
};

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct reply *r = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);

	if (nlh->nlmsg_type != r->family)
		return NL_SKIP;
	r->got++;
	r->err = r->fn(nlh, r->arg);
	return r->err ? NL_STOP : NL_OK;
}

static int no_seq_check(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

static int on_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct reply *r = arg;

	(void)who;
	r->err = e->error < 0 ? e->error : -EPROTO;
	return NL_STOP;
}

/* Sends @cmd with @flags and @id (if not 0) and feeds every answer to @fn. */
static int transact(struct genl *g, uint8_t cmd, int flags, uint32_t id,
		    int (*fn)(const struct nlmsghdr *nlh, void *arg), void *arg,
		    unsigned int *got)
{
	struct reply r = { .family = g->family, .fn = fn, .arg = arg };
	struct nl_msg *msg = nlmsg_alloc();
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int err = -ENOMEM;

	if (!msg || !cb)
		goto out;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, g->family, 0, flags, cmd,
			 HVX_GENL_VERSION) ||
	    (id && nla_put_u32(msg, HVX_ATTR_VM_ID, id)))
		goto out;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &r);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &r);
	err = nl_send_auto(g->sk, msg);
	if (err >= 0)
		err = nl_recvmsgs(g->sk, cb);
	err = r.err ? r.err : nl_errno(err < 0 ? err : 0);
	if (got)
		*got = r.got;
out:
	nl_cb_put(cb);
	nlmsg_free(msg);
	return err;
}

struct vm_list {
	struct vm_info *vms;
	size_t n, room;
};

static int add_vm(const struct nlmsghdr *nlh, void *arg)
{
	struct vm_list *l = arg;
	struct vm_info *more;

	if (l->n == l->room) {
		l->room = l->room ? 2 * l->room : 16;
		more = realloc(l->vms, l->room * sizeof(*more));
		if (!more)
			return -ENOMEM;
		l->vms = more;
	}
	if (genl_parse_vm(nlh, &l->vms[l->n]))
		return -EPROTO;
	l->n++;
	return 0;
}

int genl_list_vms(struct genl *g, struct vm_info **vms, size_t *n)
{
	struct vm_list l = { 0 };
	int err;

	err = transact(g, HVX_CMD_GET_VM, NLM_F_DUMP, 0, add_vm, &l, NULL);
	if (err) {
		free(l.vms);
		return err;
	}
	vm_sort(l.vms, l.n);
	*vms = l.vms;
	*n = l.n;
	return 0;
}

static int stats_reply(const struct nlmsghdr *nlh, void *arg)
{
	return genl_parse_stats(nlh, arg);
}

int genl_get_stats(struct genl *g, uint32_t id, struct vm_stats *st)
{
	unsigned int got;
	int err;

	err = transact(g, HVX_CMD_GET_STATS, 0, id, stats_reply, st, &got);
	if (!err && !got)
		err = -EPROTO;
	return err;
}

int genl_subscribe(struct genl *g)
{
	int grp, err;

	grp = genl_ctrl_resolve_grp(g->sk, HVX_GENL_NAME, HVX_GENL_MCGRP_EVENTS);
	if (grp < 0)
		return nl_errno(grp);
	nl_socket_set_buffer_size(g->sk, EVENTS_RCVBUF, 0);
	err = nl_socket_add_membership(g->sk, grp);
	if (!err)
		err = nl_socket_set_nonblocking(g->sk);
	return nl_errno(err);
}

struct event_reader {
	bool (*fn)(const struct vm_event *ev, void *arg);
	void *arg;
	bool stopped;
};

static int on_event(const struct nlmsghdr *nlh, void *arg)
{
	struct event_reader *rd = arg;
	struct genlmsghdr *hdr = nlmsg_data(nlh);
	struct vm_event ev;

	if (rd->stopped || !genlmsg_valid_hdr((struct nlmsghdr *)nlh, 0) ||
	    hdr->cmd != HVX_CMD_EVENT)
		return 0;
	if (genl_parse_event(nlh, &ev))
		return -EPROTO;
	rd->stopped = !rd->fn(&ev, rd->arg);
	return 0;
}

int genl_read_events(struct genl *g, bool (*fn)(const struct vm_event *ev, void *arg), void *arg)
{
	struct event_reader rd = { .fn = fn, .arg = arg };
	struct reply r = { .family = g->family, .fn = on_event, .arg = &rd };
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int n;

	if (!cb)
		return -ENOMEM;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &r);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &r);
	/* Events come unasked, with no sequence number of ours. */
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, no_seq_check, NULL);
	/* One datagram per call: its number of messages, 0 or -NLE_AGAIN when none. */
	do {
		n = nl_recvmsgs_report(g->sk, cb);
	} while (n > 0 && !r.err && !rd.stopped);
	nl_cb_put(cb);
	if (r.err)
		return r.err;
	if (rd.stopped)
		return 1;
	/* recvmsg()'s ENOBUFS, which libnl calls out of memory: events were dropped. */
	if (n == -NLE_NOMEM)
		return -ENOBUFS;
	return n == -NLE_AGAIN || !n ? 0 : nl_errno(n);
}

int genl_open_failed(const char *cmd, int err)
{
	if (err == -ENOENT)
		fprintf(stderr, "hvx: hvx.ko is not loaded (no generic netlink family %s)\n",
			HVX_GENL_NAME);
	else
		fprintf(stderr, "hvx %s: cannot reach hvx.ko's generic netlink family: %s\n",
			cmd, strerror(-err));
	return HVX_EXIT_FAILURE;
}

int genl_find_vm(struct genl *g, const char *cmd, const char *arg, struct vm_info *vm)
{
	struct vm_info *vms = NULL;
	char why[128];
	size_t n;
	int err, i;

	err = genl_list_vms(g, &vms, &n);
	if (err) {
		fprintf(stderr, "hvx %s: cannot list the VMs: %s\n", cmd, strerror(-err));
		return HVX_EXIT_FAILURE;
	}
	i = vm_lookup(vms, n, arg, why, sizeof(why));
	if (i >= 0)
		*vm = vms[i];
	else
		fprintf(stderr, "hvx: %s\n", why);
	free(vms);
	return i >= 0 ? HVX_EXIT_OK : HVX_EXIT_FAILURE;
}
