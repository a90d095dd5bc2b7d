// SPDX-License-Identifier: GPL-2.0
/* The tool's channel bus thread: offers, opens, signals, rescinds. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "uapi/hvx.h"
#include "confine.h"
#include "vmbus.h"

#define PAGE_SIZE	4096

static const struct vmbus_class *const classes[] = {
	&vmbus_echo_class,
	&vmbus_blk_class,
	&vmbus_net_class,
	&vmbus_timesync_class,
	&vmbus_balloon_class,
};

#define NR_CLASSES	(sizeof(classes) / sizeof(classes[0]))

const struct vmbus_class *vmbus_class_find(const uint8_t class_id[16])
{
	unsigned int i;

	for (i = 0; i < NR_CLASSES; i++)
		if (!memcmp(classes[i]->class_id, class_id, sizeof(classes[i]->class_id)))
			return classes[i];
	return NULL;
}

int vmbus_add(struct vmbus *bus, const char *spec, char *err, size_t errlen)
{
	const char *options = strchr(spec, ',');
	size_t namelen = options ? (size_t)(options - spec) : strlen(spec);
	struct vmbus_channel *ch;
	unsigned int i;
	int ret;

	if (bus->ndevices == VMBUS_MAX_DEVICES) {
		snprintf(err, errlen, "at most %d devices", VMBUS_MAX_DEVICES);
		return -ENOSPC;
	}
	for (i = 0; i < NR_CLASSES; i++)
		if (strlen(classes[i]->name) == namelen && !strncmp(classes[i]->name, spec, namelen))
			break;
	if (i == NR_CLASSES) {
		snprintf(err, errlen, "no device class '%.*s' (echo, blk, net, timesync, balloon)", (int)namelen, spec);
		return -ENOENT;
	}
	ch = &bus->devices[bus->ndevices];
	memset(ch, 0, sizeof(*ch));
	ch->cls = classes[i];
	ch->bus = bus;
	ch->index = bus->ndevices;
	ch->fd = -1;
	if (options && !ch->cls->takes_options) {
		snprintf(err, errlen, "%s devices take no options", ch->cls->name);
		return -EINVAL;
	}
	if (ch->cls->init) {
		ret = ch->cls->init(ch, options ? options + 1 : NULL, err, errlen);
		if (ret)
			return ret;
	}
	bus->ndevices++;
	return 0;
}

/* The channel's totals since its fd was created, and what the class keeps. */
static void channel_totals(const struct vmbus_channel *ch, struct hvx_channel_report *r)
{
	*r = ch->closed;
	/* Consumed from the guest's ring, produced into the one it reads. */
	r->packets_from_guest += ch->from_guest.packets;
	r->bytes_from_guest += ch->from_guest.bytes;
	r->packets_to_guest += ch->to_guest.packets;
	r->bytes_to_guest += ch->to_guest.bytes;
	r->balloon_bytes = ch->balloon_bytes;
	r->flags = ch->broken ? HVX_CHANNEL_REPORT_BROKEN : 0;
}

/*
 * Tells hvx.ko what the channel moved, if that changed.  Best effort: the
 * counters are for people, the device works without them.  A module older
 * than HVX_CHANNEL_REPORT (ENOTTY), or one that refuses our figures
 * (EINVAL), is not asked again, and not complained about: hvx run's
 * stderr is the guest's business.
 */
static void channel_report(struct vmbus_channel *ch)
{
	struct hvx_channel_report r;

	if (ch->fd < 0 || ch->report_refused || ch->bus->no_reports)
		return;
	channel_totals(ch, &r);
	if (!memcmp(&r, &ch->reported, sizeof(r)))
		return;
	if (!ioctl(ch->fd, HVX_CHANNEL_REPORT, &r))
		ch->reported = r;
	else if (errno == ENOTTY)
		ch->bus->no_reports = true;
	else if (errno == EINVAL)
		ch->report_refused = true;
}

static void channel_unmap(struct vmbus_channel *ch)
{
	struct hvx_channel_report r;

	/* The next open attaches fresh rings: keep what these moved. */
	channel_totals(ch, &r);
	ch->closed.packets_from_guest = r.packets_from_guest;
	ch->closed.bytes_from_guest = r.bytes_from_guest;
	ch->closed.packets_to_guest = r.packets_to_guest;
	ch->closed.bytes_to_guest = r.bytes_to_guest;
	ch->from_guest.packets = ch->from_guest.bytes = 0;
	ch->to_guest.packets = ch->to_guest.bytes = 0;
	if (ch->open && ch->cls->close)
		ch->cls->close(ch);
	if (ch->map)
		munmap(ch->map, ch->map_len);
	ch->map = NULL;
	free(ch->buf);
	ch->buf = NULL;
	ch->open = false;
}

static int channel_offer(struct vmbus *bus, struct vmbus_channel *ch)
{
	struct hvx_create_channel req = { 0 };

	memcpy(req.class_id, ch->cls->class_id, sizeof(req.class_id));
	/* Instance ids that stay the same across runs and re-offers. */
	memcpy(req.instance_id, "hvx-device-", 11);
	req.instance_id[15] = ch->index;
	ch->fd = ioctl(bus->vm_fd, HVX_CREATE_CHANNEL, &req);
	if (ch->fd < 0)
		return -errno;
	/* hvx.ko counts each fd from zero. */
	memset(&ch->closed, 0, sizeof(ch->closed));
	memset(&ch->reported, 0, sizeof(ch->reported));
	ch->broken = false;
	ch->report_refused = false;
	fcntl(ch->fd, F_SETFL, O_NONBLOCK);
	return 0;
}

static void channel_rescind(struct vmbus_channel *ch)
{
	channel_unmap(ch);
	/* Closing the fd freezes its counters: the last word first. */
	channel_report(ch);
	if (ch->fd >= 0)
		close(ch->fd);
	ch->fd = -1;
}

/* The guest opened the channel: map both rings and attach to them. */
static int channel_open(struct vmbus_channel *ch, const struct hvx_channel_event *ev)
{
	size_t out_bytes = (size_t)ev->out_pages * PAGE_SIZE;
	size_t in_bytes = (size_t)ev->in_pages * PAGE_SIZE;
	int err;

	channel_unmap(ch);
	ch->child_id = ev->child_id;
	ch->map_len = out_bytes + in_bytes;
	ch->map = mmap(NULL, ch->map_len, PROT_READ | PROT_WRITE, MAP_SHARED, ch->fd, 0);
	if (ch->map == MAP_FAILED) {
		ch->map = NULL;
		return -errno;
	}
	/* The guest's out ring is what we read, its in ring what we write. */
	err = hvx_ring_attach(&ch->from_guest, (void *)ch->map, ch->map + PAGE_SIZE,
			      out_bytes - PAGE_SIZE, false);
	if (!err)
		err = hvx_ring_attach(&ch->to_guest, (void *)(ch->map + out_bytes),
				      ch->map + out_bytes + PAGE_SIZE, in_bytes - PAGE_SIZE, true);
	ch->buf = malloc(out_bytes);
	if (err || !ch->buf) {
		channel_unmap(ch);
		return err ? err : -ENOMEM;
	}
	err = ch->cls->open ? ch->cls->open(ch) : 0;
	if (err) {
		channel_unmap(ch);
		return err;
	}
	ch->open = true;
	return 0;
}

static const char *channel_broken_ring(const struct vmbus_channel *ch)
{
	return ch->from_guest.broken ? "guest-to-host" : "host-to-guest";
}

/* Runs the class and signals the guest if it asked to. */
static int channel_serve(struct vmbus_channel *ch)
{
	int err;

	ch->signal_guest = false;
	ch->more = false;
	err = ch->cls->serve(ch);
	if (ch->signal_guest && ioctl(ch->fd, HVX_CHANNEL_SIGNAL, 0) && errno != ENOTCONN)
		return -errno;
	return err;
}

/* Reads the fd's events and serves the rings; -EPIPE when a ring broke. */
static int channel_events(struct vmbus_channel *ch)
{
	struct hvx_channel_event ev;
	int err;

	while (read(ch->fd, &ev, sizeof(ev)) == sizeof(ev)) {
		switch (ev.type) {
		case HVX_CHANNEL_EVENT_OPEN:
			err = channel_open(ch, &ev);
			if (err) {
				fprintf(stderr, "hvx run: vmbus: %s device %u: cannot map its rings: %s\n",
					ch->cls->name, ch->index, strerror(-err));
				return err;
			}
			break;
		case HVX_CHANNEL_EVENT_CLOSE:
			channel_unmap(ch);
			channel_report(ch);
			continue;
		case HVX_CHANNEL_EVENT_SIGNAL:
			break;
		default:
			continue;
		}
		if (!ch->open)
			continue;
		err = channel_serve(ch);
		if (err)
			return err;
	}
	return errno == EAGAIN ? 0 : -errno;
}

static void hotplug(struct vmbus *bus)
{
	unsigned int i, n = 0;
	int err;

	for (i = 0; i < bus->ndevices; i++) {
		if (bus->offered) {
			n += bus->devices[i].fd >= 0;
			channel_rescind(&bus->devices[i]);
		} else if (bus->devices[i].fd < 0) {
			err = channel_offer(bus, &bus->devices[i]);
			if (err)
				fprintf(stderr, "hvx run: vmbus: cannot offer a device: %s\n",
					strerror(-err));
			else
				n++;
		}
	}
	bus->offered = !bus->offered;
	fprintf(stderr, "hvx run: vmbus: %s %u devices\n",
		bus->offered ? "offered" : "rescinded", n);
}

static void channel_failed(struct vmbus_channel *ch, int err)
{
	if (err == -EPIPE) {
		fprintf(stderr, "hvx run: vmbus: %s device %u (child %u): the guest broke the %s ring; rescinded\n",
			ch->cls->name, ch->index, ch->child_id, channel_broken_ring(ch));
		/* hvx.ko tells the events group, while the channel is still there. */
		ch->broken = true;
		channel_report(ch);
	} else {
		fprintf(stderr, "hvx run: vmbus: %s device %u: %s; rescinded\n",
			ch->cls->name, ch->index, strerror(-err));
	}
	channel_rescind(ch);
}

/* The class's own fd, polled only while the guest has the channel open. */
static int class_fd(struct vmbus_channel *ch)
{
	return ch->fd >= 0 && ch->open && ch->cls->poll_fd ? ch->cls->poll_fd(ch) : -1;
}

/* Runs a class hook that wants the rings served after it. */
static void channel_notify(struct vmbus_channel *ch, void (*hook)(struct vmbus_channel *ch))
{
	int err;

	if (!hook)
		return;
	hook(ch);
	if (ch->fd < 0 || !ch->open)
		return;
	err = channel_serve(ch);
	if (err)
		channel_failed(ch, err);
}

static void *vmbus_thread(void *arg)
{
	struct pollfd fds[2 * VMBUS_MAX_DEVICES + 1];
	struct vmbus *bus = arg;
	unsigned int i, n;
	time_t last_tick = 0;
	int timeout;
	char cmd;
	int err;

	for (;;) {
		fds[0] = (struct pollfd){ .fd = bus->wake[0], .events = POLLIN };
		timeout = 1000;
		for (i = 0, n = 1; i < bus->ndevices; i++) {
			fds[n++] = (struct pollfd){ .fd = bus->devices[i].fd, .events = POLLIN };
			fds[n++] = (struct pollfd){ .fd = class_fd(&bus->devices[i]), .events = POLLIN };
			/* A channel with work left waits for no signal: it will get none. */
			if (bus->devices[i].open && bus->devices[i].more)
				timeout = 0;
		}
		if (poll(fds, n, timeout) < 0)
			continue;
		if (time(NULL) != last_tick) {
			last_tick = time(NULL);
			for (i = 0; i < bus->ndevices; i++) {
				channel_notify(&bus->devices[i], bus->devices[i].cls->tick);
				channel_report(&bus->devices[i]);
			}
			continue;	/* the fds may have changed */
		}
		if (fds[0].revents) {
			if (read(bus->wake[0], &cmd, 1) != 1)
				continue;
			if (cmd == 'q')
				return NULL;
			if (cmd == 't')
				hotplug(bus);
			for (i = 0; cmd == 'c' && i < bus->ndevices; i++)
				channel_notify(&bus->devices[i], bus->devices[i].cls->resume);
			continue;
		}
		for (i = 0; i < bus->ndevices; i++) {
			struct vmbus_channel *ch = &bus->devices[i];

			err = 0;
			if (ch->fd >= 0 && fds[1 + 2 * i].revents)
				err = channel_events(ch);
			if (!err && ch->open && (fds[2 + 2 * i].revents || ch->more))
				err = channel_serve(ch);
			if (err)
				channel_failed(ch, err);
		}
	}
}

int vmbus_start(struct vmbus *bus, int vm_fd, uint8_t *ram, uint64_t ram_size)
{
	sigset_t all, old;
	unsigned int i;
	int err;

	bus->vm_fd = vm_fd;
	bus->ram = ram;
	bus->ram_size = ram_size;
	if (pipe2(bus->wake, O_CLOEXEC | O_NONBLOCK))
		return -errno;
	for (i = 0; i < bus->ndevices; i++) {
		err = channel_offer(bus, &bus->devices[i]);
		if (err)
			goto err_rescind;
	}
	bus->offered = true;
	/* Signals are for the vCPU thread: HVX_RUN returns on them. */
	confine_thread_sigmask(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	err = -pthread_create(&bus->thread, NULL, vmbus_thread, bus);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err)
		goto err_rescind;
	bus->running = true;
	return 0;

err_rescind:
	for (i = 0; i < bus->ndevices; i++)
		channel_rescind(&bus->devices[i]);
	close(bus->wake[0]);
	close(bus->wake[1]);
	return err;
}

void vmbus_stop(struct vmbus *bus)
{
	unsigned int i;

	if (!bus->running)
		return;
	if (write(bus->wake[1], "q", 1) != 1)
		perror("hvx run: vmbus");
	pthread_join(bus->thread, NULL);
	for (i = 0; i < bus->ndevices; i++)
		channel_rescind(&bus->devices[i]);
	close(bus->wake[0]);
	close(bus->wake[1]);
	bus->running = false;
}

void vmbus_destroy(struct vmbus *bus)
{
	unsigned int i;

	for (i = 0; i < bus->ndevices; i++)
		if (bus->devices[i].cls->destroy)
			bus->devices[i].cls->destroy(&bus->devices[i]);
	bus->ndevices = 0;
}

static void vmbus_wake(struct vmbus *bus, char cmd)
{
	int saved = errno;
	ssize_t ignored;

	/* A full pipe means commands already wait: the thread is behind. */
	if (bus->running)
		ignored = write(bus->wake[1], &cmd, 1);
	(void)ignored;
	errno = saved;
}

void vmbus_hotplug(struct vmbus *bus)
{
	vmbus_wake(bus, 't');
}

void vmbus_resume(struct vmbus *bus)
{
	vmbus_wake(bus, 'c');
}

int vmbus_send(struct vmbus_channel *ch, uint16_t type, uint64_t trans_id, const void *payload,
	       uint32_t len)
{
	bool signal;
	int err;

	err = hvx_ring_write_one(&ch->to_guest, type, trans_id, payload, len, &signal);
	ch->signal_guest |= signal;
	return err;
}

int vmbus_control(struct vmbus *bus, const char *line, FILE *out)
{
	size_t namelen = strcspn(line, " ");
	const char *args = line + namelen + (line[namelen] == ' ');
	unsigned int i;

	for (i = 0; i < bus->ndevices; i++) {
		const struct vmbus_class *cls = bus->devices[i].cls;

		if (cls->control && strlen(cls->name) == namelen &&
		    !strncmp(cls->name, line, namelen))
			return cls->control(&bus->devices[i], args, out);
	}
	fprintf(out, "error: this VM has no %.*s device\n", (int)namelen, line);
	return -ENODEV;
}
