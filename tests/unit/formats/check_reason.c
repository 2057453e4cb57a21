/* Unit tests: failure codes to categories (formats/reason.c). */
#include "tests/unit/testutil.h"

#include "formats/reason.h"

/* ../shared/DOMAIN.md, "Reason codes and categories", ISO column. */
static const struct {
	const char	*code;
	const char	*cat;
} iso_vectors[] = {
	{ "AM04", "insufficient_funds" }, { "AC06", "account_frozen" },
	{ "RR04", "account_frozen" }, { "AC01", "account_abnormal" },
	{ "AC13", "account_abnormal" }, { "AG01", "account_abnormal" },
	{ "BE01", "account_abnormal" }, { "RC01", "account_abnormal" },
	{ "AC04", "account_closed" }, { "AC05", "account_closed" },
	{ "MD01", "mandate_invalid" }, { "MD02", "mandate_invalid" },
	{ "MS02", "mandate_invalid" }, { "SL01", "mandate_invalid" },
	{ "MD07", "payer_deceased" }, { "MS03", "other" }, { "NARR", "other" },
	{ "FF01", "other" }, { "AM05", "other" }, { "MD06", "other" },
	{ "ZZ99", "other" }, { "am04", "insufficient_funds" },
};

START_TEST(test_iso_codes)
{
	enum reason_cat c = reason_classify(NULL, NULL, iso_vectors[_i].code,
	    NULL);

	ck_assert_msg(strcmp(reason_cat_name(c), iso_vectors[_i].cat) == 0,
	    "%s -> %s, want %s", iso_vectors[_i].code, reason_cat_name(c),
	    iso_vectors[_i].cat);
}
END_TEST

START_TEST(test_names_round_trip)
{
	struct gw_err e = GW_ERR_INIT;
	enum reason_cat c, back;

	for (c = 0; c < REASON_NCATS; c++) {
		ck_assert_int_eq(reason_cat_parse(&back, reason_cat_name(c),
		    &e), 0);
		ck_assert_int_eq(back, c);
	}
	ck_assert_str_eq(reason_cat_name(REASON_INSUFFICIENT_FUNDS),
	    "insufficient_funds");
	ck_assert_str_eq(reason_cat_name(REASON_PAYER_DECEASED),
	    "payer_deceased");
	ck_assert_int_eq(reason_cat_parse(&back, "broke", &e), GW_EINPUT);
}
END_TEST

START_TEST(test_bank_table_wins)
{
	struct reason_table *t;
	struct gw_err e = GW_ERR_INIT;

	ck_assert_int_eq(reason_table_new(&t, &e), 0);
	ck_assert_int_eq(reason_table_add(t, "ICBC", "0001",
	    REASON_INSUFFICIENT_FUNDS, &e), 0);
	ck_assert_int_eq(reason_table_add(t, "ICBC", "RR04",
	    REASON_OTHER, &e), 0);
	ck_assert_int_eq(reason_table_add(t, "ccb", "0001",
	    REASON_ACCOUNT_CLOSED, &e), 0);
	ck_assert_int_eq(reason_table_add(t, "ICBC", "0001",
	    REASON_OTHER, &e), GW_EDUP);
	gw_err_clear(&e);
	ck_assert_int_eq(reason_table_add(t, "ICBC", "", REASON_OTHER, &e),
	    GW_EINPUT);
	/* The bank's own row, per bank, case-blind. */
	ck_assert_int_eq(reason_classify(t, "ICBC", "0001", NULL),
	    REASON_INSUFFICIENT_FUNDS);
	ck_assert_int_eq(reason_classify(t, "CCB", "0001", NULL),
	    REASON_ACCOUNT_CLOSED);
	/* A bank that redefines an ISO code is believed ... */
	ck_assert_int_eq(reason_classify(t, "ICBC", "RR04", NULL),
	    REASON_OTHER);
	/* ... others keep the ISO meaning. */
	ck_assert_int_eq(reason_classify(t, "CCB", "RR04", NULL),
	    REASON_ACCOUNT_FROZEN);
	/* Unknown to the bank and to ISO: the text decides, else other. */
	ck_assert_int_eq(reason_classify(t, "ICBC", "9999", "余额不足"),
	    REASON_INSUFFICIENT_FUNDS);
	ck_assert_int_eq(reason_classify(t, "ICBC", "9999", "系统繁忙"),
	    REASON_OTHER);
	ck_assert_int_eq(reason_classify(t, NULL, "0001", NULL), REASON_OTHER);
	reason_table_free(t);
	reason_table_free(NULL);
}
END_TEST

START_TEST(test_builtin_schemes)
{
	size_t n;

	ck_assert_int_eq(reason_classify(NULL, "nacha", "R01", NULL),
	    REASON_INSUFFICIENT_FUNDS);
	ck_assert_int_eq(reason_classify(NULL, "nacha", "R02", NULL),
	    REASON_ACCOUNT_CLOSED);
	ck_assert_int_eq(reason_classify(NULL, "NACHA", "R15", NULL),
	    REASON_PAYER_DECEASED);
	ck_assert_int_eq(reason_classify(NULL, "bacs", "B", NULL),
	    REASON_ACCOUNT_CLOSED);
	ck_assert_int_eq(reason_classify(NULL, "bacs", "0", NULL),
	    REASON_INSUFFICIENT_FUNDS);
	/* Scheme codes mean nothing to another bank. */
	ck_assert_int_eq(reason_classify(NULL, "ICBC", "R01", NULL),
	    REASON_OTHER);
	ck_assert_ptr_nonnull(reason_builtin("iso", &n));
	ck_assert_uint_ge(n, 20);
	ck_assert_ptr_null(reason_builtin("nosuch", &n));
	ck_assert_uint_eq(n, 0);
}
END_TEST

static const struct {
	const char	*text;
	enum reason_cat	 cat;
} phrases[] = {
	{ "余额不足", REASON_INSUFFICIENT_FUNDS },
	{ "账户可用余额不够", REASON_INSUFFICIENT_FUNDS },
	{ "账户冻结", REASON_ACCOUNT_FROZEN },
	{ "止付", REASON_ACCOUNT_FROZEN },
	{ "户名不符", REASON_ACCOUNT_ABNORMAL },
	{ "账号不存在", REASON_ACCOUNT_ABNORMAL },
	{ "卡已挂失", REASON_ACCOUNT_ABNORMAL },
	{ "账户状态不正常", REASON_ACCOUNT_ABNORMAL },
	{ "账户已销户", REASON_ACCOUNT_CLOSED },
	{ "协议不存在", REASON_MANDATE_INVALID },
	{ "协议已撤销", REASON_MANDATE_INVALID },
	{ "户主已死亡", REASON_PAYER_DECEASED },
	{ "交易成功", REASON_OTHER },
};

START_TEST(test_phrases)
{
	/* Banks put the meaning in the code field too (Prtry). */
	ck_assert_int_eq(reason_classify(NULL, "ABC", phrases[_i].text, NULL),
	    phrases[_i].cat);
	ck_assert_int_eq(reason_classify(NULL, "ABC", "", phrases[_i].text),
	    phrases[_i].cat);
	ck_assert_int_eq(reason_classify(NULL, NULL, NULL, phrases[_i].text),
	    phrases[_i].cat);
}
END_TEST

START_TEST(test_code_beats_text)
{
	/* An ISO code says more than a bank's free text. */
	ck_assert_int_eq(reason_classify(NULL, NULL, "AC04", "余额不足"),
	    REASON_ACCOUNT_CLOSED);
	ck_assert_int_eq(reason_classify(NULL, NULL, NULL, NULL), REASON_OTHER);
	ck_assert_int_eq(reason_classify(NULL, NULL, "", ""), REASON_OTHER);
}
END_TEST

/* docs/formats.md lists every row of every built-in table. */
START_TEST(test_documented)
{
	char *doc = NULL, row[256];
	size_t len = 0, i, n;
	FILE *fp = fopen("docs/formats.md", "r");
	const char *const *name;

	ck_assert_ptr_nonnull(fp);
	ck_assert_int_ne(getdelim(&doc, &len, '\0', fp), -1);
	fclose(fp);
	for (name = reason_builtin_names; *name; name++) {
		const struct reason_row *r = reason_builtin(*name, &n);

		ck_assert_ptr_nonnull(r);
		for (i = 0; i < n; i++) {
			snprintf(row, sizeof(row), "\n| %s | %s |", r[i].code,
			    reason_cat_name(r[i].cat));
			ck_assert_msg(strstr(doc, row) != NULL, "docs/formats.md "
			    "lacks the %s row '%s'", *name, row + 1);
		}
	}
	free(doc);
}
END_TEST

static Suite *
reason_suite(void)
{
	Suite *s = suite_create("reason");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_iso_codes, 0,
	    sizeof(iso_vectors) / sizeof(iso_vectors[0]));
	tcase_add_test(tc, test_names_round_trip);
	tcase_add_test(tc, test_bank_table_wins);
	tcase_add_test(tc, test_builtin_schemes);
	tcase_add_loop_test(tc, test_phrases, 0,
	    sizeof(phrases) / sizeof(phrases[0]));
	tcase_add_test(tc, test_code_beats_text);
	tcase_add_test(tc, test_documented);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(reason_suite)
