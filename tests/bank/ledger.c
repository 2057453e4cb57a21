/*
 * ledger.c - the bank's state, as its journal says it is.
 *
 * Records (journal.c, one a line, tab-separated; FKEY is NAME@SHA256 of
 * an inbox file, so the same name with other content is another file):
 *
 *   I FKEY SEQ E2E ACCOUNT FEN OUTCOME   item SEQ of the file decided
 *   F FKEY NAME KIND STATUS MTIME_NS     every decision of the file is in
 *   P FKEY RETURN LOST                   a return is made (state/ready/)
 *   R FKEY                               its returns are placed: done
 *   X FKEY NAME MTIME_NS                 the same file uploaded again
 *   M FKEY MANDATE ACCOUNT STATE CODE    a mandate request decided
 *
 * At start the records are replayed in order: every I with outcome ok
 * takes its amount off the account and marks its EndToEndId debited, so
 * balances and the duplicate check survive any restart without a second
 * file to keep in step. A file's I records are also kept (one byte per
 * item) until its R record, so a file reprocessed after a crash gets
 * the outcomes it was given before, and no item is decided twice.
 * Invariant: an EndToEndId is in `debited` iff an I record with outcome
 * ok names it; `double_debits` counts a second such record, which the
 * bank never writes (the kill tests assert it stays 0).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common/fsutil.h"
#include "common/strnum.h"
#include "tests/bank/bank.h"

#define NO_REPLAY 0xff

struct lfile {
	const char	*fkey;
	enum file_state	 st;
	int64_t		 mtime_ns;
	unsigned char	*replay;	/* outcome by seq - 1, NO_REPLAY */
	size_t		 nreplay;
};

struct lret {
	size_t		 file;
	const char	*name;
	int		 lost;
};

struct ledger {
	struct journal		*j;
	struct accounts		*acc;
	struct strmap		*files_by_key;	/* -> index in files */
	struct lfile		*files;
	size_t			 nfiles, capfiles;
	struct lret		*rets;
	size_t			 nrets, caprets;
	struct strmap		*debited;	/* e2e -> file index + 1 */
	struct strmap		*mandates;	/* id -> enum mandate_state */
	struct strmap		*ret_names;
	struct arena		*strings;
	struct ledger_counts	 c;
};

static const char *const mandate_names[] = { "unknown", "accepted",
    "rejected", "cancelled" };

/* The file of fkey, added as FS_NEW when new; NULL: no memory. */
static struct lfile *
file_of(struct ledger *l, const char *fkey)
{
	int64_t *slot;
	int added;

	if ((slot = strmap_put(l->files_by_key, fkey, &added)) == NULL)
		return NULL;
	if (!added)
		return &l->files[*slot];
	if (vec_room(&l->files, l->nfiles, &l->capfiles,
	    sizeof(*l->files)) != 0)
		return NULL;
	memset(&l->files[l->nfiles], 0, sizeof(l->files[0]));
	if ((l->files[l->nfiles].fkey = arena_str(l->strings, fkey)) == NULL)
		return NULL;
	*slot = (int64_t)l->nfiles;
	return &l->files[l->nfiles++];
}

static const struct lfile *
file_get(const struct ledger *l, const char *fkey)
{
	int64_t *slot = strmap_get(l->files_by_key, fkey);

	return slot ? &l->files[*slot] : NULL;
}

static int
keep_replay(struct lfile *f, int64_t seq, enum outcome out)
{
	size_t i = (size_t)seq - 1;

	if (i >= f->nreplay) {
		size_t n = f->nreplay ? f->nreplay : 1024;
		unsigned char *v;

		while (n <= i)
			n *= 2;
		if ((v = realloc(f->replay, n)) == NULL)
			return -1;
		memset(v + f->nreplay, NO_REPLAY, n - f->nreplay);
		f->replay = v;
		f->nreplay = n;
	}
	f->replay[i] = (unsigned char)out;
	return 0;
}

/* Apply an item to the state (at load and as it is decided). */
static int
apply_item(struct ledger *l, const char *fkey, int64_t seq, const char *e2e,
    struct account *acct, int64_t fen, enum outcome out, struct gw_err *e)
{
	struct lfile *f = file_of(l, fkey);
	int64_t *slot;
	int added;

	if (f == NULL || keep_replay(f, seq, out) != 0)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	l->c.items++;
	l->c.by_outcome[out]++;
	if (out == OUT_DUPLICATE)
		l->c.repeated++;
	else if (out != OUT_OK)
		l->c.failed++;
	if (out != OUT_OK)
		return 0;
	l->c.debited++;
	l->c.debited_fen += fen;
	if (acct)
		acct->balance_fen -= fen;
	if ((slot = strmap_put(l->debited, e2e, &added)) == NULL)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	if (!added)
		l->c.double_debits++;
	*slot = (int64_t)(f - l->files) + 1;
	return 0;
}

static int
apply_file(struct ledger *l, const char *fkey, const char *kind,
    const char *status, int64_t mtime_ns, struct gw_err *e)
{
	struct lfile *f = file_of(l, fkey);

	if (f == NULL)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	if (f->st != FS_NEW)
		return 0;		/* decided again after a crash */
	f->st = FS_DECIDED;
	f->mtime_ns = mtime_ns;
	if (strcmp(kind, "other") == 0)
		l->c.files_ignored++;
	else if (strcmp(status, "ok") != 0)
		l->c.files_rejected++;
	l->c.files++;
	return 0;
}

static int
apply_return(struct ledger *l, const char *fkey, const char *name, int lost,
    struct gw_err *e)
{
	struct lfile *f = file_of(l, fkey);
	int64_t *used;
	int added;

	if (f == NULL || (used = strmap_put(l->ret_names, name, &added)) ==
	    NULL)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	if (vec_room(&l->rets, l->nrets, &l->caprets, sizeof(*l->rets)) != 0)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	l->rets[l->nrets].file = (size_t)(f - l->files);
	if ((l->rets[l->nrets].name = arena_str(l->strings, name)) == NULL)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	l->rets[l->nrets++].lost = lost;
	f->st = FS_MADE;
	if (lost)
		l->c.returns_lost++;
	else
		l->c.returns++;
	return 0;
}

static int
apply_mandate(struct ledger *l, const char *id, enum mandate_state st,
    struct gw_err *e)
{
	int64_t *slot;
	int added;

	if ((slot = strmap_put(l->mandates, id, &added)) == NULL)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	*slot = st;
	if (st == MS_ACCEPTED)
		l->c.mandates_accepted++;
	else if (st == MS_REJECTED)
		l->c.mandates_rejected++;
	else
		l->c.mandates_cancelled++;
	return 0;
}

static void
apply_done(struct ledger *l, const char *fkey)
{
	struct lfile *f = file_of(l, fkey);

	if (f == NULL)
		return;
	f->st = FS_DONE;
	free(f->replay);
	f->replay = NULL;
	f->nreplay = 0;
}

/* The same file, seen again with a new modification time. */
static int
apply_again(struct ledger *l, const char *fkey, int64_t mtime_ns,
    struct gw_err *e)
{
	struct lfile *f = file_of(l, fkey);

	if (f == NULL)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	f->mtime_ns = mtime_ns;
	l->c.files_again++;
	return 0;
}

static int
mandate_parse(const char *s)
{
	int i;

	for (i = 1; i < 4; i++)
		if (strcmp(s, mandate_names[i]) == 0)
			return i;
	return -1;
}

/* One record of the journal, at load. */
static int
load_rec(void *arg, char *const *f, size_t n, struct gw_err *e)
{
	struct ledger *l = arg;
	int64_t seq, fen, mtime;
	int out, st;

	if (strcmp(f[0], "I") == 0 && n == 7 &&
	    strnum_i64(&seq, f[2], 1, INT64_C(1) << 40, "seq", e) == 0 &&
	    strnum_i64(&fen, f[5], 0, INT64_C(1) << 62, "fen", e) == 0 &&
	    (out = outcome_parse(f[6])) >= 0)
		return apply_item(l, f[1], seq, f[3], l->acc ?
		    accounts_find(l->acc, f[4]) : NULL, fen,
		    (enum outcome)out, e);
	if (strcmp(f[0], "F") == 0 && n == 6 &&
	    strnum_i64(&mtime, f[5], 0, INT64_MAX, "mtime", e) == 0)
		return apply_file(l, f[1], f[3], f[4], mtime, e);
	if (strcmp(f[0], "P") == 0 && n == 4)
		return apply_return(l, f[1], f[2], strcmp(f[3], "1") == 0, e);
	if (strcmp(f[0], "R") == 0 && n == 2) {
		apply_done(l, f[1]);
		return 0;
	}
	if (strcmp(f[0], "X") == 0 && n == 4 &&
	    strnum_i64(&mtime, f[3], 0, INT64_MAX, "mtime", e) == 0)
		return apply_again(l, f[1], mtime, e);
	if (strcmp(f[0], "M") == 0 && n == 6 && (st = mandate_parse(f[4])) > 0)
		return apply_mandate(l, f[2], (enum mandate_state)st, e);
	return gw_err_set(e, GW_EINPUT, "journal: record '%.20s' with %zu "
	    "fields is not one the bank writes", f[0], n);
}

int
ledger_open(struct ledger **out, const char *state_dir, struct accounts *acc,
    int readonly, struct gw_err *e)
{
	struct ledger *l;
	char *path = NULL;
	int rc;

	*out = NULL;
	if ((l = calloc(1, sizeof(*l))) == NULL)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	l->acc = acc;
	if ((rc = strmap_new(&l->files_by_key, e)) != 0 ||
	    (rc = strmap_new(&l->debited, e)) != 0 ||
	    (rc = strmap_new(&l->mandates, e)) != 0 ||
	    (rc = strmap_new(&l->ret_names, e)) != 0 ||
	    (rc = arena_new(&l->strings, e)) != 0 ||
	    (!readonly && (rc = fs_mkdirs(state_dir, 0700, e)) != 0))
		goto fail;
	if (asprintf(&path, "%s/journal", state_dir) < 0) {
		rc = gw_err_set(e, GW_ENOMEM, "out of memory");
		goto fail;
	}
	if ((rc = journal_open(&l->j, path, readonly, load_rec, l, e)) != 0)
		goto fail;
	free(path);
	*out = l;
	return 0;
fail:
	free(path);
	ledger_close(l);
	return rc;
}

void
ledger_close(struct ledger *l)
{
	size_t i;

	if (l == NULL)
		return;
	journal_close(l->j);
	for (i = 0; i < l->nfiles; i++)
		free(l->files[i].replay);
	free(l->files);
	free(l->rets);
	strmap_free(l->files_by_key);
	strmap_free(l->debited);
	strmap_free(l->mandates);
	strmap_free(l->ret_names);
	arena_free(l->strings);
	free(l);
}

const struct ledger_counts *
ledger_counts(const struct ledger *l)
{
	return &l->c;
}

enum file_state
ledger_file(const struct ledger *l, const char *fkey, int64_t *mtime_ns)
{
	const struct lfile *f = file_get(l, fkey);

	if (mtime_ns)
		*mtime_ns = f ? f->mtime_ns : -1;
	return f ? f->st : FS_NEW;
}

int
ledger_replay(const struct ledger *l, const char *fkey, int64_t seq,
    enum outcome *out)
{
	const struct lfile *f = file_get(l, fkey);
	size_t i = (size_t)seq - 1;

	if (f == NULL || seq < 1 || i >= f->nreplay ||
	    f->replay[i] == NO_REPLAY)
		return 0;
	*out = (enum outcome)f->replay[i];
	return 1;
}

int
ledger_debited(const struct ledger *l, const char *e2e)
{
	return strmap_get(l->debited, e2e) != NULL;
}

enum mandate_state
ledger_mandate(const struct ledger *l, const char *mandate_id)
{
	int64_t *v = strmap_get(l->mandates, mandate_id);

	return v ? (enum mandate_state)*v : MS_UNKNOWN;
}

size_t
ledger_returns(const struct ledger *l, const char *fkey, const char **names,
    int *lost, size_t cap)
{
	int64_t *slot = strmap_get(l->files_by_key, fkey);
	size_t i, n = 0;

	for (i = 0; slot && i < l->nrets && n < cap; i++)
		if (l->rets[i].file == (size_t)*slot) {
			names[n] = l->rets[i].name;
			lost[n++] = l->rets[i].lost;
		}
	return n;
}

int
ledger_return_used(const struct ledger *l, const char *name)
{
	return strmap_get(l->ret_names, name) != NULL;
}

int
ledger_pending(const struct ledger *l, const char **fkeys, size_t cap)
{
	size_t i, n = 0;

	for (i = 0; i < l->nfiles && n < cap; i++)
		if (l->files[i].st == FS_MADE)
			fkeys[n++] = l->files[i].fkey;
	return (int)n;
}

/* Queue a record of n fields in the journal. */
static int
add(struct ledger *l, struct gw_err *e, size_t n, ...)
{
	const char *f[JOURNAL_MAX_FIELDS];
	va_list ap;
	size_t i;

	va_start(ap, n);
	for (i = 0; i < n; i++)
		f[i] = va_arg(ap, const char *);
	va_end(ap);
	return journal_add(l->j, f, n, e);
}

int
ledger_item(struct ledger *l, const char *fkey, int64_t seq, const char *e2e,
    struct account *acct, const char *account_no, int64_t amount_fen,
    enum outcome out, struct gw_err *e)
{
	char s[24], fen[24];

	snprintf(s, sizeof(s), "%lld", (long long)seq);
	snprintf(fen, sizeof(fen), "%lld", (long long)amount_fen);
	if (add(l, e, 7, "I", fkey, s, e2e, account_no[0] ? account_no : "-",
	    fen, outcomes[out].name) != 0)
		return e->code;
	return apply_item(l, fkey, seq, e2e, acct, amount_fen, out, e);
}

int
ledger_mandate_decided(struct ledger *l, const char *fkey,
    const char *mandate_id, const char *account, enum mandate_state st,
    const char *code, struct gw_err *e)
{
	if (add(l, e, 6, "M", fkey, mandate_id, account[0] ? account : "-",
	    mandate_names[st], code[0] ? code : "-") != 0)
		return e->code;
	return apply_mandate(l, mandate_id, st, e);
}

int
ledger_file_decided(struct ledger *l, const char *fkey, const char *name,
    const char *kind, const char *status, int64_t mtime_ns, struct gw_err *e)
{
	char mt[24];

	snprintf(mt, sizeof(mt), "%lld", (long long)mtime_ns);
	if (add(l, e, 6, "F", fkey, name, kind, status, mt) != 0)
		return e->code;
	return apply_file(l, fkey, kind, status, mtime_ns, e);
}

int
ledger_return_made(struct ledger *l, const char *fkey, const char *ret_name,
    int lost, struct gw_err *e)
{
	if (add(l, e, 4, "P", fkey, ret_name, lost ? "1" : "0") != 0)
		return e->code;
	return apply_return(l, fkey, ret_name, lost, e);
}

int
ledger_file_done(struct ledger *l, const char *fkey, struct gw_err *e)
{
	if (add(l, e, 2, "R", fkey) != 0)
		return e->code;
	apply_done(l, fkey);
	return 0;
}

int
ledger_file_again(struct ledger *l, const char *fkey, const char *name,
    int64_t mtime_ns, struct gw_err *e)
{
	char mt[24];

	snprintf(mt, sizeof(mt), "%lld", (long long)mtime_ns);
	if (add(l, e, 4, "X", fkey, name, mt) != 0)
		return e->code;
	return apply_again(l, fkey, mtime_ns, e);
}

int
ledger_sync(struct ledger *l, struct gw_err *e)
{
	return journal_sync(l->j, e);
}

void
ledger_report(const struct ledger *l, FILE *fp)
{
	const struct ledger_counts *c = &l->c;
	int i;

	fprintf(fp, "files %lld\nfiles_again %lld\nfiles_rejected %lld\n"
	    "files_ignored %lld\n", (long long)c->files,
	    (long long)c->files_again, (long long)c->files_rejected,
	    (long long)c->files_ignored);
	fprintf(fp, "items %lld\ndebited %lld\ndebited_fen %lld\nfailed %lld\n"
	    "repeated %lld\ndouble_debits %lld\n", (long long)c->items,
	    (long long)c->debited, (long long)c->debited_fen,
	    (long long)c->failed, (long long)c->repeated,
	    (long long)c->double_debits);
	/* Whole files refused are in files_rejected, not item outcomes. */
	for (i = 0; i < OUT_BADSIG; i++)
		fprintf(fp, "outcome_%s %lld\n", outcomes[i].name,
		    (long long)c->by_outcome[i]);
	fprintf(fp, "mandates_accepted %lld\nmandates_rejected %lld\n"
	    "mandates_cancelled %lld\nreturns %lld\nreturns_lost %lld\n",
	    (long long)c->mandates_accepted, (long long)c->mandates_rejected,
	    (long long)c->mandates_cancelled, (long long)c->returns,
	    (long long)c->returns_lost);
}
