/*
 * testutil.h - helpers shared by the Check unit tests.
 *
 * Every test binary is one .c under tests/unit/<part>/check_<module>.c
 * ending in GW_TEST_MAIN(suite). Tests run forked (one crash fails one
 * test, not the binary) with Check's timeout. Temporary directories live
 * under $TMPDIR and are removed by the test that made them.
 */
#ifndef GW_TESTUTIL_H
#define GW_TESTUTIL_H

#include <check.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define GW_TEST_MAIN(suite_fn)						\
	int								\
	main(void)							\
	{								\
		SRunner *sr = srunner_create(suite_fn());		\
		int nf;							\
		srunner_set_fork_status(sr, CK_FORK);			\
		srunner_run_all(sr, CK_NORMAL);				\
		nf = srunner_ntests_failed(sr);				\
		srunner_free(sr);					\
		return nf == 0 ? 0 : 1;					\
	}

static inline int
tu_rm_cb(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

/* The ISO 20022 schemas: $SCHEMAS (the Makefile exports it), else ../shared. */
static inline const char *
tu_schemas_dir(void)
{
	const char *s = getenv("SCHEMAS");

	return s && *s ? s : "../shared/schemas/iso20022";
}

/* A fresh temporary directory; free the result with tu_tmpdir_free. */
static inline char *
tu_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *p;

	if (base == NULL || *base == '\0')
		base = "/tmp";
	if (asprintf(&p, "%s/debitgw-test-XXXXXX", base) < 0)
		return NULL;
	if (mkdtemp(p) == NULL) {
		free(p);
		return NULL;
	}
	return p;
}

/* Remove the directory tree and free the name. */
static inline void
tu_tmpdir_free(char *p)
{
	if (p == NULL)
		return;
	nftw(p, tu_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	free(p);
}

/* dir/name as a malloc'd string. */
static inline char *
tu_path(const char *dir, const char *name)
{
	char *p;

	if (asprintf(&p, "%s/%s", dir, name) < 0)
		return NULL;
	return p;
}

/* Write text to dir/name; returns the malloc'd path. */
static inline char *
tu_write(const char *dir, const char *name, const char *text)
{
	char *p = tu_path(dir, name);
	FILE *fp = fopen(p, "wb");

	ck_assert_ptr_nonnull(fp);
	fputs(text, fp);
	fclose(fp);
	return p;
}

#endif
