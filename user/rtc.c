// SPDX-License-Identifier: GPL-2.0
/* The CMOS real-time clock: time from the host, registers A-D, CMOS RAM. */
#include <stdbool.h>
#include <string.h>

#include "rtc.h"

enum {
	REG_SECONDS = 0x00, REG_MINUTES = 0x02, REG_HOURS = 0x04,
	REG_WEEKDAY = 0x06, REG_DAY = 0x07, REG_MONTH = 0x08, REG_YEAR = 0x09,
	REG_A = 0x0a, REG_B = 0x0b, REG_C = 0x0c, REG_D = 0x0d,
	REG_CENTURY = 0x32,
};

#define REG_A_UIP	0x80	/* update in progress: never, here */
#define REG_A_DIVIDER	0x26	/* 32.768 kHz time base, 1024 Hz rate */
#define REG_B_BINARY	0x04	/* binary, not BCD, values */
#define REG_B_24H	0x02
#define REG_D_VRT	0x80	/* valid RAM and time: the battery is fine */
#define HOUR_PM		0x80	/* in 12-hour mode */

/*
 * The guest's clock stays within what the registers can show, 1970 to the
 * end of 9999 (two BCD digits of century): a write that would take it
 * outside is ignored.  Unbounded, a guest could push the year past what
 * struct tm holds, and gmtime_r() would fail or the year's arithmetic
 * overflow.
 */
#define RTC_MAX_TIME	253402300799LL	/* 9999-12-31 23:59:59 UTC */

static uint8_t to_bcd(unsigned int v)
{
	return (uint8_t)(((v / 10) << 4) | (v % 10));
}

static unsigned int from_bcd(uint8_t v)
{
	return (v >> 4) * 10 + (v & 0xf);
}

static uint8_t encode(const struct rtc *r, unsigned int v)
{
	return r->cmos[REG_B] & REG_B_BINARY ? (uint8_t)v : to_bcd(v);
}

static unsigned int decode(const struct rtc *r, uint8_t v)
{
	return r->cmos[REG_B] & REG_B_BINARY ? v : from_bcd(v);
}

static uint8_t encode_hour(const struct rtc *r, unsigned int hour)
{
	unsigned int h12;

	if (r->cmos[REG_B] & REG_B_24H)
		return encode(r, hour);
	h12 = hour % 12 ? hour % 12 : 12;
	return encode(r, h12) | (hour >= 12 ? HOUR_PM : 0);
}

static unsigned int decode_hour(const struct rtc *r, uint8_t v)
{
	unsigned int h;

	if (r->cmos[REG_B] & REG_B_24H)
		return decode(r, v);
	h = decode(r, v & ~HOUR_PM) % 12;
	return v & HOUR_PM ? h + 12 : h;
}

/* The guest's clock when the host's says @now. */
static void guest_time(const struct rtc *r, time_t now, struct tm *tm)
{
	int64_t t = (int64_t)now + r->offset;
	time_t clamped = t < 0 ? 0 : t > RTC_MAX_TIME ? RTC_MAX_TIME : t;

	/* Cannot fail within that range; if it did, the epoch, never garbage. */
	if (!gmtime_r(&clamped, tm)) {
		memset(tm, 0, sizeof(*tm));
		tm->tm_mday = 1;
		tm->tm_year = 70;
		tm->tm_wday = 4;
	}
}

void rtc_init(struct rtc *r, time_t (*now)(void))
{
	memset(r, 0, sizeof(*r));
	r->now = now;
	r->cmos[REG_A] = REG_A_DIVIDER;
	r->cmos[REG_B] = REG_B_24H;
	r->cmos[REG_D] = REG_D_VRT;
}

static uint8_t time_register(const struct rtc *r, uint8_t index)
{
	struct tm tm;

	guest_time(r, r->now(), &tm);
	switch (index) {
	case REG_SECONDS:
		return encode(r, tm.tm_sec);
	case REG_MINUTES:
		return encode(r, tm.tm_min);
	case REG_HOURS:
		return encode_hour(r, tm.tm_hour);
	case REG_WEEKDAY:
		return encode(r, tm.tm_wday + 1);
	case REG_DAY:
		return encode(r, tm.tm_mday);
	case REG_MONTH:
		return encode(r, tm.tm_mon + 1);
	case REG_YEAR:
		return encode(r, tm.tm_year % 100);
	default:	/* REG_CENTURY */
		return encode(r, (tm.tm_year + 1900) / 100);
	}
}

static bool is_time_register(uint8_t index)
{
	return index == REG_SECONDS || index == REG_MINUTES || index == REG_HOURS ||
	       index == REG_WEEKDAY || index == REG_DAY || index == REG_MONTH ||
	       index == REG_YEAR || index == REG_CENTURY;
}

/* A write to a time register sets the guest's clock to what it shows then. */
static void set_time_register(struct rtc *r, uint8_t index, uint8_t value)
{
	time_t now = r->now(), after;
	struct tm tm;

	guest_time(r, now, &tm);
	switch (index) {
	case REG_SECONDS:
		tm.tm_sec = decode(r, value);
		break;
	case REG_MINUTES:
		tm.tm_min = decode(r, value);
		break;
	case REG_HOURS:
		tm.tm_hour = decode_hour(r, value);
		break;
	case REG_DAY:
		tm.tm_mday = decode(r, value);
		break;
	case REG_MONTH:
		tm.tm_mon = (int)decode(r, value) - 1;
		break;
	case REG_YEAR:
		tm.tm_year = (tm.tm_year + 1900) / 100 * 100 + decode(r, value) - 1900;
		break;
	case REG_CENTURY:
		tm.tm_year = decode(r, value) * 100 + tm.tm_year % 100 - 1900;
		break;
	default:	/* REG_WEEKDAY follows from the date */
		return;
	}
	after = timegm(&tm);
	/* From what it showed: an offset beyond the range comes back into it. */
	if (after >= 0 && after <= RTC_MAX_TIME)
		r->offset = (int64_t)after - now;
}

uint8_t rtc_read(struct rtc *r, uint16_t port)
{
	if (port == RTC_INDEX_PORT)
		return 0xff;	/* the index register is write-only */
	if (is_time_register(r->index))
		return time_register(r, r->index);
	if (r->index == REG_C) {
		uint8_t flags = r->cmos[REG_C];

		r->cmos[REG_C] = 0;	/* reading acknowledges */
		return flags;
	}
	return r->cmos[r->index];
}

void rtc_write(struct rtc *r, uint16_t port, uint8_t value)
{
	if (port == RTC_INDEX_PORT) {
		r->index = value & 0x7f;	/* bit 7 masks NMIs on a PC */
		return;
	}
	switch (r->index) {
	case REG_A:
		r->cmos[REG_A] = value & ~REG_A_UIP;
		break;
	case REG_C:
	case REG_D:
		break;	/* read-only */
	default:
		if (is_time_register(r->index))
			set_time_register(r, r->index, value);
		else
			r->cmos[r->index] = value;
	}
}
