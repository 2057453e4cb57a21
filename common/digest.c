/*
 * digest.c - length-prefixed fields into a digest (see digest.h).
 */
#include "common/digest.h"

void
digest_put(EVP_MD_CTX *md, const void *p, size_t n)
{
	unsigned char len[4];

	len[0] = (unsigned char)(n >> 24);
	len[1] = (unsigned char)(n >> 16);
	len[2] = (unsigned char)(n >> 8);
	len[3] = (unsigned char)n;
	EVP_DigestUpdate(md, len, 4);
	EVP_DigestUpdate(md, p, n);
}
