/*
 * audit.h - the append-only, hash-chained trail of every state change.
 *
 * Each event row carries the SHA-256 of the previous row's hash and its own
 * fields, so changing or deleting any row breaks the chain at that row or
 * the next one; audit_head holds the id and hash of the newest row so a
 * deleted tail is caught too. The chain detects tampering by someone
 * without the program; it is not a defence against someone who rewrites
 * the whole chain, which is what off-site copies of the head are for.
 *
 * Part: "audit", table audit_events and audit_head. Other parts never
 * write these tables; they call audit_append or an audit_writer.
 */
#ifndef GW_AUDIT_H
#define GW_AUDIT_H

#include <stdint.h>

#include "common/db.h"
#include "common/err.h"

extern const struct db_part audit_db_part;

/*
 * SQL: the events the index audit_entity holds, those of every entity but
 * obligations (a million a run). A query by entity and id says this term
 * too, word for word, or SQLite will not use the index.
 */
#define AUDIT_BY_ENTITY "entity <> 'obligation'"

struct audit_event {
	const char	*actor;		/* who: --actor or $USER */
	const char	*entity;	/* "mandate", "obligation", "batch" ... */
	const char	*entity_id;	/* the entity's id as text */
	const char	*action;	/* "import", "activate", "amend" ... */
	const char	*from_state;	/* NULL when created */
	const char	*to_state;
	const char	*reason;	/* may be NULL */
};

/*
 * Appender for many events in one transaction (a million-row import):
 * reads the chain head once, keeps it in memory, writes it back on close.
 * Must be used inside a transaction, and every append must belong to work
 * that commits or rolls back as a whole with it. Appended events reach
 * audit_events in groups (all of them by close), so nothing may read the
 * table, or open another writer, while one is open.
 */
struct audit_writer;

int	audit_writer_open(struct audit_writer **out, struct db *db,
	    struct gw_err *e);
int	audit_writer_append(struct audit_writer *w, const struct audit_event *ev,
	    struct gw_err *e);
/* Store the head; frees w whatever happens. */
int	audit_writer_close(struct audit_writer *w, struct gw_err *e);
/* Free without storing (the transaction is being rolled back). */
void	audit_writer_abort(struct audit_writer *w);

/* One event, inside the caller's transaction. */
int	audit_append(struct db *db, const struct audit_event *ev,
	    struct gw_err *e);

/*
 * Walk the chain. Returns 0 when intact. On a break returns GW_EINPUT,
 * sets *bad_id to the first row that does not verify (0 when the head
 * itself is wrong) and says why in e. *count gets the number of rows.
 */
int	audit_verify(struct db *db, int64_t *bad_id, int64_t *count,
	    struct gw_err *e);

/* Actor name from an explicit value, $USER, or the uid's passwd entry. */
const char *audit_default_actor(const char *explicit_actor);

#endif
