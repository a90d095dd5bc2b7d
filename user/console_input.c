// SPDX-License-Identifier: GPL-2.0
/*
 * hvx run's console input: a thread reads stdin (raw, when it is a
 * terminal), handles the escape keys and queues the bytes for the guest's
 * UART, which takes 16 at a time; the vCPU thread moves more in as the
 * guest reads (console_feed()).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "confine.h"
#include "console.h"
#include "hvx.h"
#include "machine.h"

/* Moves typed bytes into the UART's FIFO while it has room; m->lock held. */
void console_feed(struct machine *m)
{
	struct console *c = &m->console;
	bool moved = false;

	while (c->in_len && uart_receive(&m->uart, c->in[c->in_head])) {
		c->in_head = (c->in_head + 1) % CONSOLE_INPUT_SIZE;
		c->in_len--;
		moved = true;
	}
	if (moved)
		pthread_cond_signal(&m->input_room);
}

/*
 * Queues one byte for the guest, waiting while the ring is full: the guest
 * is then told it has input and the vCPU thread makes room as the guest
 * reads.  m->lock held.  0, or -errno when the IRQ could not be raised.
 */
static int console_queue(struct machine *m, uint8_t byte)
{
	struct console *c = &m->console;
	int err;

	while (c->in_len == CONSOLE_INPUT_SIZE) {
		if (atomic_load(&m->stop_status) >= 0)
			return 0;
		err = machine_update_irq(m);
		if (err)
			return err;
		pthread_cond_wait(&m->input_room, &m->lock);
	}
	c->in[(c->in_head + c->in_len) % CONSOLE_INPUT_SIZE] = byte;
	c->in_len++;
	console_feed(m);
	return 0;
}

/* The console reader thread: stdin to the UART, to its end of file or the run's. */
static void *console_reader(void *arg)
{
	struct machine *m = arg;
	struct console *c = &m->console;
	struct pollfd fds[2] = {
		{ .fd = STDIN_FILENO, .events = POLLIN },
		{ .fd = c->wake[0], .events = POLLIN },
	};
	uint8_t buf[256], out[2];
	int k, j, err = 0, irq_err = 0;
	ssize_t n, i;

	for (;;) {
		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			err = errno;
			break;
		}
		if (fds[1].revents)
			break;
		n = read(STDIN_FILENO, buf, sizeof(buf));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			err = errno;
		if (n <= 0)
			break;	/* the guest runs on without input */

		pthread_mutex_lock(&m->lock);
		for (i = 0; i < n && !irq_err; i++) {
			k = console_key(&c->keys, buf[i], out);
			if (k == CONSOLE_KEY_QUIT) {
				machine_stop(m, HVX_RUN_ESCAPE);
				break;
			}
			for (j = 0; j < k && !irq_err; j++)
				irq_err = console_queue(m, out[j]);
		}
		if (!irq_err)
			irq_err = machine_update_irq(m);
		pthread_mutex_unlock(&m->lock);
		if (irq_err) {
			fprintf(stderr, "hvx run: HVX_IRQ_LINE: %s\n", strerror(-irq_err));
			machine_stop(m, HVX_RUN_HOST_ERROR);
			return NULL;
		}
		if (atomic_load(&m->stop_status) >= 0)
			return NULL;
	}
	if (err)
		fprintf(stderr, "hvx run: console input: %s; the guest runs on without it\n",
			strerror(err));
	return NULL;
}

/*
 * Starts reading stdin for the guest.  The reader blocks every signal: the
 * kick is for the vCPU thread alone, and the signals that end hvx are
 * handled there.  0 or -errno.
 */
int console_start_input(struct machine *m)
{
	struct console *c = &m->console;
	sigset_t all, old;
	int err;

	/* A closed stdin is an empty one. */
	if (fcntl(STDIN_FILENO, F_GETFL) < 0)
		return 0;
	/* A terminal we may not read (in the background) gives no input either. */
	if (isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) != getpgrp())
		return 0;
	if (pipe(c->wake))
		return -errno;
	c->raw = console_raw_begin();
	confine_thread_sigmask(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	err = -pthread_create(&c->reader, NULL, console_reader, m);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		if (c->raw)
			console_raw_end();
		c->raw = false;
		close(c->wake[0]);
		close(c->wake[1]);
		return err;
	}
	c->input = true;
	return 0;
}

void console_stop_input(struct machine *m)
{
	struct console *c = &m->console;

	if (!c->input)
		return;
	/* The run is over: any status tells a reader waiting for room to give up. */
	pthread_mutex_lock(&m->lock);
	atomic_store(&m->stop_status, HVX_RUN_POWEROFF);
	pthread_cond_broadcast(&m->input_room);
	pthread_mutex_unlock(&m->lock);
	if (write(c->wake[1], "", 1) < 0)
		perror("hvx run: cannot stop the console reader");
	pthread_join(c->reader, NULL);
	close(c->wake[0]);
	close(c->wake[1]);
	c->input = false;
	if (c->raw)
		console_raw_end();
	c->raw = false;
}
