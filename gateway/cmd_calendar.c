/*
 * cmd_calendar.c - `debitgw calendar show`: the year's debit runs.
 */
#include <stdio.h>
#include <string.h>

#include "common/date.h"
#include "common/strnum.h"
#include "gateway/calendar.h"
#include "gateway/commands.h"

static const struct out_col run_cols[] = {
	{ "date", OUT_TEXT, 10 }, { "weekday", OUT_TEXT, 7 },
	{ "kind", OUT_TEXT, 7 }, { "final", OUT_TEXT, 5 },
	{ "funds_by", OUT_TEXT, 10 }, { "note", OUT_TEXT, 0 },
};

static int
cmd_show(struct cli *c, int argc, char **argv, struct gw_err *e)
{
	static const char *wd[] = { "", "Mon", "Tue", "Wed", "Thu", "Fri",
	    "Sat", "Sun" };
	struct calendar_run runs[12 * CFG_MAX_DAYS + CFG_MAX_DATES];
	const char *year_s = NULL;
	const struct cli_opt opts[] = {
		{ "year", OPT_STR, &year_s }, { NULL, 0, NULL },
	};
	struct home *h;
	struct out *o;
	int year, n, i;

	if (cli_parse(c, argc, argv, opts, NULL, 0, 0, NULL, e) != 0 ||
	    cli_home(c, &h, e) != 0)
		return e->code;
	if (year_s == NULL)
		date_to_ymd(date_today(), &year, NULL, NULL);
	else if (strnum_int(&year, year_s, 1970, 2199, "--year", e) != 0)
		return e->code;
	n = calendar_runs(h->cfg, year, runs, (int)(sizeof(runs) /
	    sizeof(runs[0])));
	if (n < 0)
		return gw_err_set(e, GW_ECONFIG, "too many runs in %d", year);
	o = out_begin(stdout, c->fmt, run_cols, OUT_NCOLS(run_cols));
	for (i = 0; i < n; i++) {
		char d[DATE_BUFSZ], f[DATE_BUFSZ], note[64] = "";

		if (runs[i].moved)
			snprintf(note, sizeof(note), "moved from %s (holiday)",
			    date_format(f, runs[i].scheduled));
		else if (runs[i].holiday)
			snprintf(note, sizeof(note), "holiday, runs anyway");
		out_text(o, date_format(d, runs[i].day));
		out_text(o, wd[date_weekday(runs[i].day)]);
		out_text(o, runs[i].kind == RUN_EXTRA ? "extra" : "monthly");
		out_text(o, runs[i].final ? "yes" : "no");
		out_text(o, date_format(f, runs[i].funds_by));
		out_text_or_null(o, note);
		out_row(o);
	}
	out_end(o);
	return 0;
}

const struct cli_cmd calendar_cmds[] = {
	{ "calendar", "show", cmd_show, "[--year Y]",
	  "list the year's debit runs (final run of each month marked)", NULL },
	{ NULL, NULL, NULL, NULL, NULL, NULL },
};
