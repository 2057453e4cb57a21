/*
 * pki.c - key pairs, certificates, requests and their files (keys/ only).
 *
 * The algorithms the gateway makes keys for are one table; everything
 * that differs between them (how to generate, which digest) hangs off the
 * key itself, so a bank's key of another kind (RSA-2048, P-384) verifies
 * through the same code. Private keys only ever reach the disk as
 * encrypted PKCS#8, through pki_write_key, and are only read back through
 * pki_read_key, which never falls back to a terminal prompt.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509v3.h>

#include "keys/pki.h"

/*
 * PBKDF2-HMAC-SHA256 rounds for a new key file. Each decryption costs
 * about 0.1 s here, once per process that signs; it is what stands
 * between a stolen key file and the key.
 */
#define PKI_PBKDF2_ITER 200000

static EVP_PKEY *
gen_rsa3072(void)
{
	return EVP_RSA_gen(3072);
}

static EVP_PKEY *
gen_p256(void)
{
	return EVP_EC_gen("P-256");
}

static EVP_PKEY *
gen_sm2(void)
{
	return EVP_PKEY_Q_keygen(NULL, NULL, "SM2");
}

static const struct {
	const char	*name;
	EVP_PKEY	*(*gen)(void);
} algs[] = {
	{ "rsa3072", gen_rsa3072 },
	{ "p256", gen_p256 },
	{ "sm2", gen_sm2 },
};

#define NALGS (sizeof(algs) / sizeof(algs[0]))

char *
pki_ossl_reason(char *buf, size_t cap)
{
	unsigned long err = ERR_peek_last_error();

	if (err == 0)
		snprintf(buf, cap, "unknown");
	else
		ERR_error_string_n(err, buf, cap);
	ERR_clear_error();
	return buf;
}

/* The row of alg in algs, or NALGS. */
static size_t
alg_index(const char *alg)
{
	size_t i;

	for (i = 0; i < NALGS && strcmp(algs[i].name, alg) != 0; i++)
		;
	return i;
}

int
pki_alg_is_valid(const char *alg)
{
	return alg_index(alg) < NALGS;
}

const char *
pki_alg_names(void)
{
	return "rsa3072, p256 or sm2";
}

int
pki_keygen(EVP_PKEY **out, const char *alg, struct gw_err *e)
{
	size_t i = alg_index(alg);
	char why[256];

	*out = NULL;
	if (i == NALGS)
		return gw_err_set(e, GW_EINPUT, "unknown key algorithm '%s' "
		    "(want %s)", alg, pki_alg_names());
	if ((*out = algs[i].gen()) == NULL)
		return gw_err_set(e, GW_EKEY, "%s key generation failed: %s",
		    alg, pki_ossl_reason(why, sizeof(why)));
	return 0;
}

int
pki_key_is_sm2(const EVP_PKEY *k)
{
	char group[64];
	size_t n;

	if (EVP_PKEY_is_a(k, "SM2"))
		return 1;
	/* An EC key on the SM2 curve signs as SM2 only if typed SM2; treat
	 * it as SM2 so it is never mistaken for an ECDSA key. */
	return EVP_PKEY_is_a(k, "EC") &&
	    EVP_PKEY_get_group_name(k, group, sizeof(group), &n) == 1 &&
	    strcmp(group, "SM2") == 0;
}

char *
pki_key_alg(char out[PKI_ALG_MAX], const EVP_PKEY *k)
{
	char group[64];
	size_t n;

	if (pki_key_is_sm2(k))
		snprintf(out, PKI_ALG_MAX, "sm2");
	else if (EVP_PKEY_is_a(k, "RSA") || EVP_PKEY_is_a(k, "RSA-PSS"))
		snprintf(out, PKI_ALG_MAX, "rsa%d", EVP_PKEY_get_bits(k));
	else if (EVP_PKEY_is_a(k, "EC") &&
	    EVP_PKEY_get_group_name(k, group, sizeof(group), &n) == 1) {
		if (strcmp(group, "prime256v1") == 0)
			snprintf(out, PKI_ALG_MAX, "p256");
		else if (strcmp(group, "secp384r1") == 0)
			snprintf(out, PKI_ALG_MAX, "p384");
		else if (strcmp(group, "secp521r1") == 0)
			snprintf(out, PKI_ALG_MAX, "p521");
		else
			snprintf(out, PKI_ALG_MAX, "ec-%.20s", group);
	} else
		snprintf(out, PKI_ALG_MAX, "%s", EVP_PKEY_get0_type_name(k) ?
		    EVP_PKEY_get0_type_name(k) : "unknown");
	return out;
}

int
pki_name_parse(X509_NAME **out, const char *subject, struct gw_err *e)
{
	X509_NAME *n = NULL;
	char buf[PKI_NAME_MAX];
	size_t len = strlen(subject), i, j;
	char *field, *eq;
	int rc = 0;

	*out = NULL;
	if (len == 0 || subject[0] != '/' || len >= sizeof(buf))
		return gw_err_set(e, GW_EINPUT, "subject '%s': want "
		    "\"/CN=name[/O=organisation...]\" (at most %zu bytes)",
		    subject, sizeof(buf) - 1);
	if ((n = X509_NAME_new()) == NULL)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	i = 1;
	while (i <= len) {
		/* Copy one component, unescaping "\/" and "\\". */
		for (j = 0; i < len && subject[i] != '/'; i++) {
			if (subject[i] == '\\' && i + 1 < len)
				i++;
			buf[j++] = subject[i];
		}
		buf[j] = '\0';
		i++;
		field = buf;
		if ((eq = strchr(field, '=')) == NULL || eq == field ||
		    eq[1] == '\0') {
			rc = gw_err_set(e, GW_EINPUT, "subject '%s': component "
			    "'%s' is not TYPE=value", subject, field);
			goto done;
		}
		*eq = '\0';
		if (X509_NAME_add_entry_by_txt(n, field, MBSTRING_UTF8,
		    (const unsigned char *)(eq + 1), -1, -1, 0) != 1) {
			ERR_clear_error();
			rc = gw_err_set(e, GW_EINPUT, "subject '%s': unknown "
			    "attribute type '%s' or bad value", subject, field);
			goto done;
		}
	}
	*out = n;
	n = NULL;
done:
	X509_NAME_free(n);
	return rc;
}

char *
pki_name_str(char *out, size_t cap, const X509_NAME *n)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p;
	long len;

	snprintf(out, cap, "?");
	if (b == NULL)
		return out;
	/* RFC 2253 escaping, but in the order stored (as `openssl x509
	 * -subject` and "/CN=../O=.." read) and UTF-8 left readable. */
	if (X509_NAME_print_ex(b, n, 0, XN_FLAG_RFC2253 & ~XN_FLAG_DN_REV &
	    ~ASN1_STRFLGS_ESC_MSB) >= 0 && (len = BIO_get_mem_data(b, &p)) >= 0)
		snprintf(out, cap, "%.*s", (int)len, p);
	BIO_free(b);
	return out;
}

static int
add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value,
    struct gw_err *e)
{
	X509_EXTENSION *ext;
	char why[256];
	int ok;

	if ((ext = X509V3_EXT_conf_nid(NULL, ctx, nid, value)) == NULL)
		return gw_err_set(e, GW_EKEY, "certificate extension %s: %s",
		    OBJ_nid2sn(nid), pki_ossl_reason(why, sizeof(why)));
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? 0 : gw_err_set(e, GW_ENOMEM, "out of memory");
}

int
pki_sign_init(EVP_MD_CTX *mctx, EVP_PKEY *key, struct gw_err *e)
{
	EVP_PKEY_CTX *pctx = NULL;
	int sm2 = pki_key_is_sm2(key);
	char why[256];

	if (EVP_DigestSignInit_ex(mctx, &pctx, sm2 ? "SM3" : "SHA256", NULL,
	    NULL, key, NULL) != 1)
		return gw_err_set(e, GW_EKEY, "cannot start a signature: %s",
		    pki_ossl_reason(why, sizeof(why)));
	/* Set after init, before the first update: the provider hashes Z
	 * (which contains the ID) on the first update. */
	if (sm2 && EVP_PKEY_CTX_set1_id(pctx, PKI_SM2_ID, PKI_SM2_ID_LEN) != 1)
		return gw_err_set(e, GW_EKEY, "cannot set the SM2 signer ID: %s",
		    pki_ossl_reason(why, sizeof(why)));
	return 0;
}

int
pki_verify_init(EVP_MD_CTX *mctx, EVP_PKEY *pub, const char *mdname,
    const char *id, size_t idlen, struct gw_err *e)
{
	EVP_PKEY_CTX *pctx = NULL;
	char why[256];

	if (EVP_DigestVerifyInit_ex(mctx, &pctx, mdname, NULL, NULL, pub,
	    NULL) != 1)
		return gw_err_set(e, GW_ESIG, "cannot verify with a %s key and "
		    "%s: %s", EVP_PKEY_get0_type_name(pub) ?
		    EVP_PKEY_get0_type_name(pub) : "?", mdname,
		    pki_ossl_reason(why, sizeof(why)));
	if (pki_key_is_sm2(pub) && EVP_PKEY_CTX_set1_id(pctx,
	    id ? id : PKI_SM2_ID, id ? (int)idlen : PKI_SM2_ID_LEN) != 1)
		return gw_err_set(e, GW_ESIG, "cannot set the SM2 signer ID: %s",
		    pki_ossl_reason(why, sizeof(why)));
	return 0;
}

int
pki_cert_new(X509 **out, const struct pki_cert_spec *s, struct gw_err *e)
{
	EVP_MD_CTX *mctx = NULL;
	X509V3_CTX v3;
	BIGNUM *bn = NULL;
	X509 *x = NULL;
	char why[256];
	int rc = 0;

	*out = NULL;
	if ((x = X509_new()) == NULL || (bn = BN_new()) == NULL ||
	    (mctx = EVP_MD_CTX_new()) == NULL) {
		rc = gw_err_set(e, GW_ENOMEM, "out of memory");
		goto done;
	}
	/* 127 random bits with the top one set: positive, never zero. */
	if (!X509_set_version(x, X509_VERSION_3) ||
	    !BN_rand(bn, 127, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) ||
	    !BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) ||
	    !X509_set_subject_name(x, s->subject) ||
	    !X509_set_issuer_name(x, s->issuer ?
	    X509_get_subject_name(s->issuer) : s->subject) ||
	    !X509_set_pubkey(x, s->pub) ||
	    ASN1_TIME_set(X509_getm_notBefore(x), s->not_before) == NULL ||
	    ASN1_TIME_set(X509_getm_notAfter(x), s->not_after) == NULL) {
		rc = gw_err_set(e, GW_EKEY, "cannot fill the certificate: %s",
		    pki_ossl_reason(why, sizeof(why)));
		goto done;
	}
	X509V3_set_ctx(&v3, s->issuer ? s->issuer : x, x, NULL, NULL, 0);
	if ((rc = add_ext(x, &v3, NID_basic_constraints, s->ca ?
	    "critical,CA:TRUE" : "critical,CA:FALSE", e)) != 0 ||
	    (rc = add_ext(x, &v3, NID_key_usage, s->key_usage ? s->key_usage :
	    s->ca ? "critical,keyCertSign,cRLSign,digitalSignature" :
	    "critical,digitalSignature,nonRepudiation", e)) != 0 ||
	    (s->ext_key_usage != NULL && (rc = add_ext(x, &v3,
	    NID_ext_key_usage, s->ext_key_usage, e)) != 0) ||
	    (rc = add_ext(x, &v3, NID_subject_key_identifier, "hash", e)) != 0)
		goto done;
	/* A self-signed certificate needs no authority key identifier (RFC
	 * 5280 4.2.1.1); OpenSSL would write an empty one. */
	if (s->issuer != NULL && (rc = add_ext(x, &v3,
	    NID_authority_key_identifier, "keyid:always", e)) != 0)
		goto done;
	if ((rc = pki_sign_init(mctx, s->issuer_key, e)) != 0)
		goto done;
	if (X509_sign_ctx(x, mctx) <= 0) {
		rc = gw_err_set(e, GW_EKEY, "cannot sign the certificate: %s",
		    pki_ossl_reason(why, sizeof(why)));
		goto done;
	}
	pki_x509_sm2_id(x);
	*out = x;
	x = NULL;
done:
	EVP_MD_CTX_free(mctx);
	BN_free(bn);
	X509_free(x);
	return rc;
}

int
pki_csr_new(X509_REQ **out, EVP_PKEY *key, const X509_NAME *subject,
    struct gw_err *e)
{
	STACK_OF(X509_EXTENSION) *exts = NULL;
	X509_EXTENSION *ku = NULL;
	EVP_MD_CTX *mctx = NULL;
	X509_REQ *r = NULL;
	char why[256];
	int rc = 0;

	*out = NULL;
	if ((r = X509_REQ_new()) == NULL || (mctx = EVP_MD_CTX_new()) == NULL ||
	    (exts = sk_X509_EXTENSION_new_null()) == NULL) {
		rc = gw_err_set(e, GW_ENOMEM, "out of memory");
		goto done;
	}
	if (!X509_REQ_set_version(r, X509_REQ_VERSION_1) ||
	    !X509_REQ_set_subject_name(r, subject) ||
	    !X509_REQ_set_pubkey(r, key) ||
	    (ku = X509V3_EXT_conf_nid(NULL, NULL, NID_key_usage,
	    "critical,digitalSignature,nonRepudiation")) == NULL ||
	    !sk_X509_EXTENSION_push(exts, ku)) {
		X509_EXTENSION_free(ku);
		rc = gw_err_set(e, GW_EKEY, "cannot fill the request: %s",
		    pki_ossl_reason(why, sizeof(why)));
		goto done;
	}
	if (!X509_REQ_add_extensions(r, exts)) {
		rc = gw_err_set(e, GW_EKEY, "cannot fill the request: %s",
		    pki_ossl_reason(why, sizeof(why)));
		goto done;
	}
	if ((rc = pki_sign_init(mctx, key, e)) != 0)
		goto done;
	if (X509_REQ_sign_ctx(r, mctx) <= 0) {
		rc = gw_err_set(e, GW_EKEY, "cannot sign the request: %s",
		    pki_ossl_reason(why, sizeof(why)));
		goto done;
	}
	*out = r;
	r = NULL;
done:
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	EVP_MD_CTX_free(mctx);
	X509_REQ_free(r);
	return rc;
}

void
pki_x509_sm2_id(X509 *x)
{
	ASN1_OCTET_STRING *id;

	if (X509_get_signature_nid(x) != NID_SM2_with_SM3)
		return;
	if ((id = ASN1_OCTET_STRING_new()) == NULL)
		return;
	if (!ASN1_OCTET_STRING_set(id, (const unsigned char *)PKI_SM2_ID,
	    PKI_SM2_ID_LEN)) {
		ASN1_OCTET_STRING_free(id);
		return;
	}
	X509_set0_distinguishing_id(x, id);
}

void
pki_certs_sm2_id(STACK_OF(X509) *sk)
{
	int i;

	for (i = 0; i < sk_X509_num(sk); i++)
		pki_x509_sm2_id(sk_X509_value(sk, i));
}

void
pki_fingerprint(char out[SHA256_HEX_LEN + 1], const X509 *x)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (X509_digest(x, EVP_sha256(), md, &n) != 1 || n != 32) {
		memset(out, '0', SHA256_HEX_LEN);
		out[SHA256_HEX_LEN] = '\0';
		return;
	}
	hex_encode(out, md, n);
}

int
pki_time_t(time_t *out, const ASN1_TIME *t, struct gw_err *e)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return gw_err_set(e, GW_EINPUT, "malformed time");
	*out = timegm(&tm);
	return 0;
}

char *
pki_time_str(char out[TS_BUFSZ], const ASN1_TIME *t)
{
	time_t v;

	if (pki_time_t(&v, t, NULL) != 0) {
		snprintf(out, TS_BUFSZ, "?");
		return out;
	}
	return ts_format_utc(out, v);
}

int
pki_parse_certs(STACK_OF(X509) **out, const void *buf, size_t len,
    const char *name, struct gw_err *e)
{
	STACK_OF(X509) *sk = NULL;
	const unsigned char *p = buf;
	BIO *b = NULL;
	X509 *x;
	char why[256];
	int rc = 0;

	*out = NULL;
	if ((sk = sk_X509_new_null()) == NULL)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	if (len > 0 && p[0] == 0x30) {
		/* One DER certificate, as banks often hand out (.cer). */
		if ((x = d2i_X509(NULL, &p, (long)len)) == NULL ||
		    p != (const unsigned char *)buf + len) {
			X509_free(x);
			rc = gw_err_set(e, GW_EINPUT, "%s: not a DER certificate"
			    " (%s)", name, pki_ossl_reason(why, sizeof(why)));
			goto done;
		}
		sk_X509_push(sk, x);
	} else {
		if ((b = BIO_new_mem_buf(buf, (int)len)) == NULL) {
			rc = gw_err_set(e, GW_ENOMEM, "out of memory");
			goto done;
		}
		while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL)
			if (!sk_X509_push(sk, x)) {
				X509_free(x);
				rc = gw_err_set(e, GW_ENOMEM, "out of memory");
				goto done;
			}
		/* The loop ends on "no start line" at the end of the file;
		 * anything else is a damaged certificate. */
		if (ERR_GET_REASON(ERR_peek_last_error()) != PEM_R_NO_START_LINE) {
			rc = gw_err_set(e, GW_EINPUT, "%s: certificate %d is "
			    "damaged (%s)", name, sk_X509_num(sk) + 1,
			    pki_ossl_reason(why, sizeof(why)));
			goto done;
		}
		ERR_clear_error();
	}
	if (sk_X509_num(sk) == 0) {
		rc = gw_err_set(e, GW_EINPUT, "%s: no certificate in it (want "
		    "PEM \"-----BEGIN CERTIFICATE-----\" or DER)", name);
		goto done;
	}
	pki_certs_sm2_id(sk);
	*out = sk;
	sk = NULL;
done:
	BIO_free(b);
	sk_X509_pop_free(sk, X509_free);
	return rc;
}

int
pki_read_certs(STACK_OF(X509) **out, const char *path, struct gw_err *e)
{
	char *buf = NULL;
	size_t len;
	int rc;

	*out = NULL;
	if ((rc = fs_read_small(&buf, &len, path, PKI_CERTS_MAX, e)) != 0)
		return rc;
	rc = pki_parse_certs(out, buf, len, path, e);
	free(buf);
	return rc;
}

int
pki_certs_pem(char **out, size_t *len, STACK_OF(X509) *certs,
    struct gw_err *e)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p;
	long n;
	int i;

	*out = NULL;
	if (b == NULL)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	for (i = 0; i < sk_X509_num(certs); i++)
		if (!PEM_write_bio_X509(b, sk_X509_value(certs, i))) {
			BIO_free(b);
			return gw_err_set(e, GW_ENOMEM, "out of memory");
		}
	n = BIO_get_mem_data(b, &p);
	if (n < 0 || (*out = malloc((size_t)n + 1)) == NULL) {
		BIO_free(b);
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	}
	memcpy(*out, p, (size_t)n);
	(*out)[n] = '\0';
	*len = (size_t)n;
	BIO_free(b);
	return 0;
}

/* PEM passphrase callback: never a prompt; no passphrase means failure. */
static int
pass_cb(char *buf, int size, int rwflag, void *u)
{
	const char *pass = u;
	size_t n;

	(void)rwflag;
	if (pass == NULL || (n = strlen(pass)) > (size_t)size)
		return -1;
	memcpy(buf, pass, n);
	return (int)n;
}

int
pki_read_key(EVP_PKEY **out, const char *path, const char *pass,
    struct gw_err *e)
{
	static const char enc_tag[] = "-----BEGIN ENCRYPTED PRIVATE KEY-----";
	char *buf = NULL;
	EVP_PKEY *k = NULL;
	size_t len = 0;
	int rc = 0, encrypted;
	BIO *b = NULL;

	*out = NULL;
	if ((rc = fs_read_small(&buf, &len, path, PKI_KEY_MAX, e)) != 0)
		return rc;
	encrypted = strstr(buf, enc_tag) != NULL;
	if (pass != NULL && !encrypted) {
		rc = gw_err_set(e, GW_EKEY, "%s: not an encrypted PKCS#8 key "
		    "(\"%s\"); refusing a private key stored in clear", path,
		    enc_tag);
		goto done;
	}
	if (pass == NULL && encrypted) {
		rc = gw_err_set(e, GW_EKEY, "%s: the key is encrypted and no "
		    "passphrase was given", path);
		goto done;
	}
	if ((b = BIO_new_mem_buf(buf, (int)len)) == NULL) {
		rc = gw_err_set(e, GW_ENOMEM, "out of memory");
		goto done;
	}
	k = PEM_read_bio_PrivateKey_ex(b, NULL, pass_cb, (void *)pass, NULL,
	    NULL);
	ERR_clear_error();
	if (k == NULL) {
		rc = encrypted ? gw_err_set(e, GW_EKEY, "%s: wrong passphrase "
		    "(or the key file is damaged)", path) :
		    gw_err_set(e, GW_EKEY, "%s: not a PEM private key", path);
		goto done;
	}
	*out = k;
done:
	BIO_free(b);
	if (buf != NULL)
		OPENSSL_cleanse(buf, len);
	free(buf);
	return rc;
}

int
pki_write_key(const char *path, EVP_PKEY *key, const char *pass,
    struct gw_err *e)
{
	PKCS8_PRIV_KEY_INFO *p8inf = NULL;
	X509_SIG *p8 = NULL;
	BIO *b = NULL;
	char why[256], *pem;
	long n;
	int rc = 0;

	if (pass == NULL || strlen(pass) < PKI_PASS_MIN)
		return gw_err_set(e, GW_EKEY, "the key passphrase must have at "
		    "least %d characters", PKI_PASS_MIN);
	if ((p8inf = EVP_PKEY2PKCS8(key)) == NULL ||
	    (p8 = PKCS8_encrypt_ex(-1, EVP_aes_256_cbc(), pass,
	    (int)strlen(pass), NULL, 0, PKI_PBKDF2_ITER, p8inf, NULL,
	    NULL)) == NULL || (b = BIO_new(BIO_s_mem())) == NULL ||
	    !PEM_write_bio_PKCS8(b, p8) || (n = BIO_get_mem_data(b, &pem)) <= 0) {
		rc = gw_err_set(e, GW_EKEY, "cannot encrypt the private key: %s",
		    pki_ossl_reason(why, sizeof(why)));
		goto done;
	}
	rc = fs_write_new(path, pem, (size_t)n, 0600, e);
done:
	BIO_free(b);
	X509_SIG_free(p8);
	PKCS8_PRIV_KEY_INFO_free(p8inf);
	return rc;
}
