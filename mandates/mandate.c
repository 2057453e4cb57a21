/*
 * mandate.c - storage and lifecycle of mandates.
 *
 * Transitions are a table: (action, from-states, to-state). Anything not in
 * the table is refused with GW_ESTATE, naming the current state, so an
 * operator sees "mandate M0000000007 is rejected; activate needs pending
 * or suspended" instead of a silent no-op.
 */
#include <stdio.h>
#include <string.h>

#include "common/date.h"
#include "common/strnum.h"
#include "common/text.h"
#include "mandates/mandate.h"

static const struct db_migration mandate_migrations[] = {
	{ 1,
	  "CREATE TABLE mandates("
	  " id INTEGER PRIMARY KEY,"
	  " version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),"
	  " supersedes INTEGER REFERENCES mandates(id),"
	  " payer_id_type TEXT NOT NULL"
	  "  CHECK (payer_id_type IN ('resident','hmt_permit','foreigner')),"
	  " payer_id TEXT NOT NULL CHECK (length(payer_id) = 18),"
	  " payer_name TEXT NOT NULL CHECK (length(payer_name) BETWEEN 1 AND 60),"
	  " name_not_gbk INTEGER NOT NULL DEFAULT 0 CHECK (name_not_gbk IN (0,1)),"
	  " category TEXT NOT NULL"
	  "  CHECK (category IN ('adult','minor','student','exempt')),"
	  " region TEXT NOT NULL,"
	  " bank_code TEXT NOT NULL,"
	  " account_no TEXT NOT NULL CHECK (length(account_no) BETWEEN 8 AND 32),"
	  " account_name TEXT NOT NULL,"
	  " account_name_not_gbk INTEGER NOT NULL DEFAULT 0,"
	  " account_kind TEXT NOT NULL"
	  "  CHECK (account_kind IN ('card','passbook','corporate')),"
	  " unit_code TEXT CHECK (unit_code IS NULL OR length(unit_code) = 18),"
	  " phone TEXT,"
	  " signed_on TEXT NOT NULL,"
	  " origin TEXT NOT NULL CHECK (origin IN ('new','migrated')),"
	  " state TEXT NOT NULL CHECK (state IN ('pending','active','rejected',"
	  "  'suspended','revoked','superseded')),"
	  " state_reason TEXT,"
	  " bank_ref TEXT,"
	  " created_at TEXT NOT NULL,"
	  " updated_at TEXT NOT NULL);"
	  /* One live mandate per payer, enforced by the database itself. */
	  "CREATE UNIQUE INDEX mandates_live_payer ON mandates(payer_id)"
	  " WHERE " MANDATE_LIVE_STATE ";"
	  "CREATE INDEX mandates_unit ON mandates(unit_code)"
	  " WHERE unit_code IS NOT NULL;"
	  /* What a mandate authorises never changes: an amendment is a new
	   * row. Batch files are made again from these fields after a crash,
	   * byte for byte, which this makes safe. */
	  "CREATE TRIGGER mandates_fixed BEFORE UPDATE OF id, version,"
	  " supersedes, payer_id_type, payer_id, payer_name, category, region,"
	  " bank_code, account_no, account_name, account_kind, unit_code,"
	  " signed_on, origin, created_at ON mandates"
	  " BEGIN SELECT RAISE(ABORT, 'a mandate''s terms never change; amend"
	  " makes a new version'); END;"
	  "CREATE TABLE mandate_imports("
	  " sha256 TEXT PRIMARY KEY,"
	  " path TEXT NOT NULL,"
	  " rows INTEGER NOT NULL,"
	  " imported INTEGER NOT NULL,"
	  " rejected INTEGER NOT NULL,"
	  " at TEXT NOT NULL,"
	  " actor TEXT NOT NULL);" },
};

const struct db_part mandate_db_part =
    DB_PART("mandates", mandate_migrations);

#define COLS \
	"id, version, coalesce(supersedes, 0), payer_id_type, payer_id," \
	" payer_name, name_not_gbk, category, region, bank_code, account_no," \
	" account_name, account_name_not_gbk, account_kind," \
	" coalesce(unit_code, ''), coalesce(phone, ''), signed_on, origin," \
	" state, coalesce(state_reason, ''), coalesce(bank_ref, '')," \
	" created_at, updated_at"

static const char q_get[] = "SELECT " COLS " FROM mandates WHERE id = ?";
static const char q_live[] = "SELECT " COLS " FROM mandates WHERE payer_id = ?"
    " AND " MANDATE_LIVE_STATE;
static const char q_insert[] =
    "INSERT INTO mandates(version, supersedes, payer_id_type, payer_id,"
    " payer_name, name_not_gbk, category, region, bank_code, account_no,"
    " account_name, account_name_not_gbk, account_kind, unit_code, phone,"
    " signed_on, origin, state, state_reason, created_at, updated_at)"
    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
static const char q_set_state[] =
    "UPDATE mandates SET state = ?, state_reason = ?, updated_at = ?"
    " WHERE id = ? AND state = ?";
static const char q_set_ref[] =
    "UPDATE mandates SET bank_ref = ? WHERE id = ?";
static const char q_list[] = "SELECT " COLS " FROM mandates"
    " WHERE (?1 IS NULL OR state = ?1) AND (?2 IS NULL OR bank_code = ?2)"
    " AND (?3 IS NULL OR region = ?3) AND (?4 IS NULL OR unit_code = ?4)"
    " AND (?5 IS NULL OR payer_id = ?5) ORDER BY id";

static const char *const states[] = { "pending", "active", "rejected",
    "suspended", "revoked", "superseded" };

static const struct {
	enum mandate_action	 action;
	const char		*name;
	const char		*from[3];
	const char		*to;
} transitions[] = {
	{ MANDATE_ACTIVATE, "activate", { "pending", "suspended" }, "active" },
	{ MANDATE_REJECT, "reject", { "pending" }, "rejected" },
	{ MANDATE_SUSPEND, "suspend", { "active" }, "suspended" },
	{ MANDATE_REVOKE, "revoke", { "pending", "active", "suspended" },
	  "revoked" },
};

int
mandate_state_is_valid(const char *s)
{
	return TEXT_IN(s, states);
}

char *
mandate_ref(char out[24], int64_t id)
{
	snprintf(out, 24, "M%010lld", (long long)id);
	return out;
}

int
mandate_id_parse(int64_t *out, const char *s, struct gw_err *e)
{
	return strnum_ref(out, 'M', s, "mandate id", e);
}

static void
row_to_mandate(sqlite3_stmt *st, struct mandate *m)
{
	memset(m, 0, sizeof(*m));
	m->id = sqlite3_column_int64(st, 0);
	m->version = sqlite3_column_int(st, 1);
	m->supersedes = sqlite3_column_int64(st, 2);
	DB_COL_COPY(m->payer_id_type, st, 3);
	DB_COL_COPY(m->payer_id, st, 4);
	DB_COL_COPY(m->payer_name, st, 5);
	m->name_not_gbk = sqlite3_column_int(st, 6);
	DB_COL_COPY(m->category, st, 7);
	DB_COL_COPY(m->region, st, 8);
	DB_COL_COPY(m->bank_code, st, 9);
	DB_COL_COPY(m->account_no, st, 10);
	DB_COL_COPY(m->account_name, st, 11);
	m->account_name_not_gbk = sqlite3_column_int(st, 12);
	DB_COL_COPY(m->account_kind, st, 13);
	DB_COL_COPY(m->unit_code, st, 14);
	DB_COL_COPY(m->phone, st, 15);
	DB_COL_COPY(m->signed_on, st, 16);
	DB_COL_COPY(m->origin, st, 17);
	DB_COL_COPY(m->state, st, 18);
	DB_COL_COPY(m->state_reason, st, 19);
	DB_COL_COPY(m->bank_ref, st, 20);
	DB_COL_COPY(m->created_at, st, 21);
	DB_COL_COPY(m->updated_at, st, 22);
}

/* db_each callback for a lookup of one mandate: copy it (if asked), stop. */
static int
take_mandate(void *arg, sqlite3_stmt *st)
{
	if (arg != NULL)
		row_to_mandate(st, arg);
	return 1;
}

int
mandate_get(struct db *db, int64_t id, struct mandate *out, struct gw_err *e)
{
	sqlite3_stmt *st;
	int rc;
	char ref[24];

	if ((st = db_stmt(db, q_get, e)) == NULL)
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = db_each(db, st, take_mandate, out, "mandate get", e)) != 0)
		return rc < 0 ? rc : 0;
	return gw_err_set(e, GW_ENOTFOUND, "no mandate %s",
	    mandate_ref(ref, id));
}

int
mandate_live_for_payer(struct db *db, const char *payer_id, struct mandate *out,
    struct gw_err *e)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(db, q_live, e)) == NULL)
		return e->code;
	sqlite3_bind_text(st, 1, payer_id, -1, SQLITE_STATIC);
	return db_each(db, st, take_mandate, out, "mandate lookup", e);
}

int
mandate_insert(struct db *db, struct audit_writer *aw, struct mandate *m,
    const char *actor, const char *reason, struct gw_err *e)
{
	const char *now = ts_now_utc();
	sqlite3_stmt *st;
	char idbuf[24];

	if ((st = db_stmt(db, q_insert, e)) == NULL)
		return e->code;
	sqlite3_bind_int(st, 1, m->version > 0 ? m->version : 1);
	if (m->supersedes > 0)
		sqlite3_bind_int64(st, 2, m->supersedes);
	sqlite3_bind_text(st, 3, m->payer_id_type, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, m->payer_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, m->payer_name, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 6, m->name_not_gbk);
	sqlite3_bind_text(st, 7, m->category, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, m->region, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, m->bank_code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, m->account_no, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 11, m->account_name, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 12, m->account_name_not_gbk);
	sqlite3_bind_text(st, 13, m->account_kind, -1, SQLITE_STATIC);
	db_bind_text_or_null(st, 14, m->unit_code);
	db_bind_text_or_null(st, 15, m->phone);
	sqlite3_bind_text(st, 16, m->signed_on, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 17, m->origin, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 18, m->state, -1, SQLITE_STATIC);
	db_bind_text_or_null(st, 19, m->state_reason);
	sqlite3_bind_text(st, 20, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 21, now, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		int rc = db_fail(db, "mandate insert", e);

		sqlite3_reset(st);
		if (sqlite3_extended_errcode(db_handle(db)) ==
		    SQLITE_CONSTRAINT_UNIQUE) {
			gw_err_clear(e);
			return gw_err_set(e, GW_EDUP, "payer %s already has a "
			    "live mandate", m->payer_id);
		}
		return rc;
	}
	sqlite3_reset(st);
	m->id = sqlite3_last_insert_rowid(db_handle(db));
	/* The import record (mandate_imports) names the file. */
	return audit_writer_append(aw, &(struct audit_event){ .actor = actor,
	    .entity = "mandate", .entity_id = mandate_ref(idbuf, m->id),
	    .action = m->supersedes ? "amend" : "import", .to_state = m->state,
	    .reason = reason }, e);
}

/*
 * Move m out of its state into `to` by action, inside the caller's
 * transaction, with the audit event; refused if the row has left m->state.
 */
static int
set_state(struct db *db, const struct mandate *m, const char *action,
    const char *to, const char *reason, const char *actor, const char *what,
    struct gw_err *e)
{
	struct audit_event ev = { .actor = actor, .entity = "mandate",
	    .action = action, .from_state = m->state, .to_state = to,
	    .reason = reason };
	sqlite3_stmt *st;
	char ref[24];

	if ((st = db_stmt(db, q_set_state, e)) == NULL)
		return e->code;
	sqlite3_bind_text(st, 1, to, -1, SQLITE_STATIC);
	db_bind_text_or_null(st, 2, reason);
	sqlite3_bind_text(st, 3, ts_now_utc(), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, m->id);
	sqlite3_bind_text(st, 5, m->state, -1, SQLITE_STATIC);
	if (db_step_done(db, st, what, e) != 0)
		return e->code;
	if (sqlite3_changes(db_handle(db)) != 1)
		return gw_err_set(e, GW_EBUSY, "mandate %s changed meanwhile",
		    mandate_ref(ref, m->id));
	ev.entity_id = mandate_ref(ref, m->id);
	return audit_append(db, &ev, e);
}

int
mandate_transition_tx(struct db *db, int64_t id, enum mandate_action a,
    const char *reason, const char *actor, struct gw_err *e)
{
	struct mandate m;
	char ref[24];
	size_t i, j;

	for (i = 0; i < sizeof(transitions) / sizeof(transitions[0]); i++)
		if (transitions[i].action == a)
			break;
	if (i == sizeof(transitions) / sizeof(transitions[0]))
		return gw_err_set(e, GW_EUSAGE, "unknown mandate action");
	if (mandate_get(db, id, &m, e) != 0)
		return e->code;
	for (j = 0; j < 3 && transitions[i].from[j]; j++)
		if (strcmp(transitions[i].from[j], m.state) == 0)
			break;
	if (j == 3 || transitions[i].from[j] == NULL)
		return gw_err_set(e, GW_ESTATE, "mandate %s is %s; %s needs %s%s%s",
		    mandate_ref(ref, id), m.state, transitions[i].name,
		    transitions[i].from[0],
		    transitions[i].from[1] ? " or " : "",
		    transitions[i].from[1] ? transitions[i].from[1] : "");
	return set_state(db, &m, transitions[i].name, transitions[i].to, reason,
	    actor, "mandate state", e);
}

int
mandate_transition(struct db *db, int64_t id, enum mandate_action a,
    const char *reason, const char *actor, struct gw_err *e)
{
	if (db_begin(db, e) != 0)
		return e->code;
	if (mandate_transition_tx(db, id, a, reason, actor, e) != 0) {
		db_rollback(db);
		return e->code;
	}
	return db_commit(db, e);
}

int
mandate_set_bank_ref(struct db *db, int64_t id, const char *ref,
    struct gw_err *e)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(db, q_set_ref, e)) == NULL)
		return e->code;
	db_bind_text_or_null(st, 1, ref);
	sqlite3_bind_int64(st, 2, id);
	return db_step_done(db, st, "mandate bank_ref", e);
}

int
mandate_amend(struct db *db, int64_t id, const char *bank_code,
    const char *account_no, const char *account_kind,
    const char *account_name, const char *reason, const char *actor,
    int64_t *new_id, struct gw_err *e)
{
	struct mandate old, nm;
	struct audit_writer *aw = NULL;
	char ref[24];

	if (db_begin(db, e) != 0)
		return e->code;
	if (mandate_get(db, id, &old, e) != 0)
		goto fail;
	if (strcmp(old.state, "pending") != 0 &&
	    strcmp(old.state, "active") != 0 &&
	    strcmp(old.state, "suspended") != 0) {
		gw_err_set(e, GW_ESTATE, "mandate %s is %s; amend needs pending, "
		    "active or suspended", mandate_ref(ref, id), old.state);
		goto fail;
	}
	/* Retire the old version first: the live-payer index allows one. */
	if (set_state(db, &old, "amend", "superseded", reason, actor,
	    "mandate supersede", e) != 0 ||
	    audit_writer_open(&aw, db, e) != 0)
		goto fail;
	nm = old;
	nm.id = 0;
	nm.version = old.version + 1;
	nm.supersedes = old.id;
	snprintf(nm.bank_code, sizeof(nm.bank_code), "%s", bank_code);
	snprintf(nm.account_no, sizeof(nm.account_no), "%s", account_no);
	if (account_kind)
		snprintf(nm.account_kind, sizeof(nm.account_kind), "%s",
		    account_kind);
	if (account_name)
		snprintf(nm.account_name, sizeof(nm.account_name), "%s",
		    account_name);
	/* A new account needs the new bank's acceptance. */
	snprintf(nm.state, sizeof(nm.state), "pending");
	nm.state_reason[0] = '\0';
	nm.bank_ref[0] = '\0';
	if (mandate_insert(db, aw, &nm, actor, reason, e) != 0)
		goto fail;
	if (audit_writer_close(aw, e) != 0) {
		aw = NULL;
		goto fail;
	}
	aw = NULL;
	if (db_commit(db, e) != 0)
		return e->code;
	*new_id = nm.id;
	return 0;
fail:
	audit_writer_abort(aw);
	db_rollback(db);
	return e->code;
}

int
mandate_foreach(struct db *db, const struct mandate_filter *f,
    int (*fn)(void *arg, const struct mandate *m), void *arg,
    struct gw_err *e)
{
	struct mandate m;
	sqlite3_stmt *st;
	int rc = 0, step;

	if ((st = db_stmt(db, q_list, e)) == NULL)
		return e->code;
	if (f) {
		db_bind_text_or_null(st, 1, f->state);
		db_bind_text_or_null(st, 2, f->bank_code);
		db_bind_text_or_null(st, 3, f->region);
		db_bind_text_or_null(st, 4, f->unit_code);
		db_bind_text_or_null(st, 5, f->payer_id);
	}
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		row_to_mandate(st, &m);
		if ((rc = fn(arg, &m)) != 0)
			break;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = db_fail(db, "mandate list", e);
	sqlite3_reset(st);
	return rc;
}

int
mandate_count_by_state(struct db *db,
    void (*fn)(void *arg, const char *state, int64_t n), void *arg,
    struct gw_err *e)
{
	static const char q[] =
	    "SELECT state, count(*) FROM mandates GROUP BY state";
	sqlite3_stmt *st;
	int step;

	if ((st = db_stmt(db, q, e)) == NULL)
		return e->code;
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		fn(arg, db_col_text(st, 0), sqlite3_column_int64(st, 1));
	sqlite3_reset(st);
	return step == SQLITE_DONE ? 0 : db_fail(db, "mandate metrics", e);
}
