/*
 * Unit tests: the journal (ledger/journal.c) and the schema that makes an
 * unbalanced entry impossible to commit (ledger/ledger.c).
 */
#include "tests/unit/testutil.h"
#include "tests/unit/ledger/fixture.h"

static char *dir;
static struct db *db;

static void
setup(void)
{
	struct gw_err e = GW_ERR_INIT;

	ck_assert_msg(fx_open(&dir, &db, &e) == 0, "%s", e.msg);
}

static void
teardown(void)
{
	fx_close(&dir, &db);
}

static int
post2(const char *ref, const char *dr, const char *cr, int64_t amount,
    int64_t cr_amount, struct gw_err *e)
{
	struct journal_line l[2];
	struct journal_src s;

	memset(l, 0, sizeof(l));
	l[0].account = dr;
	l[0].amount_fen = amount;
	l[1].account = cr;
	l[1].amount_fen = -cr_amount;
	memset(&s, 0, sizeof(s));
	s.kind = "channel_payment";
	s.value_date = date_from_ymd(2025, 11, 3);
	s.source_kind = "payment";
	s.source_ref = ref;
	s.actor = "t";
	return journal_post(db, &s, l, 2, NULL, e);
}

#define sql_total() \
	fx_scalar(db, "SELECT coalesce(sum(amount_fen), 0) FROM postings")
#define count(sql) fx_scalar(db, (sql))

START_TEST(test_post_and_balance)
{
	struct gw_err e = GW_ERR_INIT;
	int64_t b, total, n;

	ck_assert_int_eq(FX_TX(db, &e, post2("wechat:1", "clearing:wechat",
	    "premium_income:2025", 43000, 43000, &e)), 0);
	ck_assert_int_eq(FX_TX(db, &e, post2("wechat:2", "clearing:wechat",
	    "premium_income:2025", 100, 100, &e)), 0);
	ck_assert_int_eq(journal_balance(db, "clearing:wechat", NULL, &b, &e),
	    0);
	ck_assert_int_eq(b, 43100);
	ck_assert_int_eq(journal_balance(db, "premium_income:2025", NULL, &b,
	    &e), 0);
	ck_assert_int_eq(b, -43100);
	ck_assert_int_eq(journal_balance(db, "refunds_payable", NULL, &b, &e),
	    0);
	ck_assert_int_eq(b, 0);
	ck_assert_int_eq(journal_trial_balance(db, &total, &n, &e), 0);
	ck_assert_int_eq(total, 0);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(sql_total(), 0);
}
END_TEST

START_TEST(test_unbalanced_refused_in_c)
{
	struct gw_err e = GW_ERR_INIT;

	ck_assert_int_eq(FX_TX(db, &e, post2("wechat:1", "clearing:wechat",
	    "premium_income:2025", 43000, 42999, &e)), GW_EINPUT);
	ck_assert_ptr_nonnull(strstr(e.msg, "does not balance"));
	gw_err_clear(&e);
	ck_assert_int_eq(FX_TX(db, &e, post2("wechat:2", "clearing:wechat",
	    "no_such_account", 1, 1, &e)), GW_EINPUT);
	gw_err_clear(&e);
	ck_assert_int_eq(FX_TX(db, &e, post2("wechat:3", "clearing:wechat",
	    "premium_income:2025", 0, 0, &e)), GW_EINPUT);
	gw_err_clear(&e);
	/* Outside a transaction the journal refuses to write at all. */
	ck_assert_int_eq(post2("wechat:4", "clearing:wechat",
	    "premium_income:2025", 1, 1, &e), GW_EDB);
	ck_assert_int_eq(count("SELECT count(*) FROM journal_entries"), 0);
}
END_TEST

/*
 * Bypass the C code entirely: raw SQL cannot close an unbalanced entry,
 * cannot commit an entry it left open, and cannot touch a closed one.
 */
START_TEST(test_unbalanced_refused_by_sql)
{
	sqlite3 *h = db_handle(db);
	char *msg = NULL;
	int rc;

	ck_assert_int_eq(sqlite3_exec(h, "BEGIN;"
	    "INSERT INTO journal_entries(at, value_date, kind, source_kind,"
	    " source_ref, actor) VALUES ('x','2025-11-03','channel_payment',"
	    "'payment','raw:1','t');"
	    "INSERT INTO postings VALUES (last_insert_rowid(), 1,"
	    " 'clearing:wechat', 100, NULL, NULL);"
	    "INSERT INTO postings VALUES ((SELECT max(id) FROM journal_entries),"
	    " 2, 'premium_income:2025', -99, NULL, NULL);", NULL, NULL, NULL),
	    SQLITE_OK);
	/* Closing fails: the lines sum to 1 fen. */
	rc = sqlite3_exec(h, "UPDATE journal_entries SET unposted = NULL",
	    NULL, NULL, &msg);
	ck_assert_int_ne(rc, SQLITE_OK);
	ck_assert_ptr_nonnull(strstr(msg, "does not balance"));
	sqlite3_free(msg);
	msg = NULL;
	/* Leaving it open: COMMIT fails on the deferred foreign key. */
	rc = sqlite3_exec(h, "COMMIT", NULL, NULL, &msg);
	ck_assert_int_ne(rc, SQLITE_OK);
	ck_assert_ptr_nonnull(strstr(msg, "FOREIGN KEY"));
	sqlite3_free(msg);
	msg = NULL;
	sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
	ck_assert_int_eq(count("SELECT count(*) FROM journal_entries"), 0);
	ck_assert_int_eq(count("SELECT count(*) FROM postings"), 0);

	/* A single posting cannot close either, even if it were zero-sum. */
	ck_assert_int_eq(sqlite3_exec(h, "BEGIN;"
	    "INSERT INTO journal_entries(at, value_date, kind, source_kind,"
	    " source_ref, actor) VALUES ('x','2025-11-03','channel_payment',"
	    "'payment','raw:2','t');", NULL, NULL, NULL), SQLITE_OK);
	rc = sqlite3_exec(h, "UPDATE journal_entries SET unposted = NULL",
	    NULL, NULL, &msg);
	ck_assert_int_ne(rc, SQLITE_OK);
	ck_assert_ptr_nonnull(strstr(msg, "two postings"));
	sqlite3_free(msg);
	sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);

	/* An entry cannot be born posted. */
	rc = sqlite3_exec(h, "INSERT INTO journal_entries(at, value_date, kind,"
	    " source_kind, source_ref, actor, unposted) VALUES ('x',"
	    "'2025-11-03','channel_payment','payment','raw:3','t', NULL)",
	    NULL, NULL, NULL);
	ck_assert_int_ne(rc, SQLITE_OK);
}
END_TEST

START_TEST(test_closed_entries_are_final)
{
	struct gw_err e = GW_ERR_INIT;
	sqlite3 *h = db_handle(db);
	static const char *const attacks[] = {
		"UPDATE postings SET amount_fen = 1",
		"DELETE FROM postings",
		"DELETE FROM journal_entries",
		"UPDATE journal_entries SET source_ref = 'other'",
		"UPDATE journal_entries SET unposted = 1",
		"INSERT INTO postings VALUES (1, 3, 'clearing:wechat', 5, NULL,"
		" NULL)",
		"INSERT INTO journal_never VALUES (1)",
	};
	size_t i;

	ck_assert_int_eq(FX_TX(db, &e, post2("wechat:1", "clearing:wechat",
	    "premium_income:2025", 43000, 43000, &e)), 0);
	for (i = 0; i < sizeof(attacks) / sizeof(attacks[0]); i++)
		ck_assert_msg(sqlite3_exec(h, attacks[i], NULL, NULL, NULL) !=
		    SQLITE_OK, "'%s' was allowed", attacks[i]);
	ck_assert_int_eq(sql_total(), 0);
	ck_assert_int_eq(count("SELECT count(*) FROM postings"), 2);
}
END_TEST

START_TEST(test_exactly_once)
{
	struct gw_err e = GW_ERR_INIT;
	int64_t b;

	ck_assert_int_eq(FX_TX(db, &e, post2("wechat:R1", "clearing:wechat",
	    "premium_income:2025", 43000, 43000, &e)), 0);
	ck_assert_int_eq(FX_TX(db, &e, post2("wechat:R1", "clearing:wechat",
	    "premium_income:2025", 43000, 43000, &e)), GW_EDUP);
	ck_assert_ptr_nonnull(strstr(e.msg, "posted before"));
	ck_assert_int_eq(journal_balance(db, "clearing:wechat", NULL, &b, &e),
	    0);
	ck_assert_int_eq(b, 43000);
	ck_assert_int_eq(count("SELECT count(*) FROM journal_entries"), 1);
}
END_TEST

START_TEST(test_accounts)
{
	static const struct {
		const char *name;
		int ok;
	} v[] = {
		{ "receivable", 1 }, { "subsidy_receivable:finance", 1 },
		{ "refunds_payable", 1 }, { "written_off", 1 },
		{ "premium_income:2025", 1 }, { "premium_income:25", 0 },
		{ "premium_income:20x5", 0 }, { "clearing:ICBC", 1 },
		{ "clearing:wechat", 1 }, { "clearing:", 0 },
		{ "clearing:a b", 0 }, { "clearing:a*", 0 }, { "treasury", 0 },
		{ "", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		ck_assert_msg(journal_account_is_valid(v[i].name) == v[i].ok,
		    "%s", v[i].name);
}
END_TEST

static int
fam(void *arg, const struct journal_account *a)
{
	int *n = arg;

	ck_assert_ptr_nonnull(strstr(a->account, "clearing:"));
	(*n)++;
	return 0;
}

START_TEST(test_family_and_check)
{
	struct gw_err e = GW_ERR_INIT;
	int64_t n, bad;
	int k = 0;

	ck_assert_int_eq(FX_TX(db, &e, post2("a:1", "clearing:ICBC",
	    "premium_income:2025", 5, 5, &e)), 0);
	ck_assert_int_eq(FX_TX(db, &e, post2("a:2", "clearing:wechat",
	    "premium_income:2026", 7, 7, &e)), 0);
	ck_assert_int_eq(journal_foreach_account(db, "clearing", fam, &k, &e),
	    0);
	ck_assert_int_eq(k, 2);
	ck_assert_int_eq(journal_check(db, &n, &bad, &e), 0);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(bad, 0);
}
END_TEST

/* Balances read the totals kept at close; the check holds them to the
 * postings. */
START_TEST(test_totals)
{
	struct gw_err e = GW_ERR_INIT;
	int64_t n, bad, bal;

	ck_assert_int_eq(FX_TX(db, &e, post2("t:1", "clearing:ICBC",
	    "premium_income:2025", 500, 500, &e)), 0);
	ck_assert_int_eq(FX_TX(db, &e, post2("t:2", "clearing:ICBC",
	    "premium_income:2025", 200, 200, &e)), 0);
	ck_assert_int_eq(count("SELECT postings FROM account_totals"
	    " WHERE account = 'clearing:ICBC' AND debit_fen = 700"
	    " AND credit_fen = 0"), 2);
	ck_assert_int_eq(journal_balance(db, "premium_income:2025", NULL, &bal,
	    &e), 0);
	ck_assert_int_eq(bal, -700);
	ck_assert_int_eq(journal_check(db, &n, &bad, &e), 0);

	/* Totals are never deleted; a total changed by hand is caught. */
	ck_assert_int_ne(db_exec(db, "DELETE FROM account_totals", &e), 0);
	gw_err_clear(&e);
	ck_assert_int_eq(db_exec(db, "UPDATE account_totals SET debit_fen ="
	    " debit_fen + 1 WHERE account = 'clearing:ICBC'", &e), 0);
	ck_assert_int_eq(journal_check(db, &n, &bad, &e), GW_EDB);
	ck_assert_msg(strstr(e.msg, "account totals of clearing:ICBC say 2 "
	    "postings, debits 7.01") != NULL, "%s", e.msg);
	gw_err_clear(&e);
	ck_assert_int_eq(db_exec(db, "UPDATE account_totals SET debit_fen ="
	    " debit_fen - 1, postings = 1 WHERE account = 'clearing:ICBC'", &e),
	    0);
	ck_assert_int_eq(journal_check(db, &n, &bad, &e), GW_EDB);
	ck_assert_msg(strstr(e.msg, "say 1 postings") != NULL, "%s", e.msg);
	gw_err_clear(&e);
	ck_assert_int_eq(db_exec(db, "UPDATE account_totals SET account ="
	    " 'clearing:BOC' WHERE account = 'clearing:ICBC'", &e), 0);
	ck_assert_int_eq(journal_check(db, &n, &bad, &e), GW_EDB);
	ck_assert_msg(strstr(e.msg, "account clearing:ICBC has postings but no "
	    "account totals") != NULL, "%s", e.msg);
}
END_TEST

static Suite *
journal_suite(void)
{
	Suite *s = suite_create("journal");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_post_and_balance);
	tcase_add_test(tc, test_unbalanced_refused_in_c);
	tcase_add_test(tc, test_unbalanced_refused_by_sql);
	tcase_add_test(tc, test_closed_entries_are_final);
	tcase_add_test(tc, test_exactly_once);
	tcase_add_test(tc, test_accounts);
	tcase_add_test(tc, test_family_and_check);
	tcase_add_test(tc, test_totals);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(journal_suite)
