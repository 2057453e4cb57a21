/*
 * Unit tests: payment certificates and their verification code
 * (ledger/certificate.c).
 */
#include <ctype.h>

#include "tests/unit/testutil.h"
#include "tests/unit/ledger/fixture.h"
#include "ledger/certificate.h"
#include "ledger/refund.h"

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

static void
code_of(const char *payer, int year, char out[CERT_CODE_SZ])
{
	struct certificate *c;
	struct gw_err e = GW_ERR_INIT;

	ck_assert_msg(certificate_build(&c, db, payer, year, &e) == 0, "%s",
	    e.msg);
	snprintf(out, CERT_CODE_SZ, "%s", certificate_code(c));
	certificate_free(c);
}

START_TEST(test_code_stable_and_formatted)
{
	char a[CERT_CODE_SZ], b[CERT_CODE_SZ];
	size_t i;

	code_of(p[0], 2025, a);
	code_of(p[0], 2025, b);
	ck_assert_str_eq(a, b);
	ck_assert_int_eq(strlen(a), 19);
	for (i = 0; i < 19; i++)
		ck_assert(i % 5 == 4 ? a[i] == '-' :
		    strchr("0123456789ABCDEFGHJKMNPQRSTVWXYZ", a[i]) != NULL);
	/* Another year, another payer: other codes. */
	code_of(p[0], 2024, b);
	ck_assert_str_ne(a, b);
	code_of(p[1], 2025, b);
	ck_assert_str_ne(a, b);
}
END_TEST

START_TEST(test_code_changes_with_entries)
{
	struct gw_err e = GW_ERR_INIT;
	char before[CERT_CODE_SZ], after[CERT_CODE_SZ], lower[CERT_CODE_SZ];
	char other[CERT_CODE_SZ];
	int64_t rid;
	size_t i, k = 0;

	code_of(p[0], 2025, before);
	code_of(p[1], 2025, other);
	/* Another payer's payment leaves this payer's code alone. */
	ck_assert_int_eq(pay(obl[2], "ALI-3", 43000, D(2025, 11, 5), &e), 0);
	code_of(p[0], 2025, after);
	ck_assert_str_eq(before, after);
	ck_assert_int_eq(certificate_verify(db, p[0], 2025, before, &e), 0);
	for (i = 0; before[i]; i++)
		if (before[i] != '-')
			lower[k++] = (char)tolower((unsigned char)before[i]);
	lower[k] = '\0';
	ck_assert_int_eq(certificate_verify(db, p[0], 2025, lower, &e), 0);
	/* A refund posts entries: the old code no longer verifies. */
	ck_assert_int_eq(refund_request(db, NULL, obl[0], "duplicate", NULL,
	    D(2025, 12, 1), "alice", &rid, &e), 0);
	ck_assert_int_eq(refund_approve(db, rid, NULL, D(2025, 12, 2), "bob",
	    &e), 0);
	ck_assert_int_eq(certificate_verify(db, p[0], 2025, before, &e),
	    GW_ENOTFOUND);	/* refunded: nothing paid any more */
	gw_err_clear(&e);
	code_of(p[1], 2025, after);
	ck_assert_str_eq(other, after);
	ck_assert_int_eq(certificate_verify(db, p[1], 2025, "0000-0000-0000-0000",
	    &e), GW_EINPUT);
}
END_TEST

START_TEST(test_code_changes_with_refund_request)
{
	struct gw_err e = GW_ERR_INIT;
	char before[CERT_CODE_SZ], after[CERT_CODE_SZ];
	int64_t rid;

	code_of(p[1], 2025, before);
	ck_assert_int_eq(refund_request(db, NULL, obl[1], "deceased", NULL,
	    D(2025, 12, 1), "alice", &rid, &e), 0);
	code_of(p[1], 2025, after);
	ck_assert_str_ne(before, after);
	ck_assert_int_eq(certificate_verify(db, p[1], 2025, before, &e),
	    GW_EINPUT);
	gw_err_clear(&e);
	ck_assert_int_eq(certificate_verify(db, p[1], 2025, after, &e), 0);
}
END_TEST

START_TEST(test_nothing_paid)
{
	struct certificate *c = NULL;
	struct gw_err e = GW_ERR_INIT;

	ck_assert_int_eq(certificate_build(&c, db, p[2], 2025, &e),
	    GW_ENOTFOUND);
	ck_assert_ptr_null(c);
	gw_err_clear(&e);
	ck_assert_int_eq(certificate_build(&c, db, p[0], 2023, &e),
	    GW_ENOTFOUND);
}
END_TEST

START_TEST(test_html)
{
	struct certificate *c;
	struct gw_err e = GW_ERR_INIT;
	char *path = tu_path(dir, "c.html"), *text;
	size_t len;
	FILE *fp;

	ck_assert_int_eq(certificate_build(&c, db, p[0], 2025, &e), 0);
	ck_assert_int_eq(certificate_nitems(c), 1);
	ck_assert_int_eq(certificate_total_paid(c), 43000);
	ck_assert_ptr_nonnull(fp = fopen(path, "w"));
	ck_assert_int_eq(certificate_write_html(c, fp, "<b>王</b>", "税务局",
	    "2025-12-01T10:00:00+08:00", &e), 0);
	fclose(fp);
	ck_assert_int_eq(fs_read_small(&text, &len, path, 1 << 20, &e), 0);
	ck_assert_ptr_nonnull(strstr(text, certificate_code(c)));
	ck_assert_ptr_nonnull(strstr(text, p[0]));
	ck_assert_ptr_nonnull(strstr(text, "&lt;b&gt;王&lt;/b&gt;"));
	ck_assert_ptr_null(strstr(text, "<b>"));
	ck_assert_ptr_nonnull(strstr(text, "430.00"));
	ck_assert_ptr_nonnull(strstr(text, "ALI-1"));
	ck_assert_ptr_nonnull(strstr(text, "2025-11-03"));
	free(text);
	free(path);
	certificate_free(c);
}
END_TEST

static Suite *
certificate_suite(void)
{
	Suite *s = suite_create("certificate");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_code_stable_and_formatted);
	tcase_add_test(tc, test_code_changes_with_entries);
	tcase_add_test(tc, test_code_changes_with_refund_request);
	tcase_add_test(tc, test_nothing_paid);
	tcase_add_test(tc, test_html);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(certificate_suite)
