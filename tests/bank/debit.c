/*
 * debit.c - one debit batch through the bank: read it whole, decide
 * every item in file order, journal the decisions, answer.
 *
 * The file is read completely (pain008_read or the text codec) before
 * any account is touched, so a file that fails its totals or its syntax
 * at the last line debits nothing. A file whose signature does not
 * verify, or that cannot be read, is refused whole: a pain.002 with
 * GrpSts RJCT (DS0B or FF01) and no items; a text bank, whose format
 * has no file-level answer, returns every item failed with the code its
 * descriptor has for the reason, and a text file it cannot read gets no
 * answer at all (logged). Items keep the outcome the journal gave them
 * before a crash; an EndToEndId debited before, by any file, fails as a
 * duplicate (AM05) and is counted, never debited again.
 */
#include <stdlib.h>
#include <string.h>

#include "common/date.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/money.h"
#include "formats/pain008_read.h"
#include "tests/bank/bank.h"

#define MAX_ITEMS 2000000

static int
batch_add(struct batch *bt, const struct bitem *src, struct gw_err *e)
{
	struct bitem *it;

	if (vec_room(&bt->items, bt->n, &bt->cap, sizeof(*bt->items)) != 0)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	it = &bt->items[bt->n];
	*it = *src;
#define KEEP(f) if ((it->f = arena_str(bt->strings, src->f ? src->f : \
	    "")) == NULL) return gw_err_set(e, GW_ENOMEM, "out of memory")
	KEEP(pmtinf_id);
	KEEP(e2e);
	KEEP(mandate_id);
	KEEP(account);
	KEEP(name);
	KEEP(payer_id);
#undef KEEP
	bt->n++;
	return 0;
}

static int
from_xml(void *arg, const struct pain008_read_item *p)
{
	struct bitem it;
	struct gw_err e = GW_ERR_INIT;

	memset(&it, 0, sizeof(it));
	it.seq = p->seq;
	it.pmtinf_id = p->pmtinf_id;
	it.collection_date = p->collection_date;
	it.e2e = p->end_to_end_id;
	it.mandate_id = p->mandate_id;
	it.account = p->debtor_account;
	it.name = p->debtor_name;
	it.amount_fen = p->amount_fen;
	return batch_add(arg, &it, &e);
}

static int
from_text(void *arg, const struct textfmt_item *t, struct gw_err *e)
{
	struct batch *bt = arg;
	struct bitem it;
	char ref[200];

	memset(&it, 0, sizeof(it));
	it.seq = t->seq > 0 ? t->seq : (int64_t)bt->n + 1;
	/* A layout without ref: the file and line number name the item. */
	snprintf(ref, sizeof(ref), "%s#%lld", bt->msg_id, (long long)it.seq);
	it.e2e = t->ref[0] ? t->ref : ref;
	it.mandate_id = t->mandate_id;
	it.account = t->account_no;
	it.name = t->account_name;
	it.payer_id = t->payer_id;
	it.amount_fen = t->amount_fen;
	it.collection_date = -1;
	return batch_add(bt, &it, e);
}

int
debit_read(const struct bank *b, const struct infile *f, int is_text,
    struct batch *bt, struct gw_err *e)
{
	struct iso_limits lim = ISO_LIMITS_DEFAULT;
	struct pain008_read_summary ps;
	struct textfmt_summary ts;
	int rc;

	/* Until the file names itself: a text item without ref is FILE#SEQ. */
	snprintf(bt->msg_id, sizeof(bt->msg_id), "%s", f->name);
	if (is_text) {
		rc = textfmt_read_debits(b->tf, f->path, from_text, bt, &ts, e);
		if (ts.file_id[0])
			snprintf(bt->msg_id, sizeof(bt->msg_id), "%s",
			    ts.file_id);
		snprintf(bt->creditor_account, sizeof(bt->creditor_account),
		    "%s", ts.creditor_account);
		bt->date = ts.has_date ? ts.date : -1;
		bt->nb = ts.count;
		bt->sum_fen = ts.total_fen;
		return rc;
	}
	lim.max_items = MAX_ITEMS;
	rc = pain008_read_file(f->path, &lim, from_xml, bt, &ps, e);
	bt->version = ps.version == ISO_MSG_UNKNOWN ? ISO_PAIN008_08 :
	    ps.version;
	snprintf(bt->msg_id, sizeof(bt->msg_id), "%s", ps.msg_id[0] ?
	    ps.msg_id : f->name);
	bt->nb = rc == 0 ? ps.nitems : 0;
	bt->sum_fen = rc == 0 ? ps.sum_fen : 0;
	return rc;
}

/* Decide every item of a readable, verified batch, in file order. */
static int
decide_all(struct bank *b, const struct infile *f, struct batch *bt,
    struct gw_err *e)
{
	size_t i;
	int rc;

	for (i = 0; i < bt->n; i++) {
		struct bitem *it = &bt->items[i];
		struct account *acct = accounts_find(b->acc, it->account);
		struct debit_ask ask;

		if (ledger_replay(b->led, f->fkey, it->seq, &it->out))
			continue;	/* decided before a crash */
		if (ledger_debited(b->led, it->e2e))
			it->out = OUT_DUPLICATE;
		else {
			ask.account = it->account;
			ask.name = it->name;
			ask.amount_fen = it->amount_fen;
			ask.mandate = ledger_mandate(b->led, it->mandate_id);
			it->out = decide_debit(acct, &ask, b->o.mandates);
		}
		if ((rc = ledger_item(b->led, f->fkey, it->seq, it->e2e, acct,
		    it->account, it->amount_fen, it->out, e)) != 0)
			return rc;
	}
	return 0;
}

/* One answer: items [from, to) of bt (part 0: the only answer). */
struct answer {
	struct bank	*b;
	struct batch	*bt;
	size_t		 from, to;
	int		 part;
	enum outcome	 file_out;
	const char	*why;
};

static int
write_answer(void *arg, FILE *fp, const char *msg_id, struct gw_err *e)
{
	struct answer *a = arg;

	if (a->b->tf)
		return ret_text(fp, a->b->tf, a->bt, a->from, a->to,
		    a->b->text_code, e);
	return ret_pain002(fp, a->bt, msg_id, gw_now(), a->from, a->to,
	    a->part == 0, a->file_out, a->why, e);
}

static int
answer(struct bank *b, const struct infile *f, struct batch *bt,
    enum outcome file_out, const char *why, struct gw_err *e)
{
	struct answer a = { b, bt, 0, bt->n, 0, file_out, why };
	int rc;

	if (!b->o.partial || file_out != OUT_OK || bt->n < 2)
		return outbox_make(b, f, 0, write_answer, &a, e);
	a.part = 1;
	a.to = bt->n / 2;
	if ((rc = outbox_make(b, f, 1, write_answer, &a, e)) != 0)
		return rc;
	a.part = 2;
	a.from = a.to;
	a.to = bt->n;
	return outbox_make(b, f, 2, write_answer, &a, e);
}

/* "12 items, 9 debited (3870.00), 3 failed (AM04 2, AC06 1)", in the
 * codes the bank answers with (its text codes, or ISO). */
static void
log_result(const struct bank *b, const struct infile *f,
    const struct batch *bt, enum outcome file_out, const char *why,
    const char *kind)
{
	int64_t n[OUT_N] = { 0 }, fen = 0, k;
	char yuan[MONEY_BUFSZ], fails[256] = "";
	const char *code[OUT_N];
	size_t i, j, len = 0;

	if (file_out != OUT_OK) {
		log_info("%s: %s %s refused whole (%s): %s", f->name, kind,
		    bt->msg_id, outcomes[file_out].iso, why);
		return;
	}
	for (i = 0; i < OUT_N; i++)
		code[i] = b->tf ? b->text_code[i] : outcomes[i].iso;
	for (i = 0; i < bt->n; i++) {
		n[bt->items[i].out]++;
		if (bt->items[i].out == OUT_OK)
			fen += bt->items[i].amount_fen;
	}
	for (i = 1; i < OUT_N && len < sizeof(fails) - 32; i++) {
		/* Outcomes that share a code (AG01) count as one. */
		for (j = 1; j < i && strcmp(code[j], code[i]) != 0; j++)
			;
		if (j < i)
			continue;
		for (k = 0, j = i; j < OUT_N; j++)
			if (strcmp(code[j], code[i]) == 0)
				k += n[j];
		if (k > 0)
			len += (size_t)snprintf(fails + len,
			    sizeof(fails) - len, "%s%s %lld", len ? ", " : "",
			    code[i], (long long)k);
	}
	log_info("%s: %s %s: %zu items, %lld debited (%s), %zu failed%s%s%s",
	    f->name, kind, bt->msg_id, bt->n, (long long)n[OUT_OK],
	    money_format(yuan, fen), bt->n - (size_t)n[OUT_OK], len ? " (" :
	    "", fails, len ? ")" : "");
}

int
debit_file(struct bank *b, const struct infile *f, int is_text, int sig_ok,
    const char *sig_why, struct gw_err *e)
{
	struct batch bt;
	struct gw_err rd = GW_ERR_INIT;
	enum outcome file_out = OUT_OK;
	const char *why = "";
	int readable, rc;
	size_t i;

	memset(&bt, 0, sizeof(bt));
	bt.date = -1;
	if ((rc = arena_new(&bt.strings, e)) != 0)
		return rc;
	readable = debit_read(b, f, is_text, &bt, &rd) == 0;
	if (rd.code == GW_ENOMEM) {
		rc = gw_err_set(e, GW_ENOMEM, "%s", rd.msg);
		goto done;
	}
	if (!sig_ok) {
		file_out = OUT_BADSIG;
		why = sig_why;
	} else if (!readable) {
		file_out = OUT_BADFILE;
		why = rd.msg;
	}
	if (file_out == OUT_OK && (rc = decide_all(b, f, &bt, e)) != 0)
		goto done;
	if (ledger_file(b->led, f->fkey, NULL) == FS_NEW &&
	    (rc = ledger_file_decided(b->led, f->fkey, f->name, "debit",
	    file_out == OUT_OK ? "ok" : outcomes[file_out].name, f->mtime_ns,
	    e)) != 0)
		goto done;
	if ((rc = ledger_sync(b->led, e)) != 0)
		goto done;
	log_result(b, f, &bt, file_out, why, is_text ? "text batch" :
	    iso_msg_name(bt.version));
	if (is_text && !readable) {
		log_warn("%s: a text bank cannot answer a file it cannot read; "
		    "no return", f->name);
		rc = ledger_file_done(b->led, f->fkey, e);
		rc = rc ? rc : ledger_sync(b->led, e);
		goto done;
	}
	if (is_text && file_out != OUT_OK)
		for (i = 0; i < bt.n; i++)
			bt.items[i].out = file_out;
	rc = answer(b, f, &bt, file_out, why, e);
	if (rc == 0 && (rc = ledger_sync(b->led, e)) == 0)
		rc = outbox_place(b, f->fkey, e);
done:
	free(bt.items);
	arena_free(bt.strings);
	return rc;
}
