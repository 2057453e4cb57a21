/*
 * mandate_import.h - the agency's mandate CSV into the registry.
 *
 * Columns (UTF-8, header row, any order): payer_id_type, payer_id,
 * payer_name, category, region, bank_code, account_no, account_name,
 * account_kind, unit_code, signed_on, origin; optional: phone.
 *
 * One file is one transaction. Without a reject file, any bad row means
 * nothing is imported; every bad row is reported as "FILE:LINE: column:
 * reason". With a reject file, good rows are imported and bad rows are
 * written there with their line and reason. A file already imported (same
 * SHA-256) is a no-op.
 */
#ifndef GW_MANDATE_IMPORT_H
#define GW_MANDATE_IMPORT_H

#include "common/db.h"
#include "common/err.h"

struct mandate_import_opts {
	const char	*path;
	const char	*reject_path;	/* NULL: all or nothing */
	const char	*actor;
	/* 1 if code names a configured bank. */
	int		(*bank_known)(void *arg, const char *code);
	void		*bank_arg;
	/* Called with each "FILE:LINE: column: reason" (may be NULL). */
	void		(*report)(void *arg, const char *line);
	void		*report_arg;
	int		 today;		/* day number, for date checks */
};

struct mandate_import_result {
	long	rows;
	long	imported;
	long	rejected;
	long	pending;
	long	active;
	long	unit_members;
	long	names_not_gbk;
	long	ids_converted;
	int	already;		/* same file imported before */
	char	already_at[32];
};

/*
 * Import. Returns 0 (also when already imported, see r->already, and in
 * reject-file mode with rejected rows), GW_EINPUT when rows were bad and
 * nothing was imported (e says how many), or another code.
 */
int	mandate_import(struct db *db, const struct mandate_import_opts *o,
	    struct mandate_import_result *r, struct gw_err *e);

#endif
