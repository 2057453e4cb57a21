/*
 * transport.c - send and fetch passes, resend, and remote clean-up.
 *
 * An upload is confirmed only by looking: after the put, the size of the
 * file at the bank must equal ours. Before each put we look too, so an
 * attempt whose answer was lost (the file is there, the connection died)
 * is confirmed instead of uploaded twice, and a copy that our own earlier
 * attempt left wrong (the server said OK and stored nothing, or part) is
 * removed before the new put. A file of our name that we did not put is
 * never touched: that needs an operator.
 *
 * Each attempt is recorded before any network traffic (transfer_begin),
 * and the result after it, in short transactions: the database is never
 * locked while we wait on a bank. Retries inside a pass sleep the backoff
 * (short with the defaults when run by hand); next_attempt_at keeps the
 * time a daemon should come back.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/date.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/vec.h"
#include "gateway/remote.h"
#include "gateway/transfer.h"
#include "gateway/transport.h"
#include "keys/keys.h"

/* State of one bank's pass. */
struct pass {
	struct home			*h;
	const struct bank_cfg		*b;
	const struct transport_opts	*o;
	struct transport_result		*res;
	const char			*url;	/* upload or returns */
	struct remote			*r;	/* opened on first need */
	int				 lock_fd;
};

static void
report(const struct pass *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
report(const struct pass *p, const char *fmt, ...)
{
	char line[2048];
	int n;
	va_list ap;

	n = snprintf(line, sizeof(line), "%s: ", p->b->code);
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	if (p->o->report != NULL)
		p->o->report(p->o->report_arg, line);
	else
		log_info("%s", line);
}

int64_t
transport_backoff_ms(int n, int base_ms, int cap_ms, uint32_t rnd)
{
	int64_t step = base_ms > 0 ? base_ms : 1;
	int i;

	for (i = 1; i < n && step < cap_ms; i++)
		step *= 2;
	if (step > cap_ms)
		step = cap_ms;
	/* Half fixed, half jitter: attempts of many clients spread out, yet
	 * the delay still grows with n. */
	return step - step / 2 + (int64_t)(rnd % (uint32_t)(step / 2 + 1));
}

static void
pause_ms(const struct transport_opts *o, int64_t ms)
{
	struct timespec ts;

	if (o->sleep_ms != NULL) {
		o->sleep_ms(o->sleep_arg, ms);
		return;
	}
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static uint32_t
random32(void)
{
	uint32_t v = 0;

	if (getrandom(&v, sizeof(v), 0) != (ssize_t)sizeof(v))
		v = (uint32_t)getpid() ^ (uint32_t)time(NULL);
	return v;
}

static char *
path3(const char *a, const char *b, const char *c)
{
	char *s;

	if (asprintf(&s, "%s/%s/%s", a, b, c) < 0)
		return NULL;
	return s;
}

/* One pass per bank and home at a time: a lock that dies with us. */
int
transport_lock(int *fd_out, struct home *h, const char *bank,
    struct gw_err *e)
{
	char *full;
	int fd;

	*fd_out = -1;
	if (asprintf(&full, "%s/tmp/transport-%s.lock", h->dir, bank) < 0)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	fd = open(full, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		gw_err_set(e, GW_EENV, "%s: %s", full, strerror(errno));
		free(full);
		return GW_EENV;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		close(fd);
		gw_err_set(e, GW_EBUSY, "%s: another transfer pass for bank %s "
		    "is running", full, bank);
		free(full);
		return GW_EBUSY;
	}
	free(full);
	*fd_out = fd;
	return 0;
}

void
transport_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

static int
lock_bank(struct pass *p, struct gw_err *e)
{
	return transport_lock(&p->lock_fd, p->h, p->b->code, e);
}

static void
pass_end(struct pass *p)
{
	remote_close(p->r);
	p->r = NULL;
	if (p->lock_fd >= 0)
		close(p->lock_fd);
	p->lock_fd = -1;
}

static int
ensure_remote(struct pass *p, struct gw_err *e)
{
	if (p->r != NULL)
		return 0;
	return remote_open(&p->r, p->h->cfg, p->b, p->url, p->o->passphrase,
	    e);
}

/* ---- uploads -------------------------------------------------------- */

/*
 * One attempt: look, put if needed, look again. own_copy: a wrong-size
 * file of this name at the bank is ours to remove (an earlier attempt of
 * this upload made it).
 */
static int
upload_attempt(struct pass *p, const struct transfer *t, int own_copy,
    struct gw_err *e)
{
	int64_t rsize = 0;
	int rc;

	if ((rc = remote_size(p->r, t->remote_name, &rsize, e)) < 0)
		return rc;
	if (rc == 1 && rsize == t->size) {
		report(p, "up %s: already at the bank with the right size (%lld "
		    "bytes); not uploaded again", t->remote_name,
		    (long long)rsize);
		return 0;
	}
	if (rc == 1) {
		if (!own_copy)
			return gw_err_set(e, GW_EDUP, "put %s%s: the bank already "
			    "holds a different file of this name (%lld bytes, "
			    "ours %lld); not overwritten", remote_where(p->r),
			    t->remote_name, (long long)rsize,
			    (long long)t->size);
		report(p, "up %s: removing our incomplete copy at the bank "
		    "(%lld of %lld bytes)", t->remote_name, (long long)rsize,
		    (long long)t->size);
		if ((rc = remote_delete(p->r, t->remote_name, e)) != 0 &&
		    rc != GW_ENOTFOUND)
			return rc;
	}
	if ((rc = remote_put(p->r, t->local_path, t->remote_name, t->size,
	    e)) != 0)
		return rc;
	if ((rc = remote_size(p->r, t->remote_name, &rsize, e)) < 0)
		return rc;
	if (rc == 0)
		return gw_err_set(e, GW_ENET, "put %s%s: the server accepted the "
		    "upload but the file is not there", remote_where(p->r),
		    t->remote_name);
	if (rsize != t->size)
		return gw_err_set(e, GW_ENET, "put %s%s: the server holds %lld "
		    "bytes, we sent %lld", remote_where(p->r), t->remote_name,
		    (long long)rsize, (long long)t->size);
	return 0;
}

/*
 * One network attempt at record t (n: its number in this run; before:
 * the record as the run found it). On success sha may be filled in.
 */
typedef int (*attempt_fn)(struct pass *p, const struct transfer *t, int n,
    const struct transfer *before, char *sha, struct gw_err *e);

static int
attempt_upload(struct pass *p, const struct transfer *t, int n,
    const struct transfer *before, char *sha, struct gw_err *e)
{
	/* Ours: put earlier in this run, or by an unfinished first send;
	 * never after a resend of a confirmed file. */
	int own = n > 1 || (before->sends == 1 && before->attempts > 0 &&
	    strcmp(before->state, "done") != 0);

	(void)sha;
	return upload_attempt(p, t, own, e);
}

/*
 * Attempts at one record until it is done, a non-transient error stops
 * it, or retry_max attempts are used; transient failures wait the backoff
 * in between. Returns 0 or the error that ended it.
 */
static int
run_attempts(struct pass *p, int64_t id, attempt_fn fn, struct gw_err *e)
{
	struct db *db = p->h->db;
	struct transfer t, before;
	char sha[SHA256_HEX_LEN + 1];
	const struct transport_hooks *hk = p->o->hooks;
	int n, rc, up, transient;

	if ((rc = transfer_get(db, id, &before, e)) != 0)
		return rc;
	up = strcmp(before.direction, "up") == 0;
	for (n = 1;; n++) {
		struct gw_err ae = GW_ERR_INIT;
		int64_t delay;

		if ((rc = transfer_begin(db, id, e)) != 0 ||
		    (rc = transfer_get(db, id, &t, e)) != 0)
			return rc;
		p->res->attempts++;
		sha[0] = '\0';
		if ((rc = ensure_remote(p, &ae)) == 0)
			rc = fn(p, &t, n, &before, sha, &ae);
		if (rc == 0) {
			if ((rc = transfer_done(db, id, sha[0] ? sha : NULL,
			    p->o->actor, e)) != 0)
				return rc;
			if (up)
				report(p, "up %s (%lld bytes) confirmed at the "
				    "bank%s", t.remote_name, (long long)t.size,
				    n > 1 ? " after retries" : "");
			else
				report(p, "down %s (%lld bytes) stored as %s",
				    t.remote_name, (long long)t.size,
				    t.local_path);
			p->res->done++;
			if (!up && hk != NULL && hk->on_downloaded != NULL)
				return hk->on_downloaded(hk->arg, p->b->code,
				    t.remote_name, t.local_path, e);
			return 0;
		}
		transient = remote_is_transient(rc);
		delay = transport_backoff_ms(n, p->b->retry_base_ms,
		    p->b->retry_cap_ms, random32());
		if (transient && n < p->b->retry_max) {
			report(p, "%s %s: attempt %d failed: %s; again in %lld ms",
			    t.direction, t.remote_name, n, ae.msg,
			    (long long)delay);
			if ((rc = transfer_fail(db, id, "pending", ae.msg,
			    (int64_t)gw_now() + delay / 1000 + 1, p->o->actor,
			    e)) != 0)
				return rc;
			pause_ms(p->o, delay);
			continue;
		}
		report(p, "%s %s: %s after %d attempt%s: %s", t.direction,
		    t.remote_name, transient ? "failed" : "stopped", n,
		    n == 1 ? "" : "s", ae.msg);
		if (transfer_fail(db, id, transient ? "failed" : "needs_operator",
		    ae.msg, transient ? (int64_t)gw_now() + delay / 1000 + 1 : 0,
		    p->o->actor, e) != 0)
			return e->code;
		if (transient)
			p->res->failed++;
		else
			p->res->stopped++;
		return gw_err_pass(e, &ae);
	}
}

/*
 * An automatic pass (not run by hand) leaves alone what waits for an
 * operator and what is not due yet; counted, not attempted.
 */
static int
not_now(struct pass *p, const struct transfer *t)
{
	if (p->o->manual || strcmp(t->state, "done") == 0)
		return 0;
	if (strcmp(t->state, "needs_operator") == 0) {
		p->res->stopped++;
		return 1;
	}
	if (t->next_attempt_at > (int64_t)gw_now()) {
		p->res->deferred++;
		return 1;
	}
	return 0;
}

/*
 * The record of outbox file name, created on first sight; checks that
 * the file is what was recorded. *skip is set when there is nothing to
 * do for it (confirmed, or waiting for an operator in an automatic pass).
 */
static int
upload_record(struct pass *p, const char *dir, const char *name,
    struct transfer *t, int *skip, struct gw_err *e)
{
	char sha[SHA256_HEX_LEN + 1], *path;
	int64_t size;
	int rc;

	*skip = 0;
	if (asprintf(&path, "%s/%s", dir, name) < 0)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	if ((rc = fs_sha256_file(sha, path, &size, e)) != 0)
		goto done;
	if (size == 0) {
		rc = gw_err_set(e, GW_EINPUT, "%s: empty file; not sent", path);
		goto done;
	}
	if ((rc = transfer_upload_row(p->h->db, p->b->code, name, path, size,
	    sha, t, e)) < 0)
		goto done;
	rc = 0;
	if (strcmp(t->sha256, sha) != 0 || t->size != size) {
		if (strcmp(t->state, "done") == 0) {
			rc = gw_err_set(e, GW_EDUP, "%s: a different file of this "
			    "name was already sent to %s; names are never reused",
			    path, p->b->code);
			goto done;
		}
		rc = gw_err_set(e, GW_EINPUT, "%s: changed since it was first "
		    "seen (sha256 %.12s..., now %.12s...); not sent", path,
		    t->sha256, sha);
		transfer_fail(p->h->db, t->id, "needs_operator", e->msg, 0,
		    p->o->actor, NULL);
		goto done;
	}
	*skip = strcmp(t->state, "done") == 0 || not_now(p, t);
done:
	free(path);
	return rc;
}

/* Move a confirmed file from the outbox to archive/BANK/, never replacing. */
static int
archive(struct pass *p, const struct transfer *t, struct gw_err *e)
{
	char *dir = NULL, *dst = NULL;
	int rc = 0;

	if ((dir = path3(p->h->dir, "archive", p->b->code)) == NULL ||
	    asprintf(&dst, "%s/%s", dir, t->remote_name) < 0) {
		dst = NULL;
		rc = gw_err_set(e, GW_ENOMEM, "out of memory");
		goto done;
	}
	/* A crash before the record follows is fine: resend looks in the
	 * archive too. */
	if (strcmp(t->local_path, dst) != 0 &&
	    ((rc = fs_mkdirs(dir, 0750, e)) != 0 ||
	    (rc = fs_move_noreplace(t->local_path, dst, e)) != 0 ||
	    (rc = transfer_set_local(p->h->db, t->id, dst, e)) != 0))
		goto done;
done:
	free(dir);
	free(dst);
	return rc;
}

/* The signature of name present in dir ("NAME.p7s" or "NAME.sig"), or 0. */
static int
find_sig(const char *dir, const char *name, char *out, size_t cap)
{
	struct stat st;
	char path[2048];
	size_t i;

	for (i = 0; i < 2; i++) {
		snprintf(out, cap, "%s%s", name, keys_sig_exts[i]);
		snprintf(path, sizeof(path), "%s/%s", dir, out);
		if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) &&
		    transfer_name_is_valid(out))
			return 1;
	}
	return 0;
}

/* Errors after which the bank is not worth another file in this pass. */
static int
stops_bank(int rc)
{
	return rc == GW_ENET || rc == GW_EAUTH || rc == GW_EKEY ||
	    rc == GW_ECONFIG || rc == GW_EENV || rc == GW_EBUSY;
}

/* The signature, then the file; then the hook and the archive. */
static int
send_pair(struct pass *p, const char *dir, const char *sig, const char *name,
    struct gw_err *e)
{
	struct transfer ts, tf;
	int skip_s, skip_f, rc;

	if ((rc = upload_record(p, dir, sig, &ts, &skip_s, e)) != 0 ||
	    (rc = upload_record(p, dir, name, &tf, &skip_f, e)) != 0)
		return rc;
	if (!skip_s && (rc = run_attempts(p, ts.id, attempt_upload, e)) != 0)
		return rc;
	/* Never the file before its signature is confirmed. */
	if ((rc = transfer_get(p->h->db, ts.id, &ts, e)) != 0)
		return rc;
	if (strcmp(ts.state, "done") != 0)
		return 0;	/* not due, or waiting for an operator; counted */
	if (!skip_f && (rc = run_attempts(p, tf.id, attempt_upload, e)) != 0)
		return rc;
	if ((rc = transfer_get(p->h->db, tf.id, &tf, e)) != 0)
		return rc;
	if (strcmp(tf.state, "done") != 0)
		return 0;
	if (skip_s && skip_f)
		p->res->already++;
	if (p->o->hooks != NULL && p->o->hooks->on_uploaded != NULL &&
	    (rc = p->o->hooks->on_uploaded(p->o->hooks->arg, p->b->code, name,
	    e)) != 0)
		return rc;
	if ((rc = archive(p, &ts, e)) != 0 || (rc = archive(p, &tf, e)) != 0)
		return rc;
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Data files waiting in dir, sorted. The caller frees the list. */
static int
outbox_names(const char *dir, char ***out, size_t *n, struct gw_err *e)
{
	DIR *d;
	struct dirent *de;
	struct stat st;
	char **v = NULL, path[2048];
	size_t cap = 0;

	*out = NULL;
	*n = 0;
	if ((d = opendir(dir)) == NULL)
		return errno == ENOENT ? 0 : gw_err_set(e, GW_EIO, "%s: %s", dir,
		    strerror(errno));
	while ((de = readdir(d)) != NULL) {
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (!transfer_name_is_valid(de->d_name) ||
		    keys_is_sig_name(de->d_name) || lstat(path, &st) != 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (vec_room(&v, *n, &cap, sizeof(*v)) != 0 ||
		    (v[*n] = strdup(de->d_name)) == NULL)
			break;
		(*n)++;
	}
	closedir(d);
	if (de != NULL) {
		while (*n > 0)
			free(v[--*n]);
		free(v);
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	}
	if (*n > 0)
		qsort(v, *n, sizeof(*v), cmp_str);
	*out = v;
	return 0;
}

static int
send_bank(struct pass *p, struct gw_err *e)
{
	char *dir, **names = NULL, sig[TRANSFER_NAME_MAX + 8];
	size_t n = 0, i;
	int rc, first = 0;

	if ((dir = path3(p->h->dir, "outbox", p->b->code)) == NULL)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	if ((rc = outbox_names(dir, &names, &n, e)) != 0 || n == 0)
		goto done;
	if ((rc = lock_bank(p, e)) != 0)
		goto done;
	for (i = 0; i < n; i++) {
		struct gw_err fe = GW_ERR_INIT;

		if (!find_sig(dir, names[i], sig, sizeof(sig)) ||
		    strlen(names[i]) + 4 > TRANSFER_NAME_MAX) {
			report(p, "up %s: no signature (%s.p7s or %s.sig) yet; "
			    "waiting", names[i], names[i], names[i]);
			p->res->waiting++;
			continue;
		}
		if ((rc = send_pair(p, dir, sig, names[i], &fe)) == 0)
			continue;
		if (fe.code != 0 && !first) {
			gw_err_pass(e, &fe);
			first = rc;
		}
		if (stops_bank(rc)) {
			report(p, "stopping this bank's pass after that error");
			break;
		}
		report(p, "up %s: %s", names[i], fe.msg);
	}
	rc = first;
done:
	pass_end(p);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(dir);
	return rc;
}

/* Run fn for the chosen bank, or every bank that has the location. */
static int
each_bank(struct home *h, const struct transport_opts *o,
    struct transport_result *res, int up,
    int (*fn)(struct pass *, struct gw_err *), struct gw_err *e)
{
	struct transport_result local;
	int i, rc, first = 0;

	if (res == NULL)
		res = &local;
	memset(res, 0, sizeof(*res));
	if (o->bank != NULL && config_bank(h->cfg, o->bank) == NULL)
		return gw_err_set(e, GW_EINPUT, "no [bank:%s] section in %s",
		    o->bank, h->conf_path);
	for (i = 0; i < h->cfg->nbanks; i++) {
		const struct bank_cfg *b = &h->cfg->banks[i];
		struct pass p = { .h = h, .b = b, .o = o, .res = res,
		    .url = up ? b->upload : b->returns, .lock_fd = -1 };

		if (o->bank != NULL && strcmp(o->bank, b->code) != 0)
			continue;
		if (p.url == NULL) {
			if (o->bank != NULL)
				return gw_err_set(e, GW_ECONFIG, "[bank:%s] has no "
				    "%s location", b->code, up ? "upload" :
				    "returns");
			continue;
		}
		if ((rc = fn(&p, e)) != 0 && first == 0)
			first = rc;
	}
	return first;
}

int
transport_send_pass(struct home *h, const struct transport_opts *o,
    struct transport_result *res, struct gw_err *e)
{
	return each_bank(h, o, res, 1, send_bank, e);
}

/* ---- downloads ------------------------------------------------------ */

static int
download_attempt(struct pass *p, const struct transfer *t, int n,
    const struct transfer *before, char *sha, struct gw_err *e)
{
	struct afile *af = NULL;
	char *dir;
	int64_t got = 0;
	int rc;

	(void)n;
	(void)before;
	if ((dir = path3(p->h->dir, "inbox", p->b->code)) == NULL)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	rc = fs_mkdirs(dir, 0750, e);
	free(dir);
	if (rc != 0 || (rc = afile_open(&af, t->local_path, 0640, e)) != 0)
		return rc;
	if ((rc = remote_get(p->r, t->remote_name, afile_fp(af), t->size, &got,
	    e)) != 0) {
		afile_abort(af);
		return rc;
	}
	if (got != t->size) {
		afile_abort(af);
		return gw_err_set(e, GW_ENET, "get %s%s: %lld bytes of the %lld "
		    "listed", remote_where(p->r), t->remote_name,
		    (long long)got, (long long)t->size);
	}
	if ((rc = afile_commit(af, 1, e)) != 0)
		return rc == GW_EDUP ? gw_err_set(e, GW_EDUP, "%s: the inbox "
		    "already holds a different file of this name",
		    t->local_path) : rc;
	return fs_sha256_file(sha, t->local_path, NULL, e);
}

/* Delete, move or keep the remote copy of a fetched file. */
static int
cleanup(struct pass *p, const struct transfer *t, struct gw_err *e)
{
	const char *ai = p->b->after_ingest, *rs;
	struct gw_err ce = GW_ERR_INIT;
	int rc = 0;

	if (strcmp(ai, "keep") == 0)
		return transfer_set_remote_state(p->h->db, t->id, "kept",
		    p->o->actor, e);
	if ((rc = ensure_remote(p, &ce)) == 0) {
		if (strcmp(ai, "delete") == 0)
			rc = remote_delete(p->r, t->remote_name, &ce);
		else
			rc = remote_move(p->r, t->remote_name, ai + 5, &ce);
	}
	rs = strcmp(ai, "delete") == 0 ? "deleted" : "moved";
	if (rc == GW_ENOTFOUND) {
		report(p, "down %s: already gone from the bank", t->remote_name);
		rc = 0;
	}
	if (rc == 0) {
		report(p, "down %s: %s at the bank after ingestion",
		    t->remote_name, rs);
		return transfer_set_remote_state(p->h->db, t->id, rs,
		    p->o->actor, e);
	}
	report(p, "down %s: %s at the bank failed: %s; the next fetch retries",
	    t->remote_name, strcmp(ai, "delete") == 0 ? "delete" : "move",
	    ce.msg);
	if (strcmp(t->remote_state, "cleanup") != 0)
		transfer_set_remote_state(p->h->db, t->id, "cleanup",
		    p->o->actor, NULL);
	return gw_err_pass(e, &ce);
}

struct cleanup_walk {
	struct pass	*p;
	int		 rc;
	struct gw_err	*e;
};

static int
cleanup_row(void *arg, const struct transfer *t)
{
	struct cleanup_walk *w = arg;
	int rc = cleanup(w->p, t, w->e);

	if (rc != 0 && w->rc == 0)
		w->rc = rc;
	return stops_bank(rc) ? rc : 0;
}

static int
fetch_bank(struct pass *p, struct gw_err *e)
{
	struct transfer_filter f = { p->b->code, "down", "done", "cleanup" };
	struct cleanup_walk w = { p, 0, e };
	struct remote_entry *v = NULL;
	size_t n = 0, skipped = 0, i;
	char *dir = NULL, *local = NULL;
	int rc, first = 0;

	if ((rc = lock_bank(p, e)) != 0)
		return rc;
	/* A clean-up that fails is reported and counted; it must not keep
	 * new return files from being fetched. */
	if ((rc = transfer_foreach(p->h->db, &f, cleanup_row, &w, e)) != 0 &&
	    w.rc == 0)
		goto done;
	first = w.rc;
	if ((rc = ensure_remote(p, e)) != 0 ||
	    (rc = remote_list(p->r, &v, &n, &skipped, e)) != 0)
		goto done;
	if (skipped > 0) {
		report(p, "%zu remote file%s with names that are not safe "
		    "([A-Za-z0-9._-], no leading dot); not fetched", skipped,
		    skipped == 1 ? "" : "s");
		p->res->skipped += (int)skipped;
	}
	if ((dir = path3(p->h->dir, "inbox", p->b->code)) == NULL) {
		rc = gw_err_set(e, GW_ENOMEM, "out of memory");
		goto done;
	}
	for (i = 0; i < n; i++) {
		struct gw_err fe = GW_ERR_INIT;
		struct transfer t;

		free(local);
		if (asprintf(&local, "%s/%s", dir, v[i].name) < 0) {
			local = NULL;
			rc = gw_err_set(e, GW_ENOMEM, "out of memory");
			goto done;
		}
		if ((rc = transfer_download_row(p->h->db, p->b->code, v[i].name,
		    v[i].size, local, &t, e)) < 0)
			goto done;
		if (strcmp(t.state, "done") == 0) {
			if (strcmp(t.remote_state, "deleted") == 0 ||
			    strcmp(t.remote_state, "moved") == 0) {
				report(p, "down %s: back at the bank with the same "
				    "size after we %s it; not fetched again",
				    v[i].name, t.remote_state);
				p->res->stopped++;
			} else
				p->res->already++;
			continue;
		}
		if (not_now(p, &t))
			continue;
		if ((rc = run_attempts(p, t.id, download_attempt, &fe)) == 0)
			continue;
		if (!first) {
			gw_err_pass(e, &fe);
			first = rc;
		}
		if (stops_bank(rc))
			break;
	}
	rc = first;
done:
	free(local);
	free(dir);
	free(v);
	pass_end(p);
	return rc;
}

int
transport_fetch_pass(struct home *h, const struct transport_opts *o,
    struct transport_result *res, struct gw_err *e)
{
	return each_bank(h, o, res, 0, fetch_bank, e);
}

/* ---- resend and clean-up by name ------------------------------------ */

/* Where the file of record t is now: its path, the outbox or the archive. */
static int
locate(struct pass *p, const struct transfer *t, char **out, struct gw_err *e)
{
	static const char *const dirs[] = { "outbox", "archive" };
	char sha[SHA256_HEX_LEN + 1], *cand;
	int64_t size;
	size_t i;
	int n;

	*out = NULL;
	for (i = 0; i <= 2; i++) {
		struct gw_err le = GW_ERR_INIT;

		n = i == 0 ? asprintf(&cand, "%s", t->local_path) :
		    asprintf(&cand, "%s/%s/%s/%s", p->h->dir, dirs[i - 1],
		    p->b->code, t->remote_name);
		if (n < 0)
			return gw_err_set(e, GW_ENOMEM, "out of memory");
		if (!fs_exists(cand) || fs_sha256_file(sha, cand, &size, &le) != 0) {
			free(cand);
			continue;
		}
		if (strcmp(sha, t->sha256) != 0 || size != t->size) {
			gw_err_set(e, GW_EINPUT, "%s: not the file that was sent "
			    "(sha256 %.12s..., sent %.12s...); not resent", cand,
			    sha, t->sha256);
			free(cand);
			return GW_EINPUT;
		}
		*out = cand;
		return 0;
	}
	return gw_err_set(e, GW_ENOTFOUND, "%s: not in the outbox or the "
	    "archive of %s any more", t->remote_name, p->b->code);
}

int
transport_resend(struct home *h, const char *bank, const char *name,
    const char *reason, const struct transport_opts *o,
    struct transport_result *res, struct gw_err *e)
{
	struct transport_result local;
	struct transfer tf, ts;
	struct pass p = { .h = h, .o = o, .lock_fd = -1 };
	char sig[TRANSFER_NAME_MAX + 8], *pf = NULL, *ps = NULL;
	int rc, have_sig = 0;
	size_t i;

	if (res == NULL)
		res = &local;
	memset(res, 0, sizeof(*res));
	p.res = res;
	if (keys_is_sig_name(name))
		return gw_err_set(e, GW_EUSAGE, "%s: name the data file; its "
		    "signature goes with it", name);
	if ((rc = transfer_find(h->db, bank, "up", name, &tf, e)) < 0)
		return rc;
	if (rc == 0)
		return gw_err_set(e, GW_ENOTFOUND, "%s: never uploaded%s%s",
		    name, bank ? " to " : "", bank ? bank : "");
	if ((p.b = config_bank(h->cfg, tf.bank)) == NULL)
		return gw_err_set(e, GW_ECONFIG, "%s was sent to %s, which has no "
		    "[bank:%s] section now", name, tf.bank, tf.bank);
	if ((p.url = p.b->upload) == NULL)
		return gw_err_set(e, GW_ECONFIG, "[bank:%s] has no upload "
		    "location", tf.bank);
	for (i = 0; i < 2 && !have_sig; i++) {
		snprintf(sig, sizeof(sig), "%s%s", name, keys_sig_exts[i]);
		if ((rc = transfer_find(h->db, tf.bank, "up", sig, &ts, e)) < 0)
			return rc;
		have_sig = rc;
	}
	if ((rc = lock_bank(&p, e)) != 0)
		return rc;
	if ((rc = locate(&p, &tf, &pf, e)) != 0 ||
	    (have_sig && (rc = locate(&p, &ts, &ps, e)) != 0))
		goto done;
	if ((have_sig && (rc = transfer_resend(h->db, ts.id, ps, o->actor,
	    reason, e)) != 0) ||
	    (rc = transfer_resend(h->db, tf.id, pf, o->actor, reason, e)) != 0)
		goto done;
	report(&p, "up %s: resend (%s)", name, reason);
	if ((have_sig && (rc = run_attempts(&p, ts.id, attempt_upload, e)) != 0) ||
	    (rc = run_attempts(&p, tf.id, attempt_upload, e)) != 0)
		goto done;
	if (o->hooks != NULL && o->hooks->on_uploaded != NULL)
		rc = o->hooks->on_uploaded(o->hooks->arg, p.b->code, name, e);
done:
	free(pf);
	free(ps);
	pass_end(&p);
	return rc;
}

int
transport_remote_done(struct home *h, const char *bank,
    const char *remote_name, const struct transport_opts *o,
    struct gw_err *e)
{
	struct transport_result res = { 0 };
	struct transfer t;
	struct pass p = { .h = h, .o = o, .res = &res, .lock_fd = -1 };
	int rc;

	if ((rc = transfer_find(h->db, bank, "down", remote_name, &t, e)) < 0)
		return rc;
	if (rc == 0)
		return gw_err_set(e, GW_ENOTFOUND, "%s: never fetched from %s",
		    remote_name, bank);
	if (strcmp(t.state, "done") != 0)
		return gw_err_set(e, GW_ESTATE, "%s from %s is %s, not fetched "
		    "yet", remote_name, bank, t.state);
	if ((p.b = config_bank(h->cfg, t.bank)) == NULL ||
	    (p.url = p.b->returns) == NULL)
		return gw_err_set(e, GW_ECONFIG, "[bank:%s] has no returns "
		    "location", t.bank);
	/* No lock: the ingesting hook may run inside this bank's fetch. */
	rc = cleanup(&p, &t, e);
	pass_end(&p);
	return rc;
}
