/*
 * Unit tests: folding constant IN lists (common/sqlfold.c) and the store
 * folding its schema at open (common/db.c).
 */
#include "tests/unit/testutil.h"

#include "common/db.h"
#include "common/sqlfold.h"

static const struct {
	const char	*in;
	const char	*out;	/* NULL: left as it is */
} cases[] = {
	{ "CHECK (state IN ('a','b','c'))",
	  "CHECK ((state = 'a' OR state = 'b' OR state = 'c'))" },
	{ "WHEN NEW.state NOT IN ('a', 'b',\n 'c') BEGIN",
	  "WHEN NOT (NEW.state = 'a' OR NEW.state = 'b' OR NEW.state = 'c') "
	  "BEGIN" },
	{ "WHERE x IN ('a','b','c') AND y IN ('d','e','f','g')",
	  "WHERE (x = 'a' OR x = 'b' OR x = 'c') AND "
	  "(y = 'd' OR y = 'e' OR y = 'f' OR y = 'g')" },
	{ "CHECK (k IN ('it''s','b','c'))",
	  "CHECK ((k = 'it''s' OR k = 'b' OR k = 'c'))" },
	{ "CHECK (m.t.c IN ('a','b','c'))",
	  "CHECK ((m.t.c = 'a' OR m.t.c = 'b' OR m.t.c = 'c'))" },
	/* Two items: SQLite compares those directly already. */
	{ "CHECK (x IN ('a','b'))", NULL },
	/* Not a constant list of strings. */
	{ "CHECK (x IN (1, 2, 3))", NULL },
	{ "CHECK (x IN ('a', y, 'c'))", NULL },
	{ "CHECK (x IN (SELECT v FROM t))", NULL },
	/* An operator binds the column tighter than IN. */
	{ "CHECK (a || x IN ('a','b','c'))", NULL },
	{ "CHECK (length(x) IN ('1','2','3'))", NULL },
	{ "CHECK (x COLLATE nocase IN ('a','b','c'))", NULL },
	{ "CHECK (CASE WHEN 1 THEN 'a' END IN ('a','b','c'))", NULL },
	/* Text that only looks like a list. */
	{ "SELECT RAISE(ABORT, 'x IN (''a'',''b'',''c'')')", NULL },
	{ "-- x IN ('a','b','c')\nSELECT 1", NULL },
	{ "/* x IN ('a','b','c') */ SELECT 1", NULL },
	{ "SELECT \"x IN ('a','b','c')\"", NULL },
	{ "", NULL },
};

START_TEST(test_fold_cases)
{
	char *out = NULL;
	int rc = sql_fold_in_lists(cases[_i].in, &out);

	if (cases[_i].out == NULL) {
		ck_assert_msg(rc == 0, "folded: %s", cases[_i].in);
		ck_assert_ptr_null(out);
	} else {
		ck_assert_int_eq(rc, 1);
		ck_assert_str_eq(out, cases[_i].out);
	}
	free(out);
}
END_TEST

/* Folded and unfolded mean the same, NULL and NOT included. */
START_TEST(test_fold_same_truth)
{
	static const char *const exprs[] = {
	    "x IN ('a','b','c')", "x NOT IN ('a','b','c')" };
	static const char *const xs[] = { "'a'", "'c'", "'z'", "NULL", "'A'" };
	sqlite3 *h;
	sqlite3_stmt *st;
	char *folded, sql[256];
	size_t i, j;

	ck_assert_int_eq(sqlite3_open(":memory:", &h), SQLITE_OK);
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(sql_fold_in_lists(exprs[i], &folded), 1);
		for (j = 0; j < 5; j++) {
			snprintf(sql, sizeof(sql), "SELECT (%s) IS (%s) FROM "
			    "(SELECT %s AS x)", exprs[i], folded, xs[j]);
			ck_assert_int_eq(sqlite3_prepare_v2(h, sql, -1, &st, NULL),
			    SQLITE_OK);
			ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
			ck_assert_msg(sqlite3_column_int(st, 0) == 1, "%s", sql);
			sqlite3_finalize(st);
		}
		free(folded);
	}
	sqlite3_close(h);
}
END_TEST

static const struct db_migration t_migrations[] = {
	{ 1,
	  "CREATE TABLE t(id INTEGER PRIMARY KEY,"
	  " state TEXT NOT NULL CHECK (state IN ('open','paid','failed')));"
	  "CREATE INDEX t_worked ON t(state) WHERE state IN ('open','failed',"
	  " 'arrears');"
	  "CREATE TRIGGER t_born BEFORE INSERT ON t WHEN NEW.state NOT IN"
	  " ('open','x','y') BEGIN SELECT RAISE(ABORT, 'starts open'); END;" },
};

static const struct db_part t_part = DB_PART("t", t_migrations);

static int
schema_has_lists(sqlite3 *h)
{
	sqlite3_stmt *st;
	char *out;
	int n = 0;

	ck_assert_int_eq(sqlite3_prepare_v2(h, "SELECT sql FROM sqlite_master"
	    " WHERE sql IS NOT NULL", -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		n += sql_fold_in_lists((const char *)sqlite3_column_text(st, 0),
		    &out) != 0;
		free(out);
	}
	sqlite3_finalize(st);
	return n;
}

/* Single-row writes build no ephemeral table for the constraints. */
static int
ephemeral_tables(sqlite3 *h, const char *sql)
{
	sqlite3_stmt *st;
	char q[256];
	int n = 0;

	snprintf(q, sizeof(q), "EXPLAIN %s", sql);
	ck_assert_int_eq(sqlite3_prepare_v2(h, q, -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW)
		n += strcmp((const char *)sqlite3_column_text(st, 1),
		    "OpenEphemeral") == 0;
	sqlite3_finalize(st);
	return n;
}

static void
check_enforced(struct db *db)
{
	static const char q_in_plan[] = "EXPLAIN QUERY PLAN SELECT id FROM t"
	    " WHERE state IN ('open','failed','arrears')";
	struct gw_err e = GW_ERR_INIT;
	sqlite3 *h = db_handle(db);
	sqlite3_stmt *st;

	ck_assert_int_eq(schema_has_lists(h), 0);
	ck_assert_int_eq(ephemeral_tables(h,
	    "UPDATE t SET state = 'paid' WHERE id = 1"), 0);
	ck_assert_int_eq(ephemeral_tables(h,
	    "INSERT INTO t(state) VALUES ('open')"), 0);
	/* The constraints hold as before. */
	ck_assert_int_eq(sqlite3_exec(h, "INSERT INTO t(id, state) VALUES"
	    " (1, 'open')", NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_ne(sqlite3_exec(h, "INSERT INTO t(state) VALUES"
	    " ('paid')", NULL, NULL, NULL), SQLITE_OK);	/* trigger */
	ck_assert_int_ne(sqlite3_exec(h, "UPDATE t SET state = 'gone'",
	    NULL, NULL, NULL), SQLITE_OK);		/* CHECK */
	ck_assert_int_eq(sqlite3_exec(h, "UPDATE t SET state = 'failed'",
	    NULL, NULL, NULL), SQLITE_OK);
	/* A query saying the index's WHERE as folded uses the index. */
	ck_assert_int_eq(sqlite3_prepare_v2(h, "EXPLAIN QUERY PLAN SELECT id"
	    " FROM t WHERE state = 'failed' AND (state = 'open' OR"
	    " state = 'failed' OR state = 'arrears')", -1, &st, NULL),
	    SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_ptr_nonnull(strstr((const char *)sqlite3_column_text(st, 3),
	    "t_worked"));
	sqlite3_finalize(st);
	/* db_stmt folds a statement as the schema is folded: a query may say
	 * the index's WHERE as the migration wrote it. */
	ck_assert_ptr_nonnull(st = db_stmt(db, q_in_plan, &e));
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_ptr_nonnull(strstr((const char *)sqlite3_column_text(st, 3),
	    "t_worked"));
	sqlite3_reset(st);
	ck_assert_int_eq(sqlite3_exec(h, "PRAGMA integrity_check", NULL,
	    NULL, NULL), SQLITE_OK);
}

START_TEST(test_new_store_is_folded)
{
	struct gw_err e = GW_ERR_INIT;
	char *dir = tu_tmpdir(), *path = tu_path(dir, "t.db");
	struct db *db;

	ck_assert_int_eq(db_open(&db, path, &t_part, 1, &e), 0);
	check_enforced(db);
	db_close(db);
	free(path);
	tu_tmpdir_free(dir);
}
END_TEST

/*
 * A store made before folding (its lists as the migration wrote them) is
 * folded at open, and a second connection that had the old schema loaded
 * sees the new one.
 */
START_TEST(test_old_store_is_folded)
{
	struct gw_err e = GW_ERR_INIT;
	char *dir = tu_tmpdir(), *path = tu_path(dir, "t.db");
	struct db *db;
	sqlite3 *old;

	ck_assert_int_eq(sqlite3_open(path, &old), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(old, "PRAGMA journal_mode=WAL;"
	    "CREATE TABLE schema_migrations(part TEXT NOT NULL, version"
	    " INTEGER NOT NULL, applied_at TEXT NOT NULL, PRIMARY KEY(part,"
	    " version));"
	    "INSERT INTO schema_migrations VALUES ('t', 1, 'then');",
	    NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(old, t_migrations[0].sql, NULL, NULL,
	    NULL), SQLITE_OK);
	ck_assert_int_eq(schema_has_lists(old), 3);
	ck_assert_int_gt(ephemeral_tables(old,
	    "UPDATE t SET state = 'paid' WHERE id = 1"), 0);

	ck_assert_int_eq(db_open(&db, path, &t_part, 1, &e), 0);
	check_enforced(db);
	/* Its next statement notices the schema changed and reloads it. */
	ck_assert_int_eq(sqlite3_exec(old, "SELECT count(*) FROM t", NULL,
	    NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(ephemeral_tables(old,
	    "UPDATE t SET state = 'paid' WHERE id = 1"), 0);
	db_close(db);
	/* Folded once: opening again changes nothing. */
	ck_assert_int_eq(db_open(&db, path, &t_part, 1, &e), 0);
	ck_assert_int_eq(schema_has_lists(db_handle(db)), 0);
	db_close(db);
	sqlite3_close(old);
	free(path);
	tu_tmpdir_free(dir);
}
END_TEST

static Suite *
sqlfold_suite(void)
{
	Suite *s = suite_create("sqlfold");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_fold_cases, 0,
	    sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, test_fold_same_truth);
	tcase_add_test(tc, test_new_store_is_folded);
	tcase_add_test(tc, test_old_store_is_folded);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(sqlfold_suite)
