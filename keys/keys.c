/*
 * keys.c - the keys part's face: its tables, and signing and verifying
 * files for the rest of the gateway.
 *
 * Every entry point here turns a trust source (a bank, our own keys, or
 * explicit certificate files) into a set of anchors and hands the bytes to
 * keys/sig.c; files are opened here and streamed there. Whoever else
 * might have signed a file (another bank, one of our keys) is looked up
 * only after a verification failed, to name them in the message.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/date.h"
#include "common/fsutil.h"
#include "keys/internal.h"
#include "keys/keys.h"
#include "keys/keystore.h"
#include "keys/pki.h"
#include "keys/sig.h"
#include "keys/trust.h"

#define SIG_FILE_MAX (1024 * 1024)	/* a signature file is never larger */

static const struct db_migration keys_migrations[] = {
	{ 1,
	  "CREATE TABLE keys("
	  " id INTEGER PRIMARY KEY,"
	  " alg TEXT NOT NULL CHECK (alg IN ('rsa3072','p256','sm2')),"
	  " state TEXT NOT NULL CHECK (state IN ('active','retired')),"
	  " subject TEXT NOT NULL,"
	  " issuer TEXT NOT NULL,"
	  " cert_sha256 TEXT NOT NULL CHECK (length(cert_sha256) = 64),"
	  " not_before TEXT NOT NULL,"
	  " not_after TEXT NOT NULL,"
	  " created_at TEXT NOT NULL,"
	  " retired_at TEXT,"
	  " cert_file TEXT NOT NULL,"
	  " CHECK ((state = 'retired') = (retired_at IS NOT NULL)));"
	  /* One active key per algorithm, enforced by the database. */
	  "CREATE UNIQUE INDEX keys_active_alg ON keys(alg)"
	  " WHERE state = 'active';"
	  "CREATE INDEX keys_cert ON keys(cert_sha256);"
	  "CREATE TABLE trust_entries("
	  " id INTEGER PRIMARY KEY,"
	  " bank TEXT NOT NULL CHECK (length(bank) BETWEEN 1 AND 32),"
	  " cert_sha256 TEXT NOT NULL CHECK (length(cert_sha256) = 64),"
	  " subject TEXT NOT NULL,"
	  " issuer TEXT NOT NULL,"
	  " is_ca INTEGER NOT NULL CHECK (is_ca IN (0,1)),"
	  " not_before TEXT NOT NULL,"
	  " not_after TEXT NOT NULL,"
	  " added_at TEXT NOT NULL,"
	  " UNIQUE (bank, cert_sha256));" },
};

const struct db_part keys_db_part =
    DB_PART("keys", keys_migrations);

static const char *const fail_names[] = {
	[KEYS_OK] = "ok",
	[KEYS_FAIL_MALFORMED] = "malformed",
	[KEYS_FAIL_MODIFIED] = "modified",
	[KEYS_FAIL_BADSIG] = "bad_signature",
	[KEYS_FAIL_UNKNOWN] = "unknown_signer",
	[KEYS_FAIL_OTHER] = "other_signer",
	[KEYS_FAIL_EXPIRED] = "expired",
	[KEYS_FAIL_NOTYET] = "not_yet_valid",
	[KEYS_FAIL_FUTURE] = "signing_time_in_future",
	[KEYS_FAIL_USAGE] = "key_usage",
	[KEYS_FAIL_CHAIN] = "certificate_path",
	[KEYS_FAIL_UNSUPPORTED] = "unsupported",
};

const char *const keys_sig_exts[2] = { ".p7s", ".sig" };

int
keys_is_sig_name(const char *name)
{
	size_t n = strlen(name), i;

	for (i = 0; i < 2; i++)
		if (n > 4 && strcmp(name + n - 4, keys_sig_exts[i]) == 0)
			return 1;
	return 0;
}

int
keys_sig_beside(const char *path, char *out, size_t cap)
{
	size_t i;

	/* Neither there: out is left naming the last one tried. */
	for (i = 0; i < 2; i++) {
		snprintf(out, cap, "%s%s", path, keys_sig_exts[i]);
		if (fs_exists(out))
			return 1;
	}
	return 0;
}

const char *
keys_fail_name(enum keys_sig_fail f)
{
	if ((size_t)f >= sizeof(fail_names) / sizeof(fail_names[0]))
		return "unknown";
	return fail_names[f];
}

/* ---- signing ----------------------------------------------------------- */

/* Write sig next to path as path.ext; its name into sig_out. */
static int
write_sig(char *sig_out, size_t cap, const char *path, const char *ext,
    const unsigned char *sig, size_t len, struct gw_err *e)
{
	if ((size_t)snprintf(sig_out, cap, "%s.%s", path, ext) >= cap)
		return gw_err_set(e, GW_ELIMIT, "%s: path too long", path);
	return fs_write_atomic(sig_out, sig, len, 0644, e);
}

/*
 * A fresh path.p7s makes an older path.sig stale and the other way
 * round; verifiers look for .p7s first, so the stale one must go.
 */
static void
drop_other_sig(const char *path, const char *ext)
{
	char *other;

	if (asprintf(&other, "%s.%s", path, strcmp(ext, "p7s") == 0 ? "sig" :
	    "p7s") < 0)
		return;
	unlink(other);
	free(other);
}

static int
open_file(int *fd, const char *path, struct gw_err *e)
{
	if ((*fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return gw_err_set(e, GW_EIO, "%s: %s", path, strerror(errno));
	return 0;
}

int
keys_sign_fd(unsigned char **out, size_t *outlen, const char **ext,
    struct keystore *ks, const char *alg, int fd, const char *name,
    struct gw_err *e)
{
	STACK_OF(X509) *chain = NULL;
	EVP_PKEY *key = NULL;
	int rc;

	*out = NULL;
	if ((rc = keystore_load_signer(&key, &chain, ks, alg, e)) == 0)
		rc = sig_sign_fd(out, outlen, ext, key, chain, fd, name,
		    gw_now(), e);
	EVP_PKEY_free(key);
	sk_X509_pop_free(chain, X509_free);
	return rc;
}

/*
 * Sign what fd (open on path) holds with key and chain, and write the
 * signature beside path, dropping a stale one of the other kind.
 */
static int
sign_beside(char *sig_out, size_t cap, EVP_PKEY *key,
    STACK_OF(X509) *chain, int fd, const char *path, struct gw_err *e)
{
	unsigned char *sig = NULL;
	const char *ext;
	size_t len;
	int rc;

	if ((rc = sig_sign_fd(&sig, &len, &ext, key, chain, fd, path, gw_now(),
	    e)) == 0 && (rc = write_sig(sig_out, cap, path, ext, sig, len,
	    e)) == 0)
		drop_other_sig(path, ext);
	free(sig);
	return rc;
}

int
keys_sign_file(char *sig_out, size_t cap, struct keystore *ks,
    const char *alg, const char *path, struct gw_err *e)
{
	STACK_OF(X509) *chain = NULL;
	EVP_PKEY *key = NULL;
	int fd, rc;

	if ((rc = open_file(&fd, path, e)) != 0)
		return rc;
	if ((rc = keystore_load_signer(&key, &chain, ks, alg, e)) == 0)
		rc = sign_beside(sig_out, cap, key, chain, fd, path, e);
	close(fd);
	EVP_PKEY_free(key);
	sk_X509_pop_free(chain, X509_free);
	return rc;
}

/* A private key file outside the key store: its owner's only, then read. */
static int
read_private_key(EVP_PKEY **k, const char *path, const char *passphrase,
    struct gw_err *e)
{
	int rc;

	*k = NULL;
	if ((rc = fs_check_private(path, e)) != 0)
		return rc;
	return pki_read_key(k, path, passphrase, e);
}

int
keys_check_private_key(const char *path, const char *passphrase,
    struct gw_err *e)
{
	EVP_PKEY *k;
	int rc;

	if ((rc = read_private_key(&k, path, passphrase, e)) == 0)
		EVP_PKEY_free(k);
	return rc;
}

int
keys_sign_file_with(char *sig_out, size_t cap, const char *key_path,
    const char *passphrase, const char *cert_path, const char *path,
    struct gw_err *e)
{
	STACK_OF(X509) *chain = NULL;
	EVP_PKEY *key = NULL;
	int fd = -1, rc;

	if ((rc = read_private_key(&key, key_path, passphrase, e)) == 0 &&
	    (rc = pki_read_certs(&chain, cert_path, e)) == 0 &&
	    (rc = open_file(&fd, path, e)) == 0)
		rc = sign_beside(sig_out, cap, key, chain, fd, path, e);
	if (fd >= 0)
		close(fd);
	EVP_PKEY_free(key);
	sk_X509_pop_free(chain, X509_free);
	return rc;
}

/* ---- verification ------------------------------------------------------ */

/* Who else trusts a signer: another bank, or one of our keys. */
struct owner_ctx {
	struct db	*db;
	const char	*home_dir;
	const char	*bank;		/* the bank asked about, excluded */
};

static int
owner(void *arg, X509 *signer, STACK_OF(X509) *chain, char *out, size_t cap)
{
	struct owner_ctx *o = arg;

	return trust_owner(o->db, o->home_dir, o->bank, signer, chain, out,
	    cap) || keystore_owner(o->db, signer, out, cap);
}

static int
anchors_for(struct sig_anchors **out, struct owner_ctx *o,
    const struct keys_trust *t, struct gw_err *e)
{
	STACK_OF(X509) *certs = NULL;
	size_t i;
	int rc;

	o->db = t->db;
	o->home_dir = t->home_dir;
	o->bank = t->bank;
	if (t->bank != NULL && t->db != NULL)
		return trust_anchors(out, t->db, t->home_dir, t->bank, owner, o,
		    e);
	if (t->own && t->db != NULL)
		return keystore_anchors(out, t->db, t->home_dir, owner, o, e);
	if (t->nca_files == 0)
		return gw_err_set(e, GW_EUSAGE, "nothing to verify against: "
		    "name a bank, our own keys or certificate files");
	if ((rc = sig_anchors_new(out, t->nca_files == 1 ? t->ca_files[0] :
	    "the given certificates", NULL, NULL, e)) != 0)
		return rc;
	for (i = 0; i < t->nca_files; i++) {
		if ((rc = pki_read_certs(&certs, t->ca_files[i], e)) == 0)
			rc = sig_anchors_add(*out, certs, e);
		sk_X509_pop_free(certs, X509_free);
		certs = NULL;
		if (rc != 0) {
			sig_anchors_free(*out);
			*out = NULL;
			return rc;
		}
	}
	return 0;
}

int
keys_verify_fd(struct keys_sig_info *out, const struct keys_trust *t,
    int fd, const char *name, const void *sig, size_t siglen,
    const char *sig_name, struct gw_err *e)
{
	struct sig_anchors *a = NULL;
	struct owner_ctx o;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = anchors_for(&a, &o, t, e)) != 0)
		return rc;
	rc = sig_verify_fd(out, a, sig, siglen, sig_name, fd, name, gw_now(),
	    e);
	sig_anchors_free(a);
	return rc;
}

int
keys_verify_path(struct keys_sig_info *out, const struct keys_trust *t,
    const char *path, const char *sig_path, struct gw_err *e)
{
	struct gw_err le = GW_ERR_INIT;
	char *sig = NULL, *alt = NULL;
	const char *sp = sig_path;
	size_t len = 0;
	int fd = -1, rc;

	memset(out, 0, sizeof(*out));
	if (sp == NULL) {
		/* path.p7s, else path.sig: whichever the signer made. */
		size_t cap = strlen(path) + 5;

		if ((alt = malloc(cap)) == NULL)
			return gw_err_set(e, GW_ENOMEM, "out of memory");
		keys_sig_beside(path, alt, cap);
		sp = alt;
	}
	if (!fs_exists(sp)) {
		out->fail = KEYS_FAIL_MALFORMED;
		rc = sig_path ? gw_err_set(e, GW_ESIG, "%s: no signature (%s "
		    "does not exist)", path, sig_path) : gw_err_set(e, GW_ESIG,
		    "%s: no signature (neither %s.p7s nor %s.sig exists)", path,
		    path, path);
		goto done;
	}
	if (fs_read_small(&sig, &len, sp, SIG_FILE_MAX, &le) != 0) {
		out->fail = KEYS_FAIL_MALFORMED;
		rc = le.code == GW_ELIMIT ? gw_err_set(e, GW_ESIG, "%s: "
		    "signature truncated or malformed (larger than %d bytes)",
		    sp, SIG_FILE_MAX) : gw_err_pass(e, &le);
		goto done;
	}
	if ((rc = open_file(&fd, path, e)) == 0)
		rc = keys_verify_fd(out, t, fd, path, sig, len, sp, e);
done:
	if (fd >= 0)
		close(fd);
	free(sig);
	free(alt);
	return rc;
}

int
keys_verify_file(struct keys_sig_info *out, struct db *db,
    const char *home_dir, const char *bank, const char *path,
    const char *sig_path, struct gw_err *e)
{
	struct keys_trust t;

	memset(&t, 0, sizeof(t));
	t.db = db;
	t.home_dir = home_dir;
	t.bank = bank;
	return keys_verify_path(out, &t, path, sig_path, e);
}

int
keys_verify_file_with(struct keys_sig_info *out, const char *const *ca_files,
    size_t nca_files, const char *path, const char *sig_path,
    struct gw_err *e)
{
	struct keys_trust t;

	memset(&t, 0, sizeof(t));
	t.ca_files = ca_files;
	t.nca_files = nca_files;
	return keys_verify_path(out, &t, path, sig_path, e);
}
