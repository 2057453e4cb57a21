/*
 * Unit tests: records handed from a producer thread to the consumer
 * (common/handoff.c): order, strings, the producer's error, an early stop.
 */
#include "tests/unit/testutil.h"

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

/* Runs on the handoff's thread; j->h is the consumer's. */
static int
produce(struct handoff *h, void *arg, struct gw_err *e)
{
	struct job *j = arg;
	char name[32];
	long i;

	for (i = 0; i < j->count; i++) {
		struct rec *r = handoff_rec(h);

		if (i == j->fail_after)
			return gw_err_set(e, GW_EINPUT, "record %ld is bad", i);
		r->n = i;
		snprintf(name, sizeof(name), "name-%ld", i);
		if (handoff_str(h, i % 5 ? name : NULL, &r->name) != 0)
			abort();
		j->pushed++;
		if (handoff_push(h)) {
			j->stopped = 1;
			return 1;
		}
	}
	return 0;
}

static void
start(struct job *j, long count, long fail_after)
{
	struct gw_err e = GW_ERR_INIT;

	memset(j, 0, sizeof(*j));
	j->count = count;
	j->fail_after = fail_after;
	ck_assert_int_eq(handoff_start(&j->h, sizeof(struct rec), produce, j,
	    &e), 0);
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

	start(&j, N, -1);
	ck_assert_int_eq(consume(&j, N + 1, &e), N);
	handoff_close(j.h);
	ck_assert_int_eq(j.stopped, 0);
	/* Nothing at all. */
	start(&j, 0, -1);
	ck_assert_int_eq(consume(&j, 1, &e), 0);
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

	start(&j, N, 5000);
	ck_assert_int_eq(consume(&j, 5000, &e), 5000);
	ck_assert_int_eq(handoff_next(j.h, &p, &text, &e), GW_EINPUT);
	ck_assert_str_eq(e.msg, "record 5000 is bad");
	handoff_close(j.h);
}
END_TEST

/* The consumer stops early: the producer, waiting for room, returns. */
START_TEST(test_early_stop)
{
	struct gw_err e = GW_ERR_INIT;
	struct job j;

	start(&j, N, -1);
	ck_assert_int_eq(consume(&j, 10, &e), 10);
	handoff_close(j.h);
	ck_assert_int_eq(j.stopped, 1);
	ck_assert_int_lt(j.pushed, N);
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
