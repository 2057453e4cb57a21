/*
 * due_feed.h - the due obligations of a run, read on a second thread.
 *
 * A run reads every due obligation with its mandate (a join over two
 * million rows) and writes a batch item, a state change and an audit event
 * for each. Reading on the run's own connection meant two passes (SQLite
 * must not update rows under a cursor walking them) and one core. The feed
 * runs the query on its own connection and thread and hands rows over in
 * blocks, so the writer marks each obligation as it takes it, while the
 * next rows are being read.
 *
 * The feed's query is one statement, so it reads one snapshot: the last
 * commit before it started. Open it after BEGIN IMMEDIATE and that is what
 * the writer's transaction sees too (no one else can commit meanwhile);
 * the writer still guards each change with the state it expects.
 */
#ifndef GW_DUE_FEED_H
#define GW_DUE_FEED_H

#include "common/err.h"
#include "ledger/obligation.h"

struct due_feed;

/* Start reading obligation_foreach_due(f) from the database at db_path;
 * both (and f's strings) must stay until due_feed_close, which frees the
 * feed the caller owns in *out. */
int	due_feed_open(struct due_feed **out, const char *db_path,
	    const struct due_filter *f, struct gw_err *e);

/*
 * The next due obligation, in the query's order: 1 and *d set (its
 * strings valid until the next call), 0 at the end, or the reader's error
 * code (e says why).
 */
int	due_feed_next(struct due_feed *f, struct obligation_due *d,
	    struct gw_err *e);

/* Stop the reader if it is still reading, wait for it, free everything. */
void	due_feed_close(struct due_feed *f);

#endif
