/*
 * transfer.c - storage and state machine of transfer records.
 *
 * Uniqueness is the database's job: an upload is unique per (bank, name)
 * and a download per (bank, name, size), by partial unique indexes, so
 * two passes (the daemon and a hand-run `send`) cannot both create a row
 * for one file. Every transition checks the state it leaves in its WHERE
 * clause, so a transition from the wrong state changes nothing and is
 * reported with GW_ESTATE naming the state the row is in.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/audit.h"
#include "common/date.h"
#include "common/text.h"
#include "common/vec.h"
#include "gateway/transfer.h"

static const struct db_migration transfer_migrations[] = {
	{ 1,
	  "CREATE TABLE transfers("
	  " id INTEGER PRIMARY KEY,"
	  " direction TEXT NOT NULL CHECK (direction IN ('up','down')),"
	  " bank TEXT NOT NULL,"
	  " remote_name TEXT NOT NULL"
	  "  CHECK (length(remote_name) BETWEEN 1 AND 128),"
	  " local_path TEXT NOT NULL,"
	  " size INTEGER NOT NULL CHECK (size >= 0),"
	  " sha256 TEXT CHECK (sha256 IS NULL OR length(sha256) = 64),"
	  " state TEXT NOT NULL CHECK (state IN ('pending','in_progress',"
	  "  'done','failed','needs_operator')),"
	  " attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),"
	  " sends INTEGER NOT NULL DEFAULT 1 CHECK (sends >= 1),"
	  " last_error TEXT,"
	  " next_attempt_at INTEGER NOT NULL DEFAULT 0,"
	  " remote_state TEXT NOT NULL DEFAULT 'present'"
	  "  CHECK (remote_state IN ('present','kept','deleted','moved',"
	  "  'cleanup')),"
	  " created_at TEXT NOT NULL,"
	  " updated_at TEXT NOT NULL,"
	  " done_at TEXT);"
	  "CREATE UNIQUE INDEX transfers_up ON transfers(bank, remote_name)"
	  " WHERE direction = 'up';"
	  "CREATE UNIQUE INDEX transfers_down"
	  " ON transfers(bank, remote_name, size) WHERE direction = 'down';"
	  "CREATE INDEX transfers_state ON transfers(state, next_attempt_at);" },
};

const struct db_part transfer_db_part =
    DB_PART("transfers", transfer_migrations);

#define COLS \
	"id, direction, bank, remote_name, local_path, size," \
	" coalesce(sha256, ''), state, attempts, sends," \
	" coalesce(last_error, ''), next_attempt_at, remote_state," \
	" created_at, updated_at, coalesce(done_at, '')"

static const char q_get[] = "SELECT " COLS " FROM transfers WHERE id = ?";
static const char q_find[] = "SELECT " COLS " FROM transfers"
    " WHERE (?1 IS NULL OR bank = ?1) AND direction = ?2"
    " AND remote_name = ?3 ORDER BY id DESC";
static const char q_find_down[] = "SELECT " COLS " FROM transfers"
    " WHERE bank = ? AND direction = 'down' AND remote_name = ? AND size = ?";
static const char q_insert[] =
    "INSERT INTO transfers(direction, bank, remote_name, local_path, size,"
    " sha256, state, created_at, updated_at)"
    " VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)";
static const char q_list[] = "SELECT id FROM transfers"
    " WHERE (?1 IS NULL OR bank = ?1) AND (?2 IS NULL OR direction = ?2)"
    " AND (?3 IS NULL OR state = ?3) AND (?4 IS NULL OR remote_state = ?4)"
    " ORDER BY id";

static const char *const states[] = { "pending", "in_progress", "done",
    "failed", "needs_operator" };

int
transfer_name_is_valid(const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0 || n > TRANSFER_NAME_MAX || name[0] == '.')
		return 0;
	for (i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

int
transfer_state_is_valid(const char *s)
{
	return TEXT_IN(s, states);
}

static void
row_to_transfer(sqlite3_stmt *st, struct transfer *t)
{
	memset(t, 0, sizeof(*t));
	t->id = sqlite3_column_int64(st, 0);
	DB_COL_COPY(t->direction, st, 1);
	DB_COL_COPY(t->bank, st, 2);
	DB_COL_COPY(t->remote_name, st, 3);
	DB_COL_COPY(t->local_path, st, 4);
	t->size = sqlite3_column_int64(st, 5);
	DB_COL_COPY(t->sha256, st, 6);
	DB_COL_COPY(t->state, st, 7);
	t->attempts = sqlite3_column_int(st, 8);
	t->sends = sqlite3_column_int(st, 9);
	DB_COL_COPY(t->last_error, st, 10);
	t->next_attempt_at = sqlite3_column_int64(st, 11);
	DB_COL_COPY(t->remote_state, st, 12);
	DB_COL_COPY(t->created_at, st, 13);
	DB_COL_COPY(t->updated_at, st, 14);
	DB_COL_COPY(t->done_at, st, 15);
}

/* db_each callback for a lookup of one transfer: copy it (if asked), stop. */
static int
take_transfer(void *arg, sqlite3_stmt *st)
{
	if (arg != NULL)
		row_to_transfer(st, arg);
	return 1;
}

/* Step st for at most one row: 1 row (into out), 0 none, <0 error. */
static int
one_row(struct db *db, sqlite3_stmt *st, struct transfer *out,
    struct gw_err *e)
{
	return db_each(db, st, take_transfer, out, "transfers", e);
}

int
transfer_get(struct db *db, int64_t id, struct transfer *out,
    struct gw_err *e)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = db_stmt(db, q_get, e)) == NULL)
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = one_row(db, st, out, e)) < 0)
		return rc;
	if (rc == 0)
		return gw_err_set(e, GW_ENOTFOUND, "no transfer %lld",
		    (long long)id);
	return 0;
}

int
transfer_find(struct db *db, const char *bank, const char *direction,
    const char *name, struct transfer *out, struct gw_err *e)
{
	struct transfer first, other;
	sqlite3_stmt *st;
	int rc;

	if ((st = db_stmt(db, q_find, e)) == NULL)
		return e->code;
	db_bind_text(st, 1, bank);
	db_bind_text(st, 2, direction);
	db_bind_text(st, 3, name);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_reset(st);
		return rc == SQLITE_DONE ? 0 : db_fail(db, "transfers", e);
	}
	row_to_transfer(st, &first);
	/* Without a bank the name must be unambiguous. */
	while (bank == NULL && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		row_to_transfer(st, &other);
		if (strcmp(other.bank, first.bank) != 0) {
			sqlite3_reset(st);
			return gw_err_set(e, GW_EINPUT, "%s: sent to more than "
			    "one bank (%s, %s); name the bank with --bank", name,
			    first.bank, other.bank);
		}
	}
	sqlite3_reset(st);
	if (out != NULL)
		*out = first;
	return 1;
}

/* A new pending row, read back into out; 0 (created) or an error. */
static int
insert(struct db *db, const char *dir, const char *bank, const char *name,
    const char *local_path, int64_t size, const char *sha256,
    struct transfer *out, struct gw_err *e)
{
	const char *now = ts_now_utc();
	sqlite3_stmt *st;

	if (!transfer_name_is_valid(name))
		return gw_err_set(e, GW_EINPUT, "'%s': not a valid file name "
		    "(letters, digits, '.', '_', '-'; no leading dot)", name);
	if ((st = db_stmt(db, q_insert, e)) == NULL)
		return e->code;
	db_bind_text(st, 1, dir);
	db_bind_text(st, 2, bank);
	db_bind_text(st, 3, name);
	db_bind_text(st, 4, local_path);
	sqlite3_bind_int64(st, 5, size);
	db_bind_text_or_null(st, 6, sha256);
	db_bind_text(st, 7, now);
	db_bind_text(st, 8, now);
	if (db_step_done(db, st, "transfers insert", e) != 0)
		return e->code;
	return transfer_get(db, sqlite3_last_insert_rowid(db_handle(db)), out,
	    e);
}

int
transfer_upload_row(struct db *db, const char *bank, const char *name,
    const char *local_path, int64_t size, const char *sha256,
    struct transfer *out, struct gw_err *e)
{
	int rc;

	if ((rc = transfer_find(db, bank, "up", name, out, e)) != 0)
		return rc;
	return insert(db, "up", bank, name, local_path, size, sha256, out, e);
}

int
transfer_download_row(struct db *db, const char *bank, const char *name,
    int64_t size, const char *local_path, struct transfer *out,
    struct gw_err *e)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = db_stmt(db, q_find_down, e)) == NULL)
		return e->code;
	db_bind_text(st, 1, bank);
	db_bind_text(st, 2, name);
	sqlite3_bind_int64(st, 3, size);
	if ((rc = one_row(db, st, out, e)) != 0)
		return rc;
	return insert(db, "down", bank, name, local_path, size, NULL, out, e);
}

static int
audit(struct db *db, const struct transfer *t, const char *action,
    const char *from, const char *to, const char *actor, const char *reason,
    struct gw_err *e)
{
	char id[TRANSFER_NAME_MAX + 32];
	struct audit_event ev = { .actor = actor, .entity = "transfer",
	    .entity_id = id, .action = action, .from_state = from,
	    .to_state = to, .reason = reason };

	snprintf(id, sizeof(id), "%s/%s/%s", t->bank, t->direction,
	    t->remote_name);
	return audit_append(db, &ev, e);
}

/*
 * The one place a row changes state: load it, check the state it is in
 * against allowed (NULL-terminated), run the update (bound by the caller
 * through bind, with the id and old state bound last), and write the audit
 * event when action is set, all in one transaction.
 */
struct change {
	const char	*sql;
	const char	*const *from;	/* allowed current states */
	const char	*to;		/* NULL: state unchanged */
	const char	*action;	/* audit action, NULL: none */
	const char	*actor;
	const char	*reason;
	const char	*s1, *s2;	/* text parameters ?1, ?2 */
	int64_t		 i3;		/* integer parameter ?3 */
};

static int
change(struct db *db, int64_t id, const struct change *c, struct gw_err *e)
{
	struct transfer t;
	sqlite3_stmt *st;
	size_t i;
	int ok = 0, rc;

	if ((rc = db_begin(db, e)) != 0)
		return rc;
	if ((rc = transfer_get(db, id, &t, e)) != 0)
		goto fail;
	for (i = 0; c->from[i] != NULL; i++)
		if (strcmp(c->from[i], t.state) == 0)
			ok = 1;
	if (!ok) {
		rc = gw_err_set(e, GW_ESTATE, "transfer %s/%s is %s; cannot "
		    "move it to %s", t.bank, t.remote_name, t.state,
		    c->to ? c->to : "that state");
		goto fail;
	}
	if ((st = db_stmt(db, c->sql, e)) == NULL) {
		rc = e->code;
		goto fail;
	}
	db_bind_text(st, 1, c->s1);
	db_bind_text(st, 2, c->s2);
	sqlite3_bind_int64(st, 3, c->i3);
	db_bind_text(st, 4, ts_now_utc());
	sqlite3_bind_int64(st, 5, id);
	db_bind_text(st, 6, t.state);
	if ((rc = db_step_done(db, st, "transfers update", e)) != 0)
		goto fail;
	if (sqlite3_changes(db_handle(db)) != 1) {
		rc = gw_err_set(e, GW_ESTATE, "transfer %lld changed under us",
		    (long long)id);
		goto fail;
	}
	if (c->action != NULL && (rc = audit(db, &t, c->action, t.state,
	    c->to ? c->to : t.state, c->actor, c->reason, e)) != 0)
		goto fail;
	return db_commit(db, e);
fail:
	db_rollback(db);
	return rc;
}

static const char *const from_not_done[] = { "pending", "in_progress",
    "failed", "needs_operator", NULL };
static const char *const from_in_progress[] = { "in_progress", NULL };
static const char *const from_any[] = { "pending", "in_progress", "done",
    "failed", "needs_operator", NULL };

int
transfer_begin(struct db *db, int64_t id, struct gw_err *e)
{
	static const char q[] = "UPDATE transfers SET state = 'in_progress',"
	    " attempts = attempts + 1, updated_at = ?4"
	    " WHERE id = ?5 AND state = ?6";
	struct change c = { q, from_not_done, "in_progress", NULL, NULL, NULL,
	    NULL, NULL, 0 };

	return change(db, id, &c, e);
}

int
transfer_done(struct db *db, int64_t id, const char *sha256,
    const char *actor, struct gw_err *e)
{
	static const char q[] = "UPDATE transfers SET state = 'done',"
	    " sha256 = coalesce(?1, sha256), last_error = NULL,"
	    " next_attempt_at = 0, done_at = ?4, updated_at = ?4"
	    " WHERE id = ?5 AND state = ?6";
	struct transfer t;
	struct change c = { q, from_in_progress, "done", NULL, actor, NULL,
	    sha256, NULL, 0 };

	if (transfer_get(db, id, &t, e) != 0)
		return e->code;
	c.action = strcmp(t.direction, "up") == 0 ? "upload" : "download";
	c.reason = t.sends > 1 ? "confirmed at the bank (resent)" :
	    strcmp(t.direction, "up") == 0 ? "confirmed at the bank" :
	    "stored in the inbox";
	return change(db, id, &c, e);
}

int
transfer_fail(struct db *db, int64_t id, const char *to, const char *reason,
    int64_t next_at, const char *actor, struct gw_err *e)
{
	static const char q[] = "UPDATE transfers SET state = ?1,"
	    " last_error = ?2, next_attempt_at = ?3, updated_at = ?4"
	    " WHERE id = ?5 AND state = ?6";
	struct change c = { q, from_not_done, to, NULL, actor, reason, to,
	    reason, next_at };

	if (strcmp(to, "pending") != 0 && strcmp(to, "failed") != 0 &&
	    strcmp(to, "needs_operator") != 0)
		return gw_err_set(e, GW_EUSAGE, "transfer_fail: bad state %s",
		    to);
	if (strcmp(to, "needs_operator") == 0)
		c.action = "stop";
	return change(db, id, &c, e);
}

int
transfer_resend(struct db *db, int64_t id, const char *local_path,
    const char *actor, const char *reason, struct gw_err *e)
{
	static const char q[] = "UPDATE transfers SET state = 'pending',"
	    " sends = sends + 1, local_path = ?1, last_error = NULL,"
	    " next_attempt_at = 0, done_at = NULL, updated_at = ?4"
	    " WHERE id = ?5 AND state = ?6 AND direction = 'up'";
	struct change c = { q, from_any, "pending", "resend", actor,
	    reason, local_path, NULL, 0 };

	return change(db, id, &c, e);
}

int
transfer_set_local(struct db *db, int64_t id, const char *local_path,
    struct gw_err *e)
{
	static const char q[] = "UPDATE transfers SET local_path = ?1,"
	    " updated_at = ?4 WHERE id = ?5 AND state = ?6";
	struct change c = { q, from_any, NULL, NULL, NULL, NULL, local_path,
	    NULL, 0 };

	return change(db, id, &c, e);
}

int
transfer_set_remote_state(struct db *db, int64_t id, const char *rs,
    const char *actor, struct gw_err *e)
{
	static const char q[] = "UPDATE transfers SET remote_state = ?1,"
	    " updated_at = ?4 WHERE id = ?5 AND state = ?6"
	    " AND direction = 'down'";
	static const char *const from_done[] = { "done", NULL };
	struct change c = { q, from_done, NULL, "remote", actor, NULL, rs,
	    NULL, 0 };

	if (strcmp(rs, "kept") != 0 && strcmp(rs, "deleted") != 0 &&
	    strcmp(rs, "moved") != 0 && strcmp(rs, "cleanup") != 0)
		return gw_err_set(e, GW_EUSAGE, "transfer: bad remote state %s",
		    rs);
	c.reason = rs;
	return change(db, id, &c, e);
}

int
transfer_foreach(struct db *db, const struct transfer_filter *f,
    int (*fn)(void *arg, const struct transfer *t), void *arg,
    struct gw_err *e)
{
	struct transfer t;
	sqlite3_stmt *st;
	int64_t *ids = NULL;
	size_t n = 0, cap = 0, i;
	int rc = 0, step;

	if ((st = db_stmt(db, q_list, e)) == NULL)
		return e->code;
	db_bind_text(st, 1, f ? f->bank : NULL);
	db_bind_text(st, 2, f ? f->direction : NULL);
	db_bind_text(st, 3, f ? f->state : NULL);
	db_bind_text(st, 4, f ? f->remote_state : NULL);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (vec_room(&ids, n, &cap, sizeof(*ids)) != 0) {
			sqlite3_reset(st);
			free(ids);
			return gw_err_set(e, GW_ENOMEM, "out of memory");
		}
		ids[n++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	if (step != SQLITE_DONE) {
		free(ids);
		return db_fail(db, "transfers list", e);
	}
	for (i = 0; i < n && rc == 0; i++) {
		if ((rc = transfer_get(db, ids[i], &t, e)) != 0)
			break;
		rc = fn(arg, &t);
	}
	free(ids);
	return rc;
}

int
transfer_stats(struct db *db, void (*fn)(void *arg, const char *bank,
    const char *direction, const char *state, int64_t n, int64_t attempts),
    void *arg, struct gw_err *e)
{
	static const char q[] = "SELECT bank, direction, state, count(*),"
	    " sum(attempts) FROM transfers GROUP BY bank, direction, state";
	sqlite3_stmt *st;
	int step;

	if ((st = db_stmt(db, q, e)) == NULL)
		return e->code;
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		fn(arg, db_col_text(st, 0), db_col_text(st, 1), db_col_text(st, 2),
		    sqlite3_column_int64(st, 3), sqlite3_column_int64(st, 4));
	sqlite3_reset(st);
	return step == SQLITE_DONE ? 0 : db_fail(db, "transfer stats", e);
}
