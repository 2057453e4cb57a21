/*
 * mandate.c - the bank's side of the tri-party signing: a pain.009
 * (register these mandates) or pain.011 (cancel them) in, a pain.012
 * out, one acceptance or rejection per mandate in request order.
 *
 * A request is accepted when the account exists, is not closed and is
 * held in the debtor's name; otherwise it is rejected with AC01, AC04 or
 * BE01. A frozen or reported-lost account still takes a mandate: that
 * matters when it is debited. A cancellation is accepted for a mandate
 * the bank knows (accepted, or cancelled already) and rejected with
 * MD01 otherwise. Decisions are journaled (M records) and drive the
 * --mandates check of later debits. A file that cannot be read gets no
 * answer (a pain.012 has no file-level status); a readable one with a
 * bad signature gets every mandate rejected with DS0B. Deciding again
 * after a crash gives the same answers, so a reprocessed file journals
 * nothing twice.
 */
#include <stdlib.h>
#include <string.h>

#include "common/date.h"
#include "common/log.h"
#include "formats/mndt_read.h"
#include "tests/bank/bank.h"

/* What a reply needs to be decided, beside it. */
struct mside {
	const char	*account;
	const char	*name;
};

struct mfile {
	struct mreply	*r;		/* as ret_pain012 writes them */
	struct mside	*side;
	size_t		 n, cap_r, cap_side;
	enum iso_family	 kind;
	struct arena	*strings;
};

static int
collect(void *arg, const struct mndt_read_item *it)
{
	struct mfile *m = arg;

	if (vec_room(&m->r, m->n, &m->cap_r, sizeof(*m->r)) != 0 ||
	    vec_room(&m->side, m->n, &m->cap_side, sizeof(*m->side)) != 0)
		return GW_ENOMEM;
	memset(&m->r[m->n], 0, sizeof(m->r[0]));
	m->kind = it->kind;
	if ((m->r[m->n].mandate_id = arena_str(m->strings,
	    it->mandate_id)) == NULL ||
	    (m->r[m->n].orig_msg_id = arena_str(m->strings,
	    it->msg_id)) == NULL ||
	    (m->side[m->n].account = arena_str(m->strings,
	    it->debtor_account)) == NULL ||
	    (m->side[m->n].name = arena_str(m->strings, it->debtor_name)) == NULL)
		return GW_ENOMEM;
	m->n++;
	return 0;
}

/* Decide reply i; *st gets what it makes of the mandate. */
static void
decide(struct bank *b, struct mfile *m, size_t i, enum mandate_state *st)
{
	struct mreply *r = &m->r[i];
	const struct account *a;
	enum outcome out = OUT_OK;

	if (m->kind == ISO_FAM_MANDATE_CXL) {
		*st = ledger_mandate(b->led, r->mandate_id);
		r->accepted = *st == MS_ACCEPTED || *st == MS_CANCELLED;
		*st = MS_CANCELLED;
		out = r->accepted ? OUT_OK : OUT_MANDATE;
	} else {
		a = accounts_find(b->acc, m->side[i].account);
		out = a == NULL ? OUT_UNKNOWN : a->status == ACCT_CLOSED ?
		    OUT_CLOSED : strcmp(a->name, m->side[i].name) != 0 ? OUT_NAME :
		    OUT_OK;
		r->accepted = out == OUT_OK;
		*st = r->accepted ? MS_ACCEPTED : MS_REJECTED;
	}
	r->code = outcomes[out].iso;
	r->text = r->accepted ? NULL : outcomes[out].text;
}

struct reply {
	struct mfile	*m;
	enum iso_msg	 type;
};

static int
write_reply(void *arg, FILE *fp, const char *msg_id, struct gw_err *e)
{
	const struct reply *rp = arg;
	enum iso_msg v = rp->type == ISO_PAIN009_05 ||
	    rp->type == ISO_PAIN011_05 ? ISO_PAIN012_05 : ISO_PAIN012_08;

	return ret_pain012(fp, v, msg_id, gw_now(), iso_msg_name(rp->type),
	    rp->m->r, rp->m->n, e);
}

int
mandate_file(struct bank *b, const struct infile *f, int sig_ok,
    const char *sig_why, struct gw_err *e)
{
	struct mfile m;
	struct mndt_read_summary sum;
	struct gw_err rd = GW_ERR_INIT;
	struct reply rp;
	enum mandate_state st;
	int fresh = ledger_file(b->led, f->fkey, NULL) == FS_NEW, rc, ok;
	size_t i, accepted = 0;

	memset(&m, 0, sizeof(m));
	if ((rc = arena_new(&m.strings, e)) != 0)
		return rc;
	ok = mndt_read_file(f->path, NULL, collect, &m, &sum, &rd) == 0;
	for (i = 0; ok && i < m.n; i++) {
		if (!sig_ok) {
			m.r[i].code = outcomes[OUT_BADSIG].iso;
			m.r[i].text = outcomes[OUT_BADSIG].text;
			continue;
		}
		decide(b, &m, i, &st);
		accepted += m.r[i].accepted;
		/* A refused cancellation changes nothing to record. */
		if (!fresh || (m.kind == ISO_FAM_MANDATE_CXL &&
		    !m.r[i].accepted))
			continue;
		if ((rc = ledger_mandate_decided(b->led, f->fkey,
		    m.r[i].mandate_id, m.side[i].account, st, m.r[i].accepted ?
		    "" : m.r[i].code, e)) != 0)
			goto done;
	}
	if (fresh && (rc = ledger_file_decided(b->led, f->fkey, f->name,
	    "mandate", !sig_ok ? "badsig" : ok ? "ok" : "badfile", f->mtime_ns,
	    e)) != 0)
		goto done;
	if ((rc = ledger_sync(b->led, e)) != 0)
		goto done;
	if (!ok) {
		log_warn("%s: cannot be read, no answer: %s", f->name, rd.msg);
		if ((rc = ledger_file_done(b->led, f->fkey, e)) == 0)
			rc = ledger_sync(b->led, e);
		goto done;
	}
	log_info("%s: %s %s: %zu mandates, %zu accepted, %zu rejected%s%s",
	    f->name, iso_msg_name(sum.type), sum.msg_id, m.n, accepted,
	    m.n - accepted, sig_ok ? "" : ": bad signature, ", sig_ok ? "" :
	    sig_why);
	rp.m = &m;
	rp.type = sum.type;
	if ((rc = outbox_make(b, f, 0, write_reply, &rp, e)) == 0 &&
	    (rc = ledger_sync(b->led, e)) == 0)
		rc = outbox_place(b, f->fkey, e);
done:
	free(m.r);
	free(m.side);
	arena_free(m.strings);
	return rc;
}
