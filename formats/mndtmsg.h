/*
 * mndtmsg.h - the mandate messages we send the payer's bank to carry the
 * tri-party signing: pain.009 (MndtInitnReq, "please register this
 * mandate") and pain.011 (MndtCxlReq, "cancel it"), versions .001.08 and
 * .001.05. The bank answers both with a pain.012, read by iso_read.h.
 *
 *   pain.009  Document/MndtInitnReq
 *               GrpHdr   MsgId, CreDtTm, InitgPty (bureau, USCC)
 *               Mndt *   MndtId, MndtReqId, Authntcn/Dt (signed on),
 *                        Ocrncs/SeqTp RCUR, TrckgInd false, MaxAmt,
 *                        CdtrSchmeId, Cdtr, CdtrAcct, CdtrAgt,
 *                        Dbtr (name, ID), DbtrAcct, DbtrAgt, UltmtDbtr
 *   pain.011  Document/MndtCxlReq
 *               GrpHdr   as above
 *               UndrlygCxlDtls *  OrgnlMsgInf (the pain.009), CxlRsn
 *                                 (Rsn Cd|Prtry, AddtlInf), OrgnlMndtId
 *
 * Same pattern as pain008.h: the number of mandates is declared up front
 * and checked at finish, the first error is sticky, memory is constant.
 *
 *   mndt_writer_new  ( mndt_add_request * | mndt_add_cancel * )
 *   mndt_writer_finish  mndt_writer_free
 */
#ifndef GW_MNDTMSG_H
#define GW_MNDTMSG_H

#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "common/err.h"
#include "formats/iso20022.h"

struct mndt_group {
	const char	*msg_id;
	time_t		 created;
	const char	*initiator_name;	/* the bureau */
	const char	*initiator_id;		/* its USCC */
	int64_t		 count;			/* mandates in the file */
};

/* pain.009: one mandate to register. */
struct mndt_request {
	const char	*mandate_id;		/* MndtId, e.g. M0000000123 */
	const char	*request_id;		/* MndtReqId, one per request */
	int		 signed_on;		/* day number; < 0: left out */
	int64_t		 max_amount_fen;	/* MaxAmt; 0 leaves it out */
	const char	*creditor_name;
	const char	*creditor_id;		/* USCC */
	const char	*creditor_account;
	const char	*creditor_agent;	/* BIC or 12-digit CNAPS code */
	const char	*creditor_scheme_id;
	const char	*debtor_name;		/* account holder */
	const char	*debtor_id;		/* resident ID or unit's USCC */
	int		 debtor_is_org;		/* debtor_id is a USCC */
	const char	*debtor_account;
	const char	*debtor_agent;
	const char	*ultimate_debtor_name;	/* the payer when a unit's */
	const char	*ultimate_debtor_id;	/* account pays; may be NULL */
};

/* pain.011: one mandate to cancel. */
struct mndt_cancel {
	const char	*mandate_id;		/* OrgnlMndtId */
	const char	*orig_msg_id;		/* the pain.009 MsgId or NULL */
	const char	*reason_code;		/* ISO code (Cd), or NULL ... */
	const char	*reason_prtry;		/* ... a proprietary one */
	const char	*text;			/* AddtlInf, <= 105 chars */
};

struct mndt_writer;

/*
 * Start a pain.009 (ISO_PAIN009_08/_05) or pain.011 (ISO_PAIN011_08/_05)
 * on fp. On failure *out is NULL and e says why. Free with
 * mndt_writer_free; fp stays the caller's.
 */
int	mndt_writer_new(struct mndt_writer **out, FILE *fp, enum iso_msg type,
	    const struct mndt_group *g, struct gw_err *e);

/* Add a mandate to a pain.009 writer. GW_EINPUT names the mandate. */
int	mndt_add_request(struct mndt_writer *w, const struct mndt_request *m,
	    struct gw_err *e);

/* Add a cancellation to a pain.011 writer. */
int	mndt_add_cancel(struct mndt_writer *w, const struct mndt_cancel *c,
	    struct gw_err *e);

/* Close the document and flush; GW_EINPUT if the count differs from the
 * declared one, GW_EIO on a write error, or the first earlier error. */
int	mndt_writer_finish(struct mndt_writer *w, struct gw_err *e);

void	mndt_writer_free(struct mndt_writer *w);

#endif
