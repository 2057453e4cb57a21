/*
 * textfmt_read.c - reading return files (and our own debit files back)
 * in a descriptor's layout. Every file is hostile until proven otherwise.
 *
 * The file is read through a 64 KiB buffer one line at a time; a line
 * longer than TEXTFMT_MAX_LINE is refused before it is stored, and the
 * number of detail lines is bounded by the descriptor's max_items, so
 * memory stays constant whatever the input (a seq bitmap of max_items
 * bits is the largest allocation). Line roles are positional: the first
 * non-blank line is the header when the layout has one, the last is the
 * trailer when it has one; to know which line is last the reader holds one
 * line back. A delimited line is converted to UTF-8 as a whole and then
 * split (splitting GBK bytes on '|' would cut characters whose second byte
 * is 0x7C); a fixed line is cut at byte offsets and each field converted,
 * so a character split by a column boundary fails to convert and is
 * reported. Control characters, bad encodings, wrong field counts, bad
 * numbers and repeated sequence numbers are errors naming file and line.
 *
 * Invariant on success: the count and sum of the detail lines equal every
 * count and total the header and trailer declare (and, for returns, the
 * accepted/rejected split where the layout carries it).
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/date.h"
#include "common/money.h"
#include "common/text.h"
#include "formats/textfmt_int.h"

enum role { R_HEADER, R_TRAILER, NROLES };
static const char *const role_names[NROLES] = { "header", "trailer" };

struct decl {
	int	 set;
	int64_t	 v;
	long	 line;
};

struct rd {
	const struct textfmt	*d;
	enum textfmt_kind	 kind;
	const struct tf_layout	*y;
	FILE			*fp;
	const char		*name;
	struct gw_err		*e;
	textfmt_item_cb		 cb;
	void			*arg;

	char			 in[65536];
	size_t			 in_len, in_pos;
	int			 eof;
	long			 lineno;

	/* The line being handled and the one held back for the trailer. */
	char			 buf[2][TEXTFMT_MAX_LINE + 2];
	size_t			 blen[2];
	long			 bline[2];

	/* UTF-8 text of the fields of the current line. */
	/* A GBK byte (0x80, the euro) can become 3 UTF-8 bytes; a NUL each. */
	char			 conv[3 * TEXTFMT_MAX_LINE + TF_MAX_FIELDS + 16];
	char			*fv[TF_MAX_FIELDS];

	struct decl		 decl[NROLES][TF_NFIDS];
	struct textfmt_summary	 sum;
	unsigned char		*seen;		/* seq bitmap */
};

static int
rerr(struct rd *r, int code, long line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int
rerr(struct rd *r, int code, long line, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = tf_verr(r->e, code, r->name, line, fmt, ap);
	va_end(ap);
	return rc;
}

/* Next physical line into dst (no line end). 1 line, 0 end, <0 error. */
static int
next_line(struct rd *r, char *dst, size_t *lenp)
{
	size_t len = 0;
	int got_nl = 0;

	while (!got_nl) {
		const char *p, *nl;
		size_t avail, n;

		if (r->in_pos == r->in_len) {
			if (r->eof)
				break;
			r->in_len = fread(r->in, 1, sizeof(r->in), r->fp);
			r->in_pos = 0;
			if (r->in_len == 0) {
				if (ferror(r->fp))
					return rerr(r, GW_EIO, 0, "read error "
					    "after line %ld: %s", r->lineno,
					    strerror(errno));
				r->eof = 1;
				break;
			}
		}
		p = r->in + r->in_pos;
		avail = r->in_len - r->in_pos;
		nl = memchr(p, '\n', avail);
		n = nl != NULL ? (size_t)(nl - p) : avail;
		/* One byte of slack for the CR of a CRLF line end. */
		if (len + n > TEXTFMT_MAX_LINE + 1)
			return rerr(r, GW_ELIMIT, r->lineno + 1, "line longer "
			    "than %d bytes", TEXTFMT_MAX_LINE);
		memcpy(dst + len, p, n);
		len += n;
		r->in_pos += n;
		if (nl != NULL) {
			r->in_pos++;
			got_nl = 1;
		}
	}
	if (!got_nl && len == 0)
		return 0;
	r->lineno++;
	if (len > 0 && dst[len - 1] == '\r')
		len--;
	if (len > TEXTFMT_MAX_LINE)
		return rerr(r, GW_ELIMIT, r->lineno, "line longer than %d "
		    "bytes", TEXTFMT_MAX_LINE);
	*lenp = len;
	return 1;
}

static char *
trim(char *s)
{
	size_t n;

	while (*s == ' ')
		s++;
	n = strlen(s);
	while (n > 0 && s[n - 1] == ' ')
		s[--n] = '\0';
	return s;
}

/*
 * What a message about field i of a fixed line (starting at byte off of
 * the line) says first, "field 3 (account_no, bytes 10-34): "; "" for a
 * whole line (f NULL). Only on failure: per field it would cost as much
 * as reading the line.
 */
static const char *
field_what(char buf[96], const struct tf_field *f, int i, size_t off)
{
	if (f == NULL)
		return "";
	snprintf(buf, 96, "field %d (%s, bytes %zu-%zu): ", i + 1,
	    f->id == TF_LITERAL ? "literal" : tf_fdef(f->id)->name, off + 1,
	    off + (size_t)f->width);
	return buf;
}

/* Bytes s[0..len) of the file's encoding to UTF-8 at out; 0 or error.
 * f, i and off say which field it is (field_what). */
static int
to_utf8(struct rd *r, long line, const struct tf_field *f, int i, size_t off,
    const char *s, size_t len, char *out, size_t cap, size_t *outlen)
{
	struct gw_err local = GW_ERR_INIT;
	size_t bad = 0;
	char what[96];

	if (tf_is_ascii(s, len) || r->d->cs == CS_UTF8) {
		if (r->d->cs == CS_UTF8 && !utf8_valid(s, len, NULL, &bad))
			return rerr(r, GW_EINPUT, line, "%snot valid UTF-8 at "
			    "byte %zu", field_what(what, f, i, off), bad);
		if (len + 1 > cap)
			return rerr(r, GW_ELIMIT, line, "%stoo long",
			    field_what(what, f, i, off));
		memcpy(out, s, len);
		out[len] = '\0';
		*outlen = len;
		return 0;
	}
	if (text_to_utf8(out, cap, outlen, s, len, r->d->charset, &local) != 0)
		return rerr(r, local.code == GW_EENV ? GW_EENV : GW_EINPUT, line,
		    "%snot valid %s text (%s)", field_what(what, f, i, off),
		    r->d->charset, local.msg);
	return 0;
}

/* Cut the line into r->fv[0..L->n), UTF-8, trimmed. */
static int
split(struct rd *r, const struct tf_line *L, const char *which, char *s,
    size_t len, long line)
{
	const struct textfmt *d = r->d;
	size_t n;
	int i;

	if (!d->fixed) {
		char *p, *end;

		if (to_utf8(r, line, NULL, 0, 0, s, len, r->conv,
		    sizeof(r->conv), &n) != 0)
			return r->e->code;
		if (text_has_control(r->conv, n))
			return rerr(r, GW_EINPUT, line, "control character in "
			    "the line");
		if (d->trailing_sep) {
			if (n < d->seplen || memcmp(r->conv + n - d->seplen,
			    d->sep, d->seplen) != 0)
				return rerr(r, GW_EINPUT, line, "%s line does "
				    "not end with the separator '%s'", which,
				    d->sep);
			n -= d->seplen;
			r->conv[n] = '\0';
		}
		p = r->conv;
		end = r->conv + n;
		for (i = 0;; i++) {
			char *q = memmem(p, (size_t)(end - p), d->sep,
			    d->seplen);

			if (i < TF_MAX_FIELDS)
				r->fv[i] = p;
			if (q == NULL)
				break;
			*q = '\0';
			p = q + d->seplen;
		}
		if (i + 1 != L->n)
			return rerr(r, GW_EINPUT, line, "%d fields; a %s %s line "
			    "has %d", i + 1, textfmt_kind_name(r->kind), which,
			    L->n);
		for (i = 0; i < L->n; i++)
			r->fv[i] = trim(r->fv[i]);
		return 0;
	} else {
		size_t off = 0, o = 0;

		if (len > (size_t)L->width)
			return rerr(r, GW_EINPUT, line, "%zu bytes; a %s %s line "
			    "has %d", len, textfmt_kind_name(r->kind), which,
			    L->width);
		/* Trailing spaces some systems strip: pad them back. */
		memset(s + len, ' ', (size_t)L->width - len);
		for (i = 0; i < L->n; i++) {
			const struct tf_field *f = &L->f[i];
			char what[96];

			if (to_utf8(r, line, f, i, off, s + off,
			    (size_t)f->width, r->conv + o, sizeof(r->conv) - o,
			    &n) != 0)
				return r->e->code;
			if (text_has_control(r->conv + o, n))
				return rerr(r, GW_EINPUT, line, "%scontrol "
				    "character", field_what(what, f, i, off));
			r->fv[i] = trim(r->conv + o);
			o += n + 1;
			off += (size_t)f->width;
		}
		return 0;
	}
}

/* A whole number 0..max; GW_ELIMIT above max when limit, else GW_EINPUT. */
static int
parse_num(struct rd *r, long line, const char *what, const char *s,
    int64_t min, int64_t max, int limit, int64_t *out)
{
	int64_t v = 0;
	const char *p;

	if (*s == '\0')
		return rerr(r, GW_EINPUT, line, "%s: empty", what);
	for (p = s; *p != '\0'; p++) {
		if (!isdigit((unsigned char)*p))
			return rerr(r, GW_EINPUT, line, "%s: '%.40s' is not a "
			    "whole number", what, s);
		/* max is at most TEXTFMT_MAX_ITEMS: v * 10 cannot overflow. */
		v = v * 10 + (*p - '0');
		if (v > max)
			return rerr(r, limit ? GW_ELIMIT : GW_EINPUT, line,
			    "%s: %.40s is more than %" PRId64, what, s, max);
	}
	if (v < min)
		return rerr(r, GW_EINPUT, line, "%s: %" PRId64 " is less than %"
		    PRId64, what, v, min);
	*out = v;
	return 0;
}

static int
parse_amount(struct rd *r, long line, const char *what, const char *s,
    int64_t *out)
{
	struct gw_err local = GW_ERR_INIT;
	int rc;

	if (r->d->yuan)
		rc = money_parse_yuan(out, s, strlen(s), 0, &local);
	else
		rc = money_parse_fen(out, s, strlen(s), &local);
	if (rc != 0)
		return rerr(r, GW_EINPUT, line, "%s '%.40s': %s (amounts are in "
		    "%s)", what, s, local.msg, r->d->yuan ? "yuan" : "fen");
	return 0;
}

static int
check_literal(struct rd *r, long line, int i, const struct tf_field *f,
    const char *v)
{
	const char *lit = f->lit;
	size_t n;

	while (*lit == ' ')
		lit++;
	n = strlen(lit);
	while (n > 0 && lit[n - 1] == ' ')
		n--;
	if (strlen(v) != n || memcmp(v, lit, n) != 0)
		return rerr(r, GW_EINPUT, line, "field %d is '%.40s', the "
		    "layout wants \"%s\"", i + 1, v, f->lit);
	return 0;
}

static int
copy_id(struct rd *r, long line, const char *what, char *dst, size_t cap,
    const char *v)
{
	if (strlen(v) >= cap)
		return rerr(r, GW_EINPUT, line, "%s: longer than %zu bytes",
		    what, cap - 1);
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

static int
do_summary(struct rd *r, enum role role, char *s, size_t len, long line)
{
	const struct tf_line *L = role == R_HEADER ? &r->y->header :
	    &r->y->trailer;
	int i;

	if (split(r, L, role_names[role], s, len, line) != 0)
		return r->e->code;
	for (i = 0; i < L->n; i++) {
		const struct tf_field *f = &L->f[i];
		const char *v = r->fv[i], *fname = tf_fdef(f->id)->name;
		struct decl *dc = &r->decl[role][f->id];
		char what[64];
		int rc = 0;

		snprintf(what, sizeof(what), "%s %s", role_names[role], fname);
		switch (tf_fdef(f->id)->type) {
		case T_LIT:
			rc = check_literal(r, line, i, f, v);
			break;
		case T_NUM:
			rc = parse_num(r, line, what, v, 0, r->d->max_items, 1,
			    &dc->v);
			dc->set = 1;
			break;
		case T_AMOUNT:
			rc = parse_amount(r, line, what, v, &dc->v);
			dc->set = 1;
			break;
		case T_DATE: {
			struct gw_err local = GW_ERR_INIT;

			if ((r->d->date_dashes ? date_parse(&r->sum.date, v,
			    strlen(v), &local) : date_parse_compact(&r->sum.date,
			    v, strlen(v), &local)) != 0)
				rc = rerr(r, GW_EINPUT, line, "%s '%.40s': %s",
				    what, v, local.msg);
			r->sum.has_date = 1;
			break;
		}
		default:
			if (f->id == TF_FILE_ID)
				rc = copy_id(r, line, what, r->sum.file_id,
				    sizeof(r->sum.file_id), v);
			else if (f->id == TF_CREDITOR_ACCOUNT)
				rc = copy_id(r, line, what,
				    r->sum.creditor_account,
				    sizeof(r->sum.creditor_account), v);
			break;
		}
		if (rc != 0)
			return rc;
		dc->line = line;
	}
	return 0;
}

/* Note seq as seen; a repeat is an error (an item must not post twice). */
static int
see_seq(struct rd *r, long line, int64_t seq)
{
	size_t byte = (size_t)seq / 8;
	unsigned bit = 1u << (seq % 8);

	if (r->seen == NULL &&
	    (r->seen = calloc((size_t)r->d->max_items / 8 + 1, 1)) == NULL)
		return rerr(r, GW_ENOMEM, line, "out of memory");
	if (r->seen[byte] & bit)
		return rerr(r, GW_EINPUT, line, "seq %" PRId64 " appears twice",
		    seq);
	r->seen[byte] |= bit;
	return 0;
}

static int
do_detail(struct rd *r, char *s, size_t len, long line)
{
	const struct tf_line *L = &r->y->detail;
	struct textfmt_item it;
	const char **strs[TF_NFIDS] = { 0 };
	int i, rc;

	if (split(r, L, "detail", s, len, line) != 0)
		return r->e->code;
	memset(&it, 0, sizeof(it));
	it.line = line;
	it.ref = it.account_no = it.account_name = it.payer_id = "";
	it.mandate_id = it.memo = it.result_code = it.result_text = "";
	strs[TF_REF] = &it.ref;
	strs[TF_ACCOUNT_NO] = &it.account_no;
	strs[TF_ACCOUNT_NAME] = &it.account_name;
	strs[TF_PAYER_ID] = &it.payer_id;
	strs[TF_MANDATE_ID] = &it.mandate_id;
	strs[TF_MEMO] = &it.memo;
	strs[TF_RESULT_CODE] = &it.result_code;
	strs[TF_RESULT_TEXT] = &it.result_text;
	for (i = 0; i < L->n; i++) {
		const struct tf_field *f = &L->f[i];
		const char *v = r->fv[i];

		rc = 0;
		if (f->id == TF_LITERAL)
			rc = check_literal(r, line, i, f, v);
		else if (f->id == TF_SEQ)
			rc = parse_num(r, line, "seq", v, 1, r->d->max_items, 0,
			    &it.seq);
		else if (f->id == TF_AMOUNT)
			rc = parse_amount(r, line, "amount", v, &it.amount_fen);
		else if (strs[f->id] != NULL)
			*strs[f->id] = v;
		if (rc != 0)
			return rc;
	}
	if (r->y->key == TF_REF && *it.ref == '\0')
		return rerr(r, GW_EINPUT, line, "ref: empty");
	if (r->kind == TEXTFMT_DEBIT && (*it.account_no == '\0' ||
	    *it.account_name == '\0'))
		return rerr(r, GW_EINPUT, line, "%s: empty",
		    *it.account_no == '\0' ? "account_no" : "account_name");
	if (r->kind == TEXTFMT_RETURN && *it.result_code == '\0')
		return rerr(r, GW_EINPUT, line, "result_code: empty");
	if (it.seq > 0 && see_seq(r, line, it.seq) != 0)
		return r->e->code;
	if (++r->sum.count > r->d->max_items)
		return rerr(r, GW_ELIMIT, line, "more than %" PRId64 " items",
		    r->d->max_items);
	if (money_add(&r->sum.total_fen, it.amount_fen, NULL) != 0)
		return rerr(r, GW_EINPUT, line, "amounts add up beyond any "
		    "batch");
	if (r->kind == TEXTFMT_RETURN) {
		it.accepted = tf_is_success(r->d, it.result_code);
		if (it.accepted) {
			r->sum.ok_count++;
			r->sum.ok_total_fen += it.amount_fen;
		} else {
			it.category = tf_category(r->d, it.result_code);
			r->sum.fail_count++;
			r->sum.fail_total_fen += it.amount_fen;
		}
	}
	if (r->cb != NULL && (rc = r->cb(r->arg, &it, r->e)) != 0) {
		if (r->e->code == 0)
			rerr(r, rc < 0 ? rc : GW_EINPUT, line, "rejected by the "
			    "caller");
		return r->e->code;
	}
	return 0;
}

/* Every count and total the header and trailer declare must hold. */
static int
check_totals(struct rd *r)
{
	static const struct {
		enum tf_fid	 id;
		int		 money;
		const char	*what;
	} checks[] = {
		{ TF_COUNT, 0, "items" },
		{ TF_TOTAL, 1, "a total of" },
		{ TF_OK_COUNT, 0, "accepted items" },
		{ TF_OK_TOTAL, 1, "an accepted total of" },
		{ TF_FAIL_COUNT, 0, "rejected items" },
		{ TF_FAIL_TOTAL, 1, "a rejected total of" },
	};
	int64_t have[TF_NFIDS];
	size_t i;
	int role;

	have[TF_COUNT] = r->sum.count;
	have[TF_TOTAL] = r->sum.total_fen;
	have[TF_OK_COUNT] = r->sum.ok_count;
	have[TF_OK_TOTAL] = r->sum.ok_total_fen;
	have[TF_FAIL_COUNT] = r->sum.fail_count;
	have[TF_FAIL_TOTAL] = r->sum.fail_total_fen;
	for (role = 0; role < NROLES; role++)
		for (i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
			const struct decl *dc = &r->decl[role][checks[i].id];
			int64_t h = have[checks[i].id];
			char a[MONEY_BUFSZ], b[MONEY_BUFSZ];

			if (!dc->set || dc->v == h)
				continue;
			if (checks[i].money)
				return rerr(r, GW_EINPUT, dc->line, "%s declares "
				    "%s %s, the detail lines add up to %s",
				    role_names[role], checks[i].what,
				    money_format(a, dc->v), money_format(b, h));
			return rerr(r, GW_EINPUT, dc->line, "%s declares %"
			    PRId64 " %s, the file has %" PRId64,
			    role_names[role], dc->v, checks[i].what, h);
		}
	return 0;
}

static int
blank(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] != ' ')
			return 0;
	return 1;
}

static int
read_all(struct rd *r)
{
	const struct tf_layout *y = r->y;
	int seen_header = y->header.n == 0, held = 0, cur = 0, rc;
	size_t len = 0;

	while ((rc = next_line(r, r->buf[cur], &len)) == 1) {
		char *s = r->buf[cur];

		if (r->lineno == 1 && r->d->cs == CS_UTF8 && len >= 3 &&
		    memcmp(s, "\xef\xbb\xbf", 3) == 0) {
			memmove(s, s + 3, len - 3);
			len -= 3;
		}
		if (blank(s, len))
			continue;
		if (!seen_header) {
			seen_header = 1;
			if (do_summary(r, R_HEADER, s, len, r->lineno) != 0)
				return r->e->code;
			continue;
		}
		if (y->trailer.n == 0) {
			if (do_detail(r, s, len, r->lineno) != 0)
				return r->e->code;
			continue;
		}
		/* Hold the line back: it is the trailer if nothing follows. */
		if (held && do_detail(r, r->buf[!cur], r->blen[!cur],
		    r->bline[!cur]) != 0)
			return r->e->code;
		r->blen[cur] = len;
		r->bline[cur] = r->lineno;
		held = 1;
		cur = !cur;
	}
	if (rc < 0)
		return rc;
	if (!seen_header)
		return rerr(r, GW_EINPUT, 0, "empty file: no header line");
	if (y->trailer.n != 0) {
		if (!held)
			return rerr(r, GW_EINPUT, r->lineno, "no trailer line");
		if (do_summary(r, R_TRAILER, r->buf[!cur], r->blen[!cur],
		    r->bline[!cur]) != 0)
			return r->e->code;
	}
	return check_totals(r);
}

int
textfmt_read_fp(const struct textfmt *d, enum textfmt_kind kind, FILE *fp,
    const char *name, textfmt_item_cb cb, void *arg,
    struct textfmt_summary *sum, struct gw_err *e)
{
	struct gw_err local = GW_ERR_INIT;
	struct rd *r;
	int rc;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return gw_err_set(e, GW_ENOMEM, "%s: out of memory", name);
	r->d = d;
	r->kind = kind;
	r->y = &d->lay[kind];
	r->fp = fp;
	r->name = name;
	r->e = e != NULL ? e : &local;
	r->cb = cb;
	r->arg = arg;
	r->sum.kind = kind;
	rc = read_all(r);
	r->sum.lines = r->lineno;
	if (sum != NULL)
		*sum = r->sum;
	free(r->seen);
	free(r);
	return rc;
}

static int
read_path(const struct textfmt *d, enum textfmt_kind kind, const char *path,
    textfmt_item_cb cb, void *arg, struct textfmt_summary *sum,
    struct gw_err *e)
{
	FILE *fp;
	int rc;

	if ((fp = fopen(path, "rb")) == NULL)
		return gw_err_set(e, errno == ENOENT ? GW_ENOTFOUND : GW_EIO,
		    "%s: %s", path, strerror(errno));
	rc = textfmt_read_fp(d, kind, fp, path, cb, arg, sum, e);
	fclose(fp);
	return rc;
}

int
textfmt_read_returns(const struct textfmt *d, const char *path,
    textfmt_item_cb cb, void *arg, struct textfmt_summary *sum,
    struct gw_err *e)
{
	return read_path(d, TEXTFMT_RETURN, path, cb, arg, sum, e);
}

int
textfmt_read_debits(const struct textfmt *d, const char *path,
    textfmt_item_cb cb, void *arg, struct textfmt_summary *sum,
    struct gw_err *e)
{
	return read_path(d, TEXTFMT_DEBIT, path, cb, arg, sum, e);
}

int
textfmt_detect(const struct textfmt *d, const char *path,
    enum textfmt_kind *kind, struct textfmt_summary *sum, struct gw_err *e)
{
	struct gw_err ed = GW_ERR_INIT, er = GW_ERR_INIT;
	struct textfmt_summary sd, sr;
	int rd, rr;

	rd = read_path(d, TEXTFMT_DEBIT, path, NULL, NULL, &sd, &ed);
	if (rd == 0) {
		*kind = TEXTFMT_DEBIT;
		if (sum != NULL)
			*sum = sd;
		return 0;
	}
	if (rd == GW_ENOTFOUND || rd == GW_EIO || rd == GW_ENOMEM)
		return gw_err_set(e, rd, "%s", ed.msg);
	rr = read_path(d, TEXTFMT_RETURN, path, NULL, NULL, &sr, &er);
	if (rr == 0) {
		*kind = TEXTFMT_RETURN;
		if (sum != NULL)
			*sum = sr;
		return 0;
	}
	/* Neither: the reading that went further says what is wrong. */
	if (sd.lines > sr.lines)
		return gw_err_set(e, rd, "%s (as a %s debit file)", ed.msg,
		    d->name);
	return gw_err_set(e, rr, "%s (as a %s return file)", er.msg, d->name);
}
