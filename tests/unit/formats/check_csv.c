/* Unit tests: RFC 4180 reading and writing (formats/csv.c). */
#include "tests/unit/testutil.h"

#include "formats/csv.h"

static char *dir;

static void
setup(void)
{
	dir = tu_tmpdir();
	ck_assert_ptr_nonnull(dir);
}

static void
teardown(void)
{
	tu_tmpdir_free(dir);
}

static struct csv_reader *
open_text(const char *text)
{
	struct gw_err e = GW_ERR_INIT;
	struct csv_reader *r;
	char *p = tu_write(dir, "t.csv", text);

	ck_assert_int_eq(csv_open(&r, p, &e), 0);
	free(p);
	return r;
}

START_TEST(test_quoting)
{
	struct gw_err e = GW_ERR_INIT;
	struct csv_reader *r = open_text(
	    "\xEF\xBB\xBF" "a,b,c\r\n"
	    "\"x,1\",\"say \"\"hi\"\"\",\r\n"
	    "\"two\nlines\",plain,\"\"\n"
	    "\n"
	    "last,row,end");

	ck_assert_int_eq(csv_next(r, &e), 1);
	ck_assert_str_eq(csv_field(r, 0), "a");	/* BOM stripped */
	ck_assert_int_eq(csv_next(r, &e), 1);
	ck_assert_int_eq(csv_nfields(r), 3);
	ck_assert_str_eq(csv_field(r, 0), "x,1");
	ck_assert_str_eq(csv_field(r, 1), "say \"hi\"");
	ck_assert_str_eq(csv_field(r, 2), "");
	ck_assert_int_eq(csv_line(r), 2);
	ck_assert_int_eq(csv_next(r, &e), 1);
	ck_assert_str_eq(csv_field(r, 0), "two\nlines");
	ck_assert_int_eq(csv_field_len(r, 0), 9);
	ck_assert_int_eq(csv_line(r), 3);
	ck_assert_int_eq(csv_next(r, &e), 1);	/* blank line 5 skipped */
	ck_assert_str_eq(csv_field(r, 2), "end");
	ck_assert_int_eq(csv_line(r), 6);
	ck_assert_int_eq(csv_next(r, &e), 0);
	ck_assert_str_eq(csv_field(r, 7), "");
	csv_close(r);
}
END_TEST

START_TEST(test_unterminated_quote)
{
	struct gw_err e = GW_ERR_INIT;
	struct csv_reader *r = open_text("a,b\n1,\"open\n2,3\n");

	ck_assert_int_eq(csv_next(r, &e), 1);
	ck_assert_int_lt(csv_next(r, &e), 0);
	ck_assert_ptr_nonnull(strstr(e.msg, "t.csv:2: quoted field not closed"));
	csv_close(r);
}
END_TEST

START_TEST(test_text_after_quote)
{
	struct gw_err e = GW_ERR_INIT;
	struct csv_reader *r = open_text("a,b\n\"x\"y,2\n");

	ck_assert_int_eq(csv_next(r, &e), 1);
	ck_assert_int_lt(csv_next(r, &e), 0);
	ck_assert_ptr_nonnull(strstr(e.msg, ":2: text after a closing quote"));
	csv_close(r);
}
END_TEST

START_TEST(test_header)
{
	static const struct csv_col cols[] = { { "a", 1 }, { "b", 1 },
	    { "opt", 0 } };
	struct gw_err e = GW_ERR_INIT;
	struct csv_reader *r;
	int idx[3];
	size_t unknown;

	r = open_text("b,extra,a\n1,2,3\n");
	ck_assert_int_eq(csv_read_header(r, cols, 3, idx, &unknown, &e), 0);
	ck_assert_int_eq(idx[0], 2);
	ck_assert_int_eq(idx[1], 0);
	ck_assert_int_eq(idx[2], -1);
	ck_assert_int_eq(unknown, 1);
	csv_close(r);

	r = open_text("a,opt\n");
	ck_assert_int_eq(csv_read_header(r, cols, 3, idx, NULL, &e), GW_EINPUT);
	ck_assert_ptr_nonnull(strstr(e.msg, "t.csv:1: b: missing column"));
	csv_close(r);

	gw_err_clear(&e);
	r = open_text("a,b,a\n");
	ck_assert_int_eq(csv_read_header(r, cols, 3, idx, NULL, &e), GW_EINPUT);
	ck_assert_ptr_nonnull(strstr(e.msg, "appears twice"));
	csv_close(r);

	gw_err_clear(&e);
	r = open_text("");
	ck_assert_int_eq(csv_read_header(r, cols, 3, idx, NULL, &e), GW_EINPUT);
	ck_assert_ptr_nonnull(strstr(e.msg, "empty file"));
	csv_close(r);
}
END_TEST

START_TEST(test_limits)
{
	struct gw_err e = GW_ERR_INIT;
	struct csv_reader *r;
	char *big = malloc(CSV_MAX_FIELDS * 2 + 8);
	int i;

	for (i = 0; i <= CSV_MAX_FIELDS; i++) {
		big[2 * i] = 'x';
		big[2 * i + 1] = ',';
	}
	big[2 * CSV_MAX_FIELDS + 1] = '\n';
	big[2 * CSV_MAX_FIELDS + 2] = '\0';
	r = open_text(big);
	ck_assert_int_eq(csv_next(r, &e), GW_ELIMIT);
	ck_assert_ptr_nonnull(strstr(e.msg, "fields"));
	csv_close(r);
	free(big);
}
END_TEST

START_TEST(test_write_round_trip)
{
	struct gw_err e = GW_ERR_INIT;
	const char *row[] = { "plain", "with,comma", "with \"quote\"", "two\r\nlines",
	    "", NULL, "张三" };
	struct csv_reader *r;
	char *p = tu_path(dir, "w.csv");
	FILE *fp = fopen(p, "wb");
	size_t i;

	csv_write_row(fp, row, 7);
	fclose(fp);
	ck_assert_int_eq(csv_open(&r, p, &e), 0);
	ck_assert_int_eq(csv_next(r, &e), 1);
	ck_assert_int_eq(csv_nfields(r), 7);
	for (i = 0; i < 7; i++)
		ck_assert_str_eq(csv_field(r, i), row[i] ? row[i] : "");
	ck_assert_int_eq(csv_next(r, &e), 0);
	csv_close(r);
	free(p);
}
END_TEST

static Suite *
csv_suite(void)
{
	Suite *s = suite_create("csv");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_quoting);
	tcase_add_test(tc, test_unterminated_quote);
	tcase_add_test(tc, test_text_after_quote);
	tcase_add_test(tc, test_header);
	tcase_add_test(tc, test_limits);
	tcase_add_test(tc, test_write_round_trip);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(csv_suite)
