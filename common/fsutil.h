/*
 * fsutil.h - files that appear whole or not at all, and small file helpers.
 *
 * An afile is written under a temporary name in the target's directory,
 * then flushed, fsynced, renamed into place and the directory fsynced, so
 * a crash leaves either the old state or the complete new file, never a
 * torn one. With noreplace the rename refuses to clobber an existing name,
 * which is how batch file names are guaranteed never to be reused.
 */
#ifndef GW_FSUTIL_H
#define GW_FSUTIL_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <openssl/types.h>

#include "common/err.h"

#define SHA256_HEX_LEN 64

struct afile;

/*
 * Start writing path via a temporary file with the given mode.
 * The caller owns the afile and must end it with afile_commit or
 * afile_abort.
 */
int	afile_open(struct afile **out, const char *path, mode_t mode,
	    struct gw_err *e);

/* The stream to write to; stays owned by the afile. */
FILE	*afile_fp(struct afile *af);

/* Temporary path being written (for tools that want a name). */
const char *afile_tmp_path(struct afile *af);

/*
 * Flush, fsync, rename into place, fsync the directory, free af.
 * noreplace: fail with GW_EDUP if path exists. On failure the temporary
 * file is removed and af is freed all the same.
 */
int	afile_commit(struct afile *af, int noreplace, struct gw_err *e);

/* Remove the temporary file and free af. Accepts NULL. */
void	afile_abort(struct afile *af);

/* mkdir -p with mode for each created level. */
int	fs_mkdirs(const char *path, mode_t mode, struct gw_err *e);

/* fsync a directory so a rename inside it is durable. */
int	fs_fsync_dir(const char *dir, struct gw_err *e);

/*
 * Refuse a secret file that group or others can read or write:
 * GW_EKEY "path: readable by others (mode 0644); chmod 600 it".
 */
int	fs_check_private(const char *path, struct gw_err *e);

/*
 * Feed fd, from its current offset to end of file, into each of the n
 * contexts (EVP_DigestInit, EVP_DigestSignInit or EVP_DigestVerifyInit)
 * through one large buffer, so a file of any size streams in constant
 * memory and is read once however many digests it needs. name is used in
 * messages; *size_out (may be NULL) gets the byte count. fd is not closed.
 */
int	fs_digest_fd(EVP_MD_CTX *const *ctx, int n, int fd, const char *name,
	    int64_t *size_out, struct gw_err *e);

/* SHA-256 of a file, streamed, as lowercase hex (65 bytes with NUL). */
int	fs_sha256_file(char out[SHA256_HEX_LEN + 1], const char *path,
	    int64_t *size_out, struct gw_err *e);

/* Lowercase hex of n bytes into out (2n+1 bytes). */
void	hex_encode(char *out, const unsigned char *in, size_t n);

/* Read a whole small file (at most max bytes) into a NUL-terminated buffer. */
int	fs_read_small(char **out, size_t *len_out, const char *path, size_t max,
	    struct gw_err *e);

/* Write a small file atomically (afile) with the given mode. */
int	fs_write_atomic(const char *path, const void *data, size_t len,
	    mode_t mode, struct gw_err *e);

/* The same for a file that must not exist yet: GW_EDUP if path does. */
int	fs_write_new(const char *path, const void *data, size_t len,
	    mode_t mode, struct gw_err *e);

/* 1 if path exists. */
int	fs_exists(const char *path);

/* Copy a file atomically into dst (streamed). */
int	fs_copy_atomic(const char *src, const char *dst, mode_t mode,
	    int noreplace, struct gw_err *e);

/*
 * Move src to dst on the same file system, never replacing dst (GW_EDUP
 * if it exists), and fsync both folders: after a crash the file is under
 * one name or, at worst, both.
 */
int	fs_move_noreplace(const char *src, const char *dst, struct gw_err *e);

/* Last path component of path (pointer into path). */
const char *fs_basename(const char *path);

#endif
