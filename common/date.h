/*
 * date.h - civil dates as day numbers, and the clock.
 *
 * A date is an int: days since 1970-01-01 in the proleptic Gregorian
 * calendar. That makes "5 working days later" and "days left in the month"
 * plain integer arithmetic, with no struct tm and no time zone in sight.
 *
 * The clock is read in one place, gw_now(), so tests can pin it with
 * DEBITGW_FAKE_NOW (seconds since the epoch, or YYYY-MM-DDTHH:MM:SS in the
 * configured zone), or start it at a given time and let it tick with
 * DEBITGW_FAKE_START. Production never sets them; `debitgw serve` logs a
 * fake clock at start, so one cannot pass unnoticed.
 */
#ifndef GW_DATE_H
#define GW_DATE_H

#include <stddef.h>
#include <time.h>

#include "common/err.h"

#define DATE_BUFSZ 11	/* "YYYY-MM-DD" + NUL */
#define TS_BUFSZ 32	/* "YYYY-MM-DDTHH:MM:SS+08:00" + NUL */

/* 1 if y-m-d is a real date between 1900 and 2199, else 0. */
int	date_is_valid(int y, int m, int d);

/* Day number of a valid y-m-d. */
int	date_from_ymd(int y, int m, int d);

/* Split a day number into y-m-d. Any pointer may be NULL. */
void	date_to_ymd(int days, int *y, int *m, int *d);

/*
 * Parse exactly "YYYY-MM-DD" (len bytes) into a day number.
 * Returns 0 or GW_EINPUT ("not a date YYYY-MM-DD", "no such day").
 */
int	date_parse(int *out, const char *s, size_t len, struct gw_err *e);

/* Parse compact "YYYYMMDD" (len 8). */
int	date_parse_compact(int *out, const char *s, size_t len,
	    struct gw_err *e);

/* "YYYY-MM-DD" into buf; returns buf. */
char	*date_format(char buf[DATE_BUFSZ], int days);

/* ISO weekday: 1 Monday .. 7 Sunday. */
int	date_weekday(int days);

/* Days in month m of year y. */
int	date_days_in_month(int y, int m);

/* Day number of the last day of the month that contains days. */
int	date_month_end(int days);

/* 1 if day is in days[0..n), sorted ascending (binary search). */
int	date_in_sorted(const int *days, size_t n, int day);

/* Seconds since the epoch now (honours DEBITGW_FAKE_NOW). */
time_t	gw_now(void);

/* 1 if the clock is faked by DEBITGW_FAKE_NOW or DEBITGW_FAKE_START. */
int	gw_clock_is_fake(void);

/* Today's day number in the process time zone (TZ). */
int	date_today(void);

/* Day number of t in the process time zone. */
int	date_of_time(time_t t);

/* t as local ISO 8601 with offset, "2026-11-22T06:14:34+08:00". */
char	*ts_format(char buf[TS_BUFSZ], time_t t);

/* t as UTC ISO 8601, "2026-11-22T22:14:34Z". */
char	*ts_format_utc(char buf[TS_BUFSZ], time_t t);

/*
 * gw_now() as ts_format_utc, in a buffer of this module's that changes at
 * the next call in a later second: bind it SQLITE_STATIC only for a step
 * made before the next call. Formatting costs as much as a small insert,
 * and a run stamps a million rows, so it is done once a second. For the
 * main thread only (gw_now itself may be read from any).
 */
const char *ts_now_utc(void);

/* Select the process time zone, e.g. "Asia/Shanghai". */
int	date_set_timezone(const char *tz, struct gw_err *e);

#endif
