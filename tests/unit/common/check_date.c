/* Unit tests: day-number dates (common/date.c). */
#include "tests/unit/testutil.h"

#include "common/date.h"

START_TEST(test_round_trip)
{
	int d, y, m, dd;

	/* Every day from 1900 to 2199 survives a round trip. */
	for (d = date_from_ymd(1900, 1, 1); d <= date_from_ymd(2199, 12, 31);
	    d++) {
		date_to_ymd(d, &y, &m, &dd);
		ck_assert(date_is_valid(y, m, dd));
		ck_assert_int_eq(date_from_ymd(y, m, dd), d);
	}
	ck_assert_int_eq(date_from_ymd(1970, 1, 1), 0);
}
END_TEST

START_TEST(test_parse)
{
	struct gw_err e = GW_ERR_INIT;
	char buf[DATE_BUFSZ];
	int d;

	ck_assert_int_eq(date_parse(&d, "2021-01-26", 10, &e), 0);
	ck_assert_str_eq(date_format(buf, d), "2021-01-26");
	ck_assert_int_eq(date_parse(&d, "2020-02-29", 10, &e), 0);
	ck_assert_int_eq(date_parse(&d, "2021-02-29", 10, &e), GW_EINPUT);
	ck_assert_ptr_nonnull(strstr(e.msg, "no such day"));
	gw_err_clear(&e);
	ck_assert_int_eq(date_parse(&d, "2021-1-26", 9, &e), GW_EINPUT);
	gw_err_clear(&e);
	ck_assert_int_eq(date_parse(&d, "2021/01/26", 10, &e), GW_EINPUT);
	gw_err_clear(&e);
	ck_assert_int_eq(date_parse(&d, "2100-02-29", 10, &e), GW_EINPUT);
	gw_err_clear(&e);
	ck_assert_int_eq(date_parse_compact(&d, "20210129", 8, &e), 0);
	ck_assert_str_eq(date_format(buf, d), "2021-01-29");
	ck_assert_int_eq(date_parse_compact(&d, "20211329", 8, &e), GW_EINPUT);
}
END_TEST

START_TEST(test_weekday_and_month_end)
{
	char buf[DATE_BUFSZ];

	/* 2021-01-26 was a Tuesday, 2021-01-31 a Sunday. */
	ck_assert_int_eq(date_weekday(date_from_ymd(2021, 1, 26)), 2);
	ck_assert_int_eq(date_weekday(date_from_ymd(2021, 1, 31)), 7);
	ck_assert_int_eq(date_weekday(date_from_ymd(1970, 1, 1)), 4);
	ck_assert_str_eq(date_format(buf, date_month_end(date_from_ymd(2024, 2,
	    3))), "2024-02-29");
	ck_assert_str_eq(date_format(buf, date_month_end(date_from_ymd(2021, 12,
	    31))), "2021-12-31");
	ck_assert_int_eq(date_days_in_month(2023, 2), 28);
	ck_assert_int_eq(date_days_in_month(2023, 13), 0);
}
END_TEST

START_TEST(test_fake_clock)
{
	char buf[TS_BUFSZ];
	struct gw_err e = GW_ERR_INIT;

	ck_assert_int_eq(date_set_timezone("Asia/Shanghai", &e), 0);
	setenv("DEBITGW_FAKE_NOW", "2021-01-26T02:00:00", 1);
	ck_assert(gw_clock_is_fake());
	ck_assert_str_eq(ts_format(buf, gw_now()), "2021-01-26T02:00:00+08:00");
	ck_assert_str_eq(ts_format_utc(buf, gw_now()), "2021-01-25T18:00:00Z");
	ck_assert_int_eq(date_today(), date_from_ymd(2021, 1, 26));
	setenv("DEBITGW_FAKE_NOW", "1611597600", 1);
	ck_assert_str_eq(ts_format_utc(buf, gw_now()), "2021-01-25T18:00:00Z");
	unsetenv("DEBITGW_FAKE_NOW");
	ck_assert(!gw_clock_is_fake());
	ck_assert_int_eq(date_set_timezone("Nowhere/Atlantis", &e), GW_ECONFIG);
}
END_TEST

START_TEST(test_in_sorted)
{
	static const int days[] = { 3, 8, 20, 21, 40 };
	int d;

	for (d = 0; d < 45; d++)
		ck_assert_int_eq(date_in_sorted(days, 5, d), d == 3 || d == 8 ||
		    d == 20 || d == 21 || d == 40);
	ck_assert(!date_in_sorted(days, 0, 3));
}
END_TEST

static Suite *
date_suite(void)
{
	Suite *s = suite_create("date");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_parse);
	tcase_add_test(tc, test_weekday_and_month_end);
	tcase_add_test(tc, test_fake_clock);
	tcase_add_test(tc, test_in_sorted);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(date_suite)
