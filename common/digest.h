/*
 * digest.h - fields into a running digest, each one unambiguous.
 *
 * A field goes in as its length (4 bytes, big-endian) and then its bytes,
 * so "ab" + "c" and "a" + "bc" hash differently. The audit chain and the
 * payment-certificate code both hash records this way.
 */
#ifndef GW_DIGEST_H
#define GW_DIGEST_H

#include <stddef.h>

#include <openssl/evp.h>

/* p[0..n) as one length-prefixed field. */
void	digest_put(EVP_MD_CTX *md, const void *p, size_t n);

#endif
