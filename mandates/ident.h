/*
 * ident.h - validation of the identifiers on a mandate.
 *
 *   resident ID     GB 11643-1999: 17 digits + check character (0-9, X),
 *                   a real birth date; 15-digit legacy IDs are converted
 *   hmt_permit      residence permit for Hong Kong, Macau and Taiwan
 *                   residents: an 18-character ID starting 810000, 820000
 *                   or 830000, same check character rule
 *   foreigner       2023 foreigner permanent-residence ID card: 18
 *                   characters starting with 9, same check character rule
 *   USCC            GB 32100-2015 unified social credit code of a unit
 *   bank account    8-32 digits; Luhn when the account kind is card
 *   name            UTF-8, no control characters, 1-60 characters; a name
 *                   that GBK cannot carry is accepted and flagged
 *
 * Each function returns 0 when valid or GW_EINPUT with the reason (no
 * field name, no file position: the caller adds those).
 */
#ifndef GW_IDENT_H
#define GW_IDENT_H

#include <stddef.h>

#include "common/err.h"

#define IDENT_ID_LEN 18
#define IDENT_NAME_MAX_CHARS 60

enum ident_type { IDENT_RESIDENT, IDENT_HMT_PERMIT, IDENT_FOREIGNER };

/* GB 11643 check character for the first 17 digits of s. */
char	ident_gb11643_check(const char *s17);

/*
 * Validate a personal ID of the given type and write its canonical
 * 18-character form (upper-case X; a 15-digit resident ID converted) to
 * out. today is the current day number, for "birth date in the future".
 * *converted is set to 1 when a 15-digit ID was converted (may be NULL).
 */
int	ident_person(char out[IDENT_ID_LEN + 1], enum ident_type type,
	    const char *s, int today, int *converted, struct gw_err *e);

/* Parse "resident", "hmt_permit", "foreigner". */
int	ident_type_parse(enum ident_type *out, const char *s);

/* Validate a unified social credit code (upper-case letters only). */
int	ident_uscc(const char *s, struct gw_err *e);

/* Validate a bank account number; card 1 enables the Luhn check. */
int	ident_account(const char *s, int card, struct gw_err *e);

/* 1 if the digits pass the Luhn check. */
int	ident_luhn_ok(const char *digits, size_t n);

/*
 * Validate a name. *not_gbk is set to 1 when the name holds a character
 * GBK cannot represent (a rare character a GBK bank file cannot print).
 */
int	ident_name(const char *s, int *not_gbk, struct gw_err *e);

#endif
