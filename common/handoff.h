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
 * One producer, one consumer: handoff_start runs the producer on a thread
 * of its own, handoff_close stops it if it still runs and waits for it.
 */
#ifndef GW_HANDOFF_H
#define GW_HANDOFF_H

#include <stddef.h>

#include "common/err.h"

#define HANDOFF_BLOCK_RECS	1024
#define HANDOFF_BLOCKS		4

struct handoff;

/*
 * The producer hands records over with handoff_rec/handoff_str/
 * handoff_push and returns 0 at the end of its records, a positive value
 * when a push said the consumer stopped, or a negative error code with e
 * set, which the consumer gets after the records before it.
 */
typedef int (*handoff_producer)(struct handoff *h, void *arg,
	    struct gw_err *e);

/* A handoff of records of rec_size bytes, fed by produce(h, arg, e) on a
 * new thread; *out is the caller's, for handoff_close. */
int	handoff_start(struct handoff **out, size_t rec_size,
	    handoff_producer produce, void *arg, struct gw_err *e);
/* Stop the producer if it still runs, wait for it, free. Accepts NULL. */
void	handoff_close(struct handoff *h);

/* Producer: the record to fill, a string copied beside it (*off is its
 * offset from the text handoff_next gives; NULL is copied as ""), then
 * push. Push returns 1 when the consumer has stopped (produce no more),
 * 0 otherwise; str -1 when out of memory. */
void	*handoff_rec(struct handoff *h);
int	 handoff_str(struct handoff *h, const char *s, size_t *off);
int	 handoff_push(struct handoff *h);

/*
 * Consumer: the next record and the base its string offsets are from,
 * valid until the next call. 1, 0 at the end, or the producer's error.
 */
int	 handoff_next(struct handoff *h, const void **rec, const char **text,
	    struct gw_err *e);

#endif
