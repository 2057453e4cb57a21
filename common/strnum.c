/*
 * strnum.c - the only place where text becomes an integer.
 */
#include <errno.h>
#include <stdlib.h>

#include "common/strnum.h"

int
strnum_i64(int64_t *out, const char *s, int64_t min, int64_t max,
    const char *what, struct gw_err *e)
{
	char *end;
	long long v;

	if (s == NULL || *s == '\0')
		return gw_err_set(e, GW_EINPUT, "%s: empty number", what);
	if (!(*s == '-' || (*s >= '0' && *s <= '9')))
		return gw_err_set(e, GW_EINPUT, "%s: '%s' is not a number",
		    what, s);
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end != '\0')
		return gw_err_set(e, GW_EINPUT, "%s: '%s' is not a number",
		    what, s);
	if (errno == ERANGE || v < min || v > max)
		return gw_err_set(e, GW_EINPUT,
		    "%s: %s is out of range %lld..%lld", what, s,
		    (long long)min, (long long)max);
	*out = v;
	return 0;
}

int
strnum_int(int *out, const char *s, int min, int max, const char *what,
    struct gw_err *e)
{
	int64_t v;
	int rc;

	if ((rc = strnum_i64(&v, s, min, max, what, e)) != 0)
		return rc;
	*out = (int)v;
	return 0;
}

int
strnum_ref(int64_t *out, char prefix, const char *s, const char *what,
    struct gw_err *e)
{
	if (s[0] == prefix || s[0] == prefix + ('a' - 'A'))
		s++;
	return strnum_i64(out, s, 1, INT64_MAX, what, e);
}
