/*
 * reason.c - the reason-code tables and the lookup that walks them.
 *
 * The tables are plain arrays of rows, the one place a code meets its
 * category; docs/formats.md lists the same rows. The ISO rows follow
 * ../shared/DOMAIN.md ("Reason codes and categories"). Codes not listed
 * there are not guessed at: they fall through to "other".
 *
 * Run-time tables are a flat array searched linearly: a bank's table
 * has tens of rows, and lookups only happen for items that failed.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "formats/reason.h"

#define MAX_ROWS 100000

static const char *const cat_names[REASON_NCATS] = {
	"insufficient_funds", "account_frozen", "account_abnormal",
	"account_closed", "mandate_invalid", "payer_deceased", "other",
};

static const struct reason_row iso_rows[] = {
	{ "AM04", REASON_INSUFFICIENT_FUNDS, "insufficient funds" },
	{ "AC06", REASON_ACCOUNT_FROZEN, "blocked account" },
	{ "RR04", REASON_ACCOUNT_FROZEN,
	  "regulatory reason (a freeze at Chinese banks; confirm per bank)" },
	{ "AC01", REASON_ACCOUNT_ABNORMAL, "incorrect account number" },
	{ "AC13", REASON_ACCOUNT_ABNORMAL, "invalid debtor account type" },
	{ "AG01", REASON_ACCOUNT_ABNORMAL, "transaction forbidden on account" },
	{ "BE01", REASON_ACCOUNT_ABNORMAL, "name does not match the account" },
	{ "RC01", REASON_ACCOUNT_ABNORMAL, "bank identifier incorrect" },
	{ "AC04", REASON_ACCOUNT_CLOSED, "closed account" },
	{ "AC05", REASON_ACCOUNT_CLOSED, "closed debtor account" },
	{ "MD01", REASON_MANDATE_INVALID, "no mandate" },
	{ "MD02", REASON_MANDATE_INVALID, "mandate data missing or wrong" },
	{ "MS02", REASON_MANDATE_INVALID, "refused by the payer" },
	{ "SL01", REASON_MANDATE_INVALID, "specific service of the bank" },
	{ "MD07", REASON_PAYER_DECEASED, "debtor deceased" },
	{ "MS03", REASON_OTHER, "reason not specified" },
	{ "NARR", REASON_OTHER, "narrative: see the text" },
	{ "FF01", REASON_OTHER, "invalid file format" },
	{ "AM05", REASON_OTHER, "duplicate" },
	{ "MD06", REASON_OTHER, "refund request by the payer: refund flow" },
};

static const struct reason_row nacha_rows[] = {
	{ "R01", REASON_INSUFFICIENT_FUNDS, "insufficient funds" },
	{ "R09", REASON_INSUFFICIENT_FUNDS, "uncollected funds" },
	{ "R16", REASON_ACCOUNT_FROZEN, "account frozen" },
	{ "R03", REASON_ACCOUNT_ABNORMAL, "no account, unable to locate" },
	{ "R04", REASON_ACCOUNT_ABNORMAL, "invalid account number" },
	{ "R12", REASON_ACCOUNT_ABNORMAL, "branch sold to another bank" },
	{ "R13", REASON_ACCOUNT_ABNORMAL, "invalid routing number" },
	{ "R20", REASON_ACCOUNT_ABNORMAL, "non-transaction account" },
	{ "R02", REASON_ACCOUNT_CLOSED, "account closed" },
	{ "R05", REASON_MANDATE_INVALID, "unauthorised debit" },
	{ "R07", REASON_MANDATE_INVALID, "authorisation revoked" },
	{ "R08", REASON_MANDATE_INVALID, "payment stopped" },
	{ "R10", REASON_MANDATE_INVALID, "not authorised by the customer" },
	{ "R29", REASON_MANDATE_INVALID, "corporate customer: not authorised" },
	{ "R14", REASON_PAYER_DECEASED, "representative payee deceased" },
	{ "R15", REASON_PAYER_DECEASED, "account holder deceased" },
};

static const struct reason_row bacs_rows[] = {
	{ "0", REASON_INSUFFICIENT_FUNDS, "refer to payer" },
	{ "1", REASON_MANDATE_INVALID, "instruction cancelled" },
	{ "2", REASON_PAYER_DECEASED, "payer deceased" },
	{ "3", REASON_ACCOUNT_ABNORMAL, "account transferred" },
	{ "4", REASON_MANDATE_INVALID, "advance notice disputed" },
	{ "5", REASON_ACCOUNT_ABNORMAL, "no account" },
	{ "6", REASON_MANDATE_INVALID, "no instruction" },
	{ "7", REASON_OTHER, "amount differs" },
	{ "8", REASON_OTHER, "amount not yet due" },
	{ "9", REASON_OTHER, "presentation overdue" },
	{ "A", REASON_MANDATE_INVALID, "service user differs" },
	{ "B", REASON_ACCOUNT_CLOSED, "account closed" },
};

/* Substrings of a code or free text; longer, more specific ones first. */
static const struct reason_row phrase_rows[] = {
	{ "余额不足", REASON_INSUFFICIENT_FUNDS, "balance too low" },
	{ "可用余额", REASON_INSUFFICIENT_FUNDS, "available balance (too low)" },
	{ "协议不存在", REASON_MANDATE_INVALID, "no such agreement" },
	{ "协议已撤销", REASON_MANDATE_INVALID, "agreement revoked" },
	{ "协议已解除", REASON_MANDATE_INVALID, "agreement ended" },
	{ "未签约", REASON_MANDATE_INVALID, "no agreement signed" },
	{ "死亡", REASON_PAYER_DECEASED, "deceased" },
	{ "销户", REASON_ACCOUNT_CLOSED, "account closed" },
	{ "冻结", REASON_ACCOUNT_FROZEN, "frozen" },
	{ "止付", REASON_ACCOUNT_FROZEN, "payment stopped (frozen)" },
	{ "户名不符", REASON_ACCOUNT_ABNORMAL, "name does not match" },
	{ "账号不存在", REASON_ACCOUNT_ABNORMAL, "account not found" },
	{ "账户不存在", REASON_ACCOUNT_ABNORMAL, "account not found" },
	{ "挂失", REASON_ACCOUNT_ABNORMAL, "reported lost" },
	{ "状态不正常", REASON_ACCOUNT_ABNORMAL, "account status abnormal" },
	{ "状态异常", REASON_ACCOUNT_ABNORMAL, "account status abnormal" },
	{ "久悬", REASON_ACCOUNT_ABNORMAL, "dormant account" },
};

#define NROWS(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
	const char		*name;
	const struct reason_row	*rows;
	size_t			 n;
} builtins[] = {
	{ "iso", iso_rows, NROWS(iso_rows) },
	{ "nacha", nacha_rows, NROWS(nacha_rows) },
	{ "bacs", bacs_rows, NROWS(bacs_rows) },
	{ "phrases", phrase_rows, NROWS(phrase_rows) },
};

const char *const reason_builtin_names[] = { "iso", "nacha", "bacs",
    "phrases", NULL };

struct trow {
	char		*bank;
	char		*code;
	enum reason_cat	 cat;
};

struct reason_table {
	struct trow	*rows;
	size_t		 n, cap;
};

const char *
reason_cat_name(enum reason_cat c)
{
	return (unsigned)c < REASON_NCATS ? cat_names[c] : "other";
}

int
reason_cat_parse(enum reason_cat *out, const char *name, struct gw_err *e)
{
	int i;

	for (i = 0; i < REASON_NCATS; i++)
		if (strcmp(name, cat_names[i]) == 0) {
			*out = (enum reason_cat)i;
			return 0;
		}
	return gw_err_set(e, GW_EINPUT, "unknown failure category '%s'", name);
}

const struct reason_row *
reason_builtin(const char *name, size_t *n)
{
	size_t i;

	for (i = 0; i < NROWS(builtins); i++)
		if (name != NULL && strcasecmp(name, builtins[i].name) == 0) {
			*n = builtins[i].n;
			return builtins[i].rows;
		}
	*n = 0;
	return NULL;
}

int
reason_table_new(struct reason_table **out, struct gw_err *e)
{
	if ((*out = calloc(1, sizeof(**out))) == NULL)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	return 0;
}

void
reason_table_free(struct reason_table *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n; i++) {
		free(t->rows[i].bank);
		free(t->rows[i].code);
	}
	free(t->rows);
	free(t);
}

static const struct trow *
table_find(const struct reason_table *t, const char *bank, const char *code)
{
	size_t i;

	for (i = 0; t != NULL && i < t->n; i++)
		if (strcasecmp(t->rows[i].code, code) == 0 &&
		    strcasecmp(t->rows[i].bank, bank) == 0)
			return &t->rows[i];
	return NULL;
}

int
reason_table_add(struct reason_table *t, const char *bank, const char *code,
    enum reason_cat cat, struct gw_err *e)
{
	struct trow *r;

	if (bank == NULL || *bank == '\0' || code == NULL || *code == '\0')
		return gw_err_set(e, GW_EINPUT, "reason row needs a bank and "
		    "a code");
	if ((unsigned)cat >= REASON_NCATS)
		return gw_err_set(e, GW_EINPUT, "reason %s: bad category",
		    code);
	if (table_find(t, bank, code) != NULL)
		return gw_err_set(e, GW_EDUP, "reason code %s of bank %s given "
		    "twice", code, bank);
	if (t->n == MAX_ROWS)
		return gw_err_set(e, GW_ELIMIT, "more than %d reason rows",
		    MAX_ROWS);
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;

		if ((r = realloc(t->rows, cap * sizeof(*r))) == NULL)
			return gw_err_set(e, GW_ENOMEM, "out of memory");
		t->rows = r;
		t->cap = cap;
	}
	r = &t->rows[t->n];
	r->bank = strdup(bank);
	r->code = strdup(code);
	r->cat = cat;
	if (r->bank == NULL || r->code == NULL) {
		free(r->bank);
		free(r->code);
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	}
	t->n++;
	return 0;
}

static const struct reason_row *
rows_find(const struct reason_row *rows, size_t n, const char *code)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcasecmp(rows[i].code, code) == 0)
			return &rows[i];
	return NULL;
}

static const struct reason_row *
phrase_find(const char *s)
{
	size_t i;

	for (i = 0; s != NULL && *s && i < NROWS(phrase_rows); i++)
		if (strstr(s, phrase_rows[i].code) != NULL)
			return &phrase_rows[i];
	return NULL;
}

enum reason_cat
reason_classify(const struct reason_table *t, const char *bank,
    const char *code, const char *text)
{
	const struct reason_row *r = NULL, *bt;
	const struct trow *tr;
	size_t n;

	if (code != NULL && *code != '\0') {
		if (bank != NULL && (tr = table_find(t, bank, code)) != NULL)
			return tr->cat;
		if (bank != NULL && strcasecmp(bank, "iso") != 0 &&
		    strcasecmp(bank, "phrases") != 0 &&
		    (bt = reason_builtin(bank, &n)) != NULL)
			r = rows_find(bt, n, code);
		if (r == NULL)
			r = rows_find(iso_rows, NROWS(iso_rows), code);
		if (r == NULL)
			r = phrase_find(code);
	}
	if (r == NULL)
		r = phrase_find(text);
	return r ? r->cat : REASON_OTHER;
}
