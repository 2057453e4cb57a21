/*
 * keystore.h - our signing keys: generation, certificates, rotation.
 *
 * Each key pair lives in the home as
 *   keys/K0001.key   encrypted PKCS#8 PEM, mode 0600 (refused otherwise)
 *   keys/K0001.crt   its certificate (self-signed until a CA-signed one is
 *                    imported as keys/K0001-<fingerprint>.crt), PEM, the
 *                    signer first, then any intermediates
 * and as a row of table keys (id, algorithm, state, times, certificate
 * fingerprint). The file named in the row is checked against the recorded
 * fingerprint before every use, so a swapped certificate is refused.
 *
 *            gen / rotate                 rotate / retire
 *   (none) ───────────────▶ active ─────────────────────▶ retired
 *
 * At most one key per algorithm is active (a partial unique index), so a
 * home can sign SM2 for one bank and RSA for another; retired keys never
 * sign again but keep their certificate for verifying what they signed.
 * Every change writes an audit event in the same transaction.
 */
#ifndef GW_KEYSTORE_H
#define GW_KEYSTORE_H

#include <stdint.h>
#include <stdio.h>

#include "common/date.h"
#include "common/err.h"
#include "keys/keys.h"
#include "keys/sig.h"

#define KEY_DAYS_DEFAULT	730
#define KEY_DAYS_MAX		3650

struct key_info {
	int64_t	 id;
	char	 ref[16];		/* "K0001" */
	char	 alg[12];		/* rsa3072 | p256 | sm2 */
	char	 state[10];		/* active | retired */
	char	 subject[512];
	char	 issuer[512];		/* = subject while self-signed */
	char	 fingerprint[65];	/* SHA-256 of the certificate */
	char	 not_before[TS_BUFSZ];
	char	 not_after[TS_BUFSZ];
	char	 created_at[TS_BUFSZ];
	char	 retired_at[TS_BUFSZ];	/* "" while active */
	char	 cert_file[64];		/* under keys/ */
};

/* "K0001" for id. */
char	*keystore_ref(char out[16], int64_t id);

/* Parse "K0001" or "1". GW_EINPUT otherwise. */
int	keystore_id_parse(int64_t *out, const char *s, struct gw_err *e);

/* One key; GW_ENOTFOUND if there is none. */
int	keystore_get(struct key_info *out, struct keystore *ks, int64_t id,
	    struct gw_err *e);

/* Every key, oldest first; fn returns non-zero to stop (returned). */
int	keystore_foreach(struct keystore *ks,
	    int (*fn)(void *arg, const struct key_info *k), void *arg,
	    struct gw_err *e);

/*
 * Make a key pair of alg (rsa3072, p256, sm2) with a self-signed
 * certificate for subject ("/CN=..."; NULL: "/CN=debitgw signing key
 * K0001") valid for days days, encrypt it with the passphrase and make it
 * the active key of its algorithm. GW_ESTATE if one is already active
 * (rotate replaces it), GW_EKEY without a usable passphrase.
 */
int	keystore_gen(struct key_info *out, struct keystore *ks, const char *alg,
	    const char *subject, int days, const char *actor, struct gw_err *e);

/*
 * Make a new active key of alg as keystore_gen does and retire, in the
 * same transaction, the key retire_id (0: the active key of alg, or else
 * the one active key of another algorithm: an algorithm change). The
 * retired key's id goes to *retired.
 */
int	keystore_rotate(struct key_info *out, int64_t *retired,
	    struct keystore *ks, const char *alg, const char *subject, int days,
	    int64_t retire_id, const char *actor, struct gw_err *e);

/* Retire an active key without a successor. GW_ESTATE if not active. */
int	keystore_retire(struct keystore *ks, int64_t id, const char *actor,
	    struct gw_err *e);

/*
 * Write a PKCS#10 request (PEM) for key id to fp, for subject (NULL: the
 * certificate's subject). Needs the passphrase.
 */
int	keystore_csr(FILE *fp, struct keystore *ks, int64_t id,
	    const char *subject, struct gw_err *e);

/*
 * Attach the certificate a bank or CA signed for key id: cert_path holds
 * it (PEM or DER) and optionally its issuers. It must carry the key's
 * public key, be valid now and allow signing. The previous certificate
 * file stays on disk. Retired keys refuse (GW_ESTATE).
 */
int	keystore_import_cert(struct key_info *out, struct keystore *ks,
	    int64_t id, const char *cert_path, const char *actor,
	    struct gw_err *e);

/* Write key id's certificate chain (PEM) to fp. */
int	keystore_export_cert(FILE *fp, struct keystore *ks, int64_t id,
	    struct gw_err *e);

/*
 * The anchors for verifying our own signatures: the current certificate
 * of every key, active or retired (signers only, never their issuers, so
 * a CA that also serves others is not trusted through us). GW_ECONFIG if
 * there is no key. The caller frees *out.
 */
int	keystore_anchors(struct sig_anchors **out, struct db *db,
	    const char *home_dir, sig_owner_fn owner, void *owner_arg,
	    struct gw_err *e);

/* "our key K0001" into out and 1 if signer is one of our certificates. */
int	keystore_owner(struct db *db, X509 *signer, char *out, size_t cap);

#endif
