/* Unit tests: debitgw.conf parsing (gateway/config.c). */
#include "tests/unit/testutil.h"

#include "common/date.h"
#include "gateway/config.h"

static char *dir;

static void
setup(void)
{
	dir = tu_tmpdir();
}

static void
teardown(void)
{
	tu_tmpdir_free(dir);
}

static int
load(const char *text, struct config **c, struct gw_err *e)
{
	char *p = tu_write(dir, "debitgw.conf", text);
	int rc = config_load(c, p, dir, e);

	free(p);
	return rc;
}

START_TEST(test_template_parses)
{
	struct gw_err e = GW_ERR_INIT;
	struct config *c;
	const struct bank_cfg *b;
	int64_t fen;

	ck_assert_msg(load(config_template, &c, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(c->ndebit_days, 1);
	ck_assert_int_eq(c->debit_days[0], 26);
	ck_assert_str_eq(c->timezone, "Asia/Shanghai");
	ck_assert_int_eq(c->run_minute, 120);
	ck_assert_int_eq(c->retry_failed, RETRY_NEVER);
	ck_assert_ptr_nonnull(b = config_bank(c, "ICBC"));
	ck_assert_int_eq(b->max_items, 50000);
	ck_assert_str_eq(b->format, "pain.008.001.08");
	ck_assert_ptr_null(config_bank(c, "NOSUCH"));
	ck_assert_int_eq(config_tariff(c, "adult", 2021, &fen), 1);
	ck_assert_int_eq(fen, 43000);
	ck_assert_int_eq(c->late_wait_days, 90);
	ck_assert_int_eq(c->newborn_until, 225);
	config_free(c);
}
END_TEST

#define GW "[gateway]\ncreditor_name = X\ncreditor_id = 11440000MB2C50126Q\n" \
	"creditor_account = 1234567890\ncreditor_agent = ICBKCNBJGDG\n"

START_TEST(test_errors_name_lines)
{
	struct gw_err e = GW_ERR_INIT;
	struct config *c = NULL;

	ck_assert_int_eq(load(GW "[calendar]\ndebit_days = 32\nwindow = 13-01..12-25\n"
	    "colour = blue\n[bank:ICBC]\nformat = pain.001\n[bank:ICBC]\n"
	    "agent = X\n[nowhere]\nx = 1\n", &c, &e), GW_ECONFIG);
	ck_assert_ptr_null(c);
	ck_assert_ptr_nonnull(strstr(e.msg, "debitgw.conf:7: debit_days: 32 is "
	    "out of range"));
	ck_assert_ptr_nonnull(strstr(e.msg, ":8: window:"));
	ck_assert_ptr_nonnull(strstr(e.msg, ":9: [calendar]: unknown key "
	    "'colour'"));
	ck_assert_ptr_nonnull(strstr(e.msg, ":11: format:"));
	ck_assert_ptr_nonnull(strstr(e.msg, "[bank:ICBC] appears twice"));
	ck_assert_ptr_nonnull(strstr(e.msg, "unknown section [nowhere]"));
}
END_TEST

START_TEST(test_required_and_values)
{
	struct gw_err e = GW_ERR_INIT;
	struct config *c = NULL;
	char buf[DATE_BUFSZ];

	ck_assert_int_eq(load("[gateway]\ncreditor_name = X\n", &c, &e),
	    GW_ECONFIG);
	ck_assert_ptr_nonnull(strstr(e.msg, "are required"));
	gw_err_clear(&e);
	ck_assert_int_eq(load(GW "[calendar]\ndebit_days = 20, 26\n"
	    "extra_runs = 2021-01-29,2021-02-05\nwindow = 09-01..12-25\n"
	    "on_holiday = next_working_day\nretry_failed = same_month\n"
	    "[tariff]\nadult = 320\nadult.2021 = 430.00\n"
	    "[bank:BOC]\nagent = BKCHCNBJ45A\nmax_amount = 1000000.00\n"
	    "unsigned_ok = yes\n", &c, &e), 0);
	ck_assert_int_eq(c->ndebit_days, 2);
	ck_assert_int_eq(c->nextra_runs, 2);
	ck_assert_str_eq(date_format(buf, c->extra_runs[0]), "2021-01-29");
	ck_assert_int_eq(c->window_from, 901);
	ck_assert_int_eq(c->window_to, 1225);
	ck_assert_int_eq(c->on_holiday, ON_HOLIDAY_NEXT_WORKING_DAY);
	ck_assert_int_eq(c->retry_failed, RETRY_SAME_MONTH);
	ck_assert_int_eq(config_bank(c, "BOC")->max_amount, 100000000);
	ck_assert_int_eq(config_bank(c, "BOC")->unsigned_ok, 1);
	{
		int64_t fen;

		ck_assert_int_eq(config_tariff(c, "adult", 2021, &fen), 1);
		ck_assert_int_eq(fen, 43000);
		ck_assert_int_eq(config_tariff(c, "adult", 2022, &fen), 1);
		ck_assert_int_eq(fen, 32000);
		ck_assert_int_eq(config_tariff(c, "minor", 2022, &fen), 0);
	}
	config_free(c);
}
END_TEST

START_TEST(test_holidays)
{
	struct gw_err e = GW_ERR_INIT;
	struct config *c = NULL;
	char *h = tu_write(dir, "holidays.txt", "# Spring festival\n2021-02-12\n"
	    "2021-02-11\n\n2021-10-01\n");

	ck_assert_int_eq(load(GW "[calendar]\nholidays = holidays.txt\n", &c, &e),
	    0);
	ck_assert_int_eq(c->nholidays, 3);
	ck_assert(config_is_holiday(c, date_from_ymd(2021, 2, 11)));
	ck_assert(config_is_holiday(c, date_from_ymd(2021, 10, 1)));
	ck_assert(!config_is_holiday(c, date_from_ymd(2021, 2, 13)));
	config_free(c);
	free(h);
	ck_assert_int_eq(load(GW "[calendar]\nholidays = missing.txt\n", &c, &e),
	    GW_ECONFIG);
	ck_assert_ptr_nonnull(strstr(e.msg, "cannot read"));
}
END_TEST

static Suite *
config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_template_parses);
	tcase_add_test(tc, test_errors_name_lines);
	tcase_add_test(tc, test_required_and_values);
	tcase_add_test(tc, test_holidays);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(config_suite)
