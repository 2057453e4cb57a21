/*
 * sqlfold.c - fold constant IN lists into equality chains, see sqlfold.h.
 *
 * A small tokenizer is enough: the schema text we fold is our own, and
 * anything outside the one shape we recognise is copied as it is.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/sqlfold.h"
#include "common/vec.h"

#define MIN_LIST 3	/* SQLite compares lists of two directly */

enum kind { K_WORD, K_STR, K_PUNCT, K_OTHER };

struct tok {
	enum kind	 k;
	size_t		 s, n;	/* offset and length in the text */
};

struct out {
	char	*p;
	size_t	 n, cap;
};

static int
put(struct out *o, const char *s, size_t n)
{
	return vec_append(&o->p, &o->n, &o->cap, s, n);
}

/* Length of the quoted run starting at s[0] (a quote), doubled quotes
 * included; to the end of the text if it is never closed. */
static size_t
quoted(const char *s, char close)
{
	size_t i = 1;

	for (;;) {
		if (s[i] == '\0')
			return i;
		if (s[i] == close) {
			if (close != ']' && s[i + 1] == close) {
				i += 2;
				continue;
			}
			return i + 1;
		}
		i++;
	}
}

/* Tokens of sql, comments and blanks skipped; *n of them. */
static struct tok *
tokenize(const char *sql, size_t *n)
{
	struct tok *t = NULL;
	size_t cap = 0, i = 0, len;

	*n = 0;
	while (sql[i] != '\0') {
		const char *p = sql + i;
		enum kind k;

		if (isspace((unsigned char)*p)) {
			i++;
			continue;
		}
		if (p[0] == '-' && p[1] == '-') {
			len = strcspn(p, "\n");
			i += len;
			continue;
		}
		if (p[0] == '/' && p[1] == '*') {
			const char *end = strstr(p + 2, "*/");

			i += end ? (size_t)(end - p) + 2 : strlen(p);
			continue;
		}
		if (*p == '\'') {
			k = K_STR;
			len = quoted(p, '\'');
		} else if (*p == '"' || *p == '`' || *p == '[') {
			k = K_OTHER;
			len = quoted(p, *p == '[' ? ']' : *p);
		} else if (isalpha((unsigned char)*p) || *p == '_' ||
		    (unsigned char)*p >= 0x80) {
			k = K_WORD;
			for (len = 1; isalnum((unsigned char)p[len]) ||
			    p[len] == '_' || p[len] == '$' ||
			    (unsigned char)p[len] >= 0x80; len++)
				;
		} else if (isdigit((unsigned char)*p)) {
			k = K_OTHER;
			for (len = 1; isalnum((unsigned char)p[len]) ||
			    p[len] == '.'; len++)
				;
		} else {
			k = K_PUNCT;
			len = 1;
		}
		if (vec_room(&t, *n, &cap, sizeof(*t)) != 0) {
			free(t);
			return NULL;
		}
		t[(*n)++] = (struct tok){ k, i, len };
		i += len;
	}
	if (t == NULL)		/* no tokens: an empty array, not a failure */
		t = malloc(sizeof(*t));
	return t;
}

static int
is_word(const char *sql, const struct tok *t, const char *w)
{
	return t->k == K_WORD && t->n == strlen(w) &&
	    strncasecmp(sql + t->s, w, t->n) == 0;
}

static int
is_punct(const char *sql, const struct tok *t, char c)
{
	return t->k == K_PUNCT && sql[t->s] == c;
}

/* A word that is SQL, not a column, where a column would stand. */
static int
is_keyword(const char *sql, const struct tok *t)
{
	static const char *const kw[] = { "AND", "OR", "NOT", "IN", "IS",
	    "END", "NULL", "CASE", "WHEN", "THEN", "ELSE", "EXISTS", "SELECT",
	    "WHERE", "LIKE", "GLOB", "BETWEEN", "COLLATE", "ESCAPE" };
	size_t i;

	for (i = 0; i < sizeof(kw) / sizeof(kw[0]); i++)
		if (is_word(sql, t, kw[i]))
			return 1;
	return 0;
}

/* Nothing before the column binds tighter than IN. */
static int
starts_operand(const char *sql, const struct tok *t, size_t i)
{
	if (i == 0)
		return 1;
	t += i - 1;
	return is_punct(sql, t, '(') || is_punct(sql, t, ',') ||
	    is_word(sql, t, "AND") || is_word(sql, t, "OR") ||
	    is_word(sql, t, "NOT") || is_word(sql, t, "WHERE") ||
	    is_word(sql, t, "WHEN");
}

/*
 * Does a foldable list start at token i? If so, *col_end is one past the
 * column's last token, *neg says NOT IN, *first the first literal and
 * *close the closing parenthesis.
 */
static int
match(const char *sql, const struct tok *t, size_t n, size_t i,
    size_t *col_end, int *neg, size_t *first, size_t *close)
{
	size_t j = i, items = 0;

	if (!starts_operand(sql, t, i))
		return 0;
	/* column, table.column or schema.table.column */
	for (;;) {
		if (j >= n || t[j].k != K_WORD || is_keyword(sql, &t[j]))
			return 0;
		j++;
		if (j < n && is_punct(sql, &t[j], '.') && j - i < 4)
			j++;
		else
			break;
	}
	*col_end = j;
	*neg = 0;
	if (j < n && is_word(sql, &t[j], "NOT")) {
		*neg = 1;
		j++;
	}
	if (j + 1 >= n || !is_word(sql, &t[j], "IN") ||
	    !is_punct(sql, &t[j + 1], '('))
		return 0;
	j += 2;
	*first = j;
	for (;;) {
		if (j >= n || t[j].k != K_STR)
			return 0;
		items++;
		j++;
		if (j < n && is_punct(sql, &t[j], ','))
			j++;
		else
			break;
	}
	if (j >= n || !is_punct(sql, &t[j], ')') || items < MIN_LIST)
		return 0;
	*close = j;
	return 1;
}

int
sql_fold_in_lists(const char *sql, char **out)
{
	struct out o = { NULL, 0, 0 };
	struct tok *t;
	size_t n, i, done = 0, col_end, first, close, j;
	int neg, folded = 0;

	*out = NULL;
	if ((t = tokenize(sql, &n)) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		const char *col = sql + t[i].s;
		size_t col_len;

		if (!match(sql, t, n, i, &col_end, &neg, &first, &close))
			continue;
		col_len = t[col_end - 1].s + t[col_end - 1].n - t[i].s;
		if (put(&o, sql + done, t[i].s - done) != 0 ||
		    (neg && put(&o, "NOT ", 4) != 0) || put(&o, "(", 1) != 0)
			goto nomem;
		for (j = first; j < close; j += 2)
			if ((j > first && put(&o, " OR ", 4) != 0) ||
			    put(&o, col, col_len) != 0 || put(&o, " = ", 3) != 0 ||
			    put(&o, sql + t[j].s, t[j].n) != 0)
				goto nomem;
		if (put(&o, ")", 1) != 0)
			goto nomem;
		done = t[close].s + 1;
		i = close;
		folded = 1;
	}
	free(t);
	if (!folded)
		return 0;
	if (put(&o, sql + done, strlen(sql + done) + 1) != 0) {
		free(o.p);
		return -1;
	}
	*out = o.p;
	return 1;
nomem:
	free(t);
	free(o.p);
	return -1;
}
