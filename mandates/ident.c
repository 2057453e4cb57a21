/*
 * ident.c - check characters and the rules around them.
 */
#include <string.h>

#include "common/date.h"
#include "common/text.h"
#include "mandates/ident.h"

char
ident_gb11643_check(const char *s)
{
	/* W_i = 2^(17-i) mod 11 for positions 1..17. */
	static const int w[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5,
	    8, 4, 2 };
	static const char map[] = "10X98765432";
	int i, sum = 0;

	for (i = 0; i < 17; i++)
		sum += (s[i] - '0') * w[i];
	return map[sum % 11];
}

static int
all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static int
two(const char *s)
{
	return (s[0] - '0') * 10 + (s[1] - '0');
}

/* Birth date YYYYMMDD at s: a real day, not before 1850, not after today. */
static int
birth_date(const char *s, int today, struct gw_err *e)
{
	int y = two(s) * 100 + two(s + 2), m = two(s + 4), d = two(s + 6);

	if (y < 1850 || m < 1 || m > 12 || d < 1 ||
	    d > date_days_in_month(y, m))
		return gw_err_set(e, GW_EINPUT, "birth date %.8s is not a real "
		    "date", s);
	if (date_from_ymd(y, m, d) > today)
		return gw_err_set(e, GW_EINPUT, "birth date %.8s is in the "
		    "future", s);
	return 0;
}

/* Province codes of GB/T 2260 (first two digits of a resident ID). */
static int
province_ok(const char *s)
{
	static const int codes[] = { 11, 12, 13, 14, 15, 21, 22, 23, 31, 32,
	    33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54,
	    61, 62, 63, 64, 65, 71, 81, 82 };
	int p = two(s);
	size_t i;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (codes[i] == p)
			return 1;
	return 0;
}

static int
check18(char out[IDENT_ID_LEN + 1], const char *s, int today,
    struct gw_err *e)
{
	char want, got;

	if (!all_digits(s, 17))
		return gw_err_set(e, GW_EINPUT, "the first 17 characters must "
		    "be digits");
	got = s[17] == 'x' ? 'X' : s[17];
	if (!((got >= '0' && got <= '9') || got == 'X'))
		return gw_err_set(e, GW_EINPUT, "the check character must be a "
		    "digit or X");
	if (birth_date(s + 6, today, e) != 0)
		return e->code;
	want = ident_gb11643_check(s);
	if (got != want)
		return gw_err_set(e, GW_EINPUT, "wrong check character '%c' "
		    "(GB 11643 gives '%c')", s[17], want);
	memcpy(out, s, 17);
	out[17] = got;
	out[18] = '\0';
	return 0;
}

int
ident_person(char out[IDENT_ID_LEN + 1], enum ident_type type, const char *s,
    int today, int *converted, struct gw_err *e)
{
	size_t n = strlen(s);

	if (converted)
		*converted = 0;
	switch (type) {
	case IDENT_RESIDENT:
		if (n == 15) {
			char buf[18];

			/* Legacy IDs (before 1999) have a 2-digit year, 19xx. */
			if (!all_digits(s, 15))
				return gw_err_set(e, GW_EINPUT,
				    "a 15-character ID must be all digits");
			memcpy(buf, s, 6);
			buf[6] = '1';
			buf[7] = '9';
			memcpy(buf + 8, s + 6, 9);
			buf[17] = ident_gb11643_check(buf);
			if (!province_ok(buf))
				return gw_err_set(e, GW_EINPUT,
				    "unknown province code %.2s", buf);
			if (converted)
				*converted = 1;
			return check18(out, buf, today, e);
		}
		if (n != 18)
			return gw_err_set(e, GW_EINPUT, "a resident ID has 18 "
			    "characters (or 15 for a legacy one), not %zu", n);
		if (!province_ok(s))
			return gw_err_set(e, GW_EINPUT, "unknown province code "
			    "%.2s", s);
		return check18(out, s, today, e);
	case IDENT_HMT_PERMIT:
		if (n != 18)
			return gw_err_set(e, GW_EINPUT, "a residence permit "
			    "number has 18 characters, not %zu", n);
		if (strncmp(s, "810000", 6) != 0 &&
		    strncmp(s, "820000", 6) != 0 && strncmp(s, "830000", 6) != 0)
			return gw_err_set(e, GW_EINPUT, "a Hong Kong, Macau or "
			    "Taiwan residence permit starts with 810000, 820000 "
			    "or 830000");
		return check18(out, s, today, e);
	case IDENT_FOREIGNER:
		if (n != 18)
			return gw_err_set(e, GW_EINPUT, "a foreigner permanent "
			    "residence ID has 18 characters, not %zu", n);
		if (s[0] != '9')
			return gw_err_set(e, GW_EINPUT, "a foreigner permanent "
			    "residence ID (2023) starts with 9");
		return check18(out, s, today, e);
	}
	return gw_err_set(e, GW_EINPUT, "unknown ID type");
}

int
ident_type_parse(enum ident_type *out, const char *s)
{
	if (strcmp(s, "resident") == 0)
		*out = IDENT_RESIDENT;
	else if (strcmp(s, "hmt_permit") == 0)
		*out = IDENT_HMT_PERMIT;
	else if (strcmp(s, "foreigner") == 0)
		*out = IDENT_FOREIGNER;
	else
		return -1;
	return 0;
}

int
ident_uscc(const char *s, struct gw_err *e)
{
	/* GB 32100: 31 characters, without I, O, S, V and Z. */
	static const char cs[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
	static const int w[17] = { 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25,
	    13, 8, 24, 10, 30, 28 };
	int i, sum = 0, c18;
	size_t n = strlen(s);

	if (n != 18)
		return gw_err_set(e, GW_EINPUT, "a unified social credit code "
		    "has 18 characters, not %zu", n);
	for (i = 0; i < 18; i++) {
		const char *p = s[i] ? strchr(cs, s[i]) : NULL;

		if (p == NULL)
			return gw_err_set(e, GW_EINPUT, "character %d '%c' is not "
			    "allowed in a unified social credit code", i + 1,
			    s[i]);
		if (i < 17)
			sum += (int)(p - cs) * w[i];
	}
	if (!all_digits(s + 2, 6))
		return gw_err_set(e, GW_EINPUT, "characters 3-8 of a unified "
		    "social credit code are the region code (digits)");
	c18 = (31 - sum % 31) % 31;
	if (s[17] != cs[c18])
		return gw_err_set(e, GW_EINPUT, "wrong check character '%c' "
		    "(GB 32100 gives '%c')", s[17], cs[c18]);
	return 0;
}

int
ident_luhn_ok(const char *d, size_t n)
{
	int sum = 0, dbl = 0;
	size_t i;

	for (i = n; i-- > 0;) {
		int v = d[i] - '0';

		if (dbl) {
			v *= 2;
			if (v > 9)
				v -= 9;
		}
		sum += v;
		dbl = !dbl;
	}
	return sum % 10 == 0;
}

int
ident_account(const char *s, int card, struct gw_err *e)
{
	size_t n = strlen(s);

	if (n < 8 || n > 32)
		return gw_err_set(e, GW_EINPUT, "an account number has 8 to 32 "
		    "digits, not %zu characters", n);
	if (!all_digits(s, n))
		return gw_err_set(e, GW_EINPUT, "an account number has digits "
		    "only");
	if (card && !ident_luhn_ok(s, n))
		return gw_err_set(e, GW_EINPUT, "card number fails the Luhn "
		    "check");
	return 0;
}

int
ident_name(const char *s, int *not_gbk, struct gw_err *e)
{
	size_t n = strlen(s), chars, bad;

	*not_gbk = 0;
	if (!utf8_valid(s, n, &chars, &bad))
		return gw_err_set(e, GW_EINPUT, "not valid UTF-8 (byte %zu)",
		    bad + 1);
	if (text_has_control(s, n))
		return gw_err_set(e, GW_EINPUT, "holds a control character");
	if (chars == 0)
		return gw_err_set(e, GW_EINPUT, "is empty");
	if (chars > IDENT_NAME_MAX_CHARS)
		return gw_err_set(e, GW_EINPUT, "longer than %d characters",
		    IDENT_NAME_MAX_CHARS);
	if (s[0] == ' ' || s[n - 1] == ' ')
		return gw_err_set(e, GW_EINPUT, "starts or ends with a space");
	*not_gbk = !text_fits_gbk(s, n);
	return 0;
}
