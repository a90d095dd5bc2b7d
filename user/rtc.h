/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The MC146818 real-time clock and CMOS RAM at ports 0x70 (index) and 0x71
 * (data), as Linux reads it at boot to set its wall clock.  The time
 * registers show the host's UTC clock (plus whatever offset the guest set),
 * never in the middle of an update; no alarm or periodic interrupts.
 * Without it, Linux polls a floating update-in-progress bit 40,000 times,
 * each poll two exits, before giving up on the RTC.
 */
#ifndef HVX_RTC_H
#define HVX_RTC_H

#include <stdint.h>
#include <time.h>

#define RTC_INDEX_PORT	0x70
#define RTC_DATA_PORT	0x71

struct rtc {
	uint8_t index;
	uint8_t cmos[128];	/* every register that is not the time */
	int64_t offset;		/* seconds the guest moved the clock by */
	time_t (*now)(void);	/* the host clock; time(NULL) in hvx run */
};

void rtc_init(struct rtc *r, time_t (*now)(void));
uint8_t rtc_read(struct rtc *r, uint16_t port);
void rtc_write(struct rtc *r, uint16_t port, uint8_t value);

#endif
