/*
 * ret_pain002.c - the bank's payment status report (pain.002) for a
 * debit batch: .001.10 answers a pain.008.001.08, .001.03 a .001.02.
 *
 *   GrpHdr              MsgId, CreDtTm
 *   OrgnlGrpInfAndSts   OrgnlMsgId, OrgnlMsgNmId, OrgnlNbOfTxs,
 *                       OrgnlCtrlSum, GrpSts (+ StsRsnInf on a reject)
 *   OrgnlPmtInfAndSts * OrgnlPmtInfId, PmtInfSts
 *     TxInfAndSts *     OrgnlEndToEndId, TxSts, StsRsnInf (Rsn/Cd,
 *                       AddtlInf), AccptncDtTm, OrgnlTxRef (Amt/InstdAmt,
 *                       ReqdColltnDt, MndtRltdInf/MndtId, DbtrAcct)
 *
 * Statuses as banks give them: ACSC (debited) or RJCT per item; PART,
 * ACSC or RJCT for each PmtInf and the group by what its items got. A
 * partial answer (one of two files) states item statuses only: a group
 * or PmtInf status there would speak for items the file does not list.
 * A whole file refused (bad signature, unreadable) is GrpSts RJCT with
 * the reason and no items. Only the bank writes this; it lives with the
 * simulator, and t_bank.sh validates every one against the schema.
 */
#include <stdlib.h>
#include <string.h>

#include "common/date.h"
#include "common/money.h"
#include "formats/xmlout.h"
#include "tests/bank/bank.h"

/* At most max characters of UTF-8 s into out (AddtlInf is Max105Text). */
static const char *
cut(char *out, size_t cap, const char *s, size_t max)
{
	size_t i = 0, chars = 0;

	while (s[i] && chars < max && i + 4 < cap) {
		i++;
		while (((unsigned char)s[i] & 0xC0) == 0x80)
			i++;
		chars++;
	}
	memmove(out, s, i);
	out[i] = '\0';
	return out;
}

static void
reason(struct xo *x, const char *code, const char *text)
{
	xo_open(x, "StsRsnInf");
	xo_open(x, "Rsn");
	xo_leaf(x, "Cd", code);
	xo_close(x, "Rsn");
	if (text && *text)
		xo_leaf(x, "AddtlInf", text);
	xo_close(x, "StsRsnInf");
}

/* ACSC, RJCT or PART for items [from, to). */
static const char *
status_of(const struct batch *bt, size_t from, size_t to)
{
	size_t i, ok = 0;

	for (i = from; i < to; i++)
		ok += bt->items[i].out == OUT_OK;
	return ok == to - from ? "ACSC" : ok == 0 ? "RJCT" : "PART";
}

static void
item(struct xo *x, const struct bitem *it, const char *accepted_at)
{
	xo_open(x, "TxInfAndSts");
	xo_leaf(x, "OrgnlEndToEndId", it->e2e);
	xo_leaf(x, "TxSts", it->out == OUT_OK ? "ACSC" : "RJCT");
	if (it->out != OUT_OK)
		reason(x, outcomes[it->out].iso, outcomes[it->out].text);
	else
		xo_leaf(x, "AccptncDtTm", accepted_at);
	xo_open(x, "OrgnlTxRef");
	xo_open(x, "Amt");
	xo_amount(x, "InstdAmt", it->amount_fen);
	xo_close(x, "Amt");
	xo_date(x, "ReqdColltnDt", it->collection_date);
	xo_open(x, "MndtRltdInf");
	xo_leaf(x, "MndtId", it->mandate_id);
	xo_close(x, "MndtRltdInf");
	xo_account(x, "DbtrAcct", it->account);
	xo_close(x, "OrgnlTxRef");
	xo_close(x, "TxInfAndSts");
}

int
ret_pain002(FILE *fp, const struct batch *bt, const char *msg_id,
    time_t created, size_t from, size_t to, int with_status,
    enum outcome file_out, const char *why, struct gw_err *e)
{
	enum iso_msg v = bt->version == ISO_PAIN008_02 ? ISO_PAIN002_03 :
	    ISO_PAIN002_10;
	struct xo *x;
	char buf[MONEY_BUFSZ], ts[TS_BUFSZ], orig[36], text[512];
	size_t i, p;

	if ((x = malloc(sizeof(*x))) == NULL)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	ts_format(ts, created);
	xo_init(x, fp);
	xo_document(x, v);
	xo_open(x, "GrpHdr");
	xo_leaf(x, "MsgId", msg_id);
	xo_leaf(x, "CreDtTm", ts);
	xo_close(x, "GrpHdr");
	xo_open(x, "OrgnlGrpInfAndSts");
	xo_leaf(x, "OrgnlMsgId", cut(orig, sizeof(orig), bt->msg_id, 35));
	xo_leaf(x, "OrgnlMsgNmId", iso_msg_name(bt->version ==
	    ISO_PAIN008_02 ? ISO_PAIN008_02 : ISO_PAIN008_08));
	if (bt->nb > 0) {
		snprintf(buf, sizeof(buf), "%lld", (long long)bt->nb);
		xo_leaf(x, "OrgnlNbOfTxs", buf);
		xo_leaf(x, "OrgnlCtrlSum", money_format(buf, bt->sum_fen));
	}
	if (file_out != OUT_OK) {
		snprintf(text, sizeof(text), "%s: %s", outcomes[file_out].text,
		    why ? why : "");
		xo_leaf(x, "GrpSts", "RJCT");
		reason(x, outcomes[file_out].iso, cut(text, sizeof(text), text,
		    105));
		from = to = 0;
	} else if (with_status)
		xo_leaf(x, "GrpSts", status_of(bt, 0, bt->n));
	xo_close(x, "OrgnlGrpInfAndSts");
	for (i = from; i < to; i = p) {
		for (p = i; p < to && strcmp(bt->items[p].pmtinf_id,
		    bt->items[i].pmtinf_id) == 0; p++)
			;
		xo_open(x, "OrgnlPmtInfAndSts");
		xo_leaf(x, "OrgnlPmtInfId", bt->items[i].pmtinf_id);
		if (with_status)
			xo_leaf(x, "PmtInfSts", status_of(bt, i, p));
		for (; i < p; i++)
			item(x, &bt->items[i], ts);
		xo_close(x, "OrgnlPmtInfAndSts");
	}
	xo_end_document(x);
	i = xo_flush(x) != 0;
	free(x);
	return i ? gw_err_set(e, GW_EIO, "pain.002: write failed") : 0;
}
