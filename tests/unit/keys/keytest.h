/*
 * keytest.h - keys, certificates and files for the keys/ unit tests.
 *
 * Certificates are made here with the real OpenSSL through keys/pki.c,
 * with whatever validity window a test needs (expired, not yet valid),
 * so no fixture can go stale.
 */
#ifndef GW_KEYTEST_H
#define GW_KEYTEST_H

#include <sys/stat.h>
#include <time.h>

#include <openssl/pem.h>

#include "tests/unit/testutil.h"

#include "keys/keys.h"
#include "keys/pki.h"

#define KT_DAY 86400

static const char *const kt_algs[] = { "rsa3072", "p256", "sm2" };
#define KT_NALGS 3

/*
 * A key of alg and a certificate for CN=cn issued by ik/ic (NULL: self),
 * valid from nb to na; ca, ku and eku as in struct pki_cert_spec.
 */
static inline void
kt_cert(EVP_PKEY **key, X509 **cert, const char *alg, const char *cn,
    EVP_PKEY *ik, X509 *ic, time_t nb, time_t na, int ca, const char *ku,
    const char *eku)
{
	struct gw_err e = GW_ERR_INIT;
	struct pki_cert_spec s;
	X509_NAME *n;
	char subj[256];

	ck_assert_msg(pki_keygen(key, alg, &e) == 0, "%s", e.msg);
	snprintf(subj, sizeof(subj), "/CN=%s", cn);
	ck_assert_int_eq(pki_name_parse(&n, subj, &e), 0);
	memset(&s, 0, sizeof(s));
	s.pub = *key;
	s.subject = n;
	s.issuer_key = ik ? ik : *key;
	s.issuer = ic;
	s.not_before = nb;
	s.not_after = na;
	s.ca = ca;
	s.key_usage = ku;
	s.ext_key_usage = eku;
	ck_assert_msg(pki_cert_new(cert, &s, &e) == 0, "%s", e.msg);
	X509_NAME_free(n);
}

/* A self-signed signer valid from a year ago to a year ahead. */
static inline void
kt_signer(EVP_PKEY **key, X509 **cert, const char *alg, const char *cn)
{
	time_t now = time(NULL);

	kt_cert(key, cert, alg, cn, NULL, NULL, now - 365 * KT_DAY,
	    now + 365 * KT_DAY, 0, NULL, NULL);
}

/* An unencrypted PEM key at dir/name, mode 0600; returns the path. */
static inline char *
kt_key_file(const char *dir, const char *name, EVP_PKEY *k)
{
	char *p = tu_path(dir, name);
	FILE *fp = fopen(p, "wb");

	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(PEM_write_PrivateKey(fp, k, NULL, NULL, 0, NULL,
	    NULL), 1);
	fclose(fp);
	chmod(p, 0600);
	return p;
}

/* Certificates a, then b (may be NULL), as PEM at dir/name. */
static inline char *
kt_cert_file(const char *dir, const char *name, X509 *a, X509 *b)
{
	char *p = tu_path(dir, name);
	FILE *fp = fopen(p, "wb");

	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(PEM_write_X509(fp, a), 1);
	if (b != NULL)
		ck_assert_int_eq(PEM_write_X509(fp, b), 1);
	fclose(fp);
	return p;
}

static inline void
kt_write_bytes(const char *path, const void *data, size_t len)
{
	FILE *fp = fopen(path, "wb");

	ck_assert_ptr_nonnull(fp);
	ck_assert_uint_eq(fwrite(data, 1, len, fp), len);
	fclose(fp);
}

/*
 * Sign data with k/c (chain: extra after c, may be NULL) into sig, with
 * key and certificate files written in dir, as a bank without a home.
 */
static inline void
kt_sign_as(const char *dir, EVP_PKEY *k, X509 *c, X509 *extra,
    const char *data, char *sig, size_t cap)
{
	struct gw_err e = GW_ERR_INIT;
	char *kp = kt_key_file(dir, "signer.key", k);
	char *cp = kt_cert_file(dir, "signer.crt", c, extra);

	ck_assert_msg(keys_sign_file_with(sig, cap, kp, NULL, cp, data, &e) == 0,
	    "%s", e.msg);
	free(kp);
	free(cp);
}

/* n pseudo-random bytes at dir/name. */
static inline char *
kt_data(const char *dir, const char *name, size_t n)
{
	char *p = tu_path(dir, name);
	unsigned char *buf = malloc(n ? n : 1);
	size_t i;
	uint32_t x = 2463534242u;

	ck_assert_ptr_nonnull(buf);
	for (i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] = (unsigned char)x;
	}
	kt_write_bytes(p, buf, n);
	free(buf);
	return p;
}

/* The whole file, malloc'd; *len gets its size. */
static inline unsigned char *
kt_read(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	unsigned char *buf;
	long n;

	ck_assert_ptr_nonnull(fp);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	buf[n] = 0;
	*len = (size_t)n;
	return buf;
}

/* Flip one byte of the file at offset off. */
static inline void
kt_flip(const char *path, size_t off)
{
	size_t len;
	unsigned char *b = kt_read(path, &len);

	ck_assert_uint_lt(off, len);
	b[off] ^= 0x01;
	kt_write_bytes(path, b, len);
	free(b);
}

/* Keep the first n bytes of the file. */
static inline void
kt_truncate(const char *path, size_t n)
{
	ck_assert_int_eq(truncate(path, (off_t)n), 0);
}

#endif
