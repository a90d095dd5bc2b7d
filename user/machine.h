/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvx run's machine: the VM, its legacy devices and its console, shared by
 * run.c (the vCPU thread) and console_input.c (the thread that feeds the
 * guest what is typed).
 */
#ifndef HVX_USER_MACHINE_H
#define HVX_USER_MACHINE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "console.h"
#include "control.h"
#include "pci.h"
#include "rtc.h"
#include "run_stats.h"
#include "uart.h"
#include "vmbus.h"
#include "vmm.h"

/* Bytes typed ahead of the guest: a paste waits here for the 16-byte FIFO. */
#define CONSOLE_INPUT_SIZE	4096

struct console {
	struct console_sink sink;	/* where the guest's output goes, and how */
	/* Interactive output shows at once: a prompt has no newline. */
	bool flush_each;
	bool input;			/* a reader thread feeds stdin to the UART */
	bool raw;			/* and stdin is a terminal in raw mode */
	pthread_t reader;
	int wake[2];			/* a pipe that ends the reader's poll() */
	struct console_keys keys;
	uint8_t in[CONSOLE_INPUT_SIZE];	/* ring, under machine.lock */
	unsigned int in_head, in_len;
};

struct machine {
	struct vmm vmm;
	/*
	 * The UART is shared by the vCPU thread (port I/O) and the console
	 * reader (received bytes); the lock covers it, the console's input
	 * ring and irq_level, which must change together with the UART.
	 */
	pthread_mutex_t lock;
	pthread_cond_t input_room;	/* the input ring has room again */
	struct uart uart;
	bool irq_level;			/* what the I/O APIC's pin 4 was last told */
	struct pci_bus pci;
	struct rtc rtc;
	struct console console;
	pthread_t vcpu_thread;
	/* -1 while running; else the status the reader wants the run to end with. */
	atomic_int stop_status;
	struct run_stats stats;		/* touched by the vCPU thread only */
	struct vmbus vmbus;
	struct control control;
};

void machine_stop(struct machine *m, int status);
int machine_update_irq(struct machine *m);

/* console_input.c */
void console_feed(struct machine *m);
int console_start_input(struct machine *m);
void console_stop_input(struct machine *m);

#endif
