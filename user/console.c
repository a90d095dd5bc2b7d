// SPDX-License-Identifier: GPL-2.0
/* Escape key decoding, console output and the raw-mode terminal (console.h). */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "console.h"

int console_key(struct console_keys *k, uint8_t byte, uint8_t out[2])
{
	if (!k->escape) {
		if (byte == CONSOLE_ESCAPE) {
			k->escape = true;
			return 0;
		}
		out[0] = byte;
		return 1;
	}
	k->escape = false;
	if (byte == CONSOLE_ESCAPE_QUIT)
		return CONSOLE_KEY_QUIT;
	out[0] = CONSOLE_ESCAPE;
	if (byte == CONSOLE_ESCAPE)
		return 1;
	out[1] = byte;
	return 2;
}

void console_sink_put(struct console_sink *s, uint8_t byte)
{
	bool control = (byte < 0x20 && byte != '\t' && byte != '\n' && byte != '\r' &&
			byte != '\b') || byte == 0x7f;

	if (s->limit && s->written >= s->limit) {
		if (!s->dropped++)
			fprintf(s->out, "\n[hvx: console output past %llu bytes dropped]\n",
				(unsigned long long)s->limit);
		return;
	}
	s->written++;
	if (s->terminal && control) {
		fputc('^', s->out);
		fputc(byte == 0x7f ? '?' : byte + 0x40, s->out);
	} else {
		fputc(byte, s->out);
	}
}

/*
 * The terminal's mode to restore.  A signal handler needs it, which is why
 * it is file state and not a caller's: there is one stdin per process.
 */
static struct termios saved_mode;
static volatile sig_atomic_t raw_active;

/* Signals whose default action ends the process, and would leave it raw. */
static const int fatal_signals[] = {
	SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGPIPE, SIGALRM,
	SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL,
};
#define NR_FATAL_SIGNALS	(sizeof(fatal_signals) / sizeof(fatal_signals[0]))
static struct sigaction saved_actions[NR_FATAL_SIGNALS];

static void restore_and_die(int sig)
{
	int saved_errno = errno;

	if (raw_active)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_mode);
	raw_active = 0;
	/*
	 * SA_RESETHAND put the default action back; the signal is blocked
	 * until the handler returns, then it ends the process as it would have.
	 */
	raise(sig);
	errno = saved_errno;
}

bool console_raw_begin(void)
{
	struct sigaction sa;
	struct termios raw;
	unsigned int i;

	if (raw_active || !isatty(STDIN_FILENO) || tcgetpgrp(STDIN_FILENO) != getpgrp())
		return false;
	if (tcgetattr(STDIN_FILENO, &saved_mode))
		return false;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = restore_and_die;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < NR_FATAL_SIGNALS; i++)
		sigaction(fatal_signals[i], &sa, &saved_actions[i]);

	raw = saved_mode;
	cfmakeraw(&raw);
	raw.c_oflag |= OPOST;
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	raw_active = 1;
	if (tcsetattr(STDIN_FILENO, TCSANOW, &raw)) {
		console_raw_end();
		return false;
	}
	return true;
}

void console_raw_end(void)
{
	unsigned int i;

	if (!raw_active)
		return;
	tcsetattr(STDIN_FILENO, TCSANOW, &saved_mode);
	raw_active = 0;
	for (i = 0; i < NR_FATAL_SIGNALS; i++)
		sigaction(fatal_signals[i], &saved_actions[i], NULL);
}
