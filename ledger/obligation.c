/*
 * obligation.c - the obligation state machine and its money.
 *
 * Every transition goes through change_state: it checks the pair against
 * the transition table (so the refusal names the current state and what
 * the action needs), updates the row only if it is still in the state it
 * was read in (a concurrent change shows up as GW_EBUSY, not as a lost
 * update), and appends the audit event. Columns that a target state
 * requires (paid_on for paid, fail_category for failed) are written just
 * before the state, since the schema's CHECKs hold after every statement.
 * Money moves only through journal_post, in the same transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/audit.h"
#include "common/money.h"
#include "common/text.h"
#include "common/strnum.h"
#include "common/vec.h"
#include "ledger/debit_apply.h"
#include "ledger/journal.h"
#include "ledger/obligation.h"
#include "mandates/mandate.h"

const char *const obligation_states[10] = { "open", "in_batch", "paid",
    "failed", "paid_other_channel", "written_off", "arrears",
    "refund_requested", "refunded", "settled" };

const char *const ledger_fail_categories[7] = { "insufficient_funds",
    "account_frozen", "account_abnormal", "account_closed",
    "mandate_invalid", "payer_deceased", "other" };

static const char *const channels[] = { "counter", "wechat", "alipay",
    "bank_app", "pos", "other" };

/* The diagram of obligation.h; the schema holds the same pairs. */
static const struct {
	const char	*action;
	const char	*from;
	const char	*to;
} transitions[] = {
	{ "batch", "open", "in_batch" },
	{ "release", "in_batch", "open" },
	{ "settle", "in_batch", "paid" },
	{ "fail", "in_batch", "failed" },
	{ "reopen", "failed", "open" },
	{ "pay", "open", "paid_other_channel" },
	{ "pay", "failed", "paid_other_channel" },
	{ "pay", "arrears", "paid_other_channel" },
	{ "write_off", "open", "written_off" },
	{ "write_off", "failed", "written_off" },
	{ "write_off", "arrears", "written_off" },
	{ "close_month", "failed", "arrears" },
	{ "refund_request", "paid", "refund_requested" },
	{ "refund_request", "paid_other_channel", "refund_requested" },
	{ "refund_approve", "refund_requested", "refunded" },
	{ "refund_reject", "refund_requested", "paid" },
	{ "refund_reject", "refund_requested", "paid_other_channel" },
};

#define NTRANS (sizeof(transitions) / sizeof(transitions[0]))
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

#define COLS \
	"id, payer_id, period, year, category, amount_fen, subsidy_fen," \
	" due_fen, coalesce(exemption_type, ''), coalesce(exemption_cert, '')," \
	" coalesce(exemption_valid_until, ''), late, newborn, state," \
	" coalesce(batch_ref, ''), coalesce(pay_channel, '')," \
	" coalesce(pay_bank, ''), coalesce(paid_on, ''), coalesce(pay_ref, '')," \
	" coalesce(cover_from, ''), coalesce(fail_category, '')," \
	" coalesce(fail_code, ''), coalesce(fail_bank, '')," \
	" coalesce(failed_on, ''), source, created_at, updated_at"

static const char q_get[] = "SELECT " COLS " FROM obligations WHERE id = ?";
static const char q_state[] =
    "UPDATE obligations SET state = ?1, updated_at = ?2"
    " WHERE id = ?3 AND state = ?4";
static const char q_batch[] =
    "UPDATE obligations SET batch_ref = ?2 WHERE id = ?1";
static const char q_paid[] =
    "UPDATE obligations SET pay_channel = ?2, pay_bank = ?3, paid_on = ?4,"
    " pay_ref = ?5, cover_from = ?6 WHERE id = ?1";

int
obligation_state_is_valid(const char *s)
{
	return TEXT_IN(s, obligation_states);
}

int
ledger_fail_category_is_valid(const char *s)
{
	return TEXT_IN(s, ledger_fail_categories);
}

int
ledger_fail_category_suspends(const char *c)
{
	return strcmp(c, "account_closed") == 0 ||
	    strcmp(c, "mandate_invalid") == 0 ||
	    strcmp(c, "payer_deceased") == 0;
}

int
ledger_channel_is_valid(const char *s)
{
	return TEXT_IN(s, channels);
}

int
obligation_transition_is_legal(const char *from, const char *to)
{
	size_t i;

	for (i = 0; i < NTRANS; i++)
		if (strcmp(transitions[i].from, from) == 0 &&
		    strcmp(transitions[i].to, to) == 0)
			return 1;
	return 0;
}

char *
obligation_ref(char out[OBLIGATION_REF_SZ], int64_t id)
{
	return ledger_ref(out, 'O', id);
}

int
obligation_id_parse(int64_t *out, const char *s, struct gw_err *e)
{
	return strnum_ref(out, 'O', s, "obligation id", e);
}

static void
row_to_obligation(sqlite3_stmt *st, struct obligation *o)
{
	memset(o, 0, sizeof(*o));
	o->id = sqlite3_column_int64(st, 0);
	DB_COL_COPY(o->payer_id, st, 1);
	DB_COL_COPY(o->period, st, 2);
	o->year = sqlite3_column_int(st, 3);
	DB_COL_COPY(o->category, st, 4);
	o->amount_fen = sqlite3_column_int64(st, 5);
	o->subsidy_fen = sqlite3_column_int64(st, 6);
	o->due_fen = sqlite3_column_int64(st, 7);
	DB_COL_COPY(o->exemption_type, st, 8);
	DB_COL_COPY(o->exemption_cert, st, 9);
	DB_COL_COPY(o->exemption_valid_until, st, 10);
	o->late = sqlite3_column_int(st, 11);
	o->newborn = sqlite3_column_int(st, 12);
	DB_COL_COPY(o->state, st, 13);
	DB_COL_COPY(o->batch_ref, st, 14);
	DB_COL_COPY(o->pay_channel, st, 15);
	DB_COL_COPY(o->pay_bank, st, 16);
	DB_COL_COPY(o->paid_on, st, 17);
	DB_COL_COPY(o->pay_ref, st, 18);
	DB_COL_COPY(o->cover_from, st, 19);
	DB_COL_COPY(o->fail_category, st, 20);
	DB_COL_COPY(o->fail_code, st, 21);
	DB_COL_COPY(o->fail_bank, st, 22);
	DB_COL_COPY(o->failed_on, st, 23);
	DB_COL_COPY(o->source, st, 24);
	DB_COL_COPY(o->created_at, st, 25);
	DB_COL_COPY(o->updated_at, st, 26);
}

int
obligation_get(struct db *db, int64_t id, struct obligation *out,
    struct gw_err *e)
{
	sqlite3_stmt *st;
	char ref[OBLIGATION_REF_SZ];
	int rc;

	if ((st = db_stmt(db, q_get, e)) == NULL)
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		row_to_obligation(st, out);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc != SQLITE_DONE)
		return db_fail(db, "obligation get", e);
	return gw_err_set(e, GW_ENOTFOUND, "no obligation %s",
	    obligation_ref(ref, id));
}

/* "open, failed or arrears": the states action may start from. */
static void
froms(char *out, size_t cap, const char *action)
{
	size_t i, n = 0, k = 0, len = 0;

	for (i = 0; i < NTRANS; i++)
		n += strcmp(transitions[i].action, action) == 0;
	out[0] = '\0';
	for (i = 0; i < NTRANS && len < cap; i++) {
		if (strcmp(transitions[i].action, action) != 0)
			continue;
		k++;
		len += (size_t)snprintf(out + len, cap - len, "%s%s",
		    k == 1 ? "" : (k == n ? " or " : ", "), transitions[i].from);
	}
}

/* GW_ESTATE: o is not in a state action starts from. */
static int
refuse(const struct obligation *o, const char *action, struct gw_err *e)
{
	char ref[OBLIGATION_REF_SZ], need[160];

	froms(need, sizeof(need), action);
	return gw_err_set(e, GW_ESTATE, "obligation %s is %s; %s needs %s",
	    obligation_ref(ref, o->id), o->state, action, need);
}

/*
 * Move o to state `to` by `action`, inside the caller's transaction, with
 * its audit event. o->state is updated on success.
 */
static int
change_state(struct db *db, struct obligation *o, const char *action,
    const char *to, const char *reason, const char *actor, struct gw_err *e)
{
	sqlite3_stmt *st;
	char ref[OBLIGATION_REF_SZ];
	size_t i;

	for (i = 0; i < NTRANS; i++)
		if (strcmp(transitions[i].action, action) == 0 &&
		    strcmp(transitions[i].from, o->state) == 0 &&
		    strcmp(transitions[i].to, to) == 0)
			break;
	if (i == NTRANS)
		return refuse(o, action, e);
	if ((st = db_stmt(db, q_state, e)) == NULL)
		return e->code;
	sqlite3_bind_text(st, 1, to, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, ts_now_utc(), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, o->id);
	sqlite3_bind_text(st, 4, o->state, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_reset(st);
		return ledger_db_fail(db, "obligation state", e);
	}
	sqlite3_reset(st);
	if (sqlite3_changes(db_handle(db)) != 1)
		return gw_err_set(e, GW_EBUSY, "obligation %s changed meanwhile",
		    obligation_ref(ref, o->id));
	if (audit_append(db, &(struct audit_event){ .actor = actor,
	    .entity = "obligation", .entity_id = obligation_ref(ref, o->id),
	    .action = action, .from_state = o->state, .to_state = to,
	    .reason = reason }, e) != 0)
		return e->code;
	snprintf(o->state, sizeof(o->state), "%s", to);
	return 0;
}

/* Load id for a transition inside the caller's transaction. */
static int
load(struct db *db, int64_t id, const char *actor, struct obligation *o,
    struct gw_err *e)
{
	if (!db_in_tx(db))
		return gw_err_set(e, GW_EDB, "obligation change outside a "
		    "transaction");
	if (ledger_actor_ok(actor, e) != 0)
		return e->code;
	return obligation_get(db, id, o, e);
}

static int
step_update(struct db *db, const char *sql, int64_t id, const char *const *v,
    int nv, const char *what, struct gw_err *e)
{
	sqlite3_stmt *st;
	int i;

	if ((st = db_stmt(db, sql, e)) == NULL)
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	for (i = 0; i < nv; i++)
		db_bind_text_or_null(st, i + 2, v[i]);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_reset(st);
		return ledger_db_fail(db, what, e);
	}
	sqlite3_reset(st);
	return 0;
}

/* ---- batches -------------------------------------------------------- */

struct each_due {
	int	(*fn)(void *arg, const struct obligation_due *d);
	void	*arg;
	int	 mandated;	/* the row carries its mandate's columns */
};

static int
each_due(void *a, sqlite3_stmt *st)
{
	struct each_due *x = a;
	struct obligation_due d = { .payer_name = "", .bank_code = "",
	    .account_no = "", .account_name = "", .account_kind = "",
	    .unit_code = "", .signed_on = "" };

	d.obligation_id = sqlite3_column_int64(st, 0);
	d.payer_id = db_col_text(st, 1);
	d.period = db_col_text(st, 2);
	d.due_fen = sqlite3_column_int64(st, 3);
	if (x->mandated) {
		d.mandate_id = sqlite3_column_int64(st, 4);
		d.payer_name = db_col_text(st, 5);
		d.bank_code = db_col_text(st, 6);
		d.account_no = db_col_text(st, 7);
		d.account_name = db_col_text(st, 8);
		d.account_kind = db_col_text(st, 9);
		d.unit_code = db_col_text(st, 10);
		d.signed_on = db_col_text(st, 11);
	}
	return x->fn(x->arg, &d);
}

/* Bind f to q (?1 bank, ?2 period, ?3 period_upto, ?4 limit) and walk it. */
static int
foreach_due(struct db *db, const char *q, int mandated,
    const struct due_filter *f,
    int (*fn)(void *arg, const struct obligation_due *d), void *arg,
    const char *what, struct gw_err *e)
{
	struct each_due x = { fn, arg, mandated };
	sqlite3_stmt *st;

	if ((st = db_stmt(db, q, e)) == NULL)
		return e->code;
	if (f) {
		db_bind_text(st, 1, f->bank_code);
		db_bind_text(st, 2, f->period);
		db_bind_text(st, 3, f->period_upto);
	}
	sqlite3_bind_int64(st, 4, f && f->limit > 0 ? f->limit : -1);
	return db_each(db, st, each_due, &x, what, e);
}

int
obligation_foreach_due(struct db *db, const struct due_filter *f,
    int (*fn)(void *arg, const struct obligation_due *d), void *arg,
    struct gw_err *e)
{
	/*
	 * Reads the mandates part's table, read-only, in one statement:
	 * columns payer_id, state, id, payer_name, bank_code, account_no,
	 * account_name, account_kind, unit_code (mandates/mandate.c). A
	 * per-row mandate_live_for_payer would be a million lookups.
	 */
	/* The state IN (...) term repeats the WHERE of the mandates part's
	 * partial index on live payers, which is what lets SQLite use it:
	 * without it the join scans every mandate per obligation. */
	static const char q[] =
	    "SELECT o.id, o.payer_id, o.period, o.due_fen, m.id, m.payer_name,"
	    " m.bank_code, m.account_no, m.account_name, m.account_kind,"
	    " coalesce(m.unit_code, ''), m.signed_on"
	    " FROM obligations o JOIN mandates m"
	    "  ON m.payer_id = o.payer_id"
	    "  AND m." MANDATE_LIVE_STATE
	    "  AND m.state = 'active'"
	    " WHERE o.state = 'open' AND o." LEDGER_WORKED_STATE
	    " AND o.due_fen > 0"
	    " AND (?1 IS NULL OR m.bank_code = ?1)"
	    " AND (?2 IS NULL OR o.period = ?2)"
	    " AND (?3 IS NULL OR o.period <= ?3)"
	    " LIMIT ?4";

	return foreach_due(db, q, 1, f, fn, arg, "due obligations", e);
}

int
obligation_foreach_unmandated(struct db *db, const struct due_filter *f,
    int (*fn)(void *arg, const struct obligation_due *d), void *arg,
    struct gw_err *e)
{
	/* Read-only against the mandates part's table, as above. */
	static const char q[] =
	    "SELECT o.id, o.payer_id, o.period, o.due_fen FROM obligations o"
	    " WHERE o.state = 'open' AND o." LEDGER_WORKED_STATE
	    " AND o.due_fen > 0"
	    " AND (?2 IS NULL OR o.period = ?2)"
	    " AND (?3 IS NULL OR o.period <= ?3)"
	    " AND NOT EXISTS (SELECT 1 FROM mandates m"
	    "  WHERE m.payer_id = o.payer_id"
	    "  AND m." MANDATE_LIVE_STATE
	    "  AND m.state = 'active')"
	    " LIMIT ?4";

	return foreach_due(db, q, 0, f, fn, arg, "unmandated obligations", e);
}

int
obligation_mark_in_batch(struct db *db, int64_t id, const char *batch_ref,
    const char *actor, struct gw_err *e)
{
	struct obligation o;
	char ref[OBLIGATION_REF_SZ], why[128];

	if (load(db, id, actor, &o, e) != 0)
		return e->code;
	if (batch_ref == NULL || *batch_ref == '\0' || strlen(batch_ref) >= 64)
		return gw_err_set(e, GW_EINPUT, "obligation %s: batch reference "
		    "must be 1-63 characters", obligation_ref(ref, id));
	if (strcmp(o.state, "open") != 0)
		return refuse(&o, "batch", e);
	snprintf(why, sizeof(why), "batch %s", batch_ref);
	if (step_update(db, q_batch, id, &batch_ref, 1, "batch_ref", e) != 0)
		return e->code;
	return change_state(db, &o, "batch", "in_batch", why, actor, e);
}

int
obligation_mark_many_in_batch(struct db *db, struct audit_writer *aw,
    const struct obligation_mark *v, size_t n, const char *batch_ref,
    const char *actor, struct gw_err *e)
{
	/*
	 * One statement per group (db_stmt_rows): each execution of a
	 * single-row UPDATE costs SQLite a statement transaction and the
	 * transition trigger's set-up (a million marks: 4.7 s one by one,
	 * 2.9 s by 64). "+state" keeps the state index from driving the
	 * lookup: it would walk every open obligation instead of seeking
	 * the group's ids.
	 */
	static const struct db_rows q = { "UPDATE obligations SET"
	    " state = 'in_batch', batch_ref = ?1, updated_at = ?2"
	    " WHERE +state = 'open' AND id IN (", "?", ") RETURNING id, due_fen" };
	unsigned char seen[OBLIGATION_MARK_MAX];
	sqlite3_stmt *st;
	char ref[OBLIGATION_REF_SZ], why[96];
	size_t i;
	int step, rc = 0;

	if (n == 0)
		return 0;
	if (!db_in_tx(db))
		return gw_err_set(e, GW_EDB, "obligation change outside a "
		    "transaction");
	_Static_assert(OBLIGATION_MARK_MAX <= DB_ROWS_MAX, "a group in one "
	    "statement");
	if (n > OBLIGATION_MARK_MAX)
		return gw_err_set(e, GW_EDB, "%zu obligations in one mark, at "
		    "most %d", n, OBLIGATION_MARK_MAX);
	if ((st = db_stmt_rows(db, &q, (int)n, e)) == NULL)
		return e->code;
	sqlite3_bind_text(st, 1, batch_ref, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, ts_now_utc(), -1, SQLITE_STATIC);
	for (i = 0; i < n; i++)
		sqlite3_bind_int64(st, 3 + (int)i, v[i].id);
	memset(seen, 0, sizeof(seen));
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);

		for (i = 0; i < n && v[i].id != id; i++)
			;
		if (i == n || seen[i])
			continue;	/* cannot be: ids come from v */
		seen[i] = 1;
		if (rc == 0 && sqlite3_column_int64(st, 1) != v[i].due_fen)
			rc = gw_err_set(e, GW_EBUSY, "obligation %s: %lld fen "
			    "due, but its batch item debits %lld",
			    obligation_ref(ref, id),
			    (long long)sqlite3_column_int64(st, 1),
			    (long long)v[i].due_fen);
	}
	sqlite3_reset(st);
	if (step != SQLITE_DONE)
		return ledger_db_fail(db, "obligation in_batch", e);
	if (rc != 0)
		return rc;
	for (i = 0; i < n; i++)
		if (!seen[i])
			return gw_err_set(e, GW_ESTATE, "obligation %s is no "
			    "longer open", obligation_ref(ref, v[i].id));
	snprintf(why, sizeof(why), "batch %s", batch_ref);
	for (i = 0; i < n; i++)
		if ((rc = audit_writer_append(aw, &(struct audit_event){
		    .actor = actor, .entity = "obligation",
		    .entity_id = obligation_ref(ref, v[i].id), .action = "batch",
		    .from_state = "open", .to_state = "in_batch",
		    .reason = why }, e)) != 0)
			return rc;
	return 0;
}

int
obligation_release_from_batch(struct db *db, int64_t id, const char *reason,
    const char *actor, struct gw_err *e)
{
	struct obligation o;
	const char *none[1] = { NULL };

	if (load(db, id, actor, &o, e) != 0 ||
	    change_state(db, &o, "release", "open", reason, actor, e) != 0)
		return e->code;
	return step_update(db, q_batch, id, none, 1, "batch_ref", e);
}

int
obligation_reopen_failed(struct db *db, int64_t id, const char *reason,
    const char *actor, struct gw_err *e)
{
	struct obligation o;

	if (load(db, id, actor, &o, e) != 0)
		return e->code;
	return change_state(db, &o, "reopen", "open", reason, actor, e);
}

/* ---- return files --------------------------------------------------- */

/*
 * One result is a bulk application of one item: debit_apply is the only
 * code that settles or fails a debit, so a command, a test and a million-
 * item return file take the same path.
 */
int
obligation_settle_debit(struct db *db, const struct ledger_policy *pol,
    const struct debit_result *r, struct gw_err *e)
{
	struct debit_apply *a;
	int rc;

	if ((rc = debit_apply_open(&a, db, pol, r->bank, r->source_sha256,
	    r->actor, e)) != 0)
		return rc;
	if ((rc = debit_apply_settle(a, r->obligation_id, r->amount_fen, r->on,
	    r->item_ref, e)) != 0) {
		debit_apply_abort(a);
		return rc;
	}
	return debit_apply_close(a, e);
}

int
obligation_suspend_mandate(struct db *db, const struct debit_result *r,
    const char *payer_id, int64_t *suspended, struct gw_err *e)
{
	struct mandate m;
	char why[256], oref[OBLIGATION_REF_SZ];
	int found;

	*suspended = 0;
	if (r->mandate_id > 0) {
		if (mandate_get(db, r->mandate_id, &m, e) != 0)
			return e->code;
	} else {
		found = mandate_live_for_payer(db, payer_id, &m, e);
		if (found < 0)
			return found;
		if (found == 0)
			return 0;
	}
	if (strcmp(m.state, "active") != 0)
		return 0;
	snprintf(why, sizeof(why), "debit of %s failed: %s (%s) at %s, return "
	    "file %.12s item %.60s", obligation_ref(oref, r->obligation_id),
	    r->category, r->raw_code ? r->raw_code : "-", r->bank,
	    r->source_sha256, r->item_ref);
	if (mandate_transition_tx(db, m.id, MANDATE_SUSPEND, why, r->actor,
	    e) != 0)
		return e->code;
	*suspended = m.id;
	return 0;
}

int
obligation_fail_debit(struct db *db, const struct debit_result *r,
    int64_t *suspended, struct gw_err *e)
{
	struct debit_apply *a;
	int rc;

	if (suspended)
		*suspended = 0;
	if ((rc = debit_apply_open(&a, db, NULL, r->bank, r->source_sha256,
	    r->actor, e)) != 0)
		return rc;
	if ((rc = debit_apply_fail(a, r->obligation_id, r->amount_fen, r->on,
	    r->item_ref, r->category, r->raw_code, r->mandate_id, suspended,
	    e)) != 0) {
		debit_apply_abort(a);
		return rc;
	}
	return debit_apply_close(a, e);
}

/* ---- finance -------------------------------------------------------- */

int
obligation_cover_from(const struct ledger_policy *pol,
    const struct obligation *o, int paid_on, int was_arrears)
{
	struct ledger_policy def;
	int first, last, late = o->late || was_arrears;

	if (pol == NULL) {
		ledger_policy_default(&def);
		pol = &def;
	}
	ledger_period_days(o->period, &first, &last);
	if (o->newborn) {
		int m = pol->newborn_until / 100, d = pol->newborn_until % 100;
		int y = o->year + 1;

		/* A 02-29 deadline falls back to 02-28 in a common year. */
		if (!date_is_valid(y, m, d))
			d = date_days_in_month(y, m);
		if (paid_on <= date_from_ymd(y, m, d))
			return first;
		late = 1;
	}
	if (!late)
		return first;
	return paid_on + pol->late_wait_days > first ?
	    paid_on + pol->late_wait_days : first;
}

int
obligation_pay_channel(struct db *db, const struct ledger_policy *pol,
    const struct channel_payment *p, int *cover_from, struct gw_err *e)
{
	struct obligation o;
	struct journal_src src;
	const char *v[5];
	char clearing[48], src_ref[200], on[DATE_BUFSZ], cover[DATE_BUFSZ];
	char oref[OBLIGATION_REF_SZ], a[MONEY_BUFSZ], b[MONEY_BUFSZ];
	char why[160];
	int was_arrears, cover_day;

	if (load(db, p->obligation_id, p->actor, &o, e) != 0)
		return e->code;
	obligation_ref(oref, o.id);
	if (p->channel == NULL || !ledger_channel_is_valid(p->channel))
		return gw_err_set(e, GW_EINPUT, "--channel: '%.20s' is not "
		    "counter, wechat, alipay, bank_app, pos or other",
		    p->channel ? p->channel : "");
	if (!ledger_text_ok(p->reference, 63))
		return gw_err_set(e, GW_EINPUT, "--ref: must be 1-63 bytes of "
		    "text");
	if (!ledger_day_ok(p->paid_on) || p->paid_on > p->today)
		return gw_err_set(e, GW_EINPUT, "--paid-on: %s is in the future",
		    date_format(on, p->paid_on));
	if (strcmp(o.state, "in_batch") == 0)
		return gw_err_set(e, GW_ESTATE, "obligation %s is in batch %s; "
		    "record another payment only after the bank's result",
		    oref, o.batch_ref);
	if (o.paid_on[0] != '\0' && strcmp(o.state, "open") != 0 &&
	    strcmp(o.state, "failed") != 0 && strcmp(o.state, "arrears") != 0)
		return gw_err_set(e, GW_ESTATE, "obligation %s is %s: paid on %s "
		    "via %s%s%s (ref %s); a second payment is refused", oref,
		    o.state, o.paid_on, o.pay_channel, o.pay_bank[0] ? " " : "",
		    o.pay_bank, o.pay_ref);
	if (!obligation_transition_is_legal(o.state, "paid_other_channel"))
		return refuse(&o, "pay", e);
	if (p->amount_fen != o.due_fen)
		return gw_err_set(e, GW_EINPUT, "obligation %s: %s of %s; %s is "
		    "due and must be paid exactly", oref, p->amount_fen >
		    o.due_fen ? "over-payment" : "under-payment",
		    money_format(a, p->amount_fen), money_format(b, o.due_fen));
	was_arrears = strcmp(o.state, "arrears") == 0;
	cover_day = obligation_cover_from(pol, &o, p->paid_on, was_arrears);
	v[0] = p->channel;
	v[1] = NULL;
	v[2] = date_format(on, p->paid_on);
	v[3] = p->reference;
	v[4] = date_format(cover, cover_day);
	snprintf(why, sizeof(why), "%s ref %s, cover from %s", p->channel,
	    p->reference, cover);
	if (step_update(db, q_paid, o.id, v, 5, "obligation paid", e) != 0 ||
	    change_state(db, &o, "pay", "paid_other_channel", why, p->actor,
	    e) != 0)
		return e->code;
	snprintf(src_ref, sizeof(src_ref), "%s:%s", p->channel, p->reference);
	src = (struct journal_src){ "channel_payment", p->paid_on, "payment",
	    src_ref, p->actor, was_arrears ? "late payment of arrears" : NULL };
	if (journal_post_pair(db, &src, journal_clearing(clearing,
	    sizeof(clearing), p->channel), "receivable", o.due_fen, o.payer_id,
	    o.id, NULL, e) != 0)
		return e->code;
	if (cover_from)
		*cover_from = cover_day;
	return 0;
}

int
obligation_write_off(struct db *db, int64_t id, const char *reason, int today,
    const char *actor, struct gw_err *e)
{
	struct obligation o;
	struct journal_src src;
	char src_ref[64], oref[OBLIGATION_REF_SZ];

	if (load(db, id, actor, &o, e) != 0)
		return e->code;
	if (!ledger_text_ok(reason, 200))
		return gw_err_set(e, GW_EINPUT, "write-off of %s: a reason of "
		    "1-200 bytes is required", obligation_ref(oref, id));
	if (change_state(db, &o, "write_off", "written_off", reason, actor,
	    e) != 0)
		return e->code;
	snprintf(src_ref, sizeof(src_ref), "write_off:%s",
	    obligation_ref(oref, id));
	src = (struct journal_src){ "write_off", today, "command", src_ref,
	    actor, reason };
	return journal_post_pair(db, &src, "written_off", "receivable",
	    o.due_fen, o.payer_id, o.id, NULL, e);
}

/* ---- month close ---------------------------------------------------- */

struct arrear {
	int64_t	id;
	int64_t	due;
	int	cat;
};

static int
cat_index(const char *c)
{
	size_t i;

	for (i = 0; i < NELEM(ledger_fail_categories); i++)
		if (strcmp(c, ledger_fail_categories[i]) == 0)
			return (int)i;
	return (int)NELEM(ledger_fail_categories) - 1;
}

int
obligation_close_month(struct db *db, int year, int month, int today,
    const char *actor, struct month_close_result *r, struct gw_err *e)
{
	static const char q_seen[] = "SELECT at FROM month_closes WHERE month = ?";
	static const char q_failed_by[] =
	    "SELECT id, due_fen, fail_category FROM obligations"
	    " WHERE state = 'failed' AND " LEDGER_WORKED_STATE
	    " AND failed_on <= ? ORDER BY id";
	static const char q_arrears[] =
	    "UPDATE obligations SET state = 'arrears', updated_at = ?2"
	    " WHERE id = ?1 AND state = 'failed'";
	static const char q_close[] =
	    "INSERT INTO month_closes(month, arrears, arrears_fen, at, actor)"
	    " VALUES (?,?,?,?,?)";
	struct audit_writer *aw = NULL;
	struct arrear *list = NULL;
	sqlite3_stmt *st;
	size_t n = 0, cap = 0, i;
	char mon[8], last_s[DATE_BUFSZ], now[TS_BUFSZ], ref[OBLIGATION_REF_SZ];
	char why[64];
	struct audit_event ev = { .actor = actor, .entity = "obligation",
	    .action = "close_month", .from_state = "failed",
	    .to_state = "arrears", .reason = why };
	int last, rc, step;

	memset(r, 0, sizeof(*r));
	if (ledger_actor_ok(actor, e) != 0)
		return e->code;
	if (year < 2000 || year > 2199 || month < 1 || month > 12)
		return gw_err_set(e, GW_EINPUT, "month %d-%02d out of range",
		    year, month);
	snprintf(mon, sizeof(mon), "%04u-%02u", (unsigned)year % 10000u,
	    (unsigned)month % 100u);
	last = date_from_ymd(year, month, date_days_in_month(year, month));
	if (today <= last)
		return gw_err_set(e, GW_EINPUT, "month %s has not ended (its last "
		    "day is %s); close it from the next day", mon,
		    date_format(last_s, last));
	date_format(last_s, last);
	ts_format_utc(now, gw_now());
	if (db_begin(db, e) != 0)
		return e->code;
	if ((st = db_stmt(db, q_seen, e)) == NULL)
		goto fail;
	sqlite3_bind_text(st, 1, mon, -1, SQLITE_STATIC);
	if ((step = sqlite3_step(st)) == SQLITE_ROW) {
		r->already = 1;
		snprintf(r->already_at, sizeof(r->already_at), "%s",
		    db_col_text(st, 0));
	}
	sqlite3_reset(st);
	if (step != SQLITE_ROW && step != SQLITE_DONE) {
		db_fail(db, "month_closes", e);
		goto fail;
	}
	if (r->already) {
		db_rollback(db);
		return 0;
	}
	/* Collect first: the rows leave the state index we would scan. */
	if ((st = db_stmt(db, q_failed_by, e)) == NULL)
		goto fail;
	sqlite3_bind_text(st, 1, last_s, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (vec_room(&list, n, &cap, sizeof(*list)) != 0) {
			sqlite3_reset(st);
			gw_err_set(e, GW_ENOMEM, "month close: out of memory");
			goto fail;
		}
		list[n].id = sqlite3_column_int64(st, 0);
		list[n].due = sqlite3_column_int64(st, 1);
		list[n].cat = cat_index(db_col_text(st, 2));
		n++;
	}
	sqlite3_reset(st);
	if (step != SQLITE_DONE) {
		db_fail(db, "month close", e);
		goto fail;
	}
	if (audit_writer_open(&aw, db, e) != 0)
		goto fail;
	snprintf(why, sizeof(why), "month %s closed unpaid", mon);
	if ((st = db_stmt(db, q_arrears, e)) == NULL)
		goto fail;
	for (i = 0; i < n; i++) {
		sqlite3_bind_int64(st, 1, list[i].id);
		sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			sqlite3_reset(st);
			ledger_db_fail(db, "arrears", e);
			goto fail;
		}
		sqlite3_reset(st);
		ev.entity_id = obligation_ref(ref, list[i].id);
		if (audit_writer_append(aw, &ev, e) != 0 ||
		    money_add(&r->total_fen, list[i].due, e) != 0)
			goto fail;
		r->count++;
		r->by_category_count[list[i].cat]++;
		r->by_category_fen[list[i].cat] += list[i].due;
	}
	rc = audit_writer_close(aw, e);
	aw = NULL;
	if (rc != 0 || (st = db_stmt(db, q_close, e)) == NULL)
		goto fail;
	sqlite3_bind_text(st, 1, mon, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, r->count);
	sqlite3_bind_int64(st, 3, r->total_fen);
	sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, actor, -1, SQLITE_STATIC);
	if (db_step_done(db, st, "month_closes", e) != 0)
		goto fail;
	free(list);
	return db_commit(db, e);
fail:
	audit_writer_abort(aw);
	free(list);
	db_rollback(db);
	return e->code;
}

/* ---- refunds -------------------------------------------------------- */

int
obligation_refund_requested(struct db *db, int64_t id, const char *reason,
    const char *actor, struct gw_err *e)
{
	struct obligation o;

	if (load(db, id, actor, &o, e) != 0)
		return e->code;
	return change_state(db, &o, "refund_request", "refund_requested",
	    reason, actor, e);
}

int
obligation_refunded(struct db *db, int64_t id, const char *reason,
    const char *actor, struct gw_err *e)
{
	struct obligation o;

	static const char q[] =
	    "UPDATE obligations SET enrolled = 0 WHERE id = ?1";

	if (load(db, id, actor, &o, e) != 0)
		return e->code;
	/* The enrolment ends before the state says refunded (CHECK). */
	if (step_update(db, q, id, NULL, 0, "enrolment", e) != 0)
		return e->code;
	return change_state(db, &o, "refund_approve", "refunded", reason, actor,
	    e);
}

int
obligation_refund_rejected(struct db *db, int64_t id, const char *back_to,
    const char *reason, const char *actor, struct gw_err *e)
{
	struct obligation o;

	if (load(db, id, actor, &o, e) != 0)
		return e->code;
	return change_state(db, &o, "refund_reject", back_to, reason, actor, e);
}

/* ---- listings ------------------------------------------------------- */

int
obligation_foreach(struct db *db, const struct obligation_filter *f,
    int (*fn)(void *arg, const struct obligation *o), void *arg,
    struct gw_err *e)
{
#define FILTERS \
	" (?1 IS NULL OR state = ?1) AND (?2 IS NULL OR payer_id = ?2)" \
	" AND (?3 IS NULL OR period = ?3) AND (?4 IS NULL OR fail_category = ?4)" \
	" AND (?5 IS NULL OR fail_bank = ?5)" \
	" AND (?6 IS NULL OR substr(failed_on, 1, 7) = ?6)" \
	" AND (?7 = 0 OR year = ?7) ORDER BY id"
	/* One statement per leading index, so SQLite can use it. */
	static const char q_payer[] = "SELECT " COLS " FROM obligations"
	    " WHERE id IN " LEDGER_PAYER_OBLIGATIONS("?2") " AND" FILTERS;
	static const char q_state[] = "SELECT " COLS " FROM obligations"
	    " WHERE state = ?1 AND " LEDGER_WORKED_STATE " AND" FILTERS;
	static const char q_all[] = "SELECT " COLS " FROM obligations WHERE"
	    FILTERS;
#undef FILTERS
	struct obligation o;
	struct obligation_filter none;
	sqlite3_stmt *st;
	const char *q;
	int rc = 0, step;

	if (f == NULL) {
		memset(&none, 0, sizeof(none));
		f = &none;
	}
	q = f->payer_id ? q_payer : ledger_state_is_worked(f->state) ? q_state :
	    q_all;
	if ((st = db_stmt(db, q, e)) == NULL)
		return e->code;
	db_bind_text(st, 1, f->state);
	db_bind_text(st, 2, f->payer_id);
	db_bind_text(st, 3, f->period);
	db_bind_text(st, 4, f->fail_category);
	db_bind_text(st, 5, f->fail_bank);
	db_bind_text(st, 6, f->failed_month);
	sqlite3_bind_int(st, 7, f->year);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		row_to_obligation(st, &o);
		if ((rc = fn(arg, &o)) != 0)
			break;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = db_fail(db, "obligations", e);
	sqlite3_reset(st);
	return rc;
}

int
obligation_totals(struct db *db, struct obligation_totals *t, struct gw_err *e)
{
	static const char q[] =
	    "SELECT state, count(*), sum(due_fen), sum(amount_fen),"
	    " sum(subsidy_fen) FROM obligations GROUP BY state";
	sqlite3_stmt *st;
	size_t i;
	int step;

	memset(t, 0, sizeof(*t));
	if ((st = db_stmt(db, q, e)) == NULL)
		return e->code;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *s = db_col_text(st, 0);

		for (i = 0; i < NELEM(obligation_states); i++)
			if (strcmp(s, obligation_states[i]) == 0)
				break;
		if (i == NELEM(obligation_states)) {
			sqlite3_reset(st);
			return gw_err_set(e, GW_EDB, "obligation state '%s' is "
			    "not known", s);
		}
		t->count[i] = sqlite3_column_int64(st, 1);
		t->due_fen[i] = sqlite3_column_int64(st, 2);
		t->amount_fen += sqlite3_column_int64(st, 3);
		t->subsidy_fen += sqlite3_column_int64(st, 4);
	}
	sqlite3_reset(st);
	return step == SQLITE_DONE ? 0 : db_fail(db, "obligation totals", e);
}

int
obligation_failure_stats(struct db *db, void (*fn)(void *arg,
    const char *category, int64_t n, int64_t fen), void *arg,
    struct gw_err *e)
{
	static const char q[] = "SELECT r.category, count(*), sum(o.due_fen)"
	    " FROM debit_results r JOIN obligations o ON o.id = r.obligation_id"
	    " WHERE r.outcome = 'failed' GROUP BY r.category";
	sqlite3_stmt *st;
	int step;

	if ((st = db_stmt(db, q, e)) == NULL)
		return e->code;
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		fn(arg, db_col_text(st, 0), sqlite3_column_int64(st, 1),
		    sqlite3_column_int64(st, 2));
	sqlite3_reset(st);
	return step == SQLITE_DONE ? 0 : db_fail(db, "failure stats", e);
}
