/*
 * returns.h - ingesting a bank's return file: what each debit became.
 *
 * A return file (pain.002, camt.054, or the bank's text format) is trusted
 * only after its signature verifies against that bank's trust entries
 * (unless the bank's config says the channel itself is the proof and the
 * operator asks for --unsigned). It is then read whole and applied in one
 * transaction: every item must be one of ours, of this bank's batches, not
 * answered before, with the amount we debited; one bad item refuses the
 * whole file and changes nothing. Accepted items settle their obligation
 * (Dr clearing:BANK / Cr receivable); rejected ones fail it with the
 * reason's category and raw code, and suspend the mandate for closed
 * accounts, invalid mandates and deceased payers. A status given only at
 * group or payment level applies to every item of the batch this file
 * does not answer itself. A file is ingested once: its SHA-256 is kept.
 *
 * Part "returns": table return_files.
 */
#ifndef GW_RETURNS_H
#define GW_RETURNS_H

#include <stdint.h>

#include "common/db.h"
#include "common/err.h"
#include "gateway/home.h"

extern const struct db_part returns_db_part;

struct returns_opts {
	const char	*path;
	const char	*sig_path;	/* NULL: path.p7s, else path.sig */
	const char	*bank;
	int		 unsigned_ok;	/* --unsigned, and the bank allows it */
	const char	*actor;
	void		(*report)(void *arg, const char *line);
	void		*report_arg;
};

struct returns_result {
	int	 already;		/* this very file was ingested before */
	char	 already_at[32];
	char	 kind[48];		/* pain.002.001.10, text:BANK ... */
	char	 signer[256];
	int64_t	 items, accepted, rejected, pending;
	int64_t	 accepted_fen, rejected_fen;
	int64_t	 suspended;		/* mandates suspended */
	int	 batches;		/* batches it answered */
	int64_t	 mandates_accepted, mandates_rejected;	/* pain.012 */
};

/*
 * Verify, read and apply one file. 0 also when it was ingested before
 * (r->already). GW_ESIG for a signature that does not verify, GW_EINPUT
 * for a file that does not fit our batches (nothing changed).
 */
int	returns_ingest(struct home *h, const struct returns_opts *o,
	    struct returns_result *r, struct gw_err *e);

#endif
