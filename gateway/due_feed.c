/*
 * due_feed.c - due obligations read on a second thread, see due_feed.h.
 *
 * A ring of NBLOCKS blocks. The reader fills the block after the last
 * published one, without the lock (nobody else touches it), and publishes
 * it under the lock; the writer reads published blocks only. The reader
 * waits while every block is published and unread, so memory is bounded
 * by the ring whatever the number of obligations.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/db.h"
#include "common/vec.h"
#include "gateway/due_feed.h"
#include "gateway/home.h"

#define BLOCK_ITEMS	1024
#define NBLOCKS		4

enum field { F_PAYER, F_PERIOD, F_NAME, F_BANK, F_ACCOUNT, F_ACCOUNT_NAME,
    F_KIND, F_UNIT, F_SIGNED, NFIELDS };

struct item {
	int64_t	 obligation_id, due_fen, mandate_id;
	size_t	 off[NFIELDS];		/* into the block's text */
};

struct block {
	struct item	 it[BLOCK_ITEMS];
	size_t		 n;
	char		*text;
	size_t		 len, cap;
};

struct due_feed {
	pthread_t	 thread;
	int		 started;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	size_t		 head, tail;	/* published: blocks head .. tail-1 */
	int		 done, stop;	/* reader finished; writer gave up */
	int		 rc;		/* the reader's, with err */
	struct gw_err	 err;
	size_t		 at;		/* next item of block head */
	char		*db_path;
	struct due_filter f;
	char		*bank, *period, *upto;	/* f's strings, ours */
	struct block	 b[NBLOCKS];
};

static int
put_text(struct block *b, const char *s, size_t *off)
{
	*off = b->len;
	return vec_append(&b->text, &b->len, &b->cap, s, strlen(s) + 1);
}

/* Publish the block being filled; wait for room for the next. */
static int
publish(struct due_feed *f)
{
	int stop;

	pthread_mutex_lock(&f->mu);
	f->tail++;
	pthread_cond_broadcast(&f->cv);
	while (f->tail - f->head == NBLOCKS && !f->stop)
		pthread_cond_wait(&f->cv, &f->mu);
	stop = f->stop;
	pthread_mutex_unlock(&f->mu);
	if (!stop) {
		f->b[f->tail % NBLOCKS].n = 0;
		f->b[f->tail % NBLOCKS].len = 0;
	}
	return stop;
}

static int
push(void *arg, const struct obligation_due *d)
{
	struct due_feed *f = arg;
	struct block *b = &f->b[f->tail % NBLOCKS];
	struct item *it = &b->it[b->n];
	const char *s[NFIELDS] = { d->payer_id, d->period, d->payer_name,
	    d->bank_code, d->account_no, d->account_name, d->account_kind,
	    d->unit_code, d->signed_on };
	int i;

	it->obligation_id = d->obligation_id;
	it->due_fen = d->due_fen;
	it->mandate_id = d->mandate_id;
	for (i = 0; i < NFIELDS; i++)
		if (put_text(b, s[i] ? s[i] : "", &it->off[i]) != 0)
			return gw_err_set(&f->err, GW_ENOMEM, "due obligations: "
			    "out of memory");
	if (++b->n == BLOCK_ITEMS && publish(f))
		return 1;	/* the writer stopped: not an error of ours */
	return 0;
}

static void *
reader(void *arg)
{
	struct due_feed *f = arg;
	struct db *db = NULL;
	int rc;

	/* Each row is read once: a small cache keeps memory flat. */
	if ((rc = store_open(&db, f->db_path, &f->err)) == 0 &&
	    (rc = db_exec(db, "PRAGMA cache_size=-8192", &f->err)) == 0)
		rc = obligation_foreach_due(db, &f->f, push, f, &f->err);
	db_close(db);
	pthread_mutex_lock(&f->mu);
	if (rc != 0 && !f->stop)
		f->rc = f->err.code ? f->err.code : GW_EDB;
	else if (f->b[f->tail % NBLOCKS].n > 0)
		f->tail++;	/* the last, partly filled block */
	f->done = 1;
	pthread_cond_broadcast(&f->cv);
	pthread_mutex_unlock(&f->mu);
	return NULL;
}

static char *
dup_or_null(const char *s, int *fail)
{
	char *d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		*fail = 1;
	return d;
}

int
due_feed_open(struct due_feed **out, const char *db_path,
    const struct due_filter *flt, struct gw_err *e)
{
	struct due_feed *f;
	int fail = 0;

	*out = NULL;
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	pthread_mutex_init(&f->mu, NULL);
	pthread_cond_init(&f->cv, NULL);
	f->db_path = dup_or_null(db_path, &fail);
	if (flt != NULL) {
		f->f = *flt;
		f->f.bank_code = f->bank = dup_or_null(flt->bank_code, &fail);
		f->f.period = f->period = dup_or_null(flt->period, &fail);
		f->f.period_upto = f->upto = dup_or_null(flt->period_upto,
		    &fail);
	}
	if (fail || f->db_path == NULL) {
		due_feed_close(f);
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	}
	if (pthread_create(&f->thread, NULL, reader, f) != 0) {
		due_feed_close(f);
		return gw_err_set(e, GW_EENV, "cannot start the thread that "
		    "reads due obligations");
	}
	f->started = 1;
	*out = f;
	return 0;
}

int
due_feed_next(struct due_feed *f, struct obligation_due *d, struct gw_err *e)
{
	struct block *b;
	struct item *it;

	pthread_mutex_lock(&f->mu);
	if (f->head < f->tail && f->at == f->b[f->head % NBLOCKS].n) {
		f->head++;		/* done with it: the reader may refill */
		f->at = 0;
		pthread_cond_broadcast(&f->cv);
	}
	while (f->head == f->tail && !f->done)
		pthread_cond_wait(&f->cv, &f->mu);
	if (f->head == f->tail) {
		pthread_mutex_unlock(&f->mu);
		if (f->rc != 0) {
			*e = f->err;
			return f->rc;
		}
		return 0;
	}
	pthread_mutex_unlock(&f->mu);
	b = &f->b[f->head % NBLOCKS];
	it = &b->it[f->at++];
	d->obligation_id = it->obligation_id;
	d->due_fen = it->due_fen;
	d->mandate_id = it->mandate_id;
	d->payer_id = b->text + it->off[F_PAYER];
	d->period = b->text + it->off[F_PERIOD];
	d->payer_name = b->text + it->off[F_NAME];
	d->bank_code = b->text + it->off[F_BANK];
	d->account_no = b->text + it->off[F_ACCOUNT];
	d->account_name = b->text + it->off[F_ACCOUNT_NAME];
	d->account_kind = b->text + it->off[F_KIND];
	d->unit_code = b->text + it->off[F_UNIT];
	d->signed_on = b->text + it->off[F_SIGNED];
	return 1;
}

void
due_feed_close(struct due_feed *f)
{
	int i;

	if (f == NULL)
		return;
	if (f->started) {
		pthread_mutex_lock(&f->mu);
		f->stop = 1;
		pthread_cond_broadcast(&f->cv);
		pthread_mutex_unlock(&f->mu);
		pthread_join(f->thread, NULL);
	}
	pthread_cond_destroy(&f->cv);
	pthread_mutex_destroy(&f->mu);
	for (i = 0; i < NBLOCKS; i++)
		free(f->b[i].text);
	free(f->db_path);
	free(f->bank);
	free(f->period);
	free(f->upto);
	free(f);
}
