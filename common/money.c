/*
 * money.c - exact decimal parsing and printing of fen.
 */
#include <inttypes.h>
#include <stdio.h>

#include "common/money.h"

static int
parse_digits(int64_t *out, const char *s, size_t len, struct gw_err *e)
{
	int64_t v = 0;
	size_t i;

	if (len == 0)
		return gw_err_set(e, GW_EINPUT, "amount has no digits");
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return gw_err_set(e, GW_EINPUT,
			    "amount has a character that is not a digit");
		if (v > (MONEY_MAX_FEN - (s[i] - '0')) / 10)
			return gw_err_set(e, GW_EINPUT, "amount too large");
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int
money_parse_yuan(int64_t *out, const char *s, size_t len, int allow_negative,
    struct gw_err *e)
{
	int64_t whole, frac = 0, fen;
	size_t i, dot = len;
	int neg = 0;

	if (len > 0 && s[0] == '-') {
		if (!allow_negative)
			return gw_err_set(e, GW_EINPUT,
			    "amount may not be negative");
		neg = 1;
		s++;
		len--;
	}
	for (i = 0; i < len; i++)
		if (s[i] == '.') {
			dot = i;
			break;
		}
	if (dot == 0)
		return gw_err_set(e, GW_EINPUT, "amount has no yuan digits");
	if (parse_digits(&whole, s, dot, e) != 0)
		return e ? e->code : GW_EINPUT;
	if (dot < len) {
		size_t nfrac = len - dot - 1;

		if (nfrac == 0)
			return gw_err_set(e, GW_EINPUT,
			    "amount ends with a decimal point");
		if (nfrac > 2)
			return gw_err_set(e, GW_EINPUT,
			    "amount has more than two decimals");
		if (parse_digits(&frac, s + dot + 1, nfrac, e) != 0)
			return e ? e->code : GW_EINPUT;
		if (nfrac == 1)
			frac *= 10;
	}
	if (whole > (MONEY_MAX_FEN - frac) / 100)
		return gw_err_set(e, GW_EINPUT, "amount too large");
	fen = whole * 100 + frac;
	*out = neg ? -fen : fen;
	return 0;
}

int
money_parse_fen(int64_t *out, const char *s, size_t len, struct gw_err *e)
{
	return parse_digits(out, s, len, e);
}

char *
money_format(char buf[MONEY_BUFSZ], int64_t fen)
{
	uint64_t mag;

	/* Negate in unsigned arithmetic so INT64_MIN cannot overflow. */
	mag = fen < 0 ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen;
	snprintf(buf, MONEY_BUFSZ, "%s%" PRIu64 ".%02" PRIu64,
	    fen < 0 ? "-" : "", mag / 100, mag % 100);
	return buf;
}

int
money_add(int64_t *acc, int64_t v, struct gw_err *e)
{
	if ((v > 0 && *acc > INT64_MAX - v) || (v < 0 && *acc < INT64_MIN - v))
		return gw_err_set(e, GW_ELIMIT, "amount sum overflows");
	*acc += v;
	return 0;
}
