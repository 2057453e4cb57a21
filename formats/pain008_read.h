/*
 * pain008_read.h - reading a direct debit batch back: our own
 * pain.008.001.08 and .001.02 (CstmrDrctDbtInitn), as a stream, one
 * record per item. Operators check what was sent with it, and the bank
 * simulator (tests/bank/) reads what arrives in its inbox.
 *
 *   GrpHdr         MsgId, CreDtTm, NbOfTxs, CtrlSum, InitgPty/Nm
 *   PmtInf *       PmtInfId, PmtMtd (DD), NbOfTxs, CtrlSum, ReqdColltnDt,
 *                  CdtrAcct
 *     DrctDbtTxInf *  EndToEndId, InstdAmt, MndtId, DtOfSgntr, DbtrAgt
 *                     (BIC/BICFI or CNAPS MmbId), Dbtr/Nm, DbtrAcct
 *                     (Othr/Id or IBAN), UltmtDbtr/Nm, RmtInf/Ustrd
 *
 * The file is hostile until proven otherwise, with the rules and limits
 * of iso_read.h (xmlsafe.h: no DTD, no entities, no network, bounded
 * depth, names, attributes and text). Being our own message, nothing is
 * taken loosely: every identifier must be what our writer makes (1-35
 * printable ASCII, no spaces), names valid UTF-8 text, amounts CNY with at
 * most two decimals, dates YYYY-MM-DD, each field at most once per record.
 * The declared NbOfTxs and CtrlSum of the group and of every PmtInf that
 * states them must equal its items. Any violation is GW_EINPUT (GW_ELIMIT
 * for a limit) with "FILE:LINE:COL: reason".
 *
 * The callback sees each item at the end of its element, before the
 * totals of its PmtInf and of the group are checked: a caller that acts
 * on items (a bank debiting accounts) collects them first and acts only
 * when the read returned 0. PmtInfId uniqueness is not checked (the
 * writer guarantees it; checking needs memory that grows with the file).
 */
#ifndef GW_PAIN008_READ_H
#define GW_PAIN008_READ_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "formats/iso20022.h"
#include "formats/iso_read.h"

/* Bytes kept of a name or free text: 140 characters of up to 4 bytes. */
#define PAIN008_TEXT_MAX 564

/* One item; the strings live until the callback returns. */
struct pain008_read_item {
	long		 line;		/* where DrctDbtTxInf starts */
	int64_t		 seq;		/* 1-based, in file order */
	const char	*msg_id;	/* GrpHdr/MsgId */
	const char	*pmtinf_id;
	int		 collection_date;	/* ReqdColltnDt, day number */
	const char	*creditor_account;
	const char	*end_to_end_id;
	int64_t		 amount_fen;
	const char	*mandate_id;
	int		 signed_on;	/* DtOfSgntr; -1 when not given */
	const char	*debtor_agent;	/* BIC, or the CNAPS member code */
	const char	*debtor_name;
	const char	*debtor_account;
	const char	*ultimate_debtor_name;	/* "" when not given */
	const char	*remittance;		/* "" when not given */
};

struct pain008_read_summary {
	enum iso_msg	 version;	/* ISO_PAIN008_08 or ISO_PAIN008_02 */
	char		 msg_id[ISO_ID_MAX + 1];
	char		 created[40];
	char		 initiator_name[PAIN008_TEXT_MAX];
	int64_t		 nb_of_txs;	/* declared; -1 until read */
	int64_t		 ctrl_sum_fen;	/* declared; -1 when not given */
	int64_t		 npmtinf;	/* counted as read */
	int64_t		 nitems;
	int64_t		 sum_fen;
};

/* Return 0 to go on; anything else stops the read and is returned. */
typedef int (*pain008_read_fn)(void *arg,
	    const struct pain008_read_item *it);

/*
 * Read path with limits lim (NULL: ISO_LIMITS_DEFAULT), calling fn (may
 * be NULL: a check only) for every item. sum (may be NULL) is filled as
 * far as the file got. Returns 0, GW_EINPUT/GW_ELIMIT for a bad file,
 * GW_EIO if it cannot be read, or fn's non-zero return.
 */
int	pain008_read_file(const char *path, const struct iso_limits *lim,
	    pain008_read_fn fn, void *arg, struct pain008_read_summary *sum,
	    struct gw_err *e);

/* The same from memory; name is used in messages. */
int	pain008_read_mem(const void *buf, size_t len, const char *name,
	    const struct iso_limits *lim, pain008_read_fn fn, void *arg,
	    struct pain008_read_summary *sum, struct gw_err *e);

#endif
