/*
 * Unit tests: our keys in a real home (keys/keystore.c): generation,
 * passphrases, permissions, rotation, requests and imported
 * certificates, and signing with them.
 */
#include <sys/stat.h>

#include "tests/unit/keys/keytest.h"

#include "common/audit.h"
#include "gateway/home.h"
#include "keys/keys.h"
#include "keys/keystore.h"

#define PASS "unit-test-passphrase"

struct fx {
	char		*dir;
	struct home	*h;
	struct keystore	*ks;
	struct gw_err	 e;
};

static void
fx_open(struct fx *f, const char *pass_file)
{
	char *home;

	memset(f, 0, sizeof(*f));
	f->dir = tu_tmpdir();
	home = tu_path(f->dir, "home");
	setenv("DEBITGW_KEY_PASSPHRASE", PASS, 1);
	ck_assert_msg(home_init(home, &f->e) == 0, "%s", f->e.msg);
	ck_assert_msg(home_open(&f->h, home, &f->e) == 0, "%s", f->e.msg);
	ck_assert_int_eq(keystore_open(&f->ks, f->h->dir, f->h->db, pass_file,
	    &f->e), 0);
	free(home);
}

static void
fx_close(struct fx *f)
{
	keystore_close(f->ks);
	home_close(f->h);
	tu_tmpdir_free(f->dir);
}

static char *
key_path(struct fx *f, const char *name)
{
	char *p;

	ck_assert_int_ge(asprintf(&p, "%s/keys/%s", f->h->dir, name), 0);
	return p;
}

static void
gen(struct fx *f, struct key_info *k, const char *alg)
{
	gw_err_clear(&f->e);
	ck_assert_msg(keystore_gen(k, f->ks, alg, NULL, 30, "tester",
	    &f->e) == 0, "%s", f->e.msg);
}

/* Sign data with the active key of alg; the signature's path into sig. */
static int
sign(struct fx *f, const char *alg, const char *data, char *sig, size_t cap)
{
	gw_err_clear(&f->e);
	return keys_sign_file(sig, cap, f->ks, alg, data, &f->e);
}

static int
verify_own(struct fx *f, const char *data, const char *sig,
    struct keys_sig_info *in)
{
	struct keys_trust t;

	memset(&t, 0, sizeof(t));
	t.db = f->h->db;
	t.home_dir = f->h->dir;
	t.own = 1;
	gw_err_clear(&f->e);
	return keys_verify_path(in, &t, data, sig, &f->e);
}

START_TEST(test_gen)
{
	const char *alg = kt_algs[_i];
	struct fx f;
	struct key_info k, back;
	STACK_OF(X509) *certs;
	EVP_PKEY *key = NULL;
	struct stat st;
	char *kp, *cp, fp[65];
	unsigned char *text;
	size_t len;

	fx_open(&f, NULL);
	gen(&f, &k, alg);
	ck_assert_str_eq(k.ref, "K0001");
	ck_assert_str_eq(k.alg, alg);
	ck_assert_str_eq(k.state, "active");
	ck_assert_str_eq(k.subject, "CN=debitgw signing key K0001");
	ck_assert_str_eq(k.issuer, k.subject);
	kp = key_path(&f, "K0001.key");
	cp = key_path(&f, k.cert_file);
	ck_assert_int_eq(stat(kp, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	text = kt_read(kp, &len);
	ck_assert_ptr_nonnull(strstr((char *)text,
	    "-----BEGIN ENCRYPTED PRIVATE KEY-----"));
	free(text);
	ck_assert_int_eq(pki_read_key(&key, kp, PASS, &f.e), 0);
	ck_assert_int_eq(pki_read_certs(&certs, cp, &f.e), 0);
	pki_fingerprint(fp, sk_X509_value(certs, 0));
	ck_assert_str_eq(fp, k.fingerprint);
	ck_assert_int_eq(X509_check_private_key(sk_X509_value(certs, 0), key),
	    1);
	ck_assert_int_eq(keystore_get(&back, f.ks, 1, &f.e), 0);
	ck_assert_str_eq(back.fingerprint, k.fingerprint);
	ck_assert_str_eq(back.not_after, k.not_after);
	free(kp);
	kp = key_path(&f, "");
	ck_assert_int_eq(stat(kp, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0700);
	sk_X509_pop_free(certs, X509_free);
	EVP_PKEY_free(key);
	free(kp);
	free(cp);
	fx_close(&f);
}
END_TEST

START_TEST(test_one_active_per_alg)
{
	struct fx f;
	struct key_info k;
	char *data, sig[4096];

	fx_open(&f, NULL);
	gen(&f, &k, "p256");
	ck_assert_int_eq(keystore_gen(&k, f.ks, "p256", NULL, 30, "t", &f.e),
	    GW_ESTATE);
	ck_assert_ptr_nonnull(strstr(f.e.msg, "keys rotate"));
	gen(&f, &k, "sm2");
	ck_assert_str_eq(k.ref, "K0002");
	gw_err_clear(&f.e);
	ck_assert_int_eq(keystore_gen(&k, f.ks, "dsa", NULL, 30, "t", &f.e),
	    GW_EUSAGE);
	data = kt_data(f.dir, "batch.xml", 4000);
	/* Two active keys: the caller must say which. */
	ck_assert_int_eq(sign(&f, NULL, data, sig, sizeof(sig)), GW_EUSAGE);
	ck_assert_ptr_nonnull(strstr(f.e.msg, "K0001 p256, K0002 sm2"));
	ck_assert_int_eq(sign(&f, "rsa3072", data, sig, sizeof(sig)), GW_EKEY);
	ck_assert_ptr_nonnull(strstr(f.e.msg, "no active rsa3072 key"));
	ck_assert_msg(sign(&f, "p256", data, sig, sizeof(sig)) == 0, "%s",
	    f.e.msg);
	ck_assert_str_eq(sig + strlen(sig) - 4, ".p7s");
	ck_assert_msg(sign(&f, "sm2", data, sig, sizeof(sig)) == 0, "%s",
	    f.e.msg);
	if (strcmp(sig + strlen(sig) - 4, ".sig") == 0) {
		/* The older .p7s is stale now and gone. */
		snprintf(sig, sizeof(sig), "%s.p7s", data);
		ck_assert(!fs_exists(sig));
	}
	free(data);
	fx_close(&f);
}
END_TEST

START_TEST(test_passphrase_sources)
{
	struct fx f;
	struct key_info k;
	struct keystore *ks2;
	char *pf, *data, sig[4096];

	fx_open(&f, NULL);
	unsetenv("DEBITGW_KEY_PASSPHRASE");
	ck_assert_int_eq(keystore_gen(&k, f.ks, "p256", NULL, 30, "t", &f.e),
	    GW_EKEY);
	ck_assert_ptr_nonnull(strstr(f.e.msg, "no key passphrase"));
	ck_assert_int_eq(gw_err_exit_status(f.e.code), 3);
	setenv("DEBITGW_KEY_PASSPHRASE", "short", 1);
	gw_err_clear(&f.e);
	ck_assert_int_eq(keystore_gen(&k, f.ks, "p256", NULL, 30, "t", &f.e),
	    GW_EKEY);
	ck_assert_ptr_nonnull(strstr(f.e.msg, "at least 8"));
	/* A passphrase file must be private and wins over the variable. */
	pf = tu_write(f.dir, "pass", "file-passphrase\n");
	chmod(pf, 0644);
	ck_assert_int_eq(keystore_open(&ks2, f.h->dir, f.h->db, pf, &f.e), 0);
	gw_err_clear(&f.e);
	ck_assert_int_eq(keystore_gen(&k, ks2, "p256", NULL, 30, "t", &f.e),
	    GW_EKEY);
	ck_assert_ptr_nonnull(strstr(f.e.msg, "readable by group or others"));
	keystore_close(ks2);
	chmod(pf, 0600);
	ck_assert_int_eq(keystore_open(&ks2, f.h->dir, f.h->db, pf, &f.e), 0);
	gw_err_clear(&f.e);
	ck_assert_msg(keystore_gen(&k, ks2, "p256", NULL, 30, "t", &f.e) == 0,
	    "%s", f.e.msg);
	data = kt_data(f.dir, "batch.xml", 100);
	gw_err_clear(&f.e);
	ck_assert_msg(keys_sign_file(sig, sizeof(sig), ks2, NULL, data,
	    &f.e) == 0, "%s", f.e.msg);
	keystore_close(ks2);
	/* The variable holds another passphrase: a clear error, exit 3. */
	setenv("DEBITGW_KEY_PASSPHRASE", "not-the-passphrase", 1);
	ck_assert_int_eq(sign(&f, NULL, data, sig, sizeof(sig)), GW_EKEY);
	ck_assert_ptr_nonnull(strstr(f.e.msg, "wrong passphrase"));
	ck_assert_int_eq(gw_err_exit_status(f.e.code), 3);
	free(pf);
	pf = tu_write(f.dir, "empty", "\n");
	chmod(pf, 0600);
	ck_assert_int_eq(keystore_open(&ks2, f.h->dir, f.h->db, pf, &f.e), 0);
	gw_err_clear(&f.e);
	ck_assert_int_eq(keys_sign_file(sig, sizeof(sig), ks2, NULL, data,
	    &f.e), GW_EKEY);
	ck_assert_ptr_nonnull(strstr(f.e.msg, "is empty"));
	keystore_close(ks2);
	free(pf);
	free(data);
	fx_close(&f);
}
END_TEST

/* Any group or other permission bit on a key file stops signing: exit 3. */
START_TEST(test_key_permissions)
{
	static const mode_t modes[] = { 0644, 0640, 0604, 0660, 0602 };
	struct fx f;
	struct key_info k;
	char *kp, *data, sig[4096], p7s[4096];
	size_t i;

	fx_open(&f, NULL);
	gen(&f, &k, "rsa3072");
	kp = key_path(&f, "K0001.key");
	data = kt_data(f.dir, "batch.xml", 100);
	snprintf(p7s, sizeof(p7s), "%s.p7s", data);
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		chmod(kp, modes[i]);
		ck_assert_int_eq(sign(&f, NULL, data, sig, sizeof(sig)),
		    GW_EKEY);
		ck_assert_int_eq(gw_err_exit_status(f.e.code), 3);
		ck_assert_ptr_nonnull(strstr(f.e.msg,
		    "readable by group or others"));
		ck_assert(!fs_exists(p7s));	/* nothing was signed */
	}
	chmod(kp, 0600);
	ck_assert_msg(sign(&f, NULL, data, sig, sizeof(sig)) == 0, "%s",
	    f.e.msg);
	ck_assert(fs_exists(p7s));
	free(kp);
	free(data);
	fx_close(&f);
}
END_TEST

START_TEST(test_rotate)
{
	struct fx f;
	struct key_info k1, k2, back;
	struct keys_sig_info in;
	char *data, sig[4096], old[4200];
	int64_t retired;
	FILE *null;

	fx_open(&f, NULL);
	gen(&f, &k1, "p256");
	data = kt_data(f.dir, "batch.xml", 5000);
	ck_assert_int_eq(sign(&f, NULL, data, sig, sizeof(sig)), 0);
	snprintf(old, sizeof(old), "%s.old", sig);
	ck_assert_int_eq(rename(sig, old), 0);
	ck_assert_msg(keystore_rotate(&k2, &retired, f.ks, "p256", NULL, 30, 0,
	    "t", &f.e) == 0, "%s", f.e.msg);
	ck_assert_int_eq(retired, 1);
	ck_assert_str_eq(k2.ref, "K0002");
	ck_assert_int_eq(keystore_get(&back, f.ks, 1, &f.e), 0);
	ck_assert_str_eq(back.state, "retired");
	ck_assert_str_ne(back.retired_at, "");
	/* The retired key still verifies what it signed ... */
	ck_assert_msg(verify_own(&f, data, old, &in) == 0, "%s", f.e.msg);
	ck_assert_str_eq(in.fingerprint, k1.fingerprint);
	/* ... and the new one signs from now on. */
	ck_assert_int_eq(sign(&f, NULL, data, sig, sizeof(sig)), 0);
	ck_assert_int_eq(verify_own(&f, data, sig, &in), 0);
	ck_assert_str_eq(in.fingerprint, k2.fingerprint);
	gw_err_clear(&f.e);
	ck_assert_int_eq(keystore_retire(f.ks, 1, "t", &f.e), GW_ESTATE);
	null = fopen("/dev/null", "w");
	gw_err_clear(&f.e);
	ck_assert_int_eq(keystore_csr(null, f.ks, 1, NULL, &f.e), GW_ESTATE);
	fclose(null);
	gw_err_clear(&f.e);
	ck_assert_int_eq(keystore_retire(f.ks, 2, "t", &f.e), 0);
	ck_assert_int_eq(sign(&f, NULL, data, sig, sizeof(sig)), GW_EKEY);
	ck_assert_ptr_nonnull(strstr(f.e.msg, "no active"));
	ck_assert_int_eq(verify_own(&f, data, old, &in), 0);
	free(data);
	fx_close(&f);
}
END_TEST

/* rotate --alg B with only an A key active: an algorithm change. */
START_TEST(test_rotate_algorithm_change)
{
	struct fx f;
	struct key_info k;
	int64_t retired;

	fx_open(&f, NULL);
	ck_assert_int_eq(keystore_rotate(&k, &retired, f.ks, "sm2", NULL, 30, 0,
	    "t", &f.e), GW_ESTATE);
	ck_assert_ptr_nonnull(strstr(f.e.msg, "keys gen --alg sm2"));
	gw_err_clear(&f.e);
	ck_assert_int_eq(keystore_rotate(&k, &retired, f.ks, "dsa", NULL, 30, 0,
	    "t", &f.e), GW_EUSAGE);
	gen(&f, &k, "p256");
	gw_err_clear(&f.e);
	ck_assert_msg(keystore_rotate(&k, &retired, f.ks, "sm2", NULL, 30, 0,
	    "t", &f.e) == 0, "%s", f.e.msg);
	ck_assert_int_eq(retired, 1);
	ck_assert_str_eq(k.alg, "sm2");
	gen(&f, &k, "p256");	/* K0003: now p256 and sm2 are active */
	gw_err_clear(&f.e);
	ck_assert_int_eq(keystore_rotate(&k, &retired, f.ks, "rsa3072", NULL,
	    30, 0, "t", &f.e), GW_EUSAGE);
	ck_assert_ptr_nonnull(strstr(f.e.msg, "--retire"));
	gw_err_clear(&f.e);
	ck_assert_int_eq(keystore_rotate(&k, &retired, f.ks, "p256", NULL, 30,
	    2, "t", &f.e), GW_ESTATE);
	gw_err_clear(&f.e);
	ck_assert_msg(keystore_rotate(&k, &retired, f.ks, "rsa3072", NULL, 30,
	    3, "t", &f.e) == 0, "%s", f.e.msg);
	ck_assert_int_eq(retired, 3);
	ck_assert_str_eq(k.ref, "K0004");
	fx_close(&f);
}
END_TEST

/* A CA signs our request; the imported certificate signs from then on. */
START_TEST(test_csr_and_import)
{
	const char *alg = kt_algs[_i];
	struct fx f;
	struct key_info k, k2;
	struct keys_sig_info in;
	struct pki_cert_spec spec;
	const char *files[1];
	char *csrf, *caf, *chainf, *data, *oldcert, sig[4096];
	EVP_PKEY *cak, *otherk;
	X509 *cac, *issued = NULL, *otherc;
	X509_REQ *req;
	FILE *fp;
	time_t now = time(NULL);

	fx_open(&f, NULL);
	gen(&f, &k, alg);
	oldcert = key_path(&f, k.cert_file);
	csrf = tu_path(f.dir, "k.csr");
	fp = fopen(csrf, "w");
	ck_assert_msg(keystore_csr(fp, f.ks, 1, "/CN=Zhongshan Tax/O=STA",
	    &f.e) == 0, "%s", f.e.msg);
	fclose(fp);
	fp = fopen(csrf, "r");
	req = PEM_read_X509_REQ(fp, NULL, NULL, NULL);
	fclose(fp);
	ck_assert_ptr_nonnull(req);
	if (strcmp(alg, "sm2") == 0) {
		ASN1_OCTET_STRING *id = ASN1_OCTET_STRING_new();

		ASN1_OCTET_STRING_set(id, (const unsigned char *)PKI_SM2_ID,
		    PKI_SM2_ID_LEN);
		X509_REQ_set0_distinguishing_id(req, id);
	}
	ck_assert_int_eq(X509_REQ_verify(req, X509_REQ_get0_pubkey(req)), 1);
	/* The CA issues a certificate for the request's key. */
	kt_cert(&cak, &cac, "p256", "Bank CA", NULL, NULL, now - KT_DAY,
	    now + 400 * KT_DAY, 1, NULL, NULL);
	memset(&spec, 0, sizeof(spec));
	spec.pub = X509_REQ_get0_pubkey(req);
	spec.subject = X509_REQ_get_subject_name(req);
	spec.issuer_key = cak;
	spec.issuer = cac;
	spec.not_before = now - 60;
	spec.not_after = now + 100 * KT_DAY;
	ck_assert_int_eq(pki_cert_new(&issued, &spec, &f.e), 0);
	chainf = kt_cert_file(f.dir, "issued.pem", issued, cac);
	caf = kt_cert_file(f.dir, "ca.pem", cac, NULL);
	ck_assert_msg(keystore_import_cert(&k2, f.ks, 1, chainf, "t",
	    &f.e) == 0, "%s", f.e.msg);
	ck_assert_str_eq(k2.issuer, "CN=Bank CA");
	ck_assert_str_eq(k2.subject, "CN=Zhongshan Tax,O=STA");
	ck_assert_str_ne(k2.cert_file, k.cert_file);
	ck_assert(fs_exists(oldcert));	/* the old one stays */
	data = kt_data(f.dir, "batch.xml", 3000);
	ck_assert_msg(sign(&f, NULL, data, sig, sizeof(sig)) == 0, "%s",
	    f.e.msg);
	files[0] = caf;
	ck_assert_msg(keys_verify_file_with(&in, files, 1, data, sig,
	    &f.e) == 0, "%s", f.e.msg);
	ck_assert_str_eq(in.fingerprint, k2.fingerprint);
	/* Someone else's certificate, or an expired one, is refused. */
	kt_cert(&otherk, &otherc, alg, "other", cak, cac, now - KT_DAY,
	    now + KT_DAY, 0, NULL, NULL);
	free(chainf);
	chainf = kt_cert_file(f.dir, "other.pem", otherc, NULL);
	gw_err_clear(&f.e);
	ck_assert_int_eq(keystore_import_cert(&k2, f.ks, 1, chainf, "t", &f.e),
	    GW_EINPUT);
	ck_assert_ptr_nonnull(strstr(f.e.msg, "carries the public key"));
	X509_free(issued);
	spec.not_before = now - 10 * KT_DAY;
	spec.not_after = now - KT_DAY;
	ck_assert_int_eq(pki_cert_new(&issued, &spec, &f.e), 0);
	free(chainf);
	chainf = kt_cert_file(f.dir, "expired.pem", issued, NULL);
	gw_err_clear(&f.e);
	ck_assert_int_eq(keystore_import_cert(&k2, f.ks, 1, chainf, "t", &f.e),
	    GW_EINPUT);
	ck_assert_ptr_nonnull(strstr(f.e.msg, "not valid now"));
	X509_free(issued);
	X509_free(cac);
	X509_free(otherc);
	EVP_PKEY_free(cak);
	EVP_PKEY_free(otherk);
	X509_REQ_free(req);
	free(oldcert);
	free(csrf);
	free(caf);
	free(chainf);
	free(data);
	fx_close(&f);
}
END_TEST

START_TEST(test_certificate_swapped_on_disk)
{
	struct fx f;
	struct key_info k;
	char *cp, *data, sig[4096];
	EVP_PKEY *ok;
	X509 *oc;
	FILE *fp;

	fx_open(&f, NULL);
	gen(&f, &k, "p256");
	kt_signer(&ok, &oc, "p256", "intruder");
	cp = key_path(&f, k.cert_file);
	fp = fopen(cp, "w");
	PEM_write_X509(fp, oc);
	fclose(fp);
	data = kt_data(f.dir, "batch.xml", 100);
	ck_assert_int_eq(sign(&f, NULL, data, sig, sizeof(sig)), GW_EKEY);
	ck_assert_ptr_nonnull(strstr(f.e.msg, "not the one recorded"));
	EVP_PKEY_free(ok);
	X509_free(oc);
	free(cp);
	free(data);
	fx_close(&f);
}
END_TEST

/* Files left by an interrupted run are never overwritten. */
START_TEST(test_leftover_files)
{
	struct fx f;
	struct key_info k;
	char *kp;
	unsigned char *text;
	size_t len;

	fx_open(&f, NULL);
	kp = key_path(&f, "K0001.key");
	kt_write_bytes(kp, "precious", 8);
	ck_assert_int_eq(keystore_gen(&k, f.ks, "p256", NULL, 30, "t", &f.e),
	    GW_EKEY);
	ck_assert_ptr_nonnull(strstr(f.e.msg, "exists, but the database has "
	    "no key K0001"));
	text = kt_read(kp, &len);
	ck_assert_uint_eq(len, 8);
	ck_assert_int_eq(memcmp(text, "precious", 8), 0);
	gw_err_clear(&f.e);
	ck_assert_int_eq(keystore_get(&k, f.ks, 1, &f.e), GW_ENOTFOUND);
	free(text);
	free(kp);
	fx_close(&f);
}
END_TEST

START_TEST(test_expired_key_does_not_sign)
{
	struct fx f;
	struct key_info k;
	char *data, sig[4096], then[32];
	int64_t retired;

	fx_open(&f, NULL);
	snprintf(then, sizeof(then), "%lld",
	    (long long)(time(NULL) - 3 * KT_DAY));
	setenv("DEBITGW_FAKE_NOW", then, 1);
	ck_assert_int_eq(keystore_gen(&k, f.ks, "p256", NULL, 1, "t", &f.e), 0);
	unsetenv("DEBITGW_FAKE_NOW");
	data = kt_data(f.dir, "batch.xml", 100);
	ck_assert_int_eq(sign(&f, NULL, data, sig, sizeof(sig)), GW_EKEY);
	ck_assert_ptr_nonnull(strstr(f.e.msg, "certificate expired"));
	ck_assert_ptr_nonnull(strstr(f.e.msg, "keys rotate"));
	gw_err_clear(&f.e);
	ck_assert_int_eq(keystore_rotate(&k, &retired, f.ks, "p256", NULL, 30,
	    0, "t", &f.e), 0);
	ck_assert_int_eq(sign(&f, NULL, data, sig, sizeof(sig)), 0);
	free(data);
	fx_close(&f);
}
END_TEST

static int
count_key(void *arg, const struct key_info *k)
{
	int *n = arg;

	ck_assert_int_eq(k->id, *n + 1);
	(*n)++;
	return 0;
}

START_TEST(test_list_export_audit)
{
	struct fx f;
	struct key_info k;
	char *out, *cp;
	unsigned char *a, *b;
	size_t alen, blen;
	int64_t bad, events, retired;
	int n = 0;
	FILE *fp;

	fx_open(&f, NULL);
	gen(&f, &k, "p256");
	ck_assert_int_eq(keystore_rotate(&k, &retired, f.ks, "p256", NULL, 30,
	    0, "t", &f.e), 0);
	ck_assert_int_eq(keystore_foreach(f.ks, count_key, &n, &f.e), 0);
	ck_assert_int_eq(n, 2);
	out = tu_path(f.dir, "export.pem");
	fp = fopen(out, "w");
	ck_assert_int_eq(keystore_export_cert(fp, f.ks, 2, &f.e), 0);
	fclose(fp);
	cp = key_path(&f, k.cert_file);
	a = kt_read(out, &alen);
	b = kt_read(cp, &blen);
	ck_assert_uint_eq(alen, blen);
	ck_assert_int_eq(memcmp(a, b, alen), 0);
	/* generate, retire, generate: three events, chain intact. */
	ck_assert_int_eq(audit_verify(f.h->db, &bad, &events, &f.e), 0);
	ck_assert_int_eq(events, 3);
	ck_assert_int_eq(keystore_id_parse(&bad, "K0002", &f.e), 0);
	ck_assert_int_eq(bad, 2);
	ck_assert_int_eq(keystore_id_parse(&bad, "X2", &f.e), GW_EINPUT);
	free(a);
	free(b);
	free(out);
	free(cp);
	fx_close(&f);
}
END_TEST

static Suite *
keystore_suite(void)
{
	Suite *s = suite_create("keystore");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_gen, 0, KT_NALGS);
	tcase_add_test(tc, test_one_active_per_alg);
	tcase_add_test(tc, test_passphrase_sources);
	tcase_add_test(tc, test_key_permissions);
	tcase_add_test(tc, test_rotate);
	tcase_add_test(tc, test_rotate_algorithm_change);
	tcase_add_loop_test(tc, test_csr_and_import, 0, KT_NALGS);
	tcase_add_test(tc, test_certificate_swapped_on_disk);
	tcase_add_test(tc, test_leftover_files);
	tcase_add_test(tc, test_expired_key_does_not_sign);
	tcase_add_test(tc, test_list_export_audit);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(keystore_suite)
