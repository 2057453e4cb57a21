/*
 * Unit tests: the assessment import (ledger/assess.c).
 */
#include "tests/unit/testutil.h"
#include "tests/unit/ledger/fixture.h"

static char *dir;
static struct db *db;
static char p[6][19];
static char reports[8192];
static int nwarn, nerr;

static void
setup(void)
{
	struct gw_err e = GW_ERR_INIT;
	int i;

	ck_assert_msg(fx_open(&dir, &db, &e) == 0, "%s", e.msg);
	for (i = 0; i < 6; i++)
		fx_payer(p[i], 2000 + i);
	reports[0] = '\0';
	nwarn = nerr = 0;
}

static void
teardown(void)
{
	fx_close(&dir, &db);
}

static void
collect(void *arg, int warning, const char *line)
{
	size_t n = strlen(reports);

	(void)arg;
	snprintf(reports + n, sizeof(reports) - n, "%s\n", line);
	if (warning)
		nwarn++;
	else
		nerr++;
}

static int
tariff(void *arg, const char *category, int year, int64_t *fen)
{
	(void)arg;
	if (year != 2025)
		return 0;
	if (strcmp(category, "adult") == 0)
		*fen = 43000;
	else if (strcmp(category, "exempt") == 0)
		*fen = 0;
	else
		*fen = 30000;
	return 1;
}

/* Import rows (header added) as file name; reports go to reports[]. */
static int
import(const char *name, const char *rows, int strict,
    struct assess_import_result *r, struct gw_err *e)
{
	struct assess_import_opts o;
	struct ledger_policy pol;
	char *path = tu_path(dir, name);
	FILE *fp = fopen(path, "wb");
	int rc;

	ck_assert_ptr_nonnull(fp);
	fputs("payer_id,period,amount,subsidy,category,exemption_type,"
	    "exemption_cert,exemption_valid_until,late,newborn\r\n", fp);
	fputs(rows, fp);
	fclose(fp);
	ledger_policy_default(&pol);
	pol.tariff = tariff;
	memset(&o, 0, sizeof(o));
	o.path = path;
	o.actor = "agency";
	o.policy = &pol;
	o.strict = strict;
	o.today = date_from_ymd(2025, 10, 15);
	o.report = collect;
	rc = assess_import(db, &o, r, e);
	free(path);
	return rc;
}

#define scalar(sql) fx_scalar(db, (sql))

START_TEST(test_import_states_and_postings)
{
	struct gw_err e = GW_ERR_INIT;
	struct assess_import_result r;
	char rows[2048];
	struct obligation o;
	int64_t b;

	snprintf(rows, sizeof(rows),
	    "%s,2025,430.00,0,adult,,,,0,0\r\n"
	    "%s,2025,300,300,student,,,,0,0\r\n"		/* full subsidy */
	    "%s,2025,0.00,,exempt,低保,MZ001,2025-12-31,0,0\r\n"
	    "%s,2025,430.00,100.00,adult,,,,1,0\r\n"	/* partial */
	    "%s,2025-11,430.00,0,adult,,,,0,1\r\n"	/* monthly */
	    "%s,2025-12,430.00,0,adult,,,,0,0\r\n",
	    p[0], p[1], p[2], p[3], p[4], p[4]);
	ck_assert_msg(import("a.csv", rows, 0, &r, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(r.rows, 6);
	ck_assert_int_eq(r.imported, 6);
	ck_assert_int_eq(r.open, 4);
	ck_assert_int_eq(r.settled, 2);
	ck_assert_int_eq(r.due_fen, 43000 + 33000 + 43000 + 43000);
	ck_assert_int_eq(r.subsidy_fen, 30000 + 10000);
	ck_assert_int_eq(r.warnings, 0);
	ck_assert_int_eq(obligation_get(db, fx_obligation(db, p[1], "2025"), &o,
	    &e), 0);
	ck_assert_str_eq(o.state, "settled");
	ck_assert_int_eq(obligation_get(db, fx_obligation(db, p[2], "2025"), &o,
	    &e), 0);
	ck_assert_str_eq(o.state, "settled");
	ck_assert_str_eq(o.exemption_cert, "MZ001");
	ck_assert_int_eq(obligation_get(db, fx_obligation(db, p[3], "2025"), &o,
	    &e), 0);
	ck_assert_str_eq(o.state, "open");
	ck_assert_int_eq(o.due_fen, 33000);
	ck_assert_int_eq(o.late, 1);
	ck_assert_int_eq(journal_balance(db, "receivable", NULL, &b, &e), 0);
	ck_assert_int_eq(b, r.due_fen);
	ck_assert_int_eq(journal_balance(db, "subsidy_receivable:finance", NULL,
	    &b, &e), 0);
	ck_assert_int_eq(b, 40000);
	ck_assert_int_eq(journal_balance(db, "premium_income:2025", NULL, &b,
	    &e), 0);
	ck_assert_int_eq(b, -(r.due_fen + 40000));
	/* The exemption with nothing subsidised moved no money. */
	ck_assert_int_eq(scalar("SELECT count(*) FROM journal_entries"), 5);
	ck_assert_int_eq(scalar("SELECT count(*) FROM audit_events"
	    " WHERE entity = 'obligation'"), 6);
}
END_TEST

START_TEST(test_bad_rows_named_nothing_imported)
{
	struct gw_err e = GW_ERR_INIT;
	struct assess_import_result r;
	char rows[2048], bad_id[19];

	snprintf(bad_id, sizeof(bad_id), "%s", p[1]);
	bad_id[17] = bad_id[17] == '1' ? '2' : '1';
	snprintf(rows, sizeof(rows),
	    "%s,2025,430.00,0,adult,,,,0,0\r\n"		/* line 2 */
	    "%s,2025,430.00,0,adult,,,,0,0\r\n"		/* 3: check char */
	    "%s,2025,430.001,0,adult,,,,0,0\r\n"	/* 4: 3 decimals */
	    "%s,2025-13,430.00,0,adult,,,,0,0\r\n"	/* 5: month 13 */
	    "%s,2025,430.00,0,teacher,,,,0,0\r\n"	/* 6: category */
	    "%s,2025,430.00,0,adult,,,,2,0\r\n"		/* 7: late */
	    "%s,2025,430.00,0,adult\r\n",		/* 8: fields */
	    p[0], bad_id, p[2], p[3], p[4], p[5], p[5]);
	ck_assert_int_eq(import("bad.csv", rows, 0, &r, &e), GW_EINPUT);
	ck_assert_ptr_nonnull(strstr(e.msg, "6 of 7 rows are bad; nothing was "
	    "imported"));
	ck_assert_int_eq(nerr, 6);
	ck_assert_ptr_nonnull(strstr(reports, "bad.csv:3: payer_id: wrong "
	    "check character"));
	ck_assert_ptr_nonnull(strstr(reports, "bad.csv:4: amount:"));
	ck_assert_ptr_nonnull(strstr(reports, "bad.csv:5: period:"));
	ck_assert_ptr_nonnull(strstr(reports, "bad.csv:6: category:"));
	ck_assert_ptr_nonnull(strstr(reports, "bad.csv:7: late:"));
	ck_assert_ptr_nonnull(strstr(reports, "bad.csv:8: row has 5 fields"));
	ck_assert_ptr_null(strstr(reports, "bad.csv:2:"));
	ck_assert_int_eq(r.imported, 0);
	ck_assert_int_eq(scalar("SELECT count(*) FROM obligations"), 0);
	ck_assert_int_eq(scalar("SELECT count(*) FROM journal_entries"), 0);
	ck_assert_int_eq(scalar("SELECT count(*) FROM audit_events"), 0);
	ck_assert_int_eq(scalar("SELECT count(*) FROM assessment_imports"), 0);
}
END_TEST

START_TEST(test_reimport_is_noop)
{
	struct gw_err e = GW_ERR_INIT;
	struct assess_import_result r;
	char rows[256];

	snprintf(rows, sizeof(rows), "%s,2025,430.00,0,adult,,,,0,0\r\n", p[0]);
	ck_assert_int_eq(import("a.csv", rows, 0, &r, &e), 0);
	ck_assert_int_eq(r.already, 0);
	ck_assert_int_eq(import("a.csv", rows, 0, &r, &e), 0);
	ck_assert_int_eq(r.already, 1);
	ck_assert_int_eq(r.imported, 0);
	ck_assert_str_ne(r.already_at, "");
	ck_assert_int_eq(scalar("SELECT count(*) FROM obligations"), 1);
	ck_assert_int_eq(scalar("SELECT count(*) FROM journal_entries"), 1);
}
END_TEST

START_TEST(test_one_enrolment_per_period)
{
	struct gw_err e = GW_ERR_INIT;
	struct assess_import_result r;
	char rows[1024];

	/* Twice in one file. */
	snprintf(rows, sizeof(rows), "%s,2025,430.00,0,adult,,,,0,0\r\n"
	    "%s,2025,430.00,0,adult,,,,0,0\r\n", p[0], p[0]);
	ck_assert_int_eq(import("a.csv", rows, 0, &r, &e), GW_EINPUT);
	ck_assert_ptr_nonnull(strstr(reports, "a.csv:3: payer_id: payer"));
	gw_err_clear(&e);
	/* Across files, and annual against monthly in the same year. */
	snprintf(rows, sizeof(rows), "%s,2025,430.00,0,adult,,,,0,0\r\n"
	    "%s,2025-03,430.00,0,adult,,,,0,0\r\n", p[0], p[1]);
	ck_assert_msg(import("b.csv", rows, 0, &r, &e) == 0, "%s", e.msg);
	reports[0] = '\0';
	snprintf(rows, sizeof(rows), "%s,2025,430.00,0,adult,,,,0,0\r\n"
	    "%s,2025-04,430.00,0,adult,,,,0,0\r\n"
	    "%s,2025,430.00,0,adult,,,,0,0\r\n"
	    "%s,2026,430.00,0,adult,,,,0,0\r\n", p[0], p[0], p[1], p[1]);
	ck_assert_int_eq(import("c.csv", rows, 0, &r, &e), GW_EINPUT);
	ck_assert_ptr_nonnull(strstr(reports, "c.csv:2: payer_id: payer"));
	ck_assert_ptr_nonnull(strstr(reports, "c.csv:3: payer_id: payer"));
	ck_assert_ptr_nonnull(strstr(reports, "c.csv:4: payer_id: payer"));
	ck_assert_ptr_null(strstr(reports, "c.csv:5:"));
	ck_assert_int_eq(r.rejected, 3);
	gw_err_clear(&e);
	/* Monthly periods of one payer are not duplicates of each other. */
	snprintf(rows, sizeof(rows), "%s,2025-04,430.00,0,adult,,,,0,0\r\n",
	    p[1]);
	ck_assert_msg(import("d.csv", rows, 0, &r, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(scalar("SELECT count(*) FROM obligations"), 3);
}
END_TEST

START_TEST(test_tariff_warning_or_strict)
{
	struct gw_err e = GW_ERR_INIT;
	struct assess_import_result r;
	char rows[512];

	snprintf(rows, sizeof(rows), "%s,2025,450.00,0,adult,,,,0,0\r\n"
	    "%s,2025,300.00,0,minor,,,,0,0\r\n"
	    "%s,2024,999.00,0,minor,,,,0,0\r\n", p[0], p[1], p[2]);
	ck_assert_int_eq(import("strict.csv", rows, 1, &r, &e), GW_EINPUT);
	ck_assert_ptr_nonnull(strstr(reports, "strict.csv:2: amount: 450.00 "
	    "differs from the adult tariff 430.00 for 2025"));
	ck_assert_int_eq(r.rejected, 1);
	ck_assert_int_eq(scalar("SELECT count(*) FROM obligations"), 0);
	gw_err_clear(&e);
	reports[0] = '\0';
	/* Without --strict: imported, with a warning (no 2024 tariff). */
	ck_assert_msg(import("warn.csv", rows, 0, &r, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(r.imported, 3);
	ck_assert_int_eq(r.warnings, 1);
	ck_assert_int_eq(nwarn, 1);
	ck_assert_ptr_nonnull(strstr(reports, "warn.csv:2: warning: amount:"));
}
END_TEST

START_TEST(test_exemptions_and_subsidy_cap)
{
	struct gw_err e = GW_ERR_INIT;
	struct assess_import_result r;
	struct obligation o;
	char rows[1024];

	snprintf(rows, sizeof(rows),
	    "%s,2025,0,0,exempt,低保,,2025-12-31,0,0\r\n"
	    "%s,2025,0,0,exempt,低保,MZ1,2024-12-31,0,0\r\n"
	    "%s,2025,0,0,exempt,,MZ1,2025-12-31,0,0\r\n"
	    "%s,2025,0,0,exempt,低保,MZ1,2025-13-01,0,0\r\n",
	    p[0], p[1], p[2], p[3]);
	ck_assert_int_eq(import("ex.csv", rows, 0, &r, &e), GW_EINPUT);
	ck_assert_int_eq(r.rejected, 4);
	ck_assert_ptr_nonnull(strstr(reports, "ex.csv:2: exemption_cert:"));
	ck_assert_ptr_nonnull(strstr(reports, "ex.csv:3: exemption_valid_until:"
	    " the certificate expired"));
	ck_assert_ptr_nonnull(strstr(reports, "ex.csv:4: exemption_type:"));
	ck_assert_ptr_nonnull(strstr(reports, "ex.csv:5: exemption_valid_until:"));
	gw_err_clear(&e);
	/* A subsidy above the amount is capped, with a warning. */
	snprintf(rows, sizeof(rows), "%s,2025,300.00,350.00,minor,,,,0,0\r\n",
	    p[4]);
	ck_assert_msg(import("cap.csv", rows, 0, &r, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(r.warnings, 1);
	ck_assert_int_eq(obligation_get(db, fx_obligation(db, p[4], "2025"), &o,
	    &e), 0);
	ck_assert_str_eq(o.state, "settled");
	ck_assert_int_eq(o.subsidy_fen, 30000);
	ck_assert_int_eq(o.due_fen, 0);
}
END_TEST

START_TEST(test_legacy_id_converted)
{
	struct gw_err e = GW_ERR_INIT;
	struct assess_import_result r;
	char legacy[16], rows[256];

	/* p[0] is 110101 + 19yymmdd + seq: drop "19" and the check char. */
	snprintf(legacy, sizeof(legacy), "%.6s%.9s", p[0], p[0] + 8);
	snprintf(rows, sizeof(rows), "%s,2025,430.00,0,adult,,,,0,0\r\n",
	    legacy);
	ck_assert_msg(import("l.csv", rows, 0, &r, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(r.ids_converted, 1);
	ck_assert_int_ne(fx_obligation(db, p[0], "2025"), 0);
}
END_TEST

START_TEST(test_empty_and_missing_column)
{
	struct gw_err e = GW_ERR_INIT;
	struct assess_import_result r;
	char *path;

	ck_assert_int_eq(import("empty.csv", "", 0, &r, &e), GW_EINPUT);
	ck_assert_ptr_nonnull(strstr(e.msg, "no rows"));
	gw_err_clear(&e);
	path = tu_write(dir, "nocol.csv", "payer_id,period,amount\r\n");
	{
		struct assess_import_opts o;

		memset(&o, 0, sizeof(o));
		o.path = path;
		o.actor = "agency";
		o.today = date_from_ymd(2025, 10, 15);
		ck_assert_int_eq(assess_import(db, &o, &r, &e), GW_EINPUT);
		ck_assert_ptr_nonnull(strstr(e.msg, "nocol.csv:1: subsidy: "
		    "missing column"));
	}
	free(path);
}
END_TEST

static Suite *
assess_suite(void)
{
	Suite *s = suite_create("assess");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_import_states_and_postings);
	tcase_add_test(tc, test_bad_rows_named_nothing_imported);
	tcase_add_test(tc, test_reimport_is_noop);
	tcase_add_test(tc, test_one_enrolment_per_period);
	tcase_add_test(tc, test_tariff_warning_or_strict);
	tcase_add_test(tc, test_exemptions_and_subsidy_cap);
	tcase_add_test(tc, test_legacy_id_converted);
	tcase_add_test(tc, test_empty_and_missing_column);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(assess_suite)
