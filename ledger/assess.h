/*
 * assess.h - the agency's assessment CSV into obligations.
 *
 * Columns (UTF-8, header row, any order): payer_id, period (YYYY annual or
 * YYYY-MM monthly), amount (yuan, the assessed individual contribution),
 * subsidy (yuan, may be 0 or empty), category (adult | minor | student |
 * exempt), exemption_type, exemption_cert, exemption_valid_until
 * (YYYY-MM-DD; the three together or none), late (0|1: a supplementary
 * assessment), newborn (0|1).
 *
 * Due = amount - subsidy, never negative (a subsidy above the amount is
 * capped, with a warning); an exemption makes it 0. Each row becomes one
 * obligation, open, or settled at once when nothing is due, with one
 * journal entry (Dr receivable, Dr subsidy_receivable:finance,
 * Cr premium_income:YEAR) whose source is "IMPORT:LINE", IMPORT being the
 * file's row in assessment_imports, which holds its SHA-256.
 *
 * One file is one transaction: any bad row and nothing is imported, every
 * bad row reported "FILE:LINE: column: reason" (the first 100). A payer
 * with a live obligation for the same period - or an annual and a monthly
 * one in the same year - is refused (one valid enrolment per person). The
 * same file again (same SHA-256) is a no-op that says so. An amount that
 * differs from the configured tariff of its category and year is a warning,
 * or a bad row with strict.
 */
#ifndef GW_ASSESS_H
#define GW_ASSESS_H

#include <stdint.h>

#include "common/db.h"
#include "common/err.h"
#include "common/date.h"
#include "ledger/ledger.h"

struct assess_import_opts {
	const char			*path;
	const char			*actor;
	const struct ledger_policy	*policy;	/* tariffs; NULL: none */
	int				 strict;	/* tariff mismatch is an error */
	int				 today;		/* day number */
	/* Each "FILE:LINE: column: reason" (bad rows, then warnings). */
	void				(*report)(void *arg, int warning,
					    const char *line);
	void				*report_arg;
};

struct assess_import_result {
	long	 rows;
	long	 imported;
	long	 open;
	long	 settled;		/* nothing due: subsidy or exemption */
	long	 rejected;
	long	 warnings;
	long	 ids_converted;
	int64_t	 amount_fen;		/* assessed */
	int64_t	 subsidy_fen;
	int64_t	 due_fen;
	int	 already;		/* this file was imported before */
	char	 already_at[TS_BUFSZ];
};

/*
 * Import. Returns 0 (also when already imported: r->already), GW_EINPUT
 * when rows were bad and nothing was imported (e says how many), or
 * another code.
 */
int	assess_import(struct db *db, const struct assess_import_opts *o,
	    struct assess_import_result *r, struct gw_err *e);

#endif
