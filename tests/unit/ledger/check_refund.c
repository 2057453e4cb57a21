/*
 * Unit tests: refunds with maker-checker and working-day due dates
 * (ledger/refund.c, ledger_add_working_days).
 */
#include "tests/unit/testutil.h"
#include "tests/unit/ledger/fixture.h"
#include "ledger/refund.h"

#define D(y, m, d) date_from_ymd((y), (m), (d))

static char *dir;
static struct db *db;
static char p[3][19];
static int64_t obl[3];

/* Paid obligations: 0 by debit (ICBC), 1 by WeChat; 2 stays open. */
static void
setup(void)
{
	struct gw_err e = GW_ERR_INIT;
	struct assess_import_result r;
	struct debit_result dr;
	char rows[512], sha[65];
	int i;

	ck_assert_msg(fx_open(&dir, &db, &e) == 0, "%s", e.msg);
	for (i = 0; i < 3; i++)
		fx_payer(p[i], 300 + i);
	snprintf(rows, sizeof(rows), "%s,2025,430.00,0,adult,,,,0,0\n"
	    "%s,2025,300.00,0,minor,,,,0,0\n%s,2025,430.00,0,adult,,,,0,0\n",
	    p[0], p[1], p[2]);
	ck_assert_int_eq(fx_assess_text(db, dir, "a.csv", rows, NULL, 0, &r,
	    &e), 0);
	for (i = 0; i < 3; i++)
		obl[i] = fx_obligation(db, p[i], "2025");
	ck_assert_int_eq(FX_TX(db, &e, obligation_mark_in_batch(db, obl[0],
	    "B1", "batcher", &e)), 0);
	fx_result(&dr, sha, obl[0], 1, "E1", 43000, D(2025, 11, 26));
	ck_assert_int_eq(FX_TX(db, &e, obligation_settle_debit(db, NULL, &dr,
	    &e)), 0);
	ck_assert_int_eq(fx_pay(db, obl[1], "wechat", "WX1", 30000,
	    D(2025, 11, 20), &e), 0);
}

static void
teardown(void)
{
	fx_close(&dir, &db);
}

#define bal(account) fx_balance(db, (account), NULL)

static const char *
ostate(int64_t id)
{
	static struct obligation o;
	struct gw_err e = GW_ERR_INIT;

	ck_assert_int_eq(obligation_get(db, id, &o, &e), 0);
	return o.state;
}

START_TEST(test_maker_checker)
{
	struct gw_err e = GW_ERR_INIT;
	struct refund r;
	int64_t id;

	ck_assert_int_eq(refund_request(db, NULL, obl[0], "duplicate", "paid "
	    "twice", D(2025, 12, 1), "alice", &id, &e), 0);
	ck_assert_str_eq(ostate(obl[0]), "refund_requested");
	ck_assert_int_eq(refund_approve(db, id, NULL, D(2025, 12, 2), "alice",
	    &e), GW_EINPUT);
	ck_assert_ptr_nonnull(strstr(e.msg, "maker-checker"));
	gw_err_clear(&e);
	ck_assert_int_eq(refund_reject(db, id, NULL, "alice", &e), GW_EINPUT);
	gw_err_clear(&e);
	ck_assert_int_eq(refund_get(db, id, D(2025, 12, 2), &r, &e), 0);
	ck_assert_str_eq(r.state, "requested");
	ck_assert_int_eq(bal("refunds_payable"), 0);
	ck_assert_int_eq(refund_approve(db, id, "checked", D(2025, 12, 2), "bob",
	    &e), 0);
	ck_assert_str_eq(ostate(obl[0]), "refunded");
	ck_assert_int_eq(bal("refunds_payable"), -43000);
	ck_assert_int_eq(bal("premium_income:2025"), -(43000 + 30000 + 43000) +
	    43000);
	/* Decided: a second decision is refused. */
	ck_assert_int_eq(refund_approve(db, id, NULL, D(2025, 12, 2), "carol",
	    &e), GW_ESTATE);
}
END_TEST

START_TEST(test_schema_refuses_self_approval)
{
	struct gw_err e = GW_ERR_INIT;
	int64_t id;
	int rc;

	ck_assert_int_eq(refund_request(db, NULL, obl[1], "deceased", NULL,
	    D(2025, 12, 1), "alice", &id, &e), 0);
	rc = sqlite3_exec(db_handle(db), "UPDATE refunds SET state = 'approved',"
	    " decided_by = requested_by, decided_at = 'x'", NULL, NULL, NULL);
	ck_assert_int_ne(rc, SQLITE_OK);
	rc = sqlite3_exec(db_handle(db), "UPDATE refunds SET state = 'paid'",
	    NULL, NULL, NULL);
	ck_assert_int_ne(rc, SQLITE_OK);
}
END_TEST

START_TEST(test_reject_restores_payment)
{
	struct gw_err e = GW_ERR_INIT;
	int64_t id, id2;

	ck_assert_int_eq(refund_request(db, NULL, obl[1], "other", NULL,
	    D(2025, 12, 1), "alice", &id, &e), 0);
	ck_assert_int_eq(refund_request(db, NULL, obl[1], "other", NULL,
	    D(2025, 12, 1), "alice", &id2, &e), GW_ESTATE);
	gw_err_clear(&e);
	ck_assert_int_eq(refund_reject(db, id, "not eligible", "bob", &e), 0);
	ck_assert_str_eq(ostate(obl[1]), "paid_other_channel");
	ck_assert_int_eq(bal("refunds_payable"), 0);
	/* After a rejection a new request may be made. */
	ck_assert_int_eq(refund_request(db, NULL, obl[1], "employee_insurance",
	    NULL, D(2025, 12, 3), "alice", &id2, &e), 0);
	ck_assert_int_ne(id2, id);
}
END_TEST

START_TEST(test_request_rules)
{
	struct gw_err e = GW_ERR_INIT;
	int64_t id;

	ck_assert_int_eq(refund_request(db, NULL, obl[2], "duplicate", NULL,
	    D(2025, 12, 1), "alice", &id, &e), GW_ESTATE);
	gw_err_clear(&e);
	ck_assert_int_eq(refund_request(db, NULL, obl[0], "whim", NULL,
	    D(2025, 12, 1), "alice", &id, &e), GW_EINPUT);
	ck_assert_str_eq(ostate(obl[0]), "paid");
}
END_TEST

/* National Day week 2025 as the holiday calendar. */
static int
national_day_off(void *arg, int day)
{
	(void)arg;
	if (day >= D(2025, 10, 1) && day <= D(2025, 10, 8))
		return 0;
	return date_weekday(day) < 6;
}

START_TEST(test_working_days)
{
	struct ledger_policy pol;
	struct gw_err e = GW_ERR_INIT;
	struct refund r;
	int64_t id;

	ledger_policy_default(&pol);
	/* Friday + 5 working days = next Friday. */
	ck_assert_int_eq(ledger_add_working_days(&pol, D(2025, 11, 7), 5),
	    D(2025, 11, 14));
	/* Saturday counts from Monday. */
	ck_assert_int_eq(ledger_add_working_days(&pol, D(2025, 11, 8), 1),
	    D(2025, 11, 10));
	ck_assert_int_eq(ledger_add_working_days(&pol, D(2025, 9, 30), 5),
	    D(2025, 10, 7));
	pol.is_working_day = national_day_off;
	ck_assert_int_eq(ledger_is_working_day(&pol, D(2025, 10, 3)), 0);
	ck_assert_int_eq(ledger_is_working_day(&pol, D(2025, 10, 9)), 1);
	ck_assert_int_eq(ledger_add_working_days(&pol, D(2025, 9, 30), 5),
	    D(2025, 10, 15));
	/* The refund's due date follows the policy. */
	ck_assert_int_eq(refund_request(db, &pol, obl[0], "duplicate", NULL,
	    D(2025, 9, 30), "alice", &id, &e), 0);
	ck_assert_int_eq(refund_get(db, id, D(2025, 10, 15), &r, &e), 0);
	ck_assert_str_eq(r.requested_on, "2025-09-30");
	ck_assert_str_eq(r.due_on, "2025-10-15");
	ck_assert_int_eq(r.overdue, 0);
	ck_assert_int_eq(refund_get(db, id, D(2025, 10, 16), &r, &e), 0);
	ck_assert_int_eq(r.overdue, 1);
}
END_TEST

struct seen {
	int64_t	ids[4];
	int	overdue[4];
	int	n;
};

static int
collect(void *arg, const struct refund *r)
{
	struct seen *s = arg;

	s->ids[s->n] = r->id;
	s->overdue[s->n++] = r->overdue;
	return 0;
}

START_TEST(test_overdue_first_then_paid)
{
	struct gw_err e = GW_ERR_INIT;
	struct seen s;
	int64_t late, early, c0;

	/* Requested later, but due earlier? No: the later one is not due. */
	ck_assert_int_eq(refund_request(db, NULL, obl[1], "duplicate", NULL,
	    D(2025, 12, 8), "alice", &late, &e), 0);
	ck_assert_int_eq(refund_request(db, NULL, obl[0], "duplicate", NULL,
	    D(2025, 12, 1), "alice", &early, &e), 0);
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(refund_foreach(db, NULL, D(2025, 12, 10), collect, &s,
	    &e), 0);
	ck_assert_int_eq(s.n, 2);
	ck_assert_int_eq(s.ids[0], early);
	ck_assert_int_eq(s.overdue[0], 1);
	ck_assert_int_eq(s.overdue[1], 0);
	/* Approve and pay out the overdue one: money leaves ICBC clearing. */
	c0 = bal("clearing:ICBC");
	ck_assert_int_eq(refund_pay(db, early, D(2025, 12, 10), "T1",
	    D(2025, 12, 10), "bob", &e), GW_ESTATE);
	gw_err_clear(&e);
	ck_assert_int_eq(refund_approve(db, early, NULL, D(2025, 12, 10), "bob",
	    &e), 0);
	ck_assert_int_eq(refund_pay(db, early, D(2025, 12, 11), "T1",
	    D(2025, 12, 10), "bob", &e), GW_EINPUT);	/* future */
	gw_err_clear(&e);
	ck_assert_int_eq(refund_pay(db, early, D(2025, 12, 10), "T1",
	    D(2025, 12, 10), "bob", &e), 0);
	ck_assert_int_eq(bal("clearing:ICBC"), c0 - 43000);
	ck_assert_int_eq(bal("refunds_payable"), 0);
	ck_assert_int_eq(refund_pay(db, early, D(2025, 12, 10), "T1",
	    D(2025, 12, 10), "bob", &e), GW_ESTATE);
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(refund_foreach(db, NULL, D(2025, 12, 30), collect, &s,
	    &e), 0);
	ck_assert_int_eq(s.ids[0], late);
	ck_assert_int_eq(s.overdue[0], 1);
	ck_assert_int_eq(s.overdue[1], 0);
}
END_TEST

/* Entries of a payer's journal, and how many name obligation id. */
struct entries {
	int64_t	 last, n, on;
	int64_t	 want;
};

static int
count_entry(void *arg, const struct journal_posting *p)
{
	struct entries *x = arg;

	if (p->entry_id != x->last) {
		x->last = p->entry_id;
		x->n++;
	}
	x->on += p->obligation_id == x->want;
	return 0;
}

/* A refunded obligation leaves the enrolment index (enrolled = 0): the
 * payer's balance and journal still find it, and a new enrolment. */
START_TEST(test_payer_scope_after_refund)
{
	struct gw_err e = GW_ERR_INIT;
	struct journal_filter f = { .payer_id = p[0] };
	struct assess_import_result r;
	struct entries x = { .want = obl[0] };
	char rows[128];
	int64_t id, again;

	ck_assert_int_eq(refund_request(db, NULL, obl[0], "duplicate", NULL,
	    D(2025, 12, 1), "alice", &id, &e), 0);
	ck_assert_int_eq(refund_approve(db, id, NULL, D(2025, 12, 2), "bob",
	    &e), 0);
	ck_assert_int_eq(refund_pay(db, id, D(2025, 12, 3), "T1",
	    D(2025, 12, 3), "bob", &e), 0);
	ck_assert_str_eq(ostate(obl[0]), "refunded");
	snprintf(rows, sizeof(rows), "%s,2025,430.00,0,adult,,,,0,0\n", p[0]);
	ck_assert_int_eq(fx_assess_text(db, dir, "b.csv", rows, NULL, 0, &r,
	    &e), 0);
	again = fx_obligation(db, p[0], "2025");
	ck_assert_int_ne(again, obl[0]);
	/* Assessment, debit, refund, payout of the first; the new one's
	 * assessment. Every line names the first but the debit's clearing
	 * line: 2 + 1 + 2 + 2. */
	ck_assert_int_eq(journal_foreach_posting(db, &f, count_entry, &x, &e),
	    0);
	ck_assert_int_eq(x.n, 5);
	ck_assert_int_eq(x.on, 7);
	ck_assert_int_eq(fx_balance(db, "receivable", p[0]), 43000);
	ck_assert_int_eq(fx_balance(db, "refunds_payable", p[0]), 0);
	ck_assert_int_eq(fx_balance(db, "receivable", p[1]), 0);
	ck_assert_int_eq(fx_balance(db, "receivable", p[2]), 43000);
	/* One obligation's entries: the first's four. */
	memset(&x, 0, sizeof(x));
	x.want = obl[0];
	f.obligation_id = obl[0];
	ck_assert_int_eq(journal_foreach_posting(db, &f, count_entry, &x, &e),
	    0);
	ck_assert_int_eq(x.n, 4);
}
END_TEST

static Suite *
refund_suite(void)
{
	Suite *s = suite_create("refund");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_maker_checker);
	tcase_add_test(tc, test_schema_refuses_self_approval);
	tcase_add_test(tc, test_reject_restores_payment);
	tcase_add_test(tc, test_request_rules);
	tcase_add_test(tc, test_working_days);
	tcase_add_test(tc, test_overdue_first_then_paid);
	tcase_add_test(tc, test_payer_scope_after_refund);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(refund_suite)
