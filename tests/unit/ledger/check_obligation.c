/*
 * Unit tests: the obligation state machine and the API batch assembly,
 * return ingestion and finance staff use (ledger/obligation.c).
 */
#include "tests/unit/testutil.h"
#include "tests/unit/ledger/fixture.h"
#include "common/vec.h"
#include "ledger/debit_apply.h"

static char *dir;
static struct db *db;
static char payer[4][19];
static int64_t obl[4];

#define D(y, m, d) date_from_ymd((y), (m), (d))

/*
 * Four payers assessed for 2025: 0 and 1 have active ICBC mandates, 2 a
 * pending one, 3 none. Payer 1 is a newborn, payer 2 a late assessment.
 */
static void
setup(void)
{
	struct gw_err e = GW_ERR_INIT;
	struct assess_import_result r;
	char rows[1024];
	int i;

	ck_assert_msg(fx_open(&dir, &db, &e) == 0, "%s", e.msg);
	for (i = 0; i < 4; i++)
		fx_payer(payer[i], 100 + i);
	snprintf(rows, sizeof(rows),
	    "%s,2025,430.00,0,adult,,,,0,0\n"
	    "%s,2025,300.00,0,minor,,,,0,1\n"
	    "%s,2025,430.00,30.00,adult,,,,1,0\n"
	    "%s,2025,430.00,0,adult,,,,0,0\n",
	    payer[0], payer[1], payer[2], payer[3]);
	ck_assert_msg(fx_assess_text(db, dir, "a.csv", rows, NULL, 0, &r,
	    &e) == 0, "%s", e.msg);
	ck_assert_int_eq(r.imported, 4);
	ck_assert_int_eq(fx_mandate(db, payer[0], "ICBC", "active", NULL, &e),
	    0);
	ck_assert_int_eq(fx_mandate(db, payer[1], "ICBC", "active", NULL, &e),
	    0);
	ck_assert_int_eq(fx_mandate(db, payer[2], "CCB", "pending", NULL, &e),
	    0);
	for (i = 0; i < 4; i++)
		ck_assert_int_ne(obl[i] = fx_obligation(db, payer[i], "2025"),
		    0);
}

static void
teardown(void)
{
	fx_close(&dir, &db);
}

static void
state_is(int64_t id, const char *want)
{
	struct obligation o;
	struct gw_err e = GW_ERR_INIT;

	ck_assert_int_eq(obligation_get(db, id, &o, &e), 0);
	ck_assert_str_eq(o.state, want);
}

static int
batch(int64_t id, struct gw_err *e)
{
	return FX_TX(db, e, obligation_mark_in_batch(db, id, "B1", "batcher",
	    e));
}

static int
settle(int64_t id, long file, const char *item, int64_t amount,
    struct gw_err *e)
{
	struct debit_result r;
	char sha[65];

	fx_result(&r, sha, id, file, item, amount, D(2025, 11, 26));
	return FX_TX(db, e, obligation_settle_debit(db, NULL, &r, e));
}

static int
fail_item(int64_t id, long file, const char *item, const char *cat,
    int64_t *susp, struct gw_err *e)
{
	struct debit_result r;
	struct obligation o;
	char sha[65];

	/* The bank answers for the amount the batch asked for. */
	if (obligation_get(db, id, &o, e) != 0)
		return e->code;
	fx_result(&r, sha, id, file, item, o.due_fen, D(2025, 11, 26));
	r.category = cat;
	r.raw_code = "AM04";
	return FX_TX(db, e, obligation_fail_debit(db, &r, susp, e));
}

#define pay(id, ref, amount, on, e) \
	fx_pay(db, (id), "wechat", (ref), (amount), (on), (e))

#define balance(account, who) fx_balance(db, (account), (who))

START_TEST(test_transitions_match_schema)
{
	static const char q[] = "SELECT count(*) FROM obligation_transitions"
	    " WHERE from_state = ? AND to_state = ?";
	struct gw_err e = GW_ERR_INIT;
	size_t i, j, legal = 0;

	for (i = 0; i < 10; i++)
		for (j = 0; j < 10; j++) {
			sqlite3_stmt *st = db_stmt(db, q, &e);
			int in_sql;

			ck_assert_ptr_nonnull(st);
			sqlite3_bind_text(st, 1, obligation_states[i], -1,
			    SQLITE_STATIC);
			sqlite3_bind_text(st, 2, obligation_states[j], -1,
			    SQLITE_STATIC);
			ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
			in_sql = sqlite3_column_int(st, 0);
			sqlite3_reset(st);
			ck_assert_msg(in_sql == obligation_transition_is_legal(
			    obligation_states[i], obligation_states[j]),
			    "%s -> %s", obligation_states[i],
			    obligation_states[j]);
			legal += in_sql;
		}
	ck_assert_int_eq(legal, 17);
}
END_TEST

/* The C test and the SQL term of the partial state index agree, and the
 * lookups by a worked state use the index. */
START_TEST(test_worked_states_match_index)
{
	static const char q[] = "WITH o(state) AS (VALUES (?))"
	    " SELECT count(*) FROM o WHERE " LEDGER_WORKED_STATE;
	static const char plan[] = "EXPLAIN QUERY PLAN SELECT id FROM"
	    " obligations WHERE state = 'failed' AND " LEDGER_WORKED_STATE;
	struct gw_err e = GW_ERR_INIT;
	sqlite3_stmt *st;
	int used = 0;
	size_t i;

	for (i = 0; i < 10; i++) {
		ck_assert_ptr_nonnull(st = db_stmt(db, q, &e));
		sqlite3_bind_text(st, 1, obligation_states[i], -1,
		    SQLITE_STATIC);
		ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
		ck_assert_msg(sqlite3_column_int(st, 0) ==
		    ledger_state_is_worked(obligation_states[i]), "%s",
		    obligation_states[i]);
		sqlite3_reset(st);
	}
	ck_assert_int_eq(sqlite3_prepare_v2(db_handle(db), plan, -1, &st, NULL),
	    SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW)
		used |= strstr((const char *)sqlite3_column_text(st, 3),
		    "obligations_state") != NULL;
	sqlite3_finalize(st);
	ck_assert(used);
}
END_TEST

START_TEST(test_sql_refuses_illegal_changes)
{
	sqlite3 *h = db_handle(db);
	static const char *const attacks[] = {
		"UPDATE obligations SET state = 'paid'",
		"UPDATE obligations SET state = 'refunded'",
		"UPDATE obligations SET due_fen = 1",
		"DELETE FROM obligations",
		"INSERT INTO obligation_transitions VALUES ('open','paid')",
		"DELETE FROM obligation_transitions",
	};
	size_t i;

	for (i = 0; i < sizeof(attacks) / sizeof(attacks[0]); i++)
		ck_assert_msg(sqlite3_exec(h, attacks[i], NULL, NULL, NULL) !=
		    SQLITE_OK, "'%s' was allowed", attacks[i]);
	state_is(obl[0], "open");
}
END_TEST

struct due {
	int64_t	ids[8];
	int	n;
	char	bank[8];
};

static int
collect(void *arg, const struct obligation_due *d)
{
	struct due *c = arg;

	c->ids[c->n++] = d->obligation_id;
	snprintf(c->bank, sizeof(c->bank), "%s", d->bank_code);
	ck_assert_int_gt(d->mandate_id, 0);
	ck_assert_str_eq(d->payer_name, "张三");
	return 0;
}

START_TEST(test_due_needs_active_mandate)
{
	struct gw_err e = GW_ERR_INIT;
	struct due_filter f;
	struct due c;

	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(obligation_foreach_due(db, NULL, collect, &c, &e), 0);
	ck_assert_int_eq(c.n, 2);
	ck_assert_int_eq(c.ids[0], obl[0]);
	ck_assert_int_eq(c.ids[1], obl[1]);
	ck_assert_str_eq(c.bank, "ICBC");
	memset(&f, 0, sizeof(f));
	f.bank_code = "CCB";
	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(obligation_foreach_due(db, &f, collect, &c, &e), 0);
	ck_assert_int_eq(c.n, 0);
	f.bank_code = NULL;
	f.period_upto = "2024-12";
	ck_assert_int_eq(obligation_foreach_due(db, &f, collect, &c, &e), 0);
	ck_assert_int_eq(c.n, 0);
	/* In a batch, an obligation is no longer due. */
	ck_assert_int_eq(batch(obl[0], &e), 0);
	f.period_upto = "2025-12";
	ck_assert_int_eq(obligation_foreach_due(db, &f, collect, &c, &e), 0);
	ck_assert_int_eq(c.n, 1);
	ck_assert_int_eq(c.ids[0], obl[1]);
}
END_TEST

START_TEST(test_batch_release_settle)
{
	struct gw_err e = GW_ERR_INIT;
	struct obligation o;

	ck_assert_int_eq(batch(obl[0], &e), 0);
	state_is(obl[0], "in_batch");
	ck_assert_int_eq(batch(obl[0], &e), GW_ESTATE);
	gw_err_clear(&e);
	ck_assert_int_eq(FX_TX(db, &e, obligation_release_from_batch(db,
	    obl[0], "batch cancelled", "batcher", &e)), 0);
	state_is(obl[0], "open");
	/* Settling needs a batch. */
	ck_assert_int_eq(settle(obl[0], 1, "E1", 43000, &e), GW_ESTATE);
	ck_assert_ptr_nonnull(strstr(e.msg, "settle needs in_batch"));
	gw_err_clear(&e);
	ck_assert_int_eq(batch(obl[0], &e), 0);
	ck_assert_int_eq(settle(obl[0], 1, "E1", 42000, &e), GW_EINPUT);
	gw_err_clear(&e);
	ck_assert_int_eq(settle(obl[0], 1, "E1", 43000, &e), 0);
	ck_assert_int_eq(obligation_get(db, obl[0], &o, &e), 0);
	ck_assert_str_eq(o.state, "paid");
	ck_assert_str_eq(o.pay_channel, "debit");
	ck_assert_str_eq(o.pay_bank, "ICBC");
	ck_assert_str_eq(o.paid_on, "2025-11-26");
	ck_assert_str_eq(o.pay_ref, "E1");
	ck_assert_str_eq(o.cover_from, "2025-01-01");
	ck_assert_int_eq(balance("receivable", payer[0]), 0);
	ck_assert_int_eq(balance("clearing:ICBC", NULL), 43000);
	/* The same item again: exactly once. Another item: wrong state. */
	ck_assert_int_eq(settle(obl[0], 1, "E1", 43000, &e), GW_EDUP);
	ck_assert_msg(strstr(e.msg, "applied before (paid") != NULL, "%s", e.msg);
	gw_err_clear(&e);
	ck_assert_int_eq(settle(obl[0], 2, "E1", 43000, &e), GW_ESTATE);
	ck_assert_int_eq(balance("clearing:ICBC", NULL), 43000);
}
END_TEST

static const char *
mandate_state(const char *who)
{
	static struct mandate m;
	struct gw_err e = GW_ERR_INIT;

	ck_assert_int_eq(mandate_live_for_payer(db, who, &m, &e), 1);
	return m.state;
}

START_TEST(test_fail_and_suspend)
{
	struct gw_err e = GW_ERR_INIT;
	struct obligation o;
	int64_t susp = -1;

	ck_assert_int_eq(batch(obl[0], &e), 0);
	ck_assert_int_eq(batch(obl[1], &e), 0);
	ck_assert_int_eq(fail_item(obl[0], 3, "E1", "no_such_category", &susp, &e),
	    GW_EINPUT);
	gw_err_clear(&e);
	ck_assert_int_eq(fail_item(obl[0], 3, "E1", "insufficient_funds", &susp,
	    &e), 0);
	ck_assert_int_eq(susp, 0);
	ck_assert_str_eq(mandate_state(payer[0]), "active");
	ck_assert_int_eq(obligation_get(db, obl[0], &o, &e), 0);
	ck_assert_str_eq(o.state, "failed");
	ck_assert_str_eq(o.fail_category, "insufficient_funds");
	ck_assert_str_eq(o.fail_code, "AM04");
	ck_assert_str_eq(o.failed_on, "2025-11-26");
	ck_assert_int_eq(balance("receivable", payer[0]), 43000);
	/* A closed account suspends the mandate in the same transaction. */
	ck_assert_int_eq(fail_item(obl[1], 3, "E2", "account_closed", &susp, &e), 0);
	ck_assert_int_gt(susp, 0);
	ck_assert_str_eq(mandate_state(payer[1]), "suspended");
	ck_assert_int_eq(fail_item(obl[1], 3, "E2", "account_closed", &susp, &e),
	    GW_EDUP);
	ck_assert_msg(strstr(e.msg, "applied before (failed") != NULL, "%s",
	    e.msg);
	gw_err_clear(&e);
	/* Failed is never due again, unless reopened (retry policy). */
	ck_assert_int_eq(FX_TX(db, &e, obligation_reopen_failed(db, obl[0],
	    "retry same month", "batcher", &e)), 0);
	state_is(obl[0], "open");
	ck_assert_int_eq(FX_TX(db, &e, obligation_reopen_failed(db, obl[0],
	    "again", "batcher", &e)), GW_ESTATE);
}
END_TEST

START_TEST(test_pay_channel)
{
	struct gw_err e = GW_ERR_INIT;
	struct obligation o;
	int64_t susp;

	ck_assert_int_eq(batch(obl[0], &e), 0);
	ck_assert_int_eq(fail_item(obl[0], 4, "E1", "account_frozen", &susp, &e),
	    0);
	ck_assert_int_eq(pay(obl[0], "WX1", 43001, D(2025, 11, 28), &e),
	    GW_EINPUT);
	ck_assert_ptr_nonnull(strstr(e.msg, "over-payment"));
	gw_err_clear(&e);
	ck_assert_int_eq(pay(obl[0], "WX1", 42999, D(2025, 11, 28), &e),
	    GW_EINPUT);
	ck_assert_ptr_nonnull(strstr(e.msg, "under-payment"));
	gw_err_clear(&e);
	ck_assert_int_eq(pay(obl[0], "WX1", 43000, D(2026, 3, 2), &e),
	    GW_EINPUT);
	gw_err_clear(&e);
	ck_assert_int_eq(pay(obl[0], "WX1", 43000, D(2025, 11, 28), &e), 0);
	ck_assert_int_eq(obligation_get(db, obl[0], &o, &e), 0);
	ck_assert_str_eq(o.state, "paid_other_channel");
	ck_assert_str_eq(o.cover_from, "2025-01-01");
	ck_assert_int_eq(balance("clearing:wechat", NULL), 43000);
	ck_assert_int_eq(balance("receivable", payer[0]), 0);
	/* A second payment, and a reference used before, are refused. */
	ck_assert_int_eq(pay(obl[0], "WX2", 43000, D(2025, 11, 28), &e),
	    GW_ESTATE);
	ck_assert_ptr_nonnull(strstr(e.msg, "second payment"));
	gw_err_clear(&e);
	ck_assert_int_eq(pay(obl[3], "WX1", 43000, D(2025, 11, 28), &e),
	    GW_EDUP);
	gw_err_clear(&e);
	/* Open, with no mandate: paying at a counter is fine. */
	ck_assert_int_eq(pay(obl[3], "WX3", 43000, D(2025, 11, 28), &e), 0);
	/* In a batch: wait for the bank. */
	ck_assert_int_eq(batch(obl[1], &e), 0);
	ck_assert_int_eq(pay(obl[1], "WX4", 30000, D(2025, 11, 28), &e),
	    GW_ESTATE);
	ck_assert_ptr_nonnull(strstr(e.msg, "in batch"));
	ck_assert_int_eq(balance("clearing:wechat", NULL), 86000);
}
END_TEST

START_TEST(test_cover_from)
{
	struct ledger_policy pol;
	struct obligation o;

	ledger_policy_default(&pol);
	memset(&o, 0, sizeof(o));
	snprintf(o.period, sizeof(o.period), "2025");
	o.year = 2025;
	ck_assert_int_eq(obligation_cover_from(&pol, &o, D(2025, 12, 1), 0),
	    D(2025, 1, 1));
	/* Arrears paid late: 90 days after payment (Linfen). */
	ck_assert_int_eq(obligation_cover_from(&pol, &o, D(2025, 12, 1), 1),
	    D(2025, 12, 1) + 90);
	/* A supplementary assessment waits too, and never before the year. */
	o.late = 1;
	ck_assert_int_eq(obligation_cover_from(&pol, &o, D(2025, 3, 1), 0),
	    D(2025, 5, 30));
	ck_assert_int_eq(obligation_cover_from(&pol, &o, D(2024, 9, 1), 0),
	    D(2025, 1, 1));
	pol.late_wait_days = 30;
	ck_assert_int_eq(obligation_cover_from(&pol, &o, D(2025, 3, 1), 0),
	    D(2025, 3, 31));
	/* Newborns: no wait until Feb 25 of the next year, then the wait. */
	o.late = 0;
	o.newborn = 1;
	pol.late_wait_days = 90;
	ck_assert_int_eq(obligation_cover_from(&pol, &o, D(2026, 2, 25), 1),
	    D(2025, 1, 1));
	ck_assert_int_eq(obligation_cover_from(&pol, &o, D(2026, 2, 26), 0),
	    D(2026, 2, 26) + 90);
	pol.newborn_until = 229;	/* 2026 has no Feb 29: the 28th */
	ck_assert_int_eq(obligation_cover_from(&pol, &o, D(2026, 2, 28), 0),
	    D(2025, 1, 1));
	ck_assert_int_eq(obligation_cover_from(&pol, &o, D(2026, 3, 1), 0),
	    D(2026, 3, 1) + 90);
	/* Monthly periods start on their first day. */
	o.newborn = 0;
	snprintf(o.period, sizeof(o.period), "2025-11");
	ck_assert_int_eq(obligation_cover_from(&pol, &o, D(2025, 11, 20), 0),
	    D(2025, 11, 1));
}
END_TEST

/*
 * The bulk path (debit_apply, used by returns ingest) starts cover where
 * the single-result path does: a newborn paid before the deadline is
 * covered from the period's first day.
 */
START_TEST(test_bulk_settle_cover)
{
	struct gw_err e = GW_ERR_INIT;
	struct debit_apply *a = NULL;
	struct obligation o;
	char sha[65];

	fx_sha(sha, 7);
	ck_assert_int_eq(batch(obl[1], &e), 0);
	ck_assert_int_eq(db_begin(db, &e), 0);
	ck_assert_msg(debit_apply_open(&a, db, NULL, "ICBC", sha, "ingest",
	    &e) == 0, "%s", e.msg);
	ck_assert_msg(debit_apply_settle(a, obl[1], 30000, D(2025, 11, 26),
	    "E1", &e) == 0, "%s", e.msg);
	ck_assert_msg(debit_apply_close(a, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(db_commit(db, &e), 0);
	ck_assert_int_eq(obligation_get(db, obl[1], &o, &e), 0);
	ck_assert_str_eq(o.state, "paid");
	ck_assert_str_eq(o.cover_from, "2025-01-01");
}
END_TEST

/*
 * The bulk path writes settled items a chunk at a time. Past a chunk's
 * end, across a change of day and among failures (one that suspends a
 * mandate), every settled item ends paid with its own reference, day and
 * cover and is credited once, every failed one failed on its day with
 * its row; an obligation settled twice within one chunk fails the chunk
 * instead of counting once.
 */
START_TEST(test_bulk_chunks)
{
	enum { N = 150, FAILED = 100 };
	struct gw_err e = GW_ERR_INIT;
	struct assess_import_result r;
	struct debit_apply *a = NULL;
	struct debit_ob ob;
	struct obligation o;
	static char p[N][19];
	int64_t ids[N], susp = 0, entries, bad;
	char sql[128];
	char *rows, ref[16], want[DATE_BUFSZ], sha[65];
	size_t len = 0, cap = 0;
	int i, day;

	rows = NULL;
	for (i = 0; i < N; i++) {
		char row[96];

		fx_payer(p[i], 1000 + i);
		snprintf(row, sizeof(row), "%.18s,2025,100.00,0,adult,,,,%d,0\n",
		    p[i], i % 10 == 3);
		ck_assert_int_eq(vec_append(&rows, &len, &cap, row,
		    strlen(row) + (i == N - 1)), 0);
		ck_assert_int_eq(fx_mandate(db, p[i], "ICBC", "active", NULL,
		    &e), 0);
	}
	ck_assert_msg(fx_assess_text(db, dir, "b.csv", rows, NULL, 0, &r,
	    &e) == 0, "%s", e.msg);
	free(rows);
	for (i = 0; i < N; i++) {
		ids[i] = fx_obligation(db, p[i], "2025");
		ck_assert_int_eq(batch(ids[i], &e), 0);
	}
	fx_sha(sha, 9);
	ck_assert_int_eq(db_begin(db, &e), 0);
	ck_assert_int_eq(debit_apply_open(&a, db, NULL, "ICBC", sha, "ingest",
	    &e), 0);
	for (i = 0; i < N; i++) {
		day = i < 70 ? D(2025, 11, 26) : D(2025, 11, 27);
		snprintf(ref, sizeof(ref), "E%d", i);
		if (i == FAILED)
			ck_assert_msg(debit_apply_fail(a, ids[i], 10000, day, ref,
			    "account_closed", "AC04", 0, &susp, &e) == 0, "%s",
			    e.msg);
		else if (i % 7 == 5)
			ck_assert_msg(debit_apply_fail(a, ids[i], 10000, day, ref,
			    "insufficient_funds", "AM04", 0, NULL, &e) == 0, "%s",
			    e.msg);
		else
			ck_assert_msg(debit_apply_settle(a, ids[i], 10000, day,
			    ref, &e) == 0, "%s", e.msg);
	}
	ck_assert_msg(debit_apply_close(a, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(db_commit(db, &e), 0);
	ck_assert_int_gt(susp, 0);
	ck_assert_str_eq(mandate_state(p[FAILED]), "suspended");
	for (i = 0; i < N; i++) {
		ck_assert_int_eq(obligation_get(db, ids[i], &o, &e), 0);
		day = i < 70 ? D(2025, 11, 26) : D(2025, 11, 27);
		if (i == FAILED || i % 7 == 5) {
			ck_assert_str_eq(o.state, "failed");
			ck_assert_str_eq(o.fail_code, i == FAILED ? "AC04" : "AM04");
			ck_assert_str_eq(o.failed_on, date_format(want, day));
			ck_assert_int_eq(balance("receivable", p[i]), 10000);
			continue;
		}
		snprintf(ref, sizeof(ref), "E%d", i);
		ck_assert_str_eq(o.state, "paid");
		ck_assert_str_eq(o.pay_ref, ref);
		ck_assert_str_eq(o.paid_on, date_format(want, day));
		/* A supplementary assessment: cover 90 days after payment. */
		date_format(want, o.late ? day + 90 : D(2025, 1, 1));
		ck_assert_str_eq(o.cover_from, want);
		ck_assert_int_eq(balance("receivable", p[i]), 0);
	}
	/* 21 failures (i % 7 == 5) and the suspending one: one row each. */
	ck_assert_int_eq(fx_scalar(db, "SELECT count(*) FROM debit_results"
	    " WHERE outcome = 'failed'"), 22);
	ck_assert_int_eq(balance("clearing:ICBC", NULL), (N - 22) * 10000);
	/* Credited by entry: each paid obligation names one, each such
	 * entry credits receivable once, for the dues naming it. */
	ck_assert_int_eq(fx_scalar(db, "SELECT count(*) FROM obligations"
	    " WHERE pay_entry IS NOT NULL"), N - 22);
	ck_assert_int_eq(fx_scalar(db, "SELECT count(*) FROM postings WHERE"
	    " account = 'receivable' AND amount_fen < 0"),
	    fx_scalar(db, "SELECT count(DISTINCT pay_entry) FROM obligations"));
	ck_assert_int_eq(fx_scalar(db, "SELECT count(*) FROM postings WHERE"
	    " account = 'receivable' AND amount_fen < 0 AND entry_id NOT IN"
	    " (SELECT pay_entry FROM obligations)"), 0);
	ck_assert_msg(journal_check(db, &entries, &bad, &e) == 0, "%s", e.msg);
	/* The entry an obligation names is set once; moved by hand (the
	 * guard dropped), the check names the entry that no longer adds up,
	 * or the one that credits nothing. */
	snprintf(sql, sizeof(sql), "UPDATE obligations SET pay_entry = NULL"
	    " WHERE id = %lld", (long long)ids[0]);
	ck_assert_int_ne(db_exec(db, sql, &e), 0);
	ck_assert_msg(strstr(e.msg, "debit entry is set once") != NULL, "%s",
	    e.msg);
	gw_err_clear(&e);
	ck_assert_int_eq(db_exec(db, "BEGIN; DROP TRIGGER obligations_state",
	    &e), 0);
	ck_assert_int_eq(db_exec(db, sql, &e), 0);
	ck_assert_int_eq(journal_check(db, &entries, &bad, &e), GW_EDB);
	ck_assert_msg(strstr(e.msg, "credits receivable 6000.00 for the "
	    "obligations it paid, but the 59 obligations naming it are due "
	    "5900.00") != NULL, "%s", e.msg);
	gw_err_clear(&e);
	snprintf(sql, sizeof(sql), "UPDATE obligations SET pay_entry = 1"
	    " WHERE id = %lld", (long long)ids[0]);
	ck_assert_int_eq(db_exec(db, sql, &e), 0);
	ck_assert_int_eq(journal_check(db, &entries, &bad, &e), GW_EDB);
	ck_assert_int_eq(bad, 1);
	ck_assert_msg(strstr(e.msg, "credits receivable 0.00") != NULL, "%s",
	    e.msg);
	gw_err_clear(&e);
	ck_assert_int_eq(db_exec(db, "ROLLBACK", &e), 0);
	ck_assert_msg(journal_check(db, &entries, &bad, &e) == 0, "%s", e.msg);

	/* Twice in one chunk: both pass the checks, the chunk does not. */
	ck_assert_int_eq(batch(obl[0], &e), 0);
	fx_sha(sha, 10);
	ck_assert_int_eq(db_begin(db, &e), 0);
	ck_assert_int_eq(debit_apply_open(&a, db, NULL, "ICBC", sha, "ingest",
	    &e), 0);
	ck_assert_int_eq(debit_apply_settle(a, obl[0], 43000, D(2025, 11, 26),
	    "X1", &e), 0);
	ck_assert_int_eq(debit_apply_settle(a, obl[0], 43000, D(2025, 11, 26),
	    "X2", &e), 0);
	ck_assert_int_eq(debit_apply_close(a, &e), GW_EBUSY);
	ck_assert_msg(strstr(e.msg, "answered twice") != NULL, "%s", e.msg);
	db_rollback(db);
	state_is(obl[0], "in_batch");

	/* Read ahead, then overtaken by the transaction itself: the stale
	 * read passes the checks, the guarded write does not. */
	gw_err_clear(&e);
	ck_assert_int_eq(debit_ob_read(db, obl[0], &ob, &e), 0);
	ck_assert_str_eq(ob.state, "in_batch");
	ck_assert_int_eq(ob.due, 43000);
	ck_assert_int_eq(db_begin(db, &e), 0);
	ck_assert_int_eq(debit_apply_open(&a, db, NULL, "ICBC", sha, "ingest",
	    &e), 0);
	ck_assert_int_eq(debit_apply_fail_ob(a, &ob, 43000, D(2025, 11, 26),
	    "X1", "insufficient_funds", "AM04", 0, &susp, &e), 0);
	ck_assert_int_eq(debit_apply_settle_ob(a, &ob, 43000, D(2025, 11, 26),
	    "X2", &e), 0);
	ck_assert_int_eq(debit_apply_close(a, &e), GW_EBUSY);
	ck_assert_msg(strstr(e.msg, "0 of 1 in_batch") != NULL, "%s", e.msg);
	db_rollback(db);
	state_is(obl[0], "in_batch");
	gw_err_clear(&e);
	ck_assert_int_eq(debit_ob_read(db, 999999, &ob, &e), GW_ENOTFOUND);
}
END_TEST

START_TEST(test_month_close)
{
	struct gw_err e = GW_ERR_INIT;
	struct month_close_result r;
	struct obligation o;
	struct debit_result dr;
	char sha[65];
	int64_t susp;

	ck_assert_int_eq(batch(obl[0], &e), 0);
	ck_assert_int_eq(batch(obl[1], &e), 0);
	ck_assert_int_eq(fail_item(obl[0], 5, "E1", "insufficient_funds", &susp,
	    &e), 0);
	/* obl[1] fails in December: not part of November's close. */
	fx_result(&dr, sha, obl[1], 6, "E2", 30000, D(2025, 12, 26));
	dr.category = "account_frozen";
	ck_assert_int_eq(FX_TX(db, &e, obligation_fail_debit(db, &dr, NULL,
	    &e)), 0);
	ck_assert_int_eq(obligation_close_month(db, 2025, 11, D(2025, 11, 30),
	    "finance", &r, &e), GW_EINPUT);
	ck_assert_ptr_nonnull(strstr(e.msg, "has not ended"));
	gw_err_clear(&e);
	state_is(obl[0], "failed");
	ck_assert_int_eq(obligation_close_month(db, 2025, 11, D(2025, 12, 1),
	    "finance", &r, &e), 0);
	ck_assert_int_eq(r.already, 0);
	ck_assert_int_eq(r.count, 1);
	ck_assert_int_eq(r.total_fen, 43000);
	ck_assert_int_eq(r.by_category_count[0], 1);
	state_is(obl[0], "arrears");
	state_is(obl[1], "failed");
	ck_assert_int_eq(obligation_close_month(db, 2025, 11, D(2025, 12, 2),
	    "finance", &r, &e), 0);
	ck_assert_int_eq(r.already, 1);
	/* Arrears still receivable; paid late, cover waits 90 days. */
	ck_assert_int_eq(balance("receivable", payer[0]), 43000);
	ck_assert_int_eq(pay(obl[0], "WX9", 43000, D(2026, 1, 10), &e), 0);
	ck_assert_int_eq(obligation_get(db, obl[0], &o, &e), 0);
	ck_assert_str_eq(o.cover_from, "2026-04-10");
	/* December's close takes obl[1]; then it is written off. */
	ck_assert_int_eq(obligation_close_month(db, 2025, 12, D(2026, 1, 1),
	    "finance", &r, &e), 0);
	ck_assert_int_eq(r.count, 1);
	ck_assert_int_eq(FX_TX(db, &e, obligation_write_off(db, obl[1],
	    "payer moved away", D(2026, 1, 5), "finance", &e)), 0);
	state_is(obl[1], "written_off");
	ck_assert_int_eq(balance("written_off", NULL), 30000);
	ck_assert_int_eq(balance("receivable", payer[1]), 0);
}
END_TEST

START_TEST(test_write_off_rules)
{
	struct gw_err e = GW_ERR_INIT;

	ck_assert_int_eq(FX_TX(db, &e, obligation_write_off(db, obl[3], "",
	    D(2026, 1, 5), "finance", &e)), GW_EINPUT);
	gw_err_clear(&e);
	ck_assert_int_eq(pay(obl[3], "C1", 43000, D(2025, 11, 1), &e), 0);
	ck_assert_int_eq(FX_TX(db, &e, obligation_write_off(db, obl[3],
	    "mistake", D(2026, 1, 5), "finance", &e)), GW_ESTATE);
	ck_assert_ptr_nonnull(strstr(e.msg, "write_off needs open, failed or "
	    "arrears"));
}
END_TEST

START_TEST(test_audit_trail)
{
	static const char q[] = "SELECT count(*) FROM audit_events"
	    " WHERE entity = 'obligation' AND entity_id = ?";
	struct gw_err e = GW_ERR_INIT;
	char ref[OBLIGATION_REF_SZ];
	sqlite3_stmt *st;
	int64_t bad, n, susp;

	ck_assert_int_eq(batch(obl[0], &e), 0);
	ck_assert_int_eq(fail_item(obl[0], 7, "E1", "insufficient_funds", &susp,
	    &e), 0);
	ck_assert_int_eq(pay(obl[0], "WX1", 43000, D(2025, 11, 28), &e), 0);
	ck_assert_ptr_nonnull(st = db_stmt(db, q, &e));
	sqlite3_bind_text(st, 1, obligation_ref(ref, obl[0]), -1,
	    SQLITE_TRANSIENT);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	/* assess, batch, fail, pay */
	ck_assert_int_eq(sqlite3_column_int(st, 0), 4);
	sqlite3_reset(st);
	ck_assert_msg(audit_verify(db, &bad, &n, &e) == 0, "%s", e.msg);
}
END_TEST

/* A run marks its items by the group: all or an error naming the one. */
START_TEST(test_mark_many)
{
	struct gw_err e = GW_ERR_INIT;
	struct audit_writer *aw;
	struct obligation o;
	struct obligation_mark two[2] = { { obl[0], 43000 }, { obl[1], 30000 } };
	struct obligation_mark late[2] = { { obl[2], 40000 }, { obl[0], 43000 } };
	struct obligation_mark wrong[1] = { { obl[3], 99 } };
	struct obligation_mark many[OBLIGATION_MARK_MAX + 1];
	char ref[OBLIGATION_REF_SZ];
	int64_t bad, n0, n1;

	ck_assert_msg(audit_verify(db, &bad, &n0, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(db_begin(db, &e), 0);
	ck_assert_int_eq(audit_writer_open(&aw, db, &e), 0);
	ck_assert_msg(obligation_mark_many_in_batch(db, aw, two, 2, "B7",
	    "batcher", &e) == 0, "%s", e.msg);
	ck_assert_int_eq(audit_writer_close(aw, &e), 0);
	ck_assert_int_eq(db_commit(db, &e), 0);
	ck_assert_int_eq(obligation_get(db, obl[1], &o, &e), 0);
	ck_assert_str_eq(o.state, "in_batch");
	ck_assert_str_eq(o.batch_ref, "B7");
	state_is(obl[0], "in_batch");
	ck_assert_msg(audit_verify(db, &bad, &n1, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(n1, n0 + 2);

	/* One of the group is no longer open: named, and the caller rolls
	 * the whole transaction back. */
	ck_assert_int_eq(db_begin(db, &e), 0);
	ck_assert_int_eq(audit_writer_open(&aw, db, &e), 0);
	ck_assert_int_eq(obligation_mark_many_in_batch(db, aw, late, 2, "B8",
	    "batcher", &e), GW_ESTATE);
	ck_assert_ptr_nonnull(strstr(e.msg, obligation_ref(ref, obl[0])));
	gw_err_clear(&e);
	/* An item amount that is not what is due. */
	ck_assert_int_eq(obligation_mark_many_in_batch(db, aw, wrong, 1, "B8",
	    "batcher", &e), GW_EBUSY);
	ck_assert_ptr_nonnull(strstr(e.msg, obligation_ref(ref, obl[3])));
	gw_err_clear(&e);
	memset(many, 0, sizeof(many));
	ck_assert_int_eq(obligation_mark_many_in_batch(db, aw, many,
	    OBLIGATION_MARK_MAX + 1, "B8", "batcher", &e), GW_EDB);
	gw_err_clear(&e);
	audit_writer_abort(aw);
	db_rollback(db);
	state_is(obl[2], "open");
	state_is(obl[3], "open");
	ck_assert_msg(audit_verify(db, &bad, &n1, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(n1, n0 + 2);
}
END_TEST

START_TEST(test_outside_transaction_refused)
{
	struct gw_err e = GW_ERR_INIT;

	ck_assert_int_eq(obligation_mark_in_batch(db, obl[0], "B", "x", &e),
	    GW_EDB);
	state_is(obl[0], "open");
}
END_TEST

/*
 * ledger check while the daemon ingests: another connection pays an
 * obligation just as the check starts summing the obligations, after it
 * has read the receivable account. One snapshot: no false disagreement.
 */
struct meanwhile {
	struct db	*other;
	int		 done;
};

static int
pay_meanwhile(unsigned type, void *arg, void *p, void *x)
{
	struct meanwhile *m = arg;
	struct gw_err e = GW_ERR_INIT;
	const char *sql = sqlite3_sql(p);

	(void)type;
	(void)x;
	if (m->done || sql == NULL || strstr(sql, "FROM obligations") == NULL)
		return 0;
	m->done = 1;
	ck_assert_msg(fx_pay(m->other, obl[3], "wechat", "WX-MEANWHILE", 43000,
	    D(2025, 11, 28), &e) == 0, "%s", e.msg);
	return 0;
}

START_TEST(test_reconcile_one_snapshot)
{
	struct gw_err e = GW_ERR_INIT;
	struct ledger_reconcile r;
	struct meanwhile m = { NULL, 0 };
	char *p = tu_path(dir, "t.db");

	ck_assert_ptr_nonnull(p);
	ck_assert_msg(store_open(&m.other, p, &e) == 0, "%s", e.msg);
	free(p);
	sqlite3_trace_v2(db_handle(db), SQLITE_TRACE_STMT, pay_meanwhile, &m);
	ck_assert_msg(ledger_reconcile(db, &r, &e) == 0, "%s", e.msg);
	sqlite3_trace_v2(db_handle(db), 0, NULL, NULL);
	ck_assert_int_eq(m.done, 1);
	/* The check saw the store from before the payment, all of it. */
	ck_assert_int_eq(r.receivable[0], r.receivable[1]);
	ck_assert_int_eq(r.clearing[0], 0);
	state_is(obl[3], "paid_other_channel");
	ck_assert_msg(ledger_reconcile(db, &r, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(r.clearing[0], 43000);
	db_close(m.other);
}
END_TEST

static Suite *
obligation_suite(void)
{
	Suite *s = suite_create("obligation");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_transitions_match_schema);
	tcase_add_test(tc, test_worked_states_match_index);
	tcase_add_test(tc, test_sql_refuses_illegal_changes);
	tcase_add_test(tc, test_due_needs_active_mandate);
	tcase_add_test(tc, test_batch_release_settle);
	tcase_add_test(tc, test_fail_and_suspend);
	tcase_add_test(tc, test_pay_channel);
	tcase_add_test(tc, test_cover_from);
	tcase_add_test(tc, test_bulk_settle_cover);
	tcase_add_test(tc, test_bulk_chunks);
	tcase_add_test(tc, test_month_close);
	tcase_add_test(tc, test_write_off_rules);
	tcase_add_test(tc, test_audit_trail);
	tcase_add_test(tc, test_mark_many);
	tcase_add_test(tc, test_outside_transaction_refused);
	tcase_add_test(tc, test_reconcile_one_snapshot);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(obligation_suite)
