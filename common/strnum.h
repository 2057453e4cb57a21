/*
 * strnum.h - bounded parsing of numbers from outside (a local strtonum).
 */
#ifndef GW_STRNUM_H
#define GW_STRNUM_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

/*
 * Parse a whole decimal number (optional leading '-') that must lie in
 * [min, max] and fill all of s (no spaces, no trailing text).
 * Returns 0 or GW_EINPUT with "what: reason" in e.
 */
int	strnum_i64(int64_t *out, const char *s, int64_t min, int64_t max,
	    const char *what, struct gw_err *e);

/* Same for int. */
int	strnum_int(int *out, const char *s, int min, int max,
	    const char *what, struct gw_err *e);

/*
 * An id as staff type it: "123" or "X0000000123" with the part's letter
 * X (either case) before a positive number. GW_EINPUT naming what.
 */
int	strnum_ref(int64_t *out, char prefix, const char *s, const char *what,
	    struct gw_err *e);

#endif
