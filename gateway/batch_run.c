/*
 * batch_run.c - assembling batches and making their files.
 *
 * See batch_run.h for the two steps and what a crash leaves behind.
 * Memory stays flat in the number of obligations: items stream from the
 * due-obligation query into batch rows, and files stream from batch rows
 * through the writers.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/audit.h"
#include "common/date.h"
#include "common/fsutil.h"
#include "common/money.h"
#include "common/vec.h"
#include "formats/pain008.h"
#include "formats/textfmt.h"
#include "gateway/bankfmt.h"
#include "gateway/batch.h"
#include "gateway/batch_run.h"
#include "gateway/calendar.h"
#include "gateway/due_feed.h"
#include "gateway/outfile.h"
#include "gateway/ledger_policy.h"
#include "gateway/transfer.h"
#include "gateway/transport.h"
#include "keys/keys.h"
#include "ledger/obligation.h"
#include "mandates/mandate.h"

static void
say(const struct run_opts *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
say(const struct run_opts *o, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (o->report == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	o->report(o->report_arg, line);
}

/* ---- assembly --------------------------------------------------------- */

struct assemble {
	struct home		*h;
	const struct run_opts	*o;
	const struct bank_cfg	*bc;
	struct textfmt		*tf;
	struct run_bank		*rb;
	struct batch		 cur;
	char			 ref[BATCH_ID_SZ];	/* a stand-in EndToEndId */
	struct audit_writer	*aw;
	/* Items added to cur whose obligations are not yet marked. */
	struct obligation_mark	 pend[OBLIGATION_MARK_MAX];
	size_t			 npend;
	int			 rc;
	struct gw_err		*e;
};

int
batch_period_is_due(int day, const char *period)
{
	char month[8];
	int y, m;

	date_to_ymd(day, &y, &m, NULL);
	if (strlen(period) == 4)
		return (period[0] - '0') * 1000 + (period[1] - '0') * 100 +
		    (period[2] - '0') * 10 + (period[3] - '0') <= y + 1;
	snprintf(month, sizeof(month), "%04u-%02u", (unsigned)y % 10000u,
	    (unsigned)m % 100u);
	return strcmp(period, month) <= 0;
}

/* Mark the obligations of the items added since the last mark. */
static int
mark_pending(struct assemble *a)
{
	int rc;

	rc = obligation_mark_many_in_batch(a->h->db, a->aw, a->pend, a->npend,
	    a->cur.msg_id, a->o->actor, a->e);
	a->npend = 0;
	return rc;
}

static int
start_batch(struct assemble *a, struct audit_writer *aw)
{
	if (a->cur.id != 0 && (mark_pending(a) != 0 ||
	    batch_seal(a->h->db, &a->cur, a->e) != 0))
		return a->e->code;
	memset(&a->cur, 0, sizeof(a->cur));
	date_format(a->cur.run_date, a->o->day);
	snprintf(a->cur.bank, sizeof(a->cur.bank), "%s", a->bc->code);
	snprintf(a->cur.format, sizeof(a->cur.format), "%s", a->bc->format);
	if (a->o->dry_run) {
		a->cur.id = -1;
		batch_msg_id(a->cur.msg_id, "DGW", a->cur.run_date, a->cur.bank,
		    1);
	} else if (batch_create(a->h->db, aw, &a->cur, a->o->actor, a->e) != 0)
		return a->e->code;
	batch_e2e_id(a->ref, a->cur.msg_id, 1);
	a->rb->files++;
	return 0;
}

static int
take(void *arg, const struct obligation_due *d)
{
	struct assemble *a = arg;
	const struct bank_cfg *bc = a->bc;
	int full;

	if (!batch_period_is_due(a->o->day, d->period))
		return 0;
	if (a->tf != NULL) {
		/* Fit depends on lengths and characters; a reference of the
		 * real length (a->ref) stands in for the one assigned below. */
		struct textfmt_item ti = { .seq = a->cur.nb_items + 1,
		    .ref = a->ref, .account_no = d->account_no,
		    .account_name = d->account_name, .amount_fen = d->due_fen,
		    .payer_id = d->payer_id, .mandate_id = "M0000000000",
		    .memo = d->period };
		char why[256];

		if (textfmt_item_check(a->tf, TEXTFMT_DEBIT, &ti, why,
		    sizeof(why)) == TEXTFMT_HELD) {
			char oref[OBLIGATION_REF_SZ];

			a->rb->held++;
			a->rb->held_amount += d->due_fen;
			say(a->o, "%s: held back %s (payer %s, %s): %s", bc->code,
			    obligation_ref(oref, d->obligation_id), d->payer_id,
			    d->period, why);
			return 0;
		}
	}
	full = a->cur.id == 0 ||
	    (bc->max_items > 0 && a->cur.nb_items >= bc->max_items) ||
	    (bc->max_amount > 0 && a->cur.nb_items > 0 &&
	    a->cur.ctrl_sum + d->due_fen > bc->max_amount);
	if (full && (a->rc = start_batch(a, a->aw)) != 0)
		return a->rc;
	if (a->o->dry_run) {
		a->cur.nb_items++;
		a->cur.ctrl_sum += d->due_fen;
	} else {
		if ((a->rc = batch_add_item(a->h->db, &a->cur, d->obligation_id,
		    d->mandate_id, d->due_fen, a->e)) != 0)
			return a->rc;
		a->pend[a->npend].id = d->obligation_id;
		a->pend[a->npend].due_fen = d->due_fen;
		if (++a->npend == OBLIGATION_MARK_MAX &&
		    (a->rc = mark_pending(a)) != 0)
			return a->rc;
	}
	a->rb->items++;
	a->rb->amount += d->due_fen;
	return 0;
}

/* Route a due obligation to its bank's assembler (one query for all). */
struct router {
	struct assemble	*banks;
	int		 n;
};

static int
route(void *arg, const struct obligation_due *d)
{
	struct router *r = arg;
	int i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->banks[i].bc->code, d->bank_code) == 0)
			return take(&r->banks[i], d);
	return 0;	/* a bank not in this run (already ran, or --bank) */
}

/*
 * Assemble the batches of every bank in r->banks inside the open
 * transaction: one pass over the due obligations (per-bank passes would
 * join every obligation to its mandate once per bank), read by the due
 * feed on its own thread while each is added to its batch and marked.
 */
static int
assemble(struct home *h, const struct run_opts *o, struct router *r,
    struct audit_writer *aw, struct gw_err *e)
{
	struct obligation_due d;
	struct due_filter f;
	struct due_feed *feed = NULL;
	char day[DATE_BUFSZ];
	int i, rc = 0;

	for (i = 0; i < r->n; i++) {
		struct assemble *a = &r->banks[i];

		a->h = h;
		a->o = o;
		a->aw = aw;
		a->e = e;
		/* Until the first batch names the real one. */
		batch_e2e_id(a->ref, "DGW20000101XXXXXXXXXX0001", 1);
		if (bankfmt_is_text(a->bc) && (rc = bankfmt_descriptor(&a->tf,
		    h->cfg, a->bc->code, e)) != 0)
			return rc;
	}
	if (r->n == 0)
		return 0;
	memset(&f, 0, sizeof(f));
	f.bank_code = r->n == 1 ? r->banks[0].bc->code : NULL;
	if ((rc = due_feed_open(&feed, h->db_path, &f, e)) != 0)
		return rc;
	while ((rc = due_feed_next(feed, &d, e)) == 1)
		if ((rc = route(r, &d)) != 0)
			break;
	due_feed_close(feed);
	for (i = 0; rc == 0 && i < r->n; i++) {
		struct assemble *a = &r->banks[i];

		if (a->cur.id > 0 && (rc = mark_pending(a)) == 0)
			rc = batch_seal(h->db, &a->cur, e);
		if (rc == 0 && !o->dry_run)
			rc = batch_run_record(h->db, date_format(day, o->day),
			    a->bc->code, a->rb->items, a->rb->amount, o->actor, e);
	}
	return rc;
}

static void
router_free(struct router *rt)
{
	int i;

	for (i = 0; i < rt->n; i++)
		textfmt_free(rt->banks[i].tf);
	free(rt->banks);
	memset(rt, 0, sizeof(*rt));
}

struct unmandated {
	const struct run_opts	*o;
	struct run_result	*r;
};

static int
list_unmandated(void *arg, const struct obligation_due *d)
{
	struct unmandated *u = arg;
	char ref[OBLIGATION_REF_SZ], amt[MONEY_BUFSZ];

	if (!batch_period_is_due(u->o->day, d->period))
		return 0;
	u->r->unmandated++;
	u->r->unmandated_amount += d->due_fen;
	if (u->r->unmandated <= 50)
		say(u->o, "not debited, no active mandate: %s payer %s %s %s",
		    obligation_ref(ref, d->obligation_id), d->payer_id, d->period,
		    money_format(amt, d->due_fen));
	else if (u->r->unmandated == 51)
		say(u->o, "... more obligations without an active mandate "
		    "(`obligation list --state open`)");
	return 0;
}

int
batch_run(struct home *h, const struct run_opts *o, struct run_result *r,
    struct gw_err *e)
{
	struct audit_writer *aw = NULL;
	struct calendar_run cr;
	struct unmandated u;
	struct due_filter f;
	struct router rt;
	char day[DATE_BUFSZ];
	int i, rc = 0, produced = 0;

	memset(r, 0, sizeof(*r));
	memset(&rt, 0, sizeof(rt));
	date_format(day, o->day);
	if (!calendar_run_on(h->cfg, o->day, &cr) && !o->unscheduled)
		return gw_err_set(e, GW_EINPUT, "%s is not a run day of the "
		    "calendar (`debitgw calendar show`); --unscheduled runs it "
		    "anyway", day);
	if (o->bank != NULL && config_bank(h->cfg, o->bank) == NULL)
		return gw_err_set(e, GW_EINPUT, "--bank: unknown bank '%s'",
		    o->bank);
	if (!o->dry_run) {
		/* Finish files a crash left half made before adding more. */
		if ((rc = batch_produce(h, o->passphrase_file, o->actor,
		    &produced, e)) != 0)
			return rc;
		if ((rc = db_begin(h->db, e)) != 0)
			return rc;
		if ((rc = audit_writer_open(&aw, h->db, e)) != 0)
			goto fail;
	}
	if ((rt.banks = calloc((size_t)h->cfg->nbanks + 1,
	    sizeof(*rt.banks))) == NULL) {
		rc = gw_err_set(e, GW_ENOMEM, "out of memory");
		goto fail;
	}
	for (i = 0; i < h->cfg->nbanks; i++) {
		const struct bank_cfg *bc = &h->cfg->banks[i];
		struct run_bank *rb = &r->banks[r->nbanks];

		if (o->bank != NULL && strcmp(o->bank, bc->code) != 0)
			continue;
		memset(rb, 0, sizeof(*rb));
		snprintf(rb->code, sizeof(rb->code), "%s", bc->code);
		r->nbanks++;
		rc = batch_run_exists(h->db, day, bc->code, rb->already_at, e);
		if (rc < 0)
			goto fail;
		if (rc == 1) {
			rb->already = 1;
			continue;
		}
		rt.banks[rt.n].bc = bc;
		rt.banks[rt.n].rb = rb;
		rt.n++;
	}
	if ((rc = assemble(h, o, &rt, aw, e)) != 0)
		goto fail;
	for (i = 0; i < r->nbanks; i++) {
		r->items += r->banks[i].items;
		r->amount += r->banks[i].amount;
		r->files += r->banks[i].files;
	}
	if (!o->dry_run) {
		rc = audit_writer_close(aw, e);
		aw = NULL;
		if (rc != 0 || (rc = db_commit(h->db, e)) != 0)
			goto fail;
	}
	router_free(&rt);
	/* Who could not be debited: listed, never put in a batch. */
	memset(&u, 0, sizeof(u));
	u.o = o;
	u.r = r;
	memset(&f, 0, sizeof(f));
	if ((rc = obligation_foreach_unmandated(h->db, &f, list_unmandated, &u,
	    e)) != 0)
		return rc;
	if (o->dry_run)
		return 0;
	rc = batch_produce(h, o->passphrase_file, o->actor, &r->produced, e);
	r->produced += produced;
	return rc;
fail:
	router_free(&rt);
	audit_writer_abort(aw);
	if (db_in_tx(h->db))
		db_rollback(h->db);
	return e->code ? e->code : rc;
}

/* ---- files ------------------------------------------------------------ */

static char *
home_file(struct home *h, const char *dir, const char *bank, const char *name)
{
	char *p;

	if (bank == NULL) {
		if (asprintf(&p, "%s/%s/%s", h->dir, dir, name) < 0)
			return NULL;
	} else if (asprintf(&p, "%s/%s/%s/%s", h->dir, dir, bank, name) < 0)
		return NULL;
	return p;
}

struct writer_ctx {
	struct pain008_writer	*pw;
	struct textfmt_writer	*tw;
	const struct bank_cfg	*bc;
	struct gw_err		*e;
};

static int
write_item(void *arg, const struct batch_item *it)
{
	struct writer_ctx *w = arg;
	char mref[24], remit[140];
	int rc;

	mandate_ref(mref, it->mandate_id);
	if (w->tw != NULL) {
		struct textfmt_item ti = { .seq = it->seq,
		    .ref = it->end_to_end_id, .account_no = it->account_no,
		    .account_name = it->account_name, .amount_fen = it->amount,
		    .payer_id = it->payer_id, .mandate_id = mref,
		    .memo = it->period };

		rc = textfmt_write_item(w->tw, &ti, w->e);
		if (rc == TEXTFMT_HELD)
			return gw_err_set(w->e, GW_EINPUT, "item %s no longer fits "
			    "the bank's text format", it->end_to_end_id);
		return rc;
	} else {
		struct pain008_item pi;
		int signed_on;

		if (date_parse(&signed_on, it->signed_on, strlen(it->signed_on),
		    w->e) != 0)
			return w->e->code;
		snprintf(remit, sizeof(remit), "医保 %s %s", it->payer_id,
		    it->period);
		/* A unit's account pays for its member: name the member. */
		pi = (struct pain008_item){ .end_to_end_id = it->end_to_end_id,
		    .amount_fen = it->amount, .mandate_id = mref,
		    .signed_on = signed_on, .debtor_agent = w->bc->agent,
		    .debtor_name = it->account_name,
		    .debtor_account = it->account_no, .ultimate_debtor_name =
		    it->unit_code[0] ? it->payer_name : NULL,
		    .remittance = remit };
		return pain008_add(w->pw, &pi, w->e);
	}
}

/* Write batch b's file at path (atomically), from its rows alone. */
static int
write_file(struct home *h, const struct batch *b, const char *path,
    struct gw_err *e)
{
	const struct config *c = h->cfg;
	struct writer_ctx w;
	struct textfmt *tf = NULL;
	struct afile *af = NULL;
	int rc, day;

	memset(&w, 0, sizeof(w));
	w.e = e;
	if ((w.bc = config_bank(c, b->bank)) == NULL)
		return gw_err_set(e, GW_ECONFIG, "batch %s: bank %s is no longer "
		    "configured", b->msg_id, b->bank);
	if (strcmp(w.bc->format, b->format) != 0)
		return gw_err_set(e, GW_ECONFIG, "batch %s was assembled for "
		    "format %s; bank %s now says %s", b->msg_id, b->format,
		    b->bank, w.bc->format);
	if (date_parse(&day, b->run_date, strlen(b->run_date), e) != 0)
		return e->code;
	if ((rc = afile_open(&af, path, 0640, e)) != 0)
		return rc;
	if (bankfmt_is_text(w.bc)) {
		struct textfmt_batch tb = { .file_id = b->msg_id, .date = day,
		    .count = b->nb_items, .total_fen = b->ctrl_sum,
		    .creditor_account = c->creditor_account,
		    .creditor_name = c->creditor_name };

		if ((rc = bankfmt_descriptor(&tf, c, b->bank, e)) != 0)
			goto done;
		if ((rc = textfmt_writer_new(&w.tw, tf, TEXTFMT_DEBIT,
		    afile_fp(af), &tb, e)) != 0)
			goto done;
		if ((rc = batch_foreach_item(h->db, b->id, write_item, &w, e)) == 0)
			rc = textfmt_writer_finish(w.tw, e);
	} else {
		char pmtinf[BATCH_ID_SZ + 4];
		struct pain008_group g = { .msg_id = b->msg_id,
		    .created = b->created, .initiator_name = c->creditor_name,
		    .initiator_id = c->creditor_id, .nb_of_txs = b->nb_items,
		    .ctrl_sum_fen = b->ctrl_sum };
		struct pain008_pmtinf p = { .pmtinf_id = pmtinf,
		    .collection_date = day, .creditor_name = c->creditor_name,
		    .creditor_account = c->creditor_account,
		    .creditor_agent = c->creditor_agent,
		    .creditor_scheme_id = c->creditor_scheme_id ?
		    c->creditor_scheme_id : c->creditor_id,
		    .nb_of_txs = b->nb_items, .ctrl_sum_fen = b->ctrl_sum };

		snprintf(pmtinf, sizeof(pmtinf), "%.25s-P1", b->msg_id);
		if ((rc = pain008_writer_new(&w.pw, afile_fp(af),
		    strcmp(b->format, "pain.008.001.02") == 0 ? ISO_PAIN008_02 :
		    ISO_PAIN008_08, &g, e)) != 0 ||
		    (rc = pain008_begin_pmtinf(w.pw, &p, e)) != 0)
			goto done;
		if ((rc = batch_foreach_item(h->db, b->id, write_item, &w, e)) == 0 &&
		    (rc = pain008_end_pmtinf(w.pw, e)) == 0)
			rc = pain008_writer_finish(w.pw, e);
	}
done:
	pain008_writer_free(w.pw);
	textfmt_writer_free(w.tw);
	textfmt_free(tf);
	if (rc != 0) {
		afile_abort(af);
		return rc;
	}
	return afile_commit(af, 0, e);
}

struct batches {
	struct batch	*v;
	size_t		 n, cap;
	struct gw_err	*e;
};

static int
collect(void *arg, const struct batch *b)
{
	struct batches *l = arg;

	if (vec_room(&l->v, l->n, &l->cap, sizeof(*l->v)) != 0)
		return gw_err_set(l->e, GW_ENOMEM, "out of memory");
	l->v[l->n++] = *b;
	return 0;
}

struct file_arg {
	struct home		*h;
	const struct batch	*b;
};

static int
write_batch_file(void *arg, const char *path, struct gw_err *e)
{
	struct file_arg *fa = arg;

	return write_file(fa->h, fa->b, path, e);
}

/* Record a staged file signed, then place it: the outbox never holds a
 * file its batch row does not name. */
static int
record_and_place(struct home *h, const struct batch *b,
    const struct outfile *of, const char *actor, struct gw_err *e)
{
	int rc;

	if ((rc = db_begin(h->db, e)) != 0)
		return rc;
	if ((rc = batch_mark_signed(h->db, b->id, of->sha256,
	    fs_basename(of->sig), actor, e)) != 0 ||
	    (rc = db_commit(h->db, e)) != 0) {
		db_rollback(h->db);
		return rc;
	}
	return outfile_place(of, h, b->bank, e);
}

/* Make again the file of a batch signed before: the same bytes. */
static int
remake_file(struct home *h, struct keystore **ks, const char *passphrase_file,
    const struct batch *b, struct gw_err *e)
{
	struct file_arg fa = { h, b };
	struct outfile of;
	int rc;

	if ((rc = outfile_stage(&of, h, ks, passphrase_file, b->file_name,
	    write_batch_file, &fa, b->file_sha256, e)) != 0)
		return rc;
	return outfile_place(&of, h, b->bank, e);
}

/*
 * Staging a file (reading its rows and the payers' accounts, writing a few
 * hundred MB, hashing and signing them) is most of a run after its commit
 * and needs no write lock: new batches' files are staged on up to
 * STAGERS threads, each with its own read connection and keystore. The
 * caller then records and places them one by one, in batch order, on its
 * own connection.
 */
#define STAGERS 4

struct stage_set {
	struct home		*h;
	const char		*passphrase_file;
	const struct batch	*v;
	size_t			 n;
	struct outfile		*of;	/* per batch */
	struct gw_err		*err;	/* per batch */
	int			*rc;	/* per batch */
	pthread_mutex_t		 mu;
	size_t			 next;
};

static void *
stager(void *arg)
{
	struct stage_set *s = arg;
	struct keystore *ks = NULL;
	struct home wh = *s->h;
	struct gw_err e = GW_ERR_INIT;
	size_t i;
	int rc;

	wh.db = NULL;
	/* Each row is read once: a small cache keeps memory flat. */
	if ((rc = store_open(&wh.db, s->h->db_path, &e)) == 0)
		rc = db_exec(wh.db, "PRAGMA cache_size=-4096", &e);
	for (;;) {
		struct file_arg fa = { &wh, NULL };

		pthread_mutex_lock(&s->mu);
		i = s->next++;
		pthread_mutex_unlock(&s->mu);
		if (i >= s->n)
			break;
		if (rc != 0) {
			s->rc[i] = rc;
			s->err[i] = e;
			continue;
		}
		fa.b = &s->v[i];
		s->rc[i] = outfile_stage(&s->of[i], &wh, &ks, s->passphrase_file,
		    s->v[i].file_name, write_batch_file, &fa, NULL, &s->err[i]);
	}
	keystore_close(ks);
	db_close(wh.db);
	return NULL;
}

/* Stage, then record and place, the files of the n assembled batches v. */
static int
make_new_files(struct home *h, const char *passphrase_file,
    const struct batch *v, size_t n, const char *actor, int *produced,
    struct gw_err *e)
{
	struct stage_set s = { .h = h, .passphrase_file = passphrase_file,
	    .v = v, .n = n };
	pthread_t t[STAGERS];
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t i, nt, want;
	int rc = 0;

	if (n == 0)
		return 0;
	s.of = calloc(n, sizeof(*s.of));
	s.err = calloc(n, sizeof(*s.err));
	s.rc = calloc(n, sizeof(*s.rc));
	if (s.of == NULL || s.err == NULL || s.rc == NULL) {
		rc = gw_err_set(e, GW_ENOMEM, "out of memory");
		goto done;
	}
	pthread_mutex_init(&s.mu, NULL);
	want = cpus > 1 ? (size_t)cpus : 1;
	want = want < STAGERS ? want : STAGERS;
	want = want < n ? want : n;
	for (nt = 0; want > 1 && nt < want; nt++)
		if (pthread_create(&t[nt], NULL, stager, &s) != 0)
			break;
	if (nt == 0)
		stager(&s);
	for (i = 0; i < nt; i++)
		pthread_join(t[i], NULL);
	pthread_mutex_destroy(&s.mu);
	/* In order, up to the first that could not be staged or placed; the
	 * rest are still assembled, staged again next time, and their staged
	 * files are not left lying in tmp/ meanwhile. */
	for (i = 0; i < n; i++) {
		if (rc != 0) {
			if (s.rc[i] == 0) {
				unlink(s.of[i].sig);
				unlink(s.of[i].stage);
			}
		} else if (s.rc[i] != 0) {
			*e = s.err[i];
			rc = s.rc[i];
		} else if ((rc = record_and_place(h, &v[i], &s.of[i], actor,
		    e)) == 0)
			(*produced)++;
	}
done:
	free(s.of);
	free(s.err);
	free(s.rc);
	return rc;
}

/* Where is a signed batch's file? 1 placed or sent, 0 lost. */
static int
is_placed(struct home *h, const struct batch *b, const char *actor,
    struct gw_err *e)
{
	struct transfer t;
	int rc;

	rc = transfer_find(h->db, b->bank, "up", b->file_name, &t, e);
	if (rc < 0)
		return rc;
	if (rc == 1 && strcmp(t.state, "done") == 0) {
		/* Uploaded and archived, but the hook did not record it. */
		if ((rc = db_begin(h->db, e)) != 0)
			return rc;
		if ((rc = batch_mark_sent(h->db, b->bank, b->file_name, actor,
		    e)) != 0 || (rc = db_commit(h->db, e)) != 0) {
			db_rollback(h->db);
			return rc;
		}
		return 1;
	}
	return outfile_is_out(h, b->bank, b->file_name);
}

/* Signed batches whose file is neither placed nor sent (a crash between
 * the commit and the rename): the same file, made again and placed. */
static int
remake_lost_files(struct home *h, const char *passphrase_file,
    const struct batch *v, size_t n, const char *actor, int *produced,
    struct gw_err *e)
{
	struct keystore *ks = NULL;
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < n; i++) {
		if ((rc = is_placed(h, &v[i], actor, e)) != 0) {
			rc = rc < 0 ? rc : 0;
			continue;
		}
		if ((rc = remake_file(h, &ks, passphrase_file, &v[i], e)) == 0)
			(*produced)++;
	}
	keystore_close(ks);
	return rc;
}

int
batch_produce(struct home *h, const char *passphrase_file, const char *actor,
    int *produced, struct gw_err *e)
{
	struct batches made = { .e = e }, lost = { .e = e };
	int rc;

	*produced = 0;
	/* Each list is collected first: making files changes the rows it
	 * walks. */
	if ((rc = batch_foreach(h->db, "assembled", NULL, collect, &made,
	    e)) == 0)
		rc = make_new_files(h, passphrase_file, made.v, made.n, actor,
		    produced, e);
	if (rc == 0 && (rc = batch_foreach(h->db, "signed", NULL, collect,
	    &lost, e)) == 0)
		rc = remake_lost_files(h, passphrase_file, lost.v, lost.n, actor,
		    produced, e);
	free(made.v);
	free(lost.v);
	return rc;
}

/* ---- cancel ----------------------------------------------------------- */

struct releaser {
	struct db	*db;
	const char	*reason;
	const char	*actor;
	struct gw_err	*e;
};

static int
release_one(void *arg, int64_t obligation_id, int64_t amount)
{
	struct releaser *r = arg;

	(void)amount;
	return obligation_release_from_batch(r->db, obligation_id, r->reason,
	    r->actor, r->e);
}

/* Move a withdrawn file (and its signature) to archive/BANK/cancelled/. */
static void
withdraw(struct home *h, const struct batch *b, const char *dir)
{
	const char *names[2];
	char *cdir = NULL, *src, *dst;
	int i;

	names[0] = b->file_name;
	names[1] = b->sig_name[0] ? b->sig_name : NULL;
	if (asprintf(&cdir, "%s/archive/%s/cancelled", h->dir, b->bank) < 0 ||
	    fs_mkdirs(cdir, 0750, NULL) != 0) {
		free(cdir);
		return;
	}
	for (i = 0; i < 2 && names[i]; i++) {
		src = home_file(h, dir, strcmp(dir, "tmp") ? b->bank : NULL,
		    names[i]);
		if (src != NULL && fs_exists(src) &&
		    asprintf(&dst, "%s/%s", cdir, names[i]) >= 0) {
			if (rename(src, dst) != 0)
				unlink(src);
			free(dst);
		}
		free(src);
	}
	fs_fsync_dir(cdir, NULL);
	free(cdir);
}

int
batch_cancel(struct home *h, int64_t id, const char *reason, const char *actor,
    struct gw_err *e)
{
	struct releaser rl = { h->db, reason, actor, e };
	struct transfer t;
	struct batch b;
	int fd = -1, rc;

	if ((rc = batch_get(h->db, id, &b, e)) != 0)
		return rc;
	/* No send pass may be uploading this bank's files meanwhile. */
	if ((rc = transport_lock(&fd, h, b.bank, e)) != 0)
		return rc;
	if ((rc = db_begin(h->db, e)) != 0)
		goto done;
	if ((rc = batch_get(h->db, id, &b, e)) != 0)
		goto fail;
	rc = transfer_find(h->db, b.bank, "up", b.file_name, &t, e);
	if (rc < 0)
		goto fail;
	if (rc == 1 && (strcmp(t.state, "done") == 0 ||
	    strcmp(t.state, "in_progress") == 0)) {
		rc = gw_err_set(e, GW_ESTATE, "batch %s: its upload is %s; a "
		    "file the bank may have cannot be cancelled", b.msg_id,
		    t.state);
		goto fail;
	}
	if ((rc = batch_mark_cancelled(h->db, id, reason, actor, e)) != 0 ||
	    (rc = batch_foreach_obligation(h->db, id, release_one, &rl, e)) != 0 ||
	    (rc = db_commit(h->db, e)) != 0)
		goto fail;
	withdraw(h, &b, "outbox");
	withdraw(h, &b, "tmp");
	goto done;
fail:
	db_rollback(h->db);
done:
	transport_unlock(fd);
	return rc;
}
