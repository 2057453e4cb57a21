/*
 * debit_apply.h - a bank's results applied in bulk, inside one transaction.
 *
 * This is the only code that settles or fails a debit: returns ingest uses
 * it for a file, obligation_settle_debit and obligation_fail_debit for one
 * result (a file of one item). It does the accounting with one read (or
 * one the caller made ahead) and one guarded update per obligation, one
 * audit writer for the whole file, and journal entries that each credit
 * receivable once for up to 63 settled obligations (Dr clearing:BANK / Cr
 * receivable), named "SHA256:ITEM" after their first item; each of those
 * obligations names its entry (pay_entry), which is the credit's detail in
 * the payer's sub-ledger. Exactly-once: a result needs its obligation
 * in_batch and moves it on; a settled item's record is its obligation's
 * payment fields and entry, a failed one's its debit_results row, keyed by
 * (file, item), the file numbered once per SHA-256 in debit_files (made
 * by open, inside the caller's transaction); an item applied before is
 * refused with GW_EDUP.
 *
 * Between open and close the caller appends no audit events of its own;
 * a failure that suspends a mandate closes and reopens the writer around
 * the mandates part's own event, so the chain stays one line.
 *
 *   debit_apply_open  ( debit_apply_settle | debit_apply_fail ) *
 *   debit_apply_close          (flushes; then the caller commits)
 *   debit_apply_abort          (the caller rolls back)
 */
#ifndef GW_DEBIT_APPLY_H
#define GW_DEBIT_APPLY_H

#include <stdint.h>

#include "common/db.h"
#include "common/err.h"
#include "ledger/ledger.h"

struct debit_apply;

/* Results from bank's file source_sha256; the caller's transaction. */
int	debit_apply_open(struct debit_apply **out, struct db *db,
	    const struct ledger_policy *pol, const char *bank,
	    const char *source_sha256, const char *actor, struct gw_err *e);

/*
 * What settling or failing an obligation reads of it. A caller that
 * applies a million results reads them ahead on a connection of its own
 * (debit_ob_read), from the snapshot its transaction started from, and
 * hands them to the _ob calls, so the writer only writes. Such a read is
 * stale only for what the transaction itself changed: the caller refuses
 * an item answered twice, and each write is still guarded by the state it
 * expects (GW_EBUSY if that moved).
 */
struct debit_ob {
	int64_t	 id;
	char	 state[20];
	int64_t	 due;
	char	 period[8];
	int	 late, newborn, year;
	char	 payer_id[19];
};

/* Read obligation id; GW_ENOTFOUND if there is none. */
int	debit_ob_read(struct db *db, int64_t id, struct debit_ob *o,
	    struct gw_err *e);

/*
 * in_batch -> paid on day on, for amount_fen (must equal what is due).
 * item_ref names the item in the file (its EndToEndId) and is the pay
 * reference. GW_ESTATE if the obligation is not in a batch, GW_EINPUT for
 * a wrong amount, GW_EDUP if the file's item was applied before.
 */
int	debit_apply_settle(struct debit_apply *a, int64_t obligation_id,
	    int64_t amount_fen, int on, const char *item_ref, struct gw_err *e);

/*
 * in_batch -> failed with category and raw code; suspends the mandate
 * (mandate_id, or 0: the payer's live one) for account_closed,
 * mandate_invalid and payer_deceased if it is active. *suspended (may be
 * NULL) gets the id of the mandate suspended, 0 if none was.
 */
int	debit_apply_fail(struct debit_apply *a, int64_t obligation_id,
	    int64_t amount_fen, int on, const char *item_ref,
	    const char *category, const char *raw_code, int64_t mandate_id,
	    int64_t *suspended, struct gw_err *e);

/* The same, with the obligation read ahead (see struct debit_ob). */
int	debit_apply_settle_ob(struct debit_apply *a, const struct debit_ob *o,
	    int64_t amount_fen, int on, const char *item_ref, struct gw_err *e);
int	debit_apply_fail_ob(struct debit_apply *a, const struct debit_ob *o,
	    int64_t amount_fen, int on, const char *item_ref,
	    const char *category, const char *raw_code, int64_t mandate_id,
	    int64_t *suspended, struct gw_err *e);

/* Post what is pending and free a. On error the caller rolls back. */
int	debit_apply_close(struct debit_apply *a, struct gw_err *e);

/* Free without posting (the transaction is being rolled back). */
void	debit_apply_abort(struct debit_apply *a);

#endif
