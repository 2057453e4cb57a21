/*
 * inbox.c - which files in inbox/ the bank takes, and in which order.
 *
 * A file is taken when it is complete: a regular file with a safe name
 * (1-128 of A-Z a-z 0-9 . _ -, not starting with a dot, so the
 * transports' temporary names .NAME.part and .upload.* are never
 * looked at), not itself a signature, with its signature NAME.p7s or
 * NAME.sig beside it. Our transport uploads the signature first and the
 * file last, each renamed into place (docs/transport.md), so a file
 * that shows up has its signature already. With --delay-ms a file is
 * left alone until it is that old. Files are taken oldest first.
 *
 * Files stay in the inbox after they are answered, as on a real bank's
 * server: the gateway confirms an upload by finding it there. A file is
 * known by name and content (NAME@SHA256); one already answered is
 * passed over while it sits there unchanged, and counted as "uploaded
 * again" (journal X, no debit, no answer) when it comes back with a new
 * modification time. A file whose answer was made but not all placed
 * when the bank stopped is finished first.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "common/fsutil.h"
#include "common/log.h"
#include "formats/iso_read.h"
#include "keys/keys.h"
#include "tests/bank/bank.h"

struct cand {
	char	*name;
	int64_t	 mtime_ns, size;
};

static int
is_safe_name(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > 128 || s[0] == '.')
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' &&
		    s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '.' || s[i] == '_' || s[i] == '-'))
			return 0;
	return 1;
}

static int
ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);

	return n >= t && strcmp(s + n - t, tail) == 0;
}

static int
is_regular(const char *dir, const char *name, struct stat *st)
{
	char path[4096];
	struct stat local;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return lstat(path, st ? st : &local) == 0 &&
	    S_ISREG((st ? st : &local)->st_mode);
}

static int
has_signature(const char *dir, const char *name)
{
	char sig[300];

	snprintf(sig, sizeof(sig), "%s.p7s", name);
	if (is_regular(dir, sig, NULL))
		return 1;
	snprintf(sig, sizeof(sig), "%s.sig", name);
	return is_regular(dir, sig, NULL);
}

static int
by_age(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (x->mtime_ns != y->mtime_ns)
		return x->mtime_ns < y->mtime_ns ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* 1 if name was looked at before with this size and time. */
static int
seen(const struct bank *b, const char *name, int64_t mtime, int64_t size)
{
	int64_t *m = strmap_get(b->seen_mtime, name);
	int64_t *s = strmap_get(b->seen_size, name);

	return m && s && *m == mtime && *s == size;
}

static int
remember(struct bank *b, const struct cand *c, struct gw_err *e)
{
	int64_t *m, *s;
	int added;

	if ((m = strmap_put(b->seen_mtime, c->name, &added)) == NULL ||
	    (s = strmap_put(b->seen_size, c->name, &added)) == NULL)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	*m = c->mtime_ns;
	*s = c->size;
	return 0;
}

/* What the file is: a debit batch (XML or text), mandates, or other. */
enum kind { K_XML_DEBIT, K_TEXT_DEBIT, K_MANDATE, K_OTHER };

static enum kind
kind_of(const struct bank *b, const char *path, const char **why)
{
	struct iso_limits lim = ISO_LIMITS_DEFAULT;
	struct gw_err e = GW_ERR_INIT;
	unsigned char head[64];
	enum iso_msg type;
	size_t n, i = 0;
	FILE *fp = fopen(path, "rb");

	n = fp ? fread(head, 1, sizeof(head), fp) : 0;
	if (fp)
		fclose(fp);
	if (n >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF)
		i = 3;
	while (i < n && (head[i] == ' ' || head[i] == '\t' ||
	    head[i] == '\r' || head[i] == '\n'))
		i++;
	if (i == n || head[i] != '<') {
		*why = "not XML, and the bank has no --text descriptor";
		return b->tf ? K_TEXT_DEBIT : K_OTHER;
	}
	/* XML that says nothing clear is answered as a batch: FF01. */
	if (iso_detect(path, &lim, &type, &e) != 0)
		return K_XML_DEBIT;
	switch (iso_msg_family(type)) {
	case ISO_FAM_DEBIT:
		return K_XML_DEBIT;
	case ISO_FAM_MANDATE_REQ:
	case ISO_FAM_MANDATE_CXL:
		return K_MANDATE;
	default:
		*why = "not a message a bank takes (pain.008, pain.009, "
		    "pain.011)";
		return K_OTHER;
	}
}

/* Verify, then hand the file to the part that answers it. */
static int
take(struct bank *b, const struct infile *f, struct gw_err *e)
{
	struct keys_sig_info info;
	struct gw_err ve = GW_ERR_INIT;
	const char *why = "";
	enum kind k = kind_of(b, f->path, &why);
	int sig_ok, rc;

	sig_ok = keys_verify_file_with(&info, b->o.trust, b->o.ntrust,
	    f->path, NULL, &ve) == 0;
	if (ve.code == GW_ENOMEM)
		return gw_err_set(e, GW_ENOMEM, "%s", ve.msg);
	if (k == K_XML_DEBIT || k == K_TEXT_DEBIT)
		return debit_file(b, f, k == K_TEXT_DEBIT, sig_ok, ve.msg, e);
	if (k == K_MANDATE)
		return mandate_file(b, f, sig_ok, ve.msg, e);
	log_warn("%s: %s; left unanswered", f->name, why);
	if ((rc = ledger_file_decided(b->led, f->fkey, f->name, "other",
	    "ignored", f->mtime_ns, e)) == 0 &&
	    (rc = ledger_file_done(b->led, f->fkey, e)) == 0)
		rc = ledger_sync(b->led, e);
	return rc;
}

/* One candidate: new, answered before, or half placed. *acted 1 if the
 * bank did something with it. */
static int
consider(struct bank *b, const struct cand *c, int *acted, struct gw_err *e)
{
	char hex[SHA256_HEX_LEN + 1], *path = NULL, *fkey = NULL;
	struct infile f;
	int64_t mtime;
	enum file_state st;
	int rc;

	*acted = 0;
	if (asprintf(&path, "%s/%s", b->inbox, c->name) < 0)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	if ((rc = fs_sha256_file(hex, path, NULL, e)) != 0)
		goto done;
	if (asprintf(&fkey, "%s@%s", c->name, hex) < 0) {
		rc = gw_err_set(e, GW_ENOMEM, "out of memory");
		goto done;
	}
	f.name = c->name;
	f.path = path;
	f.fkey = fkey;
	f.mtime_ns = c->mtime_ns;
	st = ledger_file(b->led, fkey, &mtime);
	*acted = !(st == FS_DONE && mtime == c->mtime_ns);
	if (st == FS_DONE && *acted) {
		log_warn("%s: the same file again (answered before): not "
		    "debited, no answer", c->name);
		if ((rc = ledger_file_again(b->led, fkey, c->name,
		    c->mtime_ns, e)) == 0)
			rc = ledger_sync(b->led, e);
	} else if (st == FS_MADE)
		rc = outbox_place(b, fkey, e);
	else if (st != FS_DONE)
		rc = take(b, &f, e);
	if (rc == 0)
		rc = remember(b, c, e);
done:
	free(path);
	free(fkey);
	return rc;
}

/* The complete files of the inbox that changed since last looked at. */
static int
candidates(struct bank *b, struct cand **out, size_t *n, struct gw_err *e)
{
	struct cand *v = NULL;
	size_t cap = 0;
	struct dirent *d;
	struct stat st;
	struct timespec now;
	int64_t now_ns;
	DIR *dir = opendir(b->inbox);

	*n = 0;
	/* The real clock: modification times are real, DEBITGW_FAKE_NOW is
	 * not. */
	clock_gettime(CLOCK_REALTIME, &now);
	now_ns = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
	if (dir == NULL)
		return gw_err_set(e, GW_EIO, "%s: %s", b->inbox,
		    strerror(errno));
	while ((d = readdir(dir)) != NULL) {
		int64_t mt;

		if (!is_safe_name(d->d_name) || ends_with(d->d_name, ".p7s") ||
		    ends_with(d->d_name, ".sig") ||
		    !is_regular(b->inbox, d->d_name, &st) ||
		    !has_signature(b->inbox, d->d_name))
			continue;
		mt = (int64_t)st.st_mtim.tv_sec * 1000000000 +
		    st.st_mtim.tv_nsec;
		if (seen(b, d->d_name, mt, (int64_t)st.st_size) ||
		    now_ns - mt < (int64_t)b->o.delay_ms * 1000000)
			continue;
		if (vec_room(&v, *n, &cap, sizeof(*v)) != 0 ||
		    (v[*n].name = strdup(d->d_name)) == NULL)
			break;
		v[*n].mtime_ns = mt;
		v[(*n)++].size = (int64_t)st.st_size;
	}
	closedir(dir);
	*out = v;
	if (d != NULL)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	if (*n > 1)
		qsort(v, *n, sizeof(*v), by_age);
	return 0;
}

int
inbox_pass(struct bank *b, int *handled, struct gw_err *e)
{
	struct cand *v = NULL;
	size_t n = 0, i;
	int rc, acted;

	*handled = 0;
	rc = candidates(b, &v, &n, e);
	for (i = 0; rc == 0 && i < n && !(b->stop && *b->stop); i++) {
		rc = consider(b, &v[i], &acted, e);
		*handled += acted;
	}
	for (i = 0; i < n; i++)
		free(v[i].name);
	free(v);
	return rc;
}
