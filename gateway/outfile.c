/*
 * outfile.c - stage, sign, place.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/outfile.h"

int
outfile_stage(struct outfile *out, struct home *h, struct keystore **ks,
    const char *passphrase_file, const char *name, outfile_write_fn fn,
    void *arg, const char *expect_sha256, struct gw_err *e)
{
	int rc;

	memset(out, 0, sizeof(*out));
	snprintf(out->stage, sizeof(out->stage), "%s/tmp/%s", h->dir, name);
	if ((rc = fn(arg, out->stage, e)) != 0 ||
	    (rc = fs_sha256_file(out->sha256, out->stage, NULL, e)) != 0)
		return rc;
	if (expect_sha256 != NULL && strcmp(out->sha256, expect_sha256) != 0)
		return gw_err_set(e, GW_EIO, "%s: made again it differs from the "
		    "file signed before (SHA-256 %.16s... vs %.16s...); not "
		    "placing it, an operator must look", name, out->sha256,
		    expect_sha256);
	if (*ks == NULL && (rc = keystore_open(ks, h->dir, h->db,
	    passphrase_file, e)) != 0)
		return rc;
	return keys_sign_file(out->sig, sizeof(out->sig), *ks, NULL, out->stage,
	    e);
}

int
outfile_place(const struct outfile *of, struct home *h, const char *bank,
    struct gw_err *e)
{
	char dir[4096], dst[4096 + 256], dst_sig[4096 + 256];
	int rc;

	snprintf(dir, sizeof(dir), "%s/outbox/%s", h->dir, bank);
	snprintf(dst, sizeof(dst), "%s/%s", dir, fs_basename(of->stage));
	snprintf(dst_sig, sizeof(dst_sig), "%s/%s", dir, fs_basename(of->sig));
	if ((rc = fs_mkdirs(dir, 0750, e)) != 0)
		return rc;
	if (rename(of->sig, dst_sig) != 0 || rename(of->stage, dst) != 0)
		return gw_err_set(e, GW_EIO, "%s: into %s: %s",
		    fs_basename(of->stage), dir, strerror(errno));
	return fs_fsync_dir(dir, e);
}

int
outfile_is_out(struct home *h, const char *bank, const char *name)
{
	char p[4096];

	snprintf(p, sizeof(p), "%s/outbox/%s/%s", h->dir, bank, name);
	if (fs_exists(p))
		return 1;
	snprintf(p, sizeof(p), "%s/archive/%s/%s", h->dir, bank, name);
	return fs_exists(p);
}
