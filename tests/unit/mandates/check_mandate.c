/*
 * Unit tests: the mandate registry (mandates/mandate.c, mandate_import.c):
 * lifecycle, amendment, one live mandate per payer, all-or-nothing import.
 */
#include "tests/unit/testutil.h"

#include "common/audit.h"
#include "common/date.h"
#include "mandates/mandate.h"
#include "mandates/mandate_import.h"

static char *dir;
static struct db *db;
static char reports[8192];

static void
setup(void)
{
	struct gw_err e = GW_ERR_INIT;
	struct db_part parts[2];
	char *p;

	parts[0] = audit_db_part;
	parts[1] = mandate_db_part;
	dir = tu_tmpdir();
	p = tu_path(dir, "t.db");
	ck_assert_int_eq(db_open(&db, p, parts, 2, &e), 0);
	free(p);
	reports[0] = '\0';
}

static void
teardown(void)
{
	db_close(db);
	tu_tmpdir_free(dir);
}

static int
bank_known(void *arg, const char *code)
{
	(void)arg;
	return strcmp(code, "ICBC") == 0 || strcmp(code, "CCB") == 0;
}

static void
report(void *arg, const char *line)
{
	size_t n = strlen(reports);

	(void)arg;
	snprintf(reports + n, sizeof(reports) - n, "%s\n", line);
}

#define HEADER "payer_id_type,payer_id,payer_name,category,region,bank_code," \
	"account_no,account_name,account_kind,unit_code,signed_on,origin\n"
#define ROW1 "resident,11010519491231002X,张三,adult,442000,ICBC," \
	"6222020200112233445,张三,passbook,,2020-05-01,migrated\n"
#define ROW2 "resident,440524188001010014,李四,minor,442001,CCB," \
	"4111111111111111,李四,card,91350100M000100Y43,2021-01-03,new\n"

static int
import(const char *text, const char *reject, struct mandate_import_result *r,
    struct gw_err *e)
{
	struct mandate_import_opts o;
	char *p = tu_write(dir, "m.csv", text);
	int rc;

	memset(&o, 0, sizeof(o));
	o.path = p;
	o.reject_path = reject;
	o.actor = "tester";
	o.bank_known = bank_known;
	o.report = report;
	o.today = date_from_ymd(2026, 11, 22);
	rc = mandate_import(db, &o, r, e);
	free(p);
	return rc;
}

static int64_t
count(const char *sql)
{
	sqlite3_stmt *st;
	int64_t n;

	ck_assert_int_eq(sqlite3_prepare_v2(db_handle(db), sql, -1, &st, NULL),
	    SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

START_TEST(test_import_states)
{
	struct gw_err e = GW_ERR_INIT;
	struct mandate_import_result r;
	struct mandate m;

	ck_assert_int_eq(import(HEADER ROW1 ROW2, NULL, &r, &e), 0);
	ck_assert_int_eq(r.imported, 2);
	ck_assert_int_eq(r.active, 1);
	ck_assert_int_eq(r.pending, 1);
	ck_assert_int_eq(r.unit_members, 1);
	ck_assert_int_eq(mandate_get(db, 1, &m, &e), 0);
	ck_assert_str_eq(m.state, "active");	/* migrated */
	ck_assert_str_eq(m.origin, "migrated");
	ck_assert_int_eq(mandate_get(db, 2, &m, &e), 0);
	ck_assert_str_eq(m.state, "pending");	/* new */
	ck_assert_str_eq(m.unit_code, "91350100M000100Y43");
	ck_assert_int_eq(count("SELECT count(*) FROM audit_events"), 2);
}
END_TEST

START_TEST(test_import_same_file_is_noop)
{
	struct gw_err e = GW_ERR_INIT;
	struct mandate_import_result r;

	ck_assert_int_eq(import(HEADER ROW1, NULL, &r, &e), 0);
	ck_assert_int_eq(import(HEADER ROW1, NULL, &r, &e), 0);
	ck_assert_int_eq(r.already, 1);
	ck_assert_int_eq(count("SELECT count(*) FROM mandates"), 1);
}
END_TEST

START_TEST(test_import_bad_row_changes_nothing)
{
	struct gw_err e = GW_ERR_INIT;
	struct mandate_import_result r;

	/* Line 3 has a wrong check character (1 instead of X). */
	ck_assert_int_eq(import(HEADER ROW2
	    "resident,110105194912310021,王五,adult,442000,ICBC,"
	    "6222020200112233445,王五,passbook,,2020-05-01,new\n", NULL, &r, &e),
	    GW_EINPUT);
	ck_assert_ptr_nonnull(strstr(reports, "m.csv:3: payer_id: wrong check "
	    "character"));
	ck_assert_ptr_nonnull(strstr(e.msg, "nothing was imported"));
	ck_assert_int_eq(count("SELECT count(*) FROM mandates"), 0);
	ck_assert_int_eq(count("SELECT count(*) FROM audit_events"), 0);
	ck_assert_int_eq(count("SELECT count(*) FROM mandate_imports"), 0);
}
END_TEST

START_TEST(test_import_reports_each_column)
{
	struct gw_err e = GW_ERR_INIT;
	struct mandate_import_result r;

	ck_assert_int_eq(import(HEADER
	    "resident,11010519491231002X,张三,adult,442000,NOSUCH,"
	    "6222020200112233445,张三,passbook,,2020-05-01,new\n"
	    "resident,440524188001010014,李\x01四,adult,442000,ICBC,"
	    "6222020200112233445,李四,passbook,,2020-05-01,new\n"
	    "resident,440524188001010014,李四,adult,442000,ICBC,"
	    "6222020200112233445,李四,card,,2020-05-01,new\n"
	    "resident,440524188001010014,李四,elder,442000,ICBC,"
	    "6222020200112233445,李四,passbook,,2020-05-01,new\n"
	    "resident,440524188001010014,李四,adult,442000,ICBC,"
	    "6222020200112233445,李四,passbook,,2099-05-01,new\n"
	    "resident,440524188001010014\n", NULL, &r, &e), GW_EINPUT);
	ck_assert_ptr_nonnull(strstr(reports, ":2: bank_code: unknown bank code "
	    "'NOSUCH'"));
	ck_assert_ptr_nonnull(strstr(reports, ":3: payer_name: holds a control"));
	ck_assert_ptr_nonnull(strstr(reports, ":4: account_no: card number fails "
	    "the Luhn check"));
	ck_assert_ptr_nonnull(strstr(reports, ":5: category:"));
	ck_assert_ptr_nonnull(strstr(reports, ":6: signed_on:"));
	ck_assert_ptr_nonnull(strstr(reports, ":7: row has 2 fields"));
	ck_assert_int_eq(r.rejected, 6);
}
END_TEST

START_TEST(test_import_duplicate_payer)
{
	struct gw_err e = GW_ERR_INIT;
	struct mandate_import_result r;

	ck_assert_int_eq(import(HEADER ROW1 ROW2 ROW1, NULL, &r, &e), GW_EINPUT);
	ck_assert_ptr_nonnull(strstr(reports, ":4: payer_id: payer "
	    "11010519491231002X already has mandate M0000000001 (active)"));
	ck_assert_int_eq(count("SELECT count(*) FROM mandates"), 0);
}
END_TEST

START_TEST(test_import_missing_column)
{
	struct gw_err e = GW_ERR_INIT;
	struct mandate_import_result r;

	ck_assert_int_eq(import("payer_id_type,payer_id\nresident,x\n", NULL, &r,
	    &e), GW_EINPUT);
	ck_assert_ptr_nonnull(strstr(e.msg, "m.csv:1: payer_name: missing "
	    "column"));
}
END_TEST

START_TEST(test_import_reject_file)
{
	struct gw_err e = GW_ERR_INIT;
	struct mandate_import_result r;
	char *rej = tu_path(dir, "rejects.csv"), *buf = NULL;
	FILE *fp;
	size_t n = 0;

	ck_assert_int_eq(import(HEADER ROW1
	    "resident,110105194912310021,王五,adult,442000,ICBC,"
	    "6222020200112233445,王五,passbook,,2020-05-01,new\n" ROW2, rej, &r,
	    &e), 0);
	ck_assert_int_eq(r.imported, 2);
	ck_assert_int_eq(r.rejected, 1);
	ck_assert_ptr_nonnull(fp = fopen(rej, "r"));
	ck_assert(getdelim(&buf, &n, '\0', fp) > 0);
	fclose(fp);
	ck_assert_ptr_nonnull(strstr(buf, ",line,error"));
	ck_assert_ptr_nonnull(strstr(buf, "110105194912310021"));
	ck_assert_ptr_nonnull(strstr(buf, ",3,payer_id: wrong check character"));
	ck_assert_ptr_null(strstr(buf, "11010519491231002X"));
	free(buf);
	free(rej);
}
END_TEST

START_TEST(test_lifecycle)
{
	static const struct {
		enum mandate_action	 a;
		int			 rc;
		const char		*state;
	} steps[] = {
		{ MANDATE_SUSPEND, GW_ESTATE, "pending" },
		{ MANDATE_ACTIVATE, 0, "active" },
		{ MANDATE_REJECT, GW_ESTATE, "active" },
		{ MANDATE_ACTIVATE, GW_ESTATE, "active" },
		{ MANDATE_SUSPEND, 0, "suspended" },
		{ MANDATE_ACTIVATE, 0, "active" },
		{ MANDATE_REVOKE, 0, "revoked" },
		{ MANDATE_ACTIVATE, GW_ESTATE, "revoked" },
		{ MANDATE_REVOKE, GW_ESTATE, "revoked" },
	};
	struct gw_err e = GW_ERR_INIT;
	struct mandate_import_result r;
	struct mandate m;
	size_t i;

	ck_assert_int_eq(import(HEADER ROW2, NULL, &r, &e), 0);
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		gw_err_clear(&e);
		ck_assert_int_eq(mandate_transition(db, 1, steps[i].a, "test",
		    "tester", &e), steps[i].rc);
		ck_assert_int_eq(mandate_get(db, 1, &m, &e), 0);
		ck_assert_str_eq(m.state, steps[i].state);
	}
	/* One event per change that happened: import + 4 transitions. */
	ck_assert_int_eq(count("SELECT count(*) FROM audit_events"), 5);
	gw_err_clear(&e);
	ck_assert_int_eq(mandate_transition(db, 99, MANDATE_ACTIVATE, "x", "t",
	    &e), GW_ENOTFOUND);
}
END_TEST

START_TEST(test_reject_pending)
{
	struct gw_err e = GW_ERR_INIT;
	struct mandate_import_result r;
	struct mandate m;

	ck_assert_int_eq(import(HEADER ROW2, NULL, &r, &e), 0);
	ck_assert_int_eq(mandate_transition(db, 1, MANDATE_REJECT, "AC01 at "
	    "bank", "tester", &e), 0);
	ck_assert_int_eq(mandate_get(db, 1, &m, &e), 0);
	ck_assert_str_eq(m.state, "rejected");
	ck_assert_str_eq(m.state_reason, "AC01 at bank");
	/* A rejected mandate is not live: the payer may register again. */
	ck_assert_int_eq(mandate_live_for_payer(db, "440524188001010014", NULL,
	    &e), 0);
}
END_TEST

START_TEST(test_amend)
{
	struct gw_err e = GW_ERR_INIT;
	struct mandate_import_result r;
	struct mandate m;
	int64_t nid;

	ck_assert_int_eq(import(HEADER ROW1, NULL, &r, &e), 0);
	ck_assert_int_eq(mandate_amend(db, 1, "CCB", "6217000010000000001", NULL,
	    NULL, "new card", "tester", &nid, &e), 0);
	ck_assert_int_eq(nid, 2);
	ck_assert_int_eq(mandate_get(db, 1, &m, &e), 0);
	ck_assert_str_eq(m.state, "superseded");
	ck_assert_int_eq(mandate_get(db, 2, &m, &e), 0);
	ck_assert_str_eq(m.state, "pending");
	ck_assert_int_eq(m.version, 2);
	ck_assert_int_eq(m.supersedes, 1);
	ck_assert_str_eq(m.bank_code, "CCB");
	ck_assert_str_eq(m.payer_name, "张三");
	/* Superseded is final. */
	ck_assert_int_eq(mandate_amend(db, 1, "CCB", "6217000010000000002", NULL,
	    NULL, "again", "tester", &nid, &e), GW_ESTATE);
	ck_assert_int_eq(count("SELECT count(*) FROM mandates"), 2);
}
END_TEST

static int
count_cb(void *arg, const struct mandate *m)
{
	(void)m;
	(*(int *)arg)++;
	return 0;
}

START_TEST(test_filters)
{
	struct gw_err e = GW_ERR_INIT;
	struct mandate_import_result r;
	struct mandate_filter f;
	int n;

	ck_assert_int_eq(import(HEADER ROW1 ROW2, NULL, &r, &e), 0);
	memset(&f, 0, sizeof(f));
	n = 0;
	ck_assert_int_eq(mandate_foreach(db, &f, count_cb, &n, &e), 0);
	ck_assert_int_eq(n, 2);
	f.unit_code = "91350100M000100Y43";
	n = 0;
	ck_assert_int_eq(mandate_foreach(db, &f, count_cb, &n, &e), 0);
	ck_assert_int_eq(n, 1);
	memset(&f, 0, sizeof(f));
	f.state = "active";
	f.bank_code = "CCB";
	n = 0;
	ck_assert_int_eq(mandate_foreach(db, &f, count_cb, &n, &e), 0);
	ck_assert_int_eq(n, 0);
}
END_TEST

static Suite *
mandate_suite(void)
{
	Suite *s = suite_create("mandate");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_import_states);
	tcase_add_test(tc, test_import_same_file_is_noop);
	tcase_add_test(tc, test_import_bad_row_changes_nothing);
	tcase_add_test(tc, test_import_reports_each_column);
	tcase_add_test(tc, test_import_duplicate_payer);
	tcase_add_test(tc, test_import_missing_column);
	tcase_add_test(tc, test_import_reject_file);
	tcase_add_test(tc, test_lifecycle);
	tcase_add_test(tc, test_reject_pending);
	tcase_add_test(tc, test_amend);
	tcase_add_test(tc, test_filters);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(mandate_suite)
