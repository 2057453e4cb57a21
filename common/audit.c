/*
 * audit.c - hash-chained event rows.
 *
 * hash(n) = SHA-256(hash(n-1) || id || at || actor || entity || entity_id ||
 *                   action || from_state || to_state || reason)
 * with every field length-prefixed (4 bytes, big-endian) so that moving
 * bytes between adjacent fields changes the hash. hash(0) is 32 zero bytes.
 * Only hash(n) is stored (32 raw bytes): verification recomputes the chain
 * from the first row, so a stored link to the previous row would add bytes
 * to every row without detecting anything more.
 */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "common/audit.h"
#include "common/date.h"
#include "common/digest.h"
#include "common/vec.h"

static const struct db_migration audit_migrations[] = {
	{ 1,
	  "CREATE TABLE audit_events("
	  " id INTEGER PRIMARY KEY,"
	  " at TEXT NOT NULL,"
	  " actor TEXT NOT NULL,"
	  " entity TEXT NOT NULL,"
	  " entity_id TEXT NOT NULL,"
	  " action TEXT NOT NULL,"
	  " from_state TEXT,"
	  " to_state TEXT,"
	  " reason TEXT,"
	  " hash BLOB NOT NULL CHECK (length(hash) = 32));"
	  "CREATE INDEX audit_entity ON audit_events(entity, entity_id);"
	  "CREATE TABLE audit_head("
	  " one INTEGER PRIMARY KEY CHECK (one = 1),"
	  " last_id INTEGER NOT NULL,"
	  " last_hash BLOB NOT NULL);"
	  "INSERT INTO audit_head VALUES (1, 0, zeroblob(32));" },
	/* Obligations' events leave the entity index (AUDIT_BY_ENTITY). A run
	 * or a return file adds one per obligation, a million, each beside
	 * that obligation's earlier events: the inserts walked every page of
	 * the index and rewrote it, 2 s of a million-item ingest. Nothing
	 * looks obligation events up by id; mandates, batches, refunds and
	 * files, a few each, keep the index. */
	{ 2,
	  "DROP INDEX audit_entity;"
	  "CREATE INDEX audit_entity ON audit_events(entity, entity_id)"
	  " WHERE " AUDIT_BY_ENTITY ";" },
};

const struct db_part audit_db_part =
    DB_PART("audit", audit_migrations);

/*
 * Events are inserted AUDIT_ROWS to a statement: per execution, an INSERT
 * costs SQLite more than the row itself (a million events: 3.1-3.5 s one
 * by one, 2.5 s by 32). The writer holds them, hashed and numbered, until
 * it has that many or is closed; a failed insert fails the caller's
 * transaction either way.
 */
#define AUDIT_ROWS	32
#define NO_TEXT		((size_t)-1)

enum { T_AT, T_ACTOR, T_ENTITY, T_ENTITY_ID, T_ACTION, T_FROM, T_TO,
    T_REASON, NTEXT };

struct held {
	int64_t		 id;
	unsigned char	 hash[32];
	size_t		 off[NTEXT];	/* into the writer's text, or NO_TEXT */
};

struct audit_writer {
	struct db	*db;
	EVP_MD_CTX	*md;
	EVP_MD		*sha256;
	struct held	 held[AUDIT_ROWS];
	int		 nheld;
	char		*text;		/* the held events' strings */
	size_t		 len, cap;
	int64_t		 last_id;
	unsigned char	 last_hash[32];
};

static const char q_head[] = "SELECT last_id, last_hash FROM audit_head";
static const char q_set_head[] =
    "UPDATE audit_head SET last_id = ?, last_hash = ? WHERE one = 1";
#define INSERT_INTO "INSERT INTO audit_events(id, at, actor, entity," \
    " entity_id, action, from_state, to_state, reason, hash) VALUES "
static const struct db_rows q_insert = { INSERT_INTO,
    "(?,?,?,?,?,?,?,?,?,?)", NULL };

static void
put_field(EVP_MD_CTX *md, const char *s)
{
	static const unsigned char null_len[4] = { 0xff, 0xff, 0xff, 0xff };

	/* NULL and "" hash differently: NULL has length 0xffffffff. */
	if (s == NULL) {
		EVP_DigestUpdate(md, null_len, 4);
		return;
	}
	digest_put(md, s, strlen(s));
}

/*
 * SHA-256 fetched once per writer or verification: EVP_sha256() makes
 * OpenSSL 3 look the algorithm up again at every init, which was 40% of
 * the hashing time of a million-event run.
 */
static EVP_MD *
sha256_fetch(void)
{
	return EVP_MD_fetch(NULL, "SHA256", NULL);
}

/* f: the event's fields in column order, T_AT .. T_REASON. */
static void
chain_hash(EVP_MD_CTX *md, const EVP_MD *sha256, unsigned char out[32],
    const unsigned char prev[32], int64_t id, const char *const f[NTEXT])
{
	char idbuf[24];
	int i;

	snprintf(idbuf, sizeof(idbuf), "%lld", (long long)id);
	EVP_DigestInit_ex(md, sha256, NULL);
	digest_put(md, prev, 32);
	put_field(md, idbuf);
	for (i = 0; i < NTEXT; i++)
		put_field(md, f[i]);
	EVP_DigestFinal_ex(md, out, NULL);
}

/* Copy a 32-byte blob column; 0 if it is not exactly 32 bytes. */
static int
col_hash(sqlite3_stmt *st, int col, unsigned char out[32])
{
	const void *b = sqlite3_column_blob(st, col);

	if (b == NULL || sqlite3_column_bytes(st, col) != 32)
		return 0;
	memcpy(out, b, 32);
	return 1;
}

int
audit_writer_open(struct audit_writer **out, struct db *db, struct gw_err *e)
{
	struct audit_writer *w;
	sqlite3_stmt *st;

	*out = NULL;
	if ((w = calloc(1, sizeof(*w))) == NULL ||
	    (w->md = EVP_MD_CTX_new()) == NULL ||
	    (w->sha256 = sha256_fetch()) == NULL) {
		audit_writer_abort(w);
		return gw_err_set(e, GW_ENOMEM, "audit: no SHA-256 or out of "
		    "memory");
	}
	w->db = db;
	if ((st = db_stmt(db, q_head, e)) == NULL)
		goto fail;
	if (sqlite3_step(st) != SQLITE_ROW || !col_hash(st, 1, w->last_hash)) {
		sqlite3_reset(st);
		gw_err_set(e, GW_EDB, "audit head row is missing or damaged");
		goto fail;
	}
	w->last_id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	*out = w;
	return 0;
fail:
	audit_writer_abort(w);
	return e->code;
}

static int
hold_text(struct audit_writer *w, const char *s, size_t *off)
{
	if (s == NULL) {
		*off = NO_TEXT;
		return 0;
	}
	*off = w->len;
	return vec_append(&w->text, &w->len, &w->cap, s, strlen(s) + 1);
}

/* Bind held event h at the statement's places base+1 .. base+10. */
static void
bind_held(struct audit_writer *w, sqlite3_stmt *st, int base,
    const struct held *h)
{
	int i;

	sqlite3_bind_int64(st, base + 1, h->id);
	for (i = 0; i < NTEXT; i++) {
		if (h->off[i] == NO_TEXT)
			sqlite3_bind_null(st, base + 2 + i);
		else
			sqlite3_bind_text(st, base + 2 + i, w->text + h->off[i],
			    -1, SQLITE_STATIC);
	}
	sqlite3_bind_blob(st, base + 10, h->hash, 32, SQLITE_STATIC);
}

/* Insert the held events, in one statement. */
static int
flush(struct audit_writer *w, struct gw_err *e)
{
	sqlite3_stmt *st;
	int i, rc;

	if (w->nheld == 0)
		return 0;
	if ((st = db_stmt_rows(w->db, &q_insert, w->nheld, e)) == NULL)
		return e->code;
	for (i = 0; i < w->nheld; i++)
		bind_held(w, st, i * 10, &w->held[i]);
	rc = db_step_done(w->db, st, "audit insert", e);
	w->nheld = 0;
	w->len = 0;
	return rc;
}

int
audit_writer_append(struct audit_writer *w, const struct audit_event *ev,
    struct gw_err *e)
{
	struct held *h = &w->held[w->nheld];
	const char *at = ts_now_utc();
	const char *text[NTEXT] = { at, ev->actor, ev->entity, ev->entity_id,
	    ev->action, ev->from_state, ev->to_state, ev->reason };
	int i;

	h->id = w->last_id + 1;
	chain_hash(w->md, w->sha256, h->hash, w->last_hash, h->id, text);
	for (i = 0; i < NTEXT; i++)
		if (hold_text(w, text[i], &h->off[i]) != 0)
			return gw_err_set(e, GW_ENOMEM, "audit: out of memory");
	w->last_id = h->id;
	memcpy(w->last_hash, h->hash, 32);
	if (++w->nheld == AUDIT_ROWS)
		return flush(w, e);
	return 0;
}

int
audit_writer_close(struct audit_writer *w, struct gw_err *e)
{
	sqlite3_stmt *st;
	int rc = 0;

	if ((rc = flush(w, e)) != 0)
		goto done;
	if ((st = db_stmt(w->db, q_set_head, e)) == NULL) {
		rc = e->code;
		goto done;
	}
	sqlite3_bind_int64(st, 1, w->last_id);
	sqlite3_bind_blob(st, 2, w->last_hash, 32, SQLITE_STATIC);
	rc = db_step_done(w->db, st, "audit head", e);
done:
	audit_writer_abort(w);
	return rc;
}

void
audit_writer_abort(struct audit_writer *w)
{
	if (w == NULL)
		return;
	EVP_MD_CTX_free(w->md);
	EVP_MD_free(w->sha256);
	free(w->text);
	free(w);
}

int
audit_append(struct db *db, const struct audit_event *ev, struct gw_err *e)
{
	struct audit_writer *w;

	if (audit_writer_open(&w, db, e) != 0)
		return e->code;
	if (audit_writer_append(w, ev, e) != 0) {
		audit_writer_abort(w);
		return e->code;
	}
	return audit_writer_close(w, e);
}

static const char *
col_or_null(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? NULL :
	    (const char *)sqlite3_column_text(st, i);
}

int
audit_verify(struct db *db, int64_t *bad_id, int64_t *count, struct gw_err *e)
{
	static const char q_all[] =
	    "SELECT id, at, actor, entity, entity_id, action, from_state,"
	    " to_state, reason, hash FROM audit_events ORDER BY id";
	unsigned char prev[32], h[32], stored[32];
	sqlite3_stmt *st;
	EVP_MD_CTX *md;
	EVP_MD *sha256 = NULL;
	const char *f[NTEXT];
	int64_t expect_id = 1, n = 0, head_id;
	int i, rc = 0, step;

	*bad_id = 0;
	*count = 0;
	md = EVP_MD_CTX_new();
	if (md == NULL || (sha256 = sha256_fetch()) == NULL) {
		EVP_MD_CTX_free(md);
		return gw_err_set(e, GW_ENOMEM, "audit: no SHA-256 or out of "
		    "memory");
	}
	memset(prev, 0, sizeof(prev));
	if ((st = db_stmt(db, q_all, e)) == NULL) {
		rc = e->code;
		goto done;
	}
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);

		n++;
		if (id != expect_id) {
			*bad_id = id;
			rc = gw_err_set(e, GW_EINPUT,
			    "audit row %lld: rows %lld..%lld before it were "
			    "deleted", (long long)id, (long long)expect_id,
			    (long long)id - 1);
			goto done;
		}
		for (i = 0; i < NTEXT; i++)
			f[i] = col_or_null(st, 1 + i);	/* at is NOT NULL */
		chain_hash(md, sha256, h, prev, id, f);
		if (!col_hash(st, 9, stored) || memcmp(h, stored, 32) != 0) {
			*bad_id = id;
			rc = gw_err_set(e, GW_EINPUT,
			    "audit row %lld: contents do not match its hash "
			    "(the row was changed)", (long long)id);
			goto done;
		}
		memcpy(prev, h, 32);
		expect_id = id + 1;
	}
	if (step != SQLITE_DONE) {
		rc = db_fail(db, "audit verify", e);
		goto done;
	}
	sqlite3_reset(st);
	if ((st = db_stmt(db, q_head, e)) == NULL) {
		rc = e->code;
		goto done;
	}
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = gw_err_set(e, GW_EINPUT, "audit head row is missing");
		goto done;
	}
	head_id = sqlite3_column_int64(st, 0);
	if (head_id != expect_id - 1 || !col_hash(st, 1, stored) ||
	    memcmp(stored, prev, 32) != 0) {
		*bad_id = head_id > expect_id - 1 ? expect_id : head_id;
		rc = gw_err_set(e, GW_EINPUT,
		    "audit row %lld: the chain ends at row %lld but its head "
		    "says row %lld (rows at the end were deleted or the head "
		    "was changed)", (long long)*bad_id, (long long)expect_id - 1,
		    (long long)head_id);
		goto done;
	}
done:
	if (st)
		sqlite3_reset(st);
	*count = n;
	EVP_MD_CTX_free(md);
	EVP_MD_free(sha256);
	return rc;
}

const char *
audit_default_actor(const char *explicit_actor)
{
	const char *u;
	struct passwd *pw;

	if (explicit_actor != NULL && *explicit_actor != '\0')
		return explicit_actor;
	if ((u = getenv("USER")) != NULL && *u != '\0')
		return u;
	if ((pw = getpwuid(getuid())) != NULL)
		return pw->pw_name;
	return "unknown";
}
