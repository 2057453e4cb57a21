/*
 * calendar.h - when batch debits run: the collection calendar.
 *
 * A year's runs are the configured debit days of every month (a day past
 * the month's end runs on its last day) plus the extra run dates, kept
 * inside the collection window. A run that falls on a holiday either runs
 * anyway or moves to the next working day (on_holiday). A working day is
 * Monday to Friday and not a holiday, or a weekend day listed in the
 * `workdays` file (China's make-up working days, 调休).
 *
 * The last run of a month is its final debit: after it, what failed is
 * followed up by finance staff, not debited again.
 */
#ifndef GW_CALENDAR_H
#define GW_CALENDAR_H

#include <time.h>

#include "common/err.h"
#include "gateway/config.h"

enum run_kind { RUN_MONTHLY, RUN_EXTRA };

struct calendar_run {
	int		 day;		/* day number of the run */
	int		 scheduled;	/* the configured day it came from */
	enum run_kind	 kind;
	int		 moved;		/* moved off a holiday */
	int		 holiday;	/* runs on a holiday (on_holiday = run) */
	int		 final;		/* the month's last run */
	int		 funds_by;	/* day by which funds must be there */
};

/* 1 if day is a working day under c. */
int	calendar_is_working_day(const struct config *c, int day);

/* The n-th working day after day (n >= 1). */
int	calendar_add_working_days(const struct config *c, int day, int n);

/*
 * Every run of year, in date order, into out (cap entries). Returns the
 * number of runs, or a negative GW_ELIMIT when cap is too small.
 */
int	calendar_runs(const struct config *c, int year, struct calendar_run *out,
	    int cap);

/* The run on day, if day is a run day: 1 (out filled), 0 not a run day. */
int	calendar_run_on(const struct config *c, int day, struct calendar_run *out);

/*
 * The first run whose start time (run day at run_time, local) is after t:
 * 1 with *run and *start set, 0 when none within two years.
 */
int	calendar_next_run(const struct config *c, time_t t,
	    struct calendar_run *run, time_t *start);

#endif
