/*
 * debit_apply.c - bulk settle and fail, see debit_apply.h.
 *
 * Settled items are checked as they come and gathered into a chunk: when
 * it holds 63 obligations, or the value date changes, it becomes one
 * journal entry (Dr clearing:BANK, Cr receivable, the chunk's sum) and
 * one UPDATE marks its obligations paid by that entry (pay_entry): the
 * receivable sub-ledger's detail of the credit, and the settled item's
 * record. A failed item, which posts nothing, gets a debit_results row;
 * failures are held the same way and written 63 to an UPDATE and an
 * INSERT (one that suspends a mandate suspends it as it comes, and its
 * row names the mandate).
 *
 * A chunk's obligations stay in_batch until the chunk is written, so a
 * second result for one of them in the same chunk would pass the checks;
 * the caller's batch item, answered first, refuses it, and the UPDATE's
 * row count would too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/audit.h"
#include "common/date.h"
#include "common/money.h"
#include "ledger/debit_apply.h"
#include "ledger/journal.h"
#include "ledger/obligation.h"

/* One entry credits at most this many obligations: as many as fit in an
 * UPDATE's rows (db_stmt_rows), and as many as when each had a line. */
#define CHUNK (JOURNAL_MAX_LINES - 1)
#define ITEM_REF_SZ 129

struct pending {
	int64_t	 obligation_id;
	int64_t	 amount;
	char	 cover[DATE_BUFSZ];
	char	 ref[ITEM_REF_SZ];
};

struct held_failure {
	int64_t	 obligation_id;
	char	 category[20];
	char	 code[36];
	char	 day[DATE_BUFSZ];
	char	 ref[ITEM_REF_SZ];
	int64_t	 suspended;	/* the mandate it suspended, 0: none */
};

struct debit_apply {
	struct db			*db;
	const struct ledger_policy	*pol;
	struct audit_writer		*aw;
	char				 bank[17];
	char				 clearing[48];
	char				 sha[65];
	int64_t				 file_id;	/* debit_files */
	char				 actor[65];
	struct pending			 chunk[CHUNK];
	int				 n;
	int				 day;		/* of the chunk */
	struct held_failure		 failed[CHUNK];
	int				 nfailed;
};

static const char q_read[] = "SELECT state, due_fen, period, late, newborn,"
    " payer_id, year FROM obligations WHERE id = ?";
/* A chunk's rows (id, pay_ref, cover_from) after ?1-?4: see db_stmt_rows. */
static const struct db_rows q_paid = { "UPDATE obligations SET"
    " state = 'paid', pay_channel = 'debit', pay_bank = ?1, paid_on = ?2,"
    " pay_ref = v.column2, cover_from = v.column3, updated_at = ?3,"
    " pay_entry = ?4 FROM (VALUES ", "(?,?,?)", ") AS v"
    " WHERE obligations.id = v.column1 AND obligations.state = 'in_batch'" };
/* A failure's row; or the debit entry of this file that paid the item. */
static const char q_seen[] =
    "SELECT outcome, at FROM debit_results WHERE file_id = ?1 AND item_ref = ?2"
    " UNION ALL SELECT 'paid', j.at FROM obligations o"
    " JOIN journal_entries j ON j.id = o.pay_entry"
    " WHERE o.id = ?3 AND o.pay_ref = ?2"
    " AND j.kind = 'debit' AND substr(j.source_ref, 1, 64) = ?4 LIMIT 1";
/* Held failures: rows (id, category, code, day) after ?1-?2; then their
 * debit_results rows. */
static const struct db_rows q_failed_rows = { "UPDATE obligations SET"
    " state = 'failed', fail_category = v.column2, fail_code = v.column3,"
    " failed_on = v.column4, fail_bank = ?1, updated_at = ?2"
    " FROM (VALUES ", "(?,?,?,?)", ") AS v"
    " WHERE obligations.id = v.column1 AND obligations.state = 'in_batch'" };
static const struct db_rows q_failure_rows = { "INSERT INTO"
    " debit_results(file_id, item_ref, obligation_id, outcome, on_date,"
    " category, raw_code, mandate_suspended, at) VALUES ",
    "(?,?,?,'failed',?,?,?,?,?)", NULL };
/* The file's number: made by the first debit_apply_open for its hash,
 * found again by any later one. */
static const char q_file_add[] = "INSERT INTO debit_files(sha256, bank,"
    " actor, at) VALUES (?,?,?,?) ON CONFLICT (sha256) DO NOTHING";
static const char q_file_id[] = "SELECT id FROM debit_files WHERE sha256 = ?";

static int
file_number(struct debit_apply *a, struct gw_err *e)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = db_stmt(a->db, q_file_add, e)) == NULL)
		return e->code;
	sqlite3_bind_text(st, 1, a->sha, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, a->bank, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, a->actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, ts_now_utc(), -1, SQLITE_STATIC);
	if ((rc = db_step_done(a->db, st, "debit file", e)) != 0)
		return rc;
	if ((st = db_stmt(a->db, q_file_id, e)) == NULL)
		return e->code;
	sqlite3_bind_text(st, 1, a->sha, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		a->file_id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : db_fail(a->db, "debit file", e);
}

int
debit_apply_open(struct debit_apply **out, struct db *db,
    const struct ledger_policy *pol, const char *bank,
    const char *source_sha256, const char *actor, struct gw_err *e)
{
	struct debit_apply *a;
	int rc;

	*out = NULL;
	if (!db_in_tx(db))
		return gw_err_set(e, GW_EDB, "debit_apply outside a transaction");
	if (strlen(source_sha256) != 64 ||
	    strspn(source_sha256, "0123456789abcdef") != 64)
		return gw_err_set(e, GW_EINPUT, "debit result: source_sha256 "
		    "must be 64 lowercase hex characters");
	if (strlen(bank) > 16 || actor == NULL || *actor == '\0' ||
	    strlen(actor) > 64)
		return gw_err_set(e, GW_EINPUT, "debit_apply: bad bank or actor");
	if ((a = calloc(1, sizeof(*a))) == NULL)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	a->db = db;
	a->pol = pol;
	snprintf(a->bank, sizeof(a->bank), "%s", bank);
	snprintf(a->sha, sizeof(a->sha), "%s", source_sha256);
	snprintf(a->actor, sizeof(a->actor), "%s", actor);
	if ((rc = file_number(a, e)) != 0) {
		free(a);
		return rc;
	}
	journal_clearing(a->clearing, sizeof(a->clearing), bank);
	if (!journal_account_is_valid(a->clearing)) {
		free(a);
		return gw_err_set(e, GW_EINPUT, "debit_apply: no clearing account "
		    "for bank %s", bank);
	}
	if ((rc = audit_writer_open(&a->aw, db, e)) != 0) {
		free(a);
		return rc;
	}
	*out = a;
	return 0;
}

int
debit_ob_read(struct db *db, int64_t id, struct debit_ob *o, struct gw_err *e)
{
	sqlite3_stmt *st;
	int rc;
	char ref[OBLIGATION_REF_SZ];

	if ((st = db_stmt(db, q_read, e)) == NULL)
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		o->id = id;
		DB_COL_COPY(o->state, st, 0);
		o->due = sqlite3_column_int64(st, 1);
		DB_COL_COPY(o->period, st, 2);
		o->late = sqlite3_column_int(st, 3);
		o->newborn = sqlite3_column_int(st, 4);
		DB_COL_COPY(o->payer_id, st, 5);
		o->year = sqlite3_column_int(st, 6);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return gw_err_set(e, GW_ENOTFOUND, "no obligation %s",
		    obligation_ref(ref, id));
	return rc == SQLITE_ROW ? 0 : db_fail(db, "obligation", e);
}

/*
 * An item applied before has moved its obligation on, so it fails the
 * state check; only then is it worth asking whether it is a replay, and
 * saying so.
 */
static int
replayed(struct debit_apply *a, int64_t id, const char *item_ref,
    struct gw_err *e)
{
	sqlite3_stmt *st;
	char ref[OBLIGATION_REF_SZ];
	int rc;

	if ((st = db_stmt(a->db, q_seen, e)) == NULL)
		return e->code;
	sqlite3_bind_int64(st, 1, a->file_id);
	sqlite3_bind_text(st, 2, item_ref, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, id);
	sqlite3_bind_text(st, 4, a->sha, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		gw_err_clear(e);
		gw_err_set(e, GW_EDUP, "return item %.12s:%s was applied before "
		    "(%s, obligation %s, at %s); each item is applied once",
		    a->sha, item_ref, db_col_text(st, 0),
		    obligation_ref(ref, id), db_col_text(st, 1));
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? e->code :
	    db_fail(a->db, "debit_results", e);
}

/* The checks settle and fail share: in a batch, the amount we debited. */
static int
check(struct debit_apply *a, int64_t amount, int on, const char *item_ref,
    const struct debit_ob *o, const char *what, struct gw_err *e)
{
	int64_t id = o->id;
	char ref[OBLIGATION_REF_SZ], x[MONEY_BUFSZ], y[MONEY_BUFSZ];

	if (*item_ref == '\0' || strlen(item_ref) >= ITEM_REF_SZ)
		return gw_err_set(e, GW_EINPUT, "item reference must be 1-128 "
		    "characters");
	if (strcmp(o->state, "in_batch") != 0) {
		gw_err_set(e, GW_ESTATE, "obligation %s is %s; %s needs "
		    "in_batch", obligation_ref(ref, id), o->state, what);
		return replayed(a, id, item_ref, e);
	}
	if (amount != o->due)
		return gw_err_set(e, GW_EINPUT, "debit result for %s: the bank "
		    "says %s but %s is due", obligation_ref(ref, id),
		    money_format(x, amount), money_format(y, o->due));
	if (!ledger_day_ok(on))
		return gw_err_set(e, GW_EINPUT, "debit result for %s: no date",
		    obligation_ref(ref, id));
	return 0;
}

static int
event(struct debit_apply *a, int64_t id, const char *action, const char *to,
    const char *reason, struct gw_err *e)
{
	char ref[OBLIGATION_REF_SZ];

	return audit_writer_append(a->aw, &(struct audit_event){
	    .actor = a->actor, .entity = "obligation",
	    .entity_id = obligation_ref(ref, id), .action = action,
	    .from_state = "in_batch", .to_state = to, .reason = reason }, e);
}

/* The pending chunk's obligations become paid by entry. */
static int
mark_paid(struct debit_apply *a, int64_t entry, struct gw_err *e)
{
	sqlite3_stmt *st;
	char paid[DATE_BUFSZ];
	int i, rc;

	if ((st = db_stmt_rows(a->db, &q_paid, a->n, e)) == NULL)
		return e->code;
	sqlite3_bind_text(st, 1, a->bank, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, date_format(paid, a->day), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, ts_now_utc(), -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, entry);
	for (i = 0; i < a->n; i++) {
		sqlite3_bind_int64(st, 5 + 3 * i, a->chunk[i].obligation_id);
		sqlite3_bind_text(st, 6 + 3 * i, a->chunk[i].ref, -1,
		    SQLITE_STATIC);
		sqlite3_bind_text(st, 7 + 3 * i, a->chunk[i].cover, -1,
		    SQLITE_STATIC);
	}
	if ((rc = db_step_done(a->db, st, "obligation paid", e)) != 0)
		return rc;
	if (sqlite3_changes(db_handle(a->db)) != a->n)
		return gw_err_set(e, GW_EBUSY, "obligations changed meanwhile "
		    "(%d of %d in_batch), or one was answered twice",
		    sqlite3_changes(db_handle(a->db)), a->n);
	return 0;
}

/* The pending chunk is written: one journal entry, its obligations paid
 * by it. */
static int
flush(struct debit_apply *a, struct gw_err *e)
{
	struct journal_line lines[2];
	struct journal_src src;
	char src_ref[200], memo[96];
	int64_t sum = 0, entry;
	int i, rc;

	if (a->n == 0)
		return 0;
	for (i = 0; i < a->n; i++)
		sum += a->chunk[i].amount;	/* 63 dues: cannot overflow */
	memset(lines, 0, sizeof(lines));
	lines[0].account = a->clearing;
	lines[0].amount_fen = sum;
	lines[1].account = "receivable";	/* the detail: pay_entry */
	lines[1].amount_fen = -sum;
	/* Item references are unique in a file: the chunk's first names it. */
	snprintf(src_ref, sizeof(src_ref), "%s:%s", a->sha, a->chunk[0].ref);
	snprintf(memo, sizeof(memo), "%d debits, return file %.12s", a->n,
	    a->sha);
	src = (struct journal_src){ "debit", a->day, "return_item", src_ref,
	    a->actor, memo };
	if ((rc = journal_post(a->db, &src, lines, 2, &entry, e)) != 0 ||
	    (rc = mark_paid(a, entry, e)) != 0)
		return rc;
	a->n = 0;
	return 0;
}

/* The held failures are written: their obligations failed, their rows. */
static int
flush_failed(struct debit_apply *a, struct gw_err *e)
{
	const struct held_failure *f;
	sqlite3_stmt *st;
	char now[TS_BUFSZ];
	int i, n = a->nfailed, rc;

	if (n == 0)
		return 0;
	a->nfailed = 0;
	snprintf(now, sizeof(now), "%s", ts_now_utc());
	if ((st = db_stmt_rows(a->db, &q_failed_rows, n, e)) == NULL)
		return e->code;
	sqlite3_bind_text(st, 1, a->bank, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
	for (i = 0, f = a->failed; i < n; i++, f++) {
		sqlite3_bind_int64(st, 3 + 4 * i, f->obligation_id);
		sqlite3_bind_text(st, 4 + 4 * i, f->category, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5 + 4 * i, f->code, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6 + 4 * i, f->day, -1, SQLITE_STATIC);
	}
	if ((rc = db_step_done(a->db, st, "obligation failed", e)) != 0)
		return rc;
	if (sqlite3_changes(db_handle(a->db)) != n)
		return gw_err_set(e, GW_EBUSY, "obligations changed meanwhile "
		    "(%d of %d in_batch), or one was answered twice",
		    sqlite3_changes(db_handle(a->db)), n);
	if ((st = db_stmt_rows(a->db, &q_failure_rows, n, e)) == NULL)
		return e->code;
	for (i = 0, f = a->failed; i < n; i++, f++) {
		sqlite3_bind_int64(st, 1 + 8 * i, a->file_id);
		sqlite3_bind_text(st, 2 + 8 * i, f->ref, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3 + 8 * i, f->obligation_id);
		sqlite3_bind_text(st, 4 + 8 * i, f->day, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5 + 8 * i, f->category, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6 + 8 * i, f->code, -1, SQLITE_STATIC);
		if (f->suspended > 0)
			sqlite3_bind_int64(st, 7 + 8 * i, f->suspended);
		sqlite3_bind_text(st, 8 + 8 * i, now, -1, SQLITE_STATIC);
	}
	if (sqlite3_step(st) != SQLITE_DONE) {
		int x = sqlite3_extended_errcode(db_handle(a->db));

		sqlite3_reset(st);
		if (x == SQLITE_CONSTRAINT_PRIMARYKEY ||
		    x == SQLITE_CONSTRAINT_UNIQUE)
			return gw_err_set(e, GW_EDUP, "a return item of %.12s was "
			    "applied before; each item is applied once", a->sha);
		return db_fail(a->db, "debit result", e);
	}
	sqlite3_reset(st);
	return 0;
}

int
debit_apply_settle(struct debit_apply *a, int64_t id, int64_t amount, int on,
    const char *item_ref, struct gw_err *e)
{
	struct debit_ob ob;

	if (debit_ob_read(a->db, id, &ob, e) != 0)
		return e->code;
	return debit_apply_settle_ob(a, &ob, amount, on, item_ref, e);
}

int
debit_apply_settle_ob(struct debit_apply *a, const struct debit_ob *ob,
    int64_t amount, int on, const char *item_ref, struct gw_err *e)
{
	struct obligation o;
	struct pending *p;
	int64_t id = ob->id;
	int rc;

	if ((rc = check(a, amount, on, item_ref, ob, "settle", e)) != 0)
		return rc;
	if ((rc = event(a, id, "settle", "paid", NULL, e)) != 0)
		return rc;
	if (a->n > 0 && (a->n == CHUNK || a->day != on) &&
	    (rc = flush(a, e)) != 0)
		return rc;
	a->day = on;
	p = &a->chunk[a->n++];
	p->obligation_id = id;
	p->amount = amount;
	snprintf(p->ref, sizeof(p->ref), "%s", item_ref);
	/* Cover starts as obligation_cover_from says: it needs these only. */
	memset(&o, 0, sizeof(o));
	o.id = id;
	snprintf(o.period, sizeof(o.period), "%s", ob->period);
	o.late = ob->late;
	o.newborn = ob->newborn;
	o.year = ob->year;	/* the newborn deadline is in the next year */
	date_format(p->cover, obligation_cover_from(a->pol, &o, on, 0));
	return 0;
}

int
debit_apply_fail(struct debit_apply *a, int64_t id, int64_t amount, int on,
    const char *item_ref, const char *category, const char *raw_code,
    int64_t mandate_id, int64_t *suspended, struct gw_err *e)
{
	struct debit_ob ob;

	if (suspended)
		*suspended = 0;
	if (debit_ob_read(a->db, id, &ob, e) != 0)
		return e->code;
	return debit_apply_fail_ob(a, &ob, amount, on, item_ref, category,
	    raw_code, mandate_id, suspended, e);
}

int
debit_apply_fail_ob(struct debit_apply *a, const struct debit_ob *ob,
    int64_t amount, int on, const char *item_ref, const char *category,
    const char *raw_code, int64_t mandate_id, int64_t *suspended,
    struct gw_err *e)
{
	struct held_failure *f;
	char why[200];
	int64_t susp = 0;
	int rc;

	if (suspended)
		*suspended = 0;
	if (category == NULL || !ledger_fail_category_is_valid(category))
		return gw_err_set(e, GW_EINPUT, "'%.40s' is not a failure category",
		    category ? category : "");
	if (raw_code == NULL || *raw_code == '\0')
		raw_code = "-";
	if (strlen(raw_code) > 35)
		return gw_err_set(e, GW_EINPUT, "raw code longer than 35 "
		    "characters");
	if ((rc = check(a, amount, on, item_ref, ob, "fail", e)) != 0)
		return rc;
	snprintf(why, sizeof(why), "%s (%s) at %s", category, raw_code, a->bank);
	if ((rc = event(a, ob->id, "fail", "failed", why, e)) != 0)
		return rc;
	/* Closed account, invalid mandate, deceased payer: no later batch
	 * may use the mandate. The transition reads and writes mandates
	 * only; its event goes through the mandates part's own writer, so
	 * ours is closed around it. */
	if (ledger_fail_category_suspends(category)) {
		struct debit_result r = { .obligation_id = ob->id,
		    .bank = a->bank, .source_sha256 = a->sha,
		    .item_ref = item_ref, .actor = a->actor,
		    .category = category, .raw_code = raw_code,
		    .mandate_id = mandate_id };

		rc = audit_writer_close(a->aw, e);
		a->aw = NULL;
		if (rc != 0 || (rc = obligation_suspend_mandate(a->db, &r,
		    ob->payer_id, &susp, e)) != 0 ||
		    (rc = audit_writer_open(&a->aw, a->db, e)) != 0)
			return rc;
		if (suspended)
			*suspended = susp;
	}
	if (a->nfailed == CHUNK && (rc = flush_failed(a, e)) != 0)
		return rc;
	f = &a->failed[a->nfailed++];
	f->obligation_id = ob->id;
	f->suspended = susp;
	snprintf(f->category, sizeof(f->category), "%s", category);
	snprintf(f->code, sizeof(f->code), "%s", raw_code);
	date_format(f->day, on);
	snprintf(f->ref, sizeof(f->ref), "%s", item_ref);
	return 0;
}

int
debit_apply_close(struct debit_apply *a, struct gw_err *e)
{
	int rc = 0;

	if (a == NULL)
		return 0;
	if ((rc = flush(a, e)) == 0 && (rc = flush_failed(a, e)) == 0 &&
	    a->aw != NULL) {
		rc = audit_writer_close(a->aw, e);
		a->aw = NULL;
	}
	debit_apply_abort(a);
	return rc;
}

void
debit_apply_abort(struct debit_apply *a)
{
	if (a == NULL)
		return;
	audit_writer_abort(a->aw);
	free(a);
}
