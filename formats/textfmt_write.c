/*
 * textfmt_write.c - writing debit files (and return files, for the bank
 * simulator) in a descriptor's layout.
 *
 * Every line, header and trailer included, is built by build_line() from
 * UTF-8 values: each value is checked (valid UTF-8, no control character,
 * no separator inside, no padding spaces that a reader would trim away),
 * encoded, and then joined by the separator or padded to its byte width.
 * textfmt_item_check runs the very same build into a scratch buffer, so
 * what it promises is what textfmt_write_item writes.
 *
 * Invariants: the writer never changes an amount, an account or a count;
 * the only adjustments are the documented ones (the [names] substitute,
 * free text cut at a character boundary to its width). The header is
 * written from the declared totals; finish() compares them with what was
 * written and fails otherwise, so a file with wrong control totals is
 * never completed. Errors are sticky: after the first, every call
 * returns it.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/date.h"
#include "common/money.h"
#include "common/text.h"
#include "formats/textfmt_int.h"

/* UTF-8 value of every column of one line, numbers already formatted. */
struct tf_vals {
	const char	*v[TF_NFIDS];
	char		 num[TF_NFIDS][MONEY_BUFSZ];
};

struct textfmt_writer {
	const struct textfmt	*d;
	enum textfmt_kind	 kind;
	const struct tf_layout	*y;
	FILE			*fp;
	struct textfmt_batch	 b;
	char			*file_id, *creditor_account, *creditor_name;
	int64_t			 count, total;
	int64_t			 ok_count, ok_total, fail_count, fail_total;
	int64_t			 last_seq;
	struct gw_err		 err;
	char			 line[TEXTFMT_MAX_LINE + 1];
};

static int
held(char *why, size_t whylen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
held(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (why != NULL && whylen > 0) {
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return TEXTFMT_HELD;
}

static void
set_num(struct tf_vals *v, enum tf_fid id, int64_t n)
{
	snprintf(v->num[id], sizeof(v->num[id]), "%" PRId64, n);
	v->v[id] = v->num[id];
}

static void
set_amount(const struct textfmt *d, struct tf_vals *v, enum tf_fid id,
    int64_t fen)
{
	if (d->yuan)
		money_format(v->num[id], fen);
	else
		snprintf(v->num[id], sizeof(v->num[id]), "%" PRId64, fen);
	v->v[id] = v->num[id];
}

/* Longest prefix of enc[0..n) that ends on a character and fits in w. */
static size_t
cut(const struct textfmt *d, const char *enc, size_t n, size_t w)
{
	size_t o = 0, k;

	while (o < n) {
		k = tf_charlen(d, (const unsigned char *)enc + o, n - o);
		if (o + k > w)
			break;
		o += k;
	}
	return o;
}

/*
 * Build line L from v into out. Returns 0, or TEXTFMT_HELD with the reason
 * in why. *nsubst counts substituted characters, *subst_field names the
 * first field that took one.
 */
static int
build_line(const struct textfmt *d, const struct tf_line *L,
    const struct tf_vals *v, char *out, size_t cap, size_t *outlen,
    int *nsubst, const char **subst_field, char *why, size_t whylen)
{
	char fb[TEXTFMT_MAX_LINE + 1], bad[8] = "";
	size_t o = 0;
	int i;

	for (i = 0; i < L->n; i++) {
		const struct tf_field *f = &L->f[i];
		const struct tf_fdef *fd = tf_fdef(f->id);
		const char *s = "", *enc = fb;
		size_t len = 0, n = 0;
		int right = 0;

		if (i > 0 && !d->fixed) {
			if (o + d->sep_enclen > cap)
				return held(why, whylen, "line longer than %d "
				    "bytes", TEXTFMT_MAX_LINE);
			memcpy(out + o, d->sep_enc, d->sep_enclen);
			o += d->sep_enclen;
		}
		if (fd->type == T_LIT) {
			enc = f->lit_enc;
			n = f->lit_enclen;
		} else if (fd->type != T_FILLER) {
			int before = *nsubst, rc, subst;

			if (v->v[f->id] != NULL)
				s = v->v[f->id];
			len = strlen(s);
			if (fd->type == T_FREE) {
				while (len > 0 && *s == ' ')
					s++, len--;
				while (len > 0 && s[len - 1] == ' ')
					len--;
			} else if (len > 0 && (s[0] == ' ' || s[len - 1] == ' '))
				return held(why, whylen, "%s: leading or "
				    "trailing space", fd->name);
			if (!utf8_valid(s, len, NULL, NULL))
				return held(why, whylen, "%s: not valid UTF-8",
				    fd->name);
			if (text_has_control(s, len))
				return held(why, whylen, "%s: holds a control "
				    "character", fd->name);
			if (!d->fixed && memmem(s, len, d->sep, d->seplen))
				return held(why, whylen, "%s: holds the "
				    "separator '%s'", fd->name, d->sep);
			subst = fd->type == T_FREE ||
			    (fd->type == T_NAME && d->substitute);
			rc = tf_encode(d, s, len, fb, sizeof(fb), &n, subst,
			    nsubst, bad);
			if (rc == GW_EINPUT)
				return held(why, whylen, "%s: '%s' has no %s "
				    "code", fd->name, bad, d->charset);
			if (rc != 0)
				return held(why, whylen, "%s: longer than %d "
				    "bytes", fd->name, TEXTFMT_MAX_LINE);
			if (*nsubst > before && *subst_field == NULL)
				*subst_field = fd->name;
			right = fd->type == T_NUM || fd->type == T_AMOUNT;
		}
		if (d->fixed) {
			size_t w = (size_t)f->width, pad;

			if (n > w) {
				if (fd->type != T_FREE)
					return held(why, whylen, "%s: %zu bytes do "
					    "not fit in %zu columns", fd->name, n,
					    w);
				n = cut(d, enc, n, w);
			}
			if (o + w > cap)
				return held(why, whylen, "line longer than %d "
				    "bytes", TEXTFMT_MAX_LINE);
			pad = w - n;
			if (right) {
				memset(out + o, d->number_pad, pad);
				memcpy(out + o + pad, enc, n);
			} else {
				memcpy(out + o, enc, n);
				memset(out + o + n, ' ', pad);
			}
			o += w;
		} else {
			if (o + n > cap)
				return held(why, whylen, "line longer than %d "
				    "bytes", TEXTFMT_MAX_LINE);
			memcpy(out + o, enc, n);
			o += n;
		}
	}
	if (d->trailing_sep) {
		if (o + d->sep_enclen > cap)
			return held(why, whylen, "line longer than %d bytes",
			    TEXTFMT_MAX_LINE);
		memcpy(out + o, d->sep_enc, d->sep_enclen);
		o += d->sep_enclen;
	}
	*outlen = o;
	return 0;
}

/* Values of a detail line, or TEXTFMT_HELD when the item itself is unfit. */
static int
item_vals(const struct textfmt *d, enum textfmt_kind kind,
    const struct textfmt_item *it, struct tf_vals *v, char *why,
    size_t whylen)
{
	const struct tf_layout *y = &d->lay[kind];

	memset(v->v, 0, sizeof(v->v));
	if (it->amount_fen <= 0 || it->amount_fen > MONEY_MAX_FEN)
		return held(why, whylen, "amount: %" PRId64 " fen is not a "
		    "positive amount", it->amount_fen);
	if (y->detail.has[TF_SEQ] && (it->seq < 1 || it->seq > d->max_items))
		return held(why, whylen, "seq: %" PRId64 " is not 1..%" PRId64,
		    it->seq, d->max_items);
	if (y->key == TF_REF && (it->ref == NULL || *it->ref == '\0'))
		return held(why, whylen, "ref: empty");
	if (kind == TEXTFMT_DEBIT && (it->account_no == NULL ||
	    *it->account_no == '\0' || it->account_name == NULL ||
	    *it->account_name == '\0'))
		return held(why, whylen, "account_no and account_name must not "
		    "be empty");
	if (kind == TEXTFMT_RETURN && (it->result_code == NULL ||
	    *it->result_code == '\0'))
		return held(why, whylen, "result_code: empty");
	set_num(v, TF_SEQ, it->seq);
	set_amount(d, v, TF_AMOUNT, it->amount_fen);
	v->v[TF_REF] = it->ref;
	v->v[TF_ACCOUNT_NO] = it->account_no;
	v->v[TF_ACCOUNT_NAME] = it->account_name;
	v->v[TF_PAYER_ID] = it->payer_id;
	v->v[TF_MANDATE_ID] = it->mandate_id;
	v->v[TF_MEMO] = it->memo;
	v->v[TF_RESULT_CODE] = it->result_code;
	v->v[TF_RESULT_TEXT] = it->result_text;
	return 0;
}

/* Build an item's line; TEXTFMT_FITS, _SUBSTITUTED or _HELD. */
static enum textfmt_fit
item_line(const struct textfmt *d, enum textfmt_kind kind,
    const struct textfmt_item *it, char *out, size_t cap, size_t *outlen,
    char *why, size_t whylen)
{
	const char *subst_field = NULL;
	struct tf_vals v;
	int nsubst = 0;

	if (why != NULL && whylen > 0)
		*why = '\0';
	if (item_vals(d, kind, it, &v, why, whylen) != 0 ||
	    build_line(d, &d->lay[kind].detail, &v, out, cap, outlen, &nsubst,
	    &subst_field, why, whylen) != 0)
		return TEXTFMT_HELD;
	if (nsubst == 0)
		return TEXTFMT_FITS;
	held(why, whylen, "%d character%s without a %s code written as '%s' "
	    "(first in %s)", nsubst, nsubst == 1 ? "" : "s", d->charset,
	    d->subst, subst_field);
	return TEXTFMT_SUBSTITUTED;
}

enum textfmt_fit
textfmt_item_check(const struct textfmt *d, enum textfmt_kind kind,
    const struct textfmt_item *it, char *why, size_t whylen)
{
	char line[TEXTFMT_MAX_LINE + 1];
	size_t n;

	return item_line(d, kind, it, line, sizeof(line), &n, why, whylen);
}

/* Write a header or trailer line from the batch (dry: only build it). */
static int
write_summary(struct textfmt_writer *w, const struct tf_line *L,
    const char *which, int dry)
{
	const struct textfmt *d = w->d;
	char why[256];
	struct tf_vals v;
	size_t n;
	int nsubst = 0;
	const char *sf = NULL;

	if (L->n == 0)
		return 0;
	memset(v.v, 0, sizeof(v.v));
	set_num(&v, TF_COUNT, w->b.count);
	set_amount(d, &v, TF_TOTAL, w->b.total_fen);
	set_num(&v, TF_OK_COUNT, w->b.ok_count);
	set_amount(d, &v, TF_OK_TOTAL, w->b.ok_total_fen);
	set_num(&v, TF_FAIL_COUNT, w->b.fail_count);
	set_amount(d, &v, TF_FAIL_TOTAL, w->b.fail_total_fen);
	if (L->has[TF_DATE]) {
		int y, m, dd;

		date_to_ymd(w->b.date, &y, &m, &dd);
		snprintf(v.num[TF_DATE], sizeof(v.num[TF_DATE]),
		    d->date_dashes ? "%04d-%02d-%02d" : "%04d%02d%02d", y, m,
		    dd);
		v.v[TF_DATE] = v.num[TF_DATE];
	}
	v.v[TF_FILE_ID] = w->file_id;
	v.v[TF_CREDITOR_ACCOUNT] = w->creditor_account;
	v.v[TF_CREDITOR_NAME] = w->creditor_name;
	if (build_line(d, L, &v, w->line, sizeof(w->line) - 1, &n, &nsubst,
	    &sf, why, sizeof(why)) != 0)
		return gw_err_set(&w->err, GW_EINPUT, "%s %s file %s: %s",
		    d->name, textfmt_kind_name(w->kind), which, why);
	if (dry)
		return 0;
	if (fwrite(w->line, 1, n, w->fp) != n || fputs(d->eol, w->fp) < 0)
		return gw_err_set(&w->err, GW_EIO, "%s file: write failed",
		    textfmt_kind_name(w->kind));
	return 0;
}

static int
sticky(struct textfmt_writer *w, struct gw_err *e)
{
	return gw_err_pass(e, &w->err);
}

static char *
dup_or_null(const char *s, int *nomem)
{
	char *r;

	if (s == NULL)
		return NULL;
	if ((r = strdup(s)) == NULL)
		*nomem = 1;
	return r;
}

int
textfmt_writer_new(struct textfmt_writer **out, const struct textfmt *d,
    enum textfmt_kind kind, FILE *fp, const struct textfmt_batch *b,
    struct gw_err *e)
{
	struct textfmt_writer *w;
	const struct tf_layout *y = &d->lay[kind];
	int nomem = 0, yy, m, dd;

	*out = NULL;
	if (b->count < 0 || b->count > d->max_items)
		return gw_err_set(e, GW_ELIMIT, "%s: %" PRId64 " items; the "
		    "format takes 0..%" PRId64, d->name, b->count,
		    d->max_items);
	if (b->total_fen < 0 || b->total_fen > MONEY_MAX_FEN ||
	    b->ok_total_fen < 0 || b->fail_total_fen < 0 ||
	    b->ok_count < 0 || b->fail_count < 0)
		return gw_err_set(e, GW_EINPUT, "%s: negative or huge totals",
		    d->name);
	if (y->header.has[TF_DATE] || y->trailer.has[TF_DATE]) {
		date_to_ymd(b->date, &yy, &m, &dd);
		if (!date_is_valid(yy, m, dd))
			return gw_err_set(e, GW_EINPUT, "%s: batch date %d is "
			    "not a date", d->name, b->date);
	}
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	w->d = d;
	w->kind = kind;
	w->y = y;
	w->fp = fp;
	w->b = *b;
	w->file_id = dup_or_null(b->file_id, &nomem);
	w->creditor_account = dup_or_null(b->creditor_account, &nomem);
	w->creditor_name = dup_or_null(b->creditor_name, &nomem);
	w->b.file_id = w->b.creditor_account = w->b.creditor_name = NULL;
	if (nomem) {
		textfmt_writer_free(w);
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	}
	/* The trailer holds only declared values: check it now, not after
	 * a million lines. */
	if (write_summary(w, &y->trailer, "trailer", 1) != 0 ||
	    write_summary(w, &y->header, "header", 0) != 0) {
		int rc = sticky(w, e);

		textfmt_writer_free(w);
		return rc;
	}
	*out = w;
	return 0;
}

int
textfmt_write_item(struct textfmt_writer *w, const struct textfmt_item *it,
    struct gw_err *e)
{
	const struct textfmt *d = w->d;
	char why[256];
	size_t n;

	if (w->err.code != 0)
		return sticky(w, e);
	if (w->y->detail.has[TF_SEQ] && it->seq <= w->last_seq) {
		gw_err_set(&w->err, GW_EINPUT, "%s %s file: item seq %" PRId64
		    " after seq %" PRId64 ": sequence numbers must rise",
		    d->name, textfmt_kind_name(w->kind), it->seq, w->last_seq);
		return sticky(w, e);
	}
	if (item_line(d, w->kind, it, w->line, sizeof(w->line) - 1, &n, why,
	    sizeof(why)) == TEXTFMT_HELD)
		return TEXTFMT_HELD;
	if (fwrite(w->line, 1, n, w->fp) != n || fputs(d->eol, w->fp) < 0) {
		gw_err_set(&w->err, GW_EIO, "%s file: write failed",
		    textfmt_kind_name(w->kind));
		return sticky(w, e);
	}
	w->last_seq = it->seq;
	w->count++;
	if (money_add(&w->total, it->amount_fen, &w->err) != 0)
		return sticky(w, e);
	if (w->kind == TEXTFMT_RETURN) {
		if (tf_is_success(d, it->result_code)) {
			w->ok_count++;
			money_add(&w->ok_total, it->amount_fen, &w->err);
		} else {
			w->fail_count++;
			money_add(&w->fail_total, it->amount_fen, &w->err);
		}
		if (w->err.code != 0)
			return sticky(w, e);
	}
	return 0;
}

/* Declared value and written value differ: the file would lie. */
static int
mismatch(struct textfmt_writer *w, const char *what, int money,
    int64_t declared, int64_t written)
{
	char a[MONEY_BUFSZ], b[MONEY_BUFSZ];

	if (money)
		return gw_err_set(&w->err, GW_EINPUT, "%s %s file: %s declared "
		    "%s but the items written add up to %s (leave held-back "
		    "items out of the totals)", w->d->name,
		    textfmt_kind_name(w->kind), what, money_format(a, declared),
		    money_format(b, written));
	return gw_err_set(&w->err, GW_EINPUT, "%s %s file: %s declared %"
	    PRId64 " but %" PRId64 " items were written (leave held-back "
	    "items out of the totals)", w->d->name, textfmt_kind_name(w->kind),
	    what, declared, written);
}

int
textfmt_writer_finish(struct textfmt_writer *w, struct gw_err *e)
{
	/* Count and total are on every layout (the loader sees to it); the
	 * ok/fail split only on return layouts that carry it. */
	static const enum tf_fid ids[] = { TF_COUNT, TF_TOTAL, TF_OK_COUNT,
	    TF_OK_TOTAL, TF_FAIL_COUNT, TF_FAIL_TOTAL };
	const int64_t declared[] = { w->b.count, w->b.total_fen, w->b.ok_count,
	    w->b.ok_total_fen, w->b.fail_count, w->b.fail_total_fen };
	const int64_t written[] = { w->count, w->total, w->ok_count,
	    w->ok_total, w->fail_count, w->fail_total };
	const struct tf_layout *y = w->y;
	size_t i;

	if (w->err.code != 0)
		return sticky(w, e);
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]) && w->err.code == 0; i++)
		if ((y->header.has[ids[i]] || y->trailer.has[ids[i]]) &&
		    declared[i] != written[i])
			mismatch(w, tf_fdef(ids[i])->name,
			    tf_fdef(ids[i])->type == T_AMOUNT, declared[i],
			    written[i]);
	if (w->err.code == 0)
		write_summary(w, &y->trailer, "trailer", 0);
	if (w->err.code == 0 && (fflush(w->fp) != 0 || ferror(w->fp)))
		gw_err_set(&w->err, GW_EIO, "%s file: write failed",
		    textfmt_kind_name(w->kind));
	if (w->err.code != 0)
		return sticky(w, e);
	/* A second finish would write a second trailer. */
	gw_err_set(&w->err, GW_ESTATE, "%s file: already finished",
	    textfmt_kind_name(w->kind));
	return 0;
}

void
textfmt_writer_free(struct textfmt_writer *w)
{
	if (w == NULL)
		return;
	free(w->file_id);
	free(w->creditor_account);
	free(w->creditor_name);
	free(w);
}
