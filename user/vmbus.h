/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host side of the channel bus in the tool: one thread serves every
 * device's channel fd (uapi/hvx.h): it maps the rings when the guest opens
 * a channel and calls the device's class when the guest signals.  A class
 * (echo.c; storage and network later) only moves packets.
 */
#ifndef HVX_USER_VMBUS_H
#define HVX_USER_VMBUS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "uapi/hvx.h"
#include "uapi/hvx_vmbus.h"
#include "vmbus/ring.h"

#define VMBUS_MAX_DEVICES	8
/*
 * The most hvx.ko may pin for one VM's bus, charged to RLIMIT_MEMLOCK: the
 * event page and, per device, an open's largest rings.
 */
#define VMBUS_MAX_PINNED_BYTES	\
	((1ULL + VMBUS_MAX_DEVICES * HVX_VMBUS_MAX_OPEN_GFNS) * 4096)

struct vmbus_channel;

/* What a class does; every hook but serve may be NULL. */
struct vmbus_class {
	const char *name;
	uint8_t class_id[16];
	/* "CLASS,OPTIONS" is allowed; else vmbus_add() refuses options. */
	bool takes_options;
	/*
	 * Sets the device up from the options after "CLASS," on the command
	 * line (NULL if none): 0, or -errno with a reason in @err.
	 */
	int (*init)(struct vmbus_channel *ch, const char *options, char *err, size_t errlen);
	void (*destroy)(struct vmbus_channel *ch);
	/* The guest opened the channel (the rings are mapped) or closed it. */
	int (*open)(struct vmbus_channel *ch);
	void (*close)(struct vmbus_channel *ch);
	/*
	 * Moves packets while the channel is open: after the guest opened
	 * it, after each signal and whenever poll_fd is readable.  0, or
	 * -EPIPE once a ring is broken (the channel is then reported and
	 * rescinded).  Sets ch->signal_guest when the guest needs a signal.
	 * Does a bounded amount of work per call, so that one busy channel
	 * cannot starve the others and the ticks: a class that stops with
	 * packets left (their signals masked) sets ch->more, and is served
	 * again after the other channels had their turn.
	 */
	int (*serve)(struct vmbus_channel *ch);
	/* An fd of the class's own that the thread polls too, or -1. */
	int (*poll_fd)(struct vmbus_channel *ch);
	/* Called about once a second; serve follows if the channel is open. */
	void (*tick)(struct vmbus_channel *ch);
	/*
	 * The tool was stopped and continued (SIGCONT), as after a pause:
	 * time moved and the network may have forgotten us.  serve follows
	 * if the channel is open.
	 */
	void (*resume)(struct vmbus_channel *ch);
	/*
	 * A command for the class from `hvx CLASS VM ARGS` (control.c), on
	 * the control thread, not the channel thread: the class locks what
	 * the two share.  Writes its answer to @out; 0 or -errno.
	 */
	int (*control)(struct vmbus_channel *ch, const char *args, FILE *out);
};

struct vmbus;

struct vmbus_channel {
	const struct vmbus_class *cls;
	struct vmbus *bus;
	void *priv;			/* the class's */
	unsigned int index;		/* among the tool's devices */
	int fd;				/* -1 while not offered */
	uint32_t child_id;
	uint8_t *map;			/* the rings while open */
	size_t map_len;
	struct hvx_ring from_guest, to_guest;
	bool open;
	bool signal_guest;
	bool more;			/* serve stopped at its budget: serve again */
	uint8_t *buf;			/* a packet's worth, for the class */
	uint64_t packets;
	uint64_t balloon_bytes;		/* the balloon class keeps it: guest memory in the balloon */
	/*
	 * HVX_CHANNEL_REPORT, about once a second on the channel thread:
	 * hvx.ko wants totals since the fd was created, and the rings'
	 * counters start again at each open, so earlier opens' are in
	 * @closed.  @reported is what hvx.ko was last told.
	 */
	struct hvx_channel_report closed, reported;
	bool broken;			/* a ring broke: said in every report */
	bool report_refused;		/* hvx.ko said EINVAL: no more for this fd */
};

struct vmbus {
	int vm_fd;
	uint8_t *ram;			/* guest RAM from guest physical 0 */
	uint64_t ram_size;
	struct vmbus_channel devices[VMBUS_MAX_DEVICES];
	unsigned int ndevices;
	bool offered;
	int wake[2];			/* the thread's pipe: 't' hot-plug, 'c' resumed, 'q' quit */
	pthread_t thread;
	bool running;
	bool no_reports;		/* hvx.ko has no HVX_CHANNEL_REPORT */
};

/*
 * Adds a device, "CLASS[,OPTIONS]" ("echo", "blk,PATH,ro"); before
 * vmbus_start().  0, or -errno with a reason in @err.
 */
int vmbus_add(struct vmbus *bus, const char *spec, char *err, size_t errlen);
/* Offers the devices of the VM with this RAM and serves them.  0 or -errno. */
int vmbus_start(struct vmbus *bus, int vm_fd, uint8_t *ram, uint64_t ram_size);
/* Ends the thread and rescinds the devices. */
void vmbus_stop(struct vmbus *bus);
/* Frees what vmbus_add() set up. */
void vmbus_destroy(struct vmbus *bus);
/*
 * Rescinds every device if offered, else offers them again; the thread
 * does it.  Async-signal-safe.
 */
void vmbus_hotplug(struct vmbus *bus);
/* Tells every device that the VM was paused and runs again.  Async-signal-safe. */
void vmbus_resume(struct vmbus *bus);
/*
 * For a class: writes one packet to the guest and notes whether the guest
 * needs a signal.  0, or hvx_ring_write()'s -EAGAIN, -EMSGSIZE, -EPIPE.
 */
int vmbus_send(struct vmbus_channel *ch, uint16_t type, uint64_t trans_id, const void *payload,
	       uint32_t len);
/*
 * "CLASS ARGS" from the control socket: the first device of CLASS that
 * takes commands answers on @out.  0 or -errno.
 */
int vmbus_control(struct vmbus *bus, const char *line, FILE *out);

/* The class with this id (bytes of a guid_t), or NULL. */
const struct vmbus_class *vmbus_class_find(const uint8_t class_id[16]);

extern const struct vmbus_class vmbus_echo_class;
extern const struct vmbus_class vmbus_blk_class;
/*
 * The disk backend's io_uring, allowed only the operations a disk needs
 * (blk.c); here for its test.  0 or -errno.
 */
struct io_uring;
int blk_ring_init(struct io_uring *ring, int efd);
extern const struct vmbus_class vmbus_net_class;
extern const struct vmbus_class vmbus_timesync_class;
extern const struct vmbus_class vmbus_balloon_class;

#endif
