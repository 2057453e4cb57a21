/*
 * handoff.h - records from one thread to another, in blocks.
 *
 * A reader thread (a database query, a file parser) produces records that
 * the main thread applies inside its transaction: the reading then runs
 * on the other core instead of between the writes. Records are fixed-size
 * structs the producer fills in place; their strings are copied into the
 * record's block and named by offset (handoff_str), so nothing points into
 * the producer's buffers. Memory is bounded by the ring (HANDOFF_BLOCKS
 * blocks of HANDOFF_BLOCK_RECS records), whatever the number of records:
 * the producer waits while every block is full and unread.
 *
 * One producer, one consumer. The owner starts the producer thread, and
 * after handoff_stop (or the end) joins it before handoff_close.
 */
#ifndef GW_HANDOFF_H
#define GW_HANDOFF_H

#include <stddef.h>

#include "common/err.h"

#define HANDOFF_BLOCK_RECS	1024
#define HANDOFF_BLOCKS		4

struct handoff;

/* A handoff of records of rec_size bytes; free it with handoff_close. */
int	handoff_open(struct handoff **out, size_t rec_size, struct gw_err *e);
void	handoff_close(struct handoff *h);

/* Producer: the record to fill, a string copied beside it (*off for
 * handoff_text; NULL is copied as ""), then push. Push returns 1 when the
 * consumer has stopped (produce no more), 0 otherwise; str -1 when out of
 * memory. */
void	*handoff_rec(struct handoff *h);
int	 handoff_str(struct handoff *h, const char *s, size_t *off);
int	 handoff_push(struct handoff *h);
/* The producer is finished: rc 0 at the end of its records, else its
 * error (e says why), which the consumer gets after the records before. */
void	 handoff_done(struct handoff *h, int rc, const struct gw_err *e);

/*
 * Consumer: the next record and the base its string offsets are from,
 * valid until the next call. 1, 0 at the end, or the producer's error.
 */
int	 handoff_next(struct handoff *h, const void **rec, const char **text,
	    struct gw_err *e);
/* The consumer wants no more: a producer waiting for room returns. */
void	 handoff_stop(struct handoff *h);

#endif
