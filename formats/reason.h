/*
 * reason.h - from a bank's failure code to the category staff and policy
 * act on.
 *
 *   insufficient_funds  account_frozen  account_abnormal  account_closed
 *   mandate_invalid     payer_deceased  other
 *
 * The mapping is data: the ISO 20022 external codes (AM04, AC06, MD01 ...),
 * built-in proprietary tables for schemes whose codes are public (NACHA
 * return codes as "nacha", Bacs ARUDD as "bacs"), a bank's own table added
 * at run time (a text-format descriptor supplies it), and Chinese phrases
 * banks put in their free text (余额不足, 冻结, 销户 ...). The raw code is
 * always kept by the caller beside the category; "other" means "a person
 * looks at the raw code".
 *
 * Lookup, first match wins:
 *   1. the bank's run-time table (reason_table_add), then its built-in one;
 *   2. the ISO table;
 *   3. the phrase table, on the code and then on the free text;
 *   4. other.
 * A bank's table comes first because a bank that puts its own meaning on
 * a code knows better than the standard what it sent.
 */
#ifndef GW_REASON_H
#define GW_REASON_H

#include "common/err.h"

enum reason_cat {
	REASON_INSUFFICIENT_FUNDS,
	REASON_ACCOUNT_FROZEN,
	REASON_ACCOUNT_ABNORMAL,
	REASON_ACCOUNT_CLOSED,
	REASON_MANDATE_INVALID,
	REASON_PAYER_DECEASED,
	REASON_OTHER,
	REASON_NCATS
};

/* "insufficient_funds" ... "other". */
const char *reason_cat_name(enum reason_cat c);

/* By name. Returns 0 or GW_EINPUT. */
int	reason_cat_parse(enum reason_cat *out, const char *name,
	    struct gw_err *e);

/* A row of a built-in table, for docs and tests. */
struct reason_row {
	const char	*code;
	enum reason_cat	 cat;
	const char	*meaning;
};

/*
 * The built-in table named name ("iso", "nacha", "bacs", "phrases"), or
 * NULL; *n gets its length.
 */
const struct reason_row *reason_builtin(const char *name, size_t *n);

/* Names of the built-in tables, NULL-terminated. */
extern const char *const reason_builtin_names[];

/* Run-time tables, per bank. */
struct reason_table;

int	reason_table_new(struct reason_table **out, struct gw_err *e);
void	reason_table_free(struct reason_table *t);

/*
 * Map bank's code to cat (codes are compared without regard to case).
 * A second row for the same bank and code is GW_EDUP.
 */
int	reason_table_add(struct reason_table *t, const char *bank,
	    const char *code, enum reason_cat cat, struct gw_err *e);

/*
 * The category of a failure. t and bank may be NULL (no bank table);
 * code and text may be NULL or empty. A bank whose name is a built-in
 * table ("nacha", "bacs") uses that table.
 */
enum reason_cat reason_classify(const struct reason_table *t,
	    const char *bank, const char *code, const char *text);

#endif
