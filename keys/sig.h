/*
 * sig.h - detached signatures: making them and checking them, without a
 * home; internal to keys/ (other parts use keys/keys.h).
 *
 * sig_sign_fd hashes a file once and wraps the result as CMS SignedData,
 * or, for an SM2 key on an OpenSSL that cannot make standard SM2 CMS, as
 * the .sig envelope. sig_verify_fd tells the formats apart by content and
 * runs every check keys_verify_fd promises, against a set of anchors.
 *
 * Anchors: any certificate in the set ends a certificate path (a bank may
 * give us its CA, its signing certificate, or both). The owner callback
 * names who else trusts a signer the set does not, so a file signed by
 * another bank's key says so instead of "unknown signer".
 */
#ifndef GW_SIG_H
#define GW_SIG_H

#include <stddef.h>
#include <time.h>

#include <openssl/cms.h>
#include <openssl/x509.h>

#include "common/err.h"
#include "keys/keys.h"

/* A signing time this far ahead of our clock is refused (seconds). */
#define SIG_FUTURE_SKEW 300

/* .sig envelope markers (docs/formats.md). */
#define SIG_SM2_BEGIN "-----BEGIN DEBITGW SM2 SIGNATURE-----"
#define SIG_SM2_END "-----END DEBITGW SM2 SIGNATURE-----"

struct sig_anchors;

/*
 * owner: write who trusts signer (chain: certificates that came with the
 * signature) into out, e.g. "bank CCB" or "our key K0001", and return 1;
 * 0 when nobody known does.
 */
typedef int (*sig_owner_fn)(void *arg, X509 *signer, STACK_OF(X509) *chain,
    char *out, size_t cap);

/* An empty anchor set; label ("bank ICBC") appears in messages. */
int	sig_anchors_new(struct sig_anchors **out, const char *label,
	    sig_owner_fn owner, void *owner_arg, struct gw_err *e);

/* Add certificates (references are taken; the stack stays the caller's). */
int	sig_anchors_add(struct sig_anchors *a, STACK_OF(X509) *certs,
	    struct gw_err *e);

/* Number of certificates in the set. */
int	sig_anchors_count(const struct sig_anchors *a);

void	sig_anchors_free(struct sig_anchors *a);

/*
 * 1 if cert chains to a certificate of a (untrusted: more certificates to
 * build the path from), ignoring validity dates; 0 if not.
 */
int	sig_anchors_trust(const struct sig_anchors *a, X509 *cert,
	    STACK_OF(X509) *untrusted);

/*
 * Sign what fd holds with key; chain is the signer's certificate first,
 * then any intermediates to include. now is the signing time. *out is
 * malloc'd (the caller frees); *ext is "p7s" or "sig". GW_EKEY when the
 * key does not match the certificate.
 */
int	sig_sign_fd(unsigned char **out, size_t *outlen, const char **ext,
	    EVP_PKEY *key, STACK_OF(X509) *chain, int fd, const char *name,
	    time_t now, struct gw_err *e);

/* Verify as keys_verify_fd documents, against the anchors a at time now. */
int	sig_verify_fd(struct keys_sig_info *out, const struct sig_anchors *a,
	    const unsigned char *sig, size_t siglen, const char *sig_name,
	    int fd, const char *name, time_t now, struct gw_err *e);

/*
 * The DER of a SignerInfo's signed attributes, in the order they came
 * (what the signature covers). *out is malloc'd. Exposed for tests that
 * build SM2 CMS by hand.
 */
int	sig_cms_attrs_der(unsigned char **out, size_t *outlen,
	    CMS_SignerInfo *si);

/*
 * Encode the .sig envelope for a DER SM2 signature raw over a file, with
 * the signer's certificates; signing_time 0 leaves the line out.
 */
int	sig_sm2_encode(char **out, size_t *outlen, const unsigned char *raw,
	    size_t rawlen, STACK_OF(X509) *certs, time_t signing_time,
	    struct gw_err *e);

#endif
