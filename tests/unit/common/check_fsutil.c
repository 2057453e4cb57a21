/* Unit tests: atomic files and file helpers (common/fsutil.c). */
#include "tests/unit/testutil.h"

#include <sys/stat.h>

#include "common/fsutil.h"

static char *dir;

static void
setup(void)
{
	dir = tu_tmpdir();
}

static void
teardown(void)
{
	tu_tmpdir_free(dir);
}

START_TEST(test_commit_and_abort)
{
	struct gw_err e = GW_ERR_INIT;
	struct afile *af;
	char *p = tu_path(dir, "out.xml"), *tmp;
	char *buf;
	size_t n;

	ck_assert_int_eq(afile_open(&af, p, 0640, &e), 0);
	tmp = strdup(afile_tmp_path(af));
	fputs("<x/>", afile_fp(af));
	ck_assert(!fs_exists(p));	/* invisible until committed */
	ck_assert_int_eq(afile_commit(af, 1, &e), 0);
	ck_assert(!fs_exists(tmp));
	ck_assert_int_eq(fs_read_small(&buf, &n, p, 100, &e), 0);
	ck_assert_str_eq(buf, "<x/>");
	free(buf);
	/* A name is never reused with noreplace. */
	ck_assert_int_eq(afile_open(&af, p, 0640, &e), 0);
	fputs("other", afile_fp(af));
	ck_assert_int_eq(afile_commit(af, 1, &e), GW_EDUP);
	ck_assert_int_eq(fs_read_small(&buf, &n, p, 100, &e), 0);
	ck_assert_str_eq(buf, "<x/>");
	free(buf);
	ck_assert(!fs_exists(tmp));
	/* Abort leaves nothing behind. */
	ck_assert_int_eq(afile_open(&af, p, 0640, &e), 0);
	afile_abort(af);
	ck_assert(!fs_exists(tmp));
	free(tmp);
	free(p);
}
END_TEST

START_TEST(test_never_replaces_special_files)
{
	struct gw_err e = GW_ERR_INIT;
	struct afile *af;
	char *link = tu_path(dir, "null-link");
	struct stat st;

	ck_assert_int_eq(symlink("/dev/null", link), 0);
	ck_assert_int_eq(afile_open(&af, link, 0640, &e), 0);
	fputs("x", afile_fp(af));
	ck_assert_int_eq(afile_commit(af, 0, &e), GW_EIO);
	ck_assert_ptr_nonnull(strstr(e.msg, "not a regular file"));
	ck_assert_int_eq(lstat(link, &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	ck_assert_int_eq(stat("/dev/null", &st), 0);
	ck_assert(S_ISCHR(st.st_mode));
	free(link);
}
END_TEST

START_TEST(test_private)
{
	struct gw_err e = GW_ERR_INIT;
	char *p = tu_write(dir, "k.pem", "secret");

	chmod(p, 0600);
	ck_assert_int_eq(fs_check_private(p, &e), 0);
	chmod(p, 0644);
	ck_assert_int_eq(fs_check_private(p, &e), GW_EKEY);
	ck_assert_ptr_nonnull(strstr(e.msg, "readable by group or others"));
	ck_assert_ptr_nonnull(strstr(e.msg, "0644"));
	free(p);
}
END_TEST

START_TEST(test_sha256)
{
	struct gw_err e = GW_ERR_INIT;
	char hex[SHA256_HEX_LEN + 1];
	char *p = tu_write(dir, "abc", "abc");
	int64_t size;

	ck_assert_int_eq(fs_sha256_file(hex, p, &size, &e), 0);
	ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	ck_assert_int_eq(size, 3);
	free(p);
	p = tu_path(dir, "missing");
	ck_assert_int_eq(fs_sha256_file(hex, p, &size, &e), GW_EIO);
	free(p);
}
END_TEST

START_TEST(test_mkdirs)
{
	struct gw_err e = GW_ERR_INIT;
	char *p = tu_path(dir, "a/b/c");
	struct stat st;

	ck_assert_int_eq(fs_mkdirs(p, 0700, &e), 0);
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert_int_eq(fs_mkdirs(p, 0700, &e), 0);	/* idempotent */
	free(p);
}
END_TEST

static Suite *
fsutil_suite(void)
{
	Suite *s = suite_create("fsutil");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_commit_and_abort);
	tcase_add_test(tc, test_never_replaces_special_files);
	tcase_add_test(tc, test_private);
	tcase_add_test(tc, test_sha256);
	tcase_add_test(tc, test_mkdirs);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(fsutil_suite)
