/* Unit tests: growing arrays (common/vec.c). */
#include "tests/unit/testutil.h"

#include "common/vec.h"

START_TEST(test_grows_and_keeps)
{
	int64_t *v = NULL;
	size_t n, cap = 0, lastcap = 0, grown = 0;

	for (n = 0; n < 1000; n++) {
		ck_assert_int_eq(vec_room(&v, n, &cap, sizeof(*v)), 0);
		ck_assert_uint_gt(cap, n);
		if (cap != lastcap)
			grown++;
		lastcap = cap;
		v[n] = (int64_t)n * 7;
	}
	for (n = 0; n < 1000; n++)
		ck_assert_int_eq(v[n], (int64_t)n * 7);
	ck_assert_uint_le(grown, 8);	/* doubling: 16 .. 1024 */
	free(v);
}
END_TEST

/* Room for an element far past the end: grown in one call, not once. */
START_TEST(test_grows_past_double)
{
	char *v = NULL;
	size_t cap = 0;

	ck_assert_int_eq(vec_room(&v, 5000, &cap, 1), 0);
	ck_assert_uint_gt(cap, 5000);
	v[5000] = 'x';
	ck_assert_int_eq(vec_room(&v, 100000, &cap, 1), 0);
	ck_assert_uint_gt(cap, 100000);
	ck_assert_int_eq(v[5000], 'x');
	free(v);
}
END_TEST

START_TEST(test_append)
{
	char *b = NULL, big[3000];
	size_t len = 0, cap = 0;

	ck_assert_int_eq(vec_append(&b, &len, &cap, "ab", 2), 0);
	ck_assert_int_eq(vec_append(&b, &len, &cap, "", 0), 0);
	memset(big, 'x', sizeof(big));
	ck_assert_int_eq(vec_append(&b, &len, &cap, big, sizeof(big)), 0);
	ck_assert_int_eq(vec_append(&b, &len, &cap, "c", 2), 0);
	ck_assert_uint_eq(len, 2 + sizeof(big) + 2);
	ck_assert_uint_ge(cap, len);
	ck_assert_int_eq(memcmp(b, "abx", 3), 0);
	ck_assert_str_eq(b + len - 2, "c");
	/* A length that would wrap is refused, nothing changed. */
	ck_assert_int_eq(vec_append(&b, &len, &cap, "d", SIZE_MAX), -1);
	ck_assert_uint_eq(len, 2 + sizeof(big) + 2);
	free(b);
}
END_TEST

START_TEST(test_too_big_is_refused)
{
	char *v = NULL;
	size_t cap = SIZE_MAX / 2 + 1;

	/* Doubling would wrap: refused, array and capacity untouched. */
	ck_assert_int_eq(vec_room(&v, cap, &cap, 1), -1);
	ck_assert_ptr_null(v);
	ck_assert_uint_eq(cap, SIZE_MAX / 2 + 1);
}
END_TEST

static Suite *
vec_suite(void)
{
	Suite *s = suite_create("vec");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_grows_and_keeps);
	tcase_add_test(tc, test_grows_past_double);
	tcase_add_test(tc, test_append);
	tcase_add_test(tc, test_too_big_is_refused);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(vec_suite)
