/*
 * db.c - opening the store, applying migrations, caching statements.
 *
 * Durability: WAL with synchronous=FULL, so a COMMIT that returned is on
 * disk. The busy timeout lets the CLI and the daemon share the file; every
 * writer takes BEGIN IMMEDIATE so two writers queue at the start instead of
 * deadlocking at their first write.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/db.h"
#include "common/sqlfold.h"
#include "common/vec.h"

/*
 * Power of two. About 150 distinct statements, and up to DB_ROWS_MAX
 * of each db_stmt_rows template (four: 256) in a daemon that has run
 * long enough to meet every size; a full cache is an error, so keep the
 * table well under full.
 */
#define STMT_CACHE_SIZE 1024

/* A cached statement: key is db_stmt's sql or db_stmt_rows's template. */
struct stmt_slot {
	const void	*key;
	int		 rows;		/* db_stmt_rows's n; 0 for db_stmt */
	sqlite3_stmt	*st;
};

struct db {
	sqlite3		*h;
	char		*path;
	int		 in_tx;
	struct stmt_slot cache[STMT_CACHE_SIZE];
};

/* Our code for the handle's last SQLite error. */
static int
last_code(struct db *db)
{
	int rc = sqlite3_errcode(db->h);

	if (rc == SQLITE_CONSTRAINT)
		return GW_EDUP;
	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		return GW_EBUSY;
	return GW_EDB;
}

int
db_fail(struct db *db, const char *what, struct gw_err *e)
{
	return gw_err_set(e, last_code(db), "%s: %s", what,
	    sqlite3_errmsg(db->h));
}

int
db_exec(struct db *db, const char *sql, struct gw_err *e)
{
	char *msg = NULL;

	if (sqlite3_exec(db->h, sql, NULL, NULL, &msg) != SQLITE_OK) {
		gw_err_set(e, last_code(db), "sql: %s",
		    msg ? msg : sqlite3_errmsg(db->h));
		sqlite3_free(msg);
		return e ? e->code : GW_EDB;
	}
	return 0;
}

/* Prepare sql into a free slot for (key, rows). */
static sqlite3_stmt *
prepare(struct db *db, struct stmt_slot *s, const void *key, int rows,
    const char *sql, struct gw_err *e)
{
	char *folded = NULL;
	int rc;

	/* Folded as the schema is (schema_fold), so a term that repeats a
	 * partial index's WHERE still matches it and a constant list costs
	 * no table per execution. */
	if (sql_fold_in_lists(sql, &folded) < 0) {
		gw_err_set(e, GW_ENOMEM, "prepare: out of memory");
		return NULL;
	}
	rc = sqlite3_prepare_v3(db->h, folded ? folded : sql, -1,
	    SQLITE_PREPARE_PERSISTENT, &s->st, NULL);
	free(folded);
	if (rc != SQLITE_OK) {
		db_fail(db, "prepare", e);
		s->st = NULL;
		return NULL;
	}
	s->key = key;
	s->rows = rows;
	return s->st;
}

/*
 * The slot cached for (key, rows), reset, or a free one to prepare into
 * (*found 0); NULL when the cache is full, a programmer error (too many
 * distinct statements).
 */
static struct stmt_slot *
slot(struct db *db, const void *key, int rows, int *found, struct gw_err *e)
{
	size_t h = (((uintptr_t)key >> 3) + (size_t)rows * 131) &
	    (STMT_CACHE_SIZE - 1);
	size_t i;

	for (i = 0; i < STMT_CACHE_SIZE; i++) {
		struct stmt_slot *s = &db->cache[(h + i) & (STMT_CACHE_SIZE - 1)];

		if (s->key == key && s->rows == rows) {
			sqlite3_reset(s->st);
			sqlite3_clear_bindings(s->st);
			*found = 1;
			return s;
		}
		if (s->key == NULL) {
			*found = 0;
			return s;
		}
	}
	gw_err_set(e, GW_EDB, "statement cache full");
	return NULL;
}

sqlite3_stmt *
db_stmt(struct db *db, const char *sql, struct gw_err *e)
{
	struct stmt_slot *s;
	int found;

	if ((s = slot(db, sql, 0, &found, e)) == NULL)
		return NULL;
	return found ? s->st : prepare(db, s, sql, 0, sql, e);
}

sqlite3_stmt *
db_stmt_rows(struct db *db, const struct db_rows *t, int n, struct gw_err *e)
{
	struct stmt_slot *s;
	sqlite3_stmt *st;
	char *sql, *p;
	size_t hl, rl, tl;
	int i, found;

	if (n < 1 || n > DB_ROWS_MAX) {
		gw_err_set(e, GW_EDB, "db_stmt_rows: %d rows", n);
		return NULL;
	}
	if ((s = slot(db, t, n, &found, e)) == NULL)
		return NULL;
	if (found)
		return s->st;
	hl = strlen(t->head);
	rl = strlen(t->row);
	tl = t->tail ? strlen(t->tail) : 0;
	if ((sql = malloc(hl + (size_t)n * (rl + 1) + tl + 1)) == NULL) {
		gw_err_set(e, GW_ENOMEM, "prepare: out of memory");
		return NULL;
	}
	memcpy(sql, t->head, hl);
	p = sql + hl;
	for (i = 0; i < n; i++) {
		if (i > 0)
			*p++ = ',';
		memcpy(p, t->row, rl);
		p += rl;
	}
	memcpy(p, t->tail ? t->tail : "", tl + 1);
	st = prepare(db, s, t, n, sql, e);
	free(sql);
	return st;
}

static int
migrations_apply(struct db *db, const struct db_part *p, struct gw_err *e)
{
	static const char q_max[] =
	    "SELECT coalesce(max(version), 0) FROM schema_migrations WHERE part = ?";
	static const char q_add[] =
	    "INSERT INTO schema_migrations(part, version, applied_at) "
	    "VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%SZ','now'))";
	sqlite3_stmt *st;
	int have, known = 0;
	size_t i;

	if ((st = db_stmt(db, q_max, e)) == NULL)
		return e->code;
	sqlite3_bind_text(st, 1, p->name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW)
		return db_fail(db, "schema_migrations", e);
	have = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	for (i = 0; i < p->nmigrations; i++)
		if (p->migrations[i].version > known)
			known = p->migrations[i].version;
	if (have > known)
		return gw_err_set(e, GW_EENV,
		    "%s: database has %s schema version %d, this debitgw knows %d "
		    "(made by a newer debitgw?)", db->path, p->name, have, known);
	for (i = 0; i < p->nmigrations; i++) {
		const struct db_migration *m = &p->migrations[i];

		if (m->version <= have)
			continue;
		if (db_begin(db, e) != 0)
			return e->code;
		if (db_exec(db, m->sql, e) != 0)
			goto fail;
		if ((st = db_stmt(db, q_add, e)) == NULL)
			goto fail;
		sqlite3_bind_text(st, 1, p->name, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 2, m->version);
		if (db_step_done(db, st, "schema_migrations", e) != 0)
			goto fail;
		if (db_commit(db, e) != 0)
			goto fail;
		continue;
fail:
		db_rollback(db);
		/* Keep the first message but say which migration it was. */
		return gw_err_set(e, GW_EDB, "migration %s/%d", p->name,
		    m->version);
	}
	return 0;
}

struct folded {
	char	*type, *name, *sql;
};

static void
folded_free(struct folded *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(f[i].type);
		free(f[i].name);
		free(f[i].sql);
	}
	free(f);
}

/* The schema objects whose text has IN lists to fold, with the new text. */
static int
fold_list(struct db *db, struct folded **out, size_t *n, struct gw_err *e)
{
	static const char q[] = "SELECT type, name, sql FROM sqlite_master"
	    " WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite!_%' ESCAPE '!'";
	struct folded *f = NULL;
	size_t cap = 0;
	sqlite3_stmt *st;
	char *sql;
	int rc, step;

	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(db->h, q, -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, "schema", e);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		rc = sql_fold_in_lists(db_col_text(st, 2), &sql);
		if (rc == 0)
			continue;
		if (rc < 0 || vec_room(&f, *n, &cap, sizeof(*f)) != 0) {
			free(sql);
			goto nomem;
		}
		f[*n].sql = sql;
		f[*n].type = strdup(db_col_text(st, 0));
		f[*n].name = strdup(db_col_text(st, 1));
		(*n)++;
		if (f[*n - 1].type == NULL || f[*n - 1].name == NULL)
			goto nomem;
	}
	sqlite3_finalize(st);
	if (step != SQLITE_DONE) {
		folded_free(f, *n);
		*n = 0;
		return gw_err_set(e, GW_EDB, "schema: %s", sqlite3_errmsg(db->h));
	}
	*out = f;
	return 0;
nomem:
	sqlite3_finalize(st);
	folded_free(f, *n);
	*n = 0;
	return gw_err_set(e, GW_ENOMEM, "schema: out of memory");
}

/*
 * Fold the constant IN lists of every CHECK, trigger and partial index
 * (common/sqlfold.h): they made each single-row write build ephemeral
 * tables. The stored rows do not change, only the text SQLite compiles
 * from, so this is SQLite's documented in-place procedure for changing
 * constraints (writable_schema, schema_version + 1), in one transaction,
 * with the new text parsed before it is committed. Migrations keep the
 * readable IN lists; a database made before folding is folded at its
 * next open.
 */
static int
schema_fold(struct db *db, struct gw_err *e)
{
	static const char q_set[] = "UPDATE sqlite_master SET sql = ?"
	    " WHERE type = ? AND name = ?";
	struct folded *f;
	sqlite3_stmt *st = NULL;
	char pragma[64];
	size_t n, i;
	int version = 0;

	if (fold_list(db, &f, &n, e) != 0)
		return e->code;
	folded_free(f, n);
	if (n == 0)
		return 0;
	/* Again under the write lock: another process may have done it. */
	if (db_begin(db, e) != 0)
		return e->code;
	if (fold_list(db, &f, &n, e) != 0)
		goto fail;
	if (n == 0)
		goto done;
	if (sqlite3_prepare_v2(db->h, "PRAGMA schema_version", -1, &st,
	    NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
		db_fail(db, "schema_version", e);
		goto fail;
	}
	version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	st = NULL;
	if (db_exec(db, "PRAGMA writable_schema = ON", e) != 0 ||
	    sqlite3_prepare_v2(db->h, q_set, -1, &st, NULL) != SQLITE_OK) {
		db_fail(db, "schema fold", e);
		goto fail;
	}
	for (i = 0; i < n; i++) {
		sqlite3_bind_text(st, 1, f[i].sql, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, f[i].type, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, f[i].name, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			db_fail(db, "schema fold", e);
			goto fail;
		}
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	st = NULL;
	snprintf(pragma, sizeof(pragma), "PRAGMA schema_version = %d",
	    version + 1);
	/* RESET reloads the schema, so the new text is parsed here, inside
	 * the transaction: a text SQLite cannot read is never committed. */
	if (db_exec(db, pragma, e) != 0 ||
	    db_exec(db, "PRAGMA writable_schema = RESET", e) != 0 ||
	    db_exec(db, "SELECT 1 FROM schema_migrations LIMIT 0", e) != 0)
		goto fail;
done:
	folded_free(f, n);
	return db_commit(db, e);
fail:
	sqlite3_finalize(st);
	folded_free(f, n);
	sqlite3_exec(db->h, "PRAGMA writable_schema = OFF", NULL, NULL, NULL);
	db_rollback(db);
	sqlite3_exec(db->h, "PRAGMA writable_schema = RESET", NULL, NULL, NULL);
	return e->code ? e->code : GW_EDB;
}

int
db_open(struct db **out, const char *path, const struct db_part *parts,
    size_t nparts, struct gw_err *e)
{
	struct db *db;
	size_t i;
	int fd;

	*out = NULL;
	/* Memory statistics cost a global mutex on every allocation; we never
	 * read them. Only takes effect before SQLite initialises. */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	if ((db = calloc(1, sizeof(*db))) == NULL)
		return gw_err_set(e, GW_ENOMEM, "db_open: out of memory");
	if ((db->path = strdup(path)) == NULL) {
		free(db);
		return gw_err_set(e, GW_ENOMEM, "db_open: out of memory");
	}
	/* Create the file ourselves so its mode is 0600 whatever the umask.
	 * Only if it is missing: closing any descriptor of a file drops every
	 * POSIX lock this process holds on it, so opening and closing an
	 * existing database would pull the locks from under another
	 * connection of ours (a run stages files on several). */
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 && errno != EEXIST) {
		gw_err_set(e, GW_EENV, "%s: cannot open database: %s", path,
		    strerror(errno));
		goto fail;
	}
	if (fd >= 0)
		close(fd);
	if (sqlite3_open_v2(path, &db->h, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		gw_err_set(e, GW_EENV, "%s: %s", path,
		    db->h ? sqlite3_errmsg(db->h) : "cannot open");
		goto fail;
	}
	sqlite3_extended_result_codes(db->h, 0);
	sqlite3_busy_timeout(db->h, 10000);
	if (db_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
	    "PRAGMA foreign_keys=ON; PRAGMA cache_size=-32768;", e) != 0)
		goto fail_env;
	if (db_exec(db, "CREATE TABLE IF NOT EXISTS schema_migrations("
	    "part TEXT NOT NULL, version INTEGER NOT NULL, "
	    "applied_at TEXT NOT NULL, PRIMARY KEY(part, version))", e) != 0)
		goto fail_env;
	for (i = 0; i < nparts; i++)
		if (migrations_apply(db, &parts[i], e) != 0)
			goto fail;
	if (schema_fold(db, e) != 0)
		goto fail;
	/* Not before: a migration's statement over a big store (an index
	 * dropped, a table copied) keeps the old pages in its statement
	 * journal, a temporary file that in memory grew to 110 MB for one
	 * 2-million-posting index. Ordinary statements are small. */
	if (db_exec(db, "PRAGMA temp_store=MEMORY;", e) != 0)
		goto fail_env;
	*out = db;
	return 0;
fail_env:
	e->code = e->code == GW_EDB ? GW_EENV : e->code;
fail:
	db_close(db);
	return e->code ? e->code : GW_EDB;
}

void
db_close(struct db *db)
{
	size_t i;

	if (db == NULL)
		return;
	for (i = 0; i < STMT_CACHE_SIZE; i++)
		if (db->cache[i].st != NULL)
			sqlite3_finalize(db->cache[i].st);
	if (db->h != NULL)
		sqlite3_close(db->h);
	free(db->path);
	free(db);
}

sqlite3 *
db_handle(struct db *db)
{
	return db->h;
}

const char *
db_path(struct db *db)
{
	return db->path;
}

static int
begin(struct db *db, const char *sql, struct gw_err *e)
{
	if (db->in_tx)
		return gw_err_set(e, GW_EDB, "transaction already open");
	if (db_exec(db, sql, e) != 0)
		return e->code;
	db->in_tx = 1;
	return 0;
}

int
db_begin(struct db *db, struct gw_err *e)
{
	return begin(db, "BEGIN IMMEDIATE", e);
}

int
db_begin_read(struct db *db, struct gw_err *e)
{
	return begin(db, "BEGIN DEFERRED", e);
}

int
db_commit(struct db *db, struct gw_err *e)
{
	if (db_exec(db, "COMMIT", e) != 0) {
		db_rollback(db);
		return e->code;
	}
	db->in_tx = 0;
	return 0;
}

void
db_rollback(struct db *db)
{
	if (!sqlite3_get_autocommit(db->h))
		sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
	db->in_tx = 0;
}

int
db_in_tx(struct db *db)
{
	return db->in_tx;
}

int
db_savepoint(struct db *db, const char *name, struct gw_err *e)
{
	char sql[96];

	snprintf(sql, sizeof(sql), "SAVEPOINT %s", name);
	return db_exec(db, sql, e);
}

int
db_release(struct db *db, const char *name, struct gw_err *e)
{
	char sql[96];

	snprintf(sql, sizeof(sql), "RELEASE %s", name);
	return db_exec(db, sql, e);
}

void
db_rollback_to(struct db *db, const char *name)
{
	char sql[128];

	snprintf(sql, sizeof(sql), "ROLLBACK TO %s; RELEASE %s", name, name);
	sqlite3_exec(db->h, sql, NULL, NULL, NULL);
}

int
db_step_done(struct db *db, sqlite3_stmt *st, const char *what,
    struct gw_err *e)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_DONE || rc == SQLITE_ROW) {
		sqlite3_reset(st);
		return 0;
	}
	db_fail(db, what, e);
	sqlite3_reset(st);
	return e ? e->code : GW_EDB;
}

int
db_each(struct db *db, sqlite3_stmt *st, int (*fn)(void *arg, sqlite3_stmt *row),
    void *arg, const char *what, struct gw_err *e)
{
	int rc = 0, step;

	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		if ((rc = fn(arg, st)) != 0)
			break;
	if (rc == 0 && step != SQLITE_DONE)
		rc = db_fail(db, what, e);
	sqlite3_reset(st);
	return rc;
}

int
db_lookup_text(struct db *db, const char *sql, const char *key, char *out,
    size_t cap, const char *what, struct gw_err *e)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = db_stmt(db, sql, e)) == NULL)
		return e->code;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		snprintf(out, cap, "%s", db_col_text(st, 0));
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(db, what, e);
	return rc == SQLITE_ROW;
}

const char *
db_col_text(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	return t ? (const char *)t : "";
}

int
db_bind_text(sqlite3_stmt *st, int idx, const char *s)
{
	if (s == NULL)
		return sqlite3_bind_null(st, idx);
	return sqlite3_bind_text(st, idx, s, -1, SQLITE_TRANSIENT);
}

int
db_bind_text_or_null(sqlite3_stmt *st, int idx, const char *s)
{
	if (s == NULL || *s == '\0')
		return sqlite3_bind_null(st, idx);
	return sqlite3_bind_text(st, idx, s, -1, SQLITE_TRANSIENT);
}
