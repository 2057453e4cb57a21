/*
 * internal.h - what the modules of keys/ share among themselves and no
 * other part may call: the one place a private key leaves the key store.
 */
#ifndef GW_KEYS_INTERNAL_H
#define GW_KEYS_INTERNAL_H

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "common/err.h"
#include "keys/keys.h"

/*
 * The active key of alg (NULL: the only active key; GW_EUSAGE if there
 * are several) with its certificate chain, after every check a signing
 * needs: key file mode 0600, certificate file matching the recorded
 * fingerprint and valid now, passphrase right. The caller frees both
 * (EVP_PKEY_free, sk_X509_pop_free) and never lets them out of keys/.
 */
int	keystore_load_signer(EVP_PKEY **key, STACK_OF(X509) **chain,
	    struct keystore *ks, const char *alg, struct gw_err *e);

#endif
