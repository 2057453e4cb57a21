/*
 * calendar.c - computing the runs of a year from the [calendar] section.
 *
 * Runs are computed, never stored: the config is the single source, so a
 * changed holiday list takes effect on the next reload without a migration.
 */
#include <stdlib.h>
#include <string.h>

#include "common/date.h"
#include "gateway/calendar.h"

#define MAX_RUNS_YEAR (12 * CFG_MAX_DAYS + CFG_MAX_DATES)

int
calendar_is_working_day(const struct config *c, int day)
{
	if (c->nworkdays > 0 && date_in_sorted(c->workdays, c->nworkdays, day))
		return 1;
	if (date_weekday(day) >= 6)
		return 0;
	return !config_is_holiday(c, day);
}

int
calendar_add_working_days(const struct config *c, int day, int n)
{
	while (n > 0) {
		day++;
		if (calendar_is_working_day(c, day))
			n--;
	}
	return day;
}

/* Is month-day md inside the window (which may wrap the year end)? */
static int
in_window(const struct config *c, int day)
{
	int m, d, md;

	if (c->window_from == 0)
		return 1;
	date_to_ymd(day, NULL, &m, &d);
	md = m * 100 + d;
	if (c->window_from <= c->window_to)
		return md >= c->window_from && md <= c->window_to;
	return md >= c->window_from || md <= c->window_to;
}

static int
cmp_run(const void *a, const void *b)
{
	const struct calendar_run *x = a, *y = b;

	return (x->day > y->day) - (x->day < y->day);
}

static void
place(const struct config *c, struct calendar_run *r, int day,
    enum run_kind kind)
{
	memset(r, 0, sizeof(*r));
	r->scheduled = day;
	r->kind = kind;
	r->day = day;
	if (config_is_holiday(c, day)) {
		if (c->on_holiday == ON_HOLIDAY_NEXT_WORKING_DAY) {
			r->day = calendar_add_working_days(c, day, 1);
			r->moved = 1;
		} else
			r->holiday = 1;
	}
	r->funds_by = r->day - c->notice_days;
}

int
calendar_runs(const struct config *c, int year, struct calendar_run *out,
    int cap)
{
	struct calendar_run tmp[MAX_RUNS_YEAR];
	int n = 0, m, i, k;

	for (m = 1; m <= 12; m++)
		for (i = 0; i < c->ndebit_days; i++) {
			int dim = date_days_in_month(year, m);
			int d = c->debit_days[i] > dim ? dim : c->debit_days[i];

			place(c, &tmp[n++], date_from_ymd(year, m, d),
			    RUN_MONTHLY);
		}
	for (i = 0; i < c->nextra_runs; i++) {
		int y;

		date_to_ymd(c->extra_runs[i], &y, NULL, NULL);
		if (y == year)
			place(c, &tmp[n++], c->extra_runs[i], RUN_EXTRA);
	}
	qsort(tmp, (size_t)n, sizeof(tmp[0]), cmp_run);
	/* Keep runs inside the window; two configured days that land on the
	 * same day (a holiday move) make one run. */
	for (i = 0, k = 0; i < n; i++) {
		if (!in_window(c, tmp[i].scheduled))
			continue;
		if (k > 0 && tmp[k - 1].day == tmp[i].day)
			continue;
		tmp[k++] = tmp[i];
	}
	if (k > cap)
		return GW_ELIMIT;
	/* The last run of each month is its final debit. */
	for (i = 0; i < k; i++) {
		tmp[i].final = i + 1 == k ||
		    date_month_end(tmp[i + 1].day) != date_month_end(tmp[i].day);
		out[i] = tmp[i];
	}
	return k;
}

int
calendar_run_on(const struct config *c, int day, struct calendar_run *out)
{
	struct calendar_run runs[MAX_RUNS_YEAR];
	int y, n, i;

	date_to_ymd(day, &y, NULL, NULL);
	/* A December run moved past New Year belongs to the old year. */
	for (int yy = y - 1; yy <= y; yy++) {
		n = calendar_runs(c, yy, runs, MAX_RUNS_YEAR);
		for (i = 0; i < n; i++)
			if (runs[i].day == day) {
				*out = runs[i];
				return 1;
			}
	}
	return 0;
}

int
calendar_next_run(const struct config *c, time_t t, struct calendar_run *run,
    time_t *start)
{
	struct calendar_run runs[MAX_RUNS_YEAR];
	int y, n, i, yy;

	date_to_ymd(date_of_time(t), &y, NULL, NULL);
	for (yy = y - 1; yy <= y + 2; yy++) {
		n = calendar_runs(c, yy, runs, MAX_RUNS_YEAR);
		for (i = 0; i < n; i++) {
			struct tm tm;
			int ry, rm, rd;
			time_t s;

			date_to_ymd(runs[i].day, &ry, &rm, &rd);
			memset(&tm, 0, sizeof(tm));
			tm.tm_year = ry - 1900;
			tm.tm_mon = rm - 1;
			tm.tm_mday = rd;
			tm.tm_hour = c->run_minute / 60;
			tm.tm_min = c->run_minute % 60;
			tm.tm_isdst = -1;
			s = mktime(&tm);
			if (s > t) {
				*run = runs[i];
				*start = s;
				return 1;
			}
		}
	}
	return 0;
}
