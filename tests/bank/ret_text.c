/*
 * ret_text.c - the return file of a bank that speaks a text format:
 * written by the product's own codec (formats/textfmt.h, kind return)
 * from the descriptor the bank was started with, so the gateway reads
 * exactly the layout, encoding and totals it expects.
 *
 * Each item echoes its debit line (seq, ref, account, name, amount,
 * payer, mandate) and adds the result code the descriptor knows for its
 * outcome (codes[], chosen in main.c) and the bank's words for it. The
 * header or trailer carries count and total and, where the layout has
 * them, the accepted and rejected split.
 */
#include <string.h>

#include "common/date.h"
#include "tests/bank/bank.h"

int
ret_text(FILE *fp, const struct textfmt *tf, const struct batch *bt,
    size_t from, size_t to, const char *const *codes, struct gw_err *e)
{
	struct textfmt_writer *w = NULL;
	struct textfmt_batch tb;
	size_t i;
	int rc;

	memset(&tb, 0, sizeof(tb));
	tb.file_id = bt->msg_id;
	tb.date = bt->date >= 0 ? bt->date : date_today();
	tb.creditor_account = bt->creditor_account;
	for (i = from; i < to; i++) {
		int ok = bt->items[i].out == OUT_OK;

		tb.count++;
		tb.total_fen += bt->items[i].amount_fen;
		*(ok ? &tb.ok_count : &tb.fail_count) += 1;
		*(ok ? &tb.ok_total_fen : &tb.fail_total_fen) +=
		    bt->items[i].amount_fen;
	}
	if ((rc = textfmt_writer_new(&w, tf, TEXTFMT_RETURN, fp, &tb, e)) != 0)
		return rc;
	for (i = from; i < to && rc == 0; i++) {
		const struct bitem *b = &bt->items[i];
		struct textfmt_item it;

		memset(&it, 0, sizeof(it));
		it.seq = b->seq;
		it.ref = b->e2e;
		it.account_no = b->account;
		it.account_name = b->name;
		it.amount_fen = b->amount_fen;
		it.payer_id = b->payer_id;
		it.mandate_id = b->mandate_id;
		it.result_code = codes[b->out];
		it.result_text = outcomes[b->out].text;
		if ((rc = textfmt_write_item(w, &it, e)) == TEXTFMT_HELD)
			rc = gw_err_set(e, GW_EINPUT, "return item %lld cannot "
			    "be written in %s", (long long)b->seq,
			    textfmt_name(tf));
	}
	if (rc == 0)
		rc = textfmt_writer_finish(w, e);
	textfmt_writer_free(w);
	return rc;
}
