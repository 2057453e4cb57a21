/*
 * trust.c - partner certificates: files in HOME/trust/BANK, rows in
 * table trust_entries.
 *
 * A certificate file is named by its SHA-256, so writing it again is
 * harmless and a leftover from a rolled-back add is never loaded (only
 * rows are). Loading checks each file against its row's fingerprint: a
 * certificate swapped on disk stops verification instead of quietly
 * changing whom we trust.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/x509v3.h>

#include "common/audit.h"
#include "common/fsutil.h"
#include "common/strnum.h"
#include "keys/pki.h"
#include "keys/trust.h"

#define TCOLS \
	"id, bank, cert_sha256, subject, issuer, is_ca, not_before," \
	" not_after, added_at"

static const char q_list[] = "SELECT " TCOLS " FROM trust_entries"
    " WHERE (?1 IS NULL OR bank = ?1) ORDER BY bank, id";
static const char q_has[] = "SELECT 1 FROM trust_entries"
    " WHERE bank = ? AND cert_sha256 = ?";
static const char q_insert[] =
    "INSERT INTO trust_entries(bank, cert_sha256, subject, issuer, is_ca,"
    " not_before, not_after, added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
static const char q_find[] = "SELECT " TCOLS " FROM trust_entries"
    " WHERE bank = ?1 AND (id = ?2 OR substr(cert_sha256, 1, length(?3)) = ?3)";
static const char q_delete[] = "DELETE FROM trust_entries WHERE id = ?";
static const char q_banks[] = "SELECT DISTINCT bank FROM trust_entries"
    " WHERE ?1 IS NULL OR bank <> ?1 ORDER BY bank";

int
trust_bank_is_valid(const char *bank)
{
	size_t i, n = strlen(bank);

	if (n == 0 || n > 32)
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)bank[i]) && bank[i] != '_' &&
		    bank[i] != '-')
			return 0;
	return 1;
}

static int
check_bank(const char *bank, struct gw_err *e)
{
	if (!trust_bank_is_valid(bank))
		return gw_err_set(e, GW_EINPUT, "bank '%s': want 1-32 letters, "
		    "digits, '_' or '-'", bank);
	return 0;
}

/* HOME/trust/BANK[/FP.pem] as a malloc'd string. */
static char *
entry_path(const char *home_dir, const char *bank, const char *fp)
{
	char *s;

	if (asprintf(&s, "%s/trust/%s%s%s%s", home_dir, bank, fp ? "/" : "",
	    fp ? fp : "", fp ? ".pem" : "") < 0)
		return NULL;
	return s;
}

static void
read_row(struct trust_entry *t, sqlite3_stmt *st)
{
	memset(t, 0, sizeof(*t));
	t->id = sqlite3_column_int64(st, 0);
	DB_COL_COPY(t->bank, st, 1);
	DB_COL_COPY(t->fingerprint, st, 2);
	DB_COL_COPY(t->subject, st, 3);
	DB_COL_COPY(t->issuer, st, 4);
	t->is_ca = sqlite3_column_int(st, 5);
	DB_COL_COPY(t->not_before, st, 6);
	DB_COL_COPY(t->not_after, st, 7);
	DB_COL_COPY(t->added_at, st, 8);
}

static int
audit_trust(struct db *db, const struct trust_entry *t, const char *action,
    const char *from, const char *to, const char *actor, struct gw_err *e)
{
	struct audit_event ev;
	char id[64];

	snprintf(id, sizeof(id), "%s:%.16s", t->bank, t->fingerprint);
	memset(&ev, 0, sizeof(ev));
	ev.actor = actor;
	ev.entity = "trust";
	ev.entity_id = id;
	ev.action = action;
	ev.from_state = from;
	ev.to_state = to;
	ev.reason = t->subject;
	return audit_append(db, &ev, e);
}

static int
add_one(struct db *db, const char *home_dir, const char *bank, X509 *x,
    int n, const char *cert_path, const char *actor,
    void (*warn)(void *, const char *), void *warn_arg, struct gw_err *e)
{
	struct trust_entry t;
	STACK_OF(X509) *one = NULL;
	sqlite3_stmt *st;
	char *path = NULL, *pem = NULL, msg[700];
	time_t nb, na, now = gw_now();
	size_t len;
	int rc, dup;

	memset(&t, 0, sizeof(t));
	snprintf(t.bank, sizeof(t.bank), "%s", bank);
	pki_fingerprint(t.fingerprint, x);
	pki_name_str(t.subject, sizeof(t.subject), X509_get_subject_name(x));
	pki_name_str(t.issuer, sizeof(t.issuer), X509_get_issuer_name(x));
	t.is_ca = X509_check_ca(x) != 0;
	pki_time_str(t.not_before, X509_get0_notBefore(x));
	pki_time_str(t.not_after, X509_get0_notAfter(x));
	ts_format_utc(t.added_at, now);
	if (pki_time_t(&nb, X509_get0_notBefore(x), NULL) != 0 ||
	    pki_time_t(&na, X509_get0_notAfter(x), NULL) != 0)
		return gw_err_set(e, GW_EINPUT, "%s: certificate %d has a "
		    "malformed validity period", cert_path, n);
	if (warn != NULL && (now < nb || now > na)) {
		snprintf(msg, sizeof(msg), "%s: certificate %d (%s) is not valid "
		    "now (%s .. %s); files it signed while valid still verify",
		    cert_path, n, t.subject, t.not_before, t.not_after);
		warn(warn_arg, msg);
	}
	if ((st = db_stmt(db, q_has, e)) == NULL)
		return e->code;
	db_bind_text(st, 1, bank);
	db_bind_text(st, 2, t.fingerprint);
	dup = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_reset(st);
	if (dup)
		return gw_err_set(e, GW_EDUP, "%s: certificate %d (%s, sha256 "
		    "%.16s...) is already trusted for bank %s", cert_path, n,
		    t.subject, t.fingerprint, bank);
	if ((path = entry_path(home_dir, bank, t.fingerprint)) == NULL ||
	    (one = sk_X509_new_null()) == NULL || !sk_X509_push(one, x)) {
		rc = gw_err_set(e, GW_ENOMEM, "out of memory");
		goto done;
	}
	if ((rc = pki_certs_pem(&pem, &len, one, e)) != 0 ||
	    (rc = fs_write_atomic(path, pem, len, 0644, e)) != 0)
		goto done;
	if ((st = db_stmt(db, q_insert, e)) == NULL) {
		rc = e->code;
		goto done;
	}
	db_bind_text(st, 1, bank);
	db_bind_text(st, 2, t.fingerprint);
	db_bind_text(st, 3, t.subject);
	db_bind_text(st, 4, t.issuer);
	sqlite3_bind_int(st, 5, t.is_ca);
	db_bind_text(st, 6, t.not_before);
	db_bind_text(st, 7, t.not_after);
	db_bind_text(st, 8, t.added_at);
	if ((rc = db_step_done(db, st, "insert trust entry", e)) == 0)
		rc = audit_trust(db, &t, "add", NULL, "trusted", actor, e);
done:
	sk_X509_free(one);
	free(pem);
	free(path);
	return rc;
}

int
trust_add(int *added, struct db *db, const char *home_dir, const char *bank,
    const char *cert_path, const char *actor,
    void (*warn)(void *arg, const char *msg), void *warn_arg,
    struct gw_err *e)
{
	STACK_OF(X509) *certs = NULL;
	char *dir = NULL;
	int i, rc;

	*added = 0;
	if ((rc = check_bank(bank, e)) != 0 ||
	    (rc = pki_read_certs(&certs, cert_path, e)) != 0)
		return rc;
	if ((dir = entry_path(home_dir, bank, NULL)) == NULL) {
		rc = gw_err_set(e, GW_ENOMEM, "out of memory");
		goto done;
	}
	if ((rc = fs_mkdirs(dir, 0755, e)) != 0 ||
	    (rc = db_begin(db, e)) != 0)
		goto done;
	for (i = 0; i < sk_X509_num(certs); i++)
		if ((rc = add_one(db, home_dir, bank, sk_X509_value(certs, i),
		    i + 1, cert_path, actor, warn, warn_arg, e)) != 0)
			break;
	if (rc == 0)
		rc = db_commit(db, e);
	if (rc != 0)
		db_rollback(db);
	else
		*added = sk_X509_num(certs);
done:
	free(dir);
	sk_X509_pop_free(certs, X509_free);
	return rc;
}

int
trust_remove(struct db *db, const char *home_dir, const char *bank,
    const char *which, const char *actor, struct gw_err *e)
{
	struct trust_entry t, hit;
	sqlite3_stmt *st;
	int64_t id = -1;
	char *path = NULL, prefix[SHA256_HEX_LEN + 1];
	size_t i, n = strlen(which);
	int rc, hits = 0, step;

	if ((rc = check_bank(bank, e)) != 0)
		return rc;
	/* A number is an entry id; 8..64 hex digits a fingerprint prefix
	 * (an all-digit prefix is both; a double match is reported). */
	prefix[0] = '\0';
	if (strnum_i64(&id, which, 1, INT64_MAX, "entry", NULL) != 0)
		id = -1;
	for (i = 0; i < n && i < SHA256_HEX_LEN &&
	    isxdigit((unsigned char)which[i]); i++)
		prefix[i] = (char)tolower((unsigned char)which[i]);
	prefix[i == n && n >= 8 && n <= SHA256_HEX_LEN ? n : 0] = '\0';
	if (id < 0 && prefix[0] == '\0')
		return gw_err_set(e, GW_EINPUT, "'%s': want an entry id or at "
		    "least 8 hex digits of a fingerprint", which);
	if ((rc = db_begin(db, e)) != 0)
		return rc;
	if ((st = db_stmt(db, q_find, e)) == NULL) {
		rc = e->code;
		goto fail;
	}
	db_bind_text(st, 1, bank);
	sqlite3_bind_int64(st, 2, id);
	db_bind_text(st, 3, prefix[0] ? prefix : "-");
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		read_row(&t, st);
		if (hits++ == 0)
			hit = t;
	}
	sqlite3_reset(st);
	if (step != SQLITE_DONE) {
		rc = db_fail(db, "trust", e);
		goto fail;
	}
	if (hits == 0) {
		rc = gw_err_set(e, GW_ENOTFOUND, "bank %s has no trust entry "
		    "'%s' (see `debitgw trust list %s`)", bank, which, bank);
		goto fail;
	}
	if (hits > 1) {
		rc = gw_err_set(e, GW_EINPUT, "'%s' matches %d entries of bank "
		    "%s; give more of the fingerprint", which, hits, bank);
		goto fail;
	}
	if ((st = db_stmt(db, q_delete, e)) == NULL) {
		rc = e->code;
		goto fail;
	}
	sqlite3_bind_int64(st, 1, hit.id);
	if ((rc = db_step_done(db, st, "delete trust entry", e)) != 0 ||
	    (rc = audit_trust(db, &hit, "remove", "trusted", "removed", actor,
	    e)) != 0 || (rc = db_commit(db, e)) != 0)
		goto fail;
	/* After the commit: a file without a row is never loaded anyway. */
	if ((path = entry_path(home_dir, bank, hit.fingerprint)) != NULL)
		unlink(path);
	free(path);
	return 0;
fail:
	db_rollback(db);
	return rc;
}

struct each_entry {
	int	(*fn)(void *arg, const struct trust_entry *t);
	void	*arg;
};

static int
each_entry(void *arg, sqlite3_stmt *row)
{
	struct each_entry *x = arg;
	struct trust_entry t;

	read_row(&t, row);
	return x->fn(x->arg, &t);
}

int
trust_foreach(struct db *db, const char *bank,
    int (*fn)(void *arg, const struct trust_entry *t), void *arg,
    struct gw_err *e)
{
	struct each_entry x = { fn, arg };
	sqlite3_stmt *st;

	if ((st = db_stmt(db, q_list, e)) == NULL)
		return e->code;
	db_bind_text(st, 1, bank);
	return db_each(db, st, each_entry, &x, "trust", e);
}

/* Load one entry's certificate, checked against its fingerprint. */
static int
load_entry(STACK_OF(X509) **out, const char *home_dir,
    const struct trust_entry *t, struct gw_err *e)
{
	struct gw_err le = GW_ERR_INIT;
	char fp[SHA256_HEX_LEN + 1], *path;
	int rc = 0;

	*out = NULL;
	if ((path = entry_path(home_dir, t->bank, t->fingerprint)) == NULL)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	if (pki_read_certs(out, path, &le) != 0)
		rc = gw_err_set(e, GW_ECONFIG, "trust entry %lld of bank %s: %s",
		    (long long)t->id, t->bank, le.msg);
	else if (sk_X509_num(*out) != 1 ||
	    (pki_fingerprint(fp, sk_X509_value(*out, 0)),
	    strcmp(fp, t->fingerprint) != 0))
		rc = gw_err_set(e, GW_ECONFIG, "%s: not the certificate "
		    "recorded when it was added (changed on disk?)", path);
	if (rc != 0) {
		sk_X509_pop_free(*out, X509_free);
		*out = NULL;
	}
	free(path);
	return rc;
}

struct load_ctx {
	const char		*home_dir;
	struct sig_anchors	*a;
	struct gw_err		*e;
};

static int
load_cb(void *arg, const struct trust_entry *t)
{
	struct load_ctx *l = arg;
	STACK_OF(X509) *one;
	int rc;

	if ((rc = load_entry(&one, l->home_dir, t, l->e)) != 0)
		return rc;
	rc = sig_anchors_add(l->a, one, l->e);
	sk_X509_pop_free(one, X509_free);
	return rc;
}

int
trust_anchors(struct sig_anchors **out, struct db *db, const char *home_dir,
    const char *bank, sig_owner_fn owner, void *owner_arg, struct gw_err *e)
{
	struct load_ctx l;
	char label[64];
	int rc;

	*out = NULL;
	if ((rc = check_bank(bank, e)) != 0)
		return rc;
	snprintf(label, sizeof(label), "bank %s", bank);
	if ((rc = sig_anchors_new(out, label, owner, owner_arg, e)) != 0)
		return rc;
	l.home_dir = home_dir;
	l.a = *out;
	l.e = e;
	if ((rc = trust_foreach(db, bank, load_cb, &l, e)) == 0 &&
	    sig_anchors_count(*out) == 0)
		rc = gw_err_set(e, GW_ECONFIG, "no certificate is trusted for "
		    "bank %s; add one with `debitgw trust add %s CERT.pem`",
		    bank, bank);
	if (rc != 0) {
		sig_anchors_free(*out);
		*out = NULL;
	}
	return rc;
}

int
trust_owner(struct db *db, const char *home_dir, const char *exclude,
    X509 *signer, STACK_OF(X509) *chain, char *out, size_t cap)
{
	struct gw_err e = GW_ERR_INIT;
	struct sig_anchors *a;
	sqlite3_stmt *st;
	char banks[64][33];
	int i, n = 0, ok;

	/* Names first: loading a bank's anchors runs other statements. */
	if ((st = db_stmt(db, q_banks, &e)) == NULL)
		return 0;
	db_bind_text(st, 1, exclude);
	while (n < 64 && sqlite3_step(st) == SQLITE_ROW)
		snprintf(banks[n++], sizeof(banks[0]), "%s",
		    db_col_text(st, 0));
	sqlite3_reset(st);
	for (i = 0; i < n; i++) {
		gw_err_clear(&e);
		if (trust_anchors(&a, db, home_dir, banks[i], NULL, NULL,
		    &e) != 0)
			continue;
		ok = sig_anchors_trust(a, signer, chain);
		sig_anchors_free(a);
		if (ok) {
			snprintf(out, cap, "bank %s", banks[i]);
			return 1;
		}
	}
	return 0;
}
