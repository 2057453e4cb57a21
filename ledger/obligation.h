/*
 * obligation.h - one assessed amount for one payer and period, and every
 * state it passes through.
 *
 *   import ──▶ open ◀──────────── release (batch cancelled) ─┐
 *     │         │ │                                           │
 *     │         │ └─ mark_in_batch ──▶ in_batch ──────────────┘
 *     │         │                        │     │
 *     │         │          settle_debit  │     │ fail_debit
 *     │         │                        ▼     ▼
 *     │         │                      paid   failed ── reopen ──▶ open
 *     │         │                       │      │  │   (retry_failed=same_month)
 *     │         │ pay_channel           │      │  └─ close_month ─▶ arrears
 *     │         ├──────────────────▶ paid_other_channel ◀─ pay_channel ─┤
 *     │         │                       │      │                         │
 *     │         └─ write_off ─▶ written_off ◀──┴──────── write_off ──────┘
 *     │                                 │
 *     │   paid, paid_other_channel ── refund_request ──▶ refund_requested
 *     │   refund_requested ── refund_approve ──▶ refunded
 *     │   refund_requested ── refund_reject ──▶ (back to paid or
 *     │                                         paid_other_channel)
 *     └─▶ settled   (zero due: full subsidy or exemption; final)
 *
 * Write-off is allowed from open, failed and arrears. The same pairs are
 * the rows of the table obligation_transitions, and a trigger refuses any
 * other change of state, so the diagram is enforced below the C code too.
 *
 * Every change writes an audit event (entity "obligation", id "O0000000123")
 * and, where money moves, one journal entry - both inside the caller's
 * transaction. The per-item functions below append their audit events with
 * audit_append, which reads the chain head from the database: a caller
 * must not hold an open audit_writer across these calls (close it first),
 * or the chain would fork. That is also what lets the failure helper call
 * mandate_transition_tx in the same transaction.
 *
 * Functions that take a struct ledger_policy accept NULL for the defaults
 * (ledger_policy_default).
 */
#ifndef GW_OBLIGATION_H
#define GW_OBLIGATION_H

#include <stddef.h>
#include <stdint.h>

#include "common/audit.h"
#include "common/date.h"
#include "common/db.h"
#include "common/err.h"
#include "ledger/ledger.h"

#define OBLIGATION_REF_SZ 24

struct obligation {
	int64_t	 id;
	char	 payer_id[19];
	char	 period[8];		/* YYYY or YYYY-MM */
	int	 year;
	char	 category[12];		/* adult | minor | student | exempt */
	int64_t	 amount_fen;		/* the assessed contribution */
	int64_t	 subsidy_fen;		/* owed by the finance bureau */
	int64_t	 due_fen;		/* owed by the payer: amount - subsidy,
					   0 when exempt */
	char	 exemption_type[64];
	char	 exemption_cert[64];
	char	 exemption_valid_until[DATE_BUFSZ];
	int	 late;			/* a supplementary (late) assessment */
	int	 newborn;
	char	 state[20];
	char	 batch_ref[64];
	char	 pay_channel[12];	/* debit | counter | wechat | alipay |
					   bank_app | pos | other */
	char	 pay_bank[20];		/* bank code, for a debit */
	char	 paid_on[DATE_BUFSZ];
	char	 pay_ref[64];
	char	 cover_from[DATE_BUFSZ];	/* insurance cover starts */
	char	 fail_category[24];
	char	 fail_code[36];
	char	 fail_bank[20];
	char	 failed_on[DATE_BUFSZ];
	char	 source[96];		/* "IMPORT:LINE" (assessment_imports) */
	char	 created_at[TS_BUFSZ];
	char	 updated_at[TS_BUFSZ];
};

/* "O0000000123" for id 123. */
char	*obligation_ref(char out[OBLIGATION_REF_SZ], int64_t id);

/* Parse "123" or "O0000000123". GW_EINPUT. */
int	obligation_id_parse(int64_t *out, const char *s, struct gw_err *e);

/* Load one obligation; GW_ENOTFOUND names it when there is none. */
int	obligation_get(struct db *db, int64_t id, struct obligation *out,
	    struct gw_err *e);

/* 1 if s is an obligation state. */
int	obligation_state_is_valid(const char *s);

/* 1 if s is a failure category of DESIGN.md (insufficient_funds ... other). */
int	ledger_fail_category_is_valid(const char *s);

/* 1 if a debit failing with category c suspends the mandate. */
int	ledger_fail_category_suspends(const char *c);

/* 1 if s is an other-channel name (counter, wechat, alipay, bank_app, pos,
 * other). */
int	ledger_channel_is_valid(const char *s);

/*
 * 1 if (from, to) is a legal transition of the diagram above. Exposed so a
 * test can hold it against the schema's table.
 */
int	obligation_transition_is_legal(const char *from, const char *to);

/* ---- for batch assembly ------------------------------------------- */

struct obligation_due {
	int64_t		 obligation_id;
	const char	*payer_id;
	const char	*period;
	int64_t		 due_fen;
	int64_t		 mandate_id;	/* the payer's active mandate */
	const char	*payer_name;
	const char	*bank_code;
	const char	*account_no;
	const char	*account_name;
	const char	*account_kind;
	const char	*unit_code;	/* "" unless a unit pays for the member */
	const char	*signed_on;	/* the mandate's signature date */
};

struct due_filter {
	const char	*bank_code;	/* NULL: every bank */
	const char	*period;	/* exactly this period; NULL: any */
	const char	*period_upto;	/* periods <= this ("2025-11" takes
					   "2025" and 2025-01..11); NULL: any */
	int64_t		 limit;		/* 0: no limit */
};

/*
 * Call fn for every open obligation with something due whose payer has an
 * active mandate, in the order of the state index (deterministic; not
 * sorted, which for a million rows would need a temporary b-tree) (obligations without a mandate are paid
 * through other channels and never appear). Strings are valid during the
 * call only. fn must not change obligations while iterating: collect the
 * ids and mark them afterwards (the SELECT is still running). fn returns
 * non-zero to stop; that value is returned.
 */
int	obligation_foreach_due(struct db *db, const struct due_filter *f,
	    int (*fn)(void *arg, const struct obligation_due *d), void *arg,
	    struct gw_err *e);

/*
 * Open obligations with something due whose payer has no active mandate
 * (none, or pending, suspended ...): they are listed by a run, never
 * debited; the payer pays through another channel. Same filter and
 * callback rules as obligation_foreach_due; mandate fields are "" / 0.
 */
int	obligation_foreach_unmandated(struct db *db, const struct due_filter *f,
	    int (*fn)(void *arg, const struct obligation_due *d), void *arg,
	    struct gw_err *e);

/* open -> in_batch, recording batch_ref. Inside the caller's transaction. */
int	obligation_mark_in_batch(struct db *db, int64_t id,
	    const char *batch_ref, const char *actor, struct gw_err *e);

/* An obligation a run puts in a batch, and the amount its item debits. */
struct obligation_mark {
	int64_t	 id;
	int64_t	 due_fen;
};

#define OBLIGATION_MARK_MAX 64	/* DB_ROWS_MAX: one statement a group */

/*
 * The same for n (1 .. OBLIGATION_MARK_MAX) obligations going into one
 * batch, as a million-item run does: one guarded UPDATE for the group
 * (every one still open, each due exactly what its item debits) and an
 * audit event each through the caller's writer, which the caller holds
 * for the whole transaction and calls nothing else that appends events
 * meanwhile. GW_ESTATE names the first one no longer open, GW_EBUSY one
 * whose amount is not the item's; the caller's transaction is then to be
 * rolled back.
 */
int	obligation_mark_many_in_batch(struct db *db, struct audit_writer *aw,
	    const struct obligation_mark *v, size_t n, const char *batch_ref,
	    const char *actor, struct gw_err *e);

/* in_batch -> open (the batch was cancelled or refused whole). */
int	obligation_release_from_batch(struct db *db, int64_t id,
	    const char *reason, const char *actor, struct gw_err *e);

/*
 * failed -> open, so a later batch may debit it again. Only for the
 * retry_failed = same_month policy; the default (never) does not call it.
 */
int	obligation_reopen_failed(struct db *db, int64_t id, const char *reason,
	    const char *actor, struct gw_err *e);

/* ---- for return-file ingestion ------------------------------------ */

struct debit_result {
	int64_t		 obligation_id;
	int64_t		 amount_fen;	/* the item's amount; must equal due */
	const char	*bank;		/* bank code, e.g. "ICBC" */
	int		 on;		/* settlement or return date (day) */
	const char	*source_sha256;	/* SHA-256 of the return file */
	const char	*item_ref;	/* the item in it (EndToEndId, line) */
	const char	*actor;
	/* failed items only */
	const char	*category;	/* failure category (DESIGN.md) */
	const char	*raw_code;	/* the bank's code, always kept */
	int64_t		 mandate_id;	/* mandate the debit used; 0: the
					   payer's live one */
};

/*
 * One bank result, applied as debit_apply applies a file's (a file of one
 * item): the same checks, postings and exactly-once row. Inside the
 * caller's transaction.
 *
 * settle: in_batch -> paid, records bank, date, item reference and cover
 * start, posts Dr clearing:BANK / Cr receivable. GW_EDUP if this file item
 * has been applied before (either outcome), GW_ESTATE if the obligation is
 * not in a batch, GW_EINPUT if the amount differs from what is due.
 */
int	obligation_settle_debit(struct db *db, const struct ledger_policy *pol,
	    const struct debit_result *r, struct gw_err *e);

/*
 * fail: in_batch -> failed with category, raw code, bank and date; no
 * posting (nothing moved). Same errors as settle. When the category is
 * account_closed, mandate_invalid or payer_deceased the mandate the debit
 * used (r->mandate_id, or the payer's live one) is suspended if active;
 * *suspended (may be NULL) gets its id, 0 if none was. Per DESIGN.md the
 * obligation is not debited again unless obligation_reopen_failed is called.
 */
int	obligation_fail_debit(struct db *db, const struct debit_result *r,
	    int64_t *suspended, struct gw_err *e);

/*
 * The suspension itself, for a failed debit r whose category calls for it:
 * the mandate the debit used (r->mandate_id, or payer_id's live one), if
 * active, becomes suspended through mandate_transition_tx, which appends
 * its own audit event, naming the obligation, code, bank and file item.
 * *suspended gets the mandate id, 0 if none was suspended.
 */
int	obligation_suspend_mandate(struct db *db, const struct debit_result *r,
	    const char *payer_id, int64_t *suspended, struct gw_err *e);

/* ---- for finance staff -------------------------------------------- */

struct channel_payment {
	int64_t		 obligation_id;
	const char	*channel;	/* counter | wechat | alipay | bank_app |
					   pos | other */
	const char	*reference;	/* the channel's reference, unique */
	int64_t		 amount_fen;	/* must equal what is due */
	int		 paid_on;	/* day number, not in the future */
	int		 today;
	const char	*actor;
};

/*
 * open, failed or arrears -> paid_other_channel; posts Dr clearing:CHANNEL
 * / Cr receivable (source payment "CHANNEL:REF"). Inside the caller's
 * transaction. GW_EINPUT for an over- or under-payment, GW_ESTATE for a
 * second payment or an obligation in a batch, GW_EDUP for a reference used
 * before. cover_from (may be NULL) gets the day cover starts.
 */
int	obligation_pay_channel(struct db *db, const struct ledger_policy *pol,
	    const struct channel_payment *p, int *cover_from, struct gw_err *e);

/*
 * The day insurance cover starts for a payment of o on paid_on. Normally
 * the period's first day. A late payment - a supplementary assessment
 * (o->late) or arrears paid after month close (was_arrears) - starts
 * late_wait_days after payment (Linfen: 90), never before the period. A
 * newborn paying by newborn_until (02-25) of the year after the period
 * has no wait.
 */
int	obligation_cover_from(const struct ledger_policy *pol,
	    const struct obligation *o, int paid_on, int was_arrears);

/*
 * open, failed or arrears -> written_off; posts Dr written_off /
 * Cr receivable. Inside the caller's transaction.
 */
int	obligation_write_off(struct db *db, int64_t id, const char *reason,
	    int today, const char *actor, struct gw_err *e);

struct month_close_result {
	int	 already;		/* closed before: nothing done */
	char	 already_at[TS_BUFSZ];
	int64_t	 count;			/* failed -> arrears */
	int64_t	 total_fen;
	int64_t	 by_category_count[7];	/* in ledger_fail_categories order */
	int64_t	 by_category_fen[7];
};

/* The seven failure categories, in report order. */
extern const char *const ledger_fail_categories[7];

/*
 * Close month YYYY-MM in its own transaction: every obligation still
 * failed whose debit failed on or before the month's last day becomes
 * arrears. Refused (GW_EINPUT) while the month has not ended (today is on
 * or before its last day). A second close is a no-op (r->already).
 */
int	obligation_close_month(struct db *db, int year, int month, int today,
	    const char *actor, struct month_close_result *r, struct gw_err *e);

/* ---- refunds (used by ledger/refund.c) ---------------------------- */

/* paid | paid_other_channel -> refund_requested. */
int	obligation_refund_requested(struct db *db, int64_t id,
	    const char *reason, const char *actor, struct gw_err *e);
/* refund_requested -> refunded. */
int	obligation_refunded(struct db *db, int64_t id, const char *reason,
	    const char *actor, struct gw_err *e);
/* refund_requested -> back_to (paid or paid_other_channel). */
int	obligation_refund_rejected(struct db *db, int64_t id,
	    const char *back_to, const char *reason, const char *actor,
	    struct gw_err *e);

/* ---- listings ----------------------------------------------------- */

struct obligation_filter {
	const char	*state;		/* NULL: any */
	const char	*payer_id;
	const char	*period;
	const char	*fail_category;
	const char	*fail_bank;
	const char	*failed_month;	/* YYYY-MM of failed_on */
	int		 year;		/* 0: any */
};

/* Call fn for every obligation matching f (NULL: all), in id order. */
int	obligation_foreach(struct db *db, const struct obligation_filter *f,
	    int (*fn)(void *arg, const struct obligation *o), void *arg,
	    struct gw_err *e);

struct obligation_totals {
	int64_t	 count[10];		/* per state, obligation_states order */
	int64_t	 due_fen[10];
	int64_t	 amount_fen;		/* all assessed contributions */
	int64_t	 subsidy_fen;
};

/*
 * For metrics: every debit a bank refused, ever, by failure category:
 * fn(arg, category, results, amount_fen).
 */
int	obligation_failure_stats(struct db *db, void (*fn)(void *arg,
	    const char *category, int64_t n, int64_t fen), void *arg,
	    struct gw_err *e);

/* The ten states, in the order of obligation_totals. */
extern const char *const obligation_states[10];

/* Count and sum obligations by state. */
int	obligation_totals(struct db *db, struct obligation_totals *t,
	    struct gw_err *e);

#endif
