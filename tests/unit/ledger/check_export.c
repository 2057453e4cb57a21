/*
 * Unit tests: payment records for the agency, each exported once
 * (ledger/export.c).
 */
#include "tests/unit/testutil.h"
#include "tests/unit/ledger/fixture.h"
#include "ledger/debit_apply.h"
#include "ledger/export.h"

#define D(y, m, d) date_from_ymd((y), (m), (d))

static char *dir;
static struct db *db;
static char p[3][19];
static int64_t obl[3];

#define pay(id, ref, amount, on, e) \
	fx_pay(db, (id), "alipay", (ref), (amount), (on), (e))

static void
setup(void)
{
	struct gw_err e = GW_ERR_INIT;

	ck_assert_msg(fx_open(&dir, &db, &e) == 0, "%s", e.msg);
	ck_assert_msg(fx_paid_three(db, dir, 400, p, obl, &e) == 0, "%s",
	    e.msg);
}

static void
teardown(void)
{
	fx_close(&dir, &db);
}

struct sink {
	int	rows;
	int	again;
	int	fail_commit;
	char	refs[256];
};

static int
sink_row(void *arg, const struct export_row *r)
{
	struct sink *s = arg;
	size_t n = strlen(s->refs);

	s->rows++;
	s->again += r->exported_before;
	snprintf(s->refs + n, sizeof(s->refs) - n, "%s ", r->reference);
	ck_assert_str_eq(r->channel, "alipay");
	return 0;
}

static int
sink_commit(void *arg, struct gw_err *e)
{
	struct sink *s = arg;

	if (s->fail_commit)
		return gw_err_set(e, GW_EIO, "disk full");
	return 0;
}

static int
run_export(int since, int again, struct sink *s, struct export_result *r,
    struct gw_err *e)
{
	struct export_opts o;

	memset(&o, 0, sizeof(o));
	o.since = since;
	o.again = again;
	o.actor = "exporter";
	o.row = sink_row;
	o.commit = sink_commit;
	o.arg = s;
	return export_payments(db, &o, r, e);
}

START_TEST(test_export_once)
{
	struct gw_err e = GW_ERR_INIT;
	struct export_result r;
	struct sink s;

	memset(&s, 0, sizeof(s));
	/* A failed delivery marks nothing. */
	s.fail_commit = 1;
	ck_assert_int_eq(run_export(0, 0, &s, &r, &e), GW_EIO);
	gw_err_clear(&e);
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(run_export(0, 0, &s, &r, &e), 0);
	ck_assert_int_eq(r.rows, 2);
	ck_assert_int_eq(r.total_fen, 73000);
	ck_assert_str_eq(s.refs, "ALI-1 ALI-2 ");
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(run_export(0, 0, &s, &r, &e), 0);
	ck_assert_int_eq(r.rows, 0);
	ck_assert_int_eq(pay(obl[2], "ALI-3", 43000, D(2025, 11, 20), &e), 0);
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(run_export(0, 0, &s, &r, &e), 0);
	ck_assert_int_eq(r.rows, 1);
	ck_assert_str_eq(s.refs, "ALI-3 ");
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(run_export(0, 1, &s, &r, &e), 0);
	ck_assert_int_eq(r.rows, 3);
	ck_assert_int_eq(r.again_rows, 3);
	ck_assert_int_eq(s.again, 3);
	/* --since: only payments on or after the day. */
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(run_export(D(2025, 11, 4), 1, &s, &r, &e), 0);
	ck_assert_str_eq(s.refs, "ALI-2 ALI-3 ");
}
END_TEST

static int
count_debits(void *arg, const struct export_row *r)
{
	int *n = arg;

	ck_assert_str_eq(r->channel, "debit");
	ck_assert_int_gt(r->amount_fen, 0);
	(*n)++;
	return 0;
}

/*
 * A return file's successes post as one entry crediting many payers: each
 * payer's credit is a payment record of its own, exported once.
 */
START_TEST(test_export_debit_chunk)
{
	struct gw_err e = GW_ERR_INIT;
	struct export_result r;
	struct export_opts o;
	struct debit_apply *a = NULL;
	char q[3][19], rows[512], sha[65], item[16];
	int64_t id[3];
	int i, n = 0;

	for (i = 0; i < 3; i++)
		fx_payer(q[i], 500 + i);
	snprintf(rows, sizeof(rows), "%s,2025,430.00,0,adult,,,,0,0\n"
	    "%s,2025,300.00,0,minor,,,,0,0\n%s,2025,430.00,0,adult,,,,0,0\n",
	    q[0], q[1], q[2]);
	ck_assert_msg(fx_assess_text(db, dir, "b.csv", rows, NULL, 0,
	    &(struct assess_import_result){ 0 }, &e) == 0, "%s", e.msg);
	for (i = 0; i < 3; i++) {
		id[i] = fx_obligation(db, q[i], "2025");
		ck_assert_int_eq(FX_TX(db, &e, obligation_mark_in_batch(db,
		    id[i], "B1", "batcher", &e)), 0);
	}
	fx_sha(sha, 9);
	ck_assert_int_eq(db_begin(db, &e), 0);
	ck_assert_int_eq(debit_apply_open(&a, db, NULL, "ICBC", sha, "ingest",
	    &e), 0);
	for (i = 0; i < 3; i++) {
		snprintf(item, sizeof(item), "E%d", i + 1);
		ck_assert_msg(debit_apply_settle(a, id[i], i == 1 ? 30000 :
		    43000, D(2025, 11, 26), item, &e) == 0, "%s", e.msg);
	}
	ck_assert_int_eq(debit_apply_close(a, &e), 0);
	ck_assert_int_eq(db_commit(db, &e), 0);
	ck_assert_int_eq(fx_scalar(db, "SELECT count(*) FROM journal_entries"
	    " WHERE kind = 'debit'"), 1);
	memset(&o, 0, sizeof(o));
	o.since = D(2025, 11, 20);
	o.actor = "exporter";
	o.row = count_debits;
	o.arg = &n;
	ck_assert_int_eq(export_payments(db, &o, &r, &e), 0);
	ck_assert_int_eq(n, 3);
	ck_assert_int_eq(r.rows, 3);
	ck_assert_int_eq(r.total_fen, 116000);
	n = 0;
	ck_assert_int_eq(export_payments(db, &o, &r, &e), 0);
	ck_assert_int_eq(r.rows, 0);
}
END_TEST

static Suite *
export_suite(void)
{
	Suite *s = suite_create("export");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_export_once);
	tcase_add_test(tc, test_export_debit_chunk);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(export_suite)
