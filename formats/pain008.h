/*
 * pain008.h - the direct debit batch we send a bank: ISO 20022
 * CstmrDrctDbtInitn, pain.008.001.08 or pain.008.001.02, written as a
 * stream.
 *
 *   Document/CstmrDrctDbtInitn
 *     GrpHdr       MsgId, CreDtTm, NbOfTxs, CtrlSum, InitgPty (bureau, USCC)
 *     PmtInf *     one per requested collection date and creditor account:
 *                  PmtInfId, PmtMtd DD, NbOfTxs, CtrlSum, ReqdColltnDt,
 *                  Cdtr, CdtrAcct, CdtrAgt, CdtrSchmeId
 *       DrctDbtTxInf *   EndToEndId, InstdAmt Ccy=CNY, MndtRltdInf
 *                        (MndtId, DtOfSgntr), DbtrAgt, Dbtr, DbtrAcct,
 *                        UltmtDbtr (optional), RmtInf/Ustrd
 *
 * The batch is assembled in the database before it is written, so the
 * totals are known up front and go into the headers as the stream
 * starts; the writer counts what is actually written and
 * pain008_writer_finish fails if it differs from what was declared. The
 * first error is sticky: every later call returns it, and the caller must
 * then abandon the file (afile_abort), never send it.
 *
 *   pain008_writer_new
 *     ( pain008_begin_pmtinf  pain008_add *  pain008_end_pmtinf ) +
 *   pain008_writer_finish
 *   pain008_writer_free
 *
 * Memory does not depend on the number of items. Uniqueness of
 * EndToEndIds is the batch's business (a database constraint); the
 * writer checks that PmtInfIds are unique within the file and that no
 * two PmtInf share a collection date and creditor account.
 */
#ifndef GW_PAIN008_H
#define GW_PAIN008_H

#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "common/err.h"
#include "formats/iso20022.h"

struct pain008_group {
	const char	*msg_id;		/* unique, <= 35 ASCII */
	time_t		 created;		/* CreDtTm */
	const char	*initiator_name;	/* the bureau */
	const char	*initiator_id;		/* its USCC */
	int64_t		 nb_of_txs;		/* items in the whole file */
	int64_t		 ctrl_sum_fen;		/* their sum */
};

struct pain008_pmtinf {
	const char	*pmtinf_id;
	int		 collection_date;	/* ReqdColltnDt, day number */
	const char	*creditor_name;
	const char	*creditor_account;
	const char	*creditor_agent;	/* BIC or 12-digit CNAPS code */
	const char	*creditor_scheme_id;
	int64_t		 nb_of_txs;
	int64_t		 ctrl_sum_fen;
};

struct pain008_item {
	const char	*end_to_end_id;
	int64_t		 amount_fen;		/* > 0 */
	const char	*mandate_id;		/* MndtId, e.g. M0000000123 */
	int		 signed_on;		/* DtOfSgntr, day number */
	const char	*debtor_agent;		/* BIC or 12-digit CNAPS code */
	const char	*debtor_name;		/* account holder, UTF-8 */
	const char	*debtor_account;	/* Othr/Id: not an IBAN */
	const char	*ultimate_debtor_name;	/* the payer when a unit's
						 * account pays; may be NULL */
	const char	*remittance;		/* Ustrd: payer id and period */
};

struct pain008_writer;

/*
 * Start a file on fp (the caller keeps fp and closes or commits it).
 * version is ISO_PAIN008_08 or ISO_PAIN008_02. Checks the group values;
 * on failure *out is NULL and e says why (GW_EINPUT). The caller frees
 * the writer with pain008_writer_free.
 */
int	pain008_writer_new(struct pain008_writer **out, FILE *fp,
	    enum iso_msg version, const struct pain008_group *g,
	    struct gw_err *e);

/* Open a PmtInf; the previous one must have been ended. */
int	pain008_begin_pmtinf(struct pain008_writer *w,
	    const struct pain008_pmtinf *p, struct gw_err *e);

/* Write one item into the open PmtInf. GW_EINPUT names the item. */
int	pain008_add(struct pain008_writer *w, const struct pain008_item *it,
	    struct gw_err *e);

/* Close the PmtInf; GW_EINPUT if its count or sum is not as declared. */
int	pain008_end_pmtinf(struct pain008_writer *w, struct gw_err *e);

/*
 * Close the document and flush fp. Fails (GW_EINPUT) if a PmtInf is
 * still open or the file's count or sum differ from the group header,
 * GW_EIO if a write failed, or with the first earlier error.
 */
int	pain008_writer_finish(struct pain008_writer *w, struct gw_err *e);

/* Accepts NULL. Does not close fp. */
void	pain008_writer_free(struct pain008_writer *w);

#endif
