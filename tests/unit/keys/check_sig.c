/*
 * Unit tests: detached signatures without a home (keys/sig.c through
 * keys_sign_file_with and keys_verify_file_with): every format, every
 * algorithm, every failure with its own message.
 */
#include <fcntl.h>
#include <sys/wait.h>

#include <openssl/pem.h>
#include <openssl/cms.h>
#include <openssl/crypto.h>
#include <openssl/err.h>

#include "tests/unit/keys/keytest.h"

#include "common/fsutil.h"
#include "keys/keys.h"
#include "keys/sig.h"

#define DATA_SIZE 300000

static int
verify_with(const char *ca, const char *data, const char *sig,
    struct keys_sig_info *in, struct gw_err *e)
{
	const char *files[1];

	files[0] = ca;
	gw_err_clear(e);
	return keys_verify_file_with(in, files, 1, data, sig, e);
}

static void
expect_fail(int rc, const struct keys_sig_info *in, const struct gw_err *e,
    enum keys_sig_fail f, const char *msg)
{
	ck_assert_msg(rc == GW_ESIG, "rc %d (%s), want GW_ESIG", rc, e->msg);
	ck_assert_int_eq(gw_err_exit_status(rc), 1);
	ck_assert_msg(in->fail == f, "fail %s, want %s (%s)",
	    keys_fail_name(in->fail), keys_fail_name(f), e->msg);
	ck_assert_msg(strstr(e->msg, msg) != NULL, "'%s' lacks '%s'", e->msg,
	    msg);
}

/* 1 if our signature is the SM2 .sig (no SM2 CMS on this OpenSSL). */
static int
made_sig_file(const char *sig)
{
	size_t n = strlen(sig);

	return n > 4 && strcmp(sig + n - 4, ".sig") == 0;
}

/* One test's world: a directory, a data file, a signer trusted by file. */
struct fx {
	char			*dir;
	char			*data;
	char			*ca;	/* the trusted certificate file */
	EVP_PKEY		*k;
	X509			*c;
	char			 sig[4096];
	struct keys_sig_info	 in;
	struct gw_err		 e;
};

/*
 * size bytes of data and the signer k/c (NULL: a fresh self-signed one of
 * alg, "CN=signer"), trusted through f->ca. f takes k and c.
 */
static void
fx_open(struct fx *f, size_t size, const char *alg, EVP_PKEY *k, X509 *c)
{
	memset(f, 0, sizeof(*f));
	f->dir = tu_tmpdir();
	f->data = kt_data(f->dir, "batch.xml", size);
	if (k == NULL)
		kt_signer(&k, &c, alg, "signer");
	f->k = k;
	f->c = c;
	f->ca = kt_cert_file(f->dir, "trusted.pem", c, NULL);
}

/* A signer of alg valid from nb to na, for fx_open. */
static void
fx_open_valid(struct fx *f, size_t size, const char *alg, time_t nb,
    time_t na)
{
	EVP_PKEY *k;
	X509 *c;

	kt_cert(&k, &c, alg, "signer", NULL, NULL, nb, na, 0, NULL, NULL);
	fx_open(f, size, alg, k, c);
}

static void
fx_sign(struct fx *f)
{
	kt_sign_as(f->dir, f->k, f->c, NULL, f->data, f->sig, sizeof(f->sig));
}

/* Sign as if the clock said t. */
static void
fx_sign_at(struct fx *f, time_t t)
{
	char v[32];

	snprintf(v, sizeof(v), "%lld", (long long)t);
	setenv("DEBITGW_FAKE_NOW", v, 1);
	fx_sign(f);
	unsetenv("DEBITGW_FAKE_NOW");
}

static int
fx_verify(struct fx *f)
{
	return verify_with(f->ca, f->data, f->sig, &f->in, &f->e);
}

static void
fx_ok(struct fx *f)
{
	ck_assert_msg(fx_verify(f) == 0, "%s", f->e.msg);
}

static void
fx_fails(struct fx *f, enum keys_sig_fail fail, const char *msg)
{
	expect_fail(fx_verify(f), &f->in, &f->e, fail, msg);
}

static void
fx_close(struct fx *f)
{
	EVP_PKEY_free(f->k);
	X509_free(f->c);
	free(f->ca);
	free(f->data);
	tu_tmpdir_free(f->dir);
}

static int
is_sm2(const char *alg)
{
	return strcmp(alg, "sm2") == 0;
}

START_TEST(test_roundtrip)
{
	const char *alg = kt_algs[_i];
	struct fx f;
	char fp[65];
	time_t now = time(NULL);

	fx_open(&f, DATA_SIZE, alg, NULL, NULL);
	fx_sign(&f);
	fx_ok(&f);
	pki_fingerprint(fp, f.c);
	ck_assert_str_eq(f.in.fingerprint, fp);
	ck_assert_str_eq(f.in.key_alg, alg);
	ck_assert_str_eq(f.in.subject, "CN=signer");
	ck_assert_str_eq(f.in.trusted_by, f.ca);
	ck_assert_int_eq(f.in.size, DATA_SIZE);
	/* The file's SHA-256 came with the verification, whatever the
	 * signature's own digest. */
	ck_assert_int_eq(fs_sha256_file(fp, f.data, NULL, &f.e), 0);
	ck_assert_str_eq(f.in.sha256, fp);
	ck_assert_int_eq(f.in.fail, KEYS_OK);
	ck_assert(f.in.signing_time >= now - 60 &&
	    f.in.signing_time <= now + 60);
	if (made_sig_file(f.sig)) {
		ck_assert(is_sm2(alg));
		ck_assert_str_eq(f.in.format, "sm2-sig");
		ck_assert_str_eq(f.in.digest, "sm3");
		ck_assert_int_eq(f.in.signing_time_signed, 0);
	} else {
		ck_assert_str_eq(f.in.format, "cms");
		ck_assert_str_eq(f.in.digest, is_sm2(alg) ? "sm3" : "sha256");
		ck_assert_int_eq(f.in.signing_time_signed, 1);
		ck_assert_int_eq(f.in.checked_at, f.in.signing_time);
	}
	fx_close(&f);
}
END_TEST

/* OpenSSL 3.0 cannot make SM2 CMS: SM2 must fall back to .sig there. */
START_TEST(test_sm2_format_on_this_openssl)
{
	struct fx f;

	fx_open(&f, 1000, "sm2", NULL, NULL);
	fx_sign(&f);
	if (OpenSSL_version_num() < 0x30200000L)
		ck_assert_msg(made_sig_file(f.sig), "%s on OpenSSL %s", f.sig,
		    OpenSSL_version(OPENSSL_VERSION));
	fx_close(&f);
}
END_TEST

START_TEST(test_modified)
{
	static const size_t at[] = { 0, DATA_SIZE / 2, DATA_SIZE - 1 };
	struct fx f;
	size_t i;

	fx_open(&f, DATA_SIZE, kt_algs[_i], NULL, NULL);
	fx_sign(&f);
	for (i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		kt_flip(f.data, at[i]);
		fx_fails(&f, KEYS_FAIL_MODIFIED,
		    "signature does not match the file (modified?)");
		kt_flip(f.data, at[i]);
	}
	fx_ok(&f);
	/* One byte less is a change too. */
	kt_truncate(f.data, DATA_SIZE - 1);
	fx_fails(&f, KEYS_FAIL_MODIFIED, "(modified?)");
	fx_close(&f);
}
END_TEST

START_TEST(test_truncated)
{
	struct fx f;
	unsigned char *orig;
	size_t len, cut[4];
	int i;

	fx_open(&f, 5000, kt_algs[_i], NULL, NULL);
	fx_sign(&f);
	orig = kt_read(f.sig, &len);
	cut[0] = 0;
	cut[1] = 10;
	cut[2] = len / 2;
	cut[3] = len - 2;
	for (i = 0; i < 4; i++) {
		kt_write_bytes(f.sig, orig, cut[i]);
		fx_fails(&f, KEYS_FAIL_MALFORMED,
		    "signature truncated or malformed");
	}
	kt_write_bytes(f.sig, orig, len);
	fx_ok(&f);
	free(orig);
	fx_close(&f);
}
END_TEST

START_TEST(test_unknown_signer)
{
	const char *alg = kt_algs[_i];
	struct fx f;
	EVP_PKEY *k;
	X509 *c;

	fx_open(&f, 1000, alg, NULL, NULL);
	kt_signer(&k, &c, alg, "Somebody");
	kt_sign_as(f.dir, k, c, NULL, f.data, f.sig, sizeof(f.sig));
	fx_fails(&f, KEYS_FAIL_UNKNOWN, "unknown signer CN=Somebody");
	EVP_PKEY_free(k);
	X509_free(c);
	fx_close(&f);
}
END_TEST

/* A certificate that expired before the file was signed. */
START_TEST(test_expired_at_signing)
{
	struct fx f;
	time_t now = time(NULL);

	fx_open_valid(&f, 1000, kt_algs[_i], now - 3 * 365 * KT_DAY,
	    now - 2 * 365 * KT_DAY);
	fx_sign(&f);
	fx_fails(&f, KEYS_FAIL_EXPIRED, made_sig_file(f.sig) ?
	    "certificate expired at verification time" :
	    "certificate expired at signing time");
	fx_close(&f);
}
END_TEST

/*
 * Signed while the certificate was valid, verified after it expired: CMS
 * carries a signed signing time and verifies; the SM2 .sig carries none,
 * so its certificate must still be valid.
 */
START_TEST(test_valid_at_signing_time)
{
	struct fx f;
	time_t now = time(NULL);

	fx_open_valid(&f, 1000, kt_algs[_i], now - 3 * 365 * KT_DAY,
	    now - 2 * 365 * KT_DAY);
	fx_sign_at(&f, now - 900 * KT_DAY);
	if (made_sig_file(f.sig))
		fx_fails(&f, KEYS_FAIL_EXPIRED,
		    "certificate expired at verification time");
	else {
		fx_ok(&f);
		ck_assert_int_eq(f.in.signing_time, now - 900 * KT_DAY);
	}
	fx_close(&f);
}
END_TEST

START_TEST(test_not_yet_valid)
{
	struct fx f;
	time_t now = time(NULL);

	fx_open_valid(&f, 1000, kt_algs[_i], now + 365 * KT_DAY,
	    now + 730 * KT_DAY);
	fx_sign(&f);
	fx_fails(&f, KEYS_FAIL_NOTYET, "certificate not yet valid at");
	fx_close(&f);
}
END_TEST

/* A signing time more than 5 minutes ahead is refused; 2 minutes pass. */
START_TEST(test_signing_time_in_future)
{
	struct fx f;
	time_t now = time(NULL);

	fx_open(&f, 1000, kt_algs[_i], NULL, NULL);	/* rsa3072, p256 */
	fx_sign_at(&f, now + KT_DAY);
	fx_fails(&f, KEYS_FAIL_FUTURE, "is in the future");
	fx_sign_at(&f, now + 120);
	fx_ok(&f);
	fx_close(&f);
}
END_TEST

START_TEST(test_chain)
{
	const char *alg = kt_algs[_i];
	struct gw_err e = GW_ERR_INIT;
	struct keys_sig_info in;
	char *dir = tu_tmpdir(), *data, *rootf, *interf, *leaff, sig[4096];
	time_t now = time(NULL);
	EVP_PKEY *rk, *ik, *lk, *ok;
	X509 *rc, *ic, *lc, *oc;

	data = kt_data(dir, "batch.xml", 1000);
	kt_cert(&rk, &rc, alg, "Root CA", NULL, NULL, now - KT_DAY,
	    now + 900 * KT_DAY, 1, NULL, NULL);
	kt_cert(&ik, &ic, alg, "Issuing CA", rk, rc, now - KT_DAY,
	    now + 800 * KT_DAY, 1, NULL, NULL);
	kt_cert(&lk, &lc, alg, "Bank signer", ik, ic, now - KT_DAY,
	    now + 700 * KT_DAY, 0, NULL, NULL);
	rootf = kt_cert_file(dir, "root.pem", rc, NULL);
	interf = kt_cert_file(dir, "inter.pem", ic, NULL);
	leaff = kt_cert_file(dir, "leaf.pem", lc, NULL);
	kt_sign_as(dir, lk, lc, ic, data, sig, sizeof(sig));
	ck_assert_msg(verify_with(rootf, data, sig, &in, &e) == 0, "%s", e.msg);
	ck_assert_str_eq(in.issuer, "CN=Issuing CA");
	ck_assert_msg(verify_with(interf, data, sig, &in, &e) == 0, "%s",
	    e.msg);
	ck_assert_msg(verify_with(leaff, data, sig, &in, &e) == 0, "%s", e.msg);
	/* Another root with the same name is not the same anchor. */
	kt_cert(&ok, &oc, alg, "Root CA", NULL, NULL, now - KT_DAY,
	    now + 900 * KT_DAY, 1, NULL, NULL);
	free(rootf);
	rootf = kt_cert_file(dir, "fake-root.pem", oc, NULL);
	ck_assert_int_eq(verify_with(rootf, data, sig, &in, &e), GW_ESIG);
	ck_assert_int_ne(in.fail, KEYS_OK);
	EVP_PKEY_free(rk);
	EVP_PKEY_free(ik);
	EVP_PKEY_free(lk);
	EVP_PKEY_free(ok);
	X509_free(rc);
	X509_free(ic);
	X509_free(lc);
	X509_free(oc);
	free(rootf);
	free(interf);
	free(leaff);
	free(data);
	tu_tmpdir_free(dir);
}
END_TEST

static const struct {
	const char	*ku;
	const char	*eku;
	int		 ok;
} usages[] = {
	{ "critical,keyEncipherment", NULL, 0 },
	{ "critical,digitalSignature", "serverAuth,clientAuth", 0 },
	{ "critical,digitalSignature", "emailProtection", 1 },
	{ "critical,nonRepudiation", "1.3.6.1.5.5.7.3.36", 1 },
	{ "critical,digitalSignature", "anyExtendedKeyUsage", 1 },
};

START_TEST(test_key_usage)
{
	struct fx f;
	time_t now = time(NULL);
	EVP_PKEY *k;
	X509 *c;

	kt_cert(&k, &c, "p256", "signer", NULL, NULL, now - KT_DAY,
	    now + KT_DAY, 0, usages[_i].ku, usages[_i].eku);
	fx_open(&f, 1000, "p256", k, c);
	fx_sign(&f);
	if (usages[_i].ok)
		fx_ok(&f);
	else
		fx_fails(&f, KEYS_FAIL_USAGE, "key usage does not allow signing");
	fx_close(&f);
}
END_TEST

/* Re-encode the CMS in sig after fn changed it. */
static void
edit_cms(const char *sig, void (*fn)(CMS_ContentInfo *cms))
{
	unsigned char *der, *out = NULL;
	const unsigned char *p;
	CMS_ContentInfo *cms;
	size_t len;
	int n;

	der = kt_read(sig, &len);
	p = der;
	cms = d2i_CMS_ContentInfo(NULL, &p, (long)len);
	ck_assert_ptr_nonnull(cms);
	fn(cms);
	n = i2d_CMS_ContentInfo(cms, &out);
	ck_assert_int_gt(n, 0);
	kt_write_bytes(sig, out, (size_t)n);
	OPENSSL_free(out);
	CMS_ContentInfo_free(cms);
	free(der);
}

static void
flip_signature(CMS_ContentInfo *cms)
{
	CMS_SignerInfo *si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms),
	    0);
	ASN1_OCTET_STRING *sv = CMS_SignerInfo_get0_signature(si);
	unsigned char buf[1024];
	int n = ASN1_STRING_length(sv);

	memcpy(buf, ASN1_STRING_get0_data(sv), (size_t)n);
	buf[n / 2] ^= 0x40;
	ck_assert_int_eq(ASN1_STRING_set(sv, buf, n), 1);
}

START_TEST(test_signature_value_altered)
{
	struct fx f;

	fx_open(&f, 1000, kt_algs[_i], NULL, NULL);	/* rsa3072, p256 */
	fx_sign(&f);
	edit_cms(f.sig, flip_signature);
	fx_fails(&f, KEYS_FAIL_BADSIG, "signature value does not verify");
	fx_close(&f);
}
END_TEST

/*
 * What `openssl cms -sign` makes (CMS_sign over the content, with
 * SMIMECapabilities and OpenSSL's own signing time) verifies, in DER and
 * in PEM; embedded content and SHA-1 are refused.
 */
static char *
openssl_cms(const char *dir, const char *name, EVP_PKEY *k, X509 *c,
    const char *data, const EVP_MD *md, unsigned int flags, int pem)
{
	char *p = tu_path(dir, name);
	CMS_ContentInfo *cms;
	BIO *in = BIO_new_file(data, "rb"), *out = BIO_new_file(p, "wb");

	ck_assert_ptr_nonnull(in);
	ck_assert_ptr_nonnull(out);
	if (md == NULL)
		cms = CMS_sign(c, k, NULL, in, flags);
	else {
		cms = CMS_sign(NULL, NULL, NULL, NULL, flags | CMS_PARTIAL);
		ck_assert_ptr_nonnull(cms);
		ck_assert_ptr_nonnull(CMS_add1_signer(cms, c, k, md, flags));
		ck_assert_int_eq(CMS_final(cms, in, NULL, flags), 1);
	}
	ck_assert_ptr_nonnull(cms);
	ck_assert_int_eq(pem ? PEM_write_bio_CMS(out, cms) :
	    i2d_CMS_bio(out, cms), 1);
	CMS_ContentInfo_free(cms);
	BIO_free(in);
	BIO_free(out);
	return p;
}

START_TEST(test_openssl_cms)
{
	static const struct {
		const char	*name;
		int		 sha;	/* 0 default, 1 sha1, 512 sha512 */
		unsigned int	 flags;
		int		 pem;
		int		 fail;
		const char	*msg;
	} cases[] = {
		{ "der.p7s", 0, CMS_DETACHED | CMS_BINARY, 0, KEYS_OK, NULL },
		{ "pem.p7s", 0, CMS_DETACHED | CMS_BINARY, 1, KEYS_OK, NULL },
		{ "embedded.p7s", 0, CMS_BINARY, 0, KEYS_FAIL_UNSUPPORTED,
		  "embeds its content" },
		{ "sha1.p7s", 1, CMS_DETACHED | CMS_BINARY, 0,
		  KEYS_FAIL_UNSUPPORTED, "digest sha1 is not accepted" },
		{ "sha512.p7s", 512, CMS_DETACHED | CMS_BINARY, 0, KEYS_OK,
		  NULL },
	};
	struct fx f;
	char *s, want[65];
	size_t i;

	fx_open(&f, 70000, kt_algs[_i], NULL, NULL);	/* rsa3072, p256 */
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s = openssl_cms(f.dir, cases[i].name, f.k, f.c, f.data,
		    cases[i].sha == 1 ? EVP_sha1() : cases[i].sha == 512 ?
		    EVP_sha512() : NULL, cases[i].flags, cases[i].pem);
		snprintf(f.sig, sizeof(f.sig), "%s", s);
		free(s);
		if (cases[i].fail != KEYS_OK) {
			fx_fails(&f, (enum keys_sig_fail)cases[i].fail,
			    cases[i].msg);
			continue;
		}
		fx_ok(&f);
		ck_assert_int_eq(f.in.signing_time_signed, 1);
		ck_assert_str_eq(f.in.digest, cases[i].sha == 512 ? "sha512" :
		    "sha256");
		/* Over SHA-512 too, the file's SHA-256 comes with it. */
		ck_assert_int_eq(fs_sha256_file(want, f.data, NULL, &f.e), 0);
		ck_assert_str_eq(f.in.sha256, want);
	}
	fx_close(&f);
}
END_TEST

/* The Signature line of a .sig, decoded. */
static size_t
sig_raw(const char *sig, unsigned char *raw, size_t cap)
{
	size_t len, n;
	unsigned char *text = kt_read(sig, &len);
	char *line = strstr((char *)text, "\nSignature: "), *end;
	int got;

	ck_assert_ptr_nonnull(line);
	line += strlen("\nSignature: ");
	end = strchr(line, '\n');
	n = (size_t)(end - line);
	ck_assert_uint_lt(n, cap);
	got = EVP_DecodeBlock(raw, (unsigned char *)line, (int)n);
	ck_assert_int_gt(got, 0);
	got -= (line[n - 1] == '=') + (line[n - 2] == '=');
	free(text);
	return (size_t)got;
}

/* SM2 over the file with SM3, as `openssl dgst -sm3 -sigopt distid:ID`. */
static int
dgst_verify(EVP_PKEY *pub, const char *id, const char *data,
    const unsigned char *raw, size_t rawlen)
{
	EVP_PKEY_CTX *pctx = NULL;
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	unsigned char *buf;
	size_t len;
	int ok;

	ck_assert_int_eq(EVP_DigestVerifyInit_ex(m, &pctx, "SM3", NULL, NULL,
	    pub, NULL), 1);
	if (id != NULL)
		ck_assert_int_eq(EVP_PKEY_CTX_set1_id(pctx, id,
		    (int)strlen(id)), 1);
	buf = kt_read(data, &len);
	ok = EVP_DigestVerify(m, raw, rawlen, buf, len) == 1;
	free(buf);
	EVP_MD_CTX_free(m);
	ERR_clear_error();
	return ok;
}

static size_t
dgst_sign(EVP_PKEY *k, const char *data, unsigned char *raw, size_t cap)
{
	EVP_PKEY_CTX *pctx = NULL;
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	unsigned char *buf;
	size_t len, n = cap;

	ck_assert_int_eq(EVP_DigestSignInit_ex(m, &pctx, "SM3", NULL, NULL, k,
	    NULL), 1);
	ck_assert_int_eq(EVP_PKEY_CTX_set1_id(pctx, "1234567812345678", 16), 1);
	buf = kt_read(data, &len);
	ck_assert_int_eq(EVP_DigestSign(m, raw, &n, buf, len), 1);
	free(buf);
	EVP_MD_CTX_free(m);
	return n;
}

START_TEST(test_sm2_interop)
{
	struct fx f;
	unsigned char raw[256];
	size_t n;

	fx_open(&f, 100000, "sm2", NULL, NULL);
	fx_sign(&f);
	if (made_sig_file(f.sig)) {
		/* Ours verifies as openssl dgst does, standard ID only. */
		n = sig_raw(f.sig, raw, sizeof(raw));
		ck_assert(dgst_verify(X509_get0_pubkey(f.c),
		    "1234567812345678", f.data, raw, n));
		ck_assert(!dgst_verify(X509_get0_pubkey(f.c), NULL, f.data,
		    raw, n));
	}
	/* A bare signature made the openssl dgst way verifies with ours. */
	n = dgst_sign(f.k, f.data, raw, sizeof(raw));
	snprintf(f.sig, sizeof(f.sig), "%s.raw", f.data);
	kt_write_bytes(f.sig, raw, n);
	fx_ok(&f);
	ck_assert_str_eq(f.in.format, "sm2-raw");
	ck_assert_str_eq(f.in.subject, "CN=signer");
	kt_flip(f.data, 5);
	fx_fails(&f, KEYS_FAIL_MODIFIED,
	    "signature does not match the file (modified?)");
	fx_close(&f);
}
END_TEST

/* .sig envelope edits: each must be refused with its reason. */
static const struct {
	const char	*from;
	const char	*to;
	int		 fail;
	const char	*msg;
} sig_edits[] = {
	{ "Version: 1\n", "Version: 2\n", KEYS_FAIL_MALFORMED, "version 2" },
	{ "Version: 1\n", "Version: 1\nComment: hi\n", KEYS_FAIL_MALFORMED,
	  "unknown header 'Comment'" },
	{ "Version: 1\n", "Version: 1\nVersion: 1\n", KEYS_FAIL_MALFORMED,
	  "repeated header 'Version'" },
	{ "Signature: ", "Signature: !", KEYS_FAIL_MALFORMED, "not base64" },
	{ "Signer-ID: 1234567812345678", "Signer-ID: 1234567812345679",
	  KEYS_FAIL_MODIFIED, "does not match the file" },
	{ "Algorithm: SM2-with-SM3", "Algorithm: SM2-with-SHA256",
	  KEYS_FAIL_MALFORMED, "want SM2-with-SM3" },
	{ "-----END DEBITGW SM2 SIGNATURE-----\n",
	  "-----END DEBITGW SM2 SIGNATURE-----\nmore\n", KEYS_FAIL_MALFORMED,
	  "text after" },
	{ "-----BEGIN CERTIFICATE-----\nMII", "-----BEGIN CERTIFICATE-----\nXII",
	  KEYS_FAIL_MALFORMED, "damaged" },
};

START_TEST(test_sm2_sig_edits)
{
	struct fx f;
	char *at, *edited;
	unsigned char *text;
	size_t len, fl, tl, head;

	fx_open(&f, 1000, "sm2", NULL, NULL);
	fx_sign(&f);
	if (!made_sig_file(f.sig))
		goto done;
	text = kt_read(f.sig, &len);
	at = strstr((char *)text, sig_edits[_i].from);
	ck_assert_ptr_nonnull(at);
	head = (size_t)(at - (char *)text);
	fl = strlen(sig_edits[_i].from);
	tl = strlen(sig_edits[_i].to);
	edited = malloc(len + tl + 1);
	memcpy(edited, text, head);
	memcpy(edited + head, sig_edits[_i].to, tl);
	memcpy(edited + head + tl, at + fl, len - head - fl);
	kt_write_bytes(f.sig, edited, len - fl + tl);
	fx_fails(&f, (enum keys_sig_fail)sig_edits[_i].fail,
	    sig_edits[_i].msg);
	free(edited);
	free(text);
done:
	fx_close(&f);
}
END_TEST

/*
 * Standard SM2 CMS (GM/T 0010: SM3, SM2-with-SM3, signer ID
 * 1234567812345678), built by hand since OpenSSL 3.0 cannot: what a newer
 * OpenSSL or another SM2 stack sends must verify; the same made with an
 * empty ID must not.
 */
static char *
sm2_cms(const char *dir, EVP_PKEY *k, X509 *c, const char *data,
    const char *id)
{
	const unsigned int flags = CMS_PARTIAL | CMS_DETACHED | CMS_BINARY |
	    CMS_NOSMIMECAP | CMS_KEY_PARAM;
	unsigned char dg[EVP_MAX_MD_SIZE], *der = NULL, *attrs, sv[256], *buf;
	const unsigned char *p;
	CMS_ContentInfo *cms, *cms2;
	CMS_SignerInfo *si;
	X509_ALGOR *alg;
	EVP_PKEY_CTX *pctx = NULL;
	EVP_MD_CTX *m;
	ASN1_TIME *t;
	unsigned int dglen;
	size_t len, alen, svlen = sizeof(sv);
	char *path = tu_path(dir, "sm2.p7s");
	int n;

	buf = kt_read(data, &len);
	ck_assert_int_eq(EVP_Digest(buf, len, dg, &dglen, EVP_sm3(), NULL), 1);
	free(buf);
	cms = CMS_sign(NULL, NULL, NULL, NULL, flags);
	ck_assert_ptr_nonnull(cms);
	si = CMS_add1_signer(cms, c, k, EVP_sm3(), flags);
	ck_assert_ptr_nonnull(si);
	t = ASN1_TIME_adj(NULL, time(NULL), 0, 0);
	ck_assert_int_gt(CMS_signed_add1_attr_by_NID(si, NID_pkcs9_signingTime,
	    ASN1_STRING_type(t), t, -1), 0);
	ck_assert_int_gt(CMS_signed_add1_attr_by_NID(si, NID_pkcs9_contentType,
	    V_ASN1_OBJECT, OBJ_nid2obj(NID_pkcs7_data), -1), 0);
	ck_assert_int_gt(CMS_signed_add1_attr_by_NID(si,
	    NID_pkcs9_messageDigest, V_ASN1_OCTET_STRING, dg, (int)dglen), 0);
	CMS_SignerInfo_get0_algs(si, NULL, NULL, NULL, &alg);
	ck_assert_int_eq(X509_ALGOR_set0(alg, OBJ_nid2obj(NID_SM2_with_SM3),
	    V_ASN1_UNDEF, NULL), 1);
	ck_assert_int_eq(ASN1_STRING_set(CMS_SignerInfo_get0_signature(si),
	    "x", 1), 1);
	/* Round trip so the attributes stand in their DER (sorted) order. */
	n = i2d_CMS_ContentInfo(cms, &der);
	ck_assert_int_gt(n, 0);
	p = der;
	cms2 = d2i_CMS_ContentInfo(NULL, &p, n);
	ck_assert_ptr_nonnull(cms2);
	OPENSSL_free(der);
	der = NULL;
	si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms2), 0);
	ck_assert_int_eq(sig_cms_attrs_der(&attrs, &alen, si), 0);
	m = EVP_MD_CTX_new();
	ck_assert_int_eq(EVP_DigestSignInit_ex(m, &pctx, "SM3", NULL, NULL, k,
	    NULL), 1);
	if (id != NULL)
		ck_assert_int_eq(EVP_PKEY_CTX_set1_id(pctx, id, (int)strlen(id)),
		    1);
	ck_assert_int_eq(EVP_DigestSign(m, sv, &svlen, attrs, alen), 1);
	ck_assert_int_eq(ASN1_STRING_set(CMS_SignerInfo_get0_signature(si), sv,
	    (int)svlen), 1);
	n = i2d_CMS_ContentInfo(cms2, &der);
	ck_assert_int_gt(n, 0);
	kt_write_bytes(path, der, (size_t)n);
	OPENSSL_free(der);
	free(attrs);
	EVP_MD_CTX_free(m);
	ASN1_TIME_free(t);
	CMS_ContentInfo_free(cms);
	CMS_ContentInfo_free(cms2);
	return path;
}

START_TEST(test_sm2_cms)
{
	struct fx f;
	char *s;

	fx_open(&f, 20000, "sm2", NULL, NULL);
	s = sm2_cms(f.dir, f.k, f.c, f.data, "1234567812345678");
	snprintf(f.sig, sizeof(f.sig), "%s", s);
	fx_ok(&f);
	ck_assert_str_eq(f.in.format, "cms");
	ck_assert_str_eq(f.in.digest, "sm3");
	ck_assert_str_eq(f.in.key_alg, "sm2");
	kt_flip(f.data, 77);
	fx_fails(&f, KEYS_FAIL_MODIFIED, "(modified?)");
	kt_flip(f.data, 77);
	free(s);
	s = sm2_cms(f.dir, f.k, f.c, f.data, NULL);
	snprintf(f.sig, sizeof(f.sig), "%s", s);
	fx_fails(&f, KEYS_FAIL_BADSIG, "signature value does not verify");
	free(s);
	fx_close(&f);
}
END_TEST

/* A pipe: the API streams from any descriptor, seekable or not. */
START_TEST(test_sign_pipe)
{
	const char *alg = kt_algs[_i];
	struct gw_err e = GW_ERR_INIT;
	struct keys_sig_info in;
	struct sig_anchors *a;
	STACK_OF(X509) *chain = sk_X509_new_null();
	char *dir = tu_tmpdir(), *data;
	unsigned char *sig = NULL, *buf;
	const char *ext;
	size_t siglen, len;
	int fds[2], fd, status;
	EVP_PKEY *k;
	X509 *c;
	pid_t pid;

	data = kt_data(dir, "batch.xml", 2 * 1024 * 1024 + 17);
	kt_signer(&k, &c, alg, "signer");
	sk_X509_push(chain, c);
	ck_assert_int_eq(pipe(fds), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(fds[0]);
		buf = kt_read(data, &len);
		if (write(fds[1], buf, len) != (ssize_t)len)
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	ck_assert_msg(sig_sign_fd(&sig, &siglen, &ext, k, chain, fds[0],
	    "pipe", time(NULL), &e) == 0, "%s", e.msg);
	close(fds[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_int_eq(status, 0);
	ck_assert_int_eq(sig_anchors_new(&a, "test", NULL, NULL, &e), 0);
	ck_assert_int_eq(sig_anchors_add(a, chain, &e), 0);
	fd = open(data, O_RDONLY);
	ck_assert_msg(sig_verify_fd(&in, a, sig, siglen, "sig", fd, data,
	    time(NULL), &e) == 0, "%s", e.msg);
	ck_assert_int_eq(in.size, 2 * 1024 * 1024 + 17);
	close(fd);
	sig_anchors_free(a);
	free(sig);
	sk_X509_pop_free(chain, X509_free);
	EVP_PKEY_free(k);
	free(data);
	tu_tmpdir_free(dir);
}
END_TEST

START_TEST(test_key_files)
{
	struct gw_err e = GW_ERR_INIT;
	char *dir = tu_tmpdir(), *data, *kp, *kp2, *cp, *cp2, sig[4096];
	EVP_PKEY *k, *k2, *back = NULL;
	X509 *c, *c2;

	data = kt_data(dir, "batch.xml", 100);
	kt_signer(&k, &c, "p256", "signer");
	kt_signer(&k2, &c2, "p256", "other");
	kp = kt_key_file(dir, "k.pem", k);
	cp = kt_cert_file(dir, "c.pem", c, NULL);
	cp2 = kt_cert_file(dir, "c2.pem", c2, NULL);
	/* Readable by others: refused, exit 3. */
	chmod(kp, 0644);
	ck_assert_int_eq(keys_sign_file_with(sig, sizeof(sig), kp, NULL, cp,
	    data, &e), GW_EKEY);
	ck_assert_int_eq(gw_err_exit_status(e.code), 3);
	ck_assert_ptr_nonnull(strstr(e.msg, "readable by group or others"));
	chmod(kp, 0600);
	/* A key and someone else's certificate. */
	gw_err_clear(&e);
	ck_assert_int_eq(keys_sign_file_with(sig, sizeof(sig), kp, NULL, cp2,
	    data, &e), GW_EKEY);
	ck_assert_ptr_nonnull(strstr(e.msg, "does not match"));
	/* Encrypted: the right passphrase opens it, a wrong one says so. */
	kp2 = tu_path(dir, "enc.pem");
	gw_err_clear(&e);
	ck_assert_int_eq(pki_write_key(kp2, k, "short", &e), GW_EKEY);
	gw_err_clear(&e);
	ck_assert_int_eq(pki_write_key(kp2, k, "correct horse", &e), 0);
	ck_assert_int_eq(pki_read_key(&back, kp2, "wrong horse", &e), GW_EKEY);
	ck_assert_ptr_nonnull(strstr(e.msg, "wrong passphrase"));
	gw_err_clear(&e);
	ck_assert_int_eq(pki_read_key(&back, kp2, NULL, &e), GW_EKEY);
	gw_err_clear(&e);
	ck_assert_int_eq(pki_read_key(&back, kp, "any pass", &e), GW_EKEY);
	ck_assert_ptr_nonnull(strstr(e.msg, "not an encrypted PKCS#8 key"));
	gw_err_clear(&e);
	ck_assert_int_eq(keys_sign_file_with(sig, sizeof(sig), kp2,
	    "correct horse", cp, data, &e), 0);
	ck_assert_str_eq(sig + strlen(sig) - 4, ".p7s");
	EVP_PKEY_free(k);
	EVP_PKEY_free(k2);
	X509_free(c);
	X509_free(c2);
	free(kp);
	free(kp2);
	free(cp);
	free(cp2);
	free(data);
	tu_tmpdir_free(dir);
}
END_TEST

/* Which signature goes with a file: FILE.p7s first, then FILE.sig. */
START_TEST(test_sig_names)
{
	char *d = tu_tmpdir(), path[4096], sig[4096 + 8];

	ck_assert(keys_is_sig_name("a.xml.p7s"));
	ck_assert(keys_is_sig_name("a.sig"));
	ck_assert(!keys_is_sig_name(".sig"));
	ck_assert(!keys_is_sig_name("a.xml"));
	snprintf(path, sizeof(path), "%s/f.xml", d);
	ck_assert_int_eq(keys_sig_beside(path, sig, sizeof(sig)), 0);
	free(tu_write(d, "f.xml.sig", "x"));
	ck_assert_int_eq(keys_sig_beside(path, sig, sizeof(sig)), 1);
	ck_assert_str_eq(sig + strlen(path), ".sig");
	free(tu_write(d, "f.xml.p7s", "x"));
	ck_assert_int_eq(keys_sig_beside(path, sig, sizeof(sig)), 1);
	ck_assert_str_eq(sig + strlen(path), ".p7s");
	tu_tmpdir_free(d);
}
END_TEST

START_TEST(test_empty_and_missing)
{
	struct fx f;

	fx_open(&f, 0, "rsa3072", NULL, NULL);
	ck_assert_int_eq(verify_with(f.ca, f.data, NULL, &f.in, &f.e), GW_ESIG);
	ck_assert_ptr_nonnull(strstr(f.e.msg, "no signature"));
	fx_sign(&f);
	ck_assert_int_eq(verify_with(f.ca, f.data, NULL, &f.in, &f.e), 0);
	ck_assert_int_eq(f.in.size, 0);
	fx_close(&f);
}
END_TEST

static Suite *
sig_suite(void)
{
	Suite *s = suite_create("sig");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_roundtrip, 0, KT_NALGS);
	tcase_add_test(tc, test_sm2_format_on_this_openssl);
	tcase_add_loop_test(tc, test_modified, 0, KT_NALGS);
	tcase_add_loop_test(tc, test_truncated, 0, KT_NALGS);
	tcase_add_loop_test(tc, test_unknown_signer, 0, KT_NALGS);
	tcase_add_loop_test(tc, test_expired_at_signing, 0, KT_NALGS);
	tcase_add_loop_test(tc, test_valid_at_signing_time, 0, KT_NALGS);
	tcase_add_loop_test(tc, test_not_yet_valid, 0, KT_NALGS);
	tcase_add_loop_test(tc, test_signing_time_in_future, 0, 2);
	tcase_add_loop_test(tc, test_chain, 0, KT_NALGS);
	tcase_add_loop_test(tc, test_key_usage, 0,
	    sizeof(usages) / sizeof(usages[0]));
	tcase_add_loop_test(tc, test_signature_value_altered, 0, 2);
	tcase_add_loop_test(tc, test_openssl_cms, 0, 2);
	tcase_add_test(tc, test_sm2_interop);
	tcase_add_loop_test(tc, test_sm2_sig_edits, 0,
	    sizeof(sig_edits) / sizeof(sig_edits[0]));
	tcase_add_test(tc, test_sm2_cms);
	tcase_add_loop_test(tc, test_sign_pipe, 0, KT_NALGS);
	tcase_add_test(tc, test_key_files);
	tcase_add_test(tc, test_empty_and_missing);
	tcase_add_test(tc, test_sig_names);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(sig_suite)
