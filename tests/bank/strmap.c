/*
 * strmap.c - the containers the bank simulator needs: a hash map from
 * strings to int64 (accounts, debited EndToEndIds, files, mandates), an
 * arena for strings that live as long as a batch, and arrays that grow.
 *
 * The map is open-addressed with linear probing and FNV-1a, grown to
 * keep at most half its slots full, so a probe is short; keys are copied
 * into the map's own arena. The arena hands out strings from 1 MiB
 * blocks (a longer string gets a block of its own) and never moves one,
 * so pointers stay valid until arena_free.
 */
#include <stdlib.h>
#include <string.h>

#include "tests/bank/bank.h"

#define ARENA_BLOCK (1 << 20)

struct block {
	struct block	*next;
	size_t		 used, cap;
	char		 data[];
};

struct arena {
	struct block	*head;
};

struct slot {
	const char	*key;		/* NULL: empty */
	uint64_t	 hash;
	int64_t		 value;
};

struct strmap {
	struct slot	*slots;
	size_t		 cap, n;
	struct arena	*keys;
};

int
arena_new(struct arena **out, struct gw_err *e)
{
	if ((*out = calloc(1, sizeof(**out))) == NULL)
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	return 0;
}

void
arena_free(struct arena *a)
{
	struct block *b, *next;

	if (a == NULL)
		return;
	for (b = a->head; b; b = next) {
		next = b->next;
		free(b);
	}
	free(a);
}

const char *
arena_str(struct arena *a, const char *s)
{
	size_t n = strlen(s) + 1;
	struct block *b = a->head;
	char *p;

	if (b == NULL || b->cap - b->used < n) {
		size_t cap = n > ARENA_BLOCK ? n : ARENA_BLOCK;

		if ((b = malloc(sizeof(*b) + cap)) == NULL)
			return NULL;
		b->used = 0;
		b->cap = cap;
		b->next = a->head;
		a->head = b;
	}
	p = b->data + b->used;
	memcpy(p, s, n);
	b->used += n;
	return p;
}

static uint64_t
hash(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

int
strmap_new(struct strmap **out, struct gw_err *e)
{
	struct strmap *m;

	*out = NULL;
	if ((m = calloc(1, sizeof(*m))) == NULL ||
	    (m->slots = calloc(64, sizeof(*m->slots))) == NULL ||
	    arena_new(&m->keys, e) != 0) {
		if (m)
			free(m->slots);
		free(m);
		return gw_err_set(e, GW_ENOMEM, "out of memory");
	}
	m->cap = 64;
	*out = m;
	return 0;
}

void
strmap_free(struct strmap *m)
{
	if (m == NULL)
		return;
	arena_free(m->keys);
	free(m->slots);
	free(m);
}

static struct slot *
find(const struct strmap *m, const char *key, uint64_t h)
{
	size_t k = h & (m->cap - 1);

	for (;; k = (k + 1) & (m->cap - 1)) {
		struct slot *s = &m->slots[k];

		if (s->key == NULL ||
		    (s->hash == h && strcmp(s->key, key) == 0))
			return s;
	}
}

static int
grow(struct strmap *m)
{
	struct slot *old = m->slots;
	size_t i, cap = m->cap;

	if ((m->slots = calloc(cap * 2, sizeof(*m->slots))) == NULL) {
		m->slots = old;
		return -1;
	}
	m->cap = cap * 2;
	for (i = 0; i < cap; i++)
		if (old[i].key)
			*find(m, old[i].key, old[i].hash) = old[i];
	free(old);
	return 0;
}

int64_t *
strmap_get(const struct strmap *m, const char *key)
{
	struct slot *s = find(m, key, hash(key));

	return s->key ? &s->value : NULL;
}

int64_t *
strmap_put(struct strmap *m, const char *key, int *added)
{
	uint64_t h = hash(key);
	struct slot *s;

	*added = 0;
	if ((m->n + 1) * 2 > m->cap && grow(m) != 0)
		return NULL;
	s = find(m, key, h);
	if (s->key == NULL) {
		if ((s->key = arena_str(m->keys, key)) == NULL)
			return NULL;
		s->hash = h;
		s->value = 0;
		m->n++;
		*added = 1;
	}
	return &s->value;
}

size_t
strmap_count(const struct strmap *m)
{
	return m->n;
}
