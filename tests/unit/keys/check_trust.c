/*
 * Unit tests: the partner trust store (keys/trust.c) and verifying a
 * bank's file against that bank's entries only (keys_verify_file).
 */
#include <ctype.h>

#include "tests/unit/keys/keytest.h"

#include "common/audit.h"
#include "gateway/home.h"
#include "keys/keys.h"
#include "keys/keystore.h"
#include "keys/trust.h"

struct fx {
	char		*dir;
	struct home	*h;
	struct gw_err	 e;
};

static void
fx_open(struct fx *f)
{
	char *home;

	memset(f, 0, sizeof(*f));
	f->dir = tu_tmpdir();
	home = tu_path(f->dir, "home");
	setenv("DEBITGW_KEY_PASSPHRASE", "unit-test-passphrase", 1);
	ck_assert_msg(home_init(home, &f->e) == 0, "%s", f->e.msg);
	ck_assert_msg(home_open(&f->h, home, &f->e) == 0, "%s", f->e.msg);
	free(home);
}

static void
fx_close(struct fx *f)
{
	home_close(f->h);
	tu_tmpdir_free(f->dir);
}

static int
add(struct fx *f, const char *bank, const char *file)
{
	int n = -1;

	gw_err_clear(&f->e);
	if (trust_add(&n, f->h->db, f->h->dir, bank, file, "tester", NULL,
	    NULL, &f->e) != 0)
		return f->e.code;
	return n;
}

/* Trust c for bank (written to a file named after the bank). */
static void
trust(struct fx *f, const char *bank, X509 *c, X509 *more)
{
	char name[64], *p;

	snprintf(name, sizeof(name), "%s-%d.pem", bank, rand());
	p = kt_cert_file(f->dir, name, c, more);
	ck_assert_msg(add(f, bank, p) == (more ? 2 : 1), "%s", f->e.msg);
	free(p);
}

static int
verify(struct fx *f, const char *bank, const char *data, const char *sig,
    struct keys_sig_info *in)
{
	gw_err_clear(&f->e);
	return keys_verify_file(in, f->h->db, f->h->dir, bank, data, sig,
	    &f->e);
}

static int
count_cb(void *arg, const struct trust_entry *t)
{
	int *n = arg;

	(void)t;
	(*n)++;
	return 0;
}

static int
count(struct fx *f, const char *bank)
{
	int n = 0;

	ck_assert_int_eq(trust_foreach(f->h->db, bank, count_cb, &n, &f->e), 0);
	return n;
}

static int
first_ca(void *arg, const struct trust_entry *t)
{
	struct trust_entry *out = arg;

	if (t->is_ca)
		*out = *t;
	return 0;
}

START_TEST(test_add_list_remove)
{
	struct fx f;
	struct trust_entry ca;
	EVP_PKEY *cak, *k;
	X509 *cac, *c;
	char *p, prefix[12], id[24];
	time_t now = time(NULL);

	fx_open(&f);
	kt_cert(&cak, &cac, "rsa3072", "ICBC CA", NULL, NULL, now - KT_DAY,
	    now + 900 * KT_DAY, 1, NULL, NULL);
	kt_cert(&k, &c, "p256", "ICBC signer", cak, cac, now - KT_DAY,
	    now + 300 * KT_DAY, 0, NULL, NULL);
	trust(&f, "ICBC", cac, c);
	ck_assert_int_eq(count(&f, "ICBC"), 2);
	ck_assert_int_eq(count(&f, "CCB"), 0);
	memset(&ca, 0, sizeof(ca));
	ck_assert_int_eq(trust_foreach(f.h->db, "ICBC", first_ca, &ca, &f.e),
	    0);
	ck_assert_str_eq(ca.subject, "CN=ICBC CA");
	ck_assert_str_eq(ca.bank, "ICBC");
	ck_assert_int_ge(asprintf(&p, "%s/trust/ICBC/%s.pem", f.h->dir,
	    ca.fingerprint), 0);
	ck_assert(fs_exists(p));
	/* By fingerprint prefix, case-insensitive; then by entry number. */
	snprintf(prefix, sizeof(prefix), "%.10s", ca.fingerprint);
	prefix[0] = (char)toupper((unsigned char)prefix[0]);
	ck_assert_msg(trust_remove(f.h->db, f.h->dir, "ICBC", prefix, "t",
	    &f.e) == 0, "%s", f.e.msg);
	ck_assert(!fs_exists(p));
	ck_assert_int_eq(count(&f, "ICBC"), 1);
	ck_assert_int_eq(trust_remove(f.h->db, f.h->dir, "ICBC", prefix, "t",
	    &f.e), GW_ENOTFOUND);
	gw_err_clear(&f.e);
	ck_assert_int_eq(trust_remove(f.h->db, f.h->dir, "ICBC", "abc", "t",
	    &f.e), GW_EINPUT);
	snprintf(id, sizeof(id), "%d", 2);
	gw_err_clear(&f.e);
	ck_assert_msg(trust_remove(f.h->db, f.h->dir, "ICBC", id, "t",
	    &f.e) == 0, "%s", f.e.msg);
	ck_assert_int_eq(count(&f, NULL), 0);
	EVP_PKEY_free(cak);
	EVP_PKEY_free(k);
	X509_free(cac);
	X509_free(c);
	free(p);
	fx_close(&f);
}
END_TEST

/* One file, one transaction: a duplicate inside it adds nothing. */
START_TEST(test_add_all_or_nothing)
{
	struct fx f;
	EVP_PKEY *k1, *k2;
	X509 *c1, *c2;
	char *p;
	int64_t bad, events;

	fx_open(&f);
	kt_signer(&k1, &c1, "p256", "one");
	kt_signer(&k2, &c2, "p256", "two");
	trust(&f, "ICBC", c1, NULL);
	p = kt_cert_file(f.dir, "both.pem", c2, c1);
	ck_assert_int_eq(add(&f, "ICBC", p), GW_EDUP);
	ck_assert_ptr_nonnull(strstr(f.e.msg, "already trusted for bank ICBC"));
	ck_assert_int_eq(count(&f, "ICBC"), 1);
	/* The same certificate may serve two banks (their shared CA). */
	ck_assert_int_eq(add(&f, "CCB", p), 2);
	ck_assert_int_eq(audit_verify(f.h->db, &bad, &events, &f.e), 0);
	ck_assert_int_eq(events, 3);
	EVP_PKEY_free(k1);
	EVP_PKEY_free(k2);
	X509_free(c1);
	X509_free(c2);
	free(p);
	fx_close(&f);
}
END_TEST

static void
warned(void *arg, const char *msg)
{
	int *n = arg;

	ck_assert_ptr_nonnull(strstr(msg, "not valid now"));
	(*n)++;
}

START_TEST(test_add_bad_input)
{
	struct fx f;
	EVP_PKEY *k;
	X509 *c;
	char *junk, *old;
	time_t now = time(NULL);
	int n, warnings = 0;

	fx_open(&f);
	junk = tu_write(f.dir, "junk.pem", "-----BEGIN CERTIFICATE-----\n"
	    "bm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n");
	ck_assert_int_eq(add(&f, "ICBC", junk), GW_EINPUT);
	ck_assert_ptr_nonnull(strstr(f.e.msg, "junk.pem"));
	free(junk);
	junk = tu_write(f.dir, "empty.pem", "hello\n");
	ck_assert_int_eq(add(&f, "ICBC", junk), GW_EINPUT);
	ck_assert_ptr_nonnull(strstr(f.e.msg, "no certificate"));
	kt_cert(&k, &c, "sm2", "old", NULL, NULL, now - 900 * KT_DAY,
	    now - 800 * KT_DAY, 0, NULL, NULL);
	old = kt_cert_file(f.dir, "old.pem", c, NULL);
	ck_assert_int_eq(add(&f, "../etc", old), GW_EINPUT);
	ck_assert_int_eq(add(&f, "", old), GW_EINPUT);
	/* Expired: added with a warning (old files still verify). */
	gw_err_clear(&f.e);
	ck_assert_int_eq(trust_add(&n, f.h->db, f.h->dir, "BOC", old, "t",
	    warned, &warnings, &f.e), 0);
	ck_assert_int_eq(warnings, 1);
	ck_assert_int_eq(n, 1);
	EVP_PKEY_free(k);
	X509_free(c);
	free(junk);
	free(old);
	fx_close(&f);
}
END_TEST

/* A bank's file verifies only against that bank's entries. */
START_TEST(test_verify_per_bank)
{
	const char *alg = kt_algs[_i];
	struct fx f;
	struct keys_sig_info in;
	struct keystore *ks;
	struct key_info ours;
	EVP_PKEY *ik, *ck, *xk;
	X509 *ic, *cc, *xc;
	char *data, sig[4096];

	fx_open(&f);
	kt_signer(&ik, &ic, alg, "ICBC signer");
	kt_signer(&ck, &cc, alg, "CCB signer");
	kt_signer(&xk, &xc, alg, "Stranger");
	trust(&f, "ICBC", ic, NULL);
	trust(&f, "CCB", cc, NULL);
	data = kt_data(f.dir, "return.xml", 20000);
	kt_sign_as(f.dir, ik, ic, NULL, data, sig, sizeof(sig));
	ck_assert_msg(verify(&f, "ICBC", data, sig, &in) == 0, "%s", f.e.msg);
	ck_assert_str_eq(in.trusted_by, "bank ICBC");
	ck_assert_str_eq(in.subject, "CN=ICBC signer");
	ck_assert_int_eq(verify(&f, "CCB", data, sig, &in), GW_ESIG);
	ck_assert_int_eq(in.fail, KEYS_FAIL_OTHER);
	ck_assert_ptr_nonnull(strstr(f.e.msg, "signer not trusted for bank CCB "
	    "(signed by a certificate of bank ICBC"));
	kt_sign_as(f.dir, xk, xc, NULL, data, sig, sizeof(sig));
	ck_assert_int_eq(verify(&f, "ICBC", data, sig, &in), GW_ESIG);
	ck_assert_int_eq(in.fail, KEYS_FAIL_UNKNOWN);
	ck_assert_ptr_nonnull(strstr(f.e.msg, "unknown signer CN=Stranger"));
	/* Our own signature sent back is not the bank's. */
	ck_assert_int_eq(keystore_open(&ks, f.h->dir, f.h->db, NULL, &f.e), 0);
	ck_assert_int_eq(keystore_gen(&ours, ks, alg, NULL, 30, "t", &f.e), 0);
	ck_assert_int_eq(keys_sign_file(sig, sizeof(sig), ks, NULL, data,
	    &f.e), 0);
	keystore_close(ks);
	ck_assert_int_eq(verify(&f, "ICBC", data, sig, &in), GW_ESIG);
	ck_assert_int_eq(in.fail, KEYS_FAIL_OTHER);
	ck_assert_ptr_nonnull(strstr(f.e.msg, "(signed by a certificate of our "
	    "key K0001"));
	/* A bank without entries is a setup problem: exit 3. */
	ck_assert_int_eq(verify(&f, "BOC", data, sig, &in), GW_ECONFIG);
	ck_assert_int_eq(gw_err_exit_status(f.e.code), 3);
	ck_assert_ptr_nonnull(strstr(f.e.msg, "trust add BOC"));
	EVP_PKEY_free(ik);
	EVP_PKEY_free(ck);
	EVP_PKEY_free(xk);
	X509_free(ic);
	X509_free(cc);
	X509_free(xc);
	free(data);
	fx_close(&f);
}
END_TEST

/* A bank gives its CA; its signing certificates come with the files. */
START_TEST(test_verify_via_bank_ca)
{
	const char *alg = kt_algs[_i];
	struct fx f;
	struct keys_sig_info in;
	EVP_PKEY *cak, *k, *ok;
	X509 *cac, *c, *oc;
	char *data, sig[4096];
	time_t now = time(NULL);

	fx_open(&f);
	kt_cert(&cak, &cac, alg, "ICBC CA", NULL, NULL, now - KT_DAY,
	    now + 900 * KT_DAY, 1, NULL, NULL);
	kt_cert(&k, &c, alg, "ICBC branch 12", cak, cac, now - KT_DAY,
	    now + 300 * KT_DAY, 0, NULL, NULL);
	kt_cert(&ok, &oc, alg, "CCB branch", NULL, NULL, now - KT_DAY,
	    now + 300 * KT_DAY, 0, NULL, NULL);
	trust(&f, "ICBC", cac, NULL);
	trust(&f, "CCB", oc, NULL);
	data = kt_data(f.dir, "return.xml", 1000);
	kt_sign_as(f.dir, k, c, NULL, data, sig, sizeof(sig));
	ck_assert_msg(verify(&f, "ICBC", data, sig, &in) == 0, "%s", f.e.msg);
	ck_assert_str_eq(in.issuer, "CN=ICBC CA");
	ck_assert_int_eq(verify(&f, "CCB", data, sig, &in), GW_ESIG);
	ck_assert_ptr_nonnull(strstr(f.e.msg, "of bank ICBC"));
	EVP_PKEY_free(cak);
	EVP_PKEY_free(k);
	EVP_PKEY_free(ok);
	X509_free(cac);
	X509_free(c);
	X509_free(oc);
	free(data);
	fx_close(&f);
}
END_TEST

START_TEST(test_entry_swapped_on_disk)
{
	struct fx f;
	struct keys_sig_info in;
	struct trust_entry t;
	EVP_PKEY *k, *xk;
	X509 *c, *xc;
	char *data, *p, sig[4096];
	FILE *fp;

	fx_open(&f);
	kt_signer(&k, &c, "p256", "ICBC signer");
	kt_signer(&xk, &xc, "p256", "Mallory");
	trust(&f, "ICBC", c, NULL);
	data = kt_data(f.dir, "return.xml", 1000);
	kt_sign_as(f.dir, xk, xc, NULL, data, sig, sizeof(sig));
	pki_fingerprint(t.fingerprint, c);
	ck_assert_int_ge(asprintf(&p, "%s/trust/ICBC/%s.pem", f.h->dir,
	    t.fingerprint), 0);
	fp = fopen(p, "w");
	PEM_write_X509(fp, xc);
	fclose(fp);
	ck_assert_int_eq(verify(&f, "ICBC", data, sig, &in), GW_ECONFIG);
	ck_assert_ptr_nonnull(strstr(f.e.msg, "not the certificate recorded"));
	EVP_PKEY_free(k);
	EVP_PKEY_free(xk);
	X509_free(c);
	X509_free(xc);
	free(p);
	free(data);
	fx_close(&f);
}
END_TEST

/* A bare SM2 signature names no signer: the bank's SM2 keys are tried. */
START_TEST(test_sm2_raw_finds_signer)
{
	struct fx f;
	struct keys_sig_info in;
	EVP_PKEY *k1, *k2, *k3, *rk;
	X509 *c1, *c2, *c3, *rc;
	EVP_MD_CTX *m;
	EVP_PKEY_CTX *pctx = NULL;
	unsigned char raw[128], *buf;
	size_t rawlen = sizeof(raw), len;
	char *data, *rawf;

	fx_open(&f);
	kt_signer(&k1, &c1, "sm2", "BOC key 1");
	kt_signer(&k2, &c2, "sm2", "BOC key 2");
	kt_signer(&rk, &rc, "rsa3072", "BOC rsa");
	kt_signer(&k3, &c3, "sm2", "CCB key");
	trust(&f, "BOC", c1, c2);
	trust(&f, "BOC", rc, NULL);
	trust(&f, "CCB", c3, NULL);
	data = kt_data(f.dir, "return.txt", 50000);
	buf = kt_read(data, &len);
	m = EVP_MD_CTX_new();
	ck_assert_int_eq(EVP_DigestSignInit_ex(m, &pctx, "SM3", NULL, NULL, k2,
	    NULL), 1);
	ck_assert_int_eq(EVP_PKEY_CTX_set1_id(pctx, PKI_SM2_ID, 16), 1);
	ck_assert_int_eq(EVP_DigestSign(m, raw, &rawlen, buf, len), 1);
	rawf = tu_path(f.dir, "return.txt.raw");
	kt_write_bytes(rawf, raw, rawlen);
	ck_assert_msg(verify(&f, "BOC", data, rawf, &in) == 0, "%s", f.e.msg);
	ck_assert_str_eq(in.subject, "CN=BOC key 2");
	ck_assert_str_eq(in.format, "sm2-raw");
	ck_assert_int_eq(verify(&f, "CCB", data, rawf, &in), GW_ESIG);
	ck_assert_int_eq(in.fail, KEYS_FAIL_MODIFIED);
	ck_assert_ptr_nonnull(strstr(f.e.msg, "trusted for bank CCB"));
	EVP_MD_CTX_free(m);
	EVP_PKEY_free(k1);
	EVP_PKEY_free(k2);
	EVP_PKEY_free(k3);
	EVP_PKEY_free(rk);
	X509_free(c1);
	X509_free(c2);
	X509_free(c3);
	X509_free(rc);
	free(buf);
	free(rawf);
	free(data);
	fx_close(&f);
}
END_TEST

START_TEST(test_own_without_keys)
{
	struct fx f;
	struct keys_sig_info in;
	struct keys_trust t;
	char *data;

	fx_open(&f);
	data = kt_data(f.dir, "f", 10);
	memset(&t, 0, sizeof(t));
	t.db = f.h->db;
	t.home_dir = f.h->dir;
	t.own = 1;
	ck_assert_int_eq(keys_verify_fd(&in, &t, 0, data, "x", 1, "sig",
	    &f.e), GW_ECONFIG);
	ck_assert_ptr_nonnull(strstr(f.e.msg, "no keys"));
	free(data);
	fx_close(&f);
}
END_TEST

static Suite *
trust_suite(void)
{
	Suite *s = suite_create("trust");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_add_list_remove);
	tcase_add_test(tc, test_add_all_or_nothing);
	tcase_add_test(tc, test_add_bad_input);
	tcase_add_loop_test(tc, test_verify_per_bank, 0, KT_NALGS);
	tcase_add_loop_test(tc, test_verify_via_bank_ca, 0, KT_NALGS);
	tcase_add_test(tc, test_entry_swapped_on_disk);
	tcase_add_test(tc, test_sm2_raw_finds_signer);
	tcase_add_test(tc, test_own_without_keys);
	suite_add_tcase(s, tc);
	return s;
}

GW_TEST_MAIN(trust_suite)
