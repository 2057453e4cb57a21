/*
 * vec.h - room in a growing array.
 *
 * Lists read from the database or a directory grow by doubling; every
 * part wrote the same realloc dance, some updating the capacity before
 * knowing the realloc worked. This does it once.
 */
#ifndef GW_VEC_H
#define GW_VEC_H

#include <stddef.h>

/*
 * Make room for element n of the array whose pointer is at vp (the
 * address of a T *, NULL at first) with *cap elements of elem bytes.
 * Returns 0, or -1 when out of memory, leaving array and *cap as they
 * were (the caller still owns and frees the array).
 */
int	vec_room(void *vp, size_t n, size_t *cap, size_t elem);

/*
 * Append the n bytes at p to the byte array *buf holding *len bytes of
 * *cap, growing it as vec_room does. Returns 0, or -1 when out of memory
 * (array, *len and *cap as they were).
 */
int	vec_append(char **buf, size_t *len, size_t *cap, const void *p,
	    size_t n);

#endif
