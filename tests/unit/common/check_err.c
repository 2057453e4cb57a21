/* Unit tests: error records, first error wins, context prefixes (common/err.c). */
#include "tests/unit/testutil.h"

#include "common/err.h"

START_TEST(test_first_wins)
{
	struct gw_err e = GW_ERR_INIT;

	ck_assert_int_eq(gw_err_set(&e, GW_EINPUT, "bad %d", 1), GW_EINPUT);
	ck_assert_int_eq(gw_err_set(&e, GW_EDB, "later"), GW_EINPUT);
	ck_assert_str_eq(e.msg, "bad 1");
	ck_assert_int_eq(gw_err_set(NULL, GW_EIO, "x"), GW_EIO);
	gw_err_clear(&e);
	ck_assert_int_eq(e.code, 0);
}
END_TEST

START_TEST(test_pass)
{
	struct gw_err e = GW_ERR_INIT, local = GW_ERR_INIT;

	gw_err_set(&local, GW_EIO, "disk full");
	ck_assert_int_eq(gw_err_pass(&e, &local), GW_EIO);
	ck_assert_str_eq(e.msg, "disk full");
	gw_err_clear(&local);
	gw_err_set(&local, GW_EDB, "second");
	ck_assert_int_eq(gw_err_pass(&e, &local), GW_EIO);
	ck_assert_str_eq(e.msg, "disk full");
	ck_assert_int_eq(gw_err_pass(NULL, &local), GW_EDB);
}
END_TEST

START_TEST(test_prefix)
{
	struct gw_err e = GW_ERR_INIT;
	char longmsg[GW_ERR_MSG_MAX + 10];

	/* Nothing held: nothing to prefix. */
	ck_assert_int_eq(gw_err_prefix(&e, "--date: "), 0);
	ck_assert_str_eq(e.msg, "");
	ck_assert_int_eq(gw_err_prefix(NULL, "--date: "), 0);
	gw_err_set(&e, GW_EINPUT, "'2021-13-01' is not a date");
	ck_assert_int_eq(gw_err_prefix(&e, "--%s: ", "date"), GW_EINPUT);
	ck_assert_str_eq(e.msg, "--date: '2021-13-01' is not a date");
	/* A full message loses its tail, never the context. */
	gw_err_clear(&e);
	memset(longmsg, 'x', sizeof(longmsg) - 1);
	longmsg[sizeof(longmsg) - 1] = '\0';
	gw_err_set(&e, GW_EINPUT, "%s", longmsg);
	ck_assert_int_eq(gw_err_prefix(&e, "--date: "), GW_EINPUT);
	ck_assert_int_eq(strlen(e.msg), GW_ERR_MSG_MAX - 1);
	ck_assert_int_eq(strncmp(e.msg, "--date: xxx", 11), 0);
}
END_TEST

static Suite *
err_suite(void)
{
	Suite *s = suite_create("err");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_first_wins);
	tcase_add_test(tc, test_pass);
	tcase_add_test(tc, test_prefix);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(err_suite)
