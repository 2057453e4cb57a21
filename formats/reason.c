/*
#include "common/vec.h"
 * reason.c - the reason-code tables and the lookup that walks them.
#include "common/vec.h"
 *
#include "common/vec.h"
 * The tables are plain arrays of rows, the one place a code meets its
#include "common/vec.h"
 * category; docs/formats.md lists the same rows. The ISO rows follow
#include "common/vec.h"
 * ../shared/DOMAIN.md ("Reason codes and categories"). Codes not listed
#include "common/vec.h"
 * there are not guessed at: they fall through to "other".
#include "common/vec.h"
 *
#include "common/vec.h"
 * Run-time tables are a flat array searched linearly: a bank's table
#include "common/vec.h"
 * has tens of rows, and lookups only happen for items that failed.
#include "common/vec.h"
 */
#include "common/vec.h"
#include <stdlib.h>
#include "common/vec.h"
#include <string.h>
#include "common/vec.h"
#include <strings.h>
#include "common/vec.h"

#include "common/vec.h"
#include "formats/reason.h"
#include "common/vec.h"

#include "common/vec.h"
#define MAX_ROWS 100000
#include "common/vec.h"

#include "common/vec.h"
static const char *const cat_names[REASON_NCATS] = {
#include "common/vec.h"
	"insufficient_funds", "account_frozen", "account_abnormal",
#include "common/vec.h"
	"account_closed", "mandate_invalid", "payer_deceased", "other",
#include "common/vec.h"
};
#include "common/vec.h"

#include "common/vec.h"
static const struct reason_row iso_rows[] = {
#include "common/vec.h"
	{ "AM04", REASON_INSUFFICIENT_FUNDS, "insufficient funds" },
#include "common/vec.h"
	{ "AC06", REASON_ACCOUNT_FROZEN, "blocked account" },
#include "common/vec.h"
	{ "RR04", REASON_ACCOUNT_FROZEN,
#include "common/vec.h"
	  "regulatory reason (a freeze at Chinese banks; confirm per bank)" },
#include "common/vec.h"
	{ "AC01", REASON_ACCOUNT_ABNORMAL, "incorrect account number" },
#include "common/vec.h"
	{ "AC13", REASON_ACCOUNT_ABNORMAL, "invalid debtor account type" },
#include "common/vec.h"
	{ "AG01", REASON_ACCOUNT_ABNORMAL, "transaction forbidden on account" },
#include "common/vec.h"
	{ "BE01", REASON_ACCOUNT_ABNORMAL, "name does not match the account" },
#include "common/vec.h"
	{ "RC01", REASON_ACCOUNT_ABNORMAL, "bank identifier incorrect" },
#include "common/vec.h"
	{ "AC04", REASON_ACCOUNT_CLOSED, "closed account" },
#include "common/vec.h"
	{ "AC05", REASON_ACCOUNT_CLOSED, "closed debtor account" },
#include "common/vec.h"
	{ "MD01", REASON_MANDATE_INVALID, "no mandate" },
#include "common/vec.h"
	{ "MD02", REASON_MANDATE_INVALID, "mandate data missing or wrong" },
#include "common/vec.h"
	{ "MS02", REASON_MANDATE_INVALID, "refused by the payer" },
#include "common/vec.h"
	{ "SL01", REASON_MANDATE_INVALID, "specific service of the bank" },
#include "common/vec.h"
	{ "MD07", REASON_PAYER_DECEASED, "debtor deceased" },
#include "common/vec.h"
	{ "MS03", REASON_OTHER, "reason not specified" },
#include "common/vec.h"
	{ "NARR", REASON_OTHER, "narrative: see the text" },
#include "common/vec.h"
	{ "FF01", REASON_OTHER, "invalid file format" },
#include "common/vec.h"
	{ "AM05", REASON_OTHER, "duplicate" },
#include "common/vec.h"
	{ "MD06", REASON_OTHER, "refund request by the payer: refund flow" },
#include "common/vec.h"
};
#include "common/vec.h"

#include "common/vec.h"
static const struct reason_row nacha_rows[] = {
#include "common/vec.h"
	{ "R01", REASON_INSUFFICIENT_FUNDS, "insufficient funds" },
#include "common/vec.h"
	{ "R09", REASON_INSUFFICIENT_FUNDS, "uncollected funds" },
#include "common/vec.h"
	{ "R16", REASON_ACCOUNT_FROZEN, "account frozen" },
#include "common/vec.h"
	{ "R03", REASON_ACCOUNT_ABNORMAL, "no account, unable to locate" },
#include "common/vec.h"
	{ "R04", REASON_ACCOUNT_ABNORMAL, "invalid account number" },
#include "common/vec.h"
	{ "R12", REASON_ACCOUNT_ABNORMAL, "branch sold to another bank" },
#include "common/vec.h"
	{ "R13", REASON_ACCOUNT_ABNORMAL, "invalid routing number" },
#include "common/vec.h"
	{ "R20", REASON_ACCOUNT_ABNORMAL, "non-transaction account" },
#include "common/vec.h"
	{ "R02", REASON_ACCOUNT_CLOSED, "account closed" },
#include "common/vec.h"
	{ "R05", REASON_MANDATE_INVALID, "unauthorised debit" },
#include "common/vec.h"
	{ "R07", REASON_MANDATE_INVALID, "authorisation revoked" },
#include "common/vec.h"
	{ "R08", REASON_MANDATE_INVALID, "payment stopped" },
#include "common/vec.h"
	{ "R10", REASON_MANDATE_INVALID, "not authorised by the customer" },
#include "common/vec.h"
	{ "R29", REASON_MANDATE_INVALID, "corporate customer: not authorised" },
#include "common/vec.h"
	{ "R14", REASON_PAYER_DECEASED, "representative payee deceased" },
#include "common/vec.h"
	{ "R15", REASON_PAYER_DECEASED, "account holder deceased" },
#include "common/vec.h"
};
#include "common/vec.h"

#include "common/vec.h"
static const struct reason_row bacs_rows[] = {
#include "common/vec.h"
	{ "0", REASON_INSUFFICIENT_FUNDS, "refer to payer" },
#include "common/vec.h"
	{ "1", REASON_MANDATE_INVALID, "instruction cancelled" },
#include "common/vec.h"
	{ "2", REASON_PAYER_DECEASED, "payer deceased" },
#include "common/vec.h"
	{ "3", REASON_ACCOUNT_ABNORMAL, "account transferred" },
#include "common/vec.h"
	{ "4", REASON_MANDATE_INVALID, "advance notice disputed" },
#include "common/vec.h"
	{ "5", REASON_ACCOUNT_ABNORMAL, "no account" },
#include "common/vec.h"
	{ "6", REASON_MANDATE_INVALID, "no instruction" },
#include "common/vec.h"
	{ "7", REASON_OTHER, "amount differs" },
#include "common/vec.h"
	{ "8", REASON_OTHER, "amount not yet due" },
#include "common/vec.h"
	{ "9", REASON_OTHER, "presentation overdue" },
#include "common/vec.h"
	{ "A", REASON_MANDATE_INVALID, "service user differs" },
#include "common/vec.h"
	{ "B", REASON_ACCOUNT_CLOSED, "account closed" },
#include "common/vec.h"
};
#include "common/vec.h"

#include "common/vec.h"
/* Substrings of a code or free text; longer, more specific ones first. */
#include "common/vec.h"
static const struct reason_row phrase_rows[] = {
#include "common/vec.h"
	{ "余额不足", REASON_INSUFFICIENT_FUNDS, "balance too low" },
#include "common/vec.h"
	{ "可用余额", REASON_INSUFFICIENT_FUNDS, "available balance (too low)" },
#include "common/vec.h"
	{ "协议不存在", REASON_MANDATE_INVALID, "no such agreement" },
#include "common/vec.h"
	{ "协议已撤销", REASON_MANDATE_INVALID, "agreement revoked" },
#include "common/vec.h"
	{ "协议已解除", REASON_MANDATE_INVALID, "agreement ended" },
#include "common/vec.h"
	{ "未签约", REASON_MANDATE_INVALID, "no agreement signed" },
#include "common/vec.h"
	{ "死亡", REASON_PAYER_DECEASED, "deceased" },
#include "common/vec.h"
	{ "销户", REASON_ACCOUNT_CLOSED, "account closed" },
#include "common/vec.h"
	{ "冻结", REASON_ACCOUNT_FROZEN, "frozen" },
#include "common/vec.h"
	{ "止付", REASON_ACCOUNT_FROZEN, "payment stopped (frozen)" },
#include "common/vec.h"
	{ "户名不符", REASON_ACCOUNT_ABNORMAL, "name does not match" },
#include "common/vec.h"
	{ "账号不存在", REASON_ACCOUNT_ABNORMAL, "account not found" },
#include "common/vec.h"
	{ "账户不存在", REASON_ACCOUNT_ABNORMAL, "account not found" },
#include "common/vec.h"
	{ "挂失", REASON_ACCOUNT_ABNORMAL, "reported lost" },
#include "common/vec.h"
	{ "状态不正常", REASON_ACCOUNT_ABNORMAL, "account status abnormal" },
#include "common/vec.h"
	{ "状态异常", REASON_ACCOUNT_ABNORMAL, "account status abnormal" },
#include "common/vec.h"
	{ "久悬", REASON_ACCOUNT_ABNORMAL, "dormant account" },
#include "common/vec.h"
};
#include "common/vec.h"

#include "common/vec.h"
#define NROWS(a) (sizeof(a) / sizeof((a)[0]))
#include "common/vec.h"

#include "common/vec.h"
static const struct {
#include "common/vec.h"
	const char		*name;
#include "common/vec.h"
	const struct reason_row	*rows;
#include "common/vec.h"
	size_t			 n;
#include "common/vec.h"
} builtins[] = {
#include "common/vec.h"
	{ "iso", iso_rows, NROWS(iso_rows) },
#include "common/vec.h"
	{ "nacha", nacha_rows, NROWS(nacha_rows) },
#include "common/vec.h"
	{ "bacs", bacs_rows, NROWS(bacs_rows) },
#include "common/vec.h"
	{ "phrases", phrase_rows, NROWS(phrase_rows) },
#include "common/vec.h"
};
#include "common/vec.h"

#include "common/vec.h"
const char *const reason_builtin_names[] = { "iso", "nacha", "bacs",
#include "common/vec.h"
    "phrases", NULL };
#include "common/vec.h"

#include "common/vec.h"
struct trow {
#include "common/vec.h"
	char		*bank;
#include "common/vec.h"
	char		*code;
#include "common/vec.h"
	enum reason_cat	 cat;
#include "common/vec.h"
};
#include "common/vec.h"

#include "common/vec.h"
struct reason_table {
#include "common/vec.h"
	struct trow	*rows;
#include "common/vec.h"
	size_t		 n, cap;
#include "common/vec.h"
};
#include "common/vec.h"

#include "common/vec.h"
const char *
#include "common/vec.h"
reason_cat_name(enum reason_cat c)
#include "common/vec.h"
{
#include "common/vec.h"
	return (unsigned)c < REASON_NCATS ? cat_names[c] : "other";
#include "common/vec.h"
}
#include "common/vec.h"

#include "common/vec.h"
int
#include "common/vec.h"
reason_cat_parse(enum reason_cat *out, const char *name, struct gw_err *e)
#include "common/vec.h"
{
#include "common/vec.h"
	int i;
#include "common/vec.h"

#include "common/vec.h"
	for (i = 0; i < REASON_NCATS; i++)
#include "common/vec.h"
		if (strcmp(name, cat_names[i]) == 0) {
#include "common/vec.h"
			*out = (enum reason_cat)i;
#include "common/vec.h"
			return 0;
#include "common/vec.h"
		}
#include "common/vec.h"
	return gw_err_set(e, GW_EINPUT, "unknown failure category '%s'", name);
#include "common/vec.h"
}
#include "common/vec.h"

#include "common/vec.h"
const struct reason_row *
#include "common/vec.h"
reason_builtin(const char *name, size_t *n)
#include "common/vec.h"
{
#include "common/vec.h"
	size_t i;
#include "common/vec.h"

#include "common/vec.h"
	for (i = 0; i < NROWS(builtins); i++)
#include "common/vec.h"
		if (name != NULL && strcasecmp(name, builtins[i].name) == 0) {
#include "common/vec.h"
			*n = builtins[i].n;
#include "common/vec.h"
			return builtins[i].rows;
#include "common/vec.h"
		}
#include "common/vec.h"
	*n = 0;
#include "common/vec.h"
	return NULL;
#include "common/vec.h"
}
#include "common/vec.h"

#include "common/vec.h"
int
#include "common/vec.h"
reason_table_new(struct reason_table **out, struct gw_err *e)
#include "common/vec.h"
{
#include "common/vec.h"
	if ((*out = calloc(1, sizeof(**out))) == NULL)
#include "common/vec.h"
		return gw_err_set(e, GW_ENOMEM, "out of memory");
#include "common/vec.h"
	return 0;
#include "common/vec.h"
}
#include "common/vec.h"

#include "common/vec.h"
void
#include "common/vec.h"
reason_table_free(struct reason_table *t)
#include "common/vec.h"
{
#include "common/vec.h"
	size_t i;
#include "common/vec.h"

#include "common/vec.h"
	if (t == NULL)
#include "common/vec.h"
		return;
#include "common/vec.h"
	for (i = 0; i < t->n; i++) {
#include "common/vec.h"
		free(t->rows[i].bank);
#include "common/vec.h"
		free(t->rows[i].code);
#include "common/vec.h"
	}
#include "common/vec.h"
	free(t->rows);
#include "common/vec.h"
	free(t);
#include "common/vec.h"
}
#include "common/vec.h"

#include "common/vec.h"
static const struct trow *
#include "common/vec.h"
table_find(const struct reason_table *t, const char *bank, const char *code)
#include "common/vec.h"
{
#include "common/vec.h"
	size_t i;
#include "common/vec.h"

#include "common/vec.h"
	for (i = 0; t != NULL && i < t->n; i++)
#include "common/vec.h"
		if (strcasecmp(t->rows[i].code, code) == 0 &&
#include "common/vec.h"
		    strcasecmp(t->rows[i].bank, bank) == 0)
#include "common/vec.h"
			return &t->rows[i];
#include "common/vec.h"
	return NULL;
#include "common/vec.h"
}
#include "common/vec.h"

#include "common/vec.h"
int
#include "common/vec.h"
reason_table_add(struct reason_table *t, const char *bank, const char *code,
#include "common/vec.h"
    enum reason_cat cat, struct gw_err *e)
#include "common/vec.h"
{
#include "common/vec.h"
	struct trow *r;
#include "common/vec.h"

#include "common/vec.h"
	if (bank == NULL || *bank == '\0' || code == NULL || *code == '\0')
#include "common/vec.h"
		return gw_err_set(e, GW_EINPUT, "reason row needs a bank and "
#include "common/vec.h"
		    "a code");
#include "common/vec.h"
	if ((unsigned)cat >= REASON_NCATS)
#include "common/vec.h"
		return gw_err_set(e, GW_EINPUT, "reason %s: bad category",
#include "common/vec.h"
		    code);
#include "common/vec.h"
	if (table_find(t, bank, code) != NULL)
#include "common/vec.h"
		return gw_err_set(e, GW_EDUP, "reason code %s of bank %s given "
#include "common/vec.h"
		    "twice", code, bank);
#include "common/vec.h"
	if (t->n == MAX_ROWS)
#include "common/vec.h"
		return gw_err_set(e, GW_ELIMIT, "more than %d reason rows",
#include "common/vec.h"
		    MAX_ROWS);
#include "common/vec.h"
	if (vec_room(&t->rows, t->n, &t->cap, sizeof(*t->rows)) != 0)
#include "common/vec.h"
		return gw_err_set(e, GW_ENOMEM, "out of memory");
#include "common/vec.h"
	r = &t->rows[t->n];
#include "common/vec.h"
	r->bank = strdup(bank);
#include "common/vec.h"
	r->code = strdup(code);
#include "common/vec.h"
	r->cat = cat;
#include "common/vec.h"
	if (r->bank == NULL || r->code == NULL) {
#include "common/vec.h"
		free(r->bank);
#include "common/vec.h"
		free(r->code);
#include "common/vec.h"
		return gw_err_set(e, GW_ENOMEM, "out of memory");
#include "common/vec.h"
	}
#include "common/vec.h"
	t->n++;
#include "common/vec.h"
	return 0;
#include "common/vec.h"
}
#include "common/vec.h"

#include "common/vec.h"
static const struct reason_row *
#include "common/vec.h"
rows_find(const struct reason_row *rows, size_t n, const char *code)
#include "common/vec.h"
{
#include "common/vec.h"
	size_t i;
#include "common/vec.h"

#include "common/vec.h"
	for (i = 0; i < n; i++)
#include "common/vec.h"
		if (strcasecmp(rows[i].code, code) == 0)
#include "common/vec.h"
			return &rows[i];
#include "common/vec.h"
	return NULL;
#include "common/vec.h"
}
#include "common/vec.h"

#include "common/vec.h"
static const struct reason_row *
#include "common/vec.h"
phrase_find(const char *s)
#include "common/vec.h"
{
#include "common/vec.h"
	size_t i;
#include "common/vec.h"

#include "common/vec.h"
	for (i = 0; s != NULL && *s && i < NROWS(phrase_rows); i++)
#include "common/vec.h"
		if (strstr(s, phrase_rows[i].code) != NULL)
#include "common/vec.h"
			return &phrase_rows[i];
#include "common/vec.h"
	return NULL;
#include "common/vec.h"
}
#include "common/vec.h"

#include "common/vec.h"
enum reason_cat
#include "common/vec.h"
reason_classify(const struct reason_table *t, const char *bank,
#include "common/vec.h"
    const char *code, const char *text)
#include "common/vec.h"
{
#include "common/vec.h"
	const struct reason_row *r = NULL, *bt;
#include "common/vec.h"
	const struct trow *tr;
#include "common/vec.h"
	size_t n;
#include "common/vec.h"

#include "common/vec.h"
	if (code != NULL && *code != '\0') {
#include "common/vec.h"
		if (bank != NULL && (tr = table_find(t, bank, code)) != NULL)
#include "common/vec.h"
			return tr->cat;
#include "common/vec.h"
		if (bank != NULL && strcasecmp(bank, "iso") != 0 &&
#include "common/vec.h"
		    strcasecmp(bank, "phrases") != 0 &&
#include "common/vec.h"
		    (bt = reason_builtin(bank, &n)) != NULL)
#include "common/vec.h"
			r = rows_find(bt, n, code);
#include "common/vec.h"
		if (r == NULL)
#include "common/vec.h"
			r = rows_find(iso_rows, NROWS(iso_rows), code);
#include "common/vec.h"
		if (r == NULL)
#include "common/vec.h"
			r = phrase_find(code);
#include "common/vec.h"
	}
#include "common/vec.h"
	if (r == NULL)
#include "common/vec.h"
		r = phrase_find(text);
#include "common/vec.h"
	return r ? r->cat : REASON_OTHER;
#include "common/vec.h"
}
#include "common/vec.h"
