/*
 * keystore.c - our key pairs: files in HOME/keys, rows in table keys.
 *
 * Files before rows: a key's files are written (fsynced, renamed) inside
 * the transaction that inserts its row, so a crash leaves at worst files
 * without a row, never a row without files. Such leftovers are never
 * overwritten: a key file is written with noreplace, and a name that is
 * taken stops the command with a message saying what to do, because a
 * restored database may simply have forgotten a key banks still trust.
 *
 * The passphrase is read on first need and cleansed on close. Private
 * keys are decrypted only inside keystore_load_signer and keystore_csr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "common/audit.h"
#include "common/fsutil.h"
#include "common/strnum.h"
#include "keys/internal.h"
#include "keys/keystore.h"
#include "keys/pki.h"

struct keystore {
	char		*home;
	char		*dir;		/* HOME/keys */
	struct db	*db;
	char		*pass_file;
	char		*pass;		/* read on first need */
	/* The last key decrypted, kept for the life of the handle: a run
	 * signing twenty files pays the PBKDF2 cost once, not twenty times. */
	char		 cached_ref[16];
	EVP_PKEY	*cached;
};

#define KCOLS \
	"id, alg, state, subject, issuer, cert_sha256, not_before," \
	" not_after, created_at, coalesce(retired_at, ''), cert_file"

static const char q_get[] = "SELECT " KCOLS " FROM keys WHERE id = ?";
static const char q_all[] = "SELECT " KCOLS " FROM keys ORDER BY id";
static const char q_active[] = "SELECT " KCOLS " FROM keys"
    " WHERE state = 'active' AND (?1 IS NULL OR alg = ?1) ORDER BY id";
static const char q_next[] = "SELECT coalesce(max(id), 0) + 1 FROM keys";
/* Both bind the certificate's fields as ?1..?6 (bind_cert). */
static const char q_insert[] =
    "INSERT INTO keys(subject, issuer, cert_sha256, not_before, not_after,"
    " cert_file, id, alg, created_at, state)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'active')";
static const char q_retire[] = "UPDATE keys SET state = 'retired',"
    " retired_at = ? WHERE id = ? AND state = 'active'";
static const char q_cert[] = "UPDATE keys SET subject = ?, issuer = ?,"
    " cert_sha256 = ?, not_before = ?, not_after = ?, cert_file = ?"
    " WHERE id = ?";
static const char q_by_fp[] = "SELECT id FROM keys WHERE cert_sha256 = ?";

char *
keystore_ref(char out[16], int64_t id)
{
	snprintf(out, 16, "K%04lld", (long long)id);
	return out;
}

int
keystore_id_parse(int64_t *out, const char *s, struct gw_err *e)
{
	return strnum_ref(out, 'K', s, "key id", e);
}

static char *
join(const char *a, const char *b)
{
	char *s;

	if (asprintf(&s, "%s/%s", a, b) < 0)
		return NULL;
	return s;
}

int
keystore_open(struct keystore **out, const char *home_dir, struct db *db,
    const char *passphrase_file, struct gw_err *e)
{
	struct keystore *ks;

	*out = NULL;
	if ((ks = calloc(1, sizeof(*ks))) == NULL ||
	    (ks->home = strdup(home_dir)) == NULL ||
	    (ks->dir = join(home_dir, "keys")) == NULL ||
	    (passphrase_file != NULL &&
	    (ks->pass_file = strdup(passphrase_file)) == NULL)) {
		keystore_close(ks);
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	}
	ks->db = db;
	*out = ks;
	return 0;
}

void
keystore_close(struct keystore *ks)
{
	if (ks == NULL)
		return;
	if (ks->pass != NULL) {
		OPENSSL_cleanse(ks->pass, strlen(ks->pass));
		free(ks->pass);
	}
	EVP_PKEY_free(ks->cached);
	free(ks->pass_file);
	free(ks->dir);
	free(ks->home);
	free(ks);
}

/* GW_EUSAGE unless alg is one we make keys for. */
static int
check_alg(const char *alg, struct gw_err *e)
{
	if (!pki_alg_is_valid(alg))
		return gw_err_set(e, GW_EUSAGE, "unknown key algorithm '%s' "
		    "(want %s)", alg, pki_alg_names());
	return 0;
}

/* The passphrase: --passphrase-file (0600, first line) or the variable. */
static int
passphrase(const char **out, struct keystore *ks, struct gw_err *e)
{
	struct gw_err le = GW_ERR_INIT;
	const char *env;
	char *buf = NULL;
	size_t len = 0;
	int rc;

	if (ks->pass != NULL) {
		*out = ks->pass;
		return 0;
	}
	if (ks->pass_file != NULL) {
		if ((rc = fs_check_private(ks->pass_file, e)) != 0)
			return rc;
		if (fs_read_small(&buf, &len, ks->pass_file, PKI_PASS_MAX,
		    &le) != 0)
			return gw_err_set(e, GW_EKEY, "%s", le.msg);
		buf[strcspn(buf, "\r\n")] = '\0';
		if (buf[0] == '\0') {
			OPENSSL_cleanse(buf, len);
			free(buf);
			return gw_err_set(e, GW_EKEY, "%s: the passphrase file "
			    "is empty", ks->pass_file);
		}
		ks->pass = buf;
	} else {
		env = getenv("DEBITGW_KEY_PASSPHRASE");
		if (env == NULL || *env == '\0')
			return gw_err_set(e, GW_EKEY, "no key passphrase: set "
			    "DEBITGW_KEY_PASSPHRASE or give --passphrase-file F "
			    "(mode 0600)");
		if ((ks->pass = strdup(env)) == NULL)
			return gw_err_set(e, GW_ENOMEM, "out of memory");
	}
	*out = ks->pass;
	return 0;
}

static void
read_row(struct key_info *k, sqlite3_stmt *st)
{
	memset(k, 0, sizeof(*k));
	k->id = sqlite3_column_int64(st, 0);
	keystore_ref(k->ref, k->id);
	DB_COL_COPY(k->alg, st, 1);
	DB_COL_COPY(k->state, st, 2);
	DB_COL_COPY(k->subject, st, 3);
	DB_COL_COPY(k->issuer, st, 4);
	DB_COL_COPY(k->fingerprint, st, 5);
	DB_COL_COPY(k->not_before, st, 6);
	DB_COL_COPY(k->not_after, st, 7);
	DB_COL_COPY(k->created_at, st, 8);
	DB_COL_COPY(k->retired_at, st, 9);
	DB_COL_COPY(k->cert_file, st, 10);
}

int
keystore_get(struct key_info *out, struct keystore *ks, int64_t id,
    struct gw_err *e)
{
	sqlite3_stmt *st;
	char ref[16];
	int step;

	if ((st = db_stmt(ks->db, q_get, e)) == NULL)
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		read_row(out, st);
	sqlite3_reset(st);
	if (step == SQLITE_ROW)
		return 0;
	if (step != SQLITE_DONE)
		return db_fail(ks->db, "keys", e);
	return gw_err_set(e, GW_ENOTFOUND, "no key %s (see `debitgw keys "
	    "list`)", keystore_ref(ref, id));
}

struct each_key {
	int	(*fn)(void *arg, const struct key_info *k);
	void	*arg;
};

static int
each_key(void *arg, sqlite3_stmt *row)
{
	struct each_key *x = arg;
	struct key_info k;

	read_row(&k, row);
	return x->fn(x->arg, &k);
}

int
keystore_foreach(struct keystore *ks,
    int (*fn)(void *arg, const struct key_info *k), void *arg,
    struct gw_err *e)
{
	struct each_key x = { fn, arg };
	sqlite3_stmt *st;

	if ((st = db_stmt(ks->db, q_all, e)) == NULL)
		return e->code;
	return db_each(ks->db, st, each_key, &x, "keys", e);
}

/*
 * The active keys of alg (NULL: of any algorithm): how many into *n, the
 * first into first, and "K0001 rsa3072, K0002 sm2" into list.
 */
static int
active_keys(struct keystore *ks, const char *alg, struct key_info *first,
    int *n, char *list, size_t cap, struct gw_err *e)
{
	struct key_info k;
	sqlite3_stmt *st;
	size_t used = 0;
	int step;

	*n = 0;
	list[0] = '\0';
	if ((st = db_stmt(ks->db, q_active, e)) == NULL)
		return e->code;
	db_bind_text(st, 1, alg);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		read_row(&k, st);
		if ((*n)++ == 0)
			*first = k;
		if (used < cap)
			used += (size_t)snprintf(list + used, cap - used, "%s%s %s",
			    used ? ", " : "", k.ref, k.alg);
	}
	sqlite3_reset(st);
	return step == SQLITE_DONE ? 0 : db_fail(ks->db, "keys", e);
}

/* Certificate fields of a key_info from its signer certificate. */
static void
cert_fields(struct key_info *k, X509 *x)
{
	pki_name_str(k->subject, sizeof(k->subject), X509_get_subject_name(x));
	pki_name_str(k->issuer, sizeof(k->issuer), X509_get_issuer_name(x));
	pki_fingerprint(k->fingerprint, x);
	pki_time_str(k->not_before, X509_get0_notBefore(x));
	pki_time_str(k->not_after, X509_get0_notAfter(x));
}

/* Bind k's certificate fields as parameters 1..6 of q_insert or q_cert. */
static void
bind_cert(sqlite3_stmt *st, const struct key_info *k)
{
	db_bind_text(st, 1, k->subject);
	db_bind_text(st, 2, k->issuer);
	db_bind_text(st, 3, k->fingerprint);
	db_bind_text(st, 4, k->not_before);
	db_bind_text(st, 5, k->not_after);
	db_bind_text(st, 6, k->cert_file);
}

/* The key's certificate chain, checked against the recorded fingerprint. */
static int
load_chain(STACK_OF(X509) **out, struct keystore *ks,
    const struct key_info *k, struct gw_err *e)
{
	struct gw_err le = GW_ERR_INIT;
	char fp[SHA256_HEX_LEN + 1], *path;
	int rc = 0;

	*out = NULL;
	if ((path = join(ks->dir, k->cert_file)) == NULL)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	if (pki_read_certs(out, path, &le) != 0) {
		/* Our own certificate is part of the environment: exit 3. */
		rc = gw_err_set(e, GW_EKEY, "%s", le.msg);
		goto done;
	}
	pki_fingerprint(fp, sk_X509_value(*out, 0));
	if (strcmp(fp, k->fingerprint) != 0) {
		sk_X509_pop_free(*out, X509_free);
		*out = NULL;
		rc = gw_err_set(e, GW_EKEY, "%s: the certificate is not the one "
		    "recorded for %s (sha256 %s, recorded %s); it was changed on "
		    "disk", path, k->ref, fp, k->fingerprint);
	}
done:
	free(path);
	return rc;
}

/* The decrypted private key of k, after the permission check. */
static int
load_key(EVP_PKEY **out, struct keystore *ks, const struct key_info *k,
    struct gw_err *e)
{
	const char *pass;
	char name[32], *path;
	int rc;

	*out = NULL;
	snprintf(name, sizeof(name), "%s.key", k->ref);
	if ((path = join(ks->dir, name)) == NULL)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	/* The permission check runs every time, cached or not. */
	if ((rc = fs_check_private(path, e)) == 0 && ks->cached != NULL &&
	    strcmp(ks->cached_ref, k->ref) == 0) {
		if (EVP_PKEY_up_ref(ks->cached) != 1)
			rc = gw_err_set(e, GW_ENOMEM, "out of memory");
		else
			*out = ks->cached;
		free(path);
		return rc;
	}
	if (rc == 0 && (rc = passphrase(&pass, ks, e)) == 0 &&
	    (rc = pki_read_key(out, path, pass, e)) == 0 &&
	    EVP_PKEY_up_ref(*out) == 1) {
		EVP_PKEY_free(ks->cached);
		ks->cached = *out;
		snprintf(ks->cached_ref, sizeof(ks->cached_ref), "%s", k->ref);
	}
	free(path);
	return rc;
}

int
keystore_load_signer(EVP_PKEY **key, STACK_OF(X509) **chain,
    struct keystore *ks, const char *alg, struct gw_err *e)
{
	struct key_info k;
	time_t now = gw_now(), t;
	char list[256];
	int n, rc;
	X509 *leaf;

	*key = NULL;
	*chain = NULL;
	if (alg != NULL && (rc = check_alg(alg, e)) != 0)
		return rc;
	if ((rc = active_keys(ks, alg, &k, &n, list, sizeof(list), e)) != 0)
		return rc;
	if (n == 0)
		return gw_err_set(e, GW_EKEY, "no active %s%skey to sign with; "
		    "make one with `debitgw keys gen --alg %s`", alg ? alg : "",
		    alg ? " " : "", alg ? alg : "A");
	if (n > 1)
		return gw_err_set(e, GW_EUSAGE, "%d keys are active (%s); say "
		    "which algorithm to sign with", n, list);
	if ((rc = load_chain(chain, ks, &k, e)) != 0)
		return rc;
	leaf = sk_X509_value(*chain, 0);
	if (pki_time_t(&t, X509_get0_notAfter(leaf), NULL) == 0 && t < now) {
		rc = gw_err_set(e, GW_EKEY, "%s: certificate expired at %s; "
		    "rotate the key (`debitgw keys rotate --alg %s`)", k.ref,
		    k.not_after, k.alg);
		goto fail;
	}
	if (pki_time_t(&t, X509_get0_notBefore(leaf), NULL) == 0 && t > now) {
		rc = gw_err_set(e, GW_EKEY, "%s: certificate not valid before "
		    "%s", k.ref, k.not_before);
		goto fail;
	}
	if ((rc = load_key(key, ks, &k, e)) == 0)
		return 0;
fail:
	sk_X509_pop_free(*chain, X509_free);
	*chain = NULL;
	return rc;
}

static int
audit_key(struct db *db, const struct key_info *k, const char *action,
    const char *from, const char *to, const char *actor, struct gw_err *e)
{
	struct audit_event ev;
	char reason[600];

	snprintf(reason, sizeof(reason), "%s %s sha256:%.16s", k->alg,
	    k->subject, k->fingerprint);
	memset(&ev, 0, sizeof(ev));
	ev.actor = actor;
	ev.entity = "key";
	ev.entity_id = k->ref;
	ev.action = action;
	ev.from_state = from;
	ev.to_state = to;
	ev.reason = reason;
	return audit_append(db, &ev, e);
}

/*
 * Inside the caller's transaction: a new key pair, its files, its row
 * (active) and audit event. made[] gets the paths written, for the
 * caller to remove if the transaction rolls back.
 */
static int
create_key(struct key_info *out, char *made[2], struct keystore *ks,
    const char *alg, const char *subject, int days, const char *actor,
    struct gw_err *e)
{
	struct pki_cert_spec spec;
	STACK_OF(X509) *sk = NULL;
	X509_NAME *name = NULL;
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	sqlite3_stmt *st;
	const char *pass;
	char defsubj[64], fname[32], *pem = NULL;
	time_t now = gw_now();
	size_t pemlen;
	int rc;

	memset(out, 0, sizeof(*out));
	if (days < 1 || days > KEY_DAYS_MAX)
		return gw_err_set(e, GW_EUSAGE, "--days %d: want 1..%d", days,
		    KEY_DAYS_MAX);
	if ((rc = passphrase(&pass, ks, e)) != 0)
		return rc;
	if ((st = db_stmt(ks->db, q_next, e)) == NULL)
		return e->code;
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return db_fail(ks->db, "keys", e);
	}
	out->id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	keystore_ref(out->ref, out->id);
	snprintf(out->alg, sizeof(out->alg), "%s", alg);
	snprintf(out->state, sizeof(out->state), "active");
	snprintf(out->cert_file, sizeof(out->cert_file), "%s.crt", out->ref);
	snprintf(defsubj, sizeof(defsubj), "/CN=debitgw signing key %s",
	    out->ref);
	if ((rc = pki_name_parse(&name, subject ? subject : defsubj, e)) != 0)
		goto done;
	if ((rc = fs_mkdirs(ks->dir, 0700, e)) != 0)
		goto done;
	snprintf(fname, sizeof(fname), "%s.key", out->ref);
	if ((made[0] = join(ks->dir, fname)) == NULL ||
	    (made[1] = join(ks->dir, out->cert_file)) == NULL) {
		rc = gw_err_set(e, GW_ENOMEM, "out of memory");
		goto done;
	}
	if (fs_exists(made[0]) || fs_exists(made[1])) {
		rc = gw_err_set(e, GW_EKEY, "%s: exists, but the database has no "
		    "key %s (left by an interrupted run, or the database was "
		    "restored from a backup); move keys/%s.* away and retry",
		    fs_exists(made[0]) ? made[0] : made[1], out->ref, out->ref);
		free(made[0]);
		free(made[1]);
		made[0] = made[1] = NULL;
		goto done;
	}
	memset(&spec, 0, sizeof(spec));
	if ((rc = pki_keygen(&key, alg, e)) != 0)
		goto done;
	spec.pub = key;
	spec.subject = name;
	spec.issuer_key = key;
	spec.not_before = now;
	spec.not_after = now + (time_t)days * 86400;
	if ((rc = pki_cert_new(&cert, &spec, e)) != 0)
		goto done;
	if ((sk = sk_X509_new_null()) == NULL || !sk_X509_push(sk, cert)) {
		rc = gw_err_set(e, GW_ENOMEM, "out of memory");
		goto done;
	}
	cert_fields(out, cert);
	cert = NULL;	/* owned by sk */
	ts_format_utc(out->created_at, now);
	if ((rc = pki_write_key(made[0], key, pass, e)) != 0 ||
	    (rc = pki_certs_pem(&pem, &pemlen, sk, e)) != 0 ||
	    (rc = fs_write_new(made[1], pem, pemlen, 0644, e)) != 0)
		goto done;
	if ((st = db_stmt(ks->db, q_insert, e)) == NULL) {
		rc = e->code;
		goto done;
	}
	bind_cert(st, out);
	sqlite3_bind_int64(st, 7, out->id);
	db_bind_text(st, 8, out->alg);
	db_bind_text(st, 9, out->created_at);
	if ((rc = db_step_done(ks->db, st, "insert key", e)) != 0)
		goto done;
	rc = audit_key(ks->db, out, "generate", NULL, "active", actor, e);
done:
	free(pem);
	sk_X509_pop_free(sk, X509_free);
	X509_free(cert);
	EVP_PKEY_free(key);
	X509_NAME_free(name);
	return rc;
}

static int
retire(struct keystore *ks, const struct key_info *k, const char *actor,
    struct gw_err *e)
{
	sqlite3_stmt *st;
	char now[TS_BUFSZ];
	int rc;

	if ((st = db_stmt(ks->db, q_retire, e)) == NULL)
		return e->code;
	db_bind_text(st, 1, ts_format_utc(now, gw_now()));
	sqlite3_bind_int64(st, 2, k->id);
	if ((rc = db_step_done(ks->db, st, "retire key", e)) != 0)
		return rc;
	if (sqlite3_changes(db_handle(ks->db)) != 1)
		return gw_err_set(e, GW_ESTATE, "key %s is %s; only an active "
		    "key can be retired", k->ref, k->state);
	return audit_key(ks->db, k, "retire", "active", "retired", actor, e);
}

/* Roll back and remove the files a failed create_key left. */
static void
undo(struct keystore *ks, char *made[2])
{
	int i;

	db_rollback(ks->db);
	for (i = 0; i < 2; i++) {
		if (made[i] != NULL)
			unlink(made[i]);
		free(made[i]);
		made[i] = NULL;
	}
}

/*
 * End gen or rotate inside their transaction: retire old (NULL: none),
 * make the new key, commit; on failure roll back and remove its files.
 */
static int
finish_new_key(struct key_info *out, struct keystore *ks,
    const struct key_info *old, const char *alg, const char *subject,
    int days, const char *actor, struct gw_err *e)
{
	char *made[2] = { NULL, NULL };
	int rc = 0;

	if ((old == NULL || (rc = retire(ks, old, actor, e)) == 0) &&
	    (rc = create_key(out, made, ks, alg, subject, days, actor,
	    e)) == 0 && (rc = db_commit(ks->db, e)) == 0) {
		free(made[0]);
		free(made[1]);
		return 0;
	}
	undo(ks, made);
	return rc;
}

int
keystore_gen(struct key_info *out, struct keystore *ks, const char *alg,
    const char *subject, int days, const char *actor, struct gw_err *e)
{
	struct key_info cur;
	char list[256];
	int n, rc;

	if ((rc = check_alg(alg, e)) != 0)
		return rc;
	if ((rc = db_begin(ks->db, e)) != 0)
		return rc;
	if ((rc = active_keys(ks, alg, &cur, &n, list, sizeof(list), e)) == 0 &&
	    n > 0)
		rc = gw_err_set(e, GW_ESTATE, "an active %s key exists (%s); "
		    "`debitgw keys rotate --alg %s` replaces it", alg, cur.ref,
		    alg);
	if (rc != 0) {
		db_rollback(ks->db);
		return rc;
	}
	return finish_new_key(out, ks, NULL, alg, subject, days, actor, e);
}

/* The key rotate retires: retire_id, or see keystore_rotate. */
static int
rotation_victim(struct key_info *old, struct keystore *ks, const char *alg,
    int64_t retire_id, struct gw_err *e)
{
	struct key_info cur;
	char list[256];
	int n, rc;

	if (retire_id != 0) {
		if ((rc = keystore_get(old, ks, retire_id, e)) != 0 ||
		    (rc = active_keys(ks, alg, &cur, &n, list, sizeof(list),
		    e)) != 0)
			return rc;
		if (n > 0 && cur.id != old->id)
			return gw_err_set(e, GW_ESTATE, "an active %s key exists "
			    "(%s); retire that one instead of %s", alg, cur.ref,
			    old->ref);
		return 0;
	}
	if ((rc = active_keys(ks, alg, old, &n, list, sizeof(list), e)) != 0)
		return rc;
	/* No active key of alg: an algorithm change retires the one active
	 * key, if there is exactly one. */
	if (n == 0 && (rc = active_keys(ks, NULL, old, &n, list, sizeof(list),
	    e)) != 0)
		return rc;
	if (n == 0)
		return gw_err_set(e, GW_ESTATE, "no active key to rotate; make "
		    "the first with `debitgw keys gen --alg %s`", alg);
	if (n > 1)
		return gw_err_set(e, GW_EUSAGE, "%d keys are active (%s) and none "
		    "is %s; say which to retire with --retire ID", n, list, alg);
	return 0;
}

int
keystore_rotate(struct key_info *out, int64_t *retired, struct keystore *ks,
    const char *alg, const char *subject, int days, int64_t retire_id,
    const char *actor, struct gw_err *e)
{
	struct key_info old;
	int rc;

	*retired = 0;
	if ((rc = check_alg(alg, e)) != 0)
		return rc;
	if ((rc = db_begin(ks->db, e)) != 0)
		return rc;
	if ((rc = rotation_victim(&old, ks, alg, retire_id, e)) != 0) {
		db_rollback(ks->db);
		return rc;
	}
	if ((rc = finish_new_key(out, ks, &old, alg, subject, days, actor,
	    e)) == 0)
		*retired = old.id;
	return rc;
}

int
keystore_retire(struct keystore *ks, int64_t id, const char *actor,
    struct gw_err *e)
{
	struct key_info k;
	int rc;

	if ((rc = db_begin(ks->db, e)) != 0)
		return rc;
	if ((rc = keystore_get(&k, ks, id, e)) != 0 ||
	    (rc = retire(ks, &k, actor, e)) != 0 ||
	    (rc = db_commit(ks->db, e)) != 0) {
		db_rollback(ks->db);
		return rc;
	}
	return 0;
}

int
keystore_csr(FILE *fp, struct keystore *ks, int64_t id, const char *subject,
    struct gw_err *e)
{
	STACK_OF(X509) *chain = NULL;
	X509_NAME *name = NULL;
	X509_REQ *req = NULL;
	EVP_PKEY *key = NULL;
	struct key_info k;
	int rc;

	if ((rc = keystore_get(&k, ks, id, e)) != 0)
		return rc;
	if (strcmp(k.state, "active") != 0)
		return gw_err_set(e, GW_ESTATE, "key %s is retired; requests are "
		    "for active keys", k.ref);
	if ((rc = load_chain(&chain, ks, &k, e)) != 0)
		return rc;
	if (subject != NULL)
		rc = pki_name_parse(&name, subject, e);
	else if ((name = X509_NAME_dup(X509_get_subject_name(
	    sk_X509_value(chain, 0)))) == NULL)
		rc = gw_err_set(e, GW_ENOMEM, "out of memory");
	if (rc != 0 || (rc = load_key(&key, ks, &k, e)) != 0 ||
	    (rc = pki_csr_new(&req, key, name, e)) != 0)
		goto done;
	if (PEM_write_X509_REQ(fp, req) != 1 || fflush(fp) != 0)
		rc = gw_err_set(e, GW_EIO, "cannot write the request");
done:
	X509_REQ_free(req);
	EVP_PKEY_free(key);
	X509_NAME_free(name);
	sk_X509_pop_free(chain, X509_free);
	return rc;
}

int
keystore_import_cert(struct key_info *out, struct keystore *ks, int64_t id,
    const char *cert_path, const char *actor, struct gw_err *e)
{
	STACK_OF(X509) *in = NULL, *cur = NULL, *chain = NULL;
	X509 *x, *leaf = NULL;
	EVP_PKEY *pub;
	sqlite3_stmt *st;
	char *pem = NULL, *path = NULL;
	time_t t, now = gw_now();
	size_t pemlen;
	int i, rc;

	if ((rc = keystore_get(out, ks, id, e)) != 0)
		return rc;
	if (strcmp(out->state, "active") != 0)
		return gw_err_set(e, GW_ESTATE, "key %s is retired; a retired "
		    "key takes no new certificate", out->ref);
	if ((rc = load_chain(&cur, ks, out, e)) != 0 ||
	    (rc = pki_read_certs(&in, cert_path, e)) != 0)
		goto done;
	pub = X509_get0_pubkey(sk_X509_value(cur, 0));
	for (i = 0; i < sk_X509_num(in) && leaf == NULL; i++)
		if (EVP_PKEY_eq(X509_get0_pubkey(sk_X509_value(in, i)), pub) == 1)
			leaf = sk_X509_value(in, i);
	ERR_clear_error();
	if (leaf == NULL) {
		rc = gw_err_set(e, GW_EINPUT, "%s: no certificate in it carries "
		    "the public key of %s", cert_path, out->ref);
		goto done;
	}
	if (pki_time_t(&t, X509_get0_notAfter(leaf), NULL) != 0 || t < now ||
	    pki_time_t(&t, X509_get0_notBefore(leaf), NULL) != 0 ||
	    t > now + SIG_FUTURE_SKEW) {
		char nb[TS_BUFSZ], na[TS_BUFSZ];

		rc = gw_err_set(e, GW_EINPUT, "%s: the certificate is not valid "
		    "now (valid %s .. %s)", cert_path,
		    pki_time_str(nb, X509_get0_notBefore(leaf)),
		    pki_time_str(na, X509_get0_notAfter(leaf)));
		goto done;
	}
	{
		uint32_t ku = X509_get_key_usage(leaf);

		if (ku != UINT32_MAX &&
		    !(ku & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION))) {
			rc = gw_err_set(e, GW_EINPUT, "%s: the certificate's key "
			    "usage does not allow signing", cert_path);
			goto done;
		}
	}
	/* The signer first, then the rest of the file (its issuers). */
	if ((chain = sk_X509_new_null()) == NULL || !sk_X509_push(chain, leaf)) {
		rc = gw_err_set(e, GW_ENOMEM, "out of memory");
		goto done;
	}
	for (i = 0; i < sk_X509_num(in); i++)
		if ((x = sk_X509_value(in, i)) != leaf && !sk_X509_push(chain, x)) {
			rc = gw_err_set(e, GW_ENOMEM, "out of memory");
			goto done;
		}
	cert_fields(out, leaf);
	snprintf(out->cert_file, sizeof(out->cert_file), "%s-%.16s.crt",
	    out->ref, out->fingerprint);
	if ((path = join(ks->dir, out->cert_file)) == NULL) {
		rc = gw_err_set(e, GW_ENOMEM, "out of memory");
		goto done;
	}
	/* The new file is durable before the row points at it; the old one
	 * stays, so a crash in between leaves the key as it was. */
	if ((rc = pki_certs_pem(&pem, &pemlen, chain, e)) != 0 ||
	    (rc = fs_write_atomic(path, pem, pemlen, 0644, e)) != 0 ||
	    (rc = db_begin(ks->db, e)) != 0)
		goto done;
	if ((st = db_stmt(ks->db, q_cert, e)) == NULL) {
		rc = e->code;
		db_rollback(ks->db);
		goto done;
	}
	bind_cert(st, out);
	sqlite3_bind_int64(st, 7, out->id);
	if ((rc = db_step_done(ks->db, st, "update key", e)) != 0 ||
	    (rc = audit_key(ks->db, out, "import-cert", "active", "active",
	    actor, e)) != 0 || (rc = db_commit(ks->db, e)) != 0)
		db_rollback(ks->db);
done:
	free(path);
	free(pem);
	sk_X509_free(chain);
	sk_X509_pop_free(in, X509_free);
	sk_X509_pop_free(cur, X509_free);
	return rc;
}

int
keystore_export_cert(FILE *fp, struct keystore *ks, int64_t id,
    struct gw_err *e)
{
	STACK_OF(X509) *chain = NULL;
	struct key_info k;
	char *pem = NULL;
	size_t len;
	int rc;

	if ((rc = keystore_get(&k, ks, id, e)) != 0 ||
	    (rc = load_chain(&chain, ks, &k, e)) != 0 ||
	    (rc = pki_certs_pem(&pem, &len, chain, e)) != 0)
		goto done;
	if (fwrite(pem, 1, len, fp) != len || fflush(fp) != 0)
		rc = gw_err_set(e, GW_EIO, "cannot write the certificate");
done:
	free(pem);
	sk_X509_pop_free(chain, X509_free);
	return rc;
}

struct anchor_ctx {
	struct keystore		*ks;
	struct sig_anchors	*a;
	struct gw_err		*e;
};

/* Add k's signer certificate (never its issuers) to the anchors. */
static int
add_anchor(void *arg, const struct key_info *k)
{
	struct anchor_ctx *x = arg;
	STACK_OF(X509) *chain = NULL, *leaf = NULL;
	int rc;

	if ((rc = load_chain(&chain, x->ks, k, x->e)) != 0)
		return rc;
	if ((leaf = sk_X509_new_null()) == NULL ||
	    !sk_X509_push(leaf, sk_X509_value(chain, 0)))
		rc = gw_err_set(x->e, GW_ENOMEM, "out of memory");
	else
		rc = sig_anchors_add(x->a, leaf, x->e);
	sk_X509_free(leaf);
	sk_X509_pop_free(chain, X509_free);
	return rc;
}

int
keystore_anchors(struct sig_anchors **out, struct db *db,
    const char *home_dir, sig_owner_fn owner, void *owner_arg,
    struct gw_err *e)
{
	struct keystore *ks = NULL;
	struct anchor_ctx x;
	int rc;

	*out = NULL;
	if ((rc = keystore_open(&ks, home_dir, db, NULL, e)) != 0 ||
	    (rc = sig_anchors_new(out, "our keys", owner, owner_arg, e)) != 0)
		goto done;
	x.ks = ks;
	x.a = *out;
	x.e = e;
	if ((rc = keystore_foreach(ks, add_anchor, &x, e)) == 0 &&
	    sig_anchors_count(*out) == 0)
		rc = gw_err_set(e, GW_ECONFIG, "this home has no keys");
done:
	if (rc != 0) {
		sig_anchors_free(*out);
		*out = NULL;
	}
	keystore_close(ks);
	return rc;
}

int
keystore_owner(struct db *db, X509 *signer, char *out, size_t cap)
{
	char fp[SHA256_HEX_LEN + 1], ref[16];
	struct gw_err e = GW_ERR_INIT;
	sqlite3_stmt *st;
	int found = 0;

	pki_fingerprint(fp, signer);
	if ((st = db_stmt(db, q_by_fp, &e)) == NULL)
		return 0;
	db_bind_text(st, 1, fp);
	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(out, cap, "our key %s", keystore_ref(ref,
		    sqlite3_column_int64(st, 0)));
		found = 1;
	}
	sqlite3_reset(st);
	return found;
}
