// SPDX-License-Identifier: GPL-2.0
/* The tool's device models and option parsing. */
#include <string.h>

#include "kselftest_harness.h"
#include "options.h"
#include "pci.h"
#include "uart.h"

struct sink {
	char buf[64];
	unsigned int n;
};

static void sink_output(void *ctx, uint8_t byte)
{
	struct sink *s = ctx;

	if (s->n < sizeof(s->buf) - 1)
		s->buf[s->n++] = byte;
}

TEST(uart_transmit_and_status)
{
	struct sink sink = { 0 };
	struct uart u;

	uart_init(&u, sink_output, &sink);
	uart_write(&u, 0, 'h');
	uart_write(&u, 0, 'i');
	EXPECT_STREQ("hi", sink.buf);
	/* Transmitter always empty, no data ready. */
	EXPECT_EQ(0x60, uart_read(&u, 5));
	EXPECT_EQ(0xff, uart_read(&u, 8));
	/* Scratch register round trip (the 8250 driver's probe). */
	uart_write(&u, 7, 0xa5);
	EXPECT_EQ(0xa5, uart_read(&u, 7));
}

TEST(uart_divisor_latch)
{
	struct sink sink = { 0 };
	struct uart u;

	uart_init(&u, sink_output, &sink);
	uart_write(&u, 3, 0x80);	/* DLAB */
	uart_write(&u, 0, 0x01);
	uart_write(&u, 1, 0x00);
	EXPECT_EQ(1, uart_read(&u, 0));
	EXPECT_EQ(0, uart_read(&u, 1));
	uart_write(&u, 3, 0x03);	/* 8N1, DLAB off */
	EXPECT_EQ(0, sink.n);		/* divisor writes are not output */
	EXPECT_EQ(1, u.divisor);
}

TEST(uart_receive_fifo_and_interrupts)
{
	struct uart u;
	int i;

	uart_init(&u, NULL, NULL);
	for (i = 0; i < UART_FIFO_SIZE; i++)
		ASSERT_TRUE(uart_receive(&u, 'a' + i));
	EXPECT_FALSE(uart_receive(&u, 'z'));
	EXPECT_EQ(0x61, uart_read(&u, 5));	/* data ready */
	EXPECT_FALSE(uart_irq_pending(&u));	/* IER and OUT2 off */
	uart_write(&u, 1, 0x01);		/* receive interrupt */
	uart_write(&u, 4, 0x08);		/* OUT2 */
	EXPECT_TRUE(uart_irq_pending(&u));
	EXPECT_EQ(0x04, uart_read(&u, 2) & 0x0f);
	for (i = 0; i < UART_FIFO_SIZE; i++)
		EXPECT_EQ('a' + i, uart_read(&u, 0));
	EXPECT_EQ(0x01, uart_read(&u, 2) & 0x0f);
	EXPECT_FALSE(uart_irq_pending(&u));
	/* Loopback: what is sent comes back. */
	uart_write(&u, 4, 0x18);
	uart_write(&u, 0, 'Q');
	EXPECT_EQ('Q', uart_read(&u, 0));
}

TEST(pci_host_bridge_only)
{
	struct pci_bus bus;

	pci_init(&bus);
	pci_io_write(&bus, PCI_CONFIG_ADDRESS, 4, 0x80000000);
	EXPECT_EQ(0x0d578086u, pci_io_read(&bus, PCI_CONFIG_DATA, 4));
	EXPECT_EQ(0x8086u, pci_io_read(&bus, PCI_CONFIG_DATA, 2));
	EXPECT_EQ(0x0du, pci_io_read(&bus, PCI_CONFIG_DATA + 3, 1));
	pci_io_write(&bus, PCI_CONFIG_ADDRESS, 4, 0x80000008);
	EXPECT_EQ(0x06u, pci_io_read(&bus, PCI_CONFIG_DATA + 3, 1));
	/* Device 1 and a disabled address read as absent. */
	pci_io_write(&bus, PCI_CONFIG_ADDRESS, 4, 0x80000800);
	EXPECT_EQ(0xffffffffu, pci_io_read(&bus, PCI_CONFIG_DATA, 4));
	EXPECT_EQ(0xffffu, pci_io_read(&bus, PCI_CONFIG_DATA, 2));
	pci_io_write(&bus, PCI_CONFIG_ADDRESS, 4, 0x00000000);
	EXPECT_EQ(0xffffffffu, pci_io_read(&bus, PCI_CONFIG_DATA, 4));
	EXPECT_EQ(0x00000000u, pci_io_read(&bus, PCI_CONFIG_ADDRESS, 4));
	/* A 4-byte read at the last data port stays inside the config space. */
	pci_io_write(&bus, PCI_CONFIG_ADDRESS, 4, 0x800000fc);
	EXPECT_EQ(0xffffffffu, pci_io_read(&bus, PCI_CONFIG_DATA + 3, 4));
}

TEST(sizes)
{
	uint64_t v;

	EXPECT_EQ(0, options_parse_size("256M", &v));
	EXPECT_EQ(256ULL << 20, v);
	EXPECT_EQ(0, options_parse_size("2g", &v));
	EXPECT_EQ(2ULL << 30, v);
	EXPECT_EQ(0, options_parse_size("4096", &v));
	EXPECT_EQ(4096, v);
	EXPECT_EQ(-1, options_parse_size("", &v));
	EXPECT_EQ(-1, options_parse_size("M", &v));
	EXPECT_EQ(-1, options_parse_size("12MB", &v));
	EXPECT_EQ(-1, options_parse_size("-1", &v));
	EXPECT_EQ(-1, options_parse_size("99999999999999999999", &v));
	EXPECT_EQ(-1, options_parse_size("17179869184G", &v));
}

TEST_HARNESS_MAIN
