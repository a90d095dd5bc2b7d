// SPDX-License-Identifier: GPL-2.0
/* The 16550A model; register semantics from the National/TI datasheet. */
#include <string.h>

#include "uart.h"

enum { RBR_THR, IER, IIR_FCR, LCR, MCR, LSR, MSR, SCR };

#define LCR_DLAB	0x80
#define MCR_LOOP	0x10
#define LSR_DR		0x01
#define LSR_THRE	0x20
#define LSR_TEMT	0x40
#define IER_RDA		0x01
#define IER_THRE	0x02
#define IIR_NONE	0x01
#define IIR_THRE	0x02
#define IIR_RDA		0x04
#define FCR_ENABLE	0x01
#define FCR_CLEAR_RX	0x02
#define IIR_FIFO_ON	0xc0

void uart_init(struct uart *u, void (*output)(void *ctx, uint8_t byte), void *ctx)
{
	memset(u, 0, sizeof(*u));
	u->divisor = 12;	/* 9600 baud, as after reset */
	u->output = output;
	u->ctx = ctx;
}

static uint8_t uart_iir(const struct uart *u)
{
	if ((u->ier & IER_RDA) && u->rx_count)
		return IIR_RDA | u->iir_fifo;
	if ((u->ier & IER_THRE) && u->thr_interrupt)
		return IIR_THRE | u->iir_fifo;
	return IIR_NONE | u->iir_fifo;
}

bool uart_irq_pending(const struct uart *u)
{
	return !(uart_iir(u) & IIR_NONE) && (u->mcr & 0x08);	/* OUT2 gates the IRQ */
}

bool uart_receive(struct uart *u, uint8_t byte)
{
	if (u->rx_count == UART_FIFO_SIZE)
		return false;
	u->rx[(u->rx_head + u->rx_count) % UART_FIFO_SIZE] = byte;
	u->rx_count++;
	return true;
}

uint8_t uart_read(struct uart *u, unsigned int offset)
{
	uint8_t v;

	switch (offset) {
	case RBR_THR:
		if (u->lcr & LCR_DLAB)
			return u->divisor & 0xff;
		if (!u->rx_count)
			return 0;
		v = u->rx[u->rx_head];
		u->rx_head = (u->rx_head + 1) % UART_FIFO_SIZE;
		u->rx_count--;
		return v;
	case IER:
		if (u->lcr & LCR_DLAB)
			return u->divisor >> 8;
		return u->ier;
	case IIR_FCR:
		v = uart_iir(u);
		/* Reading IIR acknowledges a THR-empty interrupt. */
		if ((v & 0x0f) == IIR_THRE)
			u->thr_interrupt = false;
		return v;
	case LCR:
		return u->lcr;
	case MCR:
		return u->mcr;
	case LSR:
		return LSR_THRE | LSR_TEMT | (u->rx_count ? LSR_DR : 0);
	case MSR:
		/* In loopback the modem inputs follow MCR; else CTS, DSR, DCD up. */
		if (u->mcr & MCR_LOOP)
			return ((u->mcr & 0x02) << 3) | ((u->mcr & 0x01) << 5) |
			       ((u->mcr & 0x04) << 4) | ((u->mcr & 0x08) << 4);
		return 0xb0;
	case SCR:
		return u->scr;
	default:
		return 0xff;
	}
}

void uart_write(struct uart *u, unsigned int offset, uint8_t value)
{
	switch (offset) {
	case RBR_THR:
		if (u->lcr & LCR_DLAB) {
			u->divisor = (u->divisor & 0xff00) | value;
			return;
		}
		if (u->mcr & MCR_LOOP)
			uart_receive(u, value);
		else if (u->output)
			u->output(u->ctx, value);
		u->thr_interrupt = true;
		return;
	case IER:
		if (u->lcr & LCR_DLAB) {
			u->divisor = (u->divisor & 0x00ff) | (value << 8);
			return;
		}
		/* Enabling THRE interrupts raises one at once: THR is empty. */
		if ((value & IER_THRE) && !(u->ier & IER_THRE))
			u->thr_interrupt = true;
		u->ier = value & 0x0f;
		return;
	case IIR_FCR:
		u->iir_fifo = (value & FCR_ENABLE) ? IIR_FIFO_ON : 0;
		if (value & FCR_CLEAR_RX)
			u->rx_count = 0;
		return;
	case LCR:
		u->lcr = value;
		return;
	case MCR:
		u->mcr = value & 0x1f;
		return;
	case SCR:
		u->scr = value;
		return;
	default:
		return;	/* LSR and MSR are read-only */
	}
}
