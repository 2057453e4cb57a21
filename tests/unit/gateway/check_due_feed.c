/*
 * Unit tests: the due obligations read on a second thread
 * (gateway/due_feed.c) are exactly obligation_foreach_due's, in its
 * order, whatever the writer does meanwhile.
 */
#include "tests/unit/testutil.h"
#include "tests/unit/ledger/fixture.h"
#include "gateway/due_feed.h"

/* More than the feed's ring holds (4 blocks of 1024), so it wraps and
 * the reader waits for the writer. */
#define N 5000

static char *dir, *path;
static struct db *db;

/* Payer i has an active mandate, except every tenth (a pending one). */
static void
setup(void)
{
	struct gw_err e = GW_ERR_INIT;
	struct assess_import_result r;
	struct audit_writer *aw = NULL;
	struct mandate m;
	char *rows, payer[19];
	size_t len = 0;
	int i;

	ck_assert_msg(fx_open(&dir, &db, &e) == 0, "%s", e.msg);
	path = tu_path(dir, "t.db");
	ck_assert_ptr_nonnull(rows = malloc((size_t)N * 64));
	for (i = 0; i < N; i++) {
		fx_payer(payer, 1000 + i);
		len += (size_t)snprintf(rows + len, (size_t)N * 64 - len,
		    "%s,2025,%d.00,0,adult,,,,0,0\n", payer, 100 + i % 7);
	}
	ck_assert_msg(fx_assess_text(db, dir, "a.csv", rows, NULL, 0, &r,
	    &e) == 0, "%s", e.msg);
	free(rows);
	ck_assert_int_eq(r.imported, N);
	/* The mandates in one transaction: N fsyncs would be slow. */
	ck_assert_int_eq(db_begin(db, &e), 0);
	ck_assert_int_eq(audit_writer_open(&aw, db, &e), 0);
	for (i = 0; i < N; i++) {
		memset(&m, 0, sizeof(m));
		fx_payer(m.payer_id, 1000 + i);
		snprintf(m.payer_id_type, sizeof(m.payer_id_type), "resident");
		snprintf(m.payer_name, sizeof(m.payer_name), "张%d", i);
		snprintf(m.category, sizeof(m.category), "adult");
		snprintf(m.region, sizeof(m.region), "442000");
		snprintf(m.bank_code, sizeof(m.bank_code), i % 2 ? "ICBC" :
		    "CCB");
		snprintf(m.account_no, sizeof(m.account_no), "4400%014d", i);
		snprintf(m.account_name, sizeof(m.account_name), "张%d", i);
		snprintf(m.account_kind, sizeof(m.account_kind), "passbook");
		snprintf(m.signed_on, sizeof(m.signed_on), "2020-01-01");
		snprintf(m.origin, sizeof(m.origin), "migrated");
		snprintf(m.state, sizeof(m.state), "%s", i % 10 == 9 ?
		    "pending" : "active");
		ck_assert_msg(mandate_insert(db, aw, &m, "fixture", "test",
		    &e) == 0, "%s", e.msg);
	}
	ck_assert_int_eq(audit_writer_close(aw, &e), 0);
	ck_assert_int_eq(db_commit(db, &e), 0);
}

static void
teardown(void)
{
	free(path);
	fx_close(&dir, &db);
}

struct seen {
	int64_t	id[N];
	char	text[N][96];
	int	n;
};

static void
note(struct seen *s, const struct obligation_due *d)
{
	ck_assert_int_lt(s->n, N);
	s->id[s->n] = d->obligation_id;
	snprintf(s->text[s->n], sizeof(s->text[0]), "%s|%s|%lld|%lld|%s|%s|"
	    "%s|%s|%s|%s", d->payer_id, d->period, (long long)d->due_fen,
	    (long long)d->mandate_id, d->payer_name, d->bank_code,
	    d->account_no, d->account_name, d->account_kind, d->signed_on);
	s->n++;
}

static int
collect(void *arg, const struct obligation_due *d)
{
	note(arg, d);
	return 0;
}

static void
feed_all(const struct due_filter *f, struct seen *s, int mark)
{
	struct gw_err e = GW_ERR_INIT;
	struct due_feed *feed;
	struct obligation_due d;
	int rc;

	ck_assert_int_eq(due_feed_open(&feed, path, f, &e), 0);
	while ((rc = due_feed_next(feed, &d, &e)) == 1) {
		note(s, &d);
		if (mark)
			ck_assert_msg(obligation_mark_in_batch(db,
			    d.obligation_id, "DGW20250126ICBC0001", "test",
			    &e) == 0, "%s", e.msg);
	}
	ck_assert_msg(rc == 0, "%s", e.msg);
	due_feed_close(feed);
}

static void
same(const struct seen *a, const struct seen *b)
{
	int i;

	ck_assert_int_eq(a->n, b->n);
	for (i = 0; i < a->n; i++) {
		ck_assert_int_eq(a->id[i], b->id[i]);
		ck_assert_str_eq(a->text[i], b->text[i]);
	}
}

START_TEST(test_feed_is_the_query)
{
	static struct seen want, got;
	struct gw_err e = GW_ERR_INIT;
	struct due_filter f;

	memset(&want, 0, sizeof(want));
	memset(&got, 0, sizeof(got));
	ck_assert_int_eq(obligation_foreach_due(db, NULL, collect, &want, &e),
	    0);
	ck_assert_int_eq(want.n, N - N / 10);
	feed_all(NULL, &got, 0);
	same(&want, &got);
	/* With a filter: its strings are the feed's own copies. */
	memset(&f, 0, sizeof(f));
	f.bank_code = "ICBC";
	memset(&want, 0, sizeof(want));
	memset(&got, 0, sizeof(got));
	ck_assert_int_eq(obligation_foreach_due(db, &f, collect, &want, &e),
	    0);
	feed_all(&f, &got, 0);
	same(&want, &got);
	ck_assert_int_eq(got.n, N / 2 - N / 10);	/* pending ones are odd */
}
END_TEST

/* The writer changes the rows the feed reads: the feed reads the state
 * before, all of it, once. */
START_TEST(test_feed_reads_one_snapshot)
{
	static struct seen want, got;
	struct gw_err e = GW_ERR_INIT;

	memset(&want, 0, sizeof(want));
	memset(&got, 0, sizeof(got));
	ck_assert_int_eq(obligation_foreach_due(db, NULL, collect, &want, &e),
	    0);
	ck_assert_int_eq(db_begin(db, &e), 0);
	feed_all(NULL, &got, 1);
	ck_assert_int_eq(db_commit(db, &e), 0);
	same(&want, &got);
	memset(&want, 0, sizeof(want));
	ck_assert_int_eq(obligation_foreach_due(db, NULL, collect, &want, &e),
	    0);
	ck_assert_int_eq(want.n, 0);
}
END_TEST

/* A writer that stops early (an error) closes a feed whose reader is
 * waiting for room; nothing hangs or leaks. */
START_TEST(test_feed_closed_early)
{
	struct gw_err e = GW_ERR_INIT;
	struct due_feed *feed;
	struct obligation_due d;
	int i;

	ck_assert_int_eq(due_feed_open(&feed, path, NULL, &e), 0);
	for (i = 0; i < 10; i++)
		ck_assert_int_eq(due_feed_next(feed, &d, &e), 1);
	due_feed_close(feed);
	/* And one closed before it read anything. */
	ck_assert_int_eq(due_feed_open(&feed, path, NULL, &e), 0);
	due_feed_close(feed);
}
END_TEST

/* A database that cannot be opened: the reader's error reaches next. */
START_TEST(test_feed_error)
{
	struct gw_err e = GW_ERR_INIT;
	struct due_feed *feed;
	struct obligation_due d;
	char *bad = tu_path(dir, "no/such/dir/t.db");

	ck_assert_int_eq(due_feed_open(&feed, bad, NULL, &e), 0);
	ck_assert_int_lt(due_feed_next(feed, &d, &e), 0);
	ck_assert_int_ne(e.code, 0);
	ck_assert_ptr_nonnull(strstr(e.msg, "t.db"));
	due_feed_close(feed);
	free(bad);
}
END_TEST

static Suite *
due_feed_suite(void)
{
	Suite *s = suite_create("due_feed");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_feed_is_the_query);
	tcase_add_test(tc, test_feed_reads_one_snapshot);
	tcase_add_test(tc, test_feed_closed_early);
	tcase_add_test(tc, test_feed_error);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(due_feed_suite)
