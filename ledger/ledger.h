/*
 * ledger.h - the collection ledger part: its tables, its policy, its names.
 *
 * The part "ledger" owns obligations (assessed amounts and their states),
 * the double-entry journal (journal_entries, postings), debit results,
 * refunds, month closes, assessment imports and agency exports. Its
 * modules:
 *
 *   ledger/journal.h      balanced entries, balances, trial balance
 *   ledger/obligation.h   the obligation state machine and what batches,
 *                         return files and finance staff do with it
 *   ledger/assess.h       the agency's assessment CSV
 *   ledger/refund.h       refunds with maker-checker
 *   ledger/certificate.h  payment certificates with a verification code
 *   ledger/export.h       payment records for the agency, each once
 *
 * The part knows nothing of the config file: what policy it needs (waiting
 * days, deadlines, the holiday calendar, tariffs) comes in a struct
 * ledger_policy the program fills from its config (gateway/ledger_policy.h).
 *
 * Cross-part reads: the ledger reads the mandates table read-only in one
 * query (obligation_foreach_due joins each open obligation with its payer's
 * active mandate, so a million-row batch is one statement) and otherwise
 * goes through mandates/mandate.h. It never writes another part's table.
 */
#ifndef GW_LEDGER_H
#define GW_LEDGER_H

#include <stddef.h>
#include <stdint.h>

#include "common/db.h"
#include "common/err.h"

extern const struct db_part ledger_db_part;

struct ledger_policy {
	int	 late_wait_days;	/* cover starts N days after a late payment */
	int	 newborn_until;		/* month*100+day of the year after the period */
	int	 refund_working_days;	/* a refund is due N working days after request */
	/* 1 if day (a day number) is a working day; NULL: Monday to
	 * Friday. The gateway passes the collection calendar's rule, which
	 * knows holidays and make-up working weekends. */
	int	(*is_working_day)(void *arg, int day);
	void	*working_day_arg;
	/* 1 and *fen set if category/year has a tariff, 0 if none. NULL: none. */
	int	(*tariff)(void *arg, const char *category, int year,
		    int64_t *fen);
	void	*tariff_arg;
};

/* The defaults of DESIGN.md and the Linfen notice: 90 days, 02-25, 5. */
void	ledger_policy_default(struct ledger_policy *p);

/* 1 if day is a working day under p (Monday to Friday without a rule). */
int	ledger_is_working_day(const struct ledger_policy *p, int day);

/* The n-th working day after day (n >= 1); day itself never counts. */
int	ledger_add_working_days(const struct ledger_policy *p, int day, int n);

/*
 * Payer identifiers on obligations: an 18-character resident ID, Hong
 * Kong/Macau/Taiwan residence permit or foreigner permanent-residence ID
 * (mandates/ident.h), canonical form into out. A 15-digit legacy resident
 * ID is converted (*converted = 1, may be NULL). GW_EINPUT with the reason.
 */
int	ledger_payer_id(char out[19], const char *s, int today, int *converted,
	    struct gw_err *e);

/*
 * Parse a period: "YYYY" (annual) or "YYYY-MM" (monthly), years 2000-2199.
 * *year gets the year. GW_EINPUT with the reason.
 */
int	ledger_period_parse(const char *s, int *year, struct gw_err *e);

/* First and last day of a period (day numbers). */
void	ledger_period_days(const char *period, int *first, int *last);

/* Parse "YYYY-MM" into year and month. GW_EINPUT with the reason. */
int	ledger_month_parse(const char *s, int *year, int *month,
	    struct gw_err *e);

/* "X0000000123": an id as staff see it, prefix X (O obligation, R refund). */
char	*ledger_ref(char out[24], char prefix, int64_t id);

/* 1 if day is a date money can move on here (2000-01-01 .. 2199-12-31). */
int	ledger_day_ok(int day);

/* 1 if s is 1 to max bytes of UTF-8 text without control characters. */
int	ledger_text_ok(const char *s, size_t max);

/* An actor name fit for the journal and the audit trail: 1-64 bytes. */
int	ledger_actor_ok(const char *actor, struct gw_err *e);

/*
 * The ledger held against the obligations and refunds it should mirror.
 * Each pair is (balance in the journal, what the obligations say):
 *   receivable          = due of open, in_batch, failed, arrears
 *   written_off         = due of written_off
 *   subsidy_receivable  = subsidies assessed (no receipts are booked yet)
 *   refunds_payable     = -(refunds approved, not yet paid)
 *   clearing (all)      = paid by debit and other channels (including
 *                         what was later refunded) - refunds paid out
 *   premium_income (all)= -(due + subsidy of everything assessed
 *                         - refunds approved or paid)
 * plus the trial balance (must be 0).
 */
struct ledger_reconcile {
	int64_t	 receivable[2];
	int64_t	 written_off[2];
	int64_t	 subsidy[2];
	int64_t	 refunds_payable[2];
	int64_t	 clearing[2];
	int64_t	 income[2];
	int64_t	 trial_balance;
	int64_t	 entries;
};

/*
 * Compute r and check it: 0 when every pair agrees, the trial balance is
 * 0 and every journal entry is posted and balanced; GW_EDB naming the
 * first disagreement otherwise (r is filled either way).
 */
int	ledger_reconcile(struct db *db, struct ledger_reconcile *r,
	    struct gw_err *e);

/*
 * Map the last SQLite error after a failed step: a refusal by one of the
 * ledger's triggers or CHECK constraints is an integrity failure (GW_EDB,
 * "what: message"), a UNIQUE violation GW_EDUP.
 */
int	ledger_db_fail(struct db *db, const char *what, struct gw_err *e);

/*
 * SQL: the obligation states the partial index obligations_state holds.
 * A statement that looks obligations up by one of them says this term as
 * well, word for word, or SQLite will not use the index.
 */
#define LEDGER_WORKED_STATE "state IN ('open','failed','arrears')"

/* 1 if state is one of LEDGER_WORKED_STATE's. */
int	ledger_state_is_worked(const char *state);

/*
 * SQL for the ledger's own statements: the ids of payer P's obligations
 * (P a parameter such as "?2"), enrolled or not. A bare "payer_id = ?"
 * can use neither partial index on payer_id and scans every obligation.
 */
#define LEDGER_PAYER_OBLIGATIONS(P) \
	"(SELECT id FROM obligations WHERE payer_id = " P " AND enrolled = 1" \
	" UNION ALL SELECT id FROM obligations WHERE payer_id = " P \
	" AND enrolled = 0)"

#endif
