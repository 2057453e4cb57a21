/*
 * mandreq.h - mandate requests: the tri-party signing carried to the
 * payer's bank.
 *
 * A pending mandate is sent to its bank in a pain.009 (initiation); the
 * bank answers with a pain.012, ingested like a return file, which makes
 * the mandate active or rejected. A mandate that ended (revoked, or
 * superseded by an amendment) and that the bank knows - it was migrated
 * from the old process or we requested it - is cancelled with a pain.011.
 * Each mandate is requested once and cancelled once (unique per mandate
 * and kind). Files are made, signed and placed exactly as batches are
 * (gateway/outfile.h), so the same crash rules hold.
 *
 * Banks on a text format sign mandates outside these messages (at the
 * counter); their pending mandates are activated by an operator.
 *
 * Part "mandate_requests": tables mandate_requests, mandate_request_items.
 */
#ifndef GW_MANDREQ_H
#define GW_MANDREQ_H

#include <stdint.h>

#include "common/db.h"
#include "common/err.h"
#include "gateway/home.h"

extern const struct db_part mandreq_db_part;

struct mandreq_result {
	int64_t	 requested;	/* mandates in new pain.009 files */
	int64_t	 cancelled;	/* mandates in new pain.011 files */
	int	 files;		/* files placed in the outbox */
};

/*
 * Write the pain.009 and pain.011 files due (for one bank or all), sign
 * and place them, and finish any a crash left half made.
 */
int	mandreq_make(struct home *h, const char *bank, const char *actor,
	    const char *passphrase_file, struct mandreq_result *r,
	    struct gw_err *e);

/* The upload of a request file was confirmed: record it (idempotent).
 * 0 also when name is not a request file. */
int	mandreq_mark_sent(struct db *db, const char *bank, const char *name,
	    const char *actor, struct gw_err *e);

#endif
