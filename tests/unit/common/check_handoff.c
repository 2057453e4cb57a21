/*
 * Unit tests: records handed from a producer thread to the consumer
 * (common/handoff.c): order, strings, the producer's error, an early stop.
 */
#include "tests/unit/testutil.h"

#include <pthread.h>

#include "common/handoff.h"

/* More than the ring holds, so the producer waits for the consumer. */
#define N (HANDOFF_BLOCKS * HANDOFF_BLOCK_RECS * 3 + 17)

struct rec {
	long	 n;
	size_t	 name;		/* handoff_str offset */
};

struct job {
	struct handoff	*h;
	long		 count;		/* records to produce */
	long		 fail_after;	/* -1: never */
	long		 pushed;
	int		 stopped;
};

static void *
produce(void *arg)
{
	struct job *j = arg;
	struct gw_err e = GW_ERR_INIT;
	char name[32];
	long i;

	for (i = 0; i < j->count; i++) {
		struct rec *r = handoff_rec(j->h);

		if (i == j->fail_after) {
			gw_err_set(&e, GW_EINPUT, "record %ld is bad", i);
			handoff_done(j->h, e.code, &e);
			return NULL;
		}
		r->n = i;
		snprintf(name, sizeof(name), "name-%ld", i);
		if (handoff_str(j->h, i % 5 ? name : NULL, &r->name) != 0)
			abort();
		j->pushed++;
		if (handoff_push(j->h)) {
			j->stopped = 1;
			break;
		}
	}
	handoff_done(j->h, 0, NULL);
	return NULL;
}

static void
start(struct job *j, pthread_t *t, long count, long fail_after)
{
	struct gw_err e = GW_ERR_INIT;

	memset(j, 0, sizeof(*j));
	j->count = count;
	j->fail_after = fail_after;
	ck_assert_int_eq(handoff_open(&j->h, sizeof(struct rec), &e), 0);
	ck_assert_int_eq(pthread_create(t, NULL, produce, j), 0);
}

/* Read records, checking each; the count read, or -1 at an error. */
static long
consume(struct job *j, long limit, struct gw_err *e)
{
	const void *p;
	const char *text;
	char want[32];
	long n = 0;
	int rc = 1;

	while (n < limit && (rc = handoff_next(j->h, &p, &text, e)) == 1) {
		const struct rec *r = p;

		ck_assert_int_eq(r->n, n);
		snprintf(want, sizeof(want), "name-%ld", n);
		ck_assert_str_eq(text + r->name, n % 5 ? want : "");
		n++;
	}
	if (n == limit)
		return n;
	return rc == 0 ? n : -1;
}

START_TEST(test_all_in_order)
{
	struct gw_err e = GW_ERR_INIT;
	struct job j;
	pthread_t t;

	start(&j, &t, N, -1);
	ck_assert_int_eq(consume(&j, N + 1, &e), N);
	pthread_join(t, NULL);
	ck_assert_int_eq(j.stopped, 0);
	handoff_close(j.h);
	/* Nothing at all. */
	start(&j, &t, 0, -1);
	ck_assert_int_eq(consume(&j, 1, &e), 0);
	pthread_join(t, NULL);
	handoff_close(j.h);
}
END_TEST

/* The records before the producer's error, then the error itself. */
START_TEST(test_producer_error)
{
	struct gw_err e = GW_ERR_INIT;
	const void *p;
	const char *text;
	struct job j;
	pthread_t t;

	start(&j, &t, N, 5000);
	ck_assert_int_eq(consume(&j, 5000, &e), 5000);
	ck_assert_int_eq(handoff_next(j.h, &p, &text, &e), GW_EINPUT);
	ck_assert_str_eq(e.msg, "record 5000 is bad");
	pthread_join(t, NULL);
	handoff_close(j.h);
}
END_TEST

/* The consumer stops early: the producer, waiting for room, returns. */
START_TEST(test_early_stop)
{
	struct gw_err e = GW_ERR_INIT;
	struct job j;
	pthread_t t;

	start(&j, &t, N, -1);
	ck_assert_int_eq(consume(&j, 10, &e), 10);
	handoff_stop(j.h);
	pthread_join(t, NULL);
	ck_assert_int_eq(j.stopped, 1);
	ck_assert_int_lt(j.pushed, N);
	handoff_close(j.h);
}
END_TEST

static Suite *
handoff_suite(void)
{
	Suite *s = suite_create("handoff");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_all_in_order);
	tcase_add_test(tc, test_producer_error);
	tcase_add_test(tc, test_early_stop);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(handoff_suite)
