// SPDX-License-Identifier: GPL-2.0
/* The CMOS RTC of hvx run, against a made-up host clock. */
#include <limits.h>
#include <stdint.h>

#include "rtc.h"
#include "kselftest_harness.h"

/* 2026-11-23 13:45:07 UTC, a Monday. */
#define HOST_NOW	1795441507

static time_t fake_now(void)
{
	return HOST_NOW;
}

static uint8_t reg(struct rtc *r, uint8_t index)
{
	rtc_write(r, RTC_INDEX_PORT, index);
	return rtc_read(r, RTC_DATA_PORT);
}

static void set_reg(struct rtc *r, uint8_t index, uint8_t value)
{
	rtc_write(r, RTC_INDEX_PORT, index);
	rtc_write(r, RTC_DATA_PORT, value);
}

TEST(host_time_in_bcd)
{
	struct rtc r;

	rtc_init(&r, fake_now);
	EXPECT_EQ(0, reg(&r, 0x0a) & 0x80);	/* never mid-update */
	EXPECT_EQ(0x02, reg(&r, 0x0b));		/* BCD, 24-hour */
	EXPECT_EQ(0x80, reg(&r, 0x0d));		/* valid time */
	EXPECT_EQ(0x07, reg(&r, 0x00));
	EXPECT_EQ(0x45, reg(&r, 0x02));
	EXPECT_EQ(0x13, reg(&r, 0x04));
	EXPECT_EQ(0x02, reg(&r, 0x06));		/* Sunday is 1 */
	EXPECT_EQ(0x23, reg(&r, 0x07));
	EXPECT_EQ(0x11, reg(&r, 0x08));
	EXPECT_EQ(0x26, reg(&r, 0x09));
	EXPECT_EQ(0x20, reg(&r, 0x32));
	/* Bit 7 of the index masks NMIs; it does not change the register. */
	EXPECT_EQ(0x45, reg(&r, 0x82));
	EXPECT_EQ(0xff, rtc_read(&r, RTC_INDEX_PORT));
}

TEST(binary_and_12_hour_modes)
{
	struct rtc r;

	rtc_init(&r, fake_now);
	set_reg(&r, 0x0b, 0x04);		/* binary, 12-hour */
	EXPECT_EQ(45, reg(&r, 0x02));
	EXPECT_EQ(0x80 | 1, reg(&r, 0x04));	/* 1 PM */
	set_reg(&r, 0x0b, 0x00);		/* BCD, 12-hour */
	EXPECT_EQ(0x80 | 0x01, reg(&r, 0x04));
}

TEST(guest_sets_its_clock)
{
	struct rtc r;

	rtc_init(&r, fake_now);
	set_reg(&r, 0x04, 0x15);		/* 15:45:07 */
	EXPECT_EQ(2 * 3600, r.offset);
	EXPECT_EQ(0x15, reg(&r, 0x04));
	set_reg(&r, 0x09, 0x27);		/* a year on */
	EXPECT_EQ(0x27, reg(&r, 0x09));
	EXPECT_EQ(0x11, reg(&r, 0x08));
	set_reg(&r, 0x00, 0x99);		/* not a second: BCD 99 is 99 */
	EXPECT_EQ(0x39, reg(&r, 0x00));	/* 99 s past the minute wraps */
}

TEST(cmos_ram_and_read_only_registers)
{
	struct rtc r;

	rtc_init(&r, fake_now);
	set_reg(&r, 0x10, 0x5a);
	EXPECT_EQ(0x5a, reg(&r, 0x10));
	set_reg(&r, 0x7f, 0xa5);
	EXPECT_EQ(0xa5, reg(&r, 0x7f));
	set_reg(&r, 0x0d, 0x00);
	EXPECT_EQ(0x80, reg(&r, 0x0d));
	set_reg(&r, 0x0a, 0xa6);		/* UIP is not the guest's to set */
	EXPECT_EQ(0x26, reg(&r, 0x0a));
	set_reg(&r, 0x0c, 0xf0);
	EXPECT_EQ(0x00, reg(&r, 0x0c));
}

/*
 * The guest's clock stays within 1970 to 9999 (finding 18: a guest could
 * push the year past what struct tm holds; then gmtime_r() failed unseen
 * or the year's arithmetic overflowed, which UBSan ends the test for).
 */
TEST(guest_cannot_overflow_the_year)
{
	struct tm far = { .tm_year = INT_MAX - 1000, .tm_mday = 1 };
	struct rtc r;

	rtc_init(&r, fake_now);
	set_reg(&r, 0x0b, 0x06);		/* binary, 24-hour */
	set_reg(&r, 0x32, 99);			/* 9926: fine */
	EXPECT_EQ(99, reg(&r, 0x32));
	set_reg(&r, 0x32, 255);			/* 25526: not shown by any RTC */
	EXPECT_EQ(99, reg(&r, 0x32));
	set_reg(&r, 0x09, 99);			/* 9999 */
	EXPECT_EQ(99, reg(&r, 0x09));
	set_reg(&r, 0x08, 13);			/* month 13 of 9999 is 10000 */
	EXPECT_EQ(99, reg(&r, 0x32));
	EXPECT_EQ(99, reg(&r, 0x09));

	/*
	 * Where 160 million writes of month 165 (13 years each) took the clock
	 * before: a year near INT_MAX.  The registers show the end of 9999.
	 */
	r.offset = timegm(&far) - HOST_NOW;
	EXPECT_EQ(99, reg(&r, 0x32));
	EXPECT_EQ(99, reg(&r, 0x09));
	set_reg(&r, 0x09, 98);
	EXPECT_EQ(98, reg(&r, 0x09));
	EXPECT_EQ(99, reg(&r, 0x32));
	/* And the largest offset the guest's clock could have. */
	r.offset = INT64_MAX - HOST_NOW;
	EXPECT_EQ(99, reg(&r, 0x32));
	set_reg(&r, 0x00, 0);
	EXPECT_EQ(0, reg(&r, 0x00));
}

TEST_HARNESS_MAIN
