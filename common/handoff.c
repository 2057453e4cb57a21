/*
 * handoff.c - records between two threads, see handoff.h.
 *
 * A ring of blocks. The producer fills the block after the last published
 * one without the lock (nobody else touches it) and publishes it under
 * the lock; the consumer reads published blocks only. Blocks head ..
 * tail-1 are published; the producer fills tail % HANDOFF_BLOCKS, which
 * it may only do while fewer than HANDOFF_BLOCKS are published.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/handoff.h"
#include "common/vec.h"

struct block {
	unsigned char	*recs;		/* HANDOFF_BLOCK_RECS records */
	size_t		 n;
	char		*text;
	size_t		 len, cap;
};

struct handoff {
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	pthread_t	 thread;
	int		 started;
	handoff_producer produce;
	void		*arg;
	struct gw_err	 perr;		/* the producer's, as it goes */
	size_t		 rec_size;
	size_t		 head, tail;
	size_t		 at;		/* the consumer's next record of head */
	int		 done, stop;
	int		 rc;		/* the producer's, with err */
	struct gw_err	 err;
	struct block	 b[HANDOFF_BLOCKS];
};

static struct block *
filling(struct handoff *h)
{
	return &h->b[h->tail % HANDOFF_BLOCKS];
}

void *
handoff_rec(struct handoff *h)
{
	struct block *b = filling(h);

	return b->recs + b->n * h->rec_size;
}

int
handoff_str(struct handoff *h, const char *s, size_t *off)
{
	struct block *b = filling(h);

	if (s == NULL)
		s = "";
	*off = b->len;
	return vec_append(&b->text, &b->len, &b->cap, s, strlen(s) + 1);
}

int
handoff_push(struct handoff *h)
{
	struct block *b = filling(h);
	int stop;

	if (++b->n < HANDOFF_BLOCK_RECS)
		return 0;
	pthread_mutex_lock(&h->mu);
	h->tail++;
	pthread_cond_broadcast(&h->cv);
	while (h->tail - h->head == HANDOFF_BLOCKS && !h->stop)
		pthread_cond_wait(&h->cv, &h->mu);
	stop = h->stop;
	pthread_mutex_unlock(&h->mu);
	if (!stop) {
		b = filling(h);		/* read and released by the consumer */
		b->n = 0;
		b->len = 0;
	}
	return stop;
}

/* The producer's thread: its records, then its end or error. */
static void *
run(void *arg)
{
	struct handoff *h = arg;
	int rc = h->produce(h, h->arg, &h->perr);

	pthread_mutex_lock(&h->mu);
	if (!h->stop) {
		if (filling(h)->n > 0)
			h->tail++;	/* the last block, partly filled */
		if (rc < 0) {
			h->rc = rc;
			h->err = h->perr;
		}
	}
	h->done = 1;
	pthread_cond_broadcast(&h->cv);
	pthread_mutex_unlock(&h->mu);
	return NULL;
}

int
handoff_start(struct handoff **out, size_t rec_size, handoff_producer produce,
    void *arg, struct gw_err *e)
{
	struct handoff *h;
	int i;

	*out = NULL;
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	pthread_mutex_init(&h->mu, NULL);
	pthread_cond_init(&h->cv, NULL);
	h->rec_size = rec_size;
	h->produce = produce;
	h->arg = arg;
	for (i = 0; i < HANDOFF_BLOCKS; i++)
		if ((h->b[i].recs = calloc(HANDOFF_BLOCK_RECS, rec_size)) ==
		    NULL) {
			handoff_close(h);
			return gw_err_set(e, GW_ENOMEM, "out of memory");
		}
	if (pthread_create(&h->thread, NULL, run, h) != 0) {
		handoff_close(h);
		return gw_err_set(e, GW_EENV, "cannot start a thread");
	}
	h->started = 1;
	*out = h;
	return 0;
}

void
handoff_close(struct handoff *h)
{
	int i;

	if (h == NULL)
		return;
	if (h->started) {
		/* A producer waiting for room returns, then ends. */
		pthread_mutex_lock(&h->mu);
		h->stop = 1;
		pthread_cond_broadcast(&h->cv);
		pthread_mutex_unlock(&h->mu);
		pthread_join(h->thread, NULL);
	}
	pthread_cond_destroy(&h->cv);
	pthread_mutex_destroy(&h->mu);
	for (i = 0; i < HANDOFF_BLOCKS; i++) {
		free(h->b[i].recs);
		free(h->b[i].text);
	}
	free(h);
}

int
handoff_next(struct handoff *h, const void **rec, const char **text,
    struct gw_err *e)
{
	struct block *b;

	pthread_mutex_lock(&h->mu);
	if (h->head < h->tail && h->at == h->b[h->head % HANDOFF_BLOCKS].n) {
		h->head++;		/* read: the producer may refill it */
		h->at = 0;
		pthread_cond_broadcast(&h->cv);
	}
	while (h->head == h->tail && !h->done)
		pthread_cond_wait(&h->cv, &h->mu);
	if (h->head == h->tail) {
		int rc = h->rc;

		if (rc != 0 && e != NULL)
			*e = h->err;
		pthread_mutex_unlock(&h->mu);
		return rc;
	}
	pthread_mutex_unlock(&h->mu);
	b = &h->b[h->head % HANDOFF_BLOCKS];
	*rec = b->recs + h->at++ * h->rec_size;
	*text = b->text;
	return 1;
}
