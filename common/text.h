/*
 * text.h - UTF-8 checks and conversion to the legacy Chinese encodings.
 */
#ifndef GW_TEXT_H
#define GW_TEXT_H

#include <stddef.h>

#include "common/err.h"

/*
 * Check that s[0..len) is valid UTF-8 (shortest forms, no surrogates, no
 * code point above U+10FFFF). Returns 1 if valid and sets *nchars to the
 * number of code points; 0 if not, with *bad_at the byte offset of the
 * first bad sequence. Either pointer may be NULL.
 */
int	utf8_valid(const char *s, size_t len, size_t *nchars, size_t *bad_at);

/* 1 if s holds a C0 or C1 control character or DEL. */
int	text_has_control(const char *s, size_t len);

/* 1 if s[0..len) is valid UTF-8 without control characters (free text). */
int	text_is_clean(const char *s, size_t len);

/*
 * Convert UTF-8 to charset ("GBK", "GB18030", "UTF-8") into out (cap
 * bytes, NUL-terminated). Returns 0, GW_EINPUT if a character has no
 * representation in charset, GW_ELIMIT if out is too small, GW_EENV if
 * the charset is unknown.
 */
int	text_from_utf8(char *out, size_t cap, size_t *outlen, const char *s,
	    size_t len, const char *charset, struct gw_err *e);

/* Convert charset text to UTF-8; same returns (GW_EINPUT: bad bytes). */
int	text_to_utf8(char *out, size_t cap, size_t *outlen, const char *s,
	    size_t len, const char *charset, struct gw_err *e);

/* 1 if the UTF-8 text s can be written in GBK. */
int	text_fits_gbk(const char *s, size_t len);

/* Free cached conversion descriptors (at exit, for leak checkers). */
void	text_cleanup(void);

/* 1 if s equals one of the n strings of list (a closed set of codes). */
int	text_in(const char *s, const char *const *list, size_t n);
#define TEXT_IN(s, arr)	text_in((s), (arr), sizeof(arr) / sizeof((arr)[0]))

#endif
