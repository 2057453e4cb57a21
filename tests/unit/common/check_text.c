/* Unit tests: UTF-8 validation and charset conversion (common/text.c). */
#include "tests/unit/testutil.h"

#include "common/text.h"

static const struct {
	const char	*s;
	int		 valid;
	size_t		 chars;
} utf8[] = {
	{ "abc", 1, 3 }, { "张三", 1, 2 }, { "\xF0\xA0\x80\x80", 1, 1 },
	{ "\xC2\xA9", 1, 1 }, { "", 1, 0 },
	{ "\xC0\xAF", 0, 0 },		/* overlong '/' */
	{ "\xE0\x80\xAF", 0, 0 },	/* overlong, 3 bytes */
	{ "\xED\xA0\x80", 0, 0 },	/* surrogate U+D800 */
	{ "\xF4\x90\x80\x80", 0, 0 },	/* above U+10FFFF */
	{ "\xE5\xBC", 0, 0 },		/* truncated */
	{ "\xFF", 0, 0 }, { "a\x80", 0, 0 },
};

START_TEST(test_utf8_vectors)
{
	size_t n = 99, bad = 99;
	int v = utf8_valid(utf8[_i].s, strlen(utf8[_i].s), &n, &bad);

	ck_assert_int_eq(v, utf8[_i].valid);
	if (v)
		ck_assert_int_eq(n, utf8[_i].chars);
	else
		ck_assert_int_lt(bad, strlen(utf8[_i].s));
}
END_TEST

START_TEST(test_controls)
{
	ck_assert(!text_has_control("张三 Li", strlen("张三 Li")));
	ck_assert(text_has_control("a\tb", 3));
	ck_assert(text_has_control("a\x7f", 2));
	ck_assert(text_has_control("a\xC2\x85", 3));	/* U+0085 NEL */
	ck_assert(!text_has_control("\xC2\xA9", 2));	/* U+00A9 is fine */
	ck_assert(text_is_clean("张三", 6));
	ck_assert(text_is_clean("", 0));
	ck_assert(!text_is_clean("a\tb", 3));
	ck_assert(!text_is_clean("\xC0\xAF", 2));
}
END_TEST

START_TEST(test_in)
{
	static const char *const codes[] = { "open", "paid" };

	ck_assert(TEXT_IN("paid", codes));
	ck_assert(!TEXT_IN("pai", codes));
	ck_assert(!TEXT_IN("", codes));
	ck_assert(!text_in("open", codes, 0));
}
END_TEST

START_TEST(test_gbk)
{
	struct gw_err e = GW_ERR_INIT;
	char out[64], back[64];
	size_t n;

	ck_assert(text_fits_gbk("张三", strlen("张三")));
	ck_assert(!text_fits_gbk("\xF0\xA0\x80\x80", 4));
	ck_assert_int_eq(text_from_utf8(out, sizeof(out), &n, "张三", 6, "GBK",
	    &e), 0);
	ck_assert_int_eq(n, 4);
	ck_assert_int_eq((unsigned char)out[0], 0xD5);	/* 张 = D5C5 */
	ck_assert_int_eq((unsigned char)out[1], 0xC5);
	ck_assert_int_eq(text_to_utf8(back, sizeof(back), &n, out, 4, "GBK",
	    &e), 0);
	ck_assert_str_eq(back, "张三");
	/* GB18030 carries every character, GBK does not. */
	ck_assert_int_eq(text_from_utf8(out, sizeof(out), &n, "\xF0\xA0\x80\x80",
	    4, "GB18030", &e), 0);
	ck_assert_int_eq(n, 4);
	ck_assert_int_eq(text_from_utf8(out, sizeof(out), &n, "\xF0\xA0\x80\x80",
	    4, "GBK", &e), GW_EINPUT);
	gw_err_clear(&e);
	ck_assert_int_eq(text_from_utf8(out, 3, &n, "张三", 6, "GBK", &e),
	    GW_ELIMIT);
	gw_err_clear(&e);
	ck_assert_int_eq(text_to_utf8(back, sizeof(back), &n, "\xFF\xFF", 2,
	    "GBK", &e), GW_EINPUT);
	text_cleanup();
}
END_TEST

static Suite *
text_suite(void)
{
	Suite *s = suite_create("text");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_utf8_vectors, 0,
	    sizeof(utf8) / sizeof(utf8[0]));
	tcase_add_test(tc, test_controls);
	tcase_add_test(tc, test_in);
	tcase_add_test(tc, test_gbk);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(text_suite)
