/*
 * iso20022.c - the table of ISO 20022 messages we know, and the value
 * checks writers share.
 *
 * The checks are the schema's own facets (lengths, patterns) made a
 * little stricter where a bank's system is known to choke (identifiers
 * are plain ASCII), so that a file we write validates without us having
 * to run the validator on every batch, and a bad value is reported with
 * the item it belongs to instead of as a schema error on line 80000.
 */
#include <string.h>

#include "common/date.h"
#include "common/text.h"
#include "formats/iso20022.h"

static const struct {
	enum iso_msg	 msg;
	const char	*name;
	const char	*root;
	enum iso_family	 family;
} msgs[] = {
	{ ISO_MSG_UNKNOWN, "", "", ISO_FAM_NONE },
	{ ISO_PAIN008_02, "pain.008.001.02", "CstmrDrctDbtInitn",
	  ISO_FAM_DEBIT },
	{ ISO_PAIN008_08, "pain.008.001.08", "CstmrDrctDbtInitn",
	  ISO_FAM_DEBIT },
	{ ISO_PAIN009_05, "pain.009.001.05", "MndtInitnReq",
	  ISO_FAM_MANDATE_REQ },
	{ ISO_PAIN009_08, "pain.009.001.08", "MndtInitnReq",
	  ISO_FAM_MANDATE_REQ },
	{ ISO_PAIN011_05, "pain.011.001.05", "MndtCxlReq",
	  ISO_FAM_MANDATE_CXL },
	{ ISO_PAIN011_08, "pain.011.001.08", "MndtCxlReq",
	  ISO_FAM_MANDATE_CXL },
	{ ISO_PAIN002_03, "pain.002.001.03", "CstmrPmtStsRpt", ISO_FAM_STATUS },
	{ ISO_PAIN002_10, "pain.002.001.10", "CstmrPmtStsRpt", ISO_FAM_STATUS },
	{ ISO_CAMT054_02, "camt.054.001.02", "BkToCstmrDbtCdtNtfctn",
	  ISO_FAM_NOTIFICATION },
	{ ISO_CAMT054_08, "camt.054.001.08", "BkToCstmrDbtCdtNtfctn",
	  ISO_FAM_NOTIFICATION },
	{ ISO_PAIN012_05, "pain.012.001.05", "MndtAccptncRpt",
	  ISO_FAM_MANDATE_ACK },
	{ ISO_PAIN012_08, "pain.012.001.08", "MndtAccptncRpt",
	  ISO_FAM_MANDATE_ACK },
};

_Static_assert(sizeof(msgs) / sizeof(msgs[0]) == ISO_MSG_COUNT,
    "one row per enum iso_msg, in enum order");

const char *
iso_msg_name(enum iso_msg t)
{
	return t > 0 && t < ISO_MSG_COUNT ? msgs[t].name : "";
}

const char *
iso_msg_root(enum iso_msg t)
{
	return t > 0 && t < ISO_MSG_COUNT ? msgs[t].root : "";
}

enum iso_family
iso_msg_family(enum iso_msg t)
{
	return t > 0 && t < ISO_MSG_COUNT ? msgs[t].family : ISO_FAM_NONE;
}

int
iso_msg_is_inbound(enum iso_msg t)
{
	enum iso_family f = iso_msg_family(t);

	return f == ISO_FAM_STATUS || f == ISO_FAM_NOTIFICATION ||
	    f == ISO_FAM_MANDATE_ACK;
}

enum iso_msg
iso_msg_from_ns(const char *ns)
{
	size_t plen = sizeof(ISO_NS_PREFIX) - 1;
	int i;

	if (ns == NULL || strncmp(ns, ISO_NS_PREFIX, plen) != 0)
		return ISO_MSG_UNKNOWN;
	for (i = 1; i < ISO_MSG_COUNT; i++)
		if (strcmp(ns + plen, msgs[i].name) == 0)
			return msgs[i].msg;
	return ISO_MSG_UNKNOWN;
}

int
iso_msg_parse(enum iso_msg *out, const char *name, struct gw_err *e)
{
	int i;

	for (i = 1; i < ISO_MSG_COUNT; i++)
		if (strcmp(name, msgs[i].name) == 0) {
			*out = msgs[i].msg;
			return 0;
		}
	return gw_err_set(e, GW_EINPUT, "unknown ISO 20022 message '%s'", name);
}

int
iso_check_text(const char *s, size_t maxchars, struct gw_err *e)
{
	size_t len, n, bad;

	if (s == NULL || *s == '\0')
		return gw_err_set(e, GW_EINPUT, "empty");
	len = strlen(s);
	if (!utf8_valid(s, len, &n, &bad))
		return gw_err_set(e, GW_EINPUT, "not valid UTF-8 at byte %zu",
		    bad);
	if (text_has_control(s, len))
		return gw_err_set(e, GW_EINPUT, "holds a control character");
	/* U+FFFE and U+FFFF are not XML characters. */
	if (strstr(s, "\xEF\xBF\xBE") || strstr(s, "\xEF\xBF\xBF"))
		return gw_err_set(e, GW_EINPUT,
		    "holds U+FFFE or U+FFFF, which XML cannot carry");
	if (n > maxchars)
		return gw_err_set(e, GW_EINPUT,
		    "%zu characters, more than the %zu allowed", n, maxchars);
	return 0;
}

int
iso_check_id(const char *s, struct gw_err *e)
{
	size_t i;

	if (s == NULL || *s == '\0')
		return gw_err_set(e, GW_EINPUT, "empty");
	for (i = 0; s[i]; i++)
		if (s[i] <= ' ' || s[i] > '~')
			return gw_err_set(e, GW_EINPUT, "'%.40s' has a "
			    "character other than printable ASCII", s);
	if (i > 35)
		return gw_err_set(e, GW_EINPUT,
		    "'%.40s' is longer than 35 characters", s);
	return 0;
}

static int
is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
is_upper_or_digit(char c)
{
	return is_upper(c) || is_digit(c);
}

/*
 * BICFIDec2014Identifier: [A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?
 * BICIdentifier (strict): [A-Z]{6}[A-Z2-9][A-NP-Z0-9]([A-Z0-9]{3})?
 */
static int
bic_ok(const char *s, int strict)
{
	size_t i, n = strlen(s);

	if (n != 8 && n != 11)
		return 0;
	for (i = 0; i < n; i++)
		if (!is_upper_or_digit(s[i]))
			return 0;
	for (i = strict ? 0 : 4; i < 6; i++)
		if (!is_upper(s[i]))
			return 0;
	if (strict && (s[6] == '0' || s[6] == '1' || s[7] == 'O'))
		return 0;
	return 1;
}

int
iso_check_agent(const char *s, int strict_bic, int *is_cnaps,
    struct gw_err *e)
{
	size_t i, n;

	if (s == NULL || *s == '\0')
		return gw_err_set(e, GW_EINPUT, "empty");
	n = strlen(s);
	for (i = 0; i < n && is_digit(s[i]); i++)
		;
	if (i == n) {
		if (n != 12)
			return gw_err_set(e, GW_EINPUT, "'%.20s' is neither "
			    "a BIC nor a 12-digit CNAPS code", s);
		if (is_cnaps)
			*is_cnaps = 1;
		return 0;
	}
	if (!bic_ok(s, strict_bic))
		return gw_err_set(e, GW_EINPUT,
		    "'%.20s' is neither a%s BIC nor a 12-digit CNAPS code", s,
		    strict_bic ? " pre-2014" : "");
	if (is_cnaps)
		*is_cnaps = 0;
	return 0;
}

int
iso_check_account(const char *s, struct gw_err *e)
{
	size_t i;

	if (s == NULL || *s == '\0')
		return gw_err_set(e, GW_EINPUT, "empty");
	for (i = 0; s[i]; i++)
		if (!is_digit(s[i]) && !is_upper(s[i]) && s[i] != '-' &&
		    !(s[i] >= 'a' && s[i] <= 'z'))
			return gw_err_set(e, GW_EINPUT,
			    "'%.40s' has a character other than a digit, a "
			    "letter or '-'", s);
	if (i > 34)
		return gw_err_set(e, GW_EINPUT,
		    "'%.40s' is longer than 34 characters", s);
	return 0;
}

int
iso_check_code(const char *s, struct gw_err *e)
{
	size_t i;

	if (s == NULL || *s == '\0')
		return gw_err_set(e, GW_EINPUT, "empty");
	for (i = 0; s[i]; i++)
		if (!is_upper_or_digit(s[i]) || i >= 4)
			return gw_err_set(e, GW_EINPUT, "'%.10s' is not a "
			    "code of 1 to 4 upper-case letters or digits", s);
	return 0;
}

int
iso_check_day(int day, const char *what, struct gw_err *e)
{
	if (day < date_from_ymd(1900, 1, 1) || day > date_from_ymd(2199, 12,
	    31))
		return gw_err_set(e, GW_EINPUT, "%s out of range", what);
	return 0;
}

int
iso_check_fields(const struct iso_field *f, size_t n, int strict_bic,
    struct gw_err *e)
{
	struct gw_err why = GW_ERR_INIT;
	size_t i;
	int rc;

	for (i = 0; i < n; i++, f++) {
		switch (f->kind) {
		case ISO_F_ID_OPT:
		case ISO_F_TEXT_OPT:
		case ISO_F_CODE_OPT:
			if (f->value == NULL)
				continue;
			break;
		default:
			break;
		}
		switch (f->kind) {
		case ISO_F_ID:
		case ISO_F_ID_OPT:
			rc = iso_check_id(f->value, &why);
			break;
		case ISO_F_TEXT:
		case ISO_F_TEXT_OPT:
			rc = iso_check_text(f->value, f->max, &why);
			break;
		case ISO_F_ACCOUNT:
			rc = iso_check_account(f->value, &why);
			break;
		case ISO_F_AGENT:
			rc = iso_check_agent(f->value, strict_bic, f->is_cnaps,
			    &why);
			break;
		default:
			rc = iso_check_code(f->value, &why);
			break;
		}
		if (rc != 0)
			return gw_err_set(e, GW_EINPUT, "%s: %s", f->name,
			    why.msg);
	}
	return 0;
}
