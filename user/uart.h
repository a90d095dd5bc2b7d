/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A 16550A UART as the guest sees it at 0x3f8: registers, divisor latch,
 * 16-byte receive FIFO, line and modem status.  Transmitted bytes go to a
 * callback at once (the transmitter is always empty).  uart_irq_pending()
 * is the UART's interrupt output; the VMM drives ISA IRQ 4 with it.
 */
#ifndef HVX_UART_H
#define HVX_UART_H

#include <stdbool.h>
#include <stdint.h>

#define UART_COM1_BASE	0x3f8
#define UART_NR_PORTS	8
#define UART_FIFO_SIZE	16
#define UART_COM1_IRQ	4	/* ISA IRQ, edge-triggered: the I/O APIC sees 0->1 */

struct uart {
	uint8_t ier, iir_fifo, lcr, mcr, scr;
	uint16_t divisor;
	uint8_t rx[UART_FIFO_SIZE];
	unsigned int rx_head, rx_count;
	bool thr_interrupt;	/* THR empty interrupt not yet acknowledged */
	void (*output)(void *ctx, uint8_t byte);
	void *ctx;
};

void uart_init(struct uart *u, void (*output)(void *ctx, uint8_t byte), void *ctx);
/* Guest access at @offset (0..7) from the base port. */
uint8_t uart_read(struct uart *u, unsigned int offset);
void uart_write(struct uart *u, unsigned int offset, uint8_t value);
/* Host input; false when the FIFO is full (try again later). */
bool uart_receive(struct uart *u, uint8_t byte);
bool uart_irq_pending(const struct uart *u);

#endif
