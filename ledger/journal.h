/*
 * journal.h - the double-entry collection journal, in fen.
 *
 * An entry is a set of postings (account, signed amount: debit positive,
 * credit negative) that sums to zero, with where it came from: a source
 * kind and reference that are unique together, so the same source can
 * never post twice. The schema enforces both (ledger/ledger.c); the C
 * code checks first only to give a clear message.
 *
 * Accounts (docs/ledger.md gives every event's postings):
 *
 *   receivable                   what payers owe; each posting names the
 *                                payer and obligation (the sub-ledger),
 *                                except a debit entry's one credit for
 *                                up to 63 obligations, each of which
 *                                names the entry (pay_entry): its detail
 *   subsidy_receivable:finance   the subsidised part, owed by the finance
 *                                bureau (Meizhou, Linfen)
 *   premium_income:YYYY          income of the premium year
 *   clearing:<BANK>              debits collected through a bank (ICBC ...)
 *   clearing:<channel>           other channels: counter, wechat, alipay,
 *                                bank_app, pos, other
 *   refunds_payable              refunds approved, not yet paid out
 *   written_off                  expense: amounts given up
 */
#ifndef GW_JOURNAL_H
#define GW_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "common/db.h"
#include "common/err.h"

#define JOURNAL_MAX_LINES 64

struct journal_line {
	const char	*account;
	int64_t		 amount_fen;	/* debit > 0, credit < 0, never 0 */
	const char	*payer_id;	/* NULL: none (required on receivable) */
	int64_t		 obligation_id;	/* 0: none (required on receivable) */
};

struct journal_src {
	const char	*kind;		/* assessment | debit | channel_payment |
					   write_off | refund | refund_payout */
	int		 value_date;	/* day number of the business event */
	const char	*source_kind;	/* assess_file | return_item | payment |
					   command */
	const char	*source_ref;	/* "SHA256:LINE", "SHA256:ITEM", ... */
	const char	*actor;
	const char	*memo;		/* may be NULL */
};

/*
 * Post one balanced entry inside the caller's transaction (GW_EDB if none
 * is open). Returns 0 and the entry's id in *entry_id (may be NULL);
 * GW_EDUP if source_kind/source_ref has posted before (e names the entry);
 * GW_EINPUT if the lines do not balance, an amount is 0 or an account is
 * not one of the ledger's. On any error the caller must roll back.
 */
int	journal_post(struct db *db, const struct journal_src *src,
	    const struct journal_line *lines, size_t n, int64_t *entry_id,
	    struct gw_err *e);

/*
 * The common two-line entry: Dr debit / Cr credit of amount_fen, both
 * lines naming the payer and obligation. Same returns as journal_post.
 */
int	journal_post_pair(struct db *db, const struct journal_src *src,
	    const char *debit, const char *credit, int64_t amount_fen,
	    const char *payer_id, int64_t obligation_id, int64_t *entry_id,
	    struct gw_err *e);

/* 1 if name is an account the ledger may post to. */
int	journal_account_is_valid(const char *name);

/* "clearing:" + bank or channel into out (cap bytes); returns out. */
char	*journal_clearing(char *out, size_t cap, const char *bank_or_channel);

/* "premium_income:YYYY" into out (cap >= 20); returns out. */
char	*journal_income(char *out, size_t cap, int year);

/*
 * Balance of one account (debits minus credits). With payer_id, only that
 * payer's postings and, on receivable, the payer's share of debit credits
 * (the receivable sub-ledger). An account never posted has balance 0.
 */
int	journal_balance(struct db *db, const char *account,
	    const char *payer_id, int64_t *out, struct gw_err *e);

struct journal_account {
	const char	*account;
	int64_t		 debit_fen;	/* sum of debit postings */
	int64_t		 credit_fen;	/* sum of credit postings, positive */
	int64_t		 balance_fen;	/* debit - credit */
	int64_t		 postings;
};

/*
 * Call fn for every account that has postings, in name order. family NULL
 * for all; "clearing" or "premium_income" for the accounts "family:*";
 * any other name for that one account. fn returns non-zero to stop.
 */
int	journal_foreach_account(struct db *db, const char *family,
	    int (*fn)(void *arg, const struct journal_account *a), void *arg,
	    struct gw_err *e);

/*
 * Trial balance: the sum of every account's balance into *total (zero in
 * a sound ledger) and the number of accounts into *naccounts.
 */
int	journal_trial_balance(struct db *db, int64_t *total,
	    int64_t *naccounts, struct gw_err *e);

struct journal_posting {
	int64_t		 entry_id;
	int		 line;
	const char	*at;		/* when posted, UTC */
	const char	*value_date;
	const char	*kind;
	const char	*source_kind;
	const char	*source_ref;
	const char	*actor;
	const char	*memo;		/* "" if none */
	const char	*account;
	int64_t		 amount_fen;
	const char	*payer_id;	/* "" if none */
	int64_t		 obligation_id;	/* 0 if none */
};

struct journal_filter {
	const char	*payer_id;	/* entries with a posting for this payer */
	int		 since;		/* value date >= since (day); 0: all */
	int64_t		 obligation_id;	/* entries with a posting on it; 0: all */
};

/*
 * Call fn for every posting of the entries f selects (NULL: all), in entry
 * and line order. Filtered by payer or obligation, a debit entry's
 * receivable credit comes as its detail: one line (same line number) per
 * obligation of the filter it paid, naming it, for its due. Strings are
 * valid during the call only.
 */
int	journal_foreach_posting(struct db *db, const struct journal_filter *f,
	    int (*fn)(void *arg, const struct journal_posting *p), void *arg,
	    struct gw_err *e);

/*
 * Check the whole journal: every entry posted, with two or more postings
 * summing to zero, every account's kept totals (what balances read)
 * equal to its postings, and every debit credit without an obligation
 * equal to the dues of the obligations that name its entry. Returns 0, or GW_EDB naming the first bad entry
 * (in *bad_entry) or account - which the schema makes impossible short of
 * tampering. *entries gets the number of entries checked.
 */
int	journal_check(struct db *db, int64_t *entries, int64_t *bad_entry,
	    struct gw_err *e);

#endif
