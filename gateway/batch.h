/*
 * batch.h - debit batches: one signed file for one bank, and its items.
 *
 *   assembled ──sign──▶ signed ──upload confirmed──▶ sent ──▶ acknowledged
 *       │                  │                                    │
 *       └──── cancel ──────┴──▶ cancelled          returned ◀───┘
 *                                                     │
 *                                                 reconciled
 *
 * A batch row and its items are written in the transaction that moves
 * their obligations to in_batch, before any file exists; the file is made
 * from those rows alone, so
 * it can be made again, byte for byte, after a crash: the obligation and
 * mandate fields it reads never change once written. A file reaches the
 * outbox only once its batch is signed in the database, so the outbox
 * never holds a file without its batch row.
 *
 * Identifiers never repeat: MsgId DGW<YYYYMMDD><BANK><SEQ4> (unique),
 * EndToEndId <MsgId>-<SEQ7> (unique), file name <MsgId>.xml or .txt. An
 * obligation is in at most one unfinished item (a partial unique index).
 *
 * Part "batches": tables batch_runs, batches, batch_items.
 */
#ifndef GW_BATCH_H
#define GW_BATCH_H

#include <stdint.h>
#include <time.h>

#include "common/audit.h"
#include "common/db.h"
#include "common/err.h"

extern const struct db_part batch_db_part;

#define BATCH_ID_SZ	36	/* MsgId and EndToEndId: Max35Text */
#define BATCH_NAME_SZ	64

struct batch {
	int64_t	 id;
	char	 run_date[11];
	char	 bank[16];
	int	 seq;
	char	 msg_id[BATCH_ID_SZ];
	char	 file_name[BATCH_NAME_SZ];
	char	 format[64];
	int64_t	 nb_items;
	int64_t	 ctrl_sum;
	time_t	 created;		/* CreDtTm: fixed at assembly */
	char	 state[16];
	char	 file_sha256[65];
	char	 sig_name[BATCH_NAME_SZ + 8];
	char	 sent_at[32];
	char	 updated_at[32];
};

/*
 * One item as it goes into the file. Only the position, mandate and
 * amount are the item's own; the strings are read from the obligation and
 * mandate rows (valid during a batch_foreach_item callback only).
 */
struct batch_item {
	int		 seq;
	int64_t		 mandate_id;
	char		 end_to_end_id[BATCH_ID_SZ];
	int64_t		 amount;
	const char	*payer_id;
	const char	*payer_name;
	const char	*period;
	const char	*account_no;
	const char	*account_name;
	const char	*unit_code;	/* "" unless a unit's account pays */
	const char	*signed_on;	/* mandate signature date */
};

/*
 * MsgId <prefix><YYYYMMDD><BANK><SEQ4> of file seq made on day (YYYY-MM-DD)
 * for bank: 25 characters at most (bank codes have at most 10, config.c).
 * Batches use "DGW"; mandate requests "MRQ" and "MCX". Returns out.
 */
char	*batch_msg_id(char out[BATCH_ID_SZ], const char *prefix,
	    const char *day, const char *bank, int seq);

/* EndToEndId <MsgId>-<SEQ7> of item seq of a batch. Returns out. */
char	*batch_e2e_id(char out[BATCH_ID_SZ], const char *msg_id, int seq);

/* Load by id or by MsgId / file name; GW_ENOTFOUND. */
int	batch_get(struct db *db, int64_t id, struct batch *out, struct gw_err *e);
int	batch_find(struct db *db, const char *msg_id_or_file, struct batch *out,
	    struct gw_err *e);

/* Parse "12" or a MsgId or a file name into an id. */
int	batch_resolve(struct db *db, const char *s, int64_t *id,
	    struct gw_err *e);

/* ---- assembly (inside the caller's transaction) --------------------- */

/* 1 if a run for (run_date, bank) is recorded; its time into at. */
int	batch_run_exists(struct db *db, const char *run_date, const char *bank,
	    char at[32], struct gw_err *e);
int	batch_run_record(struct db *db, const char *run_date, const char *bank,
	    int64_t items, int64_t amount, const char *actor, struct gw_err *e);

/* A new assembled batch (counts 0) with the next sequence of its bank and
 * date; sets b->id, seq, msg_id, file_name, created. */
int	batch_create(struct db *db, struct audit_writer *aw, struct batch *b,
	    const char *actor, struct gw_err *e);

/* Add the next item of b, debiting amount for an obligation under a
 * mandate, and add it to b's counts (in memory). GW_EDUP if the
 * obligation is in another open item. */
int	batch_add_item(struct db *db, struct batch *b, int64_t obligation_id,
	    int64_t mandate_id, int64_t amount, struct gw_err *e);

/* Store b's final count and sum (both must be > 0). */
int	batch_seal(struct db *db, const struct batch *b, struct gw_err *e);

/* Every item of a batch in file order; fn returns non-zero to stop. */
int	batch_foreach_item(struct db *db, int64_t batch_id,
	    int (*fn)(void *arg, const struct batch_item *it), void *arg,
	    struct gw_err *e);

/* Only (obligation_id, amount) of each item, cheaply, in file order. */
int	batch_foreach_obligation(struct db *db, int64_t batch_id,
	    int (*fn)(void *arg, int64_t obligation_id, int64_t amount),
	    void *arg, struct gw_err *e);

/* ---- results (return ingestion) -------------------------------------- */

/* An item found from its EndToEndId. */
struct batch_item_ref {
	int64_t	 item_id;
	int64_t	 batch_id;
	int	 seq;
	int64_t	 obligation_id;
	int64_t	 mandate_id;
	int64_t	 amount;
	int	 live;
	char	 result[12];		/* "" while unanswered */
	char	 bank[16];
	char	 msg_id[BATCH_ID_SZ];
	char	 state[16];		/* the batch's */
};

/*
 * The batch the last EndToEndId named, so that a file's million items
 * look their batch up once. Zero it before the first use; it holds while
 * no batch changes (an ingest changes batches after its items).
 */
struct batch_finder {
	int64_t	 batch_id;
	char	 msg_id[BATCH_ID_SZ];
	char	 bank[16];
	char	 state[16];
};

/* Find the item an EndToEndId names. 1 found, 0 no such item. */
int	batch_item_by_e2e(struct db *db, struct batch_finder *f,
	    const char *e2e, struct batch_item_ref *out, struct gw_err *e);

/*
 * Items' results, each recorded once, written up to DB_ROWS_MAX to a
 * statement (a return file answers a million). batch_results_add refuses
 * an item given to w before (GW_EDUP), written or not: it keeps a bit per
 * item id, so a caller that looked its items up ahead, before the
 * transaction answered any, still sees a repeat. The caller refuses one
 * the store says is answered (batch_item_ref.result), and a write that
 * finds an item answered or gone fails with GW_EBUSY. batch_results_flush
 * writes what is held; it must come before anything reads the items'
 * results, and before the transaction commits. batch_results_free drops
 * what is held and the bits.
 */
struct batch_results {
	struct db	*db;
	int		 n;
	int64_t		 item[DB_ROWS_MAX];
	int		 accepted[DB_ROWS_MAX];
	unsigned char	*given;		/* a bit per item id */
	size_t		 given_sz;
};

void	batch_results_init(struct batch_results *w, struct db *db);
void	batch_results_free(struct batch_results *w);
int	batch_results_add(struct batch_results *w, int64_t item_id,
	    int accepted, struct gw_err *e);
int	batch_results_flush(struct batch_results *w, struct gw_err *e);

/*
 * Every live, unanswered item of a batch (a group- or payment-level
 * status applies to them), in file order; fn returns non-zero to stop.
 */
int	batch_foreach_unanswered(struct db *db, int64_t batch_id,
	    int (*fn)(void *arg, const struct batch_item_ref *it), void *arg,
	    struct gw_err *e);

/*
 * After results were recorded: sent|acknowledged|signed -> returned, and
 * -> reconciled once every item is answered. Audited.
 */
int	batch_after_results(struct db *db, int64_t batch_id, const char *actor,
	    struct gw_err *e);

/* ---- lifecycle ------------------------------------------------------- */

/* assembled -> signed with the file's SHA-256 and signature name. */
int	batch_mark_signed(struct db *db, int64_t id, const char *sha256,
	    const char *sig_name, const char *actor, struct gw_err *e);

/* signed -> sent (the bank holds the file). Idempotent for a sent batch. */
int	batch_mark_sent(struct db *db, const char *bank, const char *file_name,
	    const char *actor, struct gw_err *e);

/* assembled|signed -> cancelled; items stop being live. The caller releases
 * the obligations in the same transaction (ids via batch_foreach_item). */
int	batch_mark_cancelled(struct db *db, int64_t id, const char *reason,
	    const char *actor, struct gw_err *e);

/* Batches in a state (NULL: all), newest first, optionally of one bank. */
int	batch_foreach(struct db *db, const char *state, const char *bank,
	    int (*fn)(void *arg, const struct batch *b), void *arg,
	    struct gw_err *e);

/* For metrics: fn(arg, bank, state, batches, items, amount_fen). */
int	batch_stats(struct db *db, void (*fn)(void *arg, const char *bank,
	    const char *state, int64_t batches, int64_t items, int64_t amount),
	    void *arg, struct gw_err *e);

/* For metrics: live items by bank and result ("open", "accepted",
 * "rejected"): fn(arg, bank, result, items, amount_fen). */
int	batch_item_stats(struct db *db, void (*fn)(void *arg, const char *bank,
	    const char *result, int64_t items, int64_t amount), void *arg,
	    struct gw_err *e);

/* For metrics: the newest run per bank, fn(arg, bank, at) (UTC text). */
int	batch_last_runs(struct db *db, void (*fn)(void *arg, const char *bank,
	    const char *at), void *arg, struct gw_err *e);

/* Item counts of a batch by result: unanswered, accepted, rejected. */
int	batch_item_counts(struct db *db, int64_t id, int64_t *open,
	    int64_t *accepted, int64_t *rejected, struct gw_err *e);

#endif
