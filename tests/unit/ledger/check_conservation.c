/*
 * Unit test: conservation over a randomized year (tests/unit/ledger/sim.h)
 * at a size that runs in seconds under ASan; tests/e2e/t_ledger.sh runs
 * the same simulation at 10,000 payers x 12 months through
 * build/ledgersim.
 */
#include "tests/unit/testutil.h"
#include "tests/unit/ledger/sim.h"

static char *dir;
static struct db *db;

static void
setup(void)
{
	struct gw_err e = GW_ERR_INIT;

	ck_assert_msg(fx_open(&dir, &db, &e) == 0, "%s", e.msg);
}

static void
teardown(void)
{
	fx_close(&dir, &db);
}

START_TEST(test_conservation)
{
	struct sim s;

	ck_assert_msg(sim_run(db, dir, 300, 12, 20251126ULL + (unsigned)_i,
	    &s) == 0, "%s", s.why);
	ck_assert_msg(sim_check(&s) == 0, "%s", s.why);
	/* Every flow happened, or the test proves less than it says. */
	ck_assert_int_eq(s.r.obligations, 3600);
	ck_assert_int_gt(s.r.paid_debit, 0);
	ck_assert_int_gt(s.r.paid_channel, 0);
	ck_assert_int_gt(s.r.outstanding, 0);
	ck_assert_int_gt(s.r.written_off, 0);
	ck_assert_int_gt(s.r.refunded, 0);
	ck_assert_int_gt(s.r.refunds_paid_out, 0);
	ck_assert_int_gt(s.r.refunds_refused_self, 0);
	ck_assert_int_gt(s.r.replays_refused, 0);
	ck_assert_int_gt(s.r.wrong_amounts_refused, 0);
	ck_assert_int_gt(s.r.mandates_suspended, 0);
	ck_assert_int_gt(s.r.subsidy, 0);
	sim_free(&s);
}
END_TEST

/* The check is not vacuous: one obligation off in the model is caught. */
START_TEST(test_check_catches_a_difference)
{
	struct sim s;
	long id;

	ck_assert_msg(sim_run(db, dir, 40, 2, 7ULL, &s) == 0, "%s", s.why);
	for (id = 1; id <= s.no; id++)
		if (s.o[id - 1].state == S_PAID)
			break;
	ck_assert_int_le(id, s.no);
	s.o[id - 1].state = S_PAID_OTHER;
	ck_assert_int_ne(sim_check(&s), 0);
	ck_assert_ptr_nonnull(strstr(s.why, "the model says"));
	sim_free(&s);
}
END_TEST

static Suite *
conservation_suite(void)
{
	Suite *s = suite_create("conservation");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_conservation, 0, 2);
	tcase_add_test(tc, test_check_catches_a_difference);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(conservation_suite)
