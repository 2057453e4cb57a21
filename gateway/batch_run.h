/*
 * batch_run.h - `debitgw run`: from open obligations to signed files in
 * the outbox, exactly once per obligation.
 *
 * A run on day D has two steps:
 *
 *  1. Assembly, one transaction: for each bank without a run recorded for
 *     D, every open obligation that is due (monthly periods up to D's
 *     month, annual ones up to the next year) and whose payer has an
 *     active mandate at that bank becomes an item of a new batch (split at
 *     the bank's max_items / max_amount); the obligations move to
 *     in_batch and the run is recorded. A crash before the commit leaves
 *     nothing; after it, everything, and running D again makes nothing new.
 *
 *  2. Files: each file is written from the batch rows into HOME/tmp and
 *     signed (several at once, one thread and read connection per core),
 *     then, batch by batch, its SHA-256 is stored as the batch moves to
 *     signed, and only then are signature and file renamed into
 *     outbox/BANK/.
 *     batch_produce also finishes what a crash interrupted: assembled
 *     batches get their files, and a signed batch whose file is neither
 *     in the outbox nor sent is made again, byte for byte (the file
 *     depends only on the rows), and checked against the stored SHA-256.
 */
#ifndef GW_BATCH_RUN_H
#define GW_BATCH_RUN_H

#include <stdint.h>

#include "common/err.h"
#include "gateway/config.h"
#include "gateway/home.h"

struct run_opts {
	int		 day;		/* the run (collection) date */
	const char	*bank;		/* NULL: every configured bank */
	int		 dry_run;	/* count and list, change nothing */
	int		 unscheduled;	/* allow a day the calendar lacks */
	const char	*actor;
	const char	*passphrase_file;	/* for signing; NULL: env */
	/* One line per event (may be NULL). */
	void		(*report)(void *arg, const char *line);
	void		*report_arg;
};

struct run_bank {
	char	 code[16];
	int	 already;		/* a run for this day was recorded */
	char	 already_at[32];
	int64_t	 items, amount;		/* put in batches (or would be) */
	int	 files;
	int64_t	 held, held_amount;	/* text banks: names the file can't carry */
};

struct run_result {
	struct run_bank	 banks[CFG_MAX_BANKS];
	int		 nbanks;
	int64_t		 items, amount;
	int		 files;
	int64_t		 unmandated, unmandated_amount;	/* listed, not debited */
	int		 produced;		/* files placed in the outbox */
};

/*
 * Run (or with dry_run, plan) day D. Obligations without an active
 * mandate and held-back items are reported through o->report. Returns 0
 * also when every bank had run already (see r->banks[].already).
 */
int	batch_run(struct home *h, const struct run_opts *o, struct run_result *r,
	    struct gw_err *e);

/*
 * 1 if an obligation of period (YYYY or YYYY-MM) is due on a run on day:
 * monthly periods up to day's month, annual ones up to the next year (the
 * annual premium is collected in the window before its year).
 */
int	batch_period_is_due(int day, const char *period);

/*
 * Make, sign and place the files of every batch that needs one (see
 * above). *produced gets how many files reached the outbox.
 */
int	batch_produce(struct home *h, const char *passphrase_file,
	    const char *actor, int *produced, struct gw_err *e);

/*
 * Cancel a batch not yet sent: its items go back to open, its files leave
 * the outbox. Holds the bank's transfer lock so no upload is under way.
 */
int	batch_cancel(struct home *h, int64_t id, const char *reason,
	    const char *actor, struct gw_err *e);

#endif
