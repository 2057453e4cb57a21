/*
 * money.h - amounts as int64 fen, parsed and printed exactly.
 *
 * There is no floating point anywhere near an amount. Text amounts are
 * decimal yuan with at most two decimals on input ("430", "430.5",
 * "430.50") and exactly two on output ("430.50").
 */
#ifndef GW_MONEY_H
#define GW_MONEY_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

/* Largest amount we accept: 10^15 fen (10 trillion yuan), far above any batch. */
#define MONEY_MAX_FEN INT64_C(1000000000000000)

/* Room for "-" + 16 digits + "." + 2 digits + NUL. */
#define MONEY_BUFSZ 32

/*
 * Parse yuan text of len bytes into fen. Accepts digits, an optional '.'
 * and one or two decimals. A leading '-' only when allow_negative.
 * Rejects empty text, spaces, '+', exponents, a third decimal and values
 * above MONEY_MAX_FEN. Returns 0 or GW_EINPUT with a reason in e.
 */
int	money_parse_yuan(int64_t *out, const char *s, size_t len,
	    int allow_negative, struct gw_err *e);

/* Parse a whole number of fen ("43000"), non-negative, same bounds. */
int	money_parse_fen(int64_t *out, const char *s, size_t len,
	    struct gw_err *e);

/* Format fen as yuan with two decimals into buf (MONEY_BUFSZ). Returns buf. */
char	*money_format(char buf[MONEY_BUFSZ], int64_t fen);

/* *acc += v; returns 0, or GW_ELIMIT if the sum would leave the bounds. */
int	money_add(int64_t *acc, int64_t v, struct gw_err *e);

#endif
