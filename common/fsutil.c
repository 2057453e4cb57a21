/*
 * fsutil.c - atomic file writes and file helpers.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "common/fsutil.h"

struct afile {
	FILE	*fp;
	char	*path;
	char	*tmp;
};

const char *
fs_basename(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static char *
dir_of(const char *path)
{
	const char *s = strrchr(path, '/');

	if (s == NULL)
		return strdup(".");
	if (s == path)
		return strdup("/");
	return strndup(path, (size_t)(s - path));
}

int
afile_open(struct afile **out, const char *path, mode_t mode, struct gw_err *e)
{
	struct afile *af;
	size_t n;
	int fd;

	*out = NULL;
	if ((af = calloc(1, sizeof(*af))) == NULL)
		return gw_err_set(e, GW_ENOMEM, "%s: out of memory", path);
	n = strlen(path) + 32;
	af->path = strdup(path);
	af->tmp = malloc(n);
	if (af->path == NULL || af->tmp == NULL) {
		afile_abort(af);
		return gw_err_set(e, GW_ENOMEM, "%s: out of memory", path);
	}
	/* A dot-name beside the target: same file system, so rename is atomic,
	 * and pickers that skip dot-files never see a partial file. */
	{
		const char *base = fs_basename(path);
		int dlen = (int)(base - path);

		snprintf(af->tmp, n, "%.*s.%s.tmp%ld", dlen, path, base,
		    (long)getpid());
	}
	fd = open(af->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0) {
		gw_err_set(e, GW_EIO, "%s: cannot create: %s", af->tmp,
		    strerror(errno));
		free(af->tmp);
		af->tmp = NULL;
		afile_abort(af);
		return GW_EIO;
	}
	fchmod(fd, mode);
	if ((af->fp = fdopen(fd, "wb")) == NULL) {
		close(fd);
		afile_abort(af);
		return gw_err_set(e, GW_ENOMEM, "%s: fdopen failed", path);
	}
	*out = af;
	return 0;
}

FILE *
afile_fp(struct afile *af)
{
	return af->fp;
}

const char *
afile_tmp_path(struct afile *af)
{
	return af->tmp;
}

void
afile_abort(struct afile *af)
{
	if (af == NULL)
		return;
	if (af->fp != NULL)
		fclose(af->fp);
	if (af->tmp != NULL)
		unlink(af->tmp);
	free(af->tmp);
	free(af->path);
	free(af);
}

int
fs_fsync_dir(const char *dir, struct gw_err *e)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return gw_err_set(e, GW_EIO, "%s: %s", dir, strerror(errno));
	if (fsync(fd) != 0 && errno != EINVAL) {
		close(fd);
		return gw_err_set(e, GW_EIO, "%s: fsync: %s", dir,
		    strerror(errno));
	}
	close(fd);
	return 0;
}

int
afile_commit(struct afile *af, int noreplace, struct gw_err *e)
{
	char *dir = NULL;
	int rc = 0;

	if (fflush(af->fp) != 0 || ferror(af->fp) ||
	    fsync(fileno(af->fp)) != 0) {
		rc = gw_err_set(e, GW_EIO, "%s: write: %s", af->tmp,
		    strerror(errno));
		goto done;
	}
	if (fclose(af->fp) != 0) {
		af->fp = NULL;
		rc = gw_err_set(e, GW_EIO, "%s: close: %s", af->tmp,
		    strerror(errno));
		goto done;
	}
	af->fp = NULL;
	/* Replace only a regular file: renaming over /dev/null as root, or
	 * over a directory entry that is a link, must never happen. */
	{
		struct stat st;

		if (lstat(af->path, &st) == 0 && !S_ISREG(st.st_mode)) {
			rc = gw_err_set(e, GW_EIO, "%s: exists and is not a "
			    "regular file; not replacing it", af->path);
			goto done;
		}
	}
	if (noreplace) {
		/* link() fails with EEXIST instead of replacing. */
		if (link(af->tmp, af->path) != 0) {
			rc = gw_err_set(e, errno == EEXIST ? GW_EDUP : GW_EIO,
			    "%s: %s", af->path, errno == EEXIST ?
			    "already exists; file names are never reused" :
			    strerror(errno));
			goto done;
		}
		unlink(af->tmp);
	} else if (rename(af->tmp, af->path) != 0) {
		rc = gw_err_set(e, GW_EIO, "%s: rename: %s", af->path,
		    strerror(errno));
		goto done;
	}
	free(af->tmp);
	af->tmp = NULL;
	if ((dir = dir_of(af->path)) == NULL) {
		rc = gw_err_set(e, GW_ENOMEM, "out of memory");
		goto done;
	}
	rc = fs_fsync_dir(dir, e);
done:
	free(dir);
	afile_abort(af);
	return rc;
}

int
fs_mkdirs(const char *path, mode_t mode, struct gw_err *e)
{
	char buf[PATH_MAX];
	size_t i, n = strlen(path);

	if (n == 0 || n >= sizeof(buf))
		return gw_err_set(e, GW_EENV, "bad directory path");
	memcpy(buf, path, n + 1);
	for (i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, mode) != 0 && errno != EEXIST)
			return gw_err_set(e, GW_EENV, "%s: mkdir: %s", buf,
			    strerror(errno));
		buf[i] = i == n ? '\0' : '/';
	}
	return 0;
}

int
fs_check_private(const char *path, struct gw_err *e)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return gw_err_set(e, GW_EKEY, "%s: %s", path, strerror(errno));
	if (st.st_mode & 077)
		return gw_err_set(e, GW_EKEY,
		    "%s: readable by group or others (mode %04o); refusing it, "
		    "chmod 600 it", path, (unsigned)(st.st_mode & 07777));
	return 0;
}

void
hex_encode(char *out, const unsigned char *in, size_t n)
{
	static const char hx[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hx[in[i] >> 4];
		out[2 * i + 1] = hx[in[i] & 15];
	}
	out[2 * n] = '\0';
}

/* 256 KiB: large enough that read() and digest call overhead vanish next
 * to the hashing itself, small enough to stay in L2 alongside the state. */
#define FS_DIGEST_BUF (256 * 1024)

int
fs_digest_fd(EVP_MD_CTX *const *ctx, int n, int fd, const char *name,
    int64_t *size_out, struct gw_err *e)
{
	unsigned char *buf;
	int64_t total = 0;
	ssize_t got;
	int i, rc = 0;

	if ((buf = malloc(FS_DIGEST_BUF)) == NULL)
		return gw_err_set(e, GW_ENOMEM, "%s: out of memory", name);
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	for (;;) {
		got = read(fd, buf, FS_DIGEST_BUF);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			rc = gw_err_set(e, GW_EIO, "%s: read: %s", name,
			    strerror(errno));
			break;
		}
		if (got == 0)
			break;
		for (i = 0; i < n; i++)
			if (EVP_DigestUpdate(ctx[i], buf, (size_t)got) != 1) {
				rc = gw_err_set(e, GW_EIO, "%s: digest failed",
				    name);
				goto done;
			}
		total += got;
	}
done:
	free(buf);
	if (rc == 0 && size_out != NULL)
		*size_out = total;
	return rc;
}

int
fs_sha256_file(char out[SHA256_HEX_LEN + 1], const char *path,
    int64_t *size_out, struct gw_err *e)
{
	unsigned char md[32];
	EVP_MD_CTX *ctx = NULL;
	int fd, rc = 0;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return gw_err_set(e, GW_EIO, "%s: %s", path, strerror(errno));
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		rc = gw_err_set(e, GW_ENOMEM, "sha256 init failed");
		goto done;
	}
	if ((rc = fs_digest_fd(&ctx, 1, fd, path, size_out, e)) != 0)
		goto done;
	EVP_DigestFinal_ex(ctx, md, NULL);
	hex_encode(out, md, sizeof(md));
done:
	EVP_MD_CTX_free(ctx);
	close(fd);
	return rc;
}

int
fs_read_small(char **out, size_t *len_out, const char *path, size_t max,
    struct gw_err *e)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	ssize_t n;
	int fd;

	*out = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return gw_err_set(e, GW_EIO, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0 || (size_t)st.st_size > max) {
		close(fd);
		return gw_err_set(e, GW_ELIMIT, "%s: larger than %zu bytes",
		    path, max);
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		close(fd);
		return gw_err_set(e, GW_ENOMEM, "%s: out of memory", path);
	}
	while (len < (size_t)st.st_size &&
	    (n = read(fd, buf + len, (size_t)st.st_size - len)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = '\0';
	*out = buf;
	if (len_out)
		*len_out = len;
	return 0;
}

static int
write_whole(const char *path, const void *data, size_t len, mode_t mode,
    int noreplace, struct gw_err *e)
{
	struct afile *af;
	int rc;

	if ((rc = afile_open(&af, path, mode, e)) != 0)
		return rc;
	if (len > 0 && fwrite(data, 1, len, afile_fp(af)) != len) {
		afile_abort(af);
		return gw_err_set(e, GW_EIO, "%s: write failed", path);
	}
	return afile_commit(af, noreplace, e);
}

int
fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode,
    struct gw_err *e)
{
	return write_whole(path, data, len, mode, 0, e);
}

int
fs_write_new(const char *path, const void *data, size_t len, mode_t mode,
    struct gw_err *e)
{
	return write_whole(path, data, len, mode, 1, e);
}

int
fs_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

int
fs_copy_atomic(const char *src, const char *dst, mode_t mode, int noreplace,
    struct gw_err *e)
{
	struct afile *af;
	char buf[65536];
	size_t n;
	FILE *in;

	if ((in = fopen(src, "rb")) == NULL)
		return gw_err_set(e, GW_EIO, "%s: %s", src, strerror(errno));
	if (afile_open(&af, dst, mode, e) != 0) {
		fclose(in);
		return e->code;
	}
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, afile_fp(af)) != n)
			break;
	if (ferror(in) || ferror(afile_fp(af))) {
		fclose(in);
		afile_abort(af);
		return gw_err_set(e, GW_EIO, "%s: copy to %s failed", src, dst);
	}
	fclose(in);
	return afile_commit(af, noreplace, e);
}

int
fs_move_noreplace(const char *src, const char *dst, struct gw_err *e)
{
	char *sdir = NULL, *ddir = NULL;
	int rc = 0;

	/* link() fails with EEXIST where rename() would replace. */
	if (link(src, dst) != 0)
		return gw_err_set(e, errno == EEXIST ? GW_EDUP : GW_EIO,
		    "%s: cannot move to %s: %s", src, dst, errno == EEXIST ?
		    "already exists" : strerror(errno));
	if ((sdir = dir_of(src)) == NULL || (ddir = dir_of(dst)) == NULL) {
		rc = gw_err_set(e, GW_ENOMEM, "out of memory");
		goto done;
	}
	if ((rc = fs_fsync_dir(ddir, e)) != 0)
		goto done;
	if (unlink(src) != 0) {
		rc = gw_err_set(e, GW_EIO, "%s: unlink: %s", src,
		    strerror(errno));
		goto done;
	}
	rc = fs_fsync_dir(sdir, e);
done:
	free(sdir);
	free(ddir);
	return rc;
}
