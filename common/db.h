/*
 * db.h - the SQLite handle every part shares, and per-part migrations.
 *
 * One database file per home. Each part (mandates, ledger, keys, ...) owns
 * its tables and ships their schema as numbered migrations; db_open applies
 * the missing ones, part by part in the order given, each migration in its
 * own transaction, and records them in schema_migrations(part, version).
 * A database that holds a migration this binary does not know (made by a
 * newer debitgw) is refused rather than guessed at.
 *
 * Statements are prepared once and cached by the address of their SQL
 * text, so hot loops (a million-row import) never re-prepare. Parts still
 * write their own SQL; db only holds the handle and the cache.
 */
#ifndef GW_DB_H
#define GW_DB_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdio.h>

#include "common/err.h"

struct db;

struct db_migration {
	int		 version;	/* 1, 2, 3 ... never reused */
	const char	*sql;		/* one or more statements */
};

struct db_part {
	const char			*name;
	const struct db_migration	*migrations;
	size_t				 nmigrations;
};

/* A part named name whose migrations are the array migs. */
#define DB_PART(name, migs) \
	{ (name), (migs), sizeof(migs) / sizeof((migs)[0]) }

/*
 * Open (creating if needed, mode 0600) the database at path, set WAL,
 * foreign keys, a busy timeout and FULL sync, and apply the parts'
 * migrations. On failure *out is NULL and e says why (GW_EDB or GW_EENV).
 * The caller owns the handle and frees it with db_close.
 */
int	db_open(struct db **out, const char *path, const struct db_part *parts,
	    size_t nparts, struct gw_err *e);

/* Finalize cached statements and close. Accepts NULL. */
void	db_close(struct db *db);

/* The raw handle, for binding and stepping statements from db_stmt. */
sqlite3	*db_handle(struct db *db);

/*
 * A cached prepared statement for sql, reset and with bindings cleared.
 * sql must be a string with static storage: its address is the cache key.
 * Returns NULL with GW_EDB in e when the SQL does not prepare.
 */
sqlite3_stmt *db_stmt(struct db *db, const char *sql, struct gw_err *e);

/*
 * One statement for n rows (1..DB_ROWS_MAX): head, then row n times
 * joined by commas, then tail (may be NULL). A chunk of rows written by
 * one statement instead of one each saves every row's statement start
 * and, where the statement may abort (a trigger, a foreign key, a CHECK),
 * its statement journal: a third of the time of a million postings.
 * Cached per (t, n) like db_stmt; t must have static storage. Numbered
 * parameters (?1) in head are the statement's first; the rows' plain ?
 * follow them in order (see sqlite3_bind_parameter_index).
 */
#define DB_ROWS_MAX 64

struct db_rows {
	const char	*head;
	const char	*row;
	const char	*tail;
};

sqlite3_stmt *db_stmt_rows(struct db *db, const struct db_rows *t, int n,
	    struct gw_err *e);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. Nesting is a programmer error. */
int	db_begin(struct db *db, struct gw_err *e);
int	db_commit(struct db *db, struct gw_err *e);
void	db_rollback(struct db *db);

/*
 * A read transaction (BEGIN DEFERRED): everything read until db_commit or
 * db_rollback comes from one snapshot of the store (WAL), and no writer
 * waits for it. For reports that add up several queries.
 */
int	db_begin_read(struct db *db, struct gw_err *e);

/* 1 while a transaction begun by db_begin or db_begin_read is open. */
int	db_in_tx(struct db *db);

/* SAVEPOINT name / RELEASE / ROLLBACK TO + RELEASE. */
int	db_savepoint(struct db *db, const char *name, struct gw_err *e);
int	db_release(struct db *db, const char *name, struct gw_err *e);
void	db_rollback_to(struct db *db, const char *name);

/* Run SQL without parameters (schema, pragmas). */
int	db_exec(struct db *db, const char *sql, struct gw_err *e);

/*
 * Record the handle's last SQLite error as GW_EDB: "what: message".
 * A constraint failure maps to GW_EDUP, SQLITE_BUSY to GW_EBUSY.
 */
int	db_fail(struct db *db, const char *what, struct gw_err *e);

/* Step a statement that returns no rows; SQLITE_DONE gives 0. */
int	db_step_done(struct db *db, sqlite3_stmt *st, const char *what,
	    struct gw_err *e);

/*
 * Step st (bound by the caller) to its end, calling fn for each row; fn
 * returns 0 to go on, non-zero to stop (returned as is). The statement is
 * reset either way. A step error is "what: message" in e.
 */
int	db_each(struct db *db, sqlite3_stmt *st,
	    int (*fn)(void *arg, sqlite3_stmt *row), void *arg, const char *what,
	    struct gw_err *e);

/*
 * Run sql, a lookup of at most one row with one "?" bound to key, and copy
 * its first column as text into out (cap bytes). 1 found, 0 no row, or a
 * negative error ("what: message" in e). The "seen this file before, at"
 * check of every importer.
 */
int	db_lookup_text(struct db *db, const char *sql, const char *key,
	    char *out, size_t cap, const char *what, struct gw_err *e);

/* sqlite3_column_text as const char *, "" for NULL. */
const char *db_col_text(sqlite3_stmt *st, int col);

/* Column col as text into the char array dst, cut to fit ("" for NULL). */
#define DB_COL_COPY(dst, st, col) \
	snprintf((dst), sizeof(dst), "%s", db_col_text((st), (col)))

/* Bind text (copied by SQLite), NULL when s is NULL. */
int	db_bind_text(sqlite3_stmt *st, int idx, const char *s);

/* Bind text, NULL when s is NULL or empty. */
int	db_bind_text_or_null(sqlite3_stmt *st, int idx, const char *s);

/* Path the database was opened from. */
const char *db_path(struct db *db);

#endif
