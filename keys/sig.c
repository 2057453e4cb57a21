/*
 * sig.c - detached signatures: CMS SignedData and the SM2 .sig envelope.
 *
 * Signing reads the file once through fs_digest_fd and builds the
 * SignedData around the digest (messageDigest, contentType and
 * signingTime as signed attributes, CMS_PARTIAL so OpenSSL never reads
 * the content itself), so memory stays flat whatever the size of the file.
 * An SM2 key makes CMS only if this OpenSSL can make standard SM2 CMS
 * (signer ID 1234567812345678, verifiable by stock `openssl cms`); that is
 * probed once per process on an empty digest. OpenSSL 3.0 cannot, so SM2
 * signs the file itself with SM3 into the .sig envelope.
 *
 * Verification runs the cheap checks first and the pass over the file
 * last: structure, signer certificate, the signature over the signed
 * attributes, the signing time, the certificate path at that time, key
 * usage, then the file digest. Only a .sig or bare SM2 signature without
 * a certificate must hash the file first, to find which trusted key made
 * it. Each failure sets out->fail and one stable message (keys.h).
 *
 * SM2 signatures inside CMS are checked here rather than by OpenSSL,
 * whose CMS code cannot pass the signer ID: the signed attributes are
 * re-encoded in the order received, exactly what OpenSSL itself hashes.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "common/date.h"
#include "common/fsutil.h"
#include "keys/pki.h"
#include "keys/sig.h"

#define SIG_RAW_MAX	128	/* a DER SM2 signature is at most 72 bytes */
#define SIG_CANDIDATES	32	/* SM2 keys tried for a signature without a cert */
#define SIG_ID_MAX	64

struct sig_anchors {
	X509_STORE	*store;
	STACK_OF(X509)	*certs;
	char		 label[128];
	sig_owner_fn	 owner;
	void		*owner_arg;
};

/* A parsed .sig envelope or bare SM2 signature. */
struct sm2sig {
	unsigned char	 raw[SIG_RAW_MAX];
	size_t		 rawlen;
	char		 id[SIG_ID_MAX + 1];
	size_t		 idlen;
	time_t		 signing_time;	/* claimed; not covered by the signature */
	STACK_OF(X509)	*certs;		/* leaf first; NULL when none came */
};

/* What X509_verify_cert said about a path. */
struct path_result {
	int	err;
	char	subject[PKI_NAME_MAX];
	char	not_before[TS_BUFSZ];
	char	not_after[TS_BUFSZ];
};

static int
fail(struct keys_sig_info *out, enum keys_sig_fail f, struct gw_err *e,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int
fail(struct keys_sig_info *out, enum keys_sig_fail f, struct gw_err *e,
    const char *fmt, ...)
{
	char msg[GW_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (out->fail == KEYS_OK)
		out->fail = f;
	ERR_clear_error();
	return gw_err_set(e, GW_ESIG, "%s", msg);
}

/* ---- anchors ----------------------------------------------------------- */

int
sig_anchors_new(struct sig_anchors **out, const char *label,
    sig_owner_fn owner, void *owner_arg, struct gw_err *e)
{
	struct sig_anchors *a;

	*out = NULL;
	if ((a = calloc(1, sizeof(*a))) == NULL ||
	    (a->store = X509_STORE_new()) == NULL ||
	    (a->certs = sk_X509_new_null()) == NULL) {
		sig_anchors_free(a);
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	}
	snprintf(a->label, sizeof(a->label), "%s", label);
	a->owner = owner;
	a->owner_arg = owner_arg;
	*out = a;
	return 0;
}

int
sig_anchors_add(struct sig_anchors *a, STACK_OF(X509) *certs,
    struct gw_err *e)
{
	X509 *x;
	int i;

	for (i = 0; i < sk_X509_num(certs); i++) {
		x = sk_X509_value(certs, i);
		pki_x509_sm2_id(x);
		if (X509_STORE_add_cert(a->store, x) != 1 ||
		    !X509_up_ref(x)) {
			ERR_clear_error();
			return gw_err_set(e, GW_ENOMEM, "out of memory");
		}
		if (!sk_X509_push(a->certs, x)) {
			X509_free(x);
			return gw_err_set(e, GW_ENOMEM, "out of memory");
		}
	}
	return 0;
}

int
sig_anchors_count(const struct sig_anchors *a)
{
	return sk_X509_num(a->certs);
}

void
sig_anchors_free(struct sig_anchors *a)
{
	if (a == NULL)
		return;
	X509_STORE_free(a->store);
	sk_X509_pop_free(a->certs, X509_free);
	free(a);
}

/*
 * Build and check the path from cert to an anchor of store at time at
 * (-1: ignore validity dates). Any anchor ends a path (partial chains):
 * a bank's signing certificate is as good an anchor as its CA.
 */
static int
path_check(X509_STORE *store, X509 *cert, STACK_OF(X509) *untrusted,
    time_t at, struct path_result *pr)
{
	X509_STORE_CTX *ctx;
	X509_VERIFY_PARAM *param;
	X509 *bad;
	int ok = 0;

	memset(pr, 0, sizeof(*pr));
	pr->err = X509_V_ERR_UNSPECIFIED;
	if ((ctx = X509_STORE_CTX_new()) == NULL ||
	    X509_STORE_CTX_init(ctx, store, cert, untrusted) != 1)
		goto done;
	param = X509_STORE_CTX_get0_param(ctx);
	X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN |
	    (at < 0 ? X509_V_FLAG_NO_CHECK_TIME : 0));
	if (at >= 0)
		X509_VERIFY_PARAM_set_time(param, at);
	ok = X509_verify_cert(ctx) == 1;
	pr->err = X509_STORE_CTX_get_error(ctx);
	if ((bad = X509_STORE_CTX_get_current_cert(ctx)) == NULL)
		bad = cert;
	pki_name_str(pr->subject, sizeof(pr->subject),
	    X509_get_subject_name(bad));
	pki_time_str(pr->not_before, X509_get0_notBefore(bad));
	pki_time_str(pr->not_after, X509_get0_notAfter(bad));
done:
	X509_STORE_CTX_free(ctx);
	ERR_clear_error();
	return ok;
}

int
sig_anchors_trust(const struct sig_anchors *a, X509 *cert,
    STACK_OF(X509) *untrusted)
{
	struct path_result pr;

	return path_check(a->store, cert, untrusted, -1, &pr);
}

/* ---- checks shared by every format -------------------------------------- */

static void
fill_signer(struct keys_sig_info *out, X509 *x)
{
	EVP_PKEY *pub = X509_get0_pubkey(x);

	pki_name_str(out->subject, sizeof(out->subject),
	    X509_get_subject_name(x));
	pki_name_str(out->issuer, sizeof(out->issuer),
	    X509_get_issuer_name(x));
	pki_fingerprint(out->fingerprint, x);
	if (pub != NULL)
		pki_key_alg(out->key_alg, pub);
	else
		snprintf(out->key_alg, sizeof(out->key_alg), "unknown");
}

/* NULL if x may sign documents, else what stops it. */
static const char *
usage_problem(X509 *x)
{
	EXTENDED_KEY_USAGE *eku;
	uint32_t ku = X509_get_key_usage(x);
	const char *why = NULL;
	int i, crit = -1, nid;

	if (X509_get_extension_flags(x) & EXFLAG_INVALID)
		return "a certificate extension is malformed";
	/* UINT32_MAX: no keyUsage extension, so any use is allowed. */
	if (ku != UINT32_MAX &&
	    !(ku & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION)))
		return "keyUsage has neither digitalSignature nor "
		    "nonRepudiation";
	eku = X509_get_ext_d2i(x, NID_ext_key_usage, &crit, NULL);
	if (eku == NULL)
		return crit == -1 ? NULL : "extendedKeyUsage is malformed";
	why = "extendedKeyUsage allows neither emailProtection, "
	    "documentSigning nor anyExtendedKeyUsage";
	for (i = 0; i < sk_ASN1_OBJECT_num(eku); i++) {
		const ASN1_OBJECT *o = sk_ASN1_OBJECT_value(eku, i);
		char oid[64];

		nid = OBJ_obj2nid(o);
		OBJ_obj2txt(oid, sizeof(oid), o, 1);
		if (nid == NID_email_protect || nid == NID_anyExtendedKeyUsage ||
		    strcmp(oid, "1.3.6.1.5.5.7.3.36") == 0) {	/* RFC 9336 */
			why = NULL;
			break;
		}
	}
	sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
	return why;
}

static int
is_untrusted_err(int err)
{
	switch (err) {
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_CERT_UNTRUSTED:
	case X509_V_ERR_CERT_REJECTED:
		return 1;
	}
	return 0;
}

/*
 * The signer must chain to an anchor of a, every certificate on the path
 * must be valid at time at (what: "signing time" or "verification time"),
 * and the signer's key usage must allow signing.
 */
static int
check_signer(struct keys_sig_info *out, const struct sig_anchors *a,
    X509 *signer, STACK_OF(X509) *untrusted, time_t at, const char *what,
    const char *name, struct gw_err *e)
{
	struct path_result pr;
	const char *why;
	char when[TS_BUFSZ], who[128];

	out->checked_at = at;
	ts_format_utc(when, at);
	if (!path_check(a->store, signer, untrusted, at, &pr)) {
		if (is_untrusted_err(pr.err)) {
			if (a->owner != NULL &&
			    a->owner(a->owner_arg, signer, untrusted, who,
			    sizeof(who)))
				return fail(out, KEYS_FAIL_OTHER, e, "%s: signer "
				    "not trusted for %s (signed by a certificate "
				    "of %s: %s)", name, a->label, who,
				    out->subject);
			return fail(out, KEYS_FAIL_UNKNOWN, e, "%s: unknown "
			    "signer %s (not trusted for %s)", name,
			    out->subject, a->label);
		}
		if (pr.err == X509_V_ERR_CERT_HAS_EXPIRED)
			return fail(out, KEYS_FAIL_EXPIRED, e, "%s: certificate "
			    "expired at %s (%s valid until %s; %s %s)", name,
			    what, pr.subject, pr.not_after, what, when);
		if (pr.err == X509_V_ERR_CERT_NOT_YET_VALID)
			return fail(out, KEYS_FAIL_NOTYET, e, "%s: certificate "
			    "not yet valid at %s (%s valid from %s; %s %s)",
			    name, what, pr.subject, pr.not_before, what, when);
		return fail(out, KEYS_FAIL_CHAIN, e, "%s: signer certificate "
		    "path does not verify: %s (%s)", name,
		    X509_verify_cert_error_string(pr.err), pr.subject);
	}
	if ((why = usage_problem(signer)) != NULL)
		return fail(out, KEYS_FAIL_USAGE, e, "%s: signer certificate "
		    "key usage does not allow signing: %s (%s)", name, why,
		    out->subject);
	snprintf(out->trusted_by, sizeof(out->trusted_by), "%s", a->label);
	return 0;
}

/* ---- CMS ---------------------------------------------------------------- */

int
sig_cms_attrs_der(unsigned char **out, size_t *outlen, CMS_SignerInfo *si)
{
	unsigned char *buf, *p;
	int i, n = CMS_signed_get_attr_count(si), len, total = 0, size;

	*out = NULL;
	for (i = 0; i < n; i++) {
		if ((len = i2d_X509_ATTRIBUTE(CMS_signed_get_attr(si, i),
		    NULL)) <= 0 || total > INT32_MAX / 2)
			return GW_EINPUT;
		total += len;
	}
	if ((size = ASN1_object_size(1, total, V_ASN1_SET)) <= 0 ||
	    (buf = malloc((size_t)size)) == NULL)
		return GW_ENOMEM;
	p = buf;
	ASN1_put_object(&p, 1, total, V_ASN1_SET, V_ASN1_UNIVERSAL);
	for (i = 0; i < n; i++)
		i2d_X509_ATTRIBUTE(CMS_signed_get_attr(si, i), &p);
	*out = buf;
	*outlen = (size_t)(p - buf);
	return 0;
}

/* 1 if the SM2 signature of si over its signed attributes verifies. */
static int
cms_sm2_attrs_ok(CMS_SignerInfo *si, EVP_PKEY *pub)
{
	ASN1_OCTET_STRING *sv = CMS_SignerInfo_get0_signature(si);
	unsigned char *der = NULL;
	EVP_MD_CTX *mctx = NULL;
	size_t len;
	int ok = 0;

	if (sv == NULL || sig_cms_attrs_der(&der, &len, si) != 0 ||
	    (mctx = EVP_MD_CTX_new()) == NULL ||
	    pki_verify_init(mctx, pub, "SM3", NULL, 0, NULL) != 0)
		goto done;
	ok = EVP_DigestVerifyUpdate(mctx, der, len) == 1 &&
	    EVP_DigestVerifyFinal(mctx, ASN1_STRING_get0_data(sv),
	    (size_t)ASN1_STRING_length(sv)) == 1;
done:
	EVP_MD_CTX_free(mctx);
	free(der);
	ERR_clear_error();
	return ok;
}

static int
cms_build(unsigned char **out, size_t *outlen, EVP_PKEY *key,
    STACK_OF(X509) *chain, const EVP_MD *md, const unsigned char *dg,
    unsigned int dglen, time_t when, struct gw_err *e)
{
	const unsigned int flags = CMS_PARTIAL | CMS_DETACHED | CMS_BINARY |
	    CMS_NOSMIMECAP;
	CMS_ContentInfo *cms = NULL;
	CMS_SignerInfo *si;
	ASN1_TIME *t = NULL;
	unsigned char *der = NULL;
	X509 *leaf = sk_X509_value(chain, 0), *x;
	char why[256];
	int i, len, rc = 0;

	*out = NULL;
	if ((cms = CMS_sign(NULL, NULL, NULL, NULL, flags)) == NULL ||
	    (si = CMS_add1_signer(cms, leaf, key, md, flags)) == NULL)
		goto ossl;
	for (i = 1; i < sk_X509_num(chain); i++) {
		x = sk_X509_value(chain, i);
		if (X509_cmp(x, leaf) != 0 && CMS_add1_cert(cms, x) != 1)
			goto ossl;
	}
	/* signingTime from our clock (gw_now), not OpenSSL's, so it is the
	 * time the rest of the gateway records; UTCTime up to 2049. */
	if ((t = ASN1_TIME_adj(NULL, when, 0, 0)) == NULL ||
	    CMS_signed_add1_attr_by_NID(si, NID_pkcs9_signingTime,
	    ASN1_STRING_type(t), t, -1) <= 0 ||
	    CMS_signed_add1_attr_by_NID(si, NID_pkcs9_contentType,
	    V_ASN1_OBJECT, OBJ_nid2obj(NID_pkcs7_data), -1) <= 0 ||
	    CMS_signed_add1_attr_by_NID(si, NID_pkcs9_messageDigest,
	    V_ASN1_OCTET_STRING, dg, (int)dglen) <= 0 ||
	    CMS_SignerInfo_sign(si) != 1 ||
	    (len = i2d_CMS_ContentInfo(cms, &der)) <= 0)
		goto ossl;
	if ((*out = malloc((size_t)len)) == NULL) {
		rc = gw_err_set(e, GW_ENOMEM, "out of memory");
		goto done;
	}
	memcpy(*out, der, (size_t)len);
	*outlen = (size_t)len;
	goto done;
ossl:
	rc = gw_err_set(e, GW_EKEY, "cannot build the CMS signature: %s",
	    pki_ossl_reason(why, sizeof(why)));
done:
	OPENSSL_free(der);
	ASN1_TIME_free(t);
	CMS_ContentInfo_free(cms);
	return rc;
}

/*
 * 1 if this OpenSSL makes standard SM2 CMS: the probe signature must
 * verify both with the standard signer ID (our check, and GM/T 0010) and
 * with OpenSSL's own CMS code (what a partner's `openssl cms -verify`
 * runs). A property of the library, so probed once per process.
 */
static int
sm2_cms_works(EVP_PKEY *key, STACK_OF(X509) *chain, time_t now)
{
	/* Batch files are signed on several threads at once: each may
	 * probe, and the answer is stored whole, once known. */
	static _Atomic int works = -1;
	unsigned char dg[EVP_MAX_MD_SIZE], *der = NULL;
	const unsigned char *p;
	CMS_ContentInfo *cms = NULL;
	CMS_SignerInfo *si;
	unsigned int dglen;
	size_t len;
	int ok = works;

	if (ok >= 0)
		return ok;
	ok = 0;
	if (EVP_Digest("", 0, dg, &dglen, EVP_sm3(), NULL) != 1 ||
	    cms_build(&der, &len, key, chain, EVP_sm3(), dg, dglen, now,
	    NULL) != 0)
		goto done;
	p = der;
	if ((cms = d2i_CMS_ContentInfo(NULL, &p, (long)len)) == NULL ||
	    (si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), 0)) ==
	    NULL)
		goto done;
	CMS_SignerInfo_set1_signer_cert(si, sk_X509_value(chain, 0));
	ok = cms_sm2_attrs_ok(si, X509_get0_pubkey(sk_X509_value(chain,
	    0))) && CMS_SignerInfo_verify(si) == 1;
done:
	CMS_ContentInfo_free(cms);
	free(der);
	ERR_clear_error();
	works = ok;
	return ok;
}

/* The signingTime attribute: 1 found, 0 absent, -1 malformed. */
static int
cms_signing_time(CMS_SignerInfo *si, time_t *out)
{
	X509_ATTRIBUTE *attr;
	ASN1_TYPE *ty;
	int idx;

	idx = CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1);
	if (idx < 0)
		return 0;
	if ((attr = CMS_signed_get_attr(si, idx)) == NULL ||
	    X509_ATTRIBUTE_count(attr) != 1 ||
	    (ty = X509_ATTRIBUTE_get0_type(attr, 0)) == NULL ||
	    (ty->type != V_ASN1_UTCTIME && ty->type != V_ASN1_GENERALIZEDTIME) ||
	    pki_time_t(out, ty->value.utctime, NULL) != 0)
		return -1;
	return 1;
}

static X509 *
find_signer(CMS_SignerInfo *si, STACK_OF(X509) *certs)
{
	int i;

	for (i = 0; i < sk_X509_num(certs); i++)
		if (CMS_SignerInfo_cert_cmp(si, sk_X509_value(certs, i)) == 0)
			return sk_X509_value(certs, i);
	return NULL;
}

static int
digest_ok(int nid)
{
	return nid == NID_sha256 || nid == NID_sha384 || nid == NID_sha512 ||
	    nid == NID_sm3;
}

/*
 * A SHA-256 of the file beside the signature's own digest: the caller
 * names the file by it (a return file's identity), and reading it here
 * saves a second pass over a file that may be half a gigabyte.
 */
static int
file_sha256_ctx(EVP_MD_CTX **ctx, struct gw_err *e)
{
	if ((*ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex2(*ctx, EVP_sha256(), NULL) != 1)
		return gw_err_set(e, GW_ENOMEM, "cannot start sha256");
	return 0;
}

static void
file_sha256_done(struct keys_sig_info *out, EVP_MD_CTX *ctx)
{
	unsigned char dg[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	EVP_DigestFinal_ex(ctx, dg, &len);
	hex_encode(out->sha256, dg, len);
}

static int
verify_cms(struct keys_sig_info *out, const struct sig_anchors *a,
    CMS_ContentInfo *cms, const char *sig_name, int fd, const char *name,
    time_t now, struct gw_err *e)
{
	STACK_OF(CMS_SignerInfo) *sis;
	STACK_OF(X509) *certs = NULL;
	CMS_SignerInfo *si;
	ASN1_OCTET_STRING *want;
	const ASN1_OBJECT *obj, *ct;
	X509_ALGOR *dig, *salg;
	EVP_MD_CTX *mctx = NULL, *sctx = NULL;
	EVP_MD *md = NULL;
	EVP_PKEY *pub;
	X509 *signer;
	unsigned char got[EVP_MAX_MD_SIZE];
	unsigned int gotlen = 0;
	time_t st = 0, at;
	int rc = 0, nid, has_time, good;

	snprintf(out->format, sizeof(out->format), "cms");
	if (OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed ||
	    (sis = CMS_get0_SignerInfos(cms)) == NULL) {
		rc = fail(out, KEYS_FAIL_MALFORMED, e, "%s: signature truncated "
		    "or malformed (a CMS structure, but not SignedData)",
		    sig_name);
		goto done;
	}
	if (CMS_is_detached(cms) != 1) {
		rc = fail(out, KEYS_FAIL_UNSUPPORTED, e, "%s: the signature "
		    "embeds its content; a detached signature is expected",
		    sig_name);
		goto done;
	}
	if (OBJ_obj2nid(CMS_get0_eContentType(cms)) != NID_pkcs7_data ||
	    sk_CMS_SignerInfo_num(sis) != 1) {
		rc = fail(out, KEYS_FAIL_UNSUPPORTED, e, "%s: %d signers over "
		    "content type %s; exactly one signer over id-data is "
		    "expected", sig_name, sk_CMS_SignerInfo_num(sis),
		    OBJ_nid2ln(OBJ_obj2nid(CMS_get0_eContentType(cms))));
		goto done;
	}
	si = sk_CMS_SignerInfo_value(sis, 0);
	CMS_SignerInfo_get0_algs(si, NULL, NULL, &dig, &salg);
	X509_ALGOR_get0(&obj, NULL, NULL, dig);
	nid = OBJ_obj2nid(obj);
	snprintf(out->digest, sizeof(out->digest), "%s",
	    nid == NID_undef ? "unknown" : OBJ_nid2ln(nid));
	if (!digest_ok(nid)) {
		rc = fail(out, KEYS_FAIL_UNSUPPORTED, e, "%s: digest %s is not "
		    "accepted (sha256, sha384, sha512 or sm3)", sig_name,
		    out->digest);
		goto done;
	}
	if (CMS_signed_get_attr_count(si) <= 0 ||
	    (want = CMS_signed_get0_data_by_OBJ(si,
	    OBJ_nid2obj(NID_pkcs9_messageDigest), -3,
	    V_ASN1_OCTET_STRING)) == NULL ||
	    (ct = CMS_signed_get0_data_by_OBJ(si,
	    OBJ_nid2obj(NID_pkcs9_contentType), -3, V_ASN1_OBJECT)) == NULL ||
	    OBJ_obj2nid(ct) != NID_pkcs7_data) {
		rc = fail(out, KEYS_FAIL_UNSUPPORTED, e, "%s: no signed "
		    "messageDigest and contentType id-data attributes",
		    sig_name);
		goto done;
	}
	if ((has_time = cms_signing_time(si, &st)) < 0) {
		rc = fail(out, KEYS_FAIL_MALFORMED, e, "%s: signature truncated "
		    "or malformed (bad signingTime attribute)", sig_name);
		goto done;
	}
	out->signing_time = has_time ? st : 0;
	out->signing_time_signed = has_time;
	certs = CMS_get1_certs(cms);
	pki_certs_sm2_id(certs);
	if ((signer = find_signer(si, certs)) == NULL &&
	    (signer = find_signer(si, a->certs)) == NULL) {
		rc = fail(out, KEYS_FAIL_UNKNOWN, e, "%s: unknown signer (the "
		    "signature carries no certificate for its signer and "
		    "none trusted for %s matches)", name, a->label);
		goto done;
	}
	fill_signer(out, signer);
	if ((pub = X509_get0_pubkey(signer)) == NULL) {
		rc = fail(out, KEYS_FAIL_UNSUPPORTED, e, "%s: the signer's "
		    "public key is not usable (%s)", name, out->subject);
		goto done;
	}
	if (pki_key_is_sm2(pub)) {
		X509_ALGOR_get0(&obj, NULL, NULL, salg);
		good = nid == NID_sm3 && (OBJ_obj2nid(obj) == NID_SM2_with_SM3 ||
		    OBJ_obj2nid(obj) == NID_sm2) && cms_sm2_attrs_ok(si, pub);
	} else {
		CMS_SignerInfo_set1_signer_cert(si, signer);
		good = CMS_SignerInfo_verify(si) == 1;
	}
	if (!good) {
		rc = fail(out, KEYS_FAIL_BADSIG, e, "%s: signature value does "
		    "not verify with the signer's certificate (signature "
		    "altered?) (%s)", name, out->subject);
		goto done;
	}
	if (has_time && st > now + SIG_FUTURE_SKEW) {
		char ts[TS_BUFSZ];

		rc = fail(out, KEYS_FAIL_FUTURE, e, "%s: signing time %s is in "
		    "the future (more than %d s ahead of this clock)", name,
		    ts_format_utc(ts, st), SIG_FUTURE_SKEW);
		goto done;
	}
	at = has_time ? st : now;
	if ((rc = check_signer(out, a, signer, certs, at, has_time ?
	    "signing time" : "verification time", name, e)) != 0)
		goto done;
	if ((md = EVP_MD_fetch(NULL, OBJ_nid2sn(nid), NULL)) == NULL ||
	    (mctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex2(mctx, md, NULL) != 1) {
		rc = gw_err_set(e, GW_ENOMEM, "cannot start %s", out->digest);
		goto done;
	}
	/* Signed over SHA-256, the message digest is the file's. */
	if (nid != NID_sha256 && (rc = file_sha256_ctx(&sctx, e)) != 0)
		goto done;
	{
		EVP_MD_CTX *const both[2] = { mctx, sctx };

		if ((rc = fs_digest_fd(both, sctx ? 2 : 1, fd, name,
		    &out->size, e)) != 0)
			goto done;
	}
	EVP_DigestFinal_ex(mctx, got, &gotlen);
	if ((int)gotlen != ASN1_STRING_length(want) ||
	    memcmp(got, ASN1_STRING_get0_data(want), gotlen) != 0) {
		rc = fail(out, KEYS_FAIL_MODIFIED, e, "%s: signature does not "
		    "match the file (modified?)", name);
		goto done;
	}
	if (sctx != NULL)
		file_sha256_done(out, sctx);
	else
		hex_encode(out->sha256, got, gotlen);
done:
	EVP_MD_CTX_free(sctx);
	EVP_MD_CTX_free(mctx);
	EVP_MD_free(md);
	sk_X509_pop_free(certs, X509_free);
	ERR_clear_error();
	return rc;
}

static int
sign_cms(unsigned char **out, size_t *outlen, EVP_PKEY *key,
    STACK_OF(X509) *chain, const char *mdname, int fd, const char *name,
    time_t now, struct gw_err *e)
{
	unsigned char dg[EVP_MAX_MD_SIZE];
	unsigned int dglen = 0;
	EVP_MD_CTX *mctx = NULL;
	EVP_MD *md = NULL;
	int rc;

	if ((md = EVP_MD_fetch(NULL, mdname, NULL)) == NULL ||
	    (mctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex2(mctx, md, NULL) != 1) {
		rc = gw_err_set(e, GW_ENOMEM, "cannot start %s", mdname);
		goto done;
	}
	if ((rc = fs_digest_fd(&mctx, 1, fd, name, NULL, e)) != 0)
		goto done;
	EVP_DigestFinal_ex(mctx, dg, &dglen);
	rc = cms_build(out, outlen, key, chain, md, dg, dglen, now, e);
done:
	EVP_MD_CTX_free(mctx);
	EVP_MD_free(md);
	return rc;
}

/* ---- the SM2 .sig envelope ---------------------------------------------- */

int
sig_sm2_encode(char **out, size_t *outlen, const unsigned char *raw,
    size_t rawlen, STACK_OF(X509) *certs, time_t signing_time,
    struct gw_err *e)
{
	unsigned char b64[2 * SIG_RAW_MAX];
	char ts[TS_BUFSZ], *p;
	BIO *b = NULL;
	long n;
	int i, ok, rc = 0;

	*out = NULL;
	if (rawlen > SIG_RAW_MAX)
		return gw_err_set(e, GW_EKEY, "SM2 signature of %zu bytes is too "
		    "long", rawlen);
	EVP_EncodeBlock(b64, raw, (int)rawlen);
	if ((b = BIO_new(BIO_s_mem())) == NULL)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	ok = BIO_printf(b, "%s\nVersion: 1\nAlgorithm: SM2-with-SM3\n"
	    "Signer-ID: %s\n", SIG_SM2_BEGIN, PKI_SM2_ID) > 0;
	if (ok && signing_time != 0)
		ok = BIO_printf(b, "Signing-Time: %s\n",
		    ts_format_utc(ts, signing_time)) > 0;
	ok = ok && BIO_printf(b, "Signature: %s\n", (char *)b64) > 0;
	for (i = 0; ok && i < sk_X509_num(certs); i++)
		ok = PEM_write_bio_X509(b, sk_X509_value(certs, i));
	ok = ok && BIO_printf(b, "%s\n", SIG_SM2_END) > 0;
	if (!ok || (n = BIO_get_mem_data(b, &p)) <= 0 ||
	    (*out = malloc((size_t)n)) == NULL) {
		rc = gw_err_set(e, GW_ENOMEM, "out of memory");
		goto done;
	}
	memcpy(*out, p, (size_t)n);
	*outlen = (size_t)n;
done:
	BIO_free(b);
	return rc;
}

/* 1 if raw is exactly one DER SM2/ECDSA signature: SEQUENCE { r, s }. */
static int
is_raw_sig(const unsigned char *raw, size_t len)
{
	const unsigned char *p = raw;
	ECDSA_SIG *s;
	int ok;

	if (len < 8 || len > SIG_RAW_MAX || raw[0] != 0x30)
		return 0;
	s = d2i_ECDSA_SIG(NULL, &p, (long)len);
	ok = s != NULL && p == raw + len;
	ECDSA_SIG_free(s);
	ERR_clear_error();
	return ok;
}

/* Next line of [*p, end) without its "\n" or "\r\n"; 0 at the end. */
static int
next_line(const char **p, const char *end, const char **line, size_t *len)
{
	const char *nl;

	if (*p >= end)
		return 0;
	*line = *p;
	nl = memchr(*p, '\n', (size_t)(end - *p));
	*len = (size_t)((nl ? nl : end) - *p);
	*p = nl ? nl + 1 : end;
	if (*len > 0 && (*line)[*len - 1] == '\r')
		(*len)--;
	return 1;
}

static int
line_is(const char *line, size_t len, const char *what)
{
	return len == strlen(what) && memcmp(line, what, len) == 0;
}

static int
two_digits(const char *s, int max, int *out)
{
	if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]))
		return -1;
	*out = (s[0] - '0') * 10 + (s[1] - '0');
	return *out <= max ? 0 : -1;
}

/* "YYYY-MM-DDTHH:MM:SSZ" */
static int
parse_utc(time_t *out, const char *s, size_t len)
{
	int days, h, m, sec;

	if (len != 20 || s[10] != 'T' || s[13] != ':' || s[16] != ':' ||
	    s[19] != 'Z' || date_parse(&days, s, 10, NULL) != 0 ||
	    two_digits(s + 11, 23, &h) != 0 || two_digits(s + 14, 59, &m) != 0 ||
	    two_digits(s + 17, 59, &sec) != 0)
		return -1;
	*out = (time_t)days * 86400 + h * 3600 + m * 60 + sec;
	return 0;
}

static int
header(struct sm2sig *s, const char *line, size_t len, unsigned *seen,
    char *why, size_t cap)
{
	static const char *const names[] = { "Version", "Algorithm",
	    "Signer-ID", "Signing-Time", "Signature" };
	const char *colon = memchr(line, ':', len), *v;
	unsigned char buf[2 * SIG_RAW_MAX];
	size_t i, nlen, vlen;
	int n;

	if (colon == NULL || colon + 1 >= line + len || colon[1] != ' ') {
		snprintf(why, cap, "line '%.40s' is not 'Name: value'", line);
		return -1;
	}
	nlen = (size_t)(colon - line);
	v = colon + 2;
	vlen = len - nlen - 2;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == nlen && memcmp(names[i], line, nlen) == 0)
			break;
	if (i == sizeof(names) / sizeof(names[0]) || (*seen & (1u << i))) {
		snprintf(why, cap, "%s header '%.*s'", i == sizeof(names) /
		    sizeof(names[0]) ? "unknown" : "repeated", (int)nlen, line);
		return -1;
	}
	*seen |= 1u << i;
	switch (i) {
	case 0:
		if (!line_is(v, vlen, "1")) {
			snprintf(why, cap, "version %.*s (this program reads 1)",
			    (int)vlen, v);
			return -1;
		}
		break;
	case 1:
		if (!line_is(v, vlen, "SM2-with-SM3")) {
			snprintf(why, cap, "algorithm %.*s (want SM2-with-SM3)",
			    (int)vlen, v);
			return -1;
		}
		break;
	case 2:
		if (vlen == 0 || vlen > SIG_ID_MAX) {
			snprintf(why, cap, "Signer-ID of %zu bytes", vlen);
			return -1;
		}
		for (i = 0; i < vlen; i++)
			if (v[i] < 0x20 || v[i] > 0x7e) {
				snprintf(why, cap, "Signer-ID is not printable "
				    "ASCII");
				return -1;
			}
		memcpy(s->id, v, vlen);
		s->id[vlen] = '\0';
		s->idlen = vlen;
		break;
	case 3:
		if (parse_utc(&s->signing_time, v, vlen) != 0) {
			snprintf(why, cap, "Signing-Time '%.*s' is not "
			    "YYYY-MM-DDTHH:MM:SSZ", (int)vlen, v);
			return -1;
		}
		break;
	case 4:
		if (vlen == 0 || vlen % 4 != 0 || vlen >= sizeof(buf) ||
		    (n = EVP_DecodeBlock(buf, (const unsigned char *)v,
		    (int)vlen)) < 0) {
			snprintf(why, cap, "Signature is not base64");
			return -1;
		}
		/* EVP_DecodeBlock counts the padding as zero bytes. */
		n -= (v[vlen - 1] == '=') + (v[vlen - 2] == '=');
		if (!is_raw_sig(buf, (size_t)n)) {
			snprintf(why, cap, "Signature is not a DER SM2 "
			    "signature");
			return -1;
		}
		memcpy(s->raw, buf, (size_t)n);
		s->rawlen = (size_t)n;
		break;
	}
	return 0;
}

/* Parse the .sig envelope; on failure why says what is wrong. */
static int
sm2_decode(struct sm2sig *s, const char *buf, size_t len, char *why,
    size_t cap)
{
	const char *p = buf, *end = buf + len, *line, *cstart = NULL;
	const char *cend = NULL;
	unsigned seen = 0;
	size_t n;
	int state = 0;
	struct gw_err ce = GW_ERR_INIT;

	while (next_line(&p, end, &line, &n)) {
		if (state == 0) {
			if (!line_is(line, n, SIG_SM2_BEGIN)) {
				snprintf(why, cap, "no %s line", SIG_SM2_BEGIN);
				return -1;
			}
			state = 1;
		} else if (state == 3) {
			if (n != 0) {
				snprintf(why, cap, "text after %s", SIG_SM2_END);
				return -1;
			}
		} else if (line_is(line, n, SIG_SM2_END)) {
			cend = line;
			state = 3;
		} else if (state == 1 && line_is(line, n,
		    "-----BEGIN CERTIFICATE-----")) {
			cstart = line;
			state = 2;
		} else if (state == 1 && header(s, line, n, &seen, why,
		    cap) != 0)
			return -1;
	}
	if (state != 3) {
		snprintf(why, cap, "it ends before the %s line", SIG_SM2_END);
		return -1;
	}
	if (!(seen & (1u << 0)) || !(seen & (1u << 4))) {
		snprintf(why, cap, "no Version or Signature line");
		return -1;
	}
	if (!(seen & (1u << 2))) {
		memcpy(s->id, PKI_SM2_ID, PKI_SM2_ID_LEN + 1);
		s->idlen = PKI_SM2_ID_LEN;
	}
	if (cstart != NULL && pki_parse_certs(&s->certs, cstart,
	    (size_t)(cend - cstart), "certificate", &ce) != 0) {
		snprintf(why, cap, "%.200s", ce.msg);
		return -1;
	}
	return 0;
}

static int
verify_sm2(struct keys_sig_info *out, const struct sig_anchors *a,
    struct sm2sig *s, int fd, const char *name, time_t now,
    struct gw_err *e)
{
	EVP_MD_CTX *ctx[SIG_CANDIDATES + 1];	/* and the file's SHA-256 */
	X509 *cand[SIG_CANDIDATES], *signer = NULL, *x;
	STACK_OF(X509) *from = s->certs ? s->certs : a->certs;
	int i, n = 0, rc = 0;

	memset(ctx, 0, sizeof(ctx));
	snprintf(out->digest, sizeof(out->digest), "sm3");
	out->signing_time = s->signing_time;
	out->signing_time_signed = 0;
	/* With certificates, only the first (the signer's) is a candidate;
	 * without, every SM2 certificate trusted here is. */
	for (i = 0; i < sk_X509_num(from) && n < SIG_CANDIDATES; i++) {
		x = sk_X509_value(from, i);
		if (X509_get0_pubkey(x) != NULL &&
		    pki_key_is_sm2(X509_get0_pubkey(x)))
			cand[n++] = x;
		if (s->certs != NULL)
			break;
	}
	if (n == 0) {
		if (s->certs != NULL) {
			fill_signer(out, sk_X509_value(s->certs, 0));
			rc = fail(out, KEYS_FAIL_UNSUPPORTED, e, "%s: the SM2 "
			    "signature comes with a %s certificate (%s)", name,
			    out->key_alg, out->subject);
		} else
			rc = fail(out, KEYS_FAIL_UNKNOWN, e, "%s: unknown signer "
			    "(the signature carries no certificate and no SM2 "
			    "certificate is trusted for %s)", name, a->label);
		goto done;
	}
	if (s->certs != NULL) {
		/* A .sig names its signer: check trust before reading the
		 * file. It carries no signed time, so validity is checked
		 * now. */
		signer = cand[0];
		fill_signer(out, signer);
		if ((rc = check_signer(out, a, signer, s->certs, now,
		    "verification time", name, e)) != 0)
			goto done;
	}
	for (i = 0; i < n; i++)
		if ((ctx[i] = EVP_MD_CTX_new()) == NULL ||
		    (rc = pki_verify_init(ctx[i], X509_get0_pubkey(cand[i]),
		    "SM3", s->id, s->idlen, e)) != 0) {
			if (rc == 0)
				rc = gw_err_set(e, GW_ENOMEM, "out of memory");
			goto done;
		}
	if ((rc = file_sha256_ctx(&ctx[n], e)) != 0 ||
	    (rc = fs_digest_fd(ctx, n + 1, fd, name, &out->size, e)) != 0)
		goto done;
	file_sha256_done(out, ctx[n]);
	for (i = 0; i < n; i++)
		if (EVP_DigestVerifyFinal(ctx[i], s->raw, s->rawlen) == 1)
			break;
	ERR_clear_error();
	if (i == n) {
		rc = s->certs != NULL ? fail(out, KEYS_FAIL_MODIFIED, e, "%s: "
		    "signature does not match the file (modified?)", name) :
		    fail(out, KEYS_FAIL_MODIFIED, e, "%s: signature does not "
		    "match the file (modified?) with any SM2 certificate "
		    "trusted for %s", name, a->label);
		goto done;
	}
	if (signer == NULL) {
		fill_signer(out, cand[i]);
		rc = check_signer(out, a, cand[i], NULL, now,
		    "verification time", name, e);
	}
done:
	for (i = 0; i < SIG_CANDIDATES + 1; i++)
		EVP_MD_CTX_free(ctx[i]);
	return rc;
}

static int
sign_sm2sig(unsigned char **out, size_t *outlen, EVP_PKEY *key,
    STACK_OF(X509) *chain, int fd, const char *name, time_t now,
    struct gw_err *e)
{
	unsigned char raw[SIG_RAW_MAX];
	size_t rawlen = sizeof(raw);
	EVP_MD_CTX *mctx;
	char why[256];
	int rc;

	if ((mctx = EVP_MD_CTX_new()) == NULL)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	if ((rc = pki_sign_init(mctx, key, e)) != 0 ||
	    (rc = fs_digest_fd(&mctx, 1, fd, name, NULL, e)) != 0)
		goto done;
	if (EVP_DigestSignFinal(mctx, raw, &rawlen) != 1) {
		rc = gw_err_set(e, GW_EKEY, "SM2 signing failed: %s",
		    pki_ossl_reason(why, sizeof(why)));
		goto done;
	}
	rc = sig_sm2_encode((char **)out, outlen, raw, rawlen, chain, now, e);
done:
	EVP_MD_CTX_free(mctx);
	return rc;
}

/* ---- entry points ------------------------------------------------------- */

int
sig_sign_fd(unsigned char **out, size_t *outlen, const char **ext,
    EVP_PKEY *key, STACK_OF(X509) *chain, int fd, const char *name,
    time_t now, struct gw_err *e)
{
	X509 *leaf = sk_X509_value(chain, 0);
	char subj[PKI_NAME_MAX];

	*out = NULL;
	if (leaf == NULL)
		return gw_err_set(e, GW_EKEY, "no signer certificate");
	if (X509_check_private_key(leaf, key) != 1) {
		ERR_clear_error();
		return gw_err_set(e, GW_EKEY, "the private key does not match "
		    "the certificate %s", pki_name_str(subj, sizeof(subj),
		    X509_get_subject_name(leaf)));
	}
	*ext = "p7s";
	if (!pki_key_is_sm2(key))
		return sign_cms(out, outlen, key, chain, "SHA256", fd, name, now,
		    e);
	if (sm2_cms_works(key, chain, now))
		return sign_cms(out, outlen, key, chain, "SM3", fd, name, now, e);
	*ext = "sig";
	return sign_sm2sig(out, outlen, key, chain, fd, name, now, e);
}

int
sig_verify_fd(struct keys_sig_info *out, const struct sig_anchors *a,
    const unsigned char *sig, size_t siglen, const char *sig_name, int fd,
    const char *name, time_t now, struct gw_err *e)
{
	static const char pem_cms[] = "-----BEGIN CMS-----";
	static const char pem_p7[] = "-----BEGIN PKCS7-----";
	CMS_ContentInfo *cms = NULL;
	struct sm2sig s;
	const unsigned char *p = sig;
	char why[256];
	BIO *b = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&s, 0, sizeof(s));
	if (siglen > strlen(SIG_SM2_BEGIN) &&
	    memcmp(sig, SIG_SM2_BEGIN, strlen(SIG_SM2_BEGIN)) == 0) {
		snprintf(out->format, sizeof(out->format), "sm2-sig");
		if (sm2_decode(&s, (const char *)sig, siglen, why,
		    sizeof(why)) != 0) {
			rc = fail(out, KEYS_FAIL_MALFORMED, e, "%s: signature "
			    "truncated or malformed (%s)", sig_name, why);
			goto done;
		}
		rc = verify_sm2(out, a, &s, fd, name, now, e);
	} else if (is_raw_sig(sig, siglen)) {
		snprintf(out->format, sizeof(out->format), "sm2-raw");
		memcpy(s.raw, sig, siglen);
		s.rawlen = siglen;
		memcpy(s.id, PKI_SM2_ID, PKI_SM2_ID_LEN + 1);
		s.idlen = PKI_SM2_ID_LEN;
		rc = verify_sm2(out, a, &s, fd, name, now, e);
	} else if (siglen > 0 && sig[0] == 0x30) {
		snprintf(out->format, sizeof(out->format), "cms");
		if ((cms = d2i_CMS_ContentInfo(NULL, &p, (long)siglen)) == NULL ||
		    p != sig + siglen) {
			rc = fail(out, KEYS_FAIL_MALFORMED, e, "%s: signature "
			    "truncated or malformed (not one complete DER CMS "
			    "structure in its %zu bytes)", sig_name, siglen);
			goto done;
		}
		rc = verify_cms(out, a, cms, sig_name, fd, name, now, e);
	} else if ((siglen > strlen(pem_cms) &&
	    memcmp(sig, pem_cms, strlen(pem_cms)) == 0) ||
	    (siglen > strlen(pem_p7) && memcmp(sig, pem_p7,
	    strlen(pem_p7)) == 0)) {
		snprintf(out->format, sizeof(out->format), "cms");
		if ((b = BIO_new_mem_buf(sig, (int)siglen)) == NULL ||
		    (cms = PEM_read_bio_CMS(b, NULL, NULL, NULL)) == NULL) {
			rc = fail(out, KEYS_FAIL_MALFORMED, e, "%s: signature "
			    "truncated or malformed (damaged PEM CMS)",
			    sig_name);
			goto done;
		}
		rc = verify_cms(out, a, cms, sig_name, fd, name, now, e);
	} else
		rc = fail(out, KEYS_FAIL_MALFORMED, e, "%s: signature truncated "
		    "or malformed (neither CMS, the SM2 .sig envelope nor a "
		    "DER SM2 signature)", sig_name);
done:
	sk_X509_pop_free(s.certs, X509_free);
	CMS_ContentInfo_free(cms);
	BIO_free(b);
	ERR_clear_error();
	return rc;
}
