// SPDX-License-Identifier: GPL-2.0
/* The tool's device models and option parsing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console.h"
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

/* IRQ 4 follows uart_irq_pending(): the edges the guest's driver relies on. */
TEST(uart_thre_interrupt_line)
{
	struct sink sink = { 0 };
	struct uart u;

	uart_init(&u, sink_output, &sink);
	uart_write(&u, 1, 0x02);		/* THRE interrupt, OUT2 still off */
	EXPECT_FALSE(uart_irq_pending(&u));
	uart_write(&u, 4, 0x08);		/* OUT2 connects the IRQ */
	EXPECT_TRUE(uart_irq_pending(&u));
	/* Reading IIR while it reports THRE acknowledges it. */
	EXPECT_EQ(0x02, uart_read(&u, 2) & 0x0f);
	EXPECT_FALSE(uart_irq_pending(&u));
	EXPECT_EQ(0x01, uart_read(&u, 2) & 0x0f);
	/* Output is instant: a THR write empties THR again, a new edge. */
	uart_write(&u, 0, 'a');
	EXPECT_TRUE(uart_irq_pending(&u));
	EXPECT_EQ(0x02, uart_read(&u, 2) & 0x0f);
	EXPECT_FALSE(uart_irq_pending(&u));
	/* Turning THRE interrupts off and on again raises one (8250 probe). */
	uart_write(&u, 1, 0x00);
	uart_write(&u, 1, 0x02);
	EXPECT_TRUE(uart_irq_pending(&u));
	/* Masking in IER lowers the line without acknowledging. */
	uart_write(&u, 1, 0x00);
	EXPECT_FALSE(uart_irq_pending(&u));
	EXPECT_STREQ("a", sink.buf);
}

TEST(uart_receive_interrupt_line)
{
	struct uart u;

	uart_init(&u, NULL, NULL);
	uart_write(&u, 4, 0x08);		/* OUT2 */
	uart_write(&u, 1, 0x01);		/* received data interrupt */
	EXPECT_FALSE(uart_irq_pending(&u));
	ASSERT_TRUE(uart_receive(&u, 'k'));
	EXPECT_TRUE(uart_irq_pending(&u));
	/* Reading IIR does not acknowledge received data; reading RBR does. */
	EXPECT_EQ(0x04, uart_read(&u, 2) & 0x0f);
	EXPECT_TRUE(uart_irq_pending(&u));
	EXPECT_EQ('k', uart_read(&u, 0));
	EXPECT_FALSE(uart_irq_pending(&u));
	/* Received data takes priority over THRE in IIR. */
	uart_write(&u, 1, 0x03);
	ASSERT_TRUE(uart_receive(&u, 'l'));
	EXPECT_EQ(0x04, uart_read(&u, 2) & 0x0f);
	EXPECT_EQ('l', uart_read(&u, 0));
	EXPECT_TRUE(uart_irq_pending(&u));	/* THRE still pending */
	EXPECT_EQ(0x02, uart_read(&u, 2) & 0x0f);
	EXPECT_FALSE(uart_irq_pending(&u));
	/* Clearing the FIFO through FCR drops the line too. */
	ASSERT_TRUE(uart_receive(&u, 'm'));
	EXPECT_TRUE(uart_irq_pending(&u));
	uart_write(&u, 2, 0x03);
	EXPECT_FALSE(uart_irq_pending(&u));
}

TEST(console_escape_key)
{
	struct console_keys k = { 0 };
	uint8_t out[2];

	EXPECT_EQ(1, console_key(&k, 'a', out));
	EXPECT_EQ('a', out[0]);
	EXPECT_EQ(1, console_key(&k, 0x03, out));	/* Ctrl-C goes to the guest */
	EXPECT_EQ(0x03, out[0]);
	/* Ctrl-A Ctrl-A: one Ctrl-A. */
	EXPECT_EQ(0, console_key(&k, 0x01, out));
	EXPECT_EQ(1, console_key(&k, 0x01, out));
	EXPECT_EQ(0x01, out[0]);
	EXPECT_EQ(1, console_key(&k, 'x', out));	/* a plain x again */
	EXPECT_EQ('x', out[0]);
	/* Ctrl-A and another key: both, nothing typed is lost. */
	EXPECT_EQ(0, console_key(&k, 0x01, out));
	EXPECT_EQ(2, console_key(&k, 'b', out));
	EXPECT_EQ(0x01, out[0]);
	EXPECT_EQ('b', out[1]);
	/* Ctrl-A x: the user ends the VM. */
	EXPECT_EQ(0, console_key(&k, 0x01, out));
	EXPECT_EQ(CONSOLE_KEY_QUIT, console_key(&k, 'x', out));
	EXPECT_EQ(1, console_key(&k, 'y', out));	/* the escape is spent */
}

/* What @bytes become on their way out through a sink like @proto. */
static char *sink_through(const struct console_sink *proto, const char *bytes, size_t len,
			  struct console_sink *done)
{
	char *buf = NULL;
	size_t size = 0;
	size_t i;

	*done = *proto;
	done->out = open_memstream(&buf, &size);
	if (!done->out)
		return NULL;
	for (i = 0; i < len; i++)
		console_sink_put(done, bytes[i]);
	fclose(done->out);
	return buf;
}

/*
 * Finding 18: guest console bytes reached the host's terminal raw (an
 * OSC sequence sets its title, OSC 52 writes its clipboard).
 */
TEST(console_output_escapes_control_bytes_on_a_terminal)
{
	static const char guest[] = "a\x1b]0;pwned\x07\tb\r\n\x7f\xc3\xa9\b\x1b[6n\x00!";
	struct console_sink terminal = { .terminal = true }, file = { 0 }, done;
	char *out;

	out = sink_through(&terminal, guest, sizeof(guest) - 1, &done);
	ASSERT_NE(NULL, out);
	EXPECT_STREQ("a^[]0;pwned^G\tb\r\n^?\xc3\xa9\b^[[6n^@!", out);
	free(out);
	/* A file gets the bytes as they are. */
	out = sink_through(&file, guest, sizeof(guest) - 1, &done);
	ASSERT_NE(NULL, out);
	EXPECT_EQ(0, memcmp(out, guest, sizeof(guest) - 1));
	free(out);
}

/* Finding 18: --console file: grew without bound. */
TEST(console_file_output_is_capped)
{
	struct console_sink file = { .limit = 10 }, done;
	char guest[25], *out;

	memset(guest, 'x', sizeof(guest));
	out = sink_through(&file, guest, sizeof(guest), &done);
	ASSERT_NE(NULL, out);
	EXPECT_STREQ("xxxxxxxxxx\n[hvx: console output past 10 bytes dropped]\n", out);
	EXPECT_EQ(10, done.written);
	EXPECT_EQ(15, done.dropped);
	free(out);
}

TEST(pci_pvpanic_bar_sizes_and_moves)
{
	struct pci_bus bus;
	uint32_t devfn3 = 0x80000000u | (PCI_PVPANIC_SLOT << 11);

	pci_init(&bus);
	pci_io_write(&bus, PCI_CONFIG_ADDRESS, 4, devfn3);
	EXPECT_EQ(0x00111b36u, pci_io_read(&bus, PCI_CONFIG_DATA, 4));
	EXPECT_EQ(PCI_PVPANIC_PORT, pci_pvpanic_port(&bus));
	/* Sizing: all ones reads back the size mask, with the I/O bit. */
	pci_io_write(&bus, PCI_CONFIG_ADDRESS, 4, devfn3 | 0x10);
	pci_io_write(&bus, PCI_CONFIG_DATA, 4, 0xffffffffu);
	EXPECT_EQ(0xfff1u, pci_io_read(&bus, PCI_CONFIG_DATA, 4));
	pci_io_write(&bus, PCI_CONFIG_DATA, 4, 0x1230);
	EXPECT_EQ(0x1231u, pci_io_read(&bus, PCI_CONFIG_DATA, 4));
	EXPECT_EQ(0x1230, pci_pvpanic_port(&bus));
	/* I/O decoding off: the register is gone. */
	pci_io_write(&bus, PCI_CONFIG_ADDRESS, 4, devfn3 | 0x04);
	pci_io_write(&bus, PCI_CONFIG_DATA, 2, 0);
	EXPECT_EQ(0, pci_pvpanic_port(&bus));
	/* The host bridge takes no writes. */
	pci_io_write(&bus, PCI_CONFIG_ADDRESS, 4, 0x80000010u);
	pci_io_write(&bus, PCI_CONFIG_DATA, 4, 0xffffffffu);
	EXPECT_EQ(0u, pci_io_read(&bus, PCI_CONFIG_DATA, 4));
}

/* The channel bus's controller: its MSI capability, as Linux programs it. */
/*
 * The reset control register at 0xcf9 sits in the configuration window
 * (finding 18: the window's range check came first, so its reset never
 * happened).  Linux's reboot=pci writes 0x02, then 0x06.
 */
TEST(pci_reset_control_register)
{
	struct pci_bus bus;

	pci_init(&bus);
	pci_io_write(&bus, PCI_CONFIG_ADDRESS, 4, 0x80000800u);
	pci_io_write(&bus, 0xcf9, 1, 0x02);
	EXPECT_EQ(0x02u, pci_io_read(&bus, 0xcf9, 1));
	EXPECT_FALSE(bus.reset_requested);
	pci_io_write(&bus, 0xcf9, 1, 0x06);
	EXPECT_TRUE(bus.reset_requested);
	/* RST_CPU does not stay set; the address register is untouched. */
	EXPECT_EQ(0x02u, pci_io_read(&bus, 0xcf9, 1));
	EXPECT_EQ(0x80000800u, pci_io_read(&bus, PCI_CONFIG_ADDRESS, 4));

	/* Only a byte at 0xcf9 is that register; a dword at 0xcf8 is the address. */
	pci_init(&bus);
	pci_io_write(&bus, PCI_CONFIG_ADDRESS, 4, 0x00000400u);
	pci_io_write(&bus, 0xcf9, 2, 0x0606);
	EXPECT_FALSE(bus.reset_requested);
	EXPECT_EQ(0x00000400u, pci_io_read(&bus, PCI_CONFIG_ADDRESS, 4));
}

TEST(pci_vmbus_msi_capability)
{
	uint32_t devfn1 = 0x80000000u | (PCI_VMBUS_SLOT << 11);
	uint64_t address;
	uint32_t data;
	struct pci_bus bus;

	pci_init(&bus);
	pci_io_write(&bus, PCI_CONFIG_ADDRESS, 4, devfn1);
	EXPECT_EQ(0x00014856u, pci_io_read(&bus, PCI_CONFIG_DATA, 4));
	/* Status says there is a capability list; it starts at 0x40. */
	pci_io_write(&bus, PCI_CONFIG_ADDRESS, 4, devfn1 | 0x04);
	EXPECT_EQ(0x10u, pci_io_read(&bus, PCI_CONFIG_DATA + 2, 2) & 0x10);
	pci_io_write(&bus, PCI_CONFIG_ADDRESS, 4, devfn1 | 0x34);
	EXPECT_EQ(0x40u, pci_io_read(&bus, PCI_CONFIG_DATA, 1));
	/* MSI, last in the list, 64-bit, one vector, disabled. */
	pci_io_write(&bus, PCI_CONFIG_ADDRESS, 4, devfn1 | 0x40);
	EXPECT_EQ(0x00800005u, pci_io_read(&bus, PCI_CONFIG_DATA, 4));
	EXPECT_FALSE(pci_vmbus_msi(&bus, &address, &data));
	EXPECT_FALSE(bus.msi_changed);

	/* Address (its low two bits are not writable), data, then enable. */
	pci_io_write(&bus, PCI_CONFIG_ADDRESS, 4, devfn1 | 0x44);
	pci_io_write(&bus, PCI_CONFIG_DATA, 4, 0xfee01007u);
	pci_io_write(&bus, PCI_CONFIG_ADDRESS, 4, devfn1 | 0x48);
	pci_io_write(&bus, PCI_CONFIG_DATA, 4, 0);
	pci_io_write(&bus, PCI_CONFIG_ADDRESS, 4, devfn1 | 0x4c);
	pci_io_write(&bus, PCI_CONFIG_DATA, 2, 0x4041);
	EXPECT_TRUE(bus.msi_changed);
	pci_io_write(&bus, PCI_CONFIG_ADDRESS, 4, devfn1 | 0x40);
	/* Multiple-message enable and the read-only bits stay as they are. */
	pci_io_write(&bus, PCI_CONFIG_DATA + 2, 2, 0xfff1);
	EXPECT_EQ(0x0081u, pci_io_read(&bus, PCI_CONFIG_DATA + 2, 2));
	EXPECT_TRUE(pci_vmbus_msi(&bus, &address, &data));
	EXPECT_EQ(0xfee01004ull, address);
	EXPECT_EQ(0x4041u, data);
	/* Disabled again. */
	pci_io_write(&bus, PCI_CONFIG_DATA + 2, 1, 0);
	EXPECT_FALSE(pci_vmbus_msi(&bus, &address, &data));
	/* The ID registers take no writes. */
	pci_io_write(&bus, PCI_CONFIG_ADDRESS, 4, devfn1);
	pci_io_write(&bus, PCI_CONFIG_DATA, 4, 0);
	EXPECT_EQ(0x00014856u, pci_io_read(&bus, PCI_CONFIG_DATA, 4));
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
	/* Device 2 and a disabled address read as absent. */
	pci_io_write(&bus, PCI_CONFIG_ADDRESS, 4, 0x80001000);
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
