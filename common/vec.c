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
