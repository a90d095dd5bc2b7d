// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "hvx" (uapi/hvx_genl.h): the list of VMs,
 * one VM's counters for its owner, and lifecycle events.
 */
#define pr_fmt(fmt) "hvx: " fmt

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/math64.h>
#include <linux/pid.h>
#include <net/genetlink.h>
#include <asm/tsc.h>

#include "hvx.h"
#include "uapi/hvx_genl.h"

static struct genl_family hvx_genl_family;

enum {
	HVX_GENL_MCGRP_EVENTS_ID,
};

static const struct genl_multicast_group hvx_genl_mcgrps[] = {
	[HVX_GENL_MCGRP_EVENTS_ID] = { .name = HVX_GENL_MCGRP_EVENTS },
};

static const struct nla_policy hvx_genl_policy[HVX_ATTR_MAX + 1] = {
	[HVX_ATTR_VM_ID]	= { .type = NLA_U32 },
	[HVX_ATTR_NAME]		= { .type = NLA_NUL_STRING, .len = HVX_NAME_MAX - 1 },
};

/*
 * Room for the largest GET_STATS reply: every exit reason counted and
 * every channel in use (a u32 or u64 attribute takes at most 12 bytes, a
 * nest header 4, the class id 20), plus the VM's own attributes.
 */
#define HVX_GENL_EXIT_SIZE	(4 + 8 + 12)
#define HVX_GENL_CHANNEL_SIZE	(4 + 8 + 20 + 6 * 12 + 4)
#define HVX_GENL_STATS_SIZE	(NLMSG_GOODSIZE + HVX_NR_EXIT_REASONS * HVX_GENL_EXIT_SIZE + \
				 HVX_VMBUS_MAX_CHANNELS * HVX_GENL_CHANNEL_SIZE)

static u64 hvx_tsc_to_ns(u64 ticks)
{
	return tsc_khz ? mul_u64_u32_div(ticks, NSEC_PER_MSEC, tsc_khz) : 0;
}

/* vm->lock held. */
static u32 hvx_genl_vm_state(struct hvx_vm *vm)
{
	bool ran = false, running = false;
	struct hvx_vcpu *vcpu;
	int i;

	lockdep_assert_held(&vm->lock);
	for (i = 0; i < HVX_MAX_VCPUS; i++) {
		vcpu = vm->vcpus[i];
		if (!vcpu)
			continue;
		if (READ_ONCE(vcpu->shut_down))
			return HVX_VM_STATE_SHUTDOWN;
		ran |= READ_ONCE(vcpu->first_entry_tsc) != 0;
		running |= READ_ONCE(vcpu->in_run);
	}
	if (running)
		return HVX_VM_STATE_RUNNING;
	return ran ? HVX_VM_STATE_STOPPED : HVX_VM_STATE_CREATED;
}

/*
 * What identifies @vm in every message; hvx_vms_lock held.  A reply shows
 * the pid and uid as its reader sees them, an event (@global) as the
 * initial namespaces do.
 */
static int hvx_genl_put_vm_id(struct sk_buff *skb, struct hvx_vm *vm, bool global)
{
	u32 pid = global ? pid_nr(vm->owner_pid) : pid_vnr(vm->owner_pid);
	u32 uid = from_kuid_munged(global ? &init_user_ns : current_user_ns(), vm->owner_uid);

	if (nla_put_u32(skb, HVX_ATTR_VM_ID, vm->id) ||
	    nla_put_u32(skb, HVX_ATTR_PID, pid) ||
	    nla_put_u32(skb, HVX_ATTR_UID, uid))
		return -EMSGSIZE;
	if (vm->name[0] && nla_put_string(skb, HVX_ATTR_NAME, vm->name))
		return -EMSGSIZE;
	return 0;
}

static int hvx_genl_put_vm(struct sk_buff *skb, struct hvx_vm *vm)
{
	u32 vcpus = 0, state;
	int i;

	/* A vCPU whose fd closes leaves vm->vcpus under vm->lock before it is freed. */
	mutex_lock(&vm->lock);
	for (i = 0; i < HVX_MAX_VCPUS; i++)
		vcpus += vm->vcpus[i] != NULL;
	state = hvx_genl_vm_state(vm);
	mutex_unlock(&vm->lock);
	if (hvx_genl_put_vm_id(skb, vm, false) ||
	    nla_put_u64_64bit(skb, HVX_ATTR_MEMORY, hvx_mem_size(&vm->mem), HVX_ATTR_PAD) ||
	    nla_put_u32(skb, HVX_ATTR_VCPUS, vcpus) ||
	    nla_put_u32(skb, HVX_ATTR_STATE, state))
		return -EMSGSIZE;
	return 0;
}

static int hvx_genl_put_exits(struct sk_buff *skb, const u64 *sums)
{
	struct nlattr *exits, *exit;
	u32 reason;

	exits = nla_nest_start(skb, HVX_ATTR_EXITS);
	if (!exits)
		return -EMSGSIZE;
	for (reason = 0; reason < HVX_NR_EXIT_REASONS; reason++) {
		if (!sums[reason])
			continue;
		exit = nla_nest_start(skb, HVX_ATTR_EXIT);
		if (!exit ||
		    nla_put_u32(skb, HVX_EXIT_ATTR_REASON, reason) ||
		    nla_put_u64_64bit(skb, HVX_EXIT_ATTR_COUNT, sums[reason], HVX_EXIT_ATTR_PAD))
			return -EMSGSIZE;
		nla_nest_end(skb, exit);
	}
	nla_nest_end(skb, exits);
	return 0;
}

static int hvx_genl_put_vcpu_counters(struct sk_buff *skb, struct hvx_vm *vm)
{
	u64 guest = 0, exit_path = 0, halted = 0, irqs = 0;
	u64 *sums;
	int i, r, err;

	sums = kcalloc(HVX_NR_EXIT_REASONS, sizeof(*sums), GFP_KERNEL);
	if (!sums)
		return -ENOMEM;
	mutex_lock(&vm->lock);
	for (i = 0; i < HVX_MAX_VCPUS; i++) {
		struct hvx_vcpu *vcpu = vm->vcpus[i];

		if (!vcpu)
			continue;
		guest += READ_ONCE(vcpu->guest_tsc);
		exit_path += READ_ONCE(vcpu->exit_path_tsc);
		halted += READ_ONCE(vcpu->halted_tsc);
		irqs += READ_ONCE(vcpu->irqs_injected);
		for (r = 0; r < HVX_NR_EXIT_REASONS; r++)
			sums[r] += READ_ONCE(vcpu->exit_counts[r]);
	}
	mutex_unlock(&vm->lock);
	err = -EMSGSIZE;
	if (nla_put_u64_64bit(skb, HVX_ATTR_GUEST_NS, hvx_tsc_to_ns(guest), HVX_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, HVX_ATTR_EXIT_PATH_NS, hvx_tsc_to_ns(exit_path),
			      HVX_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, HVX_ATTR_HALTED_NS, hvx_tsc_to_ns(halted), HVX_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, HVX_ATTR_IRQS_INJECTED, irqs, HVX_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, HVX_ATTR_RESIDENT,
			      (u64)READ_ONCE(vm->mem.mapped_pages) << PAGE_SHIFT, HVX_ATTR_PAD))
		goto out;
	err = hvx_genl_put_exits(skb, sums);
out:
	kfree(sums);
	return err;
}

static int hvx_genl_put_traffic(struct sk_buff *skb, const struct hvx_vmbus_traffic *t)
{
	if (nla_put_u64_64bit(skb, HVX_CHANNEL_ATTR_PACKETS_FROM_GUEST, t->packets_from_guest,
			      HVX_CHANNEL_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, HVX_CHANNEL_ATTR_BYTES_FROM_GUEST, t->bytes_from_guest,
			      HVX_CHANNEL_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, HVX_CHANNEL_ATTR_PACKETS_TO_GUEST, t->packets_to_guest,
			      HVX_CHANNEL_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, HVX_CHANNEL_ATTR_BYTES_TO_GUEST, t->bytes_to_guest,
			      HVX_CHANNEL_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, HVX_CHANNEL_ATTR_SIGNALS, t->signals, HVX_CHANNEL_ATTR_PAD))
		return -EMSGSIZE;
	return 0;
}

/* The channels' traffic and the balloon; takes the bus's spinlock. */
static int hvx_genl_put_channels(struct sk_buff *skb, struct hvx_vm *vm)
{
	struct hvx_vmbus *bus = &vm->vmbus;
	struct nlattr *channels, *nest;
	u64 balloon = 0;
	int err = -EMSGSIZE;
	u32 id;

	spin_lock(&bus->slock);
	channels = nla_nest_start(skb, HVX_ATTR_CHANNELS);
	if (!channels)
		goto out;
	for (id = 1; id < HVX_VMBUS_MAX_CHANNELS; id++) {
		struct hvx_vmbus_channel *ch = bus->channels[id];

		struct hvx_vmbus_traffic traffic;

		if (!ch || ch->traffic_gone)
			continue;
		traffic = ch->traffic;
		traffic.signals = READ_ONCE(ch->signals_total);
		balloon += traffic.balloon_bytes;
		nest = nla_nest_start(skb, HVX_ATTR_CHANNEL);
		if (!nest ||
		    nla_put_u32(skb, HVX_CHANNEL_ATTR_CHILD_ID, ch->child_id) ||
		    nla_put(skb, HVX_CHANNEL_ATTR_CLASS_ID, sizeof(ch->class_id), ch->class_id) ||
		    hvx_genl_put_traffic(skb, &traffic) ||
		    (ch->broken && nla_put_flag(skb, HVX_CHANNEL_ATTR_BROKEN)))
			goto out;
		nla_nest_end(skb, nest);
	}
	if (bus->channels_gone) {
		nest = nla_nest_start(skb, HVX_ATTR_CHANNEL);
		if (!nest || hvx_genl_put_traffic(skb, &bus->traffic_gone))
			goto out;
		nla_nest_end(skb, nest);
	}
	nla_nest_end(skb, channels);
	err = 0;
out:
	spin_unlock(&bus->slock);
	if (err)
		return err;
	return nla_put_u64_64bit(skb, HVX_ATTR_BALLOON, balloon, HVX_ATTR_PAD) ? -EMSGSIZE : 0;
}

/* The VM a request names by id or by name; hvx_vms_lock held. */
static struct hvx_vm *hvx_genl_find_vm(struct genl_info *info)
{
	if (info->attrs[HVX_ATTR_VM_ID])
		return hvx_vm_table_find(nla_get_u32(info->attrs[HVX_ATTR_VM_ID]));
	if (info->attrs[HVX_ATTR_NAME])
		return hvx_vm_table_find_name(nla_data(info->attrs[HVX_ATTR_NAME]));
	return NULL;
}

static int hvx_genl_reply(struct sk_buff *skb, struct genl_info *info, bool stats)
{
	struct sk_buff *msg;
	struct hvx_vm *vm;
	void *hdr;
	int err;

	if (!info->attrs[HVX_ATTR_VM_ID] && !info->attrs[HVX_ATTR_NAME]) {
		GENL_SET_ERR_MSG(info, "name the VM by id or by name");
		return -EINVAL;
	}
	msg = nlmsg_new(stats ? HVX_GENL_STATS_SIZE : NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &hvx_genl_family, 0, info->genlhdr->cmd);
	if (!hdr) {
		err = -EMSGSIZE;
		goto err_free;
	}

	mutex_lock(&hvx_vms_lock);
	vm = hvx_genl_find_vm(info);
	err = -ENOENT;
	if (!vm)
		goto err_unlock;
	err = -EPERM;
	if (stats && !uid_eq(current_euid(), vm->owner_uid) &&
	    !netlink_capable(skb, CAP_SYS_ADMIN))
		goto err_unlock;
	err = hvx_genl_put_vm(msg, vm);
	if (!err && stats)
		err = hvx_genl_put_vcpu_counters(msg, vm);
	if (!err && stats)
		err = hvx_genl_put_channels(msg, vm);
	mutex_unlock(&hvx_vms_lock);
	if (err)
		goto err_free;

	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_unlock:
	mutex_unlock(&hvx_vms_lock);
err_free:
	nlmsg_free(msg);
	return err;
}

static int hvx_genl_get_vm(struct sk_buff *skb, struct genl_info *info)
{
	return hvx_genl_reply(skb, info, false);
}

static int hvx_genl_get_stats(struct sk_buff *skb, struct genl_info *info)
{
	return hvx_genl_reply(skb, info, true);
}

/* cb->args[0]: the id to go on from. */
static int hvx_genl_dump_vms(struct sk_buff *skb, struct netlink_callback *cb)
{
	unsigned long id = cb->args[0];
	struct hvx_vm *vm;
	void *hdr;

	mutex_lock(&hvx_vms_lock);
	for (; (vm = hvx_vm_table_next(&id)); id++) {
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
				  &hvx_genl_family, NLM_F_MULTI, HVX_CMD_GET_VM);
		if (!hdr)
			break;
		if (hvx_genl_put_vm(skb, vm)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
	}
	mutex_unlock(&hvx_vms_lock);
	cb->args[0] = id;
	return skb->len;
}

static const struct genl_small_ops hvx_genl_ops[] = {
	{
		.cmd	= HVX_CMD_GET_VM,
		.doit	= hvx_genl_get_vm,
		.dumpit	= hvx_genl_dump_vms,
	},
	{
		.cmd	= HVX_CMD_GET_STATS,
		.doit	= hvx_genl_get_stats,
	},
};

static struct genl_family hvx_genl_family __ro_after_init = {
	.name		= HVX_GENL_NAME,
	.version	= HVX_GENL_VERSION,
	.maxattr	= HVX_ATTR_MAX,
	.policy		= hvx_genl_policy,
	.module		= THIS_MODULE,
	.small_ops	= hvx_genl_ops,
	.n_small_ops	= ARRAY_SIZE(hvx_genl_ops),
	.resv_start_op	= HVX_CMD_GET_STATS + 1,
	.mcgrps		= hvx_genl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(hvx_genl_mcgrps),
};

/*
 * Tells the events group about @vm.  Best effort: an event that cannot be
 * sent (no memory) is lost, as netlink multicast may lose any message.
 */
void hvx_genl_notify(struct hvx_vm *vm, enum hvx_event event,
		     const struct hvx_genl_event_info *info)
{
	struct sk_buff *msg;
	void *hdr;
	int err;

	if (!genl_has_listeners(&hvx_genl_family, &init_net, HVX_GENL_MCGRP_EVENTS_ID))
		return;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &hvx_genl_family, 0, HVX_CMD_EVENT);
	if (!hdr)
		goto err_free;

	mutex_lock(&hvx_vms_lock);
	err = hvx_genl_put_vm_id(msg, vm, true);
	mutex_unlock(&hvx_vms_lock);
	if (err || nla_put_u32(msg, HVX_ATTR_EVENT, event))
		goto err_free;
	if (info && info->vcpu >= 0 &&
	    (nla_put_u32(msg, HVX_ATTR_VCPU, info->vcpu) ||
	     nla_put_u32(msg, HVX_ATTR_EXIT_REASON, info->exit_reason)))
		goto err_free;
	if (info && info->child_id) {
		struct nlattr *nest = nla_nest_start(msg, HVX_ATTR_CHANNEL);

		if (!nest || nla_put_u32(msg, HVX_CHANNEL_ATTR_CHILD_ID, info->child_id))
			goto err_free;
		nla_nest_end(msg, nest);
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast(&hvx_genl_family, msg, 0, HVX_GENL_MCGRP_EVENTS_ID, GFP_KERNEL);
	return;

err_free:
	nlmsg_free(msg);
}

int hvx_genl_init(void)
{
	return genl_register_family(&hvx_genl_family);
}

void hvx_genl_exit(void)
{
	genl_unregister_family(&hvx_genl_family);
}
