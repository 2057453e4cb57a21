/*
 * Unit tests: the hash-chained audit trail (common/audit.c) and the store
 * it lives in (common/db.c): migrations, tampering, rollback.
 */
#include "tests/unit/testutil.h"

#include <sys/stat.h>

#include "common/audit.h"
#include "common/db.h"

static char *dir, *path;
static struct db *db;

static void
setup(void)
{
	struct gw_err e = GW_ERR_INIT;

	dir = tu_tmpdir();
	path = tu_path(dir, "t.db");
	ck_assert_int_eq(db_open(&db, path, &audit_db_part, 1, &e), 0);
}

static void
teardown(void)
{
	db_close(db);
	free(path);
	tu_tmpdir_free(dir);
}

static void
append(int n)
{
	struct gw_err e = GW_ERR_INIT;
	struct audit_event ev = { "tester", "mandate", "M1", "activate",
	    "pending", "active", NULL };
	int i;

	for (i = 0; i < n; i++) {
		ck_assert_int_eq(db_begin(db, &e), 0);
		ck_assert_int_eq(audit_append(db, &ev, &e), 0);
		ck_assert_int_eq(db_commit(db, &e), 0);
	}
}

static int64_t
verify(int expect_rc, struct gw_err *e)
{
	int64_t bad = -1, n;

	ck_assert_int_eq(audit_verify(db, &bad, &n, e), expect_rc);
	return expect_rc ? bad : n;
}

START_TEST(test_intact)
{
	struct gw_err e = GW_ERR_INIT;

	ck_assert_int_eq(verify(0, &e), 0);
	append(5);
	ck_assert_int_eq(verify(0, &e), 5);
}
END_TEST

START_TEST(test_changed_row)
{
	struct gw_err e = GW_ERR_INIT;

	append(5);
	ck_assert_int_eq(db_exec(db, "UPDATE audit_events SET reason = 'x' "
	    "WHERE id = 3", &e), 0);
	ck_assert_int_eq(verify(GW_EINPUT, &e), 3);
	ck_assert_ptr_nonnull(strstr(e.msg, "audit row 3"));
}
END_TEST

START_TEST(test_deleted_middle_row)
{
	struct gw_err e = GW_ERR_INIT;

	append(5);
	ck_assert_int_eq(db_exec(db, "DELETE FROM audit_events WHERE id = 2",
	    &e), 0);
	ck_assert_int_eq(verify(GW_EINPUT, &e), 3);
	ck_assert_ptr_nonnull(strstr(e.msg, "deleted"));
}
END_TEST

START_TEST(test_deleted_last_row)
{
	struct gw_err e = GW_ERR_INIT;

	append(5);
	ck_assert_int_eq(db_exec(db, "DELETE FROM audit_events WHERE id = 5",
	    &e), 0);
	ck_assert_int_eq(verify(GW_EINPUT, &e), 5);
	ck_assert_ptr_nonnull(strstr(e.msg, "head"));
}
END_TEST

START_TEST(test_rollback_keeps_chain)
{
	struct gw_err e = GW_ERR_INIT;
	struct audit_writer *w;
	struct audit_event ev = { "t", "batch", "B1", "sign", "assembled",
	    "signed", "r" };

	append(2);
	ck_assert_int_eq(db_begin(db, &e), 0);
	ck_assert_int_eq(audit_writer_open(&w, db, &e), 0);
	ck_assert_int_eq(audit_writer_append(w, &ev, &e), 0);
	ck_assert_int_eq(audit_writer_append(w, &ev, &e), 0);
	audit_writer_abort(w);
	db_rollback(db);
	append(1);
	ck_assert_int_eq(verify(0, &e), 3);
}
END_TEST

static const struct db_migration m_v1[] = { { 1, "CREATE TABLE t(x);" } };
static const struct db_migration m_v2[] = { { 1, "CREATE TABLE t(x);" },
    { 2, "ALTER TABLE t ADD COLUMN y;" } };

START_TEST(test_migrations)
{
	struct gw_err e = GW_ERR_INIT;
	struct db_part p1 = { "p", m_v1, 1 }, p2 = { "p", m_v2, 2 };
	struct db *d2 = NULL;
	char *p = tu_path(dir, "m.db");
	struct stat st;

	ck_assert_int_eq(db_open(&d2, p, &p2, 1, &e), 0);
	db_close(d2);
	/* Reopening applies nothing twice. */
	ck_assert_int_eq(db_open(&d2, p, &p2, 1, &e), 0);
	ck_assert_int_eq(db_exec(d2, "INSERT INTO t(x, y) VALUES (1, 2)", &e), 0);
	db_close(d2);
	/* An older binary refuses a newer database. */
	ck_assert_int_eq(db_open(&d2, p, &p1, 1, &e), GW_EENV);
	ck_assert_ptr_null(d2);
	ck_assert_ptr_nonnull(strstr(e.msg, "newer"));
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_int_eq(st.st_mode & 077, 0);
	free(p);
}
END_TEST

/* Looked up by entity and id: every entity but obligations, whose
 * million events a run adds stay out of the index. */
START_TEST(test_entity_index)
{
	static const char q_plan[] = "EXPLAIN QUERY PLAN SELECT at FROM"
	    " audit_events WHERE entity = 'mandate' AND entity_id = 'M1' AND "
	    AUDIT_BY_ENTITY " ORDER BY id";
	struct gw_err e = GW_ERR_INIT;
	struct audit_event ev = { "tester", "obligation", "O0000000001",
	    "settle", "in_batch", "paid", NULL };
	sqlite3_stmt *st;
	int uses = 0;

	append(3);
	ck_assert_int_eq(db_begin(db, &e), 0);
	ck_assert_int_eq(audit_append(db, &ev, &e), 0);
	ck_assert_int_eq(db_commit(db, &e), 0);
	ck_assert_int_eq(sqlite3_prepare_v2(db_handle(db), q_plan, -1, &st,
	    NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW)
		uses += strstr((const char *)sqlite3_column_text(st, 3),
		    "audit_entity") != NULL;
	sqlite3_finalize(st);
	ck_assert_int_eq(uses, 1);
	ck_assert_int_eq(sqlite3_prepare_v2(db_handle(db), "SELECT count(*)"
	    " FROM audit_events INDEXED BY audit_entity WHERE "
	    AUDIT_BY_ENTITY, -1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_int_eq(sqlite3_column_int(st, 0), 3);
	sqlite3_finalize(st);
	ck_assert_int_eq(verify(0, &e), 4);
}
END_TEST

START_TEST(test_db_errors)
{
	struct gw_err e = GW_ERR_INIT;
	static const char q[] = "SELEKT 1";
	static const char q2[] = "SELECT 41 + 1";
	sqlite3_stmt *st;

	ck_assert_ptr_null(db_stmt(db, q, &e));
	ck_assert_int_eq(e.code, GW_EDB);
	gw_err_clear(&e);
	ck_assert_ptr_nonnull(st = db_stmt(db, q2, &e));
	ck_assert_ptr_eq(db_stmt(db, q2, &e), st);	/* cached */
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_int_eq(sqlite3_column_int(st, 0), 42);
	ck_assert_int_eq(db_exec(db, "CREATE TABLE u(a UNIQUE)", &e), 0);
	ck_assert_int_eq(db_exec(db, "INSERT INTO u VALUES (1)", &e), 0);
	ck_assert_int_eq(db_exec(db, "INSERT INTO u VALUES (1)", &e), GW_EDUP);
	gw_err_clear(&e);
	ck_assert_int_eq(db_begin(db, &e), 0);
	ck_assert_int_eq(db_begin(db, &e), GW_EDB);	/* no nesting */
	db_rollback(db);
	ck_assert(!db_in_tx(db));
}
END_TEST

static Suite *
audit_suite(void)
{
	Suite *s = suite_create("audit");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_intact);
	tcase_add_test(tc, test_changed_row);
	tcase_add_test(tc, test_deleted_middle_row);
	tcase_add_test(tc, test_deleted_last_row);
	tcase_add_test(tc, test_rollback_keeps_chain);
	tcase_add_test(tc, test_migrations);
	tcase_add_test(tc, test_entity_index);
	tcase_add_test(tc, test_db_errors);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(audit_suite)
