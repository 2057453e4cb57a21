/*
 * text.c - UTF-8 validation by hand (it is on every row of every import,
 * so it must be cheap) and charset conversion through iconv, with the
 * descriptors cached because iconv_open costs more than a conversion.
 */
#include <errno.h>
#include <iconv.h>
#include <string.h>
#include <stdio.h>
#include <strings.h>

#include "common/text.h"

int
utf8_valid(const char *str, size_t len, size_t *nchars, size_t *bad_at)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, n = 0;

	while (i < len) {
		unsigned c = s[i];
		size_t k;
		unsigned cp;

		if (c < 0x80) {
			i++;
			n++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF) {
			k = 1;
			cp = c & 0x1F;
		} else if (c >= 0xE0 && c <= 0xEF) {
			k = 2;
			cp = c & 0x0F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			k = 3;
			cp = c & 0x07;
		} else
			goto bad;
		{
			size_t j;

			for (j = 1; j <= k; j++) {
				if (i + j >= len || (s[i + j] & 0xC0) != 0x80)
					goto bad;
				cp = (cp << 6) | (s[i + j] & 0x3F);
			}
		}
		/* Overlong forms, surrogates, beyond U+10FFFF. */
		if ((k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) ||
		    (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
			goto bad;
		i += k + 1;
		n++;
	}
	if (nchars)
		*nchars = n;
	return 1;
bad:
	if (bad_at)
		*bad_at = i;
	return 0;
}

int
text_has_control(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] < 0x20 || s[i] == 0x7F)
			return 1;
		/* C1 controls U+0080..U+009F are C2 80..C2 9F in UTF-8. */
		if (s[i] == 0xC2 && i + 1 < len && s[i + 1] >= 0x80 &&
		    s[i + 1] <= 0x9F)
			return 1;
	}
	return 0;
}

#define NCACHE 8

static struct {
	char	 from[16], to[16];
	iconv_t	 cd;
} cache[NCACHE];

static iconv_t
cd_get(const char *to, const char *from)
{
	int i;

	for (i = 0; i < NCACHE; i++) {
		if (cache[i].cd == NULL)
			break;
		if (strcasecmp(cache[i].to, to) == 0 &&
		    strcasecmp(cache[i].from, from) == 0) {
			iconv(cache[i].cd, NULL, NULL, NULL, NULL);
			return cache[i].cd;
		}
	}
	if (i == NCACHE)
		return (iconv_t)-1;
	cache[i].cd = iconv_open(to, from);
	if (cache[i].cd == (iconv_t)-1) {
		cache[i].cd = NULL;
		return (iconv_t)-1;
	}
	snprintf(cache[i].to, sizeof(cache[i].to), "%s", to);
	snprintf(cache[i].from, sizeof(cache[i].from), "%s", from);
	return cache[i].cd;
}

void
text_cleanup(void)
{
	int i;

	for (i = 0; i < NCACHE; i++) {
		if (cache[i].cd != NULL)
			iconv_close(cache[i].cd);
		cache[i].cd = NULL;
	}
}

static int
convert(char *out, size_t cap, size_t *outlen, const char *s, size_t len,
    const char *to, const char *from, struct gw_err *e)
{
	iconv_t cd;
	char *in = (char *)s, *o = out;
	size_t inleft = len, oleft;

	if (cap == 0)
		return gw_err_set(e, GW_ELIMIT, "no room for converted text");
	oleft = cap - 1;
	if (strcasecmp(to, from) == 0) {
		if (len > oleft)
			return gw_err_set(e, GW_ELIMIT, "text too long");
		memcpy(out, s, len);
		out[len] = '\0';
		if (outlen)
			*outlen = len;
		return 0;
	}
	if ((cd = cd_get(to, from)) == (iconv_t)-1)
		return gw_err_set(e, GW_EENV, "no conversion from %s to %s",
		    from, to);
	if (iconv(cd, &in, &inleft, &o, &oleft) == (size_t)-1) {
		if (errno == E2BIG)
			return gw_err_set(e, GW_ELIMIT, "text too long");
		return gw_err_set(e, GW_EINPUT,
		    "character at byte %zu cannot be converted from %s to %s",
		    (size_t)(in - s), from, to);
	}
	if (iconv(cd, NULL, NULL, &o, &oleft) == (size_t)-1)
		return gw_err_set(e, GW_ELIMIT, "text too long");
	*o = '\0';
	if (outlen)
		*outlen = (size_t)(o - out);
	return 0;
}

int
text_from_utf8(char *out, size_t cap, size_t *outlen, const char *s,
    size_t len, const char *charset, struct gw_err *e)
{
	return convert(out, cap, outlen, s, len, charset, "UTF-8", e);
}

int
text_to_utf8(char *out, size_t cap, size_t *outlen, const char *s, size_t len,
    const char *charset, struct gw_err *e)
{
	return convert(out, cap, outlen, s, len, "UTF-8", charset, e);
}

int
text_fits_gbk(const char *s, size_t len)
{
	char buf[1024];

	if (len * 2 + 1 > sizeof(buf))
		return 0;
	return convert(buf, sizeof(buf), NULL, s, len, "GBK", "UTF-8",
	    NULL) == 0;
}

int
text_in(const char *s, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return 1;
	return 0;
}

int
text_is_clean(const char *s, size_t len)
{
	return utf8_valid(s, len, NULL, NULL) && !text_has_control(s, len);
}
