/* Unit tests: exact money parsing and printing (common/money.c). */
#include "tests/unit/testutil.h"

#include "common/money.h"

static const struct {
	const char	*in;
	int		 neg_ok;
	int		 ok;
	int64_t		 fen;
} vectors[] = {
	{ "430", 0, 1, 43000 }, { "430.5", 0, 1, 43050 },
	{ "430.50", 0, 1, 43050 }, { "0.01", 0, 1, 1 }, { "0", 0, 1, 0 },
	{ "0.00", 0, 1, 0 }, { "-1.20", 1, 1, -120 },
	{ "-1.20", 0, 0, 0 }, { "430.501", 0, 0, 0 }, { "", 0, 0, 0 },
	{ ".5", 0, 0, 0 }, { "5.", 0, 0, 0 }, { "+5", 0, 0, 0 },
	{ "1e3", 0, 0, 0 }, { " 5", 0, 0, 0 }, { "5 ", 0, 0, 0 },
	{ "1,000.00", 0, 0, 0 }, { "10000000000000.00", 0, 1,
	  INT64_C(1000000000000000) }, { "10000000000000.01", 0, 0, 0 },
	{ "99999999999999999999", 0, 0, 0 },
};

START_TEST(test_parse_vectors)
{
	struct gw_err e = GW_ERR_INIT;
	int64_t v = -7;
	int rc;

	rc = money_parse_yuan(&v, vectors[_i].in, strlen(vectors[_i].in),
	    vectors[_i].neg_ok, &e);
	if (vectors[_i].ok) {
		ck_assert_msg(rc == 0, "'%s' rejected: %s", vectors[_i].in,
		    e.msg);
		ck_assert_int_eq(v, vectors[_i].fen);
	} else {
		ck_assert_msg(rc == GW_EINPUT, "'%s' accepted", vectors[_i].in);
		ck_assert_str_ne(e.msg, "");
	}
}
END_TEST

START_TEST(test_format)
{
	char buf[MONEY_BUFSZ];

	ck_assert_str_eq(money_format(buf, 43000), "430.00");
	ck_assert_str_eq(money_format(buf, 1), "0.01");
	ck_assert_str_eq(money_format(buf, 0), "0.00");
	ck_assert_str_eq(money_format(buf, -120), "-1.20");
	ck_assert_str_eq(money_format(buf, INT64_MIN),
	    "-92233720368547758.08");
}
END_TEST

START_TEST(test_round_trip)
{
	struct gw_err e = GW_ERR_INIT;
	char buf[MONEY_BUFSZ];
	int64_t f, back;

	for (f = 0; f < 100000; f += 7) {
		money_format(buf, f);
		ck_assert_int_eq(money_parse_yuan(&back, buf, strlen(buf), 0, &e),
		    0);
		ck_assert_int_eq(back, f);
	}
}
END_TEST

START_TEST(test_add_overflow)
{
	struct gw_err e = GW_ERR_INIT;
	int64_t acc = INT64_MAX - 5;

	ck_assert_int_eq(money_add(&acc, 5, &e), 0);
	ck_assert_int_eq(acc, INT64_MAX);
	ck_assert_int_eq(money_add(&acc, 1, &e), GW_ELIMIT);
	ck_assert_int_eq(acc, INT64_MAX);
	acc = INT64_MIN + 1;
	gw_err_clear(&e);
	ck_assert_int_eq(money_add(&acc, -2, &e), GW_ELIMIT);
}
END_TEST

START_TEST(test_parse_fen)
{
	struct gw_err e = GW_ERR_INIT;
	int64_t v;

	ck_assert_int_eq(money_parse_fen(&v, "43000", 5, &e), 0);
	ck_assert_int_eq(v, 43000);
	ck_assert_int_eq(money_parse_fen(&v, "430.00", 6, &e), GW_EINPUT);
}
END_TEST

static Suite *
money_suite(void)
{
	Suite *s = suite_create("money");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_parse_vectors, 0,
	    sizeof(vectors) / sizeof(vectors[0]));
	tcase_add_test(tc, test_format);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_add_overflow);
	tcase_add_test(tc, test_parse_fen);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(money_suite)
