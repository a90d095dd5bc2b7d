/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The interactive side of `hvx run --console stdio`: the escape key that
 * talks to hvx instead of the guest, and the host terminal in raw mode so
 * that every key (Ctrl-C included) reaches the guest.
 */
#ifndef HVX_CONSOLE_H
#define HVX_CONSOLE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Ctrl-A, as in QEMU and screen: Ctrl-A x ends the VM, Ctrl-A Ctrl-A sends one. */
#define CONSOLE_ESCAPE		0x01
#define CONSOLE_ESCAPE_QUIT	'x'

struct console_keys {
	bool escape;	/* the last byte was an unanswered Ctrl-A */
};

#define CONSOLE_KEY_QUIT	(-1)
/*
 * Decodes one byte typed on the console: the number of bytes (0 to 2) it
 * puts in @out for the guest, or CONSOLE_KEY_QUIT.  A Ctrl-A followed by
 * anything else than x or Ctrl-A sends both, so no keystroke is lost.
 */
int console_key(struct console_keys *k, uint8_t byte, uint8_t out[2]);

/*
 * The guest's console output on its way to the host.  On a terminal,
 * control bytes but \t \n \r and \b (which line editing needs and which
 * only move the cursor) are shown in caret notation, ESC as "^[", DEL as
 * "^?": a guest cannot send the host's terminal escape sequences (set its
 * title, write its clipboard, remap keys).  Bytes from 0x80 pass: UTF-8
 * text, which a UTF-8 terminal does not take as C1 controls.  A file takes
 * at most @limit bytes (0: no limit), then one line saying the rest was
 * dropped; @dropped counts it.
 */
struct console_sink {
	FILE *out;
	bool terminal;
	uint64_t limit;
	uint64_t written;
	uint64_t dropped;
};

#define CONSOLE_DEFAULT_LIMIT	(64ULL << 20)

void console_sink_put(struct console_sink *s, uint8_t byte);

/*
 * Puts the terminal on stdin in raw mode, keeping output processing so that
 * the guest's "\n" still starts a new line.  The previous mode comes back
 * with console_raw_end() and also when a signal kills hvx.  Returns true
 * when the mode changed, false when stdin is no terminal of ours (not a
 * terminal, or we are not its foreground process group).
 */
bool console_raw_begin(void);
void console_raw_end(void);

#endif
