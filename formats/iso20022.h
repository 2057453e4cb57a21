/*
 * iso20022.h - the ISO 20022 messages debitgw writes and reads: their
 * names, namespaces and root elements, and the checks every writer
 * applies to a value before it goes into a file.
 *
 *   we write   pain.008.001.02 / .08   direct debit batch (pain008.h)
 *              pain.009.001.05 / .08   mandate initiation request (mndtmsg.h)
 *              pain.011.001.05 / .08   mandate cancellation request (mndtmsg.h)
 *   we read    pain.002.001.03 / .10   payment status report (iso_read.h)
 *              camt.054.001.02 / .08   debit/credit notification (iso_read.h)
 *              pain.012.001.05 / .08   mandate acceptance report (iso_read.h)
 *
 * A message is known by the namespace of its Document root,
 * "urn:iso:std:iso:20022:tech:xsd:" followed by its name, and the schema
 * that validates it is "<name>.xsd" in the schema directory.
 */
#ifndef GW_ISO20022_H
#define GW_ISO20022_H

#include <stddef.h>

#include "common/err.h"

#define ISO_NS_PREFIX "urn:iso:std:iso:20022:tech:xsd:"

enum iso_msg {
	ISO_MSG_UNKNOWN = 0,
	ISO_PAIN008_02, ISO_PAIN008_08,
	ISO_PAIN009_05, ISO_PAIN009_08,
	ISO_PAIN011_05, ISO_PAIN011_08,
	ISO_PAIN002_03, ISO_PAIN002_10,
	ISO_CAMT054_02, ISO_CAMT054_08,
	ISO_PAIN012_05, ISO_PAIN012_08,
	ISO_MSG_COUNT
};

/* What a message is to us. */
enum iso_family {
	ISO_FAM_NONE, ISO_FAM_DEBIT, ISO_FAM_MANDATE_REQ, ISO_FAM_MANDATE_CXL,
	ISO_FAM_STATUS, ISO_FAM_NOTIFICATION, ISO_FAM_MANDATE_ACK
};

/* "pain.008.001.08"; "" for ISO_MSG_UNKNOWN. */
const char *iso_msg_name(enum iso_msg t);

/* Child of Document, e.g. "CstmrDrctDbtInitn". */
const char *iso_msg_root(enum iso_msg t);

enum iso_family iso_msg_family(enum iso_msg t);

/* 1 for the messages we read (status, notification, mandate ack). */
int	iso_msg_is_inbound(enum iso_msg t);

/* The message whose namespace is ns, or ISO_MSG_UNKNOWN. */
enum iso_msg iso_msg_from_ns(const char *ns);

/* By name ("pain.008.001.08"). Returns 0 or GW_EINPUT. */
int	iso_msg_parse(enum iso_msg *out, const char *name, struct gw_err *e);

/*
 * Value checks for writers. Each returns 0 or GW_EINPUT with a reason
 * that does not name the field (the caller does).
 */

/* Schema text (MaxNText): 1..maxchars characters of valid UTF-8, no
 * control characters, nothing XML 1.0 cannot carry. */
int	iso_check_text(const char *s, size_t maxchars, struct gw_err *e);

/* An identifier (MsgId, EndToEndId, MndtId ...): 1..35 printable ASCII
 * characters without spaces, so every bank's system can carry it. */
int	iso_check_id(const char *s, struct gw_err *e);

/*
 * An agent: a BIC (8 or 11 characters) or a 12-digit CNAPS bank code.
 * strict_bic applies the pre-2014 BIC pattern of pain.008.001.02 and the
 * .05 mandate messages. *is_cnaps (may be NULL) tells which it is.
 */
int	iso_check_agent(const char *s, int strict_bic, int *is_cnaps,
	    struct gw_err *e);

/* A bank account number for Othr/Id: 1..34 characters, digits, letters
 * and '-' (Chinese accounts are not IBANs). */
int	iso_check_account(const char *s, struct gw_err *e);

/* A reason code for Cd: 1..4 upper-case letters or digits. */
int	iso_check_code(const char *s, struct gw_err *e);

/* A day number a bank can take, 1900-01-01 .. 2199-12-31: GW_EINPUT
 * "what out of range" when not (what names the date). */
int	iso_check_day(int day, const char *what, struct gw_err *e);

/*
 * The values of one header or item, checked as a table: the first bad
 * one gives GW_EINPUT "field: reason" (the caller says where, and only
 * builds that text when a check fails). Optional fields may be NULL; an
 * agent's kind (BIC or CNAPS) goes to *is_cnaps of its row.
 */
enum iso_field_kind {
	ISO_F_ID,		/* iso_check_id */
	ISO_F_ID_OPT,
	ISO_F_TEXT,		/* iso_check_text, max characters */
	ISO_F_TEXT_OPT,
	ISO_F_ACCOUNT,		/* iso_check_account */
	ISO_F_AGENT,		/* iso_check_agent */
	ISO_F_CODE_OPT,		/* iso_check_code */
};

struct iso_field {
	const char		*name;
	const char		*value;
	enum iso_field_kind	 kind;
	size_t			 max;		/* ISO_F_TEXT*: characters */
	int			*is_cnaps;	/* ISO_F_AGENT: may be NULL */
};

int	iso_check_fields(const struct iso_field *f, size_t n, int strict_bic,
	    struct gw_err *e);

#endif
