/*
 * refund.c - refund requests, the second person's decision, and payout.
 *
 * The requester is compared with the decider here for a clear message and
 * again by the schema's CHECK (decided_by <> requested_by), so no path
 * around this file can approve one's own refund. The refund row, the
 * obligation's state, the journal entry and the audit events change in
 * one transaction.
 */
#include <stdio.h>
#include <string.h>

#include "common/audit.h"
#include "common/money.h"
#include "common/text.h"
#include "common/strnum.h"
#include "ledger/journal.h"
#include "ledger/obligation.h"
#include "ledger/refund.h"

static const char *const reasons[] = { "duplicate", "deceased",
    "employee_insurance", "system_error", "other" };

#define RCOLS \
	"r.id, r.obligation_id, o.payer_id, o.period, r.reason," \
	" coalesce(r.note, ''), r.amount_fen, r.clearing, r.from_state," \
	" r.state, r.requested_by, r.requested_at, r.requested_on, r.due_on," \
	" coalesce(r.decided_by, ''), coalesce(r.decided_at, '')," \
	" coalesce(r.decision_note, ''), coalesce(r.paid_on, '')," \
	" coalesce(r.pay_ref, ''), (r.state IN ('requested','approved')" \
	" AND r.due_on < ?9)"

char *
refund_ref(char out[REFUND_REF_SZ], int64_t id)
{
	return ledger_ref(out, 'R', id);
}

int
refund_id_parse(int64_t *out, const char *s, struct gw_err *e)
{
	return strnum_ref(out, 'R', s, "refund id", e);
}

int
refund_reason_is_valid(const char *s)
{
	return TEXT_IN(s, reasons);
}

static void
row_to_refund(sqlite3_stmt *st, struct refund *r)
{
	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(st, 0);
	r->obligation_id = sqlite3_column_int64(st, 1);
	DB_COL_COPY(r->payer_id, st, 2);
	DB_COL_COPY(r->period, st, 3);
	DB_COL_COPY(r->reason, st, 4);
	DB_COL_COPY(r->note, st, 5);
	r->amount_fen = sqlite3_column_int64(st, 6);
	DB_COL_COPY(r->clearing, st, 7);
	DB_COL_COPY(r->from_state, st, 8);
	DB_COL_COPY(r->state, st, 9);
	DB_COL_COPY(r->requested_by, st, 10);
	DB_COL_COPY(r->requested_at, st, 11);
	DB_COL_COPY(r->requested_on, st, 12);
	DB_COL_COPY(r->due_on, st, 13);
	DB_COL_COPY(r->decided_by, st, 14);
	DB_COL_COPY(r->decided_at, st, 15);
	DB_COL_COPY(r->decision_note, st, 16);
	DB_COL_COPY(r->paid_on, st, 17);
	DB_COL_COPY(r->pay_ref, st, 18);
	r->overdue = sqlite3_column_int(st, 19);
}

int
refund_get(struct db *db, int64_t id, int today, struct refund *out,
    struct gw_err *e)
{
	static const char q[] = "SELECT " RCOLS " FROM refunds r"
	    " JOIN obligations o ON o.id = r.obligation_id WHERE r.id = ?1";
	sqlite3_stmt *st;
	char d[DATE_BUFSZ], ref[REFUND_REF_SZ];
	int rc;

	if ((st = db_stmt(db, q, e)) == NULL)
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 9, date_format(d, today), -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		row_to_refund(st, out);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc != SQLITE_DONE)
		return db_fail(db, "refund get", e);
	return gw_err_set(e, GW_ENOTFOUND, "no refund %s", refund_ref(ref, id));
}

static int
note_ok(const char *s, struct gw_err *e)
{
	if (s != NULL && *s != '\0' && !ledger_text_ok(s, 255))
		return gw_err_set(e, GW_EINPUT, "note: at most 255 bytes of "
		    "UTF-8 text");
	return 0;
}

static int
event(struct db *db, int64_t id, const char *action, const char *from,
    const char *to, const char *reason, const char *actor, struct gw_err *e)
{
	char ref[REFUND_REF_SZ];

	return audit_append(db, &(struct audit_event){ .actor = actor,
	    .entity = "refund", .entity_id = refund_ref(ref, id),
	    .action = action, .from_state = from, .to_state = to,
	    .reason = reason }, e);
}

int
refund_request(struct db *db, const struct ledger_policy *pol,
    int64_t obligation_id, const char *reason, const char *note, int today,
    const char *actor, int64_t *id, struct gw_err *e)
{
	static const char q[] =
	    "INSERT INTO refunds(obligation_id, reason, note, amount_fen,"
	    " clearing, from_state, state, requested_by, requested_at,"
	    " requested_on, due_on) VALUES (?,?,?,?,?,?,'requested',?,?,?,?)";
	struct ledger_policy def;
	struct obligation o;
	sqlite3_stmt *st;
	char clearing[48], now[TS_BUFSZ], on[DATE_BUFSZ], due[DATE_BUFSZ];
	char why[160];

	if (pol == NULL) {
		ledger_policy_default(&def);
		pol = &def;
	}
	if (reason == NULL || !refund_reason_is_valid(reason))
		return gw_err_set(e, GW_EINPUT, "--reason: '%.30s' is not "
		    "duplicate, deceased, employee_insurance, system_error or "
		    "other", reason ? reason : "");
	if (note_ok(note, e) != 0 || ledger_actor_ok(actor, e) != 0)
		return e->code;
	if (db_begin(db, e) != 0)
		return e->code;
	if (obligation_get(db, obligation_id, &o, e) != 0)
		goto fail;
	journal_clearing(clearing, sizeof(clearing),
	    strcmp(o.pay_channel, "debit") == 0 ? o.pay_bank : o.pay_channel);
	snprintf(why, sizeof(why), "refund requested: %s", reason);
	if (obligation_refund_requested(db, obligation_id, why, actor, e) != 0)
		goto fail;
	if ((st = db_stmt(db, q, e)) == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, obligation_id);
	sqlite3_bind_text(st, 2, reason, -1, SQLITE_STATIC);
	db_bind_text_or_null(st, 3, note);
	sqlite3_bind_int64(st, 4, o.due_fen);
	sqlite3_bind_text(st, 5, clearing, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, o.state, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, ts_format_utc(now, gw_now()), -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(st, 9, date_format(on, today), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, date_format(due, ledger_add_working_days(pol,
	    today, pol->refund_working_days)), -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_reset(st);
		ledger_db_fail(db, "refund insert", e);
		goto fail;
	}
	sqlite3_reset(st);
	*id = sqlite3_last_insert_rowid(db_handle(db));
	snprintf(why, sizeof(why), "%s; due %s", reason, due);
	if (event(db, *id, "request", NULL, "requested", why, actor, e) != 0)
		goto fail;
	return db_commit(db, e);
fail:
	db_rollback(db);
	return e->code;
}

/* Load r for a decision by actor: requested, and not by the same person. */
static int
decidable(struct db *db, int64_t id, const char *actor, const char *verb,
    struct refund *r, struct gw_err *e)
{
	char ref[REFUND_REF_SZ];

	if (refund_get(db, id, 0, r, e) != 0)
		return e->code;
	if (strcmp(r->state, "requested") != 0)
		return gw_err_set(e, GW_ESTATE, "refund %s is %s; %s needs "
		    "requested", refund_ref(ref, id), r->state, verb);
	if (strcmp(r->requested_by, actor) == 0)
		return gw_err_set(e, GW_EINPUT, "refund %s was requested by %s; "
		    "it must be %s by someone else (maker-checker)",
		    refund_ref(ref, id), actor, strcmp(verb, "approve") == 0 ?
		    "approved" : "rejected");
	return 0;
}

static const char q_decide[] =
    "UPDATE refunds SET state = ?2, decided_by = ?3, decided_at = ?4,"
    " decision_note = ?5 WHERE id = ?1 AND state = 'requested'";

static int
decide(struct db *db, int64_t id, const char *to, const char *note,
    const char *actor, struct gw_err *e)
{
	sqlite3_stmt *st;
	char now[TS_BUFSZ];

	if ((st = db_stmt(db, q_decide, e)) == NULL)
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, to, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, ts_format_utc(now, gw_now()), -1,
	    SQLITE_STATIC);
	db_bind_text_or_null(st, 5, note);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_reset(st);
		return ledger_db_fail(db, "refund decision", e);
	}
	sqlite3_reset(st);
	if (sqlite3_changes(db_handle(db)) != 1)
		return gw_err_set(e, GW_EBUSY, "refund changed meanwhile");
	return 0;
}

/* Post one refund entry: Dr `dr` / Cr `cr`, the refund's amount. */
static int
post(struct db *db, const struct refund *r, const char *kind, const char *dr,
    const char *cr, int day, const char *step, const char *actor,
    struct gw_err *e)
{
	struct journal_src src;
	char src_ref[64], ref[REFUND_REF_SZ];

	snprintf(src_ref, sizeof(src_ref), "refund:%s:%s", refund_ref(ref,
	    r->id), step);
	src = (struct journal_src){ kind, day, "command", src_ref, actor,
	    r->reason };
	return journal_post_pair(db, &src, dr, cr, r->amount_fen, r->payer_id,
	    r->obligation_id, NULL, e);
}

/* requested -> approved or rejected, with everything that goes with it. */
static int
settle_request(struct db *db, int64_t id, int approve, const char *note,
    int today, const char *actor, struct gw_err *e)
{
	const char *verb = approve ? "approve" : "reject";
	const char *to = approve ? "approved" : "rejected";
	struct refund r;
	struct obligation o;
	char income[24], why[64], ref[REFUND_REF_SZ];

	if (note_ok(note, e) != 0 || ledger_actor_ok(actor, e) != 0)
		return e->code;
	if (db_begin(db, e) != 0)
		return e->code;
	snprintf(why, sizeof(why), "refund %s %s", refund_ref(ref, id), to);
	if (decidable(db, id, actor, verb, &r, e) != 0 ||
	    obligation_get(db, r.obligation_id, &o, e) != 0 ||
	    decide(db, id, to, note, actor, e) != 0)
		goto fail;
	if (approve ? (obligation_refunded(db, r.obligation_id, why, actor,
	    e) != 0 || post(db, &r, "refund", journal_income(income,
	    sizeof(income), o.year), "refunds_payable", today, "approve", actor,
	    e) != 0) : obligation_refund_rejected(db, r.obligation_id,
	    r.from_state, why, actor, e) != 0)
		goto fail;
	if (event(db, id, verb, "requested", to, note, actor, e) != 0)
		goto fail;
	return db_commit(db, e);
fail:
	db_rollback(db);
	return e->code;
}

int
refund_approve(struct db *db, int64_t id, const char *note, int today,
    const char *actor, struct gw_err *e)
{
	return settle_request(db, id, 1, note, today, actor, e);
}

int
refund_reject(struct db *db, int64_t id, const char *note, const char *actor,
    struct gw_err *e)
{
	return settle_request(db, id, 0, note, 0, actor, e);
}

int
refund_pay(struct db *db, int64_t id, int paid_on, const char *pay_ref,
    int today, const char *actor, struct gw_err *e)
{
	static const char q[] =
	    "UPDATE refunds SET state = 'paid', paid_on = ?2, pay_ref = ?3"
	    " WHERE id = ?1 AND state = 'approved'";
	struct refund r;
	sqlite3_stmt *st;
	char on[DATE_BUFSZ], ref[REFUND_REF_SZ];

	if (!ledger_text_ok(pay_ref, 63))
		return gw_err_set(e, GW_EINPUT, "--ref: must be 1-63 bytes of "
		    "text");
	if (paid_on > today)
		return gw_err_set(e, GW_EINPUT, "--paid-on: %s is in the future",
		    date_format(on, paid_on));
	if (ledger_actor_ok(actor, e) != 0)
		return e->code;
	if (db_begin(db, e) != 0)
		return e->code;
	if (refund_get(db, id, today, &r, e) != 0)
		goto fail;
	if (strcmp(r.state, "approved") != 0) {
		gw_err_set(e, GW_ESTATE, "refund %s is %s; pay needs approved",
		    refund_ref(ref, id), r.state);
		goto fail;
	}
	if ((st = db_stmt(db, q, e)) == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, date_format(on, paid_on), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, pay_ref, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_reset(st);
		ledger_db_fail(db, "refund pay", e);
		goto fail;
	}
	sqlite3_reset(st);
	if (post(db, &r, "refund_payout", "refunds_payable", r.clearing, paid_on,
	    "pay", actor, e) != 0 ||
	    event(db, id, "pay", "approved", "paid", pay_ref, actor, e) != 0)
		goto fail;
	return db_commit(db, e);
fail:
	db_rollback(db);
	return e->code;
}

int
refund_foreach(struct db *db, const char *state, int today,
    int (*fn)(void *arg, const struct refund *r), void *arg,
    struct gw_err *e)
{
	static const char q[] = "SELECT " RCOLS " FROM refunds r"
	    " JOIN obligations o ON o.id = r.obligation_id"
	    " WHERE ?1 IS NULL OR r.state = ?1"
	    " ORDER BY 20 DESC, r.due_on, r.id";
	struct refund r;
	sqlite3_stmt *st;
	char d[DATE_BUFSZ];
	int rc = 0, step;

	if ((st = db_stmt(db, q, e)) == NULL)
		return e->code;
	db_bind_text(st, 1, state);
	sqlite3_bind_text(st, 9, date_format(d, today), -1, SQLITE_TRANSIENT);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		row_to_refund(st, &r);
		if ((rc = fn(arg, &r)) != 0)
			break;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = db_fail(db, "refunds", e);
	sqlite3_reset(st);
	return rc;
}
