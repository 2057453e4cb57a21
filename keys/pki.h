/*
 * pki.h - keys, certificates and certificate requests; internal to keys/.
 *
 * Nothing outside keys/ includes this header: other parts sign and verify
 * through keys/keys.h and never hold key material (STYLE.md: signing sits
 * behind the keys API as if it were another process).
 *
 * SM2 needs a signer ID (the "distinguishing identifier" hashed into Z)
 * wherever it signs or verifies, and OpenSSL 3.0 defaults to an empty one.
 * Every SM2 operation here goes through pki_sign_init, pki_verify_init or
 * pki_x509_sm2_id, which set the standard ID 1234567812345678 (GM/T 0009)
 * explicitly, so certificates, requests and signatures interoperate with
 * `openssl ... -sigopt distid:1234567812345678` and with other SM2 stacks.
 */
#ifndef GW_PKI_H
#define GW_PKI_H

#include <stddef.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "common/date.h"
#include "common/err.h"
#include "common/fsutil.h"

#define PKI_SM2_ID	"1234567812345678"
#define PKI_SM2_ID_LEN	16
#define PKI_NAME_MAX	512	/* one-line subject or issuer */
#define PKI_ALG_MAX	24	/* "rsa3072", "p256", "sm2", "ec-brainpoolP256r1" */
#define PKI_PASS_MIN	8	/* shortest passphrase that may encrypt a new key */
#define PKI_PASS_MAX	1024
#define PKI_KEY_MAX	(64 * 1024)	/* a PEM key file is never larger */
#define PKI_CERTS_MAX	(1024 * 1024)	/* a certificate file is never larger */

/* 1 if alg is one the gateway makes keys for: rsa3072, p256, sm2. */
int	pki_alg_is_valid(const char *alg);

/* "rsa3072, p256 or sm2", for messages. */
const char *pki_alg_names(void);

/* A new key pair of algorithm alg. The caller owns *out. */
int	pki_keygen(EVP_PKEY **out, const char *alg, struct gw_err *e);

/*
 * Short name of any key's algorithm: "rsa3072", "rsa2048", "p256",
 * "p384", "sm2", or "ec-CURVE" / the provider's type name otherwise.
 */
char	*pki_key_alg(char out[PKI_ALG_MAX], const EVP_PKEY *k);

/* 1 if k is an SM2 key (signs with SM2 and SM3, needs a signer ID). */
int	pki_key_is_sm2(const EVP_PKEY *k);

/*
 * Parse "/CN=name/O=org" (UTF-8; "\/" is a literal slash) into a name.
 * GW_EINPUT names the bad component. The caller owns *out.
 */
int	pki_name_parse(X509_NAME **out, const char *subject, struct gw_err *e);

/*
 * One line in stored order, RFC 2253 escaping, UTF-8 kept as is:
 * "CN=x,O=y" for "/CN=x/O=y". Returns out.
 */
char	*pki_name_str(char *out, size_t cap, const X509_NAME *n);

/* What pki_cert_new makes. */
struct pki_cert_spec {
	EVP_PKEY		*pub;		/* the subject's key */
	const X509_NAME		*subject;
	EVP_PKEY		*issuer_key;	/* signs the certificate */
	X509			*issuer;	/* NULL: self-signed */
	time_t			 not_before;
	time_t			 not_after;
	int			 ca;		/* 1: a CA (keyCertSign) */
	const char		*key_usage;	/* NULL: as ca says */
	const char		*ext_key_usage;	/* NULL: none */
};

/*
 * A v3 certificate with a random 127-bit serial, subject and authority key
 * identifiers, and key usage digitalSignature+nonRepudiation (a signer)
 * or keyCertSign+cRLSign (a CA) unless key_usage says otherwise (OpenSSL
 * config syntax, e.g. "critical,keyEncipherment"). The caller owns *out.
 */
int	pki_cert_new(X509 **out, const struct pki_cert_spec *s,
	    struct gw_err *e);

/* A PKCS#10 request for key with subject, asking for signing key usage. */
int	pki_csr_new(X509_REQ **out, EVP_PKEY *key, const X509_NAME *subject,
	    struct gw_err *e);

/*
 * Start a signature with key in mctx: SHA-256, or SM3 with the standard
 * SM2 signer ID for an SM2 key. Feed data with EVP_DigestUpdate.
 */
int	pki_sign_init(EVP_MD_CTX *mctx, EVP_PKEY *key, struct gw_err *e);

/*
 * Start verifying a signature by pub with digest mdname ("SHA256",
 * "SM3", ...); for an SM2 key, id/idlen is the signer ID (NULL: the
 * standard one).
 */
int	pki_verify_init(EVP_MD_CTX *mctx, EVP_PKEY *pub, const char *mdname,
	    const char *id, size_t idlen, struct gw_err *e);

/*
 * Attach the standard signer ID to x if an SM2 key signed it, so that
 * X509_verify and X509_verify_cert check its signature correctly.
 * Certificates whose issuer used another ID do not verify (GM/T 0015
 * requires the standard one).
 */
void	pki_x509_sm2_id(X509 *x);

/* Same for every certificate of a stack (NULL allowed). */
void	pki_certs_sm2_id(STACK_OF(X509) *sk);

/* SHA-256 of the DER certificate as lowercase hex. */
void	pki_fingerprint(char out[SHA256_HEX_LEN + 1], const X509 *x);

/* An ASN1_TIME as seconds since the epoch. GW_EINPUT if malformed. */
int	pki_time_t(time_t *out, const ASN1_TIME *t, struct gw_err *e);

/* t as "2026-11-22T14:00:00Z"; "?" if it does not parse. */
char	*pki_time_str(char out[TS_BUFSZ], const ASN1_TIME *t);

/*
 * Certificates from memory: one or more PEM certificates, or one DER
 * certificate. GW_EINPUT "name: ..." when there is none or one is bad.
 * The caller owns *out (sk_X509_pop_free(.., X509_free)).
 */
int	pki_parse_certs(STACK_OF(X509) **out, const void *buf, size_t len,
	    const char *name, struct gw_err *e);

/* Same from a file (at most PKI_CERTS_MAX bytes). */
int	pki_read_certs(STACK_OF(X509) **out, const char *path,
	    struct gw_err *e);

/* Certificates as concatenated PEM into a malloc'd buffer *out. */
int	pki_certs_pem(char **out, size_t *len, STACK_OF(X509) *certs,
	    struct gw_err *e);

/*
 * Read a private key. pass NULL: the file must hold an unencrypted key
 * (test banks, tools). pass non-NULL: it must be encrypted PKCS#8 and
 * decrypt with pass; a wrong passphrase is GW_EKEY "path: wrong
 * passphrase ...". Never prompts. The caller owns *out.
 */
int	pki_read_key(EVP_PKEY **out, const char *path, const char *pass,
	    struct gw_err *e);

/*
 * Write key as encrypted PKCS#8 PEM (PBES2: PBKDF2-HMAC-SHA256,
 * AES-256-CBC) to a new file path, mode 0600, never replacing one.
 * GW_EKEY if pass is shorter than PKI_PASS_MIN.
 */
int	pki_write_key(const char *path, EVP_PKEY *key, const char *pass,
	    struct gw_err *e);

/*
 * The reason OpenSSL gave for the last failure, into buf, and clear
 * OpenSSL's error queue. "unknown" if it gave none.
 */
char	*pki_ossl_reason(char *buf, size_t cap);

#endif
