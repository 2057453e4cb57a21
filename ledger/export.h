/*
 * export.h - payment records for the medical-insurance agency, each once.
 *
 * A payment record is a journal entry of kind debit or channel_payment:
 * payer, period, amount, date, channel (debit with the bank, or the other
 * channel), reference, and when cover starts. Each export is recorded, and
 * so is every record it carried; the next export leaves those out unless
 * asked to send them again.
 *
 * Delivery is at least once: the caller's output is committed (the file
 * renamed into place) before the records are marked, so a crash in
 * between sends some records twice, never none. The agency matches on the
 * reference.
 */
#ifndef GW_EXPORT_H
#define GW_EXPORT_H

#include <stdint.h>

#include "common/db.h"
#include "common/err.h"

struct export_row {
	int64_t		 entry_id;
	int64_t		 obligation_id;
	const char	*payer_id;
	const char	*period;
	int64_t		 amount_fen;
	const char	*paid_on;
	const char	*channel;	/* debit | counter | wechat | ... */
	const char	*bank;		/* "" unless a debit */
	const char	*reference;
	const char	*cover_from;
	int		 exported_before;	/* only with again */
};

struct export_opts {
	int		 since;		/* value date >= since (day); 0: all */
	int		 again;		/* also records exported before */
	const char	*path;		/* recorded with the export; may be NULL */
	const char	*actor;
	/* Called for each record; non-zero stops (and rolls back). */
	int		(*row)(void *arg, const struct export_row *r);
	/* Called after the last record, before marking: commit the output. */
	int		(*commit)(void *arg, struct gw_err *e);
	void		*arg;
};

struct export_result {
	int64_t	 id;			/* the export's number */
	int64_t	 rows;
	int64_t	 total_fen;
	int64_t	 again_rows;		/* of rows, exported before */
};

/* Run one export in its own transaction. */
int	export_payments(struct db *db, const struct export_opts *o,
	    struct export_result *r, struct gw_err *e);

#endif
