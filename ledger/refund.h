/*
 * refund.h - money returned to a payer, with a second person's approval.
 *
 *     request          approve (another actor)          pay
 *    ─────────▶ requested ─────────────────▶ approved ─────────▶ paid
 *                  │
 *                  └── reject (another actor) ──▶ rejected
 *
 * The obligation moves alongside: paid | paid_other_channel ->
 * refund_requested (request) -> refunded (approve), or back to its paid
 * state (reject). Approval posts Dr premium_income:YEAR / Cr
 * refunds_payable; paying out posts Dr refunds_payable / Cr the clearing
 * account the money came in through.
 *
 * Maker-checker: whoever requested a refund may not approve or reject it
 * (GW_EINPUT here, and a CHECK in the schema). A refund is due a number of
 * working days after the request (Linfen: 5), skipping weekends and the
 * holiday calendar; one not paid by then is overdue and listed first.
 * Each function is one transaction with audit events (entity "refund").
 */
#ifndef GW_REFUND_H
#define GW_REFUND_H

#include <stdint.h>

#include "common/date.h"
#include "common/db.h"
#include "common/err.h"
#include "ledger/ledger.h"

#define REFUND_REF_SZ 24

struct refund {
	int64_t	 id;
	int64_t	 obligation_id;
	char	 payer_id[19];
	char	 period[8];
	char	 reason[24];
	char	 note[256];
	int64_t	 amount_fen;
	char	 clearing[48];		/* where the money goes back out */
	char	 from_state[20];	/* the obligation's paid state */
	char	 state[12];		/* requested | approved | rejected | paid */
	char	 requested_by[68];
	char	 requested_at[TS_BUFSZ];
	char	 requested_on[DATE_BUFSZ];
	char	 due_on[DATE_BUFSZ];
	char	 decided_by[68];
	char	 decided_at[TS_BUFSZ];
	char	 decision_note[256];
	char	 paid_on[DATE_BUFSZ];
	char	 pay_ref[64];
	int	 overdue;		/* not paid by due_on (as of today) */
};

/* "R0000000007". */
char	*refund_ref(char out[REFUND_REF_SZ], int64_t id);
int	refund_id_parse(int64_t *out, const char *s, struct gw_err *e);

/* 1 if s is a refund reason: duplicate, deceased, employee_insurance,
 * system_error, other. */
int	refund_reason_is_valid(const char *s);

/*
 * Request a refund of everything paid on an obligation. *id gets the
 * refund's id. GW_ESTATE unless the obligation is paid or
 * paid_other_channel; GW_EINPUT for a bad reason.
 */
int	refund_request(struct db *db, const struct ledger_policy *pol,
	    int64_t obligation_id, const char *reason, const char *note,
	    int today, const char *actor, int64_t *id, struct gw_err *e);

/* requested -> approved, by someone other than the requester. */
int	refund_approve(struct db *db, int64_t id, const char *note, int today,
	    const char *actor, struct gw_err *e);

/* requested -> rejected, by someone other than the requester. */
int	refund_reject(struct db *db, int64_t id, const char *note,
	    const char *actor, struct gw_err *e);

/* approved -> paid: the money went out on paid_on with reference ref. */
int	refund_pay(struct db *db, int64_t id, int paid_on, const char *ref,
	    int today, const char *actor, struct gw_err *e);

/* Load one refund (overdue computed as of today). GW_ENOTFOUND. */
int	refund_get(struct db *db, int64_t id, int today, struct refund *out,
	    struct gw_err *e);

/*
 * Call fn for each refund (state NULL: all), overdue ones first, then by
 * due date and id.
 */
int	refund_foreach(struct db *db, const char *state, int today,
	    int (*fn)(void *arg, const struct refund *r), void *arg,
	    struct gw_err *e);

#endif
