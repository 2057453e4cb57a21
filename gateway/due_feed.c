/*
 * due_feed.c - due obligations read on a second thread, see due_feed.h.
 *
 * The reader thread runs obligation_foreach_due on its own connection and
 * hands each row over through a handoff (common/handoff.h), strings
 * copied, so the writer's memory stays bounded by the handoff's ring.
 */
#include <stdlib.h>

#include "common/db.h"
#include "common/handoff.h"
#include "gateway/due_feed.h"
#include "gateway/home.h"

enum field { F_PAYER, F_PERIOD, F_NAME, F_BANK, F_ACCOUNT, F_ACCOUNT_NAME,
    F_KIND, F_UNIT, F_SIGNED, NFIELDS };

struct rec {
	int64_t	 obligation_id, due_fen, mandate_id;
	size_t	 off[NFIELDS];		/* handoff_str offsets */
};

struct due_feed {
	struct handoff		*h;
	const char		*db_path;	/* the caller's, as f */
	const struct due_filter	*f;
};

/* The reader's side of the handoff. */
struct pusher {
	struct handoff	*h;
	struct gw_err	*e;
};

static int
push(void *arg, const struct obligation_due *d)
{
	struct pusher *p = arg;
	struct rec *r = handoff_rec(p->h);
	const char *s[NFIELDS] = { d->payer_id, d->period, d->payer_name,
	    d->bank_code, d->account_no, d->account_name, d->account_kind,
	    d->unit_code, d->signed_on };
	int i;

	r->obligation_id = d->obligation_id;
	r->due_fen = d->due_fen;
	r->mandate_id = d->mandate_id;
	for (i = 0; i < NFIELDS; i++)
		if (handoff_str(p->h, s[i], &r->off[i]) != 0)
			return gw_err_set(p->e, GW_ENOMEM, "due obligations: "
			    "out of memory");
	return handoff_push(p->h);	/* 1: the writer stopped */
}

static int
reader(struct handoff *h, void *arg, struct gw_err *e)
{
	const struct due_feed *f = arg;
	struct pusher p = { h, e };
	struct db *db = NULL;
	int rc;

	if ((rc = store_open_reader(&db, f->db_path, e)) == 0)
		rc = obligation_foreach_due(db, f->f, push, &p, e);
	db_close(db);
	return rc;
}

int
due_feed_open(struct due_feed **out, const char *db_path,
    const struct due_filter *flt, struct gw_err *e)
{
	struct due_feed *f;

	*out = NULL;
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	f->db_path = db_path;
	f->f = flt;
	if (handoff_start(&f->h, sizeof(struct rec), reader, f, e) != 0) {
		free(f);
		return gw_err_prefix(e, "due obligations: ");
	}
	*out = f;
	return 0;
}

int
due_feed_next(struct due_feed *f, struct obligation_due *d, struct gw_err *e)
{
	const struct rec *r;
	const void *p;
	const char *t;
	int rc;

	if ((rc = handoff_next(f->h, &p, &t, e)) != 1)
		return rc;
	r = p;
	d->obligation_id = r->obligation_id;
	d->due_fen = r->due_fen;
	d->mandate_id = r->mandate_id;
	d->payer_id = t + r->off[F_PAYER];
	d->period = t + r->off[F_PERIOD];
	d->payer_name = t + r->off[F_NAME];
	d->bank_code = t + r->off[F_BANK];
	d->account_no = t + r->off[F_ACCOUNT];
	d->account_name = t + r->off[F_ACCOUNT_NAME];
	d->account_kind = t + r->off[F_KIND];
	d->unit_code = t + r->off[F_UNIT];
	d->signed_on = t + r->off[F_SIGNED];
	return 1;
}

void
due_feed_close(struct due_feed *f)
{
	if (f == NULL)
		return;
	handoff_close(f->h);
	free(f);
}
