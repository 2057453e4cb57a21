/*
 * fmttest.h - what the formats/ unit tests share: a file edited in one
 * place (the readers are tested on good files spoiled one way at a time)
 * and the directory of the official ISO 20022 schemas.
 */
#ifndef GW_FMTTEST_H
#define GW_FMTTEST_H

#include "tests/unit/testutil.h"

/*
 * buf[0..len) with the first from replaced by to, NUL-terminated, its
 * length in *outlen; the caller frees it. A from that is not there fails
 * the test.
 */
static inline char *
ft_splice(const char *buf, size_t len, const char *from, const char *to,
    size_t *outlen)
{
	size_t fl = strlen(from), tl = strlen(to), head;
	const char *at = memmem(buf, len, from, fl);
	char *out;

	ck_assert_msg(at != NULL, "'%s' is not in the text to edit", from);
	head = (size_t)(at - buf);
	out = malloc(len - fl + tl + 1);
	ck_assert_ptr_nonnull(out);
	memcpy(out, buf, head);
	memcpy(out + head, to, tl);
	memcpy(out + head + tl, at + fl, len - head - fl);
	*outlen = len - fl + tl;
	out[*outlen] = '\0';
	return out;
}

#endif
