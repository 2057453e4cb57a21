/*
 * iso_read.h - what a bank says back: pain.002 (.001.03, .001.10)
 * payment status reports, camt.054 (.001.02, .001.08) debit/credit
 * notifications and pain.012 (.001.05, .001.08) mandate acceptance
 * reports, read as a stream into one record per item.
 *
 * The message is recognised by the namespace of its Document root. The
 * file is hostile until proven otherwise (see xmlsafe.h: no DTD, no
 * entities, no network, limits below); any violation, a wrong root or
 * namespace, garbage or a truncated file is GW_EINPUT (GW_ELIMIT for a
 * limit) with "FILE:LINE:COL: reason", and the callback may already have
 * seen earlier items: a caller applies a file in one transaction and
 * rolls it back on error.
 *
 * Records (struct iso_item) come in document order:
 *
 *   ISO_SCOPE_ITEM    one transaction or mandate. Its status is its own
 *                     or, when it gives none, that of its payment info
 *                     (pain.002 PmtInfSts; camt.054 the entry's Sts),
 *                     else of its group (GrpSts); likewise its reason.
 *   ISO_SCOPE_PMTINF  a status stated for a whole payment information
 *                     block (pain.002 OrgnlPmtInfAndSts with PmtInfSts;
 *                     camt.054 a batch-booked entry naming a PmtInfId
 *                     but listing no transactions), sent after the items
 *                     listed under it, with n_listed = how many.
 *   ISO_SCOPE_GROUP   the same for a whole message (pain.002 GrpSts;
 *                     camt.054 a batch entry naming only a MsgId), sent
 *                     last.
 * A caller applies a scope record to the items of that PmtInf or message
 * which no item record named: a group-level RJCT with no items listed
 * arrives as one ISO_SCOPE_GROUP record and nothing else. A scope status
 * may be ISO_ST_PARTIAL (PART: "look at the items"); the items it does
 * not list then have no status from this file.
 *
 * What we accept that the schema would not, because it is what banks
 * send and its meaning is plain: an encoding label libxml2 knows under
 * another spelling (encoding="UTF8"), white space around codes and
 * amounts, lower-case status codes, amounts with more than two decimals
 * when the extra ones are zeros, a date with a time-zone suffix. We do
 * not check IBANs or account numbers at all (they are the bank's
 * business and checksum failures are common). What we reject: an
 * amount of one of our records in another currency or without one (an
 * entry that is not ours may be in any currency), a status we do not know
 * (e.g. BLCK), an item without a status at any level or whose only
 * status is PART, a pain.002 item without OrgnlEndToEndId, a field given
 * twice in one item.
 *
 * camt.054 (the bank's notification on our account): a transaction with
 * return information (RtrInf) is rejected with its return reason; one
 * in a pending or information-only entry (Sts PDNG, INFO, FUTR) is
 * pending; a booked credit (or reversed debit) is accepted (collected);
 * a booked debit (or reversed credit) without return information is
 * rejected with no reason code: the money went back. A transaction
 * without EndToEndId (or "NOTPROVIDED") is not ours to match and is only
 * counted in nskipped.
 */
#ifndef GW_ISO_READ_H
#define GW_ISO_READ_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "formats/iso20022.h"
#include "formats/reason.h"

struct iso_limits {
	int	max_depth;	/* element nesting */
	int	max_name;	/* bytes in an element or attribute name */
	int	max_attrs;	/* attributes (and namespace declarations) on
				 * one element */
	int	max_text;	/* bytes of text between two tags */
	int64_t	max_items;	/* records in one file */
};

#define ISO_LIMITS_DEFAULT { 64, 128, 16, 16384, INT64_C(10000000) }

enum iso_status {
	ISO_ST_ACCEPTED, ISO_ST_REJECTED, ISO_ST_PENDING, ISO_ST_PARTIAL
};

enum iso_scope { ISO_SCOPE_ITEM, ISO_SCOPE_PMTINF, ISO_SCOPE_GROUP };

/* Longest identifier we keep: Max35Text of 4-byte characters. */
#define ISO_ID_MAX 140
#define ISO_TEXT_MAX 512

/* One record; the strings live until the callback returns. */
struct iso_item {
	enum iso_scope	 scope;
	long		 line;		/* where its element starts */
	const char	*orig_msg_id;	/* our MsgId (pain.008 / pain.009) */
	const char	*orig_pmtinf_id;	/* "" when not given */
	const char	*end_to_end_id;	/* "" for scope records, pain.012 */
	const char	*mandate_id;	/* MndtId where given, else "" */
	const char	*mandate_req_id;	/* pain.012 MndtReqId or "" */
	enum iso_status	 status;
	const char	*status_code;	/* raw: RJCT, ACSC, BOOK, true ... */
	const char	*reason_code;	/* raw Cd or Prtry, "" when none */
	int		 reason_prtry;	/* reason_code came from Prtry */
	const char	*reason_text;	/* AddtlInf etc., "" when none */
	enum reason_cat	 category;	/* meaningful when rejected */
	int64_t		 amount_fen;	/* -1 when not given */
	int		 booking_date;	/* day number, -1 when not given */
	int64_t		 n_listed;	/* scope records: items listed under */
};

struct iso_summary {
	enum iso_msg	 type;
	char		 msg_id[ISO_ID_MAX + 1];	/* the bank's */
	char		 created[40];
	char		 orig_msg_id[ISO_ID_MAX + 1];	/* "" if mixed/none */
	char		 orig_msg_type[ISO_ID_MAX + 1];
	int64_t		 orig_nb_of_txs;		/* -1 when not given */
	int64_t		 orig_ctrl_sum_fen;		/* -1 when not given */
	char		 group_status[8];		/* "" when not given */
	int64_t		 nitems, naccepted, nrejected, npending;
	int64_t		 nscoped, nskipped;
	int64_t		 accepted_fen, rejected_fen;	/* amounts given */
};

/* Return 0 to go on; anything else stops the read and is returned. */
typedef int (*iso_item_fn)(void *arg, const struct iso_item *it);

struct iso_read_opts {
	struct iso_limits	 lim;
	enum iso_msg		 expect;	/* ISO_MSG_UNKNOWN: any */
	const struct reason_table *reasons;	/* may be NULL */
	const char		*bank;		/* for proprietary codes */
};

/* Default limits, any message, no bank table. */
void	iso_read_opts_init(struct iso_read_opts *o);

/*
 * Read path, calling fn for every record. sum (may be NULL) is filled
 * as far as the file got. Returns 0, GW_EINPUT/GW_ELIMIT for a bad file,
 * GW_EIO if it cannot be read, or fn's non-zero return.
 */
int	iso_read_file(const char *path, const struct iso_read_opts *o,
	    iso_item_fn fn, void *arg, struct iso_summary *sum,
	    struct gw_err *e);

/* The same from memory; name is used in messages. */
int	iso_read_mem(const void *buf, size_t len, const char *name,
	    const struct iso_read_opts *o, iso_item_fn fn, void *arg,
	    struct iso_summary *sum, struct gw_err *e);

/*
 * Which ISO 20022 message path holds, from its root element alone (the
 * rest is not read). Returns 0, or GW_EINPUT naming what is wrong.
 */
int	iso_detect(const char *path, const struct iso_limits *lim,
	    enum iso_msg *out, struct gw_err *e);

/*
 * Validate path against "<schemas_dir>/<message>.xsd" as a stream, with
 * the same hostile-input rules as the readers. *type gets the message.
 * Returns 0 when valid; GW_EINPUT with the first schema error
 * ("FILE:LINE: schema: ...", and how many more) when not; GW_EENV when
 * the schema is missing or does not compile.
 */
int	iso_validate_file(const char *path, const char *schemas_dir,
	    const struct iso_limits *lim, enum iso_msg *type,
	    struct gw_err *e);

const char *iso_status_name(enum iso_status s);	/* "accepted" ... */
const char *iso_scope_name(enum iso_scope s);	/* "item" ... */

#endif
