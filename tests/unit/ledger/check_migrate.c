/*
 * Unit tests: the ledger's later migrations on a store made by the earlier
 * ones (ledger/ledger.c). Each store is built with the ledger part cut off
 * at an older version, filled by raw SQL in that version's shape, then
 * opened as today's code opens it.
 */
#include "tests/unit/testutil.h"
#include "tests/unit/ledger/fixture.h"

static char *dir, *path;

static void
setup(void)
{
	ck_assert_ptr_nonnull(dir = tu_tmpdir());
	ck_assert_ptr_nonnull(path = tu_path(dir, "old.db"));
}

static void
teardown(void)
{
	free(path);
	tu_tmpdir_free(dir);
}

/* The ledger's tables as migration `version` left them. */
static struct db *
open_at(int version)
{
	struct gw_err e = GW_ERR_INIT;
	struct db_part p = ledger_db_part;
	struct db *db = NULL;

	ck_assert_int_le(version, (int)p.nmigrations);
	p.nmigrations = (size_t)version;
	ck_assert_msg(db_open(&db, path, &p, 1, &e) == 0, "%s", e.msg);
	return db;
}

static void
exec(struct db *db, const char *sql)
{
	struct gw_err e = GW_ERR_INIT;

	ck_assert_msg(db_exec(db, sql, &e) == 0, "%s: %s", sql, e.msg);
}

#define SHA_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

/*
 * Version 4: two obligations, an assessment entry each, one settled by a
 * return file (its debit entry and a paid debit_results row keyed by the
 * file's SHA-256), the other failed by the same file.
 */
static const char v4_rows[] =
    "BEGIN;"
    "INSERT INTO obligations(id, payer_id, period, year, category,"
    " amount_fen, subsidy_fen, due_fen, late, newborn, state, source,"
    " created_at, updated_at) VALUES"
    " (1, '110101195001010011', '2025', 2025, 'adult', 43000, 0, 43000,"
    "  0, 0, 'open', 't', '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z'),"
    " (2, '110101195001010020', '2025', 2025, 'adult', 30000, 0, 30000,"
    "  0, 0, 'open', 't', '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z');"
    "INSERT INTO journal_entries(id, at, value_date, kind, source_kind,"
    " source_ref, actor) VALUES"
    " (1, '2025-01-01T00:00:00Z', '2025-01-01', 'assessment', 'assess_file',"
    "  'f:1', 't'),"
    " (2, '2025-01-01T00:00:00Z', '2025-01-01', 'assessment', 'assess_file',"
    "  'f:2', 't'),"
    " (3, '2025-11-27T00:00:00Z', '2025-11-26', 'debit', 'return_item',"
    "  '" SHA_A ":E1', 'bank');"
    "INSERT INTO postings VALUES"
    " (1, 1, 'receivable', 43000, '110101195001010011', 1),"
    " (1, 2, 'premium_income:2025', -43000, NULL, NULL),"
    " (2, 1, 'receivable', 30000, '110101195001010020', 2),"
    " (2, 2, 'premium_income:2025', -30000, NULL, NULL),"
    " (3, 1, 'clearing:ICBC', 43000, NULL, NULL),"
    " (3, 2, 'receivable', -43000, '110101195001010011', 1);"
    "UPDATE journal_entries SET unposted = NULL;"
    "INSERT INTO debit_results(source_sha256, item_ref, obligation_id,"
    " outcome, bank, on_date, category, raw_code, entry_id, at, actor) VALUES"
    " ('" SHA_A "', 'E1', 1, 'paid', 'ICBC', '2025-11-26', NULL, NULL, 3,"
    "  '2025-11-27T00:00:00Z', 'bank'),"
    " ('" SHA_A "', 'E2', 2, 'failed', 'ICBC', '2025-11-26',"
    "  'insufficient_funds', 'AM04', NULL, '2025-11-27T00:01:00Z', 'bank');"
    "INSERT INTO payment_exports(id, since, again, rows, total_fen, at, actor)"
    " VALUES (1, '2025-01-01', 0, 1, 43000, '2025-11-28T00:00:00Z', 't');"
    "INSERT INTO payment_export_lines VALUES (3, 2, 1);"
    "COMMIT;";

START_TEST(test_from_version_4)
{
	struct gw_err e = GW_ERR_INIT;
	struct db *db = open_at(4);
	int64_t entries, bad, bal;

	exec(db, v4_rows);
	db_close(db);
	db = open_at((int)ledger_db_part.nmigrations);

	/* 5: results name their file by number; the file keeps bank, actor
	 * and when it was first seen. */
	ck_assert_int_eq(fx_scalar(db, "SELECT count(*) FROM debit_files"
	    " WHERE id = 1 AND sha256 = '" SHA_A "' AND bank = 'ICBC'"
	    " AND actor = 'bank' AND at = '2025-11-27T00:00:00Z'"), 1);
	ck_assert_int_eq(fx_scalar(db, "SELECT count(*) FROM debit_results"
	    " WHERE file_id = 1"), 2);
	ck_assert_int_eq(fx_scalar(db, "SELECT entry_id FROM debit_results"
	    " WHERE item_ref = 'E1' AND outcome = 'paid'"), 3);
	ck_assert_int_eq(fx_scalar(db, "SELECT count(*) FROM debit_results"
	    " WHERE item_ref = 'E2' AND category = 'insufficient_funds'"
	    " AND raw_code = 'AM04' AND entry_id IS NULL"), 1);
	ck_assert_int_eq(fx_scalar(db, "SELECT count(*) FROM"
	    " pragma_foreign_key_check"), 0);

	/* 6: totals from the postings; balances and the check read them. */
	ck_assert_int_eq(fx_scalar(db, "SELECT count(*) FROM account_totals"), 3);
	ck_assert_int_eq(fx_scalar(db, "SELECT postings * 1000000000 +"
	    " debit_fen * 10 + credit_fen FROM account_totals"
	    " WHERE account = 'receivable'"),
	    3 * 1000000000LL + 73000 * 10 + 43000);
	ck_assert_int_eq(journal_balance(db, "receivable", NULL, &bal, &e), 0);
	ck_assert_int_eq(bal, 30000);
	ck_assert_int_eq(journal_balance(db, "premium_income:2025", NULL, &bal,
	    &e), 0);
	ck_assert_int_eq(bal, -73000);
	ck_assert_msg(journal_check(db, &entries, &bad, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(entries, 3);
	ck_assert_int_eq(fx_scalar(db, "SELECT count(*) FROM sqlite_schema"
	    " WHERE name = 'postings_account'"), 0);

	/* 7: the postings rebuilt whole, the export's mark still on its
	 * line, a payer's per-line credit still theirs; a receivable credit
	 * may now name no obligation, but not a payer without one. */
	ck_assert_int_eq(fx_scalar(db, "SELECT count(*) FROM postings"), 6);
	ck_assert_int_eq(fx_scalar(db, "SELECT count(*) FROM"
	    " payment_export_lines WHERE entry_id = 3 AND line = 2"), 1);
	ck_assert_int_eq(fx_scalar(db, "SELECT count(*) FROM"
	    " pragma_foreign_key_check"), 0);
	ck_assert_int_eq(journal_balance(db, "receivable",
	    "110101195001010011", &bal, &e), 0);
	ck_assert_int_eq(bal, 0);
	ck_assert_int_eq(fx_scalar(db, "SELECT count(*) FROM obligations"
	    " WHERE pay_entry IS NULL"), 2);
	ck_assert_int_eq(fx_scalar(db, "SELECT count(*) FROM sqlite_schema"
	    " WHERE name IN ('postings_open', 'postings_fixed',"
	    " 'postings_kept', 'postings_obligation')"), 4);
	exec(db, "BEGIN;"
	    "INSERT INTO journal_entries(id, at, value_date, kind, source_kind,"
	    " source_ref, actor) VALUES (4, '2025-11-27T00:00:00Z',"
	    " '2025-11-26', 'debit', 'return_item', '" SHA_A ":E9', 'bank');"
	    "INSERT INTO postings VALUES (4, 1, 'clearing:ICBC', 100, NULL,"
	    " NULL), (4, 2, 'receivable', -100, NULL, NULL);"
	    "ROLLBACK;");
	ck_assert_int_ne(db_exec(db, "INSERT INTO postings VALUES (3, 3,"
	    " 'receivable', 5, '110101195001010011', NULL)", &e), 0);
	gw_err_clear(&e);
	ck_assert_int_ne(db_exec(db, "INSERT INTO postings VALUES (3, 3,"
	    " 'clearing:ICBC', 5, NULL, NULL)", &e), 0);
	ck_assert_ptr_nonnull(strstr(e.msg, "postings are final"));
	db_close(db);
}
END_TEST

static Suite *
migrate_suite(void)
{
	Suite *s = suite_create("ledger migrations");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_from_version_4);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(migrate_suite)
