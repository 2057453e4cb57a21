/*
 * keys.h - signing what we send and verifying what banks send.
 *
 * This is the API the batch code (signs each outgoing debit file) and the
 * return-ingest code (verifies each bank file before reading a byte of
 * it) call. Callers get signatures and verdicts, never key material:
 * private keys are opened, used and freed inside keys/.
 *
 * Signatures (docs/formats.md, "Keys and signatures"):
 *   FILE.p7s  detached CMS SignedData, DER: SHA-256 (SM3 for SM2), the
 *             signer's certificate included, signingTime signed.
 *   FILE.sig  SM2 on an OpenSSL without SM2 CMS (3.0): SM2-with-SM3 over
 *             the file, signer ID 1234567812345678, in a small text
 *             envelope with the signer's certificate.
 * A bare DER SM2 signature (as `openssl dgst -sm3 -sign` writes) verifies
 * too, against the SM2 certificates of the trust entries.
 *
 * Files are streamed through a 256 KiB buffer, never held in memory. A
 * signature file is written atomically (temporary name, fsync, rename).
 *
 * Part "keys": tables keys (our key pairs) and trust_entries (partner
 * certificates); see keys/keystore.h and keys/trust.h for administering
 * them.
 */
#ifndef GW_KEYS_H
#define GW_KEYS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "common/db.h"
#include "common/err.h"

extern const struct db_part keys_db_part;

/* Which check a verification failed; each has its own stable message. */
enum keys_sig_fail {
	KEYS_OK = 0,
	KEYS_FAIL_MALFORMED,	/* "signature truncated or malformed" */
	KEYS_FAIL_MODIFIED,	/* "signature does not match the file (modified?)" */
	KEYS_FAIL_BADSIG,	/* "signature value does not verify ..." */
	KEYS_FAIL_UNKNOWN,	/* "unknown signer" */
	KEYS_FAIL_OTHER,	/* "signer not trusted for bank X (signed by a
				 *  certificate of bank Y)" */
	KEYS_FAIL_EXPIRED,	/* "certificate expired at signing time" */
	KEYS_FAIL_NOTYET,	/* "certificate not yet valid at signing time" */
	KEYS_FAIL_FUTURE,	/* "signing time ... is in the future" */
	KEYS_FAIL_USAGE,	/* "key usage does not allow signing" */
	KEYS_FAIL_CHAIN,	/* "certificate path does not verify" */
	KEYS_FAIL_UNSUPPORTED	/* digest, structure or algorithm refused */
};

struct keys_sig_info {
	char		 format[12];	/* "cms", "sm2-sig", "sm2-raw" */
	char		 key_alg[24];	/* signer's key: "rsa3072", "p256", "sm2" */
	char		 digest[12];	/* "sha256", "sm3", ... */
	char		 subject[512];	/* signer certificate, one line */
	char		 issuer[512];
	char		 fingerprint[65]; /* SHA-256 of its DER, hex */
	time_t		 signing_time;	/* 0: the signature carries none */
	int		 signing_time_signed; /* 1: covered by the signature */
	time_t		 checked_at;	/* validity was checked at this time */
	char		 trusted_by[128]; /* "bank ICBC", "our key K0002", a file */
	int64_t		 size;		/* bytes of the file hashed */
	char		 sha256[65];	/* of those bytes, hex; "" if unread */
	enum keys_sig_fail fail;	/* KEYS_OK on success */
};

/* ---- signing with the home's keys -------------------------------------- */

struct keystore;

/*
 * Open the key store of the home at home_dir, whose database db is
 * already open. The passphrase comes from passphrase_file (must be mode
 * 0600; first line) or else $DEBITGW_KEY_PASSPHRASE; it is read only
 * when a private key is needed. The caller owns *out (keystore_close).
 */
int	keystore_open(struct keystore **out, const char *home_dir,
	    struct db *db, const char *passphrase_file, struct gw_err *e);

/* Forget the passphrase (cleansed) and free ks. Accepts NULL. */
void	keystore_close(struct keystore *ks);

/*
 * Sign path with our active key of algorithm alg (NULL: the one active
 * key; GW_EUSAGE if there are several) and write the detached signature
 * atomically beside it, as path.p7s or path.sig (SM2 without SM2 CMS);
 * its name goes into sig_out (cap bytes). Errors: GW_EKEY (exit 3) for
 * an unusable key (no active key, key file readable by others, wrong
 * passphrase, certificate expired), GW_EIO for the files.
 */
int	keys_sign_file(char *sig_out, size_t cap, struct keystore *ks,
	    const char *alg, const char *path, struct gw_err *e);

/*
 * Sign what fd holds from its offset to end of file (a pipe works). The
 * signature goes to *out (malloc'd, the caller frees), its length to
 * *outlen, and the file name extension it needs ("p7s" or "sig") to
 * *ext. name is used in messages.
 */
int	keys_sign_fd(unsigned char **out, size_t *outlen, const char **ext,
	    struct keystore *ks, const char *alg, int fd, const char *name,
	    struct gw_err *e);

/*
 * A private key file some other part hands to a library (the daemon's
 * HTTPS key): only its owner may read it (GW_EKEY otherwise), and with a
 * passphrase it must be encrypted PKCS#8 that the passphrase opens - a
 * key stored in clear is refused, as for our signing keys.
 */
int	keys_check_private_key(const char *path, const char *passphrase,
	    struct gw_err *e);

/*
 * Without a home (a test bank, a tool): sign path with the PEM key in
 * key_path (encrypted PKCS#8 with passphrase, or unencrypted when
 * passphrase is NULL) and the certificate chain in cert_path (PEM, leaf
 * first); write path.p7s or path.sig as keys_sign_file does.
 */
int	keys_sign_file_with(char *sig_out, size_t cap, const char *key_path,
	    const char *passphrase, const char *cert_path, const char *path,
	    struct gw_err *e);

/* ---- verification ------------------------------------------------------ */

/* What a verification trusts: exactly one of the three. */
struct keys_trust {
	struct db		 *db;		/* the home's store ... */
	const char		 *home_dir;	/* ... at this directory */
	const char		 *bank;		/* a bank's trust entries, or */
	int			  own;		/* our own keys (active or retired) */
	const char *const	 *ca_files;	/* or these certificate files */
	size_t			  nca_files;	/* (PEM or DER, CA or signer) */
};

/*
 * Verify that the signature sig (siglen bytes; named sig_name) covers
 * what fd holds from its offset to end of file, that its signer chains
 * to the trusted certificates of t, that every certificate on the path
 * was valid at the signing time (a signed attribute; the verification
 * time for formats that carry none), and that the signer's key usage
 * allows signing. A signing time more than 5 minutes ahead of the clock
 * is refused. On success fills *out; on failure returns GW_ESIG (exit 1)
 * with out->fail and a one-line reason in e, or GW_ECONFIG / GW_EIO when
 * the trust store or the file cannot be read.
 */
int	keys_verify_fd(struct keys_sig_info *out, const struct keys_trust *t,
	    int fd, const char *name, const void *sig, size_t siglen,
	    const char *sig_name, struct gw_err *e);

/*
 * Same for files. sig_path NULL: path.p7s, else path.sig. Signatures are
 * told apart by content (CMS in DER or PEM, the .sig envelope, a bare DER
 * SM2 signature), not by name.
 */
int	keys_verify_path(struct keys_sig_info *out, const struct keys_trust *t,
	    const char *path, const char *sig_path, struct gw_err *e);

/* A bank's file against that bank's trust entries only. */
int	keys_verify_file(struct keys_sig_info *out, struct db *db,
	    const char *home_dir, const char *bank, const char *path,
	    const char *sig_path, struct gw_err *e);

/* Without a home: against explicit certificate or CA files. */
int	keys_verify_file_with(struct keys_sig_info *out,
	    const char *const *ca_files, size_t nca_files, const char *path,
	    const char *sig_path, struct gw_err *e);

/*
 * A signed FILE travels with FILE.p7s or FILE.sig beside it, looked for in
 * that order: keys_sig_exts. keys_is_sig_name says whether a name is such
 * a signature; keys_sig_beside puts the signature of path that exists
 * into out (1) or says there is none (0).
 */
extern const char *const keys_sig_exts[2];
int	keys_is_sig_name(const char *name);
int	keys_sig_beside(const char *path, char *out, size_t cap);

/* The stable name of a failure ("modified", "unknown_signer", ...). */
const char *keys_fail_name(enum keys_sig_fail f);

#endif
