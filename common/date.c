/*
 * date.c - day-number arithmetic (Howard Hinnant's civil algorithms) and
 * the single clock of the program.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/date.h"
#include "common/strnum.h"

int
date_days_in_month(int y, int m)
{
	static const int dim[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	if (m < 1 || m > 12)
		return 0;
	return dim[m - 1] + (m == 2 && leap);
}

int
date_is_valid(int y, int m, int d)
{
	return y >= 1900 && y <= 2199 && m >= 1 && m <= 12 && d >= 1 &&
	    d <= date_days_in_month(y, m);
}

int
date_from_ymd(int y, int m, int d)
{
	int era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void
date_to_ymd(int days, int *py, int *pm, int *pd)
{
	int z = days + 719468;
	int era = (z >= 0 ? z : z - 146096) / 146097;
	int doe = z - era * 146097;
	int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int y = yoe + era * 400;
	int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int mp = (5 * doy + 2) / 153;
	int d = doy - (153 * mp + 2) / 5 + 1;
	int m = mp < 10 ? mp + 3 : mp - 9;

	if (py)
		*py = y + (m <= 2);
	if (pm)
		*pm = m;
	if (pd)
		*pd = d;
}

static int
digits(const char *s, size_t n, int *out)
{
	int v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* YYYY<sep>MM<sep>DD, sep "-" or "" (compact). */
static int
ymd_parse(int *out, const char *s, size_t len, const char *sep,
    struct gw_err *e)
{
	size_t w = strlen(sep), want = 8 + 2 * w;
	int y, m, d;

	if (len != want || digits(s, 4, &y) ||
	    strncmp(s + 4, sep, w) != 0 || digits(s + 4 + w, 2, &m) ||
	    strncmp(s + 6 + w, sep, w) != 0 || digits(s + 6 + 2 * w, 2, &d))
		return gw_err_set(e, GW_EINPUT, "'%.*s' is not a date YYYY%sMM%sDD",
		    (int)(len > 40 ? 40 : len), s, sep, sep);
	if (!date_is_valid(y, m, d))
		return gw_err_set(e, GW_EINPUT, "no such day %.*s", (int)want, s);
	*out = date_from_ymd(y, m, d);
	return 0;
}

int
date_parse(int *out, const char *s, size_t len, struct gw_err *e)
{
	return ymd_parse(out, s, len, "-", e);
}

int
date_parse_compact(int *out, const char *s, size_t len, struct gw_err *e)
{
	return ymd_parse(out, s, len, "", e);
}

char *
date_format(char buf[DATE_BUFSZ], int days)
{
	int y, m, d;

	date_to_ymd(days, &y, &m, &d);
	/* Bounded so the compiler can see the text fits. */
	snprintf(buf, DATE_BUFSZ, "%04u-%02u-%02u", (unsigned)y % 10000u,
	    (unsigned)m % 100u, (unsigned)d % 100u);
	return buf;
}

int
date_weekday(int days)
{
	/* 1970-01-01 was a Thursday (4). */
	int w = (days % 7 + 7) % 7;

	return (w + 3) % 7 + 1;
}

int
date_month_end(int days)
{
	int y, m;

	date_to_ymd(days, &y, &m, NULL);
	return date_from_ymd(y, m, date_days_in_month(y, m));
}

/* Bumped when the time zone changes: a local fake time means another
 * instant then, so it is parsed again. */
static int tz_generation;

int
date_set_timezone(const char *tz, struct gw_err *e)
{
	char path[512];

	if (tz == NULL || *tz == '\0')
		return 0;
	if (strstr(tz, "..") != NULL || tz[0] == '/')
		return gw_err_set(e, GW_ECONFIG, "timezone '%s' is not a zone name",
		    tz);
	snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", tz);
	/* A zone glibc cannot find silently becomes UTC: refuse instead. */
	if (access(path, R_OK) != 0 && strcmp(tz, "UTC") != 0)
		return gw_err_set(e, GW_ECONFIG,
		    "timezone '%s' not found in /usr/share/zoneinfo (install tzdata)",
		    tz);
	if (setenv("TZ", tz, 1) != 0)
		return gw_err_set(e, GW_ENOMEM, "setenv TZ failed");
	tzset();
	tz_generation++;
	return 0;
}

/* Parse epoch seconds or YYYY-MM-DDTHH:MM:SS (local time) from s. */
static int
parse_clock(const char *s, time_t *out)
{
	struct tm tm;
	int64_t v;
	int y, mo, d, h, mi, se;

	if (strnum_i64(&v, s, 0, INT64_C(253402300799), "clock", NULL) == 0) {
		*out = (time_t)v;
		return 1;
	}
	if (strlen(s) != 19 || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
	    s[13] != ':' || s[16] != ':' || digits(s, 4, &y) ||
	    digits(s + 5, 2, &mo) || digits(s + 8, 2, &d) ||
	    digits(s + 11, 2, &h) || digits(s + 14, 2, &mi) ||
	    digits(s + 17, 2, &se))
		return 0;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	tm.tm_isdst = -1;
	*out = mktime(&tm);
	return 1;
}

/*
 * DEBITGW_FAKE_NOW pins the clock; DEBITGW_FAKE_START starts it at a given
 * time and lets it run at the real pace from the first reading (a daemon
 * under test must see time pass to reach its run time).
 */

/* A run stages its files on several threads, and each reads the clock:
 * the running fake clock's state is shared, so it is read and started
 * under a lock. */
static pthread_mutex_t fake_mu = PTHREAD_MUTEX_INITIALIZER;

static int
fake_now(time_t *out)
{
	static time_t start_fake, start_real;
	static int started, parsed_gen = -1;
	const char *s;
	int ok = 1;

	if ((s = getenv("DEBITGW_FAKE_NOW")) != NULL && *s != '\0')
		return parse_clock(s, out);
	if ((s = getenv("DEBITGW_FAKE_START")) == NULL || *s == '\0')
		return 0;
	pthread_mutex_lock(&fake_mu);
	if (parsed_gen != tz_generation) {
		if ((ok = parse_clock(s, &start_fake)) != 0)
			parsed_gen = tz_generation;
	}
	/* The clock starts ticking at its first reading. */
	if (ok && !started) {
		start_real = time(NULL);
		started = 1;
	}
	if (ok)
		*out = start_fake + (time(NULL) - start_real);
	pthread_mutex_unlock(&fake_mu);
	return ok;
}

time_t
gw_now(void)
{
	time_t t;

	if (fake_now(&t))
		return t;
	return time(NULL);
}

int
gw_clock_is_fake(void)
{
	time_t t;

	return fake_now(&t);
}

int
date_of_time(time_t t)
{
	struct tm tm;

	localtime_r(&t, &tm);
	return date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

int
date_today(void)
{
	return date_of_time(gw_now());
}

char *
ts_format(char buf[TS_BUFSZ], time_t t)
{
	struct tm tm;
	long off;

	localtime_r(&t, &tm);
	off = tm.tm_gmtoff < 0 ? -tm.tm_gmtoff : tm.tm_gmtoff;
	snprintf(buf, TS_BUFSZ, "%04u-%02u-%02uT%02u:%02u:%02u%c%02u:%02u",
	    (unsigned)(tm.tm_year + 1900) % 10000u, (unsigned)tm.tm_mon % 12u + 1,
	    (unsigned)tm.tm_mday % 100u, (unsigned)tm.tm_hour % 100u,
	    (unsigned)tm.tm_min % 100u, (unsigned)tm.tm_sec % 100u,
	    tm.tm_gmtoff < 0 ? '-' : '+', (unsigned)(off / 3600) % 100u,
	    (unsigned)(off / 60) % 60u);
	return buf;
}

char *
ts_format_utc(char buf[TS_BUFSZ], time_t t)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, TS_BUFSZ, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

const char *
ts_now_utc(void)
{
	static char now[TS_BUFSZ];
	static time_t now_t;
	time_t t = gw_now();

	if (t != now_t || now[0] == '\0') {
		ts_format_utc(now, t);
		now_t = t;
	}
	return now;
}

int
date_in_sorted(const int *days, size_t n, int day)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (days[mid] == day)
			return 1;
		if (days[mid] < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}
