/*
 * mndt_read.h - reading our own mandate messages back, the mirror of
 * mndtmsg.h: pain.009 (MndtInitnReq, "register this mandate") and
 * pain.011 (MndtCxlReq, "cancel it"), .001.08 and .001.05, as a stream,
 * one record per mandate. The bank simulator answers them with pain.012.
 *
 *   pain.009  Mndt *           MndtId, MndtReqId, Authntcn/Dt, MaxAmt,
 *                              Dbtr (Nm, PrvtId or OrgId Othr/Id),
 *                              DbtrAcct, DbtrAgt, UltmtDbtr/Nm
 *   pain.011  UndrlygCxlDtls * OrgnlMsgInf/MsgId, CxlRsn (Rsn Cd or
 *                              Prtry, AddtlInf), OrgnlMndtId (or
 *                              OrgnlMndt/MndtId)
 *
 * Same rules as pain008_read.h: hostile-input parsing with ISO limits,
 * identifiers as our writers make them, each field at most once, errors
 * "FILE:LINE:COL: reason". A pain.009 mandate needs MndtId, MndtReqId,
 * Dbtr/Nm and DbtrAcct; a pain.011 cancellation a mandate id.
 */
#ifndef GW_MNDT_READ_H
#define GW_MNDT_READ_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "formats/iso20022.h"
#include "formats/iso_read.h"
#include "formats/pain008_read.h"

/* One mandate; the strings live until the callback returns, "" when the
 * message does not give them. */
struct mndt_read_item {
	long		 line;
	int64_t		 seq;		/* 1-based, in file order */
	enum iso_family	 kind;		/* ISO_FAM_MANDATE_REQ or _CXL */
	const char	*msg_id;	/* GrpHdr/MsgId */
	const char	*mandate_id;
	/* pain.009 */
	const char	*request_id;	/* MndtReqId */
	int		 signed_on;	/* Authntcn/Dt; -1 when not given */
	int64_t		 max_amount_fen;	/* MaxAmt; -1 when not given */
	const char	*debtor_name;
	const char	*debtor_id;	/* resident ID or USCC */
	const char	*debtor_account;
	const char	*debtor_agent;	/* BIC or CNAPS member code */
	const char	*ultimate_debtor_name;
	/* pain.011 */
	const char	*orig_msg_id;	/* OrgnlMsgInf/MsgId */
	const char	*reason_code;	/* CxlRsn/Rsn Cd or Prtry */
	const char	*reason_text;	/* CxlRsn/AddtlInf */
};

struct mndt_read_summary {
	enum iso_msg	 type;
	char		 msg_id[ISO_ID_MAX + 1];
	char		 created[40];
	int64_t		 count;		/* mandates read */
};

typedef int (*mndt_read_fn)(void *arg, const struct mndt_read_item *it);

/*
 * Read a pain.009 or pain.011 at path (limits lim, NULL: defaults),
 * calling fn (may be NULL) for every mandate. Returns 0, GW_EINPUT /
 * GW_ELIMIT for a bad file, GW_EIO if it cannot be read, or fn's
 * non-zero return.
 */
int	mndt_read_file(const char *path, const struct iso_limits *lim,
	    mndt_read_fn fn, void *arg, struct mndt_read_summary *sum,
	    struct gw_err *e);

int	mndt_read_mem(const void *buf, size_t len, const char *name,
	    const struct iso_limits *lim, mndt_read_fn fn, void *arg,
	    struct mndt_read_summary *sum, struct gw_err *e);

#endif
