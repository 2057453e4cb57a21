/*
 * Unit tests: identifier validation (mandates/ident.c), with the public
 * vectors of GB 11643-1999 (11010519491231002X, 440524188001010014), the
 * Luhn example 79927398713 and USCCs of real registered companies.
 */
#include "tests/unit/testutil.h"

#include "common/date.h"
#include "mandates/ident.h"

static int today;

static void
setup(void)
{
	today = date_from_ymd(2026, 11, 22);
}

static const struct {
	enum ident_type	 type;
	const char	*in;
	const char	*canonical;	/* NULL: must be rejected */
	const char	*why;		/* substring of the reason */
} persons[] = {
	{ IDENT_RESIDENT, "11010519491231002X", "11010519491231002X", NULL },
	{ IDENT_RESIDENT, "11010519491231002x", "11010519491231002X", NULL },
	{ IDENT_RESIDENT, "440524188001010014", "440524188001010014", NULL },
	{ IDENT_RESIDENT, "110105491231002", "11010519491231002X", NULL },
	{ IDENT_RESIDENT, "110105194912310021", NULL, "check character" },
	{ IDENT_RESIDENT, "11010519491231002", NULL, "18 characters" },
	{ IDENT_RESIDENT, "1101051949123100AX", NULL, "digits" },
	{ IDENT_RESIDENT, "110105194902300029", NULL, "not a real date" },
	{ IDENT_RESIDENT, "110105203001010011", NULL, "future" },
	{ IDENT_RESIDENT, "990105194912310023", NULL, "province" },
	{ IDENT_RESIDENT, "11010549123100A", NULL, "digits" },
	{ IDENT_HMT_PERMIT, "810000199408230021", "810000199408230021", NULL },
	{ IDENT_HMT_PERMIT, "820000199001010037", "820000199001010037", NULL },
	{ IDENT_HMT_PERMIT, "830000198512120040", "830000198512120040", NULL },
	{ IDENT_HMT_PERMIT, "840000198512120040", NULL, "810000" },
	{ IDENT_HMT_PERMIT, "810000199408230022", NULL, "check character" },
	{ IDENT_FOREIGNER, "933034199001010012", "933034199001010012", NULL },
	{ IDENT_FOREIGNER, "833034199001010012", NULL, "starts with 9" },
	{ IDENT_FOREIGNER, "933034199001010013", NULL, "check character" },
};

START_TEST(test_person_vectors)
{
	struct gw_err e = GW_ERR_INIT;
	char out[IDENT_ID_LEN + 1] = "";
	int rc = ident_person(out, persons[_i].type, persons[_i].in, today, NULL,
	    &e);

	if (persons[_i].canonical) {
		ck_assert_msg(rc == 0, "%s rejected: %s", persons[_i].in, e.msg);
		ck_assert_str_eq(out, persons[_i].canonical);
	} else {
		ck_assert_msg(rc == GW_EINPUT, "%s accepted", persons[_i].in);
		ck_assert_msg(strstr(e.msg, persons[_i].why) != NULL,
		    "%s: reason '%s' lacks '%s'", persons[_i].in, e.msg,
		    persons[_i].why);
	}
}
END_TEST

START_TEST(test_check_character)
{
	ck_assert_int_eq(ident_gb11643_check("11010519491231002"), 'X');
	ck_assert_int_eq(ident_gb11643_check("44052418800101001"), '4');
}
END_TEST

START_TEST(test_legacy_conversion_flag)
{
	struct gw_err e = GW_ERR_INIT;
	char out[IDENT_ID_LEN + 1];
	int conv = 0;

	ck_assert_int_eq(ident_person(out, IDENT_RESIDENT, "110105491231002",
	    today, &conv, &e), 0);
	ck_assert_int_eq(conv, 1);
	ck_assert_int_eq(ident_person(out, IDENT_RESIDENT, "11010519491231002X",
	    today, &conv, &e), 0);
	ck_assert_int_eq(conv, 0);
}
END_TEST

START_TEST(test_type_parse)
{
	enum ident_type t;

	ck_assert_int_eq(ident_type_parse(&t, "resident"), 0);
	ck_assert_int_eq(t, IDENT_RESIDENT);
	ck_assert_int_eq(ident_type_parse(&t, "hmt_permit"), 0);
	ck_assert_int_eq(t, IDENT_HMT_PERMIT);
	ck_assert_int_eq(ident_type_parse(&t, "foreigner"), 0);
	ck_assert_int_eq(t, IDENT_FOREIGNER);
	ck_assert_int_eq(ident_type_parse(&t, "passport"), -1);
}
END_TEST

START_TEST(test_uscc)
{
	struct gw_err e = GW_ERR_INIT;

	ck_assert_int_eq(ident_uscc("91350100M000100Y43", &e), 0);
	ck_assert_int_eq(ident_uscc("91110000600037341L", &e), 0);
	ck_assert_int_eq(ident_uscc("11440000MB2C50126Q", &e), 0);
	ck_assert_int_eq(ident_uscc("11440000MB2C50126X", &e), GW_EINPUT);
	ck_assert_ptr_nonnull(strstr(e.msg, "'Q'"));
	gw_err_clear(&e);
	ck_assert_int_eq(ident_uscc("91350100M000100Y4", &e), GW_EINPUT);
	gw_err_clear(&e);
	/* I, O, S, V and Z are not in the GB 32100 alphabet. */
	ck_assert_int_eq(ident_uscc("91350100M000100I43", &e), GW_EINPUT);
	ck_assert_ptr_nonnull(strstr(e.msg, "not allowed"));
	gw_err_clear(&e);
	ck_assert_int_eq(ident_uscc("9135A100M000100Y43", &e), GW_EINPUT);
}
END_TEST

START_TEST(test_luhn)
{
	ck_assert_int_eq(ident_luhn_ok("79927398713", 11), 1);
	ck_assert_int_eq(ident_luhn_ok("79927398710", 11), 0);
	ck_assert_int_eq(ident_luhn_ok("4111111111111111", 16), 1);
}
END_TEST

START_TEST(test_account)
{
	struct gw_err e = GW_ERR_INIT;

	/* Passbooks and corporate accounts have no check digit. */
	ck_assert_int_eq(ident_account("6222020200112233445", 0, &e), 0);
	ck_assert_int_eq(ident_account("6222020200112233445", 1, &e), GW_EINPUT);
	ck_assert_ptr_nonnull(strstr(e.msg, "Luhn"));
	gw_err_clear(&e);
	ck_assert_int_eq(ident_account("4111111111111111", 1, &e), 0);
	ck_assert_int_eq(ident_account("1234567", 0, &e), GW_EINPUT);
	gw_err_clear(&e);
	ck_assert_int_eq(ident_account("12345678", 0, &e), 0);
	ck_assert_int_eq(ident_account("123456789012345678901234567890123", 0,
	    &e), GW_EINPUT);
	gw_err_clear(&e);
	ck_assert_int_eq(ident_account("1234-5678-9012", 0, &e), GW_EINPUT);
	ck_assert_ptr_nonnull(strstr(e.msg, "digits"));
}
END_TEST

START_TEST(test_names)
{
	struct gw_err e = GW_ERR_INIT;
	char sixty[61 * 3 + 1];
	int flag = -1, i;

	ck_assert_int_eq(ident_name("张三", &flag, &e), 0);
	ck_assert_int_eq(flag, 0);
	ck_assert_int_eq(ident_name("Zhang San", &flag, &e), 0);
	/* U+20000, CJK Extension B: accepted, flagged for GBK banks. */
	ck_assert_int_eq(ident_name("张\xF0\xA0\x80\x80", &flag, &e), 0);
	ck_assert_int_eq(flag, 1);
	/* U+4DB5 is in CJK Extension A, which GBK lacks as well. */
	ck_assert_int_eq(ident_name("\xE4\xB6\xB5", &flag, &e), 0);
	ck_assert_int_eq(flag, 1);
	ck_assert_int_eq(ident_name("", &flag, &e), GW_EINPUT);
	gw_err_clear(&e);
	ck_assert_int_eq(ident_name("张\a三", &flag, &e), GW_EINPUT);
	ck_assert_ptr_nonnull(strstr(e.msg, "control"));
	gw_err_clear(&e);
	ck_assert_int_eq(ident_name("\xE5\xBC\xA0\xFF", &flag, &e), GW_EINPUT);
	ck_assert_ptr_nonnull(strstr(e.msg, "UTF-8"));
	gw_err_clear(&e);
	ck_assert_int_eq(ident_name("\xC0\xAF", &flag, &e), GW_EINPUT);
	gw_err_clear(&e);
	for (i = 0; i < 60; i++)
		memcpy(sixty + 3 * i, "张", 3);
	sixty[180] = '\0';
	ck_assert_int_eq(ident_name(sixty, &flag, &e), 0);
	memcpy(sixty + 180, "三", 4);
	ck_assert_int_eq(ident_name(sixty, &flag, &e), GW_EINPUT);
	ck_assert_ptr_nonnull(strstr(e.msg, "60"));
}
END_TEST

static Suite *
ident_suite(void)
{
	Suite *s = suite_create("ident");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_loop_test(tc, test_person_vectors, 0,
	    sizeof(persons) / sizeof(persons[0]));
	tcase_add_test(tc, test_check_character);
	tcase_add_test(tc, test_legacy_conversion_flag);
	tcase_add_test(tc, test_type_parse);
	tcase_add_test(tc, test_uscc);
	tcase_add_test(tc, test_luhn);
	tcase_add_test(tc, test_account);
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(ident_suite)
