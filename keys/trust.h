/*
 * trust.h - the partner trust store: which certificates speak for a bank.
 *
 * Each entry is one certificate (a bank's signing certificate or its CA)
 * stored as trust/BANK/<sha256>.pem and as a row of table trust_entries
 * (bank, fingerprint, subject, issuer, CA flag, validity). A bank's file
 * is verified against that bank's entries only; the file of an entry is
 * checked against the recorded fingerprint each time it is loaded.
 *
 * Trusting a CA trusts every certificate it issues: where a bank's CA is a
 * public one that also serves other banks, add the bank's own signing
 * certificate instead (docs/keys.md).
 */
#ifndef GW_TRUST_H
#define GW_TRUST_H

#include <stddef.h>
#include <stdint.h>

#include "common/date.h"
#include "common/db.h"
#include "common/err.h"
#include "keys/sig.h"

struct trust_entry {
	int64_t	 id;
	char	 bank[33];
	char	 fingerprint[65];
	char	 subject[512];
	char	 issuer[512];
	int	 is_ca;
	char	 not_before[TS_BUFSZ];
	char	 not_after[TS_BUFSZ];
	char	 added_at[TS_BUFSZ];
};

/* 1 if bank is a usable code: 1-32 of A-Z a-z 0-9 _ -. */
int	trust_bank_is_valid(const char *bank);

/*
 * Trust every certificate in cert_path (PEM, one or more; or one DER) for
 * bank, in one transaction. *added gets how many. GW_EINPUT for a bad
 * file, GW_EDUP if one is already trusted for the bank (nothing added).
 * warn (may be NULL) hears about certificates that are expired or not yet
 * valid now; they are added all the same, since files signed while they
 * were valid still verify.
 */
int	trust_add(int *added, struct db *db, const char *home_dir,
	    const char *bank, const char *cert_path, const char *actor,
	    void (*warn)(void *arg, const char *msg), void *warn_arg,
	    struct gw_err *e);

/*
 * Remove the entry of bank named by which: its id, or a prefix of at
 * least 8 hex digits of its fingerprint. GW_ENOTFOUND, or GW_EINPUT when
 * the prefix names several.
 */
int	trust_remove(struct db *db, const char *home_dir, const char *bank,
	    const char *which, const char *actor, struct gw_err *e);

/* Every entry (of bank, or all when NULL), by bank then id. */
int	trust_foreach(struct db *db, const char *bank,
	    int (*fn)(void *arg, const struct trust_entry *t), void *arg,
	    struct gw_err *e);

/*
 * The anchors for verifying bank's files: its entries' certificates.
 * GW_ECONFIG if it has none or an entry's file was changed. owner is
 * passed to sig_anchors_new. The caller frees *out.
 */
int	trust_anchors(struct sig_anchors **out, struct db *db,
	    const char *home_dir, const char *bank, sig_owner_fn owner,
	    void *owner_arg, struct gw_err *e);

/*
 * Which bank other than exclude (may be NULL) trusts signer: "bank CCB"
 * into out and 1, or 0.
 */
int	trust_owner(struct db *db, const char *home_dir, const char *exclude,
	    X509 *signer, STACK_OF(X509) *chain, char *out, size_t cap);

#endif
