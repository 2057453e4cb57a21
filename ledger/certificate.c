/*
 * certificate.c - gathering a payer's year, hashing it, printing it.
 *
 * The hash input is every field that matters, each length-prefixed (as in
 * the audit chain) so that no two different ledgers serialise alike:
 * a version tag, payer and year, each obligation of that year in id order
 * (state and amounts included), then each posting on those obligations in
 * entry and line order with its entry's kind, value date and source. Only
 * the first 80 bits are shown: enough that guessing a valid code is out of
 * reach, short enough to read over the phone.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "common/digest.h"
#include "common/money.h"
#include "common/vec.h"
#include "ledger/certificate.h"
#include "ledger/journal.h"
#include "ledger/obligation.h"

struct cert_item {
	int64_t	 obligation_id;
	char	 period[8];
	char	 state[20];		/* paid | paid_other_channel |
					   refund_requested | settled */
	int64_t	 amount_fen;
	int64_t	 subsidy_fen;
	int64_t	 paid_fen;		/* what the payer paid */
	char	 paid_on[11];
	char	 channel[12];
	char	 bank[20];
	char	 reference[64];
	char	 cover_from[11];
	char	 exemption_type[64];
};

struct certificate {
	char		 payer_id[19];
	int		 year;
	struct cert_item *items;
	size_t		 nitems, cap;
	int64_t		*obl_ids;	/* every obligation of the year */
	size_t		 nobl, obl_cap;
	int64_t		 total_paid;
	char		 code[CERT_CODE_SZ];
	EVP_MD_CTX	*md;
};

static void
put(EVP_MD_CTX *md, const char *s)
{
	digest_put(md, s, strlen(s));
}

static void
put_int(EVP_MD_CTX *md, int64_t v)
{
	char b[32];

	snprintf(b, sizeof(b), "%lld", (long long)v);
	put(md, b);
}

static int
listed(const char *state)
{
	return strcmp(state, "paid") == 0 ||
	    strcmp(state, "paid_other_channel") == 0 ||
	    strcmp(state, "refund_requested") == 0 ||
	    strcmp(state, "settled") == 0;
}

static int
add_obligation(void *arg, const struct obligation *o)
{
	struct certificate *c = arg;
	struct cert_item *it;

	put_int(c->md, o->id);
	put(c->md, o->period);
	put(c->md, o->state);
	put_int(c->md, o->amount_fen);
	put_int(c->md, o->subsidy_fen);
	put_int(c->md, o->due_fen);
	put(c->md, o->paid_on);
	put(c->md, o->pay_channel);
	put(c->md, o->pay_bank);
	put(c->md, o->pay_ref);
	put(c->md, o->cover_from);
	if (vec_room(&c->obl_ids, c->nobl, &c->obl_cap,
	    sizeof(*c->obl_ids)) != 0)
		return GW_ENOMEM;
	c->obl_ids[c->nobl++] = o->id;
	if (!listed(o->state))
		return 0;
	if (vec_room(&c->items, c->nitems, &c->cap, sizeof(*c->items)) != 0)
		return GW_ENOMEM;
	it = &c->items[c->nitems++];
	memset(it, 0, sizeof(*it));
	it->obligation_id = o->id;
	snprintf(it->period, sizeof(it->period), "%s", o->period);
	snprintf(it->state, sizeof(it->state), "%s", o->state);
	it->amount_fen = o->amount_fen;
	it->subsidy_fen = o->subsidy_fen;
	it->paid_fen = strcmp(o->state, "settled") == 0 ? 0 : o->due_fen;
	snprintf(it->paid_on, sizeof(it->paid_on), "%s", o->paid_on);
	snprintf(it->channel, sizeof(it->channel), "%s", o->pay_channel);
	snprintf(it->bank, sizeof(it->bank), "%s", o->pay_bank);
	snprintf(it->reference, sizeof(it->reference), "%s", o->pay_ref);
	snprintf(it->cover_from, sizeof(it->cover_from), "%s", o->cover_from);
	snprintf(it->exemption_type, sizeof(it->exemption_type), "%s",
	    o->exemption_type);
	c->total_paid += it->paid_fen;
	return 0;
}

static int
cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static int
add_posting(void *arg, const struct journal_posting *p)
{
	struct certificate *c = arg;

	/* Only postings on this year's obligations. */
	if (bsearch(&p->obligation_id, c->obl_ids, c->nobl, sizeof(int64_t),
	    cmp_id) == NULL)
		return 0;
	put_int(c->md, p->entry_id);
	put_int(c->md, p->line);
	put(c->md, p->kind);
	put(c->md, p->value_date);
	put(c->md, p->source_kind);
	put(c->md, p->source_ref);
	put(c->md, p->account);
	put_int(c->md, p->amount_fen);
	put_int(c->md, p->obligation_id);
	return 0;
}

/* Crockford base 32 of the first 80 bits, grouped by four. */
static void
encode(char out[CERT_CODE_SZ], const unsigned char *d)
{
	static const char b32[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
	int i, k = 0;

	for (i = 0; i < 16; i++) {
		int bit = i * 5, byte = bit / 8, off = bit % 8;
		unsigned v = ((unsigned)d[byte] << 8 | d[byte + 1]) >>
		    (11 - off);

		if (i > 0 && i % 4 == 0)
			out[k++] = '-';
		out[k++] = b32[v & 31];
	}
	out[k] = '\0';
}

void
certificate_free(struct certificate *c)
{
	if (c == NULL)
		return;
	EVP_MD_CTX_free(c->md);
	free(c->items);
	free(c->obl_ids);
	free(c);
}

int
certificate_build(struct certificate **out, struct db *db,
    const char *payer_id, int year, struct gw_err *e)
{
	struct certificate *c;
	struct obligation_filter f;
	struct journal_filter jf;
	unsigned char d[32];
	int rc;

	*out = NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->md = EVP_MD_CTX_new()) == NULL) {
		free(c);
		return gw_err_set(e, GW_ENOMEM, "certificate: out of memory");
	}
	snprintf(c->payer_id, sizeof(c->payer_id), "%s", payer_id);
	c->year = year;
	EVP_DigestInit_ex(c->md, EVP_sha256(), NULL);
	put(c->md, "debitgw-certificate/1");
	put(c->md, payer_id);
	put_int(c->md, year);
	memset(&f, 0, sizeof(f));
	f.payer_id = payer_id;
	f.year = year;
	if ((rc = obligation_foreach(db, &f, add_obligation, c, e)) != 0) {
		if (e->code == 0)
			gw_err_set(e, rc, "certificate: out of memory");
		goto fail;
	}
	if (c->nitems == 0) {
		gw_err_set(e, GW_ENOTFOUND, "payer %s has nothing paid, exempted "
		    "or subsidised for %d", payer_id, year);
		goto fail;
	}
	qsort(c->obl_ids, c->nobl, sizeof(int64_t), cmp_id);
	memset(&jf, 0, sizeof(jf));
	jf.payer_id = payer_id;
	if (journal_foreach_posting(db, &jf, add_posting, c, e) != 0)
		goto fail;
	EVP_DigestFinal_ex(c->md, d, NULL);
	encode(c->code, d);
	*out = c;
	return 0;
fail:
	certificate_free(c);
	return e->code;
}

const char *
certificate_code(const struct certificate *c)
{
	return c->code;
}

size_t
certificate_nitems(const struct certificate *c)
{
	return c->nitems;
}

int64_t
certificate_total_paid(const struct certificate *c)
{
	return c->total_paid;
}

static void
html(FILE *fp, const char *s)
{
	for (; s && *s; s++)
		switch (*s) {
		case '&': fputs("&amp;", fp); break;
		case '<': fputs("&lt;", fp); break;
		case '>': fputs("&gt;", fp); break;
		case '"': fputs("&quot;", fp); break;
		case '\'': fputs("&#39;", fp); break;
		default: putc(*s, fp);
		}
}

static const char *
channel_name(const char *c)
{
	static const struct {
		const char *code, *name;
	} names[] = {
		{ "debit", "银行批量扣款 bank debit" }, { "counter", "柜面 counter" },
		{ "wechat", "微信 WeChat" }, { "alipay", "支付宝 Alipay" },
		{ "bank_app", "手机银行 bank app" }, { "pos", "POS" },
		{ "other", "其他 other" },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(names[i].code, c) == 0)
			return names[i].name;
	return c;
}

int
certificate_write_html(const struct certificate *c, FILE *fp,
    const char *payer_name, const char *issuer, const char *issued_at,
    struct gw_err *e)
{
	char a[MONEY_BUFSZ], s[MONEY_BUFSZ], p[MONEY_BUFSZ];
	size_t i;

	fputs("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<title>城乡居民基本医疗保险缴费证明</title>\n<style>\n"
	    "body{font-family:sans-serif;margin:2em auto;max-width:60em}\n"
	    "table{border-collapse:collapse;width:100%}\n"
	    "td,th{border:1px solid #444;padding:.3em .5em;text-align:left}\n"
	    "td.n{text-align:right}\n.code{font:1.4em monospace}\n"
	    "@media print{body{margin:0}}\n</style>\n</head>\n<body>\n"
	    "<h1>城乡居民基本医疗保险缴费证明</h1>\n"
	    "<p>Resident medical insurance payment certificate</p>\n"
	    "<table>\n", fp);
	fputs("<tr><th>缴费人 Payer</th><td>", fp);
	html(fp, payer_name && *payer_name ? payer_name : "-");
	fputs("</td></tr>\n<tr><th>证件号码 ID</th><td>", fp);
	html(fp, c->payer_id);
	fprintf(fp, "</td></tr>\n<tr><th>年度 Year</th><td>%d</td></tr>\n",
	    c->year);
	fputs("<tr><th>出具单位 Issuer</th><td>", fp);
	html(fp, issuer && *issuer ? issuer : "-");
	fputs("</td></tr>\n<tr><th>出具时间 Issued</th><td>", fp);
	html(fp, issued_at);
	fputs("</td></tr>\n</table>\n<h2>缴费明细 Payments</h2>\n<table>\n"
	    "<tr><th>期间 Period</th><th>核定金额 Assessed</th>"
	    "<th>资助 Subsidy</th><th>个人缴费 Paid</th><th>缴费日期 Date</th>"
	    "<th>渠道 Channel</th><th>流水号 Reference</th>"
	    "<th>待遇起始 Cover from</th></tr>\n", fp);
	for (i = 0; i < c->nitems; i++) {
		const struct cert_item *it = &c->items[i];

		fputs("<tr><td>", fp);
		html(fp, it->period);
		fprintf(fp, "</td><td class=\"n\">%s</td><td class=\"n\">%s</td>"
		    "<td class=\"n\">%s</td><td>", money_format(a, it->amount_fen),
		    money_format(s, it->subsidy_fen),
		    money_format(p, it->paid_fen));
		html(fp, it->paid_on[0] ? it->paid_on : "-");
		fputs("</td><td>", fp);
		if (strcmp(it->state, "settled") == 0)
			html(fp, it->exemption_type[0] ? "减免 exempt" :
			    "全额资助 fully subsidised");
		else {
			html(fp, channel_name(it->channel));
			if (it->bank[0]) {
				fputs(" ", fp);
				html(fp, it->bank);
			}
		}
		fputs("</td><td>", fp);
		html(fp, it->reference[0] ? it->reference : "-");
		fputs("</td><td>", fp);
		html(fp, it->cover_from[0] ? it->cover_from : "-");
		fputs("</td></tr>\n", fp);
	}
	fprintf(fp, "<tr><th colspan=\"3\">合计 Total paid</th>"
	    "<td class=\"n\">%s</td><td colspan=\"4\"></td></tr>\n</table>\n",
	    money_format(p, c->total_paid));
	fprintf(fp, "<h2>验证码 Verification code</h2>\n<p class=\"code\">%s</p>\n"
	    "<p>The code is derived from the collection ledger; the issuer "
	    "checks it with <code>debitgw certificate verify</code>.</p>\n"
	    "</body>\n</html>\n", c->code);
	if (ferror(fp))
		return gw_err_set(e, GW_EIO, "certificate: write failed");
	return 0;
}

/* Upper-case, dashes and spaces dropped. */
static void
normalise(char *out, size_t cap, const char *in)
{
	size_t k = 0;

	for (; *in && k + 1 < cap; in++)
		if (*in != '-' && *in != ' ')
			out[k++] = (char)toupper((unsigned char)*in);
	out[k] = '\0';
}

int
certificate_verify(struct db *db, const char *payer_id, int year,
    const char *code, struct gw_err *e)
{
	struct certificate *c;
	char want[32], got[32];
	int rc;

	if ((rc = certificate_build(&c, db, payer_id, year, e)) != 0)
		return rc;
	normalise(want, sizeof(want), c->code);
	normalise(got, sizeof(got), code);
	rc = strcmp(want, got) == 0 ? 0 : gw_err_set(e, GW_EINPUT,
	    "verification code %s does not match the ledger for payer %s, %d "
	    "(the certificate is not genuine or the payments changed since)",
	    code, payer_id, year);
	certificate_free(c);
	return rc;
}
