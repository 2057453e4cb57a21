/*
 * textfmt.c - format descriptors: loading, checking, and the charset
 * helpers the writer and reader share.
 *
 * Loading is two steps. libinih feeds every key to a handler that only
 * records the raw value and the line it came from (and rejects unknown
 * sections, unknown keys and repeats); then finish() interprets the keys
 * in dependency order (the encoding before literals can be encoded, the
 * layout before widths mean anything) and checks the layout as a whole.
 * So every message can name the descriptor line it is about, and a loaded
 * descriptor is complete and consistent: the writer and reader never meet
 * a half-specified layout. A descriptor is read-only after loading, so one
 * can serve any number of writers and readers at once.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "common/fsutil.h"
#include "common/strnum.h"
#include "common/text.h"
#include "formats/reason.h"
#include "formats/textfmt_int.h"

static const struct tf_fdef fdefs[TF_NFIDS] = {
	{ "",			TF_LITERAL,	T_LIT,
	    TF_W_DD | TF_W_RD | TF_W_DS | TF_W_RS },
	{ "filler",		TF_FILLER,	T_FILLER,
	    TF_W_DD | TF_W_RD | TF_W_DS | TF_W_RS },
	{ "seq",		TF_SEQ,		T_NUM,	  TF_W_DD | TF_W_RD },
	{ "ref",		TF_REF,		T_TEXT,	  TF_W_DD | TF_W_RD },
	{ "account_no",		TF_ACCOUNT_NO,	T_TEXT,	  TF_W_DD | TF_W_RD },
	{ "account_name",	TF_ACCOUNT_NAME, T_NAME,  TF_W_DD | TF_W_RD },
	{ "amount",		TF_AMOUNT,	T_AMOUNT, TF_W_DD | TF_W_RD },
	{ "payer_id",		TF_PAYER_ID,	T_TEXT,	  TF_W_DD | TF_W_RD },
	{ "mandate_id",		TF_MANDATE_ID,	T_TEXT,	  TF_W_DD | TF_W_RD },
	{ "memo",		TF_MEMO,	T_FREE,	  TF_W_DD | TF_W_RD },
	{ "result_code",	TF_RESULT_CODE,	T_TEXT,	  TF_W_RD },
	{ "result_text",	TF_RESULT_TEXT,	T_FREE,	  TF_W_RD },
	{ "count",		TF_COUNT,	T_NUM,	  TF_W_DS | TF_W_RS },
	{ "total",		TF_TOTAL,	T_AMOUNT, TF_W_DS | TF_W_RS },
	{ "ok_count",		TF_OK_COUNT,	T_NUM,	  TF_W_RS },
	{ "ok_total",		TF_OK_TOTAL,	T_AMOUNT, TF_W_RS },
	{ "fail_count",		TF_FAIL_COUNT,	T_NUM,	  TF_W_RS },
	{ "fail_total",		TF_FAIL_TOTAL,	T_AMOUNT, TF_W_RS },
	{ "file_id",		TF_FILE_ID,	T_TEXT,	  TF_W_DS | TF_W_RS },
	{ "date",		TF_DATE,	T_DATE,	  TF_W_DS | TF_W_RS },
	{ "creditor_account",	TF_CREDITOR_ACCOUNT, T_TEXT, TF_W_DS | TF_W_RS },
	{ "creditor_name",	TF_CREDITOR_NAME, T_TEXT, TF_W_DS | TF_W_RS },
};

const struct tf_fdef *
tf_fdef(enum tf_fid id)
{
	return &fdefs[id];
}

const char *
textfmt_kind_name(enum textfmt_kind kind)
{
	return kind == TEXTFMT_RETURN ? "return" : "debit";
}

const char *
textfmt_name(const struct textfmt *d)
{
	return d->name;
}

const char *
textfmt_encoding(const struct textfmt *d)
{
	return d->charset;
}

int
textfmt_code(const struct textfmt *d, size_t i, const char **code,
    const char **category)
{
	if (i >= d->ncodes)
		return 0;
	*code = d->codes[i].code;
	*category = d->codes[i].category;
	return 1;
}

const char *
textfmt_success_code(const struct textfmt *d)
{
	return d->nsuccess > 0 ? d->success[0] : "";
}

/* ---- charset helpers ---------------------------------------------------- */

int
tf_is_ascii(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 0;
	return 1;
}

static size_t
utf8_charlen(const unsigned char *p, size_t left)
{
	size_t n = 1;

	if (p[0] >= 0xF0)
		n = 4;
	else if (p[0] >= 0xE0)
		n = 3;
	else if (p[0] >= 0xC0)
		n = 2;
	return n < left ? n : left;
}

size_t
tf_charlen(const struct textfmt *d, const unsigned char *p, size_t left)
{
	size_t n = 1;

	if (left == 0)
		return 0;
	if (d->cs == CS_UTF8)
		return utf8_charlen(p, left);
	if (p[0] >= 0x81) {
		/* GB18030 four-byte forms have a digit as second byte. */
		n = (d->cs == CS_GB18030 && left >= 2 && p[1] >= 0x30 &&
		    p[1] <= 0x39) ? 4 : 2;
	}
	return n < left ? n : left;
}

int
tf_encode(const struct textfmt *d, const char *s, size_t len, char *out,
    size_t cap, size_t *outlen, int subst, int *nsubst, char bad[8])
{
	size_t i, o = 0, n;
	int rc;

	if (tf_is_ascii(s, len) || d->cs == CS_UTF8) {
		if (len + 1 > cap)
			return GW_ELIMIT;
		memcpy(out, s, len);
		out[len] = '\0';
		*outlen = len;
		return 0;
	}
	rc = text_from_utf8(out, cap, outlen, s, len, d->charset, NULL);
	if (rc != GW_EINPUT)
		return rc;
	/* Some character has no code: go one character at a time. */
	for (i = 0; i < len; i += n) {
		size_t got;

		n = utf8_charlen((const unsigned char *)s + i, len - i);
		rc = text_from_utf8(out + o, cap - o, &got, s + i, n,
		    d->charset, NULL);
		if (rc == GW_EINPUT) {
			if (!subst) {
				if (bad != NULL) {
					memcpy(bad, s + i, n);
					bad[n] = '\0';
				}
				return GW_EINPUT;
			}
			if (o + d->subst_enclen + 1 > cap)
				return GW_ELIMIT;
			memcpy(out + o, d->subst_enc, d->subst_enclen);
			got = d->subst_enclen;
			if (nsubst != NULL)
				(*nsubst)++;
		} else if (rc != 0)
			return rc;
		o += got;
	}
	out[o] = '\0';
	*outlen = o;
	return 0;
}

int
tf_is_success(const struct textfmt *d, const char *code)
{
	size_t i;

	for (i = 0; i < d->nsuccess; i++)
		if (strcmp(d->success[i], code) == 0)
			return 1;
	return 0;
}

static int
code_cmp(const void *a, const void *b)
{
	return strcmp(((const struct tf_code *)a)->code,
	    ((const struct tf_code *)b)->code);
}

const char *
tf_category(const struct textfmt *d, const char *code)
{
	struct tf_code key, *hit;

	if (d->ncodes == 0)
		return "other";
	key.code = (char *)code;
	hit = bsearch(&key, d->codes, d->ncodes, sizeof(key), code_cmp);
	return hit != NULL ? hit->category : "other";
}

/* ---- loading ---------------------------------------------------------- */

enum dsec { SEC_FORMAT, SEC_DEBIT, SEC_RETURN, SEC_NAMES, SEC_CODES,
	NSECS };
static const char *const sec_names[NSECS] = {
	"format", "debit", "return", "names", "codes"
};

enum dkey {
	K_NAME, K_ENCODING, K_LAYOUT, K_SEPARATOR, K_TRAILING_SEP, K_LINE_END,
	K_AMOUNT_UNIT, K_NUMBER_PAD, K_DATE_FORMAT, K_MAX_ITEMS,
	K_D_FIELDS, K_D_HEADER, K_D_TRAILER,
	K_R_FIELDS, K_R_HEADER, K_R_TRAILER, K_R_SUCCESS,
	K_UNREPRESENTABLE, K_SUBSTITUTE,
	NKEYS
};

static const struct {
	enum dsec	 sec;
	const char	*name;
	int		 list;		/* may continue on indented lines */
} dkeys[NKEYS] = {
	[K_NAME] =		{ SEC_FORMAT, "name", 0 },
	[K_ENCODING] =		{ SEC_FORMAT, "encoding", 0 },
	[K_LAYOUT] =		{ SEC_FORMAT, "layout", 0 },
	[K_SEPARATOR] =		{ SEC_FORMAT, "separator", 0 },
	[K_TRAILING_SEP] =	{ SEC_FORMAT, "trailing_separator", 0 },
	[K_LINE_END] =		{ SEC_FORMAT, "line_end", 0 },
	[K_AMOUNT_UNIT] =	{ SEC_FORMAT, "amount_unit", 0 },
	[K_NUMBER_PAD] =	{ SEC_FORMAT, "number_pad", 0 },
	[K_DATE_FORMAT] =	{ SEC_FORMAT, "date_format", 0 },
	[K_MAX_ITEMS] =		{ SEC_FORMAT, "max_items", 0 },
	[K_D_FIELDS] =		{ SEC_DEBIT, "fields", 1 },
	[K_D_HEADER] =		{ SEC_DEBIT, "header", 1 },
	[K_D_TRAILER] =		{ SEC_DEBIT, "trailer", 1 },
	[K_R_FIELDS] =		{ SEC_RETURN, "fields", 1 },
	[K_R_HEADER] =		{ SEC_RETURN, "header", 1 },
	[K_R_TRAILER] =		{ SEC_RETURN, "trailer", 1 },
	[K_R_SUCCESS] =		{ SEC_RETURN, "success_codes", 1 },
	[K_UNREPRESENTABLE] =	{ SEC_NAMES, "unrepresentable", 0 },
	[K_SUBSTITUTE] =	{ SEC_NAMES, "substitute", 0 },
};

struct dload {
	const char	*name;		/* path, for messages */
	const char	*text;
	size_t		 len, pos;
	int		 line;		/* line being parsed */
	int		 cont;		/* that line is indented */
	int		 overlong;
	int		 last_key;	/* key of the previous handler call */
	char		*raw[NKEYS];
	int		 kline[NKEYS];
	struct tf_code	*codes;
	size_t		 ncodes;
	struct gw_err	*e;
	struct textfmt	*d;
};

static int
derr(struct dload *l, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

int
tf_verr(struct gw_err *e, int code, const char *name, long line,
    const char *fmt, va_list ap)
{
	char msg[768];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (line > 0)
		return gw_err_set(e, code, "%s:%ld: %s", name, line, msg);
	return gw_err_set(e, code, "%s: %s", name, msg);
}

/* GW_ECONFIG: a descriptor is configuration. */
static int
derr(struct dload *l, int line, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = tf_verr(l->e, GW_ECONFIG, l->name, line, fmt, ap);
	va_end(ap);
	return rc;
}

/* inih reader over memory, counting lines; refuses lines it would split. */
static char *
dreader(char *str, int num, void *stream)
{
	struct dload *l = stream;
	size_t n, cap = (size_t)num - 1;
	const char *p, *nl;

	if (l->pos >= l->len || l->overlong)
		return NULL;
	p = l->text + l->pos;
	nl = memchr(p, '\n', l->len - l->pos);
	n = nl != NULL ? (size_t)(nl - p) + 1 : l->len - l->pos;
	l->line++;
	if (n > cap) {
		l->overlong = 1;
		derr(l, l->line, "line longer than %zu characters "
		    "(continue a long list on indented lines)", cap - 2);
		return NULL;
	}
	memcpy(str, p, n);
	str[n] = '\0';
	l->pos += n;
	l->cont = (p[0] == ' ' || p[0] == '\t');
	return str;
}

static int
dhandler(void *user, const char *section, const char *name, const char *value)
{
	struct dload *l = user;
	int sec, k;

	if (l->e->code != 0)
		return 1;
	for (sec = 0; sec < NSECS; sec++)
		if (strcmp(section, sec_names[sec]) == 0)
			break;
	if (sec == NSECS) {
		derr(l, l->line, "unknown section [%s] (format, debit, return, "
		    "names, codes)", section);
		return 1;
	}
	if (sec == SEC_CODES) {
		struct tf_code *nc;

		if (l->cont) {
			derr(l, l->line, "[codes]: one code a line");
			return 1;
		}
		if (l->ncodes == TF_MAX_CODES) {
			derr(l, l->line, "[codes]: more than %d codes",
			    TF_MAX_CODES);
			return 1;
		}
		nc = realloc(l->codes, (l->ncodes + 1) * sizeof(*nc));
		if (nc == NULL) {
			gw_err_set(l->e, GW_ENOMEM, "out of memory");
			return 1;
		}
		l->codes = nc;
		nc[l->ncodes].code = strdup(name);
		/* The category is resolved in finish(); keep the raw value. */
		nc[l->ncodes].category = strdup(value);
		nc[l->ncodes].dline = l->line;
		l->ncodes++;
		if (nc[l->ncodes - 1].code == NULL ||
		    nc[l->ncodes - 1].category == NULL)
			gw_err_set(l->e, GW_ENOMEM, "out of memory");
		return 1;
	}
	for (k = 0; k < NKEYS; k++)
		if ((int)dkeys[k].sec == sec && strcmp(dkeys[k].name, name) == 0)
			break;
	if (k == NKEYS) {
		derr(l, l->line, "[%s]: unknown key '%s'", section, name);
		return 1;
	}
	if (l->cont && l->last_key == k && l->raw[k] != NULL) {
		size_t n;
		char *s;

		if (!dkeys[k].list) {
			derr(l, l->line, "[%s] %s: only lists may continue on "
			    "indented lines", section, name);
			return 1;
		}
		n = strlen(l->raw[k]) + strlen(value) + 2;
		if ((s = malloc(n)) == NULL) {
			gw_err_set(l->e, GW_ENOMEM, "out of memory");
			return 1;
		}
		n = strlen(l->raw[k]);
		/* "a,b," + "c" and "a,b" + "c" both mean a,b,c. */
		snprintf(s, n + strlen(value) + 2, "%s%s%s", l->raw[k],
		    n > 0 && l->raw[k][n - 1] != ',' && *value ? "," : "",
		    value);
		free(l->raw[k]);
		l->raw[k] = s;
		return 1;
	}
	if (l->raw[k] != NULL) {
		derr(l, l->line, "[%s] %s: given twice (first on line %d)",
		    section, name, l->kline[k]);
		return 1;
	}
	if ((l->raw[k] = strdup(value)) == NULL)
		gw_err_set(l->e, GW_ENOMEM, "out of memory");
	l->kline[k] = l->line;
	l->last_key = k;
	return 1;
}

/* A value in double quotes keeps spaces and ';' exactly. */
static char *
unquote(const char *v)
{
	size_t n = strlen(v);

	if (n >= 2 && v[0] == '"' && v[n - 1] == '"')
		return strndup(v + 1, n - 2);
	return strdup(v);
}

/* Index of v in the NULL-terminated words, or -1. */
static int
word(const char *v, const char *const *words)
{
	int i;

	for (i = 0; words[i] != NULL; i++)
		if (strcmp(v, words[i]) == 0)
			return i;
	return -1;
}

/* Key k as one of words; def when absent. */
static int
kword(struct dload *l, enum dkey k, const char *const *words, int def)
{
	char list[128] = "";
	int i;

	if (l->raw[k] == NULL)
		return def;
	if ((i = word(l->raw[k], words)) >= 0)
		return i;
	for (i = 0; words[i] != NULL; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list),
		    "%s%s", i ? " | " : "", words[i]);
	derr(l, l->kline[k], "[%s] %s: '%s' is not %s", sec_names[dkeys[k].sec],
	    dkeys[k].name, l->raw[k], list);
	return def;
}

/* Encode literal UTF-8 text of descriptor line dline; 0 or an error. */
static int
encode_lit(struct dload *l, int dline, const char *what, const char *s,
    char **enc, size_t *enclen)
{
	char buf[TEXTFMT_MAX_LINE + 1], bad[8] = "";
	size_t n;
	int rc;

	if (!text_is_clean(s, strlen(s)))
		return derr(l, dline, "%s: not printable UTF-8 text", what);
	rc = tf_encode(l->d, s, strlen(s), buf, sizeof(buf), &n, 0, NULL, bad);
	if (rc == GW_EINPUT)
		return derr(l, dline, "%s: '%s' has no %s code", what, bad,
		    l->d->charset);
	if (rc != 0)
		return derr(l, dline, "%s: too long", what);
	if ((*enc = malloc(n + 1)) == NULL)
		return gw_err_set(l->e, GW_ENOMEM, "out of memory");
	memcpy(*enc, buf, n + 1);
	*enclen = n;
	return 0;
}

/* Parse a field list: name[:width] or "literal"[:width], comma-separated. */
static int
parse_line(struct dload *l, enum dkey k, unsigned where, struct tf_line *L)
{
	const char *what = dkeys[k].name, *sec = sec_names[dkeys[k].sec];
	const char *p = l->raw[k];
	int dline = l->kline[k];
	struct textfmt *d = l->d;

	L->dline = dline;
	while (*p != '\0') {
		struct tf_field *f;
		char name[64];
		const char *q;
		size_t n;
		int id;

		while (*p == ' ' || *p == '\t')
			p++;
		if (L->n == TF_MAX_FIELDS)
			return derr(l, dline, "[%s] %s: more than %d fields",
			    sec, what, TF_MAX_FIELDS);
		f = &L->f[L->n];
		if (*p == '"') {
			if ((q = strchr(p + 1, '"')) == NULL)
				return derr(l, dline, "[%s] %s: unclosed quote",
				    sec, what);
			f->id = TF_LITERAL;
			if ((f->lit = strndup(p + 1, (size_t)(q - p - 1))) ==
			    NULL)
				return gw_err_set(l->e, GW_ENOMEM, "out of memory");
			if (encode_lit(l, dline, "literal", f->lit, &f->lit_enc,
			    &f->lit_enclen) != 0)
				return l->e->code;
			if (d->sep != NULL && strstr(f->lit, d->sep) != NULL)
				return derr(l, dline, "[%s] %s: literal \"%s\" "
				    "holds the separator", sec, what, f->lit);
			p = q + 1;
		} else {
			n = strcspn(p, ":, \t");
			if (n == 0 || n >= sizeof(name))
				return derr(l, dline, "[%s] %s: empty or overlong "
				    "field name", sec, what);
			memcpy(name, p, n);
			name[n] = '\0';
			for (id = TF_FILLER; id < TF_NFIDS; id++)
				if (strcmp(fdefs[id].name, name) == 0)
					break;
			if (id == TF_NFIDS)
				return derr(l, dline, "[%s] %s: unknown field "
				    "'%s'", sec, what, name);
			if ((fdefs[id].where & where) == 0)
				return derr(l, dline, "[%s] %s: field '%s' does "
				    "not belong on this line", sec, what, name);
			if (id != TF_FILLER && L->has[id])
				return derr(l, dline, "[%s] %s: field '%s' given "
				    "twice", sec, what, name);
			f->id = (enum tf_fid)id;
			p += n;
		}
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == ':') {
			int64_t w = 0;

			p++;
			while (*p == ' ')
				p++;
			if (!isdigit((unsigned char)*p))
				return derr(l, dline, "[%s] %s: width after ':' "
				    "is not a number", sec, what);
			while (isdigit((unsigned char)*p) && w <= TEXTFMT_MAX_LINE)
				w = w * 10 + (*p++ - '0');
			if (w < 1 || w > TEXTFMT_MAX_LINE)
				return derr(l, dline, "[%s] %s: width must be "
				    "1..%d", sec, what, TEXTFMT_MAX_LINE);
			if (!d->fixed)
				return derr(l, dline, "[%s] %s: widths belong to "
				    "layout = fixed", sec, what);
			f->width = (int)w;
		} else if (d->fixed) {
			if (f->id != TF_LITERAL)
				return derr(l, dline, "[%s] %s: field %d needs a "
				    "width (name:bytes) in a fixed layout", sec,
				    what, L->n + 1);
			f->width = (int)f->lit_enclen;
		}
		if (d->fixed && f->width == 0)
			return derr(l, dline, "[%s] %s: empty literal (use "
			    "filler:WIDTH)", sec, what);
		if (f->id == TF_LITERAL && d->fixed &&
		    (size_t)f->width < f->lit_enclen)
			return derr(l, dline, "[%s] %s: literal \"%s\" is %zu "
			    "bytes, wider than its %d", sec, what, f->lit,
			    f->lit_enclen, f->width);
		if (f->id == TF_LITERAL && f->lit_enclen == 0 && !d->fixed)
			return derr(l, dline, "[%s] %s: empty literal (use "
			    "filler)", sec, what);
		L->has[f->id] = 1;
		L->width += f->width;
		L->n++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == ',')
			p++;
		else if (*p != '\0')
			return derr(l, dline, "[%s] %s: expected ',' after "
			    "field %d", sec, what, L->n);
	}
	if (L->n == 0)
		return derr(l, dline, "[%s] %s: no fields", sec, what);
	if (L->width > TEXTFMT_MAX_LINE)
		return derr(l, dline, "[%s] %s: lines of %d bytes exceed the "
		    "limit of %d", sec, what, L->width, TEXTFMT_MAX_LINE);
	return 0;
}

/* Header and trailer of one kind together must declare count and total. */
static int
check_kind(struct dload *l, enum textfmt_kind kind, enum dkey kfields)
{
	struct tf_layout *y = &l->d->lay[kind];
	const char *kn = textfmt_kind_name(kind);

	if (!y->header.has[TF_COUNT] && !y->trailer.has[TF_COUNT])
		return derr(l, y->header.n ? y->header.dline : y->trailer.n ?
		    y->trailer.dline : 0, "[%s] the header or the trailer must "
		    "carry 'count'", sec_names[dkeys[kfields].sec]);
	if (!y->header.has[TF_TOTAL] && !y->trailer.has[TF_TOTAL])
		return derr(l, y->header.n ? y->header.dline :
		    y->trailer.dline, "[%s] the header or the trailer must "
		    "carry 'total'", sec_names[dkeys[kfields].sec]);
	if (!y->detail.has[TF_AMOUNT])
		return derr(l, l->kline[kfields], "[%s] fields: 'amount' is "
		    "required", kn);
	if (!y->detail.has[TF_SEQ] && !y->detail.has[TF_REF])
		return derr(l, l->kline[kfields], "[%s] fields: 'seq' or 'ref' "
		    "is required to match items", kn);
	y->key = y->detail.has[TF_SEQ] ? TF_SEQ : TF_REF;
	if (kind == TEXTFMT_DEBIT && (!y->detail.has[TF_ACCOUNT_NO] ||
	    !y->detail.has[TF_ACCOUNT_NAME]))
		return derr(l, l->kline[kfields], "[debit] fields: "
		    "'account_no' and 'account_name' are required");
	if (kind == TEXTFMT_RETURN && !y->detail.has[TF_RESULT_CODE])
		return derr(l, l->kline[kfields], "[return] fields: "
		    "'result_code' is required");
	return 0;
}

/* Copy a line spec, literals included (return inherits debit's summary). */
static int
copy_line(struct tf_line *dst, const struct tf_line *src)
{
	int i;

	*dst = *src;
	for (i = 0; i < dst->n; i++) {
		dst->f[i].lit = NULL;
		dst->f[i].lit_enc = NULL;
	}
	for (i = 0; i < dst->n; i++) {
		if (src->f[i].lit == NULL)
			continue;
		dst->f[i].lit = strdup(src->f[i].lit);
		dst->f[i].lit_enc = malloc(src->f[i].lit_enclen + 1);
		if (dst->f[i].lit == NULL || dst->f[i].lit_enc == NULL)
			return GW_ENOMEM;
		memcpy(dst->f[i].lit_enc, src->f[i].lit_enc,
		    src->f[i].lit_enclen + 1);
	}
	return 0;
}

static int
finish_codes(struct dload *l)
{
	struct textfmt *d = l->d;
	char *s, *tok, *save = NULL;
	size_t i;

	if (l->raw[K_R_SUCCESS] == NULL)
		return derr(l, 0, "[return] success_codes is required");
	if ((s = strdup(l->raw[K_R_SUCCESS])) == NULL)
		return gw_err_set(l->e, GW_ENOMEM, "out of memory");
	for (tok = strtok_r(s, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		char **ns;
		size_t n;

		while (*tok == ' ' || *tok == '\t')
			tok++;
		n = strlen(tok);
		while (n > 0 && (tok[n - 1] == ' ' || tok[n - 1] == '\t'))
			tok[--n] = '\0';
		if (n == 0)
			continue;
		if ((ns = realloc(d->success, (d->nsuccess + 1) *
		    sizeof(*ns))) == NULL) {
			free(s);
			return gw_err_set(l->e, GW_ENOMEM, "out of memory");
		}
		d->success = ns;
		if ((ns[d->nsuccess++] = strdup(tok)) == NULL) {
			free(s);
			return gw_err_set(l->e, GW_ENOMEM, "out of memory");
		}
	}
	free(s);
	if (d->nsuccess == 0)
		return derr(l, l->kline[K_R_SUCCESS], "[return] success_codes: "
		    "no code given");

	/* Resolve categories; the table then owns the codes. */
	d->codes = l->codes;
	d->ncodes = l->ncodes;
	l->codes = NULL;
	l->ncodes = 0;
	for (i = 0; i < d->ncodes; i++) {
		char *raw = (char *)d->codes[i].category;
		enum reason_cat cat;
		int bad = reason_cat_parse(&cat, raw, NULL) != 0;

		d->codes[i].category = bad ? NULL : reason_cat_name(cat);
		if (bad)
			derr(l, d->codes[i].dline, "[codes] %s: '%s' is not a "
			    "category (insufficient_funds, account_frozen, "
			    "account_abnormal, account_closed, mandate_invalid, "
			    "payer_deceased, other)", d->codes[i].code, raw);
		else if (tf_is_success(d, d->codes[i].code))
			derr(l, d->codes[i].dline, "[codes] %s: is also a "
			    "success code", d->codes[i].code);
		free(raw);
	}
	if (l->e->code != 0)
		return l->e->code;
	if (d->ncodes > 0)
		qsort(d->codes, d->ncodes, sizeof(*d->codes), code_cmp);
	for (i = 1; i < d->ncodes; i++)
		if (strcmp(d->codes[i - 1].code, d->codes[i].code) == 0)
			return derr(l, d->codes[i].dline > d->codes[i - 1].dline ?
			    d->codes[i].dline : d->codes[i - 1].dline,
			    "[codes] %s: given twice", d->codes[i].code);
	return 0;
}

/*
 * In a fixed layout the seq and count columns bound how many items a file
 * can number: max_items follows them (and may not be set above them).
 */
static int
cap_items(struct dload *l)
{
	static const enum tf_fid ids[] = { TF_SEQ, TF_COUNT, TF_OK_COUNT,
	    TF_FAIL_COUNT };
	struct textfmt *d = l->d;
	int k, r, i, j;

	for (k = 0; k < 2; k++)
		for (r = 0; r < 3; r++) {
			const struct tf_line *L = r == 0 ? &d->lay[k].header :
			    r == 1 ? &d->lay[k].detail : &d->lay[k].trailer;

			for (i = 0; i < L->n; i++) {
				int64_t cap = 1;

				for (j = 0; j < 4; j++)
					if (L->f[i].id == ids[j])
						break;
				if (j == 4 || L->f[i].width > 7)
					continue;
				for (j = 0; j < L->f[i].width; j++)
					cap *= 10;
				if (cap - 1 >= d->max_items)
					continue;
				if (l->raw[K_MAX_ITEMS] != NULL)
					return derr(l, l->kline[K_MAX_ITEMS],
					    "[format] max_items: %" PRId64 " items "
					    "cannot be numbered in %s:%d", d->max_items,
					    fdefs[L->f[i].id].name, L->f[i].width);
				d->max_items = cap - 1;
			}
		}
	return 0;
}

static const char *const w_encodings[] = { "GBK", "GB2312", "GB18030",
	"UTF-8", NULL };
static const char *const w_layouts[] = { "delimited", "fixed", NULL };
static const char *const w_yesno[] = { "no", "yes", NULL };
static const char *const w_eol[] = { "crlf", "lf", NULL };
static const char *const w_units[] = { "fen", "yuan", NULL };
static const char *const w_pads[] = { "zero", "space", NULL };
static const char *const w_dates[] = { "yyyymmdd", "yyyy-mm-dd", NULL };
static const char *const w_policy[] = { "hold", "substitute", NULL };

/* The keys of each kind, by enum textfmt_kind. */
static const struct {
	enum dkey	fields, header, trailer;
	unsigned	wdetail, wsum;
} kk[2] = {
	{ K_D_FIELDS, K_D_HEADER, K_D_TRAILER, TF_W_DD, TF_W_DS },
	{ K_R_FIELDS, K_R_HEADER, K_R_TRAILER, TF_W_RD, TF_W_RS },
};

/* Interpret the recorded keys; l->d gets a complete descriptor or an error. */
static int
finish(struct dload *l)
{
	struct textfmt *d = l->d;
	char probe[8];
	size_t n;
	int enc;
	int k;

	if (l->raw[K_ENCODING] == NULL)
		return derr(l, 0, "[format] encoding is required (GBK, GB2312, "
		    "GB18030 or UTF-8)");
	if ((enc = kword(l, K_ENCODING, w_encodings, 0)) < 0 || l->e->code)
		return l->e->code;
	snprintf(d->charset, sizeof(d->charset), "%s", w_encodings[enc]);
	d->cs = enc == 2 ? CS_GB18030 : enc == 3 ? CS_UTF8 : CS_GBK;
	if (text_from_utf8(probe, sizeof(probe), &n, "\xe4\xb8\xad", 3,
	    d->charset, NULL) != 0)
		return gw_err_set(l->e, GW_EENV, "%s: this system cannot "
		    "convert to %s (iconv)", l->name, d->charset);

	d->fixed = kword(l, K_LAYOUT, w_layouts, 0);
	d->trailing_sep = kword(l, K_TRAILING_SEP, w_yesno, 0);
	d->eol = kword(l, K_LINE_END, w_eol, 0) ? "\n" : "\r\n";
	d->number_pad = kword(l, K_NUMBER_PAD, w_pads, 0) ? ' ' : '0';
	d->date_dashes = kword(l, K_DATE_FORMAT, w_dates, 0);
	d->substitute = kword(l, K_UNREPRESENTABLE, w_policy, 0);
	if (l->e->code)
		return l->e->code;
	/* No default: a wrong guess would move every amount by 100x. */
	if (l->raw[K_AMOUNT_UNIT] == NULL)
		return derr(l, 0, "[format] amount_unit is required (fen or "
		    "yuan)");
	d->yuan = kword(l, K_AMOUNT_UNIT, w_units, 0);
	d->max_items = TEXTFMT_MAX_ITEMS;
	if (l->raw[K_MAX_ITEMS] != NULL && strnum_i64(&d->max_items,
	    l->raw[K_MAX_ITEMS], 1, TEXTFMT_MAX_ITEMS, "max_items", NULL) != 0)
		return derr(l, l->kline[K_MAX_ITEMS], "[format] max_items: "
		    "must be 1..%d", TEXTFMT_MAX_ITEMS);
	if (l->e->code)
		return l->e->code;

	if (d->fixed && (l->raw[K_SEPARATOR] || l->raw[K_TRAILING_SEP]))
		return derr(l, l->kline[K_SEPARATOR] ? l->kline[K_SEPARATOR] :
		    l->kline[K_TRAILING_SEP], "[format] a fixed layout has no "
		    "separator");
	if (!d->fixed) {
		if (l->raw[K_SEPARATOR] == NULL)
			return derr(l, 0, "[format] separator is required "
			    "(or layout = fixed)");
		if ((d->sep = unquote(l->raw[K_SEPARATOR])) == NULL)
			return gw_err_set(l->e, GW_ENOMEM, "out of memory");
		d->seplen = strlen(d->sep);
		if (d->seplen == 0 || d->seplen > 8 ||
		    strchr(d->sep, ' ') != NULL)
			return derr(l, l->kline[K_SEPARATOR], "[format] "
			    "separator: 1 to 8 bytes, no spaces");
		if (encode_lit(l, l->kline[K_SEPARATOR], "[format] separator",
		    d->sep, &d->sep_enc, &d->sep_enclen) != 0)
			return l->e->code;
	}
	if (d->fixed && l->raw[K_NUMBER_PAD] == NULL)
		d->number_pad = '0';
	if (!d->fixed)
		d->number_pad = 0;

	if ((d->subst = unquote(l->raw[K_SUBSTITUTE] ? l->raw[K_SUBSTITUTE] :
	    "?")) == NULL)
		return gw_err_set(l->e, GW_ENOMEM, "out of memory");
	if (*d->subst == '\0' || (d->sep && strstr(d->subst, d->sep)))
		return derr(l, l->kline[K_SUBSTITUTE], "[names] substitute: "
		    "must be non-empty and not hold the separator");
	if (encode_lit(l, l->kline[K_SUBSTITUTE], "[names] substitute",
	    d->subst, &d->subst_enc, &d->subst_enclen) != 0)
		return l->e->code;

	for (k = 0; k < 2; k++) {
		struct tf_layout *y = &d->lay[k];

		if (l->raw[kk[k].fields] == NULL)
			return derr(l, 0, "[%s] fields is required",
			    textfmt_kind_name((enum textfmt_kind)k));
		if (parse_line(l, kk[k].fields, kk[k].wdetail, &y->detail) ||
		    (l->raw[kk[k].header] && parse_line(l, kk[k].header,
		    kk[k].wsum, &y->header)) ||
		    (l->raw[kk[k].trailer] && parse_line(l, kk[k].trailer,
		    kk[k].wsum, &y->trailer)))
			return l->e->code;
	}
	if (!l->raw[K_R_HEADER] && !l->raw[K_R_TRAILER] &&
	    (copy_line(&d->lay[1].header, &d->lay[0].header) != 0 ||
	    copy_line(&d->lay[1].trailer, &d->lay[0].trailer) != 0))
		return gw_err_set(l->e, GW_ENOMEM, "out of memory");
	for (k = 0; k < 2; k++)
		if (check_kind(l, (enum textfmt_kind)k, kk[k].fields) != 0)
			return l->e->code;
	if (d->fixed && cap_items(l) != 0)
		return l->e->code;

	if (finish_codes(l) != 0)
		return l->e->code;

	if (l->raw[K_NAME] != NULL)
		d->name = strdup(l->raw[K_NAME]);
	else {
		const char *b = fs_basename(l->name);
		const char *dot = strrchr(b, '.');

		d->name = dot && dot != b ? strndup(b, (size_t)(dot - b)) :
		    strdup(b);
	}
	if (d->name == NULL)
		return gw_err_set(l->e, GW_ENOMEM, "out of memory");
	return 0;
}

int
textfmt_load_mem(struct textfmt **out, const char *name, const char *text,
    size_t len, struct gw_err *e)
{
	struct gw_err local = GW_ERR_INIT;
	struct dload l;
	size_t i;
	int rc;

	*out = NULL;
	memset(&l, 0, sizeof(l));
	l.name = name;
	l.text = text;
	l.len = len;
	l.last_key = -1;
	l.e = &local;
	if (len > TEXTFMT_MAX_DESC)
		return gw_err_set(e, GW_ECONFIG, "%s: descriptor larger than "
		    "%d bytes", name, TEXTFMT_MAX_DESC);
	if (memchr(text, '\0', len) != NULL)
		return gw_err_set(e, GW_ECONFIG, "%s: descriptor holds a NUL "
		    "byte", name);
	if ((l.d = calloc(1, sizeof(*l.d))) == NULL)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	rc = ini_parse_stream(dreader, &l, dhandler, &l);
	if (local.code == 0 && rc > 0)
		derr(&l, rc, "not a key = value line or [section]");
	else if (local.code == 0 && rc < 0)
		gw_err_set(&local, GW_ENOMEM, "%s: cannot parse", name);
	if (local.code == 0)
		finish(&l);
	for (i = 0; i < NKEYS; i++)
		free(l.raw[i]);
	for (i = 0; i < l.ncodes; i++) {
		free(l.codes[i].code);
		free((char *)l.codes[i].category);
	}
	free(l.codes);
	if (local.code != 0) {
		textfmt_free(l.d);
		return gw_err_pass(e, &local);
	}
	*out = l.d;
	return 0;
}

int
textfmt_load(struct textfmt **out, const char *path, struct gw_err *e)
{
	struct gw_err local = GW_ERR_INIT;
	char *text = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	if (fs_read_small(&text, &len, path, TEXTFMT_MAX_DESC, &local) != 0)
		return gw_err_set(e, local.code == GW_ENOMEM ? GW_ENOMEM :
		    local.code == GW_ELIMIT ? GW_ECONFIG : GW_EENV, "%s",
		    local.msg);
	rc = textfmt_load_mem(out, path, text, len, e);
	free(text);
	return rc;
}

static void
free_line(struct tf_line *L)
{
	int i;

	/* Past n too: a literal may be parsed before its line is refused. */
	for (i = 0; i < TF_MAX_FIELDS; i++) {
		free(L->f[i].lit);
		free(L->f[i].lit_enc);
	}
}

void
textfmt_free(struct textfmt *d)
{
	size_t i, k;

	if (d == NULL)
		return;
	for (k = 0; k < 2; k++) {
		free_line(&d->lay[k].header);
		free_line(&d->lay[k].detail);
		free_line(&d->lay[k].trailer);
	}
	for (i = 0; i < d->nsuccess; i++)
		free(d->success[i]);
	free(d->success);
	for (i = 0; i < d->ncodes; i++)
		free(d->codes[i].code);
	free(d->codes);
	free(d->name);
	free(d->sep);
	free(d->sep_enc);
	free(d->subst);
	free(d->subst_enc);
	free(d);
}
