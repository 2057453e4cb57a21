/*
 * Unit tests: statements for many rows at once (db_stmt_rows, common/db.c).
 */
#include "tests/unit/testutil.h"

#include "common/db.h"

static const struct db_migration t_migrations[] = {
	{ 1, "CREATE TABLE t(k INTEGER PRIMARY KEY, tag TEXT NOT NULL,"
	  " v INTEGER NOT NULL CHECK (v > 0));" },
};
static const struct db_part t_part = DB_PART("t", t_migrations);

/* ?1 in the head, then each row's two plain parameters. */
static const struct db_rows q_ins = { "INSERT INTO t(tag, k, v) SELECT ?1,"
    " column1, column2 FROM (VALUES ", "(?,?)", ")" };

static int64_t
count(struct db *db, const char *tag)
{
	sqlite3_stmt *st;
	int64_t n;

	ck_assert_int_eq(sqlite3_prepare_v2(db_handle(db), "SELECT count(*)"
	    " FROM t WHERE tag = ?", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, tag, -1, SQLITE_STATIC);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* Insert n rows tagged tag, keys from k0, values v (bad at index bad). */
static int
insert(struct db *db, const char *tag, int n, int k0, int bad)
{
	struct gw_err e = GW_ERR_INIT;
	sqlite3_stmt *st;
	int i, rc;

	ck_assert_ptr_nonnull(st = db_stmt_rows(db, &q_ins, n, &e));
	ck_assert_int_eq(sqlite3_bind_parameter_count(st), 1 + 2 * n);
	sqlite3_bind_text(st, 1, tag, -1, SQLITE_STATIC);
	for (i = 0; i < n; i++) {
		sqlite3_bind_int(st, 2 + 2 * i, k0 + i);
		sqlite3_bind_int(st, 3 + 2 * i, i == bad ? 0 : i + 1);
	}
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc;
}

START_TEST(test_rows)
{
	struct gw_err e = GW_ERR_INIT;
	char *dir = tu_tmpdir(), *path = tu_path(dir, "t.db");
	struct db *db;
	sqlite3_stmt *one, *three;

	ck_assert_int_eq(db_open(&db, path, &t_part, 1, &e), 0);
	ck_assert_int_eq(insert(db, "a", 1, 1, -1), SQLITE_DONE);
	ck_assert_int_eq(insert(db, "b", 3, 10, -1), SQLITE_DONE);
	ck_assert_int_eq(insert(db, "c", DB_ROWS_MAX, 100, -1), SQLITE_DONE);
	ck_assert_int_eq(count(db, "a"), 1);
	ck_assert_int_eq(count(db, "b"), 3);
	ck_assert_int_eq(count(db, "c"), DB_ROWS_MAX);

	/* One statement per (template, n), kept and reset for the next use. */
	ck_assert_ptr_nonnull(one = db_stmt_rows(db, &q_ins, 1, &e));
	ck_assert_ptr_nonnull(three = db_stmt_rows(db, &q_ins, 3, &e));
	ck_assert_ptr_ne(one, three);
	ck_assert_ptr_eq(db_stmt_rows(db, &q_ins, 3, &e), three);
	ck_assert_int_eq(insert(db, "d", 3, 20, -1), SQLITE_DONE);
	ck_assert_int_eq(count(db, "d"), 3);

	/* A bad row: the statement writes none of its rows. */
	ck_assert_int_eq(db_begin(db, &e), 0);
	ck_assert_int_eq(insert(db, "e", 5, 30, 3), SQLITE_CONSTRAINT);
	ck_assert_int_eq(count(db, "e"), 0);
	ck_assert_int_eq(insert(db, "e", 5, 30, -1), SQLITE_DONE);
	ck_assert_int_eq(db_commit(db, &e), 0);
	ck_assert_int_eq(count(db, "e"), 5);

	/* Out of range: refused, not prepared. */
	ck_assert_ptr_null(db_stmt_rows(db, &q_ins, 0, &e));
	ck_assert_int_eq(e.code, GW_EDB);
	gw_err_clear(&e);
	ck_assert_ptr_null(db_stmt_rows(db, &q_ins, DB_ROWS_MAX + 1, &e));
	ck_assert_int_eq(e.code, GW_EDB);
	db_close(db);
	free(path);
	tu_tmpdir_free(dir);
}
END_TEST

static Suite *
db_suite(void)
{
	Suite *s = suite_create("db");
	TCase *tc = tcase_create("rows");

	tcase_add_test(tc, test_rows);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(db_suite)
