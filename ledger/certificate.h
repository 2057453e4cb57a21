/*
 * certificate.h - payment certificates (缴费证明) with a verification code.
 *
 * A certificate lists what a payer paid (or was exempted or subsidised
 * from) for one premium year. Its verification code is derived from the
 * ledger: a SHA-256 over the payer's obligations of that year and every
 * journal posting on them, shown as 16 Crockford base-32 characters
 * (80 bits) "XXXX-XXXX-XXXX-XXXX". The same ledger always gives the same
 * code; any posting added (a refund, a late payment) changes it, so
 * certificate_verify tells whether a certificate still matches the books.
 */
#ifndef GW_CERTIFICATE_H
#define GW_CERTIFICATE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/db.h"
#include "common/err.h"

#define CERT_CODE_SZ 20		/* "XXXX-XXXX-XXXX-XXXX" + NUL */

struct certificate;

/*
 * Build the certificate of payer_id for year. GW_ENOTFOUND when the payer
 * has nothing paid, exempted or subsidised that year. The caller owns
 * *out (certificate_free).
 */
int	certificate_build(struct certificate **out, struct db *db,
	    const char *payer_id, int year, struct gw_err *e);
void	certificate_free(struct certificate *c);

const char *certificate_code(const struct certificate *c);
size_t	certificate_nitems(const struct certificate *c);
int64_t	certificate_total_paid(const struct certificate *c);

/*
 * Write a printable HTML page (UTF-8, self-contained) to fp. payer_name
 * and issuer may be NULL or "". Returns 0 or GW_EIO.
 */
int	certificate_write_html(const struct certificate *c, FILE *fp,
	    const char *payer_name, const char *issuer, const char *issued_at,
	    struct gw_err *e);

/*
 * Recompute the code of payer_id/year from the ledger and compare with
 * code (case and dashes do not matter). 0 if it matches; GW_EINPUT if it
 * does not (the books changed, or the certificate is not ours).
 */
int	certificate_verify(struct db *db, const char *payer_id, int year,
	    const char *code, struct gw_err *e);

#endif
