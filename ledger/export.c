/*
 * export.c - select payment records not yet exported, hand them out, mark
 * them.
 *
 * A record is one receivable credit: a channel payment's entry has one,
 * a return file's debit entry one per obligation it paid (the detail of
 * its credit: the obligations naming it), each marked by its obligation.
 *
 * The export row is inserted first so its id can be stamped on each
 * record's mark; the marks go into a different table from the one being
 * read, so the SELECT and the INSERTs can run side by side.
 */
#include <string.h>

#include "common/date.h"
#include "common/money.h"
#include "ledger/export.h"
#include "ledger/ledger.h"

struct each_export {
	struct db		 *db;
	const struct export_opts *o;
	struct export_result	 *r;
	sqlite3_stmt		 *mark;		/* a posting line */
	sqlite3_stmt		 *mark_paid;	/* a debit's obligation */
	struct gw_err		 *e;
};

/* Hand one record out, then mark it as carried by this export. */
static int
export_one(void *arg, sqlite3_stmt *st)
{
	struct each_export *x = arg;
	struct export_row row;
	sqlite3_stmt *mark;
	int rc, line = sqlite3_column_int(st, 11);

	row.entry_id = sqlite3_column_int64(st, 0);
	row.obligation_id = sqlite3_column_int64(st, 1);
	row.payer_id = db_col_text(st, 2);
	row.period = db_col_text(st, 3);
	row.amount_fen = sqlite3_column_int64(st, 4);
	row.paid_on = db_col_text(st, 5);
	row.channel = db_col_text(st, 6);
	row.bank = db_col_text(st, 7);
	row.reference = db_col_text(st, 8);
	row.cover_from = db_col_text(st, 9);
	row.exported_before = sqlite3_column_int(st, 10);
	if ((rc = x->o->row(x->o->arg, &row)) != 0)
		return gw_err_set(x->e, rc < 0 ? rc : GW_EIO,
		    "export: output failed");
	if (line > 0) {
		mark = x->mark;
		sqlite3_bind_int64(mark, 1, row.entry_id);
		sqlite3_bind_int(mark, 2, line);
		sqlite3_bind_int64(mark, 3, x->r->id);
	} else {
		mark = x->mark_paid;
		sqlite3_bind_int64(mark, 1, row.obligation_id);
		sqlite3_bind_int64(mark, 2, x->r->id);
	}
	if (db_step_done(x->db, mark, "export mark", x->e) != 0)
		return x->e->code;
	x->r->rows++;
	x->r->again_rows += row.exported_before;
	return money_add(&x->r->total_fen, row.amount_fen, x->e);
}

int
export_payments(struct db *db, const struct export_opts *o,
    struct export_result *r, struct gw_err *e)
{
	static const char q_new[] =
	    "INSERT INTO payment_exports(since, again, rows, total_fen, path,"
	    " at, actor) VALUES (?,?,0,0,?,?,?)";
	static const char q_rows[] =
	    "SELECT j.id, o.id, o.payer_id, o.period, -p.amount_fen,"
	    " j.value_date, o.pay_channel, coalesce(o.pay_bank, ''),"
	    " o.pay_ref, o.cover_from, x.entry_id IS NOT NULL, p.line"
	    " FROM journal_entries j"
	    " JOIN postings p ON p.entry_id = j.id AND p.account = 'receivable'"
	    " JOIN obligations o ON o.id = p.obligation_id"
	    " LEFT JOIN payment_export_lines x ON x.entry_id = j.id"
	    " AND x.line = p.line"
	    " WHERE j.kind IN ('debit','channel_payment') AND j.value_date >= ?1"
	    " AND (?2 OR x.entry_id IS NULL)"
	    /* Line 0: a debit entry's credit, by the obligations it paid. */
	    " UNION ALL SELECT j.id, o.id, o.payer_id, o.period, o.due_fen,"
	    " j.value_date, o.pay_channel, coalesce(o.pay_bank, ''), o.pay_ref,"
	    " o.cover_from, x.obligation_id IS NOT NULL, 0 FROM obligations o"
	    " JOIN journal_entries j ON j.id = o.pay_entry"
	    " LEFT JOIN payment_export_paid x ON x.obligation_id = o.id"
	    " WHERE o.pay_entry IS NOT NULL AND j.value_date >= ?1"
	    " AND (?2 OR x.obligation_id IS NULL) ORDER BY 6, 1, 12, 2";
	static const char q_mark[] =
	    "INSERT OR IGNORE INTO payment_export_lines(entry_id, line,"
	    " export_id) VALUES (?,?,?)";
	static const char q_mark_paid[] =
	    "INSERT OR IGNORE INTO payment_export_paid(obligation_id,"
	    " export_id) VALUES (?,?)";
	static const char q_done[] =
	    "UPDATE payment_exports SET rows = ?2, total_fen = ?3 WHERE id = ?1";
	struct each_export x = { db, o, r, NULL, NULL, e };
	sqlite3_stmt *st;
	char since[DATE_BUFSZ], now[TS_BUFSZ];

	memset(r, 0, sizeof(*r));
	if (ledger_actor_ok(o->actor, e) != 0)
		return e->code;
	date_format(since, o->since > 0 ? o->since : date_from_ymd(1970, 1, 1));
	if (db_begin(db, e) != 0)
		return e->code;
	if ((st = db_stmt(db, q_new, e)) == NULL)
		goto fail;
	sqlite3_bind_text(st, 1, since, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, o->again ? 1 : 0);
	db_bind_text(st, 3, o->path);
	sqlite3_bind_text(st, 4, ts_format_utc(now, gw_now()), -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(st, 5, o->actor, -1, SQLITE_STATIC);
	if (db_step_done(db, st, "payment_exports", e) != 0)
		goto fail;
	r->id = sqlite3_last_insert_rowid(db_handle(db));
	if ((st = db_stmt(db, q_rows, e)) == NULL ||
	    (x.mark = db_stmt(db, q_mark, e)) == NULL ||
	    (x.mark_paid = db_stmt(db, q_mark_paid, e)) == NULL)
		goto fail;
	sqlite3_bind_text(st, 1, since, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, o->again ? 1 : 0);
	if (db_each(db, st, export_one, &x, "export", e) != 0)
		goto fail;
	if ((st = db_stmt(db, q_done, e)) == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, r->id);
	sqlite3_bind_int64(st, 2, r->rows);
	sqlite3_bind_int64(st, 3, r->total_fen);
	if (db_step_done(db, st, "payment_exports", e) != 0)
		goto fail;
	if (o->commit != NULL && o->commit(o->arg, e) != 0)
		goto fail;
	return db_commit(db, e);
fail:
	db_rollback(db);
	return e->code;
}
