/*
 * batch.c - the batches part: its tables, identifiers and state changes.
 *
 * Every state change is a guarded UPDATE (the expected old state in the
 * WHERE clause) plus an audit event, so two processes racing on one batch
 * cannot both win.
 *
 * An item stores only what is its own (batch, position, obligation,
 * mandate, amount, result): the rest of a file line is read from the
 * obligation and the mandate, whose fields never change once written (an
 * amendment makes a new mandate row; mandates/mandate.h). Its EndToEndId is
 * <MsgId>-<seq>: unique because MsgId and (batch, seq) are.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/date.h"
#include "common/strnum.h"
#include "common/vec.h"
#include "gateway/batch.h"

static const struct db_migration batch_migrations[] = {
	{ 1,
	  "CREATE TABLE batch_runs("
	  " run_date TEXT NOT NULL,"
	  " bank TEXT NOT NULL,"
	  " at TEXT NOT NULL,"
	  " actor TEXT NOT NULL,"
	  " items INTEGER NOT NULL CHECK (items >= 0),"
	  " amount INTEGER NOT NULL CHECK (amount >= 0),"
	  " PRIMARY KEY (run_date, bank));"
	  "CREATE TABLE batches("
	  " id INTEGER PRIMARY KEY,"
	  " run_date TEXT NOT NULL,"
	  " bank TEXT NOT NULL,"
	  " seq INTEGER NOT NULL CHECK (seq BETWEEN 1 AND 9999),"
	  " msg_id TEXT NOT NULL UNIQUE CHECK (length(msg_id) <= 35),"
	  " file_name TEXT NOT NULL UNIQUE,"
	  " format TEXT NOT NULL,"
	  " nb_items INTEGER NOT NULL CHECK (nb_items >= 0),"
	  " ctrl_sum INTEGER NOT NULL CHECK (ctrl_sum >= 0),"
	  " created_epoch INTEGER NOT NULL,"
	  " state TEXT NOT NULL CHECK (state IN ('assembled','signed','sent',"
	  "  'acknowledged','returned','reconciled','cancelled')),"
	  " file_sha256 TEXT,"
	  " sig_name TEXT,"
	  " sent_at TEXT,"
	  " updated_at TEXT NOT NULL,"
	  " UNIQUE (bank, run_date, seq),"
	  " CHECK (state = 'assembled' OR state = 'cancelled' OR"
	  "  (nb_items > 0 AND ctrl_sum > 0 AND file_sha256 IS NOT NULL)));"
	  "CREATE INDEX batches_state ON batches(state);"
	  "CREATE TABLE batch_items("
	  " id INTEGER PRIMARY KEY,"
	  " batch_id INTEGER NOT NULL REFERENCES batches(id),"
	  " seq INTEGER NOT NULL CHECK (seq BETWEEN 1 AND 9999999),"
	  " obligation_id INTEGER NOT NULL,"
	  " mandate_id INTEGER NOT NULL,"
	  " amount INTEGER NOT NULL CHECK (amount > 0),"
	  " live INTEGER NOT NULL DEFAULT 1 CHECK (live IN (0, 1)),"
	  " result TEXT CHECK (result IN ('accepted', 'rejected')),"
	  " UNIQUE (batch_id, seq));"
	  /* An obligation is in at most one item that is still open. */
	  "CREATE UNIQUE INDEX batch_items_open ON batch_items(obligation_id)"
	  " WHERE live = 1 AND result IS NULL;" },
};

const struct db_part batch_db_part =
    DB_PART("batches", batch_migrations);

#define BCOLS \
	"id, run_date, bank, seq, msg_id, file_name, format, nb_items," \
	" ctrl_sum, created_epoch, state, coalesce(file_sha256, '')," \
	" coalesce(sig_name, ''), coalesce(sent_at, ''), updated_at"

static const char q_get[] = "SELECT " BCOLS " FROM batches WHERE id = ?";
static const char q_find[] = "SELECT " BCOLS " FROM batches"
    " WHERE msg_id = ?1 OR file_name = ?1";
static const char q_list[] = "SELECT " BCOLS " FROM batches"
    " WHERE (?1 IS NULL OR state = ?1) AND (?2 IS NULL OR bank = ?2)"
    " ORDER BY id DESC";

static void
row(sqlite3_stmt *st, struct batch *b)
{
	memset(b, 0, sizeof(*b));
	b->id = sqlite3_column_int64(st, 0);
	DB_COL_COPY(b->run_date, st, 1);
	DB_COL_COPY(b->bank, st, 2);
	b->seq = sqlite3_column_int(st, 3);
	DB_COL_COPY(b->msg_id, st, 4);
	DB_COL_COPY(b->file_name, st, 5);
	DB_COL_COPY(b->format, st, 6);
	b->nb_items = sqlite3_column_int64(st, 7);
	b->ctrl_sum = sqlite3_column_int64(st, 8);
	b->created = (time_t)sqlite3_column_int64(st, 9);
	DB_COL_COPY(b->state, st, 10);
	DB_COL_COPY(b->file_sha256, st, 11);
	DB_COL_COPY(b->sig_name, st, 12);
	DB_COL_COPY(b->sent_at, st, 13);
	DB_COL_COPY(b->updated_at, st, 14);
}

static int
load(struct db *db, const char *sql, int64_t id, const char *key,
    struct batch *out, struct gw_err *e)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = db_stmt(db, sql, e)) == NULL)
		return e->code;
	if (key)
		sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		row(st, out);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc != SQLITE_DONE)
		return db_fail(db, "batch", e);
	if (key)
		return gw_err_set(e, GW_ENOTFOUND, "no batch %s", key);
	return gw_err_set(e, GW_ENOTFOUND, "no batch %lld", (long long)id);
}

char *
batch_msg_id(char out[BATCH_ID_SZ], const char *prefix, const char *day,
    const char *bank, int seq)
{
	snprintf(out, BATCH_ID_SZ, "%.3s%.4s%.2s%.2s%.10s%04u", prefix, day,
	    day + 5, day + 8, bank, (unsigned)seq % 10000u);
	return out;
}

char *
batch_e2e_id(char out[BATCH_ID_SZ], const char *msg_id, int seq)
{
	snprintf(out, BATCH_ID_SZ, "%.25s-%07u", msg_id,
	    (unsigned)seq % 10000000u);
	return out;
}

int
batch_get(struct db *db, int64_t id, struct batch *out, struct gw_err *e)
{
	return load(db, q_get, id, NULL, out, e);
}

int
batch_find(struct db *db, const char *key, struct batch *out, struct gw_err *e)
{
	return load(db, q_find, 0, key, out, e);
}

int
batch_resolve(struct db *db, const char *s, int64_t *id, struct gw_err *e)
{
	struct batch b;
	int rc;

	if (s[0] >= '0' && s[0] <= '9' && strnum_i64(id, s, 1, INT64_MAX,
	    "batch id", NULL) == 0)
		return 0;
	if ((rc = batch_find(db, s, &b, e)) != 0)
		return rc;
	*id = b.id;
	return 0;
}

static int
event(struct db *db, struct audit_writer *aw, const struct batch *b,
    const char *action, const char *from, const char *to, const char *reason,
    const char *actor, struct gw_err *e)
{
	struct audit_event ev = { .actor = actor, .entity = "batch",
	    .entity_id = b->msg_id, .action = action, .from_state = from,
	    .to_state = to, .reason = reason };

	return aw ? audit_writer_append(aw, &ev, e) : audit_append(db, &ev, e);
}

int
batch_run_exists(struct db *db, const char *run_date, const char *bank,
    char at[32], struct gw_err *e)
{
	static const char q[] =
	    "SELECT at FROM batch_runs WHERE run_date = ? AND bank = ?";
	sqlite3_stmt *st;
	int rc;

	if ((st = db_stmt(db, q, e)) == NULL)
		return e->code;
	sqlite3_bind_text(st, 1, run_date, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, bank, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && at)
		snprintf(at, 32, "%s", db_col_text(st, 0));
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(db, "batch_runs", e);
	return rc == SQLITE_ROW;
}

int
batch_run_record(struct db *db, const char *run_date, const char *bank,
    int64_t items, int64_t amount, const char *actor, struct gw_err *e)
{
	static const char q[] = "INSERT INTO batch_runs(run_date, bank, at,"
	    " actor, items, amount) VALUES (?,?,?,?,?,?)";
	sqlite3_stmt *st;

	if ((st = db_stmt(db, q, e)) == NULL)
		return e->code;
	sqlite3_bind_text(st, 1, run_date, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, bank, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, ts_now_utc(), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, actor, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, items);
	sqlite3_bind_int64(st, 6, amount);
	return db_step_done(db, st, "batch_runs", e);
}

int
batch_create(struct db *db, struct audit_writer *aw, struct batch *b,
    const char *actor, struct gw_err *e)
{
	static const char q_seq[] = "SELECT coalesce(max(seq), 0) + 1 FROM"
	    " batches WHERE bank = ? AND run_date = ?";
	static const char q_ins[] = "INSERT INTO batches(run_date, bank, seq,"
	    " msg_id, file_name, format, nb_items, ctrl_sum, created_epoch,"
	    " state, updated_at) VALUES (?,?,?,?,?,?,0,0,?,'assembled',?)";
	sqlite3_stmt *st;
	int day;

	if (date_parse(&day, b->run_date, strlen(b->run_date), e) != 0)
		return e->code;
	if ((st = db_stmt(db, q_seq, e)) == NULL)
		return e->code;
	sqlite3_bind_text(st, 1, b->bank, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, b->run_date, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return db_fail(db, "batch sequence", e);
	}
	b->seq = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	if (b->seq > 9999)
		return gw_err_set(e, GW_ELIMIT, "bank %s: more than 9999 files "
		    "on %s", b->bank, b->run_date);
	batch_msg_id(b->msg_id, "DGW", b->run_date, b->bank, b->seq);
	snprintf(b->file_name, sizeof(b->file_name), "%s.%s", b->msg_id,
	    strncmp(b->format, "text:", 5) == 0 ? "txt" : "xml");
	b->created = gw_now();
	b->nb_items = b->ctrl_sum = 0;
	snprintf(b->state, sizeof(b->state), "assembled");
	if ((st = db_stmt(db, q_ins, e)) == NULL)
		return e->code;
	sqlite3_bind_text(st, 1, b->run_date, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, b->bank, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, b->seq);
	sqlite3_bind_text(st, 4, b->msg_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, b->file_name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, b->format, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, (int64_t)b->created);
	sqlite3_bind_text(st, 8, ts_now_utc(), -1, SQLITE_TRANSIENT);
	if (db_step_done(db, st, "batch insert", e) != 0)
		return e->code;
	b->id = sqlite3_last_insert_rowid(db_handle(db));
	return event(db, aw, b, "assemble", NULL, "assembled", b->file_name,
	    actor, e);
}

int
batch_add_item(struct db *db, struct batch *b, int64_t obligation_id,
    int64_t mandate_id, int64_t amount, struct gw_err *e)
{
	static const char q[] = "INSERT INTO batch_items(batch_id, seq,"
	    " obligation_id, mandate_id, amount) VALUES (?,?,?,?,?)";
	sqlite3_stmt *st;

	if (b->nb_items >= 9999999)
		return gw_err_set(e, GW_ELIMIT, "batch %s: more than 9999999 items",
		    b->msg_id);
	if ((st = db_stmt(db, q, e)) == NULL)
		return e->code;
	sqlite3_bind_int64(st, 1, b->id);
	sqlite3_bind_int64(st, 2, b->nb_items + 1);
	sqlite3_bind_int64(st, 3, obligation_id);
	sqlite3_bind_int64(st, 4, mandate_id);
	sqlite3_bind_int64(st, 5, amount);
	if (db_step_done(db, st, "batch item", e) != 0)
		return e->code;
	b->nb_items++;
	b->ctrl_sum += amount;
	return 0;
}

int
batch_seal(struct db *db, const struct batch *b, struct gw_err *e)
{
	static const char q[] = "UPDATE batches SET nb_items = ?, ctrl_sum = ?"
	    " WHERE id = ? AND state = 'assembled'";
	sqlite3_stmt *st;

	if (b->nb_items <= 0 || b->ctrl_sum <= 0)
		return gw_err_set(e, GW_EINPUT, "batch %s is empty", b->msg_id);
	if ((st = db_stmt(db, q, e)) == NULL)
		return e->code;
	sqlite3_bind_int64(st, 1, b->nb_items);
	sqlite3_bind_int64(st, 2, b->ctrl_sum);
	sqlite3_bind_int64(st, 3, b->id);
	return db_step_done(db, st, "batch seal", e);
}

int
batch_foreach_item(struct db *db, int64_t batch_id,
    int (*fn)(void *arg, const struct batch_item *it), void *arg,
    struct gw_err *e)
{
	/* Reads the obligation and mandate rows (ledger and mandates parts)
	 * read-only: the fields used never change once written. */
	static const char q[] = "SELECT i.seq, i.mandate_id, b.msg_id,"
	    " i.amount, o.payer_id, m.payer_name, o.period, m.account_no,"
	    " m.account_name, coalesce(m.unit_code, ''), m.signed_on"
	    " FROM batch_items i JOIN batches b ON b.id = i.batch_id"
	    " JOIN obligations o ON o.id = i.obligation_id"
	    " JOIN mandates m ON m.id = i.mandate_id"
	    " WHERE i.batch_id = ? ORDER BY i.seq";
	struct batch_item it;
	sqlite3_stmt *st;
	int rc = 0, step;

	if ((st = db_stmt(db, q, e)) == NULL)
		return e->code;
	sqlite3_bind_int64(st, 1, batch_id);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		it.seq = sqlite3_column_int(st, 0);
		it.mandate_id = sqlite3_column_int64(st, 1);
		batch_e2e_id(it.end_to_end_id, db_col_text(st, 2), it.seq);
		it.amount = sqlite3_column_int64(st, 3);
		it.payer_id = db_col_text(st, 4);
		it.payer_name = db_col_text(st, 5);
		it.period = db_col_text(st, 6);
		it.account_no = db_col_text(st, 7);
		it.account_name = db_col_text(st, 8);
		it.unit_code = db_col_text(st, 9);
		it.signed_on = db_col_text(st, 10);
		if ((rc = fn(arg, &it)) != 0)
			break;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = db_fail(db, "batch items", e);
	sqlite3_reset(st);
	return rc;
}

struct each_ob {
	int	(*fn)(void *arg, int64_t obligation_id, int64_t amount);
	void	*arg;
};

static int
each_ob(void *a, sqlite3_stmt *st)
{
	struct each_ob *x = a;

	return x->fn(x->arg, sqlite3_column_int64(st, 0),
	    sqlite3_column_int64(st, 1));
}

int
batch_foreach_obligation(struct db *db, int64_t batch_id,
    int (*fn)(void *arg, int64_t obligation_id, int64_t amount), void *arg,
    struct gw_err *e)
{
	static const char q[] = "SELECT obligation_id, amount FROM batch_items"
	    " WHERE batch_id = ? ORDER BY seq";
	struct each_ob x = { fn, arg };
	sqlite3_stmt *st;

	if ((st = db_stmt(db, q, e)) == NULL)
		return e->code;
	sqlite3_bind_int64(st, 1, batch_id);
	return db_each(db, st, each_ob, &x, "batch items", e);
}

static int change(struct db *db, int64_t id, const char *from1,
    const char *from2, const char *to, const char *action, const char *reason,
    const char *actor, struct gw_err *e);

/* An item's own columns; its batch's come from a batch_finder. */
#define ICOLS "id, seq, obligation_id, mandate_id, amount, live," \
	" coalesce(result, '')"

static void
item_ref_row(sqlite3_stmt *st, const struct batch_finder *f,
    struct batch_item_ref *r)
{
	memset(r, 0, sizeof(*r));
	r->item_id = sqlite3_column_int64(st, 0);
	r->batch_id = f->batch_id;
	r->seq = sqlite3_column_int(st, 1);
	r->obligation_id = sqlite3_column_int64(st, 2);
	r->mandate_id = sqlite3_column_int64(st, 3);
	r->amount = sqlite3_column_int64(st, 4);
	r->live = sqlite3_column_int(st, 5);
	DB_COL_COPY(r->result, st, 6);
	memcpy(r->bank, f->bank, sizeof(r->bank));
	memcpy(r->msg_id, f->msg_id, sizeof(r->msg_id));
	memcpy(r->state, f->state, sizeof(r->state));
}

static void
finder_set(struct batch_finder *f, const struct batch *b)
{
	f->batch_id = b->id;
	memcpy(f->msg_id, b->msg_id, sizeof(f->msg_id));
	memcpy(f->bank, b->bank, sizeof(f->bank));
	memcpy(f->state, b->state, sizeof(f->state));
}

/* f names the batch msg_id: 1, or 0 if there is no such batch. */
static int
find_batch(struct db *db, struct batch_finder *f, const char *msg_id,
    struct gw_err *e)
{
	static const char q[] = "SELECT " BCOLS " FROM batches WHERE msg_id = ?";
	struct batch b;
	int rc;

	if (f->batch_id > 0 && strcmp(f->msg_id, msg_id) == 0)
		return 1;
	memset(f, 0, sizeof(*f));
	if ((rc = load(db, q, 0, msg_id, &b, e)) == GW_ENOTFOUND) {
		gw_err_clear(e);
		return 0;
	}
	if (rc != 0)
		return rc;
	finder_set(f, &b);
	return 1;
}

int
batch_item_by_e2e(struct db *db, struct batch_finder *f, const char *e2e,
    struct batch_item_ref *out, struct gw_err *e)
{
	static const char q[] = "SELECT " ICOLS " FROM batch_items"
	    " WHERE batch_id = ? AND seq = ?";
	const char *dash = strrchr(e2e, '-');
	char msg_id[BATCH_ID_SZ];
	sqlite3_stmt *st;
	int seq, rc;

	/* <MsgId>-<seq7>: anything else is not one of ours. */
	if (dash == NULL || dash == e2e || (size_t)(dash - e2e) >= sizeof(msg_id) ||
	    strlen(dash + 1) != 7 || strspn(dash + 1, "0123456789") != 7)
		return 0;
	snprintf(msg_id, sizeof(msg_id), "%.*s", (int)(dash - e2e), e2e);
	seq = (int)strtol(dash + 1, NULL, 10);
	if ((rc = find_batch(db, f, msg_id, e)) != 1)
		return rc;
	if ((st = db_stmt(db, q, e)) == NULL)
		return e->code;
	sqlite3_bind_int64(st, 1, f->batch_id);
	sqlite3_bind_int(st, 2, seq);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		item_ref_row(st, f, out);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(db, "batch item", e);
	return rc == SQLITE_ROW;
}

void
batch_results_init(struct batch_results *w, struct db *db)
{
	memset(w, 0, sizeof(*w));
	w->db = db;
}

int
batch_results_flush(struct batch_results *w, struct gw_err *e)
{
	static const struct db_rows q = { "UPDATE batch_items SET result ="
	    " CASE v.column2 WHEN 1 THEN 'accepted' ELSE 'rejected' END"
	    " FROM (VALUES ", "(?,?)", ") AS v WHERE batch_items.id ="
	    " v.column1 AND batch_items.result IS NULL AND batch_items.live = 1" };
	sqlite3_stmt *st;
	int i, n = w->n;

	if (n == 0)
		return 0;
	w->n = 0;
	if ((st = db_stmt_rows(w->db, &q, n, e)) == NULL)
		return e->code;
	for (i = 0; i < n; i++) {
		sqlite3_bind_int64(st, 1 + 2 * i, w->item[i]);
		sqlite3_bind_int(st, 2 + 2 * i, w->accepted[i]);
	}
	if (db_step_done(w->db, st, "item results", e) != 0)
		return e->code;
	if (sqlite3_changes(db_handle(w->db)) != n)
		return gw_err_set(e, GW_EBUSY, "batch items changed meanwhile "
		    "(%d of %d still open)", sqlite3_changes(db_handle(w->db)),
		    n);
	return 0;
}

void
batch_results_free(struct batch_results *w)
{
	free(w->given);
	w->given = NULL;
	w->given_sz = 0;
	w->n = 0;
}

int
batch_results_add(struct batch_results *w, int64_t item_id, int accepted,
    struct gw_err *e)
{
	size_t byte = (size_t)item_id / 8;
	unsigned char bit = (unsigned char)(1u << (item_id % 8));
	int rc;

	if (item_id <= 0)
		return gw_err_set(e, GW_EINPUT, "item id %lld", (long long)item_id);
	/* Item ids are rowids: dense, so the bits stay small. */
	if (byte >= w->given_sz) {
		size_t had = w->given_sz;

		if (vec_room(&w->given, byte, &w->given_sz, 1) != 0)
			return gw_err_set(e, GW_ENOMEM, "out of memory");
		memset(w->given + had, 0, w->given_sz - had);
	}
	if (w->given[byte] & bit)
		return gw_err_set(e, GW_EDUP, "item already answered");
	w->given[byte] |= bit;
	if (w->n == DB_ROWS_MAX && (rc = batch_results_flush(w, e)) != 0)
		return rc;
	w->item[w->n] = item_id;
	w->accepted[w->n++] = accepted != 0;
	return 0;
}

struct each_ref {
	int	(*fn)(void *arg, const struct batch_item_ref *it);
	void	*arg;
	struct batch_finder f;
};

static int
each_ref(void *a, sqlite3_stmt *st)
{
	struct each_ref *x = a;
	struct batch_item_ref r;

	item_ref_row(st, &x->f, &r);
	return x->fn(x->arg, &r);
}

int
batch_foreach_unanswered(struct db *db, int64_t batch_id,
    int (*fn)(void *arg, const struct batch_item_ref *it), void *arg,
    struct gw_err *e)
{
	static const char q[] = "SELECT " ICOLS " FROM batch_items"
	    " WHERE batch_id = ? AND live = 1 AND result IS NULL ORDER BY seq";
	struct each_ref x = { fn, arg, { 0 } };
	struct batch b;
	sqlite3_stmt *st;

	if (batch_get(db, batch_id, &b, e) != 0)
		return e->code;
	finder_set(&x.f, &b);
	if ((st = db_stmt(db, q, e)) == NULL)
		return e->code;
	sqlite3_bind_int64(st, 1, batch_id);
	return db_each(db, st, each_ref, &x, "batch items", e);
}

int
batch_after_results(struct db *db, int64_t batch_id, const char *actor,
    struct gw_err *e)
{
	struct batch b;
	int64_t open, acc, rej;
	char why[96];

	if (batch_get(db, batch_id, &b, e) != 0 ||
	    batch_item_counts(db, batch_id, &open, &acc, &rej, e) != 0)
		return e->code;
	snprintf(why, sizeof(why), "%lld accepted, %lld rejected, %lld "
	    "unanswered", (long long)acc, (long long)rej, (long long)open);
	if (strcmp(b.state, "signed") == 0 || strcmp(b.state, "sent") == 0 ||
	    strcmp(b.state, "acknowledged") == 0) {
		if (change(db, batch_id, b.state, NULL, "returned", "return",
		    why, actor, e) != 0)
			return e->code;
		snprintf(b.state, sizeof(b.state), "returned");
	}
	if (open == 0 && strcmp(b.state, "returned") == 0)
		return change(db, batch_id, "returned", NULL, "reconciled",
		    "reconcile", why, actor, e);
	return 0;
}

/* from -> to, guarded. */
static int
change(struct db *db, int64_t id, const char *from1, const char *from2,
    const char *to, const char *action, const char *reason, const char *actor,
    struct gw_err *e)
{
	static const char q[] = "UPDATE batches SET state = ?1, updated_at = ?2"
	    " WHERE id = ?3 AND state IN (?4, ?5)";
	struct batch b;
	sqlite3_stmt *st;

	if (batch_get(db, id, &b, e) != 0)
		return e->code;
	if (strcmp(b.state, from1) != 0 && (from2 == NULL ||
	    strcmp(b.state, from2) != 0))
		return gw_err_set(e, GW_ESTATE, "batch %s is %s; %s needs %s%s%s",
		    b.msg_id, b.state, action, from1, from2 ? " or " : "",
		    from2 ? from2 : "");
	if ((st = db_stmt(db, q, e)) == NULL)
		return e->code;
	sqlite3_bind_text(st, 1, to, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, ts_now_utc(), -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, id);
	sqlite3_bind_text(st, 4, from1, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, from2 ? from2 : from1, -1, SQLITE_STATIC);
	if (db_step_done(db, st, "batch state", e) != 0)
		return e->code;
	if (sqlite3_changes(db_handle(db)) != 1)
		return gw_err_set(e, GW_EBUSY, "batch %s changed meanwhile",
		    b.msg_id);
	return event(db, NULL, &b, action, b.state, to, reason, actor, e);
}

int
batch_mark_signed(struct db *db, int64_t id, const char *sha256,
    const char *sig_name, const char *actor, struct gw_err *e)
{
	static const char q[] = "UPDATE batches SET file_sha256 = ?,"
	    " sig_name = ? WHERE id = ? AND state = 'assembled'";
	sqlite3_stmt *st;

	if ((st = db_stmt(db, q, e)) == NULL)
		return e->code;
	sqlite3_bind_text(st, 1, sha256, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, sig_name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, id);
	if (db_step_done(db, st, "batch signed", e) != 0)
		return e->code;
	return change(db, id, "assembled", NULL, "signed", "sign", sig_name,
	    actor, e);
}

int
batch_mark_sent(struct db *db, const char *bank, const char *file_name,
    const char *actor, struct gw_err *e)
{
	static const char q[] = "UPDATE batches SET sent_at = ? WHERE id = ?";
	struct batch b;
	sqlite3_stmt *st;

	if (batch_find(db, file_name, &b, e) != 0)
		return e->code;
	if (strcmp(b.bank, bank) != 0)
		return gw_err_set(e, GW_EINPUT, "file %s belongs to bank %s, not "
		    "%s", file_name, b.bank, bank);
	if (strcmp(b.state, "signed") != 0)
		return 0;	/* sent before (a hook running again) or later */
	if ((st = db_stmt(db, q, e)) == NULL)
		return e->code;
	sqlite3_bind_text(st, 1, ts_now_utc(), -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, b.id);
	if (db_step_done(db, st, "batch sent", e) != 0)
		return e->code;
	return change(db, b.id, "signed", NULL, "sent", "send", "upload "
	    "confirmed at the bank", actor, e);
}

int
batch_mark_cancelled(struct db *db, int64_t id, const char *reason,
    const char *actor, struct gw_err *e)
{
	static const char q[] = "UPDATE batch_items SET live = 0"
	    " WHERE batch_id = ?";
	sqlite3_stmt *st;

	if (change(db, id, "assembled", "signed", "cancelled", "cancel", reason,
	    actor, e) != 0)
		return e->code;
	if ((st = db_stmt(db, q, e)) == NULL)
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	return db_step_done(db, st, "batch cancel", e);
}

struct each_batch {
	int	(*fn)(void *arg, const struct batch *b);
	void	*arg;
};

static int
each_batch(void *a, sqlite3_stmt *st)
{
	struct each_batch *x = a;
	struct batch b;

	row(st, &b);
	return x->fn(x->arg, &b);
}

int
batch_foreach(struct db *db, const char *state, const char *bank,
    int (*fn)(void *arg, const struct batch *b), void *arg, struct gw_err *e)
{
	struct each_batch x = { fn, arg };
	sqlite3_stmt *st;

	if ((st = db_stmt(db, q_list, e)) == NULL)
		return e->code;
	db_bind_text(st, 1, state);
	db_bind_text(st, 2, bank);
	return db_each(db, st, each_batch, &x, "batch list", e);
}

int
batch_item_counts(struct db *db, int64_t id, int64_t *open, int64_t *accepted,
    int64_t *rejected, struct gw_err *e)
{
	static const char q[] = "SELECT"
	    " sum(result IS NULL), sum(result = 'accepted'),"
	    " sum(result = 'rejected') FROM batch_items WHERE batch_id = ?";
	sqlite3_stmt *st;

	if ((st = db_stmt(db, q, e)) == NULL)
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return db_fail(db, "batch counts", e);
	}
	*open = sqlite3_column_int64(st, 0);
	*accepted = sqlite3_column_int64(st, 1);
	*rejected = sqlite3_column_int64(st, 2);
	sqlite3_reset(st);
	return 0;
}

struct each_stat {
	void	(*fn)(void *arg, const char *bank, const char *state,
		    int64_t batches, int64_t items, int64_t amount);
	void	(*fn2)(void *arg, const char *bank, const char *result,
		    int64_t items, int64_t amount);
	void	(*fn3)(void *arg, const char *bank, const char *at);
	void	*arg;
};

static int
each_stat(void *a, sqlite3_stmt *st)
{
	struct each_stat *x = a;

	if (x->fn)
		x->fn(x->arg, db_col_text(st, 0), db_col_text(st, 1),
		    sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3),
		    sqlite3_column_int64(st, 4));
	else if (x->fn2)
		x->fn2(x->arg, db_col_text(st, 0), db_col_text(st, 1),
		    sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3));
	else
		x->fn3(x->arg, db_col_text(st, 0), db_col_text(st, 1));
	return 0;
}

int
batch_stats(struct db *db, void (*fn)(void *arg, const char *bank,
    const char *state, int64_t batches, int64_t items, int64_t amount),
    void *arg, struct gw_err *e)
{
	static const char q[] = "SELECT bank, state, count(*), sum(nb_items),"
	    " sum(ctrl_sum) FROM batches GROUP BY bank, state";
	struct each_stat x = { fn, NULL, NULL, arg };
	sqlite3_stmt *st;

	if ((st = db_stmt(db, q, e)) == NULL)
		return e->code;
	return db_each(db, st, each_stat, &x, "batch stats", e);
}

int
batch_item_stats(struct db *db, void (*fn)(void *arg, const char *bank,
    const char *result, int64_t items, int64_t amount), void *arg,
    struct gw_err *e)
{
	static const char q[] = "SELECT b.bank, coalesce(i.result, 'open'),"
	    " count(*), sum(i.amount) FROM batch_items i"
	    " JOIN batches b ON b.id = i.batch_id WHERE i.live = 1"
	    " GROUP BY b.bank, i.result";
	struct each_stat x = { NULL, fn, NULL, arg };
	sqlite3_stmt *st;

	if ((st = db_stmt(db, q, e)) == NULL)
		return e->code;
	return db_each(db, st, each_stat, &x, "item stats", e);
}

int
batch_last_runs(struct db *db, void (*fn)(void *arg, const char *bank,
    const char *at), void *arg, struct gw_err *e)
{
	static const char q[] = "SELECT bank, max(at) FROM batch_runs"
	    " GROUP BY bank";
	struct each_stat x = { NULL, NULL, fn, arg };
	sqlite3_stmt *st;

	if ((st = db_stmt(db, q, e)) == NULL)
		return e->code;
	return db_each(db, st, each_stat, &x, "last runs", e);
}
