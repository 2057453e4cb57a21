/* Unit tests: the collection calendar (gateway/calendar.c). */
#include "tests/unit/testutil.h"

#include "common/date.h"
#include "gateway/calendar.h"

static char *dir;

static void
setup(void)
{
	struct gw_err e = GW_ERR_INIT;

	dir = tu_tmpdir();
	ck_assert_int_eq(date_set_timezone("Asia/Shanghai", &e), 0);
}

static void
teardown(void)
{
	tu_tmpdir_free(dir);
}

static struct config *
load(const char *calendar)
{
	struct gw_err e = GW_ERR_INIT;
	struct config *c;
	char *text, *p;

	ck_assert_int_ge(asprintf(&text, "[gateway]\ncreditor_name = X\n"
	    "creditor_id = 11440000MB2C50126Q\ncreditor_account = 1234567890\n"
	    "creditor_agent = ICBKCNBJGDG\n[calendar]\n%s", calendar), 0);
	p = tu_write(dir, "debitgw.conf", text);
	ck_assert_msg(config_load(&c, p, dir, &e) == 0, "%s", e.msg);
	free(p);
	free(text);
	return c;
}

static char *
fmt(int day)
{
	static char buf[4][DATE_BUFSZ];
	static int i;

	return date_format(buf[i++ % 4], day);
}

START_TEST(test_zhongshan_first_month)
{
	struct config *c = load("debit_days = 26\nextra_runs = 2021-01-29\n");
	struct calendar_run r[64];
	int n = calendar_runs(c, 2021, r, 64);

	ck_assert_int_eq(n, 13);
	ck_assert_str_eq(fmt(r[0].day), "2021-01-26");
	ck_assert_int_eq(r[0].final, 0);
	ck_assert_str_eq(fmt(r[0].funds_by), "2021-01-25");
	ck_assert_str_eq(fmt(r[1].day), "2021-01-29");
	ck_assert_int_eq(r[1].kind, RUN_EXTRA);
	ck_assert_int_eq(r[1].final, 1);
	ck_assert_str_eq(fmt(r[2].day), "2021-02-26");
	ck_assert_int_eq(r[2].final, 1);
	config_free(c);
}
END_TEST

START_TEST(test_window_and_clamp)
{
	struct config *c = load("debit_days = 10, 31\nwindow = 09-01..12-25\n");
	struct calendar_run r[64];
	int n = calendar_runs(c, 2022, r, 64);

	/* Sep, Oct, Nov: 10th and month end; Dec: 10th only (31 > 12-25). */
	ck_assert_int_eq(n, 7);
	ck_assert_str_eq(fmt(r[0].day), "2022-09-10");
	ck_assert_str_eq(fmt(r[1].day), "2022-09-30");	/* 31 clamped */
	ck_assert_int_eq(r[1].final, 1);
	ck_assert_str_eq(fmt(r[6].day), "2022-12-10");
	ck_assert_int_eq(r[6].final, 1);
	config_free(c);
}
END_TEST

START_TEST(test_holidays_move_or_run)
{
	struct config *c;
	struct calendar_run r[64], one;
	char *h = tu_write(dir, "h.txt", "2021-10-01\n2021-10-26\n");
	char *w = tu_write(dir, "w.txt", "2021-10-09\n");	/* a Saturday */

	c = load("debit_days = 1, 26\nholidays = h.txt\nworkdays = w.txt\n"
	    "on_holiday = next_working_day\n");
	ck_assert_int_gt(calendar_runs(c, 2021, r, 64), 0);
	ck_assert_int_eq(calendar_run_on(c, date_from_ymd(2021, 10, 27), &one),
	    1);
	ck_assert_int_eq(one.moved, 1);
	ck_assert_str_eq(fmt(one.scheduled), "2021-10-26");
	ck_assert_int_eq(calendar_run_on(c, date_from_ymd(2021, 10, 26), &one),
	    0);
	/* 10-01 is a Friday holiday; the next working day is Monday 10-04. */
	ck_assert_int_eq(calendar_run_on(c, date_from_ymd(2021, 10, 4), &one), 1);
	ck_assert(calendar_is_working_day(c, date_from_ymd(2021, 10, 9)));
	ck_assert(!calendar_is_working_day(c, date_from_ymd(2021, 10, 10)));
	/* Five working days after Friday 2021-09-30: 10-01 holiday, weekend,
	 * then 10-04..10-08. */
	ck_assert_str_eq(fmt(calendar_add_working_days(c,
	    date_from_ymd(2021, 9, 30), 5)), "2021-10-08");
	config_free(c);
	c = load("debit_days = 26\nholidays = h.txt\non_holiday = run\n");
	ck_assert_int_eq(calendar_run_on(c, date_from_ymd(2021, 10, 26), &one),
	    1);
	ck_assert_int_eq(one.holiday, 1);
	config_free(c);
	free(h);
	free(w);
}
END_TEST

START_TEST(test_next_run)
{
	struct config *c = load("debit_days = 26\nrun_time = 02:00\n");
	struct calendar_run r;
	time_t start;
	char ts[TS_BUFSZ];

	setenv("DEBITGW_FAKE_NOW", "2021-01-26T01:59:00", 1);
	ck_assert_int_eq(calendar_next_run(c, gw_now(), &r, &start), 1);
	ck_assert_str_eq(ts_format(ts, start), "2021-01-26T02:00:00+08:00");
	setenv("DEBITGW_FAKE_NOW", "2021-01-26T02:00:00", 1);
	ck_assert_int_eq(calendar_next_run(c, gw_now(), &r, &start), 1);
	ck_assert_str_eq(fmt(r.day), "2021-02-26");
	unsetenv("DEBITGW_FAKE_NOW");
	config_free(c);
}
END_TEST

static Suite *
calendar_suite(void)
{
	Suite *s = suite_create("calendar");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_zhongshan_first_month);
	tcase_add_test(tc, test_window_and_clamp);
	tcase_add_test(tc, test_holidays_move_or_run);
	tcase_add_test(tc, test_next_run);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(calendar_suite)
