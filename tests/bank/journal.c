/*
 * journal.c - the bank's append-only record of what it decided and
 * returned (state/journal): one record a line, fields separated by tabs.
 *
 * Records are queued in memory and written with one write and one fsync
 * (journal_sync), so a batch of 50,000 decisions costs one disk flush.
 * After a crash the file ends in whole records or in one torn line; the
 * torn line was never synced, so nothing acted on it, and opening the
 * journal cuts it off before anything is appended. Fields never hold a
 * tab, a line break or another control byte (journal_add refuses them),
 * which keeps every line splittable without quoting.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/bank/bank.h"

#define MAX_LINE 65536

struct journal {
	int	 fd;
	char	*path;
	char	*buf;
	size_t	 len, cap;
};

/* Split line (its '\n' already cut) at tabs and hand it to fn. */
static int
replay_line(char *line, long lineno, const char *path, journal_rec_fn fn,
    void *arg, struct gw_err *e)
{
	char *f[JOURNAL_MAX_FIELDS], *p = line, *tab;
	size_t n = 0;

	for (;;) {
		if (n == JOURNAL_MAX_FIELDS)
			return gw_err_set(e, GW_EINPUT, "%s:%ld: more than %d "
			    "fields", path, lineno, JOURNAL_MAX_FIELDS);
		f[n++] = p;
		if ((tab = strchr(p, '\t')) == NULL)
			break;
		*tab = '\0';
		p = tab + 1;
	}
	return fn(arg, f, n, e);
}

/* Read every complete line; *good gets the offset after the last one. */
static int
replay(struct journal *j, journal_rec_fn fn, void *arg, off_t *good,
    struct gw_err *e)
{
	FILE *fp;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long lineno = 0;
	int rc = 0, fd = dup(j->fd);

	*good = 0;
	if (fd < 0 || (fp = fdopen(fd, "r")) == NULL) {
		if (fd >= 0)
			close(fd);
		return gw_err_set(e, GW_EIO, "%s: %s", j->path,
		    strerror(errno));
	}
	rewind(fp);
	while ((n = getline(&line, &cap, fp)) > 0) {
		lineno++;
		if (line[n - 1] != '\n')
			break;			/* torn: never synced */
		if (n > MAX_LINE) {
			rc = gw_err_set(e, GW_EINPUT, "%s:%ld: line longer "
			    "than %d bytes", j->path, lineno, MAX_LINE);
			break;
		}
		line[n - 1] = '\0';
		if ((rc = replay_line(line, lineno, j->path, fn, arg, e)) != 0)
			break;
		*good += n;
	}
	if (rc == 0 && ferror(fp))
		rc = gw_err_set(e, GW_EIO, "%s: read error", j->path);
	free(line);
	fclose(fp);
	return rc;
}

int
journal_open(struct journal **out, const char *path, int readonly,
    journal_rec_fn fn, void *arg, struct gw_err *e)
{
	struct journal *j;
	off_t good, end;
	int rc;

	*out = NULL;
	if ((j = calloc(1, sizeof(*j))) == NULL ||
	    (j->path = strdup(path)) == NULL) {
		free(j);
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	}
	j->fd = readonly ? open(path, O_RDONLY | O_CLOEXEC) :
	    open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (j->fd < 0) {
		rc = gw_err_set(e, GW_EIO, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if ((rc = replay(j, fn, arg, &good, e)) != 0)
		goto fail;
	if (!readonly && (end = lseek(j->fd, 0, SEEK_END)) > good) {
		if (ftruncate(j->fd, good) != 0 || fsync(j->fd) != 0) {
			rc = gw_err_set(e, GW_EIO, "%s: cutting a torn record: "
			    "%s", path, strerror(errno));
			goto fail;
		}
	}
	*out = j;
	return 0;
fail:
	journal_close(j);
	return rc;
}

int
journal_add(struct journal *j, const char *const *f, size_t n,
    struct gw_err *e)
{
	size_t i, need = 0;
	const char *s;

	for (i = 0; i < n; i++) {
		for (s = f[i]; *s; s++)
			if ((unsigned char)*s < 0x20 || *s == 0x7f)
				return gw_err_set(e, GW_EINPUT, "journal: "
				    "field '%.40s' holds a control character",
				    f[i]);
		need += (size_t)(s - f[i]) + 1;
	}
	if (j->len + need > j->cap) {
		size_t cap = j->cap ? j->cap : 65536;
		char *grown;

		while (cap < j->len + need)
			cap *= 2;
		if ((grown = realloc(j->buf, cap)) == NULL)
			return gw_err_set(e, GW_ENOMEM, "out of memory");
		j->buf = grown;
		j->cap = cap;
	}
	for (i = 0; i < n; i++) {
		size_t len = strlen(f[i]);

		memcpy(j->buf + j->len, f[i], len);
		j->len += len;
		j->buf[j->len++] = i + 1 < n ? '\t' : '\n';
	}
	return 0;
}

int
journal_sync(struct journal *j, struct gw_err *e)
{
	size_t off = 0;
	ssize_t w;

	while (off < j->len) {
		if ((w = write(j->fd, j->buf + off, j->len - off)) < 0) {
			if (errno == EINTR)
				continue;
			return gw_err_set(e, GW_EIO, "%s: write: %s", j->path,
			    strerror(errno));
		}
		off += (size_t)w;
	}
	j->len = 0;
	if (fsync(j->fd) != 0)
		return gw_err_set(e, GW_EIO, "%s: fsync: %s", j->path,
		    strerror(errno));
	return 0;
}

void
journal_close(struct journal *j)
{
	if (j == NULL)
		return;
	if (j->fd >= 0)
		close(j->fd);
	free(j->buf);
	free(j->path);
	free(j);
}
