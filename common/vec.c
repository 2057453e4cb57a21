/*
 * vec.c - room in a growing array (see vec.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/vec.h"

int
vec_room(void *vp, size_t n, size_t *cap, size_t elem)
{
	void *old, *grown;
	size_t c;

	if (n < *cap)
		return 0;
	/* Doubling, as many times as it takes for element n to fit. */
	for (c = *cap ? *cap : 16; c <= n; c *= 2)
		if (c > SIZE_MAX / 2)
			return -1;
	if (c > SIZE_MAX / elem)
		return -1;
	/* vp points at a T *, not a void *: copy the pointer, do not cast. */
	memcpy(&old, vp, sizeof(old));
	if ((grown = realloc(old, c * elem)) == NULL)
		return -1;
	memcpy(vp, &grown, sizeof(grown));
	*cap = c;
	return 0;
}

int
vec_append(char **buf, size_t *len, size_t *cap, const void *p, size_t n)
{
	if (n == 0)
		return 0;
	if (*len > SIZE_MAX - n || vec_room(buf, *len + n - 1, cap, 1) != 0)
		return -1;
	memcpy(*buf + *len, p, n);
	*len += n;
	return 0;
}
